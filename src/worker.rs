//! The scheduler loop and the queue workers behind `kawal serve` and `kawal worker`.

use crate::checklist::Checklist;
use crate::checks::registry;
use crate::config::NetConfig;
use crate::evaluation::{EvalError, Policy};
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

/// Claims and runs jobs until `stop` turns true (or, with `drain`, until the queue is empty).
pub async fn run_worker(
    store: Arc<Store>,
    env: Arc<Env>,
    cfg: WorkerConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<Arc<WorkerStats>, crate::store::StoreError> {
    let me = worker_id();
    let stats = Arc::new(WorkerStats::default());
    let mut running: JoinSet<()> = JoinSet::new();
    let (abort_tx, abort_rx) = watch::channel(false);
    loop {
        if *stop.borrow() {
            break;
        }
        while running.try_join_next().is_some() {}
        let now = env.clock.now();
        let reaped = store.reap_expired(now).await?;
        if !reaped.is_empty() {
            tracing::warn!("reclaimed jobs whose worker stopped: {reaped:?}");
        }
        let mut claimed = false;
        if running.len() < cfg.concurrency
            && let Some(job) = store.claim_job(&me, now, cfg.lease, cfg.limits).await?
        {
            claimed = true;
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
        if cfg.drain
            && !claimed
            && running.is_empty()
            && store
                .list_jobs(Some(crate::store::JobStatus::Running), None, 1)
                .await?
                .is_empty()
        {
            let queued = store
                .list_jobs(Some(crate::store::JobStatus::Queued), None, 1000)
                .await?;
            if queued.iter().all(|j| j.run_after > env.clock.now()) {
                break;
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
    Ok(stats)
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
    let app = match store.app(&job.application_id.to_string()).await {
        Ok(a) => a,
        Err(e) => {
            let _ = store
                .fail_job(job.id, me, env.clock.now(), &e.to_string(), backoff)
                .await;
            stats.failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let url = match url::Url::parse(&app.url) {
        Ok(u) => u,
        Err(e) => {
            let _ = store
                .fail_job(
                    job.id,
                    me,
                    env.clock.now(),
                    &format!("invalid URL: {e}"),
                    backoff,
                )
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
            retest_of: None,
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

/// Runs the scheduler: a tick every `every` until `stop` turns true.
pub async fn run_scheduler(
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) -> Result<(), crate::store::StoreError> {
    loop {
        let stats = store.tick(clock.now()).await?;
        if stats.enqueued > 0 || stats.invalid > 0 {
            tracing::info!("scheduler tick: {stats:?}");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
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
