//! The HTTP client against real servers on loopback: scope, rate limit, caps, hostile peers.

mod common;

use kawal::config::NetConfig;
use kawal::net::{HttpClient, NetError, Scope};
use kawal_fixture::FixtureConfig;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use url::Url;

fn client(base: &str, cfg: NetConfig) -> HttpClient {
    let u = Url::parse(base).expect("url");
    HttpClient::new(cfg, Scope::new(&u, &[])).expect("client")
}

/// The hardened demo target serving its pages over plain HTTP too (no redirect to HTTPS).
async fn plain_http_fixture() -> kawal_fixture::Fixture {
    common::fixture(
        FixtureConfig::hardened()
            .with_flaw("http_no_redirect", true)
            .expect("flaw"),
    )
    .await
}

fn unlimited() -> NetConfig {
    NetConfig {
        rate_limit: 0.0,
        ..NetConfig::default()
    }
}

#[tokio::test]
async fn out_of_scope_redirect_is_recorded_not_followed() {
    let f = plain_http_fixture().await;
    let c = client(&f.http_url, unlimited());
    let url = Url::parse(&format!(
        "{}/_test/redirect?to=http://outside.invalid/steal",
        f.http_url
    ))
    .expect("url");
    let ex = c.get(&url).await.expect("exchange");
    assert_eq!(ex.response.status, 302);
    assert_eq!(
        ex.blocked_redirect.as_deref(),
        Some("http://outside.invalid/steal")
    );
    assert!(ex.hops.is_empty());
    assert_eq!(c.requests_sent(), 1, "nothing was sent to the outside host");
    // A direct request out of scope is refused before any traffic.
    let err = c
        .get(&Url::parse("http://outside.invalid/").expect("url"))
        .await
        .expect_err("refused");
    assert!(matches!(err, NetError::OutOfScope { .. }), "{err}");
    assert_eq!(c.requests_sent(), 1);
    f.shutdown().await;
}

#[tokio::test]
async fn in_scope_redirects_are_followed_and_loops_end() {
    let f = common::fixture(FixtureConfig::hardened()).await;
    let mut cfg = unlimited();
    cfg.extra_ca_pem = Some(f.ca_pem.clone().into_bytes());
    let c = client(&f.http_url, cfg);
    // Hardened HTTP answers 301 to the HTTPS port on the same host: in scope, followed.
    let ex = c
        .get(&Url::parse(&format!("{}/about", f.http_url)).expect("url"))
        .await
        .expect("ok");
    assert_eq!(ex.hops.len(), 1);
    assert_eq!(ex.response.status, 200);
    assert_eq!(ex.response.url.scheme(), "https");
    let loop_url = Url::parse(&format!(
        "{}/_test/redirect-loop",
        f.https_url.as_deref().expect("https")
    ))
    .expect("url");
    let err = c.get(&loop_url).await.expect_err("loop");
    assert!(
        matches!(err, NetError::TooManyRedirects { max: 10, .. }),
        "{err}"
    );
    f.shutdown().await;
}

#[tokio::test]
async fn rate_limit_holds() {
    let f = plain_http_fixture().await;
    let rate = 20.0;
    let c = client(
        &f.http_url,
        NetConfig {
            rate_limit: rate,
            ..NetConfig::default()
        },
    );
    let url = Url::parse(&format!("{}/_test/status?code=204", f.http_url)).expect("url");
    let n = 11;
    let start = Instant::now();
    let mut tasks = Vec::new();
    let c = std::sync::Arc::new(c);
    for _ in 0..n {
        let c = c.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            c.get(&url).await.map(|e| e.response.status)
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("request"), 204);
    }
    let elapsed = start.elapsed();
    // n requests at `rate` per second with no burst need at least (n-1)/rate seconds.
    let min = Duration::from_secs_f64((n - 1) as f64 / rate);
    assert!(
        elapsed >= min,
        "{n} requests took {elapsed:?}, less than {min:?}"
    );
    f.shutdown().await;
}

