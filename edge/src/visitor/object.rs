//! The visitor's `worker` glue: typed requests in, the logic run over the SQLite store (see
//! `store`), and the effects it decides (key-value entries, the retention alarm, erasure, the
//! workspace's directory) carried out in order.

use super::logic::{self, Effect};
use super::store::{self, SqlVisitor};
use super::{
    AddConsent, AddConversation, Admit, Block, ContactChange, Conversations, Erase, ForgetConversation, IdentityClaim,
    Object, PageVisit, Profile, Restrict, Retention, SetAttributes, Subject, Touch, VisitorCalls, VisitorRequest,
};
use crate::error::EdgeResult;
use crate::glue::{at_time, now_ms};
use crate::webhooks::{EventKind, HookEvent};
use shared::privacy::DataSubject;
use shared::visitor::VisitorProfile;
use shared::{ConversationId, Email, SiteId, VisitorId};
use worker::{durable_object, DurableObject, Env, Request, Response, State};

/// Key-value entries beside the tables: the erasure tombstone (all that is left of an erased
/// visitor, so their token is refused) and the retention period the page-activity alarm applies.
const ERASED: &str = "erased";
const RETENTION: &str = "retention_ms";

/// How soon webhook events that could not be handed over are tried again.
const HOOKS_RETRY_MS: i64 = 10_000;

#[durable_object]
pub struct Visitor {
    state: State,
    env: Env,
    /// Contact and consent events on their way to the site's webhooks object.
    outbox: crate::webhooks::outbox::Outbox,
}

impl Visitor {
    /// The storage as the logic sees it, with the erasure tombstone read now.
    async fn store(&self) -> EdgeResult<SqlVisitor> {
        let storage = self.state.storage();
        Ok(SqlVisitor { sql: storage.sql(), erased: storage.get::<i64>(ERASED).await? })
    }

    async fn carry_out(&self, effects: Vec<Effect>) -> EdgeResult<()> {
        let storage = self.state.storage();
        for effect in effects {
            match effect {
                Effect::KeepRetention(Some(ms)) => storage.put(RETENTION, ms).await?,
                Effect::KeepRetention(None) => storage.delete(RETENTION).await.map(|_| ())?,
                Effect::SetAlarm(at) => storage.set_alarm(at_time(at)).await?,
                Effect::DeleteAlarm => storage.delete_alarm().await?,
                Effect::DeleteAll => {
                    storage.delete_all().await?;
                    store::schema(&self.state);
                }
                Effect::Tombstone(at) => storage.put(ERASED, at).await?,
                Effect::TellDirectory(email) => self.tell_directory(email.as_ref()).await?,
            }
        }
        Ok(())
    }

    /// The site and visitor this object belongs to, from its name (`SITE:VISITOR_ID`).
    fn ids(&self) -> Option<(SiteId, VisitorId)> {
        let name = self.state.id().name()?;
        let (site, visitor) = name.split_once(':')?;
        Some((SiteId::parse(site).ok()?, VisitorId::parse(visitor).ok()?))
    }

    /// Keeps the workspace's directory (find a visitor by email for a data-subject request) in
    /// step with the email on the profile.
    async fn tell_directory(&self, email: Option<&Email>) -> EdgeResult<()> {
        let Some((site, visitor_id)) = self.ids() else { return Ok(()) };
        let entry = crate::workspace::DirectoryEntry { visitor_id, email: email.cloned() };
        crate::glue::ask(&crate::glue::workspace_object(&self.env, &site)?, entry).await
    }

    /// Whether the site's endpoints want `kind` (asked before a change, so its event can be
    /// written in the same commit).
    async fn wants(&self, kind: EventKind) -> bool {
        match self.ids() {
            Some((site, _)) => crate::webhooks::wanted(&self.env, &site).await.contains(&kind),
            None => false,
        }
    }

    /// Writes the event made by `make` into the outbox (no await since the change was stored).
    fn queue_hook(&self, make: impl FnOnce(&SiteId, &VisitorId) -> HookEvent) -> EdgeResult<()> {
        let Some((site, visitor)) = self.ids() else { return Ok(()) };
        crate::webhooks::outbox::queue(&self.state.storage().sql(), &[make(&site, &visitor)]).map(|_| ())
    }

    /// Hands the outbox's events over; a failure waits for the alarm (which then also runs the
    /// retention pass, which sets its own next alarm again).
    async fn flush_hooks(&self) {
        let Some((site, _)) = self.ids() else { return };
        let sql = self.state.storage().sql();
        let waiting = crate::webhooks::outbox::waiting(&sql);
        if !matches!(waiting, Ok(true)) {
            return;
        }
        if let Err(e) = self.outbox.flush(&self.env, &site, &sql).await {
            worker::console_error!("webhook events of a visitor of {site}: {e}");
            let _ = self.state.storage().set_alarm(at_time(now_ms() + HOOKS_RETRY_MS)).await;
        }
    }

