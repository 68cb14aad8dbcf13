//! Was access enforced? Comparing a replayed response with the privileged one.
//!
//! Rules, in order (the first that applies decides):
//!
//! 1. Replay 401, 403 or 407: enforced.
//! 2. Replay 3xx to a login path (relative or absolute `Location`): enforced.
//! 3. Privileged 3xx: the same redirect (same path and query, volatile parameters ignored) is
//!    bypassed, unless it is a canonical redirect of the request URL (trailing slash, case,
//!    scheme or host; only known when [`Context::request_url`] is given), which is unclear
//!    because the target is judged on its own. Any other answer is unclear.
//! 4. Privileged not 2xx: unclear, nothing to compare.
//! 5. Replay 3xx elsewhere: unclear. 5xx: unclear. 404/410: enforced (hidden). Other 4xx and
//!    1xx: unclear (rate limiting, bad request, CSRF failure: not a clear denial).
//! 6. Replay 2xx: a denial message from [`Rules::denied_markers`] in the visible text that the
//!    privileged page does not show: enforced. A login form (password field) the privileged page
//!    does not have: enforced. An empty body where the privileged one had content (HEAD, 204):
//!    unclear, only the status is known. Two single-page-application shells: unclear, the data
//!    comes from an API. Otherwise by similarity: at least [`Rules::bypass_at`]: bypassed;
//!    below [`Rules::enforced_below`]: enforced (a different page); in between: unclear.

use crate::jsondoc;
use crate::matrix::ANONYMOUS;
use crate::observed::Observed;
use crate::similarity::{self, Fingerprint};
use crate::urls;
use serde::{Deserialize, Serialize};
use url::Url;

/// What counts as a denial, and where the similarity lines are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Paths of login pages; a redirect there means the request was refused.
    pub login_paths: Vec<String>,
    /// Texts that mean "access denied", matched case-insensitively in the visible text.
    pub denied_markers: Vec<String>,
    /// Similarity to the privileged response at or above which a replay is a bypass.
    pub bypass_at: f64,
    /// Similarity below which a replay is a different page (enforced).
    pub enforced_below: f64,
    /// JSON member names that change on every answer, besides [`jsondoc::VOLATILE_KEYS`].
    pub volatile_json_keys: Vec<String>,
}

impl Default for Rules {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        Rules {
            login_paths: s(&[
                "/login",
                "/masuk",
                "/signin",
                "/sign-in",
                "/sign_in",
                "/auth",
                "/logon",
                "/sso",
                "/cas/login",
                "/user/login",
                "/account/login",
                "/users/sign_in",
                "/wp-login.php",
                "/oauth/authorize",
                "/oauth2/authorize",
                "/adfs/ls",
            ]),
            denied_markers: s(&[
                "Akses ditolak",
                "Tidak memiliki hak akses",
                "Tidak memiliki akses",
                "Anda tidak berhak",
                "Tidak diizinkan",
                "Silakan login terlebih dahulu",
                "Silakan masuk terlebih dahulu",
                "Sesi Anda telah berakhir",
                "Access denied",
                "Forbidden",
                "Unauthorized",
                "Unauthorised",
                "Unauthenticated",
                "Not authorized",
                "Permission denied",
                "You do not have permission",
                "Please log in",
                "Session expired",
            ]),
            bypass_at: 0.90,
            enforced_below: 0.50,
            volatile_json_keys: Vec::new(),
        }
    }
}

