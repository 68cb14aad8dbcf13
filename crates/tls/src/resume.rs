//! TLS 1.2 session resumption by session id and by ticket (RFC 5077), and the ticket lifetime hint.
//!
//! A server only keeps a session once a handshake has finished, so the first connection is a
//! complete rustls handshake; its ServerHello and NewSessionTicket travel in clear in TLS 1.2
//! and are read from the recorded bytes. Each resumption is then one raw hello that offers the
//! session back; the server resumed when it echoes the offered session id and sends no
//! certificate. The full handshake without tickets (a server issuing a ticket may leave the
//! session id empty, as OpenSSL does) is the renegotiation probe's, taken over before it
//! renegotiates; the probe adds one full handshake with tickets and one hello per mechanism the
//! server offered: 1 to 3.

use crate::enumerate;
use crate::probe::{Outcome, Prober};
use crate::suites::{GROUPS, SIGNATURE_ALGORITHMS};
use crate::wire::{self, ClientHelloSpec, Extension, Parsed};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

/// Handshake type of NewSessionTicket.
const HS_NEW_SESSION_TICKET: u8 = 4;
/// extended_master_secret extension type (RFC 7627): a session made with it resumes only with it.
const EXT_EXTENDED_MASTER_SECRET: u16 = 23;
/// TLS 1.2 suites rustls can complete a handshake with (ECDHE with AES-GCM or ChaCha20-Poly1305).
pub const COMPLETABLE_SUITES: [u16; 6] = [0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9];
/// Session id offered with a ticket; RFC 5077 section 3.4 has the server echo it on acceptance.
/// Shorter than 32 bytes, so a server that pads the echo to 32 shows Ticketbleed
/// (CVE-2016-9244) at no extra cost.
const TICKET_SESSION_ID: [u8; 16] = [0x5b; 16];

/// What the resumption probe found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Resumption {
    /// The server assigned a session id in the full handshake.
    pub session_id_issued: bool,
    /// A returning client was resumed by session id (None: could not be tested, see `reason`).
    pub by_session_id: Option<bool>,
    /// The server sent a NewSessionTicket in the full handshake.
    pub ticket_issued: bool,
    /// A returning client was resumed by ticket (None: could not be tested).
    pub by_ticket: Option<bool>,
    /// Ticket lifetime hint in seconds (0: the server left it unspecified).
    pub ticket_lifetime_hint: Option<u32>,
    /// Ticketbleed (CVE-2016-9244), judged on the ticket resumption (None: nothing resumed).
    pub ticketbleed: Option<crate::vuln::ProbeFinding>,
    /// Why a part could not be tested.
    pub reason: Option<String>,
    /// Handshakes this probe cost itself (the first one without tickets is the renegotiation
    /// probe's).
    pub handshakes: u32,
}

/// The clear-text part of a full TLS 1.2 handshake as seen by the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirstHandshake {
    /// ServerHello.session_id.
    pub session_id: Vec<u8>,
    /// Suite chosen.
    pub cipher_suite: u16,
    /// NewSessionTicket (lifetime hint, ticket), when sent.
    pub ticket: Option<(u32, Vec<u8>)>,
}

/// A NewSessionTicket body (RFC 5077 3.3): lifetime hint and ticket.
pub fn parse_ticket(body: &[u8]) -> Result<(u32, Vec<u8>), wire::WireError> {
    let (Some(hint), Some(tlen)) = (body.get(..4), body.get(4..6)) else {
        return Err(wire::WireError::Truncated("new session ticket"));
    };
    let tlen = usize::from(u16::from_be_bytes([tlen[0], tlen[1]]));
    let ticket = body
        .get(6..6 + tlen)
        .ok_or(wire::WireError::Truncated("new session ticket"))?;
    let hint = u32::from_be_bytes([hint[0], hint[1], hint[2], hint[3]]);
    Ok((hint, ticket.to_vec()))
}

