//! Object identifiers in URLs and JSON bodies, and the IDOR cases they yield.
//!
//! An identifier is numeric (`/pegawai/1042`, `?id=7`, a 16-digit NIK), a UUID, or opaque
//! hashids-like (`/dokumen/jR7kLx9`, 6–16 letters and digits mixed the way generated ids are,
//! or a 24-hex MongoDB ObjectId). Pagination, sorting and year filters (`page`, `halaman`,
//! `limit`, `offset`, `sort`, `tahun`, `/arsip/2024/05`) are not identifiers.
//!
//! An IDOR case is a URL from user A's crawl carrying an identifier user B's crawl never saw in
//! the same place (same URL shape and position), requested with B's session: B getting A's
//! object is the finding. Both directions are planned.

use crate::matrix::{Req, RoleCrawl, round_robin, usable};
use crate::similarity::is_uuid;
use crate::urls;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use url::Url;

/// JSON nesting walked at most this deep.
const MAX_JSON_DEPTH: usize = 32;
/// At most this many identifiers are reported from one JSON body.
const MAX_JSON_IDS: usize = 1000;
/// At most this many JSON nodes are visited per body.
const MAX_JSON_NODES: usize = 200_000;

/// The form of an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdKind {
    /// Decimal digits (database keys, NIK, NIP).
    Numeric,
    /// A UUID.
    Uuid,
    /// An opaque generated id: hashids-like mixed letters and digits, or a MongoDB ObjectId.
    Hashid,
}

/// Where an identifier was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdLocation {
    /// Zero-based index into the URL's path segments (`/a/12` has `12` at index 1).
    PathSegment(usize),
    /// A query parameter, by name.
    Query(String),
    /// A JSON Pointer (RFC 6901) into a response body.
    JsonPointer(String),
}

/// One identifier and where it was.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdOccurrence {
    /// Its form.
    pub kind: IdKind,
    /// Where it was.
    pub location: IdLocation,
    /// The identifier as written (file extension removed for path segments).
    pub value: String,
}

/// One IDOR test: `req` from `owner`'s crawl, requested as `as_role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdorCase {
    /// The request carrying the owner's identifier.
    pub req: Req,
    /// The user whose object it is (the reference response comes from this role).
    pub owner: String,
    /// The user who must not get it.
    pub as_role: String,
    /// The identifier under test.
    pub id: IdOccurrence,
}

impl IdorCase {
    /// Why this request is tested, in Bahasa Indonesia.
    pub fn why_id(&self) -> String {
        format!(
            "pengenal objek '{}' milik peran '{}' tidak pernah terlihat oleh peran '{}'",
            self.id.value, self.owner, self.as_role
        )
    }

    /// Why this request is tested, in English.
    pub fn why_en(&self) -> String {
        format!(
            "object identifier '{}' of role '{}' was never seen by role '{}'",
            self.id.value, self.owner, self.as_role
        )
    }
}

/// Parameter names that page, sort, filter or search rather than name an object.
const NOT_ID_KEYS: &[&str] = &[
    "page",
    "halaman",
    "hal",
    "p",
    "pg",
    "limit",
    "offset",
    "start",
    "length",
    "draw",
    "per_page",
    "perpage",
    "page_size",
    "pagesize",
    "size",
    "sort",
    "sort_by",
    "sortby",
    "order",
    "orderby",
    "order_by",
    "dir",
    "direction",
    "urut",
    "tahun",
    "year",
    "bulan",
    "month",
    "tanggal",
    "date",
    "q",
    "query",
    "search",
    "cari",
    "keyword",
    "kata_kunci",
    "s",
    "lang",
    "bahasa",
    "locale",
    "theme",
    "tab",
    "view",
    "mode",
    "format",
    "redirect",
    "next",
    "return",
    "return_url",
    "returnurl",
    "url",
    "callback",
];

/// Id-like names that actually carry sessions or request tracing, not objects.
const TRACE_KEYS: &[&str] = &[
    "sid",
    "session_id",
    "sessionid",
    "request_id",
    "requestid",
    "trace_id",
    "traceid",
    "span_id",
    "spanid",
    "correlation_id",
    "correlationid",
    "csrf_id",
];

