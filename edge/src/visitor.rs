//! The visitor Durable Object (one per visitor of a site, named `SITE:VISITOR_ID`): the visitor's
//! consent history (the proof a controller needs for each decision) and their profile — contact
//! details, identity, custom attributes, conversations, and, only while the latest decision allows
//! analytics, page activity, browser and location.
//!
//! `logic` decides over a storage trait (tested natively with `cargo test -p edge`); `store` keeps
//! it in SQLite and `object` is the `worker` glue that schedules the retention alarm and tells the
//! workspace's directory.

pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
pub use object::Visitor;

use serde::{Deserialize, Serialize};
use shared::consent::ConsentRecord;
use shared::privacy::DataSubject;
use shared::visitor::{DeviceInfo, Identity, Location, PageView, VisitorContext, VisitorProfile};
use shared::{ConversationId, Email};
use std::collections::BTreeMap;

/// What the router saw of the browser with a request; kept only with analytics consent.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Capture {
    pub context: Option<VisitorContext>,
    pub device: Option<DeviceInfo>,
    pub location: Option<Location>,
    /// Already truncated, and only if the workspace keeps addresses.
    pub ip: Option<String>,
    /// The site's current policy version: a decision for an older one does not count.
    pub policy_version: u32,
    /// The workspace's retention period: page activity older than this is deleted (an alarm).
    #[serde(default)]
    pub retention_ms: Option<i64>,
}

crate::requests! {
    /// What a visitor object is asked. Every request but `Erase` is refused (`Unauthorized`)
    /// once the visitor was erased: their token is useless from then on.
    pub enum VisitorRequest handled by VisitorCalls {
        /// Records one consent decision (the proof), oldest first in the history.
        add_consent: AddConsent { record: ConsentRecord } -> ();
        /// A visitor session started: notes the browser (with analytics consent) and the visit.
        touch: Touch { capture: Capture } -> ();
        /// A page view; answers whether it was kept (only with analytics consent).
        page_view: PageVisit { page: PageView, capture: Capture } -> bool;
        /// A change of contact details: who gives them (`visitor` or an agent's email) and what
        /// they are.
        contact: ContactChange { by: String, name: Option<String>, email: Option<Email> } -> ();
        /// `Provixchat.identify`: answers whether it was kept (not while processing is restricted).
        identify: IdentityClaim { identity: Identity, name: Option<String>, email: Option<Email> } -> bool;
        /// `Provixchat.setAttributes`: merged into the profile's custom attributes.
        set_attributes: SetAttributes { attributes: BTreeMap<String, serde_json::Value> } -> ();
        /// A conversation the visitor started (a second call for the same one changes nothing).
        add_conversation: AddConversation { id: ConversationId } -> ();
        /// The visitor's conversations, newest first.
        conversations: Conversations {} -> Vec<ConversationId>;
        /// Everything held, for agents and exports (conversations are filled in by the caller).
        profile: Profile {} -> VisitorProfile;
        /// What a data-subject request shows; empty (no `visitor_id`) when nothing is held.
        subject: Subject {} -> DataSubject;
        /// Art. 18: processing restricted (`on`) or resumed; answers the subject afterwards.
        restrict: Restrict { on: bool } -> DataSubject;
        /// Art. 21: objecting to analytics deletes what it captured and stops capturing it.
        object: Object { on: bool } -> DataSubject;
        /// Deletes everything, leaving only the tombstone that makes the visitor's token useless.
        /// Erasing twice is fine (a closing workspace's purge may meet an erased visitor).
        erase: Erase {} -> ();
        /// The workspace's retention period changed (see `workspace::privacy`); `None`: keep
        /// page activity as long as the visitor.
        retention: Retention { retention_ms: Option<i64> } -> ();
        /// A conversation the retention period deleted.
        forget_conversation: ForgetConversation { id: ConversationId } -> ();
        /// Whether the visitor may open the chat: `unauthorized` once erased, `visitor_blocked`
        /// while an agent blocks them.
        admit: Admit {} -> ();
        /// An agent blocks (`on`) or unblocks the visitor.
        block: Block { on: bool } -> ();
    }
}
