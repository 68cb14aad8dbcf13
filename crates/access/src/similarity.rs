//! Response fingerprints and their similarity.
//!
//! A fingerprint is the set of hashed 3-token shingles of a body's token stream. For HTML and
//! text the stream is the visible text (script and style contents, comments and attribute values
//! left out) interleaved with the tag structure; form controls add their `type` and `name`
//! attributes, which are stable and tell a login form from a data table. For JSON the stream is
//! the keys and values in document order. Volatile tokens are replaced by a class marker before
//! hashing: numbers of four or more digits, dates and times, UUIDs, hex runs of 16 or more and
//! base64-like runs of 20 or more, so CSRF tokens, timestamps and generated ids do not count as
//! differences. Attribute values (hidden inputs, `<meta name="csrf-token">`) never enter the
//! stream at all.
//!
//! Similarity is the Jaccard index of the two shingle sets. Fingerprints keep at most
//! [`MAX_HASHES`] hashes (the smallest ones, a bottom-k sketch), so comparing two fingerprints
//! costs one merge of two sorted vectors however large the bodies were.

use crate::observed::Observed;
use serde::{Deserialize, Serialize};

/// Tokens per shingle: long enough that reordered common words do not look alike, short enough
/// that one changed word (a user name) disturbs only a few shingles.
const SHINGLE: usize = 3;
/// At most this many bytes of a body are read; callers cap bodies already, this is a backstop.
const MAX_SCAN: usize = 4 << 20;
/// Fingerprints larger than this keep only their smallest hashes (bottom-k sketch).
pub const MAX_HASHES: usize = 8192;
/// JSON deeper than this is summarised by one marker token instead of being walked.
const MAX_JSON_DEPTH: usize = 48;
/// Token stream cap; beyond it the body adds nothing a comparison needs.
const MAX_TOKENS: usize = 400_000;

/// What kind of body a fingerprint was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    /// Empty or whitespace-only body.
    #[default]
    Empty,
    /// HTML, XML or plain text.
    Markup,
    /// A JSON document.
    Json,
}

/// Hashed shingles of one body, sorted and de-duplicated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fingerprint {
    /// Shingles of the main content.
    hashes: Vec<u64>,
    /// Shingles of the layout chrome (navigation, header, footer, sidebar).
    chrome: Vec<u64>,
    truncated: bool,
    kind: BodyKind,
}

impl Fingerprint {
    /// The fingerprint of a response body (the content type decides JSON or markup).
    pub fn of(obs: &Observed) -> Self {
        Self::of_body(&obs.body, obs.content_type.as_deref())
    }

    /// The fingerprint of a body given its content type, if known.
    pub fn of_body(body: &str, content_type: Option<&str>) -> Self {
        let bytes = body.as_bytes();
        let bytes = bytes.get(..MAX_SCAN).unwrap_or(bytes);
        let trimmed = bytes.trim_ascii();
        if trimmed.is_empty() {
            return Fingerprint::default();
        }
        let mut stream = Vec::with_capacity(trimmed.len() / 6 + 4);
        let mut kind = BodyKind::Markup;
        if looks_like_json(trimmed, content_type)
            && let Ok(value) = serde_json::from_slice::<serde_json::Value>(trimmed)
        {
            kind = BodyKind::Json;
            json_tokens(&value, 0, &mut stream);
            for t in &mut stream {
                *t = flag(*t, false);
            }
        }
        if kind == BodyKind::Markup {
            let mut chrome = ChromeTracker::default();
            scan_markup(trimmed, |piece| match piece {
                Piece::Tag(tag) => {
                    chrome.see(&tag);
                    if stream.len() < MAX_TOKENS {
                        stream.push(flag(tag_token(&tag), chrome.inside()));
                    }
                }
                Piece::Text(text) => {
                    let from = stream.len();
                    text_tokens(text, &mut stream);
                    let inside = chrome.inside();
                    for t in stream.iter_mut().skip(from) {
                        *t = flag(*t, inside);
                    }
                }
            });
        }
        Self::from_stream(&stream, kind)
    }

    /// Shingles a token stream whose low bit marks chrome tokens.
    fn from_stream(stream: &[u64], kind: BodyKind) -> Self {
        let shingle = |w: &[u64]| w.iter().fold(0x9e37_79b9_7f4a_7c15, |h, &t| mix(h ^ t));
        let (mut hashes, mut chrome) = (Vec::new(), Vec::new());
        if stream.len() < SHINGLE {
            // Too short to shingle: the whole stream is one shingle, so "OK" equals "OK" and
            // differs from "Forbidden".
            hashes.push(shingle(stream));
        } else {
            hashes.reserve(stream.len());
            for w in stream.windows(SHINGLE) {
                // A shingle belongs to the region its first token is in.
                if w.first().is_some_and(|t| t & 1 == 1) {
                    chrome.push(shingle(w));
                } else {
                    hashes.push(shingle(w));
                }
            }
        }
        let truncated = sketch(&mut hashes, MAX_HASHES) | sketch(&mut chrome, MAX_CHROME_HASHES);
        Fingerprint {
            hashes,
            chrome,
            truncated,
            kind,
        }
    }

