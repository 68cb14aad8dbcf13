//! Whole-token sequence analysis on numeric views of the tokens: counters, affine and linear
//! congruential sequences, timestamps, monotonicity and correlation with the capture time.

use crate::decode::Numeric;
use crate::stats::normal_two_sided;

/// A deterministic finding: (code, evidence in English, evidence in Indonesian, scope). The scope
/// is None when the finding covers the whole token, else the character positions it covers (the
/// rest of the token may still be random and is judged by the statistics).
pub type Hit = (&'static str, String, String, Option<Vec<usize>>);

/// Output of the sequence analysis: deterministic hits plus p-value tests for the verdict.
#[derive(Debug, Clone, Default)]
pub struct SequenceOut {
    /// Structural findings.
    pub hits: Vec<Hit>,
    /// Fraction of non-zero deltas within 1/64 of the value range.
    pub small_delta_fraction: f64,
    /// Most common delta and its share.
    pub most_common_delta: Option<(i128, f64)>,
    /// Timestamp unit matched.
    pub timestamp_unit: Option<String>,
    /// Ascents test: (statistic z, p).
    pub monotonicity: Option<(f64, f64)>,
    /// Correlation with time: (Fisher z, p, r, scope as in [`Hit`]).
    pub time_correlation: Option<(f64, f64, f64, Option<Vec<usize>>)>,
}

const SMALL_FRACTION: i128 = 64;
const Y2000: f64 = 946_684_800.0;
const Y2100: f64 = 4_102_444_800.0;
const THIRTY_DAYS: f64 = 30.0 * 86_400.0;

fn deltas(x: &[u64], wrap64: bool) -> Vec<i128> {
    x.windows(2)
        .map(|w| {
            if wrap64 {
                w[1].wrapping_sub(w[0]) as i64 as i128
            } else {
                w[1] as i128 - w[0] as i128
            }
        })
        .collect()
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Whether the values read as Unix time in `unit_per_s` units: 90% inside 2000-2100 and the
/// middle 90% spanning at most 30 days (a capture session), which random values never do.
fn looks_like_time(vals: &[f64], unit_per_s: f64) -> Option<f64> {
    let mut secs: Vec<f64> = vals.iter().map(|v| v / unit_per_s).collect();
    let inside = secs
        .iter()
        .filter(|&&s| (Y2000..=Y2100).contains(&s))
        .count();
    if inside * 10 < secs.len() * 9 {
        return None;
    }
    secs.sort_by(f64::total_cmp);
    let spread = quantile(&secs, 0.95) - quantile(&secs, 0.05);
    if spread <= THIRTY_DAYS && quantile(&secs, 0.95) > quantile(&secs, 0.05) {
        Some(quantile(&secs, 0.5))
    } else {
        None
    }
}

fn inverse_mod_2_64(a: u64) -> u64 {
    // Newton iteration doubles the correct low bits each step; a must be odd.
    let mut x = a;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
    }
    x
}

/// Find x[i+1] = a*x[i] + c (mod 2^w) with a != 1 from a few triples, verified on later values.
fn find_lcg(x: &[u64], w: u32) -> Option<(u64, u64)> {
    let mask = if w == 64 { u64::MAX } else { (1u64 << w) - 1 };
    let n = x.len();
    for i in 0..n.saturating_sub(12).min(24) {
        let d0 = x[i + 1].wrapping_sub(x[i]) & mask;
        let d1 = x[i + 2].wrapping_sub(x[i + 1]) & mask;
        if d0 & 1 == 0 {
            continue;
        }
        let a = d1.wrapping_mul(inverse_mod_2_64(d0)) & mask;
        let c = x[i + 1].wrapping_sub(a.wrapping_mul(x[i])) & mask;
        if a == 1 {
            continue;
        }
        let ok = (i + 2..i + 11)
            .filter(|&j| a.wrapping_mul(x[j]).wrapping_add(c) & mask == x[j + 1] & mask)
            .count();
        if ok >= 8 {
            return Some((a, c));
        }
    }
    None
}

/// Candidate prefix values: the leading part of `hi` at several widths (binary or decimal radix).
/// A timestamp match: (unit for the report, English place, Indonesian place, median seconds, scope).
type TimeMatch = (String, String, String, f64, Option<Vec<usize>>);

/// Candidate prefixes: (English label, Indonesian label, values, characters covered).
type Prefix = (String, String, Vec<f64>, usize);

fn prefixes(num: &Numeric, radix_pow2: bool) -> Vec<Prefix> {
    let mut out = Vec::new();
    let hi = &num.hi;
    let chars = num.hi_positions.len();
    if radix_pow2 && num.radix_bits >= 1.0 {
        // `hi` holds `chars` whole characters; a bit prefix covers the characters it touches.
        let total = (chars as f64 * num.radix_bits) as u32;
        for keep in [32u32, 36, 40, 44, 48, 52, 56, 60] {
            if keep >= total {
                break;
            }
            let covered = (keep as f64 / num.radix_bits).ceil() as usize;
            out.push((
                format!("the leading {keep} bits"),
                format!("{keep} bit terdepan"),
                hi.iter().map(|&v| (v >> (total - keep)) as f64).collect(),
                covered,
            ));
        }
    } else if !radix_pow2 {
        for drop in 1..=9usize {
            if drop >= chars {
                break;
            }
            let d = 10u64.pow(drop as u32);
            out.push((
                format!("the leading digits (all but the last {drop})"),
                format!("digit terdepan (tanpa {drop} digit terakhir)"),
                hi.iter().map(|&v| (v / d) as f64).collect(),
                chars - drop,
            ));
        }
    }
    out
}

/// Run the sequence analysis. `times_ms` holds capture times (or Date header times) per token.
pub(crate) fn analyse(
    num: &Numeric,
    times_ms: &[Option<i64>],
    radix_pow2: bool,
    skip_prefix_time: bool,
) -> SequenceOut {
    let mut out = SequenceOut::default();
    let x = &num.lo;
    let n = x.len();
    if n < 3 {
        return out;
    }
    let d = deltas(x, num.lo_is_mod_2_64);
    let m = d.len() as f64;
    // "Small" is relative to the spread of the values: for independent uniform values a delta
    // within 1/64 of the range occurs about 3% of the time, for a counter almost always.
    let range =
        x.iter().max().copied().unwrap_or(0) as i128 - x.iter().min().copied().unwrap_or(0) as i128;
    let small_limit = (range / SMALL_FRACTION).max(1);
    let small = d
        .iter()
        .filter(|&&v| v != 0 && v.abs() <= small_limit)
        .count();
    out.small_delta_fraction = small as f64 / m;
    let mut sorted = d.clone();
    sorted.sort_unstable();
    let mut best = (0i128, 0usize);
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        if sorted[i] != 0 && j - i > best.1 {
            best = (sorted[i], j - i);
        }
        i = j;
    }
    if best.1 > 1 {
        out.most_common_delta = Some((best.0, best.1 as f64 / m));
    }

    // Timestamps, whole value first, then prefixes of the leading positions.
    let lo_f: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let units = [("s", 1.0), ("ms", 1e3), ("us", 1e6), ("ns", 1e9)];
    // Findings on `lo` cover the whole token only when `lo` holds every numeric position.
    let lo_scope = (!num.full).then(|| num.lo_positions.clone());
    // (unit for the report, English place, Indonesian place, median seconds, scope)
    let mut ts: Option<TimeMatch> = None;
    if num.lo_bits >= 28.0 {
        for (u, f) in units {
            if let Some(med) = looks_like_time(&lo_f, f) {
                let (en, id) = if num.full {
                    ("the whole value", "seluruh nilai")
                } else {
                    ("the trailing part", "bagian belakang token")
                };
                ts = Some((u.to_string(), en.into(), id.into(), med, lo_scope.clone()));
                break;
            }
        }
    }
    if ts.is_none() && !skip_prefix_time && !num.full {
        'outer: for (en, id, vals, covered) in prefixes(num, radix_pow2) {
            for (u, f) in units {
                if let Some(med) = looks_like_time(&vals, f) {
                    let scope = num.hi_positions.iter().take(covered).copied().collect();
                    ts = Some((format!("{u} in {en}"), en, id, med, Some(scope)));
                    break 'outer;
                }
            }
        }
    }
    if let Some((unit, en, id, med, scope)) = &ts {
        out.timestamp_unit = Some(unit.clone());
        let u = unit.split(' ').next().unwrap_or("s");
        let near = times_ms
            .iter()
            .flatten()
            .next()
            .map(|&t| ((t as f64 / 1000.0) - med).abs() < 86_400.0)
            .unwrap_or(false);
        out.hits.push((
            "timestamp",
            format!(
                "{en} reads as Unix time in {u} (median {med:.0} s since 1970{})",
                if near { ", within a day of the capture time" } else { "" }
            ),
            format!(
                "{id} terbaca sebagai waktu Unix dalam satuan {u} (median {med:.0} detik sejak 1970{})",
                if near { ", selisih kurang dari sehari dari waktu pengambilan" } else { "" }
            ),
            scope.clone(),
        ));
    } else if n >= 20 && out.small_delta_fraction >= 0.5 && mostly_distinct(x) {
        let pct = out.small_delta_fraction * 100.0;
        out.hits.push((
            "counter",
            format!(
                "{pct:.0}% of successive tokens differ by at most {small_limit} (1/64 of the range of their values)"
            ),
            format!(
                "{pct:.0}% pasangan token berurutan berselisih paling banyak {small_limit} (1/64 dari rentang nilainya)"
            ),
            lo_scope.clone(),
        ));
    } else if n >= 20 {
        if let Some((delta, share)) = out.most_common_delta.filter(|&(_, s)| s >= 0.5) {
            let pct = share * 100.0;
            out.hits.push((
                "affine_sequence",
                format!("{pct:.0}% of successive tokens differ by the same amount ({delta})"),
                format!(
                    "{pct:.0}% pasangan token berurutan berselisih dengan nilai yang sama ({delta})"
                ),
                lo_scope.clone(),
            ));
        } else {
            let lcg = if num.lo_is_mod_2_64 {
                find_lcg(x, 64).map(|r| (r, 64))
            } else if x.iter().all(|&v| v <= u32::MAX as u64) && num.lo_bits >= 30.0 {
                find_lcg(x, 32).map(|r| (r, 32))
            } else {
                None
            };
            if let Some(((a, c), w)) = lcg {
                out.hits.push((
                    "lcg",
                    format!("tokens follow x' = {a:#x} * x + {c:#x} mod 2^{w}"),
                    format!("token mengikuti x' = {a:#x} * x + {c:#x} mod 2^{w}"),
                    lo_scope.clone(),
                ));
            }
        }
    }

    // Monotonicity: ascents among non-tied successive pairs; for i.i.d. values the count has
    // mean m/2 and variance (m + 2) / 12 (Eulerian numbers).
    if num.lo_bits >= 16.0 {
        // Compare raw values (not wrapped deltas) so the Eulerian variance applies.
        let asc = x.windows(2).filter(|w| w[1] > w[0]).count() as f64;
        let desc = x.windows(2).filter(|w| w[1] < w[0]).count() as f64;
        let mm = asc + desc;
        if mm >= 20.0 {
            let z = (asc - mm / 2.0) / ((mm + 2.0) / 12.0).sqrt();
            out.monotonicity = Some((z, normal_two_sided(z)));
        }
    }

    // Correlation with capture time (rank-free Pearson with Fisher's z), on both numeric views.
    let pairs: Vec<(usize, f64)> = times_ms
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.map(|t| (i, t as f64)))
        .collect();
    if pairs.len() >= 20 {
        let mut best: Option<(f64, f64, f64, Option<Vec<usize>>)> = None;
        let hi_scope = (!num.full).then(|| num.hi_positions.clone());
        for (view, scope) in [(&num.lo, &lo_scope), (&num.hi, &hi_scope)] {
            let xs: Vec<f64> = pairs.iter().map(|&(i, _)| view[i] as f64).collect();
            let ys: Vec<f64> = pairs.iter().map(|&(_, t)| t).collect();
            if let Some(r) = pearson(&xs, &ys) {
                let k = xs.len() as f64;
                let z = r.clamp(-0.999_999_999, 0.999_999_999).atanh() * (k - 3.0).sqrt();
                // Two views are tested: Bonferroni over them.
                let p = (2.0 * normal_two_sided(z)).min(1.0);
                if best.as_ref().is_none_or(|b| p < b.1) {
                    best = Some((z, p, r, scope.clone()));
                }
            }
        }
        out.time_correlation = best;
    }
    out
}

