//! What a workspace decides, over the storage it keeps ([`WorkspaceStore`]: SQLite in the object,
//! memory in tests). Every decision runs on a [`Workspace`] at a given time and leaves behind the
//! [`Effect`]s the glue carries out (sockets, alarm, wiping storage) once it succeeded; calls to
//! the site's other objects are [`Call`]s the alarm hands to the glue one by one.
//!
//! The features are in the children: `settings` (config, consent and audit logs, identities),
//! `index` (inbox summaries, search), `privacy` (directory, erasure), `alarm` (retention,
//! closing, purge), `members` (team and invites), `inbox` (the agents' sockets and presence).

mod access;
mod alarm;
mod inbox;
mod index;
pub mod listing;
mod live;
mod members;
#[cfg(test)]
mod memory;
pub mod notify;
mod privacy;
mod settings;
pub mod tokens;
pub mod usage;

pub use inbox::{anyone_available, InboxPeer};
pub use live::{Newest, Told};

use super::IdentityLink;
use crate::conversation::logic::Indexed;
use crate::error::{EdgeError, EdgeResult};
use crate::settings::WorkspaceConfig;
use crate::team::InviteRecord;
use shared::api::{AuditEntry, AuditFilter, Member};
use shared::consent::ConsentRecord;
use shared::{ConversationId, ConversationSummary, Email, ServerMsg, VisitorId};

/// A message of the search index that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHit {
    pub conversation_id: ConversationId,
    pub body: String,
    pub at: i64,
}

/// What the index holds of one conversation, read in one go for each conversation of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexEntry {
    /// Erased: nothing about it is recorded any more.
    pub erased: bool,
    /// The revision of its stored summary; `None` when it is not listed yet.
    pub rev: Option<u64>,
    /// The visitor its summary was first stored with.
    pub visitor: Option<String>,
}

/// What the workspace keeps. Patterns are SQL `LIKE` patterns escaped with `\`, matched without
/// regard to ASCII case.
pub trait WorkspaceStore {
    fn config(&self) -> EdgeResult<Option<WorkspaceConfig>>;
    /// Writes the config and forgets the [`Scheduled`] state, which the config decides.
    fn put_config(&mut self, config: &WorkspaceConfig) -> EdgeResult<()>;
    /// What the last scheduling decided, if nothing has changed it since.
    fn scheduled(&self) -> EdgeResult<Option<Scheduled>>;
    fn set_scheduled(&mut self, scheduled: &Scheduled) -> EdgeResult<()>;
    /// When a closed workspace will be deleted; `None` while it is open.
    fn closing_at(&self) -> EdgeResult<Option<i64>>;
    fn set_closing_at(&mut self, deleted_at: i64) -> EdgeResult<()>;

    fn append_consent(&mut self, record: &ConsentRecord) -> EdgeResult<()>;
    /// Newest first.
    fn consent_log(&self, limit: usize) -> EdgeResult<Vec<ConsentRecord>>;
    fn drop_consents(&mut self, visitor_hash: &str) -> EdgeResult<()>;
    fn append_audit(&mut self, entry: &AuditEntry) -> EdgeResult<()>;
    /// Up to `limit` entries `filter` admits with an id below `before` (all for `None`), newest
    /// first, each with its id.
    fn audit_page(&self, before: Option<u64>, filter: AuditFilter, limit: usize) -> EdgeResult<Vec<(u64, AuditEntry)>>;
    /// The write budget of one audit source (see `settings::append_audit`).
    fn audit_window(&self, source: &str) -> EdgeResult<Option<crate::lockout::Window>>;
    fn save_audit_window(&mut self, source: &str, window: &crate::lockout::Window) -> EdgeResult<()>;
    /// Forgets budgets whose window began before `before`.
    fn prune_audit_windows(&mut self, before: i64) -> EdgeResult<()>;

    fn identity(&self, user_id: &str) -> EdgeResult<Option<IdentityLink>>;
    fn put_identity(&mut self, link: &IdentityLink) -> EdgeResult<()>;
    fn drop_identities_of(&mut self, visitor: &VisitorId) -> EdgeResult<()>;

    fn summary(&self, id: &ConversationId) -> EdgeResult<Option<ConversationSummary>>;
    fn index_entry(&self, id: &ConversationId) -> EdgeResult<IndexEntry>;
    /// The most recently active first.
    fn recent(&self, limit: usize) -> EdgeResult<Vec<ConversationSummary>>;
    /// Writes summaries changed at `at` (each conversation at most once); a conversation already
    /// indexed keeps the visitor it was recorded with. A feed's batch writes all of its summaries
    /// at once: a few statements a batch rather than one a message.
    fn put_summaries(&mut self, summaries: &[(&ConversationSummary, Option<&VisitorId>)], at: i64) -> EdgeResult<()>;
    /// Adds messages to the search index; one already there stays as it is.
    fn index_messages(&mut self, messages: &[(&ConversationId, &Indexed)]) -> EdgeResult<()>;
    /// Keeps only the conversation's `keep` newest indexed messages.
    fn trim_index(&mut self, id: &ConversationId, keep: usize) -> EdgeResult<()>;
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

