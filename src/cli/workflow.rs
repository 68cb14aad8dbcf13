//! `kawal workflow …` and `kawal visit …`: the SOP workflows from the command line.

use super::key::sealer;
use super::{EXIT_OK, Failure, Settings, write_out};
use crate::i18n::Lang;
use crate::letter::Signer;
use crate::service::{
    AdvanceInput, Advanced, DocFormat, StartInput, WorkflowSettings, WorkflowView,
};
use anyhow::anyhow;
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// `kawal workflow …`
#[derive(Debug, Subcommand)]
pub enum WorkflowCommand {
    /// Daftar alur kerja atau langkah yang menunggu / list workflows, or the steps waiting
    List(ListArgs),
    /// Mulai alur kerja / start a workflow: akses (--requester is you), pelanggaran, kunjungan
    Start(StartArgs),
    /// Langkah, batas waktu, dokumen / steps with role, time limit, who/when, documents
    Show(ShowArgs),
    /// Catat satu langkah / record one step
    Advance(AdvanceArgs),
    /// Surat resmi satu alur kerja / an official letter of a workflow (PDF or HTML)
    Document(DocumentArgs),
    /// Tampilkan kredensial awal sekali saja (pemohon) / show the initial credentials once (the requester)
    Credential(CredentialArgs),
    /// Hak akses yang berlaku, untuk peninjauan berkala / access grants in force, for recertification
    Grants(GrantsArgs),
    /// Hapus data pribadi yang melewati masa simpan / purge personal data past its retention
    Purge,
}

/// `kawal visit …`
#[derive(Debug, Subcommand)]
pub enum VisitCommand {
    /// Pengunjung masuk (formulir) / a visitor checks in (the form)
    Checkin(CheckinArgs),
    /// Pengunjung keluar / a visitor checks out
    Checkout(CheckoutArgs),
    /// Catat insiden kunjungan / write in the incident book
    Incident(IncidentArgs),
    /// Rekap bulanan / monthly recap
    Recap(RecapArgs),
}

/// `workflow list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// akses|pelanggaran|kunjungan
    #[arg(long)]
    kind: Option<String>,
    /// Langkah yang menunggu peran saya / the current steps waiting for my roles
    #[arg(long)]
    due: bool,
    /// Hanya yang melewati batas waktu / only overdue steps (with --due)
    #[arg(long)]
    overdue: bool,
    /// Hanya alur kerja saya / only workflows I requested or that concern me
    #[arg(long)]
    mine: bool,
    /// open|completed|ended
    #[arg(long)]
    status: Option<String>,
    /// Jumlah baris / rows
    #[arg(long, default_value_t = 50)]
    limit: i64,
    /// Lewati baris / skip rows
    #[arg(long, default_value_t = 0)]
    offset: i64,
    /// JSON
    #[arg(long)]
    json: bool,
}

/// `workflow start`
#[derive(Debug, Args)]
pub struct StartArgs {
    /// akses|pelanggaran|kunjungan
    kind: String,
    /// Isian / field as KEY=VALUE (repeatable); see `kawal workflow start KIND --help-fields`
    #[arg(long = "field", value_name = "KEY=VALUE")]
    fields: Vec<String>,
    /// akses: sistem / system
    #[arg(long)]
    system: Option<String>,
    /// akses: read|write|admin
    #[arg(long)]
    level: Option<String>,
    /// akses: keperluan / purpose
    #[arg(long)]
    purpose: Option<String>,
    /// akses: berlaku sampai / valid until (YYYY-MM-DD)
    #[arg(long)]
    until: Option<String>,
    /// akses: harus akun Anda sendiri / must be your own account (the request is yours)
    #[arg(long)]
    requester: Option<String>,
    /// Catatan / note
    #[arg(long, default_value = "")]
    note: String,
    /// JSON
    #[arg(long)]
    json: bool,
}

/// `workflow show`
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Nomor alur kerja / workflow number
    id: i64,
    /// JSON
    #[arg(long)]
    json: bool,
}

/// `workflow advance`
#[derive(Debug, Args)]
pub struct AdvanceArgs {
    /// Nomor alur kerja / workflow number
    id: i64,
    /// Kunci langkah / step key
    step: String,
    /// Keputusan langkah / the step's decision (e.g. approve|reject)
    #[arg(long)]
    decision: Option<String>,
    /// Catatan atau alasan / note or reason
    #[arg(long, default_value = "")]
    note: String,
    /// Isian langkah / step input KEY=VALUE (repeatable)
    #[arg(long = "input", value_name = "KEY=VALUE")]
    inputs: Vec<String>,
    /// Lampiran (mis. pindaian NDA bertanda tangan) / attachment (e.g. the signed NDA scan)
    #[arg(long)]
    attach: Option<PathBuf>,
    /// JSON
    #[arg(long)]
    json: bool,
}

