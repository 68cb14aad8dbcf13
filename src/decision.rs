//! The two decisions of the evaluation SOP, computed from item outcomes under a policy (data:
//! `checklists/policy.toml`): (1) meets / does not meet the standard, and (2) for a failing
//! application, temporary shutdown or continued operation under intensive monitoring and backup.
//!
//! Both are recommendations; the head of office's own decision is recorded next to them.

use crate::evaluation::ItemResult;
use crate::i18n::{Lang, Text};
use crate::model::{Outcome, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The decision policy file is invalid.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct PolicyError {
    /// File (or "bawaan/built-in").
    pub origin: String,
    /// What is wrong, with the key where known.
    pub message: String,
}

/// Decision policy (data: `checklists/policy.toml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Thresholds for decision 1.
    pub standard: StandardPolicy,
    /// Rules for decision 2.
    #[serde(default)]
    pub action: ActionPolicy,
}

/// Thresholds for decision 1.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StandardPolicy {
    /// A failure at or above this severity fails the standard.
    pub fail_at: Severity,
    /// An inconclusive item at or above this severity fails the standard.
    pub inconclusive_at: Severity,
    /// Areas where any failure, whatever its severity, fails the standard.
    #[serde(default)]
    pub strict_areas: Vec<String>,
    /// Manual items not yet recorded that make a "meets" decision provisional.
    #[serde(default)]
    pub pending_manual: PendingManualPolicy,
}

/// When unrecorded manual items make decision 1 provisional.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PendingManualPolicy {
    /// Whether the rule applies at all (`false`: manual items never hold a decision back).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Unrecorded manual items at or above this severity make "meets" provisional.
    #[serde(default = "high")]
    pub provisional_at: Severity,
}

impl Default for PendingManualPolicy {
    fn default() -> Self {
        PendingManualPolicy {
            enabled: true,
            provisional_at: Severity::High,
        }
    }
}

fn yes() -> bool {
    true
}

fn high() -> Severity {
    Severity::High
}

/// Rules for decision 2: the first shutdown rule that matches wins; none means monitoring.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionPolicy {
    /// Situations that call for temporary shutdown.
    #[serde(default)]
    pub shutdown: Vec<ShutdownRule>,
}

/// One situation that calls for temporary shutdown.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShutdownRule {
    /// Rule id, shown with the recommendation.
    pub id: String,
    /// Item ids (a trailing `*` matches a prefix); empty = any item.
    #[serde(default)]
    pub items: Vec<String>,
    /// Only failures at or above this severity count.
    #[serde(default)]
    pub min_severity: Severity,
    /// How many such failed items are needed.
    #[serde(default = "one")]
    pub min_count: usize,
    /// Which applications the rule applies to.
    #[serde(default)]
    pub when: Applies,
    /// Why shutdown, in words a head of office understands.
    pub reason: Text,
}

fn one() -> usize {
    1
}

/// Which applications a shutdown rule applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    /// Every application.
    #[default]
    Any,
    /// Applications holding personal data.
    PersonalData,
    /// Applications serving the public.
    PublicService,
    /// Applications with a login (sessions were observed or test accounts are registered).
    HasLogin,
}

/// What is known about the application, for decision 2.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Holds personal data.
    pub personal_data: bool,
    /// Serves the public.
    pub public_service: bool,
    /// Has a login.
    pub has_login: bool,
}

/// Findings that a person has excluded from the decisions (accepted risk, false positive).
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    /// Fingerprints excluded.
    pub fingerprints: BTreeSet<String>,
}

/// Decision 1: meets / does not meet the standard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Decision {
    /// Whether the results meet the standard.
    pub meets_standard: bool,
    /// "Memenuhi Standar" / "Belum Memenuhi Standar".
    pub label: Text,
    /// Items that decided it.
    pub deciding_items: Vec<String>,
    /// "Meets" holds only until these unrecorded manual items (at or above the policy's
    /// severity) are assessed; empty for a final decision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_manual: Vec<String>,
    /// Items whose failures were all excluded by a person (accepted risk / false positive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_items: Vec<String>,
    /// Why, in words.
    pub rationale: Text,
}

/// What decision 2 recommends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Temporary shutdown for repair or upgrade.
    Shutdown,
    /// Keep running under intensive monitoring and backup during repair.
    Monitoring,
}

