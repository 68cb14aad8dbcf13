//! Grade computed with the method and caps of the Qualys SSL Labs rating guide (information only; not SSL Labs),
//! and the Mozilla Server Side TLS profile check.

use crate::cert::CertReport;
use crate::report::{MozillaProfile, ProtocolResult, SupportStatus};
use crate::suites::{self, Kx};
use crate::weakness::Weaknesses;
use crate::wire::Version;
use serde::Serialize;

/// Label carried with every grade so nobody mistakes it for an official rating.
pub const GRADE_LABEL: &str = "not SSL Labs";

/// Letters from best to worst.
const LETTERS: [&str; 8] = ["A+", "A", "A-", "B", "C", "D", "E", "F"];

/// Grade, sub-scores and the caps that applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grade {
    /// Final letter: A+…F, or T (trust problem) / M (name mismatch).
    pub letter: String,
    /// Letter the server would get if the certificate were trusted and matched.
    pub letter_if_trusted: String,
    /// Weighted score 0–100.
    pub score: u32,
    /// Protocol score.
    pub protocol_score: u32,
    /// Key-exchange score.
    pub key_exchange_score: u32,
    /// Cipher-strength score.
    pub cipher_score: u32,
    /// Caps and warnings that applied, as stable codes with the capped letter ("tls10_or_11:B").
    pub caps: Vec<String>,
    /// A+ would apply (once trusted) given a long-lived HSTS header, which is checked separately over HTTP.
    pub a_plus_with_hsts: bool,
    /// Always "not SSL Labs".
    pub label: &'static str,
}

fn protocol_points(v: Version) -> u32 {
    match v {
        Version::Ssl2 => 0,
        Version::Ssl3 => 80,
        Version::Tls10 => 90,
        Version::Tls11 => 95,
        Version::Tls12 | Version::Tls13 => 100,
    }
}

fn kx_points(bits: u32, anon: bool, export: bool) -> u32 {
    if anon {
        0
    } else if bits < 512 {
        20
    } else if export || bits < 1024 {
        40
    } else if bits < 2048 {
        80
    } else if bits < 4096 {
        90
    } else {
        100
    }
}

fn cipher_points(bits: u16, cipher: &str) -> u32 {
    // 3DES gives 112 bits of security, not its nominal 168.
    let bits = if cipher == "3DES" { 112 } else { bits };
    match bits {
        0 => 0,
        1..=127 => 20,
        128..=255 => 80,
        _ => 100,
    }
}

fn avg_best_worst(v: &[u32]) -> u32 {
    match (v.iter().max(), v.iter().min()) {
        (Some(a), Some(b)) => (a + b) / 2,
        _ => 0,
    }
}

/// Applies a cap: the grade can only get worse.
fn cap(rank: &mut usize, caps: &mut Vec<String>, code: &str, letter: &str) {
    let r = LETTERS.iter().position(|l| *l == letter).unwrap_or(7);
    caps.push(format!("{code}:{letter}"));
    if r > *rank {
        *rank = r;
    }
}

