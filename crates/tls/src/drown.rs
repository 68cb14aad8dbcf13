//! DROWN (CVE-2016-0800): SSL 2.0 anywhere with the RSA key this endpoint uses for TLS.
//!
//! SSL 2.0 on the scanned port itself is already read off enumeration. A mail or other server on
//! the same host often shares the certificate; each port named in `ScanOptions::drown_ports`
//! gets one SSLv2 CLIENT-HELLO, and its certificate's RSA key is compared with the leaf's.

use crate::probe::{Outcome, Pacer, Prober};
use crate::robot::{RsaKey, rsa_key};
use crate::vuln::ProbeFinding;
use crate::{suites, wire};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// What one other port said to an SSLv2 hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortAnswer {
    /// SSL 2.0 with this certificate (DER).
    Sslv2(Vec<u8>),
    /// No SSL 2.0 (refused, closed, not TLS at all).
    NoSslv2,
    /// Could not connect or no answer (reason).
    Unreachable(String),
}

/// Judges DROWN from SSL 2.0 on this port and the answers of the other ports.
pub fn judge(
    sslv2_here: bool,
    leaf: Option<&RsaKey>,
    others: &[(u16, PortAnswer)],
) -> ProbeFinding {
    let finding = |vulnerable, evidence: String| ProbeFinding {
        vulnerable,
        protocol: "SSL 2.0".into(),
        evidence,
    };
    if sslv2_here {
        return finding(Some(true), "this port accepts SSL 2.0".into());
    }
    let Some(leaf) = leaf else {
        return finding(
            Some(false),
            "no SSL 2.0 here, and no RSA certificate key was seen in a TLS 1.2 or older handshake (DROWN needs an RSA key)".into(),
        );
    };
    let shared: Vec<String> = others
        .iter()
        .filter(|(_, a)| matches!(a, PortAnswer::Sslv2(der) if rsa_key(der).as_ref() == Some(leaf)))
        .map(|(p, _)| p.to_string())
        .collect();
    if !shared.is_empty() {
        return finding(
            Some(true),
            format!(
                "port(s) {} of the same host accept SSL 2.0 with the same RSA key",
                shared.join(", ")
            ),
        );
    }
    let unreachable: Vec<String> = others
        .iter()
        .filter(|(_, a)| matches!(a, PortAnswer::Unreachable(_)))
        .map(|(p, _)| p.to_string())
        .collect();
    let checked = others.len() - unreachable.len();
    let mut evidence = if others.is_empty() {
        "no SSL 2.0 on this port; other ports not checked (kawal tls --drown-ports)".to_string()
    } else {
        format!("no SSL 2.0 with this RSA key on this port or on {checked} other port(s)")
    };
    if !unreachable.is_empty() {
        evidence.push_str(&format!("; not reachable: {}", unreachable.join(", ")));
    }
    finding(Some(false), evidence)
}

/// One SSLv2 hello to `port` on the scanned address.
async fn ask(
    addr: SocketAddr,
    port: u16,
    timeout: Duration,
    pacer: Option<Arc<dyn Pacer>>,
) -> PortAnswer {
    let mut pr = Prober::new(SocketAddr::new(addr.ip(), port), timeout, timeout, 1);
    // The same host's rate limit covers its other ports.
    pr.pacer = pacer;
    let hello = wire::sslv2_client_hello(0x0002, &suites::sslv2_specs(), &[0x4b; 16]);
    match pr.sslv2_hello(&hello).await {
        Ok(Outcome::Sslv2(h)) => PortAnswer::Sslv2(h.certificate),
        Ok(_) => PortAnswer::NoSslv2,
        Err(crate::probe::ProbeError::Wire(_)) | Err(crate::probe::ProbeError::Truncated(_)) => {
            PortAnswer::NoSslv2
        }
        Err(e) => PortAnswer::Unreachable(e.to_string()),
    }
}

/// Asks every other port at once; one connection each.
pub async fn ask_ports(
    addr: SocketAddr,
    ports: &[u16],
    timeout: Duration,
    pacer: Option<Arc<dyn Pacer>>,
) -> Vec<(u16, PortAnswer)> {
    let ports: Vec<u16> = ports
        .iter()
        .copied()
        .filter(|p| *p != addr.port())
        .collect();
    let asks = ports
        .iter()
        .map(|p| ask(addr, *p, timeout, pacer.clone()))
        .collect();
    let answers = crate::join_all(asks).await;
    ports.into_iter().zip(answers).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_key_elsewhere_is_drown() {
        let key = RsaKey {
            modulus: vec![0xc5; 128],
            exponent: vec![1, 0, 1],
        };
        let here = judge(true, Some(&key), &[]);
        assert_eq!(here.vulnerable, Some(true));
        let none = judge(false, Some(&key), &[]);
        assert_eq!(none.vulnerable, Some(false));
        assert!(none.evidence.contains("not checked"));
        // Garbage instead of a certificate never matches.
        let other = judge(false, Some(&key), &[(465, PortAnswer::Sslv2(vec![1, 2]))]);
        assert_eq!(other.vulnerable, Some(false));
        let down = judge(
            false,
            Some(&key),
            &[(25, PortAnswer::Unreachable("refused".into()))],
        );
        assert!(
            down.evidence.contains("not reachable: 25"),
            "{}",
            down.evidence
        );
        assert_eq!(judge(false, None, &[]).vulnerable, Some(false));
    }
}