impl Rules {
    /// True when a `Location` value (relative or absolute) points at a login page: the path is a
    /// login path, ends with one (`/index.php/login`, `/admin/masuk`), is one with a script
    /// extension (`/login.php`), or a query value names one (`?r=site/login`).
    pub fn is_login_location(&self, location: &str) -> bool {
        let Some(url) = urls::resolve_location(location, None) else {
            return false;
        };
        let path = url.path().to_ascii_lowercase();
        let path = path.trim_end_matches('/');
        let path_no_ext = path
            .rsplit_once('.')
            .filter(|(_, ext)| !ext.contains('/'))
            .map_or(path, |(stem, _)| stem);
        let values: Vec<String> = url
            .query_pairs()
            .map(|(_, v)| v.to_ascii_lowercase())
            .collect();
        self.login_paths.iter().any(|lp| {
            let lp = lp.trim().trim_end_matches('/').to_ascii_lowercase();
            if lp.is_empty() {
                return false;
            }
            let lp = if lp.starts_with('/') {
                lp
            } else {
                format!("/{lp}")
            };
            let seg = lp.rsplit('/').next().unwrap_or_default();
            path == lp
                || path.starts_with(&format!("{lp}/"))
                || path.ends_with(&lp)
                || path_no_ext.ends_with(&lp)
                || values.iter().any(|v| {
                    let v = v.trim_end_matches('/');
                    v == seg || v.ends_with(&format!("/{seg}")) || v.ends_with(&lp)
                })
        })
    }

    /// The first denial marker found in already-lowercased visible text.
    pub fn denied_marker_in<'a>(&'a self, visible_lower: &str) -> Option<&'a str> {
        self.denied_markers.iter().map(String::as_str).find(|m| {
            let m = fold_marker(m);
            !m.is_empty() && visible_lower.contains(&m)
        })
    }
}

/// Lowercases a marker and folds its whitespace like [`similarity::visible_text`] does.
fn fold_marker(m: &str) -> String {
    m.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Outcome of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The lower role was refused.
    Enforced,
    /// The lower role got what the privileged role got.
    Bypassed,
    /// The answers do not say; needs a look by hand.
    Unclear,
}

impl Verdict {
    /// Short Indonesian label.
    pub fn label_id(self) -> &'static str {
        match self {
            Verdict::Enforced => "terlindungi",
            Verdict::Bypassed => "tertembus",
            Verdict::Unclear => "belum pasti",
        }
    }

    /// Short English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Verdict::Enforced => "enforced",
            Verdict::Bypassed => "bypassed",
            Verdict::Unclear => "unclear",
        }
    }
}

/// A verdict with its reason in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// Similarity to the privileged response, when it was computed.
    pub similarity: Option<f64>,
    /// Reason in Bahasa Indonesia.
    pub why_id: String,
    /// Reason in English.
    pub why_en: String,
}

impl Judgement {
    pub(crate) fn new(
        verdict: Verdict,
        similarity: Option<f64>,
        why_id: String,
        why_en: String,
    ) -> Self {
        Judgement {
            verdict,
            similarity,
            why_id: capitalise(&why_id),
            why_en: capitalise(&why_en),
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A response with what the judgement needs computed once: fingerprint, lowercased visible
/// text, login-form and SPA-shell flags. Build one per privileged response and reuse it.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The response.
    pub observed: Observed,
    /// Its fingerprint.
    pub fingerprint: Fingerprint,
    visible_lower: String,
    password_form: bool,
    spa_shell: bool,
}

impl Prepared {
    /// Prepares a response for comparisons.
    pub fn new(observed: &Observed) -> Self {
        Prepared {
            observed: observed.clone(),
            fingerprint: observed.fingerprint(),
            visible_lower: similarity::visible_text(&observed.body).to_lowercase(),
            password_form: similarity::has_password_input(&observed.body),
            spa_shell: similarity::is_spa_shell(&observed.body),
        }
    }

    pub(crate) fn visible_lower(&self) -> &str {
        &self.visible_lower
    }

    pub(crate) fn password_form(&self) -> bool {
        self.password_form
    }

    pub(crate) fn spa_shell(&self) -> bool {
        self.spa_shell
    }
}

impl From<&Observed> for Prepared {
    fn from(o: &Observed) -> Self {
        Prepared::new(o)
    }
}

/// Who the two responses belong to, and what was requested; everything optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// Role whose response is the reference (the owner of the request).
    pub owner: Option<&'a str>,
    /// Role the request was replayed as ([`ANONYMOUS`] for no session).
    pub as_role: Option<&'a str>,
    /// The replayed URL, used to recognise canonical redirects.
    pub request_url: Option<&'a str>,
}

/// Noun phrases naming the two responses in the `why_*` texts.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    pub(crate) reference_id: String,
    pub(crate) reference_en: String,
    pub(crate) replay_id: String,
    pub(crate) replay_en: String,
}

