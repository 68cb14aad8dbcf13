//! The scheduler and the job queue on real SQLite and PostgreSQL: no double enqueue, no
//! double run, catch-up after downtime, crash recovery.

mod common;

use kawal::store::{ClaimLimits, JobStatus, NewApp, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::datetime;

fn apps(n: usize, schedule: &str, agencies: usize) -> Vec<NewApp> {
    (0..n)
        .map(|i| NewApp {
            name: format!("APP-{i:05}"),
            url: format!("https://app{i}.example.go.id"),
            agency: format!("Dinas {}", i % agencies),
            owner: "o@example.go.id".into(),
            schedule: Some(schedule.into()),
            timezone: "Asia/Jakarta".into(),
            ..NewApp::default()
        })
        .collect()
}

/// Where a test's database lives; dropping it removes the PostgreSQL schema.
enum Place {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Schema(String, String),
}

impl Place {
    async fn cleanup(self) {
        if let Place::Schema(url, schema) = self
            && let Ok(pool) = sqlx::PgPool::connect(&url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&pool)
                .await;
        }
    }
}

/// Two handles (separate pools) on one database, as two processes would have.
async fn two_stores(backend: &str) -> Option<(Store, Store, Place)> {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().expect("tmp");
            let url = format!("sqlite://{}/k.db", dir.path().display());
            Some((
                Store::open(&url).await.expect("a"),
                Store::open(&url).await.expect("b"),
                Place::Dir(dir),
            ))
        }
        _ => {
            let url = std::env::var("KAWAL_TEST_DATABASE_URL").ok()?;
            let schema = format!(
                "kawal_sched_{}_{}",
                std::process::id(),
                OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
            );
            let a = Store::open_pg_schema(&url, &schema).await.expect("pg a");
            let b = Store::open_pg_schema(&url, &schema).await.expect("pg b");
            Some((a, b, Place::Schema(url, schema)))
        }
    }
}

async fn no_double_enqueue(backend: &str) {
    let Some((a, b, place)) = two_stores(backend).await else {
        eprintln!("KAWAL_TEST_DATABASE_URL not set: {backend} case not run");
        return;
    };
    a.add_apps(&apps(60, "*/5 * * * *", 3)).await.expect("apps");
    let t0 = datetime!(2026-11-22 01:02:00 UTC);
    let init = a.tick(t0).await.expect("init");
    assert_eq!((init.initialised, init.enqueued), (60, 0));
    // Two schedulers tick at the same moment: every due run is enqueued exactly once.
    let t1 = datetime!(2026-11-22 01:05:00 UTC);
    let (ra, rb) = tokio::join!(a.tick(t1), b.tick(t1));
    let (ra, rb) = (ra.expect("tick a"), rb.expect("tick b"));
    assert_eq!(ra.enqueued + rb.enqueued, 60, "{ra:?} {rb:?}");
    let jobs = a.list_jobs(None, None, 1000).await.expect("jobs");
    assert_eq!(jobs.len(), 60);
    assert!(
        jobs.iter()
            .all(|j| j.scheduled_for == t1 && j.status == JobStatus::Queued && j.late_secs == 0)
    );
    // Ticking again within the same slot adds nothing.
    assert_eq!(
        b.tick(datetime!(2026-11-22 01:06:00 UTC))
            .await
            .expect("again")
            .enqueued,
        0
    );
    a.close().await;
    b.close().await;
    place.cleanup().await;
}

#[tokio::test]
async fn two_schedulers_never_enqueue_twice_sqlite() {
    no_double_enqueue("sqlite").await;
}

#[tokio::test]
async fn two_schedulers_never_enqueue_twice_postgres() {
    no_double_enqueue("postgres").await;
}

