//! The payment processor, as Stripe documents it: the hosted checkout and customer portal the
//! billing page sends owners to, and the signed webhook events that report what happened there.
//! The requests are built here as plain data ([`Call`]) and checked against the documented shapes
//! in the tests; [`Processor`] is the one interface the routes use, and its implementation sends
//! them over HTTPS (`STRIPE_API`, `https://api.stripe.com` unless set, with `STRIPE_SECRET_KEY`).

use super::{Event, EventKind, ProcessorStatus};
use crate::error::{EdgeError, EdgeResult};
use serde_json::Value;
use shared::SiteId;

/// How old a webhook's signature may be (Stripe's libraries' default): a replay after that is
/// refused even with a valid signature.
pub const SIGNATURE_TOLERANCE_S: i64 = 300;

/// Checks a `Stripe-Signature` header (`t=TIMESTAMP,v1=HEX[,v1=HEX…]`) over `body`: an
/// HMAC-SHA256 of `TIMESTAMP.BODY` with the endpoint's secret, made at most
/// [`SIGNATURE_TOLERANCE_S`] from `now_s`. Any `v1` matching counts (during a secret's rotation
/// the processor signs with both).
pub fn verify_signature(header: &str, body: &[u8], secret: &str, now_s: i64) -> EdgeResult<()> {
    let refused = |why: &str| Err(EdgeError::Invalid(format!("webhook signature refused: {why}")));
    let mut timestamp = None;
    let mut signatures = vec![];
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signatures.push(s),
            _ => {}
        }
    }
    let Some(t) = timestamp else { return refused("no timestamp") };
    if signatures.is_empty() {
        return refused("no v1 signature");
    }
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(body);
    let expected: String = crate::auth::hmac(secret.as_bytes(), &signed).iter().map(|b| format!("{b:02x}")).collect();
    if !signatures.iter().any(|s| crate::auth::same_in_constant_time(s, &expected)) {
        return refused("it does not match");
    }
    if (now_s - t).abs() > SIGNATURE_TOLERANCE_S {
        return refused("it is too old");
    }
    Ok(())
}

/// The header value the processor would send for `body` at `t` (tests, and the end-to-end
/// tests' events are signed the same way in JavaScript).
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(body);
    let hex: String = crate::auth::hmac(secret.as_bytes(), &signed).iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    path.iter().try_fold(v, |v, key| v.get(key)).and_then(Value::as_str).map(str::to_owned)
}

/// Reads a verified event: `None` for a type billing does not use or an event of no workspace
/// of ours (another product on the same account); an error for an event of a used type whose
/// shape is wrong. Invoices name their subscription where the API version puts it (`subscription`,
/// or `parent.subscription_details` since 2025-03-31).
pub fn parse_event(body: &[u8]) -> EdgeResult<Option<Event>> {
    let v: Value = serde_json::from_slice(body)?;
    let bad = |what: &str| EdgeError::Invalid(format!("the event has no {what}"));
    let id = text(&v, &["id"]).ok_or_else(|| bad("id"))?;
    let created = v.get("created").and_then(Value::as_i64).ok_or_else(|| bad("created"))? * 1000;
    let kind = text(&v, &["type"]).ok_or_else(|| bad("type"))?;
    let o = v.pointer("/data/object").ok_or_else(|| bad("data.object"))?;
    let field = |name: &str| text(o, &[name]).ok_or_else(|| bad(name));
    let invoice_subscription = || {
        text(o, &["subscription"])
            .or_else(|| text(o, &["parent", "subscription_details", "subscription"]))
            .ok_or_else(|| bad("subscription"))
    };
    let site = match kind.as_str() {
        "checkout.session.completed" => text(o, &["client_reference_id"]).or_else(|| text(o, &["metadata", "site"])),
        "customer.subscription.created" | "customer.subscription.updated" | "customer.subscription.deleted" => {
            text(o, &["metadata", "site"])
        }
        "invoice.payment_failed" | "invoice.paid" => text(o, &["subscription_details", "metadata", "site"])
            .or_else(|| text(o, &["parent", "subscription_details", "metadata", "site"])),
        _ => return Ok(None),
    };
    let Some(site) = site.and_then(|s| SiteId::parse(&s).ok()) else { return Ok(None) };
    let kind = match kind.as_str() {
        "checkout.session.completed" => {
            if text(o, &["mode"]).as_deref() != Some("subscription") {
                return Ok(None);
            }
            EventKind::CheckoutCompleted {
                customer: field("customer")?,
                subscription: field("subscription")?,
                plan: text(o, &["metadata", "plan"]).ok_or_else(|| bad("metadata.plan"))?,
            }
        }
        "customer.subscription.deleted" => EventKind::SubscriptionEnded { subscription: field("id")? },
        "customer.subscription.created" | "customer.subscription.updated" => {
            let item = o.pointer("/items/data/0");
            let status = match field("status")?.as_str() {
                "active" | "trialing" => ProcessorStatus::Active,
                "past_due" | "unpaid" => ProcessorStatus::PastDue,
                "canceled" | "incomplete_expired" => ProcessorStatus::Ended,
                _ => ProcessorStatus::Other,
            };
            let period_end = o
                .get("current_period_end")
                .or_else(|| item.and_then(|i| i.get("current_period_end")))
                .and_then(Value::as_i64)
                .map(|s| s * 1000);
            EventKind::SubscriptionChanged {
                customer: field("customer")?,
                subscription: field("id")?,
                status,
                price: item.and_then(|i| text(i, &["price", "id"])),
                period_end,
            }
        }
        "invoice.payment_failed" => EventKind::PaymentFailed { subscription: invoice_subscription()? },
        _ => EventKind::PaymentSucceeded { subscription: invoice_subscription()?, paid: Some(paid(o, &field("id")?)?) },
    };
    Ok(Some(Event { id, created, site, kind }))
}

