//! Authentication profiles per application, stored sealed (see `auth::seal`).

use super::{Store, StoreError, in_write_tx, on};
use crate::auth::Role;
use crate::auth::seal::{Sealer, aad};
use sqlx::Row;
use time::OffsetDateTime;

/// The associated data of a stored recipe row.
type SealedRow = (i64, String, Vec<u8>);

impl Store {
    /// The fingerprint of the sealing key recorded for this database, if any.
    pub async fn key_fingerprint(&self) -> Result<Option<String>, StoreError> {
        on!(self, pool => {
            let r = sqlx::query("SELECT fingerprint FROM secret_key WHERE id = 1").fetch_optional(pool).await?;
            match r { Some(r) => Ok(Some(r.try_get("fingerprint")?)), None => Ok(None) }
        })
    }

    /// Makes sure `sealer` holds the database's key: records its fingerprint at first use (after
    /// proving it opens any recipe sealed before fingerprints were recorded), and refuses a
    /// different key with an error that says how to share the key.
    pub async fn ensure_key(&self, sealer: &Sealer) -> Result<(), StoreError> {
        if self.key_fingerprint().await?.is_none() {
            if let Some((app, role, sealed)) = self.sealed_rows(1).await?.into_iter().next()
                && sealer.open(&sealed, &aad(app, &role)).is_err()
            {
                return Err(mismatch(
                    "(tidak tercatat; profil yang ada tidak terbuka / not recorded; the stored profiles do not open)",
                    sealer,
                ));
            }
            let now = OffsetDateTime::now_utc();
            in_write_tx!(self, tx => {
                sqlx::query("INSERT INTO secret_key (id, fingerprint, recorded_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
                    .bind(sealer.fingerprint()).bind(now).execute(&mut *tx).await?;
            });
        }
        // Read again: another machine may have recorded its key first.
        match self.key_fingerprint().await? {
            Some(f) if f == sealer.fingerprint() => Ok(()),
            Some(f) => Err(mismatch(&f, sealer)),
            None => Err(StoreError::Corrupt(
                "secret_key row missing after insert".into(),
            )),
        }
    }

    /// Re-seals every recipe from `old` to `new` and records `new`'s fingerprint, all in one
    /// transaction (a recipe that does not open rolls everything back). Returns the count.
    pub async fn rotate_key(&self, old: &Sealer, new: &Sealer) -> Result<usize, StoreError> {
        self.ensure_key(old).await?;
        let now = OffsetDateTime::now_utc();
        Ok(in_write_tx!(self, tx => {
            let rows = sqlx::query("SELECT application_id, role, recipe_sealed FROM auth_profile ORDER BY application_id, role")
                .fetch_all(&mut *tx).await?;
            let mut n = 0;
            for r in &rows {
                let (app, role): (i64, String) = (r.try_get("application_id")?, r.try_get("role")?);
                let sealed: Vec<u8> = r.try_get("recipe_sealed")?;
                let plain = old.open(&sealed, &aad(app, &role))
                    .map_err(|e| StoreError::Corrupt(format!("peran/role '{role}' (#{app}): {e}")))?;
                let resealed = new.seal(&plain, &aad(app, &role))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query("UPDATE auth_profile SET recipe_sealed = $1 WHERE application_id = $2 AND role = $3")
                    .bind(&resealed).bind(app).bind(&role).execute(&mut *tx).await?;
                n += 1;
            }
            sqlx::query("UPDATE secret_key SET fingerprint = $1, recorded_at = $2 WHERE id = 1")
                .bind(new.fingerprint()).bind(now).execute(&mut *tx).await?;
            n
        }))
    }

    async fn sealed_rows(&self, limit: i64) -> Result<Vec<SealedRow>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT application_id, role, recipe_sealed FROM auth_profile ORDER BY application_id, role LIMIT $1")
                .bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("application_id")?, r.try_get("role")?, r.try_get("recipe_sealed")?))).collect()
        })
    }

    /// Stores (or replaces) a role of an application, encrypted.
    pub async fn put_role(
        &self,
        application_id: i64,
        role: &Role,
        sealer: &Sealer,
    ) -> Result<(), StoreError> {
        self.ensure_key(sealer).await?;
        let plain = serde_json::to_vec(role).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sealed = sealer
            .seal(&plain, &aad(application_id, &role.name))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
            sqlx::query("DELETE FROM auth_profile WHERE application_id = $1 AND role = $2")
                .bind(application_id).bind(&role.name).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO auth_profile (application_id, role, recipe_sealed, created_at) VALUES ($1,$2,$3,$4)")
                .bind(application_id).bind(&role.name).bind(&sealed).bind(now)
                .execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Every role of an application, decrypted, most privileged first.
    pub async fn roles(
        &self,
        application_id: i64,
        sealer: &Sealer,
    ) -> Result<Vec<Role>, StoreError> {
        self.ensure_key(sealer).await?;
        let rows: Vec<(String, Vec<u8>)> = on!(self, pool => {
            let rows = sqlx::query("SELECT role, recipe_sealed FROM auth_profile WHERE application_id = $1 ORDER BY role")
                .bind(application_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("role")?, r.try_get("recipe_sealed")?))).collect::<Result<Vec<_>, StoreError>>()?
        });
        let mut roles = rows
            .into_iter()
            .map(|(name, sealed)| {
                let plain = sealer
                    .open(&sealed, &aad(application_id, &name))
                    .map_err(|e| StoreError::Corrupt(format!("peran/role '{name}': {e}")))?;
                serde_json::from_slice::<Role>(&plain)
                    .map_err(|e| StoreError::Corrupt(format!("peran/role '{name}': {e}")))
            })
            .collect::<Result<Vec<Role>, StoreError>>()?;
        roles.sort_by(|a, b| b.privilege.cmp(&a.privilege).then(a.name.cmp(&b.name)));
        Ok(roles)
    }

    /// Removes a role.
    pub async fn remove_role(&self, application_id: i64, role: &str) -> Result<(), StoreError> {
        let n = in_write_tx!(self, tx => {
            sqlx::query("DELETE FROM auth_profile WHERE application_id = $1 AND role = $2")
                .bind(application_id).bind(role).execute(&mut *tx).await?.rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "peran/role",
                name: role.to_string(),
            });
        }
        Ok(())
    }

    /// The raw sealed bytes of a role (to prove secrets are not stored in clear).
    pub async fn sealed_role(
        &self,
        application_id: i64,
        role: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        on!(self, pool => {
            let r = sqlx::query("SELECT recipe_sealed FROM auth_profile WHERE application_id = $1 AND role = $2")
                .bind(application_id).bind(role).fetch_optional(pool).await?;
            match r { Some(r) => Ok(Some(r.try_get("recipe_sealed")?)), None => Ok(None) }
        })
    }
}

fn mismatch(recorded: &str, sealer: &Sealer) -> StoreError {
    StoreError::KeyMismatch {
        recorded: recorded.to_string(),
        ours: sealer.fingerprint().to_string(),
        origin: sealer.source().to_string(),
        key_file: sealer.source().file().map_or_else(
            || {
                crate::config::data_dir()
                    .join("secret.key")
                    .display()
                    .to_string()
            },
            |p| p.display().to_string(),
        ),
    }
}
