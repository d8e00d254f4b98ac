//! What a conversation does with one incoming frame, as a pure function over its message log
//! and its state (status, assignee, visitor, read positions): the Durable Object glue stores,
//! sends and notifies whatever [`Effect`]s come back.

mod access;
pub mod api;
pub mod email;
pub mod hooks;
mod posted;
mod profile_sync;

pub use access::{admit, bind_visitor, may_use, Door};
pub use profile_sync::{actor, profile_notices, ProfileNotice};

use crate::error::{EdgeError, EdgeResult};
use crate::lockout::Bucket;
use serde::{Deserialize, Serialize};
use shared::{
    domain::{preview, visitor_name},
    AgentRef, Author, ChatMessage, ClientMsg, ClientMsgId, ConversationDetails, ConversationId, ConversationStatus,
    ConversationSummary, Email, ErrorCode, MessageBody, Party, ServerMsg, PROTOCOL_VERSION,
};
use std::collections::BTreeMap;

pub use shared::HISTORY_PAGE;

/// At most this many sends per socket in [`RATE_WINDOW_MS`]; more is refused with `rate_limited`
/// (the message is not stored and the client keeps it to retry).
pub const RATE_LIMIT: u32 = 20;
pub const RATE_WINDOW_MS: i64 = 10_000;
/// How many messages a sender may have sent at once beyond that rate. Generous: the object times
/// messages as it handles them, and under load a backlog of a sender who kept to the rate
/// arrives all at once; a flood is still cut after this many.
pub const RATE_BURST: u32 = 60;
/// At most this many other frames per socket in [`RATE_WINDOW_MS`]: far more than a person
/// typing, reading and correcting their details makes.
pub const FRAME_LIMIT: u32 = 120;

/// The conversation's storage, as the logic needs it. SQLite in the object, a `Vec` in tests.
pub trait MessageLog {
    fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>>;
    fn last(&self) -> EdgeResult<Option<ChatMessage>>;
    /// Messages after `seq` in order; private notes only if `notes`.
    fn after(&self, seq: u64, limit: usize, notes: bool) -> EdgeResult<Vec<ChatMessage>>;
    /// How many of the visitor's messages come after `seq` (unread by the team).
    fn visitor_messages_after(&self, seq: u64) -> EdgeResult<u32>;
    /// Stores `message`, unless one with its client id is stored already: that one comes back
    /// and nothing is stored (one statement either way, so a new message costs no lookup).
    fn append(&mut self, message: &ChatMessage) -> EdgeResult<Option<ChatMessage>>;
    /// The newest message of the visitor and of the team after `seq` (0: none), notes included.
    fn last_seqs_after(&self, seq: u64) -> EdgeResult<(u64, u64)>;
}

/// A log that remembers its newest message, so a frame costs no read of it: the object is its
/// storage's only writer, so what it appended last is the log's last until the instance goes (a
/// new one starts with `None`: not read yet). `Some(None)`: read, and the log is empty.
pub struct LastKept<'a, L> {
    pub log: L,
    pub last: &'a std::cell::RefCell<Option<Option<ChatMessage>>>,
}

impl<L: MessageLog> MessageLog for LastKept<'_, L> {
    fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>> {
        self.log.by_client_id(id)
    }
    fn last(&self) -> EdgeResult<Option<ChatMessage>> {
        if let Some(last) = &*self.last.borrow() {
            return Ok(last.clone());
        }
        let last = self.log.last()?;
        *self.last.borrow_mut() = Some(last.clone());
        Ok(last)
    }
    fn after(&self, seq: u64, limit: usize, notes: bool) -> EdgeResult<Vec<ChatMessage>> {
        self.log.after(seq, limit, notes)
    }
    fn visitor_messages_after(&self, seq: u64) -> EdgeResult<u32> {
        self.log.visitor_messages_after(seq)
    }
    fn last_seqs_after(&self, seq: u64) -> EdgeResult<(u64, u64)> {
        self.log.last_seqs_after(seq)
    }
    fn append(&mut self, message: &ChatMessage) -> EdgeResult<Option<ChatMessage>> {
        // Stored first: a failed write leaves the memory as the table is.
        let stored = self.log.append(message)?;
        if stored.is_none() {
            *self.last.borrow_mut() = Some(Some(message.clone()));
        }
        Ok(stored)
    }
}

/// What the conversation keeps besides its messages. Stored as one JSON value by the object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct State {
    pub details: ConversationDetails,
    pub visitor_read: u64,
    pub agent_read: u64,
    /// Counts changes, so the inbox can tell a stale update from a fresh one.
    pub rev: u64,
    /// Whether the visitor gave a name or an email (the widget then skips its pre-chat form).
    #[serde(default)]
    pub contact_given: bool,
    /// Each sender's message budget (`visitor` or the agent's email), shared by all their
    /// sockets on this conversation: a second tab or a reconnect does not start a fresh one.
    #[serde(default)]
    pub buckets: BTreeMap<String, Bucket>,
    /// The visitor's messages after `agent_read`, kept so a message costs no count over the log;
    /// `None` (a state from before, or after the team read) is counted once when needed.
    #[serde(default)]
    pub unread: Option<u32>,
    /// Whether the visitor's profile lists this conversation (for their exports and erasure).
    /// Told when the visitor's chat opens, before they write: a first message then costs no call
    /// to the profile (older conversations are told at their first message, as before).
    #[serde(default)]
    pub listed: bool,
    /// The visitor asked for the team's replies by email (`logic::email`).
    #[serde(default)]
    pub email_replies: Option<email::EmailReplies>,
    /// The visitor asked for a transcript by email when the conversation is resolved.
    #[serde(default)]
    pub transcript: Option<email::Transcript>,
    /// The log's newest message when this state was stored. A chat message alone leaves the
    /// state unstored (see [`State::may_stay_unsaved`]); [`State::catch_up`] works out again
    /// what the messages after this one moved.
    #[serde(default)]
    pub logged: u64,
}

impl State {
    /// Whether the change from `before` to `self` may stay in memory only: a new message was
    /// stored, and nothing changed but what every message moves (the read positions, the
    /// revision, the unread count, the senders' budgets). Those follow from the log
    /// ([`State::catch_up`]), so a chat message costs one write (its row) rather than two; the
    /// budgets do not, and after a restart a sender's is the one last stored (at most one burst
    /// more, and a restart is no flood's to choose).
    pub fn may_stay_unsaved(&self, before: &State, appended: bool) -> bool {
        let moved = |s: &State| State {
            visitor_read: 0,
            agent_read: 0,
            rev: 0,
            unread: None,
            buckets: BTreeMap::new(),
            logged: 0,
            ..s.clone()
        };
        appended && moved(self) == moved(before)
    }

