//! Fuzz target: see `entries::config_toml`.
#![no_main]

#[allow(dead_code)]
#[path = "../common/entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::config_toml(data));
