//! Examples, fixtures and tests name only reserved or fictional hosts (`.example`, `.invalid`,
//! `.test`, `localhost`, `example.go.id`), so nothing in the project points at a real third party.

use regex::Regex;
use std::path::{Path, PathBuf};

/// Where examples, fixtures and tests live (the CI scripts, which do fetch tools, are not here).
const ROOTS: &[&str] = &[
    "checklists",
    "fixtures",
    "tests",
    "src",
    "crates",
    "benches",
    "bench",
    "reports",
    "README.md",
    "ARCHITECTURE.md",
];

/// Identifiers that look like hosts but are never contacted: XML namespaces (among them the
/// PDF/UA identification schema that PDF/A-2 files must declare) and the SARIF schema URI the
/// SARIF standard requires in `$schema`.
const NOT_CONTACTED: &[&str] = &[
    "www.w3.org",
    "www.aiim.org",
    "www.sitemaps.org",
    "xmlns.jcp.org",
    "json.schemastore.org",
];

fn reserved(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    let tld_reserved = ["example", "invalid", "test", "localhost"]
        .iter()
        .any(|t| h == *t || h.ends_with(&format!(".{t}")));
    let example_domain = ["example.com", "example.org", "example.net", "example.go.id"]
        .iter()
        .any(|d| h == *d || h.ends_with(&format!(".{d}")));
    tld_reserved || example_domain || is_private_ip(&h) || NOT_CONTACTED.contains(&h.as_str())
}

fn is_private_ip(h: &str) -> bool {
    let h = h.trim_start_matches('[').trim_end_matches(']');
    match h.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_unspecified()
                || (o[0], o[1], o[2]) == (192, 0, 2)
                || (o[0], o[1], o[2]) == (198, 51, 100)
                || (o[0], o[1], o[2]) == (203, 0, 113)
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.is_loopback() || v6.is_unspecified(),
        Err(_) => false,
    }
}

fn files(root: &Path, out: &mut Vec<PathBuf>) {
    if root.is_file() {
        out.push(root.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // This file names real hosts on purpose, to prove the scanner finds them.
        let this_test = p.ends_with("tests/reserved_names.rs");
        if name == "target" || name.starts_with("LICENSE") || name.starts_with('.') || this_test {
            continue;
        }
        files(&p, out);
    }
}

/// Every (file:line, host) in the project's examples that is not reserved.
fn offenders(base: &Path) -> Vec<String> {
    // A host after a scheme, an e-mail domain, or any name under the real .go.id zone.
    let url = Regex::new(r"(?i)\b[a-z][a-z0-9+.-]*://(?:[^/\s@]+@)?(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)")
        .expect("regex");
    let mail = Regex::new(r"(?i)\b[a-z0-9._%+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})\b")
        .expect("regex");
    let gov = Regex::new(r"(?i)(?:^|[^a-z0-9_.-])((?:[a-z0-9-]+\.)+go\.id)\b").expect("regex");
    let mut all = Vec::new();
    for r in ROOTS {
        files(&base.join(r), &mut all);
    }
    let mut bad = Vec::new();
    for f in all {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue; // binary (fonts, images)
        };
        // Citations in data files (`sources = [ … ]`) name where knowledge comes from; they are
        // documentation, never examples and never contacted.
        let mut in_sources = false;
        for (n, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("sources = [") || t.starts_with("sources=[") {
                in_sources = !t.trim_end().ends_with(']');
                continue;
            }
            if in_sources {
                in_sources = !t.starts_with(']');
                continue;
            }
            let hosts = url
                .captures_iter(line)
                .chain(mail.captures_iter(line))
                .chain(gov.captures_iter(line))
                .filter_map(|c| c.get(1).map(|m| m.as_str().to_ascii_lowercase()))
                .collect::<std::collections::BTreeSet<_>>();
            for h in hosts {
                // Templates and format strings (`{host}`, `HOST`) are not names.
                if !h.contains('.') || !h.chars().any(|c| c.is_ascii_alphanumeric()) {
                    continue;
                }
                if !reserved(&h) {
                    let rel = f.strip_prefix(base).unwrap_or(&f);
                    bad.push(format!("{}:{}: {h}", rel.display(), n + 1));
                }
            }
        }
    }
    bad
}

#[test]
fn examples_fixtures_and_tests_name_only_reserved_hosts() {
    let bad = offenders(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        bad.is_empty(),
        "real host names in examples (use .example, .invalid or example.go.id):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scanner_finds_real_hosts_and_spares_reserved_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("checklists")).expect("mkdir");
    std::fs::write(
        dir.path().join("checklists/x.toml"),
        "a = \"registry=https://registry.npmjs.org/\"\nb = \"https://simpeg.kab.go.id/x\"\nc = \"ops@pemda.go.id\"\nd = \"https://simpeg.example.go.id http://127.0.0.1:8080 https://x.invalid u@kawal.example\"\n",
    )
    .expect("write");
    let bad = offenders(dir.path());
    assert_eq!(bad.len(), 3, "{bad:?}");
    assert!(bad[0].ends_with("registry.npmjs.org"), "{bad:?}");
    assert!(bad.iter().any(|b| b.ends_with(": pemda.go.id")), "{bad:?}");
}
