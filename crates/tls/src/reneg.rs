//! Client-initiated renegotiation (TLS 1.2): does the server start a new handshake when the
//! client asks for one on an established connection?
//!
//! rustls completes the first handshake (it never renegotiates itself); its traffic keys are
//! then taken over so that one encrypted ClientHello, carrying the RFC 5746 client verify_data
//! a secure-renegotiation server insists on, can be sent on the same connection. Each accepted
//! renegotiation is completed (see `rehandshake`) and the next one tried, up to
//! [`MAX_RENEGOTIATIONS`]: one connection, one handshake in the count.

use crate::vuln::ProbeFinding;
use crate::wire::{self, Parsed};
use aws_lc_rs::{aead, cipher, digest, hmac};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Alert no_renegotiation (RFC 5246 7.2.2).
pub const ALERT_NO_RENEGOTIATION: u8 = 100;
/// Most clear-text bytes recorded per direction during the first handshake.
const MAX_RECORDED: usize = 256 * 1024;

/// Record protection for one direction of a TLS 1.2 connection.
pub struct Sealer {
    protection: Protection,
    seq: u64,
}

/// AES-CBC keys of one direction (boxed: far larger than the AEAD key).
struct CbcKeys {
    enc: cipher::EncryptingKey,
    dec: cipher::DecryptingKey,
    mac: hmac::Key,
}

/// The two record protections TLS 1.2 servers use.
enum Protection {
    /// AES-GCM or ChaCha20-Poly1305.
    Aead {
        key: aead::LessSafeKey,
        /// Full 12-byte nonce base (GCM: salt ‖ explicit start; ChaCha20: the IV).
        iv: [u8; 12],
        /// GCM sends the last 8 nonce bytes explicitly in each record; ChaCha20 does not.
        explicit: bool,
    },
    /// AES-CBC with HMAC (MAC then encrypt, an explicit IV per record; RFC 5246 6.2.3.2).
    Cbc(Box<CbcKeys>),
    /// None yet: a first handshake before its ChangeCipherSpec.
    Clear,
}

impl Sealer {
    /// Takes over one direction of rustls's extracted TLS 1.2 secrets at sequence `seq`.
    pub fn from_rustls(
        seq: u64,
        secrets: &rustls::ConnectionTrafficSecrets,
    ) -> Result<Sealer, String> {
        use rustls::ConnectionTrafficSecrets as S;
        let (alg, key, iv, explicit) = match secrets {
            S::Aes128Gcm { key, iv } => (&aead::AES_128_GCM, key, iv, true),
            S::Aes256Gcm { key, iv } => (&aead::AES_256_GCM, key, iv, true),
            S::Chacha20Poly1305 { key, iv } => (&aead::CHACHA20_POLY1305, key, iv, false),
            _ => return Err("the negotiated suite is not a TLS 1.2 AEAD suite".into()),
        };
        let iv: [u8; 12] = iv
            .as_ref()
            .try_into()
            .map_err(|_| "unexpected nonce length".to_string())?;
        let mut s = Sealer::new(alg, key.as_ref(), iv, explicit)?;
        s.seq = seq;
        Ok(s)
    }

    /// No protection: the clear-text records of a first handshake.
    pub fn clear() -> Sealer {
        Sealer {
            protection: Protection::Clear,
            seq: 0,
        }
    }

    /// An AEAD sealer at sequence 0 from a key and a 12-byte nonce base (GCM: salt then zeros).
    pub fn new(
        alg: &'static aead::Algorithm,
        key: &[u8],
        iv: [u8; 12],
        explicit: bool,
    ) -> Result<Sealer, String> {
        let unbound =
            aead::UnboundKey::new(alg, key).map_err(|_| "unusable traffic key".to_string())?;
        Ok(Sealer {
            protection: Protection::Aead {
                key: aead::LessSafeKey::new(unbound),
                iv,
                explicit,
            },
            seq: 0,
        })
    }

    /// An AES-CBC sealer at sequence 0 from its encryption and MAC keys.
    pub fn cbc(key: &[u8], mac: hmac::Algorithm, mac_key: &[u8]) -> Result<Sealer, String> {
        let alg = match key.len() {
            16 => &cipher::AES_128,
            32 => &cipher::AES_256,
            n => return Err(format!("unexpected AES key length {n}")),
        };
        let unbound = || {
            cipher::UnboundCipherKey::new(alg, key).map_err(|_| "unusable traffic key".to_string())
        };
        Ok(Sealer {
            protection: Protection::Cbc(Box::new(CbcKeys {
                enc: cipher::EncryptingKey::cbc(unbound()?)
                    .map_err(|_| "unusable traffic key".to_string())?,
                dec: cipher::DecryptingKey::cbc(unbound()?)
                    .map_err(|_| "unusable traffic key".to_string())?,
                mac: hmac::Key::new(mac, mac_key),
            })),
            seq: 0,
        })
    }

