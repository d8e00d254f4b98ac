//! The REST API's list of conversations (`GET /api/v1/conversations`): filtered by status,
//! assignee and time of the last change, in pages.
//!
//! Pages go in the order of conversation ids, not of activity: a conversation that gets a new
//! message while a client pages through keeps its place, so following `next` never skips or
//! repeats one. A client that keeps in step asks again with `updated_since` set to when it
//! last started.

use super::{Workspace, WorkspaceStore};
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::{ConversationId, ConversationStatus, ConversationSummary, Email};

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 100;

/// Whose conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Assignee {
    /// Nobody's yet.
    Nobody,
    Agent(Email),
}

/// What a page is asked for; `None` filters nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConversationQuery {
    pub status: Option<ConversationStatus>,
    pub assignee: Option<Assignee>,
    /// Changed at or after this time (ms since the epoch): a message, a status, an assignee.
    pub updated_since: Option<i64>,
    /// The `next` of the page before.
    pub after: Option<ConversationId>,
    pub limit: Option<u32>,
}

/// One page; `next` asks for the one after it (`null` on the last).
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub conversations: Vec<ConversationSummary>,
    pub next: Option<ConversationId>,
}

impl<S: WorkspaceStore> Workspace<'_, S> {
    pub fn conversation_page(&self, q: &ConversationQuery) -> EdgeResult<ConversationPage> {
        self.config()?;
        let n = q.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&n) {
            return Err(EdgeError::Invalid(format!("limit is 1 to {MAX_PAGE}")));
        }
        let n = n as usize;
        let mut conversations = self.store.conversation_page(q, n + 1)?;
        let next = (conversations.len() > n).then(|| conversations[n - 1].id.clone());
        conversations.truncate(n);
        Ok(ConversationPage { conversations, next })
    }
}

/// Whether a stored conversation is one `q` asks for (the in-memory store's filter; SQLite's
/// query says the same).
pub fn matches(q: &ConversationQuery, s: &ConversationSummary, updated_at: i64) -> bool {
    q.after.as_ref().is_none_or(|after| s.id.as_str() > after.as_str())
        && q.status.is_none_or(|status| s.status == status)
        && q.updated_since.is_none_or(|since| updated_at >= since)
        && match &q.assignee {
            None => true,
            Some(Assignee::Nobody) => s.assignee.is_none(),
            Some(Assignee::Agent(email)) => s.assignee.as_ref().is_some_and(|a| &a.email == email),
        }
}

#[cfg(test)]
mod tests {
    use super::super::memory::{summary, Memory};
    use super::*;
    use crate::conversation::logic::Indexed;
    use crate::workspace::ConversationUpdate;
    use shared::AgentRef;

    const DAY: i64 = 86_400_000;

    fn id(n: u32) -> ConversationId {
        ConversationId::parse(&format!("c_{n:012}")).unwrap()
    }

    fn dana() -> AgentRef {
        AgentRef { email: Email::parse("dana@shop.example").unwrap(), name: "Dana".into() }
    }

    /// Conversation `n` changes at `at` (`rev` grows with every change).
    fn change(store: &mut Memory, n: u32, at: i64, rev: u64, edit: impl FnOnce(&mut ConversationSummary)) {
        let mut s = summary(&id(n), "Visitor", at);
        s.rev = rev;
        edit(&mut s);
        let update = ConversationUpdate {
            summary: s,
            indexed: Some(Indexed { seq: rev, body: "hi".into(), at }),
            visitor_id: None,
        };
        Workspace::new(store, "demo", at, DAY).conversations_updated(&[update]).unwrap();
    }

    fn page(store: &mut Memory, q: &ConversationQuery) -> (Vec<u32>, Option<ConversationId>) {
        let page = Workspace::new(store, "demo", 0, DAY).conversation_page(q).unwrap();
        let ns = page.conversations.iter().map(|c| c.id.as_str()[2..].parse().unwrap()).collect();
        (ns, page.next)
    }

    #[test]
    fn pages_follow_ids_so_new_messages_while_paging_skip_or_repeat_nothing() {
        let mut store = Memory::open();
        for n in 1..=5 {
            change(&mut store, n, 1_000 + i64::from(n), 1, |_| {});
        }
        let q = ConversationQuery { limit: Some(2), ..Default::default() };
        let (first, next) = page(&mut store, &q);
        assert_eq!(first, [1, 2]);
        // Meanwhile conversation 1 and 4 get messages: they would jump to the top of a list by
        // activity, but keep their place here.
        change(&mut store, 4, 9_000, 2, |_| {});
        change(&mut store, 1, 9_001, 2, |_| {});
        let (second, next) = page(&mut store, &ConversationQuery { after: next, ..q.clone() });
        assert_eq!(second, [3, 4]);
        let (third, next) = page(&mut store, &ConversationQuery { after: next, ..q.clone() });
        assert_eq!((third, next), (vec![5], None), "the last page says so");
        // Exactly a page's worth left: no empty page after it.
        let (all, next) = page(&mut store, &ConversationQuery { limit: Some(5), ..Default::default() });
        assert_eq!((all.len(), next), (5, None));
    }

    #[test]
    fn filters_by_status_assignee_and_the_time_of_the_last_change() {
        let mut store = Memory::open();
        change(&mut store, 1, 1_000, 1, |_| {});
        change(&mut store, 2, 2_000, 1, |s| s.status = ConversationStatus::Pending);
        change(&mut store, 3, 3_000, 1, |s| s.assignee = Some(dana()));
        // Conversation 1 is resolved later, without a message: that is a change too.
        change(&mut store, 1, 5_000, 2, |s| s.status = ConversationStatus::Resolved);
        let q = |edit: fn(&mut ConversationQuery)| {
            let mut q = ConversationQuery::default();
            edit(&mut q);
            q
        };
        assert_eq!(page(&mut store, &q(|q| q.status = Some(ConversationStatus::Pending))).0, [2]);
        assert_eq!(page(&mut store, &q(|q| q.status = Some(ConversationStatus::Resolved))).0, [1]);
        assert_eq!(page(&mut store, &q(|q| q.assignee = Some(Assignee::Agent(dana().email)))).0, [3]);
        assert_eq!(page(&mut store, &q(|q| q.assignee = Some(Assignee::Nobody))).0, [1, 2]);
        assert_eq!(page(&mut store, &q(|q| q.updated_since = Some(2_500))).0, [1, 3]);
    }

    #[test]
    fn a_page_size_out_of_range_is_refused() {
        let mut store = Memory::open();
        for limit in [0, MAX_PAGE + 1] {
            let q = ConversationQuery { limit: Some(limit), ..Default::default() };
            let answer = Workspace::new(&mut store, "demo", 0, DAY).conversation_page(&q);
            assert!(matches!(answer, Err(EdgeError::Invalid(_))), "{limit}");
        }
    }
}
