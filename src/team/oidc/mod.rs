//! Login through the organisation's OpenID Connect provider (authorization code flow with
//! PKCE, OpenID Connect Core 1.0 §3.1). Roles stay in Kawal: a provider login opens the
//! session of the Kawal account its username claim names, never creates one.

pub mod jwt;
mod provider;

pub use provider::{OidcError, Provider};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

/// Minutes a started provider login may take before its callback is refused.
pub const PENDING_MINUTES: i64 = 10;

/// The provider settings (`[oidc]` in `kawal.toml`), checked.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// Issuer URL, compared exactly with the discovery document and the tokens.
    pub issuer: String,
    /// Kawal's client id at the provider.
    pub client_id: String,
    /// Client secret (`client_secret_basic`); `None` for a public client using PKCE alone.
    pub client_secret: Option<String>,
    /// Where the provider sends the browser back: `{public_url}/login/oidc/callback`.
    pub redirect_url: Url,
    /// Scopes requested beside `openid`.
    pub scopes: Vec<String>,
    /// The claim that holds the Kawal user name (default `preferred_username`).
    pub username_claim: String,
    /// Button text on the login page.
    pub label: String,
}

/// Why `[oidc]` cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("[oidc] {key}: {message}")]
pub struct SettingsError {
    /// The key at fault.
    pub key: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl OidcSettings {
    /// Checks the settings: an `https` issuer (plain `http` only on a loopback address), a
    /// client id, and a public URL for the callback.
    pub fn new(
        issuer: &str,
        client_id: &str,
        client_secret: Option<String>,
        public_url: Option<&str>,
    ) -> Result<OidcSettings, SettingsError> {
        let bad = |key, message: &str| SettingsError {
            key,
            message: message.to_string(),
        };
        let parsed = Url::parse(issuer).map_err(|e| SettingsError {
            key: "issuer",
            message: format!("'{issuer}' bukan URL / is not a URL ({e})"),
        })?;
        if !secure_or_loopback(&parsed) {
            return Err(bad(
                "issuer",
                "harus https (http hanya untuk alamat loopback) / must be https (http only on a loopback address)",
            ));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad(
                "issuer",
                "tanpa query atau fragmen / must not have a query or fragment",
            ));
        }
        if client_id.trim().is_empty() {
            return Err(bad("client_id", "wajib diisi / is required"));
        }
        let Some(public) = public_url else {
            return Err(SettingsError {
                key: "issuer",
                message: "perlu [server] public_url untuk alamat kembali / needs [server] public_url for the callback address".into(),
            });
        };
        let redirect_url = Url::parse(public)
            .and_then(|u| u.join("/login/oidc/callback"))
            .map_err(|e| SettingsError {
                key: "issuer",
                message: format!("[server] public_url '{public}' bukan URL / is not a URL ({e})"),
            })?;
        Ok(OidcSettings {
            issuer: issuer.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.filter(|s| !s.is_empty()),
            redirect_url,
            scopes: vec!["profile".into(), "email".into()],
            username_claim: "preferred_username".into(),
            label: "SSO".into(),
        })
    }
}

/// Whether `u` is https, or http to a loopback address (a provider on the same machine).
pub fn secure_or_loopback(u: &Url) -> bool {
    match u.scheme() {
        "https" => true,
        "http" => match u.host() {
            Some(url::Host::Ipv4(a)) => a.is_loopback(),
            Some(url::Host::Ipv6(a)) => a.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        },
        _ => false,
    }
}

/// A login in progress, kept sealed in a short-lived cookie between the redirect to the
/// provider and its callback, so any Kawal instance sharing the key can finish it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// `state`: ties the callback to this browser.
    pub state: String,
    /// `nonce`: ties the ID token to this login.
    pub nonce: String,
    /// PKCE code verifier.
    pub verifier: String,
    /// Unix seconds after which the callback is refused.
    pub expires: i64,
}

impl Pending {
    /// A new login at `now` (Unix seconds) from three fresh random values.
    pub fn new(state: String, nonce: String, verifier: String, now: i64) -> Pending {
        Pending {
            state,
            nonce,
            verifier,
            expires: now + PENDING_MINUTES * 60,
        }
    }

    /// The PKCE S256 challenge of the verifier (RFC 7636 §4.2).
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.verifier.as_bytes()))
    }
}

/// The provider's authorization URL for `pending`.
pub fn authorization_url(endpoint: &Url, s: &OidcSettings, pending: &Pending) -> Url {
    let mut u = endpoint.clone();
    let mut scope = String::from("openid");
    for extra in s.scopes.iter().filter(|x| x.as_str() != "openid") {
        scope.push(' ');
        scope.push_str(extra);
    }
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &s.client_id)
        .append_pair("redirect_uri", s.redirect_url.as_str())
        .append_pair("scope", &scope)
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &pending.challenge())
        .append_pair("code_challenge_method", "S256");
    u
}

/// The Kawal user name a verified login names, or why it names none.
pub fn username(claims: &jwt::Claims, s: &OidcSettings) -> Result<String, String> {
    let name = claims
        .string(&s.username_claim)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            format!(
                "token ID tidak memuat klaim '{}' / the ID token has no '{}' claim",
                s.username_claim, s.username_claim
            )
        })?;
    // An address the provider has not verified could be anyone's.
    if s.username_claim == "email" && claims.all.get("email_verified") != Some(&true.into()) {
        return Err(
            "alamat surel belum diverifikasi penyedia / the provider has not verified the e-mail address"
                .into(),
        );
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests;
