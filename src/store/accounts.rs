//! Accounts, their roles, server-side web sessions and API tokens.

use super::{Store, StoreError, in_write_tx, on};
use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

/// A user account.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Perangkat Daerah the account belongs to (scopes agency-limited roles).
    pub agency: Option<String>,
    /// Roles held.
    pub roles: Vec<String>,
    /// Whether a password is set.
    pub has_password: bool,
    /// Disabled accounts cannot log in or use tokens.
    pub disabled: bool,
    /// Created at.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
}

/// Fields of a new account.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    /// Login name.
    pub username: String,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Agency.
    pub agency: Option<String>,
    /// Roles.
    pub roles: Vec<String>,
}

/// Changes to an account; `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    /// Full name.
    pub name: Option<String>,
    /// E-mail; `Some(None)` removes it.
    pub email: Option<Option<String>>,
    /// Agency; `Some(None)` removes it.
    pub agency: Option<Option<String>>,
    /// Roles, replacing the current ones.
    pub roles: Option<Vec<String>>,
    /// Disabled flag.
    pub disabled: Option<bool>,
}

/// A stored web session.
#[derive(Debug, Clone)]
pub struct WebSession {
    /// Account id.
    pub account_id: i64,
    /// CSRF token bound to the session.
    pub csrf_token: String,
    /// Created at.
    pub created_at: OffsetDateTime,
    /// Last used at.
    pub last_seen_at: OffsetDateTime,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// Owner account.
    pub username: String,
    /// Name given at creation.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Created at.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    /// Expires at.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub expires_at: Option<OffsetDateTime>,
    /// Revoked at.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub revoked_at: Option<OffsetDateTime>,
    /// Last used at.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// A token row: id, account, scopes (JSON), expiry, revocation, last use.
type TokenRow = (
    i64,
    i64,
    String,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
);

const SELECT_ACCOUNT: &str =
    "SELECT id, username, name, email, agency, password_hash, disabled, created_at FROM account";

macro_rules! account_from_row {
    ($r:expr) => {{
        let r = $r;
        Account {
            id: r.try_get("id")?,
            username: r.try_get("username")?,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            agency: r.try_get("agency")?,
            roles: Vec::new(),
            has_password: r.try_get::<Option<String>, _>("password_hash")?.is_some(),
            disabled: r.try_get("disabled")?,
            created_at: r.try_get("created_at")?,
        }
    }};
}

fn unique(what: &str, e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("{what} sudah ada / already exists"))
        }
        _ => StoreError::Db(e),
    }
}

