//! Persistence with sqlx: SQLite by default, PostgreSQL for teams and worker fleets.
//!
//! Each back end has its own typed pool; the SQL is shared (`$n` placeholders work on both),
//! and the [`on!`] macro expands one body per back end so rows decode with their own types.

mod accounts;
mod apps;
mod audit;
mod auth;
mod dashboard;
mod delivery;
mod evaluations;
mod health;
mod jobs;
mod scoped;
mod sop;
mod visits;
pub use visits::VisitStats;
mod workflows;

pub use crate::model::fingerprint;
pub use accounts::{Account, AccountPatch, ApiToken, NewAccount, WebSession};
pub use apps::{App, AppKey, AppPatch, NewApp, validate_app_name};
pub use audit::{AuditCheck, AuditEntry, AuditFilter};
pub use dashboard::DashboardCounts;
pub use delivery::{
    Delivery, DueMessage, NewDelivery, NewMessage, OutboxRow, RecentEvaluation, SopSnapshot,
};
pub use evaluations::{EvaluationRow, FindingRow};
pub use health::SchedulerStatus;
pub use jobs::{ClaimLimits, Job, JobStatus, TickStats};
pub use scoped::{AgencyScope, AppFilter, FindingFilter, Page, Paging, ScopedFinding};
pub use sop::{
    DecisionRecord, FindingState, FindingStatus, HistoryPoint, MAX_ATTACHMENT, ManualResult, Trend,
};
pub use workflows::{
    DueRow, Effect, GrantRow, LetterRow, NewLetter, NewVisit, NewWorkflow, Pending, Standing,
    VisitRow, WorkflowFilter, WorkflowRow,
};

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one Kawal understands.
    #[error(
        "URL basis data tidak sah / invalid database URL '{url}': {reason}. Gunakan / use sqlite://PATH atau/or postgres://USER@HOST:PORT/DB"
    )]
    BadUrl {
        /// The URL, password hidden.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The database could not be opened or reached.
    #[error("tidak dapat membuka basis data / cannot open database {url}: {detail}")]
    Connect {
        /// The URL, password hidden.
        url: String,
        /// Cause and hint.
        detail: String,
    },
    /// Schema migration failed.
    #[error("migrasi skema gagal / schema migration failed: {0}")]
    Migrate(String),
    /// Something named does not exist.
    #[error("{what} '{name}' tidak ditemukan / not found")]
    NotFound {
        /// Kind of thing.
        what: &'static str,
        /// Name or id given.
        name: String,
    },
    /// A value given to the store breaks a rule (e.g. a purely numeric application name).
    #[error("{0}")]
    Invalid(String),
    /// This machine's sealing key is not the one the database's recipes were sealed with.
    #[error(
        "kunci rahasia mesin ini ({ours}, dari {origin}) berbeda dengan kunci yang tercatat di basis data ({recorded}), sehingga profil login yang disegel di mesin lain tidak dapat dibuka. Gunakan satu kunci untuk semua mesin: salin berkas secret.key dari mesin pertama ke {key_file} (mode 0600) atau setel KAWAL_SECRET_KEY ke isinya di setiap mesin; `kawal key fingerprint` menampilkan sidik jarinya. / this machine's secret key ({ours}, from {origin}) differs from the key recorded in the database ({recorded}), so login profiles sealed on other machines cannot be opened. Use one key for every machine: copy secret.key from the first machine to {key_file} (mode 0600) or set KAWAL_SECRET_KEY to its contents on every machine; `kawal key fingerprint` shows its fingerprint."
    )]
    KeyMismatch {
        /// Fingerprint recorded in the database.
        recorded: String,
        /// Fingerprint of this machine's key.
        ours: String,
        /// Where this machine's key came from.
        origin: String,
        /// Where the key file belongs on this machine.
        key_file: String,
    },
    /// A uniqueness rule was broken.
    #[error("{0}")]
    Conflict(String),
    /// Any other database error.
    #[error("kesalahan basis data / database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Stored JSON could not be read back.
    #[error("data tersimpan rusak / stored data is corrupt: {0}")]
    Corrupt(String),
}

enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever typed pool the store has.
macro_rules! on {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Pg($pool) => $body,
        }
    };
}
pub(crate) use on;

