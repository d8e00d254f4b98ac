//! The webhook events one change of a conversation makes (`crate::webhooks`): read from the
//! state before and after and from the effects, so every way a change comes in (a socket's frame,
//! the REST API, a reply by mail, a file) makes the same events. Each event's id is made from what
//! it is about (`SITE_ID_mSEQ` for message SEQ), so handing it over twice delivers it once.

use super::{Effect, State};
use crate::consent_export::iso8601;
use crate::webhooks::{EventKind, HookEvent};
use shared::{Author, ChatMessage, ConversationId, ServerMsg, SiteId};

/// The events `wanted` by the site's endpoints among those the change from `before` to `after`
/// (carried out as `effects`) makes, in the order they happened.
pub fn hook_events(
    site: &SiteId,
    id: &ConversationId,
    before: &State,
    after: &State,
    effects: &[Effect],
    wanted: &[EventKind],
    now: i64,
) -> Vec<HookEvent> {
    let event = |suffix: String, kind: EventKind, data: serde_json::Value| HookEvent {
        id: format!("{site}_{id}_{suffix}"),
        kind,
        at: now,
        order: Some(id.as_str().to_owned()),
        visitor: after.details.visitor_id.clone(),
        data,
    };
    let mut events = Vec::new();
    if before.details.started_at == 0 && after.details.started_at != 0 {
        events.push(event(
            "created".into(),
            EventKind::ConversationCreated,
            serde_json::json!({
                "conversation_id": id,
                "visitor_id": after.details.visitor_id,
                "started_at": iso8601(after.details.started_at),
            }),
        ));
    }
    let mut sent: Vec<u64> = Vec::new();
    for effect in effects {
        let (Effect::Broadcast { msg: ServerMsg::Message { message }, .. }
        | Effect::ToAgents(ServerMsg::Message { message })
        | Effect::ToSender { msg: ServerMsg::Message { message }, .. }) = effect
        else {
            continue;
        };
        // Internal notes stay inside the team.
        if message.note || sent.contains(&message.seq) {
            continue;
        }
        sent.push(message.seq);
        events.push(event(format!("m{}", message.seq), EventKind::MessageCreated, message_data(id, message)));
    }
    if before.details.status != after.details.status {
        events.push(event(
            format!("s{}", after.rev),
            EventKind::StatusChanged,
            serde_json::json!({
                "conversation_id": id,
                "status": after.details.status,
                "previous_status": before.details.status,
            }),
        ));
    }
    events.retain(|e| wanted.contains(&e.kind));
    events
}

/// A message as its event carries it: who wrote it (an agent or bot by the name the visitor
/// saw), its words and its file's name and size (not a link: the file stays behind sign-in).
fn message_data(id: &ConversationId, m: &ChatMessage) -> serde_json::Value {
    let author = match &m.author {
        Author::Visitor => serde_json::json!({ "kind": "visitor" }),
        Author::Agent { name } => serde_json::json!({ "kind": "agent", "name": name }),
    };
    let mut data = serde_json::json!({
        "conversation_id": id,
        "seq": m.seq,
        "author": author,
        "text": m.body.as_str(),
        "sent_at": iso8601(m.at),
    });
    if let Some(file) = &m.file {
        data["file"] = serde_json::json!({ "name": file.name, "size": file.size });
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{ClientMsgId, ConversationStatus, MessageBody, VisitorId};

    fn message(seq: u64, author: Author, note: bool) -> ChatMessage {
        ChatMessage {
            seq,
            client_id: ClientMsgId::parse(&format!("c_{seq:08}")).unwrap(),
            author,
            body: MessageBody::parse("Hello <there>").unwrap(),
            at: 1_796_083_200_000,
            note,
            file: None,
        }
    }

    fn broadcast(m: ChatMessage) -> Effect {
        Effect::Broadcast { msg: ServerMsg::Message { message: m.clone() }, agents_only: m.note }
    }

    const ALL: [EventKind; 6] = EventKind::ALL;

    #[test]
    fn a_first_message_starts_the_conversation_then_status_changes_follow() {
        let site = SiteId::parse("shop").unwrap();
        let id = ConversationId::parse("c0000000a").unwrap();
        let before = State::default();
        let mut after = before.clone();
        after.details.started_at = 1_796_083_200_000;
        after.details.visitor_id = Some(VisitorId::parse("v_0123456789abcdef").unwrap());
        let effects = [broadcast(message(1, Author::Visitor, false))];
        let events = hook_events(&site, &id, &before, &after, &effects, &ALL, 5);
        let kinds: Vec<_> = events.iter().map(|e| (e.id.as_str(), e.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("shop_c0000000a_created", EventKind::ConversationCreated),
                ("shop_c0000000a_m1", EventKind::MessageCreated)
            ]
        );
        assert!(events
            .iter()
            .all(|e| e.order.as_deref() == Some("c0000000a") && e.visitor == after.details.visitor_id));
        assert_eq!(events[0].data["visitor_id"], "v_0123456789abcdef");
        assert_eq!(
            events[1].data,
            serde_json::json!({"conversation_id": "c0000000a", "seq": 1, "author": {"kind": "visitor"},
                "text": "Hello <there>", "sent_at": "2026-12-01T00:00:00.000Z"})
        );
        // Only what the endpoints want.
        let only = hook_events(&site, &id, &before, &after, &effects, &[EventKind::MessageCreated], 5);
        assert_eq!(only.len(), 1);
        assert!(hook_events(&site, &id, &before, &after, &effects, &[], 5).is_empty());

        let mut resolved = after.clone();
        resolved.details.status = ConversationStatus::Resolved;
        resolved.rev = 7;
        let events = hook_events(&site, &id, &after, &resolved, &[], &ALL, 6);
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].id.as_str(), events[0].kind), ("shop_c0000000a_s7", EventKind::StatusChanged));
        assert_eq!(events[0].data["status"], "resolved");
        assert_eq!(events[0].data["previous_status"], "open");
    }

    #[test]
    fn notes_stay_inside_and_a_message_is_one_event_however_many_sockets_hear_it() {
        let site = SiteId::parse("shop").unwrap();
        let id = ConversationId::parse("c0000000a").unwrap();
        let state = State {
            details: shared::ConversationDetails { started_at: 1, ..Default::default() },
            ..Default::default()
        };
        let reply = message(2, Author::Agent { name: "Olga".into() }, false);
        let effects = [
            broadcast(reply.clone()),
            Effect::ToSender { msg: ServerMsg::Message { message: reply }, agent: None },
            broadcast(message(3, Author::Agent { name: "Olga".into() }, true)),
        ];
        let events = hook_events(&site, &id, &state, &state, &effects, &ALL, 5);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].data["author"], serde_json::json!({"kind": "agent", "name": "Olga"}));
    }
}
