//! The evaluation SOP as the team records it: steps, manual items, the two decisions, and
//! finding status changes. Who records is the acting account, never free text.

use super::evaluations::branch;
use super::{Actor, Event, Service, ServiceError};
use crate::decision::{Action, Policy};
use crate::i18n::Lang;
use crate::model::Outcome;
use crate::sop::{Sop, StepRecord};
use crate::store::{DecisionRecord, FindingState, FindingStatus, ManualResult};
use serde::Deserialize;
use time::OffsetDateTime;

fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Decision 1 and/or 2 as asked for.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideInput {
    /// Decision 1: `met` or `not_met`.
    pub standard: Option<String>,
    /// Decision 2: `shutdown` or `monitoring`.
    pub action: Option<String>,
    /// Why; required when overriding the recommendation.
    #[serde(default)]
    pub reason: String,
}

/// A manual checklist item as recorded.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualInput {
    /// Item id, e.g. `manual.k33`.
    pub item: String,
    /// `pass`, `fail`, `na` or `inconclusive`.
    pub outcome: String,
    /// Note (reason for na/inconclusive).
    #[serde(default)]
    pub note: String,
}

/// An SOP step as recorded.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// Output document, e.g. "Nota Dinas 005/…".
    #[serde(default)]
    pub output: String,
    /// Note.
    #[serde(default)]
    pub note: String,
    /// Skipped rather than done.
    #[serde(default)]
    pub skip: bool,
    /// Role that did it (default: the SOP's role for the step).
    pub role: Option<String>,
}

/// A finding status change as asked for.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingStatusInput {
    /// `fix_reported`, `accepted_risk`, `false_positive` or `open`.
    pub status: String,
    /// Why.
    pub reason: String,
    /// For `accepted_risk`: until this day (YYYY-MM-DD).
    pub until: Option<String>,
}

impl Actor {
    /// The name a record carries: the account's user name; without accounts, the name the
    /// local operator gives (required).
    pub fn record_name(&self, given: Option<&str>) -> Result<String, ServiceError> {
        let given = given.map(str::trim).filter(|g| !g.is_empty());
        match (&self.account, given) {
            (Some(a), None) => Ok(a.username.clone()),
            (Some(a), Some(g)) if g == a.username || g == a.name => Ok(a.username.clone()),
            (Some(a), Some(g)) => Err(invalid(
                "actor",
                format!(
                    "'{g}' bukan akun yang bertindak ({}) / is not the acting account ({})",
                    a.username, a.username
                ),
            )),
            (None, Some(g)) => Ok(g.to_string()),
            (None, None) => Err(invalid(
                "actor",
                "--actor tidak boleh kosong / --actor must not be empty",
            )),
        }
    }
}

fn policy() -> Result<Policy, ServiceError> {
    Policy::builtin().map_err(|e| ServiceError::Internal(e.to_string()))
}

fn sop() -> Result<Sop, ServiceError> {
    Sop::builtin().map_err(|e| ServiceError::Internal(e.to_string()))
}

fn manual_outcome(s: &str, note: &str) -> Result<Outcome, ServiceError> {
    Ok(match s {
        "pass" => Outcome::Pass,
        "fail" => Outcome::Fail,
        "na" => Outcome::not_applicable(note.to_string(), note.to_string()),
        "inconclusive" => Outcome::inconclusive(note.to_string(), note.to_string()),
        _ => return Err(invalid("outcome", "pass, fail, na, inconclusive")),
    })
}

impl Service {
    async fn eval_agency(
        &self,
        actor: &Actor,
        perm: &str,
        id: i64,
    ) -> Result<Option<String>, ServiceError> {
        let scope = self.require(actor, perm)?;
        let (_, agency) =
            self.store
                .evaluation_in_scope(&scope, id)
                .await?
                .ok_or(ServiceError::NotFound {
                    what: "evaluasi/evaluation",
                    name: id.to_string(),
                })?;
        Ok(agency)
    }

