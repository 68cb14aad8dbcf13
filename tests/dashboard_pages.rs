//! The dashboard pages without a browser, on SQLite and PostgreSQL: lists page and filter on
//! the server, an owner reaches only their agency (404 by URL otherwise), forms need the
//! session's CSRF token and a same-origin Origin, and pages carry no inline script or style.

mod common;

use axum::http::{StatusCode, header};
use common::pages::{self, add_user, call, csrf, login};
use kawal::store::{NewApp, Store};
use std::sync::Arc;
use time::OffsetDateTime;

async fn store(backend: &str) -> Option<(Arc<Store>, Option<(String, String)>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("tmp");
    if backend == "sqlite" {
        let url = format!("sqlite://{}/k.db", dir.path().display());
        return Some((
            Arc::new(Store::open(&url).await.expect("sqlite")),
            None,
            dir,
        ));
    }
    let url = common::pg_url()?;
    let schema = format!(
        "kawal_pages_{}_{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    );
    let s = Store::open_pg_schema(&url, &schema).await.expect("pg");
    Some((Arc::new(s), Some((url, schema)), dir))
}

async fn drop_schema(place: Option<(String, String)>) {
    if let Some((url, schema)) = place {
        let pool = sqlx::PgPool::connect(&url).await.expect("cleanup");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&pool)
            .await
            .expect("drop schema");
    }
}

