//! Access-control bypass: the role replay matrix, IDOR, forced browsing and bypass tricks.
//!
//! Kawal logs in as every registered role, crawls as each and as nobody, and then asks the
//! application for what each role should not get: requests only a more privileged role found
//! (replayed as lower roles and anonymously), objects of one user requested as a peer, files that
//! should not be on the server, and denied pages requested with tampered verbs, paths and
//! headers. The decisions (similarity, verdicts, wordlist validation, soft-404) live in the pure
//! `kawal-access` crate; this module does the requests and turns verdicts into observations.

use super::lost::Lost;
use super::{Check, CheckError, Context, Observation};
use crate::auth::{self, AuthSession, Role};
use crate::crawl::{self, Crawl, CrawlOptions};
use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::{Evidence, HttpClient, Request, Response};
use futures_util::future::BoxFuture;
use futures_util::stream::{self, StreamExt};
use kawal_access::verdict::{self, Prepared};
use kawal_access::wordlist::Category;
use kawal_access::{
    Observed, Protected, Req, RoleCrawl, Rules, Soft404, Verdict, Wordlist, ids, matrix,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

/// Item ids this check decides.
pub const ROLE_BYPASS: &str = "access.role-bypass";
/// IDOR item.
pub const IDOR: &str = "access.idor";
/// Forced browsing of debug and information pages.
pub const FORCED: &str = "access.forced-browsing";
/// Secrets, backups and version-control data reachable.
pub const SECRETS: &str = "access.exposed-secrets";
/// Tampered requests that pass a denial.
pub const BYPASS: &str = "access.bypass-tricks";
/// Administrator interfaces reachable.
pub const ADMIN: &str = "access.admin-interface";

/// Settings of the access-control check.
#[derive(Debug, Clone)]
pub struct AccessOptions {
    /// Roles to log in as (most privileged first after sorting).
    pub roles: Vec<Role>,
    /// Paths only some roles may open.
    pub protected: Vec<Protected>,
    /// Enforcement rules (login paths, denial texts, similarity thresholds).
    pub rules: Rules,
    /// Most replayed requests of the role matrix.
    pub max_replays: usize,
    /// Most IDOR requests per pair of peers.
    pub max_idor: usize,
    /// Most denied resources tried with bypass variants.
    pub max_bypass_targets: usize,
    /// Crawl of each role.
    pub crawl: CrawlOptions,
    /// Requests in flight at once.
    pub parallel: usize,
}

impl Default for AccessOptions {
    fn default() -> Self {
        AccessOptions {
            roles: Vec::new(),
            protected: Vec::new(),
            rules: Rules::default(),
            max_replays: 500,
            max_idor: 100,
            max_bypass_targets: 8,
            crawl: CrawlOptions {
                max_pages: 80,
                max_depth: 4,
                per_pattern: 2,
                use_hints: true,
                keep_responses: true,
                headers: Vec::new(),
            },
            parallel: 16,
        }
    }
}

/// The access-control check.
pub struct AccessCheck;

impl Check for AccessCheck {
    fn name(&self) -> &'static str {
        "access-control"
    }

    fn items(&self) -> &'static [&'static str] {
        &[ROLE_BYPASS, IDOR, FORCED, SECRETS, BYPASS, ADMIN]
    }

    fn run<'a>(&'a self, ctx: &'a Context) -> BoxFuture<'a, Result<Vec<Observation>, CheckError>> {
        Box::pin(async move {
            let opts = ctx.options.access.clone();
            // Roles' sessions live for the whole run: no other check may log them in meanwhile.
            let _sessions = ctx.shared_sessions().await;
            Ok(run(
                &ctx.http,
                &ctx.target,
                &opts,
                ctx.options.allow_unsafe_methods,
            )
            .await
            .observations)
        })
    }
}

/// Figures of one run, for the benchmark and the evidence.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Replayed requests of the role matrix.
    pub replays: usize,
    /// IDOR requests.
    pub idor_requests: usize,
    /// Forced-browsing requests.
    pub forced_requests: usize,
    /// Bypass-variant requests.
    pub bypass_requests: usize,
    /// Time spent scoring similarity and judging.
    pub judge_time: Duration,
    /// Time spent replaying (requests and judging).
    pub replay_time: Duration,
}

/// What a run produced.
pub struct AccessRun {
    /// Observations for the six items.
    pub observations: Vec<Observation>,
    /// Figures.
    pub stats: Stats,
}

fn observed(r: &Response) -> Observed {
    Observed {
        status: r.status,
        location: r.header("location").map(str::to_string),
        content_type: r.header("content-type").map(str::to_string),
        body: r.text().into_owned(),
    }
}

fn evidence(r: &Response, role: &str, note_id: &str) -> Evidence {
    let mut e = r.evidence(Some(format!("{note_id} ({role})")));
    // What a reader must see is the data the role got, not the page's <head>: keep the visible
    // text (the markup start says nothing about who may read the page).
    let visible = kawal_access::similarity::visible_text(&r.text());
    if !visible.is_empty() {
        e.body_excerpt = visible.chars().take(600).collect();
    }
    e
}

async fn send(
    http: &HttpClient,
    session: &AuthSession,
    method: reqwest::Method,
    url: Url,
    extra: &[(String, String)],
) -> Option<Response> {
    let mut req = session.apply(Request {
        method,
        url,
        headers: extra.to_vec(),
        body: None,
        follow_redirects: false,
    });
    // Method-override variants are bodiless POSTs; say so explicitly.
    if req.method == reqwest::Method::POST {
        req.headers.push(("content-length".into(), "0".into()));
    }
    let (method, url) = (req.method.clone(), req.url.clone());
    match http.send(req).await {
        Ok(ex) => {
            if ex.response.truncated {
                record_cut(method.as_str(), url.as_str());
            }
            Some(ex.response)
        }
        Err(e) => {
            record_lost(method.as_str(), url.as_str(), &e);
            None
        }
    }
}