/// Reads the ServerHello and NewSessionTicket from the server's bytes up to its ChangeCipherSpec.
pub fn parse_first_handshake(buf: &[u8]) -> Result<FirstHandshake, wire::WireError> {
    let mut hs = Vec::new();
    let mut pos = 0;
    while let Parsed::Done(rec, used) = wire::parse_record(&buf[pos..])? {
        pos += used;
        match rec.content_type {
            wire::CT_HANDSHAKE => hs.extend_from_slice(rec.body),
            // Everything after the server's ChangeCipherSpec is encrypted.
            _ => break,
        }
    }
    let mut out = FirstHandshake::default();
    let mut hello = false;
    let mut rest = hs.as_slice();
    while rest.len() >= 4 {
        let len = (usize::from(rest[1]) << 16) | (usize::from(rest[2]) << 8) | usize::from(rest[3]);
        let Some(body) = rest.get(4..4 + len) else {
            break;
        };
        match rest[0] {
            wire::HS_SERVER_HELLO => {
                let h = wire::parse_server_hello(body)?;
                out.session_id = h.session_id;
                out.cipher_suite = h.cipher_suite;
                hello = true;
            }
            HS_NEW_SESSION_TICKET => out.ticket = Some(parse_ticket(body)?),
            _ => {}
        }
        rest = &rest[4 + len..];
    }
    if !hello {
        return Err(wire::WireError::Malformed(
            "no server hello before encryption",
        ));
    }
    Ok(out)
}

/// A TLS 1.2 hello that offers a stored session back: by id, or by ticket with a fresh id.
pub fn resumption_hello(
    suite: u16,
    sni: Option<&str>,
    session_id: &[u8],
    ticket: Option<&[u8]>,
) -> Vec<u8> {
    let mut exts = Vec::new();
    if let Some(name) = sni {
        exts.push(Extension::ServerName(name.to_string()));
    }
    exts.push(Extension::SupportedGroups(
        GROUPS.iter().map(|g| g.0).filter(|c| *c < 0x0100).collect(),
    ));
    exts.push(Extension::EcPointFormats);
    exts.push(Extension::SignatureAlgorithms(
        SIGNATURE_ALGORITHMS.to_vec(),
    ));
    exts.push(Extension::RenegotiationInfo);
    exts.push(Extension::Raw(EXT_EXTENDED_MASTER_SECRET, Vec::new()));
    if let Some(t) = ticket {
        exts.push(Extension::Raw(enumerate::EXT_SESSION_TICKET, t.to_vec()));
    }
    wire::client_hello_record(&ClientHelloSpec {
        record_version: 0x0301,
        client_version: 0x0303,
        random: [0x4c; 32],
        session_id: session_id.to_vec(),
        cipher_suites: vec![suite],
        compression_methods: vec![0],
        extensions: Some(exts),
    })
}

/// Resumed: the server echoed the offered (non-empty) session id and skipped its certificate.
pub fn judge_resumed(offered_id: &[u8], answer: &Outcome) -> Option<bool> {
    match answer {
        Outcome::Hello(f) => Some(
            !offered_id.is_empty()
                && f.hello.session_id.starts_with(offered_id)
                && f.certificates.is_empty(),
        ),
        // Refusing a resumption hello outright is not a refusal to resume.
        Outcome::Alert(_) | Outcome::Closed | Outcome::Sslv2(_) => None,
    }
}

/// Ticketbleed on a ticket resumption: a server that echoes more session-id bytes than were
/// offered returns uninitialised memory (only the count is kept).
pub fn judge_ticketbleed(offered_id: &[u8], answer: &Outcome) -> Option<crate::vuln::ProbeFinding> {
    if judge_resumed(offered_id, answer) != Some(true) {
        return None;
    }
    let Outcome::Hello(f) = answer else {
        return None;
    };
    let extra = f.hello.session_id.len() - offered_id.len();
    let evidence = if extra > 0 {
        format!(
            "a {}-byte session id offered with the ticket came back as {} bytes: {extra} bytes of server memory",
            offered_id.len(),
            f.hello.session_id.len()
        )
    } else {
        format!(
            "a {}-byte session id offered with the ticket came back unchanged",
            offered_id.len()
        )
    };
    Some(crate::vuln::ProbeFinding {
        vulnerable: Some(extra > 0),
        protocol: "TLS 1.2".into(),
        evidence,
    })
}

