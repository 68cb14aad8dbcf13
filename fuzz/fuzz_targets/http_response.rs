//! Fuzz target: see `entries::http_response`.
#![no_main]

#[allow(dead_code)]
#[path = "../common/entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::http_response(data));
