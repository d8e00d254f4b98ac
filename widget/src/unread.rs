//! What the page hears about the agents' messages: each new one once (the `message` event), and
//! how many arrived while the visitor could not see the chat (the launcher's badge and the `unread`
//! event). History replayed when the chat connects is neither new nor unread.

/// Follows one conversation's agent messages by sequence number.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UnreadTracker {
    /// The highest agent message announced or replayed; `None` before the first welcome.
    announced: Option<u64>,
    /// The highest agent message the visitor could see.
    seen: u64,
}

impl UnreadTracker {
    /// Takes the sequence numbers of the agents' stored messages now in the conversation and
    /// whether the chat is shown on a visible page; returns the number above which messages are
    /// new (to announce) and how many are unread. The first call, on the welcome, only marks the
    /// history as read. (No list comes back: sorting and collecting would cost more WASM.)
    pub fn update(&mut self, seqs: impl Iterator<Item = u64> + Clone, visible: bool) -> (u64, u32) {
        let latest = seqs.clone().max().unwrap_or(0);
        let announced = *self.announced.get_or_insert_with(|| {
            self.seen = latest;
            latest
        });
        self.announced = Some(announced.max(latest));
        if visible {
            self.seen = self.seen.max(latest);
        }
        (announced, seqs.filter(|&s| s > self.seen).count() as u32)
    }
}

/// Tells the loader about new agent messages and the unread count of `chat` (a welcomed
/// conversation only: before the welcome nothing is known). The count goes out when it changes,
/// and once at first so a chat that replaced another (after `identify`) clears its badge.
#[cfg(target_arch = "wasm32")]
#[yew::hook]
pub fn use_unread_notices(host: &str, state: &yew::UseReducerHandle<client::chat::ChatState>, visible: bool) {
    use crate::bridge::{post_to_host, ToHost};
    use shared::Author;
    use yew::prelude::*;
    let tracker = use_mut_ref(UnreadTracker::default);
    let posted = use_mut_ref(|| None::<u32>);
    // The agents' stored messages (the visitor's socket carries no notes).
    fn agent(l: &client::chat::Line) -> Option<(u64, &str, &str)> {
        match (&l.author, l.seq) {
            (Author::Agent { name }, Some(seq)) => Some((seq, name, &l.body)),
            _ => None,
        }
    }
    let latest = state.lines.iter().filter_map(agent).map(|(seq, ..)| seq).max();
    let welcomed = state.conversation_id.is_some();
    let (host, state) = (host.to_owned(), state.clone());
    use_effect_with((welcomed, latest, visible), move |&(welcomed, _, visible)| {
        if !welcomed {
            return;
        }
        let (after, count) =
            tracker.borrow_mut().update(state.lines.iter().filter_map(agent).map(|(seq, ..)| seq), visible);
        for (_, author, body) in state.lines.iter().filter_map(agent).filter(|&(seq, ..)| seq > after) {
            post_to_host(&host, ToHost::Message { body, author });
        }
        if posted.borrow_mut().replace(count) != Some(count) {
            post_to_host(&host, ToHost::Unread { count: count as i32 });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages `update` says are new, and the unread count.
    fn update(t: &mut UnreadTracker, seqs: &[u64], visible: bool) -> (Vec<u64>, u32) {
        let (after, count) = t.update(seqs.iter().copied(), visible);
        (seqs.iter().copied().filter(|&s| s > after).collect(), count)
    }

    #[test]
    fn history_on_the_welcome_is_neither_new_nor_unread() {
        let mut t = UnreadTracker::default();
        assert_eq!(update(&mut t, &[1, 3, 4], false), (vec![], 0));
        assert_eq!(update(&mut t, &[1, 3, 4], false), (vec![], 0));
    }

    #[test]
    fn counts_what_arrives_unseen_and_clears_once_shown() {
        let mut t = UnreadTracker::default();
        update(&mut t, &[], true);
        assert_eq!(update(&mut t, &[2], true), (vec![2], 0), "seen at once: announced, not unread");
        assert_eq!(update(&mut t, &[2, 5], false), (vec![5], 1));
        assert_eq!(update(&mut t, &[2, 5, 7], false), (vec![7], 2));
        // A reconnect replays what is known: nothing is announced twice.
        assert_eq!(update(&mut t, &[2, 5, 7], false), (vec![], 2));
        assert_eq!(update(&mut t, &[2, 5, 7], true), (vec![], 0));
        assert_eq!(update(&mut t, &[2, 5, 7, 8, 9], false), (vec![8, 9], 2));
    }
}
