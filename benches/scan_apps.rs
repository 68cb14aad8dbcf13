//! Benchmark: wall time of `kawal scan` with three registered roles (admin, two users; form and
//! JSON logins) over the real-framework test applications, rate limit off, full checklist and
//! default settings. Prints the wall time and the requests each scan sent. Not a timed test.
//!
//! Run: `cargo bench --bench scan_apps` (needs python3 with Flask, and openssl).

#[path = "../tests/common/mod.rs"]
mod common;

use common::portal;

use std::time::Instant;

const ROLES: &str = r#"
[access]
protected = [{ pattern = "/api/admin/*", allowed = ["admin"] }]

[[role]]
name = "admin"
privilege = 100
recipe = { kind = "form", url = "BASE/masuk", username = "admin", password = "Admin#2026" }
marker = { text = "Masuk sebagai" }

[[role]]
name = "budi"
privilege = 10
recipe = { kind = "form", url = "BASE/masuk", username = "budi", password = "Budi#2026" }
marker = { text = "Masuk sebagai" }

[[role]]
name = "siti"
privilege = 10
recipe = { kind = "json", url = "BASE/api/masuk", username = "siti", password = "Siti#2026", token_pointer = "" }
marker = { url = "BASE/dasbor", text = "Masuk sebagai" }
"#;

fn scan(name: &str, app: &portal::Portal) -> (f64, u64) {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("kawal.toml"),
        ROLES.replace("BASE/", &app.url),
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

fn main() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut total = 0.0;
    println!(
        "{:<28} {:>10} {:>10}",
        "application", "wall (s)", "requests"
    );
    for mode in ["weak", "hardened"] {
        let app = portal::portal(mode, dir.path());
        let name = format!("flask-portal ({mode})");
        let (secs, requests) = scan(&name, &app);
        total += secs;
        println!("{name:<28} {secs:>10.1} {requests:>10}");
    }
    println!("{:<28} {total:>10.1}", "total");
}
