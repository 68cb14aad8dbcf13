//! Detection on real-framework test applications, scanned as a new user would: three roles
//! (an administrator and two ordinary users) registered as `[[role]]` in `kawal.toml`, then
//! `kawal scan` with the full checklist and default settings (rate limit off). Every planted
//! flaw must be found, no trap reported, and each hardened twin judged fully compliant except
//! what the TLS of a throw-away test certificate must report.

mod common;

use common::apps::{DJANGO_ROLES, EXPRESS_ROLES, PHP_ROLES, PORTAL_ROLES};
use common::portal::Portal;
use common::{item, kawal, run, status};

/// Runs `kawal scan` on `app` with `config` as `kawal.toml`; returns the JSON report.
fn scan(app: &Portal, config: &str) -> serde_json::Value {
    scan_with(app, config, &[])
}

/// [`scan`] with the checklist cut to `checks` (all of it when empty).
fn scan_with(app: &Portal, config: &str, checks: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tmp");
    // Login and marker URLs are absolute in kawal.toml.
    let config = config.replace("BASE/", &app.url);
    std::fs::write(dir.path().join("kawal.toml"), config).expect("config");
    let (code, out, err) = run({
        let mut c = kawal(dir.path());
        c.args([
            "scan",
            &app.url,
            "--format",
            "json",
            "--rate-limit",
            "0",
            "--ca-bundle",
        ])
        .arg(&app.cert);
        if !checks.is_empty() {
            c.arg("--checklist")
                .arg(common::checklist_of(dir.path(), checks));
        }
        c
    });
    assert!(matches!(code, 0 | 1), "exit {code}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"))
}

