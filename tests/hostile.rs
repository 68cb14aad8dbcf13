//! Servers that misbehave on purpose, each run through a full `kawal scan` evaluation: the scan
//! ends within its time budget and 200 MiB of memory, without a panic, and passes nothing the
//! server withheld. Every server points at an out-of-scope canary on 127.0.0.2 wherever a
//! scanner might follow; after the scans the canary has seen no connection.
//!
//! Behaviours run in parallel groups (each scan is its own process, mostly waiting on a
//! socket); servers that stall run against `kawal.toml` timeouts of a few seconds.

#[path = "hostile/bombs.rs"]
mod bombs;
#[path = "hostile/canary.rs"]
mod canary;
mod common;
#[path = "hostile/harness.rs"]
mod harness;
#[path = "hostile/http.rs"]
mod http;
#[path = "hostile/servers.rs"]
mod servers;
#[path = "hostile/tls.rs"]
mod tls;

use canary::Canary;
use harness::{Behaviour, run_suite, scan, status};

type Make = fn(&Canary) -> Behaviour;

fn random_bytes(_: &Canary) -> Behaviour {
    servers::raw_reply(
        "random bytes",
        b"\x16\x03\x01\x02\x00\x01\xff\xfe\x00garbage\x07\x08 not http at all\r\n\r\n\x00\x01",
    )
}

fn http_0_9(_: &Canary) -> Behaviour {
    servers::raw_reply(
        "HTTP/0.9 reply (no status line)",
        b"<html><body>Selamat datang</body></html>\n",
    )
}

/// Answers that are not HTTP, or whose head Kawal refuses to read.
const NOT_HTTP: &[Make] = &[
    random_bytes,
    http_0_9,
    servers::ten_thousand_headers,
    servers::megabyte_header,
    servers::many_cookies,
    servers::redirect_loop,
    servers::redirect_chain,
    servers::redirect_scheme_port,
    servers::error_everywhere,
];

/// Servers that stall, cut or reset the exchange.
const STALLING: &[Make] = &[
    servers::never_answers,
    servers::slow_headers,
    servers::slow_body,
    servers::tarpit_behind_landing,
    tls::stall_on_connect,
    servers::reset_mid_body,
    servers::short_body,
    servers::long_body,
];

/// Servers that send too much.
const FLOODING: &[Make] = &[
    servers::endless_chunked,
    servers::gzip_bomb,
    servers::brotli_bomb,
    servers::fifty_megabytes,
    servers::hundred_thousand_links,
    servers::nested_divs,
    servers::bad_encodings,
];

/// Link traps, login and session tricks, and the canary bait.
const TRAPS: &[Make] = &[
    servers::calendar_trap,
    servers::session_in_urls,
    servers::soft_404_random,
    servers::javascript_only,
    servers::login_never_succeeds,
    servers::logout_logs_in_again,
    servers::cookie_changes_every_response,
    servers::bait,
];

/// Broken TLS handshakes (for every connection, or only for the TLS scanner's probes while
/// the HTTP client is served) and an oversized certificate chain.
const TLS: &[Make] = &[
    tls::garbage_after_server_hello,
    tls::close_notify_mid_handshake,
    tls::renegotiation_storm,
    tls::large_chain,
    tls::storm_for_probes,
    tls::garbage_for_probes,
    tls::close_notify_for_probes,
];

/// Runs a group against one canary and checks the canary afterwards.
fn group(makers: &[Make], parallel: usize) -> (Vec<Behaviour>, Vec<harness::Run>) {
    let c = Canary::start();
    let behaviours: Vec<Behaviour> = makers.iter().map(|m| m(&c)).collect();
    let runs = run_suite(&behaviours, parallel);
    c.assert_untouched();
    (behaviours, runs)
}

#[test]
fn the_suite_covers_at_least_thirty_behaviours() {
    let n = [NOT_HTTP, STALLING, FLOODING, TRAPS, TLS]
        .iter()
        .map(|g| g.len())
        .sum::<usize>();
    assert!(n >= 30, "{n} behaviours");
}

#[test]
fn answers_that_are_not_http_are_never_passed() {
    group(NOT_HTTP, 5);
}

#[test]
fn stalling_servers_end_in_bounded_time() {
    group(STALLING, 8);
}

#[test]
fn flooding_servers_stay_within_memory() {
    group(FLOODING, 4);
}

#[test]
fn traps_and_session_tricks_are_bounded_and_not_passed() {
    let (b, runs) = group(TRAPS, 4);
    let by_name = |n: &str| {
        b.iter()
            .position(|x| x.name == n)
            .map(|i| &runs[i])
            .expect("behaviour")
    };
    let in_url = status(by_name("session id in every URL"), "session.token.in-url");
    assert_eq!(in_url, "fail", "a session id in every link is a finding");
    for name in [
        "logout that logs in again",
        "session cookie changes on every response",
    ] {
        let logout = status(by_name(name), "session.logout-invalidation");
        assert_eq!(
            logout, "fail",
            "{name}: the old session still works after logout"
        );
    }
    let soft = status(
        by_name("soft 404 with random content"),
        "errors.generic-error-page",
    );
    assert_eq!(soft, "inconclusive", "no error page was ever seen");
}

#[test]
fn broken_tls_handshakes_are_never_passed() {
    group(TLS, 7);
}

/// `kawal scan` says why it exits 3, and `--allow-inconclusive` accepts the result.
#[test]
fn an_unobserved_target_exits_3_unless_allowed() {
    let c = Canary::start();
    let mut b = random_bytes(&c);
    let r = scan(&b);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("could not observe") || r.stderr.contains("tidak dapat mengamati"),
        "{}",
        r.stderr
    );
    b.args.push("--allow-inconclusive".into());
    let r = scan(&b);
    assert_ne!(
        r.code, 3,
        "--allow-inconclusive accepts the result: {}",
        r.stderr
    );
    c.assert_untouched();
}

/// The demo application with every page, its headers and robots.txt pointing at the canary,
/// scanned logged in as its three accounts: the scan keeps to scope.
#[test]
fn the_demo_application_keeps_to_scope() {
    let c = Canary::start();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut cfg = kawal_fixture::FixtureConfig::vulnerable();
    cfg.canary = Some(c.http());
    let fx = rt.block_on(common::fixture(cfg));
    let base = fx.https_url.clone().expect("https");
    let roles: String = kawal_fixture::ACCOUNTS
        .iter()
        .map(|a| {
            format!(
                "[[role]]\nname = \"{u}\"\nprivilege = {p}\nrecipe = {{ kind = \"form\", url = \"{base}/login\", username = \"{u}\", password = \"{w}\" }}\nmarker = {{ text = \"Masuk sebagai\" }}\n\n",
                u = a.username,
                w = a.password,
                p = if a.role == kawal_fixture::Role::Admin { 100 } else { 10 },
            )
        })
        .collect();
    let b = Behaviour::new(
        "demo application pointing at the canary",
        format!("{base}/"),
        harness::Expect::NoPass(&[]),
    )
    .config(&roles)
    .args(&["--insecure", "--allow-unsafe-methods"])
    .budget(240);
    let runs = run_suite(std::slice::from_ref(&b), 1);
    assert!(
        runs[0]
            .report
            .as_ref()
            .and_then(|v| v["requests_sent"].as_u64())
            > Some(200),
        "the demo application was explored: {}",
        runs[0].stderr
    );
    c.assert_untouched();
    rt.block_on(fx.shutdown());
}
