//! Cookie consent: the categories, a visitor's decision, the edge's proof record, the workspace's
//! consent settings. (When the banner must ask again is the loader's rule, in `www/widget.js`:
//! it runs before any WASM loads.)

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Languages the banner speaks. Chosen from the page's `lang`, then the browser's languages,
/// unless the site owner fixes one.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    De,
    Fr,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Fr, Lang::Es];

    /// `de-AT` → German; unknown → `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            "fr" => Some(Lang::Fr),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The site owner's fixed language wins; then the first supported tag (page language first,
    /// then the browser's preferences); English otherwise.
    pub fn pick<'a>(fixed: Option<Lang>, tags: impl IntoIterator<Item = &'a str>) -> Lang {
        fixed.or_else(|| tags.into_iter().find_map(Lang::from_tag)).unwrap_or(Lang::En)
    }

    /// The language tags of an `Accept-Language` header, in the order sent (browsers send them
    /// by preference), without their weights: `"fr-FR,fr;q=0.9"` → `fr-FR`, `fr`.
    pub fn accept_language(header: &str) -> impl Iterator<Item = &str> {
        header.split(',').map(|t| t.split(';').next().unwrap_or_default().trim()).filter(|t| !t.is_empty())
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }
}

/// The optional categories (necessary is always on and never asked about).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Preferences,
    Analytics,
    Marketing,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Preferences, Category::Analytics, Category::Marketing];
}

/// What the visitor allowed, per optional category.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Choices {
    pub preferences: bool,
    pub analytics: bool,
    pub marketing: bool,
}

impl Choices {
    pub fn all() -> Self {
        Self { preferences: true, analytics: true, marketing: true }
    }

    pub fn none() -> Self {
        Self::default()
    }

    pub fn get(&self, c: Category) -> bool {
        match c {
            Category::Preferences => self.preferences,
            Category::Analytics => self.analytics,
            Category::Marketing => self.marketing,
        }
    }

    pub fn set(&mut self, c: Category, on: bool) {
        match c {
            Category::Preferences => self.preferences = on,
            Category::Analytics => self.analytics = on,
            Category::Marketing => self.marketing = on,
        }
    }

    /// The choices as far as the site offers them: "Accept all" cannot allow a category the
    /// site's banner does not have (its notice then says nothing is captured for it).
    pub fn within(self, offered: &[Category]) -> Self {
        let mut out = Self::none();
        for &c in offered {
            out.set(c, self.get(c));
        }
        out
    }

    /// Where the preferences view starts before any decision: everything off. Global Privacy
    /// Control changes nothing here because analytics and marketing already start denied; it is
    /// recorded and the banner says it was honoured.
    pub fn initial(previous: Option<Choices>) -> Self {
        previous.unwrap_or_default()
    }
}

/// How the decision was made, for the proof record.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    AcceptAll,
    RejectAll,
    Custom,
}

/// A decision as the banner or the widget sends it to the edge.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub policy_version: u32,
    pub choices: Choices,
    pub method: Method,
    pub lang: Lang,
    /// Whether the browser sent Global Privacy Control.
    pub gpc: bool,
}

/// The proof of one decision, as the edge records it and the site owner exports it: when, which
/// policy version, what, in which banner language, with or without GPC, and for whom — as a
/// SHA-256 of the visitor id, never the id itself.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub at: i64,
    pub expires_at: i64,
    pub visitor_hash: String,
    /// The decision's fields, flat in the JSON (`policy_version`, `choices`, `method`, …).
    #[serde(flatten)]
    pub decision: Decision,
}

/// What the loader keeps in the site's storage (`provixchat.SITE`): the decision, its
/// expiry and the signed visitor token that is the consent's id. Nothing else is stored before or
/// after a "Reject all".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredConsent {
    pub token: String,
    pub record: ConsentRecord,
}

/// A category's name and description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryText {
    pub name: String,
    pub description: String,
}

/// The banner's words in one language, set by the site owner. (Plain fields rather than a map
/// keyed by category: the widget decodes this, and a map would cost it kilobytes of WASM.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BannerText {
    pub title: String,
    pub text: String,
    pub necessary: CategoryText,
    pub preferences: CategoryText,
    pub analytics: CategoryText,
    pub marketing: CategoryText,
}

impl BannerText {
    pub fn category(&self, c: Category) -> &CategoryText {
        match c {
            Category::Preferences => &self.preferences,
            Category::Analytics => &self.analytics,
            Category::Marketing => &self.marketing,
        }
    }

    /// Every category's text, necessary first.
    pub fn all(&self) -> [&CategoryText; 4] {
        [&self.necessary, &self.preferences, &self.analytics, &self.marketing]
    }
}

