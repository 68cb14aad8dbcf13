//! `kawal serve`'s HTTP side: the JSON API over the application layer, with sessions,
//! tokens, CSRF protection and strict security headers, served over HTTPS (or plain HTTP
//! behind a trusted reverse proxy).

/// Awaits a service call and turns its error into the API's answer in the request's language.
macro_rules! svc {
    ($a:expr, $e:expr) => {
        $e.await
            .map_err(|e| $crate::web::error::ApiError::from_service(e, $a.lang))?
    };
}

pub mod api;
pub mod auth;
pub mod delivery;
pub mod error;
pub mod oidc;
pub mod openapi;
pub mod pages;
pub mod routes;
mod tls;
pub mod workflows;

pub use tls::{ServerTls, TlsError};

use crate::checklist::Checklist;
use crate::service::Service;
use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Settings of the HTTP side.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Proxies whose X-Forwarded-For is believed (with `--behind-proxy`).
    pub trusted_proxies: Vec<IpAddr>,
}

/// Whether the background parts of `kawal serve` are alive (for `/readyz`).
pub type Liveness = Arc<dyn Fn() -> Result<(), String> + Send + Sync>;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The application layer.
    pub service: Arc<Service>,
    /// The checklist reports are rendered with.
    pub checklist: Arc<Checklist>,
    /// HTTP settings.
    pub web: Arc<WebConfig>,
    /// Scheduler liveness.
    pub liveness: Option<Liveness>,
    /// The key that seals test roles (absent: role routes answer an internal error).
    pub sealer: Option<Arc<crate::auth::seal::Sealer>>,
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers and the scheduler loop runs.
pub async fn readyz(State(st): State<AppState>) -> Response {
    let db = st.service.store().ping().await.map_err(|e| e.to_string());
    let sched = match &st.liveness {
        Some(f) => f(),
        None => Ok(()),
    };
    let ok = db.is_ok() && sched.is_ok();
    let body = json!({
        "status": if ok { "ok" } else { "unavailable" },
        "checks": {
            "database": db.err().unwrap_or_else(|| "ok".into()),
            "scheduler": sched.err().unwrap_or_else(|| "ok".into()),
        }
    });
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> Json<serde_json::Value> {
    Json(openapi::document())
}

/// Headers every answer carries: no script, no framing, no sniffing, no referrer, HTTPS only;
/// and the time the server spent on the answer.
async fn security_headers(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    // Time spent serving the request, for operators and load tests (W3C Server-Timing).
    if let Ok(v) = HeaderValue::from_str(&format!(
        "app;dur={:.1}",
        started.elapsed().as_secs_f64() * 1000.0
    )) {
        h.insert(header::HeaderName::from_static("server-timing"), v);
    }
    let set = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: &'static str| {
        if !h.contains_key(&k) {
            h.insert(k, HeaderValue::from_static(v));
        }
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    set(
        h,
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=31536000; includeSubDomains",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::CACHE_CONTROL, "no-store");
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    r
}

/// Unknown paths answer with the same JSON error body as everything else.
async fn not_found(auth::ReqLang(lang): auth::ReqLang) -> error::ApiError {
    error::ApiError::new(StatusCode::NOT_FOUND, "not_found", lang)
}

/// The router of the service (no socket: tests drive it directly too).
pub fn router(state: AppState) -> Router {
    let mut r = Router::new();
    for route in routes::ROUTES {
        let guard =
            axum::middleware::from_fn_with_state((state.clone(), route.access), auth::guard);
        r = r.route(route.path, (route.handler)().route_layer(guard));
    }
    r.fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(1 << 20))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves `router` on `listener` until `stop` turns true; TLS when `tls` is given.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    conns.spawn(connection(stream, peer, router.clone(), tls.clone()));
                }
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = stop.changed() => if *stop.borrow() { break },
        }
    }
    // Let requests in flight finish briefly; then drop the rest.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while conns.join_next().await.is_some() {}
    })
    .await;
}

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    match tls {
        None => serve_io(stream, peer, router).await,
        Some(acceptor) => {
            if let Ok(Ok(s)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            {
                serve_io(s, peer, router).await;
            }
        }
    }
}

async fn serve_io<S>(io: S, peer: SocketAddr, router: Router)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(auth::Peer(peer));
        let mut r = router.clone();
        async move { tower_service::Service::call(&mut r, req).await }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HANDSHAKE_TIMEOUT)
        .max_headers(100)
        .serve_connection(TokioIo::new(io), svc)
        .await;
}
