//! What a webhooks object decides: which endpoints get an event, when each delivery is tried
//! (again), when an endpoint that keeps failing is disabled, and how a delivery is signed
//! (Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `ID.TIMESTAMP.BODY` under each secret).
//! Pure over [`HookStore`]; the glue sends, and reports each outcome.

use super::{address, Delivery, DeliveryState, Disabled, Endpoint, EndpointChange, EventKind, HookEvent};
use crate::error::{EdgeError, EdgeResult};
use shared::{Email, VisitorId};

/// Most endpoints per workspace.
pub const MAX_ENDPOINTS: usize = 10;
/// How long deliveries (done or given up) stay in the log.
pub const LOG_KEPT_MS: i64 = 30 * 24 * 3600 * 1000;
/// How long a rotated-out secret still signs.
pub const ROTATION_OVERLAP_MS: i64 = 24 * 3600 * 1000;
/// Deliveries an endpoint's log shows.
pub const LOG_SHOWN: usize = 50;
/// Deliveries tried at once in one round of the alarm.
pub const ROUND: usize = 20;
/// Waits before each retry, in seconds: exponential from 5 s, at most 12 hours; 14 retries after
/// the first try, about 3.2 days in all. Scaled by the glue's length of a second (`WEBHOOK_SECOND_MS`,
/// shortened by the end-to-end tests only).
pub const RETRY_S: [i64; 14] =
    [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200, 43_200, 43_200, 43_200, 43_200];

/// An endpoint with its secrets, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRow {
    pub endpoint: Endpoint,
    pub secret: String,
    pub previous_secret: Option<String>,
}

/// Everything a webhooks object keeps.
pub trait HookStore {
    fn endpoints(&self) -> EdgeResult<Vec<EndpointRow>>;
    fn put_endpoint(&mut self, row: &EndpointRow) -> EdgeResult<()>;
    /// Deletes the endpoint and its deliveries.
    fn remove_endpoint(&mut self, id: &str) -> EdgeResult<()>;
    /// Stores a new delivery (its `id` is ignored) unless one for the same endpoint and event
    /// exists; answers the new id, `None` for a repeat.
    fn insert_delivery(&mut self, d: &Delivery) -> EdgeResult<Option<i64>>;
    fn update_delivery(&mut self, d: &Delivery) -> EdgeResult<()>;
    fn delivery(&self, id: i64) -> EdgeResult<Option<Delivery>>;
    /// Pending deliveries of enabled endpoints due at `now` that no earlier pending delivery of
    /// the same endpoint and order key holds back; oldest first, at most `limit`.
    fn due(&self, now: i64, limit: usize) -> EdgeResult<Vec<Delivery>>;
    /// When the next delivery [`Self::due`] would answer is due (one held back waits for the
    /// one before it, not for its own time).
    fn next_due(&self) -> EdgeResult<Option<i64>>;
    /// The endpoint's latest deliveries, newest first.
    fn deliveries(&self, endpoint: &str, limit: usize) -> EdgeResult<Vec<Delivery>>;
    /// Makes the endpoint's pending deliveries due at `at` (an endpoint enabled again).
    fn due_again(&mut self, endpoint: &str, at: i64) -> EdgeResult<()>;
    /// Forgets deliveries that are no longer pending and older than `before`.
    fn prune(&mut self, before: i64) -> EdgeResult<()>;
    /// Marks a visitor whose events are not sent (`why`: `restricted`, `erased`), or clears the
    /// mark (`None`).
    fn withhold(&mut self, visitor: &VisitorId, why: Option<&str>) -> EdgeResult<()>;
    /// Why the visitor's events are not sent, if they are not.
    fn withheld(&self, visitor: &VisitorId) -> EdgeResult<Option<String>>;
    /// Deletes the deliveries about the visitor (only pending ones if `pending_only`); answers
    /// how many are left.
    fn drop_visitor(&mut self, visitor: &VisitorId, pending_only: bool) -> EdgeResult<u32>;
}

/// One request's view of a webhooks object.
pub struct Hooks<'a, S: HookStore> {
    pub store: &'a mut S,
    pub now: i64,
    /// How long a second of [`RETRY_S`] lasts (1,000 but in the end-to-end tests).
    pub second_ms: i64,
    /// The loopback setting (see [`address`]).
    pub local: bool,
}

/// What the glue does next: wake the object at this time to send what is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakeAt(pub i64);

