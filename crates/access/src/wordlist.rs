//! Forced-browsing wordlist: paths of admin consoles, backups and secrets, each with the content
//! that proves a hit.
//!
//! The list is data (`checklists/wordlists/forced-browsing.toml`). Every entry carries a
//! validation strong enough that a 200 "not found" page or a single-page-application index
//! cannot satisfy it, and a realistic positive `example`. Loading checks both: the example must
//! pass its own validation, and generic pages (a soft-404 echoing the entry's path, an SPA
//! index, a JSON 404, an empty body) must fail it. A weak entry is refused with the file, line,
//! entry path and field named.
//!
//! Validation of a response, all conditions together:
//! * `status`: the status is one of these (default `[200]`);
//! * `content_type`: when given, the `Content-Type` starts with one of these prefixes;
//! * `not`: none of these substrings appears (ASCII case-insensitive);
//! * `any` / `magic`: when either is given, at least one `any` substring appears anywhere
//!   (ASCII case-insensitive) or the body starts with one `magic` prefix (exact bytes, as
//!   lossily decoded text: an invalid byte reads as U+FFFD);
//! * `regex`: when given, it matches;
//! * `location`: for a 3xx status, the `Location` contains this text (instead of the body
//!   checks above).
//!
//! Paths may use placeholders derived from each discovered file path with a server-side script
//! extension, e.g. `/admin/config.php`: `{page}` = `/admin/config.php`, `{dir}` = `/admin/`,
//! `{name}` = `config.php`, `{stem}` = `config`. So `{page}.bak`, `{page}~` and
//! `{dir}.{name}.swp` (vim's swap file) probe editor and backup leftovers of real pages.

use crate::observed::Observed;
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use url::Url;

/// The built-in wordlist.
pub const DEFAULT: &str = include_str!("../../../checklists/wordlists/forced-browsing.toml");
/// Name shown for the built-in wordlist in error messages.
pub const DEFAULT_ORIGIN: &str = "checklists/wordlists/forced-browsing.toml (bawaan/built-in)";

/// Discovered files used for placeholder entries, at most.
const MAX_TEMPLATE_SOURCES: usize = 200;
/// Extensions whose backups leak server-side source code.
const SCRIPT_EXTENSIONS: &[&str] = &[
    "php", "php3", "php4", "php5", "php7", "phtml", "inc", "asp", "aspx", "ashx", "asmx", "jsp",
    "jspx", "cfm", "cgi", "pl", "py", "rb",
];
const PLACEHOLDERS: &[&str] = &["{page}", "{dir}", "{name}", "{stem}"];
/// Evidence excerpt length around the match, in bytes before and after.
const EXCERPT_BEFORE: usize = 60;
const EXCERPT_AFTER: usize = 140;

/// What an entry exposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Administration consoles and their login pages.
    Admin,
    /// Backups, dumps and editor leftovers.
    Backup,
    /// Credentials, keys and environment files.
    Secret,
    /// Version-control metadata.
    Vcs,
    /// Debug, profiling and status pages, logs.
    Debug,
    /// Information disclosure: versions, dependencies, API descriptions, listings.
    Info,
}

impl Category {
    /// Indonesian label.
    pub fn label_id(self) -> &'static str {
        match self {
            Category::Admin => "konsol administrasi",
            Category::Backup => "berkas cadangan",
            Category::Secret => "kredensial dan rahasia",
            Category::Vcs => "metadata kendali versi",
            Category::Debug => "halaman debug dan log",
            Category::Info => "kebocoran informasi",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Category::Admin => "administration console",
            Category::Backup => "backup file",
            Category::Secret => "credentials and secrets",
            Category::Vcs => "version-control metadata",
            Category::Debug => "debug page and logs",
            Category::Info => "information disclosure",
        }
    }
}

