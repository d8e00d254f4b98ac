//! The rate-limiter Durable Object: one per client key (`signin:IP`), counting hits in a fixed
//! window. Kept apart from the objects it protects, as in Cloudflare's chat demo, so a flood from
//! one address never touches the accounts it aims at.

use crate::error::{EdgeError, EdgeResult};
use crate::glue::{create_schema, json, now_ms, read_json, respond};
use crate::lockout::Window;
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Method, Request, Response, State};

#[durable_object]
pub struct RateLimiter {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

/// `POST /hit`: count one hit against `limit` per `window_ms`.
#[derive(Serialize, Deserialize)]
pub struct Hit {
    pub limit: u32,
    pub window_ms: i64,
}

#[derive(Serialize, Deserialize)]
pub struct Verdict {
    pub allowed: bool,
    /// The first hit over the limit in this window (worth one audit entry, not one per hit).
    #[serde(default)]
    pub first_refusal: bool,
}

#[derive(Deserialize)]
struct Row {
    json: String,
}

impl RateLimiter {
    fn hit(&self, hit: &Hit) -> EdgeResult<Verdict> {
        let sql = self.state.storage().sql();
        let rows: Vec<Row> = sql.exec("SELECT json FROM window WHERE id = 1", None)?.to_array()?;
        let mut window: Window = match rows.first() {
            Some(row) => serde_json::from_str(&row.json)?,
            None => Window::default(),
        };
        let allowed = window.hit(now_ms(), hit.limit, hit.window_ms);
        let first_refusal = window.hits == hit.limit + 1;
        sql.exec(
            "INSERT OR REPLACE INTO window (id, json) VALUES (1, ?)",
            vec![serde_json::to_string(&window)?.into()],
        )?;
        Ok(Verdict { allowed, first_refusal })
    }

    async fn route(&self, mut req: Request) -> EdgeResult<Response> {
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/hit") => json(&self.hit(&read_json(&mut req).await?)?, 200),
            _ => Err(EdgeError::NotFound),
        }
    }
}

impl DurableObject for RateLimiter {
    fn new(state: State, env: Env) -> Self {
        create_schema(
            &state,
            "rate limiter",
            &["CREATE TABLE IF NOT EXISTS window (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)"],
        );
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        respond(self.route(req).await)
    }
}
