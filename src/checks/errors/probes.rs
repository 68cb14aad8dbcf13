//! Pure planning of the safe requests that try to provoke error responses.

use crate::crawl::{Crawl, Form};
use std::collections::HashSet;
use url::Url;

/// A made-up path no application serves; fixed so findings keep the same locator across runs.
pub const UNKNOWN_PATH: &str = "/kawal-uji-404-tidak-ada";
/// Diagnostic pages probed for `errors.phpinfo` (and Spring Actuator for `errors.debug-mode`).
pub const DIAGNOSTIC_PATHS: &[&str] = &[
    "/phpinfo.php",
    "/info.php",
    "/server-status",
    "/server-info",
    "/nginx_status",
    "/actuator/env",
];
/// Folders commonly left browsable, probed besides those seen in the crawl.
pub const COMMON_DIRECTORIES: &[&str] = &["/uploads/"];
/// Most folders probed for directory listing.
const MAX_DIRECTORIES: usize = 5;

/// How a parameter value is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// Quote characters (`'"`), which break naively built SQL and string handling.
    Quote,
    /// A word where a number is expected, or an over-large number where a word is.
    TypeConfusion,
    /// `name[]=` (an array where a scalar is expected: PHP, Express).
    Array,
    /// Bytes that are not valid UTF-8 (`%C0%AF%FF`).
    InvalidUtf8,
    /// A NUL byte (`%00`).
    NullByte,
    /// A lone `%` (invalid percent-encoding).
    BadPercent,
    /// An 8 KiB value.
    Overlong,
    /// The parameter left out: a view linked with a parameter it needs may crash without it.
    Missing,
}

impl Mutation {
    /// Mutations in the order they are tried: the most revealing first.
    pub const ORDER: [Mutation; 8] = [
        Mutation::Quote,
        Mutation::Missing,
        Mutation::TypeConfusion,
        Mutation::Array,
        Mutation::InvalidUtf8,
        Mutation::NullByte,
        Mutation::BadPercent,
        Mutation::Overlong,
    ];

    /// Short name used in evidence.
    pub fn name(self) -> &'static str {
        match self {
            Mutation::Quote => "quote",
            Mutation::TypeConfusion => "type-confusion",
            Mutation::Array => "array",
            Mutation::InvalidUtf8 => "invalid-utf8",
            Mutation::NullByte => "null-byte",
            Mutation::BadPercent => "bad-percent-encoding",
            Mutation::Overlong => "overlong",
            Mutation::Missing => "missing",
        }
    }

    /// The raw (already percent-encoded) replacement for a value.
    fn value(self, original: &str) -> String {
        match self {
            Mutation::Quote => format!("{original}%27%22"),
            Mutation::TypeConfusion => {
                if !original.is_empty() && original.bytes().all(|b| b.is_ascii_digit()) {
                    "kawal".into()
                } else {
                    "99999999999999999999".into()
                }
            }
            Mutation::Array => original.to_string(),
            Mutation::InvalidUtf8 => "%C0%AF%FF%FE".into(),
            Mutation::NullByte => format!("{original}%00"),
            Mutation::BadPercent => "%".into(),
            Mutation::Overlong => "A".repeat(8192),
            Mutation::Missing => String::new(),
        }
    }

    /// The raw replacement for a path segment (no `[]` form for paths).
    fn segment(self, original: &str) -> Option<String> {
        match self {
            Mutation::Array | Mutation::BadPercent | Mutation::Overlong | Mutation::Missing => None,
            m => Some(m.value(original)),
        }
    }
}

/// What a probe does, which decides the items it can show as probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A path that does not exist.
    UnknownPath,
    /// A malformed query or form parameter of a discovered input.
    Parameter {
        /// Parameter name.
        name: String,
        /// How it was malformed.
        mutation: Mutation,
        /// Whether the parameter was discovered (a real input) rather than made up.
        discovered: bool,
    },
    /// A malformed identifier segment of a discovered path.
    PathSegment {
        /// How it was malformed.
        mutation: Mutation,
    },
    /// A method the page does not support.
    Method,
    /// An invalid or unexpected `Content-Type` with a malformed body.
    ContentType,
    /// A diagnostic page that should not exist.
    Diagnostic,
    /// A folder that should not be browsable.
    Directory,
    /// The normal submission of a form, used as the baseline of its mutations.
    Baseline,
}

impl Kind {
    /// Whether the probe tries to provoke an error (as opposed to looking for exposed pages).
    pub fn provokes(&self) -> bool {
        !matches!(self, Kind::Diagnostic | Kind::Directory | Kind::Baseline)
    }

