//! The lists across applications: findings with their lifecycle, the job queue, and the audit
//! log. Filtered and paged on the server.

use super::paging::{pager, paging};
use super::view::{Ctx, query, refused, render};
use crate::service::ServiceError;
use crate::store::{AuditFilter, FindingFilter, JobStatus, Paging};
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

/// Rows of findings with their lifecycle, the page's offset and the total.
pub async fn findings_json(
    st: &AppState,
    ctx: &Ctx,
    filter: &FindingFilter,
    p: Paging,
) -> Result<(Vec<Value>, i64, i64), ServiceError> {
    let Some(user) = &ctx.user else {
        return Err(ServiceError::Unauthenticated);
    };
    let page = st.service.list_findings(&user.actor, filter, p).await?;
    let states = st
        .service
        .finding_lifecycle(&user.actor, &page.items)
        .await?;
    let rows = page
        .items
        .iter()
        .map(|f| {
            let summary = match ctx.lang {
                crate::i18n::Lang::Id => &f.summary_id,
                crate::i18n::Lang::En => &f.summary_en,
            };
            json!({
                "item_id": f.item_id, "locator": f.locator, "application": f.application,
                "evaluation_id": f.evaluation_id, "severity": named(ctx, SEVERITIES, &f.severity),
                "outcome": named(ctx, OUTCOMES, &f.outcome),
                "summary": summary,
                "lifecycle": states.get(&f.fingerprint).map(|s| s.label().get(ctx.lang).to_string()),
            })
        })
        .collect();
    Ok((rows, page.offset, page.total))
}

/// Query of `/findings`.
#[derive(Debug, Default, Deserialize)]
pub struct FindingsQuery {
    app: Option<String>,
    severity: Option<String>,
    outcome: Option<String>,
    page: Option<i64>,
}

fn options(ctx: &Ctx, values: &[(&str, &str, &str)], chosen: &str) -> Vec<Value> {
    let mut out =
        vec![json!({ "value": "", "label": ctx.t("all"), "selected": chosen.is_empty() })];
    out.extend(values.iter().map(|(v, id, en)| {
        let label = match ctx.lang {
            crate::i18n::Lang::Id => id,
            crate::i18n::Lang::En => en,
        };
        json!({ "value": v, "label": label, "selected": *v == chosen })
    }));
    out
}

const SEVERITIES: &[(&str, &str, &str)] = &[
    ("critical", "kritis", "critical"),
    ("high", "tinggi", "high"),
    ("medium", "sedang", "medium"),
    ("low", "rendah", "low"),
    ("info", "informasi", "info"),
];
const OUTCOMES: &[(&str, &str, &str)] = &[
    ("fail", "gagal", "fail"),
    ("pass", "lulus", "pass"),
    ("inconclusive", "tidak dapat disimpulkan", "inconclusive"),
    ("not_applicable", "tidak berlaku", "not applicable"),
    ("manual", "manual", "manual"),
];

