//! Error-message leakage: provokes errors with safe requests and looks for internals.
//!
//! The SOP asks applications to catch exceptions on the server, log the details privately and
//! show users nothing internal. This check proves it from outside: it crawls the application
//! ([`crate::crawl`]), plans malformed but harmless requests ([`probes`]), and compares each
//! response with the normal response of the same page ([`detect`]) using the signatures in
//! `checklists/signatures/errors.toml` ([`signatures`]). Every item gets an outcome on every
//! run: Fail with evidence, Pass only when it was actually probed, otherwise Inconclusive.

pub mod detect;
pub mod probes;
pub mod signatures;

use super::{Check, CheckError, Context, Observation};
use crate::crawl::{self, Crawl, CrawlOptions};
use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::{HttpClient, NetError, Request, Response, evidence};
use detect::{Hit, detect};
use futures_util::future::BoxFuture;
use futures_util::stream::{self, StreamExt};
use probes::{BaselineRef, Kind, PlanOptions, Probe};
use serde_json::json;
use signatures::Signatures;
use std::collections::BTreeMap;

/// The checklist items this check decides.
pub const ITEMS: &[&str] = &[
    "errors.stack-trace",
    "errors.database",
    "errors.debug-mode",
    "errors.internal-paths",
    "errors.internal-addresses",
    "errors.generic-error-page",
    "errors.directory-listing",
    "errors.phpinfo",
];

/// Most failing observations reported per item; the rest are counted in the figures.
const MAX_FINDINGS_PER_ITEM: usize = 25;

/// Limits and permissions of the check.
#[derive(Debug, Clone)]
pub struct ErrorOptions {
    /// The crawl that finds pages, forms and endpoints to probe.
    pub crawl: CrawlOptions,
    /// Most probe requests (the crawl is bounded by its own page limit).
    pub max_requests: usize,
    /// Allow POST and non-standard methods (form posts, malformed JSON/XML bodies).
    pub allow_unsafe_methods: bool,
}

impl Default for ErrorOptions {
    fn default() -> Self {
        ErrorOptions {
            crawl: CrawlOptions {
                max_pages: 25,
                max_depth: 2,
                per_pattern: 1,
                use_hints: true,
                keep_responses: true,
                headers: Vec::new(),
            },
            max_requests: 60,
            allow_unsafe_methods: false,
        }
    }
}

/// Provokes errors with safe requests and reports leaked internals.
pub struct ErrorLeakCheck;

impl Check for ErrorLeakCheck {
    fn name(&self) -> &'static str {
        "error-leakage"
    }

    fn items(&self) -> &'static [&'static str] {
        ITEMS
    }

    fn run<'a>(&'a self, ctx: &'a Context) -> BoxFuture<'a, Result<Vec<Observation>, CheckError>> {
        Box::pin(async move {
            let opts = ErrorOptions {
                allow_unsafe_methods: ctx.options.allow_unsafe_methods,
                ..ErrorOptions::default()
            };
            run_with(ctx, &opts).await
        })
    }
}

/// What a run did, besides the observations (for callers that want figures).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunStats {
    /// Pages crawled.
    pub pages: usize,
    /// Probes sent.
    pub probes: usize,
    /// Probes that failed at the network level.
    pub probe_errors: usize,
}

/// Runs the check with explicit options.
pub async fn run_with(ctx: &Context, opts: &ErrorOptions) -> Result<Vec<Observation>, CheckError> {
    run_detailed(ctx, opts).await.map(|(o, _)| o)
}