/// At least half the values are distinct: a counter never repeats, while a low-capacity random
/// token (a few symbols) does and would otherwise show "small" steps by construction.
fn mostly_distinct(x: &[u64]) -> bool {
    let mut v = x.to_vec();
    v.sort_unstable();
    v.dedup();
    v.len() * 2 >= x.len()
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(lo: Vec<u64>, bits: f64) -> Numeric {
        Numeric {
            hi: lo.clone(),
            lo,
            lo_bits: bits,
            full: true,
            lo_is_mod_2_64: bits >= 64.0,
            lo_positions: Vec::new(),
            hi_positions: Vec::new(),
            radix_bits: 4.0,
        }
    }

    #[test]
    fn lcg_is_recovered() {
        let mut x = 12345u64;
        let v: Vec<u64> = (0..100)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                x
            })
            .collect();
        let (a, c) = find_lcg(&v, 64).expect("found");
        assert_eq!(a, 6_364_136_223_846_793_005);
        assert_eq!(c, 1_442_695_040_888_963_407);
        let out = analyse(&num(v, 64.0), &[], true, false);
        assert_eq!(out.hits[0].0, "lcg");
    }

    #[test]
    fn inverse_is_correct() {
        for a in [1u64, 3, 0xDEAD_BEEF, u64::MAX] {
            assert_eq!(a.wrapping_mul(inverse_mod_2_64(a)), 1);
        }
    }

    #[test]
    fn millisecond_timestamps_are_recognised() {
        let v: Vec<u64> = (0..500).map(|i| 1_763_800_000_000 + i * 37).collect();
        let out = analyse(&num(v, 43.0), &[], false, false);
        assert_eq!(out.hits[0].0, "timestamp");
        assert_eq!(out.timestamp_unit.as_deref(), Some("ms"));
    }

    #[test]
    fn counter_with_gaps_is_a_counter() {
        let v: Vec<u64> = (0..500).map(|i| (1u64 << 62) + i * 3 + (i % 7)).collect();
        let out = analyse(&num(v, 64.0), &[], true, false);
        assert_eq!(out.hits[0].0, "counter");
        let (_, p) = out.monotonicity.expect("computed");
        assert!(p < 1e-50);
    }
}
