//! Cookie attributes of session cookies (BSSN K11–K13; ASVS 4.0.3 V3.4, 5.0 V3.3).

use super::setcookie::{SetCookie, session_reason};
use super::{Check, CheckError, Context, Observation};
use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::Response;
use futures_util::future::BoxFuture;
use serde_json::json;

/// Longest lifetime accepted for a persistent session cookie (12 hours).
pub const MAX_SESSION_LIFETIME_SECS: i64 = 12 * 3600;

const ITEMS: &[&str] = &[
    "session.cookie.secure",
    "session.cookie.httponly",
    "session.cookie.samesite",
    "session.cookie.prefix",
    "session.cookie.domain",
    "session.cookie.persistent",
];

/// Pages crawled as each logged-in role for the cookies they set.
const AUTHENTICATED_PAGES: usize = 10;

/// Judges the attributes of every cookie inferred to be a session cookie: those set to anonymous
/// visitors, at the login of every registered role, and on pages each role then opens.
pub struct CookieCheck;

impl Check for CookieCheck {
    fn name(&self) -> &'static str {
        "cookies"
    }

    fn items(&self) -> &'static [&'static str] {
        ITEMS
    }

    fn run<'a>(&'a self, ctx: &'a Context) -> BoxFuture<'a, Result<Vec<Observation>, CheckError>> {
        Box::pin(async move {
            let landing = ctx.landing().await?;
            let mut seen = Seen {
                configured: ctx.options.session_cookie.clone(),
                ..Seen::default()
            };
            seen.add(landing.all(), None);
            // Many applications set the session cookie only on the login page.
            if let Some(login) = login_link(&landing.response)
                && ctx.http.scope().allows(&login)
                && login != landing.response.url
                && let Ok(ex) = ctx.http.get(&login).await
            {
                seen.add(ex.all(), None);
            }
            // Most applications issue the session only at login: judge what each role gets.
            let _exclusive = ctx.exclusive_logins().await;
            for (role, result) in super::session_role::log_in_all(ctx).await {
                match result {
                    Ok(s) => {
                        seen.add(s.responses.iter(), Some(&role));
                        for r in authenticated_pages(ctx, &s).await {
                            seen.add(std::iter::once(&*r), Some(&role));
                        }
                        if s.headers
                            .iter()
                            .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
                        {
                            seen.header_sessions.push(role.clone());
                        }
                        seen.logged_in.push(role);
                    }
                    Err(e) => seen.failed.push(e.to_string()),
                }
            }
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            Ok(judge_seen(&seen, now))
        })
    }
}

/// A few pages opened as a logged-in role (a short crawl from the application's URL).
async fn authenticated_pages(
    ctx: &Context,
    s: &crate::auth::AuthSession,
) -> Vec<std::sync::Arc<Response>> {
    let opts = crate::crawl::CrawlOptions {
        max_pages: AUTHENTICATED_PAGES,
        max_depth: 2,
        per_pattern: 1,
        use_hints: false,
        keep_responses: true,
        headers: s.request_headers(&ctx.target),
    };
    match crate::crawl::crawl(&ctx.http, &ctx.target, None, &opts).await {
        Ok(c) => c.pages.into_iter().filter_map(|p| p.response).collect(),
        Err(_) => Vec::new(),
    }
}

/// What the check saw: responses with the role that fetched them, and how the logins went.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Responses and the role they were fetched as (`None` = anonymously).
    pub responses: Vec<(Response, Option<String>)>,
    /// The session cookie name from `[session] cookie`, when set.
    pub configured: Option<String>,
    /// Roles that logged in.
    pub logged_in: Vec<String>,
    /// Roles whose session travels in an `Authorization` header.
    pub header_sessions: Vec<String>,
    /// Logins that failed, with their reasons.
    pub failed: Vec<String>,
}

impl Seen {
    /// Adds responses fetched as `role`.
    pub fn add<'a>(&mut self, rs: impl Iterator<Item = &'a Response>, role: Option<&str>) {
        for r in rs {
            self.responses.push((r.clone(), role.map(str::to_string)));
        }
    }
}

/// Pure judgement over anonymous responses (kept separate so it is testable offline).
pub fn judge(responses: &[Response], now_unix: i64) -> Vec<Observation> {
    let mut seen = Seen::default();
    seen.add(responses.iter(), None);
    judge_seen(&seen, now_unix)
}

