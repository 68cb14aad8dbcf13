//! Orchestration and verdict. Multiple testing is controlled family-wise with Bonferroni: the
//! significance level is split equally over the test families that ran (character counts,
//! transitions, each FIPS bit test, bit correlation, whole-token tests), and each family's share is
//! split equally over its tests. The chance that a perfect generator fails any test is therefore at
//! most the significance level, whatever the token length.

use crate::bitlevel::{self, Column};
use crate::decode::{self, Decoded, FormatKind};
use crate::stats::poisson_sf;
use crate::{
    Analysis, BitResult, CorrelatedPair, DuplicateResult, Error, MinEntropyEstimates,
    MinEntropySummary, Options, PositionResult, Reason, SequenceResult, Severity, TestFamily,
    TestResult, Token, Verdict, charlevel, construction, nist90b, sequence,
};
use std::collections::HashMap;

/// The SP 800-90B estimators other than MCV see at most this many symbols in total (tokens times
/// positions); beyond it they run on the first tokens only, and the result says so.
const NIST_BUDGET: usize = 1_500_000;
/// Above this many bit columns, correlation is tested only between columns at most this far apart.
const CORR_ALL_PAIRS: usize = 512;
const CORR_WINDOW: usize = 64;

struct Family {
    name: &'static str,
    tests: usize,
    rejections: usize,
}

fn test_result(name: &str, stat: f64, df: Option<f64>, p: f64, threshold: f64) -> TestResult {
    TestResult {
        name: name.to_string(),
        statistic: stat,
        df,
        p_value: p,
        threshold,
        rejected: p < threshold,
    }
}

/// Analyse a sample of tokens (in capture order) and give a verdict.
pub fn analyse(tokens: &[Token], opts: &Options) -> Result<Analysis, Error> {
    if !(opts.significance > 0.0 && opts.significance < 0.5) {
        return Err(Error::BadSignificance(opts.significance));
    }
    let d = decode::decode(tokens, opts)?;
    Ok(run(&d, tokens, opts))
}

