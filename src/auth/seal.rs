//! Authentication profiles encrypted at rest: XChaCha20-Poly1305 with a 32-byte key from
//! `KAWAL_SECRET_KEY` (64 hex digits or base64) or the key file `secret.key` in the data
//! directory (created with mode 0600 on first use). A sealed value is
//! `version ‖ 24-byte nonce ‖ ciphertext`, bound to its application and role by the associated
//! data, so a sealed recipe copied to another row does not open.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use std::path::{Path, PathBuf};

/// Format version of sealed values.
const VERSION: u8 = 1;
/// Nonce length of XChaCha20-Poly1305.
const NONCE: usize = 24;

/// Sealing or opening failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The key could not be read or created.
    #[error("kunci rahasia / secret key {origin}: {why}")]
    Key {
        /// Where the key was looked for.
        origin: String,
        /// What went wrong and how to fix it.
        why: String,
    },
    /// A sealed value is damaged, from another key, or moved to another row.
    #[error(
        "profil autentikasi tidak dapat dibuka (kunci berbeda atau data rusak) / authentication profile cannot be opened (different key or damaged data); daftarkan ulang perannya / register the role again"
    )]
    Open,
}

/// Where a loaded key came from (what to share with other machines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `KAWAL_SECRET_KEY`.
    Env,
    /// An existing key file.
    File(PathBuf),
    /// A key file created just now, because none existed.
    Created(PathBuf),
    /// Given directly (tests, rotation).
    Given,
}

impl KeySource {
    /// The key file, when the key lives in one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            KeySource::File(p) | KeySource::Created(p) => Some(p),
            KeySource::Env | KeySource::Given => None,
        }
    }
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Env => f.write_str("KAWAL_SECRET_KEY"),
            KeySource::File(p) => write!(f, "{}", p.display()),
            KeySource::Created(p) => write!(f, "{} (baru dibuat / just created)", p.display()),
            KeySource::Given => f.write_str("-"),
        }
    }
}

/// A loaded key.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    fingerprint: String,
    source: KeySource,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

fn parse_key(text: &str) -> Option<[u8; 32]> {
    let t = text.trim();
    let bytes = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(t.get(2 * i..2 * i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?
    } else {
        base64::engine::general_purpose::STANDARD.decode(t).ok()?
    };
    bytes.try_into().ok()
}

impl Sealer {
    /// A sealer from raw key bytes.
    pub fn from_key(key: [u8; 32]) -> Sealer {
        Sealer {
            cipher: XChaCha20Poly1305::new(&Key::from(key)),
            fingerprint: fingerprint(&key),
            source: KeySource::Given,
        }
    }

    /// A sealer from key text (64 hex digits or base64), as in a key file.
    pub fn from_text(text: &str, origin: &str) -> Result<Sealer, SealError> {
        parse_key(text)
            .map(Sealer::from_key)
            .ok_or_else(|| SealError::Key {
                origin: origin.to_string(),
                why: "harus 32 byte: 64 digit heksadesimal atau base64 / must be 32 bytes: 64 hex digits or base64 (kawal key generate)".into(),
            })
    }

    /// A fresh random key, as 64 hex digits.
    pub fn generate() -> Result<String, SealError> {
        let mut key = [0u8; 32];
        rustls::crypto::aws_lc_rs::default_provider()
            .secure_random
            .fill(&mut key)
            .map_err(|_| SealError::Key {
                origin: "-".into(),
                why: "sumber acak sistem gagal / the system random source failed".into(),
            })?;
        Ok(crate::model::hex(&key))
    }

    /// The key's fingerprint (safe to store and show; it does not reveal the key).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Where the key came from.
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    fn with_source(mut self, source: KeySource) -> Sealer {
        self.source = source;
        self
    }

    /// The key from `KAWAL_SECRET_KEY`, else from `dir/secret.key` (created if absent).
    pub fn load(dir: &Path) -> Result<Sealer, SealError> {
        if let Ok(v) = std::env::var("KAWAL_SECRET_KEY") {
            return Ok(Sealer::from_text(&v, "KAWAL_SECRET_KEY")?.with_source(KeySource::Env));
        }
        let path: PathBuf = dir.join("secret.key");
        let origin = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Sealer::from_text(&text, &origin)?.with_source(KeySource::File(path))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let hex = Sealer::generate()?;
                write_private(&path, &hex).map_err(|e| SealError::Key {
                    origin: origin.clone(),
                    why: format!("tidak dapat dibuat / cannot be created: {e}"),
                })?;
                Ok(Sealer::from_text(&hex, &origin)?.with_source(KeySource::Created(path)))
            }
            Err(e) => Err(SealError::Key {
                origin,
                why: e.to_string(),
            }),
        }
    }

    /// Encrypts `plain`, bound to `aad`.
    pub fn seal(&self, plain: &[u8], aad: &str) -> Result<Vec<u8>, SealError> {
        // 192-bit random nonces: collisions are negligible even for many seals with one key.
        let mut nonce = [0u8; NONCE];
        rustls::crypto::aws_lc_rs::default_provider()
            .secure_random
            .fill(&mut nonce)
            .map_err(|_| SealError::Open)?;
        let nonce = XNonce::from(nonce);
        let ct = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::Open)?;
        let mut out = Vec::with_capacity(1 + NONCE + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts a sealed value bound to `aad`.
    pub fn open(&self, sealed: &[u8], aad: &str) -> Result<Vec<u8>, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError::Open)?;
        if version != VERSION || rest.len() < NONCE {
            return Err(SealError::Open);
        }
        let (nonce, ct) = rest.split_at(NONCE);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Open)?;
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::Open)
    }
}

