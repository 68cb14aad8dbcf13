//! The crawler against the demo target: discovery, scope, de-duplication, limits, hostile
//! pages, and the `kawal crawl` command.

mod common;

use common::{kawal, run};
use kawal::config::NetConfig;
use kawal::crawl::{CrawlOptions, crawl};
use kawal::net::{HttpClient, Scope};
use kawal_fixture::{Fixture, FixtureConfig};
use url::Url;

async fn plain(cfg: FixtureConfig) -> Fixture {
    let mut cfg = cfg;
    cfg.https = false;
    common::fixture(cfg).await
}

fn client(target: &Url) -> HttpClient {
    let cfg = NetConfig {
        rate_limit: 0.0,
        ..NetConfig::default()
    };
    HttpClient::new(cfg, Scope::new(target, &[])).expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovers_pages_forms_and_hints_and_collapses_patterns() {
    let fx = plain(FixtureConfig::hardened()).await;
    let start = Url::parse(&format!("{}/", fx.http_url)).expect("url");
    let http = client(&start);
    let c = crawl(&http, &start, None, &CrawlOptions::default())
        .await
        .expect("crawl");
    let urls: Vec<&str> = c.pages.iter().map(|p| p.url.as_str()).collect();
    for path in [
        "/about",
        "/login",
        "/cari?q=cuti",
        "/panduan?bab=1",
        "/katalog",
        "/api/pegawai/1",
    ] {
        assert!(
            urls.iter().any(|u| u.ends_with(path)),
            "{path} not crawled: {urls:#?}"
        );
    }
    // robots.txt and the sitemap were read.
    assert!(c.hints.robots_paths.iter().any(|p| p == "/berkas/"));
    assert!(c.hints.sitemap_urls >= 15, "{:?}", c.hints);
    assert!(c.pages.iter().any(|p| p.via == "sitemap"));
    // The login form (POST, two fields) and the search form (GET) are found.
    let login = c
        .forms
        .iter()
        .find(|f| f.action.ends_with("/login"))
        .expect("login form");
    assert_eq!(login.method, "POST");
    let names: Vec<&str> = login.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["username", "password"]);
    assert!(
        c.forms
            .iter()
            .any(|f| f.action.ends_with("/cari") && f.method == "GET")
    );
    // One catalogue item stands for all 200; the rest are skipped as the same pattern.
    let items = c
        .pages
        .iter()
        .filter(|p| p.pattern.ends_with("/katalog/{n}"))
        .count();
    assert_eq!(items, 1);
    assert!(c.skipped.duplicate_pattern >= 19, "{:?}", c.skipped);
    // The BSSN link on the help page is out of scope and never fetched.
    assert!(c.skipped.out_of_scope >= 1);
    assert!(urls.iter().all(|u| u.starts_with(fx.http_url.as_str())));
    // Documents are recorded, not fetched.
    assert!(
        c.resources
            .iter()
            .any(|r| r.ends_with("/berkas/panduan-simpeg.pdf"))
    );
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    fx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_hold_and_every_catalogue_page_is_reachable() {
    let fx = plain(FixtureConfig::hardened()).await;
    let start = Url::parse(&format!("{}/katalog", fx.http_url)).expect("url");
    let http = client(&start);
    let all = CrawlOptions {
        max_pages: 1_000,
        max_depth: 50,
        per_pattern: 1_000,
        use_hints: false,
        keep_responses: false,
        headers: Vec::new(),
    };
    let c = crawl(&http, &start, None, &all).await.expect("crawl");
    let items = c
        .pages
        .iter()
        .filter(|p| p.pattern.ends_with("/katalog/{n}"))
        .count();
    assert_eq!(items, 200);
    let small = CrawlOptions {
        max_pages: 7,
        ..all.clone()
    };
    let c = crawl(&http, &start, None, &small).await.expect("crawl");
    assert_eq!(c.pages.len(), 7);
    assert!(c.skipped.over_limit > 0);
    let shallow = CrawlOptions {
        max_depth: 0,
        ..all
    };
    let c = crawl(&http, &start, None, &shallow).await.expect("crawl");
    assert_eq!(c.pages.len(), 1);
    fx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_start_pages_do_not_crash_the_crawler() {
    let fx = plain(FixtureConfig::vulnerable()).await;
    let opts = CrawlOptions::default();
    for path in [
        "/_test/gzip-bomb?mb=64",
        "/_test/big?bytes=5000000",
        "/_test/redirect-loop",
        "/_test/redirect?to=https%3A%2F%2Fexample.invalid%2F",
    ] {
        let start = Url::parse(&format!("{}{path}", fx.http_url)).expect("url");
        let http = client(&start);
        match crawl(&http, &start, None, &opts).await {
            Ok(c) => {
                assert!(!c.pages.is_empty(), "{path}");
                assert!(c.pages[0].status > 0);
            }
            // A redirect loop is an error of the start page, reported rather than hung on.
            Err(e) => assert!(path.contains("loop"), "{path}: {e}"),
        }
    }
    fx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_command_prints_json() {
    let home = tempfile::tempdir().expect("tmp");
    let fx = plain(FixtureConfig::hardened()).await;
    let mut c = kawal(home.path());
    c.args([
        "crawl",
        &format!("{}/", fx.http_url),
        "--rate-limit",
        "0",
        "--max-pages",
        "12",
    ]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let pages = v["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 12);
    assert!(
        pages
            .iter()
            .all(|p| p["url"].is_string() && p["status"].is_u64() && p["pattern"].is_string())
    );
    assert!(v["forms"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(v["skipped"]["over_limit"].as_u64().is_some_and(|n| n > 0));

    let mut c = kawal(home.path());
    c.args(["crawl", "ftp://example.go.id/"]);
    let (code, _, _) = run(c);
    assert_eq!(code, 2);
    fx.shutdown().await;
}
