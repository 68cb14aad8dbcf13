//! Session checks on an application that issues its session only at login (a real Flask
//! portal over HTTPS): the cookies set at login and on authenticated pages are judged, tokens
//! are sampled by repeated logins of the lowest-privilege role, the lifecycle tests log in as
//! that role (the global `[login]` only as fallback), and logins and logouts pass CSRF checks
//! the way a browser does.

mod common;

use common::portal::{Portal, portal};
use common::{checklist_of, item, kawal, run, status};

const COOKIE_ITEMS: &[&str] = &[
    "session.cookie.secure",
    "session.cookie.httponly",
    "session.cookie.samesite",
    "session.cookie.prefix",
    "session.cookie.domain",
    "session.cookie.persistent",
];

/// The session checks.
const SESSION_CHECKS: &[&str] = &["cookies", "session-entropy", "session-lifecycle"];

/// Three roles: two form logins and one JSON login (cookie session, no token in the body).
const ROLES: &str = r#"
[[role]]
name = "admin"
privilege = 100
[role.recipe]
kind = "form"
url = "BASE/masuk"
username = "admin"
password = "Admin#2026"
[role.marker]
text = "Masuk sebagai"

[[role]]
name = "budi"
privilege = 10
[role.recipe]
kind = "form"
url = "BASE/masuk"
username = "budi"
password = "Budi#2026"
[role.marker]
text = "Masuk sebagai"

[[role]]
name = "siti"
privilege = 10
[role.recipe]
kind = "json"
url = "BASE/api/masuk"
username = "siti"
password = "Siti#2026"
token_pointer = ""
[role.marker]
url = "BASE/dasbor"
text = "Masuk sebagai"
"#;

/// A global `[login]` as the admin (used only when no role is registered).
fn global_login(extra: &str) -> String {
    format!(
        "[login]\nurl = \"BASE/masuk\"\nusername_field = \"username\"\npassword_field = \"password\"\nusername = \"admin\"\npassword = \"Admin#2026\"\n{extra}\n"
    )
}

fn scan(app: &Portal, config: &str) -> serde_json::Value {
    scan_with(app, config, SESSION_CHECKS)
}

fn scan_with(app: &Portal, config: &str, checks: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tmp");
    // Login URLs are absolute in kawal.toml.
    let config = config.replace("BASE/", &app.url);
    std::fs::write(dir.path().join("kawal.toml"), config).expect("config");
    let list = checklist_of(dir.path(), checks);
    let (_, out, err) = run({
        let mut c = kawal(dir.path());
        c.args([
            "scan",
            &app.url,
            "--format",
            "json",
            "--rate-limit",
            "0",
            "--session-samples",
            "100",
            "--ca-bundle",
        ])
        .arg(&app.cert)
        .arg("--checklist")
        .arg(&list);
        c
    });
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"))
}

fn observations<'a>(v: &'a serde_json::Value, id: &str) -> &'a Vec<serde_json::Value> {
    item(v, id)["observations"]
        .as_array()
        .expect("observations")
}

