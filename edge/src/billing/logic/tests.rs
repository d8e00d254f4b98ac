use super::*;
use crate::billing::tests::config;
use shared::SiteId;
use std::collections::HashSet;

#[derive(Default)]
struct Memory {
    subscription: Option<Subscription>,
    seen: HashSet<String>,
    details: Option<BillingDetails>,
}

impl BillingStore for Memory {
    fn subscription(&self) -> EdgeResult<Option<Subscription>> {
        Ok(self.subscription.clone())
    }
    fn save_subscription(&mut self, s: &Subscription) -> EdgeResult<()> {
        self.subscription = Some(s.clone());
        Ok(())
    }
    fn first_sighting(&mut self, id: &str, _created: i64, _now: i64) -> EdgeResult<bool> {
        Ok(self.seen.insert(id.to_owned()))
    }
    fn forget_event(&mut self, id: &str) -> EdgeResult<()> {
        self.seen.remove(id);
        Ok(())
    }
    fn details(&self) -> EdgeResult<Option<BillingDetails>> {
        Ok(self.details.clone())
    }
    fn save_details(&mut self, d: &BillingDetails) -> EdgeResult<()> {
        self.details = Some(d.clone());
        Ok(())
    }
}

const T0: i64 = 1_796_000_000_000;
const DAY: i64 = 86_400_000;

fn event(id: &str, created: i64, kind: EventKind) -> Event {
    Event { id: id.into(), created, site: SiteId::parse("demo").unwrap(), kind }
}

fn checkout(id: &str, at: i64) -> Event {
    event(
        id,
        at,
        EventKind::CheckoutCompleted { customer: "cus_1".into(), subscription: "sub_1".into(), plan: "team".into() },
    )
}

fn failed(id: &str, at: i64) -> Event {
    event(id, at, EventKind::PaymentFailed { subscription: "sub_1".into() })
}

fn paid(id: &str, at: i64) -> Event {
    event(id, at, EventKind::PaymentSucceeded { subscription: "sub_1".into(), paid: None })
}

fn changed(id: &str, at: i64, status: ProcessorStatus, price: &str) -> Event {
    event(
        id,
        at,
        EventKind::SubscriptionChanged {
            customer: "cus_1".into(),
            subscription: "sub_1".into(),
            status,
            price: Some(price.into()),
            period_end: Some(at + 30 * DAY),
        },
    )
}

struct Run {
    store: Memory,
    config: BillingConfig,
}

impl Run {
    fn new() -> Self {
        Run { store: Memory::default(), config: config() }
    }
    fn at(&mut self, now: i64) -> Billing<'_, Memory> {
        Billing { store: &mut self.store, config: &self.config, now }
    }
    fn apply(&mut self, e: &Event) -> (bool, Vec<Effect>) {
        self.at(e.created).apply(e).unwrap()
    }
    fn status(&mut self) -> (Status, String) {
        let s = self.at(T0).subscription().unwrap();
        let plan = s.effective(&self.config).id.clone();
        (s.status, plan)
    }
}

fn audits(effects: &[Effect]) -> Vec<&str> {
    effects.iter().filter_map(|e| if let Effect::Audit(t) = e { Some(t.as_str()) } else { None }).collect()
}

#[test]
fn without_a_subscription_the_free_plans_limits_hold() {
    let mut run = Run::new();
    assert_eq!(run.status(), (Status::Free, "free".into()));
    assert_eq!(run.at(T0).plan().unwrap().limits.seats, Some(2));
}

#[test]
fn a_completed_checkout_subscribes_and_tells_the_owner() {
    let mut run = Run::new();
    let (moved, effects) = run.apply(&checkout("evt_1", T0));
    assert!(moved);
    assert_eq!(audits(&effects), ["Subscribed to the Team plan"]);
    assert_eq!(run.status(), (Status::Active, "team".into()));
    assert_eq!(run.at(T0).plan().unwrap().limits.seats, Some(10));
}

#[test]
fn a_redelivered_event_is_applied_once() {
    let mut run = Run::new();
    run.apply(&checkout("evt_1", T0));
    run.apply(&failed("evt_2", T0 + DAY));
    // The owner pays; then the failure's delivery is retried by the processor.
    run.apply(&paid("evt_3", T0 + 2 * DAY));
    let (moved, effects) = run.apply(&failed("evt_2", T0 + DAY));
    assert!(!moved && effects.is_empty());
    assert_eq!(run.status(), (Status::Active, "team".into()));
}

