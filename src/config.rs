//! Configuration: `kawal.toml` (optional), then `KAWAL_*` environment, then flags.
//!
//! Flags and environment variables are merged by clap (a flag wins over its variable);
//! this module fills what both left unset from the file, then from defaults.

use crate::i18n::Lang;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default request rate per target host (requests per second).
pub const DEFAULT_RATE: f64 = 10.0;
/// Default cap on a response body.
pub const DEFAULT_BODY_CAP: usize = 2 * 1024 * 1024;

/// A configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("tidak dapat membaca konfigurasi {path}: {source} / cannot read config file")]
    Read {
        /// File path.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// Syntax error, unknown key or wrong type.
    #[error("{path}:{line}:{column}: {key}{message}")]
    Parse {
        /// File path.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// "key 'x': " when known.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A value is out of range.
    #[error("{origin}: '{key}' = {value}: {message}")]
    Invalid {
        /// Where the value came from (file path, variable or flag).
        origin: String,
        /// Key name.
        key: String,
        /// Offending value.
        value: String,
        /// What is allowed.
        message: String,
    },
}

/// The `kawal.toml` file, every key optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: Option<String>,
    /// Output language.
    pub lang: Option<Lang>,
    /// Alternative checklist file.
    pub checklist: Option<PathBuf>,
    /// Network settings.
    #[serde(default)]
    pub net: NetFileConfig,
    /// Session-management checks.
    #[serde(default)]
    pub session: SessionFileConfig,
    /// Global form login: the session checks' fallback when the application has no registered role.
    pub login: Option<LoginFileConfig>,
    /// Agency report settings.
    #[serde(default)]
    pub report: ReportFileConfig,
    /// Access-control check settings.
    #[serde(default)]
    pub access: AccessFileConfig,
    /// Stored evidence settings.
    #[serde(default)]
    pub evidence: EvidenceFileConfig,
    /// Roles to log in as during `kawal scan` (registered applications keep theirs encrypted
    /// in the database: `kawal app auth add`).
    #[serde(default)]
    pub role: Vec<crate::auth::Role>,
    /// The team service (`kawal serve`).
    #[serde(default)]
    pub server: ServerFileConfig,
    /// The issuing office of the SOP workflows' letters, their numbering and signatories.
    #[serde(default)]
    pub agency: AgencyFileConfig,
    /// Outgoing e-mail (SMTP).
    pub mail: Option<crate::notify::MailFileConfig>,
    /// How reports are delivered to the agencies.
    #[serde(default)]
    pub delivery: crate::notify::DeliveryFileConfig,
    /// Reminders for unacknowledged reports and overdue SOP steps.
    #[serde(default)]
    pub reminders: crate::notify::ReminderFileConfig,
    /// Signed webhooks for chat tools and other systems.
    #[serde(default)]
    pub webhook: Vec<crate::notify::WebhookFileConfig>,
    /// Login through the organisation's OpenID Connect provider (optional).
    pub oidc: Option<OidcFileConfig>,
}

/// `[oidc]` table: login through an existing OpenID Connect provider. Roles stay in Kawal:
/// the provider's user must already have a Kawal account of the same name.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFileConfig {
    /// Issuer URL, exactly as the provider's discovery document gives it.
    pub issuer: String,
    /// Kawal's client id at the provider.
    pub client_id: String,
    /// Client secret; prefer `KAWAL_OIDC_CLIENT_SECRET` in the environment.
    pub client_secret: Option<String>,
    /// Scopes requested beside `openid` (default `["profile", "email"]`).
    pub scopes: Option<Vec<String>>,
    /// Claim holding the Kawal user name (default `preferred_username`; `email` matches the
    /// account's e-mail address and needs `email_verified`).
    pub username_claim: Option<String>,
    /// Text of the login button (default "SSO").
    pub label: Option<String>,
}

