//! Session lifecycle (BSSN K11, K13, K14; ASVS 4.0.3 V3.1–V3.3, 5.0 V7): tokens in URLs, the
//! session cookie over plain HTTP, and, with a form login, fixation, logout invalidation, idle
//! and absolute timeouts and concurrent sessions.

use super::login::{self, Jar, LoginError, Recipe, Session};
use super::setcookie::{SetCookie, session_reason};
use super::{Check, CheckError, Context, Observation};
use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::{Exchange, NetError, Request, Response};
use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant};
use url::Url;

const ITEMS: &[&str] = &[
    "session.token.in-url",
    "session.cookie.plain-http",
    "session.fixation",
    "session.logout-invalidation",
    "session.idle-timeout",
    "session.absolute-timeout",
    "session.concurrent",
];

/// The items that need a logged-in session.
const LOGIN_ITEMS: &[&str] = &[
    "session.fixation",
    "session.logout-invalidation",
    "session.idle-timeout",
    "session.absolute-timeout",
    "session.concurrent",
];

/// Parameter names that carry session identifiers in URLs (data: `checklists/signatures`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionParams {
    /// Query-string parameter names, lowercase.
    pub query: Vec<String>,
    /// Path-parameter names (`;name=`), lowercase.
    pub path: Vec<String>,
}

impl SessionParams {
    /// The built-in list.
    pub fn builtin() -> Result<SessionParams, String> {
        toml::from_str(include_str!(
            "../../checklists/signatures/session-params.toml"
        ))
        .map_err(|e| format!("checklists/signatures/session-params.toml: {e}"))
    }
}

/// Checks the session lifecycle.
pub struct SessionLifecycleCheck;

impl Check for SessionLifecycleCheck {
    fn name(&self) -> &'static str {
        "session-lifecycle"
    }

    fn items(&self) -> &'static [&'static str] {
        ITEMS
    }

    fn run<'a>(&'a self, ctx: &'a Context) -> BoxFuture<'a, Result<Vec<Observation>, CheckError>> {
        Box::pin(async move {
            let params = SessionParams::builtin().map_err(CheckError::Unusable)?;
            let landing = ctx.landing().await?;
            let mut out = vec![plain_http(ctx, &landing).await];
            let mut pages: Vec<Response> = landing.all().cloned().collect();
            let mut values: Vec<String> =
                set_cookie_values(landing.all(), ctx.options.session_cookie.as_deref());
            // The application's own (lowest-privilege) role first; `[login]` only as fallback.
            let _exclusive = ctx.exclusive_logins().await;
            match super::session_role::lifecycle_recipe(&ctx.options, &ctx.target) {
                Err(why) => out.extend(without_login(why)),
                Ok(recipe) => match login::login(ctx, &recipe).await {
                    Err(e) => out.extend(without_login(login_failed(&recipe, &e))),
                    Ok(s1) => {
                        pages.extend(s1.chain.iter().cloned());
                        values.extend(session_values(
                            &s1.jar,
                            ctx.options.session_cookie.as_deref(),
                        ));
                        let obs = logged_in(ctx, &recipe, s1).await;
                        out.extend(obs.into_iter().map(|o| as_role(o, &recipe.role)));
                    }
                },
            }
            // Links after a body's cut were never seen: no pass on them.
            let mut cut = super::lost::Lost::default();
            for r in pages.iter().filter(|r| r.truncated) {
                cut.record_cut(&r.method, r.url.as_str());
            }
            let phase = Text::new("URL yang diperiksa", "The URLs examined");
            out.push(cut.guard(judge_in_url(&urls_of(&pages), &params, &values), &phase));
            Ok(out)
        })
    }
}

/// Names the account the observation was made with (in its figures).
fn as_role(mut o: Observation, role: &str) -> Observation {
    match &mut o.figures {
        serde_json::Value::Object(m) => {
            m.insert("role".into(), json!(role));
        }
        f @ serde_json::Value::Null => *f = json!({ "role": role }),
        _ => {}
    }
    o
}

/// Every item that needs a login, inconclusive for `why`.
fn without_login(why: Text) -> Vec<Observation> {
    LOGIN_ITEMS
        .iter()
        .map(|item| Observation::inconclusive(item, why.clone()))
        .collect()
}

fn login_failed(recipe: &Recipe, e: &LoginError) -> Text {
    Text::new(
        format!(
            "Login akun uji '{}' di {} tidak berhasil, sehingga pengujian sesi terautentikasi tidak dijalankan: {e}",
            recipe.role, recipe.url
        ),
        format!(
            "Login of test account '{}' at {} did not succeed, so the authenticated session tests were not run: {e}",
            recipe.role, recipe.url
        ),
    )
}

