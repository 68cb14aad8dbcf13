//! The evaluation page: status, the recommendation beside each decision, manual items with
//! attachments, the SOP timeline with its steps, findings, and the report downloads.

use super::paging::{pager, paging};
use super::view::{
    Ctx, csrf_refused, decision_label, form_actor, form_allowed, query, redirect, refused, render,
    when,
};
use crate::evaluation::Report;
use crate::model::EvaluationStatus;
use crate::service::{DecideInput, ManualInput, ServiceError, StepInput};
use crate::sop::StepState;
use crate::store::{DecisionRecord, FindingFilter};
use crate::web::AppState;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

/// Largest attachment taken from the page (as the API).
pub const MAX_ATTACHMENT: usize = 20 << 20;

/// Query of the evaluation page.
#[derive(Debug, Default, Deserialize)]
pub struct EvalQuery {
    page: Option<i64>,
}

fn decided_json(d: &DecisionRecord, label: String) -> Value {
    json!({ "label": label, "actor": d.actor, "at": when(d.decided_at), "reason": d.reason })
}

fn standard_label(ctx: &Ctx, met: bool) -> String {
    ctx.t(if met { "met" } else { "not_met" })
}

/// The recommendations and decisions of a finished evaluation.
fn decisions_json(ctx: &Ctx, report: &Report, decisions: &[DecisionRecord]) -> Value {
    let d1 = decisions.iter().find(|d| d.kind == "standard");
    let d2 = decisions.iter().find(|d| d.kind == "action");
    let met_now = d1
        .map(|d| d.decided == "met")
        .unwrap_or(report.decision.meets_standard);
    let rec2 = report.action.as_ref().map(|a| {
        json!({
            "label": a.label.get(ctx.lang),
            "rationale": a.rationale.get(ctx.lang),
            "shutdown": a.action == crate::decision::Action::Shutdown,
        })
    });
    json!({
        "rec1": {
            "label": report.decision.label.get(ctx.lang),
            "rationale": report.decision.rationale.get(ctx.lang),
            "met": report.decision.meets_standard,
            "class": if report.decision.meets_standard { "met" } else { "not-met" },
        },
        "dec1": d1.map(|d| decided_json(d, standard_label(ctx, d.decided == "met"))),
        // Decision 2 applies only while the application does not meet the standard.
        "rec2": if met_now { Value::Null } else { rec2.unwrap_or(Value::Null) },
        "dec2": d2.map(|d| decided_json(d, crate::decision::Action::parse(&d.decided).map(|a| a.label().get(ctx.lang).to_string()).unwrap_or_else(|| d.decided.clone()))),
    })
}

/// `GET /evaluations/{id}`.
pub async fn detail(State(st): State<AppState>, Path(id): Path<i64>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q: EvalQuery = match query(&ctx, &parts) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let svc = &st.service;
    let actor = &user.actor;
    let (row, agency) = match svc.evaluation(actor, id).await {
        Ok(r) => r,
        Err(e) => return refused(&ctx, e),
    };
    let record = match svc.sop_record(actor, id).await {
        Ok(r) => r,
        Err(e) => return refused(&ctx, e),
    };
    let timeline = match svc.evaluation_timeline(actor, id).await {
        Ok(t) => t,
        Err(e) => return refused(&ctx, e),
    };
    let finished = row.status == EvaluationStatus::Finished;
    let report = if finished {
        match svc.evaluation_report(actor, id).await {
            Ok(r) => Some(r),
            Err(e) => return refused(&ctx, e),
        }
    } else {
        None
    };
    let steps: Vec<Value> = timeline
        .iter()
        .map(|t| {
            json!({
                "number": t.number, "key": t.def.key, "title": t.def.title.get(ctx.lang),
                "role": t.def.role.get(ctx.lang), "due_at": t.due_at.map(when),
                "state": serde_json::to_value(t.state).unwrap_or_default(),
                "state_label": t.state.label().get(ctx.lang),
                "actor": t.record.as_ref().map(|r| r.actor.clone()),
                "output": t.record.as_ref().map(|r| r.output.clone()),
            })
        })
        .collect();
    // Decision steps are recorded through the decision forms, not as plain steps.
    let open_steps: Vec<&Value> = steps
        .iter()
        .zip(&timeline)
        .filter(|(_, t)| {
            matches!(
                t.state,
                StepState::Due | StepState::Overdue | StepState::Waiting
            )
        })
        .filter(|(_, t)| {
            !matches!(
                t.def.key.as_str(),
                "keputusan-standar" | "keputusan-tindakan"
            )
        })
        .map(|(v, _)| v)
        .collect();
    let mut body = json!({
        "eval": row, "agency": agency, "app_id": row.application_id,
        "status": decision_label(&ctx, &row).0,
        "created": when(row.created_at), "finished": row.finished_at.map(when),
        "steps": steps, "open_steps": open_steps, "manual": record.manual,
        "can_record": finished && svc.may(actor, "evaluation:record"),
        "can_decide": svc.may(actor, "evaluation:decide"),
        "can_report_fix": finished && row.failures > 0 && svc.may(actor, "finding:report-fix"),
        "report": finished,
    });
    if let Some(report) = &report {
        let d = decisions_json(&ctx, report, &record.decisions);
        body["can_decide2"] = json!(body["can_decide"] == true && d["dec1"] != Value::Null);
        for k in ["rec1", "dec1", "rec2", "dec2"] {
            body[k] = d[k].clone();
        }
        body["manual_items"] = report
            .items
            .iter()
            .filter(|i| i.check == "manual")
            .map(|i| json!({ "id": i.id, "title": i.title.get(ctx.lang) }))
            .collect();
        let filter = FindingFilter {
            evaluation_id: Some(id),
            ..FindingFilter::default()
        };
        if svc.may(actor, "finding:read") {
            match super::lists::findings_json(&st, &ctx, &filter, paging(q.page)).await {
                Ok((rows, offset, total)) => {
                    body["pager"] = pager(
                        &format!("/evaluations/{id}"),
                        &[],
                        offset,
                        rows.len(),
                        total,
                    );
                    body["findings"] = Value::Array(rows);
                }
                Err(e) => return refused(&ctx, e),
            }
        }
    }
    let title = format!("{} #{id}", ctx.t("evaluation"));
    render(&ctx, StatusCode::OK, "evaluation", &title, "", body)
}

