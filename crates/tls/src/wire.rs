//! Pure TLS/SSL wire handling: ClientHello writers and server-response parsers (bytes in, bytes out).

use serde::Serialize;

/// Record content type: change_cipher_spec.
pub const CT_CHANGE_CIPHER_SPEC: u8 = 20;
/// Record content type: alert.
pub const CT_ALERT: u8 = 21;
/// Record content type: handshake.
pub const CT_HANDSHAKE: u8 = 22;
/// Record content type: heartbeat (RFC 6520).
pub const CT_HEARTBEAT: u8 = 24;

/// Handshake type: client_hello.
pub const HS_CLIENT_HELLO: u8 = 1;
/// Handshake type: server_hello.
pub const HS_SERVER_HELLO: u8 = 2;
/// Handshake type: certificate.
pub const HS_CERTIFICATE: u8 = 11;
/// Handshake type: server_key_exchange.
pub const HS_SERVER_KEY_EXCHANGE: u8 = 12;
/// Handshake type: certificate_request.
pub const HS_CERTIFICATE_REQUEST: u8 = 13;
/// Handshake type: server_hello_done.
pub const HS_SERVER_HELLO_DONE: u8 = 14;
/// Handshake type: certificate_status (stapled OCSP).
pub const HS_CERTIFICATE_STATUS: u8 = 22;

/// Extension: server_name.
pub const EXT_SERVER_NAME: u16 = 0;
/// Extension: status_request (OCSP stapling).
pub const EXT_STATUS_REQUEST: u16 = 5;
/// Extension: supported_groups.
pub const EXT_SUPPORTED_GROUPS: u16 = 10;
/// Extension: ec_point_formats.
pub const EXT_EC_POINT_FORMATS: u16 = 11;
/// Extension: signature_algorithms.
pub const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
/// Extension: heartbeat.
pub const EXT_HEARTBEAT: u16 = 15;
/// Extension: supported_versions.
pub const EXT_SUPPORTED_VERSIONS: u16 = 43;
/// Extension: psk_key_exchange_modes.
pub const EXT_PSK_KEY_EXCHANGE_MODES: u16 = 45;
/// Extension: key_share.
pub const EXT_KEY_SHARE: u16 = 51;
/// Extension: signed_certificate_timestamp (RFC 6962).
pub const EXT_SCT: u16 = 18;
/// Extension: renegotiation_info.
pub const EXT_RENEGOTIATION_INFO: u16 = 0xff01;

/// Signalling suite: TLS_EMPTY_RENEGOTIATION_INFO_SCSV.
pub const SCSV_RENEGOTIATION: u16 = 0x00ff;
/// Signalling suite: TLS_FALLBACK_SCSV (RFC 7507).
pub const SCSV_FALLBACK: u16 = 0x5600;

/// Alert: handshake_failure.
pub const ALERT_HANDSHAKE_FAILURE: u8 = 40;
/// Alert: protocol_version.
pub const ALERT_PROTOCOL_VERSION: u8 = 70;
/// Alert: insufficient_security.
pub const ALERT_INSUFFICIENT_SECURITY: u8 = 71;
/// Alert: inappropriate_fallback.
pub const ALERT_INAPPROPRIATE_FALLBACK: u8 = 86;

/// Largest record body a conforming peer may send (2^14 plus the TLS 1.2 expansion allowance).
pub const MAX_RECORD_LEN: usize = 16384 + 2048;

/// The SHA-256 of "HelloRetryRequest": the ServerHello random that marks a TLS 1.3 HRR.
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Protocol versions the scanner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Version {
    /// SSL 2.0 (detection only).
    Ssl2,
    /// SSL 3.0.
    Ssl3,
    /// TLS 1.0.
    Tls10,
    /// TLS 1.1.
    Tls11,
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

impl Version {
    /// All versions, oldest first.
    pub const ALL: [Version; 6] = [
        Version::Ssl2,
        Version::Ssl3,
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ];

    /// The two-byte wire value (SSLv2 uses 0x0002).
    pub fn wire(self) -> u16 {
        match self {
            Version::Ssl2 => 0x0002,
            Version::Ssl3 => 0x0300,
            Version::Tls10 => 0x0301,
            Version::Tls11 => 0x0302,
            Version::Tls12 => 0x0303,
            Version::Tls13 => 0x0304,
        }
    }

    /// Maps a wire value back to a version.
    pub fn from_wire(v: u16) -> Option<Version> {
        Some(match v {
            0x0002 => Version::Ssl2,
            0x0300 => Version::Ssl3,
            0x0301 => Version::Tls10,
            0x0302 => Version::Tls11,
            0x0303 => Version::Tls12,
            0x0304 => Version::Tls13,
            _ => return None,
        })
    }

    /// Human label such as "TLS 1.2".
    pub fn label(self) -> &'static str {
        match self {
            Version::Ssl2 => "SSL 2.0",
            Version::Ssl3 => "SSL 3.0",
            Version::Tls10 => "TLS 1.0",
            Version::Tls11 => "TLS 1.1",
            Version::Tls12 => "TLS 1.2",
            Version::Tls13 => "TLS 1.3",
        }
    }
}

