//! Loopback test servers: rustls with generated PKI, hostile TCP servers, and a legacy nginx.
#![allow(dead_code)]

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A root CA and an intermediate, both ECDSA P-256.
pub struct Pki {
    pub root: CertifiedIssuer<'static, KeyPair>,
    pub inter: CertifiedIssuer<'static, KeyPair>,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

impl Pki {
    pub fn new() -> Pki {
        let root = CertifiedIssuer::self_signed(
            ca_params("Kawal Test Root"),
            KeyPair::generate().expect("key"),
        )
        .expect("root");
        let inter = CertifiedIssuer::signed_by(
            ca_params("Kawal Test Intermediate"),
            KeyPair::generate().expect("key"),
            &root,
        )
        .expect("intermediate");
        Pki { root, inter }
    }

    pub fn root_pem(&self) -> String {
        self.root.pem()
    }

    /// Leaf for `names` signed by the intermediate, valid over the given window.
    pub fn leaf(
        &self,
        names: &[&str],
        not_before: time::OffsetDateTime,
        not_after: time::OffsetDateTime,
    ) -> (CertificateDer<'static>, KeyPair) {
        let key = KeyPair::generate().expect("key");
        let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
        p.distinguished_name.push(DnType::CommonName, names[0]);
        p.not_before = not_before;
        p.not_after = not_after;
        let cert = p.signed_by(&key, &self.inter).expect("leaf");
        (cert.der().clone(), key)
    }

    pub fn inter_der(&self) -> CertificateDer<'static> {
        self.inter.der().clone()
    }
}

pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

pub fn days(n: i64) -> time::Duration {
    time::Duration::days(n)
}

/// Self-signed leaf.
pub fn self_signed(names: &[&str]) -> (CertificateDer<'static>, KeyPair) {
    let key = KeyPair::generate().expect("key");
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("params");
    p.distinguished_name.push(DnType::CommonName, names[0]);
    let cert = p.self_signed(&key).expect("self-signed");
    (cert.der().clone(), key)
}

/// Always presents one chain. The signing key may differ from the certificate key on purpose:
/// aws-lc-rs will not sign with RSA-1024, and the scanner only needs to see the certificate.
#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl ResolvesServerCert for Fixed {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Starts a rustls TLS 1.2 + 1.3 server on 127.0.0.1 with `chain`, signing with `key`.
pub async fn rustls_server(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> SocketAddr {
    rustls_server_with_ocsp(chain, key, None).await
}

/// Like [`rustls_server`], stapling `ocsp` when the client asks for it.
pub async fn rustls_server_with_ocsp(
    chain: Vec<CertificateDer<'static>>,
    key: &KeyPair,
    ocsp: Option<Vec<u8>>,
) -> SocketAddr {
    rustls_server_on("127.0.0.1:0", chain, key, ocsp).await
}

/// Like [`rustls_server_with_ocsp`] on a chosen loopback bind address (e.g. "[::1]:0").
pub async fn rustls_server_on(
    bind: &str,
    chain: Vec<CertificateDer<'static>>,
    key: &KeyPair,
    ocsp: Option<Vec<u8>>,
) -> SocketAddr {
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signer = provider()
        .key_provider
        .load_private_key(der)
        .expect("signing key");
    let mut ck = CertifiedKey::new(chain, signer);
    ck.ocsp = ocsp;
    let ck = Arc::new(ck);
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
        .expect("versions")
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Fixed(ck)));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(bind).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(Ok(mut tls)) =
                    tokio::time::timeout(Duration::from_secs(5), acceptor.accept(tcp)).await
                {
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    addr
}

