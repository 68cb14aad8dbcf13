//! Hashes of low-entropy sources: md5, sha1 or sha256 of a counter (decimal or hex text, starting
//! anywhere below the search limit) or of a Unix timestamp (seconds, milliseconds or
//! microseconds) near each token's capture time or `Date` header. Candidates are matched against
//! the tokens' decoded bytes, so lower- or upper-case hex and base64 or base64url tokens are all
//! covered. A digest truncated to the token length is searched as well, over an eighth of the
//! counter range and in seconds and milliseconds only.
//!
//! The searches sample instead of enumerating: tokens from a counter occupy n consecutive values,
//! so scanning one residue class modulo a prime k <= n meets one of them; tokens from a clock
//! are spread over the capture period, so scanning one value in k meets about n/k of them. Each
//! first hit is then extended to its neighbours value by value.

use super::Timing;
use super::codec::Codec;
use crate::Verification;
use crate::{ConstructionHit, Reason, Severity};
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::hash::{BuildHasherDefault, Hasher};

/// Candidates hashed per (algorithm, text form) in the first scan for a counter.
const COUNTER_SCAN_BUDGET: u64 = 400_000;
/// Largest counter step (or gap between successive tokens) followed value by value.
const MAX_GAP: u64 = 1024;
/// Hashes spent following a counter from its first hit to the other tokens.
const WALK_BUDGET: u64 = 200_000;
/// Candidates hashed per (unit, algorithm, text form) and per token with a time in the
/// timestamp scan, between a floor and a ceiling: a few tokens cannot pay for a wide scan.
const TIME_SCAN_PER_TOKEN: u64 = 1_000;
const TIME_SCAN_FLOOR: u64 = 20_000;
const TIME_SCAN_CEILING: u64 = 500_000;
/// Windows up to this many ticks in all are scanned tick by tick.
const TIME_FULL_SCAN: u64 = 100_000;
/// Tokens expected to show when the timestamp scan samples one tick in k.
const TIME_EXPECTED_HITS: u64 = 8;
/// A digest longer than the token (truncated) is searched over this fraction of the budget.
const TRUNCATED_SHARE: u64 = 8;
/// Plausible Unix times, in seconds: 1990 to 2100. Anything else is ignored as a time source.
const PLAUSIBLE_S: std::ops::Range<i64> = 631_152_000..4_102_444_800;

/// Hash algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    Md5,
    Sha1,
    Sha256,
}

impl Alg {
    const ALL: [Alg; 3] = [Alg::Md5, Alg::Sha1, Alg::Sha256];

    fn len(self) -> usize {
        match self {
            Alg::Md5 => 16,
            Alg::Sha1 => 20,
            Alg::Sha256 => 32,
        }
    }

    /// Lower-case name, as in the reason codes.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Alg::Md5 => "md5",
            Alg::Sha1 => "sha1",
            Alg::Sha256 => "sha256",
        }
    }

    fn digest(self, data: &[u8], out: &mut [u8; 32]) {
        match self {
            Alg::Md5 => out[..16].copy_from_slice(&Md5::digest(data)),
            Alg::Sha1 => out[..20].copy_from_slice(&Sha1::digest(data)),
            Alg::Sha256 => out.copy_from_slice(&Sha256::digest(data)),
        }
    }
}

/// How an integer is written before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `1234567`
    Decimal,
    /// `12d687` (lower-case hex, no prefix)
    Hex,
    /// PHP `microtime()`: `0.12345600 1764990000` (a microsecond value).
    PhpMicrotime,
    /// PHP `uniqid()`: 8 hex digits of seconds and 5 of microseconds (a microsecond value).
    Uniqid,
}

impl Form {
    fn write(self, buf: &mut String, v: u64) {
        buf.clear();
        let _ = match self {
            Form::Decimal => write!(buf, "{v}"),
            Form::Hex => write!(buf, "{v:x}"),
            Form::PhpMicrotime => write!(buf, "0.{:06}00 {}", v % 1_000_000, v / 1_000_000),
            Form::Uniqid => write!(buf, "{:08x}{:05x}", v / 1_000_000, v % 1_000_000),
        };
    }