/// Computes the grade from protocol results, weaknesses and the certificate.
pub fn compute(
    protocols: &[ProtocolResult],
    groups_tls13: &[u16],
    weak: &Weaknesses,
    cert: Option<&CertReport>,
) -> Grade {
    let supported: Vec<&ProtocolResult> = protocols
        .iter()
        .filter(|p| p.status == SupportStatus::Supported)
        .collect();
    let has = |v: Version| supported.iter().any(|p| p.version == v);
    let proto_scores: Vec<u32> = supported
        .iter()
        .map(|p| protocol_points(p.version))
        .collect();
    let cert_bits = cert.and_then(|c| c.chain.first()).map(|l| {
        if l.key_type == "ec" {
            // RSA-equivalent strength of the curve.
            suites::group_strength(match l.key_bits {
                0..=256 => 0x0017,
                257..=384 => 0x0018,
                _ => 0x0019,
            })
        } else {
            l.key_bits
        }
    });
    let tls13_group_bits = groups_tls13
        .iter()
        .map(|g| suites::group_strength(*g))
        .min();
    let mut kx_scores = Vec::new();
    let mut cipher_scores = Vec::new();
    for p in &supported {
        for s in &p.suites {
            let Some(suite) = s.suite() else { continue };
            cipher_scores.push(cipher_points(suite.bits, suite.cipher));
            let bits = match suite.kx {
                Kx::Rsa => Some(if suite.export {
                    512
                } else {
                    cert_bits.unwrap_or(2048)
                }),
                Kx::Tls13 => Some(tls13_group_bits.unwrap_or(3072)),
                Kx::Dhe | Kx::Ecdhe | Kx::Anon => match s.kx_detail.as_deref() {
                    Some(d) if d.starts_with("DH ") => d[3..].parse().ok(),
                    Some(name) => suites::GROUPS.iter().find(|g| g.1 == name).map(|g| g.2),
                    None => None,
                },
                _ => cert_bits,
            };
            if let Some(b) = bits {
                kx_scores.push(kx_points(b, suite.is_anon(), suite.export));
            } else if suite.is_anon() {
                kx_scores.push(0);
            }
        }
    }
    let protocol_score = avg_best_worst(&proto_scores);
    let key_exchange_score = avg_best_worst(&kx_scores);
    let cipher_score = avg_best_worst(&cipher_scores);
    let score = if protocol_score == 0 || key_exchange_score == 0 || cipher_score == 0 {
        0
    } else {
        (3 * protocol_score + 3 * key_exchange_score + 4 * cipher_score) / 10
    };
    let mut rank = match score {
        80.. => 1,
        65..=79 => 3,
        50..=64 => 4,
        35..=49 => 5,
        20..=34 => 6,
        _ => 7,
    };
    let mut caps = Vec::new();
    if has(Version::Ssl2) {
        cap(&mut rank, &mut caps, "sslv2", "F");
    }
    if has(Version::Ssl3) {
        cap(&mut rank, &mut caps, "sslv3_poodle", "C");
    }
    if has(Version::Tls10) || has(Version::Tls11) {
        cap(&mut rank, &mut caps, "tls10_or_11", "B");
    }
    if !has(Version::Tls12) && !has(Version::Tls13) && !supported.is_empty() {
        cap(&mut rank, &mut caps, "no_tls12", "C");
    }
    if weak.anonymous {
        cap(&mut rank, &mut caps, "anonymous_suites", "F");
    }
    if weak.export {
        cap(&mut rank, &mut caps, "export_suites", "F");
    }
    // SSL Labs caps 1024-bit DH (Logjam) at B; below 1024 is F further down.
    if weak.logjam {
        cap(&mut rank, &mut caps, "logjam_weak_dh", "B");
    }
    if weak.null_cipher {
        cap(&mut rank, &mut caps, "null_cipher", "F");
    }
    if weak.rc4 {
        let modern_rc4 = supported.iter().any(|p| {
            matches!(p.version, Version::Tls11 | Version::Tls12)
                && p.suites.iter().any(|s| s.cipher == "RC4")
        });
        cap(
            &mut rank,
            &mut caps,
            "rc4",
            if modern_rc4 { "C" } else { "B" },
        );
    }
    let modern_64bit = supported.iter().any(|p| {
        p.version >= Version::Tls11 && p.suites.iter().any(|s| s.flags.contains(&"64bit_block"))
    });
    if modern_64bit {
        cap(&mut rank, &mut caps, "3des_tls11_plus", "C");
    }
    if !forward_secrecy_for_modern_clients(protocols) && !supported.is_empty() {
        cap(&mut rank, &mut caps, "no_forward_secrecy", "B");
    }
    if weak.no_aead {
        cap(&mut rank, &mut caps, "no_aead", "B");
    }
    if weak.crime_compression == Some(true) {
        cap(&mut rank, &mut caps, "tls_compression", "C");
    }
    if supported
        .iter()
        .flat_map(|p| &p.suites)
        .filter_map(|s| s.kx_detail.as_deref())
        .filter_map(|d| d.strip_prefix("DH "))
        .filter_map(|b| b.parse::<u32>().ok())
        .any(|b| b < 1024)
    {
        cap(&mut rank, &mut caps, "dh_below_1024", "F");
    }
    if let Some(c) = cert {
        if let Some(l) = c.chain.first() {
            let rsa_like = matches!(l.key_type.as_str(), "rsa" | "dsa");
            if rsa_like && l.key_bits < 1024 {
                cap(&mut rank, &mut caps, "key_below_1024", "F");
            } else if c.weak_key {
                cap(&mut rank, &mut caps, "key_below_2048", "B");
            }
        }
        if c.chain
            .iter()
            .any(|x| !x.self_signed && x.signature_algorithm.to_ascii_lowercase().contains("md5"))
        {
            cap(&mut rank, &mut caps, "md5_signature", "F");
        } else if c.weak_signature {
            cap(&mut rank, &mut caps, "sha1_signature", "B");
        }
        if c.expires_soon {
            cap(&mut rank, &mut caps, "certificate_expires_soon", "A-");
        }
    }
    if weak.secure_renegotiation == Some(false) {
        cap(&mut rank, &mut caps, "no_secure_renegotiation", "A-");
    }
    // Tested, not inferred: SSL Labs grades an exploitable Heartbleed or CCS injection F.
    if weak
        .heartbleed
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        cap(&mut rank, &mut caps, "heartbleed", "F");
    }
    if weak
        .ccs_injection
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        cap(&mut rank, &mut caps, "ccs_injection", "F");
    }
    if weak
        .ticketbleed
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        cap(&mut rank, &mut caps, "ticketbleed", "F");
    }
    if weak
        .drown
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        cap(&mut rank, &mut caps, "drown", "F");
    }
    // SSL Labs grades a ROBOT oracle F as well.
    if weak
        .robot
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        cap(&mut rank, &mut caps, "robot", "F");
    }
    let letter_if_trusted = LETTERS[rank].to_string();
    let letter = match cert {
        Some(c) if !c.trusted || c.expired || c.self_signed => "T".to_string(),
        Some(c) if !c.hostname_match => "M".to_string(),
        None if !supported.is_empty() => "T".to_string(),
        _ => letter_if_trusted.clone(),
    };
    // TLS-1.3-only servers cannot be tested for the fallback signal, so they are not held back for it.
    let fallback_ok = weak.fallback_scsv != Some(false);
    Grade {
        a_plus_with_hsts: letter_if_trusted == "A" && fallback_ok,
        letter,
        letter_if_trusted,
        score,
        protocol_score,
        key_exchange_score,
        cipher_score,
        caps,
        label: GRADE_LABEL,
    }
}

