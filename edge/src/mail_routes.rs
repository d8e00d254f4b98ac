//! The account routes that mail a link or act on one: "forgot password", a reset, and the
//! confirmation of an agent's address; and `post_mail`, which hands a mail to its address's
//! postbox after the answer has gone (no request waits on mail, and no answer's timing says
//! whether a mail was sent).

use crate::account::logic::{RESET_TTL_MS, VERIFY_TTL_MS};
use crate::account::{
    link_token, parse_link_token, RequestReset, RequestVerification, ResetPassword, SetNotify, Unsubscribe, VerifyEmail,
};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, mail_from, postbox_object, read_json};
use crate::mail::account::Sender;
use crate::mail::mime::Mail;
use crate::postbox::{MailKind, Queue};
use crate::router::Ctx;
use shared::api::{ForgotPasswordRequest, NotifyRequest, ResetPasswordRequest, VerifyEmailRequest};
use shared::consent::Lang;
use shared::{Email, SiteId};
use worker::{console_error, Request, Response};

/// The unsubscribe page: no script, our stylesheet, a form that posts to itself.
const UNSUBSCRIBE_CSP: &str =
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

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

    /// Who account mail comes from, with links to this edge's own origin.
    pub fn sender(&self) -> Sender {
        Sender { from: mail_from(self.env), origin: self.own_origin.to_owned() }
    }

    /// `POST /api/v1/auth/password-reset`: mails a reset link if the address has an account.
    /// The answer is 202 either way.
    pub async fn forgot_password(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        self.limit_per_ip(req, "reset", 10).await?;
        let body: ForgotPasswordRequest = read_json(req).await?;
        let email = Email::parse(&body.email)?;
        if let Some(secret) = ask(&self.account(&email)?, RequestReset {}).await? {
            let token = link_token(&email, &secret);
            let (kind, mail) = self.sender().password_reset(email.as_str(), &token, RESET_TTL_MS / 60_000);
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
        let token = link_token(email, &secret);
        let (kind, mail) = self.sender().verify_email(email.as_str(), &token, VERIFY_TTL_MS / 3_600_000);
        self.post_mail(kind, None, mail);
        Ok(())
    }

    /// Mails the alert of a sign-in from a device the account had not used.
    pub fn alert_new_device(&self, email: &Email, device: &str) {
        let when = crate::mail::mime::readable_time(self.arrived);
        let (kind, mail) = self.sender().new_device(email.as_str(), device, &when);
        self.post_mail(kind, None, mail);
    }

    /// `PUT /api/v1/me/notifications`: when the signed-in agent is emailed about waiting visitors.
    pub async fn set_notifications(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        let agent = self.agent(req).await?;
        let body: NotifyRequest = read_json(req).await?;
        ask(&self.account(&agent.email)?, SetNotify { secret: agent.secret, notify: body.notify }).await?;
        json(&body, 200)
    }

    /// `GET /api/v1/mail/unsubscribe/TOKEN`, a digest's footer link: a page with one button (a
    /// link alone must change nothing: mail scanners open links). `POST` is the one-click
    /// unsubscribe of RFC 8058, from the mail reader or that button: its signed token is the proof,
    /// so it needs no session and no origin.
    pub async fn unsubscribe(&self, token: &str, post: bool) -> EdgeResult<Response> {
        let secret = self.secret("VISITOR_TOKEN_SECRET")?;
        let email = crate::auth::check_unsubscribe_token(secret.as_bytes(), token).ok_or(EdgeError::LinkExpired)?;
        let email = Email::parse(&email).map_err(|_| EdgeError::LinkExpired)?;
        let body = if post {
            ask(&self.account(&email)?, Unsubscribe {}).await?;
            "<p role=\"status\">Done: you will get no more emails about waiting visitors. You can turn them on again \
             in the inbox (Account).</p>"
                .to_owned()
        } else {
            format!(
                "<p>Stop the emails about waiting visitors to {}?</p><form method=\"post\"><button type=\"submit\">\
                 Stop these emails</button></form>",
                crate::pages::escape_html(email.as_str())
            )
        };
        notice_page("Email notifications", Lang::En, &body)
    }
}

/// Mail to `reply+TOKEN@…` or `team+TOKEN@…` (Email Routing's `email()` event): a visitor's
/// answer to the mail they asked for becomes their message in the conversation the signed token
/// names, a member's answer to a digest their reply. Anything else is refused with a reason the
/// sending server reports back, and logged.
#[worker::event(email)]
pub async fn email(
    message: worker::ForwardableEmailMessage,
    env: worker::Env,
    _ctx: worker::Context,
) -> worker::Result<()> {
    if let Err(reason) = inbound(&message, &env).await {
        console_error!("inbound mail to {} refused: {reason}", message.to());
        reject(&message, &reason).await;
    }
    Ok(())
}

