//! `kawal evaluation …` (the SOP record), `kawal finding …` (lifecycle), `kawal retest` and
//! `kawal report` (agency documents).

use super::{EXIT_OK, Failure, NetArgs, SessionArgs, Settings, write_out};
use crate::decision::Action;
use crate::evaluation::Report;
use crate::i18n::{Lang, tr};
use crate::model::Outcome;
use crate::report::view::{self, Context};
use crate::service::{DecideInput, FindingStatusInput, ManualInput, StepInput};
use crate::sop::StepState;
use crate::store::{FindingStatus, Store};
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
    /// Pencatat (bawaan: akun yang bertindak) / who records it (default: the acting account)
    #[arg(long)]
    actor: Option<String>,
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
    /// Pelaksana (bawaan: akun yang bertindak) / who did it (default: the acting account)
    #[arg(long)]
    actor: Option<String>,
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
    /// Pengambil keputusan (bawaan: akun yang bertindak) / who decides (default: the acting account)
    #[arg(long)]
    actor: Option<String>,
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
    /// Siapa (bawaan: akun yang bertindak) / who (default: the acting account)
    #[arg(long)]
    actor: Option<String>,
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

/// The stored report of `id` and everything the agency documents show with it.
pub(super) async fn context(
    settings: &Settings,
    store: &Store,
    id: i64,
) -> Result<(Report, Context), Failure> {
    let rs = crate::service::ReportSettings {
        office: settings.file.report.office.clone(),
        evaluator: settings.file.report.evaluator.clone(),
    };
    Ok(crate::service::context(store, &rs, id, OffsetDateTime::now_utc()).await?)
}

pub(super) async fn evaluation(settings: &Settings, c: EvaluationCommand) -> Result<u8, Failure> {
    let (store, svc, who) = settings.team().await?;
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
            let outcome = match a.outcome {
                ManualOutcome::Pass => "pass",
                ManualOutcome::Fail => "fail",
                ManualOutcome::Na => "na",
                ManualOutcome::Inconclusive => "inconclusive",
            };
            let input = ManualInput {
                item: a.item.clone(),
                outcome: outcome.into(),
                note: a.note.clone(),
            };
            let (rec, decided) = svc
                .record_manual(&who, id, &input, a.actor.as_deref(), attachment)
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
                    decided.get(lang)
                ),
                None,
            )?;
            EXIT_OK
        }
        EvaluationCommand::Advance(a) => {
            let id = resolve_eval(&store, &a.eval).await?;
            let input = StepInput {
                output: a.output.clone(),
                note: a.note.clone(),
                skip: a.skip,
                role: a.role.clone(),
            };
            let rec = svc
                .advance_step(&who, id, &a.step, &input, a.actor.as_deref(), lang)
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
            let input = DecideInput {
                standard: a.standard.map(|s| match s {
                    StandardChoice::Met => "met".to_string(),
                    StandardChoice::NotMet => "not_met".to_string(),
                }),
                action: a.action.map(|x| match x {
                    ActionChoice::Shutdown => "shutdown".to_string(),
                    ActionChoice::Monitoring => "monitoring".to_string(),
                }),
                reason: a.reason.clone(),
            };
            let recs = svc
                .decide(&who, id, &input, a.actor.as_deref(), lang)
                .await?;
            let mut out = String::new();
            for r in &recs {
                if r.kind == "standard" {
                    let _ = writeln!(
                        out,
                        "{}: {} ({})",
                        tr(lang, "Keputusan 1 dicatat", "Decision 1 recorded"),
                        r.decided,
                        if r.agrees {
                            tr(lang, "sesuai rekomendasi", "follows the recommendation")
                        } else {
                            tr(lang, "mengubah rekomendasi", "overrides the recommendation")
                        }
                    );
                } else if let Some(act) = Action::parse(&r.decided) {
                    let _ = writeln!(
                        out,
                        "{}: {}",
                        tr(lang, "Keputusan 2 dicatat", "Decision 2 recorded"),
                        act.label().get(lang)
                    );
                }
            }
            write_out(&out, None)?;
            EXIT_OK
        }
    };
    store.close_shared().await;
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
    let (store, svc, who) = settings.team().await?;
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
            let input = FindingStatusInput {
                status: a.status.clone(),
                reason: a.reason.clone(),
                until: a.until.clone(),
            };
            let st = svc
                .set_finding_status(&who, &a.app, &a.fingerprint, &input, a.actor.as_deref())
                .await?;
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
    store.close_shared().await;
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
    let (store, svc, who) = settings.team().await?;
    let id = resolve_eval(&store, &a.eval).await?;
    let checklist = settings.checklist()?;
    let lang = settings.lang;
    let format = match a.format {
        ReportFormat::Json => crate::service::ReportFormat::Json,
        ReportFormat::Sarif => crate::service::ReportFormat::Sarif,
        ReportFormat::Junit => crate::service::ReportFormat::Junit,
        ReportFormat::Csv => crate::service::ReportFormat::Csv,
        ReportFormat::Html => crate::service::ReportFormat::Html,
        ReportFormat::Pdf => crate::service::ReportFormat::Pdf,
    };
    // Through the application layer: the reader's scope holds and the download is audited.
    let bytes = svc.report(&who, id, format, &checklist, lang).await?.bytes;
    drop(svc);
    store.close_shared().await;
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
