//! Handlers of `/api/v1`: each parses the request, calls one service operation, and shapes
//! the answer. Permissions and agency scope are the service's business.

use super::AppState;
use super::auth::{Authed, COOKIE, ReqLang, client_addr, same_origin};
use super::error::ApiError;
use crate::service::{AppInput, NewToken, NewUser, ReportFormat};
use crate::store::{AccountPatch, AppFilter, AuditFilter, FindingFilter, Paging};
use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;

/// Query string parsed into `T`, with a JSON error on bad input.
pub struct Q<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, ApiError> {
        let lang = ReqLang::from_request_parts(parts, s)
            .await
            .map(|l| l.0)
            .unwrap_or_default();
        Query::<T>::from_request_parts(parts, s)
            .await
            .map(|q| Q(q.0))
            .map_err(|e| ApiError::invalid("query", e.body_text(), lang))
    }
}

/// A JSON body parsed into `T`, with a JSON error on bad input.
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, s: &S) -> Result<Self, ApiError> {
        let lang = crate::service::lang_of(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        Json::<T>::from_request(req, s)
            .await
            .map(|j| Body(j.0))
            .map_err(|e| ApiError::invalid("body", e.body_text(), lang))
    }
}

/// Paging from `limit` (1–500, default 50) and `offset`.
fn paging(limit: Option<i64>, offset: Option<i64>) -> Paging {
    Paging {
        limit: limit.unwrap_or(50),
        offset: offset.unwrap_or(0),
    }
}

/// Query of `GET /api/v1/apps`.
#[derive(Debug, Deserialize)]
pub struct AppsQuery {
    q: Option<String>,
    agency: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/apps`.
pub async fn list_apps(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<AppsQuery>,
) -> ApiResult<Json<Value>> {
    let filter = AppFilter {
        q: q.q,
        agency: q.agency,
    };
    let page = svc!(
        a,
        st.service
            .list_apps(&a.actor, &filter, paging(q.limit, q.offset))
    );
    Ok(Json(json!(page)))
}

/// `POST /api/v1/apps`.
pub async fn add_app(
    State(st): State<AppState>,
    a: Authed,
    Body(input): Body<AppInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let app = svc!(a, st.service.add_app(&a.actor, input));
    Ok((StatusCode::CREATED, Json(json!(app))))
}

/// `GET /api/v1/apps/{app}`.
pub async fn get_app(
    State(st): State<AppState>,
    a: Authed,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(svc!(a, st.service.app(&a.actor, &key)))))
}

/// `PATCH /api/v1/apps/{app}`.
pub async fn edit_app(
    State(st): State<AppState>,
    a: Authed,
    Path(key): Path<String>,
    Body(input): Body<AppInput>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(svc!(
        a,
        st.service.edit_app(&a.actor, &key, input)
    ))))
}

/// Query of `DELETE /api/v1/apps/{app}`.
#[derive(Debug, Deserialize)]
pub struct RemoveQuery {
    #[serde(default)]
    force: bool,
}

/// `DELETE /api/v1/apps/{app}`.
pub async fn remove_app(
    State(st): State<AppState>,
    a: Authed,
    Path(key): Path<String>,
    Q(q): Q<RemoveQuery>,
) -> ApiResult<Json<Value>> {
    let n = svc!(a, st.service.remove_app(&a.actor, &key, q.force));
    Ok(Json(json!({ "removed": key, "evaluations_removed": n })))
}

/// `POST /api/v1/apps/{app}/evaluations`: queue an evaluation.
pub async fn start_evaluation(
    State(st): State<AppState>,
    a: Authed,
    Path(key): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let job = svc!(a, st.service.start_evaluation(&a.actor, &key));
    Ok((StatusCode::ACCEPTED, Json(json!(job))))
}

/// Query of `GET /api/v1/evaluations`.
#[derive(Debug, Deserialize)]
pub struct EvalsQuery {
    app: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/evaluations`.
pub async fn list_evaluations(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<EvalsQuery>,
) -> ApiResult<Json<Value>> {
    let page = svc!(
        a,
        st.service
            .list_evaluations(&a.actor, q.app.as_deref(), paging(q.limit, q.offset))
    );
    Ok(Json(json!(page)))
}

/// `GET /api/v1/evaluations/{id}`: the evaluation and, when finished, its report document.
pub async fn get_evaluation(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (row, agency) = svc!(a, st.service.evaluation(&a.actor, id));
    let report = match row.status {
        crate::model::EvaluationStatus::Finished => {
            Some(svc!(a, st.service.evaluation_report(&a.actor, id)))
        }
        _ => None,
    };
    let record = svc!(a, st.service.sop_record(&a.actor, id));
    Ok(Json(
        json!({ "evaluation": row, "agency": agency, "report": report, "sop": record }),
    ))
}

/// Query of `GET /api/v1/evaluations/{id}/report`.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// `GET /api/v1/evaluations/{id}/report?format=pdf&lang=en`: the agency report, downloaded.
pub async fn report(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Q(q): Q<ReportQuery>,
) -> ApiResult<Response> {
    let fmt = q.format.as_deref().unwrap_or("pdf");
    let format = ReportFormat::parse(fmt)
        .ok_or_else(|| ApiError::invalid("format", "html, pdf, json, sarif, junit, csv", a.lang))?;
    let lang = match q.lang.as_deref() {
        None => crate::i18n::Lang::Id,
        Some(l) => l
            .parse::<crate::i18n::Lang>()
            .ok()
            .ok_or_else(|| ApiError::invalid("lang", "id, en", a.lang))?,
    };
    let file = svc!(
        a,
        st.service.report(&a.actor, id, format, &st.checklist, lang)
    );
    let (media, ext) = format.media();
    let mut r = file.bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"kawal-evaluasi-{id}.{ext}\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // An HTML report opened from the API must not run anything, even if it held a script.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
        ),
    );
    Ok(r)
}

