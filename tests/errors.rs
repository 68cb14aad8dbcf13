//! The error-leakage check: signatures on real framework error bodies, the baseline rule,
//! hostile inputs, the fixture's leaky and hardened variants, and a real Flask application.

mod common;

use kawal::checks::errors::detect::detect;
use kawal::checks::errors::signatures::Signatures;
use kawal::checks::errors::{ErrorOptions, ITEMS, run_with};
use kawal::checks::{Context, Observation};
use kawal::config::NetConfig;
use kawal::model::Outcome;
use kawal::net::{HttpClient, Response, Scope};
use kawal_fixture::FixtureConfig;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

fn sigs() -> &'static Signatures {
    Signatures::builtin().expect("signature file parses")
}

fn resp(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Response {
    Response {
        method: "GET".into(),
        url: Url::parse("https://app.example.go.id/x?id=1").expect("url"),
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
        truncated: false,
        elapsed: Duration::ZERO,
    }
}

/// Signature ids found in `probe` against an innocuous baseline.
fn ids(probe: &str) -> BTreeSet<String> {
    ids_with(&[], probe.as_bytes())
}

fn ids_with(headers: &[(&str, &str)], probe: &[u8]) -> BTreeSet<String> {
    let base = resp(
        200,
        &[],
        b"<html><body><p>Halaman normal.</p></body></html>",
    );
    detect(Some(&base), &resp(500, headers, probe), sigs())
        .into_iter()
        .map(|h| h.signature)
        .collect()
}

fn assert_has(probe: &str, expected: &[&str]) {
    let found = ids(probe);
    for e in expected {
        assert!(
            found.contains(*e),
            "{e} not found in {found:?} for:\n{probe}"
        );
    }
}

#[test]
fn every_item_has_signatures_and_the_file_is_valid() {
    let s = sigs();
    for item in ITEMS {
        assert!(
            s.list().iter().any(|x| x.item == *item),
            "no signature for {item}"
        );
    }
    let families: BTreeSet<&str> = s.list().iter().map(|x| x.family.as_str()).collect();
    for f in [
        "python",
        "django",
        "werkzeug",
        "php",
        "laravel",
        "symfony",
        "java",
        "spring",
        "tomcat",
        "dotnet",
        "aspnet",
        "iis",
        "node",
        "express",
        "ruby",
        "rails",
        "go",
        "mysql",
        "postgresql",
        "mssql",
        "oracle",
        "sqlite",
        "path",
        "address",
        "listing",
        "phpinfo",
        "nginx",
        "apache",
    ] {
        assert!(families.contains(f), "family {f} missing");
    }
    assert!(Signatures::parse("[[signature]]\nid='a'\nfamily='x'\nitem='errors.nope'\npattern='x'\ndescription={id='a',en='a'}", ITEMS).is_err());
    assert!(Signatures::parse("[[signature]]\nid='a'\nfamily='x'\nitem='errors.phpinfo'\npattern='('\ndescription={id='a',en='a'}", ITEMS).is_err());
}

#[test]
fn python_django_werkzeug() {
    assert_has(
        "Traceback (most recent call last):\n  File \"/srv/simpeg/app/views.py\", line 27, in detail\n    n = int(request.args[\"id\"])\nValueError: invalid literal for int() with base 10: \"1'\"\n",
        &["python.traceback", "python.frame", "path.unix-source"],
    );
    assert_has(
        "<!DOCTYPE html><html lang=\"en\"><head><title>ValueError at /pegawai/</title></head><body>\n<div id=\"summary\"><h1>ValueError at /pegawai/</h1>\n<table class=\"meta\"><tr><th scope=\"row\">Request Method:</th><td>GET</td></tr>\n<tr><th scope=\"row\">Django Version:</th><td>4.2.7</td></tr>\n<tr><th scope=\"row\">Exception Location:</th><td><span class=\"fname\">/home/simpeg/app/pegawai/views.py</span>, line 14, in detail</td></tr></table></div>\n<div id=\"explanation\"><p>You\u{2019}re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p></div></body></html>",
        &["django.debug", "django.version", "path.unix-source"],
    );
    assert_has(
        "<title>ValueError: invalid literal for int() with base 10: &#39;x&#39;\n // Werkzeug Debugger</title>\n<link rel=\"stylesheet\" href=\"?__debugger__=yes&amp;cmd=resource&amp;f=style.css\">\n<h2 class=\"traceback\">Traceback <em>(most recent call last)</em></h2>\n<h4>File <cite class=\"filename\">\"/usr/local/lib/python3.11/site-packages/flask/app.py\"</cite>,\n      line <em class=\"line\">1536</em>,\n      in <code class=\"function\">__call__</code></h4>",
        &["werkzeug.debugger", "python.frame", "path.packages"],
    );
    assert_has(
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n",
        &["werkzeug.default-page"],
    );
}

#[test]
fn php_laravel_symfony() {
    assert_has(
        "<br />\n<b>Warning</b>:  mysqli_fetch_assoc() expects parameter 1 to be mysqli_result, bool given in <b>/var/www/html/berita.php</b> on line <b>12</b><br />\n",
        &["php.error", "mysql.syntax", "path.unix-source"],
    );
    assert_has(
        "PHP Fatal error:  Uncaught Error: Call to undefined function mysql_connect() in /var/www/html/koneksi.php:3\nStack trace:\n#0 /var/www/html/index.php(2): include()\n#1 {main}\n  thrown in /var/www/html/koneksi.php on line 3",
        &["php.stack", "path.unix-source"],
    );
    assert_has(
        "<!DOCTYPE html><html><head><title>Whoops! There was an error.</title></head><body>Illuminate\\Database\\QueryException<br>SQLSTATE[42S22]: Column not found: 1054 Unknown column 'x' in 'where clause' (SQL: select * from `pegawai` where `x` = 1)<br>/var/www/simpeg/vendor/laravel/framework/src/Illuminate/Database/Connection.php:760</body></html>",
        &[
            "laravel.debug",
            "laravel.trace",
            "sql.sqlstate",
            "mysql.syntax",
            "path.packages",
        ],
    );
    assert_has(
        "Symfony\\Component\\HttpKernel\\Exception\\NotFoundHttpException: No route found",
        &["symfony.trace"],
    );
    let found = ids_with(
        &[
            ("X-Debug-Token", "4f2a1c"),
            ("X-Debug-Token-Link", "https://a/_profiler/4f2a1c"),
        ],
        b"<html></html>",
    );
    assert!(found.contains("symfony.debug-token"), "{found:?}");
}

#[test]
fn java_spring_tomcat() {
    assert_has(
        "Exception in thread \"main\" java.lang.IllegalStateException: closed\n\tat go.id.simpeg.Main.run(Main.java:10)\n\tat java.base/java.lang.Thread.run(Thread.java:833)\n",
        &["java.frame", "java.exception"],
    );
    assert_has(
        "{\"status\":500,\"trace\":\"java.lang.NumberFormatException: For input string: \\\"x\\\"\\n\\tat java.base/java.lang.Integer.parseInt(Integer.java:668)\\n\"}",
        &["java.frame", "java.exception"],
    );
    assert_has(
        "<!doctype html><html lang=\"en\"><head><title>HTTP Status 500 – Internal Server Error</title></head><body><h1>HTTP Status 500 – Internal Server Error</h1><p><b>Root Cause</b></p><pre>java.lang.NullPointerException\n\tgo.id.simpeg.PegawaiServlet.doGet(PegawaiServlet.java:31)\n</pre><hr class=\"line\" /><h3>Apache Tomcat/9.0.65</h3></body></html>",
        &["tomcat.default-page", "java.exception"],
    );
    assert_has(
        "<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p></body></html>",
        &["spring.whitelabel"],
    );
}

#[test]
fn dotnet_aspnet_iis() {
    assert_has(
        "System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()\n   at Simpeg.Controllers.PegawaiController.Detail(Int32 id) in /src/Simpeg/Controllers/PegawaiController.cs:line 42\n",
        &["dotnet.exception", "dotnet.frame"],
    );
    assert_has(
        "<h1>An unhandled exception occurred while processing the request.</h1>",
        &["aspnet.developer-page"],
    );
    assert_has(
        "<H1>Server Error in '/' Application.<hr width=100% size=1 color=silver></H1>\n[FormatException: Input string was not in a correct format.]\n   Simpeg.Laporan.Page_Load(Object sender, EventArgs e) in C:\\inetpub\\wwwroot\\simpeg\\Laporan.aspx.cs:27\n<b>Version Information:</b>&nbsp;Microsoft .NET Framework Version:4.0.30319; ASP.NET Version:4.8.4465.0",
        &["aspnet.ysod", "dotnet.exception", "path.windows"],
    );
    assert_has(
        "<div id=\"content\"><div class=\"content-container\"><h3>HTTP Error 404.0 - Not Found</h3>",
        &["iis.default-page"],
    );
}

#[test]
fn node_ruby_go() {
    assert_has(
        "<pre>TypeError: Cannot read properties of undefined (reading &#39;id&#39;)<br> &nbsp; &nbsp;at /app/routes/api.js:12:20<br> &nbsp; &nbsp;at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)</pre>",
        &["node.frame", "path.packages"],
    );
    assert_has(
        "<pre>Cannot GET /kawal-uji</pre>",
        &["express.default-page"],
    );
    assert_has(
        "<h1>Action Controller: Exception caught</h1><h1>NoMethodError in ArsipController#index</h1>\napp/controllers/arsip_controller.rb:8:in `index'\n<p><code>Rails.root: /home/deploy/simpeg</code></p>",
        &["rails.debug", "ruby.frame"],
    );
    assert_has(
        "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x5f2b1a]\n\ngoroutine 7 [running]:\nmain.handler(...)\n\t/home/app/main.go:42 +0x1a\n",
        &["go.panic", "path.unix-source"],
    );
    assert_has("404 page not found\n", &["go.default-page"]);
}

#[test]
fn databases() {
    assert_has(
        "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near ''' at line 1",
        &["mysql.syntax"],
    );
    assert_has(
        "Warning: pg_query(): Query failed: ERROR:  syntax error at or near \"'\"\nLINE 1: SELECT * FROM t WHERE id='''",
        &["postgresql.error"],
    );
    assert_has(
        "psycopg2.errors.InvalidTextRepresentation: invalid input syntax for type integer: \"x\"",
        &["postgresql.error"],
    );
    assert_has(
        "System.Data.SqlClient.SqlException (0x80131904): Unclosed quotation mark after the character string ''.",
        &["mssql.error", "dotnet.exception"],
    );
    assert_has(
        "java.sql.SQLSyntaxErrorException: ORA-00933: SQL command not properly ended",
        &["oracle.error", "java.exception"],
    );
    assert_has(
        "sqlite3.OperationalError: near \"x\": syntax error",
        &["sqlite.error"],
    );
}

#[test]
fn listings_diagnostics_and_default_pages() {
    assert_has(
        "<html><head><title>Index of /uploads</title></head><body><h1>Index of /uploads</h1><table><tr><th><a href=\"?C=N;O=D\">Name</a></th></tr></table><address>Apache/2.4.41 (Ubuntu) Server at app.example.go.id Port 443</address></body></html>",
        &["listing.index-of", "apache.default-page"],
    );
    assert_has(
        "<!DOCTYPE HTML><html><head><title>Directory listing for /</title></head>",
        &["listing.other"],
    );
    assert_has(
        "<pre><A HREF=\"/\">[To Parent Directory]</A><br><br></pre>",
        &["listing.other"],
    );
    assert_has(
        "<title>PHP 8.1.2-1ubuntu2.14 - phpinfo()</title><h1 class=\"p\">PHP Version 8.1.2-1ubuntu2.14</h1>",
        &["phpinfo.page"],
    );
    assert_has(
        "<html><head>\n<title>Apache Status</title>\n</head><body>\n<h1>Apache Server Status for app.example.go.id (via 10.1.2.3)</h1>",
        &["apache.server-status", "address.private-ipv4"],
    );
    assert_has(
        "Active connections: 2 \nserver accepts handled requests\n 10 10 20 \nReading: 0 Writing: 1 Waiting: 1 \n",
        &["nginx.stub-status"],
    );
    assert_has(
        "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.18.0 (Ubuntu)</center>\r\n</body>\r\n</html>\r\n",
        &["nginx.default-page"],
    );
}

#[test]
fn addresses_are_validated() {
    assert_has(
        "{\"error\":\"connect ECONNREFUSED 10.0.12.7:5432\"}",
        &["address.private-ipv4"],
    );
    assert_has(
        "upstream fd12:3456:789a:1::5 timed out",
        &["address.ipv6-ula"],
    );
    assert!(ids("versi 1.10.0.5.2 dan 10.300.1.1 dan 192.168.1.256").is_empty());
    let found = ids_with(&[("X-Backend-Server", "192.168.10.5:8080")], b"ok");
    assert!(
        found.contains("address.private-ipv4"),
        "addresses in headers count: {found:?}"
    );
}

#[test]
fn hardened_pages_and_traps_are_clean() {
    for body in [
        // Normal text about errors and exceptions.
        "<html><body><h1>Panduan</h1><p>Jika muncul pesan error atau exception, hubungi admin. Error 404 berarti halaman tidak ada. Kami memakai SQL dan stack modern.</p></body></html>",
        // A JSON API's not-found answer.
        "{\"error\":\"not found\"}",
        // A custom 404 page.
        "<!DOCTYPE html><html lang=\"id\"><head><title>Tidak ditemukan</title></head><body><h2>Halaman tidak ditemukan</h2><p><a href=\"/\">Kembali ke beranda</a></p></body></html>",
        // URL paths in links and scripts are not server paths.
        "<script src=\"/app/js/main.js\"></script><a href=\"/home/berita/1.php\">x</a><a href=\"https://a.example.go.id/var/www/x.php\">y</a><img src='/usr/share/img/a.png'>",
        // A generic 500 page.
        "<h1>Terjadi kesalahan</h1><p>Silakan coba lagi. Kode rujukan: 7F3A-22.</p>",
    ] {
        assert!(ids(body).is_empty(), "{:?} in:\n{body}", ids(body));
    }
}

#[test]
fn signatures_already_in_the_baseline_do_not_count() {
    let normal = "<p>Contoh pesan: You have an error in your SQL syntax. Traceback (most recent call last): VPN 10.10.1.1</p>";
    let base = resp(200, &[], normal.as_bytes());
    let same = resp(200, &[], normal.as_bytes());
    assert!(detect(Some(&base), &same, sigs()).is_empty());
    // A new internal address is still news, even though the page shows another one.
    let more = format!("{normal}<p>upstream 172.16.8.21</p>");
    let hits = detect(Some(&base), &resp(502, &[], more.as_bytes()), sigs());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].matched, "172.16.8.21");
    assert_eq!(hits[0].item, "errors.internal-addresses");
    assert!(hits[0].excerpt.contains("upstream 172.16.8.21"));
}

