//! Access grants (with the single-use credential hand-over), the server-room visitor log and
//! the purge of personal data past its retention.

use super::workflows::{GrantRow, VisitRow};
use super::{Store, StoreError, in_write_tx, on};
use sqlx::Row;
use time::OffsetDateTime;

/// The counts of a visit recap.
#[derive(Debug, Clone, Default)]
pub struct VisitStats {
    /// Visits per institution, most first.
    pub institutions: Vec<(String, i64)>,
    /// Visits per purpose, most first.
    pub purposes: Vec<(String, i64)>,
    /// Each visit's check-in and check-out.
    pub spans: Vec<(OffsetDateTime, Option<OffsetDateTime>)>,
    /// Checkouts with a device mismatch.
    pub mismatches: i64,
    /// Checkouts where the ID stayed with the office.
    pub ids_kept: i64,
}

macro_rules! grant_from_row {
    ($r:expr) => {{
        let r = $r;
        GrantRow {
            id: r.try_get("id")?,
            workflow_id: r.try_get("workflow_id")?,
            username: r.try_get("username")?,
            system: r.try_get("system")?,
            level: r.try_get("level")?,
            account: r.try_get("account")?,
            valid_until: r.try_get("valid_until")?,
            status: r.try_get("status")?,
            viewed: r
                .try_get::<Option<OffsetDateTime>, _>("viewed_at")?
                .is_some(),
        }
    }};
}

const GRANT_COLS: &str =
    "id, workflow_id, username, system, level, account, valid_until, status, viewed_at";

