//! Benchmark: wall time of `kawal scan` with three registered roles (admin, two users; form and
//! JSON logins) over the real-framework test applications, weak and hardened twins, rate limit
//! off, full checklist and default settings. Prints the wall time and the requests each scan
//! sent, then the total. Not a timed test.
//!
//! Run: `cargo bench --bench scan_apps` (needs what `scripts/test` installs: python3 with Flask
//! and Django, Express in target/test-deps/node, php-cli, and openssl).

#[path = "../tests/common/mod.rs"]
mod common;

use common::portal::Portal;
use std::path::Path;
use std::time::Instant;

fn scan(name: &str, app: &Portal, roles: &str) -> (f64, u64) {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("kawal.toml"),
        roles.replace("BASE/", &app.url),
    )
    .expect("config");
    let started = Instant::now();
    let out = common::kawal(dir.path())
        .args([
            "scan",
            &app.url,
            "--format",
            "json",
            "--rate-limit",
            "0",
            "--ca-bundle",
        ])
        .arg(&app.cert)
        .output()
        .expect("kawal runs");
    let secs = started.elapsed().as_secs_f64();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (secs, v["requests_sent"].as_u64().unwrap_or(0))
}

/// A test application: its name, how to start it in a mode, and its `kawal.toml`.
struct App {
    name: &'static str,
    start: fn(&str, &Path) -> Portal,
    roles: &'static str,
}

fn main() {
    let apps = [
        App {
            name: "flask-portal",
            start: common::portal::portal,
            roles: common::apps::PORTAL_ROLES,
        },
        App {
            name: "express-spa",
            start: common::node::express,
            roles: common::apps::EXPRESS_ROLES,
        },
        App {
            name: "django",
            start: common::portal::django,
            roles: common::apps::DJANGO_ROLES,
        },
        App {
            name: "php",
            start: common::portal::php,
            roles: common::apps::PHP_ROLES,
        },
    ];
    let mut total = 0.0;
    println!(
        "{:<28} {:>10} {:>10}",
        "application", "wall (s)", "requests"
    );
    for app in &apps {
        for mode in ["weak", "hardened"] {
            // Each application gets its own certificate directory.
            let dir = tempfile::tempdir().expect("tmp");
            let running = (app.start)(mode, dir.path());
            let name = format!("{} ({mode})", app.name);
            let (secs, requests) = scan(&name, &running, app.roles);
            total += secs;
            println!("{name:<28} {secs:>10.1} {requests:>10}");
        }
    }
    println!("{:<28} {total:>10.1}", "total");
}
