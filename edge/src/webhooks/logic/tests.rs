use super::memory::MemoryHooks;
use super::*;
use shared::VisitorId;

const T0: i64 = 1_796_083_200_000;

fn hooks(store: &mut MemoryHooks, now: i64) -> Hooks<'_, MemoryHooks> {
    Hooks { store, now, second_ms: 1000, local: false }
}

fn owner() -> Email {
    Email::parse("olga@shop.example").unwrap()
}

fn event(id: &str, kind: EventKind, order: Option<&str>) -> HookEvent {
    HookEvent {
        id: id.into(),
        kind,
        at: T0,
        order: order.map(str::to_owned),
        visitor: Some(VisitorId::parse("v_0123456789abcdef").unwrap()),
        data: serde_json::json!({ "n": id }),
    }
}

fn with_endpoint(kinds: &[EventKind]) -> MemoryHooks {
    let mut store = MemoryHooks::default();
    let secret = secret_from(&[7; 24]);
    hooks(&mut store, T0).add(owner(), "ep1".into(), "https://hooks.example.com/in", kinds, secret).unwrap();
    store
}

fn answer(store: &mut MemoryHooks, now: i64, status: u16) -> Vec<String> {
    let mut h = hooks(store, now);
    let due = h.due().unwrap();
    for (d, _) in &due {
        h.outcome(d, Outcome::Answered(status)).unwrap();
    }
    due.into_iter().map(|(d, _)| d.event_id).collect()
}

#[test]
fn signatures_follow_the_standard_webhooks_test_vector() {
    let sig = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        r#"{"test": 2432232314}"#,
    );
    assert_eq!(sig.unwrap(), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    assert!(sign("whsec_not base64!", "id", 1, "{}").is_err());
    assert!(secret_from(&[0; 24]).starts_with("whsec_") && secret_from(&[0; 24]).len() == 6 + 32);
}

#[test]
fn endpoints_are_checked_when_saved() {
    let mut store = MemoryHooks::default();
    let mut h = hooks(&mut store, T0);
    let add = |h: &mut Hooks<'_, MemoryHooks>, id: &str, url: &str, kinds: &[EventKind]| {
        h.add(owner(), id.into(), url, kinds, secret_from(&[1; 24]))
    };
    assert!(matches!(
        add(&mut h, "a", "http://hooks.example.com/", &[EventKind::MessageCreated]),
        Err(EdgeError::Invalid(_))
    ));
    assert!(matches!(add(&mut h, "a", "https://10.0.0.1/", &[EventKind::MessageCreated]), Err(EdgeError::Invalid(_))));
    assert!(matches!(add(&mut h, "a", "https://h.example/", &[]), Err(EdgeError::Invalid(_))));
    assert!(
        matches!(add(&mut h, "a", "https://h.example/", &[EventKind::Test]), Err(EdgeError::Invalid(_))),
        "not subscribable"
    );
    let e = add(
        &mut h,
        "a",
        " https://h.example/x ",
        &[EventKind::StatusChanged, EventKind::MessageCreated, EventKind::MessageCreated],
    )
    .unwrap();
    assert_eq!(
        (e.url.as_str(), e.kinds.as_slice()),
        ("https://h.example/x", &[EventKind::MessageCreated, EventKind::StatusChanged][..])
    );
    for i in 1..MAX_ENDPOINTS {
        add(&mut h, &format!("e{i}"), "https://h.example/", &[EventKind::ContactErased]).unwrap();
    }
    assert!(matches!(add(&mut h, "x", "https://h.example/", &[EventKind::ContactErased]), Err(EdgeError::Conflict(_))));
    let mut other = MemoryHooks::default();
    let mut local = Hooks { local: true, ..hooks(&mut other, T0) };
    assert!(add(&mut local, "l", "http://127.0.0.1:4000/hook", &[EventKind::MessageCreated]).is_ok());
}

#[test]
fn an_event_goes_once_to_each_endpoint_that_wants_it() {
    let mut store = with_endpoint(&[EventKind::MessageCreated]);
    let mut h = hooks(&mut store, T0);
    h.add(
        owner(),
        "ep2".into(),
        "https://b.example/",
        &[EventKind::MessageCreated, EventKind::StatusChanged],
        secret_from(&[2; 24]),
    )
    .unwrap();
    assert_eq!(h.subscribed().unwrap(), [EventKind::MessageCreated, EventKind::StatusChanged]);
    let events =
        [event("m1", EventKind::MessageCreated, Some("c1")), event("s1", EventKind::StatusChanged, Some("c1"))];
    assert_eq!(h.accept(&events).unwrap(), Some(WakeAt(T0)));
    // The producer's answer was lost and it hands the same events over again: nothing new.
    assert_eq!(h.accept(&events).unwrap(), None);
    let mut to: Vec<(String, String)> =
        store.deliveries.iter().map(|d| (d.endpoint.clone(), d.event_id.clone())).collect();
    to.sort();
    assert_eq!(to, [("ep1".into(), "m1".into()), ("ep2".into(), "m1".into()), ("ep2".into(), "s1".into())]);
    let body: serde_json::Value = serde_json::from_str(&store.deliveries[0].body).unwrap();
    assert_eq!(body["type"], "message.created");
    assert_eq!(body["timestamp"], "2026-12-01T00:00:00.000Z");
    assert_eq!(body["data"], serde_json::json!({ "n": "m1" }));
}

