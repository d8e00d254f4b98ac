//! A workspace's settings and the operator request that creates one, with their validation.

use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::consent::ConsentSettings;
use shared::{AllowedDomain, Email, SiteId};

/// Longest workspace name and greeting, in characters.
pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_GREETING_CHARS: usize = 280;
/// Shortest agent password: NIST SP 800-63B's minimum for user-chosen secrets.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// What the workspace object keeps about its site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceConfig {
    pub name: String,
    pub greeting: String,
    pub allowed_domains: Vec<AllowedDomain>,
    /// Consent banner settings; workspaces created before consent existed get the defaults.
    #[serde(default = "no_policy_consent")]
    pub consent: ConsentSettings,
    /// Launcher, hours, pre-chat form, retention, saved replies (see `chat_settings`).
    #[serde(default)]
    pub chat: crate::chat_settings::ChatSettings,
}

fn no_policy_consent() -> ConsentSettings {
    crate::consent_defaults::default_consent("")
}

/// Longest consent lifetime a workspace may set, in days (two years).
pub const MAX_CONSENT_DAYS: u32 = 730;
/// Longest banner or description text, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

impl WorkspaceConfig {
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_domains.iter().any(|d| d.allows_origin(origin))
    }

    /// The one check that a page may embed `site`'s widget, with the one error for it.
    pub fn require_origin(&self, site: &SiteId, origin: &str) -> EdgeResult<()> {
        if self.allows_origin(origin) {
            Ok(())
        } else {
            // The origin is the client's to choose: echo only its start.
            let shown: String = origin.chars().take(100).collect();
            Err(EdgeError::OriginNotAllowed(format!("'{shown}' may not embed site {site}")))
        }
    }
}

/// `POST /api/v1/admin/workspaces` (operator only, `Authorization: Bearer ADMIN_TOKEN`): creates or
/// updates a workspace and its owner account. Used to seed the local demo; sign-up comes later.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateWorkspace {
    pub site: SiteId,
    pub name: String,
    pub greeting: String,
    pub allowed_domains: Vec<String>,
    /// The site's privacy policy, linked from the consent banner.
    pub policy_url: String,
    pub owner: NewAccount,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewAccount {
    pub email: Email,
    pub name: String,
    pub password: String,
}

/// A workspace an account belongs to, as the account object keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub site: SiteId,
    pub name: String,
    pub role: shared::api::Role,
}

pub fn bounded(what: &'static str, s: &str, max: usize) -> EdgeResult<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max {
        return Err(EdgeError::Invalid(format!("{what} must be 1-{max} characters")));
    }
    if shared::domain::has_bidi_override(s) {
        return Err(EdgeError::Invalid(format!("{what} holds invisible direction overrides")));
    }
    Ok(s.to_owned())
}

impl CreateWorkspace {
    pub fn validate(&self) -> EdgeResult<WorkspaceConfig> {
        if self.owner.password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(EdgeError::Invalid(format!("the password needs at least {MIN_PASSWORD_CHARS} characters")));
        }
        bounded("the owner's name", &self.owner.name, MAX_NAME_CHARS)?;
        let allowed_domains =
            self.allowed_domains.iter().map(|d| AllowedDomain::parse(d)).collect::<Result<Vec<_>, _>>()?;
        Ok(WorkspaceConfig {
            name: bounded("the workspace name", &self.name, MAX_NAME_CHARS)?,
            greeting: bounded("the greeting", &self.greeting, MAX_GREETING_CHARS)?,
            allowed_domains,
            consent: validate_consent(crate::consent_defaults::default_consent(&self.policy_url), None)?,
            chat: Default::default(),
        })
    }
}

