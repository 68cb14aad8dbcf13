//! URL helpers shared by the planners: request keys, static assets, logout links, path patterns
//! and redirect targets.

use url::Url;

/// Query parameters whose values change on every page view (CSRF tokens, cache busters, session
/// ids, tracking tags); their values are ignored when requests are compared.
const VOLATILE_PARAMS: &[&str] = &[
    "_",
    "_t",
    "_dc",
    "t",
    "ts",
    "time",
    "timestamp",
    "nocache",
    "cachebuster",
    "cb",
    "rand",
    "random",
    "nonce",
    "v",
    "ver",
    "token",
    "_token",
    "authenticity_token",
    "csrfmiddlewaretoken",
    "__requestverificationtoken",
    "__viewstate",
    "__viewstategenerator",
    "__eventvalidation",
    "phpsessid",
    "jsessionid",
    "aspsessionid",
    "sid",
    "sessionid",
    "session_id",
    "state",
    "fbclid",
    "gclid",
];

/// File extensions of static assets: never worth replaying, never access-controlled content.
const STATIC_EXTENSIONS: &[&str] = &[
    "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "bmp",
    "tif", "tiff", "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "ogg", "wav", "m4a",
    "mov",
];

/// True when a query parameter's value is volatile (compared by name only).
pub fn is_volatile_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    VOLATILE_PARAMS.contains(&n.as_str())
        || n.contains("csrf")
        || n.contains("xsrf")
        || n.starts_with("utm_")
}

/// A comparison key for a request: upper-case method and the URL without fragment, with query
/// parameters sorted, volatile parameter values blanked and `;jsessionid=` path parameters
/// dropped. `None` for unparseable or non-HTTP URLs.
pub fn request_key(method: &str, url: &str) -> Option<String> {
    let parsed = Url::parse(url.trim()).ok()?;
    Some(format!(
        "{} {}",
        method.trim().to_ascii_uppercase(),
        normalise(&parsed)?
    ))
}