/// Kinds of misbehaving servers.
#[derive(Debug, Clone, Copy)]
pub enum Hostile {
    /// Sends the start of a record, then closes.
    ClosesMidRecord,
    /// Sends an HTTP error instead of TLS.
    Garbage,
    /// Announces a record of 65535 bytes (over the TLS limit) and keeps the socket open.
    OversizedRecord,
    /// Announces a 16 MiB handshake message inside a valid record and keeps the socket open.
    HugeHandshake,
    /// Reads the hello and never answers.
    Silent,
    /// Answers every hello with an SSLv2 ERROR message.
    Sslv2Reply,
    /// Speaks only SSLv2: a valid SERVER-HELLO to SSLv2 hellos, a reset to anything else.
    Sslv2Only,
}

/// Starts a hostile server on 127.0.0.1.
pub async fn hostile_server(kind: Hostile) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = tcp.read(&mut buf).await.unwrap_or(0);
                let sslv2_hello: Vec<u8> = {
                    // SERVER-HELLO: no session hit, X.509, version 2, 2-byte "cert", two specs, 16-byte connection id.
                    let mut m = vec![
                        4, 0, 1, 0x00, 0x02, 0x00, 0x02, 0x00, 0x06, 0x00, 0x10, 0x30, 0x00,
                    ];
                    m.extend_from_slice(&[0x01, 0x00, 0x80, 0x07, 0x00, 0xC0]);
                    m.extend_from_slice(&[0x42; 16]);
                    let mut r = vec![0x80, m.len() as u8];
                    r.extend_from_slice(&m);
                    r
                };
                let reply: &[u8] = match kind {
                    Hostile::Sslv2Only if n > 0 && buf[0] & 0x80 != 0 => &sslv2_hello,
                    Hostile::Sslv2Only => &[],
                    Hostile::ClosesMidRecord => &[0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00],
                    Hostile::Garbage => b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                    Hostile::OversizedRecord => &[0x16, 0x03, 0x03, 0xFF, 0xFF, 0x02, 0x00],
                    Hostile::HugeHandshake => &[
                        0x16, 0x03, 0x03, 0x00, 0x08, 0x02, 0xFF, 0xFF, 0xFF, 0x03, 0x03, 0, 0,
                    ],
                    Hostile::Silent => &[],
                    Hostile::Sslv2Reply => &[0x80, 0x03, 0x00, 0x00, 0x01],
                };
                let _ = tcp.write_all(reply).await;
                match kind {
                    Hostile::ClosesMidRecord
                    | Hostile::Garbage
                    | Hostile::Sslv2Reply
                    | Hostile::Sslv2Only => {}
                    _ => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    addr
}

/// Writes `contents` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).expect("write temp file");
    p
}

