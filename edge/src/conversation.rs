//! One Durable Object per conversation: its messages (SQLite), the visitor's and agents' sockets
//! (hibernation API), and a notice to its workspace after every new message.
//!
//! `logic` decides what a frame does (tested natively); `object` is the `worker` glue. Sockets
//! open through `/connect` (an upgrade the router has authorised); everything else the edge asks
//! a conversation is one of the typed requests below.

pub mod logic;
#[cfg(target_arch = "wasm32")]
pub mod object;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
pub use object::Conversation;

crate::requests! {
    /// What the edge asks a conversation object.
    pub enum ConversationRequest handled by ConversationCalls {
        /// Everything in the conversation for a data export; agents' private notes only if `notes`.
        export: Export { notes: bool } -> shared::privacy::ConversationExport;
        /// Whether the visitor gave a name or an email (the widget then skips its pre-chat form).
        contact_known: ContactKnown {} -> bool;
        /// The visitor's name and email from the site (`identify`) or a correction, shown to agents
        /// as a contact frame would be. Answers `false` for a conversation not started yet.
        site_contact: SiteContact { name: Option<String>, email: Option<String> } -> bool;
        /// Deletes everything. `tombstone` for an erasure (the id stays refused); without it
        /// (retention) the visitor may start afresh under the same id.
        /// Answers the visitor's address it had, if any, so their mail can be erased too.
        erase: Erase { tombstone: bool } -> Option<shared::Email>;
        /// Someone's access ended: their sockets here close now (see [`Ending`]), and a workspace
        /// that closed admits nobody any more.
        end_access: EndAccess { ending: Ending } -> ();
        /// An update of this conversation sent over its link to the feed (`crate::feed::link`) did
        /// not reach the workspace: it repairs its index entry later, or shuts if the workspace
        /// was closed.
        index_failed: IndexFailed { error: shared::api::ApiError } -> ();
        /// The visitor's "stop" link in a reply mail: no more mail from this conversation.
        stop_email: StopEmail {} -> ();
        /// The visitor answered a reply mail (matched by its signed address): `text` becomes
        /// their message, once per `message_id`, if `from` is the address the replies went to.
        email_reply: EmailReply { from: shared::Email, text: String, message_id: String } -> ();
        /// A member answered a digest (matched by an address signed for them): `text` becomes
        /// their reply, once per `message_id`, if they are in the workspace's team now.
        team_email_reply: TeamEmailReply { from: shared::Email, text: String, message_id: String } -> ();
        /// From the workspace: whether someone can answer now changed; the visitor's sockets hear
        /// it, unless they heard of a later change. Answers whether the visitor has a socket open
        /// still.
        /// A file message that came by HTTP (see `logic::posted`): `agent` sent it, else the
        /// visitor (with the verified user id their token carries); `upload` is the stored file
        /// or why it was refused. Answers whether the file is now a stored message's.
        post_file: PostFile {
            /// The visitor's token's visitor: a visitor's file may come before their socket has
            /// opened the conversation, and it opens it the same way.
            visitor: Option<shared::VisitorId>,
            site: shared::SiteId,
            conversation: shared::ConversationId,
            agent: Option<shared::AgentRef>,
            verified: Option<String>,
            client_id: shared::ClientMsgId,
            upload: Result<shared::files::Attachment, shared::api::ApiError>,
        } -> bool;
        set_availability: SetAvailability { told: crate::workspace::logic::Told } -> bool;
        /// The REST API: up to `limit` messages after `after`, notes included.
        api_messages: ApiMessages { after: u64, limit: u32 } -> Vec<shared::ChatMessage>;
        /// The REST API: a message from `author` (see `logic::api`); a retry with the same
        /// `client_id` answers the message stored the first time.
        api_send: ApiSend {
            author: logic::api::ApiAuthor,
            client_id: shared::ClientMsgId,
            body: String,
        } -> shared::ChatMessage;
        /// The REST API: a new status and/or assignee (see `logic::api::ConversationChange`).
        api_update: ApiUpdate { change: logic::api::ConversationChange } -> shared::ConversationSummary;
    }
}

/// Whose access to the site's conversations ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Ending {
    /// These sessions of this agent ended: signed out, revoked, the password changed or the
    /// account closed (sessions by their public id).
    Sessions { email: shared::Email, sessions: Vec<String> },
    /// The agent left the workspace or was removed from it: every socket of theirs.
    Member { email: shared::Email },
    /// An agent blocked the visitor: every visitor socket (the router refuses new ones).
    Visitor,
    /// The workspace was closed: every socket, and no new one.
    Workspace,
}
