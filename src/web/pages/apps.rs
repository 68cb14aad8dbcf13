//! The overview and the application pages: list, detail with progress, register and edit,
//! test roles, and starting an evaluation.

use super::paging::{pager, paging};
use super::view::{
    Ctx, decision_label, form_actor, query, redirect, refused, render, render_with, when,
};
use crate::service::{AppInput, AppSummary, ServiceError, Trend};
use crate::store::{App, AppFilter, Job, JobStatus};
use crate::web::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// Query of the application lists.
#[derive(Debug, Default, Deserialize)]
pub struct AppsQuery {
    q: Option<String>,
    agency: Option<String>,
    page: Option<i64>,
}

fn filter(q: &AppsQuery) -> AppFilter {
    let keep = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    AppFilter {
        q: keep(&q.q),
        agency: keep(&q.agency),
    }
}

fn summary_json(ctx: &Ctx, s: &AppSummary) -> Value {
    let last = s.latest.as_ref().map(|e| {
        let (label, class) = decision_label(ctx, e);
        json!({
            "id": e.id, "label": label, "class": class, "failures": e.failures,
            "when": when(e.finished_at.unwrap_or(e.created_at)),
        })
    });
    let trend = s.trend().map(|t| {
        ctx.t(match t {
            Trend::Better => "trend_better",
            Trend::Worse => "trend_worse",
            Trend::Same => "trend_same",
        })
    });
    json!({
        "id": s.app.id, "name": s.app.name, "url": s.app.url, "agency": s.app.agency,
        "schedule": s.app.schedule, "timezone": s.app.timezone, "last": last, "trend": trend,
    })
}

/// `GET /` for a logged-in user: counts, what waits for the user, and the applications.
pub async fn overview(st: &AppState, ctx: &Ctx, parts: &Parts) -> Response {
    let Some(user) = &ctx.user else {
        return redirect("/login");
    };
    let q: AppsQuery = match query(ctx, parts) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let o = match st
        .service
        .overview(&user.actor, &filter(&q), paging(q.page))
        .await
    {
        Ok(o) => o,
        Err(e) => return refused(ctx, e),
    };
    let waiting: Vec<Value> = o
        .waiting
        .iter()
        .map(|w| {
            json!({
                "evaluation_id": w.evaluation_id,
                "application": w.application,
                "number": w.row.number,
                "title": w.row.def.title.get(ctx.lang),
                "role": w.row.def.role.get(ctx.lang),
                "due_at": w.row.due_at.map(when),
                "state": serde_json::to_value(w.row.state).unwrap_or_default(),
                "state_label": w.row.state.label().get(ctx.lang),
            })
        })
        .collect();
    let apps: Vec<Value> = o.apps.items.iter().map(|s| summary_json(ctx, s)).collect();
    let page = json!({
        "counts": {
            "apps": o.apps.total, "running": o.counts.running,
            "queued": o.counts.queued, "not_met": o.counts.not_met,
        },
        "counted_at": when(o.counted_at),
        "waiting": waiting,
        "pager": pager("/", &[], o.apps.offset, apps.len(), o.apps.total),
        "apps": apps,
    });
    render(
        ctx,
        StatusCode::OK,
        "overview",
        &ctx.t("overview"),
        "overview",
        page,
    )
}

/// `GET /apps`: the applications, searched and paged on the server.
pub async fn list(State(st): State<AppState>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q: AppsQuery = match query(&ctx, &parts) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let page = match st
        .service
        .app_summaries(&user.actor, &filter(&q), paging(q.page))
        .await
    {
        Ok(p) => p,
        Err(e) => return refused(&ctx, e),
    };
    let apps: Vec<Value> = page.items.iter().map(|s| summary_json(&ctx, s)).collect();
    let (qs, ag) = (
        q.q.clone().unwrap_or_default(),
        q.agency.clone().unwrap_or_default(),
    );
    let body = json!({
        "q": qs, "agency": ag,
        "can_write": st.service.may(&user.actor, "app:write"),
        "pager": pager("/apps", &[("q", &qs), ("agency", &ag)], page.offset, apps.len(), page.total),
        "apps": apps,
    });
    render(
        &ctx,
        StatusCode::OK,
        "apps",
        &ctx.t("applications"),
        "apps",
        body,
    )
}

