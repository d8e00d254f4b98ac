//! Replies by email: who may ask, what is mailed and when, and answers coming back.

use super::super::{Conversation, Effect, Peer, Role, State, VecLog};
use super::*;
use shared::{AgentRef, ClientMsg, ConversationId, ConversationStatus};

struct Fixture {
    id: ConversationId,
    state: State,
    log: VecLog,
}

impl Fixture {
    fn new() -> Self {
        Self { id: ConversationId::parse("cv_mailmail").unwrap(), state: State::default(), log: VecLog::default() }
    }
    fn run(&mut self, peer: &mut Peer, frame: ClientMsg, now: i64) -> Vec<Effect> {
        self.conversation().handle(peer, Ok(frame), now).unwrap()
    }
    fn conversation(&mut self) -> Conversation<'_, VecLog> {
        Conversation {
            id: &self.id,
            state: &mut self.state,
            log: &mut self.log,
            team: &[],
            files: crate::files::FileKeys::TEST,
        }
    }
}

fn visitor() -> Peer {
    Peer { greeted: true, ..Peer::new(Role::Visitor) }
}

fn agent() -> Peer {
    Peer {
        greeted: true,
        ..Peer::new(Role::Agent { name: "Dana".into(), email: Email::parse("dana@shop.example").unwrap() })
    }
}

fn send(id: &str, body: &str) -> ClientMsg {
    ClientMsg::Send { client_id: ClientMsgId::parse(id).unwrap(), body: body.into(), note: false, file: None }
}

fn contact(email: Option<&str>, email_replies: bool) -> ClientMsg {
    ClientMsg::Contact { name: None, email: email.map(Into::into), email_replies, transcript: false, lang: None }
}

fn transcript(email: Option<&str>, lang: Option<Lang>) -> ClientMsg {
    ClientMsg::Contact { name: None, email: email.map(Into::into), email_replies: false, transcript: true, lang }
}

fn status(status: ConversationStatus) -> ClientMsg {
    ClientMsg::SetStatus { status }
}

fn ana() -> Email {
    Email::parse("ana@example.com").unwrap()
}

#[test]
fn only_the_visitor_with_an_address_can_ask_and_replies_are_mailed_once() {
    let mut f = Fixture::new();
    let (mut v, mut a) = (visitor(), agent());
    f.run(&mut v, send("c_0000000001", "Is the vase in stock?"), 1);
    // An agent cannot sign the visitor up; a visitor without an address cannot either.
    f.run(&mut a, contact(Some("ana@example.com"), true), 2);
    assert_eq!(f.state.email_replies, None);
    f.state.details.visitor_email = None;
    f.run(&mut v, contact(None, true), 3);
    assert_eq!(f.state.email_replies, None);
    f.run(&mut v, contact(Some("Ana@Example.com"), true), 4);
    assert_eq!(f.state.email_replies, Some(EmailReplies { since: 4, mailed_seq: 1, lang: None }));

    let effects = f.run(&mut a, send("c_0000000002", "Yes, it is."), 10);
    assert!(effects.contains(&Effect::ReplyMailDue), "{effects:?}");
    f.run(&mut a, send("c_0000000003", "Shall I keep it for you?"), 11);
    let note = ClientMsg::Send {
        client_id: ClientMsgId::parse("c_0000000004").unwrap(),
        body: "VIP".into(),
        note: true,
        file: None,
    };
    assert!(!f.run(&mut a, note, 12).contains(&Effect::ReplyMailDue), "a private note mails nothing");
    let mail = f.conversation().due_reply_mail().unwrap().expect("a mail");
    assert_eq!(mail.to, ana());
    let bodies: Vec<&str> = mail.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["Yes, it is.", "Shall I keep it for you?"], "both replies, no note, not the visitor's own");
    assert_eq!(f.conversation().due_reply_mail().unwrap(), None, "each once");
}

