//! Completing a client-initiated renegotiation inside an established TLS 1.2 connection, so the
//! renegotiation probe can count how many one connection may make.
//!
//! Only what the probe needs: the suite of the first handshake (any suite
//! [`crate::handshake12`] completes: ECDHE, DHE or RSA key exchange, AES-GCM, ChaCha20-Poly1305
//! or AES-CBC), x25519 or P-256, extended master secret when the server agrees.

use crate::handshake12;
use crate::reneg::Sealer;
use crate::wire::{self, Parsed};
use aws_lc_rs::rand;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use handshake12::HS_FINISHED;

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
            &handshake12::GROUPS,
        );
        self.saw_server_hello = false;
        self.send(wire::CT_HANDSHAKE, &hello, deadline).await?;
        let suite = [self.suite];
        Ok(
            match self
                .complete_handshake(hello, client_random, &suite, deadline)
                .await?
            {
                Ok(_) => Attempt::Completed,
                Err(why) => Attempt::Refused(why),
            },
        )
    }

    /// Completes a TLS 1.2 handshake whose ClientHello (`hello`, offering `offer`) was just
    /// sent, under the current protection (clear text on a first handshake): the server's
    /// flight, the key exchange, both Finished messages. On success the session holds the new
    /// keys, suite and verify_data, and the server's flight is returned; a refusal before the
    /// key exchange is `Ok(Err(why))`.
    pub(crate) async fn complete_handshake(
        &mut self,
        hello: Vec<u8>,
        client_random: [u8; 32],
        offer: &[u16],
        deadline: Instant,
    ) -> Result<Result<handshake12::Flight, String>, String> {
        let mut transcript = hello;
        let mut flight = handshake12::Flight::default();
        loop {
            let m = match self.message(deadline).await? {
                Ok(m) => m,
                Err(Attempt::Refused(why)) => return Ok(Err(why)),
                Err(Attempt::Completed) => return Err("unexpected state".into()),
            };
            transcript.extend_from_slice(&m);
            let done = flight.absorb(&m);
            self.saw_server_hello |= flight.hello_seen;
            if done? {
                break;
            }
        }
        let p = handshake12::params(flight.suite)
            .filter(|_| offer.contains(&flight.suite))
            .ok_or_else(|| format!("the server chose suite 0x{:04x}", flight.suite))?;
        let (cke, pms) =
            handshake12::client_key_exchange(p.kx, flight.ske.as_deref(), flight.leaf.as_deref())?;
        transcript.extend_from_slice(&cke);
        let master = handshake12::master_secret(
            &p,
            &pms,
            flight.ems,
            &transcript,
            &client_random,
            &flight.server_random,
        );
        let (new_tx, new_rx) =
            handshake12::key_block(&p, &master, &client_random, &flight.server_random)?;
        self.send(wire::CT_HANDSHAKE, &cke, deadline).await?;
        self.send(wire::CT_CHANGE_CIPHER_SPEC, &[1], deadline)
            .await?;
        self.tx = new_tx;
        let verify = handshake12::verify_data(&p, &master, b"client finished", &transcript);
        let mut fin = vec![HS_FINISHED, 0, 0, 12];
        fin.extend_from_slice(&verify);
        self.send(wire::CT_HANDSHAKE, &fin, deadline).await?;
        transcript.extend_from_slice(&fin);
        // Server: [NewSessionTicket], ChangeCipherSpec (old keys), Finished (new keys).
        let mut new_rx = Some(new_rx);
        loop {
            match self.record(deadline).await? {
                None => return Ok(Err("connection closed after the key exchange".into())),
                Some((wire::CT_ALERT, a)) if a.len() >= 2 => {
                    return Err(format!("alert {}/{} after the key exchange", a[0], a[1]));
                }
                Some((wire::CT_CHANGE_CIPHER_SPEC, _)) => {
                    self.rx = new_rx.take().ok_or("second ChangeCipherSpec")?;
                }
                Some((wire::CT_HANDSHAKE, b)) if new_rx.is_some() => {
                    if flight.absorb_ticket(&b)? {
                        transcript.extend_from_slice(&b);
                    }
                }
                Some((wire::CT_HANDSHAKE, b)) => {
                    let expected =
                        handshake12::verify_data(&p, &master, b"server finished", &transcript);
                    if b.first() != Some(&HS_FINISHED) || b.get(4..16) != Some(&expected[..]) {
                        return Err("the server's Finished does not verify".into());
                    }
                    self.client_verify = verify;
                    self.suite = flight.suite;
                    return Ok(Ok(flight));
                }
                Some(_) => {}
            }
        }
    }
}