    /// Whether the probe sends quote characters to a discovered input (database errors).
    pub fn reaches_input_with_quote(&self) -> bool {
        matches!(
            self,
            Kind::Parameter {
                mutation: Mutation::Quote,
                discovered: true,
                ..
            } | Kind::PathSegment {
                mutation: Mutation::Quote
            }
        )
    }

    /// Short description for evidence.
    pub fn describe(&self) -> String {
        match self {
            Kind::UnknownPath => "jalur tidak dikenal / unknown path".into(),
            Kind::Parameter { name, mutation, .. } => {
                format!("parameter '{name}': {}", mutation.name())
            }
            Kind::PathSegment { mutation } => {
                format!("segmen jalur / path segment: {}", mutation.name())
            }
            Kind::Method => "metode tidak didukung / unsupported method".into(),
            Kind::ContentType => "Content-Type tidak sah / invalid Content-Type".into(),
            Kind::Diagnostic => "halaman diagnostik / diagnostic page".into(),
            Kind::Directory => "daftar isi direktori / directory listing".into(),
            Kind::Baseline => "permintaan normal / normal request".into(),
        }
    }
}

/// Which response a probe is compared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineRef {
    /// A crawled page (index into `Crawl::pages`).
    Page(usize),
    /// Another probe's response (a form's normal submission).
    Probe(usize),
}

/// One planned request.
#[derive(Debug, Clone)]
pub struct Probe {
    /// What it does.
    pub kind: Kind,
    /// Method.
    pub method: reqwest::Method,
    /// URL (query already encoded as intended).
    pub url: Url,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Option<Vec<u8>>,
    /// Response to compare against.
    pub baseline: Option<BaselineRef>,
}

impl Probe {
    fn get(kind: Kind, url: Url, baseline: Option<BaselineRef>) -> Probe {
        Probe {
            kind,
            method: reqwest::Method::GET,
            url,
            headers: Vec::new(),
            body: None,
            baseline,
        }
    }
}

/// Limits and permissions of a probe plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Most probes in total.
    pub max_requests: usize,
    /// Allow POST and non-standard methods (malformed bodies, form posts); off by default.
    pub allow_unsafe_methods: bool,
}

/// An input to malform: a URL whose query parameters or path identifier can be changed.
#[derive(Debug, Clone)]
struct Target {
    url: Url,
    method: reqwest::Method,
    /// Parameter names in the query (GET) or form body (POST).
    params: Vec<(String, String)>,
    /// Index of the identifier-like path segment, if any.
    id_segment: Option<usize>,
    baseline: Option<BaselineRef>,
    /// Whether the parameters are discovered (a real input) rather than made up.
    discovered: bool,
}

