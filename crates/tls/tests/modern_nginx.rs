//! Scan of a modern nginx (Mozilla "intermediate" settings) behind a connection-counting relay: the
//! handshake budget, groups per version, and the non-vulnerable answer of every probe from a real
//! OpenSSL.

mod common;

use common::*;
use kawal_tls::report::SupportStatus;
use kawal_tls::wire::Version;
use std::collections::BTreeSet;

/// Mozilla's intermediate TLS 1.2 suites (the RSA-certificate half applies here).
const CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
const EXTRA: &str = "ssl_prefer_server_ciphers off; ssl_ecdh_curve X25519:prime256v1:secp384r1;";

fn names(r: &kawal_tls::TlsReport, v: Version) -> BTreeSet<String> {
    r.groups
        .iter()
        .filter(|g| g.versions.contains(&v))
        .map(|g| g.name.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modern_nginx_in_few_handshakes_and_not_vulnerable() {
    let ngx = start_nginx_with("TLSv1.2 TLSv1.3", CIPHERS, EXTRA);
    let (r, connections) = scan_counted(ngx.addr).await;
    let accepted = r.accepted().count();
    eprintln!(
        "modern nginx: {} ms, {} handshakes for {accepted} accepted suites",
        r.duration_ms, r.handshakes
    );
    // Every handshake is a connection the server saw; the one extra is the reachability check.
    assert_eq!(connections, r.handshakes as usize + 1);
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["handshakes"].as_u64(), Some(u64::from(r.handshakes)));

    let want12: BTreeSet<String> = openssl_suites("-tls1_2", CIPHERS)
        .into_iter()
        .filter(|c| {
            (0xc02f..=0xc030).contains(c) || *c == 0xcca8 || (c >> 8) == 0x00 || *c == 0xccaa
        })
        .map(|c| format!("0x{c:04x}"))
        .collect();
    let got12: BTreeSet<String> = r
        .protocol(Version::Tls12)
        .map(|p| p.suites.iter().map(|s| s.code.clone()).collect())
        .unwrap_or_default();
    assert_eq!(got12, want12);
    assert_eq!(accepted, want12.len() + 3, "three TLS 1.3 suites");
    for v in [Version::Ssl2, Version::Ssl3, Version::Tls10, Version::Tls11] {
        assert_eq!(
            r.protocol(v).map(|p| p.status),
            Some(SupportStatus::NotSupported)
        );
    }
    for v in [Version::Tls12, Version::Tls13] {
        let p = r.protocol(v).expect("protocol");
        assert_eq!(p.status, SupportStatus::Supported);
        assert_eq!(p.server_preference, Some(false), "{v:?}: client order");
        let want: BTreeSet<String> = ["x25519", "secp256r1", "secp384r1"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(names(&r, v), want, "{v:?} groups");
    }
    // Budget: 9 accepted suites + 2 refusals; SSL 2.0 and TLS 1.1 (which settles SSL 3.0 and
    // TLS 1.0); the TLS 1.2 group refusal; TLS 1.3 groups, which OpenSSL names in its own order
    // (2 more + 1 refusal, the first doubling as the preference test); the fallback hello; one
    // hello for TLS 1.2 preference, compression, Heartbleed and CCS injection. Before: 30.
    // Session resumption comes on top (one full handshake with tickets and one hello per
    // mechanism; the full handshake without tickets is the renegotiation probe's one).
    let resumption = r
        .capabilities
        .resumption
        .as_ref()
        .expect("resumption probed");
    assert_eq!(resumption.handshakes, 3, "{resumption:?}");
    // Signature schemes per protocol, as OpenSSL 3 signs with an RSA key: PSS and PKCS#1 v1.5
    // (SHA-224 up) in TLS 1.2, PSS only in TLS 1.3.
    let sig = |v: Version| -> BTreeSet<String> {
        r.capabilities
            .signature_algorithms
            .iter()
            .find(|s| s.version == v)
            .map(|s| s.accepted.iter().cloned().collect())
            .unwrap_or_default()
    };
    let set = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        sig(Version::Tls12),
        set(&[
            "rsa_pss_rsae_sha256",
            "rsa_pss_rsae_sha384",
            "rsa_pss_rsae_sha512",
            "rsa_pkcs1_sha256",
            "rsa_pkcs1_sha384",
            "rsa_pkcs1_sha512",
            "rsa_sha224"
        ])
    );
    assert_eq!(
        sig(Version::Tls13),
        set(&[
            "rsa_pss_rsae_sha256",
            "rsa_pss_rsae_sha384",
            "rsa_pss_rsae_sha512"
        ])
    );
    // nginx follows the client's order here, and suite enumeration offers unseen schemes
    // first, so its six signed answers showed six schemes: one hello finds the seventh (the
    // curves offered beside it are all new and refused, so it lands on a DHE suite), one more
    // refused with a DHE suite offered closes the schemes, one closes the curves. Before: 7.
    assert_eq!(
        r.probe_handshakes.get("signature_algorithms_tls12"),
        Some(&3)
    );
    assert_eq!(
        r.probe_handshakes.get("signature_algorithms_tls13"),
        Some(&4)
    );
    assert_eq!(r.probe_handshakes.get("resumption"), Some(&3));
    assert_eq!(r.probe_handshakes.get("client_renegotiation"), Some(&1));
    assert_eq!(
        r.probe_handshakes.get("robot"),
        None,
        "no RSA key exchange here"
    );
    // Protocols, suites, preference and the checks riding on them: one hello per accepted
    // suite and one refusal per version (9 + 2), SSL 2.0 and TLS 1.1, the fallback hello, and
    // the two preference tests a server following the client's order needs (its picks cannot
    // prove it). The capability lists (every group and signature scheme, resumption,
    // renegotiation) are counted apart, per probe.
    let enumeration = r.enumeration_handshakes();
    eprintln!("enumeration {enumeration}, probes {:?}", r.probe_handshakes);
    assert_eq!(enumeration, 16, "of {} handshakes", r.handshakes);
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::Id);
    assert!(
        table.contains(&format!(
            "{} handshake (enumerasi 16, probe dan daftar kapabilitas {})",
            r.handshakes,
            r.handshakes - 16
        )),
        "{table}"
    );

    let w = &r.weaknesses;
    assert_eq!(w.crime_compression, Some(false));
    assert_eq!(w.fallback_scsv, Some(true));
    assert_eq!(w.secure_renegotiation, Some(true));
    let reneg = w
        .client_renegotiation
        .as_ref()
        .expect("renegotiation tested");
    assert_eq!(reneg.vulnerable, Some(false), "{}", reneg.evidence);
    let hb = w.heartbleed.as_ref().expect("heartbleed tested");
    assert_eq!(hb.vulnerable, Some(false), "{}", hb.evidence);
    let ccs = w.ccs_injection.as_ref().expect("ccs tested");
    assert_eq!(ccs.vulnerable, Some(false), "{}", ccs.evidence);
    assert!(ccs.evidence.contains("rejected"), "{}", ccs.evidence);
    assert_eq!(
        r.certificate.as_ref().map(|c| c.source.as_str()),
        Some("raw_handshake")
    );

    // Capabilities from the same hello: nginx without http2 picks http/1.1; tickets are on by default.
    assert_eq!(r.capabilities.tested_on, Some(Version::Tls12));
    assert_eq!(r.capabilities.alpn.as_deref(), Some("http/1.1"));
    assert_eq!(r.capabilities.session_tickets, Some(true));
    // Client simulation from the findings: current browsers get TLS 1.3, Java 7 cannot connect.
    let sim = |name: &str| {
        r.clients
            .iter()
            .find(|c| c.client.starts_with(name))
            .unwrap_or_else(|| panic!("{name} simulated"))
    };
    assert_eq!(sim("Chrome").protocol, Some(Version::Tls13));
    assert_eq!(sim("Chrome").group.as_deref(), Some("x25519"));
    assert_eq!(sim("Android 8").protocol, Some(Version::Tls12));
    assert_eq!(
        sim("Android 8").suite.as_deref(),
        Some("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        "client order: Android 8 offers ChaCha20 first"
    );
    assert_eq!(sim("Java 7").protocol, None);
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::En);
    assert!(
        table.contains("CLIENT SIMULATION") && table.contains("http/1.1"),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls13_groups_in_the_servers_own_order_are_all_found() {
    // Server order for groups: after one answer with a known group, only unseen groups are
    // offered, so every suite hello also reveals a group, and the refusal that follows (suites or
    // groups may have run out) is settled by the next hellos.
    let groups = "X25519:prime256v1:secp384r1:ffdhe2048:ffdhe3072";
    let extra = format!("ssl_prefer_server_ciphers on; ssl_ecdh_curve {groups};");
    let ngx = start_nginx_with("TLSv1.3", CIPHERS, &extra);
    let (r, connections) = scan_counted(ngx.addr).await;
    assert_eq!(connections, r.handshakes as usize + 1);
    let want: BTreeSet<String> = ["x25519", "secp256r1", "secp384r1", "ffdhe2048", "ffdhe3072"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(names(&r, Version::Tls13), want);
    let p = r.protocol(Version::Tls13).expect("TLS 1.3");
    assert_eq!(p.suites.len(), 3, "{:?}", p.suites);
    assert_eq!(p.server_preference, Some(true));
}

/// The budget: a modern server with about ten suites that keeps its own order is
/// enumerated in at most 15 hellos (its picks prove the order, so no preference test is spent).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_ordered_modern_nginx_is_enumerated_in_fifteen_hellos() {
    let extra = "ssl_prefer_server_ciphers on; ssl_ecdh_curve X25519:prime256v1:secp384r1;";
    let ngx = start_nginx_with("TLSv1.2 TLSv1.3", CIPHERS, extra);
    let (r, connections) = scan_counted(ngx.addr).await;
    assert_eq!(connections, r.handshakes as usize + 1);
    let accepted = r.accepted().count();
    let enumeration = r.enumeration_handshakes();
    eprintln!(
        "{accepted} suites: enumeration {enumeration}, probes {:?}",
        r.probe_handshakes
    );
    assert_eq!(
        accepted, 9,
        "six TLS 1.2 suites for an RSA key, three TLS 1.3"
    );
    for v in [Version::Tls12, Version::Tls13] {
        let p = r.protocol(v).expect("protocol");
        assert_eq!(p.server_preference, Some(true), "{v:?}");
    }
    assert!(enumeration <= 15, "{enumeration} of {}", r.handshakes);
}