/// The attributes that make two `Set-Cookie` headers of one name judged differently.
fn attributes(c: &SetCookie) -> String {
    format!(
        "{}|{}|{:?}|{:?}|{:?}|{}",
        c.secure,
        c.http_only,
        c.same_site.as_deref().map(str::to_ascii_lowercase),
        c.domain,
        c.path,
        c.max_age.is_some() || c.expires.is_some()
    )
}

/// Why no session cookie could be judged, given how the logins went.
fn nothing_seen(seen: &Seen) -> Outcome {
    if !seen.header_sessions.is_empty() && seen.header_sessions.len() == seen.logged_in.len() {
        let roles = seen.header_sessions.join(", ");
        return Outcome::NotApplicable {
            reason: Text::new(
                format!(
                    "Sesi peran {roles} dibawa header Authorization, bukan cookie; tidak ada cookie sesi yang diterbitkan, sebelum maupun setelah login."
                ),
                format!(
                    "The sessions of roles {roles} travel in the Authorization header, not a cookie; no session cookie is issued before or after login."
                ),
            ),
        };
    }
    if !seen.logged_in.is_empty() {
        let roles = seen.logged_in.join(", ");
        return Outcome::inconclusive(
            format!(
                "Tidak ada cookie sesi yang dikenali, baik untuk pengunjung anonim maupun pada login peran {roles}; sebutkan namanya dengan [session] cookie bila aplikasi memakainya."
            ),
            format!(
                "No session cookie was recognised, neither for anonymous visitors nor at the login of roles {roles}; name it with [session] cookie if the application uses one."
            ),
        );
    }
    if !seen.failed.is_empty() {
        let why = seen.failed.join("; ");
        return Outcome::inconclusive(
            format!(
                "Tidak ada cookie sesi pada halaman anonim, dan login gagal sehingga cookie setelah login tidak dapat dinilai: {why}"
            ),
            format!(
                "No session cookie on the anonymous pages, and the login failed, so the cookie issued at login could not be judged: {why}"
            ),
        );
    }
    Outcome::inconclusive(
        "Tidak ada cookie sesi yang teramati pada halaman yang diambil; cookie sesi mungkin baru diberikan setelah login (daftarkan peran dengan `kawal app auth add` atau [[role]]).",
        "No session cookie was observed on the pages fetched; it may only be set after login (register a role with `kawal app auth add` or [[role]]).",
    )
}

