//! What the visitor's profile must hear after a frame changed the conversation: that it has
//! started (it joins the visitor's list, for exports and erasure) and new contact details, with
//! who gave them. Details that came from the site (`identify`) are on the profile already, so the
//! glue asks only for frames that came on a socket.

use super::{Peer, Role, State};
use shared::api::AuditActor;
use shared::Email;

/// One thing to tell the visitor object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileNotice {
    /// The visitor's first message in a conversation their profile does not list yet: it
    /// belongs on their list now.
    Started,
    /// The visitor's name or email changed; `by` is `visitor` or the agent's email.
    Contact { by: String, name: Option<String>, email: Option<Email> },
}

/// Who did something, as the visitor's edit log and the audit log name them.
pub fn actor(peer: &Peer) -> AuditActor {
    match &peer.role {
        Role::Visitor => AuditActor::Visitor,
        Role::Agent { email, .. } => AuditActor::Agent(email.clone()),
    }
}

/// What changed between `before` and `after` that the visitor's profile keeps.
pub fn profile_notices(before: &State, after: &State, peer: &Peer) -> Vec<ProfileNotice> {
    let mut notices = vec![];
    if !after.listed && before.details.started_at == 0 && after.details.started_at != 0 {
        notices.push(ProfileNotice::Started);
    }
    let (b, a) = (&before.details, &after.details);
    let name_changed = b.visitor_name != a.visitor_name;
    let email_changed = b.visitor_email != a.visitor_email;
    // The anonymous name given at the first frame is not a detail anyone gave.
    if after.contact_given && (name_changed || email_changed) {
        notices.push(ProfileNotice::Contact {
            by: actor(peer).as_str().to_owned(),
            name: name_changed.then(|| a.visitor_name.clone()),
            email: if email_changed { a.visitor_email.clone() } else { None },
        });
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::super::{Conversation, VecLog};
    use super::*;
    use shared::{ClientMsg, ClientMsgId, ConversationId, PROTOCOL_VERSION};

    /// Runs frames through the real conversation logic and collects the notices of each.
    fn run(peer: &mut Peer, frames: Vec<ClientMsg>) -> Vec<Vec<ProfileNotice>> {
        let id = ConversationId::parse("cv_testtest").unwrap();
        let (mut state, mut log) = (State::default(), VecLog::default());
        let mut out = vec![];
        for (i, frame) in frames.into_iter().enumerate() {
            let before = state.clone();
            Conversation { id: &id, state: &mut state, log: &mut log, team: &[], files: crate::files::FileKeys::TEST }
                .handle(peer, Ok(frame), 1_000 + i as i64)
                .unwrap();
            out.push(profile_notices(&before, &state, peer));
        }
        out
    }

    fn send(id: &str) -> ClientMsg {
        ClientMsg::Send { client_id: ClientMsgId::parse(id).unwrap(), body: "hi".into(), note: false, file: None }
    }

    #[test]
    fn the_first_visitor_message_starts_the_conversation_once() {
        let mut visitor = Peer::new(Role::Visitor);
        let hello = ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: 0 };
        let notices = run(&mut visitor, vec![hello, send("c_00000001"), send("c_00000002")]);
        assert_eq!(notices, vec![vec![], vec![ProfileNotice::Started], vec![]]);
    }

    #[test]
    fn a_conversation_listed_when_the_chat_opened_is_not_told_again() {
        let id = ConversationId::parse("cv_testtest").unwrap();
        let mut state = State { listed: true, ..State::default() };
        let mut log = VecLog::default();
        let mut visitor = Peer { greeted: true, ..Peer::new(Role::Visitor) };
        let before = state.clone();
        Conversation { id: &id, state: &mut state, log: &mut log, team: &[], files: crate::files::FileKeys::TEST }
            .handle(&mut visitor, Ok(send("c_00000001")), 1_000)
            .unwrap();
        assert_ne!(state.details.started_at, 0, "it started");
        assert_eq!(profile_notices(&before, &state, &visitor), vec![]);
    }

    #[test]
    fn contact_details_name_who_gave_them_and_only_what_changed() {
        let mut visitor = Peer { greeted: true, ..Peer::new(Role::Visitor) };
        let notices = run(
            &mut visitor,
            vec![
                ClientMsg::Contact {
                    name: Some("Ada".into()),
                    email: None,
                    email_replies: false,
                    transcript: false,
                    lang: None,
                },
                ClientMsg::Contact {
                    name: Some("Ada".into()),
                    email: Some("ada@example.com".into()),
                    email_replies: false,
                    transcript: false,
                    lang: None,
                },
                ClientMsg::Contact {
                    name: Some("Ada".into()),
                    email: Some("ada@example.com".into()),
                    email_replies: false,
                    transcript: false,
                    lang: None,
                },
            ],
        );
        let ada = |name: Option<&str>, email: Option<&str>| ProfileNotice::Contact {
            by: "visitor".into(),
            name: name.map(Into::into),
            email: email.map(|e| Email::parse(e).unwrap()),
        };
        assert_eq!(notices[0], vec![ada(Some("Ada"), None)]);
        assert_eq!(notices[1], vec![ada(None, Some("ada@example.com"))]);
        assert_eq!(notices[2], vec![], "the same details again are not news");
    }

    #[test]
    fn an_agent_correction_is_attributed_to_the_agent() {
        let email = Email::parse("dana@example.com").unwrap();
        let mut dana = Peer { greeted: true, ..Peer::new(Role::Agent { name: "Dana".into(), email }) };
        let notices = run(
            &mut dana,
            vec![ClientMsg::Contact {
                name: Some("Bo".into()),
                email: None,
                email_replies: false,
                transcript: false,
                lang: None,
            }],
        );
        let [ProfileNotice::Contact { by, .. }] = notices[0].as_slice() else { panic!("{notices:?}") };
        assert_eq!(by, "dana@example.com");
    }

    #[test]
    fn the_anonymous_name_alone_is_not_a_contact_detail() {
        let mut visitor = Peer { greeted: true, ..Peer::new(Role::Visitor) };
        // The first frame gives the conversation its anonymous name; nobody gave details.
        let notices = run(&mut visitor, vec![ClientMsg::Typing]);
        assert_eq!(notices, vec![vec![]]);
    }
}
