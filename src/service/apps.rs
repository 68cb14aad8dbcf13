//! Applications: list, read, register, edit, remove, queue an evaluation.

use super::{Actor, Event, Service, ServiceError};
use crate::schedule::{CronSpec, timezone};
use crate::store::{App, AppFilter, AppPatch, Job, NewApp, Page, Paging};
use serde::Deserialize;

/// An application as submitted over the API (every field optional for an edit).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppInput {
    /// Unique name.
    pub name: Option<String>,
    /// Base URL (http or https).
    pub url: Option<String>,
    /// Owning agency.
    pub agency: Option<String>,
    /// Owner contact.
    pub owner: Option<String>,
    /// 5-field crontab schedule; empty removes it.
    pub schedule: Option<String>,
    /// IANA time zone of the schedule.
    pub timezone: Option<String>,
    /// Requests per second (0 = unlimited).
    pub rate_limit: Option<f64>,
    /// Extra in-scope hosts.
    pub scope_hosts: Option<Vec<String>>,
    /// Serves the public.
    pub public_service: Option<bool>,
    /// Holds personal data.
    pub personal_data: Option<bool>,
    /// Tests may send state-changing requests.
    pub allow_unsafe_methods: Option<bool>,
    /// Extra CA certificates (PEM text) trusted for this application; empty removes them.
    pub ca_bundle: Option<String>,
    /// Evaluate despite an invalid certificate (the TLS items still report it).
    pub insecure: Option<bool>,
}

fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Checks an application or scan URL: http(s) with a host.
pub fn validate_url(s: &str) -> Result<url::Url, ServiceError> {
    let hint = "contoh / example: https://simpeg.example.go.id";
    let u = url::Url::parse(s.trim()).map_err(|e| {
        invalid(
            "url",
            format!("URL tidak sah / invalid URL '{s}': {e} ({hint})"),
        )
    })?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(invalid(
            "url",
            format!(
                "URL '{s}' memakai skema '{}'; hanya http dan https / only http and https are supported ({hint})",
                u.scheme()
            ),
        ));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(invalid(
            "url",
            format!("URL '{s}' tidak memiliki host / has no host ({hint})"),
        ));
    }
    Ok(u)
}

fn required(field: &str, v: &Option<String>) -> Result<String, ServiceError> {
    match v.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => Ok(t.to_string()),
        _ => Err(invalid(field, "wajib diisi / required")),
    }
}

fn nonempty(field: &str, v: &Option<String>) -> Result<Option<String>, ServiceError> {
    match v {
        Some(_) => required(field, v).map(Some),
        None => Ok(None),
    }
}

impl AppInput {
    fn check_common(&self) -> Result<(), ServiceError> {
        if let Some(u) = &self.url {
            validate_url(u)?;
        }
        if let Some(tz) = &self.timezone {
            timezone(tz).map_err(|e| invalid("timezone", e.to_string()))?;
        }
        if let Some(s) = self.schedule.as_deref().filter(|s| !s.trim().is_empty()) {
            CronSpec::parse(s).map_err(|e| invalid("schedule", e.to_string()))?;
        }
        if let Some(r) = self.rate_limit
            && (!r.is_finite() || r < 0.0)
        {
            return Err(invalid(
                "rate_limit",
                "harus angka >= 0 / must be a number >= 0",
            ));
        }
        if let Some(pem) = self.ca_bundle.as_deref().filter(|p| !p.trim().is_empty()) {
            use rustls::pki_types::CertificateDer;
            use rustls::pki_types::pem::PemObject;
            let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| invalid("ca_bundle", format!("PEM tidak sah / invalid PEM: {e}")))?;
            if certs.is_empty() {
                return Err(invalid(
                    "ca_bundle",
                    "tidak ada CERTIFICATE / no CERTIFICATE block",
                ));
            }
        }
        if let Some(n) = &self.name
            && !n.trim().is_empty()
            && n.trim().bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid(
                "name",
                "nama tidak boleh hanya angka (tertukar dengan id) / a name must not be only digits (it would read as an id)",
            ));
        }
        Ok(())
    }

    /// The new application this input describes, validated.
    pub fn into_new(self) -> Result<NewApp, ServiceError> {
        self.check_common()?;
        Ok(NewApp {
            name: required("name", &self.name)?,
            url: required("url", &self.url)?,
            agency: required("agency", &self.agency)?,
            owner: required("owner", &self.owner)?,
            schedule: self
                .schedule
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            timezone: self.timezone.unwrap_or_else(|| "Asia/Jakarta".into()),
            rate_limit: self.rate_limit,
            scope_hosts: self.scope_hosts.unwrap_or_default(),
            public_service: self.public_service.unwrap_or(false),
            personal_data: self.personal_data.unwrap_or(false),
            allow_unsafe_methods: self.allow_unsafe_methods.unwrap_or(false),
            ca_bundle: self.ca_bundle.filter(|p| !p.trim().is_empty()),
            insecure: self.insecure.unwrap_or(false),
        })
    }

    /// The patch this input describes, validated.
    pub fn into_patch(self) -> Result<AppPatch, ServiceError> {
        self.check_common()?;
        Ok(AppPatch {
            name: nonempty("name", &self.name)?,
            url: nonempty("url", &self.url)?,
            agency: nonempty("agency", &self.agency)?,
            owner: nonempty("owner", &self.owner)?,
            schedule: self
                .schedule
                .map(|s| Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            timezone: self.timezone,
            rate_limit: self.rate_limit.map(Some),
            scope_hosts: self.scope_hosts,
            public_service: self.public_service,
            personal_data: self.personal_data,
            allow_unsafe_methods: self.allow_unsafe_methods,
            ca_bundle: self
                .ca_bundle
                .map(|p| Some(p).filter(|p| !p.trim().is_empty())),
            insecure: self.insecure,
        })
    }
}

