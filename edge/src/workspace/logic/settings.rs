//! The workspace's settings, its consent and audit logs, and its verified identities.

use super::{InboxPeer, Workspace, WorkspaceStore};
use crate::error::{EdgeError, EdgeResult};
use crate::settings::{validate_consent, WorkspaceConfig};
use crate::workspace::IdentityLink;
use shared::api::{AuditAction, AuditEntry, AuditFilter, AuditPage, IdentitySecret, WorkspaceSettings};
use shared::consent::{ConsentRecord, ConsentSettings};
use shared::VisitorId;

/// Most consent records one read returns (newest first).
pub const LOG_READ_LIMIT: usize = 50_000;
/// Audit entries per page.
pub const AUDIT_PAGE: usize = 500;
/// Entries one cheap source may write per window before the rest of its burst is summed up.
pub const AUDIT_BURST: u32 = 20;
pub const AUDIT_WINDOW_MS: i64 = 10 * 60 * 1000;

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// A new workspace: refused if the id is taken, by an open or a closed one.
    pub fn create_config(&mut self, config: WorkspaceConfig) -> EdgeResult<WorkspaceConfig> {
        if self.store.config()?.is_some() || self.store.closing_at()?.is_some() {
            return Err(EdgeError::Conflict("this workspace id is taken".into()));
        }
        self.store.put_config(&config)?;
        Ok(config)
    }

    pub fn replace_config(&mut self, config: WorkspaceConfig) -> EdgeResult<WorkspaceConfig> {
        self.store.put_config(&config)?;
        Ok(config)
    }

    /// New settings. A changed retention period is passed on to every visitor (by the alarm),
    /// and a shorter one applies now, not after the next alarm; changed business hours reach
    /// the visitors there now (`peers`: the open inboxes).
    pub fn update_settings(
        &mut self,
        settings: WorkspaceSettings,
        peers: &[InboxPeer],
    ) -> EdgeResult<WorkspaceSettings> {
        let before = self.config()?;
        let config = before.with_settings(settings)?;
        self.store.put_config(&config)?;
        if before.chat.retention_days != config.chat.retention_days {
            self.store.queue_retention_sync()?;
        }
        self.tell_visitors(peers)?;
        self.schedule()?;
        Ok(config.settings(&self.site_id()?))
    }

    pub fn update_consent_settings(&mut self, settings: ConsentSettings) -> EdgeResult<ConsentSettings> {
        let mut config = self.config()?;
        config.consent = validate_consent(settings, Some(&config.consent))?;
        self.store.put_config(&config)?;
        Ok(config.consent)
    }

    /// The site's consent log: every decision's proof, appended, never edited.
    pub fn log_consent(&mut self, record: &ConsentRecord, visitor: Option<&VisitorId>) -> EdgeResult<()> {
        self.store.append_consent(record)?;
        if let Some(visitor) = visitor {
            self.register_visitor(visitor)?;
        }
        Ok(())
    }

    pub fn consent_log(&self) -> EdgeResult<Vec<ConsentRecord>> {
        self.store.consent_log(LOG_READ_LIMIT)
    }

    /// The audit log: appended to, read, and nothing else. What strangers can cause cheaply
    /// (failed sign-ins on an account, refused identities) has a write budget per source: past
    /// it, one entry says so and the rest of the burst is not written, so a flood cannot push
    /// the log out of view.
    pub fn append_audit(&mut self, entry: &AuditEntry) -> EdgeResult<()> {
        if matches!(entry.action, AuditAction::SignInFailed | AuditAction::LockedOut | AuditAction::IdentityRefused) {
            let source = format!("{}:{}", serde_json::to_string(&entry.action)?, entry.actor);
            self.store.prune_audit_windows(self.now - AUDIT_WINDOW_MS)?;
            let mut window = self.store.audit_window(&source)?.unwrap_or_default();
            let allowed = window.hit(entry.at, AUDIT_BURST, AUDIT_WINDOW_MS);
            self.store.save_audit_window(&source, &window)?;
            if !allowed {
                if window.hits == AUDIT_BURST + 1 {
                    let detail = format!(
                        "more than {AUDIT_BURST} of these from this source in {} minutes: the rest of the burst is not logged",
                        AUDIT_WINDOW_MS / 60_000
                    );
                    self.store.append_audit(&AuditEntry { detail, ..entry.clone() })?;
                }
                return Ok(());
            }
        }
        self.store.append_audit(entry)
    }

    /// One page of the audit log, newest first (see [`AuditPage`]).
    pub fn audit_page(&self, before: Option<u64>, filter: AuditFilter) -> EdgeResult<AuditPage> {
        let rows = self.store.audit_page(before, filter, AUDIT_PAGE + 1)?;
        let next_before = (rows.len() > AUDIT_PAGE).then(|| rows[AUDIT_PAGE - 1].0);
        Ok(AuditPage { entries: rows.into_iter().take(AUDIT_PAGE).map(|(_, e)| e).collect(), next_before })
    }

    /// The key sites sign user ids with, made (by `fresh`) on first request.
    pub fn identity_secret(&mut self, fresh: impl FnOnce() -> EdgeResult<String>) -> EdgeResult<IdentitySecret> {
        let mut config = self.config()?;
        if config.chat.identity_secret.is_empty() {
            config.chat.identity_secret = fresh()?;
            self.store.put_config(&config)?;
        }
        Ok(IdentitySecret { secret: config.chat.identity_secret })
    }

    /// Replaces the identity secret (it may have leaked): from now on only hashes made with the
    /// new one verify, and verified visitor tokens issued before no longer vouch for their user.
    pub fn rotate_identity_secret(&mut self, fresh: impl FnOnce() -> EdgeResult<String>) -> EdgeResult<IdentitySecret> {
        let mut config = self.config()?;
        config.chat.identity_secret = fresh()?;
        config.chat.identity_rotated_at = Some(self.now);
        self.store.put_config(&config)?;
        Ok(IdentitySecret { secret: config.chat.identity_secret })
    }

    /// A verified user's visitor: the first claim links the user id to the claiming visitor (and
    /// conversation); later claims, from any browser, get that one.
    pub fn link_identity(&mut self, claim: IdentityLink) -> EdgeResult<IdentityLink> {
        self.register_visitor(&claim.visitor_id)?;
        if let Some(linked) = self.store.identity(&claim.user_id)? {
            return Ok(linked);
        }
        // An erased visitor's token is refused everywhere: a stale browser must not tie the
        // user id to an id that can never be used again.
        if self.erased(&claim.visitor_id)? {
            return Err(EdgeError::Unauthorized);
        }
        self.store.put_identity(&claim)?;
        Ok(claim)
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::{config, Memory};
    use super::*;
    use crate::auth::sha256_hex;
    use shared::api::AuditActor;
    use shared::ConversationId;

    fn visitor(n: u8) -> VisitorId {
        VisitorId::parse(&format!("v_{}", n.to_string().repeat(10))).unwrap()
    }

    fn claim(user: &str, n: u8) -> IdentityLink {
        let conversation_id = ConversationId::parse(&format!("c_{}", n.to_string().repeat(10))).unwrap();
        IdentityLink { user_id: user.into(), visitor_id: visitor(n), conversation_id }
    }

    #[test]
    fn a_workspace_is_created_once_and_unknown_before() {
        let mut store = Memory::default();
        let mut ws = Workspace::new(&mut store, "demo", 1, 1_000);
        assert!(matches!(ws.config(), Err(EdgeError::UnknownSite(site)) if site == "demo"));
        assert!(ws.update_settings(config().settings(&shared::SiteId::parse("demo").unwrap()), &[]).is_err());
        ws.create_config(config()).unwrap();
        let mut other = config();
        other.name = "Someone Else".into();
        assert!(matches!(ws.create_config(other.clone()), Err(EdgeError::Conflict(_))));
        assert_eq!(ws.config().unwrap().name, "Demo Shop", "sign-up never overwrites a workspace");
        ws.replace_config(other).unwrap();
        assert_eq!(ws.config().unwrap().name, "Someone Else", "the operator's route does");
    }

    #[test]
    fn the_consent_and_audit_logs_are_appended_and_read_newest_first() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 1, 1_000);
        for at in 1..=3 {
            let record = serde_json::json!({
                "at": at, "expires_at": 9, "visitor_hash": sha256_hex("demo:v"), "policy_version": 1,
                "choices": {"preferences": false, "analytics": true, "marketing": false},
                "method": "custom", "lang": "en", "gpc": false,
            });
            ws.log_consent(&serde_json::from_value(record).unwrap(), None).unwrap();
            let entry =
                AuditEntry { at, actor: "a@b.co".into(), action: AuditAction::SettingsChanged, detail: "".into() };
            ws.append_audit(&entry).unwrap();
        }
        assert_eq!(ws.consent_log().unwrap().iter().map(|r| r.at).collect::<Vec<_>>(), [3, 2, 1]);
        let page = ws.audit_page(None, AuditFilter::All).unwrap();
        assert_eq!(page.entries.iter().map(|e| e.at).collect::<Vec<_>>(), [3, 2, 1]);
        assert_eq!(page.next_before, None);
    }

    #[test]
    fn the_audit_log_pages_through_everything_and_filters_on_the_edge() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 0, 86_400_000);
        let total = AUDIT_PAGE * 2 + 3;
        for at in 0..total as i64 {
            let action = if at % 2 == 0 { AuditAction::SettingsChanged } else { AuditAction::DataExported };
            ws.append_audit(&AuditEntry { at, actor: "a@b.co".into(), action, detail: String::new() }).unwrap();
        }
        let (mut seen, mut before) = (vec![], None);
        loop {
            let page = ws.audit_page(before, AuditFilter::All).unwrap();
            seen.extend(page.entries.iter().map(|e| e.at));
            match page.next_before {
                Some(next) => before = Some(next),
                None => break,
            }
        }
        let all: Vec<i64> = (0..total as i64).rev().collect();
        assert_eq!(seen, all, "every entry once, newest first, none pushed out");
        let requests = ws.audit_page(None, AuditFilter::DataRequests).unwrap();
        assert!(requests.entries.iter().all(|e| e.action == AuditAction::DataExported));
        assert_eq!(requests.entries.len(), AUDIT_PAGE);
        let settings = ws.audit_page(None, AuditFilter::Action(AuditAction::SettingsChanged)).unwrap();
        assert!(settings.entries.iter().all(|e| e.action == AuditAction::SettingsChanged));
    }

    #[test]
    fn a_flood_of_cheap_entries_from_one_source_is_one_line_past_its_budget() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 1_000, 86_400_000);
        let failed = |at: i64, who: &str| AuditEntry {
            at,
            actor: AuditActor::Agent(shared::Email::parse(who).unwrap()),
            action: AuditAction::SignInFailed,
            detail: "Chrome on Windows".into(),
        };
        for i in 0..500 {
            ws.append_audit(&failed(1_000 + i, "ada@shop.example")).unwrap();
        }
        // Another account's failures and the team's own actions are not held back by it.
        ws.append_audit(&failed(2_000, "bob@shop.example")).unwrap();
        let settings =
            AuditEntry { at: 2_001, actor: "a@b.co".into(), action: AuditAction::SettingsChanged, detail: "".into() };
        ws.append_audit(&settings).unwrap();
        let entries = ws.audit_page(None, AuditFilter::All).unwrap().entries;
        assert_eq!(entries.len(), AUDIT_BURST as usize + 1 + 2, "the budget, one summary line, and the others");
        assert!(entries.iter().any(|e| e.detail.contains("the rest of the burst is not logged")));
        // The next window has a budget again.
        let mut later = Workspace::new(&mut store, "demo", 1_000 + AUDIT_WINDOW_MS, 86_400_000);
        later.append_audit(&failed(1_000 + AUDIT_WINDOW_MS, "ada@shop.example")).unwrap();
        assert_eq!(later.audit_page(None, AuditFilter::All).unwrap().entries.len(), AUDIT_BURST as usize + 4);
    }

    #[test]
    fn the_first_claim_links_a_user_and_later_claims_get_the_linked_visitor() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 1, 1_000);
        let first = ws.link_identity(claim("user-1", 1)).unwrap();
        assert_eq!(first.visitor_id, visitor(1));
        // The same user in another browser gets the first visitor and conversation.
        let later = ws.link_identity(claim("user-1", 2)).unwrap();
        assert_eq!((later.visitor_id, later.conversation_id), (visitor(1), claim("", 1).conversation_id));
        assert_eq!(ws.find_subjects("user-1").unwrap(), [visitor(1)]);
        // An erased visitor's stale token links nobody.
        store.erased_visitors.insert(sha256_hex(&format!("demo:{}", visitor(3))));
        let mut ws = Workspace::new(&mut store, "demo", 1, 1_000);
        assert!(matches!(ws.link_identity(claim("user-3", 3)), Err(EdgeError::Unauthorized)));
        assert!(ws.find_subjects("user-3").unwrap().is_empty());
        assert!(store.visitors.contains(visitor(2).as_str()) && !store.visitors.contains(visitor(3).as_str()));
    }

    #[test]
    fn rotating_the_identity_secret_replaces_it_and_records_when() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 7_000, 86_400_000);
        ws.identity_secret(|| Ok("old secret".into())).unwrap();
        assert_eq!(ws.rotate_identity_secret(|| Ok("new secret".into())).unwrap().secret, "new secret");
        let chat = ws.config().unwrap().chat;
        assert_eq!((chat.identity_secret.as_str(), chat.identity_rotated_at), ("new secret", Some(7_000)));
        assert_eq!(ws.identity_secret(|| panic!("not made again")).unwrap().secret, "new secret");
    }

    #[test]
    fn the_identity_secret_is_made_once() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 1, 1_000);
        assert_eq!(ws.identity_secret(|| Ok("s3cret".into())).unwrap().secret, "s3cret");
        let again = ws.identity_secret(|| panic!("the secret is made once")).unwrap();
        assert_eq!(again.secret, "s3cret");
    }

    #[test]
    fn consent_settings_are_validated_against_the_previous_ones() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 1, 1_000);
        let mut settings = ws.config().unwrap().consent;
        settings.policy_url = "https://shop.example/privacy".into();
        settings.lifetime_days = 100_000;
        assert!(ws.update_consent_settings(settings).is_err());
        let mut settings = ws.config().unwrap().consent;
        settings.policy_url = "https://shop.example/privacy".into();
        settings.lifetime_days = 30;
        assert_eq!(ws.update_consent_settings(settings).unwrap().lifetime_days, 30);
        assert_eq!(ws.config().unwrap().consent.lifetime_days, 30);
    }
}
