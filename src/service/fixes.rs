//! An owner reports that the failed items of an evaluation are fixed: the findings move to
//! `fix_reported` and a retest is queued, which runs only those items again and moves each
//! finding to `verified_fixed` or `reopened`.

use super::{Actor, Event, Service, ServiceError};
use crate::model::Outcome;
use crate::store::{FindingStatus, Job, JobStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What the owner says was fixed.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct FixInput {
    /// What was changed (kept with each finding's history).
    pub reason: String,
    /// Fingerprints (or unique prefixes) of the findings fixed; absent: every failed
    /// automated finding of the evaluation.
    #[serde(default)]
    pub findings: Option<Vec<String>>,
}

/// The findings reported fixed and the retest queued for them.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FixReported {
    /// The queued retest.
    pub job: Job,
    /// Fingerprints now `fix_reported`.
    pub findings: Vec<String>,
}

fn conflict(m: String) -> ServiceError {
    ServiceError::Conflict(m)
}

impl Service {
    /// Reports a fix on the latest finished evaluation of an application and queues its
    /// retest (one queued retest per evaluation: a second report joins it).
    pub async fn report_fix(
        &self,
        actor: &Actor,
        id: i64,
        input: &FixInput,
    ) -> Result<FixReported, ServiceError> {
        let (row, agency) = self.evaluation_for(actor, "finding:report-fix", id).await?;
        let reason = input.reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::Invalid {
                field: "reason".into(),
                message: "tuliskan apa yang diperbaiki / say what was fixed".into(),
            });
        }
        let app_id = row.application_id.ok_or_else(|| {
            conflict(format!(
                "evaluasi {id} bukan milik aplikasi terdaftar / evaluation {id} does not belong to a registered application"
            ))
        })?;
        let latest = self.store.latest_finished(Some(app_id)).await?;
        if latest != Some(id) {
            return Err(conflict(format!(
                "laporkan perbaikan pada evaluasi terakhir yang selesai (#{}) / report the fix on the latest finished evaluation (#{})",
                latest.map_or("-".into(), |l| l.to_string()),
                latest.map_or("-".into(), |l| l.to_string()),
            )));
        }
        let fixed = self.fixable(app_id, id, input).await?;
        let name = actor.record_name(None)?;
        for fp in &fixed {
            self.store
                .set_finding_status(app_id, fp, FindingStatus::FixReported, &name, reason, None)
                .await?;
        }
        let queued = self
            .store
            .list_jobs(Some(JobStatus::Queued), Some(app_id), 50)
            .await?
            .into_iter()
            .find(|j| j.retest_of == Some(id));
        let job = match queued {
            Some(j) => j,
            None => self.store.enqueue_retest(app_id, id, self.now()).await?,
        };
        let mut e = Event::on("finding.fix_reported", "evaluation", id);
        e.agency = agency;
        e.after = Some(serde_json::json!({ "job": job.id, "findings": fixed, "reason": reason }));
        self.audit(actor, e).await?;
        Ok(FixReported {
            job,
            findings: fixed,
        })
    }

    /// The failed automated findings of evaluation `id` the input names (all when it names
    /// none), still open to a fix report.
    async fn fixable(
        &self,
        app_id: i64,
        id: i64,
        input: &FixInput,
    ) -> Result<Vec<String>, ServiceError> {
        let report = self.store.stored_report(id).await?;
        let automated: BTreeSet<&str> = report
            .items
            .iter()
            .filter(|i| i.outcome == Outcome::Fail && i.check != "manual")
            .map(|i| i.id.as_str())
            .collect();
        let failed: BTreeSet<String> = self
            .store
            .findings(id)
            .await?
            .into_iter()
            .filter(|f| f.outcome == "fail" && automated.contains(f.item_id.as_str()))
            .map(|f| f.fingerprint)
            .collect();
        let open: BTreeSet<String> = self
            .store
            .finding_states(app_id)
            .await?
            .into_iter()
            .filter(|s| {
                matches!(
                    s.status,
                    FindingStatus::Open | FindingStatus::Reopened | FindingStatus::FixReported
                )
            })
            .map(|s| s.fingerprint)
            .collect();
        let candidates: Vec<String> = failed.intersection(&open).cloned().collect();
        let chosen = match &input.findings {
            None => candidates,
            Some(named) => {
                let mut out = Vec::new();
                for n in named {
                    let fp = self.store.resolve_fingerprint(app_id, n).await?;
                    if !candidates.contains(&fp) {
                        return Err(ServiceError::Invalid {
                            field: "findings".into(),
                            message: format!(
                                "'{n}' bukan temuan gagal yang terbuka pada evaluasi {id} / is not an open failed finding of evaluation {id}"
                            ),
                        });
                    }
                    out.push(fp);
                }
                out
            }
        };
        if chosen.is_empty() {
            return Err(conflict(format!(
                "evaluasi {id} tidak punya temuan otomatis gagal yang terbuka; tidak ada yang diuji ulang / evaluation {id} has no open failed automated finding; nothing to retest"
            )));
        }
        Ok(chosen)
    }
}
