//! Hostile HTTPS servers: broken handshakes written byte by byte, a real rustls server with a
//! 64 KB certificate chain, and a listener that never completes a TCP connection.

use super::canary::{self, Canary};
use super::harness::{Behaviour, Expect, SHORT_TIMEOUTS};
use super::http::{html_headers, page, read_request, reply};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every item a broken handshake leaves unobservable.
fn url(port: u16) -> String {
    format!("https://127.0.0.1:{port}/")
}

/// Reads one TLS record (the ClientHello), at most 16 KiB.
fn read_hello(s: &mut TcpStream) -> Vec<u8> {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = vec![0u8; 5];
    if s.read_exact(&mut buf).is_err() {
        return Vec::new();
    }
    let len = usize::from(u16::from_be_bytes([buf[3], buf[4]])).min(16 * 1024);
    let mut body = vec![0u8; len];
    if buf[0] == 0x16 && s.read_exact(&mut body).is_ok() {
        buf.extend_from_slice(&body);
    }
    buf
}

/// A TLS 1.2 ServerHello record answering `hello`: its session id echoed and one of its
/// suites chosen (an ECDHE-RSA/ECDSA AES-GCM suite when offered).
pub fn server_hello(hello: &[u8]) -> Vec<u8> {
    let (sid, suites) = parse_hello(hello).unwrap_or_default();
    let preferred = [0xc02f, 0xc030, 0xc02b, 0xc02c, 0x009c, 0x002f];
    let suite = preferred
        .iter()
        .copied()
        .find(|p| suites.contains(p))
        .or_else(|| suites.iter().copied().find(|s| s >> 8 != 0x13))
        .unwrap_or(0xc02f);
    let mut body = vec![0x03, 0x03];
    body.extend((0..32u8).map(|i| i.wrapping_mul(37).wrapping_add(11)));
    body.push(sid.len() as u8);
    body.extend_from_slice(&sid);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    // extensions: renegotiation_info (empty)
    body.extend_from_slice(&[0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00]);
    let mut hs = vec![0x02];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    record(0x16, &hs)
}

fn record(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut r = vec![kind, 0x03, 0x03];
    r.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    r.extend_from_slice(payload);
    r
}

/// Session id and cipher suites of a ClientHello record.
fn parse_hello(r: &[u8]) -> Option<(Vec<u8>, Vec<u16>)> {
    let h = r.get(5..)?;
    if r.first() != Some(&0x16) || h.first() != Some(&0x01) {
        return None;
    }
    let mut i = 4 + 2 + 32;
    let sid_len = usize::from(*h.get(i)?);
    let sid = h.get(i + 1..i + 1 + sid_len)?.to_vec();
    i += 1 + sid_len;
    let n = usize::from(u16::from_be_bytes([*h.get(i)?, *h.get(i + 1)?]));
    let suites = h
        .get(i + 2..i + 2 + n)?
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    Some((sid, suites))
}

/// Serves each connection with `f` after reading its ClientHello.
fn serve_tls_script(f: impl Fn(&[u8], &mut TcpStream) + Send + Sync + 'static) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let f = Arc::new(f);
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let f = f.clone();
            std::thread::spawn(move || {
                let hello = read_hello(&mut s);
                f(&hello, &mut s);
            });
        }
    });
    port
}

