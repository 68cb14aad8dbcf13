//! Scheduler and queue figures at national scale: 30,000 applications with random schedules.
//!
//! Prints the time of one scheduler tick (a typical minute and the worst case where every
//! application is due at once), the process's peak RSS, and claim throughput with 1 and 4
//! workers. SQLite always; PostgreSQL when KAWAL_TEST_DATABASE_URL is set.

use kawal::store::{ClaimLimits, NewApp, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use time::macros::datetime;

const APPS: usize = 30_000;

/// Deterministic xorshift so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn schedules() -> Vec<NewApp> {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let zones = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"];
    (0..APPS)
        .map(|i| {
            let (m, h) = (r.next(60), r.next(24));
            let schedule = match r.next(4) {
                0 => format!("{m} {h} * * *"),
                1 => format!("{m} {h} * * {}", r.next(7)),
                2 => format!("{m} {h} {} * *", 1 + r.next(28)),
                _ => format!("{m} */{} * * 1-5", 1 + r.next(6)),
            };
            NewApp {
                name: format!("APP-{i:05}"),
                url: format!("https://app{i}.pemda{}.example.go.id", i % 548),
                agency: format!("Perangkat Daerah {}", i % 600),
                owner: "pj@example.go.id".into(),
                schedule: Some(schedule),
                timezone: zones[i % 3].into(),
                ..NewApp::default()
            }
        })
        .collect()
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn ticks(label: &str, store: &Store) {
    let t = Instant::now();
    store.add_apps(&schedules()).await.expect("register");
    println!(
        "[{label}] registered {APPS} applications in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t0 = datetime!(2026-11-23 00:00:30 UTC);
    let t = Instant::now();
    let s = store.tick(t0).await.expect("first tick");
    println!(
        "[{label}] first tick (next run of every application computed): {} in {:.1} ms",
        s.initialised,
        ms(t)
    );
    let mut typical = Vec::new();
    for k in 1..=10 {
        let t = Instant::now();
        let s = store
            .tick(t0 + time::Duration::minutes(k))
            .await
            .expect("tick");
        typical.push((ms(t), s.enqueued));
    }
    let worst_typical = typical.iter().map(|x| x.0).fold(0.0, f64::max);
    let avg_due = typical.iter().map(|x| x.1).sum::<usize>() as f64 / typical.len() as f64;
    println!(
        "[{label}] one-minute tick: max {worst_typical:.1} ms over 10 ticks, {avg_due:.1} jobs enqueued per tick on average"
    );
    let t = Instant::now();
    let s = store
        .tick(t0 + time::Duration::days(31))
        .await
        .expect("all due");
    println!(
        "[{label}] worst case, every application due at once (31-day outage): {} jobs enqueued in {:.1} ms",
        s.enqueued,
        ms(t)
    );
    println!("[{label}] peak RSS so far: {:.1} MB", peak_rss_mb());
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

async fn claims(label: &str, stores: &[Arc<Store>], workers: usize, jobs: usize) -> f64 {
    let now = OffsetDateTime::now_utc() + time::Duration::days(400);
    let limits = ClaimLimits {
        global: 10_000,
        per_agency: 10_000,
    };
    let per = jobs / workers;
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let s = stores[w % stores.len()].clone();
        tasks.push(tokio::spawn(async move {
            let me = format!("bench-{w}");
            let mut n = 0;
            while n < per {
                match s
                    .claim_job(&me, now, Duration::from_secs(60), limits)
                    .await
                    .expect("claim")
                {
                    Some(j) => {
                        s.complete_job(j.id, &me, now).await.expect("complete");
                        n += 1;
                    }
                    None => break,
                }
            }
            n
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await.expect("worker");
    }
    let rate = done as f64 / t.elapsed().as_secs_f64();
    println!("[{label}] claim+complete with {workers} worker(s): {done} jobs, {rate:.0} jobs/s");
    rate
}

fn main() {
    kawal::install_crypto_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("tmp");
        let url = format!("sqlite://{}/bench.db", dir.path().display());
        let sqlite = Store::open(&url).await.expect("sqlite");
        ticks("sqlite", &sqlite).await;
        let extra = Arc::new(Store::open(&url).await.expect("sqlite 2"));
        let sq = Arc::new(sqlite);
        claims("sqlite", std::slice::from_ref(&sq), 1, 2_000).await;
        claims("sqlite", &[sq.clone(), extra.clone()], 4, 2_000).await;

        let Ok(pg_url) = std::env::var("KAWAL_TEST_DATABASE_URL") else {
            println!("[postgres] KAWAL_TEST_DATABASE_URL not set: PostgreSQL figures skipped");
            return;
        };
        let schema = format!("kawal_bench_{}", std::process::id());
        let pg = Store::open_pg_schema(&pg_url, &schema)
            .await
            .expect("postgres");
        ticks("postgres", &pg).await;
        let mut handles = vec![Arc::new(pg)];
        for _ in 0..3 {
            handles.push(Arc::new(
                Store::open_pg_schema(&pg_url, &schema)
                    .await
                    .expect("pg handle"),
            ));
        }
        let one = claims("postgres", &handles[..1], 1, 3_000).await;
        let four = claims("postgres", &handles, 4, 3_000).await;
        println!(
            "[postgres] 4 workers / 1 worker throughput: {:.2}x",
            four / one
        );
        if let Ok(pool) = sqlx::PgPool::connect(&pg_url).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&pool)
                .await;
        }
        println!("peak RSS of the whole run: {:.1} MB", peak_rss_mb());
    });
}
