//! Pure extraction of links, forms, scripts and resources from one HTML page.

use scraper::Node;
use serde::Serialize;
use std::collections::HashMap;
use url::Url;

/// Most links, resources or scripts kept per page, so one hostile page cannot flood a crawl.
pub const MAX_PER_PAGE: usize = 2_000;
/// Most forms kept per page.
pub const MAX_FORMS: usize = 100;
/// Most fields kept per form.
pub const MAX_FIELDS: usize = 200;
/// How far up the tree a field looks for its form; deeper nesting is treated as no form.
const MAX_FORM_DEPTH: usize = 512;

/// A form field.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Field {
    /// `name` attribute.
    pub name: String,
    /// `text`, `hidden`, `password`, `number`, `select`, `textarea`, ...
    pub kind: String,
    /// Default value (never the value of an anti-CSRF token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether the field is marked `required`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// A form found on a page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Form {
    /// Page the form is on.
    pub page: String,
    /// Absolute action URL (the page itself when the action is empty).
    pub action: String,
    /// `GET` or `POST` (other values as written, upper-cased).
    pub method: String,
    /// `enctype`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enctype: Option<String>,
    /// Named fields in document order (radio and checkbox groups once).
    pub fields: Vec<Field>,
    /// Name of the hidden anti-CSRF field, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_field: Option<String>,
}

/// What one page links to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Document title.
    pub title: Option<String>,
    /// Navigable links (`a`, `area`, `iframe`, `frame`, non-stylesheet `link`).
    pub links: Vec<Url>,
    /// `script src` URLs.
    pub scripts: Vec<Url>,
    /// Images, stylesheets, media: not crawled, but their folders hint at directories.
    pub resources: Vec<Url>,
    /// Forms.
    pub forms: Vec<Form>,
}

/// Whether a hidden field name is an anti-CSRF token of a common framework.
pub fn is_csrf_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("csrf")
        || n.contains("xsrf")
        || n == "_token"
        || n == "authenticity_token"
        || n == "__requestverificationtoken"
        || n == "csrfmiddlewaretoken"
        || n == "form_token"
}

fn push_url(list: &mut Vec<Url>, base: &Url, raw: &str) {
    if list.len() >= MAX_PER_PAGE {
        return;
    }
    let raw = raw.trim();
    if raw.is_empty() || raw.starts_with('#') {
        return;
    }
    if let Ok(mut u) = base.join(raw)
        && matches!(u.scheme(), "http" | "https")
    {
        u.set_fragment(None);
        list.push(u);
    }
}

/// Deepest element nesting handed to the HTML tree builder; deeper documents are scanned flat,
/// because tree construction slows down quadratically with nesting depth.
pub const MAX_TREE_DEPTH: usize = 1_000;

/// Collects what the elements of a page point at, in document order.
struct Builder<'a> {
    page: &'a Url,
    base: Url,
    base_seen: bool,
    out: Extracted,
    form_ids: HashMap<String, usize>,
}

impl Builder<'_> {
    /// Handles one element; `attr` reads its attributes, `owner` is its enclosing form.
    fn element(
        &mut self,
        name: &str,
        attr: &dyn Fn(&str) -> Option<String>,
        owner: Option<usize>,
    ) -> Option<usize> {
        match name {
            "base" if !self.base_seen => {
                self.base_seen = true;
                if let Some(b) = attr("href").and_then(|h| self.page.join(h.trim()).ok()) {
                    self.base = b;
                }
            }
            "a" | "area" => {
                if let Some(h) = attr("href") {
                    push_url(&mut self.out.links, &self.base, &h);
                }
            }
            "iframe" | "frame" => {
                if let Some(h) = attr("src") {
                    push_url(&mut self.out.links, &self.base, &h);
                }
            }
            "link" => {
                if let Some(h) = attr("href") {
                    let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
                    if ["stylesheet", "icon", "preload", "manifest"]
                        .iter()
                        .any(|r| rel.contains(r))
                    {
                        push_url(&mut self.out.resources, &self.base, &h);
                    } else if ["next", "prev", "alternate"]
                        .iter()
                        .any(|r| rel.contains(r))
                    {
                        push_url(&mut self.out.links, &self.base, &h);
                    }
                }
            }
            "script" => {
                if let Some(h) = attr("src") {
                    push_url(&mut self.out.scripts, &self.base, &h);
                }
            }
            "img" | "source" | "video" | "audio" | "embed" => {
                if let Some(h) = attr("src") {
                    push_url(&mut self.out.resources, &self.base, &h);
                }
            }
            "form" if self.out.forms.len() < MAX_FORMS => {
                let action = match attr("action").as_deref().map(str::trim) {
                    Some(a) if !a.is_empty() => self.base.join(a).ok(),
                    _ => Some(self.page.clone()),
                };
                let mut action = action.filter(|u| matches!(u.scheme(), "http" | "https"))?;
                action.set_fragment(None);
                let method = attr("method")
                    .map(|m| m.trim().to_ascii_uppercase())
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "GET".into());
                let index = self.out.forms.len();
                if let Some(id) = attr("id") {
                    self.form_ids.insert(id, index);
                }
                self.out.forms.push(Form {
                    page: self.page.to_string(),
                    action: action.to_string(),
                    method,
                    enctype: attr("enctype"),
                    fields: Vec::new(),
                    csrf_field: None,
                });
                return Some(index);
            }
            tag @ ("input" | "select" | "textarea" | "button") => {
                let name = attr("name")?.trim().to_string();
                if name.is_empty() {
                    return None;
                }
                let fi = attr("form")
                    .and_then(|id| self.form_ids.get(&id).copied())
                    .or(owner)?;
                let kind = match tag {
                    "input" => attr("type")
                        .map(|t| t.trim().to_ascii_lowercase())
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| "text".into()),
                    "button" => "button".into(),
                    other => other.to_string(),
                };
                let form = &mut self.out.forms[fi];
                if form.fields.len() >= MAX_FIELDS || form.fields.iter().any(|f| f.name == name) {
                    return None;
                }
                let csrf = kind == "hidden" && is_csrf_name(&name);
                if csrf && form.csrf_field.is_none() {
                    form.csrf_field = Some(name.clone());
                }
                form.fields.push(Field {
                    name,
                    value: if csrf {
                        None
                    } else {
                        attr("value").map(|v| v.chars().take(200).collect())
                    },
                    required: attr("required").is_some(),
                    kind,
                });
            }
            _ => {}
        }
        None
    }
}

