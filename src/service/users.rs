//! Accounts and API tokens.

use super::{Actor, Event, Service, ServiceError};
use crate::store::{Account, AccountPatch, ApiToken, NewAccount};
use crate::team::secret::{random_token, token_hash};
use serde::Deserialize;
use time::OffsetDateTime;

/// A new account as asked for.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login name: 2–64 of a-z, 0-9, '.', '_', '-'.
    pub username: String,
    /// Full name (default: the login name).
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Perangkat Daerah (required for agency-bound roles).
    pub agency: Option<String>,
    /// Roles from the roles file.
    pub roles: Vec<String>,
}

/// A created account and its one-time set-password secret.
#[derive(Debug, Clone)]
pub struct UserCreated {
    /// The account.
    pub account: Account,
    /// Secret of the set-password link (shown once, stored hashed).
    pub setup_token: String,
    /// Until when the link works.
    pub expires_at: OffsetDateTime,
}

/// A new API token as asked for.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// Account the token acts as (default: the caller).
    pub user: Option<String>,
    /// Name, e.g. "ci-simpeg".
    pub name: String,
    /// Scopes (see the roles file's `[scopes]`).
    pub scopes: Vec<String>,
    /// Lifetime in days (1–366; default 90).
    pub expires_days: Option<i64>,
}

fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

fn check_username(u: &str) -> Result<(), ServiceError> {
    let ok = (2..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && !u.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "username",
            format!(
                "'{u}': 2–64 karakter a-z, 0-9, '.', '_', '-', bukan hanya angka / 2–64 characters of a-z, 0-9, '.', '_', '-', not only digits"
            ),
        ))
    }
}

fn account_value(a: &Account) -> serde_json::Value {
    serde_json::json!({
        "username": a.username, "name": a.name, "email": a.email, "agency": a.agency,
        "roles": a.roles, "disabled": a.disabled,
    })
}

