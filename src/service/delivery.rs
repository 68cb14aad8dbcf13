//! Delivery of the agency report (SOP step 10): the security section approves sending, Kawal
//! queues an e-mail to the application's owners with the PDF attached or a link, the owner
//! sees it in their inbox and acknowledges receipt, which completes the step.

use super::{Actor, Event, Service, ServiceError};
use crate::checklist::Checklist;
use crate::model::EvaluationStatus;
use crate::notify::{DeliveryMode, Messages};
use crate::sop::Sop;
use crate::store::{Delivery, NewDelivery, NewMessage, OutboxRow, Page, Paging};
use crate::team::Reach;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The SOP step a delivery completes.
pub const DELIVERY_STEP: &str = "penyampaian-laporan";

/// Approval to send a report.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// Covering note for the owner.
    #[serde(default)]
    pub note: String,
}

/// An owner's acknowledgement of receipt.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AckInput {
    /// Note (e.g. the agency's incoming-letter number).
    #[serde(default)]
    pub note: String,
}

/// What an acknowledgement did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Acknowledged {
    /// The delivery, now acknowledged.
    pub delivery: Delivery,
    /// Whether SOP step 10 was recorded by it (false when the team had recorded it already).
    pub step_recorded: bool,
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

impl Service {
    /// The owners' addresses for an application: accounts bound to its agency that may
    /// acknowledge reports and have an e-mail address, then the application's owner contact
    /// when it is an address.
    async fn owner_addresses(
        &self,
        agency: &str,
        owner_contact: &str,
    ) -> Result<Vec<String>, ServiceError> {
        let mut out: Vec<String> = Vec::new();
        for a in self.store.list_accounts().await? {
            let bound = self.roles.reach(&a.roles, "report:acknowledge") == Some(Reach::Agency);
            if a.disabled || !bound || a.agency.as_deref() != Some(agency) {
                continue;
            }
            if let Some(e) = a
                .email
                .filter(|e| crate::notify::config::mailbox(e).is_ok())
            {
                out.push(e);
            }
        }
        if crate::notify::config::mailbox(owner_contact).is_ok() {
            out.push(owner_contact.trim().to_string());
        }
        out.sort_by_key(|a| a.to_ascii_lowercase());
        out.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        Ok(out)
    }

