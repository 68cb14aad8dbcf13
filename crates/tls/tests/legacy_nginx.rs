//! Scan of a legacy nginx (Debian package nginx-light) on loopback; accepted suites must equal nginx's configuration.

mod common;

use common::*;
use kawal_tls::report::SupportStatus;
use kawal_tls::wire::Version;
use kawal_tls::{ScanOptions, Status, checklist_outcomes, scan};
use std::time::{Duration, Instant};

/// TLS 1.0–1.2 with CBC, non-forward-secret RSA key exchange, DHE, Camellia and 3DES (when the OpenSSL build has it).
const CIPHERS: &str = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-SHA:AES128-GCM-SHA256:AES128-SHA:AES256-SHA256:CAMELLIA128-SHA:DES-CBC3-SHA:@SECLEVEL=0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_nginx_matches_configuration() {
    let ngx = start_nginx("TLSv1 TLSv1.1 TLSv1.2", CIPHERS);
    let (t, connections) = relayed_target(ngx.addr).await;
    let opts = ScanOptions {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        max_concurrency: 16,
        extra_ca_pem: None,
        pacer: None,
        drown_ports: Vec::new(),
    };
    let start = Instant::now();
    let r = scan(&t, &opts).await.expect("scan");
    eprintln!(
        "legacy nginx full scan: {:?} wall, {} handshakes",
        start.elapsed(),
        r.handshakes
    );
    // What the server saw is what the report counts (plus the reachability connect), within the
    // legacy budget of 1.2 x accepted suites + 1 per protocol version. Listing every TLS 1.2
    // curve (OpenSSL picks them in its own order here, so each one past the first costs a
    // hello) is counted with the signature schemes, among the probes.
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        r.handshakes as usize + 1
    );
    let accepted = r.accepted().count() as f64;
    // The probes beyond enumeration have their own budgets: session resumption one full
    // handshake with tickets and one hello per mechanism, client renegotiation one (whose
    // handshake also gives the session id), ROBOT five (ten only when the reactions differ),
    // less one for each TLS 1.2 RSA key-exchange answer of suite enumeration, which carried a
    // premaster variant.
    let reneg = r
        .weaknesses
        .client_renegotiation
        .as_ref()
        .expect("renegotiation tested");
    assert_eq!(reneg.vulnerable, Some(false), "{}", reneg.evidence);
    let robot = r.weaknesses.robot.as_ref().expect("ROBOT tested");
    assert_eq!(robot.vulnerable, Some(false), "{}", robot.evidence);
    let cost = |p: &str| r.probe_handshakes.get(p).copied().unwrap_or(0);
    assert!(cost("resumption") <= 3 && cost("client_renegotiation") == 1);
    let rsa_kx12 = r.protocol(Version::Tls12).map_or(0, |p| {
        p.suites
            .iter()
            .filter(|s| s.kx == kawal_tls::suites::Kx::Rsa)
            .count()
    });
    assert!(
        rsa_kx12 >= 4,
        "{rsa_kx12} RSA key-exchange suites in TLS 1.2"
    );
    assert_eq!(
        cost("robot") as usize,
        5 - rsa_kx12.min(5),
        "uniform reactions need one round, most of it sent during enumeration"
    );
    assert!(
        robot.evidence.contains("sent on suite enumeration"),
        "{}",
        robot.evidence
    );
    let probes: u32 = r.probe_handshakes.values().sum();
    assert!(
        f64::from(r.handshakes - probes) <= 1.2 * accepted + 6.0,
        "{} handshakes ({probes} for the probes) for {accepted} suites",
        r.handshakes
    );
    let hb = r.weaknesses.heartbleed.as_ref().expect("heartbleed tested");
    assert_eq!(hb.vulnerable, Some(false), "{}", hb.evidence);
    let ccs = r.weaknesses.ccs_injection.as_ref().expect("ccs tested");
    assert_eq!(ccs.vulnerable, Some(false), "{}", ccs.evidence);
    let status = |v| r.protocol(v).map(|p| p.status);
    assert_eq!(status(Version::Ssl2), Some(SupportStatus::NotSupported));
    assert_eq!(status(Version::Ssl3), Some(SupportStatus::NotSupported));
    assert_eq!(status(Version::Tls13), Some(SupportStatus::NotSupported));
    let mut has_3des = false;
    for (v, flag) in [
        (Version::Tls10, "-tls1"),
        (Version::Tls11, "-tls1_1"),
        (Version::Tls12, "-tls1_2"),
    ] {
        let want: Vec<String> = openssl_suites(flag, CIPHERS)
            .into_iter()
            .map(|c| format!("0x{c:04x}"))
            .collect();
        has_3des |= want.iter().any(|c| c == "0x000a");
        let p = r.protocol(v).expect("protocol");
        assert_eq!(p.status, SupportStatus::Supported, "{v:?}");
        let got: Vec<String> = p.suites.iter().map(|s| s.code.clone()).collect();
        // Server preference is on, so even the order must match OpenSSL's.
        assert_eq!(got, want, "{v:?} accepted suites");
        assert_eq!(p.server_preference, Some(true), "{v:?}");
    }
    if !has_3des {
        eprintln!("note: this OpenSSL build has no 3DES, so DES-CBC3-SHA is not served");
    }
    let w = &r.weaknesses;
    assert!(w.beast && w.partial_forward_secrecy && !w.no_forward_secrecy && !w.no_aead);
    assert_eq!(w.sweet32, has_3des);
    assert_eq!(w.secure_renegotiation, Some(true));
    assert_eq!(w.fallback_scsv, Some(true));
    assert_eq!(w.crime_compression, Some(false));
    assert_eq!(r.dh_min_bits, Some(2048));
    // ffdhe2048 is shared by design (RFC 7919) and large enough: named, not Logjam.
    assert_eq!(w.dh_shared_prime.as_deref(), Some("RFC 7919 ffdhe2048"));
    assert!(!w.logjam && !w.freak);
    let tls12_groups: Vec<&str> = r
        .groups
        .iter()
        .filter(|g| g.versions.contains(&Version::Tls12))
        .map(|g| g.name.as_str())
        .collect();
    for g in ["x25519", "secp256r1", "secp384r1"] {
        assert!(
            tls12_groups.contains(&g),
            "{g} missing from {tls12_groups:?}"
        );
    }
    let c = r.certificate.as_ref().expect("certificate");
    assert!(c.self_signed && c.hostname_match && c.chain[0].key_bits == 2048);
    assert_eq!(r.grade.letter, "T");
    assert_eq!(r.grade.letter_if_trusted, if has_3des { "C" } else { "B" });
    assert_eq!(r.mozilla_profile, kawal_tls::report::MozillaProfile::Old);
    for item in checklist_outcomes(&r) {
        assert_eq!(
            item.status,
            Status::Fail,
            "{}: {}",
            item.item_id,
            item.summary_en
        );
    }
}