/// The tests that need a logged-in session, starting from the first login.
async fn logged_in(ctx: &Context, recipe: &Recipe, s1: Session) -> Vec<Observation> {
    let protected = login::protected_url(recipe, &s1);
    let cookie = session_cookie_name(&s1.jar, ctx.options.session_cookie.as_deref());
    match login::authenticated(ctx, recipe, &s1.jar, &s1.headers, &protected).await {
        Ok((true, _)) => {}
        Ok((false, r)) => {
            return without_login(Text::new(
                format!(
                    "Login akun '{}' tampak berhasil, tetapi halaman terlindungi {protected} tidak tampil sebagai pengguna terautentikasi (status {}); atur [login] protected_url atau success_marker.",
                    recipe.role, r.status
                ),
                format!(
                    "Login of account '{}' seemed to succeed, but the protected page {protected} did not show as authenticated (status {}); set [login] protected_url or success_marker.",
                    recipe.role, r.status
                ),
            ));
        }
        Err(e) => return without_login(net_failed(&protected, &e)),
    }
    // A page that shows as logged in without any session cannot tell a replayed session from
    // an ended one: every later "still logged in" would be a false finding.
    if let Ok((true, _)) = login::authenticated(ctx, recipe, &Jar::default(), &[], &protected).await
    {
        return without_login(Text::new(
            format!(
                "Halaman {protected} juga tampil sebagai pengguna terautentikasi tanpa sesi, sehingga tidak dapat membedakan sesi yang masih berlaku; sebutkan halaman yang hanya tampil setelah login (penanda peran url/text atau [login] protected_url)."
            ),
            format!(
                "The page {protected} shows as authenticated without any session too, so it cannot tell a live session from an ended one; name a page only logged-in users see (the role marker's url/text or [login] protected_url)."
            ),
        ));
    }
    let mut out = Vec::new();

    // Fixation: the pre-login id must not survive login, nor become logged in.
    let before = cookie
        .as_deref()
        .and_then(|c| s1.before.get(c))
        .map(str::to_string);
    let after = cookie
        .as_deref()
        .and_then(|c| s1.jar.get(c))
        .map(str::to_string);
    let old_logged_in = match (&cookie, &before) {
        (Some(c), Some(b)) if Some(b) != after.as_ref() => {
            let mut old = s1.jar.clone();
            old.set(c, b);
            login::authenticated(ctx, recipe, &old, &[], &protected)
                .await
                .ok()
                .map(|(ok, _)| ok)
        }
        _ => None,
    };
    if cookie.is_none() && !s1.headers.is_empty() {
        // A bearer token exists only in the login answer: there is no id to plant beforehand.
        let why = Text::new(
            "Sesi dibawa token bearer yang baru diterbitkan pada jawaban login, bukan cookie; tidak ada pengenal sesi yang dapat ditanamkan sebelum login.",
            "The session is a bearer token issued in the login answer, not a cookie; there is no session id to plant before login.",
        );
        out.push(Observation::new(
            "session.fixation",
            Outcome::NotApplicable {
                reason: why.clone(),
            },
            why,
        ));
    } else {
        out.push(judge_fixation(
            cookie.as_deref(),
            before.as_deref(),
            after.as_deref(),
            old_logged_in.unwrap_or(false),
        ));
    }

    // Concurrent sessions, then logout on the newest one.
    match login::login(ctx, recipe).await {
        Err(e) => {
            let why = login_failed(recipe, &e);
            out.push(Observation::inconclusive("session.concurrent", why.clone()));
            out.push(Observation::inconclusive(
                "session.logout-invalidation",
                why,
            ));
        }
        Ok(s2) => {
            let first = login::authenticated(ctx, recipe, &s1.jar, &s1.headers, &protected).await;
            let second = login::authenticated(ctx, recipe, &s2.jar, &s2.headers, &protected).await;
            match (first, second) {
                (Ok((a, _)), Ok((b, _))) => out.push(judge_concurrent(a, b)),
                (Err(e), _) | (_, Err(e)) => {
                    let why = net_failed(&protected, &e);
                    out.push(Observation::inconclusive("session.concurrent", why));
                }
            }
            out.push(logout(ctx, recipe, &s2, &protected).await);
        }
    }

    // Idle and absolute timeouts run side by side on their own sessions.
    let (idle, absolute) = tokio::join!(
        idle_timeout(ctx, recipe, ctx.options.idle_wait),
        absolute_timeout(
            ctx,
            recipe,
            ctx.options.absolute_wait,
            ctx.options.idle_wait
        ),
    );
    out.push(idle);
    out.push(absolute);
    out
}

fn net_failed(url: &Url, e: &NetError) -> Text {
    Text::new(
        format!("Permintaan ke {url} gagal: {e}"),
        format!("The request to {url} failed: {e}"),
    )
}

/// Logs `s` out the way a browser does (the logout form with its CSRF token, Origin and
/// Referer) and replays its old cookies when the logout visibly went through.
async fn logout(ctx: &Context, recipe: &Recipe, s: &Session, protected: &Url) -> Observation {
    let item = "session.logout-invalidation";
    let target = recipe
        .logout_url
        .clone()
        .map(|u| login::FormSpec {
            action: u,
            method: "GET".into(),
            fields: Vec::new(),
        })
        .or_else(|| login::find_logout(&s.page.url, &s.page.text()));
    // A JSON login answers a document, not a page: the front end's page and scripts name the
    // logout endpoint its script calls.
    let target = match (target, &recipe.json_page) {
        (None, Some(page)) => login::find_script_logout(&ctx.http, page).await,
        (t, _) => t,
    };
    let Some(form) = target else {
        let why = Text::new(
            "Tautan, formulir, atau endpoint logout tidak ditemukan pada halaman setelah login maupun pada skrip aplikasi; atur [login] logout_url.",
            "No logout link, form or endpoint was found on the page after login nor in the application's scripts; set [login] logout_url.",
        );
        return Observation::inconclusive(item, why);
    };
    let url = form.action.clone();
    let mut jar = s.jar.clone();
    let mut req = logout_request(&form, &s.page, &jar, recipe.json_page.is_some());
    req.headers.extend(s.headers.iter().cloned());
    let chain = match login::fetch(&ctx.http, &mut jar, req).await {
        Ok(c) => c,
        Err(e) => return Observation::inconclusive(item, net_failed(&url, &e)),
    };
    let cookie = session_cookie_name(&s.jar, ctx.options.session_cookie.as_deref());
    let mut seen = LogoutSeen::of(&chain, cookie.as_deref(), &s.jar, &jar);
    // A bearer token cannot be cleared visibly: the API's JSON acknowledgement of the logout
    // call is the sign it went through.
    if !s.headers.is_empty() {
        seen.left_session |= chain.first().is_some_and(acknowledged);
    }
    let replay = match login::authenticated(ctx, recipe, &s.jar, &s.headers, protected).await {
        Ok(r) => r,
        Err(e) => return Observation::inconclusive(item, net_failed(protected, &e)),
    };
    let (still, r) = replay;
    let mut o = judge_logout_request(&url, &seen, still).with_evidence(
        r.evidence(Some(
            "replay of the pre-logout session cookies / pemutaran ulang cookie sesi sebelum logout"
                .into(),
        )),
    );
    if let Some(last) = chain.last() {
        o = o.with_evidence(last.evidence(Some("logout / keluar".into())));
    }
    o
}

