//! The workspace's SQLite: the one implementation of [`WorkspaceStore`]. Tables (see `schema`)
//! and stored JSON are those of objects already on disk.

use super::logic::listing::{Assignee, ConversationQuery};
use super::logic::notify::{MemberNotify, Waiting};
use super::logic::tokens::ApiToken;
use super::logic::usage::Usage;
use super::logic::{IndexEntry, MessageHit, Scheduled, Told, WorkspaceStore};
use super::IdentityLink;
use crate::conversation::logic::Indexed;
use crate::error::EdgeResult;
use crate::glue::{json_row, json_rows};
use crate::settings::WorkspaceConfig;
use crate::team::InviteRecord;
use crate::workspace::MemberPrefs;
use serde::{Deserialize, Serialize};
use shared::api::NotifyWhen;
use shared::api::{AuditAction, AuditEntry, AuditFilter, Member, Role};
use shared::consent::ConsentRecord;
use shared::{Author, ConversationId, ConversationSummary, Email, VisitorId};
use worker::SqlStorage;

pub struct SqlStore<'a>(pub SqlStorage, pub &'a IndexMemo);

/// What the index holds of each conversation this instance has read or written (see
/// [`WorkspaceStore::index_entry`]): every feed batch asks it for each of its conversations, and
/// the object is the only writer of those tables, so its memory is as current as they are until
/// the instance goes. Kept in step by the three writes that change an entry, and emptied with
/// the storage.
#[derive(Default)]
pub struct IndexMemo(std::cell::RefCell<std::collections::HashMap<String, IndexEntry>>);

impl IndexMemo {
    pub fn clear(&self) {
        self.0.borrow_mut().clear();
    }

    /// Changes a known entry; one not read yet is read from the tables when next asked.
    fn update(&self, id: &ConversationId, change: impl FnOnce(&mut IndexEntry)) {
        if let Some(entry) = self.0.borrow_mut().get_mut(id.as_str()) {
            change(entry);
        }
    }
}

#[derive(Deserialize)]
struct SummaryRow {
    id: String,
    json: Option<String>,
    visitor_name: String,
    last_message: String,
    last_author: String,
    last_at: i64,
    last_seq: i64,
}

impl SummaryRow {
    /// Rows written before summaries were stored whole still read as open and unassigned.
    fn into_summary(self) -> EdgeResult<ConversationSummary> {
        if let Some(json) = &self.json {
            return Ok(serde_json::from_slice(json.as_bytes())?);
        }
        Ok(ConversationSummary {
            id: ConversationId::parse(&self.id)?,
            visitor_name: self.visitor_name,
            last_message: self.last_message,
            last_author: serde_json::from_slice::<Author>(self.last_author.as_bytes())?,
            last_at: self.last_at,
            last_seq: self.last_seq as u64,
            status: Default::default(),
            assignee: None,
            unread: 0,
            visitor_email: None,
            rev: 0,
        })
    }
}

#[derive(Deserialize)]
struct MemberRow {
    email: String,
    name: String,
    role: String,
    joined_at: i64,
}