#[tokio::test]
async fn body_cap_truncates_and_flags() {
    let f = plain_http_fixture().await;
    let c = client(
        &f.http_url,
        NetConfig {
            body_cap: 64 * 1024,
            ..unlimited()
        },
    );
    let big = Url::parse(&format!("{}/_test/big?bytes=5000000", f.http_url)).expect("url");
    let r = c.get(&big).await.expect("ok").response;
    assert!(r.truncated);
    assert_eq!(r.body.len(), 64 * 1024);
    let small = Url::parse(&format!("{}/_test/big?bytes=1000", f.http_url)).expect("url");
    let r = c.get(&small).await.expect("ok").response;
    assert!(!r.truncated);
    assert_eq!(r.body.len(), 1000);
    f.shutdown().await;
}

#[tokio::test]
async fn compression_bomb_is_capped_after_decompression() {
    let f = plain_http_fixture().await;
    let c = client(
        &f.http_url,
        NetConfig {
            body_cap: 1024 * 1024,
            ..unlimited()
        },
    );
    let bomb = Url::parse(&format!("{}/_test/gzip-bomb?mb=512", f.http_url)).expect("url");
    let start = Instant::now();
    let r = c.get(&bomb).await.expect("ok").response;
    assert!(r.truncated, "512 MiB of zeros must stop at the 1 MiB cap");
    assert_eq!(r.body.len(), 1024 * 1024);
    assert!(
        r.body.iter().all(|&b| b == 0),
        "the body was really decompressed"
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    f.shutdown().await;
}

#[tokio::test]
async fn slow_server_times_out() {
    let f = plain_http_fixture().await;
    let c = client(
        &f.http_url,
        NetConfig {
            total_timeout: Duration::from_millis(300),
            ..unlimited()
        },
    );
    let slow = Url::parse(&format!("{}/_test/slow?ms=5000", f.http_url)).expect("url");
    let err = c.get(&slow).await.expect_err("timeout");
    assert!(matches!(err, NetError::Timeout { .. }), "{err}");
    f.shutdown().await;
}

#[tokio::test]
async fn connection_reset_is_a_clear_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            // Read a little of the request, then reset instead of answering.
            let mut buf = [0u8; 64];
            let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
            let _ = s.set_zero_linger();
            let _ = s.shutdown().await;
            drop(s);
        }
    });
    let c = client(&format!("http://{addr}/"), unlimited());
    let err = c
        .get(&Url::parse(&format!("http://{addr}/")).expect("url"))
        .await
        .expect_err("reset");
    assert!(err.is_unreachable(), "{err:?}");
    assert!(
        matches!(err, NetError::Reset { .. } | NetError::Connect { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn untrusted_certificate_is_reported_unless_trusted_or_insecure() {
    let f = common::fixture(FixtureConfig::hardened()).await;
    let https = f.https_url.clone().expect("https");
    let url = Url::parse(&format!("{https}/")).expect("url");
    let err = client(&https, unlimited())
        .get(&url)
        .await
        .expect_err("untrusted");
    assert!(matches!(err, NetError::Tls { .. }), "{err:?}");
    assert!(
        err.to_string().contains("--insecure"),
        "the message says how to proceed: {err}"
    );
    // A sentence, not the verifier's enum name.
    let text = err.to_string();
    assert!(
        text.contains("Penerbit sertifikat tidak dikenal") && text.contains("Unknown issuer"),
        "{text}"
    );
    assert!(!text.contains("UnknownIssuer"), "{text}");
    let trusted = NetConfig {
        extra_ca_pem: Some(f.ca_pem.clone().into_bytes()),
        ..unlimited()
    };
    assert_eq!(
        client(&https, trusted)
            .get(&url)
            .await
            .expect("trusted")
            .response
            .status,
        200
    );
    let insecure = NetConfig {
        insecure: true,
        ..unlimited()
    };
    assert_eq!(
        client(&https, insecure)
            .get(&url)
            .await
            .expect("insecure")
            .response
            .status,
        200
    );
    f.shutdown().await;
}

#[tokio::test]
async fn user_agent_names_kawal() {
    let f = plain_http_fixture().await;
    let c = client(&f.http_url, unlimited());
    let r = c
        .get(&Url::parse(&format!("{}/_test/headers", f.http_url)).expect("url"))
        .await
        .expect("ok")
        .response;
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    let ua = v["user-agent"].as_str().expect("ua");
    assert!(
        ua.starts_with(&format!("Kawal/{}", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
    f.shutdown().await;
}

/// An HTTPS server on loopback presenting `leaf` (signed by `ca`), answering "ok" to anything.
async fn https_with(names: &[&str], valid_days: (i64, i64)) -> (std::net::SocketAddr, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("ca");
    let key = KeyPair::generate().expect("key");
    let mut p = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .expect("params");
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now + time::Duration::days(valid_days.0);
    p.not_after = now + time::Duration::days(valid_days.1);
    let leaf = p.signed_by(&key, &ca).expect("leaf");
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .expect("config");
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut s) = acceptor.accept(tcp).await {
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                        .await;
                }
            });
        }
    });
    (addr, ca.pem())
}

