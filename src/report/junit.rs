//! JUnit XML: one test case per checklist item, for CI dashboards.

use super::xml_escape as x;
use crate::checklist::Checklist;
use crate::evaluation::Report;
use crate::i18n::Lang;
use crate::model::Outcome;
use std::fmt::Write;

/// Renders JUnit XML: Fail → failure, Inconclusive → error, NotApplicable/Manual → skipped.
pub fn render(report: &Report, checklist: &Checklist, lang: Lang) -> String {
    let s = &report.summary;
    let secs = (report.finished_at - report.started_at).as_seconds_f64();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let name = format!("kawal {} {}", report.checklist.id, report.target);
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{secs:.3}\">",
        x(&name),
        report.items.len(),
        s.fail,
        s.inconclusive,
        s.not_applicable + s.manual
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{secs:.3}\" timestamp=\"{}\">",
        x(&name),
        report.items.len(),
        s.fail,
        s.inconclusive,
        s.not_applicable + s.manual,
        report
            .started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    );
    let d = &report.decision;
    let _ = writeln!(
        out,
        "    <properties>\n      <property name=\"decision\" value=\"{}\"/>\n      <property name=\"provisional\" value=\"{}\"/>\n    </properties>",
        x(d.label.get(lang)),
        d.is_provisional()
    );
    for i in &report.items {
        let area = checklist
            .area(&i.area)
            .map(|a| format!("{}. {}", a.id, a.name.get(lang)))
            .unwrap_or_else(|| i.area.clone());
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}: {}\"",
            x(&area),
            x(&i.id),
            x(i.title.get(lang))
        );
        let details: Vec<String> = i
            .observations
            .iter()
            .map(|o| o.summary.get(lang).to_string())
            .collect();
        match &i.outcome {
            Outcome::Pass => out.push_str("/>\n"),
            Outcome::Fail => {
                let _ = writeln!(
                    out,
                    ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                    i.severity,
                    x(details.first().map_or("", String::as_str)),
                    x(&details.join("\n"))
                );
            }
            Outcome::Inconclusive { reason } => {
                let _ = writeln!(
                    out,
                    ">\n      <error type=\"inconclusive\" message=\"{}\"/>\n    </testcase>",
                    x(reason.get(lang))
                );
            }
            Outcome::NotApplicable { reason } => {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    x(reason.get(lang))
                );
            }
            Outcome::Manual => {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"manual\"/>\n    </testcase>"
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
