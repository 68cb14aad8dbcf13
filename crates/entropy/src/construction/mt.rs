//! MT19937 (Mersenne Twister) state recovery. 624 consecutive outputs, untempered, are the whole
//! generator state; from it every later output follows. Applications assemble tokens from 32-bit
//! outputs in different orders and some lose a bit of each output, so each known assembly is
//! tried:
//!
//! - Ruby `rand(2**128)`, PHP 7.1+ `mt_rand(0, 0xFFFFFFFF)`, Python `getrandbits(32)` per word:
//!   words in generation order, big-endian;
//! - Python `random.randbytes`, Ruby `Random#bytes`, PHP 8.2 `Random\Engine\Mt19937`: words in
//!   order, each little-endian;
//! - Python `random.getrandbits(k)` printed as hex: least significant (first) word last;
//! - PHP `mt_rand()` (output >> 1) and PHP 7.1+ `mt_rand(0, mt_getrandmax())` (output & 0x7FFFFFFF),
//!   31 bits per word, and PHP 5 / `MT_RAND_PHP`, whose twist takes the low bit from the wrong word.
//!
//! A lost bit is recovered from the twist recurrence x[i+624] = twist(x[i], x[i+1], x[i+397]):
//! each equation involves four words and, over the 16 choices of their missing bits, holds for
//! one choice only, which fixes the bit of x[i+1].

use super::codec::Codec;
use crate::ConstructionHit;
use crate::Verification;
use std::collections::BTreeMap;

const N: usize = 624;
const M: usize = 397;
const MATRIX: u32 = 0x9908_b0df;
/// Equations checked before a variant is followed further (each holds by chance with p ~ 2^-28).
const PRECHECK: usize = 16;

/// MT19937 output tempering.
pub(crate) fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
}

/// Inverse of [`temper`].
pub(crate) fn untemper(y: u32) -> u32 {
    let mut y = y ^ (y >> 18);
    y ^= (y << 15) & 0xefc6_0000;
    let mut r = y;
    for _ in 0..5 {
        r = y ^ ((r << 7) & 0x9d2c_5680);
    }
    let mut s = r;
    for _ in 0..3 {
        s = r ^ (s >> 11);
    }
    s
}

/// The state-update rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Twist {
    /// Matsumoto and Nishimura's reference (Python, Ruby, PHP 7.1+).
    Standard,
    /// PHP before 7.1 and `MT_RAND_PHP`: the matrix is applied on the low bit of x[i], not x[i+1].
    PhpLegacy,
}

/// The next state word from x[i], x[i+1] and x[i+397].
fn twist(a: u32, b: u32, m: u32, tw: Twist) -> u32 {
    let y = (a & 0x8000_0000) | (b & 0x7fff_ffff);
    let low = match tw {
        Twist::Standard => b & 1,
        Twist::PhpLegacy => a & 1,
    };
    m ^ (y >> 1) ^ if low == 1 { MATRIX } else { 0 }
}

/// What one observed 32-bit word keeps of a tempered output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// All 32 bits.
    Full,
    /// PHP `mt_rand()`: the output shifted right by one.
    Shr1,
    /// PHP 7.1+ `mt_rand(0, mt_getrandmax())`: the low 31 bits.
    Low31,
}

impl Output {
    fn apply(self, t: u32) -> u32 {
        match self {
            Output::Full => t,
            Output::Shr1 => t >> 1,
            Output::Low31 => t & 0x7fff_ffff,
        }
    }

    /// The tempered outputs an observed word can come from.
    fn candidates(self, o: u32) -> [u32; 2] {
        match self {
            Output::Full => [o, o],
            Output::Shr1 => [o << 1, (o << 1) | 1],
            Output::Low31 => [o, o | 0x8000_0000],
        }
    }

    fn fits(self, o: u32) -> bool {
        self == Output::Full || o >> 31 == 0
    }
}

/// How the words of one token are laid out in its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Generation order, each word big-endian.
    InOrderBe,
    /// Generation order, each word little-endian.
    InOrderLe,
    /// Within each group of this many words the first generated is last (big-endian words).
    Reversed(usize),
}

/// One known way of building tokens from the generator.
struct Variant {
    layout: Layout,
    output: Output,
    twist: Twist,
    en: &'static str,
    id: &'static str,
}