fn observations(v: &serde_json::Value, id: &str) -> Vec<serde_json::Value> {
    item(v, id)["observations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn text_of(v: &serde_json::Value, id: &str) -> String {
    serde_json::to_string(item(v, id)).expect("json")
}

/// Asserts item `id` failed, with an instance whose text contains every one of `needles`.
fn found(v: &serde_json::Value, id: &str, needles: &[&str]) {
    assert_eq!(status(v, id), "fail", "{id}: {}", item(v, id));
    let text = text_of(v, id);
    for n in needles {
        assert!(text.contains(n), "{id}: {n} not named: {text}");
    }
}

/// The failed instances of `id` (empty when none).
fn failures(v: &serde_json::Value, id: &str) -> Vec<serde_json::Value> {
    observations(v, id)
        .into_iter()
        .filter(|o| o["outcome"]["status"] == "fail")
        .collect()
}

/// Items a hardened application behind a throw-away test certificate may leave non-compliant:
/// the certificate is not publicly trusted, and idle/absolute timeouts are measured only when
/// a wait is configured.
fn excused(id: &str) -> bool {
    matches!(
        id,
        "tls.certificate" | "session.idle-timeout" | "session.absolute-timeout"
    )
}

/// Every automated item of a hardened twin is compliant, except the excused ones.
fn fully_compliant(v: &serde_json::Value) {
    let mut bad = Vec::new();
    for i in v["items"].as_array().expect("items") {
        let id = i["id"].as_str().unwrap_or("");
        let st = i["outcome"]["status"].as_str().unwrap_or("");
        if id.starts_with("manual.") || excused(id) {
            continue;
        }
        if !matches!(st, "pass" | "not_applicable") {
            bad.push(format!("{id}: {st}: {}", i["outcome"]));
        }
    }
    assert!(bad.is_empty(), "not compliant:\n{}", bad.join("\n"));
}

#[test]
fn express_spa_over_a_json_api_weak_flaws_are_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = common::node::express("weak", dir.path());
    let v = scan(&app, EXPRESS_ROLES);

    // The session cookie exists only after the JSON login; its flags are judged from there.
    for id in [
        "session.cookie.secure",
        "session.cookie.httponly",
        "session.cookie.samesite",
        "session.cookie.prefix",
    ] {
        let token = failures(&v, id)
            .into_iter()
            .find(|o| o["locator"] == "cookie:token")
            .unwrap_or_else(|| panic!("{id}: no failure for the token cookie: {}", item(&v, id)));
        assert!(token["figures"]["role"].is_string(), "{token}");
    }
    // Trap: the front end's `lang` preference is no session cookie.
    for id in ["session.cookie.httponly", "session.cookie.persistent"] {
        assert!(
            failures(&v, id)
                .iter()
                .all(|o| o["locator"] != "cookie:lang"),
            "{id}: {}",
            item(&v, id)
        );
    }
    // The token is the SHA-1 of a counter, seen through repeated JSON logins.
    found(&v, "session.token.construction", &["repeated_logins"]);
    // Logout through the endpoint the bundle names clears the cookie only.
    found(
        &v,
        "session.logout-invalidation",
        &["/api/auth/logout", "budi"],
    );
    assert_eq!(
        status(&v, "session.fixation"),
        "pass",
        "{}",
        item(&v, "session.fixation")
    );

    // Admin APIs named only in the bundle and only in the OpenAPI document.
    found(
        &v,
        "access.role-bypass",
        &["/api/admin/users", "/api/admin/audit"],
    );
    // Objects by UUID that appear only in each owner's JSON list.
    found(&v, "access.idor", &["/api/permohonan/"]);
    // A directory listing behind the login wall, found by forced browsing as each role.
    found(&v, "access.forced-browsing", &["/logs/", "budi", "siti"]);
    // The editor backup of the entry point, validated by its content.
    found(&v, "access.exposed-secrets", &["/server.js.bak"]);
    // Express's development error handler: the object API behind login crashes on a malformed
    // id, provoked as the logged-in roles (the same root cause as anonymous malformed JSON).
    found(&v, "errors.stack-trace", &["/api/permohonan/"]);
    let behind_login = failures(&v, "errors.stack-trace")
        .iter()
        .flat_map(|o| {
            o["figures"]["instances"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|i| {
            i["url"]
                .as_str()
                .is_some_and(|u| u.contains("/api/permohonan/"))
                && i["role"].is_string()
        })
        .count();
    assert!(behind_login > 0, "{}", item(&v, "errors.stack-trace"));

    // Traps: the public catalogue is the same for everyone; the plain 404 is no finding.
    for id in ["access.role-bypass", "access.idor"] {
        assert!(
            !text_of(&v, id).contains("/api/layanan"),
            "{id}: {}",
            item(&v, id)
        );
    }
    for o in failures(&v, "errors.generic-error-page") {
        assert_ne!(o["figures"]["status"], 404, "{o}");
    }
}

#[test]
fn express_spa_over_a_json_api_hardened_is_compliant() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = common::node::express("hardened", dir.path());
    let v = scan(&app, EXPRESS_ROLES);
    fully_compliant(&v);
    // The verdicts come from the logged-in side, not from anonymous pages.
    let with_role = observations(&v, "session.cookie.secure")
        .iter()
        .filter(|o| o["figures"]["role"].is_string())
        .count();
    assert!(with_role > 0, "{}", item(&v, "session.cookie.secure"));
}

#[test]
fn django_weak_flaws_are_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = common::portal::django("weak", dir.path());
    let v = scan(&app, DJANGO_ROLES);
    // The session cookie is issued at login, without Secure and HttpOnly.
    for id in ["session.cookie.secure", "session.cookie.httponly"] {
        found(&v, id, &["cookie:sessionid"]);
    }
    // Logout by link deletes the cookie only; found as the lowest role.
    found(&v, "session.logout-invalidation", &["/keluar/", "budi"]);
    // DEBUG = True: the traceback of a view behind login, and the technical 404 page.
    found(&v, "errors.stack-trace", &["/laporan/"]);
    found(&v, "errors.debug-mode", &[]);
    found(&v, "errors.internal-paths", &[]);
    // Numeric ids of leave requests (IDOR) and the user administration (role bypass).
    found(&v, "access.idor", &["/cuti/"]);
    found(&v, "access.role-bypass", &["/kelola/pengguna/"]);
    // The settings module's backup, named by the framework's conventions.
    found(&v, "access.exposed-secrets", &["/settings.py.bak"]);
    // The development server names its version.
    found(&v, "headers.version-disclosure", &["WSGIServer"]);
    // Traps: public announcements, the language preference cookie, a "keluarga" link.
    for id in ["access.idor", "access.role-bypass"] {
        assert!(
            !text_of(&v, id).contains("/pengumuman/"),
            "{id}: {}",
            item(&v, id)
        );
    }
    assert!(
        failures(&v, "session.cookie.httponly")
            .iter()
            .all(|o| o["locator"] != "cookie:django_language"),
        "{}",
        item(&v, "session.cookie.httponly")
    );
    for o in observations(&v, "session.logout-invalidation") {
        let url = o["figures"]["logout_url"].as_str().unwrap_or("");
        assert!(url.ends_with("/keluar/"), "{o}");
    }
}