    /// Number of distinct shingle hashes kept (content and chrome).
    pub fn len(&self) -> usize {
        self.hashes.len() + self.chrome.len()
    }

    /// True for an empty body.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty() && self.chrome.is_empty()
    }

    /// The kind of body the fingerprint was taken from.
    pub fn kind(&self) -> BodyKind {
        self.kind
    }
}

/// Similarity of two fingerprints in 0..=1: 1 for the same page, 0 for nothing in common.
///
/// A weighted Jaccard index: shingles of the layout chrome (navigation, header, footer,
/// sidebar) weigh [`CHROME_WEIGHT`], main-content shingles weigh 1, because the signed-in user's
/// name and role-dependent menu items live in the chrome while access control is about the
/// content. Two empty bodies are equal (1); an empty body and a non-empty one share nothing (0).
pub fn similarity(a: &Fingerprint, b: &Fingerprint) -> f64 {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return 1.0,
        (true, false) | (false, true) => return 0.0,
        _ => {}
    }
    let truncated = a.truncated || b.truncated;
    let (both_c, union_c) = overlap(&a.hashes, &b.hashes, truncated, MAX_HASHES);
    let (both_h, union_h) = overlap(&a.chrome, &b.chrome, truncated, MAX_CHROME_HASHES);
    let union = union_c as f64 + CHROME_WEIGHT * union_h as f64;
    if union <= 0.0 {
        return 1.0;
    }
    ((both_c as f64 + CHROME_WEIGHT * both_h as f64) / union).clamp(0.0, 1.0)
}

/// Share of `part`'s content shingles that also occur in `whole` (0..=1): near 1 when `part` is
/// `whole` with some pieces missing, as when a page is served without the session's own
/// parts (user name, "logged in as" bar, personal menu). Empty or truncated sketches give 0,
/// since containment cannot be decided from them.
pub fn containment(part: &Fingerprint, whole: &Fingerprint) -> f64 {
    if part.hashes.is_empty() || part.truncated || whole.truncated {
        return 0.0;
    }
    let (both, _) = overlap(&part.hashes, &whole.hashes, false, usize::MAX);
    both as f64 / part.hashes.len() as f64
}

/// Share of the content shingles `whole` has and `part` lacks that occur in some of `others`:
/// near 1 when what a replay is missing is the session's own furniture (a user name, a
/// "logged in as" bar) that the privileged role's other pages carry too, rather than data.
pub fn missing_explained_by(
    whole: &Fingerprint,
    part: &Fingerprint,
    others: &[&Fingerprint],
) -> f64 {
    let missing: Vec<u64> = whole
        .hashes
        .iter()
        .filter(|h| part.hashes.binary_search(h).is_err())
        .copied()
        .collect();
    if missing.is_empty() {
        return 1.0;
    }
    let explained = missing
        .iter()
        .filter(|h| others.iter().any(|o| o.hashes.binary_search(h).is_ok()))
        .count();
    explained as f64 / missing.len() as f64
}

/// Content shingles of a fingerprint (the chrome not counted).
pub fn content_len(f: &Fingerprint) -> usize {
    f.hashes.len()
}

/// Weight of a chrome shingle relative to a content shingle.
pub const CHROME_WEIGHT: f64 = 0.1;
/// Chrome sets larger than this keep only their smallest hashes.
const MAX_CHROME_HASHES: usize = 2048;

/// Sorts, de-duplicates and caps a hash set; true when hashes were dropped.
fn sketch(hashes: &mut Vec<u64>, cap: usize) -> bool {
    hashes.sort_unstable();
    hashes.dedup();
    let truncated = hashes.len() > cap;
    hashes.truncate(cap);
    truncated
}

/// Shared and total hashes of two sorted sets. Exact when neither fingerprint was truncated;
/// otherwise the bottom-k estimate over the `cap` smallest hashes of the union, each of which is
/// below every sketch's largest kept hash, so membership is decidable.
fn overlap(x: &[u64], y: &[u64], truncated: bool, cap: usize) -> (usize, usize) {
    let limit = if truncated { cap } else { usize::MAX };
    let (mut i, mut j, mut union, mut both) = (0, 0, 0usize, 0usize);
    while union < limit && (i < x.len() || j < y.len()) {
        match (x.get(i), y.get(j)) {
            (Some(p), Some(q)) if p == q => {
                both += 1;
                i += 1;
                j += 1;
            }
            (Some(p), Some(q)) if p < q => i += 1,
            (Some(_), Some(_)) => j += 1,
            (Some(_), None) => i += 1,
            (None, _) => j += 1,
        }
        union += 1;
    }
    (both, union)
}

