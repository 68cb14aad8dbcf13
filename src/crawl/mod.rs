//! In-scope crawler: discovers pages, forms, scripts and hints of one application.
//!
//! Pure parts live in [`extract`] (links and forms of one page), [`pattern`] (URL patterns for
//! de-duplication) and [`hints`] (`robots.txt`, `sitemap.xml`); this module only fetches,
//! through the application's [`HttpClient`], so scope, rate limit and body cap always apply.

pub mod extract;
pub mod hints;
pub mod html;
pub mod pattern;
pub mod textual;

pub use extract::{Field, Form};

use crate::net::{Exchange, HttpClient, NetError, Response};
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;
use url::Url;

/// Path words of links that end a session; following them would log an authenticated crawl out.
const SESSION_ENDING: &[&str] = &["logout", "log-out", "signout", "sign-out", "keluar"];
/// Extensions of files that are recorded but not fetched: they hold no links.
const NOT_PAGES: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp", "pdf", "doc", "docx", "xls", "xlsx",
    "ppt", "pptx", "zip", "rar", "7z", "gz", "tar", "mp3", "mp4", "avi", "mov", "woff", "woff2",
    "ttf", "eot", "css", "js", "map", "apk", "exe", "iso",
];

/// Limits of one crawl.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Most pages fetched.
    pub max_pages: usize,
    /// Most link hops from the start page.
    pub max_depth: usize,
    /// Pages fetched per URL pattern (`/item/1`, `/item/2` share one pattern).
    pub per_pattern: usize,
    /// Read `robots.txt` and `sitemap.xml` for more pages.
    pub use_hints: bool,
    /// Keep each page's response (for checks that compare against it).
    pub keep_responses: bool,
    /// Headers sent with every request (a logged-in role's cookie or Authorization).
    pub headers: Vec<(String, String)>,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            max_pages: 100,
            max_depth: 3,
            per_pattern: 1,
            use_hints: true,
            keep_responses: false,
            headers: Vec::new(),
        }
    }
}

/// One fetched page.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// URL requested.
    pub url: String,
    /// Final URL after in-scope redirects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// URL pattern.
    pub pattern: String,
    /// Link hops from the start page.
    pub depth: usize,
    /// How it was found: `start`, `link`, `script`, `named` (in text or a script), `json`,
    /// `item` (a JSON list's id under its collection), `openapi`, `robots`, `sitemap`.
    pub via: &'static str,
    /// Final status.
    pub status: u16,
    /// `Content-Type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Title of an HTML page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Links found on it.
    pub links: usize,
    /// Forms found on it.
    pub forms: usize,
    /// Whether the body was cut at the size cap.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// The response, when the crawl keeps them.
    #[serde(skip)]
    pub response: Option<Arc<Response>>,
}

/// A page that could not be fetched.
#[derive(Debug, Clone, Serialize)]
pub struct CrawlError {
    /// URL.
    pub url: String,
    /// Why.
    pub error: String,
}

/// Counts of what was not fetched and why.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Skipped {
    /// Links to hosts outside the application's scope.
    pub out_of_scope: usize,
    /// Links whose URL pattern was already sampled enough.
    pub duplicate_pattern: usize,
    /// Links beyond the depth or page limit.
    pub over_limit: usize,
    /// Links that would end the session (logout).
    pub session_ending: usize,
    /// Files that hold no links (images, documents).
    pub not_pages: usize,
    /// Item URLs guessed from a JSON list whose answer was not that item's JSON document.
    pub unconfirmed_items: usize,
}

/// Hints found in `robots.txt` and sitemaps.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Hints {
    /// Paths named in `robots.txt`.
    pub robots_paths: Vec<String>,
    /// Sitemaps read.
    pub sitemaps: Vec<String>,
    /// URLs listed in sitemaps.
    pub sitemap_urls: usize,
    /// OpenAPI/Swagger documents read.
    pub api_docs: Vec<String>,
}