/// How a try went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered with this status.
    Answered(u16),
    /// No answer (refused by the address rules, timed out, unreachable): why.
    Failed(String),
}

/// An endpoint that was just disabled: its owners are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledNow(pub Endpoint);

impl<S: HookStore> Hooks<'_, S> {
    fn row(&self, id: &str) -> EdgeResult<EndpointRow> {
        self.store.endpoints()?.into_iter().find(|r| r.endpoint.id == id).ok_or(EdgeError::NotFound)
    }

    pub fn endpoints(&self) -> EdgeResult<Vec<Endpoint>> {
        Ok(self.store.endpoints()?.into_iter().map(|r| r.endpoint).collect())
    }

    /// The kinds some enabled endpoint wants.
    pub fn subscribed(&self) -> EdgeResult<Vec<EventKind>> {
        let mut kinds: Vec<EventKind> = self
            .store
            .endpoints()?
            .into_iter()
            .filter(|r| r.endpoint.disabled.is_none())
            .flat_map(|r| r.endpoint.kinds)
            .collect();
        kinds.sort();
        kinds.dedup();
        Ok(kinds)
    }

    pub fn add(
        &mut self,
        by: Email,
        id: String,
        url: &str,
        kinds: &[EventKind],
        secret: String,
    ) -> EdgeResult<Endpoint> {
        address::check_url(url, self.local).map_err(EdgeError::Invalid)?;
        let kinds = chosen(kinds)?;
        let rows = self.store.endpoints()?;
        if rows.len() >= MAX_ENDPOINTS {
            return Err(EdgeError::Conflict(format!("a workspace has at most {MAX_ENDPOINTS} endpoints")));
        }
        let endpoint = Endpoint {
            id,
            url: url.trim().to_owned(),
            kinds,
            created_at: self.now,
            created_by: by,
            disabled: None,
            previous_until: None,
        };
        self.store.put_endpoint(&EndpointRow { endpoint: endpoint.clone(), secret, previous_secret: None })?;
        Ok(endpoint)
    }

    /// One change of an endpoint: the endpoint after it (before it, for a removal), and when to
    /// wake to send what it queued.
    pub fn change(&mut self, id: &str, change: EndpointChange) -> EdgeResult<(Endpoint, Option<WakeAt>)> {
        match change {
            EndpointChange::Rotate { secret } => {
                let endpoint = self.rotate(id, secret)?;
                // Woken when the overlap ends, to forget the old secret.
                let wake = endpoint.previous_until.map(WakeAt);
                Ok((endpoint, wake))
            }
            EndpointChange::Enable => self.enable(id),
            EndpointChange::Remove => Ok((self.remove(id)?, None)),
            EndpointChange::Test { event_id } => {
                let (_, wake) = self.test(id, event_id)?;
                Ok((self.row(id)?.endpoint, Some(wake)))
            }
            EndpointChange::Redeliver { delivery } => {
                let (_, wake) = self.redeliver(id, delivery)?;
                Ok((self.row(id)?.endpoint, Some(wake)))
            }
            EndpointChange::Events { kinds } => {
                let mut row = self.row(id)?;
                row.endpoint.kinds = chosen(&kinds)?;
                self.store.put_endpoint(&row)?;
                Ok((row.endpoint, None))
            }
        }
    }

    /// A new secret; the one it replaces signs too until [`ROTATION_OVERLAP_MS`] from now.
    pub fn rotate(&mut self, id: &str, secret: String) -> EdgeResult<Endpoint> {
        let mut row = self.row(id)?;
        row.previous_secret = Some(std::mem::replace(&mut row.secret, secret));
        row.endpoint.previous_until = Some(self.now + ROTATION_OVERLAP_MS);
        self.store.put_endpoint(&row)?;
        Ok(row.endpoint)
    }

    pub fn remove(&mut self, id: &str) -> EdgeResult<Endpoint> {
        let row = self.row(id)?;
        self.store.remove_endpoint(id)?;
        Ok(row.endpoint)
    }

    /// Receives again; what waited for it is due now.
    pub fn enable(&mut self, id: &str) -> EdgeResult<(Endpoint, Option<WakeAt>)> {
        let mut row = self.row(id)?;
        row.endpoint.disabled = None;
        self.store.put_endpoint(&row)?;
        self.store.due_again(id, self.now)?;
        Ok((row.endpoint, Some(WakeAt(self.now))))
    }

    /// One delivery per enabled endpoint that wants each event; a repeat of an event already
    /// accepted adds nothing.
    pub fn accept(&mut self, events: &[HookEvent]) -> EdgeResult<Option<WakeAt>> {
        let rows = self.store.endpoints()?;
        let mut queued = false;
        for event in events {
            if let Some(visitor) = &event.visitor {
                if self.store.withheld(visitor)?.is_some() {
                    continue;
                }
            }
            for row in rows.iter().filter(|r| r.endpoint.disabled.is_none() && r.endpoint.kinds.contains(&event.kind)) {
                queued |= self.queue(&row.endpoint.id, event)?.is_some();
            }
        }
        Ok(queued.then_some(WakeAt(self.now)))
    }

    fn queue(&mut self, endpoint: &str, event: &HookEvent) -> EdgeResult<Option<i64>> {
        self.store.insert_delivery(&Delivery {
            id: 0,
            endpoint: endpoint.to_owned(),
            event_id: event.id.clone(),
            kind: event.kind,
            order: event.order.clone(),
            visitor: event.visitor.clone(),
            body: event.body(),
            created_at: self.now,
            attempts: 0,
            state: DeliveryState::Pending,
            due_at: self.now,
            last_at: None,
            last_status: None,
            last_error: None,
        })
    }

    /// Restriction on or off: while on, nothing about the visitor is accepted, and what waited
    /// is dropped. An erased visitor stays erased.
    pub fn withhold(&mut self, visitor: &VisitorId, on: bool) -> EdgeResult<()> {
        if self.store.withheld(visitor)?.as_deref() == Some("erased") {
            return Ok(());
        }
        if on {
            self.store.drop_visitor(visitor, true)?;
        }
        self.store.withhold(visitor, on.then_some("restricted"))
    }

    /// Erasure: every delivery about the visitor goes, nothing about them is accepted again,
    /// and the `contact.erased` event is queued. Answers how many deliveries about them are left.
    pub fn forget_visitor(&mut self, visitor: &VisitorId, erased: &HookEvent) -> EdgeResult<(u32, Option<WakeAt>)> {
        self.store.withhold(visitor, Some("erased"))?;
        let left = self.store.drop_visitor(visitor, false)?;
        Ok((left, self.accept(std::slice::from_ref(erased))?))
    }

    /// A `webhook.test` event for an enabled endpoint, due now.
    pub fn test(&mut self, endpoint: &str, event_id: String) -> EdgeResult<(Delivery, WakeAt)> {
        let row = self.row(endpoint)?;
        if row.endpoint.disabled.is_some() {
            return Err(EdgeError::Conflict("enable the endpoint first".into()));
        }
        let event = HookEvent {
            id: event_id,
            kind: EventKind::Test,
            at: self.now,
            order: None,
            visitor: None,
            data: serde_json::json!({ "endpoint_id": endpoint, "message": "A test event from Provixchat." }),
        };
        let id = self.queue(endpoint, &event)?.ok_or(EdgeError::Conflict("this test event exists".into()))?;
        Ok((self.store.delivery(id)?.ok_or(EdgeError::NotFound)?, WakeAt(self.now)))
    }

    /// The delivery again, now, with a fresh set of retries (and its `webhook-id`).
    pub fn redeliver(&mut self, endpoint: &str, id: i64) -> EdgeResult<(Delivery, WakeAt)> {
        let mut d = self.store.delivery(id)?.filter(|d| d.endpoint == endpoint).ok_or(EdgeError::NotFound)?;
        d.state = DeliveryState::Pending;
        d.attempts = 0;
        d.due_at = self.now;
        self.store.update_delivery(&d)?;
        Ok((d, WakeAt(self.now)))
    }

    /// The endpoint's latest [`LOG_SHOWN`] deliveries, newest first.
    pub fn log(&self, endpoint: &str) -> EdgeResult<Vec<Delivery>> {
        self.row(endpoint)?;
        self.store.deliveries(endpoint, LOG_SHOWN)
    }

    /// What to send now, with the endpoint each goes to.
    pub fn due(&self) -> EdgeResult<Vec<(Delivery, EndpointRow)>> {
        let rows = self.store.endpoints()?;
        let due = self.store.due(self.now, ROUND)?;
        Ok(due
            .into_iter()
            .filter_map(|d| rows.iter().find(|r| r.endpoint.id == d.endpoint).map(|r| (d, r.clone())))
            .collect())
    }

    /// Records a try: 2xx is delivered; anything else is retried after the next wait of
    /// [`RETRY_S`], or given up once they are spent, which disables the endpoint (answered, for
    /// its owners to be told): it failed for about three days.
    pub fn outcome(&mut self, delivery: &Delivery, outcome: Outcome) -> EdgeResult<Option<DisabledNow>> {
        let mut d = delivery.clone();
        d.attempts += 1;
        d.last_at = Some(self.now);
        (d.last_status, d.last_error) = match &outcome {
            Outcome::Answered(status) if (200..300).contains(status) => (Some(*status), None),
            Outcome::Answered(status) => (Some(*status), Some(format!("the receiver answered {status}"))),
            Outcome::Failed(why) => (None, Some(why.clone())),
        };
        if matches!(outcome, Outcome::Answered(200..=299)) {
            d.state = DeliveryState::Delivered;
            return self.store.update_delivery(&d).map(|()| None);
        }
        let Some(wait) = RETRY_S.get(d.attempts as usize - 1) else {
            d.state = DeliveryState::Failed;
            self.store.update_delivery(&d)?;
            return self.disable(&d.endpoint, d.last_error.clone().unwrap_or_default());
        };
        d.due_at = self.now + wait * self.second_ms;
        self.store.update_delivery(&d).map(|()| None)
    }

    fn disable(&mut self, id: &str, why: String) -> EdgeResult<Option<DisabledNow>> {
        let Ok(mut row) = self.row(id) else { return Ok(None) };
        if row.endpoint.disabled.is_some() {
            return Ok(None);
        }
        let reason = format!("a delivery failed for about three days ({why})");
        row.endpoint.disabled = Some(Disabled { at: self.now, reason });
        self.store.put_endpoint(&row)?;
        Ok(Some(DisabledNow(row.endpoint)))
    }

    /// After a round: forgets old log entries, drops secrets whose overlap ended, and says when
    /// to wake next.
    pub fn next_wake(&mut self) -> EdgeResult<Option<WakeAt>> {
        self.store.prune(self.now - LOG_KEPT_MS)?;
        for mut row in self.store.endpoints()? {
            if row.endpoint.previous_until.is_some_and(|until| until <= self.now) {
                row.endpoint.previous_until = None;
                row.previous_secret = None;
                self.store.put_endpoint(&row)?;
            }
        }
        let rotation = self.store.endpoints()?.into_iter().filter_map(|r| r.endpoint.previous_until).min();
        let next = match (self.store.next_due()?, rotation) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(next.map(|at| WakeAt(at.max(self.now))))
    }

    /// The `webhook-signature` header for a try at `timestamp_s`: one signature per secret in
    /// use (two during a rotation's overlap).
    pub fn signature(&self, row: &EndpointRow, id: &str, timestamp_s: i64, body: &str) -> EdgeResult<String> {
        let mut secrets = vec![row.secret.as_str()];
        if row.endpoint.previous_until.is_some_and(|until| until > self.now) {
            secrets.extend(row.previous_secret.as_deref());
        }
        let signatures: EdgeResult<Vec<String>> = secrets.iter().map(|s| sign(s, id, timestamp_s, body)).collect();
        Ok(signatures?.join(" "))
    }
}

/// The events an endpoint may receive, in order, once each: at least one, never the test event.
fn chosen(kinds: &[EventKind]) -> EdgeResult<Vec<EventKind>> {
    let mut kinds: Vec<EventKind> = kinds.iter().copied().filter(|k| *k != EventKind::Test).collect();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        return Err(EdgeError::Invalid("choose at least one event".into()));
    }
    Ok(kinds)
}

/// A new secret as Standard Webhooks writes it: `whsec_` + base64 of 24 random bytes.
pub fn secret_from(bytes: &[u8]) -> String {
    use base64::Engine;
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// One signature: `v1,` + base64(HMAC-SHA256(secret's bytes, "ID.TIMESTAMP.BODY")).
pub fn sign(secret: &str, id: &str, timestamp_s: i64, body: &str) -> EdgeResult<String> {
    use base64::Engine;
    use hmac::Mac;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| EdgeError::Internal("a webhook secret is not base64".into()))?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key)
        .map_err(|_| EdgeError::Internal("a webhook secret has no bytes".into()))?;
    mac.update(format!("{id}.{timestamp_s}.{body}").as_bytes());
    Ok(format!("v1,{}", b64.encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
pub mod memory;
#[cfg(test)]
mod tests;
