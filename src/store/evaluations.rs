//! Evaluations and their findings; a finished evaluation is written in one transaction.

use super::sop::{FindingStatus, Known, lifecycle_changes};
use super::{Store, StoreError, fingerprint, in_write_tx, on, worker_id};
use crate::evaluation::Report;
use crate::model::{EvaluationStatus, Outcome};
use serde::Serialize;
use sqlx::Row;
use std::time::Duration;
use time::OffsetDateTime;

/// How long a running evaluation may go without a heartbeat before it counts as interrupted.
pub const STALE_AFTER: Duration = Duration::from_secs(120);

/// One evaluation as listed in history.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EvaluationRow {
    /// Id.
    pub id: i64,
    /// Application name, if registered.
    pub application: Option<String>,
    /// Target URL.
    pub target: String,
    /// Status.
    pub status: EvaluationStatus,
    /// Checklist id.
    pub checklist_id: String,
    /// Checklist version.
    pub checklist_version: String,
    /// Created at.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    /// Finished at.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub finished_at: Option<OffsetDateTime>,
    /// Error, for failed/interrupted runs.
    pub error: Option<String>,
    /// Decision 1, when finished.
    pub meets_standard: Option<bool>,
    /// Decision 1 "meets" is provisional: critical/high manual items are not yet recorded.
    pub provisional: bool,
    /// Failed findings stored.
    pub failures: i64,
    /// Registered application id.
    pub application_id: Option<i64>,
    /// The evaluation this one retested.
    pub retest_of: Option<i64>,
}

/// One stored finding (an observation of an item).
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    /// Item id.
    pub item_id: String,
    /// Outcome status.
    pub outcome: String,
    /// Severity.
    pub severity: String,
    /// Instance locator.
    pub locator: Option<String>,
    /// Summary (Indonesian).
    pub summary_id: String,
    /// Summary (English).
    pub summary_en: String,
    /// Fingerprint for de-duplication across evaluations.
    pub fingerprint: String,
}

pub(super) const SELECT_EVAL: &str = "SELECT e.id, e.application_id, e.retest_of, a.name AS application, e.target, e.status, e.checklist_id, e.checklist_version, e.created_at, e.finished_at, e.error, e.meets_standard, e.provisional, (SELECT COUNT(*) FROM finding f WHERE f.evaluation_id = e.id AND f.outcome = 'fail') AS failures FROM evaluation e LEFT JOIN application a ON a.id = e.application_id";

macro_rules! eval_from_row {
    ($r:expr) => {{
        let r = $r;
        let status: String = r.try_get("status")?;
        EvaluationRow {
            id: r.try_get("id")?,
            application: r.try_get("application")?,
            target: r.try_get("target")?,
            status: EvaluationStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status '{status}'")))?,
            checklist_id: r.try_get("checklist_id")?,
            checklist_version: r.try_get("checklist_version")?,
            created_at: r.try_get("created_at")?,
            finished_at: r.try_get("finished_at")?,
            error: r.try_get("error")?,
            meets_standard: r.try_get("meets_standard")?,
            provisional: r.try_get("provisional")?,
            failures: r.try_get("failures")?,
            application_id: r.try_get("application_id")?,
            retest_of: r.try_get("retest_of")?,
        }
    }};
}

pub(super) use eval_from_row;

impl Store {
    /// Records a new running evaluation owned by this process.
    pub async fn start_evaluation(
        &self,
        application_id: Option<i64>,
        target: &str,
        checklist_id: &str,
        checklist_version: &str,
    ) -> Result<i64, StoreError> {
        let now = OffsetDateTime::now_utc();
        let worker = worker_id();
        let id = in_write_tx!(self, tx => {
            sqlx::query("INSERT INTO evaluation (application_id, target, status, checklist_id, checklist_version, worker, heartbeat_at, created_at, started_at) VALUES ($1,$2,'running',$3,$4,$5,$6,$6,$6) RETURNING id")
                .bind(application_id).bind(target).bind(checklist_id).bind(checklist_version).bind(&worker).bind(now)
                .fetch_one(&mut *tx).await?.try_get::<i64, _>("id")?
        });
        self.audit_lifecycle(
            id,
            "evaluation.start",
            serde_json::json!({ "target": target, "worker": worker }),
        )
        .await?;
        Ok(id)
    }

