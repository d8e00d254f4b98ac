//! What a workspace decides, over the storage it keeps ([`WorkspaceStore`]: SQLite in the object,
//! memory in tests). Every decision runs on a [`Workspace`] at a given time and leaves behind the
//! [`Effect`]s the glue carries out (sockets, alarm, wiping storage) once it succeeded; calls to
//! the site's other objects are [`Call`]s the alarm hands to the glue one by one.
//!
//! The features are in the children: `index` (inbox summaries, search), `privacy` (directory,
//! erasure), `alarm` (retention, closing, purge), `members` (team and invites), `inbox` (the
//! agents' sockets and presence).

mod alarm;
mod inbox;
mod index;
mod members;
#[cfg(test)]
mod memory;
mod privacy;

pub use alarm::ALARM_RETRY_MS;
pub use inbox::{anyone_available, InboxPeer};

use super::IdentityLink;
use crate::conversation::logic::Indexed;
use crate::error::{EdgeError, EdgeResult};
use crate::settings::{validate_consent, WorkspaceConfig};
use crate::team::InviteRecord;
use shared::api::{AuditEntry, IdentitySecret, Member, WorkspaceSettings};
use shared::consent::{ConsentRecord, ConsentSettings};
use shared::{ConversationId, ConversationSummary, Email, ServerMsg, VisitorId};

/// Most consent records or audit entries one read returns (newest first).
pub const LOG_READ_LIMIT: usize = 50_000;

/// A message of the search index that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHit {
    pub conversation_id: ConversationId,
    pub body: String,
    pub at: i64,
}

/// What the workspace keeps. Patterns are SQL `LIKE` patterns escaped with `\`, matched without
/// regard to ASCII case.
pub trait WorkspaceStore {
    fn config(&self) -> EdgeResult<Option<WorkspaceConfig>>;
    fn put_config(&mut self, config: &WorkspaceConfig) -> EdgeResult<()>;
    /// When a closed workspace will be deleted; `None` while it is open.
    fn closing_at(&self) -> EdgeResult<Option<i64>>;
    fn set_closing_at(&mut self, deleted_at: i64) -> EdgeResult<()>;

    fn append_consent(&mut self, record: &ConsentRecord) -> EdgeResult<()>;
    /// Newest first.
    fn consent_log(&self, limit: usize) -> EdgeResult<Vec<ConsentRecord>>;
    fn drop_consents(&mut self, visitor_hash: &str) -> EdgeResult<()>;
    fn append_audit(&mut self, entry: &AuditEntry) -> EdgeResult<()>;
    /// Newest first.
    fn audit_log(&self, limit: usize) -> EdgeResult<Vec<AuditEntry>>;

    fn identity(&self, user_id: &str) -> EdgeResult<Option<IdentityLink>>;
    fn put_identity(&mut self, link: &IdentityLink) -> EdgeResult<()>;
    fn drop_identities_of(&mut self, visitor: &VisitorId) -> EdgeResult<()>;

    fn summary(&self, id: &ConversationId) -> EdgeResult<Option<ConversationSummary>>;
    /// The most recently active first.
    fn recent(&self, limit: usize) -> EdgeResult<Vec<ConversationSummary>>;
    /// Writes a summary; a conversation already indexed keeps the visitor it was recorded with.
    fn put_summary(&mut self, summary: &ConversationSummary, visitor: Option<&VisitorId>) -> EdgeResult<()>;
    /// Adds a message to the search index; one already there stays as it is.
    fn index_message(&mut self, id: &ConversationId, message: &Indexed) -> EdgeResult<()>;
    /// Drops a conversation's summary and its messages from the search index.
    fn drop_conversation(&mut self, id: &ConversationId) -> EdgeResult<()>;
    fn conversations_of(&self, visitor: &VisitorId) -> EdgeResult<Vec<ConversationId>>;
    /// Summaries whose visitor name or email match, the most recently active first.
    fn summaries_matching(&self, pattern: &str, limit: usize) -> EdgeResult<Vec<ConversationSummary>>;
    /// Indexed messages whose body matches, newest first.
    fn messages_matching(&self, pattern: &str, limit: usize) -> EdgeResult<Vec<MessageHit>>;
    /// The last activity of the least recently active conversation.
    fn oldest_activity(&self) -> EdgeResult<Option<i64>>;
    /// Conversations last active before `at`, the least recently active first.
    fn inactive_before(&self, at: i64, limit: usize) -> EdgeResult<Vec<ConversationId>>;
    fn some_conversations(&self, limit: usize) -> EdgeResult<Vec<ConversationId>>;

    fn conversation_erased(&self, id: &ConversationId) -> EdgeResult<bool>;
    fn tombstone_conversation(&mut self, id: &ConversationId) -> EdgeResult<()>;
    fn visitor_erased(&self, visitor_hash: &str) -> EdgeResult<bool>;
    fn tombstone_visitor(&mut self, visitor_hash: &str) -> EdgeResult<()>;

