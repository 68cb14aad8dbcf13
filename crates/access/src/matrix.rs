//! The role replay matrix: which request to replay as which role.
//!
//! Roles come most privileged first. A request found by role R's crawl and not by a lower role
//! L's crawl is replayed as L, and as [`ANONYMOUS`] unless the anonymous crawl found it too;
//! the response of the role that found it is the reference ("owner"). When several higher roles
//! found it, the lowest of them is the owner: its page is the closest to what L would see.
//! Explicitly protected patterns add a case for every role they do not allow, whether or not
//! that role's crawl found the request. Logout links and static assets are never replayed.

use crate::urls;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use url::Url;

/// The role name for requests sent without a session.
pub const ANONYMOUS: &str = "anonymous";

/// One request found by a crawl.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Req {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Absolute URL.
    pub url: String,
}

impl Req {
    /// A GET request.
    pub fn get(url: impl Into<String>) -> Self {
        Req {
            method: "GET".into(),
            url: url.into(),
        }
    }

    /// The comparison key (see [`urls::request_key`]); `None` for unusable URLs.
    pub fn key(&self) -> Option<String> {
        urls::request_key(&self.method, &self.url)
    }
}

/// What one role's crawl found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoleCrawl {
    /// Role name as registered ([`ANONYMOUS`] for the crawl without a session).
    pub role: String,
    /// Requests in discovery order.
    pub requests: Vec<Req>,
}

/// A path the registration declares protected, and the roles allowed to use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protected {
    /// Path prefix (`/admin`) or glob with `*` (`/api/*/hapus`); see [`urls::path_matches`].
    pub pattern: String,
    /// Roles allowed; every other role, anonymous included, must be refused.
    pub allowed: Vec<String>,
}

/// Why a replay is expected to be refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ExpectReason {
    /// The owner's crawl found the request and the tested role's crawl did not.
    NotDiscovered,
    /// A protected pattern from the registration does not allow the tested role.
    Protected {
        /// The pattern that matched.
        pattern: String,
        /// The roles it allows.
        allowed: Vec<String>,
    },
}

/// One replay to perform: `req` with `as_role`'s session, compared with `owner`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayCase {
    /// The request, as the owner's crawl found it.
    pub req: Req,
    /// The role whose response is the reference.
    pub owner: String,
    /// The role to replay as ([`ANONYMOUS`]: no session).
    pub as_role: String,
    /// Why a refusal is expected.
    pub expect_denied_because: ExpectReason,
}

impl ReplayCase {
    /// Why this replay is made, in Bahasa Indonesia.
    pub fn why_id(&self) -> String {
        match &self.expect_denied_because {
            ExpectReason::NotDiscovered if self.as_role == ANONYMOUS => format!(
                "ditemukan saat penjelajahan sebagai peran '{}', tidak ditemukan tanpa sesi",
                self.owner
            ),
            ExpectReason::NotDiscovered => format!(
                "ditemukan saat penjelajahan sebagai peran '{}', tidak ditemukan sebagai peran '{}'",
                self.owner, self.as_role
            ),
            ExpectReason::Protected { pattern, allowed } => format!(
                "pola terlindungi '{pattern}' hanya mengizinkan peran: {}",
                allowed.join(", ")
            ),
        }
    }

    /// Why this replay is made, in English.
    pub fn why_en(&self) -> String {
        match &self.expect_denied_because {
            ExpectReason::NotDiscovered if self.as_role == ANONYMOUS => format!(
                "found while crawling as role '{}', not found without a session",
                self.owner
            ),
            ExpectReason::NotDiscovered => format!(
                "found while crawling as role '{}', not found as role '{}'",
                self.owner, self.as_role
            ),
            ExpectReason::Protected { pattern, allowed } => format!(
                "protected pattern '{pattern}' allows only the roles: {}",
                allowed.join(", ")
            ),
        }
    }
}

