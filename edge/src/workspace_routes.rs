//! The inbox's workspace routes: its sockets, settings, members, invites, search and the widget
//! preview. Every route checks the session and the agent's role in that workspace first.

use crate::account::{AddMembership, RemoveMembership, Upsert};
use crate::account_routes::Agent;
use crate::auth;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, query, read_json};
use crate::pages;
use crate::router::{Ctx, Who};
use crate::settings::CreateWorkspace;
use crate::team::{require, Action};
use crate::workspace::{
    ChangeRole, Close, CreateInvite, Members, RemoveMember, Search, UpdateSettings, H_EMAIL, H_SESSION,
};
use shared::api::{
    AuditAction, AuditActor, ChangeRoleRequest, CreateInviteRequest, Invite, WorkspaceRef, WorkspaceSettings,
};
use shared::{AgentRef, ConversationId, Email, SiteId};
use worker::{Headers, Method, Request, Response};

impl Ctx<'_> {
    /// The signed-in agent and their membership of `site`, if their role allows `action`. Someone
    /// who is not a member gets `forbidden`, whether or not the site exists.
    pub async fn member(&self, site: &str, req: &Request, action: Action) -> EdgeResult<(Agent, WorkspaceRef)> {
        // Browsers send no Origin on same-origin GETs; the SameSite=Strict cookie covers those.
        // Anything that changes state, and every socket upgrade, must come from our own pages.
        if req.method() != Method::Get || req.headers().has("upgrade")? {
            self.require_own_origin(req)?;
        }
        let agent = self.agent(req).await?;
        let site = SiteId::parse(site).map_err(|_| EdgeError::Forbidden)?;
        let workspace = agent.me.workspaces.iter().find(|w| w.id == site).cloned().ok_or(EdgeError::Forbidden)?;
        require(workspace.role, action)?;
        Ok((agent, workspace))
    }

    pub async fn inbox_connect(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        self.require_upgrade(req)?;
        let (agent, workspace) = self.member(site, req, Action::Chat).await?;
        let headers = Headers::new();
        headers.set(H_EMAIL, agent.email.as_str())?;
        headers.set(H_SESSION, &agent.session_id())?;
        crate::glue::open_socket(&self.workspace(&workspace.id)?, headers).await
    }

    pub async fn agent_conversation_connect(&self, site: &str, id: &str, req: &Request) -> EdgeResult<Response> {
        self.require_upgrade(req)?;
        let (agent, workspace) = self.member(site, req, Action::Chat).await?;
        let id = ConversationId::parse(id).map_err(|_| EdgeError::NotFound)?;
        let session = agent.session_id();
        let me = AgentRef { email: agent.email, name: agent.me.name };
        let who = Who::Agent(&me, &session);
        self.forward_upgrade(&self.conversation(&workspace.id, &id)?, &workspace.id, &id, who).await
    }

    pub async fn search(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Chat).await?;
        let q = query(&req.url()?, "q").unwrap_or_default();
        let hits = ask(&self.workspace(&workspace.id)?, Search { q }).await?;
        json(&hits, 200)
    }

    pub async fn settings(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Chat).await?;
        json(&self.config(&workspace.id).await?.settings(&workspace.id), 200)
    }

    pub async fn update_settings(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let settings: WorkspaceSettings = read_json(req).await?;
        if let Some(hours) = &settings.business_hours {
            // Only the runtime's Intl knows every zone; a typo would otherwise close the chat.
            if crate::glue::local_time(&hours.time_zone).is_none() {
                return Err(EdgeError::Invalid(format!("'{}' is not a time zone", hours.time_zone)));
            }
        }
        let current = self.config(&workspace.id).await?.chat.retention_days;
        self.require_retention(&workspace.id, settings.retention_days, current).await?;
        let saved = ask(&self.workspace(&workspace.id)?, UpdateSettings { settings }).await?;
        self.audit(&workspace.id, AuditActor::Agent(agent.email.clone()), AuditAction::SettingsChanged, "").await;
        json(&saved, 200)
    }

    pub async fn members(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Chat).await?;
        let members = ask(&self.workspace(&workspace.id)?, Members {}).await?;
        json(&members, 200)
    }

    pub async fn change_member(&self, site: &str, email: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let target = member_email(email)?;
        let body: ChangeRoleRequest = read_json(req).await?;
        let change = ChangeRole { actor: agent.email.clone(), email: target.clone(), role: body.role };
        let member = ask(&self.workspace(&workspace.id)?, change).await?;
        let membership =
            crate::settings::Membership { site: workspace.id.clone(), name: workspace.name, role: member.role };
        ask(&self.account(&target)?, AddMembership { membership }).await?;
        let detail = format!("{target} → {}", member.role.label());
        self.audit(&workspace.id, AuditActor::Agent(agent.email.clone()), AuditAction::RoleChanged, &detail).await;
        json(&member, 200)
    }

    /// Removes a member from the workspace's list, then from their account: from that moment
    /// their session no longer opens anything of this workspace.
    pub async fn remove_member(&self, site: &str, email: &str, req: &Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let target = member_email(email)?;
        let removal = RemoveMember { actor: agent.email.clone(), email: target.clone() };
        ask(&self.workspace(&workspace.id)?, removal).await?;
        ask(&self.account(&target)?, RemoveMembership { site: workspace.id.clone() }).await?;
        self.audit(&workspace.id, AuditActor::Agent(agent.email.clone()), AuditAction::MemberRemoved, target.as_str())
            .await;
        json(&serde_json::json!({ "ok": true }), 200)
    }

    /// Closes the workspace (its owner only, naming its id to confirm): every member loses it
    /// at once, the widget stops, and the workspace's object deletes everything after the grace
    /// period (see `workspace::logic`, its alarm).
    pub async fn close_workspace(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Manage).await?;
        if workspace.role != shared::api::Role::Owner {
            return Err(EdgeError::Forbidden);
        }
        let body: shared::privacy::CloseWorkspaceRequest = read_json(req).await?;
        if body.confirm.trim() != workspace.id.as_str() {
            return Err(EdgeError::Invalid(format!("type the workspace id ({}) to confirm", workspace.id)));
        }
        let stub = self.workspace(&workspace.id)?;
        let members = ask(&stub, Members {}).await?;
        let closing = ask(&stub, Close {}).await?;
        for member in members {
            ask(&self.account(&member.email)?, RemoveMembership { site: workspace.id.clone() }).await?;
        }
        json(&closing, 200)
    }

    pub async fn create_invite(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let body: CreateInviteRequest = read_json(req).await?;
        self.require_seat(&workspace.id).await?;
        // A bad address is refused before an invite exists that nobody would receive, and so is
        // one over the site's hourly mail budget.
        let to = body.email.as_deref().map(|e| Email::parse(e.trim())).transpose()?;
        if to.is_some() {
            let budget = crate::glue::site_mail_budget(self.env, &workspace.id).await?;
            if !budget.allowed {
                return Err(EdgeError::RateLimited { retry_after_s: budget.retry_after_s });
            }
        }
        let invite = ask(&self.workspace(&workspace.id)?, CreateInvite { role: body.role }).await?;
        let url = format!("{}/inbox#invite={}.{}", self.own_origin, workspace.id, invite.token);
        let mut detail = invite.role.label().to_owned();
        if let Some(to) = &to {
            let days = crate::team::INVITE_TTL_MS / (24 * 3600 * 1000);
            let role = crate::mail::account::role_phrase(invite.role);
            let (kind, mail) = self.sender().invite(to.as_str(), &agent.me.name, &workspace.name, role, &url, days);
            self.post_mail(kind, Some(workspace.id.clone()), mail);
            detail = format!("{detail} · emailed to {to}");
        }
        self.audit(&workspace.id, AuditActor::Agent(agent.email.clone()), AuditAction::InviteCreated, &detail).await;
        json(&Invite { url, role: invite.role, expires_at: invite.expires_at }, 201)
    }

    /// "Test your widget": a page on the edge's own origin that loads the real loader for the
    /// site, for its members only.
    pub async fn preview_page(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Chat).await?;
        let page = pages::preview_page(self.own_origin, workspace.id.as_str(), &workspace.name);
        let res = crate::router::html_page(page, pages::PREVIEW_CSP)?;
        res.headers().set("cache-control", "no-store")?;
        Ok(res)
    }

    /// The operator's routes (`Authorization: Bearer ADMIN_TOKEN`); none without the token set.
    pub fn require_operator(&self, req: &Request) -> EdgeResult<()> {
        let expected = self.env.secret("ADMIN_TOKEN").map_err(|_| EdgeError::NotFound)?.to_string();
        let given = req.headers().get("authorization")?.unwrap_or_default();
        // Compare digests so the comparison's timing says nothing about the token.
        if auth::sha256_hex(&given) != auth::sha256_hex(&format!("Bearer {expected}")) {
            return Err(EdgeError::Unauthorized);
        }
        Ok(())
    }

    /// Operator route that creates a workspace and its owner; absent unless `ADMIN_TOKEN` is set.
    pub async fn admin_create_workspace(&self, req: &mut Request) -> EdgeResult<Response> {
        self.require_operator(req)?;
        let body: CreateWorkspace = read_json(req).await?;
        let config = body.validate()?;
        let upsert = Upsert {
            membership: crate::settings::Membership {
                site: body.site.clone(),
                name: config.name.clone(),
                role: shared::api::Role::Owner,
            },
            account: body.owner.clone(),
        };
        ask(&self.account(&body.owner.email)?, upsert).await?;
        self.create_workspace(&body, &config, true).await?;
        json(&serde_json::json!({ "site": body.site, "owner": body.owner.email }), 201)
    }
}

/// An email from a path segment, percent-decoded (`%40` for `@`, `%2B` for `+`).
fn member_email(segment: &str) -> EdgeResult<Email> {
    let decoded = js_sys::decode_uri_component(segment).ok().and_then(|s| s.as_string()).ok_or(EdgeError::NotFound)?;
    Email::parse(&decoded).map_err(|_| EdgeError::NotFound)
}
