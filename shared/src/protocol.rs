//! The WebSocket protocol: one enum per direction, tagged by `type`, JSON on the wire.
//!
//! Delivery is exactly-once from the user's point of view: every [`ClientMsg::Send`] carries a
//! client-chosen id that the edge stores with the message, so a resend (after a reconnect, say) is
//! answered with the original [`ServerMsg::Ack`] instead of a second copy; the edge numbers each
//! conversation's messages 1, 2, 3…, and a client that reconnects says in [`ClientMsg::Hello`] which
//! number it has seen last and gets everything after it.

use crate::domain::{
    AgentRef, Author, ChatMessage, ClientMsgId, ConversationDetails, ConversationId, ConversationStatus,
    ConversationSummary, Email, Party,
};
use crate::files::SealedFile;
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. The edge refuses a `hello` with another version with
/// [`ErrorCode::UnsupportedProtocol`] so an outdated cached widget reloads instead of misbehaving.
pub const PROTOCOL_VERSION: u32 = 1;

/// Most messages one `welcome` carries. A client that gets a full page asks again (`hello` after
/// the last one it got) until a page comes back short, so a long history arrives whole.
pub const HISTORY_PAGE: usize = 500;

/// Largest WebSocket frame the edge reads, in bytes: a maximal message plus its envelope.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// Frames from a client (the widget or the inbox) to the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// First frame on every socket. `after_seq` is the highest sequence number the client already
    /// holds (0 for none); on a conversation socket the edge answers with [`ServerMsg::Welcome`]
    /// holding every message after it, on the inbox socket with [`ServerMsg::Inbox`].
    Hello { protocol: u32, after_seq: u64 },
    /// Post a message to the socket's conversation. The body is checked with
    /// [`crate::MessageBody::parse`] by the client and again by the edge. `note` (agents only) makes
    /// it a private note the visitor never receives.
    Send {
        client_id: ClientMsgId,
        body: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        note: bool,
        /// A file uploaded to this conversation first (its receipt, sealed by the edge).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<SealedFile>,
    },
    /// The sender is typing; the others show it for a few seconds unless it is repeated.
    Typing,
    /// The sender has seen everything up to `seq` (read receipts, unread counts).
    Read { seq: u64 },
    /// The visitor's contact details (pre-chat or offline form). Agents change them with
    /// the same frame. Omitted fields stay as they are.
    Contact {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        /// The visitor's explicit choice to get the team's replies by email (their socket only;
        /// the edge ignores it from agents).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        email_replies: bool,
        /// The visitor's explicit choice to get a transcript by email when the conversation is
        /// resolved (their socket only, as `email_replies`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        transcript: bool,
        /// The language the visitor reads (their page's, else their browser's), for the mail
        /// they ask for; sent only with one of the choices above.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<crate::consent::Lang>,
    },
    /// Agents only: move the conversation to another status.
    SetStatus { status: ConversationStatus },
    /// Agents only: assign the conversation to a member of the workspace, or to nobody.
    Assign {
        #[serde(default)]
        agent: Option<Email>,
    },
    /// Inbox socket only: the agent is available (`away: false`) or away.
    Presence { away: bool },
}

/// Frames from the edge to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", from = "ServerFrame")]
pub enum ServerMsg {
    /// Answer to `hello` on a conversation socket: the messages after the client's `after_seq`, in
    /// sequence order.
    /// `files`: where this socket's party fetches the conversation's files, a path ending in
    /// `/` to which a file's id is added; it expires (a later `welcome` gives a fresh one).
    Welcome {
        protocol: u32,
        conversation_id: ConversationId,
        messages: Vec<ChatMessage>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        files: Option<String>,
    },
    /// The message sent with `client_id` is stored as number `seq` at `at` (ms since the epoch).
    /// A resend of the same id gets the same answer.
    Ack { client_id: ClientMsgId, seq: u64, at: i64 },
    /// A message was stored in the conversation (sent to every other socket on it).
    Message { message: ChatMessage },
    /// Answer to `hello` on an agent's inbox socket: the workspace's conversations, newest first.
    Inbox { conversations: Vec<ConversationSummary> },
    /// Conversations of the workspace changed (new messages, a status…), each once with its
    /// newest summary: the inbox moves them to the top. One frame per batch the workspace takes
    /// from its feeds, not one per conversation.
    ConversationsUpdated { conversations: Vec<ConversationSummary> },
    /// Someone else on the conversation is typing (an agent's name is shown to the visitor).
    Typing { author: Author },
    /// `reader`'s side has read the conversation up to `seq`; also in answer to `hello`.
    Read { reader: Party, seq: u64 },
    /// Agents only: the conversation's status, assignee and visitor, after `welcome` and whenever
    /// they change.
    Details { details: ConversationDetails },
    /// Inbox socket: the workspace's agents and who is available, after `inbox` and on changes.
    Team { agents: Vec<AgentPresence> },
    /// Inbox socket: something every agent of the workspace should know, after `inbox` and when
    /// it starts (new chats refused over the plan's allowance); an empty `message` when it ends.
    Notice { message: String },
    /// Visitor socket: whether someone can answer now (an agent available, within business
    /// hours), after `welcome` and whenever it changes. The workspace's state only: no names.
    Availability { online: bool },
    /// A frame was refused. Nothing was stored; `client_id` names the refused `send`, if any, so
    /// the client can keep the text and show why.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<ClientMsgId>,
        /// For `rate_limited`: when to try again, in seconds (the client keeps the text and
        /// sends it again then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_s: Option<i64>,
    },
    /// A frame type this build does not know (sent by a newer edge): clients ignore it.
    #[serde(other)]
    Unknown,
}