/// The visible text of a body: HTML text outside tags, scripts and styles, with entities and
/// runs of whitespace folded to single spaces. JSON and plain text are returned as they are
/// (whitespace folded). Used to look for denial messages a user would actually see.
pub fn visible_text(body: &str) -> String {
    let bytes = body.as_bytes();
    let bytes = bytes.get(..MAX_SCAN).unwrap_or(bytes).trim_ascii();
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut push = |text: &[u8]| {
        let mut k = 0;
        while k < text.len() {
            let b = text.get(k).copied().unwrap_or(b' ');
            if b == b'&'
                && let Some(len) = entity_len(text.get(k..).unwrap_or_default())
            {
                push_space(&mut out);
                k += len;
                continue;
            }
            if b.is_ascii_whitespace() {
                push_space(&mut out);
                k += 1;
                continue;
            }
            // Copy the run up to the next special byte in one go; boundaries are ASCII bytes,
            // so the run is whole UTF-8 characters.
            let run_end = text
                .get(k..)
                .and_then(|rest| {
                    rest.iter()
                        .position(|&c| c == b'&' || c.is_ascii_whitespace())
                })
                .map_or(text.len(), |p| k + p);
            if let Some(run) = text.get(k..run_end) {
                out.push_str(&String::from_utf8_lossy(run));
            }
            k = run_end.max(k + 1);
        }
        push_space(&mut out);
    };
    if looks_like_json(bytes, None) {
        push(bytes);
    } else {
        scan_markup(bytes, |piece| {
            if let Piece::Text(t) = piece {
                push(t);
            }
        });
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// True when the HTML contains an `<input type="password">`: the mark of a login form.
pub fn has_password_input(body: &str) -> bool {
    let bytes = body.as_bytes();
    let bytes = bytes.get(..MAX_SCAN).unwrap_or(bytes);
    let mut found = false;
    scan_markup(bytes, |piece| {
        if let Piece::Tag(tag) = piece
            && !tag.closing
            && tag.name.eq_ignore_ascii_case(b"input")
            && tag
                .type_attr
                .is_some_and(|t| t.trim_ascii().eq_ignore_ascii_case(b"password"))
        {
            found = true;
        }
    });
    found
}

/// True for a single-page-application shell: little visible text, scripts, and an empty mount
/// element. Every route of such an application returns the same shell and the data comes from
/// an API, so two equal shells say nothing about access control.
pub fn is_spa_shell(body: &str) -> bool {
    let bytes = body.as_bytes();
    let bytes = bytes.get(..MAX_SCAN).unwrap_or(bytes);
    let mut scripts = 0usize;
    let mut text_bytes = 0usize;
    let mut mount = false;
    scan_markup(bytes, |piece| match piece {
        Piece::Tag(tag) => {
            if !tag.closing && tag.name.eq_ignore_ascii_case(b"script") {
                scripts += 1;
            }
            if !tag.closing
                && (tag.name.eq_ignore_ascii_case(b"app-root")
                    || tag.id_attr.is_some_and(|id| {
                        [
                            &b"app"[..],
                            b"root",
                            b"__next",
                            b"__nuxt",
                            b"q-app",
                            b"main-app",
                            b"svelte",
                        ]
                        .iter()
                        .any(|m| id.eq_ignore_ascii_case(m))
                    }))
            {
                mount = true;
            }
        }
        Piece::Text(t) => text_bytes += t.iter().filter(|b| !b.is_ascii_whitespace()).count(),
    });
    mount && scripts > 0 && text_bytes < 400
}

fn looks_like_json(bytes: &[u8], content_type: Option<&str>) -> bool {
    let ct_json = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("json"));
    ct_json || matches!(bytes.first(), Some(b'{') | Some(b'['))
}

// ---------------------------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------------------------

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over ASCII-lowercased bytes, seeded by token class so a word and a tag of the same
/// spelling differ.
const fn fnv(seed: u64, mut bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET ^ seed;
    while let [b, rest @ ..] = bytes {
        h ^= b.to_ascii_lowercase() as u64;
        h = h.wrapping_mul(FNV_PRIME);
        bytes = rest;
    }
    h
}

/// splitmix64 finaliser: spreads FNV's weak low bits and chains shingle tokens order-sensitively.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const SEED_WORD: u64 = 1;
const SEED_TAG: u64 = 2;
const SEED_KEY: u64 = 3;
const SEED_MASK: u64 = 4;
const SEED_JSON: u64 = 5;

const MASK_NUMBER: u64 = fnv(SEED_MASK, b"number");
const MASK_UUID: u64 = fnv(SEED_MASK, b"uuid");
const MASK_HEX: u64 = fnv(SEED_MASK, b"hex");
const MASK_B64: u64 = fnv(SEED_MASK, b"base64");
const JSON_OPEN_OBJ: u64 = fnv(SEED_JSON, b"{");
const JSON_CLOSE_OBJ: u64 = fnv(SEED_JSON, b"}");
const JSON_OPEN_ARR: u64 = fnv(SEED_JSON, b"[");
const JSON_CLOSE_ARR: u64 = fnv(SEED_JSON, b"]");
const JSON_EMPTY_STR: u64 = fnv(SEED_JSON, b"\"\"");
const JSON_DEEP: u64 = fnv(SEED_JSON, b"...");

/// Marks a token as chrome (low bit set) or content (low bit clear).
fn flag(token: u64, chrome: bool) -> u64 {
    (token & !1) | u64::from(chrome)
}

/// Follows which part of the page the scanner is in: inside a chrome element or not.
///
/// Chrome elements are `nav`, `header`, `footer` and `aside`, and containers whose `id` or
/// `class` names a navigation bar, sidebar, menu, header or footer. Only the outermost chrome
/// element is tracked, by counting nested tags of its own name, so unclosed `<p>` or `<li>`
/// elsewhere cannot confuse it.
#[derive(Default)]
struct ChromeTracker {
    open: Option<(Vec<u8>, u32)>,
}

impl ChromeTracker {
    fn inside(&self) -> bool {
        self.open.is_some()
    }

    fn see(&mut self, tag: &Tag<'_>) {
        if let Some((name, depth)) = &mut self.open {
            if tag.name.eq_ignore_ascii_case(name) {
                if tag.closing {
                    *depth = depth.saturating_sub(1);
                    if *depth == 0 {
                        self.open = None;
                    }
                } else if !tag.self_closing {
                    *depth += 1;
                }
            }
            return;
        }
        if !tag.closing && !tag.self_closing && is_chrome(tag) {
            self.open = Some((tag.name.to_ascii_lowercase(), 1));
        }
    }
}

fn is_chrome(tag: &Tag<'_>) -> bool {
    let words = |v: Option<&[u8]>| -> Vec<Vec<u8>> {
        v.unwrap_or_default()
            .split(|&b| b.is_ascii_whitespace() || b == b'-' || b == b'_')
            .filter(|w| !w.is_empty())
            .map(<[u8]>::to_ascii_lowercase)
            .collect()
    };
    let mut names = words(tag.class_attr);
    names.extend(words(tag.id_attr));
    // "card-header", "modal-footer", "content-header" title content, not layout.
    const CONTENT: &[&[u8]] = &[
        b"card",
        b"modal",
        b"panel",
        b"content",
        b"box",
        b"widget",
        b"table",
        b"article",
        b"post",
        b"entry",
        b"section",
        b"page",
        b"dialog",
        b"accordion",
        b"tab",
    ];
    if names.iter().any(|w| CONTENT.contains(&w.as_slice())) {
        return false;
    }
    let semantic = [&b"nav"[..], b"header", b"footer", b"aside"]
        .iter()
        .any(|n| tag.name.eq_ignore_ascii_case(n));
    if semantic {
        return true;
    }
    const LAYOUT: &[&[u8]] = &[
        b"nav",
        b"navbar",
        b"navigation",
        b"sidebar",
        b"sidenav",
        b"header",
        b"footer",
        b"topbar",
        b"menu",
        b"menubar",
        b"breadcrumb",
        b"breadcrumbs",
        b"masthead",
    ];
    let container = [&b"div"[..], b"ul", b"section", b"td", b"table"]
        .iter()
        .any(|n| tag.name.eq_ignore_ascii_case(n));
    container && names.iter().any(|w| LAYOUT.contains(&w.as_slice()))
}

fn tag_token(tag: &Tag<'_>) -> u64 {
    let mut h = fnv(SEED_TAG, tag.name);
    if tag.closing {
        h = mix(h ^ 0x2f);
    }
    // Form controls carry their type and name: stable, and they tell a login form from a table.
    if let Some(t) = tag.type_attr {
        h = mix(h ^ fnv(SEED_TAG, t));
    }
    if let Some(n) = tag.name_attr {
        h = mix(h ^ fnv(SEED_TAG, n).rotate_left(17));
    }
    h
}

// ---------------------------------------------------------------------------------------------
// Text tokens and volatile-token masking
// ---------------------------------------------------------------------------------------------

/// Bytes that end a chunk. `.`, `:`, `/`, `-`, `+`, `=`, `_` stay inside so that dates, times,
/// UUIDs and base64 runs are seen whole before being split into words.
fn is_chunk_break(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b',' | b';'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'"'
                | b'\''
                | b'<'
                | b'>'
                | b'|'
                | b'!'
                | b'?'
                | b'*'
                | b'`'
        )
}

