//! Benchmark: the SOP workflows at a city's scale.
//! - "What is waiting for me" across 100,000 open workflow steps on PostgreSQL (target < 50 ms):
//!   p50/p99 of the due list and of the overdue list for a Kepala Seksi.
//! - The monthly visit recap over 10,000 visits, on PostgreSQL and SQLite (target < 200 ms).
//!
//! Run: `KAWAL_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench workflows`
//! (it works in its own schema and drops it afterwards).

use kawal::service::{Actor, NewUser, Service, ServiceConfig};
use kawal::store::Store;
use kawal::team::Roles;
use std::sync::Arc;
use std::time::{Duration, Instant};

const OPEN_STEPS: usize = 100_000;
const VISITS: usize = 10_000;
const RUNS: usize = 200;

fn fail(m: impl std::fmt::Display) -> ! {
    eprintln!("bench workflows: {m}");
    std::process::exit(1);
}

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Open access requests, each waiting at its consideration step for the Kepala Seksi (one
/// pending row per role), deadlines spread over past and future.
const SEED_PG: &[&str] = &[
    "INSERT INTO workflow (kind, requester, agency, title, fields, status, created_at, updated_at) SELECT 'akses', 'pengguna' || (g % 5000), 'DINAS-' || (g % 40), 'Permohonan Akses — SISTEM-' || (g % 300), '{}', 'open', now() - (g % 2000) * interval '1 minute', now() FROM generate_series(1, 100000) g",
    "INSERT INTO workflow_pending (workflow_id, step, role, due_at) SELECT id, 'pertimbangan', CASE WHEN id % 4 = 0 THEN 'kepala-bidang' ELSE 'kepala-seksi' END, created_at + interval '1 day' - (id % 3000) * interval '1 minute' FROM workflow WHERE kind = 'akses'",
];

fn seed_visits_pg() -> String {
    format!(
        "INSERT INTO workflow (id, kind, requester, title, fields, status, created_at, updated_at) SELECT 1000000 + g, 'kunjungan', 'petugas', 'Kunjungan', '{{}}', 'completed', date_trunc('month', now()) + (g % 600) * interval '1 hour', now() FROM generate_series(1, {VISITS}) g;
         INSERT INTO visit (workflow_id, visitor, institution, purpose, badge, devices_in, devices_out, mismatch, id_returned, checkin_at, checkout_at) SELECT id, 'Pengunjung ' || id, 'Instansi ' || (id % 37), 'Keperluan ' || (id % 9), 'KA-RS/' || id, '[\"Laptop:SN' || id || '\"]', '[\"Laptop:SN' || id || '\"]', CASE WHEN id % 50 = 0 THEN 'x' END, true, created_at, created_at + (30 + id % 90) * interval '1 minute' FROM workflow WHERE kind = 'kunjungan'"
    )
}

async fn due_lists(svc: &Service, actor: &Actor) {
    for overdue in [false, true] {
        let mut times = Vec::with_capacity(RUNS);
        let mut n = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            n = svc
                .workflow_due(actor, None, overdue, 50)
                .await
                .unwrap_or_else(|e| fail(e))
                .len();
            times.push(t.elapsed());
        }
        println!(
            "due list ({}) over {OPEN_STEPS} open steps, PostgreSQL: p50 {:.2} ms, p99 {:.2} ms ({n} rows; target < 50 ms)",
            if overdue { "overdue only" } else { "all due" },
            pct(times.clone(), 0.5),
            pct(times, 0.99)
        );
    }
}

async fn recap(svc: &Service, actor: &Actor, backend: &str) {
    let now = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC));
    let month = format!("{}-{:02}", now.year(), u8::from(now.month()));
    let mut times = Vec::new();
    let mut visits = 0;
    for _ in 0..20 {
        let t = Instant::now();
        visits = svc
            .visit_recap(actor, &month)
            .await
            .unwrap_or_else(|e| fail(e))
            .visits;
        times.push(t.elapsed());
    }
    println!(
        "visit recap over {visits} visits, {backend}: p50 {:.1} ms, max {:.1} ms (target < 200 ms)",
        pct(times.clone(), 0.5),
        pct(times, 1.0)
    );
}

