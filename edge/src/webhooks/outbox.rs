//! A producer's outbox (a conversation, a visitor, a workspace): its webhook events are written
//! into its own SQLite in the same commit as the change they report, then handed to the site's
//! webhooks object, oldest first, and deleted once it took them. A process killed in between hands
//! them over when it starts again (or on its alarm, after a failed hand-over); the webhooks object
//! drops a repeat by its id, so at least once never becomes twice.

use super::{Accept, HookEvent};
use crate::error::EdgeResult;
use crate::glue::ask;
use shared::SiteId;
use std::cell::Cell;
use worker::{Env, SqlStorage};

/// The outbox's table, in the producer's schema.
pub const TABLE: &str =
    "CREATE TABLE IF NOT EXISTS hook_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL)";

/// Events handed over per call.
const BATCH: usize = 100;

/// Writes `events` (no await: the caller's change and these commit together). Answers whether
/// there were any.
pub fn queue(sql: &SqlStorage, events: &[HookEvent]) -> EdgeResult<bool> {
    for event in events {
        sql.exec("INSERT INTO hook_outbox (event) VALUES (?)", vec![serde_json::to_string(event)?.into()])?;
    }
    Ok(!events.is_empty())
}

/// Whether anything waits.
pub fn waiting(sql: &SqlStorage) -> EdgeResult<bool> {
    #[derive(serde::Deserialize)]
    struct Count {
        n: i64,
    }
    let rows: Vec<Count> = sql.exec("SELECT COUNT(*) AS n FROM hook_outbox", None)?.to_array()?;
    Ok(rows.first().is_some_and(|c| c.n > 0))
}

/// One hand-over at a time per object instance: a change made while one is out is taken by its
/// loop (it reads the table again after each call).
#[derive(Default)]
pub struct Outbox {
    flushing: Cell<bool>,
}

impl Outbox {
    /// Hands everything waiting to `site`'s webhooks object. On failure the events stay, in
    /// order, and the caller sets its alarm to try again.
    pub async fn flush(&self, env: &Env, site: &SiteId, sql: &SqlStorage) -> EdgeResult<()> {
        if self.flushing.replace(true) {
            return Ok(());
        }
        let result = Self::hand_over(env, site, sql).await;
        self.flushing.set(false);
        result
    }

    async fn hand_over(env: &Env, site: &SiteId, sql: &SqlStorage) -> EdgeResult<()> {
        #[derive(serde::Deserialize)]
        struct Row {
            id: i64,
            event: String,
        }
        let hooks = crate::glue::webhooks_object(env, site)?;
        loop {
            let rows: Vec<Row> = sql
                .exec("SELECT id, event FROM hook_outbox ORDER BY id LIMIT ?", vec![(BATCH as i64).into()])?
                .to_array()?;
            let Some(last) = rows.last().map(|r| r.id) else { return Ok(()) };
            let events: Result<Vec<HookEvent>, _> =
                rows.iter().map(|r| serde_json::from_slice(r.event.as_bytes())).collect();
            ask(&hooks, Accept { events: events? }).await?;
            sql.exec("DELETE FROM hook_outbox WHERE id <= ?", vec![last.into()])?;
        }
    }
}
