//! Decisions that never overstate, through the real binary against the hardened demo target:
//! a provisional "meets" while critical/high manual items are open (its own exit code), re-decided
//! by recording them; `kawal scan` judging automated items only; the registration's CA used by
//! `kawal evaluate` without flags; names that can never be mistaken for ids.

mod common;

use common::{ca_file, kawal, run};
use kawal_fixture::FixtureConfig;
use std::path::{Path, PathBuf};

/// The shipped checklist cut down to the header checks and three manual items (high, critical,
/// medium), so the evaluation is quick and its automated part passes on the hardened target.
fn small_checklist(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/checklists/bssn-web.toml"
    ))
    .expect("checklist");
    let mut t: toml::Table = toml::from_str(&text).expect("toml");
    let items = t
        .get_mut("item")
        .and_then(|i| i.as_array_mut())
        .expect("items");
    items.retain(|i| {
        let id = i.get("id").and_then(|v| v.as_str()).unwrap_or("");
        ["headers.hsts", "headers.csp"].contains(&id)
            || ["manual.k01", "manual.k02", "manual.k03"].contains(&id)
    });
    assert_eq!(items.len(), 5);
    let p = dir.join("kecil.toml");
    std::fs::write(&p, toml::to_string(&t).expect("serialise")).expect("write");
    p
}

/// `kawal --checklist LIST …` in `home` (the test role's password in `SANDI`).
fn with_list<'a>(home: &'a Path, list: &'a Path) -> impl Fn(&[&str]) -> (i32, String, String) + 'a {
    move |args| {
        let mut c = kawal(home);
        c.arg("--checklist")
            .arg(list)
            .args(args)
            .env("SANDI", "Budi#2026");
        run(c)
    }
}

