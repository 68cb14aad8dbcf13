//! ID tokens: a compact JWS checked against the provider's published keys and the claims
//! OpenID Connect Core 1.0 §3.1.3.7 requires. Pure: no I/O, the time is given.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Seconds of clock difference tolerated between Kawal and the provider.
pub const LEEWAY_SECS: i64 = 60;

/// Why an ID token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not a compact JWS with JSON header and claims.
    #[error("token ID rusak / malformed ID token: {0}")]
    Malformed(&'static str),
    /// An algorithm Kawal does not accept (`none`, HMAC, unknown).
    #[error("algoritma token ID '{0}' tidak diterima / ID token algorithm '{0}' is not accepted")]
    Algorithm(String),
    /// No published key matches the token's key id and algorithm.
    #[error(
        "kunci penyedia untuk token ID tidak ditemukan / no provider key for the ID token (kid {0:?})"
    )]
    UnknownKey(Option<String>),
    /// The signature does not verify.
    #[error("tanda tangan token ID tidak sah / ID token signature does not verify")]
    Signature,
    /// `iss` is not the configured issuer.
    #[error("penerbit token ID '{0}' tidak sesuai / ID token issuer '{0}' does not match")]
    Issuer(String),
    /// `aud` does not name Kawal's client id, or `azp` names another client.
    #[error("token ID bukan untuk Kawal / ID token is not for this client")]
    Audience,
    /// `exp` has passed.
    #[error("token ID kedaluwarsa / ID token expired")]
    Expired,
    /// `iat` lies in the future.
    #[error("token ID diterbitkan di masa depan / ID token issued in the future")]
    IssuedInFuture,
    /// `nonce` differs from the one this login sent.
    #[error("nonce token ID tidak sesuai / ID token nonce does not match")]
    Nonce,
    /// A claim the specification requires is absent or of the wrong type.
    #[error("klaim '{0}' tidak ada pada token ID / ID token lacks claim '{0}'")]
    MissingClaim(&'static str),
}

/// One published key (RFC 7517); fields Kawal does not use are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    /// Key type: `RSA` or `EC`.
    pub kty: String,
    /// Key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// Algorithm the key is meant for.
    #[serde(default)]
    pub alg: Option<String>,
    /// `sig` or `enc`.
    #[serde(default, rename = "use")]
    pub usage: Option<String>,
    /// RSA modulus.
    #[serde(default)]
    pub n: Option<String>,
    /// RSA exponent.
    #[serde(default)]
    pub e: Option<String>,
    /// EC curve.
    #[serde(default)]
    pub crv: Option<String>,
    /// EC x coordinate.
    #[serde(default)]
    pub x: Option<String>,
    /// EC y coordinate.
    #[serde(default)]
    pub y: Option<String>,
}

/// A provider's key set (`jwks_uri`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// What the token must say.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The configured issuer, compared exactly.
    pub issuer: &'a str,
    /// Kawal's client id.
    pub client_id: &'a str,
    /// The nonce sent with this login.
    pub nonce: &'a str,
    /// Now, as Unix seconds.
    pub now: i64,
}

/// The verified claims.
#[derive(Debug, Clone)]
pub struct Claims {
    /// Subject: the provider's stable id of the user.
    pub sub: String,
    /// All claims, for the one that names the Kawal account.
    pub all: Map<String, Value>,
}

impl Claims {
    /// A string claim.
    pub fn string(&self, name: &str) -> Option<&str> {
        self.all.get(name).and_then(Value::as_str)
    }
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<Value>,
}

/// Signature algorithms accepted, with the key type each needs.
fn family(alg: &str) -> Option<&'static str> {
    match alg {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => Some("RSA"),
        "ES256" | "ES384" => Some("EC"),
        _ => None,
    }
}

fn b64(part: &str, what: &'static str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed(what))
}

