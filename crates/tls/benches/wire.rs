//! Throughput of the pure wire code: ClientHello building and server-flight parsing.

use kawal_tls::enumerate::{HelloParams, build_hello, ske_kind};
use kawal_tls::suites;
use kawal_tls::wire::{self, Version};

fn main() {
    divan::main();
}

/// A full TLS 1.2 hello offering every suite in the table.
#[divan::bench]
fn build_tls12_hello_all_suites(b: divan::Bencher) {
    let offer = suites::offer_list(Version::Tls12);
    let params = HelloParams {
        sni: Some("pemda.example.go.id".into()),
        ..Default::default()
    };
    b.bench(|| build_hello(Version::Tls12, divan::black_box(&offer), &params));
}

/// A TLS 1.3 hello with key share.
#[divan::bench]
fn build_tls13_hello(b: divan::Bencher) {
    let offer = suites::offer_list(Version::Tls13);
    let params = HelloParams::default();
    b.bench(|| build_hello(Version::Tls13, divan::black_box(&offer), &params));
}

/// ServerHello + Certificate (2 KiB) + ServerKeyExchange + ServerHelloDone.
fn sample_flight() -> Vec<u8> {
    let mut sh = vec![0x03, 0x03];
    sh.extend_from_slice(&[0x11; 32]);
    sh.extend_from_slice(&[0, 0xC0, 0x2F, 0, 0, 5, 0xFF, 0x01, 0, 1, 0]);
    let mut hs = vec![wire::HS_SERVER_HELLO, 0, 0, sh.len() as u8];
    hs.extend_from_slice(&sh);
    let cert = vec![0x30; 2048];
    let list_len = cert.len() + 3;
    hs.extend_from_slice(&[
        wire::HS_CERTIFICATE,
        0,
        ((list_len + 3) >> 8) as u8,
        (list_len + 3) as u8,
    ]);
    hs.extend_from_slice(&[
        0,
        (list_len >> 8) as u8,
        list_len as u8,
        0,
        (cert.len() >> 8) as u8,
        cert.len() as u8,
    ]);
    hs.extend_from_slice(&cert);
    hs.extend_from_slice(&[wire::HS_SERVER_KEY_EXCHANGE, 0, 0, 4, 3, 0, 0x1d, 0]);
    hs.extend_from_slice(&[wire::HS_SERVER_HELLO_DONE, 0, 0, 0]);
    let mut rec = vec![
        wire::CT_HANDSHAKE,
        3,
        3,
        (hs.len() >> 8) as u8,
        hs.len() as u8,
    ];
    rec.extend_from_slice(&hs);
    rec
}

/// Parse a complete TLS 1.2 server flight.
#[divan::bench]
fn parse_server_flight(b: divan::Bencher) {
    let flight = sample_flight();
    assert!(matches!(
        wire::analyze_response(&flight, ske_kind),
        Ok(wire::Progress::Done(_))
    ));
    b.bench(|| wire::analyze_response(divan::black_box(&flight), ske_kind));
}
