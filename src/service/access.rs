//! What steps do beyond their record: access grants and the single-use hand-over of an
//! initial secret, suspension of a sanctioned user's grants, visit badges and checkout.

use super::workflows::{Plan, invalid};
use super::{Actor, Event, Service, ServiceError};
use crate::auth::seal::Sealer;
use crate::store::{Effect, GrantRow, WorkflowRow};
use crate::team::secret::{random_token, token_hash};
use crate::workflow::StepRecord;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An initial secret handed over once.
#[derive(Debug, Clone, Serialize)]
pub struct Credential {
    /// The grant.
    pub grant: GrantRow,
    /// The initial secret (shown this once).
    pub secret: String,
}

fn secret_aad(workflow_id: i64) -> String {
    format!("grant:{workflow_id}:secret")
}

/// Devices missing at checkout or taken out without having been brought in.
pub fn device_mismatch(devices_in: &[String], devices_out: &[String]) -> Option<String> {
    let norm =
        |v: &[String]| -> BTreeSet<String> { v.iter().map(|d| d.trim().to_lowercase()).collect() };
    let (i, o) = (norm(devices_in), norm(devices_out));
    let missing: Vec<&String> = i.difference(&o).collect();
    let extra: Vec<&String> = o.difference(&i).collect();
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "tidak dibawa keluar / not taken out: {}",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !extra.is_empty() {
        parts.push(format!(
            "dibawa keluar tanpa tercatat masuk / taken out but not brought in: {}",
            extra
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Some(parts.join("; "))
}

impl Service {
    /// The effects of recording `rec` on `row`.
    pub(super) async fn effects(
        &self,
        row: &WorkflowRow,
        rec: &StepRecord,
        inputs: &BTreeMap<String, String>,
        records: &[StepRecord],
        sealer: &Sealer,
    ) -> Result<Plan, ServiceError> {
        let mut plan = Plan {
            effects: Vec::new(),
            link: None,
            mismatch: None,
        };
        let field = |k: &str| row.fields.get(k).cloned().unwrap_or_default();
        match (row.kind.as_str(), rec.step.as_str()) {
            ("akses", "persetujuan") if rec.decision.as_deref() == Some("approve") => {
                plan.effects.push(Effect::GrantCreate {
                    username: row.requester.clone(),
                    system: field("system"),
                    level: field("level"),
                    valid_until: field("until"),
                });
            }
            ("akses", "kredensial") => {
                let secret = initial_secret()?;
                let sealed = sealer
                    .seal(secret.as_bytes(), &secret_aad(row.id))
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                plan.effects.push(Effect::GrantCredential {
                    account: inputs.get("account").cloned().unwrap_or_default(),
                    sealed,
                    hash: token_hash(&secret),
                });
            }
            ("akses", "serah-kredensial") => {
                let token =
                    random_token("kc_").map_err(|e| ServiceError::Internal(e.to_string()))?;
                plan.effects.push(Effect::GrantLink {
                    hash: token_hash(&token),
                    expires_at: self.now() + self.config.workflows.credential_link_ttl,
                });
                let base = self.config.workflows.public_url.clone().unwrap_or_default();
                plan.link = Some(format!(
                    "{}/credentials/{token}",
                    base.trim_end_matches('/')
                ));
            }
            ("pelanggaran", "pembekuan-akun") => {
                let sanction = records
                    .iter()
                    .find(|r| r.step == "penetapan-sanksi")
                    .and_then(|r| r.decision.clone());
                plan.effects.push(Effect::GrantStatus {
                    username: row.subject.clone().unwrap_or_default(),
                    system: field("system"),
                    status: if sanction.as_deref() == Some("pencabutan") {
                        "revoked".into()
                    } else {
                        "suspended".into()
                    },
                });
            }
            ("kunjungan", "keputusan-akses") if rec.decision.as_deref() == Some("izinkan") => {
                let scheme =
                    crate::letter::numbering::Scheme::parse(&self.config.workflows.badge_numbering)
                        .map_err(|e| invalid("agency.badge_numbering", e.to_string()))?;
                let (year, month) = super::workflows::numbering_period(self.now());
                plan.effects.push(Effect::VisitBadge {
                    scheme,
                    year,
                    month,
                });
            }
            ("kunjungan", "keluar") => {
                let visit = self.store.visit(row.id).await?;
                let out =
                    crate::workflow::fields::list(inputs.get("devices_out").map_or("", |s| s));
                let mismatch =
                    device_mismatch(visit.as_ref().map_or(&[][..], |v| &v.devices_in), &out);
                plan.mismatch = mismatch.clone();
                plan.effects.push(Effect::VisitCheckout {
                    devices_out: out,
                    mismatch,
                    id_returned: inputs.get("id_returned").map(String::as_str) == Some("ya"),
                });
            }
            _ => {}
        }
        Ok(plan)
    }

    /// The initial secret of an access grant, once: through the single-use link (`token`), or
    /// by its requester on the command line (`workflow_id`). Later calls find nothing.
    pub async fn credential_claim(
        &self,
        actor: Option<&Actor>,
        token: Option<&str>,
        workflow_id: Option<i64>,
        sealer: &Sealer,
    ) -> Result<Credential, ServiceError> {
        let gone = || {
            ServiceError::NotFound {
            what: "kredensial/credential",
            name: "tautan sudah dipakai, kedaluwarsa atau tidak sah / link already used, expired or invalid".into(),
        }
        };
        if let (Some(actor), Some(id)) = (actor, workflow_id) {
            let row = self.visible_workflow(actor, id).await?;
            let me = actor.account.as_ref().map(|a| a.username.as_str());
            if me.is_some_and(|u| u != row.requester) {
                return Err(ServiceError::Forbidden {
                    permission: "hanya pemohon / the requester only".into(),
                });
            }
        }
        let hash = token.map(token_hash);
        let Some((grant, sealed)) = self
            .store
            .claim_secret(hash.as_deref(), workflow_id, self.now())
            .await?
        else {
            return Err(gone());
        };
        let secret = sealer
            .open(&sealed, &secret_aad(grant.workflow_id))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut e = Event::on("grant.credential.view", "workflow", grant.workflow_id);
        e.actor = actor.is_none().then_some(grant.username.as_str());
        e.after = Some(
            serde_json::json!({ "account": grant.account, "via": if token.is_some() { "link" } else { "cli" } }),
        );
        match actor {
            Some(a) => self.audit(a, e).await?,
            None => self.audit(&Actor::local_operator(), e).await?,
        }
        Ok(Credential {
            secret: String::from_utf8_lossy(&secret).into_owned(),
            grant,
        })
    }

    /// Grants in force ending by `until` (`YYYY-MM-DD`): the periodic recertification list.
    pub async fn grants(
        &self,
        actor: &Actor,
        until: Option<&str>,
    ) -> Result<Vec<GrantRow>, ServiceError> {
        if let Some(u) = until
            && crate::workflow::fields::parse_date(u).is_none()
        {
            return Err(invalid(
                "until",
                format!("'{u}': tanggal harus YYYY-MM-DD / the date must be YYYY-MM-DD"),
            ));
        }
        let mine = if self.sees_all_grants(actor) {
            None
        } else {
            Some(actor.name())
        };
        Ok(self.store.grants(until, mine.as_deref(), 1000).await?)
    }

    fn sees_all_grants(&self, actor: &Actor) -> bool {
        actor.account.is_none()
            || ["workflow:review", "workflow:decide", "workflow:administer"]
                .iter()
                .any(|p| self.may(actor, p))
    }
}

/// A 20-character initial secret, each character drawn without bias from random bytes
/// (bytes past the last whole multiple of the alphabet are rejected).
fn initial_secret() -> Result<String, ServiceError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::with_capacity(20);
    while out.len() < 20 {
        let hex = random_token("").map_err(|e| ServiceError::Internal(e.to_string()))?;
        for i in 0..hex.len() / 2 {
            let Ok(b) = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16) else {
                continue;
            };
            if usize::from(b) < limit && out.len() < 20 {
                out.push(ALPHABET[usize::from(b) % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_extra_devices_are_named() {
        let i = vec!["Laptop:SN1".to_string(), "Disk:SN2".to_string()];
        assert_eq!(
            device_mismatch(&i, &["laptop:sn1".into(), "Disk:SN2".into()]),
            None
        );
        let m = device_mismatch(&i, &["Laptop:SN1".into(), "Disk:SN9".into()]).expect("mismatch");
        assert!(m.contains("disk:sn2") && m.contains("disk:sn9"), "{m}");
        let s = initial_secret().expect("secret");
        assert_eq!(s.len(), 20);
        assert_ne!(s, initial_secret().expect("second"));
    }
}
