//! SSL 3.0-era weaknesses that no packaged server here can produce (Debian's OpenSSL has no SSLv3, RC4, 3DES or
//! compression), checked against a scripted server that answers hellos byte by byte.

mod common;

use common::*;
use kawal_tls::report::SupportStatus;
use kawal_tls::wire::Version;
use kawal_tls::{ScanOptions, Status, Target, checklist_outcomes, scan};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslv3_rc4_3des_crime_heartbeat() {
    let (cert, _key) = self_signed(&["localhost"]);
    let addr = scripted_sslv3_server(cert.to_vec()).await;
    let t = Target {
        host: "localhost".into(),
        port: addr.port(),
        sni: None,
        ip: Some(addr.ip()),
    };
    let opts = ScanOptions {
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_millis(800),
        max_concurrency: 16,
        extra_ca_pem: None,
        pacer: None,
        drown_ports: Vec::new(),
    };
    let r = scan(&t, &opts).await.expect("scan");
    let status = |v| r.protocol(v).map(|p| p.status);
    assert_eq!(status(Version::Ssl3), Some(SupportStatus::Supported));
    assert_eq!(status(Version::Tls10), Some(SupportStatus::Supported));
    for v in [
        Version::Ssl2,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ] {
        assert_eq!(status(v), Some(SupportStatus::NotSupported), "{v:?}");
    }
    for v in [Version::Ssl3, Version::Tls10] {
        let p = r.protocol(v).expect("protocol");
        let codes: Vec<&str> = p.suites.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["0x002f", "0x000a", "0x0005"], "{v:?}");
        assert_eq!(p.server_preference, Some(true));
    }
    let w = &r.weaknesses;
    assert!(
        w.poodle_sslv3 && w.beast && w.sweet32 && w.rc4 && w.no_forward_secrecy && w.no_aead,
        "{w:?}"
    );
    assert_eq!(w.crime_compression, Some(true));
    assert_eq!(w.secure_renegotiation, Some(false));
    assert_eq!(w.heartbeat_extension, Some(true));
    // Heartbeats negotiated, so both probes ran; this server reacts as a patched OpenSSL does.
    let hb = w.heartbleed.as_ref().expect("heartbleed tested");
    assert_eq!(hb.vulnerable, Some(false), "{}", hb.evidence);
    assert!(hb.evidence.contains("not answered"), "{}", hb.evidence);
    let ccs = w.ccs_injection.as_ref().expect("ccs tested");
    assert_eq!(ccs.vulnerable, Some(false), "{}", ccs.evidence);
    assert_eq!(w.fallback_scsv, Some(false));
    // Certificate read from the raw SSLv3/TLS 1.0 flight, since rustls cannot talk to this server.
    let c = r.certificate.as_ref().expect("certificate");
    assert_eq!(c.source, "raw_handshake");
    assert!(c.self_signed);
    assert_eq!(r.grade.letter_if_trusted, "C", "{:?}", r.grade);
    for item in checklist_outcomes(&r) {
        assert_eq!(
            item.status,
            Status::Fail,
            "{}: {}",
            item.item_id,
            item.summary_en
        );
    }
    let known = checklist_outcomes(&r)
        .into_iter()
        .find(|i| i.item_id == "tls.known-weaknesses")
        .expect("item");
    assert!(
        !known.summary_en.contains("Heartbleed"),
        "{}",
        known.summary_en
    );
    for word in ["POODLE", "BEAST", "SWEET32", "CRIME"] {
        assert!(
            known.summary_en.contains(word),
            "{word}: {}",
            known.summary_en
        );
    }
}

async fn scan_flawed(flaws: Flaws) -> (kawal_tls::TlsReport, usize) {
    let (cert, _key) = self_signed(&["localhost"]);
    scan_flawed_with(cert.to_vec(), flaws).await
}

async fn scan_flawed_with(cert: Vec<u8>, flaws: Flaws) -> (kawal_tls::TlsReport, usize) {
    let server = scripted_server(cert, flaws).await;
    let (t, connections) = relayed_target(server).await;
    let opts = ScanOptions {
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_millis(800),
        ..ScanOptions::default()
    };
    let r = scan(&t, &opts).await.expect("scan");
    let seen = connections.load(std::sync::atomic::Ordering::SeqCst);
    (r, seen)
}

