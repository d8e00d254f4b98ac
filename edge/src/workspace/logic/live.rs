//! Availability, live, for visitors: the workspace keeps which conversations have a visitor's
//! socket open, and when whether someone can answer changes (an agent opens or closes their
//! inbox, or switches to away), it tells each of them, so the widget's header, greeting and away
//! card follow. The state is the workspace's only: no agent names or counts reach a visitor.

use super::inbox::{anyone_available, InboxPeer};
use super::{Effect, Workspace, WorkspaceStore};
use crate::error::EdgeResult;
use shared::ConversationId;

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// Whether someone can answer now: an agent available among `peers` (the open inboxes),
    /// within business hours if the site has them.
    pub fn can_answer(&self, peers: &[InboxPeer]) -> EdgeResult<bool> {
        if !anyone_available(peers) {
            return Ok(false);
        }
        Ok(match &self.config()?.chat.business_hours {
            None => true,
            Some(hours) => (self.local_time)(&hours.time_zone)
                .is_some_and(|(weekday, minute)| crate::chat_settings::is_open(hours, weekday, minute)),
        })
    }

    /// A conversation's visitor opened a socket (`live`), or closed their last one. Answers
    /// whether someone can answer now, for the visitor who just connected.
    pub fn visitor_live(&mut self, id: &ConversationId, live: bool, peers: &[InboxPeer]) -> EdgeResult<bool> {
        self.store.set_live(id, live)?;
        self.can_answer(peers)
    }

    /// After the team changed: if whether someone can answer is not what visitors were last
    /// told, every conversation with a visitor's socket open is told.
    pub(super) fn tell_visitors(&mut self, peers: &[InboxPeer]) -> EdgeResult<()> {
        let online = self.can_answer(peers)?;
        if self.store.told_available()? == Some(online) {
            return Ok(());
        }
        self.store.set_told_available(online)?;
        let conversations = self.store.live()?;
        if !conversations.is_empty() {
            self.effects.push(Effect::Availability { conversations, online });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::Memory;
    use super::*;
    use crate::workspace::NewMember;
    use shared::api::{BusinessHours, Role};
    use shared::{ClientMsg, Email, PROTOCOL_VERSION};

    fn store() -> Memory {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "shop", 1, 86_400_000);
        let ada = NewMember { email: Email::parse("ada@shop.example").unwrap(), name: "Ada".into(), role: Role::Agent };
        ws.add_member(&ada, &[]).unwrap();
        store
    }

    fn peer(email: &str, away: bool) -> InboxPeer {
        InboxPeer { email: Email::parse(email).unwrap(), greeted: true, away, session: None }
    }

    fn id(s: &str) -> ConversationId {
        ConversationId::parse(s).unwrap()
    }

    fn told(effects: &[Effect]) -> Vec<(Vec<ConversationId>, bool)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Availability { conversations, online } => Some((conversations.clone(), *online)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn live_visitors_hear_when_the_first_agent_comes_and_the_last_goes_and_only_then() {
        let mut store = store();
        let mut ws = Workspace::new(&mut store, "shop", 1_000, 86_400_000);
        assert!(!ws.visitor_live(&id("cv_live0001"), true, &[]).unwrap(), "nobody is there yet");
        ws.visitor_live(&id("cv_live0002"), true, &[]).unwrap();
        ws.visitor_live(&id("cv_live0002"), false, &[]).unwrap();

        // Ada's inbox says hello: the live conversation hears "online", once.
        let mut ada = InboxPeer { greeted: false, ..peer("ada@shop.example", false) };
        ws.on_frame(&mut ada, &[], Ok(ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: 0 }));
        assert_eq!(told(&ws.effects), [(vec![id("cv_live0001")], true)]);
        ws.effects.clear();
        // A second inbox changes nothing a visitor sees.
        let mut bob = InboxPeer { greeted: false, ..peer("ada@shop.example", false) };
        ws.on_frame(
            &mut bob,
            std::slice::from_ref(&ada),
            Ok(ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: 0 }),
        );
        assert_eq!(told(&ws.effects), []);
        // Ada away while her other inbox is open: still someone. Both away: "away".
        ws.on_frame(&mut ada, std::slice::from_ref(&bob), Ok(ClientMsg::Presence { away: true }));
        assert_eq!(told(&ws.effects), []);
        ws.on_frame(&mut bob, std::slice::from_ref(&ada), Ok(ClientMsg::Presence { away: true }));
        assert_eq!(told(&ws.effects), [(vec![id("cv_live0001")], false)]);
        ws.effects.clear();
        // Back, then every inbox closed.
        ws.on_frame(&mut bob, std::slice::from_ref(&ada), Ok(ClientMsg::Presence { away: false }));
        assert!(ws.visitor_live(&id("cv_live0003"), true, &[ada.clone(), bob.clone()]).unwrap());
        ws.effects.clear();
        ws.inbox_closed(&[]).unwrap();
        assert_eq!(told(&ws.effects), [(vec![id("cv_live0001"), id("cv_live0003")], false)]);
    }

    #[test]
    fn outside_business_hours_nobody_can_answer_whoever_is_online() {
        let mut store = store();
        let hours = BusinessHours { time_zone: "Europe/Berlin".into(), days: vec![0], open: 540, close: 1020 };
        store.config.as_mut().unwrap().chat.business_hours = Some(hours);
        let ada = peer("ada@shop.example", false);
        let mut ws = Workspace::new(&mut store, "shop", 1_000, 86_400_000);
        ws.local_time = |_| Some((0, 600));
        assert!(ws.can_answer(std::slice::from_ref(&ada)).unwrap(), "Monday 10:00");
        ws.local_time = |_| Some((0, 1100));
        assert!(!ws.can_answer(std::slice::from_ref(&ada)).unwrap(), "Monday 18:20");
        ws.local_time = |_| None;
        assert!(!ws.can_answer(&[ada]).unwrap(), "a time zone the runtime does not know");
    }
}
