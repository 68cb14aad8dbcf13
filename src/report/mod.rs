//! Renderers: an evaluation report to terminal table, JSON, SARIF 2.1.0 and JUnit XML.

pub mod chart;
pub mod csv;
pub mod html;
pub mod junit;
pub mod pdf;
pub mod sarif;
pub mod table;
pub mod view;

use crate::evaluation::Report;
use std::str::FromStr;

/// Output formats of `kawal scan` / `kawal evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Coloured table grouped by area.
    Table,
    /// The stable JSON document (`kawal.evaluation/1`).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// JUnit XML, one test case per checklist item.
    Junit,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <Format as clap::ValueEnum>::from_str(s, true)
    }
}

/// The JSON document, pretty-printed.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Escapes text for XML content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even when escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
