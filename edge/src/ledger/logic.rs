//! How the ledger numbers and keeps documents: the next number of each series in the same write as
//! the document (one object, one thread: no two documents ever get one number, and no number is
//! skipped), each key issued once, nothing changed afterwards.

use super::{Document, Draft, Kind};
use crate::error::{EdgeError, EdgeResult};
use shared::SiteId;

/// The two series, each numbered from 1 without gaps.
pub const INVOICE_PREFIX: &str = "INV-";
pub const CREDIT_PREFIX: &str = "CN-";

/// What the ledger keeps. There is no way to change or delete a document.
pub trait LedgerStore {
    /// The highest number used in a series so far (0 before the first).
    fn last_number(&self, prefix: &str) -> EdgeResult<u64>;
    /// Stores a new document under its number and key.
    fn insert(&mut self, document: &Document, key: &str) -> EdgeResult<()>;
    fn by_key(&self, key: &str) -> EdgeResult<Option<Document>>;
    fn by_number(&self, number: &str) -> EdgeResult<Option<Document>>;
    /// A site's documents, newest first.
    fn of_site(&self, site: &SiteId) -> EdgeResult<Vec<Document>>;
}

pub struct Ledger<'a, S: LedgerStore> {
    pub store: &'a mut S,
    pub now: i64,
}

/// `INV-000042`.
pub fn number(prefix: &str, n: u64) -> String {
    format!("{prefix}{n:06}")
}