fn snapshot(a: &App) -> serde_json::Value {
    serde_json::to_value(a).unwrap_or_default()
}

impl Service {
    /// Applications the actor may see.
    pub async fn list_apps(
        &self,
        actor: &Actor,
        filter: &AppFilter,
        paging: Paging,
    ) -> Result<Page<App>, ServiceError> {
        let scope = self.require(actor, "app:read")?;
        Ok(self.store.apps_page(&scope, filter, paging).await?)
    }

    /// One application the actor may see (not found otherwise, whether or not it exists).
    pub async fn app(&self, actor: &Actor, key: &str) -> Result<App, ServiceError> {
        self.app_for(actor, "app:read", key).await
    }

    /// One application on which the actor holds `permission`.
    pub(super) async fn app_for(
        &self,
        actor: &Actor,
        permission: &str,
        key: &str,
    ) -> Result<App, ServiceError> {
        let scope = self.require(actor, permission)?;
        self.store
            .app_in_scope(&scope, key)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                what: "aplikasi/application",
                name: key.to_string(),
            })
    }

    /// Registers an application.
    pub async fn add_app(&self, actor: &Actor, input: AppInput) -> Result<App, ServiceError> {
        self.require(actor, "app:write")?;
        self.add_new_app(actor, input.into_new()?).await
    }

    /// Registers an application already validated (the command line reads its own flags).
    pub async fn add_new_app(&self, actor: &Actor, new: NewApp) -> Result<App, ServiceError> {
        let scope = self.require(actor, "app:write")?;
        if let crate::store::AgencyScope::Only(a) = &scope
            && *a != new.agency
        {
            return Err(ServiceError::Forbidden {
                permission: "app:write".into(),
            });
        }
        let app = self.store.add_app(&new).await?;
        let mut e = Event::on("app.add", "application", app.id);
        e.agency = Some(app.agency.clone());
        e.after = Some(snapshot(&app));
        self.audit(actor, e).await?;
        Ok(app)
    }

    /// Edits an application.
    pub async fn edit_app(
        &self,
        actor: &Actor,
        key: &str,
        input: AppInput,
    ) -> Result<App, ServiceError> {
        self.require(actor, "app:write")?;
        let patch = input.into_patch()?;
        self.patch_app(actor, key, &patch).await
    }

    /// Applies a validated patch to an application.
    pub async fn patch_app(
        &self,
        actor: &Actor,
        key: &str,
        patch: &AppPatch,
    ) -> Result<App, ServiceError> {
        let before = self.app_for(actor, "app:write", key).await?;
        let after = self.store.edit_app(&before.id.to_string(), patch).await?;
        let mut e = Event::on("app.edit", "application", after.id);
        e.agency = Some(after.agency.clone());
        e.before = Some(snapshot(&before));
        e.after = Some(snapshot(&after));
        self.audit(actor, e).await?;
        Ok(after)
    }

    /// Removes an application (with its evaluations when `force`); its audit history stays.
    pub async fn remove_app(
        &self,
        actor: &Actor,
        key: &str,
        force: bool,
    ) -> Result<u64, ServiceError> {
        let app = self.app_for(actor, "app:write", key).await?;
        let n = self.store.remove_app(&app.id.to_string(), force).await?;
        let mut e = Event::on("app.remove", "application", app.id);
        e.agency = Some(app.agency.clone());
        e.before = Some(snapshot(&app));
        e.after = Some(serde_json::json!({ "evaluations_removed": n }));
        self.audit(actor, e).await?;
        Ok(n)
    }

    /// Queues an evaluation of an application now; a worker runs it.
    pub async fn start_evaluation(&self, actor: &Actor, key: &str) -> Result<Job, ServiceError> {
        let app = self.app_for(actor, "evaluation:start", key).await?;
        let job = self.store.enqueue_manual(app.id, self.now()).await?;
        let mut e = Event::on("evaluation.queue", "application", app.id);
        e.agency = Some(app.agency.clone());
        e.after = Some(serde_json::json!({ "job": job.id }));
        self.audit(actor, e).await?;
        Ok(job)
    }
}

impl Service {
    /// Jobs of the queue, newest first. An agency-bound reader must name one of its
    /// applications.
    pub async fn list_jobs(
        &self,
        actor: &Actor,
        status: Option<&str>,
        app: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Job>, ServiceError> {
        self.list_jobs_before(actor, status, app, None, limit).await
    }

    /// One page of the queue: jobs older than job `before`, newest first.
    pub async fn list_jobs_before(
        &self,
        actor: &Actor,
        status: Option<&str>,
        app: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Job>, ServiceError> {
        let scope = self.require(actor, "job:read")?;
        let status = match status {
            Some(s) => Some(
                crate::store::JobStatus::parse(s)
                    .ok_or_else(|| invalid("status", "queued, running, done, failed, cancelled"))?,
            ),
            None => None,
        };
        let app_id = match app {
            Some(k) => Some(self.app_for(actor, "job:read", k).await?.id),
            None if scope != crate::store::AgencyScope::All => {
                return Err(invalid("app", "sebutkan aplikasi / name an application"));
            }
            None => None,
        };
        Ok(self
            .store
            .list_jobs_before(status, app_id, before, limit.clamp(1, 500))
            .await?)
    }
}
