//! A short-lived, isolate-local copy of each site's configuration for the consent banner's
//! routes (`consent-config`, the banner's script). Every first visit asks for it, and asking the
//! workspace's Durable Object each time costs a call between objects on the banner's critical
//! path. Privacy rule: a change of the owner's consent texts, categories or policy version must
//! reach visitors within [`CONFIG_TTL_MS`]. Another isolate's copy expires by then; this
//! isolate's copy is forgotten at once when it writes the workspace (the router calls `forget`).
//! Pure logic over a clock passed in, so `cargo test -p edge` covers it natively.

use std::collections::HashMap;

/// How long a copy is served before the workspace is asked again.
pub const CONFIG_TTL_MS: i64 = 10_000;
/// At most this many sites at once: an isolate serves many sites, and memory is shared.
pub const MAX_SITES: usize = 1024;

/// Values by key, each for `ttl_ms` after it was put.
pub struct TtlCache<V> {
    ttl_ms: i64,
    max: usize,
    entries: HashMap<String, (i64, V)>,
    /// Counts the `forget`s: a value read from the workspace before a write finished in this
    /// isolate must not be put back after the write forgot it.
    generation: u64,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(ttl_ms: i64, max: usize) -> Self {
        Self { ttl_ms, max, entries: HashMap::new(), generation: 0 }
    }

    /// The value put less than the TTL ago, if any.
    pub fn get(&self, key: &str, now: i64) -> Option<V> {
        self.entries.get(key).filter(|(at, _)| now - at < self.ttl_ms && now >= *at).map(|(_, v)| v.clone())
    }

    /// Taken before reading the value from its source; `put` compares it.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Keeps `value` read at generation `seen`, unless something was forgotten since.
    pub fn put(&mut self, key: &str, value: V, now: i64, seen: u64) {
        if seen != self.generation {
            return;
        }
        if self.entries.len() >= self.max && !self.entries.contains_key(key) {
            let ttl = self.ttl_ms;
            self.entries.retain(|_, (at, _)| now - *at < ttl);
            if self.entries.len() >= self.max {
                // Still full of live copies: start over rather than track an eviction order.
                self.entries.clear();
            }
        }
        self.entries.insert(key.to_owned(), (now, value));
    }

    /// Drops the copy of `key` (this isolate changed it).
    pub fn forget(&mut self, key: &str) {
        self.generation += 1;
        self.entries.remove(key);
    }

    /// Drops every copy (a change whose site is not known from the request).
    pub fn forget_all(&mut self) {
        self.generation += 1;
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> TtlCache<&'static str> {
        TtlCache::new(CONFIG_TTL_MS, 3)
    }

    #[test]
    fn a_copy_is_served_for_the_ttl_and_not_after() {
        let mut c = cache();
        assert_eq!(c.get("shop", 0), None);
        c.put("shop", "v1", 1_000, c.generation());
        assert_eq!(c.get("shop", 1_000), Some("v1"));
        assert_eq!(c.get("shop", 1_000 + CONFIG_TTL_MS - 1), Some("v1"));
        assert_eq!(c.get("shop", 1_000 + CONFIG_TTL_MS), None);
        // A clock that went backwards does not make a copy live longer.
        assert_eq!(c.get("shop", 999), None);
        assert_eq!(c.get("other", 1_000), None);
    }

    #[test]
    fn a_write_in_this_isolate_forgets_the_copy_at_once() {
        let mut c = cache();
        c.put("shop", "v1", 0, c.generation());
        c.put("other", "o1", 0, c.generation());
        c.forget("shop");
        assert_eq!(c.get("shop", 1), None);
        assert_eq!(c.get("other", 1), Some("o1"));
        c.forget_all();
        assert_eq!(c.get("other", 1), None);
    }

    #[test]
    fn a_value_read_before_a_write_is_not_put_back_after_it() {
        let mut c = cache();
        let seen = c.generation();
        // The workspace answers the old configuration while a settings save finishes and forgets.
        c.forget("shop");
        c.put("shop", "old", 5, seen);
        assert_eq!(c.get("shop", 6), None);
        c.put("shop", "new", 7, c.generation());
        assert_eq!(c.get("shop", 8), Some("new"));
    }

    #[test]
    fn the_number_of_sites_is_bounded() {
        let mut c = cache();
        for (i, site) in ["a", "b", "c"].iter().enumerate() {
            c.put(site, "v", i as i64, c.generation());
        }
        // Full of live copies: a new site starts the cache over.
        c.put("d", "v", 10, c.generation());
        assert_eq!(c.get("d", 10), Some("v"));
        assert_eq!(c.get("a", 10), None);
        // Expired copies make room first.
        c.put("e", "v", 11, c.generation());
        c.put("f", "v", 12, c.generation());
        c.put("g", "v", 12 + CONFIG_TTL_MS - 1, c.generation());
        assert_eq!(c.get("g", 12 + CONFIG_TTL_MS - 1), Some("v"));
        assert_eq!(c.get("f", 12 + CONFIG_TTL_MS - 1), Some("v"));
        assert_eq!(c.get("d", 12 + CONFIG_TTL_MS - 1), None);
    }
}
