//! Who may open a conversation's socket, and whose conversation it is. The router has checked
//! the session or the visitor token; these are the checks only the conversation can make.

use super::{Role, State};
use crate::error::{EdgeError, EdgeResult};
use shared::VisitorId;

/// Whether `role` may open a socket on this conversation. An erased one is gone for agents and
/// refuses its visitor's token; agents open only conversations that exist (visitors create theirs
/// by writing).
pub fn admit(role: &Role, started: bool, erased: bool) -> EdgeResult<()> {
    match role {
        Role::Agent { .. } if erased || !started => Err(EdgeError::NotFound),
        Role::Visitor if erased => Err(EdgeError::Unauthorized),
        _ => Ok(()),
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
        assert!(admit(&agent(), true, false).is_ok());
        assert!(matches!(admit(&agent(), false, false), Err(EdgeError::NotFound)));
        assert!(matches!(admit(&agent(), true, true), Err(EdgeError::NotFound)));
        assert!(admit(&Role::Visitor, false, false).is_ok());
        assert!(matches!(admit(&Role::Visitor, true, true), Err(EdgeError::Unauthorized)));
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