/// Risk of a hit, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Indonesian label.
    pub fn label_id(self) -> &'static str {
        match self {
            Severity::Info => "Informasi",
            Severity::Low => "Rendah",
            Severity::Medium => "Sedang",
            Severity::High => "Tinggi",
            Severity::Critical => "Kritis",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

/// What a response must show to count as a hit (see the module documentation).
#[derive(Debug, Clone)]
pub struct Validation {
    /// Allowed status codes.
    pub status: Vec<u16>,
    /// Substrings, at least one of which must appear (ASCII case-insensitive).
    pub any: Vec<String>,
    /// Body prefixes (magic bytes), one of which may stand in for `any`.
    pub magic: Vec<String>,
    /// Pattern that must match.
    pub regex: Option<Regex>,
    /// Substrings that must not appear (ASCII case-insensitive).
    pub not: Vec<String>,
    /// Allowed `Content-Type` prefixes (any when empty).
    pub content_type: Vec<String>,
    /// Text the `Location` of a 3xx answer must contain.
    pub location: Option<String>,
}

/// One wordlist entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path to request, possibly with placeholders.
    pub path: String,
    /// What it exposes.
    pub category: Category,
    /// Risk of a hit.
    pub severity: Severity,
    /// Title in Bahasa Indonesia.
    pub title_id: String,
    /// Title in English.
    pub title_en: String,
    /// Remediation in Bahasa Indonesia.
    pub remediation_id: String,
    /// Remediation in English.
    pub remediation_en: String,
    /// What proves a hit.
    pub validation: Validation,
    /// A realistic body of a hit, checked against the validation on load.
    pub example: String,
}

/// The loaded wordlist.
#[derive(Debug, Clone, Default)]
pub struct Wordlist {
    /// Entries in file order.
    pub entries: Vec<Entry>,
}

/// One path to request and the entry that judges the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// Path to request (placeholders filled in).
    pub path: String,
    /// Index into [`Wordlist::entries`].
    pub entry: usize,
    /// The discovered path a placeholder entry was derived from.
    pub from: Option<String>,
}

/// What matched in a hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The marker, magic prefix or regex match that proved the hit (secrets masked).
    pub matched: String,
    /// Text around it (control characters replaced, secrets masked).
    pub excerpt: String,
}

