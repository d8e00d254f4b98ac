//! Data-subject rights over HTTP: the visitor's own requests from the widget's privacy menu
//! (authenticated by their visitor token) and the same actions run by a workspace's owner or admin
//! on their behalf. Every action is written to the workspace's audit log, which names the visitor
//! only by a non-reversible reference.

use crate::auth::visitor_hash;
use crate::conversation::{Erase, Export, SiteContact};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, now_ms, query, read_json};
use crate::router::Ctx;
use crate::team::Action;
use crate::visitor::{ContactChange, Conversations, Erase as VisitorErase, Object, Profile, Restrict, Subject};
use crate::webhooks::ForgetVisitor;
use crate::workspace::{FindSubjects, Forget, Summaries, VisitorConversations};
use shared::api::{AuditAction, AuditActor};
use shared::privacy::{ConversationExport, DataAction, DataExport, DataRegion, DataSubject, Erased, MyDataRequest};
use shared::{Email, ErrorCode, SiteId, VisitorId};
use worker::{Request, Response};

/// Who asked: the visitor themself, or an owner or admin for them.
pub(crate) enum Requester {
    Visitor,
    Admin(Email),
    /// A workspace's API token (by its public id), for the site owner's own tools.
    Token(String),
}

impl Requester {
    fn actor(&self) -> AuditActor {
        match self {
            Requester::Visitor => AuditActor::Visitor,
            Requester::Admin(email) => AuditActor::Agent(email.clone()),
            Requester::Token(id) => AuditActor::Other(format!("API token {id}")),
        }
    }

    fn on_behalf(&self) -> &'static str {
        match self {
            Requester::Visitor => "by the visitor",
            Requester::Admin(_) | Requester::Token(_) => "on behalf of the visitor",
        }
    }
}

/// The audit log's name for a visitor: the start of `sha256(SITE:VISITOR_ID)`, the hash their
/// consent records carry. It cannot be turned back into the id.
fn reference(site: &SiteId, visitor: &VisitorId) -> String {
    visitor_hash(site, visitor)[..16].to_owned()
}

/// Requests one visitor may make per ten minutes (an export reads every conversation).
const VISITOR_REQUESTS: u32 = 30;

