//! Parsing a target's HTML without letting a hostile page choose the cost: html5ever walks
//! the stack of open elements for many tags, so a page of 200,000 nested `<div>`s costs
//! quadratic time. Browsers stop nesting at 512 levels; Kawal stops reading the page where its
//! nesting passes [`MAX_DEPTH`] and parses what came before.

use scraper::Html;

/// Deepest nesting read; deeper content is dropped (Chromium's parser caps at 512).
pub const MAX_DEPTH: usize = 1024;

/// Elements that never hold content.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// Elements whose end tag may be left out (they close themselves rather than nest).
const OPTIONAL_END: [&str; 17] = [
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
    "colgroup", "rb", "rt", "rp", "html",
];
/// Elements whose content is raw text, not markup.
const RAW: [&str; 5] = ["script", "style", "textarea", "title", "xmp"];

/// The prefix of `html` whose element nesting stays within `max` levels (the whole text when
/// it does). A rough, linear scan: it only needs to be right about pathological pages.
pub fn within_depth(html: &str, max: usize) -> &str {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = memchr(b'<', &b[i..]) {
        let at = i + off;
        let rest = &b[at + 1..];
        if rest.starts_with(b"!--") {
            i = find(b, at + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        if rest.first() == Some(&b'/') {
            depth = depth.saturating_sub(1);
            i = at + 2;
            continue;
        }
        let name_len = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        if name_len == 0 {
            i = at + 1;
            continue;
        }
        let name = String::from_utf8_lossy(&rest[..name_len]).to_ascii_lowercase();
        let end = memchr(b'>', &rest[name_len..]).map_or(b.len(), |e| at + 1 + name_len + e);
        let self_closing = end > 0 && b.get(end - 1) == Some(&b'/');
        if RAW.contains(&name.as_str()) {
            let close = format!("</{name}");
            i = find_ci(b, end, close.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if !self_closing && !VOID.contains(&name.as_str()) && !OPTIONAL_END.contains(&name.as_str())
        {
            depth += 1;
            if depth > max {
                return &html[..at];
            }
        }
        i = (end + 1).min(b.len());
    }
    html
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|c| *c == needle)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// Parses a target's page, nesting capped at [`MAX_DEPTH`].
pub fn parse(html: &str) -> Html {
    Html::parse_document(&without_controls(within_depth(html, MAX_DEPTH)))
}

/// The text with NUL and the other C0 control characters (tab, line feed, form feed and
/// carriage return kept) replaced by U+FFFD, as a browser shows NUL. html5ever reports each
/// such character as a parse error and scraper keeps every error, so a page of 2 MiB of NULs
/// (a decompressed gzip bomb) cost some 50 MB per parse.
pub fn without_controls(html: &str) -> std::borrow::Cow<'_, str> {
    let control = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\x0c' | '\r');
    if !html.contains(control) {
        return std::borrow::Cow::Borrowed(html);
    }
    std::borrow::Cow::Owned(html.replace(control, "\u{fffd}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_replacement_characters() {
        assert!(matches!(
            without_controls("<p>a\tb\r\n</p>"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(without_controls("a\0b\x07c"), "a\u{fffd}b\u{fffd}c");
        let doc = parse(&format!("<a href=/x>x</a>{}", "\0".repeat(100_000)));
        let sel = scraper::Selector::parse("a").expect("selector");
        assert_eq!(doc.select(&sel).count(), 1);
        assert!(
            doc.errors.len() < 100,
            "{} parse errors kept",
            doc.errors.len()
        );
    }

    #[test]
    fn pathological_nesting_is_cut_and_ordinary_pages_are_whole() {
        let deep = format!(
            "<html><body>{}x{}</body></html>",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        );
        let cut = within_depth(&deep, 100);
        assert!(cut.len() < 600, "cut at depth 100: {} bytes", cut.len());
        let page = format!(
            "<html><head><title>a<b</title><script>if (a<b) {{ x('<div>') }}</script></head><body><ul>{}</ul><p>one<p>two<br><img src=x /><!-- <div><div> --><div><span>t</span></div></body></html>",
            "<li>item".repeat(3000)
        );
        assert_eq!(
            within_depth(&page, 100),
            page,
            "unclosed <li> and <p> do not nest"
        );
        let started = std::time::Instant::now();
        let doc = parse(&format!("<a href=/x>x</a>{}", "<div>".repeat(200_000)));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        let sel = scraper::Selector::parse("a").expect("selector");
        assert_eq!(
            doc.select(&sel).count(),
            1,
            "what came before the cut is still read"
        );
    }
}