/// Everything needed to write one SSLv3/TLS ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHelloSpec {
    /// Version written in the record header (0x0301 keeps old middleboxes happy; SSLv3 needs 0x0300).
    pub record_version: u16,
    /// legacy_version / client_version field.
    pub client_version: u16,
    /// Client random.
    pub random: [u8; 32],
    /// Legacy session id (32 bytes for TLS 1.3 middlebox compatibility, or empty).
    pub session_id: Vec<u8>,
    /// Cipher suite codes in preference order (signalling suites included as given).
    pub cipher_suites: Vec<u16>,
    /// Compression methods (0 = null, 1 = DEFLATE).
    pub compression_methods: Vec<u8>,
    /// Extensions; `None` writes no extensions block at all (needed for SSLv3-era servers).
    pub extensions: Option<Vec<Extension>>,
}

/// A ClientHello extension the writer knows how to encode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extension {
    /// server_name with one host_name entry.
    ServerName(String),
    /// supported_groups (named curves / FFDHE groups).
    SupportedGroups(Vec<u16>),
    /// ec_point_formats: uncompressed only.
    EcPointFormats,
    /// signature_algorithms.
    SignatureAlgorithms(Vec<u16>),
    /// status_request (OCSP) with empty responder list and extensions.
    StatusRequest,
    /// heartbeat, mode peer_allowed_to_send (1).
    Heartbeat,
    /// renegotiation_info with empty renegotiated_connection.
    RenegotiationInfo,
    /// supported_versions (client form).
    SupportedVersions(Vec<u16>),
    /// psk_key_exchange_modes: psk_dhe_ke only.
    PskKeyExchangeModes,
    /// key_share (client form): (group, key_exchange bytes); may be empty to force a HelloRetryRequest.
    KeyShare(Vec<(u16, Vec<u8>)>),
    /// Any other extension as raw (type, body).
    Raw(u16, Vec<u8>),
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
}

/// Appends `body` prefixed with a 16-bit length.
fn put_vec16(out: &mut Vec<u8>, body: &[u8]) {
    put_u16(out, body.len() as u16);
    out.extend_from_slice(body);
}

impl Extension {
    /// Extension type code.
    pub fn code(&self) -> u16 {
        match self {
            Extension::ServerName(_) => EXT_SERVER_NAME,
            Extension::SupportedGroups(_) => EXT_SUPPORTED_GROUPS,
            Extension::EcPointFormats => EXT_EC_POINT_FORMATS,
            Extension::SignatureAlgorithms(_) => EXT_SIGNATURE_ALGORITHMS,
            Extension::StatusRequest => EXT_STATUS_REQUEST,
            Extension::Heartbeat => EXT_HEARTBEAT,
            Extension::RenegotiationInfo => EXT_RENEGOTIATION_INFO,
            Extension::SupportedVersions(_) => EXT_SUPPORTED_VERSIONS,
            Extension::PskKeyExchangeModes => EXT_PSK_KEY_EXCHANGE_MODES,
            Extension::KeyShare(_) => EXT_KEY_SHARE,
            Extension::Raw(t, _) => *t,
        }
    }

    /// Encodes the extension body (without type and length).
    fn body(&self) -> Vec<u8> {
        let mut b = Vec::new();
        match self {
            Extension::ServerName(name) => {
                let mut entry = vec![0u8];
                put_vec16(&mut entry, name.as_bytes());
                put_vec16(&mut b, &entry);
            }
            Extension::SupportedGroups(groups) | Extension::SignatureAlgorithms(groups) => {
                let list: Vec<u8> = groups.iter().flat_map(|g| g.to_be_bytes()).collect();
                put_vec16(&mut b, &list);
            }
            Extension::EcPointFormats => b.extend_from_slice(&[1, 0]),
            Extension::StatusRequest => b.extend_from_slice(&[1, 0, 0, 0, 0]),
            Extension::Heartbeat => b.push(1),
            Extension::RenegotiationInfo => b.push(0),
            Extension::SupportedVersions(vs) => {
                b.push((vs.len() * 2) as u8);
                for v in vs {
                    put_u16(&mut b, *v);
                }
            }
            Extension::PskKeyExchangeModes => b.extend_from_slice(&[1, 1]),
            Extension::KeyShare(shares) => {
                let mut list = Vec::new();
                for (group, key) in shares {
                    put_u16(&mut list, *group);
                    put_vec16(&mut list, key);
                }
                put_vec16(&mut b, &list);
            }
            Extension::Raw(_, body) => b.extend_from_slice(body),
        }
        b
    }
}

