//! The live conversation list: filled by the workspace socket's `inbox` frame, kept current by
//! `conversation_updated`, newest first.

use shared::{ConversationSummary, ServerMsg};
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct InboxState {
    pub conversations: Vec<ConversationSummary>,
    /// Whether the first list has arrived (so "no conversations" is true, not just loading).
    pub loaded: bool,
}

impl InboxState {
    pub fn apply(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Inbox { conversations } => {
                self.conversations = conversations;
                self.loaded = true;
            }
            ServerMsg::ConversationUpdated { conversation } => {
                match self.conversations.iter_mut().find(|c| c.id == conversation.id) {
                    // Updates can cross on the wire; never let an older one win.
                    Some(existing) if existing.last_seq >= conversation.last_seq => {}
                    Some(existing) => *existing = conversation,
                    None => self.conversations.push(conversation),
                }
            }
            _ => return,
        }
        self.conversations.sort_by_key(|c| std::cmp::Reverse(c.last_at));
    }
}

impl yew::Reducible for InboxState {
    type Action = ServerMsg;

    fn reduce(self: Rc<Self>, msg: ServerMsg) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(msg);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{Author, ConversationId};

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
        }
    }

    #[test]
    fn updates_move_a_conversation_to_the_top() {
        let mut s = InboxState::default();
        s.apply(ServerMsg::Inbox { conversations: vec![summary("cv_aaaaaaaa", 1, 20, "a"), summary("cv_bbbbbbbb", 1, 10, "b")] });
        assert!(s.loaded);
        s.apply(ServerMsg::ConversationUpdated { conversation: summary("cv_bbbbbbbb", 2, 30, "b2") });
        let order: Vec<_> = s.conversations.iter().map(|c| c.last_message.as_str()).collect();
        assert_eq!(order, ["b2", "a"]);
    }

    #[test]
    fn new_conversations_appear_and_stale_updates_are_ignored() {
        let mut s = InboxState::default();
        s.apply(ServerMsg::Inbox { conversations: vec![] });
        s.apply(ServerMsg::ConversationUpdated { conversation: summary("cv_cccccccc", 3, 30, "newest") });
        s.apply(ServerMsg::ConversationUpdated { conversation: summary("cv_cccccccc", 2, 20, "older") });
        assert_eq!(s.conversations.len(), 1);
        assert_eq!(s.conversations[0].last_message, "newest");
    }
}
