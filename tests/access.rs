//! The access-control module against the demo target's authenticated area (every planted flaw
//! found, hardened twins clean) and against a real Flask application.

mod common;

use common::{fixture_roles, form_role};

use kawal::auth::{self, Marker, Recipe, Role};
use kawal::checks::Observation;
use kawal::checks::access::{self, AccessOptions};
use kawal::config::NetConfig;
use kawal::net::{HttpClient, Scope};
use kawal_fixture::{Fixture, FixtureConfig};
use std::sync::Arc;
use url::Url;

fn client(f: &Fixture, target: &Url) -> Arc<HttpClient> {
    let cfg = NetConfig {
        rate_limit: 0.0,
        extra_ca_pem: Some(f.ca_pem.clone().into_bytes()),
        ..NetConfig::default()
    };
    Arc::new(HttpClient::new(cfg, Scope::new(target, &[])).expect("client"))
}

async fn scan(cfg: FixtureConfig) -> (Vec<Observation>, access::Stats) {
    kawal::install_crypto_provider();
    let f = common::fixture(cfg).await;
    let base = f.https_url.clone().expect("https");
    let target = Url::parse(&base).expect("url");
    let http = client(&f, &target);
    let opts = AccessOptions {
        roles: fixture_roles(&base),
        ..AccessOptions::default()
    };
    let run = access::run(&http, &target, &opts, false).await;
    f.shutdown().await;
    (run.observations, run.stats)
}

fn fails<'a>(obs: &'a [Observation], item: &str) -> Vec<&'a str> {
    obs.iter()
        .filter(|o| o.item_id == item && o.outcome == kawal::model::Outcome::Fail)
        .map(|o| o.locator.as_deref().unwrap_or(""))
        .collect()
}

