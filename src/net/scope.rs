//! Which hosts a scan may talk to.

use serde::Serialize;
use url::Url;

/// The hosts an application registered; every request and redirect is checked against it.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    hosts: Vec<String>,
}

impl Scope {
    /// Scope of a target URL plus extra registered hosts (`*.example.go.id` allowed).
    pub fn new(target: &Url, extra: &[String]) -> Scope {
        let mut hosts: Vec<String> = target.host_str().map(normalise).into_iter().collect();
        for h in extra {
            let h = normalise(h);
            if !h.is_empty() && !hosts.contains(&h) {
                hosts.push(h);
            }
        }
        Scope { hosts }
    }

    /// Whether `url` is an http(s) URL on an in-scope host (any port).
    pub fn allows(&self, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let Some(host) = url.host_str().map(normalise) else {
            return false;
        };
        self.hosts
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                Some(parent) => {
                    host.len() > parent.len() + 1 && host.ends_with(&format!(".{parent}"))
                }
                None => *pattern == host,
            })
    }

    /// The registered host patterns.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }
}

fn normalise(h: &str) -> String {
    h.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("test url")
    }

    #[test]
    fn same_host_any_port_and_scheme_is_in_scope() {
        let s = Scope::new(&u("http://app.example.go.id/login"), &[]);
        assert!(s.allows(&u("https://APP.example.go.id:8443/x")));
        assert!(!s.allows(&u("https://evil.example.go.id/")));
        assert!(!s.allows(&u("https://app.example.go.id.evil.example/")));
        assert!(!s.allows(&u("ftp://app.example.go.id/")));
    }

    #[test]
    fn wildcard_covers_subdomains_not_the_parent_or_lookalikes() {
        let s = Scope::new(
            &u("https://a.kab.example.go.id/"),
            &["*.kab.example.go.id".into()],
        );
        assert!(s.allows(&u("https://sso.kab.example.go.id/")));
        assert!(!s.allows(&u("https://kab.example.go.id/")));
        assert!(!s.allows(&u("https://badkab.example.go.id/")));
    }

    #[test]
    fn ip_literals_match_exactly() {
        let s = Scope::new(&u("http://[::1]:8080/"), &[]);
        assert!(s.allows(&u("https://[::1]:9/")));
        assert!(!s.allows(&u("http://127.0.0.1/")));
    }
}
