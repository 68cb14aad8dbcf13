//! Fuzz target: see `entries::url_normalise`.
#![no_main]

#[allow(dead_code)]
#[path = "../common/entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::url_normalise(data));
