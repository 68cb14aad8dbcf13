//! The periodic-evaluation SOP as data (`checklists/sop/evaluasi-berkala.toml`) and the pure
//! timeline of one evaluation through it: which step is due, which are late, which are skipped.

use crate::decision::Action;
use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The SOP file is invalid.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct SopError {
    /// File.
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

/// One SOP.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sop {
    /// Identity.
    pub sop: SopMeta,
    /// Steps in order.
    #[serde(rename = "step")]
    pub steps: Vec<StepDef>,
}

/// Identity of an SOP.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SopMeta {
    /// Id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Where it comes from.
    pub source: String,
}

/// When a step applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// Always.
    #[default]
    Always,
    /// Only when decision 1 is "does not meet".
    NotMet,
    /// Only when decision 2 is shutdown.
    Shutdown,
    /// Only when decision 2 is monitoring.
    Monitoring,
}

/// One step of the SOP.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// Stable key used on the command line.
    pub key: String,
    /// What is done.
    pub title: Text,
    /// Who does it.
    pub role: Text,
    /// Time limit in minutes (0 = none).
    pub limit_minutes: u32,
    /// The usual duration when the limit is a range (e.g. 1–5 days).
    #[serde(default)]
    pub target_minutes: Option<u32>,
    /// Output document.
    pub output: Text,
    /// When the step applies.
    #[serde(default)]
    pub when: When,
}

impl Sop {
    /// The built-in evaluation SOP.
    pub fn builtin() -> Result<Sop, SopError> {
        Sop::parse(
            "checklists/sop/evaluasi-berkala.toml (bawaan/built-in)",
            include_str!("../checklists/sop/evaluasi-berkala.toml"),
        )
    }