/// Completes one TLS 1.2 handshake with rustls, offering session tickets or not, and returns
/// the server's clear-text part.
async fn full_handshake(
    pr: &Prober,
    server_name: &str,
    tickets: bool,
) -> Result<FirstHandshake, String> {
    use rustls::client::{Resumption as Store, Tls12Resumption};
    let mut config = crate::cert::accept_any_config(&[&rustls::version::TLS12])?;
    config.resumption = Store::in_memory_sessions(1).tls12_resumption(if tickets {
        Tls12Resumption::SessionIdOrTickets
    } else {
        Tls12Resumption::SessionIdOnly
    });
    let name = rustls::pki_types::ServerName::try_from(server_name.to_string())
        .map_err(|e| format!("invalid server name {server_name:?}: {e}"))?;
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let (_permit, tcp) = pr.connect_paced().await?;
    let io = crate::reneg::Tap::new(tcp);
    let mut tls = tokio::time::timeout(pr.read_timeout, connector.connect(name, io))
        .await
        .map_err(|_| "the handshake did not finish within the read timeout".to_string())?
        .map_err(|e| format!("the handshake failed: {e}"))?;
    // A clean close_notify: some servers drop a session from their cache on an abrupt close.
    let _ = tokio::time::timeout(pr.read_timeout, tls.shutdown()).await;
    parse_first_handshake(&tls.get_ref().0.read).map_err(|e| e.to_string())
}

/// Offers a stored session back in one raw hello; (resumed, handshakes spent).
async fn offer_back(
    pr: &Prober,
    suite: u16,
    sni: Option<&str>,
    id: &[u8],
    ticket: Option<&[u8]>,
) -> (Option<bool>, u32) {
    let hello = resumption_hello(suite, sni, id, ticket);
    match pr.hello(&hello, enumerate::ske_kind).await {
        Ok(o) => (judge_resumed(id, &o), 1),
        Err(_) => (None, 1),
    }
}

/// Resumption by session id, from the server's bytes of a full handshake made without tickets
/// (or why it failed): (id issued, resumed, hellos spent).
pub async fn by_session_id(
    pr: &Prober,
    sni: Option<&str>,
    first: Result<&FirstHandshake, String>,
) -> Result<(bool, Option<bool>, u32), String> {
    let first = first?;
    if first.session_id.is_empty() {
        // An empty session id tells the client the session will not be cached (RFC 5246 7.4.1.3).
        return Ok((false, Some(false), 0));
    }
    let (resumed, n) = offer_back(pr, first.cipher_suite, sni, &first.session_id, None).await;
    Ok((true, resumed, n))
}

/// Resumption by ticket: a full handshake offering tickets, then the ticket offered back.
pub async fn by_ticket(pr: &Prober, name: &str, sni: Option<&str>) -> Result<TicketResult, String> {
    let first = full_handshake(pr, name, true).await?;
    offer_ticket_back(pr, sni, &first).await
}

/// Resumption by ticket on a server rustls cannot complete a handshake with: the first
/// handshake, offering tickets, is done by hand with one of `offer`.
pub async fn by_ticket_by_hand(
    pr: &Prober,
    sni: Option<&str>,
    offer: &[u16],
) -> Result<TicketResult, String> {
    let e = crate::handshake12::establish(pr, sni, offer, true).await?;
    let first = e.first?;
    offer_ticket_back(pr, sni, &first).await
}