    /// The 13 bytes both protections authenticate: sequence, type, version, plaintext length.
    fn header(&self, content_type: u8, len: usize) -> [u8; 13] {
        let mut a = [0u8; 13];
        a[..8].copy_from_slice(&self.seq.to_be_bytes());
        a[8] = content_type;
        a[9..11].copy_from_slice(&0x0303u16.to_be_bytes());
        a[11..].copy_from_slice(&(len as u16).to_be_bytes());
        a
    }

    /// Encrypts one record.
    pub fn seal(&mut self, content_type: u8, plain: &[u8]) -> Result<Vec<u8>, String> {
        let header = self.header(content_type, plain.len());
        let fragment = match &self.protection {
            Protection::Aead { key, iv, explicit } => {
                let nonce = nonce_for(iv, self.seq);
                let mut body = plain.to_vec();
                key.seal_in_place_append_tag(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::from(header),
                    &mut body,
                )
                .map_err(|_| "encryption failed".to_string())?;
                let mut fragment = Vec::with_capacity(body.len() + 8);
                if *explicit {
                    fragment.extend_from_slice(&nonce[4..]);
                }
                fragment.extend(body);
                fragment
            }
            Protection::Cbc(k) => {
                let (enc, mac) = (&k.enc, &k.mac);
                let mut ctx = hmac::Context::with_key(mac);
                ctx.update(&header);
                ctx.update(plain);
                let mut body = plain.to_vec();
                body.extend_from_slice(ctx.sign().as_ref());
                let pad = (16 - (body.len() + 1) % 16) % 16;
                body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                let iv = enc
                    .encrypt(&mut body)
                    .map_err(|_| "encryption failed".to_string())?;
                let iv: &[u8] = (&iv)
                    .try_into()
                    .map_err(|_| "no IV from the cipher".to_string())?;
                let mut fragment = iv.to_vec();
                fragment.extend(body);
                fragment
            }
            Protection::Clear => plain.to_vec(),
        };
        self.seq += 1;
        Ok(wire::record(content_type, 0x0303, &fragment))
    }

    /// Decrypts one record body.
    pub fn open(&mut self, content_type: u8, fragment: &[u8]) -> Result<Vec<u8>, String> {
        let bad = || "a record failed to decrypt".to_string();
        let out = match &self.protection {
            Protection::Aead { key, iv, explicit } => {
                let (nonce, ct) = if *explicit {
                    let e = fragment.get(..8).ok_or_else(bad)?;
                    let mut n = *iv;
                    n[4..].copy_from_slice(e);
                    (n, &fragment[8..])
                } else {
                    (nonce_for(iv, self.seq), fragment)
                };
                let plain_len = ct.len().checked_sub(16).ok_or_else(bad)?;
                let aad = aead::Aad::from(self.header(content_type, plain_len));
                let mut buf = ct.to_vec();
                key.open_in_place(aead::Nonce::assume_unique_for_key(nonce), aad, &mut buf)
                    .map_err(|_| bad())?
                    .to_vec()
            }
            Protection::Cbc(k) => {
                let (dec, mac) = (&k.dec, &k.mac);
                let iv: [u8; 16] = fragment
                    .get(..16)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?;
                let mut buf = fragment[16..].to_vec();
                if buf.is_empty() || !buf.len().is_multiple_of(16) {
                    return Err(bad());
                }
                let plain = dec
                    .decrypt(&mut buf, cipher::DecryptionContext::Iv128(iv.into()))
                    .map_err(|_| bad())?;
                let pad = usize::from(*plain.last().ok_or_else(bad)?);
                let mac_len = mac.algorithm().digest_algorithm().output_len();
                let body_len = plain.len().checked_sub(pad + 1 + mac_len).ok_or_else(bad)?;
                if plain[body_len + mac_len..]
                    .iter()
                    .any(|b| usize::from(*b) != pad)
                {
                    return Err(bad());
                }
                let (body, tag) = plain[..body_len + mac_len].split_at(body_len);
                let mut signed = self.header(content_type, body_len).to_vec();
                signed.extend_from_slice(body);
                hmac::verify(mac, &signed, tag).map_err(|_| bad())?;
                body.to_vec()
            }
            Protection::Clear => fragment.to_vec(),
        };
        self.seq += 1;
        Ok(out)
    }
}

