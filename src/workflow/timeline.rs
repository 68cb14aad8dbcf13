//! Where a workflow stands at a moment: each step done, late, skipped, due, overdue or
//! waiting, with its deadline. One computation for every SOP, the evaluation SOP included.

use super::def::{Condition, Sop, StepDef};
use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

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
    /// The decision taken, for steps that decide.
    #[serde(default)]
    pub decision: Option<String>,
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
    /// Skipped (its condition does not hold, the workflow ended, or recorded as skipped).
    Skipped,
    /// A current step, within its limit.
    Due,
    /// A current step, past its limit.
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

    /// Whether the step is one of the current ones.
    pub fn is_current(self) -> bool {
        matches!(self, StepState::Due | StepState::Overdue)
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
    /// Deadline, when the step has a limit and its clock has started.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// The record, when done or skipped.
    pub record: Option<StepRecord>,
}

/// How a workflow stands as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Steps remain.
    Open,
    /// Every applicable step is done.
    Completed,
    /// A decision ended it (e.g. a rejected request).
    Ended,
}

impl Status {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Completed => "completed",
            Status::Ended => "ended",
        }
    }

    /// Label.
    pub fn label(self) -> Text {
        match self {
            Status::Open => Text::new("Berjalan", "Open"),
            Status::Completed => Text::new("Selesai", "Completed"),
            Status::Ended => Text::new("Dihentikan oleh keputusan", "Ended by a decision"),
        }
    }
}

/// Decisions known outside the step records (the evaluation SOP keeps its two decisions in
/// their own table); consulted before a record's own decision.
pub type Decided<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The timeline at `now`. Steps are grouped: a `parallel` step joins the group of the step
/// before it. A group's clocks start when the previous group ended (the first group's when
/// the workflow was created); a group ends when its last applicable step is done.
pub fn timeline(
    sop: &Sop,
    created_at: OffsetDateTime,
    records: &[StepRecord],
    decided: Decided<'_>,
    now: OffsetDateTime,
) -> Vec<TimelineRow> {
    let mut rows: Vec<TimelineRow> = Vec::with_capacity(sop.steps.len());
    let mut clock = Some(created_at);
    let mut active_seen = false;
    let mut ended = false;
    let mut i = 0;
    while i < sop.steps.len() {
        let end = group_end(sop, i);
        let mut group_done_at = clock;
        let mut open_in_group = false;
        for (offset, def) in sop.steps[i..end].iter().enumerate() {
            let record = records.iter().find(|r| r.step == def.key).cloned();
            let limit =
                (def.limit_minutes > 0).then(|| Duration::minutes(def.limit_minutes.into()));
            let due_at = clock.zip(limit).map(|(c, l)| c + l);
            let applies = condition(def.when.as_ref(), &rows, decided);
            let state = match &record {
                Some(r) if r.skipped => StepState::Skipped,
                Some(r) if due_at.is_some_and(|d| r.done_at > d) => StepState::DoneLate,
                Some(_) => StepState::Done,
                None if ended || applies == Some(false) => StepState::Skipped,
                None if active_seen => StepState::Waiting,
                None if due_at.is_some_and(|d| now > d) => StepState::Overdue,
                None => StepState::Due,
            };
            if let Some(r) = record.as_ref().filter(|r| !r.skipped) {
                group_done_at = group_done_at.map(|g| g.max(r.done_at)).or(Some(r.done_at));
                let decision = decided(&def.key).or_else(|| r.decision.clone());
                if decision.is_some_and(|d| def.ends_on.contains(&d)) {
                    ended = true;
                }
            }
            if matches!(
                state,
                StepState::Due | StepState::Overdue | StepState::Waiting
            ) {
                open_in_group = true;
            }
            rows.push(TimelineRow {
                number: i + offset + 1,
                def: def.clone(),
                state,
                due_at: if state == StepState::Skipped {
                    None
                } else {
                    due_at
                },
                record,
            });
        }
        if open_in_group {
            active_seen = true;
            clock = None;
        } else {
            clock = group_done_at;
        }
        i = end;
    }
    rows
}

/// One past the last step of the group starting at `start`.
fn group_end(sop: &Sop, start: usize) -> usize {
    let mut end = start + 1;
    while end < sop.steps.len() && sop.steps[end].parallel {
        end += 1;
    }
    end
}

/// Whether a step's condition holds: unknown (`None`) while its deciding step is undecided;
/// false when the deciding step itself does not apply.
fn condition(when: Option<&Condition>, rows: &[TimelineRow], decided: Decided<'_>) -> Option<bool> {
    let Some(c) = when else {
        return Some(true);
    };
    let row = rows.iter().find(|r| r.def.key == c.step)?;
    if row.state == StepState::Skipped {
        return Some(false);
    }
    let decision =
        decided(&c.step).or_else(|| row.record.as_ref().and_then(|r| r.decision.clone()));
    decision.map(|d| c.holds_for(&d))
}

