//! Scheduler health as last written by each scheduler, for `kawal jobs` on any machine.

use super::{Store, StoreError, in_write_tx, on};
use crate::health::HealthSnapshot;
use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

/// One scheduler's health as it last wrote it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchedulerStatus {
    /// `host:pid` of the scheduler.
    pub scheduler: String,
    /// Its tick interval, to tell a silent scheduler from a slow one.
    pub tick_secs: i64,
    /// Its health.
    #[serde(flatten)]
    pub health: HealthSnapshot,
    /// When it last wrote.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl SchedulerStatus {
    /// Nothing written for three ticks (and a minute): the scheduler is gone or cannot write.
    pub fn is_silent(&self, now: OffsetDateTime) -> bool {
        now - self.updated_at > time::Duration::seconds(3 * self.tick_secs.max(1) + 60)
    }
}

impl Store {
    /// Writes a scheduler's health (one row per scheduler, replaced each time).
    pub async fn record_scheduler_status(
        &self,
        scheduler: &str,
        tick_secs: i64,
        h: &HealthSnapshot,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        in_write_tx!(self, tx => {
            sqlx::query("INSERT INTO scheduler_status (scheduler, tick_secs, last_ok_at, last_error, last_error_at, failing_since, consecutive_failures, gave_up, updated_at) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (scheduler) DO UPDATE SET tick_secs = $2, last_ok_at = $3, last_error = $4, \
                         last_error_at = $5, failing_since = $6, consecutive_failures = $7, gave_up = $8, updated_at = $9")
                .bind(scheduler).bind(tick_secs).bind(h.last_ok_at).bind(&h.last_error).bind(h.last_error_at)
                .bind(h.failing_since).bind(i64::from(h.consecutive_failures)).bind(h.gave_up).bind(now)
                .execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Every scheduler that wrote since `since`, most recent first.
    pub async fn scheduler_statuses(
        &self,
        since: OffsetDateTime,
    ) -> Result<Vec<SchedulerStatus>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT scheduler, tick_secs, last_ok_at, last_error, last_error_at, failing_since, consecutive_failures, gave_up, updated_at \
                                    FROM scheduler_status WHERE updated_at >= $1 ORDER BY updated_at DESC")
                .bind(since).fetch_all(pool).await?;
            rows.iter().map(|r| {
                let failures: i64 = r.try_get("consecutive_failures")?;
                Ok(SchedulerStatus {
                    scheduler: r.try_get("scheduler")?,
                    tick_secs: r.try_get("tick_secs")?,
                    health: HealthSnapshot {
                        last_ok_at: r.try_get("last_ok_at")?,
                        last_error: r.try_get("last_error")?,
                        last_error_at: r.try_get("last_error_at")?,
                        failing_since: r.try_get("failing_since")?,
                        consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
                        gave_up: r.try_get("gave_up")?,
                    },
                    updated_at: r.try_get("updated_at")?,
                })
            }).collect()
        })
    }
}
