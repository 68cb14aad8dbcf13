//! The SOP workflows (access requests, violations and sanctions, server-room visits): start,
//! list, show, record a step with its letters and effects, and the documents.

use super::{Actor, Event, Service, ServiceError};
use crate::auth::seal::Sealer;
use crate::i18n::Lang;
use crate::letter::numbering::Scheme;
use crate::letter::{Kop, Letter, Signer, Templates, template::Fill};
use crate::store::{
    DueRow, Effect, GrantRow, LetterRow, NewLetter, NewVisit, NewWorkflow, Pending, Standing,
    VisitRow, WorkflowFilter, WorkflowRow,
};
use crate::workflow::{self, FieldKind, Party, Sop, StepRecord, StepState, TimelineRow};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use time::OffsetDateTime;

/// Settings of the workflows: letterhead, numbering, signatories, retention.
#[derive(Debug, Clone)]
pub struct WorkflowSettings {
    /// Letterhead.
    pub kop: Kop,
    /// City before the date.
    pub city: String,
    /// Default numbering scheme.
    pub numbering: String,
    /// Scheme per letter kind.
    pub numbering_by_kind: BTreeMap<String, String>,
    /// Badge numbering.
    pub badge_numbering: String,
    /// Signatories per role: (role, signer).
    pub signatories: Vec<(String, Signer)>,
    /// Folder of edited templates.
    pub letters_dir: Option<PathBuf>,
    /// Days personal data of closed workflows is kept.
    pub retention_days: u32,
    /// How long a credential link stays valid.
    pub credential_link_ttl: time::Duration,
    /// Public base URL for links.
    pub public_url: Option<String>,
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        WorkflowSettings {
            kop: Kop {
                government: "PEMERINTAH DAERAH".into(),
                office: "DINAS KOMUNIKASI DAN INFORMATIKA".into(),
                address: String::new(),
                contact: String::new(),
            },
            city: "-".into(),
            numbering: "B/800.3/{seq}/DISKOMINFO/{month-roman}/{year}".into(),
            numbering_by_kind: BTreeMap::new(),
            badge_numbering: "KA-RS/{seq:3}/{month-roman}/{year}".into(),
            signatories: Vec::new(),
            letters_dir: None,
            retention_days: 365,
            credential_link_ttl: time::Duration::hours(24),
            public_url: None,
        }
    }
}

/// What starting a workflow takes.
#[derive(Debug, Clone, Default)]
pub struct StartInput {
    /// Field values.
    pub fields: BTreeMap<String, String>,
    /// Note on the first step.
    pub note: String,
}

/// What recording a step takes.
#[derive(Debug, Clone, Default)]
pub struct AdvanceInput {
    /// Decision, for deciding steps.
    pub decision: Option<String>,
    /// Note (e.g. a rejection's reason).
    pub note: String,
    /// Step inputs.
    pub inputs: BTreeMap<String, String>,
    /// An attached file: (name, bytes), e.g. the signed NDA.
    pub attachment: Option<(String, Vec<u8>)>,
}

/// One step as shown.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// Number.
    pub number: usize,
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Role as the SOP names it.
    pub role: String,
    /// Kawal roles that may record it.
    pub roles: Vec<String>,
    /// Time limit in minutes.
    pub limit_minutes: u32,
    /// State.
    pub state: StepState,
    /// State label.
    pub state_label: String,
    /// Deadline.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// Output document.
    pub output: String,
    /// Decisions the step takes.
    pub decisions: Vec<String>,
    /// Record.
    pub record: Option<StepRecord>,
    /// Recorded inputs.
    pub inputs: BTreeMap<String, String>,
    /// The inputs the step takes.
    pub input_fields: Vec<workflow::FieldDef>,
}

/// A workflow as shown.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowView {
    /// The stored workflow (personal data masked).
    pub workflow: WorkflowRow,
    /// SOP title.
    pub sop_title: String,
    /// Status label.
    pub status_label: String,
    /// Steps.
    pub steps: Vec<StepView>,
    /// Letters issued.
    pub letters: Vec<LetterSummary>,
    /// Files kept.
    pub files: Vec<FileSummary>,
    /// Access grant (access requests).
    pub grant: Option<GrantRow>,
    /// Visitor-log entry (visits).
    pub visit: Option<VisitRow>,
}

