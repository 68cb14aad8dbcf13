//! ROBOT (Bleichenbacher's oracle on RSA key exchange): does the server react differently to
//! a well-formed PKCS#1 v1.5 premaster secret than to malformed ones?
//!
//! The five premaster variants of the ROBOT paper are encrypted with the server's public key
//! and each sent in a ClientKeyExchange, followed by ChangeCipherSpec and a Finished that cannot
//! verify, so no handshake ever completes. A patched server answers all five alike. When the
//! reactions differ, the five are sent once more and only a repeated difference counts, so that
//! a hiccup is not reported as an oracle. Cost: 5 handshakes, 10 when the reactions differ.

use crate::probe::Reaction;
use crate::vuln::ProbeFinding;
use num_bigint::BigUint;

/// Length of a TLS premaster secret.
const PMS_LEN: usize = 48;

/// The five premaster variants, by name.
pub const VARIANTS: [&str; 5] = [
    "well-formed",
    "wrong first bytes (0x4117)",
    "0x00 in the wrong place",
    "no 0x00 separator",
    "wrong version in the premaster",
];

/// An RSA public key as big-endian modulus and exponent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKey {
    /// Modulus without leading zeros.
    pub modulus: Vec<u8>,
    /// Public exponent.
    pub exponent: Vec<u8>,
}

/// The RSA key of a DER certificate, if it has one.
pub fn rsa_key(cert_der: &[u8]) -> Option<RsaKey> {
    use x509_parser::prelude::*;
    let (_, c) = X509Certificate::from_der(cert_der).ok()?;
    match c.public_key().parsed().ok()? {
        x509_parser::public_key::PublicKey::RSA(rsa) => {
            let skip = rsa.modulus.iter().take_while(|b| **b == 0).count();
            Some(RsaKey {
                modulus: rsa.modulus[skip..].to_vec(),
                exponent: rsa.exponent.to_vec(),
            })
        }
        _ => None,
    }
}

/// The encoded message of variant `i` for a modulus of `k` bytes and the hello's `version`.
pub fn variant(i: usize, k: usize, version: u16) -> Option<Vec<u8>> {
    // 0x00 0x02, padding, 0x00, premaster (2 version bytes + 46 random).
    let pad_len = k.checked_sub(3 + PMS_LEN).filter(|n| *n >= 8)?;
    let pad: Vec<u8> = (0..pad_len)
        .map(|j| if j % 2 == 0 { 0xab } else { 0xcd })
        .collect();
    let random: Vec<u8> = (0..PMS_LEN - 2).map(|j| 0x11 + (j as u8 % 0x60)).collect();
    let v = version.to_be_bytes();
    let mut m = Vec::with_capacity(k);
    match i {
        0 | 1 | 4 => {
            m.extend_from_slice(if i == 1 { &[0x41, 0x17] } else { &[0x00, 0x02] });
            m.extend_from_slice(&pad);
            m.push(0);
            m.extend_from_slice(if i == 4 { &[0x02, 0x02] } else { &v });
            m.extend_from_slice(&random);
        }
        2 => {
            // The separator moved to the last-but-one byte: the premaster comes out too short.
            m.extend_from_slice(&[0x00, 0x02]);
            m.extend_from_slice(&pad);
            m.push(0x11);
            m.extend_from_slice(&random);
            m.extend_from_slice(&[0x00, 0x11]);
        }
        3 => {
            m.extend_from_slice(&[0x00, 0x02]);
            m.extend_from_slice(&pad);
            m.push(0x11);
            m.extend_from_slice(&[0x11, 0x11]);
            m.extend_from_slice(&random);
        }
        _ => return None,
    }
    (m.len() == k).then_some(m)
}

/// Textbook RSA encryption of an already padded message, left-padded to the modulus length.
pub fn encrypt(key: &RsaKey, m: &[u8]) -> Vec<u8> {
    let n = BigUint::from_bytes_be(&key.modulus);
    let e = BigUint::from_bytes_be(&key.exponent);
    let c = BigUint::from_bytes_be(m).modpow(&e, &n).to_bytes_be();
    let mut out = vec![0u8; key.modulus.len().saturating_sub(c.len())];
    out.extend(c);
    out
}

/// ClientKeyExchange with `ciphertext`, ChangeCipherSpec, and a Finished that cannot verify.
pub fn follow_up(record_version: u16, ciphertext: &[u8]) -> Vec<u8> {
    let v = record_version.to_be_bytes();
    let mut body = (ciphertext.len() as u16).to_be_bytes().to_vec();
    body.extend_from_slice(ciphertext);
    let mut hs = vec![16, 0, (body.len() >> 8) as u8, body.len() as u8];
    hs.extend(body);
    let mut out = vec![22, v[0], v[1]];
    out.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    out.extend(hs);
    out.extend_from_slice(&[20, v[0], v[1], 0, 1, 1]);
    out.extend_from_slice(&[22, v[0], v[1], 0, 0x40]);
    out.extend_from_slice(&[0x5a; 0x40]);
    out
}

