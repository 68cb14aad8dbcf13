//! The team service through its HTTP router, on SQLite and PostgreSQL: the route × role matrix
//! generated from the roles file, agency scoping by id, listing and search, sessions (rotation,
//! logout, idle and absolute timeouts on an injected clock, CSRF, throttling), API tokens
//! (scope, expiry, revocation) and the audit chain against tampering.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use kawal::service::{Actor, NewUser, Service, ServiceConfig};
use kawal::store::{NewApp, Store};
use kawal::team::Roles;
use kawal::web::routes::{Access, ROUTES};
use kawal::web::{AppState, WebConfig, router};
use kawal::worker::Clock;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

const PW: &str = "kata-sandi-uji-yang-panjang";

/// A clock the test moves.
struct TestClock(Mutex<OffsetDateTime>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock")
    }
}

impl TestClock {
    fn advance(&self, d: Duration) {
        *self.0.lock().expect("clock") += d;
    }
}

/// A store on the named back end, and how to drop it afterwards.
async fn store(backend: &str) -> Option<(Arc<Store>, Option<(String, String)>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("tmp");
    match backend {
        "sqlite" => {
            let url = format!("sqlite://{}/k.db", dir.path().display());
            Some((
                Arc::new(Store::open(&url).await.expect("sqlite")),
                None,
                dir,
            ))
        }
        _ => {
            let Ok(url) = std::env::var("KAWAL_TEST_DATABASE_URL") else {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "KAWAL_TEST_DATABASE_URL must be set in CI"
                );
                eprintln!("KAWAL_TEST_DATABASE_URL not set: PostgreSQL case not run");
                return None;
            };
            let schema = format!(
                "kawal_team_{}_{}",
                std::process::id(),
                OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
            );
            let s = Store::open_pg_schema(&url, &schema).await.expect("pg");
            Some((Arc::new(s), Some((url, schema)), dir))
        }
    }
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

/// A logged-in browser: its cookie and CSRF token.
#[derive(Clone, Debug)]
struct Browser {
    cookie: String,
    csrf: String,
}

struct World {
    svc: Arc<Service>,
    router: Router,
    clock: Arc<TestClock>,
    store: Arc<Store>,
    /// Evaluation id of each application.
    evals: BTreeMap<String, i64>,
}

async fn call(
    r: &Router,
    method: &str,
    path: &str,
    who: Option<&Browser>,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "kawal.example.go.id");
    if let Some(w) = who {
        b = b
            .header(header::COOKIE, format!("__Host-kawal={}", w.cookie))
            .header("x-csrf-token", &w.csrf);
    }
    if let Some(t) = bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    }
    .expect("request");
    let resp = tower_service::Service::call(&mut r.clone(), req)
        .await
        .expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, v, headers)
}

async fn login(r: &Router, user: &str, pw: &str) -> Result<Browser, (StatusCode, Value)> {
    let (s, v, h) = call(
        r,
        "POST",
        "/api/v1/session",
        None,
        None,
        Some(json!({"username": user, "password": pw})),
    )
    .await;
    if s != StatusCode::OK {
        return Err((s, v));
    }
    let set = h
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("cookie set")
        .to_string();
    for attr in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    assert!(set.starts_with("__Host-kawal=kss_"), "{set}");
    // A browser-session cookie: the server, not the browser, ends the session.
    assert!(
        !set.contains("Max-Age") && !set.contains("Expires") && !set.contains("Domain"),
        "{set}"
    );
    let cookie = set
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .expect("value");
    // 256-bit id, hex.
    assert_eq!(cookie.len(), 4 + 64, "{cookie}");
    Ok(Browser {
        cookie,
        csrf: v["csrf_token"].as_str().expect("csrf").to_string(),
    })
}