#[test]
fn weak_portal_flaws_behind_login_are_found_as_the_lowest_role() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = portal("weak", dir.path());
    // Roles win over the global [login] (which would log in as the admin).
    let v = scan(&app, &format!("{ROLES}\n{}", global_login("")));

    // The session cookie exists only after login: its flags are judged from the login answer.
    for id in [
        "session.cookie.secure",
        "session.cookie.httponly",
        "session.cookie.samesite",
        "session.cookie.prefix",
    ] {
        assert_eq!(status(&v, id), "fail", "{id}: {}", item(&v, id));
        let sid = observations(&v, id)
            .iter()
            .find(|o| o["locator"] == "cookie:sid")
            .unwrap_or_else(|| panic!("{id}: no instance for sid: {}", item(&v, id)));
        assert!(sid["figures"]["role"].is_string(), "{sid}");
    }
    // A cookie set on an authenticated page (/profil) is judged too.
    assert_eq!(status(&v, "session.cookie.persistent"), "fail");
    let remember = observations(&v, "session.cookie.persistent")
        .iter()
        .find(|o| o["locator"] == "cookie:remember_token")
        .unwrap_or_else(|| panic!("{}", item(&v, "session.cookie.persistent")));
    assert_eq!(remember["outcome"]["status"], "fail", "{remember}");

    // Tokens sampled by repeated logins of the lowest-privilege role reveal the counter.
    assert_eq!(
        status(&v, "session.token.construction"),
        "fail",
        "{}",
        item(&v, "session.token.construction")
    );
    let by = &observations(&v, "session.token.construction")[0]["figures"]["collected_by"];
    assert_eq!(by["kind"], "repeated_logins", "{by}");
    assert_eq!(by["role"], "budi", "{by}");
    assert!(
        by["logins"]
            .as_u64()
            .is_some_and(|n| (30..=100).contains(&n)),
        "{by}"
    );

    // The lifecycle tests ran as budi (lowest privilege, first by name), not the [login] admin.
    assert_eq!(
        status(&v, "session.logout-invalidation"),
        "fail",
        "{}",
        item(&v, "session.logout-invalidation")
    );
    for id in [
        "session.logout-invalidation",
        "session.fixation",
        "session.concurrent",
    ] {
        assert_eq!(
            observations(&v, id)[0]["figures"]["role"],
            "budi",
            "{id}: {}",
            item(&v, id)
        );
    }
    assert_eq!(status(&v, "session.fixation"), "pass");
    assert_eq!(status(&v, "session.concurrent"), "pass");
}

#[test]
fn hardened_portal_is_judged_after_browser_like_logins() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = portal("hardened", dir.path());
    // Logins need Origin and the double-submit tokens (form field, X-XSRF-TOKEN for JSON);
    // logout is a POST form with its CSRF token.
    let v = scan(&app, ROLES);
    for id in COOKIE_ITEMS {
        assert_eq!(status(&v, id), "pass", "{id}: {}", item(&v, id));
    }
    let roles: Vec<&str> = observations(&v, "session.cookie.secure")
        .iter()
        .filter_map(|o| o["figures"]["role"].as_str())
        .collect();
    assert!(!roles.is_empty(), "{}", item(&v, "session.cookie.secure"));
    for id in [
        "session.fixation",
        "session.logout-invalidation",
        "session.concurrent",
        "session.token.in-url",
        "session.token.jwt",
    ] {
        assert_eq!(status(&v, id), "pass", "{id}: {}", item(&v, id));
    }
    // 100 tokens are too few for a pass (1000 needed), never a failure of a sound generator.
    for id in ["session.token.entropy", "session.token.construction"] {
        assert_ne!(status(&v, id), "fail", "{id}: {}", item(&v, id));
    }
    let by = &observations(&v, "session.token.entropy")[0]["figures"]["collected_by"];
    assert_eq!(by["kind"], "repeated_logins", "{by}");
}

#[test]
fn global_login_is_the_fallback_and_a_refused_logout_proves_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = portal("hardened", dir.path());
    // Without roles the global [login] is used. Its logout URL answers GET with 405: the
    // logout was refused, so the item is inconclusive, never "not invalidated".
    let logout = format!("logout_url = \"{}keluar\"", app.url);
    let v = scan(&app, &global_login(&logout));
    let o = &observations(&v, "session.logout-invalidation")[0];
    assert_eq!(o["outcome"]["status"], "inconclusive", "{o}");
    assert!(
        o["outcome"]["reason"]["en"]
            .as_str()
            .is_some_and(|r| r.contains("refused") && r.contains("405")),
        "{o}"
    );
    assert_eq!(o["figures"]["role"], "admin", "{o}");
    assert_eq!(status(&v, "session.fixation"), "pass");

    // A [session] role that is not registered is named, and nothing logs in silently.
    let v = scan(&app, &format!("[session]\nrole = \"tamu\"\n{ROLES}"));
    let r = &item(&v, "session.fixation")["outcome"];
    assert_eq!(r["status"], "inconclusive", "{r}");
    assert!(
        r["reason"]["en"]
            .as_str()
            .is_some_and(|t| t.contains("'tamu'") && t.contains("budi")),
        "{r}"
    );
}