/// The logout request: a form submitted with its fields and a browser's headers, a link, or
/// (after a JSON login) the script's `POST` of an empty JSON document.
fn logout_request(form: &login::FormSpec, page: &Response, jar: &Jar, json: bool) -> Request {
    let mut headers = super::browser::headers(&page.url, &page.text(), jar);
    if form.method != "POST" {
        headers.retain(|(n, _)| n == "referer");
        return Request {
            headers,
            ..Request::get(form.action.clone())
        };
    }
    let (kind, body) = if json && form.fields.is_empty() {
        ("application/json", "{}".to_string())
    } else {
        (
            "application/x-www-form-urlencoded",
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form.fields.iter())
                .finish(),
        )
    };
    headers.push(("content-type".into(), kind.into()));
    Request {
        method: reqwest::Method::POST,
        url: form.action.clone(),
        headers,
        body: Some(body.into_bytes()),
        follow_redirects: false,
    }
}

/// A JSON API's successful answer (2xx, a JSON document or no body), not a page.
fn acknowledged(r: &Response) -> bool {
    let json = r
        .header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("json"));
    (200..300).contains(&r.status) && (json || r.body.is_empty())
}

/// What the logout request itself showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutSeen {
    /// Status of the first answer (a refusal shows there).
    pub status: u16,
    /// The session cookie was deleted or replaced.
    pub cookie_ended: bool,
    /// The answer redirected, or ended on a login form (or, for a bearer token, the API
    /// acknowledged the logout call).
    pub left_session: bool,
}

impl LogoutSeen {
    fn of(chain: &[Response], cookie: Option<&str>, before: &Jar, after: &Jar) -> LogoutSeen {
        let status = chain.first().map_or(0, |r| r.status);
        let cookie_ended = cookie.is_some_and(|c| before.get(c) != after.get(c));
        let left_session = chain.iter().any(|r| (300..400).contains(&r.status))
            || chain
                .last()
                .is_some_and(|r| login::has_password_input(&r.text()));
        LogoutSeen {
            status,
            cookie_ended,
            left_session,
        }
    }
}

/// Judges logout from the logout answer and the replay of the old cookies (pure): a refused
/// logout, or one that ended nothing visibly, proves nothing about invalidation.
pub fn judge_logout_request(logout: &Url, seen: &LogoutSeen, still_logged_in: bool) -> Observation {
    let item = "session.logout-invalidation";
    let figures = json!({
        "logout_url": logout.as_str(), "logout_status": seen.status,
        "cookie_ended": seen.cookie_ended, "left_session": seen.left_session,
    });
    if seen.status >= 400 {
        let why = Text::new(
            format!(
                "Permintaan logout ke {logout} ditolak (status {}), sehingga penghapusan sesi di server tidak dapat dinilai.",
                seen.status
            ),
            format!(
                "The logout request to {logout} was refused (status {}), so server-side invalidation cannot be judged.",
                seen.status
            ),
        );
        return Observation::inconclusive(item, why).with_figures(figures);
    }
    if still_logged_in && !seen.cookie_ended && !seen.left_session {
        let why = Text::new(
            format!(
                "Permintaan logout ke {logout} (status {}) tidak tampak mengakhiri sesi: cookie sesi tidak dihapus dan tidak ada pengalihan; logout mungkin tidak terjadi, sehingga penghapusan sesi tidak dapat dinilai (atur [login] logout_url).",
                seen.status
            ),
            format!(
                "The logout request to {logout} (status {}) did not visibly end the session: the session cookie was not cleared and there was no redirect; the logout may not have happened, so invalidation cannot be judged (set [login] logout_url).",
                seen.status
            ),
        );
        return Observation::inconclusive(item, why).with_figures(figures);
    }
    judge_logout(logout, still_logged_in).with_figures(figures)
}

/// Logs in for one timed test; a failed login is that item's inconclusive outcome.
async fn login_for(
    ctx: &Context,
    recipe: &Recipe,
    item: &str,
) -> Result<login::Session, Observation> {
    login::login(ctx, recipe)
        .await
        .map_err(|e| Observation::inconclusive(item, login_failed(recipe, &e)))
}

