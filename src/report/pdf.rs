//! The agency report as PDF, rendered in-process by `kawal-pdf` from the same view as the
//! HTML report, so both documents carry the same content.

use super::chart::SEVERITY_COLOURS;
use super::view::View;
use crate::model::Severity;
use kawal_pdf::{BarChart, Block, Cell, Document, Rgb, Series, Span, Table, Tone};

/// The PDF report could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("pembuatan PDF gagal / PDF generation failed: {0}")]
pub struct PdfError(String);

fn tone(t: &str) -> Tone {
    match t {
        "good" => Tone::Good,
        "bad" => Tone::Bad,
        "warn" => Tone::Warn,
        _ => Tone::Neutral,
    }
}

fn outcome_fill(class: &str) -> Option<Rgb> {
    match class {
        "out-fail" => Some(Rgb(0xfd, 0xe2, 0xe2)),
        "out-pass" => Some(Rgb(0xdc, 0xf5, 0xe3)),
        "out-inconclusive" => Some(Rgb(0xfe, 0xf3, 0xc7)),
        _ => None,
    }
}

/// The document for `view`.
pub fn document(view: &View) -> Document {
    let t = |k: &str| view.t.get(k).cloned().unwrap_or_else(|| k.to_string());
    let c = &view.cover;
    let mut b = vec![Block::Cover {
        kicker: c.office.clone(),
        title: t("doc_title"),
        subtitle: format!("{} · {}", t("kicker"), c.application),
        lines: vec![
            (t("to"), format!("{}\n{}", c.agency, t("to_suffix"))),
            (t("from"), c.office.clone()),
            (t("application"), c.application.clone()),
            (t("address"), c.url.clone()),
            (t("owner"), c.owner.clone()),
            (t("period"), c.period.clone()),
            (t("evaluator"), c.evaluator.clone()),
            (
                t("evaluation"),
                match &c.retest_of {
                    Some(r) => format!("{} · {r}", c.evaluation),
                    None => c.evaluation.clone(),
                },
            ),
            (t("checklist"), c.checklist.clone()),
            (t("generated"), c.generated.clone()),
        ],
    }];
    b.push(Block::Heading {
        level: 1,
        text: t("summary"),
    });
    for (title, d) in [
        (t("decision1"), Some(&view.standard)),
        (t("decision2"), view.action.as_ref()),
    ] {
        let Some(d) = d else { continue };
        let mut body = vec![
            Span::regular(format!("{}: ", t("recommendation"))),
            Span::bold(format!("{}\n", d.label)),
            Span::regular(format!("{}\n", d.rationale)),
        ];
        match &d.recorded {
            Some(r) => {
                body.push(Span::bold(format!("{}: ", t("recorded_decision"))));
                body.push(Span::regular(r.clone()));
                if let Some(reason) = &d.recorded_reason {
                    body.push(Span::regular(format!(". {}: {reason}", t("reason"))));
                }
            }
            None => body.push(Span::regular(t("not_yet_decided"))),
        }
        b.push(Block::Callout {
            tone: tone(d.tone),
            title,
            body,
        });
    }
    b.push(Block::Heading {
        level: 2,
        text: t("counts"),
    });
    let counts = Table {
        columns: view
            .counts
            .iter()
            .map(|c| kawal_pdf::Column::new(c.label.clone(), 1.0))
            .collect(),
        rows: vec![
            view.counts
                .iter()
                .map(|c| Cell::bold(c.n.to_string()))
                .collect(),
        ],
    };
    b.push(Block::Table(counts));
    if view.manual_pending > 0 {
        b.push(Block::Paragraph(vec![Span::regular(format!(
            "{} {}.",
            view.manual_pending,
            t("manual_pending")
        ))]));
    }
    b.push(Block::Table(Table {
        columns: view
            .severities
            .iter()
            .map(|c| kawal_pdf::Column::new(format!("{} · {}", t("fail"), c.label), 1.0))
            .collect(),
        rows: vec![
            view.severities
                .iter()
                .map(|c| Cell::bold(c.n.to_string()))
                .collect(),
        ],
    }));
    b.push(Block::Heading {
        level: 2,
        text: t("trend"),
    });
    if view.trend.previous.is_some() {
        b.push(Block::KeyValue(vec![
            (t("trend_new"), view.trend.new.to_string()),
            (t("trend_fixed"), view.trend.fixed.to_string()),
            (t("trend_open"), view.trend.still_open.to_string()),
        ]));
    } else {
        b.push(Block::Paragraph(vec![Span::regular(t("trend_first"))]));
    }
    b.push(Block::BarChart(BarChart {
        title: t("chart_by_area"),
        categories: view.area_counts.iter().map(|a| a.area.clone()).collect(),
        series: Severity::ALL
            .iter()
            .rev()
            .enumerate()
            .map(|(i, sev)| {
                let (r, g, bl) = SEVERITY_COLOURS[i];
                Series::new(
                    sev.label(if view.lang == "en" {
                        crate::i18n::Lang::En
                    } else {
                        crate::i18n::Lang::Id
                    }),
                    Rgb(r, g, bl),
                    view.area_counts
                        .iter()
                        .map(|a| a.by_severity[i] as f64)
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    }));
    b.push(Block::PageBreak);
    b.push(Block::Heading {
        level: 1,
        text: t("findings"),
    });
    if view.areas.is_empty() {
        b.push(Block::Paragraph(vec![Span::regular(t("no_findings"))]));
    }
    for area in &view.areas {
        b.push(Block::Heading {
            level: 2,
            text: format!("{} ({})", area.name, area.pasal),
        });
        for f in &area.findings {
            b.push(Block::Heading {
                level: 3,
                text: format!("[{}] {}", f.severity, f.title),
            });
            let mut kv = vec![
                (t("item"), f.id.clone()),
                (t("severity"), f.severity.clone()),
            ];
            if !f.references.is_empty() {
                kv.push((t("references"), f.references.clone()));
            }
            b.push(Block::KeyValue(kv));
            if !f.description.is_empty() {
                b.push(Block::Paragraph(vec![
                    Span::bold(format!("{}. ", t("description"))),
                    Span::regular(f.description.clone()),
                ]));
            }
            for i in &f.instances {
                let mut line = vec![Span::regular(i.summary.clone())];
                if let Some(l) = &i.locator {
                    line.push(Span::mono(format!(" [{l}]")));
                }
                line.push(Span::regular(format!(" — {}: {}", t("status"), i.status)));
                if let Some(fp) = &i.fingerprint {
                    line.push(Span::mono(format!(" #{fp}")));
                }
                b.push(Block::Bullets(vec![line]));
                for e in &i.evidence {
                    let mut text = e.request.clone();
                    if let Some(n) = &e.note {
                        text.push_str(" — ");
                        text.push_str(n);
                    }
                    if !e.excerpt.is_empty() {
                        text.push('\n');
                        text.push_str(&e.excerpt);
                    }
                    b.push(Block::Preformatted(text));
                }
            }
            if !f.remediation.is_empty() {
                b.push(Block::Paragraph(vec![
                    Span::bold(format!("{}. ", t("remediation"))),
                    Span::regular(f.remediation.clone()),
                ]));
            }
        }
    }
    if !view.inconclusive.is_empty() {
        b.push(Block::Heading {
            level: 1,
            text: t("inconclusive_items"),
        });
        b.push(Block::Paragraph(vec![Span::regular(t(
            "inconclusive_intro",
        ))]));
        let mut table = Table::new([
            (t("item"), 1.3),
            (t("title"), 2.2),
            (t("severity"), 0.8),
            (t("reason"), 2.7),
        ]);
        for r in &view.inconclusive {
            table = table.row([
                Cell::new(r.id.clone()),
                Cell::new(r.title.clone()),
                Cell::new(r.severity.clone()),
                Cell::new(r.reason.clone()),
            ]);
        }
        b.push(Block::Table(table));
    }
    b.push(Block::PageBreak);
    b.push(Block::Heading {
        level: 1,
        text: t("appendix"),
    });
    let mut table = Table::new([
        (t("item"), 1.6),
        (t("area"), 0.4),
        (t("title"), 3.0),
        (t("severity"), 0.8),
        (t("outcome"), 1.1),
        (t("references"), 1.6),
    ]);
    for r in &view.appendix {
        let mut outcome = Cell::new(r.outcome.clone());
        if let Some(fill) = outcome_fill(r.outcome_class) {
            outcome = outcome.with_fill(fill);
        }
        table = table.row([
            Cell::new(r.id.clone()),
            Cell::new(r.area.clone()),
            Cell::new(r.title.clone()),
            Cell::new(r.severity.clone()),
            outcome,
            Cell::new(r.references.clone()),
        ]);
    }
    b.push(Block::Table(table));
    b.push(Block::Heading {
        level: 1,
        text: t("manual_items"),
    });
    if view.manual.is_empty() {
        b.push(Block::Paragraph(vec![Span::regular(t("manual_none"))]));
    } else {
        let mut table = Table::new([
            (t("item"), 2.0),
            (t("outcome"), 1.0),
            (t("recorded_by"), 1.0),
            (t("when"), 1.2),
            (t("note"), 2.0),
            (t("attachment"), 1.2),
        ]);
        for m in &view.manual {
            table = table.row([
                Cell::new(format!("{}\n{}", m.id, m.title)),
                Cell::new(m.outcome.clone()),
                Cell::new(m.actor.clone()),
                Cell::new(m.at.clone()),
                Cell::new(m.note.clone()),
                Cell::new(m.attachment.clone().unwrap_or_default()),
            ]);
        }
        b.push(Block::Table(table));
    }
    if !view.sop.is_empty() {
        b.push(Block::Heading {
            level: 1,
            text: t("sop"),
        });
        let mut table = Table::new([
            ("#".to_string(), 0.3),
            (t("step"), 2.4),
            (t("role"), 1.5),
            (t("limit"), 0.8),
            (t("state"), 1.6),
            (t("output"), 1.3),
        ]);
        for s in &view.sop {
            let mut state = Cell::new(format!("{}\n{}", s.state, s.done));
            if let Some(fill) = outcome_fill(s.state_class) {
                state = state.with_fill(fill);
            }
            table = table.row([
                Cell::new(s.number.to_string()),
                Cell::new(s.title.clone()),
                Cell::new(s.role.clone()),
                Cell::new(s.limit.clone()),
                state,
                Cell::new(s.output.clone()),
            ]);
        }
        b.push(Block::Table(table));
    }
    b.push(Block::Spacer(12.0));
    b.push(Block::Paragraph(vec![Span::regular(t("footer_note"))]));
    Document {
        title: format!("{} — {}", t("doc_title"), c.application),
        author: c.office.clone(),
        subject: format!("{} {}", t("evaluation"), c.evaluation),
        lang: archive_lang(view.lang).to_string(),
        footer: format!("Kawal · {} · {}", c.application, c.evaluation),
        page_label: t("page"),
        blocks: b,
    }
}

/// The BCP 47 tag written into the PDF: Indonesian as spoken in Indonesia, or English.
fn archive_lang(lang: &str) -> &'static str {
    if lang == "en" { "en" } else { "id-ID" }
}

/// A time as the PDF archive date.
pub fn timestamp(t: time::OffsetDateTime) -> Result<kawal_pdf::Timestamp, kawal_pdf::Error> {
    let year = u16::try_from(t.year()).unwrap_or(0);
    kawal_pdf::Timestamp::new(
        (year, u8::from(t.month()), t.day()),
        (t.hour(), t.minute(), t.second()),
        t.offset().whole_minutes(),
    )
}

/// Renders the view as a PDF/A-2b (and PDF/UA-1) file, dated when the view was generated.
pub fn render(view: &View) -> Result<Vec<u8>, PdfError> {
    let issued = timestamp(view.generated_at).map_err(|e| PdfError(e.to_string()))?;
    kawal_pdf::render_archival(&document(view), Some(issued)).map_err(|e| PdfError(e.to_string()))
}