#[test]
fn what_the_visitor_read_in_the_widget_is_not_mailed() {
    let mut f = Fixture::new();
    let (mut v, mut a) = (visitor(), agent());
    f.run(&mut v, contact(Some("ana@example.com"), true), 1);
    f.run(&mut a, send("c_0000000002", "Hello!"), 2);
    f.run(&mut v, ClientMsg::Read { seq: 1 }, 3);
    assert_eq!(f.conversation().due_reply_mail().unwrap(), None);
}

#[test]
fn stopping_or_an_agent_changing_the_address_ends_the_mail() {
    let mut f = Fixture::new();
    let (mut v, mut a) = (visitor(), agent());
    f.run(&mut v, contact(Some("ana@example.com"), true), 1);
    f.state.stop_mail();
    f.run(&mut a, send("c_0000000002", "Hello!"), 2);
    assert_eq!(f.conversation().due_reply_mail().unwrap(), None);
    f.run(&mut v, contact(None, true), 3);
    assert!(f.state.email_replies.is_some(), "asked again");
    f.run(&mut a, contact(Some("someone@else.example"), false), 4);
    assert_eq!(f.state.email_replies, None, "the visitor asked for mail at their own address");
}

#[test]
fn an_answer_by_email_becomes_the_visitors_message_once_and_only_from_their_address() {
    let mut f = Fixture::new();
    let (mut v, mut a) = (visitor(), agent());
    f.run(&mut v, send("c_0000000001", "Hi"), 1);
    assert!(
        matches!(f.conversation().email_reply(&ana(), "Hello", "<m1@x>", 2), Err(EdgeError::Forbidden)),
        "not asked"
    );
    f.run(&mut v, contact(Some("ana@example.com"), true), 3);
    f.run(&mut a, send("c_0000000002", "How can I help?"), 4);
    let stranger = Email::parse("eve@example.com").unwrap();
    assert!(matches!(f.conversation().email_reply(&stranger, "Hi", "<m2@x>", 5), Err(EdgeError::Forbidden)));
    let effects = f.conversation().email_reply(&ana(), "The blue one, please.", "<m3@x>", 6).unwrap();
    assert!(effects.iter().any(|e| matches!(e, Effect::Broadcast { msg: shared::ServerMsg::Message { message }, .. }
        if message.author == Author::Visitor && message.body.as_str() == "The blue one, please.")));
    assert!(effects.iter().any(|e| matches!(e, Effect::Notify { .. })), "the inbox hears of it");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Reply(_))), "no socket to answer");
    // The same mail delivered twice is one message.
    f.conversation().email_reply(&ana(), "The blue one, please.", "<m3@x>", 7).unwrap();
    assert_eq!(f.log.0.iter().filter(|m| m.body.as_str() == "The blue one, please.").count(), 1);
    assert!(matches!(f.conversation().email_reply(&ana(), "   ", "<m4@x>", 8), Err(EdgeError::Invalid(_))));
}