/// The same frames as [`ServerMsg`], decoded as one flat struct. Serde decodes an internally
/// tagged enum by buffering the whole frame first, which costs the widget's WASM kilobytes;
/// decoding the fields directly and picking the variant afterwards gives the same result.
/// Frames only agents receive decode with the `agent-frames` feature (the inbox's); without it
/// (the widget) they read as [`ServerMsg::Unknown`].
#[derive(Deserialize)]
struct ServerFrame {
    #[serde(rename = "type")]
    kind: String,
    protocol: Option<u32>,
    conversation_id: Option<ConversationId>,
    messages: Option<Vec<ChatMessage>>,
    files: Option<String>,
    client_id: Option<ClientMsgId>,
    seq: Option<u64>,
    at: Option<i64>,
    message: Option<MessageOrText>,
    code: Option<ErrorCode>,
    retry_after_s: Option<i64>,
    author: Option<Author>,
    reader: Option<Party>,
    online: Option<bool>,
    #[cfg(any(test, feature = "agent-frames"))]
    conversations: Option<Vec<ConversationSummary>>,
    #[cfg(any(test, feature = "agent-frames"))]
    details: Option<ConversationDetails>,
    #[cfg(any(test, feature = "agent-frames"))]
    agents: Option<Vec<AgentPresence>>,
}

/// An agent of the workspace and whether they are available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    #[serde(flatten)]
    pub agent: AgentRef,
    pub online: bool,
}

/// `message` is a chat message in `message` frames and a sentence in `error` frames.
///
/// Decoded by hand rather than with `#[serde(untagged)]`: untagged buffers the value into serde's
/// `Content` first and then decodes `ChatMessage` a second time from that buffer, which put a
/// second copy of every chat-message decoder in the widget's WASM. Asking the JSON which shape it
/// has (`deserialize_any`) and decoding a map straight from the stream gives the same result.
enum MessageOrText {
    Chat(ChatMessage),
    Text(String),
}

impl<'de> Deserialize<'de> for MessageOrText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = MessageOrText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a chat message or a sentence")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(MessageOrText::Text(text.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                ChatMessage::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(MessageOrText::Chat)
            }
        }
        deserializer.deserialize_any(Shape)
    }
}

impl From<ServerFrame> for ServerMsg {
    fn from(f: ServerFrame) -> Self {
        let msg = match (f.kind.as_str(), f.message) {
            ("welcome", _) => f.protocol.zip(f.conversation_id).map(|(protocol, conversation_id)| ServerMsg::Welcome {
                protocol,
                conversation_id,
                messages: f.messages.unwrap_or_default(),
                files: f.files,
            }),
            ("ack", _) => {
                f.client_id.zip(f.seq).zip(f.at).map(|((client_id, seq), at)| ServerMsg::Ack { client_id, seq, at })
            }
            ("message", Some(MessageOrText::Chat(message))) => Some(ServerMsg::Message { message }),
            ("typing", _) => f.author.map(|author| ServerMsg::Typing { author }),
            ("read", _) => f.reader.zip(f.seq).map(|(reader, seq)| ServerMsg::Read { reader, seq }),
            ("availability", _) => f.online.map(|online| ServerMsg::Availability { online }),
            #[cfg(any(test, feature = "agent-frames"))]
            ("inbox", _) => f.conversations.map(|conversations| ServerMsg::Inbox { conversations }),
            #[cfg(any(test, feature = "agent-frames"))]
            ("conversations_updated", _) => {
                f.conversations.map(|conversations| ServerMsg::ConversationsUpdated { conversations })
            }
            #[cfg(any(test, feature = "agent-frames"))]
            ("details", _) => f.details.map(|details| ServerMsg::Details { details }),
            #[cfg(any(test, feature = "agent-frames"))]
            ("team", _) => f.agents.map(|agents| ServerMsg::Team { agents }),
            #[cfg(any(test, feature = "agent-frames"))]
            ("notice", Some(MessageOrText::Text(message))) => Some(ServerMsg::Notice { message }),
            ("error", Some(MessageOrText::Text(message))) => f.code.map(|code| ServerMsg::Error {
                code,
                message,
                client_id: f.client_id,
                retry_after_s: f.retry_after_s,
            }),
            _ => None,
        };
        // A frame this build cannot read is one it should ignore, like an unknown type.
        msg.unwrap_or(ServerMsg::Unknown)
    }
}

