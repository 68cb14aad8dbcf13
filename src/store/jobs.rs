//! The job queue: scheduled and manual evaluation runs as rows, claimed under a lease.
//!
//! A due run becomes one row, unique per (application, slot), so two schedulers never
//! enqueue it twice. Workers claim with one atomic statement (PostgreSQL adds
//! `FOR UPDATE SKIP LOCKED`; SQLite serialises writers), and a partial unique index allows
//! at most one running job per application. Timestamps are stored in whole UTC seconds, so
//! SQLite's text comparison orders them correctly.

use super::{Db, Store, StoreError, in_write_tx, on};
use crate::schedule::{CronSpec, timezone};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::time::Duration;
use time::OffsetDateTime;

/// Lifecycle of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// Claimed by a worker under a lease.
    Running,
    /// Its evaluation finished.
    Done,
    /// Gave up after its attempts.
    Failed,
    /// Cancelled by a person.
    Cancelled,
}

impl JobStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<JobStatus> {
        [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Done,
            JobStatus::Failed,
            JobStatus::Cancelled,
        ]
        .into_iter()
        .find(|j| j.as_str() == s)
    }
}

/// One job row.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Application id.
    pub application_id: i64,
    /// Application name.
    pub application: String,
    /// Agency id (for per-agency caps).
    pub agency_id: i64,
    /// `scheduled` or `manual`.
    pub kind: String,
    /// The schedule slot (or request time for manual runs).
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub scheduled_for: OffsetDateTime,
    /// When it was enqueued.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub enqueued_at: OffsetDateTime,
    /// Seconds between the slot and the enqueue (catch-up after downtime).
    pub late_secs: i64,
    /// Slots missed while nothing was running, caught up by this one job.
    pub missed_slots: i64,
    /// Status.
    pub status: JobStatus,
    /// Claims so far.
    pub attempts: i64,
    /// Claims allowed.
    pub max_attempts: i64,
    /// Not to be claimed before.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub run_after: OffsetDateTime,
    /// Claiming worker.
    pub worker: Option<String>,
    /// Lease expiry.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub lease_until: Option<OffsetDateTime>,
    /// Claimed at.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub started_at: Option<OffsetDateTime>,
    /// Ended at.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub finished_at: Option<OffsetDateTime>,
    /// Evaluation of the latest attempt.
    pub evaluation_id: Option<i64>,
    /// Last error.
    pub last_error: Option<String>,
    /// The evaluation whose failed items this job runs again (a retest).
    pub retest_of: Option<i64>,
}

/// Concurrency caps applied when claiming.
#[derive(Debug, Clone, Copy)]
pub struct ClaimLimits {
    /// Running jobs across all workers.
    pub global: i64,
    /// Running jobs per agency.
    pub per_agency: i64,
}

impl Default for ClaimLimits {
    fn default() -> Self {
        ClaimLimits {
            global: 16,
            per_agency: 4,
        }
    }
}

/// What one scheduler tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickStats {
    /// Applications whose next run was due.
    pub due: usize,
    /// Jobs inserted (a concurrent scheduler may have inserted the others).
    pub enqueued: usize,
    /// Applications whose first run time was computed.
    pub initialised: usize,
    /// Applications with a schedule that no longer parses.
    pub invalid: usize,
}

/// Seconds tried for a manual job's key when jobs that already ended hold the earlier ones.
const MANUAL_SLOTS: i64 = 60;

/// Whole UTC seconds: the stored form of every queue timestamp.
pub fn secs(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
}

fn to_chrono(
    t: OffsetDateTime,
    tz: chrono::FixedOffset,
) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), 0).map(|d| d.with_timezone(&tz))
}

fn from_chrono(t: chrono::DateTime<chrono::FixedOffset>) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(t.timestamp()).ok()
}

/// The decision of one tick for one application (pure, so it is tested without a database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Enqueue a run for this slot, with its delay and the number of slots it stands for.
    pub enqueue: Option<(OffsetDateTime, i64, i64)>,
    /// The next run time to store.
    pub next: Option<OffsetDateTime>,
}