fn job_label(ctx: &Ctx, s: JobStatus) -> String {
    let (id, en) = match s {
        JobStatus::Queued => ("dalam antrean", "queued"),
        JobStatus::Running => ("berjalan", "running"),
        JobStatus::Done => ("selesai", "done"),
        JobStatus::Failed => ("gagal", "failed"),
        JobStatus::Cancelled => ("dibatalkan", "cancelled"),
    };
    crate::i18n::tr(ctx.lang, id, en).to_string()
}

pub(super) fn job_json(ctx: &Ctx, j: &Job) -> Value {
    json!({
        "id": j.id, "application_id": j.application_id, "application": j.application,
        "kind": j.kind, "scheduled_for": when(j.scheduled_for), "status": j.status.as_str(),
        "status_label": job_label(ctx, j.status), "attempts": j.attempts,
        "max_attempts": j.max_attempts, "evaluation_id": j.evaluation_id,
        "last_error": j.last_error,
    })
}

/// The newest jobs of an application, whether one is still active, and a one-line summary.
async fn progress_of(
    st: &AppState,
    ctx: &Ctx,
    app: &App,
) -> Result<(Vec<Value>, bool, String), ServiceError> {
    let Some(user) = &ctx.user else {
        return Err(ServiceError::Unauthenticated);
    };
    if !st.service.may(&user.actor, "job:read") {
        return Ok((Vec::new(), false, String::new()));
    }
    let jobs = st
        .service
        .list_jobs(&user.actor, None, Some(&app.id.to_string()), 5)
        .await?;
    let active: Vec<&Job> = jobs
        .iter()
        .filter(|j| matches!(j.status, JobStatus::Queued | JobStatus::Running))
        .collect();
    let summary = match active.first() {
        Some(j) => format!("{} #{}: {}", ctx.t("job"), j.id, job_label(ctx, j.status)),
        None => String::new(),
    };
    Ok((
        jobs.iter().map(|j| job_json(ctx, j)).collect(),
        !active.is_empty(),
        summary,
    ))
}

/// Query of the application page.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

/// `GET /apps/{app}`: one application, its test roles (secrets hidden), its jobs with live
/// progress, and its evaluations.
pub async fn detail(State(st): State<AppState>, Path(key): Path<String>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q: PageQuery = match query(&ctx, &parts) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let svc = &st.service;
    let app = match svc.app(&user.actor, &key).await {
        Ok(a) => a,
        Err(e) => return refused(&ctx, e),
    };
    let roles = match &st.sealer {
        Some(s) => svc
            .test_roles(&user.actor, &app.id.to_string(), s)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let (jobs, active, summary) = match progress_of(&st, &ctx, &app).await {
        Ok(p) => p,
        Err(e) => return refused(&ctx, e),
    };
    let evals = if svc.may(&user.actor, "evaluation:read") {
        match svc
            .list_evaluations(&user.actor, Some(&app.id.to_string()), paging(q.page))
            .await
        {
            Ok(p) => Some(p),
            Err(e) => return refused(&ctx, e),
        }
    } else {
        None
    };
    let (rows, pg) = match &evals {
        Some(p) => {
            let rows: Vec<Value> = p.items.iter().map(|e| {
                let (label, class) = decision_label(&ctx, e);
                json!({ "id": e.id, "created": when(e.created_at), "status": e.status.as_str(), "label": label, "class": class })
            }).collect();
            let pg = pager(
                &format!("/apps/{}", app.id),
                &[],
                p.offset,
                rows.len(),
                p.total,
            );
            (rows, pg)
        }
        None => (Vec::new(), Value::Null),
    };
    let body = json!({
        "app": app,
        "roles": roles.iter().map(|r| json!({ "name": r.name, "privilege": r.privilege })).collect::<Vec<_>>(),
        "can_write": svc.may(&user.actor, "app:write"),
        "can_start": svc.may(&user.actor, "evaluation:start"),
        "jobs": jobs, "active": active, "summary": summary,
        "evaluations": rows, "pager": pg,
    });
    render(&ctx, StatusCode::OK, "app", &app.name, "apps", body)
}

/// `GET /apps/{app}/progress`: the application's newest jobs as JSON, for the page's script.
pub async fn progress(
    State(st): State<AppState>,
    Path(key): Path<String>,
    parts: Parts,
) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let Some(user) = &ctx.user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let app = match st.service.app(&user.actor, &key).await {
        Ok(a) => a,
        Err(e) => return crate::web::error::ApiError::from_service(e, ctx.lang).into_response(),
    };
    match progress_of(&st, &ctx, &app).await {
        Ok((jobs, active, summary)) => {
            axum::Json(json!({ "jobs": jobs, "active": active, "summary": summary }))
                .into_response()
        }
        Err(e) => crate::web::error::ApiError::from_service(e, ctx.lang).into_response(),
    }
}