/// Why something was refused, on the socket and in HTTP error bodies alike.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No workspace has this site id.
    UnknownSite,
    /// The page embedding the widget, or the request's `Origin`, is not allowed for the site.
    OriginNotAllowed,
    /// The message is empty after trimming.
    EmptyMessage,
    /// The message is over the length limit.
    MessageTooLong,
    /// The frame or body is not valid JSON of the expected shape, or is too large.
    MalformedFrame,
    /// The client speaks another protocol version.
    UnsupportedProtocol,
    /// A frame arrived before `hello`.
    HelloRequired,
    /// A field failed validation (its message says which).
    InvalidInput,
    /// No valid session or visitor token.
    Unauthorized,
    /// Signed in, but not allowed to see this.
    Forbidden,
    /// Wrong email or password.
    InvalidCredentials,
    /// Already exists (an account with this email, a workspace with this id).
    Conflict,
    /// The invite link has expired, was used or was withdrawn.
    InviteExpired,
    /// A mailed link (password reset, address confirmation) has expired or was used already.
    LinkExpired,
    NotFound,
    /// The body (an uploaded file) is over its size limit.
    TooLarge,
    /// An uploaded file is not of a kind the chat takes (known by its bytes).
    UnsupportedFile,
    /// Too many requests; try again later.
    RateLimited,
    /// The workspace's plan does not allow it (a seat, a new conversation this month, a longer
    /// retention period); its message says which and what the plan allows.
    PlanLimit,
    /// Something failed on our side; details are in the edge's log, not here.
    Internal,
    /// A code this build does not know (sent by a newer edge).
    #[serde(other)]
    Unknown,
}

impl ClientMsg {
    /// Parses one text frame, mapping any failure to [`ErrorCode::MalformedFrame`].
    pub fn decode(frame: &str) -> Result<Self, ErrorCode> {
        if frame.len() > MAX_FRAME_BYTES {
            return Err(ErrorCode::MalformedFrame);
        }
        serde_json::from_str(frame).map_err(|_| ErrorCode::MalformedFrame)
    }

    /// The frame as serde writes it, written without serde (`crate::to_json`: the widget sends
    /// frames and carries no serde encoder).
    pub fn encode(&self) -> String {
        crate::to_json::ToJson::to_json(self)
    }
}

impl ServerMsg {
    pub fn decode(frame: &str) -> Result<Self, ErrorCode> {
        serde_json::from_str(frame).map_err(|_| ErrorCode::MalformedFrame)
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        ServerMsg::Error { code, message: message.into(), client_id: None, retry_after_s: None }
    }
}

impl From<&crate::DomainError> for ErrorCode {
    fn from(e: &crate::DomainError) -> Self {
        match e {
            crate::DomainError::EmptyMessage => ErrorCode::EmptyMessage,
            crate::DomainError::MessageTooLong { .. } => ErrorCode::MessageTooLong,
            crate::DomainError::Invalid { .. } => ErrorCode::InvalidInput,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        ApiError, Me, PrechatMode, Role, SignInRequest, VisitorSession, VisitorSessionRequest, WorkspaceRef,
    };
    use crate::domain::*;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    /// Pins a value to its fixture both ways: the fixture parses into the value, and the value
    /// serialises to the fixture's JSON (compared as JSON values, so formatting is free).
    fn fixture<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str, value: T) {
        let path = format!("{}/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let parsed: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(parsed, value, "{name}: fixture → value");
        let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_value(&value).unwrap(), expected, "{name}: value → fixture");
    }