    /// Parses and validates an SOP file.
    pub fn parse(origin: &str, text: &str) -> Result<Sop, SopError> {
        let err = |message: String| SopError {
            origin: origin.to_string(),
            message,
        };
        let sop: Sop = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if sop.steps.is_empty() {
            return Err(err("tidak ada [[step]] / no [[step]] defined".into()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for s in &sop.steps {
            if !seen.insert(s.key.as_str()) {
                return Err(err(format!(
                    "langkah '{}' ganda / duplicate step '{}'",
                    s.key, s.key
                )));
            }
            if s.key.is_empty()
                || !s
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(err(format!(
                    "kunci langkah '{}' harus huruf kecil, angka dan '-' / step key must be lowercase letters, digits and '-'",
                    s.key
                )));
            }
        }
        Ok(sop)
    }

    /// The step with key `key`.
    pub fn step(&self, key: &str) -> Option<&StepDef> {
        self.steps.iter().find(|s| s.key == key)
    }

    /// Every step key, for messages.
    pub fn keys(&self) -> String {
        self.steps
            .iter()
            .map(|s| s.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A recorded step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Step key.
    pub step: String,
    /// Done or skipped.
    pub skipped: bool,
    /// Who.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// Output document (e.g. a letter number).
    pub output: String,
    /// Note.
    pub note: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub done_at: OffsetDateTime,
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Done within its limit.
    Done,
    /// Done after its limit.
    DoneLate,
    /// Skipped (its condition does not hold, or recorded as skipped).
    Skipped,
    /// The current step, within its limit.
    Due,
    /// The current step, past its limit.
    Overdue,
    /// Not reached yet.
    Waiting,
}

impl StepState {
    /// Label.
    pub fn label(self) -> Text {
        match self {
            StepState::Done => Text::new("Selesai", "Done"),
            StepState::DoneLate => Text::new("Selesai (terlambat)", "Done (late)"),
            StepState::Skipped => Text::new("Tidak berlaku", "Not applicable"),
            StepState::Due => Text::new("Sedang berjalan", "In progress"),
            StepState::Overdue => Text::new("Melewati batas waktu", "Overdue"),
            StepState::Waiting => Text::new("Menunggu", "Waiting"),
        }
    }
}

/// One row of the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineRow {
    /// Step number (1-based).
    pub number: usize,
    /// Definition.
    pub def: StepDef,
    /// State.
    pub state: StepState,
    /// Deadline, when the step has a limit and its start is known.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// The record, when done or skipped.
    pub record: Option<StepRecord>,
}

/// What the decisions say, for step conditions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Branch {
    /// Decision 1 as decided (or recommended while undecided).
    pub meets_standard: Option<bool>,
    /// Decision 2 as decided (or recommended while undecided).
    pub action: Option<Action>,
}

fn applies(when: When, b: Branch) -> Option<bool> {
    match when {
        When::Always => Some(true),
        When::NotMet => b.meets_standard.map(|m| !m),
        When::Shutdown => match b.meets_standard {
            Some(true) => Some(false),
            _ => b.action.map(|a| a == Action::Shutdown),
        },
        When::Monitoring => match b.meets_standard {
            Some(true) => Some(false),
            _ => b.action.map(|a| a == Action::Monitoring),
        },
    }
}

/// The timeline of one evaluation at `now`: each step's state and deadline. A step's clock
/// starts when the previous applicable step ended (the first one's when the evaluation was
/// created).
pub fn timeline(
    sop: &Sop,
    created_at: OffsetDateTime,
    records: &[StepRecord],
    branch: Branch,
    now: OffsetDateTime,
) -> Vec<TimelineRow> {
    let mut rows = Vec::with_capacity(sop.steps.len());
    let mut clock = Some(created_at);
    let mut current_found = false;
    for (i, def) in sop.steps.iter().enumerate() {
        let record = records.iter().find(|r| r.step == def.key).cloned();
        let limit = (def.limit_minutes > 0).then(|| Duration::minutes(def.limit_minutes.into()));
        let due_at = match (clock, limit) {
            (Some(c), Some(l)) => Some(c + l),
            _ => None,
        };
        let state = match (&record, applies(def.when, branch)) {
            (Some(r), _) if r.skipped => StepState::Skipped,
            (Some(r), _) => {
                if due_at.is_some_and(|d| r.done_at > d) {
                    StepState::DoneLate
                } else {
                    StepState::Done
                }
            }
            (None, Some(false)) => StepState::Skipped,
            (None, _) if current_found => StepState::Waiting,
            (None, _) => {
                current_found = true;
                if due_at.is_some_and(|d| now > d) {
                    StepState::Overdue
                } else {
                    StepState::Due
                }
            }
        };
        match &record {
            Some(r) if !r.skipped => clock = Some(r.done_at),
            Some(_) => {}
            None if state == StepState::Skipped => {}
            None => clock = None,
        }
        rows.push(TimelineRow {
            number: i + 1,
            def: def.clone(),
            state,
            due_at: if matches!(state, StepState::Skipped) {
                None
            } else {
                due_at
            },
            record,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::minutes(min)
    }

    fn done(step: &str, min: i64) -> StepRecord {
        StepRecord {
            step: step.into(),
            skipped: false,
            actor: "Ani".into(),
            role: "Kasi".into(),
            output: String::new(),
            note: String::new(),
            done_at: at(min),
        }
    }

    #[test]
    fn builtin_sop_has_the_eleven_steps_with_their_limits() {
        let s = Sop::builtin().expect("sop parses");
        assert_eq!(s.steps.len(), 11);
        assert_eq!(s.step("disposisi").map(|d| d.limit_minutes), Some(15));
        assert_eq!(s.step("penugasan-tim").map(|d| d.limit_minutes), Some(30));
        assert_eq!(
            s.step("evaluasi").map(|d| d.limit_minutes),
            Some(5 * 24 * 60)
        );
        assert_eq!(
            s.step("keputusan-standar").map(|d| d.limit_minutes),
            Some(120)
        );
        assert_eq!(
            s.step("permohonan-penghentian").map(|d| d.when),
            Some(When::Shutdown)
        );
    }

    #[test]
    fn late_and_overdue_steps_show() {
        let s = Sop::builtin().expect("sop");
        // Disposition after 10 min (limit 15): on time. Team assigned 50 min later (limit 30): late.
        let recs = [done("disposisi", 10), done("penugasan-tim", 60)];
        let t = timeline(&s, at(0), &recs, Branch::default(), at(100));
        assert_eq!(t[0].state, StepState::Done);
        assert_eq!(t[1].state, StepState::DoneLate);
        assert_eq!(t[1].due_at, Some(at(40)));
        // Scheduling is due 15 min after the team was assigned: at 100 it is overdue.
        assert_eq!(t[2].state, StepState::Overdue);
        assert_eq!(t[2].due_at, Some(at(75)));
        assert_eq!(t[3].state, StepState::Waiting);
        assert_eq!(t[3].due_at, None, "clock of a waiting step has not started");
    }

    #[test]
    fn branches_skip_the_steps_that_do_not_apply() {
        let s = Sop::builtin().expect("sop");
        let met = timeline(
            &s,
            at(0),
            &[],
            Branch {
                meets_standard: Some(true),
                action: None,
            },
            at(1),
        );
        let state = |t: &[TimelineRow], k: &str| {
            t.iter()
                .find(|r| r.def.key == k)
                .map(|r| r.state)
                .expect("step")
        };
        assert_eq!(state(&met, "keputusan-tindakan"), StepState::Skipped);
        assert_eq!(state(&met, "permohonan-penghentian"), StepState::Skipped);
        assert_eq!(state(&met, "permohonan-pemantauan"), StepState::Skipped);
        let shut = timeline(
            &s,
            at(0),
            &[],
            Branch {
                meets_standard: Some(false),
                action: Some(Action::Shutdown),
            },
            at(1),
        );
        assert_eq!(state(&shut, "keputusan-tindakan"), StepState::Waiting);
        assert_eq!(state(&shut, "permohonan-penghentian"), StepState::Waiting);
        assert_eq!(state(&shut, "permohonan-pemantauan"), StepState::Skipped);
    }

    #[test]
    fn bad_sop_files_are_named() {
        let e = Sop::parse(
            "x.toml",
            "[sop]\nid='a'\ntitle={id='a',en='a'}\nsource='s'\n",
        )
        .expect_err("no steps");
        assert!(e.to_string().contains("x.toml"));
        let dup = "[sop]\nid='a'\ntitle={id='a',en='a'}\nsource='s'\n[[step]]\nkey='a'\ntitle={id='a',en='a'}\nrole={id='a',en='a'}\nlimit_minutes=1\noutput={id='a',en='a'}\n[[step]]\nkey='a'\ntitle={id='a',en='a'}\nrole={id='a',en='a'}\nlimit_minutes=1\noutput={id='a',en='a'}\n";
        assert!(
            Sop::parse("x.toml", dup)
                .expect_err("dup")
                .to_string()
                .contains("duplicate")
        );
    }
}