/// Runs the check and also returns what it did.
pub async fn run_detailed(
    ctx: &Context,
    opts: &ErrorOptions,
) -> Result<(Vec<Observation>, RunStats), CheckError> {
    let sigs = Signatures::builtin().map_err(|e| CheckError::Unusable(e.to_string()))?;
    let landing = ctx.landing().await?;
    let mut crawl_opts = opts.crawl.clone();
    crawl_opts.keep_responses = true;
    let crawl = crawl::crawl(
        &ctx.http,
        &ctx.target,
        Some((*landing).clone()),
        &crawl_opts,
    )
    .await?;
    let plan = probes::plan(
        &ctx.target,
        &crawl,
        &PlanOptions {
            max_requests: opts.max_requests,
            allow_unsafe_methods: opts.allow_unsafe_methods,
        },
    );
    let results = execute(&ctx.http, &plan).await;
    let mut stats = RunStats {
        pages: crawl.pages.len(),
        probes: plan.len(),
        probe_errors: results.iter().filter(|r| r.is_err()).count(),
    };
    let anonymous = judge(&crawl, &plan, &results, sigs);
    let roles = as_roles(ctx, opts, sigs, &mut stats).await;
    Ok((merge(anonymous, roles), stats))
}

/// The same crawl and probes as every registered role (pages behind login crash too), with the
/// same safety rules; the observations of each role are tagged with its name.
async fn as_roles(
    ctx: &Context,
    opts: &ErrorOptions,
    sigs: &Signatures,
    stats: &mut RunStats,
) -> Vec<Vec<Observation>> {
    if ctx.options.access.roles.is_empty() && ctx.options.login.is_none() {
        return Vec::new();
    }
    // Logging in may end another check's sessions of the same account: run alone.
    let _exclusive = ctx.exclusive_logins().await;
    let mut out = Vec::new();
    for (role, session) in crate::checks::session_role::log_in_all(ctx).await {
        let Ok(session) = session else { continue };
        let mut crawl_opts = opts.crawl.clone();
        crawl_opts.keep_responses = true;
        crawl_opts.headers = session.request_headers(&ctx.target);
        let Ok(crawl) = crawl::crawl(&ctx.http, &ctx.target, None, &crawl_opts).await else {
            continue;
        };
        let mut plan = probes::plan(
            &ctx.target,
            &crawl,
            &PlanOptions {
                max_requests: opts.max_requests,
                allow_unsafe_methods: opts.allow_unsafe_methods,
            },
        );
        for p in &mut plan {
            p.headers.extend(session.request_headers(&p.url));
        }
        let results = execute(&ctx.http, &plan).await;
        stats.pages += crawl.pages.len();
        stats.probes += plan.len();
        stats.probe_errors += results.iter().filter(|r| r.is_err()).count();
        let obs = judge(&crawl, &plan, &results, sigs)
            .into_iter()
            .map(|mut o| {
                if let serde_json::Value::Object(m) = &mut o.figures {
                    m.insert("role".into(), json!(role));
                }
                o
            })
            .collect();
        out.push(obs);
    }
    out
}

/// Anonymous and per-role observations as one set per item: every distinct finding (by
/// signature) once; otherwise the anonymous result, unless a role's run could not pass.
fn merge(anonymous: Vec<Observation>, roles: Vec<Vec<Observation>>) -> Vec<Observation> {
    let mut out = Vec::new();
    for item in ITEMS {
        let all = || {
            anonymous
                .iter()
                .chain(roles.iter().flatten())
                .filter(|o| o.item_id == *item)
        };
        let mut fails: Vec<Observation> = Vec::new();
        for o in all().filter(|o| o.outcome == Outcome::Fail) {
            match fails.iter_mut().find(|f| f.locator == o.locator) {
                Some(f) => add_instances(f, o),
                None => fails.push(o.clone()),
            }
        }
        if !fails.is_empty() {
            fails.iter_mut().for_each(name_roles);
            out.extend(fails);
            continue;
        }
        let unsure = roles.iter().flatten().find(|o| {
            o.item_id == *item
                && o.outcome.status() == "inconclusive"
                && !o.figures["lost_requests"].is_null()
        });
        // A stranger may find nothing to probe (every input is behind login) where a role
        // probed and saw no leak: that role's pass is the verdict.
        let anon: Vec<&Observation> = anonymous.iter().filter(|o| o.item_id == *item).collect();
        let anon_unsure =
            !anon.is_empty() && anon.iter().all(|o| o.outcome.status() == "inconclusive");
        let role_pass = roles
            .iter()
            .flatten()
            .find(|o| o.item_id == *item && o.outcome == Outcome::Pass);
        match (unsure, role_pass) {
            (Some(o), _) => out.push(o.clone()),
            (None, Some(p)) if anon_unsure => out.push(p.clone()),
            (None, _) => out.extend(anon.into_iter().cloned()),
        }
    }
    out
}