    /// A stored state brought up to date with the messages stored after it: each moved the
    /// revision by one (its inbox update), its writer's side has read it, and the unread count
    /// is counted again when needed.
    pub fn catch_up(&mut self, log: &impl MessageLog) -> EdgeResult<()> {
        let last = log.last()?.map_or(0, |m| m.seq);
        if last <= self.logged {
            return Ok(());
        }
        let (visitor, team) = log.last_seqs_after(self.logged)?;
        self.rev += last - self.logged;
        self.visitor_read = self.visitor_read.max(visitor);
        self.agent_read = self.agent_read.max(team);
        self.unread = None;
        self.logged = last;
        Ok(())
    }
}

/// Who is on a socket and what they have done on it; kept in the socket's hibernation attachment
/// so it survives the object being evicted between frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    pub role: Role,
    pub greeted: bool,
    /// An agent's session (its public id), so ending that session closes this socket.
    #[serde(default)]
    pub session: Option<String>,
    /// The verified user id the visitor's token carried, checked against the conversation's on
    /// every frame (it may have become a verified user's since the socket opened).
    #[serde(default)]
    pub verified: Option<String>,
    /// Set when the edge closed the socket: nothing more is served on it, even a frame that was
    /// already on its way.
    #[serde(default)]
    pub ended: bool,
    /// Frames other than messages on this socket (typing, read, contact, hello…). Opening
    /// sockets is limited at the router, so a fresh budget per socket stays bounded.
    #[serde(default)]
    pub frames: Bucket,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    Visitor,
    Agent { name: String, email: Email },
}

impl Peer {
    pub fn new(role: Role) -> Self {
        Self { role, greeted: false, session: None, verified: None, ended: false, frames: Bucket::default() }
    }

    pub fn is_agent(&self) -> bool {
        matches!(self.role, Role::Agent { .. })
    }

    fn author(&self) -> Author {
        match &self.role {
            Role::Visitor => Author::Visitor,
            Role::Agent { name, .. } => Author::Agent { name: name.clone() },
        }
    }
}

/// A stored message for the workspace's search index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indexed {
    pub seq: u64,
    pub body: String,
    pub at: i64,
}

/// What the object must do after a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Answer on the socket the frame came from.
    Reply(ServerMsg),
    /// Send to every other greeted socket on this conversation (agents' only, if `agents_only`).
    Broadcast { msg: ServerMsg, agents_only: bool },
    /// Send to every greeted agent socket, the sender's included.
    ToAgents(ServerMsg),
    /// Send to the sockets of a sender whose message came by HTTP (see `posted`): the agent's
    /// with this address, else the visitor's.
    ToSender { msg: ServerMsg, agent: Option<Email> },
    /// Tell the workspace the conversation changed, for the live inbox and its search.
    Notify { summary: ConversationSummary, indexed: Option<Indexed> },
    /// A sender went over the message limit: one entry in the workspace's audit log (monitoring
    /// of suspicious activity).
    AuditFlood { actor: shared::api::AuditActor },
    /// Close the socket the frame came from, for good: its access is gone.
    CloseSender(shared::CloseCode),
    /// An agent replied and the visitor wants replies by email: wake the object in
    /// [`email::REPLY_MAIL_DELAY_MS`] (unless it wakes sooner) to mail what they have not read.
    ReplyMailDue,
    /// The conversation was resolved and the visitor asked for a transcript: the alarm mails it.
    TranscriptDue,
    /// A visitor's socket said hello: the workspace hears this conversation has a visitor live
    /// (it tells it when availability changes), and the visitor hears whether someone can answer.
    VisitorLive,
}

pub struct Conversation<'a, L: MessageLog> {
    pub id: &'a ConversationId,
    pub state: &'a mut State,
    pub log: &'a mut L,
    /// The workspace's agents (needed only to check an assignment).
    pub team: &'a [AgentRef],
    /// Seals and links for the conversation's files.
    pub files: crate::files::FileKeys<'a>,
}

