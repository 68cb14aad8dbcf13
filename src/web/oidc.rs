//! `GET /login/oidc` and its callback: the browser's side of a provider login.

use super::AppState;
use super::auth::{ReqLang, client_addr, cookie};
use super::pages::login_form;
use crate::i18n::{Lang, tr};
use crate::service::{OidcCallback, ServiceError};
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The cookie that carries the sealed login state to the callback. `SameSite=Lax`: the
/// callback is a top-level navigation coming from the provider's site.
const COOKIE: &str = "__Host-kawal-oidc";

fn state_cookie(value: &str, clear: bool) -> HeaderValue {
    let age = if clear { 0 } else { 600 };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("__Host-kawal-oidc=; Path=/; Secure; Max-Age=0"))
}

fn failed(st: &AppState, lang: Lang, status: StatusCode, why: &str) -> Response {
    let msg = format!("{}: {why}", tr(lang, "Masuk SSO gagal", "SSO login failed"));
    let mut r = (
        status,
        login_form(lang, st.service.oidc_label(), Some(&msg)),
    )
        .into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, state_cookie("", true));
    r
}

fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::NotFound { .. } => StatusCode::NOT_FOUND,
        ServiceError::Invalid { .. } => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `GET /login/oidc`: sends the browser to the provider with a fresh state, nonce and PKCE
/// challenge.
pub async fn start(State(st): State<AppState>, ReqLang(lang): ReqLang) -> Response {
    let Some(sealer) = st.sealer.clone() else {
        return failed(&st, lang, StatusCode::INTERNAL_SERVER_ERROR, "secret key");
    };
    match st.service.oidc_begin(&sealer).await {
        Ok(s) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(loc) = HeaderValue::from_str(s.url.as_str()) {
                r.headers_mut().insert(header::LOCATION, loc);
            }
            r.headers_mut()
                .insert(header::SET_COOKIE, state_cookie(&s.cookie, false));
            r
        }
        Err(e) => failed(&st, lang, status_of(&e), &e.to_string()),
    }
}

/// The provider's answer on the callback.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /login/oidc/callback`: finishes the login and opens a Kawal session.
pub async fn callback(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    parts: Parts,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(sealer) = st.sealer.clone() else {
        return failed(&st, lang, StatusCode::INTERNAL_SERVER_ERROR, "secret key");
    };
    let client = client_addr(&st, &parts).map(|c| c.to_string());
    let sealed = cookie(&parts.headers, COOKIE);
    let cb = OidcCallback {
        cookie: sealed.as_deref(),
        state: q.state.as_deref(),
        code: q.code.as_deref(),
        error: q.error.as_deref(),
        client: client.as_deref(),
    };
    match st.service.oidc_finish(&sealer, cb).await {
        Ok(out) => landed(lang, &out.session_id),
        Err(e) => failed(&st, lang, status_of(&e), &e.to_string()),
    }
}

/// The session cookie is `SameSite=Strict`, and a browser does not send it on a redirect
/// chain that began on the provider's site; a page of Kawal's own that moves on to `/` does.
fn landed(lang: Lang, session_id: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url=/\"><title>Kawal</title>\
         <link rel=\"stylesheet\" href=\"/static/kawal.css\"></head>\
         <body><main><p><a href=\"/\">{}</a></p></main></body></html>\n",
        tr(lang, "Berhasil masuk; lanjutkan", "Logged in; continue"),
    );
    let mut r = (StatusCode::OK, axum::response::Html(html)).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        super::api::session_cookie(session_id, false),
    );
    r.headers_mut()
        .append(header::SET_COOKIE, state_cookie("", true));
    r
}
