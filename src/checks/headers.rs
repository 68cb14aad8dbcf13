//! Security response headers (HSTS, CSP, nosniff, framing, referrer) and version banners.

use super::{Check, CheckError, Context, Observation};
use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::Response;
use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::json;
use std::sync::OnceLock;

/// Minimum HSTS max-age: one year (ASVS 5.0 3.4.1).
pub const HSTS_MIN_AGE: u64 = 31_536_000;

const ITEMS: &[&str] = &[
    "headers.hsts",
    "headers.csp",
    "headers.content-type-options",
    "headers.frame-options",
    "headers.referrer-policy",
    "headers.version-disclosure",
];

/// Judges the security headers of the landing page.
pub struct HeaderCheck;

impl Check for HeaderCheck {
    fn name(&self) -> &'static str {
        "headers"
    }

    fn items(&self) -> &'static [&'static str] {
        ITEMS
    }

    fn run<'a>(&'a self, ctx: &'a Context) -> BoxFuture<'a, Result<Vec<Observation>, CheckError>> {
        Box::pin(async move {
            let landing = ctx.landing().await?;
            let r = &landing.response;
            if (300..400).contains(&r.status) {
                return Err(CheckError::Unusable(format!(
                    "halaman awal mengalihkan ke luar cakupan ({}) / the landing page redirects out of scope",
                    landing.blocked_redirect.as_deref().unwrap_or("?")
                )));
            }
            judge(r)
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BannerFile {
    header: Vec<Banner>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Banner {
    name: String,
    when: BannerWhen,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum BannerWhen {
    Version,
    Any,
}

fn banners() -> Result<&'static [Banner], CheckError> {
    static B: OnceLock<Result<Vec<Banner>, String>> = OnceLock::new();
    B.get_or_init(|| {
        toml::from_str::<BannerFile>(include_str!(
            "../../checklists/signatures/version-headers.toml"
        ))
        .map(|f| f.header)
        .map_err(|e| format!("checklists/signatures/version-headers.toml: {e}"))
    })
    .as_deref()
    .map_err(|e| CheckError::Unusable(e.clone()))
}

/// Pure judgement of one response's headers.
pub fn judge(r: &Response) -> Result<Vec<Observation>, CheckError> {
    let ev = || r.evidence(None);
    let obs = |item: &str, fail: bool, id: String, en: String| {
        Observation::new(
            item,
            if fail { Outcome::Fail } else { Outcome::Pass },
            Text::new(id, en),
        )
        .with_evidence(ev())
    };
    let mut out = Vec::new();
    let https = r.url.scheme() == "https";

    // HSTS only means something over HTTPS; browsers ignore it on plain HTTP.
    let hsts = r.header("strict-transport-security");
    out.push(match (https, hsts) {
        (false, _) => obs("headers.hsts", true, "Aplikasi dilayani melalui HTTP tanpa enkripsi; HSTS tidak dapat berlaku.".into(), "The application is served over plain HTTP; HSTS cannot apply.".into()),
        (true, None) => obs("headers.hsts", true, "Header Strict-Transport-Security tidak ada.".into(), "The Strict-Transport-Security header is missing.".into()),
        (true, Some(v)) => {
            let p = parse_hsts(v);
            let f = json!({"max_age": p.max_age, "include_subdomains": p.include_subdomains, "preload": p.preload});
            match p.max_age {
                Some(a) if a >= HSTS_MIN_AGE => obs("headers.hsts", false,
                    format!("HSTS aktif dengan max-age={a}{}.", if p.include_subdomains { " dan includeSubDomains" } else { " (tanpa includeSubDomains)" }),
                    format!("HSTS is on with max-age={a}{}.", if p.include_subdomains { " and includeSubDomains" } else { " (without includeSubDomains)" })),
                Some(a) => obs("headers.hsts", true, format!("max-age HSTS hanya {a} detik; minimal satu tahun ({HSTS_MIN_AGE})."), format!("HSTS max-age is only {a} seconds; at least one year ({HSTS_MIN_AGE}) is required.")),
                None => obs("headers.hsts", true, format!("Header HSTS tidak sah: '{v}'."), format!("Invalid HSTS header: '{v}'.")),
            }
            .with_figures(f)
        }
    });

    let csp = r.header("content-security-policy");
    let csp_ro = r.header("content-security-policy-report-only");
    out.push(match csp {
        None if csp_ro.is_some() => obs(
            "headers.csp",
            true,
            "Hanya Content-Security-Policy-Report-Only yang dikirim; kebijakan tidak ditegakkan."
                .into(),
            "Only Content-Security-Policy-Report-Only is sent; the policy is not enforced.".into(),
        ),
        None => obs(
            "headers.csp",
            true,
            "Header Content-Security-Policy tidak ada.".into(),
            "The Content-Security-Policy header is missing.".into(),
        ),
        Some(v) => {
            let weak = weak_csp(v);
            if weak.is_empty() {
                obs(
                    "headers.csp",
                    false,
                    "Content-Security-Policy membatasi sumber skrip.".into(),
                    "Content-Security-Policy restricts script sources.".into(),
                )
            } else {
                obs(
                    "headers.csp",
                    true,
                    format!("Content-Security-Policy lemah: {}.", weak.join("; ")),
                    format!("Weak Content-Security-Policy: {}.", weak.join("; ")),
                )
            }
            .with_figures(json!({"policy": v, "weaknesses": weak}))
        }
    });

    let nosniff = r.header("x-content-type-options").map(str::trim);
    let ok = nosniff.is_some_and(|v| v.eq_ignore_ascii_case("nosniff"));
    out.push(obs(
        "headers.content-type-options",
        !ok,
        if ok {
            "X-Content-Type-Options: nosniff dikirim.".into()
        } else {
            "X-Content-Type-Options: nosniff tidak dikirim; peramban dapat menebak tipe konten."
                .into()
        },
        if ok {
            "X-Content-Type-Options: nosniff is sent.".into()
        } else {
            "X-Content-Type-Options: nosniff is not sent; browsers may sniff content types.".into()
        },
    ));

    let xfo = r
        .header("x-frame-options")
        .map(|v| v.trim().to_ascii_uppercase());
    let fa = csp.and_then(|c| directive(c, "frame-ancestors"));
    let framing_ok = matches!(xfo.as_deref(), Some("DENY") | Some("SAMEORIGIN"))
        || fa.as_deref().is_some_and(|v| {
            !v.split_whitespace()
                .any(|s| s == "*" || s == "http:" || s == "https:")
        });
    out.push(obs("headers.frame-options", !framing_ok,
        if framing_ok { "Halaman tidak dapat dibingkai situs lain (X-Frame-Options atau CSP frame-ancestors).".into() } else { "Tidak ada X-Frame-Options DENY/SAMEORIGIN maupun CSP frame-ancestors; halaman dapat dibingkai untuk clickjacking.".into() },
        if framing_ok { "The page cannot be framed by other sites (X-Frame-Options or CSP frame-ancestors).".into() } else { "Neither X-Frame-Options DENY/SAMEORIGIN nor CSP frame-ancestors is set; the page can be framed for clickjacking.".into() }));

    let rp = r
        .header("referrer-policy")
        .map(|v| v.trim().to_ascii_lowercase());
    // The last valid token wins in browsers; judge that one.
    let effective = rp.as_deref().and_then(|v| {
        v.split(',')
            .map(str::trim)
            .rfind(|t| !t.is_empty())
            .map(str::to_string)
    });
    let safe = matches!(
        effective.as_deref(),
        Some("no-referrer" | "same-origin" | "strict-origin" | "strict-origin-when-cross-origin")
    );
    out.push(obs(
        "headers.referrer-policy",
        !safe,
        match &effective {
            Some(v) if safe => format!("Referrer-Policy: {v}."),
            Some(v) => format!("Referrer-Policy '{v}' membocorkan URL lengkap ke situs lain."),
            None => "Header Referrer-Policy tidak ada.".into(),
        },
        match &effective {
            Some(v) if safe => format!("Referrer-Policy: {v}."),
            Some(v) => format!("Referrer-Policy '{v}' leaks full URLs to other sites."),
            None => "The Referrer-Policy header is missing.".into(),
        },
    ));

    let mut disclosed = Vec::new();
    for b in banners()? {
        for v in r.headers_named(&b.name) {
            if b.when == BannerWhen::Any || has_version(v) {
                disclosed.push(format!("{}: {v}", b.name));
            }
        }
    }
    if let Some(g) = meta_generator(&r.text()).filter(|g| has_version(g)) {
        disclosed.push(format!("<meta name=\"generator\" content=\"{g}\">"));
    }
    out.push(
        obs(
            "headers.version-disclosure",
            !disclosed.is_empty(),
            if disclosed.is_empty() {
                "Tidak ada versi perangkat lunak yang diungkapkan pada header.".into()
            } else {
                format!(
                    "Versi perangkat lunak diungkapkan: {}.",
                    disclosed.join(", ")
                )
            },
            if disclosed.is_empty() {
                "No software version is disclosed in the headers.".into()
            } else {
                format!("Software versions are disclosed: {}.", disclosed.join(", "))
            },
        )
        .with_figures(json!({"disclosed": disclosed})),
    );
    Ok(out)
}

struct Hsts {
    max_age: Option<u64>,
    include_subdomains: bool,
    preload: bool,
}

fn parse_hsts(v: &str) -> Hsts {
    let mut h = Hsts {
        max_age: None,
        include_subdomains: false,
        preload: false,
    };
    for d in v.split(';').map(str::trim) {
        let lower = d.to_ascii_lowercase();
        if let Some(a) = lower.strip_prefix("max-age") {
            h.max_age = a
                .trim_start()
                .strip_prefix('=')
                .and_then(|x| x.trim().trim_matches('"').parse().ok());
        } else if lower == "includesubdomains" {
            h.include_subdomains = true;
        } else if lower == "preload" {
            h.preload = true;
        }
    }
    h
}

fn directive(csp: &str, name: &str) -> Option<String> {
    csp.split(';').map(str::trim).find_map(|d| {
        let mut it = d.splitn(2, char::is_whitespace);
        let n = it.next()?;
        n.eq_ignore_ascii_case(name)
            .then(|| it.next().unwrap_or("").trim().to_ascii_lowercase())
    })
}

/// Weaknesses that leave script injection open despite a CSP.
fn weak_csp(csp: &str) -> Vec<String> {
    let mut w = Vec::new();
    let Some(scripts) = directive(csp, "script-src").or_else(|| directive(csp, "default-src"))
    else {
        w.push("tidak ada script-src/default-src (no script-src or default-src)".to_string());
        return w;
    };
    let tokens: Vec<&str> = scripts.split_whitespace().collect();
    let has_nonce_or_hash = tokens
        .iter()
        .any(|t| t.starts_with("'nonce-") || t.starts_with("'sha"));
    if tokens.contains(&"'unsafe-inline'")
        && !has_nonce_or_hash
        && !tokens.contains(&"'strict-dynamic'")
    {
        w.push("'unsafe-inline' pada skrip (in script sources)".to_string());
    }
    if tokens.contains(&"'unsafe-eval'") {
        w.push("'unsafe-eval'".to_string());
    }
    if tokens
        .iter()
        .any(|t| *t == "*" || *t == "http:" || *t == "https:" || *t == "data:")
    {
        w.push("sumber skrip wildcard (wildcard script source)".to_string());
    }
    w
}

fn has_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
        || v.split(['/', ' '])
            .nth(1)
            .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_digit()))
}

fn meta_generator(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let i = lower
        .find("name=\"generator\"")
        .or_else(|| lower.find("name='generator'"))?;
    let tag_start = lower[..i].rfind('<')?;
    let tag_end = i + lower[i..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let c = tag.to_ascii_lowercase().find("content=")? + 8;
    let rest = &tag[c..];
    let q = rest.chars().next()?;
    let inner = rest.get(1..)?;
    Some(inner[..inner.find(q)?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn resp(url: &str, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            method: "GET".into(),
            url: url::Url::parse(url).expect("url"),
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: Duration::ZERO,
        }
    }

    fn status(obs: &[Observation], item: &str) -> &'static str {
        obs.iter()
            .find(|o| o.item_id == item)
            .map_or("missing", |o| o.outcome.status())
    }

    const HARD: &[(&str, &str)] = &[
        (
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        ),
        (
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'; object-src 'none'",
        ),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("server", "nginx"),
    ];

    #[test]
    fn hardened_headers_pass() {
        let obs = judge(&resp("https://a.example.go.id/", HARD, "<html></html>")).expect("judge");
        for item in ITEMS {
            assert_eq!(status(&obs, item), "pass", "{item}: {obs:#?}");
        }
    }

    #[test]
    fn missing_headers_and_banners_fail() {
        let obs = judge(&resp(
            "https://a.example.go.id/",
            &[
                ("server", "Apache/2.4.41 (Ubuntu)"),
                ("x-powered-by", "PHP/7.4.3"),
            ],
            "",
        ))
        .expect("judge");
        for item in ITEMS {
            assert_eq!(status(&obs, item), "fail", "{item}");
        }
        let v = obs
            .iter()
            .find(|o| o.item_id == "headers.version-disclosure")
            .expect("item");
        assert!(v.summary.en.contains("Apache/2.4.41") && v.summary.en.contains("PHP/7.4.3"));
    }

    #[test]
    fn weak_values_fail() {
        let obs = judge(&resp(
            "https://a.example.go.id/",
            &[
                ("strict-transport-security", "max-age=3600"),
                ("content-security-policy", "default-src * 'unsafe-inline'"),
                ("x-frame-options", "ALLOW-FROM https://x"),
                ("referrer-policy", "unsafe-url"),
            ],
            "",
        ))
        .expect("judge");
        for item in [
            "headers.hsts",
            "headers.csp",
            "headers.frame-options",
            "headers.referrer-policy",
        ] {
            assert_eq!(status(&obs, item), "fail", "{item}");
        }
    }

    #[test]
    fn nonce_based_csp_with_unsafe_inline_fallback_is_fine() {
        assert!(
            weak_csp("script-src 'nonce-abc' 'unsafe-inline' 'strict-dynamic'; object-src 'none'")
                .is_empty()
        );
    }

    #[test]
    fn hsts_over_plain_http_is_a_failure() {
        let obs = judge(&resp("http://a.example.go.id/", HARD, "")).expect("judge");
        assert_eq!(status(&obs, "headers.hsts"), "fail");
    }

    #[test]
    fn generator_meta_with_version_is_disclosure() {
        let obs = judge(&resp(
            "https://a.example.go.id/",
            HARD,
            "<head><meta name=\"generator\" content=\"WordPress 6.4.2\"></head>",
        ))
        .expect("judge");
        assert_eq!(status(&obs, "headers.version-disclosure"), "fail");
    }

    #[test]
    fn banner_data_file_parses() {
        assert!(banners().expect("banners").len() >= 5);
    }
}
