//! The evaluation SOP record: steps, manual items, decisions, and the lifecycle of findings
//! across the evaluations of one application.

use super::{Store, StoreError, in_write_tx, on};
use crate::decision::Exclusions;
use crate::evaluation::Report;
use crate::model::Outcome;
use crate::sop::StepRecord;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// Largest attachment accepted with a manual item.
pub const MAX_ATTACHMENT: usize = 20 * 1024 * 1024;

/// Status of a finding across evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Found and not yet addressed.
    Open,
    /// The owner reports it fixed; a retest will tell.
    FixReported,
    /// A later evaluation no longer finds it.
    VerifiedFixed,
    /// Found again after it was reported or verified fixed.
    Reopened,
    /// A person accepted the risk (until a date, if given).
    AcceptedRisk,
    /// A person judged it a false positive.
    FalsePositive,
}

impl FindingStatus {
    /// Every status.
    pub const ALL: [FindingStatus; 6] = [
        FindingStatus::Open,
        FindingStatus::FixReported,
        FindingStatus::VerifiedFixed,
        FindingStatus::Reopened,
        FindingStatus::AcceptedRisk,
        FindingStatus::FalsePositive,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::FixReported => "fix_reported",
            FindingStatus::VerifiedFixed => "verified_fixed",
            FindingStatus::Reopened => "reopened",
            FindingStatus::AcceptedRisk => "accepted_risk",
            FindingStatus::FalsePositive => "false_positive",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<FindingStatus> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Label in the official vocabulary.
    pub fn label(self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            FindingStatus::Open => Text::new("Terbuka", "Open"),
            FindingStatus::FixReported => Text::new("Dilaporkan diperbaiki", "Fix reported"),
            FindingStatus::VerifiedFixed => Text::new("Terverifikasi diperbaiki", "Verified fixed"),
            FindingStatus::Reopened => Text::new("Dibuka kembali", "Reopened"),
            FindingStatus::AcceptedRisk => Text::new("Risiko diterima", "Accepted risk"),
            FindingStatus::FalsePositive => Text::new("Positif palsu", "False positive"),
        }
    }

    /// Whether the finding still needs work.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            FindingStatus::Open | FindingStatus::FixReported | FindingStatus::Reopened
        )
    }
}

/// One finding of an application across evaluations.
#[derive(Debug, Clone, Serialize)]
pub struct FindingState {
    /// Fingerprint.
    pub fingerprint: String,
    /// Item id.
    pub item_id: String,
    /// Instance locator.
    pub locator: Option<String>,
    /// Status.
    pub status: FindingStatus,
    /// First evaluation that found it.
    pub first_seen_eval: i64,
    /// Last evaluation that found it.
    pub last_seen_eval: i64,
    /// Who set the status last (a person or "kawal").
    pub actor: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Accepted until.
    #[serde(with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A manual item as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ManualResult {
    /// Item id.
    pub item_id: String,
    /// Outcome name (pass, fail, not_applicable, inconclusive).
    pub outcome: String,
    /// Who.
    pub actor: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// Note.
    pub note: String,
    /// Attachment name.
    pub attachment_name: Option<String>,
    /// Attachment SHA-256.
    pub attachment_sha256: Option<String>,
}

/// A recorded decision of the head of office.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionRecord {
    /// "standard" (decision 1) or "action" (decision 2).
    pub kind: String,
    /// What Kawal recommended.
    pub recommended: String,
    /// What was decided.
    pub decided: String,
    /// Whether it follows the recommendation.
    pub agrees: bool,
    /// Who decided.
    pub actor: String,
    /// Why (required to override).
    pub reason: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
}

/// Findings new, fixed and still open against the previous evaluation of the application.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Trend {
    /// Previous evaluation compared with.
    pub previous: Option<i64>,
    /// Failing now, not before.
    pub new: usize,
    /// Failing before, not now.
    pub fixed: usize,
    /// Failing in both.
    pub still_open: usize,
}