/// Path segments after which a number pages or versions rather than names an object.
const NOT_ID_BEFORE: &[&str] = &[
    "page", "halaman", "hal", "p", "tahun", "year", "bulan", "month", "v", "versi", "version",
    "limit", "offset",
];

/// True for names that identify objects: `id`, `*_id`, `*Id`, `id_*`, `uuid`, `nik`, `nip`,
/// `nomor`, plurals (`ids`, `*_ids`), and bracketed forms (`filter[user_id]`).
pub fn is_id_key(key: &str) -> bool {
    let key = key.trim().trim_end_matches("[]");
    let key = key
        .rsplit_once('[')
        .map_or(key, |(_, inner)| inner.trim_end_matches(']'));
    let l = key.to_ascii_lowercase();
    if l.is_empty() || TRACE_KEYS.contains(&l.as_str()) || urls::is_volatile_param(&l) {
        return false;
    }
    const EXACT: &[&str] = &[
        "id", "ids", "uid", "pid", "nid", "oid", "uuid", "guid", "nik", "nip", "nisn", "nkk",
        "npwp", "nomor", "no",
    ];
    if EXACT.contains(&l.as_str()) {
        return true;
    }
    let camel = |suffix: &str| {
        key.strip_suffix(suffix)
            .and_then(|stem| stem.chars().last())
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    [
        "_id", "-id", "_ids", "-ids", "_uuid", "-uuid", "_nomor", "_no",
    ]
    .iter()
    .any(|s| l.ends_with(s))
        || ["id_", "nomor_", "no_", "uuid_"]
            .iter()
            .any(|p| l.starts_with(p))
        || camel("Id")
        || camel("ID")
        || camel("Ids")
        || camel("Uuid")
}

/// The kind of identifier `value` is, if any.
pub fn classify(value: &str) -> Option<IdKind> {
    let v = value.trim();
    if is_uuid(v.as_bytes()) {
        return Some(IdKind::Uuid);
    }
    if !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(IdKind::Numeric);
    }
    is_hashid(v).then_some(IdKind::Hashid)
}

