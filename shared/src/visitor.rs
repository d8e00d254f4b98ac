//! What the edge learns about a visitor and shows agents in the visitor profile, and the requests
//! that feed it. Page activity, device and location are captured only with analytics consent
//! (the edge checks the visitor's latest decision itself); contact details only when the visitor
//! (or an agent) gives them; identity only when the site calls `Provixchat.identify`.

use crate::consent::ConsentRecord;
use crate::domain::{ConversationId, ConversationSummary, DomainError, Email, VisitorId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most custom attributes per visitor, and the longest key and value.
pub const MAX_ATTRIBUTES: usize = 50;
pub const MAX_ATTRIBUTE_KEY_CHARS: usize = 40;
pub const MAX_ATTRIBUTE_VALUE_CHARS: usize = 500;
/// Longest page address and title kept.
pub const MAX_URL_CHARS: usize = 2000;
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest browser language tag (RFC 5646 asks implementations to take at least 35) and IANA
/// time zone name (the longest in use has 32).
pub const MAX_LANGUAGE_CHARS: usize = 35;
pub const MAX_TIME_ZONE_CHARS: usize = 64;

/// How wide the visitor's screen is: a class, never the exact size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenClass {
    /// Under 640 CSS pixels (phones).
    Small,
    /// Under 1200 (tablets, small laptops).
    Medium,
    Large,
}

impl ScreenClass {
    pub fn of_width(px: u32) -> Self {
        match px {
            0..=639 => Self::Small,
            640..=1199 => Self::Medium,
            _ => Self::Large,
        }
    }
}

/// What the browser says about itself, sent with the visitor session and each page view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorContext {
    /// `navigator.language`, e.g. `de-DE`.
    pub language: String,
    /// IANA zone from `Intl`, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub screen: ScreenClass,
}

impl VisitorContext {
    /// Refuses what no browser sends: the page's script could put anything here, and the
    /// profile keeps it. A language tag is letters, digits and `-`; a time zone also `/ _ +`.
    pub fn check(&self) -> Result<(), DomainError> {
        let tag_ok = |s: &str, max: usize, extra: &str| {
            s.chars().count() <= max && s.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
        };
        if !tag_ok(&self.language, MAX_LANGUAGE_CHARS, "-") {
            return Err(DomainError::Invalid { what: "language", reason: "it is not a language tag such as de-DE" });
        }
        if !tag_ok(&self.time_zone, MAX_TIME_ZONE_CHARS, "-/_+") {
            return Err(DomainError::Invalid {
                what: "time zone",
                reason: "it is not a time zone such as Europe/Berlin",
            });
        }
        Ok(())
    }
}

/// `POST /api/v1/sites/{site}/pageview` from the site's page (CORS). Stored only with analytics
/// consent; the address loses its tracking and personal query parameters first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageViewRequest {
    pub host: String,
    pub token: String,
    pub url: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub referrer: String,
    #[serde(default)]
    pub context: Option<VisitorContext>,
}

/// One page the visitor opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView {
    pub at: i64,
    pub url: String,
    pub title: String,
    pub referrer: String,
}

/// `POST /api/v1/sites/{site}/identify` from the site's page (CORS): `Provixchat.identify(...)`.
/// With identity verification on, `hash` must be hex HMAC-SHA256 of `id` keyed with the
/// workspace's identity secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyRequest {
    pub host: String,
    #[serde(default)]
    pub token: Option<String>,
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub hash: Option<String>,
}

/// Answer to [`IdentifyRequest`]: a visitor token bound to the identity. A user seen before (in
/// any browser) gets their own visitor and latest conversation back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identified {
    pub token: String,
    pub conversation_id: ConversationId,
    pub verified: bool,
}

/// `POST /api/v1/sites/{site}/attributes` from the site's page (CORS): `Provixchat.setAttributes`.
/// Values are strings, numbers or booleans; `null` removes a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributesRequest {
    pub host: String,
    pub token: String,
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// The site's own user the visitor is, as `identify` said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    /// The site proved it with the HMAC (identity verification on).
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// "Chrome 156".
    pub browser: String,
    /// "Linux", "iPhone".
    pub os: String,
    /// `pc`, `smartphone`, `mobilephone`, `appliance`, `crawler` or `misc`.
    pub category: String,
}

/// Where the edge saw the visitor, from the request's metadata (`request.cf`), never a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Location {
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
}

/// A change of contact details: who made it (an agent's email, or `visitor`) and what it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEdit {
    pub at: i64,
    pub by: String,
    pub name: Option<String>,
    pub email: Option<Email>,
}

/// `GET /api/v1/workspaces/{site}/visitors/{visitor_id}`: everything held about a visitor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VisitorProfile {
    pub visitor_id: Option<VisitorId>,
    pub name: Option<String>,
    pub email: Option<Email>,
    pub identity: Option<Identity>,
    pub first_seen: i64,
    pub last_seen: i64,
    pub device: Option<DeviceInfo>,
    pub context: Option<VisitorContext>,
    pub location: Option<Location>,
    /// Only if the workspace keeps addresses, and then truncated (IPv4 /24, IPv6 /48).
    pub ip: Option<String>,
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// Newest first.
    pub pages: Vec<PageView>,
    /// Oldest first, as decided.
    pub consents: Vec<ConsentRecord>,
    pub conversations: Vec<ConversationSummary>,
    pub contact_edits: Vec<ContactEdit>,
    /// Processing restricted (GDPR Art. 18): kept, but nothing new is captured.
    #[serde(default)]
    pub restricted: bool,
    /// Objected to analytics (Art. 21): no page activity, device or location, whatever the consent.
    #[serde(default)]
    pub objected: bool,
    /// Blocked by an agent: the chat is refused to this visitor (their privacy rights are not).
    #[serde(default)]
    pub blocked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_classes() {
        assert_eq!(ScreenClass::of_width(375), ScreenClass::Small);
        assert_eq!(ScreenClass::of_width(639), ScreenClass::Small);
        assert_eq!(ScreenClass::of_width(640), ScreenClass::Medium);
        assert_eq!(ScreenClass::of_width(1199), ScreenClass::Medium);
        assert_eq!(ScreenClass::of_width(1920), ScreenClass::Large);
    }

    #[test]
    fn browser_context_is_bounded_to_what_browsers_send() {
        let context = |language: &str, time_zone: &str| VisitorContext {
            language: language.into(),
            time_zone: time_zone.into(),
            screen: ScreenClass::Large,
        };
        for (language, time_zone) in [("de-DE", "Europe/Berlin"), ("en", "Etc/GMT+5"), ("", "")] {
            assert_eq!(context(language, time_zone).check(), Ok(()), "{language} {time_zone}");
        }
        let long_zone = "A".repeat(MAX_TIME_ZONE_CHARS + 1);
        for (language, time_zone) in [
            ("<img src=x onerror=alert(1)>", "UTC"),
            (&*"x".repeat(MAX_LANGUAGE_CHARS + 1), "UTC"),
            ("en", &*long_zone),
            ("en", "Europe/Berlin\u{202E}"),
            ("en", "Europe Berlin"),
        ] {
            assert!(context(language, time_zone).check().is_err(), "{language:?} {time_zone:?}");
        }
    }
}