fn variants(words_per_token: usize) -> Vec<Variant> {
    let v = |layout, output, twist, en, id| Variant {
        layout,
        output,
        twist,
        en,
        id,
    };
    let mut out = vec![
        v(
            Layout::InOrderBe,
            Output::Full,
            Twist::Standard,
            "32-bit outputs in generation order, big-endian (Ruby rand(2**n), PHP mt_rand(0, 0xFFFFFFFF), Python getrandbits(32) per word)",
            "keluaran 32 bit berurutan sesuai pembangkitan, big-endian (Ruby rand(2**n), PHP mt_rand(0, 0xFFFFFFFF), Python getrandbits(32) per kata)",
        ),
        v(
            Layout::InOrderLe,
            Output::Full,
            Twist::Standard,
            "32-bit outputs in generation order, little-endian (Python random.randbytes, Ruby Random#bytes, PHP Random\\Engine\\Mt19937)",
            "keluaran 32 bit berurutan sesuai pembangkitan, little-endian (Python random.randbytes, Ruby Random#bytes, PHP Random\\Engine\\Mt19937)",
        ),
        v(
            Layout::Reversed(words_per_token),
            Output::Full,
            Twist::Standard,
            "Python random.getrandbits(k) as one number: the first 32-bit output is the least significant word",
            "Python random.getrandbits(k) sebagai satu bilangan: keluaran 32 bit pertama menjadi kata paling tidak signifikan",
        ),
        v(
            Layout::InOrderBe,
            Output::Shr1,
            Twist::Standard,
            "PHP 7.1+ mt_rand(): 31-bit outputs (tempered output >> 1) in order",
            "PHP 7.1+ mt_rand(): keluaran 31 bit (keluaran ter-temper digeser kanan 1) berurutan",
        ),
        v(
            Layout::InOrderBe,
            Output::Low31,
            Twist::Standard,
            "PHP 7.1+ mt_rand(0, mt_getrandmax()): the low 31 bits of each output, in order",
            "PHP 7.1+ mt_rand(0, mt_getrandmax()): 31 bit terendah setiap keluaran, berurutan",
        ),
        v(
            Layout::InOrderBe,
            Output::Shr1,
            Twist::PhpLegacy,
            "PHP 5 / MT_RAND_PHP mt_rand(): 31-bit outputs of PHP's legacy twist",
            "PHP 5 / MT_RAND_PHP mt_rand(): keluaran 31 bit dari twist lama PHP",
        ),
    ];
    if words_per_token > 2 && words_per_token.is_multiple_of(2) {
        out.push(v(
            Layout::Reversed(2),
            Output::Full,
            Twist::Standard,
            "Python random.getrandbits(64) per 64 bits: the first 32-bit output is the low word",
            "Python random.getrandbits(64) per 64 bit: keluaran 32 bit pertama menjadi kata rendah",
        ));
    }
    out
}

/// The observed words in generation order.
fn stream(bytes: &[Vec<u8>], layout: Layout) -> Vec<u32> {
    let mut out = Vec::with_capacity(bytes.iter().map(|b| b.len() / 4).sum());
    for b in bytes {
        let be: Vec<u32> = b
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        match layout {
            Layout::InOrderBe => out.extend(be),
            Layout::InOrderLe => out.extend(be.iter().map(|w| w.swap_bytes())),
            Layout::Reversed(g) => {
                for chunk in be.chunks(g) {
                    out.extend(chunk.iter().rev());
                }
            }
        }
    }
    out
}

/// Token bytes from words in generation order (the inverse of [`stream`] for one token).
fn assemble(words: &[u32], layout: Layout) -> Vec<u8> {
    match layout {
        Layout::InOrderBe => words.iter().flat_map(|w| w.to_be_bytes()).collect(),
        Layout::InOrderLe => words.iter().flat_map(|w| w.to_le_bytes()).collect(),
        Layout::Reversed(g) => words
            .chunks(g)
            .flat_map(|c| c.iter().rev().flat_map(|w| w.to_be_bytes()))
            .collect(),
    }
}

/// A generator continuing from a known window of 624 untempered state words.
struct Gen {
    s: [u32; N],
    p: usize,
    twist: Twist,
}

impl Gen {
    fn new(window: &[u32], twist: Twist) -> Gen {
        let mut s = [0u32; N];
        s.copy_from_slice(window);
        Gen { s, p: 0, twist }
    }

    /// The next tempered output.
    fn next(&mut self) -> u32 {
        let p = self.p;
        let v = twist(
            self.s[p],
            self.s[(p + 1) % N],
            self.s[(p + M) % N],
            self.twist,
        );
        self.s[p] = v;
        self.p = (p + 1) % N;
        temper(v)
    }
}