/// Offers the ticket of a first handshake back (when one was issued) and judges the answer.
async fn offer_ticket_back(
    pr: &Prober,
    sni: Option<&str>,
    first: &FirstHandshake,
) -> Result<TicketResult, String> {
    let hint = first.ticket.as_ref().map(|t| t.0);
    // An empty NewSessionTicket is how a server says it decided not to issue one after all.
    let Some((_, ticket)) = first.ticket.as_ref().filter(|t| !t.1.is_empty()) else {
        return Ok(TicketResult {
            hint,
            issued: false,
            resumed: Some(false),
            ticketbleed: None,
            handshakes: 1,
        });
    };
    let hello = resumption_hello(
        first.cipher_suite,
        sni,
        &TICKET_SESSION_ID,
        Some(ticket.as_slice()),
    );
    let answer = pr.hello(&hello, enumerate::ske_kind).await.ok();
    Ok(TicketResult {
        hint,
        issued: true,
        resumed: answer
            .as_ref()
            .and_then(|o| judge_resumed(&TICKET_SESSION_ID, o)),
        ticketbleed: answer
            .as_ref()
            .and_then(|o| judge_ticketbleed(&TICKET_SESSION_ID, o)),
        handshakes: 2,
    })
}

/// What the ticket half of the probe found.
pub struct TicketResult {
    hint: Option<u32>,
    issued: bool,
    resumed: Option<bool>,
    ticketbleed: Option<crate::vuln::ProbeFinding>,
    handshakes: u32,
}

/// Whether TLS 1.2 accepted a suite rustls can complete a first handshake with.
pub fn completable(tls12_accepted: &[u16]) -> bool {
    tls12_accepted
        .iter()
        .any(|c| COMPLETABLE_SUITES.contains(c))
}

/// The result when no first handshake can be completed (no handshake spent).
pub fn not_completable() -> Resumption {
    Resumption {
        reason: Some(
            "no accepted TLS 1.2 suite to complete a first handshake with (it needs AES or ChaCha20, with ECDHE, DHE or RSA key exchange)".into(),
        ),
        ..Default::default()
    }
}

