//! Benchmark: the team service on PostgreSQL with 30,000 applications and 300,000 findings.
//! Starts the release `kawal serve` as its own process, drives it with 64 concurrent clients
//! over HTTPS on loopback, and prints p50/p99 latency of the application list, one
//! application's findings and the audit list, the server's resident memory, and the time of
//! `kawal audit verify` over 1,000,000 entries.
//!
//! Run: `KAWAL_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench team`
//! (it creates and drops the database `kawal_bench_team`).

use kawal::service::{Actor, NewToken, NewUser, Service, ServiceConfig};
use kawal::store::Store;
use kawal::team::Roles;
use kawal::team::audit::{Content, GENESIS, entry_hash};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const APPS: usize = 30_000;
const FINDINGS_PER_APP: usize = 10;
const CLIENTS: usize = 64;
const REQUESTS_PER_CLIENT: usize = 40;
const AUDIT_ENTRIES: usize = 1_000_000;
const PW: &str = "kata-sandi-bench-panjang";

fn fail(m: impl std::fmt::Display) -> ! {
    eprintln!("bench team: {m}");
    std::process::exit(1);
}

async fn admin_pool(base: &str) -> sqlx::PgPool {
    sqlx::PgPool::connect(base)
        .await
        .unwrap_or_else(|e| fail(format!("{base}: {e}")))
}

async fn seed(store: &Store) {
    let t = Instant::now();
    for sql in [
        "INSERT INTO agency (name, created_at) SELECT 'DINAS-' || g, now() FROM generate_series(1, 40) g".to_string(),
        format!("INSERT INTO application (name, url, agency_id, owner, timezone, created_at, updated_at) SELECT 'APP-' || g, 'https://app' || g || '.example.go.id', (SELECT id FROM agency WHERE name = 'DINAS-' || (g % 40 + 1)), 'pemilik@example.go.id', 'Asia/Jakarta', now(), now() FROM generate_series(1, {APPS}) g"),
        "INSERT INTO evaluation (application_id, target, status, checklist_id, checklist_version, created_at, started_at, finished_at, meets_standard) SELECT id, url, 'finished', 'bssn-web', '2026.11', now(), now(), now(), false FROM application".to_string(),
        format!("INSERT INTO finding (evaluation_id, item_id, outcome, severity, locator, summary_id, summary_en, fingerprint) SELECT e.id, 'session.item-' || k, 'fail', (ARRAY['critical','high','medium','low'])[k % 4 + 1], '/halaman/' || k, 'Temuan ' || k, 'Finding ' || k, md5(e.id || '-' || k) FROM evaluation e, generate_series(1, {FINDINGS_PER_APP}) k"),
        "ANALYZE".to_string(),
    ] {
        store.raw_execute(&sql).await.unwrap_or_else(|e| fail(format!("seed: {e}")));
    }
    println!(
        "seeded {APPS} applications and {} findings in {:.1} s",
        APPS * FINDINGS_PER_APP,
        t.elapsed().as_secs_f64()
    );
}

async fn seed_audit(store: &Store, n: usize) {
    let t = Instant::now();
    let mut prev = store.audit_head().await.unwrap_or_else(|e| fail(e)).1;
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        let c = Content {
            at: format!(
                "2026-12-{:02}T{:02}:{:02}:{:02}Z",
                1 + i / 86_400 % 28,
                i / 3600 % 24,
                i / 60 % 60,
                i % 60
            ),
            actor: format!("u{}", i % 50),
            client: Some("10.0.0.7".into()),
            action: ["app.edit", "login", "report.download", "evaluation.step"][i % 4].into(),
            object_kind: Some("application".into()),
            object_id: Some((i % APPS).to_string()),
            agency: Some(format!("DINAS-{}", i % 40)),
            before: None,
            after: Some(serde_json::json!({ "n": i })),
        };
        let h = entry_hash(&prev, &c);
        let q = |s: &str| s.replace('\'', "''");
        batch.push(format!(
            "('{}','{}','{}','{}','{}','{}','{}',NULL,'{}','{}','{}')",
            q(&c.at),
            q(&c.actor),
            "10.0.0.7",
            q(&c.action),
            "application",
            q(c.object_id.as_deref().unwrap_or_default()),
            q(c.agency.as_deref().unwrap_or_default()),
            q(&c.after.as_ref().map(|v| v.to_string()).unwrap_or_default()),
            prev,
            h
        ));
        prev = h;
        if batch.len() == 1000 || i + 1 == n {
            let sql = format!(
                "INSERT INTO audit (at, actor, client, action, object_kind, object_id, agency, before, after, prev_hash, hash) VALUES {}",
                batch.join(",")
            );
            store
                .raw_execute(&sql)
                .await
                .unwrap_or_else(|e| fail(format!("audit seed: {e}")));
            batch.clear();
        }
    }
    let _ = GENESIS;
    println!(
        "appended {n} audit entries in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

/// The path a client asks for on its nth request.
type PathOf = Box<dyn Fn(usize, usize) -> String + Send + Sync>;

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Client-side latencies and the server's own times (its Server-Timing header).
async fn load(
    url: &str,
    token: &str,
    path_of: impl Fn(usize, usize) -> String + Send + Sync + 'static,
) -> (Vec<Duration>, Vec<Duration>) {
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap_or_else(|e| fail(e));
    let path_of = Arc::new(path_of);
    let mut set = tokio::task::JoinSet::new();
    for c in 0..CLIENTS {
        let (client, url, token, path_of) = (
            client.clone(),
            url.to_string(),
            token.to_string(),
            path_of.clone(),
        );
        set.spawn(async move {
            let mut out = Vec::with_capacity(REQUESTS_PER_CLIENT);
            let mut server = Vec::with_capacity(REQUESTS_PER_CLIENT);
            for r in 0..REQUESTS_PER_CLIENT {
                let t = Instant::now();
                let resp = client
                    .get(format!("{url}{}", path_of(c, r)))
                    .bearer_auth(&token)
                    .send()
                    .await;
                match resp {
                    Ok(x) if x.status().is_success() => {
                        let ms = x
                            .headers()
                            .get("server-timing")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.split("dur=").nth(1))
                            .and_then(|v| v.parse::<f64>().ok())
                            .unwrap_or_else(|| fail("no Server-Timing header"));
                        server.push(Duration::from_secs_f64(ms / 1000.0));
                        let _ = x.bytes().await;
                    }
                    Ok(x) => fail(format!("status {}", x.status())),
                    Err(e) => fail(e),
                }
                out.push(t.elapsed());
            }
            (out, server)
        });
    }
    let (mut all, mut server) = (Vec::new(), Vec::new());
    while let Some(r) = set.join_next().await {
        let (c, s) = r.unwrap_or_else(|e| fail(e));
        all.extend(c);
        server.extend(s);
    }
    (all, server)
}

