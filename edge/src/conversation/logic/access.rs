//! Who may open a conversation's socket, whose conversation it is, and whose access ends. The
//! router has checked the session or the visitor token when the socket opened; these are the
//! checks only the conversation can make, on every frame as well as at the door.

use super::{Peer, Role, State};
use crate::conversation::Ending;
use crate::error::{EdgeError, EdgeResult};
use shared::{CloseCode, VisitorId};

/// What the conversation knows of itself when a socket asks to open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Door {
    /// The visitor has written (agents open only conversations that exist).
    pub started: bool,
    /// Erased: gone for agents, and its visitor's token is refused.
    pub erased: bool,
    /// Its workspace was closed: nobody gets in any more.
    pub shut: bool,
}

/// Whether `role` may open a socket on this conversation.
pub fn admit(role: &Role, door: Door) -> EdgeResult<()> {
    match role {
        _ if door.shut => Err(EdgeError::UnknownSite("this workspace was closed".into())),
        Role::Agent { .. } if door.erased || !door.started => Err(EdgeError::NotFound),
        Role::Visitor if door.erased => Err(EdgeError::Unauthorized),
        _ => Ok(()),
    }
}

/// Whether a visitor's socket still speaks for this conversation's visitor: once the
/// conversation is a verified user's, only a token carrying that user serves, an anonymous one
/// opened before their first verified `identify` included. Agents' access ends by [`Ending`].
pub fn may_use(peer: &Peer, state: &State) -> Result<(), CloseCode> {
    match (&peer.role, &state.details.verified_id) {
        (Role::Visitor, Some(bound)) if peer.verified.as_ref() != Some(bound) => Err(CloseCode::TokenSuperseded),
        _ => Ok(()),
    }
}

impl Ending {
    /// Whether this ending closes `peer`'s socket.
    pub fn ends(&self, peer: &Peer) -> bool {
        match (self, &peer.role) {
            (Ending::Workspace, _) => true,
            (Ending::Visitor, role) => *role == Role::Visitor,
            (Ending::Member { email }, Role::Agent { email: e, .. }) => e == email,
            (Ending::Sessions { email, sessions }, Role::Agent { email: e, .. }) => {
                e == email && peer.session.as_ref().is_some_and(|s| sessions.contains(s))
            }
            (_, Role::Visitor) => false,
        }
    }

    /// What the client is told.
    pub fn code(&self) -> CloseCode {
        match self {
            Ending::Workspace => CloseCode::WorkspaceClosed,
            Ending::Visitor => CloseCode::VisitorBlocked,
            Ending::Member { .. } => CloseCode::RemovedFromWorkspace,
            Ending::Sessions { .. } => CloseCode::SessionEnded,
        }
    }
}

