//! What a workspace's billing object decides: the subscription each processor event leaves
//! (each event applied once; an event older than the newest applied changes no state, so events
//! delivered out of order end where the processor's latest says), the grace period after a
//! failed payment and the downgrade at its end, and what the owner is told in the audit log.
//! Pure over [`BillingStore`]; the glue sets the alarm and writes the audit entries.

use super::{BillingConfig, BillingDetails, Event, EventKind, Paid, Plan, ProcessorStatus, Status, Subscription};
use crate::consent_export::day;
use crate::error::EdgeResult;
use crate::ledger::Draft;

const DAY_MS: i64 = 86_400_000;

/// Everything a billing object keeps.
pub trait BillingStore {
    fn subscription(&self) -> EdgeResult<Option<Subscription>>;
    fn save_subscription(&mut self, subscription: &Subscription) -> EdgeResult<()>;
    /// Records a processor event's id; false if it was recorded before (a redelivery).
    fn first_sighting(&mut self, id: &str, created: i64, now: i64) -> EdgeResult<bool>;
    /// Forgets that an event was seen: its redelivery will be applied (again).
    fn forget_event(&mut self, id: &str) -> EdgeResult<()>;
    fn details(&self) -> EdgeResult<Option<BillingDetails>>;
    fn save_details(&mut self, details: &BillingDetails) -> EdgeResult<()>;
}

/// What the glue does after a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// An entry in the workspace's audit log, for its owners.
    Audit(String),
    /// Wake the object at this time (ms): the end of a grace period.
    WakeAt(i64),
    /// Issue an invoice for a payment (the operator's ledger numbers it).
    Issue(Box<crate::ledger::Draft>),
}

/// One request's view of a billing object.
pub struct Billing<'a, S: BillingStore> {
    pub store: &'a mut S,
    pub config: &'a BillingConfig,
    pub now: i64,
}