/// Checks consent settings a site owner sends. The policy version may only go up (going back
/// would make old decisions count again).
pub fn validate_consent(new: ConsentSettings, old: Option<&ConsentSettings>) -> EdgeResult<ConsentSettings> {
    let url = new.policy_url.trim();
    let is_url = (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(char::is_whitespace);
    if !is_url || url.len() > 500 {
        return Err(EdgeError::Invalid("the privacy policy must be a link (https://…)".into()));
    }
    if !(1..=MAX_CONSENT_DAYS).contains(&new.lifetime_days) {
        return Err(EdgeError::Invalid(format!("the consent lifetime must be 1-{MAX_CONSENT_DAYS} days")));
    }
    if new.policy_version == 0 || old.is_some_and(|o| new.policy_version < o.policy_version) {
        return Err(EdgeError::Invalid("the policy version can only go up".into()));
    }
    let mut categories = new.categories.clone();
    categories.sort();
    categories.dedup();
    if categories.len() != new.categories.len() {
        return Err(EdgeError::Invalid("each consent category may be listed once".into()));
    }
    if new.texts.is_empty() {
        return Err(EdgeError::Invalid("the banner needs a text in at least one language".into()));
    }
    for text in new.texts.values() {
        bounded("the banner title", &text.title, MAX_NAME_CHARS)?;
        bounded("the banner text", &text.text, MAX_TEXT_CHARS)?;
        for c in text.all() {
            bounded("a category name", &c.name, MAX_NAME_CHARS)?;
            bounded("a category description", &c.description, MAX_TEXT_CHARS)?;
        }
    }
    Ok(ConsentSettings { policy_url: url.to_owned(), ..new })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(password: &str, domains: &[&str]) -> CreateWorkspace {
        CreateWorkspace {
            site: SiteId::parse("demo").unwrap(),
            name: "Demo Shop".into(),
            greeting: "Hi!".into(),
            allowed_domains: domains.iter().map(|d| d.to_string()).collect(),
            policy_url: "https://shop.example/privacy".into(),
            owner: NewAccount {
                email: Email::parse("a@b.co").unwrap(),
                name: "Dana".into(),
                password: password.into(),
            },
        }
    }

    #[test]
    fn names_and_titles_refuse_direction_overrides() {
        assert!(bounded("your name", "\u{202E}nimda", MAX_NAME_CHARS).is_err());
        assert!(bounded("the workspace name", "Shop \u{2067}x", MAX_NAME_CHARS).is_err());
        assert_eq!(bounded("your name", " متجر ", MAX_NAME_CHARS).unwrap(), "متجر");
    }

    #[test]
    fn a_valid_request_gives_its_config() {
        let config = request("long enough", &["shop.example", "*.shop.example"]).validate().unwrap();
        let site = SiteId::parse("demo").unwrap();
        assert!(config.require_origin(&site, "https://shop.example").is_ok());
        assert!(matches!(config.require_origin(&site, "https://evil.example"), Err(EdgeError::OriginNotAllowed(_))));
        let long = format!("https://{}.example", "e".repeat(60_000));
        let refused = config.require_origin(&site, &long).unwrap_err().to_string();
        assert!(refused.len() < 200, "a refusal does not echo a huge origin back");
        assert!(config.allows_origin("https://shop.example"));
        assert!(config.allows_origin("https://www.shop.example"));
        assert!(!config.allows_origin("https://evil.example"));
    }

    #[test]
    fn bad_requests_are_refused() {
        assert!(request("short", &["shop.example"]).validate().is_err());
        assert!(request("long enough", &["not a domain"]).validate().is_err());
        let mut r = request("long enough", &[]);
        r.name = "  ".into();
        assert!(r.validate().is_err());
        let mut r = request("long enough", &[]);
        r.policy_url = "javascript:alert(1)".into();
        assert!(r.validate().is_err());
    }

    #[test]
    fn consent_settings_are_checked() {
        let base = crate::consent_defaults::default_consent("https://shop.example/privacy");
        assert!(validate_consent(base.clone(), None).is_ok());
        let bumped = ConsentSettings { policy_version: 2, ..base.clone() };
        assert!(validate_consent(bumped.clone(), Some(&base)).is_ok());
        assert!(validate_consent(base.clone(), Some(&bumped)).is_err(), "versions never go back");
        assert!(validate_consent(ConsentSettings { lifetime_days: 0, ..base.clone() }, None).is_err());
        assert!(validate_consent(ConsentSettings { lifetime_days: 731, ..base.clone() }, None).is_err());
        let mut blank = base.clone();
        blank.texts.values_mut().for_each(|t| t.text = " ".into());
        assert!(validate_consent(blank, None).is_err());
        let mut missing = base.clone();
        missing.texts.values_mut().for_each(|t| t.marketing.description.clear());
        assert!(validate_consent(missing, None).is_err(), "every category needs a description");
        let repeated = ConsentSettings { categories: vec![shared::consent::Category::Analytics; 3], ..base };
        assert!(validate_consent(repeated, None).is_err(), "a category listed once");
    }
}
