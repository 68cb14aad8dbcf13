//! What the dashboard shows one user: counts, a page of applications with their latest
//! decision and trend, the SOP steps waiting for the user's roles, and one evaluation's SOP
//! timeline. Everything is read in the user's agency scope.

use super::{Actor, Service, ServiceError};
use crate::model::EvaluationStatus;
use crate::sop::{Branch, Sop, StepState, TimelineRow, timeline};
use crate::store::AgencyScope;
use crate::store::{
    App, AppFilter, DashboardCounts, DecisionRecord, EvaluationRow, FindingStatus, Page, Paging,
    ScopedFinding,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Which account roles act on which SOP step (data: `pages/waiting.toml`).
const WAITING: &str = include_str!("../../pages/waiting.toml");

/// Evaluations looked at for "waiting for me": the newest ones in scope.
const WAITING_WINDOW: i64 = 40;

/// How long the overview's counts are reused.
pub const COUNTS_TTL: Duration = Duration::from_secs(30);

/// Counts by agency scope (`None`: every agency), with when they were counted.
pub type CountsCache = Mutex<HashMap<Option<String>, (Instant, OffsetDateTime, DashboardCounts)>>;

/// An application with its newest evaluations.
#[derive(Debug, Clone)]
pub struct AppSummary {
    /// The application.
    pub app: App,
    /// Its newest finished evaluation.
    pub latest: Option<EvaluationRow>,
    /// The finished evaluation before that, for the trend.
    pub previous: Option<EvaluationRow>,
}

/// Where the failed findings went from the previous evaluation to the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// Fewer failed findings.
    Better,
    /// More failed findings.
    Worse,
    /// As many.
    Same,
}

impl AppSummary {
    /// The trend, when there are two finished evaluations.
    pub fn trend(&self) -> Option<Trend> {
        let (l, p) = (self.latest.as_ref()?, self.previous.as_ref()?);
        Some(match l.failures.cmp(&p.failures) {
            std::cmp::Ordering::Less => Trend::Better,
            std::cmp::Ordering::Greater => Trend::Worse,
            std::cmp::Ordering::Equal => Trend::Same,
        })
    }
}

/// An SOP step due or overdue for one of the user's roles.
#[derive(Debug, Clone)]
pub struct WaitingStep {
    /// Evaluation id.
    pub evaluation_id: i64,
    /// Application name.
    pub application: Option<String>,
    /// The step's row of the evaluation's timeline.
    pub row: TimelineRow,
}

/// The overview of one user.
#[derive(Debug, Clone)]
pub struct Overview {
    /// Counts in the user's scope.
    pub counts: DashboardCounts,
    /// When they were counted.
    pub counted_at: OffsetDateTime,
    /// A page of applications with their latest evaluations.
    pub apps: Page<AppSummary>,
    /// Steps waiting for the user's roles.
    pub waiting: Vec<WaitingStep>,
}

