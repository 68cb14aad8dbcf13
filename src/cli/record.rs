//! `kawal evaluation …` (the SOP record), `kawal finding …` (lifecycle), `kawal retest` and
//! `kawal report` (agency documents).

use super::{EXIT_OK, Failure, NetArgs, SessionArgs, Settings, write_out};
use crate::decision::{Action, Policy};
use crate::evaluation::Report;
use crate::i18n::{Lang, tr};
use crate::model::Outcome;
use crate::report::view::{self, Context};
use crate::sop::{Branch, Sop, StepState};
use crate::store::{DecisionRecord, FindingStatus, Store};
use anyhow::anyhow;
use clap::{Args, Subcommand, ValueEnum};
use std::fmt::Write;
use std::path::PathBuf;
use time::OffsetDateTime;

#[derive(Debug, Subcommand)]
pub(super) enum EvaluationCommand {
    /// Langkah SOP, keputusan dan tren satu evaluasi / SOP steps, decisions and trend of one evaluation
    Show {
        /// Id evaluasi, nama aplikasi (evaluasi terakhirnya) atau "latest" / evaluation id, application name or "latest"
        eval: String,
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
    /// Catat hasil butir manual / record the outcome of a manual item
    RecordManual(ManualArgs),
    /// Catat satu langkah SOP selesai / record an SOP step as done
    Advance(AdvanceArgs),
    /// Catat keputusan pimpinan / record the head of office's decision
    Decide(DecideArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ManualOutcome {
    /// Sesuai / meets the requirement
    Pass,
    /// Tidak sesuai / does not meet it
    Fail,
    /// Tidak berlaku / does not apply
    Na,
    /// Tidak dapat disimpulkan / could not be determined
    Inconclusive,
}

#[derive(Debug, Args)]
pub(super) struct ManualArgs {
    /// Id evaluasi, nama aplikasi atau "latest" / evaluation id, application name or "latest"
    eval: String,
    /// Id butir checklist / checklist item id
    item: String,
    /// Hasil / outcome
    #[arg(long, value_enum)]
    outcome: ManualOutcome,
    /// Pencatat / who records it
    #[arg(long)]
    actor: String,
    /// Catatan / note
    #[arg(long, default_value = "")]
    note: String,
    /// Berkas bukti dukung / supporting evidence file (max 20 MiB)
    #[arg(long)]
    attachment: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(super) struct AdvanceArgs {
    /// Id evaluasi, nama aplikasi atau "latest" / evaluation id, application name or "latest"
    eval: String,
    /// Langkah SOP / SOP step key (see `kawal evaluation show`)
    step: String,
    /// Pelaksana / who did it
    #[arg(long)]
    actor: String,
    /// Jabatan (bawaan: peran SOP) / role (default: the SOP role)
    #[arg(long)]
    role: Option<String>,
    /// Keluaran, mis. nomor Nota Dinas / output, e.g. the memo number
    #[arg(long, default_value = "")]
    output: String,
    /// Catatan / note
    #[arg(long, default_value = "")]
    note: String,
    /// Catat sebagai tidak berlaku / record as skipped
    #[arg(long)]
    skip: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum StandardChoice {
    /// Memenuhi Standar
    Met,
    /// Belum Memenuhi Standar
    NotMet,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ActionChoice {
    /// Penghentian sementara / temporary shutdown
    Shutdown,
    /// Pemantauan intensif dan pencadangan / intensive monitoring and backup
    Monitoring,
}

#[derive(Debug, Args)]
pub(super) struct DecideArgs {
    /// Id evaluasi, nama aplikasi atau "latest" / evaluation id, application name or "latest"
    eval: String,
    /// Keputusan 1 / decision 1
    #[arg(long, value_enum, required_unless_present = "action")]
    standard: Option<StandardChoice>,
    /// Keputusan 2 / decision 2
    #[arg(long, value_enum)]
    action: Option<ActionChoice>,
    /// Pengambil keputusan / who decides
    #[arg(long)]
    actor: String,
    /// Alasan (wajib bila berbeda dari rekomendasi) / reason (required to override)
    #[arg(long, default_value = "")]
    reason: String,
}

#[derive(Debug, Subcommand)]
pub(super) enum FindingCommand {
    /// Temuan aplikasi dan statusnya / an application's findings and their status
    List {
        /// Nama atau id aplikasi / application name or id
        app: String,
        /// Hanya status ini / only this status
        #[arg(long)]
        status: Option<String>,
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
    /// Ubah status temuan / change a finding's status
    Set(SetArgs),
    /// Riwayat status satu temuan / status history of one finding
    History {
        /// Nama atau id aplikasi / application name or id
        app: String,
        /// Sidik temuan (awalan cukup) / finding fingerprint (a prefix is enough)
        fingerprint: String,
    },
}

#[derive(Debug, Args)]
pub(super) struct SetArgs {
    /// Nama atau id aplikasi / application name or id
    app: String,
    /// Sidik temuan (awalan cukup) / finding fingerprint (a prefix is enough)
    fingerprint: String,
    /// fix_reported | accepted_risk | false_positive | open
    status: String,
    /// Siapa / who
    #[arg(long)]
    actor: String,
    /// Alasan / reason (required)
    #[arg(long)]
    reason: String,
    /// Risiko diterima sampai tanggal / accepted until (YYYY-MM-DD)
    #[arg(long)]
    until: Option<String>,
}

#[derive(Debug, Args)]
pub(super) struct RetestArgs {
    /// Id evaluasi, nama aplikasi atau "latest" / evaluation id, application name or "latest"
    eval: String,
    #[command(flatten)]
    net: NetArgs,
    #[command(flatten)]
    session: SessionArgs,
}

/// Formats of `kawal report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ReportFormat {
    /// Satu berkas HTML mandiri / one self-contained HTML file
    Html,
    /// PDF
    Pdf,
    /// JSON (kawal.evaluation/1)
    Json,
    /// SARIF 2.1.0
    Sarif,
    /// JUnit XML
    Junit,
    /// CSV, satu baris per temuan / one row per finding instance
    Csv,
}

#[derive(Debug, Args)]
pub(super) struct ReportArgs {
    /// Id evaluasi, nama aplikasi (evaluasi terakhirnya) atau "latest" / evaluation id, application name (its latest) or "latest"
    eval: String,
    /// Format
    #[arg(long, short, value_enum, default_value = "html")]
    format: ReportFormat,
    /// Tulis ke berkas / write to a file
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Resolves an evaluation id, an application name (its latest finished evaluation) or "latest".
pub async fn resolve_eval(store: &Store, key: &str) -> Result<i64, Failure> {
    let key = key.trim();
    if let Ok(id) = key.parse::<i64>() {
        store.evaluation(id).await?;
        return Ok(id);
    }
    let app = if key.eq_ignore_ascii_case("latest") {
        None
    } else {
        Some(store.app(key).await?)
    };
    store
        .latest_finished(app.as_ref().map(|a| a.id))
        .await?
        .ok_or_else(|| {
            Failure::usage(anyhow!(
                "belum ada evaluasi selesai {} / no finished evaluation {}",
                app.as_ref()
                    .map_or_else(String::new, |a| format!("untuk '{}'", a.name)),
                app.as_ref()
                    .map_or_else(String::new, |a| format!("for '{}'", a.name))
            ))
        })
}

/// The `--actor` of a record: who did it must be named.
fn actor(name: &str) -> Result<&str, Failure> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Failure::usage(anyhow!(
            "--actor tidak boleh kosong / --actor must not be empty"
        )));
    }
    Ok(name)
}

fn policy() -> Result<Policy, Failure> {
    Policy::builtin().map_err(Failure::usage)
}

fn sop() -> Result<Sop, Failure> {
    Sop::builtin().map_err(Failure::usage)
}

/// The stored report of `id` and everything the agency documents show with it.
pub(super) async fn context(
    settings: &Settings,
    store: &Store,
    id: i64,
) -> Result<(Report, Context), Failure> {
    let row = store.evaluation(id).await?;
    let report = store.stored_report(id).await?;
    let app = match row.application_id {
        Some(a) => Some(store.app_by_id(a).await?),
        None => None,
    };
    let decisions = store.decisions(id).await?;
    let steps = store.steps(id).await?;
    let branch = branch(&report, &decisions);
    let timeline = crate::sop::timeline(
        &sop()?,
        row.created_at,
        &steps,
        branch,
        OffsetDateTime::now_utc(),
    );
    let evaluator = steps
        .iter()
        .find(|s| s.step == "evaluasi" || s.step == "penugasan-tim")
        .map(|s| s.actor.clone())
        .or_else(|| settings.file.report.evaluator.clone())
        .unwrap_or_default();
    let ctx = Context {
        evaluation_id: Some(id),
        retest_of: row.retest_of,
        office: settings
            .file
            .report
            .office
            .clone()
            .unwrap_or_else(|| "Dinas Komunikasi dan Informatika".to_string()),
        agency: app.as_ref().map(|a| a.agency.clone()),
        owner: app.as_ref().map(|a| a.owner.clone()),
        evaluator,
        decisions,
        manual: store.manual_results(id).await?,
        states: match &app {
            Some(a) => store.finding_states(a.id).await?,
            None => Vec::new(),
        },
        trend: Some(store.trend(id).await?),
        history: store.history_points(id, 12).await?,
        sop: timeline,
        generated_at: Some(OffsetDateTime::now_utc()),
    };
    Ok((report, ctx))
}

fn branch(report: &Report, decisions: &[DecisionRecord]) -> Branch {
    let standard = decisions
        .iter()
        .find(|d| d.kind == "standard")
        .map(|d| d.decided == "met")
        .unwrap_or(report.decision.meets_standard);
    let action = decisions
        .iter()
        .find(|d| d.kind == "action")
        .and_then(|d| Action::parse(&d.decided))
        .or(report.action.as_ref().map(|a| a.action));
    Branch {
        meets_standard: Some(standard),
        action,
    }
}

pub(super) async fn evaluation(settings: &Settings, c: EvaluationCommand) -> Result<u8, Failure> {
    let store = settings.store().await?;
    let lang = settings.lang;
    let code = match c {
        EvaluationCommand::Show { eval, json } => {
            let id = resolve_eval(&store, &eval).await?;
            let (report, ctx) = context(settings, &store, id).await?;
            if json {
                let doc = serde_json::json!({
                    "evaluation": id,
                    "retest_of": ctx.retest_of,
                    "decision": report.decision,
                    "action": report.action,
                    "recorded_decisions": ctx.decisions,
                    "manual": ctx.manual,
                    "manual_pending": report.items.iter().filter(|i| i.outcome == Outcome::Manual).count(),
                    "trend": ctx.trend,
                    "steps": ctx.sop.iter().map(|r| serde_json::json!({
                        "number": r.number, "key": r.def.key, "state": r.state,
                        "due_at": r.due_at.and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok()),
                        "record": r.record,
                    })).collect::<Vec<_>>(),
                });
                write_out(
                    &(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"),
                    None,
                )?;
            } else {
                write_out(&show_text(id, &report, &ctx, lang), None)?;
            }
            EXIT_OK
        }
        EvaluationCommand::RecordManual(a) => {
            let id = resolve_eval(&store, &a.eval).await?;
            let report = store.stored_report(id).await?;
            let Some(item) = report.items.iter().find(|i| i.id == a.item) else {
                return Err(Failure::usage(anyhow!(
                    "butir '{}' tidak ada pada evaluasi {id} / item '{}' is not in evaluation {id} (lihat / see: kawal checklist list)",
                    a.item,
                    a.item
                )));
            };
            if item.check != "manual" && item.outcome != Outcome::Manual {
                return Err(Failure::usage(anyhow!(
                    "butir '{}' diperiksa otomatis oleh '{}'; hasilnya tidak dicatat manual. Untuk menyanggah temuannya gunakan / item '{}' is checked automatically by '{}'; to dispute its findings use: kawal finding set APP SIDIK false_positive",
                    a.item,
                    item.check,
                    a.item,
                    item.check
                )));
            }
            let attachment = match &a.attachment {
                Some(p) => {
                    let bytes = std::fs::read(p).map_err(|e| {
                        Failure::usage(anyhow!("lampiran / attachment {}: {e}", p.display()))
                    })?;
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_else(|| "lampiran".into());
                    Some((name, bytes))
                }
                None => None,
            };
            actor(&a.actor)?;
            let outcome = match a.outcome {
                ManualOutcome::Pass => Outcome::Pass,
                ManualOutcome::Fail => Outcome::Fail,
                ManualOutcome::Na => Outcome::not_applicable(a.note.clone(), a.note.clone()),
                ManualOutcome::Inconclusive => {
                    Outcome::inconclusive(a.note.clone(), a.note.clone())
                }
            };
            let row = store.evaluation(id).await?;
            let facts_app = match row.application_id {
                Some(x) => Some(store.app_by_id(x).await?),
                None => None,
            };
            let excl = match &facts_app {
                Some(app) => store.exclusions(app.id, OffsetDateTime::now_utc()).await?,
                None => Default::default(),
            };
            let p = policy()?;
            let facts = report.facts;
            let mut decided = String::new();
            let rec = store
                .record_manual(
                    id,
                    &a.item,
                    outcome,
                    a.actor.trim(),
                    &a.note,
                    attachment.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
                    |r| {
                        r.redecide(&p, facts, &excl);
                        decided = r.decision.label.get(lang).to_string();
                    },
                )
                .await?;
            write_out(
                &format!(
                    "{} {} = {} ({} {}). {}: {}\n",
                    tr(lang, "Dicatat", "Recorded"),
                    rec.item_id,
                    rec.outcome,
                    tr(lang, "oleh", "by"),
                    rec.actor,
                    tr(lang, "Rekomendasi keputusan", "Recommended decision"),
                    decided
                ),
                None,
            )?;
            EXIT_OK
        }
        EvaluationCommand::Advance(a) => {
            let id = resolve_eval(&store, &a.eval).await?;
            let sop = sop()?;
            let Some(step) = sop.step(&a.step) else {
                return Err(Failure::usage(anyhow!(
                    "langkah SOP '{}' tidak dikenal / unknown SOP step '{}' (pilihan / choose: {})",
                    a.step,
                    a.step,
                    sop.keys()
                )));
            };
            if matches!(a.step.as_str(), "keputusan-standar" | "keputusan-tindakan") {
                return Err(Failure::usage(anyhow!(
                    "langkah keputusan dicatat dengan / decision steps are recorded with: kawal evaluation decide {} --standard|--action … --actor NAMA",
                    a.eval
                )));
            }
            actor(&a.actor)?;
            let role = a
                .role
                .clone()
                .unwrap_or_else(|| step.role.get(lang).to_string());
            let rec = store
                .record_step(
                    id,
                    &a.step,
                    a.skip,
                    a.actor.trim(),
                    &role,
                    &a.output,
                    &a.note,
                )
                .await?;
            let (_, ctx) = context(settings, &store, id).await?;
            let row = ctx.sop.iter().find(|r| r.def.key == rec.step);
            write_out(
                &format!(
                    "{} {}: {} ({}).\n",
                    tr(lang, "Langkah", "Step"),
                    rec.step,
                    row.map_or(String::new(), |r| r.state.label().get(lang).to_owned()),
                    view::when(rec.done_at, lang)
                ),
                None,
            )?;
            EXIT_OK
        }
        EvaluationCommand::Decide(a) => {
            let id = resolve_eval(&store, &a.eval).await?;
            let report = store.stored_report(id).await?;
            actor(&a.actor)?;
            let sop = sop()?;
            let now = OffsetDateTime::now_utc();
            let overrides_need_reason = |agrees: bool| {
                if !agrees && a.reason.trim().is_empty() {
                    Err(Failure::usage(anyhow!(
                        "keputusan berbeda dari rekomendasi wajib disertai --reason / a decision that overrides the recommendation needs --reason"
                    )))
                } else {
                    Ok(())
                }
            };
            let mut out = String::new();
            if let Some(s) = a.standard {
                let recommended = if report.decision.meets_standard {
                    "met"
                } else {
                    "not_met"
                };
                let decided = match s {
                    StandardChoice::Met => "met",
                    StandardChoice::NotMet => "not_met",
                };
                let agrees = recommended == decided;
                overrides_need_reason(agrees)?;
                let role = sop
                    .step("keputusan-standar")
                    .map(|s| s.role.get(lang).to_string())
                    .unwrap_or_default();
                store
                    .record_decision(
                        id,
                        &DecisionRecord {
                            kind: "standard".into(),
                            recommended: recommended.into(),
                            decided: decided.into(),
                            agrees,
                            actor: a.actor.trim().into(),
                            reason: a.reason.clone(),
                            decided_at: now,
                        },
                        Some(("keputusan-standar", &role)),
                    )
                    .await?;
                let _ = writeln!(
                    out,
                    "{}: {} ({})",
                    tr(lang, "Keputusan 1 dicatat", "Decision 1 recorded"),
                    decided,
                    if agrees {
                        tr(lang, "sesuai rekomendasi", "follows the recommendation")
                    } else {
                        tr(lang, "mengubah rekomendasi", "overrides the recommendation")
                    }
                );
            }
            if let Some(act) = a.action {
                let decisions = store.decisions(id).await?;
                let met = branch(&report, &decisions).meets_standard == Some(true);
                if met {
                    return Err(Failure::usage(anyhow!(
                        "keputusan 2 hanya untuk aplikasi yang belum memenuhi standar / decision 2 applies only to an application that does not meet the standard"
                    )));
                }
                let recommended = report
                    .action
                    .as_ref()
                    .map(|x| x.action)
                    .unwrap_or(Action::Monitoring);
                let decided = match act {
                    ActionChoice::Shutdown => Action::Shutdown,
                    ActionChoice::Monitoring => Action::Monitoring,
                };
                let agrees = recommended == decided;
                overrides_need_reason(agrees)?;
                let role = sop
                    .step("keputusan-tindakan")
                    .map(|s| s.role.get(lang).to_string())
                    .unwrap_or_default();
                store
                    .record_decision(
                        id,
                        &DecisionRecord {
                            kind: "action".into(),
                            recommended: recommended.as_str().into(),
                            decided: decided.as_str().into(),
                            agrees,
                            actor: a.actor.trim().into(),
                            reason: a.reason.clone(),
                            decided_at: now,
                        },
                        Some(("keputusan-tindakan", &role)),
                    )
                    .await?;
                let _ = writeln!(
                    out,
                    "{}: {}",
                    tr(lang, "Keputusan 2 dicatat", "Decision 2 recorded"),
                    decided.label().get(lang)
                );
            }
            write_out(&out, None)?;
            EXIT_OK
        }
    };
    store.close().await;
    Ok(code)
}

fn show_text(id: i64, report: &Report, ctx: &Context, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} #{id} — {} ({})",
        tr(lang, "Evaluasi", "Evaluation"),
        report.application.as_deref().unwrap_or(&report.target),
        report.target
    );
    if let Some(r) = ctx.retest_of {
        let _ = writeln!(s, "{} #{r}", tr(lang, "Uji ulang atas", "Retest of"));
    }
    let _ = writeln!(
        s,
        "\n{}: {}\n  {}",
        tr(
            lang,
            "Keputusan 1 (rekomendasi)",
            "Decision 1 (recommended)"
        ),
        report.decision.label.get(lang),
        report.decision.rationale.get(lang)
    );
    if let Some(a) = &report.action {
        let _ = writeln!(
            s,
            "{}: {}\n  {}",
            tr(
                lang,
                "Keputusan 2 (rekomendasi)",
                "Decision 2 (recommended)"
            ),
            a.label.get(lang),
            a.rationale.get(lang)
        );
    }
    for d in &ctx.decisions {
        let _ = writeln!(
            s,
            "{} [{}]: {} {} {} ({}){}",
            tr(lang, "Dicatat", "Recorded"),
            d.kind,
            d.decided,
            tr(lang, "oleh", "by"),
            d.actor,
            view::when(d.decided_at, lang),
            if d.agrees {
                String::new()
            } else {
                format!(" — {}: {}", tr(lang, "alasan", "reason"), d.reason)
            }
        );
    }
    let pending = report
        .items
        .iter()
        .filter(|i| i.outcome == Outcome::Manual)
        .count();
    let _ = writeln!(
        s,
        "{}: {} {}, {} {}",
        tr(lang, "Butir manual", "Manual items"),
        ctx.manual.len(),
        tr(lang, "dicatat", "recorded"),
        pending,
        tr(lang, "belum", "pending")
    );
    if let Some(t) = &ctx.trend {
        match t.previous {
            Some(p) => {
                let _ = writeln!(
                    s,
                    "{} #{p}: {} {}, {} {}, {} {}",
                    tr(lang, "Dibanding evaluasi", "Against evaluation"),
                    t.new,
                    tr(lang, "baru", "new"),
                    t.fixed,
                    tr(lang, "diperbaiki", "fixed"),
                    t.still_open,
                    tr(lang, "masih terbuka", "still open")
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "{}",
                    tr(
                        lang,
                        "Evaluasi pertama aplikasi ini.",
                        "First evaluation of this application."
                    )
                );
            }
        }
    }
    let _ = writeln!(s, "\n{}", tr(lang, "Langkah SOP:", "SOP steps:"));
    for r in &ctx.sop {
        let mark = match r.state {
            StepState::Done => "✔",
            StepState::DoneLate => "✔!",
            StepState::Skipped => "–",
            StepState::Due => "▶",
            StepState::Overdue => "▶!",
            StepState::Waiting => "·",
        };
        let detail = match (&r.record, r.due_at) {
            (Some(rec), _) => format!(
                "{} ({}), {}",
                rec.actor,
                rec.role,
                view::when(rec.done_at, lang)
            ),
            (None, Some(d)) if matches!(r.state, StepState::Due | StepState::Overdue) => {
                format!("{} {}", tr(lang, "tenggat", "due"), view::when(d, lang))
            }
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "{mark:>3} {:>2}. {:<24} {:<22} {detail}",
            r.number,
            r.def.key,
            r.state.label().get(lang)
        );
    }
    s
}

pub(super) async fn finding(settings: &Settings, c: FindingCommand) -> Result<u8, Failure> {
    let store = settings.store().await?;
    let lang = settings.lang;
    match c {
        FindingCommand::List { app, status, json } => {
            let app = store.app(&app).await?;
            let filter = match status.as_deref() {
                Some(s) => Some(FindingStatus::parse(s).ok_or_else(|| {
                    Failure::usage(anyhow!(
                        "status '{s}' tidak dikenal / unknown status '{s}' (open, fix_reported, verified_fixed, reopened, accepted_risk, false_positive)"
                    ))
                })?),
                None => None,
            };
            let states: Vec<_> = store
                .finding_states(app.id)
                .await?
                .into_iter()
                .filter(|s| filter.is_none_or(|f| s.status == f))
                .collect();
            if json {
                write_out(
                    &(serde_json::to_string_pretty(&states).unwrap_or_default() + "\n"),
                    None,
                )?;
            } else {
                let mut out = String::new();
                let _ = writeln!(
                    out,
                    "{:<12} {:<30} {:<24} {:<10} {}",
                    tr(lang, "SIDIK", "FINGERPRINT"),
                    tr(lang, "BUTIR", "ITEM"),
                    "STATUS",
                    tr(lang, "EVAL", "EVAL"),
                    tr(lang, "LOKASI", "LOCATION")
                );
                for s in &states {
                    let _ = writeln!(
                        out,
                        "{:<12} {:<30} {:<24} {:<10} {}",
                        s.fingerprint.chars().take(12).collect::<String>(),
                        s.item_id,
                        s.status.label().get(lang),
                        format!("#{}–#{}", s.first_seen_eval, s.last_seen_eval),
                        s.locator.as_deref().unwrap_or("")
                    );
                }
                write_out(&out, None)?;
            }
        }
        FindingCommand::Set(a) => {
            let app = store.app(&a.app).await?;
            let status = FindingStatus::parse(&a.status).ok_or_else(|| {
                Failure::usage(anyhow!(
                    "status '{}' tidak dikenal / unknown status (fix_reported, accepted_risk, false_positive, open)",
                    a.status
                ))
            })?;
            if matches!(
                status,
                FindingStatus::VerifiedFixed | FindingStatus::Reopened
            ) {
                return Err(Failure::usage(anyhow!(
                    "status '{}' hanya ditetapkan oleh uji ulang / is set only by a retest (kawal retest EVAL)",
                    status.as_str()
                )));
            }
            if a.reason.trim().is_empty() || a.actor.trim().is_empty() {
                return Err(Failure::usage(anyhow!(
                    "--actor dan --reason wajib diisi / --actor and --reason are required"
                )));
            }
            let until = match &a.until {
                Some(d) => {
                    if status != FindingStatus::AcceptedRisk {
                        return Err(Failure::usage(anyhow!(
                            "--until hanya untuk accepted_risk / --until applies to accepted_risk only"
                        )));
                    }
                    let fmt = time::macros::format_description!("[year]-[month]-[day]");
                    let day = time::Date::parse(d.trim(), &fmt).map_err(|e| {
                        Failure::usage(anyhow!(
                            "--until '{d}': {e} (format YYYY-MM-DD, mis./e.g. 2027-03-31)"
                        ))
                    })?;
                    Some(day.midnight().assume_utc())
                }
                None => None,
            };
            let fp = store.resolve_fingerprint(app.id, &a.fingerprint).await?;
            let st = store
                .set_finding_status(app.id, &fp, status, a.actor.trim(), a.reason.trim(), until)
                .await?;
            // Exclusions change decision 1 and 2 of the latest evaluation.
            if let Some(latest) = store.latest_finished(Some(app.id)).await? {
                let mut report = store.stored_report(latest).await?;
                let excl = store.exclusions(app.id, OffsetDateTime::now_utc()).await?;
                let facts = report.facts;
                report.redecide(&policy()?, facts, &excl);
                store.save_report(latest, &report).await?;
            }
            write_out(
                &format!(
                    "{} {}: {}\n",
                    tr(lang, "Temuan", "Finding"),
                    st.fingerprint.chars().take(12).collect::<String>(),
                    st.status.label().get(lang)
                ),
                None,
            )?;
        }
        FindingCommand::History { app, fingerprint } => {
            let app = store.app(&app).await?;
            let fp = store.resolve_fingerprint(app.id, &fingerprint).await?;
            let mut out = String::new();
            for (from, to, actor, reason, eval, at) in store.finding_events(app.id, &fp).await? {
                let _ = writeln!(
                    out,
                    "{}  {} → {}  {}{}{}",
                    view::when(at, lang),
                    from.as_deref().unwrap_or("-"),
                    to,
                    actor,
                    eval.map_or_else(String::new, |e| format!(" #{e}")),
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(" — {reason}")
                    }
                );
            }
            write_out(&out, None)?;
        }
    }
    store.close().await;
    Ok(EXIT_OK)
}

pub(super) async fn retest(settings: &Settings, a: RetestArgs) -> Result<u8, Failure> {
    let store = settings.store().await?;
    let id = resolve_eval(&store, &a.eval).await?;
    let row = store.evaluation(id).await?;
    let prev = store.stored_report(id).await?;
    let Some(app_id) = row.application_id else {
        return Err(Failure::usage(anyhow!(
            "evaluasi {id} bukan milik aplikasi terdaftar / evaluation {id} does not belong to a registered application"
        )));
    };
    let app = store.app_by_id(app_id).await?;
    let failed = prev
        .items
        .iter()
        .filter(|i| i.outcome == Outcome::Fail && i.check != "manual")
        .count();
    if failed == 0 {
        write_out(
            &format!(
                "{}\n",
                tr(
                    settings.lang,
                    "Tidak ada butir otomatis yang gagal; tidak ada yang diuji ulang.",
                    "No automated item failed; nothing to retest."
                )
            ),
            None,
        )?;
        store.close().await;
        return Ok(EXIT_OK);
    }
    let target = super::run::parse_target(&app.url)?;
    let net = settings.net(&a.net, app.rate_limit)?;
    let mut options = settings.check_options(&a.session)?;
    options.allow_unsafe_methods = app.allow_unsafe_methods;
    let (report, new_id) = super::run::evaluate_with(
        settings,
        &target,
        &app.scope_hosts,
        net,
        options,
        Some(&store),
        Some(&app),
        Some((id, prev)),
    )
    .await?;
    let lang = settings.lang;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} #{id} → #{}: {} {}",
        tr(lang, "Uji ulang", "Retest"),
        new_id.map_or_else(|| "-".into(), |i| i.to_string()),
        report.retested_items.len(),
        tr(lang, "butir diuji ulang", "items re-run")
    );
    for iid in &report.retested_items {
        if let Some(i) = report.items.iter().find(|i| &i.id == iid) {
            let _ = writeln!(out, "  {:<32} {}", i.id, i.outcome.label(lang));
        }
    }
    let _ = writeln!(
        out,
        "{}: {}",
        tr(lang, "Rekomendasi keputusan", "Recommended decision"),
        report.decision.label.get(lang)
    );
    write_out(&out, None)?;
    store.close().await;
    Ok(super::decision_exit(&report.decision))
}

