//! Runs a checklist against a target and decides whether it meets the standard.

use crate::checklist::{Checklist, Item};
use crate::checks::{Check, Context, Observation};
pub use crate::decision::{ActionDecision, Decision, Exclusions, Facts, Policy};
use crate::i18n::Text;
use crate::model::{Outcome, Severity};
use crate::net::NetError;
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Version of the JSON document [`Report`] serialises to.
pub const SCHEMA: &str = "kawal.evaluation/1";

/// An evaluation could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The target could not be reached at all.
    #[error("target tidak dapat dijangkau / target unreachable: {0}")]
    Unreachable(NetError),
    /// The decision policy file is invalid.
    #[error(transparent)]
    Policy(#[from] crate::decision::PolicyError),
}

/// The outcome of one checklist item in an evaluation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemResult {
    /// Item id.
    pub id: String,
    /// Area id.
    pub area: String,
    /// Severity of a failure.
    pub severity: Severity,
    /// Producing check or `manual`.
    pub check: String,
    /// Title.
    pub title: Text,
    /// Aggregated outcome (the worst instance).
    pub outcome: Outcome,
    /// Instances behind it.
    pub observations: Vec<Observation>,
    /// The analysis team's record, for an item evaluated by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<ManualRecord>,
}

/// What the analysis team recorded for a manual item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManualRecord {
    /// Who recorded it.
    pub actor: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// Note.
    #[serde(default)]
    pub note: String,
    /// Attachment file name, if one was attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    /// SHA-256 of the attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_sha256: Option<String>,
}

/// Counts by outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// Items passed.
    pub pass: usize,
    /// Items failed.
    pub fail: usize,
    /// Items inconclusive.
    pub inconclusive: usize,
    /// Items not applicable.
    pub not_applicable: usize,
    /// Items left to the analysis team.
    pub manual: usize,
    /// Failed items per severity.
    pub fail_by_severity: BTreeMap<Severity, usize>,
}

/// A finished evaluation: every item, the decision, and the figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Document schema.
    pub schema: String,
    /// Tool and version.
    pub tool: Tool,
    /// Checklist id and version.
    pub checklist: ChecklistRef,
    /// Scanned URL.
    pub target: String,
    /// Registered application, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Start time.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// End time.
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// Requests sent to the target.
    pub requests_sent: u64,
    /// Counts.
    pub summary: Summary,
    /// Decision 1.
    pub decision: Decision,
    /// Decision 2, for an application that does not meet the standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionDecision>,
    /// What the decisions knew about the application.
    #[serde(default)]
    pub facts: Facts,
    /// Items re-run by a retest (empty for a full evaluation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retested_items: Vec<String>,
    /// Every checklist item, in checklist order.
    pub items: Vec<ItemResult>,
}

/// Tool identity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    /// "kawal".
    pub name: String,
    /// Crate version.
    pub version: String,
}

