//! The agents' live inbox sockets: what a frame does (hello, presence, errors) and who counts as
//! available. Each socket's state is an [`InboxPeer`], kept by the glue in the socket's
//! hibernation attachment so it survives the object being evicted between frames.

use super::{Effect, Workspace, WorkspaceStore};
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::{ClientMsg, Email, ErrorCode, ServerMsg, PROTOCOL_VERSION};

/// Whose inbox a socket is, whether it said hello, and whether they are away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxPeer {
    pub email: Email,
    pub greeted: bool,
    pub away: bool,
    /// The public id of the session that opened it: ending that session closes it.
    #[serde(default)]
    pub session: Option<String>,
}

/// Agents with an inbox open and not away.
fn available(peers: &[InboxPeer]) -> Vec<Email> {
    peers.iter().filter(|p| p.greeted && !p.away).map(|p| p.email.clone()).collect()
}

/// Whether an agent has an inbox open and is not away.
pub fn anyone_available(peers: &[InboxPeer]) -> bool {
    !available(peers).is_empty()
}

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// A new inbox socket of `email` (the router checked their session): only in an open
    /// workspace.
    pub fn open_inbox(&self, email: Email, session: String) -> EdgeResult<InboxPeer> {
        self.config()?;
        if self.store.member(&email)?.is_none() {
            return Err(EdgeError::Forbidden);
        }
        if self.store.session_ended(&session)? {
            return Err(EdgeError::Unauthorized);
        }
        Ok(InboxPeer { email, greeted: false, away: false, session: Some(session) })
    }

    /// Tells every inbox the team and who is available among `peers` (every open inbox).
    pub(super) fn tell_team(&mut self, peers: &[InboxPeer]) -> EdgeResult<()> {
        let agents = crate::team::presence(&self.members()?, &available(peers));
        self.effects.push(Effect::Broadcast(ServerMsg::Team { agents }));
        self.tell_visitors(peers)
    }

    /// A frame on `peer`'s inbox socket (already decoded, or the decoding error); `others` are
    /// the other open inboxes. A failure is answered on the socket.
    pub fn on_frame(&mut self, peer: &mut InboxPeer, others: &[InboxPeer], frame: Result<ClientMsg, ErrorCode>) {
        let start = self.effects.len();
        if let Err(e) = self.frame(peer, others, frame) {
            self.effects.truncate(start);
            self.effects.push(Effect::Reply(ServerMsg::error(e.code(), e.public_message())));
        }
    }

    fn frame(
        &mut self,
        peer: &mut InboxPeer,
        others: &[InboxPeer],
        frame: Result<ClientMsg, ErrorCode>,
    ) -> EdgeResult<()> {
        let reply = |code, message: &str| Effect::Reply(ServerMsg::error(code, message));
        let with = |peer: &InboxPeer| others.iter().cloned().chain([peer.clone()]).collect::<Vec<_>>();
        match frame {
            Err(code) => self.effects.push(reply(code, "that frame is not a valid message")),
            Ok(ClientMsg::Hello { protocol, .. }) if protocol != PROTOCOL_VERSION => {
                return Err(EdgeError::UnsupportedProtocol(protocol));
            }
            Ok(ClientMsg::Hello { .. }) => {
                peer.greeted = true;
                self.effects.push(Effect::Reply(ServerMsg::Inbox { conversations: self.conversations()? }));
                if let Some(notice) = self.notice()? {
                    self.effects.push(Effect::Reply(notice));
                }
                self.tell_team(&with(peer))?;
            }
            Ok(_) if !peer.greeted => self.effects.push(reply(ErrorCode::HelloRequired, "send hello first")),
            Ok(ClientMsg::Presence { away }) => {
                peer.away = away;
                self.tell_team(&with(peer))?;
            }
            Ok(_) => {
                let message = "conversation frames go to the conversation's socket";
                self.effects.push(reply(ErrorCode::InvalidInput, message));
            }
        }
        Ok(())
    }

    /// An inbox closed: its agent may no longer be available. `remaining` are the inboxes
    /// still open.
    pub fn inbox_closed(&mut self, remaining: &[InboxPeer]) -> EdgeResult<()> {
        self.tell_team(remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::Memory;
    use super::*;
    use crate::workspace::NewMember;
    use shared::api::Role;
    use shared::AgentPresence;

    fn email(name: &str) -> Email {
        Email::parse(&format!("{name}@example.com")).unwrap()
    }

    fn hello() -> Result<ClientMsg, ErrorCode> {
        Ok(ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: 0 })
    }

    fn presence(away: bool) -> Result<ClientMsg, ErrorCode> {
        Ok(ClientMsg::Presence { away })
    }

    fn store() -> Memory {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 1, 1_000);
        for name in ["ada", "bob"] {
            ws.add_member(&NewMember { email: email(name), name: name.into(), role: Role::Agent }, &[]).unwrap();
        }
        store
    }

    fn available_in(effects: &[Effect]) -> Vec<String> {
        let Some(Effect::Broadcast(ServerMsg::Team { agents })) = effects.last() else { panic!("{effects:?}") };
        agents.iter().filter(|a: &&AgentPresence| a.online).map(|a| a.agent.name.clone()).collect()
    }

    #[test]
    fn hello_lists_the_inbox_and_tells_the_team_then_presence_changes_availability() {
        let mut store = store();
        let mut ws = Workspace::new(&mut store, "demo", 2, 1_000);
        let mut ada = ws.open_inbox(email("ada"), "s1".into()).unwrap();
        let bob = InboxPeer { email: email("bob"), greeted: true, away: false, session: None };
        ws.on_frame(&mut ada, std::slice::from_ref(&bob), presence(true));
        assert!(matches!(&ws.effects[..], [Effect::Reply(ServerMsg::Error { code: ErrorCode::HelloRequired, .. })]));
        ws.effects.clear();
        ws.on_frame(&mut ada, std::slice::from_ref(&bob), hello());
        assert!(ada.greeted);
        assert!(matches!(&ws.effects[0], Effect::Reply(ServerMsg::Inbox { .. })));
        assert_eq!(available_in(&ws.effects), ["ada", "bob"]);
        ws.effects.clear();
        ws.on_frame(&mut ada, std::slice::from_ref(&bob), presence(true));
        assert_eq!(available_in(&ws.effects), ["bob"]);
        ws.effects.clear();
        ws.inbox_closed(&[ada.clone()]).unwrap();
        assert!(available_in(&ws.effects).is_empty(), "ada is away and bob's inbox closed");
        assert!(!anyone_available(&[ada]));
        assert!(anyone_available(&[bob]));
    }

    #[test]
    fn bad_frames_are_answered_with_an_error_on_the_socket() {
        let mut store = store();
        let mut ws = Workspace::new(&mut store, "demo", 2, 1_000);
        let mut ada = ws.open_inbox(email("ada"), "s1".into()).unwrap();
        ws.on_frame(&mut ada, &[], Err(ErrorCode::MalformedFrame));
        ws.on_frame(&mut ada, &[], Ok(ClientMsg::Hello { protocol: PROTOCOL_VERSION + 1, after_seq: 0 }));
        let codes: Vec<_> = ws
            .effects
            .iter()
            .map(|e| match e {
                Effect::Reply(ServerMsg::Error { code, .. }) => *code,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(codes, [ErrorCode::MalformedFrame, ErrorCode::UnsupportedProtocol]);
        assert!(!ada.greeted);
    }

    #[test]
    fn a_closed_or_unknown_workspace_opens_no_inbox() {
        let mut store = store();
        store.closing_at = Some(10);
        assert!(matches!(
            Workspace::new(&mut store, "demo", 2, 1_000).open_inbox(email("ada"), "s1".into()),
            Err(EdgeError::UnknownSite(_))
        ));
        let mut empty = Memory::default();
        assert!(Workspace::new(&mut empty, "demo", 2, 1_000).open_inbox(email("ada"), "s1".into()).is_err());
    }
}
