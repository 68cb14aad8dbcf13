//! Known weaknesses that can be read off handshakes, without exploiting anything.

use crate::report::{ProtocolResult, SupportStatus};
use crate::vuln::ProbeFinding;
use crate::wire::Version;
use serde::Serialize;

/// Weakness findings. `None` means not determinable (for example no TLS ≤ 1.2 to test).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Weaknesses {
    /// SSL 2.0 enabled (DROWN exposure).
    pub sslv2: bool,
    /// SSL 3.0 enabled (POODLE).
    pub poodle_sslv3: bool,
    /// CBC suites accepted with SSL 3.0 / TLS 1.0 (BEAST).
    pub beast: bool,
    /// 64-bit block ciphers such as 3DES accepted (SWEET32).
    pub sweet32: bool,
    /// RC4 accepted.
    pub rc4: bool,
    /// Export-grade suites accepted.
    pub export: bool,
    /// Export RSA suites accepted (FREAK).
    pub freak: bool,
    /// Export DHE suites accepted, a DH prime of 1024 bits or fewer, or a widely shared prime of
    /// that size (Logjam).
    pub logjam: bool,
    /// The widely shared DH prime the server uses, by name (from data/dh-primes.toml).
    pub dh_shared_prime: Option<String>,
    /// NULL-encryption suites accepted.
    pub null_cipher: bool,
    /// Anonymous (unauthenticated) suites accepted.
    pub anonymous: bool,
    /// No accepted suite has forward secrecy.
    pub no_forward_secrecy: bool,
    /// Some accepted suites lack forward secrecy.
    pub partial_forward_secrecy: bool,
    /// No AEAD suite accepted.
    pub no_aead: bool,
    /// TLS compression accepted (CRIME).
    pub crime_compression: Option<bool>,
    /// RFC 5746 secure renegotiation indicated by the server.
    pub secure_renegotiation: Option<bool>,
    /// Server rejects a downgraded hello carrying TLS_FALLBACK_SCSV.
    pub fallback_scsv: Option<bool>,
    /// Heartbeat extension negotiated by any TLS ≤ 1.2 version.
    pub heartbeat_extension: Option<bool>,
    /// Heartbleed (CVE-2014-0160) tested with an over-long heartbeat request on every TLS ≤ 1.2
    /// version that negotiated heartbeats; the worst result wins.
    pub heartbleed: Option<ProbeFinding>,
    /// CCS injection (CVE-2014-0224) tested with an early ChangeCipherSpec.
    pub ccs_injection: Option<ProbeFinding>,
    /// Client-initiated renegotiation accepted (TLS 1.2; a denial-of-service lever), tested with
    /// an encrypted ClientHello on an established connection.
    pub client_renegotiation: Option<ProbeFinding>,
    /// Client-initiated renegotiations completed on one connection (the probe stops at 3).
    pub client_renegotiations_completed: Option<u32>,
    /// ROBOT: the server's reactions to well-formed and malformed PKCS#1 v1.5 premaster secrets
    /// on an RSA key-exchange suite differ (a Bleichenbacher oracle).
    pub robot: Option<ProbeFinding>,
    /// Ticketbleed (CVE-2016-9244): a session id offered with a ticket comes back longer.
    pub ticketbleed: Option<ProbeFinding>,
    /// DROWN: SSL 2.0 on this port, or on another port of the host with the same RSA key.
    pub drown: Option<ProbeFinding>,
}

/// Derives the suite-based findings from protocol results; handshake-level fields are filled by the caller.
pub fn from_protocols(protocols: &[ProtocolResult]) -> Weaknesses {
    let mut w = Weaknesses::default();
    let supported = |v| {
        protocols
            .iter()
            .any(|p| p.version == v && p.status == SupportStatus::Supported)
    };
    w.sslv2 = supported(Version::Ssl2);
    w.poodle_sslv3 = supported(Version::Ssl3);
    let mut any = false;
    let mut fs_any = false;
    let mut fs_all = true;
    let mut aead_any = false;
    for p in protocols {
        for s in &p.suites {
            any = true;
            let Some(suite) = s.suite() else { continue };
            if suite.is_cbc() && matches!(p.version, Version::Ssl3 | Version::Tls10) {
                w.beast = true;
            }
            w.sweet32 |= suite.is_64bit_block();
            w.rc4 |= suite.is_rc4();
            w.export |= suite.export;
            w.freak |= suite.export && suite.kx == crate::suites::Kx::Rsa;
            w.logjam |= suite.export && suite.kx == crate::suites::Kx::Dhe;
            w.null_cipher |= suite.is_null();
            w.anonymous |= suite.is_anon();
            fs_any |= suite.forward_secrecy();
            fs_all &= suite.forward_secrecy();
            aead_any |= suite.is_aead();
        }
    }
    if any {
        w.no_forward_secrecy = !fs_any;
        w.partial_forward_secrecy = fs_any && !fs_all;
        w.no_aead = !aead_any;
    }
    w
}

/// Logjam from the DH parameters seen: a prime of 1024 bits or fewer, or a listed shared prime.
pub fn apply_dh(w: &mut Weaknesses, dh: &[crate::wire::KxParams]) {
    for kx in dh {
        if let crate::wire::KxParams::Dhe {
            prime_bits,
            prime_hash,
        } = kx
        {
            w.logjam |= *prime_bits <= 1024;
            if let Some(p) = crate::dhprimes::lookup(*prime_hash) {
                w.dh_shared_prime = Some(p.name.clone());
            }
        }
    }
}