/// `[agency]` table: letterhead, numbering, signatories and personal-data retention of the
/// SOP workflows.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyFileConfig {
    /// The government above the office (e.g. "PEMERINTAH KABUPATEN TANAH BUMBU").
    pub government: Option<String>,
    /// The office (e.g. "DINAS KOMUNIKASI DAN INFORMATIKA").
    pub office: Option<String>,
    /// Street address on the letterhead.
    pub address: Option<String>,
    /// Phone, e-mail and web line on the letterhead.
    pub contact: Option<String>,
    /// City written before the date.
    pub city: Option<String>,
    /// Letter numbering scheme, e.g. "B/800.3/{seq}/DISKOMINFO/{month-roman}/{year}".
    pub numbering: Option<String>,
    /// Schemes per letter kind, overriding `numbering`.
    #[serde(default)]
    pub numbering_by_kind: std::collections::BTreeMap<String, String>,
    /// Numbering of server-room badges.
    pub badge_numbering: Option<String>,
    /// Folder of edited letter templates (`<kind>.toml`).
    pub letters_dir: Option<PathBuf>,
    /// Days personal data of closed workflows is kept (default 365).
    pub retention_days: Option<u32>,
    /// Hours a single-use credential link stays valid (default 24).
    pub credential_link_hours: Option<u32>,
    /// Who signs for a role.
    #[serde(default)]
    pub signatory: Vec<Signatory>,
}

/// `[[agency.signatory]]`: the official who signs letters for a role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    /// Role id (`checklists/roles.toml`).
    pub role: String,
    /// Full name with titles.
    pub name: String,
    /// Position, e.g. "Kepala Dinas Komunikasi dan Informatika".
    pub title: String,
    /// NIP.
    #[serde(default)]
    pub nip: String,
}

/// `[server]` table: the team service.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerFileConfig {
    /// Address to listen on (default 127.0.0.1:8443).
    pub listen: Option<String>,
    /// Public base URL, used in set-password links (e.g. https://kawal.kominfo.example.go.id).
    pub public_url: Option<String>,
    /// Minutes a session may stay unused (default 15).
    pub idle_timeout_mins: Option<u64>,
    /// Hours a session may last (default 8).
    pub absolute_timeout_hours: Option<u64>,
    /// Reverse proxies whose X-Forwarded-For is believed (with --behind-proxy).
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Failed logins per account and per client within 15 minutes before refusal (default 5).
    pub login_attempts: Option<usize>,
}

/// `[access]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessFileConfig {
    /// Paths only some roles may open, e.g. `{ pattern = "/admin/*", allowed = ["admin"] }`.
    #[serde(default)]
    pub protected: Vec<kawal_access::Protected>,
    /// Extra texts that mean "access denied" on this application's pages.
    #[serde(default)]
    pub denied_markers: Vec<String>,
    /// Extra login paths (a redirect there means "denied").
    #[serde(default)]
    pub login_paths: Vec<String>,
    /// Most replayed requests of the role matrix (default 500).
    pub max_replays: Option<usize>,
}

/// `[evidence]` table: what stored evidence may keep.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFileConfig {
    /// Keep NIK, NPWP, phone numbers and e-mail addresses unmasked in stored evidence
    /// (default false: masked). Only where the agency's data-protection rules allow it.
    #[serde(default)]
    pub keep_personal_data: bool,
}

/// `[report]` table: who issues the agency reports.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFileConfig {
    /// Evaluating office shown on the cover, e.g. "Dinas Komunikasi dan Informatika Kabupaten Bantul".
    pub office: Option<String>,
    /// Evaluator named on the cover when the SOP record names none.
    pub evaluator: Option<String>,
}

/// Default number of tokens collected for the session-token entropy analysis.
pub const DEFAULT_SESSION_SAMPLES: u32 = 1000;

/// Default bound on logins of one role for session-token samples (a pass needs 1000 tokens).
pub const DEFAULT_LOGIN_SAMPLES: u32 = 1000;

/// `[session]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFileConfig {
    /// Fresh-session tokens collected for the entropy analysis (100..=20000, default 1000).
    pub samples: Option<u32>,
    /// Session cookie name (default: inferred from the cookies the application sets).
    pub cookie: Option<String>,
    /// Seconds a logged-in session is left idle before it is replayed; 0 = not measured.
    pub idle_wait_secs: Option<f64>,
    /// Seconds a logged-in session is kept active before it is checked again; 0 = not measured.
    pub absolute_wait_secs: Option<f64>,
    /// Registered role the session tests log in as (default: the lowest privilege).
    pub role: Option<String>,
    /// Most logins of one role for token samples when the session id is issued only at login
    /// (0..=20000, default 1000; 0 = never log in repeatedly).
    pub login_samples: Option<u32>,
}