/// Plans one application: first computation, nothing due, or one (catch-up) run.
pub fn plan(
    spec: &CronSpec,
    tz: chrono::FixedOffset,
    next_run_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Plan {
    let now = secs(now);
    let next_after = |t: OffsetDateTime| {
        to_chrono(t, tz)
            .and_then(|c| spec.next_after(c))
            .and_then(from_chrono)
    };
    match next_run_at {
        None => Plan {
            enqueue: None,
            next: next_after(now),
        },
        Some(due) if due > now => Plan {
            enqueue: None,
            next: Some(due),
        },
        Some(due) => {
            // Count the slots that passed while nothing ran; they are caught up by one run.
            let mut missed = 1i64;
            let mut t = due;
            while let Some(n) = next_after(t) {
                if n > now || missed >= 100_000 {
                    break;
                }
                missed += 1;
                t = n;
            }
            Plan {
                enqueue: Some((due, (now - due).whole_seconds(), missed)),
                next: next_after(now),
            }
        }
    }
}

const SELECT_JOB: &str = "SELECT j.id, j.application_id, a.name AS application, j.agency_id, j.kind, j.scheduled_for, j.enqueued_at, j.late_secs, j.missed_slots, j.status, j.attempts, j.max_attempts, j.run_after, j.worker, j.lease_until, j.started_at, j.finished_at, j.evaluation_id, j.last_error, j.retest_of FROM job j JOIN application a ON a.id = j.application_id";

macro_rules! job_from_row {
    ($r:expr) => {{
        let r = $r;
        let status: String = r.try_get("status")?;
        Job {
            id: r.try_get("id")?,
            application_id: r.try_get("application_id")?,
            application: r.try_get("application")?,
            agency_id: r.try_get("agency_id")?,
            kind: r.try_get("kind")?,
            scheduled_for: r.try_get("scheduled_for")?,
            enqueued_at: r.try_get("enqueued_at")?,
            late_secs: r.try_get("late_secs")?,
            missed_slots: r.try_get("missed_slots")?,
            status: JobStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("job status '{status}'")))?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
            run_after: r.try_get("run_after")?,
            worker: r.try_get("worker")?,
            lease_until: r.try_get("lease_until")?,
            started_at: r.try_get("started_at")?,
            finished_at: r.try_get("finished_at")?,
            evaluation_id: r.try_get("evaluation_id")?,
            last_error: r.try_get("last_error")?,
            retest_of: r.try_get("retest_of")?,
        }
    }};
}

const CLAIM_SQLITE: &str = "UPDATE job SET status = 'running', worker = $1, lease_until = $2, started_at = $3, attempts = attempts + 1 \
    WHERE id = (SELECT j.id FROM job j WHERE j.status = 'queued' AND j.run_after <= $3 \
      AND NOT EXISTS (SELECT 1 FROM job r WHERE r.application_id = j.application_id AND r.status = 'running') \
      AND (SELECT COUNT(*) FROM job r WHERE r.status = 'running') < $4 \
      AND (SELECT COUNT(*) FROM job r WHERE r.status = 'running' AND r.agency_id = j.agency_id) < $5 \
      ORDER BY j.scheduled_for, j.id LIMIT 1) RETURNING id";

const CLAIM_PG: &str = "UPDATE job SET status = 'running', worker = $1, lease_until = $2, started_at = $3, attempts = attempts + 1 \
    WHERE id = (SELECT j.id FROM job j WHERE j.status = 'queued' AND j.run_after <= $3 \
      AND NOT EXISTS (SELECT 1 FROM job r WHERE r.application_id = j.application_id AND r.status = 'running') \
      AND (SELECT COUNT(*) FROM job r WHERE r.status = 'running') < $4 \
      AND (SELECT COUNT(*) FROM job r WHERE r.status = 'running' AND r.agency_id = j.agency_id) < $5 \
      ORDER BY j.scheduled_for, j.id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id";

/// Serialises capped claims on PostgreSQL: the counting subqueries of [`CLAIM_PG`] read a
/// snapshot taken when the statement starts, so concurrent claimers could all pass a cap. Under
/// this transaction-scoped advisory lock each claim starts after the previous one committed.
/// The key is an arbitrary constant ("KAWALCAP" in ASCII) that no other Kawal lock uses.
const CLAIM_LOCK_PG: &str = "SELECT pg_advisory_xact_lock(5422711364294754640)";