/// Puts the two halves together; `handshakes` counts what this probe spent itself.
pub fn assemble(
    id: Result<(bool, Option<bool>, u32), String>,
    ticket: Result<TicketResult, String>,
) -> Resumption {
    let mut r = Resumption::default();
    let mut reasons = Vec::new();
    match id {
        Ok((issued, resumed, n)) => {
            r.session_id_issued = issued;
            r.by_session_id = resumed;
            r.handshakes += n;
            if resumed.is_none() {
                reasons.push(
                    "session id: the server gave no usable answer to the resumption hello"
                        .to_string(),
                );
            }
        }
        Err(e) => reasons.push(format!("session id: first TLS 1.2 handshake: {e}")),
    }
    match ticket {
        Ok(t) => {
            r.ticket_lifetime_hint = t.hint.filter(|_| t.issued);
            r.ticket_issued = t.issued;
            r.by_ticket = t.resumed;
            r.ticketbleed = t.ticketbleed;
            r.handshakes += t.handshakes;
            if t.resumed.is_none() {
                reasons.push(
                    "ticket: the server gave no usable answer to the resumption hello".to_string(),
                );
            }
        }
        Err(e) => {
            r.handshakes += 1;
            reasons.push(format!("ticket: first TLS 1.2 handshake: {e}"));
        }
    }
    r.reason = Some(reasons.join("; ")).filter(|s| !s.is_empty());
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ServerFlight, ServerHello};

    fn record(ct: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![ct, 3, 3];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn hs(ty: u8, body: &[u8]) -> Vec<u8> {
        let mut h = vec![ty, 0, (body.len() >> 8) as u8, body.len() as u8];
        h.extend_from_slice(body);
        h
    }

    fn server_hello(session_id: &[u8]) -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[7; 32]);
        b.push(session_id.len() as u8);
        b.extend_from_slice(session_id);
        b.extend_from_slice(&[0xc0, 0x2f, 0]);
        hs(wire::HS_SERVER_HELLO, &b)
    }

    #[test]
    fn reads_session_id_and_ticket_before_encryption() {
        let mut flight = server_hello(&[9; 32]);
        flight.extend(hs(wire::HS_CERTIFICATE, &[0, 0, 0]));
        flight.extend(hs(wire::HS_SERVER_HELLO_DONE, &[]));
        let mut ticket = 7200u32.to_be_bytes().to_vec();
        ticket.extend_from_slice(&[0, 3, 0xaa, 0xbb, 0xcc]);
        let mut buf = record(wire::CT_HANDSHAKE, &flight);
        // The ticket in its own record, then encrypted data that must be ignored.
        buf.extend(record(
            wire::CT_HANDSHAKE,
            &hs(HS_NEW_SESSION_TICKET, &ticket),
        ));
        buf.extend(record(wire::CT_CHANGE_CIPHER_SPEC, &[1]));
        buf.extend(record(wire::CT_HANDSHAKE, &[0xde; 40]));
        let f = parse_first_handshake(&buf).expect("parses");
        assert_eq!(f.session_id, vec![9; 32]);
        assert_eq!(f.cipher_suite, 0xc02f);
        assert_eq!(f.ticket, Some((7200, vec![0xaa, 0xbb, 0xcc])));
    }

    #[test]
    fn truncated_ticket_and_missing_hello_are_errors() {
        let mut buf = record(wire::CT_HANDSHAKE, &server_hello(&[]));
        buf.extend(record(
            wire::CT_HANDSHAKE,
            &hs(HS_NEW_SESSION_TICKET, &[0, 0, 1, 0, 0, 9, 1]),
        ));
        assert!(parse_first_handshake(&buf).is_err());
        assert!(parse_first_handshake(&record(wire::CT_CHANGE_CIPHER_SPEC, &[1])).is_err());
    }

    #[test]
    fn resumption_needs_echoed_id_and_no_certificate() {
        let id = [5u8; 32];
        let flight = |sid: &[u8], certs: usize| {
            Outcome::Hello(Box::new(ServerFlight {
                hello: ServerHello {
                    session_id: sid.to_vec(),
                    ..Default::default()
                },
                certificates: vec![vec![1]; certs],
                ..Default::default()
            }))
        };
        assert_eq!(judge_resumed(&id, &flight(&id, 0)), Some(true));
        assert_eq!(judge_resumed(&id, &flight(&[6; 32], 1)), Some(false));
        assert_eq!(judge_resumed(&id, &flight(&id, 1)), Some(false));
        assert_eq!(judge_resumed(&[], &flight(&[], 0)), Some(false));
        assert_eq!(judge_resumed(&id, &Outcome::Closed), None);
    }

    #[test]
    fn ticketbleed_is_a_longer_echo_on_a_resumption() {
        let id = [5u8; 16];
        let answer = |sid: Vec<u8>, certs: usize| {
            Outcome::Hello(Box::new(ServerFlight {
                hello: ServerHello {
                    session_id: sid,
                    ..Default::default()
                },
                certificates: vec![vec![1]; certs],
                ..Default::default()
            }))
        };
        let mut padded = id.to_vec();
        padded.extend_from_slice(&[0xa5; 16]);
        let f = judge_ticketbleed(&id, &answer(padded, 0)).expect("resumed");
        assert_eq!(f.vulnerable, Some(true));
        assert!(
            f.evidence.contains("16 bytes of server memory"),
            "{}",
            f.evidence
        );
        assert!(!f.evidence.contains("a5"));
        let f = judge_ticketbleed(&id, &answer(id.to_vec(), 0)).expect("resumed");
        assert_eq!(f.vulnerable, Some(false));
        assert!(
            judge_ticketbleed(&id, &answer(vec![9; 32], 1)).is_none(),
            "full handshake"
        );
    }

    #[test]
    fn resumption_hello_offers_ticket_and_extended_master_secret() {
        let rec = resumption_hello(0xc02f, Some("example.go.id"), &[1; 32], Some(&[0xab; 5]));
        let win = |needle: &[u8]| rec.windows(needle.len()).any(|w| w == needle);
        assert!(win(&[0x00, 0x23, 0x00, 0x05, 0xab, 0xab, 0xab, 0xab, 0xab]));
        assert!(win(&[0x00, 0x17, 0x00, 0x00]));
        assert!(win(&[0x00, 0x02, 0xc0, 0x2f]));
    }
}
