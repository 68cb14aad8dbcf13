//! A first TLS 1.2 handshake done by hand, for servers rustls cannot complete: AES-CBC suites
//! with HMAC-SHA1/SHA-256/SHA-384, and RSA or finite-field DHE key exchange beside ECDHE.
//!
//! The renegotiation and session-id probes need a completed handshake, and the servers most
//! likely to accept client-initiated renegotiation are the legacy ones that offer no ECDHE
//! suite with AES-GCM or ChaCha20. Only the server's Finished is verified: the probes judge how
//! the server behaves, not who it is.

use crate::probe::Prober;
use crate::rehandshake::Session;
use crate::reneg::{Established, Sealer, prf};
use crate::resume::FirstHandshake;
use crate::suites::{self, Kx, SIGNATURE_ALGORITHMS};
use crate::wire::{self, ClientHelloSpec, Extension};
use aws_lc_rs::{agreement, digest, hmac, rand};
use num_bigint::BigUint;
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

/// extended_master_secret extension type (RFC 7627).
pub const EXT_EMS: u16 = 23;
/// Handshake type of NewSessionTicket.
const HS_NEW_SESSION_TICKET: u8 = 4;
/// Handshake type of ClientKeyExchange.
pub const HS_CLIENT_KEY_EXCHANGE: u8 = 16;
/// Handshake type of Finished.
pub const HS_FINISHED: u8 = 20;
/// Groups offered for ECDHE: the two every ECDHE server has.
pub const GROUPS: [u16; 2] = [0x001d, 0x0017];

/// How a suite exchanges keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyExchange {
    /// Elliptic-curve Diffie-Hellman (x25519 or P-256).
    Ecdhe,
    /// Finite-field Diffie-Hellman with the server's group.
    Dhe,
    /// The premaster secret encrypted to the certificate's RSA key.
    Rsa,
}

/// How a suite protects records.
#[derive(Debug, Clone, Copy)]
pub enum RecordProtection {
    /// AES-GCM with a key of this many bytes.
    Gcm(usize),
    /// ChaCha20-Poly1305.
    ChaCha20,
    /// AES-CBC with a key of this many bytes, and HMAC.
    Cbc(usize, hmac::Algorithm),
}

/// What this client needs to know of a suite.
#[derive(Debug, Clone, Copy)]
pub struct SuiteParams {
    /// Key exchange.
    pub kx: KeyExchange,
    /// Record protection.
    pub protection: RecordProtection,
    /// The PRF and Finished hash is SHA-384 (the `_SHA384` suites), else SHA-256.
    pub sha384: bool,
}

impl SuiteParams {
    /// The handshake hash and the PRF's HMAC.
    pub fn hashes(&self) -> (&'static digest::Algorithm, hmac::Algorithm) {
        if self.sha384 {
            (&digest::SHA384, hmac::HMAC_SHA384)
        } else {
            (&digest::SHA256, hmac::HMAC_SHA256)
        }
    }
}

/// The parameters of a TLS 1.2 suite this client can complete (None for any other).
pub fn params(code: u16) -> Option<SuiteParams> {
    let s = suites::by_code(code)?;
    if s.export || !matches!(s.auth, "RSA" | "ECDSA") {
        return None;
    }
    let kx = match s.kx {
        Kx::Ecdhe => KeyExchange::Ecdhe,
        Kx::Dhe => KeyExchange::Dhe,
        Kx::Rsa => KeyExchange::Rsa,
        _ => return None,
    };
    let key_len = usize::from(s.bits / 8);
    let protection = match (s.cipher, s.mac) {
        ("AESGCM", "AEAD") if matches!(key_len, 16 | 32) => RecordProtection::Gcm(key_len),
        ("ChaCha20", "AEAD") if !s.iana.ends_with("_OLD") => RecordProtection::ChaCha20,
        ("AES", mac) if matches!(key_len, 16 | 32) => RecordProtection::Cbc(
            key_len,
            match mac {
                "SHA1" => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
                "SHA256" => hmac::HMAC_SHA256,
                "SHA384" => hmac::HMAC_SHA384,
                _ => return None,
            },
        ),
        _ => return None,
    };
    Some(SuiteParams {
        kx,
        protection,
        sha384: s.iana.ends_with("SHA384"),
    })
}