/// Writes a complete ClientHello record (record header + handshake header + body).
pub fn client_hello_record(spec: &ClientHelloSpec) -> Vec<u8> {
    let mut body = Vec::with_capacity(512);
    put_u16(&mut body, spec.client_version);
    body.extend_from_slice(&spec.random);
    body.push(spec.session_id.len() as u8);
    body.extend_from_slice(&spec.session_id);
    let suites: Vec<u8> = spec
        .cipher_suites
        .iter()
        .flat_map(|c| c.to_be_bytes())
        .collect();
    put_vec16(&mut body, &suites);
    body.push(spec.compression_methods.len() as u8);
    body.extend_from_slice(&spec.compression_methods);
    if let Some(exts) = &spec.extensions {
        let mut block = Vec::new();
        for e in exts {
            put_u16(&mut block, e.code());
            put_vec16(&mut block, &e.body());
        }
        put_vec16(&mut body, &block);
    }
    let mut hs = Vec::with_capacity(body.len() + 4);
    hs.push(HS_CLIENT_HELLO);
    put_u24(&mut hs, body.len());
    hs.extend_from_slice(&body);
    let mut rec = Vec::with_capacity(hs.len() + 5);
    rec.push(CT_HANDSHAKE);
    put_u16(&mut rec, spec.record_version);
    put_vec16(&mut rec, &hs);
    rec
}

/// Writes an SSLv2-format CLIENT-HELLO (2-byte header, 3-byte cipher specs) offering `version`.
pub fn sslv2_client_hello(version: u16, cipher_specs: &[u32], challenge: &[u8; 16]) -> Vec<u8> {
    let mut body = vec![1u8];
    put_u16(&mut body, version);
    put_u16(&mut body, (cipher_specs.len() * 3) as u16);
    put_u16(&mut body, 0);
    put_u16(&mut body, challenge.len() as u16);
    for c in cipher_specs {
        body.extend_from_slice(&[(c >> 16) as u8, (c >> 8) as u8, *c as u8]);
    }
    body.extend_from_slice(challenge);
    // Two-byte header: high bit set, 15-bit length.
    let mut out = vec![0x80 | ((body.len() >> 8) as u8 & 0x7f), body.len() as u8];
    out.extend_from_slice(&body);
    out
}

/// Why a server response could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WireError {
    /// Record header announces a body larger than TLS allows.
    #[error("record length {0} exceeds the TLS maximum")]
    RecordTooLong(usize),
    /// Content type byte is not a TLS record type.
    #[error("unknown record content type {0}")]
    BadContentType(u8),
    /// Record version is not an SSL/TLS version.
    #[error("record version 0x{0:04x} is not SSL/TLS")]
    BadRecordVersion(u16),
    /// A handshake message or field is shorter than its length says.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// A message is structurally wrong.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The server answered in SSLv2 format to an SSLv3/TLS hello.
    #[error("server answered with an SSLv2 message to a TLS ClientHello")]
    UnexpectedSslv2,
    /// Handshake data kept coming without the expected end of flight.
    #[error("server flight exceeds {0} bytes")]
    FlightTooLong(usize),
}

/// One parsed TLS record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// Content type.
    pub content_type: u8,
    /// Record-layer version.
    pub version: u16,
    /// Record body.
    pub body: &'a [u8],
}

/// Outcome of trying to parse one item from a byte buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<T> {
    /// Parsed item and number of bytes it used.
    Done(T, usize),
    /// Not enough bytes yet.
    Incomplete,
}

/// One record: type, version, length, then `body` (at most 2^14 bytes, the caller's part).
pub fn record(content_type: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![content_type];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// Parses one record header + body from the front of `buf`.
pub fn parse_record(buf: &[u8]) -> Result<Parsed<Record<'_>>, WireError> {
    if buf.is_empty() {
        return Ok(Parsed::Incomplete);
    }
    let ct = buf[0];
    if !(CT_CHANGE_CIPHER_SPEC..=CT_HEARTBEAT).contains(&ct) {
        if ct & 0x80 != 0 {
            return Err(WireError::UnexpectedSslv2);
        }
        return Err(WireError::BadContentType(ct));
    }
    if buf.len() < 5 {
        // Validate what we already have so garbage fails fast instead of waiting for a timeout.
        if buf.len() >= 2 && buf[1] != 3 {
            return Err(WireError::BadRecordVersion(u16::from(buf[1]) << 8));
        }
        return Ok(Parsed::Incomplete);
    }
    let version = u16::from_be_bytes([buf[1], buf[2]]);
    if buf[1] != 3 {
        return Err(WireError::BadRecordVersion(version));
    }
    let len = usize::from(u16::from_be_bytes([buf[3], buf[4]]));
    if len > MAX_RECORD_LEN {
        return Err(WireError::RecordTooLong(len));
    }
    if buf.len() < 5 + len {
        return Ok(Parsed::Incomplete);
    }
    Ok(Parsed::Done(
        Record {
            content_type: ct,
            version,
            body: &buf[5..5 + len],
        },
        5 + len,
    ))
}

/// A TLS alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// 1 = warning, 2 = fatal.
    pub level: u8,
    /// Alert description code.
    pub description: u8,
}

/// The parsed fields of a ServerHello (or TLS 1.3 HelloRetryRequest).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerHello {
    /// legacy_version field.
    pub legacy_version: u16,
    /// Server random.
    pub random: [u8; 32],
    /// Session id echoed or assigned.
    pub session_id: Vec<u8>,
    /// Selected cipher suite.
    pub cipher_suite: u16,
    /// Selected compression method.
    pub compression: u8,
    /// Extensions as (type, body).
    pub extensions: Vec<(u16, Vec<u8>)>,
}