/// A past evaluation's counts, for trend charts.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryPoint {
    /// Evaluation id.
    pub id: i64,
    /// When it finished.
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// Failed items.
    pub failures: i64,
}

/// A `sop_step` row as a [`StepRecord`] (the evaluation SOP keeps its decisions elsewhere).
macro_rules! sop_step_from_row {
    ($r:expr) => {{
        let r = $r;
        $crate::sop::StepRecord {
            step: r.try_get("step")?,
            skipped: r.try_get::<String, _>("status")? == "skipped",
            actor: r.try_get("actor")?,
            role: r.try_get("role")?,
            output: r.try_get("output")?,
            note: r.try_get("note")?,
            decision: None,
            done_at: r.try_get("done_at")?,
        }
    }};
}
pub(crate) use sop_step_from_row;

impl Store {
    /// Records an SOP step as done (or skipped) for an evaluation.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_step(
        &self,
        evaluation_id: i64,
        step: &str,
        skipped: bool,
        actor: &str,
        role: &str,
        output: &str,
        note: &str,
    ) -> Result<StepRecord, StoreError> {
        let now = OffsetDateTime::now_utc();
        self.evaluation(evaluation_id).await?;
        in_write_tx!(self, tx => {
            let exists = sqlx::query("SELECT 1 FROM sop_step WHERE evaluation_id = $1 AND step = $2")
                .bind(evaluation_id).bind(step).fetch_optional(&mut *tx).await?;
            if exists.is_some() {
                return Err(StoreError::Conflict(format!(
                    "langkah '{step}' evaluasi {evaluation_id} sudah dicatat / step '{step}' of evaluation {evaluation_id} is already recorded"
                )));
            }
            sqlx::query("INSERT INTO sop_step (evaluation_id, step, status, actor, role, output, note, done_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(evaluation_id).bind(step).bind(if skipped { "skipped" } else { "done" })
                .bind(actor).bind(role).bind(output).bind(note).bind(now)
                .execute(&mut *tx).await?;
        });
        Ok(StepRecord {
            step: step.to_string(),
            skipped,
            actor: actor.to_string(),
            role: role.to_string(),
            output: output.to_string(),
            note: note.to_string(),
            decision: None,
            done_at: now,
        })
    }

    /// The recorded SOP steps of an evaluation.
    pub async fn steps(&self, evaluation_id: i64) -> Result<Vec<StepRecord>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT step, status, actor, role, output, note, done_at FROM sop_step WHERE evaluation_id = $1 ORDER BY id")
                .bind(evaluation_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(sop_step_from_row!(r))).collect()
        })
    }

    /// Records (or replaces) the team's result for a manual item, then re-decides the evaluation.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_manual(
        &self,
        evaluation_id: i64,
        item_id: &str,
        outcome: Outcome,
        actor: &str,
        note: &str,
        attachment: Option<(&str, &[u8])>,
        redecide: impl FnOnce(&mut Report),
    ) -> Result<ManualResult, StoreError> {
        let now = OffsetDateTime::now_utc();
        if let Some((name, bytes)) = attachment
            && bytes.len() > MAX_ATTACHMENT
        {
            return Err(StoreError::Conflict(format!(
                "lampiran '{name}' {} byte melebihi batas {MAX_ATTACHMENT} byte / attachment '{name}' of {} bytes exceeds the {MAX_ATTACHMENT}-byte limit",
                bytes.len(),
                bytes.len()
            )));
        }
        let sha = attachment.map(|(_, b)| crate::model::hex(&Sha256::digest(b)));
        let mut report = self.stored_report(evaluation_id).await?;
        let Some(item) = report.items.iter_mut().find(|i| i.id == item_id) else {
            return Err(StoreError::NotFound {
                what: "butir checklist pada evaluasi / checklist item in evaluation",
                name: item_id.to_string(),
            });
        };
        item.outcome = outcome.clone();
        item.manual = Some(crate::evaluation::ManualRecord {
            actor: actor.to_string(),
            recorded_at: now,
            note: note.to_string(),
            attachment: attachment.map(|(n, _)| n.to_string()),
            attachment_sha256: sha.clone(),
        });
        redecide(&mut report);
        let doc = serde_json::to_string(&report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let summary = serde_json::to_string(&report.summary)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        in_write_tx!(self, tx => {
            sqlx::query("DELETE FROM manual_result WHERE evaluation_id = $1 AND item_id = $2")
                .bind(evaluation_id).bind(item_id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO manual_result (evaluation_id, item_id, outcome, actor, recorded_at, note, attachment_name, attachment_sha256, attachment) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
                .bind(evaluation_id).bind(item_id).bind(outcome.status()).bind(actor).bind(now).bind(note)
                .bind(attachment.map(|(n, _)| n)).bind(&sha).bind(attachment.map(|(_, b)| b))
                .execute(&mut *tx).await?;
            sqlx::query("UPDATE evaluation SET report = $1, summary = $2, meets_standard = $3, provisional = $5 WHERE id = $4")
                .bind(&doc).bind(&summary).bind(report.decision.meets_standard).bind(evaluation_id).bind(report.decision.is_provisional())
                .execute(&mut *tx).await?;
        });
        Ok(ManualResult {
            item_id: item_id.to_string(),
            outcome: outcome.status().to_string(),
            actor: actor.to_string(),
            recorded_at: now,
            note: note.to_string(),
            attachment_name: attachment.map(|(n, _)| n.to_string()),
            attachment_sha256: sha,
        })
    }

    /// Manual items recorded for an evaluation.
    pub async fn manual_results(
        &self,
        evaluation_id: i64,
    ) -> Result<Vec<ManualResult>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT item_id, outcome, actor, recorded_at, note, attachment_name, attachment_sha256 FROM manual_result WHERE evaluation_id = $1 ORDER BY id")
                .bind(evaluation_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(ManualResult {
                item_id: r.try_get("item_id")?,
                outcome: r.try_get("outcome")?,
                actor: r.try_get("actor")?,
                recorded_at: r.try_get("recorded_at")?,
                note: r.try_get("note")?,
                attachment_name: r.try_get("attachment_name")?,
                attachment_sha256: r.try_get("attachment_sha256")?,
            })).collect()
        })
    }

    /// The attachment of a manual item: name and bytes.
    pub async fn manual_attachment(
        &self,
        evaluation_id: i64,
        item_id: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        on!(self, pool => {
            let r = sqlx::query("SELECT attachment_name, attachment FROM manual_result WHERE evaluation_id = $1 AND item_id = $2")
                .bind(evaluation_id).bind(item_id).fetch_optional(pool).await?;
            match r {
                Some(r) => {
                    let name: Option<String> = r.try_get("attachment_name")?;
                    let bytes: Option<Vec<u8>> = r.try_get("attachment")?;
                    Ok(name.zip(bytes))
                }
                None => Ok(None),
            }
        })
    }

    /// Records the head of office's decision and completes its SOP step, atomically.
    pub async fn record_decision(
        &self,
        evaluation_id: i64,
        rec: &DecisionRecord,
        step: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        in_write_tx!(self, tx => {
            let exists = sqlx::query("SELECT 1 FROM decision_record WHERE evaluation_id = $1 AND kind = $2")
                .bind(evaluation_id).bind(&rec.kind).fetch_optional(&mut *tx).await?;
            if exists.is_some() {
                return Err(StoreError::Conflict(format!(
                    "keputusan '{}' evaluasi {evaluation_id} sudah dicatat / decision '{}' of evaluation {evaluation_id} is already recorded",
                    rec.kind, rec.kind
                )));
            }
            sqlx::query("INSERT INTO decision_record (evaluation_id, kind, recommended, decided, agrees, actor, reason, decided_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(evaluation_id).bind(&rec.kind).bind(&rec.recommended).bind(&rec.decided)
                .bind(rec.agrees).bind(&rec.actor).bind(&rec.reason).bind(rec.decided_at)
                .execute(&mut *tx).await?;
            if let Some((key, role)) = step {
                sqlx::query("INSERT INTO sop_step (evaluation_id, step, status, actor, role, output, note, done_at) VALUES ($1,$2,'done',$3,$4,$5,$6,$7) ON CONFLICT (evaluation_id, step) DO NOTHING")
                    .bind(evaluation_id).bind(key).bind(&rec.actor).bind(role)
                    .bind(&rec.decided).bind(&rec.reason).bind(rec.decided_at)
                    .execute(&mut *tx).await?;
            }
        });
        Ok(())
    }

    /// Decisions recorded for an evaluation.
    pub async fn decisions(&self, evaluation_id: i64) -> Result<Vec<DecisionRecord>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT kind, recommended, decided, agrees, actor, reason, decided_at FROM decision_record WHERE evaluation_id = $1 ORDER BY id")
                .bind(evaluation_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(DecisionRecord {
                kind: r.try_get("kind")?,
                recommended: r.try_get("recommended")?,
                decided: r.try_get("decided")?,
                agrees: r.try_get("agrees")?,
                actor: r.try_get("actor")?,
                reason: r.try_get("reason")?,
                decided_at: r.try_get("decided_at")?,
            })).collect()
        })
    }

    /// The stored report of a finished evaluation, parsed.
    pub async fn stored_report(&self, evaluation_id: i64) -> Result<Report, StoreError> {
        let json = self.report_json(evaluation_id).await?.ok_or_else(|| {
            StoreError::Conflict(format!(
                "evaluasi {evaluation_id} belum selesai sehingga belum memiliki laporan / evaluation {evaluation_id} has not finished, so it has no report"
            ))
        })?;
        serde_json::from_str(&json).map_err(|e| {
            StoreError::Corrupt(format!(
                "laporan evaluasi {evaluation_id} / report of evaluation {evaluation_id}: {e}"
            ))
        })
    }

    /// Findings excluded from decisions for an application at `now`.
    pub async fn exclusions(
        &self,
        application_id: i64,
        now: OffsetDateTime,
    ) -> Result<Exclusions, StoreError> {
        let states = self.finding_states(application_id).await?;
        Ok(Exclusions {
            fingerprints: states
                .into_iter()
                .filter(|s| match s.status {
                    FindingStatus::FalsePositive => true,
                    FindingStatus::AcceptedRisk => s.until.is_none_or(|u| u > now),
                    _ => false,
                })
                .map(|s| s.fingerprint)
                .collect(),
        })
    }

    /// Every finding of an application with its lifecycle status.
    pub async fn finding_states(
        &self,
        application_id: i64,
    ) -> Result<Vec<FindingState>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT fingerprint, item_id, locator, status, first_seen_eval, last_seen_eval, actor, reason, until, updated_at FROM finding_state WHERE application_id = $1 ORDER BY item_id, locator")
                .bind(application_id).fetch_all(pool).await?;
            rows.iter().map(|r| {
                let status: String = r.try_get("status")?;
                Ok(FindingState {
                    fingerprint: r.try_get("fingerprint")?,
                    item_id: r.try_get("item_id")?,
                    locator: r.try_get("locator")?,
                    status: FindingStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("finding status '{status}'")))?,
                    first_seen_eval: r.try_get("first_seen_eval")?,
                    last_seen_eval: r.try_get("last_seen_eval")?,
                    actor: r.try_get("actor")?,
                    reason: r.try_get("reason")?,
                    until: r.try_get("until")?,
                    updated_at: r.try_get("updated_at")?,
                })
            }).collect()
        })
    }

    /// A person changes a finding's status (fix reported, accepted risk, false positive, reopened).
    pub async fn set_finding_status(
        &self,
        application_id: i64,
        fingerprint: &str,
        status: FindingStatus,
        actor: &str,
        reason: &str,
        until: Option<OffsetDateTime>,
    ) -> Result<FindingState, StoreError> {
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
            let row = sqlx::query("SELECT status FROM finding_state WHERE application_id = $1 AND fingerprint = $2")
                .bind(application_id).bind(fingerprint).fetch_optional(&mut *tx).await?;
            let Some(row) = row else {
                return Err(StoreError::NotFound { what: "temuan/finding", name: fingerprint.to_string() });
            };
            let from: String = row.try_get("status")?;
            sqlx::query("UPDATE finding_state SET status = $1, actor = $2, reason = $3, until = $4, updated_at = $5 WHERE application_id = $6 AND fingerprint = $7")
                .bind(status.as_str()).bind(actor).bind(reason).bind(until).bind(now)
                .bind(application_id).bind(fingerprint).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO finding_event (application_id, fingerprint, evaluation_id, from_status, to_status, actor, reason, at) VALUES ($1,$2,NULL,$3,$4,$5,$6,$7)")
                .bind(application_id).bind(fingerprint).bind(&from).bind(status.as_str()).bind(actor).bind(reason).bind(now)
                .execute(&mut *tx).await?;
        });
        self.finding_states(application_id)
            .await?
            .into_iter()
            .find(|s| s.fingerprint == fingerprint)
            .ok_or_else(|| StoreError::NotFound {
                what: "temuan/finding",
                name: fingerprint.to_string(),
            })
    }

    /// Resolves a fingerprint prefix (as shown in listings) to the full fingerprint.
    pub async fn resolve_fingerprint(
        &self,
        application_id: i64,
        prefix: &str,
    ) -> Result<String, StoreError> {
        let states = self.finding_states(application_id).await?;
        let hits: Vec<&FindingState> = states
            .iter()
            .filter(|s| s.fingerprint.starts_with(prefix.trim()))
            .collect();
        match hits.as_slice() {
            [one] => Ok(one.fingerprint.clone()),
            [] => Err(StoreError::NotFound {
                what: "temuan/finding",
                name: prefix.to_string(),
            }),
            _ => Err(StoreError::Conflict(format!(
                "awalan '{prefix}' cocok dengan {} temuan; tulis lebih panjang / prefix '{prefix}' matches {} findings; give more characters",
                hits.len(),
                hits.len()
            ))),
        }
    }

    /// Lifecycle history of one finding: (from, to, actor, reason, evaluation, at).
    #[allow(clippy::type_complexity)]
    pub async fn finding_events(
        &self,
        application_id: i64,
        fingerprint: &str,
    ) -> Result<
        Vec<(
            Option<String>,
            String,
            String,
            String,
            Option<i64>,
            OffsetDateTime,
        )>,
        StoreError,
    > {
        on!(self, pool => {
            let rows = sqlx::query("SELECT from_status, to_status, actor, reason, evaluation_id, at FROM finding_event WHERE application_id = $1 AND fingerprint = $2 ORDER BY id")
                .bind(application_id).bind(fingerprint).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("from_status")?, r.try_get("to_status")?, r.try_get("actor")?, r.try_get("reason")?, r.try_get("evaluation_id")?, r.try_get("at")?))).collect()
        })
    }

    /// New / fixed / still open against the previous finished evaluation of the same application.
    pub async fn trend(&self, evaluation_id: i64) -> Result<Trend, StoreError> {
        let prev: Option<i64> = on!(self, pool => {
            let r = sqlx::query("SELECT p.id FROM evaluation e JOIN evaluation p ON p.application_id = e.application_id AND p.id < e.id AND p.status = 'finished' WHERE e.id = $1 ORDER BY p.id DESC LIMIT 1")
                .bind(evaluation_id).fetch_optional(pool).await?;
            match r { Some(r) => Some(r.try_get::<i64, _>("id")?), None => None }
        });
        let now = self.failing_fingerprints(evaluation_id).await?;
        let Some(prev) = prev else {
            return Ok(Trend {
                previous: None,
                new: now.len(),
                fixed: 0,
                still_open: 0,
            });
        };
        let before = self.failing_fingerprints(prev).await?;
        Ok(Trend {
            previous: Some(prev),
            new: now.difference(&before).count(),
            fixed: before.difference(&now).count(),
            still_open: now.intersection(&before).count(),
        })
    }

    async fn failing_fingerprints(
        &self,
        evaluation_id: i64,
    ) -> Result<BTreeSet<String>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT fingerprint FROM finding WHERE evaluation_id = $1 AND outcome = 'fail'")
                .bind(evaluation_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(r.try_get("fingerprint")?)).collect()
        })
    }

    /// Failed-item counts of the application's finished evaluations up to `evaluation_id`.
    pub async fn history_points(
        &self,
        evaluation_id: i64,
        limit: i64,
    ) -> Result<Vec<HistoryPoint>, StoreError> {
        let mut points: Vec<HistoryPoint> = on!(self, pool => {
            let rows = sqlx::query("SELECT p.id, p.finished_at, (SELECT COUNT(*) FROM finding f WHERE f.evaluation_id = p.id AND f.outcome = 'fail') AS failures FROM evaluation e JOIN evaluation p ON p.application_id = e.application_id AND p.id <= e.id AND p.status = 'finished' WHERE e.id = $1 ORDER BY p.id DESC LIMIT $2")
                .bind(evaluation_id).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(HistoryPoint { id: r.try_get("id")?, finished_at: r.try_get("finished_at")?, failures: r.try_get("failures")? })).collect::<Result<Vec<_>, StoreError>>()?
        });
        points.reverse();
        Ok(points)
    }
}