impl Ctx<'_> {
    /// `POST /api/v1/sites/{site}/my-data` from the widget.
    pub async fn my_data(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        let site = self.site(site)?;
        let body: MyDataRequest = read_json(req).await?;
        let token = self.bound_token_of(&site, &body.token).await?;
        // A closed workspace serves nobody, its visitors included.
        self.config(&site).await?;
        // Keyed by the visitor's reference, so the limiter never holds their id.
        self.limit_site(&site, &format!("my-data:{}", visitor_hash(&site, &token.visitor_id)), VISITOR_REQUESTS)
            .await?;
        self.data_action(&site, &token.visitor_id, body.request, Requester::Visitor).await
    }

    /// `GET /api/v1/workspaces/{site}/data-subjects?q=EMAIL_OR_ID` (owners and admins).
    pub async fn data_subjects(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Manage).await?;
        let q = query(&req.url()?, "q").unwrap_or_default();
        json(&self.find_subjects(&workspace.id, q).await?, 200)
    }

    /// The visitors whose email, verified user id or visitor id is `q`, as their privacy menu
    /// shows them (an erased one is not there).
    pub(crate) async fn find_subjects(&self, site: &SiteId, q: String) -> EdgeResult<Vec<DataSubject>> {
        let ids = ask(&self.workspace(site)?, FindSubjects { q }).await?;
        let mut found = vec![];
        for id in ids {
            // An id nobody has (or one that was erased) holds nothing to show.
            match ask(&self.visitor(site, &id)?, Subject {}).await {
                Ok(subject) if subject.visitor_id.is_some() => found.push(subject),
                Ok(_) => {}
                Err(e) if e.code() == ErrorCode::Unauthorized => {}
                Err(e) => return Err(e),
            }
        }
        Ok(found)
    }

    /// `POST /api/v1/workspaces/{site}/data-subjects/{visitor_id}` (owners and admins).
    pub async fn data_subject_action(&self, site: &str, visitor: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let action: DataAction = read_json(req).await?;
        self.subject_action(&workspace.id, visitor, action, Requester::Admin(agent.email)).await
    }

    /// A data-subject request made for a visitor of the site (by an owner or admin, or an API
    /// token): `not_found` for an id nobody has or one that was erased.
    pub(crate) async fn subject_action(
        &self,
        site: &SiteId,
        visitor: &str,
        action: DataAction,
        by: Requester,
    ) -> EdgeResult<Response> {
        let visitor = VisitorId::parse(visitor).map_err(|_| EdgeError::NotFound)?;
        let held = ask(&self.visitor(site, &visitor)?, Subject {}).await.map_err(|e| {
            if e.code() == ErrorCode::Unauthorized {
                EdgeError::NotFound
            } else {
                e
            }
        })?;
        if held.visitor_id.is_none() {
            return Err(EdgeError::NotFound);
        }
        self.data_action(site, &visitor, action, by).await
    }

    /// `GET /api/v1/workspaces/{site}/data-requests` (owners and admins): the request history.
    pub async fn data_requests(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (_, workspace) = self.member(site, req, Action::Manage).await?;
        json(&self.audit_page(&workspace.id, &req.url()?, shared::api::AuditFilter::DataRequests).await?, 200)
    }

    async fn data_action(
        &self,
        site: &SiteId,
        visitor: &VisitorId,
        action: DataAction,
        by: Requester,
    ) -> EdgeResult<Response> {
        let stub = self.visitor(site, visitor)?;
        let note = |extra: &str| format!("{} · subject {}{extra}", by.on_behalf(), reference(site, visitor));
        match action {
            DataAction::Status => json(&ask(&stub, Subject {}).await?, 200),
            DataAction::Export => {
                let export = self.export(site, visitor, matches!(by, Requester::Admin(_))).await?;
                self.audit(site, by.actor(), AuditAction::DataExported, &note("")).await;
                json(&export, 200)
            }
            DataAction::Correct { name, email } => {
                let name = name.map(|n| shared::domain::visitor_name(&n)).transpose()?;
                let email = email.map(|e| Email::parse(&e)).transpose()?;
                if name.is_none() && email.is_none() {
                    return Err(EdgeError::Invalid("give a name or an email".into()));
                }
                let change =
                    ContactChange { by: by.actor().as_str().to_owned(), name: name.clone(), email: email.clone() };
                ask(&stub, change).await?;
                // Agents see the corrected details on every conversation.
                let email = email.map(|e| e.as_str().to_owned());
                for id in ask(&stub, Conversations {}).await? {
                    let contact = SiteContact { name: name.clone(), email: email.clone() };
                    ask(&self.conversation(site, &id)?, contact).await?;
                }
                self.audit(site, by.actor(), AuditAction::DataCorrected, &note("")).await;
                json(&ask(&stub, Subject {}).await?, 200)
            }
            DataAction::Restrict { on } => {
                let subject = ask(&stub, Restrict { on }).await?;
                // Nothing about them goes to the site's webhook endpoints while it lasts.
                ask(&self.webhooks(site)?, crate::webhooks::Withhold { visitor: visitor.clone(), on }).await?;
                let action = if on { AuditAction::ProcessingRestricted } else { AuditAction::ProcessingResumed };
                self.audit(site, by.actor(), action, &note("")).await;
                json(&subject, 200)
            }
            DataAction::Object { on } => {
                let subject = ask(&stub, Object { on }).await?;
                let action = if on { AuditAction::AnalyticsObjected } else { AuditAction::AnalyticsObjectionWithdrawn };
                self.audit(site, by.actor(), action, &note("")).await;
                json(&subject, 200)
            }
            DataAction::Erase => {
                let erased = self.erase(site, visitor).await?;
                let extra = format!(" · {} conversation(s) deleted, verified", erased.conversations);
                self.audit(site, by.actor(), AuditAction::DataErased, &note(&extra)).await;
                json(&erased, 200)
            }
        }
    }

    /// Everything held about the visitor. An admin's export includes agents' private notes
    /// (the controller decides what to hand over); the visitor's own leaves them out.
    async fn export(&self, site: &SiteId, visitor: &VisitorId, notes: bool) -> EdgeResult<DataExport> {
        let stub = self.visitor(site, visitor)?;
        let mut profile = ask(&stub, Profile {}).await?;
        let ids = ask(&stub, Conversations {}).await?;
        // The inbox's summaries carry agents' working state (a note may be the last message);
        // the visitor gets their conversations in full below instead.
        if notes {
            profile.conversations = ask(&self.workspace(site)?, Summaries { ids: ids.clone() }).await?;
        }
        profile.visitor_id = Some(visitor.clone());
        let mut conversations = vec![];
        for id in &ids {
            match ask(&self.conversation(site, id)?, Export { notes }).await {
                // A link that works from wherever the file is opened.
                Ok(c) => conversations
                    .push(ConversationExport { files: c.files.map(|p| format!("{}{p}", self.own_origin)), ..c }),
                // Started but never written in: nothing to export.
                Err(e) if e.code() == ErrorCode::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        // What was mailed to the addresses of their conversations, by this site only.
        let mut addresses: Vec<&shared::Email> =
            conversations.iter().filter_map(|c| c.details.visitor_email.as_ref()).collect();
        addresses.sort();
        addresses.dedup();
        let mut emails = vec![];
        for address in addresses {
            let log = ask(&crate::glue::postbox_object(self.env, address.as_str())?, crate::postbox::Log {}).await?;
            for m in log.into_iter().filter(|m| m.site.as_ref() == Some(site)) {
                emails.push(shared::privacy::MailRecord {
                    at: m.at,
                    kind: crate::glue::name_of(m.kind)?,
                    to: address.as_str().to_owned(),
                    subject: m.subject,
                    status: crate::glue::name_of(m.status)?,
                });
            }
        }
        Ok(DataExport {
            exported_at: now_ms(),
            site: site.clone(),
            data_region: DataRegion::of(site),
            visitor_id: visitor.clone(),
            profile,
            conversations,
            emails,
        })
    }

    /// Erases the visitor everywhere their data is: each conversation (its sockets closed), the
    /// workspace's index, search, identity link, directory and consent proofs, then the visitor
    /// object, which keeps only a tombstone so their token is refused. Then checks that nothing
    /// answers with any of it.
    async fn erase(&self, site: &SiteId, visitor: &VisitorId) -> EdgeResult<Erased> {
        let stub = self.visitor(site, visitor)?;
        let workspace = self.workspace(site)?;
        // The visitor's own list, and any conversation the index ties to them that the list
        // missed (it is kept in step on a best-effort basis).
        let mut ids = ask(&stub, Conversations {}).await?;
        let indexed = ask(&workspace, VisitorConversations { visitor_id: visitor.clone() }).await?;
        for id in indexed {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        // Each conversation answers the address it had: the pending mail and mail log this site
        // has for them go too.
        let mut addresses: Vec<shared::Email> = Vec::new();
        for id in &ids {
            addresses.extend(ask(&self.conversation(site, id)?, Erase { tombstone: true }).await?);
        }
        addresses.sort();
        addresses.dedup();
        for address in &addresses {
            let erase = crate::postbox::Erase { site: Some(site.clone()) };
            ask(&crate::glue::postbox_object(self.env, address.as_str())?, erase).await?;
        }
        let visitor_hash = visitor_hash(site, visitor);
        let forget = Forget { visitor_id: visitor.clone(), visitor_hash, conversation_ids: ids.clone() };
        ask(&workspace, forget).await?;
        // The webhooks: deliveries about them go (their words are in the logged ones), nothing
        // about them is sent again, and endpoints that want it hear `contact.erased`.
        let event = crate::webhooks::contact_erased(site, visitor, now_ms());
        let hooks_left = ask(&self.webhooks(site)?, ForgetVisitor { visitor: visitor.clone(), event }).await?;
        ask(&stub, VisitorErase {}).await?;
        // Verify: the visitor and every conversation refuse, the index has none of them.
        let gone = |what: &str, r: EdgeResult<()>| match r {
            Err(e) if e.code() == ErrorCode::Unauthorized => Ok(()),
            other => Err(EdgeError::Internal(format!("erasure in {site} left {what} behind: {other:?}"))),
        };
        gone("the visitor", ask(&stub, Profile {}).await.map(|_| ()))?;
        for id in &ids {
            gone("a conversation", ask(&self.conversation(site, id)?, Export { notes: false }).await.map(|_| ()))?;
        }
        if hooks_left > 0 {
            return Err(EdgeError::Internal(format!("erasure in {site} left {hooks_left} webhook deliveries behind")));
        }
        let left = ask(&workspace, Summaries { ids: ids.clone() }).await?;
        if !left.is_empty() {
            return Err(EdgeError::Internal(format!("erasure in {site} left {} inbox entries behind", left.len())));
        }
        Ok(Erased { conversations: ids.len() as u32, reference: reference(site, visitor) })
    }

    /// A per-site limit on `key`: refusals answer 429, and the first refusal of each window goes
    /// to the workspace's audit log (monitoring of suspicious activity).
    pub async fn limit_site(&self, site: &SiteId, key: &str, limit: u32) -> EdgeResult<()> {
        const WINDOW_MS: i64 = 10 * 60 * 1000;
        let verdict = self.rate_limit(key, limit, WINDOW_MS).await?;
        if verdict.allowed {
            return Ok(());
        }
        if verdict.first_refusal {
            let what = key.split(':').next().unwrap_or_default();
            self.audit(
                site,
                AuditActor::Site,
                AuditAction::RateLimited,
                &format!("{what}: more than {limit} requests in 10 minutes"),
            )
            .await;
        }
        Err(EdgeError::RateLimited { retry_after_s: verdict.retry_after_s })
    }
}