/// Runs openssl with `args`, panicking with its stderr on failure.
pub fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl command-line tool is required (Debian package: openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A fresh temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "kawal-tls-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running nginx, killed on drop.
pub struct Nginx {
    pub child: Child,
    pub addr: SocketAddr,
    pub dir: TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Finds the nginx binary or fails the test with the package to install.
pub fn nginx_binary() -> PathBuf {
    for p in [
        "/usr/sbin/nginx",
        "/usr/bin/nginx",
        "/usr/local/sbin/nginx",
        "/usr/local/bin/nginx",
    ] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!(
        "nginx binary not found: the legacy-server test needs it. Install it with `apt-get install nginx-light`"
    );
}

/// Starts nginx on an ephemeral loopback port with an RSA-2048 certificate and the given TLS settings.
pub fn start_nginx(protocols: &str, ciphers: &str) -> Nginx {
    start_nginx_with(protocols, ciphers, "ssl_prefer_server_ciphers on;")
}

/// Like [`start_nginx`], with `extra` directives in the server block instead of server preference.
pub fn start_nginx_with(protocols: &str, ciphers: &str, extra: &str) -> Nginx {
    let bin = nginx_binary();
    let dir = TempDir::new("nginx");
    let d = dir.0.clone();
    let key = d.join("key.pem");
    let cert = d.join("cert.pem");
    let dh = d.join("dh.pem");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-days",
        "30",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        key.to_str().unwrap_or_default(),
        "-out",
        cert.to_str().unwrap_or_default(),
    ]);
    // Named RFC 7919 group: instant, no prime search.
    openssl(&[
        "genpkey",
        "-genparam",
        "-algorithm",
        "DH",
        "-pkeyopt",
        "dh_param:ffdhe2048",
        "-out",
        dh.to_str().unwrap_or_default(),
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let p = |x: &Path| x.display().to_string();
    let conf = format!(
        r#"daemon off;
master_process off;
pid {pid};
error_log {log};
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_dhparam {dh};
    ssl_protocols {protocols};
    ssl_ciphers "{ciphers}";
    {extra}
    location / {{ return 200 "ok"; }}
  }}
}}
"#,
        pid = p(&d.join("nginx.pid")),
        log = p(&d.join("error.log")),
        tmp = p(&d),
        cert = p(&cert),
        key = p(&key),
        dh = p(&dh),
    );
    let conf_path = write(&d, "nginx.conf", conf.as_bytes());
    let child = Command::new(bin)
        .arg("-c")
        .arg(&conf_path)
        .arg("-e")
        .arg(d.join("error.log"))
        .arg("-p")
        .arg(&d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn nginx");
    let addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut n = Nginx { child, addr, dir };
    for _ in 0..100 {
        if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
            return n;
        }
        if let Ok(Some(status)) = n.child.try_wait() {
            let log = std::fs::read_to_string(n.dir.0.join("error.log")).unwrap_or_default();
            panic!("nginx exited with {status}: {log}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nginx did not start listening on {addr}");
}

/// OpenSSL's view of which suites `ciphers` allows for a protocol flag such as "-tls1_2" (2-byte codes, in order).
pub fn openssl_suites(proto_flag: &str, ciphers: &str) -> Vec<u16> {
    let out = openssl(&["ciphers", "-s", proto_flag, "-V", ciphers]);
    String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|l| {
            let code = l.split_whitespace().next()?;
            let (a, b) = code.split_once(',')?;
            let a = u8::from_str_radix(a.trim_start_matches("0x"), 16).ok()?;
            let b = u8::from_str_radix(b.trim_start_matches("0x"), 16).ok()?;
            Some(u16::from_be_bytes([a, b]))
        })
        .filter(|c| c >> 8 != 0x13)
        .collect()
}

/// What a scripted SSLv3/TLS 1.0 server saw in a ClientHello.
#[derive(Debug, Default)]
struct SeenHello {
    version: u16,
    suites: Vec<u16>,
    compression: Vec<u8>,
    extensions: Vec<u16>,
}

/// Minimal ClientHello reader for the scripted server (test-only; the scanner never parses client hellos).
fn read_client_hello(rec: &[u8]) -> Option<SeenHello> {
    let body = rec.get(5..)?;
    if rec.first() != Some(&0x16) || body.first() != Some(&1) {
        return None;
    }
    let b = body.get(4..)?;
    let version = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
    let mut i = 2 + 32;
    let sid = usize::from(*b.get(i)?);
    i += 1 + sid;
    let n = usize::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]));
    let suites = b
        .get(i + 2..i + 2 + n)?
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    i += 2 + n;
    let nc = usize::from(*b.get(i)?);
    let compression = b.get(i + 1..i + 1 + nc)?.to_vec();
    i += 1 + nc;
    let mut extensions = Vec::new();
    if let Some(len) = b.get(i..i + 2) {
        let end = i + 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
        let mut j = i + 2;
        while j + 4 <= end {
            let t = u16::from_be_bytes([*b.get(j)?, *b.get(j + 1)?]);
            let l = usize::from(u16::from_be_bytes([*b.get(j + 2)?, *b.get(j + 3)?]));
            extensions.push(t);
            j += 4 + l;
        }
    }
    Some(SeenHello {
        version,
        suites,
        compression,
        extensions,
    })
}

