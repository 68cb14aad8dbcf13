//! Stored SOP workflows: their steps, the pending (current) steps per role, letters with
//! their numbers, attachments, access grants and the server-room visitor log.

use super::{Store, StoreError, in_write_tx, on};
use crate::workflow::StepRecord;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// One stored workflow.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowRow {
    /// Id.
    pub id: i64,
    /// SOP kind (`akses`, `pelanggaran`, `kunjungan`).
    pub kind: String,
    /// Who started it (user name).
    pub requester: String,
    /// Whom it concerns (a sanctioned user), if anyone.
    pub subject: Option<String>,
    /// Agency of the requester.
    pub agency: Option<String>,
    /// One-line title.
    pub title: String,
    /// Field values other than personal data.
    pub fields: BTreeMap<String, String>,
    /// Personal data, sealed.
    #[serde(skip)]
    pub pii: Option<Vec<u8>>,
    /// When the personal data was purged.
    #[serde(with = "time::serde::rfc3339::option")]
    pub pii_purged_at: Option<OffsetDateTime>,
    /// `open`, `completed` or `ended`.
    pub status: String,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Closed (completed or ended).
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

/// A new workflow.
#[derive(Debug, Clone)]
pub struct NewWorkflow {
    /// SOP kind.
    pub kind: String,
    /// Who starts it.
    pub requester: String,
    /// Whom it concerns.
    pub subject: Option<String>,
    /// Agency.
    pub agency: Option<String>,
    /// Title.
    pub title: String,
    /// Non-personal fields.
    pub fields: BTreeMap<String, String>,
    /// Sealed personal data.
    pub pii: Option<Vec<u8>>,
}

/// A current step and a role that may record it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Step key.
    pub step: String,
    /// Role (or `user:NAME` for a step of the requester or subject).
    pub role: String,
    /// Deadline.
    pub due_at: Option<OffsetDateTime>,
}

/// What the engine says after a change: the current steps and the status.
#[derive(Debug, Clone)]
pub struct Standing {
    /// Current steps per role.
    pub pending: Vec<Pending>,
    /// `open`, `completed` or `ended`.
    pub status: String,
}

/// A due step across workflows.
#[derive(Debug, Clone, Serialize)]
pub struct DueRow {
    /// Workflow id.
    pub workflow_id: i64,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Step key.
    pub step: String,
    /// Deadline.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
}

/// A stored letter.
#[derive(Debug, Clone, Serialize)]
pub struct LetterRow {
    /// Id.
    pub id: i64,
    /// Workflow.
    pub workflow_id: Option<i64>,
    /// Letter kind.
    pub kind: String,
    /// Letter number.
    pub number: String,
    /// The letter as issued (frozen, rendered again on demand).
    pub content: serde_json::Value,
    /// Who issued it.
    pub issued_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
}

/// A letter to issue with a step.
pub struct NewLetter {
    /// Letter kind.
    pub kind: String,
    /// Numbering scheme (text) the sequence is counted under.
    pub scheme: crate::letter::numbering::Scheme,
    /// Year and month of the number.
    pub year: i32,
    /// Month 1–12.
    pub month: u8,
    /// Builds the letter's content from its number.
    pub build: Box<dyn FnOnce(&str) -> serde_json::Value + Send>,
}

/// An access grant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantRow {
    /// Id.
    pub id: i64,
    /// Access-request workflow.
    pub workflow_id: i64,
    /// Kawal user it was granted to.
    pub username: String,
    /// System.
    pub system: String,
    /// Level.
    pub level: String,
    /// Account on the system.
    pub account: Option<String>,
    /// Last day of validity (`YYYY-MM-DD`).
    pub valid_until: String,
    /// `approved`, `active`, `suspended`, `revoked`.
    pub status: String,
    /// Whether the initial secret was already viewed.
    pub viewed: bool,
}