impl MemberRow {
    fn into_member(self) -> EdgeResult<Member> {
        Ok(Member {
            email: Email::parse(&self.email)?,
            name: self.name,
            role: serde_json::from_value(serde_json::Value::String(self.role))?,
            joined_at: self.joined_at,
        })
    }
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

#[derive(Deserialize)]
struct At {
    at: Option<i64>,
}

fn limit(n: usize) -> worker::SqlStorageValue {
    (n.min(i64::MAX as usize) as i64).into()
}

impl SqlStore<'_> {
    fn ids(&self, query: &str, bindings: Vec<worker::SqlStorageValue>) -> EdgeResult<Vec<String>> {
        let rows: Vec<Id> = self.0.exec(query, bindings)?.to_array()?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    fn conversation_ids(&self, query: &str, bindings: Vec<worker::SqlStorageValue>) -> EdgeResult<Vec<ConversationId>> {
        self.ids(query, bindings)?.iter().map(|id| Ok(ConversationId::parse(id)?)).collect()
    }

    fn visitor_ids(&self, query: &str, bindings: Vec<worker::SqlStorageValue>) -> EdgeResult<Vec<VisitorId>> {
        self.ids(query, bindings)?.iter().map(|id| Ok(VisitorId::parse(id)?)).collect()
    }

    fn summaries(&self, query: &str, bindings: Vec<worker::SqlStorageValue>) -> EdgeResult<Vec<ConversationSummary>> {
        let rows: Vec<SummaryRow> = self.0.exec(query, bindings)?.to_array()?;
        rows.into_iter().map(SummaryRow::into_summary).collect()
    }

    fn count(&self, query: &str, bindings: Vec<worker::SqlStorageValue>) -> EdgeResult<i64> {
        Ok(self.0.exec(query, bindings)?.one::<Count>()?.n)
    }

    fn run(&self, query: &str, bindings: Vec<worker::SqlStorageValue>) -> EdgeResult<()> {
        self.0.exec(query, bindings)?;
        Ok(())
    }
}

/// `WHERE` for the agent-socket registry: `email` and `sessions` narrow it when given.
fn socket_filter(email: Option<&Email>, sessions: Option<&[String]>) -> (String, Vec<worker::SqlStorageValue>) {
    let mut clause = String::from(" WHERE 1 = 1");
    let mut bindings: Vec<worker::SqlStorageValue> = vec![];
    if let Some(email) = email {
        clause.push_str(" AND email = ?");
        bindings.push(email.as_str().into());
    }
    if let Some(sessions) = sessions {
        clause.push_str(&format!(" AND session IN ({})", vec!["?"; sessions.len()].join(", ")));
        bindings.extend(sessions.iter().map(|s| s.as_str().into()));
    }
    (clause, bindings)
}

/// Roles are stored as their lowercase label.
fn role_text(role: Role) -> String {
    role.label().to_lowercase()
}

impl WorkspaceStore for SqlStore<'_> {
    fn config(&self) -> EdgeResult<Option<WorkspaceConfig>> {
        json_row(&self.0, "SELECT json FROM config WHERE id = 1", None)
    }
    fn put_config(&mut self, config: &WorkspaceConfig) -> EdgeResult<()> {
        self.run("DELETE FROM scheduled", vec![])?;
        self.run("INSERT OR REPLACE INTO config (id, json) VALUES (1, ?)", vec![serde_json::to_string(config)?.into()])
    }
    fn scheduled(&self) -> EdgeResult<Option<Scheduled>> {
        json_row(&self.0, "SELECT json FROM scheduled WHERE id = 1", vec![])
    }
    fn set_scheduled(&mut self, scheduled: &Scheduled) -> EdgeResult<()> {
        self.run(
            "INSERT OR REPLACE INTO scheduled (id, json) VALUES (1, ?)",
            vec![serde_json::to_string(scheduled)?.into()],
        )
    }
    fn closing_at(&self) -> EdgeResult<Option<i64>> {
        #[derive(Deserialize)]
        struct Row {
            deleted_at: i64,
        }
        let rows: Vec<Row> = self.0.exec("SELECT deleted_at FROM closure WHERE id = 1", None)?.to_array()?;
        Ok(rows.first().map(|r| r.deleted_at))
    }
    fn set_closing_at(&mut self, deleted_at: i64) -> EdgeResult<()> {
        self.run("INSERT INTO closure (id, deleted_at) VALUES (1, ?)", vec![deleted_at.into()])
    }