/// Flaws of OpenSSL 1.0.1 (before 1.0.1g/h) the scripted server can reproduce after its first flight.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flaws {
    /// Answer a heartbeat request with as many bytes as it claims (filled with stand-in memory).
    pub heartbleed: bool,
    /// Accept an early ChangeCipherSpec, then fail to decrypt the next record (bad_record_mac).
    pub ccs_injection: bool,
    /// Prefer DHE-RSA-AES128-SHA with this prime (big-endian) in the ServerKeyExchange.
    pub dhe_prime: Option<&'static [u8]>,
    /// A Bleichenbacher oracle: decrypt the ClientKeyExchange with this key and answer a
    /// premaster without the 0x00 0x02 prefix at once with handshake_failure, a well-formed one
    /// only after the Finished, with bad_record_mac.
    pub robot_oracle: Option<&'static RsaPrivate>,
    /// Prefer the export suites (RSA 40-bit RC4 and DES, and DHE with a 512-bit group), as
    /// servers configured in the 1990s still do.
    pub export: bool,
}

/// The export suites a flawed server prefers: RSA_EXPORT_WITH_RC4_40_MD5,
/// RSA_EXPORT_WITH_DES40_CBC_SHA, DHE_RSA_EXPORT_WITH_DES40_CBC_SHA.
const EXPORT_SUITES: [u16; 3] = [0x0003, 0x0008, 0x0014];

/// A 512-bit group modulus for the export DHE suite (its primality is never checked: the
/// scanner reads its size and compares it with the widely shared primes).
const EXPORT_DH_512: [u8; 64] = [0xd3; 64];

/// An RSA private key as the scripted oracle needs it.
#[derive(Debug)]
pub struct RsaPrivate {
    pub n: num_bigint::BigUint,
    pub d: num_bigint::BigUint,
}

/// A self-signed RSA-1024 certificate (DER) and its private key, made by openssl.
pub fn rsa_cert_and_key() -> (Vec<u8>, &'static RsaPrivate) {
    let dir = TempDir::new("rsa");
    let key = dir.0.join("key.pem");
    let cert = dir.0.join("cert.der");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-outform",
        "DER",
        "-keyout",
        key.to_str().unwrap_or_default(),
        "-out",
        cert.to_str().unwrap_or_default(),
    ]);
    let text = String::from_utf8(openssl(&[
        "rsa",
        "-in",
        key.to_str().unwrap_or_default(),
        "-noout",
        "-text",
    ]))
    .expect("utf-8");
    let field = |name: &str| {
        let hex: String = text
            .lines()
            .skip_while(|l| !l.starts_with(name))
            .skip(1)
            .take_while(|l| l.starts_with(' '))
            .flat_map(|l| l.trim().split(':'))
            .collect();
        num_bigint::BigUint::parse_bytes(hex.as_bytes(), 16).expect("hex field")
    };
    let private = RsaPrivate {
        n: field("modulus:"),
        d: field("privateExponent:"),
    };
    let der = std::fs::read(&cert).expect("cert");
    (der, Box::leak(Box::new(private)))
}

