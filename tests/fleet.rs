//! A fleet sharing one PostgreSQL: exact concurrency caps under concurrent claimers, one sealing
//! key for every machine, and a scheduler that survives a database outage.

mod common;

use common::pg_url;
use kawal::store::{ClaimLimits, NewApp, Store};
use kawal::worker::{RetryPolicy, SchedulerConfig, SchedulerHealth, SystemClock};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use time::OffsetDateTime;

fn schema(prefix: &str) -> String {
    format!(
        "kawal_{prefix}_{}_{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    )
}

/// Waits (up to 20 s) until `f` holds, without blocking the runtime.
async fn until(what: &str, f: impl Fn() -> bool) {
    let end = std::time::Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(std::time::Instant::now() < end, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn drop_schema(url: &str, schema: &str) {
    if let Ok(pool) = sqlx::PgPool::connect(url).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&pool)
        .await;
    }
}

fn apps(n: usize, agencies: usize) -> Vec<NewApp> {
    (0..n)
        .map(|i| NewApp {
            name: format!("APP-{i:03}"),
            url: format!("https://app{i}.example.go.id"),
            agency: format!("Dinas {}", i % agencies),
            owner: "o@example.go.id".into(),
            timezone: "Asia/Jakarta".into(),
            ..NewApp::default()
        })
        .collect()
}

/// Eight claimers on eight connections pools (as eight machines) race for jobs round after
/// round; neither the global nor the per-agency cap is ever exceeded.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_claimers_never_exceed_either_cap_postgres() {
    let Some(url) = pg_url() else { return };
    let schema = schema("caps");
    let first = Store::open_pg_schema(&url, &schema).await.expect("pg");
    first.add_apps(&apps(40, 4)).await.expect("apps");
    let t = time::macros::datetime!(2026-11-22 00:00 UTC);
    for a in first.list_apps().await.expect("apps") {
        first.enqueue_manual(a.id, t).await.expect("job");
    }
    let mut stores = vec![Arc::new(first)];
    for _ in 1..8 {
        stores.push(Arc::new(
            Store::open_pg_schema(&url, &schema).await.expect("pg"),
        ));
    }
    let limits = ClaimLimits {
        global: 3,
        per_agency: 2,
    };
    let mut total = 0;
    for round in 0..40 {
        let barrier = Arc::new(tokio::sync::Barrier::new(stores.len()));
        let mut tasks = Vec::new();
        for (n, s) in stores.iter().enumerate() {
            let (s, barrier) = (s.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                let me = format!("w{n}");
                barrier.wait().await;
                let mut mine = Vec::new();
                while let Some(j) = s
                    .claim_job(&me, t, Duration::from_secs(600), limits)
                    .await
                    .expect("claim")
                {
                    mine.push((me.clone(), j));
                }
                mine
            }));
        }
        let mut claimed = Vec::new();
        for task in tasks {
            claimed.extend(task.await.expect("claimer"));
        }
        let running = stores[0]
            .list_jobs(Some(kawal::store::JobStatus::Running), None, 1000)
            .await
            .expect("running");
        assert!(
            running.len() <= 3,
            "round {round}: {} running",
            running.len()
        );
        let mut per_agency: HashMap<i64, usize> = HashMap::new();
        for j in &running {
            *per_agency.entry(j.agency_id).or_default() += 1;
        }
        assert!(
            per_agency.values().all(|&n| n <= 2),
            "round {round}: {per_agency:?}"
        );
        if claimed.is_empty() {
            break;
        }
        total += claimed.len();
        for (me, j) in claimed {
            assert!(
                stores[0].complete_job(j.id, &me, t).await.expect("done"),
                "job {} completes",
                j.id
            );
        }
    }
    assert_eq!(total, 40, "every job ran exactly once");
    drop_schema(&url, &schema).await;
}

// ---------------------------------------------------------------------------------------------
// The scheduler never dies silently.
// ---------------------------------------------------------------------------------------------

/// Collects a child's stderr in the background.
fn stderr_of(child: &mut Child) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    if let Some(err) = child.stderr.take() {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if let Ok(mut l) = log.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
    }
    log
}

/// Waits (up to `secs`) until `f` holds.
fn wait_for(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for {what}");
}

/// Stops a child started by a test (by its own handle) if it is still running.
struct Reap(Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn add_app(home: &std::path::Path) {
    let (code, _, err) = common::run({
        let mut c = common::kawal(home);
        c.args([
            "app",
            "add",
            "--name",
            "SIMPEG",
            "--url",
            "https://simpeg.example.go.id",
            "--agency",
            "BKPSDM",
            "--owner",
            "o@example.go.id",
            "--schedule",
            "0 2 * * 1",
        ]);
        c
    });
    assert_eq!(code, 0, "{err}");
}

async fn rename_sqlite(db: &std::path::Path, from: &str, to: &str) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("sqlite");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER TABLE {from} RENAME TO {to}"
    )))
    .execute(&pool)
    .await
    .expect("rename");
    pool.close().await;
}