/// `workflow document`
#[derive(Debug, Args)]
pub struct DocumentArgs {
    /// Nomor alur kerja / workflow number
    id: i64,
    /// nda|izin-akses|telaahan|nota-dinas|nota-dinas-rekomendasi|sk-sanksi|surat-teguran|formulir-kunjungan|kartu-akses
    kind: String,
    /// pdf|html
    #[arg(long, default_value = "pdf")]
    format: String,
    /// Berkas keluaran / output file
    #[arg(short, long)]
    output: PathBuf,
}

/// `workflow credential`
#[derive(Debug, Args)]
pub struct CredentialArgs {
    /// Nomor permohonan akses / access-request number
    id: i64,
}

/// `workflow grants`
#[derive(Debug, Args)]
pub struct GrantsArgs {
    /// Berakhir paling lambat / ending on or before (YYYY-MM-DD)
    #[arg(long)]
    until: Option<String>,
    /// JSON
    #[arg(long)]
    json: bool,
}

/// `visit checkin`
#[derive(Debug, Args)]
pub struct CheckinArgs {
    /// Nama pengunjung / visitor's name
    #[arg(long)]
    name: String,
    /// NIK (16 angka / digits)
    #[arg(long)]
    nik: String,
    /// Telepon / phone
    #[arg(long)]
    phone: Option<String>,
    /// Instansi / institution
    #[arg(long)]
    institution: String,
    /// Keperluan / purpose
    #[arg(long)]
    purpose: String,
    /// Perangkat dibawa / devices brought, "name:serial,name:serial"
    #[arg(long, default_value = "")]
    devices: String,
    /// JSON
    #[arg(long)]
    json: bool,
}

/// `visit checkout`
#[derive(Debug, Args)]
pub struct CheckoutArgs {
    /// Nomor kunjungan / visit number
    id: i64,
    /// Perangkat dibawa keluar / devices taken out, "name:serial,…"
    #[arg(long, default_value = "")]
    devices_out: String,
    /// KTP belum dikembalikan / the ID was not returned against the badge
    #[arg(long)]
    id_not_returned: bool,
    /// Catatan / note
    #[arg(long, default_value = "")]
    note: String,
}

/// `visit incident`
#[derive(Debug, Args)]
pub struct IncidentArgs {
    /// Nomor kunjungan / visit number
    id: i64,
    /// Uraian / description
    #[arg(long)]
    note: String,
}

/// `visit recap`
#[derive(Debug, Args)]
pub struct RecapArgs {
    /// Bulan / month YYYY-MM
    #[arg(long)]
    month: String,
    /// table|json|pdf|html
    #[arg(long, default_value = "table")]
    format: String,
    /// Berkas keluaran / output file
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn pairs(items: &[String], what: &str) -> Result<BTreeMap<String, String>, Failure> {
    items
        .iter()
        .map(|s| match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(Failure::usage(anyhow!(
                "{what} '{s}': gunakan / use KEY=VALUE"
            ))),
        })
        .collect()
}