tokio::task_local! {
    /// Requests the running phase lost; `run` sets it around each phase, so every request of
    /// the phase (however deep in its streams) is counted without threading it through.
    static LOST: std::sync::Mutex<Lost>;
}

fn record_lost(method: &str, url: &str, e: &crate::net::NetError) {
    let _ = LOST.try_with(|l| {
        if let Ok(mut g) = l.lock() {
            g.record(method, url, e);
        }
    });
}

fn record_cut(method: &str, url: &str) {
    let _ = LOST.try_with(|l| {
        if let Ok(mut g) = l.lock() {
            g.record_cut(method, url);
        }
    });
}

/// Runs one phase and returns what it lost.
async fn in_phase<F: std::future::Future>(f: F) -> (F::Output, Lost) {
    LOST.scope(std::sync::Mutex::new(Lost::default()), async {
        let out = f.await;
        let lost = LOST.with(|l| l.lock().map(|g| g.clone()).unwrap_or_default());
        (out, lost)
    })
    .await
}

/// Marks the observations a phase produced (from `from` on) with what it lost.
fn guard_from(out: &mut [Observation], from: usize, lost: &Lost, id: &str, en: &str) {
    let phase = Text::new(id, en);
    for o in out.iter_mut().skip(from) {
        *o = lost.guard(o.clone(), &phase);
    }
}

fn inconclusive(item: &str, id: String, en: String) -> Observation {
    Observation::new(
        item,
        Outcome::inconclusive(id.clone(), en.clone()),
        Text::new(id, en),
    )
}

/// Runs every access-control test against `target`.
pub async fn run(
    http: &Arc<HttpClient>,
    target: &Url,
    opts: &AccessOptions,
    allow_unsafe: bool,
) -> AccessRun {
    let mut out = Vec::new();
    let mut stats = Stats::default();
    let rules = &opts.rules;

    // Anonymous crawl: the baseline of what anyone can reach.
    let anon = AuthSession::anonymous();
    let anon_crawl = crawl::crawl(http, target, None, &opts.crawl).await;

    let (refused, lost) = in_phase(forced_browsing(
        http,
        target,
        opts,
        anon_crawl.as_ref().ok(),
        &mut out,
        &mut stats,
    ))
    .await;
    guard_from(&mut out, 0, &lost, "Penjelajahan paksa", "Forced browsing");

    let mut roles = opts.roles.clone();
    roles.sort_by(|a, b| b.privilege.cmp(&a.privilege).then(a.name.cmp(&b.name)));
    if roles.is_empty() {
        let (id, en) = (
            "Tidak ada peran atau akun uji terdaftar, sehingga kontrol akses antarperan tidak dapat diuji. Daftarkan dengan: kawal app auth add APLIKASI PERAN …".to_string(),
            "No roles or test accounts are registered, so access control between roles cannot be tested. Register them with: kawal app auth add APP ROLE …".to_string(),
        );
        for item in [ROLE_BYPASS, IDOR, BYPASS] {
            out.push(inconclusive(item, id.clone(), en.clone()));
        }
        return AccessRun {
            observations: out,
            stats,
        };
    }

    // Log every role in; a role that cannot log in is named, never scanned as anonymous.
    let mut sessions = Vec::new();
    for role in &roles {
        match auth::login(http, target, role).await {
            Ok(s) => sessions.push(s),
            Err(e) => {
                for item in [ROLE_BYPASS, IDOR, BYPASS] {
                    out.push(
                        inconclusive(
                            item,
                            format!("Pengujian tidak lengkap: {e}"),
                            format!("Testing incomplete: {e}"),
                        )
                        .at(format!("role:{}", role.name)),
                    );
                }
            }
        }
    }
    if sessions.is_empty() {
        return AccessRun {
            observations: out,
            stats,
        };
    }

    // Forced browsing as every role, of what strangers were refused.
    if let Some(refused) = &refused {
        let mark = out.len();
        let (_, lost) = in_phase(forced_browsing_as_roles(
            http, target, opts, refused, &sessions, &mut out, &mut stats,
        ))
        .await;
        guard_from(
            &mut out,
            mark,
            &lost,
            "Penjelajahan paksa per peran",
            "Forced browsing as roles",
        );
    }

    // Crawl as every role.
    let mut crawls: Vec<(AuthSession, Crawl)> = Vec::new();
    for s in &sessions {
        let mut co = opts.crawl.clone();
        co.headers = s.request_headers(target);
        if let Ok(c) = crawl::crawl(http, target, None, &co).await {
            crawls.push((s.clone(), c));
        }
    }
    if let Ok(c) = anon_crawl {
        crawls.push((anon.clone(), c));
    }
    let role_crawls: Vec<RoleCrawl> = crawls.iter().map(|(s, c)| role_crawl(s, c)).collect();
    let responses: HashMap<(String, String), Arc<Response>> = crawls
        .iter()
        .flat_map(|(s, c)| {
            c.pages.iter().filter_map(move |p| {
                p.response
                    .clone()
                    .map(|r| ((s.role.clone(), matrix_key(&p.url)), r))
            })
        })
        .collect();
    let by_role: HashMap<&str, &AuthSession> = crawls
        .iter()
        .map(|(s, _)| (s.role.as_str(), s))
        .chain(std::iter::once((auth::ANONYMOUS, &anon)))
        .collect();

    // A few pages of each role: what its session adds to every page (user name, menu).
    let session_pages: HashMap<&str, Vec<kawal_access::Fingerprint>> = crawls
        .iter()
        .map(|(s, c)| {
            let fps = c
                .pages
                .iter()
                .filter_map(|p| p.response.as_ref())
                .filter(|r| (200..300).contains(&r.status))
                .take(6)
                .map(|r| observed(r).fingerprint())
                .collect();
            (s.role.as_str(), fps)
        })
        .collect();

    // 1. Role replay matrix (peers of equal privilege are the IDOR test's business).
    let privilege = |r: &str| by_role.get(r).map_or(0, |s| s.privilege);
    let cases: Vec<_> = matrix::plan(&role_crawls, &opts.protected, opts.max_replays)
        .into_iter()
        .filter(|c| c.as_role == auth::ANONYMOUS || privilege(&c.as_role) < privilege(&c.owner))
        .collect();
    let sessions: Vec<AuthSession> = by_role.values().map(|s| (*s).clone()).collect();
    let mark = out.len();
    let (m, lost) = in_phase(replay_matrix(
        http,
        &sessions,
        cases,
        &Replay {
            cached: &responses,
            session_pages: &session_pages,
            rules,
            parallel: opts.parallel,
        },
        &mut stats,
    ))
    .await;
    let (denied, bypassed, unclear) = (m.denied, m.bypassed, m.unclear);
    out.extend(m.observations);
    if bypassed == 0 {
        let figures = serde_json::json!({"replayed": stats.replays, "enforced": denied.len(), "unclear": unclear});
        out.push(if stats.replays == 0 {
            inconclusive(
                ROLE_BYPASS,
                "Penjelajahan tidak menemukan permintaan yang hanya dapat dibuka peran tertentu, sehingga tidak ada yang dapat diuji ulang. Tambahkan jalur terlindungi pada konfigurasi [access] protected.".into(),
                "The crawl found no request that only some role reaches, so there was nothing to replay. Add protected paths in the [access] protected setting.".into(),
            )
        } else if denied.is_empty() {
            inconclusive(
                ROLE_BYPASS,
                format!("{} permintaan diuji ulang tetapi tidak ada yang jelas ditolak atau tertembus.", stats.replays),
                format!("{} requests were replayed but none was clearly denied or bypassed.", stats.replays),
            )
        } else {
            Observation::new(
                ROLE_BYPASS,
                Outcome::Pass,
                Text::new(
                    format!("{} permintaan diuji ulang sebagai peran yang lebih rendah; {} ditolak dengan benar, {} belum pasti.", stats.replays, denied.len(), unclear),
                    format!("{} requests were replayed as lower roles; {} were correctly denied, {} unclear.", stats.replays, denied.len(), unclear),
                ),
            )
        }
        .with_figures(figures));
    }
    guard_from(
        &mut out,
        mark,
        &lost,
        "Pemutaran ulang antarperan",
        "Role replay",
    );

    // 2. IDOR between peers (roles of equal privilege).
    let mark = out.len();
    let (_, lost) = in_phase(idor(http, &crawls, &responses, opts, &mut out, &mut stats)).await;
    guard_from(&mut out, mark, &lost, "Uji IDOR", "IDOR test");

    // 3. Bypass tricks on resources that were denied.
    let mark = out.len();
    let (_, lost) = in_phase(bypass(
        http,
        &by_role,
        &denied,
        opts,
        allow_unsafe,
        &mut out,
        &mut stats,
    ))
    .await;
    guard_from(&mut out, mark, &lost, "Trik pengelakan", "Bypass tricks");

    AccessRun {
        observations: out,
        stats,
    }
}

