//! The operator's ledger: every invoice and credit note Provixchat issues, in one Durable Object
//! for the whole deployment (`LEDGER`, named `operator`) so that numbers run without gaps across
//! all workspaces: `INV-000001`, `INV-000002`… and `CN-000001`… for credit notes. A document is
//! written once and never changed or deleted (nothing here can); a mistake is answered by a credit
//! note that cancels the invoice it names. Documents are kept for the legal retention period also
//! after their workspace is closed: closing and erasure never reach this object.
//!
//! `logic` numbers and stores over a storage trait (tested natively); `document` renders a
//! document as HTML and as PDF.

pub mod document;
pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
pub use object::Ledger;

use crate::billing::{BillingDetails, Operator};
#[cfg(target_arch = "wasm32")]
use crate::error::EdgeResult;
use serde::{Deserialize, Serialize};
use shared::SiteId;

/// The deployment's one ledger.
#[cfg(target_arch = "wasm32")]
pub fn object(env: &worker::Env) -> EdgeResult<worker::Stub> {
    Ok(env.durable_object("LEDGER")?.get_by_name("operator")?)
}

/// What a document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invoice,
    /// Cancels invoice `of` (its amounts, negated).
    CreditNote {
        of: String,
        reason: String,
    },
}

/// An invoice before the ledger numbers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub site: SiteId,
    /// Printed as they were when the invoice was issued.
    pub operator: Operator,
    pub customer: BillingDetails,
    /// What was bought: the plan's name.
    pub plan: String,
    /// The paid period (ms).
    pub period_start: i64,
    pub period_end: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    /// In the currency's smallest unit.
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
    /// When it was paid (ms).
    pub paid_at: i64,
    /// The processor's invoice id: issuing it again answers the same document.
    pub key: String,
}

/// A numbered document, as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub number: String,
    pub issued_at: i64,
    pub kind: Kind,
    pub draft: Draft,
}

crate::requests! {
    /// What the ledger is asked: by billing objects (an invoice for a payment) and by the
    /// operator's routes (credit notes).
    pub enum LedgerRequest handled by LedgerCalls {
        /// Numbers and keeps an invoice; the same `key` again answers the document issued for it.
        issue: Issue { draft: Draft } -> Document;
        /// A credit note cancelling invoice `number` (once: a second answers the first).
        credit: Credit { number: String, reason: String } -> Document;
        /// A workspace's documents, newest first.
        documents: Documents { site: SiteId } -> Vec<Document>;
        /// One document of a workspace (`not_found` for another's).
        document: GetDocument { site: SiteId, number: String } -> Document;
    }
}
