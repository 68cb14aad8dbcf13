//! What the site answers for paths that do not exist ("soft 404").
//!
//! Many applications answer an unknown path with 200 and a "not found" page, their SPA
//! index.html, or a redirect to the home or login page. Forced browsing first requests a few
//! random paths of several shapes ([`probe_paths`]), learns those answers ([`Soft404::learn`]),
//! and then treats any answer that looks the same as "not found" ([`Soft404::is_not_found`]).
//! Pages that echo the requested path are compared with the path masked out.

use crate::observed::Observed;
use crate::similarity::{Fingerprint, similarity};
use crate::urls;
use serde::{Deserialize, Serialize};

/// Similarity to a learned answer at or above which a response is the soft-404 page.
pub const SAME_PAGE: f64 = 0.85;

/// Placeholder written where a page echoed the requested path.
const PATH_MASK: &str = "kawalpath";

/// One learned answer to a path that cannot exist.
#[derive(Debug, Clone)]
struct Learned {
    status: u16,
    /// Path of the redirect target with the probe path masked out, for 3xx.
    location: Option<String>,
    fingerprint: Fingerprint,
}

/// The learned answers to never-existing paths.
#[derive(Debug, Clone, Default)]
pub struct Soft404 {
    learned: Vec<Learned>,
}

/// Random-looking paths, deterministic for a seed, one per shape: no extension, `.php`, `.bak`,
/// a directory with a trailing slash, a dotfile, and a nested path.
pub fn probe_paths(seed: u64) -> Vec<String> {
    let mut state = seed ^ 0x6b61_7761_6c34_3034;
    let mut name = |len: usize| -> String {
        // No vowels a/e/o/u and no l/1/0: the names cannot spell words or be misread.
        const ALPHABET: &[u8] = b"bcdfghjkmnpqrstvwxz23456789";
        (0..len)
            .map(|_| {
                state = splitmix(state);
                let i = (state % ALPHABET.len() as u64) as usize;
                char::from(ALPHABET.get(i).copied().unwrap_or(b'x'))
            })
            .collect()
    };
    vec![
        format!("/{}", name(14)),
        format!("/{}.php", name(12)),
        format!("/{}.bak", name(12)),
        format!("/{}/", name(13)),
        format!("/.{}", name(12)),
        format!("/{}/{}", name(10), name(11)),
    ]
}