/// A wordlist file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WordlistError {
    /// TOML syntax, or a field of the wrong type or name.
    #[error(
        "{origin}:{line}:{column}: {entry}isi berkas tidak valid / invalid file content: {message}"
    )]
    Syntax {
        /// File name.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// `entri/entry '<path>': ` when the error is inside an entry.
        entry: String,
        /// What the TOML parser reported.
        message: String,
    },
    /// The file parsed but an entry breaks a rule.
    #[error(
        "{origin}:{line}: entri '{path}', field '{field}': {message_id} / entry '{path}', field '{field}': {message_en}"
    )]
    Invalid {
        /// File name.
        origin: String,
        /// 1-based line of the field (of the entry header when the field is absent).
        line: usize,
        /// The entry's path.
        path: String,
        /// The offending field.
        field: &'static str,
        /// What is wrong, in Bahasa Indonesia.
        message_id: String,
        /// What is wrong, in English.
        message_en: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    entry: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl Default for OneOrMany {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

fn default_status() -> Vec<u16> {
    vec![200]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    path: String,
    category: Category,
    severity: Severity,
    title_id: String,
    title_en: String,
    remediation_id: String,
    remediation_en: String,
    #[serde(default = "default_status")]
    status: Vec<u16>,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    magic: Vec<String>,
    regex: Option<String>,
    #[serde(default)]
    not: Vec<String>,
    #[serde(default)]
    content_type: OneOrMany,
    location: Option<String>,
    example: String,
}

/// Generic pages every entry must reject: they are what a site answers for paths it does not
/// have. `{path}` is replaced by the entry's path.
const GENERIC_SOFT_404: &str = r#"<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>404 - Halaman tidak ditemukan | Pemerintah Kabupaten Contoh</title>
<meta name="csrf-token" content="Zx9cVb8nM7aS6dF5gH4jK3lQ2wE1rT0y"><link rel="stylesheet" href="/assets/css/app.css?v=20240501">
<script src="/assets/js/jquery.min.js"></script><script>window.App = {"locale":"id","admin":false,"debug":false};</script></head>
<body><nav class="navbar"><a href="/">Beranda</a> <a href="/profil">Profil</a> <a href="/berita">Berita</a>
<a href="/layanan">Layanan</a> <a href="/dokumen">Dokumen</a> <a href="/kontak">Kontak</a> <a href="/login">Masuk</a>
<a href="/admin">Admin</a></nav>
<main><h1>404</h1><p>Maaf, halaman <code>{path}</code> tidak ditemukan atau sudah dipindahkan.
The page <code>{path}</code> was not found.</p><p>Request: GET {path} HTTP/1.1</p>
<form action="/cari" method="get"><input type="text" name="q" placeholder="Cari informasi, berita, dokumen..."><button>Cari</button></form>
<p>Kembali ke <a href="/">beranda</a>. Server: Apache/2.4.58 (Ubuntu) PHP/8.2.12 at www.kab.example.go.id Port 443</p></main>
<footer>&copy; 2024 Dinas Komunikasi dan Informatika. Powered by Laravel. Backup, config, admin, login, database,
password, secret, key and log are ordinary words here.</footer></body></html>"#;

const GENERIC_SPA: &str = r#"<!DOCTYPE html>
<html lang="id">
  <head>
    <meta charset="UTF-8" />
    <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>SIPD - Sistem Informasi Pemerintahan Daerah</title>
    <script type="module" crossorigin src="/assets/index-8c3f2a1b.js"></script>
    <link rel="stylesheet" href="/assets/index-5d9e4c7f.css">
  </head>
  <body>
    <noscript>We're sorry but this app doesn't work properly without JavaScript enabled. Please enable it to continue.</noscript>
    <div id="app"></div>
  </body>
</html>"#;

const GENERIC_JSON_404: &str = r#"{"timestamp":"2024-05-01T10:00:00.000+00:00","status":404,"error":"Not Found","message":"No message available","path":"{path}"}"#;

/// A sample discovered file used to expand placeholder entries during validation.
const SAMPLE_DISCOVERED: &str = "/admin/config.php";

impl Wordlist {
    /// The built-in list ([`DEFAULT`]).
    pub fn default_list() -> Result<Wordlist, WordlistError> {
        parse(DEFAULT, DEFAULT_ORIGIN)
    }

    /// Loads and validates a wordlist file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Wordlist, WordlistError> {
        parse(text, origin)
    }

    /// The paths to request: entries as written, and placeholder entries once per discovered
    /// file with a server-side script extension (at most 200 files). De-duplicated by path,
    /// in entry order.
    pub fn expand(&self, discovered_paths: &[String]) -> Vec<Probe> {
        self.expand_with(discovered_paths, &[])
    }

    /// [`Wordlist::expand`] with `entry_points` (conventional entry-point and settings files of
    /// the suggested framework) used for the placeholder entries whatever their extension.
    pub fn expand_with(&self, discovered_paths: &[String], entry_points: &[String]) -> Vec<Probe> {
        let mut files: Vec<String> = Vec::new();
        let mut seen_files = HashSet::new();
        for p in entry_points {
            if p.starts_with('/') && seen_files.insert(p.clone()) {
                files.push(p.clone());
            }
        }
        for d in discovered_paths {
            let Some(p) = file_path(d) else {
                continue;
            };
            if files.len() < MAX_TEMPLATE_SOURCES && seen_files.insert(p.clone()) {
                files.push(p);
            }
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (i, e) in self.entries.iter().enumerate() {
            if PLACEHOLDERS.iter().any(|p| e.path.contains(p)) {
                for f in &files {
                    let path = fill(&e.path, f);
                    if seen.insert(path.clone()) {
                        out.push(Probe {
                            path,
                            entry: i,
                            from: Some(f.clone()),
                        });
                    }
                }
            } else if seen.insert(e.path.clone()) {
                out.push(Probe {
                    path: e.path.clone(),
                    entry: i,
                    from: None,
                });
            }
        }
        out
    }
}

/// The path of a discovered URL or path when its last segment has a script extension.
fn file_path(d: &str) -> Option<String> {
    let d = d.trim();
    let path = if d.starts_with('/') {
        let end = d.find(['?', '#']).unwrap_or(d.len());
        d.get(..end)?.to_string()
    } else {
        Url::parse(d).ok()?.path().to_string()
    };
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let name = path.rsplit('/').next()?;
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && SCRIPT_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
        .then_some(path)
}

/// Fills the placeholders of `template` from a discovered file path.
fn fill(template: &str, file: &str) -> String {
    let split = file.rfind('/').map_or(0, |p| p + 1);
    let (dir, name) = file.split_at(split.min(file.len()));
    let dir = if dir.is_empty() { "/" } else { dir };
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    template
        .replace("{page}", file)
        .replace("{dir}", dir)
        .replace("{name}", name)
        .replace("{stem}", stem)
}

/// Loads and validates a wordlist file's text; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Wordlist, WordlistError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, column) = line_col(text, offset);
        let entry = entry_index_at(text, offset)
            .and_then(|i| entry_path(text, i))
            .map(|p| format!("entri/entry '{p}': "))
            .unwrap_or_default();
        WordlistError::Syntax {
            origin: origin.to_string(),
            line,
            column,
            entry,
            message: e.message().trim().to_string(),
        }
    })?;
    let mut entries = Vec::with_capacity(raw.entry.len());
    let mut paths = HashSet::new();
    for (i, r) in raw.entry.into_iter().enumerate() {
        let path = r.path.clone();
        let invalid = |field: &'static str, id: String, en: String| WordlistError::Invalid {
            origin: origin.to_string(),
            line: field_line(text, i, field),
            path: path.clone(),
            field,
            message_id: id,
            message_en: en,
        };
        let entry = build(r).map_err(|(field, id, en)| invalid(field, id, en))?;
        if !paths.insert(entry.path.clone()) {
            return Err(invalid(
                "path",
                "path yang sama sudah ada di entri lain".into(),
                "the same path is already used by another entry".into(),
            ));
        }
        self_test(&entry).map_err(|(field, id, en)| invalid(field, id, en))?;
        entries.push(entry);
    }
    Ok(Wordlist { entries })
}

