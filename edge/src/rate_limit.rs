//! The rate-limiter Durable Object: one per client key (`signin:IP`, `my-data:REF`), counting
//! hits in a fixed window. Kept apart from the objects it protects, as in Cloudflare's chat demo,
//! so a flood from one address never touches the accounts it aims at.
//!
//! `logic` decides over a storage trait (tested natively); `object` is the `worker` glue.

pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
pub use object::RateLimiter;

use serde::{Deserialize, Serialize};

/// The limiter's answer to a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub allowed: bool,
    /// The first hit over the limit in this window (worth one audit entry, not one per hit).
    pub first_refusal: bool,
    /// When a refused client may try again, in seconds.
    #[serde(default)]
    pub retry_after_s: i64,
}

crate::requests! {
    /// What a rate limiter is asked.
    pub enum LimiterRequest handled by LimiterCalls {
        /// Count one hit against `limit` per `window_ms`. `at`: when the request arrived at the
        /// edge (ms), so a queue in front of the limiter never turns into refusals.
        hit: Hit { limit: u32, window_ms: i64, #[serde(default)] at: Option<i64> } -> Verdict;
    }
}
