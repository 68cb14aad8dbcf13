//! One entry function per fuzz target: it feeds bytes to a parser of hostile or user input and
//! asserts the parser's invariants. The fuzz targets (`fuzz/fuzz_targets/*.rs`) and the corpus
//! replay test (`tests/fuzz_corpus.rs`) both include this file, so they cannot drift apart.

use kawal::checks::setcookie::{self, SetCookie};
use url::Url;

/// Lossy text: a target may send any bytes, and every parser here reads text.
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// A `Set-Cookie` value for `c` that [`SetCookie::parse`] reads back as `c`.
pub fn set_cookie_header(c: &SetCookie) -> String {
    // Quotes keep whitespace at the value's edges, which the parser would otherwise trim.
    let value = if c.value.trim() != c.value {
        format!("\"{}\"", c.value)
    } else {
        c.value.clone()
    };
    let mut h = format!("{}={value}", c.name);
    let mut attr = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            h.push_str(&format!("; {k}={v}"));
        }
    };
    attr("Domain", c.domain.as_deref());
    attr("Path", c.path.as_deref());
    attr("Max-Age", c.max_age.map(|m| m.to_string()).as_deref());
    attr("Expires", c.expires.as_deref());
    attr("SameSite", c.same_site.as_deref());
    if c.secure {
        h.push_str("; Secure");
    }
    if c.http_only {
        h.push_str("; HttpOnly");
    }
    h
}

/// `Set-Cookie` lines (one header value per line): parse, infer session role and lifetime, and
/// check that a parsed cookie re-serialises to a header that parses back equal.
pub fn set_cookie(data: &[u8]) {
    for line in text(data).lines() {
        let Some(c) = SetCookie::parse(line) else {
            continue;
        };
        assert!(!c.name.is_empty(), "a parsed cookie has a name: {line:?}");
        let again = set_cookie_header(&c);
        assert_eq!(
            SetCookie::parse(&again).as_ref(),
            Some(&c),
            "{line:?} re-serialised as {again:?}"
        );
        let _ = setcookie::session_reason(&c);
        // Clocks from 1970 to 2100.
        for now in [0, 1_796_515_200, 4_102_444_800] {
            let _ = c.lifetime_secs(now);
            let _ = c.is_deletion_at(now);
        }
        if let Some(e) = &c.expires {
            let _ = setcookie::httpdate_to_unix(e);
        }
    }
}

/// A raw HTTP/1.x answer as read to EOF by the raw sender.
pub fn http_response(data: &[u8]) {
    let Ok((status, headers, body)) = kawal::net::raw::parse_response(data) else {
        return;
    };
    assert!((100..600).contains(&status), "status {status}");
    for (name, _) in &headers {
        assert_eq!(
            name,
            &name.trim().to_ascii_lowercase(),
            "header names are lowercase"
        );
    }
    assert!(
        body.len() <= data.len(),
        "the body is never larger than the answer"
    );
}

/// Page the HTML target resolves links against.
const PAGE: &str = "https://app.example.go.id/dir/page.php?x=1";

/// An HTML page (links, forms, scripts, title) and the text extractors that run beside it on a
/// crawl: `robots.txt`, sitemaps and URL strings in scripts.
pub fn html_extract(data: &[u8]) {
    use kawal::crawl::{extract, hints, html, textual};
    let page = Url::parse(PAGE).expect("fixed page URL");
    let t = text(data);
    let cut = html::within_depth(&t, html::MAX_DEPTH);
    assert!(t.starts_with(cut), "the depth cut is a prefix of the page");
    let ex = extract::extract(&page, &t);
    for u in ex.links.iter().chain(&ex.scripts).chain(&ex.resources) {
        assert!(matches!(u.scheme(), "http" | "https"), "{u}");
        assert!(u.fragment().is_none(), "{u}");
    }
    assert!(ex.links.len() <= extract::MAX_PER_PAGE);
    assert!(ex.scripts.len() <= extract::MAX_PER_PAGE);
    assert!(ex.resources.len() <= extract::MAX_PER_PAGE);
    assert!(ex.forms.len() <= extract::MAX_FORMS);
    for f in &ex.forms {
        assert!(f.fields.len() <= extract::MAX_FIELDS);
        assert!(Url::parse(&f.action).is_ok(), "form action {:?}", f.action);
    }
    let r = hints::robots(&t);
    assert!(r.paths.len() <= hints::MAX_HINTS);
    assert!(hints::sitemap_locs(&t).len() <= hints::MAX_HINTS);
    let named = textual::named_urls(&page, &t);
    assert!(named.len() <= textual::MAX_NAMED);
}

/// Base URL for a reference given without one.
const BASE: &str = "https://app.example.go.id/a/b/c?d=e";

