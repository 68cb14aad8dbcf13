//! The scheduler loop and the queue workers behind `kawal serve` and `kawal worker`.

use crate::checklist::Checklist;
use crate::checks::registry;
use crate::config::NetConfig;
use crate::evaluation::{EvalError, Policy};
pub use crate::health::{AfterError, HealthSnapshot, RetryPolicy, SchedulerHealth};
use crate::runner::{self, RunError};
use crate::store::{ClaimLimits, Job, Store, worker_id};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The time source; injected so tests can run days of schedule in milliseconds.
pub trait Clock: Send + Sync {
    /// Current time (UTC).
    fn now(&self) -> OffsetDateTime;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs run at once by this process.
    pub concurrency: usize,
    /// Lease length; renewed every third of it.
    pub lease: Duration,
    /// Pause between claims when the queue is empty.
    pub poll: Duration,
    /// How long running jobs may finish after a stop request.
    pub grace: Duration,
    /// Concurrency caps across all workers.
    pub limits: ClaimLimits,
    /// Wait before retrying a failed attempt.
    pub backoff: Duration,
    /// Stop once no job is queued or running anywhere (for batch runs and tests).
    pub drain: bool,
    /// Retries after a database error and when to give up.
    pub retry: RetryPolicy,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 1,
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(2),
            grace: Duration::from_secs(30),
            limits: ClaimLimits::default(),
            backoff: Duration::from_secs(300),
            drain: false,
            retry: RetryPolicy::default(),
        }
    }
}

/// What a worker needs besides the queue.
pub struct Env {
    /// The checklist evaluations use.
    pub checklist: Checklist,
    /// The decision policy.
    pub policy: Policy,
    /// Network settings (an application's own rate limit overrides the rate).
    pub net: NetConfig,
    /// Settings of individual checks.
    pub options: crate::checks::CheckOptions,
    /// Time source.
    pub clock: Arc<dyn Clock>,
}

/// Counts of what a worker did.
#[derive(Debug, Default)]
pub struct WorkerStats {
    /// Jobs finished.
    pub done: AtomicUsize,
    /// Attempts that failed.
    pub failed: AtomicUsize,
    /// Jobs given back at stop.
    pub released: AtomicUsize,
}

/// Reclaims expired leases and, with room for one more job, claims the next.
async fn claim_next(
    store: &Store,
    cfg: &WorkerConfig,
    me: &str,
    now: OffsetDateTime,
    room: bool,
) -> Result<Option<Job>, crate::store::StoreError> {
    let reaped = store.reap_expired(now).await?;
    if !reaped.is_empty() {
        tracing::warn!("reclaimed jobs whose worker stopped: {reaped:?}");
    }
    if !room {
        return Ok(None);
    }
    store.claim_job(me, now, cfg.lease, cfg.limits).await
}

/// Nothing runs anywhere and nothing queued is due (for `drain`).
async fn queue_drained(
    store: &Store,
    now: OffsetDateTime,
) -> Result<bool, crate::store::StoreError> {
    use crate::store::JobStatus;
    if !store
        .list_jobs(Some(JobStatus::Running), None, 1)
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    let queued = store.list_jobs(Some(JobStatus::Queued), None, 1000).await?;
    Ok(queued.iter().all(|j| j.run_after > now))
}