async fn idle_timeout(ctx: &Context, recipe: &Recipe, wait: Duration) -> Observation {
    let item = "session.idle-timeout";
    if wait.is_zero() {
        return not_measured(item, "idle_wait_secs");
    }
    let s = match login_for(ctx, recipe, item).await {
        Ok(s) => s,
        Err(o) => return o,
    };
    let protected = login::protected_url(recipe, &s);
    tokio::time::sleep(wait).await;
    match login::authenticated(ctx, recipe, &s.jar, &s.headers, &protected).await {
        Ok((still, r)) => judge_idle(wait, still).with_evidence(r.evidence(None)),
        Err(e) => {
            let why = net_failed(&protected, &e);
            Observation::inconclusive(item, why)
        }
    }
}

/// Keeps a session busy for `wait` and notes when (if ever) it ends.
async fn absolute_timeout(
    ctx: &Context,
    recipe: &Recipe,
    wait: Duration,
    idle: Duration,
) -> Observation {
    let item = "session.absolute-timeout";
    if wait.is_zero() {
        return not_measured(item, "absolute_wait_secs");
    }
    let s = match login_for(ctx, recipe, item).await {
        Ok(s) => s,
        Err(o) => return o,
    };
    let protected = login::protected_url(recipe, &s);
    let every = refresh_interval(wait, idle);
    let started = Instant::now();
    loop {
        let elapsed = started.elapsed();
        let last = elapsed >= wait;
        match login::authenticated(ctx, recipe, &s.jar, &s.headers, &protected).await {
            Ok((false, r)) => {
                return judge_absolute(wait, every, Some(started.elapsed()))
                    .with_evidence(r.evidence(None));
            }
            Ok((true, r)) if last => {
                return judge_absolute(wait, every, None).with_evidence(r.evidence(None));
            }
            Ok((true, _)) => {}
            Err(e) => {
                let why = net_failed(&protected, &e);
                return Observation::inconclusive(item, why);
            }
        }
        tokio::time::sleep(every.min(wait.saturating_sub(started.elapsed()))).await;
    }
}

/// How often an "active" session is used: well within the idle limit, so only an absolute
/// lifetime can end it.
pub fn refresh_interval(absolute_wait: Duration, idle_wait: Duration) -> Duration {
    let base = if idle_wait.is_zero() {
        Duration::from_secs(60)
    } else {
        idle_wait / 3
    };
    base.clamp(Duration::from_millis(200), Duration::from_secs(300))
        .min(absolute_wait.max(Duration::from_millis(200)))
}

fn not_measured(item: &str, key: &str) -> Observation {
    let (id_eg, en_eg) = if key == "idle_wait_secs" {
        ("960 untuk batas 15 menit", "960 for a 15-minute limit")
    } else {
        ("30600 untuk batas 8 jam", "30600 for an 8-hour limit")
    };
    let why = Text::new(
        format!(
            "Tidak diukur: atur [session] {key} di kawal.toml ke batas waktu kebijakan Perangkat Daerah ditambah margin (mis. {id_eg})."
        ),
        format!(
            "Not measured: set [session] {key} in kawal.toml to the agency's policy limit plus a margin (e.g. {en_eg})."
        ),
    );
    Observation::inconclusive(item, why)
}

/// Judges fixation from the session cookie before and after login (pure).
pub fn judge_fixation(
    cookie: Option<&str>,
    before: Option<&str>,
    after: Option<&str>,
    old_logged_in: bool,
) -> Observation {
    let item = "session.fixation";
    let Some(name) = cookie else {
        let why = Text::new(
            "Cookie sesi setelah login tidak dapat dikenali; sebutkan namanya dengan [session] cookie.",
            "The session cookie after login cannot be identified; name it with [session] cookie.",
        );
        return Observation::inconclusive(item, why);
    };
    let figures = json!({"cookie": name, "pre_login_id": before.is_some(), "rotated": before != after, "old_id_logged_in": old_logged_in});
    let (outcome, id, en) = match (before, after) {
        (Some(b), Some(a)) if b == a => (
            Outcome::Fail,
            format!(
                "ID sesi {name} sebelum login tetap dipakai setelah login (tidak diganti), sehingga rentan session fixation."
            ),
            format!(
                "The pre-login session id {name} is kept after login (not rotated), so the application is open to session fixation."
            ),
        ),
        (Some(_), _) if old_logged_in => (
            Outcome::Fail,
            format!(
                "Login menerbitkan {name} baru, tetapi ID sebelum login ikut menjadi terautentikasi (session fixation)."
            ),
            format!(
                "Login issues a new {name}, but the pre-login id also became authenticated (session fixation)."
            ),
        ),
        (Some(_), _) => (
            Outcome::Pass,
            format!(
                "Login menerbitkan ID sesi {name} baru dan ID sebelum login tidak terautentikasi."
            ),
            format!(
                "Login issues a new session id {name} and the pre-login id is not authenticated."
            ),
        ),
        (None, _) => (
            Outcome::Pass,
            format!("Tidak ada ID sesi {name} sebelum login; sesi baru diterbitkan saat login."),
            format!("No session id {name} exists before login; a new session is issued at login."),
        ),
    };
    Observation::new(item, outcome, Text::new(id, en))
        .at(format!("cookie:{name}"))
        .with_figures(figures)
}

