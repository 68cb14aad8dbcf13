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
    /// Detik di sekitar waktu pengambilan dan header Date tiap token yang dicari sebagai stempel waktu ter-hash / seconds either side of each token's capture time and Date header searched for hashed timestamps
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=3600))]
    time_window: u32,
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
        time_window_s: a.time_window,
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
    constructions(&mut out, a, lang);
    out
}

/// The recovered constructions: what was recovered, how well it reproduced the sample and the
/// token it predicts next.
fn constructions(out: &mut String, a: &Analysis, lang: Lang) {
    if a.construction.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}:",
        tr(
            lang,
            "Konstruksi yang dipulihkan",
            "Recovered constructions"
        )
    );
    for h in &a.construction {
        let _ = writeln!(out, "  [{}] {}", h.code, h.construction);
        if !h.recovered.is_empty() {
            let params: Vec<String> = h
                .recovered
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let _ = writeln!(
                out,
                "    {:<24} {}",
                tr(lang, "Parameter", "Parameters"),
                params.join(", ")
            );
        }
        if let Some(v) = h.verified {
            let _ = writeln!(
                out,
                "    {:<24} {} {} {} {}",
                tr(lang, "Direka ulang", "Reproduced"),
                v.matched,
                tr(lang, "dari", "of"),
                v.checked,
                tr(lang, "token", "tokens")
            );
        }
        if let Some(p) = &h.predicted_next {
            let _ = writeln!(
                out,
                "    {:<24} {p}",
                tr(lang, "Token berikutnya", "Next token")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// A saved-tokens file (as `--save-tokens` writes it) of sha256(Unix milliseconds) tokens.
    fn saved_clock_hashes() -> String {
        (0..200i64)
            .map(|i| {
                let ms = 1_764_990_000_000 + i * 13;
                let token: String = Sha256::digest(ms.to_string().as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                format!("{token}\t{}\t{}\n", ms + 4, ms / 1000)
            })
            .collect()
    }

    #[test]
    fn table_shows_the_recovered_construction_and_next_token_in_both_languages() {
        let tokens = session_entropy::read_tokens(&saved_clock_hashes());
        let a = kawal_entropy::analyse(&tokens, &Options::default()).expect("analysable");
        let h = a.construction.first().expect("a construction");
        assert_eq!(h.code, "sha256_of_timestamp");
        let next = h.predicted_next.clone().expect("prediction");
        let id = table(&a, Lang::Id);
        assert!(id.contains("Konstruksi yang dipulihkan:"), "{id}");
        assert!(
            id.contains(&format!("{:<24} {next}", "Token berikutnya")),
            "{id}"
        );
        assert!(id.contains("unit=ms"), "{id}");
        let en = table(&a, Lang::En);
        assert!(en.contains("Recovered constructions:"), "{en}");
        assert!(
            en.contains("sha256(decimal Unix time in ms) as hex"),
            "{en}"
        );
        assert!(
            en.contains(&format!("{:<24} 200 of 200 tokens", "Reproduced")),
            "{en}"
        );
        // JSON carries the same, machine-readably.
        let v = serde_json::to_value(&a).expect("json");
        assert_eq!(v["construction"][0]["predicted_next"], next.as_str());
        assert_eq!(v["construction"][0]["verified"]["checked"], 200);
    }
}
