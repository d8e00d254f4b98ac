//! The billing object's tables in its SQLite, behind [`BillingStore`].

use super::logic::BillingStore;
use super::{BillingDetails, Subscription};
use crate::error::EdgeResult;
use crate::glue::{create_schema, json_row};
use worker::{SqlStorage, State};

pub fn schema(state: &State) {
    create_schema(
        state,
        "billing",
        &[
            "CREATE TABLE IF NOT EXISTS subscription (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
            // Every processor event applied, by its id: a redelivery is recognised and changes nothing.
            "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, created INTEGER NOT NULL, received_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS details (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
        ],
    );
}

pub struct SqlBilling(pub SqlStorage);

impl BillingStore for SqlBilling {
    fn subscription(&self) -> EdgeResult<Option<Subscription>> {
        json_row(&self.0, "SELECT json FROM subscription WHERE id = 1", None)
    }

    fn save_subscription(&mut self, s: &Subscription) -> EdgeResult<()> {
        self.0.exec(
            "INSERT OR REPLACE INTO subscription (id, json) VALUES (1, ?)",
            vec![serde_json::to_string(s)?.into()],
        )?;
        Ok(())
    }

    fn first_sighting(&mut self, id: &str, created: i64, now: i64) -> EdgeResult<bool> {
        #[derive(serde::Deserialize)]
        struct Row {
            #[allow(dead_code)]
            id: String,
        }
        let inserted: Vec<Row> = self
            .0
            .exec(
                "INSERT INTO events (id, created, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
                vec![id.into(), created.into(), now.into()],
            )?
            .to_array()?;
        Ok(!inserted.is_empty())
    }

    fn forget_event(&mut self, id: &str) -> EdgeResult<()> {
        self.0.exec("DELETE FROM events WHERE id = ?", vec![id.into()])?;
        Ok(())
    }

    fn details(&self) -> EdgeResult<Option<BillingDetails>> {
        json_row(&self.0, "SELECT json FROM details WHERE id = 1", None)
    }

    fn save_details(&mut self, d: &BillingDetails) -> EdgeResult<()> {
        self.0
            .exec("INSERT OR REPLACE INTO details (id, json) VALUES (1, ?)", vec![serde_json::to_string(d)?.into()])?;
        Ok(())
    }
}