impl Service {
    fn check_roles(&self, roles: &[String], agency: Option<&str>) -> Result<(), ServiceError> {
        if roles.is_empty() {
            return Err(invalid("roles", "minimal satu peran / at least one role"));
        }
        for r in roles {
            let Some(role) = self.roles.role(r) else {
                let known: Vec<_> = self.roles.all().map(|r| r.id.as_str()).collect();
                return Err(invalid(
                    "roles",
                    format!(
                        "peran tidak dikenal / unknown role '{r}' (known: {})",
                        known.join(", ")
                    ),
                ));
            };
            let bound = role
                .grants
                .values()
                .any(|g| *g == crate::team::Reach::Agency);
            if bound && agency.is_none_or(|a| a.trim().is_empty()) {
                return Err(invalid(
                    "agency",
                    format!(
                        "peran '{r}' perlu --agency / role '{r}' needs --agency (its Perangkat Daerah)"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn setup_expiry(&self) -> OffsetDateTime {
        self.now() + self.config.setup_link_ttl
    }

    /// Creates an account with a one-time set-password link. With no account yet, the first
    /// one may be created by the local operator and must hold `administrator`.
    pub async fn add_user(&self, actor: &Actor, u: NewUser) -> Result<UserCreated, ServiceError> {
        let first = self.store.count_accounts().await? == 0;
        if first {
            if !u.roles.iter().any(|r| r == "administrator") {
                return Err(invalid(
                    "roles",
                    "akun pertama harus administrator / the first account must hold the administrator role",
                ));
            }
        } else {
            self.require(actor, "user:write")?;
        }
        check_username(&u.username)?;
        self.check_roles(&u.roles, u.agency.as_deref())?;
        let token = random_token("kws_").map_err(|e| ServiceError::Internal(e.to_string()))?;
        let expires_at = self.setup_expiry();
        let account = self
            .store
            .add_account(
                &NewAccount {
                    name: u.name.clone().unwrap_or_else(|| u.username.clone()),
                    username: u.username,
                    email: u.email,
                    agency: u.agency,
                    roles: u.roles,
                },
                &token_hash(&token),
                expires_at,
            )
            .await?;
        let mut e = Event::on("user.add", "account", &account.username);
        e.after = Some(account_value(&account));
        self.audit(actor, e).await?;
        Ok(UserCreated {
            account,
            setup_token: token,
            expires_at,
        })
    }

    /// Every account.
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<Account>, ServiceError> {
        self.require(actor, "user:read")?;
        Ok(self.store.list_accounts().await?)
    }

    /// One account: anyone may read their own.
    pub async fn user(&self, actor: &Actor, username: &str) -> Result<Account, ServiceError> {
        let own = actor
            .account
            .as_ref()
            .is_some_and(|a| a.username == username);
        if !own {
            self.require(actor, "user:read")?;
        }
        Ok(self.store.account(username).await?)
    }

    /// Edits an account (name, e-mail, agency, roles, disabled).
    pub async fn edit_user(
        &self,
        actor: &Actor,
        username: &str,
        patch: AccountPatch,
    ) -> Result<Account, ServiceError> {
        self.require(actor, "user:write")?;
        let before = self.store.account(username).await?;
        let roles = patch.roles.clone().unwrap_or_else(|| before.roles.clone());
        let agency = match &patch.agency {
            Some(a) => a.clone(),
            None => before.agency.clone(),
        };
        self.check_roles(&roles, agency.as_deref())?;
        let drops_admin = before.roles.iter().any(|r| r == "administrator")
            && !roles.iter().any(|r| r == "administrator");
        let is_self = actor
            .account
            .as_ref()
            .is_some_and(|a| a.username == username);
        if is_self && (patch.disabled == Some(true) || drops_admin) {
            return Err(ServiceError::Conflict(
                "tidak dapat menonaktifkan diri atau mencabut peran administrator sendiri / you cannot disable yourself or drop your own administrator role".into(),
            ));
        }
        let after = self.store.edit_account(username, &patch).await?;
        let action = match patch.disabled {
            Some(true) => "user.disable",
            Some(false) => "user.enable",
            None if patch.roles.is_some() => "user.roles",
            None => "user.edit",
        };
        let mut e = Event::on(action, "account", username);
        e.before = Some(account_value(&before));
        e.after = Some(account_value(&after));
        self.audit(actor, e).await?;
        Ok(after)
    }

    /// Clears an account's password and issues a new one-time set-password link.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        username: &str,
    ) -> Result<(String, OffsetDateTime), ServiceError> {
        self.require(actor, "user:write")?;
        let token = random_token("kws_").map_err(|e| ServiceError::Internal(e.to_string()))?;
        let expires_at = self.setup_expiry();
        self.store
            .reset_password(username, &token_hash(&token), expires_at)
            .await?;
        self.audit(actor, Event::on("user.reset-password", "account", username))
            .await?;
        Ok((token, expires_at))
    }

    /// Creates an API token; the token is returned once and kept only as a hash.
    pub async fn create_token(
        &self,
        actor: &Actor,
        t: NewToken,
    ) -> Result<(i64, String, ApiToken), ServiceError> {
        self.require(actor, "token:write")?;
        let own = actor.account.as_ref().map(|a| a.username.clone());
        let target = t.user.clone().or(own.clone()).ok_or_else(|| {
            invalid(
                "user",
                "sebutkan akun token / name the account the token acts as",
            )
        })?;
        if Some(&target) != own.as_ref() {
            self.require(actor, "user:write")?;
        }
        // A token cannot be wider than the session creating it.
        if actor.token_scopes.is_some() {
            return Err(ServiceError::Forbidden {
                permission: "token:write (sesi/session)".into(),
            });
        }
        let account = self.store.account(&target).await?;
        if t.name.trim().is_empty() {
            return Err(invalid("name", "wajib diisi / required"));
        }
        if t.scopes.is_empty() {
            return Err(invalid(
                "scopes",
                "minimal satu cakupan / at least one scope",
            ));
        }
        for s in &t.scopes {
            if !self.roles.is_scope(s) {
                return Err(invalid(
                    "scopes",
                    format!("cakupan tidak dikenal / unknown scope '{s}'"),
                ));
            }
        }
        let days = t.expires_days.unwrap_or(90);
        if !(1..=366).contains(&days) {
            return Err(invalid("expires_days", "1–366"));
        }
        let expires = self.now() + time::Duration::days(days);
        let token = random_token("kwt_").map_err(|e| ServiceError::Internal(e.to_string()))?;
        let id = self
            .store
            .add_token(
                account.id,
                t.name.trim(),
                &token_hash(&token),
                &t.scopes,
                Some(expires),
            )
            .await?;
        let mut e = Event::on("token.create", "api_token", id);
        e.after = Some(serde_json::json!({
            "user": account.username, "name": t.name.trim(), "scopes": t.scopes, "expires_days": days,
        }));
        self.audit(actor, e).await?;
        let listed = self
            .store
            .list_tokens(Some(account.id))
            .await?
            .into_iter()
            .find(|x| x.id == id)
            .ok_or_else(|| ServiceError::Internal("token vanished".into()))?;
        Ok((id, token, listed))
    }

    /// Tokens: one's own, or everyone's with `user:read`.
    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, ServiceError> {
        if self.may(actor, "user:read") {
            return Ok(self.store.list_tokens(None).await?);
        }
        self.require(actor, "token:write")?;
        let id = actor.account.as_ref().map(|a| a.id);
        Ok(self.store.list_tokens(id).await?)
    }

    /// Revokes a token: one's own, or anyone's with `user:write`.
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<(), ServiceError> {
        self.require(actor, "token:write")?;
        let owner = self.store.token_owner(id).await?;
        let own = owner.is_some() && owner == actor.account.as_ref().map(|a| a.id);
        if !own && !self.may(actor, "user:write") {
            // Someone else's token looks like no token at all.
            return Err(ServiceError::NotFound {
                what: "token",
                name: id.to_string(),
            });
        }
        self.store.revoke_token(id, self.now()).await?;
        self.audit(actor, Event::on("token.revoke", "api_token", id))
            .await?;
        Ok(())
    }
}