/// Client and server record protection from a master secret (RFC 5246 section 6.3): MAC keys,
/// then encryption keys, then (AEAD only) the implicit nonce parts.
pub fn key_block(
    p: &SuiteParams,
    master: &[u8],
    client_random: &[u8],
    server_random: &[u8],
) -> Result<(Sealer, Sealer), String> {
    let (_, h) = p.hashes();
    let mut seed = server_random.to_vec();
    seed.extend_from_slice(client_random);
    let block = |len: usize| prf(h, master, b"key expansion", &seed, len);
    match p.protection {
        RecordProtection::Cbc(klen, mac) => {
            let mlen = mac.digest_algorithm().output_len();
            let kb = block(2 * mlen + 2 * klen);
            let (cm, rest) = kb.split_at(mlen);
            let (sm, rest) = rest.split_at(mlen);
            let (ck, sk) = rest.split_at(klen);
            Ok((Sealer::cbc(ck, mac, cm)?, Sealer::cbc(sk, mac, sm)?))
        }
        RecordProtection::Gcm(_) | RecordProtection::ChaCha20 => {
            let (alg, klen, ivlen, explicit) = match p.protection {
                RecordProtection::Gcm(16) => (&aws_lc_rs::aead::AES_128_GCM, 16, 4, true),
                RecordProtection::Gcm(_) => (&aws_lc_rs::aead::AES_256_GCM, 32, 4, true),
                _ => (&aws_lc_rs::aead::CHACHA20_POLY1305, 32, 12, false),
            };
            let kb = block(2 * klen + 2 * ivlen);
            let iv = |b: &[u8]| {
                let mut v = [0u8; 12];
                v[..b.len()].copy_from_slice(b);
                v
            };
            let (ck, rest) = kb.split_at(klen);
            let (sk, rest) = rest.split_at(klen);
            let (civ, siv) = rest.split_at(ivlen);
            Ok((
                Sealer::new(alg, ck, iv(civ), explicit)?,
                Sealer::new(alg, sk, iv(siv), explicit)?,
            ))
        }
    }
}

/// The master secret (RFC 5246 8.1, or RFC 7627 when both sides offered extended_master_secret).
pub fn master_secret(
    p: &SuiteParams,
    pms: &[u8],
    ems: bool,
    transcript_through_cke: &[u8],
    client_random: &[u8],
    server_random: &[u8],
) -> Vec<u8> {
    let (d, h) = p.hashes();
    if ems {
        let session_hash = digest::digest(d, transcript_through_cke);
        prf(h, pms, b"extended master secret", session_hash.as_ref(), 48)
    } else {
        let mut seed = client_random.to_vec();
        seed.extend_from_slice(server_random);
        prf(h, pms, b"master secret", &seed, 48)
    }
}

/// A Finished verify_data over the transcript so far.
pub fn verify_data(p: &SuiteParams, master: &[u8], label: &[u8], transcript: &[u8]) -> Vec<u8> {
    let (d, h) = p.hashes();
    prf(h, master, label, digest::digest(d, transcript).as_ref(), 12)
}

/// The ClientKeyExchange message (with its handshake header) and the premaster secret, from
/// the server's ServerKeyExchange body (ECDHE, DHE) or leaf certificate (RSA).
pub fn client_key_exchange(
    kx: KeyExchange,
    ske: Option<&[u8]>,
    leaf: Option<&[u8]>,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let (body, pms) = match kx {
        KeyExchange::Ecdhe => ecdhe(ske.ok_or("no ServerKeyExchange for ECDHE")?)?,
        KeyExchange::Dhe => dhe(ske.ok_or("no ServerKeyExchange for DHE")?)?,
        KeyExchange::Rsa => rsa(leaf.ok_or("no certificate for RSA key exchange")?)?,
    };
    let mut m = vec![HS_CLIENT_KEY_EXCHANGE];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend(body);
    Ok((m, pms))
}

fn random<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    rand::fill(&mut b).map_err(|_| "no randomness".to_string())?;
    Ok(b)
}

/// ECDHE: named curve, our public point and the shared secret.
fn ecdhe(ske: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let (Some(3), Some(g), Some(l)) = (ske.first(), ske.get(1..3), ske.get(3)) else {
        return Err("unexpected ServerKeyExchange".into());
    };
    let peer = ske.get(4..4 + usize::from(*l)).ok_or("short key share")?;
    let alg = match u16::from_be_bytes([g[0], g[1]]) {
        0x001d => &agreement::X25519,
        0x0017 => &agreement::ECDH_P256,
        g => return Err(format!("unexpected group 0x{g:04x}")),
    };
    let rng = rand::SystemRandom::new();
    let mine = agreement::EphemeralPrivateKey::generate(alg, &rng)
        .map_err(|_| "key generation failed".to_string())?;
    let public = mine
        .compute_public_key()
        .map_err(|_| "public key".to_string())?;
    let pms = agreement::agree_ephemeral(
        mine,
        agreement::UnparsedPublicKey::new(alg, peer),
        "invalid server key share",
        |s| Ok(s.to_vec()),
    )
    .map_err(|e: &str| e.to_string())?;
    let mut body = vec![public.as_ref().len() as u8];
    body.extend_from_slice(public.as_ref());
    Ok((body, pms))
}