fn sop() -> Result<Sop, ServiceError> {
    Sop::builtin().map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Step key → role ids acting on it.
fn step_roles() -> Result<BTreeMap<String, Vec<String>>, ServiceError> {
    #[derive(serde::Deserialize)]
    struct File {
        steps: BTreeMap<String, Vec<String>>,
    }
    toml::from_str::<File>(WAITING)
        .map(|f| f.steps)
        .map_err(|e| ServiceError::Internal(format!("pages/waiting.toml: {e}")))
}

/// The SOP branch of an evaluation from its row and recorded decisions. Until decision 2 is
/// recorded, the steps that depend on it are not reached, so the row's decision 1 suffices.
fn branch_of(row: &EvaluationRow, decisions: &[DecisionRecord]) -> Branch {
    let standard = decisions
        .iter()
        .find(|d| d.kind == "standard")
        .map(|d| d.decided == "met")
        .or(row.meets_standard);
    let action = decisions
        .iter()
        .find(|d| d.kind == "action")
        .and_then(|d| crate::decision::Action::parse(&d.decided));
    Branch {
        meets_standard: standard,
        action,
    }
}

impl Service {
    /// A page of applications the actor may see, each with its newest finished evaluations.
    pub async fn app_summaries(
        &self,
        actor: &Actor,
        filter: &AppFilter,
        paging: Paging,
    ) -> Result<Page<AppSummary>, ServiceError> {
        let page = self.list_apps(actor, filter, paging).await?;
        let ids: Vec<i64> = page.items.iter().map(|a| a.id).collect();
        // Reading the evaluations needs its own permission; without it the columns stay empty.
        let evals = if self.may(actor, "evaluation:read") {
            self.store.latest_evaluations(&ids, 4).await?
        } else {
            Vec::new()
        };
        let items = page
            .items
            .into_iter()
            .map(|app| {
                let mut done = evals.iter().filter(|e| {
                    e.application_id == Some(app.id) && e.status == EvaluationStatus::Finished
                });
                let latest = done.next().cloned();
                let previous = done.next().cloned();
                AppSummary {
                    app,
                    latest,
                    previous,
                }
            })
            .collect();
        Ok(Page {
            items,
            total: page.total,
            offset: page.offset,
            limit: page.limit,
        })
    }

    /// The overview: counts, a page of applications and the steps waiting for the actor.
    pub async fn overview(
        &self,
        actor: &Actor,
        filter: &AppFilter,
        paging: Paging,
    ) -> Result<Overview, ServiceError> {
        let scope = self.require(actor, "app:read")?;
        let apps = self.app_summaries(actor, filter, paging).await?;
        let (counts, counted_at) = self.counts(&scope).await?;
        let waiting = self.waiting_for(actor).await?;
        Ok(Overview {
            counts,
            counted_at,
            apps,
            waiting,
        })
    }

    /// SOP steps due or overdue, in the newest evaluations in scope, that the actor's roles
    /// act on.
    pub async fn waiting_for(&self, actor: &Actor) -> Result<Vec<WaitingStep>, ServiceError> {
        let Some(account) = &actor.account else {
            return Ok(Vec::new());
        };
        let Ok(scope) = self.require(actor, "evaluation:read") else {
            return Ok(Vec::new());
        };
        let roles = step_roles()?;
        let mine = |key: &str| {
            roles
                .get(key)
                .is_some_and(|r| r.iter().any(|r| account.roles.contains(r)))
        };
        let sop = sop()?;
        let rows = self
            .store
            .recent_open_evaluations(&scope, WAITING_WINDOW)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let records = self.store.sop_records_of(&ids).await?;
        let mut out = Vec::new();
        for row in rows {
            let (steps, decisions) = records.get(&row.id).cloned().unwrap_or_default();
            let now = self.now();
            for t in timeline(
                &sop,
                row.created_at,
                &steps,
                branch_of(&row, &decisions),
                now,
            ) {
                if matches!(t.state, StepState::Due | StepState::Overdue) && mine(&t.def.key) {
                    out.push(WaitingStep {
                        evaluation_id: row.id,
                        application: row.application.clone(),
                        row: t,
                    });
                }
            }
        }
        Ok(out)
    }

    async fn timeline_of(
        &self,
        sop: &Sop,
        row: &EvaluationRow,
    ) -> Result<Vec<TimelineRow>, ServiceError> {
        let steps = self.store.steps(row.id).await?;
        let decisions = self.store.decisions(row.id).await?;
        Ok(timeline(
            sop,
            row.created_at,
            &steps,
            branch_of(row, &decisions),
            self.now(),
        ))
    }

    /// The overview's counts in `scope`, recounted at most every [`COUNTS_TTL`]: counting the
    /// latest decision of every application reads every evaluation, too much for each page view.
    async fn counts(
        &self,
        scope: &AgencyScope,
    ) -> Result<(DashboardCounts, OffsetDateTime), ServiceError> {
        let key = match scope {
            AgencyScope::All => None,
            AgencyScope::Only(a) => Some(a.clone()),
        };
        if let Ok(cache) = self.counts.lock()
            && let Some((at, when, c)) = cache.get(&key)
            && at.elapsed() < COUNTS_TTL
        {
            return Ok((c.clone(), *when));
        }
        let c = self.store.dashboard_counts(scope).await?;
        let when = self.now();
        if let Ok(mut cache) = self.counts.lock() {
            // Bounded by the number of agencies; stale entries are replaced on the next view.
            cache.insert(key, (Instant::now(), when, c.clone()));
        }
        Ok((c, when))
    }

    /// The SOP timeline of one evaluation the actor may see.
    pub async fn evaluation_timeline(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<TimelineRow>, ServiceError> {
        let (row, _) = self.evaluation(actor, id).await?;
        self.timeline_of(&sop()?, &row).await
    }
}

impl Service {
    /// The lifecycle status of each listed finding, by fingerprint, read per application in
    /// the actor's scope.
    pub async fn finding_lifecycle(
        &self,
        actor: &Actor,
        findings: &[ScopedFinding],
    ) -> Result<BTreeMap<String, FindingStatus>, ServiceError> {
        let mut apps: Vec<&str> = findings.iter().map(|f| f.application.as_str()).collect();
        apps.sort_unstable();
        apps.dedup();
        let mut out = BTreeMap::new();
        for name in apps {
            let app = self.app_for(actor, "finding:read", name).await?;
            for s in self.store.finding_states(app.id).await? {
                out.insert(s.fingerprint, s.status);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_step_of_the_sop_names_known_roles() {
        let roles = super::step_roles().expect("waiting.toml");
        let known = crate::team::Roles::builtin().expect("roles");
        let sop = super::sop().expect("sop");
        for (key, ids) in &roles {
            assert!(sop.step(key).is_some(), "waiting.toml: unknown step {key}");
            for id in ids {
                assert!(
                    known.role(id).is_some(),
                    "waiting.toml: {key}: unknown role {id}"
                );
            }
        }
    }
}
