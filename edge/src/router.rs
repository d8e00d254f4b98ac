//! The stateless front: checks origins, tokens and sessions, then hands each request to the one
//! Durable Object it concerns (or to the static assets). It keeps no state of its own.

use crate::auth::{self, VisitorToken};
use crate::config_cache::{TtlCache, CONFIG_TTL_MS, MAX_SITES};
use crate::conversation::object::{H_AGENT, H_AGENT_EMAIL, H_CONVERSATION, H_SESSION, H_SITE, H_VERIFIED, H_VISITOR};
use crate::conversation::ContactKnown;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, error_response, json, now_ms, query, read_json};
use crate::limits::Limited;
use crate::pages;
use crate::rate_limit::Verdict;
use crate::settings::WorkspaceConfig;
use crate::workspace::{Available, GetConfig};
use shared::api::{AuditAction, AuditActor, VisitorSession, VisitorSessionRequest};
use shared::consent::Lang;
use shared::{AgentRef, ConversationId, Email, SiteId, VisitorId};
use std::cell::RefCell;
use worker::{event, Context, Env, Headers, Method, Request, Response, Stub};

thread_local! {
    /// This isolate's copies of sites' configurations for the banner (`Ctx::banner_config`).
    static CONFIGS: RefCell<TtlCache<WorkspaceConfig>> = RefCell::new(TtlCache::new(CONFIG_TTL_MS, MAX_SITES));
}

#[event(fetch)]
pub async fn main(req: Request, env: Env, events: Context) -> worker::Result<Response> {
    let written = written_workspace(&req);
    let res = route(req, &env, &events).await.unwrap_or_else(|e| error_response(&e));
    // After the write has finished (or failed), so no read of this isolate keeps the old copy.
    match written {
        Some(Some(site)) => CONFIGS.with_borrow_mut(|c| c.forget(&site)),
        Some(None) => CONFIGS.with_borrow_mut(|c| c.forget_all()),
        None => {}
    }
    Ok(crate::glue::nosniff(res))
}

/// Whether a request may change a workspace's configuration: every change an agent makes
/// (settings, consent settings, closing) is a write under `/api/v1/workspaces/SITE/`, and the
/// operator's seeding (`/api/v1/admin/…`, whose site is in the body: all sites).
fn written_workspace(req: &Request) -> Option<Option<String>> {
    if matches!(req.method(), Method::Get | Method::Head | Method::Options) {
        return None;
    }
    let path = req.path();
    let mut segments = path.trim_matches('/').split('/');
    match (segments.next(), segments.next(), segments.next(), segments.next()) {
        (Some("api"), Some("v1"), Some("workspaces"), Some(site)) => Some(Some(site.to_owned())),
        (Some("api"), Some("v1"), Some("admin"), _) => Some(None),
        _ => None,
    }
}