    fn message() -> ChatMessage {
        ChatMessage {
            seq: 7,
            client_id: ClientMsgId::parse("c_0123456789ab").unwrap(),
            author: Author::Agent { name: "Dana".into() },
            body: MessageBody::parse("Hello! How can I help?").unwrap(),
            at: 1_764_000_000_000,
            note: false,
            file: None,
        }
    }

    fn summary() -> ConversationSummary {
        ConversationSummary {
            id: ConversationId::parse("cv_0123456789abcdef").unwrap(),
            visitor_name: "Visitor 4F2A".into(),
            last_message: "Do you ship to Norway?".into(),
            last_author: Author::Visitor,
            last_at: 1_764_000_000_000,
            last_seq: 3,
            status: ConversationStatus::Pending,
            assignee: Some(dana()),
            unread: 2,
            visitor_email: None,
            rev: 9,
        }
    }

    fn dana() -> AgentRef {
        AgentRef { email: Email::parse("dana@demo.provixchat.test").unwrap(), name: "Dana".into() }
    }

    #[test]
    fn client_fixtures() {
        fixture("client_hello", ClientMsg::Hello { protocol: 1, after_seq: 12 });
        fixture(
            "client_send",
            ClientMsg::Send {
                client_id: ClientMsgId::parse("c_0123456789ab").unwrap(),
                body: "Do you ship to Norway?".into(),
                note: false,
                file: None,
            },
        );
        fixture(
            "client_note",
            ClientMsg::Send {
                client_id: ClientMsgId::parse("c_0123456789ac").unwrap(),
                body: "VIP customer".into(),
                note: true,
                file: None,
            },
        );
        fixture("client_typing", ClientMsg::Typing);
        fixture("client_read", ClientMsg::Read { seq: 7 });
        fixture(
            "client_contact",
            ClientMsg::Contact {
                name: Some("Ana".into()),
                email: Some("ana@example.com".into()),
                email_replies: false,
                transcript: false,
                lang: None,
            },
        );
        fixture("client_set_status", ClientMsg::SetStatus { status: ConversationStatus::Resolved });
        fixture("client_assign", ClientMsg::Assign { agent: Some(Email::parse("dana@demo.provixchat.test").unwrap()) });
        fixture("client_presence", ClientMsg::Presence { away: true });
    }

