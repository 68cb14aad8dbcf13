//! Session lifetime rules and login throttling (pure; the clock is passed in).

use std::collections::HashMap;
use std::time::Duration;
use time::OffsetDateTime;

/// Session timeouts.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session this old ends, however active.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::from_secs(15 * 60),
            absolute: Duration::from_secs(8 * 3600),
        }
    }
}

/// Why a session is no longer valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Still valid.
    Valid,
    /// Unused for longer than the idle timeout.
    Idle,
    /// Older than the absolute timeout.
    Absolute,
}

impl SessionPolicy {
    /// Judges a session created at `created` and last used at `last_seen`.
    pub fn judge(
        &self,
        created: OffsetDateTime,
        last_seen: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Expiry {
        if now - created >= self.absolute {
            Expiry::Absolute
        } else if now - last_seen >= self.idle {
            Expiry::Idle
        } else {
            Expiry::Valid
        }
    }
}

/// Failed-login throttling per key (account name, client address): after `limit` failures
/// within `window`, further attempts are refused until the window has passed.
#[derive(Debug)]
pub struct Throttle {
    limit: usize,
    window: Duration,
    failures: HashMap<String, Vec<OffsetDateTime>>,
}

impl Throttle {
    /// A throttle allowing `limit` failures per `window`.
    pub fn new(limit: usize, window: Duration) -> Throttle {
        Throttle {
            limit,
            window,
            failures: HashMap::new(),
        }
    }

    fn recent(&mut self, key: &str, now: OffsetDateTime) -> usize {
        let window = self.window;
        match self.failures.get_mut(key) {
            Some(v) => {
                v.retain(|t| now - *t < window);
                v.len()
            }
            None => 0,
        }
    }

    /// Whether an attempt for `key` may go ahead now.
    pub fn allowed(&mut self, key: &str, now: OffsetDateTime) -> bool {
        self.recent(key, now) < self.limit
    }

    /// Records a failed attempt.
    pub fn fail(&mut self, key: &str, now: OffsetDateTime) {
        self.recent(key, now);
        self.failures.entry(key.to_string()).or_default().push(now);
        // Bound memory under a flood of distinct keys: forget keys with nothing recent.
        if self.failures.len() > 100_000 {
            let window = self.window;
            self.failures
                .retain(|_, v| v.last().is_some_and(|t| now - *t < window));
        }
    }

    /// Forgets the failures of `key` (after a successful login).
    pub fn clear(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn idle_and_absolute_timeouts() {
        let p = SessionPolicy::default();
        let t0 = datetime!(2026-12-06 08:00 UTC);
        assert_eq!(
            p.judge(t0, t0, t0 + Duration::from_secs(14 * 60)),
            Expiry::Valid
        );
        assert_eq!(
            p.judge(t0, t0, t0 + Duration::from_secs(15 * 60)),
            Expiry::Idle
        );
        let late = t0 + Duration::from_secs(8 * 3600);
        assert_eq!(
            p.judge(t0, late - Duration::from_secs(60), late),
            Expiry::Absolute
        );
    }

    #[test]
    fn throttling_refuses_after_the_limit_and_recovers() {
        let mut t = Throttle::new(5, Duration::from_secs(900));
        let t0 = datetime!(2026-12-06 08:00 UTC);
        for i in 0..5 {
            assert!(t.allowed("siti", t0), "attempt {i}");
            t.fail("siti", t0);
        }
        assert!(!t.allowed("siti", t0 + Duration::from_secs(60)));
        assert!(t.allowed("budi", t0), "other accounts are not affected");
        assert!(t.allowed("siti", t0 + Duration::from_secs(901)));
        t.fail("siti", t0);
        t.clear("siti");
        assert!(t.allowed("siti", t0));
    }
}