/// The result of a crawl.
#[derive(Debug, Clone, Serialize)]
pub struct Crawl {
    /// Start URL.
    pub start: String,
    /// Pages fetched, in the order they completed.
    pub pages: Vec<Page>,
    /// Forms found (each distinct action and method once).
    pub forms: Vec<Form>,
    /// Script URLs referenced by in-scope pages.
    pub scripts: Vec<String>,
    /// In-scope files seen but not fetched (images, documents, stylesheets).
    pub resources: Vec<String>,
    /// Hints from `robots.txt` and sitemaps.
    pub hints: Hints,
    /// What was not fetched.
    pub skipped: Skipped,
    /// Pages that failed.
    pub errors: Vec<CrawlError>,
    /// Requests sent by the crawl (redirect hops included).
    pub requests: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

#[derive(Clone)]
struct Job {
    url: Url,
    depth: usize,
    via: &'static str,
}

struct State<'a> {
    http: &'a HttpClient,
    opts: &'a CrawlOptions,
    queue: VecDeque<Job>,
    seen: HashSet<String>,
    per_pattern: HashMap<String, usize>,
    queued_pages: usize,
    out: Crawl,
    form_keys: HashSet<(String, String, Vec<String>)>,
    scripts: HashSet<String>,
    resources: HashSet<String>,
}

impl State<'_> {
    /// Queues a discovered URL unless it is out of scope, seen, over a limit or a duplicate.
    fn offer(&mut self, mut url: Url, depth: usize, via: &'static str) {
        url.set_fragment(None);
        if !self.http.scope().allows(&url) {
            self.out.skipped.out_of_scope += 1;
            return;
        }
        let key = url.to_string();
        if self.seen.contains(&key) {
            return;
        }
        let path = url.path().to_ascii_lowercase();
        // Same-origin scripts are read for the endpoints they name; other files hold no links.
        let script = via == "script" && path.ends_with(".js");
        if !script
            && path
                .rsplit_once('.')
                .is_some_and(|(_, ext)| NOT_PAGES.contains(&ext))
        {
            self.seen.insert(key.clone());
            self.out.skipped.not_pages += 1;
            if self.resources.len() < extract::MAX_PER_PAGE && self.resources.insert(key.clone()) {
                self.out.resources.push(key);
            }
            return;
        }
        if SESSION_ENDING
            .iter()
            .any(|w| path.split(['/', '.', '_']).any(|seg| seg == *w))
        {
            self.seen.insert(key);
            self.out.skipped.session_ending += 1;
            return;
        }
        if depth > self.opts.max_depth || self.queued_pages >= self.opts.max_pages {
            self.out.skipped.over_limit += 1;
            return;
        }
        self.seen.insert(key);
        // An item whose id came from a JSON list is sampled beside the same route filled in
        // from an API description's placeholder: only the real id reaches a real object.
        let pat = match via {
            "item" => format!("item {}", pattern::pattern(&url)),
            _ => pattern::pattern(&url),
        };
        let n = self.per_pattern.entry(pat).or_default();
        if *n >= self.opts.per_pattern {
            self.out.skipped.duplicate_pattern += 1;
            return;
        }
        *n += 1;
        self.queued_pages += 1;
        self.queue.push_back(Job { url, depth, via });
    }

    /// Records a fetched page and queues what it links to.
    fn record(&mut self, job: Job, ex: Exchange) {
        let r = ex.response;
        if job.via == "item" && !is_item_answer(&job.url, &r) {
            self.out.skipped.unconfirmed_items += 1;
            return;
        }
        let final_url = (r.url != job.url).then(|| r.url.to_string());
        if final_url.is_some() {
            self.seen.insert(r.url.to_string());
        }
        let content_type = r.header("content-type").map(str::to_string);
        let mut page = Page {
            url: job.url.to_string(),
            final_url,
            pattern: pattern::pattern(&job.url),
            depth: job.depth,
            via: job.via,
            status: r.status,
            content_type: content_type.clone(),
            title: None,
            links: 0,
            forms: 0,
            truncated: r.truncated,
            response: None,
        };
        if extract::is_html(content_type.as_deref(), &r.body) {
            let found = extract::extract(&r.url, &r.text());
            page.title = found.title;
            page.links = found.links.len();
            page.forms = found.forms.len();
            for f in found.forms {
                let key = (
                    f.action.clone(),
                    f.method.clone(),
                    f.fields.iter().map(|x| x.name.clone()).collect(),
                );
                if self.form_keys.insert(key)
                    && Url::parse(&f.action).is_ok_and(|a| self.http.scope().allows(&a))
                {
                    self.out.forms.push(f);
                }
            }
            for s in found.scripts {
                if self.http.scope().allows(&s) && self.scripts.insert(s.to_string()) {
                    self.out.scripts.push(s.to_string());
                    self.offer(s, job.depth + 1, "script");
                }
            }
            for u in textual::named_urls(&r.url, &r.text()) {
                self.offer(u, job.depth + 1, "named");
            }
            for res in found.resources {
                if self.http.scope().allows(&res)
                    && self.resources.len() < extract::MAX_PER_PAGE
                    && self.resources.insert(res.to_string())
                {
                    self.out.resources.push(res.to_string());
                }
            }
            for l in found.links {
                self.offer(l, job.depth + 1, "link");
            }
        } else if job.via == "script" || is_script(content_type.as_deref()) {
            for u in textual::named_urls(&r.url, &r.text()) {
                self.offer(u, job.depth + 1, "named");
            }
        } else if let Some(doc) = json_body(content_type.as_deref(), &r.body) {
            let urls = if textual::is_api_description(&doc) {
                textual::openapi_paths(&r.url, &doc)
            } else {
                textual::json_urls(&r.url, &doc)
            };
            let via = if textual::is_api_description(&doc) {
                "openapi"
            } else {
                "json"
            };
            for u in urls {
                self.offer(u, job.depth + 1, via);
            }
            if via == "json" {
                for u in textual::item_urls(&r.url, &doc) {
                    self.offer(u, job.depth + 1, "item");
                }
            }
        }
        if self.opts.keep_responses {
            page.response = Some(Arc::new(r));
        }
        self.out.pages.push(page);
    }
}