/// `[login]` table: a form login used only when no role is registered (the password may come
/// from `KAWAL_LOGIN_PASSWORD` instead).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginFileConfig {
    /// URL of the page holding the login form.
    pub url: String,
    /// Name of the user-name field.
    pub username_field: String,
    /// Name of the password field.
    pub password_field: String,
    /// User name of the test account.
    pub username: String,
    /// Password of the test account.
    pub password: Option<String>,
    /// Text that only a logged-in page shows (e.g. "Keluar").
    pub success_marker: Option<String>,
    /// A page only logged-in users may see (default: where the login lands).
    pub protected_url: Option<String>,
    /// Logout URL (default: a logout link or form found on the logged-in page).
    pub logout_url: Option<String>,
}

/// `[net]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetFileConfig {
    /// Requests per second per host; 0 = unlimited.
    pub rate_limit: Option<f64>,
    /// Concurrent requests in flight.
    pub concurrency: Option<usize>,
    /// Connect timeout, seconds.
    pub connect_timeout_secs: Option<f64>,
    /// Read (idle) timeout, seconds.
    pub read_timeout_secs: Option<f64>,
    /// Whole-request timeout, seconds.
    pub total_timeout_secs: Option<f64>,
    /// Response body cap in bytes.
    pub body_cap_bytes: Option<usize>,
    /// Extra CA bundle (PEM) to trust, e.g. a government internal CA.
    pub ca_bundle: Option<PathBuf>,
    /// Scan hosts with invalid certificates.
    pub insecure: Option<bool>,
}

impl FileConfig {
    /// Reads `path`; a missing file at the default location is not an error.
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        FileConfig::parse(path, &text)
    }

    /// Parses config text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<FileConfig, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let column = offset - before.rfind('\n').map_or(0, |p| p + 1) + 1;
            // The key is what stands before '=' on the offending line.
            let line_text = text[offset - (column - 1)..].lines().next().unwrap_or("");
            let key = line_text
                .split_once('=')
                .map(|(k, _)| k.trim())
                .filter(|k| !k.is_empty() && !k.starts_with('['))
                .map(|k| format!("key '{k}': "))
                .unwrap_or_default();
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                key,
                message: e.message().trim().to_string(),
            }
        })
    }

    /// Finds the config file: an explicit path, else `./kawal.toml`, else the user config dir.
    pub fn discover(explicit: Option<&Path>) -> Result<(FileConfig, Option<PathBuf>), ConfigError> {
        if let Some(p) = explicit {
            return Ok((FileConfig::load(p)?, Some(p.to_path_buf())));
        }
        let mut candidates = vec![PathBuf::from("kawal.toml")];
        if let Some(dir) = config_dir() {
            candidates.push(dir.join("kawal.toml"));
        }
        for c in candidates {
            if c.is_file() {
                return Ok((FileConfig::load(&c)?, Some(c)));
            }
        }
        Ok((FileConfig::default(), None))
    }
}

/// Network settings after merging every source.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Requests per second per host; 0 = unlimited.
    pub rate_limit: f64,
    /// Concurrent requests in flight.
    pub concurrency: usize,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Read (idle) timeout.
    pub read_timeout: Duration,
    /// Whole-request timeout.
    pub total_timeout: Duration,
    /// Response body cap in bytes.
    pub body_cap: usize,
    /// Maximum redirects followed within scope.
    pub max_redirects: usize,
    /// Extra CA certificates (PEM).
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Accept invalid certificates (the TLS check still reports them).
    pub insecure: bool,
    /// Host names pinned to addresses, like curl's `--resolve` (ports come from the URL).
    pub resolve: Vec<(String, std::net::IpAddr)>,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            rate_limit: DEFAULT_RATE,
            concurrency: 4,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(40),
            body_cap: DEFAULT_BODY_CAP,
            max_redirects: 10,
            extra_ca_pem: None,
            insecure: false,
            resolve: Vec::new(),
        }
    }
}