/// Judges logout from whether the old cookies still work (pure).
pub fn judge_logout(logout: &Url, still_logged_in: bool) -> Observation {
    let (outcome, id, en) = if still_logged_in {
        (
            Outcome::Fail,
            format!(
                "Setelah logout melalui {logout}, cookie sesi lama masih diterima sebagai pengguna terautentikasi: sesi tidak diakhiri di server."
            ),
            format!(
                "After logout via {logout}, the old session cookies are still accepted as authenticated: the session is not ended on the server."
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!("Setelah logout melalui {logout}, cookie sesi lama tidak lagi diterima."),
            format!("After logout via {logout}, the old session cookies are no longer accepted."),
        )
    };
    Observation::new("session.logout-invalidation", outcome, Text::new(id, en))
        .with_figures(json!({"logout_url": logout.as_str()}))
}

/// Judges the idle timeout from a replay after `wait` of inactivity (pure).
pub fn judge_idle(wait: Duration, still_logged_in: bool) -> Observation {
    let s = secs(wait);
    let (outcome, id, en) = if still_logged_in {
        (
            Outcome::Fail,
            format!(
                "Sesi masih berlaku setelah {s} detik tanpa aktivitas; tidak ada batas waktu tidak aktif dalam rentang itu."
            ),
            format!(
                "The session is still valid after {s} seconds of inactivity; there is no idle timeout within that time."
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!("Sesi berakhir setelah {s} detik tanpa aktivitas."),
            format!("The session ended after {s} seconds of inactivity."),
        )
    };
    Observation::new("session.idle-timeout", outcome, Text::new(id, en))
        .with_figures(json!({"idle_wait_secs": wait.as_secs_f64()}))
}

/// Judges the absolute lifetime: `ended_after` is when the busy session stopped working (pure).
pub fn judge_absolute(
    wait: Duration,
    every: Duration,
    ended_after: Option<Duration>,
) -> Observation {
    let s = secs(wait);
    let e = secs(every);
    let (outcome, id, en) = match ended_after {
        None => (
            Outcome::Fail,
            format!(
                "Sesi yang dipakai terus (setiap {e} detik) masih berlaku setelah {s} detik; tidak ada umur maksimum sesi dalam rentang itu."
            ),
            format!(
                "A session kept in use (every {e} seconds) is still valid after {s} seconds; there is no maximum session lifetime within that time."
            ),
        ),
        Some(t) => (
            Outcome::Pass,
            format!(
                "Sesi yang dipakai terus (setiap {e} detik) berakhir setelah sekitar {} detik (batas pengujian {s} detik).",
                secs(t)
            ),
            format!(
                "A session kept in use (every {e} seconds) ended after about {} seconds (test limit {s} seconds).",
                secs(t)
            ),
        ),
    };
    Observation::new("session.absolute-timeout", outcome, Text::new(id, en)).with_figures(json!({
        "absolute_wait_secs": wait.as_secs_f64(),
        "refresh_every_secs": every.as_secs_f64(),
        "ended_after_secs": ended_after.map(|t| t.as_secs_f64()),
    }))
}

/// Records how the application treats a second login of the same account (pure).
pub fn judge_concurrent(first_still: bool, second: bool) -> Observation {
    let item = "session.concurrent";
    let figures = json!({"first_session_valid": first_still, "second_session_valid": second});
    if !second {
        let why = Text::new(
            "Login kedua akun yang sama tidak menghasilkan sesi terautentikasi; penanganan sesi bersamaan tidak dapat dinilai.",
            "A second login of the same account did not yield an authenticated session; concurrent-session handling cannot be judged.",
        );
        return Observation::inconclusive(item, why).with_figures(figures);
    }
    let (id, en) = if first_still {
        (
            "Satu akun dapat memiliki beberapa sesi aktif sekaligus (kedua login tetap berlaku). Catatan: pastikan kebijakan Perangkat Daerah mengizinkannya dan pengguna dapat melihat serta mengakhiri sesi lain.",
            "One account can hold several active sessions at once (both logins stay valid). Note: make sure the agency's policy allows this and users can see and end their other sessions.",
        )
    } else {
        (
            "Login kedua mengakhiri sesi sebelumnya: satu akun hanya memiliki satu sesi aktif.",
            "The second login ended the earlier session: one account holds a single active session.",
        )
    };
    Observation::new(item, Outcome::Pass, Text::new(id, en)).with_figures(figures)
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if (s - s.round()).abs() < 0.05 {
        format!("{}", s.round() as u64)
    } else {
        format!("{s:.1}")
    }
}

/// The session cookie among a jar's cookies: the configured name, else the first that looks
/// like a session identifier.
pub fn session_cookie_name(jar: &Jar, configured: Option<&str>) -> Option<String> {
    if let Some(c) = configured {
        return jar.get(c).map(|_| c.to_string());
    }
    jar.names()
        .find(|n| {
            jar.get(n)
                .and_then(|v| SetCookie::parse(&format!("{n}={v}")))
                .is_some_and(|c| session_reason(&c).is_some())
        })
        .map(str::to_string)
}

fn session_values(jar: &Jar, configured: Option<&str>) -> Vec<String> {
    session_cookie_name(jar, configured)
        .and_then(|n| jar.get(&n).map(str::to_string))
        .into_iter()
        .collect()
}

fn set_cookie_values<'a>(
    responses: impl Iterator<Item = &'a Response>,
    configured: Option<&str>,
) -> Vec<String> {
    responses
        .flat_map(|r| r.headers_named("set-cookie"))
        .filter_map(SetCookie::parse)
        .filter(|c| !c.is_deletion())
        .filter(|c| match configured {
            Some(n) => c.name == n,
            None => session_reason(c).is_some(),
        })
        .map(|c| c.value)
        .collect()
}

/// Where a URL was seen: as a request, a redirect target or a link, on which page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Seen {
    /// `request`, `location` or `link`.
    pub kind: &'static str,
    /// The page (response URL) it was seen on.
    pub page: String,
}