impl Names {
    fn of(ctx: &Context<'_>) -> Self {
        let (reference_id, reference_en) = match ctx.owner {
            Some(o) => (
                format!("respons peran '{o}'"),
                format!("the response for role '{o}'"),
            ),
            None => ("respons asli".into(), "the original response".into()),
        };
        let (replay_id, replay_en) = match ctx.as_role {
            Some(r) if r == ANONYMOUS => (
                "respons tanpa sesi (anonim)".into(),
                "the response without a session (anonymous)".into(),
            ),
            Some(r) => (
                format!("respons peran '{r}'"),
                format!("the response for role '{r}'"),
            ),
            None => ("respons uji ulang".into(), "the replayed response".into()),
        };
        Names {
            reference_id,
            reference_en,
            replay_id,
            replay_en,
        }
    }
}

/// Judges a replayed response against the privileged response (see the module rules).
pub fn judge(privileged: &Observed, replay: &Observed, rules: &Rules) -> Judgement {
    judge_with(
        &Prepared::new(privileged),
        &Prepared::new(replay),
        rules,
        &Context::default(),
    )
}

/// [`judge`] with prepared responses and context (role names in the texts, canonical-redirect
/// recognition from the request URL).
pub fn judge_with(
    privileged: &Prepared,
    replay: &Prepared,
    rules: &Rules,
    ctx: &Context<'_>,
) -> Judgement {
    let n = Names::of(ctx);
    let p = &privileged.observed;
    let r = &replay.observed;
    let (rs, ps) = (r.status, p.status);

    if let Some(j) = refusal_by_status(replay, rules, &n) {
        return j;
    }
    if p.is_redirect() {
        let same = match (&p.location, &r.location) {
            (Some(a), Some(b)) if r.is_redirect() => {
                let (ka, kb) = (urls::location_key(a), urls::location_key(b));
                ka.is_some() && ka == kb
            }
            _ => false,
        };
        let loc = r.location.as_deref().unwrap_or_default();
        if same {
            let canonical = ctx
                .request_url
                .is_some_and(|u| is_canonical_redirect(u, loc));
            return if canonical {
                Judgement::new(
                    Verdict::Unclear,
                    None,
                    format!(
                        "{} dan {} sama-sama dialihkan ke {loc}, pengalihan kanonis (garis miring, huruf, skema atau host); halaman tujuannya dinilai tersendiri",
                        n.reference_id, n.replay_id
                    ),
                    format!(
                        "{} and {} both redirect to {loc}, a canonical redirect (slash, case, scheme or host); the target page is judged on its own",
                        n.reference_en, n.replay_en
                    ),
                )
            } else {
                Judgement::new(
                    Verdict::Bypassed,
                    None,
                    format!(
                        "{} dialihkan ke tempat yang sama dengan {} ({loc}, status {rs}): permintaan diproses seperti untuk peran yang berhak",
                        n.replay_id, n.reference_id
                    ),
                    format!(
                        "{} redirects to the same place as {} ({loc}, status {rs}): the request was handled as for the entitled role",
                        n.replay_en, n.reference_en
                    ),
                )
            };
        }
        return Judgement::new(
            Verdict::Unclear,
            None,
            format!(
                "{} berupa pengalihan (status {ps}) dan {} berstatus {rs}; tidak ada isi untuk dibandingkan",
                n.reference_id, n.replay_id
            ),
            format!(
                "{} is a redirect (status {ps}) and {} has status {rs}; there is no content to compare",
                n.reference_en, n.replay_en
            ),
        );
    }
    if !p.is_success() {
        return Judgement::new(
            Verdict::Unclear,
            None,
            format!(
                "{} berstatus {ps}, tidak ada isi untuk dibandingkan",
                n.reference_id
            ),
            format!(
                "{} has status {ps}; there is no content to compare",
                n.reference_en
            ),
        );
    }
    if let Some(j) = non_success(replay, &n) {
        return j;
    }
    if rs == 404 || rs == 410 {
        return Judgement::new(
            Verdict::Enforced,
            None,
            format!(
                "{} berstatus {rs} sedangkan {} berstatus {ps}: sumber daya disembunyikan dari peran ini",
                n.replay_id, n.reference_id
            ),
            format!(
                "{} has status {rs} while {} has status {ps}: the resource is hidden from this role",
                n.replay_en, n.reference_en
            ),
        );
    }
    if let Some(j) = refusal_by_content(privileged, replay, rules, &n) {
        return j;
    }
    if r.body_is_blank() && !p.body_is_blank() {
        return Judgement::new(
            Verdict::Unclear,
            None,
            format!(
                "{} berstatus {rs} tanpa isi (misalnya HEAD atau 204); hanya status yang dapat dinilai, konfirmasi dengan GET",
                n.replay_id
            ),
            format!(
                "{} has status {rs} and no body (for example HEAD or 204); only the status can be judged, confirm with GET",
                n.replay_en
            ),
        );
    }
    if rs == ps && jsondoc::same_document(&p.body, &r.body, &rules.volatile_json_keys) {
        return Judgement::new(
            Verdict::Bypassed,
            Some(1.0),
            format!(
                "{} berisi dokumen JSON yang sama dengan {} (100% sama selain kolom yang selalu berubah, status {rs})",
                n.replay_id, n.reference_id
            ),
            format!(
                "{} carries the same JSON document as {} (100% the same apart from volatile fields, status {rs})",
                n.replay_en, n.reference_en
            ),
        );
    }
    let s = similarity::similarity(&privileged.fingerprint, &replay.fingerprint);
    if privileged.spa_shell() && replay.spa_shell() && s >= rules.enforced_below {
        return Judgement::new(
            Verdict::Unclear,
            Some(s),
            format!(
                "{} dan {} adalah kerangka aplikasi satu halaman (SPA) yang sama; datanya dimuat lewat API, jadi uji permintaan API-nya",
                n.replay_id, n.reference_id
            ),
            format!(
                "{} and {} are the same single-page-application shell; its data comes from an API, so test the API requests",
                n.replay_en, n.reference_en
            ),
        );
    }
    by_similarity(s, rs, rules, &n)
}

