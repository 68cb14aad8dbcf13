//! Terminal table grouped by BSSN area, coloured when the terminal allows.

use crate::checklist::Checklist;
use crate::evaluation::Report;
use crate::i18n::{Lang, tr};
use crate::model::{Outcome, Severity};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

fn style_of(o: &Outcome) -> Style {
    let c = match o {
        Outcome::Pass => AnsiColor::Green,
        Outcome::Fail => AnsiColor::Red,
        Outcome::Inconclusive { .. } => AnsiColor::Yellow,
        Outcome::NotApplicable { .. } | Outcome::Manual => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(c.into())).bold()
}

fn sev_style(s: Severity) -> Style {
    let c = match s {
        Severity::Critical => AnsiColor::Magenta,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(c.into()))
}

/// Renders the report; ANSI styles are stripped later when output is not a colour terminal.
pub fn render(report: &Report, checklist: &Checklist, lang: Lang, verbose: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let secs = (report.finished_at - report.started_at).as_seconds_f64();
    let _ = writeln!(
        out,
        "{bold}Kawal {}{bold:#} — {} {}",
        report.tool.version,
        tr(lang, "evaluasi", "evaluation of"),
        report.target
    );
    let _ = writeln!(
        out,
        "{dim}{} {} {} · {} {} · {secs:.1} s{dim:#}",
        tr(lang, "Checklist", "Checklist"),
        report.checklist.id,
        report.checklist.version,
        report.requests_sent,
        tr(lang, "permintaan HTTP", "HTTP requests"),
    );
    for area in &checklist.areas {
        let items: Vec<_> = report
            .items
            .iter()
            .filter(|i| i.area == area.id && (verbose || !matches!(i.outcome, Outcome::Manual)))
            .collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{bold}{}. {}{bold:#}", area.id, area.name.get(lang));
        for i in items {
            let st = style_of(&i.outcome);
            let ss = sev_style(i.severity);
            let _ = writeln!(
                out,
                "  {st}{:<24}{st:#} {ss}{:<9}{ss:#} {:<30} {}",
                i.outcome.label(lang),
                i.severity.label(lang),
                i.id,
                i.title.get(lang)
            );
            if let Some(r) = i.outcome.reason() {
                let _ = writeln!(out, "  {:<35}{dim}└ {}{dim:#}", "", r.get(lang));
            }
            let show = |o: &Outcome| matches!(o, Outcome::Fail) || verbose;
            for o in i.observations.iter().filter(|o| show(&o.outcome)) {
                let _ = writeln!(out, "  {:<35}{dim}└ {}{dim:#}", "", o.summary.get(lang));
            }
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{bold}{}{bold:#}: {} {}, {} {}, {} {}, {} {}, {} {}",
        tr(lang, "Ringkasan", "Summary"),
        s.pass,
        tr(lang, "sesuai", "passed"),
        s.fail,
        tr(lang, "tidak sesuai", "failed"),
        s.inconclusive,
        tr(lang, "tidak dapat disimpulkan", "inconclusive"),
        s.not_applicable,
        tr(lang, "tidak berlaku", "not applicable"),
        s.manual,
        tr(
            lang,
            "manual (dicatat tim analisis)",
            "manual (recorded by the analysis team)"
        ),
    );
    let d = &report.decision;
    let ds = if d.is_provisional() {
        style_of(&Outcome::inconclusive("", ""))
    } else if d.meets_standard {
        style_of(&Outcome::Pass)
    } else {
        style_of(&Outcome::Fail)
    };
    let _ = writeln!(
        out,
        "{bold}{}{bold:#}: {ds}{}{ds:#} — {}",
        tr(lang, "Rekomendasi keputusan", "Recommended decision"),
        d.label.get(lang),
        d.rationale.get(lang)
    );
    if let Some(a) = &report.action {
        let style = match a.action {
            crate::decision::Action::Shutdown => style_of(&Outcome::Fail),
            crate::decision::Action::Monitoring => style_of(&Outcome::inconclusive("", "")),
        };
        let _ = writeln!(
            out,
            "{bold}{}{bold:#}: {style}{}{style:#} — {}",
            tr(lang, "Rekomendasi tindakan", "Recommended action"),
            a.label.get(lang),
            a.rationale.get(lang)
        );
    }
    out
}
