//! The SOP workflow pages: what is waiting for me and the list, one workflow with the forms
//! of the steps the user may record now, and the form that starts a workflow. Every change goes
//! through the service, which decides who may record what.

use super::view::{Ctx, csrf_refused, form_allowed, redirect, refused, render, render_with, when};
use crate::service::{AdvanceInput, ServiceError, StartInput, StepView, WorkflowView};
use crate::web::AppState;
use crate::workflow::{FieldDef, FieldKind, StepState};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const PAGE_SIZE: i64 = 50;

/// Query of the list page.
#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    kind: Option<String>,
    status: Option<String>,
    offset: Option<i64>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The kinds this user may start, with their SOP titles.
fn startable(st: &AppState, ctx: &Ctx) -> Vec<Value> {
    let Some(u) = ctx.user.as_ref() else {
        return Vec::new();
    };
    crate::workflow::BUILTIN
        .iter()
        .map(|(k, _, _)| (*k, crate::service::start_permission(k)))
        .filter(|(_, p)| st.service.may(&u.actor, p))
        .filter_map(|(k, _)| {
            crate::service::sop_of(k)
                .ok()
                .map(|s| json!({ "id": k, "label": s.sop.title.get(ctx.lang) }))
        })
        .collect()
}

/// `GET /workflows`: steps waiting for my roles, and the workflows I may see.
pub async fn list(
    State(st): State<AppState>,
    parts: Parts,
    Query(q): Query<ListQuery>,
) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if let Err(e) = st.service.require_workflow_access(&user.actor).await {
        return refused(&ctx, e);
    }
    let (kind, status) = (nonempty(&q.kind), nonempty(&q.status));
    let offset = q.offset.unwrap_or(0).max(0);
    let due = match st
        .service
        .workflow_due(&user.actor, kind.as_deref(), false, 100)
        .await
    {
        Ok(d) => d,
        Err(e) => return refused(&ctx, e),
    };
    let (rows, total) = match st
        .service
        .workflow_list(
            &user.actor,
            kind.as_deref(),
            status.as_deref(),
            false,
            PAGE_SIZE,
            offset,
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return refused(&ctx, e),
    };
    let kinds: Vec<Value> = crate::workflow::BUILTIN
        .iter()
        .filter_map(|(k, _, _)| crate::service::sop_of(k).ok().map(|s| json!({ "value": k, "label": s.sop.title.get(ctx.lang), "selected": kind.as_deref() == Some(*k) })))
        .collect();
    let statuses: Vec<Value> = [
        ("open", "wf_open"),
        ("completed", "wf_completed"),
        ("ended", "wf_ended"),
    ]
    .iter()
    .map(
        |(v, l)| json!({ "value": v, "label": ctx.t(l), "selected": status.as_deref() == Some(v) }),
    )
    .collect();
    let page = json!({
        "startable": startable(&st, &ctx),
        "due": due.iter().map(|d| json!({
            "workflow_id": d.due.workflow_id, "kind": d.due.kind, "title": d.due.title, "step": d.due.step,
            "due": d.due.due_at.map(when).unwrap_or_else(|| "—".into()), "overdue": d.overdue,
        })).collect::<Vec<_>>(),
        "kinds": kinds,
        "statuses": statuses,
        "workflows": rows.iter().map(|w| json!({
            "id": w.id, "kind": w.kind, "title": w.title, "requester": w.requester,
            "status": ctx.t(&format!("wf_{}", w.status)), "created": when(w.created_at),
        })).collect::<Vec<_>>(),
        "total": total,
        "prev": (offset > 0).then(|| (offset - PAGE_SIZE).max(0)),
        "next": (offset + PAGE_SIZE < total).then_some(offset + PAGE_SIZE),
        "filter": format!("kind={}&status={}", kind.unwrap_or_default(), status.unwrap_or_default()),
    });
    render(
        &ctx,
        StatusCode::OK,
        "workflows",
        &ctx.t("workflows"),
        "workflows",
        page,
    )
}