/// Verdict from a similarity value alone, for a 2xx replay with content.
pub(crate) fn by_similarity(s: f64, status: u16, rules: &Rules, n: &Names) -> Judgement {
    let pc = percent(s);
    if s >= rules.bypass_at {
        Judgement::new(
            Verdict::Bypassed,
            Some(s),
            format!(
                "{} {pc}% sama dengan {} (status {status})",
                n.replay_id, n.reference_id
            ),
            format!(
                "{} is {pc}% similar to {} (status {status})",
                n.replay_en, n.reference_en
            ),
        )
    } else if s < rules.enforced_below {
        Judgement::new(
            Verdict::Enforced,
            Some(s),
            format!(
                "{} hanya {pc}% sama dengan {} (status {status}): halaman lain yang ditampilkan",
                n.replay_id, n.reference_id
            ),
            format!(
                "{} is only {pc}% similar to {} (status {status}): a different page was served",
                n.replay_en, n.reference_en
            ),
        )
    } else {
        let (lo, hi) = (percent(rules.enforced_below), percent(rules.bypass_at));
        Judgement::new(
            Verdict::Unclear,
            Some(s),
            format!(
                "{} {pc}% sama dengan {} (status {status}), di antara batas {lo}% dan {hi}%; periksa secara manual",
                n.replay_id, n.reference_id
            ),
            format!(
                "{} is {pc}% similar to {} (status {status}), between the {lo}% and {hi}% lines; check by hand",
                n.replay_en, n.reference_en
            ),
        )
    }
}

