//! Authentication profiles per application, stored sealed (see `auth::seal`).

use super::{Store, StoreError, in_write_tx, on};
use crate::auth::Role;
use crate::auth::seal::{Sealer, aad};
use sqlx::Row;
use time::OffsetDateTime;

impl Store {
    /// Stores (or replaces) a role of an application, encrypted.
    pub async fn put_role(
        &self,
        application_id: i64,
        role: &Role,
        sealer: &Sealer,
    ) -> Result<(), StoreError> {
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
