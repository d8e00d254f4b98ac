//! The workspace's part in data-subject rights and retention: the directory that finds a visitor
//! by email, forgetting an erased visitor's index entries, search and consent proofs, and the
//! retention alarm that deletes conversations past the workspace's period.

use super::Workspace;
use crate::conversation::object::Erase;
use crate::error::EdgeResult;
use crate::glue::{call, now_ms, retention_ms, site_object};
use serde::{Deserialize, Serialize};
use shared::api::{AuditAction, AuditEntry};
use shared::privacy::{Closing, CLOSURE_GRACE_DAYS};
use shared::{ConversationId, Email, ServerMsg, SiteId, VisitorId};
use worker::Method;

/// Most conversations one retention alarm deletes; the next alarm follows at once if more are due.
const EXPIRE_BATCH: i64 = 50;

/// `POST /directory` from a visitor object: the email on its profile now.
#[derive(Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub visitor_id: VisitorId,
    pub email: Option<Email>,
}

/// `POST /forget`: everything the workspace holds about an erased visitor.
#[derive(Serialize, Deserialize)]
pub struct Forget {
    pub visitor_id: VisitorId,
    /// As in their consent records (`sha256(SITE:VISITOR_ID)`).
    pub visitor_hash: String,
    pub conversation_ids: Vec<ConversationId>,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

impl Workspace {
    /// Whether the visitor was erased (a call sent before the erasure may arrive after it).
    fn erased(&self, visitor: &VisitorId) -> EdgeResult<bool> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let hash = crate::auth::sha256_hex(&format!("{}:{visitor}", self.site_name()));
        let found: Count = self
            .sql()
            .exec("SELECT COUNT(*) AS n FROM erased_visitors WHERE visitor_hash = ?", vec![hash.into()])?
            .one()?;
        Ok(found.n > 0)
    }

    pub(super) fn register_visitor(&self, visitor: &VisitorId) -> EdgeResult<()> {
        if !self.erased(visitor)? {
            self.sql().exec("INSERT OR IGNORE INTO visitors (visitor_id) VALUES (?)", vec![visitor.as_str().into()])?;
        }
        Ok(())
    }

    pub(super) fn directory(&self, entry: DirectoryEntry) -> EdgeResult<()> {
        if self.erased(&entry.visitor_id)? {
            return Ok(());
        }
        self.register_visitor(&entry.visitor_id)?;
        let sql = self.sql();
        match entry.email {
            Some(email) => sql.exec(
                "INSERT OR REPLACE INTO directory (visitor_id, email) VALUES (?, ?)",
                vec![entry.visitor_id.as_str().into(), email.as_str().into()],
            )?,
            None => sql.exec("DELETE FROM directory WHERE visitor_id = ?", vec![entry.visitor_id.as_str().into()])?,
        };
        Ok(())
    }

    /// Visitors whose email, verified user id or visitor id is `q`.
    pub(super) fn find_subjects(&self, q: &str) -> EdgeResult<Vec<VisitorId>> {
        let q = q.trim();
        let mut found = vec![];
        if let Ok(id) = VisitorId::parse(q) {
            found.push(id);
        }
        let email = Email::parse(q).map(|e| e.as_str().to_owned()).unwrap_or_default();
        let rows: Vec<Id> = self
            .sql()
            .exec(
                "SELECT visitor_id AS id FROM directory WHERE email = ? \
                 UNION SELECT json_extract(json, '$.visitor_id') AS id FROM identities WHERE user_id = ?",
                vec![email.into(), q.into()],
            )?
            .to_array()?;
        for row in rows {
            let id = VisitorId::parse(&row.id)?;
            if !found.contains(&id) {
                found.push(id);
            }
        }
        Ok(found)
    }

    /// Forgets an erased visitor: their inbox entries and search index, the user id link, the
    /// directory entry and their consent proofs. Live inboxes get the list without them.
    pub(super) fn forget(&self, f: &Forget) -> EdgeResult<()> {
        let sql = self.sql();
        for id in &f.conversation_ids {
            self.drop_conversation(id)?;
            sql.exec("INSERT OR IGNORE INTO erased_conversations (id) VALUES (?)", vec![id.as_str().into()])?;
        }
        sql.exec(
            "DELETE FROM identities WHERE json_extract(json, '$.visitor_id') = ?",
            vec![f.visitor_id.as_str().into()],
        )?;
        sql.exec("DELETE FROM directory WHERE visitor_id = ?", vec![f.visitor_id.as_str().into()])?;
        sql.exec("DELETE FROM visitors WHERE visitor_id = ?", vec![f.visitor_id.as_str().into()])?;
        sql.exec("DELETE FROM retention_sync WHERE visitor_id = ?", vec![f.visitor_id.as_str().into()])?;
        sql.exec(
            "INSERT OR IGNORE INTO erased_visitors (visitor_hash) VALUES (?)",
            vec![f.visitor_hash.as_str().into()],
        )?;
        sql.exec(
            "DELETE FROM consent_log WHERE json_extract(json, '$.visitor_hash') = ?",
            vec![f.visitor_hash.as_str().into()],
        )?;
        self.broadcast(&ServerMsg::Inbox { conversations: self.conversations()? });
        Ok(())
    }

