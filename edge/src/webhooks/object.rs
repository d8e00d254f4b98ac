//! The webhooks object's `worker` glue: typed calls decided by `logic`, and the alarm that sends
//! what is due: a POST per delivery, signed, redirects not followed, cut off after
//! [`TIMEOUT_MS`], its answer's body never read, the address rules checked again first.

use super::address;
use super::logic::{DisabledNow, EndpointRow, Hooks, Outcome, WakeAt};
use super::store::{schema, SqlHooks};
use super::*;
use crate::error::EdgeResult;
use crate::glue::{ask, at_time, now_ms};
use futures_util::future::join_all;
use worker::{
    console_error, durable_object, AbortSignal, DurableObject, Env, Fetch, Headers, Method, Request, RequestInit,
    RequestRedirect, Response, State,
};

/// A receiver has this long to answer (its body included).
pub const TIMEOUT_MS: u32 = 10_000;
/// Rounds of [`super::logic::ROUND`] deliveries in one alarm.
const ROUNDS: usize = 50;

thread_local! {
    /// This isolate's copies of what each site's endpoints want (see [`wanted`]).
    static WANTED: std::cell::RefCell<crate::config_cache::TtlCache<Vec<EventKind>>> =
        std::cell::RefCell::new(crate::config_cache::TtlCache::new(crate::config_cache::CONFIG_TTL_MS, crate::config_cache::MAX_SITES));
}

/// The kinds `site`'s enabled endpoints want, as a producer asks before it makes events: a copy
/// at most [`crate::config_cache::CONFIG_TTL_MS`] old, so a site without endpoints costs its
/// conversations one call in that time, not one per message. When the object cannot be asked,
/// every kind (the events wait in the producer's outbox until it can, and it drops the unwanted).
pub async fn wanted(env: &Env, site: &shared::SiteId) -> Vec<EventKind> {
    let now = now_ms();
    if let Some(kinds) = WANTED.with(|c| c.borrow().get(site.as_str(), now)) {
        return kinds;
    }
    let seen = WANTED.with(|c| c.borrow().generation());
    let asked = async { ask(&crate::glue::webhooks_object(env, site)?, Subscribed {}).await }.await;
    match asked {
        Ok(kinds) => {
            WANTED.with(|c| c.borrow_mut().put(site.as_str(), kinds.clone(), now, seen));
            kinds
        }
        Err(e) => {
            console_error!("webhooks of {site}: {e}");
            EventKind::ALL.to_vec()
        }
    }
}

/// Forgets this isolate's copy for `site` (its endpoints changed here).
pub fn forget(site: &shared::SiteId) {
    WANTED.with(|c| c.borrow_mut().forget(site.as_str()));
}

#[durable_object]
pub struct Webhooks {
    state: State,
    env: Env,
}

impl Webhooks {
    /// The loopback setting (`WEBHOOKS_LOOPBACK=on`, local runs only).
    fn local(&self) -> bool {
        self.env.var("WEBHOOKS_LOOPBACK").is_ok_and(|v| v.to_string() == "on")
    }

