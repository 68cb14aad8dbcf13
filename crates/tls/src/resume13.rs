//! TLS 1.3 session resumption (RFC 8446 section 2.2): does the server issue NewSessionTickets
//! after a full handshake, and does it accept one back as a pre-shared key?
//!
//! The full handshake is the first one of the TLS 1.3 signature-scheme elimination, and the
//! resumption attempt is its second: when the server does not resume, that attempt is an
//! ordinary elimination step, so the probe costs one handshake only when resumption works.

use rustls::NamedGroup;
use rustls::client::{
    ClientSessionMemoryCache, ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue,
};
use rustls::pki_types::ServerName;
use serde::Serialize;
use std::sync::atomic::{AtomicU32, Ordering};

/// What the TLS 1.3 resumption probe found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Resumption13 {
    /// NewSessionTickets received after the full handshake.
    pub tickets_issued: u32,
    /// A returning client offering a ticket was resumed (None: could not be tested, see `reason`).
    pub resumed: Option<bool>,
    /// Why the answer is missing or partial.
    pub reason: Option<String>,
    /// Handshakes spent beyond the signature-scheme elimination (1 when the server resumed).
    pub handshakes: u32,
    /// The longest `ticket_lifetime` a NewSessionTicket announced, in seconds (RFC 8446
    /// section 4.6.1 caps it at 604,800; a client never keeps a ticket longer).
    pub ticket_lifetime_secs: Option<u32>,
}

/// Keeps the tickets for the next connection and counts them.
#[derive(Debug)]
pub(crate) struct TicketStore {
    inner: ClientSessionMemoryCache,
    issued: AtomicU32,
    /// Longest announced lifetime, seconds (0: none seen).
    lifetime: AtomicU32,
}

impl TicketStore {
    /// An empty store.
    pub(crate) fn new() -> Self {
        TicketStore {
            inner: ClientSessionMemoryCache::new(4),
            issued: AtomicU32::new(0),
            lifetime: AtomicU32::new(0),
        }
    }

    /// The longest ticket lifetime announced so far, seconds.
    pub(crate) fn lifetime_secs(&self) -> Option<u32> {
        Some(self.lifetime.load(Ordering::Relaxed)).filter(|l| *l > 0)
    }

    /// TLS 1.3 tickets received so far.
    pub(crate) fn issued(&self) -> u32 {
        self.issued.load(Ordering::Relaxed)
    }
}

impl ClientSessionStore for TicketStore {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.inner.set_kx_hint(server_name, group);
    }
    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.inner.kx_hint(server_name)
    }
    fn set_tls12_session(&self, n: ServerName<'static>, v: Tls12ClientSessionValue) {
        self.inner.set_tls12_session(n, v);
    }
    fn tls12_session(&self, n: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.inner.tls12_session(n)
    }
    fn remove_tls12_session(&self, n: &ServerName<'static>) {
        self.inner.remove_tls12_session(n);
    }
    fn insert_tls13_ticket(&self, n: ServerName<'static>, v: Tls13ClientSessionValue) {
        self.issued.fetch_add(1, Ordering::Relaxed);
        if let Some(l) = lifetime_of(&v) {
            self.lifetime.fetch_max(l, Ordering::Relaxed);
        }
        self.inner.insert_tls13_ticket(n, v);
    }
    fn take_tls13_ticket(&self, n: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.inner.take_tls13_ticket(n)
    }
}

/// The ticket's announced lifetime. The NewSessionTicket is encrypted, and rustls keeps the
/// lifetime private but prints it in the ticket's `Debug` form, which is read here; the
/// resumption test against nginx fails if a rustls release stops printing it.
fn lifetime_of(v: &Tls13ClientSessionValue) -> Option<u32> {
    lifetime_field(&format!("{v:?}"))
}

/// `lifetime_secs: N` from a `Debug` rendering.
fn lifetime_field(debug: &str) -> Option<u32> {
    let rest = &debug[debug.find("lifetime_secs: ")? + "lifetime_secs: ".len()..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Judges the attempt that offered a ticket back: `resumed` is None when it did not finish
/// (a refusal of a full handshake still proves the ticket was not taken).
pub fn judge(tickets_issued: u32, attempt: Option<AttemptOutcome>) -> Resumption13 {
    let mut r = Resumption13 {
        tickets_issued,
        ..Default::default()
    };
    if tickets_issued == 0 {
        r.resumed = Some(false);
        r.reason =
            Some("the server sent no TLS 1.3 session ticket, so no client can resume".into());
        return r;
    }
    match attempt {
        Some(AttemptOutcome::Resumed) => {
            r.resumed = Some(true);
            r.handshakes = 1;
        }
        Some(AttemptOutcome::Full) | Some(AttemptOutcome::Refused) => r.resumed = Some(false),
        Some(AttemptOutcome::Failed(e)) => {
            r.reason = Some(format!("the resumption attempt failed: {e}"));
        }
        None => r.reason = Some("no resumption attempt could be made".into()),
    }
    r
}

/// How a handshake that offered a ticket ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The server accepted the ticket (no certificate, no CertificateVerify).
    Resumed,
    /// The server ignored the ticket and completed a full handshake.
    Full,
    /// The server refused the handshake, which it would not have done had it taken the ticket.
    Refused,
    /// No answer either way (timeout, I/O error).
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgement() {
        let none = judge(0, Some(AttemptOutcome::Full));
        assert_eq!((none.resumed, none.handshakes), (Some(false), 0));
        assert!(
            none.reason
                .is_some_and(|r| r.contains("no TLS 1.3 session ticket"))
        );
        let yes = judge(2, Some(AttemptOutcome::Resumed));
        assert_eq!(
            (yes.resumed, yes.handshakes, yes.tickets_issued),
            (Some(true), 1, 2)
        );
        assert_eq!(judge(1, Some(AttemptOutcome::Full)).resumed, Some(false));
        assert_eq!(judge(1, Some(AttemptOutcome::Refused)).resumed, Some(false));
        let failed = judge(1, Some(AttemptOutcome::Failed("timeout".into())));
        assert_eq!(failed.resumed, None);
        assert!(failed.reason.is_some());
    }

    #[test]
    fn lifetime_is_read_from_the_debug_form() {
        let d = "Tls13ClientSessionValue { suite: TLS13_AES_256_GCM_SHA384, age_add: 1, \
                 common: ClientSessionCommon { ticket: 00ab, epoch: 17, lifetime_secs: 7200, \
                 server_cert_chain: [] } }";
        assert_eq!(lifetime_field(d), Some(7200));
        assert_eq!(lifetime_field("lifetime_secs: 0"), Some(0));
        assert_eq!(lifetime_field("lifetime_secs: x"), None);
        assert_eq!(lifetime_field("no lifetime here"), None);
    }
}
