//! Protocol, cipher-suite and group enumeration with the fewest handshakes: offer many, drop the chosen one, repeat.

use crate::probe::{Outcome, ProbeError, Prober};
use crate::suites::{self, GROUPS, SIGNATURE_ALGORITHMS};
use crate::wire::{
    self, ClientHelloSpec, Extension, KxParams, SCSV_FALLBACK, SCSV_RENEGOTIATION, ServerFlight,
    Version,
};
use std::sync::Arc;
use tokio::task::JoinSet;

/// Options that vary between probes for one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelloParams {
    /// Server name for SNI (omitted when `None`).
    pub sni: Option<String>,
    /// Groups for supported_groups; empty means the default list.
    pub groups: Vec<u16>,
    /// Send no key share so a TLS 1.3 server must answer with a HelloRetryRequest naming its group.
    pub empty_key_share: bool,
    /// Offer DEFLATE compression (CRIME check).
    pub compression: bool,
    /// Add TLS_FALLBACK_SCSV.
    pub fallback_scsv: bool,
}

/// Groups offered by default for TLS 1.0–1.2 (elliptic curves only; FFDHE there is negotiated by the suite).
fn default_legacy_groups() -> Vec<u16> {
    GROUPS.iter().map(|g| g.0).filter(|c| *c < 0x0100).collect()
}

/// Groups offered by default for TLS 1.3.
fn default_tls13_groups() -> Vec<u16> {
    GROUPS
        .iter()
        .map(|g| g.0)
        .filter(|c| !(0x0001..=0x001c).contains(c) || matches!(c, 0x0017..=0x0019))
        .collect()
}

/// Builds the ClientHello record for one probe (pure).
pub fn build_hello(version: Version, suites_offered: &[u16], p: &HelloParams) -> Vec<u8> {
    let mut cipher_suites = suites_offered.to_vec();
    if version != Version::Tls13 {
        cipher_suites.push(SCSV_RENEGOTIATION);
    }
    if p.fallback_scsv {
        cipher_suites.push(SCSV_FALLBACK);
    }
    let compression_methods = if p.compression { vec![1, 0] } else { vec![0] };
    let sni = p
        .sni
        .as_ref()
        .filter(|s| !s.is_empty() && s.parse::<std::net::IpAddr>().is_err());
    let mut exts = Vec::new();
    if let Some(name) = sni {
        exts.push(Extension::ServerName(name.clone()));
    }
    let (record_version, client_version, session_id) = match version {
        // SSLv3 servers predate extensions; some reject hellos that carry them.
        Version::Ssl3 => (0x0300, 0x0300, vec![]),
        Version::Tls13 => (0x0301, 0x0303, vec![0x5a; 32]),
        v => (0x0301, v.wire(), vec![]),
    };
    let extensions = if version == Version::Ssl3 {
        None
    } else if version == Version::Tls13 {
        let groups = if p.groups.is_empty() {
            default_tls13_groups()
        } else {
            p.groups.clone()
        };
        let shares = if !p.empty_key_share && groups.contains(&0x001d) {
            vec![(0x001d, wire::X25519_SHARE.to_vec())]
        } else {
            vec![]
        };
        exts.push(Extension::SupportedVersions(vec![0x0304]));
        exts.push(Extension::SupportedGroups(groups));
        exts.push(Extension::SignatureAlgorithms(
            SIGNATURE_ALGORITHMS.to_vec(),
        ));
        exts.push(Extension::PskKeyExchangeModes);
        exts.push(Extension::KeyShare(shares));
        Some(exts)
    } else {
        let groups = if p.groups.is_empty() {
            default_legacy_groups()
        } else {
            p.groups.clone()
        };
        exts.push(Extension::SupportedGroups(groups));
        exts.push(Extension::EcPointFormats);
        if version == Version::Tls12 {
            exts.push(Extension::SignatureAlgorithms(
                SIGNATURE_ALGORITHMS.to_vec(),
            ));
        }
        exts.push(Extension::RenegotiationInfo);
        exts.push(Extension::StatusRequest);
        exts.push(Extension::Heartbeat);
        Some(exts)
    };
    wire::client_hello_record(&ClientHelloSpec {
        record_version,
        client_version,
        random: [0x4b; 32],
        session_id,
        cipher_suites,
        compression_methods,
        extensions,
    })
}

