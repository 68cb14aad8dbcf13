//! The evaluation report as plain data for the agency documents (HTML and PDF): everything
//! localised, grouped and counted once, so both renderers show the same content and templates
//! receive data, never markup assembled from scan results.

use crate::checklist::Checklist;
use crate::decision::Action;
use crate::evaluation::Report;
use crate::i18n::{Lang, Text};
use crate::model::{Outcome, Severity};
use crate::sop::{StepState, TimelineRow};
use crate::store::{DecisionRecord, FindingState, HistoryPoint, ManualResult, Trend};
use serde::Serialize;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Bilingual labels (data: `reports/labels.toml`).
pub const LABELS: &str = include_str!("../../reports/labels.toml");

/// Longest evidence excerpt shown per exchange.
const EXCERPT_CHARS: usize = 700;

/// Everything the report shows besides the stored evaluation.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Evaluation id.
    pub evaluation_id: Option<i64>,
    /// Retest of this evaluation.
    pub retest_of: Option<i64>,
    /// Evaluating office (kawal.toml `[report] office`).
    pub office: String,
    /// Responsible agency (Perangkat Daerah).
    pub agency: Option<String>,
    /// Application owner.
    pub owner: Option<String>,
    /// Evaluator names (from the SOP record, else kawal.toml).
    pub evaluator: String,
    /// Recorded decisions.
    pub decisions: Vec<DecisionRecord>,
    /// Manual items recorded.
    pub manual: Vec<ManualResult>,
    /// Lifecycle of the application's findings.
    pub states: Vec<FindingState>,
    /// Trend against the previous evaluation.
    pub trend: Option<Trend>,
    /// Failed items of earlier evaluations.
    pub history: Vec<HistoryPoint>,
    /// SOP timeline.
    pub sop: Vec<TimelineRow>,
    /// When the document is generated.
    pub generated_at: Option<OffsetDateTime>,
}

/// The report view.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// Language code.
    pub lang: &'static str,
    /// When the document is generated (the PDF's archive date).
    #[serde(skip)]
    pub generated_at: OffsetDateTime,
    /// Labels in that language.
    pub t: BTreeMap<String, String>,
    /// Cover page.
    pub cover: Cover,
    /// Decision 1.
    pub standard: DecisionView,
    /// Decision 2.
    pub action: Option<DecisionView>,
    /// Counts.
    pub counts: Vec<Count>,
    /// Failed items per severity, highest first.
    pub severities: Vec<Count>,
    /// Manual items not yet recorded.
    pub manual_pending: usize,
    /// Trend (`previous` is empty for a first evaluation).
    pub trend: TrendView,
    /// Findings by area and severity, as an SVG chart.
    pub chart_by_area: String,
    /// Failed items per evaluation, as an SVG chart (when there is history).
    pub chart_trend: Option<String>,
    /// Data behind the area chart (for the PDF).
    pub area_counts: Vec<AreaCount>,
    /// Areas with findings.
    pub areas: Vec<AreaView>,
    /// Number of failed items.
    pub finding_items: usize,
    /// Number of failing instances.
    pub finding_instances: usize,
    /// Inconclusive items with reasons.
    pub inconclusive: Vec<ReasonRow>,
    /// Full checklist.
    pub appendix: Vec<ChecklistRow>,
    /// Manual items recorded.
    pub manual: Vec<ManualRow>,
    /// SOP steps.
    pub sop: Vec<SopRow>,
}

/// Cover data.
#[derive(Debug, Clone, Serialize)]
pub struct Cover {
    /// Evaluating office.
    pub office: String,
    /// Responsible agency.
    pub agency: String,
    /// Application name.
    pub application: String,
    /// Address.
    pub url: String,
    /// Owner.
    pub owner: String,
    /// Period text.
    pub period: String,
    /// Evaluator.
    pub evaluator: String,
    /// Evaluation number.
    pub evaluation: String,
    /// Checklist id and version.
    pub checklist: String,
    /// Generation time.
    pub generated: String,
    /// Retest note.
    pub retest_of: Option<String>,
}

