//! Bit-level tests per bit position (as Burp Sequencer): FIPS 140-2 monobit, poker, runs and long
//! runs rescaled to the sample size, a total-runs test, correlation between bit positions and an
//! LZ78 compression ratio. Returns raw p-values; thresholds are applied by the verdict.

use crate::stats::{chi2_sf, normal_two_sided};

/// A packed bit sequence.
#[derive(Debug, Clone, Default)]
pub struct Bits {
    /// Bits, least significant bit of word 0 first.
    pub words: Vec<u64>,
    /// Number of bits.
    pub len: usize,
}

impl Bits {
    /// Empty sequence with room for `n` bits.
    pub fn with_capacity(n: usize) -> Self {
        Bits {
            words: Vec::with_capacity(n.div_ceil(64)),
            len: 0,
        }
    }
    /// Append one bit.
    pub fn push(&mut self, b: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        if let (true, Some(w)) = (b, self.words.last_mut()) {
            *w |= 1 << (self.len % 64);
        }
        self.len += 1;
    }
    /// Bit at index `i`.
    pub fn get(&self, i: usize) -> bool {
        (self.words[i / 64] >> (i % 64)) & 1 == 1
    }
    /// Number of ones.
    pub fn ones(&self) -> u64 {
        self.words.iter().map(|w| w.count_ones() as u64).sum()
    }
}

/// One bit column: the sequence used by the per-bit tests, and an aligned copy for correlation.
#[derive(Debug, Clone)]
pub struct Column {
    /// Index of the owning position.
    pub position: usize,
    /// Bit index within the symbol (0 = most significant).
    pub bit: u32,
    /// The accepted samples' bits, in order.
    pub seq: Bits,
    /// Aligned bits over all samples (rejected samples are 0 here).
    pub aligned: Bits,
    /// Which samples are accepted (None = all). Non-power-of-two alphabets keep only values
    /// below the largest power of two, so the kept bits are exactly uniform under the null.
    pub valid: Option<Bits>,
}

/// Build the bit columns of one position with `bits` bits per symbol.
pub fn columns_for(position: usize, col: &[u16], k: u32, bits: u32) -> Vec<Column> {
    let pow2 = k.is_power_of_two();
    let limit = 1u32 << bits;
    let n = col.len();
    let mut valid = if pow2 {
        None
    } else {
        Some(Bits::with_capacity(n))
    };
    if let Some(v) = valid.as_mut() {
        for &s in col {
            v.push((s as u32) < limit);
        }
    }
    (0..bits)
        .map(|b| {
            let shift = bits - 1 - b;
            let mut seq = Bits::with_capacity(n);
            let mut aligned = Bits::with_capacity(n);
            for &s in col {
                let accepted = pow2 || (s as u32) < limit;
                let bit = accepted && (s >> shift) & 1 == 1;
                aligned.push(bit);
                if accepted {
                    seq.push(bit);
                }
            }
            Column {
                position,
                bit: b,
                seq,
                aligned,
                valid: valid.clone(),
            }
        })
        .collect()
}

