//! The webhooks Durable Object (one per workspace, `SITE`): the site owner's endpoints and what is
//! on its way to them. Producers (a conversation, the privacy routes, the consent log) hand their
//! events over with a typed call once they are stored; the object keeps one delivery per endpoint
//! and event, sends it from its alarm signed as the Standard Webhooks specification says, and
//! retries with backoff for about three days. Nothing a visitor or agent does waits on a receiver:
//! the handover is a write in this object, the sending happens later.
//!
//! Order: deliveries with the same key (a conversation's events, a visitor's contact events) go
//! out one after the other; a failing one holds back the later ones of its key only.
//!
//! `logic` decides over a storage trait (tested natively), `address` holds the rules on where a
//! delivery may go (SSRF), `store` and `object` are the glue.

pub mod address;
pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
pub mod outbox;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
pub use object::{forget, wanted, Webhooks};

use serde::{Deserialize, Serialize};
use shared::consent::ConsentRecord;
use shared::{Email, SiteId, VisitorId};

/// What an endpoint can subscribe to (and the test event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "conversation.status_changed")]
    StatusChanged,
    #[serde(rename = "contact.updated")]
    ContactUpdated,
    #[serde(rename = "contact.erased")]
    ContactErased,
    #[serde(rename = "consent.recorded")]
    ConsentRecorded,
    /// Sent from the endpoint's page ("Send a test event"); never subscribed to.
    #[serde(rename = "webhook.test")]
    Test,
}

impl EventKind {
    /// The kinds an endpoint may choose.
    pub const ALL: [EventKind; 6] = [
        EventKind::ConversationCreated,
        EventKind::MessageCreated,
        EventKind::StatusChanged,
        EventKind::ContactUpdated,
        EventKind::ContactErased,
        EventKind::ConsentRecorded,
    ];

    /// The `type` of the payload.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::ConversationCreated => "conversation.created",
            EventKind::MessageCreated => "message.created",
            EventKind::StatusChanged => "conversation.status_changed",
            EventKind::ContactUpdated => "contact.updated",
            EventKind::ContactErased => "contact.erased",
            EventKind::ConsentRecorded => "consent.recorded",
            EventKind::Test => "webhook.test",
        }
    }

    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().chain([EventKind::Test]).find(|k| k.name() == name)
    }

    /// What the event says, as the settings page explains it.
    pub fn hint(self) -> &'static str {
        match self {
            EventKind::ConversationCreated => "a visitor started a conversation",
            EventKind::MessageCreated => "a visitor or the team wrote a message (internal notes are not sent)",
            EventKind::StatusChanged => "a conversation was resolved, set pending or reopened",
            EventKind::ContactUpdated => "a visitor's name or email was given or corrected",
            EventKind::ContactErased => "a visitor's data was erased: erase it in your system too",
            EventKind::ConsentRecorded => "a visitor made a consent choice (categories only)",
            EventKind::Test => "a test event sent from this page",
        }
    }
}

/// An event as its producer hands it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HookEvent {
    /// The `webhook-id`: made once by the producer from what the event is about, so a producer
    /// handing the same event over twice (its first call's answer lost) delivers it once.
    pub id: String,
    pub kind: EventKind,
    /// When it happened (ms).
    pub at: i64,
    /// Events with the same key are delivered in order.
    pub order: Option<String>,
    /// The visitor it is about: nothing is delivered about a visitor who restricted processing
    /// or objected, and pending deliveries about an erased visitor are dropped.
    pub visitor: Option<VisitorId>,
    /// The payload's `data`: only what the event needs.
    pub data: serde_json::Value,
}

impl HookEvent {
    /// The body sent: `{"type", "timestamp", "data"}` as the specification suggests.
    pub fn body(&self) -> String {
        serde_json::json!({
            "type": self.kind.name(),
            "timestamp": crate::consent_export::iso8601(self.at),
            "data": self.data,
        })
        .to_string()
    }
}

/// The order key of a visitor's own events (their contact details, consent, erasure).
fn visitor_order(visitor: &VisitorId) -> Option<String> {
    Some(format!("visitor:{visitor}"))
}

/// A visitor gave or corrected their name or email (only what changed is in it).
pub fn contact_updated(
    site: &SiteId,
    visitor: &VisitorId,
    name: Option<&str>,
    email: Option<&Email>,
    at: i64,
) -> HookEvent {
    let mut data = serde_json::json!({ "visitor_id": visitor });
    if let Some(name) = name {
        data["name"] = name.into();
    }
    if let Some(email) = email {
        data["email"] = email.as_str().into();
    }
    HookEvent {
        id: format!("{site}_{visitor}_contact_{at}"),
        kind: EventKind::ContactUpdated,
        at,
        order: visitor_order(visitor),
        visitor: Some(visitor.clone()),
        data,
    }
}