/// A side effect of recording a step, done in the same transaction.
pub enum Effect {
    /// Issue a letter.
    Letter(NewLetter),
    /// Create the access grant of an approved request.
    GrantCreate {
        /// User.
        username: String,
        /// System.
        system: String,
        /// Level.
        level: String,
        /// Valid until (`YYYY-MM-DD`).
        valid_until: String,
    },
    /// Record the account and the sealed initial secret (and its hash).
    GrantCredential {
        /// Account name.
        account: String,
        /// Sealed secret.
        sealed: Vec<u8>,
        /// SHA-256 of the secret.
        hash: String,
    },
    /// Arm the single-use link (its hash and expiry).
    GrantLink {
        /// SHA-256 of the link token.
        hash: String,
        /// Expiry.
        expires_at: OffsetDateTime,
    },
    /// Set the status of the subject's grants for a system.
    GrantStatus {
        /// User.
        username: String,
        /// System.
        system: String,
        /// New status.
        status: String,
    },
    /// Issue a server-room badge numbered from this scheme's yearly counter.
    VisitBadge {
        /// Numbering scheme.
        scheme: crate::letter::numbering::Scheme,
        /// Year of the number.
        year: i32,
        /// Month 1–12 of the number.
        month: u8,
    },
    /// Record the exit.
    VisitCheckout {
        /// Devices taken out.
        devices_out: Vec<String>,
        /// Missing or extra devices, described.
        mismatch: Option<String>,
        /// Identity card returned against the badge.
        id_returned: bool,
    },
}

/// A server-room visit as the visitor log keeps it.
#[derive(Debug, Clone)]
pub struct NewVisit {
    /// Visitor's name.
    pub visitor: String,
    /// Institution.
    pub institution: String,
    /// Purpose.
    pub purpose: String,
    /// Devices brought.
    pub devices_in: Vec<String>,
}

/// One visit of the visitor log.
#[derive(Debug, Clone, Serialize)]
pub struct VisitRow {
    /// Workflow id.
    pub workflow_id: i64,
    /// Visitor.
    pub visitor: String,
    /// Institution.
    pub institution: String,
    /// Purpose.
    pub purpose: String,
    /// Badge number.
    pub badge: Option<String>,
    /// Devices brought.
    pub devices_in: Vec<String>,
    /// Devices taken out.
    pub devices_out: Option<Vec<String>>,
    /// Missing or extra devices.
    pub mismatch: Option<String>,
    /// Identity card returned.
    pub id_returned: Option<bool>,
    /// In.
    #[serde(with = "time::serde::rfc3339")]
    pub checkin_at: OffsetDateTime,
    /// Out.
    #[serde(with = "time::serde::rfc3339::option")]
    pub checkout_at: Option<OffsetDateTime>,
}