fn run(d: &Decoded, tokens: &[Token], opts: &Options) -> Analysis {
    let n = d.cores.len();
    let times: Vec<Option<i64>> = d
        .kept
        .iter()
        .map(|&i| {
            tokens.get(i).and_then(|t| {
                t.captured_at_ms
                    .or(t.date_header_s.map(|s| s.saturating_mul(1000)))
            })
        })
        .collect();
    let capacity: f64 = d.positions.iter().map(|p| (p.k as f64).log2()).sum();

    // ---- raw tests --------------------------------------------------------------------------
    let char_raw: Vec<(Option<charlevel::Raw>, Option<charlevel::Raw>)> = d
        .positions
        .iter()
        .zip(&d.cols)
        .map(|(p, c)| (charlevel::char_count(c, p.k), charlevel::transition(c, p.k)))
        .collect();
    let mut columns: Vec<Column> = Vec::new();
    let mut col_range = Vec::with_capacity(d.positions.len());
    for (pi, (p, c)) in d.positions.iter().zip(&d.cols).enumerate() {
        let start = columns.len();
        columns.extend(bitlevel::columns_for(pi, c, p.k, p.bits));
        col_range.push(start..columns.len());
    }
    let bit_raw: Vec<Vec<bitlevel::Raw>> = columns
        .iter()
        .map(|c| bitlevel::bit_tests(&c.seq))
        .collect();
    let ratios: Vec<f64> = columns
        .iter()
        .map(|c| bitlevel::compression_ratio(&c.seq))
        .collect();
    let nb = columns.len();
    let mut corr_raw: Vec<(usize, usize, f64, f64, f64)> = Vec::new();
    for a in 0..nb {
        let end = if nb <= CORR_ALL_PAIRS {
            nb
        } else {
            (a + CORR_WINDOW + 1).min(nb)
        };
        for b in a + 1..end {
            let (phi, p, mi, used) = bitlevel::correlation(&columns[a], &columns[b]);
            if used >= 20 {
                corr_raw.push((a, b, phi, p, mi));
            }
        }
    }

    // Whole-token tests.
    let radix_pow2 = d.format.alphabet.len().is_power_of_two();
    let skip_prefix_time = d.format.kind == FormatKind::Uuid && d.format.uuid_version == Some(7);
    let seq = sequence::analyse(&d.numeric, &times, radix_pow2, skip_prefix_time);
    let mut counts: HashMap<&str, u64> = HashMap::with_capacity(n);
    for c in &d.cores {
        *counts.entry(c.as_str()).or_insert(0) += 1;
    }
    let dup_pairs: u64 = counts.values().map(|&c| c * (c - 1) / 2).sum();
    let total_pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    let expected_pairs = total_pairs * 2f64.powf(-capacity);
    let dup_p = poisson_sf(dup_pairs, expected_pairs);

    // ---- family-wise thresholds -------------------------------------------------------------
    let mut fams: Vec<Family> = Vec::new();
    let mut add = |name: &'static str, tests: usize| {
        if tests > 0 {
            fams.push(Family {
                name,
                tests,
                rejections: 0,
            });
        }
    };
    add(
        "char_count",
        char_raw.iter().filter(|r| r.0.is_some()).count(),
    );
    add(
        "transition",
        char_raw.iter().filter(|r| r.1.is_some()).count(),
    );
    for t in ["monobit", "poker", "runs", "run_lengths", "long_run"] {
        add(t, bit_raw.iter().flatten().filter(|r| r.0 == t).count());
    }
    add("bit_correlation", corr_raw.len());
    let whole = 1 + seq.monotonicity.is_some() as usize + seq.time_correlation.is_some() as usize;
    add("whole_token", whole);
    let nf = fams.len().max(1) as f64;
    let threshold = |fams: &[Family], name: &str| -> f64 {
        fams.iter()
            .find(|f| f.name == name)
            .map_or(opts.significance, |f| {
                opts.significance / nf / f.tests as f64
            })
    };
    let reject = |fams: &mut Vec<Family>, name: &str, p: f64| -> (f64, bool) {
        let th = threshold(fams, name);
        let r = p < th;
        if let (true, Some(f)) = (r, fams.iter_mut().find(|f| f.name == name)) {
            f.rejections += 1;
        }
        (th, r)
    };

    // ---- per-position character tests ------------------------------------------------------
    let mut pos_fail = vec![false; d.positions.len()];
    let mut char_results = Vec::with_capacity(d.positions.len());
    let (mut bias_positions, mut transition_positions) = (Vec::new(), Vec::new());
    for (pi, (cc, tr)) in char_raw.iter().enumerate() {
        let ccr = cc.map(|(s, df, p)| {
            let (th, r) = reject(&mut fams, "char_count", p);
            if r {
                pos_fail[pi] = true;
                bias_positions.push(d.positions[pi].char_index);
            }
            test_result("char_count", s, Some(df), p, th)
        });
        let trr = tr.map(|(s, df, p)| {
            let (th, r) = reject(&mut fams, "transition", p);
            if r {
                pos_fail[pi] = true;
                transition_positions.push(d.positions[pi].char_index);
            }
            test_result("transition", s, Some(df), p, th)
        });
        char_results.push((ccr, trr));
    }

    // ---- per-bit tests -----------------------------------------------------------------------
    let mut bit_pass = vec![true; nb];
    let mut bit_min_p = vec![1.0f64; nb];
    let mut bit_tests_out = Vec::with_capacity(nb);
    let mut failed_bits = 0usize;
    for (bi, raws) in bit_raw.iter().enumerate() {
        let mut v = Vec::with_capacity(raws.len());
        for &(name, stat, df, p) in raws {
            let (th, r) = reject(&mut fams, name, p);
            if r {
                bit_pass[bi] = false;
            }
            bit_min_p[bi] = bit_min_p[bi].min(p);
            v.push(test_result(name, stat, df, p, th));
        }
        if !bit_pass[bi] {
            failed_bits += 1;
        }
        bit_tests_out.push(v);
    }
    // Correlation: mark down the lower-scoring bit of each correlated pair (as Sequencer does),
    // and subtract the shared information from the min-entropy bound.
    let mut correlations = Vec::new();
    let mut correlated_bits = 0.0;
    let mut corr_count = 0usize;
    for &(a, b, phi, p, mi) in &corr_raw {
        let (_, r) = reject(&mut fams, "bit_correlation", p);
        if r {
            corr_count += 1;
            correlated_bits += mi.min(1.0);
            let lower = if bit_min_p[a] <= bit_min_p[b] { a } else { b };
            bit_pass[lower] = false;
            if correlations.len() < 1000 {
                correlations.push(CorrelatedPair {
                    bit_a: a,
                    bit_b: b,
                    correlation: phi,
                    p_value: p,
                    mutual_information_bits: mi,
                });
            }
        }
    }

    // Whole-token tests.
    let (mono_th, mono_rej) = match seq.monotonicity {
        Some((_, p)) => reject(&mut fams, "whole_token", p),
        None => (0.0, false),
    };
    let (time_th, time_rej) = match &seq.time_correlation {
        Some((_, p, _, _)) => reject(&mut fams, "whole_token", *p),
        None => (0.0, false),
    };
    let (dup_th, dup_rej_stat) = reject(&mut fams, "whole_token", dup_p);
    let _ = dup_th;
    // A repeated JWT is a re-issued token (signatures are deterministic), not an entropy finding.
    let dup_found = dup_pairs > 0 && (capacity >= 64.0 || dup_rej_stat);
    let dup_decisive = dup_found && d.format.kind != FormatKind::Jwt;

    // Sequence findings that cover only part of the token (e.g. a timestamp prefix before a
    // random part) take those positions out of the count instead of failing the whole token.
    let mono_scope = (!d.numeric.full).then(|| d.numeric.lo_positions.clone());
    let mut partial: Vec<(&str, String, String)> = Vec::new();
    let mut whole_hits: Vec<(&str, String, String)> = Vec::new();
    let mut scoped =
        |code: &'static str, en: String, id: String, scope: &Option<Vec<usize>>| match scope {
            None => whole_hits.push((code, en, id)),
            Some(chars) => {
                for (pi, p) in d.positions.iter().enumerate() {
                    if chars.contains(&p.char_index) {
                        pos_fail[pi] = true;
                    }
                }
                partial.push((code, en, id));
            }
        };
    for (code, en, id, scope) in &seq.hits {
        scoped(code, en.clone(), id.clone(), scope);
    }
    if mono_rej {
        let (z, p) = seq.monotonicity.unwrap_or((0.0, 1.0));
        scoped(
            "monotonic",
            format!("ascents test z = {z:.1}, p = {p:.2e}"),
            format!("uji kenaikan z = {}, p = {}", id_num(z, 1), id_sci(p)),
            &mono_scope,
        );
    }
    if let (true, Some((_, p, r, scope))) = (time_rej, &seq.time_correlation) {
        scoped(
            "time_correlated",
            format!("correlation with capture time r = {r:.3}, p = {p:.2e}"),
            format!(
                "korelasi dengan waktu pengambilan r = {}, p = {}",
                id_num(*r, 3),
                id_sci(*p)
            ),
            scope,
        );
    }

    // Bits of a rejected position do not survive either (keeps `bits` and the chart consistent).
    for (pi, failed) in pos_fail.iter().enumerate() {
        if *failed {
            for b in col_range[pi].clone() {
                bit_pass[b] = false;
            }
        }
    }

    // ---- effective bits and min-entropy per position ----------------------------------------
    let nist_n = n.min((NIST_BUDGET / d.positions.len().max(1)).max(100));
    let mut positions_out = Vec::with_capacity(d.positions.len());
    let mut effective = 0.0;
    let mut me = MinEntropySummary {
        subsample: (nist_n < n).then_some(nist_n),
        ..Default::default()
    };
    for (pi, p) in d.positions.iter().enumerate() {
        let cap = (p.k as f64).log2();
        let range = col_range[pi].clone();
        let passing = range.clone().filter(|&b| bit_pass[b]).count();
        let eff = if pos_fail[pi] || p.bits == 0 {
            0.0
        } else {
            cap * passing as f64 / p.bits as f64
        };
        effective += eff;
        let iid = !pos_fail[pi] && passing == range.len();
        let col = &d.cols[pi][..nist_n];
        let sym_bits = 32 - (p.k - 1).max(1).leading_zeros();
        let m = nist90b::mcv(&d.cols[pi], p.k).min(cap);
        let bs = nist90b::bitstring(col, sym_bits);
        let scale = |h: Option<f64>| h.map(|h| (h * sym_bits as f64).min(cap));
        let (col_e, mar_e, com_e) = (
            scale(nist90b::collision(&bs)),
            scale(nist90b::markov(&bs)),
            scale(nist90b::compression(&bs)),
        );
        let (tt, lrs, _) = nist90b::tuple_and_lrs(col, sym_bits);
        let (tt, lrs) = (tt.map(|h| h.min(cap)), lrs.map(|h| h.min(cap)));
        let non_iid = [col_e, mar_e, com_e, tt, lrs]
            .iter()
            .flatten()
            .fold(m, |a, &b| a.min(b));
        let assessed = if iid { m } else { non_iid };
        me.mcv_sum_bits += m;
        me.non_iid_sum_bits += non_iid;
        me.assessed_sum_bits += assessed;
        let (cc, tr) = char_results[pi].clone();
        positions_out.push(PositionResult {
            char_index: p.char_index,
            alphabet_size: p.k,
            distinct_seen: p.distinct,
            capacity_bits: cap,
            char_count: cc,
            transition: tr,
            effective_bits: eff,
            min_entropy: MinEntropyEstimates {
                mcv: m,
                collision: col_e,
                markov: mar_e,
                compression: com_e,
                t_tuple: tt,
                lrs,
                assessed,
                iid_track: iid,
            },
        });
    }
    me.correlated_bits = correlated_bits;
    let mut min_entropy = (me.assessed_sum_bits - correlated_bits).max(0.0);
    let collision_entropy =
        (dup_pairs > 0).then(|| (total_pairs / dup_pairs as f64).log2().max(0.0));
    if let Some(c) = collision_entropy {
        me.duplicate_cap_bits = Some(c);
        min_entropy = min_entropy.min(c);
        effective = effective.min(c);
    }

    let bits_out: Vec<BitResult> = columns
        .iter()
        .enumerate()
        .map(|(bi, c)| BitResult {
            position: c.position,
            bit: c.bit,
            samples: c.seq.len,
            ones_fraction: if c.seq.len > 0 {
                c.seq.ones() as f64 / c.seq.len as f64
            } else {
                0.0
            },
            tests: bit_tests_out[bi].clone(),
            compression_ratio: ratios[bi],
            min_p: bit_min_p[bi],
            passed: bit_pass[bi],
        })
        .collect();

    // ---- construction checks ----------------------------------------------------------------
    let mut coverage_notes = Vec::new();
    let hits = if opts.construction_checks {
        let timing: Vec<construction::Timing> = d
            .kept
            .iter()
            .map(|&i| construction::Timing {
                captured_ms: tokens.get(i).and_then(|t| t.captured_at_ms),
                date_s: tokens.get(i).and_then(|t| t.date_header_s),
            })
            .collect();
        let limits = construction::Limits {
            counter_limit: opts.counter_search_limit,
            time_window_s: opts.time_window_s,
        };
        construction::check(d, &timing, limits, &mut coverage_notes)
    } else {
        Vec::new()
    };

    // ---- reasons and verdict ----------------------------------------------------------------
    let mut reasons: Vec<Reason> = Vec::new();
    let mut structural = false;
    for h in &hits {
        structural = true;
        reasons.push(fail_reason(&h.code, &h.evidence, &h.evidence_id));
    }
    for (code, en, id) in &whole_hits {
        structural = true;
        reasons.push(fail_reason(code, en, id));
    }
    for (code, en, id) in &partial {
        // Decisive only when what is left after removing the affected positions is too little.
        let mut r = fail_reason(code, en, id);
        if effective < 64.0 {
            structural = true;
        } else {
            r.severity = Severity::Warning;
            r.message_en = format!(
                "{} The affected characters are not counted as entropy.",
                r.message_en
            );
            r.message_id = format!(
                "{} Karakter yang terdampak tidak dihitung sebagai entropi.",
                r.message_id
            );
        }
        reasons.push(r);
    }
    if dup_decisive {
        structural = true;
        let en = format!(
            "{dup_pairs} duplicate pair(s) among {n} tokens; a uniform {capacity:.0}-bit source would give {expected_pairs:.2e}"
        );
        let id = format!(
            "{dup_pairs} pasang token kembar di antara {n} token; sumber seragam {} bit rata-rata hanya menghasilkan {}",
            id_num(capacity, 0),
            id_sci(expected_pairs)
        );
        reasons.push(fail_reason("duplicate_tokens", &en, &id));
    } else if dup_found {
        reasons.push(Reason::new(
            "duplicate_tokens",
            Severity::Warning,
            format!("The same JWT was issued more than once ({dup_pairs} duplicate pair(s))."),
            format!(
                "JWT yang sama diterbitkan lebih dari sekali ({dup_pairs} pasang token kembar)."
            ),
        ));
    }
    if d.format.kind == FormatKind::Jwt {
        if d.format
            .jwt_alg
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("none"))
        {
            structural = true;
            reasons.push(fail_reason("jwt_alg_none", "alg \"none\"", "alg \"none\""));
        }
        reasons.push(Reason::new(
            "jwt_session_token",
            Severity::Warning,
            format!(
                "The session token is a JWT (alg {}), a self-contained token: only its signature was analysed, and signature randomness says nothing about forgery. Assess it under ASVS 5.0 chapter V9 (self-contained tokens) instead of entropy.",
                d.format.jwt_alg.as_deref().unwrap_or("?")
            ),
            format!(
                "Token sesi berupa JWT (alg {}), yaitu token mandiri: hanya tanda tangannya yang dianalisis, dan keacakan tanda tangan tidak menjamin token tidak dapat dipalsukan. Nilai token ini berdasarkan ASVS 5.0 bab V9 (token mandiri), bukan berdasarkan entropi.",
                d.format.jwt_alg.as_deref().unwrap_or("?")
            ),
        ));
    }
    if d.format.kind == FormatKind::Laravel {
        reasons.push(Reason::new(
            "encrypted_cookie",
            Severity::Warning,
            "The Laravel cookie is encrypted: the analysis measures the ciphertext, not the session id inside it.".into(),
            "Cookie Laravel terenkripsi: yang diukur adalah ciphertext-nya, bukan ID sesi di dalamnya.".into(),
        ));
    }
    let any_rejection = fams.iter().any(|f| f.rejections > 0);
    if !bias_positions.is_empty() {
        reasons.push(stat_reason(
            "position_bias",
            format!(
                "Characters are not uniformly distributed at {} position(s) (chi-square): {}",
                bias_positions.len(),
                list(&bias_positions)
            ),
            format!(
                "Sebaran karakter tidak seragam pada {} posisi (uji khi-kuadrat): {}",
                bias_positions.len(),
                list(&bias_positions)
            ),
        ));
    }
    if !transition_positions.is_empty() {
        reasons.push(stat_reason(
            "transition_dependence",
            format!(
                "The character at {} position(s) depends on the previous token (transition test): {}",
                transition_positions.len(),
                list(&transition_positions)
            ),
            format!(
                "Karakter pada {} posisi bergantung pada token sebelumnya (uji transisi): {}",
                transition_positions.len(),
                list(&transition_positions)
            ),
        ));
    }
    if failed_bits > 0 {
        reasons.push(stat_reason(
            "bit_bias",
            format!("{failed_bits} bit position(s) fail the FIPS 140-2 style bit tests (monobit, poker, runs, long run)"),
            format!("{failed_bits} posisi bit gagal uji bit gaya FIPS 140-2 (monobit, poker, runs, long run)"),
        ));
    }
    if corr_count > 0 {
        reasons.push(stat_reason(
            "bit_correlation",
            format!("{corr_count} pair(s) of bit positions are correlated; {correlated_bits:.1} bit(s) of shared information are not counted twice"),
            format!("{corr_count} pasangan posisi bit saling berkorelasi; {} bit informasi bersama tidak dihitung dua kali", id_num(correlated_bits, 1)),
        ));
    }

    let low_capacity = capacity < 64.0;
    if low_capacity {
        reasons.push(Reason::new(
            "low_capacity",
            Severity::Fail,
            format!("The token can hold at most {capacity:.1} bits (variable positions only), below the 64 bits of ASVS 4.0.3 V3.2.2."),
            format!("Token paling banyak memuat {} bit (hanya posisi yang berubah-ubah), di bawah 64 bit yang disyaratkan ASVS 4.0.3 V3.2.2.", id_num(capacity, 1)),
        ));
    }
    let small = n < opts.min_samples;
    let verdict = if structural {
        Verdict::Fail
    } else if small || matches!(d.format.kind, FormatKind::Jwt | FormatKind::Laravel) {
        // Too few tokens, or entropy analysis does not apply to a self-contained/encrypted token.
        Verdict::Inconclusive
    } else if low_capacity {
        Verdict::Fail
    } else if effective < 64.0 {
        reasons.push(Reason::new(
            "low_effective_entropy",
            Severity::Fail,
            format!("Only {effective:.1} of {capacity:.1} bits survive the statistical tests at a {}% family-wise significance level, below 64 bits.", opts.significance * 100.0),
            format!("Hanya {} dari {} bit yang lolos uji statistik pada taraf signifikansi {}% (dikoreksi untuk pengujian berganda), di bawah 64 bit.", id_num(effective, 1), id_num(capacity, 1), id_num(opts.significance * 100.0, 1).trim_end_matches(",0")),
        ));
        Verdict::Fail
    } else if n < opts.min_samples_for_pass {
        Verdict::Inconclusive
    } else if capacity >= 128.0 && !any_rejection {
        Verdict::Pass
    } else {
        Verdict::MeetsAsvs4Only
    };

    if verdict == Verdict::Inconclusive
        && (small || n < opts.min_samples_for_pass)
        && !matches!(d.format.kind, FormatKind::Jwt | FormatKind::Laravel)
    {
        let need = if small {
            opts.min_samples
        } else {
            opts.min_samples_for_pass
        };
        reasons.push(Reason::new(
            "sample_too_small",
            Severity::Warning,
            format!("Only {n} tokens were analysed: the tests cannot tell a strong generator from a weak one with so few. Collect at least {need} tokens (5,000 recommended; 20,000 for full bit-level tests)."),
            format!("Hanya {n} token yang dianalisis: dengan sampel sekecil ini uji statistik belum dapat membedakan generator yang kuat dari yang lemah. Kumpulkan minimal {need} token (disarankan 5.000; 20.000 untuk uji tingkat bit secara penuh)."),
        ));
    } else if n < 5000 && !small {
        reasons.push(Reason::new(
            "limited_reliability",
            Severity::Info,
            format!("{n} tokens give limited reliability; 5,000 or more are recommended, 20,000 for full bit-level tests."),
            format!("{n} token memberikan keandalan terbatas; disarankan 5.000 token atau lebih, 20.000 untuk uji tingkat bit secara penuh."),
        ));
    }
    if verdict == Verdict::MeetsAsvs4Only {
        let why_en = if capacity < 128.0 {
            format!("its capacity is {capacity:.1} bits")
        } else {
            "a statistical test rejected uniformity or independence".to_string()
        };
        let why_id = if capacity < 128.0 {
            format!("kapasitasnya {} bit", id_num(capacity, 1))
        } else {
            "ada uji statistik yang menolak keseragaman atau independensi".to_string()
        };
        reasons.push(Reason::new(
            "below_128_bits",
            Severity::Warning,
            format!("Meets ASVS 4.0.3 V3.2.2 (at least 64 bits) but not ASVS 5.0 V7.2.3 (at least 128 bits): {why_en}."),
            format!("Memenuhi ASVS 4.0.3 V3.2.2 (minimal 64 bit) tetapi tidak memenuhi ASVS 5.0 V7.2.3 (minimal 128 bit): {why_id}."),
        ));
    }
    if d.format.kind == FormatKind::Uuid && d.format.uuid_version == Some(4) {
        reasons.push(Reason::new(
            "uuid_v4",
            Severity::Info,
            "A version 4 UUID carries 122 random bits; the version and variant bits are format. ASVS 5.0 V11.5.1 notes that UUIDs do not meet the 128-bit requirement.".into(),
            "UUID versi 4 memuat 122 bit acak; bit versi dan varian adalah format. ASVS 5.0 V11.5.1 menyebutkan bahwa UUID tidak memenuhi syarat 128 bit.".into(),
        ));
    }
    if matches!(verdict, Verdict::Pass | Verdict::MeetsAsvs4Only) {
        reasons.push(Reason::new(
            "hashed_source_caveat",
            Severity::Info,
            format!("The sample is consistent with a uniform source ({effective:.1} bits survive; conservative min-entropy bound {min_entropy:.1} bits). Statistical tests cannot rule out a hashed or PRNG-whitened low-entropy source: confirm the token comes from a CSPRNG."),
            format!("Sampel konsisten dengan sumber yang seragam ({} bit lolos uji; batas bawah min-entropi yang konservatif {} bit). Uji statistik tidak dapat menyingkirkan kemungkinan sumber berentropi rendah yang di-hash atau diolah PRNG: pastikan token dibangkitkan dengan CSPRNG.", id_num(effective, 1), id_num(min_entropy, 1)),
        ));
    }
    if let Some(k) = me.subsample {
        reasons.push(Reason::new(
            "estimators_subsampled",
            Severity::Info,
            format!("To bound the work, the SP 800-90B estimators other than MCV used the first {k} tokens."),
            format!("Untuk membatasi beban komputasi, estimator SP 800-90B selain MCV hanya memakai {k} token pertama."),
        ));
    }
    if d.format.padded {
        reasons.push(Reason::new(
            "padded",
            Severity::Info,
            "Numeric tokens of different lengths were left-padded with 0 to align them.".into(),
            "Token numerik dengan panjang berbeda diberi awalan 0 agar sejajar.".into(),
        ));
    }
    reasons.extend(d.notes.iter().cloned());
    reasons.extend(coverage_notes);
    // Most important first: failures, then warnings, then context.
    reasons.sort_by_key(|r| match r.severity {
        Severity::Fail => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    });

    let sequence = SequenceResult {
        small_delta_fraction: seq.small_delta_fraction,
        most_common_delta: seq.most_common_delta.map(|(d, s)| crate::CommonDelta {
            delta: d.to_string(),
            share: s,
        }),
        timestamp_unit: seq.timestamp_unit.clone(),
        monotonicity: seq
            .monotonicity
            .map(|(z, p)| test_result("monotonicity", z, None, p, mono_th)),
        time_correlation: seq
            .time_correlation
            .as_ref()
            .map(|(z, p, _, _)| test_result("time_correlation", *z, None, *p, time_th)),
    };
    let test_families = fams
        .iter()
        .map(|f| TestFamily {
            name: f.name.to_string(),
            tests: f.tests,
            threshold: opts.significance / nf / f.tests as f64,
            rejections: f.rejections,
        })
        .collect();

    Analysis {
        verdict,
        reasons,
        format: d.format.clone(),
        sample_size: n,
        excluded_tokens: d.excluded,
        capacity_bits: capacity,
        min_entropy_bits: min_entropy,
        effective_bits: effective,
        significance: opts.significance,
        meets_asvs_4_0_3: matches!(verdict, Verdict::Pass | Verdict::MeetsAsvs4Only),
        meets_asvs_5_0: verdict == Verdict::Pass,
        positions: positions_out,
        bits: bits_out,
        correlations,
        duplicates: DuplicateResult {
            distinct: counts.len(),
            duplicate_pairs: dup_pairs,
            expected_pairs,
            p_value: dup_p,
            collision_entropy_bits: collision_entropy,
        },
        sequence,
        construction: hits,
        min_entropy: me,
        test_families,
    }
}