impl Tool {
    /// This build.
    pub fn current() -> Tool {
        Tool {
            name: "kawal".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Which checklist was used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChecklistRef {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
}

impl Report {
    /// Recomputes counts and both decisions (after manual records, exclusions or a retest).
    pub fn redecide(&mut self, policy: &Policy, facts: Facts, excl: &Exclusions) {
        let facts = Facts {
            has_login: facts.has_login || crate::decision::has_login(&self.items),
            ..facts
        };
        self.summary = summarise(&self.items);
        self.decision = crate::decision::decide_standard(policy, &self.items, excl);
        self.action =
            crate::decision::decide_action(policy, &self.decision, &self.items, excl, &facts);
        self.facts = facts;
    }

    /// Re-decides decision 1 from the automated items alone (`kawal scan`) and says so.
    pub fn automated_only(&mut self, policy: &Policy) {
        let facts = self.facts;
        let mut policy = policy.clone();
        policy.standard.pending_manual.enabled = false;
        self.redecide(&policy, facts, &Exclusions::default());
        let manual = self.summary.manual;
        let d = &mut self.decision;
        d.rationale = Text::new(
            format!(
                "{} Hanya butir otomatis yang dinilai (kawal scan); {manual} butir manual tidak dinilai.",
                d.rationale.id
            ),
            format!(
                "{} Automated items only (kawal scan); {manual} manual item(s) not assessed.",
                d.rationale.en
            ),
        );
    }

    /// How much of the target the automated items could observe: `(inconclusive, judged)`,
    /// where judged counts passed, failed and inconclusive items (manual and not-applicable
    /// items are not observations of the target).
    pub fn observation(&self) -> (usize, usize) {
        let s = &self.summary;
        (s.inconclusive, s.pass + s.fail + s.inconclusive)
    }

    /// Whether most automated items could not be judged: a scan that saw too little of the
    /// target to vouch for it (a server that does not speak HTTP, a landing page that never
    /// arrived) must not pass a CI gate silently.
    pub fn mostly_unobserved(&self) -> bool {
        let (inconclusive, judged) = self.observation();
        judged == 0 || inconclusive * 2 > judged
    }

    /// Items whose outcome is a failure at or above `min`.
    pub fn failures_at_or_above(&self, min: Severity) -> impl Iterator<Item = &ItemResult> {
        self.items
            .iter()
            .filter(move |i| i.outcome == Outcome::Fail && i.severity >= min)
    }
}

/// Something to tell the user while checks run.
pub trait Progress: Send + Sync {
    /// A check finished.
    fn check_done(&self, name: &str);
}

impl Progress for () {
    fn check_done(&self, _: &str) {}
}

/// Runs every automated check the checklist needs and assembles the report.
pub async fn run(
    checklist: &Checklist,
    policy: &Policy,
    checks: &[Box<dyn Check>],
    ctx: &Context,
    application: Option<String>,
    decide: (Facts, &Exclusions),
    progress: &dyn Progress,
) -> Result<Report, EvalError> {
    let started_at = OffsetDateTime::now_utc();
    // Reachability first: an unreachable target is an incomplete scan, not a list of inconclusives.
    if let Err(e) = ctx.landing().await
        && e.is_unreachable()
    {
        return Err(EvalError::Unreachable(e));
    }
    let wanted: Vec<&dyn Check> = checks
        .iter()
        .map(|c| c.as_ref())
        .filter(|c| checklist.items.iter().any(|i| i.check == c.name()))
        .collect();
    let results = join_all(wanted.iter().map(|c| async move {
        let r = c.run(ctx).await;
        progress.check_done(c.name());
        (c.name(), r)
    }))
    .await;
    let mut by_item: BTreeMap<String, Vec<Observation>> = BTreeMap::new();
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    for (name, r) in results {
        match r {
            Ok(obs) => {
                for mut o in obs {
                    o.fingerprint = Some(crate::model::fingerprint(
                        ctx.target.as_str(),
                        &o.item_id,
                        o.locator.as_deref(),
                    ));
                    if !ctx.options.keep_personal_data {
                        mask_personal_data(&mut o);
                    }
                    by_item.entry(o.item_id.clone()).or_default().push(o);
                }
            }
            Err(e) => {
                errors.insert(name, e.to_string());
            }
        }
    }
    let items: Vec<ItemResult> = checklist
        .items
        .iter()
        .map(|it| item_result(it, checks, &mut by_item, &errors))
        .collect();
    let summary = summarise(&items);
    let mut report = Report {
        schema: SCHEMA.into(),
        tool: Tool::current(),
        checklist: ChecklistRef {
            id: checklist.checklist.id.clone(),
            version: checklist.checklist.version.clone(),
        },
        target: ctx.target.to_string(),
        application,
        started_at,
        finished_at: OffsetDateTime::now_utc(),
        requests_sent: ctx.http.requests_sent(),
        summary,
        decision: crate::decision::decide_standard(policy, &[], decide.1),
        action: None,
        facts: decide.0,
        retested_items: Vec::new(),
        items,
    };
    report.redecide(policy, decide.0, decide.1);
    Ok(report)
}

/// Masks personal data in what an observation stores and shows (after its fingerprint, so the
/// same finding is still recognised across evaluations).
pub fn mask_personal_data(o: &mut Observation) {
    use crate::net::mask::{mask, mask_evidence};
    for e in &mut o.evidence {
        mask_evidence(e);
    }
    if let Some(l) = o.locator.as_mut() {
        *l = mask(l).0;
    }
    o.summary = Text::new(mask(&o.summary.id).0, mask(&o.summary.en).0);
}

fn item_result(
    it: &Item,
    checks: &[Box<dyn Check>],
    by_item: &mut BTreeMap<String, Vec<Observation>>,
    errors: &BTreeMap<&str, String>,
) -> ItemResult {
    let observations = by_item.remove(&it.id).unwrap_or_default();
    let outcome = if it.is_manual() {
        Outcome::Manual
    } else if !checks.iter().any(|c| c.name() == it.check) {
        // Planned module not in this build: the team records it by hand meanwhile.
        Outcome::Manual
    } else if let Some(err) = errors.get(it.check.as_str()) {
        Outcome::inconclusive(
            format!("Pemeriksaan '{}' tidak dapat dijalankan: {err}", it.check),
            format!("Check '{}' could not run: {err}", it.check),
        )
    } else {
        observations
            .iter()
            .map(|o| &o.outcome)
            .max_by_key(|o| o.rank())
            .cloned()
            .unwrap_or_else(|| {
                Outcome::inconclusive(
                    format!(
                        "Pemeriksaan '{}' tidak menghasilkan hasil untuk butir ini.",
                        it.check
                    ),
                    format!("Check '{}' produced no result for this item.", it.check),
                )
            })
    };
    ItemResult {
        id: it.id.clone(),
        area: it.area.clone(),
        severity: it.severity,
        check: it.check.clone(),
        title: it.title.clone(),
        outcome,
        observations,
        manual: None,
    }
}

/// Counts outcomes.
pub fn summarise(items: &[ItemResult]) -> Summary {
    let mut s = Summary::default();
    for i in items {
        match i.outcome {
            Outcome::Pass => s.pass += 1,
            Outcome::Fail => {
                s.fail += 1;
                *s.fail_by_severity.entry(i.severity).or_default() += 1;
            }
            Outcome::Inconclusive { .. } => s.inconclusive += 1,
            Outcome::NotApplicable { .. } => s.not_applicable += 1,
            Outcome::Manual => s.manual += 1,
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, sev: Severity, outcome: Outcome) -> ItemResult {
        ItemResult {
            id: id.into(),
            area: "b".into(),
            severity: sev,
            check: "cookies".into(),
            title: Text::new("t", "t"),
            outcome,
            observations: vec![],
            manual: None,
        }
    }

    #[test]
    fn summary_counts_by_severity() {
        let s = summarise(&[
            item("a", Severity::High, Outcome::Fail),
            item("b", Severity::High, Outcome::Fail),
            item("c", Severity::Low, Outcome::Pass),
        ]);
        assert_eq!((s.fail, s.pass), (2, 1));
        assert_eq!(s.fail_by_severity.get(&Severity::High), Some(&2));
    }
}
