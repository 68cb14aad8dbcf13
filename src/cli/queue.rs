//! `kawal serve`, `kawal worker` and `kawal jobs …`.

use super::{EXIT_OK, Failure, NetArgs, Settings, write_out};
use crate::evaluation::Policy;
use crate::i18n::tr;
use crate::store::{ClaimLimits, Job, JobStatus};
use crate::worker::{
    self, Env, RetryPolicy, SchedulerConfig, SchedulerHealth, SystemClock, WorkerConfig,
};
use anyhow::anyhow;
use clap::{Args, Subcommand};
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

/// Options of a queue worker.
#[derive(Debug, Args, Clone)]
pub(super) struct WorkerArgs {
    /// Evaluasi bersamaan di proses ini / evaluations at once in this process
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Batas evaluasi berjalan di semua worker / running evaluations across all workers
    #[arg(long, default_value_t = 16)]
    global_cap: i64,
    /// Batas evaluasi berjalan per Perangkat Daerah / running evaluations per agency
    #[arg(long, default_value_t = 4)]
    agency_cap: i64,
    /// Lama lease (detik) / lease length in seconds
    #[arg(long, default_value_t = 120)]
    lease_secs: u64,
    /// Waktu tunggu saat berhenti (detik) / grace period at stop, seconds
    #[arg(long, default_value_t = 30.0)]
    grace_secs: f64,
    /// Jeda saat antrean kosong (detik) / pause when the queue is empty, seconds
    #[arg(long, default_value_t = 2.0)]
    poll_secs: f64,
    /// Berhenti bila antrean kosong / exit once nothing is queued or running
    #[arg(long)]
    drain: bool,
    /// Keluar (kode 3) bila basis data gagal terus selama ini (detik), agar supervisor memulai
    /// ulang / exit (code 3) when the database keeps failing this long, so a supervisor restarts
    #[arg(long, default_value_t = 900, env = "KAWAL_GIVE_UP_SECS")]
    give_up_secs: u64,
    #[command(flatten)]
    net: NetArgs,
}

impl WorkerArgs {
    fn config(&self) -> Result<WorkerConfig, Failure> {
        let secs = |name: &str, v: f64| {
            if v.is_finite() && (0.0..=3600.0).contains(&v) {
                Ok(Duration::from_secs_f64(v))
            } else {
                Err(Failure::usage(anyhow!(
                    "--{name} {v}: harus 0..3600 detik / must be 0..3600 seconds"
                )))
            }
        };
        if self.concurrency == 0
            || self.global_cap < 1
            || self.agency_cap < 1
            || !(2..=3600).contains(&self.lease_secs)
            || !(1..=604_800).contains(&self.give_up_secs)
        {
            return Err(Failure::usage(anyhow!(
                "--concurrency, --global-cap and --agency-cap must be at least 1; --lease-secs 2..3600; --give-up-secs 1..604800"
            )));
        }
        Ok(WorkerConfig {
            concurrency: self.concurrency,
            lease: Duration::from_secs(self.lease_secs),
            poll: secs("poll-secs", self.poll_secs)?,
            grace: secs("grace-secs", self.grace_secs)?,
            limits: ClaimLimits {
                global: self.global_cap,
                per_agency: self.agency_cap,
            },
            backoff: Duration::from_secs(300),
            drain: self.drain,
            retry: RetryPolicy {
                give_up_after: Duration::from_secs(self.give_up_secs),
                ..RetryPolicy::default()
            },
        })
    }
}

#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Worker di proses ini (0 = hanya penjadwal) / workers in this process (0 = scheduler only)
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Selang penjadwal (detik) / scheduler tick interval, seconds
    #[arg(long, default_value_t = 30)]
    tick_secs: u64,
    #[command(flatten)]
    worker: WorkerArgs,
    #[command(flatten)]
    http: super::team::HttpArgs,
}

