//! Health of the long-running loops (scheduler, queue worker): the last success, the last
//! error, consecutive failures, the retry delay and when to give up. Pure: the caller passes
//! the time, so tests decide how much of it passes.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Duration;
use time::OffsetDateTime;

/// How a loop retries after a database error, and when it gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failure; doubled after each further one.
    pub first: Duration,
    /// Longest delay between attempts.
    pub max: Duration,
    /// Failing for this long without one success ends the process (a supervisor restarts it).
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first: Duration::from_secs(1),
            max: Duration::from_secs(60),
            give_up_after: Duration::from_secs(900),
        }
    }
}

impl RetryPolicy {
    /// Delay before the next attempt after `failures` consecutive failures (exponential, capped).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(30);
        self.first
            .checked_mul(1u32 << doublings)
            .map_or(self.max, |d| d.min(self.max))
    }
}

/// What is known about a loop's health at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthSnapshot {
    /// Last successful round.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_ok_at: Option<OffsetDateTime>,
    /// Last error, as logged.
    pub last_error: Option<String>,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_error_at: Option<OffsetDateTime>,
    /// First failure of the current run of failures.
    #[serde(with = "time::serde::rfc3339::option")]
    pub failing_since: Option<OffsetDateTime>,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// The loop stopped trying (the process exits non-zero).
    pub gave_up: bool,
}

impl HealthSnapshot {
    /// Working: no failure since the last success, and not given up.
    pub fn is_healthy(&self) -> bool {
        self.consecutive_failures == 0 && !self.gave_up
    }
}

/// What the loop does after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterError {
    /// Try again after this delay.
    RetryIn(Duration),
    /// Failing for longer than the policy allows: stop.
    GiveUp,
}

/// The health of the scheduler (or a worker), shared behind an `Arc` with whatever reports it
/// (`kawal jobs` through the store, an HTTP health endpoint through [`SchedulerHealth::snapshot`]).
#[derive(Debug, Default)]
pub struct SchedulerHealth {
    state: Mutex<HealthSnapshot>,
}

impl SchedulerHealth {
    /// A loop that has not run yet.
    pub fn new() -> SchedulerHealth {
        SchedulerHealth::default()
    }

    /// The current state (the public getter for health endpoints).
    pub fn snapshot(&self) -> HealthSnapshot {
        self.lock().clone()
    }

    /// Records a successful round; returns the failures it ended (0 when none).
    pub fn record_ok(&self, now: OffsetDateTime) -> u32 {
        let mut s = self.lock();
        let ended = s.consecutive_failures;
        s.last_ok_at = Some(now);
        s.consecutive_failures = 0;
        s.failing_since = None;
        ended
    }

    /// Records a failed round and says whether to retry (after how long) or give up.
    pub fn record_error(
        &self,
        now: OffsetDateTime,
        error: &str,
        policy: &RetryPolicy,
    ) -> AfterError {
        let mut s = self.lock();
        s.consecutive_failures = s.consecutive_failures.saturating_add(1);
        s.last_error = Some(error.to_string());
        s.last_error_at = Some(now);
        let since = *s.failing_since.get_or_insert(now);
        let failing_for = (now - since).max(time::Duration::ZERO);
        if failing_for >= policy.give_up_after {
            s.gave_up = true;
            return AfterError::GiveUp;
        }
        AfterError::RetryIn(policy.delay(s.consecutive_failures))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HealthSnapshot> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn delays_double_up_to_the_cap() {
        let p = RetryPolicy {
            first: Duration::from_secs(1),
            max: Duration::from_secs(10),
            give_up_after: Duration::from_secs(60),
        };
        let d: Vec<u64> = (1..=6).map(|n| p.delay(n).as_secs()).collect();
        assert_eq!(d, [1, 2, 4, 8, 10, 10]);
        assert_eq!(p.delay(u32::MAX), Duration::from_secs(10));
    }

    #[test]
    fn failures_are_counted_cleared_and_end_in_giving_up() {
        let p = RetryPolicy {
            first: Duration::from_secs(1),
            max: Duration::from_secs(60),
            give_up_after: Duration::from_secs(30),
        };
        let h = SchedulerHealth::new();
        let t0 = datetime!(2026-12-06 03:00 UTC);
        assert_eq!(
            h.record_error(t0, "no such table", &p),
            AfterError::RetryIn(Duration::from_secs(1))
        );
        assert_eq!(
            h.record_error(t0 + time::Duration::seconds(1), "again", &p),
            AfterError::RetryIn(Duration::from_secs(2))
        );
        let s = h.snapshot();
        assert!(!s.is_healthy());
        assert_eq!((s.consecutive_failures, s.failing_since), (2, Some(t0)));
        assert_eq!(s.last_error.as_deref(), Some("again"));
        assert_eq!(h.record_ok(t0 + time::Duration::seconds(3)), 2);
        assert!(h.snapshot().is_healthy());
        // A new outage counts from its own first failure.
        let t1 = t0 + time::Duration::seconds(100);
        assert!(matches!(
            h.record_error(t1, "x", &p),
            AfterError::RetryIn(_)
        ));
        assert!(matches!(
            h.record_error(t1 + time::Duration::seconds(29), "x", &p),
            AfterError::RetryIn(_)
        ));
        assert_eq!(
            h.record_error(t1 + time::Duration::seconds(30), "x", &p),
            AfterError::GiveUp
        );
        assert!(h.snapshot().gave_up);
    }
}
