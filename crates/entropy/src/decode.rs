//! Token structure: unwrap known formats (JWT, UUID, framework cookies), align tokens, find the
//! constant (format) positions and the alphabet, and turn every variable position into symbols.

use crate::{Error, Options, Reason, Severity, Token};
use serde::Serialize;
use std::collections::HashMap;

/// Character alphabet of the variable part of the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// Digits 0-9.
    Decimal,
    /// Hexadecimal (one case).
    Hex,
    /// A 32-symbol alphabet (PHP 5-bit, ASP.NET, RFC 4648).
    Base32,
    /// Digits and one case of letters (36 symbols).
    LowerAlnum,
    /// Digits and both cases of letters (62 symbols).
    Alphanumeric,
    /// Standard base64 (`+/`).
    Base64,
    /// URL-safe base64 (`-_`).
    Base64Url,
    /// PHP's 6-bit session alphabet (`0-9a-zA-Z,-`).
    Php64,
    /// Some other set of characters, taken as observed.
    Custom,
}

/// Recognised token layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatKind {
    /// No known framework layout.
    Opaque,
    /// RFC 4122/9562 UUID; version and variant bits are format.
    Uuid,
    /// JSON Web Token; only the signature is analysed.
    Jwt,
    /// Java servlet session id, possibly with a `.jvmRoute` suffix (stripped).
    Jsessionid,
    /// PHP session id.
    Phpsessid,
    /// ASP.NET session id (24 characters of `a-z0-5`).
    AspNetSessionId,
    /// Express `connect.sid` signed cookie (`s:<id>.<hmac>`); the id is analysed.
    ConnectSid,
    /// Django session key (32 characters of `a-z0-9`).
    Django,
    /// Laravel encrypted session cookie; the ciphertext is analysed.
    Laravel,
}

/// What the decoder found out about the token structure.
#[derive(Debug, Clone, Serialize)]
pub struct DetectedFormat {
    /// Recognised layout.
    pub kind: FormatKind,
    /// Alphabet of the variable positions.
    pub encoding: Encoding,
    /// The alphabet itself, in value order.
    pub alphabet: String,
    /// Length in characters of the analysed string (after unwrapping and padding).
    pub token_length: usize,
    /// Most common length of the raw tokens.
    pub raw_length: usize,
    /// Character positions that never change (format, not entropy).
    pub constant_positions: Vec<usize>,
    /// Number of variable character positions.
    pub variable_positions: usize,
    /// UUID version, when the format is a UUID.
    pub uuid_version: Option<u8>,
    /// JWT `alg` header value, when the format is a JWT.
    pub jwt_alg: Option<String>,
    /// Route suffixes stripped from the tokens (e.g. Tomcat jvmRoute).
    pub route_suffixes: Vec<String>,
    /// Whether short numeric tokens were left-padded with `0` to align them.
    pub padded: bool,
    /// One-line description.
    pub description: String,
}

/// One variable character position.
#[derive(Debug, Clone)]
pub(crate) struct Pos {
    /// Index in the analysed string.
    pub char_index: usize,
    /// Symbol count of this position.
    pub k: u32,
    /// Bits used for bit-level tests: log2 k, or floor(log2 k) with rejection of larger values.
    pub bits: u32,
    /// Distinct symbols seen.
    pub distinct: u32,
}

/// Whole-token numeric views (for sequence tests).
#[derive(Debug, Clone, Default)]
pub(crate) struct Numeric {
    /// Value of the trailing variable positions that fit in 64 bits.
    pub lo: Vec<u64>,
    /// Capacity (bits) of the positions in `lo`.
    pub lo_bits: f64,
    /// Value of the leading variable positions that fit in 64 bits.
    pub hi: Vec<u64>,
    /// Whether `lo` covers every variable position.
    pub full: bool,
    /// Whether `lo` is exactly the value modulo 2^64 (power-of-two radix, 64 bits).
    pub lo_is_mod_2_64: bool,
    /// Character indices that make up `lo`.
    pub lo_positions: Vec<usize>,
    /// Character indices that make up `hi`, most significant first.
    pub hi_positions: Vec<usize>,
    /// Bits per character of the alphabet.
    pub radix_bits: f64,
}