async fn route(mut req: Request, env: &Env, events: &Context) -> EdgeResult<Response> {
    let url = req.url()?;
    let own_origin = url.origin().ascii_serialization();
    let path = url.path().to_owned();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    // Date.now() on workerd is the time this request's event began: its arrival, which is what
    // rate limits count by.
    let ctx = Ctx { env, events, own_origin: &own_origin, arrived: now_ms() };
    // The REST API answers its errors as problem details (`api_routes.rs`).
    if let ["api", "v1", rest @ ..] = segments.as_slice() {
        if let Some(answer) = ctx.rest_api(&mut req, rest).await {
            return Ok(answer.unwrap_or_else(|e| crate::glue::problem_response(&e)));
        }
    }
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["demo"]) if env.var("DEMO_PAGE").is_ok_and(|v| v.to_string() == "on") => ctx.demo_page(&url),
        (Method::Get, ["embed", site]) => ctx.embed_page(site, &url).await,
        (Method::Get, ["inbox"]) => ctx.page("/pages/inbox.html", pages::INBOX_CSP).await,
        (Method::Get, ["preview", site]) => ctx.preview_page(site, &req).await,
        (Method::Get, ["privacy", site]) => ctx.privacy_notice(site).await,
        (Method::Get, ["privacy", site, "record"]) => ctx.processing_record(site).await,
        (Method::Post, ["api", "v1", "sites", site, "visitor-session"]) => ctx.visitor_session(site, &mut req).await,
        (Method::Get, ["api", "v1", "sites", site, "connect"]) => ctx.visitor_connect(site, &req).await,
        (Method::Post, ["api", "v1", "sites", site, "files"]) => ctx.visitor_upload(site, &mut req).await,
        (Method::Post, ["api", "v1", "sites", site, "file-messages"]) => ctx.visitor_file_message(site, &mut req).await,
        (Method::Post, ["api", "v1", "workspaces", site, "conversations", id, "file-messages"]) => {
            ctx.agent_file_message(site, id, &mut req).await
        }
        (Method::Get, ["files", site, conversation, token, id]) => ctx.download(site, conversation, token, id).await,
        (Method::Get, ["api", "v1", "sites", site, "consent-config"]) => ctx.consent_config(site, &req).await,
        (Method::Get, ["api", "v1", "sites", site, "banner.js"]) => ctx.banner_script(site, &req).await,
        (Method::Post, ["api", "v1", "sites", site, "consent"]) => ctx.record_consent(site, &mut req).await,
        (Method::Post, ["api", "v1", "sites", site, "pageview"]) => ctx.page_view(site, &mut req).await,
        (Method::Post, ["api", "v1", "sites", site, "identify"]) => ctx.identify(site, &mut req).await,
        (Method::Post, ["api", "v1", "sites", site, "attributes"]) => ctx.set_attributes(site, &mut req).await,
        (Method::Options, ["api", "v1", "sites", site, "pageview" | "identify" | "attributes" | "consent"]) => {
            ctx.site_preflight(site, &req).await
        }
        (Method::Get, ["api", "v1", "workspaces", site, "visitors", visitor]) => {
            ctx.visitor_profile(site, visitor, &req).await
        }
        (Method::Get, ["api", "v1", "workspaces", site, "identity-secret"]) => ctx.identity_secret(site, &req).await,
        (Method::Put, ["api", "v1", "workspaces", site, "visitors", visitor, "blocked"]) => {
            ctx.block_visitor(site, visitor, &mut req).await
        }
        (Method::Post, ["api", "v1", "workspaces", site, "identity-secret"]) => {
            ctx.rotate_identity_secret(site, &req).await
        }
        (Method::Post, ["api", "v1", "sites", site, "my-data"]) => ctx.my_data(site, &mut req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "data-subjects"]) => ctx.data_subjects(site, &req).await,
        (Method::Post, ["api", "v1", "workspaces", site, "data-subjects", visitor]) => {
            ctx.data_subject_action(site, visitor, &mut req).await
        }
        (Method::Get, ["api", "v1", "workspaces", site, "data-requests"]) => ctx.data_requests(site, &req).await,
        (Method::Post, ["api", "v1", "auth", "sign-up"]) => ctx.sign_up(&mut req).await,
        (Method::Post, ["api", "v1", "auth", "sign-in"]) => ctx.sign_in(&mut req).await,
        (Method::Post, ["api", "v1", "auth", "sign-out"]) => ctx.sign_out(&req).await,
        (Method::Post, ["api", "v1", "auth", "password-reset"]) => ctx.forgot_password(&mut req).await,
        (Method::Post, ["api", "v1", "auth", "password-reset", "complete"]) => ctx.reset_password(&mut req).await,
        (Method::Post, ["api", "v1", "auth", "verify-email"]) => ctx.verify_email(&mut req).await,
        (Method::Post, ["api", "v1", "me", "verification"]) => ctx.resend_verification(&req).await,
        (Method::Put, ["api", "v1", "me", "notifications"]) => ctx.set_notifications(&mut req).await,
        (Method::Get, ["api", "v1", "mail", "unsubscribe", token]) => ctx.unsubscribe(token, false).await,
        (Method::Post, ["api", "v1", "mail", "unsubscribe", token]) => ctx.unsubscribe(token, true).await,
        (method @ (Method::Get | Method::Post), ["api", "v1", "mail", "stop", token]) => {
            let lang = query(&url, "lang").and_then(|tag| shared::consent::Lang::from_tag(&tag));
            ctx.stop_replies(token, lang.unwrap_or(shared::consent::Lang::En), method == Method::Post).await
        }
        (Method::Get, ["api", "v1", "me"]) => json(&ctx.agent(&req).await?.me, 200),
        (Method::Post, ["api", "v1", "me", "password"]) => ctx.change_password(&mut req).await,
        (Method::Post, ["api", "v1", "me", "close"]) => ctx.close_account(&mut req).await,
        (Method::Post, ["api", "v1", "workspaces", site, "close"]) => ctx.close_workspace(site, &mut req).await,
        (Method::Get, ["api", "v1", "me", "sessions"]) => ctx.sessions(&req).await,
        (Method::Delete, ["api", "v1", "me", "sessions", id]) => ctx.revoke_session(id, &req).await,
        (Method::Get, ["api", "v1", "me", "security"]) => ctx.security_log(&req).await,
        (Method::Get, ["api", "v1", "invites", token]) => ctx.invite_preview(token).await,
        (Method::Post, ["api", "v1", "invites", token, "accept"]) => ctx.accept_invite(token, &mut req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "connect"]) => ctx.inbox_connect(site, &req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "conversations", id, "connect"]) => {
            ctx.agent_conversation_connect(site, id, &req).await
        }
        (Method::Get, ["api", "v1", "workspaces", site, "search"]) => ctx.search(site, &req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "settings"]) => ctx.settings(site, &req).await,
        (Method::Put, ["api", "v1", "workspaces", site, "settings"]) => ctx.update_settings(site, &mut req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "tokens"]) => ctx.api_tokens(site, &req).await,
        (Method::Post, ["api", "v1", "workspaces", site, "tokens"]) => ctx.create_api_token(site, &mut req).await,
        (Method::Delete, ["api", "v1", "workspaces", site, "tokens", id]) => ctx.revoke_api_token(site, id, &req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "members"]) => ctx.members(site, &req).await,
        (Method::Put, ["api", "v1", "workspaces", site, "members", email]) => {
            ctx.change_member(site, email, &mut req).await
        }
        (Method::Delete, ["api", "v1", "workspaces", site, "members", email]) => {
            ctx.remove_member(site, email, &req).await
        }
        (Method::Post, ["api", "v1", "workspaces", site, "invites"]) => ctx.create_invite(site, &mut req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "consents"]) => ctx.consent_log(site, &req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "audit"]) => ctx.audit_log(site, &req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "consent-settings"]) => ctx.consent_settings(site, &req).await,
        (Method::Put, ["api", "v1", "workspaces", site, "consent-settings"]) => {
            ctx.update_consent_settings(site, &mut req).await
        }
        (Method::Post, ["api", "v1", "admin", "workspaces"]) => ctx.admin_create_workspace(&mut req).await,
        (Method::Get, ["integrations", site]) => ctx.integrations_page(site, &req).await,
        (Method::Post, ["integrations", site, "tokens"]) => ctx.integrations_create(site, &mut req).await,
        (Method::Post, ["integrations", site, "tokens", id, "revoke"]) => ctx.integrations_revoke(site, id, &req).await,
        (Method::Post, ["integrations", site, "webhooks"]) => ctx.webhook_add(site, &mut req).await,
        (Method::Get, ["integrations", site, "webhooks", id]) => ctx.webhook_page(site, id, &req).await,
        (Method::Post, ["integrations", site, "webhooks", id, action]) => {
            ctx.webhook_action(site, id, action, &mut req).await
        }
        (Method::Post, ["integrations", site, "webhooks", id, "deliveries", n, "redeliver"]) => {
            ctx.webhook_redeliver(site, id, n, &req).await
        }
        (Method::Get, ["billing", site]) => ctx.billing_page(site, &req).await,
        (Method::Post, ["billing", site, "checkout"]) => ctx.billing_checkout(site, &mut req).await,
        (Method::Post, ["billing", site, "portal"]) => ctx.billing_portal(site, &req).await,
        (Method::Post, ["billing", site, "details"]) => ctx.billing_details(site, &mut req).await,
        (Method::Get, ["billing", site, "invoices", number]) => ctx.billing_document(site, number, false, &req).await,
        (Method::Get, ["billing", site, "invoices", number, "pdf"]) => {
            ctx.billing_document(site, number, true, &req).await
        }
        (Method::Post, ["api", "v1", "admin", "invoices", number, "credit-note"]) => {
            ctx.credit_note(number, &mut req).await
        }
        (Method::Post, ["api", "v1", "billing", "webhook"]) => ctx.billing_webhook(&mut req).await,
        _ => Err(EdgeError::NotFound),
    }
}