/// `sha256:` and the first 16 bytes of SHA-256 over a domain label and the key, in hex.
fn fingerprint(key: &[u8; 32]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"kawal-secret-key-fingerprint/1\0");
    h.update(key);
    let d = h.finalize();
    format!("sha256:{}", crate::model::hex(&d[..16]))
}

/// Writes a new file readable by its owner only; never overwrites.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    opts.open(path)?.write_all(text.as_bytes())
}

/// The associated data binding a sealed recipe to its row.
pub fn aad(application_id: i64, role: &str) -> String {
    format!("kawal-auth-profile:{application_id}:{role}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_row() {
        let s = Sealer::from_key([7u8; 32]);
        let sealed = s.seal(b"password=rahasia", &aad(1, "admin")).expect("seal");
        assert_eq!(sealed[0], VERSION);
        assert!(
            !sealed.windows(7).any(|w| w == b"rahasia"),
            "ciphertext hides the secret"
        );
        assert_eq!(
            s.open(&sealed, &aad(1, "admin")).expect("open"),
            b"password=rahasia"
        );
        assert!(
            s.open(&sealed, &aad(2, "admin")).is_err(),
            "moved to another app"
        );
        assert!(
            s.open(&sealed, &aad(1, "user")).is_err(),
            "moved to another role"
        );
        assert!(
            Sealer::from_key([8u8; 32])
                .open(&sealed, &aad(1, "admin"))
                .is_err()
        );
        let mut flipped = sealed.clone();
        if let Some(b) = flipped.last_mut() {
            *b ^= 1;
        }
        assert!(
            s.open(&flipped, &aad(1, "admin")).is_err(),
            "tampering is detected"
        );
        assert!(s.open(&[], "x").is_err() && s.open(&[1, 2, 3], "x").is_err());
        // Two seals of the same value differ (random nonces).
        assert_ne!(
            sealed,
            s.seal(b"password=rahasia", &aad(1, "admin")).expect("seal")
        );
    }

    #[test]
    fn fingerprints_tell_keys_apart_without_revealing_them() {
        let a = Sealer::from_key([7u8; 32]);
        let hex = crate::model::hex(&[7u8; 32]);
        assert_eq!(
            a.fingerprint(),
            Sealer::from_text(&hex, "t").expect("key").fingerprint()
        );
        assert_ne!(a.fingerprint(), Sealer::from_key([8u8; 32]).fingerprint());
        assert!(a.fingerprint().starts_with("sha256:") && a.fingerprint().len() == 39);
        assert!(!a.fingerprint().contains(&hex[..16]));
        let g = Sealer::generate().expect("random");
        assert_eq!(g.len(), 64);
        assert_ne!(g, Sealer::generate().expect("random"));
    }

    #[test]
    fn keys_parse_from_hex_or_base64() {
        assert_eq!(parse_key(&"ab".repeat(32)), Some([0xab; 32]));
        let b64 = base64::engine::general_purpose::STANDARD.encode([5u8; 32]);
        assert_eq!(parse_key(&b64), Some([5u8; 32]));
        assert_eq!(parse_key("pendek"), None);
    }

    #[test]
    fn the_key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = Sealer::load(dir.path()).expect("create");
        let sealed = a.seal(b"x", "y").expect("seal");
        let b = Sealer::load(dir.path()).expect("reuse");
        assert_eq!(b.open(&sealed, "y").expect("open"), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .expect("key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
