//! The data requests page's state and words, kept pure so `cargo test -p inbox` checks them: the
//! visitors a search found (changed by the answers to the actions run for them), what a
//! correction sends, and how each outcome is said.

use crate::visitor_text::contact_change_to_send;
use shared::privacy::{DataAction, DataSubject, Erased};
use shared::VisitorId;
use std::rc::Rc;

/// The search and its answer. `query` is the search last asked for: an answer to an older one
/// (a slow request overtaken by a newer search) is dropped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lookup {
    pub query: String,
    /// `None` before the first answer to `query`.
    pub found: Option<Vec<DataSubject>>,
    /// The last erasure on this page, said until the next search.
    pub erased: Option<Erased>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LookupAction {
    /// A search was asked for.
    Search(String),
    /// The edge's answer to the search for `query`.
    Found { query: String, subjects: Vec<DataSubject> },
    /// A visitor as the edge answered an action for them (corrected, restricted, objected).
    Updated(DataSubject),
    /// A visitor's data is gone: they leave the list.
    Erased { visitor: VisitorId, erased: Erased },
}

impl Lookup {
    pub fn apply(&mut self, action: LookupAction) {
        match action {
            LookupAction::Search(query) => {
                self.query = query;
                self.found = None;
                self.erased = None;
            }
            LookupAction::Found { query, subjects } => {
                if query == self.query {
                    self.found = Some(subjects);
                }
            }
            LookupAction::Updated(subject) => {
                let slot = self
                    .found
                    .iter_mut()
                    .flatten()
                    .find(|s| s.visitor_id.is_some() && s.visitor_id == subject.visitor_id);
                if let Some(slot) = slot {
                    *slot = subject;
                }
            }
            LookupAction::Erased { visitor, erased } => {
                if let Some(found) = &mut self.found {
                    found.retain(|s| s.visitor_id.as_ref() != Some(&visitor));
                }
                self.erased = Some(erased);
            }
        }
    }
}

impl yew::Reducible for Lookup {
    type Action = LookupAction;
    fn reduce(self: Rc<Self>, action: LookupAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

/// What the search box sends: the email or visitor id without surrounding spaces, or nothing.
pub fn search_query(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|q| !q.is_empty())
}

/// The visitor's heading: their name, else their email, else "Visitor" and the start of their id.
pub fn subject_title(s: &DataSubject) -> String {
    let name = s.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    match (name, &s.email, &s.visitor_id) {
        (Some(name), _, _) => name.to_owned(),
        (None, Some(email), _) => email.to_string(),
        (None, None, Some(id)) => format!("Visitor {}", id.as_str().chars().take(8).collect::<String>()),
        (None, None, None) => "Visitor".to_owned(),
    }
}

/// "Correct details": the changed fields as a [`DataAction::Correct`], `Ok(None)` when nothing
/// changed, or why not. Checked as the edge checks a contact edit (one rule for both forms).
pub fn correction(name: &str, email: &str, current: &DataSubject) -> Result<Option<DataAction>, String> {
    let (name, email) = contact_change_to_send(name, email, current.name.as_deref(), current.email.as_ref())?;
    Ok((name.is_some() || email.is_some()).then_some(DataAction::Correct { name, email }))
}

/// The confirmation after an action the edge answered with the visitor.
pub fn outcome(action: &DataAction) -> &'static str {
    match action {
        DataAction::Status => "Up to date",
        DataAction::Export => "Data downloaded",
        DataAction::Correct { .. } => "Details corrected",
        DataAction::Erase => "Data erased",
        DataAction::Restrict { on: true } => "Processing restricted",
        DataAction::Restrict { on: false } => "Restriction lifted",
        DataAction::Object { on: true } => "Objection to analytics recorded",
        DataAction::Object { on: false } => "Objection withdrawn",
    }
}

/// The restriction's button and what it does, for a visitor restricted or not.
pub fn restrict_choice(restricted: bool) -> (&'static str, &'static str) {
    match restricted {
        true => ("Lift restriction", "Capture again what their consent allows."),
        false => (
            "Restrict processing",
            "Keep their data but capture nothing new (pages, device, location, details). Chatting still works.",
        ),
    }
}

/// The objection's button and what it does, for a visitor who objected or not.
pub fn object_choice(objected: bool) -> (&'static str, &'static str) {
    match objected {
        true => ("Withdraw objection", "Their consent decides again what analytics captures."),
        false => (
            "Record objection to analytics",
            "Delete their page activity, device and location, and never capture them again, whatever their consent says.",
        ),
    }
}

/// "Erased: 2 conversations · reference 3fa9c1d2e4b5".
pub fn erased_text(e: &Erased) -> String {
    let noun = if e.conversations == 1 { "conversation" } else { "conversations" };
    format!("Erased: {} {noun} · reference {}", e.conversations, e.reference)
}

/// The name the download is saved under.
pub fn export_file_name(visitor: &VisitorId) -> String {
    format!("data-{visitor}.json")
}

