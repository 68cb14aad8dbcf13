//! Report deliveries to the responsible agency and the outbox of e-mails and webhooks.
//!
//! A message is claimed by moving its `next_attempt_at` past a short lease in one guarded
//! UPDATE, so several `kawal serve` processes sharing a database never send it twice at once.

use super::jobs::secs;
use super::scoped::{AgencyScope, Page, Paging};
use super::{DecisionRecord, Store, StoreError, in_write_tx, on};
use crate::sop::StepRecord;
use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

/// A report approved for sending to an agency.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Delivery {
    /// Id.
    pub id: i64,
    /// Evaluation whose report was sent.
    pub evaluation_id: i64,
    /// Receiving agency (Perangkat Daerah).
    pub agency: String,
    /// Application evaluated.
    pub application: String,
    /// `attachment` (PDF attached) or `link` (a link to the report in Kawal).
    pub mode: String,
    /// Who approved the sending.
    pub approved_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub approved_at: OffsetDateTime,
    /// Covering note.
    pub note: String,
    /// SHA-256 of the PDF as sent (kept for the archive).
    pub pdf_sha256: String,
    /// Owner who acknowledged receipt.
    pub acknowledged_by: Option<String>,
    /// When receipt was acknowledged.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub acknowledged_at: Option<OffsetDateTime>,
}

/// A delivery to record.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// Evaluation.
    pub evaluation_id: i64,
    /// Receiving agency.
    pub agency: String,
    /// Application name.
    pub application: String,
    /// `attachment` or `link`.
    pub mode: String,
    /// Approver.
    pub approved_by: String,
    /// Covering note.
    pub note: String,
    /// The PDF as sent.
    pub pdf: Vec<u8>,
    /// Its SHA-256 (hex).
    pub pdf_sha256: String,
}

/// A message to queue.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    /// `email` or `webhook`.
    pub channel: &'static str,
    /// What it is about, e.g. `report`, `reminder.acknowledge`, `sla.breach`.
    pub topic: String,
    /// E-mail address, or the webhook's configured name.
    pub recipient: String,
    /// Subject (e-mail).
    pub subject: String,
    /// Text body (e-mail) or JSON payload (webhook).
    pub body: String,
    /// Attach the delivery's PDF.
    pub attach_pdf: bool,
    /// Evaluation concerned.
    pub evaluation_id: Option<i64>,
    /// Attempts before giving up.
    pub max_attempts: i64,
    /// Queued once only per key (reminders and events are found again on every pass).
    pub dedup_key: Option<String>,
}

/// A queued message as listed (body left out).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OutboxRow {
    /// Id.
    pub id: i64,
    /// `email` or `webhook`.
    pub channel: String,
    /// Topic.
    pub topic: String,
    /// Address or webhook name.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Delivery it belongs to.
    pub delivery_id: Option<i64>,
    /// Evaluation concerned.
    pub evaluation_id: Option<i64>,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// Next attempt (while queued).
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub next_attempt_at: OffsetDateTime,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Queued at.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    /// Sent at.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub sent_at: Option<OffsetDateTime>,
}

/// A message claimed for sending, with everything needed to send it.
#[derive(Debug, Clone)]
pub struct DueMessage {
    /// Id.
    pub id: i64,
    /// `email` or `webhook`.
    pub channel: String,
    /// Topic.
    pub topic: String,
    /// Address or webhook name.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Body or payload.
    pub body: String,
    /// The PDF to attach, with the evaluation id naming it.
    pub pdf: Option<(i64, Vec<u8>)>,
    /// Attempts made before this one.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
}

/// One evaluation's SOP state, as the notifier scans it.
#[derive(Debug, Clone)]
pub struct SopSnapshot {
    /// The evaluation.
    pub evaluation: RecentEvaluation,
    /// Steps recorded, in order.
    pub steps: Vec<StepRecord>,
    /// Decisions recorded.
    pub decisions: Vec<DecisionRecord>,
}

