//! The workspace audit log: the router writes an entry wherever something worth answering for
//! happens (sign-ins, the team, settings, exports, refused identities), and owners and admins read
//! and export it. Entries are appended by the workspace object; no route edits or deletes one.

use crate::consent_export::audit_csv;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, json, now_ms, query};
use crate::router::Ctx;
use crate::team::Action;
use crate::workspace::{AppendAudit, AuditLog};
use shared::api::AuditActor;
use shared::api::{AuditAction, AuditEntry, AuditFilter, AuditPage};
use shared::{Email, SiteId};
use worker::{console_error, Headers, Request, Response};

impl Ctx<'_> {
    /// Appends to `site`'s audit log. The action itself has happened (or been refused) already,
    /// so a failure to log is reported in the edge's log rather than to the user.
    pub async fn audit(&self, site: &SiteId, actor: AuditActor, action: AuditAction, detail: &str) {
        let entry = AuditEntry { at: now_ms(), actor, action, detail: detail.to_owned() };
        let result: EdgeResult<()> = async { ask(&self.workspace(site)?, AppendAudit { entry }).await }.await;
        if let Err(e) = result {
            console_error!("audit {site}: {e}");
        }
    }

    /// One page of `site`'s audit log: `?before=N` names where the previous page ended.
    pub async fn audit_page(&self, site: &SiteId, url: &worker::Url, filter: AuditFilter) -> EdgeResult<AuditPage> {
        let before = match query(url, "before") {
            Some(n) => Some(n.parse::<u64>().map_err(|_| EdgeError::Invalid("before must be a number".into()))?),
            None => None,
        };
        ask(&self.workspace(site)?, AuditLog { before, filter }).await
    }

    /// Logs an account's sign-in event in every workspace it belongs to.
    pub async fn audit_account(&self, sites: &[SiteId], actor: &Email, action: AuditAction, detail: &str) {
        for site in sites {
            self.audit(site, AuditActor::Agent(actor.clone()), action, detail).await;
        }
    }

    /// `GET …/audit[?before=N][&action=NAME][&format=csv]`: one page (newest first), or all of it
    /// as CSV.
    pub async fn audit_log(&self, site: &str, req: &Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Manage).await?;
        let url = req.url()?;
        if query(&url, "format").as_deref() != Some("csv") {
            let filter = match query(&url, "action") {
                Some(name) => AuditFilter::Action(
                    serde_json::from_value(serde_json::Value::String(name))
                        .map_err(|_| EdgeError::Invalid("no such audit action".into()))?,
                ),
                None => AuditFilter::All,
            };
            return json(&self.audit_page(&workspace.id, &url, filter).await?, 200);
        }
        // The download says who took a copy, and includes that line itself.
        self.audit(&workspace.id, AuditActor::Agent(agent.email), AuditAction::AuditLogExported, "CSV").await;
        let mut entries = vec![];
        let mut before = None;
        loop {
            let page = ask(&self.workspace(&workspace.id)?, AuditLog { before, filter: AuditFilter::All }).await?;
            entries.extend(page.entries);
            match page.next_before {
                Some(next) => before = Some(next),
                None => break,
            }
        }
        let headers = Headers::new();
        headers.set("content-type", "text/csv; charset=utf-8")?;
        headers.set("content-disposition", &format!("attachment; filename=\"audit-log-{}.csv\"", workspace.id))?;
        headers.set("cache-control", "no-store")?;
        Ok(Response::ok(audit_csv(&entries))?.with_headers(headers))
    }
}
