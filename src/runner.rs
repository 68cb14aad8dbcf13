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
    /// For a retest: the evaluation being retested and its report (only its failed items run).
    pub retest_of: Option<(i64, Report)>,
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
    let excl = match (store, target.app) {
        (Some(s), Some(a)) => s.exclusions(a.id, time::OffsetDateTime::now_utc()).await?,
        _ => evaluation::Exclusions::default(),
    };
    // A retest runs only the items that failed last time and carries the rest over.
    let subset;
    let checklist = match &target.retest_of {
        Some((_, prev)) => {
            let failed: Vec<&str> = prev
                .items
                .iter()
                .filter(|i| i.outcome == crate::model::Outcome::Fail)
                .map(|i| i.id.as_str())
                .collect();
            subset = Checklist {
                items: checklist
                    .items
                    .iter()
                    .filter(|i| failed.contains(&i.id.as_str()))
                    .cloned()
                    .collect(),
                ..checklist.clone()
            };
            &subset
        }
        None => checklist,
    };
    let mut target = target;
    if let (Some(s), Some(app)) = (store, target.app) {
        // Registered roles are kept encrypted; they join any given on the command line.
        let sealer = crate::auth::seal::Sealer::load(&crate::config::data_dir())
            .map_err(|e| RunError::Store(StoreError::Corrupt(e.to_string())))?;
        for p in &app.protected {
            if !target.options.access.protected.contains(p) {
                target.options.access.protected.push(p.clone());
            }
        }
        for role in s.roles(app.id, &sealer).await? {
            if !target
                .options
                .access
                .roles
                .iter()
                .any(|r| r.name == role.name)
            {
                target.options.access.roles.push(role);
            }
        }
    }
    let facts = facts(target.app, &target.options);
    if let Some(app) = target.app {
        // The registration's trust holds for every run: scheduled, queued, CLI and retest.
        target.net = with_app_trust(target.net, app);
    }
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
            if let Some((of, _)) = &target.retest_of {
                s.mark_retest(id, *of).await?;
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
        (facts, &excl),
        progress,
    );
    let work = async {
        let fresh = work.await?;
        Ok::<Report, EvalError>(match &target.retest_of {
            Some((_, prev)) => merge_retest(prev, fresh, policy, facts, &excl),
            None => fresh,
        })
    };
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

/// Network settings with the application's own trust added: its CA bundle joins any configured
/// one, and its insecure switch turns certificate verification off (never on).
pub fn with_app_trust(mut net: NetConfig, app: &App) -> NetConfig {
    if let Some(pem) = &app.ca_bundle {
        let mut all = net.extra_ca_pem.take().unwrap_or_default();
        if !all.is_empty() && !all.ends_with(b"\n") {
            all.push(b'\n');
        }
        all.extend_from_slice(pem.as_bytes());
        net.extra_ca_pem = Some(all);
    }
    net.insecure |= app.insecure;
    net
}

/// What decision 2 knows about the application: its registration, and a login when any way of
/// logging in is registered (a `[login]` recipe or a role, from the registration or the command).
pub fn facts(app: Option<&App>, options: &crate::checks::CheckOptions) -> evaluation::Facts {
    evaluation::Facts {
        personal_data: app.is_some_and(|a| a.personal_data),
        public_service: app.is_some_and(|a| a.public_service),
        has_login: options.login.is_some() || !options.access.roles.is_empty(),
    }
}

/// The report of a retest: the earlier report with the re-run items replaced, re-decided.
pub fn merge_retest(
    prev: &Report,
    fresh: Report,
    policy: &Policy,
    facts: evaluation::Facts,
    excl: &evaluation::Exclusions,
) -> Report {
    let mut merged = prev.clone();
    merged.retested_items = fresh.items.iter().map(|i| i.id.clone()).collect();
    for item in fresh.items {
        if let Some(slot) = merged.items.iter_mut().find(|i| i.id == item.id) {
            *slot = item;
        }
    }
    merged.started_at = fresh.started_at;
    merged.finished_at = fresh.finished_at;
    merged.requests_sent = fresh.requests_sent;
    merged.tool = fresh.tool;
    merged.redecide(policy, facts, excl);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;

    #[test]
    fn a_registered_role_is_a_login_even_without_a_login_table() {
        let none = CheckOptions::default();
        assert!(!facts(None, &none).has_login);
        let mut with_role = CheckOptions::default();
        let role: crate::auth::Role = toml::from_str(
            "name = 'warga_a'\n[recipe]\nkind = 'form'\nurl = 'https://a.example.go.id/login'\nusername = 'u'\npassword = 'p'\n",
        )
        .expect("role");
        with_role.access.roles.push(role);
        let f = facts(None, &with_role);
        assert!(f.has_login && !f.personal_data && !f.public_service);
    }
}