/// The replay is the privileged page with only the owner's session furniture missing (its user
/// name, "logged in as" bar, personal menu): nearly all of the replay occurs in the privileged
/// page, and what is missing occurs on the owner's other pages too. A filtered list (fewer
/// rows of data) does not qualify, since missing rows are on no other page.
fn without_session_parts(
    p: &Prepared,
    r: &Prepared,
    owner_pages: &[&kawal_access::Fingerprint],
    owner: &str,
    as_role: &str,
) -> Option<kawal_access::Judgement> {
    use kawal_access::similarity::{containment, content_len, missing_explained_by};
    let (pf, rf) = (&p.fingerprint, &r.fingerprint);
    let contained = containment(rf, pf);
    let explained = missing_explained_by(pf, rf, owner_pages);
    if content_len(rf) < 20 || contained < 0.97 || explained < 0.8 {
        return None;
    }
    let s = kawal_access::similarity(pf, rf);
    let (c, e) = ((contained * 100.0) as u32, (explained * 100.0) as u32);
    Some(kawal_access::Judgement {
        verdict: Verdict::Bypassed,
        similarity: Some(s),
        why_id: format!(
            "{c}% isi respons peran '{as_role}' ada di respons peran '{owner}', dan {e}% bagian yang tidak ada hanyalah bagian sesi '{owner}' (nama pengguna, menu) yang juga tampil di halaman lain (status {})",
            r.observed.status
        ),
        why_en: format!(
            "{c}% of role '{as_role}''s response is in role '{owner}''s response, and {e}% of what is missing is only '{owner}''s session furniture (user name, menu) shown on its other pages too (status {})",
            r.observed.status
        ),
    })
}

/// A HEAD answered 2xx where GET was refused, announcing about the privileged page's length:
/// the guard does not cover HEAD and the page itself was produced (HEAD carries no body, so the
/// length is the proof).
fn head_served(
    denial: &Response,
    head: &Response,
    privileged: &Response,
) -> Option<kawal_access::Judgement> {
    let refused = matches!(denial.status, 401 | 403) || (300..400).contains(&denial.status);
    let length: usize = head.header("content-length")?.trim().parse().ok()?;
    // The page is rendered for the requesting session, so its length may differ by a user name.
    let near = |a: usize, b: usize| a.abs_diff(b) <= (b / 20).max(32);
    if !refused
        || !(200..300).contains(&head.status)
        || length == 0
        || !near(length, privileged.body.len())
        || near(length, denial.body.len())
    {
        return None;
    }
    Some(kawal_access::Judgement {
        verdict: Verdict::Bypassed,
        similarity: None,
        why_id: format!(
            "HEAD dijawab {} dengan Content-Length {length} byte, seukuran halaman yang seharusnya dilindungi ({} byte), padahal GET ditolak ({})",
            head.status,
            privileged.body.len(),
            denial.status
        ),
        why_en: format!(
            "HEAD was answered {} with a Content-Length of {length} bytes, the size of the protected page ({} bytes), while GET was refused ({})",
            head.status,
            privileged.body.len(),
            denial.status
        ),
    })
}

