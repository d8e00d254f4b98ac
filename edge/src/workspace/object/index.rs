//! The workspace's conversation index (one summary per conversation, for the live inbox) and the
//! message index its search reads.

use super::Workspace;
use crate::error::EdgeResult;
use crate::workspace::ConversationUpdate;
use serde::Deserialize;
use shared::api::SearchHit;
use shared::{domain::preview, Author, ConversationId, ConversationSummary, ServerMsg};

/// How many conversations an inbox `hello` lists.
const INBOX_PAGE: i64 = 200;
/// Most search hits, and the longest query.
const SEARCH_HITS: usize = 50;
const MAX_QUERY_CHARS: usize = 200;

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
            return Ok(serde_json::from_str(json)?);
        }
        Ok(ConversationSummary {
            id: ConversationId::parse(&self.id)?,
            visitor_name: self.visitor_name,
            last_message: self.last_message,
            last_author: serde_json::from_str::<Author>(&self.last_author)?,
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

/// `%` and `_` match literally in a search (escaped with `\`).
fn like_pattern(q: &str) -> String {
    let escaped: String =
        q.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    format!("%{escaped}%")
}

impl Workspace {
    pub(super) fn conversations(&self) -> EdgeResult<Vec<ConversationSummary>> {
        let rows: Vec<SummaryRow> = self
            .sql()
            .exec("SELECT * FROM conversations ORDER BY last_at DESC LIMIT ?", vec![INBOX_PAGE.into()])?
            .to_array()?;
        rows.into_iter().map(SummaryRow::into_summary).collect()
    }

    /// The summaries of `ids` that exist, in the order asked.
    pub(super) fn summaries(&self, ids: &[ConversationId]) -> EdgeResult<Vec<ConversationSummary>> {
        Ok(ids.iter().map(|id| self.summary(id)).collect::<EdgeResult<Vec<_>>>()?.into_iter().flatten().collect())
    }

    fn summary(&self, id: &ConversationId) -> EdgeResult<Option<ConversationSummary>> {
        let rows: Vec<SummaryRow> =
            self.sql().exec("SELECT * FROM conversations WHERE id = ?", vec![id.as_str().into()])?.to_array()?;
        rows.into_iter().next().map(SummaryRow::into_summary).transpose()
    }

    /// Records a conversation's latest state (and message, for search) and pushes it to every
    /// live inbox. Updates can arrive out of order; an older one never overwrites a newer one.
    /// Answers `false` for a conversation that was erased meanwhile (nothing is recorded).
    pub(super) fn conversation_updated(&self, update: &ConversationUpdate) -> EdgeResult<bool> {
        let s = &update.summary;
        let sql = self.sql();
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let erased: Count = sql
            .exec("SELECT COUNT(*) AS n FROM erased_conversations WHERE id = ?", vec![s.id.as_str().into()])?
            .one()?;
        if erased.n > 0 {
            return Ok(false);
        }
        if let Some(m) = &update.indexed {
            sql.exec(
                "INSERT OR IGNORE INTO message_index (conversation_id, seq, body, at) VALUES (?, ?, ?, ?)",
                vec![s.id.as_str().into(), (m.seq as i64).into(), m.body.as_str().into(), m.at.into()],
            )?;
        }
        let json = serde_json::to_string(s)?;
        let author = serde_json::to_string(&s.last_author)?;
        let written = sql.exec(
            "INSERT INTO conversations (id, visitor_name, last_message, last_author, last_at, last_seq, json, rev, visitor_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET visitor_name = excluded.visitor_name, \
             last_message = excluded.last_message, last_author = excluded.last_author, last_at = excluded.last_at, \
             last_seq = excluded.last_seq, json = excluded.json, rev = excluded.rev WHERE excluded.rev > conversations.rev",
            vec![
                s.id.as_str().into(),
                s.visitor_name.as_str().into(),
                s.last_message.as_str().into(),
                author.into(),
                s.last_at.into(),
                (s.last_seq as i64).into(),
                json.into(),
                (s.rev as i64).into(),
                update.visitor_id.as_ref().map(|v| v.as_str().to_owned()).into(),
            ],
        )?;
        if written.rows_written() > 0 {
            self.broadcast(&ServerMsg::ConversationUpdated { conversation: s.clone() });
        }
        Ok(true)
    }

    /// Conversations whose messages (notes included), visitor name or email contain `q`, newest
    /// first, one hit per conversation.
    pub(super) fn search(&self, q: &str) -> EdgeResult<Vec<SearchHit>> {
        #[derive(Deserialize)]
        struct Hit {
            conversation_id: String,
            body: String,
            at: i64,
        }
        let q = q.trim();
        if q.is_empty() {
            return Ok(vec![]);
        }
        let q: String = q.chars().take(MAX_QUERY_CHARS).collect();
        let pattern = like_pattern(&q);
        let names: Vec<SummaryRow> = self
            .sql()
            .exec(
                "SELECT * FROM conversations WHERE visitor_name LIKE ? ESCAPE '\\' \
                 OR json_extract(json, '$.visitor_email') LIKE ? ESCAPE '\\' ORDER BY last_at DESC LIMIT ?",
                vec![pattern.as_str().into(), pattern.as_str().into(), (SEARCH_HITS as i64).into()],
            )?
            .to_array()?;
        let mut hits: Vec<SearchHit> = names
            .into_iter()
            .map(|row| {
                let s = row.into_summary()?;
                Ok(SearchHit {
                    conversation_id: s.id,
                    visitor_name: s.visitor_name,
                    snippet: String::new(),
                    at: s.last_at,
                })
            })
            .collect::<EdgeResult<_>>()?;
        let messages: Vec<Hit> = self
            .sql()
            .exec(
                "SELECT conversation_id, body, at FROM message_index WHERE body LIKE ? ESCAPE '\\' ORDER BY at DESC LIMIT 500",
                vec![pattern.into()],
            )?
            .to_array()?;
        for m in messages {
            if hits.len() >= SEARCH_HITS {
                break;
            }
            if hits.iter().any(|h| h.conversation_id.as_str() == m.conversation_id) {
                continue;
            }
            let id = ConversationId::parse(&m.conversation_id)?;
            let visitor_name = self.summary(&id)?.map(|s| s.visitor_name).unwrap_or_default();
            hits.push(SearchHit { conversation_id: id, visitor_name, snippet: preview(&m.body), at: m.at });
        }
        Ok(hits)
    }
}