/// Filter of a workflow list.
#[derive(Debug, Clone, Default)]
pub struct WorkflowFilter {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only workflows requested by or concerning this user.
    pub party: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

fn json_map(text: &str) -> Result<BTreeMap<String, String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn json_text<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

macro_rules! workflow_from_row {
    ($r:expr) => {{
        let r = $r;
        WorkflowRow {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            requester: r.try_get("requester")?,
            subject: r.try_get("subject")?,
            agency: r.try_get("agency")?,
            title: r.try_get("title")?,
            fields: json_map(&r.try_get::<String, _>("fields")?)?,
            pii: r.try_get("pii")?,
            pii_purged_at: r.try_get("pii_purged_at")?,
            status: r.try_get("status")?,
            created_at: r.try_get("created_at")?,
            closed_at: r.try_get("closed_at")?,
        }
    }};
}

macro_rules! due_from_row {
    ($r:expr) => {{
        let r = $r;
        DueRow {
            workflow_id: r.try_get("workflow_id")?,
            kind: r.try_get("kind")?,
            title: r.try_get("title")?,
            step: r.try_get("step")?,
            due_at: r.try_get("due_at")?,
        }
    }};
}

macro_rules! step_from_row {
    ($r:expr) => {{
        let r = $r;
        StepRecord {
            step: r.try_get("step")?,
            skipped: r.try_get::<String, _>("status")? == "skipped",
            actor: r.try_get("actor")?,
            role: r.try_get("role")?,
            output: r.try_get("output")?,
            note: r.try_get("note")?,
            decision: r.try_get("decision")?,
            done_at: r.try_get("done_at")?,
        }
    }};
}

const WORKFLOW_COLS: &str = "id, kind, requester, subject, agency, title, fields, pii, pii_purged_at, status, created_at, closed_at";

impl Store {
    /// Creates a workflow with its first step recorded (when given) and its standing.
    pub async fn create_workflow(
        &self,
        new: &NewWorkflow,
        first: Option<(&StepRecord, &BTreeMap<String, String>)>,
        visit: Option<&NewVisit>,
        standing: impl FnOnce(&[StepRecord]) -> Standing,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let fields = json_text(&new.fields)?;
        let id = in_write_tx!(self, tx => {
            let row = sqlx::query("INSERT INTO workflow (kind, requester, subject, agency, title, fields, pii, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'open',$8,$8) RETURNING id")
                .bind(&new.kind).bind(&new.requester).bind(&new.subject).bind(&new.agency)
                .bind(&new.title).bind(&fields).bind(&new.pii).bind(now)
                .fetch_one(&mut *tx).await?;
            let id: i64 = row.try_get("id")?;
            let mut records = Vec::new();
            if let Some((rec, inputs)) = first {
                sqlx::query("INSERT INTO workflow_step (workflow_id, step, status, decision, actor, role, output, note, inputs, done_at) VALUES ($1,$2,'done',$3,$4,$5,$6,$7,$8,$9)")
                    .bind(id).bind(&rec.step).bind(&rec.decision).bind(&rec.actor).bind(&rec.role)
                    .bind(&rec.output).bind(&rec.note).bind(json_text(inputs)?).bind(rec.done_at)
                    .execute(&mut *tx).await?;
                records.push(rec.clone());
            }
            if let Some(v) = visit {
                sqlx::query("INSERT INTO visit (workflow_id, visitor, institution, purpose, devices_in, checkin_at) VALUES ($1,$2,$3,$4,$5,$6)")
                    .bind(id).bind(&v.visitor).bind(&v.institution).bind(&v.purpose)
                    .bind(json_text(&v.devices_in)?).bind(now)
                    .execute(&mut *tx).await?;
            }
            replace_pending(&mut tx, id, &standing(&records).pending).await?;
            id
        });
        Ok(id)
    }

