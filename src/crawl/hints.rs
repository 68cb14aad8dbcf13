//! Discovery hints from `robots.txt` and `sitemap.xml` (pure parsing).

/// Most entries taken from one hint file.
pub const MAX_HINTS: usize = 5_000;

/// What `robots.txt` points at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    /// Literal paths from `Allow`/`Disallow` (without wildcards).
    pub paths: Vec<String>,
    /// `Sitemap:` URLs.
    pub sitemaps: Vec<String>,
}

/// Parses `robots.txt`; paths with wildcards are skipped since they name no page.
pub fn robots(text: &str) -> Robots {
    let mut r = Robots::default();
    for line in text.lines().take(MAX_HINTS * 4) {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "allow" | "disallow"
                if value.starts_with('/')
                    && value.len() > 1
                    && !value.contains(['*', '$'])
                    && r.paths.len() < MAX_HINTS
                    && !r.paths.iter().any(|p| p == value) =>
            {
                r.paths.push(value.to_string());
            }
            "sitemap" if !value.is_empty() && r.sitemaps.len() < 50 => {
                r.sitemaps.push(value.to_string());
            }
            _ => {}
        }
    }
    r
}

/// The `<loc>` entries of a sitemap or sitemap index (XML entities decoded).
pub fn sitemap_locs(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while out.len() < MAX_HINTS {
        let Some(i) = rest.find("<loc>") else {
            break;
        };
        rest = &rest[i + 5..];
        let Some(j) = rest.find("</loc>") else {
            break;
        };
        let loc = rest[..j]
            .trim()
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'");
        if !loc.is_empty() {
            out.push(loc);
        }
        rest = &rest[j + 6..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_paths_and_sitemaps() {
        let r = robots(
            "User-agent: *\nDisallow: /admin/ # panel\nDisallow: /*.pdf$\nAllow: /publik\nDisallow:\nSitemap: https://a.example.go.id/sitemap.xml\n",
        );
        assert_eq!(r.paths, ["/admin/", "/publik"]);
        assert_eq!(r.sitemaps, ["https://a.example.go.id/sitemap.xml"]);
    }

    #[test]
    fn sitemap_entries() {
        let l = sitemap_locs(
            "<urlset><url><loc> https://a.example.go.id/a?x=1&amp;y=2 </loc></url><url><loc><![CDATA[/b]]></loc></url><loc>unterminated",
        );
        assert_eq!(l, ["https://a.example.go.id/a?x=1&y=2", "/b"]);
    }
}