fn field_json(f: &FieldDef, ctx: &Ctx, value: Option<&String>) -> Value {
    let kind = match f.kind {
        FieldKind::Date => "date",
        FieldKind::Choice => "choice",
        FieldKind::List => "list",
        FieldKind::Nik => "nik",
        FieldKind::Phone => "tel",
        FieldKind::Text | FieldKind::User => "text",
    };
    json!({
        "key": f.key, "label": f.label.get(ctx.lang), "required": f.required, "kind": kind,
        "is_choice": f.kind == FieldKind::Choice, "is_list": f.kind == FieldKind::List,
        "is_nik": f.kind == FieldKind::Nik,
        "choices": f.choices.iter().map(|c| json!({ "value": c, "selected": value == Some(c) })).collect::<Vec<_>>(),
        "value": value.cloned().unwrap_or_default(),
    })
}

fn step_json(s: &StepView, ctx: &Ctx, mine: bool) -> Value {
    let inputs: Vec<Value> = s
        .input_fields
        .iter()
        .map(|f| field_json(f, ctx, None))
        .collect();
    json!({
        "number": s.number, "key": s.key, "title": s.title, "role": s.role,
        "limit": if s.limit_minutes == 0 { "—".to_string() } else { format!("{} {}", s.limit_minutes, ctx.t("minutes")) },
        "state": s.state_label, "late": matches!(s.state, StepState::Overdue | StepState::DoneLate),
        "due": s.due_at.map(when).unwrap_or_else(|| "—".into()),
        "who": s.record.as_ref().map(|r| format!("{} — {}", r.actor, when(r.done_at))),
        "decision": s.record.as_ref().and_then(|r| r.decision.clone()),
        "note": s.record.as_ref().map(|r| r.note.clone()).filter(|n| !n.is_empty()),
        "current": s.state.is_current(),
        "form": mine && s.state.is_current(),
        "decisions": s.decisions.iter().map(|d| json!({ "value": d })).collect::<Vec<_>>(),
        "has_decisions": !s.decisions.is_empty(),
        "inputs": inputs,
        "recorded": s.inputs.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect::<Vec<_>>(),
    })
}

/// The workflow page's data.
fn detail_json(ctx: &Ctx, v: &WorkflowView) -> Value {
    let party = ctx
        .user
        .as_ref()
        .map(|u| crate::service::Service::party(&u.actor, &v.workflow));
    let may = |s: &StepView| {
        party
            .as_ref()
            .is_some_and(|p| crate::workflow::holds_role(&s.roles, p))
    };
    let id = v.workflow.id;
    json!({
        "id": id,
        "status": v.status_label,
        "sop": v.sop_title,
        "requester": v.workflow.requester,
        "subject": v.workflow.subject,
        "fields": v.workflow.fields.iter().map(|(k, val)| {
            let label = crate::service::sop_of(&v.workflow.kind)
                .ok()
                .and_then(|s| s.field(k).map(|f| f.label.get(ctx.lang).to_string()))
                .unwrap_or_else(|| k.clone());
            json!({ "key": label, "value": val })
        }).collect::<Vec<_>>(),
        "steps": v.steps.iter().map(|s| step_json(s, ctx, may(s))).collect::<Vec<_>>(),
        "letters": v.letters.iter().map(|l| json!({ "kind": l.kind, "number": l.number, "issued": when(l.issued_at), "by": l.issued_by })).collect::<Vec<_>>(),
        "files": v.files,
        "grant": v.grant,
        "visit": v.visit.as_ref().map(|vis| json!({
            "badge": vis.badge, "devices_in": vis.devices_in.join(", "),
            "devices_out": vis.devices_out.as_ref().map(|d| d.join(", ")), "mismatch": vis.mismatch,
            "checkin": when(vis.checkin_at), "checkout": vis.checkout_at.map(when),
        })),
    })
}

/// `GET /workflows/{id}`: steps with role, limit, deadline and record; letters; the forms of
/// the steps the user may record now.
pub async fn detail(State(st): State<AppState>, Path(id): Path<i64>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    show(&st, &ctx, id, StatusCode::OK, None).await
}