    /// Approves the report of a finished evaluation for sending: renders the PDF (kept for the
    /// archive), queues one e-mail per owner, and audits it. Sending happens in the outbox.
    pub async fn send_report(
        &self,
        actor: &Actor,
        id: i64,
        input: &SendInput,
        checklist: &Checklist,
    ) -> Result<Delivery, ServiceError> {
        let scope = self.require(actor, "report:send")?;
        let (row, agency) =
            self.store
                .evaluation_in_scope(&scope, id)
                .await?
                .ok_or(ServiceError::NotFound {
                    what: "evaluasi/evaluation",
                    name: id.to_string(),
                })?;
        if row.status != EvaluationStatus::Finished {
            return Err(ServiceError::Conflict(format!(
                "evaluasi {id} belum selesai; laporan dikirim setelah evaluasi selesai / evaluation {id} has not finished; a report is sent once it has"
            )));
        }
        let (Some(agency), Some(app_id)) = (agency, row.application_id) else {
            return Err(ServiceError::Conflict(format!(
                "evaluasi {id} bukan milik aplikasi terdaftar, jadi tidak ada Perangkat Daerah penerima / evaluation {id} is not of a registered application, so there is no receiving agency"
            )));
        };
        // Step 10 follows the decisions: the agency receives the head of office's decision 1,
        // not only the recommendation.
        if !self
            .store
            .decisions(id)
            .await?
            .iter()
            .any(|d| d.kind == "standard")
        {
            return Err(ServiceError::Conflict(format!(
                "keputusan 1 evaluasi {id} belum dicatat; laporan dikirim setelah Kepala Dinas memutuskan (kawal evaluation decide {id} --standard …) / decision 1 of evaluation {id} is not recorded yet; the report is sent after the head of office decides"
            )));
        }
        let app = self.store.app_by_id(app_id).await?;
        let to = self.owner_addresses(&agency, &app.owner).await?;
        if to.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "tidak ada alamat surel penanggung jawab untuk {agency}: tambahkan akun pj-aplikasi dengan surel (kawal user add NAMA --role pj-aplikasi --agency \"{agency}\" --email ALAMAT) atau isi pemilik aplikasi dengan alamat surel / no owner e-mail address for {agency}: add a pj-aplikasi account with an e-mail address, or set the application's owner to an address (kawal app edit {} --owner ADDRESS)",
                app.name
            )));
        }
        let policy = &self.config.delivery;
        let mode = policy.mode_for(&agency);
        let (report, ctx) =
            super::context(&self.store, &self.config.report, id, self.now()).await?;
        let pdf = super::render(
            &report,
            &ctx,
            checklist,
            super::ReportFormat::Pdf,
            policy.lang,
        )?;
        let sha = crate::model::hex(&Sha256::digest(&pdf));
        let approved_by = actor.name();
        let link = match (mode, &policy.public_url) {
            (DeliveryMode::Link, Some(u)) => {
                Some(format!("{u}/api/v1/evaluations/{id}/report?format=pdf"))
            }
            (DeliveryMode::Link, None) => {
                return Err(ServiceError::Conflict(
                    "pengiriman tautan perlu [server] public_url / link delivery needs [server] public_url".into(),
                ));
            }
            _ => None,
        };
        let data = serde_json::json!({
            "application": app.name, "agency": agency, "evaluation_id": id,
            "decision": report.decision.label.get(policy.lang), "approved_by": approved_by,
            "note": input.note.trim(), "link": link, "attached": mode == DeliveryMode::Attachment,
            "inbox_url": policy.public_url.as_ref().map(|u| format!("{u}/api/v1/inbox")),
        });
        let (subject, body) = Messages::builtin()
            .and_then(|m| m.render("report", &data))
            .map_err(internal)?;
        let messages: Vec<NewMessage> = to
            .iter()
            .map(|addr| NewMessage {
                channel: "email",
                topic: "report".into(),
                recipient: addr.clone(),
                subject: subject.clone(),
                body: body.clone(),
                attach_pdf: mode == DeliveryMode::Attachment,
                evaluation_id: Some(id),
                max_attempts: policy.max_attempts,
                dedup_key: None,
            })
            .collect();
        let d = self
            .store
            .create_delivery(
                &NewDelivery {
                    evaluation_id: id,
                    agency: agency.clone(),
                    application: app.name.clone(),
                    mode: mode.as_str().into(),
                    approved_by,
                    note: input.note.trim().to_string(),
                    pdf,
                    pdf_sha256: sha.clone(),
                },
                &messages,
                self.now(),
            )
            .await?;
        let mut e = Event::on("report.send", "evaluation", id);
        e.agency = Some(agency);
        e.after = Some(serde_json::json!({
            "delivery": d.id, "mode": d.mode, "recipients": to, "pdf_sha256": sha, "note": d.note,
        }));
        self.audit(actor, e).await?;
        Ok(d)
    }

    /// Reports delivered to the actor's agency (every agency for the team), newest first.
    pub async fn inbox(
        &self,
        actor: &Actor,
        unacknowledged_only: bool,
        paging: Paging,
    ) -> Result<Page<Delivery>, ServiceError> {
        let scope = self.require(actor, "report:read")?;
        Ok(self
            .store
            .deliveries_page(&scope, unacknowledged_only, paging)
            .await?)
    }

    /// The owner acknowledges receipt of an evaluation's report: recorded on the delivery,
    /// completes SOP step 10 in the same transaction, and audited.
    pub async fn acknowledge_report(
        &self,
        actor: &Actor,
        id: i64,
        input: &AckInput,
    ) -> Result<Acknowledged, ServiceError> {
        let scope = self.require(actor, "report:acknowledge")?;
        let Some(d) = self.store.delivery_of(&scope, id).await? else {
            // Visible but not sent is a conflict; out of scope looks exactly like missing.
            return Err(match self.store.evaluation_in_scope(&scope, id).await? {
                Some(_) => ServiceError::Conflict(format!(
                    "laporan evaluasi {id} belum dikirim / the report of evaluation {id} has not been sent yet"
                )),
                None => ServiceError::NotFound {
                    what: "evaluasi/evaluation",
                    name: id.to_string(),
                },
            });
        };
        let sop = Sop::builtin().map_err(internal)?;
        let step = sop
            .step(DELIVERY_STEP)
            .ok_or_else(|| internal(format!("SOP step {DELIVERY_STEP} missing")))?;
        let who = actor.name();
        let note = format!(
            "Tanda terima oleh / acknowledged by {who}; dikirim oleh / sent by {} ({}), PDF SHA-256 {}{}",
            d.approved_by,
            crate::team::audit::timestamp(d.approved_at),
            d.pdf_sha256,
            if input.note.trim().is_empty() {
                String::new()
            } else {
                format!("; {}", input.note.trim())
            }
        );
        let step_recorded = self
            .store
            .acknowledge_delivery(
                d.id,
                &who,
                self.now(),
                DELIVERY_STEP,
                "Penanggung Jawab Aplikasi",
                &step.output.id,
                &note,
            )
            .await?;
        let delivery = self.store.delivery(d.id).await?;
        let mut e = Event::on("report.acknowledge", "evaluation", id);
        e.agency = Some(delivery.agency.clone());
        e.before = Some(serde_json::json!({ "acknowledged": false }));
        e.after = Some(serde_json::json!({
            "delivery": delivery.id, "acknowledged": true, "step": DELIVERY_STEP,
            "step_recorded": step_recorded, "note": input.note.trim(),
        }));
        self.audit(actor, e).await?;
        Ok(Acknowledged {
            delivery,
            step_recorded,
        })
    }

    /// The outbox: messages with their state, attempts and last error.
    pub async fn outbox(
        &self,
        actor: &Actor,
        status: Option<&str>,
        evaluation: Option<i64>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, ServiceError> {
        self.require(actor, "report:send")?;
        if let Some(s) = status
            && !matches!(s, "queued" | "sent" | "failed")
        {
            return Err(ServiceError::Invalid {
                field: "status".into(),
                message: "queued, sent, failed".into(),
            });
        }
        Ok(self.store.outbox_list(status, evaluation, limit).await?)
    }
}