/// One root cause seen again as another role: its requests join the finding's instances,
/// each naming the role it was made as.
fn add_instances(into: &mut Observation, other: &Observation) {
    let role = other.figures.get("role").cloned();
    let Some(more) = other.figures.get("instances").and_then(|v| v.as_array()) else {
        return;
    };
    let Some(list) = into
        .figures
        .get_mut("instances")
        .and_then(|v| v.as_array_mut())
    else {
        return;
    };
    for i in more {
        if list.len() >= MAX_INSTANCES {
            break;
        }
        let same = |x: &serde_json::Value| x["method"] == i["method"] && x["url"] == i["url"];
        if list.iter().any(same) {
            continue;
        }
        let mut i = i.clone();
        if let (Some(r), serde_json::Value::Object(m)) = (&role, &mut i) {
            m.insert("role".into(), r.clone());
        }
        list.push(i);
    }
    let more = other.figures["occurrences"].as_u64().unwrap_or(0);
    if let Some(n) = into.figures.get_mut("occurrences")
        && let Some(k) = n.as_u64()
    {
        *n = json!(k + more);
    }
    let own = into.figures.get("role").cloned();
    if let (Some(r), serde_json::Value::Object(m)) =
        (role.filter(|r| Some(r) != own.as_ref()), &mut into.figures)
    {
        let seen = m.entry("provoked_as").or_insert_with(|| json!([]));
        if let Some(a) = seen.as_array_mut()
            && !a.contains(&r)
        {
            a.push(r);
        }
    }
}

/// Names, in the summary, the roles whose requests joined a finding.
fn name_roles(o: &mut Observation) {
    let Some(roles) = o.figures.get("provoked_as").and_then(|v| v.as_array()) else {
        return;
    };
    let names: Vec<String> = roles
        .iter()
        .filter_map(|r| r.as_str())
        .map(|r| format!("'{r}'"))
        .collect();
    if names.is_empty() {
        return;
    }
    let names = names.join(", ");
    o.summary = Text::new(
        format!("{} Juga terpicu sebagai peran {names}.", o.summary.id),
        format!("{} Also provoked as role {names}.", o.summary.en),
    );
}

/// Sends the plan: form baselines first (their mutations are compared against them), then the
/// rest, as many at a time as the client allows.
async fn execute(http: &HttpClient, plan: &[Probe]) -> Vec<Result<Response, NetError>> {
    let n = http.config().concurrency.max(1);
    let send = |i: usize| {
        let p = &plan[i];
        async move {
            let req = Request {
                method: p.method.clone(),
                url: p.url.clone(),
                headers: p.headers.clone(),
                body: p.body.clone(),
                follow_redirects: true,
            };
            (i, http.send(req).await.map(|ex| ex.response))
        }
    };
    let (first, rest): (Vec<usize>, Vec<usize>) =
        (0..plan.len()).partition(|&i| plan[i].kind == Kind::Baseline);
    let mut out: Vec<Option<Result<Response, NetError>>> = (0..plan.len()).map(|_| None).collect();
    for batch in [first, rest] {
        let mut s = stream::iter(batch).map(send).buffer_unordered(n);
        while let Some((i, r)) = s.next().await {
            out[i] = Some(r);
        }
    }
    out.into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(NetError::Http {
                    url: "-".into(),
                    detail: "not sent".into(),
                })
            })
        })
        .collect()
}

/// One signature hit with where it came from.
struct Finding<'a> {
    hit: Hit,
    response: &'a Response,
    probe: Option<&'a Probe>,
}

/// What was actually probed, which decides between Pass and Inconclusive.
#[derive(Default)]
struct Coverage {
    provoked: usize,
    quote_inputs: usize,
    error_responses: usize,
    diagnostics: usize,
    directories: usize,
    failed: usize,
    sent: usize,
}