impl ServerHello {
    /// True when this is a TLS 1.3 HelloRetryRequest.
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HRR_RANDOM
    }

    /// Body of the first extension with this type.
    pub fn extension(&self, code: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(t, _)| *t == code)
            .map(|(_, b)| b.as_slice())
    }

    /// Negotiated version: supported_versions if present, else legacy_version.
    pub fn negotiated_version(&self) -> u16 {
        match self.extension(EXT_SUPPORTED_VERSIONS) {
            Some([a, b]) => u16::from_be_bytes([*a, *b]),
            _ => self.legacy_version,
        }
    }

    /// Group named in a TLS 1.3 key_share (ServerHello: group + key; HRR: group only).
    pub fn key_share_group(&self) -> Option<u16> {
        match self.extension(EXT_KEY_SHARE) {
            Some([a, b, ..]) => Some(u16::from_be_bytes([*a, *b])),
            _ => None,
        }
    }
}

/// Reads a big-endian number of `n` bytes.
struct Reader<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], what: &'static str) -> Self {
        Reader { buf, what }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.buf.len() < n {
            return Err(WireError::Truncated(self.what));
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, WireError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u24(&mut self) -> Result<usize, WireError> {
        let b = self.take(3)?;
        Ok((usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2]))
    }
    fn vec8(&mut self) -> Result<&'a [u8], WireError> {
        let n = usize::from(self.u8()?);
        self.take(n)
    }
    fn vec16(&mut self) -> Result<&'a [u8], WireError> {
        let n = usize::from(self.u16()?);
        self.take(n)
    }
    fn vec24(&mut self) -> Result<&'a [u8], WireError> {
        let n = self.u24()?;
        self.take(n)
    }
    fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

/// Parses a ServerHello handshake body (without the 4-byte handshake header).
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, WireError> {
    let mut r = Reader::new(body, "server hello");
    let legacy_version = r.u16()?;
    let mut random = [0u8; 32];
    random.copy_from_slice(r.take(32)?);
    let session_id = r.vec8()?.to_vec();
    if session_id.len() > 32 {
        return Err(WireError::Malformed("server hello session id"));
    }
    let cipher_suite = r.u16()?;
    let compression = r.u8()?;
    let mut extensions = Vec::new();
    if !r.is_empty() {
        let mut er = Reader::new(r.vec16()?, "server hello extensions");
        while !er.is_empty() {
            let t = er.u16()?;
            let b = er.vec16()?;
            extensions.push((t, b.to_vec()));
        }
        if !r.is_empty() {
            return Err(WireError::Malformed("trailing bytes after server hello"));
        }
    }
    Ok(ServerHello {
        legacy_version,
        random,
        session_id,
        cipher_suite,
        compression,
        extensions,
    })
}

/// Splits a TLS 1.0–1.2 Certificate message body into DER certificates.
pub fn parse_certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, WireError> {
    let mut r = Reader::new(body, "certificate message");
    let mut lr = Reader::new(r.vec24()?, "certificate list");
    let mut out = Vec::new();
    while !lr.is_empty() {
        out.push(lr.vec24()?.to_vec());
    }
    Ok(out)
}

/// Key-exchange parameters read from a ServerKeyExchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum KxParams {
    /// ECDHE with a named curve.
    Ecdhe {
        /// Named group code.
        group: u16,
    },
    /// Finite-field DHE with a prime of this many bits.
    Dhe {
        /// Prime size in bits.
        prime_bits: u32,
        /// FNV-1a hash of the prime's bytes, to recognise widely shared primes.
        #[serde(skip)]
        prime_hash: u64,
    },
}

/// FNV-1a (64-bit) of a byte string: a cheap fingerprint for comparing DH primes with a list.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Parses the start of a ServerKeyExchange: ECDHE named curve, or DH prime size.
pub fn parse_server_key_exchange(body: &[u8], ecdhe: bool) -> Result<KxParams, WireError> {
    let mut r = Reader::new(body, "server key exchange");
    if ecdhe {
        if r.u8()? != 3 {
            return Err(WireError::Malformed("server key exchange curve type"));
        }
        Ok(KxParams::Ecdhe { group: r.u16()? })
    } else {
        let p = r.vec16()?;
        let skip = p.iter().take_while(|b| **b == 0).count();
        let p = &p[skip..];
        let bits = match p.first() {
            Some(first) => (p.len() as u32) * 8 - first.leading_zeros(),
            None => 0,
        };
        Ok(KxParams::Dhe {
            prime_bits: bits,
            prime_hash: fnv1a(p),
        })
    }
}

/// The signature scheme of a TLS 1.2 ServerKeyExchange (after the ECDHE or DHE parameters).
pub fn ske_signature_scheme(body: &[u8], ecdhe: bool) -> Option<u16> {
    let mut r = Reader::new(body, "server key exchange");
    if ecdhe {
        r.u8().ok()?;
        r.u16().ok()?;
        r.vec8().ok()?;
    } else {
        for _ in 0..3 {
            r.vec16().ok()?;
        }
    }
    r.u16().ok()
}

/// The parsed reply to an SSLv2 CLIENT-HELLO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sslv2ServerHello {
    /// Server version.
    pub version: u16,
    /// Cipher specs the server offers (3-byte codes).
    pub cipher_specs: Vec<u32>,
    /// Server certificate (DER) if type is X.509.
    pub certificate: Vec<u8>,
}

