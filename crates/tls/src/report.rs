//! Serializable scan report (stable snake_case JSON).

use crate::cert::CertReport;
use crate::grade::Grade;
use crate::suites::{self, CipherSuite, Kx};
use crate::weakness::Weaknesses;
use crate::wire::{KxParams, Version};
use serde::Serialize;

/// Endpoint that was scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetInfo {
    /// Host as given.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// SNI sent (None for IP literals without `--sni`).
    pub sni: Option<String>,
    /// Address actually connected to.
    pub ip: String,
}

/// Support status of one protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportStatus {
    /// Negotiated.
    Supported,
    /// Refused.
    NotSupported,
    /// Could not be determined (see `reason`).
    Inconclusive,
}

/// One accepted cipher suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuiteResult {
    /// Code as "0xc02f" (SSLv2 specs use six hex digits).
    pub code: String,
    /// IANA name.
    pub iana_name: String,
    /// OpenSSL alias (empty if none).
    pub openssl_name: String,
    /// Key-exchange family.
    pub kx: Kx,
    /// Negotiated key-exchange detail, e.g. "x25519" or "DH 2048".
    pub kx_detail: Option<String>,
    /// Bulk cipher family.
    pub cipher: String,
    /// Bulk cipher key bits.
    pub bits: u16,
    /// Authenticated encryption.
    pub aead: bool,
    /// Ephemeral key exchange.
    pub forward_secrecy: bool,
    /// Weakness tags: rc4, 3des_64bit_block, export, null, anonymous, cbc, no_forward_secrecy.
    pub flags: Vec<&'static str>,
}

impl SuiteResult {
    /// Builds a row from the table entry and optional ServerKeyExchange details.
    pub fn from_suite(s: &CipherSuite, kx: Option<KxParams>) -> Self {
        let mut flags = Vec::new();
        if s.is_rc4() {
            flags.push("rc4");
        }
        if s.is_64bit_block() {
            flags.push("64bit_block");
        }
        if s.export {
            flags.push("export");
        }
        if s.is_null() {
            flags.push("null");
        }
        if s.is_anon() {
            flags.push("anonymous");
        }
        if s.is_cbc() {
            flags.push("cbc");
        }
        if !s.forward_secrecy() {
            flags.push("no_forward_secrecy");
        }
        SuiteResult {
            code: if s.is_sslv2() {
                format!("0x{:06x}", s.code)
            } else {
                format!("0x{:04x}", s.code)
            },
            iana_name: s.iana.to_string(),
            openssl_name: s.openssl.to_string(),
            kx: s.kx,
            kx_detail: kx.map(|k| match k {
                KxParams::Ecdhe { group } => suites::group_name(group),
                KxParams::Dhe { prime_bits, .. } => format!("DH {prime_bits}"),
            }),
            cipher: s.cipher.to_string(),
            bits: s.bits,
            aead: s.is_aead(),
            forward_secrecy: s.forward_secrecy(),
            flags,
        }
    }

    /// The table entry for this row.
    pub fn suite(&self) -> Option<&'static CipherSuite> {
        suites::by_name(&self.iana_name)
    }
}

/// Result for one protocol version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtocolResult {
    /// Version.
    pub version: Version,
    /// Label such as "TLS 1.2".
    pub name: &'static str,
    /// Support status.
    pub status: SupportStatus,
    /// Why the status is inconclusive, or other remarks.
    pub reason: Option<String>,
    /// Server enforces its own suite order (None when not determinable).
    pub server_preference: Option<bool>,
    /// Accepted suites; in server order when `server_preference` is true.
    pub suites: Vec<SuiteResult>,
}

/// A key-exchange group the server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupResult {
    /// Code as "0x001d".
    pub code: String,
    /// Name, e.g. "x25519".
    pub name: String,
    /// Versions it was seen with.
    pub versions: Vec<Version>,
}

/// Mozilla Server Side TLS profile the configuration meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MozillaProfile {
    /// TLS 1.3 only.
    Modern,
    /// TLS 1.2 + 1.3 with AEAD/ECDHE suites.
    Intermediate,
    /// Legacy compatibility (TLS 1.0+, CBC, RSA kx, 3DES).
    Old,
    /// None of the above.
    None,
}