fn raw_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect()
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn join_pairs(pairs: &[(String, String)], target: usize, m: Mutation) -> String {
    pairs
        .iter()
        .enumerate()
        .filter(|(i, _)| !(*i == target && m == Mutation::Missing))
        .map(|(i, (k, v))| {
            if i != target {
                format!("{k}={v}")
            } else if m == Mutation::Array {
                format!("{k}%5B%5D={v}")
            } else {
                format!("{k}={}", m.value(v))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn id_segment(u: &Url) -> Option<usize> {
    let segs: Vec<&str> = u.path().split('/').collect();
    segs.iter().rposition(|s| {
        !s.is_empty()
            && (s.bytes().all(|b| b.is_ascii_digit())
                || (s.len() == 36 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')))
    })
}

fn with_segment(u: &Url, index: usize, value: &str) -> Option<Url> {
    let segs: Vec<&str> = u.path().split('/').collect();
    let path = segs
        .iter()
        .enumerate()
        .map(|(i, s)| if i == index { value } else { s })
        .collect::<Vec<_>>()
        .join("/");
    let mut out = u.clone();
    out.set_path(&path);
    // `set_path` re-encodes `%`; only accept the result if the intended bytes survived.
    out.path().contains(value).then_some(out)
}

fn form_values(f: &Form) -> Vec<(String, String)> {
    f.fields
        .iter()
        .filter(|x| {
            !matches!(
                x.kind.as_str(),
                "submit" | "button" | "image" | "reset" | "file"
            )
        })
        .map(|x| {
            let v = x.value.clone().unwrap_or_else(|| match x.kind.as_str() {
                "number" | "range" => "1".into(),
                "email" => "uji@kawal.invalid".into(),
                "date" => "2024-01-01".into(),
                _ => "kawal".into(),
            });
            (encode(&x.name), encode(&v))
        })
        .collect()
}

/// Plans the probes for a crawled application, most revealing first, within the budget.
pub fn plan(start: &Url, crawl: &Crawl, opts: &PlanOptions) -> Vec<Probe> {
    let mut fixed = Vec::new();
    let root = |p: &str| start.join(p).ok();
    let landing = crawl
        .pages
        .iter()
        .position(|p| p.via == "start")
        .map(BaselineRef::Page);
    for suffix in ["", ".php", ".aspx"] {
        if let Some(u) = root(&format!("{UNKNOWN_PATH}{suffix}")) {
            fixed.push(Probe::get(Kind::UnknownPath, u, landing));
        }
    }
    // OPTIONS is safe and often unsupported, which shows the framework's 405 handling.
    fixed.push(Probe {
        method: reqwest::Method::OPTIONS,
        ..Probe::get(Kind::Method, start.clone(), landing)
    });
    fixed.push(Probe {
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Accept".into(), "application/json".into()),
        ],
        body: Some(b"{\"kawal\": [".to_vec()),
        ..Probe::get(Kind::ContentType, start.clone(), landing)
    });
    for p in DIAGNOSTIC_PATHS {
        if let Some(u) = root(p) {
            fixed.push(Probe::get(Kind::Diagnostic, u, landing));
        }
    }
    for d in directories(start, crawl) {
        fixed.push(Probe::get(Kind::Directory, d, landing));
    }

    let targets = targets(start, crawl, opts, landing);
    let mut out = fixed;
    let mut rounds: Vec<Probe> = Vec::new();
    // Form submissions need their own baseline first.
    let mut baseline_of = Vec::with_capacity(targets.len());
    for t in &targets {
        if t.baseline.is_some() {
            baseline_of.push(t.baseline);
            continue;
        }
        let (url, body) = submission(t, None);
        baseline_of.push(Some(BaselineRef::Probe(out.len())));
        out.push(Probe {
            kind: Kind::Baseline,
            method: t.method.clone(),
            url,
            headers: form_headers(t),
            body,
            baseline: None,
        });
    }
    if opts.allow_unsafe_methods {
        extend_unsafe(&mut out, start, crawl, landing);
    }
    for m in Mutation::ORDER {
        for (ti, t) in targets.iter().enumerate() {
            for pi in 0..t.params.len() {
                let (url, body) = submission(t, Some((pi, m)));
                rounds.push(Probe {
                    kind: Kind::Parameter {
                        name: t.params[pi].0.clone(),
                        mutation: m,
                        discovered: t.discovered,
                    },
                    method: t.method.clone(),
                    url,
                    headers: form_headers(t),
                    body,
                    baseline: baseline_of[ti],
                });
            }
            if let (Some(seg), true) = (t.id_segment, t.params.is_empty() || m == Mutation::Quote) {
                let original = t.url.path().split('/').nth(seg).unwrap_or("").to_string();
                if let Some(u) = m
                    .segment(&original)
                    .and_then(|v| with_segment(&t.url, seg, &v))
                {
                    rounds.push(Probe::get(
                        Kind::PathSegment { mutation: m },
                        u,
                        baseline_of[ti],
                    ));
                }
            }
        }
    }
    out.extend(rounds);
    // Baseline probes of forms whose mutations fell outside the budget are wasted; drop them.
    out.truncate(opts.max_requests);
    let used: HashSet<usize> = out
        .iter()
        .filter_map(|p| match p.baseline {
            Some(BaselineRef::Probe(i)) => Some(i),
            _ => None,
        })
        .collect();
    let keep: Vec<bool> = out
        .iter()
        .enumerate()
        .map(|(i, p)| p.kind != Kind::Baseline || used.contains(&i))
        .collect();
    if keep.iter().all(|k| *k) {
        return out;
    }
    // Re-index baselines after dropping unused ones.
    let mut new_index = vec![0; out.len()];
    let mut n = 0;
    for (i, k) in keep.iter().enumerate() {
        new_index[i] = n;
        if *k {
            n += 1;
        }
    }
    out.into_iter()
        .enumerate()
        .filter(|(i, _)| keep[*i])
        .map(|(_, mut p)| {
            if let Some(BaselineRef::Probe(i)) = p.baseline {
                p.baseline = Some(BaselineRef::Probe(new_index[i]));
            }
            p
        })
        .collect()
}

fn form_headers(t: &Target) -> Vec<(String, String)> {
    if t.method == reqwest::Method::POST {
        vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )]
    } else {
        Vec::new()
    }
}

/// The URL and body of a target's submission, with parameter `which` malformed.
fn submission(t: &Target, which: Option<(usize, Mutation)>) -> (Url, Option<Vec<u8>>) {
    let encoded = match which {
        Some((i, m)) => join_pairs(&t.params, i, m),
        None => t
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&"),
    };
    let mut url = t.url.clone();
    if t.method == reqwest::Method::POST {
        (url, Some(encoded.into_bytes()))
    } else {
        url.set_query((!encoded.is_empty()).then_some(encoded.as_str()));
        (url, None)
    }
}

fn targets(
    start: &Url,
    crawl: &Crawl,
    opts: &PlanOptions,
    landing: Option<BaselineRef>,
) -> Vec<Target> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // Pages complete in any order; sorting keeps the sample (and so the findings) stable.
    let mut order: Vec<usize> = (0..crawl.pages.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&crawl.pages[a], &crawl.pages[b]);
        (pa.depth, &pa.url).cmp(&(pb.depth, &pb.url))
    });
    for i in order {
        let p = &crawl.pages[i];
        if p.status >= 400 || p.response.is_none() {
            continue;
        }
        let Ok(u) = Url::parse(&p.url) else {
            continue;
        };
        let params = u.query().map(raw_pairs).unwrap_or_default();
        let id_segment = id_segment(&u);
        if params.is_empty() && id_segment.is_none() {
            continue;
        }
        if !seen.insert(crate::crawl::pattern::pattern(&u)) {
            continue;
        }
        out.push(Target {
            url: u,
            method: reqwest::Method::GET,
            params,
            id_segment,
            baseline: Some(BaselineRef::Page(i)),
            discovered: true,
        });
    }
    for f in &crawl.forms {
        let Ok(mut action) = Url::parse(&f.action) else {
            continue;
        };
        let method = match f.method.as_str() {
            "GET" => reqwest::Method::GET,
            "POST" if opts.allow_unsafe_methods => reqwest::Method::POST,
            _ => continue,
        };
        let params = form_values(f);
        if params.is_empty() {
            continue;
        }
        if method == reqwest::Method::GET {
            action.set_query(None);
        }
        let key = format!("{} {}", method, crate::crawl::pattern::pattern(&action));
        if !seen.insert(key) {
            continue;
        }
        out.push(Target {
            url: action,
            method,
            params,
            id_segment: None,
            baseline: None,
            discovered: true,
        });
    }
    // Without any discovered input, a made-up parameter on the start page still shows how
    // the application treats malformed input.
    if out.is_empty() {
        out.push(Target {
            url: start.clone(),
            method: reqwest::Method::GET,
            params: vec![("id".into(), "1".into())],
            id_segment: None,
            baseline: landing,
            discovered: false,
        });
    }
    out
}