/// Pure judgement of a finished run: findings per item, or Pass/Inconclusive by coverage.
pub fn judge(
    crawl: &Crawl,
    plan: &[Probe],
    results: &[Result<Response, NetError>],
    sigs: &Signatures,
) -> Vec<Observation> {
    let mut findings: Vec<Finding<'_>> = Vec::new();
    let mut cov = Coverage::default();
    let mut lost = crate::checks::lost::Lost::default();
    let landing = crawl
        .pages
        .iter()
        .find(|p| p.via == "start")
        .and_then(|p| p.response.as_deref());
    for (i, p) in plan.iter().enumerate() {
        let Some(r) = results.get(i) else { continue };
        if p.kind == Kind::Baseline {
            continue;
        }
        cov.sent += 1;
        let resp = match r {
            Ok(resp) => resp,
            Err(e) => {
                cov.failed += 1;
                lost.record(p.method.as_str(), p.url.as_str(), e);
                continue;
            }
        };
        if resp.truncated {
            lost.record_cut(p.method.as_str(), p.url.as_str());
        }
        if p.kind.provokes() {
            cov.provoked += 1;
        }
        if p.kind.reaches_input_with_quote() {
            cov.quote_inputs += 1;
        }
        if resp.status >= 400 {
            cov.error_responses += 1;
        }
        match p.kind {
            Kind::Diagnostic => cov.diagnostics += 1,
            Kind::Directory => cov.directories += 1,
            _ => {}
        }
        let baseline = match p.baseline {
            Some(BaselineRef::Page(j)) => crawl.pages.get(j).and_then(|pg| pg.response.as_deref()),
            Some(BaselineRef::Probe(j)) => results.get(j).and_then(|r| r.as_ref().ok()),
            None => None,
        };
        for hit in detect(baseline, resp, sigs) {
            findings.push(Finding {
                hit,
                response: resp,
                probe: Some(p),
            });
        }
    }
    // Crawled pages: listings and diagnostic pages count as they are; a page that already
    // answers with a server error is judged like a probe against the start page.
    for page in &crawl.pages {
        let Some(resp) = page.response.as_deref() else {
            continue;
        };
        if resp.truncated {
            lost.record_cut("GET", &page.url);
        }
        if page.status >= 400 {
            cov.error_responses += 1;
        }
        let (baseline, only_exposure) = if page.status >= 500 && page.via != "start" {
            (landing, false)
        } else {
            (None, true)
        };
        for hit in detect(baseline, resp, sigs) {
            if only_exposure
                && !matches!(
                    hit.item.as_str(),
                    "errors.directory-listing" | "errors.phpinfo"
                )
            {
                continue;
            }
            findings.push(Finding {
                hit,
                response: resp,
                probe: None,
            });
        }
    }
    // A framework's plain "not found" page says nothing internal: at most one note, no finding.
    let benign: Vec<bool> = findings
        .iter()
        .map(|f| benign_not_found(f, &findings))
        .collect();
    let (plain_404, findings): (Vec<_>, Vec<_>) =
        findings.into_iter().zip(benign).partition(|(_, b)| *b);
    let findings: Vec<Finding<'_>> = findings.into_iter().map(|(f, _)| f).collect();
    for e in &crawl.errors {
        lost.count += 1;
        if lost.named.len() < 5 {
            lost.named.push(format!("GET {}: {}", e.url, e.error));
        }
        lost.timeouts += usize::from(e.error.contains("timed out"));
    }
    let phase = Text::new(
        "Penjelajahan dan permintaan pemicu kesalahan",
        "The crawl and the error-provoking requests",
    );
    let mut out = Vec::new();
    for item in ITEMS {
        let mine: Vec<&Finding<'_>> = findings.iter().filter(|f| f.hit.item == *item).collect();
        if !mine.is_empty() {
            out.extend(failures(item, &mine, sigs));
        } else if *item == "errors.generic-error-page" && !plain_404.is_empty() {
            let plain: Vec<&Finding<'_>> = plain_404.iter().map(|(f, _)| f).collect();
            out.push(lost.guard(default_not_found_note(&plain, &cov, crawl), &phase));
        } else {
            out.push(lost.guard(clean(item, &cov, crawl), &phase));
        }
    }
    out
}

