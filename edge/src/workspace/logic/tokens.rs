//! API tokens: how a site owner's own tools (helpdesk, CRM, scripts) reach the REST API
//! (`api_routes.rs`). An owner or admin makes one with the scopes it needs; it is shown once,
//! and only a hash of its secret is kept. Every request checks it here, in the workspace that
//! owns it, so a revocation or an expiry holds from the next request on.
//!
//! A token reads `pvx_SITE_ID_SECRET`: the site says which workspace to ask, the id which
//! token, the secret (160 random bits, hex) proves it. Site ids never contain `_`.

use super::{Workspace, WorkspaceStore};
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::api::{AuditAction, AuditActor, AuditEntry};
use shared::Email;

/// What a token may do.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    /// List and read conversations and their messages.
    #[serde(rename = "conversations:read")]
    ConversationsRead,
    /// Send messages as an agent or a named bot; set a conversation's status and assignee.
    #[serde(rename = "messages:write")]
    MessagesWrite,
    #[serde(rename = "contacts:read")]
    ContactsRead,
    /// Correct and erase contacts.
    #[serde(rename = "contacts:write")]
    ContactsWrite,
    #[serde(rename = "consent:read")]
    ConsentRead,
}

impl Scope {
    pub const ALL: [Scope; 5] =
        [Scope::ConversationsRead, Scope::MessagesWrite, Scope::ContactsRead, Scope::ContactsWrite, Scope::ConsentRead];

    /// The wire name (`conversations:read`).
    pub fn name(self) -> &'static str {
        match self {
            Scope::ConversationsRead => "conversations:read",
            Scope::MessagesWrite => "messages:write",
            Scope::ContactsRead => "contacts:read",
            Scope::ContactsWrite => "contacts:write",
            Scope::ConsentRead => "consent:read",
        }
    }

    pub fn from_name(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether using it changes something (the audit log records such use).
    pub fn writes(self) -> bool {
        matches!(self, Scope::MessagesWrite | Scope::ContactsWrite)
    }
}

/// A token as owners and admins see it (never its secret).
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: i64,
    pub created_by: Email,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub last_used_at: Option<i64>,
    #[serde(default)]
    pub revoked_at: Option<i64>,
}

/// What an owner or admin asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// When it stops working (ms since the epoch); `None`: until revoked.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// Tokens a workspace may have that still work (revoked and expired ones are kept for the
/// record and do not count).
pub const MAX_ACTIVE_TOKENS: usize = 25;
const MAX_NAME_CHARS: usize = 60;
/// `last_used_at` is written at most this often per token: a busy integration does not cost a
/// write per request.
pub const LAST_USED_EVERY_MS: i64 = 60_000;
/// How often the use of a write scope is written to the audit log per token.
pub const WRITE_AUDIT_EVERY_MS: i64 = 60 * 60_000;

/// The parts of a presented token, if it has the shape of one (`pvx_SITE_ID_SECRET`).
pub fn parse_token(token: &str) -> Option<(&str, &str, &str)> {
    let rest = token.strip_prefix("pvx_")?;
    let mut parts = rest.split('_');
    let (site, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    (parts.next().is_none() && !site.is_empty() && hex(id, 8) && hex(secret, 40)).then_some((site, id, secret))
}

/// A conversation as `token` may see it: the visitor's email only with `contacts:read` (the name
/// is what the inbox calls them; their contact details are another scope's).
pub fn token_view(mut summary: shared::ConversationSummary, token: &ApiToken) -> shared::ConversationSummary {
    if !token.scopes.contains(&Scope::ContactsRead) {
        summary.visitor_email = None;
    }
    summary
}

/// Compares two hashes in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The token an `Authorization` header carries (`Bearer pvx_…`; the scheme's case does not
/// matter, RFC 9110), split as [`parse_token`] splits it.
pub fn bearer_token(header: &str) -> Option<(&str, &str, &str)> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(())?;
    parse_token(token.trim())
}