/// Claims and runs jobs until `stop` turns true (or, with `drain`, until the queue is empty).
/// Database errors are logged and retried with backoff; failing for longer than the give-up
/// time stops claiming, lets running jobs finish, and returns [`GaveUp`].
pub async fn run_worker(
    store: Arc<Store>,
    env: Arc<Env>,
    cfg: WorkerConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<Arc<WorkerStats>, GaveUp> {
    let me = worker_id();
    let stats = Arc::new(WorkerStats::default());
    let health = SchedulerHealth::new();
    let mut gave_up = None;
    let mut running: JoinSet<()> = JoinSet::new();
    let (abort_tx, abort_rx) = watch::channel(false);
    loop {
        if *stop.borrow() {
            break;
        }
        while running.try_join_next().is_some() {}
        let now = env.clock.now();
        let room = running.len() < cfg.concurrency;
        let next = match claim_next(&store, &cfg, &me, now, room).await {
            Ok(j) => {
                let ended = health.record_ok(now);
                if ended > 0 {
                    tracing::warn!("worker recovered after {ended} database error(s)");
                }
                j
            }
            Err(e) => match health.record_error(now, &e.to_string(), &cfg.retry) {
                AfterError::RetryIn(d) => {
                    tracing::error!(
                        "worker: database error, retry in {} s: {e}",
                        d.as_secs_f64()
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
                AfterError::GiveUp => {
                    let g = GaveUp::from("worker", &health.snapshot());
                    tracing::error!("{g}");
                    gave_up = Some(g);
                    break;
                }
            },
        };
        let claimed = next.is_some();
        if let Some(job) = next {
            tracing::info!(
                "job {} claimed: {} (attempt {})",
                job.id,
                job.application,
                job.attempts
            );
            let (store, env, stats, me, abort) = (
                store.clone(),
                env.clone(),
                stats.clone(),
                me.clone(),
                abort_rx.clone(),
            );
            let lease = cfg.lease;
            let backoff = cfg.backoff;
            running.spawn(async move {
                execute(&store, &env, &stats, &me, job, lease, backoff, abort).await
            });
        }
        if cfg.drain && !claimed && running.is_empty() {
            match queue_drained(&store, env.clock.now()).await {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => tracing::warn!("worker: queue state unknown: {e}"),
            }
        }
        if !claimed {
            tokio::select! {
                _ = tokio::time::sleep(cfg.poll) => {}
                _ = stop.changed() => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
    }
    // Stop claiming; let running jobs finish within the grace period, then give them back.
    if !running.is_empty() {
        tracing::info!(
            "stopping: waiting up to {:?} for {} running job(s)",
            cfg.grace,
            running.len()
        );
        let all_done = async { while running.join_next().await.is_some() {} };
        if tokio::time::timeout(cfg.grace, all_done).await.is_err() {
            let _ = abort_tx.send(true);
            while running.join_next().await.is_some() {}
        }
    }
    match gave_up {
        Some(g) => Err(g),
        None => Ok(stats),
    }
}

/// What a job runs against: its application, the URL, and for a retest the evaluation it
/// re-runs with that evaluation's stored report.
async fn prepare(
    store: &Store,
    job: &Job,
) -> Result<
    (
        crate::store::App,
        url::Url,
        Option<(i64, crate::evaluation::Report)>,
    ),
    String,
> {
    let app = store
        .app_by_id(job.application_id)
        .await
        .map_err(|e| e.to_string())?;
    let url = url::Url::parse(&app.url).map_err(|e| format!("invalid URL: {e}"))?;
    let retest_of = match job.retest_of {
        Some(of) => Some((
            of,
            store.stored_report(of).await.map_err(|e| e.to_string())?,
        )),
        None => None,
    };
    Ok((app, url, retest_of))
}

#[allow(clippy::too_many_arguments)]
async fn execute(
    store: &Store,
    env: &Env,
    stats: &WorkerStats,
    me: &str,
    job: Job,
    lease: Duration,
    backoff: Duration,
    mut abort: watch::Receiver<bool>,
) {
    let (app, url, retest_of) = match prepare(store, &job).await {
        Ok(p) => p,
        Err(why) => {
            let _ = store
                .fail_job(job.id, me, env.clock.now(), &why, backoff)
                .await;
            stats.failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let mut net = env.net.clone();
    if let Some(r) = app.rate_limit {
        net.rate_limit = r;
    }
    let checks = registry();
    let work = runner::run(
        Some(store),
        runner::Target {
            url: &url,
            scope_extra: &app.scope_hosts,
            app: Some(&app),
            net,
            options: crate::checks::CheckOptions {
                allow_unsafe_methods: app.allow_unsafe_methods,
                ..env.options.clone()
            },
            retest_of,
        },
        &env.checklist,
        &env.policy,
        &checks,
        &(),
        Some(job.id),
    );
    let renew = async {
        loop {
            tokio::time::sleep(lease / 3).await;
            match store.renew_lease(job.id, me, env.clock.now(), lease).await {
                Ok(true) => {}
                Ok(false) => return "lease lost",
                Err(e) => tracing::warn!("lease renewal of job {} failed: {e}", job.id),
            }
        }
    };
    let outcome = tokio::select! {
        r = work => Some(r),
        why = renew => {
            tracing::warn!("job {}: {why}; another worker owns it now", job.id);
            None
        }
        _ = until_true(&mut abort) => {
            let reason = "worker dihentikan sebelum evaluasi selesai / worker stopped before the evaluation finished";
            if let Err(e) = store.release_job(job.id, me, env.clock.now(), reason).await {
                tracing::warn!("release of job {} failed: {e}", job.id);
            }
            stats.released.fetch_add(1, Ordering::Relaxed);
            None
        }
    };
    let now = env.clock.now();
    match outcome {
        None => {}
        Some(Ok(_)) => {
            if let Ok(true) = store.complete_job(job.id, me, now).await {
                stats.done.fetch_add(1, Ordering::Relaxed);
            }
        }
        Some(Err(e)) => {
            // An unreachable target may come back: retry later. Other errors will not fix themselves.
            let wait = if matches!(e, RunError::Eval(EvalError::Unreachable(_))) {
                backoff
            } else {
                Duration::ZERO
            };
            tracing::warn!("job {} attempt failed: {e}", job.id);
            let _ = store.fail_job(job.id, me, now, &e.to_string(), wait).await;
            stats.failed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Resolves once the flag turns true; never if its sender is gone.
async fn until_true(rx: &mut watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Scheduler settings.
#[derive(Debug, Clone, Copy)]
pub struct SchedulerConfig {
    /// Interval between ticks.
    pub every: Duration,
    /// Retries after a failed tick and when to give up.
    pub retry: RetryPolicy,
}

/// The scheduler (or a worker) failed for longer than its give-up time.
#[derive(Debug, thiserror::Error)]
#[error(
    "{what} berhenti: basis data gagal {failures} kali berturut-turut selama {secs} detik; galat terakhir / {what} gave up: the database failed {failures} times in a row over {secs} s; last error: {last}"
)]
pub struct GaveUp {
    /// "penjadwal/scheduler" or "worker".
    pub what: &'static str,
    /// Consecutive failures.
    pub failures: u32,
    /// Seconds from the first failure to giving up.
    pub secs: i64,
    /// The last error.
    pub last: String,
}

impl GaveUp {
    fn from(what: &'static str, s: &HealthSnapshot) -> GaveUp {
        GaveUp {
            what,
            failures: s.consecutive_failures,
            secs: match (s.failing_since, s.last_error_at) {
                (Some(a), Some(b)) => (b - a).whole_seconds(),
                _ => 0,
            },
            last: s.last_error.clone().unwrap_or_default(),
        }
    }
}

/// Runs the scheduler: a tick every `cfg.every` until `stop` turns true. A failed tick is
/// logged, recorded in `health` (and in the store when it can be written) and retried with
/// backoff; failing for longer than the give-up time returns [`GaveUp`] so the process exits.
pub async fn run_scheduler(
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    cfg: SchedulerConfig,
    health: Arc<SchedulerHealth>,
    mut stop: watch::Receiver<bool>,
) -> Result<(), GaveUp> {
    let me = worker_id();
    let tick_secs = i64::try_from(cfg.every.as_secs()).unwrap_or(i64::MAX);
    loop {
        let now = clock.now();
        let wait = match store.tick(now).await {
            Ok(stats) => {
                let ended = health.record_ok(now);
                if ended > 0 {
                    tracing::warn!("scheduler recovered after {ended} failed tick(s)");
                }
                if stats.enqueued > 0 || stats.invalid > 0 {
                    tracing::info!("scheduler tick: {stats:?}");
                }
                cfg.every
            }
            Err(e) => match health.record_error(now, &e.to_string(), &cfg.retry) {
                AfterError::RetryIn(d) => {
                    let n = health.snapshot().consecutive_failures;
                    tracing::error!(
                        "scheduler tick failed ({n} in a row), retry in {} s: {e}",
                        d.as_secs_f64()
                    );
                    d
                }
                AfterError::GiveUp => {
                    let s = health.snapshot();
                    let _ = store
                        .record_scheduler_status(&me, tick_secs, &s, clock.now())
                        .await;
                    let gave_up = GaveUp::from("penjadwal/scheduler", &s);
                    tracing::error!("{gave_up}");
                    return Err(gave_up);
                }
            },
        };
        // Written on every round, so other machines see a failing or silent scheduler.
        if let Err(e) = store
            .record_scheduler_status(&me, tick_secs, &health.snapshot(), clock.now())
            .await
        {
            tracing::warn!("scheduler status not recorded: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return Ok(());
        }
    }
}

/// A stop signal that turns true on Ctrl-C or SIGTERM.
pub fn stop_on_signals() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!("cannot listen for SIGTERM: {e}");
                        let _ = tokio::signal::ctrl_c().await;
                        let _ = tx.send(true);
                        return;
                    }
                };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        let _ = tx.send(true);
    });
    rx
}
