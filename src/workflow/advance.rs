//! Whether a user may record a step now: the step is current, the user holds its role, four
//! eyes are kept, and the decision and inputs are the ones the step takes.

use super::def::{Sop, StepDef};
use super::timeline::TimelineRow;
use std::collections::BTreeMap;

/// Why a step cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvanceError {
    /// No such step in the SOP.
    #[error("langkah '{step}' tidak dikenal / unknown step '{step}' (pilihan / choose: {keys})")]
    UnknownStep {
        /// Step given.
        step: String,
        /// Valid keys.
        keys: String,
    },
    /// Already recorded.
    #[error("langkah '{0}' sudah dicatat / step '{0}' is already recorded")]
    AlreadyDone(String),
    /// Not one of the current steps.
    #[error(
        "langkah '{step}' belum dapat dicatat; sedang berjalan / step '{step}' cannot be recorded yet; current: {current}"
    )]
    NotCurrent {
        /// Step given.
        step: String,
        /// Current steps.
        current: String,
    },
    /// The user lacks the step's role.
    #[error("langkah '{step}' hanya oleh peran / step '{step}' is only for roles: {roles}")]
    Role {
        /// Step.
        step: String,
        /// Roles allowed.
        roles: String,
    },
    /// Four-eyes rule broken.
    #[error(
        "langkah '{step}' tidak boleh dicatat oleh {who} (prinsip empat mata) / step '{step}' may not be recorded by {who} (four-eyes rule)"
    )]
    FourEyes {
        /// Step.
        step: String,
        /// Whom the rule excludes.
        who: String,
    },
    /// A decision or input is missing or wrong.
    #[error("{field}: {message}")]
    Invalid {
        /// Field.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// Who wants to record the step, and the parties of the workflow.
#[derive(Debug, Clone, Default)]
pub struct Party<'a> {
    /// The acting user (`None`: the local operator of a Kawal without accounts).
    pub user: Option<&'a str>,
    /// The acting user's roles.
    pub roles: &'a [String],
    /// The workflow's requester.
    pub requester: Option<&'a str>,
    /// The person the workflow concerns (a sanctioned user).
    pub subject: Option<&'a str>,
}

/// Checks that `party` may record `step` with `decision` and `inputs` now.
pub fn check<'s>(
    sop: &'s Sop,
    rows: &[TimelineRow],
    step: &str,
    party: &Party<'_>,
    decision: Option<&str>,
    inputs: &BTreeMap<String, String>,
) -> Result<&'s StepDef, AdvanceError> {
    let def = sop.step(step).ok_or_else(|| AdvanceError::UnknownStep {
        step: step.to_string(),
        keys: sop.keys(),
    })?;
    let row = rows.iter().find(|r| r.def.key == step);
    if row.is_some_and(|r| r.record.is_some()) {
        return Err(AdvanceError::AlreadyDone(step.to_string()));
    }
    if !row.is_some_and(|r| r.state.is_current()) {
        let current: Vec<&str> = rows
            .iter()
            .filter(|r| r.state.is_current())
            .map(|r| r.def.key.as_str())
            .collect();
        return Err(AdvanceError::NotCurrent {
            step: step.to_string(),
            current: if current.is_empty() {
                "-".into()
            } else {
                current.join(", ")
            },
        });
    }
    check_role(def, party)?;
    check_four_eyes(def, rows, party)?;
    check_decision(def, decision)?;
    check_inputs(def, inputs)?;
    Ok(def)
}

/// Whether `party` holds one of a step's `roles` (`requester` and `subject` name the
/// workflow's parties). The local operator of a Kawal without accounts, and a step open to
/// every recorder (no roles), always qualify.
pub fn holds_role(roles: &[String], party: &Party<'_>) -> bool {
    let Some(user) = party.user else {
        return true;
    };
    roles.is_empty()
        || roles.iter().any(|r| match r.as_str() {
            "requester" => party.requester == Some(user),
            "subject" => party.subject == Some(user),
            role => party.roles.iter().any(|h| h == role),
        })
}

fn check_role(def: &StepDef, party: &Party<'_>) -> Result<(), AdvanceError> {
    if holds_role(&def.roles, party) {
        Ok(())
    } else {
        Err(AdvanceError::Role {
            step: def.key.clone(),
            roles: def.roles.join(", "),
        })
    }
}

fn check_four_eyes(
    def: &StepDef,
    rows: &[TimelineRow],
    party: &Party<'_>,
) -> Result<(), AdvanceError> {
    let Some(user) = party.user else {
        return Ok(());
    };
    for other in &def.not_by {
        let excluded = if other == "requester" {
            party.requester == Some(user)
        } else {
            rows.iter()
                .filter(|r| &r.def.key == other)
                .filter_map(|r| r.record.as_ref())
                .any(|rec| rec.actor == user)
        };
        if excluded {
            return Err(AdvanceError::FourEyes {
                step: def.key.clone(),
                who: if other == "requester" {
                    "pemohon / the requester".into()
                } else {
                    format!("pencatat langkah / whoever recorded step '{other}'")
                },
            });
        }
    }
    Ok(())
}