/// Whether a modern client would get forward secrecy: TLS 1.3, or an ephemeral suite the server would pick in TLS 1.2.
pub fn forward_secrecy_for_modern_clients(protocols: &[ProtocolResult]) -> bool {
    let p = |v| {
        protocols
            .iter()
            .find(|p| p.version == v && p.status == SupportStatus::Supported)
    };
    if p(Version::Tls13).is_some() {
        return true;
    }
    match p(Version::Tls12) {
        Some(t) if t.server_preference == Some(true) => {
            t.suites.first().is_some_and(|s| s.forward_secrecy)
        }
        Some(t) => t.suites.iter().any(|s| s.forward_secrecy && s.aead),
        None => false,
    }
}

/// Final letter once the HSTS header is known: A becomes A+ with a long-lived HSTS policy.
pub fn with_hsts(grade: &Grade, hsts_header: Option<&str>) -> String {
    let long = hsts_header
        .map(crate::checklist::parse_hsts)
        .is_some_and(|h| h.max_age.unwrap_or(0) >= crate::checklist::HSTS_MIN_MAX_AGE);
    if grade.letter == "A" && grade.a_plus_with_hsts && long {
        "A+".into()
    } else {
        grade.letter.clone()
    }
}

/// TLS 1.2 suites allowed by the Mozilla intermediate profile (5.7 list, which still has DHE).
const INTERMEDIATE_TLS12: &[&str] = &[
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES256-GCM-SHA384",
    "DHE-RSA-CHACHA20-POLY1305",
];