    fn with<T>(&self, decide: impl FnOnce(&mut Hooks<'_, SqlHooks>) -> T) -> T {
        let second_ms = self.env.var("WEBHOOK_SECOND_MS").ok().and_then(|v| v.to_string().parse().ok()).unwrap_or(1000);
        let mut store = SqlHooks(self.state.storage().sql());
        decide(&mut Hooks { store: &mut store, now: now_ms(), second_ms, local: self.local() })
    }

    async fn wake(&self, at: Option<WakeAt>) -> EdgeResult<()> {
        if let Some(WakeAt(at)) = at {
            // Never later than an alarm already set for sooner.
            let current = self.state.storage().get_alarm().await?;
            if current.is_none_or(|c| c > at) {
                self.state.storage().set_alarm(at_time(at)).await?;
            }
        }
        Ok(())
    }

    fn site(&self) -> EdgeResult<shared::SiteId> {
        Ok(shared::SiteId::parse(&self.state.id().name().unwrap_or_default())?)
    }

    /// Sends one delivery and says how it went; never fails the round.
    async fn deliver(&self, d: &Delivery, row: &EndpointRow) -> Outcome {
        match self.try_deliver(d, row).await {
            Ok(status) => Outcome::Answered(status),
            Err(why) => Outcome::Failed(why),
        }
    }

    async fn try_deliver(&self, d: &Delivery, row: &EndpointRow) -> Result<u16, String> {
        let local = self.local();
        let target = address::check_url(&row.endpoint.url, local)?;
        if target.ip.is_none() && !local {
            address::resolved_ok(&target.host, &resolve(&target.host).await?)?;
        }
        let timestamp = now_ms() / 1000;
        let signature = self.with(|h| h.signature(row, &d.event_id, timestamp, &d.body)).map_err(|e| e.to_string())?;
        let request = (|| -> worker::Result<Request> {
            let headers = Headers::new();
            headers.set("content-type", "application/json")?;
            headers.set("user-agent", "Provixchat-Webhooks/1")?;
            headers.set("webhook-id", &d.event_id)?;
            headers.set("webhook-timestamp", &timestamp.to_string())?;
            headers.set("webhook-signature", &signature)?;
            let mut init = RequestInit::new();
            init.with_method(Method::Post)
                .with_headers(headers)
                .with_body(Some(d.body.as_str().into()))
                .with_redirect(RequestRedirect::Manual);
            Request::new_with_init(&row.endpoint.url, &init)
        })()
        .map_err(|e| format!("could not make the request: {e}"))?;
        // One signal for the whole exchange: the receiver has TIMEOUT_MS to answer.
        let signal = timeout_signal();
        let res = Fetch::Request(request).send_with_signal(&signal).await.map_err(|e| match signal.aborted() {
            true => format!("no answer within {} s", TIMEOUT_MS / 1000),
            false => format!("no answer: {e}"),
        })?;
        // Only the status counts: the answer's body is never read (nothing a receiver sends back
        // is waited for or kept).
        let status = res.status_code();
        if (300..400).contains(&status) {
            return Err(format!("the receiver answered {status} (a redirect, not followed)"));
        }
        Ok(status)
    }

    /// An endpoint was disabled: every owner gets a mail, and the audit log an entry.
    async fn tell_owners(&self, disabled: DisabledNow) -> EdgeResult<()> {
        let DisabledNow(endpoint) = disabled;
        let site = self.site()?;
        let workspace = crate::glue::workspace_object(&self.env, &site)?;
        let reason = endpoint.disabled.map(|d| d.reason).unwrap_or_default();
        let entry = shared::api::AuditEntry {
            at: now_ms(),
            actor: shared::api::AuditActor::Other("webhooks".into()),
            action: shared::api::AuditAction::Api,
            detail: format!("Webhook endpoint {} disabled: {reason}", endpoint.url),
        };
        ask(&workspace, crate::workspace::AppendAudit { entry }).await?;
        let config = ask(&workspace, crate::workspace::GetConfig {}).await?;
        let origin = crate::glue::public_origin(&self.env);
        let sender = crate::mail::account::Sender { from: crate::glue::mail_from(&self.env), origin: origin.clone() };
        let page = format!("{origin}/integrations/{site}");
        for owner in ask(&workspace, crate::workspace::Members {}).await? {
            if owner.role != shared::api::Role::Owner {
                continue;
            }
            let (kind, mail) =
                sender.webhook_disabled(owner.email.as_str(), &config.name, &endpoint.url, &reason, &page);
            let queue = crate::postbox::Queue { kind, site: Some(site.clone()), mail };
            ask(&crate::glue::postbox_object(&self.env, owner.email.as_str())?, queue).await?;
        }
        Ok(())
    }

    /// Sends what is due, a round at a time (deliveries of a round go out together, so one
    /// hanging receiver costs the others nothing), until nothing is due now or [`ROUNDS`] went by
    /// (then the next alarm goes on at once).
    async fn send_due(&self) -> EdgeResult<()> {
        for _ in 0..ROUNDS {
            let due = self.with(|h| h.due())?;
            if due.is_empty() {
                break;
            }
            let outcomes = join_all(due.iter().map(|(d, row)| self.deliver(d, row))).await;
            for ((d, _), outcome) in due.iter().zip(outcomes) {
                if let Outcome::Failed(why) = &outcome {
                    console_error!("webhook {} to endpoint {}: {why}", d.event_id, d.endpoint);
                }
                if let Some(disabled) = self.with(|h| h.outcome(d, outcome))? {
                    if let Err(e) = self.tell_owners(disabled).await {
                        console_error!("webhooks: telling the owners of a disabled endpoint: {e}");
                    }
                }
            }
        }
        let next = self.with(|h| h.next_wake())?;
        match next {
            Some(WakeAt(at)) => self.state.storage().set_alarm(at_time(at)).await?,
            None => self.state.storage().delete_alarm().await?,
        }
        Ok(())
    }
}

/// A signal that aborts after [`TIMEOUT_MS`] (`AbortSignal.timeout`).
fn timeout_signal() -> AbortSignal {
    AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS))
}

