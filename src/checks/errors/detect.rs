//! Pure detection: which signatures a probe response shows that its baseline does not.

use super::signatures::{Signatures, Validate};
use crate::net::Response;
use serde::Serialize;
use std::collections::HashSet;

/// Matches examined per signature and response, so a hostile page cannot make detection slow.
const MAX_MATCHES: usize = 64;
/// Characters of context kept on each side of a match.
const CONTEXT: usize = 80;

/// One signature found in a probe response and absent from its baseline.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Hit {
    /// Signature id.
    pub signature: String,
    /// Signature family (python, mysql, nginx, ...).
    pub family: String,
    /// Checklist item it fails.
    pub item: String,
    /// The matched text.
    pub matched: String,
    /// The match with some context, for the report.
    pub excerpt: String,
    /// Whether it was found in the headers rather than the body.
    pub in_headers: bool,
}

/// The parts of a response signatures look at.
pub struct Haystack<'a> {
    body: &'a [u8],
    headers: Vec<u8>,
}

impl<'a> Haystack<'a> {
    /// Body as raw bytes (it need not be UTF-8) and headers as `name: value` lines.
    pub fn of(r: &'a Response) -> Haystack<'a> {
        let mut headers = Vec::new();
        for (n, v) in &r.headers {
            headers.extend_from_slice(n.to_ascii_lowercase().as_bytes());
            headers.extend_from_slice(b": ");
            headers.extend_from_slice(v.as_bytes());
            headers.push(b'\n');
        }
        Haystack {
            body: &r.body,
            headers,
        }
    }
}

/// Every valid match in `hay`, per signature index: (index, matched text, excerpt, in headers).
fn matches(hay: &Haystack<'_>, sigs: &Signatures) -> Vec<(usize, String, String, bool)> {
    let mut out = Vec::new();
    let mut scan = |text: &[u8], candidates: Vec<usize>, in_headers: bool| {
        for i in candidates {
            let sig = &sigs.list()[i];
            for m in sigs.regex(i).find_iter(text).take(MAX_MATCHES) {
                if sig
                    .validate
                    .is_none_or(|v| valid(v, text, m.start(), m.end()))
                {
                    out.push((
                        i,
                        String::from_utf8_lossy(m.as_bytes()).into_owned(),
                        excerpt(text, m.start(), m.end()),
                        in_headers,
                    ));
                }
            }
        }
    };
    scan(hay.body, sigs.body_candidates(hay.body), false);
    scan(&hay.headers, sigs.header_candidates(&hay.headers), true);
    out
}

/// Signatures the probe shows that the baseline (the same page, requested normally) does not.
///
/// A signature that already matches the baseline does not count, so a page whose normal text
/// mentions e.g. "exception" is never flagged. Address and path signatures compare values
/// instead: an internal address that the normal page already shows is not new, another one is.
pub fn detect(baseline: Option<&Response>, probe: &Response, sigs: &Signatures) -> Vec<Hit> {
    let base = baseline
        .map(|b| matches(&Haystack::of(b), sigs))
        .unwrap_or_default();
    let base_sigs: HashSet<usize> = base.iter().map(|(i, ..)| *i).collect();
    let base_values: HashSet<(usize, &str)> =
        base.iter().map(|(i, m, ..)| (*i, m.as_str())).collect();
    let mut seen = HashSet::new();
    let mut hits = Vec::new();
    for (i, matched, excerpt, in_headers) in matches(&Haystack::of(probe), sigs) {
        let sig = &sigs.list()[i];
        let known = if sig.validate.is_some() {
            base_values.contains(&(i, matched.as_str()))
        } else {
            base_sigs.contains(&i)
        };
        // One hit per signature and value is enough evidence.
        if known || !seen.insert((i, matched.clone())) {
            continue;
        }
        if sig.validate.is_none() && hits.iter().any(|h: &Hit| h.signature == sig.id) {
            continue;
        }
        hits.push(Hit {
            signature: sig.id.clone(),
            family: sig.family.clone(),
            item: sig.item.clone(),
            matched,
            excerpt,
            in_headers,
        });
    }
    hits
}

fn valid(v: Validate, bytes: &[u8], start: usize, end: usize) -> bool {
    match v {
        Validate::Ipv4 => {
            let s = String::from_utf8_lossy(&bytes[start..end]);
            let octets_ok = s
                .split('.')
                .all(|o| o.parse::<u16>().is_ok_and(|n| n <= 255));
            let dotted_before =
                start >= 2 && bytes[start - 1] == b'.' && bytes[start - 2].is_ascii_digit();
            let dotted_after =
                end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit();
            octets_ok && !dotted_before && !dotted_after
        }
        Validate::FsPath => {
            if start > 0 {
                let b = bytes[start - 1];
                // Part of a URL path, a host name or a longer path.
                if b.is_ascii_alphanumeric() || b"./:-_~%@".contains(&b) {
                    return false;
                }
            }
            let from = start.saturating_sub(12);
            let before = String::from_utf8_lossy(&bytes[from..start]).to_ascii_lowercase();
            let before = before.trim_end_matches(['"', '\'']);
            !(before.ends_with("href=")
                || before.ends_with("src=")
                || before.ends_with("action=")
                || before.ends_with("srcset=")
                || before.ends_with("url(")
                || before.ends_with("content="))
        }
    }
}

/// The match with up to [`CONTEXT`] bytes either side, whitespace collapsed.
fn excerpt(bytes: &[u8], start: usize, end: usize) -> String {
    let from = start.saturating_sub(CONTEXT);
    // A huge match (e.g. a long path) is cut so evidence stays readable.
    let end = end.min(start + 400);
    let to = (end + CONTEXT).min(bytes.len());
    let text = String::from_utf8_lossy(&bytes[from..to]);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut last_space = false;
    for c in text.chars() {
        // A cut through a multi-byte character at either end shows as a replacement; drop it.
        if c == char::REPLACEMENT_CHARACTER && out.len() <= 3 {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    if to < bytes.len() {
        out.push('…');
    }
    out
}
