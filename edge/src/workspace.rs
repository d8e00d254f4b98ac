//! The workspace Durable Object (one per site): settings, members and invites, the conversation
//! index and its search, the consent and audit logs, the directory of visitors by email, erasure,
//! the retention alarm, closing and purge, and the agents' live inbox sockets, which get every
//! change to the index and to the team's availability as it happens.
//!
//! `logic` decides over a storage trait and returns effects (tested natively with `cargo test -p
//! edge`); `object` is the `worker` glue, `store` its SQLite and `schema` the tables. Requests come in typed (see
//! [`WorkspaceRequest`]); the only other route is `/connect`, the inbox socket upgrade, which
//! carries the agent's email in [`H_EMAIL`].

pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
mod schema;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
pub use object::Workspace;

use crate::conversation::logic::Indexed;
use crate::settings::WorkspaceConfig;
use serde::{Deserialize, Serialize};
use shared::api::{AuditEntry, IdentitySecret, InvitePreview, Member, Role, SearchHit, WorkspaceSettings};
use shared::consent::{ConsentRecord, ConsentSettings};
use shared::privacy::Closing;
use shared::{AgentRef, ConversationId, ConversationSummary, Email, VisitorId};

/// Headers the router sets on an inbox socket upgrade (`/connect`), having checked the agent's
/// session: their email and the session's public id.
pub const H_EMAIL: &str = "x-pvx-agent-email";
pub const H_SESSION: &str = "x-pvx-session";

/// A conversation's latest state, sent after each change through its index feed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConversationUpdate {
    pub summary: ConversationSummary,
    /// The new message, if the change was one.
    pub indexed: Option<Indexed>,
    /// Whose conversation it is (registered so closing the workspace deletes their object).
    #[serde(default)]
    pub visitor_id: Option<VisitorId>,
}

/// The answer to [`CreateInvite`]: the token, shown once to whoever created it (only its hash is
/// kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvite {
    pub token: String,
    pub role: Role,
    pub expires_at: i64,
}

/// What a workspace keeps of a member's account for notifications; the account object tells
/// every workspace of the account when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemberPrefs {
    /// Mail goes only to a confirmed address.
    pub verified: bool,
    pub notify: shared::api::NotifyWhen,
}