impl ApiToken {
    /// Whether it works at `now`.
    pub fn active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }
}

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// A new token of `by` with id `id` whose secret hashes to `secret_hash` (both made by the
    /// caller from random bytes): validated, stored, and in the audit log.
    pub fn create_token(
        &mut self,
        by: &Email,
        ask: &TokenRequest,
        id: &str,
        secret_hash: &str,
    ) -> EdgeResult<ApiToken> {
        self.config()?;
        let name = ask.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(EdgeError::Invalid(format!("name the token (1 to {MAX_NAME_CHARS} characters)")));
        }
        let mut scopes = ask.scopes.clone();
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(EdgeError::Invalid("choose at least one scope".into()));
        }
        if ask.expires_at.is_some_and(|at| at <= self.now) {
            return Err(EdgeError::Invalid("the expiry date is in the past".into()));
        }
        let active = self.store.api_tokens()?.iter().filter(|(_, t)| t.active(self.now)).count();
        if active >= MAX_ACTIVE_TOKENS {
            return Err(EdgeError::Conflict(format!(
                "a workspace has at most {MAX_ACTIVE_TOKENS} tokens that work; revoke one first"
            )));
        }
        let token = ApiToken {
            id: id.to_owned(),
            name: name.to_owned(),
            scopes,
            created_at: self.now,
            created_by: by.clone(),
            expires_at: ask.expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        self.store.put_api_token(secret_hash, &token)?;
        let scopes: Vec<&str> = token.scopes.iter().map(|s| s.name()).collect();
        let expiry =
            token.expires_at.map_or(String::new(), |at| format!(", expires {}", crate::consent_export::iso8601(at)));
        self.audit_api(
            AuditActor::Agent(by.clone()),
            format!("Created API token \"{}\" ({}{expiry})", token.name, scopes.join(", ")),
        )?;
        Ok(token)
    }

    /// Every token, newest first.
    pub fn tokens(&self) -> EdgeResult<Vec<ApiToken>> {
        let mut tokens: Vec<ApiToken> = self.store.api_tokens()?.into_iter().map(|(_, t)| t).collect();
        tokens.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.id.cmp(&b.id)));
        Ok(tokens)
    }

    /// Revokes a token: it fails from the next request on. Revoking again changes nothing.
    pub fn revoke_token(&mut self, by: &Email, id: &str) -> EdgeResult<ApiToken> {
        let (hash, mut token) = self.store.api_token(id)?.ok_or(EdgeError::NotFound)?;
        if token.revoked_at.is_none() {
            token.revoked_at = Some(self.now);
            self.store.put_api_token(&hash, &token)?;
            self.audit_api(AuditActor::Agent(by.clone()), format!("Revoked API token \"{}\"", token.name))?;
        }
        Ok(token)
    }

    /// The token a request presents, if it is this workspace's, works now and has `scope`:
    /// `unauthorized` for an unknown, wrong, revoked or expired one, `forbidden` for a missing
    /// scope. Notes when it was used, and the use of a write scope in the audit log (both at
    /// most every so often, so a busy integration neither writes on every request nor floods
    /// the log).
    pub fn use_token(&mut self, id: &str, secret_hash: &str, scope: Scope) -> EdgeResult<ApiToken> {
        self.config()?;
        let (hash, mut token) = self.store.api_token(id)?.ok_or(EdgeError::Unauthorized)?;
        if !same(&hash, secret_hash) || !token.active(self.now) {
            return Err(EdgeError::Unauthorized);
        }
        if !token.scopes.contains(&scope) {
            return Err(EdgeError::Forbidden);
        }
        let last = token.last_used_at;
        if last.is_none_or(|at| self.now - at >= LAST_USED_EVERY_MS) {
            token.last_used_at = Some(self.now);
            self.store.put_api_token(&hash, &token)?;
        }
        if scope.writes() {
            let source = format!("api-write:{}", token.id);
            let mut window = self.store.audit_window(&source)?.unwrap_or_default();
            if window.hit(self.now, 1, WRITE_AUDIT_EVERY_MS) {
                self.store.save_audit_window(&source, &window)?;
                let detail = format!("API token \"{}\" used its {} scope", token.name, scope.name());
                self.audit_api(AuditActor::Other(format!("API token {}", token.id)), detail)?;
            }
        }
        Ok(token)
    }

    fn audit_api(&mut self, actor: AuditActor, detail: String) -> EdgeResult<()> {
        self.append_audit(&AuditEntry { at: self.now, actor, action: AuditAction::Api, detail })
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::Memory;
    use super::*;

    const NOW: i64 = 1_796_083_200_000;
    const HASH: &str = "5f1e0d0c4b3a29180706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100";

    fn owner() -> Email {
        Email::parse("olga@shop.example").unwrap()
    }

    fn ask(scopes: &[Scope]) -> TokenRequest {
        TokenRequest { name: " Helpdesk sync ".into(), scopes: scopes.to_vec(), expires_at: None }
    }

    fn store() -> Memory {
        Memory::open()
    }

    #[test]
    fn a_visitors_email_is_shown_only_to_tokens_that_may_read_contacts() {
        let id = shared::ConversationId::parse("cv_0123456789abcdef").unwrap();
        let mut summary = super::super::memory::summary(&id, "Visitor 4F2A", NOW);
        summary.visitor_email = Some(Email::parse("ana@example.com").unwrap());
        let token = |scopes: &[Scope]| ApiToken {
            id: "0a1b2c3d".into(),
            name: "t".into(),
            scopes: scopes.to_vec(),
            created_at: NOW,
            created_by: owner(),
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
        };
        assert_eq!(token_view(summary.clone(), &token(&[Scope::ConversationsRead])).visitor_email, None);
        let both = token_view(summary.clone(), &token(&[Scope::ConversationsRead, Scope::ContactsRead]));
        assert_eq!(both, summary);
    }

    #[test]
    fn scope_names_are_the_wire_names() {
        for scope in Scope::ALL {
            assert_eq!(serde_json::to_value(scope).unwrap(), serde_json::json!(scope.name()));
            assert_eq!(Scope::from_name(scope.name()), Some(scope));
        }
        assert!(serde_json::from_str::<Scope>("\"everything\"").is_err());
    }

    #[test]
    fn tokens_have_a_shape_the_router_checks_before_any_object_is_asked() {
        let secret = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(parse_token(&format!("pvx_shop-1_0a1b2c3d_{secret}")), Some(("shop-1", "0a1b2c3d", secret)));
        for bad in [
            format!("pvx_shop_0a1b2c3d_{secret}_x"),
            format!("pvx__0a1b2c3d_{secret}"),
            format!("pvx_shop_0A1B2C3D_{secret}"),
            format!("pvx_shop_0a1b2c3_{secret}"),
            format!("pvx_shop_0a1b2c3d_{}", &secret[1..]),
            format!("pat_shop_0a1b2c3d_{secret}"),
            String::new(),
        ] {
            assert_eq!(parse_token(&bad), None, "{bad}");
        }
    }

    #[test]
    fn the_authorization_header_carries_a_bearer_token_whatever_the_schemes_case() {
        let token = "pvx_shop_0a1b2c3d_0123456789abcdef0123456789abcdef01234567";
        for header in [format!("Bearer {token}"), format!("bearer  {token} "), format!("BEARER {token}")] {
            assert_eq!(bearer_token(&header).map(|(site, id, _)| (site, id)), Some(("shop", "0a1b2c3d")), "{header}");
        }
        for header in [format!("Basic {token}"), token.to_owned(), String::new(), "Bearer".into()] {
            assert_eq!(bearer_token(&header), None, "{header}");
        }
    }

    #[test]
    fn a_token_is_created_with_its_scopes_and_logged_and_never_keeps_its_secret() {
        let mut store = store();
        let mut ws = Workspace::new(&mut store, "demo", NOW, 86_400_000);
        let scopes = [Scope::MessagesWrite, Scope::ConversationsRead, Scope::MessagesWrite];
        let token = ws.create_token(&owner(), &ask(&scopes), "0a1b2c3d", HASH).unwrap();
        assert_eq!(token.name, "Helpdesk sync");
        assert_eq!(token.scopes, [Scope::ConversationsRead, Scope::MessagesWrite], "sorted, once each");
        assert_eq!(ws.tokens().unwrap(), [token.clone()]);
        let entry = store.audit.last().unwrap();
        assert_eq!(entry.action, AuditAction::Api);
        assert_eq!(entry.detail, "Created API token \"Helpdesk sync\" (conversations:read, messages:write)");
        assert_eq!(store.api_tokens["0a1b2c3d"].0, HASH, "only the hash is stored");
    }

    #[test]
    fn bad_token_requests_are_refused_with_what_is_wrong() {
        let mut store = store();
        let mut ws = Workspace::new(&mut store, "demo", NOW, 86_400_000);
        let refused =
            |ws: &mut Workspace<'_, Memory>, ask: TokenRequest| ws.create_token(&owner(), &ask, "0a1b2c3d", HASH);
        assert!(matches!(
            refused(&mut ws, TokenRequest { name: "  ".into(), ..ask(&[Scope::ConsentRead]) }),
            Err(EdgeError::Invalid(_))
        ));
        assert!(matches!(
            refused(&mut ws, TokenRequest { name: "x".repeat(61), ..ask(&[Scope::ConsentRead]) }),
            Err(EdgeError::Invalid(_))
        ));
        assert!(matches!(refused(&mut ws, ask(&[])), Err(EdgeError::Invalid(_))));
        let past = TokenRequest { expires_at: Some(NOW), ..ask(&[Scope::ConsentRead]) };
        assert!(matches!(refused(&mut ws, past), Err(EdgeError::Invalid(_))));
        for i in 0..MAX_ACTIVE_TOKENS {
            ws.create_token(&owner(), &ask(&[Scope::ConsentRead]), &format!("{i:08x}"), HASH).unwrap();
        }
        let over = ws.create_token(&owner(), &ask(&[Scope::ConsentRead]), "ffffffff", HASH);
        assert!(matches!(over, Err(EdgeError::Conflict(_))));
        ws.revoke_token(&owner(), "00000000").unwrap();
        assert!(
            ws.create_token(&owner(), &ask(&[Scope::ConsentRead]), "ffffffff", HASH).is_ok(),
            "a revoked one frees a place"
        );
    }

    #[test]
    fn a_request_needs_the_right_secret_a_working_token_and_the_scope() {
        let mut store = store();
        let expires_at = Some(NOW + 10_000);
        let mut ws = Workspace::new(&mut store, "demo", NOW, 86_400_000);
        ws.create_token(&owner(), &TokenRequest { expires_at, ..ask(&[Scope::ConversationsRead]) }, "0a1b2c3d", HASH)
            .unwrap();
        let wrong = HASH.replace('5', "6");
        assert!(matches!(ws.use_token("0a1b2c3d", &wrong, Scope::ConversationsRead), Err(EdgeError::Unauthorized)));
        assert!(matches!(ws.use_token("ffffffff", HASH, Scope::ConversationsRead), Err(EdgeError::Unauthorized)));
        assert!(matches!(ws.use_token("0a1b2c3d", HASH, Scope::MessagesWrite), Err(EdgeError::Forbidden)));
        assert_eq!(ws.use_token("0a1b2c3d", HASH, Scope::ConversationsRead).unwrap().last_used_at, Some(NOW));
        // Expired: refused from its expiry on.
        let mut ws = Workspace::new(&mut store, "demo", NOW + 10_000, 86_400_000);
        assert!(matches!(ws.use_token("0a1b2c3d", HASH, Scope::ConversationsRead), Err(EdgeError::Unauthorized)));
    }

    #[test]
    fn a_revoked_token_fails_at_once_and_revoking_twice_logs_once() {
        let mut store = store();
        let mut ws = Workspace::new(&mut store, "demo", NOW, 86_400_000);
        ws.create_token(&owner(), &ask(&[Scope::ConversationsRead]), "0a1b2c3d", HASH).unwrap();
        ws.use_token("0a1b2c3d", HASH, Scope::ConversationsRead).unwrap();
        let revoked = ws.revoke_token(&owner(), "0a1b2c3d").unwrap();
        assert_eq!(revoked.revoked_at, Some(NOW));
        assert!(matches!(ws.use_token("0a1b2c3d", HASH, Scope::ConversationsRead), Err(EdgeError::Unauthorized)));
        let mut ws = Workspace::new(&mut store, "demo", NOW + 5, 86_400_000);
        assert_eq!(ws.revoke_token(&owner(), "0a1b2c3d").unwrap().revoked_at, Some(NOW), "kept as it was");
        assert!(matches!(ws.revoke_token(&owner(), "ffffffff"), Err(EdgeError::NotFound)));
        let revocations = store.audit.iter().filter(|e| e.detail.starts_with("Revoked")).count();
        assert_eq!(revocations, 1);
    }

    #[test]
    fn busy_tokens_note_their_use_now_and_then_and_log_write_scopes_once_an_hour() {
        let mut store = store();
        let scopes = [Scope::ConversationsRead, Scope::MessagesWrite];
        Workspace::new(&mut store, "demo", NOW, 86_400_000)
            .create_token(&owner(), &ask(&scopes), "0a1b2c3d", HASH)
            .unwrap();
        let logged = |store: &Memory| store.audit.iter().filter(|e| e.detail.contains("used its")).count();
        for (i, at) in [NOW, NOW + 1_000, NOW + 59_999, NOW + 60_000].into_iter().enumerate() {
            let mut ws = Workspace::new(&mut store, "demo", at, 86_400_000);
            ws.use_token("0a1b2c3d", HASH, Scope::ConversationsRead).unwrap();
            let expected = if i < 3 { NOW } else { NOW + 60_000 };
            assert_eq!(store.api_tokens["0a1b2c3d"].1.last_used_at, Some(expected), "use {i}");
        }
        assert_eq!(logged(&store), 0, "reading is not logged");
        for at in [NOW, NOW + 1_000, NOW + WRITE_AUDIT_EVERY_MS - 1] {
            Workspace::new(&mut store, "demo", at, 86_400_000)
                .use_token("0a1b2c3d", HASH, Scope::MessagesWrite)
                .unwrap();
        }
        assert_eq!(logged(&store), 1);
        Workspace::new(&mut store, "demo", NOW + WRITE_AUDIT_EVERY_MS, 86_400_000)
            .use_token("0a1b2c3d", HASH, Scope::MessagesWrite)
            .unwrap();
        assert_eq!(logged(&store), 2);
        let entry = store.audit.last().unwrap();
        assert_eq!(entry.detail, "API token \"Helpdesk sync\" used its messages:write scope");
    }
}
