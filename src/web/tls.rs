//! The server's certificate: given as PEM files, or generated self-signed on first start.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The certificate could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("{path}: {detail}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        detail: String,
    },
    /// rustls refused the certificate and key.
    #[error("sertifikat/kunci ditolak / certificate or key refused: {0}")]
    Config(String),
    /// Generating the self-signed certificate failed.
    #[error("sertifikat swatanda gagal dibuat / cannot generate the self-signed certificate: {0}")]
    Generate(String),
}

/// A ready TLS configuration and what to tell the operator about it.
pub struct ServerTls {
    /// The acceptor.
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// SHA-256 fingerprint of the leaf certificate (colon-separated hex).
    pub fingerprint: String,
    /// Where the certificate came from.
    pub origin: String,
    /// Whether Kawal generated it now.
    pub generated: bool,
}

fn file_err(path: &Path, detail: impl Into<String>) -> TlsError {
    TlsError::File {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn load(
    cert: &Path,
    key: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| file_err(cert, format!("tidak dapat dibaca / cannot be read: {e}")))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_err(cert, format!("PEM tidak sah / invalid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(file_err(
            cert,
            "tidak ada CERTIFICATE / no CERTIFICATE block (expected PEM)",
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        file_err(
            key,
            format!("kunci privat PEM tidak ditemukan / no PEM private key: {e}"),
        )
    })?;
    Ok((certs, key))
}

/// Generates a self-signed certificate for `names` into `dir` unless one is there.
fn self_signed(dir: &Path, names: &[String]) -> Result<(PathBuf, PathBuf, bool), TlsError> {
    let cert = dir.join("kawal-cert.pem");
    let key = dir.join("kawal-key.pem");
    if cert.exists() && key.exists() {
        return Ok((cert, key, false));
    }
    std::fs::create_dir_all(dir).map_err(|e| file_err(dir, e.to_string()))?;
    let ck = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    crate::auth::seal::write_private(&key, &ck.signing_key.serialize_pem())
        .map_err(|e| file_err(&key, e.to_string()))?;
    std::fs::write(&cert, ck.cert.pem()).map_err(|e| file_err(&cert, e.to_string()))?;
    Ok((cert, key, true))
}

impl ServerTls {
    /// From PEM files, or (both `None`) a self-signed certificate kept in `dir`.
    pub fn new(
        cert: Option<&Path>,
        key: Option<&Path>,
        dir: &Path,
        names: &[String],
    ) -> Result<ServerTls, TlsError> {
        let (cert, key, generated) = match (cert, key) {
            (Some(c), Some(k)) => (c.to_path_buf(), k.to_path_buf(), false),
            (None, None) => self_signed(dir, names)?,
            (Some(c), None) | (None, Some(c)) => {
                return Err(file_err(
                    c,
                    "--tls-cert dan --tls-key harus bersama / --tls-cert and --tls-key go together",
                ));
            }
        };
        let (chain, private) = load(&cert, &key)?;
        let fp = fingerprint(&chain[0]);
        let mut cfg = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| TlsError::Config(e.to_string()))?;
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ServerTls {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(cfg)),
            fingerprint: fp,
            origin: cert.display().to_string(),
            generated,
        })
    }
}
