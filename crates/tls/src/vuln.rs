//! Vulnerability probes that test rather than infer: the records sent after a server's first flight
//! and the judgement of its reaction (pure; the I/O is `Prober::hello_then`).
//!
//! Both probes are safe for production: the Heartbleed request asks for a bounded over-read that
//! is counted and dropped, and the early ChangeCipherSpec is followed by one record the server
//! can only reject. Neither completes a handshake.

use crate::probe::Reaction;
use crate::wire::{self, ServerFlight};
use serde::Serialize;

/// Payload bytes actually sent in the heartbeat request.
pub const HEARTBEAT_PAYLOAD: usize = 16;
/// Payload length the heartbeat request claims (more than it carries).
pub const HEARTBEAT_CLAIMED: u16 = 1024;
/// Bytes of padding a heartbeat message carries (RFC 6520 minimum).
const HEARTBEAT_PADDING: usize = 16;

/// Alert a patched stack sends for a record it did not expect.
pub const ALERT_UNEXPECTED_MESSAGE: u8 = 10;
/// Alert for a record that failed decryption or its MAC check.
pub const ALERT_BAD_RECORD_MAC: u8 = 20;
/// Older alert for a record that failed decryption.
pub const ALERT_DECRYPTION_FAILED: u8 = 21;

/// Result of one vulnerability probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeFinding {
    /// True when the probe showed the flaw, false when it showed its absence, None when the
    /// reaction proved neither.
    pub vulnerable: Option<bool>,
    /// Protocol label the probe ran on, e.g. "TLS 1.2".
    pub protocol: String,
    /// What was sent and what came back, in a sentence (English, for logs and JSON).
    pub evidence: String,
}

/// A heartbeat request record whose declared payload length exceeds the payload it carries.
pub fn heartbeat_request(record_version: u16) -> Vec<u8> {
    let mut body = vec![1u8];
    body.extend_from_slice(&HEARTBEAT_CLAIMED.to_be_bytes());
    body.extend_from_slice(&[0x4b; HEARTBEAT_PAYLOAD]);
    body.extend_from_slice(&[0u8; HEARTBEAT_PADDING]);
    wire::record(wire::CT_HEARTBEAT, record_version, &body)
}

/// An early ChangeCipherSpec, then a 48-byte handshake record that only makes sense encrypted.
pub fn early_ccs(record_version: u16) -> Vec<u8> {
    let mut out = wire::record(wire::CT_CHANGE_CIPHER_SPEC, record_version, &[1]);
    out.extend(wire::record(wire::CT_HANDSHAKE, record_version, &[0u8; 48]));
    out
}

/// The follow-up for a first flight: a Heartbleed request if the server negotiated heartbeats,
/// then the early ChangeCipherSpec (whose alert also ends the wait for a heartbeat answer).
pub fn follow_up(f: &ServerFlight) -> Vec<u8> {
    let v = f.hello.legacy_version;
    let mut out = Vec::new();
    if heartbeat_negotiated(f) {
        out.extend(heartbeat_request(v));
    }
    out.extend(early_ccs(v));
    out
}

/// Whether the server echoed the heartbeat extension.
pub fn heartbeat_negotiated(f: &ServerFlight) -> bool {
    f.hello.extension(wire::EXT_HEARTBEAT).is_some()
}

/// Heartbleed: vulnerable only if more heartbeat bytes came back than a correct echo holds.
pub fn judge_heartbleed(protocol: &str, negotiated: bool, r: &Reaction) -> ProbeFinding {
    let honest = 3 + HEARTBEAT_PAYLOAD + HEARTBEAT_PADDING;
    let (vulnerable, evidence) = if !negotiated {
        (
            Some(false),
            "the server did not negotiate the heartbeat extension, so it ignores heartbeat requests"
                .to_string(),
        )
    } else if r.heartbeat_bytes > honest {
        (
            Some(true),
            format!(
                "a heartbeat request carrying {HEARTBEAT_PAYLOAD} bytes but claiming {HEARTBEAT_CLAIMED} was answered with {} bytes (the excess is server memory; it was counted and discarded)",
                r.heartbeat_bytes
            ),
        )
    } else if r.heartbeat_bytes > 0 {
        (
            Some(false),
            format!(
                "the heartbeat request was answered with {} bytes, no more than was sent",
                r.heartbeat_bytes
            ),
        )
    } else {
        (
            Some(false),
            format!(
                "a heartbeat request claiming {HEARTBEAT_CLAIMED} bytes but carrying {HEARTBEAT_PAYLOAD} was not answered (discarded as RFC 6520 requires)"
            ),
        )
    };
    ProbeFinding {
        vulnerable,
        protocol: protocol.to_string(),
        evidence,
    }
}

/// CCS injection: a server that accepted the early ChangeCipherSpec tries to decrypt the next
/// record and fails its MAC; a patched one rejects the ChangeCipherSpec itself.
pub fn judge_ccs(protocol: &str, r: &Reaction) -> ProbeFinding {
    let (vulnerable, evidence) = match r.alert {
        Some(a) if matches!(a.description, ALERT_BAD_RECORD_MAC | ALERT_DECRYPTION_FAILED) => (
            Some(true),
            format!(
                "after an early ChangeCipherSpec the server tried to decrypt the next record (alert {})",
                a.description
            ),
        ),
        Some(a) => (
            Some(false),
            format!(
                "the server rejected an early ChangeCipherSpec (alert {})",
                a.description
            ),
        ),
        None if r.closed => (
            Some(false),
            "the server closed the connection after an early ChangeCipherSpec".to_string(),
        ),
        None => (
            None,
            "the server neither accepted nor rejected an early ChangeCipherSpec before the read timeout"
                .to_string(),
        ),
    };
    ProbeFinding {
        vulnerable,
        protocol: protocol.to_string(),
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Alert;

    #[test]
    fn heartbeat_request_claims_more_than_it_carries() {
        let r = heartbeat_request(0x0303);
        assert_eq!(&r[..3], &[24, 3, 3]);
        let len = usize::from(u16::from_be_bytes([r[3], r[4]]));
        assert_eq!(len, r.len() - 5);
        assert_eq!(r[5], 1);
        let claimed = u16::from_be_bytes([r[6], r[7]]);
        assert!(usize::from(claimed) > len);
    }

    #[test]
    fn judgements() {
        let leak = Reaction {
            heartbeat_bytes: 3 + 1024 + 16,
            ..Default::default()
        };
        assert_eq!(
            judge_heartbleed("TLS 1.2", true, &leak).vulnerable,
            Some(true)
        );
        let quiet = Reaction {
            alert: Some(Alert {
                level: 2,
                description: ALERT_UNEXPECTED_MESSAGE,
            }),
            ..Default::default()
        };
        assert_eq!(
            judge_heartbleed("TLS 1.2", true, &quiet).vulnerable,
            Some(false)
        );
        assert_eq!(judge_ccs("TLS 1.2", &quiet).vulnerable, Some(false));
        let mac = Reaction {
            alert: Some(Alert {
                level: 2,
                description: ALERT_BAD_RECORD_MAC,
            }),
            ..Default::default()
        };
        assert_eq!(judge_ccs("TLS 1.2", &mac).vulnerable, Some(true));
        let silent = Reaction {
            timed_out: true,
            ..Default::default()
        };
        assert_eq!(judge_ccs("TLS 1.2", &silent).vulnerable, None);
    }
}