    fn drop_conversation(&self, id: &ConversationId) -> EdgeResult<()> {
        let sql = self.sql();
        sql.exec("DELETE FROM conversations WHERE id = ?", vec![id.as_str().into()])?;
        sql.exec("DELETE FROM message_index WHERE conversation_id = ?", vec![id.as_str().into()])?;
        Ok(())
    }

    pub(super) fn append_audit(&self, entry: &AuditEntry) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT INTO audit (at, json) VALUES (?, ?)",
            vec![entry.at.into(), serde_json::to_string(entry)?.into()],
        )?;
        Ok(())
    }

    fn retention(&self) -> EdgeResult<Option<(u32, i64)>> {
        let days = self.config()?.chat.retention_days;
        Ok(days.zip(retention_ms(&self.env, days)))
    }

    /// Sets the alarm for the next thing due: visitors to tell about a new retention period
    /// (now), or the least recently active conversation passing the period; clears it when
    /// nothing is. Each workspace keeps its own alarm.
    pub(super) async fn schedule_retention(&self) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct At {
            at: Option<i64>,
        }
        let storage = self.state.storage();
        let sql = self.sql();
        let pending: At = sql.exec("SELECT MIN(1) AS at FROM retention_sync", None)?.one()?;
        let expiry = match self.retention()? {
            Some((_, period)) => {
                sql.exec("SELECT MIN(last_at) AS at FROM conversations", None)?.one::<At>()?.at.map(|at| at + period)
            }
            None => None,
        };
        let next = [pending.at.map(|_| now_ms()), expiry].into_iter().flatten().min();
        match next {
            Some(at) => storage.set_alarm(crate::glue::at_time(at.max(now_ms() + 1))).await?,
            None => storage.delete_alarm().await?,
        }
        Ok(())
    }

    /// The retention period changed: every visitor object is told (by the alarm, in batches),
    /// so page activity recorded under the old period follows the new one.
    pub(super) fn retention_changed(&self) -> EdgeResult<()> {
        self.sql().exec("INSERT OR IGNORE INTO retention_sync (visitor_id) SELECT visitor_id FROM visitors", None)?;
        Ok(())
    }

    /// Tells a batch of visitors the current retention period.
    pub(super) async fn sync_retention(&self) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Visitor {
            visitor_id: String,
        }
        let sql = self.sql();
        let due: Vec<Visitor> =
            sql.exec("SELECT visitor_id FROM retention_sync LIMIT ?", vec![EXPIRE_BATCH.into()])?.to_array()?;
        if due.is_empty() {
            return Ok(());
        }
        let site = SiteId::parse(&self.site_name())?;
        let period = serde_json::to_string(&self.retention()?.map(|(_, ms)| ms))?;
        for row in &due {
            let stub = site_object(&self.env, "VISITOR", &site, &format!("{site}:{}", row.visitor_id))?;
            // An erased visitor has nothing left to expire.
            match call::<serde_json::Value>(&stub, Method::Post, "/retention", Some(period.clone())).await {
                Err(e) if e.code() != shared::ErrorCode::Unauthorized => return Err(e),
                _ => {}
            }
            sql.exec("DELETE FROM retention_sync WHERE visitor_id = ?", vec![row.visitor_id.as_str().into()])?;
        }
        Ok(())
    }

    /// The alarm: deletes every conversation whose last activity is older than the retention
    /// period — the conversation object itself, then its index and search entries.
    pub(super) async fn expire_conversations(&self) -> EdgeResult<()> {
        let Some((days, period)) = self.retention()? else { return self.schedule_retention().await };
        let site = SiteId::parse(&self.site_name())?;
        let due: Vec<Id> = self
            .sql()
            .exec(
                "SELECT id FROM conversations WHERE last_at < ? ORDER BY last_at LIMIT ?",
                vec![(now_ms() - period).into(), EXPIRE_BATCH.into()],
            )?
            .to_array()?;
        for row in &due {
            let id = ConversationId::parse(&row.id)?;
            let stub = site_object(&self.env, "CONVERSATION", &site, &format!("{site}:{id}"))?;
            call::<bool>(&stub, Method::Post, "/erase", Some(serde_json::to_string(&Erase { tombstone: false })?))
                .await?;
            self.drop_conversation(&id)?;
        }
        if !due.is_empty() {
            self.broadcast(&ServerMsg::Inbox { conversations: self.conversations()? });
            let detail = format!("{} conversation(s) inactive for more than {days} day(s)", due.len());
            self.append_audit(&AuditEntry {
                at: now_ms(),
                actor: "retention".into(),
                action: AuditAction::RetentionDeleted,
                detail,
            })?;
        }
        self.schedule_retention().await
    }
}

