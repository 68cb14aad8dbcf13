//! SOP definitions as data (`checklists/sop/*.toml`): steps with their role, time limit,
//! inputs, output document, decisions and the conditions that branch on them.

use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// An SOP file is invalid.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct SopError {
    /// File.
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

/// One SOP: its identity and its steps in order.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sop {
    /// Identity.
    pub sop: SopMeta,
    /// Steps in order.
    #[serde(rename = "step")]
    pub steps: Vec<StepDef>,
}

/// Identity of an SOP and what starting it asks for.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SopMeta {
    /// Id (also the workflow kind on the command line).
    pub id: String,
    /// Title.
    pub title: Text,
    /// Where it comes from.
    pub source: String,
    /// Fields given when the workflow starts.
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldDef>,
}

/// What kind of value a field holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    /// Free text.
    #[default]
    Text,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// One of `choices`.
    Choice,
    /// An Indonesian identity number (NIK, 16 digits): encrypted at rest, masked when shown.
    Nik,
    /// A phone number: encrypted at rest, masked when shown.
    Phone,
    /// A comma-separated list (e.g. device serial numbers).
    List,
    /// A Kawal user name.
    User,
}

impl FieldKind {
    /// Whether values of this kind are personal data (sealed, masked, purged).
    pub fn personal(self) -> bool {
        matches!(self, FieldKind::Nik | FieldKind::Phone)
    }
}

/// A field of a workflow or an input of a step.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Key (`--field KEY=VALUE`, JSON key).
    pub key: String,
    /// Label.
    pub label: Text,
    /// Kind of value.
    #[serde(default)]
    pub kind: FieldKind,
    /// Whether it must be given.
    #[serde(default)]
    pub required: bool,
    /// Allowed values of a `choice`.
    #[serde(default)]
    pub choices: Vec<String>,
}

/// A step applies only when an earlier step was decided a certain way.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The deciding step.
    pub step: String,
    /// The decision that makes this step apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Or any of these decisions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<String>,
}

impl Condition {
    /// The decisions that make the step apply.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.decision
            .iter()
            .chain(self.any_of.iter())
            .map(String::as_str)
    }

    /// Whether `decision` makes the step apply.
    pub fn holds_for(&self, decision: &str) -> bool {
        self.values().any(|v| v == decision)
    }
}

/// One step of an SOP.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// Stable key used on the command line.
    pub key: String,
    /// What is done.
    pub title: Text,
    /// Who does it, as the SOP names it.
    pub role: Text,
    /// Kawal roles (`checklists/roles.toml`) that may record it; `requester` and `subject`
    /// name the workflow's requester and the person it concerns. Empty: whoever may record
    /// steps of the SOP's object (the evaluation SOP).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Time limit in minutes (0 = none).
    pub limit_minutes: u32,
    /// The usual duration when the limit is a range (e.g. 1–5 days).
    #[serde(default)]
    pub target_minutes: Option<u32>,
    /// Output document.
    pub output: Text,
    /// The letter template this step issues (`checklists/letters/<kind>.toml`).
    #[serde(default)]
    pub document: Option<String>,
    /// Decisions the step takes (e.g. `approve`, `reject`); empty: none.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// Decisions that end the workflow (later steps do not apply).
    #[serde(default)]
    pub ends_on: Vec<String>,
    /// When the step applies; always when absent.
    #[serde(default)]
    pub when: Option<Condition>,
    /// Four-eyes: whoever recorded these steps (or `requester`) may not record this one.
    #[serde(default)]
    pub not_by: Vec<String>,
    /// May run at the same time as the previous step (its clock starts with it).
    #[serde(default)]
    pub parallel: bool,
    /// Values the step records.
    #[serde(default, rename = "input")]
    pub inputs: Vec<FieldDef>,
}

impl Sop {
    /// Parses and validates an SOP file.
    pub fn parse(origin: &str, text: &str) -> Result<Sop, SopError> {
        let err = |message: String| SopError {
            origin: origin.to_string(),
            message,
        };
        let sop: Sop = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        sop.validate().map_err(err)?;
        Ok(sop)
    }

    fn validate(&self) -> Result<(), String> {
        if self.steps.is_empty() {
            return Err("tidak ada [[step]] / no [[step]] defined".into());
        }
        check_key("sop.id", &self.sop.id)?;
        check_fields("sop.field", &self.sop.fields)?;
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for (i, s) in self.steps.iter().enumerate() {
            check_key("step.key", &s.key)?;
            if !seen.insert(s.key.as_str()) {
                return Err(format!(
                    "langkah '{}' ganda / duplicate step '{}'",
                    s.key, s.key
                ));
            }
            if i == 0 && s.parallel {
                return Err(format!(
                    "langkah pertama '{}' tidak dapat parallel / the first step '{}' cannot be parallel",
                    s.key, s.key
                ));
            }
            for d in &s.ends_on {
                if !s.decisions.contains(d) {
                    return Err(format!(
                        "langkah '{}': ends_on '{d}' bukan salah satu decisions / step '{}': ends_on '{d}' is not one of its decisions",
                        s.key, s.key
                    ));
                }
            }
            if let Some(c) = &s.when {
                self.check_condition(&s.key, c, &seen)?;
            }
            for n in &s.not_by {
                if n != "requester" && !seen.contains(n.as_str()) {
                    return Err(format!(
                        "langkah '{}': not_by '{n}' bukan langkah sebelumnya atau 'requester' / step '{}': not_by '{n}' is not an earlier step or 'requester'",
                        s.key, s.key
                    ));
                }
            }
            check_fields(&format!("step '{}' input", s.key), &s.inputs)?;
        }
        Ok(())
    }

