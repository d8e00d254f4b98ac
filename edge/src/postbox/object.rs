//! The postbox's `worker` glue: mail is queued by a typed call and sent from the alarm, through
//! the `send_email` binding (`EMAIL` in wrangler.toml; `wrangler dev` writes each message to a
//! file instead of sending it).

use super::logic::{self, Pending, WakeAt};
use super::store::{schema, SqlPostbox};
use super::{Erase, Log, PostboxCalls, PostboxRequest, Queue, Queued, SentMail};
use crate::error::EdgeResult;
use crate::glue::{at_time, now_ms};
use crate::mail::mime::render;
use crate::workspace::CountEmails;
use worker::{console_error, durable_object, DurableObject, EmailMessage, Env, Request, Response, State};

#[durable_object]
pub struct Postbox {
    state: State,
    env: Env,
}

impl Postbox {
    fn with<T>(&self, decide: impl FnOnce(&mut logic::Postbox<'_, SqlPostbox>) -> T) -> T {
        let mut store = SqlPostbox(self.state.storage().sql());
        decide(&mut logic::Postbox { store: &mut store, now: now_ms() })
    }

    async fn wake(&self, at: Option<WakeAt>) -> EdgeResult<()> {
        if let Some(WakeAt(at)) = at {
            self.state.storage().set_alarm(at_time(at)).await?;
        }
        Ok(())
    }

    async fn send(&self, mail: &Pending) -> worker::Result<()> {
        let to = self.state.id().name().unwrap_or_default();
        let message =
            EmailMessage::new(&mail.from, &to, &mail.raw).map_err(|e| worker::Error::RustError(format!("{e:?}")))?;
        self.env.send_email("EMAIL")?.send(&message).await.map_err(|e| worker::Error::RustError(format!("{e:?}")))?;
        Ok(())
    }
}

impl PostboxCalls for Postbox {
    async fn queue(&self, request: Queue) -> EdgeResult<Queued> {
        // Notifications of a site whose plan has no email are not sent (account mail always is).
        if let Some(site) = request.site.as_ref().filter(|_| request.kind.is_notification()) {
            if crate::billing::configured(&self.env)?.is_some() {
                let plan =
                    crate::glue::ask(&crate::billing::object(&self.env, site)?, crate::billing::GetPlan {}).await?;
                if !plan.limits.email {
                    return Ok(Queued { queued: false });
                }
            }
        }
        let now = now_ms();
        let id = crate::auth::random_token(12)?;
        let raw = render(&request.mail, &id, now);
        let pending = Pending {
            id: 0,
            kind: request.kind,
            site: request.site,
            from: request.mail.from.clone(),
            subject: request.mail.subject.clone(),
            raw,
            queued_at: now,
            attempts: 0,
            due_at: now,
        };
        let site = pending.site.clone();
        let (queued, wake) = self.with(|p| p.queue(pending))?;
        self.wake(wake).await?;
        if let Some(site) = site.filter(|_| queued) {
            // The site's usage for the month (a failure to count loses no mail).
            let counted =
                crate::glue::ask(&crate::glue::workspace_object(&self.env, &site)?, CountEmails { emails: 1 }).await;
            if let Err(e) = counted {
                console_error!("postbox: counting a mail of {site}: {e}");
            }
        }
        Ok(Queued { queued })
    }

    async fn log(&self, _request: Log) -> EdgeResult<Vec<SentMail>> {
        self.with(|p| p.sent())
    }

    async fn erase(&self, request: Erase) -> EdgeResult<usize> {
        let dropped = self.with(|p| p.erase(request.site.as_ref()))?;
        // Whatever else waits keeps its alarm; none is needed if nothing does.
        let next = self.with(|p| p.next_wake())?;
        if next.is_none() {
            self.state.storage().delete_alarm().await?;
        }
        Ok(dropped)
    }
}

impl DurableObject for Postbox {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        PostboxRequest::serve(self, req).await
    }

    /// Sends what is due, one mail at a time; a failure waits for its retry without holding up
    /// the others.
    async fn alarm(&self) -> worker::Result<Response> {
        let result: EdgeResult<()> = async {
            for mail in self.with(|p| p.due())? {
                match self.send(&mail).await {
                    Ok(()) => self.with(|p| p.delivered(&mail))?,
                    Err(e) => {
                        console_error!("postbox: sending a {:?} mail failed: {e}", mail.kind);
                        self.with(|p| p.failed(&mail))?;
                    }
                }
            }
            let next = self.with(|p| p.next_wake())?;
            self.wake(next).await
        }
        .await;
        result.map_err(|e| worker::Error::RustError(format!("postbox: {e}")))?;
        Response::ok("")
    }
}
