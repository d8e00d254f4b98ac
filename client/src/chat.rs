//! The state of one conversation as a client shows it: stored messages in sequence order, then the
//! visitor's or agent's own messages still on their way. One reducer, fed by local sends and by
//! server frames.

use shared::files::Attachment;
use shared::{Author, ChatMessage, ClientMsgId, ConversationDetails, ConversationId, ErrorCode, Party, ServerMsg};
use std::rc::Rc;

/// Where a line stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineState {
    /// Shown at once, not yet acknowledged.
    Sending,
    /// Stored by the edge under a sequence number.
    Sent,
    /// Refused by the edge; the text stays so it can be corrected.
    Failed(String),
    /// Sent too quickly: kept, and sent again on its own after this many seconds.
    Waiting(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub client_id: ClientMsgId,
    pub seq: Option<u64>,
    pub author: Author,
    pub body: String,
    pub at: Option<i64>,
    pub state: LineState,
    /// A private note between agents.
    pub note: bool,
    /// The file it carries (the body is its caption, by default its name).
    pub file: Option<Attachment>,
}

/// The connection as the user should see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Connection {
    #[default]
    Connecting,
    Online,
    /// Dropped; retrying on its own.
    Reconnecting,
    /// Ended by the edge for good (a `shared::CloseCode`): no retry.
    Ended,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatState {
    pub conversation_id: Option<ConversationId>,
    pub lines: Vec<Line>,
    pub connection: Connection,
    /// An error that is not about one message (shown in a banner).
    pub notice: Option<String>,
    /// Who else is typing, and which typing frame said so (a timer clears it unless a newer one
    /// came: see [`ChatAction::TypingExpired`]).
    pub typing: Option<(Author, u32)>,
    /// How far each side has read, for "Seen" receipts.
    pub visitor_read: u64,
    pub agent_read: u64,
    /// Status, assignee and visitor (agents only).
    pub details: Option<ConversationDetails>,
    /// Whether someone can answer now, as the edge last said (visitors only; `None` until it
    /// has, when the session's answer stands).
    pub online: Option<bool>,
    /// This party's link to the conversation's files: a file's id appended fetches it (from the
    /// `welcome`; it expires, and each reconnect brings a fresh one).
    pub files: Option<String>,
}

/// How long a typing indicator lasts without a new typing frame, in ms.
pub const TYPING_SHOWN_MS: u32 = 6000;

pub enum ChatAction {
    /// The user sent a message or note (shown at once as `Sending`).
    Sent {
        client_id: ClientMsgId,
        body: String,
        author: Author,
        note: bool,
    },
    /// [`TYPING_SHOWN_MS`] passed since typing frame number `n`.
    TypingExpired(u32),
    Server(ServerMsg),
    Connection(Connection),
}

impl ChatState {
    fn upsert(&mut self, m: ChatMessage) {
        let line = Line {
            client_id: m.client_id,
            seq: Some(m.seq),
            author: m.author,
            body: m.body.into(),
            at: Some(m.at),
            state: LineState::Sent,
            note: m.note,
            file: m.file,
        };
        // Whoever sent a message has stopped typing it.
        if self.typing.as_ref().is_some_and(|(who, _)| who == &line.author) {
            self.typing = None;
        }
        match self.lines.iter_mut().find(|l| l.client_id == line.client_id || (l.seq.is_some() && l.seq == line.seq)) {
            Some(existing) => *existing = line,
            None => self.lines.push(line),
        }
        self.sort();
    }

    /// Stored lines by sequence number, then unsent ones in the order they were written.
    ///
    /// A stable insertion sort rather than `sort_by_key`: the lines are already in order but for
    /// the one just added or acknowledged, so this is linear here, and the standard library's
    /// stable sort (driftsort) costs the widget's WASM about 4 KB.
    fn sort(&mut self) {
        let key = |l: &Line| l.seq.unwrap_or(u64::MAX);
        for i in 1..self.lines.len() {
            let mut j = i;
            while j > 0 && key(&self.lines[j - 1]) > key(&self.lines[j]) {
                self.lines.swap(j - 1, j);
                j -= 1;
            }
        }
    }

    /// The highest sequence number shown, to report as read.
    pub fn last_seq(&self) -> u64 {
        self.lines.iter().filter_map(|l| l.seq).max().unwrap_or(0)
    }

    pub fn apply(&mut self, action: ChatAction) {
        match action {
            ChatAction::Sent { client_id, body, author, note } => {
                self.lines.push(Line {
                    client_id,
                    seq: None,
                    author,
                    body,
                    at: None,
                    state: LineState::Sending,
                    note,
                    file: None,
                });
            }
            ChatAction::TypingExpired(n) => {
                if self.typing.as_ref().is_some_and(|(_, m)| *m == n) {
                    self.typing = None;
                }
            }
            ChatAction::Connection(c) => self.connection = c,
            ChatAction::Server(msg) => self.server(msg),
        }
    }