fn check_decision(def: &StepDef, decision: Option<&str>) -> Result<(), AdvanceError> {
    let invalid = |message: String| AdvanceError::Invalid {
        field: "decision".into(),
        message,
    };
    match decision {
        None if !def.decisions.is_empty() => Err(invalid(format!(
            "langkah '{}' memerlukan keputusan / step '{}' needs a decision: {}",
            def.key,
            def.key,
            def.decisions.join("|")
        ))),
        Some(d) if def.decisions.is_empty() => Err(invalid(format!(
            "langkah '{}' tidak mengambil keputusan; hapus '{d}' / step '{}' takes no decision; drop '{d}'",
            def.key, def.key
        ))),
        Some(d) if !def.decisions.iter().any(|x| x == d) => Err(invalid(format!(
            "keputusan '{d}' tidak dikenal / unknown decision '{d}' (pilihan / choose: {})",
            def.decisions.join("|")
        ))),
        _ => Ok(()),
    }
}

fn check_inputs(def: &StepDef, inputs: &BTreeMap<String, String>) -> Result<(), AdvanceError> {
    for key in inputs.keys() {
        if !def.inputs.iter().any(|f| &f.key == key) {
            let known: Vec<&str> = def.inputs.iter().map(|f| f.key.as_str()).collect();
            return Err(AdvanceError::Invalid {
                field: key.clone(),
                message: format!(
                    "langkah '{}' tidak menerima isian ini / step '{}' takes no such input (isian / inputs: {})",
                    def.key,
                    def.key,
                    if known.is_empty() {
                        "-".into()
                    } else {
                        known.join(", ")
                    }
                ),
            });
        }
    }
    super::fields::validate(&def.inputs, inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::timeline::{StepRecord, timeline};
    use time::OffsetDateTime;

    fn sop() -> Sop {
        Sop::parse(
            "t.toml",
            r#"
[sop]
id = "t"
title = { id = "t", en = "t" }
source = "s"
[[step]]
key = "minta"
title = { id = "a", en = "a" }
role = { id = "a", en = "a" }
roles = ["requester"]
limit_minutes = 0
output = { id = "a", en = "a" }
[[step]]
key = "setuju"
title = { id = "a", en = "a" }
role = { id = "a", en = "a" }
roles = ["kepala-bidang"]
limit_minutes = 0
output = { id = "a", en = "a" }
decisions = ["approve", "reject"]
ends_on = ["reject"]
not_by = ["requester"]
[[step.input]]
key = "sampai"
label = { id = "s", en = "s" }
kind = "date"
required = true
"#,
        )
        .expect("parses")
    }

    fn rows(sop: &Sop, recs: &[StepRecord]) -> Vec<TimelineRow> {
        timeline(
            sop,
            OffsetDateTime::UNIX_EPOCH,
            recs,
            &|_| None,
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    fn rec(step: &str, actor: &str) -> StepRecord {
        StepRecord {
            step: step.into(),
            skipped: false,
            actor: actor.into(),
            role: String::new(),
            output: String::new(),
            note: String::new(),
            decision: None,
            done_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn roles_order_four_eyes_decisions_and_inputs_are_enforced() {
        let s = sop();
        let kabid = vec!["kepala-bidang".to_string()];
        let budi = Party {
            user: Some("budi"),
            roles: &[],
            requester: Some("budi"),
            subject: None,
        };
        let mut inputs = BTreeMap::new();
        let r0 = rows(&s, &[]);
        assert!(matches!(
            check(&s, &r0, "setuju", &budi, Some("approve"), &inputs),
            Err(AdvanceError::NotCurrent { .. })
        ));
        assert!(check(&s, &r0, "minta", &budi, None, &inputs).is_ok());
        let other = Party {
            user: Some("ani"),
            ..budi.clone()
        };
        assert!(matches!(
            check(&s, &r0, "minta", &other, None, &inputs),
            Err(AdvanceError::Role { .. })
        ));
        let r1 = rows(&s, &[rec("minta", "budi")]);
        assert!(matches!(
            check(&s, &r1, "minta", &budi, None, &inputs),
            Err(AdvanceError::AlreadyDone(_))
        ));
        // The requester holding the approving role still may not approve their own request.
        let budi_kabid = Party {
            roles: &kabid,
            ..budi.clone()
        };
        inputs.insert("sampai".into(), "2027-06-30".into());
        assert!(matches!(
            check(&s, &r1, "setuju", &budi_kabid, Some("approve"), &inputs),
            Err(AdvanceError::FourEyes { .. })
        ));
        let sari = Party {
            user: Some("sari"),
            roles: &kabid,
            ..budi.clone()
        };
        assert!(matches!(
            check(&s, &r1, "setuju", &sari, None, &inputs),
            Err(AdvanceError::Invalid { .. })
        ));
        assert!(matches!(
            check(&s, &r1, "setuju", &sari, Some("maybe"), &inputs),
            Err(AdvanceError::Invalid { .. })
        ));
        inputs.insert("sampai".into(), "30/06/2027".into());
        assert!(matches!(
            check(&s, &r1, "setuju", &sari, Some("approve"), &inputs),
            Err(AdvanceError::Invalid { .. })
        ));
        inputs.insert("sampai".into(), "2027-06-30".into());
        assert!(check(&s, &r1, "setuju", &sari, Some("approve"), &inputs).is_ok());
        inputs.insert("lain".into(), "x".into());
        assert!(matches!(
            check(&s, &r1, "setuju", &sari, Some("approve"), &inputs),
            Err(AdvanceError::Invalid { .. })
        ));
        assert!(matches!(
            check(&s, &r1, "nope", &sari, None, &BTreeMap::new()),
            Err(AdvanceError::UnknownStep { .. })
        ));
    }
}
