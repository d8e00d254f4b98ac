//! The consent endpoints: the banner's configuration (read by the loader on the host page, so it
//! answers CORS for the site's allowed origins; with `banner=1` it carries the banner's markup,
//! `banner.rs`; with `labels=1`, the words of the widget's privacy choices in the same language),
//! the banner's script (that configuration with the markup, and `banner.js`, in one answer),
//! recording a decision (from the banner on the site's page, CORS again, or from the widget's
//! privacy choices), and the site owner's log, export and settings.

use crate::auth::visitor_hash;
use crate::consent_export::to_csv;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, now_ms, query, read_json};
use crate::router::{visitor_token, Ctx};
use crate::team::Action;
use crate::visitor::AddConsent;
use crate::visitor_routes::cors;
use crate::workspace::{ConsentLog, LogConsent, UpdateConsentSettings};
use shared::api::{AuditAction, AuditActor};
use shared::consent::{ConsentConfig, ConsentRecord, ConsentRequest, ConsentSettings, Lang, StoredConsent};
use shared::consent_labels::WidgetLabels;
use shared::DomainError;
use worker::{Headers, Request, Response};

thread_local! {
    /// `banner.js` as the assets hold it (`Ctx::banner_code`).
    static BANNER_CODE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

impl Ctx<'_> {
    pub async fn consent_config(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let origin = req.headers().get("origin")?;
        let url = req.url()?;
        let mut body = self.banner_setup(site, req, origin.as_deref(), query(&url, "banner").is_some()).await?;
        // The widget's privacy choices ask for their words in the banner's language.
        if query(&url, "labels").is_some() {
            body.labels = Some(WidgetLabels::of(body.lang));
        }
        let res = json(&body, 200)?;
        if let Some(origin) = origin {
            res.headers().set("access-control-allow-origin", &origin)?;
        }
        res.headers().set("vary", "origin")?;
        // Short, so a new policy version reaches returning visitors within a minute.
        res.headers().set("cache-control", "public, max-age=60")?;
        res.headers().append("vary", "sec-gpc")?;
        res.headers().append("vary", "accept-language")?;
        Ok(res)
    }

    /// The banner in one answer: its configuration with the markup, handed to the loader
    /// (`__provixchat.g`), then `banner.js`. The loader asks for it when a banner must show, so a
    /// first visit waits for one request after the loader instead of two side by side (the
    /// configuration, and the script the configuration is useless without).
    pub async fn banner_script(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        // A script's request carries no Origin; the page's address comes as the Referer (unless
        // the page's referrer policy withholds it) and is held to the same allowed origins.
        let page = req.headers().get("referer")?.and_then(|r| worker::Url::parse(&r).ok());
        let page = page.map(|u| u.origin().ascii_serialization());
        let (config, code) =
            futures_util::future::join(self.banner_setup(site, req, page.as_deref(), true), self.banner_code()).await;
        let script = crate::banner::banner_script(&serde_json::to_string(&config?)?, &code?);
        let headers = Headers::new();
        headers.set("content-type", "text/javascript; charset=utf-8")?;
        // As the configuration's, but private: the answer depends on the Referer checked above.
        headers.set("cache-control", "private, max-age=60")?;
        headers.set("vary", "sec-gpc, accept-language")?;
        Ok(Response::ok(script)?.with_headers(headers))
    }

    /// The banner's configuration for a page at `origin` (none: not a cross-origin browser
    /// request), in the page's or the browser's language; with the banner's markup if `banner`.
    async fn banner_setup(
        &self,
        site: &str,
        req: &Request,
        origin: Option<&str>,
        banner: bool,
    ) -> EdgeResult<ConsentConfig> {
        let site = self.site(site)?;
        let config = self.banner_config(&site).await?;
        if let Some(origin) = origin {
            if origin != self.own_origin {
                config.require_origin(&site, origin)?;
            }
        }
        let url = req.url()?;
        // The page's language first (`lang`, which may list more), then the browser's.
        let tags = query(&url, "lang").unwrap_or_default();
        let browser = req.headers().get("accept-language")?.unwrap_or_default();
        let launcher = config.launcher();
        let consent = config.consent;
        let lang = Lang::pick(consent.language, tags.split(',').chain(Lang::accept_language(&browser)));
        let text =
            consent.text(lang).cloned().ok_or_else(|| EdgeError::Internal(format!("{site} has no banner text")))?;
        let mut body = ConsentConfig {
            gpc: req.headers().get("sec-gpc")?.as_deref() == Some("1"),
            policy_url: consent.policy_url,
            policy_version: consent.policy_version,
            lifetime_days: consent.lifetime_days,
            lang: if consent.texts.contains_key(&lang) { lang } else { Lang::En },
            categories: consent.categories,
            text,
            launcher,
            banner: None,
            labels: None,
            launcher_labels: Some(shared::consent_labels::launcher_labels(lang).clone()),
        };
        if banner {
            body.banner = Some(crate::banner::banner_html(&body, &format!("{}/privacy/{site}", self.own_origin)));
        }
        Ok(body)
    }

    /// The minified `banner.js` from the static assets, read once per isolate (it changes only
    /// with a deployment, which starts new isolates).
    async fn banner_code(&self) -> EdgeResult<String> {
        if let Some(code) = BANNER_CODE.with_borrow(|c| c.clone()) {
            return Ok(code);
        }
        let mut res = self.env.assets("ASSETS")?.fetch(format!("{}/banner.js", self.own_origin), None).await?;
        if res.status_code() != 200 {
            return Err(EdgeError::Internal(format!("asset /banner.js: {}", res.status_code())));
        }
        let code = res.text().await?;
        BANNER_CODE.with_borrow_mut(|c| *c = Some(code.clone()));
        Ok(code)
    }

    /// Records a decision in the visitor's object and the workspace's log, and answers with what
    /// the loader stores on the site: the record and the visitor token that identifies it. The
    /// banner posts from the site's page (an allowed origin, answered with CORS), the privacy
    /// choices from the widget's iframe (the edge's own origin).
    pub async fn record_consent(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (site, config, origin) = self.from_site_page(site, req).await?;
        let body: ConsentRequest = read_json(req).await?;
        self.require_host(&config, &site, &body.host)?;
        if body.decision.policy_version != config.consent.policy_version {
            return Err(DomainError::Invalid {
                what: "policy version",
                reason: "the privacy policy changed; reload the page",
            }
            .into());
        }
        let secret = self.secret("VISITOR_TOKEN_SECRET")?;
        let known = crate::router::known_token(&site, body.token.as_deref(), &secret, config.chat.identity_rotated_at);
        let token = visitor_token(&site, body.token.as_deref(), &secret, config.chat.identity_rotated_at)?;
        self.limit(crate::limits::Limited::Consent, req, &site, known.map(|_| &token.visitor_id)).await?;
        let now = now_ms();
        let mut decision = body.decision;
        decision.choices = decision.choices.within(&config.consent.categories);
        // Either signal counts: the page's navigator.globalPrivacyControl or the Sec-GPC header.
        decision.gpc |= req.headers().get("sec-gpc")?.as_deref() == Some("1");
        let record = ConsentRecord {
            at: now,
            expires_at: now + config.consent.lifetime_ms(),
            visitor_hash: visitor_hash(&site, &token.visitor_id),
            decision,
        };
        let visitor = self.visitor(&site, &token.visitor_id)?;
        ask(&visitor, AddConsent { record: record.clone() }).await?;
        let log = LogConsent { record: record.clone(), visitor: Some(token.visitor_id.clone()) };
        ask(&self.workspace(&site)?, log).await?;
        cors(json(&StoredConsent { token: token.sign(secret.as_bytes()), record }, 201)?, &origin)
    }

    /// The consent log, newest first, as JSON or (`?format=csv`) as a CSV download.
    pub async fn consent_log(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let site = workspace.id;
        self.audit(&site, AuditActor::Agent(agent.email.clone()), AuditAction::ConsentLogExported, "").await;
        let records = ask(&self.workspace(&site)?, ConsentLog {}).await?;
        let csv = query(&req.url()?, "format").as_deref() == Some("csv");
        if !csv {
            return json(&records, 200);
        }
        let headers = Headers::new();
        headers.set("content-type", "text/csv; charset=utf-8")?;
        headers.set("content-disposition", &format!("attachment; filename=\"consent-log-{site}.csv\""))?;
        headers.set("cache-control", "no-store")?;
        Ok(Response::ok(to_csv(&records))?.with_headers(headers))
    }

    pub async fn consent_settings(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Chat).await?;
        json(&self.config(&workspace.id).await?.consent, 200)
    }

    pub async fn update_consent_settings(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let site = workspace.id;
        self.audit(&site, AuditActor::Agent(agent.email.clone()), AuditAction::ConsentSettingsChanged, "").await;
        let settings: ConsentSettings = read_json(req).await?;
        let saved = ask(&self.workspace(&site)?, UpdateConsentSettings { settings }).await?;
        json(&saved, 200)
    }
}
