//! Signature algorithms the server signs its key exchange with, per protocol.
//!
//! TLS 1.2: the ServerKeyExchange names its scheme in clear. The schemes already seen during
//! enumeration are taken as accepted; then the offer shrinks by each scheme the server picks
//! until it refuses (one hello per further scheme, plus the refusal). TLS 1.3 signs in the
//! encrypted CertificateVerify, so the same elimination runs with complete rustls handshakes.

use crate::enumerate::{self, HelloParams, Support, VersionScan};
use crate::probe::{Outcome, Prober};
use crate::suites::{SIGNATURE_ALGORITHMS, signature_scheme_name};
use crate::wire::Version;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Signature schemes for one protocol version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigAlgs {
    /// Protocol version.
    pub version: Version,
    /// Schemes the server signed with, in the order it chose them from a shrinking offer (the
    /// first is its pick from the full offer).
    pub accepted: Vec<String>,
    /// Why the list may be incomplete.
    pub reason: Option<String>,
    /// Handshakes this cost.
    pub handshakes: u32,
}

/// Removes `picked` from `offer`; false when the server picked something never offered.
pub fn eliminate(offer: &mut Vec<u16>, picked: u16) -> bool {
    let before = offer.len();
    offer.retain(|s| *s != picked);
    offer.len() < before
}

/// TLS 1.2 elimination on the accepted suites that carry a ServerKeyExchange signature.
pub async fn tls12(pr: &Prober, scan: &VersionScan, sni: Option<String>) -> Option<SigAlgs> {
    if scan.version != Version::Tls12 || scan.support != Support::Supported {
        return None;
    }
    let suites: Vec<u16> = scan
        .accepted
        .iter()
        .map(|a| a.0)
        .filter(|c| enumerate::ske_kind(*c).is_some())
        .filter(|c| crate::suites::by_code(*c).is_some_and(|s| !s.is_anon()))
        .collect();
    let mut out = SigAlgs {
        version: Version::Tls12,
        accepted: Vec::new(),
        reason: None,
        handshakes: 0,
    };
    if suites.is_empty() {
        out.reason = Some("no accepted TLS 1.2 suite with a signed key exchange".into());
        return Some(out);
    }
    let mut offer = SIGNATURE_ALGORITHMS.to_vec();
    let mut codes = Vec::new();
    // What enumeration already saw costs nothing more.
    for s in scan.flights.iter().filter_map(|f| f.ske_signature) {
        if eliminate(&mut offer, s) {
            codes.push(s);
        }
    }
    while !offer.is_empty() {
        let p = HelloParams {
            sni: sni.clone(),
            signature_algorithms: offer.clone(),
            ..Default::default()
        };
        let hello = enumerate::build_hello(Version::Tls12, &suites, &p);
        out.handshakes += 1;
        match pr.hello(&hello, enumerate::ske_kind).await {
            Ok(Outcome::Hello(f)) => match f.ske_signature {
                Some(s) if eliminate(&mut offer, s) => codes.push(s),
                Some(s) => {
                    out.reason = Some(format!(
                        "the server signed with {} although it was not offered",
                        signature_scheme_name(s)
                    ));
                    break;
                }
                None => {
                    out.reason = Some("a ServerKeyExchange could not be read".into());
                    break;
                }
            },
            // A refusal: nothing left the server will sign with.
            Ok(_) => break,
            Err(e) => {
                out.reason = Some(format!("a probe failed: {e}"));
                break;
            }
        }
    }
    out.accepted = codes.into_iter().map(signature_scheme_name).collect();
    Some(out)
}

/// Accepts any certificate and records the TLS 1.3 CertificateVerify scheme.
#[derive(Debug)]
struct SchemeCapture {
    offer: Vec<SignatureScheme>,
    seen: Mutex<Option<SignatureScheme>>,
}