    /// Records a manual item (with an optional attachment) and re-decides the evaluation.
    pub async fn record_manual(
        &self,
        actor: &Actor,
        id: i64,
        input: &ManualInput,
        given_name: Option<&str>,
        attachment: Option<(String, Vec<u8>)>,
    ) -> Result<(ManualResult, crate::i18n::Text), ServiceError> {
        let agency = self.eval_agency(actor, "evaluation:record", id).await?;
        let name = actor.record_name(given_name)?;
        let report = self.store.stored_report(id).await?;
        let Some(item) = report.items.iter().find(|i| i.id == input.item) else {
            return Err(invalid(
                "item",
                format!(
                    "butir '{}' tidak ada pada evaluasi {id} / item '{}' is not in evaluation {id} (lihat / see: kawal checklist list)",
                    input.item, input.item
                ),
            ));
        };
        if item.check != "manual" && item.outcome != Outcome::Manual {
            return Err(invalid(
                "item",
                format!(
                    "butir '{}' diperiksa otomatis oleh '{}'; hasilnya tidak dicatat manual. Untuk menyanggah temuannya gunakan / item '{}' is checked automatically by '{}'; to dispute its findings use: kawal finding set APP SIDIK false_positive",
                    input.item, item.check, input.item, item.check
                ),
            ));
        }
        let outcome = manual_outcome(&input.outcome, &input.note)?;
        let row = self.store.evaluation(id).await?;
        let excl = match row.application_id {
            Some(app) => self.store.exclusions(app, self.now()).await?,
            None => Default::default(),
        };
        let p = policy()?;
        let facts = report.facts;
        let mut decided = crate::i18n::Text::default();
        let rec = self
            .store
            .record_manual(
                id,
                &input.item,
                outcome,
                &name,
                &input.note,
                attachment.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
                |r| {
                    r.redecide(&p, facts, &excl);
                    decided = r.decision.label.clone();
                },
            )
            .await?;
        let mut e = Event::on("evaluation.manual", "evaluation", id);
        e.agency = agency;
        e.after = Some(serde_json::json!({
            "item": rec.item_id, "outcome": rec.outcome, "note": rec.note,
            "attachment": rec.attachment_name, "attachment_sha256": rec.attachment_sha256,
        }));
        self.audit(actor, e).await?;
        Ok((rec, decided))
    }

    /// Records an SOP step (not the decision steps: see [`Service::decide`]).
    pub async fn advance_step(
        &self,
        actor: &Actor,
        id: i64,
        step: &str,
        input: &StepInput,
        given_name: Option<&str>,
        lang: Lang,
    ) -> Result<StepRecord, ServiceError> {
        let agency = self.eval_agency(actor, "evaluation:record", id).await?;
        let name = actor.record_name(given_name)?;
        let sop = sop()?;
        let Some(def) = sop.step(step) else {
            return Err(invalid(
                "step",
                format!(
                    "langkah SOP '{step}' tidak dikenal / unknown SOP step '{step}' (pilihan / choose: {})",
                    sop.keys()
                ),
            ));
        };
        if matches!(step, "keputusan-standar" | "keputusan-tindakan") {
            return Err(invalid(
                "step",
                format!(
                    "langkah keputusan dicatat dengan / decision steps are recorded with: kawal evaluation decide {id} --standard|--action …"
                ),
            ));
        }
        let role = input
            .role
            .clone()
            .unwrap_or_else(|| def.role.get(lang).to_string());
        let rec = self
            .store
            .record_step(
                id,
                step,
                input.skip,
                &name,
                &role,
                &input.output,
                &input.note,
            )
            .await?;
        let mut e = Event::on("evaluation.step", "evaluation", id);
        e.agency = agency;
        e.after = Some(
            serde_json::json!({ "step": rec.step, "skipped": rec.skipped, "role": rec.role, "output": rec.output }),
        );
        self.audit(actor, e).await?;
        Ok(rec)
    }