#[test]
fn a_failing_delivery_holds_back_its_conversation_only_and_is_retried_with_backoff() {
    let mut store = with_endpoint(&[EventKind::MessageCreated]);
    let events = [
        event("a1", EventKind::MessageCreated, Some("a")),
        event("a2", EventKind::MessageCreated, Some("a")),
        event("b1", EventKind::MessageCreated, Some("b")),
        event("x", EventKind::MessageCreated, None),
    ];
    hooks(&mut store, T0).accept(&events).unwrap();
    // a1 fails: a2 waits for it; b1 and x go.
    let mut h = hooks(&mut store, T0);
    let due: Vec<String> = h.due().unwrap().into_iter().map(|(d, _)| d.event_id).collect();
    assert_eq!(due, ["a1", "b1", "x"]);
    let a1 = h.due().unwrap().remove(0).0;
    assert_eq!(h.outcome(&a1, Outcome::Answered(500)).unwrap(), None);
    assert_eq!(answer(&mut store, T0, 204), ["b1", "x"]);
    assert_eq!(answer(&mut store, T0 + 4_999, 204), Vec::<String>::new(), "a2 waits behind a1, a1 waits 5 s");
    assert_eq!(hooks(&mut store, T0).next_wake().unwrap(), Some(WakeAt(T0 + 5_000)));
    // The retry fails too (timed out): 30 s more.
    let mut h = hooks(&mut store, T0 + 5_000);
    let (a1, _) = h.due().unwrap().remove(0);
    h.outcome(&a1, Outcome::Failed("timed out".into())).unwrap();
    let a1 = store.deliveries.iter().find(|d| d.event_id == "a1").unwrap().clone();
    assert_eq!((a1.attempts, a1.due_at, a1.last_error.as_deref()), (2, T0 + 35_000, Some("timed out")));
    // Then it answers: a1 and only then a2, in order.
    assert_eq!(answer(&mut store, T0 + 35_000, 200), ["a1"]);
    assert_eq!(answer(&mut store, T0 + 35_000, 200), ["a2"]);
    assert!(store.deliveries.iter().all(|d| d.state == DeliveryState::Delivered));
    assert_eq!(hooks(&mut store, T0 + 35_000).next_wake().unwrap(), None);
}

#[test]
fn a_redirect_is_a_failure_and_about_three_days_of_failures_disable_the_endpoint() {
    let total: i64 = RETRY_S.iter().sum();
    assert!((3 * 86_400..4 * 86_400).contains(&total), "{total} s");
    let mut store = with_endpoint(&[EventKind::MessageCreated, EventKind::StatusChanged]);
    hooks(&mut store, T0).accept(&[event("a1", EventKind::MessageCreated, Some("a"))]).unwrap();
    let mut now = T0;
    for attempt in 1..=RETRY_S.len() + 1 {
        let mut h = hooks(&mut store, now);
        let (d, _) = h.due().unwrap().pop().expect("due");
        let disabled = h.outcome(&d, Outcome::Answered(302)).unwrap();
        assert_eq!(disabled.is_some(), attempt == RETRY_S.len() + 1, "attempt {attempt}");
        if let Some(DisabledNow(e)) = disabled {
            assert!(e.disabled.unwrap().reason.contains("answered 302"));
        }
        now = hooks(&mut store, now).next_wake().unwrap().map_or(now, |w| w.0);
    }
    let d = &store.deliveries[0];
    assert_eq!((d.state, d.attempts), (DeliveryState::Failed, RETRY_S.len() as u32 + 1));
    // Disabled: nothing new is queued, nothing wakes the object, a test is refused.
    let mut h = hooks(&mut store, now);
    assert!(h.subscribed().unwrap().is_empty());
    assert_eq!(h.accept(&[event("a2", EventKind::MessageCreated, Some("a"))]).unwrap(), None);
    assert!(matches!(h.test("ep1", "t1".into()), Err(EdgeError::Conflict(_))));
    // Enabled again, the owner redelivers the given-up one.
    h.enable("ep1").unwrap();
    let (again, _) = h.redeliver("ep1", 1).unwrap();
    assert_eq!((again.state, again.attempts, again.event_id.as_str()), (DeliveryState::Pending, 0, "a1"));
    assert!(matches!(h.redeliver("other", 1), Err(EdgeError::NotFound)), "only through its own endpoint");
    assert_eq!(answer(&mut store, now, 200), ["a1"]);
}

