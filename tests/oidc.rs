//! Login through an OpenID Connect provider, on SQLite and PostgreSQL. The provider is a real
//! HTTP server on loopback speaking the authorization code flow (discovery, authorize, token
//! with PKCE and client authentication, JWKS with ES256 keys made at test time); Kawal's side
//! runs through its HTTP router. A provider that lies (wrong nonce, audience, key, expired
//! token, replayed code) never opens a session.

mod common;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _};
use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use kawal::service::{Actor, NewUser, Service, ServiceConfig};
use kawal::store::{AccountPatch, AuditFilter, Store};
use kawal::team::Roles;
use kawal::team::oidc::{OidcSettings, Provider};
use kawal::web::{AppState, WebConfig, router};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const CLIENT: &str = "kawal";
const SECRET: &str = "rahasia-klien";
const PUBLIC: &str = "https://kawal.example.go.id";

/// How the provider misbehaves for the next token.
#[derive(Clone, Default)]
struct Lie {
    nonce: Option<String>,
    aud: Option<String>,
    expired: bool,
    /// Sign with a key the key set does not publish.
    foreign_key: bool,
}

struct Grant {
    challenge: String,
    nonce: String,
    redirect: String,
    user: String,
}

struct Idp {
    issuer: String,
    keys: Vec<(String, EcdsaKeyPair)>,
    codes: HashMap<String, Grant>,
    /// Who logs in at the provider.
    user: String,
    lie: Lie,
    token_calls: usize,
}

type Shared = Arc<Mutex<Idp>>;

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

fn key() -> EcdsaKeyPair {
    EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).expect("key")
}

fn jwk(kid: &str, k: &EcdsaKeyPair) -> Value {
    let p = k.public_key().as_ref();
    json!({"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
           "x": b64(&p[1..33]), "y": b64(&p[33..65])})
}

fn sign(kid: &str, k: &EcdsaKeyPair, claims: &Value) -> String {
    let h = b64(json!({"alg": "ES256", "kid": kid, "typ": "JWT"})
        .to_string()
        .as_bytes());
    let input = format!("{h}.{}", b64(claims.to_string().as_bytes()));
    let sig = k
        .sign(&SystemRandom::new(), input.as_bytes())
        .expect("sign");
    format!("{input}.{}", b64(sig.as_ref()))
}

async fn discovery(State(s): State<Shared>) -> Response {
    let iss = s.lock().expect("idp").issuer.clone();
    axum::Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
    }))
    .into_response()
}

async fn jwks(State(s): State<Shared>) -> Response {
    let idp = s.lock().expect("idp");
    let keys: Vec<Value> = idp.keys.iter().map(|(kid, k)| jwk(kid, k)).collect();
    axum::Json(json!({ "keys": keys })).into_response()
}

/// The provider's login: the configured user is already logged in and consents.
async fn authorize(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut idp = s.lock().expect("idp");
    let ok = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("client_id").map(String::as_str) == Some(CLIENT)
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.get("scope")
            .is_some_and(|s| s.split(' ').any(|x| x == "openid"));
    if !ok {
        return (StatusCode::BAD_REQUEST, "invalid_request").into_response();
    }
    let code = format!("code-{}", idp.codes.len() + 1000);
    let redirect = q["redirect_uri"].clone();
    let user = idp.user.clone();
    idp.codes.insert(
        code.clone(),
        Grant {
            challenge: q["code_challenge"].clone(),
            nonce: q["nonce"].clone(),
            redirect: redirect.clone(),
            user,
        },
    );
    let mut to = url::Url::parse(&redirect).expect("redirect_uri");
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q["state"]);
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

fn token_error(e: &str) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": e }))).into_response()
}

