//! Plain domain types shared by checks, the store and the renderers.

use crate::i18n::{Lang, Text, tr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// How serious a failed checklist item is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    #[default]
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// All severities from lowest to highest.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Label in the official vocabulary (Tingkat Risiko).
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Severity::Info => tr(lang, "Informasi", "Info"),
            Severity::Low => tr(lang, "Rendah", "Low"),
            Severity::Medium => tr(lang, "Sedang", "Medium"),
            Severity::High => tr(lang, "Tinggi", "High"),
            Severity::Critical => tr(lang, "Kritis", "Critical"),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown severity '{s}': expected one of info, low, medium, high, critical")
            })
    }
}

/// The outcome of one checklist item (or one instance of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The requirement is met.
    Pass,
    /// The requirement is not met.
    Fail,
    /// The check could not decide; the reason says why.
    Inconclusive {
        /// Why no decision was possible.
        reason: Text,
    },
    /// The requirement does not apply to this application.
    NotApplicable {
        /// Why it does not apply.
        reason: Text,
    },
    /// Not automated: the analysis team records it by hand.
    Manual,
}

impl Outcome {
    /// Stable machine name of the status.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Inconclusive { .. } => "inconclusive",
            Outcome::NotApplicable { .. } => "not_applicable",
            Outcome::Manual => "manual",
        }
    }

    /// Human label of the status.
    pub fn label(&self, lang: Lang) -> &'static str {
        match self {
            Outcome::Pass => tr(lang, "Sesuai", "Pass"),
            Outcome::Fail => tr(lang, "Tidak Sesuai", "Fail"),
            Outcome::Inconclusive { .. } => tr(lang, "Tidak Dapat Disimpulkan", "Inconclusive"),
            Outcome::NotApplicable { .. } => tr(lang, "Tidak Berlaku", "Not applicable"),
            Outcome::Manual => tr(
                lang,
                "Manual (Belum Dievaluasi)",
                "Manual (not yet evaluated)",
            ),
        }
    }

    /// Order used to aggregate instances into one item outcome: the worst wins.
    pub fn rank(&self) -> u8 {
        match self {
            Outcome::Fail => 4,
            Outcome::Inconclusive { .. } => 3,
            Outcome::Pass => 2,
            Outcome::NotApplicable { .. } => 1,
            Outcome::Manual => 0,
        }
    }

    /// Reason text for inconclusive / not-applicable outcomes.
    pub fn reason(&self) -> Option<&Text> {
        match self {
            Outcome::Inconclusive { reason } | Outcome::NotApplicable { reason } => Some(reason),
            _ => None,
        }
    }

    /// Shorthand for an inconclusive outcome.
    pub fn inconclusive(id: impl Into<String>, en: impl Into<String>) -> Self {
        Outcome::Inconclusive {
            reason: Text::new(id, en),
        }
    }

    /// Shorthand for a not-applicable outcome.
    pub fn not_applicable(id: impl Into<String>, en: impl Into<String>) -> Self {
        Outcome::NotApplicable {
            reason: Text::new(id, en),
        }
    }
}

/// Lifecycle state of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationStatus {
    /// Waiting for a worker.
    Queued,
    /// Checks are running.
    Running,
    /// All checks ran and the results are stored.
    Finished,
    /// The evaluation could not complete (e.g. target unreachable).
    Failed,
    /// The process running it died; nothing of it was half-written.
    Interrupted,
}

impl EvaluationStatus {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationStatus::Queued => "queued",
            EvaluationStatus::Running => "running",
            EvaluationStatus::Finished => "finished",
            EvaluationStatus::Failed => "failed",
            EvaluationStatus::Interrupted => "interrupted",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            EvaluationStatus::Queued,
            EvaluationStatus::Running,
            EvaluationStatus::Finished,
            EvaluationStatus::Failed,
            EvaluationStatus::Interrupted,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Human label.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            EvaluationStatus::Queued => tr(lang, "antre", "queued"),
            EvaluationStatus::Running => tr(lang, "berjalan", "running"),
            EvaluationStatus::Finished => tr(lang, "selesai", "finished"),
            EvaluationStatus::Failed => tr(lang, "gagal", "failed"),
            EvaluationStatus::Interrupted => tr(lang, "terputus", "interrupted"),
        }
    }
}

/// Stable identity of a finding across evaluations: target host, item and instance.
pub fn fingerprint(target: &str, item_id: &str, locator: Option<&str>) -> String {
    let host = url::Url::parse(target)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_else(|| target.to_string());
    let mut h = Sha256::new();
    for part in [host.as_str(), item_id, locator.unwrap_or("")] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize()[..16])
}

/// Lowercase hexadecimal of `bytes` (fingerprints, digests, keys).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
