//! What the site's page and the widget tell the edge about a visitor (page views, identity,
//! custom attributes, the browser), and the visitor profile agents read. The page calls come
//! from the site's own origin (CORS, allowed domains only) with the visitor token the site keeps.

use crate::auth::VisitorToken;
use crate::capture::{identity_hash_ok, strip_url, truncate_ip, MAX_USER_ID_CHARS};
use crate::conversation::{EndAccess, SiteContact};
use crate::device::Device;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, now_ms, read_json};
use crate::limits::Limited;
use crate::router::Ctx;
use crate::settings::WorkspaceConfig;
use crate::team::Action;
use crate::visitor::{Block, Capture, Conversations, IdentityClaim, PageVisit, Profile, SetAttributes, Subject, Touch};
use crate::workspace::{GetIdentitySecret, IdentityLink, RotateIdentitySecret, Summaries, VisitorConversations};
use shared::api::{AuditAction, AuditActor};
use shared::visitor::{
    AttributesRequest, DeviceInfo, Identified, IdentifyRequest, Identity, Location, PageView, PageViewRequest,
    VisitorContext, MAX_TITLE_CHARS,
};
use shared::{Email, SiteId, VisitorId};
use worker::{Request, Response, Stub};

impl Ctx<'_> {
    pub fn visitor(&self, site: &SiteId, visitor: &VisitorId) -> EdgeResult<Stub> {
        crate::glue::visitor_object(self.env, site, visitor)
    }

    /// A call from the site's page: its Origin must be an allowed domain of the site. Answers
    /// carry that origin back (CORS).
    pub(crate) async fn from_site_page(
        &self,
        site: &str,
        req: &Request,
    ) -> EdgeResult<(SiteId, WorkspaceConfig, String)> {
        let site = self.site(site)?;
        let config = self.config(&site).await?;
        let origin = req.headers().get("origin")?.unwrap_or_default();
        self.require_host(&config, &site, &origin)?;
        Ok((site, config, origin))
    }

    pub(crate) fn token_of(&self, site: &SiteId, token: &str) -> EdgeResult<VisitorToken> {
        let token = VisitorToken::verify(token, self.secret("VISITOR_TOKEN_SECRET")?.as_bytes(), now_ms())?;
        if &token.site != site {
            return Err(EdgeError::Unauthorized);
        }
        Ok(token)
    }

    /// The token, if it still speaks for its visitor: once a verified `identify` made the
    /// visitor a site user's, only a token carrying that user does (an anonymous one from before
    /// the login, still in the page or another tab, reads and writes nothing of theirs).
    pub(crate) async fn bound_token_of(&self, site: &SiteId, token: &str) -> EdgeResult<VisitorToken> {
        let token = self.token_of(site, token)?;
        let held = ask(&self.visitor(site, &token.visitor_id)?, Subject {}).await?;
        crate::auth::require_bound(&token, held.user_id.as_deref())?;
        if token.verified_id.is_some() && !token.verified_current(self.config(site).await?.chat.identity_rotated_at) {
            return Err(EdgeError::Unauthorized);
        }
        Ok(token)
    }

    /// What the request says about the browser and where it is: kept only with analytics consent
    /// (the visitor object decides), the address only if the workspace keeps addresses.
    fn capture_of(
        &self,
        req: &Request,
        config: &WorkspaceConfig,
        context: Option<VisitorContext>,
    ) -> EdgeResult<Capture> {
        if let Some(context) = &context {
            context.check()?;
        }
        let ua = req.headers().get("user-agent")?.unwrap_or_default();
        let device = Device::parse(&ua).map(|d| DeviceInfo { browser: d.browser, os: d.os, category: d.category });
        let location = req.cf().map(|cf| Location { country: cf.country(), region: cf.region(), city: cf.city() });
        let ip = match config.chat.store_ip {
            true => req.headers().get("cf-connecting-ip")?.and_then(|ip| truncate_ip(&ip)),
            false => None,
        };
        let retention_ms = crate::glue::retention_ms(self.env, config.chat.retention_days);
        Ok(Capture { context, device, location, ip, policy_version: config.consent.policy_version, retention_ms })
    }

    /// Records a visitor session's browser details on a returning visitor's profile.
    pub async fn touch_visitor(
        &self,
        req: &Request,
        config: &WorkspaceConfig,
        token: &VisitorToken,
        context: Option<VisitorContext>,
    ) -> EdgeResult<()> {
        let capture = self.capture_of(req, config, context)?;
        ask(&self.visitor(&token.site, &token.visitor_id)?, Touch { capture }).await?;
        Ok(())
    }

    pub async fn page_view(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (site, config, origin) = self.from_site_page(site, req).await?;
        cors_answer(self.record_page_view(&site, &config, req).await, &origin)
    }

    async fn record_page_view(
        &self,
        site: &SiteId,
        config: &WorkspaceConfig,
        req: &mut Request,
    ) -> EdgeResult<Response> {
        let body: PageViewRequest = read_json(req).await?;
        let token = self.bound_token_of(site, &body.token).await?;
        self.limit(Limited::PageView, req, site, Some(&token.visitor_id)).await?;
        let page = PageView {
            at: now_ms(),
            url: strip_url(&body.url)?,
            title: body.title.trim().chars().take(MAX_TITLE_CHARS).collect(),
            referrer: if body.referrer.is_empty() {
                String::new()
            } else {
                strip_url(&body.referrer).unwrap_or_default()
            },
        };
        let visit = PageVisit { page, capture: self.capture_of(req, config, body.context)? };
        ask(&self.visitor(site, &token.visitor_id)?, visit).await?;
        Ok(Response::empty()?.with_status(204))
    }

    pub async fn set_attributes(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (site, _, origin) = self.from_site_page(site, req).await?;
        cors_answer(self.record_attributes(&site, req).await, &origin)
    }

    async fn record_attributes(&self, site: &SiteId, req: &mut Request) -> EdgeResult<Response> {
        let body: AttributesRequest = read_json(req).await?;
        let token = self.bound_token_of(site, &body.token).await?;
        self.limit(Limited::Attributes, req, site, Some(&token.visitor_id)).await?;
        let attributes = SetAttributes { attributes: body.attributes };
        ask(&self.visitor(site, &token.visitor_id)?, attributes).await?;
        Ok(Response::empty()?.with_status(204))
    }

    /// `Provixchat.identify`. With verification on, the HMAC must match: then the token is bound
    /// to the user, and a user seen before gets their own visitor and conversation back in any
    /// browser. Without verification the claim is only noted on this visitor (unverified), and
    /// never opens anyone else's conversations.
    pub async fn identify(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (site, config, origin) = self.from_site_page(site, req).await?;
        cors_answer(self.identify_visitor(site, config, req).await, &origin)
    }

    async fn identify_visitor(&self, site: SiteId, config: WorkspaceConfig, req: &mut Request) -> EdgeResult<Response> {
        let body: IdentifyRequest = read_json(req).await?;
        let user_id = body.id.trim().to_owned();
        if user_id.is_empty() || user_id.chars().count() > MAX_USER_ID_CHARS {
            return Err(EdgeError::Invalid(format!("the user id must be 1-{MAX_USER_ID_CHARS} characters")));
        }
        let email = body.email.as_deref().map(Email::parse).transpose()?;
        let name = body.name.as_deref().map(shared::domain::visitor_name).transpose()?;
        let secret = self.secret("VISITOR_TOKEN_SECRET")?;
        let rotated_at = config.chat.identity_rotated_at;
        let known = crate::router::known_token(&site, body.token.as_deref(), &secret, rotated_at).map(|t| t.visitor_id);
        self.limit(Limited::Identify, req, &site, known.as_ref()).await?;
        let mut token = crate::router::visitor_token(&site, body.token.as_deref(), &secret, rotated_at)?;
        // Another verified user's token (a shared computer, no reset() at logout) never lends
        // this user its visitor or conversation: they start afresh.
        if token.verified_id.as_ref().is_some_and(|v| v != &user_id) {
            token = crate::router::visitor_token(&site, None, &secret, rotated_at)?;
        }
        // A visitor who paused processing is not linked to the site's user: nothing new is kept.
        let held = ask(&self.visitor(&site, &token.visitor_id)?, Subject {}).await?;
        if held.restricted {
            let answer = Identified {
                token: token.sign(secret.as_bytes()),
                conversation_id: token.conversation_id,
                verified: false,
            };
            return json(&answer, 200);
        }
        let verified = config.chat.identity_verification;
        if verified {
            let hash = body.hash.as_deref().unwrap_or_default();
            if config.chat.identity_secret.is_empty() || !identity_hash_ok(&config.chat.identity_secret, &user_id, hash)
            {
                // A non-reversible reference: enough to see repeated attempts on one user.
                let reference = format!("user {}", &crate::auth::sha256_hex(&format!("{site}:{user_id}"))[..12]);
                self.audit(&site, shared::api::AuditActor::Site, shared::api::AuditAction::IdentityRefused, &reference)
                    .await;
                return Err(EdgeError::Unauthorized);
            }
            let link = IdentityLink {
                user_id: user_id.clone(),
                visitor_id: token.visitor_id.clone(),
                conversation_id: token.conversation_id.clone(),
            };
            let linked = ask(&self.workspace(&site)?, link).await?;
            token = VisitorToken {
                site: site.clone(),
                visitor_id: linked.visitor_id,
                conversation_id: linked.conversation_id,
                verified_id: Some(user_id.clone()),
                issued_at: now_ms(),
            };
        }
        let contact = (name.is_some() || email.is_some())
            .then(|| SiteContact { name: name.clone(), email: email.as_ref().map(|e| e.as_str().to_owned()) });
        let claim = IdentityClaim { identity: Identity { id: user_id, verified }, name, email };
        let kept = ask(&self.visitor(&site, &token.visitor_id)?, claim).await?;
        // Agents see the name in the inbox list too, once the conversation exists (unless the
        // visitor restricted processing).
        if let Some(contact) = contact.filter(|_| kept) {
            let stub = self.conversation(&site, &token.conversation_id)?;
            ask(&stub, contact).await?;
        }
        let answer =
            Identified { token: token.sign(secret.as_bytes()), conversation_id: token.conversation_id, verified };
        json(&answer, 200)
    }

    /// CORS preflight for the page calls: JSON bodies need one.
    pub async fn site_preflight(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, _, origin) = self.from_site_page(site, req).await?;
        let res = cors(Response::empty()?.with_status(204), &origin)?;
        res.headers().set("access-control-allow-methods", "POST")?;
        res.headers().set("access-control-allow-headers", "content-type")?;
        res.headers().set("access-control-max-age", "600")?;
        Ok(res)
    }

    /// Everything held about one visitor of the workspace, with their conversations.
    pub async fn visitor_profile(&self, site: &str, visitor: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Chat).await?;
        let visitor = VisitorId::parse(visitor).map_err(|_| EdgeError::NotFound)?;
        let stub = self.visitor(&workspace.id, &visitor)?;
        // An erased visitor is simply not there for agents.
        let erased = |e: EdgeError| if e.code() == shared::ErrorCode::Unauthorized { EdgeError::NotFound } else { e };
        let mut profile = ask(&stub, Profile {}).await.map_err(erased)?;
        let ids = ask(&stub, Conversations {}).await?;
        profile.conversations = ask(&self.workspace(&workspace.id)?, Summaries { ids }).await?;
        profile.visitor_id = Some(visitor);
        json(&profile, 200)
    }

    /// `PUT …/visitors/{visitor}/blocked` with `{"blocked": bool}` (any member): a blocked visitor's
    /// open chats close at once and the chat is refused to them until they are unblocked. Their
    /// privacy requests still work.
    pub async fn block_visitor(&self, site: &str, visitor: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Chat).await?;
        let visitor = VisitorId::parse(visitor).map_err(|_| EdgeError::NotFound)?;
        let body: shared::api::BlockVisitorRequest = read_json(req).await?;
        let stub = self.visitor(&workspace.id, &visitor)?;
        // An erased visitor is not there for agents.
        ask(&stub, Block { on: body.blocked }).await.map_err(|e| {
            if e.code() == shared::ErrorCode::Unauthorized {
                EdgeError::NotFound
            } else {
                e
            }
        })?;
        if body.blocked {
            let mut ids = ask(&stub, Conversations {}).await?;
            let indexed =
                ask(&self.workspace(&workspace.id)?, VisitorConversations { visitor_id: visitor.clone() }).await?;
            ids.extend(indexed.into_iter().filter(|id| !ids.contains(id)).collect::<Vec<_>>());
            for id in ids {
                let ending = EndAccess { ending: crate::conversation::Ending::Visitor };
                if let Err(e) = ask(&self.conversation(&workspace.id, &id)?, ending).await {
                    worker::console_error!("blocking {visitor} in {id}: {e}");
                }
            }
        }
        let action = if body.blocked { AuditAction::VisitorBlocked } else { AuditAction::VisitorUnblocked };
        let reference = format!("subject {}", &crate::auth::visitor_hash(&workspace.id, &visitor)[..16]);
        self.audit(&workspace.id, AuditActor::Agent(agent.email), action, &reference).await;
        json(&serde_json::json!({ "blocked": body.blocked }), 200)
    }

    pub async fn identity_secret(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Manage).await?;
        let secret = ask(&self.workspace(&workspace.id)?, GetIdentitySecret {}).await?;
        json(&secret, 200)
    }

    /// `POST …/identity-secret` (owners and admins): a new secret, for one that may have leaked.
    /// Verified visitors are identified again with it; tokens vouched for by the old one stop
    /// counting.
    pub async fn rotate_identity_secret(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let secret = ask(&self.workspace(&workspace.id)?, RotateIdentitySecret {}).await?;
        let actor = shared::api::AuditActor::Agent(agent.email);
        self.audit(&workspace.id, actor, shared::api::AuditAction::IdentitySecretRotated, "").await;
        json(&secret, 200)
    }
}

/// A page call's answer, its refusals included, readable by the allowed page that made it: the
/// page's API then rejects with the edge's code (`invalid_input`…) rather than a network error.
fn cors_answer(answer: EdgeResult<Response>, origin: &str) -> EdgeResult<Response> {
    cors(answer.unwrap_or_else(|e| crate::glue::error_response(&e)), origin)
}

pub(crate) fn cors(res: Response, origin: &str) -> EdgeResult<Response> {
    res.headers().set("access-control-allow-origin", origin)?;
    res.headers().set("vary", "origin")?;
    Ok(res)
}