#[test]
fn django_hardened_is_compliant() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = common::portal::django("hardened", dir.path());
    let v = scan(&app, DJANGO_ROLES);
    fully_compliant(&v);
}

#[test]
fn php_weak_flaws_are_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = common::portal::php("weak", dir.path());
    let v = scan(&app, PHP_ROLES);
    for id in [
        "session.cookie.secure",
        "session.cookie.httponly",
        "session.cookie.samesite",
    ] {
        found(&v, id, &["cookie:PHPSESSID"]);
    }
    // The anonymous PHPSESSID survives the login.
    found(&v, "session.fixation", &["PHPSESSID"]);
    found(&v, "session.logout-invalidation", &["/logout.php", "budi"]);
    // display_errors: the warning names the script's path, the uncaught exception its trace;
    // /cetak.php is reached only when logged in.
    found(&v, "errors.stack-trace", &["/cetak.php"]);
    found(&v, "errors.internal-paths", &[]);
    found(&v, "errors.phpinfo", &["/info.php"]);
    found(&v, "access.idor", &["/surat.php?id="]);
    found(&v, "access.role-bypass", &["/admin/pengguna.php"]);
    found(&v, "access.exposed-secrets", &["/koneksi.php.bak"]);
    found(&v, "headers.version-disclosure", &["PHP/"]);
    // Traps: public news by numeric id, the display preference cookie.
    for id in ["access.idor", "access.role-bypass"] {
        assert!(
            !text_of(&v, id).contains("/berita.php"),
            "{id}: {}",
            item(&v, id)
        );
    }
    for id in ["session.cookie.httponly", "session.cookie.secure"] {
        assert!(
            failures(&v, id)
                .iter()
                .all(|o| o["locator"] != "cookie:tema"),
            "{id}: {}",
            item(&v, id)
        );
    }
}

#[test]
fn php_hardened_is_compliant() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = common::portal::php("hardened", dir.path());
    let v = scan(&app, PHP_ROLES);
    fully_compliant(&v);
}

#[test]
fn flask_portal_weak_flaws_are_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = common::portal::portal("weak", dir.path());
    let v = scan(&app, PORTAL_ROLES);
    for id in ["session.cookie.secure", "session.cookie.httponly"] {
        found(&v, id, &["cookie:sid"]);
    }
    found(&v, "session.cookie.persistent", &["cookie:remember_token"]);
    found(&v, "session.token.construction", &["repeated_logins"]);
    found(&v, "session.logout-invalidation", &["/keluar", "budi"]);
    found(
        &v,
        "access.role-bypass",
        &["/api/admin/pengguna", "/api/admin/statistik"],
    );
    found(&v, "access.idor", &["/api/surat/"]);
    found(&v, "access.exposed-secrets", &["/app.py.bak"]);
    found(&v, "errors.stack-trace", &["/laporan"]);
    // Trap: Werkzeug's plain 404 for unknown paths is no finding.
    for o in failures(&v, "errors.generic-error-page") {
        assert_ne!(o["figures"]["status"], 404, "{o}");
    }
}

#[test]
fn flask_portal_hardened_is_compliant() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = common::portal::portal("hardened", dir.path());
    let v = scan(&app, PORTAL_ROLES);
    fully_compliant(&v);
}

#[test]
fn express_bearer_token_sessions_go_through_the_lifecycle_tests() {
    // The session tests as siti, whose JSON login hands out a bearer token.
    let config = format!("[session]\nrole = \"siti\"\n{EXPRESS_ROLES}");
    let dir = tempfile::tempdir().expect("tmp");
    let weak = common::node::express("weak", dir.path());
    let v = scan_with(&weak, &config, &["session-lifecycle"]);
    drop(weak);
    // The weak logout leaves the token valid.
    found(
        &v,
        "session.logout-invalidation",
        &["/api/auth/logout", "siti"],
    );
    assert_eq!(
        status(&v, "session.concurrent"),
        "pass",
        "{}",
        item(&v, "session.concurrent")
    );

    let hardened = common::node::express("hardened", dir.path());
    let v = scan_with(&hardened, &config, &["session-lifecycle"]);
    let o = &observations(&v, "session.logout-invalidation")[0];
    assert_eq!(o["outcome"]["status"], "pass", "{o}");
    assert_eq!(o["figures"]["role"], "siti", "{o}");
    // No cookie to plant before a bearer login.
    assert_eq!(
        status(&v, "session.fixation"),
        "not_applicable",
        "{}",
        item(&v, "session.fixation")
    );
}