    fn server(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Welcome { conversation_id, messages, files, .. } => {
                self.conversation_id = Some(conversation_id);
                self.files = files.or(self.files.take());
                self.connection = Connection::Online;
                self.notice = None;
                messages.into_iter().for_each(|m| self.upsert(m));
            }
            ServerMsg::Ack { client_id, seq, at } => {
                if let Some(line) = self.lines.iter_mut().find(|l| l.client_id == client_id) {
                    line.seq = Some(seq);
                    line.at = Some(at);
                    line.state = LineState::Sent;
                }
                self.sort();
            }
            ServerMsg::Message { message } => {
                // Whatever the notice was about (a file refused, say), the conversation moved on.
                self.notice = None;
                self.upsert(message)
            }
            ServerMsg::Error { client_id: Some(id), message, code, retry_after_s } => {
                if let Some(line) = self.lines.iter_mut().find(|l| l.client_id == id && l.state != LineState::Sent) {
                    // Waiting, to be sent again, only with a time to wait: a file refused for its
                    // sender's upload budget comes without one (its bytes are not kept to resend).
                    line.state = match (code, retry_after_s) {
                        (ErrorCode::RateLimited, Some(s)) => LineState::Waiting(s),
                        _ => LineState::Failed(message),
                    };
                }
            }
            ServerMsg::Error { message, .. } => self.notice = Some(message),
            ServerMsg::Typing { author } => {
                let n = self.typing.as_ref().map_or(0, |(_, n)| n + 1);
                self.typing = Some((author, n));
            }
            ServerMsg::Read { reader: Party::Visitor, seq } => self.visitor_read = self.visitor_read.max(seq),
            ServerMsg::Read { reader: Party::Agent, seq } => self.agent_read = self.agent_read.max(seq),
            ServerMsg::Details { details } => self.details = Some(details),
            ServerMsg::Availability { online } => self.online = Some(online),
            ServerMsg::Inbox { .. }
            | ServerMsg::ConversationsUpdated { .. }
            | ServerMsg::Team { .. }
            | ServerMsg::Notice { .. }
            | ServerMsg::Unknown => {}
        }
    }
}

impl yew::Reducible for ChatState {
    type Action = ChatAction;

    fn reduce(self: Rc<Self>, action: ChatAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::MessageBody;

    fn id(s: &str) -> ClientMsgId {
        ClientMsgId::parse(s).unwrap()
    }

    fn stored(seq: u64, cid: &str, author: Author, body: &str) -> ChatMessage {
        ChatMessage {
            seq,
            client_id: id(cid),
            author,
            body: MessageBody::parse(body).unwrap(),
            at: seq as i64 * 1000,
            note: false,
            file: None,
        }
    }

    fn agent() -> Author {
        Author::Agent { name: "Dana".into() }
    }

    #[test]
    fn an_optimistic_line_becomes_sent_on_ack() {
        let mut s = ChatState::default();
        s.apply(ChatAction::Sent {
            client_id: id("c_00000001"),
            body: "hi".into(),
            author: Author::Visitor,
            note: false,
        });
        assert_eq!(s.lines[0].state, LineState::Sending);
        s.apply(ChatAction::Server(ServerMsg::Ack { client_id: id("c_00000001"), seq: 4, at: 99 }));
        assert_eq!((s.lines[0].seq, s.lines[0].at, &s.lines[0].state), (Some(4), Some(99), &LineState::Sent));
    }

    #[test]
    fn replays_and_broadcasts_never_duplicate() {
        let mut s = ChatState::default();
        s.apply(ChatAction::Sent {
            client_id: id("c_00000002"),
            body: "mine".into(),
            author: Author::Visitor,
            note: false,
        });
        let welcome = ServerMsg::Welcome {
            protocol: 1,
            conversation_id: ConversationId::parse("cv_testtest").unwrap(),
            messages: vec![stored(1, "a_00000001", agent(), "hello"), stored(2, "c_00000002", Author::Visitor, "mine")],
            files: None,
        };
        s.apply(ChatAction::Server(welcome.clone()));
        s.apply(ChatAction::Server(welcome));
        s.apply(ChatAction::Server(ServerMsg::Message { message: stored(1, "a_00000001", agent(), "hello") }));
        let seqs: Vec<_> = s.lines.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [Some(1), Some(2)]);
        assert_eq!(s.connection, Connection::Online);
    }