impl Seen {
    fn new(kind: &'static str, page: &Url) -> Seen {
        Seen {
            kind,
            page: page.to_string(),
        }
    }

    /// Indonesian and English wording.
    fn text(&self) -> (String, String) {
        let p = &self.page;
        match self.kind {
            "request" => ("alamat permintaan".into(), "request address".into()),
            "location" => (format!("pengalihan dari {p}"), format!("redirect from {p}")),
            _ => (format!("tautan di {p}"), format!("link on {p}")),
        }
    }
}

/// Every URL a set of responses shows: request URLs, redirect targets and links in HTML.
pub fn urls_of(responses: &[Response]) -> Vec<(Url, Seen)> {
    let mut out = Vec::new();
    for r in responses {
        out.push((r.url.clone(), Seen::new("request", &r.url)));
        if let Some(l) = r.header("location")
            && let Ok(u) = r.url.join(l.trim())
        {
            out.push((u, Seen::new("location", &r.url)));
        }
        if r.header("content-type").is_some_and(|c| c.contains("html")) {
            for u in links(&r.url, &r.text()) {
                out.push((u, Seen::new("link", &r.url)));
            }
        }
    }
    out
}

/// Links, form actions and frames of an HTML page.
pub fn links(base: &Url, html: &str) -> Vec<Url> {
    let doc = crate::crawl::html::parse(html);
    let mut out = Vec::new();
    for (sel, attr) in [
        ("a[href]", "href"),
        ("area[href]", "href"),
        ("form[action]", "action"),
        ("iframe[src]", "src"),
        ("frame[src]", "src"),
    ] {
        let Ok(s) = scraper::Selector::parse(sel) else {
            continue;
        };
        for el in doc.select(&s).take(2_000) {
            if let Some(u) = el.value().attr(attr).and_then(|h| base.join(h.trim()).ok()) {
                out.push(u);
            }
        }
    }
    out
}

/// The session parameter a URL carries, if any (pure).
pub fn session_param(u: &Url, params: &SessionParams, values: &[String]) -> Option<String> {
    let norm = |n: &str| {
        let l = n.to_ascii_lowercase();
        l.trim_start_matches("__host-")
            .trim_start_matches("__secure-")
            .to_string()
    };
    if let Some((k, _)) = u
        .query_pairs()
        .find(|(k, v)| !v.is_empty() && params.query.contains(&norm(k)))
    {
        return Some(k.into_owned());
    }
    let path = u.path().to_ascii_lowercase();
    for seg in path.split('/') {
        for p in seg.split(';').skip(1) {
            if let Some((k, v)) = p.split_once('=')
                && !v.is_empty()
                && params.path.contains(&norm(k))
            {
                return Some(format!(";{k}="));
            }
        }
    }
    let s = u.as_str();
    values
        .iter()
        .filter(|v| v.len() >= 16)
        .find(|v| s.contains(v.as_str()))
        .map(|_| "session cookie value".to_string())
}

/// Judges the URLs seen (pure).
pub fn judge_in_url(
    urls: &[(Url, Seen)],
    params: &SessionParams,
    values: &[String],
) -> Observation {
    let item = "session.token.in-url";
    let hits: Vec<(String, Seen, String)> = urls
        .iter()
        .filter_map(|(u, whence)| {
            session_param(u, params, values)
                .map(|p| (redact_url(u, params, values), whence.clone(), p))
        })
        .collect();
    if hits.is_empty() {
        return Observation::new(
            item,
            Outcome::Pass,
            Text::new(
                format!("Tidak ada ID sesi pada {} URL yang diperiksa (alamat permintaan, pengalihan dan tautan).", urls.len()),
                format!("No session id in the {} URLs examined (request addresses, redirects and links).", urls.len()),
            ),
        )
        .with_figures(json!({"urls_examined": urls.len()}));
    }
    let (first, whence, param) = &hits[0];
    let (w_id, w_en) = whence.text();
    let mut o = Observation::new(
        item,
        Outcome::Fail,
        Text::new(
            format!("ID sesi muncul di URL ({param}) pada {} URL, misalnya {first} ({w_id}); URL tercatat di log dan terkirim lewat Referer.", hits.len()),
            format!("A session id appears in URLs ({param}) in {} URLs, e.g. {first} ({w_en}); URLs end up in logs and Referer headers.", hits.len()),
        ),
    )
    .at(format!("param:{param}"))
    .with_figures(json!({"urls_examined": urls.len(), "hits": hits.iter().take(20).map(|(u, w, p)| json!({"url": u, "where": w, "param": p})).collect::<Vec<_>>()}));
    for (u, w, _) in hits.iter().take(5) {
        o = o.with_evidence(crate::net::Evidence {
            method: "GET".into(),
            url: u.clone(),
            note: Some(w.text().1),
            ..Default::default()
        });
    }
    o
}

/// The URL with session values hidden (evidence never stores a live token).
fn redact_url(u: &Url, params: &SessionParams, values: &[String]) -> String {
    let mut s = u.to_string();
    for v in values.iter().filter(|v| v.len() >= 4) {
        s = s.replace(v.as_str(), "DISAMARKAN-REDACTED");
    }
    let mut out = u.clone();
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let n = k.to_ascii_lowercase();
                let n = n
                    .trim_start_matches("__host-")
                    .trim_start_matches("__secure-");
                let v = if params.query.iter().any(|p| p == n) {
                    "DISAMARKAN-REDACTED".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        out.query_pairs_mut().clear().extend_pairs(pairs);
        s = out.to_string();
        for v in values.iter().filter(|v| v.len() >= 4) {
            s = s.replace(v.as_str(), "DISAMARKAN-REDACTED");
        }
    }
    s
}

