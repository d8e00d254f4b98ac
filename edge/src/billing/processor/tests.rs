use super::*;
use crate::billing::tests::config;

const SECRET: &str = "whsec_test_secret";
const T: i64 = 1_700_000_000;

#[test]
fn a_signature_made_as_the_processor_makes_it_is_accepted() {
    let body = br#"{"id":"evt_1"}"#;
    // Computed apart (Python's hmac): HMAC-SHA256("whsec_test_secret", "1700000000.{\"id\":\"evt_1\"}").
    let header = "t=1700000000,v1=248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a";
    assert_eq!(sign(body, SECRET, T), header);
    assert!(verify_signature(header, body, SECRET, T + 10).is_ok());
    // During a rotation both secrets sign: either matching counts; a v0 (test mode scheme) does not.
    let rotated = format!("t={T},v1={},v1={}", "0".repeat(64), &header[16..]);
    assert!(verify_signature(&rotated, body, SECRET, T).is_ok());
    assert!(verify_signature(&format!("t={T},v0={}", &header[16..]), body, SECRET, T).is_err());
}

#[test]
fn wrong_stale_or_malformed_signatures_are_refused() {
    let body = br#"{"id":"evt_1"}"#;
    let header = sign(body, SECRET, T);
    let refused = |h: &str, b: &[u8], secret: &str, now: i64| {
        let e = verify_signature(h, b, secret, now).unwrap_err();
        assert_eq!(e.status(), 400, "{e}");
        e.to_string()
    };
    assert!(refused(&header, body, "whsec_other", T).contains("does not match"));
    assert!(refused(&header, br#"{"id":"evt_2"}"#, SECRET, T).contains("does not match"), "another body");
    assert!(refused(&header, body, SECRET, T + SIGNATURE_TOLERANCE_S + 1).contains("too old"), "a replay later");
    assert!(refused(&header, body, SECRET, T - SIGNATURE_TOLERANCE_S - 1).contains("too old"));
    assert!(refused("v1=abc", body, SECRET, T).contains("no timestamp"));
    assert!(refused(&format!("t={T}"), body, SECRET, T).contains("no v1"));
    assert!(refused("", body, SECRET, T).contains("no timestamp"));
}

fn event(kind: &str, object: &str) -> Vec<u8> {
    format!(r#"{{"id":"evt_9","object":"event","created":{T},"type":"{kind}","data":{{"object":{object}}}}}"#)
        .into_bytes()
}

#[test]
fn events_are_read_in_the_shapes_the_processor_documents() {
    let checkout = event(
        "checkout.session.completed",
        r#"{"id":"cs_1","object":"checkout.session","mode":"subscription","client_reference_id":"demo",
            "customer":"cus_1","subscription":"sub_1","metadata":{"site":"demo","plan":"team"}}"#,
    );
    let e = parse_event(&checkout).unwrap().unwrap();
    assert_eq!((e.id.as_str(), e.created, e.site.as_str()), ("evt_9", T * 1000, "demo"));
    assert_eq!(
        e.kind,
        EventKind::CheckoutCompleted { customer: "cus_1".into(), subscription: "sub_1".into(), plan: "team".into() }
    );

    // The subscription's period end at its top (older API versions) or on its item (newer).
    for period in [
        r#""current_period_end":1702592000,"items":{"data":[{"price":{"id":"price_team"}}]}"#,
        r#""items":{"data":[{"current_period_end":1702592000,"price":{"id":"price_team"}}]}"#,
    ] {
        let updated = event(
            "customer.subscription.updated",
            &format!(
                r#"{{"id":"sub_1","object":"subscription","customer":"cus_1","status":"past_due","metadata":{{"site":"demo"}},{period}}}"#
            ),
        );
        assert_eq!(
            parse_event(&updated).unwrap().unwrap().kind,
            EventKind::SubscriptionChanged {
                customer: "cus_1".into(),
                subscription: "sub_1".into(),
                status: ProcessorStatus::PastDue,
                price: Some("price_team".into()),
                period_end: Some(1_702_592_000_000),
            }
        );
    }

    let deleted = event(
        "customer.subscription.deleted",
        r#"{"id":"sub_1","object":"subscription","customer":"cus_1","status":"canceled","metadata":{"site":"demo"}}"#,
    );
    assert_eq!(
        parse_event(&deleted).unwrap().unwrap().kind,
        EventKind::SubscriptionEnded { subscription: "sub_1".into() }
    );

    // Invoices before and after the API moved their subscription under `parent`.
    let old = event(
        "invoice.payment_failed",
        r#"{"id":"in_1","object":"invoice","subscription":"sub_1","subscription_details":{"metadata":{"site":"demo"}}}"#,
    );
    assert_eq!(parse_event(&old).unwrap().unwrap().kind, EventKind::PaymentFailed { subscription: "sub_1".into() });
    let new = event(
        "invoice.paid",
        r#"{"id":"in_2","object":"invoice","currency":"eur","subtotal":2900,"total_excluding_tax":2900,"total":3451,
            "amount_paid":3451,"period_start":1700000000,"period_end":1700000000,
            "lines":{"data":[{"period":{"start":1701388800,"end":1704067200}}]},
            "parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_1","metadata":{"site":"demo"}}}}"#,
    );
    let paid = crate::billing::Paid {
        invoice: "in_2".into(),
        currency: "EUR".into(),
        subtotal: 2900,
        tax: 551,
        total: 3451,
        period_start: 1_701_388_800_000,
        period_end: 1_704_067_200_000,
    };
    assert_eq!(
        parse_event(&new).unwrap().unwrap().kind,
        EventKind::PaymentSucceeded { subscription: "sub_1".into(), paid: Some(paid) },
        "the line's period, not the invoice's"
    );
}