#[test]
fn hostile_bodies_do_not_crash_or_stall_detection() {
    let started = std::time::Instant::now();
    let binary: Vec<u8> = (0..2_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let _ = ids_with(&[], &binary);
    let mut invalid = b"\xff\xfe\xc0You have an error in your SQL syntax\xff\x00".to_vec();
    invalid.extend(std::iter::repeat_n(0xffu8, 100_000));
    assert!(ids_with(&[], &invalid).contains("mysql.syntax"));
    let one_line = "<div>".repeat(400_000);
    assert!(ids(&one_line).is_empty());
    let many = "Traceback (most recent call last):\n".repeat(50_000);
    let hits = detect(None, &resp(500, &[], many.as_bytes()), sigs());
    assert_eq!(hits.len(), 1, "one hit per signature");
    let paths = "/var/www/a.php ".repeat(100_000);
    assert!(detect(None, &resp(500, &[], paths.as_bytes()), sigs()).len() <= 64);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

// --- against the fixture -----------------------------------------------------------------

fn client(target: &Url) -> Arc<HttpClient> {
    let cfg = NetConfig {
        rate_limit: 0.0,
        ..NetConfig::default()
    };
    Arc::new(HttpClient::new(cfg, Scope::new(target, &[])).expect("client"))
}

async fn check(url: &str) -> (Vec<Observation>, u64) {
    let target = Url::parse(url).expect("url");
    let http = client(&target);
    let ctx = Context::new(target, http.clone());
    let obs = run_with(&ctx, &ErrorOptions::default())
        .await
        .expect("check runs");
    (obs, http.requests_sent())
}

async fn check_fixture(cfg: FixtureConfig) -> (Vec<Observation>, u64) {
    let mut cfg = cfg;
    cfg.https = false;
    let fx = common::fixture(cfg).await;
    let r = check(&format!("{}/", fx.http_url)).await;
    fx.shutdown().await;
    r
}

fn outcome(obs: &[Observation], item: &str) -> &'static str {
    obs.iter()
        .filter(|o| o.item_id == item)
        .map(|o| o.outcome.status())
        .max_by_key(|s| match *s {
            "fail" => 3,
            "inconclusive" => 2,
            "pass" => 1,
            _ => 0,
        })
        .unwrap_or("missing")
}

fn failing(obs: &[Observation]) -> BTreeSet<String> {
    obs.iter()
        .filter(|o| o.outcome == Outcome::Fail)
        .map(|o| o.item_id.clone())
        .collect()
}

fn signatures_found(obs: &[Observation]) -> BTreeSet<String> {
    obs.iter()
        .filter_map(|o| o.figures["signature"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vulnerable_fixture_reports_every_planted_leak_with_evidence() {
    let (obs, sent) = check_fixture(FixtureConfig::vulnerable()).await;
    for item in ITEMS {
        assert_eq!(outcome(&obs, item), "fail", "{item}: {obs:#?}");
    }
    for o in obs.iter().filter(|o| o.outcome == Outcome::Fail) {
        assert!(!o.evidence.is_empty(), "evidence for {o:?}");
        assert!(o.locator.is_some());
        assert!(o.figures["excerpt"].as_str().is_some_and(|e| !e.is_empty()));
        assert!(o.figures["request"]["url"].as_str().is_some());
    }
    let found = signatures_found(&obs);
    for sig in [
        "python.traceback",
        "php.stack",
        "java.exception",
        "dotnet.exception",
        "node.frame",
        "ruby.frame",
        "go.panic",
        "mysql.syntax",
        "postgresql.error",
        "mssql.error",
        "oracle.error",
        "sqlite.error",
        "django.debug",
        "path.unix-webroot",
        "path.windows",
        "address.private-ipv4",
        "listing.index-of",
        "phpinfo.page",
        "nginx.default-page",
        "aspnet.ysod",
    ] {
        assert!(found.contains(sig), "{sig} not reported; found {found:?}");
    }
    // The crawl is bounded by its page limit (plus robots, sitemap and the conventional API
    // description places) and the probes by the request budget.
    let hints = 3 + kawal::crawl::textual::API_DOCS.len();
    assert!(sent <= 30 + hints as u64 + 60, "{sent} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardened_fixture_has_zero_findings_and_every_item_probed() {
    let (obs, _) = check_fixture(FixtureConfig::hardened()).await;
    for item in ITEMS {
        assert_eq!(outcome(&obs, item), "pass", "{item}: {obs:#?}");
    }
    assert!(failing(&obs).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_leak_alone_fails_exactly_its_items() {
    let cases: &[(&str, &[&str])] = &[
        (
            "leak_stack_trace_python",
            &["errors.stack-trace", "errors.internal-paths"],
        ),
        (
            "leak_stack_trace_php",
            &["errors.stack-trace", "errors.internal-paths"],
        ),
        ("leak_stack_trace_java", &["errors.stack-trace"]),
        (
            "leak_stack_trace_dotnet",
            &[
                "errors.stack-trace",
                "errors.internal-paths",
                "errors.generic-error-page",
            ],
        ),
        (
            "leak_stack_trace_node",
            &["errors.stack-trace", "errors.internal-paths"],
        ),
        ("leak_stack_trace_ruby", &["errors.stack-trace"]),
        (
            "leak_go_panic",
            &["errors.stack-trace", "errors.internal-paths"],
        ),
        ("leak_sql_error_mysql", &["errors.database"]),
        ("leak_sql_error_postgres", &["errors.database"]),
        ("leak_sql_error_mssql", &["errors.database"]),
        ("leak_sql_error_oracle", &["errors.database"]),
        ("leak_sql_error_sqlite", &["errors.database"]),
        ("debug_page", &["errors.debug-mode"]),
        ("internal_path_leak", &["errors.internal-paths"]),
        ("internal_address_leak", &["errors.internal-addresses"]),
        ("directory_listing", &["errors.directory-listing"]),
        ("phpinfo_page", &["errors.phpinfo", "errors.internal-paths"]),
        ("default_error_page", &["errors.generic-error-page"]),
    ];
    let all: BTreeSet<&str> = kawal_fixture::Flaws::names()
        .iter()
        .copied()
        .filter(|n| {
            n.starts_with("leak_")
                || [
                    "debug_page",
                    "internal_path_leak",
                    "internal_address_leak",
                    "directory_listing",
                    "phpinfo_page",
                    "default_error_page",
                ]
                .contains(n)
        })
        .collect();
    assert_eq!(
        all,
        cases.iter().map(|(f, _)| *f).collect(),
        "every error flaw has a case"
    );
    for (flaw, items) in cases {
        let cfg = FixtureConfig::hardened()
            .with_flaw(flaw, true)
            .expect("flaw");
        let (obs, _) = check_fixture(cfg).await;
        let expected: BTreeSet<String> = items.iter().map(|s| s.to_string()).collect();
        assert_eq!(failing(&obs), expected, "flaw {flaw}: {obs:#?}");
        for item in ITEMS {
            assert_ne!(outcome(&obs, item), "inconclusive", "{flaw} {item}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_probes_make_items_inconclusive_never_pass() {
    use kawal::checks::errors::judge;
    use kawal::crawl::{Crawl, Hints, Skipped};
    let crawl = Crawl {
        start: "https://a.example.go.id/".into(),
        pages: Vec::new(),
        forms: Vec::new(),
        scripts: Vec::new(),
        resources: Vec::new(),
        hints: Hints::default(),
        skipped: Skipped::default(),
        errors: Vec::new(),
        requests: 0,
        elapsed_ms: 0,
    };
    let obs = judge(&crawl, &[], &[], sigs());
    assert_eq!(obs.len(), ITEMS.len());
    for item in ITEMS {
        assert_eq!(outcome(&obs, item), "inconclusive", "{item}");
    }
}

// --- against a real Flask application ----------------------------------------------------

use common::flask::flask;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flask_debug_mode_leaks_and_hardened_flask_is_clean() {
    kawal::install_crypto_provider();
    let leaky = flask("leaky");
    let (obs, _) = check(&leaky.url).await;
    drop(leaky);
    for item in [
        "errors.stack-trace",
        "errors.debug-mode",
        "errors.database",
        "errors.internal-paths",
    ] {
        assert_eq!(outcome(&obs, item), "fail", "{item}: {obs:#?}");
    }
    // Werkzeug's plain 404 page (no version, trace, path or echo) is one informational note,
    // not a finding per unknown path.
    let notes: Vec<_> = obs
        .iter()
        .filter(|o| o.item_id == "errors.generic-error-page")
        .collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(notes[0].outcome.status(), "pass", "{notes:#?}");
    assert_eq!(
        notes[0].figures["informational"]["signature"], "werkzeug.default-page",
        "{notes:#?}"
    );
    assert!(
        notes[0].figures["informational"]["instances"]
            .as_u64()
            .is_some_and(|n| n > 1)
    );
    // One root cause, one finding: the debugger shows on many pages but is reported once.
    let debug: Vec<_> = obs
        .iter()
        .filter(|o| o.item_id == "errors.debug-mode" && o.outcome.status() == "fail")
        .collect();
    assert_eq!(debug.len(), 1, "{debug:#?}");
    assert!(
        debug[0].figures["instances"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
    );
    for item in [
        "errors.internal-addresses",
        "errors.directory-listing",
        "errors.phpinfo",
    ] {
        assert_eq!(outcome(&obs, item), "pass", "{item}: {obs:#?}");
    }
    let found = signatures_found(&obs);
    for sig in ["werkzeug.debugger", "python.traceback", "sqlite.error"] {
        assert!(found.contains(sig), "{sig}: {found:?}");
    }

    let hardened = flask("hardened");
    let (obs, _) = check(&hardened.url).await;
    drop(hardened);
    for item in ITEMS {
        assert_eq!(outcome(&obs, item), "pass", "{item}: {obs:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_safe_methods_unless_unsafe_methods_are_allowed() {
    use kawal::checks::errors::probes::{PlanOptions, plan};
    let mut cfg = FixtureConfig::hardened();
    cfg.https = false;
    let fx = common::fixture(cfg).await;
    let start = Url::parse(&format!("{}/", fx.http_url)).expect("url");
    let http = client(&start);
    let opts = ErrorOptions::default();
    let c = kawal::crawl::crawl(&http, &start, None, &opts.crawl)
        .await
        .expect("crawl");
    let safe = plan(
        &start,
        &c,
        &PlanOptions {
            max_requests: 500,
            allow_unsafe_methods: false,
        },
    );
    assert!(safe.len() > 60, "a large budget plans more probes");
    assert!(
        safe.iter()
            .all(|p| matches!(p.method.as_str(), "GET" | "HEAD" | "OPTIONS")),
        "{:?}",
        safe.iter()
            .map(|p| p.method.as_str())
            .collect::<BTreeSet<_>>()
    );
    let bounded = plan(
        &start,
        &c,
        &PlanOptions {
            max_requests: 60,
            allow_unsafe_methods: false,
        },
    );
    assert_eq!(bounded.len(), 60);
    let unsafe_plan = plan(
        &start,
        &c,
        &PlanOptions {
            max_requests: 500,
            allow_unsafe_methods: true,
        },
    );
    assert!(unsafe_plan.iter().any(|p| p.method == reqwest::Method::POST
        && p.url.path() == "/login"
        && p.body.is_some()));
    assert!(
        unsafe_plan
            .iter()
            .any(|p| p.headers.iter().any(|(_, v)| v == "application/xml"))
    );
    assert!(
        unsafe_plan
            .iter()
            .all(|p| !matches!(p.method.as_str(), "DELETE" | "PUT"))
    );
    // Even with unsafe methods allowed, the hardened target leaks nothing.
    let target = start.clone();
    let ctx = Context::new(target, http.clone());
    let obs = run_with(
        &ctx,
        &ErrorOptions {
            allow_unsafe_methods: true,
            max_requests: 120,
            ..ErrorOptions::default()
        },
    )
    .await
    .expect("check");
    assert!(failing(&obs).is_empty(), "{obs:#?}");
    fx.shutdown().await;
}

/// A server whose `/lambat` page never answers: the crawl loses that request to a timeout.
async fn slow_page_server() -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                if path.starts_with("/lambat") {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                let (status, body) = if path == "/" {
                    (
                        "200 OK",
                        "<html><body><a href=\"/lambat?id=1\">Laporan</a></body></html>",
                    )
                } else {
                    (
                        "404 Not Found",
                        "<html><body><h1>Halaman tidak ada</h1></body></html>",
                    )
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_request_is_named_and_nothing_passes() {
    kawal::install_crypto_provider();
    let (url, server) = slow_page_server().await;
    let target = Url::parse(&url).expect("url");
    let cfg = NetConfig {
        rate_limit: 0.0,
        read_timeout: Duration::from_millis(700),
        total_timeout: Duration::from_millis(1_500),
        ..NetConfig::default()
    };
    let http = Arc::new(HttpClient::new(cfg, Scope::new(&target, &[])).expect("client"));
    let ctx = Context::new(target, http);
    let obs = run_with(&ctx, &ErrorOptions::default())
        .await
        .expect("check runs");
    server.abort();
    for item in ITEMS {
        assert_ne!(outcome(&obs, item), "pass", "{item}: {obs:#?}");
    }
    let o = obs
        .iter()
        .find(|o| o.item_id == "errors.stack-trace")
        .expect("stack-trace item");
    assert!(
        o.summary.en.contains("/lambat") && o.summary.en.contains("timed out"),
        "{o:#?}"
    );
    assert!(
        o.figures["lost_requests"]["timeouts"].as_u64() >= Some(1),
        "{o:#?}"
    );
}
