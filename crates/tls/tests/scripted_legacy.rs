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
    for word in ["POODLE", "BEAST", "SWEET32", "CRIME", "Heartbleed"] {
        assert!(
            known.summary_en.contains(word),
            "{word}: {}",
            known.summary_en
        );
    }
}
