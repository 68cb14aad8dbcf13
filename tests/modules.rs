//! The TLS and session-token modules through the `kawal` binary, against the demo target.

mod common;

use common::{ca_file, item, kawal, run};
use kawal_fixture::FixtureConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_command_and_tls_items_in_a_scan() {
    let home = tempfile::tempdir().expect("tmp");
    let f = common::fixture(FixtureConfig::hardened()).await;
    let ca = ca_file(&f, home.path());
    let addr = f.https_addr.expect("https");
    let (code, out, err) = run({
        let mut c = kawal(home.path());
        c.args(["tls", &addr.to_string(), "--format", "json", "--ca-bundle"])
            .arg(&ca);
        c
    });
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(r["handshakes"].as_u64().expect("handshakes") > 0);
    let (code, out, _) = run({
        let mut c = kawal(home.path());
        c.args(["tls", &format!("https://{addr}/"), "--ca-bundle"])
            .arg(&ca);
        c
    });
    assert_eq!(code, 0);
    assert!(
        out.contains("TLS 1.3") && out.contains("Tepercaya"),
        "{out}"
    );

    let (code, out, err) = run({
        let mut c = kawal(home.path());
        c.args([
            "scan",
            f.https_url.as_deref().expect("url"),
            "--format",
            "json",
            "--rate-limit",
            "0",
            "--fail-on",
            "info",
            "--ca-bundle",
        ])
        .arg(&ca);
        c
    });
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    for id in [
        "tls.protocols",
        "tls.cipher-suites",
        "tls.certificate",
        "tls.known-weaknesses",
        "tls.hsts",
        "tls.http-redirect",
    ] {
        assert_eq!(
            item(&v, id)["outcome"]["status"],
            "pass",
            "{id}: {}",
            item(&v, id)
        );
    }
    assert_eq!(
        code, 0,
        "hardened target passes everything at --fail-on info: {err}"
    );

    // Without the CA the certificate is untrusted: reported, not a crash, and the scan still runs.
    let (_, out, _) = run({
        let mut c = kawal(home.path());
        c.args([
            "scan",
            f.https_url.as_deref().expect("url"),
            "--format",
            "json",
            "--rate-limit",
            "0",
            "--insecure",
        ]);
        c
    });
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(item(&v, "tls.certificate")["outcome"]["status"], "fail");
    f.shutdown().await;

    let plain = common::fixture(FixtureConfig {
        https: false,
        ..FixtureConfig::vulnerable()
    })
    .await;
    let (_, out, _) = run({
        let mut c = kawal(home.path());
        c.args([
            "scan",
            &plain.http_url,
            "--format",
            "json",
            "--rate-limit",
            "0",
        ]);
        c
    });
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        item(&v, "tls.protocols")["outcome"]["status"],
        "fail",
        "no HTTPS at all"
    );
    assert_eq!(item(&v, "tls.http-redirect")["outcome"]["status"], "fail");
    plain.shutdown().await;
}