/// Server capabilities read off the combined TLS ≤ 1.2 probe (TLS 1.3 encrypts these answers).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Capabilities {
    /// Version the capabilities were read on (None: no TLS ≤ 1.2 to ask).
    pub tested_on: Option<Version>,
    /// Protocol chosen by ALPN from a browser's offer of "h2" and "http/1.1" (None: no ALPN).
    pub alpn: Option<String>,
    /// The server agreed to issue a session ticket (RFC 5077).
    pub session_tickets: Option<bool>,
    /// Signature schemes the server signs with, per protocol (TLS 1.2, TLS 1.3).
    pub signature_algorithms: Vec<crate::sigalgs::SigAlgs>,
    /// TLS 1.2 session resumption by id and by ticket (None: TLS 1.2 not accepted).
    pub resumption: Option<crate::resume::Resumption>,
    /// TLS 1.3 session tickets and resumption with them (None: TLS 1.3 not accepted).
    pub resumption_tls13: Option<crate::resume13::Resumption13>,
}

/// Full result of one TLS scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TlsReport {
    /// Scanned endpoint.
    pub target: TargetInfo,
    /// Start time (RFC 3339, UTC).
    pub started_at: String,
    /// Wall time of the scan in milliseconds.
    pub duration_ms: u64,
    /// Number of hellos sent (raw probes plus the certificate handshake).
    pub handshakes: u32,
    /// Handshakes (included in `handshakes`) spent by the probes beyond enumeration, by probe:
    /// "resumption", "resumption_tls13", "client_renegotiation", "robot", "drown",
    /// "signature_algorithms_tls12" (with the TLS 1.2 curves), "signature_algorithms_tls13",
    /// "groups_tls13" (listing every TLS 1.3 group, beyond the suite hellos it rode on).
    pub probe_handshakes: std::collections::BTreeMap<&'static str, u32>,
    /// Per-version results, oldest first.
    pub protocols: Vec<ProtocolResult>,
    /// Key-exchange groups accepted.
    pub groups: Vec<GroupResult>,
    /// Smallest DH prime seen (bits).
    pub dh_min_bits: Option<u32>,
    /// Certificate analysis (None if no certificate could be fetched).
    pub certificate: Option<CertReport>,
    /// Why the certificate analysis is missing.
    pub certificate_error: Option<String>,
    /// Weaknesses visible from handshakes.
    pub weaknesses: Weaknesses,
    /// SSL-Labs-style grade (information only, not SSL Labs).
    pub grade: Grade,
    /// Mozilla profile met.
    pub mozilla_profile: MozillaProfile,
    /// ALPN and session tickets.
    pub capabilities: Capabilities,
    /// What common clients would negotiate, computed from the findings (no extra handshakes).
    pub clients: Vec<crate::clients::SimulatedHandshake>,
    /// Remarks collected during the scan.
    pub notes: Vec<String>,
}

impl TlsReport {
    /// Handshakes spent on protocols, suites, server order, fallback and what rides on them:
    /// the total less the probes and capability lists.
    pub fn enumeration_handshakes(&self) -> u32 {
        self.handshakes
            .saturating_sub(self.probe_handshakes.values().sum::<u32>())
    }

    /// Result for a version.
    pub fn protocol(&self, v: Version) -> Option<&ProtocolResult> {
        self.protocols.iter().find(|p| p.version == v)
    }

    /// True if the version was negotiated.
    pub fn supports(&self, v: Version) -> bool {
        self.protocol(v)
            .is_some_and(|p| p.status == SupportStatus::Supported)
    }

    /// Every accepted suite with its version.
    pub fn accepted(&self) -> impl Iterator<Item = (Version, &SuiteResult)> {
        self.protocols
            .iter()
            .flat_map(|p| p.suites.iter().map(move |s| (p.version, s)))
    }

    /// No version could be established and at least one probe was inconclusive.
    pub fn inconclusive_reason(&self) -> Option<String> {
        if self
            .protocols
            .iter()
            .any(|p| p.status == SupportStatus::Supported)
        {
            return None;
        }
        let reasons: Vec<String> = self
            .protocols
            .iter()
            .filter_map(|p| {
                p.reason
                    .as_ref()
                    .filter(|_| p.status == SupportStatus::Inconclusive)
                    .map(|r| format!("{}: {r}", p.name))
            })
            .collect();
        if reasons.is_empty() {
            Some("the server completed no SSL/TLS handshake".into())
        } else {
            Some(reasons.join("; "))
        }
    }
}
