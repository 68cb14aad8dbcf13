//! Benchmark: time to first byte of the dashboard's overview page on PostgreSQL with 30,000
//! applications (two finished evaluations each, 300,000 findings). Starts `kawal serve` as its
//! own process, logs in with a browser session (cookie), and times the overview as a user who
//! sees every agency and as an owner bound to one agency; also the application list's last page
//! and the findings page. Target: overview TTFB < 100 ms.
//!
//! Run: `KAWAL_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench dashboard`
//! (it creates and drops the database `kawal_bench_dashboard`).

use kawal::service::{Actor, NewUser, Service, ServiceConfig};
use kawal::store::Store;
use kawal::team::Roles;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const APPS: usize = 30_000;
const FINDINGS_PER_EVAL: usize = 5;
const REQUESTS: usize = 200;
const PW: &str = "kata-sandi-bench-panjang";

fn fail(m: impl std::fmt::Display) -> ! {
    eprintln!("bench dashboard: {m}");
    std::process::exit(1);
}

async fn seed(store: &Store) {
    let t = Instant::now();
    for sql in [
        "INSERT INTO agency (name, created_at) SELECT 'DINAS-' || g, now() FROM generate_series(1, 40) g".to_string(),
        format!("INSERT INTO application (name, url, agency_id, owner, schedule, timezone, created_at, updated_at) SELECT 'APP-' || lpad(g::text, 5, '0'), 'https://app' || g || '.example.go.id', (SELECT id FROM agency WHERE name = 'DINAS-' || (g % 40 + 1)), 'pemilik@example.go.id', '0 2 * * 1', 'Asia/Jakarta', now(), now() FROM generate_series(1, {APPS}) g"),
        // Two finished evaluations per application, for the last decision and the trend.
        "INSERT INTO evaluation (application_id, target, status, checklist_id, checklist_version, created_at, started_at, finished_at, meets_standard) SELECT a.id, a.url, 'finished', 'bssn-web', '2026.11', now() - (k || ' days')::interval, now(), now(), (a.id + k) % 3 = 0 FROM application a, generate_series(1, 2) k".to_string(),
        format!("INSERT INTO finding (evaluation_id, item_id, outcome, severity, locator, summary_id, summary_en, fingerprint) SELECT e.id, 'session.item-' || k, 'fail', (ARRAY['critical','high','medium','low'])[k % 4 + 1], '/halaman/' || k, 'Temuan ' || k, 'Finding ' || k, md5(e.id || '-' || k) FROM evaluation e, generate_series(1, {FINDINGS_PER_EVAL}) k"),
        "ANALYZE".to_string(),
    ] {
        store.raw_execute(&sql).await.unwrap_or_else(|e| fail(format!("seed: {e}")));
    }
    println!(
        "seeded {APPS} applications, {} evaluations and {} findings in {:.1} s",
        APPS * 2,
        APPS * 2 * FINDINGS_PER_EVAL,
        t.elapsed().as_secs_f64()
    );
}

async fn account(svc: &Service, store: &Store, name: &str, role: &str, agency: Option<&str>) {
    let by = match store.account("admin").await {
        Ok(a) => Actor::cli(a),
        Err(_) => Actor::local_operator(),
    };
    let created = svc
        .add_user(
            &by,
            NewUser {
                username: name.into(),
                roles: vec![role.into()],
                agency: agency.map(str::to_string),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| fail(e));
    svc.set_password(&created.setup_token, PW, None)
        .await
        .unwrap_or_else(|e| fail(e));
    store.account(name).await.unwrap_or_else(|e| fail(e));
}

/// A client holding a browser session of `user` (the session cookie from the login page).
async fn session(base: &str, user: &str) -> reqwest::Client {
    let login = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| fail(e));
    let r = login
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={user}&password={PW}"))
        .send()
        .await
        .unwrap_or_else(|e| fail(e));
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .unwrap_or_else(|| {
            fail(format!(
                "login of {user} answered {} without a cookie",
                r.status()
            ))
        });
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "cookie",
        reqwest::header::HeaderValue::from_str(&cookie).unwrap_or_else(|e| fail(e)),
    );
    headers.insert(
        "accept-language",
        reqwest::header::HeaderValue::from_static("id"),
    );
    reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap_or_else(|e| fail(e))
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Time to first byte (the response head) of `path`, one request at a time, after a warm-up.
async fn ttfb(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    must_contain: &str,
) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(REQUESTS);
    for i in 0..REQUESTS + 10 {
        let t = Instant::now();
        let r = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap_or_else(|e| fail(e));
        let first = t.elapsed();
        if !r.status().is_success() {
            fail(format!("{path}: status {}", r.status()));
        }
        let body = r.text().await.unwrap_or_else(|e| fail(e));
        if !body.contains(must_contain) {
            fail(format!("{path}: the page lacks '{must_contain}'"));
        }
        if i >= 10 {
            times.push(first);
        }
    }
    let mean = times.iter().map(Duration::as_secs_f64).sum::<f64>() / times.len() as f64 * 1000.0;
    (pct(&mut times, 0.5), pct(&mut times, 0.99), mean)
}

