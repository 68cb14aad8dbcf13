//! Fuzzes every parser that sees bytes from the network: see `entries::server_flight`.
#![no_main]

#[path = "../common/entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::server_flight(data));