impl Action {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Shutdown => "shutdown",
            Action::Monitoring => "monitoring",
        }
    }

    /// Label in the official vocabulary.
    pub fn label(self) -> Text {
        match self {
            Action::Shutdown => Text::new(
                "Penghentian Sementara untuk Perbaikan",
                "Temporary Shutdown for Repair",
            ),
            Action::Monitoring => Text::new(
                "Tetap Beroperasi dengan Pemantauan Intensif dan Pencadangan",
                "Keep Running under Intensive Monitoring and Backup",
            ),
        }
    }

    /// Parses the stable name (also the Indonesian words).
    pub fn parse(s: &str) -> Option<Action> {
        match s.trim().to_ascii_lowercase().as_str() {
            "shutdown" | "penghentian" | "hentikan" => Some(Action::Shutdown),
            "monitoring" | "pemantauan" | "pantau" => Some(Action::Monitoring),
            _ => None,
        }
    }
}

/// Decision 2, for an application that does not meet the standard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ActionDecision {
    /// The recommendation.
    pub action: Action,
    /// Its label.
    pub label: Text,
    /// The policy rule that called for shutdown, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Items behind the recommendation.
    pub items: Vec<String>,
    /// Why, in words a head of office understands.
    pub rationale: Text,
}

impl Policy {
    /// The policy shipped with the binary.
    pub fn builtin() -> Result<Policy, PolicyError> {
        Policy::parse(
            "checklists/policy.toml (bawaan/built-in)",
            include_str!("../checklists/policy.toml"),
        )
    }

