//! Sign-up, sign-in and sign-out, the signed-in agent's own account (password, sessions, security
//! log), and accepting an invite. Sessions live in the account objects; the cookie carries the
//! email and the session's secret.

use crate::account::{
    AddMembership, ChangePassword, Close, Create, Origin, Revoke, Secret, SecurityLog, Session, Sessions, SignIn,
    SignOut, Sites,
};
use crate::auth::{self, SESSION_COOKIE};
use crate::chat_settings::site_domain;
use crate::device::Device;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, read_json};
use crate::router::Ctx;
use crate::settings::{CreateWorkspace, Membership, NewAccount};
use crate::workspace::{CreateConfig, Leave, NewMember, PreviewInvite, RedeemInvite, ReplaceConfig};
use shared::api::{
    AcceptInviteRequest, AuditAction, AuditActor, ChangePasswordRequest, InvitePreview, Me, Role, SignInRequest,
    SignUpRequest,
};
use shared::{Email, SiteId};
use worker::{Request, Response};

/// The signed-in agent: who they are and the session they used.
pub struct Agent {
    pub me: Me,
    pub email: Email,
    pub secret: String,
}

impl Agent {
    /// The public id of the session, as sockets carry it (never the secret).
    pub fn session_id(&self) -> String {
        crate::account::logic::session_id(&auth::sha256_hex(&self.secret))
    }
}