fn known_weaknesses(r: &kawal_tls::TlsReport) -> String {
    checklist_outcomes(r)
        .into_iter()
        .find(|i| i.item_id == "tls.known-weaknesses")
        .map(|i| i.summary_en)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbleed_over_read_is_counted_not_kept() {
    let (r, connections) = scan_flawed(Flaws {
        heartbleed: true,
        ..Flaws::default()
    })
    .await;
    let hb = r.weaknesses.heartbleed.as_ref().expect("tested");
    assert_eq!(hb.vulnerable, Some(true), "{}", hb.evidence);
    // 1024 claimed bytes came back (plus type, length and padding); only the count is reported.
    assert!(hb.evidence.contains("1043 bytes"), "{}", hb.evidence);
    assert!(!serde_json::to_string(&r).expect("json").contains("a5a5"));
    assert_eq!(
        r.weaknesses
            .ccs_injection
            .as_ref()
            .and_then(|f| f.vulnerable),
        Some(false)
    );
    assert_eq!(r.grade.letter_if_trusted, "F", "{:?}", r.grade);
    assert!(known_weaknesses(&r).contains("Heartbleed"));
    // The scanner's count is what the server saw (plus the reachability connect).
    assert_eq!(connections, r.handshakes as usize + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_change_cipher_spec_accepted() {
    let (r, _) = scan_flawed(Flaws {
        ccs_injection: true,
        ..Flaws::default()
    })
    .await;
    let ccs = r.weaknesses.ccs_injection.as_ref().expect("tested");
    assert_eq!(ccs.vulnerable, Some(true), "{}", ccs.evidence);
    assert_eq!(
        r.weaknesses.heartbleed.as_ref().and_then(|f| f.vulnerable),
        Some(false)
    );
    assert_eq!(r.grade.letter_if_trusted, "F", "{:?}", r.grade);
    assert!(known_weaknesses(&r).contains("CCS injection"));
}

/// Export suites: FREAK (RSA export) and Logjam (export DHE with a 512-bit group), both capping
/// the grade at F and named in `tls.known-weaknesses`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_suites_are_freak_and_logjam() {
    let (r, connections) = scan_flawed(Flaws {
        export: true,
        ..Flaws::default()
    })
    .await;
    assert_eq!(connections, r.handshakes as usize + 1);
    let p = r.protocol(Version::Tls10).expect("TLS 1.0");
    let codes: Vec<&str> = p.suites.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        ["0x0003", "0x0008", "0x0014", "0x002f", "0x000a", "0x0005"],
        "every export suite found, in the server's order"
    );
    let w = &r.weaknesses;
    assert!(w.freak && w.logjam, "{w:?}");
    assert_eq!(r.dh_min_bits, Some(512));
    let known = known_weaknesses(&r);
    assert!(
        known.contains("FREAK") && known.contains("Logjam"),
        "{known}"
    );
    assert_eq!(r.grade.letter_if_trusted, "F", "{:?}", r.grade);
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::En);
    assert!(table.contains("TLS_RSA_EXPORT_WITH_RC4_40_MD5"), "{table}");
}

