//! The application layer: every operation of the team service, taking the acting user and
//! enforcing permissions and agency scope. The CLI and the HTTP API are adapters over it.

mod access;
mod apps;
mod audit;
mod dashboard;
mod delivery;
mod evaluations;
mod fixes;
mod identity;
mod letters;
mod oidc;
mod registrations;
mod sop;
mod users;
mod visits;
mod workflows;

pub use access::{Credential, device_mismatch};
pub use apps::{AppInput, validate_url};
pub use dashboard::{AppSummary, Overview, Trend, WaitingStep};
pub use delivery::{AckInput, Acknowledged, DELIVERY_STEP, SendInput};
pub use evaluations::{ReportFile, ReportFormat, ReportSettings, branch, context, render};
pub use fixes::{FixInput, FixReported};
pub use identity::{LoginOutcome, SessionInfo};
pub use letters::{DocFormat, Document, render as render_letter};
pub use oidc::{OidcCallback, OidcStart};
pub use sop::{DecideInput, FindingStatusInput, ManualInput, SopRecord, StepInput};
pub use users::{NewToken, NewUser, UserCreated};
pub use visits::{Checkout, Recap, month_bounds, recap};
pub use workflows::{
    AdvanceInput, Advanced, DueView, StartInput, StepView, WORKFLOW_PERMISSIONS, WorkflowSettings,
    WorkflowView, letter_of, sop_of, start_permission,
};

use crate::i18n::Lang;
use crate::store::{Account, AgencyScope, Store, StoreError};
use crate::team::audit::Content;
use crate::team::session::{SessionPolicy, Throttle};
use crate::team::{Reach, Roles};
use crate::worker::Clock;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// How the acting user reached Kawal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The local command line.
    Cli,
    /// A browser session.
    Session,
    /// An API token (by id), limited to its scopes.
    Token(i64),
    /// Kawal's own housekeeping in `kawal serve` (retention purge).
    System,
}

/// The user an operation is done for.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account; `None` only for the local operator of a Kawal without accounts.
    pub account: Option<Account>,
    /// Permissions of the token's scopes, when acting through a token.
    pub token_scopes: Option<BTreeSet<String>>,
    /// Client address, for the audit trail.
    pub client: Option<String>,
    /// How the user came in.
    pub via: Via,
}

impl Actor {
    /// The local operator of a Kawal that has no accounts yet: may do everything (as before
    /// accounts existed) and is audited as `lokal:<os-user>`.
    pub fn local_operator() -> Actor {
        Actor {
            account: None,
            token_scopes: None,
            client: None,
            via: Via::Cli,
        }
    }

    /// Kawal itself, for the housekeeping `kawal serve` does on its own; audited as
    /// `sistem:kawal`.
    pub fn system() -> Actor {
        Actor {
            account: None,
            token_scopes: None,
            client: None,
            via: Via::System,
        }
    }

    /// A user of the command line.
    pub fn cli(account: Account) -> Actor {
        Actor {
            account: Some(account),
            token_scopes: None,
            client: None,
            via: Via::Cli,
        }
    }

    /// The name the audit trail records.
    pub fn name(&self) -> String {
        match &self.account {
            Some(a) => a.username.clone(),
            None if self.via == Via::System => "sistem:kawal".into(),
            None => format!(
                "lokal:{}",
                std::env::var("USER").unwrap_or_else(|_| "operator".into())
            ),
        }
    }
}

/// An operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid credentials.
    #[error("perlu masuk / authentication required")]
    Unauthenticated,
    /// The user lacks the permission.
    #[error("tidak diizinkan / not permitted: {permission}")]
    Forbidden {
        /// The permission missing.
        permission: String,
    },
    /// Nothing visible by that id (also what out-of-scope objects look like).
    #[error("{what} '{name}' tidak ditemukan / not found")]
    NotFound {
        /// Kind of object.
        what: &'static str,
        /// Id or name given.
        name: String,
    },
    /// A field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// Field name.
        field: String,
        /// What is wrong and how to fix it (both languages).
        message: String,
    },
    /// The request conflicts with stored state.
    #[error("{0}")]
    Conflict(String),
    /// Too many failed attempts.
    #[error("terlalu banyak percobaan; coba lagi nanti / too many attempts; try again later")]
    Throttled,
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
    /// Anything else that is not the user's fault.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, name } => ServiceError::NotFound { what, name },
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            e => ServiceError::Store(e),
        }
    }
}

