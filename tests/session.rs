//! The session-entropy and session-lifecycle checks through `kawal scan --format json`, against
//! the demo target's session flaws over real HTTP(S).

mod common;

use common::{ca_file, item, kawal, run, status};
use kawal_fixture::{Fixture, FixtureConfig};
use std::path::{Path, PathBuf};

const LIFECYCLE: &[&str] = &[
    "session.token.in-url",
    "session.cookie.plain-http",
    "session.fixation",
    "session.logout-invalidation",
    "session.idle-timeout",
    "session.absolute-timeout",
    "session.concurrent",
];
const ENTROPY: &[&str] = &[
    "session.token.entropy",
    "session.token.construction",
    "session.token.jwt",
];
const LOGIN_ITEMS: &[&str] = &[
    "session.fixation",
    "session.logout-invalidation",
    "session.idle-timeout",
    "session.absolute-timeout",
    "session.concurrent",
];

/// The built-in checklist cut down to the session checks, so each scan stays short.
fn session_checklist(dir: &Path) -> PathBuf {
    let p = common::checklist_of(dir, &["session-entropy", "session-lifecycle"]);
    let text = std::fs::read_to_string(&p).expect("cut checklist");
    let v: toml::Table = text.parse().expect("toml");
    assert_eq!(v["item"].as_array().map(Vec::len), Some(10));
    p
}

/// A scan in its own directory with `config` as ./kawal.toml; returns (exit code, report).
fn scan(fx: &Fixture, url: &str, config: &str, samples: &str) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("kawal.toml"), config).expect("config");
    let ca = ca_file(fx, dir.path());
    let list = session_checklist(dir.path());
    let (code, out, err) = run({
        let mut c = kawal(dir.path());
        c.args([
            "scan",
            url,
            "--format",
            "json",
            "--rate-limit",
            "0",
            "--session-samples",
            samples,
            "--ca-bundle",
        ])
        .arg(&ca)
        .arg("--checklist")
        .arg(&list);
        c
    });
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    for id in ENTROPY.iter().chain(LIFECYCLE) {
        assert!(
            !item(&v, id)["observations"]
                .as_array()
                .is_none_or(|o| o.is_empty()),
            "{id} has an observation"
        );
    }
    (code, v)
}

fn login_toml(fx_url: &str, password: &str, idle: f64, absolute: f64) -> String {
    format!(
        "[session]\nidle_wait_secs = {idle}\nabsolute_wait_secs = {absolute}\n\n[login]\nurl = \"{fx_url}/login\"\nusername_field = \"username\"\npassword_field = \"password\"\nusername = \"operator\"\npassword = \"{password}\"\n"
    )
}

