//! `kawal key generate | fingerprint | rotate`: the one sealing key a fleet shares.

use super::{EXIT_NOT_MET, EXIT_OK, Failure, Settings, write_out};
use crate::auth::seal::{KeySource, Sealer, write_private};
use crate::i18n::tr;
use anyhow::anyhow;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub(super) enum KeyCommand {
    /// Buat kunci baru (64 digit heksadesimal) / create a new key (64 hex digits)
    Generate {
        /// Tulis ke berkas baru (mode 0600) alih-alih stdout / write to a new file (mode 0600) instead of stdout
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Sidik jari kunci mesin ini dan yang tercatat di basis data / fingerprint of this machine's key and of the database's
    Fingerprint,
    /// Segel ulang semua profil login dengan kunci baru dalam satu transaksi / re-seal every login profile with a new key in one transaction
    Rotate {
        /// Berkas kunci baru (dari `kawal key generate -o`) / the new key file (from `kawal key generate -o`)
        #[arg(long, value_name = "FILE")]
        new_key: PathBuf,
    },
}

/// This machine's sealing key, or a usage error naming where it was looked for.
pub(super) fn sealer() -> Result<Sealer, Failure> {
    Sealer::load(&crate::config::data_dir()).map_err(Failure::usage)
}

/// `kawal key …`.
pub(super) async fn run(settings: &Settings, c: KeyCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    match c {
        KeyCommand::Generate { output } => {
            let key = Sealer::generate().map_err(Failure::incomplete)?;
            match output {
                None => write_out(&format!("{key}\n"), None)?,
                Some(p) => {
                    write_private(&p, &key).map_err(|e| {
                        Failure::usage(anyhow!(
                            "{}: {e} ({})",
                            p.display(),
                            tr(
                                lang,
                                "berkas yang ada tidak ditimpa",
                                "an existing file is never overwritten"
                            )
                        ))
                    })?;
                    let fp = Sealer::from_text(&key, "-")
                        .map_err(Failure::incomplete)?
                        .fingerprint()
                        .to_string();
                    write_out(&format!("{} {fp}\n", p.display()), None)?;
                }
            }
            Ok(EXIT_OK)
        }
        KeyCommand::Fingerprint => {
            let s = sealer()?;
            let store = settings.store().await?;
            let recorded = store.key_fingerprint().await?;
            store.close().await;
            let mut out = format!(
                "{:<28} {}\n{:<28} {}\n",
                tr(lang, "kunci mesin ini", "this machine's key"),
                s.fingerprint(),
                tr(lang, "sumber", "source"),
                s.source()
            );
            let same = recorded.as_deref().is_none_or(|r| r == s.fingerprint());
            out.push_str(&format!(
                "{:<28} {}\n",
                tr(lang, "tercatat di basis data", "recorded in the database"),
                recorded.as_deref().unwrap_or("-")
            ));
            if !same {
                out.push_str(tr(
                    lang,
                    "BERBEDA: salin secret.key dari mesin pertama atau setel KAWAL_SECRET_KEY.\n",
                    "DIFFERENT: copy secret.key from the first machine or set KAWAL_SECRET_KEY.\n",
                ));
            }
            write_out(&out, None)?;
            Ok(if same { EXIT_OK } else { EXIT_NOT_MET })
        }
        KeyCommand::Rotate { new_key } => rotate(settings, &new_key).await,
    }
}

async fn rotate(settings: &Settings, new_key: &Path) -> Result<u8, Failure> {
    let lang = settings.lang;
    let old = sealer()?;
    let text = std::fs::read_to_string(new_key)
        .map_err(|e| Failure::usage(anyhow!("{}: {e}", new_key.display())))?;
    let new = Sealer::from_text(&text, &new_key.display().to_string()).map_err(Failure::usage)?;
    if new.fingerprint() == old.fingerprint() {
        return Err(Failure::usage(anyhow!(
            "{}",
            tr(
                lang,
                "kunci baru sama dengan kunci sekarang",
                "the new key is the current key"
            )
        )));
    }
    let store = settings.store().await?;
    let n = store.rotate_key(&old, &new).await?;
    store.close().await;
    // The database now wants the new key; put it where this machine looks for it.
    let next = match old.source() {
        KeySource::File(p) | KeySource::Created(p) => {
            replace_key_file(p, text.trim()).map_err(|e| {
                Failure::incomplete(anyhow!(
                    "{} {}: {e}; {}",
                    tr(
                        lang,
                        "basis data sudah memakai kunci baru, tetapi",
                        "the database uses the new key, but"
                    ),
                    p.display(),
                    tr(
                        lang,
                        "salin berkas kunci baru ke sana",
                        "copy the new key file there"
                    )
                ))
            })?;
            format!(
                "{} {}",
                tr(lang, "berkas kunci diganti:", "key file replaced:"),
                p.display()
            )
        }
        _ => tr(
            lang,
            "setel KAWAL_SECRET_KEY ke kunci baru",
            "set KAWAL_SECRET_KEY to the new key",
        )
        .to_string(),
    };
    write_out(
        &format!(
            "{n} {} {}; {next}. {}\n",
            tr(
                lang,
                "profil login disegel ulang →",
                "login profiles re-sealed →"
            ),
            new.fingerprint(),
            tr(
                lang,
                "Pasang kunci baru di setiap mesin lain sebelum menjalankan kawal serve/worker di sana",
                "Install the new key on every other machine before running kawal serve/worker there"
            )
        ),
        None,
    )?;
    Ok(EXIT_OK)
}

/// Replaces a key file atomically with owner-only permissions.
fn replace_key_file(path: &Path, key: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("key.new");
    let _ = std::fs::remove_file(&tmp);
    write_private(&tmp, key)?;
    std::fs::rename(&tmp, path)
}
