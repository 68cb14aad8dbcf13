//! Endpoints named outside `<a href>` (pure): path literals of inline and same-origin scripts,
//! API paths in page text and `<code>`/`<pre>` blocks, URLs in JSON answers, and the GET paths
//! of OpenAPI/Swagger documents. Modern front ends name their admin APIs only there.

use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;
use url::Url;

/// Most URLs taken from one response.
pub const MAX_NAMED: usize = 200;

/// Where API descriptions conventionally live (OpenAPI 3: FastAPI `/openapi.json`, Springdoc
/// `/v3/api-docs`; Swagger 2: Swashbuckle `/swagger/v1/swagger.json`, swagger-ui-express and
/// Flasgger `/swagger.json`, `/api-docs`).
pub const API_DOCS: &[&str] = &[
    "/openapi.json",
    "/api/openapi.json",
    "/swagger.json",
    "/v3/api-docs",
    "/api-docs",
    "/swagger/v1/swagger.json",
];

/// A quoted path literal: `"/api/x"`, `'/admin/y'`, `` `/z` ``.
static QUOTED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"["'`](/[A-Za-z0-9_~\-./%]*[A-Za-z0-9_\-/])["'`]"#).ok());
/// An API-looking path in running text (`GET /api/v1/pegawai`).
static IN_TEXT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s(>:,;])(/(?:api|v\d+|rest|admin|internal)(?:/[A-Za-z0-9_\-.]+)+)").ok()
});
/// An absolute http(s) URL.
static ABSOLUTE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"https?://[^\s"'`<>\\]+"#).ok());

/// Same-origin URLs a text names (a page, a script or a JSON string).
pub fn named_urls(base: &Url, text: &str) -> Vec<Url> {
    let mut out: Vec<Url> = Vec::new();
    let mut add = |u: Option<Url>| {
        if let Some(u) = u
            && out.len() < MAX_NAMED
            && !out.contains(&u)
        {
            out.push(u);
        }
    };
    for re in [&*QUOTED, &*IN_TEXT].into_iter().flatten() {
        for c in re.captures_iter(text) {
            if let Some(p) = c.get(1) {
                add(path_url(base, p.as_str()));
            }
        }
    }
    if let Some(re) = &*ABSOLUTE {
        for m in re.find_iter(text) {
            add(same_origin(base, m.as_str()));
        }
    }
    out
}

/// A path resolved against `base`, when it looks like a route (not `//host`, not a regex).
fn path_url(base: &Url, p: &str) -> Option<Url> {
    let ok = p.len() >= 2
        && p.len() <= 200
        && !p.starts_with("//")
        && !p.contains("..")
        && p.chars().any(|c| c.is_ascii_alphabetic());
    ok.then(|| base.join(p).ok()).flatten()
}

fn same_origin(base: &Url, s: &str) -> Option<Url> {
    let u = Url::parse(s.trim_end_matches(['.', ',', ')', ';'])).ok()?;
    (u.origin() == base.origin()).then_some(u)
}

/// Same-origin URLs and paths among the string values of a JSON document.
pub fn json_urls(base: &Url, doc: &Value) -> Vec<Url> {
    let mut out = Vec::new();
    walk(doc, &mut |s| {
        if out.len() >= MAX_NAMED {
            return;
        }
        let u = if s.starts_with('/') {
            path_url(base, s).filter(|_| !s.contains(char::is_whitespace))
        } else if s.starts_with("http") {
            same_origin(base, s)
        } else {
            None
        };
        if let Some(u) = u
            && !out.contains(&u)
        {
            out.push(u);
        }
    });
    out
}

/// Most item URLs derived from one JSON answer.
pub const MAX_ITEMS: usize = 3;

/// Item URLs of a JSON collection, by the REST convention `<collection>/<id>`: the `id` (or
/// `uuid`) of each object listed in the answer of `collection` (a top-level array, or an array
/// one level down such as `data`, `items`, `results`). Single-page front ends build these URLs
/// in script code, so the identifiers appear only in JSON; a guess that is wrong answers 404.
pub fn item_urls(collection: &Url, doc: &Value) -> Vec<Url> {
    let lists: Vec<&Vec<Value>> = match doc {
        Value::Array(a) => vec![a],
        Value::Object(m) => m.values().filter_map(Value::as_array).collect(),
        _ => Vec::new(),
    };
    let base = collection.path().trim_end_matches('/');
    let mut out: Vec<Url> = Vec::new();
    for item in lists.into_iter().flatten() {
        let id = ["id", "uuid"]
            .iter()
            .find_map(|k| item.get(*k))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) if n.is_u64() => Some(n.to_string()),
                _ => None,
            })
            .filter(|v| kawal_access::ids::classify(v).is_some());
        let Some(id) = id else { continue };
        if let Ok(mut u) = collection.join(&format!("{base}/{id}")) {
            u.set_query(None);
            if out.len() < MAX_ITEMS && !out.contains(&u) {
                out.push(u);
            }
        }
    }
    out
}

