//! Fuzz target: see `entries::checklist_toml`.
#![no_main]

#[allow(dead_code)]
#[path = "../common/entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::checklist_toml(data));