impl Store {
    /// Creates an account with a one-time set-password link hash valid until `setup_expires`.
    pub async fn add_account(
        &self,
        a: &NewAccount,
        setup_hash: &str,
        setup_expires: OffsetDateTime,
    ) -> Result<Account, StoreError> {
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
            let id: i64 = sqlx::query("INSERT INTO account (username, name, email, agency, setup_hash, setup_expires_at, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id")
                .bind(&a.username).bind(&a.name).bind(&a.email).bind(&a.agency)
                .bind(setup_hash).bind(setup_expires).bind(now)
                .fetch_one(&mut *tx).await.map_err(|e| unique(&format!("akun/account '{}'", a.username), e))?
                .try_get("id")?;
            for r in &a.roles {
                sqlx::query("INSERT INTO account_role (account_id, role) VALUES ($1, $2)")
                    .bind(id).bind(r).execute(&mut *tx).await?;
            }
        });
        self.account(&a.username).await
    }

    /// An account by user name, or `None`.
    pub async fn find_account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        self.account_by(Some(username), None).await
    }

    /// The one account with this e-mail address (case-insensitive), or `None` when no
    /// account, or more than one, has it.
    pub async fn find_account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let sql = format!("{SELECT_ACCOUNT} WHERE lower(email) = lower($1) LIMIT 2");
        let found = on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(email).fetch_all(pool).await?;
            match rows.as_slice() {
                [r] => Some(account_from_row!(r)),
                _ => None,
            }
        });
        match found {
            Some(mut a) => {
                a.roles = self.account_roles(a.id).await?;
                Ok(Some(a))
            }
            None => Ok(None),
        }
    }

    /// One account by user name or by id, with its roles.
    async fn account_by(
        &self,
        username: Option<&str>,
        id: Option<i64>,
    ) -> Result<Option<Account>, StoreError> {
        let sql = format!("{SELECT_ACCOUNT} WHERE username = $1 OR id = $2");
        let acc = on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(username).bind(id).fetch_optional(pool).await? {
                Some(r) => Some(account_from_row!(&r)),
                None => None,
            }
        });
        match acc {
            Some(mut a) => {
                a.roles = self.account_roles(a.id).await?;
                Ok(Some(a))
            }
            None => Ok(None),
        }
    }

    /// An account that must exist.
    pub async fn account(&self, username: &str) -> Result<Account, StoreError> {
        self.find_account(username)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "akun/account",
                name: username.to_string(),
            })
    }

    /// An account by id.
    pub async fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        self.account_by(None, Some(id)).await
    }

    async fn account_roles(&self, id: i64) -> Result<Vec<String>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT role FROM account_role WHERE account_id = $1 ORDER BY role")
                .bind(id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(r.try_get("role")?)).collect()
        })
    }

    /// Every account, by user name.
    pub async fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let sql = format!("{SELECT_ACCOUNT} ORDER BY username");
        let mut list: Vec<Account> = on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(account_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()?
        });
        let roles: Vec<(i64, String)> = on!(self, pool => {
            let rows = sqlx::query("SELECT account_id, role FROM account_role ORDER BY role").fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("account_id")?, r.try_get("role")?))).collect::<Result<Vec<_>, StoreError>>()?
        });
        for a in &mut list {
            a.roles = roles
                .iter()
                .filter(|(id, _)| *id == a.id)
                .map(|(_, r)| r.clone())
                .collect();
        }
        Ok(list)
    }

    /// Number of accounts (the first administrator is made when there are none).
    pub async fn count_accounts(&self) -> Result<i64, StoreError> {
        Ok(
            on!(self, pool => sqlx::query("SELECT COUNT(*) AS n FROM account").fetch_one(pool).await?.try_get("n")?),
        )
    }

    /// Applies a patch; disabling an account ends its sessions.
    pub async fn edit_account(
        &self,
        username: &str,
        p: &AccountPatch,
    ) -> Result<Account, StoreError> {
        let a = self.account(username).await?;
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
            if let Some(n) = &p.name {
                sqlx::query("UPDATE account SET name = $1 WHERE id = $2").bind(n).bind(a.id).execute(&mut *tx).await?;
            }
            if let Some(e) = &p.email {
                sqlx::query("UPDATE account SET email = $1 WHERE id = $2").bind(e).bind(a.id).execute(&mut *tx).await?;
            }
            if let Some(g) = &p.agency {
                sqlx::query("UPDATE account SET agency = $1 WHERE id = $2").bind(g).bind(a.id).execute(&mut *tx).await?;
            }
            if let Some(d) = p.disabled {
                sqlx::query("UPDATE account SET disabled = $1 WHERE id = $2").bind(d).bind(a.id).execute(&mut *tx).await?;
                if d {
                    sqlx::query("DELETE FROM web_session WHERE account_id = $1").bind(a.id).execute(&mut *tx).await?;
                }
            }
            if let Some(roles) = &p.roles {
                sqlx::query("DELETE FROM account_role WHERE account_id = $1").bind(a.id).execute(&mut *tx).await?;
                for r in roles {
                    sqlx::query("INSERT INTO account_role (account_id, role) VALUES ($1, $2)")
                        .bind(a.id).bind(r).execute(&mut *tx).await?;
                }
                // A change of roles ends the account's sessions: they carried the old rights.
                sqlx::query("DELETE FROM web_session WHERE account_id = $1").bind(a.id).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE account SET updated_at = $1 WHERE id = $2").bind(now).bind(a.id).execute(&mut *tx).await?;
        });
        self.account(username).await
    }

    /// Clears the password and sets a new one-time set-password link; ends all sessions.
    pub async fn reset_password(
        &self,
        username: &str,
        setup_hash: &str,
        setup_expires: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let a = self.account(username).await?;
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE account SET password_hash = NULL, setup_hash = $1, setup_expires_at = $2 WHERE id = $3")
                .bind(setup_hash).bind(setup_expires).bind(a.id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM web_session WHERE account_id = $1").bind(a.id).execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Uses a set-password link: sets the password hash and burns the link. Returns the
    /// account, or `None` when the link is unknown, used or expired.
    pub async fn use_setup_link(
        &self,
        setup_hash: &str,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        let name: Option<String> = in_write_tx!(self, tx => {
            let row = sqlx::query("SELECT username, setup_expires_at FROM account WHERE setup_hash = $1")
                .bind(setup_hash).fetch_optional(&mut *tx).await?;
            match row {
                Some(r) => {
                    let exp: Option<OffsetDateTime> = r.try_get("setup_expires_at")?;
                    let name: String = r.try_get("username")?;
                    // Burn the link whether or not it is still valid.
                    sqlx::query("UPDATE account SET setup_hash = NULL, setup_expires_at = NULL WHERE setup_hash = $1")
                        .bind(setup_hash).execute(&mut *tx).await?;
                    if exp.is_some_and(|e| e > now) {
                        sqlx::query("UPDATE account SET password_hash = $1, updated_at = $2 WHERE username = $3")
                            .bind(password_hash).bind(now).bind(&name).execute(&mut *tx).await?;
                        Some(name)
                    } else {
                        None
                    }
                }
                None => None,
            }
        });
        Ok(name)
    }

    /// The stored password hash of an enabled account, with the account.
    pub async fn login_record(
        &self,
        username: &str,
    ) -> Result<Option<(Account, String)>, StoreError> {
        let hash: Option<Option<String>> = on!(self, pool => {
            sqlx::query("SELECT password_hash FROM account WHERE username = $1 AND disabled = $2")
                .bind(username).bind(false).fetch_optional(pool).await?
                .map(|r| r.try_get("password_hash")).transpose()?
        });
        match hash.flatten() {
            Some(h) => Ok(self.find_account(username).await?.map(|a| (a, h))),
            None => Ok(None),
        }
    }

    /// Stores a new web session (by the hash of its id).
    pub async fn create_session(
        &self,
        id_hash: &str,
        account_id: i64,
        csrf: &str,
        client: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on!(self, pool => {
            sqlx::query("INSERT INTO web_session (id_hash, account_id, csrf_token, client, created_at, last_seen_at) VALUES ($1,$2,$3,$4,$5,$5)")
                .bind(id_hash).bind(account_id).bind(csrf).bind(client).bind(now).execute(pool).await?;
        });
        Ok(())
    }

    /// A session by the hash of its id.
    pub async fn session(&self, id_hash: &str) -> Result<Option<WebSession>, StoreError> {
        Ok(on!(self, pool => {
            match sqlx::query("SELECT account_id, csrf_token, created_at, last_seen_at FROM web_session WHERE id_hash = $1")
                .bind(id_hash).fetch_optional(pool).await? {
                Some(r) => Some(WebSession {
                    account_id: r.try_get("account_id")?,
                    csrf_token: r.try_get("csrf_token")?,
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                }),
                None => None,
            }
        }))
    }

    /// Marks a session used now.
    pub async fn touch_session(
        &self,
        id_hash: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on!(self, pool => {
            sqlx::query("UPDATE web_session SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(now).bind(id_hash).execute(pool).await?;
        });
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let n = on!(self, pool => {
            sqlx::query("DELETE FROM web_session WHERE id_hash = $1").bind(id_hash).execute(pool).await?.rows_affected()
        });
        Ok(n > 0)
    }

    /// Stores an API token (its hash).
    pub async fn add_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
        scopes: &[String],
        expires_at: Option<OffsetDateTime>,
    ) -> Result<i64, StoreError> {
        let scopes =
            serde_json::to_string(scopes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = OffsetDateTime::now_utc();
        Ok(on!(self, pool => {
            sqlx::query("INSERT INTO api_token (account_id, name, token_hash, scopes, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
                .bind(account_id).bind(name).bind(token_hash).bind(&scopes).bind(now).bind(expires_at)
                .fetch_one(pool).await?.try_get("id")?
        }))
    }

    /// The account and scopes of a token that is neither revoked nor expired; records its use.
    pub async fn token_use(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(i64, i64, Vec<String>)>, StoreError> {
        let row: Option<TokenRow> = on!(self, pool => {
            match sqlx::query("SELECT id, account_id, scopes, expires_at, revoked_at, last_used_at FROM api_token WHERE token_hash = $1")
                .bind(token_hash).fetch_optional(pool).await? {
                Some(r) => Some((r.try_get("id")?, r.try_get("account_id")?, r.try_get("scopes")?, r.try_get("expires_at")?, r.try_get("revoked_at")?, r.try_get("last_used_at")?)),
                None => None,
            }
        });
        let Some((id, account, scopes, expires, revoked, last_used)) = row else {
            return Ok(None);
        };
        if revoked.is_some() || expires.is_some_and(|e| e <= now) {
            return Ok(None);
        }
        // Recording every use would make each API call a write; a minute's precision is enough.
        if last_used.is_none_or(|t| now - t > time::Duration::minutes(1)) {
            on!(self, pool => {
                sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE id = $2").bind(now).bind(id).execute(pool).await?;
            });
        }
        let scopes =
            serde_json::from_str(&scopes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some((id, account, scopes)))
    }

    /// Tokens, of one account or of all.
    pub async fn list_tokens(&self, account_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT t.id, a.username, t.name, t.scopes, t.created_at, t.expires_at, t.revoked_at, t.last_used_at FROM api_token t JOIN account a ON a.id = t.account_id WHERE ($1 IS NULL OR t.account_id = $1) ORDER BY t.id")
                .bind(account_id).fetch_all(pool).await?;
            rows.iter().map(|r| {
                let scopes: String = r.try_get("scopes")?;
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    name: r.try_get("name")?,
                    scopes: serde_json::from_str(&scopes).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                })
            }).collect()
        })
    }

    /// Revokes a token; returns its owner account id.
    pub async fn revoke_token(&self, id: i64, now: OffsetDateTime) -> Result<i64, StoreError> {
        let owner: Option<i64> = on!(self, pool => {
            sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING account_id")
                .bind(now).bind(id).fetch_optional(pool).await?.map(|r| r.try_get("account_id")).transpose()?
        });
        owner.ok_or_else(|| StoreError::NotFound {
            what: "token aktif/active token",
            name: id.to_string(),
        })
    }

    /// The owner account id of a token.
    pub async fn token_owner(&self, id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on!(self, pool => {
            sqlx::query("SELECT account_id FROM api_token WHERE id = $1").bind(id)
                .fetch_optional(pool).await?.map(|r| r.try_get("account_id")).transpose()?
        }))
    }
}