    /// Parses and validates a policy file.
    pub fn parse(origin: &str, text: &str) -> Result<Policy, PolicyError> {
        let p: Policy = toml::from_str(text).map_err(|e| PolicyError {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        for (i, r) in p.action.shutdown.iter().enumerate() {
            if r.min_count == 0 {
                return Err(PolicyError {
                    origin: origin.to_string(),
                    message: format!(
                        "action.shutdown[{i}] ('{}'): min_count harus ≥ 1 / must be at least 1",
                        r.id
                    ),
                });
            }
            if r.reason.id.trim().is_empty() || r.reason.en.trim().is_empty() {
                return Err(PolicyError {
                    origin: origin.to_string(),
                    message: format!(
                        "action.shutdown[{i}] ('{}'): reason.id dan reason.en wajib diisi / both reason.id and reason.en are required",
                        r.id
                    ),
                });
            }
        }
        Ok(p)
    }
}

/// Whether item `id` matches a rule pattern (`*` at the end matches a prefix).
fn matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// Whether a person excluded every failing instance of a failed item (accepted risk, false
/// positive), so that the item no longer counts as failing.
pub fn fully_excluded(item: &ItemResult, excl: &Exclusions) -> bool {
    if item.outcome != Outcome::Fail {
        return false;
    }
    let mut failing = item
        .observations
        .iter()
        .filter(|o| o.outcome == Outcome::Fail)
        .peekable();
    failing.peek().is_some()
        && failing.all(|o| {
            o.fingerprint
                .as_deref()
                .is_some_and(|f| excl.fingerprints.contains(f))
        })
}

impl Decision {
    /// "Meets the standard" that still waits for manual items (see [`PendingManualPolicy`]).
    pub fn is_provisional(&self) -> bool {
        self.meets_standard && !self.pending_manual.is_empty()
    }
}

/// Unrecorded manual items at or above the policy's severity, in item order.
pub fn pending_manual(policy: &Policy, items: &[ItemResult]) -> Vec<String> {
    let p = &policy.standard.pending_manual;
    if !p.enabled {
        return Vec::new();
    }
    items
        .iter()
        .filter(|i| i.outcome == Outcome::Manual && i.severity >= p.provisional_at)
        .map(|i| i.id.clone())
        .collect()
}

/// Turns a "meets" decision into a provisional one naming the manual items still open.
fn provisional(mut d: Decision, policy: &Policy, items: &[ItemResult]) -> Decision {
    let pending = pending_manual(policy, items);
    if pending.is_empty() {
        return d;
    }
    let at = policy.standard.pending_manual.provisional_at;
    let (sev_id, sev_en) = if at >= Severity::Critical {
        ("kritis".to_string(), "critical".to_string())
    } else if at == Severity::High {
        ("kritis/tinggi".to_string(), "critical/high".to_string())
    } else {
        (
            format!("tingkat {} ke atas", at.label(Lang::Id)),
            format!("{} or higher", at.label(Lang::En).to_lowercase()),
        )
    };
    let n = pending.len();
    d.label = Text::new(
        format!("Memenuhi Standar (sementara): {n} butir manual {sev_id} belum dinilai"),
        format!("Meets the Standard (provisional): {n} {sev_en} manual item(s) not yet assessed"),
    );
    d.rationale = Text::new(
        format!(
            "{} Keputusan ini sementara sampai butir manual berikut dinilai dan dicatat (kawal evaluation record-manual): {}.",
            d.rationale.id,
            pending.join(", ")
        ),
        format!(
            "{} The decision is provisional until these manual items are assessed and recorded (kawal evaluation record-manual): {}.",
            d.rationale.en,
            pending.join(", ")
        ),
    );
    d.pending_manual = pending;
    d
}

/// Decision 1 under `policy`, with excluded findings taken out; provisional while manual items
/// the policy names are still unrecorded.
pub fn decide_standard(policy: &Policy, items: &[ItemResult], excl: &Exclusions) -> Decision {
    let d = decide_automated(policy, items, excl);
    if d.meets_standard {
        provisional(d, policy, items)
    } else {
        d
    }
}

/// Decision 1 from the automated items alone (what `kawal scan` judges).
pub fn decide_automated(policy: &Policy, items: &[ItemResult], excl: &Exclusions) -> Decision {
    let p = &policy.standard;
    let mut excluded_items = Vec::new();
    let failing: Vec<&ItemResult> = items
        .iter()
        .filter(|i| {
            if fully_excluded(i, excl) {
                excluded_items.push(i.id.clone());
                return false;
            }
            match i.outcome {
                Outcome::Fail => i.severity >= p.fail_at || p.strict_areas.contains(&i.area),
                Outcome::Inconclusive { .. } => i.severity >= p.inconclusive_at,
                _ => false,
            }
        })
        .collect();
    let deciding_items: Vec<String> = failing.iter().map(|i| i.id.clone()).collect();
    let fail_at = (p.fail_at.label(Lang::Id), p.fail_at.label(Lang::En));
    let inc_at = (
        p.inconclusive_at.label(Lang::Id),
        p.inconclusive_at.label(Lang::En),
    );
    let excluded_note = if excluded_items.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!(
                " Temuan pada {} tidak diperhitungkan karena telah diputuskan sebagai risiko yang diterima atau positif palsu.",
                excluded_items.join(", ")
            ),
            format!(
                " Findings in {} are not counted because they were recorded as accepted risk or false positive.",
                excluded_items.join(", ")
            ),
        )
    };
    if failing.is_empty() {
        return Decision {
            meets_standard: true,
            label: Text::new("Memenuhi Standar", "Meets the Standard"),
            deciding_items,
            pending_manual: Vec::new(),
            rationale: Text::new(
                format!(
                    "Tidak ada butir yang gagal pada tingkat risiko {} ke atas, dan tidak ada butir tingkat {} ke atas yang tidak dapat disimpulkan.{}",
                    fail_at.0, inc_at.0, excluded_note.0
                ),
                format!(
                    "No item failed at {} severity or above, and no {} or higher item was inconclusive.{}",
                    fail_at.1, inc_at.1, excluded_note.1
                ),
            ),
            excluded_items,
        };
    }
    let fails = failing
        .iter()
        .filter(|i| i.outcome == Outcome::Fail)
        .count();
    let inc = failing.len() - fails;
    let list = deciding_items.join(", ");
    let mut id = format!(
        "{fails} butir gagal pada tingkat risiko {} ke atas",
        fail_at.0
    );
    let mut en = format!("{fails} item(s) failed at {} severity or above", fail_at.1);
    if inc > 0 {
        id.push_str(&format!(
            " dan {inc} butir tingkat {} ke atas tidak dapat disimpulkan (butir yang tidak dapat diperiksa tidak dapat dinyatakan memenuhi; pimpinan dapat mengubah keputusan ini dengan alasan tercatat)",
            inc_at.0
        ));
        en.push_str(&format!(
            " and {inc} item(s) of {} or above were inconclusive (an item that could not be checked cannot be shown to be met; the head of office may override this with a recorded reason)",
            inc_at.1
        ));
    }
    Decision {
        meets_standard: false,
        label: Text::new("Belum Memenuhi Standar", "Does Not Yet Meet the Standard"),
        rationale: Text::new(
            format!("{id}: {list}.{}", excluded_note.0),
            format!("{en}: {list}.{}", excluded_note.1),
        ),
        deciding_items,
        pending_manual: Vec::new(),
        excluded_items,
    }
}

