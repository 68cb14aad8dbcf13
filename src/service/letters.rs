//! Letters of the workflows: the values a template is filled with, who signs, issuing with a
//! number, and the documents as PDF or HTML.

use super::workflows::{fill_of, letter_of, new_letter, pii_aad, scheme_for, sop_of, templates};
use super::{Actor, Event, Service, ServiceError};
use crate::auth::seal::Sealer;
use crate::i18n::Lang;
use crate::letter::{Letter, Signer, Template};
use crate::store::{LetterRow, NewLetter, WorkflowRow};
use crate::workflow::{Sop, StepRecord};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Document {
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: &'static str,
    /// Bytes.
    pub bytes: Vec<u8>,
}

/// Format of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    /// PDF.
    Pdf,
    /// HTML.
    Html,
}

impl DocFormat {
    /// Parses `pdf` or `html`.
    pub fn parse(s: &str) -> Result<DocFormat, ServiceError> {
        match s {
            "pdf" => Ok(DocFormat::Pdf),
            "html" => Ok(DocFormat::Html),
            _ => Err(super::workflows::invalid(
                "format",
                format!("'{s}': pilihan / choose: pdf|html"),
            )),
        }
    }
}

fn key_of(step: &str) -> String {
    step.replace('-', "_")
}

fn date(t: time::OffsetDateTime) -> String {
    crate::report::view::date(t, Lang::Id)
}

impl Service {
    async fn person(&self, username: Option<&str>) -> Result<Value, ServiceError> {
        let Some(u) = username else {
            return Ok(json!({ "username": "-", "name": "-", "agency": "-" }));
        };
        Ok(match self.store.find_account(u).await? {
            Some(a) => {
                json!({ "username": a.username, "name": a.name, "agency": a.agency.unwrap_or_else(|| "-".into()) })
            }
            None => json!({ "username": u, "name": u, "agency": "-" }),
        })
    }

    /// The personal data of a workflow in full; every opening is audited.
    pub(super) async fn personal(
        &self,
        actor: &Actor,
        row: &WorkflowRow,
        sealer: &Sealer,
        why: &str,
    ) -> Result<BTreeMap<String, String>, ServiceError> {
        let Some(sealed) = &row.pii else {
            return Ok(BTreeMap::new());
        };
        let plain = sealer
            .open(sealed, &pii_aad(row.id))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let map: BTreeMap<String, String> =
            serde_json::from_slice(&plain).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut e = Event::on("workflow.personal-data.view", "workflow", row.id);
        e.agency = row.agency.clone();
        e.after = Some(json!({ "fields": map.keys().collect::<Vec<_>>(), "purpose": why }));
        self.audit(actor, e).await?;
        Ok(map)
    }

