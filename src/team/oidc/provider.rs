//! The provider's three addresses Kawal talks to: discovery, token endpoint and key set.
//! Discovery and keys are cached; a token naming an unknown key id refreshes the key set (at
//! most once a minute for the same id), so a provider's key rotation is picked up without a
//! restart.

use super::OidcSettings;
use super::jwt::{self, Claims, Expect, JwkSet, JwtError};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use url::Url;

/// Largest answer read from the provider.
const MAX_BODY: usize = 1 << 20;
/// How long Kawal waits for the provider.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Shortest interval between two key-set refreshes for the same unknown key id.
const REFRESH: Duration = Duration::from_secs(60);

/// The provider could not be used, or refused.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider did not answer as OpenID Connect requires.
    #[error("penyedia SSO {url}: {why}")]
    Provider {
        /// The address asked.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// The ID token was refused.
    #[error(transparent)]
    Token(#[from] JwtError),
}

/// The discovery document's fields Kawal uses, as the provider wrote them.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    code_challenge_methods_supported: Option<Vec<String>>,
}

/// The discovery document's fields Kawal uses, checked.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// Where the browser logs in.
    pub authorization_endpoint: Url,
    /// Where the code is exchanged.
    pub token_endpoint: Url,
    /// The key set.
    pub jwks_uri: Url,
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

#[derive(Default)]
struct Cache {
    meta: Option<Metadata>,
    keys: Option<Keys>,
}

struct Keys {
    set: JwkSet,
    fetched: Instant,
    /// The unknown key id that caused this fetch.
    for_kid: Option<Option<String>>,
}

/// A relying party of one provider.
pub struct Provider {
    settings: OidcSettings,
    http: reqwest::Client,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Provider({})", self.settings.issuer)
    }
}

impl Provider {
    /// A relying party for `settings`.
    pub fn new(settings: OidcSettings) -> Result<Provider, OidcError> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kawal/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OidcError::Provider {
                url: settings.issuer.clone(),
                why: e.to_string(),
            })?;
        Ok(Provider {
            settings,
            http,
            cache: Mutex::new(Cache::default()),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// The discovery document, fetched once and checked.
    pub async fn metadata(&self) -> Result<Metadata, OidcError> {
        if let Some(m) = &self.cache.lock().await.meta {
            return Ok(m.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
        let d: Discovery = self.get_json(&url).await?;
        let fail = |why: String| OidcError::Provider {
            url: url.clone(),
            why,
        };
        if d.issuer != self.settings.issuer {
            return Err(fail(format!(
                "issuer '{}' berbeda dari konfigurasi '{}' / differs from the configured '{}'",
                d.issuer, self.settings.issuer, self.settings.issuer
            )));
        }
        let endpoint = |u: &str| {
            Url::parse(u)
                .ok()
                .filter(super::secure_or_loopback)
                .ok_or_else(|| fail(format!("{u}: bukan URL https / not an https URL")))
        };
        let meta = Metadata {
            authorization_endpoint: endpoint(&d.authorization_endpoint)?,
            token_endpoint: endpoint(&d.token_endpoint)?,
            jwks_uri: endpoint(&d.jwks_uri)?,
        };
        if let Some(methods) = &d.code_challenge_methods_supported
            && !methods.iter().any(|m| m == "S256")
        {
            return Err(fail(
                "PKCE S256 tidak didukung / PKCE S256 is not supported".into(),
            ));
        }
        self.cache.lock().await.meta = Some(meta.clone());
        Ok(meta)
    }

    /// Exchanges the authorization `code` for an ID token (the access token is not kept).
    pub async fn exchange(&self, code: &str, verifier: &str) -> Result<String, OidcError> {
        let meta = self.metadata().await?;
        let url = meta.token_endpoint.to_string();
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", self.settings.redirect_url.as_str())
            .append_pair("code_verifier", verifier)
            .append_pair("client_id", &self.settings.client_id)
            .finish();
        let mut req = self
            .http
            .post(meta.token_endpoint.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(form);
        if let Some(secret) = &self.settings.client_secret {
            req = req.basic_auth(
                form_encode(&self.settings.client_id),
                Some(form_encode(secret)),
            );
        }
        let (status, body) = self.send(req, &url).await?;
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|e| OidcError::Provider {
                url: url.clone(),
                why: format!("HTTP {status}, bukan JSON / not JSON ({e})"),
            })?;
        if let Some(err) = answer.error {
            return Err(OidcError::Provider {
                url,
                why: format!(
                    "menolak kode / refused the code: {err} {}",
                    answer.error_description.unwrap_or_default()
                ),
            });
        }
        if !status.is_success() {
            return Err(OidcError::Provider {
                url,
                why: format!("HTTP {status}"),
            });
        }
        if answer
            .token_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            return Err(OidcError::Provider {
                url,
                why: "token_type bukan Bearer / is not Bearer".into(),
            });
        }
        answer.id_token.ok_or(OidcError::Provider {
            url,
            why: "tanpa id_token / no id_token in the answer".into(),
        })
    }

    /// Verifies `id_token` for this login; refreshes the key set once on an unknown key.
    pub async fn verify(&self, id_token: &str, nonce: &str, now: i64) -> Result<Claims, OidcError> {
        let expect = Expect {
            issuer: &self.settings.issuer,
            client_id: &self.settings.client_id,
            nonce,
            now,
        };
        let keys = self.keys(None).await?;
        match jwt::verify(id_token, &keys, &expect) {
            Err(JwtError::UnknownKey(kid)) => {
                let keys = self.keys(Some(kid)).await?;
                Ok(jwt::verify(id_token, &keys, &expect)?)
            }
            other => Ok(other?),
        }
    }

    /// The cached key set, or a fresh one when `unknown` names a key id the cache lacks (not
    /// again within a minute for the same id).
    async fn keys(&self, unknown: Option<Option<String>>) -> Result<JwkSet, OidcError> {
        {
            let c = self.cache.lock().await;
            if let Some(k) = &c.keys {
                let fresh_for_it = k.for_kid == unknown && k.fetched.elapsed() < REFRESH;
                if unknown.is_none() || fresh_for_it {
                    return Ok(k.set.clone());
                }
            }
        }
        let meta = self.metadata().await?;
        let set: JwkSet = self.get_json(meta.jwks_uri.as_str()).await?;
        self.cache.lock().await.keys = Some(Keys {
            set: set.clone(),
            fetched: Instant::now(),
            for_kid: unknown,
        });
        Ok(set)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let (status, body) = self.send(self.http.get(url), url).await?;
        let fail = |why: String| OidcError::Provider {
            url: url.to_string(),
            why,
        };
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        serde_json::from_slice(&body)
            .map_err(|e| fail(format!("JSON tidak sah / invalid JSON: {e}")))
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<(reqwest::StatusCode, Vec<u8>), OidcError> {
        let fail = |why: String| OidcError::Provider {
            url: url.to_string(),
            why,
        };
        let mut resp = req.send().await.map_err(|e| fail(e.to_string()))?;
        let status = resp.status();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| fail(e.to_string()))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(fail("jawaban lebih dari 1 MB / answer over 1 MB".into()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}

/// `application/x-www-form-urlencoded` encoding of a client credential (RFC 6749 §2.3.1).
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