async fn tls_error(names: &[&str], valid_days: (i64, i64)) -> String {
    let (addr, ca) = https_with(names, valid_days).await;
    let cfg = NetConfig {
        extra_ca_pem: Some(ca.into_bytes()),
        resolve: vec![("simpeg.example.go.id".into(), addr.ip())],
        ..unlimited()
    };
    let base = format!("https://simpeg.example.go.id:{}/", addr.port());
    let err = client(&base, cfg)
        .get(&Url::parse(&base).expect("url"))
        .await
        .expect_err("verification fails");
    assert!(matches!(err, NetError::Tls { .. }), "{err:?}");
    err.to_string()
}

#[tokio::test]
async fn certificate_errors_read_as_sentences_in_both_languages() {
    let expired = tls_error(&["simpeg.example.go.id"], (-400, -10)).await;
    let day = (time::OffsetDateTime::now_utc() - time::Duration::days(10)).date();
    assert!(
        expired.contains(&format!("kedaluwarsa pada {day}"))
            && expired.contains(&format!("expired on {day}")),
        "{expired}"
    );
    let mismatch = tls_error(&["a.example.go.id", "b.example.go.id"], (-1, 30)).await;
    assert!(
        mismatch.contains("Nama tidak cocok")
            && mismatch.contains("the certificate names a.example.go.id, b.example.go.id"),
        "{mismatch}"
    );
    assert!(!mismatch.contains("DnsName"), "{mismatch}");
}

/// A host that stopped answering is not waited on request after request: after
/// `SILENT_AFTER` timeouts, later requests fail at once. As many answers since the first
/// timeout show the host is serving and start the count over; a lone answer between timeouts
/// (a tarpit behind a working front page) does not.
#[tokio::test]
async fn a_host_that_stopped_answering_fails_fast_after_a_few_timeouts() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = l.local_addr().expect("addr").port();
    let answer = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let a = answer.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let speak = a.load(std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                if speak {
                    let _ = s
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        )
                        .await;
                } else {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
            });
        }
    });
    let base = format!("http://127.0.0.1:{port}");
    let c = client(
        &base,
        NetConfig {
            read_timeout: Duration::from_millis(300),
            total_timeout: Duration::from_millis(600),
            ..unlimited()
        },
    );
    let u = Url::parse(&format!("{base}/")).expect("url");
    let silent = |on: bool| answer.store(!on, std::sync::atomic::Ordering::SeqCst);
    let n = kawal::net::SILENT_AFTER;
    silent(true);
    for _ in 0..n - 1 {
        assert!(matches!(c.get(&u).await, Err(NetError::Timeout { .. })));
    }
    silent(false);
    for _ in 0..n {
        assert!(
            c.get(&u).await.is_ok(),
            "answers after the timeouts are served"
        );
    }
    // Those answers started the count over: n - 1 timeouts more do not trip it.
    silent(true);
    for _ in 0..n - 1 {
        assert!(matches!(
            c.get(&u).await,
            Err(NetError::Timeout { phase, .. }) if !phase.contains("stopped answering")
        ));
    }
    // One answer between timeouts does not: the next timeout is the n-th.
    silent(false);
    assert!(c.get(&u).await.is_ok());
    silent(true);
    assert!(matches!(
        c.get(&u).await,
        Err(NetError::Timeout { phase, .. }) if !phase.contains("stopped answering")
    ));
    answer.store(true, std::sync::atomic::Ordering::SeqCst);
    let t = std::time::Instant::now();
    let sent = c.requests_sent();
    match c.get(&u).await {
        Err(NetError::Timeout { phase, .. }) => assert!(phase.contains("stopped answering")),
        other => panic!("expected a fast timeout, got {other:?}"),
    }
    assert!(
        t.elapsed() < Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(
        c.requests_sent(),
        sent,
        "nothing more is sent to a silent host"
    );
}

