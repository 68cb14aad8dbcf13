//! Finds what should be told, on every scan: finished evaluations and decisions waiting
//! (webhooks), overdue SOP steps (webhooks and e-mail), and reports not acknowledged in time
//! (e-mail to the owners again). Each message carries a de-duplication key, so a scan that
//! finds the same thing again queues nothing new.

use super::Notifier;
use crate::decision::Action;
use crate::sop::{Branch, Sop, StepState, timeline};
use crate::store::{DecisionRecord, NewMessage, RecentEvaluation, Store, StoreError};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// How far back evaluations are scanned.
const LOOKBACK_DAYS: i64 = 14;
/// A finished evaluation older than this is not announced (e.g. when a webhook is added later).
const ANNOUNCE_WITHIN_HOURS: i64 = 24;
/// A decision still missing, or a step overdue, is announced only when it became so within this
/// window: a webhook added to an old deployment does not flood the channel with history.
const ALERT_WITHIN_DAYS: i64 = 7;
/// Evaluations scanned per pass (newest first; three queries whatever the number).
const SCAN_LIMIT: i64 = 5000;
/// Reminders per unacknowledged report, at most.
const MAX_ACK_REMINDERS: i64 = 3;

/// Decision 1 and 2 as recorded (decision 1 as recommended while undecided).
fn branch_of(e: &RecentEvaluation, decisions: &[DecisionRecord]) -> Branch {
    Branch {
        meets_standard: decisions
            .iter()
            .find(|d| d.kind == "standard")
            .map(|d| d.decided == "met")
            .or(e.meets_standard),
        action: decisions
            .iter()
            .find(|d| d.kind == "action")
            .and_then(|d| Action::parse(&d.decided)),
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    crate::team::audit::timestamp(t)
}

struct Queue<'a> {
    store: &'a Store,
    n: &'a Notifier,
    now: OffsetDateTime,
    queued: usize,
}

impl Queue<'_> {
    async fn webhook(&mut self, event: &str, key: &str, payload: Value) -> Result<(), StoreError> {
        for h in &self.n.settings().webhooks {
            if !h.events.iter().any(|e| e == event) {
                continue;
            }
            let m = NewMessage {
                channel: "webhook",
                topic: event.to_string(),
                recipient: h.name.clone(),
                body: payload.to_string(),
                evaluation_id: payload["evaluation_id"].as_i64(),
                max_attempts: self.n.settings().delivery.max_attempts,
                dedup_key: Some(format!("webhook:{}:{event}:{key}", h.name)),
                ..NewMessage::default()
            };
            if self.store.enqueue_message(&m, self.now).await?.is_some() {
                self.queued += 1;
            }
        }
        Ok(())
    }

    async fn email(
        &mut self,
        kind: &str,
        to: &str,
        key: &str,
        data: &Value,
    ) -> Result<(), StoreError> {
        let (subject, body) = self
            .n
            .messages()
            .render(kind, data)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let m = NewMessage {
            channel: "email",
            topic: kind.replace('_', "."),
            recipient: to.to_string(),
            subject,
            body,
            evaluation_id: data["evaluation_id"].as_i64(),
            max_attempts: self.n.settings().delivery.max_attempts,
            dedup_key: Some(format!("email:{to}:{kind}:{key}")),
            ..NewMessage::default()
        };
        if self.store.enqueue_message(&m, self.now).await?.is_some() {
            self.queued += 1;
        }
        Ok(())
    }
}

/// One scan at `now`; returns how many messages it queued.
pub async fn scan(store: &Store, n: &Notifier, now: OffsetDateTime) -> Result<usize, StoreError> {
    let mut q = Queue {
        store,
        n,
        now,
        queued: 0,
    };
    let sop = Sop::builtin().map_err(|e| StoreError::Invalid(e.to_string()))?;
    let link = |id: i64| {
        n.settings()
            .delivery
            .public_url
            .as_ref()
            .map(|u| format!("{u}/api/v1/evaluations/{id}"))
    };
    let snapshot = store
        .sop_snapshot(now - Duration::days(LOOKBACK_DAYS), SCAN_LIMIT)
        .await?;
    for s in &snapshot {
        let (e, decisions, steps) = (&s.evaluation, &s.decisions, &s.steps);
        if matches!(e.status.as_str(), "failed" | "interrupted") {
            continue;
        }
        let base = json!({
            "evaluation_id": e.id, "application": e.application, "agency": e.agency,
            "link": link(e.id),
        });
        if e.status == "finished" {
            if let Some(at) = e.finished_at
                && now - at <= Duration::hours(ANNOUNCE_WITHIN_HOURS)
            {
                let mut p = base.clone();
                p["event"] = json!("evaluation.finished");
                p["finished_at"] = json!(rfc3339(at));
                p["meets_standard"] = json!(e.meets_standard);
                q.webhook("evaluation.finished", &e.id.to_string(), p)
                    .await?;
            }
            let recent = e
                .finished_at
                .is_some_and(|at| now - at <= Duration::days(ALERT_WITHIN_DAYS));
            if recent && !decisions.iter().any(|d| d.kind == "standard") {
                let mut p = base.clone();
                p["event"] = json!("decision.needed");
                p["decision"] = json!("standard");
                p["recommended"] = json!(match e.meets_standard {
                    Some(true) => "met",
                    Some(false) => "not_met",
                    None => "unknown",
                });
                q.webhook("decision.needed", &e.id.to_string(), p).await?;
            }
        }
        let rows = timeline(&sop, e.created_at, steps, branch_of(e, decisions), now);
        let lately = |r: &&crate::sop::TimelineRow| {
            r.due_at
                .is_some_and(|d| now - d <= Duration::days(ALERT_WITHIN_DAYS))
        };
        for r in rows
            .iter()
            .filter(|r| r.state == StepState::Overdue)
            .filter(lately)
        {
            let key = format!("{}:{}", e.id, r.def.key);
            let due = r.due_at.map(rfc3339).unwrap_or_default();
            let mut p = base.clone();
            p["event"] = json!("sla.breach");
            p["step"] = json!(r.def.key);
            p["step_number"] = json!(r.number);
            p["step_title"] = json!(r.def.title.id);
            p["role"] = json!(r.def.role.id);
            p["due_at"] = json!(due);
            q.webhook("sla.breach", &key, p.clone()).await?;
            for to in &n.settings().reminders.overdue_to {
                q.email("sla_breach", to.email.as_ref(), &key, &p).await?;
            }
        }
    }
    workflow_breaches(&mut q).await?;
    remind_unacknowledged(&mut q).await?;
    Ok(q.queued)
}

