//! Misbehaving servers must give a bounded, panic-free, inconclusive result.

mod common;

use common::*;
use kawal_tls::{ScanOptions, Status, Target, checklist_outcomes, scan};
use std::time::{Duration, Instant};

async fn run(kind: Hostile) -> kawal_tls::TlsReport {
    let addr = hostile_server(kind).await;
    let t = Target {
        host: "localhost".into(),
        port: addr.port(),
        sni: None,
        ip: Some(addr.ip()),
    };
    let opts = ScanOptions {
        connect_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(400),
        max_concurrency: 16,
        extra_ca_pem: None,
        pacer: None,
        drown_ports: Vec::new(),
    };
    let start = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(10), scan(&t, &opts))
        .await
        .unwrap_or_else(|_| panic!("{kind:?}: scan did not finish in time"))
        .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{kind:?} took {:?}",
        start.elapsed()
    );
    for item in checklist_outcomes(&r) {
        if item.item_id == "tls.certificate" {
            continue;
        }
        match &item.status {
            Status::Inconclusive(reason) => assert!(!reason.is_empty()),
            other => panic!("{kind:?}: {} gave {other:?}", item.item_id),
        }
    }
    assert!(matches!(
        checklist_outcomes(&r)
            .iter()
            .find(|i| i.item_id == "tls.certificate")
            .map(|i| &i.status),
        Some(Status::Inconclusive(_))
    ));
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closes_mid_record() {
    let r = run(Hostile::ClosesMidRecord).await;
    let reason = r.inconclusive_reason().unwrap_or_default();
    assert!(reason.contains("closed mid-message"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage() {
    let reason = run(Hostile::Garbage)
        .await
        .inconclusive_reason()
        .unwrap_or_default();
    assert!(reason.contains("unknown record content type"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_record() {
    let reason = run(Hostile::OversizedRecord)
        .await
        .inconclusive_reason()
        .unwrap_or_default();
    assert!(reason.contains("exceeds the TLS maximum"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_mib_handshake_message() {
    let reason = run(Hostile::HugeHandshake)
        .await
        .inconclusive_reason()
        .unwrap_or_default();
    assert!(reason.contains("flight exceeds"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_answers() {
    let reason = run(Hostile::Silent)
        .await
        .inconclusive_reason()
        .unwrap_or_default();
    assert!(
        reason.contains("no answer within the read timeout"),
        "{reason}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_tls_with_sslv2() {
    let reason = run(Hostile::Sslv2Reply)
        .await
        .inconclusive_reason()
        .unwrap_or_default();
    assert!(reason.contains("SSLv2"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_port_is_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let t = Target {
        host: "127.0.0.1".into(),
        port,
        sni: None,
        ip: None,
    };
    let e = scan(&t, &ScanOptions::default())
        .await
        .expect_err("closed port");
    assert!(e.to_string().contains("cannot connect"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslv2_only_server_is_detected() {
    use kawal_tls::report::SupportStatus;
    use kawal_tls::wire::Version;
    let addr = hostile_server(Hostile::Sslv2Only).await;
    let t = Target {
        host: "localhost".into(),
        port: addr.port(),
        sni: None,
        ip: Some(addr.ip()),
    };
    let opts = ScanOptions {
        connect_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(400),
        max_concurrency: 16,
        extra_ca_pem: None,
        pacer: None,
        drown_ports: Vec::new(),
    };
    let r = scan(&t, &opts).await.expect("scan");
    let p = r.protocol(Version::Ssl2).expect("sslv2");
    assert_eq!(p.status, SupportStatus::Supported);
    let codes: Vec<&str> = p.suites.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["0x010080", "0x0700c0"]);
    assert!(r.weaknesses.sslv2);
    assert_eq!(r.grade.letter_if_trusted, "F");
    let items = checklist_outcomes(&r);
    for id in ["tls.protocols", "tls.known-weaknesses", "tls.cipher-suites"] {
        let item = items.iter().find(|i| i.item_id == id).expect("item");
        assert_eq!(item.status, Status::Fail, "{id}: {}", item.summary_en);
    }
}