/// A letter in a list.
#[derive(Debug, Clone, Serialize)]
pub struct LetterSummary {
    /// Kind.
    pub kind: String,
    /// Number.
    pub number: String,
    /// Issued by.
    pub issued_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
}

/// A kept file.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    /// Step.
    pub step: String,
    /// File name.
    pub name: String,
    /// SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
}

/// What recording a step produced.
#[derive(Debug, Clone, Serialize)]
pub struct Advanced {
    /// The workflow.
    pub workflow_id: i64,
    /// The record.
    pub record: StepRecord,
    /// Letters issued with it.
    pub letters: Vec<LetterSummary>,
    /// The single-use credential link (shown once).
    pub credential_link: Option<String>,
    /// Devices that do not match at checkout.
    pub mismatch: Option<String>,
    /// The workflow's status afterwards.
    pub status: String,
}

/// A due step for the user.
#[derive(Debug, Clone, Serialize)]
pub struct DueView {
    /// The row.
    #[serde(flatten)]
    pub due: DueRow,
    /// Past its deadline.
    pub overdue: bool,
}

pub(super) fn invalid(field: &str, message: String) -> ServiceError {
    ServiceError::Invalid {
        field: field.to_string(),
        message,
    }
}

impl From<workflow::AdvanceError> for ServiceError {
    fn from(e: workflow::AdvanceError) -> Self {
        match e {
            workflow::AdvanceError::Role { .. } | workflow::AdvanceError::FourEyes { .. } => {
                ServiceError::Forbidden {
                    permission: e.to_string(),
                }
            }
            workflow::AdvanceError::AlreadyDone(_) | workflow::AdvanceError::NotCurrent { .. } => {
                ServiceError::Conflict(e.to_string())
            }
            workflow::AdvanceError::Invalid { field, message } => {
                ServiceError::Invalid { field, message }
            }
            workflow::AdvanceError::UnknownStep { .. } => invalid("step", e.to_string()),
        }
    }
}

/// The SOP of `kind`.
pub fn sop_of(kind: &str) -> Result<Sop, ServiceError> {
    match workflow::builtin(kind) {
        Some(r) => r.map_err(|e| ServiceError::Internal(e.to_string())),
        None => Err(invalid(
            "kind",
            format!(
                "jenis alur kerja '{kind}' tidak dikenal / unknown workflow kind '{kind}' (pilihan / choose: {})",
                workflow::kinds()
            ),
        )),
    }
}

/// Every permission of the SOP workflows (`checklists/roles.toml`).
pub const WORKFLOW_PERMISSIONS: [&str; 5] = [
    "workflow:request",
    "workflow:review",
    "workflow:decide",
    "workflow:administer",
    "workflow:visit",
];

/// The permission that starts a workflow of `kind`.
pub fn start_permission(kind: &str) -> &'static str {
    match kind {
        "akses" => "workflow:request",
        "pelanggaran" => "workflow:administer",
        _ => "workflow:visit",
    }
}

/// The current steps as pending rows, one per role that may record them (the requester's and
/// the subject's steps wait for those users by name).
pub(super) fn standing(requester: &str, subject: Option<&str>, rows: &[TimelineRow]) -> Standing {
    let mut pending = Vec::new();
    for r in workflow::current(rows) {
        for role in &r.def.roles {
            let role = match role.as_str() {
                "requester" => format!("user:{requester}"),
                "subject" => format!("user:{}", subject.unwrap_or_default()),
                other => other.to_string(),
            };
            pending.push(Pending {
                step: r.def.key.clone(),
                role,
                due_at: r.due_at,
            });
        }
    }
    Standing {
        pending,
        status: workflow::status(rows).as_str().to_string(),
    }
}

impl Service {
    /// The acting user and the workflow's parties, as the step rules see them.
    pub fn party<'a>(actor: &'a Actor, row: &'a WorkflowRow) -> Party<'a> {
        Party {
            user: actor.account.as_ref().map(|a| a.username.as_str()),
            roles: actor
                .account
                .as_ref()
                .map(|a| a.roles.as_slice())
                .unwrap_or(&[]),
            requester: Some(row.requester.as_str()),
            subject: row.subject.as_deref(),
        }
    }