/// A generator recovered from a stream and how well it predicted the rest.
struct Recovered {
    generator: Gen,
    /// First word of the 624-word window.
    window: usize,
    /// First word not used to recover the state.
    fresh: usize,
    /// Fresh words predicted exactly, consecutively.
    verified: usize,
}

/// Missing-bit choices per word: bit 0 = candidate 0 possible, bit 1 = candidate 1 possible.
struct Words {
    untempered: Vec<[u32; 2]>,
    domain: Vec<u8>,
}

impl Words {
    fn new(obs: &[u32], output: Output) -> Words {
        let untempered = obs
            .iter()
            .map(|&o| output.candidates(o).map(untemper))
            .collect();
        let full = if output == Output::Full { 0b01 } else { 0b11 };
        Words {
            untempered,
            domain: vec![full; obs.len()],
        }
    }

    /// Narrows the four words of equation `i`; false when no choice satisfies it.
    fn narrow(&mut self, i: usize, tw: Twist) -> bool {
        let idx = [i, i + 1, i + M, i + N];
        let mut seen = [0u8; 4];
        for combo in 0..16u8 {
            let pick = |k: usize| (combo >> k) & 1;
            if (0..4).any(|k| self.domain[idx[k]] & (1 << pick(k)) == 0) {
                continue;
            }
            let x = |k: usize| self.untempered[idx[k]][pick(k) as usize];
            if twist(x(0), x(1), x(2), tw) == x(3) {
                for (k, s) in seen.iter_mut().enumerate() {
                    *s |= 1 << pick(k);
                }
            }
        }
        for (k, &s) in seen.iter().enumerate() {
            self.domain[idx[k]] &= s;
        }
        seen[0] != 0
    }

    fn known(&self, w: usize) -> Option<u32> {
        match self.domain[w] {
            0b01 => Some(self.untempered[w][0]),
            0b10 => Some(self.untempered[w][1]),
            _ => None,
        }
    }
}

fn recover(obs: &[u32], output: Output, tw: Twist) -> Option<Recovered> {
    if obs.len() < N + PRECHECK || !obs.iter().all(|&o| output.fits(o)) {
        return None;
    }
    // Only the first 2 x 624 words (and a few) take part in the equations.
    let mut w = Words::new(&obs[..obs.len().min(2 * N + PRECHECK)], output);
    // Equations used: enough to fix 624 consecutive words when bits are missing.
    let eqs = if output == Output::Full {
        PRECHECK
    } else {
        (obs.len() - N).min(N + PRECHECK)
    };
    for i in 0..PRECHECK {
        if !w.narrow(i, tw) {
            return None;
        }
    }
    for _pass in 0..3 {
        for i in 0..eqs {
            if !w.narrow(i, tw) {
                return None;
            }
        }
    }
    let start = (0..eqs).find(|&s| (s..s + N).all(|k| w.known(k).is_some()))?;
    let window: Vec<u32> = (start..start + N).filter_map(|k| w.known(k)).collect();
    let mut generator = Gen::new(&window, tw);
    let fresh = if output == Output::Full {
        start + N
    } else {
        eqs + N
    };
    let mut verified = 0;
    for (k, &o) in obs.iter().enumerate().skip(start + N) {
        let predicted = output.apply(generator.next());
        if predicted != o {
            // Out of step: the earlier prediction stands, the generator is not in sync any more.
            return (k > fresh).then_some(Recovered {
                generator,
                window: start,
                fresh,
                verified,
            });
        }
        if k >= fresh {
            verified += 1;
        }
    }
    Some(Recovered {
        generator,
        window: start,
        fresh,
        verified,
    })
}

/// The MT19937 construction of the sample's tokens, if one of the known assemblies fits.
pub(crate) fn check(bytes: &[Vec<u8>], codec: Codec) -> Option<ConstructionHit> {
    let blen = bytes.first()?.len();
    if blen < 4 || !blen.is_multiple_of(4) || bytes.iter().any(|b| b.len() != blen) {
        return None;
    }
    let wpt = blen / 4;
    for v in variants(wpt) {
        let obs = stream(bytes, v.layout);
        let Some(mut r) = recover(&obs, v.output, v.twist) else {
            continue;
        };
        // At least one whole following token must be predicted before the claim is made.
        if r.verified < wpt.max(2) {
            continue;
        }
        let checked = obs.len() - r.fresh;
        let in_sync = r.verified == checked;
        let predicted = in_sync.then(|| {
            let words: Vec<u32> = (0..wpt)
                .map(|_| v.output.apply(r.generator.next()))
                .collect();
            codec.encode(&assemble(&words, v.layout))
        });
        return Some(hit(&v, &r, checked, wpt, bytes.len(), predicted));
    }
    None
}