impl<L: MessageLog> Conversation<'_, L> {
    /// Handles one frame (already decoded, or the decoding error) from `peer` at time `now` (ms).
    pub fn handle(
        &mut self,
        peer: &mut Peer,
        frame: Result<ClientMsg, ErrorCode>,
        now: i64,
    ) -> EdgeResult<Vec<Effect>> {
        // A socket the edge closed is served nothing more; one whose token lost the conversation
        // (it became a verified user's) is told and closed.
        if peer.ended {
            return Ok(vec![]);
        }
        if let Err(code) = may_use(peer, self.state) {
            peer.ended = true;
            let client_id = match &frame {
                Ok(ClientMsg::Send { client_id, .. }) => Some(client_id.clone()),
                _ => None,
            };
            return Ok(vec![reply_err(EdgeError::Unauthorized, client_id), Effect::CloseSender(code)]);
        }
        let msg = match frame {
            Ok(msg) => msg,
            Err(code) => return Ok(vec![error(code, "that frame is not a valid message", None)]),
        };
        // Messages have their sender's budget (see `send`); everything else the socket's.
        if !matches!(msg, ClientMsg::Send { .. }) && !peer.frames.hit(now, FRAME_LIMIT, FRAME_LIMIT, RATE_WINDOW_MS) {
            let retry_after_s = peer.frames.retry_after_s(FRAME_LIMIT, FRAME_LIMIT, RATE_WINDOW_MS);
            return Ok(vec![reply_err(EdgeError::RateLimited { retry_after_s }, None)]);
        }
        if self.state.details.visitor_name.is_empty() {
            self.state.details.visitor_name = anonymous_name(self.id);
        }
        match msg {
            ClientMsg::Hello { protocol, .. } if protocol != PROTOCOL_VERSION => {
                Ok(vec![reply_err(EdgeError::UnsupportedProtocol(protocol), None)])
            }
            ClientMsg::Hello { after_seq, .. } => self.hello(peer, after_seq, now),
            ClientMsg::Send { client_id, .. } if !peer.greeted => {
                Ok(vec![error(ErrorCode::HelloRequired, "send hello first", Some(client_id))])
            }
            _ if !peer.greeted => Ok(vec![error(ErrorCode::HelloRequired, "send hello first", None)]),
            ClientMsg::Send { client_id, note: true, .. } if !peer.is_agent() => {
                Ok(vec![reply_err(EdgeError::Forbidden, Some(client_id))])
            }
            ClientMsg::Send { client_id, body, note, file } => {
                let file = match file.map(|sealed| self.files.open(self.id, &sealed)) {
                    None => None,
                    Some(Some(file)) => Some(file),
                    Some(None) => {
                        let e = EdgeError::Invalid("that file was not uploaded to this conversation".into());
                        return Ok(vec![reply_err(e, Some(client_id))]);
                    }
                };
                self.send(peer, client_id, &body, note, file, now)
            }
            ClientMsg::Typing => {
                Ok(vec![Effect::Broadcast { msg: ServerMsg::Typing { author: peer.author() }, agents_only: false }])
            }
            ClientMsg::Read { seq } => self.read(peer, seq),
            ClientMsg::Contact { name, email, email_replies, transcript, lang } => {
                let ask = email::MailAsk { replies: email_replies, transcript, lang };
                self.contact(peer, name, email, ask, now)
            }
            ClientMsg::SetStatus { .. } | ClientMsg::Assign { .. } if !peer.is_agent() => {
                Ok(vec![reply_err(EdgeError::Forbidden, None)])
            }
            ClientMsg::SetStatus { status } => {
                let was = std::mem::replace(&mut self.state.details.status, status);
                let mut effects = self.changed()?;
                effects.extend(self.transcript_effect(was));
                Ok(effects)
            }
            ClientMsg::Assign { agent } => {
                self.state.details.assignee = match agent {
                    None => None,
                    Some(email) => match self.team.iter().find(|a| a.email == email) {
                        Some(a) => Some(a.clone()),
                        None => {
                            let e = EdgeError::Invalid(format!("{email} is not an agent of this workspace"));
                            return Ok(vec![reply_err(e, None)]);
                        }
                    },
                };
                self.changed()
            }
            ClientMsg::Presence { .. } => {
                Ok(vec![error(ErrorCode::InvalidInput, "presence is set on the inbox socket", None)])
            }
        }
    }

    fn hello(&mut self, peer: &mut Peer, after_seq: u64, now: i64) -> EdgeResult<Vec<Effect>> {
        peer.greeted = true;
        let messages = self.log.after(after_seq, HISTORY_PAGE, peer.is_agent())?;
        let mut effects = vec![
            Effect::Reply(ServerMsg::Welcome {
                protocol: PROTOCOL_VERSION,
                conversation_id: self.id.clone(),
                messages,
                files: Some(self.files.path(self.id, now)),
            }),
            Effect::Reply(ServerMsg::Read { reader: Party::Visitor, seq: self.state.visitor_read }),
            Effect::Reply(ServerMsg::Read { reader: Party::Agent, seq: self.state.agent_read }),
        ];
        if peer.is_agent() {
            effects.push(Effect::Reply(ServerMsg::Details { details: self.state.details.clone() }));
        } else {
            effects.push(Effect::VisitorLive);
        }
        Ok(effects)
    }

    fn send(
        &mut self,
        peer: &mut Peer,
        client_id: ClientMsgId,
        body: &str,
        note: bool,
        file: Option<shared::files::Attachment>,
        now: i64,
    ) -> EdgeResult<Vec<Effect>> {
        // A file sent without words is captioned by its name.
        let body = match (body.trim(), &file) {
            ("", Some(file)) => file.name.as_str(),
            _ => body,
        };
        let body = match MessageBody::parse(body) {
            Ok(body) => body,
            Err(e) => return Ok(vec![reply_err(e.into(), Some(client_id))]),
        };
        // A bucket per sender: a burst of RATE_BURST, then RATE_LIMIT per RATE_WINDOW_MS, however
        // many sockets the sender opens. Timed as handled, so a bucket (not a fixed window): a
        // backlog worked off at once does not refuse a sender who kept to the rate. Spent on a
        // copy, kept only once the message is new: a resend costs no budget.
        let sender = actor(peer).as_str().to_owned();
        let mut bucket = self.state.buckets.get(&sender).cloned().unwrap_or_default();
        if !bucket.hit(now, RATE_BURST, RATE_LIMIT, RATE_WINDOW_MS) {
            // A resend of a stored message still gets its ack, over the limit or not.
            if let Some(stored) = self.log.by_client_id(&client_id)? {
                return Ok(vec![Effect::Reply(ServerMsg::Ack { client_id, seq: stored.seq, at: stored.at })]);
            }
            let retry_after_s = bucket.retry_after_s(RATE_BURST, RATE_LIMIT, RATE_WINDOW_MS);
            let mut effects = vec![reply_err(EdgeError::RateLimited { retry_after_s }, Some(client_id))];
            // The first refusal of a burst is worth one audit entry, not one per message.
            if bucket.refused == 1 {
                effects.push(Effect::AuditFlood { actor: actor(peer) });
            }
            self.state.buckets.insert(sender, bucket);
            return Ok(effects);
        }
        let seq = self.log.last()?.map_or(0, |m| m.seq) + 1;
        let message =
            ChatMessage { seq, client_id: client_id.clone(), author: peer.author(), body, at: now, note, file };
        // A resend of a stored message (say, after a reconnect that lost the ack) gets the
        // original ack, and nothing is stored or broadcast again.
        if let Some(stored) = self.log.append(&message)? {
            return Ok(vec![Effect::Reply(ServerMsg::Ack { client_id, seq: stored.seq, at: stored.at })]);
        }
        self.state.buckets.insert(sender, bucket);
        // The kept count and this message; counted over the log (which holds it now) if unknown.
        let unread = match (peer.is_agent(), self.state.unread) {
            (true, _) => 0,
            (false, Some(n)) => n + 1,
            (false, None) => self.log.visitor_messages_after(self.state.agent_read)?,
        };
        self.state.unread = Some(unread);
        let mut effects = vec![
            Effect::Reply(ServerMsg::Ack { client_id, seq, at: now }),
            Effect::Broadcast { msg: ServerMsg::Message { message: message.clone() }, agents_only: note },
        ];
        // Writing means having read: the writer's side has seen everything up to here.
        if peer.is_agent() {
            self.state.agent_read = seq;
        } else {
            self.state.visitor_read = seq;
            if self.state.details.started_at == 0 {
                self.state.details.started_at = now;
            }
            // A visitor writing again reopens a resolved conversation: it needs the team again.
            if self.state.details.status == ConversationStatus::Resolved {
                self.state.details.status = ConversationStatus::Open;
                effects.push(Effect::ToAgents(ServerMsg::Details { details: self.state.details.clone() }));
            }
        }
        let indexed = Indexed { seq, body: message.body.as_str().to_owned(), at: now };
        effects.push(self.notify(Some(indexed))?);
        effects.extend(self.reply_mail_effect(peer, note));
        Ok(effects)
    }

    fn read(&mut self, peer: &Peer, seq: u64) -> EdgeResult<Vec<Effect>> {
        let last = self.log.last()?.map_or(0, |m| m.seq);
        let seq = seq.min(last);
        let (position, reader) = match peer.role {
            Role::Visitor => (&mut self.state.visitor_read, Party::Visitor),
            Role::Agent { .. } => (&mut self.state.agent_read, Party::Agent),
        };
        if seq <= *position {
            return Ok(vec![]);
        }
        *position = seq;
        let mut effects = vec![Effect::Broadcast { msg: ServerMsg::Read { reader, seq }, agents_only: false }];
        if reader == Party::Agent {
            self.state.unread = Some(self.log.visitor_messages_after(seq)?);
            effects.push(self.notify(None)?);
        }
        Ok(effects)
    }

    fn contact(
        &mut self,
        peer: &Peer,
        name: Option<String>,
        email: Option<String>,
        ask: email::MailAsk,
        now: i64,
    ) -> EdgeResult<Vec<Effect>> {
        let name = match name.as_deref().map(visitor_name).transpose() {
            Ok(name) => name,
            Err(e) => return Ok(vec![reply_err(e.into(), None)]),
        };
        let email = match email.as_deref().map(Email::parse).transpose() {
            Ok(email) => email,
            Err(e) => return Ok(vec![reply_err(e.into(), None)]),
        };
        if name.is_none() && email.is_none() && !ask.any() {
            return Ok(vec![error(ErrorCode::InvalidInput, "give a name or an email", None)]);
        }
        self.state.contact_given = true;
        if let Some(name) = name {
            self.state.details.visitor_name = name;
        }
        if email.is_some() {
            if peer.is_agent() && email != self.state.details.visitor_email {
                // The visitor asked for mail at their own address.
                self.state.stop_mail();
            }
            self.state.details.visitor_email = email;
        }
        self.ask_mail(peer, ask, now)?;
        self.changed()
    }

    /// Status, assignee or visitor changed: every agent sees the new details, the inbox the
    /// new summary.
    fn changed(&mut self) -> EdgeResult<Vec<Effect>> {
        Ok(vec![Effect::ToAgents(ServerMsg::Details { details: self.state.details.clone() }), self.notify(None)?])
    }

    fn notify(&mut self, indexed: Option<Indexed>) -> EdgeResult<Effect> {
        self.state.rev += 1;
        Ok(Effect::Notify { summary: self.summary()?, indexed })
    }

    /// The conversation as the inbox lists it, at the current revision.
    pub fn summary(&self) -> EdgeResult<ConversationSummary> {
        let last = self.log.last()?;
        let d = &self.state.details;
        Ok(ConversationSummary {
            id: self.id.clone(),
            visitor_name: d.visitor_name.clone(),
            last_message: last.as_ref().map(|m| preview(m.body.as_str())).unwrap_or_default(),
            last_author: last.as_ref().map_or(Author::Visitor, |m| m.author.clone()),
            last_at: last.as_ref().map_or(0, |m| m.at),
            last_seq: last.as_ref().map_or(0, |m| m.seq),
            status: d.status,
            assignee: d.assignee.clone(),
            unread: self.unread()?,
            visitor_email: d.visitor_email.clone(),
            rev: self.state.rev,
        })
    }

    /// The visitor's messages the team has not read.
    fn unread(&self) -> EdgeResult<u32> {
        match self.state.unread {
            Some(n) => Ok(n),
            None => self.log.visitor_messages_after(self.state.agent_read),
        }
    }

    /// What to send the workspace so its index holds this conversation again, if the index may
    /// have missed a change (`indexed_rev`: the last revision the workspace took); `None` when
    /// it is up to date. The newest message goes along for search.
    pub fn repair(&self, indexed_rev: u64) -> EdgeResult<Option<(ConversationSummary, Option<Indexed>)>> {
        if self.state.rev <= indexed_rev {
            return Ok(None);
        }
        let indexed = self.log.last()?.map(|m| Indexed { seq: m.seq, body: m.body.as_str().to_owned(), at: m.at });
        Ok(Some((self.summary()?, indexed)))
    }
}