/// Finite-field DHE: p, g and Ys from the ServerKeyExchange; Yc = g^x mod p, Z = Ys^x mod p
/// with leading zero bytes stripped (RFC 5246 8.1.2).
fn dhe(ske: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut rest = ske;
    let mut field = || -> Result<BigUint, String> {
        let len = usize::from(u16::from_be_bytes(
            rest.get(..2)
                .ok_or("short ServerKeyExchange")?
                .try_into()
                .map_err(|_| "short ServerKeyExchange")?,
        ));
        let v = rest.get(2..2 + len).ok_or("short ServerKeyExchange")?;
        rest = &rest[2 + len..];
        Ok(BigUint::from_bytes_be(v))
    };
    let (p, g, ys) = (field()?, field()?, field()?);
    let one = BigUint::from(1u8);
    if p.bits() < 512 || g <= one || ys <= one || ys >= &p - &one {
        return Err("unusable DH parameters".into());
    }
    let x = BigUint::from_bytes_be(&random::<32>()?);
    let yc = g.modpow(&x, &p).to_bytes_be();
    let z = ys.modpow(&x, &p).to_bytes_be();
    let mut body = (yc.len() as u16).to_be_bytes().to_vec();
    body.extend(yc);
    Ok((body, z))
}

/// RSA: a fresh premaster (version 3.3) in PKCS#1 v1.5 block type 2, encrypted to the leaf's key.
fn rsa(leaf: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    rsa_with_key(&crate::robot::rsa_key(leaf).ok_or("the certificate has no RSA key")?)
}

fn rsa_with_key(key: &crate::robot::RsaKey) -> Result<(Vec<u8>, Vec<u8>), String> {
    let k = key.modulus.len();
    let mut pms = vec![3, 3];
    pms.extend_from_slice(&random::<46>()?);
    let pad_len = k
        .checked_sub(3 + pms.len())
        .filter(|n| *n >= 8)
        .ok_or("RSA key too small")?;
    let mut em = vec![0, 2];
    while em.len() < 2 + pad_len {
        let b: [u8; 1] = random()?;
        if b[0] != 0 {
            em.push(b[0]);
        }
    }
    em.push(0);
    em.extend_from_slice(&pms);
    let c = crate::robot::encrypt(key, &em);
    let mut body = (c.len() as u16).to_be_bytes().to_vec();
    body.extend(c);
    Ok((body, pms))
}

/// What a server's flight said, up to its ServerHelloDone (first handshake or renegotiation).
#[derive(Debug, Default)]
pub(crate) struct Flight {
    pub(crate) server_random: Vec<u8>,
    pub(crate) suite: u16,
    pub(crate) ems: bool,
    pub(crate) leaf: Option<Vec<u8>>,
    pub(crate) ske: Option<Vec<u8>>,
    /// A ServerHello came: the server took up the hello.
    pub(crate) hello_seen: bool,
    pub(crate) session_id: Vec<u8>,
    /// NewSessionTicket (lifetime hint, ticket), sent after the key exchange.
    pub(crate) ticket: Option<(u32, Vec<u8>)>,
}

impl Flight {
    /// Takes in one handshake message (with its header); true at ServerHelloDone.
    pub(crate) fn absorb(&mut self, m: &[u8]) -> Result<bool, String> {
        match m.first().copied() {
            Some(wire::HS_SERVER_HELLO) => {
                let h = wire::parse_server_hello(&m[4..]).map_err(|e| e.to_string())?;
                self.hello_seen = true;
                if h.negotiated_version() != 0x0303 {
                    return Err("the server did not negotiate TLS 1.2".into());
                }
                self.server_random = h.random.to_vec();
                self.suite = h.cipher_suite;
                self.ems = h.extension(EXT_EMS).is_some();
                self.session_id = h.session_id;
            }
            Some(wire::HS_CERTIFICATE) => {
                // certificate_list length (3), first certificate length (3), DER.
                let l = m.get(7..10).ok_or("short Certificate")?;
                let l = (usize::from(l[0]) << 16) | (usize::from(l[1]) << 8) | usize::from(l[2]);
                self.leaf = m.get(10..10 + l).map(<[u8]>::to_vec);
            }
            Some(wire::HS_SERVER_KEY_EXCHANGE) => self.ske = Some(m[4..].to_vec()),
            Some(wire::HS_CERTIFICATE_REQUEST) => {
                return Err("the server asks for a client certificate".into());
            }
            Some(wire::HS_SERVER_HELLO_DONE) => return Ok(true),
            _ => {}
        }
        Ok(false)
    }

