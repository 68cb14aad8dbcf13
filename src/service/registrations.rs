//! What an application's registration holds besides its fields: the test roles Kawal logs in
//! as (sealed at rest, never shown back), and the queue's jobs.

use super::{Actor, Event, Service, ServiceError};
use crate::auth::Role;
use crate::auth::seal::Sealer;
use crate::store::Job;

impl Service {
    /// The test roles of an application, secrets hidden.
    pub async fn test_roles(
        &self,
        actor: &Actor,
        app: &str,
        sealer: &Sealer,
    ) -> Result<Vec<Role>, ServiceError> {
        let app = self.app_for(actor, "app:read", app).await?;
        Ok(self
            .store
            .roles(app.id, sealer)
            .await?
            .iter()
            .map(Role::redacted)
            .collect())
    }

    /// Stores (or replaces) a test role, sealed.
    pub async fn put_test_role(
        &self,
        actor: &Actor,
        app: &str,
        role: &Role,
        sealer: &Sealer,
    ) -> Result<(), ServiceError> {
        let app = self.app_for(actor, "app:write", app).await?;
        role.validate().map_err(|e| ServiceError::Invalid {
            field: "role".into(),
            message: e.to_string(),
        })?;
        self.store.put_role(app.id, role, sealer).await?;
        let mut e = Event::on("app.role.put", "application", app.id);
        e.agency = Some(app.agency.clone());
        e.after = serde_json::to_value(role.redacted()).ok();
        self.audit(actor, e).await
    }

    /// Removes a test role.
    pub async fn remove_test_role(
        &self,
        actor: &Actor,
        app: &str,
        role: &str,
    ) -> Result<(), ServiceError> {
        let app = self.app_for(actor, "app:write", app).await?;
        self.store.remove_role(app.id, role).await?;
        let mut e = Event::on("app.role.remove", "application", app.id);
        e.agency = Some(app.agency.clone());
        e.before = Some(serde_json::json!({ "role": role }));
        self.audit(actor, e).await
    }

    /// Cancels a queued job.
    pub async fn cancel_job(&self, actor: &Actor, id: i64) -> Result<Job, ServiceError> {
        self.job_for_write(actor, id).await?;
        let job = self.store.cancel_job(id, self.now()).await?;
        self.audit(actor, Event::on("job.cancel", "job", id))
            .await?;
        Ok(job)
    }

    /// Queues a failed, cancelled or finished job again.
    pub async fn retry_job(&self, actor: &Actor, id: i64) -> Result<Job, ServiceError> {
        self.job_for_write(actor, id).await?;
        let job = self.store.retry_job(id, self.now()).await?;
        self.audit(actor, Event::on("job.retry", "job", id)).await?;
        Ok(job)
    }

    async fn job_for_write(&self, actor: &Actor, id: i64) -> Result<Job, ServiceError> {
        let scope = self.require(actor, "job:write")?;
        let job = self.store.job(id).await?;
        // An agency-bound writer sees only its own agency's jobs.
        if scope != crate::store::AgencyScope::All
            && self
                .app_for(actor, "job:write", &job.application_id.to_string())
                .await
                .is_err()
        {
            return Err(ServiceError::NotFound {
                what: "job",
                name: id.to_string(),
            });
        }
        Ok(job)
    }
}