/// Verifies `token` against `keys` and `expect`; the key id the token names is in
/// [`JwtError::UnknownKey`] so the caller can refresh the key set once and retry.
pub fn verify(token: &str, keys: &JwkSet, expect: &Expect<'_>) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed("expected three dot-separated parts"));
    };
    let header: Header = serde_json::from_slice(&b64(h, "header is not base64url")?)
        .map_err(|_| JwtError::Malformed("header is not a JSON object"))?;
    let Some(kty) = family(&header.alg) else {
        return Err(JwtError::Algorithm(header.alg));
    };
    // No extension Kawal understands may be marked critical (RFC 7515 §4.1.11).
    if header.crit.is_some() {
        return Err(JwtError::Malformed("unsupported critical header"));
    }
    let sig = b64(s, "signature is not base64url")?;
    let signed = &token.as_bytes()[..h.len() + 1 + c.len()];
    let candidates: Vec<&Jwk> = keys
        .keys
        .iter()
        .filter(|k| k.kty == kty)
        .filter(|k| k.usage.as_deref().is_none_or(|u| u == "sig"))
        .filter(|k| k.alg.as_deref().is_none_or(|a| a == header.alg))
        .filter(|k| header.kid.is_none() || k.kid == header.kid)
        .collect();
    if candidates.is_empty() {
        return Err(JwtError::UnknownKey(header.kid));
    }
    if !candidates
        .iter()
        .any(|k| check_signature(&header.alg, k, signed, &sig))
    {
        return Err(JwtError::Signature);
    }
    let all: Map<String, Value> = serde_json::from_slice(&b64(c, "claims are not base64url")?)
        .map_err(|_| JwtError::Malformed("claims are not a JSON object"))?;
    check_claims(all, expect)
}

fn check_signature(alg: &str, key: &Jwk, signed: &[u8], sig: &[u8]) -> bool {
    let field = |v: &Option<String>| v.as_deref().and_then(|s| URL_SAFE_NO_PAD.decode(s).ok());
    if key.kty == "RSA" {
        let (Some(n), Some(e)) = (field(&key.n), field(&key.e)) else {
            return false;
        };
        let params: &'static signature::RsaParameters = match alg {
            "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
            "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
            "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
            "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
            "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
            "PS512" => &signature::RSA_PSS_2048_8192_SHA512,
            _ => return false,
        };
        return RsaPublicKeyComponents { n: &n, e: &e }
            .verify(params, signed, sig)
            .is_ok();
    }
    let (Some(x), Some(y)) = (field(&key.x), field(&key.y)) else {
        return false;
    };
    let (params, crv, len): (&'static signature::EcdsaVerificationAlgorithm, _, _) = match alg {
        "ES256" => (&signature::ECDSA_P256_SHA256_FIXED, "P-256", 32),
        "ES384" => (&signature::ECDSA_P384_SHA384_FIXED, "P-384", 48),
        _ => return false,
    };
    if key.crv.as_deref() != Some(crv) || x.len() != len || y.len() != len {
        return false;
    }
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(4);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    UnparsedPublicKey::new(params, point)
        .verify(signed, sig)
        .is_ok()
}

fn check_claims(all: Map<String, Value>, expect: &Expect<'_>) -> Result<Claims, JwtError> {
    let iss = all
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(JwtError::MissingClaim("iss"))?;
    if iss != expect.issuer {
        return Err(JwtError::Issuer(iss.to_string()));
    }
    let aud: Vec<&str> = match all.get("aud") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => return Err(JwtError::MissingClaim("aud")),
    };
    if !aud.contains(&expect.client_id) {
        return Err(JwtError::Audience);
    }
    match all.get("azp").and_then(Value::as_str) {
        Some(azp) if azp != expect.client_id => return Err(JwtError::Audience),
        // Several audiences and no authorized party: the token may have been meant for another.
        None if aud.len() > 1 => return Err(JwtError::Audience),
        _ => {}
    }
    let exp = all
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(JwtError::MissingClaim("exp"))?;
    if exp + LEEWAY_SECS <= expect.now {
        return Err(JwtError::Expired);
    }
    let iat = all
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(JwtError::MissingClaim("iat"))?;
    if iat > expect.now + LEEWAY_SECS {
        return Err(JwtError::IssuedInFuture);
    }
    let nonce = all
        .get("nonce")
        .and_then(Value::as_str)
        .ok_or(JwtError::MissingClaim("nonce"))?;
    if !crate::team::secret::same(nonce, expect.nonce) {
        return Err(JwtError::Nonce);
    }
    let sub = all
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(JwtError::MissingClaim("sub"))?
        .to_string();
    Ok(Claims { sub, all })
}