#[test]
fn events_billing_does_not_use_or_of_no_workspace_are_passed_over_and_broken_ones_refused() {
    assert_eq!(parse_event(&event("customer.created", r#"{"id":"cus_1"}"#)).unwrap(), None);
    let no_site = event("invoice.paid", r#"{"id":"in_1","subscription":"sub_1","total":100}"#);
    assert_eq!(parse_event(&no_site).unwrap(), None, "another product's invoice");
    let payment_mode = event(
        "checkout.session.completed",
        r#"{"mode":"payment","client_reference_id":"demo","customer":"cus_1","metadata":{"plan":"team"}}"#,
    );
    assert_eq!(parse_event(&payment_mode).unwrap(), None);
    let broken = event("checkout.session.completed", r#"{"mode":"subscription","client_reference_id":"demo"}"#);
    assert_eq!(parse_event(&broken).unwrap_err().status(), 400);
    assert_eq!(parse_event(b"not json").unwrap_err().status(), 400);
    assert_eq!(parse_event(br#"{"id":"evt_1","type":"invoice.paid"}"#).unwrap_err().status(), 400);
}

#[test]
fn a_checkout_is_asked_for_as_the_api_documents_it() {
    let c = config();
    let site = SiteId::parse("demo").unwrap();
    let call = checkout(&CheckoutFor {
        site: &site,
        plan: c.plan("team"),
        customer: None,
        email: "owner+shop@demo.test",
        return_url: "https://chat.example/billing/demo",
        nonce: "n1",
    })
    .unwrap();
    assert_eq!(call.path, "/v1/checkout/sessions");
    assert_eq!(call.idempotency_key, "checkout-demo-team-n1");
    assert_eq!(
        call.body(),
        "mode=subscription&line_items%5B0%5D%5Bprice%5D=price_team&line_items%5B0%5D%5Bquantity%5D=1\
         &success_url=https%3A%2F%2Fchat.example%2Fbilling%2Fdemo%3Fcheckout%3Ddone\
         &cancel_url=https%3A%2F%2Fchat.example%2Fbilling%2Fdemo&client_reference_id=demo\
         &metadata%5Bsite%5D=demo&metadata%5Bplan%5D=team\
         &subscription_data%5Bmetadata%5D%5Bsite%5D=demo&subscription_data%5Bmetadata%5D%5Bplan%5D=team\
         &customer_email=owner%2Bshop%40demo.test"
    );
    let known = checkout(&CheckoutFor {
        customer: Some("cus_1"),
        ..CheckoutFor { site: &site, plan: c.plan("team"), customer: None, email: "", return_url: "", nonce: "" }
    })
    .unwrap();
    assert!(known.form.contains(&("customer".into(), "cus_1".into())));
    assert!(!known.form.iter().any(|(k, _)| k == "customer_email"), "one or the other");
    assert!(checkout(&CheckoutFor {
        site: &site,
        plan: c.free(),
        customer: None,
        email: "",
        return_url: "",
        nonce: ""
    })
    .is_err());

    let portal = portal("cus_1", "https://chat.example/billing/demo", "n2");
    assert_eq!(portal.path, "/v1/billing_portal/sessions");
    assert_eq!(portal.body(), "customer=cus_1&return_url=https%3A%2F%2Fchat.example%2Fbilling%2Fdemo");
    assert_eq!(
        session_url(br#"{"id":"cs_1","url":"https://checkout.stripe.com/c/pay/cs_1"}"#).unwrap(),
        "https://checkout.stripe.com/c/pay/cs_1"
    );
    assert!(session_url(br#"{"id":"cs_1","url":"javascript:alert(1)"}"#).is_err());
}