impl Settings {
    /// The workflows' settings from `[agency]`, each value checked.
    pub fn workflow_settings(&self) -> Result<WorkflowSettings, Failure> {
        let a = &self.file.agency;
        let mut s = WorkflowSettings::default();
        let bad = |key: &str, value: &str, message: String| {
            Failure::usage(crate::config::ConfigError::Invalid {
                origin: self.file_origin.clone(),
                key: key.into(),
                value: value.into(),
                message,
            })
        };
        let set = |slot: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *slot = v.clone();
            }
        };
        set(&mut s.kop.government, &a.government);
        set(&mut s.kop.office, &a.office);
        set(&mut s.kop.address, &a.address);
        set(&mut s.kop.contact, &a.contact);
        set(&mut s.city, &a.city);
        set(&mut s.numbering, &a.numbering);
        set(&mut s.badge_numbering, &a.badge_numbering);
        let schemes = std::iter::once(("agency.numbering".to_string(), s.numbering.clone()))
            .chain(std::iter::once((
                "agency.badge_numbering".to_string(),
                s.badge_numbering.clone(),
            )))
            .chain(
                a.numbering_by_kind
                    .iter()
                    .map(|(k, v)| (format!("agency.numbering_by_kind.{k}"), v.clone())),
            );
        for (key, text) in schemes {
            crate::letter::numbering::Scheme::parse(&text)
                .map_err(|e| bad(&key, &text, e.message))?;
        }
        s.numbering_by_kind = a.numbering_by_kind.clone();
        s.letters_dir = a.letters_dir.clone();
        let templates =
            crate::letter::Templates::load(s.letters_dir.as_deref()).map_err(Failure::usage)?;
        for kind in s.numbering_by_kind.keys() {
            if templates.get(kind).is_none() {
                return Err(bad(
                    "agency.numbering_by_kind",
                    kind,
                    format!(
                        "jenis surat tidak dikenal / unknown letter kind (pilihan / choose: {})",
                        templates.kinds()
                    ),
                ));
            }
        }
        if let Some(d) = a.retention_days {
            if !(1..=3650).contains(&d) {
                return Err(bad(
                    "agency.retention_days",
                    &d.to_string(),
                    "must be 1..=3650".into(),
                ));
            }
            s.retention_days = d;
        }
        if let Some(h) = a.credential_link_hours {
            if !(1..=168).contains(&h) {
                return Err(bad(
                    "agency.credential_link_hours",
                    &h.to_string(),
                    "must be 1..=168".into(),
                ));
            }
            s.credential_link_ttl = time::Duration::hours(i64::from(h));
        }
        s.signatories = a
            .signatory
            .iter()
            .map(|g| {
                (
                    g.role.clone(),
                    Signer {
                        title: g.title.clone(),
                        name: g.name.clone(),
                        nip: g.nip.clone(),
                    },
                )
            })
            .collect();
        s.public_url = self.file.server.public_url.clone();
        Ok(s)
    }
}