/// Runs `$body` inside one write transaction bound to `$tx`. On SQLite it is `BEGIN IMMEDIATE`:
/// the write lock is taken up front, so concurrent writers wait (busy timeout) instead of
/// failing on a stale read snapshot. An early return (`?`) rolls back.
macro_rules! in_write_tx {
    ($store:expr, $tx:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::store::Db::Pg(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}
pub(crate) use in_write_tx;

/// The Kawal database.
pub struct Store {
    db: Db,
    url: String,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let shown = redact_url(url);
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::BadUrl {
                    url: shown,
                    reason: "no file path".into(),
                });
            }
            if path != ":memory:"
                && let Some(dir) = Path::new(path)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Connect {
                    url: shown.clone(),
                    detail: format!("cannot create directory {}: {e}", dir.display()),
                })?;
            }
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl {
                    url: shown.clone(),
                    reason: e.to_string(),
                })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(if path == ":memory:" { 1 } else { 4 })
                .connect_with(opts)
                .await
                .map_err(|e| StoreError::Connect {
                    url: shown.clone(),
                    detail: e.to_string(),
                })?;
            return Store::migrated(Db::Sqlite(pool), shown).await;
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl {
                url: shown.clone(),
                reason: e.to_string(),
            })?;
            return Store::open_pg(opts, shown).await;
        }
        Err(StoreError::BadUrl {
            url: shown,
            reason: "unknown scheme".into(),
        })
    }

    /// Opens PostgreSQL with every table inside `schema` (created if missing); used for isolated test runs.
    pub async fn open_pg_schema(url: &str, schema: &str) -> Result<Store, StoreError> {
        let shown = redact_url(url);
        if !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(StoreError::BadUrl {
                url: shown,
                reason: format!("invalid schema name '{schema}'"),
            });
        }
        let base = PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(base.clone())
            .await
            .map_err(|e| StoreError::Connect {
                url: shown.clone(),
                detail: e.to_string(),
            })?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}"
        )))
        .execute(&pool)
        .await?;
        pool.close().await;
        Store::open_pg(base.options([("search_path", schema)]), shown).await
    }

    async fn open_pg(opts: PgConnectOptions, shown: String) -> Result<Store, StoreError> {
        // Optional filters are written `($n IS NULL OR col = $n)`; a generic plan cannot drop
        // the branch and falls back to full scans, so every statement is planned with its values.
        let opts = opts.options([("plan_cache_mode", "force_custom_plan")]);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Connect {
                url: shown.clone(),
                detail: format!("{e} (apakah server PostgreSQL berjalan dan URL benar? / is the PostgreSQL server running and the URL right?)"),
            })?;
        Store::migrated(Db::Pg(pool), shown).await
    }

    async fn migrated(db: Db, url: String) -> Result<Store, StoreError> {
        let store = Store { db, url };
        // One line per migration: both back ends have the same versions, each its own SQL.
        macro_rules! files {
            ($(($v:literal, $d:literal, $f:literal)),* $(,)?) => {
                match store.db {
                    Db::Sqlite(_) => vec![$(($v, $d, include_str!(concat!("../../migrations/sqlite/", $f)))),*],
                    Db::Pg(_) => vec![$(($v, $d, include_str!(concat!("../../migrations/postgres/", $f)))),*],
                }
            };
        }
        let files: Vec<(i64, &str, &'static str)> = files!(
            (1, "init", "0001_init.sql"),
            (2, "jobs", "0002_jobs.sql"),
            (3, "unsafe methods", "0003_unsafe_methods.sql"),
            (4, "sop", "0004_sop.sql"),
            (5, "protected paths", "0005_protected.sql"),
            (6, "fleet", "0006_fleet.sql"),
            (7, "accounts", "0007_accounts.sql"),
            (8, "audit", "0008_audit.sql"),
            (9, "lookup", "0009_lookup.sql"),
            (10, "workflows", "0010_workflows.sql"),
            (11, "delivery", "0011_delivery.sql"),
            (12, "retest", "0012_retest.sql"),
        );
        let migrator = Migrator::with_migrations(
            files
                .into_iter()
                .map(|(v, d, sql)| {
                    Migration::new(
                        v,
                        d.into(),
                        MigrationType::Simple,
                        sql.into_sql_str(),
                        false,
                    )
                })
                .collect(),
        );
        on!(store, pool => migrator.run(pool).await)
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(store)
    }

    /// The URL this store was opened with (password hidden).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which back end is in use: "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Pg(_) => "postgres",
        }
    }

    /// Closes the pool, flushing SQLite's WAL.
    pub async fn close(self) {
        on!(self, pool => pool.close().await);
    }
}

/// Hides the password of a database URL for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// `hostname:pid` of this process, recorded on running evaluations.
pub fn worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}", std::process::id())
}

impl Store {
    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on!(self, pool => { sqlx::query("SELECT 1").execute(pool).await?; });
        Ok(())
    }
}

impl Store {
    /// Closes the pool behind a shared handle (a no-op while other handles remain).
    pub async fn close_shared(self: Arc<Self>) {
        if let Ok(s) = Arc::try_unwrap(self) {
            s.close().await;
        }
    }
}

impl Store {
    /// Runs one SQL statement as given: for tests that play an attacker with database rights.
    #[doc(hidden)]
    pub async fn raw_execute(&self, sql: &str) -> Result<u64, StoreError> {
        let sql = sql.to_string();
        Ok(
            on!(self, pool => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await?.rows_affected()),
        )
    }
}
