//! What a browser adds when a page submits a form or its scripts call the application:
//! `Origin`, `Referer`, and the anti-CSRF header a framework's scripts copy from its cookie or
//! meta tag (double-submit). CSRF middleware refuses logins and logouts without them.

use super::login::Jar;
use serde::Deserialize;
use url::Url;

/// A cookie or meta tag whose value a framework's scripts echo in a request header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Echo {
    /// Cookie name (case-sensitive) or meta `name`.
    pub name: String,
    /// Header that carries the value.
    pub header: String,
}

/// The anti-CSRF conventions (data: `checklists/signatures/csrf.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsrfConventions {
    /// Double-submit cookies.
    #[serde(default)]
    pub cookie: Vec<Echo>,
    /// Meta tags holding the token.
    #[serde(default)]
    pub meta: Vec<Echo>,
}

impl CsrfConventions {
    /// The built-in list.
    pub fn builtin() -> Result<CsrfConventions, String> {
        toml::from_str(include_str!("../../checklists/signatures/csrf.toml"))
            .map_err(|e| format!("checklists/signatures/csrf.toml: {e}"))
    }
}

/// The `Origin` a browser writes for a page (`scheme://host[:port]`).
pub fn origin(page: &Url) -> String {
    page.origin().ascii_serialization()
}

/// Headers a browser sends when `page` (showing `html`) submits a request while holding `jar`:
/// `Origin`, `Referer` (without fragment) and the double-submit headers the conventions name.
pub fn headers(page: &Url, html: &str, jar: &Jar) -> Vec<(String, String)> {
    let mut referer = page.clone();
    referer.set_fragment(None);
    let mut out = vec![
        ("origin".to_string(), origin(page)),
        ("referer".to_string(), referer.to_string()),
    ];
    // The list is compiled in and tested; a broken edit shows in the unit tests.
    let Ok(conv) = CsrfConventions::builtin() else {
        return out;
    };
    let mut add = |header: &str, value: String| {
        if !value.is_empty() && !out.iter().any(|(n, _)| n.eq_ignore_ascii_case(header)) {
            out.push((header.to_ascii_lowercase(), value));
        }
    };
    for e in &conv.cookie {
        if let Some(v) = jar.get(&e.name) {
            add(&e.header, percent_decode(v));
        }
    }
    if !conv.meta.is_empty() && html.contains("<meta") {
        let doc = crate::crawl::html::parse(html);
        for e in &conv.meta {
            let Ok(sel) = scraper::Selector::parse(&format!("meta[name=\"{}\"]", e.name)) else {
                continue;
            };
            if let Some(v) = doc
                .select(&sel)
                .find_map(|m| m.value().attr("content"))
                .map(str::trim)
            {
                add(&e.header, v.to_string());
            }
        }
    }
    out
}

/// `%XX` sequences decoded (scripts read cookies with `decodeURIComponent`); invalid ones kept.
pub fn percent_decode(s: &str) -> String {
    // The form decoder would read `+` as a space and stop at `&`: keep both literal.
    let escaped = format!("x={}", s.replace('+', "%2B").replace('&', "%26"));
    url::form_urlencoded::parse(escaped.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions_load() {
        let c = CsrfConventions::builtin().expect("data");
        assert!(c.cookie.iter().any(|e| e.name == "XSRF-TOKEN"));
        assert!(c.meta.iter().any(|e| e.name == "csrf-token"));
    }

    #[test]
    fn browser_headers_echo_csrf_cookie_and_meta() {
        let page = Url::parse("https://app.example.go.id:8443/masuk?next=/#form").expect("url");
        let mut jar = Jar::default();
        jar.set("XSRF-TOKEN", "eyJpdiI6%3D%3D");
        jar.set("csrftoken", "dj4ng0");
        let html = r#"<head><meta name="csrf-token" content=" r4ils "></head>"#;
        let h = headers(&page, html, &jar);
        let get = |n: &str| {
            h.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        assert_eq!(get("origin"), "https://app.example.go.id:8443");
        assert_eq!(
            get("referer"),
            "https://app.example.go.id:8443/masuk?next=/"
        );
        assert_eq!(get("x-xsrf-token"), "eyJpdiI6==");
        assert_eq!(get("x-csrftoken"), "dj4ng0");
        assert_eq!(get("x-csrf-token"), "r4ils");
        let plain = headers(&page, "<p>x</p>", &Jar::default());
        assert_eq!(plain.len(), 2, "{plain:?}");
    }

    #[test]
    fn percent_decoding_keeps_invalid_sequences() {
        assert_eq!(percent_decode("a%2Fb%zz%4+c&d"), "a/b%zz%4+c&d");
    }
}