/// Parses an SSLv2 SERVER-HELLO from the front of `buf`.
pub fn parse_sslv2_server_hello(buf: &[u8]) -> Result<Parsed<Sslv2ServerHello>, WireError> {
    if buf.len() < 2 {
        return Ok(Parsed::Incomplete);
    }
    if buf[0] & 0x80 == 0 {
        return Err(WireError::Malformed("not an SSLv2 two-byte header"));
    }
    let len = (usize::from(buf[0] & 0x7f) << 8) | usize::from(buf[1]);
    if buf.len() < 2 + len {
        return Ok(Parsed::Incomplete);
    }
    let mut r = Reader::new(&buf[2..2 + len], "sslv2 server hello");
    if r.u8()? != 4 {
        return Err(WireError::Malformed("sslv2 message type"));
    }
    let _session_id_hit = r.u8()?;
    let _cert_type = r.u8()?;
    let version = r.u16()?;
    let cert_len = usize::from(r.u16()?);
    let specs_len = usize::from(r.u16()?);
    let _conn_id_len = r.u16()?;
    let certificate = r.take(cert_len)?.to_vec();
    if specs_len % 3 != 0 {
        return Err(WireError::Malformed("sslv2 cipher spec length"));
    }
    let specs = r.take(specs_len)?;
    let cipher_specs = specs
        .chunks_exact(3)
        .map(|c| (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]))
        .collect();
    Ok(Parsed::Done(
        Sslv2ServerHello {
            version,
            cipher_specs,
            certificate,
        },
        2 + len,
    ))
}

/// What the server said in its first flight, as far as the scanner needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerFlight {
    /// The ServerHello (or HelloRetryRequest).
    pub hello: ServerHello,
    /// Certificate chain (TLS 1.0–1.2 only; TLS 1.3 encrypts it).
    pub certificates: Vec<Vec<u8>>,
    /// A stapled OCSP response was sent.
    pub ocsp_stapled: bool,
    /// The stapled OCSPResponse (DER), empty when none.
    pub ocsp_response: Vec<u8>,
    /// ServerKeyExchange parameters, when present and understood.
    pub kx: Option<KxParams>,
    /// TLS 1.2 ServerKeyExchange signature scheme, when present and understood.
    pub ske_signature: Option<u16>,
}

/// Final interpretation of a server's answer to one ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The server chose parameters.
    Hello(Box<ServerFlight>),
    /// The server refused with an alert.
    Alert(Alert),
}

/// Result of feeding the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Need more bytes.
    NeedMore,
    /// Enough to decide.
    Done(Response),
}

/// Upper bound on handshake bytes we are willing to buffer for one flight.
pub const MAX_FLIGHT: usize = 256 * 1024;

/// Whether a suite code uses ECDHE, so the ServerKeyExchange is parsed as a named curve.
pub type IsEcdhe = fn(u16) -> Option<bool>;

/// Interprets the bytes received so far after sending an SSLv3/TLS ClientHello.
///
/// Parsing restarts from the beginning on each call; flights are small so this stays cheap and
/// keeps the function free of hidden state. `is_ecdhe` classifies the chosen suite for the
/// ServerKeyExchange (`None` = no ServerKeyExchange expected / unknown).
pub fn analyze_response(buf: &[u8], is_ecdhe: IsEcdhe) -> Result<Progress, WireError> {
    if buf.len() > MAX_FLIGHT {
        return Err(WireError::FlightTooLong(MAX_FLIGHT));
    }
    let mut pos = 0;
    let mut hs = Vec::new();
    let mut flight: Option<ServerFlight> = None;
    let mut hs_pos = 0;
    loop {
        let rec = match parse_record(&buf[pos..])? {
            Parsed::Done(rec, used) => {
                pos += used;
                rec
            }
            Parsed::Incomplete => return Ok(Progress::NeedMore),
        };
        match rec.content_type {
            CT_ALERT => {
                if flight.is_none() {
                    if rec.body.len() < 2 {
                        return Err(WireError::Truncated("alert"));
                    }
                    return Ok(Progress::Done(Response::Alert(Alert {
                        level: rec.body[0],
                        description: rec.body[1],
                    })));
                }
                // An alert after a ServerHello still tells us what the server picked.
                return Ok(Progress::Done(Response::Hello(Box::new(
                    flight.unwrap_or_default(),
                ))));
            }
            CT_HANDSHAKE => hs.extend_from_slice(rec.body),
            CT_CHANGE_CIPHER_SPEC | CT_HEARTBEAT => {
                // TLS 1.3 compatibility CCS or anything after the hello: we have what we need.
                if let Some(f) = flight {
                    return Ok(Progress::Done(Response::Hello(Box::new(f))));
                }
                return Err(WireError::Malformed("record before server hello"));
            }
            _ => {
                // Application data before ServerHello is a protocol violation.
                if let Some(f) = flight {
                    return Ok(Progress::Done(Response::Hello(Box::new(f))));
                }
                return Err(WireError::Malformed("record before server hello"));
            }
        }
        // Consume every complete handshake message now in the buffer.
        loop {
            let rest = &hs[hs_pos..];
            if rest.len() < 4 {
                break;
            }
            let len =
                (usize::from(rest[1]) << 16) | (usize::from(rest[2]) << 8) | usize::from(rest[3]);
            if len > MAX_FLIGHT {
                return Err(WireError::FlightTooLong(MAX_FLIGHT));
            }
            if rest.len() < 4 + len {
                break;
            }
            let ty = rest[0];
            let body = &rest[4..4 + len];
            hs_pos += 4 + len;
            match (&mut flight, ty) {
                (None, HS_SERVER_HELLO) => {
                    let hello = parse_server_hello(body)?;
                    let tls13 = hello.negotiated_version() == 0x0304;
                    let done = tls13 || hello.is_hello_retry_request();
                    let f = ServerFlight {
                        hello,
                        ..Default::default()
                    };
                    if done {
                        return Ok(Progress::Done(Response::Hello(Box::new(f))));
                    }
                    flight = Some(f);
                }
                (None, _) => return Err(WireError::Malformed("handshake before server hello")),
                (Some(f), HS_CERTIFICATE) => f.certificates = parse_certificate_list(body)?,
                (Some(f), HS_CERTIFICATE_STATUS) => {
                    f.ocsp_stapled = true;
                    // status_type ocsp (1), then a 24-bit length and the DER response.
                    if body.first() == Some(&1) {
                        f.ocsp_response = body.get(4..).unwrap_or_default().to_vec();
                    }
                }
                (Some(f), HS_SERVER_KEY_EXCHANGE) => {
                    if let Some(ec) = is_ecdhe(f.hello.cipher_suite) {
                        // A key exchange we cannot decode is not fatal for enumeration.
                        f.kx = parse_server_key_exchange(body, ec).ok();
                        if f.hello.legacy_version == 0x0303 {
                            f.ske_signature = ske_signature_scheme(body, ec);
                        }
                    }
                }
                (Some(_), HS_SERVER_HELLO_DONE) => {
                    return Ok(Progress::Done(Response::Hello(Box::new(
                        flight.unwrap_or_default(),
                    ))));
                }
                (Some(_), _) => {}
            }
        }
        if pos >= buf.len() {
            return Ok(Progress::NeedMore);
        }
    }
}

