//! Scans of rustls servers on loopback: a correct TLS 1.2 + 1.3 server and the certificate failure cases.

mod common;

use common::*;
use kawal_tls::report::SupportStatus;
use kawal_tls::wire::Version;
use kawal_tls::{ScanOptions, Status, Target, checklist_outcomes, scan};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

fn opts(extra_ca: Option<String>) -> ScanOptions {
    ScanOptions {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        max_concurrency: 16,
        extra_ca_pem: extra_ca.map(String::into_bytes),
        pacer: None,
        drown_ports: Vec::new(),
    }
}

fn target(addr: SocketAddr, sni: &str) -> Target {
    Target {
        host: addr.ip().to_string(),
        port: addr.port(),
        sni: Some(sni.to_string()),
        ip: Some(addr.ip()),
    }
}

fn codes(r: &kawal_tls::TlsReport, v: Version) -> BTreeSet<String> {
    r.protocol(v)
        .map(|p| p.suites.iter().map(|s| s.code.clone()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modern_server_matches_rustls_configuration() {
    let pki = Pki::new();
    let (leaf, key) = pki.leaf(&["localhost"], now() - days(1), now() + days(200));
    let addr = rustls_server(vec![leaf, pki.inter_der()], &key).await;
    let r = scan(&target(addr, "localhost"), &opts(Some(pki.root_pem())))
        .await
        .expect("scan");
    eprintln!(
        "modern scan: {} ms, {} handshakes",
        r.duration_ms, r.handshakes
    );

    let supported: Vec<Version> = r
        .protocols
        .iter()
        .filter(|p| p.status == SupportStatus::Supported)
        .map(|p| p.version)
        .collect();
    assert_eq!(supported, vec![Version::Tls12, Version::Tls13]);
    assert!(
        r.protocols
            .iter()
            .all(|p| p.status != SupportStatus::Inconclusive)
    );

    // Expected suites straight from the rustls provider: all TLS 1.3 suites, and the ECDSA ones for TLS 1.2.
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let mut want12 = BTreeSet::new();
    let mut want13 = BTreeSet::new();
    for s in &provider.cipher_suites {
        let code = format!("0x{:04x}", u16::from(s.suite()));
        match s {
            rustls::SupportedCipherSuite::Tls13(_) => want13.insert(code),
            rustls::SupportedCipherSuite::Tls12(_)
                if format!("{:?}", s.suite()).contains("ECDSA") =>
            {
                want12.insert(code)
            }
            _ => false,
        };
    }
    assert_eq!(codes(&r, Version::Tls12), want12);
    assert_eq!(codes(&r, Version::Tls13), want13);

    // Groups: every provider group in TLS 1.3.
    let want_groups: BTreeSet<String> = provider
        .kx_groups
        .iter()
        .map(|g| format!("0x{:04x}", u16::from(g.name())))
        .collect();
    let got13: BTreeSet<String> = r
        .groups
        .iter()
        .filter(|g| g.versions.contains(&Version::Tls13))
        .map(|g| g.code.clone())
        .collect();
    assert_eq!(got13, want_groups);

    let c = r.certificate.as_ref().expect("certificate");
    assert!(c.trusted, "{:?}", c.trust_error);
    assert!(c.hostname_match && !c.expired && !c.self_signed && !c.incomplete_chain);
    assert_eq!(c.chain.len(), 2);
    assert_eq!(c.chain[0].key_type, "ec");
    assert_eq!(c.chain[0].key_bits, 256);
    assert!(c.days_left >= 199);
    assert!(!c.ocsp_stapled);
    assert!(!r.weaknesses.no_aead && !r.weaknesses.beast && !r.weaknesses.sweet32);
    assert_eq!(r.weaknesses.crime_compression, Some(false));
    assert_eq!(r.weaknesses.heartbeat_extension, Some(false));
    assert_eq!(r.grade.letter, "A", "{:?}", r.grade);
    assert_eq!(
        r.mozilla_profile,
        kawal_tls::report::MozillaProfile::Intermediate
    );
    for item in checklist_outcomes(&r) {
        assert_eq!(
            item.status,
            Status::Pass,
            "{}: {}",
            item.item_id,
            item.summary_en
        );
    }
    // JSON is stable snake_case.
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["protocols"][4]["version"], "tls12");
    assert_eq!(json["grade"]["label"], "not SSL Labs");
    assert!(json["handshakes"].as_u64().unwrap_or(0) > 5);
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::Id);
    assert!(
        table.contains("PROTOKOL") && table.contains("SESUAI"),
        "{table}"
    );
}

async fn cert_case(
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: &rcgen::KeyPair,
    sni: &str,
    ca: Option<String>,
) -> kawal_tls::report::TlsReport {
    let addr = rustls_server(chain, key).await;
    scan(&target(addr, sni), &opts(ca)).await.expect("scan")
}

fn cert_item(r: &kawal_tls::TlsReport) -> kawal_tls::ItemOutcome {
    checklist_outcomes(r)
        .into_iter()
        .find(|i| i.item_id == "tls.certificate")
        .expect("certificate item")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ocsp_staple_is_seen() {
    let pki = Pki::new();
    let (leaf, key) = pki.leaf(&["localhost"], now() - days(1), now() + days(100));
    // The scanner only notes that a staple arrived; the bytes are not an OCSP response it validates.
    let addr = rustls_server_with_ocsp(
        vec![leaf, pki.inter_der()],
        &key,
        Some(vec![0x30, 0x03, 0x0a, 0x01, 0x00]),
    )
    .await;
    let r = scan(&target(addr, "localhost"), &opts(Some(pki.root_pem())))
        .await
        .expect("scan");
    assert!(r.certificate.as_ref().is_some_and(|c| c.ocsp_stapled));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_certificate() {
    let pki = Pki::new();
    let (leaf, key) = pki.leaf(&["localhost"], now() - days(400), now() - days(10));
    let r = cert_case(
        vec![leaf, pki.inter_der()],
        &key,
        "localhost",
        Some(pki.root_pem()),
    )
    .await;
    let c = r.certificate.as_ref().expect("cert");
    assert!(c.expired && !c.trusted && c.days_left <= -10, "{c:?}");
    assert_eq!(r.grade.letter, "T");
    let item = cert_item(&r);
    assert_eq!(item.status, Status::Fail);
    assert!(
        item.summary_id.contains("kedaluwarsa"),
        "{}",
        item.summary_id
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_certificate() {
    let (leaf, key) = self_signed(&["localhost"]);
    let r = cert_case(vec![leaf], &key, "localhost", None).await;
    let c = r.certificate.as_ref().expect("cert");
    assert!(c.self_signed && !c.trusted && !c.incomplete_chain, "{c:?}");
    assert_eq!(r.grade.letter, "T");
    assert_eq!(cert_item(&r).status, Status::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_host_and_expiring_soon() {
    let pki = Pki::new();
    let (leaf, key) = pki.leaf(
        &["other.example", "*.pemda.example"],
        now() - days(1),
        now() + days(10),
    );
    let r = cert_case(
        vec![leaf, pki.inter_der()],
        &key,
        "localhost",
        Some(pki.root_pem()),
    )
    .await;
    let c = r.certificate.as_ref().expect("cert");
    assert!(c.trusted && !c.hostname_match && c.expires_soon, "{c:?}");
    assert_eq!(r.grade.letter, "M");
    let item = cert_item(&r);
    assert_eq!(item.status, Status::Fail);
    assert!(
        item.summary_en.contains("not covered"),
        "{}",
        item.summary_en
    );
    // The same certificate matches a name under its wildcard.
    let (leaf, key) = pki.leaf(&["*.pemda.example"], now() - days(1), now() + days(100));
    let r = cert_case(
        vec![leaf, pki.inter_der()],
        &key,
        "www.pemda.example",
        Some(pki.root_pem()),
    )
    .await;
    assert!(
        r.certificate
            .as_ref()
            .is_some_and(|c| c.hostname_match && c.trusted)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_intermediate() {
    let pki = Pki::new();
    let (leaf, key) = pki.leaf(&["localhost"], now() - days(1), now() + days(100));
    let r = cert_case(vec![leaf], &key, "localhost", Some(pki.root_pem())).await;
    let c = r.certificate.as_ref().expect("cert");
    assert!(!c.trusted && c.incomplete_chain && !c.self_signed, "{c:?}");
    assert!(cert_item(&r).summary_en.contains("incomplete"));
}

/// Leaf made by the openssl CLI (rcgen/aws-lc-rs cannot make RSA-1024 keys or SHA-1 signatures), signed by the test intermediate.
fn openssl_leaf(
    pki: &Pki,
    rsa_bits: &str,
    digest: &str,
) -> rustls::pki_types::CertificateDer<'static> {
    let dir = TempDir::new("leaf");
    let d = &dir.0;
    let ca_cert = write(d, "ca.pem", pki.inter.pem().as_bytes());
    let ca_key = write(d, "ca.key", pki.inter.key().serialize_pem().as_bytes());
    let ext = write(
        d,
        "ext.cnf",
        b"subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    );
    let key = d.join("leaf.key");
    let csr = d.join("leaf.csr");
    let out = d.join("leaf.der");
    let s = |p: &std::path::Path| p.display().to_string();
    openssl(&[
        "req",
        "-new",
        "-newkey",
        &format!("rsa:{rsa_bits}"),
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        &s(&key),
        "-out",
        &s(&csr),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &s(&csr),
        "-CA",
        &s(&ca_cert),
        "-CAkey",
        &s(&ca_key),
        "-CAcreateserial",
        "-days",
        "60",
        &format!("-{digest}"),
        "-extfile",
        &s(&ext),
        "-outform",
        "DER",
        "-out",
        &s(&out),
    ]);
    rustls::pki_types::CertificateDer::from(std::fs::read(out).expect("leaf der"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_rsa_1024_key() {
    let pki = Pki::new();
    let leaf = openssl_leaf(&pki, "1024", "sha256");
    let signer = rcgen::KeyPair::generate().expect("key");
    let r = cert_case(
        vec![leaf, pki.inter_der()],
        &signer,
        "localhost",
        Some(pki.root_pem()),
    )
    .await;
    let c = r.certificate.as_ref().expect("cert");
    assert_eq!(
        (c.chain[0].key_type.as_str(), c.chain[0].key_bits),
        ("rsa", 1024)
    );
    assert!(c.weak_key, "{c:?}");
    assert!(
        r.grade.caps.iter().any(|x| x.starts_with("key_below_2048")),
        "{:?}",
        r.grade.caps
    );
    assert!(cert_item(&r).summary_en.contains("too weak"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sha1_signature() {
    let pki = Pki::new();
    let leaf = openssl_leaf(&pki, "2048", "sha1");
    let signer = rcgen::KeyPair::generate().expect("key");
    let r = cert_case(
        vec![leaf, pki.inter_der()],
        &signer,
        "localhost",
        Some(pki.root_pem()),
    )
    .await;
    let c = r.certificate.as_ref().expect("cert");
    assert_eq!(c.chain[0].signature_algorithm, "ecdsa-with-SHA1");
    assert!(c.weak_signature && !c.weak_key, "{c:?}");
    assert!(cert_item(&r).summary_en.contains("SHA-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_loopback_and_ip_san() {
    let pki = Pki::new();
    let (leaf, key) = pki.leaf(&["::1"], now() - days(1), now() + days(100));
    let addr = rustls_server_on("[::1]:0", vec![leaf, pki.inter_der()], &key, None).await;
    let t = kawal_tls::Target::parse(&format!("[::1]:{}", addr.port())).expect("target");
    let r = scan(&t, &opts(Some(pki.root_pem()))).await.expect("scan");
    assert_eq!(r.target.ip, "::1");
    assert_eq!(r.target.sni, None, "no SNI for IP literals");
    assert!(r.supports(Version::Tls13) && r.supports(Version::Tls12));
    let c = r.certificate.as_ref().expect("certificate");
    assert_eq!(c.chain[0].san, vec!["::1".to_string()]);
    assert!(c.trusted && c.hostname_match, "{c:?}");
}
