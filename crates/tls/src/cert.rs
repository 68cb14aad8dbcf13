//! Certificate retrieval (rustls, or the raw TLS ≤ 1.2 flight) and analysis: trust, expiry, names, keys, signatures.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use x509_parser::prelude::*;

/// Days before expiry that trigger a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Facts about one certificate in the presented chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number (hex).
    pub serial: String,
    /// Start of validity (RFC 3339).
    pub not_before: String,
    /// End of validity (RFC 3339).
    pub not_after: String,
    /// Key algorithm: rsa, ec, ed25519, ed448, dsa, other.
    pub key_type: String,
    /// Key size in bits (curve size for EC).
    pub key_bits: u32,
    /// Signature algorithm name.
    pub signature_algorithm: String,
    /// DNS names and IP addresses from subjectAltName.
    pub san: Vec<String>,
    /// Subject equals issuer and the signature verifies with its own key.
    pub self_signed: bool,
    /// basicConstraints CA flag.
    pub is_ca: bool,
    /// Certificate policy OIDs.
    pub policy_oids: Vec<String>,
    /// TLS Feature extension asks for a stapled OCSP response (OCSP must-staple).
    pub must_staple: bool,
    /// Signed Certificate Timestamps embedded in the certificate (Certificate Transparency).
    pub embedded_scts: usize,
}

/// CA/Browser Forum policy OIDs and the validation level each one asserts.
const VALIDATION_POLICIES: [(&str, &str); 4] = [
    ("2.23.140.1.1", "EV"),
    ("2.23.140.1.2.2", "OV"),
    ("2.23.140.1.2.3", "IV"),
    ("2.23.140.1.2.1", "DV"),
];

/// The validation level (EV, OV, IV, DV) a certificate's policies assert, if any.
pub fn validation_level(policy_oids: &[String]) -> Option<&'static str> {
    VALIDATION_POLICIES
        .iter()
        .find(|(oid, _)| policy_oids.iter().any(|p| p == oid))
        .map(|(_, level)| *level)
}

/// Policy OIDs, must-staple and embedded SCTs from a certificate's extensions.
fn extension_facts(c: &X509Certificate<'_>) -> (Vec<String>, bool, usize) {
    let mut policies = Vec::new();
    let mut must_staple = false;
    let mut scts = 0;
    for ext in c.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::CertificatePolicies(ps) => {
                policies.extend(ps.iter().map(|p| p.policy_id.to_id_string()));
            }
            ParsedExtension::SCT(list) => scts = list.len(),
            _ if ext.oid.to_id_string() == "1.3.6.1.5.5.7.1.24" => {
                // TLSFeature ::= SEQUENCE OF INTEGER; 5 is status_request.
                must_staple = ext.value.windows(3).any(|w| w == [0x02, 0x01, 0x05]);
            }
            _ => {}
        }
    }
    (policies, must_staple, scts)
}

/// Certificate verdicts for the endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertReport {
    /// Presented chain, leaf first.
    pub chain: Vec<CertInfo>,
    /// Where the chain came from: "tls13_rustls", "tls12_rustls" or "raw_handshake".
    pub source: String,
    /// Chain builds to a Mozilla root or to the extra CA bundle.
    pub trusted: bool,
    /// Verifier's reason when not trusted, as a sentence (English).
    pub trust_error: Option<String>,
    /// The same reason in Indonesian.
    pub trust_error_id: Option<String>,
    /// Leaf matches the checked name.
    pub hostname_match: bool,
    /// Name that was checked.
    pub checked_name: String,
    /// Leaf is past notAfter.
    pub expired: bool,
    /// Leaf is before notBefore.
    pub not_yet_valid: bool,
    /// Whole days until notAfter (negative when expired).
    pub days_left: i64,
    /// Fewer than 30 days left.
    pub expires_soon: bool,
    /// Leaf is self-signed.
    pub self_signed: bool,
    /// Chain stops at a certificate whose issuer was not sent and is not a trust anchor.
    pub incomplete_chain: bool,
    /// Leaf key below RSA 2048 / EC 256.
    pub weak_key: bool,
    /// A non-root certificate in the chain is signed with SHA-1 or MD5.
    pub weak_signature: bool,
    /// The server stapled an OCSP response.
    pub ocsp_stapled: bool,
    /// Validation level the leaf's policies assert: "EV", "OV", "IV" or "DV" (None: no CA/B policy).
    pub validation_level: Option<&'static str>,
    /// The leaf requires a stapled OCSP response but none was stapled.
    pub must_staple_missing: bool,
    /// What the stapled OCSP response says (None: nothing stapled).
    pub ocsp: Option<crate::ocsp::Staple>,
    /// SCTs in the TLS extension (None: not observable on the connection used).
    pub sct_tls_extension: Option<usize>,
}