/// An evaluation as the notifier scans it.
#[derive(Debug, Clone)]
pub struct RecentEvaluation {
    /// Id.
    pub id: i64,
    /// Application name.
    pub application: String,
    /// Agency name.
    pub agency: String,
    /// Status (`finished`, …).
    pub status: String,
    /// Created at (start of the SOP clock).
    pub created_at: OffsetDateTime,
    /// Finished at.
    pub finished_at: Option<OffsetDateTime>,
    /// Decision 1 as recommended.
    pub meets_standard: Option<bool>,
}

const SELECT_DELIVERY: &str = "SELECT d.id, d.evaluation_id, d.agency, d.application, d.mode, d.approved_by, d.approved_at, d.note, d.pdf_sha256, d.acknowledged_by, d.acknowledged_at FROM report_delivery d";

macro_rules! delivery_from_row {
    ($r:expr) => {{
        let r = $r;
        Delivery {
            id: r.try_get("id")?,
            evaluation_id: r.try_get("evaluation_id")?,
            agency: r.try_get("agency")?,
            application: r.try_get("application")?,
            mode: r.try_get("mode")?,
            approved_by: r.try_get("approved_by")?,
            approved_at: r.try_get("approved_at")?,
            note: r.try_get("note")?,
            pdf_sha256: r.try_get("pdf_sha256")?,
            acknowledged_by: r.try_get("acknowledged_by")?,
            acknowledged_at: r.try_get("acknowledged_at")?,
        }
    }};
}

const SELECT_OUTBOX: &str = "SELECT id, channel, topic, recipient, subject, delivery_id, evaluation_id, status, attempts, max_attempts, next_attempt_at, last_error, created_at, sent_at FROM outbox";

macro_rules! outbox_from_row {
    ($r:expr) => {{
        let r = $r;
        OutboxRow {
            id: r.try_get("id")?,
            channel: r.try_get("channel")?,
            topic: r.try_get("topic")?,
            recipient: r.try_get("recipient")?,
            subject: r.try_get("subject")?,
            delivery_id: r.try_get("delivery_id")?,
            evaluation_id: r.try_get("evaluation_id")?,
            status: r.try_get("status")?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
            next_attempt_at: r.try_get("next_attempt_at")?,
            last_error: r.try_get("last_error")?,
            created_at: r.try_get("created_at")?,
            sent_at: r.try_get("sent_at")?,
        }
    }};
}

const INSERT_MESSAGE: &str = "INSERT INTO outbox (channel, topic, recipient, subject, body, delivery_id, attach_pdf, evaluation_id, status, attempts, max_attempts, next_attempt_at, created_at, dedup_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'queued',0,$9,$10,$10,$11) ON CONFLICT (dedup_key) DO NOTHING RETURNING id";

fn scope_bind(scope: &AgencyScope) -> Option<&str> {
    match scope {
        AgencyScope::All => None,
        AgencyScope::Only(a) => Some(a.as_str()),
    }
}