    fn append_consent(&mut self, record: &ConsentRecord) -> EdgeResult<()> {
        let json = serde_json::to_string(record)?;
        self.run("INSERT INTO consent_log (at, json) VALUES (?, ?)", vec![record.at.into(), json.into()])
    }
    fn consent_log(&self, n: usize) -> EdgeResult<Vec<ConsentRecord>> {
        json_rows(&self.0, "SELECT json FROM consent_log ORDER BY id DESC LIMIT ?", vec![limit(n)])
    }
    fn drop_consents(&mut self, visitor_hash: &str) -> EdgeResult<()> {
        self.run("DELETE FROM consent_log WHERE json_extract(json, '$.visitor_hash') = ?", vec![visitor_hash.into()])
    }
    fn append_audit(&mut self, entry: &AuditEntry) -> EdgeResult<()> {
        let json = serde_json::to_string(entry)?;
        self.run("INSERT INTO audit (at, json) VALUES (?, ?)", vec![entry.at.into(), json.into()])
    }
    fn audit_page(&self, before: Option<u64>, filter: AuditFilter, n: usize) -> EdgeResult<Vec<(u64, AuditEntry)>> {
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            json: String,
        }
        let mut bindings: Vec<worker::SqlStorageValue> = vec![(before.unwrap_or(i64::MAX as u64) as i64).into()];
        let kinds: Vec<AuditAction> = match filter {
            AuditFilter::All => vec![],
            AuditFilter::Action(a) => vec![a],
            AuditFilter::DataRequests => AuditAction::ALL.into_iter().filter(|a| a.is_data_request()).collect(),
        };
        let mut query = String::from("SELECT id, json FROM audit WHERE id < ?");
        if filter != AuditFilter::All {
            query.push_str(&format!(" AND json_extract(json, '$.action') IN ({})", vec!["?"; kinds.len()].join(", ")));
            for kind in kinds {
                bindings.push(serde_json::to_value(kind)?.as_str().unwrap_or_default().to_owned().into());
            }
        }
        query.push_str(" ORDER BY id DESC LIMIT ?");
        bindings.push(limit(n));
        let rows: Vec<Row> = self.0.exec(&query, bindings)?.to_array()?;
        rows.into_iter().map(|r| Ok((r.id as u64, serde_json::from_slice(r.json.as_bytes())?))).collect()
    }
    fn audit_window(&self, source: &str) -> EdgeResult<Option<crate::lockout::Window>> {
        json_row(&self.0, "SELECT json FROM audit_budget WHERE source = ?", vec![source.into()])
    }
    fn save_audit_window(&mut self, source: &str, window: &crate::lockout::Window) -> EdgeResult<()> {
        self.run(
            "INSERT OR REPLACE INTO audit_budget (source, start, json) VALUES (?, ?, ?)",
            vec![source.into(), window.start.into(), serde_json::to_string(window)?.into()],
        )
    }
    fn prune_audit_windows(&mut self, before: i64) -> EdgeResult<()> {
        self.run("DELETE FROM audit_budget WHERE start < ?", vec![before.into()])
    }

    fn identity(&self, user_id: &str) -> EdgeResult<Option<IdentityLink>> {
        json_row(&self.0, "SELECT json FROM identities WHERE user_id = ?", vec![user_id.into()])
    }
    fn put_identity(&mut self, link: &IdentityLink) -> EdgeResult<()> {
        let json = serde_json::to_string(link)?;
        self.run(
            "INSERT INTO identities (user_id, json) VALUES (?, ?)",
            vec![link.user_id.as_str().into(), json.into()],
        )
    }
    fn drop_identities_of(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        self.run("DELETE FROM identities WHERE json_extract(json, '$.visitor_id') = ?", vec![visitor.as_str().into()])
    }

    fn summary(&self, id: &ConversationId) -> EdgeResult<Option<ConversationSummary>> {
        Ok(self.summaries("SELECT * FROM conversations WHERE id = ?", vec![id.as_str().into()])?.into_iter().next())
    }
    fn index_entry(&self, id: &ConversationId) -> EdgeResult<IndexEntry> {
        if let Some(entry) = self.1 .0.borrow().get(id.as_str()) {
            return Ok(entry.clone());
        }
        #[derive(Deserialize)]
        struct Row {
            erased: i64,
            rev: Option<i64>,
            visitor_id: Option<String>,
        }
        // One statement for what a batch needs of each conversation: a feed's batch costs one read
        // per conversation.
        let row: Row = self
            .0
            .exec(
                "SELECT EXISTS (SELECT 1 FROM erased_conversations WHERE id = ?1) AS erased, \
                 (SELECT rev FROM conversations WHERE id = ?1) AS rev, \
                 (SELECT visitor_id FROM conversations WHERE id = ?1) AS visitor_id",
                vec![id.as_str().into()],
            )?
            .one()?;
        let entry = IndexEntry { erased: row.erased != 0, rev: row.rev.map(|r| r as u64), visitor: row.visitor_id };
        self.1 .0.borrow_mut().insert(id.as_str().to_owned(), entry.clone());
        Ok(entry)
    }
    fn recent(&self, n: usize) -> EdgeResult<Vec<ConversationSummary>> {
        self.summaries("SELECT * FROM conversations ORDER BY last_at DESC LIMIT ?", vec![limit(n)])
    }
    fn put_summaries(&mut self, summaries: &[(&ConversationSummary, Option<&VisitorId>)], at: i64) -> EdgeResult<()> {
        if summaries.is_empty() {
            return Ok(());
        }
        #[derive(Serialize)]
        struct Put<'a> {
            s: &'a ConversationSummary,
            v: Option<&'a VisitorId>,
        }
        // The batch as one JSON value that SQLite takes apart: one string handed to the runtime
        // rather than six a summary, each a JavaScript string made from the WASM's bytes (garbage
        // for V8's collector, at a feed's pace), and no limit on bound values to split rows at.
        let batch: Vec<Put> = summaries.iter().map(|(s, v)| Put { s, v: *v }).collect();
        self.run(
            "INSERT INTO conversations (id, visitor_name, last_message, last_author, last_at, last_seq, json, rev, \
             visitor_id, updated_at) \
             SELECT value ->> '$.s.id', value ->> '$.s.visitor_name', value ->> '$.s.last_message', \
             value -> '$.s.last_author', value ->> '$.s.last_at', value ->> '$.s.last_seq', value -> '$.s', \
             value ->> '$.s.rev', value ->> '$.v', ?2 FROM json_each(?1) WHERE true \
             ON CONFLICT(id) DO UPDATE SET visitor_name = excluded.visitor_name, last_message = excluded.last_message, \
             last_author = excluded.last_author, last_at = excluded.last_at, last_seq = excluded.last_seq, \
             json = excluded.json, rev = excluded.rev, updated_at = excluded.updated_at",
            vec![serde_json::to_string(&batch)?.into(), at.into()],
        )?;
        // A new row takes the visitor; an existing one keeps the visitor it was first stored with.
        for (s, visitor) in summaries {
            self.1.update(&s.id, |entry| {
                if entry.rev.is_none() {
                    entry.visitor = visitor.map(|v| v.as_str().to_owned());
                }
                entry.rev = Some(s.rev);
            });
        }
        Ok(())
    }

    fn index_messages(&mut self, messages: &[(&ConversationId, &Indexed)]) -> EdgeResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let batch: Vec<_> = messages.iter().map(|(id, m)| (id.as_str(), m.seq, m.body.as_str(), m.at)).collect();
        // One JSON value, as for `put_summaries`.
        self.run(
            "INSERT OR IGNORE INTO message_index (conversation_id, seq, body, at) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?)",
            vec![serde_json::to_string(&batch)?.into()],
        )
    }
    fn trim_index(&mut self, id: &ConversationId, keep: usize) -> EdgeResult<()> {
        self.run(
            "DELETE FROM message_index WHERE conversation_id = ?1 AND seq <= \
             (SELECT MAX(seq) FROM message_index WHERE conversation_id = ?1) - ?2",
            vec![id.as_str().into(), limit(keep)],
        )
    }
    fn drop_conversation(&mut self, id: &ConversationId) -> EdgeResult<()> {
        self.run("DELETE FROM conversations WHERE id = ?", vec![id.as_str().into()])?;
        self.run("DELETE FROM waiting WHERE id = ?", vec![id.as_str().into()])?;
        self.1.update(id, |entry| (entry.rev, entry.visitor) = (None, None));
        self.run("DELETE FROM message_index WHERE conversation_id = ?", vec![id.as_str().into()])
    }
    fn conversations_of(&self, visitor: &VisitorId) -> EdgeResult<Vec<ConversationId>> {
        self.conversation_ids("SELECT id FROM conversations WHERE visitor_id = ?", vec![visitor.as_str().into()])
    }
    fn summaries_matching(&self, pattern: &str, n: usize) -> EdgeResult<Vec<ConversationSummary>> {
        self.summaries(
            "SELECT * FROM conversations WHERE visitor_name LIKE ? ESCAPE '\\' \
             OR json_extract(json, '$.visitor_email') LIKE ? ESCAPE '\\' ORDER BY last_at DESC LIMIT ?",
            vec![pattern.into(), pattern.into(), limit(n)],
        )
    }
    fn messages_matching(&self, pattern: &str, n: usize) -> EdgeResult<Vec<MessageHit>> {
        #[derive(Deserialize)]
        struct Hit {
            conversation_id: String,
            body: String,
            at: i64,
        }
        let rows: Vec<Hit> = self
            .0
            .exec(
                "SELECT conversation_id, body, at FROM message_index WHERE body LIKE ? ESCAPE '\\' \
                 ORDER BY at DESC LIMIT ?",
                vec![pattern.into(), limit(n)],
            )?
            .to_array()?;
        rows.into_iter()
            .map(|h| {
                Ok(MessageHit { conversation_id: ConversationId::parse(&h.conversation_id)?, body: h.body, at: h.at })
            })
            .collect()
    }
    fn oldest_activity(&self) -> EdgeResult<Option<i64>> {
        Ok(self.0.exec("SELECT MIN(last_at) AS at FROM conversations", None)?.one::<At>()?.at)
    }
    fn inactive_before(&self, at: i64, n: usize) -> EdgeResult<Vec<ConversationId>> {
        self.conversation_ids(
            "SELECT id FROM conversations WHERE last_at < ? ORDER BY last_at LIMIT ?",
            vec![at.into(), limit(n)],
        )
    }
    fn some_conversations(&self, n: usize) -> EdgeResult<Vec<ConversationId>> {
        self.conversation_ids("SELECT id FROM conversations LIMIT ?", vec![limit(n)])
    }

    fn tombstone_conversation(&mut self, id: &ConversationId) -> EdgeResult<()> {
        self.run("INSERT OR IGNORE INTO erased_conversations (id) VALUES (?)", vec![id.as_str().into()])?;
        self.1.update(id, |entry| entry.erased = true);
        Ok(())
    }
    fn visitor_erased(&self, visitor_hash: &str) -> EdgeResult<bool> {
        let n =
            self.count("SELECT COUNT(*) AS n FROM erased_visitors WHERE visitor_hash = ?", vec![visitor_hash.into()])?;
        Ok(n > 0)
    }
    fn tombstone_visitor(&mut self, visitor_hash: &str) -> EdgeResult<()> {
        self.run("INSERT OR IGNORE INTO erased_visitors (visitor_hash) VALUES (?)", vec![visitor_hash.into()])
    }

    fn register_visitor(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        self.run("INSERT OR IGNORE INTO visitors (visitor_id) VALUES (?)", vec![visitor.as_str().into()])
    }
    fn drop_visitor(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        self.run("DELETE FROM visitors WHERE visitor_id = ?", vec![visitor.as_str().into()])?;
        self.run("DELETE FROM retention_sync WHERE visitor_id = ?", vec![visitor.as_str().into()])
    }
    fn some_visitors(&self, n: usize) -> EdgeResult<Vec<VisitorId>> {
        self.visitor_ids("SELECT visitor_id AS id FROM visitors LIMIT ?", vec![limit(n)])
    }
    fn set_email(&mut self, visitor: &VisitorId, email: Option<&Email>) -> EdgeResult<()> {
        match email {
            Some(email) => self.run(
                "INSERT OR REPLACE INTO directory (visitor_id, email) VALUES (?, ?)",
                vec![visitor.as_str().into(), email.as_str().into()],
            ),
            None => self.run("DELETE FROM directory WHERE visitor_id = ?", vec![visitor.as_str().into()]),
        }
    }
    fn visitors_by_email(&self, email: &Email) -> EdgeResult<Vec<VisitorId>> {
        self.visitor_ids("SELECT visitor_id AS id FROM directory WHERE email = ?", vec![email.as_str().into()])
    }
    fn queue_retention_sync(&mut self) -> EdgeResult<()> {
        self.run("INSERT OR IGNORE INTO retention_sync (visitor_id) SELECT visitor_id FROM visitors", vec![])
    }
    fn retention_sync_due(&self, n: usize) -> EdgeResult<Vec<VisitorId>> {
        self.visitor_ids("SELECT visitor_id AS id FROM retention_sync LIMIT ?", vec![limit(n)])
    }
    fn retention_synced(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        self.run("DELETE FROM retention_sync WHERE visitor_id = ?", vec![visitor.as_str().into()])
    }

    fn members(&self) -> EdgeResult<Vec<Member>> {
        let rows: Vec<MemberRow> = self.0.exec("SELECT * FROM members ORDER BY joined_at, email", None)?.to_array()?;
        rows.into_iter().map(MemberRow::into_member).collect()
    }
    fn member(&self, email: &Email) -> EdgeResult<Option<Member>> {
        let rows: Vec<MemberRow> =
            self.0.exec("SELECT * FROM members WHERE email = ?", vec![email.as_str().into()])?.to_array()?;
        rows.into_iter().next().map(MemberRow::into_member).transpose()
    }
    fn put_member(&mut self, m: &Member) -> EdgeResult<()> {
        self.run(
            "INSERT OR REPLACE INTO members (email, name, role, joined_at) VALUES (?, ?, ?, ?)",
            vec![m.email.as_str().into(), m.name.as_str().into(), role_text(m.role).into(), m.joined_at.into()],
        )
    }
    fn drop_member(&mut self, email: &Email) -> EdgeResult<()> {
        self.run("DELETE FROM notify WHERE email = ?", vec![email.as_str().into()])?;
        self.run("DELETE FROM members WHERE email = ?", vec![email.as_str().into()])
    }
    fn invite(&self, token_hash: &str) -> EdgeResult<Option<InviteRecord>> {
        json_row(&self.0, "SELECT json FROM invites WHERE token_hash = ?", vec![token_hash.into()])
    }
    fn add_invite(&mut self, token_hash: &str, invite: &InviteRecord, created_at: i64) -> EdgeResult<()> {
        self.run(
            "INSERT INTO invites (token_hash, json, created_at) VALUES (?, ?, ?)",
            vec![token_hash.into(), serde_json::to_string(invite)?.into(), created_at.into()],
        )
    }
    fn update_invite(&mut self, token_hash: &str, invite: &InviteRecord) -> EdgeResult<()> {
        self.run(
            "UPDATE invites SET json = ? WHERE token_hash = ?",
            vec![serde_json::to_string(invite)?.into(), token_hash.into()],
        )
    }
    fn drop_invites_created_before(&mut self, at: i64) -> EdgeResult<()> {
        self.run("DELETE FROM invites WHERE created_at < ?", vec![at.into()])
    }
    fn open_invites(&self) -> EdgeResult<usize> {
        Ok(self.count("SELECT COUNT(*) AS n FROM invites", vec![])?.max(0) as usize)
    }

    fn add_agent_socket(
        &mut self,
        conversation: &ConversationId,
        email: &Email,
        session: &str,
        at: i64,
    ) -> EdgeResult<()> {
        self.run(
            "INSERT OR REPLACE INTO agent_sockets (conversation_id, email, session, opened_at) VALUES (?, ?, ?, ?)",
            vec![conversation.as_str().into(), email.as_str().into(), session.into(), at.into()],
        )
    }
    fn agent_sockets(&self, email: Option<&Email>, sessions: Option<&[String]>) -> EdgeResult<Vec<ConversationId>> {
        let (filter, bindings) = socket_filter(email, sessions);
        let query =
            format!("SELECT DISTINCT conversation_id AS id FROM agent_sockets{filter} ORDER BY conversation_id");
        self.conversation_ids(&query, bindings)
    }
    fn drop_agent_sockets(&mut self, email: Option<&Email>, sessions: Option<&[String]>) -> EdgeResult<()> {
        let (filter, bindings) = socket_filter(email, sessions);
        self.run(&format!("DELETE FROM agent_sockets{filter}"), bindings)
    }
    fn prune_agent_sockets(&mut self, before: i64) -> EdgeResult<()> {
        self.run("DELETE FROM agent_sockets WHERE opened_at < ?", vec![before.into()])
    }
    fn end_session(&mut self, session: &str, at: i64) -> EdgeResult<()> {
        self.run(
            "INSERT OR REPLACE INTO ended_sessions (session, ended_at) VALUES (?, ?)",
            vec![session.into(), at.into()],
        )
    }
    fn session_ended(&self, session: &str) -> EdgeResult<bool> {
        Ok(self.count("SELECT COUNT(*) AS n FROM ended_sessions WHERE session = ?", vec![session.into()])? > 0)
    }
    fn prune_ended_sessions(&mut self, before: i64) -> EdgeResult<()> {
        self.run("DELETE FROM ended_sessions WHERE ended_at < ?", vec![before.into()])
    }

    fn notify_members(&self) -> EdgeResult<Vec<MemberNotify>> {
        #[derive(serde::Deserialize)]
        struct Row {
            email: String,
            verified: Option<i64>,
            mode: Option<String>,
            last_digest_at: Option<i64>,
        }
        let rows: Vec<Row> = self
            .0
            .exec(
                "SELECT m.email AS email, n.verified AS verified, n.mode AS mode, n.last_digest_at AS last_digest_at \
                 FROM members m LEFT JOIN notify n ON n.email = m.email",
                None,
            )?
            .to_array()?;
        rows.into_iter()
            .map(|r| {
                let notify = r.mode.and_then(|m| NotifyWhen::from_name(&m)).unwrap_or_default();
                Ok(MemberNotify {
                    email: Email::parse(&r.email)?,
                    prefs: MemberPrefs { verified: r.verified.unwrap_or(0) != 0, notify },
                    last_digest_at: r.last_digest_at.unwrap_or(0),
                })
            })
            .collect()
    }
    fn put_notify(&mut self, email: &Email, prefs: MemberPrefs) -> EdgeResult<()> {
        self.run(
            "INSERT INTO notify (email, verified, mode, last_digest_at) VALUES (?, ?, ?, 0) \
             ON CONFLICT (email) DO UPDATE SET verified = excluded.verified, mode = excluded.mode",
            vec![email.as_str().into(), i64::from(prefs.verified).into(), prefs.notify.name().into()],
        )
    }
    fn set_digested(&mut self, email: &Email, at: i64) -> EdgeResult<()> {
        self.run(
            "INSERT INTO notify (email, verified, mode, last_digest_at) VALUES (?, 0, ?, ?) \
             ON CONFLICT (email) DO UPDATE SET last_digest_at = excluded.last_digest_at",
            vec![email.as_str().into(), NotifyWhen::default().name().into(), at.into()],
        )
    }
    fn note_waiting(&mut self, w: &Waiting) -> EdgeResult<bool> {
        #[derive(serde::Deserialize)]
        struct Since {
            since: i64,
        }
        // One statement on the message path: a row that was there keeps its `since`, so the
        // `since` it answers is this message's only when the row is new.
        let rows: Vec<Since> = self
            .0
            .exec(
                "INSERT INTO waiting (id, visitor_name, preview, since, last_at) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET visitor_name = excluded.visitor_name, preview = excluded.preview, \
                 last_at = excluded.last_at RETURNING since",
                vec![
                    w.id.as_str().into(),
                    w.visitor_name.as_str().into(),
                    w.preview.as_str().into(),
                    w.since.into(),
                    w.last_at.into(),
                ],
            )?
            .to_array()?;
        Ok(rows.first().is_some_and(|r| r.since == w.since))
    }
    fn clear_waiting(&mut self, id: &ConversationId) -> EdgeResult<()> {
        self.run("DELETE FROM waiting WHERE id = ?", vec![id.as_str().into()])
    }
    fn waiting(&self, n: usize) -> EdgeResult<Vec<Waiting>> {
        #[derive(serde::Deserialize)]
        struct Row {
            id: String,
            visitor_name: String,
            preview: String,
            since: i64,
            last_at: i64,
        }
        let rows: Vec<Row> = self.0.exec("SELECT * FROM waiting ORDER BY since LIMIT ?", vec![limit(n)])?.to_array()?;
        rows.into_iter()
            .map(|r| {
                Ok(Waiting {
                    id: ConversationId::parse(&r.id)?,
                    visitor_name: r.visitor_name,
                    preview: r.preview,
                    since: r.since,
                    last_at: r.last_at,
                })
            })
            .collect()
    }
    fn set_live(&mut self, id: &ConversationId, live: bool) -> EdgeResult<()> {
        let statement = if live {
            "INSERT OR IGNORE INTO live_visitors (conversation_id) VALUES (?)"
        } else {
            "DELETE FROM live_visitors WHERE conversation_id = ?"
        };
        self.run(statement, vec![id.as_str().into()])
    }
    fn live(&self) -> EdgeResult<Vec<ConversationId>> {
        #[derive(serde::Deserialize)]
        struct Row {
            conversation_id: String,
        }
        let rows: Vec<Row> = self.0.exec("SELECT conversation_id FROM live_visitors", None)?.to_array()?;
        rows.into_iter().map(|r| Ok(ConversationId::parse(&r.conversation_id)?)).collect()
    }
    fn told_available(&self) -> EdgeResult<Option<Told>> {
        #[derive(serde::Deserialize)]
        struct Row {
            online: i64,
            seq: i64,
        }
        let rows: Vec<Row> = self.0.exec("SELECT online, seq FROM availability WHERE id = 1", None)?.to_array()?;
        Ok(rows.first().map(|r| Told { online: r.online != 0, seq: u64::try_from(r.seq).unwrap_or(0) }))
    }
    fn set_told_available(&mut self, told: Told) -> EdgeResult<()> {
        let (online, seq) = (i64::from(told.online), i64::try_from(told.seq).unwrap_or(i64::MAX));
        self.run(
            "INSERT OR REPLACE INTO availability (id, online, seq) VALUES (1, ?, ?)",
            vec![online.into(), seq.into()],
        )
    }

    fn usage(&self, month: &str) -> EdgeResult<Usage> {
        let rows: Vec<Usage> = self
            .0
            .exec("SELECT conversations, messages, emails, refused FROM usage WHERE month = ?", vec![month.into()])?
            .to_array()?;
        Ok(rows.into_iter().next().unwrap_or_default())
    }

    fn add_usage(&mut self, month: &str, d: &Usage) -> EdgeResult<()> {
        let n = |v: u32| worker::SqlStorageValue::from(i64::from(v));
        self.run(
            "INSERT INTO usage (month, conversations, messages, emails, refused) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (month) DO UPDATE SET conversations = conversations + excluded.conversations, \
             messages = messages + excluded.messages, emails = emails + excluded.emails, \
             refused = refused + excluded.refused",
            vec![month.into(), n(d.conversations), n(d.messages), n(d.emails), n(d.refused)],
        )
    }

    fn refusal_notice(&self, month: &str) -> EdgeResult<Option<String>> {
        #[derive(Deserialize)]
        struct Row {
            notice: Option<String>,
        }
        let rows: Vec<Row> = self.0.exec("SELECT notice FROM usage WHERE month = ?", vec![month.into()])?.to_array()?;
        Ok(rows.into_iter().next().and_then(|r| r.notice))
    }

    fn set_refusal_notice(&mut self, month: &str, notice: Option<&str>) -> EdgeResult<()> {
        let notice = notice.map_or(worker::SqlStorageValue::Null, Into::into);
        self.run("UPDATE usage SET notice = ? WHERE month = ?", vec![notice, month.into()])
    }

    fn conversation_page(&self, q: &ConversationQuery, n: usize) -> EdgeResult<Vec<ConversationSummary>> {
        // The same filter as `listing::matches`; `?n IS NULL` leaves a filter out.
        let (nobody, agent) = match &q.assignee {
            None => (0, None),
            Some(Assignee::Nobody) => (1, None),
            Some(Assignee::Agent(email)) => (0, Some(email.as_str().to_owned())),
        };
        self.summaries(
            "SELECT * FROM conversations WHERE (?1 IS NULL OR id > ?1) \
             AND (?2 IS NULL OR json_extract(json, '$.status') = ?2) \
             AND (?3 = 0 OR json_extract(json, '$.assignee') IS NULL) \
             AND (?4 IS NULL OR json_extract(json, '$.assignee.email') = ?4) \
             AND (?5 IS NULL OR updated_at >= ?5) ORDER BY id LIMIT ?6",
            vec![
                q.after.as_ref().map(|a| a.as_str().to_owned()).into(),
                q.status.map(|s| s.name().to_owned()).into(),
                nobody.into(),
                agent.into(),
                q.updated_since.into(),
                limit(n),
            ],
        )
    }

    fn api_tokens(&self) -> EdgeResult<Vec<(String, ApiToken)>> {
        self.token_rows("SELECT hash, json FROM api_tokens", vec![])
    }

    fn api_token(&self, id: &str) -> EdgeResult<Option<(String, ApiToken)>> {
        Ok(self.token_rows("SELECT hash, json FROM api_tokens WHERE id = ?", vec![id.into()])?.into_iter().next())
    }

    fn put_api_token(&mut self, secret_hash: &str, token: &ApiToken) -> EdgeResult<()> {
        self.run(
            "INSERT OR REPLACE INTO api_tokens (id, hash, json) VALUES (?, ?, ?)",
            vec![token.id.as_str().into(), secret_hash.into(), serde_json::to_string(token)?.into()],
        )
    }
}

impl SqlStore<'_> {
    fn token_rows(&self, query: &str, bindings: Vec<worker::SqlStorageValue>) -> EdgeResult<Vec<(String, ApiToken)>> {
        #[derive(Deserialize)]
        struct Row {
            hash: String,
            json: String,
        }
        let rows: Vec<Row> = self.0.exec(query, bindings)?.to_array()?;
        rows.into_iter().map(|r| Ok((r.hash, serde_json::from_slice(r.json.as_bytes())?))).collect()
    }
}
