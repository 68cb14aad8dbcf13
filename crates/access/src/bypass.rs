//! Request variants that may slip past a denial, and how to read their answers.
//!
//! A denied resource is requested again with: other verbs (HEAD, OPTIONS, POST, an arbitrary
//! verb, lower-case, and POST carrying a method-override header), path spellings that a proxy
//! or filter and the application may normalise differently (case, trailing slash or `/.`, `;`
//! path parameters, `..;/`, `%2e`, doubled or encoded slashes, `/./`, backslash, `%20`/`%09`
//! suffixes, `?`, an encoded `#`, `.json`), and headers some front ends trust (`X-Original-URL`,
//! `X-Rewrite-URL`, client-IP headers set to 127.0.0.1, `Forwarded`, `X-Forwarded-Host`).
//!
//! Every variant names its method, so the caller can skip methods the registration does not
//! allow (GET and HEAD by default), and says whether its path survives an ordinary URL parser
//! (`needs_raw`).

use crate::observed::Observed;
use crate::similarity;
use crate::verdict::{
    self, Judgement, Names, Prepared, Rules, Verdict, by_similarity, refusal_by_content_opt,
    refusal_by_status,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// The family a variant belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariantKind {
    /// Another HTTP method, or a method-override header.
    Verb,
    /// Another spelling of the path.
    Path,
    /// Extra headers.
    Header,
}

/// One request variant of a denied resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Variant {
    /// Stable technical id, e.g. `path.double-slash` or `header.x-original-url`; see
    /// [`Variant::explain_id`] for the words.
    pub label: String,
    /// The family.
    pub kind: VariantKind,
    /// The method to send, exactly as written (case included).
    pub method: String,
    /// The request target (path and query) to send, byte for byte.
    pub raw_path: String,
    /// Extra headers to send.
    pub headers: Vec<(String, String)>,
    /// True when an ordinary client would rewrite `raw_path` (the WHATWG URL parser removes dot
    /// segments, decodes `%2e`, turns `\` into `/`): it must be sent on a raw connection.
    pub needs_raw: bool,
}

/// Client-IP headers that some front ends trust for "internal" access.
const IP_HEADERS: &[&str] = &[
    "X-Forwarded-For",
    "X-Real-IP",
    "X-Client-IP",
    "X-Remote-IP",
    "X-Remote-Addr",
    "X-Originating-IP",
    "X-Custom-IP-Authorization",
    "True-Client-IP",
];

/// True when the `url` crate (the WHATWG URL parser) would not keep `raw_path` as written.
pub fn needs_raw(raw_path: &str) -> bool {
    if !raw_path.starts_with('/') {
        return true;
    }
    // Origin plus target, the way a client builds the URL (joining would read "//x" as a host).
    match Url::parse(&format!("http://kawal.invalid{raw_path}")) {
        Ok(u) => {
            let mut kept = u.path().to_string();
            if let Some(q) = u.query() {
                kept.push('?');
                kept.push_str(q);
            }
            kept != raw_path
        }
        Err(_) => true,
    }
}

/// Splits a request target into path and query (`?` kept out), dropping any fragment and
/// scheme/host, and making sure the path starts with `/`.
fn split_target(path_and_query: &str) -> (String, Option<String>) {
    let mut t = path_and_query.trim();
    if let Some(h) = t.find('#') {
        t = t.get(..h).unwrap_or_default();
    }
    if t.starts_with("http://") || t.starts_with("https://") {
        // An absolute URL: keep only what follows the authority.
        let after = t
            .find("://")
            .map_or(t, |p| t.get(p + 3..).unwrap_or_default());
        t = after
            .find('/')
            .map_or("/", |p| after.get(p..).unwrap_or("/"));
    }
    let (path, query) = match t.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (t, None),
    };
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    (path, query)
}

