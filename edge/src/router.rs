//! The stateless front: checks origins, tokens and sessions, then hands each request to the one
//! Durable Object it concerns (or to the static assets). It keeps no state of its own.

use crate::account::{Password, Secret, UpsertAccount};
use crate::auth::{self, VisitorToken, SESSION_COOKIE};
use crate::conversation::object::{H_AGENT, H_CONVERSATION, H_SITE};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{call, error_response, json, query, read_json};
use crate::pages;
use crate::rate_limit::{Hit, Verdict};
use crate::settings::{CreateWorkspace, Membership, WorkspaceConfig};
use shared::api::{Me, SignInRequest, VisitorSession, VisitorSessionRequest};
use shared::{ConversationId, Email, SiteId, VisitorId};
use worker::{event, Context, Env, Headers, Method, Request, RequestInit, Response, Stub};

#[event(fetch)]
pub async fn main(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(route(req, &env).await.unwrap_or_else(|e| error_response(&e)))
}

async fn route(mut req: Request, env: &Env) -> EdgeResult<Response> {
    let url = req.url()?;
    let own_origin = url.origin().ascii_serialization();
    let path = url.path().to_owned();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ctx = Ctx { env, own_origin: &own_origin };
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["demo"]) if env.var("DEMO_PAGE").is_ok_and(|v| v.to_string() == "on") => ctx.demo_page(&url),
        (Method::Get, ["embed", site]) => ctx.embed_page(site, &url).await,
        (Method::Get, ["inbox"]) => ctx.page("/pages/inbox.html", pages::INBOX_CSP).await,
        (Method::Post, ["api", "v1", "sites", site, "visitor-session"]) => ctx.visitor_session(site, &mut req).await,
        (Method::Get, ["api", "v1", "sites", site, "connect"]) => ctx.visitor_connect(site, &req).await,
        (Method::Post, ["api", "v1", "auth", "sign-in"]) => ctx.sign_in(&mut req).await,
        (Method::Post, ["api", "v1", "auth", "sign-out"]) => ctx.sign_out(&req).await,
        (Method::Get, ["api", "v1", "me"]) => json(&ctx.agent(&req).await?.0, 200),
        (Method::Get, ["api", "v1", "workspaces", site, "connect"]) => ctx.inbox_connect(site, &req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "conversations", id, "connect"]) => {
            ctx.agent_conversation_connect(site, id, &req).await
        }
        (Method::Post, ["api", "v1", "admin", "workspaces"]) => ctx.admin_create_workspace(&mut req).await,
        (Method::Get, ["api", "v1", "sites", site, "consent-config"]) => ctx.consent_config(site, &req).await,
        (Method::Post, ["api", "v1", "sites", site, "consent"]) => ctx.record_consent(site, &mut req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "consents"]) => ctx.consent_log(site, &req).await,
        (Method::Get, ["api", "v1", "workspaces", site, "consent-settings"]) => ctx.consent_settings(site, &req).await,
        (Method::Put, ["api", "v1", "workspaces", site, "consent-settings"]) => {
            ctx.update_consent_settings(site, &mut req).await
        }
        _ => Err(EdgeError::NotFound),
    }
}

pub(crate) struct Ctx<'a> {
    pub env: &'a Env,
    pub own_origin: &'a str,
}