/// Query of `GET /api/v1/findings`.
#[derive(Debug, Deserialize)]
pub struct FindingsQuery {
    app: Option<String>,
    evaluation: Option<i64>,
    severity: Option<String>,
    outcome: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/findings`.
pub async fn list_findings(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<FindingsQuery>,
) -> ApiResult<Json<Value>> {
    let application_id = match &q.app {
        Some(k) => Some(svc!(a, st.service.app(&a.actor, k)).id),
        None => None,
    };
    let filter = FindingFilter {
        application_id,
        evaluation_id: q.evaluation,
        severity: q.severity,
        outcome: q.outcome,
    };
    let page = svc!(
        a,
        st.service
            .list_findings(&a.actor, &filter, paging(q.limit, q.offset))
    );
    Ok(Json(json!(page)))
}

/// Query of `GET /api/v1/jobs`.
#[derive(Debug, Deserialize)]
pub struct JobsQuery {
    status: Option<String>,
    app: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/jobs`.
pub async fn list_jobs(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<JobsQuery>,
) -> ApiResult<Json<Value>> {
    let jobs = svc!(
        a,
        st.service.list_jobs(
            &a.actor,
            q.status.as_deref(),
            q.app.as_deref(),
            q.limit.unwrap_or(50)
        )
    );
    Ok(Json(json!({ "items": jobs })))
}

/// `GET /api/v1/users`.
pub async fn list_users(State(st): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "items": svc!(a, st.service.list_users(&a.actor)) }),
    ))
}

/// `POST /api/v1/users`: the answer carries the one-time set-password secret.
pub async fn add_user(
    State(st): State<AppState>,
    a: Authed,
    Body(u): Body<NewUser>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let c = svc!(a, st.service.add_user(&a.actor, u));
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "user": c.account,
            "setup_token": c.setup_token,
            "setup_expires_at": c.expires_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        })),
    ))
}

/// `GET /api/v1/users/{username}`.
pub async fn get_user(
    State(st): State<AppState>,
    a: Authed,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(svc!(a, st.service.user(&a.actor, &name)))))
}

/// Body of `PATCH /api/v1/users/{username}`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// Full name.
    pub name: Option<String>,
    /// E-mail (empty string removes it).
    pub email: Option<String>,
    /// Agency (empty string removes it).
    pub agency: Option<String>,
    /// Roles, replacing the current ones.
    pub roles: Option<Vec<String>>,
    /// Disable or enable.
    pub disabled: Option<bool>,
}

fn clearable(v: Option<String>) -> Option<Option<String>> {
    v.map(|s| Some(s.trim().to_string()).filter(|s| !s.is_empty()))
}

/// `PATCH /api/v1/users/{username}`.
pub async fn edit_user(
    State(st): State<AppState>,
    a: Authed,
    Path(name): Path<String>,
    Body(p): Body<UserPatch>,
) -> ApiResult<Json<Value>> {
    let patch = AccountPatch {
        name: p.name,
        email: clearable(p.email),
        agency: clearable(p.agency),
        roles: p.roles,
        disabled: p.disabled,
    };
    Ok(Json(json!(svc!(
        a,
        st.service.edit_user(&a.actor, &name, patch)
    ))))
}

/// `POST /api/v1/users/{username}/reset-password`.
pub async fn reset_password(
    State(st): State<AppState>,
    a: Authed,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let (token, exp) = svc!(a, st.service.reset_password(&a.actor, &name));
    Ok(Json(json!({
        "setup_token": token,
        "setup_expires_at": exp.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    })))
}

/// `GET /api/v1/tokens`.
pub async fn list_tokens(State(st): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "items": svc!(a, st.service.list_tokens(&a.actor)) }),
    ))
}

