//! `kawal app …` and `kawal evaluations`.

use super::run::parse_target;
use super::{EXIT_OK, Failure, Settings, write_out};
use crate::i18n::{Lang, tr};
use crate::schedule::{CronSpec, now_in, timezone};
use crate::store::{App, AppPatch, NewApp};
use anyhow::anyhow;
use clap::{Args, Subcommand};
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub(super) enum AppCommand {
    /// Daftarkan aplikasi / register an application
    Add(AddArgs),
    /// Daftar aplikasi / list applications
    List(ListArgs),
    /// Rincian aplikasi dan lima jadwal berikutnya / details and the next five runs
    Show {
        /// Nama atau id / name or id
        app: String,
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
    /// Ubah aplikasi / edit an application
    Edit(EditArgs),
    /// Peran dan akun uji (terenkripsi) / roles and test accounts (encrypted)
    #[command(subcommand)]
    Auth(super::auth::AuthCommand),
    /// Hapus aplikasi / remove an application
    Remove {
        /// Nama atau id / name or id
        app: String,
        /// Hapus juga riwayat evaluasinya / also remove its evaluation history
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub(super) struct AddArgs {
    /// Nama unik / unique name, e.g. SIMPEG
    #[arg(long)]
    name: String,
    /// URL dasar / base URL
    #[arg(long)]
    url: String,
    /// Perangkat Daerah pemilik / owning agency
    #[arg(long)]
    agency: String,
    /// Penanggung jawab aplikasi / application owner (e-mail or name)
    #[arg(long)]
    owner: String,
    /// Jadwal crontab 5 kolom / 5-field crontab schedule, e.g. "0 2 * * 1" (Monday 02:00)
    #[arg(long)]
    schedule: Option<String>,
    /// Zona waktu jadwal / schedule time zone
    #[arg(long, default_value = "Asia/Jakarta")]
    timezone: String,
    /// Batas permintaan per detik / requests per second
    #[arg(long)]
    rate_limit: Option<f64>,
    /// Host tambahan dalam cakupan / extra in-scope host (repeatable)
    #[arg(long)]
    scope: Vec<String>,
    /// Melayani publik / serves the public
    #[arg(long)]
    public_service: bool,
    /// Menyimpan data pribadi / holds personal data
    #[arg(long)]
    personal_data: bool,
    /// Izinkan permintaan uji yang mengubah data (POST formulir, badan permintaan) / allow state-changing test requests (POST forms, request bodies)
    #[arg(long)]
    allow_unsafe_methods: bool,
    /// CA tambahan (PEM) untuk aplikasi ini, disimpan bersama pendaftarannya / extra CA bundle (PEM) for this application, stored with it
    #[arg(long, value_name = "PEM")]
    ca_bundle: Option<PathBuf>,
    /// Evaluasi walau sertifikat tidak sah (butir TLS tetap melaporkannya) / evaluate despite an invalid certificate (the TLS items still report it)
    #[arg(long)]
    insecure: bool,
}

#[derive(Debug, Args)]
pub(super) struct EditArgs {
    /// Nama atau id / name or id
    app: String,
    /// Nama baru / new name
    #[arg(long)]
    name: Option<String>,
    /// URL baru / new URL
    #[arg(long)]
    url: Option<String>,
    /// Perangkat Daerah / agency
    #[arg(long)]
    agency: Option<String>,
    /// Penanggung jawab / owner
    #[arg(long)]
    owner: Option<String>,
    /// Jadwal crontab / crontab schedule
    #[arg(long, conflicts_with = "no_schedule")]
    schedule: Option<String>,
    /// Hapus jadwal / remove the schedule
    #[arg(long)]
    no_schedule: bool,
    /// Zona waktu / time zone
    #[arg(long)]
    timezone: Option<String>,
    /// Batas permintaan per detik / requests per second
    #[arg(long)]
    rate_limit: Option<f64>,
    /// Ganti host cakupan tambahan / replace extra scope hosts
    #[arg(long)]
    scope: Option<Vec<String>>,
    /// Melayani publik / serves the public
    #[arg(long)]
    public_service: Option<bool>,
    /// Menyimpan data pribadi / holds personal data
    #[arg(long)]
    personal_data: Option<bool>,
    /// Izinkan permintaan uji yang mengubah data / allow state-changing test requests
    #[arg(long)]
    allow_unsafe_methods: Option<bool>,
    /// Ganti CA tambahan (PEM) / replace the extra CA bundle (PEM)
    #[arg(long, value_name = "PEM", conflicts_with = "no_ca_bundle")]
    ca_bundle: Option<PathBuf>,
    /// Hapus CA tambahan / remove the extra CA bundle
    #[arg(long)]
    no_ca_bundle: bool,
    /// Evaluasi walau sertifikat tidak sah / evaluate despite an invalid certificate (true|false)
    #[arg(long)]
    insecure: Option<bool>,
}

#[derive(Debug, Args)]
pub(super) struct ListArgs {
    /// Keluaran JSON / JSON output
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// Nama atau id aplikasi (kosong = semua) / application name or id (empty = all)
    app: Option<String>,
    /// Keluaran JSON / JSON output
    #[arg(long)]
    json: bool,
}

/// Reads and validates a CA bundle: at least one PEM certificate, each one parsing.
fn read_ca_bundle(path: Option<&Path>) -> Result<Option<String>, Failure> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(anyhow!("--ca-bundle {}: {e}", path.display())))?;
    kawal_tls::cert::root_store(Some(text.as_bytes()))
        .map_err(|e| Failure::usage(anyhow!("--ca-bundle {}: {e}", path.display())))?;
    Ok(Some(text))
}

fn check_rate(r: Option<f64>) -> Result<(), Failure> {
    match r {
        Some(v) if !v.is_finite() || v < 0.0 => Err(Failure::usage(anyhow!(
            "--rate-limit {v}: harus angka >= 0 / must be a number >= 0"
        ))),
        _ => Ok(()),
    }
}

fn check_schedule(s: Option<&str>, tz: &str) -> Result<(), Failure> {
    timezone(tz).map_err(Failure::usage)?;
    if let Some(s) = s {
        CronSpec::parse(s).map_err(Failure::usage)?;
    }
    Ok(())
}

fn nonempty(field: &str, v: &str) -> Result<String, Failure> {
    let t = v.trim();
    if t.is_empty() {
        return Err(Failure::usage(anyhow!(
            "--{field} tidak boleh kosong / must not be empty"
        )));
    }
    Ok(t.to_string())
}

pub(super) async fn run(settings: &Settings, cmd: AppCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    if let AppCommand::Auth(c) = cmd {
        return super::auth::run(settings, c).await;
    }
    // Validate before opening the store, so a typo never touches the database.
    match &cmd {
        AppCommand::Add(a) => {
            parse_target(&a.url)?;
            check_schedule(a.schedule.as_deref(), &a.timezone)?;
            check_rate(a.rate_limit)?;
        }
        AppCommand::Edit(e) => {
            if let Some(u) = &e.url {
                parse_target(u)?;
            }
            check_schedule(
                e.schedule.as_deref(),
                e.timezone.as_deref().unwrap_or("Asia/Jakarta"),
            )?;
            check_rate(e.rate_limit)?;
        }
        _ => {}
    }
    let (store, svc, actor) = settings.team().await?;
    let code = match cmd {
        AppCommand::Add(a) => {
            let app = svc
                .add_new_app(
                    &actor,
                    NewApp {
                        name: nonempty("name", &a.name)?,
                        url: a.url.trim().to_string(),
                        agency: nonempty("agency", &a.agency)?,
                        owner: nonempty("owner", &a.owner)?,
                        schedule: a.schedule.map(|s| s.trim().to_string()),
                        timezone: a.timezone,
                        rate_limit: a.rate_limit,
                        scope_hosts: a.scope,
                        public_service: a.public_service,
                        personal_data: a.personal_data,
                        allow_unsafe_methods: a.allow_unsafe_methods,
                        ca_bundle: read_ca_bundle(a.ca_bundle.as_deref())?,
                        insecure: a.insecure,
                    },
                )
                .await?;
            write_out(&show(&app, lang), None)?;
            EXIT_OK
        }
        AppCommand::List(l) => {
            let apps = store.list_apps().await?;
            if l.json {
                write_out(
                    &(serde_json::to_string_pretty(&apps).unwrap_or_default() + "\n"),
                    None,
                )?;
            } else if apps.is_empty() {
                write_out(
                    tr(
                        lang,
                        "Belum ada aplikasi terdaftar. Tambahkan dengan: kawal app add --name … --url … --agency … --owner …\n",
                        "No applications registered yet. Add one with: kawal app add --name … --url … --agency … --owner …\n",
                    ),
                    None,
                )?;
            } else {
                let mut out = format!(
                    "{:<5} {:<20} {:<28} {:<40} {}\n",
                    "ID",
                    tr(lang, "NAMA", "NAME"),
                    tr(lang, "PERANGKAT DAERAH", "AGENCY"),
                    "URL",
                    tr(lang, "JADWAL", "SCHEDULE")
                );
                for a in &apps {
                    let _ = writeln!(
                        out,
                        "{:<5} {:<20} {:<28} {:<40} {}",
                        a.id,
                        a.name,
                        a.agency,
                        a.url,
                        a.schedule.as_deref().unwrap_or("-")
                    );
                }
                write_out(&out, None)?;
            }
            EXIT_OK
        }
        AppCommand::Show { app, json } => {
            let a = store.app(&app).await?;
            if json {
                write_out(
                    &(serde_json::to_string_pretty(&a).unwrap_or_default() + "\n"),
                    None,
                )?;
            } else {
                write_out(&show(&a, lang), None)?;
            }
            EXIT_OK
        }
        AppCommand::Edit(e) => {
            let patch = AppPatch {
                name: e.name.as_deref().map(|n| nonempty("name", n)).transpose()?,
                url: e.url.map(|u| u.trim().to_string()),
                agency: e
                    .agency
                    .as_deref()
                    .map(|n| nonempty("agency", n))
                    .transpose()?,
                owner: e
                    .owner
                    .as_deref()
                    .map(|n| nonempty("owner", n))
                    .transpose()?,
                schedule: if e.no_schedule {
                    Some(None)
                } else {
                    e.schedule.map(Some)
                },
                timezone: e.timezone,
                rate_limit: e.rate_limit.map(Some),
                scope_hosts: e.scope,
                public_service: e.public_service,
                personal_data: e.personal_data,
                allow_unsafe_methods: e.allow_unsafe_methods,
                ca_bundle: if e.no_ca_bundle {
                    Some(None)
                } else {
                    read_ca_bundle(e.ca_bundle.as_deref())?.map(Some)
                },
                insecure: e.insecure,
            };
            let a = svc.patch_app(&actor, &e.app, &patch).await?;
            write_out(&show(&a, lang), None)?;
            EXIT_OK
        }
        AppCommand::Auth(_) => EXIT_OK,
        AppCommand::Remove { app, force } => {
            let n = svc.remove_app(&actor, &app, force).await?;
            write_out(
                &format!(
                    "{} '{app}' ({n} {})\n",
                    tr(lang, "Aplikasi dihapus", "Removed application"),
                    tr(lang, "evaluasi ikut dihapus", "evaluations removed")
                ),
                None,
            )?;
            EXIT_OK
        }
    };
    store.close_shared().await;
    Ok(code)
}

fn show(a: &App, lang: Lang) -> String {
    let mut out = String::new();
    let yes = |b: bool| {
        if b {
            tr(lang, "ya", "yes")
        } else {
            tr(lang, "tidak", "no")
        }
    };
    let _ = writeln!(out, "{:<22} {}", "ID", a.id);
    let _ = writeln!(out, "{:<22} {}", tr(lang, "Nama", "Name"), a.name);
    let _ = writeln!(out, "{:<22} {}", "URL", a.url);
    let _ = writeln!(
        out,
        "{:<22} {}",
        tr(lang, "Perangkat Daerah", "Agency"),
        a.agency
    );
    let _ = writeln!(
        out,
        "{:<22} {}",
        tr(lang, "Penanggung jawab", "Owner"),
        a.owner
    );
    let _ = writeln!(
        out,
        "{:<22} {}",
        tr(lang, "Layanan publik", "Public service"),
        yes(a.public_service)
    );
    let _ = writeln!(
        out,
        "{:<22} {}",
        tr(lang, "Data pribadi", "Personal data"),
        yes(a.personal_data)
    );
    let _ = writeln!(
        out,
        "{:<22} {}",
        tr(lang, "Uji ubah-data", "Unsafe methods"),
        yes(a.allow_unsafe_methods)
    );
    let _ = writeln!(
        out,
        "{:<22} {}",
        tr(lang, "CA tambahan", "Extra CA bundle"),
        a.ca_bundle.as_deref().map_or_else(
            || "-".to_string(),
            |p| format!(
                "{} {}",
                p.matches("BEGIN CERTIFICATE").count(),
                tr(lang, "sertifikat", "certificate(s)")
            )
        )
    );
    let _ = writeln!(
        out,
        "{:<22} {}",
        tr(lang, "Abaikan sertifikat", "Insecure"),
        yes(a.insecure)
    );
    let _ = writeln!(
        out,
        "{:<22} {}",
        tr(lang, "Batas laju", "Rate limit"),
        a.rate_limit.map_or_else(
            || format!(
                "{} req/s ({})",
                crate::config::DEFAULT_RATE,
                tr(lang, "bawaan", "default")
            ),
            |r| format!("{r} req/s")
        )
    );
    if !a.scope_hosts.is_empty() {
        let _ = writeln!(
            out,
            "{:<22} {}",
            tr(lang, "Cakupan tambahan", "Extra scope"),
            a.scope_hosts.join(", ")
        );
    }
    match &a.schedule {
        None => {
            let _ = writeln!(out, "{:<22} -", tr(lang, "Jadwal", "Schedule"));
        }
        Some(s) => {
            let _ = writeln!(
                out,
                "{:<22} {s} ({})",
                tr(lang, "Jadwal", "Schedule"),
                a.timezone
            );
            if let (Ok(spec), Ok(tz)) = (CronSpec::parse(s), timezone(&a.timezone)) {
                let _ = writeln!(
                    out,
                    "{}:",
                    tr(lang, "Lima jadwal berikutnya", "Next five runs")
                );
                for t in spec.upcoming(now_in(tz), 5) {
                    let _ = writeln!(out, "  {}", t.format("%a %Y-%m-%d %H:%M %:z"));
                }
            }
        }
    }
    out
}

pub(super) async fn history(settings: &Settings, a: HistoryArgs) -> Result<u8, Failure> {
    let lang = settings.lang;
    let store = settings.store().await?;
    let app_id = match &a.app {
        Some(k) => Some(store.app(k).await?.id),
        None => None,
    };
    let rows = store.list_evaluations(app_id).await?;
    if a.json {
        write_out(
            &(serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"),
            None,
        )?;
    } else if rows.is_empty() {
        write_out(
            tr(lang, "Belum ada evaluasi.\n", "No evaluations yet.\n"),
            None,
        )?;
    } else {
        let mut out = format!(
            "{:<5} {:<16} {:<12} {:<26} {:<8} {}\n",
            "ID",
            tr(lang, "APLIKASI", "APPLICATION"),
            "STATUS",
            tr(lang, "WAKTU (UTC)", "TIME (UTC)"),
            tr(lang, "GAGAL", "FAILED"),
            tr(lang, "KEPUTUSAN", "DECISION")
        );
        for r in &rows {
            let decision = match r.meets_standard {
                Some(true) if r.provisional => tr(
                    lang,
                    "Memenuhi Standar (sementara)",
                    "Meets the Standard (provisional)",
                ),
                Some(true) => tr(lang, "Memenuhi Standar", "Meets the Standard"),
                Some(false) => tr(
                    lang,
                    "Belum Memenuhi Standar",
                    "Does Not Yet Meet the Standard",
                ),
                None => "-",
            };
            let when = r
                .created_at
                .format(&time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second]"
                ))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<5} {:<16} {:<12} {:<26} {:<8} {decision}",
                r.id,
                r.application.as_deref().unwrap_or("-"),
                r.status.label(lang),
                when,
                r.failures
            );
            if let Some(e) = &r.error {
                let _ = writeln!(out, "      └ {e}");
            }
        }
        write_out(&out, None)?;
    }
    store.close().await;
    Ok(EXIT_OK)
}
