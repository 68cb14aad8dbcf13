//! java.util.Random: a 48-bit LCG whose `next(32)` reveals the top 32 bits of the state, so the
//! remaining 16 bits are found by trying all 2^16 and checking the next output.

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

/// Evidence (English, Indonesian) when the tokens are java.util.Random outputs.
pub(super) fn check(tokens: &[Vec<u32>]) -> Option<(String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
