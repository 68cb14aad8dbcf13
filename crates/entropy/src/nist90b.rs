//! NIST SP 800-90B (2018) min-entropy estimators, applied per token position: most common value
//! (6.3.1), collision (6.3.2), Markov (6.3.3), compression (6.3.4), t-tuple (6.3.5) and longest
//! repeated substring (6.3.6). The binary-only estimators run on the position's bitstring and are
//! scaled by the bits per symbol, as 800-90B does for non-binary data.

/// Upper 99% confidence bound multiplier used throughout 800-90B.
const Z: f64 = 2.576;

/// 6.3.1 Most common value: min-entropy per symbol.
pub fn mcv(col: &[u16], k: u32) -> f64 {
    let n = col.len();
    if n < 2 {
        return 0.0;
    }
    let mut counts = vec![0u64; k.max(1) as usize];
    for &v in col {
        if let Some(c) = counts.get_mut(v as usize) {
            *c += 1;
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0) as f64;
    let p = max / n as f64;
    let pu = (p + Z * (p * (1.0 - p) / (n as f64 - 1.0)).sqrt()).min(1.0);
    -pu.log2()
}

/// Tuple statistics from one sort of packed keys: for each tuple length t (1-based index t-1),
/// the count of the most common t-tuple and the number of equal pairs of t-tuples.
struct TupleStats {
    max_count: Vec<u64>,
    pairs: Vec<f64>,
    /// Starting positions considered.
    starts: usize,
    /// Whether the longest repeat reached the packing limit (estimates are then capped).
    truncated: bool,
}

fn tuple_stats(col: &[u16], bits_per_symbol: u32) -> Option<TupleStats> {
    let bps = bits_per_symbol.clamp(1, 16) as usize;
    let tmax = 64 / bps;
    let n = col.len();
    if n < tmax + 2 {
        return None;
    }
    let starts = n - tmax + 1;
    // Pack tmax symbols per start, first symbol in the top bits, so sorted order is lexicographic
    // and tuples sharing a prefix are adjacent.
    let mut keys: Vec<u64> = Vec::with_capacity(starts);
    for s in 0..starts {
        let mut k = 0u64;
        for &v in &col[s..s + tmax] {
            k = (k << bps) | (v as u64 & ((1u64 << bps) - 1));
        }
        keys.push(k << (64 - tmax * bps));
    }
    keys.sort_unstable();
    let lcp: Vec<usize> = keys
        .windows(2)
        .map(|w| {
            let x = w[0] ^ w[1];
            if x == 0 {
                tmax
            } else {
                (x.leading_zeros() as usize / bps).min(tmax)
            }
        })
        .collect();
    let truncated = lcp.contains(&tmax);
    let mut max_count = Vec::with_capacity(tmax);
    let mut pairs = Vec::with_capacity(tmax);
    for t in 1..=tmax {
        let (mut best, mut run, mut pr) = (1u64, 1u64, 0f64);
        for &l in &lcp {
            if l >= t {
                run += 1;
            } else {
                best = best.max(run);
                pr += (run * (run - 1) / 2) as f64;
                run = 1;
            }
        }
        best = best.max(run);
        pr += (run * (run - 1) / 2) as f64;
        max_count.push(best);
        pairs.push(pr);
        if best < 2 {
            break;
        }
    }
    Some(TupleStats {
        max_count,
        pairs,
        starts,
        truncated,
    })
}

/// 6.3.5 t-tuple and 6.3.6 LRS estimates per symbol, and whether the repeat search was truncated.
pub fn tuple_and_lrs(col: &[u16], bits_per_symbol: u32) -> (Option<f64>, Option<f64>, bool) {
    let Some(ts) = tuple_stats(col, bits_per_symbol) else {
        return (None, None, false);
    };
    let l = ts.starts as f64;
    // t-tuple: tuple lengths whose most common tuple occurs at least 35 times.
    let mut pmax: f64 = 0.0;
    let mut t = 0usize;
    for (i, &q) in ts.max_count.iter().enumerate() {
        if q < 35 {
            break;
        }
        t = i + 1;
        let p = q as f64 / (l - i as f64);
        pmax = pmax.max(p.powf(1.0 / (i + 1) as f64));
    }
    let tuple = if t >= 1 {
        let pu = (pmax + Z * (pmax * (1.0 - pmax) / (l - 1.0)).sqrt()).min(1.0);
        Some(-pu.log2())
    } else {
        None
    };
    // LRS: from u = t + 1 up to the longest repeated length v.
    let u = t + 1;
    let v = ts.max_count.iter().rposition(|&q| q >= 2).map(|i| i + 1);
    let lrs = match v {
        Some(v) if v >= u => {
            let mut pm: f64 = 0.0;
            for i in u..=v {
                let total = (l - i as f64 + 1.0) * (l - i as f64) / 2.0;
                let p = ts.pairs[i - 1] / total;
                pm = pm.max(p.powf(1.0 / i as f64));
            }
            let pu = (pm + Z * (pm * (1.0 - pm) / (l - 1.0)).sqrt()).min(1.0);
            Some(-pu.log2())
        }
        _ => None,
    };
    (tuple, lrs, ts.truncated)
}

/// The position's bitstring: each symbol's `bits` bits, most significant first.
pub fn bitstring(col: &[u16], bits: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(col.len() * bits as usize);
    for &v in col {
        for b in (0..bits).rev() {
            out.push(((v >> b) & 1) as u8);
        }
    }
    out
}

/// 6.3.2 Collision estimate on a bitstring (per bit). For binary data the expected collision
/// time is exactly 2 + 2p(1-p), so the bound solves that quadratic instead of a bisection.
pub fn collision(bits: &[u8]) -> Option<f64> {
    let n = bits.len();
    let mut times = Vec::with_capacity(n / 2);
    let mut i = 0;
    while i + 2 < n {
        if bits[i] == bits[i + 1] {
            times.push(2.0);
            i += 2;
        } else {
            times.push(3.0);
            i += 3;
        }
    }
    let v = times.len();
    if v < 100 {
        return None;
    }
    let mean = times.iter().sum::<f64>() / v as f64;
    let var = times.iter().map(|t| (t - mean) * (t - mean)).sum::<f64>() / (v as f64 - 1.0);
    let lower = mean - Z * var.sqrt() / (v as f64).sqrt();
    let p = if lower >= 2.5 {
        0.5
    } else if lower <= 2.0 {
        1.0
    } else {
        let pq = (lower - 2.0) / 2.0;
        0.5 * (1.0 + (1.0 - 4.0 * pq).max(0.0).sqrt())
    };
    Some(-p.log2())
}

/// 6.3.3 Markov estimate on a bitstring (per bit): most likely 128-bit path.
pub fn markov(bits: &[u8]) -> Option<f64> {
    let n = bits.len();
    if n < 256 {
        return None;
    }
    let ones = bits.iter().filter(|&&b| b == 1).count() as f64;
    let p1 = ones / n as f64;
    let p0 = 1.0 - p1;
    let mut t = [[0f64; 2]; 2];
    for w in bits.windows(2) {
        t[w[0] as usize][w[1] as usize] += 1.0;
    }
    let row = |a: usize, b: usize| -> f64 {
        let s = t[a][0] + t[a][1];
        if s == 0.0 { 0.0 } else { t[a][b] / s }
    };
    let (p00, p01, p10, p11) = (row(0, 0), row(0, 1), row(1, 0), row(1, 1));
    let cands = [
        p0 * p00.powi(127),
        p0 * p01.powi(64) * p10.powi(63),
        p0 * p01 * p11.powi(126),
        p1 * p10 * p00.powi(126),
        p1 * p10.powi(64) * p01.powi(63),
        p1 * p11.powi(127),
    ];
    let pmax = cands.iter().copied().fold(0.0, f64::max);
    if pmax <= 0.0 {
        return Some(1.0);
    }
    Some((-pmax.log2() / 128.0).min(1.0))
}

/// 6.3.4 Compression estimate on a bitstring (per bit): Maurer-universal statistic on 6-bit
/// blocks with a 1,000-block dictionary. G(z) is evaluated in O(L) by summing over the distance u
/// once (the double sum over t and u of the standard collapses because the inner term depends on t
/// only through whether u < t).
pub fn compression(bits: &[u8]) -> Option<f64> {
    const B: usize = 6;
    const D: usize = 1000;
    let blocks = bits.len() / B;
    if blocks < D + 100 {
        return None;
    }
    let s: Vec<usize> = bits
        .chunks_exact(B)
        .map(|c| c.iter().fold(0usize, |a, &b| (a << 1) | b as usize))
        .collect();
    let mut dict = [0usize; 64];
    for (i, &x) in s.iter().enumerate().take(D) {
        dict[x] = i + 1;
    }
    let v = blocks - D;
    let mut sum = 0.0;
    let mut sumsq = 0.0;
    for (i, &x) in s.iter().enumerate().skip(D) {
        let idx = i + 1;
        let dist = if dict[x] != 0 { idx - dict[x] } else { idx };
        dict[x] = idx;
        let l = (dist as f64).log2();
        sum += l;
        sumsq += l * l;
    }
    let vf = v as f64;
    let mean = sum / vf;
    let sigma = 0.5907 * ((sumsq / (vf - 1.0)) - mean * mean).max(0.0).sqrt();
    let lower = mean - Z * sigma / vf.sqrt();
    let lg: Vec<f64> = (0..=blocks).map(|u| (u.max(1) as f64).log2()).collect();
    let g = |z: f64| -> f64 {
        let mut acc = 0.0;
        let mut w = 1.0; // (1 - z)^(u - 1)
        for (u, &lu) in lg.iter().enumerate().take(blocks + 1).skip(1) {
            if u < blocks {
                let count = (blocks - u.max(D)) as f64;
                acc += lu * z * z * w * count;
            }
            if u > D {
                acc += lu * z * w;
            }
            w *= 1.0 - z;
            if w < 1e-300 {
                break;
            }
        }
        acc / vf
    };
    let expected = |p: f64| -> f64 {
        let q = (1.0 - p) / 63.0;
        g(p) + 63.0 * g(q)
    };
    let (mut lo, mut hi) = (1.0 / 64.0, 1.0);
    if lower >= expected(lo) {
        return Some(1.0);
    }
    // The expectation decreases in p; bisect for the p that matches the lower bound.
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if expected(mid) > lower {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let p = 0.5 * (lo + hi);
    Some((-p.log2() / B as f64).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splitmix(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed;
        move || {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    #[test]
    fn mcv_matches_hand_computation() {
        // 20,000 samples, max count 1,300 of 16: p = 0.065, bound = 0.065 + 2.576*sqrt(p(1-p)/19999).
        let mut col = vec![0u16; 1300];
        col.extend((0..18_700).map(|i| 1 + (i % 15) as u16));
        let p: f64 = 0.065;
        let pu = p + 2.576 * (p * (1.0 - p) / 19_999.0).sqrt();
        assert!((mcv(&col, 16) - (-pu.log2())).abs() < 1e-12);
    }

    #[test]
    fn random_hex_estimates_are_near_but_below_four_bits() {
        let mut r = splitmix(11);
        let col: Vec<u16> = (0..20_000).map(|_| (r() & 15) as u16).collect();
        let m = mcv(&col, 16);
        assert!(m > 3.7 && m < 4.0, "mcv {m}");
        let (t, l, trunc) = tuple_and_lrs(&col, 4);
        assert!(!trunc);
        let t = t.expect("t-tuple computable");
        assert!(t > 3.3 && t < 4.0, "t-tuple {t}");
        let l = l.expect("lrs computable");
        assert!(l > 3.0 && l <= 4.1, "lrs {l}");
        let bs = bitstring(&col, 4);
        for (name, h) in [
            ("collision", collision(&bs)),
            ("markov", markov(&bs)),
            ("compression", compression(&bs)),
        ] {
            let h = h.expect("computable");
            assert!(h > 0.7 && h <= 1.0, "{name} {h}");
        }
    }

    #[test]
    fn constant_and_periodic_data_score_low() {
        let col: Vec<u16> = (0..5000).map(|i| (i % 4) as u16).collect();
        let (t, _, trunc) = tuple_and_lrs(&col, 2);
        assert!(trunc);
        assert!(t.unwrap_or(1.0) < 0.2, "t-tuple {t:?}");
        let bs = bitstring(&vec![0u16; 4000], 4);
        assert!(markov(&bs).unwrap_or(1.0) < 0.01);
        assert!(collision(&bs).unwrap_or(1.0) < 0.01);
        assert!(compression(&bs).unwrap_or(1.0) < 0.1);
    }
}