    async fn retention_pass(&self) -> EdgeResult<()> {
        let retention = self.state.storage().get::<i64>(RETENTION).await?;
        let effects = logic::expire(&mut self.store().await?, retention, now_ms())?;
        self.carry_out(effects).await
    }
}

impl VisitorCalls for Visitor {
    async fn add_consent(&self, r: AddConsent) -> EdgeResult<()> {
        let hook = self.wants(EventKind::ConsentRecorded).await;
        logic::add_consent(&mut self.store().await?, &r.record)?;
        if hook {
            self.queue_hook(|site, visitor| crate::webhooks::consent_recorded(site, visitor, &r.record))?;
            self.flush_hooks().await;
        }
        Ok(())
    }

    async fn touch(&self, r: Touch) -> EdgeResult<()> {
        logic::touch(&mut self.store().await?, r.capture, now_ms())
    }

    async fn page_view(&self, visit: PageVisit) -> EdgeResult<bool> {
        let (kept, effects) = logic::page_view(&mut self.store().await?, visit, now_ms())?;
        self.carry_out(effects).await?;
        Ok(kept)
    }

    async fn contact(&self, change: ContactChange) -> EdgeResult<()> {
        let hook = self.wants(EventKind::ContactUpdated).await;
        let (name, email, now) = (change.name.clone(), change.email.clone(), now_ms());
        let effects = logic::contact(&mut self.store().await?, change, now)?;
        if hook {
            self.queue_hook(|site, visitor| {
                crate::webhooks::contact_updated(site, visitor, name.as_deref(), email.as_ref(), now)
            })?;
        }
        self.carry_out(effects).await?;
        self.flush_hooks().await;
        Ok(())
    }

    async fn identify(&self, claim: IdentityClaim) -> EdgeResult<bool> {
        let (kept, effects) = logic::identify(&mut self.store().await?, claim, now_ms())?;
        self.carry_out(effects).await?;
        Ok(kept)
    }

    async fn set_attributes(&self, r: SetAttributes) -> EdgeResult<()> {
        let effects = logic::set_attributes(&mut self.store().await?, &r.attributes, now_ms())?;
        self.carry_out(effects).await
    }

    async fn add_conversation(&self, r: AddConversation) -> EdgeResult<()> {
        logic::add_conversation(&mut self.store().await?, &r.id, now_ms())
    }

    async fn conversations(&self, _: Conversations) -> EdgeResult<Vec<ConversationId>> {
        logic::conversations(&self.store().await?)
    }

    async fn profile(&self, _: Profile) -> EdgeResult<VisitorProfile> {
        logic::profile(&self.store().await?, now_ms())
    }

    async fn admit(&self, _: Admit) -> EdgeResult<()> {
        logic::admit(&self.store().await?)
    }

    async fn block(&self, r: Block) -> EdgeResult<()> {
        logic::block(&mut self.store().await?, r.on, now_ms())
    }

    async fn subject(&self, _: Subject) -> EdgeResult<DataSubject> {
        logic::subject(&self.store().await?, self.ids().map(|(_, v)| v), now_ms())
    }

    async fn restrict(&self, r: Restrict) -> EdgeResult<DataSubject> {
        let mut store = self.store().await?;
        logic::restrict(&mut store, r.on, now_ms())?;
        logic::subject(&store, self.ids().map(|(_, v)| v), now_ms())
    }

    async fn object(&self, r: Object) -> EdgeResult<DataSubject> {
        let mut store = self.store().await?;
        logic::object(&mut store, r.on, now_ms())?;
        logic::subject(&store, self.ids().map(|(_, v)| v), now_ms())
    }

    async fn erase(&self, _: Erase) -> EdgeResult<()> {
        self.carry_out(logic::erase(now_ms())).await
    }

    async fn retention(&self, r: Retention) -> EdgeResult<()> {
        let effects = logic::retention(&mut self.store().await?, r.retention_ms, now_ms())?;
        self.carry_out(effects).await
    }

    async fn forget_conversation(&self, r: ForgetConversation) -> EdgeResult<()> {
        logic::forget_conversation(&mut self.store().await?, &r.id)
    }
}

impl DurableObject for Visitor {
    fn new(state: State, env: Env) -> Self {
        store::schema(&state);
        Self { state, env, outbox: Default::default() }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        VisitorRequest::serve(self, req).await
    }

    /// The retention pass (which sets its next alarm), then any webhook events left over (a
    /// failed hand-over sets a sooner one).
    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(e) = self.retention_pass().await {
            worker::console_error!("visitor page retention: {e}");
            let retry = self.carry_out(logic::alarm_failed(now_ms())).await;
            retry.map_err(|e| worker::Error::RustError(format!("visitor page retention retry: {e}")))?;
        }
        self.flush_hooks().await;
        Response::ok("")
    }
}