/// Rules 1 and 2: refusal by status or by a redirect to a login page.
pub(crate) fn refusal_by_status(replay: &Prepared, rules: &Rules, n: &Names) -> Option<Judgement> {
    let r = &replay.observed;
    let rs = r.status;
    if matches!(rs, 401 | 403 | 407) {
        return Some(Judgement::new(
            Verdict::Enforced,
            None,
            format!("{} berstatus {rs}: akses ditolak", n.replay_id),
            format!("{} has status {rs}: access denied", n.replay_en),
        ));
    }
    if r.is_redirect()
        && let Some(loc) = r.location.as_deref()
        && rules.is_login_location(loc)
    {
        return Some(Judgement::new(
            Verdict::Enforced,
            None,
            format!(
                "{} dialihkan ke halaman login ({loc}, status {rs})",
                n.replay_id
            ),
            format!(
                "{} redirects to the login page ({loc}, status {rs})",
                n.replay_en
            ),
        ));
    }
    None
}

/// Rule 5 without 404/410: redirects elsewhere, server errors, other 4xx and 1xx are unclear.
fn non_success(replay: &Prepared, n: &Names) -> Option<Judgement> {
    let r = &replay.observed;
    let rs = r.status;
    if r.is_success() || rs == 404 || rs == 410 {
        return None;
    }
    let (id, en) = if r.is_redirect() {
        let loc = r.location.as_deref().unwrap_or("-");
        (
            format!(
                "{} dialihkan ke {loc} (status {rs}), bukan ke halaman login; periksa secara manual",
                n.replay_id
            ),
            format!(
                "{} redirects to {loc} (status {rs}), not to a login page; check by hand",
                n.replay_en
            ),
        )
    } else if rs >= 500 {
        (
            format!(
                "{} berstatus {rs} (galat server); tidak dapat disimpulkan",
                n.replay_id
            ),
            format!(
                "{} has status {rs} (server error); inconclusive",
                n.replay_en
            ),
        )
    } else if rs == 429 {
        (
            format!(
                "{} berstatus 429 (permintaan dibatasi); ulangi dengan laju lebih rendah",
                n.replay_id
            ),
            format!(
                "{} has status 429 (rate limited); retry at a lower rate",
                n.replay_en
            ),
        )
    } else {
        (
            format!(
                "{} berstatus {rs}, bukan penolakan akses yang jelas (misalnya token CSRF atau parameter tidak valid)",
                n.replay_id
            ),
            format!(
                "{} has status {rs}, not a clear access denial (for example an invalid CSRF token or parameter)",
                n.replay_en
            ),
        )
    };
    Some(Judgement::new(Verdict::Unclear, None, id, en))
}

/// Rule 6, first part: a denial message or a login form in a 2xx replay that the reference does
/// not show. `reference` may be absent (bypass variants without a privileged response).
pub(crate) fn refusal_by_content(
    reference: &Prepared,
    replay: &Prepared,
    rules: &Rules,
    n: &Names,
) -> Option<Judgement> {
    refusal_by_content_opt(Some(reference), replay, rules, n)
}

pub(crate) fn refusal_by_content_opt(
    reference: Option<&Prepared>,
    replay: &Prepared,
    rules: &Rules,
    n: &Names,
) -> Option<Judgement> {
    let rs = replay.observed.status;
    if let Some(marker) = rules.denied_marker_in(replay.visible_lower()) {
        let in_reference =
            reference.is_some_and(|p| p.visible_lower().contains(&fold_marker(marker)));
        if !in_reference {
            return Some(Judgement::new(
                Verdict::Enforced,
                None,
                format!(
                    "{} (status {rs}) memuat pesan penolakan \"{marker}\"",
                    n.replay_id
                ),
                format!(
                    "{} (status {rs}) contains the denial message \"{marker}\"",
                    n.replay_en
                ),
            ));
        }
    }
    if replay.password_form() && !reference.is_some_and(Prepared::password_form) {
        return Some(Judgement::new(
            Verdict::Enforced,
            None,
            format!(
                "{} (status {rs}) berupa formulir login (ada kolom kata sandi)",
                n.replay_id
            ),
            format!(
                "{} (status {rs}) is a login form (it has a password field)",
                n.replay_en
            ),
        ));
    }
    None
}

