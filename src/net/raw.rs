//! Requests whose path goes on the wire exactly as written.
//!
//! URL parsers normalise dot segments (`/./`, `/../`, `%2e`), so an ordinary client cannot ask
//! for `/admin/./konfigurasi` or `/%2e/admin`; path-confusion bypasses live exactly there. This
//! is a deliberately small HTTP/1.1 exchange (one request, `Connection: close`, identity
//! encoding) under the same scope, rate limit, timeouts and body cap as [`HttpClient`].

use super::{HttpClient, NetError, Response};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use url::Url;

/// A raw response could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("jawaban HTTP tidak sah / malformed HTTP answer: {0}")]
pub struct ParseError(pub String);

/// A parsed answer: status, headers (names lowercase) and body.
pub type Parsed = (u16, Vec<(String, String)>, Vec<u8>);

/// Status, headers (names lowercase) and body of a complete HTTP/1.1 answer read to EOF.
pub fn parse_response(raw: &[u8]) -> Result<Parsed, ParseError> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| ParseError("no end of headers".into()))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(ParseError(format!("status line '{status_line}'")));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|s| (100..600).contains(s))
        .ok_or_else(|| ParseError(format!("status line '{status_line}'")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else {
        match headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
        {
            Some(len) => rest[..len.min(rest.len())].to_vec(),
            None => rest.to_vec(),
        }
    };
    Ok((status, headers, body))
}

/// Decodes a chunked body; a body cut short keeps what arrived.
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, ParseError> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return Ok(out);
        };
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| ParseError(format!("chunk size '{size_hex}'")))?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        let take = size.min(data.len());
        out.extend_from_slice(&data[..take]);
        if take < size {
            return Ok(out);
        }
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

/// The request bytes, or why the path or a header cannot be sent.
pub fn request_bytes(
    method: &str,
    host_header: &str,
    raw_path: &str,
    headers: &[(String, String)],
) -> Result<Vec<u8>, String> {
    let bad = |s: &str| s.bytes().any(|b| b == b'\r' || b == b'\n');
    if !raw_path.starts_with('/') || raw_path.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(format!(
            "path '{raw_path}' must start with '/' and hold no spaces or controls"
        ));
    }
    if method.is_empty()
        || !method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(format!("method '{method}'"));
    }
    let mut s = format!(
        "{method} {raw_path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {}\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n",
        super::USER_AGENT
    );
    for (n, v) in headers {
        if bad(n) || bad(v) || n.contains(':') {
            return Err(format!("header '{n}'"));
        }
        if n.eq_ignore_ascii_case("host") || n.eq_ignore_ascii_case("connection") {
            continue;
        }
        s.push_str(&format!("{n}: {v}\r\n"));
    }
    if method == "POST" || method == "PUT" {
        s.push_str("Content-Length: 0\r\n");
    }
    s.push_str("\r\n");
    Ok(s.into_bytes())
}

