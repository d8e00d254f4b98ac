//! The ledger's table in its SQLite, behind [`LedgerStore`]: documents are inserted, never
//! updated or deleted.

use super::logic::LedgerStore;
use super::Document;
use crate::error::EdgeResult;
use crate::glue::{create_schema, json_row, json_rows};
use shared::SiteId;
use worker::{SqlStorage, State};

pub fn schema(state: &State) {
    create_schema(
        state,
        "ledger",
        &[
            // `series` and `n` make the number (`INV-` 42); `key` is what it was issued for.
            "CREATE TABLE IF NOT EXISTS documents (number TEXT PRIMARY KEY, series TEXT NOT NULL, n INTEGER NOT NULL, \
             key TEXT NOT NULL UNIQUE, site TEXT NOT NULL, issued_at INTEGER NOT NULL, json TEXT NOT NULL, \
             UNIQUE (series, n))",
            "CREATE INDEX IF NOT EXISTS documents_by_site ON documents (site, issued_at)",
        ],
    );
}

pub struct SqlLedger(pub SqlStorage);

impl LedgerStore for SqlLedger {
    fn last_number(&self, prefix: &str) -> EdgeResult<u64> {
        #[derive(serde::Deserialize)]
        struct Row {
            n: Option<i64>,
        }
        let rows: Vec<Row> =
            self.0.exec("SELECT MAX(n) AS n FROM documents WHERE series = ?", vec![prefix.into()])?.to_array()?;
        Ok(rows.first().and_then(|r| r.n).map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }

    fn insert(&mut self, d: &Document, key: &str) -> EdgeResult<()> {
        let (series, n) = d.number.split_at(d.number.find(|c: char| c.is_ascii_digit()).unwrap_or(0));
        let n: i64 = n.parse().unwrap_or(0);
        self.0.exec(
            "INSERT INTO documents (number, series, n, key, site, issued_at, json) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                d.number.as_str().into(),
                series.into(),
                n.into(),
                key.into(),
                d.draft.site.as_str().into(),
                d.issued_at.into(),
                serde_json::to_string(d)?.into(),
            ],
        )?;
        Ok(())
    }

    fn by_key(&self, key: &str) -> EdgeResult<Option<Document>> {
        json_row(&self.0, "SELECT json FROM documents WHERE key = ?", vec![key.into()])
    }

    fn by_number(&self, number: &str) -> EdgeResult<Option<Document>> {
        json_row(&self.0, "SELECT json FROM documents WHERE number = ?", vec![number.into()])
    }

    fn of_site(&self, site: &SiteId) -> EdgeResult<Vec<Document>> {
        json_rows(
            &self.0,
            "SELECT json FROM documents WHERE site = ? ORDER BY issued_at DESC, number DESC",
            vec![site.as_str().into()],
        )
    }
}