    /// Whether `actor` sees workflows of `kind` beyond their own.
    fn sees_all(&self, actor: &Actor, kind: &str) -> bool {
        let perms: &[&str] = match kind {
            "kunjungan" => &["workflow:visit", "workflow:decide", "workflow:review"],
            _ => &["workflow:review", "workflow:decide", "workflow:administer"],
        };
        perms.iter().any(|p| self.may(actor, p))
    }

    /// A workflow `actor` may see, or `NotFound`.
    pub(super) async fn visible_workflow(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<WorkflowRow, ServiceError> {
        let row = self.store.workflow(id).await?;
        let me = actor.account.as_ref().map(|a| a.username.as_str());
        let own = me.is_some_and(|u| u == row.requester || row.subject.as_deref() == Some(u));
        if actor.account.is_none() || own || self.sees_all(actor, &row.kind) {
            Ok(row)
        } else {
            Err(ServiceError::NotFound {
                what: "alur kerja/workflow",
                name: id.to_string(),
            })
        }
    }

    /// Starts a workflow of `kind`; the first step (the request, the report, the visitor's
    /// form) is recorded as done by the starter.
    pub async fn workflow_start(
        &self,
        actor: &Actor,
        kind: &str,
        input: &StartInput,
        sealer: &Sealer,
        lang: Lang,
    ) -> Result<Advanced, ServiceError> {
        let sop = sop_of(kind)?;
        self.require(actor, start_permission(kind))?;
        workflow::fields::validate(&sop.sop.fields, &input.fields).map_err(ServiceError::from)?;
        for key in input.fields.keys() {
            if !sop.sop.fields.iter().any(|f| &f.key == key) {
                return Err(invalid(
                    key,
                    format!(
                        "isian tidak dikenal / unknown field (isian / fields: {})",
                        sop.sop
                            .fields
                            .iter()
                            .map(|f| f.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        let requester = actor.name();
        let subject = self.subject_of(&sop, &input.fields).await?;
        let (plain, personal) = split_personal(&sop, &input.fields);
        let now = self.now();
        let first = &sop.steps[0];
        let rec = StepRecord {
            step: first.key.clone(),
            skipped: false,
            actor: requester.clone(),
            role: first.role.get(lang).to_string(),
            output: first.output.get(lang).to_string(),
            note: input.note.clone(),
            decision: None,
            done_at: now,
        };
        let new = NewWorkflow {
            kind: kind.to_string(),
            requester: requester.clone(),
            subject: subject.clone(),
            agency: actor.account.as_ref().and_then(|a| a.agency.clone()),
            title: title_of(&sop, &input.fields, lang),
            fields: plain,
            pii: None,
        };
        let visit = (kind == "kunjungan").then(|| NewVisit {
            visitor: input.fields.get("name").cloned().unwrap_or_default(),
            institution: input.fields.get("institution").cloned().unwrap_or_default(),
            purpose: input.fields.get("purpose").cloned().unwrap_or_default(),
            devices_in: workflow::fields::list(input.fields.get("devices").map_or("", |s| s)),
        });
        let stand = |recs: &[StepRecord]| {
            let rows = workflow::timeline(&sop, now, recs, &|_| None, now);
            standing(&new.requester, new.subject.as_deref(), &rows)
        };
        let id = self
            .store
            .create_workflow(
                &new,
                Some((&rec, &BTreeMap::new())),
                visit.as_ref(),
                stand,
                now,
            )
            .await?;
        if !personal.is_empty() {
            let text =
                serde_json::to_vec(&personal).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let sealed = sealer
                .seal(&text, &pii_aad(id))
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            self.store.set_workflow_pii(id, &sealed).await?;
        }
        let mut e = Event::on("workflow.start", "workflow", id);
        e.agency = new.agency.clone();
        e.after =
            Some(serde_json::json!({ "kind": kind, "title": new.title, "fields": new.fields }));
        self.audit(actor, e).await?;
        let letters = match &first.document {
            Some(doc) => {
                let row = self.store.workflow(id).await?;
                let l = self
                    .issue_first_letter(actor, &sop, &row, doc, sealer)
                    .await?;
                vec![summary(&l)]
            }
            None => Vec::new(),
        };
        Ok(Advanced {
            workflow_id: id,
            record: rec,
            letters,
            credential_link: None,
            mismatch: None,
            status: "open".into(),
        })
    }

    /// The subject user of a violation must exist.
    async fn subject_of(
        &self,
        sop: &Sop,
        fields: &BTreeMap<String, String>,
    ) -> Result<Option<String>, ServiceError> {
        let Some(name) = sop
            .sop
            .fields
            .iter()
            .find(|f| f.kind == FieldKind::User)
            .and_then(|f| fields.get(&f.key))
        else {
            return Ok(None);
        };
        match self.store.find_account(name).await? {
            Some(a) => Ok(Some(a.username)),
            None => Err(invalid(
                "subject",
                format!("akun '{name}' tidak ada / no account '{name}'"),
            )),
        }
    }

    /// Refuses a user who holds no workflow permission and takes part in no workflow: for
    /// them the workflow pages do not exist.
    pub async fn require_workflow_access(&self, actor: &Actor) -> Result<(), ServiceError> {
        if actor.account.is_none() || WORKFLOW_PERMISSIONS.iter().any(|p| self.may(actor, p)) {
            return Ok(());
        }
        let mine = WorkflowFilter {
            party: Some(actor.name()),
            limit: 1,
            ..WorkflowFilter::default()
        };
        if self.store.workflows(&mine).await?.1 > 0 {
            return Ok(());
        }
        Err(ServiceError::Forbidden {
            permission: "workflow:*".into(),
        })
    }

    /// Workflows the actor may see.
    pub async fn workflow_list(
        &self,
        actor: &Actor,
        kind: Option<&str>,
        status: Option<&str>,
        mine: bool,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<WorkflowRow>, i64), ServiceError> {
        if let Some(k) = kind {
            sop_of(k)?;
        }
        let me = actor.account.as_ref().map(|a| a.username.clone());
        let all = actor.account.is_none()
            || kind.map_or(
                self.sees_all(actor, "akses") && self.sees_all(actor, "kunjungan"),
                |k| self.sees_all(actor, k),
            );
        let party = if mine || !all { me } else { None };
        let f = WorkflowFilter {
            kind: kind.map(str::to_string),
            status: status.map(str::to_string),
            party,
            limit: limit.clamp(1, 500),
            offset: offset.max(0),
        };
        Ok(self.store.workflows(&f).await?)
    }

    /// The current steps waiting for the actor's roles (or every role for the local operator),
    /// earliest deadline first.
    pub async fn workflow_due(
        &self,
        actor: &Actor,
        kind: Option<&str>,
        overdue_only: bool,
        limit: i64,
    ) -> Result<Vec<DueView>, ServiceError> {
        let now = self.now();
        let roles: Vec<String> = match &actor.account {
            Some(a) => a
                .roles
                .iter()
                .cloned()
                .chain(std::iter::once(format!("user:{}", a.username)))
                .collect(),
            None => self.roles.all().map(|r| r.id.clone()).collect(),
        };
        let rows = self
            .store
            .due_steps(
                &roles,
                kind,
                overdue_only.then_some(now),
                limit.clamp(1, 1000),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|due| DueView {
                overdue: due.due_at.is_some_and(|d| d < now),
                due,
            })
            .collect())
    }

    /// One workflow with its timeline, letters, files, grant and visit.
    pub async fn workflow_show(
        &self,
        actor: &Actor,
        id: i64,
        lang: Lang,
    ) -> Result<WorkflowView, ServiceError> {
        let row = self.visible_workflow(actor, id).await?;
        let sop = sop_of(&row.kind)?;
        let steps = self.store.workflow_steps(id).await?;
        let records: Vec<StepRecord> = steps.iter().map(|(r, _)| r.clone()).collect();
        let rows = workflow::timeline(&sop, row.created_at, &records, &|_| None, self.now());
        let views = rows
            .into_iter()
            .map(|r| StepView {
                number: r.number,
                key: r.def.key.clone(),
                title: r.def.title.get(lang).to_string(),
                role: r.def.role.get(lang).to_string(),
                roles: r.def.roles.clone(),
                limit_minutes: r.def.limit_minutes,
                state: r.state,
                state_label: r.state.label().get(lang).to_string(),
                due_at: r.due_at,
                output: r.def.output.get(lang).to_string(),
                decisions: r.def.decisions.clone(),
                input_fields: r.def.inputs.clone(),
                inputs: steps
                    .iter()
                    .find(|(s, _)| s.step == r.def.key)
                    .map(|(_, i)| i.clone())
                    .unwrap_or_default(),
                record: r.record,
            })
            .collect();
        let letters = self.store.letters(id).await?.iter().map(summary).collect();
        let files = self
            .store
            .workflow_files(id)
            .await?
            .into_iter()
            .map(|(step, name, sha256, size)| FileSummary {
                step,
                name,
                sha256,
                size,
            })
            .collect();
        let status = match row.status.as_str() {
            "completed" => workflow::Status::Completed,
            "ended" => workflow::Status::Ended,
            _ => workflow::Status::Open,
        };
        Ok(WorkflowView {
            sop_title: sop.sop.title.get(lang).to_string(),
            status_label: status.label().get(lang).to_string(),
            steps: views,
            letters,
            files,
            grant: self.store.grant_of(id).await?,
            visit: self.store.visit(id).await?,
            workflow: row,
        })
    }

    /// Records step `step` of workflow `id`: only by a user holding its role, in its turn,
    /// with four eyes kept; issues its letter and applies its effects in one transaction.
    pub async fn workflow_advance(
        &self,
        actor: &Actor,
        id: i64,
        step: &str,
        input: &AdvanceInput,
        sealer: &Sealer,
        lang: Lang,
    ) -> Result<Advanced, ServiceError> {
        let row = self.visible_workflow(actor, id).await?;
        let sop = sop_of(&row.kind)?;
        let steps = self.store.workflow_steps(id).await?;
        let records: Vec<StepRecord> = steps.iter().map(|(r, _)| r.clone()).collect();
        let now = self.now();
        let rows = workflow::timeline(&sop, row.created_at, &records, &|_| None, now);
        let party = Self::party(actor, &row);
        let def = workflow::check(
            &sop,
            &rows,
            step,
            &party,
            input.decision.as_deref(),
            &input.inputs,
        )?
        .clone();
        let rec = StepRecord {
            step: step.to_string(),
            skipped: false,
            actor: actor.name(),
            role: def.role.get(lang).to_string(),
            output: def.output.get(lang).to_string(),
            note: input.note.clone(),
            decision: input.decision.clone(),
            done_at: now,
        };
        let mut plan = self
            .effects(&row, &rec, &input.inputs, &records, sealer)
            .await?;
        if let Some(doc) = &def.document {
            let mut steps = steps;
            steps.push((rec.clone(), input.inputs.clone()));
            let letter = self
                .letter_for(actor, &sop, &row, &steps, doc, sealer)
                .await?;
            plan.effects.push(Effect::Letter(letter));
        }
        let stand = |recs: &[StepRecord]| {
            let rows = workflow::timeline(&sop, row.created_at, recs, &|_| None, now);
            standing(&row.requester, row.subject.as_deref(), &rows)
        };
        let letters = self
            .store
            .record_workflow_step(id, &rec, &input.inputs, plan.effects, stand, now)
            .await?;
        if let Some((name, bytes)) = &input.attachment {
            self.keep_file(actor, &row, step, name, bytes).await?;
        }
        let after = self.store.workflow(id).await?;
        let mut e = Event::on("workflow.step", "workflow", id);
        e.agency = row.agency.clone();
        e.after = Some(serde_json::json!({
            "step": step, "decision": rec.decision, "note": rec.note, "inputs": input.inputs,
            "letters": letters.iter().map(|l| &l.number).collect::<Vec<_>>(),
            "status": after.status,
        }));
        self.audit(actor, e).await?;
        Ok(Advanced {
            workflow_id: id,
            record: rec,
            letters: letters.iter().map(summary).collect(),
            credential_link: plan.link,
            mismatch: plan.mismatch,
            status: after.status,
        })
    }

    async fn keep_file(
        &self,
        actor: &Actor,
        row: &WorkflowRow,
        step: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), ServiceError> {
        use sha2::{Digest, Sha256};
        if bytes.len() > crate::store::MAX_ATTACHMENT {
            return Err(invalid(
                "attachment",
                format!(
                    "berkas lebih dari {} MiB / file larger than {} MiB",
                    crate::store::MAX_ATTACHMENT >> 20,
                    crate::store::MAX_ATTACHMENT >> 20
                ),
            ));
        }
        let sha = crate::model::hex(&Sha256::digest(bytes));
        self.store
            .add_workflow_file(row.id, step, name, &sha, bytes, &actor.name(), self.now())
            .await?;
        let mut e = Event::on("workflow.file", "workflow", row.id);
        e.after = Some(
            serde_json::json!({ "step": step, "name": name, "sha256": sha, "size": bytes.len() }),
        );
        self.audit(actor, e).await
    }
}

/// What a step does besides its record.
pub(super) struct Plan {
    pub(super) effects: Vec<Effect>,
    pub(super) link: Option<String>,
    pub(super) mismatch: Option<String>,
}

/// AAD binding a workflow's sealed personal data to its row.
pub(super) fn pii_aad(id: i64) -> String {
    format!("workflow:{id}:pii")
}

/// Non-personal fields (personal ones masked in place) and the personal ones in full.
fn split_personal(
    sop: &Sop,
    fields: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut plain = BTreeMap::new();
    let mut personal = BTreeMap::new();
    for (k, v) in fields {
        let kind = sop.sop.fields.iter().find(|f| &f.key == k).map(|f| f.kind);
        match kind {
            Some(kind) if kind.personal() => {
                plain.insert(k.clone(), workflow::fields::mask(kind, v.trim()));
                personal.insert(k.clone(), v.trim().to_string());
            }
            _ => {
                plain.insert(k.clone(), v.trim().to_string());
            }
        }
    }
    (plain, personal)
}

fn title_of(sop: &Sop, f: &BTreeMap<String, String>, lang: Lang) -> String {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("-");
    match sop.sop.id.as_str() {
        "akses" => format!(
            "{} — {} ({})",
            sop.sop.title.get(lang),
            get("system"),
            get("level")
        ),
        "pelanggaran" => format!(
            "{} — {} @ {}",
            sop.sop.title.get(lang),
            get("subject"),
            get("system")
        ),
        "kunjungan" => format!(
            "{} — {} ({})",
            sop.sop.title.get(lang),
            get("name"),
            get("institution")
        ),
        _ => sop.sop.title.get(lang).to_string(),
    }
}

pub(super) fn summary(l: &LetterRow) -> LetterSummary {
    LetterSummary {
        kind: l.kind.clone(),
        number: l.number.clone(),
        issued_by: l.issued_by.clone(),
        issued_at: l.issued_at,
    }
}

/// Loads the templates of the settings.
pub(super) fn templates(s: &WorkflowSettings) -> Result<Templates, ServiceError> {
    Templates::load(s.letters_dir.as_deref()).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The numbering scheme of a letter kind.
pub(super) fn scheme_for(s: &WorkflowSettings, kind: &str) -> Result<Scheme, ServiceError> {
    let text = s.numbering_by_kind.get(kind).unwrap_or(&s.numbering);
    Scheme::parse(text).map_err(|e| invalid("agency.numbering", e.to_string()))
}

/// Re-renders a stored letter.
pub fn letter_of(row: &LetterRow) -> Result<Letter, ServiceError> {
    serde_json::from_value(row.content.clone()).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The year and month a number drawn at `now` carries: Western Indonesia Time, the offices'
/// own calendar.
pub(super) fn numbering_period(now: OffsetDateTime) -> (i32, u8) {
    let local = now.to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC));
    (local.year(), u8::from(local.month()))
}

pub(super) fn new_letter(
    kind: &str,
    scheme: Scheme,
    now: OffsetDateTime,
    letter: Letter,
) -> NewLetter {
    let (year, month) = numbering_period(now);
    NewLetter {
        kind: kind.to_string(),
        scheme,
        year,
        month,
        build: Box::new(move |number: &str| {
            let mut l = letter;
            l.number = number.to_string();
            serde_json::to_value(&l).unwrap_or(serde_json::Value::Null)
        }),
    }
}

pub(super) fn fill_of<'a>(
    s: &'a WorkflowSettings,
    date: &'a str,
    signer: Signer,
    context: &'a serde_json::Value,
) -> Fill<'a> {
    Fill {
        kop: &s.kop,
        number: "",
        city: &s.city,
        date,
        signer,
        context,
    }
}