/// All variants of `method path_and_query` (see the module documentation); duplicates and
/// path variants identical to the original are left out.
pub fn variants(method: &str, path_and_query: &str) -> Vec<Variant> {
    let method = {
        let m = method.trim();
        if m.is_empty() { "GET" } else { m }
    };
    let upper = method.to_ascii_uppercase();
    let (path, query) = split_target(path_and_query);
    let with_query = |p: &str| match &query {
        Some(q) => format!("{p}?{q}"),
        None => p.to_string(),
    };
    let original = with_query(&path);
    let mut out: Vec<Variant> = Vec::new();
    let mut add =
        |label: &str, kind: VariantKind, m: &str, raw: String, headers: Vec<(&str, String)>| {
            let headers: Vec<(String, String)> = headers
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            if kind == VariantKind::Path && raw == original {
                return;
            }
            if out
                .iter()
                .any(|v| v.method == m && v.raw_path == raw && v.headers == headers)
            {
                return;
            }
            out.push(Variant {
                label: label.to_string(),
                kind,
                method: m.to_string(),
                needs_raw: needs_raw(&raw),
                raw_path: raw,
                headers,
            });
        };

    // Verbs.
    use VariantKind::{Header, Path, Verb};
    if upper != "HEAD" {
        add("verb.head", Verb, "HEAD", original.clone(), vec![]);
    }
    if upper != "OPTIONS" {
        add("verb.options", Verb, "OPTIONS", original.clone(), vec![]);
    }
    if upper != "POST" {
        add("verb.post", Verb, "POST", original.clone(), vec![]);
    }
    let carrier = if upper == "POST" { "GET" } else { "POST" };
    for (label, header) in [
        (
            "verb.override.x-http-method-override",
            "X-HTTP-Method-Override",
        ),
        ("verb.override.x-http-method", "X-HTTP-Method"),
        ("verb.override.x-method-override", "X-Method-Override"),
    ] {
        add(
            label,
            Verb,
            carrier,
            original.clone(),
            vec![(header, upper.clone())],
        );
    }
    add("verb.arbitrary", Verb, "KAWAL", original.clone(), vec![]);
    let lower = method.to_ascii_lowercase();
    if lower != method {
        add("verb.lowercase", Verb, &lower, original.clone(), vec![]);
    }

    // Paths.
    let m = method;
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let last_start = path.rfind('/').map_or(0, |p| p + 1);
    let (head, last) = path.split_at(last_start.min(path.len()));
    let bare = path.trim_end_matches('/');
    let first = segs.first().copied().unwrap_or_default();
    let rest_after_first = path
        .trim_start_matches('/')
        .split_once('/')
        .map(|(_, r)| r.to_string());
    add(
        "path.upper-last",
        Path,
        m,
        with_query(&format!("{head}{}", last.to_ascii_uppercase())),
        vec![],
    );
    add(
        "path.upper-all",
        Path,
        m,
        with_query(&path.to_ascii_uppercase()),
        vec![],
    );
    if let Some(c) = first.chars().next() {
        let cap: String = c.to_uppercase().chain(first.chars().skip(1)).collect();
        let rest = rest_after_first
            .as_ref()
            .map_or(String::new(), |r| format!("/{r}"));
        add(
            "path.capitalised",
            Path,
            m,
            with_query(&format!("/{cap}{rest}")),
            vec![],
        );
    }
    let toggled = if path.len() > 1 && path.ends_with('/') {
        bare.to_string()
    } else {
        format!("{path}/")
    };
    add("path.trailing-slash", Path, m, with_query(&toggled), vec![]);
    add(
        "path.trailing-dot",
        Path,
        m,
        with_query(&format!("{bare}/.")),
        vec![],
    );
    // The root has no last segment to decorate: "/;/" and "/;x" instead of ";/" and ";x".
    let bare_or_root = if bare.is_empty() { "/" } else { bare };
    let semi_inside = match &rest_after_first {
        Some(r) => format!("/{first};/{r}"),
        None => format!("{bare_or_root};/"),
    };
    add(
        "path.semicolon-segment",
        Path,
        m,
        with_query(&semi_inside),
        vec![],
    );
    add(
        "path.semicolon-end",
        Path,
        m,
        with_query(&format!("{bare_or_root};x")),
        vec![],
    );
    add(
        "path.dotdot-semicolon",
        Path,
        m,
        with_query(&format!("/kawal/..;{path}")),
        vec![],
    );
    add(
        "path.dot-semicolon",
        Path,
        m,
        with_query(&format!("/.;{path}")),
        vec![],
    );
    add(
        "path.encoded-dot",
        Path,
        m,
        with_query(&format!("/%2e{path}")),
        vec![],
    );
    add(
        "path.double-slash",
        Path,
        m,
        with_query(&format!("/{path}")),
        vec![],
    );
    add(
        "path.dot-segment",
        Path,
        m,
        with_query(&format!("/.{path}")),
        vec![],
    );
    if let Some(r) = &rest_after_first {
        add(
            "path.double-slash-inner",
            Path,
            m,
            with_query(&format!("/{first}//{r}")),
            vec![],
        );
        add(
            "path.encoded-slash",
            Path,
            m,
            with_query(&format!("/{first}%2f{r}")),
            vec![],
        );
        add(
            "path.double-encoded-slash",
            Path,
            m,
            with_query(&format!("/{first}%252f{r}")),
            vec![],
        );
        add(
            "path.backslash",
            Path,
            m,
            with_query(&format!("/{first}\\{r}")),
            vec![],
        );
    }
    if let Some(c) = first.bytes().next().filter(u8::is_ascii_alphabetic) {
        let tail = path.get(2..).unwrap_or_default();
        add(
            "path.encoded-first-char",
            Path,
            m,
            with_query(&format!("/%{c:02x}{tail}")),
            vec![],
        );
    }
    add(
        "path.space-suffix",
        Path,
        m,
        with_query(&format!("{path}%20")),
        vec![],
    );
    add(
        "path.tab-suffix",
        Path,
        m,
        with_query(&format!("{path}%09")),
        vec![],
    );
    if query.is_none() {
        add("path.empty-query", Path, m, format!("{path}?"), vec![]);
    }
    add(
        "path.encoded-hash",
        Path,
        m,
        with_query(&format!("{path}%23")),
        vec![],
    );
    if !bare.is_empty() {
        add(
            "path.json-suffix",
            Path,
            m,
            with_query(&format!("{bare}.json")),
            vec![],
        );
    }

    // Headers.
    add(
        "header.x-original-url",
        Header,
        m,
        "/".into(),
        vec![("X-Original-URL", original.clone())],
    );
    add(
        "header.x-rewrite-url",
        Header,
        m,
        "/".into(),
        vec![("X-Rewrite-URL", original.clone())],
    );
    for h in IP_HEADERS {
        let label = format!("header.{}", h.to_ascii_lowercase());
        add(
            &label,
            Header,
            m,
            original.clone(),
            vec![(h, "127.0.0.1".into())],
        );
    }
    add(
        "header.forwarded",
        Header,
        m,
        original.clone(),
        vec![("Forwarded", "for=127.0.0.1".into())],
    );
    add(
        "header.x-forwarded-host",
        Header,
        m,
        original.clone(),
        vec![("X-Forwarded-Host", "localhost".into())],
    );
    add(
        "header.x-host",
        Header,
        m,
        original.clone(),
        vec![("X-Host", "localhost".into())],
    );
    add(
        "header.all-local-ip",
        Header,
        m,
        original.clone(),
        IP_HEADERS
            .iter()
            .map(|h| (*h, "127.0.0.1".to_string()))
            .collect(),
    );
    out
}