/// Who a conversation socket is for, as the router has checked it.
pub enum Who<'a> {
    /// An agent, with the public id of the session that opens the socket.
    Agent(&'a AgentRef, &'a str),
    Visitor(&'a VisitorToken),
}

pub(crate) struct Ctx<'a> {
    pub env: &'a Env,
    /// The request's event: work that may finish after the answer (mail) is handed to it.
    pub events: &'a Context,
    pub own_origin: &'a str,
    /// When the request arrived (ms).
    pub arrived: i64,
}

impl Ctx<'_> {
    pub fn workspace(&self, site: &SiteId) -> EdgeResult<Stub> {
        crate::glue::workspace_object(self.env, site)
    }

    pub fn account(&self, email: &Email) -> EdgeResult<Stub> {
        Ok(self.env.durable_object("ACCOUNT")?.get_by_name(email.as_str())?)
    }

    pub fn conversation(&self, site: &SiteId, id: &ConversationId) -> EdgeResult<Stub> {
        crate::glue::conversation_object(self.env, site, id)
    }

    /// Counts one hit of `key` in its own rate-limiter object.
    pub async fn rate_limit(&self, key: &str, limit: u32, window_ms: i64) -> EdgeResult<Verdict> {
        crate::glue::rate_limit(self.env, key, limit, window_ms, Some(self.arrived)).await
    }

    /// Counts a visitor-facing request against its budgets (`crate::limits`): the visitor's, the
    /// address's and the site's, concurrently. The first refusal of a window is one audit entry
    /// for the whole burst.
    pub async fn limit(
        &self,
        kind: Limited,
        req: &Request,
        site: &SiteId,
        visitor: Option<&VisitorId>,
    ) -> EdgeResult<()> {
        let ip = req.headers().get("cf-connecting-ip")?;
        let visitor_ref = visitor.map(|v| auth::visitor_hash(site, v)[..16].to_owned());
        let keys = kind.keys(site.as_str(), visitor_ref.as_deref(), ip.as_deref());
        let window_ms = kind.budget().window_ms;
        let hits = keys.iter().map(|(key, limit)| self.rate_limit(key, *limit, window_ms));
        let mut refusals = vec![];
        for ((key, limit), verdict) in keys.iter().zip(futures_util::future::join_all(hits).await) {
            let verdict = verdict?;
            if verdict.first_refusal {
                let whose = key.split(':').nth(1).unwrap_or_default();
                let detail = format!("{}: more than {limit} in 10 minutes from one {whose}", kind.name());
                self.audit(site, AuditActor::Site, AuditAction::RateLimited, &detail).await;
            }
            refusals.push((!verdict.allowed).then_some(verdict.retry_after_s));
        }
        crate::limits::verdict(refusals)
    }

    pub fn secret(&self, name: &str) -> EdgeResult<String> {
        let value = self.env.secret(name).map_err(|_| EdgeError::Internal(format!("secret {name} is not set")))?;
        Ok(value.to_string())
    }

    /// A site that does not parse cannot exist: answer as for any unknown site.
    pub fn site(&self, site: &str) -> EdgeResult<SiteId> {
        SiteId::parse(site).map_err(|_| EdgeError::UnknownSite(site.to_owned()))
    }

    pub async fn config(&self, site: &SiteId) -> EdgeResult<WorkspaceConfig> {
        ask(&self.workspace(site)?, GetConfig {}).await
    }

    /// The configuration for the consent banner's routes only: a copy at most
    /// `CONFIG_TTL_MS` old (`config_cache.rs` says why that is allowed). Routes that decide
    /// anything (recording a decision, access) read the workspace itself.
    pub async fn banner_config(&self, site: &SiteId) -> EdgeResult<WorkspaceConfig> {
        let key = site.as_str();
        let (copy, seen) = CONFIGS.with_borrow(|c| (c.get(key, now_ms()), c.generation()));
        if let Some(config) = copy {
            return Ok(config);
        }
        let config = self.config(site).await?;
        CONFIGS.with_borrow_mut(|c| c.put(key, config.clone(), now_ms(), seen));
        Ok(config)
    }

    /// A page may embed `site`'s widget if the site allows its origin; the edge's own preview
    /// page always may (it shows owners their widget before their site has it).
    pub fn require_host(&self, config: &WorkspaceConfig, site: &SiteId, origin: &str) -> EdgeResult<()> {
        if origin == self.own_origin {
            return Ok(());
        }
        config.require_origin(site, origin)
    }

    /// Whether visitors can expect an answer now: an agent is available and, if the workspace
    /// has business hours, they are open.
    async fn available(&self, site: &SiteId) -> EdgeResult<bool> {
        ask(&self.workspace(site)?, Available {}).await
    }

    /// Requests that act on a visitor's or an agent's behalf must come from our own pages (the
    /// widget's iframe, the inbox): this refuses cross-site requests and socket hijacking.
    pub fn require_own_origin(&self, req: &Request) -> EdgeResult<()> {
        match req.headers().get("origin")? {
            Some(origin) if origin == self.own_origin => Ok(()),
            Some(origin) => Err(EdgeError::OriginNotAllowed(format!("requests from {origin} are not accepted"))),
            None => Err(EdgeError::OriginNotAllowed("the request has no Origin header".into())),
        }
    }

    pub fn require_upgrade(&self, req: &Request) -> EdgeResult<()> {
        match req.headers().get("upgrade")? {
            Some(u) if u.eq_ignore_ascii_case("websocket") => Ok(()),
            _ => Err(EdgeError::MalformedBody("expected a WebSocket upgrade".into())),
        }
    }

    /// Serves a page from the static assets with its security headers.
    pub async fn page(&self, asset: &str, csp: &str) -> EdgeResult<Response> {
        let mut res = self.env.assets("ASSETS")?.fetch(format!("{}{asset}", self.own_origin), None).await?;
        if res.status_code() != 200 {
            return Err(EdgeError::Internal(format!("asset {asset}: {}", res.status_code())));
        }
        html_page(res.text().await?, csp)
    }

    fn demo_page(&self, url: &worker::Url) -> EdgeResult<Response> {
        // The page is the "customer site"; the snippet loads from the other loopback name so the
        // widget runs cross-origin, exactly as on a real site.
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let edge_host = if url.host_str() == Some("127.0.0.1") { "localhost" } else { "127.0.0.1" };
        let site = query(url, "site").unwrap_or("demo".into());
        let lang = match query(url, "lang") {
            Some(tag) => shared::consent::Lang::from_tag(&tag),
            None => Some(shared::consent::Lang::En),
        };
        let edge = format!("{}://{edge_host}{port}", url.scheme());
        html_page(pages::demo_page(&edge, &site, lang), &pages::demo_csp(&edge))
    }

    /// The widget's iframe page. The loader passes the host page's origin; it must be allowed, and
    /// the CSP makes the browser enforce the same list on whoever actually frames the page.
    async fn embed_page(&self, site: &str, url: &worker::Url) -> EdgeResult<Response> {
        let site = self.site(site)?;
        let config = self.config(&site).await?;
        self.require_host(&config, &site, &query(url, "host").unwrap_or_default())?;
        self.page("/pages/embed.html", &pages::embed_csp(&config.allowed_domains)).await
    }

    /// The widget's chat session. A refusal is said in the visitor's language (the page's, then
    /// the browser's), as the chat would have been: the widget shows it in the chat's place.
    async fn visitor_session(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        let body: VisitorSessionRequest = read_json(req).await?;
        let accept = req.headers().get("accept-language")?.unwrap_or_default();
        let lang = Lang::pick(None, body.lang.split(',').chain(Lang::accept_language(&accept)));
        self.chat_session(site, req, body).await.map_err(|e| EdgeError::Relayed(crate::refusals::chat(&e, lang)))
    }

    async fn chat_session(&self, site: &str, req: &Request, body: VisitorSessionRequest) -> EdgeResult<Response> {
        let site = self.site(site)?;
        let config = self.config(&site).await?;
        self.require_host(&config, &site, &body.host)?;
        let secret = self.secret("VISITOR_TOKEN_SECRET")?;
        let rotated_at = config.chat.identity_rotated_at;
        let returning = known_token(&site, body.token.as_deref(), &secret, rotated_at).is_some();
        let mut token = visitor_token(&site, body.token.as_deref(), &secret, rotated_at)?;
        self.limit(Limited::ChatSession, req, &site, returning.then_some(&token.visitor_id)).await?;
        if returning && body.new_conversation {
            token.conversation_id = ConversationId::parse(&auth::random_id("cv_")?)?;
        }
        // A new visitor has no profile to keep anything on (nothing is stored before they decide
        // or write); a returning one's browser details go there, if analytics is allowed.
        if returning {
            self.touch_visitor(req, &config, &token, body.context.clone()).await?;
        }
        // Over the plan's allowance of new conversations this month, a chat that has not started
        // cannot (one that has goes on).
        self.admit_conversation(&site, &token.conversation_id).await?;
        let online = self.available(&site).await?;
        // Only a returning visitor can have given their details; a new one has no object yet.
        let contact_known = returning
            && !body.new_conversation
            && ask(&self.conversation(&site, &token.conversation_id)?, ContactKnown {}).await?;
        // As the banner chooses: the site's fixed language, else the page's and the browser's.
        let accept = req.headers().get("accept-language")?.unwrap_or_default();
        let tags = body.lang.split(',').chain(Lang::accept_language(&accept));
        let lang = Lang::pick(config.consent.language, tags);
        let (greeting, offline_message) = config.greetings_in(lang);
        json(
            &VisitorSession {
                token: token.sign(secret.as_bytes()),
                conversation_id: token.conversation_id,
                site_name: config.display_name().to_owned(),
                greeting,
                online,
                offline_message,
                prechat: config.chat.prechat,
                color: config.chat.color,
                contact_known,
                lang,
                labels: Some(shared::chat_labels::Texts(shared::chat_labels::ChatLabels::of(lang))),
            },
            200,
        )
    }

    async fn visitor_connect(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        self.require_upgrade(req)?;
        self.require_own_origin(req)?;
        let site = self.site(site)?;
        let url = req.url()?;
        let token = query(&url, "token").unwrap_or_default();
        let token = VisitorToken::verify(&token, self.secret("VISITOR_TOKEN_SECRET")?.as_bytes(), now_ms())?;
        if token.site != site {
            return Err(EdgeError::Unauthorized);
        }
        self.limit(Limited::Connect, req, &site, Some(&token.visitor_id)).await?;
        // A verified user's token counts only if issued since the identity secret last changed.
        if token.verified_id.is_some() && !token.verified_current(self.config(&site).await?.chat.identity_rotated_at) {
            return Err(EdgeError::Unauthorized);
        }
        // An erased visitor's token is refused even for a conversation they never wrote in, and a
        // blocked visitor gets no chat.
        ask(&self.visitor(&site, &token.visitor_id)?, crate::visitor::Admit {}).await?;
        let stub = self.conversation(&site, &token.conversation_id)?;
        self.forward_upgrade(&stub, &site, &token.conversation_id, Who::Visitor(&token)).await
    }

    pub async fn forward_upgrade(
        &self,
        stub: &Stub,
        site: &SiteId,
        id: &ConversationId,
        who: Who<'_>,
    ) -> EdgeResult<Response> {
        let headers = Headers::new();
        headers.set(H_SITE, site.as_str())?;
        headers.set(H_CONVERSATION, id.as_str())?;
        match who {
            Who::Agent(agent, session) => {
                headers.set(H_AGENT, &agent.name)?;
                headers.set(H_AGENT_EMAIL, agent.email.as_str())?;
                headers.set(H_SESSION, session)?;
            }
            Who::Visitor(token) => {
                headers.set(H_VISITOR, token.visitor_id.as_str())?;
                if let Some(id) = &token.verified_id {
                    // Header values must be ASCII: the id travels base64url-encoded.
                    headers.set(H_VERIFIED, &auth::b64(id))?;
                }
            }
        }
        crate::glue::open_socket(stub, headers).await
    }
}

