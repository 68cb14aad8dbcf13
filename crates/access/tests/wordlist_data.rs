//! The shipped forced-browsing wordlist, read from disk: every entry accepts its own example and
//! rejects the pages sites answer for paths they do not have (soft-404 pages of several stacks,
//! single-page-application index files), with every status the entry allows.

use kawal_access::Observed;
use kawal_access::wordlist::{self, Category, Severity, Wordlist, check};
use std::collections::HashSet;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../checklists/wordlists/forced-browsing.toml"
);

fn load() -> Wordlist {
    let text = std::fs::read_to_string(FILE).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    assert_eq!(
        text,
        wordlist::DEFAULT,
        "the built-in copy is the file on disk"
    );
    wordlist::parse(&text, FILE).unwrap_or_else(|e| panic!("{e}"))
}

/// A WordPress theme's 404 page served with status 200, echoing the path.
const WORDPRESS_404: &str = r#"<!doctype html>
<html lang="id-ID"><head><meta charset="UTF-8"><title>Halaman tidak ditemukan &#8211; Portal Resmi Kabupaten Contoh</title>
<link rel='stylesheet' id='wp-block-library-css' href='https://www.kab.example.go.id/wp-includes/css/dist/block-library/style.min.css?ver=6.5.2' media='all' />
<link rel="https://api.wordpress.example/" href="https://www.kab.example.go.id/wp-json/" /><link rel="EditURI" type="application/rsd+xml" title="RSD" href="https://www.kab.example.go.id/xmlrpc.php?rsd" />
<script src="https://www.kab.example.go.id/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
<meta name="generator" content="WordPress 6.5.2" /></head>
<body class="error404 hfeed"><header id="masthead" class="site-header"><nav id="site-navigation" class="main-navigation">
<ul><li><a href="/">Beranda</a></li><li><a href="/profil/">Profil</a></li><li><a href="/ppid/">PPID</a></li><li><a href="/wp-login.php">Masuk</a></li></ul></nav></header>
<main id="main" class="site-main"><section class="error-404 not-found"><header class="page-header"><h1 class="page-title">Tidak ada apa-apa di sini</h1></header>
<div class="page-content"><p>Sepertinya tidak ada yang ditemukan di {path}. Mungkin coba pencarian?</p>
<form role="search" method="get" class="search-form" action="https://www.kab.example.go.id/"><input type="search" class="search-field" name="s"><input type="submit" class="search-submit" value="Cari"></form></div></section></main>
<footer id="colophon" class="site-footer">Dinas Komunikasi dan Informatika &middot; Bangga menggunakan WordPress</footer></body></html>"#;

/// Laravel's stock 404 view, served with 200 by a catch-all route.
const LARAVEL_404: &str = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not Found</title>
<style>html{line-height:1.15}body{margin:0}</style></head><body class="antialiased"><div class="relative flex items-top justify-center min-h-screen">
<div class="max-w-xl mx-auto sm:px-6 lg:px-8"><div class="flex items-center pt-8 sm:justify-start sm:pt-0"><div class="px-4 text-lg text-gray-500 border-r border-gray-400 tracking-wider">404</div>
<div class="ml-4 text-lg text-gray-500 uppercase tracking-wider">Not Found</div></div></div></div></body></html>"#;

/// Express's default answer, echoing the path.
const EXPRESS_404: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><pre>Cannot GET {path}</pre></body></html>"#;

/// Django's debug 404, which lists URL patterns and echoes the request.
const DJANGO_DEBUG_404: &str = r#"<!DOCTYPE html><html lang="en"><head><meta http-equiv="content-type" content="text/html; charset=utf-8"><title>Page not found at {path}</title></head>
<body><div id="summary"><h1>Page not found <span>(404)</span></h1><table class="meta"><tr><th>Request Method:</th><td>GET</td></tr>
<tr><th>Request URL:</th><td>https://layanan.kab.example.go.id{path}</td></tr></table></div><div id="info"><p>Using the URLconf defined in <code>layanan.urls</code>,
Django tried these URL patterns, in this order:</p><ol><li>admin/</li><li>api/</li><li>api-docs/</li><li>static/</li></ol>
<p>The current path, <code>{path}</code>, didn't match any of these.</p></div><div id="explanation"><p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p></div></body></html>"#;

/// Create React App's index.html.
const CRA_INDEX: &str = r#"<!doctype html><html lang="id"><head><meta charset="utf-8"/><link rel="icon" href="/favicon.ico"/><meta name="viewport" content="width=device-width,initial-scale=1"/><title>E-Kinerja</title><script defer="defer" src="/static/js/main.4f2a1c9e.js"></script><link href="/static/css/main.8d3b2a1f.css" rel="stylesheet"></head><body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>"#;

/// An Angular build's index.html.
const ANGULAR_INDEX: &str = r#"<!doctype html>
<html lang="en" data-critters-container><head><meta charset="utf-8"><title>SIMPATIK</title><base href="/"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="styles.6b2f0c1a.css"></head>
<body><app-root></app-root><script src="runtime.1f2e3d4c.js" type="module"></script><script src="polyfills.9a8b7c6d.js" type="module"></script><script src="main.5e4d3c2b.js" type="module"></script></body></html>"#;

const GENERIC: &[&str] = &[
    WORDPRESS_404,
    LARAVEL_404,
    EXPRESS_404,
    DJANGO_DEBUG_404,
    CRA_INDEX,
    ANGULAR_INDEX,
];

/// The path an entry is requested at, placeholders filled from a typical discovered page.
fn sample_path(path: &str) -> String {
    path.replace("{page}", "/layanan/cetak.php")
        .replace("{dir}", "/layanan/")
        .replace("{name}", "cetak.php")
        .replace("{stem}", "cetak")
}

