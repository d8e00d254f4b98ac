//! The ledger's `worker` glue: typed calls only.

use super::logic;
use super::store::{schema, SqlLedger};
use super::{Credit, Document, Documents, GetDocument, Issue, LedgerCalls, LedgerRequest};
use crate::error::EdgeResult;
use crate::glue::now_ms;
use worker::{durable_object, DurableObject, Env, Request, Response, State};

#[durable_object]
pub struct Ledger {
    state: State,
}

impl Ledger {
    fn with<T>(&self, decide: impl FnOnce(&mut logic::Ledger<'_, SqlLedger>) -> EdgeResult<T>) -> EdgeResult<T> {
        let mut store = SqlLedger(self.state.storage().sql());
        decide(&mut logic::Ledger { store: &mut store, now: now_ms() })
    }
}

impl LedgerCalls for Ledger {
    async fn issue(&self, r: Issue) -> EdgeResult<Document> {
        self.with(|l| l.issue(r.draft))
    }

    async fn credit(&self, r: Credit) -> EdgeResult<Document> {
        self.with(|l| l.credit(&r.number, &r.reason))
    }

    async fn documents(&self, r: Documents) -> EdgeResult<Vec<Document>> {
        self.with(|l| l.documents(&r.site))
    }

    async fn document(&self, r: GetDocument) -> EdgeResult<Document> {
        self.with(|l| l.document(&r.site, &r.number))
    }
}

impl DurableObject for Ledger {
    fn new(state: State, _env: Env) -> Self {
        schema(&state);
        Self { state }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        LedgerRequest::serve(self, req).await
    }
}