/// The label of a stored value in the page's language (the value itself if unknown).
fn named(ctx: &Ctx, table: &[(&str, &str, &str)], value: &str) -> String {
    table
        .iter()
        .find(|(v, _, _)| *v == value)
        .map(|(_, id, en)| match ctx.lang {
            crate::i18n::Lang::Id => id.to_string(),
            crate::i18n::Lang::En => en.to_string(),
        })
        .unwrap_or_else(|| value.to_string())
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `GET /findings`: findings across the applications in the user's scope.
pub async fn findings(State(st): State<AppState>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q: FindingsQuery = match query(&ctx, &parts) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let mut filter = FindingFilter {
        severity: nonempty(&q.severity),
        outcome: Some(nonempty(&q.outcome).unwrap_or_else(|| "fail".into())),
        ..FindingFilter::default()
    };
    if let Some(app) = nonempty(&q.app) {
        match st.service.app(&user.actor, &app).await {
            Ok(a) => filter.application_id = Some(a.id),
            Err(e) => return refused(&ctx, e),
        }
    }
    let (rows, offset, total) = match findings_json(&st, &ctx, &filter, paging(q.page)).await {
        Ok(r) => r,
        Err(e) => return refused(&ctx, e),
    };
    let (app, sev, out) = (
        q.app.unwrap_or_default(),
        filter.severity.clone().unwrap_or_default(),
        filter.outcome.clone().unwrap_or_default(),
    );
    let body = json!({
        "app": app,
        "severities": options(&ctx, SEVERITIES, &sev),
        "outcomes": options(&ctx, OUTCOMES, &out),
        "pager": pager("/findings", &[("app", &app), ("severity", &sev), ("outcome", &out)], offset, rows.len(), total),
        "findings": rows,
    });
    render(
        &ctx,
        StatusCode::OK,
        "findings",
        &ctx.t("findings"),
        "findings",
        body,
    )
}

/// Query of `/jobs`.
#[derive(Debug, Default, Deserialize)]
pub struct JobsQuery {
    app: Option<String>,
    status: Option<String>,
    before: Option<i64>,
}

/// Rows of the job list per page.
const JOBS_PAGE: i64 = 50;

/// The link to the next, older page of a list read newest first: `before` the `last` key shown,
/// keeping the filters; `None` when the page was not full.
fn older_link(path: &str, filters: &[(&str, Option<&str>)], last: Option<i64>) -> Option<String> {
    let last = last?;
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in filters {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    s.append_pair("before", &last.to_string());
    Some(format!("{path}?{}", s.finish()))
}

/// `GET /jobs`: the evaluation queue (the newest 200, as `kawal jobs`).
pub async fn jobs(State(st): State<AppState>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q: JobsQuery = match query(&ctx, &parts) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let (app, status) = (nonempty(&q.app), nonempty(&q.status));
    let jobs = match st
        .service
        .list_jobs_before(
            &user.actor,
            status.as_deref(),
            app.as_deref(),
            q.before,
            JOBS_PAGE,
        )
        .await
    {
        Ok(j) => j,
        Err(e) => return refused(&ctx, e),
    };
    let statuses: Vec<(&str, &str, &str)> = [
        (JobStatus::Queued, "dalam antrean", "queued"),
        (JobStatus::Running, "berjalan", "running"),
        (JobStatus::Done, "selesai", "done"),
        (JobStatus::Failed, "gagal", "failed"),
        (JobStatus::Cancelled, "dibatalkan", "cancelled"),
    ]
    .iter()
    .map(|(s, id, en)| (s.as_str(), *id, *en))
    .collect();
    let rows: Vec<Value> = jobs
        .iter()
        .map(|j| super::apps::job_json(&ctx, j))
        .collect();
    let body = json!({
        "app": app.clone().unwrap_or_default(),
        "statuses": options(&ctx, &statuses, status.as_deref().unwrap_or_default()),
        "jobs": rows,
        "can_write": st.service.may(&user.actor, "job:write"),
        "older": older_link(
            "/jobs",
            &[("app", app.as_deref()), ("status", status.as_deref())],
            (jobs.len() as i64 == JOBS_PAGE).then(|| jobs.last().map(|j| j.id)).flatten(),
        ),
    });
    render(&ctx, StatusCode::OK, "jobs", &ctx.t("jobs"), "jobs", body)
}

/// Query of `/audit`.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
}

const AUDIT_PAGE: i64 = 50;

/// `GET /audit`: the audit log, newest first, 50 entries a page (administrators).
pub async fn audit(State(st): State<AppState>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q: AuditQuery = match query(&ctx, &parts) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let f = AuditFilter {
        since: None,
        actor: nonempty(&q.actor),
        action: nonempty(&q.action),
        before_seq: q.before,
        limit: AUDIT_PAGE,
    };
    let entries = match st.service.audit_list(&user.actor, &f).await {
        Ok(e) => e,
        Err(e) => return refused(&ctx, e),
    };
    let older = older_link(
        "/audit",
        &[
            ("actor", f.actor.as_deref()),
            ("action", f.action.as_deref()),
        ],
        (entries.len() as i64 == AUDIT_PAGE)
            .then(|| entries.last().map(|e| e.seq))
            .flatten(),
    );
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let c = &e.content;
            let object = match (&c.object_kind, &c.object_id) {
                (Some(k), Some(i)) => format!("{k} {i}"),
                (Some(k), None) => k.clone(),
                _ => String::new(),
            };
            json!({ "seq": e.seq, "at": c.at, "actor": c.actor, "action": c.action, "object": object, "agency": c.agency, "client": c.client })
        })
        .collect();
    let body = json!({
        "actor": f.actor, "action": f.action, "entries": rows, "older": older,
    });
    render(
        &ctx,
        StatusCode::OK,
        "audit",
        &ctx.t("audit"),
        "audit",
        body,
    )
}