impl Variant {
    /// What the variant tries, in Bahasa Indonesia.
    pub fn explain_id(&self) -> String {
        let h = self
            .headers
            .first()
            .map(|(k, v)| format!("{k}: {v}"))
            .unwrap_or_default();
        match self.label.as_str() {
            "verb.head" => "metode HEAD: sebagian kerangka kerja hanya memeriksa hak akses untuk GET".into(),
            "verb.options" => "metode OPTIONS: aturan akses sering hanya ditulis untuk GET/POST".into(),
            "verb.post" => "metode POST tanpa isi: aturan akses sering hanya ditulis untuk GET".into(),
            "verb.arbitrary" => "metode sembarang (KAWAL): sebagian server memperlakukan metode tak dikenal seperti GET".into(),
            "verb.lowercase" => "nama metode berhuruf kecil: pencocokan aturan akses yang peka huruf dapat terlewati".into(),
            l if l.starts_with("verb.override.") => format!("{} dengan header {h}: penimpaan metode oleh kerangka kerja", self.method),
            "path.upper-last" | "path.upper-all" | "path.capitalised" => "huruf besar pada path: server yang tidak peka huruf melayani sumber daya yang sama, aturan yang peka huruf terlewati".into(),
            "path.trailing-slash" => "garis miring di akhir path ditambah atau dihapus".into(),
            "path.trailing-dot" => "akhiran '/.' pada path".into(),
            "path.semicolon-segment" | "path.semicolon-end" => "parameter path ';' yang dibuang aplikasi (Tomcat, Spring) tetapi tidak oleh proksi".into(),
            "path.dotdot-semicolon" | "path.dot-semicolon" => "segmen '..;' atau '.;' yang ditafsirkan berbeda oleh proksi dan Tomcat".into(),
            "path.encoded-dot" => "titik yang dienkode (%2e) sebagai segmen path".into(),
            "path.double-slash" | "path.double-slash-inner" => "garis miring ganda pada path".into(),
            "path.dot-segment" => "segmen '/./' pada path".into(),
            "path.encoded-slash" | "path.double-encoded-slash" => "garis miring yang dienkode (%2f, %252f)".into(),
            "path.backslash" => "garis miring terbalik sebagai pemisah path".into(),
            "path.encoded-first-char" => "huruf pertama path dienkode persen".into(),
            "path.space-suffix" | "path.tab-suffix" => "spasi atau tab yang dienkode di akhir path".into(),
            "path.empty-query" => "tanda tanya tanpa parameter di akhir path".into(),
            "path.encoded-hash" => "tanda pagar yang dienkode (%23) di akhir path".into(),
            "path.json-suffix" => "akhiran '.json' (pemilihan format oleh kerangka kerja)".into(),
            "header.x-original-url" | "header.x-rewrite-url" => format!("permintaan ke '/' dengan header {h}: sebagian server (IIS, Symfony) melayani URL dari header ini"),
            "header.all-local-ip" => "semua header alamat IP klien diisi 127.0.0.1".into(),
            _ => format!("header {h}: sebagian server mempercayai header ini sebagai alamat atau host internal"),
        }
    }