/// Builds the root store: Mozilla roots plus any PEM certificates in `extra_ca_pem`.
pub fn root_store(extra_ca_pem: Option<&[u8]>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_ca_pem {
        let mut n = 0;
        for c in CertificateDer::pem_slice_iter(pem) {
            let c = c.map_err(|e| format!("extra CA bundle: {e}"))?;
            roots.add(c).map_err(|e| format!("extra CA bundle: {e}"))?;
            n += 1;
        }
        if n == 0 {
            return Err("extra CA bundle contains no PEM certificate".into());
        }
    }
    Ok(roots)
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The chain (DER, leaf first) and the stapled OCSP response (empty when none).
type Presented = (Vec<Vec<u8>>, Vec<u8>);

/// Records what the server presented and accepts it: this connection never carries data.
#[derive(Debug)]
struct Capture {
    seen: Mutex<Option<Presented>>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for Capture {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.to_vec()];
        chain.extend(intermediates.iter().map(|c| c.to_vec()));
        if let Ok(mut g) = self.seen.lock() {
            *g = Some((chain, ocsp_response.to_vec()));
        }
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
        _d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// A chain fetched from the server, with its OCSP evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedChain {
    /// DER certificates, leaf first.
    pub chain: Vec<Vec<u8>>,
    /// OCSP response stapled.
    pub ocsp_stapled: bool,
    /// The stapled OCSPResponse (DER), empty when none.
    pub ocsp_response: Vec<u8>,
    /// SCTs the server sent in the TLS extension (None: not seen on this connection).
    pub sct_extension: Option<usize>,
    /// How it was obtained.
    pub source: String,
}

/// A rustls client for `versions` that accepts any certificate: for probes that carry no data.
pub(crate) fn accept_any_config(
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<rustls::ClientConfig, String> {
    let provider = provider();
    let capture = Arc::new(Capture {
        seen: Mutex::new(None),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(capture)
        .with_no_client_auth())
}

/// Fetches the chain with a rustls handshake (TLS 1.2/1.3); the connection is dropped right after.
pub async fn fetch_chain(
    addr: SocketAddr,
    server_name: &str,
    connect_timeout: Duration,
    read_timeout: Duration,
) -> Result<FetchedChain, String> {
    let provider = provider();
    let capture = Arc::new(Capture {
        seen: Mutex::new(None),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    let name = server_name_for(server_name)?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::time::timeout(connect_timeout, tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| "connection timed out".to_string())?
        .map_err(|e| e.to_string())?;
    let result = tokio::time::timeout(read_timeout, connector.connect(name, tcp)).await;
    let version = match &result {
        Ok(Ok(s)) => match s.get_ref().1.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "tls13_rustls",
            _ => "tls12_rustls",
        },
        _ => "rustls",
    };
    // The chain is captured before any later handshake failure, so use it whenever it exists.
    let seen = capture.seen.lock().ok().and_then(|mut g| g.take());
    match (seen, result) {
        (Some((chain, ocsp)), _) => Ok(FetchedChain {
            chain,
            ocsp_stapled: !ocsp.is_empty(),
            ocsp_response: ocsp,
            sct_extension: None,
            source: version.into(),
        }),
        (None, Err(_)) => Err("TLS handshake timed out".into()),
        (None, Ok(Err(e))) => Err(e.to_string()),
        (None, Ok(Ok(_))) => Err("server sent no certificate".into()),
    }
}

fn server_name_for(name: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(name.to_string()).map_err(|e| format!("invalid server name {name:?}: {e}"))
}

fn sig_alg_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.3" => "dsa-with-SHA1",
        "1.3.101.112" => "ed25519",
        "1.3.101.113" => "ed448",
        other => return other.to_string(),
    }
    .to_string()
}

/// True for SHA-1 and MD5 based signature algorithms.
fn weak_sig(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("md5") || n.contains("sha1") || n.contains("md2")
}

fn fmt_time(t: &ASN1Time) -> String {
    t.to_datetime()
        .format(&::time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Parses one DER certificate into [`CertInfo`].
pub fn cert_info(der: &[u8]) -> Result<CertInfo, String> {
    let (_, c) =
        X509Certificate::from_der(der).map_err(|e| format!("certificate parse error: {e}"))?;
    let spki = c.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    let (key_type, key_bits) = match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => {
            let m = rsa.modulus;
            let skip = m.iter().take_while(|b| **b == 0).count();
            let m = &m[skip..];
            let bits = m
                .first()
                .map_or(0, |f| m.len() as u32 * 8 - f.leading_zeros());
            ("rsa", bits)
        }
        Ok(x509_parser::public_key::PublicKey::EC(ec)) => ("ec", ec.key_size() as u32),
        Ok(x509_parser::public_key::PublicKey::DSA(y)) => ("dsa", y.len() as u32 * 8),
        _ => match alg.as_str() {
            "1.3.101.112" => ("ed25519", 256),
            "1.3.101.113" => ("ed448", 456),
            _ => ("other", 0),
        },
    };
    let mut san = Vec::new();
    if let Ok(Some(ext)) = c.subject_alternative_name() {
        for n in &ext.value.general_names {
            match n {
                GeneralName::DNSName(d) => san.push((*d).to_string()),
                GeneralName::IPAddress(ip) => {
                    if let Ok(a) = <[u8; 4]>::try_from(*ip) {
                        san.push(IpAddr::from(a).to_string());
                    } else if let Ok(a) = <[u8; 16]>::try_from(*ip) {
                        san.push(IpAddr::from(a).to_string());
                    }
                }
                _ => {}
            }
        }
    }
    let self_signed = c.subject() == c.issuer() && c.verify_signature(None).is_ok();
    let (policy_oids, must_staple, embedded_scts) = extension_facts(&c);
    Ok(CertInfo {
        policy_oids,
        must_staple,
        embedded_scts,
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        serial: c.raw_serial_as_string(),
        not_before: fmt_time(&c.validity().not_before),
        not_after: fmt_time(&c.validity().not_after),
        key_type: key_type.into(),
        key_bits,
        signature_algorithm: sig_alg_name(&c.signature_algorithm.algorithm.to_id_string()),
        san,
        self_signed,
        is_ca: c.is_ca(),
    })
}

/// Hostname check against SAN entries (RFC 6125: wildcard only as the whole leftmost label, one label deep, never for IPs).
pub fn hostname_matches(name: &str, san: &[String]) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if let Ok(ip) = name.trim_matches(['[', ']']).parse::<IpAddr>() {
        return san.iter().any(|s| s.parse::<IpAddr>().ok() == Some(ip));
    }
    san.iter().any(|pat| {
        let pat = pat.trim_end_matches('.').to_ascii_lowercase();
        if pat.parse::<IpAddr>().is_ok() {
            return false;
        }
        match pat.strip_prefix("*.") {
            Some(suffix) => {
                // Require at least two labels after the wildcard so "*.id" cannot cover a whole TLD.
                suffix.contains('.')
                    && name
                        .split_once('.')
                        .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix)
            }
            None => !pat.contains('*') && pat == name,
        }
    })
}

/// The DER of the leaf's issuer from the chain the server sent (the leaf itself when it is
/// self-issued), for checking what the issuer signed.
fn issuer_der<'a>(fetched: &'a FetchedChain, leaf: &X509Certificate<'_>) -> Option<&'a [u8]> {
    if leaf.issuer() == leaf.subject() {
        return fetched.chain.first().map(Vec::as_slice);
    }
    fetched
        .chain
        .iter()
        .skip(1)
        .map(Vec::as_slice)
        .find(|der| X509Certificate::from_der(der).is_ok_and(|(_, c)| c.subject() == leaf.issuer()))
}

/// Analyses a fetched chain against the trust store and the expected name.
pub fn analyse(
    fetched: &FetchedChain,
    name: &str,
    roots: Arc<RootCertStore>,
    now: ::time::OffsetDateTime,
) -> Result<CertReport, String> {
    let Some(leaf_der) = fetched.chain.first() else {
        return Err("server sent an empty certificate chain".into());
    };
    let chain: Vec<CertInfo> = fetched
        .chain
        .iter()
        .map(|d| cert_info(d))
        .collect::<Result<_, _>>()?;
    let leaf = &chain[0];
    let (_, leaf_x509) =
        X509Certificate::from_der(leaf_der).map_err(|e| format!("certificate parse error: {e}"))?;
    let not_after = leaf_x509.validity().not_after.to_datetime();
    let not_before = leaf_x509.validity().not_before.to_datetime();
    let days_left = (not_after - now).whole_days();
    let expired = now > not_after;
    let not_yet_valid = now < not_before;

    let verifier = WebPkiServerVerifier::builder_with_provider(roots.clone(), provider())
        .build()
        .map_err(|e| e.to_string())?;
    let end_entity = CertificateDer::from(leaf_der.as_slice());
    let intermediates: Vec<CertificateDer<'_>> = fetched.chain[1..]
        .iter()
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    let unix = UnixTime::since_unix_epoch(Duration::from_secs(now.unix_timestamp().max(0) as u64));
    // Verify against the leaf's own SAN when the name mismatches, so trust and name are judged separately.
    let hostname_match = hostname_matches(name, &leaf.san);
    let verify_name = if hostname_match {
        name.to_string()
    } else {
        leaf.san
            .first()
            .cloned()
            .unwrap_or_else(|| name.to_string())
    };
    let trust = match server_name_for(&verify_name.replace('*', "wildcard")) {
        Ok(sn) => verifier
            .verify_server_cert(&end_entity, &intermediates, &sn, &[], unix)
            .map(|_| ()),
        Err(e) => Err(rustls::Error::General(e)),
    };
    let (trusted, trust_error) = match trust {
        Ok(()) => (true, None),
        // A wildcard-only SAN used as the stand-in name can fail on name alone; that is not a trust problem.
        Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))
        | Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            ..
        })) => (true, None),
        Err(e) => (false, Some(crate::certerr::explain(&e))),
    };
    let last = chain.last().unwrap_or(leaf);
    let anchor_subjects: Vec<String> = roots
        .roots
        .iter()
        .filter_map(|ta| {
            // Trust anchors carry the DER of the subject Name without its outer SEQUENCE header.
            let mut der = vec![0x30];
            let n = ta.subject.len();
            if n < 128 {
                der.push(n as u8);
            } else if n < 256 {
                der.extend_from_slice(&[0x81, n as u8]);
            } else {
                der.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
            }
            der.extend_from_slice(ta.subject.as_ref());
            X509Name::from_der(&der).ok().map(|(_, x)| x.to_string())
        })
        .collect();
    let incomplete_chain = !trusted && !last.self_signed && !anchor_subjects.contains(&last.issuer);
    let weak_key = match leaf.key_type.as_str() {
        "rsa" | "dsa" => leaf.key_bits < 2048,
        "ec" => leaf.key_bits < 256,
        _ => false,
    };
    let weak_signature = chain
        .iter()
        .any(|c| !c.self_signed && weak_sig(&c.signature_algorithm));
    let level = validation_level(&leaf.policy_oids);
    let must_staple_missing = leaf.must_staple && !fetched.ocsp_stapled;
    let ocsp = (!fetched.ocsp_response.is_empty()).then(|| {
        let l = crate::ocsp::Leaf {
            serial: leaf_x509.tbs_certificate.raw_serial(),
            issuer_name_der: leaf_x509.issuer().as_raw(),
        };
        crate::ocsp::analyse_signed(
            &fetched.ocsp_response,
            &l,
            issuer_der(fetched, &leaf_x509),
            now,
        )
    });
    Ok(CertReport {
        self_signed: leaf.self_signed,
        chain,
        source: fetched.source.clone(),
        trusted,
        trust_error_id: trust_error.as_ref().map(|e| e.id.clone()),
        trust_error: trust_error.map(|e| e.en),
        hostname_match,
        checked_name: name.to_string(),
        expired,
        not_yet_valid,
        days_left,
        expires_soon: !expired && days_left < EXPIRY_WARNING_DAYS,
        incomplete_chain,
        weak_key,
        weak_signature,
        ocsp_stapled: fetched.ocsp_stapled,
        validation_level: level,
        must_staple_missing,
        ocsp,
        sct_tls_extension: fetched.sct_extension,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_must_staple_and_validation_level() {
        use rcgen::{CertificateParams, CustomExtension, KeyPair};
        let mut p =
            CertificateParams::new(vec!["pemda.example.go.id".to_string()]).expect("params");
        // certificatePolicies: { OV 2.23.140.1.2.2 }; TLS Feature: { status_request (5) }.
        p.custom_extensions.push(CustomExtension::from_oid_content(
            &[2, 5, 29, 32],
            vec![
                0x30, 0x0a, 0x30, 0x08, 0x06, 0x06, 0x67, 0x81, 0x0c, 0x01, 0x02, 0x02,
            ],
        ));
        p.custom_extensions.push(CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 5, 5, 7, 1, 24],
            vec![0x30, 0x03, 0x02, 0x01, 0x05],
        ));
        let key = KeyPair::generate().expect("key");
        let cert = p.self_signed(&key).expect("cert");
        let info = cert_info(cert.der()).expect("parse");
        assert_eq!(info.policy_oids, vec!["2.23.140.1.2.2".to_string()]);
        assert!(info.must_staple);
        assert_eq!(info.embedded_scts, 0);
        assert_eq!(validation_level(&info.policy_oids), Some("OV"));
        assert_eq!(validation_level(&[]), None);
    }

    #[test]
    fn wildcard_rules() {
        let san = vec![
            "*.pemda.example.go.id".to_string(),
            "pemda.example.go.id".into(),
            "10.0.0.1".into(),
        ];
        assert!(hostname_matches("www.pemda.example.go.id", &san));
        assert!(hostname_matches("PEMDA.example.go.id.", &san));
        assert!(!hostname_matches("a.b.pemda.example.go.id", &san));
        assert!(!hostname_matches("evilpemda.example.go.id", &san));
        assert!(hostname_matches("10.0.0.1", &san));
        assert!(!hostname_matches("10.0.0.2", &san));
        assert!(!hostname_matches("x.id", &["*.id".to_string()]));
        assert!(!hostname_matches("1.2.3.4", &["*.2.3.4".to_string()]));
        assert!(hostname_matches("::1", &["::1".to_string()]));
    }
}