/// Classifies a suite's ServerKeyExchange for the parser.
pub fn ske_kind(code: u16) -> Option<bool> {
    suites::by_code(code).and_then(|s| s.ske_is_ecdhe())
}

/// Whether a version is offered, refused, or could not be determined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// The server negotiated it.
    Supported,
    /// The server refused it.
    NotSupported,
    /// No clear answer (reason).
    Inconclusive(String),
}

/// Raw enumeration result for one version.
#[derive(Debug, Clone)]
pub struct VersionScan {
    /// Version probed.
    pub version: Version,
    /// Outcome.
    pub support: Support,
    /// Accepted suites in the order the server chose them, with ServerKeyExchange details.
    pub accepted: Vec<(u16, Option<KxParams>)>,
    /// SSLv2 cipher specs offered by the server.
    pub sslv2_specs: Vec<u32>,
    /// Server enforces its own order (`None` if fewer than two suites or undetermined).
    pub server_preference: Option<bool>,
    /// Flights seen (kept for certificate, renegotiation, heartbeat and OCSP evidence).
    pub flights: Vec<ServerFlight>,
    /// Problems after the version was established.
    pub notes: Vec<String>,
}

/// Offers `version` repeatedly, removing each chosen suite, until the server refuses.
pub async fn enumerate_version(
    pr: Arc<Prober>,
    version: Version,
    sni: Option<String>,
) -> VersionScan {
    let mut scan = VersionScan {
        version,
        support: Support::NotSupported,
        accepted: Vec::new(),
        sslv2_specs: Vec::new(),
        server_preference: None,
        flights: Vec::new(),
        notes: Vec::new(),
    };
    if version == Version::Ssl2 {
        let specs = suites::sslv2_specs();
        let hello = wire::sslv2_client_hello(0x0002, &specs, &[0x4b; 16]);
        match pr.sslv2_hello(&hello).await {
            Ok(Outcome::Sslv2(h)) => {
                scan.support = Support::Supported;
                scan.sslv2_specs = h.cipher_specs;
            }
            Ok(_) => {}
            // Modern stacks often reset or send garbage-looking TLS on an SSLv2 hello; that is a "no".
            Err(ProbeError::Wire(_)) | Err(ProbeError::Truncated(_)) => {}
            Err(e) => scan.support = Support::Inconclusive(e.to_string()),
        }
        return scan;
    }
    let params = HelloParams {
        sni,
        ..Default::default()
    };
    let mut remaining = suites::offer_list(version);
    while !remaining.is_empty() {
        let hello = build_hello(version, &remaining, &params);
        let first = scan.accepted.is_empty();
        match pr.hello(&hello, ske_kind).await {
            Ok(Outcome::Hello(f)) => {
                let negotiated = f.hello.negotiated_version();
                if negotiated != version.wire() {
                    if first {
                        // Picking another version (typically higher) means this one is not offered.
                        if negotiated > version.wire() {
                            scan.notes.push(format!(
                                "server answered a {} hello with version 0x{negotiated:04x}",
                                version.label()
                            ));
                        }
                    } else {
                        scan.notes
                            .push("server switched version mid-enumeration".into());
                    }
                    break;
                }
                let chosen = f.hello.cipher_suite;
                let Some(pos) = remaining.iter().position(|c| *c == chosen) else {
                    scan.notes.push(format!(
                        "server chose suite 0x{chosen:04x} that was not offered"
                    ));
                    if first {
                        scan.support = Support::Inconclusive(format!(
                            "server chose suite 0x{chosen:04x} that was not offered"
                        ));
                    }
                    break;
                };
                remaining.remove(pos);
                scan.support = Support::Supported;
                scan.accepted.push((chosen, f.kx));
                scan.flights.push(*f);
            }
            Ok(_) => break,
            Err(e) => {
                if first {
                    scan.support = Support::Inconclusive(e.to_string());
                } else {
                    scan.notes.push(format!("enumeration stopped early: {e}"));
                }
                break;
            }
        }
    }
    if scan.accepted.len() >= 2 {
        // Offer the accepted suites in reverse: a server that still picks its first choice enforces its order.
        let reversed: Vec<u16> = scan.accepted.iter().rev().map(|a| a.0).collect();
        let hello = build_hello(version, &reversed, &params);
        if let Ok(Outcome::Hello(f)) = pr.hello(&hello, ske_kind).await {
            let chosen = f.hello.cipher_suite;
            scan.server_preference = Some(chosen != reversed[0]);
            if chosen != scan.accepted[0].0 && chosen != reversed[0] {
                scan.notes
                    .push("server order depends on the client's offer (mixed preference)".into());
            }
        }
    }
    scan
}

