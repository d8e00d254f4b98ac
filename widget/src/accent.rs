//! The site's accent colour as CSS custom properties for the panel: `--accent`, and the text
//! colour on it (`--pvx-on-accent`), dark on light colours so the header stays readable.
//! They are set through the CSSOM: the page's CSP (`style-src 'self'`) blocks `style` attributes.

/// The custom properties to set on the panel root, or `None` (the stylesheet's default) unless
/// `color` is `#rrggbb`; anything else is ignored, so the setting can never inject other CSS.
pub fn accent_vars(color: &str) -> Option<Vec<(&'static str, String)>> {
    let hex = color.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok().map(u32::from);
    let (r, g, b) = (channel(0)?, channel(2)?, channel(4)?);
    let mut vars = vec![("--accent", color.to_owned())];
    // Perceived brightness (ITU-R BT.601 weights), 0-255: light colours get dark text.
    if (r * 299 + g * 587 + b * 114) / 1000 > 170 {
        vars.push(("--pvx-on-accent", "#1b1f29".to_owned()));
    }
    Some(vars)
}

/// Sets the accent on `el` (see [`accent_vars`]).
#[cfg(target_arch = "wasm32")]
pub fn apply_accent(el: &web_sys::HtmlElement, color: &str) {
    for (name, value) in accent_vars(color).unwrap_or_default() {
        let _ = el.style().set_property(name, &value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_name_each_property() {
        assert_eq!(
            accent_vars("#ffd84d").unwrap(),
            [("--accent", "#ffd84d".to_owned()), ("--pvx-on-accent", "#1b1f29".to_owned())]
        );
        assert_eq!(accent_vars("red"), None);
    }

    #[test]
    fn only_hex_colours_are_used() {
        assert_eq!(accent_vars("#1f5eff").unwrap(), [("--accent", "#1f5eff".to_owned())]);
        for bad in ["", "red", "#12345", "#1234567", "#12345g", "#12;}x{", "1f5eff"] {
            assert_eq!(accent_vars(bad), None, "{bad:?}");
        }
    }
}
