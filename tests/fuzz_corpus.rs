//! Replays every committed fuzz input (seeds and crash reproducers) through the same entry
//! functions the fuzz targets call, on the stable toolchain: a parser change that brings back a
//! fixed crash, or breaks an invariant the entries assert, fails here without `cargo fuzz`.

#[allow(dead_code)]
#[path = "../fuzz/common/entries.rs"]
mod entries;

#[allow(dead_code)]
#[path = "../crates/tls/fuzz/common/entries.rs"]
mod tls_entries;

use std::path::{Path, PathBuf};

/// Runs `entry` on every file of `dir`, naming the input that panicked.
fn replay(dir: &str, entry: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "{}: a corpus of {} inputs",
        root.display(),
        files.len()
    );
    let mut failed = Vec::new();
    for f in &files {
        let data = std::fs::read(f).expect("corpus file");
        if std::panic::catch_unwind(|| entry(&data)).is_err() {
            failed.push(f.display().to_string());
        }
    }
    assert!(failed.is_empty(), "inputs that panic: {failed:#?}");
}

#[test]
fn set_cookie_corpus() {
    replay("fuzz/corpus/set_cookie", entries::set_cookie);
}

#[test]
fn http_response_corpus() {
    replay("fuzz/corpus/http_response", entries::http_response);
}

#[test]
fn html_extract_corpus() {
    replay("fuzz/corpus/html_extract", entries::html_extract);
}

#[test]
fn url_normalise_corpus() {
    replay("fuzz/corpus/url_normalise", entries::url_normalise);
}

#[test]
fn token_decode_corpus() {
    replay("fuzz/corpus/token_decode", entries::token_decode);
}

#[test]
fn checklist_toml_corpus() {
    replay("fuzz/corpus/checklist_toml", entries::checklist_toml);
}

#[test]
fn config_toml_corpus() {
    replay("fuzz/corpus/config_toml", entries::config_toml);
}

#[test]
fn server_flight_corpus() {
    replay(
        "crates/tls/fuzz/corpus/server_flight",
        tls_entries::server_flight,
    );
}

/// The seeds are real files: the project's own data files must load, so the checklist corpus
/// exercises the validators and not only the TOML syntax errors.
#[test]
fn checklist_seeds_are_valid_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/checklist_toml");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("seed");
    kawal::checklist::Checklist::parse("seed", &read("checklist-excerpt.toml"))
        .expect("checklist excerpt");
    kawal::decision::Policy::parse("seed", &read("policy.toml")).expect("policy");
    kawal::workflow::Sop::parse("seed", &read("sop-akses.toml")).expect("SOP");
    kawal::letter::Template::parse("seed", &read("letters-nda.toml")).expect("letter");
    kawal_access::wordlist::parse(&read("wordlist-excerpt.toml"), "seed").expect("wordlist");
    kawal::checks::errors::signatures::Signatures::parse(
        &read("signatures-errors-excerpt.toml"),
        kawal::checks::errors::ITEMS,
    )
    .expect("signatures");
}