impl Store {
    /// Records a delivery and queues its messages in one transaction. A second delivery of
    /// the same evaluation is a conflict.
    pub async fn create_delivery(
        &self,
        d: &NewDelivery,
        messages: &[NewMessage],
        now: OffsetDateTime,
    ) -> Result<Delivery, StoreError> {
        let now = secs(now);
        let id: i64 = in_write_tx!(self, tx => {
            let exists = sqlx::query("SELECT 1 FROM report_delivery WHERE evaluation_id = $1")
                .bind(d.evaluation_id).fetch_optional(&mut *tx).await?;
            if exists.is_some() {
                return Err(StoreError::Conflict(format!(
                    "laporan evaluasi {} sudah dikirim; lihat / the report of evaluation {} was already sent; see: kawal delivery outbox --evaluation {}",
                    d.evaluation_id, d.evaluation_id, d.evaluation_id
                )));
            }
            let row = sqlx::query("INSERT INTO report_delivery (evaluation_id, agency, application, mode, approved_by, approved_at, note, pdf, pdf_sha256) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
                .bind(d.evaluation_id).bind(&d.agency).bind(&d.application).bind(&d.mode)
                .bind(&d.approved_by).bind(now).bind(&d.note).bind(&d.pdf).bind(&d.pdf_sha256)
                .fetch_one(&mut *tx).await?;
            let id: i64 = row.try_get("id")?;
            for m in messages {
                sqlx::query(INSERT_MESSAGE)
                    .bind(m.channel).bind(&m.topic).bind(&m.recipient).bind(&m.subject).bind(&m.body)
                    .bind(Some(id)).bind(m.attach_pdf).bind(m.evaluation_id).bind(m.max_attempts)
                    .bind(now).bind(&m.dedup_key)
                    .fetch_optional(&mut *tx).await?;
            }
            id
        });
        self.delivery(id).await
    }

    /// One delivery by id.
    pub async fn delivery(&self, id: i64) -> Result<Delivery, StoreError> {
        on!(self, pool => {
            let sql = sqlx::AssertSqlSafe(format!("{SELECT_DELIVERY} WHERE d.id = $1"));
            match sqlx::query(sql).bind(id).fetch_optional(pool).await? {
                Some(r) => Ok(delivery_from_row!(&r)),
                None => Err(StoreError::NotFound { what: "pengiriman/delivery", name: id.to_string() }),
            }
        })
    }

    /// The delivery of an evaluation, if its agency is in `scope`.
    pub async fn delivery_of(
        &self,
        scope: &AgencyScope,
        evaluation_id: i64,
    ) -> Result<Option<Delivery>, StoreError> {
        on!(self, pool => {
            let sql = sqlx::AssertSqlSafe(format!(
                "{SELECT_DELIVERY} WHERE d.evaluation_id = $1 AND ($2 IS NULL OR d.agency = $2)"
            ));
            match sqlx::query(sql).bind(evaluation_id).bind(scope_bind(scope)).fetch_optional(pool).await? {
                Some(r) => Ok(Some(delivery_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Deliveries in `scope`, newest first: an owner's inbox.
    pub async fn deliveries_page(
        &self,
        scope: &AgencyScope,
        unacknowledged_only: bool,
        paging: Paging,
    ) -> Result<Page<Delivery>, StoreError> {
        let (limit, offset) = (paging.limit.clamp(1, 500), paging.offset.max(0));
        const WHERE: &str =
            "WHERE ($1 IS NULL OR d.agency = $1) AND ($2 = FALSE OR d.acknowledged_at IS NULL)";
        on!(self, pool => {
            let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM report_delivery d {WHERE}")))
                .bind(scope_bind(scope)).bind(unacknowledged_only).fetch_one(pool).await?.try_get("n")?;
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_DELIVERY} {WHERE} ORDER BY d.id DESC LIMIT $3 OFFSET $4")))
                .bind(scope_bind(scope)).bind(unacknowledged_only).bind(limit).bind(offset)
                .fetch_all(pool).await?;
            let items = rows.iter().map(|r| Ok(delivery_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Page { items, total, offset, limit })
        })
    }

    /// Records the owner's acknowledgement and, in the same transaction, the SOP step it
    /// completes (unless that step was already recorded). Returns whether the step was added.
    #[allow(clippy::too_many_arguments)]
    pub async fn acknowledge_delivery(
        &self,
        delivery_id: i64,
        by: &str,
        now: OffsetDateTime,
        step: &str,
        role: &str,
        output: &str,
        note: &str,
    ) -> Result<bool, StoreError> {
        let now = secs(now);
        Ok(in_write_tx!(self, tx => {
            let r = sqlx::query("UPDATE report_delivery SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3 AND acknowledged_at IS NULL RETURNING evaluation_id")
                .bind(by).bind(now).bind(delivery_id).fetch_optional(&mut *tx).await?;
            let Some(r) = r else {
                return Err(StoreError::Conflict(
                    "penerimaan laporan ini sudah dikonfirmasi / receipt of this report was already acknowledged".into(),
                ));
            };
            let evaluation_id: i64 = r.try_get("evaluation_id")?;
            sqlx::query("INSERT INTO sop_step (evaluation_id, step, status, actor, role, output, note, done_at) VALUES ($1,$2,'done',$3,$4,$5,$6,$7) ON CONFLICT (evaluation_id, step) DO NOTHING")
                .bind(evaluation_id).bind(step).bind(by).bind(role).bind(output).bind(note).bind(now)
                .execute(&mut *tx).await?.rows_affected() == 1
        }))
    }

    /// Queues one message; `None` when its dedup key was queued before.
    pub async fn enqueue_message(
        &self,
        m: &NewMessage,
        now: OffsetDateTime,
    ) -> Result<Option<i64>, StoreError> {
        let now = secs(now);
        on!(self, pool => {
            let r = sqlx::query(INSERT_MESSAGE)
                .bind(m.channel).bind(&m.topic).bind(&m.recipient).bind(&m.subject).bind(&m.body)
                .bind(None::<i64>).bind(m.attach_pdf).bind(m.evaluation_id).bind(m.max_attempts)
                .bind(now).bind(&m.dedup_key)
                .fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(r.try_get("id")?), None => None })
        })
    }

    /// Claims up to `limit` due messages for `lease`; another process cannot claim them
    /// until the lease ends.
    pub async fn claim_messages(
        &self,
        now: OffsetDateTime,
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<DueMessage>, StoreError> {
        let now = secs(now);
        let until = now + lease;
        let mut out = Vec::new();
        on!(self, pool => {
            let ids = sqlx::query("SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2")
                .bind(now).bind(limit).fetch_all(pool).await?;
            for r in ids {
                let id: i64 = r.try_get("id")?;
                let claimed = sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND status = 'queued' AND next_attempt_at <= $3")
                    .bind(until).bind(id).bind(now).execute(pool).await?.rows_affected();
                if claimed != 1 {
                    continue;
                }
                let m = sqlx::query("SELECT o.id, o.channel, o.topic, o.recipient, o.subject, o.body, o.attach_pdf, o.attempts, o.max_attempts, d.evaluation_id AS d_eval, d.pdf FROM outbox o LEFT JOIN report_delivery d ON d.id = o.delivery_id WHERE o.id = $1")
                    .bind(id).fetch_one(pool).await?;
                let attach: bool = m.try_get("attach_pdf")?;
                let pdf = match (attach, m.try_get::<Option<i64>, _>("d_eval")?) {
                    (true, Some(e)) => Some((e, m.try_get::<Vec<u8>, _>("pdf")?)),
                    _ => None,
                };
                out.push(DueMessage {
                    id,
                    channel: m.try_get("channel")?,
                    topic: m.try_get("topic")?,
                    recipient: m.try_get("recipient")?,
                    subject: m.try_get("subject")?,
                    body: m.try_get("body")?,
                    pdf,
                    attempts: m.try_get("attempts")?,
                    max_attempts: m.try_get("max_attempts")?,
                });
            }
        });
        Ok(out)
    }

    /// Records one attempt: sent, queued again at `retry_at` with the reason, or failed for
    /// good (no `retry_at`).
    pub async fn record_attempt(
        &self,
        id: i64,
        outcome: Result<(), &str>,
        now: OffsetDateTime,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        let now = secs(now);
        on!(self, pool => {
            match (outcome, retry_at) {
                (Ok(()), _) => sqlx::query("UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = NULL WHERE id = $2")
                    .bind(now).bind(id).execute(pool).await?,
                (Err(e), Some(at)) => sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
                    .bind(e).bind(secs(at)).bind(id).execute(pool).await?,
                (Err(e), None) => sqlx::query("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $1 WHERE id = $2")
                    .bind(e).bind(id).execute(pool).await?,
            };
        });
        Ok(())
    }

    /// Messages, newest first, optionally of one status or evaluation.
    pub async fn outbox_list(
        &self,
        status: Option<&str>,
        evaluation_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        on!(self, pool => {
            let sql = sqlx::AssertSqlSafe(format!(
                "{SELECT_OUTBOX} WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR evaluation_id = $2) ORDER BY id DESC LIMIT $3"
            ));
            let rows = sqlx::query(sql).bind(status).bind(evaluation_id).bind(limit.clamp(1, 1000))
                .fetch_all(pool).await?;
            rows.iter().map(|r| Ok(outbox_from_row!(r))).collect()
        })
    }

    /// E-mail recipients of a delivery's report messages.
    pub async fn delivery_recipients(&self, delivery_id: i64) -> Result<Vec<String>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT DISTINCT recipient FROM outbox WHERE delivery_id = $1 AND channel = 'email' AND topic = 'report' ORDER BY recipient")
                .bind(delivery_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(r.try_get("recipient")?)).collect()
        })
    }

    /// Deliveries approved before `before` and not yet acknowledged, oldest first.
    pub async fn unacknowledged_deliveries(
        &self,
        before: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        on!(self, pool => {
            let sql = sqlx::AssertSqlSafe(format!(
                "{SELECT_DELIVERY} WHERE d.acknowledged_at IS NULL AND d.approved_at <= $1 ORDER BY d.id LIMIT $2"
            ));
            let rows = sqlx::query(sql).bind(secs(before)).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(delivery_from_row!(r))).collect()
        })
    }

    /// Evaluations of registered applications created since `since` (newest first, at most
    /// `limit`) with their recorded SOP steps and decisions: three queries, whatever the count.
    pub async fn sop_snapshot(
        &self,
        since: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<SopSnapshot>, StoreError> {
        const IDS: &str = "SELECT e.id FROM evaluation e WHERE e.application_id IS NOT NULL AND e.created_at >= $1 ORDER BY e.id DESC LIMIT $2";
        let since = secs(since);
        let mut out: Vec<SopSnapshot> = on!(self, pool => {
            let rows = sqlx::query("SELECT e.id, a.name AS application, g.name AS agency, e.status, e.created_at, e.finished_at, e.meets_standard FROM evaluation e JOIN application a ON a.id = e.application_id JOIN agency g ON g.id = a.agency_id WHERE e.created_at >= $1 ORDER BY e.id DESC LIMIT $2")
                .bind(since).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(SopSnapshot {
                evaluation: RecentEvaluation {
                    id: r.try_get("id")?,
                    application: r.try_get("application")?,
                    agency: r.try_get("agency")?,
                    status: r.try_get("status")?,
                    created_at: r.try_get("created_at")?,
                    finished_at: r.try_get("finished_at")?,
                    meets_standard: r.try_get("meets_standard")?,
                },
                steps: Vec::new(),
                decisions: Vec::new(),
            })).collect::<Result<Vec<_>, StoreError>>()?
        });
        let index: std::collections::HashMap<i64, usize> = out
            .iter()
            .enumerate()
            .map(|(i, s)| (s.evaluation.id, i))
            .collect();
        on!(self, pool => {
            let steps = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT evaluation_id, step, status, actor, role, output, note, done_at FROM sop_step WHERE evaluation_id IN ({IDS}) ORDER BY id")))
                .bind(since).bind(limit).fetch_all(pool).await?;
            for r in &steps {
                let Some(&i) = index.get(&r.try_get::<i64, _>("evaluation_id")?) else { continue };
                out[i].steps.push(super::sop::sop_step_from_row!(r));
            }
            let decisions = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT evaluation_id, kind, recommended, decided, agrees, actor, reason, decided_at FROM decision_record WHERE evaluation_id IN ({IDS}) ORDER BY id")))
                .bind(since).bind(limit).fetch_all(pool).await?;
            for r in &decisions {
                let Some(&i) = index.get(&r.try_get::<i64, _>("evaluation_id")?) else { continue };
                out[i].decisions.push(DecisionRecord {
                    kind: r.try_get("kind")?,
                    recommended: r.try_get("recommended")?,
                    decided: r.try_get("decided")?,
                    agrees: r.try_get("agrees")?,
                    actor: r.try_get("actor")?,
                    reason: r.try_get("reason")?,
                    decided_at: r.try_get("decided_at")?,
                });
            }
        });
        Ok(out)
    }
}