type RuleError = (&'static str, String, String);

/// Checks one raw entry's fields and compiles it.
fn build(r: RawEntry) -> Result<Entry, RuleError> {
    let path = r.path.trim().to_string();
    let path_ok = (path.starts_with('/') || path.starts_with('{'))
        && !path
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#');
    if !path_ok {
        return Err((
            "path",
            "path harus diawali '/' atau placeholder dan tanpa spasi atau '#'".into(),
            "the path must start with '/' or a placeholder and contain no spaces or '#'".into(),
        ));
    }
    let mut rest = path.clone();
    for p in PLACEHOLDERS {
        rest = rest.replace(p, "");
    }
    if rest.contains('{') || rest.contains('}') {
        return Err((
            "path",
            format!(
                "placeholder tidak dikenal; gunakan {}",
                PLACEHOLDERS.join(", ")
            ),
            format!("unknown placeholder; use {}", PLACEHOLDERS.join(", ")),
        ));
    }
    for (field, v) in [
        ("title_id", &r.title_id),
        ("title_en", &r.title_en),
        ("remediation_id", &r.remediation_id),
        ("remediation_en", &r.remediation_en),
        ("example", &r.example),
    ] {
        if v.trim().is_empty() {
            return Err((
                field,
                "wajib diisi dan tidak boleh kosong".into(),
                "is required and must not be empty".into(),
            ));
        }
    }
    if r.status.is_empty() || r.status.iter().any(|s| !(100..=599).contains(s)) {
        return Err((
            "status",
            "daftar kode status HTTP (100-599), minimal satu".into(),
            "a list of HTTP status codes (100-599), at least one".into(),
        ));
    }
    if r.status.first().is_some_and(|s| (300..400).contains(s)) {
        return Err((
            "status",
            "kode status pertama dipakai untuk menguji contoh, jadi tidak boleh 3xx".into(),
            "the first status code is used to test the example, so it must not be 3xx".into(),
        ));
    }
    if r.any.is_empty() && r.magic.is_empty() && r.regex.is_none() {
        return Err((
            "any",
            "validasi isi wajib: isi minimal salah satu dari any, magic atau regex".into(),
            "content validation is required: set at least one of any, magic or regex".into(),
        ));
    }
    if r.any.iter().any(|a| a.trim().len() < 3) {
        return Err((
            "any",
            "setiap penanda minimal 3 karakter agar tidak cocok secara kebetulan".into(),
            "every marker needs at least 3 characters so it does not match by chance".into(),
        ));
    }
    if r.magic.iter().any(|m| m.len() < 2) {
        return Err((
            "magic",
            "setiap awalan magic minimal 2 byte".into(),
            "every magic prefix needs at least 2 bytes".into(),
        ));
    }
    if r.not.iter().any(|n| n.trim().len() < 3) {
        return Err((
            "not",
            "setiap penanda pengecualian minimal 3 karakter".into(),
            "every exclusion marker needs at least 3 characters".into(),
        ));
    }
    let regex = match &r.regex {
        Some(src) => Some(
            RegexBuilder::new(src)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| {
                    let msg = e.to_string();
                    let first = msg.lines().last().unwrap_or_default().trim().to_string();
                    (
                        "regex",
                        format!("ekspresi reguler tidak valid: {first}"),
                        format!("invalid regular expression: {first}"),
                    )
                })?,
        ),
        None => None,
    };
    let content_type: Vec<String> = r
        .content_type
        .into_vec()
        .into_iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    if content_type.iter().any(String::is_empty) {
        return Err((
            "content_type",
            "awalan Content-Type tidak boleh kosong".into(),
            "a Content-Type prefix must not be empty".into(),
        ));
    }
    if r.location.as_deref().is_some_and(|l| l.trim().len() < 4) {
        return Err((
            "location",
            "teks Location minimal 4 karakter".into(),
            "the Location text needs at least 4 characters".into(),
        ));
    }
    Ok(Entry {
        path,
        category: r.category,
        severity: r.severity,
        title_id: r.title_id.trim().to_string(),
        title_en: r.title_en.trim().to_string(),
        remediation_id: r.remediation_id.trim().to_string(),
        remediation_en: r.remediation_en.trim().to_string(),
        validation: Validation {
            status: r.status,
            any: r.any,
            magic: r.magic,
            regex,
            not: r.not,
            content_type,
            location: r.location.map(|l| l.trim().to_string()),
        },
        example: r.example,
    })
}

