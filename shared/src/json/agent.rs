//! The frames only agents receive (inbox list, conversation updates, details, team), decoded
//! with [`Json`] like the widget's: the inbox's WASM then carries no serde decoder for its
//! socket. Same rules as the parent module: a present field must have its type, a missing
//! optional one takes its default, unknown fields are ignored, and `null` counts as missing.

use super::{conversation_id, i64_of, list, name_of, opt, or_default, req, string, u32_of, u64_of, Json};
use crate::domain::{AgentRef, Author, ConversationDetails, ConversationStatus, ConversationSummary, Email, VisitorId};
use crate::protocol::{AgentPresence, ServerMsg};

impl ServerMsg {
    /// A frame from the edge as the inbox reads it: [`ServerMsg::from_json`] plus the frames only
    /// agents receive. `None` where [`ServerMsg::decode`] gives an error.
    pub fn from_json_for_agents<J: Json>(v: &J) -> Option<ServerMsg> {
        // Every field is read whatever the type, as serde reads the flat frame: a field with the
        // wrong type refuses the whole frame, even one the frame's type does not use.
        let conversations = opt(v, "conversations", |c| list(c, ConversationSummary::from_json))?;
        let details = opt(v, "details", ConversationDetails::from_json)?;
        let agents = opt(v, "agents", |a| list(a, AgentPresence::from_json))?;
        let common = ServerMsg::from_json(v)?;
        let msg = match req(v, "type", string)?.as_str() {
            "inbox" => conversations.clone().map(|conversations| ServerMsg::Inbox { conversations }),
            "conversations_updated" => {
                conversations.map(|conversations| ServerMsg::ConversationsUpdated { conversations })
            }
            "details" => details.map(|details| ServerMsg::Details { details }),
            "team" => agents.map(|agents| ServerMsg::Team { agents }),
            "notice" => req(v, "message", string).map(|message| ServerMsg::Notice { message }),
            _ => Some(common),
        };
        // A frame this build cannot read is one it should ignore, like an unknown type.
        Some(msg.unwrap_or(ServerMsg::Unknown))
    }
}

fn email<J: Json>(v: &J) -> Option<Email> {
    Email::parse(&v.string()?).ok()
}

fn status<J: Json>(v: &J) -> Option<ConversationStatus> {
    name_of(v, &["open", "pending", "resolved"]).map(|i| ConversationStatus::ALL[i])
}

impl AgentRef {
    pub fn from_json<J: Json>(v: &J) -> Option<AgentRef> {
        Some(AgentRef { email: req(v, "email", email)?, name: req(v, "name", string)? })
    }
}

impl AgentPresence {
    /// The agent's fields sit beside `online` (serde's `flatten`).
    pub fn from_json<J: Json>(v: &J) -> Option<AgentPresence> {
        Some(AgentPresence { agent: AgentRef::from_json(v)?, online: req(v, "online", |o| o.boolean())? })
    }
}

impl ConversationDetails {
    pub fn from_json<J: Json>(v: &J) -> Option<ConversationDetails> {
        Some(ConversationDetails {
            status: req(v, "status", status)?,
            assignee: opt(v, "assignee", AgentRef::from_json)?,
            visitor_name: req(v, "visitor_name", string)?,
            visitor_email: opt(v, "visitor_email", email)?,
            started_at: or_default(v, "started_at", i64_of)?,
            visitor_id: opt(v, "visitor_id", |i| VisitorId::parse(&i.string()?).ok())?,
            verified_id: opt(v, "verified_id", string)?,
        })
    }
}