impl Workspace {
    /// When a closed workspace will be deleted; `None` while it is open.
    pub(super) fn closing_at(&self) -> EdgeResult<Option<i64>> {
        #[derive(Deserialize)]
        struct Row {
            deleted_at: i64,
        }
        let rows: Vec<Row> = self.sql().exec("SELECT deleted_at FROM closure WHERE id = 1", None)?.to_array()?;
        Ok(rows.first().map(|r| r.deleted_at))
    }

    /// Closes the workspace: from now on it answers as unknown (the widget stops, members lose
    /// access), its open inboxes are closed, and the alarm deletes everything after the grace
    /// period. Closing twice keeps the first date.
    pub(super) async fn close(&self) -> EdgeResult<Closing> {
        if let Some(deleted_at) = self.closing_at()? {
            return Ok(Closing { deleted_at });
        }
        self.config()?;
        let grace = retention_ms(&self.env, Some(CLOSURE_GRACE_DAYS)).unwrap_or_default();
        let deleted_at = now_ms() + grace;
        self.sql().exec("INSERT INTO closure (id, deleted_at) VALUES (1, ?)", vec![deleted_at.into()])?;
        self.state.storage().set_alarm(crate::glue::at_time(deleted_at)).await?;
        for ws in self.state.get_websockets() {
            let _ = ws.close(Some(shared::CloseCode::WorkspaceClosed.code()), Some("the workspace was closed"));
        }
        Ok(Closing { deleted_at })
    }

    /// The closed workspace's alarm: deletes its conversations and visitors object by object,
    /// a batch per alarm, then everything it kept itself.
    pub(super) async fn purge(&self) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Visitor {
            visitor_id: String,
        }
        let storage = self.state.storage();
        let Some(deleted_at) = self.closing_at()? else { return Ok(()) };
        if now_ms() < deleted_at {
            return Ok(storage.set_alarm(crate::glue::at_time(deleted_at)).await?);
        }
        let site = SiteId::parse(&self.site_name())?;
        let sql = self.sql();
        let erase = serde_json::to_string(&Erase { tombstone: true })?;
        let conversations: Vec<Id> =
            sql.exec("SELECT id FROM conversations LIMIT ?", vec![EXPIRE_BATCH.into()])?.to_array()?;
        for row in &conversations {
            let stub = site_object(&self.env, "CONVERSATION", &site, &format!("{site}:{}", row.id))?;
            call::<bool>(&stub, Method::Post, "/erase", Some(erase.clone())).await?;
            sql.exec("DELETE FROM conversations WHERE id = ?", vec![row.id.as_str().into()])?;
        }
        let visitors: Vec<Visitor> =
            sql.exec("SELECT visitor_id FROM visitors LIMIT ?", vec![EXPIRE_BATCH.into()])?.to_array()?;
        for row in &visitors {
            let stub = site_object(&self.env, "VISITOR", &site, &format!("{site}:{}", row.visitor_id))?;
            call::<serde_json::Value>(&stub, Method::Post, "/erase", None).await?;
            sql.exec("DELETE FROM visitors WHERE visitor_id = ?", vec![row.visitor_id.as_str().into()])?;
        }
        if conversations.is_empty() && visitors.is_empty() {
            storage.delete_all().await?;
            // Empty tables, so the id answers as unknown like any other.
            super::schema(&self.state);
            return Ok(());
        }
        // More to do: the next batch right away, in a fresh alarm invocation.
        Ok(storage.set_alarm(crate::glue::at_time(now_ms() + 1)).await?)
    }
}
