//! What one user may see: every list and get of the team service goes through these queries,
//! which carry the agency predicate themselves, so no handler can forget it.

use super::apps::{SELECT_APP, app_from_row};
use super::evaluations::{SELECT_EVAL, eval_from_row};
use super::{App, EvaluationRow, Store, StoreError, on};
use crate::model::EvaluationStatus;
use serde::Serialize;
use sqlx::Row;

/// The agencies whose objects a query may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyScope {
    /// Every agency.
    All,
    /// Only this agency (by name).
    Only(String),
}

impl AgencyScope {
    /// The bind value of the predicate `($n IS NULL OR g.name = $n)`.
    fn bind(&self) -> Option<&str> {
        match self {
            AgencyScope::All => None,
            AgencyScope::Only(a) => Some(a.as_str()),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items matching in all pages.
    pub total: i64,
    /// Items skipped before this page.
    pub offset: i64,
    /// Page size asked for.
    pub limit: i64,
}

/// Paging asked for.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// Page size (1..=500).
    pub limit: i64,
    /// Items to skip.
    pub offset: i64,
}

impl Paging {
    fn clamped(self) -> (i64, i64) {
        (self.limit.clamp(1, 500), self.offset.max(0))
    }
}

/// Filters of the application list.
#[derive(Debug, Clone, Default)]
pub struct AppFilter {
    /// Text in the name, URL or owner (case-insensitive).
    pub q: Option<String>,
    /// Only this agency.
    pub agency: Option<String>,
}

/// One finding with the application and evaluation it belongs to.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScopedFinding {
    /// Finding id.
    pub id: i64,
    /// Evaluation id.
    pub evaluation_id: i64,
    /// Application name.
    pub application: String,
    /// Agency name.
    pub agency: String,
    /// Item id.
    pub item_id: String,
    /// Outcome.
    pub outcome: String,
    /// Severity.
    pub severity: String,
    /// Instance locator.
    pub locator: Option<String>,
    /// Summary (Indonesian).
    pub summary_id: String,
    /// Summary (English).
    pub summary_en: String,
    /// Fingerprint across evaluations.
    pub fingerprint: String,
}

/// Filters of the finding list.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    /// Only this application.
    pub application_id: Option<i64>,
    /// Only this evaluation.
    pub evaluation_id: Option<i64>,
    /// Only this severity.
    pub severity: Option<String>,
    /// Only this outcome (default: all).
    pub outcome: Option<String>,
}

fn like(q: &Option<String>) -> Option<String> {
    q.as_ref()
        .map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")))
}

