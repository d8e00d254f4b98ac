//! The REST API for a site owner's own tools, with bearer tokens (`Authorization: Bearer
//! pvx_…`), and the routes owners and admins manage those tokens with.
//!
//! Every API request is checked where it is used: the token by the workspace that owns it
//! (revoked or expired fails at once, a missing scope is `forbidden`), then a budget per token,
//! then the object the request concerns. Errors are problem details (RFC 9457) carrying the same
//! typed codes as the rest of the edge.

use crate::billing_routes::join;
use crate::conversation::logic::api::{ApiAuthor, ConversationChange, MAX_MESSAGES_PAGE};
use crate::conversation::{ApiMessages, ApiSend, ApiUpdate};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, query, read_json};
use crate::integrations::{render, IntegrationsView, TokenForm};
use crate::privacy_routes::Requester;
use crate::rest::{ContactCorrection, NewToken, Route, SendMessage};
use crate::router::{html_page, Ctx};
use crate::team::Action;
use crate::workspace::logic::listing::{Assignee, ConversationQuery};
use crate::workspace::logic::tokens::{bearer_token, token_view, ApiToken, Scope, TokenRequest};
use crate::workspace::{ConsentLog, CreateToken, GetConversationPage, RevokeToken, Summaries, Tokens, UseToken};
use shared::api::WorkspaceRef;
use shared::privacy::DataAction;
use shared::{ConversationId, ConversationStatus, Email, SiteId};
use worker::{Request, Response, Url};

/// Requests per token per minute: generous for a sync job, a wall for a runaway loop.
pub const TOKEN_BUDGET_PER_MINUTE: u32 = 300;