/// One decision as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    /// Recommended label.
    pub label: String,
    /// Tone for styling: good, bad, warn.
    pub tone: &'static str,
    /// Rationale.
    pub rationale: String,
    /// Items behind it.
    pub items: Vec<String>,
    /// The recorded decision, if any, as one sentence.
    pub recorded: Option<String>,
    /// Reason recorded.
    pub recorded_reason: Option<String>,
}

/// A label and a number.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    /// Label.
    pub label: String,
    /// Number.
    pub n: usize,
    /// CSS class.
    pub class: &'static str,
}

/// Trend figures.
#[derive(Debug, Clone, Serialize)]
pub struct TrendView {
    /// Previous evaluation id.
    pub previous: Option<i64>,
    /// New.
    pub new: usize,
    /// Fixed.
    pub fixed: usize,
    /// Still open.
    pub still_open: usize,
}

/// Failed items of one area per severity.
#[derive(Debug, Clone, Serialize)]
pub struct AreaCount {
    /// Area label.
    pub area: String,
    /// Counts for critical, high, medium, low, info.
    pub by_severity: [usize; 5],
}

/// An area with its findings.
#[derive(Debug, Clone, Serialize)]
pub struct AreaView {
    /// Area id.
    pub id: String,
    /// "a. Autentikasi".
    pub name: String,
    /// Legal basis.
    pub pasal: String,
    /// Failed items.
    pub findings: Vec<FindingView>,
}

/// One failed item.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    /// Item id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity label.
    pub severity: String,
    /// Severity CSS class.
    pub severity_class: &'static str,
    /// Description.
    pub description: String,
    /// Remediation.
    pub remediation: String,
    /// References in one line.
    pub references: String,
    /// Failing instances.
    pub instances: Vec<InstanceView>,
}

/// One failing instance.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceView {
    /// Locator.
    pub locator: Option<String>,
    /// Summary.
    pub summary: String,
    /// Lifecycle status label.
    pub status: String,
    /// Short fingerprint.
    pub fingerprint: Option<String>,
    /// Evidence excerpts.
    pub evidence: Vec<EvidenceView>,
}

/// One request/response excerpt.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    /// "GET https://… → 200".
    pub request: String,
    /// Note.
    pub note: Option<String>,
    /// Excerpt (headers and body start).
    pub excerpt: String,
}

/// Item with a reason.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonRow {
    /// Item id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity label.
    pub severity: String,
    /// Reason.
    pub reason: String,
}

/// Appendix row.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistRow {
    /// Item id.
    pub id: String,
    /// Area id.
    pub area: String,
    /// Title.
    pub title: String,
    /// Outcome label.
    pub outcome: String,
    /// Outcome CSS class.
    pub outcome_class: &'static str,
    /// Severity label.
    pub severity: String,
    /// BSSN / ASVS / WSTG references.
    pub references: String,
}

/// Manual item row.
#[derive(Debug, Clone, Serialize)]
pub struct ManualRow {
    /// Item id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Outcome label.
    pub outcome: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: String,
    /// Note.
    pub note: String,
    /// Attachment with hash.
    pub attachment: Option<String>,
}

/// SOP row.
#[derive(Debug, Clone, Serialize)]
pub struct SopRow {
    /// Number.
    pub number: usize,
    /// Title.
    pub title: String,
    /// Role.
    pub role: String,
    /// Limit text.
    pub limit: String,
    /// State label.
    pub state: String,
    /// State CSS class.
    pub state_class: &'static str,
    /// Who and when, if done.
    pub done: String,
    /// Output.
    pub output: String,
}

/// Labels in `lang`.
pub fn labels(lang: Lang) -> BTreeMap<String, String> {
    let table: BTreeMap<String, Text> = toml::from_str(LABELS).unwrap_or_default();
    table
        .into_iter()
        .map(|(k, v)| (k, v.get(lang).to_string()))
        .collect()
}

