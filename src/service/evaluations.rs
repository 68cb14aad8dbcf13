//! Evaluations, findings and agency reports as the actor may see them.

use super::{Actor, Event, Service, ServiceError};
use crate::checklist::Checklist;
use crate::decision::Action;
use crate::evaluation::Report;
use crate::i18n::Lang;
use crate::report::view::{self, Context};
use crate::sop::{Branch, Sop};
use crate::store::{
    DecisionRecord, EvaluationRow, FindingFilter, Page, Paging, ScopedFinding, Store, StoreError,
};
use time::OffsetDateTime;

/// What the agency documents name besides the evaluation itself.
#[derive(Debug, Clone, Default)]
pub struct ReportSettings {
    /// The issuing office (default "Dinas Komunikasi dan Informatika").
    pub office: Option<String>,
    /// The evaluator named when the SOP record names none.
    pub evaluator: Option<String>,
}

/// Formats of an agency report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Self-contained HTML.
    Html,
    /// PDF.
    Pdf,
    /// The stored report document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// CSV.
    Csv,
}

impl ReportFormat {
    /// Parses a format name.
    pub fn parse(s: &str) -> Option<ReportFormat> {
        Some(match s {
            "html" => ReportFormat::Html,
            "pdf" => ReportFormat::Pdf,
            "json" => ReportFormat::Json,
            "sarif" => ReportFormat::Sarif,
            "junit" => ReportFormat::Junit,
            "csv" => ReportFormat::Csv,
            _ => return None,
        })
    }

    /// Media type and file extension.
    pub fn media(self) -> (&'static str, &'static str) {
        match self {
            ReportFormat::Html => ("text/html; charset=utf-8", "html"),
            ReportFormat::Pdf => ("application/pdf", "pdf"),
            ReportFormat::Json => ("application/json", "json"),
            ReportFormat::Sarif => ("application/sarif+json", "sarif"),
            ReportFormat::Junit => ("application/xml", "xml"),
            ReportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        }
    }
}

/// A rendered report.
#[derive(Debug, Clone)]
pub struct ReportFile {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Format rendered.
    pub format: ReportFormat,
    /// Evaluation id.
    pub evaluation_id: i64,
}

/// Which SOP branch the recorded decisions (or the recommendation) take.
pub fn branch(report: &Report, decisions: &[DecisionRecord]) -> Branch {
    let standard = decisions
        .iter()
        .find(|d| d.kind == "standard")
        .map(|d| d.decided == "met")
        .unwrap_or(report.decision.meets_standard);
    let action = decisions
        .iter()
        .find(|d| d.kind == "action")
        .and_then(|d| Action::parse(&d.decided))
        .or(report.action.as_ref().map(|a| a.action));
    Branch {
        meets_standard: Some(standard),
        action,
    }
}

/// The stored report of evaluation `id` and everything the agency documents show with it.
pub async fn context(
    store: &Store,
    settings: &ReportSettings,
    id: i64,
    now: OffsetDateTime,
) -> Result<(Report, Context), ServiceError> {
    let row = store.evaluation(id).await?;
    let report = store.stored_report(id).await?;
    let app = match row.application_id {
        Some(a) => Some(store.app_by_id(a).await?),
        None => None,
    };
    let decisions = store.decisions(id).await?;
    let steps = store.steps(id).await?;
    let branch = branch(&report, &decisions);
    let sop = Sop::builtin().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let timeline = crate::sop::timeline(&sop, row.created_at, &steps, branch, now);
    let evaluator = steps
        .iter()
        .find(|s| s.step == "evaluasi" || s.step == "penugasan-tim")
        .map(|s| s.actor.clone())
        .or_else(|| settings.evaluator.clone())
        .unwrap_or_default();
    let ctx = Context {
        evaluation_id: Some(id),
        retest_of: row.retest_of,
        office: settings
            .office
            .clone()
            .unwrap_or_else(|| "Dinas Komunikasi dan Informatika".to_string()),
        agency: app.as_ref().map(|a| a.agency.clone()),
        owner: app.as_ref().map(|a| a.owner.clone()),
        evaluator,
        decisions,
        manual: store.manual_results(id).await?,
        states: match &app {
            Some(a) => store.finding_states(a.id).await?,
            None => Vec::new(),
        },
        trend: Some(store.trend(id).await?),
        history: store.history_points(id, 12).await?,
        sop: timeline,
        generated_at: Some(now),
    };
    Ok((report, ctx))
}

