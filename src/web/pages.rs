//! The pages: the few that must work before anyone is logged in (login, setting a password
//! through the one-time link) and the dashboard (`pages/*.hbs`, modules below). Plain HTML
//! forms that work without script, the same headers as the API.

pub mod actions;
pub mod apps;
pub mod evals;
pub mod lists;
pub mod paging;
pub mod view;
pub mod workflows;

use super::AppState;
use super::auth::{ReqLang, client_addr, same_origin};
use crate::i18n::Lang;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::report::xml_escape as esc;

fn page(lang: Lang, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} — Kawal</title><link rel=\"stylesheet\" href=\"/static/kawal.css\"></head>\
         <body><main><h1>{t}</h1>{body}</main></body></html>\n",
        t = esc(title)
    );
    let ctx = view::Ctx {
        lang,
        chosen: None,
        user: None,
        nav: serde_json::Value::Null,
    };
    view::html_response(&ctx, StatusCode::OK, html)
}

/// A page that refuses a request, titled with its status code.
fn refusal(status: StatusCode, lang: Lang, message: &str) -> Response {
    (status, page(lang, status.as_str(), message)).into_response()
}

fn tr(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    crate::i18n::tr(lang, id, en)
}

fn form(lang: Lang, token: &str, error: Option<&str>) -> Response {
    let err = error
        .map(|e| format!("<p role=\"alert\"><strong>{}</strong></p>", esc(e)))
        .unwrap_or_default();
    page(
        lang,
        tr(lang, "Atur kata sandi", "Set your password"),
        &format!(
            "{err}<form method=\"post\" action=\"/setup-password\">\
             <input type=\"hidden\" name=\"token\" value=\"{tok}\">\
             <p><label for=\"pw\">{l1}</label><br><input id=\"pw\" name=\"password\" type=\"password\" minlength=\"12\" maxlength=\"256\" autocomplete=\"new-password\" required></p>\
             <p><label for=\"pw2\">{l2}</label><br><input id=\"pw2\" name=\"confirm\" type=\"password\" minlength=\"12\" maxlength=\"256\" autocomplete=\"new-password\" required></p>\
             <p>{hint}</p><p><button type=\"submit\">{btn}</button></p></form>",
            tok = esc(token),
            l1 = tr(lang, "Kata sandi baru", "New password"),
            l2 = tr(lang, "Ulangi kata sandi", "Repeat the password"),
            hint = tr(
                lang,
                "Minimal 12 karakter. Tautan ini hanya berlaku sekali.",
                "At least 12 characters. This link works once."
            ),
            btn = tr(lang, "Simpan", "Save"),
        ),
    )
}

/// Query of `GET /setup-password`.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// `GET /setup-password?token=…`: the form of the one-time link.
pub async fn setup_form(ReqLang(lang): ReqLang, Query(q): Query<TokenQuery>) -> Response {
    form(lang, q.token.as_deref().unwrap_or_default(), None)
}

/// The form's fields.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    token: String,
    password: String,
    confirm: String,
}

/// `POST /setup-password`: sets the password; the link is spent whatever the outcome.
pub async fn setup_submit(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    parts: Parts,
    Form(f): Form<SetupForm>,
) -> Response {
    if !same_origin(&parts.headers) {
        return refusal(
            StatusCode::FORBIDDEN,
            lang,
            tr(lang, "Asal permintaan ditolak.", "Request origin refused."),
        );
    }
    if f.password != f.confirm {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            form(
                lang,
                &f.token,
                Some(tr(
                    lang,
                    "Kedua kata sandi tidak sama.",
                    "The two passwords differ.",
                )),
            ),
        )
            .into_response();
    }
    let client = client_addr(&st, &parts).map(|c| c.to_string());
    match st.service.set_password(f.token.trim(), &f.password, client.as_deref()).await {
        Ok(name) => page(
            lang,
            tr(lang, "Kata sandi tersimpan", "Password saved"),
            &format!("<p>{} <strong>{}</strong>.</p>", tr(lang, "Kata sandi diatur untuk akun", "The password is set for account"), esc(&name)),
        )
        .into_response(),
        Err(crate::service::ServiceError::Invalid { message, .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, form(lang, &f.token, Some(&message))).into_response()
        }
        Err(_) => (
            StatusCode::NOT_FOUND,
            page(lang, tr(lang, "Tautan tidak berlaku", "Link not valid"), tr(lang, "<p>Tautan ini sudah dipakai, kedaluwarsa, atau tidak dikenal. Mintalah tautan baru kepada administrator.</p>", "<p>This link was used, has expired or is unknown. Ask an administrator for a new one.</p>")),
        )
            .into_response(),
    }
}

/// The session of a page request, if its cookie is valid.
async fn page_session(
    st: &AppState,
    parts: &Parts,
) -> Option<(String, crate::service::SessionInfo)> {
    let sid = super::auth::cookie(&parts.headers, super::auth::COOKIE)?;
    let client = client_addr(st, parts).map(|c| c.to_string());
    let info = st.service.session(&sid, client.as_deref()).await.ok()??;
    Some((sid, info))
}