/// The AEAD nonce of record `seq`: the nonce base with the sequence number XORed into its end.
fn nonce_for(iv: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut n = *iv;
    for (b, s) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
        *b ^= s;
    }
    n
}

/// TLS 1.2 PRF (RFC 5246 section 5) with the suite's hash.
pub fn prf(alg: hmac::Algorithm, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let key = hmac::Key::new(alg, secret);
    let mut label_seed = label.to_vec();
    label_seed.extend_from_slice(seed);
    let mut a = hmac::sign(&key, &label_seed).as_ref().to_vec();
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let mut input = a.clone();
        input.extend_from_slice(&label_seed);
        out.extend_from_slice(hmac::sign(&key, &input).as_ref());
        a = hmac::sign(&key, &a).as_ref().to_vec();
    }
    out.truncate(len);
    out
}

/// The client's Finished verify_data: PRF(master secret, "client finished", hash of the
/// handshake messages before it), 12 bytes.
pub fn client_verify_data(suite: u16, master_secret: &[u8], transcript: &[u8]) -> Vec<u8> {
    // The `_SHA384` suites hash with SHA-384; every other one with SHA-256.
    let (d, h) = match crate::handshake12::params(suite) {
        Some(p) => p.hashes(),
        None => (&digest::SHA256, hmac::HMAC_SHA256),
    };
    let hash = digest::digest(d, transcript);
    prf(h, master_secret, b"client finished", hash.as_ref(), 12)
}

/// Handshake messages carried in clear-text records before the first ChangeCipherSpec.
pub fn clear_handshake_messages(buf: &[u8]) -> Vec<Vec<u8>> {
    let mut hs = Vec::new();
    let mut pos = 0;
    while let Ok(Parsed::Done(rec, used)) = wire::parse_record(&buf[pos..]) {
        pos += used;
        if rec.content_type != wire::CT_HANDSHAKE {
            break;
        }
        hs.extend_from_slice(rec.body);
    }
    let mut out = Vec::new();
    let mut rest = hs.as_slice();
    while rest.len() >= 4 {
        let len = (usize::from(rest[1]) << 16) | (usize::from(rest[2]) << 8) | usize::from(rest[3]);
        let Some(msg) = rest.get(..4 + len) else {
            break;
        };
        out.push(msg.to_vec());
        rest = &rest[4 + len..];
    }
    out
}

/// The first handshake's transcript up to the client Finished: the ClientHello, the server's
/// flight through ServerHelloDone, then the client's remaining clear-text messages.
pub fn transcript(client: &[Vec<u8>], server: &[Vec<u8>]) -> Option<Vec<u8>> {
    let (hello, rest) = client.split_first()?;
    let mut t = hello.clone();
    for m in server {
        t.extend_from_slice(m);
        if m.first() == Some(&wire::HS_SERVER_HELLO_DONE) {
            break;
        }
    }
    for m in rest {
        t.extend_from_slice(m);
    }
    Some(t)
}

/// The renegotiation ClientHello handshake message (no record header) offering `groups`.
pub fn renegotiation_hello_with(
    suite: u16,
    sni: Option<&str>,
    verify_data: &[u8],
    random: [u8; 32],
    groups: &[u16],
) -> Vec<u8> {
    crate::handshake12::hello(&[suite], sni, verify_data, random, groups, false)
}

/// Most renegotiations attempted on one connection: enough to show there is no limit of one,
/// few enough to cost the server little.
pub const MAX_RENEGOTIATIONS: u32 = 3;

