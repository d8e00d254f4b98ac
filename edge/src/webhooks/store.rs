//! The webhooks object's tables in its SQLite, behind [`HookStore`] (`logic/memory.rs` keeps the
//! same rules for the native tests).

use super::logic::{EndpointRow, HookStore};
use super::{Delivery, Endpoint};
use crate::error::EdgeResult;
use crate::glue::{create_schema, inserted_id, json_rows, name_of};
use serde::Deserialize;
use shared::VisitorId;
use worker::{SqlStorage, SqlStorageValue, State};

pub struct SqlHooks(pub SqlStorage);

/// A delivery as the logic sees it: its JSON with the row's id in it (a JSON column rather than one
/// column a field keeps the worker small: one decoder, the one the object's answers need anyway).
const DELIVERY: &str = "json_set(d.json, '$.id', d.id) AS json";

/// Pending deliveries of enabled endpoints that no earlier pending one of their order key holds
/// back (the `deliveries_order` index answers the inner query).
const HEADS: &str = "FROM deliveries d JOIN endpoints e ON e.id = d.endpoint AND e.enabled = 1 \
                     WHERE d.state = 'pending' AND (d.order_key IS NULL OR NOT EXISTS (SELECT 1 FROM deliveries p \
                     WHERE p.endpoint = d.endpoint AND p.order_key = d.order_key AND p.state = 'pending' AND p.id < d.id))";

impl SqlHooks {
    fn rows(&self, query: &str, bindings: Vec<SqlStorageValue>) -> EdgeResult<Vec<Delivery>> {
        json_rows(&self.0, query, bindings)
    }
}

impl HookStore for SqlHooks {
    fn endpoints(&self) -> EdgeResult<Vec<EndpointRow>> {
        #[derive(Deserialize)]
        struct Secrets {
            secret: String,
            previous_secret: Option<String>,
        }
        let endpoints: Vec<Endpoint> = json_rows(&self.0, "SELECT json FROM endpoints ORDER BY created_at, id", None)?;
        let secrets: Vec<Secrets> =
            self.0.exec("SELECT secret, previous_secret FROM endpoints ORDER BY created_at, id", None)?.to_array()?;
        Ok(endpoints
            .into_iter()
            .zip(secrets)
            .map(|(endpoint, s)| EndpointRow { endpoint, secret: s.secret, previous_secret: s.previous_secret })
            .collect())
    }

