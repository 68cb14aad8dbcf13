//! Shared path of `scan`, `evaluate` and `demo`: build the client, run, store, render.

use super::{Failure, OutputArgs, Settings, write_out};
use crate::checks::registry;
use crate::config::NetConfig;
use crate::evaluation::{EvalError, Policy, Progress, Report};
use crate::report::{self, Format};
use crate::runner::{self, RunError};
use crate::store::{App, Store};
use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;
use url::Url;

/// Validates a target URL: http(s) with a host.
pub fn parse_target(s: &str) -> Result<Url, Failure> {
    crate::service::validate_url(s).map_err(|e| match e {
        crate::service::ServiceError::Invalid { message, .. } => Failure::usage(anyhow!(message)),
        e => e.into(),
    })
}

struct Bar(Option<ProgressBar>);

impl Progress for Bar {
    fn check_done(&self, name: &str) {
        if let Some(b) = &self.0 {
            b.set_message(name.to_string());
            b.inc(1);
        }
    }
}

/// Runs the checklist against `target`; with a store, records the evaluation.
pub async fn evaluate(
    settings: &Settings,
    target: &Url,
    scope_extra: &[String],
    net: NetConfig,
    options: crate::checks::CheckOptions,
    store: Option<&Store>,
    app: Option<&App>,
) -> Result<(Report, Option<i64>), Failure> {
    evaluate_with(
        settings,
        target,
        scope_extra,
        net,
        options,
        store,
        app,
        None,
    )
    .await
}

/// [`evaluate`], optionally as a retest of an earlier evaluation (only its failed items run).
#[allow(clippy::too_many_arguments)]
pub async fn evaluate_with(
    settings: &Settings,
    target: &Url,
    scope_extra: &[String],
    net: NetConfig,
    options: crate::checks::CheckOptions,
    store: Option<&Store>,
    app: Option<&App>,
    retest_of: Option<(i64, Report)>,
) -> Result<(Report, Option<i64>), Failure> {
    let checklist = settings.checklist()?;
    let policy = Policy::builtin().map_err(Failure::usage)?;
    let checks = registry();
    let bar = Bar(settings.progress().then(|| {
        let b = ProgressBar::new(checks.len() as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b.enable_steady_tick(Duration::from_millis(120));
        b
    }));
    let result = runner::run(
        store,
        runner::Target {
            url: target,
            scope_extra,
            app,
            net,
            options,
            retest_of,
        },
        &checklist,
        &policy,
        &checks,
        &bar,
        None,
    )
    .await;
    if let Some(b) = &bar.0 {
        b.finish_and_clear();
    }
    result.map_err(|e| match e {
        RunError::Client(_) => Failure::usage(e),
        RunError::Eval(EvalError::Unreachable(_)) => Failure::incomplete(e),
        RunError::Eval(EvalError::Policy(_)) => Failure::usage(e),
        RunError::Store(s) => s.into(),
    })
}

/// Renders the report in the requested format to stdout or a file.
pub fn emit(settings: &Settings, report: &Report, out: &OutputArgs) -> Result<(), Failure> {
    let checklist = settings.checklist()?;
    let text = match out.format {
        Format::Table => {
            report::table::render(report, &checklist, settings.lang, settings.verbose > 0)
        }
        Format::Json => report::json(report) + "\n",
        Format::Sarif => report::sarif::render(report, &checklist, settings.lang) + "\n",
        Format::Junit => report::junit::render(report, &checklist, settings.lang),
    };
    write_out(&text, out.output.as_deref())
}
