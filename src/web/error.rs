//! One error type for every handler, rendered as a stable JSON body.

use crate::i18n::Lang;
use crate::service::ServiceError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An API error: status, stable code, message in the request's language, field.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Field concerned, if any.
    pub field: Option<String>,
    /// Detail (both languages).
    pub detail: Option<String>,
    /// Language of the message.
    pub lang: Lang,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

/// The message of each code in Indonesian and English.
pub fn message(code: &str, lang: Lang) -> &'static str {
    let (id, en) = match code {
        "unauthenticated" => ("Perlu masuk terlebih dahulu.", "Authentication required."),
        "login_failed" => (
            "Nama pengguna atau kata sandi salah.",
            "Wrong user name or password.",
        ),
        "forbidden" => (
            "Anda tidak memiliki izin untuk tindakan ini.",
            "You are not permitted to do this.",
        ),
        "csrf" => (
            "Token CSRF tidak ada atau salah.",
            "Missing or wrong CSRF token.",
        ),
        "not_found" => ("Tidak ditemukan.", "Not found."),
        "invalid" => ("Masukan tidak sah.", "Invalid input."),
        "conflict" => (
            "Bertentangan dengan data tersimpan.",
            "Conflicts with stored data.",
        ),
        "throttled" => (
            "Terlalu banyak percobaan; coba lagi nanti.",
            "Too many attempts; try again later.",
        ),
        "unavailable" => ("Layanan belum siap.", "Service not ready."),
        _ => ("Kesalahan internal.", "Internal error."),
    };
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

impl ApiError {
    /// An error with a code and status, no detail.
    pub fn new(status: StatusCode, code: &'static str, lang: Lang) -> ApiError {
        ApiError {
            status,
            code,
            field: None,
            detail: None,
            lang,
        }
    }

    /// An invalid field.
    pub fn invalid(field: &str, detail: impl Into<String>, lang: Lang) -> ApiError {
        ApiError {
            field: Some(field.into()),
            detail: Some(detail.into()),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", lang)
        }
    }

    /// Maps a service error.
    pub fn from_service(e: ServiceError, lang: Lang) -> ApiError {
        let detail = Some(e.to_string());
        let (status, code, field) = match e {
            ServiceError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", None),
            ServiceError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden", None),
            ServiceError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found", None),
            ServiceError::Invalid { field, .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some(field))
            }
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, "conflict", None),
            ServiceError::Throttled => (StatusCode::TOO_MANY_REQUESTS, "throttled", None),
            ServiceError::Store(_) | ServiceError::Internal(_) => {
                tracing::error!("{e}", e = detail.as_deref().unwrap_or_default());
                // Internal details stay in the log.
                return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", lang);
            }
        };
        ApiError {
            status,
            code,
            field,
            detail,
            lang,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: message(self.code, self.lang),
                field: self.field.as_deref(),
                detail: self.detail.as_deref(),
            },
        };
        let mut r = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"kawal\""),
            );
        }
        r
    }
}