impl Ctx<'_> {
    /// The workspace a bearer token is for and the token, if it works and has `scope`.
    async fn bearer(&self, req: &Request, scope: Scope) -> EdgeResult<(SiteId, ApiToken)> {
        let header = req.headers().get("authorization")?.unwrap_or_default();
        let (site, id, secret) = bearer_token(&header).ok_or(EdgeError::Unauthorized)?;
        let site = SiteId::parse(site).map_err(|_| EdgeError::Unauthorized)?;
        // The budget first: a loop with a wrong token costs the workspace nothing.
        let verdict = self.rate_limit(&format!("api:{site}:{id}"), TOKEN_BUDGET_PER_MINUTE, 60_000).await?;
        if !verdict.allowed {
            return Err(EdgeError::RateLimited { retry_after_s: verdict.retry_after_s });
        }
        let secret_hash = crate::auth::sha256_hex(secret);
        let token = ask(&self.workspace(&site)?, UseToken { id: id.to_owned(), secret_hash, scope }).await?;
        Ok((site, token))
    }

    /// The REST API's routes (`rest::Route`); `None` for a path that is not one of them.
    pub async fn rest_api(&self, req: &mut Request, path: &[&str]) -> Option<EdgeResult<Response>> {
        let (route, id) = Route::find(req.method().as_ref(), path)?;
        let id = id.unwrap_or_default();
        let url = match req.url() {
            Ok(url) => url,
            Err(e) => return Some(Err(e.into())),
        };
        Some(match route {
            Route::OpenApi => self.openapi().await,
            Route::ListConversations => self.list_conversations(req, &url).await,
            Route::ReadConversation => self.read_conversation(req, id).await,
            Route::UpdateConversation => self.update_conversation(req, id).await,
            Route::ListMessages => self.list_messages(req, id, &url).await,
            Route::SendMessage => self.send_message(req, id).await,
            Route::FindContacts => self.find_contacts(req, &url).await,
            Route::ReadContact => self.contact_action(req, id, Scope::ContactsRead, DataAction::Status).await,
            Route::CorrectContact => self.correct_contact(req, id).await,
            Route::EraseContact => self.contact_action(req, id, Scope::ContactsWrite, DataAction::Erase).await,
            Route::ConsentRecords => self.consent_records(req).await,
        })
    }

    /// `GET /api/v1/openapi.json`: the document `rest.rs`'s test generates, from the static assets.
    async fn openapi(&self) -> EdgeResult<Response> {
        let mut asset = self.env.assets("ASSETS")?.fetch(format!("{}/openapi.json", self.own_origin), None).await?;
        if asset.status_code() != 200 {
            return Err(EdgeError::Internal(format!("openapi.json: the assets answered {}", asset.status_code())));
        }
        let headers = worker::Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set("cache-control", "public, max-age=300")?;
        headers.set("access-control-allow-origin", "*")?;
        Ok(Response::from_bytes(asset.bytes().await?)?.with_headers(headers))
    }

    async fn list_conversations(&self, req: &Request, url: &Url) -> EdgeResult<Response> {
        let (site, token) = self.bearer(req, Scope::ConversationsRead).await?;
        let query = conversation_query(url)?;
        let mut page = ask(&self.workspace(&site)?, GetConversationPage { query }).await?;
        page.conversations = page.conversations.into_iter().map(|c| token_view(c, &token)).collect();
        json(&page, 200)
    }

    async fn read_conversation(&self, req: &Request, id: &str) -> EdgeResult<Response> {
        let (site, token) = self.bearer(req, Scope::ConversationsRead).await?;
        let id = ConversationId::parse(id).map_err(|_| EdgeError::NotFound)?;
        let found = ask(&self.workspace(&site)?, Summaries { ids: vec![id] }).await?;
        json(&token_view(found.into_iter().next().ok_or(EdgeError::NotFound)?, &token), 200)
    }

    async fn update_conversation(&self, req: &mut Request, id: &str) -> EdgeResult<Response> {
        let (site, token) = self.bearer(req, Scope::MessagesWrite).await?;
        let id = ConversationId::parse(id).map_err(|_| EdgeError::NotFound)?;
        let change: ConversationChange = read_json(req).await?;
        let summary = ask(&self.conversation(&site, &id)?, ApiUpdate { change }).await?;
        json(&token_view(summary, &token), 200)
    }

    async fn list_messages(&self, req: &Request, id: &str, url: &Url) -> EdgeResult<Response> {
        let (site, _) = self.bearer(req, Scope::ConversationsRead).await?;
        let id = ConversationId::parse(id).map_err(|_| EdgeError::NotFound)?;
        let after = number(url, "after")?.unwrap_or(0);
        let limit = number(url, "limit")?.unwrap_or(u64::from(MAX_MESSAGES_PAGE));
        let limit =
            u32::try_from(limit).map_err(|_| EdgeError::Invalid(format!("limit is 1 to {MAX_MESSAGES_PAGE}")))?;
        json(&ask(&self.conversation(&site, &id)?, ApiMessages { after, limit }).await?, 200)
    }

    async fn send_message(&self, req: &mut Request, id: &str) -> EdgeResult<Response> {
        let (site, _) = self.bearer(req, Scope::MessagesWrite).await?;
        let id = ConversationId::parse(id).map_err(|_| EdgeError::NotFound)?;
        let send: SendMessage = read_json(req).await?;
        let author = match (send.agent, send.bot) {
            (Some(email), None) => ApiAuthor::Agent(email),
            (None, Some(name)) => ApiAuthor::Bot(name),
            _ => return Err(EdgeError::Invalid("send as one of `agent` (a member's email) or `bot` (a name)".into())),
        };
        let sent = ask(&self.conversation(&site, &id)?, ApiSend { author, client_id: send.client_id, body: send.body })
            .await?;
        json(&sent, 201)
    }

    /// `GET /api/v1/contacts?q=EMAIL_OR_USER_ID_OR_VISITOR_ID`: the visitors it finds.
    async fn find_contacts(&self, req: &Request, url: &Url) -> EdgeResult<Response> {
        let (site, _) = self.bearer(req, Scope::ContactsRead).await?;
        let q = query(url, "q").map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
        let q = q.ok_or_else(|| EdgeError::Invalid("`q` is an email, a verified user id or a visitor id".into()))?;
        json(&self.find_subjects(&site, q).await?, 200)
    }

    /// A contact read, corrected or erased: the same path, checks and audit entries as a
    /// data-subject request an owner makes for the visitor (the token named as who asked).
    async fn contact_action(&self, req: &Request, id: &str, scope: Scope, action: DataAction) -> EdgeResult<Response> {
        let (site, token) = self.bearer(req, scope).await?;
        self.subject_action(&site, id, action, Requester::Token(token.id)).await
    }

    /// `PATCH /api/v1/contacts/VISITOR_ID` with `{name?, email?}`.
    async fn correct_contact(&self, req: &mut Request, id: &str) -> EdgeResult<Response> {
        let (site, token) = self.bearer(req, Scope::ContactsWrite).await?;
        let c: ContactCorrection = read_json(req).await?;
        let action = DataAction::Correct { name: c.name, email: c.email };
        self.subject_action(&site, id, action, Requester::Token(token.id)).await
    }

    /// `GET /api/v1/consent-records`: the site's consent log, newest first.
    async fn consent_records(&self, req: &Request) -> EdgeResult<Response> {
        let (site, _) = self.bearer(req, Scope::ConsentRead).await?;
        json(&ask(&self.workspace(&site)?, ConsentLog {}).await?, 200)
    }

    /// `GET /integrations/SITE`: the tokens and webhooks page (owners and admins); someone
    /// signed out is sent to sign in first.
    pub async fn integrations_page(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let url = req.url()?;
        let notice = match (query(&url, "revoked"), query(&url, "deleted")) {
            (Some(_), _) => Some("Token revoked: it stops working at its next request."),
            (_, Some(_)) => Some("Endpoint deleted: nothing more is sent to it."),
            _ => None,
        };
        match self.member(site, req, Action::Manage).await {
            Ok((_, workspace)) => self.integrations_view(&workspace, Shown { notice, ..Shown::default() }, 200).await,
            Err(EdgeError::Unauthorized) => Ok(Response::redirect_with_status(join(&url, "/inbox")?, 303)?),
            Err(e) => Err(e),
        }
    }

    /// `POST /integrations/SITE/tokens`: the page again, with the new token shown this once, or
    /// with the form's error and what was typed.
    pub async fn integrations_create(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let form = TokenForm::from_fields(&self.form(req).await?);
        let made = match form.request() {
            Ok(ask_for) => self.make_token(&agent.email, &workspace.id, ask_for).await,
            Err(message) => Err(EdgeError::Invalid(message)),
        };
        match made {
            Ok(token) => {
                self.integrations_view(&workspace, Shown { created: Some(&token.token), ..Shown::default() }, 200).await
            }
            Err(e) if e.status() < 500 => {
                let message = e.public_message();
                let shown = Shown { error: Some((&message, &form)), ..Shown::default() };
                self.integrations_view(&workspace, shown, e.status()).await
            }
            Err(e) => Err(e),
        }
    }

    /// `POST /integrations/SITE/tokens/ID/revoke`: back to the page.
    pub async fn integrations_revoke(&self, site: &str, id: &str, req: &Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        ask(&self.workspace(&workspace.id)?, RevokeToken { by: agent.email.clone(), id: id.to_owned() }).await?;
        let to = join(&req.url()?, &format!("/integrations/{}?revoked=1", workspace.id))?;
        Ok(Response::redirect_with_status(to, 303)?)
    }

    /// The Integrations page with what this answer shows besides the lists.
    pub async fn integrations_view(
        &self,
        workspace: &WorkspaceRef,
        shown: Shown<'_>,
        status: u16,
    ) -> EdgeResult<Response> {
        let tokens = ask(&self.workspace(&workspace.id)?, Tokens {}).await?;
        let endpoints = ask(&self.webhooks(&workspace.id)?, crate::webhooks::Endpoints {}).await?;
        let view = IntegrationsView {
            workspace: &workspace.name,
            site: workspace.id.as_str(),
            tokens: &tokens,
            now: crate::glue::now_ms(),
            created: shown.created,
            notice: shown.notice,
            error: shown.error,
            endpoints: &endpoints,
            secret: shown.secret,
            hook_error: shown.hook_error,
        };
        integrations_answer(render(&view), status)
    }

    async fn make_token(&self, by: &Email, site: &SiteId, ask_for: TokenRequest) -> EdgeResult<NewToken> {
        let id = crate::auth::random_hex(4)?;
        let secret = crate::auth::random_hex(20)?;
        let create =
            CreateToken { by: by.clone(), ask: ask_for, id: id.clone(), secret_hash: crate::auth::sha256_hex(&secret) };
        let details = ask(&self.workspace(site)?, create).await?;
        Ok(NewToken { token: format!("pvx_{site}_{id}_{secret}"), details })
    }

    /// `GET /api/v1/workspaces/SITE/tokens`: owners and admins.
    pub async fn api_tokens(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Manage).await?;
        json(&ask(&self.workspace(&workspace.id)?, Tokens {}).await?, 200)
    }

    /// `POST /api/v1/workspaces/SITE/tokens`: a new token, shown once in the answer.
    pub async fn create_api_token(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let ask_for: TokenRequest = read_json(req).await?;
        json(&self.make_token(&agent.email, &workspace.id, ask_for).await?, 201)
    }

    /// `DELETE /api/v1/workspaces/SITE/tokens/ID`: it fails from the next request on.
    pub async fn revoke_api_token(&self, site: &str, id: &str, req: &Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let revoke = RevokeToken { by: agent.email.clone(), id: id.to_owned() };
        json(&ask(&self.workspace(&workspace.id)?, revoke).await?, 200)
    }
}

