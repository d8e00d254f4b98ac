//! The shared inbox as one agent sees it: the workspace's conversations (filled by the inbox
//! socket's `inbox` frame, kept current by `conversations_updated`), who of the team is available,
//! and how the agent narrows the list (a filter and a search). One reducer, fed by server frames
//! and by the agent; the list shown is derived from it by [`InboxState::visible`].

use shared::api::SearchHit;
use shared::protocol::AgentPresence;
use shared::{Author, ConversationStatus, ConversationSummary, Email, ServerMsg};
use std::rc::Rc;

pub mod text;

/// Which conversations the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    /// The team's work queue, so it is what an agent sees first.
    #[default]
    Open,
    Pending,
    Resolved,
    /// Assigned to the signed-in agent.
    Mine,
    /// Nobody has taken it yet.
    Unassigned,
    All,
}

impl Filter {
    pub const ALL: [Filter; 6] = [Self::Open, Self::Pending, Self::Resolved, Self::Mine, Self::Unassigned, Self::All];

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Pending => "Pending",
            Self::Resolved => "Resolved",
            Self::Mine => "Mine",
            Self::Unassigned => "Unassigned",
            Self::All => "All",
        }
    }

    pub fn matches(self, c: &ConversationSummary, me: &Email) -> bool {
        match self {
            Self::Open => c.status == ConversationStatus::Open,
            Self::Pending => c.status == ConversationStatus::Pending,
            Self::Resolved => c.status == ConversationStatus::Resolved,
            Self::Mine => c.assignee.as_ref().is_some_and(|a| &a.email == me),
            Self::Unassigned => c.assignee.is_none(),
            Self::All => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct InboxState {
    /// Newest first.
    pub conversations: Vec<ConversationSummary>,
    /// Whether the first list has arrived (so "no conversations" is true, not just loading).
    pub loaded: bool,
    /// The workspace's agents and who is available, sorted by name.
    pub team: Vec<AgentPresence>,
    pub filter: Filter,
    /// What the agent searches for, trimmed; empty for no search.
    pub query: String,
    /// The edge's answer for `query`; `None` while it is on its way (the list is then not
    /// narrowed yet) or when there is no search.
    pub hits: Option<Vec<SearchHit>>,
    /// The latest new visitor message, numbered so the page alerts the agent once per arrival
    /// (an effect keyed on the number), however many renders follow.
    pub arrival: Option<(u32, ConversationSummary)>,
    /// What every agent of the workspace should know now (new chats refused over the plan's
    /// allowance); empty for nothing.
    pub notice: String,
}

pub enum InboxAction {
    Server(ServerMsg),
    Filter(Filter),
    /// The agent typed a search (already debounced); empty clears it.
    Query(String),
    /// The edge answered the search for `query`.
    Results {
        query: String,
        hits: Vec<SearchHit>,
    },
}

impl InboxState {
    pub fn apply(&mut self, action: InboxAction) {
        match action {
            InboxAction::Server(msg) => self.server(msg),
            InboxAction::Filter(filter) => self.filter = filter,
            InboxAction::Query(query) => {
                let query = query.trim().to_owned();
                if query != self.query {
                    self.hits = None;
                    self.query = query;
                }
            }
            // Answers can overtake each other; only the one for what is typed now counts.
            InboxAction::Results { query, hits } if query == self.query && !query.is_empty() => self.hits = Some(hits),
            InboxAction::Results { .. } => {}
        }
    }

    fn server(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Inbox { conversations } => {
                self.conversations = conversations;
                self.loaded = true;
            }
            ServerMsg::ConversationsUpdated { conversations } => {
                for conversation in conversations {
                    self.updated(conversation);
                }
            }
            ServerMsg::Team { mut agents } => {
                agents.sort_by(|a, b| a.agent.name.to_lowercase().cmp(&b.agent.name.to_lowercase()));
                self.team = agents;
                return;
            }
            ServerMsg::Notice { message } => {
                self.notice = message;
                return;
            }
            _ => return,
        }
        self.conversations.sort_by_key(|c| std::cmp::Reverse(c.last_at));
    }

    /// One conversation's newest summary: it moves to the top (the caller sorts the list).
    fn updated(&mut self, conversation: ConversationSummary) {
        let existing = self.conversations.iter_mut().find(|c| c.id == conversation.id);
        let previous_seq = existing.as_ref().map(|c| c.last_seq);
        // Updates can cross on the wire: never let an older one win. `rev` grows with every
        // change, `last_seq` only with messages (and is all an edge without `rev` sends).
        let version = |c: &ConversationSummary| (c.rev, c.last_seq);
        if existing.as_ref().is_some_and(|c| version(&conversation) < version(c)) {
            return;
        }
        if conversation.last_author == Author::Visitor && previous_seq.map_or(true, |seq| conversation.last_seq > seq) {
            let n = self.arrival.as_ref().map_or(0, |(n, _)| n + 1);
            self.arrival = Some((n, conversation.clone()));
        }
        match existing {
            Some(existing) => *existing = conversation,
            None => self.conversations.push(conversation),
        }
    }

    /// The conversations to list, newest first, each with its search hit while searching: those
    /// passing the filter and, once the search has answered, matching it.
    pub fn visible(&self, me: &Email) -> Vec<(&ConversationSummary, Option<&SearchHit>)> {
        self.searched().filter(|(c, _)| self.filter.matches(c, me)).collect()
    }

    /// Search matches the filter hides, so the list can offer to show them.
    pub fn hidden_matches(&self, me: &Email) -> usize {
        if self.hits.is_none() {
            return 0;
        }
        self.searched().filter(|(c, _)| !self.filter.matches(c, me)).count()
    }

    fn searched(&self) -> impl Iterator<Item = (&ConversationSummary, Option<&SearchHit>)> {
        self.conversations.iter().filter_map(move |c| match &self.hits {
            None => Some((c, None)),
            Some(hits) => hits.iter().find(|h| h.conversation_id == c.id).map(|h| (c, Some(h))),
        })
    }

    /// Unread visitor messages across the workspace (for the tab title).
    pub fn total_unread(&self) -> u32 {
        self.conversations.iter().map(|c| c.unread).sum()
    }

    pub fn is_online(&self, email: &Email) -> bool {
        self.team.iter().any(|a| &a.agent.email == email && a.online)
    }
}

/// The inbox state as components get it from context: read it, and dispatch to change it.
#[cfg(target_arch = "wasm32")]
pub type InboxContext = yew::UseReducerHandle<InboxState>;

impl yew::Reducible for InboxState {
    type Action = InboxAction;

    fn reduce(self: Rc<Self>, action: InboxAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{AgentRef, ConversationId};

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn filters_are_offered_once_each_with_the_work_queue_first() {
        assert_eq!(Filter::ALL[0], Filter::default());
        let mut labels: Vec<_> = Filter::ALL.iter().map(|f| f.label()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Filter::ALL.len());
    }

    fn agent(name: &str) -> AgentRef {
        AgentRef { email: email(&format!("{}@shop.test", name.to_lowercase())), name: name.into() }
    }

    fn summary(id: &str, seq: u64, at: i64, text: &str) -> ConversationSummary {
        ConversationSummary {
            id: ConversationId::parse(id).unwrap(),
            visitor_name: "Visitor 0000".into(),
            last_message: text.into(),
            last_author: Author::Visitor,
            last_at: at,
            last_seq: seq,
            status: Default::default(),
            assignee: None,
            unread: 0,
            visitor_email: None,
            rev: seq,
        }
    }

    fn with(s: ConversationSummary, status: ConversationStatus, assignee: Option<&str>) -> ConversationSummary {
        ConversationSummary { status, assignee: assignee.map(agent), ..s }
    }

    fn loaded(conversations: Vec<ConversationSummary>) -> InboxState {
        let mut s = InboxState::default();
        s.apply(InboxAction::Server(ServerMsg::Inbox { conversations }));
        s
    }

    fn shown(s: &InboxState, me: &Email) -> Vec<String> {
        s.visible(me).iter().map(|(c, _)| c.last_message.clone()).collect()
    }

    fn hit(id: &str, snippet: &str) -> SearchHit {
        SearchHit {
            conversation_id: ConversationId::parse(id).unwrap(),
            visitor_name: "V".into(),
            snippet: snippet.into(),
            at: 0,
        }
    }

    #[test]
    fn updates_move_a_conversation_to_the_top() {
        let mut s = loaded(vec![summary("cv_aaaaaaaa", 1, 20, "a"), summary("cv_bbbbbbbb", 1, 10, "b")]);
        assert!(s.loaded);
        s.apply(InboxAction::Server(ServerMsg::ConversationsUpdated {
            conversations: vec![summary("cv_bbbbbbbb", 2, 30, "b2")],
        }));
        let order: Vec<_> = s.conversations.iter().map(|c| c.last_message.as_str()).collect();
        assert_eq!(order, ["b2", "a"]);
    }

    #[test]
    fn one_frame_updates_several_conversations() {
        let mut s = loaded(vec![summary("cv_aaaaaaaa", 1, 20, "a"), summary("cv_bbbbbbbb", 1, 10, "b")]);
        s.apply(InboxAction::Server(ServerMsg::ConversationsUpdated {
            conversations: vec![summary("cv_bbbbbbbb", 2, 30, "b2"), summary("cv_cccccccc", 1, 40, "c")],
        }));
        let order: Vec<_> = s.conversations.iter().map(|c| c.last_message.as_str()).collect();
        assert_eq!(order, ["c", "b2", "a"]);
    }

    #[test]
    fn new_conversations_appear_and_stale_updates_are_ignored() {
        let mut s = loaded(vec![]);
        s.apply(InboxAction::Server(ServerMsg::ConversationsUpdated {
            conversations: vec![summary("cv_cccccccc", 3, 30, "newest")],
        }));
        s.apply(InboxAction::Server(ServerMsg::ConversationsUpdated {
            conversations: vec![summary("cv_cccccccc", 2, 20, "older")],
        }));
        assert_eq!(s.conversations.len(), 1);
        assert_eq!(s.conversations[0].last_message, "newest");
    }

    #[test]
    fn status_assignment_and_read_changes_keep_the_seq_and_still_apply() {
        let mut s = loaded(vec![ConversationSummary { unread: 2, ..summary("cv_aaaaaaaa", 4, 10, "a") }]);
        let changed = ConversationSummary {
            rev: 5,
            ..with(summary("cv_aaaaaaaa", 4, 10, "a"), ConversationStatus::Resolved, Some("Dana"))
        };
        s.apply(InboxAction::Server(ServerMsg::ConversationsUpdated { conversations: vec![changed.clone()] }));
        assert_eq!(s.conversations, [changed.clone()]);
        assert_eq!(s.total_unread(), 0);
        let crossed = ConversationSummary { rev: 4, unread: 2, ..summary("cv_aaaaaaaa", 4, 10, "a") };
        s.apply(InboxAction::Server(ServerMsg::ConversationsUpdated { conversations: vec![crossed] }));
        assert_eq!(s.conversations, [changed], "a lower rev is stale even with the same seq");
    }

    #[test]
    fn each_filter_shows_its_conversations() {
        let dana = email("dana@shop.test");
        let s = loaded(vec![
            with(summary("cv_aaaaaaaa", 1, 60, "open-mine"), ConversationStatus::Open, Some("Dana")),
            with(summary("cv_bbbbbbbb", 1, 50, "open-free"), ConversationStatus::Open, None),
            with(summary("cv_cccccccc", 1, 40, "pending-sam"), ConversationStatus::Pending, Some("Sam")),
            with(summary("cv_dddddddd", 1, 30, "resolved-mine"), ConversationStatus::Resolved, Some("Dana")),
        ]);
        let expect = |filter: Filter, want: &[&str]| {
            let mut s = s.clone();
            s.apply(InboxAction::Filter(filter));
            assert_eq!(shown(&s, &dana), want, "{filter:?}");
        };
        expect(Filter::Open, &["open-mine", "open-free"]);
        expect(Filter::Pending, &["pending-sam"]);
        expect(Filter::Resolved, &["resolved-mine"]);
        expect(Filter::Mine, &["open-mine", "resolved-mine"]);
        expect(Filter::Unassigned, &["open-free"]);
        expect(Filter::All, &["open-mine", "open-free", "pending-sam", "resolved-mine"]);
        assert_eq!(Filter::default(), Filter::Open);
    }

    #[test]
    fn mine_compares_the_assignee_email_not_the_name() {
        let c = ConversationSummary {
            assignee: Some(AgentRef { email: email("other@shop.test"), name: "Dana".into() }),
            ..summary("cv_aaaaaaaa", 1, 1, "x")
        };
        assert!(!Filter::Mine.matches(&c, &email("dana@shop.test")));
        assert!(Filter::Mine.matches(&c, &email("OTHER@shop.test")));
    }

    #[test]
    fn search_results_narrow_the_list_and_keep_their_snippets() {
        let me = email("dana@shop.test");
        let mut s = loaded(vec![
            summary("cv_aaaaaaaa", 1, 30, "a"),
            summary("cv_bbbbbbbb", 1, 20, "b"),
            with(summary("cv_cccccccc", 1, 10, "c"), ConversationStatus::Resolved, None),
        ]);
        s.apply(InboxAction::Query("  norway ".into()));
        assert_eq!(s.query, "norway");
        assert_eq!(shown(&s, &me), ["a", "b"], "not narrowed before the answer");
        s.apply(InboxAction::Results {
            query: "norway".into(),
            hits: vec![hit("cv_bbbbbbbb", "…Norway…"), hit("cv_cccccccc", "")],
        });
        assert_eq!(shown(&s, &me), ["b"]);
        assert_eq!(s.visible(&me)[0].1.map(|h| h.snippet.as_str()), Some("…Norway…"));
        assert_eq!(s.hidden_matches(&me), 1, "the resolved match is hidden by the Open filter");
        s.apply(InboxAction::Filter(Filter::All));
        assert_eq!(shown(&s, &me), ["b", "c"]);
        s.apply(InboxAction::Query("".into()));
        assert_eq!((s.hits.is_none(), shown(&s, &me)), (true, vec!["a".to_owned(), "b".into(), "c".into()]));
    }

    #[test]
    fn a_late_answer_for_an_older_query_is_ignored() {
        let mut s = loaded(vec![summary("cv_aaaaaaaa", 1, 30, "a")]);
        s.apply(InboxAction::Query("nor".into()));
        s.apply(InboxAction::Query("norway".into()));
        s.apply(InboxAction::Results { query: "nor".into(), hits: vec![] });
        assert_eq!(s.hits, None);
        s.apply(InboxAction::Query("".into()));
        s.apply(InboxAction::Results { query: "".into(), hits: vec![] });
        assert_eq!(s.hits, None, "no search, no narrowing");
    }

    #[test]
    fn the_team_is_sorted_by_name_and_knows_who_is_online() {
        let mut s = InboxState::default();
        let agents = vec![
            AgentPresence { agent: agent("Sam"), online: false },
            AgentPresence { agent: agent("dana"), online: true },
        ];
        s.apply(InboxAction::Server(ServerMsg::Team { agents }));
        let names: Vec<_> = s.team.iter().map(|a| a.agent.name.as_str()).collect();
        assert_eq!(names, ["dana", "Sam"]);
        assert!(s.is_online(&email("dana@shop.test")));
        assert!(!s.is_online(&email("sam@shop.test")));
    }

    #[test]
    fn a_notice_shows_until_the_edge_ends_it_and_leaves_the_list_alone() {
        let mut s = loaded(vec![summary("cv_aaaaaaaa", 1, 10, "a")]);
        let before = s.conversations.clone();
        s.apply(InboxAction::Server(ServerMsg::Notice { message: "New chats are refused".into() }));
        assert_eq!((s.notice.as_str(), &s.conversations), ("New chats are refused", &before));
        s.apply(InboxAction::Server(ServerMsg::Notice { message: String::new() }));
        assert_eq!(s.notice, "");
    }

    #[test]
    fn only_new_visitor_messages_count_as_arrivals() {
        let mut s = loaded(vec![summary("cv_aaaaaaaa", 1, 10, "a")]);
        assert_eq!(s.arrival, None, "the first list alerts nobody");
        let update = |s: &mut InboxState, c: ConversationSummary| {
            s.apply(InboxAction::Server(ServerMsg::ConversationsUpdated { conversations: vec![c] }))
        };
        update(&mut s, summary("cv_aaaaaaaa", 2, 20, "visitor wrote"));
        assert_eq!(s.arrival.as_ref().map(|(n, c)| (*n, c.last_message.as_str())), Some((0, "visitor wrote")));
        update(&mut s, with(summary("cv_aaaaaaaa", 2, 20, "visitor wrote"), ConversationStatus::Pending, None));
        update(
            &mut s,
            ConversationSummary {
                last_author: Author::Agent { name: "Dana".into() },
                ..summary("cv_aaaaaaaa", 3, 30, "reply")
            },
        );
        assert_eq!(s.arrival.as_ref().map(|(n, _)| *n), Some(0), "status changes and agents' replies are not arrivals");
        update(&mut s, summary("cv_bbbbbbbb", 1, 40, "new visitor"));
        assert_eq!(s.arrival.as_ref().map(|(n, _)| *n), Some(1));
    }

    #[test]
    fn total_unread_sums_the_workspace() {
        let s = loaded(vec![
            ConversationSummary { unread: 2, ..summary("cv_aaaaaaaa", 1, 1, "a") },
            ConversationSummary { unread: 3, ..summary("cv_bbbbbbbb", 1, 1, "b") },
        ]);
        assert_eq!(s.total_unread(), 5);
    }
}