/// `GET /`: the overview for a logged-in user; otherwise what this service is, where its
/// parts are, and the way to log in.
pub async fn home(State(st): State<AppState>, parts: Parts) -> Response {
    let ctx = view::Ctx::of(&st, &parts).await;
    if ctx.user.is_some() {
        return apps::overview(&st, &ctx, &parts).await;
    }
    let lang = ctx.lang;
    let links = [
        (
            "/api/v1/openapi.json",
            tr(
                lang,
                "Deskripsi API (OpenAPI 3.1)",
                "API description (OpenAPI 3.1)",
            ),
        ),
        (
            "/api/v1/session",
            tr(lang, "Akun yang sedang masuk", "The logged-in account"),
        ),
        (
            "/api/v1/apps",
            tr(lang, "Aplikasi terdaftar", "Registered applications"),
        ),
        (
            "/api/v1/evaluations",
            tr(lang, "Riwayat evaluasi", "Evaluation history"),
        ),
        ("/api/v1/findings", tr(lang, "Temuan", "Findings")),
        (
            "/api/v1/jobs",
            tr(lang, "Antrean evaluasi", "Evaluation queue"),
        ),
        ("/readyz", tr(lang, "Kesiapan layanan", "Service readiness")),
    ];
    let items: String = links
        .iter()
        .map(|(href, label)| format!("<li><a href=\"{href}\">{}</a></li>", esc(label)))
        .collect();
    let who = format!(
        "<p><a href=\"/login\">{}</a></p>",
        tr(lang, "Masuk", "Log in")
    );
    page(
        lang,
        "Kawal",
        &format!(
            "<p>{}</p>{who}<nav aria-label=\"{}\"><ul>{items}</ul></nav>\
             <form method=\"get\" action=\"/api/v1/apps\" role=\"search\"><p><label for=\"q\">{}</label> \
             <input id=\"q\" name=\"q\" type=\"search\"> <button type=\"submit\">{}</button></p></form>",
            tr(
                lang,
                "Evaluasi keamanan aplikasi pemerintah daerah secara berkala (Perban BSSN 4/2021).",
                "Periodic security evaluation of local-government applications (BSSN regulation 4/2021)."
            ),
            tr(lang, "Bagian layanan", "Parts of the service"),
            tr(lang, "Cari aplikasi", "Search applications"),
            tr(lang, "Cari", "Search"),
        ),
    )
}

/// The login page; `sso` is the provider button's text when provider login is configured.
pub(super) fn login_form(lang: Lang, sso: Option<&str>, error: Option<&str>) -> Response {
    let err = error
        .map(|e| format!("<p role=\"alert\"><strong>{}</strong></p>", esc(e)))
        .unwrap_or_default();
    // A link, not a form: starting a provider login changes nothing on the server.
    let sso = sso
        .map(|label| {
            format!(
                "<p><a class=\"button\" href=\"/login/oidc\">{} {}</a></p>",
                tr(lang, "Masuk dengan", "Log in with"),
                esc(label)
            )
        })
        .unwrap_or_default();
    page(
        lang,
        tr(lang, "Masuk", "Log in"),
        &format!(
            "{err}<form method=\"post\" action=\"/login\">\
             <p><label for=\"username\">{}</label><br><input id=\"username\" name=\"username\" autocomplete=\"username\" required></p>\
             <p><label for=\"password\">{}</label><br><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
             <p><button type=\"submit\">{}</button></p></form>{sso}",
            tr(lang, "Nama pengguna", "User name"),
            tr(lang, "Kata sandi", "Password"),
            tr(lang, "Masuk", "Log in"),
        ),
    )
}

/// `GET /login`: the login form.
pub async fn login_page(State(st): State<AppState>, ReqLang(lang): ReqLang) -> Response {
    login_form(lang, st.service.oidc_label(), None)
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

fn redirect(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, to)]).into_response()
}

/// `POST /login`: the same login as the API, for a browser; a new session id every time.
pub async fn login_submit(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> Response {
    if !same_origin(&parts.headers) {
        return refusal(
            StatusCode::FORBIDDEN,
            lang,
            tr(lang, "Asal permintaan ditolak.", "Request origin refused."),
        );
    }
    let client = client_addr(&st, &parts).map(|c| c.to_string());
    match st
        .service
        .login(&f.username, &f.password, client.as_deref())
        .await
    {
        Ok(out) => {
            let mut r = redirect("/");
            r.headers_mut().insert(
                axum::http::header::SET_COOKIE,
                super::api::session_cookie(&out.session_id, false),
            );
            r
        }
        Err(crate::service::ServiceError::Throttled) => (
            StatusCode::TOO_MANY_REQUESTS,
            login_form(
                lang,
                st.service.oidc_label(),
                Some(tr(
                    lang,
                    "Terlalu banyak percobaan; coba lagi nanti.",
                    "Too many attempts; try again later.",
                )),
            ),
        )
            .into_response(),
        Err(_) => (
            StatusCode::UNAUTHORIZED,
            login_form(
                lang,
                st.service.oidc_label(),
                Some(tr(
                    lang,
                    "Nama pengguna atau kata sandi salah.",
                    "Wrong user name or password.",
                )),
            ),
        )
            .into_response(),
    }
}

/// The logout form's field.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

/// `POST /logout`: ends the session on the server (CSRF token from the form, Origin checked).
pub async fn logout_submit(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    parts: Parts,
    Form(f): Form<LogoutForm>,
) -> Response {
    let Some((sid, info)) = page_session(&st, &parts).await else {
        return redirect("/login");
    };
    if !same_origin(&parts.headers) || !st.service.csrf_ok(&info, Some(&f.csrf)) {
        return refusal(
            StatusCode::FORBIDDEN,
            lang,
            tr(
                lang,
                "Token CSRF tidak ada atau salah.",
                "Missing or wrong CSRF token.",
            ),
        );
    }
    if st.service.logout(&sid, &info.actor).await.is_err() {
        return refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            lang,
            tr(lang, "Kesalahan internal.", "Internal error."),
        );
    }
    let mut r = redirect("/login");
    r.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        super::api::session_cookie("", true),
    );
    r
}
