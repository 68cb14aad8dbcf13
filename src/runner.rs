//! Runs one evaluation end to end: client, checks, and (with a store) its record.
//!
//! Shared by `kawal scan`, `kawal evaluate` and the queue workers, so all three record
//! evaluations the same way: a row while running (with a heartbeat), one transaction at the end.

use crate::checklist::Checklist;
use crate::checks::{Check, Context};
use crate::config::NetConfig;
use crate::evaluation::{self, EvalError, Policy, Progress, Report};
use crate::net::{HttpClient, NetError, Scope};
use crate::store::{App, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How often a running evaluation proves it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// An evaluation could not be run or recorded.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The HTTP client could not be built (e.g. a bad CA bundle).
    #[error(transparent)]
    Client(NetError),
    /// The evaluation itself failed (e.g. target unreachable).
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to evaluate and with which rules.
pub struct Target<'a> {
    /// Base URL.
    pub url: &'a Url,
    /// Extra in-scope hosts.
    pub scope_extra: &'a [String],
    /// Registered application, if any.
    pub app: Option<&'a App>,
    /// Network settings.
    pub net: NetConfig,
    /// Settings of individual checks.
    pub options: crate::checks::CheckOptions,
}

/// Runs the checklist against the target; with a store, records it (linked to `job_id` if given).
pub async fn run(
    store: Option<&Store>,
    target: Target<'_>,
    checklist: &Checklist,
    policy: &Policy,
    checks: &[Box<dyn Check>],
    progress: &dyn Progress,
    job_id: Option<i64>,
) -> Result<(Report, Option<i64>), RunError> {
    let scope = Scope::new(target.url, target.scope_extra);
    let http = Arc::new(HttpClient::new(target.net, scope).map_err(RunError::Client)?);
    let ctx = Context::with_options(target.url.clone(), http, target.options);
    let id = match store {
        Some(s) => {
            let id = s
                .start_evaluation(
                    target.app.map(|a| a.id),
                    target.url.as_str(),
                    &checklist.checklist.id,
                    &checklist.checklist.version,
                )
                .await?;
            if let Some(j) = job_id {
                s.attach_evaluation(j, id).await?;
            }
            Some(id)
        }
        None => None,
    };
    let work = evaluation::run(
        checklist,
        policy,
        checks,
        &ctx,
        target.app.map(|a| a.name.clone()),
        progress,
    );
    let result = match (store, id) {
        (Some(s), Some(id)) => {
            let beat = async {
                loop {
                    tokio::time::sleep(HEARTBEAT).await;
                    if let Err(e) = s.heartbeat(id).await {
                        tracing::warn!("heartbeat of evaluation {id} failed: {e}");
                    }
                }
            };
            tokio::select! {
                r = work => r,
                never = beat => never,
            }
        }
        _ => work.await,
    };
    match result {
        Ok(report) => {
            if let (Some(s), Some(id)) = (store, id) {
                s.finish_evaluation(id, &report).await?;
            }
            Ok((report, id))
        }
        Err(e) => {
            if let (Some(s), Some(id)) = (store, id) {
                s.fail_evaluation(id, &e.to_string()).await?;
            }
            Err(e.into())
        }
    }
}