/// A reaction reduced to what an attacker can observe.
pub fn signature(r: &Reaction) -> String {
    match (&r.alert, r.closed, r.timed_out) {
        (Some(a), _, _) => format!("alert {}/{}", a.level, a.description),
        (None, true, _) => "connection closed".into(),
        (None, _, true) => "no answer (timeout)".into(),
        _ => "other".into(),
    }
}

/// Judges two rounds of reactions (the second only present when the first differed).
pub fn judge(protocol: &str, first: &[String], second: Option<&[String]>) -> ProbeFinding {
    let describe = |round: &[String]| {
        round
            .iter()
            .zip(VARIANTS)
            .map(|(s, v)| format!("{v}: {s}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let all_same = |round: &[String]| round.windows(2).all(|w| w[0] == w[1]);
    let (vulnerable, evidence) = if first.len() != VARIANTS.len() {
        (
            None,
            format!(
                "only {} of {} premaster variants got an answer",
                first.len(),
                VARIANTS.len()
            ),
        )
    } else if all_same(first) {
        (
            Some(false),
            format!(
                "all five PKCS#1 premaster variants got the same reaction ({})",
                first[0]
            ),
        )
    } else if second == Some(first) {
        (
            Some(true),
            format!(
                "the reactions differ by premaster variant, the same way twice: {}",
                describe(first)
            ),
        )
    } else {
        (
            None,
            format!(
                "the reactions differed once but did not repeat (network noise?): {}",
                describe(first)
            ),
        )
    };
    ProbeFinding {
        vulnerable,
        protocol: protocol.into(),
        evidence,
    }
}

/// Sends the five variants on `version` with the RSA key-exchange `suite`; the reactions in
/// variant order, or fewer when a hello was not answered with a full first flight.
async fn round(
    pr: &crate::probe::Prober,
    version: crate::wire::Version,
    suite: u16,
    key: &RsaKey,
    sni: Option<String>,
) -> Vec<String> {
    round_of(pr, version, suite, key, sni, 0..VARIANTS.len()).await
}

/// Sends the variants in `which` (see [`round`]).
async fn round_of(
    pr: &crate::probe::Prober,
    version: crate::wire::Version,
    suite: u16,
    key: &RsaKey,
    sni: Option<String>,
    which: std::ops::Range<usize>,
) -> Vec<String> {
    use crate::enumerate::{self, HelloParams};
    let p = HelloParams {
        sni,
        ..Default::default()
    };
    let hello = enumerate::build_hello(version, &[suite], &p);
    let k = key.modulus.len();
    let sends = which.filter_map(|i| {
        let ct = encrypt(key, &variant(i, k, version.wire())?);
        let bytes = follow_up(version.wire(), &ct);
        let hello = hello.clone();
        Some(async move {
            match pr
                .hello_then(&hello, enumerate::ske_kind, |_| bytes.clone())
                .await
            {
                Ok((crate::probe::Outcome::Hello(_), Some(r))) => Some(signature(&r)),
                _ => None,
            }
        })
    });
    let mut out = Vec::new();
    for r in crate::join_all(sends.collect()).await {
        match r {
            Some(s) => out.push(s),
            None => break,
        }
    }
    out
}

/// Runs the ROBOT probe: one round, and a second only when the first showed a difference;
/// the finding and the hellos spent.
pub async fn probe(
    pr: &crate::probe::Prober,
    version: crate::wire::Version,
    suite: u16,
    key: &RsaKey,
    sni: Option<String>,
) -> (ProbeFinding, u32) {
    let label = version.label();
    if variant(0, key.modulus.len(), version.wire()).is_none() {
        let f = ProbeFinding {
            vulnerable: None,
            protocol: label.into(),
            evidence: "the RSA modulus is too small for a PKCS#1 premaster".into(),
        };
        return (f, 0);
    }
    let first = round(pr, version, suite, key, sni.clone()).await;
    let differs = first.len() == VARIANTS.len() && first.windows(2).any(|w| w[0] != w[1]);
    let second = if differs {
        Some(round(pr, version, suite, key, sni).await)
    } else {
        None
    };
    (judge(label, &first, second.as_deref()), handshakes(differs))
}

/// The follow-up for enumeration's RSA key-exchange answer `f`: variant `i` encrypted with the
/// certificate's key (empty when `f` is not such an answer, so nothing is sent).
pub fn ride(f: &crate::wire::ServerFlight, i: usize) -> Vec<u8> {
    let rsa_kx = crate::suites::by_code(f.hello.cipher_suite)
        .is_some_and(|t| t.kx == crate::suites::Kx::Rsa && !t.export);
    let key = f.certificates.first().and_then(|der| rsa_key(der));
    match (rsa_kx, key) {
        (true, Some(key)) => match variant(i, key.modulus.len(), f.hello.legacy_version) {
            Some(m) => follow_up(f.hello.legacy_version, &encrypt(&key, &m)),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Runs the probe when suite enumeration already sent the first `ridden.len()` variants on its
/// RSA key-exchange answers (one suite each): the rest go on `suite`. Uniform reactions settle
/// it; any difference, which a mix of suites alone might cause, gets the full probe on one
/// suite. The finding and the hellos spent here.
pub async fn probe_after_ride(
    pr: &crate::probe::Prober,
    version: crate::wire::Version,
    suite: u16,
    key: &RsaKey,
    sni: Option<String>,
    ridden: &[String],
) -> (ProbeFinding, u32) {
    let have = ridden.len().min(VARIANTS.len());
    if have == 0 || variant(0, key.modulus.len(), version.wire()).is_none() {
        return probe(pr, version, suite, key, sni).await;
    }
    let mut first = ridden[..have].to_vec();
    first.extend(round_of(pr, version, suite, key, sni.clone(), have..VARIANTS.len()).await);
    let spent = (VARIANTS.len() - have) as u32;
    match verdict_after_ride(version.label(), &first, have) {
        Some(f) => (f, spent),
        None => {
            let (f, n) = probe(pr, version, suite, key, sni).await;
            (f, spent + n)
        }
    }
}

/// The finding from a round whose first `ridden` reactions came from different suites: only
/// "not vulnerable" can be concluded from it (uniform reactions); None asks for the full probe.
pub fn verdict_after_ride(protocol: &str, round: &[String], ridden: usize) -> Option<ProbeFinding> {
    let uniform = round.len() == VARIANTS.len() && round.windows(2).all(|w| w[0] == w[1]);
    if !uniform {
        return None;
    }
    let mut f = judge(protocol, round, None);
    f.evidence.push_str(&format!(
        " ({ridden} of them sent on suite enumeration's RSA key-exchange answers)"
    ));
    Some(f)
}

/// Hellos the probe sends: one round, two when the first showed a difference.
pub fn handshakes(second_round: bool) -> u32 {
    VARIANTS.len() as u32 * if second_round { 2 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Alert;

    #[test]
    fn variants_have_the_modulus_length_and_their_flaw() {
        let k = 128;
        let all: Vec<Vec<u8>> = (0..5)
            .map(|i| variant(i, k, 0x0303).expect("variant"))
            .collect();
        assert!(all.iter().all(|m| m.len() == k));
        assert_eq!(all[0][..2], [0, 2]);
        assert_eq!(all[0][k - 49], 0, "separator before 48 premaster bytes");
        assert_eq!(all[0][k - 48..k - 46], [3, 3]);
        assert_eq!(all[1][..2], [0x41, 0x17]);
        assert_eq!(all[2][k - 2], 0, "separator too late");
        assert!(!all[3][2..].contains(&0), "no separator at all");
        assert_eq!(all[4][k - 48..k - 46], [2, 2]);
        assert!(variant(0, 40, 0x0303).is_none(), "too small a modulus");
        assert!(variant(5, k, 0x0303).is_none());
    }

    #[test]
    fn textbook_rsa_round_trips_with_a_small_key() {
        // n = 61 * 53, e = 17, d = 2753 (the classic worked example).
        let key = RsaKey {
            modulus: 3233u16.to_be_bytes().to_vec(),
            exponent: vec![17],
        };
        let c = encrypt(&key, &[0, 65]);
        assert_eq!(c, 2790u16.to_be_bytes());
        let back =
            BigUint::from_bytes_be(&c).modpow(&BigUint::from(2753u32), &BigUint::from(3233u32));
        assert_eq!(back, BigUint::from(65u32));
    }

    #[test]
    fn only_a_repeated_difference_is_an_oracle() {
        let r = |d: u8| {
            signature(&Reaction {
                alert: Some(Alert {
                    level: 2,
                    description: d,
                }),
                ..Default::default()
            })
        };
        let same = vec![r(20); 5];
        assert_eq!(judge("TLS 1.2", &same, None).vulnerable, Some(false));
        let oracle = vec![r(20), r(40), r(40), r(40), r(20)];
        assert_eq!(
            judge("TLS 1.2", &oracle, Some(&oracle)).vulnerable,
            Some(true)
        );
        assert_eq!(judge("TLS 1.2", &oracle, Some(&same)).vulnerable, None);
        assert_eq!(judge("TLS 1.2", &same[..3], None).vulnerable, None);
        // Reactions partly gathered on other suites: uniform settles it, a difference (which
        // the mix of suites alone might cause) or a missing answer asks for the full probe.
        let f = verdict_after_ride("TLS 1.2", &same, 4).expect("settled");
        assert_eq!(f.vulnerable, Some(false));
        assert!(f.evidence.contains("4 of them"), "{}", f.evidence);
        assert!(verdict_after_ride("TLS 1.2", &oracle, 4).is_none());
        assert!(verdict_after_ride("TLS 1.2", &same[..4], 4).is_none());
    }
}