#[test]
fn every_entry_accepts_its_example() {
    let w = load();
    for e in &w.entries {
        let resp = wordlist::example_response(e);
        let ev = check(e, &resp).unwrap_or_else(|| panic!("{}: example rejected", e.path));
        assert!(!ev.matched.is_empty(), "{}", e.path);
        assert!(!ev.excerpt.is_empty(), "{}", e.path);
    }
}

#[test]
fn every_entry_rejects_soft_404_and_spa_pages() {
    let w = load();
    for e in &w.entries {
        let path = sample_path(&e.path);
        let mut types = vec![Some("text/html; charset=UTF-8".to_string()), None];
        types.extend(e.validation.content_type.iter().cloned().map(Some));
        for page in GENERIC {
            for status in &e.validation.status {
                for ct in &types {
                    let resp = Observed {
                        status: *status,
                        location: Some("/".into()),
                        content_type: ct.clone(),
                        body: page.replace("{path}", &path),
                    };
                    assert!(
                        check(e, &resp).is_none(),
                        "{} accepts a generic page with status {status}:\n{}",
                        e.path,
                        &resp.body[..resp.body.len().min(120)]
                    );
                }
            }
        }
    }
}

#[test]
fn texts_are_bilingual_and_severities_follow_policy() {
    let w = load();
    assert!(
        (100..=160).contains(&w.entries.len()),
        "{} entries",
        w.entries.len()
    );
    let mut paths = HashSet::new();
    for e in &w.entries {
        assert!(paths.insert(e.path.as_str()), "duplicate {}", e.path);
        assert_ne!(e.title_id, e.title_en, "{}: untranslated title", e.path);
        assert_ne!(
            e.remediation_id, e.remediation_en,
            "{}: untranslated remediation",
            e.path
        );
        // A login page is not a vulnerability by itself.
        let login_form = e
            .validation
            .regex
            .as_ref()
            .is_some_and(|r| r.as_str().contains("password"))
            && e.category == Category::Admin;
        if login_form {
            assert!(
                e.severity <= Severity::Low,
                "{}: login page rated {:?}",
                e.path,
                e.severity
            );
        }
        // Secrets and dumps are at least high.
        if e.category == Category::Secret {
            assert!(e.severity >= Severity::High, "{}", e.path);
        }
    }
    for required in [
        "/.git/HEAD",
        "/.git/config",
        "/.svn/entries",
        "/.hg/hgrc",
        "/.env",
        "/.env.local",
        "/.env.production",
        "/config.php.bak",
        "/wp-config.php.bak",
        "/wp-config.php~",
        "/wp-config.php.save",
        "/web.config",
        "/.htpasswd",
        "/.htaccess",
        "/id_rsa",
        "/backup.sql",
        "/dump.sql",
        "/db.sql",
        "/backup.zip",
        "/backup.tar.gz",
        "/phpinfo.php",
        "/info.php",
        "/test.php",
        "/server-status",
        "/server-info",
        "/nginx_status",
        "/actuator",
        "/actuator/env",
        "/actuator/heapdump",
        "/actuator/mappings",
        "/actuator/configprops",
        "/phpmyadmin/",
        "/pma/",
        "/adminer.php",
        "/admin/",
        "/administrator/",
        "/wp-admin/",
        "/wp-login.php",
        "/user/login",
        "/elmah.axd",
        "/trace.axd",
        "/_profiler/",
        "/console",
        "/debug/pprof/",
        "/swagger-ui.html",
        "/api-docs",
        "/v2/api-docs",
        "/.DS_Store",
        "/crossdomain.xml",
        "/composer.json",
        "/package.json",
        "/.npmrc",
        "/docker-compose.yml",
        "/Dockerfile",
        "/storage/logs/laravel.log",
        "/laravel.log",
        "/debug.log",
        "/error_log",
        "/wp-content/debug.log",
        "/.aws/credentials",
        "/.vscode/sftp.json",
        "/sftp-config.json",
        "{page}.bak",
        "{page}~",
        "{page}.old",
        "{dir}.{name}.swp",
    ] {
        assert!(paths.contains(required), "missing {required}");
    }
}

#[test]
fn derived_probes_follow_discovered_pages() {
    let w = load();
    let probes = w.expand(&[
        "https://app.kab.example.go.id/layanan/cetak.php?id=3".to_string(),
        "/index.html".to_string(),
    ]);
    let paths: HashSet<&str> = probes.iter().map(|p| p.path.as_str()).collect();
    for want in [
        "/layanan/cetak.php.bak",
        "/layanan/cetak.php~",
        "/layanan/.cetak.php.swp",
        "/layanan/cetak.bak",
        "/.git/HEAD",
    ] {
        assert!(paths.contains(want), "missing {want}");
    }
    // Only pages with a server-side script extension yield derived probes.
    assert!(
        probes
            .iter()
            .all(|p| p.from.as_deref().is_none_or(|f| f == "/layanan/cetak.php"))
    );
    assert!(probes.iter().all(|p| p.entry < w.entries.len()));
}

#[test]
fn hostile_bodies_never_panic() {
    let w = load();
    let huge = "A".repeat(256 << 10);
    let binary: String = (0u32..4096)
        .map(|i| char::from_u32(i % 0xD7FF).unwrap_or('\u{FFFD}'))
        .collect();
    for e in &w.entries {
        for body in [huge.as_str(), binary.as_str(), "\u{FFFD}\u{0}PK", ""] {
            let _ = check(e, &Observed::new(200, body));
        }
    }
}
