//! What a rate limiter decides, over the one window it keeps.

use super::{Hit, Verdict};
use crate::error::EdgeResult;
use crate::lockout::Window;

/// The limiter's storage: its current window. SQLite in the object, a field in tests.
pub trait WindowStore {
    fn window(&self) -> EdgeResult<Option<Window>>;
    fn save(&mut self, window: &Window) -> EdgeResult<()>;
}

/// Counts one hit that arrived at `hit.at` (or `now`, ms, if the caller did not say) and says
/// whether it is allowed.
pub fn hit(store: &mut impl WindowStore, hit: &Hit, now: i64) -> EdgeResult<Verdict> {
    let at = hit.at.unwrap_or(now);
    let mut window = store.window()?.unwrap_or_default();
    let allowed = window.hit(at, hit.limit, hit.window_ms);
    store.save(&window)?;
    Ok(Verdict {
        allowed,
        first_refusal: !allowed && window.hits == hit.limit + 1,
        retry_after_s: if allowed { 0 } else { window.retry_after_s(at, hit.window_ms) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Memory(Option<Window>);

    impl WindowStore for Memory {
        fn window(&self) -> EdgeResult<Option<Window>> {
            Ok(self.0)
        }
        fn save(&mut self, window: &Window) -> EdgeResult<()> {
            self.0 = Some(*window);
            Ok(())
        }
    }

    const HIT: Hit = Hit { limit: 3, window_ms: 1_000, at: None };

    #[test]
    fn allows_the_limit_then_refuses_with_one_first_refusal() {
        let mut store = Memory::default();
        let verdicts: Vec<Verdict> = (0..6).map(|i| hit(&mut store, &HIT, 100 + i).unwrap()).collect();
        assert!(verdicts[..3].iter().all(|v| v.allowed && !v.first_refusal));
        assert_eq!(verdicts[3], Verdict { allowed: false, first_refusal: true, retry_after_s: 1 });
        assert!(verdicts[4..].iter().all(|v| !v.allowed && !v.first_refusal));
    }

    #[test]
    fn a_backlog_handled_late_is_judged_by_when_it_arrived() {
        // Three hits arrived a second apart (under 3 per second) but the limiter handles them
        // all at once, much later: none is refused.
        let mut store = Memory::default();
        for i in 0..3 {
            let arrived = Hit { at: Some(10_000 + i * 1_000), ..HIT };
            assert!(hit(&mut store, &arrived, 60_000).unwrap().allowed, "hit {i}");
        }
        // Handled out of order: one that arrived before the current window is not refused.
        let early = Hit { at: Some(11_500), ..HIT };
        assert!(hit(&mut store, &early, 60_000).unwrap().allowed);
    }

    #[test]
    fn a_new_window_starts_afresh_and_survives_a_reload_from_storage() {
        let mut store = Memory::default();
        for i in 0..5 {
            hit(&mut store, &HIT, i).unwrap();
        }
        // What was stored is what the next call sees: the object may be evicted in between.
        let mut reloaded = Memory(store.0);
        assert!(!hit(&mut reloaded, &HIT, 999).unwrap().allowed);
        let verdict = hit(&mut reloaded, &HIT, 1_000).unwrap();
        assert_eq!(verdict, Verdict { allowed: true, first_refusal: false, retry_after_s: 0 });
        assert_eq!(reloaded.0, Some(Window { start: 1_000, hits: 1 }));
    }
}
