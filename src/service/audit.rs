//! Reading and checking the audit trail.

use super::{Actor, Service, ServiceError};
use crate::store::{AuditCheck, AuditEntry, AuditFilter};

impl Service {
    /// Entries, newest first.
    pub async fn audit_list(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, ServiceError> {
        self.require(actor, "audit:read")?;
        Ok(self.store.audit_list(filter).await?)
    }

    /// Walks the chain and names the first break.
    pub async fn audit_verify(&self, actor: &Actor) -> Result<AuditCheck, ServiceError> {
        self.require(actor, "audit:read")?;
        Ok(self.store.audit_verify().await?)
    }

    /// The head: last sequence number and hash.
    pub async fn audit_head(&self, actor: &Actor) -> Result<(i64, String), ServiceError> {
        self.require(actor, "audit:read")?;
        Ok(self.store.audit_head().await?)
    }
}