/// Whether the session cookie is issued over plain HTTP.
async fn plain_http(ctx: &Context, landing: &Exchange) -> Observation {
    let item = "session.cookie.plain-http";
    let configured = ctx.options.session_cookie.as_deref();
    let ex = if ctx.target.scheme() == "http" {
        landing.clone()
    } else {
        // The registered URL is HTTPS: try its plain-HTTP twin on the standard port.
        let mut u = ctx.target.clone();
        let _ = u.set_scheme("http");
        let _ = u.set_port(None);
        match ctx.http.get(&u).await {
            Ok(ex) => ex,
            Err(e @ NetError::Connect { .. }) | Err(e @ NetError::Timeout { .. }) => {
                let why = Text::new(
                    format!(
                        "Tidak ada layanan HTTP tanpa enkripsi di {u} ({e}); cookie sesi tidak dapat terkirim lewat HTTP di alamat ini."
                    ),
                    format!(
                        "No plain-HTTP service at {u} ({e}); the session cookie cannot travel over HTTP at this address."
                    ),
                );
                return Observation::new(
                    item,
                    Outcome::NotApplicable {
                        reason: why.clone(),
                    },
                    why,
                );
            }
            Err(e) => {
                let why = net_failed(&u, &e);
                return Observation::inconclusive(item, why);
            }
        }
    };
    let mut http_responses: Vec<Response> = ex
        .all()
        .filter(|r| r.url.scheme() == "http")
        .cloned()
        .collect();
    // Applications often issue the session only on their login page.
    if !http_responses
        .iter()
        .any(|r| sets_session_cookie(r, configured))
        && ex.response.url.scheme() == "http"
        && let Some(l) = super::cookies::login_link(&ex.response)
            .filter(|l| l.scheme() == "http" && ctx.http.scope().allows(l))
        && let Ok(lx) = ctx.http.get(&l).await
    {
        http_responses.extend(lx.all().filter(|r| r.url.scheme() == "http").cloned());
    }
    judge_plain_http(&http_responses, configured)
}

fn sets_session_cookie(r: &Response, configured: Option<&str>) -> bool {
    session_cookie_set(r, configured).is_some()
}

fn session_cookie_set(r: &Response, configured: Option<&str>) -> Option<String> {
    r.headers_named("set-cookie")
        .filter_map(SetCookie::parse)
        .filter(|c| !c.is_deletion())
        .find(|c| match configured {
            Some(n) => c.name == n,
            None => session_reason(c).is_some(),
        })
        .map(|c| c.name)
}