impl Ctx<'_> {
    pub fn workspace(&self, site: &SiteId) -> EdgeResult<Stub> {
        Ok(self.env.durable_object("WORKSPACE")?.get_by_name(site.as_str())?)
    }

    fn account(&self, email: &Email) -> EdgeResult<Stub> {
        Ok(self.env.durable_object("ACCOUNT")?.get_by_name(email.as_str())?)
    }

    fn conversation(&self, site: &SiteId, id: &ConversationId) -> EdgeResult<Stub> {
        // Named by site and id, so an id from one workspace can never reach another's object.
        Ok(self.env.durable_object("CONVERSATION")?.get_by_name(&format!("{site}:{id}"))?)
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
        call(&self.workspace(site)?, Method::Get, "/config", None).await
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

    fn require_upgrade(&self, req: &Request) -> EdgeResult<()> {
        match req.headers().get("upgrade")? {
            Some(u) if u.eq_ignore_ascii_case("websocket") => Ok(()),
            _ => Err(EdgeError::MalformedBody("expected a WebSocket upgrade".into())),
        }
    }

    /// Serves a page from the static assets with its security headers.
    async fn page(&self, asset: &str, csp: &str) -> EdgeResult<Response> {
        let mut res = self.env.assets("ASSETS")?.fetch(format!("{}{asset}", self.own_origin), None).await?;
        if res.status_code() != 200 {
            return Err(EdgeError::Internal(format!("asset {asset}: {}", res.status_code())));
        }
        let html = res.text().await?;
        let headers = Headers::new();
        headers.set("content-type", "text/html; charset=utf-8")?;
        headers.set("content-security-policy", csp)?;
        headers.set("x-content-type-options", "nosniff")?;
        headers.set("referrer-policy", "no-referrer")?;
        headers.set("cache-control", "no-cache")?;
        Ok(Response::from_html(html)?.with_headers(headers))
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
        Ok(Response::from_html(pages::demo_page(&format!("{}://{edge_host}{port}", url.scheme()), &site, lang))?)
    }

    /// The widget's iframe page. The loader passes the host page's origin; it must be allowed, and
    /// the CSP makes the browser enforce the same list on whoever actually frames the page.
    async fn embed_page(&self, site: &str, url: &worker::Url) -> EdgeResult<Response> {
        let site = self.site(site)?;
        let config = self.config(&site).await?;
        config.require_origin(&site, &query(url, "host").unwrap_or_default())?;
        self.page("/pages/embed.html", &pages::embed_csp(&config.allowed_domains)).await
    }

    async fn visitor_session(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        let site = self.site(site)?;
        let body: VisitorSessionRequest = read_json(req).await?;
        let config = self.config(&site).await?;
        config.require_origin(&site, &body.host)?;
        let secret = self.secret("VISITOR_TOKEN_SECRET")?;
        let token = visitor_token(&site, body.token.as_deref(), &secret)?;
        json(
            &VisitorSession {
                token: token.sign(secret.as_bytes()),
                conversation_id: token.conversation_id,
                site_name: config.name,
                greeting: config.greeting,
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
        let token = VisitorToken::verify(&token, self.secret("VISITOR_TOKEN_SECRET")?.as_bytes())?;
        if token.site != site {
            return Err(EdgeError::Unauthorized);
        }
        self.forward_upgrade(&self.conversation(&site, &token.conversation_id)?, &site, &token.conversation_id, None)
            .await
    }

    async fn forward_upgrade(
        &self,
        stub: &Stub,
        site: &SiteId,
        id: &ConversationId,
        agent: Option<&str>,
    ) -> EdgeResult<Response> {
        let headers = Headers::new();
        headers.set("upgrade", "websocket")?;
        headers.set(H_SITE, site.as_str())?;
        headers.set(H_CONVERSATION, id.as_str())?;
        if let Some(name) = agent {
            headers.set(H_AGENT, name)?;
        }
        let mut init = RequestInit::new();
        init.with_headers(headers);
        let res = stub.fetch_with_request(Request::new_with_init("https://object/connect", &init)?).await?;
        pass_through(res).await
    }

    async fn sign_in(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        self.limit_sign_ins(req).await?;
        let body: SignInRequest = read_json(req).await?;
        // A malformed email cannot have an account: same answer as a wrong password.
        let email = Email::parse(&body.email).map_err(|_| EdgeError::InvalidCredentials)?;
        let password = serde_json::to_string(&Password { password: body.password })?;
        let Secret { secret } = call(&self.account(&email)?, Method::Post, "/sign-in", Some(password)).await?;
        let me: Me = self.session(&email, &secret).await?;
        let cookie = format!(
            "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
            auth::session_cookie_value(email.as_str(), &secret),
            crate::account::SESSION_TTL_MS / 1000
        );
        let res = json(&me, 200)?;
        res.headers().set("set-cookie", &cookie)?;
        Ok(res)
    }

    /// At most `SIGN_INS_PER_IP` sign-in attempts per address per ten minutes, whatever the
    /// account: guessing across many accounts from one place hits this limit.
    async fn limit_sign_ins(&self, req: &Request) -> EdgeResult<()> {
        const SIGN_INS_PER_IP: u32 = 20;
        const WINDOW_MS: i64 = 10 * 60 * 1000;
        let ip = req.headers().get("cf-connecting-ip")?.unwrap_or_else(|| "unknown".into());
        let limiter = self.env.durable_object("RATE_LIMITER")?.get_by_name(&format!("signin:{ip}"))?;
        let hit = serde_json::to_string(&Hit { limit: SIGN_INS_PER_IP, window_ms: WINDOW_MS })?;
        let verdict: Verdict = call(&limiter, Method::Post, "/hit", Some(hit)).await?;
        if verdict.allowed {
            Ok(())
        } else {
            Err(EdgeError::RateLimited)
        }
    }

    async fn session(&self, email: &Email, secret: &str) -> EdgeResult<Me> {
        let body = serde_json::to_string(&Secret { secret: secret.to_owned() })?;
        call(&self.account(email)?, Method::Post, "/session", Some(body)).await
    }

    /// The signed-in agent, from the session cookie.
    async fn agent(&self, req: &Request) -> EdgeResult<(Me, Email, String)> {
        let header = req.headers().get("cookie")?.unwrap_or_default();
        let value = auth::cookie(&header, SESSION_COOKIE).ok_or(EdgeError::Unauthorized)?;
        let (email, secret) = auth::parse_session_cookie(value).ok_or(EdgeError::Unauthorized)?;
        let email = Email::parse(&email).map_err(|_| EdgeError::Unauthorized)?;
        Ok((self.session(&email, &secret).await?, email, secret))
    }

    async fn sign_out(&self, req: &Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        let (_, email, secret) = self.agent(req).await?;
        let body = serde_json::to_string(&Secret { secret })?;
        call::<serde_json::Value>(&self.account(&email)?, Method::Post, "/sign-out", Some(body)).await?;
        let res = json(&serde_json::json!({ "ok": true }), 200)?;
        res.headers().set("set-cookie", &format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"))?;
        Ok(res)
    }

    /// The signed-in agent, if they belong to `site`.
    pub async fn member(&self, site: &str, req: &Request) -> EdgeResult<(Me, SiteId)> {
        // Browsers send no Origin on same-origin GETs; the SameSite=Strict cookie covers those.
        // Anything that changes state, and every socket upgrade, must come from our own pages.
        if req.method() != Method::Get || req.headers().has("upgrade")? {
            self.require_own_origin(req)?;
        }
        let (me, _, _) = self.agent(req).await?;
        let site = SiteId::parse(site).map_err(|_| EdgeError::Forbidden)?;
        if !me.workspaces.iter().any(|w| w.id == site) {
            return Err(EdgeError::Forbidden);
        }
        Ok((me, site))
    }

    async fn inbox_connect(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        self.require_upgrade(req)?;
        let (_, site) = self.member(site, req).await?;
        let headers = Headers::new();
        headers.set("upgrade", "websocket")?;
        let mut init = RequestInit::new();
        init.with_headers(headers);
        let res = self.workspace(&site)?.fetch_with_request(Request::new_with_init("https://object/connect", &init)?).await?;
        pass_through(res).await
    }

    async fn agent_conversation_connect(&self, site: &str, id: &str, req: &Request) -> EdgeResult<Response> {
        self.require_upgrade(req)?;
        let (me, site) = self.member(site, req).await?;
        let id = ConversationId::parse(id).map_err(|_| EdgeError::NotFound)?;
        self.forward_upgrade(&self.conversation(&site, &id)?, &site, &id, Some(&me.name)).await
    }

    /// Operator route that creates a workspace and its owner; absent unless `ADMIN_TOKEN` is set.
    async fn admin_create_workspace(&self, req: &mut Request) -> EdgeResult<Response> {
        let expected = self.env.secret("ADMIN_TOKEN").map_err(|_| EdgeError::NotFound)?.to_string();
        let given = req.headers().get("authorization")?.unwrap_or_default();
        // Compare digests so the comparison's timing says nothing about the token.
        if auth::sha256_hex(&given) != auth::sha256_hex(&format!("Bearer {expected}")) {
            return Err(EdgeError::Unauthorized);
        }
        let body: CreateWorkspace = read_json(req).await?;
        let config = body.validate()?;
        let put = serde_json::to_string(&config)?;
        call::<serde_json::Value>(&self.workspace(&body.site)?, Method::Put, "/config", Some(put)).await?;
        let upsert = UpsertAccount {
            membership: Membership { site: body.site.clone(), name: config.name.clone(), role: "owner".into() },
            account: body.owner.clone(),
        };
        let upsert = serde_json::to_string(&upsert)?;
        call::<serde_json::Value>(&self.account(&body.owner.email)?, Method::Put, "/account", Some(upsert)).await?;
        json(&serde_json::json!({ "site": body.site, "owner": body.owner.email }), 201)
    }
}

/// The visitor's token if it is valid for this site; otherwise a new visitor with a new
/// conversation (a forged or other site's token simply starts afresh; nothing is stored yet).
pub(crate) fn visitor_token(site: &SiteId, token: Option<&str>, secret: &str) -> EdgeResult<VisitorToken> {
    let known = token.and_then(|t| VisitorToken::verify(t, secret.as_bytes()).ok()).filter(|t| &t.site == site);
    match known {
        Some(t) => Ok(t),
        None => Ok(VisitorToken {
            site: site.clone(),
            visitor_id: VisitorId::parse(&auth::random_id("vs_")?)?,
            conversation_id: ConversationId::parse(&auth::random_id("cv_")?)?,
        }),
    }
}

/// An object's answer goes back as is (a 101 with its socket), except errors, which pass through
/// the one error mapping.
async fn pass_through(mut res: Response) -> EdgeResult<Response> {
    if res.status_code() >= 400 {
        let api: shared::api::ApiError = res.json().await?;
        return Err(EdgeError::from_api(api));
    }
    Ok(res)
}