/// Length of an HTML entity (`&amp;`, `&#39;`, `&#x27;`) at the start of `s`, if any.
fn entity_len(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'&') {
        return None;
    }
    let body = s.get(1..)?;
    let end = body.iter().take(12).position(|&b| b == b';')?;
    let name = body.get(..end)?;
    let ok = !name.is_empty()
        && (name.iter().all(u8::is_ascii_alphanumeric)
            || (name.first() == Some(&b'#')
                && name.len() > 1
                && name
                    .iter()
                    .skip(1)
                    .all(|&b| b.is_ascii_hexdigit() || b == b'x' || b == b'X')));
    ok.then_some(end + 2)
}

fn text_tokens(text: &[u8], out: &mut Vec<u64>) {
    let mut k = 0;
    while k < text.len() && out.len() < MAX_TOKENS {
        let b = text.get(k).copied().unwrap_or(b' ');
        if b == b'&' {
            k += entity_len(text.get(k..).unwrap_or_default()).unwrap_or(1);
            continue;
        }
        if is_chunk_break(b) {
            k += 1;
            continue;
        }
        let end = text
            .get(k..)
            .and_then(|rest| rest.iter().position(|&c| is_chunk_break(c) || c == b'&'))
            .map_or(text.len(), |p| k + p);
        if let Some(chunk) = text.get(k..end) {
            chunk_tokens(chunk, out);
        }
        k = end.max(k + 1);
    }
}