async fn add_user(
    svc: &Service,
    as_: &Actor,
    username: &str,
    roles: &[&str],
    agency: Option<&str>,
) {
    let c = svc
        .add_user(
            as_,
            NewUser {
                username: username.into(),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                agency: agency.map(str::to_string),
                ..NewUser::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("add {username}: {e}"));
    svc.set_password(&c.setup_token, PW, None)
        .await
        .expect("set password");
}

async fn world(store: Arc<Store>, cfg: ServiceConfig) -> World {
    kawal::install_crypto_provider();
    let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
    let svc = Arc::new(Service::new(
        store.clone(),
        Roles::builtin().expect("roles"),
        clock.clone(),
        cfg,
    ));
    let local = Actor::local_operator();
    add_user(&svc, &local, "admin", &["administrator"], None).await;
    let admin = Actor::cli(store.account("admin").await.expect("admin"));
    for role in Roles::builtin().expect("roles").all() {
        add_user(
            &svc,
            &admin,
            &format!("u-{}", role.id),
            &[&role.id],
            Some("DINAS-A"),
        )
        .await;
    }
    add_user(&svc, &admin, "owner-a", &["pj-aplikasi"], Some("DINAS-A")).await;
    add_user(&svc, &admin, "owner-b", &["pj-aplikasi"], Some("DINAS-B")).await;
    add_user(&svc, &admin, "victim", &["tim-analisis"], None).await;
    let mut evals = BTreeMap::new();
    for (name, agency) in [
        ("APP-A", "DINAS-A"),
        ("APP-B", "DINAS-B"),
        ("SIMPEG-B", "DINAS-B"),
    ] {
        let app = store
            .add_app(&NewApp {
                name: name.into(),
                url: format!("https://{}.example.go.id", name.to_lowercase()),
                agency: agency.into(),
                owner: format!("pemilik@{}.example.go.id", agency.to_lowercase()),
                timezone: "Asia/Jakarta".into(),
                ..NewApp::default()
            })
            .await
            .expect("app");
        let (report, _) = common::sample::report(12);
        let id = store
            .start_evaluation(Some(app.id), &app.url, "bssn", "1")
            .await
            .expect("start");
        store.finish_evaluation(id, &report).await.expect("finish");
        evals.insert(name.to_string(), id);
    }
    let state = AppState {
        service: svc.clone(),
        checklist: Arc::new(kawal::checklist::Checklist::builtin().expect("checklist")),
        web: Arc::new(WebConfig::default()),
        liveness: None,
        sealer: Some(Arc::new(kawal::auth::seal::Sealer::from_key([7; 32]))),
    };
    World {
        svc,
        router: router(state),
        clock,
        store,
        evals,
    }
}

impl World {
    /// Audit entries as the administrator reads them.
    async fn audit(&self, filter: kawal::store::AuditFilter) -> Vec<kawal::store::AuditEntry> {
        let admin = Actor::cli(self.store.account("admin").await.expect("admin"));
        self.svc.audit_list(&admin, &filter).await.expect("audit")
    }
}

fn concrete(path: &str, w: &World) -> String {
    path.replace("{app}", "APP-A")
        .replace("{step}", "penyampaian-laporan")
        .replace("{role}", "uji")
        .replace("{fingerprint}", "0000")
        .replace("{username}", "victim")
        .replace(
            "{id}",
            &if path.starts_with("/api/v1/tokens") || path.starts_with("/api/v1/jobs") {
                "999999".to_string()
            } else {
                w.evals["APP-A"].to_string()
            },
        )
}

async fn route_role_matrix(w: &World) {
    let roles = Roles::builtin().expect("roles");
    let mut browsers = BTreeMap::new();
    for role in roles.all() {
        browsers.insert(
            role.id.clone(),
            login(&w.router, &format!("u-{}", role.id), PW)
                .await
                .expect("login"),
        );
    }
    let mut checked = 0;
    for route in ROUTES {
        let path = concrete(route.path, w);
        let body = matches!(route.method, "POST" | "PATCH").then(|| json!({}));
        match route.access {
            Access::Public => {}
            Access::Authenticated | Access::Permission(_) => {
                // Nobody logged in: 401 on every non-public route.
                let (s, v, _) =
                    call(&w.router, route.method, &path, None, None, body.clone()).await;
                assert_eq!(s, StatusCode::UNAUTHORIZED, "{} {path}: {v}", route.method);
                assert_eq!(v["error"]["code"], "unauthenticated");
            }
        }
        let Access::Permission(perm) = route.access else {
            continue;
        };
        for role in roles.all() {
            let who = &browsers[&role.id];
            let (s, v, _) = call(
                &w.router,
                route.method,
                &path,
                Some(who),
                None,
                body.clone(),
            )
            .await;
            let holds = roles.reach(std::slice::from_ref(&role.id), perm).is_some();
            if holds {
                assert!(
                    s != StatusCode::FORBIDDEN && s != StatusCode::UNAUTHORIZED,
                    "{} {path} as {} (holds {perm}): {s} {v}",
                    route.method,
                    role.id
                );
            } else {
                assert_eq!(
                    s,
                    StatusCode::FORBIDDEN,
                    "{} {path} as {} (lacks {perm}): {v}",
                    route.method,
                    role.id
                );
                assert_eq!(v["error"]["code"], "forbidden", "{v}");
            }
            checked += 1;
        }
    }
    // Every permission route was tried with every role.
    let perm_routes = ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Permission(_)))
        .count();
    assert_eq!(checked, perm_routes * roles.all().count());
    assert!(perm_routes >= 20, "{perm_routes}");
}