/// Decision 2 for an application that does not meet the standard (`None` when it does).
pub fn decide_action(
    policy: &Policy,
    standard: &Decision,
    items: &[ItemResult],
    excl: &Exclusions,
    facts: &Facts,
) -> Option<ActionDecision> {
    if standard.meets_standard {
        return None;
    }
    let failed: Vec<&ItemResult> = items
        .iter()
        .filter(|i| i.outcome == Outcome::Fail && !fully_excluded(i, excl))
        .collect();
    for rule in &policy.action.shutdown {
        let applies = match rule.when {
            Applies::Any => true,
            Applies::PersonalData => facts.personal_data,
            Applies::PublicService => facts.public_service,
            Applies::HasLogin => facts.has_login,
        };
        if !applies {
            continue;
        }
        let hits: Vec<String> = failed
            .iter()
            .filter(|i| i.severity >= rule.min_severity)
            .filter(|i| rule.items.is_empty() || rule.items.iter().any(|p| matches(p, &i.id)))
            .map(|i| i.id.clone())
            .collect();
        if hits.len() >= rule.min_count {
            let mut id = format!(
                "Direkomendasikan penghentian sementara: {} Butir terkait: {}.",
                rule.reason.id,
                hits.join(", ")
            );
            let mut en = format!(
                "Temporary shutdown is recommended: {} Items concerned: {}.",
                rule.reason.en,
                hits.join(", ")
            );
            if facts.public_service {
                id.push_str(" Aplikasi ini melayani publik: umumkan gangguan layanan dan siapkan jalur layanan alternatif selama perbaikan.");
                en.push_str(" This application serves the public: announce the service interruption and prepare an alternative service channel during the repair.");
            }
            return Some(ActionDecision {
                action: Action::Shutdown,
                label: Action::Shutdown.label(),
                rule: Some(rule.id.clone()),
                items: hits,
                rationale: Text::new(id, en),
            });
        }
    }
    let items_concerned: Vec<String> = if failed.is_empty() {
        standard.deciding_items.clone()
    } else {
        failed.iter().map(|i| i.id.clone()).collect()
    };
    let mut id = format!(
        "Tidak ada temuan yang menuntut penghentian sementara menurut kebijakan (misalnya akses tanpa hak ke data pribadi, kredensial yang bocor, atau sertifikat rusak pada halaman login). Aplikasi dapat tetap beroperasi selama perbaikan dengan pemantauan intensif (log akses dan log kesalahan ditinjau setiap hari) dan pencadangan data sebelum dan selama perbaikan. Butir yang perlu diperbaiki: {}.",
        items_concerned.join(", ")
    );
    let mut en = format!(
        "No finding calls for temporary shutdown under the policy (such as unauthorised access to personal data, leaked credentials, or a broken certificate on a login page). The application may keep running during the repair under intensive monitoring (access and error logs reviewed daily) and with data backed up before and during the repair. Items to fix: {}.",
        items_concerned.join(", ")
    );
    if facts.public_service {
        id.push_str(" Aplikasi ini melayani publik, sehingga penghentian akan mengganggu layanan kepada masyarakat.");
        en.push_str(" This application serves the public, so a shutdown would interrupt services to citizens.");
    }
    Some(ActionDecision {
        action: Action::Monitoring,
        label: Action::Monitoring.label(),
        rule: None,
        items: items_concerned,
        rationale: Text::new(id, en),
    })
}