#[test]
fn events_out_of_order_end_in_the_state_of_the_newest() {
    // Delivered newest first: the payment that cleared a failure, then the failure itself.
    let mut run = Run::new();
    run.apply(&checkout("evt_1", T0));
    run.apply(&paid("evt_3", T0 + 2 * DAY));
    let (moved, _) = run.apply(&failed("evt_2", T0 + DAY));
    assert!(!moved, "a stale failure starts no grace period");
    assert_eq!(run.status(), (Status::Active, "team".into()));

    // The subscription ended; an older "active" update arriving late does not revive it.
    let ended = event("evt_5", T0 + 5 * DAY, EventKind::SubscriptionEnded { subscription: "sub_1".into() });
    run.apply(&ended);
    run.apply(&changed("evt_4", T0 + 4 * DAY, ProcessorStatus::Active, "price_team"));
    assert_eq!(run.status(), (Status::Free, "free".into()));

    // A checkout completed event arriving after the subscription's own update still records
    // the customer, and changes nothing else.
    let mut run = Run::new();
    let mut update = changed("evt_b", T0 + 1000, ProcessorStatus::Active, "price_team");
    if let EventKind::SubscriptionChanged { customer, .. } = &mut update.kind {
        *customer = "cus_9".into();
    }
    run.apply(&update);
    run.apply(&checkout("evt_a", T0));
    let s = run.at(T0).subscription().unwrap();
    assert_eq!((s.status, s.plan.as_str(), s.customer.as_deref()), (Status::Active, "team", Some("cus_9")));
}

#[test]
fn a_failed_payment_gives_a_grace_period_then_the_free_plan_and_a_payment_restores_it() {
    let mut run = Run::new();
    run.apply(&checkout("evt_1", T0));
    let (_, effects) = run.apply(&failed("evt_2", T0 + DAY));
    let grace_until = T0 + 8 * DAY;
    assert_eq!(run.status(), (Status::PastDue { grace_until }, "team".into()), "the plan holds in the grace period");
    assert!(effects.contains(&Effect::WakeAt(grace_until)));
    assert!(audits(&effects)[0].starts_with("A payment failed: the Team plan holds until "), "{effects:?}");

    // A second failure (the processor's retry) does not extend the grace period.
    run.apply(&failed("evt_3", T0 + 3 * DAY));
    assert_eq!(run.status().0, Status::PastDue { grace_until });

    // An early alarm waits again; at the end of the grace period the free plan's limits hold.
    assert_eq!(run.at(grace_until - 1).alarm().unwrap(), [Effect::WakeAt(grace_until)]);
    let effects = run.at(grace_until).alarm().unwrap();
    assert_eq!(run.status(), (Status::Downgraded, "free".into()));
    assert_eq!(
        audits(&effects),
        ["Grace period over without payment: the Free plan's limits apply (nothing stored is removed)"]
    );
    assert!(run.at(grace_until + 1).alarm().unwrap().is_empty(), "a late alarm changes nothing");

    let (_, effects) = run.apply(&paid("evt_4", grace_until + DAY));
    assert_eq!(run.status(), (Status::Active, "team".into()));
    assert_eq!(audits(&effects), ["Payment received: the Team plan is active again"]);
}

#[test]
fn plan_changes_follow_the_processors_price_and_cancellation_ends_in_free() {
    let mut run = Run::new();
    run.config.plans.push(crate::billing::Plan {
        id: "business".into(),
        name: "Business".into(),
        price: 9900,
        processor_price: Some("price_business".into()),
        limits: Default::default(),
    });
    run.apply(&checkout("evt_1", T0));
    let (_, effects) = run.apply(&changed("evt_2", T0 + DAY, ProcessorStatus::Active, "price_business"));
    assert_eq!(audits(&effects), ["Plan changed from Team to Business"]);
    assert_eq!(run.status(), (Status::Active, "business".into()));
    assert_eq!(run.at(T0).plan().unwrap().limits.seats, None, "no limit where the plan sets none");

    let (_, effects) = run.apply(&changed("evt_3", T0 + 2 * DAY, ProcessorStatus::Ended, "price_business"));
    assert_eq!(run.status(), (Status::Free, "free".into()));
    assert_eq!(audits(&effects), ["Subscription ended: the Free plan's limits apply (nothing stored is removed)"]);
}

#[test]
fn events_about_another_subscription_change_nothing() {
    let mut run = Run::new();
    run.apply(&checkout("evt_1", T0));
    let other = |id: &str, at, kind| event(id, at, kind);
    let (moved, _) =
        run.apply(&other("evt_2", T0 + DAY, EventKind::SubscriptionEnded { subscription: "sub_old".into() }));
    assert!(!moved);
    run.apply(&other("evt_3", T0 + DAY, EventKind::PaymentFailed { subscription: "sub_old".into() }));
    assert_eq!(run.status(), (Status::Active, "team".into()));
}

#[test]
fn billing_details_are_validated_before_they_are_kept() {
    let mut run = Run::new();
    let bad = BillingDetails {
        company: "Shop".into(),
        address: "Weg 1".into(),
        vat_id: Some("DE1".into()),
        email: "a@b.co".into(),
    };
    assert!(run.at(T0).set_details(bad.clone()).is_err());
    assert_eq!(run.at(T0).details().unwrap(), None, "nothing kept");
    let good = BillingDetails { vat_id: Some("DE 123456789".into()), ..bad };
    run.at(T0).set_details(good).unwrap();
    assert_eq!(run.at(T0).details().unwrap().unwrap().vat_id.as_deref(), Some("DE123456789"));
}