#[test]
fn deliveries_wait_while_their_endpoint_is_disabled_and_go_when_it_is_enabled() {
    let mut store = with_endpoint(&[EventKind::MessageCreated]);
    hooks(&mut store, T0).accept(&[event("a1", EventKind::MessageCreated, Some("a"))]).unwrap();
    store.endpoints[0].endpoint.disabled = Some(Disabled { at: T0, reason: "r".into() });
    assert!(hooks(&mut store, T0).due().unwrap().is_empty());
    assert_eq!(hooks(&mut store, T0).next_wake().unwrap(), None);
    let (e, wake) = hooks(&mut store, T0 + 50).enable("ep1").unwrap();
    assert_eq!((e.disabled, wake), (None, Some(WakeAt(T0 + 50))));
    assert_eq!(answer(&mut store, T0 + 50, 200), ["a1"]);
}

#[test]
fn a_rotated_secret_signs_beside_the_new_one_for_a_day() {
    let mut store = with_endpoint(&[EventKind::MessageCreated]);
    let old = store.endpoints[0].secret.clone();
    let new = secret_from(&[9; 24]);
    let e = hooks(&mut store, T0).rotate("ep1", new.clone()).unwrap();
    assert_eq!(e.previous_until, Some(T0 + ROTATION_OVERLAP_MS));
    let row = store.endpoints[0].clone();
    let both = hooks(&mut store, T0 + 1).signature(&row, "id", 5, "{}").unwrap();
    assert_eq!(both, format!("{} {}", sign(&new, "id", 5, "{}").unwrap(), sign(&old, "id", 5, "{}").unwrap()));
    assert_eq!(hooks(&mut store, T0).next_wake().unwrap(), Some(WakeAt(T0 + ROTATION_OVERLAP_MS)), "wakes to drop it");
    hooks(&mut store, T0 + ROTATION_OVERLAP_MS).next_wake().unwrap();
    let row = store.endpoints[0].clone();
    assert_eq!((row.previous_secret.as_deref(), row.endpoint.previous_until), (None, None));
    assert_eq!(
        hooks(&mut store, T0 + ROTATION_OVERLAP_MS).signature(&row, "id", 5, "{}").unwrap(),
        sign(&new, "id", 5, "{}").unwrap()
    );
}

#[test]
fn a_test_event_the_log_and_removal() {
    let mut store = with_endpoint(&[EventKind::ContactErased]);
    let (d, wake) = hooks(&mut store, T0).test("ep1", "test_1".into()).unwrap();
    assert_eq!((d.kind, d.state, wake), (EventKind::Test, DeliveryState::Pending, WakeAt(T0)));
    assert!(d.body.contains("\"type\":\"webhook.test\""));
    assert!(matches!(hooks(&mut store, T0).test("nope", "t".into()), Err(EdgeError::NotFound)));
    assert_eq!(answer(&mut store, T0, 200), ["test_1"]);
    let log = store.deliveries("ep1", 50).unwrap();
    assert_eq!((log[0].last_status, log[0].last_at), (Some(200), Some(T0)));
    // Kept 30 days.
    hooks(&mut store, T0 + LOG_KEPT_MS).next_wake().unwrap();
    assert_eq!(store.deliveries.len(), 1);
    hooks(&mut store, T0 + LOG_KEPT_MS + 1).next_wake().unwrap();
    assert!(store.deliveries.is_empty());
    hooks(&mut store, T0).test("ep1", "test_2".into()).unwrap();
    hooks(&mut store, T0).remove("ep1").unwrap();
    assert!(store.deliveries.is_empty() && store.endpoints.is_empty());
    assert!(matches!(hooks(&mut store, T0).remove("ep1"), Err(EdgeError::NotFound)));
}