/// Determines the Mozilla profile the endpoint meets.
pub fn mozilla_profile(
    protocols: &[ProtocolResult],
    cert: Option<&CertReport>,
    dh_min_bits: Option<u32>,
) -> MozillaProfile {
    let supported: Vec<&ProtocolResult> = protocols
        .iter()
        .filter(|p| p.status == SupportStatus::Supported)
        .collect();
    if supported.is_empty() {
        return MozillaProfile::None;
    }
    let key_ok = cert
        .and_then(|c| c.chain.first())
        .is_none_or(|l| match l.key_type.as_str() {
            "rsa" | "dsa" => l.key_bits >= 2048,
            "ec" => l.key_bits >= 256,
            _ => true,
        });
    let dh_ok = dh_min_bits.is_none_or(|b| b >= 2048);
    let only = |allowed: &[Version]| supported.iter().all(|p| allowed.contains(&p.version));
    if only(&[Version::Tls13]) && key_ok {
        return MozillaProfile::Modern;
    }
    let tls12_ok = supported
        .iter()
        .filter(|p| p.version == Version::Tls12)
        .flat_map(|p| &p.suites)
        .all(|s| INTERMEDIATE_TLS12.contains(&s.openssl_name.as_str()));
    if only(&[Version::Tls12, Version::Tls13]) && tls12_ok && key_ok && dh_ok {
        return MozillaProfile::Intermediate;
    }
    let old_suites_ok = supported.iter().flat_map(|p| &p.suites).all(|s| {
        s.suite().is_some_and(|x| {
            !x.is_rc4()
                && !x.export
                && !x.is_null()
                && !x.is_anon()
                && x.cipher != "DES"
                && x.bits >= 112
        })
    });
    if !supported.iter().any(|p| p.version <= Version::Ssl3) && old_suites_ok && key_ok {
        return MozillaProfile::Old;
    }
    MozillaProfile::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SuiteResult;
    use crate::wire::KxParams;

    fn proto(v: Version, codes: &[u16]) -> ProtocolResult {
        ProtocolResult {
            version: v,
            name: v.label(),
            status: SupportStatus::Supported,
            reason: None,
            server_preference: Some(true),
            suites: codes
                .iter()
                .filter_map(|c| suites::by_code(*c))
                .map(|s| {
                    let kx = match s.kx {
                        Kx::Ecdhe => Some(KxParams::Ecdhe { group: 0x1d }),
                        Kx::Dhe => Some(KxParams::Dhe {
                            prime_bits: 2048,
                            prime_hash: 0,
                        }),
                        _ => None,
                    };
                    SuiteResult::from_suite(s, kx)
                })
                .collect(),
        }
    }

    fn grade(protocols: &[ProtocolResult]) -> Grade {
        let w = crate::weakness::from_protocols(protocols);
        compute(protocols, &[0x1d], &w, None)
    }

    #[test]
    fn good_tls12_and_13_is_a() {
        let p = [
            proto(Version::Tls12, &[0xc02f, 0xc030]),
            proto(Version::Tls13, &[0x1301]),
        ];
        let g = grade(&p);
        assert_eq!(g.letter_if_trusted, "A", "{g:?}");
        assert_eq!((g.protocol_score, g.cipher_score), (100, 90));
        assert_eq!(g.label, "not SSL Labs");
        assert_eq!(
            mozilla_profile(&p, None, None),
            MozillaProfile::Intermediate
        );
        assert_eq!(mozilla_profile(&p[1..], None, None), MozillaProfile::Modern);
    }

    #[test]
    fn caps_apply() {
        // TLS 1.0 caps at B.
        let p = [
            proto(Version::Tls10, &[0xc013]),
            proto(Version::Tls12, &[0xc02f]),
        ];
        assert_eq!(grade(&p).letter_if_trusted, "B");
        assert_eq!(mozilla_profile(&p, None, None), MozillaProfile::Old);
        // RC4 with TLS 1.2 caps at C.
        let p = [proto(Version::Tls12, &[0xc02f, 0x0005])];
        let g = grade(&p);
        assert_eq!(g.letter_if_trusted, "C", "{g:?}");
        assert_eq!(mozilla_profile(&p, None, None), MozillaProfile::None);
        // 3DES with TLS 1.2 caps at C.
        assert_eq!(
            grade(&[proto(Version::Tls12, &[0xc02f, 0x000a])]).letter_if_trusted,
            "C"
        );
        // Only RSA key exchange, no AEAD: no forward secrecy and no AEAD caps at B.
        let g = grade(&[proto(Version::Tls12, &[0x002f])]);
        assert!(g.caps.iter().any(|c| c == "no_forward_secrecy:B"), "{g:?}");
        assert!(g.caps.iter().any(|c| c == "no_aead:B"));
        // Anonymous and export suites give F; SSL 2 gives F.
        assert_eq!(
            grade(&[proto(Version::Tls12, &[0xc02f, 0x0034])]).letter_if_trusted,
            "F"
        );
        assert_eq!(
            grade(&[proto(Version::Tls10, &[0x0003])]).letter_if_trusted,
            "F"
        );
        // HSTS bonus only on A with a long max-age.
        let g = grade(&[
            proto(Version::Tls12, &[0xc02f]),
            proto(Version::Tls13, &[0x1301]),
        ]);
        assert!(g.a_plus_with_hsts);
        assert_eq!(
            with_hsts(&g, Some("max-age=63072000")),
            "T",
            "untrusted stays T"
        );
        let trusted = Grade {
            letter: "A".into(),
            ..g
        };
        assert_eq!(with_hsts(&trusted, Some("max-age=63072000")), "A+");
        assert_eq!(with_hsts(&trusted, Some("max-age=600")), "A");
    }
}