/// Fields of the application form.
#[derive(Debug, Default, Deserialize)]
pub struct AppForm {
    csrf: String,
    name: String,
    url: String,
    agency: String,
    owner: String,
    #[serde(default)]
    schedule: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    rate_limit: String,
    public_service: Option<String>,
    personal_data: Option<String>,
    allow_unsafe_methods: Option<String>,
    insecure: Option<String>,
    #[serde(default)]
    ca_bundle: String,
}

impl AppForm {
    /// The service's input; a checkbox left unticked is `false`, an empty CA field keeps the
    /// stored bundle on an edit.
    fn input(&self, edit: bool) -> Result<AppInput, ServiceError> {
        let rate_limit = match self.rate_limit.trim() {
            "" => None,
            r => Some(r.parse::<f64>().map_err(|_| ServiceError::Invalid {
                field: "rate_limit".into(),
                message: format!("'{r}' bukan angka / is not a number"),
            })?),
        };
        let text = |s: &str| Some(s.trim().to_string());
        Ok(AppInput {
            name: text(&self.name),
            url: text(&self.url),
            agency: text(&self.agency),
            owner: text(&self.owner),
            schedule: text(&self.schedule),
            timezone: Some(self.timezone.trim().to_string()).filter(|t| !t.is_empty()),
            rate_limit,
            scope_hosts: None,
            public_service: Some(self.public_service.is_some()),
            personal_data: Some(self.personal_data.is_some()),
            allow_unsafe_methods: Some(self.allow_unsafe_methods.is_some()),
            ca_bundle: if edit && self.ca_bundle.trim().is_empty() {
                None
            } else {
                Some(self.ca_bundle.clone())
            },
            insecure: Some(self.insecure.is_some()),
        })
    }

    fn echo(&self) -> Value {
        json!({
            "name": self.name, "url": self.url, "agency": self.agency, "owner": self.owner,
            "schedule": self.schedule, "timezone": self.timezone, "rate_limit": self.rate_limit,
            "public_service": self.public_service.is_some(), "personal_data": self.personal_data.is_some(),
            "allow_unsafe_methods": self.allow_unsafe_methods.is_some(), "insecure": self.insecure.is_some(),
        })
    }
}

fn form_page(
    ctx: &Ctx,
    status: StatusCode,
    title: &str,
    action: &str,
    app: Value,
    error: Option<&str>,
) -> Response {
    render_with(
        ctx,
        status,
        "app_form",
        title,
        "apps",
        json!({ "action": action, "app": app }),
        error,
    )
}

/// `GET /apps/new`: the registration form.
pub async fn new_form(State(st): State<AppState>, parts: Parts) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if let Err(e) = st.service.require(&user.actor, "app:write") {
        return refused(&ctx, e);
    }
    let agency = user.actor.account.as_ref().and_then(|a| a.agency.clone());
    let app = json!({ "timezone": "Asia/Jakarta", "rate_limit": "2", "agency": agency });
    form_page(
        &ctx,
        StatusCode::OK,
        &ctx.t("register_app"),
        "/apps",
        app,
        None,
    )
}