async fn token(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let mut idp = s.lock().expect("idp");
    idp.token_calls += 1;
    let basic = format!("Basic {}", STANDARD.encode(format!("{CLIENT}:{SECRET}")));
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(&basic)
    {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    // A code works once (RFC 6749 §4.1.2).
    let Some(g) = f.get("code").and_then(|c| idp.codes.remove(c)) else {
        return token_error("invalid_grant");
    };
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if b64(&Sha256::digest(verifier.as_bytes())) != g.challenge
        || f.get("redirect_uri") != Some(&g.redirect)
        || f.get("grant_type").map(String::as_str) != Some("authorization_code")
    {
        return token_error("invalid_grant");
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let lie = idp.lie.clone();
    let claims = json!({
        "iss": idp.issuer, "sub": format!("sub-{}", g.user),
        "aud": lie.aud.unwrap_or_else(|| CLIENT.into()),
        "exp": if lie.expired { now - 3600 } else { now + 300 }, "iat": now - 2,
        "nonce": lie.nonce.unwrap_or(g.nonce), "preferred_username": g.user,
    });
    let id_token = if lie.foreign_key {
        sign("k1", &key(), &claims)
    } else {
        let (kid, k) = idp.keys.last().expect("a key");
        sign(kid, k, &claims)
    };
    axum::Json(
        json!({"access_token": "opaque", "token_type": "Bearer", "expires_in": 300,
                      "id_token": id_token}),
    )
    .into_response()
}

/// Starts the provider on a loopback port.
async fn idp() -> Shared {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", l.local_addr().expect("addr"));
    let s: Shared = Arc::new(Mutex::new(Idp {
        issuer,
        keys: vec![("k1".into(), key())],
        codes: HashMap::new(),
        user: "siti".into(),
        lie: Lie::default(),
        token_calls: 0,
    }));
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(discovery),
        )
        .route("/authorize", axum::routing::get(authorize))
        .route("/token", axum::routing::post(token))
        .route("/jwks", axum::routing::get(jwks))
        .with_state(s.clone());
    tokio::spawn(async move { axum::serve(l, app).await });
    s
}

struct World {
    svc: Arc<Service>,
    router: Router,
    idp: Shared,
    http: reqwest::Client,
}

async fn world(store: Arc<Store>, idp: Shared, oidc: bool) -> World {
    let mut cfg = ServiceConfig::default();
    if oidc {
        let issuer = idp.lock().expect("idp").issuer.clone();
        let s = OidcSettings::new(&issuer, CLIENT, Some(SECRET.into()), Some(PUBLIC))
            .expect("settings");
        cfg.oidc = Some(Arc::new(Provider::new(s).expect("provider")));
    }
    let svc = Arc::new(Service::new(
        store,
        Roles::builtin().expect("roles"),
        Arc::new(kawal::worker::SystemClock),
        cfg,
    ));
    let local = Actor::local_operator();
    for (name, roles, agency) in [
        ("admin", vec!["administrator"], None),
        ("siti", vec!["kepala-seksi"], None),
        ("budi", vec!["pj-aplikasi"], Some("BKPSDM")),
    ] {
        svc.add_user(
            &local,
            NewUser {
                username: name.into(),
                email: Some(format!("{name}@kominfo.example.go.id")),
                agency: agency.map(str::to_string),
                roles: roles.into_iter().map(str::to_string).collect(),
                ..NewUser::default()
            },
        )
        .await
        .expect("user");
    }
    let router = router(AppState {
        service: svc.clone(),
        checklist: Arc::new(kawal::checklist::Checklist::builtin().expect("checklist")),
        web: Arc::new(WebConfig::default()),
        liveness: None,
        sealer: Some(Arc::new(kawal::auth::seal::Sealer::from_key([9; 32]))),
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    World {
        svc,
        router,
        idp,
        http,
    }
}

async fn get(r: &Router, path: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let mut b = Request::builder()
        .uri(path)
        .header(header::HOST, "kawal.example.go.id");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let resp = tower_service::Service::call(&mut r.clone(), b.body(Body::empty()).expect("req"))
        .await
        .expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn set_cookie(h: &HeaderMap, name: &str) -> Option<(String, String)> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let value = v[name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or("")
                .to_string();
            (value, v.to_string())
        })
}

/// What the browser holds after the provider sends it back: the callback path and the
/// login-state cookie.
async fn through_provider(w: &World) -> (String, String) {
    let (status, h, _) = get(&w.router, "/login/oidc", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (state_cookie, attrs) = set_cookie(&h, "__Host-kawal-oidc").expect("state cookie");
    for a in [
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=600",
    ] {
        assert!(attrs.contains(a), "{a} in {attrs}");
    }
    let to = h[header::LOCATION].to_str().expect("location").to_string();
    let resp = w.http.get(&to).send().await.expect("authorize");
    assert_eq!(resp.status(), StatusCode::FOUND, "{to}");
    let back = resp.headers()[header::LOCATION]
        .to_str()
        .expect("loc")
        .to_string();
    let back = url::Url::parse(&back).expect("callback");
    assert_eq!(
        format!(
            "{}://{}{}",
            back.scheme(),
            back.host_str().unwrap_or(""),
            back.path()
        ),
        format!("{PUBLIC}/login/oidc/callback")
    );
    (
        format!("{}?{}", back.path(), back.query().unwrap_or("")),
        format!("__Host-kawal-oidc={state_cookie}"),
    )
}

async fn failures(store: &Store) -> Vec<String> {
    store
        .audit_list(&AuditFilter {
            action: Some("login.oidc.failed".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .map(|e| {
            e.content
                .after
                .map(|a| a["reason"].to_string())
                .unwrap_or_default()
        })
        .collect()
}

async fn scenario(store: Arc<Store>) {
    let w = world(store.clone(), idp().await, true).await;

    // The login page offers the provider.
    let (_, _, page) = get(&w.router, "/login", None).await;
    assert!(page.contains("href=\"/login/oidc\""), "{page}");

    // The whole flow: a session for the account the provider names.
    let (callback, state) = through_provider(&w).await;
    let (status, h, body) = get(&w.router, &callback, Some(&state)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("url=/"),
        "moves on to / from Kawal's own page: {body}"
    );
    let (sid, attrs) = set_cookie(&h, "__Host-kawal").expect("session cookie");
    assert!(
        attrs.contains("SameSite=Strict") && attrs.contains("HttpOnly"),
        "{attrs}"
    );
    let (_, cleared) = set_cookie(&h, "__Host-kawal-oidc").expect("state cookie cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let (status, _, who) = get(
        &w.router,
        "/api/v1/session",
        Some(&format!("__Host-kawal={sid}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{who}");
    let who: Value = serde_json::from_str(&who).expect("json");
    assert_eq!(who["user"]["username"], "siti", "{who}");
    let logins = store
        .audit_list(&AuditFilter {
            action: Some("login.oidc".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert!(
        logins
            .iter()
            .any(|e| e.content.action == "login.oidc" && e.content.actor == "siti")
    );

    // The same callback again: the provider refuses a used code; no session.
    let (status, h, body) = get(&w.router, &callback, Some(&state)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(set_cookie(&h, "__Host-kawal").is_none());
    assert!(body.contains("invalid_grant"), "{body}");

    // A callback without the browser's state cookie, or with another login's state
    // (login CSRF): refused before the code is used.
    let calls = w.idp.lock().expect("idp").token_calls;
    let (callback, state) = through_provider(&w).await;
    let (status, _, body) = get(&w.router, &callback, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (_, other_state) = through_provider(&w).await;
    let (status, _, _) = get(&w.router, &callback, Some(&other_state)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let tampered = format!("{state}A");
    let (status, _, _) = get(&w.router, &callback, Some(&tampered)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        w.idp.lock().expect("idp").token_calls,
        calls,
        "no code was spent"
    );

    // Lying providers.
    let lies = [
        (
            "nonce",
            Lie {
                nonce: Some("other".into()),
                ..Lie::default()
            },
        ),
        (
            "audience",
            Lie {
                aud: Some("another-app".into()),
                ..Lie::default()
            },
        ),
        (
            "expired",
            Lie {
                expired: true,
                ..Lie::default()
            },
        ),
        (
            "signature",
            Lie {
                foreign_key: true,
                ..Lie::default()
            },
        ),
    ];
    for (what, lie) in lies {
        w.idp.lock().expect("idp").lie = lie;
        let (callback, state) = through_provider(&w).await;
        let (status, h, body) = get(&w.router, &callback, Some(&state)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert!(set_cookie(&h, "__Host-kawal").is_none(), "{what}");
    }
    w.idp.lock().expect("idp").lie = Lie::default();
    let reasons = failures(&store).await.join("\n");
    for r in ["nonce", "bukan untuk Kawal", "kedaluwarsa", "tanda tangan"] {
        assert!(reasons.contains(r), "{r} audited in:\n{reasons}");
    }

    // The provider rotates its key after Kawal cached the old set: the new kid is fetched.
    {
        let mut idp = w.idp.lock().expect("idp");
        idp.keys = vec![("k2".into(), key())];
    }
    let (callback, state) = through_provider(&w).await;
    let (status, _, body) = get(&w.router, &callback, Some(&state)).await;
    assert_eq!(status, StatusCode::OK, "after key rotation: {body}");

    // A provider user without a Kawal account, and a disabled account: no session.
    w.idp.lock().expect("idp").user = "tamu".into();
    let (callback, state) = through_provider(&w).await;
    let (status, _, body) = get(&w.router, &callback, Some(&state)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("belum terdaftar"), "{body}");
    let admin = Actor::cli(store.account("admin").await.expect("admin"));
    w.svc
        .edit_user(
            &admin,
            "budi",
            AccountPatch {
                disabled: Some(true),
                ..AccountPatch::default()
            },
        )
        .await
        .expect("disable");
    w.idp.lock().expect("idp").user = "budi".into();
    let (callback, state) = through_provider(&w).await;
    let (status, _, body) = get(&w.router, &callback, Some(&state)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("dinonaktifkan"), "{body}");
    let reasons = failures(&store).await;
    assert!(reasons.len() >= 8, "every refusal audited: {reasons:?}");
}

#[tokio::test]
async fn provider_login_on_sqlite() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}/k.db", dir.path().display());
    scenario(Arc::new(Store::open(&url).await.expect("sqlite"))).await;
}

#[tokio::test]
async fn provider_login_on_postgres() {
    let Some(url) = common::pg_url() else { return };
    let schema = format!("kawal_oidc_{}", std::process::id());
    let store = Arc::new(Store::open_pg_schema(&url, &schema).await.expect("pg"));
    scenario(store).await;
    let pool = sqlx::PgPool::connect(&url).await.expect("cleanup");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&pool)
        .await
        .expect("drop schema");
}

#[tokio::test]
async fn without_a_provider_there_is_no_provider_login() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}/k.db", dir.path().display());
    let store = Arc::new(Store::open(&url).await.expect("sqlite"));
    let w = world(store, idp().await, false).await;
    let (_, _, page) = get(&w.router, "/login", None).await;
    assert!(!page.contains("/login/oidc"), "{page}");
    let (status, _, _) = get(&w.router, "/login/oidc", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&w.router, "/login/oidc/callback?code=x&state=y", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unreachable_provider_is_a_clear_refusal() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}/k.db", dir.path().display());
    let store = Arc::new(Store::open(&url).await.expect("sqlite"));
    let idp = idp().await;
    // A closed port: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("a")
        .port();
    idp.lock().expect("idp").issuer = format!("http://127.0.0.1:{port}");
    let w = world(store, idp, true).await;
    let (status, _, body) = get(&w.router, "/login/oidc", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        body.contains("penyedia SSO") && body.contains(&port.to_string()),
        "{body}"
    );
}

#[test]
fn kawal_serve_refuses_a_plain_http_provider_at_start() {
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join("kawal.toml"),
        "[server]\npublic_url = \"https://kawal.example.go.id\"\n\n[oidc]\nissuer = \"http://sso.example.go.id/realms/pemda\"\nclient_id = \"kawal\"\n",
    )
    .expect("config");
    let mut c = common::kawal(home.path());
    c.args(["serve", "--listen", "127.0.0.1:0"]);
    let (code, _, err) = common::run(c);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("oidc.issuer") && err.contains("https"),
        "{err}"
    );
}