/// `message.setReject(reason)`, waiting for what it answers. In production it is synchronous;
/// under `wrangler dev` the message reaches the worker over JS RPC, where the call answers a
/// promise that must settle before the handler returns, or the rejection is lost. workers-rs's
/// `set_reject` drops that answer, hence this thin glue (see the README's "Email").
async fn reject(message: &worker::ForwardableEmailMessage, reason: &str) {
    use wasm_bindgen::JsCast;
    // An RPC stub's methods are callable proxies, not `Function`s to `dyn_into`: called as found.
    let Ok(set_reject) = js_sys::Reflect::get(message, &"setReject".into()) else { return };
    let set_reject: js_sys::Function = set_reject.unchecked_into();
    // `Reflect.apply`, not `set_reject.call(…)`: on an RPC stub `.call` is itself an RPC method.
    let answer = match js_sys::Reflect::apply(&set_reject, message, &js_sys::Array::of1(&reason.into())) {
        Ok(answer) => answer,
        Err(e) => return console_error!("setReject failed: {e:?}"),
    };
    // Settled whatever it is: `Promise.resolve` adopts a thenable (an RPC result is a callable
    // proxy, not a `Promise`) and passes anything else through.
    if let Err(e) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&answer)).await {
        console_error!("setReject failed: {e:?}");
    }
}

/// Most bytes of a reply read (a visitor's answer, not an attachment).
const MAX_INBOUND_BYTES: f64 = 256.0 * 1024.0;

async fn inbound(message: &worker::ForwardableEmailMessage, env: &worker::Env) -> Result<(), String> {
    use crate::mail::inbound;
    if message.raw_size() > MAX_INBOUND_BYTES {
        return Err("message too large".into());
    }
    let to = message.to();
    let address = inbound::reply_address(&to).ok_or("no such address")?;
    let secret = env.secret("VISITOR_TOKEN_SECRET").map_err(|_| "not configured")?.to_string();
    let from = Email::parse(&message.from()).map_err(|_| "unreadable sender")?;
    let (site, id) = match address {
        inbound::ReplyAddress::Visitor(token) => crate::auth::check_reply_token(secret.as_bytes(), token),
        inbound::ReplyAddress::Team(token) => crate::auth::check_team_reply_token(secret.as_bytes(), token, &from),
    }
    .ok_or("no such address")?;
    let raw = message.raw_bytes().await.map_err(|e| format!("unreadable message: {e}"))?;
    let raw = String::from_utf8_lossy(&raw);
    let text = inbound::reply_text(&raw).ok_or("no text in the reply")?;
    let message_id = inbound::header(&raw, "message-id").unwrap_or_else(|| crate::auth::sha256_hex(&raw));
    let stub = crate::glue::conversation_object(env, &site, &id).map_err(|e| e.to_string())?;
    let answer = match address {
        inbound::ReplyAddress::Visitor(_) => {
            ask(&stub, crate::conversation::EmailReply { from, text, message_id }).await
        }
        inbound::ReplyAddress::Team(_) => {
            ask(&stub, crate::conversation::TeamEmailReply { from, text, message_id }).await
        }
    };
    answer.map_err(|e| match e.code() {
        shared::ErrorCode::Forbidden => "this address does not take mail from you".to_owned(),
        _ => e.public_message(),
    })
}

impl Ctx<'_> {
    /// `GET /api/v1/mail/stop/TOKEN?lang=…`, a visitor mail's "stop" link: a page with one
    /// button, in the mail's language. `POST` (that button, or the mail reader's one-click
    /// unsubscribe) stops the conversation's mail.
    pub async fn stop_replies(&self, token: &str, lang: Lang, post: bool) -> EdgeResult<Response> {
        let secret = self.secret("VISITOR_TOKEN_SECRET")?;
        let (site, id) = crate::auth::check_reply_token(secret.as_bytes(), token).ok_or(EdgeError::LinkExpired)?;
        let words = crate::mail::visitor::words(lang);
        let body = if post {
            ask(&self.conversation(&site, &id)?, crate::conversation::StopEmail {}).await?;
            format!("<p role=\"status\">{}</p>", words.stop_done)
        } else {
            format!(
                "<p>{}</p><form method=\"post\"><button type=\"submit\">{}</button></form>",
                words.stop_question, words.stop_button
            )
        };
        notice_page(words.stop_title, lang, &body)
    }
}

/// A small page in the notice's style (no script).
fn notice_page(title: &str, lang: Lang, body: &str) -> EdgeResult<Response> {
    let lang = lang.code();
    let page = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">\
         <link rel=\"icon\" href=\"data:,\"><title>{title} · Provixchat</title>\
         <link rel=\"stylesheet\" href=\"/notice.css\"></head><body><main><h1>{title}</h1>{body}\
         </main></body></html>"
    );
    crate::router::html_page(page, UNSUBSCRIBE_CSP)
}