#[test]
fn tls_bad_target_and_closed_port() {
    let home = tempfile::tempdir().expect("tmp");
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args(["tls", "host:notaport"]);
        c
    });
    assert_eq!(code, 2, "{err}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args(["tls", &format!("127.0.0.1:{port}")]);
        c
    });
    assert_eq!(code, 3, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entropy_from_file_and_live() {
    let home = tempfile::tempdir().expect("tmp");
    let counter: String = (1_000_000u64..1_000_300)
        .map(|n| format!("{n:032x}\n"))
        .collect();
    let file = home.path().join("tokens.txt");
    std::fs::write(&file, counter).expect("write");
    let chart = home.path().join("chart.svg");
    let (code, out, err) = run({
        let mut c = kawal(home.path());
        c.args(["entropy"])
            .arg(&file)
            .args(["--format", "json", "--chart"])
            .arg(&chart);
        c
    });
    assert_eq!(code, 1, "a counter fails: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["verdict"], "fail");
    assert!(
        v["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r["code"] == "counter"),
        "{v}"
    );
    assert!(
        std::fs::read_to_string(&chart)
            .expect("chart")
            .starts_with("<svg")
    );

    let f = common::fixture(FixtureConfig::hardened()).await;
    let ca = ca_file(&f, home.path());
    let saved = home.path().join("live.txt");
    let (code, out, err) = run({
        let mut c = kawal(home.path());
        c.args([
            "entropy",
            f.https_url.as_deref().expect("url"),
            "--samples",
            "100",
            "--rate-limit",
            "0",
            "--format",
            "json",
            "--save-tokens",
        ])
        .arg(&saved)
        .arg("--ca-bundle")
        .arg(&ca);
        c
    });
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["sample_size"], 100);
    assert_eq!(
        v["verdict"], "inconclusive",
        "100 tokens are a rough look, too few to pass"
    );
    let lines: Vec<String> = std::fs::read_to_string(&saved)
        .expect("saved")
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 100);
    let cols: Vec<Vec<&str>> = lines.iter().map(|l| l.split('\t').collect()).collect();
    let distinct: std::collections::HashSet<_> = cols.iter().map(|c| c[0]).collect();
    assert_eq!(distinct.len(), 100, "one fresh session per request");
    assert!(cols.iter().all(|c| c[0].len() == 32), "{lines:?}");
    // Each token keeps its capture time and the response's Date header.
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    for c in &cols {
        let captured: i64 = c[1].parse().expect("capture time");
        let date: i64 = c[2].parse().expect("Date header");
        assert!((now_ms - captured).abs() < 600_000, "{c:?}");
        assert!(
            (captured / 1000 - date).abs() <= 2,
            "Date header within 2 s of capture: {c:?}"
        );
    }
    // The saved file reads back as the same sample.
    let (code, out, _) = run({
        let mut c = kawal(home.path());
        c.args(["entropy"]).arg(&saved).args(["--format", "json"]);
        c
    });
    assert_eq!(code, 0);
    let again: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(again["sample_size"], 100);

    // A page that sets no cookie ends with a clear error instead of looping.
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args([
            "entropy",
            &format!("{}/about", f.https_url.as_deref().expect("url")),
            "--samples",
            "100",
            "--rate-limit",
            "0",
            "--cookie",
            "NOPE",
            "--ca-bundle",
        ])
        .arg(&ca);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--cookie"), "{err}");
    f.shutdown().await;
}

/// Issue 16, point 7: in an evaluation every TLS handshake waits its turn on the application's
/// per-host rate limit, like an HTTP request (the scheduler's runs go through the same check).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_handshakes_count_against_the_rate_limit() {
    use kawal::checks::Check;
    let f = common::fixture(FixtureConfig::hardened()).await;
    let url = url::Url::parse(f.https_url.as_deref().expect("url")).expect("url");
    let rate = 25.0;
    let cfg = kawal::config::NetConfig {
        rate_limit: rate,
        extra_ca_pem: Some(f.ca_pem.clone().into_bytes()),
        ..kawal::config::NetConfig::default()
    };
    let http = kawal::net::HttpClient::new(cfg, kawal::net::Scope::new(&url, &[])).expect("client");
    let ctx = kawal::checks::Context::new(url, std::sync::Arc::new(http));
    let started = std::time::Instant::now();
    let obs = kawal::checks::tls::TlsCheck
        .run(&ctx)
        .await
        .expect("tls check runs");
    let elapsed = started.elapsed().as_secs_f64();
    let handshakes = obs
        .iter()
        .find_map(|o| o.figures["report"]["handshakes"].as_u64())
        .expect("handshake count in the figures");
    assert!(handshakes >= 10, "{handshakes}");
    // The tested vulnerabilities travel as evidence of their item, into the agency report.
    let known = obs
        .iter()
        .find(|o| o.item_id == "tls.known-weaknesses")
        .expect("item");
    let notes: Vec<&str> = known
        .evidence
        .iter()
        .filter_map(|e| e.note.as_deref())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("CCS injection (TLS 1.2): the server rejected")),
        "{notes:?}"
    );
    // With no burst, n + 1 turns (handshakes and the reachability connect) take n intervals at least.
    let floor = handshakes as f64 / rate;
    assert!(
        elapsed >= floor,
        "{handshakes} handshakes at {rate}/s took {elapsed:.3}s, under the {floor:.3}s the limit allows"
    );
    f.shutdown().await;
}
