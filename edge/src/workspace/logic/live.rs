//! Availability, live, for visitors: the workspace keeps which conversations have a visitor's
//! socket open, and when whether someone can answer changes (an agent opens or closes their
//! inbox, or switches to away), it tells each of them, so the widget's header, greeting and away
//! card follow. The state is the workspace's only: no agent names or counts reach a visitor.

use super::inbox::{anyone_available, InboxPeer};
use super::{Effect, Workspace, WorkspaceStore};
use crate::chat_settings::minutes_to_change;
use crate::error::EdgeResult;
use serde::{Deserialize, Serialize};
use shared::ConversationId;
use std::cell::Cell;

/// What visitors were told: whether someone can answer, and which change of it that was (the
/// workspace counts them). A visitor's socket hears it two ways, its own answer when it opens and
/// the news when it changes, and the news can overtake an answer still on its way: the number
/// tells which is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Told {
    pub online: bool,
    pub seq: u64,
}

/// The newest [`Told`] a conversation object passed on to its visitor's sockets, while it lives:
/// an older one that arrives after it is dropped. (A new instance starts from nothing: no call
/// is on its way to an instance that was not there.)
#[derive(Debug, Default)]
pub struct Newest(Cell<u64>);

impl Newest {
    /// Whether `told` is to be passed on: not older than what was. The same change twice is
    /// passed on (a second socket asked, or the news and the answer were the same).
    pub fn admits(&self, told: Told) -> bool {
        if told.seq < self.0.get() {
            return false;
        }
        self.0.set(told.seq);
        true
    }
}

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
    /// whether someone can answer now, for the visitor who just connected. Visitors already
    /// there hear it too if they were told otherwise; and while the site has business hours, the
    /// alarm comes when they next open or close.
    pub fn visitor_live(&mut self, id: &ConversationId, live: bool, peers: &[InboxPeer]) -> EdgeResult<Told> {
        self.store.set_live(id, live)?;
        if !live {
            // Nobody is there to hear it.
            return Ok(Told { online: self.can_answer(peers)?, seq: 0 });
        }
        let online = self.tell_visitors_but(peers, Some(id))?;
        let change = self.next_hours_change()?;
        if change.is_some() {
            self.schedule_if_needed(change)?;
        }
        Ok(online)
    }

    /// After the team, the settings or the hour changed: if whether someone can answer is not
    /// what visitors were last told, every conversation with a visitor's socket open is told.
    pub fn tell_visitors(&mut self, peers: &[InboxPeer]) -> EdgeResult<()> {
        self.tell_visitors_but(peers, None).map(drop)
    }

    /// [`Self::tell_visitors`], but for the conversation `except` (which hears the answer).
    fn tell_visitors_but(&mut self, peers: &[InboxPeer], except: Option<&ConversationId>) -> EdgeResult<Told> {
        let online = self.can_answer(peers)?;
        let last = self.store.told_available()?;
        if let Some(told) = last.filter(|t| t.online == online) {
            return Ok(told);
        }
        let told = Told { online, seq: last.map_or(1, |t| t.seq + 1) };
        let conversations: Vec<_> = self.store.live()?.into_iter().filter(|c| Some(c) != except).collect();
        self.store.set_told_available(told)?;
        if !conversations.is_empty() {
            self.effects.push(Effect::Availability { conversations, told });
        }
        Ok(told)
    }

    /// When the site's business hours next open or close (ms since the epoch), if a visitor is
    /// there to hear it: the alarm's time to tell them.
    pub(super) fn next_hours_change(&self) -> EdgeResult<Option<i64>> {
        let Some(hours) = self.config()?.chat.business_hours else { return Ok(None) };
        if self.store.live()?.is_empty() {
            return Ok(None);
        }
        let Some((weekday, minute)) = (self.local_time)(&hours.time_zone) else { return Ok(None) };
        // Time zones are whole minutes from UTC: the local minute starts with the UTC one.
        let minute_start = self.now - self.now.rem_euclid(60_000);
        Ok(minutes_to_change(&hours, weekday, minute).map(|m| minute_start + i64::from(m) * 60_000))
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::{block_on, Memory};
    use super::super::Call;
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

    /// A workspace open on Mondays, 09:00 to 17:00.
    fn open_mondays() -> Memory {
        let mut store = store();
        let hours = BusinessHours { time_zone: "Europe/Berlin".into(), days: vec![0], open: 540, close: 1020 };
        store.config.as_mut().unwrap().chat.business_hours = Some(hours);
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
                Effect::Availability { conversations, told } => Some((conversations.clone(), told.online)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn live_visitors_hear_when_the_first_agent_comes_and_the_last_goes_and_only_then() {
        let mut store = store();
        let mut ws = Workspace::new(&mut store, "shop", 1_000, 86_400_000);
        assert!(!ws.visitor_live(&id("cv_live0001"), true, &[]).unwrap().online, "nobody is there yet");
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
        assert!(ws.visitor_live(&id("cv_live0003"), true, &[ada.clone(), bob.clone()]).unwrap().online);
        ws.effects.clear();
        ws.inbox_closed(&[]).unwrap();
        assert_eq!(told(&ws.effects), [(vec![id("cv_live0001"), id("cv_live0003")], false)]);
    }

    #[test]
    fn an_answer_overtaken_by_news_of_a_later_change_is_not_passed_on() {
        let mut store = store();
        let ada = peer("ada@shop.example", false);
        let mut ws = Workspace::new(&mut store, "shop", 1_000, 86_400_000);
        // A visitor's socket asks: nobody is there (the first change visitors are told).
        let answer = ws.visitor_live(&id("cv_live0001"), true, &[]).unwrap();
        assert_eq!(answer, Told { online: false, seq: 1 });
        // Ada opens her inbox before the answer is back: the news is the next change.
        let mut ada = InboxPeer { greeted: false, ..ada };
        ws.on_frame(&mut ada, &[], Ok(ClientMsg::Hello { protocol: PROTOCOL_VERSION, after_seq: 0 }));
        let news = match ws.effects.iter().find(|e| matches!(e, Effect::Availability { .. })) {
            Some(Effect::Availability { told, .. }) => *told,
            _ => panic!("told: {:?}", ws.effects),
        };
        assert_eq!(news, Told { online: true, seq: 2 });
        // A second visitor's answer, with nothing changed since, is that same change.
        assert_eq!(ws.visitor_live(&id("cv_live0002"), true, std::slice::from_ref(&ada)).unwrap(), news);

        // The conversation passes on the news, then drops the older answer that came after it.
        let newest = Newest::default();
        assert!(newest.admits(news));
        assert!(!newest.admits(answer), "the answer is older than what the visitor was told");
        // In the other order both go, the news last.
        let newest = Newest::default();
        assert!(newest.admits(answer) && newest.admits(news));
        // The same change twice (a second tab's answer) still reaches that tab.
        assert!(newest.admits(news));
    }

    fn alarms(effects: &[Effect]) -> Vec<i64> {
        effects.iter().filter_map(|e| if let Effect::SetAlarm(at) = e { Some(*at) } else { None }).collect()
    }

    #[test]
    fn when_business_hours_close_and_open_the_alarm_tells_the_visitors_there() {
        const MIN: i64 = 60_000;
        let mut store = open_mondays();
        let ada = peer("ada@shop.example", false);
        // Monday 16:58:30 local, Ada online: the visitor hears "online", and the alarm is set
        // for 17:00, when the hours close.
        let now = 1_000 * MIN + 30_000;
        let mut ws = Workspace::new(&mut store, "shop", now, 86_400_000);
        ws.local_time = |_| Some((0, 1018));
        assert!(ws.visitor_live(&id("cv_hours001"), true, std::slice::from_ref(&ada)).unwrap().online);
        assert_eq!(alarms(&ws.effects), [1_002 * MIN], "at the start of 17:00");
        assert_eq!(told(&ws.effects), [], "the visitor who connected heard the answer itself");

        // 17:00: the alarm tells the visitor "away", and comes again Monday next at 09:00.
        let mut ws = Workspace::new(&mut store, "shop", 1_002 * MIN, 86_400_000);
        ws.local_time = |_| Some((0, 1020));
        block_on(ws.alarm(std::slice::from_ref(&ada), async |_: &Call| Ok(())));
        assert_eq!(told(&ws.effects), [(vec![id("cv_hours001")], false)]);
        assert_eq!(alarms(&ws.effects), [1_002 * MIN + (7 * 24 * 60 - 480) * MIN]);

        // An early alarm (a digest, say) changes nothing visitors were told.
        let mut ws = Workspace::new(&mut store, "shop", 1_010 * MIN, 86_400_000);
        ws.local_time = |_| Some((0, 1028));
        block_on(ws.alarm(std::slice::from_ref(&ada), async |_: &Call| Ok(())));
        assert_eq!(told(&ws.effects), []);

        // Monday next, 09:00: "online" again.
        let mut ws = Workspace::new(&mut store, "shop", 2_000 * MIN, 86_400_000);
        ws.local_time = |_| Some((0, 540));
        block_on(ws.alarm(std::slice::from_ref(&ada), async |_: &Call| Ok(())));
        assert_eq!(told(&ws.effects), [(vec![id("cv_hours001")], true)]);

        // The visitor gone, no alarm is kept for the hours.
        ws.visitor_live(&id("cv_hours001"), false, std::slice::from_ref(&ada)).unwrap();
        let mut ws = Workspace::new(&mut store, "shop", 2_001 * MIN, 86_400_000);
        ws.local_time = |_| Some((0, 541));
        block_on(ws.alarm(std::slice::from_ref(&ada), async |_: &Call| Ok(())));
        assert_eq!(ws.effects, [Effect::DeleteAlarm]);
    }

    #[test]
    fn a_visitor_arriving_after_the_hours_turned_unheard_sets_the_others_right() {
        let mut store = open_mondays();
        let ada = peer("ada@shop.example", false);
        let mut ws = Workspace::new(&mut store, "shop", 1_000, 86_400_000);
        ws.local_time = |_| Some((0, 600));
        assert!(ws.visitor_live(&id("cv_first001"), true, std::slice::from_ref(&ada)).unwrap().online);
        // Closed now, and no alarm came (the runtime lost it): the next visitor hears "away",
        // and so does the first, once.
        let mut ws = Workspace::new(&mut store, "shop", 2_000, 86_400_000);
        ws.local_time = |_| Some((0, 1100));
        assert!(!ws.visitor_live(&id("cv_second01"), true, std::slice::from_ref(&ada)).unwrap().online);
        assert_eq!(told(&ws.effects), [(vec![id("cv_first001")], false)]);
        ws.effects.clear();
        assert!(!ws.visitor_live(&id("cv_third001"), true, std::slice::from_ref(&ada)).unwrap().online);
        assert_eq!(told(&ws.effects), []);
    }

    #[test]
    fn new_business_hours_reach_the_visitors_there_at_once() {
        let mut store = store();
        let ada = peer("ada@shop.example", false);
        let mut ws = Workspace::new(&mut store, "shop", 1_000, 86_400_000);
        ws.local_time = |_| Some((2, 1200));
        assert!(ws.visitor_live(&id("cv_live0001"), true, std::slice::from_ref(&ada)).unwrap().online);
        let mut settings = ws.config().unwrap().settings(&shared::SiteId::parse("shop").unwrap());
        settings.business_hours = Some(BusinessHours {
            time_zone: "Europe/Berlin".into(),
            days: vec![0, 1, 2, 3, 4],
            open: 540,
            close: 1020,
        });
        ws.update_settings(settings, std::slice::from_ref(&ada)).unwrap();
        assert_eq!(told(&ws.effects), [(vec![id("cv_live0001")], false)], "Wednesday 20:00 is closed");
        assert!(alarms(&ws.effects).contains(&(13 * 60 * 60_000)), "Thursday 09:00: {:?}", ws.effects);
    }

    #[test]
    fn outside_business_hours_nobody_can_answer_whoever_is_online() {
        let mut store = open_mondays();
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
