//! The conversation's SQLite: the message log behind `MessageLog` and the small key-value `meta`
//! table (ids, state, tombstone). The only place the conversation's SQL lives.

use super::logic::MessageLog;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{create_schema, migrate};
use serde::Deserialize;
use shared::{Author, ChatMessage, ClientMsgId, MessageBody};
use worker::{SqlStorage, SqlStorageValue, State};

pub struct SqlLog<'a>(pub &'a SqlStorage);

#[derive(Deserialize)]
struct Row {
    seq: i64,
    client_id: String,
    author: String,
    body: String,
    at: i64,
    note: i64,
    /// The attached file as JSON (`NULL`: none).
    file: Option<String>,
}

impl Row {
    fn into_message(self) -> EdgeResult<ChatMessage> {
        let bad = |e: String| EdgeError::Internal(format!("stored message {}: {e}", self.seq));
        Ok(ChatMessage {
            seq: self.seq as u64,
            client_id: ClientMsgId::parse(&self.client_id).map_err(|e| bad(e.to_string()))?,
            author: serde_json::from_slice::<Author>(self.author.as_bytes()).map_err(|e| bad(e.to_string()))?,
            body: MessageBody::parse(&self.body).map_err(|e| bad(e.to_string()))?,
            at: self.at,
            note: self.note != 0,
            file: self
                .file
                .as_deref()
                .map(|f| serde_json::from_slice(f.as_bytes()))
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
        })
    }
}

impl MessageLog for SqlLog<'_> {
    fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>> {
        let rows: Vec<Row> =
            self.0.exec("SELECT * FROM messages WHERE client_id = ?", vec![id.as_str().into()])?.to_array()?;
        rows.into_iter().next().map(Row::into_message).transpose()
    }

    fn last(&self) -> EdgeResult<Option<ChatMessage>> {
        let rows: Vec<Row> = self.0.exec("SELECT * FROM messages ORDER BY seq DESC LIMIT 1", None)?.to_array()?;
        rows.into_iter().next().map(Row::into_message).transpose()
    }

    fn after(&self, seq: u64, limit: usize, notes: bool) -> EdgeResult<Vec<ChatMessage>> {
        let rows: Vec<Row> = self
            .0
            .exec(
                "SELECT * FROM messages WHERE seq > ? AND (note = 0 OR ?) ORDER BY seq LIMIT ?",
                vec![(seq as i64).into(), (notes as i64).into(), (limit as i64).into()],
            )?
            .to_array()?;
        rows.into_iter().map(Row::into_message).collect()
    }

    fn visitor_messages_after(&self, seq: u64) -> EdgeResult<u32> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let visitor = serde_json::to_string(&Author::Visitor)?;
        let count: Count = self
            .0
            .exec(
                "SELECT COUNT(*) AS n FROM messages WHERE seq > ? AND author = ?",
                vec![(seq as i64).into(), visitor.into()],
            )?
            .one()?;
        Ok(count.n as u32)
    }

    fn last_seqs_after(&self, seq: u64) -> EdgeResult<(u64, u64)> {
        #[derive(Deserialize)]
        struct Newest {
            visitor: i64,
            team: i64,
        }
        let visitor = serde_json::to_string(&Author::Visitor)?;
        let newest: Newest = self
            .0
            .exec(
                "SELECT COALESCE(MAX(CASE WHEN author = ?1 THEN seq END), 0) AS visitor, \
                 COALESCE(MAX(CASE WHEN author != ?1 THEN seq END), 0) AS team FROM messages WHERE seq > ?2",
                vec![visitor.into(), (seq as i64).into()],
            )?
            .one()?;
        Ok((newest.visitor as u64, newest.team as u64))
    }

    fn append(&mut self, m: &ChatMessage) -> EdgeResult<Option<ChatMessage>> {
        let author = serde_json::to_string(&m.author)?;
        let file = m.file.as_ref().map(serde_json::to_string).transpose()?;
        let values: Vec<SqlStorageValue> = vec![
            (m.seq as i64).into(),
            m.client_id.as_str().into(),
            author.into(),
            m.body.as_str().into(),
            m.at.into(),
            (m.note as i64).into(),
            file.map_or(SqlStorageValue::Null, Into::into),
        ];
        let inserted = self.0.exec(
            "INSERT INTO messages (seq, client_id, author, body, at, note, file) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (client_id) DO NOTHING",
            values,
        )?;
        if inserted.rows_written() > 0 {
            return Ok(None);
        }
        // The client id is taken: a resend. The stored message answers it.
        self.by_client_id(&m.client_id)?
            .map(Some)
            .ok_or(EdgeError::Internal(format!("message {} neither stored nor found", m.client_id.as_str())))
    }
}

pub fn meta(sql: &SqlStorage, key: &str) -> EdgeResult<Option<String>> {
    #[derive(Deserialize)]
    struct Meta {
        value: String,
    }
    let rows: Vec<Meta> = sql.exec("SELECT value FROM meta WHERE key = ?", vec![key.into()])?.to_array()?;
    Ok(rows.into_iter().next().map(|m| m.value))
}

pub fn set_meta(sql: &SqlStorage, key: &str, value: &str) -> EdgeResult<()> {
    // An upsert rewrites the row in place (REPLACE would delete it and insert it again).
    sql.exec(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        vec![key.into(), value.into()],
    )?;
    Ok(())
}

/// Creates (or, after an erasure, recreates) the tables; older objects gain the columns they lack.
pub fn schema(state: &State) {
    create_schema(
        state,
        "conversation",
        &[
            "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, \
             author TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            crate::webhooks::outbox::TABLE,
        ],
    );
    migrate(
        state,
        "conversation",
        &[
            ("notes", "ALTER TABLE messages ADD COLUMN note INTEGER NOT NULL DEFAULT 0"),
            ("files", "ALTER TABLE messages ADD COLUMN file TEXT"),
        ],
    );
}
