//! The account's `worker` glue: typed requests in, `logic` over SQLite, effects carried out.

use super::logic::{self, Argon2Keys, Effect};
use super::store::{schema, SqlAccount};
use super::{
    AccountCalls, AccountRequest, AddMembership, ChangePassword, Close, Create, RemoveMembership, RequestReset,
    RequestVerification, ResetPassword, Revoke, Secret, SecurityLog, Session, Sessions, SetNotify, SignIn, SignOut,
    Sites, Unsubscribe, Upsert, VerifyEmail,
};
use crate::error::EdgeResult;
use crate::glue::{ask, at_time, now_ms, retention_ms, workspace_object};
use crate::workspace::{EndSessions, SetMemberPrefs};
use shared::api::{Me, SecurityEvent, SessionInfo};
use shared::privacy::{Closing, CLOSURE_GRACE_DAYS};
use shared::{Email, SiteId};
use worker::{console_error, durable_object, DurableObject, Env, Request, Response, State};

/// Key-value key: when a closed account is deleted (it refuses sign-ins until then). Kept out
/// of the tables, where accounts closed by older builds have it too.
const CLOSING: &str = "closing_at";

#[durable_object]
pub struct Account {
    state: State,
    env: Env,
}

impl Account {
    /// Runs `decide` on this account as it is now.
    fn with<T>(&self, decide: impl FnOnce(&mut logic::Account<'_, SqlAccount, Argon2Keys>) -> T) -> T {
        let mut store = SqlAccount(self.state.storage().sql());
        decide(&mut logic::Account { store: &mut store, keys: &Argon2Keys, now: now_ms() })
    }

    /// The account's email: the object's name.
    fn email(&self) -> Option<Email> {
        self.state.id().name().and_then(|name| Email::parse(&name).ok())
    }

    async fn closing(&self) -> EdgeResult<Option<i64>> {
        Ok(self.state.storage().get::<i64>(CLOSING).await?)
    }

    async fn carry_out(&self, effects: Vec<Effect>) -> EdgeResult<()> {
        let storage = self.state.storage();
        for effect in effects {
            match effect {
                Effect::RememberClosing { deleted_at } => storage.put(CLOSING, deleted_at).await?,
                Effect::SetAlarm { at } => storage.set_alarm(at_time(at)).await?,
                Effect::DeleteEverything => {
                    storage.delete_all().await?;
                    schema(&self.state);
                }
                Effect::SessionsEnded(sessions) => self.end_sessions(sessions).await,
            }
        }
        Ok(())
    }

    /// Tells every workspace of the account that these sessions ended, so their sockets close
    /// before the request that ended them is answered. A workspace that cannot be told (closed
    /// meanwhile) is logged: the others must still hear.
    async fn end_sessions(&self, sessions: Vec<String>) {
        if sessions.is_empty() {
            return;
        }
        let Some(email) = self.email() else {
            console_error!("an account object without its email cannot end sockets");
            return;
        };
        let sites = self.with(|a| a.sites()).unwrap_or_default();
        for site in sites {
            let request = EndSessions { email: email.clone(), sessions: sessions.clone() };
            if let Err(e) = async { ask(&workspace_object(&self.env, &site)?, request).await }.await {
                console_error!("end sessions in {site}: {e}");
            }
        }
    }
}

impl Account {
    /// Tells workspaces of the account (`only` that one, or all) whether its address is
    /// confirmed and when it wants mail. One that cannot be told is logged: the others must hear.
    async fn tell_prefs(&self, only: Option<SiteId>) {
        let Some(email) = self.email() else { return };
        let Ok(Some(prefs)) = self.with(|a| a.prefs()) else { return };
        let sites = match only {
            Some(site) => vec![site],
            None => self.with(|a| a.sites()).unwrap_or_default(),
        };
        for site in sites {
            let request = SetMemberPrefs { email: email.clone(), prefs };
            if let Err(e) = async { ask(&workspace_object(&self.env, &site)?, request).await }.await {
                console_error!("member prefs in {site}: {e}");
            }
        }
    }
}

impl AccountCalls for Account {
    async fn upsert(&self, request: Upsert) -> EdgeResult<()> {
        self.with(|a| a.upsert(&request))
    }