/// Judges a run of renegotiation attempts: `completed` full renegotiations, then how the run
/// ended (`end`), and whether the attempt that ended it had got a ServerHello.
pub fn judge_run(completed: u32, end: Option<&str>, accepted_then_failed: bool) -> ProbeFinding {
    let (vulnerable, evidence) = match (completed, end) {
        (0, Some(e)) if accepted_then_failed => (
            Some(true),
            format!(
                "an encrypted ClientHello on an established connection was answered with a ServerHello; the renegotiation could not be completed ({e})"
            ),
        ),
        (0, Some(e)) if e.starts_with("refused") => (
            Some(false),
            format!("an encrypted ClientHello on an established connection was {e}"),
        ),
        (0, e) => (
            None,
            format!(
                "renegotiation could not be tested: {}",
                e.unwrap_or("no answer")
            ),
        ),
        (n, None) => (
            Some(true),
            format!(
                "{n} client-initiated renegotiations completed on one connection; stopped there"
            ),
        ),
        (n, Some(e)) => (
            Some(true),
            format!(
                "{n} client-initiated renegotiation(s) completed on one connection, then the next ended: {e}"
            ),
        ),
    };
    ProbeFinding {
        vulnerable,
        protocol: "TLS 1.2".into(),
        evidence,
    }
}

/// Keeps a copy of each direction's bytes (up to a cap) while rustls does a handshake.
pub(crate) struct Tap<S> {
    pub(crate) inner: S,
    pub(crate) read: Vec<u8>,
    pub(crate) written: Vec<u8>,
}

impl<S> Tap<S> {
    /// Wraps a stream.
    pub(crate) fn new(inner: S) -> Self {
        Tap {
            inner,
            read: Vec::new(),
            written: Vec::new(),
        }
    }
}