/// Runs `kawal workflow …`.
pub(super) async fn workflow(settings: &Settings, c: WorkflowCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    let (_store, svc, actor) = settings.team().await?;
    match c {
        WorkflowCommand::List(a) if a.due => {
            let rows = svc
                .workflow_due(&actor, a.kind.as_deref(), a.overdue, a.limit)
                .await?;
            if a.json {
                return json_out(&rows);
            }
            let mut out = String::new();
            for r in &rows {
                let due = r
                    .due
                    .due_at
                    .map(|d| crate::report::view::when(d, lang))
                    .unwrap_or_else(|| "-".into());
                let flag = if r.overdue {
                    crate::i18n::tr(lang, "  TERLAMBAT", "  OVERDUE")
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "#{:<6} {:<12} {:<22} {due}{flag}  {}",
                    r.due.workflow_id, r.due.kind, r.due.step, r.due.title
                );
            }
            if rows.is_empty() {
                out.push_str(crate::i18n::tr(
                    lang,
                    "Tidak ada langkah yang menunggu.\n",
                    "No step is waiting.\n",
                ));
            }
            write_out(&out, None)?;
        }
        WorkflowCommand::List(a) => {
            let (rows, total) = svc
                .workflow_list(
                    &actor,
                    a.kind.as_deref(),
                    a.status.as_deref(),
                    a.mine,
                    a.limit,
                    a.offset,
                )
                .await?;
            if a.json {
                return json_out(&serde_json::json!({ "items": rows, "total": total }));
            }
            let mut out = String::new();
            for r in &rows {
                let _ = writeln!(
                    out,
                    "#{:<6} {:<12} {:<10} {:<14} {}",
                    r.id, r.kind, r.status, r.requester, r.title
                );
            }
            let _ = writeln!(out, "{} / {total}", rows.len());
            write_out(&out, None)?;
        }
        WorkflowCommand::Start(a) => {
            let mut fields = pairs(&a.fields, "--field")?;
            for (k, v) in [
                ("system", a.system),
                ("level", a.level),
                ("purpose", a.purpose),
                ("until", a.until),
            ] {
                if let Some(v) = v {
                    fields.insert(k.into(), v);
                }
            }
            if let Some(r) = &a.requester
                && *r != actor.name()
            {
                return Err(Failure::usage(anyhow!(
                    "--requester {r}: permohonan diajukan oleh pemohon sendiri; jalankan dengan / a request is made by the requester; run with --as {r}"
                )));
            }
            let input = StartInput {
                fields,
                note: a.note,
            };
            let done = svc
                .workflow_start(&actor, &a.kind, &input, &sealer()?, lang)
                .await?;
            print_advanced(&done, a.json, lang)?;
        }
        WorkflowCommand::Show(a) => {
            let v = svc.workflow_show(&actor, a.id, lang).await?;
            if a.json {
                return json_out(&v);
            }
            write_out(&show_text(&v, lang), None)?;
        }
        WorkflowCommand::Advance(a) => {
            let attachment = match &a.attach {
                Some(p) => Some((
                    p.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "lampiran".into()),
                    std::fs::read(p)
                        .map_err(|e| Failure::usage(anyhow!("--attach {}: {e}", p.display())))?,
                )),
                None => None,
            };
            let input = AdvanceInput {
                decision: a.decision,
                note: a.note,
                inputs: pairs(&a.inputs, "--input")?,
                attachment,
            };
            let done = svc
                .workflow_advance(&actor, a.id, &a.step, &input, &sealer()?, lang)
                .await?;
            print_advanced(&done, a.json, lang)?;
        }
        WorkflowCommand::Document(a) => {
            let doc = svc
                .workflow_document(&actor, a.id, &a.kind, DocFormat::parse(&a.format)?)
                .await?;
            std::fs::write(&a.output, &doc.bytes)
                .map_err(|e| Failure::usage(anyhow!("{}: {e}", a.output.display())))?;
            eprintln!("{} ({} bytes)", a.output.display(), doc.bytes.len());
        }
        WorkflowCommand::Credential(a) => {
            let c = svc
                .credential_claim(Some(&actor), None, Some(a.id), &sealer()?)
                .await?;
            write_out(
                &format!(
                    "{}: {}\n{}: {}\n{}\n",
                    crate::i18n::tr(lang, "Akun", "Account"),
                    c.grant.account.clone().unwrap_or_default(),
                    crate::i18n::tr(lang, "Kata sandi awal", "Initial password"),
                    c.secret,
                    crate::i18n::tr(
                        lang,
                        "Ditampilkan sekali ini saja; ganti saat login pertama.",
                        "Shown this once only; change it at first login."
                    )
                ),
                None,
            )?;
        }
        WorkflowCommand::Grants(a) => {
            let rows = svc.grants(&actor, a.until.as_deref()).await?;
            if a.json {
                return json_out(&rows);
            }
            let mut out = String::new();
            for g in &rows {
                let _ = writeln!(
                    out,
                    "#{:<6} {:<14} {:<14} {:<6} {:<10} {}",
                    g.workflow_id, g.username, g.system, g.level, g.status, g.valid_until
                );
            }
            write_out(&out, None)?;
        }
        WorkflowCommand::Purge => {
            let n = svc.purge_personal_data(&actor).await?;
            eprintln!(
                "{n} {}",
                crate::i18n::tr(
                    lang,
                    "alur kerja dibersihkan dari data pribadi",
                    "workflows purged of personal data"
                )
            );
        }
    }
    Ok(EXIT_OK)
}

/// Runs `kawal visit …`.
pub(super) async fn visit(settings: &Settings, c: VisitCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    let (_store, svc, actor) = settings.team().await?;
    match c {
        VisitCommand::Checkin(a) => {
            let mut f = BTreeMap::new();
            f.insert("name".to_string(), a.name);
            f.insert("nik".to_string(), a.nik);
            if let Some(p) = a.phone {
                f.insert("phone".to_string(), p);
            }
            f.insert("institution".to_string(), a.institution);
            f.insert("purpose".to_string(), a.purpose);
            if !a.devices.trim().is_empty() {
                f.insert("devices".to_string(), a.devices);
            }
            let done = svc.visit_checkin(&actor, f, &sealer()?, lang).await?;
            print_advanced(&done, a.json, lang)?;
        }
        VisitCommand::Checkout(a) => {
            let out = crate::service::Checkout {
                devices_out: crate::workflow::fields::list(&a.devices_out),
                id_returned: !a.id_not_returned,
                note: a.note,
            };
            let done = svc
                .visit_checkout(&actor, a.id, &out, &sealer()?, lang)
                .await?;
            print_advanced(&done, false, lang)?;
            if done.mismatch.is_some() {
                return Ok(super::EXIT_NOT_MET);
            }
        }
        VisitCommand::Incident(a) => {
            let n = svc.visit_incident(&actor, a.id, &a.note).await?;
            eprintln!(
                "{} #{n}",
                crate::i18n::tr(lang, "Insiden dicatat", "Incident recorded")
            );
        }
        VisitCommand::Recap(a) => {
            let r = svc.visit_recap(&actor, &a.month).await?;
            let bytes = match a.format.as_str() {
                "json" => {
                    (serde_json::to_string_pretty(&r).unwrap_or_default() + "\n").into_bytes()
                }
                "table" => recap_text(&r, lang).into_bytes(),
                "pdf" | "html" => {
                    let letter = recap_letter(&r, &svc.config().workflows, svc.now());
                    crate::service::render_letter(&letter, "recap", DocFormat::parse(&a.format)?)?
                        .bytes
                }
                f => {
                    return Err(Failure::usage(anyhow!(
                        "--format {f}: pilihan / choose: table|json|pdf|html"
                    )));
                }
            };
            match &a.output {
                Some(p) => std::fs::write(p, &bytes)
                    .map_err(|e| Failure::usage(anyhow!("{}: {e}", p.display())))?,
                None if a.format == "pdf" => {
                    return Err(Failure::usage(anyhow!(
                        "--format pdf: berikan / give -o FILE.pdf"
                    )));
                }
                None => write_out(&String::from_utf8_lossy(&bytes), None)?,
            }
        }
    }
    Ok(EXIT_OK)
}