impl Store {
    /// Applications visible in `scope`, filtered and paged, by name (the unique index on the
    /// name serves the order, so a page costs no sort of every row).
    pub async fn apps_page(
        &self,
        scope: &AgencyScope,
        f: &AppFilter,
        p: Paging,
    ) -> Result<Page<App>, StoreError> {
        let (limit, offset) = p.clamped();
        let pred = " WHERE ($1 IS NULL OR g.name = $1) AND ($2 IS NULL OR lower(a.name) LIKE $2 OR lower(a.url) LIKE $2 OR lower(a.owner) LIKE $2) AND ($3 IS NULL OR g.name = $3)";
        let sql = format!("{SELECT_APP}{pred} ORDER BY a.name LIMIT $4 OFFSET $5");
        // The count needs no join: agency names become ids once.
        let count = "SELECT COUNT(*) AS n FROM application a WHERE ($1 IS NULL OR a.agency_id = (SELECT id FROM agency WHERE name = $1)) AND ($2 IS NULL OR lower(a.name) LIKE $2 OR lower(a.url) LIKE $2 OR lower(a.owner) LIKE $2) AND ($3 IS NULL OR a.agency_id = (SELECT id FROM agency WHERE name = $3))";
        let q = like(&f.q);
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(scope.bind()).bind(&q).bind(&f.agency).bind(limit).bind(offset)
                .fetch_all(pool).await?;
            let total: i64 = sqlx::query(count)
                .bind(scope.bind()).bind(&q).bind(&f.agency)
                .fetch_one(pool).await?.try_get("n")?;
            let items = rows.iter().map(|r| Ok(app_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Page { items, total, offset, limit })
        })
    }

    /// One application by id (`12`, `#12`) or name, if visible in `scope`.
    pub async fn app_in_scope(
        &self,
        scope: &AgencyScope,
        key: &str,
    ) -> Result<Option<App>, StoreError> {
        let (name, id) = match super::AppKey::parse(key) {
            super::AppKey::Id(id) => (None, Some(id)),
            super::AppKey::Name(n) => (Some(n), None),
        };
        let sql = format!(
            "{SELECT_APP} WHERE (lower(a.name) = lower($1) OR a.id = $2) AND ($3 IS NULL OR g.name = $3)"
        );
        on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name).bind(id).bind(scope.bind()).fetch_optional(pool).await? {
                Some(r) => Ok(Some(app_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Evaluations visible in `scope` (of one application, or all), newest first, paged.
    pub async fn evaluations_page(
        &self,
        scope: &AgencyScope,
        app_id: Option<i64>,
        p: Paging,
    ) -> Result<Page<EvaluationRow>, StoreError> {
        let (limit, offset) = p.clamped();
        let pred = " LEFT JOIN agency g ON g.id = a.agency_id WHERE ($1 IS NULL OR g.name = $1) AND ($2 IS NULL OR e.application_id = $2)";
        let sql = format!("{SELECT_EVAL}{pred} ORDER BY e.id DESC LIMIT $3 OFFSET $4");
        let count = format!(
            "SELECT COUNT(*) AS n FROM evaluation e LEFT JOIN application a ON a.id = e.application_id{pred}"
        );
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(scope.bind()).bind(app_id).bind(limit).bind(offset).fetch_all(pool).await?;
            let total: i64 = sqlx::query(sqlx::AssertSqlSafe(count))
                .bind(scope.bind()).bind(app_id).fetch_one(pool).await?.try_get("n")?;
            let items = rows.iter().map(|r| Ok(eval_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Page { items, total, offset, limit })
        })
    }

    /// One evaluation and its agency, if visible in `scope`.
    pub async fn evaluation_in_scope(
        &self,
        scope: &AgencyScope,
        id: i64,
    ) -> Result<Option<(EvaluationRow, Option<String>)>, StoreError> {
        let sql = format!(
            "SELECT x.*, g.name AS agency_name FROM ({SELECT_EVAL} WHERE e.id = $1) x LEFT JOIN application a2 ON a2.id = x.application_id LEFT JOIN agency g ON g.id = a2.agency_id WHERE ($2 IS NULL OR g.name = $2)"
        );
        on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(scope.bind()).fetch_optional(pool).await? {
                Some(r) => {
                    let agency: Option<String> = r.try_get("agency_name")?;
                    Ok(Some((eval_from_row!(&r), agency)))
                }
                None => Ok(None),
            }
        })
    }

    /// Findings visible in `scope`, filtered, newest evaluation first, paged.
    pub async fn findings_page(
        &self,
        scope: &AgencyScope,
        f: &FindingFilter,
        p: Paging,
    ) -> Result<Page<ScopedFinding>, StoreError> {
        let (limit, offset) = p.clamped();
        let from = " FROM finding f JOIN evaluation e ON e.id = f.evaluation_id JOIN application a ON a.id = e.application_id JOIN agency g ON g.id = a.agency_id \
            WHERE ($1 IS NULL OR g.name = $1) AND ($2 IS NULL OR e.application_id = $2) AND ($3 IS NULL OR f.evaluation_id = $3) AND ($4 IS NULL OR f.severity = $4) AND ($5 IS NULL OR f.outcome = $5)";
        let sql = format!(
            "SELECT f.id, f.evaluation_id, a.name AS application, g.name AS agency, f.item_id, f.outcome, f.severity, f.locator, f.summary_id, f.summary_en, f.fingerprint{from} ORDER BY f.evaluation_id DESC, f.id LIMIT $6 OFFSET $7"
        );
        let count = format!("SELECT COUNT(*) AS n{from}");
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(scope.bind()).bind(f.application_id).bind(f.evaluation_id).bind(&f.severity).bind(&f.outcome)
                .bind(limit).bind(offset).fetch_all(pool).await?;
            let total: i64 = sqlx::query(sqlx::AssertSqlSafe(count))
                .bind(scope.bind()).bind(f.application_id).bind(f.evaluation_id).bind(&f.severity).bind(&f.outcome)
                .fetch_one(pool).await?.try_get("n")?;
            let items = rows.iter().map(|r| Ok(ScopedFinding {
                id: r.try_get("id")?,
                evaluation_id: r.try_get("evaluation_id")?,
                application: r.try_get("application")?,
                agency: r.try_get("agency")?,
                item_id: r.try_get("item_id")?,
                outcome: r.try_get("outcome")?,
                severity: r.try_get("severity")?,
                locator: r.try_get("locator")?,
                summary_id: r.try_get("summary_id")?,
                summary_en: r.try_get("summary_en")?,
                fingerprint: r.try_get("fingerprint")?,
            })).collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Page { items, total, offset, limit })
        })
    }
}