    /// What the variant tries, in English.
    pub fn explain_en(&self) -> String {
        let h = self
            .headers
            .first()
            .map(|(k, v)| format!("{k}: {v}"))
            .unwrap_or_default();
        match self.label.as_str() {
            "verb.head" => "HEAD method: some frameworks check access only for GET".into(),
            "verb.options" => "OPTIONS method: access rules are often written for GET/POST only".into(),
            "verb.post" => "POST without a body: access rules are often written for GET only".into(),
            "verb.arbitrary" => "arbitrary method (KAWAL): some servers treat unknown methods like GET".into(),
            "verb.lowercase" => "lower-case method name: case-sensitive access rules may not match".into(),
            l if l.starts_with("verb.override.") => format!("{} with header {h}: framework method override", self.method),
            "path.upper-last" | "path.upper-all" | "path.capitalised" => "upper case in the path: a case-insensitive server serves the same resource, a case-sensitive rule does not match".into(),
            "path.trailing-slash" => "trailing slash added or removed".into(),
            "path.trailing-dot" => "'/.' appended to the path".into(),
            "path.semicolon-segment" | "path.semicolon-end" => "';' path parameter that the application (Tomcat, Spring) drops and a proxy does not".into(),
            "path.dotdot-semicolon" | "path.dot-semicolon" => "'..;' or '.;' segment that a proxy and Tomcat interpret differently".into(),
            "path.encoded-dot" => "encoded dot (%2e) as a path segment".into(),
            "path.double-slash" | "path.double-slash-inner" => "doubled slash in the path".into(),
            "path.dot-segment" => "'/./' segment in the path".into(),
            "path.encoded-slash" | "path.double-encoded-slash" => "encoded slash (%2f, %252f)".into(),
            "path.backslash" => "backslash as a path separator".into(),
            "path.encoded-first-char" => "first letter of the path percent-encoded".into(),
            "path.space-suffix" | "path.tab-suffix" => "encoded space or tab after the path".into(),
            "path.empty-query" => "question mark without parameters after the path".into(),
            "path.encoded-hash" => "encoded hash sign (%23) after the path".into(),
            "path.json-suffix" => "'.json' suffix (framework format selection)".into(),
            "header.x-original-url" | "header.x-rewrite-url" => format!("request to '/' with header {h}: some servers (IIS, Symfony) serve the URL from this header"),
            "header.all-local-ip" => "every client-IP header set to 127.0.0.1".into(),
            _ => format!("header {h}: some servers trust it as an internal address or host"),
        }
    }

    /// Judges this variant's answer, knowing its method (see [`judge_variant_with`]).
    pub fn judge(
        &self,
        denied: &Observed,
        observed: &Observed,
        privileged: Option<&Observed>,
        rules: &Rules,
    ) -> Judgement {
        let p = privileged.map(Prepared::new);
        judge_variant_with(
            &Prepared::new(denied),
            &Prepared::new(observed),
            p.as_ref(),
            rules,
            Some(&self.method),
        )
    }
}