/// Judges the plain-HTTP responses of the application (pure).
pub fn judge_plain_http(http_responses: &[Response], configured: Option<&str>) -> Observation {
    let item = "session.cookie.plain-http";
    if let Some((r, name)) = http_responses
        .iter()
        .find_map(|r| session_cookie_set(r, configured).map(|n| (r, n)))
    {
        return Observation::new(
            item,
            Outcome::Fail,
            Text::new(
                format!("Cookie sesi {name} diterbitkan melalui HTTP tanpa enkripsi di {}; token dapat disadap di jaringan.", r.url),
                format!("Session cookie {name} is issued over unencrypted HTTP at {}; the token can be sniffed on the network.", r.url),
            ),
        )
        .at(format!("cookie:{name}"))
        .with_evidence(r.evidence(None));
    }
    let Some(first) = http_responses.first() else {
        let why = Text::new(
            "Aplikasi tidak menjawab melalui HTTP.",
            "The application does not answer over HTTP.",
        );
        return Observation::new(
            item,
            Outcome::NotApplicable {
                reason: why.clone(),
            },
            why,
        );
    };
    if kawal_tls::redirects_to_https(first.status, first.header("location")) {
        return Observation::new(
            item,
            Outcome::Pass,
            Text::new(
                format!(
                    "{} mengalihkan ke HTTPS ({}) tanpa menerbitkan cookie sesi.",
                    first.url, first.status
                ),
                format!(
                    "{} redirects to HTTPS ({}) without issuing a session cookie.",
                    first.url, first.status
                ),
            ),
        )
        .with_evidence(first.evidence(None));
    }
    let why = Text::new(
        format!(
            "{} melayani halaman melalui HTTP tanpa pengalihan, tetapi tidak ada cookie sesi yang teramati melalui HTTP (mungkin baru diterbitkan saat login).",
            first.url
        ),
        format!(
            "{} serves pages over HTTP without a redirect, but no session cookie was seen over HTTP (it may only be issued at login).",
            first.url
        ),
    );
    Observation::inconclusive(item, why).with_evidence(first.evidence(None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SessionParams {
        SessionParams::builtin().expect("data")
    }

    fn u(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn resp(url: &str, status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            method: "GET".into(),
            url: u(url),
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
            truncated: false,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn session_parameters_in_urls_are_found() {
        let p = params();
        let none: Vec<String> = Vec::new();
        assert_eq!(
            session_param(&u("https://a.example.go.id/x?PHPSESSID=abc"), &p, &none).as_deref(),
            Some("PHPSESSID")
        );
        assert_eq!(
            session_param(
                &u("https://a.example.go.id/app;jsessionid=ABC123?x=1"),
                &p,
                &none
            )
            .as_deref(),
            Some(";jsessionid=")
        );
        assert_eq!(
            session_param(
                &u("https://a.example.go.id/x?__Host-SESSIONID=abc"),
                &p,
                &none
            )
            .as_deref(),
            Some("__Host-SESSIONID")
        );
        assert_eq!(
            session_param(&u("https://a.example.go.id/x?page=2&q=sid"), &p, &none),
            None
        );
        let v = vec!["0123456789abcdef0123".to_string()];
        assert!(
            session_param(&u("https://a.example.go.id/r/0123456789abcdef0123"), &p, &v).is_some()
        );
        let obs = judge_in_url(
            &[(
                u("https://a.example.go.id/x?sid=0123456789abcdef0123"),
                Seen::new("link", &u("https://a.example.go.id/")),
            )],
            &p,
            &v,
        );
        assert_eq!(obs.outcome, Outcome::Fail);
        let json = serde_json::to_string(&obs).expect("json");
        assert!(
            !json.contains("0123456789abcdef0123"),
            "the token is redacted: {json}"
        );
        let obs = judge_in_url(
            &[(
                u("https://a.example.go.id/about"),
                Seen::new("link", &u("https://a.example.go.id/")),
            )],
            &p,
            &v,
        );
        assert_eq!(obs.outcome, Outcome::Pass);
    }

    #[test]
    fn links_are_extracted() {
        let l = links(
            &u("https://a.example.go.id/dir/"),
            r#"<a href="x?sid=1">x</a><form action="/post"></form><iframe src="f"></iframe>"#,
        );
        let s: Vec<String> = l.iter().map(|u| u.to_string()).collect();
        assert_eq!(
            s,
            [
                "https://a.example.go.id/dir/x?sid=1",
                "https://a.example.go.id/post",
                "https://a.example.go.id/dir/f"
            ]
        );
    }

    #[test]
    fn plain_http_judgement() {
        let issued = resp(
            "http://a.example.go.id/",
            200,
            &[("set-cookie", "PHPSESSID=abc; Path=/")],
        );
        assert_eq!(judge_plain_http(&[issued], None).outcome, Outcome::Fail);
        let redirect = resp(
            "http://a.example.go.id/",
            301,
            &[("location", "https://a.example.go.id/")],
        );
        assert_eq!(judge_plain_http(&[redirect], None).outcome, Outcome::Pass);
        let plain = resp("http://a.example.go.id/", 200, &[("set-cookie", "lang=id")]);
        assert_eq!(
            judge_plain_http(&[plain], None).outcome.status(),
            "inconclusive"
        );
        assert_eq!(
            judge_plain_http(&[], None).outcome.status(),
            "not_applicable"
        );
    }

    #[test]
    fn fixation_judgement() {
        assert_eq!(
            judge_fixation(Some("SID"), Some("a"), Some("a"), false).outcome,
            Outcome::Fail
        );
        assert_eq!(
            judge_fixation(Some("SID"), Some("a"), Some("b"), false).outcome,
            Outcome::Pass
        );
        assert_eq!(
            judge_fixation(Some("SID"), Some("a"), Some("b"), true).outcome,
            Outcome::Fail
        );
        assert_eq!(
            judge_fixation(Some("SID"), None, Some("b"), false).outcome,
            Outcome::Pass
        );
        assert_eq!(
            judge_fixation(None, None, None, false).outcome.status(),
            "inconclusive"
        );
    }

    #[test]
    fn timeouts_and_concurrency_judgement() {
        let w = Duration::from_secs(2);
        assert_eq!(judge_idle(w, true).outcome, Outcome::Fail);
        assert_eq!(judge_idle(w, false).outcome, Outcome::Pass);
        assert_eq!(
            judge_absolute(w, Duration::from_millis(500), None).outcome,
            Outcome::Fail
        );
        assert_eq!(
            judge_absolute(w, Duration::from_millis(500), Some(Duration::from_secs(1))).outcome,
            Outcome::Pass
        );
        assert_eq!(judge_concurrent(true, true).outcome, Outcome::Pass);
        assert_eq!(judge_concurrent(false, true).outcome, Outcome::Pass);
        assert_eq!(
            judge_concurrent(true, false).outcome.status(),
            "inconclusive"
        );
        assert_eq!(
            refresh_interval(Duration::from_secs(3), Duration::from_secs(1)),
            Duration::from_secs(1) / 3
        );
        assert_eq!(
            refresh_interval(Duration::from_secs(3600), Duration::ZERO),
            Duration::from_secs(60)
        );
        let out = judge_logout(&u("https://a.example.go.id/logout"), true);
        assert_eq!(out.outcome, Outcome::Fail);
    }

    #[test]
    fn a_refused_or_invisible_logout_is_inconclusive() {
        let url = u("https://a.example.go.id/logout");
        let seen = |status, cookie_ended, left_session| LogoutSeen {
            status,
            cookie_ended,
            left_session,
        };
        let refused = judge_logout_request(&url, &seen(403, false, false), true);
        assert_eq!(refused.outcome.status(), "inconclusive");
        assert!(refused.summary.en.contains("403"), "{}", refused.summary.en);
        let invisible = judge_logout_request(&url, &seen(200, false, false), true);
        assert_eq!(invisible.outcome.status(), "inconclusive");
        assert_eq!(
            judge_logout_request(&url, &seen(302, true, true), true).outcome,
            Outcome::Fail
        );
        assert_eq!(
            judge_logout_request(&url, &seen(200, true, false), false).outcome,
            Outcome::Pass
        );
        assert_eq!(
            judge_logout_request(&url, &seen(200, false, false), false).outcome,
            Outcome::Pass
        );
    }
}
