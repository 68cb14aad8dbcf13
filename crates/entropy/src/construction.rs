//! Construction checks that statistics cannot see: java.util.Random state recovery, MT19937
//! untempering, md5/sha1/sha256 of small integers and of times near the capture time, PHP
//! `uniqid` and time- or name-based UUIDs. Each hit names the construction.

use crate::decode::{Decoded, FormatKind};
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;
use std::collections::HashMap;

/// A construction hit: (code, evidence in English, evidence in Indonesian).
pub type Hit = (String, String, String);

/// Token bytes as 32-bit big-endian words.
fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

// ---- java.util.Random -------------------------------------------------------------------------

const J_MULT: u64 = 0x5_DEEC_E66D;
const J_ADD: u64 = 0xB;
const J_MASK: u64 = (1 << 48) - 1;

fn j_step(s: u64) -> u64 {
    s.wrapping_mul(J_MULT).wrapping_add(J_ADD) & J_MASK
}

/// States after `b`, for every 48-bit state whose `next(32)` outputs were `a` then `b`.
/// `next(32)` reveals the top 32 of 48 bits, so 2^16 candidates remain per output.
fn java_recover(a: u32, b: u32) -> Vec<u64> {
    let mut out = Vec::new();
    for low in 0..(1u64 << 16) {
        let s1 = ((a as u64) << 16) | low;
        let s2 = j_step(s1);
        if (s2 >> 16) as u32 == b {
            out.push(s2);
        }
    }
    out
}

/// Whether the generator continuing from `state` emits `c` then `d` within `window` outputs.
fn java_predicts(state: u64, c: u32, d: u32, window: usize) -> bool {
    let mut s = state;
    let mut prev: Option<u32> = None;
    for _ in 0..window {
        s = j_step(s);
        let o = (s >> 16) as u32;
        if prev == Some(c) && o == d {
            return true;
        }
        prev = Some(o);
    }
    false
}

/// Streams of `next(32)` outputs per token: raw words (nextInt), and words re-paired from
/// `nextLong()` = (next(32) << 32) + next(32), where the signed add borrows from the high word.
fn java_streams(tokens: &[Vec<u32>]) -> [Vec<Vec<u32>>; 2] {
    let raw = tokens.to_vec();
    let longs = tokens
        .iter()
        .map(|w| {
            w.chunks_exact(2)
                .flat_map(|p| [p[0].wrapping_add(p[1] >> 31), p[1]])
                .collect()
        })
        .collect();
    [raw, longs]
}

fn check_java(tokens: &[Vec<u32>]) -> Option<(String, String)> {
    let [raw, longs] = java_streams(tokens);
    for (mode, stream) in [("nextInt()", raw), ("nextLong()", longs)] {
        // Observations as (first pair, following pair) from within a token or the next token.
        let mut attempts = 0;
        for t in 0..stream.len().saturating_sub(1) {
            if attempts >= 6 {
                break;
            }
            let w = &stream[t];
            if w.len() < 2 {
                continue;
            }
            let follow: Option<(u32, u32)> = if w.len() >= 4 {
                Some((w[2], w[3]))
            } else {
                stream[t + 1].get(..2).map(|x| (x[0], x[1]))
            };
            let Some((c, d)) = follow else { continue };
            attempts += 1;
            for s in java_recover(w[0], w[1]) {
                if java_predicts(s, c, d, 1024) {
                    return Some((
                        format!(
                            "token {t}: the 48-bit java.util.Random state was recovered from one {mode} output and predicts the next output"
                        ),
                        format!(
                            "token ke-{t}: keadaan 48 bit java.util.Random dipulihkan dari satu keluaran {mode} dan tepat menebak keluaran berikutnya"
                        ),
                    ));
                }
            }
        }
    }
    None
}

// ---- MT19937 ----------------------------------------------------------------------------------

fn mt_temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
}