    /// Every visitor object of the site, so closing the workspace can delete them all.
    fn register_visitor(&mut self, visitor: &VisitorId) -> EdgeResult<()>;
    /// Forgets a visitor object (and its pending retention sync).
    fn drop_visitor(&mut self, visitor: &VisitorId) -> EdgeResult<()>;
    fn some_visitors(&self, limit: usize) -> EdgeResult<Vec<VisitorId>>;
    fn set_email(&mut self, visitor: &VisitorId, email: Option<&Email>) -> EdgeResult<()>;
    fn visitors_by_email(&self, email: &Email) -> EdgeResult<Vec<VisitorId>>;
    /// Queues every registered visitor to be told the retention period.
    fn queue_retention_sync(&mut self) -> EdgeResult<()>;
    fn retention_sync_due(&self, limit: usize) -> EdgeResult<Vec<VisitorId>>;
    fn retention_synced(&mut self, visitor: &VisitorId) -> EdgeResult<()>;

    /// Oldest member first.
    fn members(&self) -> EdgeResult<Vec<Member>>;
    fn member(&self, email: &Email) -> EdgeResult<Option<Member>>;
    fn put_member(&mut self, member: &Member) -> EdgeResult<()>;
    fn drop_member(&mut self, email: &Email) -> EdgeResult<()>;
    fn invite(&self, token_hash: &str) -> EdgeResult<Option<InviteRecord>>;
    fn add_invite(&mut self, token_hash: &str, invite: &InviteRecord, created_at: i64) -> EdgeResult<()>;
    fn update_invite(&mut self, token_hash: &str, invite: &InviteRecord) -> EdgeResult<()>;
    fn drop_invites_created_before(&mut self, at: i64) -> EdgeResult<()>;
    fn open_invites(&self) -> EdgeResult<usize>;
}

/// What the glue does after a decision, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Answer on the inbox socket the frame came from.
    Reply(ServerMsg),
    /// Send to every greeted inbox socket.
    Broadcast(ServerMsg),
    /// Close the inbox sockets of `email` (all of them when `None`).
    Close {
        email: Option<Email>,
        code: u16,
        reason: &'static str,
    },
    /// Set the alarm at this instant (ms since the epoch).
    SetAlarm(i64),
    DeleteAlarm,
    /// Delete everything stored and start again with empty tables.
    DeleteAll,
    /// Something failed that no caller will hear of: it goes to the log.
    Log(String),
}

/// A call to another object of the site, carried out by the glue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// Delete a conversation; with `tombstone` its id stays refused (closing), without it
    /// (retention) the id may start afresh.
    EraseConversation { id: ConversationId, tombstone: bool },
    /// Delete a visitor, leaving a tombstone (closing).
    EraseVisitor(VisitorId),
    /// Tell a visitor the retention period (ms; `None`: kept until deleted), so their page
    /// activity follows it.
    TellRetention { visitor: VisitorId, period_ms: Option<i64> },
}

/// One workspace at one moment: the decisions, over its store.
pub struct Workspace<'a, S: WorkspaceStore> {
    store: &'a mut S,
    /// The site's id, as the object is named.
    site: &'a str,
    now: i64,
    /// A day in ms (the end-to-end tests shorten it to see deletions happen).
    day_ms: i64,
    /// What to do once the decision succeeded.
    pub effects: Vec<Effect>,
}

impl<'a, S: WorkspaceStore> Workspace<'a, S> {
    pub fn new(store: &'a mut S, site: &'a str, now: i64, day_ms: i64) -> Self {
        Self { store, site, now, day_ms, effects: vec![] }
    }

    fn site_id(&self) -> EdgeResult<shared::SiteId> {
        Ok(shared::SiteId::parse(self.site)?)
    }

    /// The config of an open workspace. A closed one answers as unknown to everyone until it is
    /// deleted.
    pub fn config(&self) -> EdgeResult<WorkspaceConfig> {
        if self.store.closing_at()?.is_some() {
            return Err(EdgeError::UnknownSite(self.site.to_owned()));
        }
        self.store.config()?.ok_or_else(|| EdgeError::UnknownSite(self.site.to_owned()))
    }

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
    /// and a shorter one applies now, not after the next alarm.
    pub fn update_settings(&mut self, settings: WorkspaceSettings) -> EdgeResult<WorkspaceSettings> {
        let before = self.config()?;
        let config = before.with_settings(settings)?;
        self.store.put_config(&config)?;
        if before.chat.retention_days != config.chat.retention_days {
            self.store.queue_retention_sync()?;
        }
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

    /// The audit log: appended to, read, and nothing else.
    pub fn append_audit(&mut self, entry: &AuditEntry) -> EdgeResult<()> {
        self.store.append_audit(entry)
    }

    pub fn audit_log(&self) -> EdgeResult<Vec<AuditEntry>> {
        self.store.audit_log(LOG_READ_LIMIT)
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

    /// A verified user's visitor: the first claim links the user id to the claiming visitor (and
    /// conversation); later claims, from any browser, get that one.
    pub fn link_identity(&mut self, claim: IdentityLink) -> EdgeResult<IdentityLink> {
        self.register_visitor(&claim.visitor_id)?;
        if let Some(linked) = self.store.identity(&claim.user_id)? {
            return Ok(linked);
        }
        self.store.put_identity(&claim)?;
        Ok(claim)
    }
}
