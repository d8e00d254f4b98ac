//! The webhooks parts of the Integrations page: the endpoints with a form to add one (its signing
//! secret shown once, on the answer to that form), and each endpoint's own page
//! (`/integrations/SITE/webhooks/ID`) with its settings, "Send a test event", "Rotate secret",
//! "Enable" for a disabled one, "Delete endpoint", and its delivery log with "Redeliver".

use crate::consent_export::{day, iso8601};
use crate::pages::escape_html as esc;
use crate::webhooks::{Delivery, DeliveryState, Endpoint, EventKind};
use std::fmt::Write;

/// The "add an endpoint" form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookForm {
    pub url: String,
    pub kinds: Vec<EventKind>,
}

impl HookForm {
    /// From the form's fields (`event` once per ticked box).
    pub fn from_fields(fields: &[(String, String)]) -> HookForm {
        let mut form = HookForm::default();
        for (key, value) in fields {
            match key.as_str() {
                "url" => form.url = value.trim().to_owned(),
                "event" => form.kinds.extend(EventKind::from_name(value).filter(|k| *k != EventKind::Test)),
                _ => {}
            }
        }
        form
    }
}

/// `2026-12-07 13:15:02 UTC`: a delivery's time, to the second.
fn when(ms: i64) -> String {
    let iso = iso8601(ms);
    format!("{} {} UTC", &iso[..10], &iso[11..19])
}

fn kinds_text(kinds: &[EventKind]) -> String {
    kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

fn state_text(e: &Endpoint) -> String {
    match &e.disabled {
        Some(d) => format!("Disabled {}: {}", day(d.at), d.reason),
        None => "Receiving".into(),
    }
}

/// The endpoints table and the form, for the Integrations page. `typed`: a refused form's
/// message and what was typed.
pub fn section(site: &str, endpoints: &[Endpoint], secret: Option<&str>, typed: Option<(&str, &HookForm)>) -> String {
    let mut rows = String::new();
    for e in endpoints {
        let _ = write!(
            rows,
            "<tr><th scope=\"row\"><code>{url}</code></th><td>{kinds}</td><td>{state}</td>\
             <td><a href=\"/integrations/{site}/webhooks/{id}\" aria-label=\"Deliveries and settings of {url}\">Deliveries and settings</a></td></tr>",
            url = esc(&e.url),
            kinds = esc(&kinds_text(&e.kinds)),
            state = esc(&state_text(e)),
            site = esc(site),
            id = esc(&e.id),
        );
    }
    let table = if endpoints.is_empty() {
        "<p>No endpoints yet.</p>".to_owned()
    } else {
        format!(
            "<table><caption class=\"sr\">Webhook endpoints</caption><thead><tr><th scope=\"col\">Endpoint</th>\
             <th scope=\"col\">Events</th><th scope=\"col\">State</th><th scope=\"col\"><span class=\"sr\">Actions</span></th></tr></thead>\
             <tbody>{rows}</tbody></table>"
        )
    };
    let shown = secret.map(secret_notice).unwrap_or_default();
    let empty = HookForm::default();
    let (error, typed) = super::refused(typed, &empty);
    let boxes = super::check_boxes("event", EventKind::ALL.map(|k| (k.name(), k.hint(), typed.kinds.contains(&k))));
    format!(
        r#"<section aria-labelledby="hooks-title"><h2 id="hooks-title">Webhooks</h2>
<p class="hint">Provixchat sends each event you choose to your endpoint as it happens: a POST with a JSON body, signed as the <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> specification says (headers <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>). An endpoint that does not answer 2xx gets the event again, with growing waits, for about three days; events of one conversation arrive in order. Payloads carry only what the event needs, and nothing about a visitor who paused processing.</p>
{shown}{table}</section>
<section aria-labelledby="new-hook-title"><h2 id="new-hook-title">New endpoint</h2>
<form method="post" action="/integrations/{site}/webhooks#hooks-title" class="stack">{error}
<label for="hook-url">Endpoint URL</label><input id="hook-url" name="url" type="url" maxlength="2000" required value="{url}" placeholder="https://helpdesk.example.com/provixchat">
<fieldset><legend>Events</legend>{boxes}</fieldset>
<button type="submit">Add endpoint</button></form></section>"#,
        site = esc(site),
        url = esc(&typed.url),
    )
}

fn secret_notice(secret: &str) -> String {
    format!(
        "<div class=\"notice\" role=\"status\"><p><strong>The endpoint's signing secret.</strong> Copy it now: it is not \
         shown again. Your receiver checks each delivery's signature with it.</p>\
         <label for=\"new-secret\">Signing secret</label><input id=\"new-secret\" readonly value=\"{}\" class=\"token\"></div>",
        esc(secret)
    )
}

/// What the endpoint's page shows.
pub struct EndpointView<'a> {
    pub workspace: &'a str,
    pub site: &'a str,
    pub endpoint: &'a Endpoint,
    pub deliveries: &'a [Delivery],
    pub now: i64,
    /// A secret just made (a rotation): shown this once.
    pub secret: Option<&'a str>,
    pub notice: Option<&'a str>,
    /// A refused change of its events: why (the boxes show what was ticked).
    pub error: Option<(&'a str, &'a HookForm)>,
}

