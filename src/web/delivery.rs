//! Handlers of report delivery: approve sending, the owner's inbox and acknowledgement, and
//! the outbox. Permissions and agency scope are the service's business.

use super::AppState;
use super::api::{ApiResult, Body, Q};
use super::auth::Authed;
use crate::service::{AckInput, SendInput};
use crate::store::Paging;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// `POST /api/v1/evaluations/{id}/delivery`: approve the report for sending to the agency.
pub async fn send_report(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Body(input): Body<SendInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let d = svc!(
        a,
        st.service.send_report(&a.actor, id, &input, &st.checklist)
    );
    Ok((StatusCode::CREATED, Json(json!(d))))
}

/// Query of `GET /api/v1/inbox`.
#[derive(Debug, Deserialize)]
pub struct InboxQuery {
    unacknowledged: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/inbox`: reports delivered to the user's agency.
pub async fn inbox(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<InboxQuery>,
) -> ApiResult<Json<Value>> {
    let paging = Paging {
        limit: q.limit.unwrap_or(50),
        offset: q.offset.unwrap_or(0),
    };
    let page = svc!(
        a,
        st.service
            .inbox(&a.actor, q.unacknowledged.unwrap_or(false), paging)
    );
    Ok(Json(json!(page)))
}

/// `POST /api/v1/evaluations/{id}/acknowledge`: the owner acknowledges receipt.
pub async fn acknowledge(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Body(input): Body<AckInput>,
) -> ApiResult<Json<Value>> {
    let r = svc!(a, st.service.acknowledge_report(&a.actor, id, &input));
    Ok(Json(json!(r)))
}

/// Query of `GET /api/v1/outbox`.
#[derive(Debug, Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
    evaluation: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/outbox`: messages with their state, attempts and last error.
pub async fn outbox(
    State(st): State<AppState>,
    a: Authed,
    Q(q): Q<OutboxQuery>,
) -> ApiResult<Json<Value>> {
    let rows = svc!(
        a,
        st.service.outbox(
            &a.actor,
            q.status.as_deref(),
            q.evaluation,
            q.limit.unwrap_or(100)
        )
    );
    Ok(Json(json!({ "items": rows })))
}
