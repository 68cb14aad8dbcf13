//! Completing a client-initiated renegotiation inside an established TLS 1.2 connection, so the
//! renegotiation probe can count how many one connection may make.
//!
//! Only what the probe needs: the suite of the first handshake (ECDHE with AES-GCM or
//! ChaCha20-Poly1305), x25519 or P-256, extended master secret when the server agrees.

use crate::reneg::{Sealer, prf};
use crate::wire::{self, Parsed};
use aws_lc_rs::{aead, agreement, digest, hmac, rand};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Handshake type of ClientKeyExchange.
const HS_CLIENT_KEY_EXCHANGE: u8 = 16;
/// Handshake type of Finished.
const HS_FINISHED: u8 = 20;
/// extended_master_secret extension type.
const EXT_EMS: u16 = 23;

/// An established TLS 1.2 connection whose record protection the probe holds.
pub struct Session {
    /// The socket.
    pub io: TcpStream,
    /// Client-to-server protection.
    pub tx: Sealer,
    /// Server-to-client protection.
    pub rx: Sealer,
    /// Negotiated suite.
    pub suite: u16,
    /// The client's verify_data of the latest handshake (RFC 5746 renegotiation_info).
    pub client_verify: Vec<u8>,
    /// Decrypted handshake bytes not consumed yet.
    pending: Vec<u8>,
    /// Encrypted bytes not parsed yet.
    raw: Vec<u8>,
    /// The latest attempt got a ServerHello (it was accepted, whatever happened next).
    pub saw_server_hello: bool,
}

/// What one renegotiation attempt ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The new handshake completed (both Finished messages verified).
    Completed,
    /// The server refused before a ServerHello (alert level, description), or closed.
    Refused(String),
}

fn hashes(suite: u16) -> (&'static digest::Algorithm, hmac::Algorithm) {
    if matches!(suite, 0xc02c | 0xc030) {
        (&digest::SHA384, hmac::HMAC_SHA384)
    } else {
        (&digest::SHA256, hmac::HMAC_SHA256)
    }
}

/// AEAD, key length and fixed IV length of a completable suite.
fn aead_of(suite: u16) -> Option<(&'static aead::Algorithm, usize, usize, bool)> {
    match suite {
        0xc02b | 0xc02f => Some((&aead::AES_128_GCM, 16, 4, true)),
        0xc02c | 0xc030 => Some((&aead::AES_256_GCM, 32, 4, true)),
        0xcca8 | 0xcca9 => Some((&aead::CHACHA20_POLY1305, 32, 12, false)),
        _ => None,
    }
}

/// Client and server record protection from a master secret (RFC 5246 section 6.3).
pub fn key_block(
    suite: u16,
    master: &[u8],
    client_random: &[u8],
    server_random: &[u8],
) -> Result<(Sealer, Sealer), String> {
    let (alg, klen, ivlen, explicit) = aead_of(suite).ok_or("unsupported suite")?;
    let (_, h) = hashes(suite);
    let mut seed = server_random.to_vec();
    seed.extend_from_slice(client_random);
    let kb = prf(h, master, b"key expansion", &seed, 2 * klen + 2 * ivlen);
    let iv = |b: &[u8]| {
        let mut v = [0u8; 12];
        v[..b.len()].copy_from_slice(b);
        v
    };
    let ck = &kb[..klen];
    let sk = &kb[klen..2 * klen];
    let civ = iv(&kb[2 * klen..2 * klen + ivlen]);
    let siv = iv(&kb[2 * klen + ivlen..]);
    Ok((
        Sealer::new(alg, ck, civ, explicit)?,
        Sealer::new(alg, sk, siv, explicit)?,
    ))
}

impl Session {
    /// Wraps an established connection.
    pub fn new(io: TcpStream, tx: Sealer, rx: Sealer, suite: u16, client_verify: Vec<u8>) -> Self {
        Session {
            io,
            tx,
            rx,
            suite,
            client_verify,
            pending: Vec::new(),
            raw: Vec::new(),
            saw_server_hello: false,
        }
    }