/// The normalised form of an HTTP(S) URL used by [`request_key`].
pub fn normalise(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut u = url.clone();
    u.set_fragment(None);
    let path = strip_session_path_param(u.path());
    u.set_path(&path);
    let mut pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_volatile_param(&k) {
                String::new()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    if pairs.is_empty() {
        u.set_query(None);
    } else {
        pairs.sort();
        pairs.dedup();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    Some(u.to_string())
}

/// Removes every `;jsessionid=...` (Java servlet session ids carried in the path), so a key
/// never depends on which segment carried the id.
fn strip_session_path_param(path: &str) -> String {
    let mut out = path.to_string();
    while let Some(start) = out.to_ascii_lowercase().find(";jsessionid=") {
        let end = out[start..].find('/').map_or(out.len(), |p| start + p);
        out.replace_range(start..end, "");
    }
    out
}

/// True for static assets (style sheets, scripts, images, fonts, media), by file extension.
pub fn is_static_asset(url: &Url) -> bool {
    let last = url.path().rsplit('/').next().unwrap_or_default();
    last.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && STATIC_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// True for logout links (`/logout`, `/keluar`, `?action=signout`, `/auth/log-out`): replaying
/// them would end the session being tested. Word-based, so `/data/keluarga` (family data) is
/// not a logout link.
pub fn is_logout(url: &Url) -> bool {
    let text = format!("{} {}", url.path(), url.query().unwrap_or_default()).to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    const SINGLE: &[&str] = &["logout", "logoff", "signout", "keluar", "signoff"];
    const PAIRS: &[(&str, &str)] = &[("log", "out"), ("sign", "out"), ("log", "off")];
    words.iter().any(|w| SINGLE.contains(w))
        || words
            .windows(2)
            .any(|p| matches!(p, [a, b] if PAIRS.contains(&(*a, *b))))
}

/// True when `path` matches `pattern`: a glob when the pattern contains `*` (which matches any
/// run of characters, `/` included), otherwise a path prefix ending on a segment boundary
/// (`/admin` matches `/admin`, `/admin/` and `/admin/users`, not `/administrator`).
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return false;
    }
    if pattern.contains('*') {
        return glob(pattern.as_bytes(), path.as_bytes());
    }
    match path.strip_prefix(pattern) {
        Some(rest) => rest.is_empty() || pattern.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

/// Wildcard match with `*` only; linear backtracking on the last star.
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match (p.get(pi), s.get(si)) {
            (Some(b'*'), _) => {
                star = Some((pi, si));
                pi += 1;
            }
            (Some(a), Some(b)) if a == b => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).unwrap_or_default().iter().all(|&c| c == b'*')
}

/// A `Location` header resolved to an absolute URL (relative values against `base`, or against
/// a placeholder origin when no base is known).
pub fn resolve_location(location: &str, base: Option<&Url>) -> Option<Url> {
    let location = location.trim();
    if location.is_empty() {
        return None;
    }
    match base {
        Some(b) => b.join(location).ok(),
        None => Url::parse("http://kawal.invalid/")
            .ok()?
            .join(location)
            .ok(),
    }
}

/// The path and query of a `Location` header, normalised like [`request_key`], for comparing
/// two redirects regardless of host spelling and volatile parameters.
pub fn location_key(location: &str) -> Option<String> {
    let u = resolve_location(location, None)?;
    let n = normalise(&u)?;
    let parsed = Url::parse(&n).ok()?;
    let mut out = parsed.path().to_string();
    if let Some(q) = parsed.query() {
        out.push('?');
        out.push_str(q);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn keys_ignore_fragment_order_and_volatile_values() {
        let a = request_key("get", "https://app.example.go.id/a?b=2&a=1&_token=xyz#top").unwrap();
        let b = request_key("GET", "https://APP.example.go.id/a?a=1&_token=abc&b=2").unwrap();
        assert_eq!(a, b);
        let c = request_key("GET", "https://app.example.go.id/a?a=1&b=3").unwrap();
        assert_ne!(a, c);
        assert_ne!(
            request_key("POST", "https://app.example.go.id/a").unwrap(),
            request_key("GET", "https://app.example.go.id/a").unwrap()
        );
        assert_eq!(
            request_key("GET", "http://h/x;jsessionid=ABC123/y").unwrap(),
            "GET http://h/x/y"
        );
        assert!(request_key("GET", "not a url").is_none());
        assert!(request_key("GET", "ftp://h/x").is_none());
    }

    #[test]
    fn every_session_path_param_is_dropped_so_keys_are_stable() {
        // Found by the url_normalise fuzz target: only the first id was dropped, so the key of
        // a URL and the key of its own key differed.
        let once = normalise(&u("http://h/a;JSESSIONID=1/b;jsessionid=2;x=3?q=1")).unwrap();
        assert_eq!(once, "http://h/a/b?q=1");
        assert_eq!(normalise(&u(&once)).unwrap(), once);
    }

    #[test]
    fn logout_and_static() {
        assert!(is_logout(&u("https://h/logout")));
        assert!(is_logout(&u("https://h/auth/log-out")));
        assert!(is_logout(&u("https://h/index.php?r=site/Logout")));
        assert!(is_logout(&u("https://h/keluar")));
        assert!(is_logout(&u("https://h/user/SignOut")));
        assert!(!is_logout(&u("https://h/data/keluarga/12")));
        assert!(!is_logout(&u("https://h/catalog")));
        assert!(is_static_asset(&u("https://h/css/app.css?v=3")));
        assert!(is_static_asset(&u("https://h/img/logo.PNG")));
        assert!(!is_static_asset(&u("https://h/laporan/2024.pdf")));
        assert!(!is_static_asset(&u("https://h/.js")));
        assert!(!is_static_asset(&u("https://h/admin")));
    }

    #[test]
    fn patterns() {
        assert!(path_matches("/admin", "/admin"));
        assert!(path_matches("/admin", "/admin/users"));
        assert!(!path_matches("/admin", "/administrator"));
        assert!(path_matches("/admin/", "/admin/x"));
        assert!(path_matches("/api/*/delete", "/api/users/5/delete"));
        assert!(path_matches("/laporan/*.pdf", "/laporan/2024/q1.pdf"));
        assert!(!path_matches("/laporan/*.pdf", "/laporan/q1.xlsx"));
        assert!(path_matches("*", "/anything"));
        assert!(!path_matches("", "/x"));
        assert!(!path_matches("/a*b*c", &"a".repeat(5000)));
    }

    #[test]
    fn locations() {
        assert_eq!(
            location_key("/login?next=%2Fadmin").unwrap(),
            "/login?next=%2Fadmin"
        );
        assert_eq!(
            location_key("https://h.example.go.id/masuk").unwrap(),
            "/masuk"
        );
        assert_eq!(location_key("../x").unwrap(), "/x");
        assert!(location_key("").is_none());
        assert!(location_key("http://[::1").is_none());
    }
}
