//! The visitor Durable Object (one per visitor of a site, named `SITE:VISITOR_ID`): for now the
//! visitor's consent history, the proof a controller needs for each decision.

use crate::error::{EdgeError, EdgeResult};
use crate::glue::{create_schema, json, read_json, respond};
use serde::Deserialize;
use shared::consent::ConsentRecord;
use worker::{durable_object, DurableObject, Env, Method, Request, Response, State};

#[durable_object]
pub struct Visitor {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

#[derive(Deserialize)]
struct Row {
    json: String,
}

impl Visitor {
    fn append(&self, record: &ConsentRecord) -> EdgeResult<()> {
        let text = serde_json::to_string(record)?;
        self.state.storage().sql().exec("INSERT INTO consents (at, json) VALUES (?, ?)", vec![record.at.into(), text.into()])?;
        Ok(())
    }

    fn history(&self) -> EdgeResult<Vec<ConsentRecord>> {
        let rows: Vec<Row> = self.state.storage().sql().exec("SELECT json FROM consents ORDER BY id", None)?.to_array()?;
        rows.iter().map(|r| Ok(serde_json::from_str(&r.json)?)).collect()
    }

    async fn route(&self, mut req: Request) -> EdgeResult<Response> {
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/consents") => {
                let record: ConsentRecord = read_json(&mut req).await?;
                self.append(&record)?;
                json(&record, 201)
            }
            (Method::Get, "/consents") => json(&self.history()?, 200),
            _ => Err(EdgeError::NotFound),
        }
    }
}

impl DurableObject for Visitor {
    fn new(state: State, env: Env) -> Self {
        create_schema(
            &state,
            "visitor",
            &["CREATE TABLE IF NOT EXISTS consents (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL)"],
        );
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        respond(self.route(req).await)
    }
}