    /// Records decision 1 and/or decision 2 beside the recommendation; overriding it needs a
    /// reason, and decision 2 applies only to an application that does not meet the standard.
    pub async fn decide(
        &self,
        actor: &Actor,
        id: i64,
        input: &DecideInput,
        given_name: Option<&str>,
        lang: Lang,
    ) -> Result<Vec<DecisionRecord>, ServiceError> {
        let agency = self.eval_agency(actor, "evaluation:decide", id).await?;
        let name = actor.record_name(given_name)?;
        let report = self.store.stored_report(id).await?;
        let sop = sop()?;
        let now: OffsetDateTime = self.now();
        // One record per decision: an override of the recommendation must say why.
        let record = |kind: &str, recommended: &str, decided: &str| {
            let agrees = recommended == decided;
            if !agrees && input.reason.trim().is_empty() {
                return Err(invalid(
                    "reason",
                    "keputusan berbeda dari rekomendasi wajib disertai alasan / a decision that overrides the recommendation needs a reason (--reason)",
                ));
            }
            Ok(DecisionRecord {
                kind: kind.into(),
                recommended: recommended.into(),
                decided: decided.into(),
                agrees,
                actor: name.clone(),
                reason: input.reason.clone(),
                decided_at: now,
            })
        };
        let role_of = |key: &str| {
            sop.step(key)
                .map(|s| s.role.get(lang).to_string())
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        if let Some(s) = &input.standard {
            let decided = match s.as_str() {
                "met" => "met",
                "not_met" | "not-met" => "not_met",
                _ => return Err(invalid("standard", "met, not_met")),
            };
            let recommended = if report.decision.meets_standard {
                "met"
            } else {
                "not_met"
            };
            let rec = record("standard", recommended, decided)?;
            self.store
                .record_decision(
                    id,
                    &rec,
                    Some(("keputusan-standar", &role_of("keputusan-standar"))),
                )
                .await?;
            out.push(rec);
        }
        if let Some(a) = &input.action {
            let decided = match a.as_str() {
                "shutdown" => Action::Shutdown,
                "monitoring" => Action::Monitoring,
                _ => return Err(invalid("action", "shutdown, monitoring")),
            };
            let decisions = self.store.decisions(id).await?;
            if branch(&report, &decisions).meets_standard == Some(true) {
                return Err(invalid(
                    "action",
                    "keputusan 2 hanya untuk aplikasi yang belum memenuhi standar / decision 2 applies only to an application that does not meet the standard",
                ));
            }
            let recommended = report
                .action
                .as_ref()
                .map(|x| x.action)
                .unwrap_or(Action::Monitoring);
            let rec = record("action", recommended.as_str(), decided.as_str())?;
            self.store
                .record_decision(
                    id,
                    &rec,
                    Some(("keputusan-tindakan", &role_of("keputusan-tindakan"))),
                )
                .await?;
            out.push(rec);
        }
        if out.is_empty() {
            return Err(invalid(
                "standard",
                "sebutkan keputusan / name a decision (standard and/or action)",
            ));
        }
        let mut e = Event::on("evaluation.decide", "evaluation", id);
        e.agency = agency;
        e.after = serde_json::to_value(&out).ok();
        self.audit(actor, e).await?;
        Ok(out)
    }

    /// Changes a finding's status on an application; exclusions re-decide its latest
    /// evaluation. Owners may only report a fix.
    pub async fn set_finding_status(
        &self,
        actor: &Actor,
        app_key: &str,
        fingerprint: &str,
        input: &FindingStatusInput,
        given_name: Option<&str>,
    ) -> Result<FindingState, ServiceError> {
        let status = FindingStatus::parse(&input.status).ok_or_else(|| {
            invalid(
                "status",
                "fix_reported, accepted_risk, false_positive, open",
            )
        })?;
        let perm = if status == FindingStatus::FixReported && !self.may(actor, "finding:write") {
            "finding:report-fix"
        } else {
            "finding:write"
        };
        let app = self.app_for(actor, perm, app_key).await?;
        if matches!(
            status,
            FindingStatus::VerifiedFixed | FindingStatus::Reopened
        ) {
            return Err(invalid(
                "status",
                format!(
                    "status '{}' hanya ditetapkan oleh uji ulang / is set only by a retest (kawal retest EVAL)",
                    status.as_str()
                ),
            ));
        }
        let name = actor.record_name(given_name)?;
        if input.reason.trim().is_empty() {
            return Err(invalid("reason", "wajib diisi / required"));
        }
        let until = match &input.until {
            Some(d) => {
                if status != FindingStatus::AcceptedRisk {
                    return Err(invalid(
                        "until",
                        "hanya untuk accepted_risk / applies to accepted_risk only",
                    ));
                }
                let fmt = time::macros::format_description!("[year]-[month]-[day]");
                let day = time::Date::parse(d.trim(), &fmt).map_err(|e| {
                    invalid(
                        "until",
                        format!("'{d}': {e} (YYYY-MM-DD, mis./e.g. 2027-03-31)"),
                    )
                })?;
                Some(day.midnight().assume_utc())
            }
            None => None,
        };
        let fp = self.store.resolve_fingerprint(app.id, fingerprint).await?;
        let before = self
            .store
            .finding_states(app.id)
            .await?
            .into_iter()
            .find(|s| s.fingerprint == fp);
        let st = self
            .store
            .set_finding_status(app.id, &fp, status, &name, input.reason.trim(), until)
            .await?;
        if let Some(latest) = self.store.latest_finished(Some(app.id)).await? {
            let mut report = self.store.stored_report(latest).await?;
            let excl = self.store.exclusions(app.id, self.now()).await?;
            let facts = report.facts;
            report.redecide(&policy()?, facts, &excl);
            self.store.save_report(latest, &report).await?;
        }
        let mut e = Event::on("finding.status", "finding", &fp);
        e.agency = Some(app.agency.clone());
        e.before = before.map(|b| serde_json::json!({ "status": b.status.as_str() }));
        e.after = Some(
            serde_json::json!({ "status": st.status.as_str(), "reason": input.reason.trim(), "until": input.until }),
        );
        self.audit(actor, e).await?;
        Ok(st)
    }
}

/// The SOP record of one evaluation: steps, manual items, recorded decisions.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SopRecord {
    /// Steps recorded.
    pub steps: Vec<StepRecord>,
    /// Manual items recorded.
    pub manual: Vec<ManualResult>,
    /// Decisions recorded.
    pub decisions: Vec<DecisionRecord>,
}

impl Service {
    /// The SOP record of an evaluation the actor may see.
    pub async fn sop_record(&self, actor: &Actor, id: i64) -> Result<SopRecord, ServiceError> {
        self.eval_agency(actor, "evaluation:read", id).await?;
        Ok(SopRecord {
            steps: self.store.steps(id).await?,
            manual: self.store.manual_results(id).await?,
            decisions: self.store.decisions(id).await?,
        })
    }
}