/// The client-side x25519 share sent in TLS 1.3 probes (RFC 7748 section 6.1 public key, a valid point).
pub const X25519_SHARE: [u8; 32] = [
    0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
    0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn no_kx(_: u16) -> Option<bool> {
        None
    }

    #[test]
    fn tls12_hello_without_extensions_is_byte_exact() {
        let spec = ClientHelloSpec {
            record_version: 0x0301,
            client_version: 0x0303,
            random: [0xAA; 32],
            session_id: vec![],
            cipher_suites: vec![0xC02F, 0x002F],
            compression_methods: vec![0],
            extensions: None,
        };
        let mut want = vec![0x16, 0x03, 0x01, 0x00, 0x2F]; // record, 47 bytes
        want.extend_from_slice(&[0x01, 0x00, 0x00, 0x2B]); // client_hello, 43 bytes
        want.extend_from_slice(&[0x03, 0x03]);
        want.extend_from_slice(&[0xAA; 32]);
        want.push(0x00); // session id
        want.extend_from_slice(&[0x00, 0x04, 0xC0, 0x2F, 0x00, 0x2F]);
        want.extend_from_slice(&[0x01, 0x00]); // compression: null
        assert_eq!(client_hello_record(&spec), want);
    }

    #[test]
    fn sslv3_hello_is_byte_exact() {
        let spec = ClientHelloSpec {
            record_version: 0x0300,
            client_version: 0x0300,
            random: [0x01; 32],
            session_id: vec![],
            cipher_suites: vec![0x000A, SCSV_RENEGOTIATION],
            compression_methods: vec![1, 0],
            extensions: None,
        };
        let mut want = vec![
            0x16, 0x03, 0x00, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2C, 0x03, 0x00,
        ];
        want.extend_from_slice(&[0x01; 32]);
        want.extend_from_slice(&[0x00, 0x00, 0x04, 0x00, 0x0A, 0x00, 0xFF, 0x02, 0x01, 0x00]);
        assert_eq!(client_hello_record(&spec), want);
    }

    #[test]
    fn tls10_hello_with_extensions_is_byte_exact() {
        let spec = ClientHelloSpec {
            record_version: 0x0301,
            client_version: 0x0301,
            random: [0x00; 32],
            session_id: vec![],
            cipher_suites: vec![0xC013],
            compression_methods: vec![0],
            extensions: Some(vec![
                Extension::ServerName("a.id".into()),
                Extension::SupportedGroups(vec![0x0017]),
                Extension::EcPointFormats,
                Extension::RenegotiationInfo,
                Extension::Heartbeat,
                Extension::StatusRequest,
            ]),
        };
        let ext: Vec<u8> = [
            &[
                0x00, 0x00, 0x00, 0x09, 0x00, 0x07, 0x00, 0x00, 0x04, b'a', b'.', b'i', b'd',
            ][..],
            &[0x00, 0x0A, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17],
            &[0x00, 0x0B, 0x00, 0x02, 0x01, 0x00],
            &[0xFF, 0x01, 0x00, 0x01, 0x00],
            &[0x00, 0x0F, 0x00, 0x01, 0x01],
            &[0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00],
        ]
        .concat();
        assert_eq!(ext.len(), 46);
        let mut body = vec![0x03, 0x01];
        body.extend_from_slice(&[0; 32]);
        body.extend_from_slice(&[0x00, 0x00, 0x02, 0xC0, 0x13, 0x01, 0x00, 0x00, 46]);
        body.extend_from_slice(&ext);
        let mut want = vec![
            0x16,
            0x03,
            0x01,
            0x00,
            (body.len() + 4) as u8,
            0x01,
            0x00,
            0x00,
        ];
        want.push(body.len() as u8);
        want.extend_from_slice(&body);
        assert_eq!(body.len(), 89);
        assert_eq!(client_hello_record(&spec), want);
    }

    #[test]
    fn tls13_hello_is_byte_exact() {
        let spec = ClientHelloSpec {
            record_version: 0x0301,
            client_version: 0x0303,
            random: [0x42; 32],
            session_id: vec![0x07; 32],
            cipher_suites: vec![0x1301],
            compression_methods: vec![0],
            extensions: Some(vec![
                Extension::SupportedVersions(vec![0x0304]),
                Extension::SupportedGroups(vec![0x001D]),
                Extension::SignatureAlgorithms(vec![0x0804]),
                Extension::PskKeyExchangeModes,
                Extension::KeyShare(vec![(0x001D, X25519_SHARE.to_vec())]),
            ]),
        };
        let mut ext = vec![0x00, 0x2B, 0x00, 0x03, 0x02, 0x03, 0x04];
        ext.extend_from_slice(&[0x00, 0x0A, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1D]);
        ext.extend_from_slice(&[0x00, 0x0D, 0x00, 0x04, 0x00, 0x02, 0x08, 0x04]);
        ext.extend_from_slice(&[0x00, 0x2D, 0x00, 0x02, 0x01, 0x01]);
        ext.extend_from_slice(&[0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20]);
        ext.extend_from_slice(&X25519_SHARE);
        assert_eq!(ext.len(), 71);
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&[0x42; 32]);
        body.push(32);
        body.extend_from_slice(&[0x07; 32]);
        body.extend_from_slice(&[0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 71]);
        body.extend_from_slice(&ext);
        assert_eq!(body.len(), 146);
        let mut want = vec![0x16, 0x03, 0x01, 0x00, 150, 0x01, 0x00, 0x00, 146];
        want.extend_from_slice(&body);
        assert_eq!(client_hello_record(&spec), want);
    }

    #[test]
    fn sslv2_hello_is_byte_exact() {
        let got = sslv2_client_hello(0x0002, &[0x010080, 0x0700C0], &[0x5A; 16]);
        let mut want = vec![
            0x80, 0x1F, 0x01, 0x00, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x10,
        ];
        want.extend_from_slice(&[0x01, 0x00, 0x80, 0x07, 0x00, 0xC0]);
        want.extend_from_slice(&[0x5A; 16]);
        assert_eq!(got, want);
    }

    /// Builds a ServerHello record with the given extensions block.
    fn server_hello_record(version: u16, suite: u16, exts: &[u8]) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[0x11; 32]);
        body.push(0);
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        if !exts.is_empty() {
            body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
            body.extend_from_slice(exts);
        }
        let mut hs = vec![HS_SERVER_HELLO, 0, 0, body.len() as u8];
        hs.extend_from_slice(&body);
        let mut rec = vec![CT_HANDSHAKE, 3, 3, 0, hs.len() as u8];
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn parses_server_hello_flight_with_cert_and_ske() {
        let mut buf = server_hello_record(0x0303, 0xC02F, &[0xFF, 0x01, 0x00, 0x01, 0x00]);
        // Certificate with one 3-byte "cert", ServerKeyExchange (secp256r1), ServerHelloDone in one record.
        let hs: Vec<u8> = [
            &[HS_CERTIFICATE, 0, 0, 9, 0, 0, 6, 0, 0, 3, 1, 2, 3][..],
            &[HS_SERVER_KEY_EXCHANGE, 0, 0, 4, 3, 0, 0x17, 0],
            &[HS_SERVER_HELLO_DONE, 0, 0, 0],
        ]
        .concat();
        buf.extend_from_slice(&[CT_HANDSHAKE, 3, 3, 0, hs.len() as u8]);
        buf.extend_from_slice(&hs);
        let ec = |_| Some(true);
        // Every strict prefix must ask for more, never error.
        for n in 0..buf.len() {
            assert_eq!(
                analyze_response(&buf[..n], ec),
                Ok(Progress::NeedMore),
                "prefix {n}"
            );
        }
        let Ok(Progress::Done(Response::Hello(f))) = analyze_response(&buf, ec) else {
            panic!("expected a hello");
        };
        assert_eq!(f.hello.cipher_suite, 0xC02F);
        assert_eq!(f.hello.negotiated_version(), 0x0303);
        assert!(f.hello.extension(EXT_RENEGOTIATION_INFO).is_some());
        assert_eq!(f.certificates, vec![vec![1, 2, 3]]);
        assert_eq!(f.kx, Some(KxParams::Ecdhe { group: 0x17 }));
    }

    #[test]
    fn tls13_server_hello_and_hrr() {
        let exts = [
            0x00, 0x2B, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x00, 0x1D,
        ];
        let buf = server_hello_record(0x0303, 0x1302, &exts);
        let Ok(Progress::Done(Response::Hello(f))) = analyze_response(&buf, no_kx) else {
            panic!("expected a hello");
        };
        assert_eq!(f.hello.negotiated_version(), 0x0304);
        assert_eq!(f.hello.key_share_group(), Some(0x1D));
        assert!(!f.hello.is_hello_retry_request());
        let mut hrr = buf.clone();
        hrr[11..43].copy_from_slice(&HRR_RANDOM);
        let Ok(Progress::Done(Response::Hello(f))) = analyze_response(&hrr, no_kx) else {
            panic!("expected a hello");
        };
        assert!(f.hello.is_hello_retry_request());
    }

    #[test]
    fn parses_alert_and_rejects_garbage() {
        let alert = [CT_ALERT, 3, 3, 0, 2, 2, ALERT_HANDSHAKE_FAILURE];
        assert_eq!(
            analyze_response(&alert, no_kx),
            Ok(Progress::Done(Response::Alert(Alert {
                level: 2,
                description: 40
            })))
        );
        assert_eq!(analyze_response(&alert[..6], no_kx), Ok(Progress::NeedMore));
        assert_eq!(
            analyze_response(b"HTTP/1.1 400 Bad Request\r\n", no_kx),
            Err(WireError::BadContentType(b'H'))
        );
        assert_eq!(
            analyze_response(&[0x16, 0x03, 0x03, 0xFF, 0xFF], no_kx),
            Err(WireError::RecordTooLong(0xFFFF))
        );
        assert_eq!(
            analyze_response(&[0x16, 0x05], no_kx),
            Err(WireError::BadRecordVersion(0x0500))
        );
        assert_eq!(
            analyze_response(&[0x84, 0x10, 0x04], no_kx),
            Err(WireError::UnexpectedSslv2)
        );
        assert_eq!(
            analyze_response(&[CT_ALERT, 3, 3, 0, 1, 2], no_kx),
            Err(WireError::Truncated("alert"))
        );
        // Handshake message claiming more bytes than its body holds inside a ServerHello.
        let mut bad = server_hello_record(0x0303, 0x002F, &[]);
        bad[8] = 0x10; // shrink handshake length so the body is short
        assert!(analyze_response(&bad, no_kx).is_err());
    }

    #[test]
    fn parses_sslv2_server_hello() {
        let mut msg = vec![4, 0, 1, 0x00, 0x02, 0x00, 0x02, 0x00, 0x03, 0x00, 0x10];
        msg.extend_from_slice(&[0xDE, 0xAD]);
        msg.extend_from_slice(&[0x01, 0x00, 0x80]);
        msg.extend_from_slice(&[0u8; 16]);
        let mut buf = vec![0x80, msg.len() as u8];
        buf.extend_from_slice(&msg);
        let Ok(Parsed::Done(h, used)) = parse_sslv2_server_hello(&buf) else {
            panic!("expected sslv2 hello");
        };
        assert_eq!(used, buf.len());
        assert_eq!(h.cipher_specs, vec![0x010080]);
        assert_eq!(h.certificate, vec![0xDE, 0xAD]);
        assert_eq!(parse_sslv2_server_hello(&buf[..5]), Ok(Parsed::Incomplete));
        assert!(parse_sslv2_server_hello(&[0x16, 3]).is_err());
    }

    #[test]
    fn dh_prime_bits_ignore_leading_zero() {
        let mut ske = vec![0x01, 0x01, 0x00];
        ske.extend_from_slice(&[0xFF; 256]);
        assert_eq!(
            parse_server_key_exchange(&ske, false),
            Ok(KxParams::Dhe {
                prime_bits: 2048,
                prime_hash: fnv1a(&[0xFF; 256]),
            })
        );
    }

    /// Deterministic xorshift so failures reproduce.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn random_input_never_panics() {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let seed = server_hello_record(0x0303, 0xC02F, &[0xFF, 0x01, 0x00, 0x01, 0x00]);
        for i in 0..5000 {
            let len = (xorshift(&mut s) % 300) as usize;
            let mut buf: Vec<u8> = (0..len).map(|_| xorshift(&mut s) as u8).collect();
            if i % 2 == 0 {
                // Mutate a valid flight so the parser gets past the record layer.
                buf = seed.clone();
                for _ in 0..(xorshift(&mut s) % 4 + 1) {
                    let at = (xorshift(&mut s) as usize) % buf.len();
                    buf[at] = xorshift(&mut s) as u8;
                }
                buf.truncate((xorshift(&mut s) as usize) % (buf.len() + 1));
            }
            let _ = analyze_response(&buf, |c| Some(c & 1 == 0));
            let _ = parse_sslv2_server_hello(&buf);
            let _ = parse_server_hello(&buf);
            let _ = parse_certificate_list(&buf);
            let _ = parse_server_key_exchange(&buf, i % 3 == 0);
        }
    }
}
