//! Random secrets (session ids, API tokens, one-time links) and password hashing.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use sha2::{Digest, Sha256};

/// A secret could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The system random source failed.
    #[error("sumber acak sistem gagal / the system random source failed")]
    Random,
    /// Password hashing failed.
    #[error("hash kata sandi gagal / password hashing failed: {0}")]
    Hash(String),
    /// The password does not meet the length rule.
    #[error(
        "kata sandi minimal 12 karakter dan maksimal 256 / passwords need 12 to 256 characters"
    )]
    Weak,
}

/// 256 random bits as 64 hex digits, with a prefix naming what they are (e.g. `kwl_`).
pub fn random_token(prefix: &str) -> Result<String, SecretError> {
    let mut b = [0u8; 32];
    rustls::crypto::aws_lc_rs::default_provider()
        .secure_random
        .fill(&mut b)
        .map_err(|_| SecretError::Random)?;
    Ok(format!("{prefix}{}", crate::model::hex(&b)))
}

/// SHA-256 of a token, hex: what the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    crate::model::hex(&Sha256::digest(token.as_bytes()))
}

/// Constant-time equality of two strings of equal length (hashes, CSRF tokens).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane).
fn argon() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (PHC string), after the length rule.
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    let n = password.chars().count();
    if !(12..=256).contains(&n) {
        return Err(SecretError::Weak);
    }
    argon()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| SecretError::Hash(e.to_string()))
}

/// Whether `password` matches a stored PHC string; a malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => argon().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so timing does not tell.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("kawal-dummy-password-x").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("kata-sandi-yang-panjang").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("kata-sandi-yang-panjang", &h));
        assert!(!verify_password("kata-sandi-yang-salah!", &h));
        assert!(!verify_password("x", "not a phc string"));
        assert!(matches!(hash_password("pendek"), Err(SecretError::Weak)));
    }

    #[test]
    fn tokens_are_256_bit_and_distinct() {
        let a = random_token("kws_").expect("a");
        let b = random_token("kws_").expect("b");
        assert_eq!(a.len(), 4 + 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(same(&token_hash(&a), &token_hash(&a)));
        assert!(!same(&token_hash(&a), &token_hash(&b)));
    }
}