impl ServerCertVerifier for SchemeCapture {
    fn verify_server_cert(
        &self,
        _e: &CertificateDer<'_>,
        _i: &[CertificateDer<'_>],
        _n: &ServerName<'_>,
        _o: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        _d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Ok(mut g) = self.seen.lock() {
            *g = Some(d.scheme);
        }
        Ok(HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.offer.clone()
    }
}

/// One TLS 1.3 handshake offering `offer`; the scheme the server signed with, None if refused.
async fn tls13_pick(
    pr: &Prober,
    name: &ServerName<'static>,
    offer: &[SignatureScheme],
) -> Result<Option<SignatureScheme>, String> {
    let capture = Arc::new(SchemeCapture {
        offer: offer.to_vec(),
        seen: Mutex::new(None),
    });
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let _permit = pr.limit.acquire().await.map_err(|e| e.to_string())?;
    if let Some(p) = &pr.pacer {
        p.wait().await;
    }
    let tcp = pr.connect().await.map_err(|e| e.to_string())?;
    let result = tokio::time::timeout(pr.read_timeout, connector.connect(name.clone(), tcp)).await;
    let seen = capture.seen.lock().ok().and_then(|g| *g);
    match (seen, result) {
        (Some(s), _) => Ok(Some(s)),
        (None, Err(_)) => Err("the handshake did not finish within the read timeout".into()),
        (None, Ok(_)) => Ok(None),
    }
}

/// TLS 1.3 elimination over the schemes rustls can offer.
pub async fn tls13(pr: &Prober, supported: bool, server_name: &str) -> Option<SigAlgs> {
    if !supported {
        return None;
    }
    let mut out = SigAlgs {
        version: Version::Tls13,
        accepted: Vec::new(),
        reason: None,
        handshakes: 0,
    };
    let name = match ServerName::try_from(server_name.to_string()) {
        Ok(n) => n,
        Err(e) => {
            out.reason = Some(format!("invalid server name {server_name:?}: {e}"));
            return Some(out);
        }
    };
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    // PKCS#1 v1.5 is not allowed for TLS 1.3 handshake signatures.
    let mut offer: Vec<SignatureScheme> = provider
        .signature_verification_algorithms
        .supported_schemes()
        .into_iter()
        .filter(|s| !format!("{s:?}").starts_with("RSA_PKCS1"))
        .collect();
    while !offer.is_empty() {
        out.handshakes += 1;
        match tls13_pick(pr, &name, &offer).await {
            Ok(Some(s)) => {
                offer.retain(|o| *o != s);
                out.accepted.push(signature_scheme_name(u16::from(s)));
            }
            Ok(None) => break,
            Err(e) => {
                out.reason = Some(e);
                break;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elimination_refuses_unoffered_picks() {
        let mut offer = vec![0x0403, 0x0804];
        assert!(eliminate(&mut offer, 0x0804));
        assert_eq!(offer, vec![0x0403]);
        assert!(!eliminate(&mut offer, 0x0201));
        assert_eq!(signature_scheme_name(0x0804), "rsa_pss_rsae_sha256");
        assert_eq!(signature_scheme_name(0xfefe), "0xfefe");
    }

    #[test]
    fn ske_signature_is_read_after_the_parameters() {
        // ECDHE: curve type 3, x25519, 32-byte point, then rsa_pss_rsae_sha256.
        let mut ske = vec![3, 0, 0x1d, 32];
        ske.extend_from_slice(&[9; 32]);
        ske.extend_from_slice(&[0x08, 0x04, 0, 2, 1, 2]);
        assert_eq!(crate::wire::ske_signature_scheme(&ske, true), Some(0x0804));
        // DHE: p, g, Ys, then rsa_pkcs1_sha256.
        let dhe = [0, 1, 23, 0, 1, 2, 0, 1, 5, 0x04, 0x01];
        assert_eq!(crate::wire::ske_signature_scheme(&dhe, false), Some(0x0401));
        assert_eq!(crate::wire::ske_signature_scheme(&dhe[..9], false), None);
    }
}