/// A valid ServerHello, then bytes that are no TLS at all.
fn garbage(hello: &[u8], s: &mut TcpStream) {
    let mut out = server_hello(hello);
    out.extend((0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let _ = s.write_all(&out);
    std::thread::sleep(Duration::from_millis(200));
}

/// A valid ServerHello, then a close_notify alert and FIN in the middle of the handshake.
fn close_notify(hello: &[u8], s: &mut TcpStream) {
    let mut out = server_hello(hello);
    out.extend(record(0x15, &[0x01, 0x00]));
    let _ = s.write_all(&out);
}

/// A storm of HelloRequest messages (a demand to renegotiate, over and over) for up to a
/// minute, never a ServerHello.
fn storm(_: &[u8], s: &mut TcpStream) {
    let per_record: Vec<u8> = [0u8, 0, 0, 0].repeat(1000);
    let rec = record(0x16, &per_record);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if s.write_all(&rec).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Every connection gets garbage after its ServerHello.
pub fn garbage_after_server_hello(_: &Canary) -> Behaviour {
    Behaviour::new(
        "TLS: garbage after ServerHello",
        url(serve_tls_script(garbage)),
        Expect::Unobserved,
    )
    .config(SHORT_TIMEOUTS)
}

/// Every connection gets close_notify in the middle of the handshake.
pub fn close_notify_mid_handshake(_: &Canary) -> Behaviour {
    Behaviour::new(
        "TLS: close_notify mid-handshake",
        url(serve_tls_script(close_notify)),
        Expect::Unobserved,
    )
    .config(SHORT_TIMEOUTS)
}

/// Every connection gets a HelloRequest storm.
pub fn renegotiation_storm(_: &Canary) -> Behaviour {
    Behaviour::new(
        "TLS: renegotiation storm (HelloRequest flood)",
        url(serve_tls_script(storm)),
        Expect::Unobserved,
    )
    .config(SHORT_TIMEOUTS)
}

/// A rustls server configuration with `chain`.
fn server_config(chain: Chain) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain.0, chain.1)
        .expect("server config");
    Arc::new(cfg)
}

/// Serves one HTTPS request on `stream` with a page full of canary references.
fn serve_https(cfg: Arc<rustls::ServerConfig>, stream: impl Read + Write, page: &Page) {
    let Ok(conn) = rustls::ServerConnection::new(cfg) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    if read_request(&mut tls).is_some() {
        reply(&mut tls, "200 OK", &page.0, &page.1);
        tls.conn.send_close_notify();
        let _ = tls.flush();
    }
}

/// Headers and body of the page the real servers answer.
type Page = (Vec<(String, String)>, Vec<u8>);

fn bait(c: &Canary, title: &str) -> Arc<Page> {
    Arc::new((
        html_headers(&canary::headers(c)),
        page(title, &canary::html(c)).into_bytes(),
    ))
}

/// A real TLS server whose certificate chain is about 64 KB (a leaf, its CA and twenty filler
/// certificates of 3 KB each), serving a page full of canary references.
pub fn large_chain(c: &Canary) -> Behaviour {
    let chain = big_chain();
    let total: usize = chain.0.iter().map(|c| c.len()).sum();
    assert!((60_000..65_536).contains(&total), "chain is {total} bytes");
    let cfg = server_config(chain);
    let page = bait(c, "Rantai");
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { continue };
            let (cfg, page) = (cfg.clone(), page.clone());
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                serve_https(cfg, s, &page);
            });
        }
    });
    Behaviour::new(
        "TLS: a 64 KB certificate chain",
        url(port),
        Expect::NoPass(&["tls.certificate"]),
    )
    .args(&["--insecure"])
    .budget(90)
}

/// A TCP stream that first yields bytes already read from it.
struct Replay {
    head: Vec<u8>,
    at: usize,
    s: TcpStream,
}

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at < self.head.len() {
            let n = buf.len().min(self.head.len() - self.at);
            buf[..n].copy_from_slice(&self.head[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        self.s.read(buf)
    }
}

impl Write for Replay {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.s.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.s.flush()
    }
}

/// Whether a ClientHello offers exactly ALPN `http/1.1`: Kawal's HTTP client (HTTP/1 only);
/// the TLS scanner's probes offer `h2` too, as browsers do.
fn from_http_client(hello: &[u8]) -> bool {
    let needle = b"\x00\x10\x00\x0b\x00\x09\x08http/1.1";
    hello.windows(needle.len()).any(|w| w == needle)
}

/// A server that completes real handshakes for Kawal's HTTP client and answers every TLS
/// scanner probe with `hostile`.
fn probes_only(c: &Canary, hostile: impl Fn(&[u8], &mut TcpStream) + Send + Sync + 'static) -> u16 {
    let cfg = server_config(small_chain());
    let page = bait(c, "Aman");
    let hostile = Arc::new(hostile);
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let (cfg, page, hostile) = (cfg.clone(), page.clone(), hostile.clone());
            std::thread::spawn(move || {
                let hello = read_hello(&mut s);
                if from_http_client(&hello) {
                    serve_https(
                        cfg,
                        Replay {
                            head: hello,
                            at: 0,
                            s,
                        },
                        &page,
                    );
                } else {
                    hostile(&hello, &mut s);
                }
            });
        }
    });
    port
}