/// The response an entry's example stands for: its first status and content type.
pub fn example_response(entry: &Entry) -> Observed {
    Observed {
        status: entry.validation.status.first().copied().unwrap_or(200),
        location: None,
        content_type: entry.validation.content_type.first().cloned(),
        body: entry.example.clone(),
    }
}

/// Generic answers for `path` that no entry may accept: a soft-404 page echoing the path, an SPA
/// index, a JSON 404 and an empty body, each with the entry's first status and content type.
pub fn generic_responses(entry: &Entry, path: &str) -> Vec<Observed> {
    let status = entry.validation.status.first().copied().unwrap_or(200);
    let mut types: Vec<Option<String>> = vec![
        Some("text/html; charset=UTF-8".into()),
        Some("application/json".into()),
    ];
    if let Some(ct) = entry.validation.content_type.first() {
        types.push(Some(ct.clone()));
    }
    let mut out = Vec::new();
    for ct in types {
        for body in [
            GENERIC_SOFT_404.replace("{path}", path),
            GENERIC_SPA.to_string(),
            GENERIC_JSON_404.replace("{path}", path),
            String::new(),
        ] {
            out.push(Observed {
                status,
                location: None,
                content_type: ct.clone(),
                body,
            });
        }
    }
    out
}

/// An entry must accept its example and reject generic pages.
fn self_test(entry: &Entry) -> Result<(), RuleError> {
    if check(entry, &example_response(entry)).is_none() {
        return Err((
            "example",
            "contoh tidak lolos validasi entri itu sendiri".into(),
            "the example does not pass the entry's own validation".into(),
        ));
    }
    let path = fill(&entry.path, SAMPLE_DISCOVERED);
    for generic in generic_responses(entry, &path) {
        if check(entry, &generic).is_some() {
            let field = if !entry.validation.any.is_empty() {
                "any"
            } else if entry.validation.regex.is_some() {
                "regex"
            } else {
                "magic"
            };
            return Err((
                field,
                "validasi terlalu lemah: cocok dengan halaman 'tidak ditemukan', index SPA atau JSON 404 biasa".into(),
                "validation too weak: it matches an ordinary not-found page, SPA index or JSON 404".into(),
            ));
        }
    }
    Ok(())
}

