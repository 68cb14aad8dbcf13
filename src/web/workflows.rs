//! `/api/v1/workflows`, `/api/v1/visits`, `/api/v1/grants` and the single-use credential
//! page: the SOP workflows over HTTP. The service decides who may do what.

use super::AppState;
use super::api::{ApiResult, AttachmentBody, Body, Q, sealer};
use super::auth::Authed;
use super::error::ApiError;
use crate::service::{AdvanceInput, DocFormat, StartInput};
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Query of `GET /api/v1/workflows`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
    status: Option<String>,
    mine: Option<bool>,
    due: Option<bool>,
    overdue: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/workflows`: workflows, or with `due=true` the steps waiting for the caller.
pub async fn list(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<ListQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(50);
    if q.due.unwrap_or(false) || q.overdue.unwrap_or(false) {
        let rows = svc!(
            a,
            st.service.workflow_due(
                &a.actor,
                q.kind.as_deref(),
                q.overdue.unwrap_or(false),
                limit
            )
        );
        return Ok(Json(json!({ "items": rows })));
    }
    let (items, total) = svc!(
        a,
        st.service.workflow_list(
            &a.actor,
            q.kind.as_deref(),
            q.status.as_deref(),
            q.mine.unwrap_or(false),
            limit,
            q.offset.unwrap_or(0)
        )
    );
    Ok(Json(json!({ "items": items, "total": total })))
}

/// Body of `POST /api/v1/workflows`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// `akses`, `pelanggaran` or `kunjungan`.
    pub kind: String,
    /// Field values of the SOP (e.g. system, level, purpose, until).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Note on the first step.
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/workflows`: starts a workflow; the first step is recorded as the caller's.
pub async fn start(
    State(st): State<AppState>,
    a: Authed,
    Body(b): Body<StartBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = StartInput {
        fields: b.fields,
        note: b.note,
    };
    let s = sealer(&st, a.lang)?;
    let done = svc!(
        a,
        st.service
            .workflow_start(&a.actor, &b.kind, &input, s, a.lang)
    );
    Ok((StatusCode::CREATED, Json(json!(done))))
}

/// `GET /api/v1/workflows/{id}`: steps with role, limit, state and record; letters; files.
pub async fn show(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let v = svc!(a, st.service.workflow_show(&a.actor, id, a.lang));
    Ok(Json(json!(v)))
}

/// Body of `POST /api/v1/workflows/{id}/steps/{step}`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceBody {
    /// The step's decision, for deciding steps.
    pub decision: Option<String>,
    /// Note or reason.
    #[serde(default)]
    pub note: String,
    /// Step inputs.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// A file kept with the step (e.g. the signed NDA).
    pub attachment: Option<AttachmentBody>,
}

/// `POST /api/v1/workflows/{id}/steps/{step}`: records a step as the caller.
pub async fn advance(
    State(st): State<AppState>,
    a: Authed,
    Path((id, step)): Path<(i64, String)>,
    Body(b): Body<AdvanceBody>,
) -> ApiResult<Json<Value>> {
    use base64::Engine as _;
    let attachment = match b.attachment {
        Some(f) => Some((
            f.name,
            base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.as_bytes())
                .map_err(|e| {
                    ApiError::invalid("attachment.content_base64", e.to_string(), a.lang)
                })?,
        )),
        None => None,
    };
    let input = AdvanceInput {
        decision: b.decision,
        note: b.note,
        inputs: b.inputs,
        attachment,
    };
    let s = sealer(&st, a.lang)?;
    let done = svc!(
        a,
        st.service
            .workflow_advance(&a.actor, id, &step, &input, s, a.lang)
    );
    Ok(Json(json!(done)))
}

/// Query of a document download.
#[derive(Debug, Deserialize)]
pub struct DocQuery {
    format: Option<String>,
}

/// `GET /api/v1/workflows/{id}/documents/{kind}`: an official letter as PDF or HTML.
pub async fn document(
    State(st): State<AppState>,
    a: Authed,
    Path((id, kind)): Path<(i64, String)>,
    Q(q): Q<DocQuery>,
) -> ApiResult<Response> {
    let format = DocFormat::parse(q.format.as_deref().unwrap_or("pdf"))
        .map_err(|e| ApiError::from_service(e, a.lang))?;
    let doc = svc!(a, st.service.workflow_document(&a.actor, id, &kind, format));
    let mut r = doc.bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(doc.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", doc.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    Ok(r)
}

/// Query of `GET /api/v1/grants`.
#[derive(Debug, Deserialize)]
pub struct GrantsQuery {
    until: Option<String>,
}

/// `GET /api/v1/grants`: access grants in force, soonest end first (recertification).
pub async fn grants(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<GrantsQuery>,
) -> ApiResult<Json<Value>> {
    let rows = svc!(a, st.service.grants(&a.actor, q.until.as_deref()));
    Ok(Json(json!({ "items": rows })))
}

/// Body of `POST /api/v1/visits`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinBody {
    /// Visitor's form: name, nik, phone, institution, purpose, devices.
    pub fields: BTreeMap<String, String>,
}

