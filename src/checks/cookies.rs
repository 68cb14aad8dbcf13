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

/// Judges the attributes of every cookie inferred to be a session cookie.
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
            let mut responses: Vec<Response> = landing.all().cloned().collect();
            // Many applications set the session cookie only on the login page.
            if let Some(login) = login_link(&landing.response)
                && ctx.http.scope().allows(&login)
                && login != landing.response.url
                && let Ok(ex) = ctx.http.get(&login).await
            {
                responses.extend(ex.all().cloned());
            }
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            Ok(judge(&responses, now))
        })
    }
}

/// Pure judgement over the responses fetched (kept separate so it is testable offline).
pub fn judge(responses: &[Response], now_unix: i64) -> Vec<Observation> {
    let mut seen: Vec<(SetCookie, &Response, Option<String>)> = Vec::new();
    for r in responses {
        for h in r.headers_named("set-cookie") {
            let Some(c) = SetCookie::parse(h) else {
                continue;
            };
            if c.is_deletion_at(now_unix) || seen.iter().any(|(s, _, _)| s.name == c.name) {
                continue;
            }
            let why = session_reason(&c);
            seen.push((c, r, why));
        }
    }
    let inventory: Vec<_> = seen
        .iter()
        .map(|(c, r, why)| {
            json!({"name": c.name, "url": r.url.as_str(), "session": why.is_some(), "reason": why})
        })
        .collect();
    let sessions: Vec<_> = seen.iter().filter(|(_, _, why)| why.is_some()).collect();
    if sessions.is_empty() {
        return ITEMS
            .iter()
            .map(|item| {
                Observation::new(
                    item,
                    Outcome::inconclusive(
                        "Tidak ada cookie sesi yang teramati pada halaman yang diambil; cookie sesi mungkin baru diberikan setelah login (konfigurasikan profil autentikasi).",
                        "No session cookie was observed on the pages fetched; it may only be set after login (configure an authentication profile).",
                    ),
                    Text::new("Cookie sesi tidak teramati.", "No session cookie observed."),
                )
                .with_figures(json!({"cookies": inventory}))
            })
            .collect();
    }
    let mut out = Vec::new();
    for (c, r, why) in sessions {
        let host = r.url.host_str().unwrap_or("").to_ascii_lowercase();
        let https = r.url.scheme() == "https";
        let raw = r
            .headers_named("set-cookie")
            .find(|h| SetCookie::parse(h).is_some_and(|p| p.name == c.name))
            .unwrap_or("");
        let evidence = r.evidence(Some(format!(
            "Set-Cookie {}: {}",
            c.name,
            crate::net::evidence::redact_response_header("set-cookie", raw)
        )));
        let figures = json!({
            "cookie": c, "session_reason": why, "https": https, "host": host,
        });
        let mut push = |item: &str, fail: bool, id: String, en: String| {
            out.push(
                Observation::new(
                    item,
                    if fail { Outcome::Fail } else { Outcome::Pass },
                    Text::new(id, en),
                )
                .at(format!("cookie:{}", c.name))
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