/// Inputs of [`replay_matrix`] besides the cases.
pub struct Replay<'a> {
    /// Privileged responses already fetched by the crawls, by (role, request key).
    pub cached: &'a HashMap<(String, String), Arc<Response>>,
    /// A few pages of each role, to recognise its session furniture.
    pub session_pages: &'a HashMap<&'a str, Vec<kawal_access::Fingerprint>>,
    /// Enforcement rules.
    pub rules: &'a Rules,
    /// Requests in flight at once.
    pub parallel: usize,
}

/// What the replay matrix found.
pub struct MatrixResult {
    /// Bypass findings.
    pub observations: Vec<Observation>,
    /// Correctly refused requests (bypass-trick targets).
    denied: Vec<Denied>,
    /// Bypasses.
    pub bypassed: usize,
    /// Answers that could not be judged.
    pub unclear: usize,
}

/// Replays each case as its lower role (fetching the privileged response when not cached) and
/// judges the answers.
pub async fn replay_matrix(
    http: &Arc<HttpClient>,
    sessions: &[AuthSession],
    cases: Vec<kawal_access::ReplayCase>,
    input: &Replay<'_>,
    stats: &mut Stats,
) -> MatrixResult {
    let t0 = Instant::now();
    let by_role: HashMap<&str, &AuthSession> =
        sessions.iter().map(|s| (s.role.as_str(), s)).collect();
    let (responses, session_pages, rules) = (input.cached, input.session_pages, input.rules);
    let mut out = Vec::new();
    let mut denied: Vec<Denied> = Vec::new();
    let mut bypassed = 0usize;
    let mut unclear = 0usize;
    let replays: Vec<_> = stream::iter(cases.clone())
        .map(|case| {
            let owner = by_role.get(case.owner.as_str()).copied();
            let as_role = by_role.get(case.as_role.as_str()).copied();
            let privileged = responses
                .get(&(case.owner.clone(), matrix_key(&case.req.url)))
                .cloned();
            async move {
                let (owner, as_role) = (owner?, as_role?);
                let url = Url::parse(&case.req.url).ok()?;
                let privileged: Arc<Response> = match privileged {
                    Some(p) => p,
                    None => match http.send(owner.apply(Request::get(url.clone()))).await {
                        Ok(ex) => Arc::new(ex.response),
                        Err(e) => {
                            record_lost("GET", url.as_str(), &e);
                            return None;
                        }
                    },
                };
                let replay = send(http, as_role, reqwest::Method::GET, url, &[]).await?;
                Some((case, privileged, replay))
            }
        })
        .buffer_unordered(input.parallel.max(1))
        .collect()
        .await;
    stats.replays += cases.len();
    for (case, privileged, replay) in replays.into_iter().flatten() {
        let tj = Instant::now();
        let p = Prepared::new(&observed(&privileged));
        let r = Prepared::new(&observed(&replay));
        let mut j = verdict::judge_with(
            &p,
            &r,
            rules,
            &verdict::Context {
                owner: Some(&case.owner),
                as_role: Some(&case.as_role),
                request_url: Some(&case.req.url),
            },
        );
        if j.verdict == Verdict::Unclear && (200..300).contains(&replay.status) {
            let others: Vec<&kawal_access::Fingerprint> = session_pages
                .get(case.owner.as_str())
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            if let Some(k) = without_session_parts(&p, &r, &others, &case.owner, &case.as_role) {
                j = k;
            }
        }
        stats.judge_time += tj.elapsed();
        match j.verdict {
            Verdict::Bypassed => {
                bypassed += 1;
                let path = path_of(&case.req.url);
                out.push(
                    Observation::new(
                        ROLE_BYPASS,
                        Outcome::Fail,
                        Text::new(
                            format!(
                                "Peran '{}' dapat membuka {path} yang hanya ditemukan oleh peran '{}': {}. {}",
                                case.as_role,
                                case.owner,
                                j.why_id,
                                case.why_id()
                            ),
                            format!(
                                "Role '{}' can open {path}, found only by role '{}': {}. {}",
                                case.as_role,
                                case.owner,
                                j.why_en,
                                case.why_en()
                            ),
                        ),
                    )
                    .at(format!("{} GET {path}", case.as_role))
                    .with_evidence(evidence(&privileged, &case.owner, "respons acuan / reference response"))
                    .with_evidence(evidence(&replay, &case.as_role, "respons ulang / replayed response"))
                    .with_figures(serde_json::json!({"similarity": j.similarity})),
                );
            }
            Verdict::Enforced => denied.push(Denied {
                as_role: case.as_role.clone(),
                owner: case.owner.clone(),
                url: case.req.url.clone(),
                privileged: privileged.clone(),
                denial: Arc::new(replay),
            }),
            Verdict::Unclear => unclear += 1,
        }
    }
    stats.replay_time += t0.elapsed();
    MatrixResult {
        observations: out,
        denied,
        bypassed,
        unclear,
    }
}

/// A request a role was correctly refused.
struct Denied {
    as_role: String,
    owner: String,
    url: String,
    privileged: Arc<Response>,
    denial: Arc<Response>,
}

/// What a role's crawl reached (answers below 400), as the replay plan and IDOR see it.
fn role_crawl(session: &AuthSession, crawl: &Crawl) -> RoleCrawl {
    RoleCrawl {
        role: session.role.clone(),
        requests: crawl
            .pages
            .iter()
            .filter(|p| p.status < 400)
            .map(|p| Req::get(p.url.clone()))
            .collect(),
    }
}