/// A count with its noun: "1 conversation", "3 pages".
pub fn counted(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Email;

    fn subject(id: &str, email: &str) -> DataSubject {
        DataSubject {
            visitor_id: Some(VisitorId::parse(id).unwrap()),
            email: Some(Email::parse(email).unwrap()),
            conversations: 2,
            ..DataSubject::default()
        }
    }

    fn searched(q: &str, subjects: Vec<DataSubject>) -> Lookup {
        let mut l = Lookup::default();
        l.apply(LookupAction::Search(q.into()));
        l.apply(LookupAction::Found { query: q.into(), subjects });
        l
    }

    #[test]
    fn an_answer_to_an_older_search_is_dropped() {
        let mut l = Lookup::default();
        l.apply(LookupAction::Search("ana@shop.example".into()));
        l.apply(LookupAction::Search("bo@shop.example".into()));
        l.apply(LookupAction::Found {
            query: "ana@shop.example".into(),
            subjects: vec![subject("visitor-ana", "ana@shop.example")],
        });
        assert_eq!(l.found, None, "still waiting for bo");
        l.apply(LookupAction::Found { query: "bo@shop.example".into(), subjects: vec![] });
        assert_eq!(l.found, Some(vec![]));
    }

    #[test]
    fn updates_replace_their_visitor_only() {
        let mut l = searched(
            "shop",
            vec![subject("visitor-ana", "ana@shop.example"), subject("visitor-bob", "bob@shop.example")],
        );
        let restricted = DataSubject { restricted: true, ..subject("visitor-bob", "bob@shop.example") };
        l.apply(LookupAction::Updated(restricted.clone()));
        let found = l.found.clone().unwrap();
        assert_eq!(found[1], restricted);
        assert!(!found[0].restricted);
        // A visitor the list does not show is not added to it.
        l.apply(LookupAction::Updated(subject("visitor-cat", "cat@shop.example")));
        assert_eq!(l.found.unwrap().len(), 2);
    }

    #[test]
    fn an_erased_visitor_leaves_the_list_and_the_outcome_stays_until_the_next_search() {
        let mut l = searched(
            "shop",
            vec![subject("visitor-ana", "ana@shop.example"), subject("visitor-bob", "bob@shop.example")],
        );
        let erased = Erased { conversations: 2, reference: "3fa9c1d2e4b5".into() };
        l.apply(LookupAction::Erased { visitor: VisitorId::parse("visitor-ana").unwrap(), erased: erased.clone() });
        assert_eq!(l.found.as_ref().unwrap().len(), 1);
        assert_eq!(l.found.as_ref().unwrap()[0].email.as_ref().unwrap().as_str(), "bob@shop.example");
        assert_eq!(l.erased, Some(erased));
        l.apply(LookupAction::Search("again".into()));
        assert_eq!(l.erased, None);
    }

    #[test]
    fn searches_are_trimmed_and_never_empty() {
        assert_eq!(search_query("  ana@shop.example "), Some("ana@shop.example".into()));
        assert_eq!(search_query("   "), None);
    }

    #[test]
    fn titles_fall_back_from_name_to_email_to_id() {
        let s = subject("abcdef0123456789", "ana@shop.example");
        assert_eq!(subject_title(&DataSubject { name: Some("Ana Lima".into()), ..s.clone() }), "Ana Lima");
        assert_eq!(subject_title(&DataSubject { name: Some("  ".into()), ..s.clone() }), "ana@shop.example");
        assert_eq!(subject_title(&DataSubject { email: None, ..s }), "Visitor abcdef01");
        assert_eq!(subject_title(&DataSubject::default()), "Visitor");
    }

    #[test]
    fn corrections_send_what_changed_and_refuse_what_the_edge_refuses() {
        let s = DataSubject { name: Some("Ana".into()), ..subject("visitor-ana", "ana@shop.example") };
        assert_eq!(correction("Ana", "ana@shop.example", &s), Ok(None));
        assert_eq!(
            correction(" Ana ", "Ana.Lima@Shop.example", &s),
            Ok(Some(DataAction::Correct { name: None, email: Some("ana.lima@shop.example".into()) }))
        );
        assert_eq!(
            correction("Ana Lima", "ana@shop.example", &s),
            Ok(Some(DataAction::Correct { name: Some("Ana Lima".into()), email: None }))
        );
        assert!(correction("Ana", "not an email", &s).is_err());
        assert!(correction("", "ana@shop.example", &s).is_err(), "a name can be corrected, not removed");
    }

    #[test]
    fn outcomes_are_said_in_words() {
        assert_eq!(
            erased_text(&Erased { conversations: 1, reference: "ab12".into() }),
            "Erased: 1 conversation · reference ab12"
        );
        assert_eq!(
            erased_text(&Erased { conversations: 0, reference: "ab12".into() }),
            "Erased: 0 conversations · reference ab12"
        );
        assert_eq!(export_file_name(&VisitorId::parse("visitor-ana").unwrap()), "data-visitor-ana.json");
        assert_eq!(outcome(&DataAction::Restrict { on: false }), "Restriction lifted");
        assert_ne!(outcome(&DataAction::Object { on: true }), outcome(&DataAction::Object { on: false }));
        assert_eq!(restrict_choice(false).0, "Restrict processing");
        assert_eq!(restrict_choice(true).0, "Lift restriction");
        assert_eq!(object_choice(false).0, "Record objection to analytics");
        assert_eq!(object_choice(true).0, "Withdraw objection");
        assert_eq!(counted(1, "page", "pages"), "1 page");
        assert_eq!(counted(3, "page", "pages"), "3 pages");
    }
}
