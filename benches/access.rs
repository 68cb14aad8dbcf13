//! Benchmark: the role replay matrix, 500 requests × 3 lower roles (two users and anonymous)
//! against the demo target at an unlimited rate, on loopback. Prints requests per second and the
//! time spent scoring similarity and judging.
//!
//! Run: `cargo bench --bench access`

use kawal::auth::{self, AuthSession, Marker, Recipe, Role};
use kawal::checks::access::{self, Replay, Stats};
use kawal::config::NetConfig;
use kawal::net::{HttpClient, Scope};
use kawal_access::{ExpectReason, ReplayCase, Req, Rules};
use kawal_fixture::{Fixture, FixtureConfig};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use url::Url;

fn role(base: &str, name: &str, password: &str, privilege: u32) -> Role {
    Role {
        name: name.into(),
        privilege,
        recipe: Recipe::Form {
            url: format!("{base}/login"),
            username_field: "username".into(),
            password_field: "password".into(),
            username: name.into(),
            password: password.into(),
        },
        marker: Marker {
            text: Some("Masuk sebagai".into()),
            ..Marker::default()
        },
    }
}

#[tokio::main]
async fn main() {
    kawal::install_crypto_provider();
    let f = match Fixture::start(FixtureConfig::vulnerable()).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fixture: {e}");
            std::process::exit(1);
        }
    };
    let base = f.https_url.clone().unwrap_or_default();
    let target = Url::parse(&base).unwrap_or_else(|e| panic!("{base}: {e}"));
    let cfg = NetConfig {
        rate_limit: 0.0,
        extra_ca_pem: Some(f.ca_pem.clone().into_bytes()),
        ..NetConfig::default()
    };
    let http =
        Arc::new(HttpClient::new(cfg, Scope::new(&target, &[])).unwrap_or_else(|e| panic!("{e}")));
    let mut sessions = vec![AuthSession::anonymous()];
    for r in [
        role(&base, "admin", "Admin#2026", 100),
        role(&base, "budi", "Budi#2026", 10),
        role(&base, "siti", "Siti#2026", 10),
    ] {
        sessions.push(
            auth::login(&http, &target, &r)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    // 500 admin-only requests: the user list and the report, each with a distinct query.
    let urls: Vec<String> = (0..500)
        .map(|i| {
            let page = if i % 2 == 0 { "pengguna" } else { "laporan" };
            format!("{base}/admin/{page}?n={i}")
        })
        .collect();
    let cases: Vec<ReplayCase> = urls
        .iter()
        .flat_map(|u| {
            ["budi", "siti", auth::ANONYMOUS].map(|r| ReplayCase {
                req: Req::get(u.clone()),
                owner: "admin".into(),
                as_role: r.into(),
                expect_denied_because: ExpectReason::NotDiscovered,
            })
        })
        .collect();
    let n = cases.len();
    let cached = HashMap::new();
    let pages = HashMap::new();
    let rules = Rules::default();
    let mut stats = Stats::default();
    let sent_before = http.requests_sent();
    let t = Instant::now();
    let m = access::replay_matrix(
        &http,
        &sessions,
        cases,
        &Replay {
            cached: &cached,
            session_pages: &pages,
            rules: &rules,
            parallel: 16,
        },
        &mut stats,
    )
    .await;
    let elapsed = t.elapsed();
    let requests = http.requests_sent() - sent_before;
    println!(
        "replay matrix: {n} cases (500 requests x 3 roles), {requests} HTTP requests in {:.2} s = {:.0} requests/s; judging incl. similarity {:.1} ms total ({:.1} us per case); {} bypassed, {} unclear",
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64(),
        stats.judge_time.as_secs_f64() * 1e3,
        stats.judge_time.as_secs_f64() * 1e6 / n as f64,
        m.bypassed,
        m.unclear
    );
    f.shutdown().await;
}