/// Extracts links, forms, scripts and resources from `html`, resolving against `page`
/// (or the document's `<base href>`).
pub fn extract(page: &Url, html: &str) -> Extracted {
    let mut b = Builder {
        page,
        base: page.clone(),
        base_seen: false,
        out: Extracted::default(),
        form_ids: HashMap::new(),
    };
    if nesting_depth(html) > MAX_TREE_DEPTH {
        flat(&mut b, html);
        return b.out;
    }
    let doc = super::html::parse(html);
    // Form element node → index in `out.forms`.
    let mut form_nodes = HashMap::new();
    for node in doc.tree.root().descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        if el.name() == "title" && b.out.title.is_none() {
            let t: String = node
                .children()
                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                .collect();
            b.out.title = Some(clean_title(&t));
            continue;
        }
        let owner = if matches!(el.name(), "input" | "select" | "textarea" | "button") {
            node.ancestors()
                .take(MAX_FORM_DEPTH)
                .find_map(|a| form_nodes.get(&a.id()).copied())
        } else {
            None
        };
        if let Some(fi) = b.element(el.name(), &|n| el.attr(n).map(str::to_string), owner) {
            form_nodes.insert(node.id(), fi);
        }
    }
    b.out
}

fn clean_title(t: &str) -> String {
    t.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}

/// The deepest element nesting in `html`, estimated from start and end tags (linear).
pub fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "option",
    ];
    let b = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let closing = b[i + 1] == b'/';
        let s = i + 1 + usize::from(closing);
        let mut e = s;
        while e < b.len() && b[e].is_ascii_alphanumeric() {
            e += 1;
        }
        if e > s && b[s].is_ascii_alphabetic() {
            let name = html[s..e].to_ascii_lowercase();
            if closing {
                depth = depth.saturating_sub(1);
            } else if !VOID.contains(&name.as_str()) {
                depth += 1;
                max = max.max(depth);
            }
        }
        i = e.max(i + 1);
    }
    max
}

/// Tag-by-tag extraction without a tree, for documents too deeply nested for the tree builder.
fn flat(b: &mut Builder<'_>, html: &str) {
    use std::sync::OnceLock;
    static TAG: OnceLock<Option<(regex::Regex, regex::Regex)>> = OnceLock::new();
    let Some((tag, attr_re)) = TAG
        .get_or_init(|| {
            Some((
                regex::Regex::new(r"(?is)<(/?)([a-z][a-z0-9]*)\b([^>]{0,4000})>").ok()?,
                regex::Regex::new(
                    r#"(?is)([a-z_:][-a-z0-9_:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?"#,
                )
                .ok()?,
            ))
        })
        .as_ref()
    else {
        return;
    };
    let mut open_form: Option<usize> = None;
    for c in tag.captures_iter(html) {
        let name = c[2].to_ascii_lowercase();
        if &c[1] == "/" {
            if name == "form" {
                open_form = None;
            }
            continue;
        }
        let attrs: Vec<(String, String)> = attr_re
            .captures_iter(c.get(3).map_or("", |m| m.as_str()))
            .take(64)
            .map(|a| {
                let v = a
                    .get(2)
                    .or(a.get(3))
                    .or(a.get(4))
                    .map_or("", |m| m.as_str())
                    .replace("&amp;", "&");
                (a[1].to_ascii_lowercase(), v)
            })
            .collect();
        let lookup = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        if let Some(fi) = b.element(&name, &lookup, open_form) {
            open_form = Some(fi);
        }
    }
}

