//! The TLS fuzz target's entry: every parser that sees bytes a server sends during a handshake.
//! The fuzz target and the corpus replay test (`tests/fuzz_corpus.rs`) both include this file.

use kawal_tls::wire;

/// One server flight through every wire parser.
pub fn server_flight(data: &[u8]) {
    let _ = wire::analyze_response(data, |c| Some(c & 1 == 0));
    let _ = wire::analyze_response(data, |_| None);
    let _ = wire::parse_sslv2_server_hello(data);
    let _ = wire::parse_server_hello(data);
    let _ = wire::parse_certificate_list(data);
    let _ = wire::parse_server_key_exchange(data, true);
    let _ = wire::parse_server_key_exchange(data, false);
    let _ = wire::parse_record(data);
}