fn json_out<T: serde::Serialize>(v: &T) -> Result<u8, Failure> {
    write_out(
        &(serde_json::to_string_pretty(v).unwrap_or_default() + "\n"),
        None,
    )?;
    Ok(EXIT_OK)
}

fn print_advanced(done: &Advanced, json: bool, lang: Lang) -> Result<(), Failure> {
    if json {
        json_out(done)?;
        return Ok(());
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#{} {} '{}' {} {} — {}: {}",
        done.workflow_id,
        crate::i18n::tr(lang, "Langkah", "Step"),
        done.record.step,
        crate::i18n::tr(lang, "dicatat oleh", "recorded by"),
        done.record.actor,
        crate::i18n::tr(lang, "status", "status"),
        done.status
    );
    for l in &done.letters {
        let _ = writeln!(
            out,
            "  {} {}: {}",
            crate::i18n::tr(lang, "Surat", "Letter"),
            l.kind,
            l.number
        );
    }
    if let Some(link) = &done.credential_link {
        let _ = writeln!(
            out,
            "  {}\n  {link}",
            crate::i18n::tr(
                lang,
                "Tautan kredensial sekali pakai (berikan hanya kepada pemohon; tidak ditampilkan lagi):",
                "Single-use credential link (give it to the requester only; not shown again):"
            )
        );
    }
    if let Some(m) = &done.mismatch {
        let _ = writeln!(
            out,
            "  {}: {m}",
            crate::i18n::tr(lang, "PERANGKAT TIDAK SESUAI", "DEVICE MISMATCH")
        );
    }
    write_out(&out, None)
}

fn show_text(v: &WorkflowView, lang: Lang) -> String {
    let w = &v.workflow;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#{} {} — {} ({})",
        w.id, w.title, v.sop_title, v.status_label
    );
    let _ = writeln!(
        out,
        "{}: {}",
        crate::i18n::tr(lang, "Pemohon", "Requester"),
        w.requester
    );
    for (k, val) in &w.fields {
        let _ = writeln!(out, "  {k}: {val}");
    }
    for s in &v.steps {
        let who = s
            .record
            .as_ref()
            .map(|r| {
                format!(
                    " — {} {}{}{}",
                    r.actor,
                    crate::report::view::when(r.done_at, lang),
                    r.decision
                        .as_ref()
                        .map(|d| format!(" [{d}]"))
                        .unwrap_or_default(),
                    if r.note.is_empty() {
                        String::new()
                    } else {
                        format!(" \"{}\"", r.note)
                    }
                )
            })
            .unwrap_or_default();
        let due = s
            .due_at
            .map(|d| format!(" ≤ {}", crate::report::view::when(d, lang)))
            .unwrap_or_default();
        let limit = if s.limit_minutes == 0 {
            "-".to_string()
        } else {
            format!("{} min", s.limit_minutes)
        };
        let _ = writeln!(
            out,
            "{:>2}. [{}] {} ({}, {limit}){due}{who}",
            s.number, s.state_label, s.key, s.role
        );
    }
    for l in &v.letters {
        let _ = writeln!(
            out,
            "{} {}: {}",
            crate::i18n::tr(lang, "Surat", "Letter"),
            l.kind,
            l.number
        );
    }
    for f in &v.files {
        let _ = writeln!(
            out,
            "{} {} ({}, {} B) sha256 {}",
            crate::i18n::tr(lang, "Berkas", "File"),
            f.name,
            f.step,
            f.size,
            f.sha256
        );
    }
    if let Some(g) = &v.grant {
        let _ = writeln!(
            out,
            "{}: {} {} {} → {} [{}]",
            crate::i18n::tr(lang, "Hak akses", "Grant"),
            g.username,
            g.system,
            g.level,
            g.valid_until,
            g.status
        );
    }
    if let Some(vis) = &v.visit {
        let _ = writeln!(
            out,
            "{}: {} {} {}",
            crate::i18n::tr(lang, "Kunjungan", "Visit"),
            vis.badge.clone().unwrap_or_else(|| "-".into()),
            vis.devices_in.join(", "),
            vis.mismatch.clone().unwrap_or_default()
        );
    }
    out
}

