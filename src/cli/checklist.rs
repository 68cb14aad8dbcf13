//! `kawal checklist list|show`.

use super::{EXIT_OK, Failure, Settings, write_out};
use crate::i18n::tr;
use anyhow::anyhow;
use clap::Subcommand;
use std::fmt::Write;

#[derive(Debug, Subcommand)]
pub(super) enum ChecklistCommand {
    /// Semua butir per area / every item by area
    List {
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
    /// Rincian satu butir / one item in full
    Show {
        /// Id butir / item id, e.g. session.cookie.secure
        id: String,
    },
}

pub(super) fn run(settings: &Settings, cmd: ChecklistCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    let c = settings.checklist()?;
    match cmd {
        ChecklistCommand::List { json } => {
            if json {
                return write_out(
                    &(serde_json::to_string_pretty(&c).unwrap_or_default() + "\n"),
                    None,
                )
                .map(|_| EXIT_OK);
            }
            let mut out = format!(
                "{} — {} {}\n",
                c.checklist.title.get(lang),
                c.checklist.id,
                c.checklist.version
            );
            for a in &c.areas {
                let _ = writeln!(
                    out,
                    "\n{}. {} ({}, {})",
                    a.id,
                    a.name.get(lang),
                    a.pasal,
                    a.controls
                );
                for i in c.items.iter().filter(|i| i.area == a.id) {
                    let how = if i.is_manual() {
                        tr(lang, "manual", "manual")
                    } else {
                        i.check.as_str()
                    };
                    let _ = writeln!(
                        out,
                        "  {:<34} {:<9} {:<18} {}",
                        i.id,
                        i.severity.label(lang),
                        how,
                        i.title.get(lang)
                    );
                }
            }
            write_out(&out, None)?;
        }
        ChecklistCommand::Show { id } => {
            let i = c.item(&id).ok_or_else(|| {
                let near: Vec<&str> = c
                    .items
                    .iter()
                    .map(|i| i.id.as_str())
                    .filter(|x| x.contains(id.as_str()) || id.contains(*x))
                    .take(5)
                    .collect();
                Failure::usage(anyhow!(
                    "butir '{id}' tidak ada / no item '{id}'{}; lihat / see: kawal checklist list",
                    if near.is_empty() {
                        String::new()
                    } else {
                        format!(" (mirip / similar: {})", near.join(", "))
                    }
                ))
            })?;
            let area = c
                .area(&i.area)
                .map(|a| format!("{}. {}", a.id, a.name.get(lang)))
                .unwrap_or_default();
            let mut out = String::new();
            let _ = writeln!(out, "{} — {}", i.id, i.title.get(lang));
            let _ = writeln!(out, "{:<16} {area}", tr(lang, "Area", "Area"));
            let _ = writeln!(
                out,
                "{:<16} {}",
                tr(lang, "Tingkat risiko", "Severity"),
                i.severity.label(lang)
            );
            let _ = writeln!(out, "{:<16} {}", tr(lang, "Pemeriksaan", "Check"), i.check);
            let _ = writeln!(out, "{:<16} {} {}", "BSSN", i.bssn.join(", "), i.pasal);
            let _ = writeln!(out, "{:<16} {}", "ASVS 4.0.3", i.asvs4.join(", "));
            let _ = writeln!(out, "{:<16} {}", "ASVS 5.0", i.asvs5.join(", "));
            let _ = writeln!(out, "{:<16} {}", "WSTG v4.2", i.wstg.join(", "));
            let _ = writeln!(
                out,
                "{:<16} {}",
                "CWE",
                i.cwe
                    .iter()
                    .map(|c| format!("CWE-{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(
                out,
                "\n{}\n{}",
                tr(lang, "Deskripsi:", "Description:"),
                i.description.get(lang)
            );
            let _ = writeln!(
                out,
                "\n{}\n{}",
                tr(lang, "Rekomendasi:", "Remediation:"),
                i.remediation.get(lang)
            );
            write_out(&out, None)?;
        }
    }
    Ok(EXIT_OK)
}