    /// Records that `session` of `email` has a socket open on `conversation` (again is fine).
    fn add_agent_socket(
        &mut self,
        conversation: &ConversationId,
        email: &Email,
        session: &str,
        at: i64,
    ) -> EdgeResult<()>;
    /// The conversations where `email` (anyone for `None`) has a socket open by one of
    /// `sessions` (any for `None`).
    fn agent_sockets(&self, email: Option<&Email>, sessions: Option<&[String]>) -> EdgeResult<Vec<ConversationId>>;
    fn drop_agent_sockets(&mut self, email: Option<&Email>, sessions: Option<&[String]>) -> EdgeResult<()>;
    /// Forgets registrations older than `at` (their sessions have expired since).
    fn prune_agent_sockets(&mut self, before: i64) -> EdgeResult<()>;
    /// Remembers an ended session until `before` passes it in [`prune_ended_sessions`].
    fn end_session(&mut self, session: &str, at: i64) -> EdgeResult<()>;
    fn session_ended(&self, session: &str) -> EdgeResult<bool>;
    fn prune_ended_sessions(&mut self, before: i64) -> EdgeResult<()>;

    /// Members' notification preferences (members only; one without a row has the default).
    fn notify_members(&self) -> EdgeResult<Vec<notify::MemberNotify>>;
    /// Writes a member's preferences, keeping when they were last mailed.
    fn put_notify(&mut self, email: &Email, prefs: crate::workspace::MemberPrefs) -> EdgeResult<()>;
    fn set_digested(&mut self, email: &Email, at: i64) -> EdgeResult<()>;
    /// Records that a conversation's visitor waits (keeping `since` if it already did); `true`
    /// when it did not.
    fn note_waiting(&mut self, waiting: &notify::Waiting) -> EdgeResult<bool>;
    fn clear_waiting(&mut self, id: &ConversationId) -> EdgeResult<()>;
    /// Waiting conversations, the longest waiting first.
    fn waiting(&self, limit: usize) -> EdgeResult<Vec<notify::Waiting>>;

    /// Conversations with a visitor's socket open (`live`), or no longer.
    fn set_live(&mut self, id: &ConversationId, live: bool) -> EdgeResult<()>;
    fn live(&self) -> EdgeResult<Vec<ConversationId>>;
    /// Whether the workspace was available when visitors were last told (`None`: never told).
    fn told_available(&self) -> EdgeResult<Option<Told>>;
    fn set_told_available(&mut self, told: Told) -> EdgeResult<()>;

    /// A month's usage (`YYYY-MM`; zero if nothing was counted).
    fn usage(&self, month: &str) -> EdgeResult<usage::Usage>;
    /// Adds `delta` to a month's usage.
    fn add_usage(&mut self, month: &str, delta: &usage::Usage) -> EdgeResult<()>;
    /// The notice agents see while new chats are refused in `month` (see `logic::usage`).
    fn refusal_notice(&self, month: &str) -> EdgeResult<Option<String>>;
    /// Sets or (`None`) ends it; the month's usage row exists already.
    fn set_refusal_notice(&mut self, month: &str, notice: Option<&str>) -> EdgeResult<()>;

    /// Up to `n` conversations `q` asks for, in id order (see `logic::listing`).
    fn conversation_page(&self, q: &listing::ConversationQuery, n: usize) -> EdgeResult<Vec<ConversationSummary>>;

    /// Every API token with the hash of its secret.
    fn api_tokens(&self) -> EdgeResult<Vec<(String, tokens::ApiToken)>>;
    fn api_token(&self, id: &str) -> EdgeResult<Option<(String, tokens::ApiToken)>>;
    /// Writes a token (new or changed) under its id.
    fn put_api_token(&mut self, secret_hash: &str, token: &tokens::ApiToken) -> EdgeResult<()>;
}

/// What the alarm was last set to and whether a retention period applies: enough to tell, for a
/// conversation's update, whether the alarm needs setting at all (see `alarm::schedule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scheduled {
    pub alarm_at: Option<i64>,
    pub retention: bool,
}

/// What the glue does after a decision, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Answer on the inbox socket the frame came from.
    Reply(ServerMsg),
    /// Send to every greeted inbox socket.
    Broadcast(ServerMsg),
    /// Close the inbox sockets of `email` (all of them when `None`) opened by one of `sessions`
    /// (any session when `None`).
    Close {
        email: Option<Email>,
        sessions: Option<Vec<String>>,
        code: shared::CloseCode,
        reason: &'static str,
    },
    /// Tell a conversation whose sockets to close, now (not the alarm's one-by-one [`Call`]s:
    /// access that ended must end within a second).
    EndAccess {
        conversation: ConversationId,
        ending: crate::conversation::Ending,
    },
    /// Set the alarm at this instant (ms since the epoch).
    SetAlarm(i64),
    DeleteAlarm,
    /// Delete everything stored and start again with empty tables.
    DeleteAll,
    /// Something failed that no caller will hear of: it goes to the log.
    Log(String),
    /// Tell these conversations' visitors whether someone can answer now (see `logic::live`).
    Availability {
        conversations: Vec<ConversationId>,
        told: Told,
    },
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
    /// Mail a member a digest of the visitors waiting for an answer.
    Digest(notify::Digest),
}

/// One workspace at one moment: the decisions, over its store.
pub struct Workspace<'a, S: WorkspaceStore> {
    store: &'a mut S,
    /// The site's id, as the object is named.
    site: &'a str,
    now: i64,
    /// A day in ms (the end-to-end tests shorten it to see deletions happen).
    day_ms: i64,
    /// The weekday (0 = Monday) and minute now in a time zone (the glue asks the runtime's
    /// `Intl`); `None` for a zone it does not know. For business hours.
    pub local_time: fn(&str) -> Option<(u8, u16)>,
    /// What to do once the decision succeeded.
    pub effects: Vec<Effect>,
}

impl<'a, S: WorkspaceStore> Workspace<'a, S> {
    pub fn new(store: &'a mut S, site: &'a str, now: i64, day_ms: i64) -> Self {
        Self { store, site, now, day_ms, local_time: |_| None, effects: vec![] }
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
}
