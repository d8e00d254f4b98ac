//! Billing's routes: the owners' billing page and its forms (checkout and the customer portal at
//! the payment processor, billing details), the processor's webhook, and the plan checks other
//! routes make where an action happens (a seat, a new conversation, a longer retention period).
//! Everything answers 404 when the operator has not configured billing.

use crate::billing::page::{render, PageView};
use crate::billing::processor::{self, CheckoutFor, Processor, Stripe};
use crate::billing::{
    self, Account, Apply, BillingConfig, BillingDetails, GetAccount, GetPlan, Plan, SetDetails, Status,
};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, query, request_body};
use crate::ledger::{self, document, Credit, Documents, GetDocument};
use crate::router::{html_page, Ctx};
use crate::team::Action;
use crate::workspace::{AdmitConversation, GetUsage, Members};
use shared::api::Role;
use shared::{ConversationId, SiteId};
use worker::{Request, Response, Stub};

/// `path` on the request's own origin (a redirect's target).
pub(crate) fn join(url: &worker::Url, path: &str) -> EdgeResult<worker::Url> {
    url.join(path).map_err(|e| EdgeError::Internal(e.to_string()))
}

/// An invoice's page: styles only, no forms, no script.
const DOCUMENT_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The processors' hosted pages an owner is sent to from a form (the page's `form-action`).
const PROCESSOR_PAGES: &str = "https://checkout.stripe.com https://billing.stripe.com";