    #[allow(clippy::too_many_arguments)]
    async fn context(
        &self,
        actor: &Actor,
        row: &WorkflowRow,
        records: &[StepRecord],
        inputs: &BTreeMap<String, BTreeMap<String, String>>,
        template: &Template,
        sealer: &Sealer,
    ) -> Result<Value, ServiceError> {
        let label = |v: &str| {
            template
                .labels
                .get(v)
                .cloned()
                .unwrap_or_else(|| v.to_string())
        };
        let mut fields = row.fields.clone();
        if template.letter.personal_in_full {
            let why = format!("surat/letter {}", template.letter.kind);
            fields.extend(self.personal(actor, row, sealer, &why).await?);
        }
        let sop = sop_of(&row.kind)?;
        for f in &sop.sop.fields {
            let v = fields.entry(f.key.clone()).or_insert_with(|| "-".into());
            // Letters write dates the Indonesian way: "30 Juni 2027".
            if f.kind == crate::workflow::FieldKind::Date
                && let Some(d) = crate::workflow::fields::parse_date(v)
            {
                *v = date(d.midnight().assume_utc());
            }
        }
        let fl: Map<String, Value> = fields
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(label(v))))
            .collect();
        let mut steps = Map::new();
        for r in records {
            let actor_name = self.person(Some(&r.actor)).await?["name"].clone();
            steps.insert(
                key_of(&r.step),
                json!({
                    "actor": r.actor, "actor_name": actor_name, "date": date(r.done_at),
                    "note": if r.note.is_empty() { "-".to_string() } else { r.note.clone() },
                    "decision": r.decision.clone().unwrap_or_else(|| "-".into()),
                    "decision_label": r.decision.as_deref().map(label).unwrap_or_else(|| "-".into()),
                    "inputs": inputs.get(&r.step).cloned().unwrap_or_default(),
                }),
            );
        }
        Ok(json!({
            "w": { "id": row.id, "title": row.title, "created": date(row.created_at), "created_at": crate::report::view::when(row.created_at, Lang::Id) },
            "f": fields,
            "fl": fl,
            "requester": self.person(Some(&row.requester)).await?,
            "subject": self.person(row.subject.as_deref()).await?,
            "steps": steps,
            "actor": self.person(Some(&actor.name())).await?,
            "agency": { "office": self.config.workflows.kop.office, "city": self.config.workflows.city },
        }))
    }

    /// The title a user signs a step's letter with: the name of the role they hold among the
    /// step's roles (a step open to "Kepala Bidang / Kepala Seksi" is signed by one of them).
    fn signing_role(&self, actor: &Actor, def: &crate::workflow::StepDef) -> String {
        let held = actor.account.as_ref().and_then(|a| {
            def.roles
                .iter()
                .find(|r| a.roles.contains(r))
                .and_then(|r| self.roles.role(r))
        });
        match held {
            Some(role) => role.name_id.clone(),
            None => def.role.get(Lang::Id).to_string(),
        }
    }

    fn signer(&self, actor: &Actor, template: &Template, step_role: &str) -> Signer {
        let s = &self.config.workflows;
        if let Some(role) = &template.letter.signer_role
            && let Some((_, signer)) = s.signatories.iter().find(|(r, _)| r == role)
        {
            return signer.clone();
        }
        Signer {
            title: step_role.to_string(),
            name: actor
                .account
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_else(|| actor.name()),
            nip: String::new(),
        }
    }

    /// The letter `doc` for the step being recorded, ready to number. `steps` are the recorded
    /// steps with their inputs, the step being recorded last.
    pub(super) async fn letter_for(
        &self,
        actor: &Actor,
        sop: &Sop,
        row: &WorkflowRow,
        steps: &[(StepRecord, BTreeMap<String, String>)],
        doc: &str,
        sealer: &Sealer,
    ) -> Result<NewLetter, ServiceError> {
        let set = templates(&self.config.workflows)?;
        let template = set.get(doc).ok_or_else(|| {
            ServiceError::Internal(format!(
                "templat surat '{doc}' tidak ada / no letter template '{doc}' (ada / have: {})",
                set.kinds()
            ))
        })?;
        let records: Vec<StepRecord> = steps.iter().map(|(r, _)| r.clone()).collect();
        let inputs: BTreeMap<String, BTreeMap<String, String>> = steps
            .iter()
            .map(|(r, i)| (r.step.clone(), i.clone()))
            .collect();
        let context = self
            .context(actor, row, &records, &inputs, template, sealer)
            .await?;
        let step_role = records
            .last()
            .and_then(|r| sop.step(&r.step))
            .map(|d| self.signing_role(actor, d))
            .unwrap_or_default();
        let signer = self.signer(actor, template, &step_role);
        let now = self.now();
        let today = date(now);
        let letter = template
            .fill(&fill_of(&self.config.workflows, &today, signer, &context))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(new_letter(
            doc,
            scheme_for(&self.config.workflows, doc)?,
            now,
            letter,
        ))
    }

    /// Issues the letter of a workflow's first step (recorded at start).
    pub(super) async fn issue_first_letter(
        &self,
        actor: &Actor,
        sop: &Sop,
        row: &WorkflowRow,
        doc: &str,
        sealer: &Sealer,
    ) -> Result<LetterRow, ServiceError> {
        let steps = self.store.workflow_steps(row.id).await?;
        let letter = self
            .letter_for(actor, sop, row, &steps, doc, sealer)
            .await?;
        let l = self
            .store
            .issue_letter(Some(row.id), letter, &actor.name(), self.now())
            .await?;
        let mut e = Event::on("letter.issue", "workflow", row.id);
        e.agency = row.agency.clone();
        e.after = Some(json!({ "kind": l.kind, "number": l.number }));
        self.audit(actor, e).await?;
        Ok(l)
    }

    /// A workflow's letter of `kind` as PDF or HTML; a letter with personal data in full is
    /// audited on every view.
    pub async fn workflow_document(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
        format: DocFormat,
    ) -> Result<Document, ServiceError> {
        let row = self.visible_workflow(actor, id).await?;
        if kind == "kartu-akses" {
            return self.badge(&row, format).await;
        }
        let sop = sop_of(&row.kind)?;
        let letters = self.store.letters(id).await?;
        let Some(stored) = letters.iter().rev().find(|l| l.kind == kind) else {
            let at = sop
                .steps
                .iter()
                .find(|s| s.document.as_deref() == Some(kind))
                .map(|s| s.key.clone());
            return Err(ServiceError::NotFound {
                what: "surat/letter",
                name: match at {
                    Some(step) => format!(
                        "{kind} (diterbitkan pada langkah / issued at step '{step}', belum dicatat / not recorded yet)"
                    ),
                    None => format!(
                        "{kind} (alur kerja ini tidak menerbitkannya / this workflow does not issue it)"
                    ),
                },
            });
        };
        let letter = letter_of(stored)?;
        let set = templates(&self.config.workflows)?;
        if set.get(kind).is_some_and(|t| t.letter.personal_in_full) {
            let mut e = Event::on("workflow.personal-data.view", "workflow", id);
            e.agency = row.agency.clone();
            e.after = Some(json!({ "letter": stored.number }));
            self.audit(actor, e).await?;
        }
        render(&letter, kind, format)
    }
}