/// Classifies one chunk: a volatile value becomes one mask token, anything else its words.
fn chunk_tokens(chunk: &[u8], out: &mut Vec<u64>) {
    let trimmed = trim_ascii_punct(chunk);
    if trimmed.is_empty() {
        return;
    }
    if let Some(mask) = volatile_class(trimmed) {
        out.push(mask);
        return;
    }
    for word in trimmed.split(|b| b.is_ascii() && !b.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let token = if word.len() >= 4 && word.iter().all(u8::is_ascii_digit) {
            MASK_NUMBER
        } else if word.len() >= 16 && word.iter().all(u8::is_ascii_hexdigit) {
            MASK_HEX
        } else {
            fnv(SEED_WORD, word)
        };
        out.push(token);
    }
}

fn trim_ascii_punct(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii() || b.is_ascii_alphanumeric())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii() || b.is_ascii_alphanumeric())
        .map_or(start, |p| p + 1);
    s.get(start..end).unwrap_or_default()
}

/// The mask for a volatile chunk, or `None` when the chunk is ordinary text.
fn volatile_class(c: &[u8]) -> Option<u64> {
    if is_uuid(c) {
        return Some(MASK_UUID);
    }
    let digits = c.iter().filter(|b| b.is_ascii_digit()).count();
    if digits > 0
        && c.iter().all(|&b| {
            b.is_ascii_digit() || matches!(b, b'-' | b'/' | b':' | b'.' | b'+' | b'T' | b'Z')
        })
    {
        // Dates, times, long or grouped numbers; short plain numbers (counts, "3 pesan") stay.
        let time_or_date = c.contains(&b':') || (digits >= 4 && digits < c.len());
        return (digits >= 4 || time_or_date).then_some(MASK_NUMBER);
    }
    if c.len() >= 16 && c.iter().all(u8::is_ascii_hexdigit) {
        return Some(MASK_HEX);
    }
    if c.len() >= 20
        && digits > 0
        && c.iter().any(u8::is_ascii_alphabetic)
        && c.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'.')
        })
    {
        return Some(MASK_B64);
    }
    None
}

/// `8-4-4-4-12` hex digits.
pub(crate) fn is_uuid(c: &[u8]) -> bool {
    c.len() == 36
        && c.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

fn json_tokens(v: &serde_json::Value, depth: usize, out: &mut Vec<u64>) {
    use serde_json::Value;
    if out.len() >= MAX_TOKENS {
        return;
    }
    if depth > MAX_JSON_DEPTH {
        out.push(JSON_DEEP);
        return;
    }
    match v {
        Value::Null => out.push(fnv(SEED_JSON, b"null")),
        Value::Bool(b) => out.push(fnv(SEED_JSON, if *b { b"true" } else { b"false" })),
        Value::Number(n) => {
            let s = n.to_string();
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            out.push(if digits >= 4 {
                MASK_NUMBER
            } else {
                fnv(SEED_WORD, s.as_bytes())
            });
        }
        Value::String(s) if s.trim().is_empty() => out.push(JSON_EMPTY_STR),
        Value::String(s) => text_tokens(s.as_bytes(), out),
        Value::Array(items) => {
            out.push(JSON_OPEN_ARR);
            for item in items {
                json_tokens(item, depth + 1, out);
            }
            out.push(JSON_CLOSE_ARR);
        }
        Value::Object(map) => {
            out.push(JSON_OPEN_OBJ);
            for (key, value) in map {
                // Keys that are themselves ids or dates (maps keyed by id) are masked too.
                let k = key.as_bytes();
                out.push(volatile_class(k).unwrap_or_else(|| fnv(SEED_KEY, k)));
                json_tokens(value, depth + 1, out);
            }
            out.push(JSON_CLOSE_OBJ);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Markup scanner
// ---------------------------------------------------------------------------------------------

/// One tag as the scanner sees it; only the attributes the fingerprint and detectors need.
pub(crate) struct Tag<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) closing: bool,
    pub(crate) type_attr: Option<&'a [u8]>,
    pub(crate) name_attr: Option<&'a [u8]>,
    pub(crate) id_attr: Option<&'a [u8]>,
    pub(crate) class_attr: Option<&'a [u8]>,
    pub(crate) self_closing: bool,
}

/// A piece of markup: a tag, or the text between tags.
pub(crate) enum Piece<'a> {
    Tag(Tag<'a>),
    Text(&'a [u8]),
}

/// A forgiving single-pass HTML scanner: comments, doctypes and processing instructions are
/// skipped, script and style contents are skipped, a `<` not followed by a tag name is text.
/// Linear in the input, never fails; every slice boundary is an ASCII byte, so text pieces are
/// whole UTF-8 characters.
pub(crate) fn scan_markup<'a>(body: &'a [u8], mut f: impl FnMut(Piece<'a>)) {
    let n = body.len();
    let mut i = 0;
    let mut text_start = 0;
    while i < n {
        let Some(lt) = body
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| b == b'<'))
        else {
            break;
        };
        i += lt;
        let next = body.get(i + 1).copied();
        let is_tag = matches!(next, Some(c) if c.is_ascii_alphabetic() || c == b'/' || c == b'!' || c == b'?');
        if !is_tag {
            i += 1;
            continue;
        }
        if let Some(text) = body.get(text_start..i)
            && !text.is_empty()
        {
            f(Piece::Text(text));
        }
        let rest = body.get(i..).unwrap_or_default();
        if rest.starts_with(b"<!--") {
            i = find(body, i + 4, b"-->").map_or(n, |p| p + 3);
            text_start = i;
            continue;
        }
        if matches!(next, Some(b'!') | Some(b'?')) {
            i = find(body, i + 2, b">").map_or(n, |p| p + 1);
            text_start = i;
            continue;
        }
        let closing = next == Some(b'/');
        let name_start = i + 1 + usize::from(closing);
        let name_len = body
            .get(name_start..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'_')
            .count();
        let name = body
            .get(name_start..name_start + name_len)
            .unwrap_or_default();
        let attrs = parse_attrs(body, name_start + name_len);
        i = attrs.end;
        text_start = i;
        if name.is_empty() {
            continue;
        }
        f(Piece::Tag(Tag {
            name,
            closing,
            type_attr: attrs.type_attr,
            name_attr: attrs.name_attr,
            id_attr: attrs.id_attr,
            class_attr: attrs.class_attr,
            self_closing: attrs.self_closing || is_void(name),
        }));
        if !closing && (name.eq_ignore_ascii_case(b"script") || name.eq_ignore_ascii_case(b"style"))
        {
            // Raw-text element: its content is code, not visible text, and often volatile.
            let close: &[u8] = if name.eq_ignore_ascii_case(b"script") {
                b"</script"
            } else {
                b"</style"
            };
            i = find_ignore_case(body, i, close).unwrap_or(n);
            text_start = i;
        }
    }
    if let Some(text) = body.get(text_start..)
        && !text.is_empty()
    {
        f(Piece::Text(text));
    }
}

/// What [`parse_attrs`] reads from a tag.
#[derive(Default)]
struct Attrs<'a> {
    end: usize,
    type_attr: Option<&'a [u8]>,
    name_attr: Option<&'a [u8]>,
    id_attr: Option<&'a [u8]>,
    class_attr: Option<&'a [u8]>,
    self_closing: bool,
}