/// Overdue steps of the SOP workflows: a webhook, and an e-mail to the section's addresses
/// and to every holder of the role the step waits for (or the requester or subject).
async fn workflow_breaches(q: &mut Queue<'_>) -> Result<(), StoreError> {
    let rows = q
        .store
        .overdue_pending(q.now, q.now - Duration::days(ALERT_WITHIN_DAYS), SCAN_LIMIT)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let accounts = q.store.list_accounts().await?;
    let mut by_step: std::collections::BTreeMap<
        (i64, String),
        (crate::store::DueRow, Vec<String>),
    > = std::collections::BTreeMap::new();
    for (due, role) in rows {
        by_step
            .entry((due.workflow_id, due.step.clone()))
            .or_insert_with(|| (due, Vec::new()))
            .1
            .push(role);
    }
    for ((id, step), (due, roles)) in by_step {
        let def = crate::workflow::builtin(&due.kind)
            .and_then(Result::ok)
            .and_then(|s| s.step(&step).cloned());
        let (step_title, role) = def
            .map(|d| (d.title.id.clone(), d.role.id.clone()))
            .unwrap_or_else(|| (step.clone(), roles.join(", ")));
        let key = format!("wf:{id}:{step}");
        let p = json!({
            "event": "sla.breach", "workflow_id": id, "kind": due.kind, "title": due.title,
            "step": step, "step_title": step_title, "role": role, "roles": roles,
            "due_at": due.due_at.map(rfc3339).unwrap_or_default(),
        });
        q.webhook("sla.breach", &key, p.clone()).await?;
        let mut to: Vec<String> =
            q.n.settings()
                .reminders
                .overdue_to
                .iter()
                .map(|t| t.email.to_string())
                .collect();
        for a in accounts.iter().filter(|a| !a.disabled) {
            let waits_for_them = roles.iter().any(|r| match r.strip_prefix("user:") {
                Some(u) => u == a.username,
                None => a.roles.contains(r),
            });
            if waits_for_them && let Some(e) = &a.email {
                to.push(e.clone());
            }
        }
        to.sort();
        to.dedup();
        for addr in to {
            q.email("workflow_sla_breach", &addr, &key, &p).await?;
        }
    }
    Ok(())
}

/// Reminds the owners of reports not acknowledged after N days, again after 2N and 3N.
async fn remind_unacknowledged(q: &mut Queue<'_>) -> Result<(), StoreError> {
    let days = i64::from(q.n.settings().reminders.unacknowledged_days);
    if days == 0 {
        return Ok(());
    }
    let inbox_url =
        q.n.settings()
            .delivery
            .public_url
            .as_ref()
            .map(|u| format!("{u}/api/v1/inbox"));
    let waiting = q
        .store
        .unacknowledged_deliveries(q.now - Duration::days(days), 500)
        .await?;
    for d in waiting {
        let round = ((q.now - d.approved_at).whole_days() / days).clamp(1, MAX_ACK_REMINDERS);
        let data = json!({
            "application": d.application, "agency": d.agency, "evaluation_id": d.evaluation_id,
            "days": (q.now - d.approved_at).whole_days(), "approved_at": rfc3339(d.approved_at),
            "inbox_url": inbox_url,
        });
        for to in q.store.delivery_recipients(d.id).await? {
            q.email(
                "reminder_acknowledge",
                &to,
                &format!("{}:{round}", d.id),
                &data,
            )
            .await?;
        }
    }
    Ok(())
}