    fn check_condition(
        &self,
        key: &str,
        c: &Condition,
        seen: &BTreeSet<&str>,
    ) -> Result<(), String> {
        if c.step == key || !seen.contains(c.step.as_str()) {
            return Err(format!(
                "langkah '{key}': when.step '{}' harus langkah sebelumnya / step '{key}': when.step '{}' must be an earlier step",
                c.step, c.step
            ));
        }
        if c.decision.is_some() != c.any_of.is_empty() {
            return Err(format!(
                "langkah '{key}': when memerlukan tepat satu dari decision atau any_of / step '{key}': when needs exactly one of decision or any_of"
            ));
        }
        let decider = self.step(&c.step).map(|d| &d.decisions);
        if let Some(bad) = c
            .values()
            .find(|v| decider.is_some_and(|d| !d.is_empty() && !d.iter().any(|x| x == v)))
        {
            return Err(format!(
                "langkah '{key}': keputusan '{bad}' tidak ada pada langkah '{}' / step '{key}': decision '{bad}' is not one of step '{}''s decisions",
                c.step, c.step
            ));
        }
        Ok(())
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

    /// The field definition `key` of the workflow or of one of its steps.
    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.sop
            .fields
            .iter()
            .chain(self.steps.iter().flat_map(|s| s.inputs.iter()))
            .find(|f| f.key == key)
    }
}

fn check_key(what: &str, key: &str) -> Result<(), String> {
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "{what} '{key}' harus huruf kecil, angka, '-' dan '_' / {what} '{key}' must be lowercase letters, digits, '-' and '_'"
        ));
    }
    Ok(())
}

fn check_fields(what: &str, fields: &[FieldDef]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for f in fields {
        check_key(what, &f.key)?;
        if !seen.insert(f.key.as_str()) {
            return Err(format!("{what}: '{}' ganda / duplicate '{}'", f.key, f.key));
        }
        if (f.kind == FieldKind::Choice) == f.choices.is_empty() {
            return Err(format!(
                "{what} '{}': choices wajib untuk dan hanya untuk kind = \"choice\" / choices are required for, and only for, kind = \"choice\"",
                f.key
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[sop]\nid='a'\ntitle={id='a',en='a'}\nsource='s'\n";

    fn step(key: &str, extra: &str) -> String {
        format!(
            "[[step]]\nkey='{key}'\ntitle={{id='a',en='a'}}\nrole={{id='a',en='a'}}\nlimit_minutes=1\noutput={{id='a',en='a'}}\n{extra}\n"
        )
    }

    #[test]
    fn bad_files_are_named_with_the_rule_they_break() {
        let e = Sop::parse("x.toml", HEAD).expect_err("no steps");
        assert!(e.to_string().contains("x.toml"));
        let dup = format!("{HEAD}{}{}", step("a", ""), step("a", ""));
        assert!(
            Sop::parse("x.toml", &dup)
                .expect_err("dup")
                .to_string()
                .contains("duplicate")
        );
        let ends = format!(
            "{HEAD}{}",
            step("a", "decisions=['approve']\nends_on=['reject']")
        );
        assert!(
            Sop::parse("x.toml", &ends)
                .expect_err("ends")
                .to_string()
                .contains("ends_on")
        );
        let later = format!(
            "{HEAD}{}{}",
            step("a", "when={step='b',decision='x'}"),
            step("b", "decisions=['x']")
        );
        assert!(
            Sop::parse("x.toml", &later)
                .expect_err("when")
                .to_string()
                .contains("earlier")
        );
        let wrong = format!(
            "{HEAD}{}{}",
            step("a", "decisions=['approve','reject']"),
            step("b", "when={step='a',decision='maybe'}")
        );
        assert!(
            Sop::parse("x.toml", &wrong)
                .expect_err("decision")
                .to_string()
                .contains("maybe")
        );
        let eyes = format!("{HEAD}{}", step("a", "not_by=['z']"));
        assert!(
            Sop::parse("x.toml", &eyes)
                .expect_err("not_by")
                .to_string()
                .contains("not_by")
        );
        let choice = format!(
            "{HEAD}{}",
            step(
                "a",
                "[[step.input]]\nkey='k'\nlabel={id='k',en='k'}\nkind='choice'"
            )
        );
        assert!(
            Sop::parse("x.toml", &choice)
                .expect_err("choices")
                .to_string()
                .contains("choices")
        );
        let first = format!("{HEAD}{}", step("a", "parallel=true"));
        assert!(
            Sop::parse("x.toml", &first)
                .expect_err("parallel")
                .to_string()
                .contains("parallel")
        );
    }
}