fn list_of(text: Option<String>) -> Result<Option<Vec<String>>, StoreError> {
    text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

macro_rules! visit_from_row {
    ($r:expr) => {{
        let r = $r;
        VisitRow {
            workflow_id: r.try_get("workflow_id")?,
            visitor: r.try_get("visitor")?,
            institution: r.try_get("institution")?,
            purpose: r.try_get("purpose")?,
            badge: r.try_get("badge")?,
            devices_in: list_of(Some(r.try_get("devices_in")?))?.unwrap_or_default(),
            devices_out: list_of(r.try_get("devices_out")?)?,
            mismatch: r.try_get("mismatch")?,
            id_returned: r.try_get("id_returned")?,
            checkin_at: r.try_get("checkin_at")?,
            checkout_at: r.try_get("checkout_at")?,
        }
    }};
}

const VISIT_COLS: &str = "workflow_id, visitor, institution, purpose, badge, devices_in, devices_out, mismatch, id_returned, checkin_at, checkout_at";

impl Store {
    /// The access grant of an access-request workflow.
    pub async fn grant_of(&self, workflow_id: i64) -> Result<Option<GrantRow>, StoreError> {
        let sql = format!("SELECT {GRANT_COLS} FROM access_grant WHERE workflow_id = $1");
        on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(workflow_id).fetch_optional(pool).await? {
                Some(r) => Ok(Some(grant_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Grants in force (`approved`, `active`, `suspended`) ending on or before `until`
    /// (`YYYY-MM-DD`; all when `None`), soonest first: the recertification list.
    pub async fn grants(
        &self,
        until: Option<&str>,
        username: Option<&str>,
        limit: i64,
    ) -> Result<Vec<GrantRow>, StoreError> {
        let sql = format!(
            "SELECT {GRANT_COLS} FROM access_grant WHERE status IN ('approved','active','suspended') AND ($1 IS NULL OR valid_until <= $1) AND ($2 IS NULL OR username = $2) ORDER BY valid_until, id LIMIT $3"
        );
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(until).bind(username).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(grant_from_row!(r))).collect()
        })
    }

    /// Takes the sealed initial secret out of a grant exactly once: by the link's hash (when
    /// given and not expired) or by the workflow. Afterwards only the secret's hash remains.
    pub async fn claim_secret(
        &self,
        link_hash: Option<&str>,
        workflow_id: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<Option<(GrantRow, Vec<u8>)>, StoreError> {
        let sql = format!(
            "SELECT {GRANT_COLS}, secret_sealed, link_expires_at FROM access_grant WHERE ($1 IS NULL OR link_hash = $1) AND ($2 IS NULL OR workflow_id = $2) AND secret_sealed IS NOT NULL AND viewed_at IS NULL"
        );
        Ok(in_write_tx!(self, tx => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(link_hash).bind(workflow_id).fetch_optional(&mut *tx).await?;
            match row {
                None => None,
                Some(r) => {
                    let expires: Option<OffsetDateTime> = r.try_get("link_expires_at")?;
                    if link_hash.is_some() && expires.is_none_or(|e| e <= now) {
                        None
                    } else {
                        let grant = grant_from_row!(&r);
                        let sealed: Vec<u8> = r.try_get("secret_sealed")?;
                        let n = sqlx::query("UPDATE access_grant SET secret_sealed = NULL, link_hash = NULL, viewed_at = $1, updated_at = $1 WHERE id = $2 AND viewed_at IS NULL")
                            .bind(now).bind(grant.id).execute(&mut *tx).await?.rows_affected();
                        (n == 1).then_some((grant, sealed))
                    }
                }
            }
        }))
    }

    /// The visit of a visit workflow.
    pub async fn visit(&self, workflow_id: i64) -> Result<Option<VisitRow>, StoreError> {
        let sql = format!("SELECT {VISIT_COLS} FROM visit WHERE workflow_id = $1");
        on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(workflow_id).fetch_optional(pool).await? {
                Some(r) => Ok(Some(visit_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// What the monthly recap counts, for visits that checked in within `[from, to)`:
    /// visits per institution and per purpose, each visit's (in, out), and problem counts.
    pub async fn visit_stats(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<VisitStats, StoreError> {
        const RANGE: &str = "FROM visit WHERE checkin_at >= $1 AND checkin_at < $2";
        on!(self, pool => {
            let count = |col: &'static str| format!("SELECT {col} AS k, COUNT(*) AS n {RANGE} GROUP BY {col} ORDER BY n DESC, k");
            let mut groups = Vec::new();
            for col in ["institution", "purpose"] {
                let rows = sqlx::query(sqlx::AssertSqlSafe(count(col))).bind(from).bind(to).fetch_all(pool).await?;
                groups.push(rows.iter().map(|r| Ok((r.try_get::<String, _>("k")?, r.try_get::<i64, _>("n")?))).collect::<Result<Vec<_>, StoreError>>()?);
            }
            let spans = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT checkin_at, checkout_at {RANGE}"))).bind(from).bind(to).fetch_all(pool).await?
                .iter().map(|r| Ok((r.try_get("checkin_at")?, r.try_get("checkout_at")?))).collect::<Result<Vec<_>, StoreError>>()?;
            let problems = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(mismatch) AS mismatches, COUNT(CASE WHEN id_returned = false THEN 1 END) AS kept {RANGE}"
            ))).bind(from).bind(to).fetch_one(pool).await?;
            let purposes = groups.pop().unwrap_or_default();
            let institutions = groups.pop().unwrap_or_default();
            Ok(VisitStats {
                institutions,
                purposes,
                spans,
                mismatches: problems.try_get("mismatches")?,
                ids_kept: problems.try_get("kept")?,
            })
        })
    }

    /// Writes an entry in the incident book of a visit.
    pub async fn add_incident(
        &self,
        workflow_id: i64,
        note: &str,
        by: &str,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        on!(self, pool => {
            let r = sqlx::query("INSERT INTO visit_incident (workflow_id, note, reported_by, reported_at) VALUES ($1,$2,$3,$4) RETURNING id")
                .bind(workflow_id).bind(note).bind(by).bind(now).fetch_one(pool).await?;
            Ok(r.try_get("id")?)
        })
    }

    /// Incidents reported within `[from, to)`: (workflow, note, by, at).
    pub async fn incidents_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<(i64, String, String, OffsetDateTime)>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT workflow_id, note, reported_by, reported_at FROM visit_incident WHERE reported_at >= $1 AND reported_at < $2 ORDER BY reported_at")
                .bind(from).bind(to).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("workflow_id")?, r.try_get("note")?, r.try_get("reported_by")?, r.try_get("reported_at")?))).collect()
        })
    }

    /// Closed workflows whose personal data is older than `before` and not yet purged.
    pub async fn purgeable(
        &self,
        before: OffsetDateTime,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT id, fields FROM workflow WHERE status <> 'open' AND closed_at < $1 AND pii_purged_at IS NULL AND pii IS NOT NULL ORDER BY id")
                .bind(before).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("fields")?))).collect()
        })
    }

    /// Drops a workflow's sealed personal data and replaces its masked fields.
    pub async fn purge_pii(
        &self,
        id: i64,
        fields: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on!(self, pool => {
            sqlx::query("UPDATE workflow SET pii = NULL, fields = $1, pii_purged_at = $2 WHERE id = $3")
                .bind(fields).bind(now).bind(id).execute(pool).await?;
        });
        Ok(())
    }
}