fn mt_untemper(y: u32) -> u32 {
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

/// Untemper 624 consecutive outputs into the generator state and check it predicts the next ones.
fn check_mt(stream: &[u32]) -> bool {
    if stream.len() < 624 + 16 {
        return false;
    }
    // Any alignment of the 624-word window works once a twist boundary is crossed, so try the
    // first few offsets and predict the word right after the window by regenerating it.
    for off in 0..=(stream.len() - (624 + 16)).min(3) {
        let mut st = [0u32; 624];
        for (i, s) in st.iter_mut().enumerate() {
            *s = mt_untemper(stream[off + i]);
        }
        // Next output i+624 depends on words i, i+1 and i+397 of the window.
        let mut hits = 0;
        for i in 0..16 {
            let y = (st[i] & 0x8000_0000) | (st[i + 1] & 0x7fff_ffff);
            let mut v = st[i + 397] ^ (y >> 1);
            if y & 1 == 1 {
                v ^= 0x9908_b0df;
            }
            if mt_temper(v) == stream[off + 624 + i] {
                hits += 1;
            }
        }
        if hits >= 12 {
            return true;
        }
    }
    false
}

// ---- Hashes of integers and times -------------------------------------------------------------

#[derive(Clone, Copy)]
enum Alg {
    Md5,
    Sha1,
    Sha256,
}

impl Alg {
    fn len(self) -> usize {
        match self {
            Alg::Md5 => 16,
            Alg::Sha1 => 20,
            Alg::Sha256 => 32,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Alg::Md5 => "md5",
            Alg::Sha1 => "sha1",
            Alg::Sha256 => "sha256",
        }
    }
    fn prefix(self, data: &[u8]) -> u64 {
        let mut p = [0u8; 8];
        match self {
            Alg::Md5 => p.copy_from_slice(&Md5::digest(data)[..8]),
            Alg::Sha1 => p.copy_from_slice(&Sha1::digest(data)[..8]),
            Alg::Sha256 => p.copy_from_slice(&Sha256::digest(data)[..8]),
        }
        u64::from_be_bytes(p)
    }
}

/// Search hashes of decimal strings of candidate integers among the tokens' first 8 bytes.
fn hash_search(
    index: &HashMap<u64, usize>,
    alg: Alg,
    candidates: impl Iterator<Item = i64>,
) -> Option<(usize, i64, usize)> {
    let mut first: Option<(usize, i64)> = None;
    let mut count = 0;
    let mut buf = String::with_capacity(24);
    for c in candidates {
        buf.clear();
        use std::fmt::Write;
        let _ = write!(buf, "{c}");
        if let Some(&tok) = index.get(&alg.prefix(buf.as_bytes())) {
            count += 1;
            if first.is_none() {
                first = Some((tok, c));
            }
            if count >= 3 {
                break;
            }
        }
    }
    first.map(|(t, c)| (t, c, count))
}

fn check_hashes(d: &Decoded, times_ms: &[i64], limit: u32) -> Vec<Hit> {
    let mut hits = Vec::new();
    let blen = d.bytes.first().map_or(0, |b| b.len());
    if blen < 8 || d.bytes.iter().any(|b| b.len() != blen) {
        return hits;
    }
    let index: HashMap<u64, usize> = d
        .bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut p = [0u8; 8];
            p.copy_from_slice(&b[..8]);
            (u64::from_be_bytes(p), i)
        })
        .collect();
    let need = 2.min(d.bytes.len());
    for alg in [Alg::Md5, Alg::Sha1, Alg::Sha256] {
        if alg.len() < blen {
            continue;
        }
        // Exact digest length gets the full range; a truncated digest is searched more briefly.
        let lim = if alg.len() == blen { limit } else { limit / 8 };
        if let Some((tok, c, count)) = hash_search(&index, alg, 0..lim as i64)
            && count >= need
        {
            let a = alg.name();
            hits.push((
                format!("{a}_of_counter"),
                format!(
                    "token {tok} is {a}(\"{c}\") and at least {count} tokens are hashes of integers below {lim}"
                ),
                format!(
                    "token ke-{tok} adalah {a}(\"{c}\") dan sedikitnya {count} token merupakan hash bilangan bulat di bawah {lim}"
                ),
            ));
            continue;
        }
        if !times_ms.is_empty() {
            let cands = times_ms.iter().take(8).flat_map(|&t| {
                // Saturating: capture times come from the caller and may be absurd.
                let s = t / 1000;
                (s.saturating_sub(5)..=s.saturating_add(5))
                    .chain(t.saturating_sub(2000)..=t.saturating_add(2000))
            });
            if let Some((tok, c, count)) = hash_search(&index, alg, cands)
                && count >= need
            {
                let a = alg.name();
                hits.push((
                    format!("{a}_of_timestamp"),
                    format!("token {tok} is {a}(\"{c}\"), a timestamp next to the capture time"),
                    format!(
                        "token ke-{tok} adalah {a}(\"{c}\"), yaitu stempel waktu di sekitar waktu pengambilan"
                    ),
                ));
            }
        }
    }
    hits
}

// ---- PHP uniqid and UUID layouts -------------------------------------------------------------