fn health(home: &std::path::Path) -> (i32, String) {
    let (code, out, _) = common::run({
        let mut c = common::kawal(home);
        c.args(["jobs", "health"]);
        c
    });
    (code, out)
}

/// `kawal serve` with its database made unavailable (the table it ticks on renamed away):
/// errors are logged with growing retry delays, `kawal jobs health` shows the failing
/// scheduler, a recovery is logged and shown, and a longer outage ends the process with exit 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_outage_is_logged_retried_shown_and_ends_in_exit_3_sqlite() {
    let home = tempfile::tempdir().expect("tmp");
    add_app(home.path());
    let db = home.path().join("kawal.db");
    let mut c = common::kawal(home.path());
    c.args([
        "serve",
        "--no-http",
        "--workers",
        "0",
        "--tick-secs",
        "1",
        "--give-up-secs",
        "20",
    ])
    .stderr(Stdio::piped())
    .stdout(Stdio::null());
    let mut serve = Reap(c.spawn().expect("serve"));
    let log = stderr_of(&mut serve.0);
    wait_for(30, "a healthy scheduler", || {
        let (code, out) = health(home.path());
        code == 0 && out.contains("sehat")
    });
    rename_sqlite(&db, "application", "application_outage").await;
    wait_for(20, "two logged failures", || {
        let l = log.lock().expect("log");
        l.contains("retry in 1 s") && l.contains("retry in 2 s")
    });
    let (code, out) = health(home.path());
    assert_eq!(code, 1, "an unhealthy scheduler: {out}");
    assert!(
        out.contains("GAGAL, mencoba ulang") && out.contains("no such table"),
        "{out}"
    );
    rename_sqlite(&db, "application_outage", "application").await;
    wait_for(20, "recovery", || {
        log.lock()
            .expect("log")
            .contains("scheduler recovered after")
    });
    wait_for(10, "a healthy status again", || health(home.path()).0 == 0);
    // An outage longer than --give-up-secs ends the process so a supervisor restarts it.
    rename_sqlite(&db, "application", "application_outage").await;
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = serve.0.try_wait().expect("wait") {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "serve did not give up: {}",
            log.lock().expect("log")
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status.code(), Some(3), "{}", log.lock().expect("log"));
    assert!(
        started.elapsed() >= Duration::from_secs(20),
        "not before the give-up time"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        log.lock().expect("log").contains("scheduler gave up"),
        "{}",
        log.lock().expect("log")
    );
    let (code, out) = health(home.path());
    assert_eq!(code, 1);
    assert!(out.contains("BERHENTI"), "{out}");
}

/// The same on PostgreSQL, in process: the scheduler's shared health (what an HTTP health
/// endpoint reads) follows the outage, the status row is written, and it gives up in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_outage_retried_and_given_up_postgres() {
    let Some(url) = pg_url() else { return };
    let schema = schema("outage");
    let store = Arc::new(Store::open_pg_schema(&url, &schema).await.expect("pg"));
    store.add_apps(&apps(2, 1)).await.expect("apps");
    let admin = sqlx::PgPool::connect(&url).await.expect("admin");
    let rename = |from: &str, to: &str| {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {schema}.{from} RENAME TO {to}"
        )))
    };
    let health = Arc::new(SchedulerHealth::new());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let cfg = SchedulerConfig {
        every: Duration::from_millis(200),
        retry: RetryPolicy {
            first: Duration::from_millis(100),
            max: Duration::from_millis(400),
            give_up_after: Duration::from_secs(3),
        },
    };
    let task = tokio::spawn(kawal::worker::run_scheduler(
        store.clone(),
        Arc::new(SystemClock),
        cfg,
        health.clone(),
        stop_rx,
    ));
    until("first tick", || health.snapshot().last_ok_at.is_some()).await;
    rename("application", "application_outage")
        .execute(&admin)
        .await
        .expect("rename");
    until("two failures", || {
        health.snapshot().consecutive_failures >= 2
    })
    .await;
    let s = health.snapshot();
    assert!(
        s.last_error
            .as_deref()
            .is_some_and(|e| e.contains("application")),
        "{s:?}"
    );
    let rows = store
        .scheduler_statuses(OffsetDateTime::now_utc() - time::Duration::hours(1))
        .await
        .expect("status");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].health.consecutive_failures >= 1, "{rows:?}");
    rename("application_outage", "application")
        .execute(&admin)
        .await
        .expect("rename back");
    until("recovery", || health.snapshot().is_healthy()).await;
    let t0 = std::time::Instant::now();
    rename("application", "application_outage")
        .execute(&admin)
        .await
        .expect("rename");
    let r = tokio::time::timeout(Duration::from_secs(20), task)
        .await
        .expect("gives up in time")
        .expect("task");
    let e = r.expect_err("gave up");
    assert!(t0.elapsed() >= Duration::from_secs(3), "{e}");
    assert!(e.to_string().contains("gave up"), "{e}");
    assert!(health.snapshot().gave_up);
    let _ = stop_tx.send(true);
    drop_schema(&url, &schema).await;
}