fn matrix_key(url: &str) -> String {
    kawal_access::urls::request_key("GET", url).unwrap_or_else(|| url.to_string())
}

fn path_of(url: &str) -> String {
    Url::parse(url)
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or_else(|_| url.to_string())
}

async fn idor(
    http: &Arc<HttpClient>,
    crawls: &[(AuthSession, Crawl)],
    responses: &HashMap<(String, String), Arc<Response>>,
    opts: &AccessOptions,
    out: &mut Vec<Observation>,
    stats: &mut Stats,
) {
    let named: Vec<&(AuthSession, Crawl)> = crawls
        .iter()
        .filter(|(s, _)| s.role != auth::ANONYMOUS)
        .collect();
    let mut pairs = Vec::new();
    for (i, a) in named.iter().enumerate() {
        for b in named.iter().skip(i + 1) {
            if a.0.privilege == b.0.privilege {
                pairs.push((*a, *b));
            }
        }
    }
    if pairs.is_empty() {
        out.push(inconclusive(
            IDOR,
            "IDOR memerlukan dua akun uji dengan hak yang sama (misalnya dua warga); daftarkan peran kedua dengan tingkat hak yang sama.".into(),
            "IDOR needs two test accounts with the same privilege (e.g. two citizens); register a second role of the same privilege.".into(),
        ));
        return;
    }
    let seen = |c: &Crawl| -> Vec<String> {
        c.pages
            .iter()
            .filter_map(|p| p.response.as_ref())
            .filter(|r| r.header("content-type").is_some_and(|t| t.contains("json")))
            .flat_map(|r| ids::in_json(&r.text()).into_iter().map(|o| o.value))
            .collect()
    };
    let mut found = 0usize;
    let mut tested = 0usize;
    let mut enforced = 0usize;
    for ((sa, ca), (sb, cb)) in pairs {
        let (ra, rb) = (role_crawl(sa, ca), role_crawl(sb, cb));
        let cases = ids::idor_candidates_with(&ra, &seen(ca), &rb, &seen(cb), opts.max_idor);
        let sessions: HashMap<&str, &AuthSession> =
            [(sa.role.as_str(), sa), (sb.role.as_str(), sb)]
                .into_iter()
                .collect();
        let n_cases = cases.len();
        let results: Vec<_> = stream::iter(cases)
            .map(|case| {
                let owner_resp = responses
                    .get(&(case.owner.clone(), matrix_key(&case.req.url)))
                    .cloned();
                let who = sessions.get(case.as_role.as_str()).copied();
                async move {
                    let url = Url::parse(&case.req.url).ok()?;
                    let replay = send(http, who?, reqwest::Method::GET, url, &[]).await?;
                    Some((case, owner_resp?, replay))
                }
            })
            .buffer_unordered(opts.parallel.max(1))
            .collect()
            .await;
        stats.idor_requests += n_cases;
        for (case, owner_resp, replay) in results.into_iter().flatten() {
            tested += 1;
            let tj = Instant::now();
            let j = verdict::judge_with(
                &Prepared::new(&observed(&owner_resp)),
                &Prepared::new(&observed(&replay)),
                &opts.rules,
                &verdict::Context {
                    owner: Some(&case.owner),
                    as_role: Some(&case.as_role),
                    request_url: Some(&case.req.url),
                },
            );
            stats.judge_time += tj.elapsed();
            match j.verdict {
                Verdict::Bypassed => {
                    found += 1;
                    let path = path_of(&case.req.url);
                    out.push(
                        Observation::new(
                            IDOR,
                            Outcome::Fail,
                            Text::new(
                                format!(
                                    "Peran '{}' dapat membuka objek milik '{}' ({} '{}') di {path}: {}. {}",
                                    case.as_role, case.owner, "pengenal", case.id.value, j.why_id, case.why_id()
                                ),
                                format!(
                                    "Role '{}' can open an object of '{}' ({} '{}') at {path}: {}. {}",
                                    case.as_role, case.owner, "identifier", case.id.value, j.why_en, case.why_en()
                                ),
                            ),
                        )
                        .at(format!("{} GET {path}", case.as_role))
                        .with_evidence(evidence(&owner_resp, &case.owner, "respons pemilik / owner's response"))
                        .with_evidence(evidence(&replay, &case.as_role, "respons pengguna lain / other user's response"))
                        .with_figures(serde_json::json!({"similarity": j.similarity, "id": case.id.value})),
                    );
                }
                Verdict::Enforced => enforced += 1,
                Verdict::Unclear => {}
            }
        }
    }
    if found == 0 {
        out.push(if tested == 0 {
            inconclusive(
                IDOR,
                "Penjelajahan tidak menemukan pengenal objek (ID, UUID) yang hanya dilihat salah satu akun uji, sehingga tidak ada yang dapat dicoba silang.".into(),
                "The crawl found no object identifier (ID, UUID) seen by only one test account, so there was nothing to cross-request.".into(),
            )
        } else {
            Observation::new(
                IDOR,
                if enforced > 0 { Outcome::Pass } else { Outcome::inconclusive(
                    format!("{tested} permintaan silang tidak memberi jawaban yang jelas."),
                    format!("{tested} cross-requests gave no clear answer."),
                ) },
                Text::new(
                    format!("{tested} objek milik satu akun diminta dengan akun lain; {enforced} ditolak dengan benar."),
                    format!("{tested} objects of one account were requested with another; {enforced} were correctly refused."),
                ),
            )
        });
    }
}

/// What a crawl shows of the application's make: response headers as `name: value` lines and
/// the paths of its pages.
fn fingerprint_text(c: &Crawl) -> String {
    let mut out = String::new();
    for p in &c.pages {
        out.push_str(&p.url);
        out.push('\n');
        if let Some(r) = &p.response {
            for (n, v) in &r.headers {
                out.push_str(&format!("{n}: {v}\n"));
            }
        }
    }
    out
}

