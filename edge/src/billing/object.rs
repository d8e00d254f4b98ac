//! The billing object's `worker` glue: typed calls, the grace period's alarm, and the audit
//! entries its decisions write in the workspace's log.

use super::logic::{self, Effect};
use super::store::{schema, SqlBilling};
use super::{
    Account, Apply, BillingCalls, BillingConfig, BillingDetails, BillingRequest, GetAccount, GetPlan, Plan, SetDetails,
};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, at_time, now_ms};
use crate::workspace::AppendAudit;
use shared::api::{AuditAction, AuditActor, AuditEntry};
use shared::SiteId;
use worker::{console_error, durable_object, DurableObject, Env, Request, Response, State};

#[durable_object]
pub struct Billing {
    state: State,
    env: Env,
}

impl Billing {
    fn config(&self) -> EdgeResult<BillingConfig> {
        crate::billing::configured(&self.env)?.ok_or(EdgeError::NotFound)
    }

    fn with<T>(&self, decide: impl FnOnce(&mut logic::Billing<'_, SqlBilling>) -> EdgeResult<T>) -> EdgeResult<T> {
        let config = self.config()?;
        let mut store = SqlBilling(self.state.storage().sql());
        decide(&mut logic::Billing { store: &mut store, config: &config, now: now_ms() })
    }

    /// Carries out a decision's effects: the alarm, and the owners told in the audit log (a
    /// failure to write there is logged; the decision stands).
    async fn effects(&self, effects: Vec<Effect>) -> EdgeResult<()> {
        let site = SiteId::parse(&self.state.id().name().unwrap_or_default())?;
        for effect in effects {
            match effect {
                Effect::WakeAt(at) => self.state.storage().set_alarm(at_time(at)).await?,
                Effect::Issue(draft) => {
                    ask(&crate::ledger::object(&self.env)?, crate::ledger::Issue { draft: *draft }).await?;
                }
                Effect::Audit(detail) => {
                    let entry = AuditEntry {
                        at: now_ms(),
                        actor: AuditActor::Other("billing".into()),
                        action: AuditAction::Billing,
                        detail,
                    };
                    let stub = crate::glue::workspace_object(&self.env, &site)?;
                    if let Err(e) = ask(&stub, AppendAudit { entry }).await {
                        console_error!("billing {site}: audit: {e}");
                    }
                }
            }
        }
        Ok(())
    }
}

impl BillingCalls for Billing {
    async fn account(&self, _: GetAccount) -> EdgeResult<Account> {
        self.with(|b| Ok(Account { subscription: b.subscription()?, details: b.details()? }))
    }

    async fn plan(&self, _: GetPlan) -> EdgeResult<Plan> {
        self.with(|b| b.plan())
    }

    async fn apply(&self, r: Apply) -> EdgeResult<bool> {
        let Some(event) = super::processor::parse_event(r.body.as_bytes())? else { return Ok(false) };
        let (changed, effects) = self.with(|b| b.apply(&event))?;
        if let Err(e) = self.effects(effects).await {
            // Not all done (the invoice): the processor delivers it again after our error.
            self.with(|b| b.retry_later(&event.id))?;
            return Err(e);
        }
        Ok(changed)
    }

    async fn set_details(&self, r: SetDetails) -> EdgeResult<BillingDetails> {
        self.with(|b| b.set_details(r.details))
    }
}

impl DurableObject for Billing {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        BillingRequest::serve(self, req).await
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let result: EdgeResult<()> = async {
            let effects = self.with(|b| b.alarm())?;
            self.effects(effects).await
        }
        .await;
        result.map_err(|e| worker::Error::RustError(format!("billing: {e}")))?;
        Response::ok("")
    }
}