/// A redirect from `request` to `location` that only changes the spelling of the same resource:
/// trailing slash, letter case, scheme, host, or an index file.
fn is_canonical_redirect(request: &str, location: &str) -> bool {
    let Ok(req) = Url::parse(request) else {
        return false;
    };
    let Some(target) = urls::resolve_location(location, Some(&req)) else {
        return false;
    };
    let strip = |p: &str| {
        let p = p.to_ascii_lowercase();
        let p = p
            .strip_suffix("index.php")
            .or_else(|| p.strip_suffix("index.html"))
            .map(str::to_string)
            .unwrap_or(p);
        p.trim_end_matches('/').to_string()
    };
    strip(req.path()) == strip(target.path()) && req.query() == target.query()
}

/// Similarity as a whole percentage, rounded down so 89.9% never reads as the 90% line.
pub(crate) fn percent(s: f64) -> u32 {
    if s.is_finite() {
        (s.clamp(0.0, 1.0) * 100.0).floor() as u32
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testpages::{layout, login_page, spa_index, user_table};

    fn page(user: &str, csrf: &str) -> String {
        layout(
            "Data Pegawai",
            user,
            csrf,
            "2024-05-01 10:00",
            &user_table(20),
        )
    }

    fn ok(body: &str) -> Observed {
        Observed::new(200, body).with_content_type("text/html; charset=utf-8")
    }

    fn v(p: &Observed, r: &Observed) -> Verdict {
        judge(p, r, &Rules::default()).verdict
    }

    #[test]
    fn status_refusals() {
        let p = ok(&page("admin", "a"));
        assert_eq!(v(&p, &Observed::new(403, "Forbidden")), Verdict::Enforced);
        assert_eq!(v(&p, &Observed::new(401, "")), Verdict::Enforced);
        assert_eq!(v(&p, &Observed::new(404, "not here")), Verdict::Enforced);
        assert_eq!(v(&p, &Observed::new(410, "")), Verdict::Enforced);
        assert_eq!(v(&p, &Observed::new(500, "oops")), Verdict::Unclear);
        assert_eq!(v(&p, &Observed::new(429, "")), Verdict::Unclear);
        assert_eq!(v(&p, &Observed::new(400, "bad")), Verdict::Unclear);
    }

    #[test]
    fn login_redirects() {
        let p = ok(&page("admin", "a"));
        for loc in [
            "/login",
            "/login?next=%2Fadmin",
            "https://app.kab.example.go.id/masuk",
            "https://sso.kab.example.go.id/auth/realms/pemda/protocol/openid-connect/auth?client_id=x",
            "/index.php?r=site/login",
            "/login.php",
            "../signin",
            "/admin/auth/",
        ] {
            let r = Observed::new(302, "").with_location(loc);
            assert_eq!(v(&p, &r), Verdict::Enforced, "{loc}");
        }
        let r = Observed::new(302, "").with_location("/dashboard");
        assert_eq!(v(&p, &r), Verdict::Unclear);
        let r = Observed::new(302, "").with_location("/catalog/loginfo");
        assert_eq!(v(&p, &r), Verdict::Unclear);
    }

    #[test]
    fn privileged_redirects() {
        let p = Observed::new(302, "").with_location("/admin/pegawai?pesan=terhapus");
        let same = Observed::new(302, "").with_location("https://app/admin/pegawai?pesan=terhapus");
        let j = judge(&p, &same, &Rules::default());
        assert_eq!(j.verdict, Verdict::Bypassed, "{}", j.why_en);
        let other = Observed::new(302, "").with_location("/beranda");
        assert_eq!(v(&p, &other), Verdict::Unclear);
        assert_eq!(
            v(&p, &Observed::new(302, "").with_location("/login")),
            Verdict::Enforced
        );
        assert_eq!(v(&p, &ok("<p>x</p>")), Verdict::Unclear);
        // Canonical redirect: only the trailing slash changes.
        let p = Observed::new(301, "").with_location("/admin/");
        let r = Observed::new(301, "").with_location("/admin/");
        let ctx = Context {
            request_url: Some("https://app/admin"),
            ..Context::default()
        };
        let j = judge_with(&(&p).into(), &(&r).into(), &Rules::default(), &ctx);
        assert_eq!(j.verdict, Verdict::Unclear);
    }

    #[test]
    fn privileged_not_success_is_unclear() {
        let p = Observed::new(500, "error");
        assert_eq!(v(&p, &ok("<p>x</p>")), Verdict::Unclear);
        assert_eq!(v(&p, &Observed::new(403, "")), Verdict::Enforced);
    }

    #[test]
    fn same_page_for_lower_role_is_bypassed_with_text() {
        let p = ok(&page("Budi Santoso", "tok-aaaaaaaaaaaaaaaaaaaaa1"));
        let r = ok(&page("Siti Aminah", "tok-bbbbbbbbbbbbbbbbbbbbb2"));
        let ctx = Context {
            owner: Some("admin"),
            as_role: Some("pengguna"),
            request_url: None,
        };
        let j = judge_with(&(&p).into(), &(&r).into(), &Rules::default(), &ctx);
        assert_eq!(j.verdict, Verdict::Bypassed);
        assert!(j.similarity.unwrap() > 0.9);
        assert!(
            j.why_id.starts_with("Respons peran 'pengguna' ")
                && j.why_id
                    .contains("% sama dengan respons peran 'admin' (status 200)"),
            "{}",
            j.why_id
        );
        assert!(
            j.why_en
                .contains("similar to the response for role 'admin'")
        );
        let anon = Context {
            as_role: Some(ANONYMOUS),
            ..ctx
        };
        let j = judge_with(&(&p).into(), &(&r).into(), &Rules::default(), &anon);
        assert!(j.why_id.starts_with("Respons tanpa sesi (anonim)"));
    }

    #[test]
    fn denial_pages_and_login_forms() {
        let p = ok(&page("admin", "a"));
        let denied = ok(&layout(
            "Peringatan",
            "user",
            "b",
            "2024",
            "<div class=alert>Maaf, Anda TIDAK   memiliki hak akses ke menu ini.</div>",
        ));
        let j = judge(&p, &denied, &Rules::default());
        assert_eq!(j.verdict, Verdict::Enforced);
        assert!(j.why_en.contains("Tidak memiliki hak akses"));
        assert_eq!(v(&p, &ok(&login_page("zz"))), Verdict::Enforced);
        // A marker the privileged page also shows does not count.
        let p2 = ok(&layout(
            "Log",
            "a",
            "b",
            "1",
            "<p>403 Forbidden: 12 kali</p><table><tr><td>baris</td></tr></table>",
        ));
        let r2 = ok(&layout(
            "Log",
            "c",
            "d",
            "2",
            "<p>403 Forbidden: 12 kali</p><table><tr><td>baris</td></tr></table>",
        ));
        assert_eq!(v(&p2, &r2), Verdict::Bypassed);
        // A marker inside a script is not visible.
        let r3 =
            ok(&page("user", "q")
                .replace("</head>", "<script>var m='Access denied';</script></head>"));
        assert_eq!(v(&p, &r3), Verdict::Bypassed);
    }

    #[test]
    fn different_page_and_middle_band() {
        let p = ok(&page("admin", "a"));
        let home = ok(&layout(
            "Beranda",
            "user",
            "b",
            "2024",
            "<p>Selamat datang di aplikasi kepegawaian.</p><ul><li>Pengumuman</li><li>Agenda</li></ul>",
        ));
        assert_eq!(v(&p, &home), Verdict::Enforced);
        let partial = ok(&layout(
            "Data Pegawai",
            "user",
            "b",
            "2024-05-01 10:00",
            &user_table(4),
        ));
        let j = judge(&p, &partial, &Rules::default());
        assert_eq!(j.verdict, Verdict::Unclear, "{:?}", j.similarity);
    }

    #[test]
    fn head_replays_and_empty_bodies() {
        let p = ok(&page("admin", "a"));
        assert_eq!(v(&p, &Observed::new(200, "")), Verdict::Unclear);
        assert_eq!(v(&p, &Observed::new(403, "")), Verdict::Enforced);
        let p0 = Observed::new(204, "");
        assert_eq!(v(&p0, &Observed::new(204, "")), Verdict::Bypassed);
    }

    #[test]
    fn identical_json_from_an_admin_api_is_a_bypass() {
        let doc = r#"{"data":[{"id":"7f1c2a9e-1b2c-4d3e-8f90-123456789abc","nama":"Dewi Lestari","peran":"admin","nik":"3273015507880003"},{"id":"0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d","nama":"Budi Santoso","peran":"pengguna","nik":"3273011203850001"}],"total":2,"generated_at":"2026-12-06T03:00:00Z","request_id":"rq-777"}"#;
        let p = Observed::new(200, doc).with_content_type("application/json");
        let later = doc
            .replace("03:00:00Z", "03:00:01Z")
            .replace("rq-777", "rq-778");
        let r = Observed::new(200, later).with_content_type("application/json");
        let j = judge(&p, &r, &Rules::default());
        assert_eq!(j.verdict, Verdict::Bypassed, "{j:?}");
        let small = r#"{"ok":true}"#;
        let p = Observed::new(200, small).with_content_type("application/json");
        let r = Observed::new(200, small).with_content_type("application/json");
        assert_eq!(v(&p, &r), Verdict::Bypassed);
        let denied =
            Observed::new(200, r#"{"error":"forbidden"}"#).with_content_type("application/json");
        assert_ne!(v(&p, &denied), Verdict::Bypassed);
    }

    #[test]
    fn spa_shells_are_unclear() {
        let p = ok(&spa_index());
        assert_eq!(v(&p, &ok(&spa_index())), Verdict::Unclear);
    }

    #[test]
    fn rule_texts_exist_in_both_languages() {
        let p = ok(&page("admin", "a"));
        let replies = [
            Observed::new(403, ""),
            Observed::new(302, "").with_location("/login"),
            Observed::new(302, "").with_location("/x"),
            Observed::new(404, ""),
            Observed::new(500, ""),
            Observed::new(429, ""),
            Observed::new(422, ""),
            Observed::new(200, ""),
            ok(&login_page("q")),
            ok("<p>Akses ditolak</p>"),
            ok(&page("u", "b")),
            ok("<p>lain</p>"),
        ];
        for r in &replies {
            let j = judge(&p, r, &Rules::default());
            assert!(!j.why_id.is_empty() && !j.why_en.is_empty());
            assert_ne!(j.why_id, j.why_en);
        }
        assert_eq!(percent(0.899), 89);
        assert_eq!(percent(f64::NAN), 0);
    }

    #[test]
    fn hostile_responses_do_not_panic() {
        let weird = [
            Observed::new(0, "\u{0}\u{FFFD}"),
            Observed::new(999, "<".repeat(10_000)),
            Observed::new(302, "").with_location("http://[::1"),
            Observed::new(302, "").with_location("\u{FFFD}//\\..;/%%%"),
            Observed::new(301, ""),
            Observed::new(200, "[".repeat(100_000)).with_content_type("application/json"),
            Observed::new(200, "<input type=password".repeat(1000)),
        ];
        for p in &weird {
            for r in &weird {
                let j = judge(p, r, &Rules::default());
                assert!(!j.why_id.is_empty());
                let ctx = Context {
                    owner: Some(""),
                    as_role: Some(""),
                    request_url: Some("::not a url::"),
                };
                let _ = judge_with(&p.into(), &r.into(), &Rules::default(), &ctx);
            }
        }
    }

    #[test]
    fn rules_roundtrip_and_defaults() {
        let r = Rules::default();
        assert!(r.bypass_at > r.enforced_below);
        let json = serde_json::to_string(&r).unwrap();
        let back: Rules = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let partial: Rules = serde_json::from_str(r#"{"bypass_at":0.95}"#).unwrap();
        assert_eq!(partial.bypass_at, 0.95);
        assert_eq!(partial.login_paths, r.login_paths);
    }
}
