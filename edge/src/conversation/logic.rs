//! What a conversation does with one incoming frame, as a pure function over its message log:
//! the Durable Object glue stores, sends and notifies whatever [`Effect`]s come back.

use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::{
    domain::preview, Author, ChatMessage, ClientMsg, ClientMsgId, ConversationId, ConversationSummary, ErrorCode,
    MessageBody, ServerMsg, PROTOCOL_VERSION,
};

/// Most messages a `welcome` replays at once; a client further behind asks again from the last.
pub const HISTORY_PAGE: usize = 500;

/// At most this many sends per socket in [`RATE_WINDOW_MS`]; more is refused with `rate_limited`
/// (the message is not stored and the client keeps it to retry).
pub const RATE_LIMIT: u32 = 20;
pub const RATE_WINDOW_MS: i64 = 10_000;

/// The conversation's storage, as the logic needs it. SQLite in the object, a `Vec` in tests.
pub trait MessageLog {
    fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>>;
    fn last_seq(&self) -> EdgeResult<u64>;
    fn after(&self, seq: u64, limit: usize) -> EdgeResult<Vec<ChatMessage>>;
    fn append(&mut self, message: &ChatMessage) -> EdgeResult<()>;
}

/// Who is on a socket and what they have done on it; kept in the socket's hibernation attachment
/// so it survives the object being evicted between frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    pub role: Role,
    pub greeted: bool,
    pub window_start: i64,
    pub sends_in_window: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    Visitor,
    Agent { name: String },
}

impl Peer {
    pub fn new(role: Role) -> Self {
        Self { role, greeted: false, window_start: 0, sends_in_window: 0 }
    }

    fn author(&self) -> Author {
        match &self.role {
            Role::Visitor => Author::Visitor,
            Role::Agent { name } => Author::Agent { name: name.clone() },
        }
    }

    /// Fixed-window counter: cheap, and enough to stop a runaway client.
    fn take_send_slot(&mut self, now: i64) -> bool {
        if now - self.window_start >= RATE_WINDOW_MS {
            self.window_start = now;
            self.sends_in_window = 0;
        }
        self.sends_in_window += 1;
        self.sends_in_window <= RATE_LIMIT
    }
}

/// What the object must do after a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Answer on the socket the frame came from.
    Reply(ServerMsg),
    /// Send to every other socket on this conversation.
    Broadcast(ServerMsg),
    /// Tell the workspace the conversation changed, for the live inbox.
    Notify(ConversationSummary),
}

pub struct Conversation<'a, L: MessageLog> {
    pub id: &'a ConversationId,
    pub visitor_name: &'a str,
    pub log: &'a mut L,
}

impl<L: MessageLog> Conversation<'_, L> {
    /// Handles one frame (already decoded, or the decoding error) from `peer` at time `now` (ms).
    pub fn handle(&mut self, peer: &mut Peer, frame: Result<ClientMsg, ErrorCode>, now: i64) -> EdgeResult<Vec<Effect>> {
        let msg = match frame {
            Ok(msg) => msg,
            Err(code) => return Ok(vec![error(code, "that frame is not a valid message", None)]),
        };
        match msg {
            ClientMsg::Hello { protocol, .. } if protocol != PROTOCOL_VERSION => {
                Ok(vec![reply_err(EdgeError::UnsupportedProtocol(protocol), None)])
            }
            ClientMsg::Hello { after_seq, .. } => {
                peer.greeted = true;
                let messages = self.log.after(after_seq, HISTORY_PAGE)?;
                Ok(vec![Effect::Reply(ServerMsg::Welcome {
                    protocol: PROTOCOL_VERSION,
                    conversation_id: self.id.clone(),
                    messages,
                })])
            }
            ClientMsg::Send { client_id, .. } if !peer.greeted => {
                Ok(vec![error(ErrorCode::HelloRequired, "send hello first", Some(client_id))])
            }
            ClientMsg::Send { client_id, body } => self.send(peer, client_id, &body, now),
        }
    }

    fn send(&mut self, peer: &mut Peer, client_id: ClientMsgId, body: &str, now: i64) -> EdgeResult<Vec<Effect>> {
        // A resend of a stored message (say, after a reconnect that lost the ack) gets the
        // original ack and nothing is stored or broadcast again.
        if let Some(stored) = self.log.by_client_id(&client_id)? {
            return Ok(vec![Effect::Reply(ServerMsg::Ack { client_id, seq: stored.seq, at: stored.at })]);
        }
        let body = match MessageBody::parse(body) {
            Ok(body) => body,
            Err(e) => return Ok(vec![reply_err(e.into(), Some(client_id))]),
        };
        if !peer.take_send_slot(now) {
            return Ok(vec![reply_err(EdgeError::RateLimited, Some(client_id))]);
        }
        let message = ChatMessage { seq: self.log.last_seq()? + 1, client_id: client_id.clone(), author: peer.author(), body, at: now };
        self.log.append(&message)?;
        let summary = ConversationSummary {
            id: self.id.clone(),
            visitor_name: self.visitor_name.to_owned(),
            last_message: preview(message.body.as_str()),
            last_author: message.author.clone(),
            last_at: now,
            last_seq: message.seq,
        };
        Ok(vec![
            Effect::Reply(ServerMsg::Ack { client_id, seq: message.seq, at: now }),
            Effect::Broadcast(ServerMsg::Message { message }),
            Effect::Notify(summary),
        ])
    }
}

