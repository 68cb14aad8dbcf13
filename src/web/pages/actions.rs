//! What an owner and the queue keeper do from the pages: the report inbox and its
//! acknowledgement, reporting a fix (which queues a retest), and cancelling or retrying a job.
//! Each form posts with the session's CSRF token and goes through the application layer.

use super::paging::{pager, paging};
use super::view::{Ctx, form_actor, query, redirect, refused, render, when};
use crate::service::{AckInput, FixInput};
use crate::web::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

/// Query of `/inbox`.
#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    /// `1`: only reports not yet acknowledged.
    open: Option<String>,
    page: Option<i64>,
}

/// `GET /inbox`: the reports delivered to the user's agency, newest first, with the
/// acknowledgement form for those not yet acknowledged.
pub async fn inbox(State(st): State<AppState>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q: InboxQuery = match query(&ctx, &parts) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let open = q.open.as_deref() == Some("1");
    let page = match st.service.inbox(&user.actor, open, paging(q.page)).await {
        Ok(p) => p,
        Err(e) => return refused(&ctx, e),
    };
    let can_ack = st.service.may(&user.actor, "report:acknowledge");
    let rows: Vec<Value> = page
        .items
        .iter()
        .map(|d| {
            json!({
                "evaluation_id": d.evaluation_id, "application": d.application,
                "agency": d.agency, "approved_by": d.approved_by,
                "approved_at": when(d.approved_at), "note": d.note,
                "acknowledged_by": d.acknowledged_by,
                "acknowledged_at": d.acknowledged_at.map(when),
                "can_ack": can_ack && d.acknowledged_at.is_none(),
            })
        })
        .collect();
    let body = json!({
        "open": open,
        "rows": rows,
        "pager": pager("/inbox", &[("open", if open { "1" } else { "" })], page.offset, page.items.len(), page.total),
    });
    render(
        &ctx,
        StatusCode::OK,
        "inbox",
        &ctx.t("inbox"),
        "inbox",
        body,
    )
}

/// The acknowledgement form.
#[derive(Debug, Deserialize)]
pub struct AckForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

/// `POST /inbox/{id}/acknowledge`: the owner acknowledges receipt of evaluation `id`'s report
/// (SOP step 10).
pub async fn acknowledge(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
    Form(f): Form<AckForm>,
) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let input = AckInput { note: f.note };
    match st.service.acknowledge_report(&actor, id, &input).await {
        Ok(_) => redirect("/inbox"),
        Err(e) => refused(&ctx, e),
    }
}

/// The fix-report form.
#[derive(Debug, Deserialize)]
pub struct FixForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /evaluations/{id}/fix-reported`: the failed items are reported fixed; a retest is
/// queued and the browser returns to the application, where its progress shows.
pub async fn report_fix(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
    Form(f): Form<FixForm>,
) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let input = FixInput {
        reason: f.reason,
        findings: None,
    };
    match st.service.report_fix(&actor, id, &input).await {
        Ok(r) => redirect(&format!("/apps/{}", r.job.application_id)),
        Err(e) => refused(&ctx, e),
    }
}

/// The form of a job button.
#[derive(Debug, Deserialize)]
pub struct JobForm {
    csrf: String,
}

/// `POST /jobs/{id}/cancel`: cancels a queued job.
pub async fn cancel_job(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
    Form(f): Form<JobForm>,
) -> Response {
    job_action(st, id, parts, f, false).await
}

/// `POST /jobs/{id}/retry`: queues a failed, cancelled or done job again.
pub async fn retry_job(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
    Form(f): Form<JobForm>,
) -> Response {
    job_action(st, id, parts, f, true).await
}

async fn job_action(st: AppState, id: i64, parts: Parts, f: JobForm, retry: bool) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let done = if retry {
        st.service.retry_job(&actor, id).await
    } else {
        st.service.cancel_job(&actor, id).await
    };
    match done {
        Ok(_) => redirect("/jobs"),
        Err(e) => refused(&ctx, e),
    }
}
