//! Benchmark: crawl and error-leak check of the demo target's 200-page catalogue at an
//! unlimited rate, on loopback. Prints pages per second and the process's peak memory
//! (VmHWM; the demo target runs in the same process, so it is included).
//!
//! Run: `cargo bench --bench errors`

use kawal::checks::Context;
use kawal::checks::errors::{ErrorOptions, run_detailed};
use kawal::config::NetConfig;
use kawal::crawl::{CrawlOptions, crawl};
use kawal::net::{HttpClient, Scope};
use kawal_fixture::{Fixture, FixtureConfig};
use std::sync::Arc;
use std::time::Instant;
use url::Url;

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn client(target: &Url) -> Arc<HttpClient> {
    let cfg = NetConfig {
        rate_limit: 0.0,
        ..NetConfig::default()
    };
    match HttpClient::new(cfg, Scope::new(target, &[])) {
        Ok(c) => Arc::new(c),
        Err(e) => panic!("client: {e}"),
    }
}

/// Every page of the site, no pattern de-duplication: the worst case for a crawl.
fn everything() -> CrawlOptions {
    CrawlOptions {
        max_pages: 1_000,
        max_depth: 50,
        per_pattern: 1_000,
        use_hints: true,
        keep_responses: true,
        headers: Vec::new(),
    }
}

async fn bench() {
    kawal::install_crypto_provider();
    let mut cfg = FixtureConfig::vulnerable();
    cfg.https = false;
    let fx = match Fixture::start(cfg).await {
        Ok(f) => f,
        Err(e) => panic!("fixture: {e}"),
    };
    let start = match Url::parse(&format!("{}/", fx.http_url)) {
        Ok(u) => u,
        Err(e) => panic!("url: {e}"),
    };

    let rounds = 5;
    let mut best = f64::MAX;
    let mut pages = 0;
    for _ in 0..rounds {
        let http = client(&start);
        let t = Instant::now();
        let c = match crawl(&http, &start, None, &everything()).await {
            Ok(c) => c,
            Err(e) => panic!("crawl: {e}"),
        };
        best = best.min(t.elapsed().as_secs_f64());
        pages = c.pages.len();
    }
    println!(
        "crawl, every page:        {pages} pages in {:.3} s = {:.0} pages/s (best of {rounds})",
        best,
        pages as f64 / best
    );

    let deduplicated = CrawlOptions {
        per_pattern: 1,
        ..everything()
    };
    let http = client(&start);
    let t = Instant::now();
    let c = match crawl(&http, &start, None, &deduplicated).await {
        Ok(c) => c,
        Err(e) => panic!("crawl: {e}"),
    };
    let secs = t.elapsed().as_secs_f64();
    println!(
        "crawl, one page/pattern:  {} pages in {:.3} s ({} URLs skipped as known patterns)",
        c.pages.len(),
        secs,
        c.skipped.duplicate_pattern
    );

    // Compiling the signatures happens once per process; time it apart from the check.
    let t = Instant::now();
    if let Err(e) = kawal::checks::errors::signatures::Signatures::builtin() {
        panic!("signatures: {e}");
    }
    println!(
        "signature compile (once): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let opts = ErrorOptions {
        crawl: everything(),
        ..ErrorOptions::default()
    };
    let http = client(&start);
    let ctx = Context::new(start.clone(), http.clone());
    let t = Instant::now();
    let (obs, stats) = match run_detailed(&ctx, &opts).await {
        Ok(r) => r,
        Err(e) => panic!("check: {e}"),
    };
    let secs = t.elapsed().as_secs_f64();
    let fails = obs
        .iter()
        .filter(|o| o.outcome == kawal::model::Outcome::Fail)
        .count();
    println!(
        "crawl + leak check:       {} pages + {} probes ({} requests) in {:.3} s = {:.0} pages/s, {fails} findings",
        stats.pages,
        stats.probes,
        http.requests_sent(),
        secs,
        stats.pages as f64 / secs
    );
    match peak_memory_kib() {
        Some(kib) => println!("peak memory (VmHWM):      {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak memory (VmHWM):      not available"),
    }
    fx.shutdown().await;
}

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    };
    rt.block_on(bench());
}