/// Reacts to the records a client sends after the first flight, as a patched or flawed server would.
async fn after_flight(tcp: &mut tokio::net::TcpStream, version: u16, flaws: Flaws) {
    let mut ccs_accepted = false;
    let mut premaster_ok = false;
    loop {
        let mut head = [0u8; 5];
        if tcp.read_exact(&mut head).await.is_err() {
            return;
        }
        let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
        if tcp.read_exact(&mut body).await.is_err() {
            return;
        }
        let alert = |d: u8| vec![0x15, (version >> 8) as u8, version as u8, 0, 2, 2, d];
        match head[0] {
            24 if flaws.heartbleed && body.len() >= 3 && body[0] == 1 => {
                // The bug: trust the claimed length and copy that much "memory".
                let claimed = usize::from(u16::from_be_bytes([body[1], body[2]]));
                let mut resp = vec![2, body[1], body[2]];
                resp.extend((0..claimed).map(|i| body.get(3 + i).copied().unwrap_or(0xa5)));
                resp.extend_from_slice(&[0u8; 16]);
                let mut rec = vec![24, (version >> 8) as u8, version as u8];
                rec.extend_from_slice(&(resp.len() as u16).to_be_bytes());
                rec.extend_from_slice(&resp);
                let _ = tcp.write_all(&rec).await;
            }
            // RFC 6520: a heartbeat whose claimed length exceeds the record is discarded silently.
            24 => {}
            22 if flaws.robot_oracle.is_some() && !premaster_ok && body.first() == Some(&16) => {
                let key = flaws.robot_oracle.expect("checked");
                let c = num_bigint::BigUint::from_bytes_be(body.get(6..).unwrap_or_default());
                let m = c.modpow(&key.d, &key.n).to_bytes_be();
                // to_bytes_be drops the leading 0x00, so a well-formed block is one byte short.
                let k = key.n.to_bytes_be().len();
                if m.len() == k - 1 && m.first() == Some(&2) {
                    premaster_ok = true;
                } else {
                    let _ = tcp.write_all(&alert(40)).await;
                    return;
                }
            }
            20 if premaster_ok => ccs_accepted = true,
            20 if flaws.ccs_injection => ccs_accepted = true,
            20 => {
                let _ = tcp.write_all(&alert(10)).await;
                return;
            }
            22 if ccs_accepted => {
                let _ = tcp.write_all(&alert(20)).await;
                return;
            }
            _ => {
                let _ = tcp.write_all(&alert(10)).await;
                return;
            }
        }
    }
}

/// A scripted server of the SSLv3/TLS 1.0 era that no modern library will impersonate: SSL 3.0 and TLS 1.0 only,
/// suites AES128-SHA > DES-CBC3-SHA > RC4-SHA (server order), DEFLATE compression when offered, heartbeat echoed,
/// no renegotiation_info and no TLS_FALLBACK_SCSV handling. It never completes a handshake; after its first flight
/// it behaves as a patched OpenSSL would.
pub async fn scripted_sslv3_server(cert_der: Vec<u8>) -> SocketAddr {
    scripted_server(cert_der, Flaws::default()).await
}

/// The scripted SSL 3.0/TLS 1.0 server with the given flaws after its first flight.
pub async fn scripted_server(cert_der: Vec<u8>, flaws: Flaws) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let cert_der = Arc::new(cert_der);
    tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else {
                return;
            };
            let cert_der = cert_der.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut got = 0;
                // Read one whole record.
                while got < 5 || got < 5 + usize::from(u16::from_be_bytes([buf[3], buf[4]])) {
                    match tcp.read(&mut buf[got..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got += n,
                    }
                    if got >= buf.len() {
                        return;
                    }
                }
                let Some(h) = read_client_hello(&buf[..got]) else {
                    return;
                };
                if h.version < 0x0300 {
                    return;
                }
                let version = h.version.min(0x0301);
                let dhe_prime = flaws.dhe_prime.filter(|_| h.suites.contains(&0x0033));
                let mut preferred: Vec<u16> = if dhe_prime.is_some() {
                    vec![0x0033]
                } else {
                    vec![0x002f, 0x000a, 0x0005]
                };
                if flaws.export {
                    preferred.splice(0..0, EXPORT_SUITES);
                }
                let Some(suite) = preferred.iter().copied().find(|s| h.suites.contains(s)) else {
                    let _ = tcp
                        .write_all(&[0x15, 0x03, version as u8, 0, 2, 2, 40])
                        .await;
                    return;
                };
                let mut sh = version.to_be_bytes().to_vec();
                sh.extend_from_slice(&[0x33; 32]);
                sh.push(0);
                sh.extend_from_slice(&suite.to_be_bytes());
                sh.push(u8::from(h.compression.contains(&1)));
                if h.extensions.contains(&15) {
                    sh.extend_from_slice(&[0, 5, 0, 15, 0, 1, 1]);
                }
                let mut hs = vec![2, 0, 0, sh.len() as u8];
                hs.extend_from_slice(&sh);
                let l = cert_der.len();
                hs.extend_from_slice(&[11, 0, ((l + 6) >> 8) as u8, (l + 6) as u8]);
                hs.extend_from_slice(&[
                    0,
                    ((l + 3) >> 8) as u8,
                    (l + 3) as u8,
                    0,
                    (l >> 8) as u8,
                    l as u8,
                ]);
                hs.extend_from_slice(&cert_der);
                let dhe = match suite {
                    0x0033 => dhe_prime,
                    0x0014 => Some(&EXPORT_DH_512[..]),
                    _ => None,
                };
                if let Some(p) = dhe {
                    // ServerKeyExchange: p, g = 2, Ys = 2; the signature is never checked.
                    let mut ske = (p.len() as u16).to_be_bytes().to_vec();
                    ske.extend_from_slice(p);
                    ske.extend_from_slice(&[0, 1, 2, 0, 1, 2, 0, 2, 0, 0]);
                    hs.extend_from_slice(&[12, 0, (ske.len() >> 8) as u8, ske.len() as u8]);
                    hs.extend_from_slice(&ske);
                }
                hs.extend_from_slice(&[14, 0, 0, 0]);
                let mut rec = vec![
                    0x16,
                    0x03,
                    version as u8,
                    (hs.len() >> 8) as u8,
                    hs.len() as u8,
                ];
                rec.extend_from_slice(&hs);
                let _ = tcp.write_all(&rec).await;
                after_flight(&mut tcp, version, flaws).await;
            });
        }
    });
    addr
}