/// The workflow's overall status from its timeline.
pub fn status(rows: &[TimelineRow]) -> Status {
    let ended = rows.iter().any(|r| {
        r.record
            .as_ref()
            .and_then(|rec| rec.decision.as_ref())
            .is_some_and(|d| r.def.ends_on.contains(d))
    });
    if ended {
        Status::Ended
    } else if rows.iter().all(|r| {
        matches!(
            r.state,
            StepState::Done | StepState::DoneLate | StepState::Skipped
        )
    }) {
        Status::Completed
    } else {
        Status::Open
    }
}

/// The current steps (due or overdue).
pub fn current(rows: &[TimelineRow]) -> impl Iterator<Item = &TimelineRow> {
    rows.iter().filter(|r| r.state.is_current())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::minutes(min)
    }

    fn done(step: &str, min: i64, decision: Option<&str>) -> StepRecord {
        StepRecord {
            step: step.into(),
            skipped: false,
            actor: "ani".into(),
            role: "r".into(),
            output: String::new(),
            note: String::new(),
            decision: decision.map(str::to_string),
            done_at: at(min),
        }
    }

    fn sop() -> Sop {
        let step = |key: &str, limit: u32, extra: &str| {
            format!(
                "[[step]]\nkey='{key}'\ntitle={{id='a',en='a'}}\nrole={{id='a',en='a'}}\nlimit_minutes={limit}\noutput={{id='a',en='a'}}\n{extra}\n"
            )
        };
        let text = format!(
            "[sop]\nid='t'\ntitle={{id='t',en='t'}}\nsource='s'\n{}{}{}{}{}",
            step("a", 15, ""),
            step(
                "b",
                10,
                "decisions=['approve','reject']\nends_on=['reject']"
            ),
            step("c", 10, ""),
            step("d", 5, "parallel=true"),
            step("e", 5, "when={step='b',decision='approve'}")
        );
        Sop::parse("t.toml", &text).expect("parses")
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    fn states(rows: &[TimelineRow]) -> Vec<StepState> {
        rows.iter().map(|r| r.state).collect()
    }

    #[test]
    fn clocks_start_when_the_previous_step_ends() {
        use StepState::*;
        let s = sop();
        let t = timeline(&s, at(0), &[done("a", 20, None)], &none, at(25));
        assert_eq!(states(&t), [DoneLate, Due, Waiting, Waiting, Waiting]);
        assert_eq!(t[1].due_at, Some(at(30)), "b's clock starts when a ended");
        assert_eq!(t[2].due_at, None, "a waiting step's clock has not started");
        let t = timeline(&s, at(0), &[done("a", 20, None)], &none, at(31));
        assert_eq!(t[1].state, Overdue);
    }

    #[test]
    fn parallel_steps_are_due_together_and_the_next_waits_for_both() {
        use StepState::*;
        let s = sop();
        let recs = [done("a", 5, None), done("b", 8, Some("approve"))];
        let t = timeline(&s, at(0), &recs, &none, at(9));
        assert_eq!(states(&t), [Done, Done, Due, Due, Waiting]);
        assert_eq!(t[2].due_at, Some(at(18)));
        assert_eq!(t[3].due_at, Some(at(13)), "d shares c's clock");
        let recs = [recs[0].clone(), recs[1].clone(), done("d", 12, None)];
        let t = timeline(&s, at(0), &recs, &none, at(14));
        assert_eq!(states(&t), [Done, Done, Due, Done, Waiting]);
        let recs = [
            recs[0].clone(),
            recs[1].clone(),
            recs[2].clone(),
            done("c", 16, None),
        ];
        let t = timeline(&s, at(0), &recs, &none, at(16));
        assert_eq!(t[4].state, Due);
        assert_eq!(
            t[4].due_at,
            Some(at(21)),
            "e starts when the later of c and d ended"
        );
        assert_eq!(status(&t), Status::Open);
    }

    #[test]
    fn a_rejection_ends_the_workflow_and_skips_the_rest() {
        use StepState::*;
        let s = sop();
        let recs = [done("a", 5, None), done("b", 8, Some("reject"))];
        let t = timeline(&s, at(0), &recs, &none, at(100));
        assert_eq!(states(&t), [Done, Done, Skipped, Skipped, Skipped]);
        assert_eq!(status(&t), Status::Ended);
        assert_eq!(current(&t).count(), 0);
    }

    #[test]
    fn conditions_follow_decisions_from_records_or_from_outside() {
        use StepState::*;
        let s = sop();
        let recs = [
            done("a", 1, None),
            done("b", 2, Some("approve")),
            done("c", 3, None),
            done("d", 3, None),
            done("e", 4, None),
        ];
        let t = timeline(&s, at(0), &recs, &none, at(5));
        assert_eq!(status(&t), Status::Completed);
        // A decision kept elsewhere overrides: b decided "approve" outside the records.
        let recs = [
            done("a", 1, None),
            done("b", 2, None),
            done("c", 3, None),
            done("d", 3, None),
        ];
        let outside = |k: &str| (k == "b").then(|| "approve".to_string());
        let t = timeline(&s, at(0), &recs, &outside, at(5));
        assert_eq!(t[4].state, Due);
        let outside = |k: &str| (k == "b").then(|| "reject".to_string());
        let t = timeline(&s, at(0), &recs, &outside, at(5));
        assert_eq!(t[4].state, Skipped, "rejected outside: e does not apply");
    }
}