/// `GET /apps/{app}/edit`: the edit form, filled in (the CA bundle is not shown back).
pub async fn edit_form(
    State(st): State<AppState>,
    Path(key): Path<String>,
    parts: Parts,
) -> Response {
    let ctx = Ctx::of(&st, &parts).await;
    let user = match ctx.require() {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let app = match st.service.app(&user.actor, &key).await {
        Ok(a) => a,
        Err(e) => return refused(&ctx, e),
    };
    if let Err(e) = st.service.require(&user.actor, "app:write") {
        return refused(&ctx, e);
    }
    let mut v = serde_json::to_value(&app).unwrap_or_default();
    v["ca_bundle"] = Value::Null;
    form_page(
        &ctx,
        StatusCode::OK,
        &ctx.t("edit_app"),
        &format!("/apps/{}", app.id),
        v,
        None,
    )
}

/// `POST /apps`: registers an application from the form.
pub async fn create(State(st): State<AppState>, parts: Parts, Form(f): Form<AppForm>) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let result = match f.input(false) {
        Ok(i) => st.service.add_app(&actor, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(app) => redirect(&format!("/apps/{}", app.id)),
        Err(ServiceError::Invalid { message, .. }) => form_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx.t("register_app"),
            "/apps",
            f.echo(),
            Some(&message),
        ),
        Err(e) => refused(&ctx, e),
    }
}

/// `POST /apps/{app}`: edits an application from the form.
pub async fn update(
    State(st): State<AppState>,
    Path(key): Path<String>,
    parts: Parts,
    Form(f): Form<AppForm>,
) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let result = match f.input(true) {
        Ok(i) => st.service.edit_app(&actor, &key, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(app) => redirect(&format!("/apps/{}", app.id)),
        Err(ServiceError::Invalid { message, .. }) => form_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx.t("edit_app"),
            &format!("/apps/{key}"),
            f.echo(),
            Some(&message),
        ),
        Err(e) => refused(&ctx, e),
    }
}

/// Fields of the test-role form.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    csrf: String,
    name: String,
    privilege: u32,
    login_url: String,
    username: String,
    password: String,
    #[serde(default)]
    marker: String,
}

/// `POST /apps/{app}/roles`: stores a test role logging in through a form (sealed).
pub async fn put_role(
    State(st): State<AppState>,
    Path(key): Path<String>,
    parts: Parts,
    Form(f): Form<RoleForm>,
) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let sealer = match super::view::sealer(&st, &ctx) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let marker = f.marker.trim();
    let role = crate::auth::Role {
        name: f.name.trim().to_string(),
        privilege: f.privilege,
        recipe: crate::auth::Recipe::Form {
            url: f.login_url.trim().to_string(),
            username_field: "username".into(),
            password_field: "password".into(),
            username: f.username,
            password: f.password,
        },
        marker: crate::auth::Marker {
            text: (!marker.is_empty()).then(|| marker.to_string()),
            ..crate::auth::Marker::default()
        },
    };
    match st.service.put_test_role(&actor, &key, &role, sealer).await {
        Ok(()) => redirect(&format!("/apps/{key}")),
        Err(e) => refused(&ctx, e),
    }
}

/// The CSRF field of a button-only form.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /apps/{app}/evaluate`: queues an evaluation now and shows its progress.
pub async fn evaluate(
    State(st): State<AppState>,
    Path(key): Path<String>,
    parts: Parts,
    Form(f): Form<CsrfForm>,
) -> Response {
    let (ctx, actor) = match form_actor(&st, &parts, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    match st.service.start_evaluation(&actor, &key).await {
        Ok(job) => redirect(&format!("/apps/{}#h-progress", job.application_id)),
        Err(e) => refused(&ctx, e),
    }
}
