//! Checklists as data: `checklists/*.toml`, parsed and validated with precise errors.

use crate::i18n::Text;
use crate::model::Severity;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The checklist shipped inside the binary.
pub const BUILTIN_SOURCE: &str = include_str!("../checklists/bssn-web.toml");
/// Name shown for the built-in checklist in error messages.
pub const BUILTIN_NAME: &str = "checklists/bssn-web.toml (bawaan/built-in)";

/// Check names an item may refer to: the automated modules and `manual`.
pub const KNOWN_CHECKS: &[&str] = &[
    "manual",
    "cookies",
    "headers",
    "session-entropy",
    "session-lifecycle",
    "access-control",
    "error-leakage",
    "tls",
];

/// A checklist file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    /// The file could not be read.
    #[error("tidak dapat membaca checklist {path}: {source} / cannot read checklist {path}")]
    Read {
        /// File path.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// TOML syntax or schema error.
    #[error("{file}:{line}:{column}: {item}{message}")]
    Parse {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// "item 'x': " prefix when the error is inside an item.
        item: String,
        /// What is wrong.
        message: String,
    },
    /// The file parsed but breaks a rule.
    #[error("{file}:{line}: item '{item}', field '{field}': {message}")]
    Invalid {
        /// File name.
        file: String,
        /// 1-based line of the item's id (0 when unknown).
        line: usize,
        /// Item id (or the area id).
        item: String,
        /// Offending field.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// Checklist header.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Stable checklist id.
    pub id: String,
    /// Version string, stored with every evaluation.
    pub version: String,
    /// Title.
    pub title: Text,
    /// Regulation the checklist follows.
    #[serde(default)]
    pub source: String,
}

/// A BSSN application-security area (Pasal 26 function a–m).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Letter a–m.
    pub id: String,
    /// Area name.
    pub name: Text,
    /// Article reference.
    #[serde(default)]
    pub pasal: String,
    /// Audit control range, e.g. "K8-K14".
    #[serde(default)]
    pub controls: String,
}

/// One checklist item.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable id, e.g. `session.cookie.secure`.
    pub id: String,
    /// Area id.
    pub area: String,
    /// BSSN audit controls (K1–K72).
    pub bssn: Vec<String>,
    /// Article reference.
    #[serde(default)]
    pub pasal: String,
    /// OWASP ASVS 4.0.3 requirement ids.
    #[serde(default)]
    pub asvs4: Vec<String>,
    /// OWASP ASVS 5.0 requirement ids.
    #[serde(default)]
    pub asvs5: Vec<String>,
    /// OWASP WSTG v4.2 test ids.
    #[serde(default)]
    pub wstg: Vec<String>,
    /// CWE numbers.
    #[serde(default)]
    pub cwe: Vec<u32>,
    /// Severity of a failure.
    pub severity: Severity,
    /// Producing check, or `manual`.
    pub check: String,
    /// Title.
    pub title: Text,
    /// What is required and why.
    pub description: Text,
    /// How to fix a failure.
    pub remediation: Text,
}

impl Item {
    /// Whether the analysis team records this item by hand.
    pub fn is_manual(&self) -> bool {
        self.check == "manual"
    }
}

/// A validated checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// Header.
    pub checklist: Meta,
    /// Areas in file order.
    pub areas: Vec<Area>,
    /// Items in file order.
    pub items: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    checklist: Meta,
    #[serde(default)]
    area: Vec<Area>,
    #[serde(default)]
    item: Vec<Item>,
}

impl Checklist {
    /// The checklist compiled into the binary.
    pub fn builtin() -> Result<Checklist, ChecklistError> {
        Checklist::parse(BUILTIN_NAME, BUILTIN_SOURCE)
    }