    /// Takes in a clear-text handshake message after the key exchange; true when it was a
    /// NewSessionTicket (it joins the transcript), false for anything else (ignored).
    pub(crate) fn absorb_ticket(&mut self, m: &[u8]) -> Result<bool, String> {
        if m.first() != Some(&HS_NEW_SESSION_TICKET) {
            return Ok(false);
        }
        let body = m.get(4..).ok_or("short NewSessionTicket")?;
        self.ticket = Some(crate::resume::parse_ticket(body).map_err(|e| e.to_string())?);
        Ok(true)
    }

    /// What the session-id and ticket tests read from a first handshake.
    fn first_handshake(self) -> FirstHandshake {
        FirstHandshake {
            session_id: self.session_id,
            cipher_suite: self.suite,
            ticket: self.ticket,
        }
    }
}

/// A TLS 1.2 ClientHello handshake message (no record header) offering `suites` and `groups`,
/// with renegotiation_info carrying `verify_data` (empty on a first handshake) and
/// extended_master_secret, as the probes' sessions need.
pub fn hello(
    suites: &[u16],
    sni: Option<&str>,
    verify_data: &[u8],
    random: [u8; 32],
    groups: &[u16],
    tickets: bool,
) -> Vec<u8> {
    let mut exts = Vec::new();
    if let Some(name) = sni {
        exts.push(Extension::ServerName(name.to_string()));
    }
    exts.push(Extension::SupportedGroups(groups.to_vec()));
    exts.push(Extension::EcPointFormats);
    exts.push(Extension::SignatureAlgorithms(
        SIGNATURE_ALGORITHMS.to_vec(),
    ));
    let mut ri = vec![verify_data.len() as u8];
    ri.extend_from_slice(verify_data);
    exts.push(Extension::Raw(wire::EXT_RENEGOTIATION_INFO, ri));
    // rustls always negotiates extended_master_secret; dropping it on renegotiation is refused.
    exts.push(Extension::Raw(EXT_EMS, Vec::new()));
    if tickets {
        exts.push(Extension::Raw(
            crate::enumerate::EXT_SESSION_TICKET,
            Vec::new(),
        ));
    }
    let rec = wire::client_hello_record(&ClientHelloSpec {
        record_version: 0x0303,
        client_version: 0x0303,
        random,
        session_id: Vec::new(),
        cipher_suites: suites.to_vec(),
        compression_methods: vec![0],
        extensions: Some(exts),
    });
    rec[5..].to_vec()
}

