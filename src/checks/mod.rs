//! The check framework: the `Check` trait, the context checks share, and the registry.

pub mod access;
pub mod browser;
pub mod cookies;
pub mod errors;
pub mod headers;
pub mod login;
pub mod login_tokens;
pub mod lost;
pub mod session_entropy;
pub mod session_lifecycle;
pub mod session_role;
pub mod setcookie;
pub mod tls;

use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::{Evidence, Exchange, HttpClient, NetError};
use futures_util::future::BoxFuture;
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::OnceCell;
use url::Url;

/// One outcome for one checklist item (or one instance of it, e.g. one cookie).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Observation {
    /// Checklist item id.
    pub item_id: String,
    /// Outcome of this instance.
    pub outcome: Outcome,
    /// What the instance is about (a cookie name, a header, a URL), used in fingerprints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    /// One-sentence explanation.
    pub summary: Text,
    /// Requests and responses that show it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Figures behind the outcome.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub figures: serde_json::Value,
    /// Identity of this finding across evaluations (host, item, locator), set by the evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl Observation {
    /// A new observation without evidence or figures.
    pub fn new(item_id: &str, outcome: Outcome, summary: Text) -> Observation {
        Observation {
            item_id: item_id.to_string(),
            outcome,
            locator: None,
            summary,
            evidence: Vec::new(),
            figures: serde_json::Value::Null,
            fingerprint: None,
        }
    }

    /// An inconclusive observation whose summary is its reason.
    pub fn inconclusive(item_id: &str, why: Text) -> Observation {
        Observation::new(
            item_id,
            Outcome::Inconclusive {
                reason: why.clone(),
            },
            why,
        )
    }

    /// Sets the locator.
    pub fn at(mut self, locator: impl Into<String>) -> Observation {
        self.locator = Some(locator.into());
        self
    }

    /// Adds evidence.
    pub fn with_evidence(mut self, e: Evidence) -> Observation {
        self.evidence.push(e);
        self
    }

    /// Sets the figures.
    pub fn with_figures(mut self, f: serde_json::Value) -> Observation {
        self.figures = f;
        self
    }
}

/// A check could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The network failed.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The target answered something the check cannot use.
    #[error("{0}")]
    Unusable(String),
}

/// Settings of individual checks (from `kawal.toml` and flags).
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Fresh-session tokens collected for the entropy analysis.
    pub session_samples: u32,
    /// Session cookie name, when it cannot be inferred.
    pub session_cookie: Option<String>,
    /// Global form login (`[login]`): the session tests' fallback when no role is registered.
    pub login: Option<login::Recipe>,
    /// The registered role the session tests log in as (default: the lowest privilege).
    pub session_role: Option<String>,
    /// Most logins of one role for session-token samples when the id is issued only at login
    /// (0 = never log in repeatedly).
    pub login_samples: u32,
    /// How long a logged-in session is left idle before replay; zero = not measured.
    pub idle_wait: std::time::Duration,
    /// How long a logged-in session is kept active before it is checked; zero = not measured.
    pub absolute_wait: std::time::Duration,
    /// The registration allows state-changing test requests (POST forms, request bodies).
    pub allow_unsafe_methods: bool,
    /// Roles, protected paths and limits of the access-control check.
    pub access: access::AccessOptions,
    /// Keep personal data (NIK, NPWP, phone, e-mail) unmasked in stored evidence.
    pub keep_personal_data: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            session_samples: crate::config::DEFAULT_SESSION_SAMPLES,
            session_cookie: None,
            login: None,
            session_role: None,
            login_samples: crate::config::DEFAULT_LOGIN_SAMPLES,
            idle_wait: std::time::Duration::ZERO,
            absolute_wait: std::time::Duration::ZERO,
            allow_unsafe_methods: false,
            access: access::AccessOptions::default(),
            keep_personal_data: false,
        }
    }
}

/// What a check gets: the target, the shared client, and shared fetches.
pub struct Context {
    /// The application's base URL.
    pub target: Url,
    /// The one HTTP client.
    pub http: Arc<HttpClient>,
    /// Settings of individual checks.
    pub options: CheckOptions,
    landing: OnceCell<Result<Arc<Exchange>, NetError>>,
    /// Orders checks that log test accounts in and out against checks that hold their sessions:
    /// an application allowing one session per account ends the older one at each new login.
    logins: tokio::sync::RwLock<()>,
}

impl Context {
    /// A context for `target`.
    pub fn new(target: Url, http: Arc<HttpClient>) -> Context {
        Context::with_options(target, http, CheckOptions::default())
    }

    /// A context for `target` with check settings.
    pub fn with_options(target: Url, http: Arc<HttpClient>, options: CheckOptions) -> Context {
        Context {
            target,
            http,
            options,
            landing: OnceCell::new(),
            logins: tokio::sync::RwLock::new(()),
        }
    }

    /// The target's landing page (fetched once and shared by every check).
    pub async fn landing(&self) -> Result<Arc<Exchange>, NetError> {
        self.landing
            .get_or_init(|| async { self.http.get(&self.target).await.map(Arc::new) })
            .await
            .clone()
    }

    /// Held while a check logs test accounts in or out (no other check holds their sessions);
    /// `None` when no account is configured, so nothing waits for nothing.
    pub async fn exclusive_logins(&self) -> Option<tokio::sync::RwLockWriteGuard<'_, ()>> {
        if self.options.access.roles.is_empty() && self.options.login.is_none() {
            return None;
        }
        Some(self.logins.write().await)
    }

    /// Held while a check uses logged-in sessions that another login could end.
    pub async fn shared_sessions(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.logins.read().await
    }
}

/// An automated check that produces outcomes for some checklist items.
pub trait Check: Send + Sync {
    /// The name checklist items use in their `check` field.
    fn name(&self) -> &'static str;
    /// The checklist item ids this check decides.
    fn items(&self) -> &'static [&'static str];
    /// Runs the check; an error turns every item it covers into `Inconclusive`.
    fn run<'a>(&'a self, ctx: &'a Context) -> BoxFuture<'a, Result<Vec<Observation>, CheckError>>;
}

/// Every automated check in this build.
pub fn registry() -> Vec<Box<dyn Check>> {
    vec![
        Box::new(cookies::CookieCheck),
        Box::new(headers::HeaderCheck),
        Box::new(tls::TlsCheck),
        Box::new(errors::ErrorLeakCheck),
        Box::new(session_entropy::SessionEntropyCheck),
        Box::new(session_lifecycle::SessionLifecycleCheck),
        Box::new(access::AccessCheck),
    ]
}
