//! Exactly-once delivery over a socket that can drop at any moment. Every outgoing message waits
//! in `pending` until the edge acknowledges its client id; on every (re)connect the client says
//! which sequence number it holds last and, once welcomed, resends whatever is still pending. The
//! edge ignores repeats of a client id, so a message is stored once however often it is sent.

use shared::{ClientMsg, ClientMsgId, ErrorCode, ServerMsg, HISTORY_PAGE, PROTOCOL_VERSION};

/// A message on its way: its id, text, and whether it is an agents-only note.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub client_id: ClientMsgId,
    pub body: String,
    pub note: bool,
}

impl Outgoing {
    fn frame(&self) -> ClientMsg {
        ClientMsg::Send { client_id: self.client_id.clone(), body: self.body.clone(), note: self.note, file: None }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Delivery {
    /// Highest sequence number seen on this conversation.
    pub last_seq: u64,
    /// Sends not yet acknowledged, oldest first.
    pub pending: Vec<Outgoing>,
    /// Whether the edge has welcomed the current connection (sends go out directly).
    pub ready: bool,
    /// Changes of state (contact details, presence, status, assignment) and the newest read
    /// receipt, made while the socket was down: sent after the next welcome, so a visitor's
    /// "we'll reply to…" holds and a message read meanwhile shows "Seen".
    pub later: Vec<ClientMsg>,
}

impl Delivery {
    /// The socket opened: greet, asking for everything after what we hold.
    pub fn on_open(&mut self) -> ClientMsg {
        self.ready = false;
        ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: self.last_seq }
    }

    pub fn on_close(&mut self) {
        self.ready = false;
    }

    /// Queues a message; returns the frame to send now if the connection is ready.
    pub fn send(&mut self, out: Outgoing) -> Option<ClientMsg> {
        let frame = out.frame();
        self.pending.push(out);
        self.ready.then_some(frame)
    }

    /// A frame that is not a message: returned to send now when the connection is ready; while
    /// it is not, a change of state waits for the next welcome, and so does a read receipt (only
    /// the newest: nothing else would report it again once the messages are on screen). Typing
    /// is dropped: the next keystroke sends another.
    pub fn frame(&mut self, frame: ClientMsg) -> Option<ClientMsg> {
        if self.ready {
            return Some(frame);
        }
        if let ClientMsg::Read { seq } = frame {
            self.later.retain(|f| !matches!(f, ClientMsg::Read { seq: older } if *older <= seq));
            if !self.later.iter().any(|f| matches!(f, ClientMsg::Read { .. })) {
                self.later.push(frame);
            }
            return None;
        }
        if matches!(
            frame,
            ClientMsg::Contact { .. }
                | ClientMsg::Presence { .. }
                | ClientMsg::SetStatus { .. }
                | ClientMsg::Assign { .. }
        ) {
            self.later.push(frame);
        }
        None
    }

    /// Learns from a server frame; returns frames to send in answer (the resends after a welcome).
    pub fn on_server(&mut self, msg: &ServerMsg) -> Vec<ClientMsg> {
        match msg {
            // The inbox socket's welcome: no messages of its own, only waiting changes.
            ServerMsg::Inbox { .. } => {
                self.ready = true;
                std::mem::take(&mut self.later)
            }
            ServerMsg::Welcome { messages, .. } => {
                self.ready = true;
                self.see(messages.iter().map(|m| m.seq).max().unwrap_or(0));
                // A full page means there may be more: ask for the rest first, so a long history
                // arrives whole and in order before anything new is sent.
                let more = (messages.len() >= HISTORY_PAGE)
                    .then(|| ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: self.last_seq });
                // A pending message may have been stored before the drop: drop those the replay
                // already contains, resend the rest (the edge dedupes any it stored anyway).
                self.pending.retain(|out| !messages.iter().any(|m| m.client_id == out.client_id));
                let resends: Vec<ClientMsg> = self.pending.iter().map(Outgoing::frame).collect();
                more.into_iter().chain(std::mem::take(&mut self.later)).chain(resends).collect()
            }
            ServerMsg::Ack { client_id, seq, .. } => {
                self.see(*seq);
                self.pending.retain(|out| &out.client_id != client_id);
                vec![]
            }
            ServerMsg::Message { message } => {
                self.see(message.seq);
                vec![]
            }
            // Sent too fast: it stays pending and goes again when the edge says (see `retry`).
            ServerMsg::Error { client_id: Some(_), code: ErrorCode::RateLimited, .. } => vec![],
            // A refused message will not succeed by resending; the view keeps its text.
            ServerMsg::Error { client_id: Some(id), .. } => {
                self.pending.retain(|out| &out.client_id != id);
                vec![]
            }
            _ => vec![],
        }
    }

