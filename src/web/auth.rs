//! Who is calling: a Bearer token or a session cookie (with its CSRF token on state-changing
//! requests), and from which client address.

use super::AppState;
use super::error::ApiError;
use crate::i18n::Lang;
use crate::service::{Actor, SessionInfo, lang_of};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use std::net::{IpAddr, SocketAddr};

/// The session cookie's name: `__Host-` makes browsers insist on Secure, path `/`, no Domain.
pub const COOKIE: &str = "__Host-kawal";
/// Header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The TCP peer of a connection, inserted by the server.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// The request's language (Accept-Language: `en…` gives English).
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(lang_of(
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )))
    }
}

/// The client address: the peer, or behind a trusted proxy the last address it forwarded.
pub fn client_addr(state: &AppState, parts: &Parts) -> Option<IpAddr> {
    let peer = parts.extensions.get::<Peer>().map(|p| p.0.ip())?;
    if !state.web.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    // The right-most address not of a trusted proxy is the one the proxies saw.
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !state.web.trusted_proxies.contains(a))
            .unwrap_or(peer),
    )
}

/// The value of a cookie in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unsafe_method(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request's Origin (when sent) is this server's own.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Browsers send Origin on cross-site POSTs; without it the CSRF token still decides.
        return true;
    };
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok());
    match (url::Url::parse(origin), host) {
        (Ok(o), Some(h)) => {
            let port = o.port().map(|p| format!(":{p}")).unwrap_or_default();
            o.host_str()
                .is_some_and(|oh| format!("{oh}{port}").eq_ignore_ascii_case(h))
        }
        _ => false,
    }
}

/// An authenticated caller.
#[derive(Clone)]
pub struct Authed {
    /// The acting user.
    pub actor: Actor,
    /// The session, when the caller came with a cookie.
    pub session: Option<(String, SessionInfo)>,
    /// Language of the request.
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The route guard already identified the caller.
        if let Some(a) = parts.extensions.get::<Authed>() {
            return Ok(a.clone());
        }
        let ReqLang(lang) = ReqLang::from_request_parts(parts, state)
            .await
            .unwrap_or(ReqLang(Lang::Id));
        let client = client_addr(state, parts).map(|a| a.to_string());
        let svc = &state.service;
        let unauth = || ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", lang);
        if let Some(token) = bearer(&parts.headers) {
            let actor = svc
                .token_actor(token, client.as_deref())
                .await
                .map_err(|e| ApiError::from_service(e, lang))?
                .ok_or_else(unauth)?;
            return Ok(Authed {
                actor,
                session: None,
                lang,
            });
        }
        let sid = cookie(&parts.headers, COOKIE).ok_or_else(unauth)?;
        let info = svc
            .session(&sid, client.as_deref())
            .await
            .map_err(|e| ApiError::from_service(e, lang))?
            .ok_or_else(unauth)?;
        if unsafe_method(&parts.method) {
            let given = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !same_origin(&parts.headers) || !svc.csrf_ok(&info, given) {
                return Err(ApiError::new(StatusCode::FORBIDDEN, "csrf", lang));
            }
        }
        Ok(Authed {
            actor: info.actor.clone(),
            session: Some((sid, info)),
            lang,
        })
    }
}

/// The guard of every route, from the route table: identifies the caller and checks the
/// route's permission before the handler (and before any body is parsed). The service checks
/// again with the object's agency; this layer makes the table itself binding.
pub async fn guard(
    axum::extract::State((state, access)): axum::extract::State<(AppState, super::routes::Access)>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use super::routes::Access;
    use axum::response::IntoResponse;
    if access == Access::Public {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let authed = match Authed::from_request_parts(&mut parts, &state).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if let Access::Permission(p) = access
        && let Err(e) = state.service.require(&authed.actor, p)
    {
        return ApiError::from_service(e, authed.lang).into_response();
    }
    parts.extensions.insert(authed);
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}