/// Checks a response against an entry; the evidence when it is a hit.
pub fn check(entry: &Entry, resp: &Observed) -> Option<Evidence> {
    let v = &entry.validation;
    if !v.status.contains(&resp.status) {
        return None;
    }
    if !v.content_type.is_empty() {
        let ct = resp
            .content_type
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !v.content_type.iter().any(|p| ct.starts_with(p.as_str())) {
            return None;
        }
    }
    if (300..400).contains(&resp.status) {
        let want = v.location.as_deref()?;
        let loc = resp.location.as_deref()?;
        return loc
            .to_ascii_lowercase()
            .contains(&want.to_ascii_lowercase())
            .then(|| Evidence {
                matched: want.to_string(),
                excerpt: sanitise(&format!("Location: {loc}")),
            });
    }
    let body = resp.body.as_str();
    let lower = body.to_ascii_lowercase();
    if v.not
        .iter()
        .any(|n| lower.contains(&n.to_ascii_lowercase()))
    {
        return None;
    }
    let mut hit: Option<(usize, usize)> = v
        .magic
        .iter()
        .find(|m| body.starts_with(m.as_str()))
        .map(|m| (0, m.len()));
    if hit.is_none() {
        hit = v.any.iter().find_map(|a| {
            let a = a.to_ascii_lowercase();
            lower.find(&a).map(|p| (p, p + a.len()))
        });
    }
    if hit.is_none() && !(v.any.is_empty() && v.magic.is_empty()) {
        return None;
    }
    if let Some(re) = &v.regex {
        let m = re.find(body)?;
        if hit.is_none() {
            hit = Some((m.start(), m.end()));
        }
    }
    let (start, end) = hit?;
    Some(evidence(body, start, end))
}

fn evidence(body: &str, start: usize, end: usize) -> Evidence {
    let end = body.ceil_char_boundary(end.min(body.len()));
    let start = body.floor_char_boundary(start.min(end));
    let matched = body.get(start..end).unwrap_or_default();
    let matched: String = matched.chars().take(120).collect();
    let from = body.floor_char_boundary(start.saturating_sub(EXCERPT_BEFORE));
    let to = body.ceil_char_boundary((end + EXCERPT_AFTER).min(body.len()));
    let excerpt = body.get(from..to).unwrap_or_default();
    Evidence {
        matched: redact(&sanitise(&matched)),
        excerpt: redact(&sanitise(excerpt)),
    }
}

/// Control characters and replacement characters become '.', so binary evidence stays
/// printable; line breaks and tabs are kept.
fn sanitise(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\n' || c == '\t' {
                c
            } else if c.is_control() || c == '\u{FFFD}' {
                '.'
            } else {
                c
            }
        })
        .collect()
}

/// Words in a key that mark its value as secret.
const SECRET_KEY_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "auth",
    "credential",
    "salt",
    "private",
];

/// Masks secret values in evidence: `KEY=value`, `key: value`, `'key' => 'value'`,
/// `define('KEY', 'value')` lines whose key names a secret, credentials in URLs, password hashes
/// and the bodies of PEM private keys. Evidence is stored in reports and must not spread the
/// secret it proves.
pub fn redact(s: &str) -> String {
    let mut out = Vec::new();
    let mut in_pem = false;
    for line in s.split('\n') {
        if line.contains("-----BEGIN") && line.contains("PRIVATE KEY") {
            in_pem = true;
            out.push(line.to_string());
            continue;
        }
        if line.contains("-----END") {
            in_pem = false;
            out.push(line.to_string());
            continue;
        }
        if in_pem {
            out.push("****".to_string());
            continue;
        }
        out.push(redact_line(line));
    }
    out.join("\n")
}

fn redact_line(line: &str) -> String {
    let line = redact_url_credentials(line);
    // define('DB_PASSWORD', 'x') and 'password' => 'x'
    let sep = ["=>", "=", ":", ","]
        .iter()
        .filter_map(|s| line.find(s).map(|p| (p, s.len())))
        .min_by_key(|(p, _)| *p);
    let Some((pos, len)) = sep else {
        return line;
    };
    let (key, value) = (
        line.get(..pos).unwrap_or_default(),
        line.get(pos + len..).unwrap_or_default(),
    );
    let key_l = key.to_ascii_lowercase();
    let secret_key = SECRET_KEY_WORDS.iter().any(|w| key_l.contains(w));
    let value_t = value.trim();
    let hashed = [
        "$apr1$", "$2y$", "$2a$", "$2b$", "{SHA}", "$5$", "$6$", "$1$",
    ]
    .iter()
    .any(|p| value_t.starts_with(p));
    if (secret_key || hashed) && !value_t.is_empty() {
        let sep_text = line.get(pos..pos + len).unwrap_or_default();
        let lead: String = value.chars().take_while(|c| c.is_whitespace()).collect();
        return format!("{key}{sep_text}{lead}****");
    }
    line
}