/// PHP `uniqid()`: 8 hex digits of seconds then 5 hex digits of microseconds (< 1,000,000),
/// in every sampled token.
fn check_uniqid(cores: &[String]) -> Option<(String, String)> {
    let sample: Vec<&[u8]> = cores.iter().take(200).map(|c| c.as_bytes()).collect();
    let len = sample.first()?.len();
    if !(13..=64).contains(&len) {
        return None;
    }
    for off in 0..=(len - 13) {
        // uniqid() output stands alone: at the start or after a non-hex prefix, and followed by
        // the end or by the `more_entropy` tail (a digit and a dot). This keeps a 13-character
        // window inside a longer hex token from matching by accident.
        let aligned = sample.iter().all(|s| {
            let before = off == 0 || !s[off - 1].is_ascii_hexdigit();
            let after = off + 13 == s.len()
                || (s[off + 13].is_ascii_digit() && s.get(off + 14) == Some(&b'.'));
            before && after
        });
        if !aligned {
            continue;
        }
        let mut ok = 0;
        let mut secs = Vec::new();
        for s in &sample {
            let f = s.get(off..off + 13)?;
            let txt = std::str::from_utf8(f).ok()?;
            let (Ok(sec), Ok(us)) = (
                u64::from_str_radix(&txt[..8], 16),
                u64::from_str_radix(&txt[8..], 16),
            ) else {
                continue;
            };
            if (946_684_800..4_102_444_800).contains(&sec) && us < 1_000_000 {
                ok += 1;
                secs.push(sec);
            }
        }
        let spread = secs.iter().max().zip(secs.iter().min()).map(|(a, b)| a - b);
        if ok == sample.len() && spread.is_some_and(|s| s < 30 * 86_400) {
            let end = off + 13;
            return Some((
                format!(
                    "characters {off}..{end} are PHP uniqid(): seconds and microseconds in hex"
                ),
                format!(
                    "karakter {off}..{end} adalah keluaran PHP uniqid(): detik dan mikrodetik dalam heksadesimal"
                ),
            ));
        }
    }
    None
}

/// Run every construction check.
pub(crate) fn check(d: &Decoded, times_ms: &[i64], hash_limit: u32) -> Vec<Hit> {
    let mut hits = Vec::new();
    if d.format.kind == FormatKind::Uuid {
        let v = d.format.uuid_version.unwrap_or(0);
        match v {
            1 | 2 | 6 => hits.push((
                "uuid_v1".to_string(),
                format!(
                    "UUID version {v} is built from a timestamp, a clock sequence and a node (MAC) id"
                ),
                format!("UUID versi {v} tersusun dari stempel waktu, urutan jam, dan ID node (MAC)"),
            )),
            3 | 5 => hits.push((
                "uuid_name_based".to_string(),
                format!("UUID version {v} is a hash of a name, not random"),
                format!("UUID versi {v} adalah hash dari sebuah nama, bukan nilai acak"),
            )),
            _ => {}
        }
    }
    if let Some((en, id)) = check_uniqid(&d.cores) {
        hits.push(("php_uniqid".to_string(), en, id));
    }
    let token_words: Vec<Vec<u32>> = d.bytes.iter().map(|b| words(b)).collect();
    if let Some((en, id)) = check_java(&token_words) {
        hits.push(("java_util_random".to_string(), en, id));
    }
    let be: Vec<u32> = token_words.iter().flatten().copied().collect();
    let le: Vec<u32> = be.iter().map(|w| w.swap_bytes()).collect();
    if check_mt(&be) || check_mt(&le) {
        hits.push((
            "mt19937".to_string(),
            "624 consecutive 32-bit words untemper into an MT19937 state that predicts the following words"
                .to_string(),
            "624 kata 32 bit berurutan dapat di-untemper menjadi keadaan MT19937 yang tepat menebak kata-kata berikutnya"
                .to_string(),
        ));
    }
    hits.extend(check_hashes(d, times_ms, hash_limit));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untemper_inverts_temper() {
        for y in [0u32, 1, 0xdead_beef, u32::MAX, 0x8000_0001, 123_456_789] {
            assert_eq!(mt_untemper(mt_temper(y)), y);
        }
    }

    #[test]
    fn java_random_known_output() {
        // new java.util.Random(42).nextInt() == -1170105035 (documented widely).
        let mut s = (42u64 ^ J_MULT) & J_MASK;
        s = j_step(s);
        assert_eq!((s >> 16) as u32 as i32, -1_170_105_035);
        let a = (s >> 16) as u32;
        let s2 = j_step(s);
        let b = (s2 >> 16) as u32;
        assert!(java_recover(a, b).contains(&s2));
    }

    #[test]
    fn uniqid_layout_is_recognised() {
        let cores: Vec<String> = (0..50)
            .map(|i| {
                format!(
                    "{:08x}{:05x}",
                    1_763_800_000u64 + i / 10,
                    (i * 12_345) % 1_000_000
                )
            })
            .collect();
        assert!(check_uniqid(&cores).is_some());
        let random: Vec<String> = (0..50u64)
            .map(|i| format!("{:013x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 12))
            .collect();
        assert!(check_uniqid(&random).is_none());
        // The same layout inside a longer hex token is not uniqid().
        let embedded: Vec<String> = cores.iter().map(|c| format!("ab{c}0123")).collect();
        assert!(check_uniqid(&embedded).is_none());
        let prefixed: Vec<String> = cores.iter().map(|c| format!("sess_{c}")).collect();
        assert!(check_uniqid(&prefixed).is_some());
        let more: Vec<String> = cores.iter().map(|c| format!("{c}4.12345678")).collect();
        assert!(check_uniqid(&more).is_some());
    }
}