/// Whether a response looks like an HTML document worth parsing.
pub fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type.map(|c| c.to_ascii_lowercase()) {
        Some(c) if c.contains("html") => true,
        Some(c) if !c.trim().is_empty() && !c.starts_with("text/plain") => false,
        _ => {
            let head = &body[..body.len().min(1024)];
            let text = String::from_utf8_lossy(head).to_ascii_lowercase();
            !head.contains(&0) && (text.contains("<html") || text.contains("<!doctype html"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://app.example.go.id/dir/page.php?x=1").expect("url")
    }

    #[test]
    fn links_forms_scripts_and_csrf() {
        let html = r#"<html><head><title> Daftar
 Pegawai </title><script src="/js/app.js"></script>
<link rel="stylesheet" href="css/a.css"></head><body>
<a href="/item/1">1</a><a href="item/2#x">2</a><a href="mailto:a@b">m</a>
<a href="javascript:void(0)">j</a><a href="https://other.example/">o</a>
<form method="post" action="/simpan"><input type="hidden" name="_token" value="SECRET">
<input name="nama" required><select name="unit"><option>A</option></select>
<input type="radio" name="jk" value="L"><input type="radio" name="jk" value="P"></form>
<form action=""><input type="search" name="q" value="cuti"></form>
<input name="orphan" form="f2"><form id="f2" action="/cari"></form>
<img src="/uploads/foto/1.jpg"></body></html>"#;
        let e = extract(&page(), html);
        assert_eq!(e.title.as_deref(), Some("Daftar Pegawai"));
        let links: Vec<String> = e.links.iter().map(Url::to_string).collect();
        assert_eq!(
            links,
            [
                "https://app.example.go.id/item/1",
                "https://app.example.go.id/dir/item/2",
                "https://other.example/"
            ]
        );
        assert_eq!(e.scripts[0].as_str(), "https://app.example.go.id/js/app.js");
        assert_eq!(e.resources.len(), 2);
        assert_eq!(e.forms.len(), 3);
        let f = &e.forms[0];
        assert_eq!(
            (f.method.as_str(), f.action.as_str()),
            ("POST", "https://app.example.go.id/simpan")
        );
        assert_eq!(f.csrf_field.as_deref(), Some("_token"));
        assert!(
            f.fields
                .iter()
                .all(|x| x.value.as_deref() != Some("SECRET"))
        );
        assert_eq!(f.fields.len(), 4, "{:?}", f.fields);
        assert!(f.fields[1].required);
        let g = &e.forms[1];
        assert_eq!(g.method, "GET");
        assert_eq!(g.action, page().to_string());
        assert_eq!(g.fields[0].value.as_deref(), Some("cuti"));
        // A field before its form (form= attribute) is not attached: forms are seen in order.
        assert!(e.forms[2].fields.is_empty());
    }

    #[test]
    fn base_href_is_respected() {
        let e = extract(
            &page(),
            r#"<base href="https://app.example.go.id/v2/"><a href="x">x</a>"#,
        );
        assert_eq!(e.links[0].as_str(), "https://app.example.go.id/v2/x");
    }

    #[test]
    fn html_sniffing() {
        assert!(is_html(Some("text/html; charset=utf-8"), b""));
        assert!(!is_html(Some("application/json"), b"<html>"));
        assert!(is_html(None, b"<!DOCTYPE html><html>"));
        assert!(!is_html(None, b"\x00\x01<html>"));
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    #[test]
    fn deep_nesting_and_garbage_do_not_hang() {
        let u = Url::parse("https://a.example.go.id/").expect("url");
        let t = std::time::Instant::now();
        let deep = "<div>".repeat(100_000) + "<a href=/x>x</a>" + &"</div>".repeat(100_000);
        let e = extract(&u, &deep);
        assert_eq!(e.links.len(), 1);
        let formy = "<form><span>".repeat(20_000) + "<input name=a>";
        let _ = extract(&u, &formy);
        let bin: Vec<u8> = (0..2_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let _ = extract(&u, &String::from_utf8_lossy(&bin));
        let long = format!("<p>{}</p>", "a<b>".repeat(200_000));
        let _ = extract(&u, &long);
        assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
    }

    #[test]
    fn deep_documents_are_scanned_flat_with_the_same_results() {
        let u = Url::parse("https://a.example.go.id/").expect("url");
        let inner = r#"<a href="/x?a=1&amp;b=2">x</a><form action=/cari><input name=q value='k'><input type=hidden name=csrf_token value=s></form><script src="/j.js"></script>"#;
        let deep = "<div>".repeat(5_000) + inner;
        assert!(nesting_depth(&deep) > MAX_TREE_DEPTH);
        let (a, b) = (extract(&u, inner), extract(&u, &deep));
        assert_eq!(a.links, b.links);
        assert_eq!(a.forms, b.forms);
        assert_eq!(a.scripts, b.scripts);
        assert_eq!(b.links[0].as_str(), "https://a.example.go.id/x?a=1&b=2");
        assert_eq!(b.forms[0].csrf_field.as_deref(), Some("csrf_token"));
    }
}