/// A visitor's data was erased: the receiver erases its copy too. Carries no visitor (`None`), so
/// it is the one event about them that is still sent.
pub fn contact_erased(site: &SiteId, visitor: &VisitorId, at: i64) -> HookEvent {
    HookEvent {
        id: format!("{site}_{visitor}_erased"),
        kind: EventKind::ContactErased,
        at,
        order: visitor_order(visitor),
        visitor: None,
        data: serde_json::json!({ "visitor_id": visitor, "erased_at": crate::consent_export::iso8601(at) }),
    }
}

/// A consent decision, as the consent-records export has it (a hash of the visitor id, never the
/// id; the choices per category, policy version, method, banner language, GPC).
pub fn consent_recorded(site: &SiteId, visitor: &VisitorId, record: &ConsentRecord) -> HookEvent {
    HookEvent {
        id: format!("{site}_{visitor}_consent_{}", record.at),
        kind: EventKind::ConsentRecorded,
        at: record.at,
        order: visitor_order(visitor),
        visitor: Some(visitor.clone()),
        data: serde_json::to_value(record).unwrap_or_default(),
    }
}

/// Why an endpoint stopped receiving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disabled {
    pub at: i64,
    pub reason: String,
}

/// An endpoint as the settings show it (its secrets never leave the object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub kinds: Vec<EventKind>,
    pub created_at: i64,
    pub created_by: Email,
    pub disabled: Option<Disabled>,
    /// After a rotation: until when deliveries carry the previous secret's signature too.
    pub previous_until: Option<i64>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first try or a retry.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up after every retry (about three days).
    Failed,
}

/// One event for one endpoint, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub endpoint: String,
    pub event_id: String,
    pub kind: EventKind,
    pub order: Option<String>,
    pub visitor: Option<VisitorId>,
    pub body: String,
    pub created_at: i64,
    /// Tries made.
    pub attempts: u32,
    pub state: DeliveryState,
    /// When it is tried (again), while pending.
    pub due_at: i64,
    /// The last try: when, the receiver's status (if it answered), what went wrong (if it did).
    pub last_at: Option<i64>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

/// What an owner or admin does to one endpoint (one request, so the object's dispatch stays small).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointChange {
    /// A new secret; the old one signs too for a day.
    Rotate { secret: String },
    /// A disabled endpoint receives again: what waited for it goes out now.
    Enable,
    /// Deletes the endpoint and its deliveries.
    Remove,
    /// Queues a `webhook.test` event with this id.
    Test { event_id: String },
    /// Sends a delivery again (same `webhook-id`), with a fresh set of retries.
    Redeliver { delivery: i64 },
    /// The events it receives from now on (its secret and log stay).
    Events { kinds: Vec<EventKind> },
}

crate::requests! {
    /// What a workspace's webhooks object is asked.
    pub enum WebhooksRequest handled by WebhooksCalls {
        /// Events from a producer, in its order; one delivery per endpoint that wants each.
        accept: Accept { events: Vec<HookEvent> } -> ();
        /// The kinds some enabled endpoint wants (producers skip the others).
        subscribed: Subscribed {} -> Vec<EventKind>;
        endpoints: Endpoints {} -> Vec<Endpoint>;
        /// A new endpoint; `id` and `secret` made by the edge (the secret is shown once).
        add_endpoint: AddEndpoint { by: Email, id: String, url: String, kinds: Vec<EventKind>, secret: String } -> Endpoint;
        /// A change of one endpoint; answers it (as it was, for a removal).
        change: Change { endpoint: String, change: EndpointChange } -> Endpoint;
        /// The endpoint's latest deliveries, newest first.
        deliveries: Deliveries { endpoint: String } -> Vec<Delivery>;
        /// The visitor restricted processing (`on`) or lifted it: while on, nothing about them is
        /// sent, and what waited is dropped.
        withhold: Withhold { visitor: VisitorId, on: bool } -> ();
        /// The visitor was erased: every delivery about them goes (pending or logged), nothing
        /// about them is accepted again, and `event` (`contact.erased`) is queued. Answers how
        /// many deliveries about them are left (0: the erasure verifies it).
        forget_visitor: ForgetVisitor { visitor: VisitorId, event: HookEvent } -> u32;
    }
}