/// The addresses of `host`, asked of Cloudflare's DNS over HTTPS (a Worker has no resolver of
/// its own).
async fn resolve(host: &str) -> Result<Vec<std::net::IpAddr>, String> {
    let mut addresses = Vec::new();
    for kind in ["A", "AAAA"] {
        let url = format!("https://cloudflare-dns.com/dns-query?name={host}&type={kind}");
        let answer = async {
            let headers = Headers::new();
            headers.set("accept", "application/dns-json")?;
            let mut init = RequestInit::new();
            init.with_headers(headers);
            let mut res =
                Fetch::Request(Request::new_with_init(&url, &init)?).send_with_signal(&timeout_signal()).await?;
            res.text().await
        }
        .await
        .map_err(|e| format!("could not resolve {host}: {e}"))?;
        addresses.extend(address::dns_answers(&answer));
    }
    Ok(addresses)
}

impl WebhooksCalls for Webhooks {
    async fn accept(&self, request: Accept) -> EdgeResult<()> {
        let wake = self.with(|h| h.accept(&request.events))?;
        self.wake(wake).await
    }

    async fn subscribed(&self, _: Subscribed) -> EdgeResult<Vec<EventKind>> {
        self.with(|h| h.subscribed())
    }

    async fn endpoints(&self, _: Endpoints) -> EdgeResult<Vec<Endpoint>> {
        self.with(|h| h.endpoints())
    }

    async fn add_endpoint(&self, r: AddEndpoint) -> EdgeResult<Endpoint> {
        self.with(|h| h.add(r.by, r.id, &r.url, &r.kinds, r.secret))
    }

    async fn change(&self, r: Change) -> EdgeResult<Endpoint> {
        let (endpoint, wake) = self.with(|h| h.change(&r.endpoint, r.change))?;
        self.wake(wake).await?;
        Ok(endpoint)
    }

    async fn deliveries(&self, r: Deliveries) -> EdgeResult<Vec<Delivery>> {
        self.with(|h| h.log(&r.endpoint))
    }

    async fn withhold(&self, r: Withhold) -> EdgeResult<()> {
        self.with(|h| h.withhold(&r.visitor, r.on))
    }

    async fn forget_visitor(&self, r: ForgetVisitor) -> EdgeResult<u32> {
        let (left, wake) = self.with(|h| h.forget_visitor(&r.visitor, &r.event))?;
        self.wake(wake).await?;
        Ok(left)
    }
}

impl DurableObject for Webhooks {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        WebhooksRequest::serve(self, req).await
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.send_due().await.map_err(|e| worker::Error::RustError(format!("webhooks: {e}")))?;
        Response::ok("")
    }
}
