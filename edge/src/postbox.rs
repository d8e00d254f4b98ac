//! The postbox Durable Object (one per recipient address): every email Provixchat sends goes
//! through the postbox of the address it is for. It keeps the mail until the `send_email` binding
//! takes it (retrying with backoff on its alarm, so a request never waits on mail delivery and a
//! failed send is not lost), holds the per-address limits, and logs what was sent, for the
//! address's owner to see and for erasure to remove.
//!
//! `logic` decides over a storage trait (tested natively); `store` and `object` are the glue.

pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
pub use object::Postbox;

use crate::mail::mime::Mail;
use serde::{Deserialize, Serialize};
use shared::SiteId;

/// Why an email is sent. Each kind has its purpose and legal basis in the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// A link to choose a new password, asked for on the sign-in page.
    PasswordReset,
    /// A link that confirms an agent's address, after sign-up.
    VerifyEmail,
    /// A sign-in from a browser and system the account had not used before.
    NewDevice,
    /// An invite to join a workspace, sent by its owner or an admin.
    Invite,
    /// A digest of visitors waiting for an answer, to an agent who asked for it.
    Digest,
    /// The team's replies, to a visitor who asked for them by email.
    VisitorReplies,
    /// A resolved conversation's transcript, to a visitor who asked for it.
    Transcript,
    /// A workspace's webhook endpoint failed for days and was disabled: to its owners.
    WebhookDisabled,
}

impl MailKind {
    /// Mail about a site's conversations (a plan may leave it out), rather than about an account.
    pub fn is_notification(self) -> bool {
        matches!(self, MailKind::Digest | MailKind::VisitorReplies | MailKind::Transcript)
    }

    /// Most mails of this kind an address receives in an hour; the rest are refused (logged).
    pub fn hourly_limit(self) -> u32 {
        match self {
            MailKind::PasswordReset | MailKind::VerifyEmail => 5,
            MailKind::NewDevice => 10,
            MailKind::Invite => 5,
            // Digests come at most every 10 minutes per workspace; an agent of many gets more.
            MailKind::Digest => 30,
            MailKind::VisitorReplies => 20,
            MailKind::Transcript => 10,
            MailKind::WebhookDisabled => 5,
        }
    }
}

/// What became of a mail, as the address's log keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Sent,
    /// Over the address's limit: never queued.
    Refused,
    /// Given up after every retry.
    Failed,
}

/// One line of an address's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMail {
    pub at: i64,
    pub kind: MailKind,
    pub site: Option<SiteId>,
    pub subject: String,
    pub status: Status,
}

/// The answer to [`Queue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    /// `false` when the address's limit for this kind refused it.
    pub queued: bool,
}

crate::requests! {
    /// What a postbox is asked.
    pub enum PostboxRequest handled by PostboxCalls {
        /// Queues a mail for this address (it goes out at once, from the object's alarm).
        queue: Queue { kind: MailKind, site: Option<SiteId>, mail: Mail } -> Queued;
        /// What was sent to this address, oldest first.
        log: Log {} -> Vec<SentMail>;
        /// Drops pending mail and forgets the log of one site's mail (a visitor's erasure in that
        /// site), or of all (`None`); answers how many mails were still pending.
        erase: Erase { site: Option<SiteId> } -> usize;
    }
}
