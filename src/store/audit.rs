//! The audit trail: append (hash-chained, serialised) and read back in order.

use super::{Db, Store, StoreError, on};
use crate::team::audit::{Content, GENESIS, Stored, Verifier, entry_hash};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::Row;

/// One audit entry as listed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// Sequence number.
    pub seq: i64,
    /// Hash of this entry.
    pub hash: String,
    /// What was recorded.
    #[serde(flatten)]
    pub content: Content,
}

/// Filters of the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries at or after this RFC 3339 time.
    pub since: Option<String>,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only actions starting with this prefix (e.g. `login`).
    pub action: Option<String>,
    /// Only entries before this sequence number (paging backwards).
    pub before_seq: Option<i64>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// Result of a verification walk.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AuditCheck {
    /// Entries read.
    pub entries: u64,
    /// Head hash, when the chain is intact.
    pub head: Option<String>,
    /// The first break, in words, when it is not.
    pub broken: Option<String>,
}

fn json_text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

fn json_value(s: Option<String>) -> Result<Option<serde_json::Value>, StoreError> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

macro_rules! entry_from_row {
    ($r:expr) => {{
        let r = $r;
        Stored {
            seq: r.try_get("seq")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
            content: Content {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                client: r.try_get("client")?,
                action: r.try_get("action")?,
                object_kind: r.try_get("object_kind")?,
                object_id: r.try_get("object_id")?,
                agency: r.try_get("agency")?,
                before: json_value(r.try_get("before")?)?,
                after: json_value(r.try_get("after")?)?,
            },
        }
    }};
}

const COLUMNS: &str = "seq, at, actor, client, action, object_kind, object_id, agency, before, after, prev_hash, hash";

impl Store {
    /// Appends an entry to the chain. Appends are serialised (SQLite's write lock, a
    /// PostgreSQL advisory lock) so each entry links to the one before it.
    pub async fn audit_append(&self, c: &Content) -> Result<String, StoreError> {
        macro_rules! append {
            ($tx:ident) => {{
                let prev: String = sqlx::query("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *$tx).await?
                    .map(|r| r.try_get("hash")).transpose()?
                    .unwrap_or_else(|| GENESIS.to_string());
                let hash = entry_hash(&prev, c);
                sqlx::query("INSERT INTO audit (at, actor, client, action, object_kind, object_id, agency, before, after, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)")
                    .bind(&c.at).bind(&c.actor).bind(&c.client).bind(&c.action)
                    .bind(&c.object_kind).bind(&c.object_id).bind(&c.agency)
                    .bind(json_text(&c.before)).bind(json_text(&c.after))
                    .bind(&prev).bind(&hash)
                    .execute(&mut *$tx).await?;
                hash
            }};
        }
        let hash = match &self.db {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let h = append!(tx);
                tx.commit().await?;
                h
            }
            Db::Pg(pool) => {
                let mut tx = pool.begin().await?;
                // One chain: appends from every process take the same transaction lock.
                sqlx::query("SELECT pg_advisory_xact_lock(7210431)")
                    .execute(&mut *tx)
                    .await?;
                let h = append!(tx);
                tx.commit().await?;
                h
            }
        };
        Ok(hash)
    }

    /// Entries, newest first, filtered.
    pub async fn audit_list(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit WHERE ($1 IS NULL OR at >= $1) AND ($2 IS NULL OR actor = $2) \
             AND ($3 IS NULL OR action LIKE $3) AND ($4 IS NULL OR seq < $4) ORDER BY seq DESC LIMIT $5"
        );
        let prefix = f
            .action
            .as_ref()
            .map(|a| format!("{}%", a.replace(['%', '_'], "")));
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&f.since).bind(&f.actor).bind(&prefix).bind(f.before_seq).bind(f.limit.clamp(1, 1000))
                .fetch_all(pool).await?;
            rows.iter().map(|r| {
                let s = entry_from_row!(r);
                Ok(AuditEntry { seq: s.seq, hash: s.hash, content: s.content })
            }).collect()
        })
    }

    /// The last entry's sequence number and hash (the genesis hash for an empty trail).
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        Ok(on!(self, pool => {
            match sqlx::query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetch_optional(pool).await? {
                Some(r) => (r.try_get("seq")?, r.try_get("hash")?),
                None => (0, GENESIS.to_string()),
            }
        }))
    }

    /// Walks the whole chain in stored order, streaming, and names the first break.
    pub async fn audit_verify(&self) -> Result<AuditCheck, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM audit ORDER BY seq");
        let mut v = Verifier::default();
        on!(self, pool => {
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(pool);
            while let Some(r) = rows.try_next().await? {
                v.push(&entry_from_row!(&r));
                if v.done() {
                    break;
                }
            }
        });
        let entries = v.count();
        Ok(match v.finish() {
            Ok(head) => AuditCheck {
                entries,
                head: Some(head),
                broken: None,
            },
            Err(b) => AuditCheck {
                entries,
                head: None,
                broken: Some(b.describe()),
            },
        })
    }
}