    fn name(self) -> &'static str {
        match self {
            Form::Decimal => "decimal",
            Form::Hex => "hex",
            Form::PhpMicrotime => "PHP microtime()",
            Form::Uniqid => "PHP uniqid()",
        }
    }
}

/// The first 8 bytes of a digest are already uniform: use them as the hash-map hash.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// The sample's tokens, looked up by their first 8 bytes and confirmed on all of them.
pub(crate) struct Sample<'a> {
    bytes: &'a [Vec<u8>],
    blen: usize,
    index: HashMap<u64, usize, BuildHasherDefault<PassThrough>>,
    codec: Codec,
}

fn prefix(b: &[u8]) -> u64 {
    let mut p = [0u8; 8];
    p.copy_from_slice(&b[..8]);
    u64::from_be_bytes(p)
}

impl<'a> Sample<'a> {
    /// Index tokens of one length (at least 8 bytes), or None.
    pub(crate) fn new(bytes: &'a [Vec<u8>], codec: Codec) -> Option<Sample<'a>> {
        let blen = bytes.first()?.len();
        if blen < 8 || bytes.iter().any(|b| b.len() != blen) {
            return None;
        }
        let mut index = HashMap::with_capacity_and_hasher(bytes.len(), Default::default());
        for (i, b) in bytes.iter().enumerate() {
            index.entry(prefix(b)).or_insert(i);
        }
        Some(Sample {
            bytes,
            blen,
            index,
            codec,
        })
    }

    /// The token that equals this digest (truncated to the token length), if any.
    fn find(&self, digest: &[u8; 32]) -> Option<usize> {
        let &i = self.index.get(&prefix(digest))?;
        (self.bytes[i] == digest[..self.blen]).then_some(i)
    }
}

/// One (algorithm, text form) search state with a reusable buffer.
struct Prober<'s, 'a> {
    s: &'s Sample<'a>,
    alg: Alg,
    form: Form,
    buf: String,
    out: [u8; 32],
    spent: u64,
}

impl<'s, 'a> Prober<'s, 'a> {
    fn new(s: &'s Sample<'a>, alg: Alg, form: Form) -> Self {
        Prober {
            s,
            alg,
            form,
            buf: String::with_capacity(32),
            out: [0u8; 32],
            spent: 0,
        }
    }

    /// Hashes `v` in this form into `out`.
    fn hash(&mut self, v: u64) {
        self.form.write(&mut self.buf, v);
        self.alg.digest(self.buf.as_bytes(), &mut self.out);
        self.spent += 1;
    }

    /// The token that is the hash of `v`, if any.
    fn probe(&mut self, v: u64) -> Option<usize> {
        self.hash(v);
        self.s.find(&self.out)
    }

    /// Whether token `t` is the hash of `v`.
    fn is(&mut self, t: usize, v: u64) -> bool {
        self.hash(v);
        self.s.bytes[t] == self.out[..self.s.blen]
    }

    /// The predicted token for value `v` (hash truncated to the token length), encoded like the
    /// sample.
    fn predict(&mut self, v: u64) -> String {
        self.hash(v);
        self.s.codec.encode(&self.out[..self.s.blen])
    }