/// Runs the claim statement in `tx` (after `lock`, if any) and commits; a unique violation
/// (lost race) rolls back.
async fn claim_in<DB: sqlx::Database>(
    mut tx: sqlx::Transaction<'static, DB>,
    lock: Option<&'static str>,
    sql: &'static str,
    worker: &str,
    until: OffsetDateTime,
    now: OffsetDateTime,
    limits: ClaimLimits,
) -> Result<Option<i64>, sqlx::Error>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    OffsetDateTime: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    for<'r> &'r str: sqlx::ColumnIndex<DB::Row>,
{
    if let Some(lock) = lock {
        sqlx::query(lock).execute(&mut *tx).await?;
    }
    let row = sqlx::query(sql)
        .bind(worker)
        .bind(until)
        .bind(now)
        .bind(limits.global)
        .bind(limits.per_agency)
        .fetch_optional(&mut *tx)
        .await?;
    let id = match row {
        Some(r) => Some(sqlx::Row::try_get::<i64, _>(&r, "id")?),
        None => None,
    };
    tx.commit().await?;
    Ok(id)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Store {
    /// One scheduler tick at `now`: enqueue every due run once, advance next run times.
    pub async fn tick(&self, now: OffsetDateTime) -> Result<TickStats, StoreError> {
        let now = secs(now);
        let due: Vec<(i64, i64, String, String, Option<OffsetDateTime>)> = on!(self, pool => {
            let rows = sqlx::query("SELECT id, agency_id, schedule, timezone, next_run_at FROM application WHERE schedule IS NOT NULL AND (next_run_at IS NULL OR next_run_at <= $1)")
                .bind(now).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("agency_id")?, r.try_get("schedule")?, r.try_get("timezone")?, r.try_get("next_run_at")?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        let mut stats = TickStats::default();
        let mut specs: HashMap<(String, String), Option<(CronSpec, chrono::FixedOffset)>> =
            HashMap::new();
        let mut plans = Vec::with_capacity(due.len());
        for (id, agency, schedule, tz, next) in due {
            let parsed = specs
                .entry((schedule.clone(), tz.clone()))
                .or_insert_with(|| Some((CronSpec::parse(&schedule).ok()?, timezone(&tz).ok()?)));
            let Some((spec, offset)) = parsed else {
                tracing::warn!(
                    "application {id}: schedule '{schedule}' ({tz}) no longer parses; skipped"
                );
                stats.invalid += 1;
                continue;
            };
            let p = plan(spec, *offset, next, now);
            match next {
                None => stats.initialised += 1,
                Some(_) => stats.due += 1,
            }
            plans.push((id, agency, next, p));
        }
        // One transaction and two statements per chunk: a tick costs a few round trips, not two per
        // application, and a 30,000-application first tick never holds one giant lock.
        let null_safe_eq = match self.db {
            Db::Sqlite(_) => "IS",
            Db::Pg(_) => "IS NOT DISTINCT FROM",
        };
        for chunk in plans.chunks(500) {
            let due: Vec<_> = chunk
                .iter()
                .filter_map(|(id, agency, _, p)| p.enqueue.map(|e| (*id, *agency, e)))
                .collect();
            stats.enqueued += in_write_tx!(self, tx => {
                let mut enqueued = 0;
                if !due.is_empty() {
                    let mut q = sqlx::QueryBuilder::new(
                        "INSERT INTO job (application_id, agency_id, kind, scheduled_for, enqueued_at, late_secs, missed_slots, status, run_after) ",
                    );
                    q.push_values(&due, |mut b, (id, agency, (slot, late, missed))| {
                        b.push_bind(*id).push_bind(*agency).push("'scheduled'").push_bind(*slot).push_bind(now)
                            .push_bind(*late).push_bind(*missed).push("'queued'").push_bind(now);
                    });
                    q.push(" ON CONFLICT (application_id, scheduled_for) DO NOTHING");
                    enqueued = q.build().execute(&mut *tx).await?.rows_affected() as usize;
                }
                // Conditional on the old value: a concurrent scheduler that already advanced it wins.
                let mut q = sqlx::QueryBuilder::new("UPDATE application SET next_run_at = v.column2 FROM (");
                q.push_values(chunk, |mut b, (id, _, old, p)| {
                    b.push_bind(*id).push_bind(p.next).push_bind(*old);
                });
                q.push(") AS v WHERE application.id = v.column1 AND application.next_run_at ");
                q.push(null_safe_eq);
                q.push(" v.column3");
                q.build().execute(&mut *tx).await?;
                enqueued
            });
        }
        Ok(stats)
    }

    /// Forgets the next run time so the scheduler recomputes it (after a schedule change).
    pub async fn reset_next_run(&self, application_id: i64) -> Result<(), StoreError> {
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE application SET next_run_at = NULL WHERE id = $1").bind(application_id).execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Queues a manual run of an application now; returns the job.
    pub async fn enqueue_manual(
        &self,
        application_id: i64,
        now: OffsetDateTime,
    ) -> Result<Job, StoreError> {
        self.enqueue_now(application_id, None, now).await
    }

    /// Queues a retest of evaluation `of` now: a manual job that runs only its failed items
    /// again.
    pub async fn enqueue_retest(
        &self,
        application_id: i64,
        of: i64,
        now: OffsetDateTime,
    ) -> Result<Job, StoreError> {
        self.enqueue_now(application_id, Some(of), now).await
    }

    async fn enqueue_now(
        &self,
        application_id: i64,
        retest_of: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<Job, StoreError> {
        let now = secs(now);
        let id: i64 = in_write_tx!(self, tx => {
            let agency: i64 = sqlx::query("SELECT agency_id FROM application WHERE id = $1").bind(application_id)
                .fetch_optional(&mut *tx).await?
                .ok_or_else(|| StoreError::NotFound { what: "aplikasi/application", name: application_id.to_string() })?
                .try_get("agency_id")?;
            // A request in the same second as a queued or running job is that job (a second
            // click); one in the same second as a job that already ended is a new run, keyed a
            // second later, since (application, scheduled_for) is unique.
            let mut id = None;
            for k in 0..MANUAL_SLOTS {
                let slot = now + time::Duration::seconds(k);
                sqlx::query("INSERT INTO job (application_id, agency_id, kind, scheduled_for, enqueued_at, status, run_after, retest_of) VALUES ($1, $2, 'manual', $3, $4, 'queued', $4, $5) ON CONFLICT (application_id, scheduled_for) DO NOTHING")
                    .bind(application_id).bind(agency).bind(slot).bind(now).bind(retest_of).execute(&mut *tx).await?;
                let row = sqlx::query("SELECT id, status FROM job WHERE application_id = $1 AND scheduled_for = $2").bind(application_id).bind(slot)
                    .fetch_one(&mut *tx).await?;
                let status: String = row.try_get("status")?;
                if matches!(status.as_str(), "queued" | "running") {
                    id = Some(row.try_get::<i64, _>("id")?);
                    break;
                }
            }
            id.ok_or_else(|| StoreError::Conflict(format!(
                "terlalu banyak evaluasi diminta untuk aplikasi {application_id} dalam satu menit / too many evaluations requested for application {application_id} within a minute"
            )))?
        });
        self.job(id).await
    }

    /// Claims the oldest claimable job for `worker`, or `None` when nothing may run now.
    pub async fn claim_job(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limits: ClaimLimits,
    ) -> Result<Option<Job>, StoreError> {
        let now = secs(now);
        let until = now + lease;
        for _ in 0..3 {
            let claimed: Result<Option<i64>, sqlx::Error> = match &self.db {
                Db::Sqlite(pool) => {
                    claim_in(
                        pool.begin_with("BEGIN IMMEDIATE").await?,
                        None,
                        CLAIM_SQLITE,
                        worker,
                        until,
                        now,
                        limits,
                    )
                    .await
                }
                Db::Pg(pool) => {
                    claim_in(
                        pool.begin().await?,
                        Some(CLAIM_LOCK_PG),
                        CLAIM_PG,
                        worker,
                        until,
                        now,
                        limits,
                    )
                    .await
                }
            };
            match claimed {
                Ok(Some(id)) => return self.job(id).await.map(Some),
                Ok(None) => return Ok(None),
                // Another worker started a job of the same application first; look again.
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }

    /// Extends the lease; `false` means the lease was lost (the job was reclaimed).
    pub async fn renew_lease(
        &self,
        job_id: i64,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let until = secs(now) + lease;
        Ok(in_write_tx!(self, tx => {
            sqlx::query("UPDATE job SET lease_until = $1 WHERE id = $2 AND worker = $3 AND status = 'running'")
                .bind(until).bind(job_id).bind(worker).execute(&mut *tx).await?.rows_affected() == 1
        }))
    }

    /// Links the evaluation a job's current attempt produces.
    pub async fn attach_evaluation(
        &self,
        job_id: i64,
        evaluation_id: i64,
    ) -> Result<(), StoreError> {
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE job SET evaluation_id = $1 WHERE id = $2").bind(evaluation_id).bind(job_id).execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Marks a job done; `false` when this worker no longer holds it. A job whose evaluation
    /// finished is already done (see [`Store::finish_evaluation`]); that counts as held.
    pub async fn complete_job(
        &self,
        job_id: i64,
        worker: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        Ok(in_write_tx!(self, tx => {
            sqlx::query("UPDATE job SET status = 'done', finished_at = COALESCE(finished_at, $1), lease_until = NULL WHERE id = $2 AND worker = $3 AND status IN ('running', 'done')")
                .bind(secs(now)).bind(job_id).bind(worker).execute(&mut *tx).await?.rows_affected() == 1
        }))
    }

    /// Records a failed attempt: queued again after `backoff` while attempts remain, else failed.
    pub async fn fail_job(
        &self,
        job_id: i64,
        worker: &str,
        now: OffsetDateTime,
        error: &str,
        backoff: Duration,
    ) -> Result<JobStatus, StoreError> {
        let now = secs(now);
        let rows = in_write_tx!(self, tx => {
            sqlx::query("UPDATE job SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
                         finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
                         run_after = $2, worker = NULL, lease_until = NULL, last_error = $3 \
                         WHERE id = $4 AND worker = $5 AND status = 'running'")
                .bind(now).bind(now + backoff).bind(error).bind(job_id).bind(worker).execute(&mut *tx).await?.rows_affected()
        });
        if rows == 0 {
            return Err(StoreError::Conflict(format!(
                "job {job_id} is not held by {worker}"
            )));
        }
        Ok(self.job(job_id).await?.status)
    }

    /// Gives a job back unfinished (graceful stop): queued again without using up an attempt;
    /// its evaluation is marked interrupted.
    pub async fn release_job(
        &self,
        job_id: i64,
        worker: &str,
        now: OffsetDateTime,
        reason: &str,
    ) -> Result<(), StoreError> {
        let now = secs(now);
        in_write_tx!(self, tx => {
                        let r = sqlx::query("UPDATE job SET status = 'queued', worker = NULL, lease_until = NULL, attempts = attempts - 1, last_error = $1, run_after = $2 WHERE id = $3 AND worker = $4 AND status = 'running' RETURNING evaluation_id")
                .bind(reason).bind(now).bind(job_id).bind(worker).fetch_optional(&mut *tx).await?;
            if let Some(r) = r
                && let Some(eval) = r.try_get::<Option<i64>, _>("evaluation_id")?
            {
                sqlx::query("UPDATE evaluation SET status = 'interrupted', finished_at = $1, error = $2 WHERE id = $3 AND status = 'running'")
                    .bind(now).bind(reason).bind(eval).execute(&mut *tx).await?;
            }
        });
        Ok(())
    }

    /// Reclaims jobs whose lease expired (their worker died): queued again or failed after the
    /// last attempt; the evaluation they were running is marked interrupted. Returns the job ids.
    pub async fn reap_expired(&self, now: OffsetDateTime) -> Result<Vec<i64>, StoreError> {
        let now = secs(now);
        let reason = "lease habis: worker berhenti sebelum selesai / lease expired: the worker stopped before finishing";
        let expired: Vec<(i64, Option<i64>)> = on!(self, pool => {
            let rows = sqlx::query("SELECT id, evaluation_id FROM job WHERE status = 'running' AND lease_until < $1")
                .bind(now).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("evaluation_id")?))).collect::<Result<Vec<_>, StoreError>>()?
        });
        let mut out = Vec::new();
        for (id, eval) in expired {
            let reclaimed = in_write_tx!(self, tx => {
                let n = sqlx::query("UPDATE job SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
                                     finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
                                     worker = NULL, lease_until = NULL, last_error = $2, run_after = $1 \
                                     WHERE id = $3 AND status = 'running' AND lease_until < $1")
                    .bind(now).bind(reason).bind(id).execute(&mut *tx).await?.rows_affected();
                if n == 1 && let Some(e) = eval {
                    sqlx::query("UPDATE evaluation SET status = 'interrupted', finished_at = $1, error = $2 WHERE id = $3 AND status = 'running'")
                        .bind(now).bind(reason).bind(e).execute(&mut *tx).await?;
                }
                n == 1
            });
            if reclaimed {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// One job.
    pub async fn job(&self, id: i64) -> Result<Job, StoreError> {
        let sql = format!("{SELECT_JOB} WHERE j.id = $1");
        on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Ok(job_from_row!(&r)),
                None => Err(StoreError::NotFound { what: "job", name: id.to_string() }),
            }
        })
    }

    /// Jobs, newest first, optionally of one status and/or application.
    pub async fn list_jobs(
        &self,
        status: Option<JobStatus>,
        application_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Job>, StoreError> {
        self.list_jobs_before(status, application_id, None, limit)
            .await
    }

    /// Jobs older than job `before` (all when `None`), newest first: one page of the queue.
    pub async fn list_jobs_before(
        &self,
        status: Option<JobStatus>,
        application_id: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "{SELECT_JOB} WHERE ($1 IS NULL OR j.status = $1) AND ($2 IS NULL OR j.application_id = $2) AND ($3 IS NULL OR j.id < $3) ORDER BY j.id DESC LIMIT $4"
        );
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status.map(JobStatus::as_str)).bind(application_id).bind(before).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(job_from_row!(r))).collect()
        })
    }

    /// Cancels a queued job.
    pub async fn cancel_job(&self, id: i64, now: OffsetDateTime) -> Result<Job, StoreError> {
        let n = in_write_tx!(self, tx => {
            sqlx::query("UPDATE job SET status = 'cancelled', finished_at = $1 WHERE id = $2 AND status = 'queued'")
                .bind(secs(now)).bind(id).execute(&mut *tx).await?.rows_affected()
        });
        let job = self.job(id).await?;
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "job {id} berstatus {} dan tidak dapat dibatalkan; hanya job yang antre / job {id} is {} and cannot be cancelled; only queued jobs can",
                job.status.as_str(),
                job.status.as_str()
            )));
        }
        Ok(job)
    }

    /// Queues a failed, cancelled or done job again with fresh attempts.
    pub async fn retry_job(&self, id: i64, now: OffsetDateTime) -> Result<Job, StoreError> {
        let n = in_write_tx!(self, tx => {
            sqlx::query("UPDATE job SET status = 'queued', attempts = 0, run_after = $1, worker = NULL, lease_until = NULL, finished_at = NULL, last_error = NULL WHERE id = $2 AND status IN ('failed', 'cancelled', 'done')")
                .bind(secs(now)).bind(id).execute(&mut *tx).await?.rows_affected()
        });
        let job = self.job(id).await?;
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "job {id} berstatus {} / is {}: hanya job gagal, batal atau selesai yang dapat diulang / only failed, cancelled or done jobs can be retried",
                job.status.as_str(),
                job.status.as_str()
            )));
        }
        Ok(job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn wib() -> chrono::FixedOffset {
        timezone("Asia/Jakarta").expect("tz")
    }

    #[test]
    fn first_tick_only_computes_the_next_run() {
        let spec = CronSpec::parse("0 2 * * 1").expect("spec");
        let p = plan(&spec, wib(), None, datetime!(2026-11-22 12:00 UTC));
        assert_eq!(p.enqueue, None);
        // Monday 2026-11-23 02:00 WIB = Sunday 19:00 UTC.
        assert_eq!(p.next, Some(datetime!(2026-11-22 19:00 UTC)));
    }

    #[test]
    fn due_run_is_enqueued_once_with_its_delay() {
        let spec = CronSpec::parse("0 2 * * *").expect("spec");
        let due = datetime!(2026-11-22 19:00 UTC);
        let p = plan(&spec, wib(), Some(due), datetime!(2026-11-22 19:00:30 UTC));
        assert_eq!(p.enqueue, Some((due, 30, 1)));
        assert_eq!(p.next, Some(datetime!(2026-11-23 19:00 UTC)));
    }

    #[test]
    fn three_day_outage_is_caught_up_by_one_run() {
        let spec = CronSpec::parse("0 2 * * *").expect("spec");
        let due = datetime!(2026-11-22 19:00 UTC);
        let now = datetime!(2026-11-25 20:00 UTC);
        let p = plan(&spec, wib(), Some(due), now);
        let (slot, late, missed) = p.enqueue.expect("one run");
        assert_eq!(slot, due);
        assert_eq!(late, (now - due).whole_seconds());
        assert_eq!(missed, 4, "22, 23, 24 and 25 November");
        assert_eq!(p.next, Some(datetime!(2026-11-26 19:00 UTC)));
    }

    #[test]
    fn not_yet_due_changes_nothing() {
        let spec = CronSpec::parse("0 2 * * *").expect("spec");
        let due = datetime!(2026-11-22 19:00 UTC);
        let p = plan(&spec, wib(), Some(due), datetime!(2026-11-22 18:59 UTC));
        assert_eq!(
            p,
            Plan {
                enqueue: None,
                next: Some(due)
            }
        );
    }
}