    /// The frames that send every message still pending again, in the order written, once a
    /// rate limit's wait is over; none while the socket is not ready (the next welcome resends
    /// them). The edge only acks again any it stored meanwhile.
    pub fn retry(&self) -> Vec<ClientMsg> {
        if !self.ready {
            return vec![];
        }
        self.pending.iter().map(Outgoing::frame).collect()
    }

    fn see(&mut self, seq: u64) {
        self.last_seq = self.last_seq.max(seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{Author, ChatMessage, ConversationId, MessageBody};

    fn id(s: &str) -> ClientMsgId {
        ClientMsgId::parse(s).unwrap()
    }

    fn welcome(seqs: &[(u64, &str)]) -> ServerMsg {
        ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            conversation_id: ConversationId::parse("cv_testtest").unwrap(),
            messages: seqs
                .iter()
                .map(|(seq, cid)| ChatMessage {
                    seq: *seq,
                    client_id: id(cid),
                    author: Author::Visitor,
                    body: MessageBody::parse("x").unwrap(),
                    at: 0,
                    note: false,
                    file: None,
                })
                .collect(),
            files: None,
        }
    }

    fn out(client_id: &str, body: &str) -> Outgoing {
        Outgoing { client_id: id(client_id), body: body.into(), note: false }
    }

    #[test]
    fn sends_wait_for_the_welcome() {
        let mut d = Delivery::default();
        assert_eq!(d.on_open(), ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: 0 });
        assert_eq!(d.send(out("c_00000001", "early")), None, "queued until welcomed");
        let resends = d.on_server(&welcome(&[]));
        assert_eq!(
            resends,
            vec![ClientMsg::Send { client_id: id("c_00000001"), body: "early".into(), note: false, file: None }]
        );
        assert!(d.send(out("c_00000002", "now")).is_some());
    }