#[tokio::main]
async fn main() {
    kawal::install_crypto_provider();
    let Ok(base) = std::env::var("KAWAL_TEST_DATABASE_URL") else {
        fail(
            "KAWAL_TEST_DATABASE_URL is not set (a PostgreSQL database to create kawal_bench_dashboard from)",
        );
    };
    let admin = sqlx::PgPool::connect(&base)
        .await
        .unwrap_or_else(|e| fail(format!("{base}: {e}")));
    let _ = sqlx::query("DROP DATABASE IF EXISTS kawal_bench_dashboard WITH (FORCE)")
        .execute(&admin)
        .await;
    sqlx::query("CREATE DATABASE kawal_bench_dashboard")
        .execute(&admin)
        .await
        .unwrap_or_else(|e| fail(e));
    let url = match base.rsplit_once('/') {
        Some((head, _)) => format!("{head}/kawal_bench_dashboard"),
        None => fail("database URL without a path"),
    };
    let store = Arc::new(Store::open(&url).await.unwrap_or_else(|e| fail(e)));
    seed(&store).await;
    let svc = Service::new(
        store.clone(),
        Roles::builtin().unwrap_or_else(|e| fail(e)),
        Arc::new(kawal::worker::SystemClock),
        ServiceConfig::default(),
    );
    account(&svc, &store, "admin", "administrator", None).await;
    account(&svc, &store, "seksi", "kepala-seksi", None).await;
    account(&svc, &store, "kadis", "kepala-dinas", None).await;
    account(&svc, &store, "pemilik", "pj-aplikasi", Some("DINAS-7")).await;

    let home = tempfile::tempdir().unwrap_or_else(|e| fail(e));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| fail(e));
    let mut child = Command::new(env!("CARGO_BIN_EXE_kawal"))
        .args([
            "serve",
            "--workers",
            "0",
            "--quiet",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .env("KAWAL_HOME", home.path())
        .env("HOME", home.path())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| fail(e));
    let base_url = format!("https://127.0.0.1:{port}");
    let probe = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .unwrap_or_else(|e| fail(e));
    let t0 = Instant::now();
    while !probe
        .get(format!("{base_url}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        if t0.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            fail("kawal serve did not become ready in 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "kawal serve ready; {REQUESTS} sequential requests per page over loopback HTTPS (keep-alive)"
    );
    let cases = [
        (
            "seksi",
            "overview, all 30,000 applications",
            "/",
            "APP-00001",
        ),
        (
            "kadis",
            "overview, Kepala Dinas (waiting steps)",
            "/",
            "Menunggu tindakan saya",
        ),
        (
            "pemilik",
            "overview, owner of one agency (750)",
            "/",
            "DINAS-7",
        ),
        (
            "seksi",
            "application list, last page",
            "/apps?page=1200",
            "APP-30000",
        ),
        (
            "seksi",
            "findings across applications",
            "/findings",
            "session.item-",
        ),
    ];
    for (user, name, path, marker) in cases {
        let client = session(&base_url, user).await;
        let (p50, p99, mean) = ttfb(&client, &base_url, path, marker).await;
        println!("{name:<42} TTFB p50 {p50:>6.1} ms  p99 {p99:>6.1} ms  mean {mean:>6.1} ms");
    }
    let _ = child.kill();
    let _ = child.wait();
    drop(svc);
    if let Ok(s) = Arc::try_unwrap(store) {
        s.close().await;
    }
    let _ = sqlx::query("DROP DATABASE IF EXISTS kawal_bench_dashboard WITH (FORCE)")
        .execute(&admin)
        .await;
}