/// Formats a time as "22 November 2026 14:05 WIB" style UTC text.
pub fn when(t: OffsetDateTime, lang: Lang) -> String {
    const ID: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    // Reports go to Indonesian offices: show Western Indonesia Time.
    let t = t.to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC));
    let m = usize::from(u8::from(t.month())) - 1;
    let month = match lang {
        Lang::Id => ID[m],
        Lang::En => EN[m],
    };
    format!(
        "{} {} {} {:02}:{:02} WIB",
        t.day(),
        month,
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// The date part of [`when`]: "22 November 2026".
pub fn date(t: OffsetDateTime, lang: Lang) -> String {
    let full = when(t, lang);
    full.rsplitn(3, ' ').nth(2).unwrap_or(&full).to_string()
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "sev-critical",
        Severity::High => "sev-high",
        Severity::Medium => "sev-medium",
        Severity::Low => "sev-low",
        Severity::Info => "sev-info",
    }
}

fn outcome_class(o: &Outcome) -> &'static str {
    match o {
        Outcome::Pass => "out-pass",
        Outcome::Fail => "out-fail",
        Outcome::Inconclusive { .. } => "out-inconclusive",
        Outcome::NotApplicable { .. } => "out-na",
        Outcome::Manual => "out-manual",
    }
}

fn limit_text(minutes: u32, target: Option<u32>, lang: Lang) -> String {
    let one = |m: u32| -> String {
        if m == 0 {
            return "-".into();
        }
        if m.is_multiple_of(1440) {
            format!("{} {}", m / 1440, crate::i18n::tr(lang, "hari", "day(s)"))
        } else if m.is_multiple_of(60) {
            format!("{} {}", m / 60, crate::i18n::tr(lang, "jam", "hour(s)"))
        } else {
            format!("{m} {}", crate::i18n::tr(lang, "menit", "min"))
        }
    };
    match target {
        Some(t) if t < minutes => format!(
            "{}–{}",
            one(t).split(' ').next().unwrap_or(""),
            one(minutes)
        ),
        _ => one(minutes),
    }
}