    async fn create(&self, request: Create) -> EdgeResult<Secret> {
        self.with(|a| a.create(&request))
    }

    async fn sign_in(&self, request: SignIn) -> EdgeResult<Secret> {
        let closing = self.closing().await?;
        self.with(|a| a.sign_in(&request, closing))
    }

    async fn close(&self, request: Close) -> EdgeResult<Closing> {
        let closing = self.closing().await?;
        let grace_ms = retention_ms(&self.env, Some(CLOSURE_GRACE_DAYS)).unwrap_or_default();
        let (closed, effects) = self.with(|a| a.close(&request.password, &request.origin, closing, grace_ms))?;
        self.carry_out(effects).await?;
        Ok(closed)
    }

    async fn session(&self, request: Session) -> EdgeResult<Me> {
        self.with(|a| a.me(&request.secret))
    }

    async fn sign_out(&self, request: SignOut) -> EdgeResult<()> {
        let ended = self.with(|a| a.sign_out(&request.secret))?;
        self.end_sessions(ended).await;
        Ok(())
    }

    async fn sessions(&self, request: Sessions) -> EdgeResult<Vec<SessionInfo>> {
        self.with(|a| a.sessions(&request.secret))
    }

    async fn revoke(&self, request: Revoke) -> EdgeResult<()> {
        let ended = self.with(|a| a.revoke(&request))?;
        self.end_sessions(ended).await;
        Ok(())
    }

    async fn change_password(&self, request: ChangePassword) -> EdgeResult<()> {
        let ended = self.with(|a| a.change_password(&request))?;
        self.end_sessions(ended).await;
        Ok(())
    }

    async fn security_log(&self, request: SecurityLog) -> EdgeResult<Vec<SecurityEvent>> {
        self.with(|a| a.security_log(&request.secret))
    }

    async fn sites(&self, _request: Sites) -> EdgeResult<Vec<SiteId>> {
        self.with(|a| a.sites())
    }

    async fn add_membership(&self, request: AddMembership) -> EdgeResult<()> {
        self.with(|a| a.add_membership(&request.membership))?;
        self.tell_prefs(Some(request.membership.site)).await;
        Ok(())
    }

    async fn remove_membership(&self, request: RemoveMembership) -> EdgeResult<()> {
        self.with(|a| a.remove_membership(&request.site))
    }

    async fn request_reset(&self, _request: RequestReset) -> EdgeResult<Option<String>> {
        let closing = self.closing().await?;
        self.with(|a| a.request_reset(closing))
    }

    async fn reset_password(&self, request: ResetPassword) -> EdgeResult<()> {
        let closing = self.closing().await?;
        let ended = self.with(|a| a.reset_password(&request.link, &request.password, closing))?;
        self.end_sessions(ended).await;
        // The link proved the address.
        self.tell_prefs(None).await;
        Ok(())
    }

    async fn request_verification(&self, request: RequestVerification) -> EdgeResult<Option<String>> {
        self.with(|a| a.request_verification(&request.secret))
    }

    async fn verify_email(&self, request: VerifyEmail) -> EdgeResult<()> {
        self.with(|a| a.verify_email(&request.link))?;
        self.tell_prefs(None).await;
        Ok(())
    }

    async fn unsubscribe(&self, _request: Unsubscribe) -> EdgeResult<()> {
        self.with(|a| a.stop_notify())?;
        self.tell_prefs(None).await;
        Ok(())
    }

    async fn set_notify(&self, request: SetNotify) -> EdgeResult<()> {
        self.with(|a| a.set_notify(&request.secret, request.notify))?;
        self.tell_prefs(None).await;
        Ok(())
    }
}

impl DurableObject for Account {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        AccountRequest::serve(self, req).await
    }

    /// A closed account's grace period is over: everything goes, and the email is free again.
    async fn alarm(&self) -> worker::Result<Response> {
        // A failure is thrown, so the runtime retries the alarm.
        let done = async { self.carry_out(logic::alarm(self.closing().await?, now_ms())).await }.await;
        done.map_err(|e| worker::Error::RustError(format!("account deletion: {e}")))?;
        Response::ok("")
    }
}