/// Records whose conversation this is, on a visitor's socket; answers whether `state` changed.
/// One opened by a verified user stays bound to that user: a token without the same verified id
/// is refused, so nobody else can write as them (an anonymous token from before their first
/// verified `identify` included).
pub fn bind_visitor(state: &mut State, visitor: Option<VisitorId>, verified: Option<String>) -> EdgeResult<bool> {
    let before = state.clone();
    match (&state.details.verified_id, &verified) {
        (Some(bound), token) if Some(bound) != token.as_ref() => return Err(EdgeError::Unauthorized),
        (None, Some(id)) => state.details.verified_id = Some(id.clone()),
        _ => {}
    }
    if state.details.visitor_id.is_none() {
        state.details.visitor_id = visitor;
    }
    Ok(*state != before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Email;

    fn agent() -> Role {
        Role::Agent { name: "Dana".into(), email: Email::parse("dana@example.com").unwrap() }
    }

    fn vid(s: &str) -> Option<VisitorId> {
        Some(VisitorId::parse(s).unwrap())
    }

    #[test]
    fn agents_open_only_started_conversations_and_nobody_an_erased_one() {
        let door = |started, erased| Door { started, erased, shut: false };
        assert!(admit(&agent(), door(true, false)).is_ok());
        assert!(matches!(admit(&agent(), door(false, false)), Err(EdgeError::NotFound)));
        assert!(matches!(admit(&agent(), door(true, true)), Err(EdgeError::NotFound)));
        assert!(admit(&Role::Visitor, door(false, false)).is_ok());
        assert!(matches!(admit(&Role::Visitor, door(true, true)), Err(EdgeError::Unauthorized)));
    }

    #[test]
    fn nobody_opens_a_conversation_of_a_closed_workspace() {
        let shut = Door { started: true, erased: false, shut: true };
        assert!(matches!(admit(&agent(), shut), Err(EdgeError::UnknownSite(_))));
        assert!(matches!(admit(&Role::Visitor, shut), Err(EdgeError::UnknownSite(_))));
    }

    #[test]
    fn an_anonymous_socket_loses_a_conversation_that_became_a_verified_users() {
        let mut state = State::default();
        let anonymous = Peer::new(Role::Visitor);
        let user = Peer { verified: Some("user-1".into()), ..Peer::new(Role::Visitor) };
        let other = Peer { verified: Some("user-2".into()), ..Peer::new(Role::Visitor) };
        assert_eq!(may_use(&anonymous, &state), Ok(()));
        bind_visitor(&mut state, vid("vs_aaaaaaaa"), Some("user-1".into())).unwrap();
        assert_eq!(may_use(&anonymous, &state), Err(CloseCode::TokenSuperseded));
        assert_eq!(may_use(&other, &state), Err(CloseCode::TokenSuperseded));
        assert_eq!(may_use(&user, &state), Ok(()));
        assert_eq!(may_use(&Peer::new(agent()), &state), Ok(()), "agents are not bound to the user");
    }

    #[test]
    fn an_ending_closes_exactly_the_sockets_it_names() {
        let dana = shared::Email::parse("dana@example.com").unwrap();
        let session = |id: &str| Peer { session: Some(id.into()), ..Peer::new(agent()) };
        let other_agent = Peer {
            session: Some("s1".into()),
            ..Peer::new(Role::Agent { name: "Lee".into(), email: shared::Email::parse("lee@example.com").unwrap() })
        };
        let visitor = Peer::new(Role::Visitor);
        let ended = Ending::Sessions { email: dana.clone(), sessions: vec!["s1".into()] };
        assert!(ended.ends(&session("s1")));
        assert!(!ended.ends(&session("s2")), "another session of the same agent stays");
        assert!(!ended.ends(&other_agent), "the same session id of another agent is not theirs");
        assert!(!ended.ends(&visitor));
        assert!(!ended.ends(&Peer::new(agent())), "a socket without a session is not one of these");
        let removed = Ending::Member { email: dana };
        assert!(removed.ends(&session("s1")) && removed.ends(&session("s2")) && removed.ends(&Peer::new(agent())));
        assert!(!removed.ends(&other_agent) && !removed.ends(&visitor));
        assert!(Ending::Workspace.ends(&visitor) && Ending::Workspace.ends(&other_agent));
        assert!(
            Ending::Visitor.ends(&visitor) && !Ending::Visitor.ends(&other_agent),
            "blocking ends the visitor's only"
        );
        assert_eq!(Ending::Visitor.code(), CloseCode::VisitorBlocked);
        assert_eq!(Ending::Workspace.code(), CloseCode::WorkspaceClosed);
        assert_eq!(removed.code(), CloseCode::RemovedFromWorkspace);
        assert_eq!(ended.code(), CloseCode::SessionEnded);
    }

    #[test]
    fn the_first_visitor_and_verified_user_stick() {
        let mut state = State::default();
        assert!(bind_visitor(&mut state, vid("vs_aaaaaaaa"), None).unwrap());
        // Reconnecting with the same token changes nothing (no write needed).
        assert!(!bind_visitor(&mut state, vid("vs_aaaaaaaa"), None).unwrap());
        assert!(bind_visitor(&mut state, vid("vs_aaaaaaaa"), Some("user-1".into())).unwrap());
        assert_eq!(state.details.verified_id.as_deref(), Some("user-1"));
        assert_eq!(state.details.visitor_id, vid("vs_aaaaaaaa"));
    }

    #[test]
    fn a_bound_conversation_refuses_other_and_anonymous_tokens() {
        let mut state = State::default();
        bind_visitor(&mut state, vid("vs_aaaaaaaa"), Some("user-1".into())).unwrap();
        let before = state.clone();
        assert!(matches!(bind_visitor(&mut state, vid("vs_aaaaaaaa"), None), Err(EdgeError::Unauthorized)));
        assert!(matches!(
            bind_visitor(&mut state, vid("vs_bbbbbbbb"), Some("user-2".into())),
            Err(EdgeError::Unauthorized)
        ));
        assert_eq!(state, before, "a refused token changes nothing");
        assert!(!bind_visitor(&mut state, vid("vs_bbbbbbbb"), Some("user-1".into())).unwrap());
    }
}
