//! A file message that comes by HTTP (the upload forms of the widget and the inbox: the browser
//! posts the file itself) rather than on a socket. It is sent as its sender with the client id
//! their page chose, and what a socket would hear in answer (the ack, or the refusal: too large,
//! not a kind the chat takes, over a budget) goes to the sender's own sockets here; a refusal as
//! a notice, since no line on their screen waits for it.

use super::{may_use, reply_err, Conversation, Effect, MessageLog, Peer, Role};
use crate::error::{EdgeError, EdgeResult};
use shared::files::Attachment;
use shared::{ClientMsgId, ServerMsg};

impl<L: MessageLog> Conversation<'_, L> {
    /// The message carrying `upload` (or its refusal, told the same way), and whether the file
    /// is now a stored message's: if not (refused, or a resend of a message stored before), the
    /// caller deletes the bytes it put in the bucket.
    pub fn posted_file(
        &mut self,
        mut sender: Peer,
        client_id: ClientMsgId,
        upload: Result<Attachment, EdgeError>,
        now: i64,
    ) -> EdgeResult<(Vec<Effect>, bool)> {
        sender.greeted = true;
        let (effects, file) = match (may_use(&sender, self.state), upload) {
            (Err(_), _) => (vec![reply_err(EdgeError::Unauthorized, Some(client_id.clone()))], None),
            (Ok(()), Err(e)) => (vec![reply_err(e, Some(client_id.clone()))], None),
            (Ok(()), Ok(file)) => {
                let id = file.id.clone();
                (self.send(&mut sender, client_id.clone(), "", false, Some(file), now)?, Some(id))
            }
        };
        let kept = match file {
            Some(id) => self.log.by_client_id(&client_id)?.and_then(|m| m.file).is_some_and(|f| f.id == id),
            None => false,
        };
        let agent = match sender.role {
            Role::Agent { email, .. } => Some(email),
            Role::Visitor => None,
        };
        let effects = effects
            .into_iter()
            .map(|effect| match effect {
                // The bytes are not kept to send again: a budget's refusal is final, not a wait.
                Effect::Reply(ServerMsg::Error { code, message, .. }) => Effect::ToSender {
                    msg: ServerMsg::Error { code, message, client_id: None, retry_after_s: None },
                    agent: agent.clone(),
                },
                Effect::Reply(msg) => Effect::ToSender { msg, agent: agent.clone() },
                effect => effect,
            })
            .collect();
        Ok((effects, kept))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{State, VecLog, RATE_BURST};
    use super::*;
    use shared::files::FileKind;
    use shared::{ConversationId, Email, ErrorCode};

    struct Fixture {
        id: ConversationId,
        state: State,
        log: VecLog,
    }

    impl Fixture {
        fn post(
            &mut self,
            sender: Peer,
            client_id: &str,
            upload: Result<Attachment, EdgeError>,
        ) -> (Vec<Effect>, bool) {
            let mut c = Conversation {
                id: &self.id,
                state: &mut self.state,
                log: &mut self.log,
                team: &[],
                files: crate::files::FileKeys::TEST,
            };
            c.posted_file(sender, ClientMsgId::parse(client_id).unwrap(), upload, 1_000).unwrap()
        }
    }

    fn fixture() -> Fixture {
        Fixture { id: ConversationId::parse("cv_postpost").unwrap(), state: State::default(), log: VecLog::default() }
    }

    fn file(id: &str) -> Attachment {
        Attachment { id: id.into(), name: "receipt.pdf".into(), size: 2_048, kind: FileKind::Pdf }
    }

    fn dana() -> Peer {
        Peer::new(Role::Agent { name: "Dana".into(), email: Email::parse("dana@shop.example").unwrap() })
    }

    #[test]
    fn a_posted_file_is_a_message_to_everyone_and_its_ack_goes_to_the_senders_sockets() {
        let mut f = fixture();
        let (effects, kept) = f.post(Peer::new(Role::Visitor), "c_file000001", Ok(file("f_one")));
        assert!(kept);
        let stored = f.log.by_client_id(&ClientMsgId::parse("c_file000001").unwrap()).unwrap().unwrap();
        assert_eq!((stored.body.as_str(), stored.file), ("receipt.pdf", Some(file("f_one"))), "captioned by its name");
        assert!(effects.iter().any(|e| matches!(e, Effect::ToSender { msg: ServerMsg::Ack { .. }, agent: None })));
        assert!(effects
            .iter()
            .any(|e| matches!(e, Effect::Broadcast { msg: ServerMsg::Message { .. }, agents_only: false })));
        assert!(!effects.iter().any(|e| matches!(e, Effect::Reply(_))), "no socket sent it: {effects:?}");

        // An agent's goes to that agent's sockets.
        let (effects, kept) = f.post(dana(), "c_file000002", Ok(file("f_two")));
        assert!(kept);
        let to = effects.iter().find_map(|e| match e {
            Effect::ToSender { msg: ServerMsg::Ack { .. }, agent } => Some(agent.clone()),
            _ => None,
        });
        assert_eq!(to, Some(Some(Email::parse("dana@shop.example").unwrap())));
    }

    #[test]
    fn a_refused_upload_is_told_to_the_sender_and_nothing_is_kept() {
        let mut f = fixture();
        let (effects, kept) = f.post(Peer::new(Role::Visitor), "c_file000003", Err(EdgeError::TooLarge));
        assert!(!kept);
        assert!(f.log.last().unwrap().is_none(), "no message");
        match &effects[..] {
            [Effect::ToSender { msg: ServerMsg::Error { code, client_id, retry_after_s, .. }, agent: None }] => {
                assert_eq!(*code, ErrorCode::TooLarge);
                assert_eq!((client_id, retry_after_s), (&None, &None), "a notice, nothing to wait for");
            }
            other => panic!("{other:?}"),
        }
        // Over the sender's message budget: refused for good (the bytes are gone, nothing to
        // resend), and the file is not kept.
        for i in 0..RATE_BURST {
            f.post(Peer::new(Role::Visitor), &format!("c_burst{i:05}"), Ok(file(&format!("f_b{i}"))));
        }
        let (effects, kept) = f.post(Peer::new(Role::Visitor), "c_file000004", Ok(file("f_over")));
        assert!(!kept);
        assert!(
            effects.iter().any(|e| matches!(
                e,
                Effect::ToSender {
                    msg: ServerMsg::Error { code: ErrorCode::RateLimited, retry_after_s: None, .. },
                    ..
                }
            )),
            "{effects:?}"
        );
    }

    #[test]
    fn the_same_upload_posted_twice_is_one_message_and_the_second_file_is_not_kept() {
        let mut f = fixture();
        assert!(f.post(Peer::new(Role::Visitor), "c_file000005", Ok(file("f_first"))).1);
        let (effects, kept) = f.post(Peer::new(Role::Visitor), "c_file000005", Ok(file("f_again")));
        assert!(!kept, "the stored message keeps its own file");
        assert!(matches!(&effects[..], [Effect::ToSender { msg: ServerMsg::Ack { seq: 1, .. }, .. }]), "{effects:?}");
    }

    #[test]
    fn an_anonymous_token_cannot_post_into_a_verified_users_conversation() {
        let mut f = fixture();
        f.state.details.verified_id = Some("user-7".into());
        let (effects, kept) = f.post(Peer::new(Role::Visitor), "c_file000006", Ok(file("f_x")));
        assert!(!kept);
        assert!(matches!(
            &effects[..],
            [Effect::ToSender { msg: ServerMsg::Error { code: ErrorCode::Unauthorized, .. }, .. }]
        ));
    }
}