impl ConversationSummary {
    pub fn from_json<J: Json>(v: &J) -> Option<ConversationSummary> {
        Some(ConversationSummary {
            id: req(v, "id", conversation_id)?,
            visitor_name: req(v, "visitor_name", string)?,
            last_message: req(v, "last_message", string)?,
            last_author: req(v, "last_author", Author::from_json)?,
            last_at: req(v, "last_at", i64_of)?,
            last_seq: req(v, "last_seq", u64_of)?,
            status: or_default(v, "status", status)?,
            assignee: opt(v, "assignee", AgentRef::from_json)?,
            unread: or_default(v, "unread", u32_of)?,
            visitor_email: opt(v, "visitor_email", email)?,
            rev: or_default(v, "rev", u64_of)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ConversationId;
    use serde_json::Value;

    /// The inbox's decoder and serde's give the same answer (both refusing counts as the same).
    fn same(text: &str) {
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ServerMsg::from_json_for_agents(&value), ServerMsg::decode(text).ok(), "{text}");
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn agent_frames_decode_as_serde_decodes_them() {
        for name in ["inbox", "conversations_updated", "details", "team", "notice"] {
            let text = fixture(&format!("server_{name}"));
            let lean = ServerMsg::from_json_for_agents(&serde_json::from_str::<Value>(&text).unwrap());
            assert!(!matches!(lean, None | Some(ServerMsg::Unknown)), "{name}: {lean:?}");
            same(&text);
        }
        // The widget's frames read the same through the inbox's decoder.
        for name in ["welcome", "ack", "message", "typing", "read", "error", "rate_limited"] {
            same(&fixture(&format!("server_{name}")));
        }
    }

    #[test]
    fn agent_frames_round_trip() {
        let dana = AgentRef { email: Email::parse("dana@example.com").unwrap(), name: "Dana".into() };
        let summary = |status, assignee: Option<AgentRef>| ConversationSummary {
            id: ConversationId::parse("cv_0123456789abcdef").unwrap(),
            visitor_name: "Visitor 4F2A".into(),
            last_message: "Hello?".into(),
            last_author: Author::Agent { name: "Dana".into() },
            last_at: 1_764_000_000_000,
            last_seq: 7,
            status,
            assignee,
            unread: 2,
            visitor_email: Some(Email::parse("ana@example.com").unwrap()),
            rev: 9,
        };
        let frames = [
            ServerMsg::Inbox {
                conversations: vec![
                    summary(ConversationStatus::Open, None),
                    summary(ConversationStatus::Pending, Some(dana.clone())),
                    summary(ConversationStatus::Resolved, None),
                ],
            },
            ServerMsg::Inbox { conversations: vec![] },
            ServerMsg::ConversationsUpdated {
                conversations: vec![
                    summary(ConversationStatus::Pending, None),
                    summary(ConversationStatus::Open, None),
                ],
            },
            ServerMsg::Details { details: ConversationDetails::default() },
            ServerMsg::Details {
                details: ConversationDetails {
                    status: ConversationStatus::Resolved,
                    assignee: Some(dana.clone()),
                    visitor_name: "Ana".into(),
                    visitor_email: Some(Email::parse("ana@example.com").unwrap()),
                    started_at: 1_764_000_000_000,
                    visitor_id: Some(VisitorId::parse("vs_0123456789abcdef").unwrap()),
                    verified_id: Some("user-42".into()),
                },
            },
            ServerMsg::Team {
                agents: vec![
                    AgentPresence { agent: dana, online: true },
                    AgentPresence {
                        agent: AgentRef { email: Email::parse("eli@example.com").unwrap(), name: "Eli".into() },
                        online: false,
                    },
                ],
            },
            ServerMsg::Notice { message: "New chats are refused".into() },
            ServerMsg::Notice { message: String::new() },
        ];
        for frame in frames {
            let json = serde_json::to_value(&frame).unwrap();
            assert_eq!(ServerMsg::from_json_for_agents(&json), Some(frame), "{json}");
        }
    }

    #[test]
    fn bad_agent_frames_are_refused_or_ignored_as_serde_does() {
        let summary = r#"{"id":"cv_0123456789abcdef","visitor_name":"V","last_message":"m","last_author":{"kind":"visitor"},"last_at":1,"last_seq":2}"#;
        for text in [
            format!(r#"{{"type":"inbox","conversations":[{summary}]}}"#),
            format!(r#"{{"type":"inbox","conversations":{summary}}}"#),
            r#"{"type":"inbox"}"#.to_owned(),
            r#"{"type":"inbox","conversations":[{"id":"cv_0123456789abcdef"}]}"#.to_owned(),
            format!(
                r#"{{"type":"inbox","conversations":[{}]}}"#,
                summary.replace(r#""last_seq":2"#, r#""last_seq":-2"#)
            ),
            format!(r#"{{"type":"inbox","conversations":[{}]}}"#, summary.replace("cv_0123456789abcdef", "bad id")),
            format!(
                r#"{{"type":"conversations_updated","conversations":[{}]}}"#,
                summary.replace("}", r#","status":"archived"}"#)
            ),
            format!(
                r#"{{"type":"conversations_updated","conversations":[{}]}}"#,
                summary.replace("}", r#","unread":1.5}"#)
            ),
            format!(
                r#"{{"type":"conversations_updated","conversations":[{}]}}"#,
                summary.replace("}", r#","visitor_email":"no"}"#)
            ),
            format!(r#"{{"type":"typing","author":{{"kind":"visitor"}},"conversations":{}}}"#, r#"[{"id":3}]"#),
            r#"{"type":"details","details":{"status":"open"}}"#.to_owned(),
            r#"{"type":"details","details":{"status":"open","visitor_name":"A","assignee":{"name":"D"}}}"#.to_owned(),
            r#"{"type":"details","details":{"status":"open","visitor_name":"A","visitor_id":"bad id"}}"#.to_owned(),
            r#"{"type":"team","agents":[{"email":"dana@example.com","name":"Dana"}]}"#.to_owned(),
            r#"{"type":"team","agents":[{"email":"dana","name":"Dana","online":true}]}"#.to_owned(),
            r#"{"type":"team","agents":[{"email":"dana@example.com","name":"Dana","online":"yes"}]}"#.to_owned(),
            r#"{"type":"team","agents":"everyone"}"#.to_owned(),
            r#"{"type":"notice"}"#.to_owned(),
            r#"{"type":"notice","message":3}"#.to_owned(),
            r#"{"type":"notice","message":{"seq":1}}"#.to_owned(),
            r#"{"type":"notice","message":""}"#.to_owned(),
        ] {
            same(&text);
        }
        // A frame of a known type without its field is ignored, and one with a field of the
        // wrong type is refused as a whole.
        let missing: Value = serde_json::from_str(r#"{"type":"team"}"#).unwrap();
        assert_eq!(ServerMsg::from_json_for_agents(&missing), Some(ServerMsg::Unknown));
        let wrong: Value = serde_json::from_str(r#"{"type":"team","agents":[{"email":"x"}]}"#).unwrap();
        assert_eq!(ServerMsg::from_json_for_agents(&wrong), None);
    }
}