/// Void elements never have a closing tag.
fn is_void(name: &[u8]) -> bool {
    const VOID: &[&[u8]] = &[
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
        b"source", b"track", b"wbr",
    ];
    VOID.iter().any(|v| name.eq_ignore_ascii_case(v))
}

/// Reads attributes from `start` to the closing `>` (outside quotes): the position after it and
/// the attributes the detectors use.
fn parse_attrs(body: &[u8], start: usize) -> Attrs<'_> {
    let n = body.len();
    let mut j = start;
    let mut attrs = Attrs::default();
    loop {
        while j < n
            && body
                .get(j)
                .is_some_and(|&b| b.is_ascii_whitespace() || b == b'/')
        {
            j += 1;
        }
        match body.get(j) {
            None => {
                attrs.end = n;
                return attrs;
            }
            Some(b'>') => {
                attrs.self_closing = j > start && body.get(j - 1) == Some(&b'/');
                attrs.end = j + 1;
                return attrs;
            }
            _ => {}
        }
        let an_start = j;
        while j < n
            && body
                .get(j)
                .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'=' && b != b'>')
        {
            j += 1;
        }
        let attr = body.get(an_start..j).unwrap_or_default();
        while j < n && body.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if body.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while j < n && body.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        let value = match body.get(j).copied() {
            Some(q @ (b'"' | b'\'')) => {
                let vs = j + 1;
                let ve = body
                    .get(vs..)
                    .and_then(|r| r.iter().position(|&b| b == q))
                    .map_or(n, |p| vs + p);
                j = (ve + 1).min(n);
                body.get(vs..ve).unwrap_or_default()
            }
            _ => {
                let vs = j;
                while j < n
                    && body
                        .get(j)
                        .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>')
                {
                    j += 1;
                }
                body.get(vs..j).unwrap_or_default()
            }
        };
        let slot = if attr.eq_ignore_ascii_case(b"type") {
            &mut attrs.type_attr
        } else if attr.eq_ignore_ascii_case(b"name") {
            &mut attrs.name_attr
        } else if attr.eq_ignore_ascii_case(b"id") {
            &mut attrs.id_attr
        } else if attr.eq_ignore_ascii_case(b"class") {
            &mut attrs.class_attr
        } else {
            continue;
        };
        *slot = Some(value);
    }
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = hay.get(from..)?;
    rest.windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ignore_case(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = hay.get(from..)?;
    rest.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testpages::{layout, login_page, user_table};

    fn fp(body: &str) -> Fingerprint {
        Fingerprint::of_body(body, None)
    }

    fn sim(a: &str, b: &str) -> f64 {
        similarity(&fp(a), &fp(b))
    }

    #[test]
    fn same_page_with_other_token_time_and_user_is_nearly_identical() {
        let a = layout(
            "Data Pegawai",
            "Budi Santoso",
            "Jx8kQ2mZp4Lr7Tn1Vb6Wc3Yd9Ae5Sf0GhKiLmNoP",
            "2024-05-01 10:15:33",
            &user_table(25),
        );
        let b = layout(
            "Data Pegawai",
            "Siti Aminah",
            "Qw3eRt5yUi7oPa9sDf1gHj2kLz4xCv6bNm8MnBvC",
            "2024-06-17 23:01:09",
            &user_table(25),
        );
        let s = sim(&a, &b);
        assert!(s > 0.95, "similarity {s}");
    }

    #[test]
    fn small_page_with_other_user_name_stays_high() {
        let a = layout(
            "Profil",
            "Budi Santoso",
            "aaaaaaaaaaaaaaaaaaaaaaaa1",
            "2024-05-01 10:15:33",
            "<p>Pengaturan akun Anda.</p>",
        );
        let b = layout(
            "Profil",
            "Siti Aminah",
            "bbbbbbbbbbbbbbbbbbbbbbbb2",
            "2024-05-02 11:00:00",
            "<p>Pengaturan akun Anda.</p>",
        );
        let s = sim(&a, &b);
        assert!(s > 0.85, "similarity {s}");
    }

    #[test]
    fn lower_role_menu_and_name_do_not_flip_a_small_page() {
        let main = "<p>Laporan realisasi anggaran triwulan kedua.</p><a href=\"/laporan/unduh\">Unduh PDF</a>";
        let admin = layout("Laporan", "Budi Santoso", "t1", "2024-05-01 10:00", main).replace(
            "<a href=\"/laporan\">Laporan</a>",
            "<a href=\"/laporan\">Laporan</a> <a href=\"/admin/pengguna\">Manajemen Pengguna</a> <a href=\"/admin/log\">Log Audit</a> <a href=\"/admin/setelan\">Pengaturan Sistem</a>",
        );
        let user = layout("Laporan", "Siti Aminah", "t2", "2024-05-02 11:00", main);
        let s = sim(&admin, &user);
        assert!(s > 0.9, "similarity {s}");
    }

    #[test]
    fn chrome_detection() {
        let tag = |name: &'static [u8], class: Option<&'static [u8]>| Tag {
            name,
            closing: false,
            type_attr: None,
            name_attr: None,
            id_attr: None,
            class_attr: class,
            self_closing: false,
        };
        assert!(is_chrome(&tag(b"nav", None)));
        assert!(is_chrome(&tag(b"div", Some(b"main-sidebar elevation-4"))));
        assert!(is_chrome(&tag(b"ul", Some(b"navbar-nav ml-auto"))));
        assert!(!is_chrome(&tag(b"div", Some(b"card-header"))));
        assert!(!is_chrome(&tag(b"header", Some(b"content-header"))));
        assert!(!is_chrome(&tag(b"div", Some(b"row"))));
    }

    #[test]
    fn login_page_and_admin_table_are_far_apart() {
        let admin = layout(
            "Data Pegawai",
            "Budi",
            "tok1",
            "2024-05-01",
            &user_table(25),
        );
        let s = sim(&login_page("x1y2z3"), &admin);
        assert!(s < 0.1, "similarity {s}");
    }

    #[test]
    fn denial_page_in_the_same_layout_is_far_from_content() {
        let admin = layout(
            "Data Pegawai",
            "Budi",
            "tok1",
            "2024-05-01",
            &user_table(25),
        );
        let denied = layout(
            "Akses ditolak",
            "Budi",
            "tok2",
            "2024-05-01",
            "<div class=\"alert\">Anda tidak memiliki hak akses ke halaman ini.</div>",
        );
        let s = sim(&denied, &admin);
        assert!(s < 0.3, "similarity {s}");
        let plain403 = "<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1><p>You don't have permission to access this resource.</p><hr><address>Apache/2.4.41 (Ubuntu) Server at simpeg.contoh.example.go.id Port 443</address></body></html>";
        let s = sim(plain403, &admin);
        assert!(s < 0.05, "similarity {s}");
    }

    #[test]
    fn other_page_in_same_layout_is_below_the_enforcement_line() {
        let a = layout("Data Pegawai", "Budi", "t", "2024-05-01", &user_table(25));
        let dash = layout(
            "Dasbor",
            "Budi",
            "t",
            "2024-05-01",
            "<div class=\"row\"><div class=\"card\"><h3>Pengumuman</h3><p>Apel pagi hari Senin dilaksanakan di halaman kantor bupati.</p></div><div class=\"card\"><h3>Cuti</h3><p>Sisa cuti tahunan Anda 9 hari.</p></div></div>",
        );
        let s = sim(&a, &dash);
        assert!(s < 0.5, "similarity {s}");
    }

    #[test]
    fn empty_bodies() {
        assert_eq!(sim("", ""), 1.0);
        assert_eq!(sim("  \n", ""), 1.0);
        assert_eq!(sim("", "<p>isi</p>"), 0.0);
        assert_eq!(sim("<p>isi</p>", " "), 0.0);
        assert!(fp("").is_empty());
        assert_eq!(fp("").kind(), BodyKind::Empty);
    }

    #[test]
    fn identical_bodies_are_one_and_short_bodies_compare() {
        let page = layout("X", "u", "t", "2024", "<p>a</p>");
        assert_eq!(sim(&page, &page), 1.0);
        assert_eq!(sim("OK", "OK"), 1.0);
        assert_eq!(sim("OK", "Forbidden"), 0.0);
    }

    #[test]
    fn json_structure_and_values() {
        let a = r#"{"data":[{"id":12345,"nama":"Budi Santoso","nik":"3201012345678901","dibuat":"2024-05-01T10:00:00Z"}],"csrf":"9f86d081884c7d659a2feaa0c55ad015"}"#;
        let b = r#"{"data":[{"id":12399,"nama":"Budi Santoso","nik":"3201012345678999","dibuat":"2024-06-01T11:30:00Z"}],"csrf":"0c55ad0159f86d081884c7d659a2feaa"}"#;
        assert_eq!(Fingerprint::of_body(a, None).kind(), BodyKind::Json);
        assert!(sim(a, b) > 0.95, "{}", sim(a, b));
        let denied = r#"{"error":"forbidden","message":"Akses ditolak"}"#;
        assert!(sim(a, denied) < 0.1);
        let empty_list = r#"{"data":[],"csrf":"9f86d081884c7d659a2feaa0c55ad015"}"#;
        assert!(sim(a, empty_list) < 0.5);
    }

    #[test]
    fn volatile_classes() {
        assert_eq!(volatile_class(b"2024-05-01"), Some(MASK_NUMBER));
        assert_eq!(volatile_class(b"10:15"), Some(MASK_NUMBER));
        assert_eq!(volatile_class(b"1.234.567"), Some(MASK_NUMBER));
        assert_eq!(volatile_class(b"2024-05-01T10:00:00Z"), Some(MASK_NUMBER));
        assert_eq!(volatile_class(b"12"), None);
        assert_eq!(volatile_class(b"3.2"), None);
        assert_eq!(
            volatile_class(b"123e4567-e89b-12d3-a456-426614174000"),
            Some(MASK_UUID)
        );
        assert_eq!(volatile_class(b"9f86d081884c7d65"), Some(MASK_HEX));
        assert_eq!(
            volatile_class(b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.abc"),
            Some(MASK_B64)
        );
        assert_eq!(volatile_class(b"Pemerintahan"), None);
    }

    #[test]
    fn attribute_values_and_scripts_do_not_count() {
        let a = r#"<form><input type="hidden" name="_token" value="AAAA"><script>var n="x1";</script><p>Halo</p></form>"#;
        let b = r#"<form><input type="hidden" name="_token" value="BBBB"><script>var n="y2";</script><p>Halo</p></form>"#;
        assert_eq!(sim(a, b), 1.0);
    }

    #[test]
    fn visible_text_and_password_detection() {
        let html = "<html><head><style>.x{}</style><script>alert('Access denied')</script></head><body><p>Akses&nbsp;ditolak\n\n  untuk  Anda</p><!-- Forbidden --></body></html>";
        let t = visible_text(html);
        assert_eq!(t, "Akses ditolak untuk Anda");
        assert!(has_password_input(&login_page("t")));
        assert!(has_password_input("<INPUT TYPE=PASSWORD name=p>"));
        assert!(!has_password_input(
            "<input type=\"text\" name=\"password\">"
        ));
    }

    #[test]
    fn spa_shell_detection() {
        let spa = r#"<!doctype html><html><head><title>Portal</title><script type="module" src="/assets/index-4f2a.js"></script></head><body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>"#;
        assert!(is_spa_shell(spa));
        assert!(!is_spa_shell(&layout("X", "u", "t", "1", &user_table(5))));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let nested = "[".repeat(100_000);
        let _ = fp(&nested);
        let nested_obj = "{\"a\":".repeat(10_000);
        let _ = fp(&nested_obj);
        let deep_ok = format!("{}1{}", "[".repeat(120), "]".repeat(120));
        assert_eq!(fp(&deep_ok).kind(), BodyKind::Json);
        for s in [
            "<",
            "<a",
            "<a href=\"",
            "<!--",
            "<script>",
            "</",
            "<a =x>",
            "&#",
            "&",
            "<<<>>>",
            "\u{FFFD}\u{0}\u{1}<p\u{FFFD}>",
            "<input type=password",
        ] {
            let _ = fp(s);
            let _ = visible_text(s);
            let _ = has_password_input(s);
            let _ = is_spa_shell(s);
        }
        let garbage: String = (0..50_000u32)
            .map(|i| char::from_u32((i * 7919) % 0x2FFF).unwrap_or('x'))
            .collect();
        let _ = fp(&garbage);
    }

    #[test]
    fn truncated_fingerprints_estimate() {
        // Many distinct words produce more than MAX_HASHES shingles.
        let mut a = String::new();
        for i in 0..30_000 {
            a.push_str(&format!("w{i} "));
            a.push_str(["alpha ", "beta ", "gamma ", "delta "][i % 4]);
        }
        let fa = fp(&a);
        assert!(fa.truncated);
        assert_eq!(fa.len(), MAX_HASHES);
        assert_eq!(similarity(&fa, &fa), 1.0);
        let other = fp(&a.replace("alpha", "omega"));
        let s = similarity(&fa, &other);
        assert!(s < 0.9, "{s}");
    }
}
