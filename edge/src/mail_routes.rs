//! The account routes that mail a link or act on one: "forgot password", a reset, and the
//! confirmation of an agent's address; and `post_mail`, which hands a mail to its address's
//! postbox after the answer has gone (no request waits on mail, and no answer's timing says
//! whether a mail was sent).

use crate::account::logic::{RESET_TTL_MS, VERIFY_TTL_MS};
use crate::account::{link_token, parse_link_token, RequestReset, RequestVerification, ResetPassword, VerifyEmail};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, read_json};
use crate::mail::account::Sender;
use crate::mail::mime::Mail;
use crate::mail::DEFAULT_FROM;
use crate::postbox::{MailKind, Queue};
use crate::router::Ctx;
use shared::api::{ForgotPasswordRequest, ResetPasswordRequest, VerifyEmailRequest};
use shared::{Email, SiteId};
use worker::{console_error, Env, Request, Response};

/// The postbox of `address` (one object per lower-cased address).
pub fn postbox_object(env: &Env, address: &str) -> EdgeResult<worker::Stub> {
    Ok(env.durable_object("POSTBOX")?.get_by_name(&address.to_lowercase())?)
}

/// The deployment's sender address (`MAIL_FROM`).
pub fn mail_from(env: &Env) -> String {
    env.var("MAIL_FROM").map(|v| v.to_string()).unwrap_or_else(|_| DEFAULT_FROM.to_owned())
}

impl Ctx<'_> {
    /// Hands a mail to its postbox once the answer is on its way. A postbox that cannot be
    /// reached is logged: the mail's absence must not turn into an error the asker can see.
    pub fn post_mail(&self, kind: MailKind, site: Option<SiteId>, mail: Mail) {
        let env = self.env.clone();
        self.events.wait_until(async move {
            let to = mail.to.clone();
            let queued = async { ask(&postbox_object(&env, &to)?, Queue { kind, site, mail }).await }.await;
            if let Err(e) = queued {
                console_error!("mail of kind {kind:?} not queued: {e}");
            }
        });
    }

    pub fn sender(&self) -> (String, &str) {
        (mail_from(self.env), self.own_origin)
    }

    /// `POST /api/v1/auth/password-reset`: mails a reset link if the address has an account.
    /// The answer is 202 either way.
    pub async fn forgot_password(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        self.limit_per_ip(req, "reset", 10).await?;
        let body: ForgotPasswordRequest = read_json(req).await?;
        let email = Email::parse(&body.email)?;
        if let Some(secret) = ask(&self.account(&email)?, RequestReset {}).await? {
            let (from, origin) = self.sender();
            let token = link_token(&email, &secret);
            let (kind, mail) =
                Sender { from: &from, origin }.password_reset(email.as_str(), &token, RESET_TTL_MS / 60_000);
            self.post_mail(kind, None, mail);
        }
        json(&serde_json::json!({ "ok": true }), 202)
    }

    /// `POST /api/v1/auth/password-reset/complete`: a new password with the mailed link's token.
    /// Every session of the account ends; the agent signs in with the new password.
    pub async fn reset_password(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        self.limit_per_ip(req, "reset-complete", 20).await?;
        let body: ResetPasswordRequest = read_json(req).await?;
        let (email, link) = parse_link_token(&body.token)?;
        ask(&self.account(&email)?, ResetPassword { link, password: body.password }).await?;
        json(&serde_json::json!({ "ok": true }), 200)
    }

    /// `POST /api/v1/auth/verify-email`: confirms an address with its mailed link's token (no
    /// session needed: the link may be opened on another device).
    pub async fn verify_email(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        self.limit_per_ip(req, "verify", 20).await?;
        let body: VerifyEmailRequest = read_json(req).await?;
        let (email, link) = parse_link_token(&body.token)?;
        ask(&self.account(&email)?, VerifyEmail { link }).await?;
        json(&serde_json::json!({ "ok": true }), 200)
    }

    /// `POST /api/v1/me/verification`: mails the signed-in agent a new confirmation link.
    pub async fn resend_verification(&self, req: &Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        let agent = self.agent(req).await?;
        self.send_verification(&agent.email, &agent.secret).await?;
        json(&serde_json::json!({ "ok": true }), 202)
    }

    /// Mails a confirmation link to the session's account, unless its address is confirmed.
    pub async fn send_verification(&self, email: &Email, session: &str) -> EdgeResult<()> {
        let request = RequestVerification { secret: session.to_owned() };
        let Some(secret) = ask(&self.account(email)?, request).await? else {
            return Err(EdgeError::Conflict("this address is confirmed already".into()));
        };
        let (from, origin) = self.sender();
        let token = link_token(email, &secret);
        let (kind, mail) =
            Sender { from: &from, origin }.verify_email(email.as_str(), &token, VERIFY_TTL_MS / 3_600_000);
        self.post_mail(kind, None, mail);
        Ok(())
    }

    /// Mails the alert of a sign-in from a device the account had not used.
    pub fn alert_new_device(&self, email: &Email, device: &str) {
        let (from, origin) = self.sender();
        let when = crate::mail::mime::readable_time(self.arrived);
        let (kind, mail) = Sender { from: &from, origin }.new_device(email.as_str(), device, &when);
        self.post_mail(kind, None, mail);
    }
}