impl Ctx<'_> {
    /// Where a request comes from, as the session list and the security log show it.
    fn origin_of(&self, req: &Request) -> EdgeResult<Origin> {
        let ua = req.headers().get("user-agent")?.unwrap_or_default();
        let country = req.cf().and_then(|cf| cf.country());
        let address = req.headers().get("cf-connecting-ip")?;
        Ok(Origin { device: Device::label(&ua), country, address })
    }

    /// At most `limit` attempts of `what` per address per ten minutes: guessing across many
    /// accounts from one place, or creating accounts in bulk, hits this limit.
    pub(crate) async fn limit_per_ip(&self, req: &Request, what: &str, limit: u32) -> EdgeResult<()> {
        const WINDOW_MS: i64 = 10 * 60 * 1000;
        let ip = req.headers().get("cf-connecting-ip")?.unwrap_or_else(|| "unknown".into());
        let verdict = self.rate_limit(&format!("{what}:{ip}"), limit, WINDOW_MS).await?;
        if verdict.allowed {
            Ok(())
        } else {
            Err(EdgeError::RateLimited { retry_after_s: verdict.retry_after_s })
        }
    }

    /// Answers with `Me` and the session cookie.
    async fn signed_in(&self, email: &Email, secret: &str, status: u16) -> EdgeResult<Response> {
        let me = self.session(email, secret).await?;
        self.answer_signed_in(&me, email, secret, status)
    }

    fn answer_signed_in(&self, me: &Me, email: &Email, secret: &str, status: u16) -> EdgeResult<Response> {
        let cookie = format!(
            "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
            auth::session_cookie_value(email.as_str(), secret),
            crate::account::SESSION_TTL_MS / 1000
        );
        let res = json(me, status)?;
        res.headers().set("set-cookie", &cookie)?;
        Ok(res)
    }

    async fn session(&self, email: &Email, secret: &str) -> EdgeResult<Me> {
        let mut me = ask(&self.account(email)?, Session { secret: secret.to_owned() }).await?;
        // Whether owners have a billing page is the deployment's, not the account's.
        me.billing = crate::billing::configured(self.env)?.is_some();
        Ok(me)
    }

    /// The signed-in agent, from the session cookie.
    pub async fn agent(&self, req: &Request) -> EdgeResult<Agent> {
        let header = req.headers().get("cookie")?.unwrap_or_default();
        let value = auth::cookie(&header, SESSION_COOKIE).ok_or(EdgeError::Unauthorized)?;
        let (email, secret) = auth::parse_session_cookie(value).ok_or(EdgeError::Unauthorized)?;
        let email = Email::parse(&email).map_err(|_| EdgeError::Unauthorized)?;
        Ok(Agent { me: self.session(&email, &secret).await?, email, secret })
    }

    /// The signed-in agent, for a state-changing request of their own (must come from the inbox).
    async fn agent_acting(&self, req: &Request) -> EdgeResult<Agent> {
        self.require_own_origin(req)?;
        self.agent(req).await
    }

    pub async fn sign_in(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        self.limit_per_ip(req, "signin", 20).await?;
        let body: SignInRequest = read_json(req).await?;
        // A malformed email cannot have an account: same answer as a wrong password.
        let email = Email::parse(&body.email).map_err(|_| EdgeError::InvalidCredentials)?;
        let origin = self.origin_of(req)?;
        let account = self.account(&email)?;
        match ask(&account, SignIn { password: body.password, origin: origin.clone() }).await {
            Ok(Secret { secret, new_device }) => {
                if new_device {
                    self.alert_new_device(&email, &describe_origin(&origin));
                }
                let me = self.session(&email, &secret).await?;
                let sites: Vec<SiteId> = me.workspaces.iter().map(|w| w.id.clone()).collect();
                self.audit_account(&sites, &email, AuditAction::SignIn, &origin.device).await;
                self.answer_signed_in(&me, &email, &secret, 200)
            }
            Err(e) => {
                let action = match e.code() {
                    shared::ErrorCode::RateLimited => AuditAction::LockedOut,
                    _ => AuditAction::SignInFailed,
                };
                let sites: Vec<SiteId> = ask(&account, Sites {}).await.unwrap_or_default();
                self.audit_account(&sites, &email, action, &origin.device).await;
                Err(e)
            }
        }
    }

    /// A new owner account with its first workspace, whose id comes from its name plus a random
    /// suffix (ids are public, in every snippet; the suffix keeps them unguessable and unique).
    pub async fn sign_up(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        self.limit_per_ip(req, "signup", 20).await?;
        let body: SignUpRequest = read_json(req).await?;
        let email = Email::parse(&body.email)?;
        let suffix = auth::sha256_hex(&auth::random_token(16)?);
        // The data region is part of the id (see `DataRegion::of`); a global id ends in hex digits.
        let region = match body.data_region {
            shared::privacy::DataRegion::Eu => shared::privacy::EU_SITE_SUFFIX,
            shared::privacy::DataRegion::Global => "",
        };
        let site = SiteId::parse(&format!("{}-{}{region}", slug(&body.workspace_name), &suffix[..6]))?;
        let request = CreateWorkspace {
            site: site.clone(),
            name: body.workspace_name.clone(),
            greeting: "Hi! How can we help?".into(),
            allowed_domains: vec![site_domain(&body.website)],
            policy_url: format!("https://{}/privacy", site_domain(&body.website)),
            owner: NewAccount { email: email.clone(), name: body.name, password: body.password },
        };
        let config = request.validate()?;
        let create = Create { account: request.owner.clone(), origin: self.origin_of(req)? };
        let Secret { secret, .. } = ask(&self.account(&email)?, create).await?;
        self.create_workspace(&request, &config, false).await?;
        // The account works at once; the link confirms the address for mail that matters later.
        self.send_verification(&email, &secret).await?;
        self.signed_in(&email, &secret, 201).await
    }

    /// Writes a workspace's config and makes its owner a member, on both sides. Sign-up refuses a
    /// taken id; the operator's route (`replace`) overwrites whatever was there.
    pub async fn create_workspace(
        &self,
        request: &CreateWorkspace,
        config: &crate::settings::WorkspaceConfig,
        replace: bool,
    ) -> EdgeResult<()> {
        let workspace = self.workspace(&request.site)?;
        let new = config.clone();
        if replace {
            ask(&workspace, ReplaceConfig { config: new }).await?;
        } else {
            ask(&workspace, CreateConfig { config: new }).await?;
        }
        self.join(&request.site, &config.name, &request.owner.email, &request.owner.name, Role::Owner).await
    }

    /// Adds a member to a workspace: the workspace's member list and the account's memberships.
    async fn join(&self, site: &SiteId, site_name: &str, email: &Email, name: &str, role: Role) -> EdgeResult<()> {
        ask(&self.workspace(site)?, NewMember { email: email.clone(), name: name.to_owned(), role }).await?;
        let membership = Membership { site: site.clone(), name: site_name.to_owned(), role };
        ask(&self.account(email)?, AddMembership { membership }).await?;
        Ok(())
    }

    pub async fn sign_out(&self, req: &Request) -> EdgeResult<Response> {
        let agent = self.agent_acting(req).await?;
        ask(&self.account(&agent.email)?, SignOut { secret: agent.secret }).await?;
        let res = json(&serde_json::json!({ "ok": true }), 200)?;
        res.headers()
            .set("set-cookie", &format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"))?;
        Ok(res)
    }

    /// Closes the signed-in account: confirmed by its password, refused while it owns a
    /// workspace. It leaves every workspace at once (each audit log says so), is signed out
    /// everywhere, and is deleted after the grace period.
    pub async fn close_account(&self, req: &mut Request) -> EdgeResult<Response> {
        let agent = self.agent_acting(req).await?;
        let body: shared::privacy::CloseAccountRequest = read_json(req).await?;
        if let Some(owned) = agent.me.workspaces.iter().find(|w| w.role == Role::Owner) {
            return Err(EdgeError::Conflict(format!("you own the workspace \"{}\": close it first", owned.name)));
        }
        let close = Close { password: body.password, origin: self.origin_of(req)? };
        let closing = ask(&self.account(&agent.email)?, close).await?;
        // The account is closed already (the user cannot sign in to retry), so one workspace
        // failing must not keep the others: each is tried, a failure is logged.
        for workspace in &agent.me.workspaces {
            let leave = Leave { email: agent.email.clone() };
            let left: EdgeResult<()> = async { ask(&self.workspace(&workspace.id)?, leave).await }.await;
            match left {
                Ok(_) => {
                    self.audit(
                        &workspace.id,
                        AuditActor::Agent(agent.email.clone()),
                        AuditAction::MemberRemoved,
                        "closed their account",
                    )
                    .await
                }
                Err(e) => worker::console_error!("closed account leaving {}: {e}", workspace.id),
            }
        }
        let res = json(&closing, 200)?;
        res.headers()
            .set("set-cookie", &format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"))?;
        Ok(res)
    }

    // Requests about the agent's own account pass their session's secret: the account object
    // checks it again.
    pub async fn change_password(&self, req: &mut Request) -> EdgeResult<Response> {
        let agent = self.agent_acting(req).await?;
        let body: ChangePasswordRequest = read_json(req).await?;
        let change = ChangePassword { secret: agent.secret, current: body.current, new: body.new };
        ask(&self.account(&agent.email)?, change).await?;
        json(&serde_json::json!({ "ok": true }), 200)
    }

    /// `GET /me/sessions`.
    pub async fn sessions(&self, req: &Request) -> EdgeResult<Response> {
        let agent = self.agent(req).await?;
        json(&ask(&self.account(&agent.email)?, Sessions { secret: agent.secret }).await?, 200)
    }

    /// `GET /me/security`.
    pub async fn security_log(&self, req: &Request) -> EdgeResult<Response> {
        let agent = self.agent(req).await?;
        json(&ask(&self.account(&agent.email)?, SecurityLog { secret: agent.secret }).await?, 200)
    }

    pub async fn revoke_session(&self, id: &str, req: &Request) -> EdgeResult<Response> {
        let agent = self.agent_acting(req).await?;
        ask(&self.account(&agent.email)?, Revoke { secret: agent.secret, id: id.to_owned() }).await?;
        json(&serde_json::json!({ "ok": true }), 200)
    }

    /// Invite tokens name their workspace: `SITE.SECRET`, so the edge knows which object to ask.
    fn invite_parts<'t>(&self, token: &'t str) -> EdgeResult<(SiteId, &'t str)> {
        let (site, secret) = token.split_once('.').ok_or(EdgeError::InviteExpired)?;
        Ok((SiteId::parse(site).map_err(|_| EdgeError::InviteExpired)?, secret))
    }

    async fn preview_invite(&self, token: &str) -> EdgeResult<(SiteId, InvitePreview)> {
        let (site, secret) = self.invite_parts(token)?;
        let preview = ask(&self.workspace(&site)?, PreviewInvite { token: secret.to_owned() }).await?;
        Ok((site, preview))
    }

    pub async fn invite_preview(&self, token: &str) -> EdgeResult<Response> {
        json(&self.preview_invite(token).await?.1, 200)
    }

    /// Joins the invite's workspace: signed in, with that account; signed out, with a new account
    /// or an existing one's password. The invite is used up only once the account is settled.
    pub async fn accept_invite(&self, token: &str, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        self.limit_per_ip(req, "invite", 20).await?;
        let (site, preview) = self.preview_invite(token).await?;
        // Before any account is made: a refusal leaves nothing behind.
        self.require_seat(&site).await?;
        let body: AcceptInviteRequest = read_json(req).await?;
        let (email, me, secret) = match self.agent(req).await {
            Ok(agent) => (agent.email, agent.me, agent.secret),
            Err(_) => {
                let email = Email::parse(body.email.as_deref().unwrap_or_default())?;
                let password = body.password.clone().unwrap_or_default();
                let origin = self.origin_of(req)?;
                let secret = match body.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    Some(name) => {
                        let account = NewAccount { email: email.clone(), name: name.to_owned(), password };
                        ask(&self.account(&email)?, Create { account, origin }).await?.secret
                    }
                    None => ask(&self.account(&email)?, SignIn { password, origin }).await?.secret,
                };
                let me = self.session(&email, &secret).await?;
                (email, me, secret)
            }
        };
        // An invite adds a member; it never changes a member's role (that is a decision for the
        // owners and admins, in Team). The link stays usable for whom it was meant for.
        if me.workspaces.iter().any(|w| w.id == site) {
            return Err(EdgeError::Conflict(format!("you already belong to {}", preview.workspace_name)));
        }
        let name = me.name;
        let (_, token_secret) = self.invite_parts(token)?;
        let role = ask(&self.workspace(&site)?, RedeemInvite { token: token_secret.to_owned() }).await?;
        self.join(&site, &preview.workspace_name, &email, &name, role).await?;
        self.audit(&site, AuditActor::Agent(email.clone()), AuditAction::InviteAccepted, role.label()).await;
        self.signed_in(&email, &secret, 200).await
    }
}

/// A workspace name reduced to a site id's first part: lowercase letters, digits and dashes.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 24 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.len() < 2 {
        "site".to_owned()
    } else {
        out
    }
}

/// A device and country as the new-device mail names them.
fn describe_origin(origin: &Origin) -> String {
    match &origin.country {
        Some(country) => format!("{} · {country}", origin.device),
        None => origin.device.clone(),
    }
}