#[derive(Debug, Subcommand)]
pub(super) enum JobsCommand {
    /// Daftar job / list jobs
    List {
        /// Saring status / filter by status (queued, running, done, failed, cancelled)
        #[arg(long)]
        status: Option<String>,
        /// Saring aplikasi / filter by application
        #[arg(long)]
        app: Option<String>,
        /// Jumlah maksimum / at most this many
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
    /// Kesehatan penjadwal / scheduler health (last tick, errors, retries, given up)
    Health {
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
    /// Rincian job / one job
    Show {
        /// Id job
        id: i64,
    },
    /// Batalkan job yang antre / cancel a queued job
    Cancel {
        /// Id job
        id: i64,
    },
    /// Ulangi job gagal/batal/selesai / queue a failed, cancelled or done job again
    Retry {
        /// Id job
        id: i64,
    },
}

/// A worker or scheduler refuses to start with a key other than the fleet's.
async fn check_key(store: &crate::store::Store) -> Result<(), Failure> {
    let sealer =
        crate::auth::seal::Sealer::load(&crate::config::data_dir()).map_err(Failure::usage)?;
    store.ensure_key(&sealer).await?;
    Ok(())
}

async fn env(settings: &Settings, net: &NetArgs) -> Result<Arc<Env>, Failure> {
    Ok(Arc::new(Env {
        checklist: settings.checklist()?,
        policy: Policy::builtin().map_err(Failure::usage)?,
        net: settings.net(net, None)?,
        options: settings.check_options(&super::SessionArgs::default())?,
        clock: Arc::new(SystemClock),
    }))
}

/// `kawal worker`.
pub(super) async fn worker(settings: &Settings, a: WorkerArgs) -> Result<u8, Failure> {
    let cfg = a.config()?;
    let env = env(settings, &a.net).await?;
    let store = Arc::new(settings.store().await?);
    check_key(&store).await?;
    if !settings.quiet {
        eprintln!(
            "{} ({}: {})",
            tr(
                settings.lang,
                "Worker berjalan; Ctrl-C untuk berhenti",
                "Worker running; Ctrl-C to stop"
            ),
            tr(settings.lang, "basis data", "database"),
            store.url()
        );
    }
    let stats = worker::run_worker(store.clone(), env, cfg, worker::stop_on_signals())
        .await
        .map_err(Failure::incomplete)?;
    if !settings.quiet {
        eprintln!(
            "{}: {} {}, {} {}, {} {}",
            tr(settings.lang, "Worker berhenti", "Worker stopped"),
            stats.done.load(std::sync::atomic::Ordering::Relaxed),
            tr(settings.lang, "selesai", "done"),
            stats.failed.load(std::sync::atomic::Ordering::Relaxed),
            tr(settings.lang, "gagal", "failed"),
            stats.released.load(std::sync::atomic::Ordering::Relaxed),
            tr(
                settings.lang,
                "dikembalikan ke antrean",
                "released to the queue"
            ),
        );
    }
    Ok(EXIT_OK)
}

/// `kawal serve`.
pub(super) async fn serve(settings: &Settings, a: ServeArgs) -> Result<u8, Failure> {
    if !(1..=86_400).contains(&a.tick_secs) {
        return Err(Failure::usage(anyhow!("--tick-secs must be 1..86400")));
    }
    let cfg = WorkerConfig {
        concurrency: a.workers.max(1),
        ..a.worker.config()?
    };
    let env = env(settings, &a.worker.net).await?;
    let store = Arc::new(settings.store().await?);
    check_key(&store).await?;
    // Bad [mail] or [[webhook]] settings stop the start here, with the key and the fix.
    let notifier = Arc::new(settings.notifier()?);
    super::mail::check_mail_at_start(settings, &notifier).await?;
    let stop = worker::stop_on_signals();
    if !settings.quiet {
        eprintln!(
            "{} {} s, {} {} ({}: {})",
            tr(
                settings.lang,
                "Penjadwal berjalan setiap",
                "Scheduler ticking every"
            ),
            a.tick_secs,
            a.workers,
            tr(
                settings.lang,
                "worker; Ctrl-C untuk berhenti",
                "worker(s); Ctrl-C to stop"
            ),
            tr(settings.lang, "basis data", "database"),
            store.url()
        );
    }
    // The scheduler's own stop also stops the local workers when it gives up.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut signals = stop;
    tokio::spawn({
        let stop_tx = stop_tx.clone();
        async move {
            while !*signals.borrow_and_update() {
                if signals.changed().await.is_err() {
                    return;
                }
            }
            let _ = stop_tx.send(true);
        }
    });
    // The scheduler's health feeds /readyz and `kawal jobs health`.
    let health = Arc::new(SchedulerHealth::new());
    let liveness: crate::web::Liveness = {
        let health = health.clone();
        Arc::new(move || {
            let h = health.snapshot();
            if h.is_healthy() {
                Ok(())
            } else {
                Err(format!(
                    "penjadwal gagal {} kali berturut-turut / the scheduler failed {} times in a row: {}",
                    h.consecutive_failures,
                    h.consecutive_failures,
                    h.last_error.unwrap_or_default()
                ))
            }
        })
    };
    let http = super::team::start_http(settings, &a.http, store.clone(), liveness, stop_rx.clone())
        .await?;
    let sched_cfg = SchedulerConfig {
        every: Duration::from_secs(a.tick_secs),
        retry: cfg.retry,
    };
    let outbox = tokio::spawn(crate::notify::outbox::run(
        store.clone(),
        notifier,
        env.clock.clone(),
        crate::notify::outbox::OutboxConfig::default(),
        stop_rx.clone(),
    ));
    let sched = {
        let (store, clock, stop_tx, stop_rx, health) = (
            store.clone(),
            env.clock.clone(),
            stop_tx.clone(),
            stop_rx.clone(),
            health.clone(),
        );
        async move {
            let r = worker::run_scheduler(store, clock, sched_cfg, health, stop_rx).await;
            if r.is_err() {
                let _ = stop_tx.send(true);
            }
            r
        }
    };
    if a.workers == 0 {
        sched.await.map_err(Failure::incomplete)?;
    } else {
        let work = async {
            let r = worker::run_worker(store.clone(), env, cfg, stop_rx).await;
            if r.is_err() {
                let _ = stop_tx.send(true);
            }
            r
        };
        let (s, w) = tokio::join!(sched, work);
        s.map_err(Failure::incomplete)?;
        w.map_err(Failure::incomplete)?;
    }
    if let Some(h) = http {
        let _ = h.await;
    }
    let _ = outbox.await;
    Ok(EXIT_OK)
}

/// A time as RFC 3339, or "-".
fn t(v: Option<time::OffsetDateTime>) -> String {
    v.and_then(|v| {
        v.format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_else(|| "-".into())
}

/// One line per scheduler seen in the last day: healthy, failing (with the error and the
/// failures so far), given up, or silent (nothing written for three ticks).
fn scheduler_lines(
    sched: &[crate::store::SchedulerStatus],
    now: time::OffsetDateTime,
    lang: crate::i18n::Lang,
) -> String {
    if sched.is_empty() {
        return format!(
            "{}\n",
            tr(
                lang,
                "Penjadwal: tidak ada yang aktif dalam 24 jam terakhir (kawal serve).",
                "Scheduler: none active in the last 24 hours (kawal serve)."
            )
        );
    }
    let mut out = String::new();
    for s in sched {
        let h = &s.health;
        let state = if h.gave_up {
            tr(lang, "BERHENTI (menyerah)", "STOPPED (gave up)")
        } else if s.is_silent(now) {
            tr(lang, "TIDAK ADA KABAR", "SILENT")
        } else if h.consecutive_failures > 0 {
            tr(lang, "GAGAL, mencoba ulang", "FAILING, retrying")
        } else {
            tr(lang, "sehat", "healthy")
        };
        let _ = writeln!(
            out,
            "{} {}: {state}; {} {}",
            tr(lang, "Penjadwal", "Scheduler"),
            s.scheduler,
            tr(lang, "tick terakhir berhasil", "last good tick"),
            t(h.last_ok_at)
        );
        if h.consecutive_failures > 0 || h.gave_up {
            let _ = writeln!(
                out,
                "  {} {} {}; {} {}: {}",
                h.consecutive_failures,
                tr(
                    lang,
                    "kegagalan berturut-turut sejak",
                    "consecutive failures since"
                ),
                t(h.failing_since),
                tr(lang, "galat terakhir", "last error"),
                t(h.last_error_at),
                h.last_error.as_deref().unwrap_or("-")
            );
        }
        if s.is_silent(now) {
            let _ = writeln!(
                out,
                "  {} {}",
                tr(
                    lang,
                    "tidak menulis status sejak",
                    "has not written its status since"
                ),
                t(Some(s.updated_at))
            );
        }
    }
    out
}

fn parse_status(s: &str) -> Result<JobStatus, Failure> {
    JobStatus::parse(s).ok_or_else(|| {
        Failure::usage(anyhow!(
            "status '{s}' tidak dikenal / unknown: queued, running, done, failed, cancelled"
        ))
    })
}

fn show(j: &Job) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<16} {}", "job", j.id);
    let _ = writeln!(
        out,
        "{:<16} {} (#{})",
        "application", j.application, j.application_id
    );
    let _ = writeln!(out, "{:<16} {}", "kind", j.kind);
    let _ = writeln!(out, "{:<16} {}", "status", j.status.as_str());
    let _ = writeln!(out, "{:<16} {}", "scheduled_for", t(Some(j.scheduled_for)));
    let _ = writeln!(out, "{:<16} {}", "enqueued_at", t(Some(j.enqueued_at)));
    if j.late_secs > 120 || j.missed_slots > 1 {
        let _ = writeln!(
            out,
            "{:<16} {} s ({} missed slot(s) caught up)",
            "late", j.late_secs, j.missed_slots
        );
    }
    let _ = writeln!(out, "{:<16} {}/{}", "attempts", j.attempts, j.max_attempts);
    let _ = writeln!(
        out,
        "{:<16} {}",
        "worker",
        j.worker.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "{:<16} {}", "lease_until", t(j.lease_until));
    let _ = writeln!(
        out,
        "{:<16} {}",
        "evaluation",
        j.evaluation_id
            .map_or_else(|| "-".into(), |e| e.to_string())
    );
    if let Some(e) = &j.last_error {
        let _ = writeln!(out, "{:<16} {e}", "last_error");
    }
    out
}

/// `kawal jobs …`.
pub(super) async fn jobs(settings: &Settings, c: JobsCommand) -> Result<u8, Failure> {
    let store = settings.store().await?;
    let now = time::OffsetDateTime::now_utc();
    match c {
        JobsCommand::List {
            status,
            app,
            limit,
            json,
        } => {
            let status = status.as_deref().map(parse_status).transpose()?;
            let app_id = match app {
                Some(a) => Some(store.app(&a).await?.id),
                None => None,
            };
            let jobs = store
                .list_jobs(status, app_id, limit.clamp(1, 10_000))
                .await?;
            if !json {
                let sched = store
                    .scheduler_statuses(now - time::Duration::days(1))
                    .await?;
                write_out(&scheduler_lines(&sched, now, settings.lang), None)?;
            }
            if json {
                write_out(
                    &(serde_json::to_string_pretty(&jobs).unwrap_or_default() + "\n"),
                    None,
                )?;
            } else if jobs.is_empty() {
                write_out(tr(settings.lang, "Tidak ada job.\n", "No jobs.\n"), None)?;
            } else {
                let mut out = format!(
                    "{:<6} {:<16} {:<10} {:<10} {:<21} {:<9} {}\n",
                    "ID", "APP", "KIND", "STATUS", "SCHEDULED (UTC)", "ATTEMPTS", "EVAL"
                );
                for j in &jobs {
                    let when = j
                        .scheduled_for
                        .format(&time::macros::format_description!(
                            "[year]-[month]-[day] [hour]:[minute]"
                        ))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "{:<6} {:<16} {:<10} {:<10} {:<21} {:<9} {}",
                        j.id,
                        j.application,
                        j.kind,
                        j.status.as_str(),
                        when,
                        format!("{}/{}", j.attempts, j.max_attempts),
                        j.evaluation_id
                            .map_or_else(|| "-".into(), |e| e.to_string())
                    );
                }
                write_out(&out, None)?;
            }
        }
        JobsCommand::Health { json } => {
            let sched = store
                .scheduler_statuses(now - time::Duration::days(1))
                .await?;
            let unhealthy = sched
                .iter()
                .any(|s| !s.health.is_healthy() || s.is_silent(now));
            if json {
                write_out(
                    &(serde_json::to_string_pretty(&sched).unwrap_or_default() + "\n"),
                    None,
                )?;
            } else {
                write_out(&scheduler_lines(&sched, now, settings.lang), None)?;
            }
            store.close().await;
            return Ok(if unhealthy {
                super::EXIT_NOT_MET
            } else {
                EXIT_OK
            });
        }
        JobsCommand::Show { id } => write_out(&show(&store.job(id).await?), None)?,
        JobsCommand::Cancel { id } => write_out(&show(&store.cancel_job(id, now).await?), None)?,
        JobsCommand::Retry { id } => write_out(&show(&store.retry_job(id, now).await?), None)?,
    }
    store.close().await;
    Ok(EXIT_OK)
}