/// A stored finding as the lifecycle sees it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Known {
    pub status: FindingStatus,
    pub until: Option<OffsetDateTime>,
    pub item_id: String,
}

/// What one finished evaluation changes in the lifecycle of its application's findings: new
/// failures open, failures of fixed findings reopen, expired accepted risks reopen, and open
/// findings no longer failing in an item that gave a conclusive result become verified fixed.
pub(super) fn lifecycle_changes(
    report: &Report,
    existing: &BTreeMap<String, Known>,
    now: OffsetDateTime,
) -> Vec<Change> {
    let mut out = Vec::new();
    let mut failing = BTreeSet::new();
    let evaluated: Vec<&crate::evaluation::ItemResult> = report
        .items
        .iter()
        .filter(|i| report.retested_items.is_empty() || report.retested_items.contains(&i.id))
        .collect();
    for item in &evaluated {
        for o in item
            .observations
            .iter()
            .filter(|o| o.outcome == Outcome::Fail)
        {
            let Some(fp) = o.fingerprint.clone() else {
                continue;
            };
            if !failing.insert(fp.clone()) {
                continue;
            }
            let to = match existing.get(&fp).map(|k| (k.status, k.until)) {
                None => Some(FindingStatus::Open),
                Some((FindingStatus::FixReported | FindingStatus::VerifiedFixed, _)) => {
                    Some(FindingStatus::Reopened)
                }
                Some((FindingStatus::AcceptedRisk, Some(until))) if until <= now => {
                    Some(FindingStatus::Reopened)
                }
                Some(_) => None,
            };
            out.push(Change {
                fingerprint: fp,
                item_id: item.id.clone(),
                locator: o.locator.clone(),
                seen: true,
                to,
            });
        }
    }
    // Only an item that gave a conclusive automated result this time can show a fix.
    let conclusive: BTreeSet<&str> = evaluated
        .iter()
        .filter(|i| {
            i.manual.is_none()
                && matches!(
                    i.outcome,
                    Outcome::Pass | Outcome::Fail | Outcome::NotApplicable { .. }
                )
        })
        .map(|i| i.id.as_str())
        .collect();
    for (fp, k) in existing {
        if failing.contains(fp) || !k.status.is_open() || !conclusive.contains(k.item_id.as_str()) {
            continue;
        }
        out.push(Change {
            fingerprint: fp.clone(),
            item_id: k.item_id.clone(),
            locator: None,
            seen: false,
            to: Some(FindingStatus::VerifiedFixed),
        });
    }
    out
}

/// One lifecycle change to write.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Change {
    pub fingerprint: String,
    pub item_id: String,
    pub locator: Option<String>,
    /// Failing in this evaluation (updates `last_seen_eval`).
    pub seen: bool,
    /// New status, if it changes.
    pub to: Option<FindingStatus>,
}