fn redact_url_credentials(line: &str) -> String {
    let Some(scheme) = line.find("://") else {
        return line.to_string();
    };
    let after = scheme + 3;
    let rest = line.get(after..).unwrap_or_default();
    let host_end = rest.find(['/', ' ', '"', '\'']).unwrap_or(rest.len());
    let authority = rest.get(..host_end).unwrap_or_default();
    let Some(at) = authority.rfind('@') else {
        return line.to_string();
    };
    let Some(colon) = authority.get(..at).and_then(|u| u.find(':')) else {
        return line.to_string();
    };
    format!(
        "{}{}:****{}",
        line.get(..after).unwrap_or_default(),
        authority.get(..colon).unwrap_or_default(),
        line.get(after + at..).unwrap_or_default()
    )
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = text.floor_char_boundary(offset.min(text.len()));
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |p| offset - p - 1) + 1;
    (line, column)
}

/// Byte offsets of the `[[entry]]` headers.
fn entry_headers(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == "[[entry]]" {
            out.push(offset);
        }
        offset += line.len();
    }
    out
}

fn entry_index_at(text: &str, offset: usize) -> Option<usize> {
    entry_headers(text).iter().rposition(|&h| h <= offset)
}

/// The text of the `index`-th entry block.
fn entry_block(text: &str, index: usize) -> Option<(usize, &str)> {
    let headers = entry_headers(text);
    let start = *headers.get(index)?;
    let end = headers.get(index + 1).copied().unwrap_or(text.len());
    Some((start, text.get(start..end)?))
}