/// Decoded sample, column-major.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub format: DetectedFormat,
    pub positions: Vec<Pos>,
    /// `cols[p][i]`: symbol of token `i` at variable position `p`, in `0..positions[p].k`.
    pub cols: Vec<Vec<u16>>,
    /// Analysed strings (for duplicate detection).
    pub cores: Vec<String>,
    /// Decoded bytes per token, when the encoding maps to bytes.
    pub bytes: Vec<Vec<u8>>,
    /// Tokens kept, by index into the input.
    pub kept: Vec<usize>,
    pub numeric: Numeric,
    pub excluded: usize,
    pub notes: Vec<Reason>,
}

const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Decode base64 or base64url (padding optional); None when a character is outside both alphabets.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut nbits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
            acc &= (1 << nbits) - 1;
        }
    }
    Some(out)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 2);
    for pair in b.chunks(2) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out.push((hi * 16 + lo) as u8);
    }
    Some(out)
}

fn is_b64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// The JWT `alg` value if `s` looks like a JWT (three base64url parts, JSON header with `alg`).
fn jwt_alg(s: &str) -> Option<String> {
    let mut parts = s.split('.');
    let (h, p, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_b64url(h) || !is_b64url(p) {
        return None;
    }
    if !sig.is_empty() && !is_b64url(sig) {
        return None;
    }
    let header = base64_decode(h)?;
    let text = String::from_utf8(header).ok()?;
    let t = text.trim_start();
    if !t.starts_with('{') {
        return None;
    }
    let at = t.find("\"alg\"")?;
    let rest = &t[at + 5..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest[..end].to_string())
}

fn strip_connect_sid(s: &str) -> Option<&str> {
    let body = s
        .strip_prefix("s:")
        .or_else(|| s.strip_prefix("s%3A"))
        .or_else(|| s.strip_prefix("s%3a"))?;
    let dot = body.rfind('.')?;
    let id = &body[..dot];
    if id.is_empty() { None } else { Some(id) }
}

/// Laravel cookies are base64 of JSON with `iv`, `value` and `mac`; returns the `value` field.
fn laravel_value(s: &str) -> Option<String> {
    let s = s.replace("%3D", "=").replace("%3d", "=");
    let bytes = base64_decode(&s)?;
    let text = String::from_utf8(bytes).ok()?;
    if !(text.contains("\"iv\"") && text.contains("\"mac\"")) {
        return None;
    }
    let at = text.find("\"value\"")?;
    let rest = text[at + 7..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest[..end].replace("\\/", "/"))
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

struct AlphabetChoice {
    encoding: Encoding,
    alphabet: String,
}

fn choose_alphabet(chars: &[bool; 128]) -> AlphabetChoice {
    let candidates: [(Encoding, &str); 12] = [
        (Encoding::Decimal, "0123456789"),
        (Encoding::Hex, "0123456789abcdef"),
        (Encoding::Hex, "0123456789ABCDEF"),
        (Encoding::Base32, "0123456789abcdefghijklmnopqrstuv"),
        (Encoding::Base32, "abcdefghijklmnopqrstuvwxyz012345"),
        (Encoding::Base32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        (Encoding::LowerAlnum, "0123456789abcdefghijklmnopqrstuvwxyz"),
        (Encoding::LowerAlnum, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        (
            Encoding::Alphanumeric,
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        ),
        (Encoding::Base64Url, B64URL),
        (Encoding::Base64, B64),
        (
            Encoding::Php64,
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,-",
        ),
    ];
    for (enc, alpha) in candidates {
        let set: Vec<bool> = {
            let mut m = vec![false; 128];
            for c in alpha.bytes() {
                m[c as usize] = true;
            }
            m
        };
        if chars.iter().enumerate().all(|(c, &used)| !used || set[c]) {
            return AlphabetChoice {
                encoding: enc,
                alphabet: alpha.to_string(),
            };
        }
    }
    let alphabet: String = (0u8..128)
        .filter(|&c| chars[c as usize])
        .map(|c| c as char)
        .collect();
    AlphabetChoice {
        encoding: Encoding::Custom,
        alphabet,
    }
}

fn modal<T: std::hash::Hash + Eq + Clone>(items: impl Iterator<Item = T>) -> Option<(T, usize)> {
    let mut m: HashMap<T, usize> = HashMap::new();
    for it in items {
        *m.entry(it).or_insert(0) += 1;
    }
    m.into_iter().max_by_key(|(_, c)| *c)
}

/// The structure the decoder finds in a sample (format, alphabet, constant positions), without
/// the statistics: what [`crate::analyse`] reads first from tokens a target chose.
pub fn detect(tokens: &[Token], opts: &Options) -> Result<DetectedFormat, Error> {
    decode(tokens, opts).map(|d| d.format)
}

/// Validate, unwrap and align the sample, and build per-position symbol columns.
pub(crate) fn decode(tokens: &[Token], opts: &Options) -> Result<Decoded, Error> {
    if tokens.is_empty() {
        return Err(Error::EmptySample);
    }
    let mut notes = Vec::new();
    // Validation first: hostile input is rejected before any parsing.
    let mut raw: Vec<(usize, String)> = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        if t.value.len() > opts.max_token_len {
            return Err(Error::TokenTooLong {
                index: i,
                len: t.value.len(),
                limit: opts.max_token_len,
            });
        }
        let v = t.value.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .unwrap_or(v);
        if !v.bytes().all(|c| (0x21..=0x7e).contains(&c)) {
            return Err(Error::NonAscii { index: i });
        }
        if !v.is_empty() {
            raw.push((i, v.to_string()));
        }
    }
    let mut excluded = tokens.len() - raw.len();
    if raw.is_empty() {
        return Err(Error::EmptySample);
    }
    let raw_length = modal(raw.iter().map(|(_, s)| s.len())).map_or(0, |(l, _)| l);
    let n_raw = raw.len();
    let majority = |count: usize| count * 10 >= n_raw * 9;

    let mut kind = FormatKind::Opaque;
    let mut jwt = None;
    let mut route_suffixes = Vec::new();
    let mut uuid_version = None;

    // Known wrappers, decided by a 90% majority so a few error pages do not change the layout.
    let jwt_algs: Vec<Option<String>> = raw.iter().map(|(_, s)| jwt_alg(s)).collect();
    let mut cores: Vec<(usize, String)>;
    if majority(jwt_algs.iter().filter(|a| a.is_some()).count()) {
        kind = FormatKind::Jwt;
        jwt = modal(jwt_algs.iter().flatten().cloned()).map(|(a, _)| a);
        cores = raw
            .iter()
            .zip(&jwt_algs)
            .filter(|(_, a)| a.is_some())
            .map(|((i, s), _)| (*i, s.rsplit('.').next().unwrap_or("").to_string()))
            .collect();
        // An unsigned JWT has no signature to measure; keep the payload so the sample can still
        // be reported (the verdict fails it on `alg: none` anyway).
        if cores.iter().all(|(_, c)| c.is_empty()) {
            cores = raw
                .iter()
                .zip(&jwt_algs)
                .filter(|(_, a)| a.is_some())
                .map(|((i, s), _)| (*i, s.split('.').nth(1).unwrap_or("").to_string()))
                .collect();
        }
    } else if majority(
        raw.iter()
            .filter(|(_, s)| strip_connect_sid(s).is_some())
            .count(),
    ) {
        kind = FormatKind::ConnectSid;
        cores = raw
            .iter()
            .filter_map(|(i, s)| strip_connect_sid(s).map(|c| (*i, c.to_string())))
            .collect();
    } else if majority(raw.iter().filter(|(_, s)| is_uuid(s)).count()) {
        kind = FormatKind::Uuid;
        cores = raw
            .iter()
            .filter(|(_, s)| is_uuid(s))
            .map(|(i, s)| (*i, s.replace('-', "").to_ascii_lowercase()))
            .collect();
        uuid_version = modal(cores.iter().filter_map(|(_, c)| {
            c.as_bytes()
                .get(12)
                .and_then(|&b| (b as char).to_digit(16))
                .map(|d| d as u8)
        }))
        .map(|(v, _)| v);
    } else if let Some(v) = {
        let vals: Vec<Option<String>> = raw.iter().map(|(_, s)| laravel_value(s)).collect();
        if majority(vals.iter().filter(|v| v.is_some()).count()) {
            Some(vals)
        } else {
            None
        }
    } {
        kind = FormatKind::Laravel;
        cores = raw
            .iter()
            .zip(v)
            .filter_map(|((i, _), v)| v.map(|v| (*i, v)))
            .collect();
    } else {
        cores = raw.clone();
        // jvmRoute-style suffix: `<hex id>.<route>` with few distinct routes.
        let split: Vec<Option<(&str, &str)>> = raw
            .iter()
            .map(|(_, s)| {
                s.split_once('.').filter(|(a, b)| {
                    !a.is_empty()
                        && a.bytes().all(|c| c.is_ascii_hexdigit())
                        && !b.is_empty()
                        && !b.contains('.')
                })
            })
            .collect();
        if majority(split.iter().filter(|x| x.is_some()).count()) {
            let mut routes: Vec<String> =
                split.iter().flatten().map(|(_, r)| r.to_string()).collect();
            routes.sort();
            routes.dedup();
            if routes.len() <= 16.max(n_raw / 50) && routes.len() < n_raw {
                kind = FormatKind::Jsessionid;
                route_suffixes = routes;
                route_suffixes.truncate(32);
                cores = raw
                    .iter()
                    .zip(&split)
                    .filter_map(|((i, _), x)| x.map(|(a, _)| (*i, a.to_string())))
                    .collect();
            }
        }
    }
    excluded += n_raw - cores.len();
    cores.retain(|(_, c)| !c.is_empty());
    if cores.is_empty() {
        return Err(Error::EmptySample);
    }

    // Alignment: numeric tokens are left-padded (Burp's padding option); otherwise keep the
    // dominant length if it covers at least 80% of the sample.
    let mut padded = false;
    let min_len = cores.iter().map(|(_, c)| c.len()).min().unwrap_or(0);
    let max_len = cores.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    if min_len != max_len {
        let all_dec = cores
            .iter()
            .all(|(_, c)| c.bytes().all(|b| b.is_ascii_digit()));
        let all_hex = cores
            .iter()
            .all(|(_, c)| c.bytes().all(|b| b.is_ascii_hexdigit()));
        if (all_dec || all_hex) && max_len - min_len <= 8 && max_len <= 64 {
            padded = true;
            for (_, c) in cores.iter_mut() {
                if c.len() < max_len {
                    *c = format!("{}{}", "0".repeat(max_len - c.len()), c);
                }
            }
        } else {
            let (len, count) = modal(cores.iter().map(|(_, c)| c.len())).unwrap_or((0, 0));
            if count * 5 < cores.len() * 4 {
                return Err(Error::CannotAlign(format!(
                    "token lengths range from {min_len} to {max_len} characters and no single length covers 80% of the sample"
                )));
            }
            let before = cores.len();
            cores.retain(|(_, c)| c.len() == len);
            let dropped = before - cores.len();
            excluded += dropped;
            notes.push(Reason::new(
                "mixed_lengths",
                Severity::Info,
                format!("{dropped} tokens with a length other than {len} characters were left out of the analysis"),
                format!("{dropped} token dengan panjang selain {len} karakter tidak diikutkan dalam analisis"),
            ));
        }
    }
    let n = cores.len();
    let len = cores[0].1.len();

    // Per-position character sets; constant positions are format.
    let mut seen = vec![[0u32; 128]; len];
    for (_, c) in &cores {
        for (p, b) in c.bytes().enumerate() {
            seen[p][b as usize & 127] += 1;
        }
    }
    let mut constant_positions = Vec::new();
    let mut variable = Vec::new();
    let mut used = [false; 128];
    for (p, s) in seen.iter().enumerate() {
        let distinct = s.iter().filter(|&&x| x > 0).count();
        if distinct <= 1 {
            constant_positions.push(p);
        } else {
            variable.push(p);
            for (c, &x) in s.iter().enumerate() {
                if x > 0 {
                    used[c] = true;
                }
            }
        }
    }
    let choice = choose_alphabet(&used);
    let alpha = choice.alphabet.as_bytes();
    let radix = alpha.len() as u32;
    let mut index = [u16::MAX; 128];
    for (i, &c) in alpha.iter().enumerate() {
        index[c as usize] = i as u16;
    }
    let radix_pow2 = radix.is_power_of_two();

    // Full alphabet values per variable position (used for numeric views and symbol mapping).
    let full: Vec<Vec<u16>> = variable
        .iter()
        .map(|&p| {
            cores
                .iter()
                .map(|(_, c)| index[c.as_bytes()[p] as usize & 127].min(radix as u16 - 1))
                .collect()
        })
        .collect();

    let mut positions = Vec::with_capacity(variable.len());
    let mut cols = Vec::with_capacity(variable.len());
    for (vi, &p) in variable.iter().enumerate() {
        let vals = &full[vi];
        if radix_pow2 {
            // Only the bits that vary are entropy; constant bits (UUID version/variant, the
            // zero tail of a partial base64 character) are format.
            let (mut or, mut and) = (0u16, u16::MAX);
            for &v in vals {
                or |= v;
                and &= v;
            }
            let mask = or & !and;
            let bits = mask.count_ones();
            if bits == 0 {
                continue;
            }
            let col: Vec<u16> = vals.iter().map(|&v| pext(v, mask)).collect();
            let distinct = distinct_count(&col);
            positions.push(Pos {
                char_index: p,
                k: 1 << bits,
                bits,
                distinct,
            });
            cols.push(col);
        } else {
            // Non-power-of-two alphabets: when the sample is large enough that every symbol of
            // the alphabet should appear, a position using fewer symbols is measured on the
            // symbols it uses (as Sequencer does); otherwise the alphabet is assumed.
            let mut present = vec![false; radix as usize];
            for &v in vals {
                present[v as usize] = true;
            }
            let distinct = present.iter().filter(|&&x| x).count() as u32;
            let (k, col): (u32, Vec<u16>) = if distinct < radix && n as f64 / radix as f64 >= 20.0 {
                let mut remap = vec![0u16; radix as usize];
                let mut next = 0u16;
                for (v, &pr) in present.iter().enumerate() {
                    if pr {
                        remap[v] = next;
                        next += 1;
                    }
                }
                (distinct, vals.iter().map(|&v| remap[v as usize]).collect())
            } else {
                (radix, vals.clone())
            };
            if k < 2 {
                continue;
            }
            let bits = 31 - k.leading_zeros();
            positions.push(Pos {
                char_index: p,
                k,
                bits,
                distinct,
            });
            cols.push(col);
        }
    }

    // Numeric views: the run of alphabet characters from the first variable position (extended
    // back over constant leading digits, so a timestamp keeps its constant high part) to the end,
    // skipping separators.
    let in_alpha = |p: usize| {
        cores
            .iter()
            .all(|(_, c)| index[c.as_bytes()[p] as usize & 127] != u16::MAX)
    };
    let mut start = variable.first().copied().unwrap_or(len);
    while start > 0 && in_alpha(start - 1) {
        start -= 1;
    }
    let numeric_pos: Vec<usize> = (start..len).filter(|&p| in_alpha(p)).collect();
    let lg = (radix as f64).log2();
    let per64 = ((64.0 / lg).floor() as usize).max(1);
    let nv = numeric_pos.len();
    let lo_start = nv.saturating_sub(per64);
    let hi_end = per64.min(nv);
    let mut lo = Vec::with_capacity(n);
    let mut hi = Vec::with_capacity(n);
    for (_, c) in &cores {
        let b = c.as_bytes();
        let val = |p: usize| index[b[p] as usize & 127] as u64;
        let mut l: u64 = 0;
        for &p in &numeric_pos[lo_start..] {
            l = l.wrapping_mul(radix as u64).wrapping_add(val(p));
        }
        let mut h: u64 = 0;
        for &p in &numeric_pos[..hi_end] {
            h = h.wrapping_mul(radix as u64).wrapping_add(val(p));
        }
        lo.push(l);
        hi.push(h);
    }
    let numeric = Numeric {
        lo,
        lo_bits: (nv - lo_start) as f64 * lg,
        hi,
        full: lo_start == 0,
        lo_is_mod_2_64: radix_pow2 && (nv - lo_start) as f64 * lg >= 64.0,
        lo_positions: numeric_pos[lo_start..].to_vec(),
        hi_positions: numeric_pos[..hi_end].to_vec(),
        radix_bits: lg,
    };

    let bytes: Vec<Vec<u8>> = cores
        .iter()
        .map(|(_, c)| match choice.encoding {
            Encoding::Hex => hex_decode(c).unwrap_or_default(),
            Encoding::Base64 | Encoding::Base64Url => {
                base64_decode(c.trim_end_matches('=')).unwrap_or_default()
            }
            Encoding::Decimal => match c.parse::<u64>() {
                Ok(v) if v <= u32::MAX as u64 && c.len() <= 10 => (v as u32).to_be_bytes().to_vec(),
                Ok(v) => v.to_be_bytes().to_vec(),
                Err(_) => Vec::new(),
            },
            _ => Vec::new(),
        })
        .collect();

    // Framework labels: by cookie name when given, else by shape.
    if kind == FormatKind::Opaque {
        let name = opts
            .cookie_name
            .as_deref()
            .unwrap_or("")
            .to_ascii_lowercase();
        kind = if name.contains("phpsessid") {
            FormatKind::Phpsessid
        } else if name.contains("jsessionid") {
            FormatKind::Jsessionid
        } else if name.contains("asp.net_sessionid") {
            FormatKind::AspNetSessionId
        } else if name.contains("connect.sid") {
            FormatKind::ConnectSid
        } else if name.contains("laravel") {
            FormatKind::Laravel
        } else if name == "sessionid" {
            FormatKind::Django
        } else if choice
            .alphabet
            .starts_with("0123456789abcdefghijklmnopqrstuv")
            && choice.encoding == Encoding::Base32
            && len == 26
        {
            FormatKind::Phpsessid
        } else if choice
            .alphabet
            .starts_with("abcdefghijklmnopqrstuvwxyz012345")
            && len == 24
        {
            FormatKind::AspNetSessionId
        } else if choice.alphabet == "0123456789ABCDEF" && len == 32 {
            FormatKind::Jsessionid
        } else if choice.encoding == Encoding::LowerAlnum && len == 32 {
            FormatKind::Django
        } else {
            FormatKind::Opaque
        };
    }

    let description = describe(
        kind,
        choice.encoding,
        len,
        &constant_positions,
        uuid_version,
        jwt.as_deref(),
    );
    let format = DetectedFormat {
        kind,
        encoding: choice.encoding,
        alphabet: choice.alphabet,
        token_length: len,
        raw_length,
        variable_positions: positions.len(),
        constant_positions,
        uuid_version,
        jwt_alg: jwt,
        route_suffixes,
        padded,
        description,
    };
    let kept = cores.iter().map(|(i, _)| *i).collect();
    Ok(Decoded {
        format,
        positions,
        cols,
        cores: cores.into_iter().map(|(_, c)| c).collect(),
        bytes,
        kept,
        numeric,
        excluded,
        notes,
    })
}

fn describe(
    kind: FormatKind,
    enc: Encoding,
    len: usize,
    constant: &[usize],
    uuid_version: Option<u8>,
    alg: Option<&str>,
) -> String {
    let base = match kind {
        FormatKind::Uuid => format!("UUID version {}", uuid_version.unwrap_or(0)),
        FormatKind::Jwt => format!("JWT (alg {}), signature analysed", alg.unwrap_or("?")),
        FormatKind::Jsessionid => "Java JSESSIONID".to_string(),
        FormatKind::Phpsessid => "PHP session id".to_string(),
        FormatKind::AspNetSessionId => "ASP.NET_SessionId".to_string(),
        FormatKind::ConnectSid => "Express connect.sid (signed), id analysed".to_string(),
        FormatKind::Django => "Django-style session key".to_string(),
        FormatKind::Laravel => "Laravel encrypted cookie, ciphertext analysed".to_string(),
        FormatKind::Opaque => "opaque token".to_string(),
    };
    format!(
        "{base}; {len} characters, {:?} alphabet, {} constant position(s)",
        enc,
        constant.len()
    )
}

/// Parallel bit extract: gather the bits of `v` selected by `mask` into the low bits.
fn pext(v: u16, mask: u16) -> u16 {
    let mut out = 0u16;
    let mut bit = 0;
    for i in (0..16).rev() {
        if mask & (1 << i) != 0 {
            out = (out << 1) | ((v >> i) & 1);
            bit += 1;
        }
    }
    let _ = bit;
    out
}

fn distinct_count(col: &[u16]) -> u32 {
    let mut seen = vec![false; 1 << 16];
    let mut d = 0;
    for &v in col {
        if !seen[v as usize] {
            seen[v as usize] = true;
            d += 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(v: &[&str]) -> Vec<Token> {
        v.iter().map(|s| Token::new(*s)).collect()
    }

    #[test]
    fn base64_roundtrip_known_vector() {
        assert_eq!(base64_decode("Zm9vYmFy").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base64_decode("Zm9vYg==").as_deref(), Some(&b"foob"[..]));
        assert_eq!(base64_decode("a*b"), None);
    }

    #[test]
    fn pext_gathers_selected_bits() {
        assert_eq!(pext(0b1011, 0b0011), 0b11);
        assert_eq!(pext(0b1011, 0b1100), 0b10);
        assert_eq!(pext(0b1000_0101, 0b1000_0001), 0b11);
    }

    #[test]
    fn constant_prefix_is_format_not_entropy() {
        let t = toks(&["sess_0a", "sess_1b", "sess_2c", "sess_3d", "sess_f0"]);
        let d = decode(&t, &Options::default()).expect("decodes");
        assert_eq!(d.format.constant_positions, vec![0, 1, 2, 3, 4]);
        assert_eq!(d.format.encoding, Encoding::Hex);
        assert_eq!(d.positions.len(), 2);
    }

    #[test]
    fn jwt_header_is_recognised() {
        // {"alg":"HS256","typ":"JWT"}
        let h = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
        assert_eq!(
            jwt_alg(&format!("{h}.eyJzdWIiOiIxIn0.abc_-")).as_deref(),
            Some("HS256")
        );
        assert_eq!(jwt_alg("abc.def.ghi"), None);
    }

    #[test]
    fn jvm_route_suffix_is_stripped() {
        let t = toks(&["0A1B.node1", "F3C2.node2", "77D1.node1", "9E0F.node2"]);
        let d = decode(&t, &Options::default()).expect("decodes");
        assert_eq!(d.format.kind, FormatKind::Jsessionid);
        assert_eq!(d.format.route_suffixes, vec!["node1", "node2"]);
        assert_eq!(d.format.token_length, 4);
    }

    #[test]
    fn connect_sid_id_is_analysed() {
        let t = toks(&["s%3Aabc.sig1", "s%3Axyz.sig2"]);
        let d = decode(&t, &Options::default()).expect("decodes");
        assert_eq!(d.format.kind, FormatKind::ConnectSid);
        assert_eq!(d.cores, vec!["abc", "xyz"]);
    }

    /// Deterministic pseudo-random strings over an alphabet (xorshift; enough for layout tests).
    fn strings(alpha: &[u8], len: usize, n: usize) -> Vec<Token> {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        (0..n)
            .map(|_| {
                Token::new(
                    (0..len)
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            alpha[(x % alpha.len() as u64) as usize] as char
                        })
                        .collect::<String>(),
                )
            })
            .collect()
    }

    #[test]
    fn framework_layouts_are_labelled_by_shape() {
        let o = Options::default();
        let php = decode(&strings(b"0123456789abcdefghijklmnopqrstuv", 26, 200), &o).expect("ok");
        assert_eq!(php.format.kind, FormatKind::Phpsessid);
        assert_eq!(php.format.encoding, Encoding::Base32);
        let asp = decode(&strings(b"abcdefghijklmnopqrstuvwxyz012345", 24, 200), &o).expect("ok");
        assert_eq!(asp.format.kind, FormatKind::AspNetSessionId);
        let dj = decode(
            &strings(b"abcdefghijklmnopqrstuvwxyz0123456789", 32, 200),
            &o,
        )
        .expect("ok");
        assert_eq!(dj.format.kind, FormatKind::Django);
        assert_eq!(dj.format.encoding, Encoding::LowerAlnum);
        let named = Options {
            cookie_name: Some("PHPSESSID".into()),
            ..Options::default()
        };
        let php32 = decode(&strings(b"0123456789abcdef", 32, 200), &named).expect("ok");
        assert_eq!(php32.format.kind, FormatKind::Phpsessid);
    }

    #[test]
    fn uuid_version_and_variant_bits_are_format() {
        let t: Vec<Token> = strings(b"0123456789abcdef", 32, 300)
            .into_iter()
            .map(|t| {
                let h = t.value;
                let v =
                    ["8", "9", "a", "b"][h.len() % 4 + (h.as_bytes()[0] as usize % 4)].to_string();
                Token::new(format!(
                    "{}-{}-4{}-{}{}-{}",
                    &h[..8],
                    &h[8..12],
                    &h[13..16],
                    v,
                    &h[17..20],
                    &h[20..]
                ))
            })
            .collect();
        let d = decode(&t, &Options::default()).expect("ok");
        assert_eq!(d.format.kind, FormatKind::Uuid);
        assert_eq!(d.format.uuid_version, Some(4));
        let bits: u32 = d.positions.iter().map(|p| p.bits).sum();
        assert_eq!(bits, 122);
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        assert_eq!(
            decode(&[], &Options::default()).err(),
            Some(Error::EmptySample)
        );
        assert_eq!(
            decode(&toks(&["", " "]), &Options::default()).err(),
            Some(Error::EmptySample)
        );
        assert!(matches!(
            decode(&toks(&["abc", "déf"]), &Options::default()),
            Err(Error::NonAscii { index: 1 })
        ));
        let long = "a".repeat(10_000);
        assert!(matches!(
            decode(&[Token::new(long)], &Options::default()),
            Err(Error::TokenTooLong { .. })
        ));
        assert!(matches!(
            decode(
                &toks(&["ab", "abcd-xyz!", "q", "zzzzzzzzzzzzzzzzzz"]),
                &Options::default()
            ),
            Err(Error::CannotAlign(_))
        ));
    }
}