async fn show(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    match st.service.workflow_show(&user.actor, id, ctx.lang).await {
        Ok(v) => {
            let title = format!("#{} {}", v.workflow.id, v.workflow.title);
            render_with(
                ctx,
                status,
                "workflow",
                &title,
                "workflows",
                detail_json(ctx, &v),
                error,
            )
        }
        Err(e) => refused(ctx, e),
    }
}

/// `POST /workflows/{id}/steps/{step}`: records a step from its form.
pub async fn advance(
    State(st): State<AppState>,
    Path((id, step)): Path<(i64, String)>,
    parts: Parts,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !form_allowed(&parts, user, f.get("csrf").map_or("", |s| s)) {
        return csrf_refused(&ctx);
    }
    let inputs: BTreeMap<String, String> = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("in.").map(|k| (k.to_string(), v.clone())))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let input = AdvanceInput {
        decision: f.get("decision").cloned().filter(|d| !d.is_empty()),
        note: f.get("note").cloned().unwrap_or_default(),
        inputs,
        attachment: None,
    };
    let sealer = match super::view::sealer(&st, &ctx) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    match st
        .service
        .workflow_advance(&user.actor, id, &step, &input, sealer, ctx.lang)
        .await
    {
        Ok(_) => redirect(&format!("/workflows/{id}")),
        Err(ServiceError::Invalid { field, message }) => {
            show(
                &st,
                &ctx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&format!("{field}: {message}")),
            )
            .await
        }
        Err(e @ ServiceError::Conflict(_)) => {
            show(&st, &ctx, id, StatusCode::CONFLICT, Some(&e.to_string())).await
        }
        Err(e) => refused(&ctx, e),
    }
}

/// Query of the start form.
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    kind: String,
}

fn start_page(
    ctx: &Ctx,
    kind: &str,
    values: &BTreeMap<String, String>,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let sop = match crate::service::sop_of(kind) {
        Ok(s) => s,
        Err(e) => return refused(ctx, e),
    };
    let page = json!({
        "kind": kind,
        "fields": sop.sop.fields.iter().map(|f| field_json(f, ctx, values.get(&f.key))).collect::<Vec<_>>(),
    });
    render_with(
        ctx,
        status,
        "workflow_new",
        sop.sop.title.get(ctx.lang),
        "workflows",
        page,
        error,
    )
}

/// `GET /workflows/new?kind=…`: the form that starts a workflow.
pub async fn new_form(
    State(st): State<AppState>,
    parts: Parts,
    Query(q): Query<NewQuery>,
) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    // The form is offered only to those who may start this kind of workflow.
    let permission = crate::service::start_permission(&q.kind);
    if let Err(e) = st.service.require(&user.actor, permission) {
        return refused(&ctx, e);
    }
    start_page(&ctx, &q.kind, &BTreeMap::new(), StatusCode::OK, None)
}

/// `POST /workflows/new`: starts a workflow from the form.
pub async fn create(
    State(st): State<AppState>,
    parts: Parts,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !form_allowed(&parts, user, f.get("csrf").map_or("", |s| s)) {
        return csrf_refused(&ctx);
    }
    let kind = f.get("kind").cloned().unwrap_or_default();
    let fields: BTreeMap<String, String> = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("f.").map(|k| (k.to_string(), v.clone())))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let sealer = match super::view::sealer(&st, &ctx) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let input = StartInput {
        fields: fields.clone(),
        note: String::new(),
    };
    match st
        .service
        .workflow_start(&user.actor, &kind, &input, sealer, ctx.lang)
        .await
    {
        Ok(done) => redirect(&format!("/workflows/{}", done.workflow_id)),
        Err(ServiceError::Invalid { field, message }) => {
            // Personal values are not echoed back into the page.
            let mut echo = fields;
            if let Ok(sop) = crate::service::sop_of(&kind) {
                echo.retain(|k, _| {
                    sop.sop
                        .fields
                        .iter()
                        .any(|d| &d.key == k && !d.kind.personal())
                });
            }
            start_page(
                &ctx,
                &kind,
                &echo,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&format!("{field}: {message}")),
            )
        }
        Err(e) => refused(&ctx, e),
    }
}
