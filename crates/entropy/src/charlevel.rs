//! Character-level tests (as Burp Sequencer): per-position uniformity and transitions between
//! successive tokens. Returns raw p-values; thresholds are applied by the verdict.

use crate::stats::{chi2_independence, chi2_sf, chi2_uniform};

/// A raw test outcome: (statistic, degrees of freedom, p-value).
pub type Raw = (f64, f64, f64);

/// Minimum expected count per cell before a chi-square is trusted (Cochran's rule).
const MIN_EXPECTED: f64 = 5.0;

/// Chi-square test that the `k` symbols of one position are equally likely.
/// None when the sample is too small for the alphabet (Sequencer also disables it then).
pub fn char_count(col: &[u16], k: u32) -> Option<Raw> {
    let n = col.len();
    if k < 2 || (n as f64) / (k as f64) < MIN_EXPECTED {
        return None;
    }
    let mut counts = vec![0u64; k as usize];
    for &v in col {
        if let Some(c) = counts.get_mut(v as usize) {
            *c += 1;
        }
    }
    let (stat, df) = chi2_uniform(&counts);
    Some((stat, df, chi2_sf(stat, df)))
}

/// Independence of the symbol in token i+1 from the symbol in token i at the same position.
/// Large alphabets are folded into `m` classes so every cell keeps enough expected count; the
/// test is a contingency-table independence test, so bias (tested separately) does not leak in.
pub fn transition(col: &[u16], k: u32) -> Option<Raw> {
    let n = col.len();
    if n < 3 || k < 2 {
        return None;
    }
    let pairs = (n - 1) as f64;
    let m = (k as usize).min((pairs / MIN_EXPECTED).sqrt().floor() as usize);
    if m < 2 {
        return None;
    }
    let class = |v: u16| -> usize { ((v as usize * m) / k as usize).min(m - 1) };
    let mut table = vec![0u64; m * m];
    for w in col.windows(2) {
        table[class(w[0]) * m + class(w[1])] += 1;
    }
    let (stat, df) = chi2_independence(&table, m, m);
    if df == 0.0 {
        return None;
    }
    Some((stat, df, chi2_sf(stat, df)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_cycle_passes_count_but_fails_transition() {
        // A counter's last digit is perfectly uniform but perfectly predictable from the previous.
        let col: Vec<u16> = (0..5000u32).map(|i| (i % 16) as u16).collect();
        let (_, _, p) = char_count(&col, 16).expect("large enough");
        assert!(p > 0.99);
        let (_, _, p) = transition(&col, 16).expect("large enough");
        assert!(p < 1e-100);
    }

    #[test]
    fn biased_position_fails_count() {
        let col: Vec<u16> = (0..5000u32)
            .map(|i| if i % 3 == 0 { 0 } else { (i % 16) as u16 })
            .collect();
        let (_, _, p) = char_count(&col, 16).expect("large enough");
        assert!(p < 1e-20);
    }

    #[test]
    fn too_small_samples_are_skipped() {
        let col: Vec<u16> = (0..100u32).map(|i| (i % 64) as u16).collect();
        assert!(char_count(&col, 64).is_none());
        assert!(transition(&col[..8], 64).is_none());
    }
}