impl HttpClient {
    /// Sends one request to `base`'s origin with `raw_path` written exactly as given.
    pub async fn send_raw(
        &self,
        base: &Url,
        method: &str,
        raw_path: &str,
        headers: &[(String, String)],
    ) -> Result<Response, NetError> {
        let shown = format!("{}{raw_path}", base.origin().ascii_serialization());
        let err = |detail: String| NetError::Http {
            url: shown.clone(),
            detail,
        };
        if !self.scope.allows(base) {
            return Err(NetError::OutOfScope { url: shown });
        }
        let host = base
            .host_str()
            .ok_or_else(|| err("no host".into()))?
            .to_string();
        let port = base
            .port_or_known_default()
            .ok_or_else(|| err("no port".into()))?;
        let host_header = match base.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let bytes = request_bytes(method, &host_header, raw_path, headers).map_err(err)?;
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| err(e.to_string()))?;
        self.wait_turn(base).await;
        // The same silent-host rule as every other request: path tricks against a tarpit would
        // otherwise each wait out the whole-request timeout.
        let key = super::silence_key(base);
        let admitted = self.admit(&key, &shown).await?;
        self.sent.fetch_add(1, Ordering::Relaxed);
        let r = async {
            let started = Instant::now();
            let bare = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let ip = self
                .cfg
                .resolve
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(&bare))
                .map(|(_, ip)| *ip);
            let connect = async {
                match ip {
                    Some(ip) => tokio::net::TcpStream::connect((ip, port)).await,
                    None => tokio::net::TcpStream::connect((bare.as_str(), port)).await,
                }
            };
            let tcp = tokio::time::timeout(self.cfg.connect_timeout, connect)
                .await
                .map_err(|_| NetError::Timeout {
                    url: shown.clone(),
                    phase: "connect",
                })?
                .map_err(|e| NetError::Connect {
                    url: shown.clone(),
                    detail: e.to_string(),
                })?;
            let work = async {
                if base.scheme() == "https" {
                    if self.cfg.insecure {
                        return Err(err(
                            "jalur mentah tidak dikirim dengan --insecure / raw paths are not sent with --insecure".into(),
                        ));
                    }
                    let roots =
                        kawal_tls::cert::root_store(self.cfg.extra_ca_pem.as_deref()).map_err(err)?;
                    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                        rustls::crypto::aws_lc_rs::default_provider(),
                    ))
                    .with_safe_default_protocol_versions()
                    .map_err(|e| err(e.to_string()))?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                    let name = rustls::pki_types::ServerName::try_from(bare.clone())
                        .map_err(|e| err(e.to_string()))?;
                    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                        .connect(name, tcp)
                        .await
                        .map_err(|e| NetError::Tls {
                            url: shown.clone(),
                            detail: super::rustls_error(&e)
                                .map(|r| kawal_tls::certerr::explain(r).both())
                                .unwrap_or_else(|| e.to_string()),
                        })?;
                    self.exchange(tls, &bytes, &shown).await
                } else {
                    self.exchange(tcp, &bytes, &shown).await
                }
            };
            let raw = tokio::time::timeout(self.cfg.total_timeout, work)
                .await
                .map_err(|_| NetError::Timeout {
                    url: shown.clone(),
                    phase: "read/total",
                })??;
            let truncated = raw.len() >= self.cfg.body_cap;
            let (status, headers, body) = parse_response(&raw).map_err(|e| err(e.to_string()))?;
            let mut url = base.clone();
            url.set_path("");
            url.set_query(None);
            Ok(Response {
                method: method.to_string(),
                url,
                status,
                headers,
                body,
                truncated,
                elapsed: started.elapsed(),
            })
        }
        .await;
        admitted.settle(&r);
        r
    }

    async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        mut stream: S,
        request: &[u8],
        shown: &str,
    ) -> Result<Vec<u8>, NetError> {
        let reset = |e: std::io::Error| NetError::Reset {
            url: shown.to_string(),
            detail: e.to_string(),
        };
        stream.write_all(request).await.map_err(reset)?;
        stream.flush().await.map_err(reset)?;
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        // Headers plus the capped body: reading stops at the cap like the ordinary client.
        let cap = self.cfg.body_cap.saturating_add(64 * 1024);
        loop {
            let n = match stream.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => n,
                // A TLS peer closing without close_notify after a full answer is common.
                Err(e) if !out.is_empty() && e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    break;
                }
                Err(e) => return Err(reset(e)),
            };
            let room = cap - out.len();
            out.extend_from_slice(&buf[..n.min(room)]);
            if out.len() >= cap {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_length_chunked_and_close_delimited_answers() {
        let (s, h, b) =
            parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhelloEXTRA")
                .expect("parse");
        assert_eq!((s, b.as_slice()), (200, &b"hello"[..]));
        assert!(h.contains(&("x-a".into(), "1".into())));
        let (_, _, b) = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n",
        )
        .expect("chunked");
        assert_eq!(b, b"Wikipedia");
        let (s, _, b) = parse_response(b"HTTP/1.0 403 Forbidden\r\n\r\nno").expect("close");
        assert_eq!((s, b.as_slice()), (403, &b"no"[..]));
        assert!(parse_response(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 abc\r\n\r\n").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err()
        );
    }

    #[test]
    fn request_keeps_the_path_byte_for_byte_and_refuses_injection() {
        let r = request_bytes(
            "GET",
            "a.example.go.id:8443",
            "/%2e/admin/./x;y",
            &[("X-Original-URL".into(), "/admin".into())],
        )
        .expect("request");
        let text = String::from_utf8(r).expect("ascii");
        assert!(
            text.starts_with("GET /%2e/admin/./x;y HTTP/1.1\r\nHost: a.example.go.id:8443\r\n"),
            "{text}"
        );
        assert!(text.contains("X-Original-URL: /admin\r\n") && text.ends_with("\r\n\r\n"));
        assert!(request_bytes("GET", "h", "/a b", &[]).is_err());
        assert!(request_bytes("GET", "h", "admin", &[]).is_err());
        assert!(request_bytes("GET\r\nX", "h", "/", &[]).is_err());
        assert!(
            request_bytes("GET", "h", "/", &[("X".into(), "a\r\nInjected: 1".into())]).is_err()
        );
    }
}
