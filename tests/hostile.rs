//! Servers that do not answer as HTTP servers should: `kawal scan` ends in bounded time,
//! reports what it could not observe, and never passes a target it could not see (exit 3).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// A loopback server that answers every connection with `reply` and closes.
fn serve(reply: &'static [u8]) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(reply);
            });
        }
    });
    port
}

fn scan(port: u16, extra: &[&str]) -> (i32, String, String, Duration) {
    let home = tempfile::tempdir().expect("home");
    let mut c = common::kawal(home.path());
    c.args([
        "scan",
        &format!("http://127.0.0.1:{port}/"),
        "--format",
        "json",
        "--rate-limit",
        "0",
    ]);
    c.args(extra);
    let t = Instant::now();
    let (code, out, err) = common::run(c);
    (code, out, err, t.elapsed())
}

fn assert_unobserved(name: &str, reply: &'static [u8]) {
    let port = serve(reply);
    let (code, out, err, took) = scan(port, &[]);
    assert_eq!(
        code, 3,
        "{name}: a target Kawal could not observe is not passed\n{err}"
    );
    assert!(
        err.contains("could not observe") || err.contains("tidak dapat mengamati"),
        "{name}: {err}"
    );
    assert!(
        took < Duration::from_secs(120),
        "{name}: bounded time, took {took:?}"
    );
    assert!(!err.contains("panicked"), "{name}: {err}");
    let v: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{name}: report is JSON ({e}): {out}"));
    let items = v["items"].as_array().expect("items");
    assert!(
        !items.iter().any(|i| i["outcome"]["status"] == "pass"
            && i["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("headers."))),
        "{name}: no header item passes on a response that never arrived: {out}"
    );
    let (code, _, _, _) = scan(port, &["--allow-inconclusive"]);
    assert_ne!(code, 3, "{name}: --allow-inconclusive accepts the result");
}

#[test]
fn a_server_answering_random_bytes_is_not_passed() {
    assert_unobserved(
        "random bytes",
        b"\x16\x03\x01\x02\x00\x01\xff\xfe\x00garbage\x07\x08 not http at all\r\n\r\n\x00\x01",
    );
}

#[test]
fn an_http_0_9_reply_is_not_passed() {
    assert_unobserved("HTTP/0.9", b"<html><body>Selamat datang</body></html>\n");
}

/// A loopback HTTP server that answers every request with `body` as HTML.
fn serve_html(body: String) -> u16 {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let reply: &'static [u8] = Box::leak(format!("{head}{body}").into_bytes().into_boxed_slice());
    serve(reply)
}

#[test]
fn a_page_of_200000_nested_divs_is_scanned_in_bounded_time() {
    let page = format!(
        "<html><head><title>Dalam</title></head><body><a href=\"/masuk\">Masuk</a>{}x{}</body></html>",
        "<div>".repeat(200_000),
        "</div>".repeat(200_000)
    );
    let port = serve_html(page);
    let (code, out, err, took) = scan(port, &["--allow-inconclusive"]);
    // Before the nesting cap this took minutes (html5ever walks the open-element stack).
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(matches!(code, 0 | 1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("report");
    assert!(v["items"].as_array().is_some_and(|i| !i.is_empty()));
}

/// A scan of a server that keeps answering with `reply`: ends in bounded time, without a panic,
/// with a JSON report; returns the exit code and the report.
fn bounded(name: &str, reply: &'static [u8]) -> (i32, serde_json::Value) {
    let port = serve(reply);
    let (code, out, err, took) = scan(port, &[]);
    assert!(
        took < Duration::from_secs(120),
        "{name}: bounded time, took {took:?}"
    );
    assert!(!err.contains("panicked"), "{name}: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
    (code, v)
}

fn passes(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| i["outcome"]["status"] == "pass")
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn ten_thousand_headers_are_not_passed() {
    let mut r = String::from("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n");
    for i in 0..10_000 {
        r.push_str(&format!("X-Padding-{i}: {i}\r\n"));
    }
    r.push_str("Content-Length: 5\r\nConnection: close\r\n\r\nhello");
    let reply: &'static [u8] = Box::leak(r.into_bytes().into_boxed_slice());
    let (code, v) = bounded("10,000 headers", reply);
    assert_eq!(
        code, 3,
        "a response Kawal refuses to read is not observed: {v}"
    );
}

#[test]
fn an_error_for_every_request_is_reported_not_passed() {
    let (code, v) = bounded(
        "500 everywhere",
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nerror",
    );
    assert_ne!(
        code,
        0,
        "an application that answers only errors is not passed: {:?}",
        passes(&v)
    );
}

#[test]
fn a_redirect_loop_ends() {
    let (code, _) = bounded(
        "redirect loop",
        b"HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_ne!(code, 0, "a landing page that never arrives is not passed");
}

#[test]
fn a_body_shorter_than_its_content_length_is_not_passed() {
    let (code, v) = bounded(
        "short body",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n<html>",
    );
    assert_ne!(
        code,
        0,
        "a truncated landing page is not vouched for: {:?}",
        passes(&v)
    );
}