fn short_timeouts(cfg: FixtureConfig) -> FixtureConfig {
    FixtureConfig {
        idle_timeout_ms: 1_000,
        absolute_timeout_ms: 2_000,
        ..cfg
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_session_ids_fail_with_the_construction_named() {
    for (flaw, code) in [
        ("weak_session_counter", "counter"),
        ("weak_session_timestamp", "timestamp"),
        ("weak_session_md5_counter", "md5_of_counter"),
    ] {
        let fx = common::fixture(
            FixtureConfig::hardened()
                .with_flaw(flaw, true)
                .expect("flaw"),
        )
        .await;
        let url = fx.https_url.clone().expect("https");
        let (exit, v) = scan(&fx, &url, "", "300");
        assert_eq!(exit, 1, "a critical finding fails the scan: {flaw}");
        let c = item(&v, "session.token.construction");
        assert_eq!(c["outcome"]["status"], "fail", "{flaw}: {c}");
        let figures = &c["observations"][0]["figures"];
        assert!(
            figures["reason_codes"]
                .as_array()
                .expect("codes")
                .iter()
                .any(|r| r == code),
            "{flaw}: {figures}"
        );
        assert!(
            c["observations"][0]["summary"]["en"]
                .as_str()
                .expect("summary")
                .contains(code)
        );
        assert_eq!(status(&v, "session.token.entropy"), "fail", "{flaw}");
        assert_eq!(status(&v, "session.token.jwt"), "pass", "{flaw}");
        // A structural weakness is recognised from the first tokens: the sample stays small.
        assert!(
            figures["sample_size"].as_u64().is_some_and(|n| n <= 100),
            "{figures}"
        );
        fx.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_session_ids_pass_with_figures() {
    let fx = common::fixture(FixtureConfig::hardened()).await;
    let url = fx.https_url.clone().expect("https");
    let (_, v) = scan(&fx, &url, "", "1000");
    for id in ENTROPY {
        assert_eq!(status(&v, id), "pass", "{id}: {}", item(&v, id));
    }
    let f = &item(&v, "session.token.entropy")["observations"][0]["figures"];
    assert!(f["sample_size"].as_u64().is_some_and(|n| n >= 1000), "{f}");
    assert!(
        f["capacity_bits"].as_f64().is_some_and(|b| b >= 128.0),
        "{f}"
    );
    assert!(
        f["effective_bits"].as_f64().is_some() && f["min_entropy_bits"].as_f64().is_some(),
        "{f}"
    );
    assert_eq!(f["cookie"], "__Host-SESSIONID");

    // Fewer tokens than a pass needs: inconclusive, never a pass.
    let (_, v) = scan(&fx, &url, "", "100");
    assert_eq!(status(&v, "session.token.entropy"), "inconclusive");
    fx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_flaws_are_each_detected() {
    let flaws = [
        "session_no_rotation",
        "session_no_logout_invalidation",
        "session_no_idle_timeout",
        "session_no_absolute_timeout",
        "session_id_in_url",
        "http_no_redirect",
    ];
    let mut cfg = short_timeouts(FixtureConfig::hardened());
    for f in flaws {
        cfg = cfg.with_flaw(f, true).expect("flaw");
    }
    let fx = common::fixture(cfg).await;
    let https = fx.https_url.clone().expect("https");
    let (_, v) = scan(
        &fx,
        &fx.http_url.clone(),
        &login_toml(&https, "rahasia", 1.5, 3.0),
        "100",
    );
    for id in &LIFECYCLE[..6] {
        assert_eq!(status(&v, id), "fail", "{id}: {}", item(&v, id));
    }
    assert_eq!(
        status(&v, "session.concurrent"),
        "pass",
        "{}",
        item(&v, "session.concurrent")
    );
    let url_item = serde_json::to_string(item(&v, "session.token.in-url")).expect("json");
    assert!(url_item.contains("SESSIONID"), "{url_item}");
    fx.shutdown().await;

    // One flaw at a time fails its own item only (timeouts are not measured here).
    for (flaw, id) in [
        ("session_no_rotation", "session.fixation"),
        (
            "session_no_logout_invalidation",
            "session.logout-invalidation",
        ),
        ("session_id_in_url", "session.token.in-url"),
        ("http_no_redirect", "session.cookie.plain-http"),
    ] {
        let fx = common::fixture(
            FixtureConfig::hardened()
                .with_flaw(flaw, true)
                .expect("flaw"),
        )
        .await;
        let https = fx.https_url.clone().expect("https");
        let (_, v) = scan(
            &fx,
            &fx.http_url.clone(),
            &login_toml(&https, "rahasia", 0.0, 0.0),
            "100",
        );
        for other in &LIFECYCLE[..4] {
            let want = if other == &id { "fail" } else { "pass" };
            assert_eq!(
                status(&v, other),
                want,
                "{flaw} → {other}: {}",
                item(&v, other)
            );
        }
        fx.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardened_twin_has_no_session_finding() {
    let fx = common::fixture(short_timeouts(FixtureConfig::hardened())).await;
    // The registered URL is plain HTTP: it must redirect to HTTPS without issuing the session.
    let (_, v) = scan(
        &fx,
        &fx.http_url.clone(),
        &login_toml(&fx.http_url, "rahasia", 1.5, 3.0),
        "100",
    );
    for id in LIFECYCLE {
        assert_eq!(status(&v, id), "pass", "{id}: {}", item(&v, id));
    }
    for id in ENTROPY {
        assert_ne!(status(&v, id), "fail", "{id}: {}", item(&v, id));
    }
    let abs = &item(&v, "session.absolute-timeout")["observations"][0]["figures"];
    assert!(
        abs["ended_after_secs"]
            .as_f64()
            .is_some_and(|t| (1.5..3.5).contains(&t)),
        "{abs}"
    );
    fx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_login_or_with_a_failed_login_the_items_are_inconclusive() {
    let fx = common::fixture(FixtureConfig::vulnerable()).await;
    let url = fx.https_url.clone().expect("https");
    let (_, v) = scan(&fx, &url, "", "100");
    for id in LOGIN_ITEMS {
        assert_eq!(status(&v, id), "inconclusive", "{id}");
        let reason = item(&v, id)["outcome"]["reason"]["en"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(reason.contains("[login]"), "{id}: {reason}");
    }
    // The vulnerable home page still shows the id in its links without any login.
    assert_eq!(status(&v, "session.token.in-url"), "fail");

    // The demo target accepts any non-empty password; an empty one stands for wrong credentials.
    let (_, v) = scan(&fx, &url, &login_toml(&url, "", 0.0, 0.0), "100");
    for id in LOGIN_ITEMS {
        assert_eq!(status(&v, id), "inconclusive", "{id}");
        let reason = item(&v, id)["outcome"]["reason"]["id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            reason.contains(&format!("{url}/login")) && reason.contains("operator"),
            "{id}: {reason}"
        );
    }
    fx.shutdown().await;
}

#[test]
fn bad_session_config_is_a_usage_error() {
    let home = tempfile::tempdir().expect("tmp");
    std::fs::write(home.path().join("kawal.toml"), "[session]\nsamples = 5\n").expect("write");
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args(["scan", "https://127.0.0.1:9/"]);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("session.samples"), "{err}");
    std::fs::write(home.path().join("kawal.toml"), "[session]\nsampels = 500\n").expect("write");
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args(["scan", "https://127.0.0.1:9/"]);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sampels"), "{err}");
}