impl<S: BillingStore> Billing<'_, S> {
    pub fn subscription(&self) -> EdgeResult<Subscription> {
        Ok(self.store.subscription()?.unwrap_or_else(|| Subscription::free(self.config)))
    }

    /// The plan whose limits hold now.
    pub fn plan(&self) -> EdgeResult<Plan> {
        Ok(self.subscription()?.effective(self.config).clone())
    }

    /// Applies a processor event (its signature already checked). Answers whether it changed
    /// anything, and what to tell and when to wake.
    pub fn apply(&mut self, event: &Event) -> EdgeResult<(bool, Vec<Effect>)> {
        if !self.store.first_sighting(&event.id, event.created, self.now)? {
            return Ok((false, vec![]));
        }
        // A payment is invoiced however late its news comes: money was taken.
        let invoice = match &event.kind {
            EventKind::PaymentSucceeded { paid: Some(paid), .. } => Some(self.invoice(event, paid)?),
            _ => None,
        };
        let (changed, mut effects) = self.apply_news(event)?;
        effects.extend(invoice.map(|d| Effect::Issue(Box::new(d))));
        Ok((changed, effects))
    }

    /// The invoice for a payment: the plan the subscription is on, the details the owner gave
    /// (the workspace's id stands for the company until they do).
    fn invoice(&self, event: &Event, paid: &Paid) -> EdgeResult<Draft> {
        let plan = self.config.plan(&self.subscription()?.plan).name.clone();
        let customer = self
            .store
            .details()?
            .unwrap_or_else(|| BillingDetails { company: event.site.to_string(), ..Default::default() });
        Ok(Draft {
            site: event.site.clone(),
            operator: self.config.operator.clone(),
            customer,
            plan,
            period_start: paid.period_start,
            period_end: paid.period_end,
            currency: paid.currency.clone(),
            subtotal: paid.subtotal,
            tax: paid.tax,
            total: paid.total,
            paid_at: event.created,
            key: paid.invoice.clone(),
        })
    }

    fn apply_news(&mut self, event: &Event) -> EdgeResult<(bool, Vec<Effect>)> {
        let before = self.subscription()?;
        let mut s = before.clone();
        if event.created < s.newest_event {
            // Overtaken by a newer event: its state is stale. Only ids nobody recorded yet count.
            if let EventKind::CheckoutCompleted { customer, .. } = &event.kind {
                s.customer.get_or_insert_with(|| customer.clone());
            }
        } else {
            // Only an event about the subscription that holds moves the clock: one about an
            // old subscription must not make a late event of the current one count as stale.
            if self.change(&mut s, event) {
                s.newest_event = event.created;
            }
        }
        if s == before {
            return Ok((false, vec![]));
        }
        self.store.save_subscription(&s)?;
        Ok((true, self.told(&before, &s)))
    }

    /// Applies an event's news to `s`; false if it is about another subscription than ours.
    fn change(&self, s: &mut Subscription, event: &Event) -> bool {
        let ours = s.subscription.as_deref();
        let grace_until = event.created + i64::from(self.config.grace_days) * DAY_MS;
        match &event.kind {
            EventKind::CheckoutCompleted { customer, subscription, plan } => {
                s.customer = Some(customer.clone());
                s.subscription = Some(subscription.clone());
                s.plan = self.config.plan(plan).id.clone();
                s.status = Status::Active;
            }
            EventKind::SubscriptionChanged { customer, subscription, status, price, period_end } => {
                // A subscription that is not ours and not active (an old one) changes nothing.
                if ours != Some(subscription.as_str()) && *status != ProcessorStatus::Active {
                    return false;
                }
                s.customer = Some(customer.clone());
                s.subscription = Some(subscription.clone());
                if let Some(plan) = price.as_deref().and_then(|p| self.config.by_price(p)) {
                    s.plan = plan.id.clone();
                }
                s.period_end = *period_end;
                match status {
                    ProcessorStatus::Active => s.status = Status::Active,
                    ProcessorStatus::PastDue => past_due(s, grace_until),
                    ProcessorStatus::Ended => end(s, self.config),
                    ProcessorStatus::Other => {}
                }
            }
            EventKind::SubscriptionEnded { subscription }
            | EventKind::PaymentFailed { subscription }
            | EventKind::PaymentSucceeded { subscription, .. } => {
                if ours != Some(subscription.as_str()) {
                    return false;
                }
                match event.kind {
                    EventKind::SubscriptionEnded { .. } => end(s, self.config),
                    EventKind::PaymentFailed { .. } => past_due(s, grace_until),
                    _ => s.status = Status::Active,
                }
            }
        }
        true
    }

    /// The alarm: a grace period that has run out ends in the free plan's limits.
    pub fn alarm(&mut self) -> EdgeResult<Vec<Effect>> {
        let before = self.subscription()?;
        match before.status {
            Status::PastDue { grace_until } if self.now >= grace_until => {
                let after = Subscription { status: Status::Downgraded, ..before.clone() };
                self.store.save_subscription(&after)?;
                Ok(self.told(&before, &after))
            }
            Status::PastDue { grace_until } => Ok(vec![Effect::WakeAt(grace_until)]),
            _ => Ok(vec![]),
        }
    }

    /// What the owner reads in the audit log about a change, and the alarm a grace period needs.
    fn told(&self, before: &Subscription, after: &Subscription) -> Vec<Effect> {
        let name = |s: &Subscription| self.config.plan(&s.plan).name.clone();
        let free = &self.config.free().name;
        let kept = "nothing stored is removed";
        let text = match (before.status, after.status) {
            (Status::Free, Status::Active) => format!("Subscribed to the {} plan", name(after)),
            (Status::Active, Status::Active) if before.plan != after.plan => {
                format!("Plan changed from {} to {}", name(before), name(after))
            }
            (Status::PastDue { .. } | Status::Downgraded, Status::Active) => {
                format!("Payment received: the {} plan is active again", name(after))
            }
            (Status::Free | Status::Active, Status::PastDue { grace_until }) => format!(
                "A payment failed: the {} plan holds until {} (grace period), then the {free} plan's limits apply",
                name(after),
                day(grace_until)
            ),
            (Status::PastDue { .. }, Status::Downgraded) => {
                format!("Grace period over without payment: the {free} plan's limits apply ({kept})")
            }
            (_, Status::Free) if before.status != Status::Free => {
                format!("Subscription ended: the {free} plan's limits apply ({kept})")
            }
            _ => String::new(),
        };
        let mut effects = vec![];
        if !text.is_empty() {
            effects.push(Effect::Audit(text));
        }
        if let Status::PastDue { grace_until } = after.status {
            effects.push(Effect::WakeAt(grace_until));
        }
        effects
    }

    /// An event whose effects could not all be carried out (its invoice): the processor's
    /// redelivery applies it again (the ledger issues one invoice per payment however often).
    pub fn retry_later(&mut self, event_id: &str) -> EdgeResult<()> {
        self.store.forget_event(event_id)
    }

    pub fn details(&self) -> EdgeResult<Option<BillingDetails>> {
        self.store.details()
    }

    pub fn set_details(&mut self, details: BillingDetails) -> EdgeResult<BillingDetails> {
        let details = details.validate()?;
        self.store.save_details(&details)?;
        Ok(details)
    }
}

/// A failed payment starts the grace period once; a later failure does not extend it.
fn past_due(s: &mut Subscription, grace_until: i64) {
    if !matches!(s.status, Status::PastDue { .. } | Status::Downgraded) {
        s.status = Status::PastDue { grace_until };
    }
}

fn end(s: &mut Subscription, config: &BillingConfig) {
    s.status = Status::Free;
    s.plan = config.free().id.clone();
    s.subscription = None;
    s.period_end = None;
}

#[cfg(test)]
mod tests;