/// Renders a stored evaluation in `format`.
pub fn render(
    report: &Report,
    ctx: &Context,
    checklist: &Checklist,
    format: ReportFormat,
    lang: Lang,
) -> Result<Vec<u8>, ServiceError> {
    Ok(match format {
        ReportFormat::Json => (crate::report::json(report) + "\n").into_bytes(),
        ReportFormat::Sarif => {
            (crate::report::sarif::render(report, checklist, lang) + "\n").into_bytes()
        }
        ReportFormat::Junit => crate::report::junit::render(report, checklist, lang).into_bytes(),
        ReportFormat::Csv => crate::report::csv::render(report, lang).into_bytes(),
        ReportFormat::Html => {
            let v = view::build(report, checklist, ctx, lang);
            crate::report::html::Renderer::new()
                .and_then(|r| r.render(&v))
                .map_err(|e| ServiceError::Internal(e.to_string()))?
                .into_bytes()
        }
        ReportFormat::Pdf => {
            let v = view::build(report, checklist, ctx, lang);
            crate::report::pdf::render(&v).map_err(|e| ServiceError::Internal(e.to_string()))?
        }
    })
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound {
        what: "evaluasi/evaluation",
        name: id.to_string(),
    }
}

impl Service {
    /// Evaluations the actor may see, of one application or all, newest first.
    pub async fn list_evaluations(
        &self,
        actor: &Actor,
        app: Option<&str>,
        paging: Paging,
    ) -> Result<Page<EvaluationRow>, ServiceError> {
        let scope = self.require(actor, "evaluation:read")?;
        let app_id = match app {
            Some(k) => Some(self.app_for(actor, "evaluation:read", k).await?.id),
            None => None,
        };
        Ok(self.store.evaluations_page(&scope, app_id, paging).await?)
    }

    /// One evaluation the actor may see, with its agency.
    pub async fn evaluation(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(EvaluationRow, Option<String>), ServiceError> {
        self.evaluation_for(actor, "evaluation:read", id).await
    }

    pub(super) async fn evaluation_for(
        &self,
        actor: &Actor,
        permission: &str,
        id: i64,
    ) -> Result<(EvaluationRow, Option<String>), ServiceError> {
        let scope = self.require(actor, permission)?;
        self.store
            .evaluation_in_scope(&scope, id)
            .await?
            .ok_or_else(|| not_found(id))
    }

    /// The stored report document of a finished evaluation the actor may see.
    pub async fn evaluation_report(&self, actor: &Actor, id: i64) -> Result<Report, ServiceError> {
        self.evaluation_for(actor, "evaluation:read", id).await?;
        match self.store.stored_report(id).await {
            Ok(r) => Ok(r),
            Err(StoreError::NotFound { .. }) => Err(ServiceError::Conflict(format!(
                "evaluasi {id} belum selesai / evaluation {id} has not finished"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Findings the actor may see.
    pub async fn list_findings(
        &self,
        actor: &Actor,
        filter: &FindingFilter,
        paging: Paging,
    ) -> Result<Page<ScopedFinding>, ServiceError> {
        let scope = self.require(actor, "finding:read")?;
        Ok(self.store.findings_page(&scope, filter, paging).await?)
    }

    /// Renders the agency report of an evaluation the actor may see; the download is audited.
    pub async fn report(
        &self,
        actor: &Actor,
        id: i64,
        format: ReportFormat,
        checklist: &Checklist,
        lang: Lang,
    ) -> Result<ReportFile, ServiceError> {
        let (row, agency) = self.evaluation_for(actor, "report:read", id).await?;
        if row.status != crate::model::EvaluationStatus::Finished {
            return Err(ServiceError::Conflict(format!(
                "evaluasi {id} belum selesai / evaluation {id} has not finished"
            )));
        }
        let (report, ctx) = context(&self.store, &self.config.report, id, self.now()).await?;
        let bytes = render(&report, &ctx, checklist, format, lang)?;
        let mut e = Event::on("report.download", "evaluation", id);
        e.agency = agency;
        e.after = Some(serde_json::json!({ "format": format.media().1, "bytes": bytes.len() }));
        self.audit(actor, e).await?;
        Ok(ReportFile {
            bytes,
            format,
            evaluation_id: id,
        })
    }
}