/// A loopback TCP relay in front of `upstream` that counts the connections it accepts, so a test
/// can check the scanner's handshake count against what the server actually saw.
pub async fn counting_relay(
    upstream: SocketAddr,
) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut down, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                }
            });
        }
    });
    (addr, count)
}

/// A target for `localhost` reached through a [`counting_relay`] in front of `upstream`.
pub async fn relayed_target(
    upstream: SocketAddr,
) -> (kawal_tls::Target, Arc<std::sync::atomic::AtomicUsize>) {
    let (relay, connections) = counting_relay(upstream).await;
    let t = kawal_tls::Target {
        host: "localhost".into(),
        port: relay.port(),
        sni: None,
        ip: Some(relay.ip()),
    };
    (t, connections)
}

/// A full scan of `upstream` through a [`counting_relay`] at 2 s timeouts: the report and the
/// connections the server saw.
#[allow(dead_code)]
pub async fn scan_counted(upstream: SocketAddr) -> (kawal_tls::TlsReport, usize) {
    let (t, connections) = relayed_target(upstream).await;
    let opts = kawal_tls::ScanOptions {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        ..kawal_tls::ScanOptions::default()
    };
    let r = kawal_tls::scan(&t, &opts).await.expect("scan");
    (r, connections.load(std::sync::atomic::Ordering::SeqCst))
}

/// A server that speaks only SSL 2.0 and presents `cert_der` in its SERVER-HELLO, like an old
/// mail server sharing the web server's certificate.
pub async fn sslv2_server(cert_der: Vec<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let cert = Arc::new(cert_der);
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let cert = cert.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = tcp.read(&mut buf).await.unwrap_or(0);
                if n == 0 || buf[0] & 0x80 == 0 {
                    return;
                }
                // SERVER-HELLO: no session hit, X.509, version 2, the certificate, one spec
                // (SSL_CK_RC4_128_WITH_MD5), 16-byte connection id.
                let mut m = vec![4, 0, 1, 0x00, 0x02];
                m.extend_from_slice(&(cert.len() as u16).to_be_bytes());
                m.extend_from_slice(&[0x00, 0x03, 0x00, 0x10]);
                m.extend_from_slice(&cert);
                m.extend_from_slice(&[0x01, 0x00, 0x80]);
                m.extend_from_slice(&[0x42; 16]);
                let mut r = vec![0x80 | (m.len() >> 8) as u8, m.len() as u8];
                r.extend_from_slice(&m);
                let _ = tcp.write_all(&r).await;
            });
        }
    });
    addr
}
