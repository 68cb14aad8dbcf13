//! The periodic-evaluation SOP (`checklists/sop/evaluasi-berkala.toml`) on the workflow
//! engine: its two decisions live in the evaluation's decision record, so the branch they
//! take is handed to the engine's timeline from there.

use crate::decision::Action;
pub use crate::workflow::{Sop, SopError, StepDef, StepRecord, StepState, TimelineRow};
use time::OffsetDateTime;

/// Key of the step that decides "meets / does not meet the standard".
pub const STANDARD_STEP: &str = "keputusan-standar";
/// Key of the step that decides "shutdown / monitoring".
pub const ACTION_STEP: &str = "keputusan-tindakan";

impl Sop {
    /// The built-in evaluation SOP.
    pub fn builtin() -> Result<Sop, SopError> {
        Sop::parse(
            "checklists/sop/evaluasi-berkala.toml (bawaan/built-in)",
            include_str!("../checklists/sop/evaluasi-berkala.toml"),
        )
    }
}

/// What the decisions say, for step conditions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Branch {
    /// Decision 1 as decided (or recommended while undecided).
    pub meets_standard: Option<bool>,
    /// Decision 2 as decided (or recommended while undecided).
    pub action: Option<Action>,
}

impl Branch {
    /// The decision of `step` in the words of the SOP file's conditions.
    pub fn decision(&self, step: &str) -> Option<String> {
        let d = match step {
            STANDARD_STEP => match self.meets_standard? {
                true => "memenuhi",
                false => "belum-memenuhi",
            },
            ACTION_STEP => match self.action? {
                Action::Shutdown => "penghentian",
                Action::Monitoring => "pemantauan",
            },
            _ => return None,
        };
        Some(d.to_string())
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
    crate::workflow::timeline(sop, created_at, records, &|step| branch.decision(step), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

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
            decision: None,
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
            s.step("permohonan-penghentian")
                .and_then(|d| d.when.as_ref())
                .map(|c| (c.step.as_str(), c.decision.as_deref())),
            Some((ACTION_STEP, Some("penghentian")))
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
}
