//! The routes owners and admins manage webhook endpoints with, on the Integrations page (plain
//! forms, `integrations::webhooks` renders them): add one (its secret shown once), its page with
//! the delivery log, send a test event, rotate the secret, enable a disabled one, delete it, and
//! redeliver one delivery. Membership and role are checked on every request; each change goes
//! into the audit log.

use crate::api_routes::{integrations_answer, Shown};
use crate::billing_routes::join;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, now_ms, query};
use crate::integrations::webhooks::{endpoint_page, EndpointView, HookForm};
use crate::router::Ctx;
use crate::team::Action;
use crate::webhooks::{logic::secret_from, AddEndpoint, Change, Deliveries, Endpoint, EndpointChange, Endpoints};
use shared::api::{AuditAction, AuditActor, AuditEntry, WorkspaceRef};
use shared::{Email, SiteId};
use worker::{Request, Response, Stub};

fn new_secret() -> EdgeResult<String> {
    Ok(secret_from(&crate::auth::random_bytes(24)?))
}

impl Ctx<'_> {
    pub fn webhooks(&self, site: &SiteId) -> EdgeResult<Stub> {
        crate::glue::webhooks_object(self.env, site)
    }

    async fn audit_hook(&self, site: &SiteId, by: &Email, detail: String) -> EdgeResult<()> {
        let entry = AuditEntry { at: now_ms(), actor: AuditActor::Agent(by.clone()), action: AuditAction::Api, detail };
        ask(&self.workspace(site)?, crate::workspace::AppendAudit { entry }).await
    }

    /// `POST /integrations/SITE/webhooks`: the page again, with the new endpoint's secret shown
    /// this once, or with the form's error and what was typed.
    pub async fn webhook_add(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let form = HookForm::from_fields(&self.form(req).await?);
        let secret = new_secret()?;
        let add = AddEndpoint {
            by: agent.email.clone(),
            id: crate::auth::random_hex(6)?,
            url: form.url.clone(),
            kinds: form.kinds.clone(),
            secret: secret.clone(),
        };
        match ask(&self.webhooks(&workspace.id)?, add).await {
            Ok(endpoint) => {
                crate::webhooks::forget(&workspace.id);
                let kinds: Vec<&str> = endpoint.kinds.iter().map(|k| k.name()).collect();
                let detail = format!("Webhook endpoint {} added ({})", endpoint.url, kinds.join(", "));
                self.audit_hook(&workspace.id, &agent.email, detail).await?;
                self.integrations_view(&workspace, Shown { secret: Some(&secret), ..Shown::default() }, 201).await
            }
            Err(e) if e.status() < 500 => {
                let message = e.public_message();
                let shown = Shown { hook_error: Some((&message, &form)), ..Shown::default() };
                self.integrations_view(&workspace, shown, e.status()).await
            }
            Err(e) => Err(e),
        }
    }

    /// `GET /integrations/SITE/webhooks/ID`: the endpoint's settings and delivery log.
    pub async fn webhook_page(&self, site: &str, id: &str, req: &Request) -> EdgeResult<Response> {
        let url = req.url()?;
        let notice = match query(&url, "done").as_deref() {
            Some("test") => Some("Test event queued: it appears in the log below once sent."),
            Some("enabled") => Some("Endpoint enabled: what waited for it is being sent."),
            Some("redelivered") => Some("Delivery queued again."),
            Some("events") => Some("Events saved: the endpoint receives these from now on."),
            _ => None,
        };
        match self.member(site, req, Action::Manage).await {
            Ok((_, workspace)) => self.endpoint_view(&workspace, id, None, notice, None, 200).await,
            Err(EdgeError::Unauthorized) => Ok(Response::redirect_with_status(join(&url, "/inbox")?, 303)?),
            Err(e) => Err(e),
        }
    }

    async fn endpoint_view(
        &self,
        workspace: &WorkspaceRef,
        id: &str,
        secret: Option<&str>,
        notice: Option<&str>,
        error: Option<(&str, &HookForm)>,
        status: u16,
    ) -> EdgeResult<Response> {
        let hooks = self.webhooks(&workspace.id)?;
        let endpoints = ask(&hooks, Endpoints {}).await?;
        let endpoint: &Endpoint = endpoints.iter().find(|e| e.id == id).ok_or(EdgeError::NotFound)?;
        let deliveries = ask(&hooks, Deliveries { endpoint: id.to_owned() }).await?;
        let view = EndpointView {
            workspace: &workspace.name,
            site: workspace.id.as_str(),
            endpoint,
            deliveries: &deliveries,
            now: now_ms(),
            secret,
            notice,
            error,
        };
        integrations_answer(endpoint_page(&view), status)
    }

    /// `POST /integrations/SITE/webhooks/ID/ACTION`: `test`, `rotate` (the page with the new
    /// secret shown once), `events` (the boxes ticked), `enable` or `delete`.
    pub async fn webhook_action(&self, site: &str, id: &str, action: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let hooks = self.webhooks(&workspace.id)?;
        let change = |change: EndpointChange| Change { endpoint: id.to_owned(), change };
        let url = req.url()?;
        let back = |done: &str| -> EdgeResult<Response> {
            let to = join(&url, &format!("/integrations/{}/webhooks/{id}?done={done}", workspace.id))?;
            Ok(Response::redirect_with_status(to, 303)?)
        };
        match action {
            "test" => {
                let event_id = format!("test_{}", crate::auth::random_hex(8)?);
                ask(&hooks, change(EndpointChange::Test { event_id })).await?;
                back("test")
            }
            "rotate" => {
                let secret = new_secret()?;
                let endpoint = ask(&hooks, change(EndpointChange::Rotate { secret: secret.clone() })).await?;
                let detail = format!("Webhook endpoint {} given a new signing secret", endpoint.url);
                self.audit_hook(&workspace.id, &agent.email, detail).await?;
                let notice = "New secret made: deliveries carry signatures with both secrets for a day, then with the new one only.";
                self.endpoint_view(&workspace, id, Some(&secret), Some(notice), None, 200).await
            }
            "events" => {
                let form = HookForm::from_fields(&self.form(req).await?);
                match ask(&hooks, change(EndpointChange::Events { kinds: form.kinds.clone() })).await {
                    Ok(endpoint) => {
                        crate::webhooks::forget(&workspace.id);
                        let kinds: Vec<&str> = endpoint.kinds.iter().map(|k| k.name()).collect();
                        let detail = format!("Webhook endpoint {} now receives {}", endpoint.url, kinds.join(", "));
                        self.audit_hook(&workspace.id, &agent.email, detail).await?;
                        back("events")
                    }
                    Err(e) if e.status() < 500 => {
                        let message = e.public_message();
                        self.endpoint_view(&workspace, id, None, None, Some((&message, &form)), e.status()).await
                    }
                    Err(e) => Err(e),
                }
            }
            "enable" => {
                let endpoint = ask(&hooks, change(EndpointChange::Enable)).await?;
                crate::webhooks::forget(&workspace.id);
                self.audit_hook(&workspace.id, &agent.email, format!("Webhook endpoint {} enabled", endpoint.url))
                    .await?;
                back("enabled")
            }
            "delete" => {
                let endpoint = ask(&hooks, change(EndpointChange::Remove)).await?;
                crate::webhooks::forget(&workspace.id);
                self.audit_hook(&workspace.id, &agent.email, format!("Webhook endpoint {} deleted", endpoint.url))
                    .await?;
                let to = join(&url, &format!("/integrations/{}?deleted=1", workspace.id))?;
                Ok(Response::redirect_with_status(to, 303)?)
            }
            _ => Err(EdgeError::NotFound),
        }
    }

    /// `POST /integrations/SITE/webhooks/ID/deliveries/N/redeliver`.
    pub async fn webhook_redeliver(&self, site: &str, id: &str, delivery: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Manage).await?;
        let delivery: i64 = delivery.parse().map_err(|_| EdgeError::NotFound)?;
        let redeliver = Change { endpoint: id.to_owned(), change: EndpointChange::Redeliver { delivery } };
        ask(&self.webhooks(&workspace.id)?, redeliver).await?;
        let to = join(&req.url()?, &format!("/integrations/{}/webhooks/{id}?done=redelivered", workspace.id))?;
        Ok(Response::redirect_with_status(to, 303)?)
    }
}
