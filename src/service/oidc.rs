//! Login through the organisation's OpenID Connect provider: the two halves of the
//! authorization code flow, around the browser's visit to the provider.

use super::{Actor, Event, LoginOutcome, Service, ServiceError, Via};
use crate::auth::seal::Sealer;
use crate::team::oidc::{self, OidcError, Pending};
use crate::team::secret::{random_token, same};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use url::Url;

/// Associated data of the sealed pending-login cookie (it opens nowhere else).
const AAD: &str = "kawal-oidc-login";

/// Where to send the browser, and the sealed login state to keep in its cookie.
#[derive(Debug, Clone)]
pub struct OidcStart {
    /// The provider's authorization URL.
    pub url: Url,
    /// The cookie value.
    pub cookie: String,
}

/// What the provider sent back to the callback.
#[derive(Debug, Clone, Default)]
pub struct OidcCallback<'a> {
    /// The sealed cookie set by [`Service::oidc_begin`].
    pub cookie: Option<&'a str>,
    /// `state` from the query.
    pub state: Option<&'a str>,
    /// `code` from the query.
    pub code: Option<&'a str>,
    /// `error` from the query (the provider refused or the user cancelled).
    pub error: Option<&'a str>,
    /// The client's address.
    pub client: Option<&'a str>,
}

fn refused(message: String) -> ServiceError {
    ServiceError::Invalid {
        field: "oidc".into(),
        message,
    }
}

impl Service {
    /// Whether provider login is configured, and its button text.
    pub fn oidc_label(&self) -> Option<&str> {
        self.config
            .oidc
            .as_ref()
            .map(|p| p.settings().label.as_str())
    }

    fn provider(&self) -> Result<&oidc::Provider, ServiceError> {
        self.config
            .oidc
            .as_deref()
            .ok_or_else(|| ServiceError::NotFound {
                what: "login SSO",
                name: "oidc".into(),
            })
    }

    /// Starts a provider login: fresh state, nonce and PKCE verifier, sealed for the cookie.
    pub async fn oidc_begin(&self, sealer: &Sealer) -> Result<OidcStart, ServiceError> {
        let provider = self.provider()?;
        let meta = provider.metadata().await.map_err(unavailable)?;
        let fresh = || random_token("").map_err(|e| ServiceError::Internal(e.to_string()));
        let pending = Pending::new(fresh()?, fresh()?, fresh()?, self.now().unix_timestamp());
        let plain =
            serde_json::to_vec(&pending).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let sealed = sealer
            .seal(&plain, AAD)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(OidcStart {
            url: oidc::authorization_url(
                &meta.authorization_endpoint,
                provider.settings(),
                &pending,
            ),
            cookie: URL_SAFE_NO_PAD.encode(sealed),
        })
    }

    /// Finishes a provider login: checks the state against the cookie, exchanges the code,
    /// verifies the ID token and opens the session of the Kawal account it names. Every
    /// refusal is audited with its reason.
    pub async fn oidc_finish(
        &self,
        sealer: &Sealer,
        cb: OidcCallback<'_>,
    ) -> Result<LoginOutcome, ServiceError> {
        let provider = self.provider()?;
        let anonymous = Actor {
            account: None,
            token_scopes: None,
            client: cb.client.map(str::to_string),
            via: Via::Session,
        };
        match self.oidc_account(provider, sealer, &cb).await {
            Ok(account) => self.open_session(account, cb.client, "login.oidc").await,
            Err((who, e)) => {
                let mut ev = Event::on(
                    "login.oidc.failed",
                    "account",
                    who.as_deref().unwrap_or("-"),
                );
                ev.actor = Some(who.as_deref().unwrap_or("sso:-"));
                ev.after = Some(serde_json::json!({ "reason": e.to_string() }));
                self.audit(&anonymous, ev).await?;
                Err(e)
            }
        }
    }

    /// The account a callback logs in, or (the name tried, why not).
    async fn oidc_account(
        &self,
        provider: &oidc::Provider,
        sealer: &Sealer,
        cb: &OidcCallback<'_>,
    ) -> Result<crate::store::Account, (Option<String>, ServiceError)> {
        let anon = |e| (None, e);
        if let Some(err) = cb.error {
            return Err(anon(refused(format!(
                "penyedia SSO menolak / the provider refused: {err}"
            ))));
        }
        let pending = open_pending(sealer, cb.cookie).map_err(anon)?;
        // The state binds the callback to the browser that started the login (CSRF, RFC 6749 §10.12).
        if !cb.state.is_some_and(|s| same(s, &pending.state)) {
            return Err(anon(refused(
                "state tidak sesuai; mulai masuk lagi / state does not match; start the login again"
                    .into(),
            )));
        }
        let now = self.now().unix_timestamp();
        if now > pending.expires {
            return Err(anon(refused(
                "waktu masuk habis; mulai lagi / the login took too long; start again".into(),
            )));
        }
        let code = cb
            .code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| anon(refused("tanpa kode / no code in the callback".into())))?;
        let token = provider
            .exchange(code, &pending.verifier)
            .await
            .map_err(|e| anon(unavailable(e)))?;
        let claims = provider
            .verify(&token, &pending.nonce, now)
            .await
            .map_err(|e| anon(unavailable(e)))?;
        let name = oidc::username(&claims, provider.settings())
            .map_err(|m| (Some(format!("sso:{}", claims.sub)), refused(m)))?;
        let tried = || Some(name.clone());
        let found = if provider.settings().username_claim == "email" {
            self.store.find_account_by_email(&name).await
        } else {
            self.store.find_account(&name).await
        }
        .map_err(|e| (tried(), e.into()))?;
        match found {
            Some(a) if !a.disabled => Ok(a),
            Some(_) => Err((
                tried(),
                refused(format!(
                    "akun '{name}' dinonaktifkan / account '{name}' is disabled"
                )),
            )),
            None => Err((
                tried(),
                refused(format!(
                    "'{name}' belum terdaftar di Kawal; minta administrator menambahkannya (kawal user add) / '{name}' has no Kawal account; ask an administrator to add it (kawal user add)"
                )),
            )),
        }
    }
}

fn open_pending(sealer: &Sealer, cookie: Option<&str>) -> Result<Pending, ServiceError> {
    let lost = || {
        refused(
            "sesi masuk SSO tidak ditemukan (cookie hilang atau rusak); mulai lagi / no SSO login in progress (cookie missing or damaged); start again"
                .into(),
        )
    };
    let raw = cookie
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .ok_or_else(lost)?;
    let plain = sealer.open(&raw, AAD).map_err(|_| lost())?;
    serde_json::from_slice(&plain).map_err(|_| lost())
}

/// A provider failure or a refused token, shown to the user as the reason.
fn unavailable(e: OidcError) -> ServiceError {
    refused(e.to_string())
}
