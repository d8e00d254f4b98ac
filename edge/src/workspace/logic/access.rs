//! Whose sockets are open where, so that access ends everywhere at once when it is revoked. The
//! workspace is the one place that hears of every revocation of its members (its account objects
//! tell it of ended sessions; it removes members itself), so it keeps which conversations each
//! agent session has a socket on and tells those conversations.

use super::{Effect, Workspace, WorkspaceStore};
use crate::account::SESSION_TTL_MS;
use crate::conversation::Ending;
use crate::error::{EdgeError, EdgeResult};
use shared::{CloseCode, ConversationId, Email};

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// A conversation is about to accept `email`'s socket, opened with `session`: recorded, so
    /// ending the session or the membership reaches it. Refused for a closed workspace, a
    /// former member, or a session that has ended since the router checked it.
    pub fn agent_socket(&mut self, conversation: &ConversationId, email: &Email, session: &str) -> EdgeResult<()> {
        self.config()?;
        if self.store.member(email)?.is_none() {
            return Err(EdgeError::Forbidden);
        }
        if self.store.session_ended(session)? {
            return Err(EdgeError::Unauthorized);
        }
        // Sessions last at most this long, so older registrations can only be stale.
        self.store.prune_agent_sockets(self.now - SESSION_TTL_MS)?;
        self.store.add_agent_socket(conversation, email, session, self.now)
    }

    /// `email`'s `sessions` ended (signed out, revoked, password changed, account closed): their
    /// inbox and conversation sockets close now, and they are refused if they try again.
    pub fn end_sessions(&mut self, email: &Email, sessions: &[String]) -> EdgeResult<()> {
        if sessions.is_empty() {
            return Ok(());
        }
        self.store.prune_ended_sessions(self.now - SESSION_TTL_MS)?;
        for session in sessions {
            self.store.end_session(session, self.now)?;
        }
        self.effects.push(Effect::Close {
            email: Some(email.clone()),
            sessions: Some(sessions.to_vec()),
            code: CloseCode::SessionEnded,
            reason: "the session ended",
        });
        self.end_conversation_access(Ending::Sessions { email: email.clone(), sessions: sessions.to_vec() })
    }

    /// Tells every conversation where the ending applies (as registered) to close those sockets.
    pub(super) fn end_conversation_access(&mut self, ending: Ending) -> EdgeResult<()> {
        let (email, sessions) = match &ending {
            Ending::Sessions { email, sessions } => (Some(email), Some(sessions.as_slice())),
            Ending::Member { email } => (Some(email), None),
            Ending::Workspace | Ending::Visitor => (None, None),
        };
        let conversations = self.store.agent_sockets(email, sessions)?;
        self.store.drop_agent_sockets(email, sessions)?;
        for conversation in conversations {
            self.effects.push(Effect::EndAccess { conversation, ending: ending.clone() });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::{self, Memory};
    use super::*;
    use crate::workspace::NewMember;
    use shared::api::Role;

    const DAY: i64 = 24 * 3600 * 1000;

    fn email(name: &str) -> Email {
        Email::parse(&format!("{name}@example.com")).unwrap()
    }

    fn cv(id: &str) -> ConversationId {
        ConversationId::parse(id).unwrap()
    }

    fn with_team() -> Memory {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 0, DAY);
        for (name, role) in [("owner", Role::Owner), ("agent", Role::Agent)] {
            ws.add_member(&NewMember { email: email(name), name: name.into(), role }, &[]).unwrap();
        }
        store
    }

    fn ends(effects: &[Effect]) -> Vec<(String, Ending)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::EndAccess { conversation, ending } => Some((conversation.as_str().to_owned(), ending.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn ending_a_session_reaches_its_inbox_and_every_conversation_it_opened_and_nothing_else() {
        let mut store = with_team();
        let mut ws = Workspace::new(&mut store, "demo", 1_000, DAY);
        ws.agent_socket(&cv("cv_one11111"), &email("agent"), "s1").unwrap();
        ws.agent_socket(&cv("cv_two22222"), &email("agent"), "s1").unwrap();
        ws.agent_socket(&cv("cv_two22222"), &email("agent"), "s2").unwrap();
        ws.agent_socket(&cv("cv_one11111"), &email("owner"), "s9").unwrap();
        ws.effects.clear();
        ws.end_sessions(&email("agent"), &["s1".into()]).unwrap();
        let ending = Ending::Sessions { email: email("agent"), sessions: vec!["s1".into()] };
        assert_eq!(
            ends(&ws.effects),
            vec![("cv_one11111".into(), ending.clone()), ("cv_two22222".into(), ending.clone())]
        );
        assert!(ws.effects.contains(&Effect::Close {
            email: Some(email("agent")),
            sessions: Some(vec!["s1".into()]),
            code: CloseCode::SessionEnded,
            reason: "the session ended",
        }));
        // Told once: a second ending of the same session has no conversation left to tell.
        ws.effects.clear();
        ws.end_sessions(&email("agent"), &["s1".into()]).unwrap();
        assert!(ends(&ws.effects).is_empty());
    }

    #[test]
    fn a_session_that_ended_cannot_register_a_socket_even_if_the_router_let_it_through() {
        let mut store = with_team();
        let mut ws = Workspace::new(&mut store, "demo", 1_000, DAY);
        ws.end_sessions(&email("agent"), &["s1".into()]).unwrap();
        // The late registration of an upgrade checked just before the session ended.
        assert!(matches!(ws.agent_socket(&cv("cv_one11111"), &email("agent"), "s1"), Err(EdgeError::Unauthorized)));
        assert!(matches!(ws.open_inbox(email("agent"), "s1".into()), Err(EdgeError::Unauthorized)));
        assert!(ws.agent_socket(&cv("cv_one11111"), &email("agent"), "s2").is_ok());
        assert!(matches!(ws.agent_socket(&cv("cv_one11111"), &email("stranger"), "s3"), Err(EdgeError::Forbidden)));
    }

    #[test]
    fn removing_a_member_closes_every_socket_of_theirs_in_every_conversation() {
        let mut store = with_team();
        let mut ws = Workspace::new(&mut store, "demo", 1_000, DAY);
        ws.agent_socket(&cv("cv_one11111"), &email("agent"), "s1").unwrap();
        ws.agent_socket(&cv("cv_two22222"), &email("agent"), "s2").unwrap();
        ws.agent_socket(&cv("cv_two22222"), &email("owner"), "s9").unwrap();
        ws.effects.clear();
        ws.remove_member(&email("owner"), &email("agent"), &[]).unwrap();
        let ending = Ending::Member { email: email("agent") };
        assert_eq!(ends(&ws.effects), vec![("cv_one11111".into(), ending.clone()), ("cv_two22222".into(), ending)]);
        // And a late registration of theirs is refused: they are no member any more.
        assert!(matches!(ws.agent_socket(&cv("cv_one11111"), &email("agent"), "s1"), Err(EdgeError::Forbidden)));
    }

    #[test]
    fn closing_the_workspace_shuts_every_conversation_visitors_included() {
        let mut store = with_team();
        store.summaries.insert("cv_one11111".into(), (memory::summary(&cv("cv_one11111"), "A", 5), None));
        store.summaries.insert("cv_two22222".into(), (memory::summary(&cv("cv_two22222"), "B", 6), None));
        let mut ws = Workspace::new(&mut store, "demo", 1_000, DAY);
        ws.close().unwrap();
        let shut: Vec<_> = ends(&ws.effects).into_iter().map(|(c, e)| (c, e == Ending::Workspace)).collect();
        assert_eq!(shut, vec![("cv_one11111".into(), true), ("cv_two22222".into(), true)]);
        assert!(matches!(ws.agent_socket(&cv("cv_one11111"), &email("agent"), "s1"), Err(EdgeError::UnknownSite(_))));
    }

    #[test]
    fn registrations_older_than_a_session_can_live_are_forgotten() {
        let mut store = with_team();
        Workspace::new(&mut store, "demo", 0, DAY).agent_socket(&cv("cv_one11111"), &email("agent"), "s1").unwrap();
        let later = SESSION_TTL_MS + 1;
        Workspace::new(&mut store, "demo", later, DAY).agent_socket(&cv("cv_two22222"), &email("agent"), "s2").unwrap();
        assert_eq!(store.agent_sockets.len(), 1);
    }
}
