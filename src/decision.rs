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

/// Decision 1 under `policy`, with excluded findings taken out.
pub fn decide_standard(policy: &Policy, items: &[ItemResult], excl: &Exclusions) -> Decision {
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
        assert!(decide_standard(&p, &low_fail, &none).meets_standard);
        let med_fail = [item("a", Severity::Medium, Outcome::Fail)];
        let d = decide_standard(&p, &med_fail, &none);
        assert!(!d.meets_standard);
        assert_eq!(d.deciding_items, vec!["a".to_string()]);
        let inc_med = [item("x", Severity::Medium, Outcome::inconclusive("-", "-"))];
        assert!(decide_standard(&p, &inc_med, &none).meets_standard);
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
