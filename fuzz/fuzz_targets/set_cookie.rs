//! Fuzz target: see `entries::set_cookie`.
#![no_main]

#[allow(dead_code)]
#[path = "../common/entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::set_cookie(data));
