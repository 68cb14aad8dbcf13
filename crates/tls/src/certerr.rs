//! Certificate verification errors as sentences a user can act on, in Indonesian and English,
//! instead of the verifier's debug structures (lists of algorithm OIDs and the like).

use rustls::pki_types::UnixTime;
use rustls::{CertificateError, Error};

/// A verification failure explained in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// Indonesian sentence.
    pub id: String,
    /// English sentence.
    pub en: String,
}

impl Explained {
    fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Explained {
            id: id.into(),
            en: en.into(),
        }
    }

    /// Both sentences as "Indonesian / English", the form of the bilingual error messages.
    pub fn both(&self) -> String {
        format!("{} / {}", self.id, self.en)
    }
}

/// DER of the SHA-1 signature algorithm OIDs (RSA, ECDSA, DSA): an algorithm identifier holding
/// one of these is a SHA-1 signature.
const SHA1_OIDS: [&[u8]; 3] = [
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05],
    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01],
    &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03],
];

fn is_sha1(algorithm_id: &[u8]) -> bool {
    SHA1_OIDS
        .iter()
        .any(|oid| algorithm_id.windows(oid.len()).any(|w| w == *oid))
}

/// A date as YYYY-MM-DD (UTC).
fn date(t: UnixTime) -> String {
    let secs = i64::try_from(t.as_secs()).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|d| d.date().to_string())
        .unwrap_or_else(|_| format!("{secs} s"))
}

/// Explains a rustls error met while verifying a server certificate.
pub fn explain(e: &Error) -> Explained {
    match e {
        Error::InvalidCertificate(c) => explain_certificate(c),
        Error::NoCertificatesPresented => Explained::new(
            "Server tidak mengirim sertifikat.",
            "The server sent no certificate.",
        ),
        Error::AlertReceived(a) => Explained::new(
            format!("Server memutus jabat tangan TLS dengan peringatan {a:?}."),
            format!("The server ended the TLS handshake with alert {a:?}."),
        ),
        other => Explained::new(
            format!("Jabat tangan TLS gagal: {other}."),
            format!("The TLS handshake failed: {other}."),
        ),
    }
}

/// Explains a certificate verification error.
pub fn explain_certificate(c: &CertificateError) -> Explained {
    match c {
        CertificateError::ExpiredContext { not_after, .. } => Explained::new(
            format!("Sertifikat kedaluwarsa pada {}.", date(*not_after)),
            format!("The certificate expired on {}.", date(*not_after)),
        ),
        CertificateError::Expired => Explained::new(
            "Sertifikat sudah kedaluwarsa.",
            "The certificate has expired.",
        ),
        CertificateError::NotValidYetContext { not_before, .. } => Explained::new(
            format!("Sertifikat baru berlaku mulai {}.", date(*not_before)),
            format!("The certificate is not valid before {}.", date(*not_before)),
        ),
        CertificateError::NotValidYet => Explained::new(
            "Sertifikat belum berlaku.",
            "The certificate is not valid yet.",
        ),
        CertificateError::UnknownIssuer => Explained::new(
            "Penerbit sertifikat tidak dikenal: rantai tidak berakhir pada CA tepercaya (CA internal? gunakan --ca-bundle; atau sertifikat perantara tidak dikirim).",
            "Unknown issuer: the chain does not lead to a trusted CA (an internal CA? use --ca-bundle; or the intermediate certificate is not sent).",
        ),
        CertificateError::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id,
            ..
        }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
            signature_algorithm_id,
            ..
        } if is_sha1(signature_algorithm_id) => Explained::new(
            "Tanda tangan SHA-1 pada sertifikat tidak diterima; terbitkan ulang dengan SHA-256.",
            "SHA-1 signature not accepted; reissue the certificate with SHA-256.",
        ),
        CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            Explained::new(
                "Algoritma tanda tangan sertifikat tidak diterima.",
                "The certificate's signature algorithm is not accepted.",
            )
        }
        CertificateError::BadSignature => Explained::new(
            "Tanda tangan sertifikat tidak sah.",
            "The certificate's signature is invalid.",
        ),
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => {
            let names = names_list(presented);
            let host = expected.to_str();
            Explained::new(
                format!(
                    "Nama tidak cocok: {host} tidak tercantum; sertifikat berlaku untuk {names}."
                ),
                format!("Name mismatch: {host} is not covered; the certificate names {names}."),
            )
        }
        CertificateError::NotValidForName => Explained::new(
            "Nama tidak cocok: sertifikat tidak berlaku untuk nama host ini.",
            "Name mismatch: the certificate does not cover this host name.",
        ),
        CertificateError::Revoked => Explained::new(
            "Sertifikat telah dicabut oleh penerbitnya.",
            "The certificate has been revoked by its issuer.",
        ),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            Explained::new(
                "Sertifikat tidak diterbitkan untuk autentikasi server (extended key usage).",
                "The certificate is not issued for server authentication (extended key usage).",
            )
        }
        CertificateError::BadEncoding => Explained::new(
            "Sertifikat tidak dapat dibaca (encoding rusak).",
            "The certificate cannot be read (bad encoding).",
        ),
        other => Explained::new(
            format!("Sertifikat ditolak: {other}."),
            format!("The certificate was rejected: {other}."),
        ),
    }
}

/// "a, b and 3 more" style list of the names a certificate presents (quoted DNS/IP strings).
fn names_list(presented: &[String]) -> String {
    let clean: Vec<String> = presented
        .iter()
        .map(|p| {
            p.trim_start_matches("DnsName(")
                .trim_start_matches("IpAddress(")
                .trim_end_matches(')')
                .trim_matches('"')
                .to_string()
        })
        .collect();
    match clean.len() {
        0 => "(tanpa nama / no names)".to_string(),
        1..=5 => clean.join(", "),
        n => format!("{}, … (+{})", clean[..5].join(", "), n - 5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::ServerName;
    use std::time::Duration;

    #[test]
    fn sentences() {
        let e = explain_certificate(&CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600)),
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_735_689_600)),
        });
        assert_eq!(e.en, "The certificate expired on 2025-01-01.");
        assert!(e.id.contains("kedaluwarsa pada 2025-01-01"));
        let sha1 = explain_certificate(&CertificateError::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id: vec![
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
            ],
            supported_algorithms: vec![],
        });
        assert!(
            sha1.en.starts_with("SHA-1 signature not accepted"),
            "{}",
            sha1.en
        );
        let name = explain_certificate(&CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("simpeg.example.go.id").expect("name"),
            presented: vec![
                "DnsName(\"a.example.go.id\")".into(),
                "DnsName(\"b.example.go.id\")".into(),
            ],
        });
        assert!(
            name.en
                .contains("the certificate names a.example.go.id, b.example.go.id"),
            "{}",
            name.en
        );
        assert!(!name.en.contains("DnsName"));
    }
}