/// Learns from the answers to [`probe_paths`] (see [`Soft404::learn`]).
pub fn learn(samples: &[(String, Observed)]) -> Soft404 {
    Soft404::learn(samples)
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Soft404 {
    /// Random never-existing paths to request first (see [`probe_paths`]).
    pub fn probe_paths(seed: u64) -> Vec<String> {
        probe_paths(seed)
    }

    /// Learns from `(path, answer)` pairs for paths that cannot exist. Real 404/410 answers need
    /// no learning; everything else is remembered by status, redirect target and fingerprint.
    pub fn learn(samples: &[(String, Observed)]) -> Soft404 {
        let learned = samples
            .iter()
            .filter(|(_, o)| !matches!(o.status, 404 | 410))
            .map(|(path, o)| Learned {
                status: o.status,
                location: masked_location(path, o),
                fingerprint: masked_fingerprint(path, o),
            })
            .collect();
        Soft404 { learned }
    }

    /// True when nothing beyond real 404/410 was learned.
    pub fn is_empty(&self) -> bool {
        self.learned.is_empty()
    }

    /// True when `resp` (the answer to `path`) means "not found": a real 404 or 410, a redirect
    /// to the same place unknown paths are redirected to, or a response with the status of a
    /// learned answer whose body is the same page (at least [`SAME_PAGE`] similar, the
    /// requested path masked out of both).
    pub fn is_not_found(&self, path: &str, resp: &Observed) -> bool {
        if matches!(resp.status, 404 | 410) {
            return true;
        }
        let same_status: Vec<&Learned> = self
            .learned
            .iter()
            .filter(|l| l.status == resp.status)
            .collect();
        if same_status.is_empty() {
            return false;
        }
        if resp.is_redirect() {
            let loc = masked_location(path, resp);
            return same_status
                .iter()
                .any(|l| l.location.is_some() && l.location == loc);
        }
        let fp = masked_fingerprint(path, resp);
        same_status
            .iter()
            .any(|l| similarity(&l.fingerprint, &fp) >= SAME_PAGE)
    }
}

/// The fingerprint of a body with every echo of `path` replaced by a placeholder.
fn masked_fingerprint(path: &str, o: &Observed) -> Fingerprint {
    Fingerprint::of_body(&mask_path(&o.body, path), o.content_type.as_deref())
}

/// The redirect target's path with the requested path masked out; `None` without `Location`.
fn masked_location(path: &str, o: &Observed) -> Option<String> {
    if !o.is_redirect() {
        return None;
    }
    let loc = o.location.as_deref()?;
    let url = urls::resolve_location(loc, None)?;
    let p = mask_path(url.path(), path);
    Some(if p.is_empty() { "/".to_string() } else { p })
}

/// Replaces, case-insensitively, the forms in which a page may echo `path`: as sent, without
/// the leading slash, percent-decoded, percent-encoded, HTML-escaped, its last segment and that
/// segment without extension.
pub fn mask_path(body: &str, path: &str) -> String {
    let path = path.trim();
    let mut needles: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if s.len() >= 3 && !needles.contains(&s) {
            needles.push(s);
        }
    };
    add(path.to_string());
    add(path.trim_start_matches('/').to_string());
    add(path.trim_matches('/').to_string());
    add(percent_decode(path));
    add(percent_encode_path(path));
    add(path
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;"));
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    add(last.to_string());
    if let Some((stem, _)) = last.rsplit_once('.')
        && stem.len() >= 4
    {
        add(stem.to_string());
    }
    // Longest first, so the whole path is masked before its pieces.
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = body.to_string();
    for n in &needles {
        out = replace_ignore_ascii_case(&out, n, PATH_MASK);
    }
    out
}

fn replace_ignore_ascii_case(hay: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() || hay.len() < needle.len() {
        return hay.to_string();
    }
    let lower = hay.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(hay.len());
    let mut last = 0;
    for (start, _) in lower.match_indices(&needle) {
        // ASCII lowercasing keeps byte offsets, and a match of a valid UTF-8 needle starts and
        // ends on character boundaries.
        out.push_str(hay.get(last..start).unwrap_or_default());
        out.push_str(with);
        last = start + needle.len();
    }
    out.push_str(hay.get(last..).unwrap_or_default());
    out
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn percent_encode_path(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// What a soft-404 learning round looked like, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Probes answered with a real 404 or 410.
    pub real_404: usize,
    /// Probes answered with 2xx (soft 404).
    pub success: usize,
    /// Probes answered with a redirect.
    pub redirect: usize,
    /// Probes answered otherwise (403, 500, ...).
    pub other: usize,
}

impl Summary {
    /// Counts the answers by class.
    pub fn of(samples: &[(String, Observed)]) -> Self {
        let mut s = Summary {
            real_404: 0,
            success: 0,
            redirect: 0,
            other: 0,
        };
        for (_, o) in samples {
            match o.status {
                404 | 410 => s.real_404 += 1,
                200..=299 => s.success += 1,
                300..=399 => s.redirect += 1,
                _ => s.other += 1,
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testpages::{layout, soft404_page, spa_index, user_table};

    fn html(status: u16, body: String) -> Observed {
        Observed::new(status, body).with_content_type("text/html")
    }

    #[test]
    fn probe_paths_are_deterministic_and_shaped() {
        let a = probe_paths(7);
        assert_eq!(a, probe_paths(7));
        assert_ne!(a, probe_paths(8));
        assert_eq!(a.len(), 6);
        assert!(a.iter().all(|p| p.starts_with('/')));
        assert!(a[1].ends_with(".php") && a[2].ends_with(".bak") && a[3].ends_with('/'));
        assert!(a[4].starts_with("/."));
        assert_eq!(a[5].matches('/').count(), 2);
        assert_eq!(Soft404::probe_paths(7), a);
    }

    #[test]
    fn real_404_is_not_found_without_learning() {
        let s = Soft404::default();
        assert!(s.is_empty());
        assert!(s.is_not_found("/x", &Observed::new(404, "nope")));
        assert!(s.is_not_found("/x", &Observed::new(410, "")));
        assert!(!s.is_not_found("/x", &Observed::new(200, "<p>x</p>")));
    }

    #[test]
    fn echoing_soft_404_is_learned() {
        let paths = probe_paths(1);
        let samples: Vec<(String, Observed)> = paths
            .iter()
            .map(|p| (p.clone(), html(200, soft404_page(p))))
            .collect();
        let s = learn(&samples);
        assert!(!s.is_empty());
        assert!(s.is_not_found("/backup.sql", &html(200, soft404_page("/backup.sql"))));
        assert!(s.is_not_found(
            "/wp-config.php.bak",
            &html(200, soft404_page("/WP-CONFIG.PHP.BAK"))
        ));
        let real = html(
            200,
            layout("Data Pegawai", "", "t", "2024-05-01", &user_table(10)),
        );
        assert!(!s.is_not_found("/admin/", &real));
        assert!(!s.is_not_found("/.git/HEAD", &Observed::new(200, "ref: refs/heads/main\n")));
        // Same page with another status is not the learned answer.
        assert!(!s.is_not_found("/x", &html(500, soft404_page("/x"))));
        assert_eq!(Summary::of(&samples).success, 6);
    }

    #[test]
    fn spa_catch_all() {
        let samples: Vec<(String, Observed)> = probe_paths(2)
            .into_iter()
            .map(|p| (p, html(200, spa_index())))
            .collect();
        let s = Soft404::learn(&samples);
        assert!(s.is_not_found("/admin/", &html(200, spa_index())));
        assert!(!s.is_not_found(
            "/.env",
            &Observed::new(200, "APP_KEY=base64:abc\nDB_PASSWORD=x\n")
        ));
    }

    #[test]
    fn redirect_catch_all() {
        let samples: Vec<(String, Observed)> = probe_paths(3)
            .into_iter()
            .map(|p| {
                let loc = format!(
                    "https://app.example.go.id/login?next={}",
                    percent_encode_path(&p)
                );
                (p, Observed::new(302, "").with_location(loc))
            })
            .collect();
        let s = Soft404::learn(&samples);
        assert!(s.is_not_found(
            "/admin/",
            &Observed::new(302, "").with_location("/login?next=%2Fadmin%2F")
        ));
        assert!(!s.is_not_found(
            "/admin/",
            &Observed::new(302, "").with_location("/admin/dashboard")
        ));
        assert!(!s.is_not_found("/admin/", &Observed::new(301, "").with_location("/login")));
        // Trailing-slash redirects for every unknown directory.
        let samples = vec![(
            "/zzq3k9/".to_string(),
            Observed::new(301, "").with_location("/zzq3k9"),
        )];
        let s = Soft404::learn(&samples);
        assert!(s.is_not_found("/admin/", &Observed::new(301, "").with_location("/admin")));
    }

    #[test]
    fn masking() {
        let m = mask_path(
            "Halaman /Foo.BAK (foo.bak, %2Ffoo.bak) tidak ada",
            "/foo.bak",
        );
        assert!(!m.to_ascii_lowercase().contains("foo"), "{m}");
        assert_eq!(mask_path("é/aé", "é"), "é/aé");
        assert_eq!(mask_path("x", ""), "x");
        let _ = mask_path(&"a".repeat(10_000), &"a".repeat(5_000));
    }
}