/// An HTML page with its security headers, revalidated on every view (pages follow settings).
pub(crate) fn html_page(html: String, csp: &str) -> EdgeResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("content-security-policy", csp)?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("referrer-policy", "no-referrer")?;
    headers.set("cache-control", "no-cache")?;
    Ok(Response::from_html(html)?.with_headers(headers))
}

/// The visitor's token if it is valid for this site and, if verified, issued since the identity
/// secret last changed (`rotated_at`).
pub(crate) fn known_token(
    site: &SiteId,
    token: Option<&str>,
    secret: &str,
    rotated_at: Option<i64>,
) -> Option<VisitorToken> {
    token
        .and_then(|t| VisitorToken::verify(t, secret.as_bytes(), now_ms()).ok())
        .filter(|t| &t.site == site && (t.verified_id.is_none() || t.verified_current(rotated_at)))
}

/// The visitor's token, issued anew (so a visitor who comes back keeps it), if it is still
/// [`known_token`]; otherwise a new visitor with a new conversation (a forged, expired or other
/// site's token simply starts afresh; nothing is stored yet).
pub(crate) fn visitor_token(
    site: &SiteId,
    token: Option<&str>,
    secret: &str,
    rotated_at: Option<i64>,
) -> EdgeResult<VisitorToken> {
    match known_token(site, token, secret, rotated_at) {
        Some(t) => Ok(VisitorToken { issued_at: now_ms(), ..t }),
        None => Ok(VisitorToken {
            site: site.clone(),
            visitor_id: VisitorId::parse(&auth::random_id("vs_")?)?,
            conversation_id: ConversationId::parse(&auth::random_id("cv_")?)?,
            verified_id: None,
            issued_at: now_ms(),
        }),
    }
}