    /// The construction in technical notation, e.g. `md5(decimal counter) as hex`.
    fn label(&self, what: &str) -> String {
        let trunc = if self.alg.len() > self.s.blen {
            format!(", truncated to {} bytes", self.s.blen)
        } else {
            String::new()
        };
        format!(
            "{}({} {what}){trunc} as {}",
            self.alg.name(),
            self.form.name(),
            self.s.codec.name()
        )
    }
}

/// The largest prime at most `n` (1 when `n` < 2).
fn prime_at_most(n: u64) -> u64 {
    (2..=n)
        .rev()
        .find(|&k| (2..).take_while(|d| d * d <= k).all(|d| k % d != 0))
        .unwrap_or(1)
}

/// Residue-class stride for the counter scan over `0..limit` with `n` tokens.
fn counter_stride(n: u64, limit: u64) -> u64 {
    // A prime k <= n/8 also meets counters with irregular gaps (other users' sessions in
    // between) with high probability; a prime k <= n is enough for an exact progression.
    let loose = prime_at_most(n / 8);
    if loose >= 2 && limit / loose <= COUNTER_SCAN_BUDGET {
        loose
    } else {
        prime_at_most(n)
    }
}

/// Every hash-of-counter and hash-of-timestamp construction found in the sample; `notes` gets
/// what a search could not cover.
pub(crate) fn check(
    s: &Sample<'_>,
    timing: &[Timing],
    counter_limit: u64,
    window_s: u32,
    notes: &mut Vec<Reason>,
) -> Vec<ConstructionHit> {
    let mut hits = Vec::new();
    for alg in Alg::ALL {
        if alg.len() < s.blen {
            continue;
        }
        // A full-length digest gets the whole budget; a truncated one (rarer) a share of it.
        let share = if alg.len() == s.blen {
            1
        } else {
            TRUNCATED_SHARE
        };
        if let Some(h) = counter(s, alg, counter_limit / share) {
            hits.push(h);
            continue;
        }
        match timestamp(s, alg, timing, window_s, share) {
            Ok(h) => hits.push(h),
            Err(Some(note)) if share == 1 => notes.push(note),
            Err(_) => {}
        }
    }
    hits
}

// ---- counters ---------------------------------------------------------------------------------

fn counter(s: &Sample<'_>, alg: Alg, limit: u64) -> Option<ConstructionHit> {
    let n = s.bytes.len() as u64;
    if n < 2 {
        return None;
    }
    let stride = counter_stride(n, limit);
    // Start values just below the limit still reach a scanned residue within n steps.
    let upper = limit.saturating_add(stride.saturating_mul(MAX_GAP.min(64)));
    // A hex counter's text can be all digits for a stretch and read as decimal, so a partial
    // explanation in one form is compared with the other.
    let mut best: Option<(usize, ConstructionHit)> = None;
    for form in [Form::Decimal, Form::Hex] {
        let mut p = Prober::new(s, alg, form);
        let mut v = 0;
        while v < upper {
            if let Some(t) = p.probe(v) {
                let vals = walk(&mut p, t, v);
                let found = vals.iter().flatten().count();
                if found >= 2 {
                    if best.as_ref().is_none_or(|(b, _)| found > *b) {
                        best = Some((found, counter_hit(&mut p, &vals)));
                    }
                    break;
                }
            }
            v += stride;
        }
        if best.as_ref().is_some_and(|(b, _)| *b == s.bytes.len()) {
            break;
        }
    }
    best.map(|(_, h)| h)
}

/// Values of every token reachable from token `t0` = hash(`v0`), each searched within
/// `MAX_GAP` of the last value found (either side: concurrent requests arrive out of order).
fn walk(p: &mut Prober<'_, '_>, t0: usize, v0: u64) -> Vec<Option<u64>> {
    let n = p.s.bytes.len();
    let mut vals = vec![None; n];
    vals[t0] = Some(v0);
    let start = p.spent;
    for dir in [1i64, -1] {
        let (mut anchor, mut step) = (v0, dir);
        let mut t = t0 as i64 + dir;
        while (0..n as i64).contains(&t) && p.spent - start < WALK_BUDGET {
            if let Some(v) = near(p, t as usize, anchor, step) {
                vals[t as usize] = Some(v);
                step = v as i64 - anchor as i64;
                anchor = v;
            }
            t += dir;
        }
    }
    vals
}

/// The value of token `t` near `anchor`: `anchor + step` first, then outward.
fn near(p: &mut Prober<'_, '_>, t: usize, anchor: u64, step: i64) -> Option<u64> {
    let guess = anchor.checked_add_signed(step)?;
    if p.is(t, guess) {
        return Some(guess);
    }
    for off in 1..=MAX_GAP {
        for c in [anchor.checked_add(off), anchor.checked_sub(off)]
            .into_iter()
            .flatten()
        {
            if c != guess && p.is(t, c) {
                return Some(c);
            }
        }
    }
    None
}

fn counter_hit(p: &mut Prober<'_, '_>, vals: &[Option<u64>]) -> ConstructionHit {
    let n = vals.len();
    let found: Vec<(usize, u64)> = vals
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let step = modal_step(&found);
    let (t0, v0) = found[0];
    let (tl, vl) = found[found.len() - 1];
    // The value the token after the last one gets, extrapolated from the last value found.
    let next = (vl as i64).saturating_add(step.saturating_mul((n - tl) as i64));
    let predicted = u64::try_from(next).ok().map(|v| p.predict(v));
    let a = p.alg.name();
    let mut buf = String::new();
    p.form.write(&mut buf, v0);
    let m = found.len();
    let pred_en = predicted
        .as_deref()
        .map(|t| format!("; next token predicted: {t}"))
        .unwrap_or_default();
    let pred_id = predicted
        .as_deref()
        .map(|t| format!("; token berikutnya diprediksi: {t}"))
        .unwrap_or_default();
    let mut recovered = BTreeMap::new();
    recovered.insert("start".to_string(), v0.to_string());
    recovered.insert("start_token".to_string(), t0.to_string());
    recovered.insert("step".to_string(), step.to_string());
    recovered.insert("input".to_string(), p.form.name().to_string());
    ConstructionHit {
        code: format!("{a}_of_counter"),
        construction: p.label("counter"),
        evidence: format!(
            "token {t0} = {a}(\"{buf}\"); the counter runs from {v0} in steps of {step}; {m} of {n} tokens reproduced{pred_en}"
        ),
        evidence_id: format!(
            "token ke-{t0} = {a}(\"{buf}\"); pencacah berjalan dari {v0} dengan langkah {step}; {m} dari {n} token berhasil direka ulang{pred_id}"
        ),
        recovered,
        predicted_next: predicted,
        verified: Some(Verification {
            matched: m,
            checked: n,
        }),
    }
}

/// The most common step between successive found values, per token.
fn modal_step(found: &[(usize, u64)]) -> i64 {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for w in found.windows(2) {
        let (dt, dv) = ((w[1].0 - w[0].0) as i64, w[1].1 as i64 - w[0].1 as i64);
        if dv % dt == 0 {
            *counts.entry(dv / dt).or_insert(0) += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(step, c)| (c, -step.abs()))
        .map_or(1, |(s, _)| s)
}

// ---- timestamps -------------------------------------------------------------------------------

/// A clock unit: name and ticks per second.
const UNITS: [(&str, &str, u64, &[Form]); 3] = [
    ("s", "detik", 1, &[Form::Decimal]),
    ("ms", "milidetik", 1_000, &[Form::Decimal]),
    (
        "us",
        "mikrodetik",
        1_000_000,
        &[Form::Decimal, Form::PhpMicrotime, Form::Uniqid],
    ),
];

/// Where each token's value may lie, in ticks: around its `Date` header (which truncates to the
/// second) and around its capture time, `window_s` seconds either side; merged and sorted.
fn windows(timing: &[Timing], per_s: u64, window_s: u32) -> Vec<(u64, u64)> {
    let w = i128::from(window_s) * i128::from(per_s);
    let per = i128::from(per_s);
    let mut iv: Vec<(i128, i128)> = Vec::new();
    for t in timing {
        if let Some(d) = t.date_s.filter(|d| PLAUSIBLE_S.contains(d)) {
            iv.push((i128::from(d) * per - w, (i128::from(d) + 1) * per + w));
        }
        if let Some(c) = t
            .captured_ms
            .filter(|c| PLAUSIBLE_S.contains(&c.div_euclid(1000)))
        {
            let at = i128::from(c) * per / 1000;
            iv.push((at - w, at + w + 1));
        }
    }
    iv.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (a, b) in iv {
        let (a, b) = (a.max(0) as u64, b.max(0) as u64);
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn timestamp(
    s: &Sample<'_>,
    alg: Alg,
    timing: &[Timing],
    window_s: u32,
    share: u64,
) -> Result<ConstructionHit, Option<Reason>> {
    let timed = timing
        .iter()
        .filter(|t| t.date_s.is_some() || t.captured_ms.is_some())
        .count();
    if timed == 0 {
        return Err(None);
    }
    let mut sparse = None;
    let budget =
        (timed as u64 * TIME_SCAN_PER_TOKEN).clamp(TIME_SCAN_FLOOR, TIME_SCAN_CEILING) / share;
    for (unit, unit_id, per_s, forms) in UNITS {
        // A truncated digest of a microsecond clock is rare enough not to pay a sampled scan for.
        if share > 1 && per_s > 1_000 {
            continue;
        }
        let iv = windows(timing, per_s, window_s);
        let total: u64 = iv.iter().map(|(a, b)| b - a).sum();
        if total == 0 {
            continue;
        }
        let stride = if total <= TIME_FULL_SCAN {
            1
        } else {
            (timed as u64 / TIME_EXPECTED_HITS)
                .max(total.div_ceil(budget))
                .max(1)
        };
        // With every tick scanned two tokens are required; when sampling, one exact digest match
        // of a time next to the token's own is already beyond chance.
        let need = if stride == 1 { 2.min(timed) } else { 1 };
        for &form in forms {
            let mut p = Prober::new(s, alg, form);
            let found = scan(&mut p, &iv, stride);
            if found.len() >= need {
                let ctx = TimeCtx {
                    unit,
                    unit_id,
                    per_s,
                    stride,
                    window_s,
                };
                return Ok(time_hit(&mut p, &found, timing, &ctx));
            }
        }
        // The finest unit is sampled most sparsely: its note is the one worth reading.
        sparse = sparse_note(timed, stride, unit, unit_id).or(sparse);
    }
    Err(sparse)
}

/// When sampling one tick in `stride` left a fair chance of missing a hashed clock, a note that
/// says how fair (a hashed clock gives each token one matching tick).
fn sparse_note(timed: usize, stride: u64, unit: &str, unit_id: &str) -> Option<Reason> {
    let expected = timed as f64 / stride as f64;
    let p = 1.0 - (-expected).exp();
    (p < 0.99).then(|| {
        let pct = (p * 100.0).floor();
        Reason::new(
            "time_hash_sampled",
            Severity::Info,
            format!("Hashes of timestamps in {unit} were searched on one {unit} in {stride}: a token built that way would have shown in this sample with probability {pct}%. Collect more tokens in less time, or narrow --time-window, to raise it."),
            format!("Hash dari stempel waktu dalam {unit_id} dicari pada satu dari setiap {stride} {unit_id}: token yang dibangun dengan cara itu akan terlihat pada sampel ini dengan peluang {pct}%. Kumpulkan lebih banyak token dalam waktu lebih singkat, atau persempit --time-window, untuk menaikkannya."),
        )
    })
}

/// (token, value) for every scanned tick whose hash is a token, one per token, in token order.
fn scan(p: &mut Prober<'_, '_>, windows: &[(u64, u64)], stride: u64) -> Vec<(usize, u64)> {
    let mut found = Vec::new();
    for &(a, b) in windows {
        let mut v = a.div_ceil(stride) * stride;
        while v < b {
            if let Some(t) = p.probe(v) {
                found.push((t, v));
            }
            v += stride;
        }
    }
    found.sort_unstable();
    found.dedup_by_key(|x| x.0);
    found
}

struct TimeCtx {
    unit: &'static str,
    unit_id: &'static str,
    per_s: u64,
    stride: u64,
    window_s: u32,
}

fn time_hit(
    p: &mut Prober<'_, '_>,
    found: &[(usize, u64)],
    timing: &[Timing],
    c: &TimeCtx,
) -> ConstructionHit {
    let n = p.s.bytes.len();
    let (t0, v0) = found[0];
    let (tl, vl) = found[found.len() - 1];
    // Tokens issued in the same tick are equal: count every token the found values explain.
    let explained: std::collections::HashSet<&[u8]> =
        found.iter().map(|&(t, _)| &p.s.bytes[t][..]).collect();
    let m =
        p.s.bytes
            .iter()
            .filter(|b| explained.contains(&b[..]))
            .count();
    // Offset of the hashed time from the token's Date header (or capture time), in ms.
    let offset_ms = |t: usize, v: u64| -> Option<i128> {
        let v_ms = i128::from(v) * 1000 / i128::from(c.per_s);
        timing[t]
            .date_s
            .map(|d| v_ms - i128::from(d) * 1000)
            .or(timing[t].captured_ms.map(|m| v_ms - i128::from(m)))
    };
    let reference = if timing[t0].date_s.is_some() {
        ("Date header", "header Date")
    } else {
        ("capture time", "waktu pengambilan")
    };
    let off = offset_ms(t0, v0).unwrap_or(0);
    let next = vl.saturating_add(c.per_s);
    let predicted = p.predict(next);
    let a = p.alg.name();
    let mut buf = String::new();
    p.form.write(&mut buf, v0);
    let (sampled_en, sampled_id) = sampled_note(c, n);
    let mut recovered = BTreeMap::new();
    for (k, v) in [
        ("unit", c.unit.to_string()),
        ("input", p.form.name().to_string()),
        ("first_token", t0.to_string()),
        ("first_value", v0.to_string()),
        ("window_s", c.window_s.to_string()),
        ("stride", c.stride.to_string()),
    ] {
        recovered.insert(k.to_string(), v);
    }
    let key = reference.0.replace(' ', "_").to_lowercase();
    recovered.insert(format!("offset_ms_from_{key}"), off.to_string());
    let per_second = c.per_s;
    ConstructionHit {
        code: format!("{a}_of_timestamp"),
        construction: p.label(&format!("Unix time in {}", c.unit)),
        evidence: format!(
            "token {t0} = {a}(\"{buf}\"), a Unix time in {} {off} ms from its {}; {m} token(s) matched{sampled_en}; an attacker tries about {per_second} values per second of uncertainty; the token issued one second after token {tl} would be {predicted}",
            c.unit, reference.0
        ),
        evidence_id: format!(
            "token ke-{t0} = {a}(\"{buf}\"), yaitu waktu Unix dalam {} yang berselisih {off} ms dari {}; {m} token cocok{sampled_id}; penyerang cukup mencoba sekitar {per_second} nilai untuk setiap detik ketidakpastian; token yang terbit satu detik setelah token ke-{tl} adalah {predicted}",
            c.unit_id, reference.1
        ),
        recovered,
        predicted_next: Some(predicted),
        verified: Some(Verification {
            matched: m,
            checked: n,
        }),
    }
}

/// When the clock was sampled, how many of the `n` tokens were expected to show (EN, ID).
fn sampled_note(c: &TimeCtx, n: usize) -> (String, String) {
    if c.stride == 1 {
        return (String::new(), String::new());
    }
    let expected = n as u64 / c.stride;
    (
        format!(
            " (one {} in {} sampled, so about {expected} of {n} are expected to show)",
            c.unit, c.stride
        ),
        format!(
            " (diambil sampel satu dari setiap {} {}, sehingga sekitar {expected} dari {n} token diharapkan terlihat)",
            c.stride, c.unit_id
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_and_strides() {
        assert_eq!(prime_at_most(1), 1);
        assert_eq!(prime_at_most(30), 29);
        assert_eq!(prime_at_most(2500), 2477);
        // 30 tokens: an exact progression must still be met, so k <= 30.
        assert_eq!(counter_stride(30, 10_000_000), 29);
        assert_eq!(counter_stride(20_000, 10_000_000), 2477);
    }

    #[test]
    fn text_forms() {
        let mut b = String::new();
        Form::PhpMicrotime.write(&mut b, 1_764_990_000_012_345);
        assert_eq!(b, "0.01234500 1764990000");
        Form::Uniqid.write(&mut b, 1_764_990_000_012_345);
        assert_eq!(b, "69339c3003039");
        Form::Hex.write(&mut b, 255);
        assert_eq!(b, "ff");
    }

    #[test]
    fn windows_merge_and_ignore_absurd_times() {
        let t = [
            Timing {
                captured_ms: Some(1_764_990_000_500),
                date_s: Some(1_764_990_000),
            },
            Timing {
                captured_ms: Some(i64::MAX),
                date_s: Some(-5),
            },
        ];
        let w = windows(&t, 1, 2);
        assert_eq!(w, vec![(1_764_989_998, 1_764_990_003)]);
    }
}