fn keep(buf: &mut Vec<u8>, new: &[u8]) {
    let take = new.len().min(MAX_RECORDED.saturating_sub(buf.len()));
    buf.extend_from_slice(&new[..take]);
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            let new = buf.filled()[before..].to_vec();
            keep(&mut self.read, &new);
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            keep(&mut self.written, &buf[..n]);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Catches the TLS 1.2 master secret rustls derives (key-log label CLIENT_RANDOM).
#[derive(Debug, Default)]
struct MasterSecret(Mutex<Option<Vec<u8>>>);

impl rustls::KeyLog for MasterSecret {
    fn log(&self, label: &str, _client_random: &[u8], secret: &[u8]) {
        if label == "CLIENT_RANDOM"
            && let Ok(mut g) = self.0.lock()
        {
            *g = Some(secret.to_vec());
        }
    }
}

/// A completed first TLS 1.2 handshake whose connection is held open to be renegotiated.
pub struct Established {
    pub(crate) session: crate::rehandshake::Session,
    /// What the server's clear-text part of the first handshake said (session id, ticket).
    pub first: Result<crate::resume::FirstHandshake, String>,
}

/// Completes a first TLS 1.2 handshake with rustls and takes over its record protection; an
/// error says why it could not. Without a session ticket, so the server assigns a session id
/// (the session-id resumption test reuses it) and no NewSessionTicket joins the transcript.
pub async fn establish(
    pr: &crate::probe::Prober,
    server_name: &str,
) -> Result<Established, String> {
    let mut config = crate::cert::accept_any_config(&[&rustls::version::TLS12])?;
    let master = Arc::new(MasterSecret::default());
    config.key_log = master.clone();
    config.enable_secret_extraction = true;
    config.resumption = rustls::client::Resumption::disabled();
    let name = rustls::pki_types::ServerName::try_from(server_name.to_string())
        .map_err(|e| format!("invalid server name {server_name:?}: {e}"))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let (_permit, tcp) = pr.connect_paced().await?;
    let tap = Tap::new(tcp);
    let tls = tokio::time::timeout(pr.read_timeout, connector.connect(name, tap))
        .await
        .map_err(|_| "the first handshake did not finish within the read timeout".to_string())?
        .map_err(|e| format!("the first handshake failed: {e}"))?;
    let (tap, conn) = tls.into_inner();
    let suite = conn
        .negotiated_cipher_suite()
        .map(|s| u16::from(s.suite()))
        .ok_or("no suite negotiated")?;
    let secrets = conn
        .dangerous_extract_secrets()
        .map_err(|e| format!("traffic keys: {e}"))?;
    let ms = master
        .0
        .lock()
        .ok()
        .and_then(|g| g.clone())
        .ok_or("the master secret was not logged")?;
    let client = clear_handshake_messages(&tap.written);
    let server = clear_handshake_messages(&tap.read);
    let t = transcript(&client, &server).ok_or("no ClientHello recorded")?;
    let verify = client_verify_data(suite, &ms, &t);
    let tx = Sealer::from_rustls(secrets.tx.0, &secrets.tx.1)?;
    let rx = Sealer::from_rustls(secrets.rx.0, &secrets.rx.1)?;
    Ok(Established {
        session: crate::rehandshake::Session::new(tap.inner, tx, rx, suite, verify),
        first: crate::resume::parse_first_handshake(&tap.read).map_err(|e| e.to_string()),
    })
}

/// Asks for renegotiations on an established connection, up to [`MAX_RENEGOTIATIONS`]; the
/// finding and how many completed.
pub async fn renegotiate(
    e: Established,
    pr: &crate::probe::Prober,
    sni: Option<&str>,
) -> (ProbeFinding, u32) {
    let mut session = e.session;
    let mut completed = 0;
    let mut end = None;
    let mut accepted_then_failed = false;
    while completed < MAX_RENEGOTIATIONS {
        let deadline = tokio::time::Instant::now() + pr.read_timeout;
        match session.renegotiate(sni, deadline).await {
            Ok(crate::rehandshake::Attempt::Completed) => completed += 1,
            Ok(crate::rehandshake::Attempt::Refused(why)) => {
                end = Some(format!("refused: {why}"));
                break;
            }
            Err(e) => {
                accepted_then_failed = session.saw_server_hello;
                end = Some(e);
                break;
            }
        }
    }
    (
        judge_run(completed, end.as_deref(), accepted_then_failed),
        completed,
    )
}

/// Runs the probe on a TLS 1.2 connection rustls can complete; an error says why it could not.
pub async fn probe(
    pr: &crate::probe::Prober,
    server_name: &str,
    sni: Option<&str>,
) -> Result<(ProbeFinding, u32), String> {
    let e = establish(pr, server_name).await?;
    Ok(renegotiate(e, pr, sni).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prf_matches_the_published_sha256_vector() {
        // The widely used TLS 1.2 PRF test vector (SHA-256, 100 bytes of output).
        let secret = hex("9bbe436ba940f017b17652849a71db35");
        let seed = hex("a0ba9f936cda311827a6f796ffd5198c");
        let out = prf(hmac::HMAC_SHA256, &secret, b"test label", &seed, 100);
        let want = hex(concat!(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a",
            "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab",
            "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701",
            "87347b66"
        ));
        assert_eq!(out, want);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    #[test]
    fn gcm_records_round_trip_with_explicit_nonce() {
        let secrets = rustls::ConnectionTrafficSecrets::Aes256Gcm {
            key: rustls::crypto::cipher::AeadKey::from([7u8; 32]),
            iv: rustls::crypto::cipher::Iv::new([1u8; 12]),
        };
        let mut a = Sealer::from_rustls(1, &secrets).expect("sealer");
        let mut b = Sealer::from_rustls(1, &secrets).expect("sealer");
        let rec = a.seal(wire::CT_HANDSHAKE, b"hello").expect("seal");
        assert_eq!(rec.len(), 5 + 8 + 5 + 16);
        assert_eq!(
            b.open(wire::CT_HANDSHAKE, &rec[5..]).expect("open"),
            b"hello"
        );
        // Wrong content type in the additional data: must not decrypt.
        let rec = a.seal(wire::CT_HANDSHAKE, b"again").expect("seal");
        assert!(b.open(wire::CT_ALERT, &rec[5..]).is_err());
    }

    #[test]
    fn transcript_stops_the_server_part_at_hello_done() {
        let client = vec![vec![1, 0, 0, 0], vec![16, 0, 0, 0]];
        let server = vec![vec![2, 0, 0, 0], vec![14, 0, 0, 0], vec![4, 0, 0, 0]];
        assert_eq!(
            transcript(&client, &server),
            Some(vec![1, 0, 0, 0, 2, 0, 0, 0, 14, 0, 0, 0, 16, 0, 0, 0])
        );
        assert_eq!(transcript(&[], &server), None);
    }

    #[test]
    fn a_completed_or_answered_renegotiation_is_acceptance() {
        assert_eq!(judge_run(3, None, false).vulnerable, Some(true));
        assert!(
            judge_run(3, None, false)
                .evidence
                .contains("3 client-initiated")
        );
        assert_eq!(
            judge_run(0, Some("connection closed"), true).vulnerable,
            Some(true)
        );
        let refused = judge_run(0, Some("refused: alert no_renegotiation (1/100)"), false);
        assert_eq!(refused.vulnerable, Some(false));
        assert!(refused.evidence.contains("no_renegotiation"));
        assert_eq!(
            judge_run(0, Some("no answer within the read timeout"), false).vulnerable,
            None
        );
        assert_eq!(
            judge_run(1, Some("refused: connection closed"), false).vulnerable,
            Some(true)
        );
    }
}