    /// One workflow.
    pub async fn workflow(&self, id: i64) -> Result<WorkflowRow, StoreError> {
        let sql = format!("SELECT {WORKFLOW_COLS} FROM workflow WHERE id = $1");
        on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Ok(workflow_from_row!(&r)),
                None => Err(StoreError::NotFound { what: "alur kerja/workflow", name: id.to_string() }),
            }
        })
    }

    /// The recorded steps of a workflow, with their inputs.
    pub async fn workflow_steps(
        &self,
        id: i64,
    ) -> Result<Vec<(StepRecord, BTreeMap<String, String>)>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT step, status, decision, actor, role, output, note, inputs, done_at FROM workflow_step WHERE workflow_id = $1 ORDER BY id")
                .bind(id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((step_from_row!(r), json_map(&r.try_get::<String, _>("inputs")?)?))).collect()
        })
    }

    /// Records a step and its effects in one transaction; the standing is computed from the
    /// records as they are inside the transaction, so parallel steps never overwrite each other.
    pub async fn record_workflow_step(
        &self,
        id: i64,
        rec: &StepRecord,
        inputs: &BTreeMap<String, String>,
        effects: Vec<Effect>,
        standing: impl FnOnce(&[StepRecord]) -> Standing,
        now: OffsetDateTime,
    ) -> Result<Vec<LetterRow>, StoreError> {
        let inputs_text = json_text(inputs)?;
        let letters = in_write_tx!(self, tx => {
            let done = sqlx::query("SELECT 1 FROM workflow_step WHERE workflow_id = $1 AND step = $2")
                .bind(id).bind(&rec.step).fetch_optional(&mut *tx).await?;
            if done.is_some() {
                return Err(StoreError::Conflict(format!(
                    "langkah '{}' alur kerja {id} sudah dicatat / step '{}' of workflow {id} is already recorded",
                    rec.step, rec.step
                )));
            }
            sqlx::query("INSERT INTO workflow_step (workflow_id, step, status, decision, actor, role, output, note, inputs, done_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
                .bind(id).bind(&rec.step).bind(if rec.skipped { "skipped" } else { "done" })
                .bind(&rec.decision).bind(&rec.actor).bind(&rec.role).bind(&rec.output)
                .bind(&rec.note).bind(&inputs_text).bind(rec.done_at)
                .execute(&mut *tx).await?;
            let mut letters = Vec::new();
            for effect in effects {
                if let Some(l) = apply_effect(&mut tx, id, effect, &rec.actor, now).await? {
                    letters.push(l);
                }
            }
            let rows = sqlx::query("SELECT step, status, decision, actor, role, output, note, done_at FROM workflow_step WHERE workflow_id = $1 ORDER BY id")
                .bind(id).fetch_all(&mut *tx).await?;
            let records = rows.iter().map(|r| Ok(step_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()?;
            let s = standing(&records);
            replace_pending(&mut tx, id, &s.pending).await?;
            let closed = (s.status != "open").then_some(now);
            sqlx::query("UPDATE workflow SET status = $1, updated_at = $2, closed_at = $3 WHERE id = $4")
                .bind(&s.status).bind(now).bind(closed).bind(id)
                .execute(&mut *tx).await?;
            letters
        });
        Ok(letters)
    }

    /// Workflows matching `filter`, newest first, and how many match in all.
    pub async fn workflows(
        &self,
        f: &WorkflowFilter,
    ) -> Result<(Vec<WorkflowRow>, i64), StoreError> {
        let cond = "($1 IS NULL OR kind = $1) AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR requester = $3 OR subject = $3)";
        let sql = format!(
            "SELECT {WORKFLOW_COLS} FROM workflow WHERE {cond} ORDER BY id DESC LIMIT $4 OFFSET $5"
        );
        let count = format!("SELECT COUNT(*) AS n FROM workflow WHERE {cond}");
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&f.kind).bind(&f.status).bind(&f.party).bind(f.limit).bind(f.offset)
                .fetch_all(pool).await?;
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(count))
                .bind(&f.kind).bind(&f.status).bind(&f.party)
                .fetch_one(pool).await?.try_get("n")?;
            let list = rows.iter().map(|r| Ok(workflow_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()?;
            Ok((list, n))
        })
    }

    /// Current steps for any of `roles` (role ids and `user:NAME` entries), earliest deadline
    /// first; only those due before `before` when given.
    pub async fn due_steps(
        &self,
        roles: &[String],
        kind: Option<&str>,
        before: Option<OffsetDateTime>,
        limit: i64,
    ) -> Result<Vec<DueRow>, StoreError> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..roles.len()).map(|i| format!("${}", i + 4)).collect();
        // No DISTINCT: it would force a sort of every match. The deadline index is walked in
        // order and stops at the limit; a step shared by two of the user's roles appears once
        // per role, so enough rows are fetched to keep `limit` distinct steps.
        let sql = format!(
            "SELECT p.workflow_id, w.kind, w.title, p.step, p.due_at FROM workflow_pending p JOIN workflow w ON w.id = p.workflow_id \
             WHERE p.role IN ({}) AND ($1 IS NULL OR w.kind = $1) AND ($2 IS NULL OR p.due_at < $2) \
             ORDER BY p.due_at NULLS LAST, p.workflow_id LIMIT $3",
            marks.join(",")
        );
        let fetch = limit.saturating_mul(roles.len() as i64);
        let rows: Vec<DueRow> = on!(self, pool => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind).bind(before).bind(fetch);
            for r in roles {
                q = q.bind(r);
            }
            let rows = q.fetch_all(pool).await?;
            rows.iter().map(|r| Ok(due_from_row!(r))).collect::<Result<Vec<_>, StoreError>>()?
        });
        let mut seen = std::collections::BTreeSet::new();
        Ok(rows
            .into_iter()
            .filter(|r| seen.insert((r.workflow_id, r.step.clone())))
            .take(usize::try_from(limit).unwrap_or(0))
            .collect())
    }

    /// Pending steps whose deadline passed within `(since, now)`, with the role each waits
    /// for (one row per role), earliest first.
    pub async fn overdue_pending(
        &self,
        now: OffsetDateTime,
        since: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<(DueRow, String)>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT p.workflow_id, w.kind, w.title, p.step, p.role, p.due_at FROM workflow_pending p JOIN workflow w ON w.id = p.workflow_id WHERE p.due_at < $1 AND p.due_at > $2 ORDER BY p.due_at, p.workflow_id LIMIT $3")
                .bind(now).bind(since).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((due_from_row!(r), r.try_get("role")?))).collect()
        })
    }

    /// Letters of a workflow.
    pub async fn letters(&self, workflow_id: i64) -> Result<Vec<LetterRow>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT id, workflow_id, kind, number, content, issued_by, issued_at FROM letter WHERE workflow_id = $1 ORDER BY id")
                .bind(workflow_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(LetterRow {
                id: r.try_get("id")?,
                workflow_id: r.try_get("workflow_id")?,
                kind: r.try_get("kind")?,
                number: r.try_get("number")?,
                content: serde_json::from_str(&r.try_get::<String, _>("content")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                issued_by: r.try_get("issued_by")?,
                issued_at: r.try_get("issued_at")?,
            })).collect()
        })
    }

    /// Issues a letter outside a step (its number drawn from the scheme's yearly counter).
    pub async fn issue_letter(
        &self,
        workflow_id: Option<i64>,
        letter: NewLetter,
        issued_by: &str,
        now: OffsetDateTime,
    ) -> Result<LetterRow, StoreError> {
        Ok(in_write_tx!(self, tx => {
            insert_letter(&mut tx, workflow_id, letter, issued_by, now).await?
        }))
    }

    /// Stores a workflow's sealed personal data (sealed with its id, so after the insert).
    pub async fn set_workflow_pii(&self, id: i64, sealed: &[u8]) -> Result<(), StoreError> {
        on!(self, pool => {
            sqlx::query("UPDATE workflow SET pii = $1 WHERE id = $2").bind(sealed).bind(id).execute(pool).await?;
        });
        Ok(())
    }

    /// Keeps an uploaded file (e.g. the signed NDA) with its SHA-256.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_workflow_file(
        &self,
        workflow_id: i64,
        step: &str,
        name: &str,
        sha256: &str,
        content: &[u8],
        by: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on!(self, pool => {
            sqlx::query("INSERT INTO workflow_file (workflow_id, step, name, sha256, content, uploaded_by, uploaded_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                .bind(workflow_id).bind(step).bind(name).bind(sha256).bind(content).bind(by).bind(now)
                .execute(pool).await?;
        });
        Ok(())
    }

    /// Files kept with a workflow: (step, name, sha256, size).
    pub async fn workflow_files(
        &self,
        workflow_id: i64,
    ) -> Result<Vec<(String, String, String, i64)>, StoreError> {
        on!(self, pool => {
            let rows = sqlx::query("SELECT step, name, sha256, LENGTH(content) AS size FROM workflow_file WHERE workflow_id = $1 ORDER BY id")
                .bind(workflow_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("step")?, r.try_get("name")?, r.try_get("sha256")?, r.try_get::<i64, _>("size").or_else(|_| r.try_get::<i32, _>("size").map(i64::from))?))).collect()
        })
    }
}