/// What anonymous forced browsing leaves to the roles: the wordlist, and the probes the
/// anonymous visitor was refused (401/403, or sent elsewhere by a redirect).
struct Refused {
    list: Wordlist,
    probes: Vec<kawal_access::wordlist::Probe>,
}

/// The base-path join of wordlist paths onto the target.
fn wordlist_url(target: &Url, path: &str) -> Option<Url> {
    let base_path = target.path().trim_end_matches('/');
    target
        .join(&format!("{base_path}/{}", path.trim_start_matches('/')))
        .ok()
}

/// One validated forced-browsing hit.
struct Hit {
    probe: kawal_access::wordlist::Probe,
    response: Response,
    matched: kawal_access::wordlist::Evidence,
}

/// What one forced-browsing pass as one session found.
struct Browsed {
    /// Validated hits (administration pages of the most privileged role left out).
    hits: Vec<Hit>,
    /// Probes this session was refused.
    refused: Vec<kawal_access::wordlist::Probe>,
    /// Requests sent (not-found learning included).
    requests: usize,
    /// The site's "not found" answer could be told from a page (a soft-404 was learned).
    soft_404: bool,
}

/// A refusal: the probe exists behind a login or a permission (401/403), or the visitor was
/// redirected (typically to the login page) instead of being told "not found".
fn refused_answer(o: &Observed) -> bool {
    matches!(o.status, 401 | 403) || o.is_redirect()
}

/// The item a wordlist category belongs to.
fn forced_item(c: Category) -> &'static str {
    match c {
        Category::Secret | Category::Vcs | Category::Backup => SECRETS,
        Category::Admin => ADMIN,
        Category::Debug | Category::Info => FORCED,
    }
}

/// Forced browsing as `who`: learns the site's "not found" answer for this session, requests
/// every probe (GET only) and keeps each hit validated by content. `top` is true for the most
/// privileged role, whose own administration pages are no finding.
#[allow(clippy::too_many_arguments)]
async fn browse_as(
    http: &Arc<HttpClient>,
    target: &Url,
    who: &AuthSession,
    list: &Wordlist,
    probes: Vec<kawal_access::wordlist::Probe>,
    parallel: usize,
    top: bool,
) -> Option<Browsed> {
    // Learn what the site answers for paths that cannot exist.
    let seed = target
        .as_str()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    let learn = Soft404::probe_paths(seed);
    let n_learn = learn.len();
    let samples: Vec<(String, Observed)> = stream::iter(learn)
        .map(|p| async move {
            let url = wordlist_url(target, &p)?;
            let r = send(http, who, reqwest::Method::GET, url, &[]).await?;
            Some((p, observed(&r)))
        })
        .buffer_unordered(parallel.max(1))
        .filter_map(|x| async move { x })
        .collect()
        .await;
    if samples.is_empty() {
        return None;
    }
    let soft = Soft404::learn(&samples);
    let requests = n_learn + probes.len();
    // Each answer is judged as it arrives and only hits are kept (with a trimmed body): a site
    // answering every probe with megabytes must not have them all held at once.
    let soft = &soft;
    let judged: Vec<Judged> = stream::iter(probes)
        .map(|probe| async move {
            let url = wordlist_url(target, &probe.path)?;
            let r = send(http, who, reqwest::Method::GET, url, &[]).await?;
            judge_probe(list, soft, top, probe, r)
        })
        .buffer_unordered(parallel.max(1))
        .filter_map(|x| async move { x })
        .collect()
        .await;
    let mut hits = Vec::new();
    let mut refused = Vec::new();
    for j in judged {
        match j {
            Judged::Hit(h) => hits.push(*h),
            Judged::Refused(p) => refused.push(p),
        }
    }
    Some(Browsed {
        hits,
        refused,
        requests,
        soft_404: !soft.is_empty(),
    })
}

/// Bytes of a hit's body kept for its evidence (the excerpt shown needs far fewer).
const HIT_BODY_KEPT: usize = 64 * 1024;

/// What one probe's answer showed, when it showed something.
enum Judged {
    Hit(Box<Hit>),
    Refused(kawal_access::wordlist::Probe),
}

/// Judges one probe's answer against the learned "not found" page and the wordlist entry.
fn judge_probe(
    list: &Wordlist,
    soft: &Soft404,
    top: bool,
    probe: kawal_access::wordlist::Probe,
    mut response: Response,
) -> Option<Judged> {
    let entry = list.entries.get(probe.entry)?;
    let obs = observed(&response);
    if soft.is_not_found(&probe.path, &obs) {
        return None;
    }
    if refused_answer(&obs) {
        return Some(Judged::Refused(probe));
    }
    if top && entry.category == Category::Admin {
        return None;
    }
    let matched = kawal_access::wordlist::check(entry, &obs)?;
    if response.body.len() > HIT_BODY_KEPT {
        response.body.truncate(HIT_BODY_KEPT);
        response.truncated = true;
    }
    Some(Judged::Hit(Box::new(Hit {
        probe,
        response,
        matched,
    })))
}