fn error(code: ErrorCode, message: &str, client_id: Option<ClientMsgId>) -> Effect {
    Effect::Reply(ServerMsg::Error { code, message: message.into(), client_id, retry_after_s: None })
}

fn reply_err(e: EdgeError, client_id: Option<ClientMsgId>) -> Effect {
    Effect::Reply(ServerMsg::Error {
        code: e.code(),
        message: e.public_message(),
        client_id,
        retry_after_s: e.retry_after_s(),
    })
}

/// A friendly, stable name for an anonymous visitor: "Visitor" and four hex digits of a hash
/// of the conversation id, so agents can tell visitors apart without any personal data.
pub fn anonymous_name(id: &ConversationId) -> String {
    let hash = crate::auth::sha256_hex(id.as_str());
    format!("Visitor {}", hash[..4].to_uppercase())
}

/// The message log in memory, for the native tests and the fuzz harnesses (`fuzz/`): the messages,
/// and how often the unread count was counted over them (so a test can see it is not per message).
/// Counts as the SQL store does (`store.rs`).
#[derive(Default)]
pub struct VecLog(pub Vec<ChatMessage>, pub std::cell::Cell<u32>);

impl MessageLog for VecLog {
    fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>> {
        Ok(self.0.iter().find(|m| &m.client_id == id).cloned())
    }
    fn last(&self) -> EdgeResult<Option<ChatMessage>> {
        Ok(self.0.last().cloned())
    }
    fn after(&self, seq: u64, limit: usize, notes: bool) -> EdgeResult<Vec<ChatMessage>> {
        Ok(self.0.iter().filter(|m| m.seq > seq && (notes || !m.note)).take(limit).cloned().collect())
    }
    fn visitor_messages_after(&self, seq: u64) -> EdgeResult<u32> {
        self.1.set(self.1.get() + 1);
        Ok(self.0.iter().filter(|m| m.seq > seq && m.author == Author::Visitor).count() as u32)
    }
    fn last_seqs_after(&self, seq: u64) -> EdgeResult<(u64, u64)> {
        let newest = |visitor: bool| {
            self.0.iter().filter(|m| m.seq > seq && (m.author == Author::Visitor) == visitor).map(|m| m.seq).max()
        };
        Ok((newest(true).unwrap_or(0), newest(false).unwrap_or(0)))
    }
    fn append(&mut self, message: &ChatMessage) -> EdgeResult<Option<ChatMessage>> {
        if let Some(stored) = self.by_client_id(&message.client_id)? {
            return Ok(Some(stored));
        }
        self.0.push(message.clone());
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cid(s: &str) -> ClientMsgId {
        ClientMsgId::parse(s).unwrap()
    }

    fn send(id: &str, body: &str) -> Result<ClientMsg, ErrorCode> {
        Ok(ClientMsg::Send { client_id: cid(id), body: body.into(), note: false, file: None })
    }

    fn note(id: &str, body: &str) -> Result<ClientMsg, ErrorCode> {
        Ok(ClientMsg::Send { client_id: cid(id), body: body.into(), note: true, file: None })
    }

    fn hello(after_seq: u64) -> Result<ClientMsg, ErrorCode> {
        Ok(ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq })
    }

    fn dana() -> AgentRef {
        AgentRef { email: Email::parse("dana@example.com").unwrap(), name: "Dana".into() }
    }