async fn service(store: Arc<Store>) -> (Service, Actor) {
    let svc = Service::new(
        store.clone(),
        Roles::builtin().unwrap_or_else(|e| fail(e)),
        Arc::new(kawal::worker::SystemClock),
        ServiceConfig::default(),
    );
    let op = Actor::local_operator();
    for (u, role) in [
        ("admin", "administrator"),
        ("sari", "kepala-seksi"),
        ("koord", "koordinator-keamanan"),
    ] {
        svc.add_user(
            &op,
            NewUser {
                username: u.into(),
                name: None,
                email: None,
                agency: None,
                roles: vec![role.into()],
            },
        )
        .await
        .unwrap_or_else(|e| fail(e));
    }
    let sari = Actor::cli(store.account("sari").await.unwrap_or_else(|e| fail(e)));
    (svc, sari)
}

async fn postgres(url: &str) {
    let schema = format!("kawal_bench_wf_{}", std::process::id());
    let store = Arc::new(
        Store::open_pg_schema(url, &schema)
            .await
            .unwrap_or_else(|e| fail(e)),
    );
    let t = Instant::now();
    for sql in SEED_PG
        .iter()
        .map(|s| s.to_string())
        .chain([seed_visits_pg(), "ANALYZE".to_string()])
    {
        for stmt in sql.split(";\n").filter(|s| !s.trim().is_empty()) {
            store
                .raw_execute(stmt)
                .await
                .unwrap_or_else(|e| fail(format!("seed: {e}")));
        }
    }
    println!(
        "seeded {OPEN_STEPS} open steps and {VISITS} visits on PostgreSQL in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (svc, sari) = service(store.clone()).await;
    due_lists(&svc, &sari).await;
    let koord = Actor::cli(store.account("koord").await.unwrap_or_else(|e| fail(e)));
    recap(&svc, &koord, "PostgreSQL").await;
    let pool = sqlx::PgPool::connect(url).await.unwrap_or_else(|e| fail(e));
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&pool)
        .await;
}

async fn sqlite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail(e));
    let store = Arc::new(
        Store::open(&format!("sqlite://{}/b.db", dir.path().display()))
            .await
            .unwrap_or_else(|e| fail(e)),
    );
    // Timestamps as sqlx writes them for SQLite (RFC 3339 with offset), in this month.
    let now = time::OffsetDateTime::now_utc();
    let start = now
        .replace_day(1)
        .unwrap_or(now)
        .replace_time(time::Time::MIDNIGHT);
    let fmt = time::format_description::well_known::Rfc3339;
    let mut values = Vec::with_capacity(VISITS);
    let mut visits = Vec::with_capacity(VISITS);
    for g in 1..=VISITS {
        let t_in = start + time::Duration::hours((g % 600) as i64);
        let t_out = t_in + time::Duration::minutes(30 + (g % 90) as i64);
        let (i, o) = (
            t_in.format(&fmt).unwrap_or_default(),
            t_out.format(&fmt).unwrap_or_default(),
        );
        values.push(format!(
            "({}, 'kunjungan', 'petugas', 'Kunjungan', '{{}}', 'completed', '{i}', '{i}')",
            1_000_000 + g
        ));
        visits.push(format!(
            "({}, 'Pengunjung {g}', 'Instansi {}', 'Keperluan {}', 'KA-RS/{g}', '[\"Laptop:SN{g}\"]', '[\"Laptop:SN{g}\"]', {}, 1, '{i}', '{o}')",
            1_000_000 + g,
            g % 37,
            g % 9,
            if g % 50 == 0 { "'x'" } else { "NULL" }
        ));
    }
    for chunk in values.chunks(1000) {
        store.raw_execute(&format!("INSERT INTO workflow (id, kind, requester, title, fields, status, created_at, updated_at) VALUES {}", chunk.join(","))).await.unwrap_or_else(|e| fail(e));
    }
    for chunk in visits.chunks(1000) {
        store.raw_execute(&format!("INSERT INTO visit (workflow_id, visitor, institution, purpose, badge, devices_in, devices_out, mismatch, id_returned, checkin_at, checkout_at) VALUES {}", chunk.join(","))).await.unwrap_or_else(|e| fail(e));
    }
    let (svc, _) = service(store.clone()).await;
    let koord = Actor::cli(store.account("koord").await.unwrap_or_else(|e| fail(e)));
    recap(&svc, &koord, "SQLite").await;
}

#[tokio::main]
async fn main() {
    kawal::install_crypto_provider();
    match std::env::var("KAWAL_TEST_DATABASE_URL") {
        Ok(url) => postgres(&url).await,
        Err(_) => {
            eprintln!("KAWAL_TEST_DATABASE_URL not set: the PostgreSQL figures are not measured")
        }
    }
    sqlite().await;
}