#[test]
fn nothing_about_a_restricted_visitor_is_sent_and_an_erased_one_is_forgotten() {
    let mut store = with_endpoint(&[EventKind::MessageCreated, EventKind::ContactErased]);
    let ann = VisitorId::parse("v_0123456789abcdef").unwrap();
    let bob = VisitorId::parse("v_fedcba9876543210").unwrap();
    let about = |id: &str, visitor: &VisitorId| HookEvent {
        visitor: Some(visitor.clone()),
        ..event(id, EventKind::MessageCreated, Some(id))
    };
    let mut h = hooks(&mut store, T0);
    h.accept(&[about("a1", &ann), about("b1", &bob)]).unwrap();
    // Ann restricts processing: what waited about her goes, nothing new is taken.
    h.withhold(&ann, true).unwrap();
    h.accept(&[about("a2", &ann)]).unwrap();
    let ids = |s: &MemoryHooks| s.deliveries.iter().map(|d| d.event_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&store), ["b1"]);
    // Lifted: her events go again.
    let mut h = hooks(&mut store, T0);
    h.withhold(&ann, false).unwrap();
    h.accept(&[about("a3", &ann)]).unwrap();
    assert_eq!(ids(&store), ["b1", "a3"]);
    // Bob's event was delivered, then Bob is erased: the delivered one goes from the log too
    // (it holds his words), `contact.erased` is queued, and nothing about him is taken again,
    // not even once restriction is "lifted".
    assert_eq!(answer(&mut store, T0, 200), ["b1", "a3"]);
    let site = shared::SiteId::parse("shop").unwrap();
    let erased = crate::webhooks::contact_erased(&site, &bob, T0);
    let mut h = hooks(&mut store, T0);
    let (left, wake) = h.forget_visitor(&bob, &erased).unwrap();
    assert_eq!((left, wake), (0, Some(WakeAt(T0))));
    h.withhold(&bob, false).unwrap();
    h.accept(&[about("b2", &bob)]).unwrap();
    assert_eq!(ids(&store), ["a3", "shop_v_fedcba9876543210_erased"]);
    let body: serde_json::Value = serde_json::from_str(&store.deliveries[1].body).unwrap();
    assert_eq!(
        body["data"],
        serde_json::json!({ "visitor_id": "v_fedcba9876543210", "erased_at": "2026-12-01T00:00:00.000Z" })
    );
}

#[test]
fn contact_and_consent_events_carry_only_what_changed_and_the_consent_proof() {
    let site = shared::SiteId::parse("shop").unwrap();
    let ann = VisitorId::parse("v_0123456789abcdef").unwrap();
    let e = crate::webhooks::contact_updated(&site, &ann, None, Some(&Email::parse("ann@x.example").unwrap()), T0);
    assert_eq!(e.data, serde_json::json!({ "visitor_id": "v_0123456789abcdef", "email": "ann@x.example" }));
    assert_eq!((e.order.as_deref(), e.visitor.as_ref()), (Some("visitor:v_0123456789abcdef"), Some(&ann)));
    let record: shared::consent::ConsentRecord = serde_json::from_value(serde_json::json!({
        "at": T0, "expires_at": T0 + 1, "visitor_hash": "ab12", "policy_version": 3,
        "choices": { "preferences": false, "analytics": true, "marketing": false }, "method": "custom", "lang": "de", "gpc": false
    }))
    .unwrap();
    let c = crate::webhooks::consent_recorded(&site, &ann, &record);
    assert_eq!(c.data, serde_json::to_value(&record).unwrap());
    assert!(!c.data.to_string().contains("v_0123456789abcdef"), "the proof's hash, never the id");
    assert_eq!(c.id, format!("shop_v_0123456789abcdef_consent_{T0}"));
}

#[test]
fn one_change_request_does_each_thing_and_says_when_to_wake() {
    let mut store = with_endpoint(&[EventKind::MessageCreated]);
    let mut h = hooks(&mut store, T0);
    let (e, wake) = h.change("ep1", EndpointChange::Rotate { secret: secret_from(&[3; 24]) }).unwrap();
    assert_eq!(wake, Some(WakeAt(T0 + ROTATION_OVERLAP_MS)), "to forget the old secret");
    assert!(e.previous_until.is_some());
    let (_, wake) = h.change("ep1", EndpointChange::Test { event_id: "t1".into() }).unwrap();
    assert_eq!(wake, Some(WakeAt(T0)));
    let (_, wake) = h.change("ep1", EndpointChange::Redeliver { delivery: 1 }).unwrap();
    assert_eq!(wake, Some(WakeAt(T0)));
    assert!(matches!(h.change("ep1", EndpointChange::Redeliver { delivery: 9 }), Err(EdgeError::NotFound)));
    let events = EndpointChange::Events {
        kinds: vec![EventKind::StatusChanged, EventKind::Test, EventKind::ConversationCreated],
    };
    let (e, wake) = h.change("ep1", events).unwrap();
    assert_eq!((e.kinds.as_slice(), wake), (&[EventKind::ConversationCreated, EventKind::StatusChanged][..], None));
    assert_eq!(h.subscribed().unwrap(), [EventKind::ConversationCreated, EventKind::StatusChanged]);
    assert!(matches!(h.change("ep1", EndpointChange::Events { kinds: vec![] }), Err(EdgeError::Invalid(_))));
    let (e, wake) = h.change("ep1", EndpointChange::Remove).unwrap();
    assert_eq!((e.id.as_str(), wake), ("ep1", None));
    assert!(matches!(h.change("ep1", EndpointChange::Enable), Err(EdgeError::NotFound)));
}