/// A request a crawl found, with what planning needs.
struct Found<'a> {
    key: String,
    req: &'a Req,
    path: String,
}

/// A parsed, replayable request: HTTP(S), not a logout link, not a static asset.
pub(crate) fn usable(req: &Req) -> Option<(String, Url)> {
    let url = Url::parse(req.url.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || urls::is_static_asset(&url)
        || urls::is_logout(&url)
    {
        return None;
    }
    let key = format!(
        "{} {}",
        req.method.trim().to_ascii_uppercase(),
        urls::normalise(&url)?
    );
    Some((key, url))
}

/// Plans the replays (see the module documentation), de-duplicated by request and role, capped
/// at `max` by taking one case from each (tested role, owner) pair in turn, protected-pattern
/// cases first within each pair. The order is deterministic for a given input.
pub fn plan(crawls: &[RoleCrawl], protected: &[Protected], max: usize) -> Vec<ReplayCase> {
    if max == 0 {
        return Vec::new();
    }
    let mut roles: Vec<&str> = Vec::new();
    for c in crawls {
        let r = c.role.trim();
        if !r.is_empty() && r != ANONYMOUS && !roles.contains(&r) {
            roles.push(r);
        }
    }
    roles.push(ANONYMOUS);
    let index: HashMap<&str, usize> = roles.iter().enumerate().map(|(i, r)| (*r, i)).collect();

    let mut found: Vec<Vec<Found<'_>>> = roles.iter().map(|_| Vec::new()).collect();
    let mut discovered: Vec<HashSet<String>> = roles.iter().map(|_| HashSet::new()).collect();
    for c in crawls {
        let Some(&ri) = index.get(c.role.trim()) else {
            continue;
        };
        for req in &c.requests {
            let Some((key, url)) = usable(req) else {
                continue;
            };
            let (Some(set), Some(list)) = (discovered.get_mut(ri), found.get_mut(ri)) else {
                continue;
            };
            if set.insert(key.clone()) {
                list.push(Found {
                    key,
                    req,
                    path: url.path().to_string(),
                });
            }
        }
    }

    // (tested role, owner) -> cases in generation order.
    let mut buckets: BTreeMap<(usize, usize), Vec<ReplayCase>> = BTreeMap::new();
    let mut seen: HashSet<(String, usize)> = HashSet::new();
    let mut push = |key: &str, req: &Req, owner: usize, as_role: usize, why: ExpectReason| {
        if !seen.insert((key.to_string(), as_role)) {
            return;
        }
        let (Some(o), Some(a)) = (roles.get(owner), roles.get(as_role)) else {
            return;
        };
        buckets
            .entry((as_role, owner))
            .or_default()
            .push(ReplayCase {
                req: req.clone(),
                owner: (*o).to_string(),
                as_role: (*a).to_string(),
                expect_denied_because: why,
            });
    };

    for p in protected {
        let allowed: Vec<&str> = p.allowed.iter().map(|a| a.trim()).collect();
        let is_allowed = |i: usize| roles.get(i).is_some_and(|r| allowed.contains(r));
        // The reference comes from an allowed role: it has a session and is entitled.
        let first_allowed =
            (0..roles.len()).find(|&i| is_allowed(i) && roles.get(i) != Some(&ANONYMOUS));
        let why = ExpectReason::Protected {
            pattern: p.pattern.clone(),
            allowed: p.allowed.clone(),
        };
        let mut matched = false;
        let mut done = HashSet::new();
        for (ri, list) in found.iter().enumerate() {
            for f in list {
                if !urls::path_matches(&p.pattern, &f.path) {
                    continue;
                }
                matched = true;
                if !done.insert(f.key.clone()) {
                    continue;
                }
                let owner = first_allowed.unwrap_or(ri);
                for li in 0..roles.len() {
                    if li != owner && !is_allowed(li) {
                        push(&f.key, f.req, owner, li, why.clone());
                    }
                }
            }
        }
        // A literal protected path no crawl reached is still tested, on the crawled origin.
        if !matched && !p.pattern.contains('*') && p.pattern.trim().starts_with('/') {
            let origin = crawls
                .iter()
                .flat_map(|c| c.requests.iter())
                .find_map(|r| Url::parse(r.url.trim()).ok().filter(|u| u.has_host()));
            let (Some(origin), Some(owner)) = (origin, first_allowed) else {
                continue;
            };
            let Ok(url) = origin.join(p.pattern.trim()) else {
                continue;
            };
            let req = Req::get(url.to_string());
            if let Some((key, _)) = usable(&req) {
                for li in 0..roles.len() {
                    if li != owner && !is_allowed(li) {
                        push(&key, &req, owner, li, why.clone());
                    }
                }
            }
        }
    }

    for li in 1..roles.len() {
        for oi in (0..li).rev() {
            let (Some(list), Some(lower)) = (found.get(oi), discovered.get(li)) else {
                continue;
            };
            for f in list {
                if !lower.contains(&f.key) {
                    push(&f.key, f.req, oi, li, ExpectReason::NotDiscovered);
                }
            }
        }
    }

    round_robin(buckets.into_values().collect(), max)
}

/// Takes one item from each queue in turn until `max` items or all queues are drained.
pub(crate) fn round_robin<T>(queues: Vec<Vec<T>>, max: usize) -> Vec<T> {
    let mut iters: Vec<std::vec::IntoIter<T>> = queues.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::new();
    loop {
        let mut took = false;
        for it in iters.iter_mut() {
            if out.len() >= max {
                return out;
            }
            if let Some(x) = it.next() {
                out.push(x);
                took = true;
            }
        }
        if !took {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crawl(role: &str, urls: &[&str]) -> RoleCrawl {
        RoleCrawl {
            role: role.into(),
            requests: urls.iter().map(|u| Req::get(*u)).collect(),
        }
    }

    fn cases_for<'a>(cases: &'a [ReplayCase], as_role: &str) -> Vec<&'a str> {
        cases
            .iter()
            .filter(|c| c.as_role == as_role)
            .map(|c| c.req.url.as_str())
            .collect()
    }

    fn sample() -> Vec<RoleCrawl> {
        vec![
            crawl(
                "admin",
                &[
                    "https://app.example.go.id/",
                    "https://app.example.go.id/admin/pengguna",
                    "https://app.example.go.id/admin/pengguna?_token=abc&hal=2",
                    "https://app.example.go.id/laporan",
                    "https://app.example.go.id/keluar",
                    "https://app.example.go.id/css/app.css",
                    "https://app.example.go.id/data/keluarga/5",
                ],
            ),
            crawl(
                "user_a",
                &[
                    "https://app.example.go.id/",
                    "https://app.example.go.id/laporan#atas",
                    "https://app.example.go.id/profil",
                ],
            ),
            crawl(
                "user_b",
                &[
                    "https://app.example.go.id/",
                    "https://app.example.go.id/profil",
                ],
            ),
            crawl(ANONYMOUS, &["https://app.example.go.id/"]),
        ]
    }

    #[test]
    fn not_discovered_cases() {
        let cases = plan(&sample(), &[], 100);
        let ua = cases_for(&cases, "user_a");
        assert!(ua.contains(&"https://app.example.go.id/admin/pengguna"));
        assert!(ua.contains(&"https://app.example.go.id/data/keluarga/5"));
        assert!(!ua.iter().any(|u| u.ends_with("/laporan")), "{ua:?}");
        assert!(
            !ua.iter()
                .any(|u| u.contains("keluar") && !u.contains("keluarga"))
        );
        assert!(!ua.iter().any(|u| u.ends_with(".css")));
        let ub = cases_for(&cases, "user_b");
        assert!(ub.iter().any(|u| u.ends_with("/laporan#atas")));
        // The closest higher role that found it is the owner.
        let lap = cases
            .iter()
            .find(|c| c.as_role == "user_b" && c.req.url.contains("laporan"))
            .unwrap();
        assert_eq!(lap.owner, "user_a");
        let anon = cases_for(&cases, ANONYMOUS);
        assert!(anon.iter().any(|u| u.ends_with("/profil")));
        assert!(!anon.contains(&"https://app.example.go.id/"));
        assert!(
            cases
                .iter()
                .all(|c| c.expect_denied_because == ExpectReason::NotDiscovered)
        );
        // Deduplicated: one case per (request, role).
        let mut keys: Vec<_> = cases
            .iter()
            .map(|c| (c.req.key().unwrap(), c.as_role.clone()))
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
        // Volatile parameters do not make a new request; other parameters do.
        assert_eq!(
            ua.iter().filter(|u| u.contains("/admin/pengguna")).count(),
            2
        );
    }

    #[test]
    fn deterministic_and_fair_cap() {
        let a = plan(&sample(), &[], 100);
        let b = plan(&sample(), &[], 100);
        assert_eq!(a, b);
        let capped = plan(&sample(), &[], 4);
        assert_eq!(capped.len(), 4);
        let roles: HashSet<_> = capped.iter().map(|c| c.as_role.as_str()).collect();
        assert!(roles.len() >= 3, "{roles:?}");
        assert!(plan(&sample(), &[], 0).is_empty());
    }

    #[test]
    fn protected_patterns() {
        let prot = [
            Protected {
                pattern: "/admin".into(),
                allowed: vec!["admin".into()],
            },
            Protected {
                pattern: "/profil*".into(),
                allowed: vec!["user_a".into(), "admin".into()],
            },
            Protected {
                pattern: "/setelan".into(),
                allowed: vec!["admin".into()],
            },
        ];
        let cases = plan(&sample(), &prot, 100);
        // user_b found /profil itself, but the pattern does not allow it.
        let c = cases
            .iter()
            .find(|c| c.as_role == "user_b" && c.req.url.ends_with("/profil"))
            .unwrap();
        assert!(matches!(
            c.expect_denied_because,
            ExpectReason::Protected { .. }
        ));
        assert_eq!(c.owner, "admin");
        assert!(c.why_en().contains("'/profil*'"));
        // The never-crawled literal path is tested on the crawled origin.
        let set: Vec<_> = cases
            .iter()
            .filter(|c| c.req.url == "https://app.example.go.id/setelan")
            .map(|c| c.as_role.as_str())
            .collect();
        assert_eq!(set, vec!["user_a", "user_b", ANONYMOUS]);
        // Protected cases come before discovery cases of the same pair.
        let first_ua = cases.iter().find(|c| c.as_role == "user_a").unwrap();
        assert!(matches!(
            first_ua.expect_denied_because,
            ExpectReason::Protected { .. }
        ));
    }

    #[test]
    fn hostile_input() {
        let crawls = vec![
            crawl(
                "admin",
                &["not a url", "javascript:alert(1)", "", "https://h/x"],
            ),
            crawl("", &["https://h/y"]),
            crawl("admin", &["https://h/z"]),
        ];
        let cases = plan(
            &crawls,
            &[Protected {
                pattern: "".into(),
                allowed: vec![],
            }],
            10,
        );
        assert!(cases.iter().all(|c| c.req.url.starts_with("https://h/")));
        assert!(!cases.is_empty());
        let texts = cases.iter().map(|c| (c.why_id(), c.why_en()));
        for (id, en) in texts {
            assert!(!id.is_empty() && !en.is_empty());
        }
    }

    #[test]
    fn round_robin_takes_in_turn() {
        let q = vec![vec![1, 2, 3], vec![10], vec![20, 21]];
        assert_eq!(round_robin(q.clone(), 10), vec![1, 10, 20, 2, 21, 3]);
        assert_eq!(round_robin(q, 2), vec![1, 10]);
    }
}