    /// Loads and validates a checklist file.
    pub fn load(path: &Path) -> Result<Checklist, ChecklistError> {
        let text = std::fs::read_to_string(path).map_err(|source| ChecklistError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Checklist::parse(&path.display().to_string(), &text)
    }

    /// Parses and validates checklist text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Checklist, ChecklistError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            let (line, column) = line_col(text, offset);
            let item = enclosing_item(text, offset)
                .map(|id| format!("item '{id}': "))
                .unwrap_or_default();
            ChecklistError::Parse {
                file: file.to_string(),
                line,
                column,
                item,
                message: e.message().trim().to_string(),
            }
        })?;
        let list = Checklist {
            checklist: raw.checklist,
            areas: raw.area,
            items: raw.item,
        };
        list.validate(file, text)?;
        Ok(list)
    }

    fn validate(&self, file: &str, text: &str) -> Result<(), ChecklistError> {
        let invalid = |item: &str, field: &str, message: String| ChecklistError::Invalid {
            file: file.to_string(),
            line: field_line(text, item, field),
            item: item.to_string(),
            field: field.to_string(),
            message,
        };
        let mut area_ids = HashSet::new();
        for a in &self.areas {
            if !area_ids.insert(a.id.as_str()) {
                return Err(invalid(&a.id, "id", "duplicate area id".into()));
            }
        }
        let mut ids = HashSet::new();
        for it in &self.items {
            let valid_id =
                it.id
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && it.id.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'
                    });
            if !valid_id {
                return Err(invalid(
                    &it.id,
                    "id",
                    "ids use lowercase letters, digits, '.' and '-' only".into(),
                ));
            }
            if !ids.insert(it.id.as_str()) {
                return Err(invalid(&it.id, "id", "duplicate item id".into()));
            }
            if !area_ids.contains(it.area.as_str()) {
                let mut known: Vec<_> = area_ids.iter().copied().collect();
                known.sort_unstable();
                return Err(invalid(
                    &it.id,
                    "area",
                    format!(
                        "unknown area '{}'; declare it in an [[area]] table or use one of: {}",
                        it.area,
                        known.join(", ")
                    ),
                ));
            }
            if !KNOWN_CHECKS.contains(&it.check.as_str()) {
                return Err(invalid(
                    &it.id,
                    "check",
                    format!(
                        "unknown check '{}'; use one of: {}",
                        it.check,
                        KNOWN_CHECKS.join(", ")
                    ),
                ));
            }
            if it.bssn.is_empty() {
                return Err(invalid(
                    &it.id,
                    "bssn",
                    "name at least one BSSN control, e.g. [\"K12\"]".into(),
                ));
            }
            for k in &it.bssn {
                let ok = k
                    .strip_prefix('K')
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| (1..=72).contains(&n));
                if !ok {
                    return Err(invalid(
                        &it.id,
                        "bssn",
                        format!("'{k}' is not a BSSN audit control K1..K72"),
                    ));
                }
            }
            for (field, t) in [
                ("title", &it.title),
                ("description", &it.description),
                ("remediation", &it.remediation),
            ] {
                if t.id.trim().is_empty() || t.en.trim().is_empty() {
                    return Err(invalid(
                        &it.id,
                        field,
                        "both the Indonesian (id) and English (en) text are required".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Finds an item by id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Finds an area by id.
    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.id == id)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, column)
}

/// The id of the `[[item]]` table that contains `offset`, if any.
fn enclosing_item(text: &str, offset: usize) -> Option<String> {
    let head = text.get(..offset.min(text.len()))?;
    let start = head.rfind("[[item]]")?;
    // A later table header means the offset is not inside that item.
    let rest = &text[start + 8..];
    let end = rest.find("\n[").map_or(text.len(), |p| start + 8 + p);
    if offset > end {
        return None;
    }
    text[start..end].lines().find_map(|l| {
        let l = l.trim();
        let v = l.strip_prefix("id")?.trim_start().strip_prefix('=')?.trim();
        Some(v.trim_matches('"').to_string())
    })
}

/// 1-based line of `field` inside the table whose `id = "<id>"`, else of the id itself, or 0.
fn field_line(text: &str, id: &str, field: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| {
        let l = l.trim();
        l.starts_with("id") && l.contains(&format!("\"{id}\""))
    }) else {
        return 0;
    };
    let key_at = |l: &str| {
        l.trim_start()
            .strip_prefix(field)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    // Search the whole table: the field may stand before or after the id line.
    let table_start = lines[..start]
        .iter()
        .rposition(|l| l.trim_start().starts_with('['))
        .unwrap_or(0);
    let table_end = lines[start..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |p| start + p);
    lines[table_start..table_end]
        .iter()
        .position(|l| key_at(l))
        .map_or(start + 1, |p| table_start + p + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
[checklist]
id = "t"
version = "1"
title = { id = "Uji", en = "Test" }

[[area]]
id = "b"
name = { id = "Manajemen Sesi", en = "Session Management" }

[[item]]
id = "session.cookie.secure"
area = "b"
bssn = ["K13"]
severity = "medium"
check = "cookies"
title = { id = "Atribut Secure", en = "Secure attribute" }
description = { id = "d", en = "d" }
remediation = { id = "r", en = "r" }
"#;

    #[test]
    fn minimal_checklist_parses() {
        let c = Checklist::parse("mini.toml", MINI).expect("valid");
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.items[0].severity, Severity::Medium);
    }

    #[test]
    fn unknown_field_names_file_line_item_and_field() {
        let bad = MINI.replace(
            "check = \"cookies\"",
            "check = \"cookies\"\nseverty = \"low\"",
        );
        let err = Checklist::parse("mini.toml", &bad).unwrap_err().to_string();
        assert!(err.starts_with("mini.toml:17:"), "{err}");
        assert!(err.contains("item 'session.cookie.secure'"), "{err}");
        assert!(err.contains("severty"), "{err}");
    }

    #[test]
    fn bad_severity_is_reported_with_its_line() {
        let bad = MINI.replace("\"medium\"", "\"urgent\"");
        let err = Checklist::parse("mini.toml", &bad).unwrap_err().to_string();
        assert!(err.starts_with("mini.toml:15:12:"), "{err}");
        assert!(err.contains("urgent"), "{err}");
    }

    #[test]
    fn semantic_errors_name_item_and_field() {
        let bad = MINI.replace("area = \"b\"", "area = \"z\"");
        let err = Checklist::parse("mini.toml", &bad).unwrap_err().to_string();
        assert!(
            err.contains("item 'session.cookie.secure', field 'area'"),
            "{err}"
        );
        assert!(err.starts_with("mini.toml:13:"), "{err}");
        let bad = MINI.replace("\"medium\"", "\"medium\"\nbssn2 = 1");
        assert!(Checklist::parse("mini.toml", &bad).is_err());
        let bad = MINI.replace("\"K13\"", "\"K99\"");
        let err = Checklist::parse("mini.toml", &bad).unwrap_err().to_string();
        assert!(err.contains("field 'bssn'"), "{err}");
        let bad = MINI.replace("check = \"cookies\"", "check = \"nmap\"");
        let err = Checklist::parse("mini.toml", &bad).unwrap_err().to_string();
        assert!(err.contains("unknown check 'nmap'"), "{err}");
        let bad = MINI.replace("en = \"Secure attribute\"", "en = \"\"");
        let err = Checklist::parse("mini.toml", &bad).unwrap_err().to_string();
        assert!(err.contains("field 'title'"), "{err}");
    }

    #[test]
    fn duplicate_item_is_rejected() {
        let dup = format!("{MINI}\n{}", &MINI[MINI.find("[[item]]").unwrap_or(0)..]);
        let err = Checklist::parse("mini.toml", &dup).unwrap_err().to_string();
        assert!(err.contains("duplicate item id"), "{err}");
    }
}
