//! Findings as CSV for spreadsheets and issue trackers: one row per item instance.

use crate::evaluation::Report;
use crate::i18n::Lang;
use crate::model::Outcome;

/// Column names.
const HEADER: [&str; 10] = [
    "item",
    "area",
    "severity",
    "outcome",
    "locator",
    "summary",
    "title",
    "fingerprint",
    "target",
    "evidence_url",
];

/// One CSV cell: quoted when needed, and defused when a spreadsheet would run it as a formula
/// (scan evidence is attacker-controlled, so "=HYPERLINK(…)" must stay text).
pub fn cell(s: &str) -> String {
    let mut v = s.replace(['\r', '\n'], " ");
    if v.starts_with(['=', '+', '-', '@', '\t']) {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', ';']) || v.starts_with(' ') || v.ends_with(' ') {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// One row's varying cells: outcome, locator, summary, fingerprint, first evidence URL.
type Row<'a> = (
    &'a Outcome,
    Option<&'a str>,
    String,
    Option<&'a str>,
    Option<&'a str>,
);

/// Every item instance; items without instances get one row.
pub fn render(report: &Report, lang: Lang) -> String {
    let mut out = HEADER.join(",");
    out.push_str("\r\n");
    for item in &report.items {
        let rows: Vec<Row<'_>> = if item.observations.is_empty() {
            vec![(
                &item.outcome,
                None,
                item.outcome
                    .reason()
                    .map(|r| r.get(lang).to_string())
                    .unwrap_or_default(),
                None,
                None,
            )]
        } else {
            item.observations
                .iter()
                .map(|o| {
                    (
                        &o.outcome,
                        o.locator.as_deref(),
                        o.summary.get(lang).to_string(),
                        o.fingerprint.as_deref(),
                        o.evidence.first().map(|e| e.url.as_str()),
                    )
                })
                .collect()
        };
        for (outcome, locator, summary, fp, url) in rows {
            let cells = [
                item.id.as_str(),
                item.area.as_str(),
                item.severity.as_str(),
                outcome.status(),
                locator.unwrap_or(""),
                summary.as_str(),
                item.title.get(lang),
                fp.unwrap_or(""),
                report.target.as_str(),
                url.unwrap_or(""),
            ];
            out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("line\nbreak"), "line break");
    }
}