async fn replace_pending<'c, DB: WorkflowDb>(
    tx: &mut sqlx::Transaction<'c, DB>,
    id: i64,
    pending: &[Pending],
) -> Result<(), StoreError> {
    DB::replace_pending(tx, id, pending).await
}

async fn insert_letter<'c, DB: WorkflowDb>(
    tx: &mut sqlx::Transaction<'c, DB>,
    workflow_id: Option<i64>,
    letter: NewLetter,
    issued_by: &str,
    now: OffsetDateTime,
) -> Result<LetterRow, StoreError> {
    DB::insert_letter(tx, workflow_id, letter, issued_by, now).await
}

async fn apply_effect<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    id: i64,
    effect: Effect,
    actor: &str,
    now: OffsetDateTime,
) -> Result<Option<LetterRow>, StoreError>
where
    DB: WorkflowDb,
{
    DB::apply(tx, id, effect, actor, now).await
}

/// The statements run inside a workflow transaction, per back end (their row types differ).
pub(crate) trait WorkflowDb: sqlx::Database {
    /// Applies one effect inside `tx`.
    fn apply<'a, 'c>(
        tx: &'a mut sqlx::Transaction<'c, Self>,
        id: i64,
        effect: Effect,
        actor: &'a str,
        now: OffsetDateTime,
    ) -> futures_util::future::BoxFuture<'a, Result<Option<LetterRow>, StoreError>>;