/// Hashids-like: 6–16 letters and digits mixed the way generated ids are (at least two switches
/// between letters and digits, and mixed case or three switches), not a hex colour, not a
/// version (`v2beta3`), not words glued to numbers (`Covid19Info`, `utf8mb4`); or a 24-hex
/// MongoDB ObjectId.
fn is_hashid(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() == 24 && b.iter().all(u8::is_ascii_hexdigit) && b.iter().any(u8::is_ascii_digit) {
        return true;
    }
    if !(6..=16).contains(&b.len()) || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = b.len() - digits;
    if digits == 0 || letters < 2 {
        return false;
    }
    if matches!(b.len(), 6 | 8) && b.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    if matches!(b, [b'v' | b'V', d, ..] if d.is_ascii_digit()) {
        return false;
    }
    let transitions = b
        .windows(2)
        .filter(|w| matches!(w, [x, y] if x.is_ascii_digit() != y.is_ascii_digit()))
        .count();
    let upper = b.iter().any(u8::is_ascii_uppercase);
    let lower = b.iter().any(u8::is_ascii_lowercase);
    if transitions < 2 || !(upper && lower || transitions >= 3) {
        return false;
    }
    // Words glued to numbers: every letter run is word-shaped (lower, UPPER or Capitalised),
    // at least two letters long, and one is a word of three or more.
    let runs: Vec<&str> = v
        .split(|c: char| c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    let wordish = runs.iter().any(|r| r.len() >= 3)
        && runs.iter().all(|run| {
            let rest = run.get(1..).unwrap_or_default();
            run.len() >= 2
                && (run.bytes().all(|c| c.is_ascii_lowercase())
                    || run.bytes().all(|c| c.is_ascii_uppercase())
                    || (run.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
                        && rest.bytes().all(|c| c.is_ascii_lowercase())))
        });
    !wordish
}

/// Years used as filters in paths and queries.
fn is_year(v: &str) -> bool {
    v.len() == 4 && v.parse::<u16>().is_ok_and(|y| (1950..=2100).contains(&y))
}

/// Identifiers in a URL's path segments and query.
pub fn in_url(url: &Url) -> Vec<IdOccurrence> {
    let mut out = Vec::new();
    let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
    for (i, seg) in segments.iter().enumerate() {
        if seg.is_empty() || seg.contains('%') {
            continue;
        }
        // "1042.json", "a1b2c3d4e5.pdf": the id is the stem.
        let core = seg
            .rsplit_once('.')
            .filter(|(stem, ext)| {
                !stem.is_empty()
                    && (1..=5).contains(&ext.len())
                    && ext.bytes().all(|c| c.is_ascii_alphanumeric())
            })
            .map_or(*seg, |(stem, _)| stem);
        let prev = i
            .checked_sub(1)
            .and_then(|p| segments.get(p))
            .map(|s| s.to_ascii_lowercase())
            .unwrap_or_default();
        if NOT_ID_BEFORE.contains(&prev.as_str()) {
            continue;
        }
        let Some(kind) = classify(core) else {
            continue;
        };
        if kind == IdKind::Numeric {
            // Date archives: /2024, /2024/05, /2024/05/17.
            let after_year = is_year(&prev)
                || i.checked_sub(2)
                    .and_then(|p| segments.get(p))
                    .is_some_and(|s| is_year(s) && prev.len() <= 2);
            if is_year(core) || (after_year && core.len() <= 2) {
                continue;
            }
        }
        out.push(IdOccurrence {
            kind,
            location: IdLocation::PathSegment(i),
            value: core.to_string(),
        });
    }
    for (k, v) in url.query_pairs() {
        let l = k.to_ascii_lowercase();
        if NOT_ID_KEYS.contains(&l.as_str()) || urls::is_volatile_param(&l) {
            continue;
        }
        let id_key = is_id_key(&k);
        let Some(kind) = classify(&v) else {
            continue;
        };
        // Bare numbers are ids only under id-like names (`status=1` is not an object).
        if kind == IdKind::Numeric && !id_key {
            continue;
        }
        if kind == IdKind::Hashid && TRACE_KEYS.contains(&l.as_str()) {
            continue;
        }
        out.push(IdOccurrence {
            kind,
            location: IdLocation::Query(k.into_owned()),
            value: v.trim().to_string(),
        });
    }
    out
}

/// Identifiers in a JSON body: values of id-like keys (see [`is_id_key`]) that are numbers,
/// numeric strings, UUIDs or hashids-like, with their JSON Pointer. Invalid JSON yields none.
pub fn in_json(body: &str) -> Vec<IdOccurrence> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body.trim()) else {
        return Vec::new();
    };
    let mut walk = JsonWalk {
        out: Vec::new(),
        nodes: 0,
        pointer: String::new(),
    };
    walk.value(&value, false, 0);
    walk.out
}

struct JsonWalk {
    out: Vec<IdOccurrence>,
    nodes: usize,
    pointer: String,
}