crate::requests! {
    /// What a workspace object is asked, by the router and by the site's other objects.
    pub enum WorkspaceRequest handled by WorkspaceCalls {
        /// The site's config; `unknown_site` for a workspace that does not exist or is closed.
        config: GetConfig {} -> WorkspaceConfig;
        /// A new workspace (sign-up): refused with `conflict` if the id is taken, even by a
        /// closed workspace waiting for deletion, so sign-up never overwrites one.
        create_config: CreateConfig { config: WorkspaceConfig } -> WorkspaceConfig;
        /// Writes the config whatever was there (the operator's route).
        replace_config: ReplaceConfig { config: WorkspaceConfig } -> WorkspaceConfig;
        /// The settings an owner or admin edits in the inbox, validated; a new retention period
        /// applies at once (and is passed on to every visitor object by the alarm).
        update_settings: UpdateSettings { settings: WorkspaceSettings } -> WorkspaceSettings;
        /// The consent banner's settings, validated against the previous ones.
        update_consent_settings: UpdateConsentSettings { settings: ConsentSettings } -> ConsentSettings;
        /// Appends a decision's proof to the consent log; `visitor` is registered as one of the
        /// site's visitors (unless erased) so closing the workspace deletes their object.
        log_consent: LogConsent { record: ConsentRecord, #[serde(default)] visitor: Option<VisitorId> } -> ();
        /// The consent log, newest first.
        consent_log: ConsentLog {} -> Vec<ConsentRecord>;
        /// Appends to the audit log (the router, and conversation objects). Nothing edits or
        /// deletes an entry.
        append_audit: AppendAudit { entry: AuditEntry } -> ();
        /// A page of the audit log, newest first: entries older than `before` that `filter`
        /// admits.
        audit_log: AuditLog {
            #[serde(default)]
            before: Option<u64>,
            #[serde(default)]
            filter: shared::api::AuditFilter,
        } -> shared::api::AuditPage;
        /// Whether someone can answer now: an agent has an inbox open and is not away, within
        /// business hours.
        available: Available {} -> bool;
        /// From a conversation: its visitor opened a socket (`live`) or closed their last one;
        /// answers [`Available`]'s question. Live conversations hear when the answer changes.
        visitor_live: VisitorLive { id: ConversationId, live: bool } -> logic::Told;
        /// The key sites sign user ids with; made on first request.
        identity_secret: GetIdentitySecret {} -> IdentitySecret;
        /// A new key (the old one may have leaked); verified tokens issued before stop counting.
        rotate_identity_secret: RotateIdentitySecret {} -> IdentitySecret;
        /// A verified user and the visitor (and conversation) that is theirs: the first claim links
        /// them; later claims, from any browser, get the linked one back.
        link_identity: IdentityLink {
            user_id: String,
            visitor_id: VisitorId,
            conversation_id: ConversationId,
        } -> IdentityLink;
        /// The inbox summaries of these conversations that exist, in the order asked.
        summaries: Summaries { ids: Vec<ConversationId> } -> Vec<ConversationSummary>;
        /// From an index feed (`crate::feed`): the latest states of conversations (and new
        /// messages, for search), stored in one go. Updates may arrive out of order or after an
        /// erasure; see `logic::index`.
        conversations_updated: ConversationsUpdated { updates: Vec<ConversationUpdate> } -> ();
        /// Conversations whose messages, visitor name or email contain `q`, newest first.
        search: Search { q: String } -> Vec<SearchHit>;
        /// From a visitor object: the email on its profile now (`None`: none any more).
        directory: DirectoryEntry { visitor_id: VisitorId, email: Option<Email> } -> ();
        /// Visitors whose email, verified user id or visitor id is `q`.
        find_subjects: FindSubjects { q: String } -> Vec<VisitorId>;
        /// The conversations the index ties to a visitor.
        visitor_conversations: VisitorConversations { visitor_id: VisitorId } -> Vec<ConversationId>;
        /// Closes the workspace: unknown to everyone from now on, deleted after the grace period.
        /// Closing twice keeps the first date.
        close: Close {} -> Closing;
        /// Everything the workspace holds about an erased visitor goes, and stays gone.
        forget: Forget {
            visitor_id: VisitorId,
            /// As in their consent records (`sha256(SITE:VISITOR_ID)`).
            visitor_hash: String,
            conversation_ids: Vec<ConversationId>,
        } -> ();
        /// The members as conversation objects need them (to check an assignment).
        team: Team {} -> Vec<AgentRef>;
        /// The members, oldest first.
        members: Members {} -> Vec<Member>;
        /// Adds a member; adding one again only updates their name.
        add_member: NewMember { email: Email, name: String, role: Role } -> Member;
        /// A member's notification preferences and whether their address is confirmed.
        member_prefs: SetMemberPrefs { email: Email, prefs: MemberPrefs } -> ();
        /// A member who closed their account leaves (owners close their workspace first).
        leave: Leave { email: Email } -> ();
        /// `actor` gives `email` a new role, under the team's rules.
        change_role: ChangeRole { actor: Email, email: Email, role: Role } -> Member;
        /// `actor` removes `email` from the team, under the team's rules.
        remove_member: RemoveMember { actor: Email, email: Email } -> ();
        /// A new invite link's token.
        create_invite: CreateInvite { role: Role } -> NewInvite;
        /// What an invite gives, if it can still be used.
        preview_invite: PreviewInvite { token: String } -> InvitePreview;
        /// Uses an invite up and answers the role it gives; a second redeem fails.
        redeem_invite: RedeemInvite { token: String } -> Role;
        /// From a conversation about to accept an agent's socket: which session opened it there
        /// (refused for a session that ended or a former member), so ending it reaches it.
        agent_socket: AgentSocket { conversation: ConversationId, email: Email, session: String } -> ();
        /// From an account object: these sessions of `email` ended. Their inbox and conversation
        /// sockets close now.
        end_sessions: EndSessions { email: Email, sessions: Vec<String> } -> ();
        /// This month's usage and the seats taken (the billing page).
        usage: GetUsage {} -> logic::usage::UsageReport;
        /// Whether conversation `id` may start under the plan's allowance of `limit` new
        /// conversations a month (`plan` names it in the owners' audit entry).
        admit: AdmitConversation { id: ConversationId, limit: Option<u32>, plan: String } -> bool;
        /// Emails sent for the site (by its postboxes), counted in the month's usage.
        count_emails: CountEmails { emails: u32 } -> ();
        /// A new API token of `by` (an owner or admin; the router checked): its id and the hash
        /// of its secret are made by the router, which shows the secret once.
        create_token: CreateToken {
            by: Email,
            ask: logic::tokens::TokenRequest,
            id: String,
            secret_hash: String,
        } -> logic::tokens::ApiToken;
        /// Every API token, newest first.
        tokens: Tokens {} -> Vec<logic::tokens::ApiToken>;
        revoke_token: RevokeToken { by: Email, id: String } -> logic::tokens::ApiToken;
        /// The token a REST request presents, checked for `scope` (see `logic::tokens`).
        use_token: UseToken { id: String, secret_hash: String, scope: logic::tokens::Scope } -> logic::tokens::ApiToken;
        /// A page of the REST API's conversation list.
        conversation_page: GetConversationPage { query: logic::listing::ConversationQuery } -> logic::listing::ConversationPage;
    }
}