/// A workspace's consent settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentSettings {
    /// The site's privacy policy, linked from the banner.
    pub policy_url: String,
    /// Bumping it asks every visitor again.
    pub policy_version: u32,
    /// How long a decision holds, in days (default 365).
    pub lifetime_days: u32,
    /// A fixed banner language, or `None` to follow the page and the browser.
    pub language: Option<Lang>,
    /// Categories the site uses; the banner only asks about these.
    pub categories: Vec<Category>,
    pub texts: BTreeMap<Lang, BannerText>,
}

pub const DAY_MS: i64 = 24 * 3600 * 1000;

impl ConsentSettings {
    pub fn lifetime_ms(&self) -> i64 {
        self.lifetime_days as i64 * DAY_MS
    }

    /// The text for `lang`, falling back to English, then to any.
    pub fn text(&self, lang: Lang) -> Option<&BannerText> {
        self.texts.get(&lang).or_else(|| self.texts.get(&Lang::En)).or_else(|| self.texts.values().next())
    }
}

/// What the loader and the banner need: `GET /api/v1/sites/SITE/consent-config?lang=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentConfig {
    /// Whether this request carried `Sec-GPC: 1`, so the banner can say the signal is honoured
    /// even where the page's script cannot see it.
    #[serde(default)]
    pub gpc: bool,
    pub policy_url: String,
    pub policy_version: u32,
    pub lifetime_days: u32,
    pub lang: Lang,
    pub categories: Vec<Category>,
    pub text: BannerText,
    #[serde(default)]
    pub launcher: crate::api::Launcher,
    /// The banner's markup for the loader, rendered by the edge from `text` and the labels in
    /// `lang` (`consent_labels`); only when asked for (`&banner=1`: the loader has no decision
    /// that still counts), so returning visitors download none of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Provixchat's own words for the widget's privacy choices in `lang` (`consent_labels`); only
    /// when asked for (`&labels=1`: the widget asks, the loader does not), so the widget embeds
    /// no table of them and the loader downloads none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<crate::consent_labels::WidgetLabels>,
    /// The launcher's words in `lang`, for the page's script (`api.js`); the widget reads none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launcher_labels: Option<crate::consent_labels::LauncherLabels>,
}

/// `POST /api/v1/sites/SITE/consent` from the banner on the site's page (the loader's
/// `banner.js`) or from the widget's privacy choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRequest {
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub decision: Decision,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_limited_to_the_categories_offered() {
        let offered = [Category::Preferences];
        assert_eq!(Choices::all().within(&offered), Choices { preferences: true, analytics: false, marketing: false });
        assert_eq!(Choices::all().within(&[]), Choices::none());
    }

    fn record(version: u32, expires_at: i64) -> ConsentRecord {
        ConsentRecord {
            at: 0,
            expires_at,
            visitor_hash: "h".into(),
            decision: Decision {
                policy_version: version,
                choices: Choices::none(),
                method: Method::RejectAll,
                lang: Lang::En,
                gpc: false,
            },
        }
    }

    #[test]
    fn languages_follow_page_then_browser_unless_fixed() {
        assert_eq!(Lang::pick(None, ["de-AT", "fr"]), Lang::De);
        assert_eq!(Lang::pick(None, ["pt-BR", "es-ES", "en"]), Lang::Es);
        assert_eq!(Lang::pick(None, ["ja"]), Lang::En);
        assert_eq!(Lang::pick(None, [""]), Lang::En);
        assert_eq!(Lang::pick(Some(Lang::Fr), ["de"]), Lang::Fr);
        let browser = Lang::accept_language("pt-BR, fr;q=0.9,en;q=0.8");
        assert_eq!(browser.collect::<Vec<_>>(), ["pt-BR", "fr", "en"]);
        assert_eq!(Lang::pick(None, ["", "pt-BR"].into_iter().chain(Lang::accept_language("fr;q=0.9,de"))), Lang::Fr);
    }

    #[test]
    fn choices() {
        let mut c = Choices::none();
        assert!(Category::ALL.iter().all(|&k| !c.get(k)));
        c.set(Category::Analytics, true);
        assert_eq!(c, Choices { preferences: false, analytics: true, marketing: false });
        assert!(Category::ALL.iter().all(|&k| Choices::all().get(k)));
        assert_eq!(Choices::initial(None), Choices::none(), "nothing is pre-ticked");
        assert_eq!(Choices::initial(Some(c)), c, "reopening shows the current decision");
    }

    #[test]
    fn records_use_snake_case_json() {
        let json = serde_json::to_value(record(3, 9)).unwrap();
        assert_eq!(json["policy_version"], 3, "the decision's fields are flat");
        assert_eq!(json["method"], "reject_all");
        assert_eq!(json["lang"], "en");
        assert_eq!(json["choices"]["analytics"], false);
    }
}