/// Pure judgement over everything seen, anonymous and logged in.
pub fn judge_seen(seen: &Seen, now_unix: i64) -> Vec<Observation> {
    // One entry per cookie name and attribute set: a login may set the same name differently.
    let mut found: Vec<(SetCookie, &Response, Option<String>, Option<&str>)> = Vec::new();
    for (r, role) in &seen.responses {
        for h in r.headers_named("set-cookie") {
            let Some(c) = SetCookie::parse(h) else {
                continue;
            };
            if c.is_deletion_at(now_unix)
                || found
                    .iter()
                    .any(|(s, _, _, _)| s.name == c.name && attributes(s) == attributes(&c))
            {
                continue;
            }
            let why = match &seen.configured {
                Some(n) if *n == c.name => Some("[session] cookie".to_string()),
                Some(_) => None,
                None => session_reason(&c),
            };
            found.push((c, r, why, role.as_deref()));
        }
    }
    let inventory: Vec<_> = found
        .iter()
        .map(|(c, r, why, role)| {
            json!({"name": c.name, "url": r.url.as_str(), "session": why.is_some(), "reason": why, "role": role})
        })
        .collect();
    let sessions: Vec<_> = found
        .iter()
        .filter(|(_, _, why, _)| why.is_some())
        .collect();
    if sessions.is_empty() {
        let outcome = nothing_seen(seen);
        let summary = match &outcome {
            Outcome::Inconclusive { reason } | Outcome::NotApplicable { reason } => reason.clone(),
            _ => Text::new("Cookie sesi tidak teramati.", "No session cookie observed."),
        };
        return ITEMS
            .iter()
            .map(|item| {
                Observation::new(item, outcome.clone(), summary.clone())
                    .with_figures(json!({"cookies": inventory, "roles_logged_in": seen.logged_in}))
            })
            .collect();
    }
    let mut out = Vec::new();
    let mut names_done: Vec<&str> = Vec::new();
    for (c, r, why, role) in sessions {
        // A second attribute set of one name gets its own instance, named by the page.
        let locator = if names_done.contains(&c.name.as_str()) {
            format!("cookie:{}@{}", c.name, r.url.path())
        } else {
            format!("cookie:{}", c.name)
        };
        names_done.push(&c.name);
        let host = r.url.host_str().unwrap_or("").to_ascii_lowercase();
        let https = r.url.scheme() == "https";
        let raw = r
            .headers_named("set-cookie")
            .find(|h| SetCookie::parse(h).is_some_and(|p| p.name == c.name))
            .unwrap_or("");
        let whose = role.map_or_else(String::new, |r| format!(" (peran/role {r})"));
        let evidence = r.evidence(Some(format!(
            "Set-Cookie {}: {}{whose}",
            c.name,
            crate::net::evidence::redact_response_header("set-cookie", raw)
        )));
        let figures = json!({
            "cookie": c, "session_reason": why, "https": https, "host": host, "role": role,
        });
        let mut push = |item: &str, fail: bool, id: String, en: String| {
            out.push(
                Observation::new(
                    item,
                    if fail { Outcome::Fail } else { Outcome::Pass },
                    Text::new(id, en),
                )
                .at(locator.clone())
                .with_evidence(evidence.clone())
                .with_figures(figures.clone()),
            );
        };
        let n = &c.name;

        if c.secure {
            push(
                "session.cookie.secure",
                false,
                format!("Cookie sesi {n} memakai atribut Secure."),
                format!("Session cookie {n} has the Secure attribute."),
            );
        } else {
            let (id, en) = if https {
                (
                    "dapat terkirim melalui HTTP tanpa enkripsi",
                    "can be sent over unencrypted HTTP",
                )
            } else {
                (
                    "diberikan melalui HTTP tanpa enkripsi",
                    "is issued over unencrypted HTTP",
                )
            };
            push(
                "session.cookie.secure",
                true,
                format!("Cookie sesi {n} tidak memakai atribut Secure sehingga {id}."),
                format!("Session cookie {n} lacks the Secure attribute, so it {en}."),
            );
        }

        push(
            "session.cookie.httponly",
            !c.http_only,
            if c.http_only {
                format!("Cookie sesi {n} memakai atribut HttpOnly.")
            } else {
                format!(
                    "Cookie sesi {n} tidak memakai HttpOnly sehingga dapat dibaca skrip (XSS dapat mencuri sesi)."
                )
            },
            if c.http_only {
                format!("Session cookie {n} has the HttpOnly attribute.")
            } else {
                format!(
                    "Session cookie {n} lacks HttpOnly, so scripts can read it (an XSS can steal the session)."
                )
            },
        );

        match c
            .same_site
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("lax") | Some("strict") => push(
                "session.cookie.samesite",
                false,
                format!(
                    "Cookie sesi {n} memakai SameSite={}.",
                    c.same_site.as_deref().unwrap_or("")
                ),
                format!(
                    "Session cookie {n} has SameSite={}.",
                    c.same_site.as_deref().unwrap_or("")
                ),
            ),
            Some("none") if !c.secure => push(
                "session.cookie.samesite",
                true,
                format!(
                    "Cookie sesi {n} memakai SameSite=None tanpa Secure: ditolak peramban modern dan terkirim lintas situs."
                ),
                format!(
                    "Session cookie {n} uses SameSite=None without Secure: rejected by modern browsers and sent cross-site."
                ),
            ),
            Some("none") => push(
                "session.cookie.samesite",
                true,
                format!(
                    "Cookie sesi {n} memakai SameSite=None sehingga ikut terkirim pada permintaan lintas situs (risiko CSRF); gunakan Lax atau Strict."
                ),
                format!(
                    "Session cookie {n} uses SameSite=None, so it is sent on cross-site requests (CSRF risk); use Lax or Strict."
                ),
            ),
            Some(other) => push(
                "session.cookie.samesite",
                true,
                format!("Cookie sesi {n} memakai nilai SameSite tidak sah '{other}'."),
                format!("Session cookie {n} has an invalid SameSite value '{other}'."),
            ),
            None => push(
                "session.cookie.samesite",
                true,
                format!(
                    "Cookie sesi {n} tidak menetapkan SameSite; perlindungan CSRF bergantung pada bawaan peramban."
                ),
                format!(
                    "Session cookie {n} sets no SameSite attribute; CSRF protection depends on browser defaults."
                ),
            ),
        }

        let lower = n.to_ascii_lowercase();
        if lower.starts_with("__host-") {
            let ok = c.secure && c.domain.is_none() && c.path.as_deref() == Some("/");
            push(
                "session.cookie.prefix",
                !ok,
                if ok {
                    format!("Cookie sesi {n} memakai awalan __Host- dengan atribut yang benar.")
                } else {
                    format!(
                        "Cookie sesi {n} memakai awalan __Host- tetapi melanggar aturannya (wajib Secure, Path=/, tanpa Domain), sehingga peramban menolaknya."
                    )
                },
                if ok {
                    format!("Session cookie {n} uses the __Host- prefix correctly.")
                } else {
                    format!(
                        "Session cookie {n} uses the __Host- prefix but breaks its rules (Secure, Path=/, no Domain required), so browsers reject it."
                    )
                },
            );
        } else if lower.starts_with("__secure-") {
            push(
                "session.cookie.prefix",
                !c.secure,
                if c.secure {
                    format!("Cookie sesi {n} memakai awalan __Secure-.")
                } else {
                    format!(
                        "Cookie sesi {n} memakai awalan __Secure- tanpa atribut Secure, sehingga peramban menolaknya."
                    )
                },
                if c.secure {
                    format!("Session cookie {n} uses the __Secure- prefix.")
                } else {
                    format!(
                        "Session cookie {n} uses the __Secure- prefix without Secure, so browsers reject it."
                    )
                },
            );
        } else {
            push(
                "session.cookie.prefix",
                true,
                format!(
                    "Cookie sesi {n} tidak memakai awalan __Host- atau __Secure-, sehingga dapat ditimpa dari subdomain atau koneksi tanpa enkripsi."
                ),
                format!(
                    "Session cookie {n} has neither the __Host- nor the __Secure- prefix, so it can be overwritten from a subdomain or an unencrypted connection."
                ),
            );
        }

        match &c.domain {
            None => push(
                "session.cookie.domain",
                false,
                format!("Cookie sesi {n} tidak menetapkan Domain (hanya untuk host ini)."),
                format!("Session cookie {n} sets no Domain (host-only)."),
            ),
            Some(d) if d == &host => push(
                "session.cookie.domain",
                false,
                format!(
                    "Cookie sesi {n} memakai Domain={d}, sama dengan host; cookie juga terkirim ke subdomain {d}."
                ),
                format!(
                    "Session cookie {n} has Domain={d}, equal to the host; it is also sent to subdomains of {d}."
                ),
            ),
            Some(d) if host.ends_with(&format!(".{d}")) => push(
                "session.cookie.domain",
                true,
                format!(
                    "Cookie sesi {n} memakai Domain={d} yang lebih luas dari host {host}: cookie terkirim ke semua aplikasi lain di bawah {d}."
                ),
                format!(
                    "Session cookie {n} has Domain={d}, broader than the host {host}: it is sent to every other application under {d}."
                ),
            ),
            Some(d) => push(
                "session.cookie.domain",
                true,
                format!("Cookie sesi {n} memakai Domain={d} yang tidak cocok dengan host {host}."),
                format!("Session cookie {n} has Domain={d}, which does not match the host {host}."),
            ),
        }

        match c.lifetime_secs(now_unix) {
            Some(l) if l > MAX_SESSION_LIFETIME_SECS => push(
                "session.cookie.persistent",
                true,
                format!(
                    "Cookie sesi {n} bersifat persisten selama {} jam, sehingga sesi bertahan setelah peramban ditutup.",
                    l / 3600
                ),
                format!(
                    "Session cookie {n} persists for {} hours, so the session survives closing the browser.",
                    l / 3600
                ),
            ),
            Some(l) => push(
                "session.cookie.persistent",
                false,
                format!(
                    "Cookie sesi {n} berlaku {l} detik (tidak melebihi {} jam).",
                    MAX_SESSION_LIFETIME_SECS / 3600
                ),
                format!(
                    "Session cookie {n} lives {l} seconds (within {} hours).",
                    MAX_SESSION_LIFETIME_SECS / 3600
                ),
            ),
            None => push(
                "session.cookie.persistent",
                false,
                format!("Cookie sesi {n} tidak persisten (hilang saat peramban ditutup)."),
                format!("Session cookie {n} is not persistent (gone when the browser closes)."),
            ),
        }
    }
    out
}