/// URL normalisation: a reference resolved against a base (first line, when it parses), then
/// the crawl's scope check and pattern and the access check's request key. Normalising twice
/// gives the same key, and every URL is in the scope made from itself.
pub fn url_normalise(data: &[u8]) {
    let t = text(data);
    let (base, reference) = match t.split_once('\n') {
        Some((b, r)) => match Url::parse(b.trim()) {
            Ok(b) => (b, r),
            Err(_) => (Url::parse(BASE).expect("fixed base"), &*t),
        },
        None => (Url::parse(BASE).expect("fixed base"), &*t),
    };
    let extra: Vec<String> = reference.lines().skip(1).map(str::to_string).collect();
    let scope = kawal::net::Scope::new(&base, &extra);
    for raw in reference.lines().take(8) {
        let Ok(mut u) = base.join(raw.trim()) else {
            continue;
        };
        u.set_fragment(None);
        let allowed = scope.allows(&u);
        if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() {
            assert!(
                kawal::net::Scope::new(&u, &[]).allows(&u),
                "{u} in its own scope"
            );
        } else {
            assert!(!allowed, "{u} has no http(s) host yet is in scope");
        }
        let _ = kawal::crawl::pattern::pattern(&u);
        let Some(once) = kawal_access::urls::normalise(&u) else {
            continue;
        };
        let reparsed = Url::parse(&once).expect("a normalised URL parses");
        assert_eq!(
            kawal_access::urls::normalise(&reparsed).as_deref(),
            Some(once.as_str()),
            "normalising {u} is idempotent"
        );
        let _ = kawal_access::urls::request_key("get", raw);
        let _ = kawal_access::urls::is_logout(&u);
        let _ = kawal_access::urls::is_static_asset(&u);
    }
}

/// Tokens (one per line) through the entropy analysis: format detection (JWT, UUID,
/// connect.sid, Laravel, jvmRoute…), alignment, alphabet choice and the statistics.
pub fn token_decode(data: &[u8]) {
    use kawal_entropy::{Options, Token, decode};
    let tokens: Vec<Token> = text(data).lines().take(300).map(Token::new).collect();
    for t in &tokens {
        let _ = decode::base64_decode(&t.value);
    }
    let opts = Options {
        // The construction checks search 10^7 counters: seconds per input, not a parser.
        construction_checks: false,
        min_samples: 20,
        ..Options::default()
    };
    if let Ok(f) = decode::detect(&tokens, &opts) {
        assert!(f.constant_positions.iter().all(|&p| p < f.token_length));
        assert!(f.variable_positions + f.constant_positions.len() <= f.token_length);
    }
    let _ = kawal_entropy::analyse(&tokens, &opts);
}

/// The data files a user edits: checklist, policy, SOPs, letter templates, roles, messages,
/// error signatures and the forced-browsing wordlist. Syntax errors carry a line and column
/// inside the text.
pub fn checklist_toml(data: &[u8]) {
    let t = text(data);
    match kawal::checklist::Checklist::parse("fuzz.toml", &t) {
        Err(kawal::checklist::ChecklistError::Parse { line, column, .. }) => {
            assert_position(&t, line, column)
        }
        Err(_) => {}
        Ok(list) => {
            for item in &list.items {
                assert!(list.item(&item.id).is_some());
            }
        }
    }
    let _ = kawal::decision::Policy::parse("fuzz.toml", &t);
    let _ = kawal::workflow::Sop::parse("fuzz.toml", &t);
    let _ = kawal::letter::Template::parse("fuzz.toml", &t);
    let _ = kawal::team::Roles::parse(&t, "fuzz.toml");
    let _ = kawal::notify::Messages::parse("fuzz.toml", &t);
    let _ = kawal::checks::errors::signatures::Signatures::parse(&t, kawal::checks::errors::ITEMS);
    let _ = kawal_access::wordlist::parse(&t, "fuzz.toml");
}

/// `kawal.toml`: syntax errors carry a line and column inside the text; a parsed file then goes
/// through the same range checks `kawal` runs on it (network, roles, numbering schemes).
pub fn config_toml(data: &[u8]) {
    use kawal::config::{ConfigError, FileConfig, NetConfig};
    let t = text(data);
    let mut cfg = match FileConfig::parse(std::path::Path::new("kawal.toml"), &t) {
        Ok(c) => c,
        Err(ConfigError::Parse { line, column, .. }) => return assert_position(&t, line, column),
        Err(e) => panic!("parsing yields only syntax errors: {e}"),
    };
    // The CA bundle is a path to read; the parser's job ends at the path.
    cfg.net.ca_bundle = None;
    let _ = NetConfig::resolve(&cfg.net, "kawal.toml", None, false, None);
    for r in &cfg.role {
        let _ = r.validate();
    }
    let a = &cfg.agency;
    for s in a
        .numbering
        .iter()
        .chain(a.badge_numbering.iter())
        .chain(a.numbering_by_kind.values())
    {
        let _ = kawal::letter::numbering::Scheme::parse(s);
    }
    if let Some(l) = &cfg.login {
        let _ = Url::parse(l.url.trim());
    }
}

/// A 1-based line and column that exist in `text` (the column may sit just past a line's end).
fn assert_position(text: &str, line: usize, column: usize) {
    assert!(line >= 1 && column >= 1, "{line}:{column}");
    let lines = text.split('\n').count();
    assert!(line <= lines, "line {line} of {lines}");
    let len = text.split('\n').nth(line - 1).map_or(0, str::len);
    assert!(
        column <= len + 1,
        "column {column} on a line of {len} bytes"
    );
}