#[test]
fn a_transcript_is_mailed_when_resolved_in_the_visitors_language_once_per_resolution() {
    let mut f = Fixture::new();
    let (mut v, mut a) = (visitor(), agent());
    f.run(&mut v, send("c_0000000001", "Ist die Vase vorrätig?"), 1);
    f.run(&mut a, transcript(Some("ana@example.com"), None), 2);
    assert_eq!(f.state.transcript, None, "only the visitor can ask");
    f.run(&mut v, transcript(Some("ana@example.com"), Some(Lang::De)), 3);
    assert_eq!(f.state.transcript, Some(Transcript { since: 3, lang: Some(Lang::De), mailed_seq: 0 }));
    assert_eq!(f.state.email_replies, None, "a transcript is not the replies");
    f.run(&mut a, send("c_0000000002", "Ja."), 4);
    let note = ClientMsg::Send {
        client_id: ClientMsgId::parse("c_0000000003").unwrap(),
        body: "VIP".into(),
        note: true,
        file: None,
    };
    f.run(&mut a, note, 5);
    assert_eq!(f.conversation().due_transcript().unwrap(), None, "not before it is resolved");

    assert!(!f.run(&mut a, status(ConversationStatus::Pending), 6).contains(&Effect::TranscriptDue));
    assert!(f.run(&mut a, status(ConversationStatus::Resolved), 7).contains(&Effect::TranscriptDue));
    assert!(!f.run(&mut a, status(ConversationStatus::Resolved), 8).contains(&Effect::TranscriptDue), "no change");
    let mail = f.conversation().due_transcript().unwrap().expect("a transcript");
    assert_eq!((mail.to, mail.lang), (ana(), Some(Lang::De)));
    let bodies: Vec<&str> = mail.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["Ist die Vase vorrätig?", "Ja."], "both sides, no private note");
    assert_eq!(f.conversation().due_transcript().unwrap(), None, "once");

    // Reopened and resolved again: mailed again only if something was written.
    f.run(&mut a, status(ConversationStatus::Open), 9);
    f.run(&mut a, status(ConversationStatus::Resolved), 10);
    assert_eq!(f.conversation().due_transcript().unwrap(), None);
    f.run(&mut a, status(ConversationStatus::Open), 11);
    f.run(&mut v, send("c_0000000004", "Danke!"), 12);
    f.run(&mut a, status(ConversationStatus::Resolved), 13);
    assert_eq!(f.conversation().due_transcript().unwrap().expect("again").messages.len(), 3);

    // A visitor who asked for a transcript may answer it by email; "stop" ends both.
    f.conversation().email_reply(&ana(), "Noch eine Frage", "<t1@x>", 14).unwrap();
    f.state.stop_mail();
    assert_eq!(f.state.transcript, None);
    f.run(&mut a, status(ConversationStatus::Open), 15);
    f.run(&mut a, status(ConversationStatus::Resolved), 16);
    assert_eq!(f.conversation().due_transcript().unwrap(), None);
}

#[test]
fn an_agent_correcting_the_address_or_blocking_stops_the_transcript_too() {
    let mut f = Fixture::new();
    let (mut v, mut a) = (visitor(), agent());
    f.run(&mut v, transcript(Some("ana@example.com"), None), 1);
    f.run(&mut v, contact(None, true), 2);
    assert!(f.state.wants_mail());
    f.run(&mut a, contact(Some("someone@else.example"), false), 3);
    assert_eq!((f.state.transcript.clone(), f.state.email_replies.clone()), (None, None));
    f.run(&mut v, transcript(None, None), 4);
    assert!(f.state.stop_mail(), "a block stops what was asked again");
    assert!(!f.state.stop_mail());
}

#[test]
fn a_members_answer_by_email_is_their_reply_once_and_only_while_they_are_in_the_team() {
    let mut f = Fixture::new();
    let mut v = visitor();
    f.run(&mut v, send("c_0000000001", "Hello?"), 1);
    let dana = AgentRef { email: Email::parse("dana@shop.example").unwrap(), name: "Dana".into() };
    let team = [dana.clone()];
    let answer = |f: &mut Fixture, team: &[AgentRef], from: &Email, id: &str, now| {
        Conversation { id: &f.id, state: &mut f.state, log: &mut f.log, team, files: crate::files::FileKeys::TEST }
            .team_email_reply(from, "Hi Ana!", id, now)
    };
    let effects = answer(&mut f, &team, &dana.email, "<d1@x>", 2).unwrap();
    assert!(effects.iter().any(|e| matches!(e, Effect::Broadcast { msg: shared::ServerMsg::Message { message }, .. }
        if message.author == Author::Agent { name: "Dana".into() } && message.body.as_str() == "Hi Ana!")));
    assert_eq!(f.state.unread, Some(0), "answered: nothing waits for the team");
    answer(&mut f, &team, &dana.email, "<d1@x>", 3).unwrap();
    assert_eq!(f.log.0.iter().filter(|m| m.body.as_str() == "Hi Ana!").count(), 1, "the same mail twice is one reply");
    assert!(matches!(answer(&mut f, &[], &dana.email, "<d2@x>", 4), Err(EdgeError::Forbidden)), "removed since");
    let eve = Email::parse("eve@example.com").unwrap();
    assert!(matches!(answer(&mut f, &team, &eve, "<d3@x>", 5), Err(EdgeError::Forbidden)));
}