impl<S: LedgerStore> Ledger<'_, S> {
    fn next(&mut self, prefix: &str, kind: Kind, draft: Draft, key: &str) -> EdgeResult<Document> {
        let n = self.store.last_number(prefix)? + 1;
        let document = Document { number: number(prefix, n), issued_at: self.now, kind, draft };
        self.store.insert(&document, key)?;
        Ok(document)
    }

    /// Issues an invoice for a payment (`draft.key`): once, whatever number of times it is asked.
    pub fn issue(&mut self, draft: Draft) -> EdgeResult<Document> {
        let key = format!("invoice:{}", draft.key);
        if let Some(issued) = self.store.by_key(&key)? {
            return Ok(issued);
        }
        self.next(INVOICE_PREFIX, Kind::Invoice, draft, &key)
    }

    /// A credit note cancelling invoice `of`: its amounts negated, its details as they were.
    pub fn credit(&mut self, of: &str, reason: &str) -> EdgeResult<Document> {
        let key = format!("credit:{of}");
        if let Some(issued) = self.store.by_key(&key)? {
            return Ok(issued);
        }
        let reason = crate::settings::bounded("the reason", reason, 300)?;
        let invoice = self.store.by_number(of)?.filter(|d| d.kind == Kind::Invoice).ok_or(EdgeError::NotFound)?;
        let mut draft = invoice.draft;
        (draft.subtotal, draft.tax, draft.total) = (-draft.subtotal, -draft.tax, -draft.total);
        self.next(CREDIT_PREFIX, Kind::CreditNote { of: of.to_owned(), reason }, draft, &key)
    }

    pub fn documents(&self, site: &SiteId) -> EdgeResult<Vec<Document>> {
        self.store.of_site(site)
    }

    /// One document of `site`; another site's answers as missing.
    pub fn document(&self, site: &SiteId, number: &str) -> EdgeResult<Document> {
        self.store.by_number(number)?.filter(|d| &d.draft.site == site).ok_or(EdgeError::NotFound)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::billing::tests::config;
    use crate::billing::BillingDetails;
    use std::collections::BTreeMap;

    #[derive(Default)]
    pub struct Memory {
        docs: BTreeMap<String, (Document, String)>,
    }

    impl LedgerStore for Memory {
        fn last_number(&self, prefix: &str) -> EdgeResult<u64> {
            Ok(self.docs.keys().filter_map(|n| n.strip_prefix(prefix)?.parse().ok()).max().unwrap_or(0))
        }
        fn insert(&mut self, d: &Document, key: &str) -> EdgeResult<()> {
            assert!(!self.docs.contains_key(&d.number), "a number is used once");
            self.docs.insert(d.number.clone(), (d.clone(), key.to_owned()));
            Ok(())
        }
        fn by_key(&self, key: &str) -> EdgeResult<Option<Document>> {
            Ok(self.docs.values().find(|(_, k)| k == key).map(|(d, _)| d.clone()))
        }
        fn by_number(&self, number: &str) -> EdgeResult<Option<Document>> {
            Ok(self.docs.get(number).map(|(d, _)| d.clone()))
        }
        fn of_site(&self, site: &SiteId) -> EdgeResult<Vec<Document>> {
            let mut docs: Vec<Document> =
                self.docs.values().map(|(d, _)| d.clone()).filter(|d| &d.draft.site == site).collect();
            docs.sort_by(|a, b| b.issued_at.cmp(&a.issued_at).then(b.number.cmp(&a.number)));
            Ok(docs)
        }
    }

    pub fn draft(site: &str, key: &str) -> Draft {
        Draft {
            site: SiteId::parse(site).unwrap(),
            operator: config().operator,
            customer: BillingDetails {
                company: "Demo Shop GmbH".into(),
                address: "Töpferweg 3\n50667 Köln".into(),
                vat_id: Some("DE987654321".into()),
                email: "accounts@demo.test".into(),
            },
            plan: "Team".into(),
            period_start: 1_796_083_200_000,
            period_end: 1_798_761_600_000,
            currency: "EUR".into(),
            subtotal: 2900,
            tax: 551,
            total: 3451,
            paid_at: 1_796_083_260_000,
            key: key.into(),
        }
    }

    #[test]
    fn invoices_of_every_workspace_share_one_series_without_gaps_and_a_payment_is_invoiced_once() {
        let mut store = Memory::default();
        let mut ledger = Ledger { store: &mut store, now: 1 };
        let a = ledger.issue(draft("shop-a", "in_1")).unwrap();
        let b = ledger.issue(draft("shop-b", "in_2")).unwrap();
        let again = ledger.issue(draft("shop-a", "in_1")).unwrap();
        let c = ledger.issue(draft("shop-a", "in_3")).unwrap();
        assert_eq!(
            [a.number.as_str(), b.number.as_str(), c.number.as_str()],
            ["INV-000001", "INV-000002", "INV-000003"]
        );
        assert_eq!(again, a, "the processor's retry gets the same invoice");
        let numbers: Vec<String> =
            ledger.documents(&SiteId::parse("shop-a").unwrap()).unwrap().into_iter().map(|d| d.number).collect();
        assert_eq!(numbers, ["INV-000003", "INV-000001"], "a site sees its own, newest first");
    }

    #[test]
    fn a_credit_note_cancels_an_invoice_in_its_own_series_and_the_invoice_stays_as_issued() {
        let mut store = Memory::default();
        let mut ledger = Ledger { store: &mut store, now: 5 };
        let invoice = ledger.issue(draft("shop-a", "in_1")).unwrap();
        let note = ledger.credit("INV-000001", "Charged twice").unwrap();
        assert_eq!(note.number, "CN-000001");
        assert_eq!(note.kind, Kind::CreditNote { of: "INV-000001".into(), reason: "Charged twice".into() });
        assert_eq!((note.draft.subtotal, note.draft.tax, note.draft.total), (-2900, -551, -3451));
        assert_eq!(ledger.credit("INV-000001", "again").unwrap(), note, "one credit note per invoice");
        let site = SiteId::parse("shop-a").unwrap();
        assert_eq!(ledger.document(&site, "INV-000001").unwrap(), invoice, "unchanged");
        assert!(matches!(ledger.credit("INV-000009", "x"), Err(EdgeError::NotFound)));
        assert!(
            matches!(ledger.credit("CN-000001", "x"), Err(EdgeError::NotFound)),
            "not a credit note of a credit note"
        );
        assert!(
            ledger.credit("INV-000001", " ").is_ok(),
            "the first one answers; a blank reason is refused only for a new one"
        );
        assert!(matches!(ledger.document(&SiteId::parse("shop-b").unwrap(), "INV-000001"), Err(EdgeError::NotFound)));
    }
}