fn error(code: ErrorCode, message: &str, client_id: Option<ClientMsgId>) -> Effect {
    Effect::Reply(ServerMsg::Error { code, message: message.into(), client_id })
}

fn reply_err(e: EdgeError, client_id: Option<ClientMsgId>) -> Effect {
    Effect::Reply(ServerMsg::Error { code: e.code(), message: e.public_message(), client_id })
}

/// A friendly, stable name for an anonymous visitor: "Visitor" and four hex digits of a hash
/// of the conversation id, so agents can tell visitors apart without any personal data.
pub fn anonymous_name(id: &ConversationId) -> String {
    let hash = crate::auth::sha256_hex(id.as_str());
    format!("Visitor {}", hash[..4].to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct VecLog(Vec<ChatMessage>);

    impl MessageLog for VecLog {
        fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>> {
            Ok(self.0.iter().find(|m| &m.client_id == id).cloned())
        }
        fn last_seq(&self) -> EdgeResult<u64> {
            Ok(self.0.last().map_or(0, |m| m.seq))
        }
        fn after(&self, seq: u64, limit: usize) -> EdgeResult<Vec<ChatMessage>> {
            Ok(self.0.iter().filter(|m| m.seq > seq).take(limit).cloned().collect())
        }
        fn append(&mut self, message: &ChatMessage) -> EdgeResult<()> {
            self.0.push(message.clone());
            Ok(())
        }
    }

    fn cid(s: &str) -> ClientMsgId {
        ClientMsgId::parse(s).unwrap()
    }

    fn send(id: &str, body: &str) -> Result<ClientMsg, ErrorCode> {
        Ok(ClientMsg::Send { client_id: cid(id), body: body.into() })
    }

    fn hello(after_seq: u64) -> Result<ClientMsg, ErrorCode> {
        Ok(ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq })
    }

    struct Fixture {
        id: ConversationId,
        log: VecLog,
    }

    impl Fixture {
        fn new() -> Self {
            Self { id: ConversationId::parse("cv_testtest").unwrap(), log: VecLog::default() }
        }
        fn handle(&mut self, peer: &mut Peer, frame: Result<ClientMsg, ErrorCode>, now: i64) -> Vec<Effect> {
            Conversation { id: &self.id, visitor_name: "Visitor 0000", log: &mut self.log }.handle(peer, frame, now).unwrap()
        }
    }

    fn greeted(role: Role) -> Peer {
        Peer { greeted: true, ..Peer::new(role) }
    }

    fn error_code(effects: &[Effect]) -> Option<ErrorCode> {
        match effects {
            [Effect::Reply(ServerMsg::Error { code, .. })] => Some(*code),
            _ => None,
        }
    }

    #[test]
    fn a_send_is_stored_acked_broadcast_and_notified() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let effects = f.handle(&mut visitor, send("c_00000001", "  Hello there  "), 1000);
        assert_eq!(effects.len(), 3);
        assert_eq!(effects[0], Effect::Reply(ServerMsg::Ack { client_id: cid("c_00000001"), seq: 1, at: 1000 }));
        let Effect::Broadcast(ServerMsg::Message { message }) = &effects[1] else { panic!("{effects:?}") };
        assert_eq!(message.body.as_str(), "Hello there");
        assert_eq!(message.author, Author::Visitor);
        let Effect::Notify(summary) = &effects[2] else { panic!("{effects:?}") };
        assert_eq!((summary.last_seq, summary.last_message.as_str()), (1, "Hello there"));
        assert_eq!(f.log.0.len(), 1);
    }

    #[test]
    fn sequence_numbers_increase_across_authors() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let mut agent = greeted(Role::Agent { name: "Dana".into() });
        f.handle(&mut visitor, send("c_00000001", "one"), 1);
        f.handle(&mut agent, send("a_00000001", "two"), 2);
        f.handle(&mut visitor, send("c_00000002", "three"), 3);
        let seqs: Vec<u64> = f.log.0.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
        assert_eq!(f.log.0[1].author, Author::Agent { name: "Dana".into() });
    }

    #[test]
    fn a_resend_is_acked_again_but_never_stored_twice() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        f.handle(&mut visitor, send("c_00000001", "once"), 1000);
        let again = f.handle(&mut visitor, send("c_00000001", "once"), 5000);
        assert_eq!(again, vec![Effect::Reply(ServerMsg::Ack { client_id: cid("c_00000001"), seq: 1, at: 1000 })]);
        assert_eq!(f.log.0.len(), 1);
    }

    #[test]
    fn hello_replays_everything_after_the_clients_seq() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        for i in 1..=5 {
            f.handle(&mut visitor, send(&format!("c_0000000{i}"), "m"), i);
        }
        let mut returning = Peer::new(Role::Visitor);
        let effects = f.handle(&mut returning, hello(3), 10);
        let [Effect::Reply(ServerMsg::Welcome { messages, .. })] = effects.as_slice() else { panic!("{effects:?}") };
        assert_eq!(messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [4, 5]);
        assert!(returning.greeted);
    }

    #[test]
    fn bad_frames_get_typed_errors_and_store_nothing() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        assert_eq!(error_code(&f.handle(&mut visitor, Err(ErrorCode::MalformedFrame), 1)), Some(ErrorCode::MalformedFrame));
        assert_eq!(error_code(&f.handle(&mut visitor, send("c_00000001", " \n "), 1)), Some(ErrorCode::EmptyMessage));
        let long = "x".repeat(shared::domain::MAX_MESSAGE_CHARS + 1);
        assert_eq!(error_code(&f.handle(&mut visitor, send("c_00000002", &long), 1)), Some(ErrorCode::MessageTooLong));
        let old = Ok(ClientMsg::Hello { protocol: 0, after_seq: 0 });
        assert_eq!(error_code(&f.handle(&mut visitor, old, 1)), Some(ErrorCode::UnsupportedProtocol));
        let mut fresh = Peer::new(Role::Visitor);
        assert_eq!(error_code(&f.handle(&mut fresh, send("c_00000003", "hi"), 1)), Some(ErrorCode::HelloRequired));
        assert!(f.log.0.is_empty());
    }

    #[test]
    fn refused_sends_name_their_client_id() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let effects = f.handle(&mut visitor, send("c_00000009", ""), 1);
        let [Effect::Reply(ServerMsg::Error { client_id, .. })] = effects.as_slice() else { panic!() };
        assert_eq!(client_id.as_ref(), Some(&cid("c_00000009")));
    }

    #[test]
    fn a_flood_is_rate_limited_per_window() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        for i in 0..RATE_LIMIT {
            let effects = f.handle(&mut visitor, send(&format!("c_{i:08}"), "m"), 100);
            assert_eq!(effects.len(), 3, "send {i} should pass");
        }
        let over = f.handle(&mut visitor, send("c_overflow", "m"), 200);
        assert_eq!(error_code(&over), Some(ErrorCode::RateLimited));
        // The next window lets the same message through: nothing was lost.
        let later = f.handle(&mut visitor, send("c_overflow", "m"), 100 + RATE_WINDOW_MS);
        assert_eq!(later.len(), 3);
        assert_eq!(f.log.0.len() as u32, RATE_LIMIT + 1);
    }

    #[test]
    fn anonymous_names_are_stable() {
        let id = ConversationId::parse("cv_testtest").unwrap();
        assert_eq!(anonymous_name(&id), anonymous_name(&id));
        assert!(anonymous_name(&id).starts_with("Visitor "));
        assert_eq!(anonymous_name(&id).len(), "Visitor ".len() + 4);
    }
}
