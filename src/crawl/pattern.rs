//! URL patterns: `/item/1` and `/item/2` are one pattern, so a crawl scales to large sites.

use url::Url;

/// The pattern of a URL: host and port, the path with identifier-like segments replaced by
/// placeholders, and the sorted query parameter names (values dropped).
pub fn pattern(u: &Url) -> String {
    let mut out = String::new();
    out.push_str(u.host_str().unwrap_or(""));
    if let Some(p) = u.port() {
        out.push(':');
        out.push_str(&p.to_string());
    }
    let segments: Vec<&str> = u.path().split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        if i == 0 {
            continue;
        }
        out.push('/');
        out.push_str(&segment_class(seg).unwrap_or_else(|| seg.to_string()));
    }
    let mut keys: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
    keys.sort();
    keys.dedup();
    if !keys.is_empty() {
        out.push('?');
        out.push_str(&keys.join("&"));
    }
    out
}

/// A placeholder for a path segment that looks like an identifier rather than a name.
fn segment_class(seg: &str) -> Option<String> {
    if seg.is_empty() {
        return None;
    }
    // Keep an extension, so `/foto/12.jpg` and `/foto/12.html` stay apart.
    let (stem, ext) = match seg.rsplit_once('.') {
        Some((s, e))
            if !s.is_empty() && e.len() <= 5 && e.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            (s, Some(e))
        }
        _ => (seg, None),
    };
    let class = if stem.bytes().all(|b| b.is_ascii_digit()) {
        "{n}"
    } else if is_uuid(stem) {
        "{uuid}"
    } else if stem.len() >= 16 && stem.bytes().all(|b| b.is_ascii_hexdigit()) {
        "{hex}"
    } else if is_date(stem) {
        "{date}"
    } else if stem.len() >= 24
        && stem.bytes().any(|b| b.is_ascii_digit())
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        "{token}"
    } else if let Some((head, tail)) = stem.rsplit_once('-')
        && !head.is_empty()
        && !tail.is_empty()
        && tail.bytes().all(|b| b.is_ascii_digit())
    {
        // Slugs with a trailing id: `berita-123`, `berita-124`.
        return Some(format!(
            "{head}-{{n}}{}",
            ext.map(|e| format!(".{e}")).unwrap_or_default()
        ));
    } else {
        return None;
    };
    Some(match ext {
        Some(e) => format!("{class}.{e}"),
        None => class.to_string(),
    })
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        pattern(&Url::parse(s).expect("url"))
    }

    #[test]
    fn identifiers_collapse_names_do_not() {
        assert_eq!(
            p("http://a.example.go.id/item/1"),
            p("http://a.example.go.id/item/2")
        );
        assert_eq!(
            p("http://a.example.go.id/item/1"),
            "a.example.go.id/item/{n}"
        );
        assert_ne!(
            p("http://a.example.go.id/item/1"),
            p("http://a.example.go.id/berita/1")
        );
        assert_eq!(
            p("http://a.example.go.id/u/123e4567-e89b-12d3-a456-426614174000/edit"),
            "a.example.go.id/u/{uuid}/edit"
        );
        assert_eq!(
            p("http://a.example.go.id/arsip/2024-01-31"),
            "a.example.go.id/arsip/{date}"
        );
        assert_eq!(
            p("http://a.example.go.id/berita-12"),
            p("http://a.example.go.id/berita-13")
        );
        assert_eq!(
            p("http://a.example.go.id/foto/12.jpg"),
            "a.example.go.id/foto/{n}.jpg"
        );
    }

    #[test]
    fn query_values_are_dropped_and_keys_sorted() {
        assert_eq!(
            p("http://a.example.go.id/cari?q=x&hal=2"),
            p("http://a.example.go.id/cari?hal=9&q=y")
        );
        assert_ne!(
            p("http://a.example.go.id/cari?q=x"),
            p("http://a.example.go.id/cari")
        );
        assert_ne!(
            p("http://a.example.go.id:8080/"),
            p("http://a.example.go.id/")
        );
    }
}