impl NetConfig {
    /// Merges overrides (already flag-over-env) over the file over defaults, validating ranges.
    pub fn resolve(
        file: &NetFileConfig,
        origin: &str,
        rate_override: Option<f64>,
        insecure_override: bool,
        ca_override: Option<&Path>,
    ) -> Result<NetConfig, ConfigError> {
        let d = NetConfig::default();
        let invalid = |key: &str, value: String, message: &str| ConfigError::Invalid {
            origin: origin.to_string(),
            key: key.to_string(),
            value,
            message: message.to_string(),
        };
        let rate = rate_override.or(file.rate_limit).unwrap_or(d.rate_limit);
        if !rate.is_finite() || rate < 0.0 {
            return Err(invalid(
                "rate_limit",
                rate.to_string(),
                "must be a number of requests per second >= 0 (0 = unlimited)",
            ));
        }
        let secs = |key: &str, v: Option<f64>, def: Duration| -> Result<Duration, ConfigError> {
            match v {
                None => Ok(def),
                Some(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => {
                    Ok(Duration::from_secs_f64(s))
                }
                Some(s) => Err(invalid(
                    key,
                    s.to_string(),
                    "must be between 0 and 3600 seconds",
                )),
            }
        };
        let concurrency = file.concurrency.unwrap_or(d.concurrency);
        if concurrency == 0 || concurrency > 256 {
            return Err(invalid(
                "concurrency",
                concurrency.to_string(),
                "must be 1..=256",
            ));
        }
        let body_cap = file.body_cap_bytes.unwrap_or(d.body_cap);
        if body_cap < 1024 {
            return Err(invalid(
                "body_cap_bytes",
                body_cap.to_string(),
                "must be at least 1024",
            ));
        }
        let ca_path = ca_override
            .map(Path::to_path_buf)
            .or(file.ca_bundle.clone());
        let extra_ca_pem = match ca_path {
            None => None,
            Some(p) => Some(std::fs::read(&p).map_err(|e| {
                invalid(
                    "ca_bundle",
                    p.display().to_string(),
                    &format!("cannot read: {e}"),
                )
            })?),
        };
        Ok(NetConfig {
            rate_limit: rate,
            concurrency,
            connect_timeout: secs(
                "connect_timeout_secs",
                file.connect_timeout_secs,
                d.connect_timeout,
            )?,
            read_timeout: secs("read_timeout_secs", file.read_timeout_secs, d.read_timeout)?,
            total_timeout: secs(
                "total_timeout_secs",
                file.total_timeout_secs,
                d.total_timeout,
            )?,
            body_cap,
            max_redirects: d.max_redirects,
            extra_ca_pem,
            insecure: insecure_override || file.insecure.unwrap_or(false),
            resolve: Vec::new(),
        })
    }
}

fn config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("kawal"))
}

/// Where Kawal keeps its data (the default SQLite file) when no database URL is given.
pub fn data_dir() -> PathBuf {
    if let Some(h) = std::env::var_os("KAWAL_HOME") {
        return PathBuf::from(h);
    }
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|d| d.join("kawal"))
        .unwrap_or_else(|| PathBuf::from("kawal-data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = "lang = \"en\"\n[net]\nrate = 5\n";
        let err = FileConfig::parse(Path::new("kawal.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("kawal.toml:3:1: key 'rate'"), "{err}");
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn wrong_type_is_reported() {
        let err = FileConfig::parse(Path::new("k.toml"), "[net]\nconcurrency = \"many\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("k.toml:2:"), "{err}");
        assert!(err.contains("concurrency"), "{err}");
    }

    #[test]
    fn flag_beats_file_beats_default() {
        let file = FileConfig::parse(Path::new("k.toml"), "[net]\nrate_limit = 2.5\n").unwrap();
        let n = NetConfig::resolve(&file.net, "k.toml", None, false, None).unwrap();
        assert_eq!(n.rate_limit, 2.5);
        let n = NetConfig::resolve(&file.net, "k.toml", Some(7.0), false, None).unwrap();
        assert_eq!(n.rate_limit, 7.0);
        let n = NetConfig::resolve(&NetFileConfig::default(), "-", None, false, None).unwrap();
        assert_eq!(n.rate_limit, DEFAULT_RATE);
    }

    #[test]
    fn out_of_range_values_are_rejected() {
        let file = FileConfig::parse(Path::new("k.toml"), "[net]\nrate_limit = -1\n").unwrap();
        let err = NetConfig::resolve(&file.net, "k.toml", None, false, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("rate_limit"), "{err}");
        let file = FileConfig::parse(Path::new("k.toml"), "[net]\nconcurrency = 0\n").unwrap();
        assert!(NetConfig::resolve(&file.net, "k.toml", None, false, None).is_err());
    }
}