#[tokio::test]
async fn three_day_outage_catches_up_once_per_application() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = Store::open(&format!("sqlite://{}/k.db", dir.path().display()))
        .await
        .expect("open");
    s.add_apps(&apps(25, "0 2 * * *", 5)).await.expect("apps");
    s.add_apps(
        &[NewApp {
            schedule: Some("0 3 * * 1".into()),
            ..apps(1, "", 1).remove(0)
        }]
        .map(|mut a| {
            a.name = "WEEKLY".into();
            a
        }),
    )
    .await
    .expect("weekly");
    let t0 = datetime!(2026-11-21 12:00 UTC);
    assert_eq!(s.tick(t0).await.expect("init").initialised, 26);
    // Nothing runs for three days, then the scheduler comes back.
    let back = t0 + time::Duration::days(3) + time::Duration::minutes(7);
    let stats = s.tick(back).await.expect("catch up");
    assert_eq!(
        stats.enqueued, 26,
        "one run per application, not one per missed slot"
    );
    let jobs = s.list_jobs(None, None, 1000).await.expect("jobs");
    let daily: Vec<_> = jobs.iter().filter(|j| j.application != "WEEKLY").collect();
    assert_eq!(daily.len(), 25);
    for j in &daily {
        assert_eq!(j.missed_slots, 3, "{j:?}");
        assert!(j.late_secs > 2 * 86_400, "recorded as late: {j:?}");
        // The first missed slot: 02:00 WIB on 22 November is 19:00 UTC on the 21st.
        assert_eq!(j.scheduled_for, datetime!(2026-11-21 19:00 UTC));
    }
    let weekly = jobs
        .iter()
        .find(|j| j.application == "WEEKLY")
        .expect("weekly job");
    assert_eq!(weekly.missed_slots, 1, "one Monday fell in the outage");
    assert_eq!(
        s.tick(back + time::Duration::minutes(1))
            .await
            .expect("tick")
            .enqueued,
        0
    );
    // The next regular slot is on time again.
    let next = s
        .tick(datetime!(2026-11-24 19:00:20 UTC))
        .await
        .expect("regular");
    assert_eq!(next.enqueued, 25);
}

#[tokio::test]
async fn schedule_change_recomputes_the_next_run() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = Store::open(&format!("sqlite://{}/k.db", dir.path().display()))
        .await
        .expect("open");
    s.add_apps(&apps(1, "0 2 * * 1", 1)).await.expect("app");
    s.tick(datetime!(2026-11-22 00:00 UTC)).await.expect("init");
    s.edit_app(
        "APP-00000",
        &kawal::store::AppPatch {
            schedule: Some(Some("0 2 * * *".into())),
            ..Default::default()
        },
    )
    .await
    .expect("edit");
    assert_eq!(
        s.tick(datetime!(2026-11-22 00:01 UTC))
            .await
            .expect("tick")
            .initialised,
        1,
        "recomputed after the edit"
    );
}

