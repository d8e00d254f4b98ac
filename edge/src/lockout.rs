//! Sign-in throttling, as pure logic: an account locks after repeated failures, each lockout
//! longer than the last (1 min, 2, 4 … up to 1 h); a success clears it. While locked, even the right
//! password is refused, so guessing gains nothing by waiting out the answer.

use serde::{Deserialize, Serialize};

/// Failures allowed before a lockout.
pub const FREE_ATTEMPTS: u32 = 5;
pub const FIRST_LOCK_MS: i64 = 60_000;
pub const LONGEST_LOCK_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    pub failures: u32,
    pub lockouts: u32,
    pub locked_until: i64,
}

impl Lockout {
    /// `Err(ms)` while locked: how long until the next attempt is heard.
    pub fn check(&self, now: i64) -> Result<(), i64> {
        if now < self.locked_until {
            Err(self.locked_until - now)
        } else {
            Ok(())
        }
    }

    /// Records a failure; returns whether it started a lockout.
    pub fn failed(&mut self, now: i64) -> bool {
        self.failures += 1;
        if self.failures < FREE_ATTEMPTS {
            return false;
        }
        self.failures = 0;
        self.lockouts += 1;
        let doubling = 1i64 << (self.lockouts - 1).min(10);
        self.locked_until = now + (FIRST_LOCK_MS * doubling).min(LONGEST_LOCK_MS);
        true
    }

    pub fn succeeded(&mut self) {
        *self = Lockout::default();
    }
}

/// A fixed-window counter (a rate limiter's, a chat sender's). Hits are counted by when they
/// arrived, not when they are processed: a backlog worked off in a burst must not refuse a client
/// who stayed under the limit, and a hit that arrived before the current window began (handled
/// late) belongs to a window that is over, so it is let through without counting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: i64,
    pub hits: u32,
}

impl Window {
    /// Counts a hit; `false` once more than `limit` fall in the current window of `window_ms`.
    pub fn hit(&mut self, now: i64, limit: u32, window_ms: i64) -> bool {
        if now < self.start {
            return true;
        }
        if now - self.start >= window_ms {
            *self = Window { start: now, hits: 0 };
        }
        self.hits += 1;
        self.hits <= limit
    }

    /// How long after `now` the current window ends, in whole seconds (at least 1): when a
    /// refused client may try again.
    pub fn retry_after_s(&self, now: i64, window_ms: i64) -> i64 {
        ((self.start + window_ms - now).max(0) + 999).div_euclid(1000).max(1)
    }
}

/// A leaky bucket: up to `burst` hits at once, drained at `rate` per `window_ms`. Used
/// where hits can only be timed as they are handled (a conversation's frames): a fixed window
/// has a boundary a burst can straddle, and a backlog worked off at once would overflow it though
/// the client kept to the rate; the bucket drains for the whole time the backlog waited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bucket {
    /// How full, in thousandths of a hit.
    pub level: i64,
    /// When it was last drained (ms).
    pub at: i64,
    /// Refusals since the last hit let through: 1 marks the first of a burst.
    pub refused: u32,
    /// After a refusal, nothing passes before this (ms), though the bucket drains meanwhile: the
    /// client was told to wait until then and sends everything it kept, in order, so a later hit
    /// must not slip in ahead of the refused ones.
    pub hold_until: i64,
}

impl Bucket {
    /// Counts a hit at `now`; `false` (counted as a refusal) when the bucket is full.
    pub fn hit(&mut self, now: i64, burst: u32, rate: u32, window_ms: i64) -> bool {
        let full = i64::from(burst) * 1000;
        if now > self.at {
            let drained = (now - self.at).saturating_mul(i64::from(rate) * 1000) / window_ms.max(1);
            self.level = (self.level - drained).max(0);
            self.at = now;
        }
        if now < self.hold_until {
            self.refused += 1;
            return false;
        }
        if self.level + 1000 > full {
            self.refused += 1;
            self.hold_until = now + self.retry_after_s(burst, rate, window_ms) * 1000;
            return false;
        }
        self.level += 1000;
        self.refused = 0;
        true
    }

