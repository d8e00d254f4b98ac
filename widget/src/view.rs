//! Which of its views the widget shows. The loader (`www/widget.js`, plain JS) names them with
//! short strings in its `state` messages and hears them back in `view` messages; those strings
//! are parsed here, at the boundary, and nowhere else.

/// What the iframe shows, as the loader decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// Nothing: the iframe is hidden (the loader's empty string, and `banner`: the loader draws
    /// the consent banner itself).
    #[default]
    Hidden,
    /// The privacy preferences (`prefs`), from the banner's "Customize" or the chat's menu.
    Preferences,
    /// The chat (`chat`).
    Chat,
}

impl View {
    /// The loader's name for the view.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Hidden => "",
            View::Preferences => "prefs",
            View::Chat => "chat",
        }
    }
}

impl From<&str> for View {
    /// A name the loader does not send is treated as hidden, as the loader itself treats it.
    fn from(name: &str) -> Self {
        match name {
            "prefs" => View::Preferences,
            "chat" => View::Chat,
            _ => View::Hidden,
        }
    }
}

impl From<String> for View {
    fn from(name: String) -> Self {
        View::from(name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_keep_the_loaders_names() {
        for view in [View::Hidden, View::Preferences, View::Chat] {
            assert_eq!(View::from(view.as_str()), view, "{view:?} round-trips");
        }
        assert_eq!(View::Preferences.as_str(), "prefs", "the loader's word, not the enum's");
        assert_eq!(View::from("preferences"), View::Hidden, "an unknown name shows nothing");
        assert_eq!(View::from("banner"), View::Hidden, "the loader draws the banner itself");
    }
}