/// A product version (`nginx/1.18.0`) or the word "version" on a page.
static VERSION: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)\b[a-z][\w.-]*/\d+\.\d+|\bversion\b").ok());

/// Whether a hit is only a framework's standard "not found" page: status 404, a default-page
/// signature, and nothing else on that response (no version, stack trace, internal path, other
/// signature, nor an echo of the request's query).
fn benign_not_found(f: &Finding<'_>, all: &[Finding<'_>]) -> bool {
    let r = f.response;
    if f.hit.item != "errors.generic-error-page" || r.status != 404 {
        return false;
    }
    let same_response = |g: &&Finding<'_>| std::ptr::eq(g.response, r);
    if all
        .iter()
        .filter(same_response)
        .any(|g| g.hit.item != "errors.generic-error-page")
    {
        return false;
    }
    let text = r.text();
    let version = VERSION.as_ref().is_some_and(|re| re.is_match(&text));
    let echoed = f.probe.is_some_and(|p| {
        p.url
            .query_pairs()
            .any(|(_, v)| v.len() >= 4 && text.contains(v.as_ref()))
    });
    !version && !echoed
}

/// The one informational observation for a framework's standard 404 page (a pass: nothing
/// internal is shown; the page only hints at the framework).
fn default_not_found_note(plain: &[&Finding<'_>], cov: &Coverage, crawl: &Crawl) -> Observation {
    let f = plain[0];
    let families: std::collections::BTreeSet<&str> =
        plain.iter().map(|f| f.hit.family.as_str()).collect();
    let fam = families.into_iter().collect::<Vec<_>>().join(", ");
    let base = clean("errors.generic-error-page", cov, crawl);
    let mut figures = base.figures;
    figures["informational"] = json!({
        "framework_default_404": fam,
        "signature": f.hit.signature,
        "instances": plain.len(),
        "example": f.response.url.as_str(),
    });
    Observation::new(
        "errors.generic-error-page",
        Outcome::Pass,
        Text::new(
            format!(
                "Catatan informatif: {} jalur tak dikenal dijawab halaman 404 standar kerangka kerja ({fam}), mis. {}; halaman itu tidak memuat versi, stack trace, jalur internal atau gema masukan, sehingga bukan kebocoran.",
                plain.len(),
                f.response.url
            ),
            format!(
                "Informational: {} unknown paths get the framework's standard 404 page ({fam}), e.g. {}; it shows no version, stack trace, internal path or echoed input, so it is not a leak.",
                plain.len(),
                f.response.url
            ),
        ),
    )
    .with_evidence(f.response.evidence(Some(format!("[{}] 404", f.hit.signature))))
    .with_figures(figures)
}

fn more_id(n: usize) -> String {
    if n > 1 {
        format!(
            " Akar masalah yang sama juga terlihat pada {} permintaan lain.",
            n - 1
        )
    } else {
        String::new()
    }
}

fn more_en(n: usize) -> String {
    if n > 1 {
        format!(
            " The same root cause also shows in {} other requests.",
            n - 1
        )
    } else {
        String::new()
    }
}

/// Most instances listed per finding.
const MAX_INSTANCES: usize = 20;

/// Each distinct request (method and URL pattern) that showed a finding.
fn instances(fs: &[&Finding<'_>]) -> Vec<serde_json::Value> {
    let mut seen = std::collections::BTreeSet::new();
    fs.iter()
        .filter(|f| seen.insert((method_of(f), crawl::pattern::pattern(&f.response.url))))
        .take(MAX_INSTANCES)
        .map(|f| json!({"method": method_of(f), "url": f.response.url.as_str(), "status": f.response.status, "probe": f.probe.map(|p| p.kind.describe())}))
        .collect()
}

fn method_of(f: &Finding<'_>) -> String {
    f.probe
        .map_or_else(|| "GET".to_string(), |p| p.method.to_string())
}

fn failures(item: &str, mine: &[&Finding<'_>], sigs: &Signatures) -> Vec<Observation> {
    // One finding per signature (one root cause, e.g. debug mode on), with every page that
    // showed it as an instance; the first request is the evidence and the locator (the
    // signature) stays the same across runs.
    let mut groups: BTreeMap<String, Vec<&Finding<'_>>> = BTreeMap::new();
    for f in mine {
        groups.entry(f.hit.signature.clone()).or_default().push(f);
    }
    let total = groups.len();
    groups
        .into_iter()
        .take(MAX_FINDINGS_PER_ITEM)
        .map(|(locator, fs)| {
            let f = fs[0];
            let desc = sigs
                .list()
                .iter()
                .find(|s| s.id == f.hit.signature)
                .map(|s| s.description.clone())
                .unwrap_or_else(|| Text::new(f.hit.signature.clone(), f.hit.signature.clone()));
            let shown: String = f.hit.matched.chars().take(160).collect();
            let method = method_of(f);
            let how_id = f.probe.map_or_else(
                || "halaman yang ditemukan saat penjelajahan".to_string(),
                |p| p.kind.describe(),
            );
            let how_en = f.probe.map_or_else(
                || "a page found while crawling".to_string(),
                |p| p.kind.describe(),
            );
            let where_ = if f.hit.in_headers { "header" } else { "body" };
            let mut ev = f.response.evidence(Some(format!(
                "{} [{}] {where_}: {}",
                f.probe.map_or_else(|| "crawl".to_string(), |p| p.kind.describe()),
                f.hit.signature,
                f.hit.excerpt
            )));
            ev.method = method.clone();
            if let Some(p) = f.probe {
                ev.request_headers = p
                    .headers
                    .iter()
                    .map(|(n, v)| (n.clone(), evidence::redact_request_header(n, v)))
                    .collect();
            }
            Observation::new(
                item,
                Outcome::Fail,
                Text::new(
                    format!(
                        "{} terlihat pada respons {method} {} ({how_id}): “{shown}”.{}",
                        desc.id,
                        f.response.url,
                        more_id(fs.len())
                    ),
                    format!(
                        "{} shown in the response to {method} {} ({how_en}): “{shown}”.{}",
                        desc.en,
                        f.response.url,
                        more_en(fs.len())
                    ),
                ),
            )
            .at(locator)
            .with_evidence(ev)
            .with_figures(json!({
                "signature": f.hit.signature,
                "family": f.hit.family,
                "request": {
                    "method": method,
                    "url": f.response.url.as_str(),
                    "probe": f.probe.map(|p| p.kind.describe()),
                    "body": f.probe.and_then(|p| p.body.as_deref()).map(|b| String::from_utf8_lossy(&b[..b.len().min(200)]).into_owned()),
                },
                "status": f.response.status,
                "matched": f.hit.matched,
                "excerpt": f.hit.excerpt,
                "in_headers": f.hit.in_headers,
                "occurrences": fs.len(),
                "instances": instances(&fs),
                "findings_for_item": total,
            }))
        })
        .collect()
}

/// Pass when the item was probed and nothing leaked; Inconclusive, with the reason, otherwise.
fn clean(item: &str, cov: &Coverage, crawl: &Crawl) -> Observation {
    let figures = json!({
        "pages_crawled": crawl.pages.len(),
        "probes_sent": cov.sent,
        "probes_failed": cov.failed,
        "provoking_responses": cov.provoked,
        "quote_probes_on_inputs": cov.quote_inputs,
        "error_responses": cov.error_responses,
        "diagnostic_paths": cov.diagnostics,
        "directories": cov.directories,
    });
    let no_answer = (
        format!(
            "Tidak ada permintaan pemicu yang mendapat jawaban ({} dari {} gagal), sehingga butir ini tidak dapat dibuktikan.",
            cov.failed, cov.sent
        ),
        format!(
            "No provoking request got an answer ({} of {} failed), so this item could not be shown.",
            cov.failed, cov.sent
        ),
    );
    let (probed, pass, inconclusive) = match item {
        "errors.database" => (
            cov.quote_inputs > 0,
            (
                format!("Tidak ada pesan kesalahan basis data setelah {} masukan diberi karakter kutip dan nilai cacat.", cov.quote_inputs),
                format!("No database error message after quote characters and malformed values were sent to {} inputs.", cov.quote_inputs),
            ),
            if cov.provoked > 0 {
                (
                    "Penjelajahan tidak menemukan parameter, formulir GET atau jalur berpengenal untuk diuji dengan karakter kutip (formulir POST hanya diuji bila metode tidak aman diizinkan).".to_string(),
                    "The crawl found no query parameter, GET form or identifier path to send quote characters to (POST forms are only probed when unsafe methods are allowed).".to_string(),
                )
            } else {
                no_answer.clone()
            },
        ),
        "errors.generic-error-page" => (
            cov.error_responses > 0,
            (
                format!("{} respons kesalahan (4xx/5xx) memakai halaman kustom, bukan halaman bawaan server atau kerangka kerja.", cov.error_responses),
                format!("{} error responses (4xx/5xx) use a custom page, not a server or framework default.", cov.error_responses),
            ),
            (
                "Tidak ada permintaan yang menghasilkan status kesalahan (4xx/5xx); aplikasi mungkin menjawab jalur tak dikenal dengan 200.".to_string(),
                "No request produced an error status (4xx/5xx); the application may answer unknown paths with 200.".to_string(),
            ),
        ),
        "errors.directory-listing" => (
            cov.directories > 0,
            (
                format!("Tidak ada daftar isi direktori pada {} folder yang diperiksa maupun pada halaman yang dijelajahi.", cov.directories),
                format!("No directory listing in {} folders checked nor in the crawled pages.", cov.directories),
            ),
            (
                "Tidak ada folder yang dapat diperiksa.".to_string(),
                "No folder could be checked.".to_string(),
            ),
        ),
        "errors.phpinfo" => (
            cov.diagnostics > 0,
            (
                format!("Tidak ada halaman diagnostik (phpinfo, server-status, stub_status) pada {} jalur yang diperiksa.", cov.diagnostics),
                format!("No diagnostic page (phpinfo, server-status, stub_status) at the {} paths checked.", cov.diagnostics),
            ),
            (
                "Jalur diagnostik tidak dapat diperiksa.".to_string(),
                "The diagnostic paths could not be checked.".to_string(),
            ),
        ),
        _ => {
            let (id, en) = match item {
                "errors.stack-trace" => ("stack trace", "stack trace"),
                "errors.debug-mode" => ("halaman debug kerangka kerja", "framework debug page"),
                "errors.internal-paths" => ("jalur berkas internal", "internal file path"),
                _ => ("alamat IP internal", "internal IP address"),
            };
            (
                cov.provoked > 0,
                (
                    format!("Tidak ada {id} pada {} respons atas permintaan pemicu kesalahan.", cov.provoked),
                    format!("No {en} in {} responses to error-provoking requests.", cov.provoked),
                ),
                no_answer.clone(),
            )
        }
    };
    if probed {
        Observation::new(item, Outcome::Pass, Text::new(pass.0, pass.1)).with_figures(figures)
    } else {
        Observation::new(
            item,
            Outcome::inconclusive(inconclusive.0.clone(), inconclusive.1.clone()),
            Text::new(inconclusive.0, inconclusive.1),
        )
        .with_figures(figures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(url: &str, status: u16, body: &str) -> Response {
        Response {
            method: "GET".into(),
            url: url::Url::parse(url).expect("url"),
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: std::time::Duration::ZERO,
        }
    }

    fn hit(item: &str, signature: &str) -> Hit {
        Hit {
            signature: signature.into(),
            family: signature.split('.').next().unwrap_or("").into(),
            item: item.into(),
            matched: String::new(),
            excerpt: String::new(),
            in_headers: false,
        }
    }

    fn probe(url: &str) -> Probe {
        Probe {
            kind: Kind::UnknownPath,
            method: reqwest::Method::GET,
            url: url::Url::parse(url).expect("url"),
            headers: Vec::new(),
            body: None,
            baseline: None,
        }
    }

    fn obs(item: &str, outcome: Outcome, locator: &str, figures: serde_json::Value) -> Observation {
        Observation::new(item, outcome, crate::i18n::Text::new("x", "x"))
            .at(locator)
            .with_figures(figures)
    }

    #[test]
    fn roles_add_instances_and_decide_what_strangers_could_not_probe() {
        let trace = "errors.stack-trace";
        let db = "errors.database";
        let anonymous = vec![
            obs(
                trace,
                Outcome::Fail,
                "node.frame",
                json!({"instances": [{"method": "GET", "url": "https://a.example.go.id/"}]}),
            ),
            obs(
                db,
                Outcome::inconclusive("tidak ada", "nothing to probe"),
                "",
                json!({}),
            ),
        ];
        let budi = vec![
            obs(
                trace,
                Outcome::Fail,
                "node.frame",
                json!({"role": "budi", "instances": [{"method": "GET", "url": "https://a.example.go.id/api/x/1'"}, {"method": "GET", "url": "https://a.example.go.id/"}]}),
            ),
            obs(db, Outcome::Pass, "", json!({"role": "budi"})),
        ];
        let merged = merge(anonymous, vec![budi]);
        let fails: Vec<&Observation> = merged.iter().filter(|o| o.item_id == trace).collect();
        assert_eq!(fails.len(), 1, "one root cause, one finding: {fails:?}");
        let inst = fails[0].figures["instances"].as_array().expect("instances");
        assert_eq!(inst.len(), 2, "{inst:?}");
        assert_eq!(inst[1]["role"], "budi");
        assert!(
            fails[0]
                .summary
                .en
                .ends_with("Also provoked as role 'budi'."),
            "{:?}",
            fails[0].summary
        );
        let d: Vec<&Observation> = merged.iter().filter(|o| o.item_id == db).collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].outcome, Outcome::Pass, "{d:?}");
        assert_eq!(d[0].figures["role"], "budi");
    }

    #[test]
    fn only_a_plain_framework_404_is_benign() {
        let generic = "errors.generic-error-page";
        let plain = response("https://a.example.go.id/x", 404, "<pre>Cannot GET /x</pre>");
        let p = probe("https://a.example.go.id/x");
        let f = Finding {
            hit: hit(generic, "express.default-page"),
            response: &plain,
            probe: Some(&p),
        };
        assert!(benign_not_found(&f, std::slice::from_ref(&f)));

        // Traps that stay findings: a version, an echoed query, a 500, another leak alongside.
        let versioned = response(
            "https://a.example.go.id/x",
            404,
            "<hr><center>nginx/1.18.0</center>",
        );
        let f = Finding {
            hit: hit(generic, "nginx.default-page"),
            response: &versioned,
            probe: Some(&p),
        };
        assert!(!benign_not_found(&f, std::slice::from_ref(&f)));
        let echo = response(
            "https://a.example.go.id/x?q=kawal1234",
            404,
            "<pre>Cannot GET /x?q=kawal1234</pre>",
        );
        let pq = probe("https://a.example.go.id/x?q=kawal1234");
        let f = Finding {
            hit: hit(generic, "express.default-page"),
            response: &echo,
            probe: Some(&pq),
        };
        assert!(!benign_not_found(&f, std::slice::from_ref(&f)));
        let crash = response(
            "https://a.example.go.id/x",
            500,
            "<h1>Server Error (500)</h1>",
        );
        let f = Finding {
            hit: hit(generic, "django.default-page"),
            response: &crash,
            probe: Some(&p),
        };
        assert!(!benign_not_found(&f, std::slice::from_ref(&f)));
        let both = [
            Finding {
                hit: hit(generic, "express.default-page"),
                response: &plain,
                probe: Some(&p),
            },
            Finding {
                hit: hit("errors.internal-paths", "path.unix-webroot"),
                response: &plain,
                probe: Some(&p),
            },
        ];
        assert!(!benign_not_found(&both[0], &both));
    }
}
