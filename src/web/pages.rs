//! The few pages that must work before anyone is logged in: setting a password through the
//! one-time link. Plain HTML forms, no script, the same headers as the API.

use super::AppState;
use super::auth::{ReqLang, client_addr, same_origin};
use crate::i18n::Lang;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(lang: Lang, title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} — Kawal</title></head><body><main><h1>{t}</h1>{body}</main></body></html>\n",
        t = esc(title)
    ))
}

fn tr(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    crate::i18n::tr(lang, id, en)
}

fn form(lang: Lang, token: &str, error: Option<&str>) -> Html<String> {
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
pub async fn setup_form(ReqLang(lang): ReqLang, Query(q): Query<TokenQuery>) -> Html<String> {
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
        return (
            StatusCode::FORBIDDEN,
            page(
                lang,
                "403",
                tr(lang, "Asal permintaan ditolak.", "Request origin refused."),
            ),
        )
            .into_response();
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

/// `GET /`: what this service is and where its parts are (the dashboard pages build on it).
pub async fn home(ReqLang(lang): ReqLang) -> Html<String> {
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
    page(
        lang,
        "Kawal",
        &format!(
            "<p>{}</p><nav aria-label=\"{}\"><ul>{items}</ul></nav>",
            tr(
                lang,
                "Evaluasi keamanan aplikasi pemerintah daerah secara berkala (Perban BSSN 4/2021). Masuk dengan POST /api/v1/session atau token API.",
                "Periodic security evaluation of local-government applications (BSSN regulation 4/2021). Log in with POST /api/v1/session or an API token."
            ),
            tr(lang, "Bagian layanan", "Parts of the service"),
        ),
    )
}