fn rss(pid: u32) -> (u64, u64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (kb("VmRSS:") / 1024, kb("VmHWM:") / 1024)
}

#[tokio::main]
async fn main() {
    kawal::install_crypto_provider();
    let Ok(base) = std::env::var("KAWAL_TEST_DATABASE_URL") else {
        fail(
            "KAWAL_TEST_DATABASE_URL is not set (a PostgreSQL database to create kawal_bench_team from)",
        );
    };
    let admin = admin_pool(&base).await;
    let _ = sqlx::query("DROP DATABASE IF EXISTS kawal_bench_team WITH (FORCE)")
        .execute(&admin)
        .await;
    sqlx::query("CREATE DATABASE kawal_bench_team")
        .execute(&admin)
        .await
        .unwrap_or_else(|e| fail(e));
    let url = match base.rsplit_once('/') {
        Some((head, _)) => format!("{head}/kawal_bench_team"),
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
    let created = svc
        .add_user(
            &Actor::local_operator(),
            NewUser {
                username: "bench".into(),
                roles: vec!["administrator".into(), "kepala-seksi".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| fail(e));
    svc.set_password(&created.setup_token, PW, None)
        .await
        .unwrap_or_else(|e| fail(e));
    let me = Actor::cli(store.account("bench").await.unwrap_or_else(|e| fail(e)));
    let (_, token, _) = svc
        .create_token(
            &me,
            NewToken {
                name: "bench".into(),
                scopes: vec!["read".into(), "audit:read".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| fail(e));
    seed_audit(&store, 20_000).await;

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
        "kawal serve ready; {CLIENTS} clients × {REQUESTS_PER_CLIENT} requests per endpoint (client-side latency over loopback HTTPS)"
    );
    let cases: [(&str, PathOf); 3] = [
        (
            "application list (page of 50, of 30,000)",
            Box::new(|c, r| {
                format!(
                    "/api/v1/apps?limit=50&offset={}",
                    (c * 97 + r * 13) % 29_950
                )
            }),
        ),
        (
            "one application's findings",
            Box::new(|c, r| format!("/api/v1/findings?app=APP-{}", 1 + (c * 131 + r * 7) % APPS)),
        ),
        (
            "audit list (newest 100)",
            Box::new(|_, _| "/api/v1/audit?limit=100".to_string()),
        ),
    ];
    for (name, f) in cases {
        let t = Instant::now();
        let (mut lat, mut server) = load(&base_url, &token, f).await;
        let n = lat.len();
        println!(
            "{name:<42} server p50 {:>5.1} ms p99 {:>5.1} ms | client p50 {:>5.1} ms p99 {:>5.1} ms ({n} requests, {:.0} req/s)",
            pct(&mut server, 0.50),
            pct(&mut server, 0.99),
            pct(&mut lat, 0.50),
            pct(&mut lat, 0.99),
            n as f64 / t.elapsed().as_secs_f64()
        );
    }
    let (now, peak) = rss(child.id());
    println!("kawal serve resident memory: {now} MiB now, {peak} MiB peak");
    let _ = child.kill();
    let _ = child.wait();

    let have = store.audit_head().await.map(|h| h.0 as usize).unwrap_or(0);
    seed_audit(&store, AUDIT_ENTRIES.saturating_sub(have)).await;
    let entries = store.audit_head().await.map(|h| h.0).unwrap_or(0);
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kawal"))
        .args(["audit", "verify", "--as", "bench", "--database-url", &url])
        .env("KAWAL_HOME", home.path())
        .env("HOME", home.path())
        .output()
        .unwrap_or_else(|e| fail(e));
    let secs = t.elapsed().as_secs_f64();
    println!(
        "kawal audit verify over {entries} entries: {secs:.2} s ({}){}",
        String::from_utf8_lossy(&out.stdout).trim(),
        if out.status.success() { "" } else { " FAILED" }
    );
    drop(svc);
    if let Ok(s) = Arc::try_unwrap(store) {
        s.close().await;
    }
    let _ = sqlx::query("DROP DATABASE IF EXISTS kawal_bench_team WITH (FORCE)")
        .execute(&admin)
        .await;
}