/// `kawal app add` of the application SIMPEG at `url`.
fn register(url: &str) -> [&str; 10] {
    [
        "app",
        "add",
        "--name",
        "SIMPEG",
        "--url",
        url,
        "--agency",
        "BKPSDM",
        "--owner",
        "o@example.go.id",
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_manual_items_make_meets_provisional_until_recorded() {
    let home = tempfile::tempdir().expect("tmp");
    let f = common::fixture(FixtureConfig::hardened()).await;
    let url = f.https_url.clone().expect("https");
    let ca = ca_file(&f, home.path());
    let list = small_checklist(home.path());
    let k = with_list(home.path(), &list);
    let ca_s = ca.to_str().expect("utf-8");
    let (code, _, err) = k(&[&register(&url)[..], &["--ca-bundle", ca_s]].concat());
    assert_eq!(code, 0, "{err}");

    // A registered role is a login for decision 2, though no [login] table is configured and
    // this checklist has no session-cookie item that could reveal one.
    let login = format!("{url}/login");
    let (code, _, err) = k(&[
        "app",
        "auth",
        "add",
        "SIMPEG",
        "budi",
        "--kind",
        "form",
        "--login-url",
        &login,
        "--username",
        "budi",
        "--password-env",
        "SANDI",
    ]);
    assert_eq!(code, 0, "{err}");

    // The registration's CA is used: no --ca-bundle here.
    let (code, out, err) = k(&["evaluate", "SIMPEG", "--format", "json"]);
    assert_eq!(code, 4, "provisional meets has its own exit code: {err}");
    let r: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(r["decision"]["meets_standard"], true);
    assert_eq!(r["facts"]["has_login"], true, "{}", r["facts"]);
    assert_eq!(
        r["decision"]["label"]["id"],
        "Memenuhi Standar (sementara): 2 butir manual kritis/tinggi belum dinilai"
    );
    assert_eq!(
        r["decision"]["pending_manual"],
        serde_json::json!(["manual.k01", "manual.k02"])
    );
    let (code, out, _) = k(&["evaluations", "SIMPEG"]);
    assert_eq!(code, 0);
    assert!(out.contains("Memenuhi Standar (sementara)"), "{out}");
    let (code, out, _) = k(&["--lang", "en", "evaluate", "SIMPEG"]);
    assert_eq!(code, 4);
    assert!(out.contains("Meets the Standard (provisional)"), "{out}");

    // Recording the items re-decides the stored evaluation.
    for (item, n) in [("manual.k01", "1"), ("manual.k02", "0")] {
        let (code, out, err) = k(&[
            "evaluation",
            "record-manual",
            "SIMPEG",
            item,
            "--outcome",
            "pass",
            "--actor",
            "Tim Analisis",
        ]);
        assert_eq!(code, 0, "{out}{err}");
        let (_, out, _) = k(&["evaluations", "SIMPEG", "--json"]);
        let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
        let latest = &rows[0];
        assert_eq!(latest["meets_standard"], true, "{rows}");
        assert_eq!(latest["provisional"], n == "1", "after {item}: {rows}");
    }
    let (code, out, _) = k(&["evaluation", "show", "SIMPEG"]);
    assert_eq!(code, 0);
    assert!(!out.contains("sementara"), "{out}");

    // kawal scan judges the automated items only and says so.
    let (code, out, err) = k(&["scan", &url, "--ca-bundle", ca_s]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("hanya menilai butir otomatis"), "{err}");
    assert!(out.contains("Hanya butir otomatis yang dinilai"), "{out}");
    assert!(!out.contains("sementara"), "{out}");
    f.shutdown().await;
}

#[test]
fn application_names_are_never_ids() {
    let home = tempfile::tempdir().expect("tmp");
    let k = |args: &[&str]| {
        let mut c = kawal(home.path());
        c.args(args);
        run(c)
    };
    let add = |name: &str| {
        k(&[
            "app",
            "add",
            "--name",
            name,
            "--url",
            "https://simpeg.example.go.id",
            "--agency",
            "BKPSDM",
            "--owner",
            "o@example.go.id",
        ])
    };
    let (code, _, err) = add("SIMPEG");
    assert_eq!(code, 0, "{err}");
    for bad in ["12", "#2", " 7 "] {
        let (code, _, err) = add(bad);
        assert_eq!(code, 2, "'{bad}' is refused: {err}");
        assert!(
            err.contains("id aplikasi") && err.contains("APP-12"),
            "{err}"
        );
    }
    let (code, _, err) = add("2026-SIPD");
    assert_eq!(code, 0, "digits with letters are a name: {err}");
    // Digits (or #digits) always mean the id.
    let (code, out, _) = k(&["app", "show", "2"]);
    assert_eq!(code, 0);
    assert!(out.contains("2026-SIPD"), "{out}");
    let (code, out, _) = k(&["app", "show", "#1"]);
    assert_eq!(code, 0);
    assert!(out.contains("SIMPEG"), "{out}");
    let (code, _, err) = k(&["app", "edit", "SIMPEG", "--name", "44"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = k(&["app", "show", "99"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("'99'") && err.contains("tidak ditemukan"),
        "{err}"
    );
}

/// `--insecure` and `--ca-bundle` belong to the registration: without them the demo target's
/// certificate fails, with `--insecure` the evaluation runs; a file without a certificate is
/// refused at registration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_insecure_switch_is_honoured_and_bad_bundles_refused() {
    let home = tempfile::tempdir().expect("tmp");
    let f = common::fixture(FixtureConfig::hardened()).await;
    let url = f.https_url.clone().expect("https");
    let list = small_checklist(home.path());
    let k = with_list(home.path(), &list);
    let add = register(&url);
    let junk = home.path().join("bukan-ca.pem");
    std::fs::write(&junk, "bukan sertifikat").expect("write");
    let (code, _, err) = k(&[&add[..], &["--ca-bundle", junk.to_str().expect("utf-8")]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bukan-ca.pem") && err.contains("no PEM certificate"),
        "{err}"
    );
    let (code, _, err) = k(&add);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = k(&["evaluate", "SIMPEG"]);
    assert_eq!(code, 3, "an unknown CA stops the evaluation: {err}");
    assert!(
        err.contains("--insecure") || err.contains("--ca-bundle"),
        "{err}"
    );
    let (code, out, _) = k(&["app", "edit", "SIMPEG", "--insecure", "true"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Abaikan sertifikat") && out.contains("ya"),
        "{out}"
    );
    let (code, _, err) = k(&["evaluate", "SIMPEG"]);
    assert_eq!(code, 4, "the registration's insecure switch is used: {err}");
    f.shutdown().await;
}

/// Runs the statements of migration 0006 that rename purely numeric names (names registered
/// before the rule), after putting such names in place behind the store's back.
async fn numeric_names_renamed(store: &kawal::store::Store, exec: impl AsyncFn(&str)) {
    store
        .add_apps(&[kawal::store::NewApp {
            name: "SIMPEG".into(),
            url: "https://simpeg.example.go.id".into(),
            agency: "BKPSDM".into(),
            owner: "o@example.go.id".into(),
            timezone: "Asia/Jakarta".into(),
            ..kawal::store::NewApp::default()
        }])
        .await
        .expect("app");
    for name in ["12", "APP-12x", "007"] {
        exec(&format!("INSERT INTO application (name, url, agency_id, owner, timezone, created_at, updated_at) SELECT '{name}', url, agency_id, owner, timezone, created_at, updated_at FROM application WHERE name = 'SIMPEG'")).await;
    }
    // A name the first rename would collide with.
    exec("UPDATE application SET name = 'APP-007' WHERE name = 'APP-12x'").await;
    let file = if store.backend() == "sqlite" {
        "sqlite"
    } else {
        "postgres"
    };
    let sql = std::fs::read_to_string(format!(
        "{}/migrations/{file}/0006_fleet.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("migration");
    for stmt in sql
        .split(';')
        .filter(|s| s.contains("UPDATE application SET name"))
    {
        exec(stmt.trim()).await;
    }
    let mut names: Vec<String> = store
        .list_apps()
        .await
        .expect("list")
        .into_iter()
        .map(|a| a.name)
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.contains(&"APP-12".to_string()), "{names:?}");
    assert!(names.contains(&"APP-007".to_string()), "kept: {names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("APP-007-")),
        "a colliding name gets its id: {names:?}"
    );
    assert!(
        names
            .iter()
            .all(|n| kawal::store::validate_app_name(n).is_ok()),
        "{names:?}"
    );
}

#[tokio::test]
async fn migration_renames_numeric_names_sqlite() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}/k.db", dir.path().display());
    let store = kawal::store::Store::open(&url).await.expect("store");
    let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
    numeric_names_renamed(&store, async |sql: &str| {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&pool)
            .await
            .expect(sql);
    })
    .await;
}

#[tokio::test]
async fn migration_renames_numeric_names_postgres() {
    let Some(url) = common::pg_url() else { return };
    let schema = format!("kawal_names_{}", std::process::id());
    let store = kawal::store::Store::open_pg_schema(&url, &schema)
        .await
        .expect("pg");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .after_connect({
            let schema = schema.clone();
            move |c, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET search_path = {schema}")))
                        .execute(c)
                        .await
                        .map(|_| ())
                })
            }
        })
        .connect(&url)
        .await
        .expect("pool");
    numeric_names_renamed(&store, async |sql: &str| {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&pool)
            .await
            .expect(sql);
    })
    .await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&pool)
        .await
        .expect("drop");
}
