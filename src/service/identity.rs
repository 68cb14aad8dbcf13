//! Who is asking: password login with server-side sessions, API tokens, set-password links.

use super::{Actor, Event, Service, ServiceError, Via};
use crate::team::secret::{
    dummy_hash, hash_password, random_token, same, token_hash, verify_password,
};
use crate::team::session::Expiry;

/// A new session: the cookie value and its CSRF token (both shown to the client only).
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// Session id for the cookie.
    pub session_id: String,
    /// CSRF token to send with state-changing requests.
    pub csrf_token: String,
    /// The user.
    pub actor: Actor,
}

/// A valid session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The user.
    pub actor: Actor,
    /// The session's CSRF token.
    pub csrf_token: String,
}

impl Service {
    /// Password login. Failures say nothing about which part was wrong, are throttled per
    /// account and per client, and are audited.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: Option<&str>,
    ) -> Result<LoginOutcome, ServiceError> {
        let now = self.now();
        let user_key = format!("u:{}", username.to_lowercase());
        let client_key = format!("c:{}", client.unwrap_or("-"));
        let anonymous = Actor {
            account: None,
            token_scopes: None,
            client: client.map(str::to_string),
            via: Via::Session,
        };
        let allowed = {
            let mut t = self
                .throttle
                .lock()
                .map_err(|_| ServiceError::Internal("throttle".into()))?;
            t.allowed(&user_key, now) && t.allowed(&client_key, now)
        };
        if !allowed {
            let mut e = Event::on("login.throttled", "account", username);
            e.actor = Some(username);
            self.audit(&anonymous, e).await?;
            return Err(ServiceError::Throttled);
        }
        let record = self.store.login_record(username).await?;
        // Verify against a dummy hash for unknown accounts so timing does not tell.
        let ok = match &record {
            Some((_, hash)) => verify_password(password, hash),
            None => {
                let _ = verify_password(password, dummy_hash());
                false
            }
        };
        let Some((account, _)) = record.filter(|_| ok) else {
            {
                let mut t = self
                    .throttle
                    .lock()
                    .map_err(|_| ServiceError::Internal("throttle".into()))?;
                t.fail(&user_key, now);
                t.fail(&client_key, now);
            }
            let mut e = Event::on("login.failed", "account", username);
            e.actor = Some(username);
            self.audit(&anonymous, e).await?;
            return Err(ServiceError::Unauthenticated);
        };
        if let Ok(mut t) = self.throttle.lock() {
            t.clear(&user_key);
        }
        self.open_session(account, client, "login").await
    }

    /// A new server-side session for `account` (login by password or by the provider),
    /// audited as `action`.
    pub(super) async fn open_session(
        &self,
        account: crate::store::Account,
        client: Option<&str>,
        action: &str,
    ) -> Result<LoginOutcome, ServiceError> {
        let now = self.now();
        let sid = random_token("kss_").map_err(|e| ServiceError::Internal(e.to_string()))?;
        let csrf = random_token("").map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.store
            .create_session(&token_hash(&sid), account.id, &csrf, client, now)
            .await?;
        let actor = Actor {
            account: Some(account),
            token_scopes: None,
            client: client.map(str::to_string),
            via: Via::Session,
        };
        self.audit(&actor, Event::on(action, "account", actor.name()))
            .await?;
        Ok(LoginOutcome {
            session_id: sid,
            csrf_token: csrf,
            actor,
        })
    }

    /// The user of a session cookie, if the session is valid; expired sessions are removed.
    pub async fn session(
        &self,
        session_id: &str,
        client: Option<&str>,
    ) -> Result<Option<SessionInfo>, ServiceError> {
        let h = token_hash(session_id);
        let Some(s) = self.store.session(&h).await? else {
            return Ok(None);
        };
        let now = self.now();
        let expiry = self
            .config
            .sessions
            .judge(s.created_at, s.last_seen_at, now);
        if expiry != Expiry::Valid {
            self.store.delete_session(&h).await?;
            let mut e = Event::on("session.expired", "account", s.account_id);
            e.after = Some(serde_json::json!({ "reason": format!("{expiry:?}").to_lowercase() }));
            self.audit(
                &Actor {
                    client: client.map(str::to_string),
                    ..Actor::local_operator()
                },
                Event {
                    actor: Some("system"),
                    ..e
                },
            )
            .await?;
            return Ok(None);
        }
        let Some(account) = self.store.account_by_id(s.account_id).await? else {
            return Ok(None);
        };
        if account.disabled {
            return Ok(None);
        }
        self.store.touch_session(&h, now).await?;
        Ok(Some(SessionInfo {
            actor: Actor {
                account: Some(account),
                token_scopes: None,
                client: client.map(str::to_string),
                via: Via::Session,
            },
            csrf_token: s.csrf_token,
        }))
    }

    /// Ends a session on the server.
    pub async fn logout(&self, session_id: &str, actor: &Actor) -> Result<(), ServiceError> {
        self.store.delete_session(&token_hash(session_id)).await?;
        self.audit(actor, Event::on("logout", "account", actor.name()))
            .await
    }

    /// The user of an API token, limited to the token's scopes.
    pub async fn token_actor(
        &self,
        token: &str,
        client: Option<&str>,
    ) -> Result<Option<Actor>, ServiceError> {
        let Some((id, account_id, scopes)) =
            self.store.token_use(&token_hash(token), self.now()).await?
        else {
            return Ok(None);
        };
        let Some(account) = self.store.account_by_id(account_id).await? else {
            return Ok(None);
        };
        if account.disabled {
            return Ok(None);
        }
        let perms = self
            .roles
            .scope_permissions(scopes.iter().map(String::as_str));
        Ok(Some(Actor {
            account: Some(account),
            token_scopes: Some(perms),
            client: client.map(str::to_string),
            via: Via::Token(id),
        }))
    }

    /// Uses a one-time set-password link; it works once, then never again.
    pub async fn set_password(
        &self,
        setup_token: &str,
        password: &str,
        client: Option<&str>,
    ) -> Result<String, ServiceError> {
        let hash = hash_password(password).map_err(|e| ServiceError::Invalid {
            field: "password".into(),
            message: e.to_string(),
        })?;
        let name = self
            .store
            .use_setup_link(&token_hash(setup_token), &hash, self.now())
            .await?
            .ok_or(ServiceError::NotFound {
                what: "tautan/link",
                name: "set-password".into(),
            })?;
        let actor = Actor {
            client: client.map(str::to_string),
            ..Actor::local_operator()
        };
        let mut e = Event::on("user.set-password", "account", &name);
        e.actor = Some(&name);
        self.audit(&actor, e).await?;
        Ok(name)
    }

    /// Whether `given` is the session's CSRF token.
    pub fn csrf_ok(&self, session: &SessionInfo, given: Option<&str>) -> bool {
        given.is_some_and(|g| same(g, &session.csrf_token))
    }
}