pub(super) async fn report(settings: &Settings, a: ReportArgs) -> Result<u8, Failure> {
    let store = settings.store().await?;
    let id = resolve_eval(&store, &a.eval).await?;
    let checklist = settings.checklist()?;
    let lang = settings.lang;
    let (report, ctx) = context(settings, &store, id).await?;
    store.close().await;
    let bytes: Vec<u8> = match a.format {
        ReportFormat::Json => (crate::report::json(&report) + "\n").into_bytes(),
        ReportFormat::Sarif => {
            (crate::report::sarif::render(&report, &checklist, lang) + "\n").into_bytes()
        }
        ReportFormat::Junit => crate::report::junit::render(&report, &checklist, lang).into_bytes(),
        ReportFormat::Csv => crate::report::csv::render(&report, lang).into_bytes(),
        ReportFormat::Html => {
            let v = view::build(&report, &checklist, &ctx, lang);
            crate::report::html::Renderer::new()
                .and_then(|r| r.render(&v))
                .map_err(Failure::usage)?
                .into_bytes()
        }
        ReportFormat::Pdf => {
            let v = view::build(&report, &checklist, &ctx, lang);
            crate::report::pdf::render(&v).map_err(|e| Failure {
                code: super::EXIT_INCOMPLETE,
                error: e.into(),
            })?
        }
    };
    match &a.output {
        Some(p) => std::fs::write(p, &bytes).map_err(|e| {
            Failure::usage(anyhow!(
                "tidak dapat menulis / cannot write {}: {e}",
                p.display()
            ))
        })?,
        None => {
            use std::io::{IsTerminal, Write as _};
            if a.format == ReportFormat::Pdf && std::io::stdout().is_terminal() {
                return Err(Failure::usage(anyhow!(
                    "PDF tidak ditulis ke terminal; gunakan / PDF is not written to a terminal; use -o FILE.pdf"
                )));
            }
            std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| Failure::usage(anyhow!("stdout: {e}")))?;
        }
    }
    if let Some(p) = &a.output
        && !settings.quiet
    {
        eprintln!(
            "{} {} ({} {id})",
            tr(lang, "Laporan ditulis ke", "Report written to"),
            p.display(),
            tr(lang, "evaluasi", "evaluation")
        );
    }
    Ok(EXIT_OK)
}