/// A guessed `<collection>/<id>` URL is a page only when it answers that object: a successful
/// JSON document naming the id (a catch-all or "not found" page is not the object).
fn is_item_answer(url: &Url, r: &Response) -> bool {
    let id = url.path().rsplit('/').next().unwrap_or("");
    (200..300).contains(&r.status)
        && !id.is_empty()
        && json_body(r.header("content-type"), &r.body).is_some()
        && r.text().contains(id)
}

fn is_script(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| c.to_ascii_lowercase().contains("javascript"))
}

/// The body as JSON, when it is a JSON document.
fn json_body(content_type: Option<&str>, body: &[u8]) -> Option<serde_json::Value> {
    let json_type = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("json"));
    let looks = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['));
    (json_type || looks)
        .then(|| serde_json::from_slice(body).ok())
        .flatten()
}

/// A GET with the crawl's extra headers.
async fn fetch(
    http: &HttpClient,
    url: &Url,
    headers: &[(String, String)],
) -> Result<Exchange, NetError> {
    if headers.is_empty() {
        return http.get(url).await;
    }
    http.send(crate::net::Request {
        headers: headers.to_vec(),
        ..crate::net::Request::get(url.clone())
    })
    .await
}

/// Crawls from `start`; `landing` reuses an already fetched start page.
///
/// Fails only when the start page itself cannot be fetched; other failures are listed in
/// [`Crawl::errors`].
pub async fn crawl(
    http: &HttpClient,
    start: &Url,
    landing: Option<Exchange>,
    opts: &CrawlOptions,
) -> Result<Crawl, NetError> {
    let started = Instant::now();
    let sent_before = http.requests_sent();
    let mut st = State {
        http,
        opts,
        queue: VecDeque::new(),
        seen: HashSet::new(),
        per_pattern: HashMap::new(),
        queued_pages: 0,
        out: Crawl {
            start: start.to_string(),
            pages: Vec::new(),
            forms: Vec::new(),
            scripts: Vec::new(),
            resources: Vec::new(),
            hints: Hints::default(),
            skipped: Skipped::default(),
            errors: Vec::new(),
            requests: 0,
            elapsed_ms: 0,
        },
        form_keys: HashSet::new(),
        scripts: HashSet::new(),
        resources: HashSet::new(),
    };
    let landing = match landing {
        Some(l) => l,
        None => fetch(http, start, &opts.headers).await?,
    };
    let mut start_url = start.clone();
    start_url.set_fragment(None);
    st.seen.insert(start_url.to_string());
    st.per_pattern.insert(pattern::pattern(&start_url), 1);
    st.queued_pages = 1;
    st.record(
        Job {
            url: start_url.clone(),
            depth: 0,
            via: "start",
        },
        landing,
    );
    if opts.use_hints {
        hints_into(&mut st, &start_url).await;
    }
    let concurrency = http.config().concurrency.max(1);
    let mut inflight = FuturesUnordered::new();
    loop {
        while inflight.len() < concurrency {
            let Some(job) = st.queue.pop_front() else {
                break;
            };
            inflight.push(async move {
                let r = fetch(http, &job.url, &st.opts.headers).await;
                (job, r)
            });
        }
        let Some((job, r)) = inflight.next().await else {
            break;
        };
        match r {
            Ok(ex) => st.record(job, ex),
            Err(e) => st.out.errors.push(CrawlError {
                url: job.url.to_string(),
                error: e.to_string(),
            }),
        }
    }
    st.out.requests = http.requests_sent().saturating_sub(sent_before);
    st.out.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(st.out)
}

