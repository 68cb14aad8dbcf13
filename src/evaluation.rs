//! Runs a checklist against a target and decides whether it meets the standard.

use crate::checklist::{Checklist, Item};
use crate::checks::{Check, Context, Observation};
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
    #[error("checklists/policy.toml: {0}")]
    Policy(String),
}

/// Decision policy (data: `checklists/policy.toml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Thresholds for "meets the standard".
    pub standard: StandardPolicy,
}

/// Thresholds for decision 1.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StandardPolicy {
    /// A failure at or above this severity fails the standard.
    pub fail_at: Severity,
    /// An inconclusive item at or above this severity fails the standard.
    pub inconclusive_at: Severity,
}

impl Policy {
    /// The policy shipped with the binary.
    pub fn builtin() -> Result<Policy, EvalError> {
        toml::from_str(include_str!("../checklists/policy.toml"))
            .map_err(|e| EvalError::Policy(e.to_string()))
    }
}

/// The outcome of one checklist item in an evaluation.
#[derive(Debug, Clone, Serialize)]
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
}

/// Counts by outcome.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
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

/// Decision 1: meets / does not meet the standard (a recommendation for the head of office).
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// Whether the automated results meet the standard.
    pub meets_standard: bool,
    /// "Memenuhi Standar" / "Belum Memenuhi Standar".
    pub label: Text,
    /// Items that decided it.
    pub deciding_items: Vec<String>,
    /// Why, in words.
    pub rationale: Text,
}

/// A finished evaluation: every item, the decision, and the figures.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Document schema.
    pub schema: &'static str,
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
    /// Every checklist item, in checklist order.
    pub items: Vec<ItemResult>,
}

/// Tool identity.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// "kawal".
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

/// Which checklist was used.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistRef {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
}

impl Report {
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
                for o in obs {
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
    let decision = decide(policy, &items);
    Ok(Report {
        schema: SCHEMA,
        tool: Tool {
            name: "kawal",
            version: env!("CARGO_PKG_VERSION"),
        },
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
        decision,
        items,
    })
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

/// Applies the policy to item outcomes.
pub fn decide(policy: &Policy, items: &[ItemResult]) -> Decision {
    let p = &policy.standard;
    let failing: Vec<&ItemResult> = items
        .iter()
        .filter(|i| match i.outcome {
            Outcome::Fail => i.severity >= p.fail_at,
            Outcome::Inconclusive { .. } => i.severity >= p.inconclusive_at,
            _ => false,
        })
        .collect();
    let deciding_items: Vec<String> = failing.iter().map(|i| i.id.clone()).collect();
    if failing.is_empty() {
        Decision {
            meets_standard: true,
            label: Text::new("Memenuhi Standar", "Meets the Standard"),
            deciding_items,
            rationale: Text::new(
                format!(
                    "Tidak ada butir otomatis yang gagal pada tingkat risiko {} ke atas, dan tidak ada butir {} ke atas yang tidak dapat disimpulkan.",
                    p.fail_at.label(crate::i18n::Lang::Id),
                    p.inconclusive_at.label(crate::i18n::Lang::Id)
                ),
                format!(
                    "No automated item failed at {} severity or above, and no {} or higher item was inconclusive.",
                    p.fail_at, p.inconclusive_at
                ),
            ),
        }
    } else {
        let fails = failing
            .iter()
            .filter(|i| i.outcome == Outcome::Fail)
            .count();
        let inc = failing.len() - fails;
        Decision {
            meets_standard: false,
            label: Text::new("Belum Memenuhi Standar", "Does Not Yet Meet the Standard"),
            rationale: Text::new(
                format!(
                    "{fails} butir gagal pada tingkat risiko {} ke atas dan {inc} butir tingkat {} ke atas tidak dapat disimpulkan: {}.",
                    p.fail_at.label(crate::i18n::Lang::Id),
                    p.inconclusive_at.label(crate::i18n::Lang::Id),
                    deciding_items.join(", ")
                ),
                format!(
                    "{fails} item(s) failed at {} severity or above and {inc} item(s) of {} or above were inconclusive: {}.",
                    p.fail_at,
                    p.inconclusive_at,
                    deciding_items.join(", ")
                ),
            ),
            deciding_items,
        }
    }
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
        }
    }

    #[test]
    fn builtin_policy_loads() {
        let p = Policy::builtin().expect("policy");
        assert_eq!(p.standard.fail_at, Severity::Medium);
    }

    #[test]
    fn decision_follows_thresholds() {
        let p = Policy::builtin().expect("policy");
        let low_fail = [
            item("a", Severity::Low, Outcome::Fail),
            item("m", Severity::Critical, Outcome::Manual),
        ];
        assert!(decide(&p, &low_fail).meets_standard);
        let med_fail = [item("a", Severity::Medium, Outcome::Fail)];
        let d = decide(&p, &med_fail);
        assert!(!d.meets_standard);
        assert_eq!(d.deciding_items, vec!["a".to_string()]);
        let inc_high = [item("x", Severity::High, Outcome::inconclusive("-", "-"))];
        assert!(!decide(&p, &inc_high).meets_standard);
        let inc_med = [item("x", Severity::Medium, Outcome::inconclusive("-", "-"))];
        assert!(decide(&p, &inc_med).meets_standard);
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