/// Facts derivable from the results themselves: a login exists when session cookies were seen.
pub fn has_login(items: &[ItemResult]) -> bool {
    items.iter().any(|i| {
        i.id.starts_with("session.cookie.") && matches!(i.outcome, Outcome::Pass | Outcome::Fail)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Observation;

    fn item(id: &str, sev: Severity, outcome: Outcome) -> ItemResult {
        let mut o = Observation::new(id, outcome.clone(), Text::new("-", "-"));
        o.fingerprint = Some(format!("fp-{id}"));
        ItemResult {
            id: id.into(),
            area: "b".into(),
            severity: sev,
            check: "cookies".into(),
            title: Text::new("t", "t"),
            outcome,
            observations: vec![o],
            manual: None,
        }
    }

    fn policy() -> Policy {
        Policy::builtin().expect("builtin policy parses")
    }

    #[test]
    fn builtin_policy_loads() {
        let p = policy();
        assert_eq!(p.standard.fail_at, Severity::Medium);
        assert!(!p.action.shutdown.is_empty());
    }

    #[test]
    fn standard_follows_thresholds() {
        let p = policy();
        let none = Exclusions::default();
        let low_fail = [
            item("a", Severity::Low, Outcome::Fail),
            item("m", Severity::Critical, Outcome::Manual),
        ];
        let d = decide_standard(&p, &low_fail, &none);
        assert!(d.meets_standard && d.is_provisional(), "{d:?}");
        let med_fail = [item("a", Severity::Medium, Outcome::Fail)];
        let d = decide_standard(&p, &med_fail, &none);
        assert!(!d.meets_standard);
        assert_eq!(d.deciding_items, vec!["a".to_string()]);
        let inc_med = [item("x", Severity::Medium, Outcome::inconclusive("-", "-"))];
        assert!(decide_standard(&p, &inc_med, &none).meets_standard);
    }

    #[test]
    fn open_critical_and_high_manual_items_make_meets_provisional() {
        let p = policy();
        let mut items = vec![item("auto", Severity::High, Outcome::Pass)];
        items.extend((0..5).map(|n| item(&format!("c{n}"), Severity::Critical, Outcome::Manual)));
        items.extend((0..20).map(|n| item(&format!("h{n}"), Severity::High, Outcome::Manual)));
        items.push(item("m", Severity::Medium, Outcome::Manual));
        let none = Exclusions::default();
        let d = decide_standard(&p, &items, &none);
        assert!(d.meets_standard && d.is_provisional());
        assert_eq!(
            d.label.id,
            "Memenuhi Standar (sementara): 25 butir manual kritis/tinggi belum dinilai"
        );
        assert!(d.label.en.contains("provisional"), "{}", d.label.en);
        assert_eq!(d.pending_manual.len(), 25);
        assert!(
            !d.pending_manual.contains(&"m".to_string()),
            "medium is below the rule"
        );
        assert!(d.rationale.id.contains("c0, c1"), "{}", d.rationale.id);
        // The automated-only judgement (kawal scan) ignores manual items.
        assert!(!decide_automated(&p, &items, &none).is_provisional());
        // Recording the items re-decides: all but one → still provisional with 1; all → final.
        for i in items
            .iter_mut()
            .filter(|i| i.outcome == Outcome::Manual)
            .skip(1)
        {
            i.outcome = Outcome::Pass;
        }
        let d = decide_standard(&p, &items, &none);
        assert_eq!(d.pending_manual, ["c0"]);
        items[1].outcome = Outcome::NotApplicable {
            reason: Text::new("-", "-"),
        };
        let d = decide_standard(&p, &items, &none);
        assert!(d.meets_standard && !d.is_provisional(), "{d:?}");
        assert_eq!(d.label.id, "Memenuhi Standar");
    }

    #[test]
    fn a_failing_evaluation_is_never_provisional_and_the_rule_can_be_switched_off() {
        let mut p = policy();
        let items = [
            item("a", Severity::High, Outcome::Fail),
            item("c", Severity::Critical, Outcome::Manual),
        ];
        let d = decide_standard(&p, &items, &Exclusions::default());
        assert!(!d.meets_standard && d.pending_manual.is_empty());
        p.standard.pending_manual.enabled = false;
        let d = decide_standard(&p, &items[1..], &Exclusions::default());
        assert!(d.meets_standard && !d.is_provisional());
        p.standard.pending_manual = PendingManualPolicy {
            enabled: true,
            provisional_at: Severity::Critical,
        };
        let d = decide_standard(&p, &items[1..], &Exclusions::default());
        assert!(
            d.label.id.contains("1 butir manual kritis belum"),
            "{}",
            d.label.id
        );
    }

    #[test]
    fn inconclusive_critical_item_fails_the_standard_and_says_why() {
        let p = policy();
        let items = [item(
            "access.idor",
            Severity::Critical,
            Outcome::inconclusive("peran tidak dapat login", "role cannot log in"),
        )];
        let d = decide_standard(&p, &items, &Exclusions::default());
        assert!(!d.meets_standard);
        assert_eq!(d.deciding_items, ["access.idor"]);
        assert!(d.rationale.id.contains("tidak dapat disimpulkan"));
        assert!(d.rationale.en.contains("override"));
        // An inconclusive item is not a failure: decision 2 has nothing that calls for shutdown.
        let a = decide_action(&p, &d, &items, &Exclusions::default(), &Facts::default())
            .expect("not met, so decision 2 applies");
        assert_eq!(a.action, Action::Monitoring);
    }

    #[test]
    fn accepted_risk_is_excluded_from_both_decisions() {
        let p = policy();
        let items = [item("access.idor", Severity::Critical, Outcome::Fail)];
        let mut excl = Exclusions::default();
        let facts = Facts {
            personal_data: true,
            ..Facts::default()
        };
        let before = decide_standard(&p, &items, &excl);
        assert!(!before.meets_standard);
        let a = decide_action(&p, &before, &items, &excl, &facts).expect("decision 2");
        assert_eq!(a.action, Action::Shutdown);
        excl.fingerprints.insert("fp-access.idor".into());
        let after = decide_standard(&p, &items, &excl);
        assert!(after.meets_standard, "{after:?}");
        assert_eq!(after.excluded_items, ["access.idor"]);
        assert!(after.rationale.id.contains("risiko yang diterima"));
        assert!(decide_action(&p, &after, &items, &excl, &facts).is_none());
    }

    #[test]
    fn one_excluded_instance_does_not_hide_another() {
        let p = policy();
        let mut it = item("session.cookie.secure", Severity::Medium, Outcome::Fail);
        let mut second = it.observations[0].clone();
        second.fingerprint = Some("other".into());
        it.observations.push(second);
        let mut excl = Exclusions::default();
        excl.fingerprints
            .insert("fp-session.cookie.secure".to_string());
        assert!(!decide_standard(&p, &[it], &excl).meets_standard);
    }

    #[test]
    fn shutdown_rules_weigh_the_application() {
        let p = policy();
        let items = [item(
            "access.role-bypass",
            Severity::Critical,
            Outcome::Fail,
        )];
        let d = decide_standard(&p, &items, &Exclusions::default());
        let no_data = decide_action(&p, &d, &items, &Exclusions::default(), &Facts::default())
            .expect("decision 2");
        let with_data = decide_action(
            &p,
            &d,
            &items,
            &Exclusions::default(),
            &Facts {
                personal_data: true,
                public_service: true,
                has_login: true,
            },
        )
        .expect("decision 2");
        assert_eq!(with_data.action, Action::Shutdown);
        assert!(with_data.rationale.id.contains("melayani publik"));
        assert_eq!(with_data.items, ["access.role-bypass"]);
        // Without personal data, a single critical role bypass alone does not force shutdown.
        assert_eq!(no_data.action, Action::Monitoring);
        assert!(no_data.rationale.en.contains("access.role-bypass"));
    }

    #[test]
    fn leaked_secrets_call_for_shutdown_on_any_application() {
        let p = policy();
        let items = [item(
            "access.exposed-secrets",
            Severity::Critical,
            Outcome::Fail,
        )];
        let d = decide_standard(&p, &items, &Exclusions::default());
        let a = decide_action(&p, &d, &items, &Exclusions::default(), &Facts::default())
            .expect("decision 2");
        assert_eq!(a.action, Action::Shutdown);
        assert!(a.rule.is_some());
    }

    #[test]
    fn bad_policy_is_named() {
        let e = Policy::parse(
            "p.toml",
            "[standard]\nfail_at = \"medium\"\ninconclusive_at = \"high\"\n[[action.shutdown]]\nid = \"x\"\nmin_count = 0\nreason = { id = \"a\", en = \"b\" }\n",
        )
        .expect_err("min_count 0 rejected");
        assert!(e.to_string().contains("p.toml") && e.to_string().contains("min_count"));
        let e = Policy::parse("p.toml", "[standard]\nfail_at = \"sangat\"\n")
            .expect_err("bad severity");
        assert!(e.to_string().contains("p.toml"), "{e}");
    }
}