impl Ctx<'_> {
    /// The operator's billing configuration; `not_found` where there is none.
    fn billing(&self) -> EdgeResult<BillingConfig> {
        billing::configured(self.env)?.ok_or(EdgeError::NotFound)
    }

    fn billing_object(&self, site: &SiteId) -> EdgeResult<Stub> {
        billing::object(self.env, site)
    }

    fn processor(&self) -> EdgeResult<Stripe> {
        Ok(Stripe { base: self.processor_base(), key: self.secret("STRIPE_SECRET_KEY")? })
    }

    fn processor_base(&self) -> String {
        self.env.var("STRIPE_API").map(|v| v.to_string()).unwrap_or_else(|_| "https://api.stripe.com".into())
    }

    /// The plan whose limits hold for `site` now; `None` without billing (no limits at all).
    pub async fn plan(&self, site: &SiteId) -> EdgeResult<Option<Plan>> {
        if billing::configured(self.env)?.is_none() {
            return Ok(None);
        }
        Ok(Some(ask(&self.billing_object(site)?, GetPlan {}).await?))
    }

    /// Refuses a new member when the plan's seats are all taken.
    pub async fn require_seat(&self, site: &SiteId) -> EdgeResult<()> {
        let Some(plan) = self.plan(site).await? else { return Ok(()) };
        let Some(seats) = plan.limits.seats else { return Ok(()) };
        let members = ask(&self.workspace(site)?, Members {}).await?;
        if members.len() >= seats as usize {
            return Err(EdgeError::PlanLimit(format!(
                "the {} plan includes {seats} seats and all are taken: an owner can choose a larger plan under Billing",
                plan.name
            )));
        }
        Ok(())
    }

    /// Refuses a retention period longer than the plan allows; the period the workspace already
    /// has stays allowed (a plan that shrinks never deletes what was kept under the old one).
    pub async fn require_retention(&self, site: &SiteId, days: Option<u32>, current: Option<u32>) -> EdgeResult<()> {
        if days == current {
            return Ok(());
        }
        let Some(plan) = self.plan(site).await? else { return Ok(()) };
        let Some(ceiling) = plan.limits.retention_days else { return Ok(()) };
        if days.is_none_or(|d| d > ceiling) {
            return Err(EdgeError::PlanLimit(format!(
                "the {} plan keeps conversations for at most {ceiling} days: choose {ceiling} days or fewer, or a larger plan under Billing",
                plan.name
            )));
        }
        Ok(())
    }

    /// Refuses a new conversation over the plan's allowance for the month (the visitor is told
    /// in their language by the chat session's refusal; the owners by the audit log).
    pub async fn admit_conversation(&self, site: &SiteId, id: &ConversationId) -> EdgeResult<()> {
        let Some(plan) = self.plan(site).await? else { return Ok(()) };
        let eu = shared::privacy::DataRegion::of(site) == shared::privacy::DataRegion::Eu;
        // No limit on conversations but the EU region: the allowance is then none (the workspace
        // still lets a conversation that has started go on).
        let limit = if eu && !plan.limits.eu_region { Some(0) } else { plan.limits.conversations };
        let admitted =
            ask(&self.workspace(site)?, AdmitConversation { id: id.clone(), limit, plan: plan.name.clone() }).await?;
        if !admitted && limit == Some(0) && eu {
            return Err(EdgeError::PlanLimit(format!("the {} plan does not include the EU data region", plan.name)));
        }
        if !admitted {
            return Err(EdgeError::PlanLimit(format!("the {} plan's conversations this month are used", plan.name)));
        }
        Ok(())
    }

    /// An owner of `site` (billing is for owners only), with billing configured.
    async fn owner(&self, site: &str, req: &Request) -> EdgeResult<(BillingConfig, SiteId, String)> {
        let config = self.billing()?;
        let (_, workspace) = self.member(site, req, Action::Manage).await?;
        if workspace.role != Role::Owner {
            return Err(EdgeError::Forbidden);
        }
        Ok((config, workspace.id, workspace.name))
    }

    /// `GET /billing/SITE`: the page. Someone signed out is sent to sign in first.
    pub async fn billing_page(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let url = req.url()?;
        let notice = match (query(&url, "checkout").as_deref(), query(&url, "saved").as_deref()) {
            (Some("done"), _) => Some(
                "Thank you. Your subscription shows here as soon as the payment processor confirms it (usually within seconds).",
            ),
            (_, Some("details")) => Some("Billing details saved."),
            _ => None,
        };
        match self.owner(site, req).await {
            Ok((config, site, name)) => self.billing_view(&config, &site, &name, notice, None, 200).await,
            Err(EdgeError::Unauthorized) => Ok(Response::redirect_with_status(join(&url, "/inbox")?, 303)?),
            Err(e) => Err(e),
        }
    }

    async fn billing_view(
        &self,
        config: &BillingConfig,
        site: &SiteId,
        name: &str,
        notice: Option<&str>,
        error: Option<(&str, &BillingDetails)>,
        status: u16,
    ) -> EdgeResult<Response> {
        let (account, usage, workspace, documents) = futures_util::future::join4(
            ask(&self.billing_object(site)?, GetAccount {}),
            ask(&self.workspace(site)?, GetUsage {}),
            self.config(site),
            ask(&ledger::object(self.env)?, Documents { site: site.clone() }),
        )
        .await;
        let (account, usage, workspace, documents): (Account, _, _, _) = (account?, usage?, workspace?, documents?);
        let view = PageView {
            site,
            workspace: name,
            config,
            account: &account,
            usage: &usage,
            retention_days: workspace.chat.retention_days,
            documents: &documents,
            notice,
            error,
        };
        let csp = format!(
            "default-src 'none'; style-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; \
             form-action 'self' {PROCESSOR_PAGES} {}",
            worker::Url::parse(&self.processor_base()).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
        );
        let res = html_page(render(&view), &csp)?.with_status(status);
        // Its forms post to the edge, which checks their Origin: with no-referrer browsers send
        // `Origin: null`. Same-origin requests carry it; nothing leaves for another site.
        res.headers().set("referrer-policy", "same-origin")?;
        Ok(res)
    }

    /// `GET /billing/SITE/invoices/NUMBER[/pdf]`: one of the workspace's invoices or credit
    /// notes, as a page or as a PDF download.
    pub async fn billing_document(&self, site: &str, number: &str, pdf: bool, req: &Request) -> EdgeResult<Response> {
        let (_, site, _) = self.owner(site, req).await?;
        let doc = ask(&ledger::object(self.env)?, GetDocument { site, number: number.to_owned() }).await?;
        if !pdf {
            return html_page(document::html(&doc), DOCUMENT_CSP);
        }
        let headers = worker::Headers::new();
        headers.set("content-type", "application/pdf")?;
        headers.set("content-disposition", &format!("attachment; filename=\"{}.pdf\"", doc.number))?;
        headers.set("x-content-type-options", "nosniff")?;
        headers.set("cache-control", "private, no-cache")?;
        Ok(Response::from_bytes(document::pdf(&doc))?.with_headers(headers))
    }

    /// `POST /api/v1/admin/invoices/NUMBER/credit-note` (the operator, `{"reason": "…"}`): a
    /// credit note cancelling the invoice, the invoice itself unchanged.
    pub async fn credit_note(&self, number: &str, req: &mut Request) -> EdgeResult<Response> {
        self.billing()?;
        self.require_operator(req)?;
        #[derive(serde::Deserialize)]
        struct Body {
            reason: String,
        }
        let body: Body = crate::glue::read_json(req).await?;
        let note = ask(&ledger::object(self.env)?, Credit { number: number.to_owned(), reason: body.reason }).await?;
        let entry = format!("Credit note {} issued for invoice {number}", note.number);
        self.audit(
            &note.draft.site,
            shared::api::AuditActor::Other("billing".into()),
            shared::api::AuditAction::Billing,
            &entry,
        )
        .await;
        json(&note, 201)
    }

    /// A form's fields (`application/x-www-form-urlencoded`).
    pub(crate) async fn form(&self, req: &mut Request) -> EdgeResult<Vec<(String, String)>> {
        let body =
            String::from_utf8(request_body(req).await?).map_err(|_| EdgeError::MalformedBody("not UTF-8".into()))?;
        let url = worker::Url::parse(&format!("https://form/?{body}"))
            .map_err(|e| EdgeError::MalformedBody(e.to_string()))?;
        Ok(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// `POST /billing/SITE/checkout` (`plan=ID`): to the processor's hosted checkout.
    pub async fn billing_checkout(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (config, site, _) = self.owner(site, req).await?;
        let agent = self.agent(req).await?;
        let form = self.form(req).await?;
        let wanted = form.iter().find(|(k, _)| k == "plan").map(|(_, v)| v.as_str()).unwrap_or_default();
        let plan = config.plans.iter().find(|p| p.id == wanted && p.price > 0).ok_or_else(|| {
            EdgeError::Invalid(format!("there is no paid plan '{}'", wanted.chars().take(40).collect::<String>()))
        })?;
        let account = ask(&self.billing_object(&site)?, GetAccount {}).await?;
        if account.subscription.status != Status::Free && account.subscription.customer.is_some() {
            return Err(EdgeError::Conflict(
                "this workspace has a subscription: change it under “Manage subscription”".into(),
            ));
        }
        let return_url = format!("{}/billing/{site}", self.own_origin);
        let nonce = crate::auth::random_token(9)?;
        let call = processor::checkout(&CheckoutFor {
            site: &site,
            plan,
            customer: account.subscription.customer.as_deref(),
            email: account.details.as_ref().map_or(agent.email.as_str(), |d| d.email.as_str()),
            return_url: &return_url,
            nonce: &nonce,
        })?;
        let to = self.processor()?.session(&call).await?;
        Ok(Response::redirect_with_status(
            worker::Url::parse(&to).map_err(|e| EdgeError::Internal(e.to_string()))?,
            303,
        )?)
    }

    /// `POST /billing/SITE/portal`: to the processor's customer portal.
    pub async fn billing_portal(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, site, _) = self.owner(site, req).await?;
        let account = ask(&self.billing_object(&site)?, GetAccount {}).await?;
        let customer = account
            .subscription
            .customer
            .ok_or(EdgeError::Conflict("there is no subscription to manage yet".into()))?;
        let call = processor::portal(
            &customer,
            &format!("{}/billing/{site}", self.own_origin),
            &crate::auth::random_token(9)?,
        );
        let to = self.processor()?.session(&call).await?;
        Ok(Response::redirect_with_status(
            worker::Url::parse(&to).map_err(|e| EdgeError::Internal(e.to_string()))?,
            303,
        )?)
    }

    /// `POST /billing/SITE/details`: saved, or the page again with the error and what was typed.
    pub async fn billing_details(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (config, site, name) = self.owner(site, req).await?;
        let form = self.form(req).await?;
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let vat = field("vat_id");
        let details = BillingDetails {
            company: field("company"),
            address: field("address"),
            vat_id: (!vat.trim().is_empty()).then_some(vat),
            email: field("email"),
        };
        match ask(&self.billing_object(&site)?, SetDetails { details: details.clone() }).await {
            Ok(_) => Ok(Response::redirect_with_status(
                join(&req.url()?, &format!("/billing/{site}?saved=details#details"))?,
                303,
            )?),
            Err(e) if e.status() == 400 => {
                let message = e.public_message();
                self.billing_view(&config, &site, &name, None, Some((&message, &details)), 400).await
            }
            Err(e) => Err(e),
        }
    }

    /// `POST /api/v1/billing/webhook`: the processor's events, each signed with the endpoint's
    /// secret (`STRIPE_WEBHOOK_SECRET`). Refused unsigned, wrongly signed or stale (400, so the
    /// processor shows the failure); an event of no workspace of ours is acknowledged and left.
    pub async fn billing_webhook(&self, req: &mut Request) -> EdgeResult<Response> {
        self.billing()?;
        let body = request_body(req).await?;
        let header = req.headers().get("stripe-signature")?.unwrap_or_default();
        processor::verify_signature(&header, &body, &self.secret("STRIPE_WEBHOOK_SECRET")?, self.arrived / 1000)?;
        // Read here for its workspace; its object reads it again (events cross as they came).
        let changed = match processor::parse_event(&body)? {
            Some(event) => {
                let body = String::from_utf8(body).map_err(|_| EdgeError::MalformedBody("not UTF-8".into()))?;
                ask(&self.billing_object(&event.site)?, Apply { body }).await?
            }
            None => false,
        };
        json(&serde_json::json!({ "received": true, "changed": changed }), 200)
    }
}