    /// Whole seconds (at least 1) until one more hit fits.
    pub fn retry_after_s(&self, burst: u32, rate: u32, window_ms: i64) -> i64 {
        let full = i64::from(burst) * 1000;
        let excess_ms = (self.level + 1000 - full).max(0) * window_ms / (i64::from(rate) * 1000).max(1);
        ((excess_ms + 999) / 1000).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_free_attempts_with_growing_lockouts() {
        let mut l = Lockout::default();
        for _ in 1..FREE_ATTEMPTS {
            assert!(!l.failed(0));
            assert_eq!(l.check(0), Ok(()));
        }
        assert!(l.failed(0), "the fifth failure locks");
        assert_eq!(l.check(0), Err(FIRST_LOCK_MS));
        assert_eq!(l.check(FIRST_LOCK_MS), Ok(()), "and the lock ends");
        for _ in 0..FREE_ATTEMPTS {
            l.failed(FIRST_LOCK_MS);
        }
        assert_eq!(l.check(FIRST_LOCK_MS), Err(2 * FIRST_LOCK_MS), "the second lockout is twice as long");
        for round in 0..20 {
            for _ in 0..FREE_ATTEMPTS {
                l.failed(round * LONGEST_LOCK_MS);
            }
        }
        assert!(l.check(19 * LONGEST_LOCK_MS).unwrap_err() <= LONGEST_LOCK_MS, "never longer than an hour");
    }

    #[test]
    fn a_success_clears_everything() {
        let mut l = Lockout::default();
        for _ in 0..FREE_ATTEMPTS {
            l.failed(0);
        }
        l.succeeded();
        assert_eq!(l, Lockout::default());
    }

    #[test]
    fn windows_count_and_reset() {
        let mut w = Window::default();
        assert!((0..3).all(|_| w.hit(10, 3, 100)));
        assert!(!w.hit(20, 3, 100));
        assert!(w.hit(110, 3, 100), "a new window");
    }

    #[test]
    fn a_bucket_takes_a_burst_then_the_rate_and_a_backlog_of_a_steady_client() {
        let mut b = Bucket::default();
        assert!((0..20).all(|_| b.hit(1_000, 20, 20, 10_000)), "a burst of the capacity");
        assert!(!b.hit(1_000, 20, 20, 10_000));
        assert_eq!(b.refused, 1, "the first refusal of the burst");
        assert!(!b.hit(1_000, 20, 20, 10_000));
        assert_eq!(b.retry_after_s(20, 20, 10_000), 1);
        assert!(!b.hit(1_500, 20, 20, 10_000), "half a second later it has room, but the refused go first");
        assert!(b.hit(2_000, 20, 20, 10_000), "after the wait it was told, one more fits");
        assert_eq!(b.refused, 0);
        // A client writing 1.5 a second whose messages waited 12 s in a backlog, handled at once.
        let mut steady = Bucket::default();
        for i in 0..30 {
            assert!(steady.hit(i * 666, 20, 20, 10_000));
        }
        let backlog_at = 30 * 666 + 12_000;
        assert!((0..18).all(|_| steady.hit(backlog_at, 20, 20, 10_000)), "18 queued messages all pass");
        // Old state from a fixed window reads as an empty bucket.
        let old: Bucket = serde_json::from_str(r#"{"start":5,"hits":20}"#).unwrap();
        assert_eq!(old, Bucket::default());
    }

    #[test]
    fn hits_count_by_arrival_and_late_ones_from_an_ended_window_are_not_refused() {
        let mut w = Window::default();
        assert!((0..3).all(|i| w.hit(1_000 + i, 3, 1_000)));
        assert!(!w.hit(1_500, 3, 1_000));
        assert_eq!(w.retry_after_s(1_500, 1_000), 1);
        assert_eq!(w.retry_after_s(1_000, 10_000), 10);
        // A new window opens with a hit that arrived at 2,100…
        assert!(w.hit(2_100, 3, 1_000));
        // …and one that arrived at 1,900 but is only handled now belongs to the window before.
        assert!(w.hit(1_900, 3, 1_000), "late, not refused");
        assert_eq!(w.hits, 1, "and not counted against the new window");
    }
}
