//! Fuzzes every parser that sees bytes from the network.
#![no_main]

use kawal_tls::wire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wire::analyze_response(data, |c| Some(c & 1 == 0));
    let _ = wire::analyze_response(data, |_| None);
    let _ = wire::parse_sslv2_server_hello(data);
    let _ = wire::parse_server_hello(data);
    let _ = wire::parse_certificate_list(data);
    let _ = wire::parse_server_key_exchange(data, true);
    let _ = wire::parse_server_key_exchange(data, false);
    let _ = wire::parse_record(data);
});
