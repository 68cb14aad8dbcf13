//! Wall time and peak memory of a full `kawal scan` against the worst hostile servers of
//! `tests/hostile.rs`, at Kawal's default timeouts (the tests shorten them), one scan at a time.
//! Prints one line per server and the worst figures against the targets (< 200 MiB, < 60 s).
//!
//! `cargo bench --bench hostile`

#[allow(dead_code)]
#[path = "../tests/hostile/bombs.rs"]
mod bombs;
#[allow(dead_code)]
#[path = "../tests/hostile/canary.rs"]
mod canary;
#[path = "../tests/common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "../tests/hostile/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../tests/hostile/http.rs"]
mod http;
#[allow(dead_code)]
#[path = "../tests/hostile/servers.rs"]
mod servers;
#[allow(dead_code)]
#[path = "../tests/hostile/tls.rs"]
mod tls;

use canary::Canary;
use harness::{Behaviour, MEMORY_LIMIT_MB, SHORT_TIMEOUTS};

/// The servers that cost a scan the most time or memory.
const WORST: &[fn(&Canary) -> Behaviour] = &[
    servers::tarpit_behind_landing,
    servers::never_answers,
    servers::slow_body,
    servers::endless_chunked,
    servers::gzip_bomb,
    servers::brotli_bomb,
    servers::fifty_megabytes,
    servers::nested_divs,
    servers::hundred_thousand_links,
    tls::storm_for_probes,
];

fn main() {
    let c = Canary::start();
    let mut worst_mib = 0;
    let mut worst_secs = 0.0f64;
    println!("kawal scan at default timeouts, one at a time:");
    for make in WORST {
        let mut b = make(&c);
        // Default timeouts: drop the tests' short ones, keep any other settings.
        b.config = b.config.replace(SHORT_TIMEOUTS, "");
        b.budget = std::time::Duration::from_secs(900);
        let r = harness::scan(&b);
        println!("{}", harness::line(&b, &r));
        let problems = harness::problems(&b, &r);
        for p in &problems {
            println!("    ! {p}");
        }
        worst_mib = worst_mib.max(r.peak_kib / 1024);
        worst_secs = worst_secs.max(r.took.as_secs_f64());
    }
    println!(
        "worst peak memory: {worst_mib} MiB (target < {MEMORY_LIMIT_MB} MiB); worst wall time: {worst_secs:.1} s (target < 60 s)"
    );
    println!("canary connections: {} (must be 0)", c.hits());
}