impl JsonWalk {
    fn value(&mut self, v: &serde_json::Value, id_key: bool, depth: usize) {
        use serde_json::Value;
        self.nodes += 1;
        if depth > MAX_JSON_DEPTH || self.nodes > MAX_JSON_NODES || self.out.len() >= MAX_JSON_IDS {
            return;
        }
        match v {
            Value::Number(n) if id_key => {
                if let Some(u) = n.as_u64() {
                    self.push(IdKind::Numeric, u.to_string());
                }
            }
            Value::String(s) if id_key => {
                if let Some(kind) = classify(s) {
                    self.push(kind, s.trim().to_string());
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = self.pointer.len();
                    self.pointer.push('/');
                    self.pointer.push_str(&i.to_string());
                    // Elements of an id-like array (`"ids": [3, 4]`) are ids too.
                    self.value(item, id_key, depth + 1);
                    self.pointer.truncate(len);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let len = self.pointer.len();
                    self.pointer.push('/');
                    self.pointer
                        .push_str(&k.replace('~', "~0").replace('/', "~1"));
                    self.value(item, is_id_key(k), depth + 1);
                    self.pointer.truncate(len);
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, kind: IdKind, value: String) {
        self.out.push(IdOccurrence {
            kind,
            location: IdLocation::JsonPointer(self.pointer.clone()),
            value,
        });
    }
}

/// Identifiers compare case-insensitively only when they are UUIDs.
fn norm_value(o: &IdOccurrence) -> String {
    match o.kind {
        IdKind::Uuid => o.value.to_ascii_lowercase(),
        _ => o.value.clone(),
    }
}

/// The URL with every identifier replaced by a placeholder: requests to the same endpoint for
/// different objects share a shape.
fn shape(url: &Url, ids: &[IdOccurrence]) -> String {
    let mut segs: Vec<String> = url
        .path_segments()
        .map(|s| s.map(str::to_string).collect())
        .unwrap_or_default();
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for o in ids {
        match &o.location {
            IdLocation::PathSegment(i) => {
                if let Some(s) = segs.get_mut(*i) {
                    *s = "{id}".into();
                }
            }
            IdLocation::Query(k) => {
                for (qk, qv) in query.iter_mut() {
                    if qk == k {
                        *qv = "{id}".into();
                    }
                }
            }
            IdLocation::JsonPointer(_) => {}
        }
    }
    for (k, v) in query.iter_mut() {
        if urls::is_volatile_param(k) {
            v.clear();
        }
    }
    query.sort();
    let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{}://{}/{}?{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        segs.join("/"),
        q.join("&")
    )
}

/// IDOR cases between two users' crawls, in both directions (A's objects requested as B, B's
/// as A), at most `max`, alternating directions and endpoints so one long list does not crowd
/// out the rest.
pub fn idor_candidates(a: &RoleCrawl, b: &RoleCrawl, max: usize) -> Vec<IdorCase> {
    idor_candidates_with(a, &[], b, &[], max)
}

/// [`idor_candidates`] with identifier values each user saw elsewhere (for example in JSON
/// response bodies, through [`in_json`]); a value the other user saw anywhere is never a
/// candidate, since it may well be theirs.
pub fn idor_candidates_with(
    a: &RoleCrawl,
    a_seen: &[String],
    b: &RoleCrawl,
    b_seen: &[String],
    max: usize,
) -> Vec<IdorCase> {
    if max == 0 || a.role.trim() == b.role.trim() {
        return Vec::new();
    }
    let ab = direction(a, b, b_seen);
    let ba = direction(b, a, a_seen);
    // Alternate directions, each already interleaved across endpoints.
    round_robin(vec![ab, ba], max)
}

/// Cases for `owner`'s objects requested as `other`, interleaved across URL shapes.
fn direction(owner: &RoleCrawl, other: &RoleCrawl, other_extra: &[String]) -> Vec<IdorCase> {
    let mut other_seen: HashSet<(String, IdLocation, String)> = HashSet::new();
    for req in &other.requests {
        if let Ok(url) = Url::parse(req.url.trim()) {
            let ids = in_url(&url);
            let sh = shape(&url, &ids);
            for o in ids {
                let v = norm_value(&o);
                other_seen.insert((sh.clone(), o.location, v));
            }
        }
    }
    let extra: HashSet<String> = other_extra
        .iter()
        .flat_map(|v| [v.trim().to_string(), v.trim().to_ascii_lowercase()])
        .collect();
    let mut by_shape: BTreeMap<usize, Vec<IdorCase>> = BTreeMap::new();
    let mut shape_order: Vec<String> = Vec::new();
    let mut done = HashSet::new();
    for req in &owner.requests {
        let Some((key, url)) = usable(req) else {
            continue;
        };
        if !done.insert(key) {
            continue;
        }
        let ids = in_url(&url);
        if ids.is_empty() {
            continue;
        }
        let sh = shape(&url, &ids);
        let unseen: Vec<&IdOccurrence> = ids
            .iter()
            .filter(|o| {
                let v = norm_value(o);
                !extra.contains(&v) && !other_seen.contains(&(sh.clone(), o.location.clone(), v))
            })
            .collect();
        // The most specific identifier: the last one in the path, else the first in the query.
        let pick = unseen
            .iter()
            .rev()
            .find(|o| matches!(o.location, IdLocation::PathSegment(_)))
            .or_else(|| unseen.first());
        let Some(id) = pick else {
            continue;
        };
        let slot = match shape_order.iter().position(|s| *s == sh) {
            Some(p) => p,
            None => {
                shape_order.push(sh);
                shape_order.len() - 1
            }
        };
        by_shape.entry(slot).or_default().push(IdorCase {
            req: req.clone(),
            owner: owner.role.clone(),
            as_role: other.role.clone(),
            id: (*id).clone(),
        });
    }
    round_robin(by_shape.into_values().collect(), usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn values(v: &[IdOccurrence]) -> Vec<&str> {
        v.iter().map(|o| o.value.as_str()).collect()
    }

    #[test]
    fn classify_values() {
        assert_eq!(classify("1042"), Some(IdKind::Numeric));
        assert_eq!(classify("3201012345678901"), Some(IdKind::Numeric));
        assert_eq!(
            classify("123E4567-e89b-12d3-a456-426614174000"),
            Some(IdKind::Uuid)
        );
        for h in [
            "jR7kLx9",
            "Xk9Lm3Qp",
            "x7k2m9q4",
            "aZ3b9Kq1pL",
            "507f1f77bcf86cd799439011",
        ] {
            assert_eq!(classify(h), Some(IdKind::Hashid), "{h}");
        }
        for not in [
            "ff0000",
            "a1b2c3",
            "deadbeef",
            "v2beta3",
            "v10",
            "abc123",
            "html5",
            "utf8mb4",
            "Covid19Info",
            "Windows10Pro",
            "laporan",
            "page2",
            "x86",
            "",
            "12345678901234567890123",
            "jR7-kLx9",
        ] {
            assert_ne!(classify(not), Some(IdKind::Hashid), "{not}");
        }
        assert_eq!(classify("12345678901234567890123"), None);
    }

    #[test]
    fn id_keys() {
        for k in [
            "id",
            "user_id",
            "userId",
            "pegawaiID",
            "id_pegawai",
            "uuid",
            "nik",
            "nomor",
            "nomor_surat",
            "ids[]",
            "filter[user_id]",
            "kk_no",
        ] {
            assert!(is_id_key(k), "{k}");
        }
        for k in [
            "idea",
            "status",
            "session_id",
            "sid",
            "hidden",
            "valid",
            "csrf_id",
            "video",
        ] {
            assert!(!is_id_key(k), "{k}");
        }
    }

    #[test]
    fn ids_in_urls() {
        let o = in_url(&u(
            "https://h/api/pegawai/1042/dokumen/jR7kLx9.pdf?user_id=7&page=3&tahun=2024&q=abc123XYZ9&status=1",
        ));
        assert_eq!(values(&o), vec!["1042", "jR7kLx9", "7"]);
        assert_eq!(o[0].location, IdLocation::PathSegment(2));
        assert_eq!(o[1].location, IdLocation::PathSegment(4));
        assert_eq!(o[2].location, IdLocation::Query("user_id".into()));
        assert!(in_url(&u("https://h/berita/2024/05/17/judul-berita")).is_empty());
        assert!(in_url(&u("https://h/laporan/2024")).is_empty());
        assert!(in_url(&u("https://h/page/2")).is_empty());
        assert!(in_url(&u("https://h/api/v1/users")).is_empty());
        let o = in_url(&u(
            "https://h/berkas?doc=Ab3dE9fGh2&ref=123e4567-e89b-12d3-a456-426614174000",
        ));
        assert_eq!(o.len(), 2);
        assert!(in_url(&u("mailto:x@y")).is_empty());
    }

    #[test]
    fn ids_in_json() {
        let body = r#"{"data":[{"id":17,"nama":"Budi","unit_id":"3","dokumen":{"uuid":"123e4567-e89b-12d3-a456-426614174000"},"warna":"ff0000","a/b":{"ownerId":"jR7kLx9"}}],"meta":{"page":2,"total":40},"ids":[5,6],"nik":"3201012345678901","id":"not-an-id"}"#;
        let o = in_json(body);
        let got: Vec<(String, &str)> = o
            .iter()
            .map(|x| match &x.location {
                IdLocation::JsonPointer(p) => (p.clone(), x.value.as_str()),
                _ => unreachable!(),
            })
            .collect();
        assert!(got.contains(&("/data/0/id".into(), "17")));
        assert!(got.contains(&("/data/0/unit_id".into(), "3")));
        assert!(got.contains(&(
            "/data/0/dokumen/uuid".into(),
            "123e4567-e89b-12d3-a456-426614174000"
        )));
        assert!(got.contains(&("/data/0/a~1b/ownerId".into(), "jR7kLx9")));
        assert!(got.contains(&("/ids/0".into(), "5")));
        assert!(got.contains(&("/nik".into(), "3201012345678901")));
        assert!(
            !got.iter()
                .any(|(p, _)| p.contains("page") || p.contains("total") || p.contains("warna"))
        );
        assert!(!got.iter().any(|(p, _)| p == "/id"));
        assert!(in_json("not json").is_empty());
        assert!(in_json(&"[".repeat(50_000)).is_empty());
        let deep = format!("{}{{\"id\":1}}{}", "[".repeat(100), "]".repeat(100));
        assert!(in_json(&deep).is_empty());
    }

    #[test]
    fn candidates_both_directions() {
        let a = RoleCrawl {
            role: "user_a".into(),
            requests: vec![
                Req::get("https://h/permohonan/101"),
                Req::get("https://h/permohonan/102"),
                Req::get("https://h/permohonan/102#x"),
                Req::get("https://h/profil?id=55"),
                Req::get("https://h/berita?page=2"),
                Req::get("https://h/keluar?id=55"),
                Req::get("https://h/lampiran/aZ3b9Kq1pL.jpg"),
            ],
        };
        let b = RoleCrawl {
            role: "user_b".into(),
            requests: vec![
                Req::get("https://h/permohonan/201"),
                Req::get("https://h/permohonan/102"),
                Req::get("https://h/profil?id=56"),
            ],
        };
        let cases = idor_candidates(&a, &b, 100);
        let ab: Vec<&str> = cases
            .iter()
            .filter(|c| c.owner == "user_a")
            .map(|c| c.req.url.as_str())
            .collect();
        assert_eq!(
            ab,
            vec!["https://h/permohonan/101", "https://h/profil?id=55"],
            "B's own object 102 and static files are not candidates"
        );
        let ba: Vec<&str> = cases
            .iter()
            .filter(|c| c.owner == "user_b")
            .map(|c| c.req.url.as_str())
            .collect();
        assert_eq!(
            ba,
            vec!["https://h/permohonan/201", "https://h/profil?id=56"]
        );
        assert_eq!(cases[0].owner, "user_a");
        assert_eq!(cases[1].owner, "user_b");
        assert_eq!(
            cases
                .iter()
                .find(|c| c.req.url.ends_with("101"))
                .unwrap()
                .as_role,
            "user_b"
        );
        assert!(!cases[0].why_id().is_empty() && !cases[0].why_en().is_empty());
        // Values the other user saw in JSON bodies are excluded.
        let with = idor_candidates_with(&a, &[], &b, &["101".into()], 100);
        assert!(!with.iter().any(|c| c.req.url.ends_with("/101")));
        assert_eq!(idor_candidates(&a, &b, 1).len(), 1);
        assert!(idor_candidates(&a, &a, 10).is_empty());
    }

    #[test]
    fn candidates_interleave_endpoints() {
        let mut reqs: Vec<Req> = (1..=50)
            .map(|i| Req::get(format!("https://h/surat/{i}")))
            .collect();
        reqs.push(Req::get("https://h/pajak/9001"));
        let a = RoleCrawl {
            role: "a".into(),
            requests: reqs,
        };
        let b = RoleCrawl {
            role: "b".into(),
            requests: vec![],
        };
        let cases = idor_candidates(&a, &b, 2);
        assert_eq!(cases[1].req.url, "https://h/pajak/9001");
    }
}