fn entry_path(text: &str, index: usize) -> Option<String> {
    let (_, block) = entry_block(text, index)?;
    block.lines().find_map(|l| {
        let rest = l
            .trim()
            .strip_prefix("path")?
            .trim_start()
            .strip_prefix('=')?;
        Some(rest.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// 1-based line of `field` in the `index`-th entry, or of the entry header.
fn field_line(text: &str, index: usize, field: &str) -> usize {
    let Some((start, block)) = entry_block(text, index) else {
        return 0;
    };
    let header_line = text.get(..start).unwrap_or_default().matches('\n').count() + 1;
    block
        .lines()
        .position(|l| {
            l.trim()
                .strip_prefix(field)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(header_line, |p| header_line + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[entry]]
path = "/.git/HEAD"
category = "vcs"
severity = "high"
title_id = "Repositori Git terbuka"
title_en = "Exposed Git repository"
remediation_id = "Blokir .git"
remediation_en = "Block .git"
regex = '\A\s*ref: refs/\S+\s*\z'
example = "ref: refs/heads/main\n"

[[entry]]
path = "{page}.bak"
category = "backup"
severity = "high"
title_id = "Cadangan kode sumber"
title_en = "Source backup"
remediation_id = "Hapus"
remediation_en = "Remove"
any = ["<?php"]
example = "<?php\n$db_pass = 'x';\n"
"#;

    fn err(text: &str) -> String {
        parse(text, "uji.toml").unwrap_err().to_string()
    }

    #[test]
    fn parses_and_expands() {
        let w = parse(MINIMAL, "uji.toml").unwrap();
        assert_eq!(w.entries.len(), 2);
        let probes = w.expand(&[
            "https://h/admin/config.php?x=1".into(),
            "/admin/config.php".into(),
            "/index.html".into(),
            "/api/users".into(),
            "/lapor.PHP#top".into(),
            "not a path".into(),
        ]);
        let paths: Vec<&str> = probes.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["/.git/HEAD", "/admin/config.php.bak", "/lapor.PHP.bak"]
        );
        assert_eq!(probes[1].from.as_deref(), Some("/admin/config.php"));
        assert_eq!(probes[1].entry, 1);
    }

    #[test]
    fn placeholders() {
        assert_eq!(fill("{dir}.{name}.swp", "/a/b/c.php"), "/a/b/.c.php.swp");
        assert_eq!(fill("{dir}{stem}.bak", "/c.php"), "/c.bak");
        assert_eq!(fill("{page}~", "/x/y.asp"), "/x/y.asp~");
    }

    #[test]
    fn errors_name_file_line_entry_and_field() {
        let e = err(&MINIMAL.replace(
            "severity = \"high\"\ntitle_id = \"Repositori",
            "severity = \"huge\"\ntitle_id = \"Repositori",
        ));
        assert!(e.starts_with("uji.toml:5:"), "{e}");
        assert!(e.contains("entri/entry '/.git/HEAD'"), "{e}");
        let e = err(&MINIMAL.replace(
            "regex = '\\A\\s*ref: refs/\\S+\\s*\\z'",
            "regex = '(unclosed'",
        ));
        assert!(
            e.contains("uji.toml:10: entri '/.git/HEAD', field 'regex'"),
            "{e}"
        );
        assert!(e.contains("invalid regular expression"), "{e}");
        let e = err(&MINIMAL.replace(
            "example = \"ref: refs/heads/main\\n\"",
            "example = \"nope\"",
        ));
        assert!(
            e.contains("field 'example'") && e.contains("uji.toml:11"),
            "{e}"
        );
        let e = err(&MINIMAL
            .replace("any = [\"<?php\"]", "any = [\"tidak\"]")
            .replace("<?php\\n$db", "tidak $db"));
        assert!(e.contains("field 'any'") && e.contains("too weak"), "{e}");
        let e = err(&MINIMAL.replace("{page}.bak", "/.git/HEAD"));
        assert!(e.contains("field 'path'") && e.contains("already"), "{e}");
        let e = err(&MINIMAL.replace("{page}.bak", "{file}.bak"));
        assert!(e.contains("unknown placeholder"), "{e}");
        let e = err(&MINIMAL.replace("any = [\"<?php\"]\n", ""));
        assert!(e.contains("content validation is required"), "{e}");
        let e = err(&MINIMAL.replace("title_en = \"Source backup\"", "title_en = \" \""));
        assert!(e.contains("field 'title_en'"), "{e}");
        let e = err(&MINIMAL.replace("any = [\"<?php\"]", "any = [\"<?php\"]\nstatus = [302]"));
        assert!(e.contains("field 'status'"), "{e}");
        let e = err(&MINIMAL.replace("category = \"vcs\"", "category = \"vcs\"\nunknown = 1"));
        assert!(e.contains("unknown"), "{e}");
        let e = err("[[entry]\n");
        assert!(e.starts_with("uji.toml:1:"), "{e}");
    }

    #[test]
    fn check_semantics() {
        let w = parse(MINIMAL, "uji.toml").unwrap();
        let git = &w.entries[0];
        assert!(check(git, &Observed::new(200, "ref: refs/heads/main\n")).is_some());
        assert!(check(git, &Observed::new(403, "ref: refs/heads/main\n")).is_none());
        assert!(check(git, &Observed::new(200, "<p>ref: refs/heads/main</p>")).is_none());
        let e = check(&w.entries[1], &Observed::new(200, "x <?PHP $a = 1;")).unwrap();
        assert_eq!(e.matched, "<?PHP");
        assert!(e.excerpt.contains("$a = 1"));
    }

    #[test]
    fn redaction() {
        let r = redact(
            "APP_ENV=production\nDB_PASSWORD=rahasia123\n'password' => 'x',\ndefine( 'DB_PASSWORD', 'pw' );\nurl = https://budi:Sandi123@git.kab.example.go.id/x.git\nadmin:$apr1$abc$def\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
        );
        assert!(
            !r.contains("rahasia123") && !r.contains("Sandi123") && !r.contains("MIIEow"),
            "{r}"
        );
        assert!(!r.contains("'pw'") && !r.contains("$def"), "{r}");
        assert!(r.contains("APP_ENV=production"));
        assert!(r.contains("DB_PASSWORD=****"));
        assert!(r.contains("https://budi:****@git.kab.example.go.id"), "{r}");
    }

    #[test]
    fn evidence_is_printable_and_bounded() {
        let body = format!("{}PK\u{3}\u{4}\u{FFFD}{}", "", "x".repeat(10_000));
        let e = evidence(&body, 0, 4);
        assert_eq!(e.matched, "PK..");
        assert!(e.excerpt.len() < 300);
        let uni = "é".repeat(500);
        let e = evidence(&uni, 101, 103);
        assert!(!e.excerpt.is_empty());
    }
}

#[cfg(test)]
mod default_list_tests {
    use super::*;

    #[test]
    fn default_list_loads() {
        let w = Wordlist::default_list().unwrap_or_else(|e| panic!("{e}"));
        assert!(w.entries.len() >= 100, "{}", w.entries.len());
    }
}