/// `POST /api/v1/visits`: a visitor checks in.
pub async fn checkin(
    State(st): State<AppState>,
    a: Authed,
    Body(b): Body<CheckinBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let s = sealer(&st, a.lang)?;
    let done = svc!(a, st.service.visit_checkin(&a.actor, b.fields, s, a.lang));
    Ok((StatusCode::CREATED, Json(json!(done))))
}

/// Body of `POST /api/v1/visits/{id}/checkout`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutBody {
    /// Devices taken out ("name:serial").
    #[serde(default)]
    pub devices_out: Vec<String>,
    /// The identity card was returned against the badge.
    pub id_returned: bool,
    /// Note.
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/visits/{id}/checkout`: the exit, devices compared.
pub async fn checkout(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Body(b): Body<CheckoutBody>,
) -> ApiResult<Json<Value>> {
    let s = sealer(&st, a.lang)?;
    let out = crate::service::Checkout {
        devices_out: b.devices_out,
        id_returned: b.id_returned,
        note: b.note,
    };
    let done = svc!(a, st.service.visit_checkout(&a.actor, id, &out, s, a.lang));
    Ok(Json(json!(done)))
}

/// Body of `POST /api/v1/visits/{id}/incidents`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentBody {
    /// What happened.
    pub note: String,
}

/// `POST /api/v1/visits/{id}/incidents`: the incident book.
pub async fn incident(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Body(b): Body<IncidentBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let n = svc!(a, st.service.visit_incident(&a.actor, id, &b.note));
    Ok((StatusCode::CREATED, Json(json!({ "id": n }))))
}

/// Query of the recap.
#[derive(Debug, Deserialize)]
pub struct RecapQuery {
    month: String,
}

/// `GET /api/v1/visits/recap?month=YYYY-MM`.
pub async fn recap(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<RecapQuery>,
) -> ApiResult<Json<Value>> {
    let r = svc!(a, st.service.visit_recap(&a.actor, &q.month));
    Ok(Json(json!(r)))
}

/// Body of `POST /api/v1/credentials/claim`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    /// The single-use link's secret.
    pub token: String,
}

/// `POST /api/v1/credentials/claim`: the initial secret, once.
pub async fn claim(State(st): State<AppState>, Body(b): Body<ClaimBody>) -> ApiResult<Json<Value>> {
    let lang = crate::i18n::Lang::Id;
    let s = sealer(&st, lang)?;
    let c = st
        .service
        .credential_claim(None, Some(&b.token), None, s)
        .await
        .map_err(|e| ApiError::from_service(e, lang))?;
    Ok(Json(
        json!({ "account": c.grant.account, "system": c.grant.system, "secret": c.secret }),
    ))
}

use crate::report::xml_escape as esc;

fn credential_page(body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Kredensial / Credentials — Kawal</title></head><body><main><h1>Kredensial awal / Initial credentials</h1>{body}</main></body></html>"
    ))
}

/// `GET /credentials/{token}`: asks before revealing, so a link preview cannot spend the link.
pub async fn credential_form(Path(token): Path<String>) -> Html<String> {
    credential_page(&format!(
        "<p>Kredensial ditampilkan <strong>sekali saja</strong>; catat sebelum menutup halaman. / The credentials are shown <strong>once only</strong>; note them before closing the page.</p>\
         <form method=\"post\" action=\"/credentials/{t}\"><p><button type=\"submit\">Tampilkan / Show</button></p></form>",
        t = esc(&token)
    ))
}

/// Form of the reveal.
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /credentials/{token}`: reveals the initial secret once.
pub async fn credential_reveal(
    State(st): State<AppState>,
    Path(token): Path<String>,
    Form(_): Form<Empty>,
) -> Response {
    let Some(s) = st.sealer.as_deref() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            credential_page(
                "<p role=\"alert\">Kunci rahasia tidak dimuat / the secret key is not loaded.</p>",
            ),
        )
            .into_response();
    };
    match st.service.credential_claim(None, Some(&token), None, s).await {
        Ok(c) => credential_page(&format!(
            "<dl><dt>Sistem / System</dt><dd>{}</dd><dt>Akun / Account</dt><dd><code>{}</code></dd><dt>Kata sandi awal / Initial password</dt><dd><code>{}</code></dd></dl><p>Ganti kata sandi saat login pertama. Tautan ini sudah tidak berlaku. / Change the password at first login. This link no longer works.</p>",
            esc(&c.grant.system),
            esc(c.grant.account.as_deref().unwrap_or("-")),
            esc(&c.secret)
        ))
        .into_response(),
        Err(_) => (
            StatusCode::GONE,
            credential_page("<p role=\"alert\">Tautan sudah dipakai, kedaluwarsa, atau tidak sah. / The link was already used, has expired or is invalid.</p>"),
        )
            .into_response(),
    }
}
