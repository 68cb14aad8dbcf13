//! Worker processes: a worker killed mid-job loses its lease and the job runs again;
//! SIGTERM gives an unfinished job back to the queue.

mod common;

use common::{kawal, run};
use kawal_fixture::FixtureConfig;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn jobs(home: &std::path::Path) -> serde_json::Value {
    let (code, out, err) = run({
        let mut c = kawal(home);
        c.args(["jobs", "list", "--json"]);
        c
    });
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("json")
}

fn evaluations(home: &std::path::Path) -> serde_json::Value {
    let (_, out, _) = run({
        let mut c = kawal(home);
        c.args(["evaluations", "--json"]);
        c
    });
    serde_json::from_str(&out).expect("json")
}

fn spawn_worker(home: &std::path::Path, extra: &[&str]) -> Child {
    let mut c = kawal(home);
    c.args(["worker", "--lease-secs", "2", "--poll-secs", "0.1"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c.spawn().expect("worker starts")
}

fn wait_running(home: &std::path::Path) {
    let start = Instant::now();
    loop {
        let j = jobs(home);
        if j[0]["status"] == "running" && !j[0]["evaluation_id"].is_null() {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "job never started: {j}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn register_slow(home: &std::path::Path, base: &str, ms: u64) {
    let (code, _, err) = run({
        let mut c = kawal(home);
        c.args([
            "app",
            "add",
            "--name",
            "LAMBAT",
            "--url",
            &format!("{base}/_test/slow?ms={ms}"),
            "--agency",
            "Dinas Uji",
            "--owner",
            "o@example.go.id",
            // The loopback target needs no sparing; at the default rate the forced-browsing
            // wordlist alone would outlast the test's deadline.
            "--rate-limit",
            "0",
        ]);
        c
    });
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run({
        let mut c = kawal(home);
        c.args(["evaluate", "LAMBAT", "--queue"]);
        c
    });
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("job"), "{out}");
}

#[test]
fn killed_worker_job_is_rerun_and_first_evaluation_interrupted() {
    let home = tempfile::tempdir().expect("tmp");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let f = rt.block_on(common::fixture(
        FixtureConfig::hardened()
            .with_flaw("http_no_redirect", true)
            .expect("flaw"),
    ));
    register_slow(home.path(), &f.http_url, 3000);

    let mut a = spawn_worker(home.path(), &[]);
    wait_running(home.path());
    a.kill().expect("kill -9");
    let _ = a.wait();

    // A second worker reclaims the job once the dead worker's lease expires, and runs it.
    let started = Instant::now();
    let b = spawn_worker(home.path(), &["--drain"]);
    let out = b.wait_with_output().expect("second worker");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(30));

    let j = jobs(home.path());
    assert_eq!(j.as_array().expect("jobs").len(), 1);
    assert_eq!(j[0]["status"], "done", "{j}");
    assert_eq!(j[0]["attempts"], 2, "{j}");
    let ev = evaluations(home.path());
    let ev = ev.as_array().expect("evaluations");
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[1]["status"], "interrupted", "the first attempt: {ev:?}");
    assert_eq!(ev[1]["failures"], 0, "nothing half-written");
    assert_eq!(ev[0]["status"], "finished", "the re-run: {ev:?}");
    assert_eq!(j[0]["evaluation_id"], ev[0]["id"]);
    rt.block_on(f.shutdown());
}

#[test]
fn sigterm_releases_the_unfinished_job() {
    let home = tempfile::tempdir().expect("tmp");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let f = rt.block_on(common::fixture(
        FixtureConfig::hardened()
            .with_flaw("http_no_redirect", true)
            .expect("flaw"),
    ));
    register_slow(home.path(), &f.http_url, 20_000);
    let w = spawn_worker(home.path(), &["--grace-secs", "0.5"]);
    wait_running(home.path());
    let stopped = Instant::now();
    let st = std::process::Command::new("kill")
        .args(["-TERM", &w.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(st.success());
    let out = w.wait_with_output().expect("worker exits");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "stopped within the grace period"
    );
    let j = jobs(home.path());
    assert_eq!(j[0]["status"], "queued", "{j}");
    assert_eq!(
        j[0]["attempts"], 0,
        "a stop does not use up an attempt: {j}"
    );
    let ev = evaluations(home.path());
    assert_eq!(ev[0]["status"], "interrupted", "{ev}");
    rt.block_on(f.shutdown());
}