/// Settings of the service.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Session timeouts.
    pub sessions: SessionPolicy,
    /// Failed logins allowed per account and per client in `throttle_window`.
    pub throttle_limit: usize,
    /// Throttling window.
    pub throttle_window: std::time::Duration,
    /// How long a set-password link stays valid.
    pub setup_link_ttl: std::time::Duration,
    /// Report rendering settings.
    pub report: ReportSettings,
    /// SOP workflows: letterhead, numbering, signatories, retention.
    pub workflows: WorkflowSettings,
    /// How reports are delivered to the agencies.
    pub delivery: crate::notify::DeliveryPolicy,
    /// Login through the organisation's OpenID Connect provider, when configured.
    pub oidc: Option<Arc<crate::team::oidc::Provider>>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            sessions: SessionPolicy::default(),
            throttle_limit: 5,
            throttle_window: std::time::Duration::from_secs(15 * 60),
            setup_link_ttl: std::time::Duration::from_secs(72 * 3600),
            report: ReportSettings::default(),
            workflows: WorkflowSettings::default(),
            delivery: crate::notify::DeliveryPolicy::default(),
            oidc: None,
        }
    }
}

/// The application layer.
pub struct Service {
    store: Arc<Store>,
    roles: Roles,
    clock: Arc<dyn Clock>,
    config: ServiceConfig,
    throttle: Mutex<Throttle>,
    counts: dashboard::CountsCache,
}

impl Service {
    /// A service over `store`.
    pub fn new(
        store: Arc<Store>,
        roles: Roles,
        clock: Arc<dyn Clock>,
        config: ServiceConfig,
    ) -> Service {
        let throttle = Mutex::new(Throttle::new(config.throttle_limit, config.throttle_window));
        Service {
            store,
            roles,
            clock,
            config,
            throttle,
            counts: Mutex::default(),
        }
    }

    /// The store beneath.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The settings.
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    /// The permission matrix.
    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// The current time.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The agencies `actor` may act on with `permission`, or `Forbidden`.
    pub fn require(&self, actor: &Actor, permission: &str) -> Result<AgencyScope, ServiceError> {
        let forbidden = || ServiceError::Forbidden {
            permission: permission.to_string(),
        };
        let Some(account) = &actor.account else {
            return Ok(AgencyScope::All);
        };
        if account.disabled {
            return Err(ServiceError::Unauthenticated);
        }
        if let Some(scopes) = &actor.token_scopes
            && !scopes.contains(permission)
        {
            return Err(forbidden());
        }
        match self.roles.reach(&account.roles, permission) {
            Some(Reach::All) => Ok(AgencyScope::All),
            // An agency-bound role without an agency sees nothing: an empty name matches none.
            Some(Reach::Agency) => Ok(AgencyScope::Only(
                account.agency.clone().unwrap_or_default(),
            )),
            None => Err(forbidden()),
        }
    }

    /// Whether `actor` holds `permission` at all.
    pub fn may(&self, actor: &Actor, permission: &str) -> bool {
        self.require(actor, permission).is_ok()
    }

    /// Appends to the audit trail. A failure to audit fails the operation's caller.
    pub async fn audit(&self, actor: &Actor, event: Event<'_>) -> Result<(), ServiceError> {
        let c = Content {
            at: crate::team::audit::timestamp(self.now()),
            actor: event
                .actor
                .map(str::to_string)
                .unwrap_or_else(|| actor.name()),
            client: actor.client.clone(),
            action: event.action.to_string(),
            object_kind: event.kind.map(str::to_string),
            object_id: event.id,
            agency: event.agency,
            before: event.before,
            after: event.after,
        };
        self.store.audit_append(&c).await?;
        Ok(())
    }
}

/// One audit event (see [`Service::audit`]).
#[derive(Debug, Default)]
pub struct Event<'a> {
    /// Action, e.g. `app.edit`.
    pub action: &'a str,
    /// Actor name to record instead of the acting user (a failed login names the account tried).
    pub actor: Option<&'a str>,
    /// Object kind.
    pub kind: Option<&'a str>,
    /// Object id or name.
    pub id: Option<String>,
    /// Object's agency.
    pub agency: Option<String>,
    /// Values before.
    pub before: Option<serde_json::Value>,
    /// Values after.
    pub after: Option<serde_json::Value>,
}

impl<'a> Event<'a> {
    /// An event of `action` on object `kind` `id`.
    pub fn on(action: &'a str, kind: &'a str, id: impl ToString) -> Event<'a> {
        Event {
            action,
            kind: Some(kind),
            id: Some(id.to_string()),
            ..Event::default()
        }
    }
}

/// Message language of a request.
pub fn lang_of(accept_language: Option<&str>) -> Lang {
    match accept_language {
        Some(h) if h.trim_start().to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Id,
    }
}