fn list(v: &[usize]) -> String {
    let mut s: Vec<String> = v.iter().take(12).map(|x| x.to_string()).collect();
    if v.len() > 12 {
        s.push("...".into());
    }
    s.join(", ")
}

fn stat_reason(code: &str, en: String, id: String) -> Reason {
    Reason::new(code, Severity::Warning, en, id)
}

/// Messages for the structural (decisive) findings, with technical evidence appended.
/// A number in Indonesian notation (decimal comma).
fn id_num(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

/// A small probability in Indonesian notation (decimal comma, scientific).
fn id_sci(x: f64) -> String {
    format!("{x:.2e}").replace('.', ",")
}

fn fail_reason(code: &str, evidence: &str, evidence_id: &str) -> Reason {
    let alg = code.split('_').next().unwrap_or("").to_ascii_uppercase();
    let (en, id): (String, String) = match code {
        "counter" => (
            "The session token comes from a sequential counter; the next token is easy to guess".into(),
            "Token sesi dihasilkan dari pencacah (counter) yang berurutan; token berikutnya mudah ditebak".into(),
        ),
        "timestamp" => (
            "The session token contains a timestamp; its value can be guessed from the time it was issued".into(),
            "Token sesi memuat stempel waktu (timestamp); nilainya dapat ditebak dari waktu pembuatannya".into(),
        ),
        "time_correlated" => (
            "Token values follow the capture time; the token is probably derived from the system clock".into(),
            "Nilai token mengikuti waktu pengambilan sampel; token kemungkinan besar diturunkan dari jam sistem".into(),
        ),
        "affine_sequence" => (
            "Tokens form an arithmetic sequence (a fixed step between tokens); the next token can be computed".into(),
            "Token membentuk deret aritmetika (selisih tetap antar-token); token berikutnya dapat dihitung".into(),
        ),
        "lcg" => (
            "Tokens follow a linear congruential generator; the whole sequence can be predicted from one token".into(),
            "Token mengikuti generator kongruensial linear (LCG); seluruh deret dapat diprediksi dari satu token".into(),
        ),
        "monotonic" => (
            "Token values keep rising or falling; the generation order is not random".into(),
            "Nilai token cenderung terus naik atau turun; urutan pembuatannya tidak acak".into(),
        ),
        "duplicate_tokens" => (
            "Identical tokens occur in the sample; for a token of 64 bits or more this cannot happen by chance".into(),
            "Ditemukan token yang sama persis dalam sampel; untuk token 64 bit atau lebih hal ini praktis mustahil terjadi secara kebetulan".into(),
        ),
        "java_util_random" => (
            "Tokens come from java.util.Random (a 48-bit LCG): the generator state was recovered and the next tokens can be predicted".into(),
            "Token dibangkitkan dengan java.util.Random (LCG 48 bit): keadaan generator berhasil dipulihkan sehingga token berikutnya dapat diprediksi".into(),
        ),
        "mt19937" => (
            "Tokens come from the Mersenne Twister (MT19937): 624 outputs reveal the generator state and every later token".into(),
            "Token dibangkitkan dengan Mersenne Twister (MT19937): 624 keluaran sudah cukup untuk memulihkan keadaan generator dan menebak semua token berikutnya".into(),
        ),
        "md5_of_counter" | "sha1_of_counter" | "sha256_of_counter" => (
            format!("Tokens are {alg} hashes of small integers (a counter); hashing adds no entropy"),
            format!("Token adalah hash {alg} dari bilangan bulat kecil (pencacah); hash tidak menambah entropi"),
        ),
        "md5_of_timestamp" | "sha1_of_timestamp" | "sha256_of_timestamp" => (
            format!("Tokens are {alg} hashes of the time of issue; an attacker can guess them"),
            format!("Token adalah hash {alg} dari waktu pembuatannya; penyerang dapat menebaknya"),
        ),
        "php_uniqid" => (
            "Tokens contain PHP uniqid() output, which is the time in seconds and microseconds, not a random number".into(),
            "Token memuat keluaran PHP uniqid(), yaitu waktu dalam detik dan mikrodetik, bukan bilangan acak".into(),
        ),
        "uuid_v1" => (
            "Tokens are time-based UUIDs (version 1): timestamp, clock sequence and MAC address, not random".into(),
            "Token berupa UUID berbasis waktu (versi 1): berisi stempel waktu, urutan jam, dan alamat MAC, bukan nilai acak".into(),
        ),
        "uuid_name_based" => (
            "Tokens are name-based UUIDs (version 3 or 5): a hash of a name, not random".into(),
            "Token berupa UUID berbasis nama (versi 3 atau 5): hash dari sebuah nama, bukan nilai acak".into(),
        ),
        "jwt_alg_none" => (
            "The JWT uses alg \"none\" and carries no signature; anyone can forge it".into(),
            "JWT memakai alg \"none\" tanpa tanda tangan; siapa pun dapat memalsukannya".into(),
        ),
        _ => (
            "A structural weakness was found".into(),
            "Ditemukan kelemahan struktural".into(),
        ),
    };
    Reason::new(
        code,
        Severity::Fail,
        format!("{en} ({evidence})."),
        format!("{id} (bukti: {evidence_id})."),
    )
}
