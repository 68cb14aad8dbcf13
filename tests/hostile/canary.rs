//! The out-of-scope canary: a listener on 127.0.0.2 (Linux routes all of 127/8 to the loopback
//! interface) that counts every TCP connection, HTTP or not. Targets on 127.0.0.1 point at it
//! everywhere a scanner might follow; a scan that stays in scope never connects.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A listener outside every target's scope.
pub struct Canary {
    /// `127.0.0.2:PORT`.
    pub authority: String,
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Canary {
    /// Binds 127.0.0.2 on an ephemeral port.
    pub fn start() -> Canary {
        let l = TcpListener::bind("127.0.0.2:0")
            .expect("bind 127.0.0.2 (Linux routes 127.0.0.0/8 to loopback)");
        let authority = l.local_addr().expect("addr").to_string();
        let hits = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (h, s) = (hits.clone(), seen.clone());
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut c) = conn else { continue };
                h.fetch_add(1, Ordering::SeqCst);
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut buf = [0u8; 512];
                    let n = c.read(&mut buf).unwrap_or(0);
                    let first = String::from_utf8_lossy(&buf[..n])
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string();
                    s.lock().expect("canary log").push(first);
                    let _ = c.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\ncanary",
                    );
                });
            }
        });
        Canary {
            authority,
            hits,
            seen,
        }
    }

    /// `http://127.0.0.2:PORT`.
    pub fn http(&self) -> String {
        format!("http://{}", self.authority)
    }

    /// Connections so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Asserts nothing connected, naming what did.
    pub fn assert_untouched(&self) {
        // Give a connection made at the very end of a scan time to be counted.
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(
            self.hits(),
            0,
            "the out-of-scope canary at {} was contacted: {:?}",
            self.authority,
            self.seen.lock().expect("canary log")
        );
    }
}

/// Canary references for response headers a scanner might follow.
pub fn headers(c: &Canary) -> Vec<(String, String)> {
    let u = c.http();
    let a = &c.authority;
    vec![
        (
            "Link".into(),
            format!("<{u}/link-header>; rel=\"preload\", <//{a}/next>; rel=\"next\""),
        ),
        ("Refresh".into(), format!("30; url={u}/refresh")),
        ("Content-Location".into(), format!("{u}/content-location")),
        (
            "Content-Security-Policy".into(),
            format!("default-src 'self'; report-uri {u}/csp-report; report-to kawal"),
        ),
        (
            "Report-To".into(),
            format!(
                "{{\"group\":\"kawal\",\"max_age\":60,\"endpoints\":[{{\"url\":\"{u}/report-to\"}}]}}"
            ),
        ),
    ]
}

/// Canary references for an HTML body: links, forms, frames, scripts and script strings (no
/// password field: a logged-in page carrying one would look like a login form).
pub fn html(c: &Canary) -> String {
    let u = c.http();
    let a = &c.authority;
    format!(
        r#"<a href="{u}/link">Tautan</a> <a href="//{a}/protocol-relative">Relatif</a>
<a href="https://{a}/tls">Aman</a> <area href="{u}/area"> <iframe src="{u}/frame"></iframe>
<img src="{u}/img.png"> <link rel="stylesheet" href="{u}/style.css">
<script src="{u}/app.js"></script>
<form action="{u}/form" method="post"><input name="q"><input name="email"><button>Kirim</button></form>
<form action="//{a}/search"><input name="cari"></form>
<script>var api = "{u}/api/v1/users"; fetch('//{a}/api/data'); location.href = '{u}/js-redirect';</script>
"#
    )
}