/// Items the TLS scanner's own handshakes decide.
const SCANNER_ITEMS: &[&str] = &[
    "tls.protocols",
    "tls.cipher-suites",
    "tls.certificate",
    "tls.known-weaknesses",
];

/// The HTTP client is served; every scanner probe gets a storm of HelloRequests.
pub fn storm_for_probes(c: &Canary) -> Behaviour {
    let port = probes_only(c, storm);
    Behaviour::new(
        "TLS scanner probes: renegotiation storm",
        url(port),
        Expect::NoPass(SCANNER_ITEMS),
    )
    .args(&["--insecure"])
    .config(SHORT_TIMEOUTS)
    .budget(90)
}

/// The HTTP client is served; every scanner probe gets garbage after its ServerHello.
pub fn garbage_for_probes(c: &Canary) -> Behaviour {
    let port = probes_only(c, garbage);
    Behaviour::new(
        "TLS scanner probes: garbage after ServerHello",
        url(port),
        Expect::NoPass(SCANNER_ITEMS),
    )
    .args(&["--insecure"])
    .config(SHORT_TIMEOUTS)
    .budget(90)
}

/// The HTTP client is served; every scanner probe gets close_notify mid-handshake.
pub fn close_notify_for_probes(c: &Canary) -> Behaviour {
    let port = probes_only(c, close_notify);
    Behaviour::new(
        "TLS scanner probes: close_notify mid-handshake",
        url(port),
        // Versions and suites are read from the ServerHello, as SSL Labs does; the server
        // sends one before closing, so only the certificate stays unseen.
        Expect::NoPass(&["tls.certificate"]),
    )
    .args(&["--insecure"])
    .config(SHORT_TIMEOUTS)
    .budget(90)
}

fn small_chain() -> Chain {
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    (vec![cert.der().clone()], key)
}

type Chain = (
    Vec<rustls::pki_types::CertificateDer<'static>>,
    rustls::pki_types::PrivateKeyDer<'static>,
);

fn big_chain() -> Chain {
    use rcgen::{BasicConstraints, CertificateParams, CustomExtension, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca, &ca_key);
    let leaf_key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    let mut chain = vec![leaf.der().clone(), ca_cert.der().clone()];
    for i in 0..20u64 {
        let k = KeyPair::generate().expect("key");
        let mut p = CertificateParams::new(vec![format!("isi-{i}.invalid")]).expect("params");
        p.custom_extensions.push(CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 4, 1, 55555, 1, i],
            vec![0x04; 2_700],
        ));
        chain.push(p.self_signed(&k).expect("filler").der().clone());
    }
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    (chain, key)
}

/// A listener whose accept queue is full and never drained: connections hang in SYN-SENT.
pub fn stall_on_connect(_: &Canary) -> Behaviour {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket calls on a descriptor this function owns; the address structure is
    // fully initialised and its size stated.
    let (fd, port) = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "socket");
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        addr.sin_port = 0;
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), len),
            0
        );
        assert_eq!(libc::listen(fd, 0), 0);
        let mut got: libc::sockaddr_in = std::mem::zeroed();
        let mut got_len = len;
        libc::getsockname(
            fd,
            (&mut got as *mut libc::sockaddr_in).cast(),
            &mut got_len,
        );
        (fd, u16::from_be(got.sin_port))
    };
    // Keep the listener open for the whole test, never accepting.
    let listener = unsafe { TcpListener::from_raw_fd(fd) };
    std::mem::forget(listener);
    // Fill the queue: with backlog 0 the kernel keeps one connection; later SYNs are dropped.
    for _ in 0..3 {
        std::thread::spawn(move || {
            if let Ok(s) = TcpStream::connect_timeout(
                &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                Duration::from_secs(600),
            ) {
                std::thread::sleep(Duration::from_secs(3600));
                drop(s);
            }
        });
    }
    std::thread::sleep(Duration::from_millis(300));
    Behaviour::new(
        "stall on connect (accept queue full)",
        format!("http://127.0.0.1:{port}/"),
        Expect::Unobserved,
    )
    .config(SHORT_TIMEOUTS)
    .budget(30)
}