/// What one answer of the Integrations page shows besides its lists.
#[derive(Default)]
pub struct Shown<'a> {
    pub created: Option<&'a str>,
    pub notice: Option<&'a str>,
    pub error: Option<(&'a str, &'a TokenForm)>,
    pub secret: Option<&'a str>,
    pub hook_error: Option<(&'a str, &'a crate::integrations::webhooks::HookForm)>,
}

/// An Integrations page (or an endpoint's) as answered: its forms post to the edge, which checks
/// their Origin (see the billing page); a page with a new token or secret is never kept by a cache.
pub fn integrations_answer(html: String, status: u16) -> EdgeResult<Response> {
    let csp = "default-src 'none'; style-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    let res = html_page(html, csp)?.with_status(status);
    res.headers().set("referrer-policy", "same-origin")?;
    res.headers().set("cache-control", "no-store")?;
    Ok(res)
}

/// A query parameter that must be a whole number if present.
fn number(url: &Url, name: &str) -> EdgeResult<Option<u64>> {
    query(url, name)
        .map(|v| v.parse::<u64>().map_err(|_| EdgeError::Invalid(format!("`{name}` must be a whole number"))))
        .transpose()
}

/// The list's filters from the query string (`status`, `assignee` as an email or `none`,
/// `updated_since` in ms, `after` from the previous page's `next`, `limit`).
fn conversation_query(url: &Url) -> EdgeResult<ConversationQuery> {
    let status = query(url, "status")
        .map(|s| {
            ConversationStatus::from_name(&s)
                .ok_or_else(|| EdgeError::Invalid("`status` is one of open, pending, resolved".into()))
        })
        .transpose()?;
    let assignee = query(url, "assignee")
        .map(|a| match a.as_str() {
            "none" => Ok(Assignee::Nobody),
            email => Email::parse(email)
                .map(Assignee::Agent)
                .map_err(|_| EdgeError::Invalid("`assignee` is a member's email or `none`".into())),
        })
        .transpose()?;
    let after = query(url, "after")
        .map(|a| ConversationId::parse(&a).map_err(|_| EdgeError::Invalid("`after` is a page's `next`".into())))
        .transpose()?;
    let updated_since = number(url, "updated_since")?.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let limit = number(url, "limit")?.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    Ok(ConversationQuery { status, assignee, updated_since, after, limit })
}