async fn pages_on(backend: &str) {
    let Some((store, place, _dir)) = store(backend).await else {
        return;
    };
    kawal::install_crypto_provider();
    let (svc, r) = pages::service(store.clone());
    add_user(&svc, &store, "admin", "administrator", None).await;
    add_user(&svc, &store, "seksi", "kepala-seksi", None).await;
    add_user(&svc, &store, "owner-a", "pj-aplikasi", Some("DINAS-A")).await;
    let mut b_app = 0;
    let mut b_eval = 0;
    for i in 1..=60 {
        let agency = if i % 6 == 0 { "DINAS-B" } else { "DINAS-A" };
        let app = store
            .add_app(&NewApp {
                name: format!("APP-{i:03}"),
                url: format!("https://app{i}.example.go.id"),
                agency: agency.into(),
                owner: "pemilik@example.go.id".into(),
                timezone: "Asia/Jakarta".into(),
                ..NewApp::default()
            })
            .await
            .expect("app");
        if i % 6 == 0 {
            let (report, _) = common::sample::report(12);
            let id = store
                .start_evaluation(Some(app.id), &app.url, "bssn", "1")
                .await
                .expect("start");
            store.finish_evaluation(id, &report).await.expect("finish");
            (b_app, b_eval) = (app.id, id);
        }
    }

    // Without a session the pages send the browser to the login page.
    let p = call(&r, "GET", "/apps", None, None, None).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.headers[header::LOCATION], "/login");

    let seksi = login(&r, "seksi").await;
    // Paged on the server: page 3 of 60 holds 51–60 and links back, not forward.
    let p = call(&r, "GET", "/apps?page=3", Some(&seksi), None, None).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("51–60") && p.body.contains("APP-060") && !p.body.contains("APP-050<"),
        "{}",
        p.body
    );
    assert!(p.body.contains("rel=\"prev\"") && !p.body.contains("rel=\"next\""));
    // Filtered on the server, the filter kept in the page links.
    let p = call(&r, "GET", "/apps?agency=DINAS-B", Some(&seksi), None, None).await;
    assert!(
        p.body.contains("1–10") && p.body.contains("APP-006") && !p.body.contains("APP-001<"),
        "{}",
        p.body
    );
    let p = call(&r, "GET", "/apps?q=app-01", Some(&seksi), None, None).await;
    assert!(
        p.body.contains("APP-010") && p.body.contains("APP-019") && !p.body.contains("APP-020"),
        "{}",
        p.body
    );
    // Findings of the finished evaluation, with the filter.
    let p = call(
        &r,
        "GET",
        "/findings?severity=high",
        Some(&seksi),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    // Pages load their own stylesheet and script only: no inline script or style.
    let csp = p.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe"),
        "{csp}"
    );
    for page in [
        "/",
        "/apps",
        &format!("/apps/{b_app}"),
        &format!("/evaluations/{b_eval}"),
        "/findings",
        "/jobs",
    ] {
        let p = call(&r, "GET", page, Some(&seksi), None, None).await;
        assert_eq!(p.status, StatusCode::OK, "{page}: {}", p.body);
        assert!(
            !p.body.contains("<script>")
                && !p.body.contains(" style=")
                && !p.body.contains("<style"),
            "{page}"
        );
        assert!(p.body.contains("<html lang=\"id\">"), "{page}");
    }

    // A form without the session's token, or from another origin, changes nothing.
    let new_app = "name=BARU&url=https%3A%2F%2Fbaru.example.go.id&agency=DINAS-A&owner=x%40baru.example.go.id";
    let p = call(
        &r,
        "POST",
        "/apps",
        Some(&seksi),
        Some(format!("csrf=salah&{new_app}")),
        Some("https://kawal.test"),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let form = call(&r, "GET", "/apps/new", Some(&seksi), None, None).await;
    let token = csrf(&form.body);
    let p = call(
        &r,
        "POST",
        "/apps",
        Some(&seksi),
        Some(format!("csrf={token}&{new_app}")),
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(store.find_app("BARU").await.expect("find").is_none());
    // A bad value answers the form again with the problem named, not an error page.
    let p = call(
        &r,
        "POST",
        "/apps",
        Some(&seksi),
        Some(format!(
            "csrf={token}&name=BARU&url=ftp%3A%2F%2Fx&agency=DINAS-A&owner=x"
        )),
        Some("https://kawal.test"),
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body.contains("role=\"alert\"")
            && p.body.contains("ftp")
            && p.body.contains("value=\"BARU\""),
        "{}",
        p.body
    );
    let p = call(
        &r,
        "POST",
        "/apps",
        Some(&seksi),
        Some(format!("csrf={token}&{new_app}")),
        Some("https://kawal.test"),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(store.find_app("BARU").await.expect("find").is_some());
    // A test role is stored sealed; the page names it and never shows its password back.
    let baru = store
        .find_app("BARU")
        .await
        .expect("find")
        .expect("BARU")
        .id;
    let role = "name=warga&privilege=10&login_url=https%3A%2F%2Fbaru.example.go.id%2Flogin&username=warga1&password=rahasia-sekali-123&marker=Keluar";
    let p = call(
        &r,
        "POST",
        &format!("/apps/{baru}/roles"),
        Some(&seksi),
        Some(format!("csrf={token}&{role}")),
        Some("https://kawal.test"),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = call(
        &r,
        "GET",
        &format!("/apps/{baru}"),
        Some(&seksi),
        None,
        None,
    )
    .await;
    assert!(
        p.body.contains("warga") && !p.body.contains("rahasia-sekali-123"),
        "{}",
        p.body
    );
    let p = call(
        &r,
        "GET",
        &format!("/apps/{baru}/edit"),
        Some(&seksi),
        None,
        None,
    )
    .await;
    assert!(p.body.contains("value=\"BARU\"") && !p.body.contains("rahasia-sekali-123"));

    // The owner of DINAS-A: only their agency, and B's objects are "not found" by URL.
    let owner = login(&r, "owner-a").await;
    let p = call(&r, "GET", "/", Some(&owner), None, None).await;
    assert!(
        p.body.contains("APP-001") && !p.body.contains("DINAS-B") && !p.body.contains("APP-006"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("href=\"/audit\"") && !p.body.contains("href=\"/jobs\""));
    for path in [
        format!("/apps/{b_app}"),
        "/apps/APP-006".to_string(),
        format!("/evaluations/{b_eval}"),
        format!("/apps/{b_app}/edit"),
    ] {
        let p = call(&r, "GET", &path, Some(&owner), None, None).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}: {}", p.body);
    }
    let p = call(
        &r,
        "GET",
        &format!("/apps/{b_app}/progress"),
        Some(&owner),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = call(&r, "GET", "/findings?app=APP-006", Some(&owner), None, None).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = call(&r, "GET", "/audit", Some(&owner), None, None).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // English on request, remembered in a cookie.
    let p = call(&r, "GET", "/apps?lang=en", Some(&owner), None, None).await;
    assert!(p.body.contains("<html lang=\"en\">") && p.body.contains("Applications"));
    let set = p
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(set.starts_with("kawal-lang=en"), "{set}");
    drop_schema(place).await;
}

#[tokio::test]
async fn pages_on_sqlite() {
    pages_on("sqlite").await;
}

#[tokio::test]
async fn pages_on_postgres() {
    pages_on("postgres").await;
}
