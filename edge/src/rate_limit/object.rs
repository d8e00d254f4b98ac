//! The rate limiter's `worker` glue: SQLite behind `WindowStore`, typed requests in.

use super::logic::{self, WindowStore};
use super::{Hit, LimiterCalls, LimiterRequest, Verdict};
use crate::error::EdgeResult;
use crate::glue::{create_schema, json_row, now_ms};
use crate::lockout::Window;
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};

#[durable_object]
pub struct RateLimiter {
    state: State,
}

struct SqlWindow(SqlStorage);

impl WindowStore for SqlWindow {
    fn window(&self) -> EdgeResult<Option<Window>> {
        json_row(&self.0, "SELECT json FROM window WHERE id = 1", None)
    }

    fn save(&mut self, window: &Window) -> EdgeResult<()> {
        let text = serde_json::to_string(window)?;
        self.0.exec("INSERT OR REPLACE INTO window (id, json) VALUES (1, ?)", vec![text.into()])?;
        Ok(())
    }
}

impl LimiterCalls for RateLimiter {
    async fn hit(&self, hit: Hit) -> EdgeResult<Verdict> {
        logic::hit(&mut SqlWindow(self.state.storage().sql()), &hit, now_ms())
    }
}

impl DurableObject for RateLimiter {
    fn new(state: State, _env: Env) -> Self {
        create_schema(
            &state,
            "rate limiter",
            &["CREATE TABLE IF NOT EXISTS window (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)"],
        );
        Self { state }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        LimiterRequest::serve(self, req).await
    }
}