/// `POST /api/v1/tokens`: the token is in this answer only.
pub async fn create_token(
    State(st): State<AppState>,
    a: Authed,
    Body(t): Body<NewToken>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (id, token, listed) = svc!(a, st.service.create_token(&a.actor, t));
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "token": token, "details": listed })),
    ))
}

/// `DELETE /api/v1/tokens/{id}`.
pub async fn revoke_token(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    svc!(a, st.service.revoke_token(&a.actor, id));
    Ok(Json(json!({ "revoked": id })))
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    since: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/audit`, newest first; page back with `before`.
pub async fn audit_list(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<AuditQuery>,
) -> ApiResult<Json<Value>> {
    let f = AuditFilter {
        since: q.since,
        actor: q.actor,
        action: q.action,
        before_seq: q.before,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(
        json!({ "items": svc!(a, st.service.audit_list(&a.actor, &f)) }),
    ))
}

/// `GET /api/v1/audit/verify`.
pub async fn audit_verify(State(st): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(json!(svc!(a, st.service.audit_verify(&a.actor)))))
}

/// `GET /api/v1/audit/head`.
pub async fn audit_head(State(st): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    let (seq, hash) = svc!(a, st.service.audit_head(&a.actor));
    Ok(Json(json!({ "seq": seq, "hash": hash })))
}

/// `GET /api/v1/roles`: the permission matrix.
pub async fn roles(State(st): State<AppState>, _a: Authed) -> Json<Value> {
    let roles: Vec<Value> = st
        .service
        .roles()
        .all()
        .map(|r| json!({ "id": r.id, "name": { "id": r.name_id, "en": r.name_en }, "grants": r.grants }))
        .collect();
    Json(json!({ "items": roles }))
}

/// Body of `POST /api/v1/session`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The session cookie: a browser-session cookie (no Expires/Max-Age; the server ends it on
/// its idle and absolute timeouts), or with `clear` an instruction to delete it.
pub(super) fn session_cookie(value: &str, clear: bool) -> HeaderValue {
    let age = if clear { "; Max-Age=0" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}"
    ))
    .unwrap_or_else(|_| {
        HeaderValue::from_static(
            "__Host-kawal=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
        )
    })
}

/// `POST /api/v1/session`: password login; sets the session cookie (a new id every time).
pub async fn login(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    parts: axum::http::request::Parts,
    Body(b): Body<LoginBody>,
) -> ApiResult<Response> {
    if !same_origin(&parts.headers) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "csrf", lang));
    }
    let client = client_addr(&st, &parts).map(|c| c.to_string());
    let out = st
        .service
        .login(&b.username, &b.password, client.as_deref())
        .await
        .map_err(|e| match e {
            crate::service::ServiceError::Unauthenticated => {
                ApiError::new(StatusCode::UNAUTHORIZED, "login_failed", lang)
            }
            e => ApiError::from_service(e, lang),
        })?;
    let mut r =
        Json(json!({ "user": out.actor.account, "csrf_token": out.csrf_token })).into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&out.session_id, false));
    Ok(r)
}

/// `GET /api/v1/session`: who is logged in, and the session's CSRF token.
pub async fn whoami(a: Authed) -> Json<Value> {
    let csrf = a.session.as_ref().map(|(_, s)| s.csrf_token.clone());
    Json(json!({ "user": a.actor.account, "csrf_token": csrf }))
}

/// `DELETE /api/v1/session`: logout, ended on the server.
pub async fn logout(State(st): State<AppState>, a: Authed) -> ApiResult<Response> {
    if let Some((sid, _)) = &a.session {
        svc!(a, st.service.logout(sid, &a.actor));
    }
    let mut r = Json(json!({ "logged_out": true })).into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session_cookie("", true));
    Ok(r)
}

/// Body of `POST /api/v1/password/setup`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupBody {
    /// The one-time secret of the set-password link.
    pub token: String,
    /// The new password (12–256 characters).
    pub password: String,
}

/// `POST /api/v1/password/setup`: uses a one-time set-password link.
pub async fn setup_password(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    parts: axum::http::request::Parts,
    Body(b): Body<SetupBody>,
) -> ApiResult<Json<Value>> {
    let client = client_addr(&st, &parts).map(|c| c.to_string());
    let name = st
        .service
        .set_password(&b.token, &b.password, client.as_deref())
        .await
        .map_err(|e| ApiError::from_service(e, lang))?;
    Ok(Json(json!({ "username": name })))
}

/// An attachment sent inline.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    /// File name.
    pub name: String,
    /// Content, base64 (at most 20 MiB decoded).
    pub content_base64: String,
}

/// Body of `POST /api/v1/evaluations/{id}/manual`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualBody {
    /// Item id, e.g. `manual.k33`.
    pub item: String,
    /// `pass`, `fail`, `na` or `inconclusive`.
    pub outcome: String,
    /// Note.
    #[serde(default)]
    pub note: String,
    /// Evidence file.
    pub attachment: Option<AttachmentBody>,
}

/// `POST /api/v1/evaluations/{id}/manual`: records a manual item as the caller.
pub async fn record_manual(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Body(b): Body<ManualBody>,
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
    let input = crate::service::ManualInput {
        item: b.item,
        outcome: b.outcome,
        note: b.note,
    };
    let (rec, decided) = svc!(
        a,
        st.service
            .record_manual(&a.actor, id, &input, None, attachment)
    );
    Ok(Json(
        json!({ "recorded": rec, "recommended_decision": decided }),
    ))
}

/// `POST /api/v1/evaluations/{id}/steps/{step}`: records an SOP step as the caller.
pub async fn advance_step(
    State(st): State<AppState>,
    a: Authed,
    Path((id, step)): Path<(i64, String)>,
    Body(b): Body<crate::service::StepInput>,
) -> ApiResult<Json<Value>> {
    let rec = svc!(
        a,
        st.service
            .advance_step(&a.actor, id, &step, &b, None, a.lang)
    );
    Ok(Json(json!(rec)))
}

/// `POST /api/v1/evaluations/{id}/decisions`: decision 1 and/or 2 as the caller.
pub async fn decide(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Body(b): Body<crate::service::DecideInput>,
) -> ApiResult<Json<Value>> {
    let recs = svc!(a, st.service.decide(&a.actor, id, &b, None, a.lang));
    Ok(Json(json!({ "items": recs })))
}

/// `PATCH /api/v1/apps/{app}/findings/{fingerprint}`: a finding's status.
pub async fn set_finding_status(
    State(st): State<AppState>,
    a: Authed,
    Path((app, fp)): Path<(String, String)>,
    Body(b): Body<crate::service::FindingStatusInput>,
) -> ApiResult<Json<Value>> {
    let s = svc!(
        a,
        st.service.set_finding_status(&a.actor, &app, &fp, &b, None)
    );
    Ok(Json(json!(s)))
}

/// `POST /api/v1/evaluations/{id}/fix-reported`: the owner reports the failed items fixed;
/// a retest of them is queued.
pub async fn report_fix(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Body(b): Body<crate::service::FixInput>,
) -> ApiResult<Json<Value>> {
    let r = svc!(a, st.service.report_fix(&a.actor, id, &b));
    Ok(Json(json!(r)))
}

pub(super) fn sealer(
    st: &AppState,
    lang: crate::i18n::Lang,
) -> Result<&crate::auth::seal::Sealer, ApiError> {
    st.sealer.as_deref().ok_or_else(|| {
        ApiError::from_service(
            crate::service::ServiceError::Internal(
                "kunci rahasia tidak dimuat / the secret key is not loaded".into(),
            ),
            lang,
        )
    })
}

/// `GET /api/v1/apps/{app}/roles`: test roles, secrets hidden.
pub async fn list_test_roles(
    State(st): State<AppState>,
    a: Authed,
    Path(app): Path<String>,
) -> ApiResult<Json<Value>> {
    let s = sealer(&st, a.lang)?;
    Ok(Json(
        json!({ "items": svc!(a, st.service.test_roles(&a.actor, &app, s)) }),
    ))
}

/// `PUT /api/v1/apps/{app}/roles/{role}`: stores a test role (sealed).
pub async fn put_test_role(
    State(st): State<AppState>,
    a: Authed,
    Path((app, name)): Path<(String, String)>,
    Body(role): Body<crate::auth::Role>,
) -> ApiResult<Json<Value>> {
    if role.name != name {
        return Err(ApiError::invalid(
            "name",
            "nama peran di badan dan jalur berbeda / the role name in the body and the path differ",
            a.lang,
        ));
    }
    let s = sealer(&st, a.lang)?;
    svc!(a, st.service.put_test_role(&a.actor, &app, &role, s));
    Ok(Json(json!({ "stored": name })))
}

/// `DELETE /api/v1/apps/{app}/roles/{role}`.
pub async fn remove_test_role(
    State(st): State<AppState>,
    a: Authed,
    Path((app, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    svc!(a, st.service.remove_test_role(&a.actor, &app, &name));
    Ok(Json(json!({ "removed": name })))
}

/// `POST /api/v1/jobs/{id}/cancel`.
pub async fn cancel_job(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(svc!(a, st.service.cancel_job(&a.actor, id)))))
}

/// `POST /api/v1/jobs/{id}/retry`.
pub async fn retry_job(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(svc!(a, st.service.retry_job(&a.actor, id)))))
}
