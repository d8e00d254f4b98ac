//! The visitor's tables in the object's SQLite, behind `VisitorStore` (the schema is in `object`).

use super::logic::{Counts, VisitorStore};
use crate::error::EdgeResult;
use crate::glue::{create_schema, json_row, json_rows};
use serde::Deserialize;
use shared::consent::ConsentRecord;
use shared::visitor::{ContactEdit, PageView, VisitorProfile};
use shared::ConversationId;
use worker::{SqlStorage, State};

/// The tables, with the key-value entries read when the request started.
pub(super) struct SqlVisitor {
    pub sql: SqlStorage,
    pub erased: Option<i64>,
}

impl VisitorStore for SqlVisitor {
    fn erased(&self) -> Option<i64> {
        self.erased
    }

    fn consents(&self) -> EdgeResult<Vec<ConsentRecord>> {
        json_rows(&self.sql, "SELECT json FROM consents ORDER BY id", None)
    }

    fn add_consent(&mut self, record: &ConsentRecord) -> EdgeResult<()> {
        let text = serde_json::to_string(record)?;
        self.sql.exec("INSERT INTO consents (at, json) VALUES (?, ?)", vec![record.at.into(), text.into()])?;
        Ok(())
    }

    fn profile(&self) -> EdgeResult<Option<VisitorProfile>> {
        json_row(&self.sql, "SELECT json FROM profile WHERE id = 1", None)
    }

    fn save_profile(&mut self, profile: &VisitorProfile) -> EdgeResult<()> {
        let text = serde_json::to_string(profile)?;
        self.sql.exec("INSERT OR REPLACE INTO profile (id, json) VALUES (1, ?)", vec![text.into()])?;
        Ok(())
    }

    fn add_page(&mut self, p: &PageView, keep: usize) -> EdgeResult<()> {
        self.sql.exec(
            "INSERT INTO pages (at, url, title, referrer) VALUES (?, ?, ?, ?)",
            vec![p.at.into(), p.url.as_str().into(), p.title.as_str().into(), p.referrer.as_str().into()],
        )?;
        self.sql.exec("DELETE FROM pages WHERE id <= (SELECT MAX(id) FROM pages) - ?", vec![(keep as i64).into()])?;
        Ok(())
    }

    fn pages(&self, limit: usize) -> EdgeResult<Vec<PageView>> {
        let query = "SELECT at, url, title, referrer FROM pages ORDER BY id DESC LIMIT ?";
        Ok(self.sql.exec(query, vec![(limit as i64).into()])?.to_array()?)
    }

    fn oldest_page(&self) -> EdgeResult<Option<i64>> {
        #[derive(Deserialize)]
        struct Oldest {
            at: Option<i64>,
        }
        let oldest: Oldest = self.sql.exec("SELECT MIN(at) AS at FROM pages", None)?.one()?;
        Ok(oldest.at)
    }

    fn delete_pages(&mut self, before: Option<i64>) -> EdgeResult<()> {
        match before {
            Some(at) => self.sql.exec("DELETE FROM pages WHERE at < ?", vec![at.into()])?,
            None => self.sql.exec("DELETE FROM pages", None)?,
        };
        Ok(())
    }

    fn contact_edits(&self) -> EdgeResult<Vec<ContactEdit>> {
        json_rows(&self.sql, "SELECT json FROM contact_edits ORDER BY id", None)
    }

    fn add_contact_edit(&mut self, edit: &ContactEdit, keep: usize) -> EdgeResult<()> {
        self.sql.exec("INSERT INTO contact_edits (json) VALUES (?)", vec![serde_json::to_string(edit)?.into()])?;
        self.sql.exec(
            "DELETE FROM contact_edits WHERE id <= (SELECT MAX(id) FROM contact_edits) - ?",
            vec![(keep as i64).into()],
        )?;
        Ok(())
    }

    fn add_conversation(&mut self, id: &ConversationId, at: i64) -> EdgeResult<()> {
        self.sql.exec(
            "INSERT OR IGNORE INTO conversations (id, started_at) VALUES (?, ?)",
            vec![id.as_str().into(), at.into()],
        )?;
        Ok(())
    }

    fn forget_conversation(&mut self, id: &ConversationId) -> EdgeResult<()> {
        self.sql.exec("DELETE FROM conversations WHERE id = ?", vec![id.as_str().into()])?;
        Ok(())
    }

    fn conversations(&self) -> EdgeResult<Vec<ConversationId>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let rows: Vec<Id> = self.sql.exec("SELECT id FROM conversations ORDER BY started_at DESC", None)?.to_array()?;
        rows.iter().map(|r| Ok(ConversationId::parse(&r.id)?)).collect()
    }

    fn counts(&self) -> EdgeResult<Counts> {
        #[derive(Deserialize)]
        struct Rows {
            pages: i64,
            consents: i64,
            conversations: i64,
        }
        let rows: Rows = self
            .sql
            .exec(
                "SELECT (SELECT COUNT(*) FROM pages) AS pages, (SELECT COUNT(*) FROM consents) AS consents, \
                 (SELECT COUNT(*) FROM conversations) AS conversations",
                None,
            )?
            .one()?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(Counts {
            pages: count(rows.pages),
            consents: count(rows.consents),
            conversations: count(rows.conversations),
        })
    }
}

/// Creates (or, after an erasure, recreates) the tables.
pub fn schema(state: &State) {
    create_schema(
        state,
        "visitor",
        &[
            "CREATE TABLE IF NOT EXISTS consents (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS profile (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS pages (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, url TEXT NOT NULL, \
             title TEXT NOT NULL, referrer TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS contact_edits (id INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, started_at INTEGER NOT NULL)",
            crate::webhooks::outbox::TABLE,
        ],
    );
}
