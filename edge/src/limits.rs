//! How much each visitor-facing route may be used: per visitor token, per address and per site,
//! each counted in its own rate-limiter object, by arrival time. A visitor who stays under their
//! budget is never refused for someone else's flood except by the site-wide ceiling, which is
//! far above what a real site's visitors make; the address budget catches a client that throws
//! its token away to start afresh.

use crate::error::{EdgeError, EdgeResult};

/// What a route does, for its budgets and its limiter keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// `visitor-session`: a new chat (possibly a new conversation).
    ChatSession,
    /// A consent decision recorded.
    Consent,
    /// `identify`.
    Identify,
    /// A page view.
    PageView,
    /// `setAttributes`.
    Attributes,
    /// A conversation socket opened (each socket has its own frame budget, so opening them is
    /// limited too).
    Connect,
    /// A file uploaded to a conversation (by a visitor, or an agent: per address then).
    Upload,
}

/// Hits allowed per window, for each kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub per_visitor: u32,
    pub per_ip: u32,
    pub per_site: u32,
    pub window_ms: i64,
}

const MINUTE: i64 = 60_000;

impl Limited {
    pub fn name(self) -> &'static str {
        match self {
            Limited::ChatSession => "chat-session",
            Limited::Consent => "consent",
            Limited::Identify => "identify",
            Limited::PageView => "pageview",
            Limited::Attributes => "attributes",
            Limited::Connect => "connect",
            Limited::Upload => "upload",
        }
    }

    /// Per ten minutes. A person opens a few chats, decides once or twice, is identified on each
    /// page load and browses a page every few seconds at most; an address may be shared by an
    /// office, so it gets several visitors' worth.
    pub fn budget(self) -> Budget {
        let (per_visitor, per_ip, per_site) = match self {
            Limited::ChatSession => (60, 600, 60_000),
            Limited::Consent => (30, 300, 30_000),
            Limited::Identify => (120, 1_200, 120_000),
            Limited::PageView => (300, 3_000, 300_000),
            Limited::Attributes => (120, 1_200, 120_000),
            Limited::Connect => (120, 1_200, 120_000),
            // Files are megabytes: a screenshot or a few documents, not hundreds.
            Limited::Upload => (20, 200, 20_000),
        };
        Budget { per_visitor, per_ip, per_site, window_ms: 10 * MINUTE }
    }

    /// The limiter keys and budgets for one request: the visitor's (by the reference their
    /// consent records carry, never their id), the address's and the site's.
    pub fn keys(self, site: &str, visitor_ref: Option<&str>, ip: Option<&str>) -> Vec<(String, u32)> {
        let b = self.budget();
        let name = self.name();
        let mut keys = vec![(format!("{name}:site:{site}"), b.per_site)];
        if let Some(ip) = ip {
            keys.push((format!("{name}:ip:{site}:{ip}"), b.per_ip));
        }
        if let Some(v) = visitor_ref {
            keys.push((format!("{name}:visitor:{site}:{v}"), b.per_visitor));
        }
        keys
    }
}

/// Refuses a request body whose announced `Content-Length` is over `max` bytes, before it is read.
pub fn announced_body(content_length: Option<&str>, max: usize) -> EdgeResult<()> {
    match content_length.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(len) if len > max as u64 => Err(EdgeError::MalformedBody(format!("the body is over {max} bytes"))),
        _ => Ok(()),
    }
}

/// The answer to a request whose keys were counted: refused if any key is over its budget, with
/// the longest wait among them.
pub fn verdict(refusals: impl IntoIterator<Item = Option<i64>>) -> EdgeResult<()> {
    match refusals.into_iter().flatten().max() {
        Some(retry_after_s) => Err(EdgeError::RateLimited { retry_after_s }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_counts_against_its_site_address_and_visitor() {
        let keys = Limited::PageView.keys("demo", Some("ab12"), Some("203.0.113.0"));
        let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["pageview:site:demo", "pageview:ip:demo:203.0.113.0", "pageview:visitor:demo:ab12"]);
        // A new visitor (no token yet) and an unknown address still count against the site.
        assert_eq!(Limited::ChatSession.keys("demo", None, None).len(), 1);
    }

    #[test]
    fn budgets_grow_from_a_visitor_to_an_address_to_a_site() {
        let kinds = [
            Limited::ChatSession,
            Limited::Consent,
            Limited::Identify,
            Limited::PageView,
            Limited::Attributes,
            Limited::Connect,
            Limited::Upload,
        ];
        for kind in kinds {
            let b = kind.budget();
            assert!(b.per_visitor < b.per_ip && b.per_ip < b.per_site, "{kind:?}");
        }
    }

    #[test]
    fn a_body_announced_too_large_is_refused_before_it_is_read() {
        assert!(announced_body(Some("65536"), 65_536).is_ok());
        assert!(matches!(announced_body(Some("65537"), 65_536), Err(EdgeError::MalformedBody(_))));
        assert!(announced_body(Some("52428800"), 65_536).is_err(), "50 MB announced");
        // Nothing (or nonsense) announced: the body is measured when it is read.
        assert!(announced_body(None, 65_536).is_ok());
        assert!(announced_body(Some("lots"), 65_536).is_ok());
    }

    #[test]
    fn the_longest_wait_is_the_answer() {
        assert!(verdict([None, None]).is_ok());
        assert!(matches!(verdict([None, Some(3), Some(40)]), Err(EdgeError::RateLimited { retry_after_s: 40 })));
    }
}