/// RFC 2409 Oakley group 2, the 1024-bit prime most often shared between servers.
const OAKLEY_GROUP_2: [u8; 128] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2, 0x21, 0x68, 0xc2, 0x34,
    0xc4, 0xc6, 0x62, 0x8b, 0x80, 0xdc, 0x1c, 0xd1, 0x29, 0x02, 0x4e, 0x08, 0x8a, 0x67, 0xcc, 0x74,
    0x02, 0x0b, 0xbe, 0xa6, 0x3b, 0x13, 0x9b, 0x22, 0x51, 0x4a, 0x08, 0x79, 0x8e, 0x34, 0x04, 0xdd,
    0xef, 0x95, 0x19, 0xb3, 0xcd, 0x3a, 0x43, 0x1b, 0x30, 0x2b, 0x0a, 0x6d, 0xf2, 0x5f, 0x14, 0x37,
    0x4f, 0xe1, 0x35, 0x6d, 0x6d, 0x51, 0xc2, 0x45, 0xe4, 0x85, 0xb5, 0x76, 0x62, 0x5e, 0x7e, 0xc6,
    0xf4, 0x4c, 0x42, 0xe9, 0xa6, 0x37, 0xed, 0x6b, 0x0b, 0xff, 0x5c, 0xb6, 0xf4, 0x06, 0xb7, 0xed,
    0xee, 0x38, 0x6b, 0xfb, 0x5a, 0x89, 0x9f, 0xa5, 0xae, 0x9f, 0x24, 0x11, 0x7c, 0x4b, 0x1f, 0xe6,
    0x49, 0x28, 0x66, 0x51, 0xec, 0xe6, 0x53, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_1024_bit_dh_prime_is_logjam() {
    let (r, _) = scan_flawed(Flaws {
        dhe_prime: Some(&OAKLEY_GROUP_2),
        ..Flaws::default()
    })
    .await;
    assert_eq!(r.dh_min_bits, Some(1024));
    assert!(
        r.weaknesses.logjam && !r.weaknesses.freak,
        "{:?}",
        r.weaknesses
    );
    assert_eq!(
        r.weaknesses.dh_shared_prime.as_deref(),
        Some("RFC 2409 Oakley group 2 (1024 bit)")
    );
    assert!(known_weaknesses(&r).contains("Logjam"));
    assert!(
        r.grade.caps.iter().any(|c| c.contains("logjam")),
        "{:?}",
        r.grade
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robot_oracle_with_distinguishable_alerts() {
    let (cert, key) = rsa_cert_and_key();
    let (r, connections) = scan_flawed_with(
        cert,
        Flaws {
            robot_oracle: Some(key),
            ..Flaws::default()
        },
    )
    .await;
    let robot = r.weaknesses.robot.as_ref().expect("tested");
    assert_eq!(robot.vulnerable, Some(true), "{}", robot.evidence);
    // The oracle checks only the 0x00 0x02 prefix, as the original Bleichenbacher one did: the
    // wrong first bytes got handshake_failure at once, everything else bad_record_mac.
    assert!(
        robot.evidence.contains("well-formed: alert 2/20")
            && robot.evidence.contains("(0x4117): alert 2/40")
            && robot.evidence.contains("no 0x00 separator: alert 2/20"),
        "{}",
        robot.evidence
    );
    assert_eq!(r.grade.letter_if_trusted, "F", "{:?}", r.grade);
    assert!(known_weaknesses(&r).contains("ROBOT"));
    assert!(
        r.grade.caps.contains(&"robot:F".to_string()),
        "{:?}",
        r.grade
    );
    assert_eq!(r.probe_handshakes.get("robot"), Some(&10), "confirmed once");
    assert_eq!(connections, r.handshakes as usize + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robot_uniform_reactions_are_not_an_oracle() {
    // The same RSA certificate without the oracle: one alert for every variant, five hellos.
    let (cert, _key) = rsa_cert_and_key();
    let (with_probe, _) = scan_flawed_with(cert, Flaws::default()).await;
    let robot = with_probe.weaknesses.robot.as_ref().expect("tested");
    assert_eq!(robot.vulnerable, Some(false), "{}", robot.evidence);
    assert!(
        robot.evidence.contains("same reaction"),
        "{}",
        robot.evidence
    );
}

async fn scan_with_drown_port(tls_cert: Vec<u8>, sslv2_cert: Vec<u8>) -> kawal_tls::TlsReport {
    let tls = scripted_server(tls_cert, Flaws::default()).await;
    let v2 = sslv2_server(sslv2_cert).await;
    let t = Target {
        host: "localhost".into(),
        port: tls.port(),
        sni: None,
        ip: Some(tls.ip()),
    };
    let opts = ScanOptions {
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_millis(800),
        drown_ports: vec![v2.port(), tls.port()],
        ..ScanOptions::default()
    };
    scan(&t, &opts).await.expect("scan")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drown_sslv2_elsewhere_with_the_same_rsa_key() {
    let (cert, _key) = rsa_cert_and_key();
    let r = scan_with_drown_port(cert.clone(), cert).await;
    assert_eq!(
        r.protocol(Version::Ssl2).map(|p| p.status),
        Some(SupportStatus::NotSupported),
        "no SSL 2.0 on the scanned port itself"
    );
    let d = r.weaknesses.drown.as_ref().expect("judged");
    assert_eq!(d.vulnerable, Some(true), "{}", d.evidence);
    assert!(d.evidence.contains("same RSA key"), "{}", d.evidence);
    assert_eq!(
        r.probe_handshakes.get("drown"),
        Some(&1),
        "the scanned port is not asked twice"
    );
    assert!(
        r.grade.caps.contains(&"drown:F".to_string()),
        "{:?}",
        r.grade
    );
    assert!(known_weaknesses(&r).contains("DROWN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drown_sslv2_elsewhere_with_another_key_is_not_drown() {
    let (cert, _key) = rsa_cert_and_key();
    let (other, _key) = rsa_cert_and_key();
    let r = scan_with_drown_port(cert, other).await;
    let d = r.weaknesses.drown.as_ref().expect("judged");
    assert_eq!(d.vulnerable, Some(false), "{}", d.evidence);
    assert!(d.evidence.contains("1 other port"), "{}", d.evidence);
}