    /// The next number of `scheme`'s counter for `year`. The upsert takes the counter row's
    /// lock: concurrent issuers queue on it and each gets the next number.
    fn next_seq<'a, 'c>(
        tx: &'a mut sqlx::Transaction<'c, Self>,
        scheme: &'a str,
        year: i32,
    ) -> futures_util::future::BoxFuture<'a, Result<i64, StoreError>>;

    /// Inserts a letter with the next number of its scheme.
    fn insert_letter<'a, 'c>(
        tx: &'a mut sqlx::Transaction<'c, Self>,
        workflow_id: Option<i64>,
        letter: NewLetter,
        issued_by: &'a str,
        now: OffsetDateTime,
    ) -> futures_util::future::BoxFuture<'a, Result<LetterRow, StoreError>>;

    /// Replaces a workflow's pending rows.
    fn replace_pending<'a, 'c>(
        tx: &'a mut sqlx::Transaction<'c, Self>,
        id: i64,
        pending: &'a [Pending],
    ) -> futures_util::future::BoxFuture<'a, Result<(), StoreError>>;
}

macro_rules! workflow_db {
    ($db:ty) => {
        impl WorkflowDb for $db {
            fn apply<'a, 'c>(
                tx: &'a mut sqlx::Transaction<'c, Self>,
                id: i64,
                effect: Effect,
                actor: &'a str,
                now: OffsetDateTime,
            ) -> futures_util::future::BoxFuture<'a, Result<Option<LetterRow>, StoreError>> {
                Box::pin(async move {
                    match effect {
                        Effect::Letter(l) => {
                            return Ok(Some(Self::insert_letter(tx, Some(id), l, actor, now).await?));
                        }
                        Effect::GrantCreate { username, system, level, valid_until } => {
                            sqlx::query("INSERT INTO access_grant (workflow_id, username, system, level, valid_until, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'approved',$6,$6)")
                                .bind(id).bind(username).bind(system).bind(level).bind(valid_until).bind(now)
                                .execute(&mut **tx).await?;
                        }
                        Effect::GrantCredential { account, sealed, hash } => {
                            let n = sqlx::query("UPDATE access_grant SET account = $1, secret_sealed = $2, secret_hash = $3, status = 'active', updated_at = $4 WHERE workflow_id = $5")
                                .bind(account).bind(sealed).bind(hash).bind(now).bind(id)
                                .execute(&mut **tx).await?.rows_affected();
                            if n == 0 {
                                return Err(StoreError::Conflict(format!("alur kerja {id} tidak memiliki hak akses yang disetujui / workflow {id} has no approved access grant")));
                            }
                        }
                        Effect::GrantLink { hash, expires_at } => {
                            sqlx::query("UPDATE access_grant SET link_hash = $1, link_expires_at = $2, updated_at = $3 WHERE workflow_id = $4")
                                .bind(hash).bind(expires_at).bind(now).bind(id)
                                .execute(&mut **tx).await?;
                        }
                        Effect::GrantStatus { username, system, status } => {
                            sqlx::query("UPDATE access_grant SET status = $1, updated_at = $2 WHERE username = $3 AND lower(system) = lower($4) AND status IN ('approved','active','suspended')")
                                .bind(status).bind(now).bind(username).bind(system)
                                .execute(&mut **tx).await?;
                        }
                        Effect::VisitBadge { scheme, year, month } => {
                            let seq = Self::next_seq(tx, scheme.as_str(), year).await?;
                            let badge = scheme.format(seq, month, year);
                            sqlx::query("UPDATE visit SET badge = $1 WHERE workflow_id = $2")
                                .bind(badge).bind(id).execute(&mut **tx).await?;
                        }
                        Effect::VisitCheckout { devices_out, mismatch, id_returned } => {
                            sqlx::query("UPDATE visit SET devices_out = $1, mismatch = $2, id_returned = $3, checkout_at = $4 WHERE workflow_id = $5")
                                .bind(json_text(&devices_out)?).bind(mismatch).bind(id_returned).bind(now).bind(id)
                                .execute(&mut **tx).await?;
                        }
                    }
                    Ok(None)
                })
            }

            fn next_seq<'a, 'c>(
                tx: &'a mut sqlx::Transaction<'c, Self>,
                scheme: &'a str,
                year: i32,
            ) -> futures_util::future::BoxFuture<'a, Result<i64, StoreError>> {
                Box::pin(async move {
                    Ok(sqlx::query("INSERT INTO letter_seq (scheme, year, last) VALUES ($1, $2, 1) ON CONFLICT (scheme, year) DO UPDATE SET last = letter_seq.last + 1 RETURNING last")
                        .bind(scheme).bind(year)
                        .fetch_one(&mut **tx).await?.try_get("last")?)
                })
            }

            fn insert_letter<'a, 'c>(
                tx: &'a mut sqlx::Transaction<'c, Self>,
                workflow_id: Option<i64>,
                letter: NewLetter,
                issued_by: &'a str,
                now: OffsetDateTime,
            ) -> futures_util::future::BoxFuture<'a, Result<LetterRow, StoreError>> {
                Box::pin(async move {
                    let seq = Self::next_seq(tx, letter.scheme.as_str(), letter.year).await?;
                    let number = letter.scheme.format(seq, letter.month, letter.year);
                    let content = (letter.build)(&number);
                    let text = json_text(&content)?;
                    let row = sqlx::query("INSERT INTO letter (workflow_id, kind, number, scheme, year, seq, content, issued_by, issued_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
                        .bind(workflow_id).bind(&letter.kind).bind(&number).bind(letter.scheme.as_str())
                        .bind(letter.year).bind(seq).bind(&text).bind(issued_by).bind(now)
                        .fetch_one(&mut **tx).await
                        .map_err(|e| match e {
                            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(format!(
                                "nomor surat {number} sudah dipakai; periksa skema penomoran / letter number {number} is already taken; check the numbering scheme"
                            )),
                            e => StoreError::Db(e),
                        })?;
                    Ok(LetterRow {
                        id: row.try_get("id")?,
                        workflow_id,
                        kind: letter.kind,
                        number,
                        content,
                        issued_by: issued_by.to_string(),
                        issued_at: now,
                    })
                })
            }

            fn replace_pending<'a, 'c>(
                tx: &'a mut sqlx::Transaction<'c, Self>,
                id: i64,
                pending: &'a [Pending],
            ) -> futures_util::future::BoxFuture<'a, Result<(), StoreError>> {
                Box::pin(async move {
                    sqlx::query("DELETE FROM workflow_pending WHERE workflow_id = $1").bind(id).execute(&mut **tx).await?;
                    for p in pending {
                        sqlx::query("INSERT INTO workflow_pending (workflow_id, step, role, due_at) VALUES ($1,$2,$3,$4)")
                            .bind(id).bind(&p.step).bind(&p.role).bind(p.due_at)
                            .execute(&mut **tx).await?;
                    }
                    Ok(())
                })
            }
        }
    };
}
workflow_db!(sqlx::Sqlite);
workflow_db!(sqlx::Postgres);