async fn stress(backend: &str, jobs: usize, workers: usize) {
    let Some((a, b, place)) = two_stores(backend).await else {
        eprintln!("KAWAL_TEST_DATABASE_URL not set: {backend} stress not run");
        return;
    };
    let napps = jobs / 5;
    a.add_apps(&apps(napps, "0 2 * * *", 10))
        .await
        .expect("apps");
    let app_ids: Vec<i64> = a
        .list_apps()
        .await
        .expect("list")
        .iter()
        .map(|x| x.id)
        .collect();
    let base = datetime!(2026-11-22 00:00 UTC);
    for k in 0..5 {
        for id in &app_ids {
            a.enqueue_manual(*id, base + time::Duration::seconds(k))
                .await
                .expect("enqueue");
        }
    }
    let stores = [Arc::new(a), Arc::new(b)];
    let now = base + time::Duration::minutes(1);
    let limits = ClaimLimits {
        global: 1_000,
        per_agency: 1_000,
    };
    let mut tasks = Vec::new();
    for w in 0..workers {
        let s = stores[w % 2].clone();
        tasks.push(tokio::spawn(async move {
            let me = format!("stress-{w}");
            let mut got = Vec::new();
            loop {
                match s
                    .claim_job(&me, now, Duration::from_secs(60), limits)
                    .await
                    .expect("claim")
                {
                    Some(j) => {
                        // While this job runs, no other job of its application may run.
                        let running = s
                            .list_jobs(Some(JobStatus::Running), Some(j.application_id), 10)
                            .await
                            .expect("running");
                        assert_eq!(
                            running.len(),
                            1,
                            "two running jobs for application {}",
                            j.application_id
                        );
                        tokio::task::yield_now().await;
                        assert!(s.complete_job(j.id, &me, now).await.expect("complete"));
                        got.push(j.id);
                    }
                    None => {
                        let left = s
                            .list_jobs(Some(JobStatus::Queued), None, 1)
                            .await
                            .expect("left");
                        if left.is_empty() {
                            return got;
                        }
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            }
        }));
    }
    let mut claims: HashMap<i64, usize> = HashMap::new();
    for t in tasks {
        for id in t.await.expect("worker") {
            *claims.entry(id).or_default() += 1;
        }
    }
    assert_eq!(claims.len(), jobs, "every job ran");
    assert!(claims.values().all(|&n| n == 1), "no job ran twice");
    let done = stores[0]
        .list_jobs(Some(JobStatus::Done), None, 100_000)
        .await
        .expect("done");
    assert_eq!(done.len(), jobs);
    assert!(done.iter().all(|j| j.attempts == 1));
    for s in stores {
        if let Ok(s) = Arc::try_unwrap(s) {
            s.close().await;
        }
    }
    place.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_jobs_four_workers_postgres_no_double_run() {
    stress("postgres", 1_000, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_two_workers_sqlite_no_double_run() {
    stress("sqlite", 200, 2).await;
}

#[tokio::test]
async fn expired_lease_is_reclaimed_and_its_evaluation_interrupted() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = Store::open(&format!("sqlite://{}/k.db", dir.path().display()))
        .await
        .expect("open");
    s.add_apps(&apps(1, "0 2 * * *", 1)).await.expect("app");
    let app = s.app("APP-00000").await.expect("app");
    let t = datetime!(2026-11-22 00:00 UTC);
    let job = s.enqueue_manual(app.id, t).await.expect("job");
    let lease = Duration::from_secs(60);
    let claimed = s
        .claim_job("dead-worker", t, lease, ClaimLimits::default())
        .await
        .expect("claim")
        .expect("job");
    let eval = s
        .start_evaluation(Some(app.id), &app.url, "bssn-web", "t")
        .await
        .expect("eval");
    s.attach_evaluation(claimed.id, eval).await.expect("attach");
    // Within the lease nothing happens; nobody else can claim it.
    assert!(
        s.reap_expired(t + time::Duration::seconds(30))
            .await
            .expect("reap")
            .is_empty()
    );
    assert!(
        s.claim_job(
            "other",
            t + time::Duration::seconds(30),
            lease,
            ClaimLimits::default()
        )
        .await
        .expect("claim")
        .is_none()
    );
    // After expiry it is queued again and the half-done evaluation is interrupted.
    let later = t + time::Duration::seconds(61);
    assert_eq!(s.reap_expired(later).await.expect("reap"), vec![job.id]);
    assert_eq!(
        s.evaluation(eval).await.expect("eval").status,
        kawal::model::EvaluationStatus::Interrupted
    );
    let again = s
        .claim_job("other", later, lease, ClaimLimits::default())
        .await
        .expect("claim")
        .expect("reclaimed");
    assert_eq!((again.id, again.attempts), (job.id, 2));
    // The dead worker cannot complete a job it no longer holds.
    assert!(
        !s.complete_job(job.id, "dead-worker", later)
            .await
            .expect("complete")
    );
    assert!(
        s.complete_job(job.id, "other", later)
            .await
            .expect("complete")
    );
    // After the last attempt a reclaimed job fails instead of looping.
    let j2 = s.enqueue_manual(app.id, later).await.expect("job 2");
    let mut now = later;
    for _ in 0..3 {
        assert!(
            s.claim_job("w", now, lease, ClaimLimits::default())
                .await
                .expect("claim")
                .is_some()
        );
        now += time::Duration::seconds(61);
        s.reap_expired(now).await.expect("reap");
    }
    let j2 = s.job(j2.id).await.expect("job");
    assert_eq!((j2.status, j2.attempts), (JobStatus::Failed, 3));
    // A person can queue it again; cancelling works only on queued jobs.
    assert_eq!(
        s.retry_job(j2.id, now).await.expect("retry").status,
        JobStatus::Queued
    );
    assert_eq!(
        s.cancel_job(j2.id, now).await.expect("cancel").status,
        JobStatus::Cancelled
    );
    assert!(s.cancel_job(j2.id, now).await.is_err());
}

#[tokio::test]
async fn agency_and_global_caps_hold() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = Store::open(&format!("sqlite://{}/k.db", dir.path().display()))
        .await
        .expect("open");
    s.add_apps(&apps(6, "0 2 * * *", 2)).await.expect("apps");
    let t = datetime!(2026-11-22 00:00 UTC);
    for a in s.list_apps().await.expect("apps") {
        s.enqueue_manual(a.id, t).await.expect("job");
    }
    let limits = ClaimLimits {
        global: 3,
        per_agency: 2,
    };
    let mut claimed = Vec::new();
    while let Some(j) = s
        .claim_job("w", t, Duration::from_secs(60), limits)
        .await
        .expect("claim")
    {
        claimed.push(j);
    }
    assert_eq!(claimed.len(), 3, "global cap");
    let mut per_agency: HashMap<i64, usize> = HashMap::new();
    for j in &claimed {
        *per_agency.entry(j.agency_id).or_default() += 1;
    }
    assert!(per_agency.values().all(|&n| n <= 2), "{per_agency:?}");
}