// ---------------------------------------------------------------------------------------------
// One key for a fleet.
// ---------------------------------------------------------------------------------------------

/// Two machines share one SQLite file (as a fleet shares PostgreSQL): the second, with its own
/// new key, refuses to start and says how to share the key; with the first one's key it runs;
/// rotation re-seals every recipe and the old key is then refused.
#[test]
fn a_second_machine_with_another_key_refuses_to_start_until_it_shares_the_key() {
    let first = tempfile::tempdir().expect("tmp");
    let second = tempfile::tempdir().expect("tmp");
    add_app(first.path());
    let k = |home: &std::path::Path, args: &[&str], env: &[(&str, &str)]| {
        let mut c = common::kawal(home);
        c.args(["--database-url"])
            .arg(format!("sqlite://{}/kawal.db", first.path().display()))
            .args(args)
            .env("SANDI", "Rahasia#2026");
        for (k, v) in env {
            c.env(k, v);
        }
        common::run(c)
    };
    let (code, _, err) = k(
        first.path(),
        &[
            "app",
            "auth",
            "add",
            "SIMPEG",
            "admin",
            "--kind",
            "form",
            "--login-url",
            "https://simpeg.example.go.id/login",
            "--username",
            "admin",
            "--password-env",
            "SANDI",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = k(first.path(), &["key", "fingerprint"], &[]);
    assert_eq!(code, 0, "{out}");
    let fp = out
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().last())
        .expect("fingerprint")
        .to_string();
    assert!(fp.starts_with("sha256:"), "{out}");
    let key = std::fs::read_to_string(first.path().join("secret.key")).expect("key file");
    assert!(!out.contains(key.trim()), "the key itself is never shown");

    let (code, _, err) = k(second.path(), &["worker", "--drain"], &[]);
    assert_eq!(code, 2, "a different key refuses to start: {err}");
    for hint in ["KAWAL_SECRET_KEY", "secret.key", &fp] {
        assert!(err.contains(hint), "mentions {hint}: {err}");
    }
    let (code, out, _) = k(second.path(), &["key", "fingerprint"], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BERBEDA"), "{out}");
    let (code, _, err) = k(
        second.path(),
        &["worker", "--drain"],
        &[("KAWAL_SECRET_KEY", key.trim())],
    );
    assert_eq!(code, 0, "the shared key runs: {err}");

    // Rotation: every recipe re-sealed in one transaction; the key file follows.
    let new_key = first.path().join("baru.key");
    let (code, out, err) = k(
        first.path(),
        &["key", "generate", "-o", new_key.to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sha256:"), "{out}");
    let (code, _, err) = k(
        first.path(),
        &["key", "generate", "-o", new_key.to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(code, 2, "an existing key file is never overwritten: {err}");
    let (code, out, err) = k(
        first.path(),
        &[
            "key",
            "rotate",
            "--new-key",
            new_key.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("1 "), "one recipe re-sealed: {out}");
    let now = std::fs::read_to_string(first.path().join("secret.key")).expect("key file");
    assert_eq!(
        now.trim(),
        std::fs::read_to_string(&new_key).expect("new").trim()
    );
    let (code, out, err) = k(first.path(), &["app", "auth", "list", "SIMPEG"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("admin"), "{out}");
    let (code, _, err) = k(
        second.path(),
        &["worker", "--drain"],
        &[("KAWAL_SECRET_KEY", key.trim())],
    );
    assert_eq!(code, 2, "the old key is refused after rotation: {err}");
}

/// Rotation on PostgreSQL is one transaction: a recipe that does not open rolls it all back.
#[tokio::test]
async fn key_rotation_is_all_or_nothing_postgres() {
    use kawal::auth::seal::Sealer;
    let Some(url) = pg_url() else { return };
    let schema = schema("keys");
    let store = Store::open_pg_schema(&url, &schema).await.expect("pg");
    store.add_apps(&apps(2, 1)).await.expect("apps");
    let (a, b) = (Sealer::from_key([1; 32]), Sealer::from_key([2; 32]));
    let role = |name: &str| -> kawal::auth::Role {
        toml::from_str(&format!(
            "name = '{name}'\n[recipe]\nkind = 'form'\nurl = 'https://a.example.go.id/login'\nusername = 'u'\npassword = 'p'\n"
        ))
        .expect("role")
    };
    let ids: Vec<i64> = store
        .list_apps()
        .await
        .expect("apps")
        .iter()
        .map(|x| x.id)
        .collect();
    for id in &ids {
        store.put_role(*id, &role("admin"), &a).await.expect("put");
    }
    assert_eq!(
        store.key_fingerprint().await.expect("fp").as_deref(),
        Some(a.fingerprint())
    );
    let e = store
        .roles(ids[0], &b)
        .await
        .expect_err("other key refused");
    assert!(e.to_string().contains("KAWAL_SECRET_KEY"), "{e}");
    // Damage the second recipe: rotation must fail and change nothing.
    let admin = sqlx::PgPool::connect(&url).await.expect("admin");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {schema}.auth_profile SET recipe_sealed = '\\x01' WHERE application_id = {}",
        ids[1]
    )))
    .execute(&admin)
    .await
    .expect("damage");
    assert!(store.rotate_key(&a, &b).await.is_err());
    assert_eq!(
        store.key_fingerprint().await.expect("fp").as_deref(),
        Some(a.fingerprint())
    );
    assert_eq!(store.roles(ids[0], &a).await.expect("still a").len(), 1);
    store.remove_role(ids[1], "admin").await.expect("remove");
    assert_eq!(store.rotate_key(&a, &b).await.expect("rotate"), 1);
    assert_eq!(
        store.roles(ids[0], &b).await.expect("opens with b").len(),
        1
    );
    assert!(store.roles(ids[0], &a).await.is_err());
    drop_schema(&url, &schema).await;
}

// ---------------------------------------------------------------------------------------------
// A registered application keeps the trust it needs.
// ---------------------------------------------------------------------------------------------

/// The sequence a new user tries: `kawal demo --profile hardened --keep-running`, a one-minute
/// schedule, `kawal serve`. The scheduled evaluation verifies the demo's certificate with the CA
/// registered with the application and finishes (no "UnknownIssuer" failure).
#[test]
fn demo_keep_running_then_a_one_minute_schedule_evaluates_under_serve() {
    let home = tempfile::tempdir().expect("tmp");
    let mut c = common::kawal(home.path());
    c.args(["demo", "--profile", "hardened", "--keep-running"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    let mut demo = Reap(c.spawn().expect("demo"));
    let demo_log = stderr_of(&mut demo.0);
    wait_for(600, "the demo to finish its first evaluation", || {
        demo_log.lock().expect("log").contains("tetap berjalan")
    });
    let k = |args: &[&str]| {
        let mut c = common::kawal(home.path());
        c.args(args);
        common::run(c)
    };
    let (code, out, err) = k(&["app", "show", "DEMO-AMAN", "--json"]);
    assert_eq!(code, 0, "{err}");
    let app: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(
        app["ca_bundle"]
            .as_str()
            .is_some_and(|p| p.contains("BEGIN CERTIFICATE")),
        "the demo registers its CA: {out}"
    );
    let (code, _, err) = k(&["app", "edit", "DEMO-AMAN", "--schedule", "* * * * *"]);
    assert_eq!(code, 0, "{err}");
    let mut c = common::kawal(home.path());
    // The API on an ephemeral port: tests run side by side.
    c.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tick-secs",
        "1",
        "--poll-secs",
        "0.5",
    ])
    .stderr(Stdio::piped())
    .stdout(Stdio::null());
    let mut serve = Reap(c.spawn().expect("serve"));
    let serve_log = stderr_of(&mut serve.0);
    let mut last = serde_json::Value::Null;
    wait_for(600, "a finished scheduled evaluation", || {
        let (_, out, _) = k(&["jobs", "list", "--json"]);
        last = serde_json::from_str(&out).unwrap_or_default();
        last.as_array().is_some_and(|jobs| {
            jobs.iter().any(|j| {
                j["kind"] == "scheduled"
                    && (j["status"] == "done" || j["status"] == "failed" || j["attempts"] == 2)
            })
        })
    });
    let jobs = last.as_array().cloned().unwrap_or_default();
    let job = jobs
        .iter()
        .find(|j| j["kind"] == "scheduled")
        .expect("scheduled job");
    assert_eq!(
        job["status"],
        "done",
        "{job}\n{}",
        serve_log.lock().expect("log")
    );
    assert!(job["last_error"].is_null(), "{job}");
    let (_, out, _) = k(&["evaluations", "DEMO-AMAN", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(rows[0]["status"], "finished", "{rows}");
    assert!(
        !serve_log.lock().expect("log").contains("UnknownIssuer"),
        "{}",
        serve_log.lock().expect("log")
    );
}