    #[test]
    fn messages_are_ordered_by_seq_with_unsent_last() {
        let mut s = ChatState::default();
        s.apply(ChatAction::Sent {
            client_id: id("c_00000009"),
            body: "pending".into(),
            author: Author::Visitor,
            note: false,
        });
        s.apply(ChatAction::Server(ServerMsg::Message { message: stored(2, "a_00000002", agent(), "second") }));
        s.apply(ChatAction::Server(ServerMsg::Message { message: stored(1, "a_00000001", agent(), "first") }));
        let bodies: Vec<_> = s.lines.iter().map(|l| l.body.as_str()).collect();
        assert_eq!(bodies, ["first", "second", "pending"]);
    }

    /// Unsent lines keep the order they were written in, whatever arrives or is acknowledged
    /// around them (the sort must be stable).
    #[test]
    fn unsent_lines_keep_their_order_while_others_are_acknowledged() {
        let mut s = ChatState::default();
        for (cid, body) in
            [("c_00000001", "one"), ("c_00000002", "two"), ("c_00000003", "three"), ("c_00000004", "four")]
        {
            s.apply(ChatAction::Sent { client_id: id(cid), body: body.into(), author: Author::Visitor, note: false });
        }
        s.apply(ChatAction::Server(ServerMsg::Ack { client_id: id("c_00000003"), seq: 5, at: 1 }));
        s.apply(ChatAction::Server(ServerMsg::Message { message: stored(4, "a_00000004", agent(), "agent") }));
        s.apply(ChatAction::Server(ServerMsg::Ack { client_id: id("c_00000002"), seq: 6, at: 2 }));
        let bodies: Vec<_> = s.lines.iter().map(|l| l.body.as_str()).collect();
        assert_eq!(bodies, ["agent", "three", "two", "one", "four"]);
    }

    #[test]
    fn typing_shows_until_it_expires_or_the_message_arrives() {
        let mut s = ChatState::default();
        s.apply(ChatAction::Server(ServerMsg::Typing { author: agent() }));
        let n = s.typing.as_ref().unwrap().1;
        s.apply(ChatAction::Server(ServerMsg::Typing { author: agent() }));
        s.apply(ChatAction::TypingExpired(n));
        assert!(s.typing.is_some(), "a newer typing frame keeps it");
        s.apply(ChatAction::Server(ServerMsg::Message { message: stored(1, "a_00000001", agent(), "hi") }));
        assert!(s.typing.is_none(), "the message replaces the indicator");
        s.apply(ChatAction::Server(ServerMsg::Typing { author: agent() }));
        let n = s.typing.as_ref().unwrap().1;
        s.apply(ChatAction::TypingExpired(n));
        assert!(s.typing.is_none());
    }

    #[test]
    fn availability_follows_what_the_edge_says_last() {
        let mut s = ChatState::default();
        assert_eq!(s.online, None, "the session's answer stands until the socket says");
        s.apply(ChatAction::Server(ServerMsg::Availability { online: true }));
        s.apply(ChatAction::Server(ServerMsg::Availability { online: false }));
        assert_eq!(s.online, Some(false));
    }

    #[test]
    fn read_receipts_only_move_forward() {
        let mut s = ChatState::default();
        s.apply(ChatAction::Server(ServerMsg::Read { reader: Party::Agent, seq: 5 }));
        s.apply(ChatAction::Server(ServerMsg::Read { reader: Party::Agent, seq: 3 }));
        s.apply(ChatAction::Server(ServerMsg::Read { reader: Party::Visitor, seq: 2 }));
        assert_eq!((s.agent_read, s.visitor_read), (5, 2));
    }

    #[test]
    fn a_refused_message_keeps_its_text_and_says_why() {
        let mut s = ChatState::default();
        s.apply(ChatAction::Sent {
            client_id: id("c_00000001"),
            body: "x".into(),
            author: Author::Visitor,
            note: false,
        });
        s.apply(ChatAction::Server(ServerMsg::Error {
            code: ErrorCode::RateLimited,
            message: "too many requests; try again in 7 s".into(),
            client_id: Some(id("c_00000001")),
            retry_after_s: Some(7),
        }));
        assert_eq!(s.lines[0].state, LineState::Waiting(7), "too fast: kept, and sent again on its own");
        s.apply(ChatAction::Server(ServerMsg::Error {
            code: ErrorCode::MessageTooLong,
            message: "too long".into(),
            client_id: Some(id("c_00000001")),
            retry_after_s: None,
        }));
        assert_eq!(s.lines[0].state, LineState::Failed("too long".into()));
        assert_eq!(s.lines[0].body, "x");
        s.apply(ChatAction::Server(ServerMsg::error(ErrorCode::Internal, "down")));
        assert_eq!(s.notice.as_deref(), Some("down"));
    }
}