    struct Fixture {
        id: ConversationId,
        state: State,
        log: VecLog,
        team: Vec<AgentRef>,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                id: ConversationId::parse("cv_testtest").unwrap(),
                state: State::default(),
                log: VecLog::default(),
                team: vec![dana()],
            }
        }
        fn handle(&mut self, peer: &mut Peer, frame: Result<ClientMsg, ErrorCode>, now: i64) -> Vec<Effect> {
            Conversation {
                id: &self.id,
                state: &mut self.state,
                log: &mut self.log,
                team: &self.team,
                files: crate::files::FileKeys::TEST,
            }
            .handle(peer, frame, now)
            .unwrap()
        }
    }

    fn greeted(role: Role) -> Peer {
        Peer { greeted: true, ..Peer::new(role) }
    }

    fn agent() -> Peer {
        greeted(Role::Agent { name: "Dana".into(), email: dana().email })
    }

    fn error_code(effects: &[Effect]) -> Option<ErrorCode> {
        match effects {
            [Effect::Reply(ServerMsg::Error { code, .. })] => Some(*code),
            _ => None,
        }
    }

    fn summary(effects: &[Effect]) -> &ConversationSummary {
        effects
            .iter()
            .find_map(|e| if let Effect::Notify { summary, .. } = e { Some(summary) } else { None })
            .expect("a notify")
    }

    impl Fixture {
        /// The conversation as the inbox would list it, from `state` over this log.
        fn summary_of(&mut self, state: &mut State) -> ConversationSummary {
            let files = crate::files::FileKeys::TEST;
            Conversation { id: &self.id, state, log: &mut self.log, team: &self.team, files }.summary().unwrap()
        }
    }

    #[test]
    fn a_new_instance_works_out_what_the_unsaved_messages_moved() {
        let mut f = Fixture::new();
        let (mut visitor, mut agent) = (greeted(Role::Visitor), agent());
        f.handle(&mut visitor, send("c_00000001", "one"), 1);
        f.handle(&mut agent, Ok(ClientMsg::Read { seq: 1 }), 2);
        // What the object stored last (a read is stored), and messages after it that were not.
        let stored = State { logged: 1, ..f.state.clone() };
        f.handle(&mut agent, send("c_00000002", "a reply"), 3);
        f.handle(&mut agent, note("c_00000003", "a note"), 4);
        f.handle(&mut visitor, send("c_00000004", "two"), 5);
        f.handle(&mut visitor, send("c_00000005", "three"), 6);
        let mut restarted = stored.clone();
        restarted.catch_up(&f.log).unwrap();
        assert_eq!(
            (restarted.rev, restarted.visitor_read, restarted.agent_read, restarted.logged),
            (f.state.rev, 5, 3, 5),
            "each message moved the revision by one, and its writer's side has read it"
        );
        let mut live = f.state.clone();
        assert_eq!(f.summary_of(&mut restarted), f.summary_of(&mut live), "the inbox lists the same");
        assert_eq!(f.summary_of(&mut restarted).unread, 2);
        // Caught up, or nothing after what was stored: nothing moves.
        let again = restarted.clone();
        restarted.catch_up(&f.log).unwrap();
        assert_eq!(restarted, again);
        let mut current = State { logged: 5, ..f.state.clone() };
        current.catch_up(&f.log).unwrap();
        assert_eq!(current, State { logged: 5, ..f.state.clone() });
        // A state stored before this field (logged 0) comes out no older than it was.
        let mut old = State { logged: 0, ..stored };
        old.catch_up(&f.log).unwrap();
        assert!(old.rev >= f.state.rev && old.visitor_read == 5 && old.agent_read == 3);
    }

    #[test]
    fn only_a_new_message_leaves_the_state_unsaved() {
        let mut f = Fixture::new();
        let (mut visitor, mut agent) = (greeted(Role::Visitor), agent());
        let step = |f: &mut Fixture, peer: &mut Peer, frame, now| {
            let (before, last) = (f.state.clone(), f.log.0.len());
            f.handle(peer, frame, now);
            f.state.may_stay_unsaved(&before, f.log.0.len() > last)
        };
        assert!(!step(&mut f, &mut visitor, send("c_00000001", "one"), 1), "the first starts the conversation");
        assert!(step(&mut f, &mut visitor, send("c_00000002", "two"), 2));
        assert!(step(&mut f, &mut agent, send("c_00000003", "a reply"), 3));
        assert!(step(&mut f, &mut agent, note("c_00000004", "a note"), 4));
        assert!(!step(&mut f, &mut agent, Ok(ClientMsg::Read { seq: 4 }), 5), "a read stores no message");
        assert!(!step(&mut f, &mut visitor, Ok(ClientMsg::Read { seq: 4 }), 6));
        assert!(!step(&mut f, &mut agent, Ok(ClientMsg::SetStatus { status: ConversationStatus::Resolved }), 7));
        assert!(!step(&mut f, &mut visitor, send("c_00000005", "again"), 8), "a message that reopens it");
        assert!(!step(&mut f, &mut visitor, send("c_00000005", "again"), 9), "a resend stores nothing");
        // A flood: the first message refused stores nothing, and the budget it spent is stored.
        let refused = (0..RATE_BURST * 2).find_map(|i| {
            let stored = f.log.0.len();
            let unsaved = step(&mut f, &mut visitor, send(&format!("c_1{i:07}"), "flood"), 10);
            (f.log.0.len() == stored).then_some(unsaved)
        });
        assert_eq!(refused, Some(false));
    }

    #[test]
    fn a_send_is_stored_acked_broadcast_and_notified() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let effects = f.handle(&mut visitor, send("c_00000001", "  Hello there  "), 1000);
        assert_eq!(effects.len(), 3);
        assert_eq!(effects[0], Effect::Reply(ServerMsg::Ack { client_id: cid("c_00000001"), seq: 1, at: 1000 }));
        let Effect::Broadcast { msg: ServerMsg::Message { message }, agents_only: false } = &effects[1] else {
            panic!("{effects:?}")
        };
        assert_eq!(message.body.as_str(), "Hello there");
        assert_eq!(message.author, Author::Visitor);
        let Effect::Notify { summary, indexed: Some(indexed) } = &effects[2] else { panic!("{effects:?}") };
        assert_eq!((summary.last_seq, summary.last_message.as_str(), summary.unread), (1, "Hello there", 1));
        assert_eq!(indexed.body, "Hello there");
        assert_eq!(f.log.0.len(), 1);
        assert_eq!(f.state.details.started_at, 1000);
    }

    #[test]
    fn sequence_numbers_increase_across_authors() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let mut agent = agent();
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
    fn a_resend_costs_no_budget_and_is_acked_even_over_the_limit() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        f.handle(&mut visitor, send("c_00000001", "first"), 0);
        let budget = f.state.buckets.clone();
        // Resent many times (a client retrying): acked each time, nothing spent.
        for _ in 0..(RATE_BURST * 2) {
            let again = f.handle(&mut visitor, send("c_00000001", "first"), 1);
            assert_eq!(again, vec![Effect::Reply(ServerMsg::Ack { client_id: cid("c_00000001"), seq: 1, at: 0 })]);
        }
        assert_eq!(f.state.buckets, budget, "resends spent no budget");
        // Use up the budget with new messages; a resend is still acked, a new one refused.
        for i in 2..=(RATE_BURST + 40) {
            f.handle(&mut visitor, send(&format!("c_{i:08}"), "m"), 2);
        }
        let again = f.handle(&mut visitor, send("c_00000001", "first"), 3);
        assert_eq!(again, vec![Effect::Reply(ServerMsg::Ack { client_id: cid("c_00000001"), seq: 1, at: 0 })]);
        let refused = f.handle(&mut visitor, send("c_99999999", "new"), 3);
        assert_eq!(error_code(&refused[..1]), Some(ErrorCode::RateLimited));
        assert_eq!(f.log.0.iter().filter(|m| m.client_id == cid("c_00000001")).count(), 1);
    }

    #[test]
    fn hello_replays_everything_after_the_clients_seq_with_read_positions() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        for i in 1..=5 {
            f.handle(&mut visitor, send(&format!("c_0000000{i}"), "m"), i);
        }
        let mut returning = Peer::new(Role::Visitor);
        let effects = f.handle(&mut returning, hello(3), 10);
        // … and, for a visitor, the workspace hears one is live (and says whether someone can answer).
        let [Effect::Reply(ServerMsg::Welcome { messages, .. }), Effect::Reply(ServerMsg::Read { reader: Party::Visitor, seq: 5 }), Effect::Reply(ServerMsg::Read { reader: Party::Agent, seq: 0 }), Effect::VisitorLive] =
            effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [4, 5]);
        assert!(returning.greeted);
        let mut agent = Peer::new(Role::Agent { name: "Dana".into(), email: dana().email });
        let effects = f.handle(&mut agent, hello(0), 11);
        assert!(matches!(effects.last(), Some(Effect::Reply(ServerMsg::Details { .. }))), "agents get the details");
    }

    #[test]
    fn notes_reach_agents_only_and_visitors_cannot_write_them() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let mut agent = agent();
        f.handle(&mut visitor, send("c_00000001", "hi"), 1);
        let effects = f.handle(&mut agent, note("a_00000001", "VIP, be nice"), 2);
        assert!(
            matches!(&effects[1], Effect::Broadcast { agents_only: true, msg: ServerMsg::Message { message } } if message.note)
        );
        f.handle(&mut agent, send("a_00000002", "Hello!"), 3);
        let mut returning = Peer::new(Role::Visitor);
        let effects = f.handle(&mut returning, hello(0), 4);
        let Effect::Reply(ServerMsg::Welcome { messages, .. }) = &effects[0] else { panic!() };
        assert_eq!(messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["hi", "Hello!"]);
        assert_eq!(error_code(&f.handle(&mut visitor, note("c_00000002", "sneaky"), 5)), Some(ErrorCode::Forbidden));
        assert_eq!(f.log.0.len(), 3);
    }

    #[test]
    fn reads_move_forward_and_clear_unread() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let mut agent = agent();
        f.handle(&mut visitor, send("c_00000001", "one"), 1);
        let effects = f.handle(&mut visitor, send("c_00000002", "two"), 2);
        assert_eq!(summary(&effects).unread, 2);
        let effects = f.handle(&mut agent, Ok(ClientMsg::Read { seq: 99 }), 3);
        assert_eq!(
            effects[0],
            Effect::Broadcast { msg: ServerMsg::Read { reader: Party::Agent, seq: 2 }, agents_only: false },
            "clamped to the last seq"
        );
        assert_eq!(summary(&effects).unread, 0);
        assert!(f.handle(&mut agent, Ok(ClientMsg::Read { seq: 1 }), 4).is_empty(), "never backwards");
    }

    #[test]
    fn the_unread_count_is_kept_not_counted_per_message() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let mut agent = agent();
        // A state stored before the count was kept: counted from the log once.
        f.handle(&mut visitor, send("c_00000001", "one"), 1);
        f.state.unread = None;
        f.log.1.set(0);
        // One a second: within the sender's budget.
        for i in 2..=200 {
            let effects = f.handle(&mut visitor, send(&format!("c_{i:08}"), "more"), i * 1_000);
            assert_eq!(summary(&effects).unread, i as u32);
        }
        assert_eq!(f.log.1.get(), 1, "one count for 199 messages");
        let effects = f.handle(&mut agent, Ok(ClientMsg::Read { seq: 150 }), 300_000);
        assert_eq!(summary(&effects).unread, 50, "the team read up to 150");
        let effects = f.handle(&mut visitor, send("c_00000201", "again"), 301_000);
        assert_eq!(summary(&effects).unread, 51);
        let effects = f.handle(&mut agent, send("a_00000001", "answer"), 302_000);
        assert_eq!(summary(&effects).unread, 0, "an agent writing has read everything");
        let effects = f.handle(&mut visitor, send("c_00000202", "thanks"), 303_000);
        assert_eq!(summary(&effects).unread, 1);
        assert_eq!(f.state.unread, Some(f.log.visitor_messages_after(f.state.agent_read).unwrap()));
    }

    #[test]
    fn typing_goes_to_the_others_and_is_not_stored() {
        let mut f = Fixture::new();
        let mut agent = agent();
        let effects = f.handle(&mut agent, Ok(ClientMsg::Typing), 1);
        assert_eq!(
            effects,
            vec![Effect::Broadcast {
                msg: ServerMsg::Typing { author: Author::Agent { name: "Dana".into() } },
                agents_only: false
            }]
        );
        assert!(f.log.0.is_empty());
    }

    #[test]
    fn status_and_assignment_are_for_agents_and_only_to_team_members() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let mut agent = agent();
        let resolve = Ok(ClientMsg::SetStatus { status: ConversationStatus::Resolved });
        assert_eq!(error_code(&f.handle(&mut visitor, resolve.clone(), 1)), Some(ErrorCode::Forbidden));
        let effects = f.handle(&mut agent, resolve, 2);
        assert!(
            matches!(&effects[0], Effect::ToAgents(ServerMsg::Details { details }) if details.status == ConversationStatus::Resolved)
        );
        let stranger = Email::parse("eve@example.com").unwrap();
        assert_eq!(
            error_code(&f.handle(&mut agent, Ok(ClientMsg::Assign { agent: Some(stranger) }), 3)),
            Some(ErrorCode::InvalidInput)
        );
        let effects = f.handle(&mut agent, Ok(ClientMsg::Assign { agent: Some(dana().email) }), 4);
        assert_eq!(summary(&effects).assignee, Some(dana()));
        let before = summary(&effects).rev;
        let effects = f.handle(&mut agent, Ok(ClientMsg::Assign { agent: None }), 5);
        assert_eq!(summary(&effects).assignee, None);
        assert!(summary(&effects).rev > before, "every change has a newer rev");
    }

    #[test]
    fn a_visitor_message_reopens_a_resolved_conversation() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let mut agent = agent();
        f.handle(&mut agent, Ok(ClientMsg::SetStatus { status: ConversationStatus::Resolved }), 1);
        let effects = f.handle(&mut visitor, send("c_00000001", "one more thing"), 2);
        assert_eq!(summary(&effects).status, ConversationStatus::Open);
        assert!(effects.iter().any(|e| matches!(e, Effect::ToAgents(ServerMsg::Details { .. }))));
    }

    #[test]
    fn contact_details_are_validated_and_named_in_the_summary() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let bad = Ok(ClientMsg::Contact {
            name: None,
            email: Some("not an email".into()),
            email_replies: false,
            transcript: false,
            lang: None,
        });
        assert_eq!(error_code(&f.handle(&mut visitor, bad, 1)), Some(ErrorCode::InvalidInput));
        let empty =
            Ok(ClientMsg::Contact { name: None, email: None, email_replies: false, transcript: false, lang: None });
        assert_eq!(error_code(&f.handle(&mut visitor, empty, 1)), Some(ErrorCode::InvalidInput));
        let good = Ok(ClientMsg::Contact {
            name: Some(" Ana ".into()),
            email: Some("Ana@Example.com".into()),
            email_replies: false,
            transcript: false,
            lang: None,
        });
        let effects = f.handle(&mut visitor, good, 2);
        assert_eq!(summary(&effects).visitor_name, "Ana");
        assert_eq!(summary(&effects).visitor_email.as_ref().map(Email::as_str), Some("ana@example.com"));
    }

    #[test]
    fn bad_frames_get_typed_errors_and_store_nothing() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        assert_eq!(
            error_code(&f.handle(&mut visitor, Err(ErrorCode::MalformedFrame), 1)),
            Some(ErrorCode::MalformedFrame)
        );
        assert_eq!(error_code(&f.handle(&mut visitor, send("c_00000001", " \n "), 1)), Some(ErrorCode::EmptyMessage));
        let long = "x".repeat(shared::domain::MAX_MESSAGE_CHARS + 1);
        assert_eq!(error_code(&f.handle(&mut visitor, send("c_00000002", &long), 1)), Some(ErrorCode::MessageTooLong));
        let old = Ok(ClientMsg::Hello { protocol: 0, after_seq: 0 });
        assert_eq!(error_code(&f.handle(&mut visitor, old, 1)), Some(ErrorCode::UnsupportedProtocol));
        let mut fresh = Peer::new(Role::Visitor);
        assert_eq!(error_code(&f.handle(&mut fresh, send("c_00000003", "hi"), 1)), Some(ErrorCode::HelloRequired));
        assert_eq!(error_code(&f.handle(&mut fresh, Ok(ClientMsg::Typing), 1)), Some(ErrorCode::HelloRequired));
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

    fn floods(effects: &[Effect]) -> usize {
        effects.iter().filter(|e| matches!(e, Effect::AuditFlood { .. })).count()
    }

    #[test]
    fn a_flood_is_rate_limited_per_window_and_audited_once() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        for i in 0..RATE_BURST {
            let effects = f.handle(&mut visitor, send(&format!("c_{i:08}"), "m"), 100);
            assert_eq!(effects.len(), 3, "send {i} should pass");
        }
        let over = f.handle(&mut visitor, send("c_overflow", "m"), 200);
        assert_eq!(error_code(&over[..1]), Some(ErrorCode::RateLimited));
        assert_eq!(floods(&over), 1, "the first refusal is audited");
        let again = f.handle(&mut visitor, send("c_overflo2", "m"), 300);
        assert_eq!((error_code(&again), floods(&again)), (Some(ErrorCode::RateLimited), 0), "once per window");
        // The next window lets the same message through: nothing was lost.
        let later = f.handle(&mut visitor, send("c_overflow", "m"), 100 + RATE_WINDOW_MS);
        assert_eq!(later.len(), 3);
        assert_eq!(f.log.0.len() as u32, RATE_BURST + 1);
    }

    #[test]
    fn a_second_socket_or_a_reconnect_shares_the_senders_budget() {
        let mut f = Fixture::new();
        // Five sockets of the same visitor, each a fresh attachment, take turns.
        let mut tabs: Vec<Peer> = (0..5).map(|_| greeted(Role::Visitor)).collect();
        let mut refused = 0;
        for i in 0..RATE_BURST * 2 {
            let effects = f.handle(&mut tabs[i as usize % 5], send(&format!("c_tab{i:05}"), "m"), 100 + i64::from(i));
            refused += usize::from(error_code(&effects[..1]) == Some(ErrorCode::RateLimited));
        }
        assert_eq!(f.log.0.len() as u32, RATE_BURST, "one budget for all the visitor's sockets");
        assert_eq!(refused as u32, RATE_BURST);
        // An agent has a budget of their own: the visitor's flood does not silence the team.
        let mut dana = agent();
        assert_eq!(f.handle(&mut dana, send("c_agent001", "hello"), 200).len(), 3);
        // The budget lives in the stored state, so it survives the object being evicted.
        let stored: State = serde_json::from_str(&serde_json::to_string(&f.state).unwrap()).unwrap();
        assert_eq!(stored.buckets.get("visitor").map(|b| b.refused), Some(RATE_BURST));
    }

    #[test]
    fn a_socket_whose_token_lost_the_conversation_is_refused_on_its_next_frame_and_closed() {
        let mut f = Fixture::new();
        // Opened anonymously, before the site's verified identify bound the conversation.
        let mut old_tab = greeted(Role::Visitor);
        assert_eq!(f.handle(&mut old_tab, send("c_before01", "hi"), 10).len(), 3);
        f.state.details.verified_id = Some("user-1".into());
        let effects = f.handle(&mut old_tab, send("c_after001", "still me?"), 20);
        assert_eq!(error_code(&effects[..1]), Some(ErrorCode::Unauthorized));
        assert_eq!(effects[1], Effect::CloseSender(shared::CloseCode::TokenSuperseded));
        assert_eq!(f.log.0.len(), 1, "nothing written with the old token");
        assert!(old_tab.ended);
        // Ended for good: a frame already on its way gets nothing at all.
        assert!(f.handle(&mut old_tab, hello(0), 30).is_empty());
        // The verified user's own socket goes on.
        let mut user = Peer { verified: Some("user-1".into()), ..greeted(Role::Visitor) };
        assert_eq!(f.handle(&mut user, send("c_user0001", "it's me"), 40).len(), 3);
    }

    #[test]
    fn a_change_the_index_missed_is_sent_again_as_it_is_now() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let effects = f.handle(&mut visitor, send("c_first0001", "lost on the way"), 10);
        let Some(Effect::Notify { summary: sent, .. }) = effects.last().cloned() else { panic!("{effects:?}") };
        let c = Conversation {
            id: &f.id,
            state: &mut f.state,
            log: &mut f.log,
            team: &f.team,
            files: crate::files::FileKeys::TEST,
        };
        // The workspace never took revision 1: the repair sends it, with the message for search.
        let (summary, indexed) = c.repair(0).unwrap().expect("a repair");
        assert_eq!(summary, sent, "the same summary, at the same revision");
        assert_eq!(indexed.map(|m| m.body), Some("lost on the way".into()));
        assert_eq!(c.state.rev, 1, "a repair is not a change");
        assert_eq!(c.repair(1).unwrap(), None, "nothing to repair once the workspace has it");
    }

    #[test]
    fn a_flood_of_typing_or_contact_frames_is_refused_and_changes_nothing() {
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        for _ in 0..FRAME_LIMIT {
            assert_eq!(f.handle(&mut visitor, Ok(ClientMsg::Typing), 100).len(), 1);
        }
        let contact = Ok(ClientMsg::Contact {
            name: Some("Flood".into()),
            email: None,
            email_replies: false,
            transcript: false,
            lang: None,
        });
        let refused = f.handle(&mut visitor, contact, 100);
        assert_eq!(error_code(&refused), Some(ErrorCode::RateLimited));
        assert_ne!(f.state.details.visitor_name, "Flood", "the refused frame did nothing");
        // Messages keep their own budget: the visitor can still write.
        assert_eq!(f.handle(&mut visitor, send("c_stillok01", "hello"), 600).len(), 3);
        // And the next window opens the door again.
        assert_eq!(f.handle(&mut visitor, Ok(ClientMsg::Typing), 100 + RATE_WINDOW_MS).len(), 1);
    }

    #[test]
    fn a_file_goes_with_a_message_only_as_the_edge_sealed_it_for_this_conversation() {
        use shared::files::{Attachment, FileKind, SealedFile};
        let mut f = Fixture::new();
        let mut visitor = greeted(Role::Visitor);
        let file = Attachment { id: "f_12345678".into(), name: "shot.png".into(), size: 2_048, kind: FileKind::Png };
        let sealed = crate::files::FileKeys::TEST.seal(&f.id, file.clone());
        let with = |id: &str, body: &str, file: SealedFile| {
            Ok(ClientMsg::Send {
                client_id: ClientMsgId::parse(id).unwrap(),
                body: body.into(),
                note: false,
                file: Some(file),
            })
        };
        // Without words: captioned by its name, stored and broadcast with the file.
        let effects = f.handle(&mut visitor, with("c_file0001", " ", sealed.clone()), 10);
        let Effect::Broadcast { msg: ServerMsg::Message { message }, .. } = &effects[1] else { panic!("{effects:?}") };
        assert_eq!((message.body.as_str(), message.file.as_ref()), ("shot.png", Some(&file)));
        assert_eq!(f.log.0[0].file.as_ref(), Some(&file));
        // A receipt changed on the way, or sealed for another conversation, is refused and stores nothing.
        let renamed = SealedFile { file: Attachment { name: "shot.html".into(), ..file.clone() }, ..sealed.clone() };
        let other = crate::files::FileKeys::TEST.seal(&ConversationId::parse("cv_another1").unwrap(), file.clone());
        for (id, forged) in [("c_file0002", renamed), ("c_file0003", other)] {
            let effects = f.handle(&mut visitor, with(id, "look", forged), 20);
            assert_eq!(error_code(&effects), Some(ErrorCode::InvalidInput));
            assert!(
                matches!(&effects[0], Effect::Reply(ServerMsg::Error { client_id: Some(c), .. }) if c.as_str() == id)
            );
        }
        assert_eq!(f.log.0.len(), 1);
        // Every welcome tells where the files are, for a while.
        let effects = f.handle(&mut Peer::new(Role::Visitor), hello(0), 30);
        let Effect::Reply(ServerMsg::Welcome { files: Some(path), messages, .. }) = &effects[0] else {
            panic!("{effects:?}")
        };
        assert!(path.starts_with(&format!("/files/demo/{}/", f.id)), "{path}");
        assert_eq!(messages[0].file.as_ref(), Some(&file), "history keeps the file");
    }

    #[test]
    fn anonymous_names_are_stable() {
        let id = ConversationId::parse("cv_testtest").unwrap();
        assert_eq!(anonymous_name(&id), anonymous_name(&id));
        assert!(anonymous_name(&id).starts_with("Visitor "));
        assert_eq!(anonymous_name(&id).len(), "Visitor ".len() + 4);
    }

    /// A log that counts its reads of the newest message.
    #[derive(Default)]
    struct CountingLog(VecLog, std::cell::Cell<u32>);

    impl MessageLog for CountingLog {
        fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>> {
            self.0.by_client_id(id)
        }
        fn last(&self) -> EdgeResult<Option<ChatMessage>> {
            self.1.set(self.1.get() + 1);
            self.0.last()
        }
        fn after(&self, seq: u64, limit: usize, notes: bool) -> EdgeResult<Vec<ChatMessage>> {
            self.0.after(seq, limit, notes)
        }
        fn visitor_messages_after(&self, seq: u64) -> EdgeResult<u32> {
            self.0.visitor_messages_after(seq)
        }
        fn append(&mut self, message: &ChatMessage) -> EdgeResult<Option<ChatMessage>> {
            self.0.append(message)
        }
        fn last_seqs_after(&self, seq: u64) -> EdgeResult<(u64, u64)> {
            self.0.last_seqs_after(seq)
        }
    }

    #[test]
    fn the_newest_message_is_read_once_per_instance_not_per_frame() {
        let id = ConversationId::parse("cv_testtest").unwrap();
        let mut state = State::default();
        let kept = std::cell::RefCell::new(None);
        let mut log = LastKept { log: CountingLog::default(), last: &kept };
        let mut visitor = greeted(Role::Visitor);
        for i in 1..=20u64 {
            let frame = send(&format!("c{i:08}"), "Hi");
            let effects = Conversation {
                id: &id,
                state: &mut state,
                log: &mut log,
                team: &[],
                files: crate::files::FileKeys::TEST,
            }
            .handle(&mut visitor, frame, i as i64)
            .unwrap();
            assert_eq!(summary(&effects).last_seq, i, "the summary has the message just sent");
        }
        assert_eq!(log.log.1.get(), 1, "read from the log once, then remembered");
        assert_eq!(kept.borrow().clone().flatten().map(|m| m.seq), Some(20));
        // A new instance (nothing remembered) reads it again and sees the same.
        let fresh = std::cell::RefCell::new(None);
        let again = LastKept { log: log.log, last: &fresh };
        assert_eq!(again.last().unwrap().map(|m| m.seq), Some(20));
        assert_eq!(again.log.1.get(), 2);
    }
}