fn has(locators: &[&str], needle: &str) -> bool {
    locators.iter().any(|l| l.contains(needle))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_planted_access_flaw_is_found() {
    let (obs, stats) = scan(FixtureConfig::vulnerable().with_soft_404(true)).await;
    let roles = fails(&obs, access::ROLE_BYPASS);
    assert!(
        has(&roles, "/admin/pengguna"),
        "user reads the admin user list: {roles:?}"
    );
    assert!(
        roles
            .iter()
            .any(|l| l.starts_with("anonymous") && l.contains("/admin/laporan")),
        "anonymous reads the admin report: {roles:?}"
    );
    let idor = fails(&obs, access::IDOR);
    assert!(has(&idor, "/akun/surat/"), "IDOR in the path: {idor:?}");
    assert!(
        has(&idor, "/akun/profil?id="),
        "IDOR in the query: {idor:?}"
    );
    assert!(has(&idor, "/api/surat/"), "IDOR in the JSON API: {idor:?}");
    let secrets = fails(&obs, access::SECRETS);
    for p in ["/.git/HEAD", "/.env", "/backup.sql", "/config.php.bak"] {
        assert!(secrets.contains(&p), "{p}: {secrets:?}");
    }
    let forced = fails(&obs, access::FORCED);
    for p in ["/server-status", "/actuator/env"] {
        assert!(forced.contains(&p), "{p}: {forced:?}");
    }
    assert!(
        fails(&obs, access::ADMIN).contains(&"/phpmyadmin/"),
        "{obs:#?}"
    );
    let bypass = fails(&obs, access::BYPASS);
    assert!(has(&bypass, "/admin/konfigurasi"), "{bypass:?}");
    assert!(
        has(&bypass, "verb.head"),
        "HEAD passes the GET-only guard: {bypass:?}"
    );
    assert!(has(&bypass, "path."), "a path variant passes: {bypass:?}");
    assert!(has(&bypass, "header."), "a header trick passes: {bypass:?}");
    // Dot-segment variants are sent byte for byte (a URL parser would normalise them away).
    assert!(
        has(&bypass, "path.dot-segment") && has(&bypass, "path.encoded-dot"),
        "raw-path variants pass: {bypass:?}"
    );
    // Every finding shows both sides and says why.
    for o in obs
        .iter()
        .filter(|o| o.outcome == kawal::model::Outcome::Fail)
    {
        assert!(!o.evidence.is_empty(), "{o:?}");
        if o.item_id == access::ROLE_BYPASS || o.item_id == access::IDOR {
            assert!(
                o.evidence.len() >= 2,
                "privileged and replayed responses: {o:?}"
            );
            assert!(
                o.summary.en.contains('%'),
                "similarity is given: {}",
                o.summary.en
            );
        }
    }
    assert!(stats.replays > 0 && stats.bypass_requests > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardened_twins_give_no_findings() {
    let (obs, _) = scan(FixtureConfig::hardened().with_soft_404(true)).await;
    for item in [
        access::ROLE_BYPASS,
        access::IDOR,
        access::SECRETS,
        access::FORCED,
        access::ADMIN,
        access::BYPASS,
    ] {
        assert!(
            fails(&obs, item).is_empty(),
            "{item}: {:#?}",
            obs.iter().filter(|o| o.item_id == item).collect::<Vec<_>>()
        );
    }
    let pass = |item: &str| {
        obs.iter()
            .any(|o| o.item_id == item && o.outcome == kawal::model::Outcome::Pass)
    };
    assert!(
        pass(access::ROLE_BYPASS) && pass(access::IDOR) && pass(access::BYPASS),
        "{obs:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_cannot_log_in_is_inconclusive_and_named() {
    kawal::install_crypto_provider();
    let f = common::fixture(FixtureConfig::hardened()).await;
    let base = f.https_url.clone().expect("https");
    let target = Url::parse(&base).expect("url");
    let http = client(&f, &target);
    let opts = AccessOptions {
        roles: vec![form_role(&base, "budi", "budi", "salah-sandi", 10)],
        ..AccessOptions::default()
    };
    let obs = access::run(&http, &target, &opts, false).await.observations;
    f.shutdown().await;
    let role_item: Vec<&Observation> = obs
        .iter()
        .filter(|o| o.item_id == access::ROLE_BYPASS)
        .collect();
    assert!(!role_item.is_empty());
    for o in role_item {
        assert!(
            matches!(o.outcome, kawal::model::Outcome::Inconclusive { .. }),
            "{o:?}"
        );
        assert!(
            o.summary.en.contains("'budi' cannot log in"),
            "{}",
            o.summary.en
        );
    }
    let none = AccessOptions::default();
    let f = common::fixture(FixtureConfig::hardened()).await;
    let target = Url::parse(f.https_url.as_deref().expect("https")).expect("url");
    let obs = access::run(&client(&f, &target), &target, &none, false)
        .await
        .observations;
    f.shutdown().await;
    let idor = obs
        .iter()
        .find(|o| o.item_id == access::IDOR)
        .expect("idor");
    assert!(idor.summary.en.contains("No roles"), "{}", idor.summary.en);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_basic_logins_verify_their_marker() {
    kawal::install_crypto_provider();
    let f = common::fixture(FixtureConfig::hardened()).await;
    let base = f.https_url.clone().expect("https");
    let target = Url::parse(&base).expect("url");
    let http = client(&f, &target);
    let json = Role {
        name: "api_budi".into(),
        privilege: 10,
        recipe: Recipe::Json {
            url: format!("{base}/api/login"),
            username_field: "username".into(),
            password_field: "password".into(),
            username: "budi".into(),
            password: "Budi#2026".into(),
            token_pointer: "/token".into(),
        },
        marker: Marker {
            url: Some(format!("{base}/api/saya")),
            status: Some(200),
            text: Some("budi".into()),
            cookie: None,
        },
    };
    let s = auth::login(&http, &target, &json)
        .await
        .expect("json login");
    assert!(
        s.headers
            .iter()
            .any(|(k, v)| k == "authorization" && v.starts_with("Bearer "))
    );
    let wrong = Role {
        recipe: Recipe::Json {
            url: format!("{base}/api/login"),
            username_field: "username".into(),
            password_field: "password".into(),
            username: "budi".into(),
            password: "x".into(),
            token_pointer: "/token".into(),
        },
        ..json.clone()
    };
    let e = auth::login(&http, &target, &wrong)
        .await
        .expect_err("rejected");
    assert!(
        e.to_string().contains("api_budi") && e.to_string().contains("401"),
        "{e}"
    );
    let basic = Role {
        name: "arsip".into(),
        privilege: 100,
        recipe: Recipe::Basic {
            username: "admin".into(),
            password: "Admin#2026".into(),
        },
        marker: Marker {
            url: Some(format!("{base}/arsip-internal/")),
            status: Some(200),
            ..Marker::default()
        },
    };
    auth::login(&http, &target, &basic)
        .await
        .expect("basic login");
    let bad_basic = Role {
        recipe: Recipe::Basic {
            username: "admin".into(),
            password: "salah".into(),
        },
        ..basic
    };
    let e = auth::login(&http, &target, &bad_basic)
        .await
        .expect_err("401");
    assert!(e.to_string().contains("arsip"), "{e}");
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flask_idor_and_admin_pages_found_only_in_leaky_mode() {
    kawal::install_crypto_provider();
    for (mode, flawed) in [("leaky", true), ("hardened", false)] {
        let app = common::flask::flask(mode);
        let base = app.url.trim_end_matches('/').to_string();
        let target = Url::parse(&app.url).expect("url");
        let http = Arc::new(
            HttpClient::new(
                NetConfig {
                    rate_limit: 0.0,
                    ..NetConfig::default()
                },
                Scope::new(&target, &[]),
            )
            .expect("client"),
        );
        let opts = AccessOptions {
            roles: fixture_roles(&base),
            ..AccessOptions::default()
        };
        let obs = access::run(&http, &target, &opts, false).await.observations;
        drop(app);
        let idor = fails(&obs, access::IDOR);
        let roles = fails(&obs, access::ROLE_BYPASS);
        if flawed {
            assert!(has(&idor, "/akun/surat/"), "{mode}: {obs:#?}");
            assert!(
                has(&roles, "/admin/pengguna") || has(&roles, "/admin"),
                "{mode}: {roles:?}"
            );
        } else {
            assert!(
                idor.is_empty() && roles.is_empty(),
                "{mode}: {idor:?} {roles:?}"
            );
        }
    }
}

/// `kawal app auth …`: roles are stored encrypted (the password never reaches the database
/// file), listed without secrets, verified against the application, and removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_profiles_through_the_cli_are_encrypted_at_rest() {
    use common::{ca_file, kawal, run};
    let home = tempfile::tempdir().expect("tmp");
    let f = common::fixture(FixtureConfig::hardened()).await;
    let base = f.https_url.clone().expect("https");
    let ca = ca_file(&f, home.path());
    let k = |args: &[&str]| {
        let mut c = kawal(home.path());
        c.args(args)
            .env("BUDI_PASSWORD", "Budi#2026")
            .env("WRONG", "salah");
        run(c)
    };
    let (code, _, err) = k(&[
        "app",
        "add",
        "--name",
        "SIKAP",
        "--url",
        &base,
        "--agency",
        "Disdukcapil",
        "--owner",
        "pj@example.go.id",
    ]);
    assert_eq!(code, 0, "{err}");
    let login = format!("{base}/login");
    let (code, out, err) = k(&[
        "app",
        "auth",
        "add",
        "SIKAP",
        "budi",
        "--kind",
        "form",
        "--login-url",
        &login,
        "--username",
        "budi",
        "--password-env",
        "BUDI_PASSWORD",
        "--marker-text",
        "Masuk sebagai",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("budi"), "{out}");
    let (code, _, err) = k(&[
        "app",
        "auth",
        "add",
        "SIKAP",
        "tamu",
        "--kind",
        "form",
        "--login-url",
        &login,
        "--username",
        "budi",
        "--password-env",
        "WRONG",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = k(&[
        "app",
        "auth",
        "add",
        "SIKAP",
        "x",
        "--kind",
        "form",
        "--username",
        "u",
        "--password",
        "p",
    ]);
    assert_eq!(code, 2, "a form role needs its login URL");
    assert!(err.contains("--login-url"), "{err}");
    let db = std::fs::read(home.path().join("kawal.db")).expect("database file");
    let wal = std::fs::read(home.path().join("kawal.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(9).any(|w| w == b"Budi#2026"),
            "the password is not stored in clear"
        );
    }
    let (code, out, _) = k(&["app", "auth", "list", "SIKAP"]);
    assert_eq!(code, 0);
    assert!(out.contains("budi") && !out.contains("Budi#2026"), "{out}");
    let test = |role: &str| {
        let mut c = kawal(home.path());
        c.args(["app", "auth", "test", "SIKAP", role, "--ca-bundle"])
            .arg(&ca);
        run(c)
    };
    let (code, out, err) = test("budi");
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = test("tamu");
    assert_eq!(code, 1, "a wrong password fails the test");
    assert!(err.contains("'tamu'"), "the role is named: {err}");
    // Protected paths are part of the registration.
    let (code, _, err) = k(&[
        "app",
        "auth",
        "protect",
        "SIKAP",
        "/admin/*",
        "--allowed",
        "admin,operator",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = k(&[
        "app",
        "auth",
        "protect",
        "SIKAP",
        "admin/*",
        "--allowed",
        "admin",
    ]);
    assert_eq!(code, 2, "a pattern is a path: {err}");
    let (_, out, _) = k(&["app", "auth", "list", "SIKAP"]);
    assert!(out.contains("/admin/* → admin, operator"), "{out}");
    let (code, _, _) = k(&["app", "auth", "unprotect", "SIKAP", "/admin/*"]);
    assert_eq!(code, 0);
    let (_, out, _) = k(&["app", "auth", "list", "SIKAP"]);
    assert!(!out.contains("/admin/*"), "{out}");
    let (code, _, _) = k(&["app", "auth", "remove", "SIKAP", "tamu"]);
    assert_eq!(code, 0);
    let (code, _, err) = k(&["app", "auth", "remove", "SIKAP", "tamu"]);
    assert_eq!(code, 2, "{err}");
    f.shutdown().await;
}