    /// Marks a running evaluation as a retest of an earlier one.
    pub async fn mark_retest(&self, id: i64, of: i64) -> Result<(), StoreError> {
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE evaluation SET retest_of = $1 WHERE id = $2")
                .bind(of).bind(id).execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Proves the owner of a running evaluation is alive.
    pub async fn heartbeat(&self, id: i64) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE evaluation SET heartbeat_at = $1 WHERE id = $2 AND status = 'running'")
                .bind(now).bind(id).execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Stores every finding and marks the evaluation finished, atomically.
    pub async fn finish_evaluation(&self, id: i64, report: &Report) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        let summary = serde_json::to_string(&report.summary)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let doc = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        in_write_tx!(self, tx => {
            for item in &report.items {
                for o in &item.observations {
                    let evidence = serde_json::to_string(&o.evidence).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let figures = serde_json::to_string(&o.figures).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    sqlx::query("INSERT INTO finding (evaluation_id, item_id, outcome, severity, locator, summary_id, summary_en, evidence, figures, fingerprint) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
                        .bind(id).bind(&item.id).bind(o.outcome.status()).bind(item.severity.as_str()).bind(&o.locator)
                        .bind(&o.summary.id).bind(&o.summary.en).bind(&evidence).bind(&figures)
                        .bind(o.fingerprint.clone().unwrap_or_else(|| fingerprint(&report.target, &item.id, o.locator.as_deref())))
                        .execute(&mut *tx).await?;
                }
                // Items decided without instances (errors, manual) still leave a row, so history is complete.
                if item.observations.is_empty() {
                    let (sid, sen) = match &item.outcome {
                        Outcome::Inconclusive { reason } | Outcome::NotApplicable { reason } => (reason.id.clone(), reason.en.clone()),
                        _ => (String::new(), String::new()),
                    };
                    sqlx::query("INSERT INTO finding (evaluation_id, item_id, outcome, severity, locator, summary_id, summary_en, fingerprint) VALUES ($1,$2,$3,$4,NULL,$5,$6,$7)")
                        .bind(id).bind(&item.id).bind(item.outcome.status()).bind(item.severity.as_str())
                        .bind(&sid).bind(&sen).bind(fingerprint(&report.target, &item.id, None))
                        .execute(&mut *tx).await?;
                }
            }
            let app: Option<i64> = sqlx::query("SELECT application_id FROM evaluation WHERE id = $1")
                .bind(id).fetch_one(&mut *tx).await?.try_get("application_id")?;
            if let Some(app) = app {
                let rows = sqlx::query("SELECT fingerprint, status, until, item_id FROM finding_state WHERE application_id = $1")
                    .bind(app).fetch_all(&mut *tx).await?;
                let mut known = std::collections::BTreeMap::new();
                for r in &rows {
                    let status: String = r.try_get("status")?;
                    known.insert(r.try_get::<String, _>("fingerprint")?, Known {
                        status: FindingStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("finding status '{status}'")))?,
                        until: r.try_get("until")?,
                        item_id: r.try_get("item_id")?,
                    });
                }
                for c in lifecycle_changes(report, &known, now) {
                    if let Some(k) = known.get(&c.fingerprint) {
                        if c.seen {
                            sqlx::query("UPDATE finding_state SET last_seen_eval = $1 WHERE application_id = $2 AND fingerprint = $3")
                                .bind(id).bind(app).bind(&c.fingerprint).execute(&mut *tx).await?;
                        }
                        if let Some(to) = c.to {
                            sqlx::query("UPDATE finding_state SET status = $1, actor = 'kawal', reason = $2, until = NULL, updated_at = $3 WHERE application_id = $4 AND fingerprint = $5")
                                .bind(to.as_str()).bind(format!("evaluasi/evaluation {id}")).bind(now).bind(app).bind(&c.fingerprint)
                                .execute(&mut *tx).await?;
                            sqlx::query("INSERT INTO finding_event (application_id, fingerprint, evaluation_id, from_status, to_status, actor, reason, at) VALUES ($1,$2,$3,$4,$5,'kawal',$6,$7)")
                                .bind(app).bind(&c.fingerprint).bind(id).bind(k.status.as_str()).bind(to.as_str()).bind(format!("evaluasi/evaluation {id}")).bind(now)
                                .execute(&mut *tx).await?;
                        }
                    } else {
                        sqlx::query("INSERT INTO finding_state (application_id, fingerprint, item_id, locator, status, first_seen_eval, last_seen_eval, actor, reason, until, updated_at) VALUES ($1,$2,$3,$4,'open',$5,$5,'kawal',NULL,NULL,$6)")
                            .bind(app).bind(&c.fingerprint).bind(&c.item_id).bind(&c.locator).bind(id).bind(now)
                            .execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO finding_event (application_id, fingerprint, evaluation_id, from_status, to_status, actor, reason, at) VALUES ($1,$2,$3,NULL,'open','kawal',$4,$5)")
                            .bind(app).bind(&c.fingerprint).bind(id).bind(format!("evaluasi/evaluation {id}")).bind(now)
                            .execute(&mut *tx).await?;
                    }
                }
            }
            let done = sqlx::query("UPDATE evaluation SET status='finished', finished_at=$1, heartbeat_at=$1, meets_standard=$2, summary=$3, report=$4, provisional=$6 WHERE id=$5 AND status='running'")
                .bind(now).bind(report.decision.meets_standard).bind(&summary).bind(&doc).bind(id).bind(report.decision.is_provisional())
                .execute(&mut *tx).await?;
            if done.rows_affected() != 1 {
                // Someone marked it interrupted meanwhile: keep their verdict, write nothing (rolls back).
                return Err(StoreError::Conflict(format!("evaluasi {id} tidak lagi berjalan / evaluation {id} is no longer running")));
            }
            // The job that ran it is done in the same transaction: a crash between a finished
            // evaluation and a separate "job done" would hand the job out again and run it twice.
            sqlx::query("UPDATE job SET status = 'done', finished_at = $1, lease_until = NULL WHERE evaluation_id = $2 AND status = 'running'")
                .bind(super::jobs::secs(now)).bind(id).execute(&mut *tx).await?;
        });
        self.audit_lifecycle(
            id,
            "evaluation.finish",
            serde_json::json!({
                "meets_standard": report.decision.meets_standard,
                "summary": report.summary,
            }),
        )
        .await
    }

    /// Marks a running evaluation failed with its reason.
    pub async fn fail_evaluation(&self, id: i64, error: &str) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE evaluation SET status='failed', finished_at=$1, error=$2 WHERE id=$3 AND status='running'")
                .bind(now).bind(error).bind(id).execute(&mut *tx).await?;
        });
        self.audit_lifecycle(id, "evaluation.fail", serde_json::json!({ "error": error }))
            .await
    }

    /// Appends an evaluation's lifecycle event to the audit trail, as the worker process.
    async fn audit_lifecycle(
        &self,
        id: i64,
        action: &str,
        after: serde_json::Value,
    ) -> Result<(), StoreError> {
        let agency: Option<String> = on!(self, pool => {
            sqlx::query("SELECT g.name FROM evaluation e JOIN application a ON a.id = e.application_id JOIN agency g ON g.id = a.agency_id WHERE e.id = $1")
                .bind(id).fetch_optional(pool).await?.map(|r| r.try_get("name")).transpose()?
        });
        self.audit_append(&crate::team::audit::Content {
            at: crate::team::audit::timestamp(OffsetDateTime::now_utc()),
            actor: format!("worker:{}", worker_id()),
            client: None,
            action: action.into(),
            object_kind: Some("evaluation".into()),
            object_id: Some(id.to_string()),
            agency,
            before: None,
            after: Some(after),
        })
        .await
        .map(|_| ())
    }

    /// Marks evaluations whose owner died as `interrupted`; returns their ids.
    pub async fn recover_interrupted(&self) -> Result<Vec<i64>, StoreError> {
        let now = OffsetDateTime::now_utc();
        let me = worker_id();
        let host = me.split(':').next().unwrap_or("").to_string();
        let running: Vec<(i64, Option<String>, Option<OffsetDateTime>)> = on!(self, pool => {
            let rows = sqlx::query("SELECT id, worker, heartbeat_at FROM evaluation WHERE status = 'running'")
                .fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("worker")?, r.try_get("heartbeat_at")?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        let mut out = Vec::new();
        for (id, worker, beat) in running {
            let stale = beat.is_none_or(|b| now - b > STALE_AFTER);
            // A worker on this machine whose process is gone died for sure.
            let dead_here = worker
                .as_deref()
                .and_then(|w| w.rsplit_once(':'))
                .is_some_and(|(h, pid)| {
                    h == host
                        && pid != std::process::id().to_string()
                        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
                });
            if stale || dead_here {
                in_write_tx!(self, tx => {
                    sqlx::query("UPDATE evaluation SET status='interrupted', finished_at=$1, error=$2 WHERE id=$3 AND status='running'")
                        .bind(now)
                        .bind("proses evaluasi berhenti sebelum selesai / the evaluating process stopped before finishing")
                        .bind(id).execute(&mut *tx).await?;
                });
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Evaluation history, newest first (all applications when `app_id` is None).
    pub async fn list_evaluations(
        &self,
        app_id: Option<i64>,
    ) -> Result<Vec<EvaluationRow>, StoreError> {
        let sql =
            format!("{SELECT_EVAL} WHERE ($1 IS NULL OR e.application_id = $1) ORDER BY e.id DESC");
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(app_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(eval_from_row!(r))).collect()
        })
    }

    /// The newest finished evaluation (of one application, or of any when `app_id` is None).
    pub async fn latest_finished(&self, app_id: Option<i64>) -> Result<Option<i64>, StoreError> {
        on!(self, pool => {
            let r = sqlx::query("SELECT id FROM evaluation WHERE status = 'finished' AND ($1 IS NULL OR application_id = $1) ORDER BY id DESC LIMIT 1")
                .bind(app_id).fetch_optional(pool).await?;
            match r { Some(r) => Ok(Some(r.try_get("id")?)), None => Ok(None) }
        })
    }

    /// Replaces the stored report of a finished evaluation (after a re-decision).
    pub async fn save_report(&self, id: i64, report: &Report) -> Result<(), StoreError> {
        let doc = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let summary = serde_json::to_string(&report.summary)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE evaluation SET report = $1, summary = $2, meets_standard = $3, provisional = $5 WHERE id = $4 AND status = 'finished'")
                .bind(&doc).bind(&summary).bind(report.decision.meets_standard).bind(id).bind(report.decision.is_provisional())
                .execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// One evaluation.
    pub async fn evaluation(&self, id: i64) -> Result<EvaluationRow, StoreError> {
        let sql = format!("{SELECT_EVAL} WHERE e.id = $1");
        on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Ok(eval_from_row!(&r)),
                None => Err(StoreError::NotFound { what: "evaluasi/evaluation", name: id.to_string() }),
            }
        })
    }

    /// Findings of an evaluation in checklist order of insertion.
    pub async fn findings(&self, evaluation_id: i64) -> Result<Vec<FindingRow>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT item_id, outcome, severity, locator, summary_id, summary_en, fingerprint FROM finding WHERE evaluation_id = $1 ORDER BY id")
                .bind(evaluation_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(FindingRow {
                item_id: r.try_get("item_id")?,
                outcome: r.try_get("outcome")?,
                severity: r.try_get("severity")?,
                locator: r.try_get("locator")?,
                summary_id: r.try_get("summary_id")?,
                summary_en: r.try_get("summary_en")?,
                fingerprint: r.try_get("fingerprint")?,
            })).collect()
        })
    }

    /// The stored JSON report of a finished evaluation.
    pub async fn report_json(&self, id: i64) -> Result<Option<String>, StoreError> {
        on!(self, pool => {
            let r = sqlx::query("SELECT report FROM evaluation WHERE id = $1").bind(id).fetch_optional(pool).await?;
            match r {
                Some(r) => Ok(r.try_get("report")?),
                None => Err(StoreError::NotFound { what: "evaluasi/evaluation", name: id.to_string() }),
            }
        })
    }
}
