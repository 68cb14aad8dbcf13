//! What the dashboard's overview reads beside the scoped lists: the latest evaluations of a
//! page of applications, and counts in one agency scope.

use super::evaluations::{SELECT_EVAL, eval_from_row};
use super::{AgencyScope, DecisionRecord, EvaluationRow, Store, StoreError, on};
use crate::model::EvaluationStatus;
use crate::sop::StepRecord;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// Counts shown on the overview.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DashboardCounts {
    /// Evaluations running.
    pub running: i64,
    /// Jobs waiting in the queue.
    pub queued: i64,
    /// Applications whose latest finished evaluation does not meet the standard.
    pub not_met: i64,
}

impl Store {
    /// The newest `per_app` evaluations of each application in `app_ids`, newest first.
    pub async fn latest_evaluations(
        &self,
        app_ids: &[i64],
        per_app: i64,
    ) -> Result<Vec<EvaluationRow>, StoreError> {
        if app_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = id_list(app_ids);
        let sql = format!(
            "SELECT x.* FROM (SELECT y.*, ROW_NUMBER() OVER (PARTITION BY y.application_id ORDER BY y.id DESC) AS rn FROM ({SELECT_EVAL} WHERE e.application_id IN ({ids})) y) x WHERE x.rn <= $1 ORDER BY x.application_id, x.id DESC"
        );
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(per_app).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(eval_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()
        })
    }

    /// Running evaluations, queued jobs and applications not meeting the standard, in `scope`.
    pub async fn dashboard_counts(
        &self,
        scope: &AgencyScope,
    ) -> Result<DashboardCounts, StoreError> {
        let agency = match scope {
            AgencyScope::All => None,
            AgencyScope::Only(a) => Some(a.as_str()),
        };
        let running = "SELECT COUNT(*) AS n FROM evaluation e JOIN application a ON a.id = e.application_id WHERE e.status = 'running' AND ($1 IS NULL OR a.agency_id = (SELECT id FROM agency WHERE name = $1))";
        let queued = "SELECT COUNT(*) AS n FROM job j WHERE j.status = 'queued' AND ($1 IS NULL OR j.agency_id = (SELECT id FROM agency WHERE name = $1))";
        // The latest finished evaluation of each application, through its highest id.
        let not_met = "SELECT COUNT(*) AS n FROM evaluation e JOIN (SELECT e2.application_id, MAX(e2.id) AS id FROM evaluation e2 JOIN application a ON a.id = e2.application_id WHERE e2.status = 'finished' AND ($1 IS NULL OR a.agency_id = (SELECT id FROM agency WHERE name = $1)) GROUP BY e2.application_id) l ON l.id = e.id WHERE e.meets_standard = FALSE";
        on!(self, pool => {
            Ok(DashboardCounts {
                running: sqlx::query(running).bind(agency).fetch_one(pool).await?.try_get("n")?,
                queued: sqlx::query(queued).bind(agency).fetch_one(pool).await?.try_get("n")?,
                not_met: sqlx::query(not_met).bind(agency).fetch_one(pool).await?.try_get("n")?,
            })
        })
    }
}

/// Integers joined for an `IN (…)` list (ids formatted here, never text from a request).
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

impl Store {
    /// The newest `limit` evaluations in `scope` that may still have SOP steps open (not failed
    /// or interrupted), newest first; no total is counted.
    pub async fn recent_open_evaluations(
        &self,
        scope: &AgencyScope,
        limit: i64,
    ) -> Result<Vec<EvaluationRow>, StoreError> {
        let agency = match scope {
            AgencyScope::All => None,
            AgencyScope::Only(a) => Some(a.as_str()),
        };
        let sql = format!(
            "{SELECT_EVAL} WHERE e.status IN ('queued', 'running', 'finished') AND ($1 IS NULL OR a.agency_id = (SELECT id FROM agency WHERE name = $1)) ORDER BY e.id DESC LIMIT $2"
        );
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(eval_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()
        })
    }

    /// The recorded SOP steps and decisions of several evaluations, by evaluation id, in two
    /// queries.
    pub async fn sop_records_of(
        &self,
        ids: &[i64],
    ) -> Result<BTreeMap<i64, (Vec<StepRecord>, Vec<DecisionRecord>)>, StoreError> {
        let mut out: BTreeMap<i64, (Vec<StepRecord>, Vec<DecisionRecord>)> = ids
            .iter()
            .map(|id| (*id, (Vec::new(), Vec::new())))
            .collect();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = id_list(ids);
        let steps = format!(
            "SELECT evaluation_id, step, status, actor, role, output, note, done_at FROM sop_step WHERE evaluation_id IN ({list}) ORDER BY id"
        );
        let decisions = format!(
            "SELECT evaluation_id, kind, recommended, decided, agrees, actor, reason, decided_at FROM decision_record WHERE evaluation_id IN ({list}) ORDER BY id"
        );
        on!(self, pool => {
            for r in sqlx::query(sqlx::AssertSqlSafe(steps)).fetch_all(pool).await? {
                let id: i64 = r.try_get("evaluation_id")?;
                out.entry(id).or_default().0.push(super::sop::sop_step_from_row!(&r));
            }
            for r in sqlx::query(sqlx::AssertSqlSafe(decisions)).fetch_all(pool).await? {
                let id: i64 = r.try_get("evaluation_id")?;
                out.entry(id).or_default().1.push(DecisionRecord {
                    kind: r.try_get("kind")?,
                    recommended: r.try_get("recommended")?,
                    decided: r.try_get("decided")?,
                    agrees: r.try_get("agrees")?,
                    actor: r.try_get("actor")?,
                    reason: r.try_get("reason")?,
                    decided_at: r.try_get("decided_at")?,
                });
            }
            Ok(out)
        })
    }
}