/// Folders worth checking for a listing: those of crawled files, then common ones.
fn directories(start: &Url, crawl: &Crawl) -> Vec<Url> {
    let mut out: Vec<Url> = Vec::new();
    let files = crawl
        .resources
        .iter()
        .chain(crawl.scripts.iter())
        .chain(crawl.pages.iter().map(|p| &p.url));
    for f in files {
        let Ok(u) = Url::parse(f) else {
            continue;
        };
        let path = u.path();
        let Some((dir, _)) = path.rsplit_once('/') else {
            continue;
        };
        if dir.is_empty() {
            continue;
        }
        if let Ok(mut d) = u.join(&format!("{dir}/")) {
            d.set_query(None);
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    // Crawl order varies between runs; a sorted sample keeps findings stable.
    out.sort();
    out.truncate(MAX_DIRECTORIES - COMMON_DIRECTORIES.len());
    for c in COMMON_DIRECTORIES {
        if let Ok(d) = start.join(c)
            && !out.contains(&d)
        {
            out.push(d);
        }
    }
    out.truncate(MAX_DIRECTORIES);
    out
}

/// Probes sent only when the application's registration allows unsafe methods.
fn extend_unsafe(out: &mut Vec<Probe>, start: &Url, crawl: &Crawl, landing: Option<BaselineRef>) {
    out.push(Probe {
        method: reqwest::Method::from_bytes(b"KAWAL").unwrap_or(reqwest::Method::PATCH),
        ..Probe::get(Kind::Method, start.clone(), landing)
    });
    let mut endpoints: Vec<(Url, Option<BaselineRef>)> = crawl
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.content_type
                .as_deref()
                .is_some_and(|c| c.contains("json") || c.contains("xml"))
        })
        .filter_map(|(i, p)| {
            Url::parse(&p.url)
                .ok()
                .map(|u| (u, Some(BaselineRef::Page(i))))
        })
        .take(3)
        .collect();
    if endpoints.is_empty() {
        endpoints.push((start.clone(), landing));
    }
    for (u, b) in endpoints {
        for (ct, body) in [
            ("application/json", b"{\"kawal\": [1, ".to_vec()),
            (
                "application/xml",
                b"<?xml version=\"1.0\"?><kawal><a></kawal>".to_vec(),
            ),
            ("application/x-kawal-invalid;;charset=", b"kawal".to_vec()),
        ] {
            out.push(Probe {
                kind: Kind::ContentType,
                method: reqwest::Method::POST,
                url: u.clone(),
                headers: vec![("Content-Type".into(), ct.into())],
                body: Some(body),
                baseline: b,
            });
        }
    }
}
