//! When a feed sends what it holds: the queue of updates waiting for the workspace and the pace of
//! batches. The glue runs one send loop at a time: the first update of an idle feed starts it, and
//! it ends when nothing is left.

use shared::ConversationId;
use std::collections::VecDeque;

/// Feeds per workspace: the workspace receives at most `SHARDS × ⌈1000 / GAP_MS⌉` batches a second
/// (68), and each feed one frame per message of its share of the conversations. Fewer, larger
/// batches cost the workspace less per message: each batch is a call, a commit and a frame to
/// every inbox (measured at 1,000 msg/s, CPU per message as a multiple of the bare relay's: 4 feeds
/// at 20 ms 2.2×, 2 at 20 ms 2.0×, 2 at 30 ms 1.7×), for at most one gap (30 ms) before an inbox
/// sees an update.
pub const SHARDS: u32 = 2;
/// Least time between the starts of two batches of one feed (ms).
pub const GAP_MS: i64 = 30;
/// Most updates in one batch (the workspace stores a batch in one go; a bigger backlog goes in the
/// next ones).
pub const MAX_BATCH: usize = 200;

/// The feed a conversation's updates go through: a stable hash of its id (FNV-1a), so one
/// conversation always uses the same feed and its updates keep their order.
pub fn shard_of(conversation: &ConversationId) -> u32 {
    let hash = conversation.as_str().bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    hash % SHARDS
}

/// Updates waiting to be sent, and whether a send loop runs.
pub struct Batcher<T> {
    queue: VecDeque<T>,
    running: bool,
    last_start: Option<i64>,
}

impl<T> Default for Batcher<T> {
    fn default() -> Self {
        Batcher { queue: VecDeque::new(), running: false, last_start: None }
    }
}

impl<T> Batcher<T> {
    /// Queues `item`. True when no send loop runs: the caller starts one.
    pub fn push(&mut self, item: T) -> bool {
        self.queue.push_back(item);
        !std::mem::replace(&mut self.running, true)
    }

    /// How long the loop waits before its next batch (ms): until `GAP_MS` after the last one
    /// started; nothing for an idle feed.
    pub fn wait_ms(&self, now: i64) -> i64 {
        self.last_start.map_or(0, |start| (start + GAP_MS - now).clamp(0, GAP_MS))
    }

    /// The next batch, oldest first and at most [`MAX_BATCH`], starting at `now`.
    pub fn take(&mut self, now: i64) -> Vec<T> {
        self.last_start = Some(now);
        let n = self.queue.len().min(MAX_BATCH);
        self.queue.drain(..n).collect()
    }