/// Completes a first TLS 1.2 handshake offering `offer` (suites [`params`] knows); the
/// connection is held open to be renegotiated. Without `tickets` the server assigns a session
/// id; with them it may send a NewSessionTicket.
pub async fn establish(
    pr: &Prober,
    sni: Option<&str>,
    offer: &[u16],
    tickets: bool,
) -> Result<Established, String> {
    let (_permit, tcp) = pr.connect_paced().await?;
    let deadline = Instant::now() + pr.read_timeout;
    let client_random: [u8; 32] = random()?;
    let hello = hello(offer, sni, &[], client_random, &GROUPS, tickets);
    let mut session = Session::new(tcp, Sealer::clear(), Sealer::clear(), 0, Vec::new());
    // The first ClientHello's record says TLS 1.0, as browsers' do, for the oldest servers.
    let first = wire::record(wire::CT_HANDSHAKE, 0x0301, &hello);
    tokio::time::timeout_at(deadline, session.io.write_all(&first))
        .await
        .map_err(|_| "write timed out".to_string())?
        .map_err(|e| e.to_string())?;
    let flight = session
        .complete_handshake(hello, client_random, offer, deadline)
        .await?
        .map_err(|why| format!("the server refused the handshake: {why}"))?;
    Ok(Established {
        session,
        first: Ok(flight.first_handshake()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_are_classified_from_the_table() {
        crate::suites::load().expect("table");
        let p = params(0x002f).expect("AES128-SHA");
        assert_eq!(p.kx, KeyExchange::Rsa);
        assert!(matches!(p.protection, RecordProtection::Cbc(16, _)));
        assert!(!p.sha384);
        let p = params(0xc028).expect("ECDHE-RSA-AES256-SHA384");
        assert_eq!(p.kx, KeyExchange::Ecdhe);
        assert!(matches!(p.protection, RecordProtection::Cbc(32, _)) && p.sha384);
        let p = params(0x009e).expect("DHE-RSA-AES128-GCM-SHA256");
        assert_eq!(p.kx, KeyExchange::Dhe);
        assert!(matches!(p.protection, RecordProtection::Gcm(16)));
        assert!(params(0xcca8).is_some_and(|p| matches!(p.protection, RecordProtection::ChaCha20)));
        // 3DES, RC4, export, anonymous and PSK suites are out of reach.
        for code in [0x000a, 0x0005, 0x0003, 0x0034, 0x00ac, 0x1301] {
            assert!(params(code).is_none(), "0x{code:04x}");
        }
    }

    #[test]
    fn key_blocks_give_matching_directions() {
        crate::suites::load().expect("table");
        let p = params(0xc02f).expect("ECDHE-RSA-AES128-GCM-SHA256");
        let (mut c_tx, mut s_tx) = key_block(&p, &[1; 48], &[2; 32], &[3; 32]).expect("kb");
        let (mut c_rx, mut s_rx) = key_block(&p, &[1; 48], &[2; 32], &[3; 32]).expect("kb");
        let rec = c_tx.seal(22, b"client").expect("seal");
        assert_eq!(c_rx.open(22, &rec[5..]).expect("open"), b"client");
        let rec = s_tx.seal(22, b"server").expect("seal");
        assert!(
            c_rx.open(22, &rec[5..]).is_err(),
            "directions use different keys"
        );
        assert_eq!(s_rx.open(22, &rec[5..]).expect("open"), b"server");
    }

    #[test]
    fn cbc_records_round_trip_and_reject_tampering() {
        crate::suites::load().expect("table");
        for code in [0x002fu16, 0x003d, 0xc028] {
            let p = params(code).expect("suite");
            let (mut c_tx, _) = key_block(&p, &[7; 48], &[1; 32], &[2; 32]).expect("kb");
            let (mut c_rx, _) = key_block(&p, &[7; 48], &[1; 32], &[2; 32]).expect("kb");
            for len in [0usize, 1, 15, 16, 47, 1000] {
                let plain = vec![0x5a; len];
                let rec = c_tx.seal(wire::CT_HANDSHAKE, &plain).expect("seal");
                assert_eq!((rec.len() - 5 - 16) % 16, 0, "whole blocks after the IV");
                assert_eq!(
                    c_rx.open(wire::CT_HANDSHAKE, &rec[5..]).expect("open"),
                    plain
                );
            }
            let mut rec = c_tx.seal(wire::CT_HANDSHAKE, b"finished").expect("seal");
            let last = rec.len() - 1;
            rec[last] ^= 1;
            assert!(
                c_rx.open(wire::CT_HANDSHAKE, &rec[5..]).is_err(),
                "tampered"
            );
        }
    }

    #[test]
    fn rsa_premaster_is_block_type_2_under_the_key() {
        // With exponent 1 the "ciphertext" is the padded block itself, so its layout shows:
        // 00 02, nonzero padding, 00, then the premaster with version 3.3.
        let key = crate::robot::RsaKey {
            modulus: vec![0xff; 128],
            exponent: vec![1],
        };
        let (body, pms) = rsa_with_key(&key).expect("rsa");
        assert_eq!(&body[..2], &[0, 128], "length-prefixed, one modulus long");
        let em = &body[2..];
        assert_eq!(&em[..2], &[0, 2]);
        assert!(em[2..128 - 49].iter().all(|b| *b != 0), "nonzero padding");
        assert_eq!(em[128 - 49], 0);
        assert_eq!(&em[128 - 48..], pms.as_slice());
        assert_eq!((pms.len(), &pms[..2]), (48, &[3u8, 3][..]));
        let (_, again) = rsa_with_key(&key).expect("rsa");
        assert_ne!(pms, again, "a fresh premaster each time");
    }
}