/// What an `invoice.paid` says was paid: amounts before and after tax (`total_excluding_tax`
/// where the API has it, else `subtotal`), its currency, and the subscription period of its first
/// line (else the invoice's own period).
fn paid(o: &Value, invoice: &str) -> EdgeResult<super::Paid> {
    let int = |v: Option<&Value>| v.and_then(Value::as_i64);
    let bad = |what: &str| EdgeError::Invalid(format!("the invoice has no {what}"));
    let total = int(o.get("total")).or(int(o.get("amount_paid"))).ok_or_else(|| bad("total"))?;
    let subtotal = int(o.get("total_excluding_tax")).or(int(o.get("subtotal"))).unwrap_or(total);
    let line = o.pointer("/lines/data/0/period");
    let period = |key: &str, fallback: &str| {
        int(line.and_then(|p| p.get(key))).or(int(o.get(fallback))).map(|s| s * 1000).ok_or_else(|| bad(fallback))
    };
    Ok(super::Paid {
        invoice: invoice.to_owned(),
        currency: text(o, &["currency"]).ok_or_else(|| bad("currency"))?.to_uppercase(),
        subtotal,
        tax: total - subtotal,
        total,
        period_start: period("start", "period_start")?,
        period_end: period("end", "period_end")?,
    })
}

/// One request to the processor's API: `POST {base}{path}`, form-encoded as its API takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub path: &'static str,
    pub form: Vec<(String, String)>,
    /// Sent as `Idempotency-Key`: a retried request makes one session, not two.
    pub idempotency_key: String,
}

impl Call {
    /// `application/x-www-form-urlencoded`, with the brackets of nested keys encoded.
    pub fn body(&self) -> String {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                    b' ' => "+".into(),
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        self.form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
    }
}

/// What a checkout is for.
pub struct CheckoutFor<'a> {
    pub site: &'a SiteId,
    pub plan: &'a super::Plan,
    /// The processor's customer, once there is one; else the owner's address pre-fills the form.
    pub customer: Option<&'a str>,
    pub email: &'a str,
    /// Where the processor sends the owner back (the billing page).
    pub return_url: &'a str,
    /// Makes the idempotency key: one session per owner click.
    pub nonce: &'a str,
}

/// `POST /v1/checkout/sessions`: a subscription to the plan's price, the site in the session's
/// `client_reference_id` and in the subscription's metadata (so every later event names it).
pub fn checkout(c: &CheckoutFor<'_>) -> EdgeResult<Call> {
    let price = c
        .plan
        .processor_price
        .as_deref()
        .ok_or_else(|| EdgeError::Invalid("the free plan needs no checkout".into()))?;
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let (site, plan) = (c.site.as_str(), c.plan.id.as_str());
    let mut form = vec![
        pair("mode", "subscription"),
        pair("line_items[0][price]", price),
        pair("line_items[0][quantity]", "1"),
        pair("success_url", &format!("{}?checkout=done", c.return_url)),
        pair("cancel_url", c.return_url),
        pair("client_reference_id", site),
        pair("metadata[site]", site),
        pair("metadata[plan]", plan),
        pair("subscription_data[metadata][site]", site),
        pair("subscription_data[metadata][plan]", plan),
    ];
    form.push(match c.customer {
        Some(customer) => pair("customer", customer),
        None => pair("customer_email", c.email),
    });
    Ok(Call { path: "/v1/checkout/sessions", form, idempotency_key: format!("checkout-{site}-{plan}-{}", c.nonce) })
}

/// `POST /v1/billing_portal/sessions`: the processor's page where an owner changes the card,
/// switches plan or cancels.
pub fn portal(customer: &str, return_url: &str, nonce: &str) -> Call {
    Call {
        path: "/v1/billing_portal/sessions",
        form: vec![("customer".into(), customer.into()), ("return_url".into(), return_url.into())],
        idempotency_key: format!("portal-{customer}-{nonce}"),
    }
}

/// The `url` of a session the processor made.
pub fn session_url(answer: &[u8]) -> EdgeResult<String> {
    let v: Value = serde_json::from_slice(answer)?;
    text(&v, &["url"])
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| EdgeError::Internal("the payment processor's answer has no url".into()))
}

/// The payment processor, as the routes see it.
#[allow(async_fn_in_trait)]
pub trait Processor {
    /// Sends a call and answers the session's URL.
    async fn session(&self, call: &Call) -> EdgeResult<String>;
}

/// Stripe over HTTPS.
#[cfg(target_arch = "wasm32")]
pub struct Stripe {
    pub base: String,
    pub key: String,
}

#[cfg(target_arch = "wasm32")]
impl Processor for Stripe {
    async fn session(&self, call: &Call) -> EdgeResult<String> {
        use worker::{Fetch, Headers, Method, Request, RequestInit};
        let headers = Headers::new();
        headers.set("authorization", &format!("Bearer {}", self.key))?;
        headers.set("content-type", "application/x-www-form-urlencoded")?;
        headers.set("idempotency-key", &call.idempotency_key)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(call.body().into()));
        let req = Request::new_with_init(&format!("{}{}", self.base, call.path), &init)?;
        let mut res = Fetch::Request(req).send().await?;
        let body = res.bytes().await?;
        if res.status_code() >= 400 {
            let detail: String = String::from_utf8_lossy(&body).chars().take(300).collect();
            return Err(EdgeError::Internal(format!("payment processor answered {}: {detail}", res.status_code())));
        }
        session_url(&body)
    }
}

#[cfg(test)]
mod tests;