    /// After a batch was answered: true if more is queued (the loop goes on), else the loop ends.
    pub fn more(&mut self) -> bool {
        self.running = !self.queue.is_empty();
        self.running
    }

    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

/// A link left unused this long is closed by its conversation (ms): an open outbound socket
/// keeps the conversation in memory, and a conversation that talks again opens a new one.
pub const LINK_IDLE_MS: i64 = 10_000;

/// Whether a link last used at `used` has been idle long enough to close at `now`.
pub fn link_idle(used: i64, now: i64) -> bool {
    now - used >= LINK_IDLE_MS
}

/// Who waits for the answer to an update: a caller of [`super::Forward`] (a repair, or a
/// conversation without a link), answered whatever the answer; or nobody, for an update that came
/// over a conversation's link, which hears only of a failure (see [`failed_links`]).
pub enum Reply<C> {
    Caller(C),
    Link,
}

/// What a batch's answer means for its updates: the callers to answer (all of them), and the
/// conversations whose linked updates failed, each once, in the order of the batch (they repair
/// their index entry, or shut if the workspace is gone).
pub fn failed_links<C>(batch: Vec<(ConversationId, Reply<C>)>, failed: bool) -> (Vec<C>, Vec<ConversationId>) {
    let mut callers = Vec::new();
    let mut conversations: Vec<ConversationId> = Vec::new();
    for (id, reply) in batch {
        match reply {
            Reply::Caller(caller) => callers.push(caller),
            Reply::Link if failed && !conversations.contains(&id) => conversations.push(id),
            Reply::Link => {}
        }
    }
    (callers, conversations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_batch_reaches_each_linked_conversation_once_and_every_caller() {
        let a = ConversationId::parse("c0000000a").unwrap();
        let b = ConversationId::parse("c0000000b").unwrap();
        let batch = || {
            vec![
                (a.clone(), Reply::Link),
                (b.clone(), Reply::Caller(1)),
                (a.clone(), Reply::Link),
                (b.clone(), Reply::Link),
                (a.clone(), Reply::Caller(2)),
            ]
        };
        assert_eq!(failed_links(batch(), false), (vec![1, 2], vec![]), "success: linked updates need no answer");
        assert_eq!(failed_links(batch(), true), (vec![1, 2], vec![a.clone(), b.clone()]));
    }

    #[test]
    fn a_link_closes_after_ten_idle_seconds() {
        assert!(!link_idle(1_000, 1_000 + LINK_IDLE_MS - 1));
        assert!(link_idle(1_000, 1_000 + LINK_IDLE_MS));
        // A clock that went back keeps the link.
        assert!(!link_idle(1_000, 0));
    }

    #[test]
    fn an_idle_feed_sends_at_once_and_a_busy_one_keeps_a_gap() {
        let mut b = Batcher::default();
        assert!(b.push(1), "the first update starts the loop");
        assert_eq!(b.wait_ms(1_000), 0, "no wait on an idle feed");
        assert_eq!(b.take(1_000), [1]);
        // While the batch is out, updates queue and start nothing.
        assert!(!b.push(2));
        assert!(!b.push(3));
        assert!(b.more(), "the loop goes on");
        assert_eq!(b.wait_ms(1_005), GAP_MS - 5, "the next batch waits for the gap");
        assert_eq!(b.take(1_000 + GAP_MS), [2, 3], "and takes everything queued meanwhile");
        assert!(!b.more(), "nothing left: the loop ends");
        // Later, the feed is idle again.
        assert!(b.push(4));
        assert_eq!(b.wait_ms(5_000), 0);
        // A clock that went back never makes the wait longer than the gap.
        assert_eq!(b.wait_ms(900), GAP_MS);
    }

    #[test]
    fn a_backlog_goes_in_batches_of_at_most_max_batch_in_order() {
        let mut b = Batcher::default();
        for i in 0..(2 * MAX_BATCH + 5) {
            b.push(i);
        }
        let first = b.take(0);
        assert_eq!(first.len(), MAX_BATCH);
        assert!(b.more());
        let second = b.take(20);
        assert!(b.more());
        let third = b.take(40);
        assert!(!b.more());
        let all: Vec<_> = first.into_iter().chain(second).chain(third).collect();
        assert_eq!(all, (0..(2 * MAX_BATCH + 5)).collect::<Vec<_>>(), "each once, in order");
    }

    #[test]
    fn one_conversation_always_uses_one_feed_and_the_feeds_share_the_load() {
        let ids: Vec<ConversationId> =
            (0..4_000).map(|i| ConversationId::parse(&format!("c{i:08x}")).unwrap()).collect();
        assert_eq!(shard_of(&ids[7]), shard_of(&ids[7].clone()));
        let mut counts = [0usize; SHARDS as usize];
        for id in &ids {
            counts[shard_of(id) as usize] += 1;
        }
        let even = ids.len() / SHARDS as usize;
        assert!(counts.iter().all(|&c| c > even * 8 / 10 && c < even * 12 / 10), "{counts:?}");
    }

    /// Scale on paper, simulated: 10,000 conversations sending one message each per 10 s (1,000
    /// updates a second), the workspace taking `ANSWER_MS` to answer a batch. Every update reaches
    /// the workspace once, in order per conversation, and the workspace receives at most
    /// SHARDS × ⌈1000 / GAP_MS⌉ requests a second (68), not 1,000.
    #[test]
    fn ten_thousand_conversations_reach_the_workspace_in_a_few_dozen_requests_a_second() {
        const CONVERSATIONS: u32 = 10_000;
        const SECONDS: i64 = 10;
        const ANSWER_MS: i64 = 3;
        let ids: Vec<ConversationId> =
            (0..CONVERSATIONS).map(|i| ConversationId::parse(&format!("c{i:08x}")).unwrap()).collect();
        // Arrivals: conversation i sends at i ms past each 10 s (one per ms in all), message n.
        let mut feeds: Vec<Batcher<(u32, i64)>> = (0..SHARDS).map(|_| Batcher::default()).collect();
        // Per feed: when its loop sends next (None: idle), and when its batch out is answered.
        let mut next_send: Vec<Option<i64>> = vec![None; SHARDS as usize];
        // Batches sent, per second of the run.
        let mut requests = vec![0u32; SECONDS as usize + 1];
        let mut delivered: Vec<Vec<i64>> = vec![vec![]; CONVERSATIONS as usize];
        let mut worst_wait = 0i64;
        let mut sent_at: Vec<(i64, u32, i64)> = vec![]; // (arrival, conversation, message)
        for now in 0..(SECONDS * 1_000 + 100) {
            if now < SECONDS * 1_000 {
                let i = (now % i64::from(CONVERSATIONS)) as u32;
                let message = now / i64::from(CONVERSATIONS);
                let shard = shard_of(&ids[i as usize]) as usize;
                sent_at.push((now, i, message));
                if feeds[shard].push((i, now)) {
                    next_send[shard] = Some(now + feeds[shard].wait_ms(now));
                }
            }
            for shard in 0..SHARDS as usize {
                if next_send[shard] == Some(now) {
                    let batch = feeds[shard].take(now);
                    requests[(now / 1_000) as usize] += 1;
                    for (i, arrived) in batch {
                        worst_wait = worst_wait.max(now + ANSWER_MS - arrived);
                        delivered[i as usize].push(arrived);
                    }
                    // The answer comes ANSWER_MS later; the loop then waits out the gap.
                    let answered = now + ANSWER_MS;
                    next_send[shard] = feeds[shard].more().then(|| answered + feeds[shard].wait_ms(answered));
                }
            }
        }
        let total: usize = delivered.iter().map(Vec::len).sum();
        assert_eq!(total, sent_at.len(), "every update reached the workspace once");
        assert!(delivered.iter().all(|d| d.windows(2).all(|w| w[0] < w[1])), "in order per conversation");
        let busiest = *requests.iter().max().unwrap();
        let ceiling = SHARDS * 1_000u32.div_ceil(GAP_MS as u32);
        assert!(busiest <= ceiling, "{busiest} requests in one second to the workspace");
        assert!(busiest <= 1_000 / 5, "well under the soft limit of 1,000 a second: {busiest}");
        assert!(busiest >= ceiling * 9 / 10, "batches keep their pace under load: {busiest}");
        assert!(worst_wait <= GAP_MS + ANSWER_MS, "an update waits at most a gap and an answer: {worst_wait} ms");
    }
}