/// The finding of one hit; `roles` name the logged-in roles that reached it (none when the
/// anonymous visitor did).
fn hit_observation(list: &Wordlist, hit: &Hit, roles: &[String]) -> Option<Observation> {
    let entry = list.entries.get(hit.probe.entry)?;
    let path = &hit.probe.path;
    let mut e = hit
        .response
        .evidence(Some(format!("cocok / matched: {}", hit.matched.matched)));
    e.body_excerpt = hit.matched.excerpt.clone();
    let (to_id, to_en) = if roles.is_empty() {
        (String::new(), String::new())
    } else {
        let names = roles
            .iter()
            .map(|r| format!("'{r}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let en = if roles.len() == 1 { "role" } else { "roles" };
        (
            format!(" bagi peran {names} (ditolak bagi pengunjung anonim)"),
            format!(" to {en} {names} (refused to anonymous visitors)"),
        )
    };
    let mut figures = serde_json::json!({"category": format!("{:?}", entry.category).to_lowercase(), "severity": entry.severity.label_en(), "remediation": {"id": entry.remediation_id, "en": entry.remediation_en}});
    if let Some(first) = roles.first() {
        figures["role"] = serde_json::json!(first);
        figures["roles"] = serde_json::json!(roles);
    }
    Some(
        Observation::new(
            forced_item(entry.category),
            Outcome::Fail,
            Text::new(
                format!(
                    "{} dapat diakses di {path}{to_id} ({}).",
                    entry.title_id,
                    entry.severity.label_id()
                ),
                format!(
                    "{} is reachable at {path}{to_en} ({}).",
                    entry.title_en,
                    entry.severity.label_en()
                ),
            ),
        )
        .at(path)
        .with_evidence(e)
        .with_figures(figures),
    )
}

async fn forced_browsing(
    http: &Arc<HttpClient>,
    target: &Url,
    opts: &AccessOptions,
    anon: Option<&Crawl>,
    out: &mut Vec<Observation>,
    stats: &mut Stats,
) -> Option<Refused> {
    let list = match Wordlist::default_list() {
        Ok(l) => l,
        Err(e) => {
            for item in [FORCED, SECRETS, ADMIN] {
                out.push(inconclusive(item, e.to_string(), e.to_string()));
            }
            return None;
        }
    };
    let base_path = target.path().trim_end_matches('/').to_string();
    let discovered: Vec<String> = anon
        .map(|c| {
            c.pages
                .iter()
                .filter_map(|p| Url::parse(&p.url).ok())
                .map(|u| u.path().to_string())
                .collect()
        })
        .unwrap_or_default();
    // The files the framework is made of (its entry point serving `/`, its settings) have
    // backups too, though no page links them.
    let entry_points: Vec<String> = match (anon, kawal_access::entrypoints::EntryPoints::builtin())
    {
        (Some(c), Ok(e)) => e
            .suggested(&fingerprint_text(c))
            .into_iter()
            .map(|(p, _)| format!("{base_path}{p}"))
            .collect(),
        _ => Vec::new(),
    };
    let probes = list.expand_with(&discovered, &entry_points);
    let n_probes = probes.len();
    let nobody = AuthSession::anonymous();
    let Some(b) = browse_as(http, target, &nobody, &list, probes, opts.parallel, false).await
    else {
        for item in [FORCED, SECRETS, ADMIN] {
            out.push(inconclusive(
                item,
                "Situs tidak menjawab permintaan uji jalur acak, sehingga halaman 'tidak ditemukan' tidak dapat dipelajari.".into(),
                "The site did not answer the random-path probes, so its 'not found' page could not be learned.".into(),
            ));
        }
        return None;
    };
    stats.forced_requests = b.requests;
    let mut per_item: BTreeMap<&str, usize> = BTreeMap::new();
    for hit in &b.hits {
        if let Some(o) = hit_observation(&list, hit, &[]) {
            *per_item.entry(forced_item_of(&o)).or_default() += 1;
            out.push(o);
        }
    }
    for item in [FORCED, SECRETS, ADMIN] {
        if !per_item.contains_key(item) {
            out.push(
                Observation::new(
                    item,
                    Outcome::Pass,
                    Text::new(
                        format!("{} jalur dari daftar kata diminta; tidak ada yang dapat diakses (halaman 'tidak ditemukan' situs dipelajari lebih dulu).", n_probes),
                        format!("{} wordlist paths were requested; none was reachable (the site's 'not found' page was learned first).", n_probes),
                    ),
                )
                .with_figures(serde_json::json!({"requests": n_probes, "soft_404": b.soft_404, "refused_to_anonymous": b.refused.len()})),
            );
        }
    }
    Some(Refused {
        list,
        probes: b.refused,
    })
}

/// The item of a forced-browsing observation.
fn forced_item_of(o: &Observation) -> &'static str {
    [FORCED, SECRETS, ADMIN]
        .into_iter()
        .find(|i| *i == o.item_id)
        .unwrap_or(FORCED)
}

/// Forced browsing as each logged-in role, of the wordlist paths the anonymous visitor was
/// refused (a login wall hides them from strangers, not from every user). Same safety rules
/// as anonymously: GET only, and no path that would end the session. A path reached by
/// several roles is one finding naming them all.
async fn forced_browsing_as_roles(
    http: &Arc<HttpClient>,
    target: &Url,
    opts: &AccessOptions,
    refused: &Refused,
    sessions: &[AuthSession],
    out: &mut Vec<Observation>,
    stats: &mut Stats,
) {
    let probes: Vec<_> = refused
        .probes
        .iter()
        .filter(|p| !super::login::is_logout_path(&p.path))
        .cloned()
        .collect();
    if probes.is_empty() {
        return;
    }
    let top = sessions.iter().map(|s| s.privilege).max().unwrap_or(0);
    let mut found: BTreeMap<String, (Hit, Vec<String>)> = BTreeMap::new();
    for s in sessions {
        let top = s.privilege == top;
        let probes = probes.clone();
        let Some(b) = browse_as(http, target, s, &refused.list, probes, opts.parallel, top).await
        else {
            continue;
        };
        stats.forced_requests += b.requests;
        for hit in b.hits {
            found
                .entry(hit.probe.path.clone())
                .or_insert_with(|| (hit, Vec::new()))
                .1
                .push(s.role.clone());
        }
    }
    for (hit, roles) in found.values() {
        let Some(o) = hit_observation(&refused.list, hit, roles) else {
            continue;
        };
        // The anonymous pass of this item stands corrected: a role reached what strangers could not.
        let item = forced_item_of(&o);
        out.retain(|x| !(x.item_id == item && x.outcome == Outcome::Pass));
        out.push(o);
    }
}

#[allow(clippy::too_many_arguments)]
async fn bypass(
    http: &Arc<HttpClient>,
    by_role: &HashMap<&str, &AuthSession>,
    denied: &[Denied],
    opts: &AccessOptions,
    allow_unsafe: bool,
    out: &mut Vec<Observation>,
    stats: &mut Stats,
) {
    if denied.is_empty() {
        out.push(inconclusive(
            BYPASS,
            "Tidak ada sumber daya yang ditolak dengan benar untuk dicoba dengan manipulasi permintaan.".into(),
            "No correctly denied resource to try request tampering on.".into(),
        ));
        return;
    }
    // Pages of the most privileged roles first; per page, the denial of the highest role that
    // was refused (the role check most likely to be the only barrier).
    let rank = |r: &str| by_role.get(r).map_or(0, |s| s.privilege);
    let mut sorted: Vec<&Denied> = denied.iter().collect();
    sorted.sort_by(|a, b| {
        rank(&b.owner)
            .cmp(&rank(&a.owner))
            .then(rank(&b.as_role).cmp(&rank(&a.as_role)))
            .then((a.as_role == auth::ANONYMOUS).cmp(&(b.as_role == auth::ANONYMOUS)))
            .then(a.url.cmp(&b.url))
    });
    let mut targets: Vec<&Denied> = Vec::new();
    for d in sorted {
        if targets.len() < opts.max_bypass_targets && !targets.iter().any(|t| t.url == d.url) {
            targets.push(d);
        }
    }
    let safe = |m: &str| matches!(m, "GET" | "HEAD");
    let mut found = 0usize;
    let mut skipped_raw = 0usize;
    let mut tried = 0usize;
    for d in targets {
        let Some(session) = by_role.get(d.as_role.as_str()).copied() else {
            continue;
        };
        let Ok(url) = Url::parse(&d.url) else {
            continue;
        };
        let path = path_of(&d.url);
        let variants = kawal_access::variants("GET", &path);
        // Dot-segment variants go through the raw sender, which HTTPS with --insecure cannot use.
        let raw_ok = !(url.scheme() == "https" && http.config().insecure);
        let runnable: Vec<_> = variants
            .into_iter()
            .filter(|v| {
                if v.needs_raw && !raw_ok {
                    skipped_raw += 1;
                    return false;
                }
                allow_unsafe || safe(&v.method)
            })
            .collect();
        let n_runnable = runnable.len();
        let results: Vec<_> = stream::iter(runnable)
            .map(|v| {
                let url = url.clone();
                async move {
                    let r = if v.needs_raw {
                        let mut headers = session.request_headers(&url);
                        headers.extend(v.headers.iter().cloned());
                        match http.send_raw(&url, &v.method, &v.raw_path, &headers).await {
                            Ok(r) => r,
                            Err(e) => {
                                // A server may rightly drop a malformed path; silence after
                                // the request is a lost answer.
                                if matches!(e, crate::net::NetError::Timeout { .. }) {
                                    record_lost(&v.method, &v.raw_path, &e);
                                }
                                return None;
                            }
                        }
                    } else {
                        let target = url.join(&v.raw_path).ok()?;
                        let method = reqwest::Method::from_bytes(v.method.as_bytes()).ok()?;
                        send(http, session, method, target, &v.headers).await?
                    };
                    Some((v, r))
                }
            })
            .buffer_unordered(opts.parallel.max(1))
            .filter_map(|x| async move { x })
            .collect()
            .await;
        tried += n_runnable;
        let denial = observed(&d.denial);
        let privileged = observed(&d.privileged);
        let mut hit_here = false;
        for (v, r) in results {
            let tj = Instant::now();
            let mut j = v.judge(&denial, &observed(&r), Some(&privileged), &opts.rules);
            if j.verdict == Verdict::Unclear
                && v.method == "HEAD"
                && let Some(k) = head_served(&d.denial, &r, &d.privileged)
            {
                j = k;
            }
            stats.judge_time += tj.elapsed();
            if j.verdict == Verdict::Bypassed && !hit_here {
                hit_here = true;
            }
            if j.verdict == Verdict::Bypassed {
                found += 1;
                out.push(
                    Observation::new(
                        BYPASS,
                        Outcome::Fail,
                        Text::new(
                            format!("{path} ditolak untuk peran '{}', tetapi {} membukanya: {}. {}", d.as_role, v.label, j.why_id, v.explain_id()),
                            format!("{path} is denied to role '{}', but {} opens it: {}. {}", d.as_role, v.label, j.why_en, v.explain_en()),
                        ),
                    )
                    .at(format!("{} {} {}", d.as_role, v.label, path))
                    .with_evidence(evidence(&d.denial, &d.as_role, "permintaan biasa ditolak / plain request denied"))
                    .with_evidence(evidence(&r, &d.as_role, &format!("{} {} {}", v.method, v.raw_path, v.label)))
                    .with_evidence(evidence(&d.privileged, &d.owner, "respons acuan / reference response"))
                    .with_figures(serde_json::json!({"variant": v.label, "headers": v.headers, "similarity": j.similarity})),
                );
            }
        }
    }
    stats.bypass_requests = tried;
    if found == 0 {
        out.push(
            Observation::new(
                BYPASS,
                Outcome::Pass,
                Text::new(
                    format!("{tried} variasi metode, jalur dan header dicoba pada sumber daya yang ditolak; semuanya tetap ditolak."),
                    format!("{tried} method, path and header variants were tried on denied resources; all stayed denied."),
                ),
            )
            .with_figures(serde_json::json!({"variants": tried, "needing_raw_paths_not_sent": skipped_raw, "unsafe_methods": allow_unsafe})),
        );
    }
}
