//! The dashboard pages through Kawal's router, as a browser without script uses them: form
//! posts with the session cookie, the page's CSRF token and the Origin header.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use kawal::service::{Actor, NewUser, Service, ServiceConfig};
use kawal::store::Store;
use kawal::web::{AppState, WebConfig, router};
use std::sync::Arc;
use tower_service::Service as _;

/// The password every test account gets.
pub const PW: &str = "kata-sandi-uji-yang-panjang";

/// One answer of the router.
pub struct Page {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body as text.
    pub body: String,
}

/// Calls `path` on host `kawal.test`, with a cookie, a form body and an Origin when given.
pub async fn call(
    r: &Router,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<String>,
    origin: Option<&str>,
) -> Page {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "kawal.test");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    let body = match form {
        Some(f) => {
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f)
        }
        None => Body::empty(),
    };
    let resp = r
        .clone()
        .call(b.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 24)
        .await
        .expect("body");
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Logs in through the login page; the session cookie.
pub async fn login(r: &Router, user: &str) -> String {
    let p = call(
        r,
        "POST",
        "/login",
        None,
        Some(format!("username={user}&password={PW}")),
        Some("https://kawal.test"),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "login {user}: {}", p.body);
    p.headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string()
}

/// The CSRF token of the first form on a page.
pub fn csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf field")
        .to_string()
}

/// Adds an account with one role and [`PW`] as its password; the first is the administrator,
/// created by the local operator, who then acts.
pub async fn add_user(
    svc: &Service,
    store: &Store,
    username: &str,
    role: &str,
    agency: Option<&str>,
) {
    let by = match store.account("admin").await {
        Ok(a) => Actor::cli(a),
        Err(_) => Actor::local_operator(),
    };
    let c = svc
        .add_user(
            &by,
            NewUser {
                username: username.into(),
                roles: vec![role.into()],
                agency: agency.map(str::to_string),
                ..NewUser::default()
            },
        )
        .await
        .expect("user");
    svc.set_password(&c.setup_token, PW, None)
        .await
        .expect("password");
}

/// The application layer over `store` with default settings, and Kawal's router over it (the
/// built-in checklist, a fixed sealing key).
pub fn service(store: Arc<Store>) -> (Arc<Service>, Router) {
    let svc = Arc::new(Service::new(
        store,
        kawal::team::Roles::builtin().expect("roles"),
        Arc::new(kawal::worker::SystemClock),
        ServiceConfig::default(),
    ));
    let r = router(AppState {
        service: svc.clone(),
        checklist: Arc::new(kawal::checklist::Checklist::builtin().expect("checklist")),
        web: Arc::new(WebConfig::default()),
        liveness: None,
        sealer: Some(Arc::new(kawal::auth::seal::Sealer::from_key([7; 32]))),
    });
    (svc, r)
}