    #[test]
    fn a_reconnect_resumes_after_the_last_seq_and_resends_unacked() {
        let mut d = Delivery::default();
        d.on_open();
        d.on_server(&welcome(&[(1, "c_00000001"), (2, "a_00000001")]));
        d.send(out("c_00000002", "acked"));
        d.on_server(&ServerMsg::Ack { client_id: id("c_00000002"), seq: 3, at: 0 });
        d.send(out("c_00000003", "lost in the drop"));
        d.on_close();
        assert_eq!(d.send(out("c_00000004", "while offline")), None);
        assert_eq!(d.on_open(), ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: 3 });
        let resends = d.on_server(&welcome(&[]));
        let ids: Vec<_> = resends
            .iter()
            .map(|m| match m {
                ClientMsg::Send { client_id, .. } => client_id.as_str().to_owned(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(ids, ["c_00000003", "c_00000004"]);
    }

    #[test]
    fn a_message_stored_before_the_drop_is_not_resent() {
        let mut d = Delivery::default();
        d.on_open();
        d.on_server(&welcome(&[]));
        d.send(out("c_00000001", "stored, ack lost"));
        d.on_close();
        d.on_open();
        assert!(d.on_server(&welcome(&[(1, "c_00000001")])).is_empty());
        assert!(d.pending.is_empty());
        assert_eq!(d.last_seq, 1);
    }

    #[test]
    fn a_full_history_page_asks_for_the_rest_until_a_short_one_comes() {
        let mut d = Delivery::default();
        d.on_open();
        d.send(out("c_pending01", "written meanwhile"));
        let ids: Vec<String> = (1..=HISTORY_PAGE as u64 + 2).map(|n| format!("c_{n:08}")).collect();
        let page = |from: usize, to: usize| -> Vec<(u64, &str)> {
            (from..to).map(|i| (i as u64 + 1, ids[i].as_str())).collect()
        };
        let first = d.on_server(&welcome(&page(0, HISTORY_PAGE)));
        assert_eq!(first[0], ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: HISTORY_PAGE as u64 });
        assert!(matches!(first[1], ClientMsg::Send { .. }), "the pending message still goes");
        let rest = d.on_server(&welcome(&page(HISTORY_PAGE, HISTORY_PAGE + 2)));
        assert!(!rest.iter().any(|m| matches!(m, ClientMsg::Hello { .. })), "a short page is the last");
        assert_eq!(d.last_seq, HISTORY_PAGE as u64 + 2);
    }

    #[test]
    fn a_rate_limited_message_stays_pending_and_goes_again_when_asked() {
        let mut d = Delivery::default();
        d.on_open();
        d.on_server(&welcome(&[]));
        d.send(out("c_00000001", "too fast"));
        let refused = ServerMsg::Error {
            code: ErrorCode::RateLimited,
            message: "too many requests; try again in 3 s".into(),
            client_id: Some(id("c_00000001")),
            retry_after_s: Some(3),
        };
        assert!(d.on_server(&refused).is_empty(), "nothing at once");
        assert_eq!(d.pending.len(), 1, "the text is kept");
        d.send(out("c_00000002", "and another"));
        let again: Vec<String> = d
            .retry()
            .iter()
            .map(|m| match m {
                ClientMsg::Send { client_id, .. } => client_id.as_str().to_owned(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(again, ["c_00000001", "c_00000002"], "in the order written");
        // Stored meanwhile: nothing to retry; and nothing while the socket is down.
        d.on_server(&ServerMsg::Ack { client_id: id("c_00000001"), seq: 1, at: 0 });
        d.on_server(&ServerMsg::Ack { client_id: id("c_00000002"), seq: 2, at: 0 });
        assert!(d.retry().is_empty());
        d.send(out("c_00000003", "third"));
        d.on_close();
        assert!(d.retry().is_empty());
    }

    #[test]
    fn notes_stay_notes_when_resent() {
        let mut d = Delivery::default();
        d.on_open();
        d.send(Outgoing { note: true, ..out("c_00000001", "agents only") });
        let resends = d.on_server(&welcome(&[]));
        assert!(matches!(resends.as_slice(), [ClientMsg::Send { note: true, .. }]));
    }

    #[test]
    fn changes_wait_for_the_welcome_and_typing_is_dropped() {
        let mut d = Delivery::default();
        d.on_open();
        let contact = ClientMsg::Contact {
            name: None,
            email: Some("ana@example.com".into()),
            email_replies: false,
            transcript: false,
            lang: None,
        };
        assert_eq!(d.frame(contact.clone()), None);
        assert_eq!(d.frame(ClientMsg::Typing), None);
        assert_eq!(d.on_server(&welcome(&[])), vec![contact]);
        assert_eq!(d.frame(ClientMsg::Typing), Some(ClientMsg::Typing));
        // The inbox socket is ready on its `inbox` answer.
        let mut inbox = Delivery::default();
        inbox.on_open();
        assert_eq!(inbox.frame(ClientMsg::Presence { away: true }), None);
        assert_eq!(
            inbox.on_server(&ServerMsg::Inbox { conversations: vec![] }),
            vec![ClientMsg::Presence { away: true }]
        );
        assert!(inbox.ready);
    }

    #[test]
    fn a_read_while_the_socket_is_down_goes_after_the_welcome() {
        // The agent opens the conversation while their socket reconnects: the view reports what
        // it shows once, and the messages do not change afterwards to report it again.
        let mut d = Delivery::default();
        d.on_open();
        d.on_server(&welcome(&[]));
        d.on_close();
        assert_eq!(d.frame(ClientMsg::Read { seq: 3 }), None);
        assert_eq!(d.frame(ClientMsg::Read { seq: 5 }), None);
        assert_eq!(d.frame(ClientMsg::Read { seq: 4 }), None, "an older one changes nothing");
        d.on_open();
        assert_eq!(d.on_server(&welcome(&[])), vec![ClientMsg::Read { seq: 5 }], "the newest, once");
        assert_eq!(d.frame(ClientMsg::Read { seq: 6 }), Some(ClientMsg::Read { seq: 6 }));
    }

    #[test]
    fn refused_messages_are_not_retried() {
        let mut d = Delivery::default();
        d.on_open();
        d.on_server(&welcome(&[]));
        d.send(out("c_00000001", ""));
        d.on_server(&ServerMsg::Error {
            code: shared::ErrorCode::EmptyMessage,
            message: "empty".into(),
            client_id: Some(id("c_00000001")),
            retry_after_s: None,
        });
        assert!(d.pending.is_empty());
    }
}
