//! What the REST API (`api_routes.rs`) reads and sends in a conversation: its messages after a
//! sequence number, and a message sent as a member of the team or as a named bot. A message
//! carries the client id the caller chose, so a retried POST is the same message (the same
//! exactly-once path as a socket's resend); it is broadcast, indexed and mailed like any other.

use super::{Conversation, Effect, MessageLog, Peer, Role};
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::api::ApiError;
use shared::{ChatMessage, ClientMsgId, ConversationStatus, ConversationSummary, Email, ServerMsg};

/// At most this many messages per page.
pub const MAX_MESSAGES_PAGE: u32 = 200;
const MAX_BOT_NAME_CHARS: usize = 40;

/// Who a message sent through the API is from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiAuthor {
    /// A member of the team now (checked as the message arrives).
    Agent(Email),
    /// An automation with a name of its own, shown as the message's author.
    Bot(String),
}

/// The address bots send under: never a member's, so a bot has its own rate budget and read
/// position and cannot pass for someone of the team.
const BOT_ADDRESS: &str = "bot@api.provixchat.invalid";

/// Up to `limit` messages after `after`, private notes included (the API speaks for the team).
/// `not_found` for a conversation nobody has written in. Reads the log only.
pub fn api_messages(log: &impl MessageLog, after: u64, limit: u32) -> EdgeResult<Vec<ChatMessage>> {
    if !(1..=MAX_MESSAGES_PAGE).contains(&limit) {
        return Err(EdgeError::Invalid(format!("limit is 1 to {MAX_MESSAGES_PAGE}")));
    }
    if log.last()?.is_none() {
        return Err(EdgeError::NotFound);
    }
    log.after(after, limit as usize, true)
}

impl<L: MessageLog> Conversation<'_, L> {
    /// Sends `text` as `author` with `client_id`: the stored message, also for a retry of one
    /// stored before. A refusal (empty, too long, over the sender's rate) is the request's error.
    pub fn api_send(
        &mut self,
        author: &ApiAuthor,
        client_id: ClientMsgId,
        text: &str,
        now: i64,
    ) -> EdgeResult<(Vec<Effect>, ChatMessage)> {
        if self.log.last()?.is_none() {
            return Err(EdgeError::NotFound);
        }
        let role = match author {
            ApiAuthor::Agent(email) => {
                let member =
                    self.team.iter().find(|a| &a.email == email).ok_or_else(|| {
                        EdgeError::Invalid(format!("{email} is not a member of this workspace's team"))
                    })?;
                Role::Agent { name: member.name.clone(), email: member.email.clone() }
            }
            ApiAuthor::Bot(name) => {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > MAX_BOT_NAME_CHARS || name.chars().any(char::is_control) {
                    return Err(EdgeError::Invalid(format!("name the bot (1 to {MAX_BOT_NAME_CHARS} characters)")));
                }
                Role::Agent { name: name.to_owned(), email: Email::parse(BOT_ADDRESS)? }
            }
        };
        let mut sender = Peer { greeted: true, ..Peer::new(role) };
        let effects = self.send(&mut sender, client_id.clone(), text, false, None, now)?;
        for effect in &effects {
            if let Effect::Reply(ServerMsg::Error { code, message, retry_after_s, .. }) = effect {
                let error = ApiError { error: *code, message: message.clone(), retry_after_s: *retry_after_s };
                return Err(EdgeError::Relayed(error));
            }
        }
        let message =
            self.log.by_client_id(&client_id)?.ok_or_else(|| EdgeError::Internal("sent but not stored".into()))?;
        Ok((effects.into_iter().filter(|e| !matches!(e, Effect::Reply(_))).collect(), message))
    }
}

/// `PATCH /api/v1/conversations/ID`: what to change; a field left out stays as it is.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationChange {
    #[serde(default)]
    pub status: Option<ConversationStatus>,
    // Left out when unchanged also on its way to the conversation object: written as `null` it
    // would read as "nobody".
    /// A member's email, or `null` for nobody; left out, the assignee stays.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "Option<Email>"))]
    pub assignee: Option<Option<Email>>,
}

/// A field that is present, `null` included (`Some(None)`); absent is the `default` (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Email>>, D::Error> {
    Option::<Email>::deserialize(d).map(Some)
}