async fn agency_scoping(w: &World) {
    let a = login(&w.router, "owner-a", PW).await.expect("owner-a");
    let r = &w.router;
    // Listing and search show only the owner's agency.
    let (s, v, _) = call(r, "GET", "/api/v1/apps?limit=500", Some(&a), None, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    assert_eq!(names, ["APP-A"]);
    assert_eq!(v["total"], 1);
    let (_, v, _) = call(r, "GET", "/api/v1/apps?q=simpeg", Some(&a), None, None).await;
    assert_eq!(v["total"], 0, "search does not reach another agency: {v}");
    let (_, v, _) = call(
        r,
        "GET",
        "/api/v1/apps?agency=DINAS-B",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(v["total"], 0, "{v}");
    let (_, v, _) = call(r, "GET", "/api/v1/evaluations", Some(&a), None, None).await;
    assert_eq!(v["total"], 1, "{v}");
    let (_, v, _) = call(r, "GET", "/api/v1/findings?limit=500", Some(&a), None, None).await;
    assert!(v["total"].as_i64().expect("total") > 0);
    assert!(
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|f| f["agency"] == "DINAS-A"),
        "{v}"
    );
    // Every object of agency B, by id and by name: 404, the same as what does not exist.
    let b_app = w.store.app("APP-B").await.expect("b").id;
    let b_eval = w.evals["APP-B"];
    for path in [
        format!("/api/v1/apps/{b_app}"),
        "/api/v1/apps/APP-B".into(),
        "/api/v1/apps/app-b".into(),
        format!("/api/v1/evaluations/{b_eval}"),
        format!("/api/v1/evaluations/{b_eval}/report?format=pdf"),
        format!("/api/v1/evaluations/{b_eval}/report?format=json"),
        format!("/api/v1/evaluations?app={b_app}"),
        "/api/v1/findings?app=APP-B".into(),
    ] {
        let (s, v, _) = call(r, "GET", &path, Some(&a), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {v}");
        assert_eq!(v["error"]["code"], "not_found");
    }
    let (_, v, _) = call(
        r,
        "GET",
        &format!("/api/v1/findings?evaluation={b_eval}"),
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(v["total"], 0, "{v}");
    // The owner's own report downloads, and the download is audited.
    let (s, _, h) = call(
        r,
        "GET",
        &format!("/api/v1/evaluations/{}/report?format=pdf", w.evals["APP-A"]),
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let audit = w
        .audit(kawal::store::AuditFilter {
            actor: Some("owner-a".into()),
            action: Some("report.download".into()),
            limit: 10,
            ..Default::default()
        })
        .await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].content.agency.as_deref(), Some("DINAS-A"));
}

async fn sessions(w: &World) {
    let r = &w.router;
    // A new id at every login; logout ends the session on the server.
    let s1 = login(r, "u-tim-analisis", PW).await.expect("s1");
    let s2 = login(r, "u-tim-analisis", PW).await.expect("s2");
    assert_ne!(s1.cookie, s2.cookie);
    assert_ne!(s1.csrf, s2.csrf);
    let (s, _, _) = call(r, "DELETE", "/api/v1/session", Some(&s1), None, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = call(r, "GET", "/api/v1/apps", Some(&s1), None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a logged-out cookie is dead");
    let (s, _, _) = call(r, "GET", "/api/v1/apps", Some(&s2), None, None).await;
    assert_eq!(s, StatusCode::OK);
    // CSRF: a state-changing request with the cookie but without (or with a wrong) token.
    let no_token = Browser {
        csrf: String::new(),
        ..s2.clone()
    };
    let (s, v, _) = call(
        r,
        "POST",
        "/api/v1/apps/APP-A/evaluations",
        Some(&no_token),
        None,
        None,
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf"))
    );
    let wrong = Browser {
        csrf: s1.csrf.clone(),
        ..s2.clone()
    };
    let (s, _, _) = call(
        r,
        "POST",
        "/api/v1/apps/APP-A/evaluations",
        Some(&wrong),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = call(
        r,
        "POST",
        "/api/v1/apps/APP-A/evaluations",
        Some(&s2),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    // Idle timeout (15 min by default) on the injected clock; activity keeps a session alive.
    w.clock.advance(Duration::from_secs(14 * 60));
    let (s, _, _) = call(r, "GET", "/api/v1/apps", Some(&s2), None, None).await;
    assert_eq!(s, StatusCode::OK);
    w.clock.advance(Duration::from_secs(14 * 60));
    let (s, _, _) = call(r, "GET", "/api/v1/apps", Some(&s2), None, None).await;
    assert_eq!(s, StatusCode::OK, "used 14 minutes ago: still valid");
    w.clock.advance(Duration::from_secs(15 * 60));
    let (s, _, _) = call(r, "GET", "/api/v1/apps", Some(&s2), None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "idle for 15 minutes");
    // Absolute timeout (8 h) however active.
    let s3 = login(r, "u-tim-analisis", PW).await.expect("s3");
    for _ in 0..39 {
        w.clock.advance(Duration::from_secs(12 * 60));
        let (s, _, _) = call(r, "GET", "/api/v1/session", Some(&s3), None, None).await;
        assert_eq!(s, StatusCode::OK);
    }
    w.clock.advance(Duration::from_secs(13 * 60));
    let (s, _, _) = call(r, "GET", "/api/v1/session", Some(&s3), None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "8 hours after login");
    // Throttling: the same generic answer for a wrong password and an unknown account, then
    // refusal even of the right password.
    let (a, b) = (
        login(r, "u-kepala-seksi", "salah-salah-salah")
            .await
            .expect_err("wrong"),
        login(r, "tidak-ada", "salah-salah-salah")
            .await
            .expect_err("unknown"),
    );
    assert_eq!(a, b);
    assert_eq!(a.0, StatusCode::UNAUTHORIZED);
    for _ in 0..4 {
        login(r, "u-kepala-seksi", "salah-salah-salah")
            .await
            .expect_err("wrong");
    }
    let e = login(r, "u-kepala-seksi", PW).await.expect_err("throttled");
    assert_eq!(e.0, StatusCode::TOO_MANY_REQUESTS, "{e:?}");
    w.clock.advance(Duration::from_secs(16 * 60));
    login(r, "u-kepala-seksi", PW)
        .await
        .expect("after the window");
}

async fn tokens(w: &World) {
    let r = &w.router;
    let seksi = login(r, "u-kepala-seksi", PW).await.expect("login");
    let (s, v, _) = call(
        r,
        "POST",
        "/api/v1/tokens",
        Some(&seksi),
        None,
        Some(json!({"name": "ci", "scopes": ["read"], "expires_days": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let read = v["token"].as_str().expect("token").to_string();
    let id = v["id"].as_i64().expect("id");
    assert!(read.starts_with("kwt_"));
    // The database keeps only its hash.
    let (_, listed, _) = call(r, "GET", "/api/v1/tokens", Some(&seksi), None, None).await;
    assert!(!listed.to_string().contains(&read[4..]), "{listed}");
    // Scope: reading works, starting an evaluation is refused though the user may.
    let (s, _, _) = call(r, "GET", "/api/v1/apps", None, Some(&read), None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = call(
        r,
        "POST",
        "/api/v1/apps/APP-A/evaluations",
        None,
        Some(&read),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (_, v, _) = call(
        r,
        "POST",
        "/api/v1/tokens",
        Some(&seksi),
        None,
        Some(json!({"name": "ci2", "scopes": ["scan:write"]})),
    )
    .await;
    let scan = v["token"].as_str().expect("token").to_string();
    let (s, _, _) = call(
        r,
        "POST",
        "/api/v1/apps/APP-A/evaluations",
        None,
        Some(&scan),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    // A token never grants more than its user holds: users:read is not the section head's.
    let (_, v, _) = call(
        r,
        "POST",
        "/api/v1/tokens",
        Some(&seksi),
        None,
        Some(json!({"name": "x", "scopes": ["user:read"]})),
    )
    .await;
    let wide = v["token"].as_str().expect("token").to_string();
    let (s, _, _) = call(r, "GET", "/api/v1/users", None, Some(&wide), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Revocation.
    let (s, _, _) = call(
        r,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Some(&seksi),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = call(r, "GET", "/api/v1/apps", None, Some(&read), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Expiry (the scan token lives 90 days by default).
    w.clock.advance(Duration::from_secs(91 * 86_400));
    let (s, _, _) = call(r, "GET", "/api/v1/apps", None, Some(&scan), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Someone else's token looks like no token.
    let other = login(r, "u-tim-analisis", PW).await.expect("login");
    let (_, v, _) = call(
        r,
        "POST",
        "/api/v1/tokens",
        Some(&other),
        None,
        Some(json!({"name": "t", "scopes": ["read"]})),
    )
    .await;
    let tid = v["id"].as_i64().expect("id");
    let seksi = login(r, "u-kepala-seksi", PW).await.expect("login");
    let (s, _, _) = call(
        r,
        "DELETE",
        &format!("/api/v1/tokens/{tid}"),
        Some(&seksi),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn audit_tamper(w: &World, backend: &str) {
    let admin = Actor::cli(w.store.account("admin").await.expect("admin"));
    let ok = w.svc.audit_verify(&admin).await.expect("verify");
    assert!(ok.broken.is_none(), "{ok:?}");
    assert!(ok.entries > 30, "{ok:?}");
    let (seq, head) = w.svc.audit_head(&admin).await.expect("head");
    assert_eq!(ok.head.as_deref(), Some(head.as_str()));
    assert_eq!(seq as u64, ok.entries);
    // The database itself refuses UPDATE and DELETE.
    for sql in [
        "UPDATE audit SET actor = 'mallory' WHERE seq = 3",
        "DELETE FROM audit WHERE seq = 3",
    ] {
        let e = w.store.raw_execute(sql).await.expect_err("append-only");
        assert!(e.to_string().contains("append-only"), "{e}");
    }
    // Someone with the database's owner rights switches the guard off and tampers.
    let off = match backend {
        "sqlite" => vec![
            "DROP TRIGGER audit_no_update",
            "DROP TRIGGER audit_no_delete",
        ],
        _ => vec!["ALTER TABLE audit DISABLE TRIGGER audit_no_update_delete"],
    };
    for s in off {
        w.store.raw_execute(s).await.expect("disable guard");
    }
    let original = w
        .svc
        .audit_list(
            &admin,
            &kawal::store::AuditFilter {
                before_seq: Some(8),
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .expect("entry 7")
        .remove(0)
        .content
        .actor;
    w.store
        .raw_execute("UPDATE audit SET actor = 'mallory' WHERE seq = 7")
        .await
        .expect("edit");
    let v = w.svc.audit_verify(&admin).await.expect("verify");
    assert_eq!(
        v.broken
            .as_deref()
            .map(|b| b.contains("#7") && b.contains("altered")),
        Some(true),
        "{v:?}"
    );
    w.store
        .raw_execute(&format!(
            "UPDATE audit SET actor = '{}' WHERE seq = 7",
            original.replace('\'', "''")
        ))
        .await
        .expect("restore");
    assert!(
        w.svc
            .audit_verify(&admin)
            .await
            .expect("verify")
            .broken
            .is_none(),
        "restored"
    );
    w.store
        .raw_execute("DELETE FROM audit WHERE seq = 12")
        .await
        .expect("delete");
    let v = w.svc.audit_verify(&admin).await.expect("verify");
    assert_eq!(
        v.broken
            .as_deref()
            .map(|b| b.contains("#13") && b.contains("removed")),
        Some(true),
        "{v:?}"
    );
}

async fn sop_through_the_api(w: &World) {
    let r = &w.router;
    let id = w.evals["SIMPEG-B"];
    let head = login(r, "u-kepala-dinas", PW).await.expect("login");
    let analyst = login(r, "u-tim-analisis", PW).await.expect("login");
    // The analyst records a manual item with evidence; the record names the account.
    let (s, v, _) = call(
        r,
        "POST",
        &format!("/api/v1/evaluations/{id}/manual"),
        Some(&analyst),
        None,
        Some(json!({
            "item": "manual.k33", "outcome": "pass", "note": "log ditinjau",
            "attachment": { "name": "log.txt", "content_base64": "bG9nIGFrc2Vz" }
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["recorded"]["actor"], "u-tim-analisis");
    assert_eq!(v["recorded"]["attachment_name"], "log.txt");
    // The analyst may not decide; the head of office may, and an override needs a reason.
    let (s, _, _) = call(
        r,
        "POST",
        &format!("/api/v1/evaluations/{id}/decisions"),
        Some(&analyst),
        None,
        Some(json!({"standard": "met"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, ev, _) = call(
        r,
        "GET",
        &format!("/api/v1/evaluations/{id}"),
        Some(&head),
        None,
        None,
    )
    .await;
    let met = ev["report"]["decision"]["meets_standard"]
        .as_bool()
        .expect("decision");
    let other = if met { "not_met" } else { "met" };
    let (s, v, _) = call(
        r,
        "POST",
        &format!("/api/v1/evaluations/{id}/decisions"),
        Some(&head),
        None,
        Some(json!({"standard": other})),
    )
    .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")),
        "{v}"
    );
    let (s, v, _) = call(
        r,
        "POST",
        &format!("/api/v1/evaluations/{id}/decisions"),
        Some(&head),
        None,
        Some(json!({"standard": if met { "met" } else { "not_met" }})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"][0]["actor"], "u-kepala-dinas");
    assert_eq!(v["items"][0]["agrees"], true);
    let (_, ev, _) = call(
        r,
        "GET",
        &format!("/api/v1/evaluations/{id}"),
        Some(&head),
        None,
        None,
    )
    .await;
    assert_eq!(
        ev["sop"]["decisions"].as_array().map(Vec::len),
        Some(1),
        "{ev}"
    );
    // Each of these left its audit entry with the account and the agency.
    let log = w
        .audit(kawal::store::AuditFilter {
            action: Some("evaluation.".into()),
            limit: 50,
            ..Default::default()
        })
        .await;
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.content.action.as_str(), e.content.actor.as_str()))
        .collect();
    assert!(
        actions.contains(&("evaluation.manual", "u-tim-analisis")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("evaluation.decide", "u-kepala-dinas")),
        "{actions:?}"
    );
    assert!(
        log.iter()
            .all(|e| e.content.agency.as_deref() != Some("DINAS-A")
                || e.content.object_id.as_deref() != Some(&id.to_string()))
    );
}

async fn test_roles_are_sealed_and_never_shown(w: &World) {
    let r = &w.router;
    let seksi = login(r, "u-kepala-seksi", PW).await.expect("login");
    let role = json!({
        "name": "warga_a", "privilege": 10,
        "recipe": { "kind": "form", "url": "https://app-a.example.go.id/login", "username": "warga", "password": "rahasia-warga-123" },
        "marker": { "text": "Keluar" }
    });
    let (s, v, _) = call(
        r,
        "PUT",
        "/api/v1/apps/APP-A/roles/warga_a",
        Some(&seksi),
        None,
        Some(role),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v, _) = call(
        r,
        "GET",
        "/api/v1/apps/APP-A/roles",
        Some(&seksi),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"][0]["name"], "warga_a");
    assert!(!v.to_string().contains("rahasia-warga-123"), "{v}");
    // Not in the audit trail either.
    let log = w
        .audit(kawal::store::AuditFilter {
            action: Some("app.role".into()),
            limit: 5,
            ..Default::default()
        })
        .await;
    assert_eq!(log.len(), 1);
    assert!(
        !serde_json::to_string(&log)
            .expect("json")
            .contains("rahasia-warga-123")
    );
    // An owner of another agency cannot reach it.
    let b = login(r, "owner-b", PW).await.expect("owner-b");
    let (s, _, _) = call(r, "GET", "/api/v1/apps/APP-A/roles", Some(&b), None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = call(
        r,
        "DELETE",
        "/api/v1/apps/APP-A/roles/warga_a",
        Some(&seksi),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// Routes open to any logged-in user where the service decides by the object: one's own
/// account, and a finding's status (owners may only report a fix, on their own agency).
async fn object_checked_routes(w: &World) {
    let r = &w.router;
    let analyst = login(r, "u-tim-analisis", PW).await.expect("login");
    let (s, v, _) = call(
        r,
        "GET",
        "/api/v1/users/u-tim-analisis",
        Some(&analyst),
        None,
        None,
    )
    .await;
    assert_eq!(
        (s, v["username"].as_str()),
        (StatusCode::OK, Some("u-tim-analisis")),
        "{v}"
    );
    let (s, _, _) = call(r, "GET", "/api/v1/users/victim", Some(&analyst), None, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another account needs user:read");
    let body = || Some(json!({"status": "fix_reported", "reason": "sudah diperbaiki"}));
    let path = "/api/v1/apps/APP-A/findings/0000";
    let admin = login(r, "u-administrator", PW).await.expect("login");
    let (s, v, _) = call(r, "PATCH", path, Some(&admin), None, body()).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{v}"
    );
    let b = login(r, "owner-b", PW).await.expect("login");
    let (s, _, _) = call(r, "PATCH", path, Some(&b), None, body()).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another agency's application");
    let a = login(r, "owner-a", PW).await.expect("login");
    let (s, v, _) = call(
        r,
        "PATCH",
        path,
        Some(&a),
        None,
        Some(json!({"status": "accepted_risk", "reason": "x"})),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an owner may only report a fix: {v}"
    );
    // Its own application: the permission holds, the (unknown) fingerprint is what is missing.
    let (s, v, _) = call(r, "PATCH", path, Some(&a), None, body()).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found")),
        "{v}"
    );
}

async fn suite(backend: &str) {
    let Some((store, place, _dir)) = store(backend).await else {
        return;
    };
    let w = world(store.clone(), ServiceConfig::default()).await;
    route_role_matrix(&w).await;
    agency_scoping(&w).await;
    sessions(&w).await;
    tokens(&w).await;
    sop_through_the_api(&w).await;
    object_checked_routes(&w).await;
    test_roles_are_sealed_and_never_shown(&w).await;
    audit_tamper(&w, backend).await;
    drop(w);
    drop_schema(place).await;
}

#[tokio::test]
async fn team_service_on_sqlite() {
    suite("sqlite").await;
}

#[tokio::test]
async fn team_service_on_postgres() {
    suite("postgres").await;
}

#[tokio::test]
async fn swapped_audit_entries_are_named_on_sqlite() {
    let Some((store, _, _dir)) = store("sqlite").await else {
        return;
    };
    let w = world(store, ServiceConfig::default()).await;
    let admin = Actor::cli(w.store.account("admin").await.expect("admin"));
    for s in [
        "DROP TRIGGER audit_no_update",
        "DROP TRIGGER audit_no_delete",
    ] {
        w.store.raw_execute(s).await.expect("guard off");
    }
    // Swap rows 5 and 6 wholesale, keeping their sequence numbers.
    for s in [
        "CREATE TABLE t AS SELECT * FROM audit WHERE seq IN (5, 6)",
        "DELETE FROM audit WHERE seq IN (5, 6)",
        "INSERT INTO audit (seq, at, actor, client, action, object_kind, object_id, agency, before, after, prev_hash, hash) SELECT 11 - seq, at, actor, client, action, object_kind, object_id, agency, before, after, prev_hash, hash FROM t",
    ] {
        w.store.raw_execute(s).await.expect(s);
    }
    let v = w.svc.audit_verify(&admin).await.expect("verify");
    assert_eq!(
        v.broken
            .as_deref()
            .map(|b| b.contains("#5") && b.contains("order")),
        Some(true),
        "{v:?}"
    );
}

#[test]
fn the_openapi_document_is_valid_openapi_3_1_and_names_every_route() {
    let doc = kawal::web::openapi::document();
    // Every route of the table is described, with its permission.
    for r in ROUTES {
        let op = &doc["paths"][r.path][r.method.to_lowercase()];
        assert!(op.is_object(), "{} {} missing", r.method, r.path);
        if let Access::Permission(p) = r.access {
            assert_eq!(op["x-kawal-permission"], p);
        }
    }
    // Every schema referenced is defined.
    let text = doc.to_string();
    for (i, _) in text.match_indices("#/components/schemas/") {
        let name: String = text[i + 21..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        assert!(
            doc["components"]["schemas"][&name].is_object(),
            "{name} referenced but not defined"
        );
    }
    let dir = std::env::var("KAWAL_OPENAPI_SCHEMAS").expect(
        "KAWAL_OPENAPI_SCHEMAS must name the OpenAPI 3.1 schema folder; run the tests through scripts/test, which provides it",
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let out = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/validate-openapi.py"
        ))
        .arg(&dir)
        .arg(&file)
        .output()
        .expect("python3 with jsonschema");
    assert!(
        out.status.success(),
        "OpenAPI 3.1 validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A service on the system clock with the default settings.
fn system_service(store: Arc<Store>) -> Arc<Service> {
    kawal::install_crypto_provider();
    Arc::new(Service::new(
        store,
        Roles::builtin().expect("roles"),
        Arc::new(kawal::worker::SystemClock),
        ServiceConfig::default(),
    ))
}

/// The router over `svc` with no sealing key and no scheduler.
fn bare_router(svc: &Arc<Service>) -> Router {
    router(AppState {
        service: svc.clone(),
        checklist: Arc::new(kawal::checklist::Checklist::builtin().expect("checklist")),
        web: Arc::new(WebConfig::default()),
        liveness: None,
        sealer: None,
    })
}

async fn form_post(
    r: &Router,
    path: &str,
    body: &str,
    origin: Option<&str>,
) -> (StatusCode, String) {
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "kawal.example.go.id")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    let resp = tower_service::Service::call(
        &mut r.clone(),
        b.body(Body::from(body.to_string())).expect("req"),
    )
    .await
    .expect("infallible");
    let s = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    (s, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_one_time_link_page_sets_a_password_once() {
    let Some((store, _, _dir)) = store("sqlite").await else {
        return;
    };
    let svc = system_service(store.clone());
    let c = svc
        .add_user(
            &Actor::local_operator(),
            NewUser {
                username: "admin".into(),
                roles: vec!["administrator".into()],
                ..NewUser::default()
            },
        )
        .await
        .expect("first admin");
    let r = bare_router(&svc);
    let get = Request::builder()
        .uri(format!("/setup-password?token={}", c.setup_token))
        .body(Body::empty())
        .expect("req");
    let resp = tower_service::Service::call(&mut r.clone(), get)
        .await
        .expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = String::from_utf8_lossy(
        &axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body"),
    )
    .into_owned();
    assert!(
        html.contains("<html lang=\"id\">")
            && html.contains("<label for=\"pw\">")
            && !html.contains("<script"),
        "{html}"
    );
    assert!(html.contains(&c.setup_token));
    let body = |pw: &str, confirm: &str| {
        format!("token={}&password={pw}&confirm={confirm}", c.setup_token)
    };
    // A cross-site form post is refused before anything happens.
    let (s, _) = form_post(
        &r,
        "/setup-password",
        &body(PW, PW),
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, html) = form_post(
        &r,
        "/setup-password",
        &body(PW, "lain-lain-lain-lain"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (s, html) = form_post(
        &r,
        "/setup-password",
        &body(PW, PW),
        Some("https://kawal.example.go.id"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("admin"));
    login(&r, "admin", PW)
        .await
        .expect("the new password works");
    // The link works once.
    let (s, _) = form_post(
        &r,
        "/setup-password",
        &body("kata-sandi-kedua-panjang", "kata-sandi-kedua-panjang"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    login(&r, "admin", "kata-sandi-kedua-panjang")
        .await
        .expect_err("the second use changed nothing");
}

#[tokio::test]
async fn the_login_page_logs_in_and_the_logout_form_needs_its_token() {
    let Some((store, _, _dir)) = store("sqlite").await else {
        return;
    };
    let svc = system_service(store.clone());
    add_user(
        &svc,
        &Actor::local_operator(),
        "admin",
        &["administrator"],
        None,
    )
    .await;
    let r = bare_router(&svc);
    let (s, html) = form_post(
        &r,
        "/login",
        &format!("username=admin&password={}", "salah-salah-salah"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(html.contains("role=\"alert\""), "{html}");
    let req = Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::HOST, "kawal.example.go.id")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("username=admin&password={PW}")))
        .expect("req");
    let resp = tower_service::Service::call(&mut r.clone(), req)
        .await
        .expect("infallible");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let set = resp
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_string();
    let cookie = set
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .expect("value");
    // Home shows the account and a logout form carrying the session's CSRF token.
    let home = Request::builder()
        .uri("/")
        .header(header::COOKIE, format!("__Host-kawal={cookie}"))
        .body(Body::empty())
        .expect("req");
    let resp = tower_service::Service::call(&mut r.clone(), home)
        .await
        .expect("infallible");
    let html = String::from_utf8_lossy(
        &axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body"),
    )
    .into_owned();
    assert!(
        html.contains("<strong>admin</strong>") && html.contains("action=\"/logout\""),
        "{html}"
    );
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("csrf field")
        .to_string();
    let logout = |token: String| {
        Request::builder()
            .method("POST")
            .uri("/logout")
            .header(header::HOST, "kawal.example.go.id")
            .header(header::COOKIE, format!("__Host-kawal={cookie}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={token}")))
            .expect("req")
    };
    let resp = tower_service::Service::call(&mut r.clone(), logout("0".repeat(64)))
        .await
        .expect("infallible");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let who = Browser {
        cookie: cookie.clone(),
        csrf: csrf.clone(),
    };
    let (s, _, _) = call(&r, "GET", "/api/v1/session", Some(&who), None, None).await;
    assert_eq!(s, StatusCode::OK, "a refused logout leaves the session");
    let resp = tower_service::Service::call(&mut r.clone(), logout(csrf))
        .await
        .expect("infallible");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (s, _, _) = call(&r, "GET", "/api/v1/session", Some(&who), None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "logged out on the server");
}
