//! A workspace's settings and the operator request that creates one, with their validation.

use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
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
}

impl WorkspaceConfig {
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_domains.iter().any(|d| d.allows_origin(origin))
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
    pub role: String,
}

fn bounded(what: &'static str, s: &str, max: usize) -> EdgeResult<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max {
        return Err(EdgeError::MalformedBody(format!("{what} must be 1-{max} characters")));
    }
    Ok(s.to_owned())
}

impl CreateWorkspace {
    pub fn validate(&self) -> EdgeResult<WorkspaceConfig> {
        if self.owner.password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(EdgeError::MalformedBody(format!("the password needs at least {MIN_PASSWORD_CHARS} characters")));
        }
        bounded("the owner's name", &self.owner.name, MAX_NAME_CHARS)?;
        let allowed_domains = self.allowed_domains.iter().map(|d| AllowedDomain::parse(d)).collect::<Result<Vec<_>, _>>()?;
        Ok(WorkspaceConfig {
            name: bounded("the workspace name", &self.name, MAX_NAME_CHARS)?,
            greeting: bounded("the greeting", &self.greeting, MAX_GREETING_CHARS)?,
            allowed_domains,
        })
    }
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
            owner: NewAccount { email: Email::parse("a@b.co").unwrap(), name: "Dana".into(), password: password.into() },
        }
    }

    #[test]
    fn a_valid_request_gives_its_config() {
        let config = request("long enough", &["shop.example", "*.shop.example"]).validate().unwrap();
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
    }
}
