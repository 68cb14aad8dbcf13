//! Construction checks that statistics cannot see: java.util.Random state recovery, MT19937
//! state recovery in the word orders of Python, PHP and Ruby, md5/sha1/sha256 of counters and of
//! times near the capture time, PHP `uniqid` and time- or name-based UUIDs. Each hit names the
//! recovered construction and, where the construction allows, predicts the next token.

mod codec;
mod hashes;
mod java;
mod layouts;
mod mt;

use crate::decode::Decoded;
use crate::{ConstructionHit, Reason};
use std::collections::BTreeMap;

/// Timing evidence of one analysed token.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Timing {
    /// Capture time, Unix milliseconds.
    pub captured_ms: Option<i64>,
    /// The response's `Date` header, Unix seconds.
    pub date_s: Option<i64>,
}

/// Search bounds of the construction checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Counters are searched from 0 up to this value.
    pub counter_limit: u64,
    /// Timestamps are searched this many seconds either side of each token's times.
    pub time_window_s: u32,
}

/// A hit with only a code and evidence (constructions that are read, not recovered).
fn plain(code: &str, construction: &str, en: String, id: String) -> ConstructionHit {
    ConstructionHit {
        code: code.to_string(),
        construction: construction.to_string(),
        evidence: en,
        evidence_id: id,
        recovered: BTreeMap::new(),
        predicted_next: None,
        verified: None,
    }
}

/// Run every construction check; `notes` gets what a check could not cover.
pub(crate) fn check(
    d: &Decoded,
    timing: &[Timing],
    limits: Limits,
    notes: &mut Vec<Reason>,
) -> Vec<ConstructionHit> {
    let mut hits = Vec::new();
    if let Some((code, en, id)) = layouts::uuid(d) {
        hits.push(plain(code, "UUID layout", en, id));
    }
    if let Some((en, id)) = layouts::uniqid(&d.cores) {
        hits.push(plain("php_uniqid", "PHP uniqid()", en, id));
    }
    let token_words: Vec<Vec<u32>> = d
        .bytes
        .iter()
        .map(|b| {
            b.chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
        .collect();
    if let Some((en, id)) = java::check(&token_words) {
        hits.push(plain("java_util_random", "java.util.Random", en, id));
    }
    let Some(codec) = codec::Codec::of(d) else {
        return hits;
    };
    if let Some(h) = mt::check(&d.bytes, codec) {
        hits.push(h);
    }
    if let Some(sample) = hashes::Sample::new(&d.bytes, codec) {
        hits.extend(hashes::check(
            &sample,
            timing,
            limits.counter_limit,
            limits.time_window_s,
            notes,
        ));
    }
    hits
}