fn result_text(d: &Delivery, now: i64) -> String {
    let last = match (d.last_status, &d.last_error) {
        (_, Some(error)) => error.clone(),
        (Some(status), None) => format!("answered {status}"),
        (None, None) => String::new(),
    };
    match d.state {
        DeliveryState::Delivered => format!("Delivered ({last})"),
        DeliveryState::Failed => format!("Failed: {last}"),
        DeliveryState::Pending if d.attempts == 0 => "Waiting to be sent".into(),
        DeliveryState::Pending if d.due_at <= now => format!("Sending again now; last try: {last}"),
        DeliveryState::Pending => format!("Next try {}; last try: {last}", when(d.due_at)),
    }
}

fn action(site: &str, id: &str, path: &str, label: &str, class: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/integrations/{site}/webhooks/{id}/{path}\"><button type=\"submit\"{class}>{label}</button></form>",
        site = esc(site),
        id = esc(id),
        class = if class.is_empty() { String::new() } else { format!(" class=\"{class}\"") },
    )
}

pub fn endpoint_page(view: &EndpointView<'_>) -> String {
    let e = view.endpoint;
    let site = view.site;
    let notice = view.notice.map(|n| format!("<p class=\"notice\" role=\"status\">{}</p>", esc(n))).unwrap_or_default();
    let secret = view.secret.map(secret_notice).unwrap_or_default();
    let current = HookForm { url: e.url.clone(), kinds: e.kinds.clone() };
    let (error, ticked) = super::refused(view.error, &current);
    let boxes = super::check_boxes("event", EventKind::ALL.map(|k| (k.name(), k.hint(), ticked.kinds.contains(&k))));
    let events = format!(
        "<form method=\"post\" action=\"/integrations/{site}/webhooks/{id}/events\" class=\"stack\">{error}\
         <fieldset><legend>Events it receives</legend>{boxes}</fieldset><button type=\"submit\" class=\"secondary\">Save events</button></form>",
        site = esc(site),
        id = esc(&e.id),
    );
    let rotation = match e.previous_until {
        Some(until) if until > view.now => {
            format!("Rotated: the previous secret signs too until {}.", when(until))
        }
        _ => "One secret in use.".into(),
    };
    let facts: [(&str, String); 5] = [
        ("Events", kinds_text(&e.kinds)),
        ("Added", format!("{} by {}", day(e.created_at), e.created_by.as_str())),
        ("State", state_text(e)),
        ("Signing secret", rotation),
        ("Endpoint ID", e.id.clone()),
    ];
    let facts: String =
        facts.iter().map(|(k, v)| format!("<tr><th scope=\"row\">{k}</th><td>{}</td></tr>", esc(v))).collect();
    let mut actions = String::new();
    if e.disabled.is_some() {
        actions.push_str(&action(site, &e.id, "enable", "Enable", ""));
    } else {
        actions.push_str(&action(site, &e.id, "test", "Send a test event", ""));
    }
    actions.push_str(&action(site, &e.id, "rotate", "Rotate secret", "secondary"));
    actions.push_str(&action(site, &e.id, "delete", "Delete endpoint", "secondary"));
    let mut rows = String::new();
    for d in view.deliveries {
        let redeliver = format!(
            "<form method=\"post\" action=\"/integrations/{site}/webhooks/{id}/deliveries/{n}/redeliver\">\
             <button type=\"submit\" class=\"secondary\" aria-label=\"Redeliver {event}\">Redeliver</button></form>",
            site = esc(site),
            id = esc(&e.id),
            n = d.id,
            event = esc(&d.event_id),
        );
        let _ = write!(
            rows,
            "<tr><th scope=\"row\"><code>{kind}</code><br><small>{event}</small></th><td>{made}</td><td>{attempts}</td><td>{result}</td><td>{redeliver}</td></tr>",
            kind = d.kind.name(),
            event = esc(&d.event_id),
            made = when(d.created_at),
            attempts = d.attempts,
            result = esc(&result_text(d, view.now)),
            redeliver = if d.state == DeliveryState::Pending { String::new() } else { redeliver },
        );
    }
    let log = if view.deliveries.is_empty() {
        "<p>Nothing sent yet.</p>".to_owned()
    } else {
        format!(
            "<table><caption class=\"sr\">Deliveries, newest first</caption><thead><tr><th scope=\"col\">Event</th><th scope=\"col\">Made</th>\
             <th scope=\"col\">Tries</th><th scope=\"col\">Result</th><th scope=\"col\"><span class=\"sr\">Actions</span></th></tr></thead>\
             <tbody>{rows}</tbody></table>"
        )
    };
    let workspace = esc(view.workspace);
    let url = esc(&e.url);
    let body = format!(
        r#"<main>
<header><p><a href="/integrations/{site}">← Back to Integrations</a></p><h1>Webhook endpoint</h1><p class="lede"><code>{url}</code> · {workspace}</p></header>
{notice}{secret}
<section aria-labelledby="settings-title"><h2 id="settings-title">Settings</h2>
<table><caption class="sr">Endpoint settings</caption><tbody>{facts}</tbody></table><div class="actions">{actions}</div>
{events}</section>
<section aria-labelledby="log-title"><h2 id="log-title">Deliveries</h2>
<p class="hint">The latest 50, newest first, kept for 30 days. A redelivery keeps the event's <code>webhook-id</code>, so your receiver can tell it has seen it.</p>{log}</section>
</main>"#,
        site = esc(site),
    );
    crate::pages::document(&format!("Webhook endpoint — {workspace}"), &["/notice.css", "/billing.css"], &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::Disabled;
    use shared::Email;

    const NOW: i64 = 1_796_083_200_000; // 2026-12-01

    fn endpoint(disabled: bool) -> Endpoint {
        Endpoint {
            id: "0a1b2c3d4e5f".into(),
            url: "https://h.example/in?a=1&b=<2>".into(),
            kinds: vec![EventKind::MessageCreated, EventKind::ContactErased],
            created_at: NOW,
            created_by: Email::parse("olga@shop.example").unwrap(),
            disabled: disabled
                .then(|| Disabled { at: NOW, reason: "a delivery failed for about three days (timed out)".into() }),
            previous_until: None,
        }
    }

    fn delivery(id: i64, state: DeliveryState, attempts: u32, status: Option<u16>, error: Option<&str>) -> Delivery {
        Delivery {
            id,
            endpoint: "0a1b2c3d4e5f".into(),
            event_id: format!("shop_c1_m{id}"),
            kind: EventKind::MessageCreated,
            order: None,
            visitor: None,
            body: "{}".into(),
            created_at: NOW,
            attempts,
            state,
            due_at: NOW + 30_000,
            last_at: Some(NOW),
            last_status: status,
            last_error: error.map(str::to_owned),
        }
    }

    #[test]
    fn the_form_reads_urls_and_ticked_events_and_a_refused_one_keeps_them() {
        let fields: Vec<(String, String)> = [
            ("url", " https://h.example/x "),
            ("event", "message.created"),
            ("event", "webhook.test"),
            ("event", "nope"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = HookForm::from_fields(&fields);
        assert_eq!(form, HookForm { url: "https://h.example/x".into(), kinds: vec![EventKind::MessageCreated] });
        let html = section("shop", &[], None, Some(("the URL must start with https://", &form)));
        assert!(html.contains("role=\"alert\">the URL must start with https://</p>"));
        assert!(html.contains("value=\"https://h.example/x\""));
        assert!(
            html.contains("value=\"message.created\" checked>") && !html.contains("value=\"contact.erased\" checked")
        );
        assert!(html.contains("No endpoints yet."));
    }

    #[test]
    fn endpoints_are_listed_escaped_and_a_new_secret_is_shown_once() {
        let html = section("shop", &[endpoint(false), endpoint(true)], Some("whsec_abc"), None);
        assert!(html.contains("<code>https://h.example/in?a=1&amp;b=&lt;2&gt;</code>"));
        assert!(html.contains("<td>message.created, contact.erased</td><td>Receiving</td>"));
        assert!(html.contains("Disabled 2026-12-01: a delivery failed"));
        assert!(html.contains("value=\"whsec_abc\"") && html.contains("not shown again"));
        assert!(html.contains("href=\"/integrations/shop/webhooks/0a1b2c3d4e5f\""));
    }

    #[test]
    fn the_endpoint_page_shows_the_log_and_the_actions_that_apply() {
        let e = endpoint(false);
        let deliveries = [
            delivery(3, DeliveryState::Pending, 2, Some(500), Some("the receiver answered 500")),
            delivery(2, DeliveryState::Delivered, 1, Some(204), None),
            delivery(1, DeliveryState::Failed, 15, None, Some("no answer within 10 s")),
        ];
        let view = EndpointView {
            workspace: "Shop",
            site: "shop",
            endpoint: &e,
            deliveries: &deliveries,
            now: NOW,
            secret: None,
            notice: None,
            error: None,
        };
        let html = endpoint_page(&view);
        assert!(html.contains("Next try 2026-12-01 00:00:30 UTC; last try: the receiver answered 500"));
        assert!(html.contains("Delivered (answered 204)") && html.contains("Failed: no answer within 10 s"));
        assert_eq!(html.matches(">Redeliver</button>").count(), 2, "not the pending one");
        assert!(html.contains("action=\"/integrations/shop/webhooks/0a1b2c3d4e5f/deliveries/1/redeliver\""));
        assert!(html.contains(">Send a test event</button>") && !html.contains(">Enable</button>"));
        let off = endpoint(true);
        let html = endpoint_page(&EndpointView { endpoint: &off, deliveries: &[], ..view });
        assert!(html.contains(">Enable</button>") && !html.contains(">Send a test event</button>"));
        assert!(html.contains("Nothing sent yet."));
        // Its events can be changed; a refused change shows why and what was ticked.
        assert!(html.contains("action=\"/integrations/shop/webhooks/0a1b2c3d4e5f/events\""));
        assert!(
            html.contains("value=\"contact.erased\" checked>") && !html.contains("value=\"consent.recorded\" checked")
        );
        let none = HookForm { url: String::new(), kinds: vec![] };
        let html =
            endpoint_page(&EndpointView { endpoint: &off, error: Some(("choose at least one event", &none)), ..view });
        assert!(html.contains("role=\"alert\">choose at least one event</p>") && !html.contains("\" checked>"));
    }
}