/// Judges a variant's answer (method unknown; see [`judge_variant_with`]).
pub fn judge_variant(
    denied: &Observed,
    variant: &Observed,
    privileged: Option<&Observed>,
    rules: &Rules,
) -> Judgement {
    let p = privileged.map(Prepared::new);
    judge_variant_with(
        &Prepared::new(denied),
        &Prepared::new(variant),
        p.as_ref(),
        rules,
        None,
    )
}

/// Judges a variant's answer against the denied answer and, when known, a privileged answer
/// (a 2xx response for the same resource from an entitled role).
///
/// Decision, in order:
/// 1. 401, 403, 407 or a redirect to a login page: enforced.
/// 2. Other redirect: enforced when it is the denied request's own redirect, else unclear.
/// 3. 404/410: enforced. 405, 501 and other 4xx except 429: enforced (the request was refused).
///    429, other 5xx, 1xx: unclear.
/// 4. 2xx: OPTIONS (when `method` says so) with an empty or short body: enforced, it lists
///    methods, not content. An empty body (HEAD, 204): only the status counts, so enforced when
///    the denied answer had the same status, else unclear. A denial message or a login form
///    the privileged page does not show: enforced. The denied page itself (at least
///    [`Rules::bypass_at`] similar to it): enforced.
/// 5. Then, with a privileged answer: similarity to it decides like [`verdict::judge`]
///    (bypassed at [`Rules::bypass_at`], enforced below [`Rules::enforced_below`], unclear in
///    between; two identical SPA shells: unclear). Without one, never bypassed: a 2xx that
///    differs from the denied page is unclear and must be looked at (the caller should first
///    rule out its soft-404 page with [`crate::Soft404`]).
pub fn judge_variant_with(
    denied: &Prepared,
    variant: &Prepared,
    privileged: Option<&Prepared>,
    rules: &Rules,
    method: Option<&str>,
) -> Judgement {
    let n = Names {
        reference_id: "respons peran yang berhak".into(),
        reference_en: "the entitled role's response".into(),
        replay_id: "respons varian".into(),
        replay_en: "the variant's response".into(),
    };
    let v = &variant.observed;
    let d = &denied.observed;
    let (vs, ds) = (v.status, d.status);
    let privileged = privileged.filter(|p| p.observed.is_success());

    if let Some(j) = refusal_by_status(variant, rules, &n) {
        return j;
    }
    if v.is_redirect() {
        let loc = v.location.as_deref().unwrap_or("-");
        let same = d.is_redirect()
            && match (d.location.as_deref(), v.location.as_deref()) {
                (Some(a), Some(b)) => {
                    let ka = crate::urls::location_key(a);
                    ka.is_some() && ka == crate::urls::location_key(b)
                }
                _ => false,
            };
        return if same {
            Judgement::new(
                Verdict::Enforced,
                None,
                format!(
                    "respons varian dialihkan ke tempat yang sama dengan permintaan yang ditolak ({loc})"
                ),
                format!(
                    "the variant's response redirects to the same place as the denied request ({loc})"
                ),
            )
        } else {
            Judgement::new(
                Verdict::Unclear,
                None,
                format!(
                    "respons varian dialihkan ke {loc} (status {vs}); ikuti pengalihannya secara manual"
                ),
                format!(
                    "the variant's response redirects to {loc} (status {vs}); follow the redirect by hand"
                ),
            )
        };
    }
    if !v.is_success() {
        let (verdict, id, en) = match vs {
            404 | 410 => (
                Verdict::Enforced,
                format!("respons varian berstatus {vs}: sumber daya tidak dilayani"),
                format!("the variant's response has status {vs}: the resource was not served"),
            ),
            429 => (
                Verdict::Unclear,
                "respons varian berstatus 429 (permintaan dibatasi); ulangi dengan laju lebih rendah".into(),
                "the variant's response has status 429 (rate limited); retry at a lower rate".into(),
            ),
            405 | 501 => (
                Verdict::Enforced,
                format!("respons varian berstatus {vs}: metode ditolak"),
                format!("the variant's response has status {vs}: the method was refused"),
            ),
            400..=499 => (
                Verdict::Enforced,
                format!("respons varian berstatus {vs}: permintaan ditolak"),
                format!("the variant's response has status {vs}: the request was refused"),
            ),
            500..=599 => (
                Verdict::Unclear,
                format!("respons varian berstatus {vs} (galat server): varian mencapai kode aplikasi, periksa secara manual"),
                format!("the variant's response has status {vs} (server error): the variant reached application code, check by hand"),
            ),
            _ => (
                Verdict::Unclear,
                format!("respons varian berstatus {vs}; tidak dapat disimpulkan"),
                format!("the variant's response has status {vs}; inconclusive"),
            ),
        };
        return Judgement::new(verdict, None, id, en);
    }
    let is_options = method.is_some_and(|m| m.trim().eq_ignore_ascii_case("OPTIONS"));
    if is_options && v.body.trim().len() < 64 {
        return Judgement::new(
            Verdict::Enforced,
            None,
            format!(
                "OPTIONS dijawab status {vs} tanpa isi halaman: hanya daftar metode, bukan isi sumber daya"
            ),
            format!(
                "OPTIONS answered with status {vs} and no page content: a list of methods, not the resource"
            ),
        );
    }
    if v.body_is_blank() {
        return if vs == ds {
            Judgement::new(
                Verdict::Enforced,
                None,
                format!(
                    "respons varian berstatus {vs} tanpa isi, sama dengan status permintaan yang ditolak"
                ),
                format!(
                    "the variant's response has status {vs} and no body, the same status as the denied request"
                ),
            )
        } else {
            Judgement::new(
                Verdict::Unclear,
                None,
                format!(
                    "respons varian berstatus {vs} tanpa isi (misalnya HEAD) sedangkan permintaan asli berstatus {ds}; hanya status yang dapat dinilai, konfirmasi secara manual"
                ),
                format!(
                    "the variant's response has status {vs} and no body (for example HEAD) while the original request got {ds}; only the status can be judged, confirm by hand"
                ),
            )
        };
    }
    if let Some(j) = refusal_by_content_opt(privileged, variant, rules, &n) {
        return j;
    }
    if !d.body_is_blank() {
        let sd = similarity::similarity(&denied.fingerprint, &variant.fingerprint);
        if sd >= rules.bypass_at {
            let pc = verdict::percent(sd);
            return Judgement::new(
                Verdict::Enforced,
                None,
                format!("respons varian {pc}% sama dengan halaman penolakan (status {vs})"),
                format!("the variant's response is {pc}% similar to the denial page (status {vs})"),
            );
        }
    }
    match privileged {
        Some(p) => {
            let s = similarity::similarity(&p.fingerprint, &variant.fingerprint);
            if p.spa_shell() && variant.spa_shell() && s >= rules.enforced_below {
                return Judgement::new(
                    Verdict::Unclear,
                    Some(s),
                    "respons varian adalah kerangka aplikasi satu halaman (SPA) yang sama; datanya dimuat lewat API".into(),
                    "the variant's response is the same single-page-application shell; its data comes from an API".into(),
                );
            }
            by_similarity(s, vs, rules, &n)
        }
        None => Judgement::new(
            Verdict::Unclear,
            None,
            format!(
                "respons varian berstatus {vs} dan berbeda dari halaman penolakan; tanpa respons peran yang berhak sebagai pembanding, periksa isinya secara manual"
            ),
            format!(
                "the variant's response has status {vs} and differs from the denial page; with no entitled role's response to compare, check its content by hand"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testpages::{layout, login_page, user_table};

    fn find<'a>(vs: &'a [Variant], label: &str) -> &'a Variant {
        vs.iter()
            .find(|v| v.label == label)
            .unwrap_or_else(|| panic!("no {label}"))
    }

    #[test]
    fn needs_raw_follows_the_url_parser() {
        assert!(!needs_raw("/admin/users"));
        assert!(!needs_raw("//admin/users"));
        assert!(!needs_raw("/admin%2fusers"));
        assert!(!needs_raw("/admin;/users"));
        assert!(!needs_raw("/admin/users?"));
        assert!(!needs_raw("/.;/admin"));
        assert!(needs_raw("/./admin/users"));
        assert!(needs_raw("/%2e/admin/users"));
        assert!(needs_raw("/admin/users/."));
        assert!(needs_raw("/admin\\users"));
        assert!(needs_raw("/a b"));
        assert!(needs_raw("admin"));
    }

    #[test]
    fn variant_set_for_a_typical_path() {
        let vs = variants("GET", "/admin/users?page=2");
        let raw = |l: &str| find(&vs, l).raw_path.clone();
        assert_eq!(raw("path.upper-last"), "/admin/USERS?page=2");
        assert_eq!(raw("path.upper-all"), "/ADMIN/USERS?page=2");
        assert_eq!(raw("path.capitalised"), "/Admin/users?page=2");
        assert_eq!(raw("path.trailing-slash"), "/admin/users/?page=2");
        assert_eq!(raw("path.trailing-dot"), "/admin/users/.?page=2");
        assert_eq!(raw("path.semicolon-segment"), "/admin;/users?page=2");
        assert_eq!(raw("path.semicolon-end"), "/admin/users;x?page=2");
        assert_eq!(
            raw("path.dotdot-semicolon"),
            "/kawal/..;/admin/users?page=2"
        );
        assert_eq!(raw("path.encoded-dot"), "/%2e/admin/users?page=2");
        assert_eq!(raw("path.double-slash"), "//admin/users?page=2");
        assert_eq!(raw("path.double-slash-inner"), "/admin//users?page=2");
        assert_eq!(raw("path.dot-segment"), "/./admin/users?page=2");
        assert_eq!(raw("path.encoded-slash"), "/admin%2fusers?page=2");
        assert_eq!(raw("path.backslash"), "/admin\\users?page=2");
        assert_eq!(raw("path.encoded-first-char"), "/%61dmin/users?page=2");
        assert_eq!(raw("path.space-suffix"), "/admin/users%20?page=2");
        assert_eq!(raw("path.tab-suffix"), "/admin/users%09?page=2");
        assert_eq!(raw("path.encoded-hash"), "/admin/users%23?page=2");
        assert_eq!(raw("path.json-suffix"), "/admin/users.json?page=2");
        assert!(vs.iter().all(|v| v.label != "path.empty-query"));
        assert!(find(&vs, "path.encoded-dot").needs_raw);
        assert!(find(&vs, "path.dot-segment").needs_raw);
        assert!(find(&vs, "path.backslash").needs_raw);
        assert!(!find(&vs, "path.double-slash").needs_raw);
        let xo = find(&vs, "header.x-original-url");
        assert_eq!(xo.raw_path, "/");
        assert_eq!(
            xo.headers,
            vec![(
                "X-Original-URL".to_string(),
                "/admin/users?page=2".to_string()
            )]
        );
        let ovr = find(&vs, "verb.override.x-http-method-override");
        assert_eq!(ovr.method, "POST");
        assert_eq!(ovr.headers[0].1, "GET");
        assert_eq!(find(&vs, "verb.lowercase").method, "get");
        assert_eq!(find(&vs, "verb.arbitrary").method, "KAWAL");
        for h in [
            "X-Forwarded-For",
            "X-Real-IP",
            "X-Client-IP",
            "X-Remote-IP",
            "X-Remote-Addr",
            "X-Originating-IP",
            "X-Custom-IP-Authorization",
        ] {
            assert!(
                vs.iter()
                    .any(|v| v.headers == vec![(h.to_string(), "127.0.0.1".to_string())]),
                "{h}"
            );
        }
        assert_eq!(find(&vs, "header.forwarded").headers[0].1, "for=127.0.0.1");
        assert_eq!(
            find(&vs, "header.x-forwarded-host").headers[0].1,
            "localhost"
        );
        // Every variant explains itself in both languages, and labels are unique.
        let mut labels: Vec<_> = vs.iter().map(|v| v.label.as_str()).collect();
        for v in &vs {
            assert!(!v.explain_id().is_empty() && !v.explain_en().is_empty());
            assert_ne!(v.explain_id(), v.explain_en());
        }
        labels.sort();
        let n = labels.len();
        labels.dedup();
        assert_eq!(labels.len(), n);
        // needs_raw is exactly what the URL parser says.
        for v in &vs {
            assert_eq!(v.needs_raw, needs_raw(&v.raw_path), "{}", v.label);
        }
    }

    #[test]
    fn edge_targets() {
        let vs = variants("get", "/");
        assert!(
            vs.iter()
                .all(|v| !(v.kind == VariantKind::Path && v.raw_path == "/"))
        );
        assert!(vs.iter().all(|v| v.raw_path.starts_with('/')));
        assert_eq!(find(&vs, "path.semicolon-segment").raw_path, "/;/");
        assert!(vs.iter().all(|v| v.label != "verb.lowercase"));
        let vs = variants("POST", "https://h.example.go.id/admin#frag");
        assert_eq!(find(&vs, "verb.override.x-http-method").method, "GET");
        assert_eq!(find(&vs, "path.empty-query").raw_path, "/admin?");
        assert!(vs.iter().all(|v| v.label != "verb.post"));
        let vs = variants("HEAD", "admin/x");
        assert!(vs.iter().all(|v| v.label != "verb.head"));
        assert_eq!(find(&vs, "path.trailing-slash").raw_path, "/admin/x/");
        let _ = variants("", &"/é".repeat(10_000));
        let _ = variants("GET", "?");
        let _ = variants("GET", "//");
        let _ = variants("GET", "http://");
    }

    fn ok(b: String) -> Observed {
        Observed::new(200, b).with_content_type("text/html")
    }

    #[test]
    fn judging_variants() {
        let rules = Rules::default();
        let denied = Observed::new(403, "<h1>403 Forbidden</h1>");
        let admin = ok(layout("Pengguna", "admin", "a", "2024", &user_table(15)));
        let same = ok(layout("Pengguna", "tamu", "b", "2025", &user_table(15)));
        let j = judge_variant(&denied, &same, Some(&admin), &rules);
        assert_eq!(j.verdict, Verdict::Bypassed, "{}", j.why_en);
        assert!(j.similarity.unwrap() >= 0.9);
        // Without a privileged response: never bypassed.
        let j = judge_variant(&denied, &same, None, &rules);
        assert_eq!(j.verdict, Verdict::Unclear);
        assert_eq!(
            judge_variant(&denied, &Observed::new(403, ""), None, &rules).verdict,
            Verdict::Enforced
        );
        assert_eq!(
            judge_variant(&denied, &Observed::new(404, ""), None, &rules).verdict,
            Verdict::Enforced
        );
        assert_eq!(
            judge_variant(&denied, &Observed::new(405, ""), None, &rules).verdict,
            Verdict::Enforced
        );
        assert_eq!(
            judge_variant(&denied, &Observed::new(400, ""), None, &rules).verdict,
            Verdict::Enforced
        );
        assert_eq!(
            judge_variant(&denied, &Observed::new(500, ""), None, &rules).verdict,
            Verdict::Unclear
        );
        assert_eq!(
            judge_variant(&denied, &ok(login_page("x")), Some(&admin), &rules).verdict,
            Verdict::Enforced
        );
        let home = ok(layout(
            "Beranda",
            "tamu",
            "c",
            "1",
            "<p>Selamat datang</p><p>Pengumuman hari ini</p>",
        ));
        assert_eq!(
            judge_variant(&denied, &home, Some(&admin), &rules).verdict,
            Verdict::Enforced
        );
        // The denial page served with 200 is still the denial page.
        let soft_denied = ok(layout(
            "Peringatan",
            "tamu",
            "c",
            "1",
            "<p>Halaman khusus admin.</p>",
        ));
        let j = judge_variant(&soft_denied, &soft_denied.clone(), Some(&admin), &rules);
        assert_eq!(j.verdict, Verdict::Enforced);
        // HEAD: status only.
        let head = Observed::new(200, "");
        assert_eq!(
            judge_variant(&denied, &head, Some(&admin), &rules).verdict,
            Verdict::Unclear
        );
        assert_eq!(
            judge_variant(&ok(String::from("<p>x</p>")), &head, None, &rules).verdict,
            Verdict::Enforced
        );
        // OPTIONS with an Allow list only, when the method is known.
        let vs = variants("GET", "/admin");
        let options = find(&vs, "verb.options");
        assert_eq!(
            options.judge(&denied, &head, Some(&admin), &rules).verdict,
            Verdict::Enforced
        );
        // Redirects.
        let to_login = Observed::new(302, "").with_location("/masuk");
        assert_eq!(
            judge_variant(&denied, &to_login, None, &rules).verdict,
            Verdict::Enforced
        );
        let d302 = Observed::new(302, "").with_location("/beranda");
        assert_eq!(
            judge_variant(&d302, &d302.clone(), None, &rules).verdict,
            Verdict::Enforced
        );
        let elsewhere = Observed::new(302, "").with_location("/admin/dasbor");
        assert_eq!(
            judge_variant(&d302, &elsewhere, None, &rules).verdict,
            Verdict::Unclear
        );
    }
}
