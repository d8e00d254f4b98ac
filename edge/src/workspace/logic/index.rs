//! The conversation index (one summary per conversation, for the live inbox) and the message
//! index its search reads.

use super::{Effect, Workspace, WorkspaceStore};
use crate::conversation::logic::Indexed;
use crate::error::EdgeResult;
use crate::workspace::ConversationUpdate;
use shared::api::SearchHit;
use shared::{domain::preview, ConversationId, ConversationSummary, ServerMsg, VisitorId};

/// How many conversations an inbox `hello` lists.
pub const INBOX_PAGE: usize = 200;
/// Most messages of one conversation the search index keeps (its newest): a conversation that
/// runs for months stays searchable by what was said lately, and one flooded by its visitor
/// cannot grow the workspace's index without bound.
pub const INDEXED_PER_CONVERSATION: usize = 2_000;
const INDEX_TRIM_EVERY: u64 = 100;
/// Most search hits, and the longest query.
pub const SEARCH_HITS: usize = 50;
pub const MAX_QUERY_CHARS: usize = 200;
/// Most matching messages one search reads (several may be of one conversation).
const SEARCH_MESSAGES: usize = 500;

/// A `LIKE` pattern for text containing `q`: `%`, `_` and `\` match literally (escaped with `\`).
pub fn like_pattern(q: &str) -> String {
    let escaped: String =
        q.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    format!("%{escaped}%")
}

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// The inbox's first page, the most recently active first.
    pub fn conversations(&self) -> EdgeResult<Vec<ConversationSummary>> {
        self.store.recent(INBOX_PAGE)
    }

    /// The summaries of `ids` that exist, in the order asked.
    pub fn summaries(&self, ids: &[ConversationId]) -> EdgeResult<Vec<ConversationSummary>> {
        Ok(ids.iter().map(|id| self.store.summary(id)).collect::<EdgeResult<Vec<_>>>()?.into_iter().flatten().collect())
    }

    pub fn visitor_conversations(&self, visitor: &VisitorId) -> EdgeResult<Vec<ConversationId>> {
        self.store.conversations_of(visitor)
    }

    /// Records a conversation's latest state (and message, for search) and tells every live inbox
    /// when the summary changed. Updates can arrive out of order: an older one (lower `rev`)
    /// never overwrites a newer one. One for a conversation erased meanwhile records nothing.
    /// The retention alarm is set again either way. One update alone (the tests'); feeds send
    /// batches.
    #[cfg(test)]
    pub fn conversation_updated(&mut self, update: &ConversationUpdate) -> EdgeResult<()> {
        self.conversations_updated(std::slice::from_ref(update))
    }

    /// A feed's batch (`crate::feed`): every message is indexed, and each conversation's newest
    /// summary is stored and sent to the live inboxes once, however many of its updates the batch
    /// holds.
    pub fn conversations_updated(&mut self, updates: &[ConversationUpdate]) -> EdgeResult<()> {
        // Each conversation once, in the order first seen: its newest update, and all its messages.
        let mut conversations: Vec<(&ConversationUpdate, Vec<&Indexed>)> = Vec::new();
        for update in updates {
            let s = &update.summary;
            let i = match conversations.iter().position(|(newest, _)| newest.summary.id == s.id) {
                Some(i) => i,
                None => {
                    conversations.push((update, Vec::new()));
                    conversations.len() - 1
                }
            };
            let group = &mut conversations[i];
            if group.0.summary.rev < s.rev {
                group.0 = update;
            }
            group.1.extend(update.indexed.as_ref());
        }
        let mut changed = Vec::new();
        // Whether a visitor started waiting: a digest may then be due before the alarm comes.
        let mut started_waiting = false;
        // Usage: conversations new to the index, and messages.
        let (mut started, mut counted) = (0, 0);
        // What the batch writes, each kind in one go (the store splits what one statement cannot
        // hold): a batch costs a few statements, not one per message.
        let mut indexed: Vec<(&ConversationId, &Indexed)> = Vec::new();
        let mut trimmed: Vec<&ConversationId> = Vec::new();
        let mut summaries: Vec<(&ConversationSummary, Option<&VisitorId>)> = Vec::new();
        for (newest, messages) in conversations {
            let s = &newest.summary;
            // One read per conversation: whether it was erased, and what the index has of it.
            let entry = self.store.index_entry(&s.id)?;
            if entry.erased {
                continue;
            }
            started += u32::from(entry.rev.is_none());
            counted += u32::try_from(messages.len()).unwrap_or(u32::MAX);
            // Trimmed now and then rather than on every message: the hot path stays one write.
            if messages.iter().any(|m| m.seq % INDEX_TRIM_EVERY == 0) {
                trimmed.push(&s.id);
            }
            indexed.extend(messages.into_iter().map(|m| (&s.id, m)));
            if entry.rev.is_none_or(|rev| rev < s.rev) {
                summaries.push((s, newest.visitor_id.as_ref()));
                started_waiting |= self.track_waiting(s)?;
                changed.push(s.clone());
            }
            // The visitor was registered with the conversation's first summary (and a registered
            // visitor leaves the registry only when erased or purged, their conversations with them).
            if let Some(visitor) = &newest.visitor_id {
                if entry.rev.is_none() || entry.visitor.as_deref() != Some(visitor.as_str()) {
                    self.register_visitor(visitor)?;
                }
            }
        }
        if !indexed.is_empty() {
            self.store.index_messages(&indexed)?;
        }
        for id in trimmed {
            self.store.trim_index(id, INDEXED_PER_CONVERSATION)?;
        }
        if !summaries.is_empty() {
            self.store.put_summaries(&summaries, self.now)?;
        }
        self.count_usage(started, counted)?;
        // One frame to each inbox for the whole batch: under load a batch holds many.
        if !changed.is_empty() {
            self.effects.push(Effect::Broadcast(ServerMsg::ConversationsUpdated { conversations: changed }));
        }
        // Only then is the next digest worked out (not for every message).
        let digest_due = if started_waiting { self.next_digest_due()? } else { None };
        self.schedule_if_needed(digest_due)
    }

    /// Conversations whose messages (notes included), visitor name or email contain `q`, newest
    /// first, one hit per conversation, at most [`SEARCH_HITS`].
    pub fn search(&self, q: &str) -> EdgeResult<Vec<SearchHit>> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(vec![]);
        }
        let q: String = q.chars().take(MAX_QUERY_CHARS).collect();
        let pattern = like_pattern(&q);
        let mut hits: Vec<SearchHit> = self
            .store
            .summaries_matching(&pattern, SEARCH_HITS)?
            .into_iter()
            .map(|s| SearchHit {
                conversation_id: s.id,
                visitor_name: s.visitor_name,
                snippet: String::new(),
                at: s.last_at,
            })
            .collect();
        for m in self.store.messages_matching(&pattern, SEARCH_MESSAGES)? {
            if hits.len() >= SEARCH_HITS {
                break;
            }
            if hits.iter().any(|h| h.conversation_id == m.conversation_id) {
                continue;
            }
            let visitor_name = self.store.summary(&m.conversation_id)?.map(|s| s.visitor_name).unwrap_or_default();
            hits.push(SearchHit {
                conversation_id: m.conversation_id,
                visitor_name,
                snippet: preview(&m.body),
                at: m.at,
            });
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::{summary, Memory};
    use super::*;
    use crate::conversation::logic::Indexed;

    fn update(id: &ConversationId, rev: u64, text: &str) -> ConversationUpdate {
        let mut s = summary(id, "Ada", 1_000 + rev as i64);
        s.rev = rev;
        s.last_message = text.into();
        ConversationUpdate {
            summary: s,
            indexed: Some(Indexed { seq: rev, body: text.into(), at: 1_000 + rev as i64 }),
            visitor_id: None,
        }
    }

    #[test]
    fn a_long_conversation_keeps_only_its_newest_messages_in_the_index() {
        let mut store = Memory::open();
        let id = ConversationId::parse("cv_longlong").unwrap();
        let total = INDEXED_PER_CONVERSATION as u64 + 300;
        let mut ws = Workspace::new(&mut store, "demo", 0, 1_000);
        for rev in 1..=total {
            ws.conversation_updated(&update(&id, rev, &format!("m{rev}"))).unwrap();
        }
        let kept: Vec<u64> = store.messages.iter().map(|(_, m)| m.seq).collect();
        assert!(kept.len() <= INDEXED_PER_CONVERSATION + INDEX_TRIM_EVERY as usize, "{}", kept.len());
        assert!(kept.contains(&total), "the newest stays searchable");
        assert!(!kept.contains(&1), "the oldest went");
    }

    #[test]
    fn an_older_rev_never_overwrites_a_newer_one_and_only_a_write_is_broadcast() {
        let mut store = Memory::open();
        let id = ConversationId::parse("c_aaaaaaaaaaaa").unwrap();
        let mut ws = Workspace::new(&mut store, "demo", 5_000, 1_000);
        ws.conversation_updated(&update(&id, 3, "third")).unwrap();
        assert!(
            matches!(&ws.effects[0], Effect::Broadcast(ServerMsg::ConversationsUpdated { conversations }) if conversations[0].rev == 3)
        );
        ws.effects.clear();
        // The older one arrives late: its message is still searchable, its summary is not written.
        ws.conversation_updated(&update(&id, 2, "second")).unwrap();
        assert!(!ws.effects.iter().any(|e| matches!(e, Effect::Broadcast(_))), "{:?}", ws.effects);
        // The same rev again writes nothing either.
        ws.conversation_updated(&update(&id, 3, "third again")).unwrap();
        assert!(!ws.effects.iter().any(|e| matches!(e, Effect::Broadcast(_))));
        assert_eq!(ws.summaries(std::slice::from_ref(&id)).unwrap()[0].last_message, "third");
        assert_eq!(ws.search("second").unwrap().len(), 1);
        ws.conversation_updated(&update(&id, 4, "fourth")).unwrap();
        assert_eq!(ws.summaries(&[id]).unwrap()[0].last_message, "fourth");
    }

    #[test]
    fn a_batch_indexes_every_message_and_stores_and_sends_each_conversation_once() {
        let mut store = Memory::open();
        let (a, b) =
            (ConversationId::parse("c_aaaaaaaaaaaa").unwrap(), ConversationId::parse("c_bbbbbbbbbbbb").unwrap());
        let mut ws = Workspace::new(&mut store, "demo", 5_000, 1_000);
        ws.conversation_updated(&update(&b, 5, "b five")).unwrap();
        ws.effects.clear();
        // Out of order within the batch, and b's update is older than what the index has.
        let batch = [update(&a, 1, "a one"), update(&a, 3, "a three"), update(&b, 4, "b four"), update(&a, 2, "a two")];
        ws.conversations_updated(&batch).unwrap();
        let sent: Vec<(ConversationId, u64)> = ws
            .effects
            .iter()
            .flat_map(|e| match e {
                Effect::Broadcast(ServerMsg::ConversationsUpdated { conversations }) => conversations.clone(),
                _ => vec![],
            })
            .map(|c| (c.id, c.rev))
            .collect();
        assert_eq!(sent, [(a.clone(), 3)], "a once, at its newest; b's older update sends nothing");
        assert_eq!(ws.summaries(&[a.clone(), b.clone()]).unwrap()[0].last_message, "a three");
        assert_eq!(ws.summaries(&[b.clone()]).unwrap()[0].last_message, "b five");
        for text in ["a one", "a two", "a three", "b four"] {
            assert_eq!(ws.search(text).unwrap().len(), 1, "{text} is searchable");
        }
    }

    #[test]
    fn a_batch_writes_its_summaries_in_one_call_and_its_messages_in_another() {
        let mut store = Memory::open();
        let ids: Vec<ConversationId> = (0..30).map(|n| ConversationId::parse(&format!("c_{n:012}")).unwrap()).collect();
        let batch: Vec<ConversationUpdate> =
            ids.iter().map(|id| update(id, 1, &format!("hello {}", id.as_str()))).collect();
        let mut ws = Workspace::new(&mut store, "demo", 5_000, 1_000);
        ws.conversations_updated(&batch).unwrap();
        assert_eq!(ws.summaries(&ids).unwrap().len(), 30);
        assert_eq!(ws.search(&format!("hello {}", ids[29].as_str())).unwrap().len(), 1);
        drop(ws);
        assert_eq!(store.statements, 2, "one call for 30 summaries, one for their messages");
        // A batch with nothing new (every update older than the index) writes no summary.
        let mut ws = Workspace::new(&mut store, "demo", 6_000, 1_000);
        let stale: Vec<ConversationUpdate> = ids.iter().map(|id| update(id, 0, "stale")).collect();
        ws.conversations_updated(&stale).unwrap();
        drop(ws);
        assert_eq!(store.statements, 3, "only the messages were indexed");
    }

    #[test]
    fn like_patterns_escape_wildcards_and_the_escape() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        let mut store = Memory::open();
        let (a, b) =
            (ConversationId::parse("c_aaaaaaaaaaaa").unwrap(), ConversationId::parse("c_bbbbbbbbbbbb").unwrap());
        let mut ws = Workspace::new(&mut store, "demo", 5_000, 1_000);
        ws.conversation_updated(&update(&a, 1, "save 50% now")).unwrap();
        ws.conversation_updated(&update(&b, 1, "save 500 now")).unwrap();
        let hits = ws.search("50%").unwrap();
        assert_eq!(hits.iter().map(|h| &h.conversation_id).collect::<Vec<_>>(), [&a]);
        assert!(ws.search("a_b").unwrap().is_empty());
        assert!(ws.search("   ").unwrap().is_empty());
    }

    #[test]
    fn search_gives_one_hit_per_conversation_at_most_fifty_and_finds_names_and_emails() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 5_000, 1_000);
        for i in 0..60 {
            let id = ConversationId::parse(&format!("c_{i:012}")).unwrap();
            for rev in 1..=3 {
                ws.conversation_updated(&update(&id, rev, &format!("refund please {rev}"))).unwrap();
            }
        }
        let hits = ws.search("REFUND").unwrap();
        assert_eq!(hits.len(), SEARCH_HITS);
        let mut ids: Vec<_> = hits.iter().map(|h| h.conversation_id.clone()).collect();
        ids.dedup();
        assert_eq!(ids.len(), SEARCH_HITS, "one hit per conversation");
        assert_eq!(hits[0].snippet, "refund please 3");

        let id = ConversationId::parse("c_zzzzzzzzzzzz").unwrap();
        let mut named = update(&id, 1, "hello");
        named.summary.visitor_name = "Grace Hopper".into();
        named.summary.visitor_email = Some(shared::Email::parse("grace@navy.example").unwrap());
        ws.conversation_updated(&named).unwrap();
        for q in ["hopper", "navy.example"] {
            let hits = ws.search(q).unwrap();
            assert_eq!(hits.len(), 1, "{q}");
            assert_eq!((hits[0].visitor_name.as_str(), hits[0].snippet.as_str()), ("Grace Hopper", ""));
        }
    }

    #[test]
    fn a_batch_reaches_each_inbox_in_one_frame() {
        let mut store = Memory::open();
        let (a, b) =
            (ConversationId::parse("c_aaaaaaaaaaaa").unwrap(), ConversationId::parse("c_bbbbbbbbbbbb").unwrap());
        let mut ws = Workspace::new(&mut store, "demo", 5_000, 1_000);
        ws.conversations_updated(&[update(&a, 1, "a one"), update(&b, 1, "b one"), update(&a, 2, "a two")]).unwrap();
        let frames: Vec<Vec<(ConversationId, u64)>> = ws
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::Broadcast(ServerMsg::ConversationsUpdated { conversations }) => {
                    Some(conversations.iter().map(|c| (c.id.clone(), c.rev)).collect())
                }
                _ => None,
            })
            .collect();
        assert_eq!(frames, [vec![(a, 2), (b, 1)]], "one frame, each conversation once at its newest");
        ws.effects.clear();
        // A batch that changes nothing sends nothing.
        ws.conversations_updated(&[update(&ConversationId::parse("c_aaaaaaaaaaaa").unwrap(), 1, "a one")]).unwrap();
        assert!(!ws.effects.iter().any(|e| matches!(e, Effect::Broadcast(_))));
    }

    #[test]
    fn a_visitor_is_registered_with_the_first_summary_and_an_erased_conversation_records_nothing() {
        let mut store = Memory::open();
        let (a, b) =
            (ConversationId::parse("c_aaaaaaaaaaaa").unwrap(), ConversationId::parse("c_bbbbbbbbbbbb").unwrap());
        let visitor = VisitorId::parse("v_0123456789abcdef").unwrap();
        let with_visitor = |id: &ConversationId, rev| ConversationUpdate {
            visitor_id: Some(visitor.clone()),
            ..update(id, rev, "hi")
        };
        store.erased_conversations.insert(b.as_str().into());
        let mut ws = Workspace::new(&mut store, "demo", 5_000, 1_000);
        for rev in 1..=3 {
            ws.conversations_updated(&[
                with_visitor(&a, rev * 2 - 1),
                with_visitor(&a, rev * 2),
                with_visitor(&b, rev),
            ])
            .unwrap();
        }
        assert_eq!(ws.summaries(std::slice::from_ref(&a)).unwrap()[0].rev, 6);
        assert!(ws.summaries(std::slice::from_ref(&b)).unwrap().is_empty(), "an erased conversation is not listed");
        assert!(ws.search("hi").unwrap().iter().all(|hit| hit.conversation_id == a));
        drop(ws);
        assert_eq!(store.registrations, 1, "registered once, not once per update");
        assert!(store.visitors.contains(visitor.as_str()));
    }
}