/// A raw test outcome: (name, statistic, degrees of freedom, p-value).
pub type Raw = (&'static str, f64, Option<f64>, f64);

/// Run all per-bit tests on one sequence. Tests needing more data than available are skipped.
pub fn bit_tests(b: &Bits) -> Vec<Raw> {
    let n = b.len;
    let mut out = Vec::with_capacity(5);
    if n < 20 {
        return out;
    }
    let ones = b.ones() as f64;
    let nf = n as f64;
    // Monobit: balance of ones and zeros (FIPS 140-2 bounds rescaled: normal approximation).
    let z = (ones - nf / 2.0) / (nf / 4.0).sqrt();
    out.push(("monobit", z, None, normal_two_sided(z)));

    // Poker: non-overlapping 4-bit groups, chi-square over 16 values (df 15).
    let groups = n / 4;
    if groups as f64 / 16.0 >= 5.0 {
        let mut f = [0u64; 16];
        for g in 0..groups {
            let mut v = 0usize;
            for j in 0..4 {
                v = (v << 1) | b.get(g * 4 + j) as usize;
            }
            f[v] += 1;
        }
        let k = groups as f64;
        let x = 16.0 / k * f.iter().map(|&c| (c as f64) * (c as f64)).sum::<f64>() - k;
        out.push(("poker", x, Some(15.0), chi2_sf(x, 15.0)));
    }

    // Runs: lengths of runs (either bit) and the longest run, in one pass.
    let mut lengths = [0u64; 6];
    let mut total_runs = 0u64;
    let mut longest = 0usize;
    let mut cur = 1usize;
    for i in 1..=n {
        if i < n && b.get(i) == b.get(i - 1) {
            cur += 1;
        } else {
            total_runs += 1;
            lengths[cur.min(6) - 1] += 1;
            longest = longest.max(cur);
            cur = 1;
        }
    }
    // Total number of runs given the observed ones fraction (SP 800-22 runs test).
    let pi = ones / nf;
    let denom = 2.0 * (2.0 * nf).sqrt() * pi * (1.0 - pi);
    if denom > 0.0 {
        let v = total_runs as f64;
        let z = (v - 2.0 * nf * pi * (1.0 - pi)) / denom * std::f64::consts::SQRT_2;
        out.push(("runs", v, None, normal_two_sided(z)));
    }
    // Run-length distribution (FIPS 140-2 runs, rescaled): for fair independent bits the run
    // lengths are geometric(1/2): P(1)=1/2, ..., P(5)=1/32, P(6+)=1/32.
    let r = total_runs as f64;
    if r / 32.0 >= 5.0 {
        let probs = [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.03125];
        let x: f64 = lengths
            .iter()
            .zip(probs)
            .map(|(&o, p)| {
                let e = r * p;
                (o as f64 - e).powi(2) / e
            })
            .sum();
        out.push(("run_lengths", x, Some(5.0), chi2_sf(x, 5.0)));
    }
    // Longest run, two-sided (Sequencer also flags a run that is too short). The number of runs
    // of length >= L is close to Poisson with mean about n / 2^L.
    let lambda = |len: usize| -> f64 {
        if len > n {
            return 0.0;
        }
        let l = len as f64;
        2f64.powf(-(l - 1.0)) + (nf - l) * 2f64.powf(-l)
    };
    let upper = -(-lambda(longest)).exp_m1();
    let lower = (-lambda(longest + 1)).exp();
    let p = (2.0 * upper.min(lower)).min(1.0);
    out.push(("long_run", longest as f64, None, p));
    out
}

/// LZ78 compression ratio of a bit sequence: coded size over raw size (about 1 or more for random
/// data, well below 1 for structured data). Informational, as Sequencer's compression test.
pub fn compression_ratio(b: &Bits) -> f64 {
    let n = b.len;
    if n < 64 {
        return 1.0;
    }
    // Binary trie of phrases; each phrase costs log2(phrases) + 1 bits.
    let mut trie: Vec<[u32; 2]> = Vec::with_capacity(n / 8 + 16);
    trie.push([0, 0]);
    let mut node = 0usize;
    let mut phrases = 0u64;
    for i in 0..n {
        let bit = b.get(i) as usize;
        let next = trie[node][bit];
        if next == 0 {
            trie.push([0, 0]);
            let id = (trie.len() - 1) as u32;
            trie[node][bit] = id;
            phrases += 1;
            node = 0;
        } else {
            node = next as usize;
        }
    }
    if node != 0 {
        phrases += 1;
    }
    let c = phrases.max(1) as f64;
    c * (c.log2() + 1.0) / n as f64
}

/// Phi correlation between two aligned columns over the samples valid in both:
/// (phi, p-value, mutual information in bits, samples).
pub fn correlation(a: &Column, b: &Column) -> (f64, f64, f64, usize) {
    let words = a.aligned.words.len().min(b.aligned.words.len());
    let (mut n, mut na, mut nb, mut nab) = (0u64, 0u64, 0u64, 0u64);
    match (&a.valid, &b.valid) {
        (None, None) => {
            n = a.aligned.len.min(b.aligned.len) as u64;
            for w in 0..words {
                let (x, y) = (a.aligned.words[w], b.aligned.words[w]);
                na += x.count_ones() as u64;
                nb += y.count_ones() as u64;
                nab += (x & y).count_ones() as u64;
            }
        }
        (va, vb) => {
            for w in 0..words {
                let m = va.as_ref().map_or(u64::MAX, |v| v.words[w])
                    & vb.as_ref().map_or(u64::MAX, |v| v.words[w]);
                let m = if w == words - 1 && !a.aligned.len.is_multiple_of(64) {
                    m & ((1u64 << (a.aligned.len % 64)) - 1)
                } else {
                    m
                };
                let (x, y) = (a.aligned.words[w] & m, b.aligned.words[w] & m);
                n += m.count_ones() as u64;
                na += x.count_ones() as u64;
                nb += y.count_ones() as u64;
                nab += (x & y).count_ones() as u64;
            }
        }
    }
    let nf = n as f64;
    let (fa, fb, fab) = (na as f64, nb as f64, nab as f64);
    let den = (fa * (nf - fa) * fb * (nf - fb)).sqrt();
    if n < 20 || den == 0.0 {
        return (0.0, 1.0, 0.0, n as usize);
    }
    let phi = (nf * fab - fa * fb) / den;
    let p = normal_two_sided(phi * nf.sqrt());
    // Mutual information from the 2x2 table.
    let cells = [
        (fab, fa, fb),
        (fa - fab, fa, nf - fb),
        (fb - fab, nf - fa, fb),
        (nf - fa - fb + fab, nf - fa, nf - fb),
    ];
    let mi: f64 = cells
        .iter()
        .filter(|(c, _, _)| *c > 0.0)
        .map(|&(c, ra, rb)| c / nf * (c * nf / (ra * rb)).log2())
        .sum();
    (phi, p, mi.max(0.0), n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_fn(n: usize, mut f: impl FnMut(usize) -> bool) -> Bits {
        let mut b = Bits::with_capacity(n);
        for i in 0..n {
            b.push(f(i));
        }
        b
    }

    // A fixed, decent bit source for unit tests (splitmix64).
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
    fn random_bits_pass_every_test() {
        let mut r = splitmix(7);
        let words: Vec<u64> = (0..313).map(|_| r()).collect();
        let b = Bits { words, len: 20_000 };
        let t = bit_tests(&b);
        assert_eq!(t.len(), 5);
        for (name, _, _, p) in t {
            assert!(p > 1e-4, "{name} p={p}");
        }
        let c = compression_ratio(&b);
        assert!(c > 0.9, "ratio {c}");
    }

    #[test]
    fn alternating_bits_fail_runs_and_compress() {
        let b = from_fn(20_000, |i| i % 2 == 0);
        let t = bit_tests(&b);
        let monobit = t.iter().find(|x| x.0 == "monobit").map(|x| x.3);
        assert_eq!(monobit, Some(1.0));
        for name in ["runs", "run_lengths", "long_run", "poker"] {
            let p = t.iter().find(|x| x.0 == name).map(|x| x.3).unwrap_or(1.0);
            assert!(p < 1e-10, "{name} p={p}");
        }
        assert!(compression_ratio(&b) < 0.3, "{}", compression_ratio(&b));
    }

    #[test]
    fn biased_bits_fail_monobit() {
        let mut r = splitmix(3);
        let b = from_fn(20_000, |_| r() % 100 < 55);
        let p = bit_tests(&b)[0].3;
        assert!(p < 1e-20, "p={p}");
    }

    #[test]
    fn duplicated_bit_is_correlated_with_one_bit_of_information() {
        let mut r = splitmix(9);
        let col: Vec<u16> = (0..10_000)
            .map(|_| {
                let x = (r() & 1) as u16;
                (x << 1) | x
            })
            .collect();
        let cols = columns_for(0, &col, 4, 2);
        let (phi, p, mi, n) = correlation(&cols[0], &cols[1]);
        assert_eq!(n, 10_000);
        assert!((phi - 1.0).abs() < 1e-9);
        assert!(p < 1e-100);
        assert!((mi - 1.0).abs() < 0.01);
    }

    #[test]
    fn non_power_of_two_columns_keep_only_uniform_values() {
        // Decimal digits: keep 0..8 for 3 bits; 8 and 9 are rejected.
        let col: Vec<u16> = (0..1000).map(|i| (i % 10) as u16).collect();
        let cols = columns_for(0, &col, 10, 3);
        assert_eq!(cols.len(), 3);
        assert_eq!(cols[0].seq.len, 800);
        assert_eq!(cols[0].seq.ones(), 400);
    }
}