    #[test]
    fn server_fixtures() {
        fixture(
            "server_welcome",
            ServerMsg::Welcome {
                protocol: 1,
                conversation_id: ConversationId::parse("cv_0123456789abcdef").unwrap(),
                messages: vec![message()],
                files: None,
            },
        );
        fixture(
            "server_ack",
            ServerMsg::Ack { client_id: ClientMsgId::parse("c_0123456789ab").unwrap(), seq: 7, at: 1_764_000_000_000 },
        );
        fixture("server_message", ServerMsg::Message { message: message() });
        fixture("server_inbox", ServerMsg::Inbox { conversations: vec![summary()] });
        fixture("server_conversations_updated", ServerMsg::ConversationsUpdated { conversations: vec![summary()] });
        fixture("server_typing", ServerMsg::Typing { author: Author::Agent { name: "Dana".into() } });
        fixture("server_read", ServerMsg::Read { reader: Party::Agent, seq: 7 });
        fixture("server_availability", ServerMsg::Availability { online: true });
        fixture(
            "server_notice",
            ServerMsg::Notice {
                message: "The Free plan's 3 conversations this month are used: new chats cannot start until 2027-01-01"
                    .into(),
            },
        );
        fixture(
            "server_details",
            ServerMsg::Details {
                details: ConversationDetails {
                    status: ConversationStatus::Open,
                    assignee: Some(dana()),
                    visitor_name: "Ana".into(),
                    visitor_email: Some(Email::parse("ana@example.com").unwrap()),
                    started_at: 1_764_000_000_000,
                    visitor_id: Some(crate::VisitorId::parse("vs_0123456789abcdef").unwrap()),
                    verified_id: Some("user-42".into()),
                },
            },
        );
        fixture("server_team", ServerMsg::Team { agents: vec![AgentPresence { agent: dana(), online: true }] });
        fixture(
            "server_error",
            ServerMsg::Error {
                code: ErrorCode::MessageTooLong,
                message: "the message is longer than 4000 characters".into(),
                client_id: Some(ClientMsgId::parse("c_0123456789ab").unwrap()),
                retry_after_s: None,
            },
        );
        fixture(
            "server_rate_limited",
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                message: "too many requests; try again in 8 s".into(),
                client_id: Some(ClientMsgId::parse("c_0123456789ab").unwrap()),
                retry_after_s: Some(8),
            },
        );
    }

    /// `message` is read by its JSON shape: a map is a chat message (escaped text included), a
    /// string an error's sentence, and the wrong shape for the frame's type is an unknown frame.
    #[test]
    fn message_field_is_read_by_shape() {
        let error = ServerMsg::decode(r#"{"type":"error","code":"internal","message":"a \"quoted\" line"}"#).unwrap();
        assert_eq!(
            error,
            ServerMsg::Error {
                code: ErrorCode::Internal,
                message: r#"a "quoted" line"#.into(),
                client_id: None,
                retry_after_s: None
            }
        );
        let chat = ServerMsg::decode(
            r#"{"type":"message","message":{"seq":1,"client_id":"c_0123456789ab","author":{"kind":"visitor"},"body":"caf\u00e9","at":5}}"#,
        )
        .unwrap();
        let ServerMsg::Message { message } = chat else { panic!("{chat:?}") };
        assert_eq!(message.body.as_str(), "café");
        assert_eq!(ServerMsg::decode(r#"{"type":"message","message":"text"}"#).unwrap(), ServerMsg::Unknown);
        assert_eq!(
            ServerMsg::decode(r#"{"type":"error","code":"internal","message":{"seq":1}}"#),
            Err(ErrorCode::MalformedFrame)
        );
    }

    #[test]
    fn api_fixtures() {
        fixture(
            "api_visitor_session_request",
            VisitorSessionRequest {
                host: "https://shop.example".into(),
                token: None,
                context: None,
                new_conversation: false,
                lang: String::new(),
            },
        );
        fixture(
            "api_visitor_session",
            VisitorSession {
                token: "v1.demo.vs_0123456789abcdef.0123456789.c2lnbmF0dXJl".into(),
                conversation_id: ConversationId::parse("cv_0123456789abcdef").unwrap(),
                site_name: "Demo Shop".into(),
                greeting: "Hi! Ask us anything.".into(),
                online: true,
                offline_message: "We're away. Leave your email and we'll reply.".into(),
                prechat: PrechatMode::Optional,
                color: "#1f5eff".into(),
                contact_known: false,
                lang: crate::consent::Lang::En,
                labels: None,
            },
        );
        fixture(
            "api_sign_in",
            SignInRequest { email: "agent@demo.provixchat.test".into(), password: "correct horse".into() },
        );
        fixture(
            "api_me",
            Me {
                name: "Dana".into(),
                email: Email::parse("agent@demo.provixchat.test").unwrap(),
                workspaces: vec![WorkspaceRef {
                    id: SiteId::parse("demo").unwrap(),
                    name: "Demo Shop".into(),
                    role: Role::Owner,
                }],
                email_verified: true,
                notify: crate::api::NotifyWhen::Away,
                billing: false,
            },
        );
        fixture(
            "api_error",
            ApiError { error: ErrorCode::UnknownSite, message: "no site 'nope'".into(), retry_after_s: None },
        );
    }

    #[test]
    fn unknown_frames_and_codes_are_tolerated_by_clients() {
        assert_eq!(ServerMsg::decode(r#"{"type":"brand_new","who":"x"}"#), Ok(ServerMsg::Unknown));
        let e = ServerMsg::decode(r#"{"type":"error","code":"brand_new","message":"m"}"#).unwrap();
        assert!(matches!(e, ServerMsg::Error { code: ErrorCode::Unknown, .. }));
    }

    #[test]
    fn malformed_client_frames_are_refused() {
        for bad in [
            "",
            "not json",
            "{}",
            r#"{"type":"send"}"#,
            r#"{"type":"nope"}"#,
            r#"{"type":"send","client_id":"x","body":"hi"}"#,
        ] {
            assert_eq!(ClientMsg::decode(bad), Err(ErrorCode::MalformedFrame), "{bad:?}");
        }
        let huge = format!(r#"{{"type":"send","client_id":"c_0123456789","body":"{}"}}"#, "x".repeat(MAX_FRAME_BYTES));
        assert_eq!(ClientMsg::decode(&huge), Err(ErrorCode::MalformedFrame));
    }

    #[test]
    fn round_trip_encoding() {
        let msg = ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: 0 };
        assert_eq!(ClientMsg::decode(&msg.encode()), Ok(msg));
        let msg = ServerMsg::Message { message: message() };
        assert_eq!(ServerMsg::decode(&msg.encode()), Ok(msg));
    }
}