impl Service {
    /// The printable server-room badge of a granted visit.
    async fn badge(&self, row: &WorkflowRow, format: DocFormat) -> Result<Document, ServiceError> {
        let visit = self.store.visit(row.id).await?;
        let Some((visit, badge)) = visit.and_then(|v| v.badge.clone().map(|b| (v, b))) else {
            return Err(ServiceError::NotFound {
                what: "kartu akses/badge",
                name: format!(
                    "{} (diberikan saat akses diizinkan / issued when access is granted)",
                    row.id
                ),
            });
        };
        let s = &self.config.workflows;
        let letter = Letter {
            kind: "kartu-akses".into(),
            form: crate::letter::Form::Formulir,
            kop: s.kop.clone(),
            title: "KARTU AKSES RUANG SERVER".into(),
            number: badge,
            place_date: format!("{}, {}", s.city, date(visit.checkin_at)),
            perihal: "Pengunjung ruang server — wajib dipakai dan didampingi selama kunjungan"
                .into(),
            details: vec![
                ("Nama".into(), visit.visitor.clone()),
                ("Instansi".into(), visit.institution.clone()),
                ("Keperluan".into(), visit.purpose.clone()),
                ("Berlaku".into(), date(visit.checkin_at)),
                ("Nomor kunjungan".into(), row.id.to_string()),
            ],
            closing: "Kartu ini ditukar kembali dengan kartu identitas saat keluar.".into(),
            signer: Signer {
                title: "Kepala LPSE".into(),
                name: String::new(),
                nip: String::new(),
            },
            ..Letter::default()
        };
        render(&letter, "kartu-akses", format)
    }
}

/// Renders a letter.
pub fn render(letter: &Letter, kind: &str, format: DocFormat) -> Result<Document, ServiceError> {
    let base = letter
        .number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>();
    let base = if base.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}-{base}")
    };
    Ok(match format {
        DocFormat::Pdf => Document {
            file_name: format!("{base}.pdf"),
            content_type: "application/pdf",
            bytes: crate::letter::pdf(letter).map_err(|e| ServiceError::Internal(e.to_string()))?,
        },
        DocFormat::Html => Document {
            file_name: format!("{base}.html"),
            content_type: "text/html; charset=utf-8",
            bytes: crate::letter::to_html(letter).into_bytes(),
        },
    })
}
