//! `kawal entropy FILE|URL`: session-token randomness, from a token file or collected live.

use super::run::parse_target;
use super::{EXIT_NOT_MET, EXIT_OK, Failure, NetArgs, Settings, write_out};
use crate::checks::session_entropy::{self, CollectError};
use crate::i18n::{Lang, tr};
use crate::net::{HttpClient, Scope};
use anyhow::anyhow;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use kawal_entropy::{Analysis, Options, Token, Verdict};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct EntropyArgs {
    /// Berkas token (satu per baris) atau URL aplikasi / token file (one per line) or application URL
    source: String,
    /// Nama cookie sesi (bawaan: dideteksi) / session cookie name (default: detected)
    #[arg(long)]
    cookie: Option<String>,
    /// Jumlah token yang dikumpulkan dari URL / tokens to collect from a URL (100 = rough look, 20000 = full)
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(100..=20000))]
    samples: u32,
    /// Tingkat signifikansi / significance level
    #[arg(long, default_value_t = 0.01)]
    significance: f64,
    /// Format keluaran / output format
    #[arg(long, short, value_parser = ["table", "json"], default_value = "table")]
    format: String,
    /// Tulis grafik SVG entropi per posisi / write the per-position entropy chart (SVG)
    #[arg(long)]
    chart: Option<PathBuf>,
    /// Simpan token beserta waktu pengambilan dan header Date (TSV) / save the tokens with capture time and Date header (TSV)
    #[arg(long)]
    save_tokens: Option<PathBuf>,
    #[command(flatten)]
    net: NetArgs,
}

pub(super) async fn run(settings: &Settings, a: EntropyArgs) -> Result<u8, Failure> {
    let lang = settings.lang;
    let tokens = if a.source.starts_with("http://") || a.source.starts_with("https://") {
        collect(settings, &a).await?
    } else {
        let text = std::fs::read_to_string(&a.source).map_err(|e| {
            Failure::usage(anyhow!(
                "tidak dapat membaca berkas token / cannot read token file '{}': {e}",
                a.source
            ))
        })?;
        session_entropy::read_tokens(&text)
    };
    if let Some(p) = &a.save_tokens {
        std::fs::write(p, session_entropy::format_tokens(&tokens))
            .map_err(|e| Failure::usage(anyhow!("cannot write {}: {e}", p.display())))?;
    }
    let opts = Options {
        significance: a.significance,
        cookie_name: a.cookie.clone(),
        ..Options::default()
    };
    let analysis = kawal_entropy::analyse(&tokens, &opts)
        .map_err(|e| Failure::usage(anyhow!("{} / {e}", e.message_id())))?;
    if let Some(p) = &a.chart {
        std::fs::write(p, kawal_entropy::chart_svg(&analysis))
            .map_err(|e| Failure::usage(anyhow!("cannot write {}: {e}", p.display())))?;
    }
    let text = if a.format == "json" {
        serde_json::to_string_pretty(&analysis).unwrap_or_default() + "\n"
    } else {
        table(&analysis, lang)
    };
    write_out(&text, None)?;
    Ok(if matches!(analysis.verdict, Verdict::Fail) {
        EXIT_NOT_MET
    } else {
        EXIT_OK
    })
}

/// Collects tokens from fresh sessions through the same collector as the session-entropy check.
async fn collect(settings: &Settings, a: &EntropyArgs) -> Result<Vec<Token>, Failure> {
    let url = parse_target(&a.source)?;
    let net = settings.net(&a.net, None)?;
    let http = HttpClient::new(net, Scope::new(&url, &[])).map_err(Failure::usage)?;
    let bar = settings.progress().then(|| {
        let b = ProgressBar::new(u64::from(a.samples));
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} token · ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let progress = |n: usize| {
        if let Some(b) = &bar {
            b.set_position(n as u64);
        }
    };
    let tokens =
        session_entropy::collect(&http, &url, a.cookie.clone(), a.samples as usize, &progress)
            .await
            .map_err(|e| match e {
                CollectError::Net(e) if e.is_unreachable() => Failure::incomplete(e),
                CollectError::Net(e) => Failure::usage(e),
                e @ CollectError::NoCookie { .. } => Failure::usage(anyhow!(
                    "{e}; {}",
                    tr(
                        settings.lang,
                        "sebutkan dengan --cookie NAMA",
                        "name it with --cookie NAME"
                    )
                )),
            })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(tokens)
}

fn table(a: &Analysis, lang: Lang) -> String {
    let mut out = String::new();
    let verdict = match a.verdict {
        Verdict::Pass => tr(
            lang,
            "SESUAI: konsisten dengan ≥ 128 bit (ASVS 5.0)",
            "PASS: consistent with ≥ 128 bits (ASVS 5.0)",
        ),
        Verdict::MeetsAsvs4Only => tr(
            lang,
            "Memenuhi ASVS 4.0.3 (≥ 64 bit) tetapi belum ASVS 5.0 (≥ 128 bit)",
            "Meets ASVS 4.0.3 (≥ 64 bits) but not ASVS 5.0 (≥ 128 bits)",
        ),
        Verdict::Fail => tr(lang, "TIDAK SESUAI", "FAIL"),
        Verdict::Inconclusive => tr(lang, "TIDAK DAPAT DISIMPULKAN", "INCONCLUSIVE"),
    };
    let _ = writeln!(out, "{}: {verdict}", tr(lang, "Hasil", "Verdict"));
    let _ = writeln!(
        out,
        "{:<34} {}",
        tr(lang, "Format token", "Token format"),
        a.format.description
    );
    let _ = writeln!(
        out,
        "{:<34} {} (+{} {})",
        tr(lang, "Jumlah sampel", "Sample size"),
        a.sample_size,
        a.excluded_tokens,
        tr(lang, "dikecualikan", "excluded")
    );
    let _ = writeln!(
        out,
        "{:<34} {:.1} bit",
        tr(lang, "Kapasitas (terlihat acak)", "Capacity (looks random)"),
        a.capacity_bits
    );
    let _ = writeln!(
        out,
        "{:<34} {:.1} bit",
        tr(
            lang,
            "Bit efektif (lolos uji)",
            "Effective bits (survive the tests)"
        ),
        a.effective_bits
    );
    let _ = writeln!(
        out,
        "{:<34} {:.1} bit",
        tr(
            lang,
            "Batas min-entropy (NIST 800-90B)",
            "Min-entropy bound (NIST 800-90B)"
        ),
        a.min_entropy_bits
    );
    let _ = writeln!(
        out,
        "{:<34} {}",
        tr(lang, "Tingkat signifikansi", "Significance level"),
        a.significance
    );
    for f in &a.test_families {
        let _ = writeln!(
            out,
            "  {:<32} {} {} / {} {}",
            f.name,
            f.rejections,
            tr(lang, "ditolak", "rejected"),
            f.tests,
            tr(lang, "uji", "tests")
        );
    }
    if !a.reasons.is_empty() {
        let _ = writeln!(out, "\n{}:", tr(lang, "Alasan", "Reasons"));
        for r in &a.reasons {
            let msg = if lang == Lang::Id {
                &r.message_id
            } else {
                &r.message_en
            };
            let _ = writeln!(out, "  [{}] {msg}", r.code);
        }
    }
    out
}