/// The first in-page link that looks like a login page.
pub(crate) fn login_link(r: &Response) -> Option<url::Url> {
    let ct = r.header("content-type").unwrap_or("");
    if !ct.contains("html") {
        return None;
    }
    let text = r.text();
    let lower = text.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(i) = lower[pos..].find("href=") {
        let start = pos + i + 5;
        let quote = lower.as_bytes().get(start).copied();
        let (s, end_char) = match quote {
            Some(b'"') => (start + 1, '"'),
            Some(b'\'') => (start + 1, '\''),
            _ => (start, ' '),
        };
        let end = lower[s..]
            .find([end_char, '>'])
            .map_or(lower.len(), |e| s + e);
        let href = &text[s..end];
        let h = href.to_ascii_lowercase();
        if ["login", "signin", "sign-in", "masuk", "auth"]
            .iter()
            .any(|k| h.contains(k))
        {
            return r.url.join(href).ok();
        }
        pos = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn resp(url: &str, cookies: &[&str]) -> Response {
        Response {
            method: "GET".into(),
            url: url::Url::parse(url).expect("url"),
            status: 200,
            headers: cookies
                .iter()
                .map(|c| ("set-cookie".to_string(), c.to_string()))
                .collect(),
            body: Vec::new(),
            truncated: false,
            elapsed: Duration::ZERO,
        }
    }

    fn status_of(obs: &[Observation], item: &str) -> Vec<&'static str> {
        obs.iter()
            .filter(|o| o.item_id == item)
            .map(|o| o.outcome.status())
            .collect()
    }

    #[test]
    fn hardened_session_cookie_passes_every_item() {
        let r = resp(
            "https://app.example.go.id/",
            &[
                "__Host-SID=4f9c2a7e1b3d5f60a8c7e9b1d3f5a7c9; Path=/; Secure; HttpOnly; SameSite=Lax",
                "lang=id; Max-Age=31536000",
            ],
        );
        let obs = judge(&[r], 0);
        assert_eq!(obs.len(), ITEMS.len(), "only the session cookie is judged");
        assert!(obs.iter().all(|o| o.outcome == Outcome::Pass), "{obs:#?}");
    }

    #[test]
    fn each_flaw_fails_its_own_item() {
        let r = resp(
            "https://app.example.go.id/",
            &["PHPSESSID=abc; Domain=example.go.id; Max-Age=2592000; SameSite=None"],
        );
        let obs = judge(&[r], 0);
        for item in ITEMS {
            assert_eq!(status_of(&obs, item), vec!["fail"], "{item}");
        }
        // The value never reaches evidence.
        let json = serde_json::to_string(&obs).expect("json");
        assert!(!json.contains("PHPSESSID=abc"), "{json}");
    }

    #[test]
    fn broken_host_prefix_is_a_failure() {
        let r = resp(
            "https://a.example.go.id/",
            &["__Host-SID=x; Path=/app; Secure; HttpOnly; SameSite=Lax"],
        );
        assert_eq!(
            status_of(&judge(&[r], 0), "session.cookie.prefix"),
            vec!["fail"]
        );
    }

    #[test]
    fn no_session_cookie_is_inconclusive_not_pass() {
        let r = resp("https://a.example.go.id/", &["lang=id", "theme=dark"]);
        let obs = judge(&[r], 0);
        assert!(obs.iter().all(|o| o.outcome.status() == "inconclusive"));
    }

    #[test]
    fn short_lived_session_cookie_is_accepted() {
        let r = resp(
            "https://a.example.go.id/",
            &["sid=0123456789abcdef0123; Max-Age=1800; Secure; HttpOnly; SameSite=Strict; Path=/"],
        );
        assert_eq!(
            status_of(&judge(&[r], 0), "session.cookie.persistent"),
            vec!["pass"]
        );
    }

    #[test]
    fn login_link_is_found() {
        let mut r = resp("https://a.example.go.id/home/", &[]);
        r.headers.push(("content-type".into(), "text/html".into()));
        r.body = br#"<a href="/about">Tentang</a> <a class=x href='masuk.php'>Masuk</a>"#.to_vec();
        assert_eq!(
            login_link(&r).map(|u| u.to_string()).as_deref(),
            Some("https://a.example.go.id/home/masuk.php")
        );
    }
}
