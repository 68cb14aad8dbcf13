//! `kawal mail test`, `kawal delivery …`, `kawal completions` and `kawal man`.

use super::{Cli, EXIT_INCOMPLETE, EXIT_OK, Failure, Settings, write_out};
use crate::i18n::tr;
use crate::notify::config::Sources;
use crate::notify::{DeliveryPolicy, Notifier, NotifySettings};
use crate::service::{AckInput, SendInput};
use crate::store::Paging;
use anyhow::anyhow;
use clap::{Args, CommandFactory, Subcommand};
use std::path::PathBuf;

/// `kawal mail`.
#[derive(Debug, Subcommand)]
pub(super) enum MailCommand {
    /// Kirim pesan uji dengan pengaturan [mail] / send a test message with the [mail] settings
    Test {
        /// Alamat tujuan / recipient address
        #[arg(long)]
        to: String,
    },
}

/// `kawal delivery`.
#[derive(Debug, Subcommand)]
pub(super) enum DeliveryCommand {
    /// Setujui pengiriman laporan ke Perangkat Daerah (surel) / approve sending the report to the agency (e-mail)
    Send {
        /// Id evaluasi, nama aplikasi atau "latest" / evaluation id, application name or "latest"
        eval: String,
        /// Catatan pengantar / covering note
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Laporan yang dikirim ke Perangkat Daerah Anda / reports delivered to your agency
    Inbox {
        /// Hanya yang belum dikonfirmasi / only those not yet acknowledged
        #[arg(long)]
        unacknowledged: bool,
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
    /// Konfirmasi penerimaan laporan (langkah SOP 10) / acknowledge receipt of a report (SOP step 10)
    Acknowledge {
        /// Id evaluasi / evaluation id
        eval: i64,
        /// Catatan, mis. nomor agenda surat masuk / note, e.g. the incoming-letter number
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Pesan keluar dan statusnya / outgoing messages and their state
    Outbox {
        /// queued, sent atau/or failed
        #[arg(long)]
        status: Option<String>,
        /// Id evaluasi / evaluation id
        #[arg(long)]
        evaluation: Option<i64>,
        /// Jumlah baris / rows
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
}

/// `kawal completions`.
#[derive(Debug, Args)]
pub(super) struct CompletionsArgs {
    /// bash, zsh, fish, elvish atau/or powershell
    shell: clap_complete::Shell,
}

/// `kawal man`.
#[derive(Debug, Args)]
pub(super) struct ManArgs {
    /// Tulis satu halaman per perintah ke direktori ini / write one page per command into this directory
    #[arg(long)]
    out_dir: Option<PathBuf>,
}

impl Settings {
    /// `[delivery]` as the service applies it.
    pub fn delivery_policy(&self) -> Result<DeliveryPolicy, Failure> {
        DeliveryPolicy::resolve(
            &self.file.delivery,
            self.file.server.public_url.as_deref(),
            &self.file_origin,
        )
        .map_err(Failure::usage)
    }

    /// Every notification setting, validated (the environment supplies secrets).
    pub fn notify(&self) -> Result<NotifySettings, Failure> {
        NotifySettings::resolve(
            &Sources {
                mail: self.file.mail.as_ref(),
                delivery: &self.file.delivery,
                reminders: &self.file.reminders,
                webhooks: &self.file.webhook,
                public_url: self.file.server.public_url.as_deref(),
            },
            &self.file_origin,
            &|k| std::env::var(k).ok(),
        )
        .map_err(Failure::usage)
    }

    /// The notifier `kawal serve` runs; bad settings stop the start with the reason.
    pub fn notifier(&self) -> Result<Notifier, Failure> {
        Notifier::new(self.notify()?).map_err(|e| Failure::usage(anyhow!("[mail]: {e}")))
    }
}

/// At `kawal serve` start: a server that refuses the login (or the sender) stops the start;
/// one that cannot be reached now is reported and the outbox keeps the messages until it can.
pub(super) async fn check_mail_at_start(settings: &Settings, n: &Notifier) -> Result<(), Failure> {
    let lang = settings.lang;
    let Some(m) = n.mailer() else {
        if !settings.quiet {
            eprintln!(
                "{}",
                tr(
                    lang,
                    "[mail] belum diatur: laporan yang disetujui menunggu di kotak keluar",
                    "[mail] is not configured: approved reports wait in the outbox"
                )
            );
        }
        return Ok(());
    };
    let s = m.settings();
    let checked = tokio::time::timeout(std::time::Duration::from_secs(15), m.check()).await;
    match checked {
        Ok(Ok(())) => {
            if !settings.quiet {
                eprintln!("SMTP {}:{} {}", s.host, s.port, tr(lang, "siap", "ready"));
            }
            Ok(())
        }
        Ok(Err(e)) if e.permanent => Err(Failure::usage(anyhow!("[mail]: {e}"))),
        Ok(Err(e)) => {
            eprintln!(
                "{}: {e}",
                tr(
                    lang,
                    "PERINGATAN: server surel belum dapat dihubungi; pesan menunggu di kotak keluar",
                    "WARNING: the mail server cannot be reached now; messages wait in the outbox"
                )
            );
            Ok(())
        }
        Err(_) => {
            eprintln!(
                "{} SMTP {}:{}",
                tr(
                    lang,
                    "PERINGATAN: waktu habis menghubungi",
                    "WARNING: timed out reaching"
                ),
                s.host,
                s.port
            );
            Ok(())
        }
    }
}

/// `kawal mail …`.
pub(super) async fn mail(settings: &Settings, c: MailCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    match c {
        MailCommand::Test { to } => {
            crate::notify::config::mailbox(&to)
                .map_err(|e| Failure::usage(anyhow!("--to: {e}")))?;
            let n = settings.notifier()?;
            match n.send_test(&to, time::OffsetDateTime::now_utc()).await {
                Ok(()) => {
                    write_out(
                        &format!(
                            "{} {to}\n",
                            tr(lang, "Pesan uji terkirim ke", "Test message sent to")
                        ),
                        None,
                    )?;
                    Ok(EXIT_OK)
                }
                Err(e) => Err(Failure {
                    code: if e.permanent {
                        super::EXIT_USAGE
                    } else {
                        EXIT_INCOMPLETE
                    },
                    error: anyhow!("{e}"),
                }),
            }
        }
    }
}

/// `kawal delivery …`.
pub(super) async fn delivery(settings: &Settings, c: DeliveryCommand) -> Result<u8, Failure> {
    let (store, svc, who) = settings.team().await?;
    let lang = settings.lang;
    match c {
        DeliveryCommand::Send { eval, note } => {
            let id = super::record::resolve_eval(&store, &eval).await?;
            let d = svc
                .send_report(&who, id, &SendInput { note }, &settings.checklist()?)
                .await?;
            let to = store.delivery_recipients(d.id).await?;
            write_out(
                &format!(
                    "{} {id} ({}, {}) → {}: {}\n{}\n",
                    tr(lang, "Laporan evaluasi", "Report of evaluation"),
                    d.application,
                    d.agency,
                    d.mode,
                    to.join(", "),
                    tr(
                        lang,
                        "Pesan diantrekan; `kawal serve` mengirimkannya (lihat: kawal delivery outbox).",
                        "Messages queued; `kawal serve` sends them (see: kawal delivery outbox)."
                    )
                ),
                None,
            )?;
        }
        DeliveryCommand::Inbox {
            unacknowledged,
            json,
        } => {
            let page = svc
                .inbox(
                    &who,
                    unacknowledged,
                    Paging {
                        limit: 500,
                        offset: 0,
                    },
                )
                .await?;
            let text = if json {
                serde_json::to_string_pretty(&page).map_err(Failure::usage)? + "\n"
            } else {
                let mut s = String::new();
                for d in &page.items {
                    let ack = match (&d.acknowledged_by, d.acknowledged_at) {
                        (Some(b), Some(t)) => format!(
                            "{} {b} {}",
                            tr(lang, "diterima oleh", "acknowledged by"),
                            crate::team::audit::timestamp(t)
                        ),
                        _ => tr(lang, "BELUM DIKONFIRMASI", "NOT ACKNOWLEDGED").to_string(),
                    };
                    s.push_str(&format!(
                        "#{:<6} {:<20} {:<20} {}  {ack}\n",
                        d.evaluation_id,
                        d.application,
                        d.agency,
                        crate::team::audit::timestamp(d.approved_at)
                    ));
                }
                if page.items.is_empty() {
                    s.push_str(tr(lang, "Kotak masuk kosong.\n", "Inbox is empty.\n"));
                }
                s
            };
            write_out(&text, None)?;
        }
        DeliveryCommand::Acknowledge { eval, note } => {
            let r = svc
                .acknowledge_report(&who, eval, &AckInput { note })
                .await?;
            write_out(
                &format!(
                    "{} {eval}{}\n",
                    tr(
                        lang,
                        "Penerimaan dikonfirmasi untuk evaluasi",
                        "Receipt acknowledged for evaluation"
                    ),
                    if r.step_recorded {
                        tr(lang, "; langkah SOP 10 selesai", "; SOP step 10 done")
                    } else {
                        ""
                    }
                ),
                None,
            )?;
        }
        DeliveryCommand::Outbox {
            status,
            evaluation,
            limit,
            json,
        } => {
            let rows = svc
                .outbox(&who, status.as_deref(), evaluation, limit)
                .await?;
            let text = if json {
                serde_json::to_string_pretty(&rows).map_err(Failure::usage)? + "\n"
            } else {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{:<6} {:<7} {:<8} {:<22} {:<32} {}/{} {}\n",
                            r.id,
                            r.channel,
                            r.status,
                            r.topic,
                            r.recipient,
                            r.attempts,
                            r.max_attempts,
                            r.last_error.as_deref().unwrap_or("")
                        )
                    })
                    .collect()
            };
            write_out(&text, None)?;
        }
    }
    Ok(EXIT_OK)
}

/// `kawal completions SHELL`: the completion script, generated from the CLI definition.
pub(super) fn completions(a: CompletionsArgs) -> Result<u8, Failure> {
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "kawal", &mut out);
    use std::io::Write;
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| Failure::usage(anyhow!("stdout: {e}")))?;
    Ok(EXIT_OK)
}

/// `kawal man`: the man page (roff), generated from the CLI definition; with `--out-dir`,
/// one page per command (`kawal.1`, `kawal-serve.1`, …).
pub(super) fn man(a: ManArgs) -> Result<u8, Failure> {
    let cmd = Cli::command();
    match a.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure::usage(anyhow!("{}: {e}", dir.display())))?;
            clap_mangen::generate_to(cmd, &dir)
                .map_err(|e| Failure::usage(anyhow!("{}: {e}", dir.display())))?;
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(|e| Failure::usage(anyhow!("man: {e}")))?;
            use std::io::Write;
            std::io::stdout()
                .write_all(&out)
                .map_err(|e| Failure::usage(anyhow!("stdout: {e}")))?;
        }
    }
    Ok(EXIT_OK)
}