/// `POST /evaluations/{id}/manual` (multipart): a manual item with an optional attachment.
pub async fn record_manual(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
    mut form: Multipart,
) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let invalid = |field: &str, message: String| ServiceError::Invalid {
        field: field.into(),
        message,
    };
    let (mut csrf, mut input, mut file) = (String::new(), ManualInput::default(), None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return refused(&ctx, invalid("form", e.body_text())),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = match field.bytes().await {
            Ok(d) => d,
            Err(e) => return refused(&ctx, invalid(&name, e.body_text())),
        };
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "csrf" => csrf = text(),
            "item" => input.item = text(),
            "outcome" => input.outcome = text(),
            "note" => input.note = text(),
            // A file input left empty still sends a part, with no name and no content.
            "attachment" => {
                if let Some(n) = file_name.filter(|n| !n.is_empty()) {
                    if data.len() > MAX_ATTACHMENT {
                        return refused(
                            &ctx,
                            invalid(
                                "attachment",
                                "lampiran melebihi 20 MiB / the attachment exceeds 20 MiB".into(),
                            ),
                        );
                    }
                    file = Some((n, data.to_vec()));
                }
            }
            _ => {}
        }
    }
    if !form_allowed(&parts, user, &csrf) {
        return csrf_refused(&ctx);
    }
    match st
        .service
        .record_manual(&user.actor, id, &input, None, file)
        .await
    {
        Ok(_) => redirect(&format!("/evaluations/{id}#h-manual")),
        Err(e) => refused(&ctx, e),
    }
}

/// Fields of the step form.
#[derive(Debug, Deserialize)]
pub struct StepForm {
    csrf: String,
    step: String,
    #[serde(default)]
    output: String,
    #[serde(default)]
    note: String,
    skip: Option<String>,
}

/// `POST /evaluations/{id}/steps`: records an SOP step as the user.
pub async fn advance_step(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
    Form(f): Form<StepForm>,
) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let input = StepInput {
        output: f.output,
        note: f.note,
        skip: f.skip.is_some(),
        role: None,
    };
    match st
        .service
        .advance_step(&actor, id, &f.step, &input, None, ctx.lang)
        .await
    {
        Ok(_) => redirect(&format!("/evaluations/{id}#h-steps")),
        Err(e) => refused(&ctx, e),
    }
}

/// Fields of a decision form.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    kind: String,
    decided: String,
    #[serde(default)]
    reason: String,
}

/// `POST /evaluations/{id}/decisions`: decision 1 or 2 as the user (Kepala Dinas).
pub async fn decide(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
    Form(f): Form<DecisionForm>,
) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let mut input = DecideInput {
        reason: f.reason,
        ..DecideInput::default()
    };
    match f.kind.as_str() {
        "standard" => input.standard = Some(f.decided),
        "action" => input.action = Some(f.decided),
        other => {
            return refused(
                &ctx,
                ServiceError::Invalid {
                    field: "kind".into(),
                    message: format!("'{other}': standard, action"),
                },
            );
        }
    }
    match st.service.decide(&actor, id, &input, None, ctx.lang).await {
        Ok(_) => redirect(&format!("/evaluations/{id}#h-decisions")),
        Err(e) => refused(&ctx, e),
    }
}