/// Reads the API descriptions at their conventional places and queues their GET operations.
async fn api_docs_into(st: &mut State<'_>, start: &Url) {
    for p in textual::API_DOCS {
        let Ok(u) = start.join(p) else { continue };
        let Ok(ex) = fetch(st.http, &u, &st.opts.headers).await else {
            continue;
        };
        let r = &ex.response;
        if r.status != 200 {
            continue;
        }
        if let Some(doc) = json_body(r.header("content-type"), &r.body)
            && textual::is_api_description(&doc)
        {
            st.out.hints.api_docs.push(u.to_string());
            for op in textual::openapi_paths(&r.url, &doc) {
                st.offer(op, 1, "openapi");
            }
        }
    }
}

/// Reads `robots.txt` and the sitemaps it names (or `/sitemap.xml`) and queues their URLs.
async fn hints_into(st: &mut State<'_>, start: &Url) {
    api_docs_into(st, start).await;
    let Ok(robots_url) = start.join("/robots.txt") else {
        return;
    };
    let mut sitemaps: Vec<Url> = Vec::new();
    if let Ok(ex) = st.http.get(&robots_url).await
        && ex.response.status == 200
        && !extract::is_html(ex.response.header("content-type"), &ex.response.body)
    {
        let r = hints::robots(&ex.response.text());
        for p in &r.paths {
            if let Ok(u) = start.join(p) {
                st.offer(u, 1, "robots");
            }
        }
        st.out.hints.robots_paths = r.paths;
        sitemaps.extend(r.sitemaps.iter().filter_map(|s| start.join(s).ok()));
    }
    if sitemaps.is_empty()
        && let Ok(u) = start.join("/sitemap.xml")
    {
        sitemaps.push(u);
    }
    // Sitemap indexes nest; a few levels and files are plenty.
    let mut read = 0;
    while let Some(sm) = sitemaps.pop() {
        if read >= 10 || !st.http.scope().allows(&sm) {
            continue;
        }
        read += 1;
        let Ok(ex) = st.http.get(&sm).await else {
            continue;
        };
        if ex.response.status != 200 {
            continue;
        }
        st.out.hints.sitemaps.push(sm.to_string());
        for loc in hints::sitemap_locs(&ex.response.text()) {
            let Ok(u) = sm.join(&loc) else {
                continue;
            };
            st.out.hints.sitemap_urls += 1;
            if u.path().ends_with(".xml") {
                sitemaps.push(u);
            } else {
                st.offer(u, 1, "sitemap");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(url: &str, status: u16, ctype: &str, body: &str) -> Response {
        Response {
            method: "GET".into(),
            url: Url::parse(url).expect("url"),
            status,
            headers: vec![("content-type".into(), ctype.into())],
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn a_guessed_item_url_counts_only_when_it_answers_that_object() {
        let u = Url::parse("https://app.example.go.id/api/permohonan/42").expect("url");
        let ok = answer(u.as_str(), 200, "application/json", r#"{"data":{"id":42}}"#);
        assert!(is_item_answer(&u, &ok));
        // A catch-all page that echoes the path, a JSON "not found", another object.
        for (status, ctype, body) in [
            (
                200,
                "text/html",
                "<p>Halaman /api/permohonan/42 tidak ada</p>",
            ),
            (404, "application/json", r#"{"error":"42 tidak ditemukan"}"#),
            (200, "application/json", r#"{"data":{"id":7}}"#),
        ] {
            assert!(
                !is_item_answer(&u, &answer(u.as_str(), status, ctype, body)),
                "{body}"
            );
        }
    }
}
