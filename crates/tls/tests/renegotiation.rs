//! Client-initiated renegotiation against real OpenSSL: `openssl s_server -client_renegotiation`
//! accepts it, nginx refuses it; one handshake each.

mod common;

use common::*;
use kawal_tls::probe::Prober;
use kawal_tls::reneg;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// An `openssl s_server` child, killed on drop.
struct SServer {
    child: Child,
    addr: SocketAddr,
    _dir: TempDir,
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_s_server(extra: &[&str]) -> SServer {
    let dir = TempDir::new("s_server");
    let key = dir.0.join("key.pem");
    let cert = dir.0.join("cert.pem");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-keyout",
        key.to_str().unwrap_or_default(),
        "-out",
        cert.to_str().unwrap_or_default(),
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Command::new("openssl")
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
        .args(["-cert", cert.to_str().unwrap_or_default()])
        .args(["-key", key.to_str().unwrap_or_default()])
        .args(["-tls1_2", "-www", "-quiet"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the openssl command-line tool is required (Debian package: openssl)");
    for _ in 0..100 {
        // Probe the port without a TCP connect: s_server serves one connection at a time.
        if std::net::TcpListener::bind(addr).is_err() {
            std::thread::sleep(Duration::from_millis(50));
            return SServer {
                child,
                addr,
                _dir: dir,
            };
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("openssl s_server exited with {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("openssl s_server did not start listening on {addr}");
}

fn prober(addr: SocketAddr) -> Prober {
    Prober::new(addr, Duration::from_secs(2), Duration::from_secs(2), 4)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_allowing_client_renegotiation_is_caught() {
    let srv = start_s_server(&["-client_renegotiation"]);
    let pr = prober(srv.addr);
    let f = reneg::probe(&pr, "localhost", Some("localhost"))
        .await
        .expect("probe ran");
    let (f, completed) = f;
    assert_eq!(f.vulnerable, Some(true), "{}", f.evidence);
    // Each renegotiation is completed (both Finished messages verified) before the next.
    assert_eq!(completed, reneg::MAX_RENEGOTIATIONS, "{}", f.evidence);
    assert!(
        f.evidence
            .contains("3 client-initiated renegotiations completed"),
        "{}",
        f.evidence
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_default_refuses_client_renegotiation() {
    // OpenSSL 3 refuses client-initiated renegotiation unless told otherwise.
    let srv = start_s_server(&[]);
    let pr = prober(srv.addr);
    let f = reneg::probe(&pr, "localhost", Some("localhost"))
        .await
        .expect("probe ran");
    let (f, completed) = f;
    assert_eq!(f.vulnerable, Some(false), "{}", f.evidence);
    assert!(f.evidence.contains("no_renegotiation"), "{}", f.evidence);
    assert_eq!(completed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_refuses_client_renegotiation() {
    let ngx = start_nginx("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384");
    let pr = prober(ngx.addr);
    let f = reneg::probe(&pr, "localhost", Some("localhost"))
        .await
        .expect("probe ran");
    let (f, _) = f;
    assert_eq!(f.vulnerable, Some(false), "{}", f.evidence);
    assert_eq!(
        pr.count(),
        0,
        "the probe's one handshake is rustls's, not a raw hello"
    );
}

/// Servers rustls cannot complete a handshake with (AES-CBC, RSA or finite-field DHE key
/// exchange, SHA-1/SHA-256/SHA-384 MACs) get the first handshake done by hand: every
/// renegotiation after it is completed too, both Finished messages verified each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbc_rsa_and_dhe_suites_are_renegotiated_by_hand() {
    kawal_tls::suites::load().expect("suite table");
    for (openssl_name, code) in [
        ("AES128-SHA", 0x002fu16),
        ("AES256-SHA256", 0x003d),
        ("ECDHE-RSA-AES128-SHA", 0xc013),
        ("ECDHE-RSA-AES256-SHA384", 0xc028),
        ("DHE-RSA-AES128-SHA256", 0x0067),
        ("AES128-GCM-SHA256", 0x009c),
    ] {
        let srv = start_s_server(&["-client_renegotiation", "-cipher", openssl_name]);
        let pr = prober(srv.addr);
        let e = kawal_tls::handshake12::establish(&pr, Some("localhost"), &[code], false)
            .await
            .unwrap_or_else(|e| panic!("{openssl_name}: {e}"));
        let (f, completed) = reneg::renegotiate(e, &pr, Some("localhost")).await;
        assert_eq!(f.vulnerable, Some(true), "{openssl_name}: {}", f.evidence);
        assert_eq!(
            completed,
            reneg::MAX_RENEGOTIATIONS,
            "{openssl_name}: {}",
            f.evidence
        );
    }
}

/// The same by-hand handshake against OpenSSL's default: the renegotiation is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbc_server_refusing_renegotiation_is_not_vulnerable() {
    kawal_tls::suites::load().expect("suite table");
    let srv = start_s_server(&["-cipher", "AES128-SHA"]);
    let pr = prober(srv.addr);
    let e = kawal_tls::handshake12::establish(&pr, Some("localhost"), &[0x002f], false)
        .await
        .expect("first handshake");
    let (f, completed) = reneg::renegotiate(e, &pr, Some("localhost")).await;
    assert_eq!(f.vulnerable, Some(false), "{}", f.evidence);
    assert!(f.evidence.contains("no_renegotiation"), "{}", f.evidence);
    assert_eq!(completed, 0);
}