#[test]
fn errors_behind_login_are_provoked_as_each_role() {
    let dir = tempfile::tempdir().expect("tmp");
    let weak = portal("weak", dir.path());
    let v = scan_with(&weak, ROLES, &["error-leakage"]);
    // Only logged-in users reach /laporan and /api/surat/<id>; their tracebacks are found.
    assert_eq!(
        status(&v, "errors.stack-trace"),
        "fail",
        "{}",
        item(&v, "errors.stack-trace")
    );
    let o = observations(&v, "errors.stack-trace")
        .iter()
        .find(|o| o["outcome"]["status"] == "fail")
        .expect("finding");
    assert!(o["figures"]["role"].is_string(), "{o}");
    assert!(
        o["figures"]["request"]["method"]
            .as_str()
            .is_some_and(|m| matches!(m, "GET" | "HEAD" | "OPTIONS")),
        "{o}"
    );
    // /laporan is linked with its parameter; only the probe without it crashes the view.
    let instances = serde_json::to_string(&o["figures"]["instances"]).expect("json");
    assert!(
        instances.contains("laporan\"") && instances.contains("missing"),
        "{instances}"
    );
    // Werkzeug's plain 404 page for unknown paths is never a finding (the crash page is).
    for o in observations(&v, "errors.generic-error-page") {
        if o["outcome"]["status"] == "fail" {
            assert_ne!(o["figures"]["status"], 404, "{o}");
        }
    }
    drop(weak);

    let hardened = portal("hardened", dir.path());
    let v = scan_with(&hardened, ROLES, &["error-leakage"]);
    for id in [
        "errors.stack-trace",
        "errors.debug-mode",
        "errors.internal-paths",
        "errors.generic-error-page",
    ] {
        assert_eq!(status(&v, id), "pass", "{id}: {}", item(&v, id));
    }
}

#[test]
fn admin_apis_named_only_in_a_bundle_or_openapi_are_replayed() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = format!(
        "[access]\nprotected = [{{ pattern = \"/api/admin/*\", allowed = [\"admin\"] }}]\n{ROLES}"
    );
    let weak = portal("weak", dir.path());
    let v = scan_with(&weak, &config, &["access-control"]);
    drop(weak);
    assert_eq!(
        status(&v, "access.role-bypass"),
        "fail",
        "{}",
        item(&v, "access.role-bypass")
    );
    let text = serde_json::to_string(item(&v, "access.role-bypass")).expect("json");
    // One API is named only in the script bundle, the other only in the OpenAPI document;
    // both hand a lower role the administrator's JSON document.
    for path in ["/api/admin/pengguna", "/api/admin/statistik"] {
        assert!(text.contains(path), "{path}: {text}");
    }
    // The backup of the framework's conventional entry point (app.py) is found by its content.
    assert_eq!(status(&v, "access.exposed-secrets"), "fail");
    let secrets = serde_json::to_string(item(&v, "access.exposed-secrets")).expect("json");
    assert!(secrets.contains("/app.py.bak"), "{secrets}");

    let hardened = portal("hardened", dir.path());
    let v = scan_with(&hardened, &config, &["access-control"]);
    assert_ne!(status(&v, "access.exposed-secrets"), "fail");
    assert_eq!(
        status(&v, "access.role-bypass"),
        "pass",
        "{}",
        item(&v, "access.role-bypass")
    );
}

#[test]
fn repeated_logins_stay_within_their_bound() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = portal("weak", dir.path());
    // No repeated logins allowed: the token items say why instead of sampling.
    let v = scan(&app, &format!("[session]\nlogin_samples = 0\n{ROLES}"));
    let r = &item(&v, "session.token.entropy")["outcome"];
    assert_eq!(r["status"], "inconclusive", "{r}");
    assert!(
        r["reason"]["en"]
            .as_str()
            .is_some_and(|t| t.contains("login_samples")),
        "{r}"
    );
    // A bound below the first look still decides from what it may collect, never more.
    let v = scan(&app, &format!("[session]\nlogin_samples = 40\n{ROLES}"));
    let by = &observations(&v, "session.token.construction")[0]["figures"]["collected_by"];
    assert!(by["logins"].as_u64().is_some_and(|n| n <= 40), "{by}");

    let home = tempfile::tempdir().expect("tmp");
    std::fs::write(
        home.path().join("kawal.toml"),
        "[session]\nlogin_samples = 30000\n",
    )
    .expect("write");
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args(["scan", "https://127.0.0.1:9/"]);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("session.login_samples"), "{err}");
}