fn hit(
    v: &Variant,
    r: &Recovered,
    checked: usize,
    wpt: usize,
    n: usize,
    predicted: Option<String>,
) -> ConstructionHit {
    let (t0, t1) = (r.window / wpt, (r.window + N - 1) / wpt);
    let fresh_token = r.fresh.div_ceil(wpt);
    let ok_tokens = r.verified / wpt;
    let later = n.saturating_sub(fresh_token);
    let pred_en = predicted.as_deref().map_or_else(
        || "; the generator fell out of step later (other calls in between)".to_string(),
        |t| format!("; next token predicted: {t}"),
    );
    let pred_id = predicted.as_deref().map_or_else(
        || {
            "; setelahnya generator tidak lagi sejalan (ada pemanggilan lain di antaranya)"
                .to_string()
        },
        |t| format!("; token berikutnya diprediksi: {t}"),
    );
    let mut recovered = BTreeMap::new();
    recovered.insert("assembly".to_string(), v.en.to_string());
    recovered.insert("state_from_tokens".to_string(), format!("{t0}-{t1}"));
    recovered.insert("first_predicted_token".to_string(), fresh_token.to_string());
    recovered.insert(
        "twist".to_string(),
        match v.twist {
            Twist::Standard => "standard",
            Twist::PhpLegacy => "php_legacy",
        }
        .to_string(),
    );
    ConstructionHit {
        code: "mt19937".to_string(),
        construction: format!("MT19937: {}", v.en),
        evidence: format!(
            "the generator state was recovered from tokens {t0}-{t1} (624 outputs, untempered) and predicted the following {ok_tokens} of {later} tokens exactly ({} of {checked} words); assembly: {}{pred_en}",
            r.verified, v.en
        ),
        evidence_id: format!(
            "keadaan generator dipulihkan dari token ke-{t0} s.d. ke-{t1} (624 keluaran, di-untemper) dan tepat memprediksi {ok_tokens} dari {later} token berikutnya ({} dari {checked} kata); susunan: {}{pred_id}",
            r.verified, v.id
        ),
        recovered,
        predicted_next: predicted,
        verified: Some(Verification {
            matched: ok_tokens,
            checked: later,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untemper_inverts_temper() {
        for y in [0u32, 1, 0xdead_beef, u32::MAX, 0x8000_0001, 123_456_789] {
            assert_eq!(untemper(temper(y)), y);
        }
    }

    /// Reference outputs of init_genrand(5489), the generator's default seed.
    fn reference(count: usize, tw: Twist) -> Vec<u32> {
        let mut mt = [0u32; N];
        mt[0] = 5489;
        for i in 1..N {
            mt[i] = 1_812_433_253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        let mut g = Gen::new(&mt, tw);
        (0..count).map(|_| g.next()).collect()
    }

    #[test]
    fn generator_matches_the_reference_sequence() {
        // mt19937 with the default seed 5489: the first output is 3499211612.
        assert_eq!(reference(1, Twist::Standard)[0], 3_499_211_612);
    }

    #[test]
    fn missing_bit_is_recovered_for_each_php_variant() {
        for (output, tw) in [
            (Output::Shr1, Twist::Standard),
            (Output::Low31, Twist::Standard),
            (Output::Shr1, Twist::PhpLegacy),
        ] {
            let full = reference(1400, tw);
            let obs: Vec<u32> = full.iter().map(|&t| output.apply(t)).collect();
            let r = recover(&obs, output, tw).expect("recovered");
            assert_eq!(r.verified, obs.len() - r.fresh, "{output:?} {tw:?}");
            assert!(r.verified > 100);
            // The wrong twist does not fit.
            let other = match tw {
                Twist::Standard => Twist::PhpLegacy,
                Twist::PhpLegacy => Twist::Standard,
            };
            assert!(recover(&obs, output, other).is_none_or(|r| r.verified == 0));
        }
    }

    #[test]
    fn layouts_round_trip() {
        let words = [1u32, 2, 3, 4];
        for layout in [
            Layout::InOrderBe,
            Layout::InOrderLe,
            Layout::Reversed(4),
            Layout::Reversed(2),
        ] {
            let b = assemble(&words, layout);
            assert_eq!(stream(&[b], layout), words, "{layout:?}");
        }
    }
}