fn recap_text(r: &crate::service::Recap, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        crate::i18n::tr(
            lang,
            "Rekap kunjungan ruang server",
            "Server-room visit recap"
        ),
        r.month
    );
    let _ = writeln!(
        out,
        "{}: {} ({} {})",
        crate::i18n::tr(lang, "Kunjungan", "Visits"),
        r.visits,
        r.open,
        crate::i18n::tr(lang, "belum keluar", "still inside")
    );
    let _ = writeln!(
        out,
        "{}: {:.0} / {} min",
        crate::i18n::tr(
            lang,
            "Durasi rata-rata / terlama",
            "Mean / longest duration"
        ),
        r.mean_minutes,
        r.max_minutes
    );
    let _ = writeln!(
        out,
        "{}: {}",
        crate::i18n::tr(lang, "Perangkat tidak sesuai", "Device mismatches"),
        r.device_mismatches
    );
    for (i, n) in &r.institutions {
        let _ = writeln!(out, "  {i}: {n}");
    }
    for (p, n) in &r.purposes {
        let _ = writeln!(out, "  {p}: {n}");
    }
    let _ = writeln!(
        out,
        "{}: {}",
        crate::i18n::tr(lang, "Insiden", "Incidents"),
        r.incidents.len()
    );
    out
}

/// The recap as a report letter (unnumbered) from the letterhead of the settings.
fn recap_letter(
    r: &crate::service::Recap,
    s: &WorkflowSettings,
    now: time::OffsetDateTime,
) -> crate::letter::Letter {
    let mut details = vec![
        ("Jumlah kunjungan".to_string(), r.visits.to_string()),
        ("Belum keluar".to_string(), r.open.to_string()),
        (
            "Durasi rata-rata".to_string(),
            format!("{:.0} menit", r.mean_minutes),
        ),
        (
            "Durasi terlama".to_string(),
            format!("{} menit", r.max_minutes),
        ),
        (
            "Perangkat tidak sesuai saat keluar".to_string(),
            r.device_mismatches.to_string(),
        ),
        (
            "KTP tidak dikembalikan".to_string(),
            r.ids_not_returned.to_string(),
        ),
        ("Insiden".to_string(), r.incidents.len().to_string()),
    ];
    details.extend(
        r.institutions
            .iter()
            .map(|(i, n)| (format!("Instansi: {i}"), n.to_string())),
    );
    details.extend(
        r.purposes
            .iter()
            .map(|(p, n)| (format!("Keperluan: {p}"), n.to_string())),
    );
    crate::letter::Letter {
        kind: "recap".into(),
        form: crate::letter::Form::Formulir,
        kop: s.kop.clone(),
        title: "REKAPITULASI KUNJUNGAN RUANG SERVER".into(),
        number: String::new(),
        place_date: format!("{}, {}", s.city, crate::report::view::date(now, Lang::Id)),
        date: crate::report::view::date(now, Lang::Id),
        sifat: "Biasa".into(),
        lampiran: "-".into(),
        perihal: format!("Rekap kunjungan bulan {}", r.month),
        body: r
            .incidents
            .iter()
            .map(|(w, n, b, at)| format!("Insiden kunjungan #{w} ({at}, {b}): {n}"))
            .collect(),
        details,
        signer: Signer {
            title: "Koordinator Keamanan Informasi".into(),
            name: String::new(),
            nip: String::new(),
        },
        ..Default::default()
    }
}