    fn put_endpoint(&mut self, row: &EndpointRow) -> EdgeResult<()> {
        let e = &row.endpoint;
        self.0.exec(
            "INSERT OR REPLACE INTO endpoints (id, json, enabled, created_at, secret, previous_secret) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                e.id.as_str().into(),
                serde_json::to_string(e)?.into(),
                i64::from(e.disabled.is_none()).into(),
                e.created_at.into(),
                row.secret.as_str().into(),
                row.previous_secret.clone().into(),
            ],
        )?;
        Ok(())
    }

    fn remove_endpoint(&mut self, id: &str) -> EdgeResult<()> {
        self.0.exec("DELETE FROM deliveries WHERE endpoint = ?", vec![id.into()])?;
        self.0.exec("DELETE FROM endpoints WHERE id = ?", vec![id.into()])?;
        Ok(())
    }

    fn insert_delivery(&mut self, d: &Delivery) -> EdgeResult<Option<i64>> {
        inserted_id(
            &self.0,
            "INSERT INTO deliveries (endpoint, event_id, order_key, visitor, state, due_at, created_at, json) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint, event_id) DO NOTHING RETURNING id",
            vec![
                d.endpoint.as_str().into(),
                d.event_id.as_str().into(),
                d.order.clone().into(),
                d.visitor.as_ref().map(|v| v.as_str().to_owned()).into(),
                name_of(d.state)?.into(),
                d.due_at.into(),
                d.created_at.into(),
                serde_json::to_string(d)?.into(),
            ],
        )
    }

    fn update_delivery(&mut self, d: &Delivery) -> EdgeResult<()> {
        self.0.exec(
            "UPDATE deliveries SET state = ?, due_at = ?, last_at = ?, json = ? WHERE id = ?",
            vec![
                name_of(d.state)?.into(),
                d.due_at.into(),
                d.last_at.into(),
                serde_json::to_string(d)?.into(),
                d.id.into(),
            ],
        )?;
        Ok(())
    }

    fn delivery(&self, id: i64) -> EdgeResult<Option<Delivery>> {
        Ok(self.rows(&format!("SELECT {DELIVERY} FROM deliveries d WHERE d.id = ?"), vec![id.into()])?.pop())
    }

    fn due(&self, now: i64, limit: usize) -> EdgeResult<Vec<Delivery>> {
        let query = format!("SELECT {DELIVERY} {HEADS} AND d.due_at <= ? ORDER BY d.id LIMIT ?");
        self.rows(&query, vec![now.into(), (limit as i64).into()])
    }

    fn next_due(&self) -> EdgeResult<Option<i64>> {
        #[derive(Deserialize)]
        struct At {
            at: Option<i64>,
        }
        let rows: Vec<At> = self.0.exec(&format!("SELECT MIN(d.due_at) AS at {HEADS}"), None)?.to_array()?;
        Ok(rows.into_iter().next().and_then(|r| r.at))
    }

    fn deliveries(&self, endpoint: &str, limit: usize) -> EdgeResult<Vec<Delivery>> {
        let query = format!("SELECT {DELIVERY} FROM deliveries d WHERE d.endpoint = ? ORDER BY d.id DESC LIMIT ?");
        self.rows(&query, vec![endpoint.into(), (limit as i64).into()])
    }

    fn due_again(&mut self, endpoint: &str, at: i64) -> EdgeResult<()> {
        self.0.exec(
            "UPDATE deliveries SET due_at = ? WHERE endpoint = ? AND state = 'pending'",
            vec![at.into(), endpoint.into()],
        )?;
        Ok(())
    }

    fn prune(&mut self, before: i64) -> EdgeResult<()> {
        self.0.exec(
            "DELETE FROM deliveries WHERE state != 'pending' AND COALESCE(last_at, created_at) < ?",
            vec![before.into()],
        )?;
        Ok(())
    }

    fn withhold(&mut self, visitor: &VisitorId, why: Option<&str>) -> EdgeResult<()> {
        match why {
            Some(why) => self.0.exec(
                "INSERT OR REPLACE INTO withheld (visitor, why) VALUES (?, ?)",
                vec![visitor.as_str().into(), why.into()],
            )?,
            None => self.0.exec("DELETE FROM withheld WHERE visitor = ?", vec![visitor.as_str().into()])?,
        };
        Ok(())
    }

    fn withheld(&self, visitor: &VisitorId) -> EdgeResult<Option<String>> {
        #[derive(Deserialize)]
        struct Why {
            why: String,
        }
        let rows: Vec<Why> =
            self.0.exec("SELECT why FROM withheld WHERE visitor = ?", vec![visitor.as_str().into()])?.to_array()?;
        Ok(rows.into_iter().next().map(|r| r.why))
    }

    fn drop_visitor(&mut self, visitor: &VisitorId, pending_only: bool) -> EdgeResult<u32> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let only = if pending_only { " AND state = 'pending'" } else { "" };
        self.0.exec(&format!("DELETE FROM deliveries WHERE visitor = ?{only}"), vec![visitor.as_str().into()])?;
        let left: Vec<Count> = self
            .0
            .exec("SELECT COUNT(*) AS n FROM deliveries WHERE visitor = ?", vec![visitor.as_str().into()])?
            .to_array()?;
        Ok(left.first().map_or(0, |c| c.n as u32))
    }
}

pub fn schema(state: &State) {
    create_schema(
        state,
        "webhooks",
        &[
            "CREATE TABLE IF NOT EXISTS endpoints (id TEXT PRIMARY KEY, json TEXT NOT NULL, enabled INTEGER NOT NULL, \
             created_at INTEGER NOT NULL, secret TEXT NOT NULL, previous_secret TEXT)",
            // The columns the queries pick by; the delivery itself is `json`.
            "CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, \
             event_id TEXT NOT NULL, order_key TEXT, visitor TEXT, state TEXT NOT NULL, due_at INTEGER NOT NULL, \
             created_at INTEGER NOT NULL, last_at INTEGER, json TEXT NOT NULL, UNIQUE (endpoint, event_id))",
            "CREATE INDEX IF NOT EXISTS deliveries_order ON deliveries (endpoint, order_key, state, id)",
            "CREATE INDEX IF NOT EXISTS deliveries_visitor ON deliveries (visitor)",
            // Visitors nothing is sent about: `restricted` (until lifted) or `erased` (for good).
            "CREATE TABLE IF NOT EXISTS withheld (visitor TEXT PRIMARY KEY, why TEXT NOT NULL)",
        ],
    );
}