    async fn send(&mut self, ct: u8, plain: &[u8], deadline: Instant) -> Result<(), String> {
        let rec = self.tx.seal(ct, plain)?;
        tokio::time::timeout_at(deadline, self.io.write_all(&rec))
            .await
            .map_err(|_| "write timed out".to_string())?
            .map_err(|e| e.to_string())
    }

    /// Next decrypted record (content type, plaintext); None when the peer closed.
    async fn record(&mut self, deadline: Instant) -> Result<Option<(u8, Vec<u8>)>, String> {
        let mut chunk = [0u8; 16384];
        loop {
            if let Ok(Parsed::Done(rec, used)) = wire::parse_record(&self.raw) {
                let ct = rec.content_type;
                let plain = self.rx.open(ct, rec.body)?;
                self.raw.drain(..used);
                return Ok(Some((ct, plain)));
            }
            if self.raw.len() > 1 << 18 {
                return Err("oversized answer".into());
            }
            match tokio::time::timeout_at(deadline, self.io.read(&mut chunk)).await {
                Err(_) => return Err("no answer within the read timeout".into()),
                Ok(Ok(0)) | Ok(Err(_)) => return Ok(None),
                Ok(Ok(n)) => self.raw.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Next complete handshake message; Err(Refused) on an alert or close.
    async fn message(&mut self, deadline: Instant) -> Result<Result<Vec<u8>, Attempt>, String> {
        loop {
            if self.pending.len() >= 4 {
                let p = &self.pending;
                let len = (usize::from(p[1]) << 16) | (usize::from(p[2]) << 8) | usize::from(p[3]);
                if p.len() >= 4 + len {
                    let m: Vec<u8> = self.pending.drain(..4 + len).collect();
                    return Ok(Ok(m));
                }
            }
            match self.record(deadline).await? {
                None if self.saw_server_hello => return Err("connection closed".into()),
                None => return Ok(Err(Attempt::Refused("connection closed".into()))),
                Some((wire::CT_ALERT, a)) if a.len() >= 2 => {
                    let name = if a[1] == crate::reneg::ALERT_NO_RENEGOTIATION {
                        "no_renegotiation "
                    } else {
                        ""
                    };
                    let text = format!("alert {name}({}/{})", a[0], a[1]);
                    if self.saw_server_hello {
                        return Err(text);
                    }
                    return Ok(Err(Attempt::Refused(text)));
                }
                Some((wire::CT_HANDSHAKE, b)) => self.pending.extend_from_slice(&b),
                Some(_) => {}
            }
        }
    }

    /// One complete renegotiation; the session keeps the new keys on success.
    pub async fn renegotiate(
        &mut self,
        sni: Option<&str>,
        deadline: Instant,
    ) -> Result<Attempt, String> {
        let mut client_random = [0u8; 32];
        rand::fill(&mut client_random).map_err(|_| "no randomness".to_string())?;
        let hello = crate::reneg::renegotiation_hello_with(
            self.suite,
            sni,
            &self.client_verify,
            client_random,
            &[0x001d, 0x0017],
        );
        self.saw_server_hello = false;
        let mut transcript = hello.clone();
        self.send(wire::CT_HANDSHAKE, &hello, deadline).await?;
        let mut server_random = Vec::new();
        let mut ems = false;
        let mut share: Option<(u16, Vec<u8>)> = None;
        loop {
            let m = match self.message(deadline).await? {
                Ok(m) => m,
                Err(refused) => return Ok(refused),
            };
            transcript.extend_from_slice(&m);
            match m[0] {
                wire::HS_SERVER_HELLO => {
                    let h = wire::parse_server_hello(&m[4..]).map_err(|e| e.to_string())?;
                    server_random = h.random.to_vec();
                    self.saw_server_hello = true;
                    ems = h.extension(EXT_EMS).is_some();
                }
                wire::HS_SERVER_KEY_EXCHANGE => {
                    let b = &m[4..];
                    let (Some(3), Some(g), Some(l)) = (b.first(), b.get(1..3), b.get(3)) else {
                        return Err("unexpected ServerKeyExchange".into());
                    };
                    let key = b.get(4..4 + usize::from(*l)).ok_or("short key share")?;
                    share = Some((u16::from_be_bytes([g[0], g[1]]), key.to_vec()));
                }
                wire::HS_SERVER_HELLO_DONE => break,
                _ => {}
            }
        }
        let (group, peer) = share.ok_or("no ServerKeyExchange in the renegotiation")?;
        let alg = match group {
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
            agreement::UnparsedPublicKey::new(alg, &peer),
            "invalid server key share",
            |s| Ok(s.to_vec()),
        )
        .map_err(|e: &str| e.to_string())?;
        let mut cke = vec![
            HS_CLIENT_KEY_EXCHANGE,
            0,
            0,
            public.as_ref().len() as u8 + 1,
        ];
        cke.push(public.as_ref().len() as u8);
        cke.extend_from_slice(public.as_ref());
        transcript.extend_from_slice(&cke);
        let (d, h) = hashes(self.suite);
        let master = if ems {
            let session_hash = digest::digest(d, &transcript);
            prf(
                h,
                &pms,
                b"extended master secret",
                session_hash.as_ref(),
                48,
            )
        } else {
            let mut seed = client_random.to_vec();
            seed.extend_from_slice(&server_random);
            prf(h, &pms, b"master secret", &seed, 48)
        };
        let (new_tx, new_rx) = key_block(self.suite, &master, &client_random, &server_random)?;
        self.send(wire::CT_HANDSHAKE, &cke, deadline).await?;
        self.send(wire::CT_CHANGE_CIPHER_SPEC, &[1], deadline)
            .await?;
        self.tx = new_tx;
        let verify = prf(
            h,
            &master,
            b"client finished",
            digest::digest(d, &transcript).as_ref(),
            12,
        );
        let mut fin = vec![HS_FINISHED, 0, 0, 12];
        fin.extend_from_slice(&verify);
        self.send(wire::CT_HANDSHAKE, &fin, deadline).await?;
        transcript.extend_from_slice(&fin);
        let expected = prf(
            h,
            &master,
            b"server finished",
            digest::digest(d, &transcript).as_ref(),
            12,
        );
        // Server: [NewSessionTicket], ChangeCipherSpec (old keys), Finished (new keys).
        let mut new_rx = Some(new_rx);
        loop {
            match self.record(deadline).await? {
                None => {
                    return Ok(Attempt::Refused(
                        "connection closed after the key exchange".into(),
                    ));
                }
                Some((wire::CT_ALERT, a)) if a.len() >= 2 => {
                    return Err(format!("alert {}/{} after the key exchange", a[0], a[1]));
                }
                Some((wire::CT_CHANGE_CIPHER_SPEC, _)) => {
                    self.rx = new_rx.take().ok_or("second ChangeCipherSpec")?;
                }
                Some((wire::CT_HANDSHAKE, b)) if new_rx.is_none() => {
                    if b.first() != Some(&HS_FINISHED) || b.get(4..16) != Some(&expected[..]) {
                        return Err("the server's Finished does not verify".into());
                    }
                    self.client_verify = verify;
                    return Ok(Attempt::Completed);
                }
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_block_gives_matching_directions() {
        let (mut c_tx, mut s_tx) = key_block(0xc02f, &[1; 48], &[2; 32], &[3; 32]).expect("kb");
        let (mut c_rx, mut s_rx) = key_block(0xc02f, &[1; 48], &[2; 32], &[3; 32]).expect("kb");
        let rec = c_tx.seal(22, b"client").expect("seal");
        assert_eq!(c_rx.open(22, &rec[5..]).expect("open"), b"client");
        let rec = s_tx.seal(22, b"server").expect("seal");
        assert!(
            c_rx.open(22, &rec[5..]).is_err(),
            "directions use different keys"
        );
        assert_eq!(s_rx.open(22, &rec[5..]).expect("open"), b"server");
        assert!(key_block(0x002f, &[1; 48], &[2; 32], &[3; 32]).is_err());
    }
}