/// Builds the view of `report` in `lang`.
pub fn build(report: &Report, checklist: &Checklist, ctx: &Context, lang: Lang) -> View {
    let t = labels(lang);
    let l = |k: &str| t.get(k).cloned().unwrap_or_else(|| k.to_string());
    let states: BTreeMap<&str, &FindingState> = ctx
        .states
        .iter()
        .map(|s| (s.fingerprint.as_str(), s))
        .collect();
    let recorded = |kind: &str| ctx.decisions.iter().find(|d| d.kind == kind);
    let sentence = |d: &DecisionRecord, label: String| {
        format!(
            "{label} — {} ({} {}, {})",
            if d.agrees {
                l("agrees")
            } else {
                l("overrides")
            },
            l("by"),
            d.actor,
            when(d.decided_at, lang)
        )
    };
    let dec = &report.decision;
    let standard = DecisionView {
        label: dec.label.get(lang).to_string(),
        tone: match (dec.meets_standard, dec.is_provisional()) {
            (true, false) => "good",
            (true, true) => "warn",
            (false, _) => "bad",
        },
        rationale: dec.rationale.get(lang).to_string(),
        items: dec.deciding_items.clone(),
        recorded: recorded("standard").map(|d| {
            let label = if d.decided == "met" {
                Text::new("Memenuhi Standar", "Meets the Standard")
            } else {
                Text::new("Belum Memenuhi Standar", "Does Not Yet Meet the Standard")
            };
            sentence(d, label.get(lang).to_string())
        }),
        recorded_reason: recorded("standard")
            .map(|d| d.reason.clone())
            .filter(|r| !r.is_empty()),
    };
    let action = report.action.as_ref().map(|a| DecisionView {
        label: a.label.get(lang).to_string(),
        tone: match a.action {
            Action::Shutdown => "bad",
            Action::Monitoring => "warn",
        },
        rationale: a.rationale.get(lang).to_string(),
        items: a.items.clone(),
        recorded: recorded("action").map(|d| {
            let label = Action::parse(&d.decided)
                .map(|x| x.label().get(lang).to_string())
                .unwrap_or_else(|| d.decided.clone());
            sentence(d, label)
        }),
        recorded_reason: recorded("action")
            .map(|d| d.reason.clone())
            .filter(|r| !r.is_empty()),
    });
    let s = &report.summary;
    let counts = vec![
        Count {
            label: l("pass"),
            n: s.pass,
            class: "out-pass",
        },
        Count {
            label: l("fail"),
            n: s.fail,
            class: "out-fail",
        },
        Count {
            label: l("inconclusive"),
            n: s.inconclusive,
            class: "out-inconclusive",
        },
        Count {
            label: l("not_applicable"),
            n: s.not_applicable,
            class: "out-na",
        },
        Count {
            label: l("manual"),
            n: s.manual,
            class: "out-manual",
        },
    ];
    let severities = Severity::ALL
        .iter()
        .rev()
        .map(|sev| Count {
            label: sev.label(lang).to_string(),
            n: s.fail_by_severity.get(sev).copied().unwrap_or(0),
            class: severity_class(*sev),
        })
        .collect();
    let area_name = |id: &str| {
        checklist
            .area(id)
            .map(|a| format!("{id}. {}", a.name.get(lang)))
            .unwrap_or_else(|| id.to_string())
    };
    let mut areas: Vec<AreaView> = Vec::new();
    let mut area_counts: Vec<AreaCount> = checklist
        .areas
        .iter()
        .map(|a| AreaCount {
            area: area_name(&a.id),
            by_severity: [0; 5],
        })
        .collect();
    let mut finding_instances = 0;
    let mut inconclusive = Vec::new();
    let mut appendix = Vec::with_capacity(report.items.len());
    for item in &report.items {
        let def = checklist.item(&item.id);
        let refs = def
            .map(|d| {
                let mut r = Vec::new();
                if !d.bssn.is_empty() {
                    r.push(format!("BSSN {}", d.bssn.join(", ")));
                }
                if !d.asvs4.is_empty() {
                    r.push(format!("ASVS 4.0.3 {}", d.asvs4.join(", ")));
                }
                if !d.asvs5.is_empty() {
                    r.push(format!("ASVS 5.0 {}", d.asvs5.join(", ")));
                }
                if !d.wstg.is_empty() {
                    r.push(d.wstg.join(", "));
                }
                if !d.cwe.is_empty() {
                    r.push(
                        d.cwe
                            .iter()
                            .map(|c| format!("CWE-{c}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    );
                }
                r.join(" · ")
            })
            .unwrap_or_default();
        appendix.push(ChecklistRow {
            id: item.id.clone(),
            area: item.area.clone(),
            title: item.title.get(lang).to_string(),
            outcome: item.outcome.label(lang).to_string(),
            outcome_class: outcome_class(&item.outcome),
            severity: item.severity.label(lang).to_string(),
            references: refs.clone(),
        });
        match &item.outcome {
            Outcome::Inconclusive { reason } => inconclusive.push(ReasonRow {
                id: item.id.clone(),
                title: item.title.get(lang).to_string(),
                severity: item.severity.label(lang).to_string(),
                reason: reason.get(lang).to_string(),
            }),
            Outcome::Fail => {
                let sev_idx = 4 - Severity::ALL
                    .iter()
                    .position(|s| *s == item.severity)
                    .unwrap_or(0);
                if let Some(ac) = area_counts
                    .iter_mut()
                    .find(|a| a.area == area_name(&item.area))
                {
                    ac.by_severity[sev_idx] += 1;
                }
                let instances: Vec<InstanceView> = item
                    .observations
                    .iter()
                    .filter(|o| o.outcome == Outcome::Fail)
                    .map(|o| {
                        let state = o
                            .fingerprint
                            .as_deref()
                            .and_then(|f| states.get(f))
                            .map(|s| s.status.label().get(lang).to_string())
                            .unwrap_or_else(|| {
                                crate::store::FindingStatus::Open
                                    .label()
                                    .get(lang)
                                    .to_string()
                            });
                        InstanceView {
                            locator: o.locator.clone(),
                            summary: o.summary.get(lang).to_string(),
                            status: state,
                            fingerprint: o
                                .fingerprint
                                .as_deref()
                                .map(|f| f.chars().take(10).collect()),
                            evidence: o.evidence.iter().take(3).map(evidence).collect(),
                        }
                    })
                    .collect();
                finding_instances += instances.len().max(1);
                let finding = FindingView {
                    id: item.id.clone(),
                    title: item.title.get(lang).to_string(),
                    severity: item.severity.label(lang).to_string(),
                    severity_class: severity_class(item.severity),
                    description: def
                        .map(|d| d.description.get(lang).to_string())
                        .unwrap_or_default(),
                    remediation: def
                        .map(|d| d.remediation.get(lang).to_string())
                        .unwrap_or_default(),
                    references: refs,
                    instances,
                };
                match areas.iter_mut().find(|a| a.id == item.area) {
                    Some(a) => a.findings.push(finding),
                    None => areas.push(AreaView {
                        id: item.area.clone(),
                        name: area_name(&item.area),
                        pasal: checklist
                            .area(&item.area)
                            .map(|a| a.pasal.clone())
                            .unwrap_or_default(),
                        findings: vec![finding],
                    }),
                }
            }
            _ => {}
        }
    }
    for a in &mut areas {
        a.findings.sort_by_key(|f| {
            std::cmp::Reverse(
                report
                    .items
                    .iter()
                    .find(|i| i.id == f.id)
                    .map(|i| i.severity),
            )
        });
    }
    area_counts.retain(|a| a.by_severity.iter().any(|n| *n > 0));
    let finding_items = areas.iter().map(|a| a.findings.len()).sum();
    let manual_pending = report
        .items
        .iter()
        .filter(|i| i.outcome == Outcome::Manual)
        .count();
    let manual = ctx
        .manual
        .iter()
        .map(|m| {
            let item = report.items.iter().find(|i| i.id == m.item_id);
            ManualRow {
                id: m.item_id.clone(),
                title: item
                    .map(|i| i.title.get(lang).to_string())
                    .unwrap_or_default(),
                outcome: item
                    .map(|i| i.outcome.label(lang).to_string())
                    .unwrap_or_else(|| m.outcome.clone()),
                actor: m.actor.clone(),
                at: when(m.recorded_at, lang),
                note: m.note.clone(),
                attachment: m.attachment_name.as_ref().map(|n| {
                    format!(
                        "{n} (SHA-256 {})",
                        m.attachment_sha256
                            .as_deref()
                            .map(|h| h.chars().take(16).collect::<String>())
                            .unwrap_or_default()
                    )
                }),
            }
        })
        .collect();
    let sop = ctx
        .sop
        .iter()
        .map(|r| SopRow {
            number: r.number,
            title: r.def.title.get(lang).to_string(),
            role: r.def.role.get(lang).to_string(),
            limit: limit_text(r.def.limit_minutes, r.def.target_minutes, lang),
            state: r.state.label().get(lang).to_string(),
            state_class: match r.state {
                StepState::Done => "out-pass",
                StepState::DoneLate | StepState::Overdue => "out-fail",
                StepState::Due => "out-inconclusive",
                StepState::Skipped | StepState::Waiting => "out-na",
            },
            done: r
                .record
                .as_ref()
                .map(|rec| format!("{} ({}), {}", rec.actor, rec.role, when(rec.done_at, lang)))
                .or_else(|| r.due_at.map(|d| format!("{}: {}", l("due"), when(d, lang))))
                .unwrap_or_default(),
            output: r
                .record
                .as_ref()
                .map(|rec| rec.output.clone())
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| r.def.output.get(lang).to_string()),
        })
        .collect();
    let evaluator = if ctx.evaluator.is_empty() {
        "Kawal".to_string()
    } else {
        ctx.evaluator.clone()
    };
    let cover = Cover {
        office: ctx.office.clone(),
        agency: ctx.agency.clone().unwrap_or_else(|| "-".into()),
        application: report
            .application
            .clone()
            .unwrap_or_else(|| report.target.clone()),
        url: report.target.clone(),
        owner: ctx.owner.clone().unwrap_or_else(|| "-".into()),
        period: format!(
            "{} – {}",
            date(report.started_at, lang),
            date(report.finished_at, lang)
        ),
        evaluator,
        evaluation: ctx
            .evaluation_id
            .map_or_else(|| "-".into(), |i| format!("#{i}")),
        checklist: format!("{} {}", report.checklist.id, report.checklist.version),
        generated: when(ctx.generated_at.unwrap_or(report.finished_at), lang),
        retest_of: ctx.retest_of.map(|i| format!("{} #{i}", l("retest_of"))),
    };
    let chart_by_area = super::chart::by_area(&area_counts, lang);
    let chart_trend = (ctx.history.len() >= 2).then(|| super::chart::trend(&ctx.history, lang));
    View {
        generated_at: ctx.generated_at.unwrap_or(report.finished_at),
        lang: match lang {
            Lang::Id => "id",
            Lang::En => "en",
        },
        t,
        cover,
        standard,
        action,
        counts,
        severities,
        manual_pending,
        trend: ctx.trend.as_ref().map_or(
            TrendView {
                previous: None,
                new: 0,
                fixed: 0,
                still_open: 0,
            },
            |t| TrendView {
                previous: t.previous,
                new: t.new,
                fixed: t.fixed,
                still_open: t.still_open,
            },
        ),
        chart_by_area,
        chart_trend,
        area_counts,
        areas,
        finding_items,
        finding_instances,
        inconclusive,
        appendix,
        manual,
        sop,
    }
}

fn evidence(e: &crate::net::Evidence) -> EvidenceView {
    let mut excerpt = String::new();
    for (k, v) in e.response_headers.iter().take(12) {
        excerpt.push_str(k);
        excerpt.push_str(": ");
        excerpt.push_str(v);
        excerpt.push('\n');
    }
    if !e.body_excerpt.is_empty() {
        if !excerpt.is_empty() {
            excerpt.push('\n');
        }
        excerpt.push_str(&e.body_excerpt);
    }
    let mut excerpt: String = excerpt
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .take(EXCERPT_CHARS)
        .collect();
    if excerpt.chars().count() >= EXCERPT_CHARS || e.truncated {
        excerpt.push_str(" …");
    }
    EvidenceView {
        request: match e.status {
            Some(s) => format!("{} {} → {s}", e.method, e.url),
            None => format!("{} {}", e.method, e.url),
        },
        note: e.note.clone(),
        excerpt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_exists_in_both_languages() {
        let table: BTreeMap<String, Text> = toml::from_str(LABELS).expect("labels parse");
        assert!(table.len() > 50);
        for (k, v) in &table {
            assert!(!v.id.trim().is_empty() && !v.en.trim().is_empty(), "{k}");
        }
        assert_eq!(
            labels(Lang::En).get("fail").map(String::as_str),
            Some("Fail")
        );
    }

    #[test]
    fn times_are_shown_in_wib() {
        let t = time::macros::datetime!(2026-11-22 00:00 UTC);
        assert_eq!(when(t, Lang::Id), "22 November 2026 07:00 WIB");
        assert_eq!(date(t, Lang::En), "22 November 2026");
    }

    #[test]
    fn limits_read_naturally() {
        assert_eq!(limit_text(15, None, Lang::Id), "15 menit");
        assert_eq!(limit_text(120, None, Lang::En), "2 hour(s)");
        assert_eq!(limit_text(7200, Some(1440), Lang::Id), "1–5 hari");
        assert_eq!(limit_text(0, None, Lang::Id), "-");
    }
}