impl<L: MessageLog> Conversation<'_, L> {
    /// Sets the status and the assignee (a member of the team now) as an agent's socket would:
    /// the agents' sockets, the index and a transcript due on resolving follow. Answers the
    /// conversation's summary after the change.
    pub fn api_update(&mut self, change: &ConversationChange) -> EdgeResult<(Vec<Effect>, ConversationSummary)> {
        if self.log.last()?.is_none() {
            return Err(EdgeError::NotFound);
        }
        if change.status.is_none() && change.assignee.is_none() {
            return Err(EdgeError::Invalid("change `status`, `assignee` or both".into()));
        }
        let assignee =
            match &change.assignee {
                Some(Some(email)) => {
                    Some(Some(self.team.iter().find(|a| &a.email == email).cloned().ok_or_else(|| {
                        EdgeError::Invalid(format!("{email} is not a member of this workspace's team"))
                    })?))
                }
                Some(None) => Some(None),
                None => None,
            };
        let was = self.state.details.status;
        if let Some(status) = change.status {
            self.state.details.status = status;
        }
        if let Some(assignee) = assignee {
            self.state.details.assignee = assignee;
        }
        let mut effects = self.changed()?;
        effects.extend(self.transcript_effect(was));
        Ok((effects, self.summary()?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{State, VecLog, RATE_BURST};
    use super::*;
    use shared::{AgentRef, Author, ConversationId, ErrorCode};

    fn dana() -> AgentRef {
        AgentRef { email: Email::parse("dana@shop.example").unwrap(), name: "Dana".into() }
    }

    fn cid(s: &str) -> ClientMsgId {
        ClientMsgId::parse(s).unwrap()
    }

    struct Setup {
        id: ConversationId,
        state: State,
        log: VecLog,
        team: Vec<AgentRef>,
    }

    impl Setup {
        /// A conversation the visitor started.
        fn started() -> Self {
            let mut s = Setup::empty();
            let mut visitor = Peer { greeted: true, ..Peer::new(Role::Visitor) };
            s.conversation().send(&mut visitor, cid("c_visitor0001"), "Hello?", false, None, 1).unwrap();
            s
        }

        fn empty() -> Self {
            Setup {
                id: ConversationId::parse("cv_0123456789abcdef").unwrap(),
                state: State::default(),
                log: VecLog::default(),
                team: vec![dana()],
            }
        }

        fn conversation(&mut self) -> Conversation<'_, VecLog> {
            Conversation {
                id: &self.id,
                state: &mut self.state,
                log: &mut self.log,
                team: &self.team,
                files: crate::files::FileKeys::TEST,
            }
        }
    }

    #[test]
    fn a_member_or_a_named_bot_sends_and_a_retry_is_the_same_message() {
        let mut s = Setup::started();
        let (effects, sent) = s
            .conversation()
            .api_send(&ApiAuthor::Agent(dana().email), cid("c_api0000001"), "Hi, Dana here", 10)
            .unwrap();
        assert_eq!((sent.seq, &sent.author), (2, &Author::Agent { name: "Dana".into() }));
        assert!(effects.iter().any(|e| matches!(e, Effect::Broadcast { .. })), "the sockets hear it");
        assert!(!effects.iter().any(|e| matches!(e, Effect::Reply(_))), "no socket to answer");
        let (again, retried) = s
            .conversation()
            .api_send(&ApiAuthor::Agent(dana().email), cid("c_api0000001"), "Hi, Dana here", 20)
            .unwrap();
        assert_eq!(retried, sent, "the same message");
        assert!(again.is_empty(), "nothing broadcast twice: {again:?}");
        let (_, bot) = s
            .conversation()
            .api_send(&ApiAuthor::Bot(" Shopbot ".into()), cid("c_api0000002"), "Order shipped", 30)
            .unwrap();
        assert_eq!((bot.seq, bot.author), (3, Author::Agent { name: "Shopbot".into() }));
        assert_eq!(s.log.0.len(), 3);
    }

    #[test]
    fn refusals_are_the_requests_errors_and_store_nothing() {
        let mut s = Setup::started();
        let outsider = ApiAuthor::Agent(Email::parse("eve@else.example").unwrap());
        assert!(matches!(
            s.conversation().api_send(&outsider, cid("c_api0000001"), "hi", 10),
            Err(EdgeError::Invalid(_))
        ));
        for name in ["", "   ", &"b".repeat(41), "bot\u{7}"] {
            let bot = ApiAuthor::Bot(name.into());
            assert!(
                matches!(s.conversation().api_send(&bot, cid("c_api0000001"), "hi", 10), Err(EdgeError::Invalid(_))),
                "{name:?}"
            );
        }
        let empty = s.conversation().api_send(&ApiAuthor::Bot("Bot".into()), cid("c_api0000001"), "  ", 10);
        assert!(matches!(empty, Err(EdgeError::Relayed(ApiError { error: ErrorCode::EmptyMessage, .. }))));
        let mut refused = None;
        for i in 0..=RATE_BURST {
            if let Err(e) =
                s.conversation().api_send(&ApiAuthor::Bot("Bot".into()), cid(&format!("c_flood{i:06}")), "spam", 10)
            {
                refused = Some(e);
            }
        }
        assert!(matches!(
            refused,
            Some(EdgeError::Relayed(ApiError { error: ErrorCode::RateLimited, retry_after_s: Some(_), .. }))
        ));
        assert_eq!(s.log.0.len(), 1 + RATE_BURST as usize, "the visitor's and the budget's worth");
        let mut fresh = Setup::empty();
        assert!(matches!(
            fresh.conversation().api_send(&ApiAuthor::Bot("Bot".into()), cid("c_api0000001"), "hi", 10),
            Err(EdgeError::NotFound)
        ));
    }

    #[test]
    fn status_and_assignee_change_as_an_agents_socket_would_change_them() {
        let mut s = Setup::started();
        let change: ConversationChange =
            serde_json::from_str(r#"{"status":"pending","assignee":"dana@shop.example"}"#).unwrap();
        let (effects, summary) = s.conversation().api_update(&change).unwrap();
        assert_eq!((summary.status, summary.assignee), (ConversationStatus::Pending, Some(dana())));
        assert!(effects.iter().any(|e| matches!(e, Effect::ToAgents(ServerMsg::Details { .. }))), "agents see it");
        assert!(effects.iter().any(|e| matches!(e, Effect::Notify { .. })), "the index follows");
        // Left out: unchanged; null: nobody.
        let (_, summary) = s.conversation().api_update(&serde_json::from_str(r#"{"assignee":null}"#).unwrap()).unwrap();
        assert_eq!((summary.status, summary.assignee), (ConversationStatus::Pending, None));
        let (_, summary) =
            s.conversation().api_update(&serde_json::from_str(r#"{"status":"resolved"}"#).unwrap()).unwrap();
        assert_eq!((summary.status, summary.assignee), (ConversationStatus::Resolved, None));
        // The change crosses to the conversation object as JSON and means the same there.
        for json in [r#"{}"#, r#"{"assignee":null}"#, r#"{"status":"open","assignee":"dana@shop.example"}"#] {
            let change: ConversationChange = serde_json::from_str(json).unwrap();
            let again: ConversationChange = serde_json::from_str(&serde_json::to_string(&change).unwrap()).unwrap();
            assert_eq!(again, change, "{json}");
        }
        // Refused: nothing to change, a stranger, an unknown field; nothing changed by a refusal.
        assert!(matches!(s.conversation().api_update(&ConversationChange::default()), Err(EdgeError::Invalid(_))));
        let stranger = ConversationChange {
            assignee: Some(Some(Email::parse("eve@else.example").unwrap())),
            status: Some(ConversationStatus::Open),
        };
        assert!(matches!(s.conversation().api_update(&stranger), Err(EdgeError::Invalid(_))));
        assert_eq!(s.state.details.status, ConversationStatus::Resolved);
        assert!(serde_json::from_str::<ConversationChange>(r#"{"stat":"open"}"#).is_err());
        assert!(matches!(Setup::empty().conversation().api_update(&stranger), Err(EdgeError::NotFound)));
    }

    #[test]
    fn messages_are_read_after_a_sequence_number_notes_included() {
        let mut s = Setup::started();
        let mut agent = Peer { greeted: true, ..Peer::new(Role::Agent { name: "Dana".into(), email: dana().email }) };
        s.conversation().send(&mut agent, cid("c_note0000001"), "VIP customer", true, None, 5).unwrap();
        s.conversation().send(&mut agent, cid("c_reply000001"), "Hello!", false, None, 6).unwrap();
        let seqs = |after, limit| api_messages(&s.log, after, limit).unwrap().iter().map(|m| m.seq).collect::<Vec<_>>();
        assert_eq!(seqs(0, 50), [1, 2, 3]);
        assert_eq!(seqs(1, 1), [2]);
        assert_eq!(seqs(3, 50), Vec::<u64>::new());
        assert!(api_messages(&s.log, 0, 50).unwrap()[1].note);
        assert!(matches!(api_messages(&s.log, 0, 0), Err(EdgeError::Invalid(_))));
        assert!(matches!(api_messages(&s.log, 0, MAX_MESSAGES_PAGE + 1), Err(EdgeError::Invalid(_))));
        assert!(matches!(api_messages(&Setup::empty().log, 0, 50), Err(EdgeError::NotFound)));
    }
}