fn walk(v: &Value, f: &mut dyn FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
        Value::Object(m) => m.values().for_each(|x| walk(x, f)),
        _ => {}
    }
}

/// Whether a JSON document is an OpenAPI 3 or Swagger 2 description.
pub fn is_api_description(doc: &Value) -> bool {
    (doc.get("openapi").is_some() || doc.get("swagger").is_some()) && doc.get("paths").is_some()
}

/// The GET operations of an OpenAPI/Swagger document as URLs; path parameters take their
/// example (or `1`) so the route is reachable.
pub fn openapi_paths(base: &Url, doc: &Value) -> Vec<Url> {
    let prefix = doc
        .pointer("/servers/0/url")
        .or_else(|| doc.get("basePath"))
        .and_then(Value::as_str)
        .map(|s| match Url::parse(s) {
            Ok(u) => u.path().to_string(),
            Err(_) => s.to_string(),
        })
        .unwrap_or_default();
    let prefix = prefix.trim_end_matches('/');
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths.iter().take(MAX_NAMED) {
        let Some(get) = item.get("get") else {
            continue;
        };
        let params: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .chain(get.get("parameters").and_then(Value::as_array))
            .flatten()
            .collect();
        let filled = fill(path, &params);
        if let Some(u) = path_url(base, &format!("{prefix}{filled}")) {
            out.push(u);
        }
    }
    out
}

/// `{name}` segments replaced by the parameter's example, else `1`.
fn fill(path: &str, params: &[&Value]) -> String {
    let mut s = path.to_string();
    while let (Some(a), Some(b)) = (s.find('{'), s.find('}')) {
        if b < a {
            break;
        }
        let name = &s[a + 1..b];
        let example = params
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|p| {
                p.get("example")
                    .or_else(|| p.pointer("/schema/example"))
                    .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
            })
            .unwrap_or_else(|| "1".to_string());
        s.replace_range(a..=b, &example);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://app.example.go.id/portal/").expect("url")
    }

    fn paths(v: &[Url]) -> Vec<String> {
        v.iter().map(|u| u.path().to_string()).collect()
    }

    #[test]
    fn scripts_and_text_name_endpoints() {
        let js = r#"fetch("/api/admin/users"); axios.get('/api/v1/surat/'+id); const re = "//cdn.x/y"; const s = `/internal/stats`; fetch("https://app.example.go.id/api/ping"); fetch("https://evil.example/api/x");"#;
        let found = paths(&named_urls(&base(), js));
        for p in [
            "/api/admin/users",
            "/api/v1/surat/",
            "/internal/stats",
            "/api/ping",
        ] {
            assert!(found.contains(&p.to_string()), "{p}: {found:?}");
        }
        assert!(
            !found.iter().any(|p| p.contains("cdn") || p == "/api/x"),
            "{found:?}"
        );
        let text = "<pre>GET /api/v1/pegawai?aktif=1</pre><p>lihat /tentang kami</p>";
        let found = paths(&named_urls(&base(), text));
        assert_eq!(found, vec!["/api/v1/pegawai"]);
    }

    #[test]
    fn json_answers_and_api_descriptions_name_endpoints() {
        let doc: Value = serde_json::from_str(
            r#"{"items":[{"id":"a1","self":"/api/surat/a1"},{"href":"https://app.example.go.id/api/surat/b2"}],"note":"/ bukan jalur"}"#,
        )
        .expect("json");
        assert_eq!(
            paths(&json_urls(&base(), &doc)),
            vec!["/api/surat/a1", "/api/surat/b2"]
        );
        let spec: Value = serde_json::from_str(
            r#"{"openapi":"3.0.0","servers":[{"url":"/v2"}],"paths":{"/admin/users":{"get":{}},"/users/{id}":{"parameters":[{"name":"id","in":"path","example":"7f1c"}],"get":{}},"/upload":{"post":{}}}}"#,
        )
        .expect("spec");
        assert!(is_api_description(&spec));
        let list: Value = serde_json::from_str(
            r#"{"data":[{"id":"0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b","jenis":"x"},{"id":42},{"id":"bukan id"},{"nama":"tanpa id"}],"total":4}"#,
        )
        .expect("list");
        let coll = Url::parse("https://app.example.go.id/api/permohonan?page=1").expect("url");
        assert_eq!(
            paths(&item_urls(&coll, &list)),
            vec![
                "/api/permohonan/0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
                "/api/permohonan/42"
            ]
        );
        let single: Value = serde_json::from_str(r#"{"id": 7, "nama": "budi"}"#).expect("one");
        assert!(item_urls(&coll, &single).is_empty());
        assert_eq!(
            paths(&openapi_paths(&base(), &spec)),
            vec!["/v2/admin/users", "/v2/users/7f1c"]
        );
    }
}