/// Finds the groups a server accepts for `version` (HelloRetryRequest for TLS 1.3, ServerKeyExchange below).
pub async fn enumerate_groups(
    pr: Arc<Prober>,
    version: Version,
    suites_offered: Vec<u16>,
    sni: Option<String>,
) -> Vec<u16> {
    let mut remaining = if version == Version::Tls13 {
        default_tls13_groups()
    } else {
        default_legacy_groups()
    };
    let mut found = Vec::new();
    while !remaining.is_empty() {
        let params = HelloParams {
            sni: sni.clone(),
            groups: remaining.clone(),
            empty_key_share: true,
            ..Default::default()
        };
        let hello = build_hello(version, &suites_offered, &params);
        let group = match pr.hello(&hello, ske_kind).await {
            Ok(Outcome::Hello(f)) if version == Version::Tls13 => f.hello.key_share_group(),
            Ok(Outcome::Hello(f)) => match f.kx {
                Some(KxParams::Ecdhe { group }) => Some(group),
                _ => None,
            },
            _ => None,
        };
        match group.and_then(|g| remaining.iter().position(|c| *c == g)) {
            Some(pos) => found.push(remaining.remove(pos)),
            None => break,
        }
    }
    found
}

/// Sends one hello and returns the flight, if the server answered with a hello.
pub async fn single(
    pr: &Prober,
    version: Version,
    suites_offered: &[u16],
    p: &HelloParams,
) -> Result<Outcome, ProbeError> {
    pr.hello(&build_hello(version, suites_offered, p), ske_kind)
        .await
}

/// Runs every version's enumeration concurrently.
pub async fn enumerate_all(pr: Arc<Prober>, sni: Option<String>) -> Vec<VersionScan> {
    let mut set = JoinSet::new();
    for v in Version::ALL {
        set.spawn(enumerate_version(pr.clone(), v, sni.clone()));
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(scan) = r {
            out.push(scan);
        }
    }
    out.sort_by_key(|s| s.version);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls13_hello_offers_share_and_versions() {
        let rec = build_hello(Version::Tls13, &[0x1301], &HelloParams::default());
        // Record header, handshake header, legacy version 0x0303.
        assert_eq!(&rec[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(rec[5], 1);
        assert_eq!(&rec[9..11], &[0x03, 0x03]);
        let s = rec
            .windows(2)
            .position(|w| w == [0x00, 0x2b])
            .expect("supported_versions");
        assert_eq!(&rec[s..s + 7], &[0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04]);
        assert!(rec.windows(32).any(|w| w == wire::X25519_SHARE));
    }

    #[test]
    fn sslv3_hello_has_no_extensions_but_scsv() {
        let rec = build_hello(Version::Ssl3, &[0x000a], &HelloParams::default());
        assert_eq!(&rec[..3], &[0x16, 0x03, 0x00]);
        let len = rec.len();
        // Suites then compression as the final bytes: no extension block.
        assert_eq!(
            &rec[len - 8..],
            &[0x00, 0x04, 0x00, 0x0a, 0x00, 0xff, 0x01, 0x00]
        );
    }
}
