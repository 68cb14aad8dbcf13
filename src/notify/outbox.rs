//! The sending loop: claims due messages, sends them, and records each attempt; failures are
//! retried with backoff until the message's attempts run out.

use super::Notifier;
use crate::store::{Store, StoreError};
use crate::worker::Clock;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;

/// Loop settings.
#[derive(Debug, Clone, Copy)]
pub struct OutboxConfig {
    /// Pause between rounds.
    pub poll: Duration,
    /// How long a claimed message is held by this process.
    pub lease: Duration,
    /// Messages per round.
    pub batch: i64,
    /// Interval between scans for reminders and webhook events.
    pub scan_every: Duration,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            poll: Duration::from_secs(5),
            lease: Duration::from_secs(300),
            batch: 20,
            scan_every: Duration::from_secs(60),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundStats {
    /// Sent.
    pub sent: usize,
    /// Queued again for a later attempt.
    pub retried: usize,
    /// Failed for good.
    pub failed: usize,
}

/// Sends every message due at `now` (one batch), recording each attempt.
pub async fn send_due(
    store: &Store,
    notifier: &Notifier,
    now: OffsetDateTime,
    cfg: &OutboxConfig,
) -> Result<RoundStats, StoreError> {
    let mut stats = RoundStats::default();
    for m in store.claim_messages(now, cfg.lease, cfg.batch).await? {
        match notifier.send(&m, now).await {
            Ok(()) => {
                store.record_attempt(m.id, Ok(()), now, None).await?;
                stats.sent += 1;
            }
            Err(e) => {
                let attempts = m.attempts + 1;
                let retry_at = (!e.permanent && attempts < m.max_attempts)
                    .then(|| now + notifier.settings().delivery.backoff(attempts));
                tracing::warn!(
                    "outbox message {} ({} to {}), attempt {attempts}/{}: {}",
                    m.id,
                    m.topic,
                    m.recipient,
                    m.max_attempts,
                    e.reason
                );
                store
                    .record_attempt(m.id, Err(&e.reason), now, retry_at)
                    .await?;
                if retry_at.is_some() {
                    stats.retried += 1;
                } else {
                    stats.failed += 1;
                }
            }
        }
    }
    Ok(stats)
}

/// Runs until `stop` turns true: scans for reminders and events every `scan_every`, and sends
/// due messages every `poll`. Database errors are logged and the round tried again later.
pub async fn run(
    store: Arc<Store>,
    notifier: Arc<Notifier>,
    clock: Arc<dyn Clock>,
    cfg: OutboxConfig,
    mut stop: watch::Receiver<bool>,
) {
    let mut last_scan: Option<OffsetDateTime> = None;
    loop {
        let now = clock.now();
        if last_scan.is_none_or(|t| now - t >= cfg.scan_every) {
            match super::events::scan(&store, &notifier, now).await {
                Ok(n) if n > 0 => tracing::info!("notifications queued: {n}"),
                Ok(_) => {}
                Err(e) => tracing::error!("notification scan failed: {e}"),
            }
            last_scan = Some(now);
        }
        match send_due(&store, &notifier, now, &cfg).await {
            Ok(s) if s != RoundStats::default() => tracing::info!("outbox: {s:?}"),
            Ok(_) => {}
            Err(e) => tracing::error!("outbox round failed: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(cfg.poll) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}