/// A server that never answers, except the front page `/` when `front_page` is set; its base URL.
async fn tarpit(front_page: bool) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = l.local_addr().expect("addr").port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let n = s.read(&mut buf).await.unwrap_or(0);
                if front_page && buf[..n].starts_with(b"GET / ") {
                    let _ = s
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        )
                        .await;
                } else {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// A client as wide as the silent-host threshold, with a 0.8 s read timeout.
fn tarpit_client(base: &str) -> std::sync::Arc<HttpClient> {
    std::sync::Arc::new(client(
        base,
        NetConfig {
            concurrency: kawal::net::SILENT_AFTER,
            read_timeout: Duration::from_millis(800),
            total_timeout: Duration::from_secs(5),
            ..unlimited()
        },
    ))
}

/// Requests already queued behind the ones that time out do not each wait a timeout of their
/// own: once `SILENT_AFTER` timeouts are counted, the queue drains at once, so a tarpit costs
/// one round of the read timeout, not one per batch of the concurrency limit.
#[tokio::test]
async fn requests_queued_behind_timeouts_fail_fast() {
    let base = tarpit(false).await;
    let c = tarpit_client(&base);
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..3 * kawal::net::SILENT_AFTER {
        let c = c.clone();
        let u = Url::parse(&format!("{base}/p{i}")).expect("url");
        set.spawn(async move { c.get(&u).await });
    }
    let mut timeouts = 0;
    while let Some(r) = set.join_next().await {
        assert!(matches!(r.expect("task"), Err(NetError::Timeout { .. })));
        timeouts += 1;
    }
    assert_eq!(timeouts, 3 * kawal::net::SILENT_AFTER);
    // One round of the read timeout (0.8 s) plus slack; two rounds would be 1.6 s.
    assert!(
        t.elapsed() < Duration::from_millis(1_400),
        "queued requests waited: {:?}",
        t.elapsed()
    );
    assert_eq!(
        c.requests_sent(),
        kawal::net::SILENT_AFTER as u64,
        "only the first round reached the silent host"
    );
}

/// A tarpit behind a working front page: the front page's answers do not let requests slip
/// out between timeouts that arrive together, so the scan loses one read timeout, not two.
#[tokio::test]
async fn a_working_front_page_does_not_hide_a_tarpit() {
    let base = tarpit(true).await;
    let c = tarpit_client(&base);
    let front = Url::parse(&format!("{base}/")).expect("url");
    assert!(c.get(&front).await.is_ok(), "the front page answers");
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..kawal::net::SILENT_AFTER {
        let c = c.clone();
        let u = Url::parse(&format!("{base}/hang{i}")).expect("url");
        set.spawn(async move { c.get(&u).await.map(|_| ()) });
    }
    // The front-page requests queue behind the four that hang.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..8 {
        let c = c.clone();
        let u = front.clone();
        set.spawn(async move { c.get(&u).await.map(|_| ()) });
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        match r.expect("task") {
            Ok(()) => ok += 1,
            Err(NetError::Timeout { .. }) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(
        ok, 0,
        "the host counts as not answering once four requests timed out"
    );
    assert!(
        t.elapsed() < Duration::from_millis(1_400),
        "a second round of timeouts: {:?}",
        t.elapsed()
    );
    assert_eq!(c.requests_sent(), 1 + kawal::net::SILENT_AFTER as u64);
}
