//! The `[mail]`, `[delivery]`, `[reminders]` and `[[webhook]]` tables of `kawal.toml`, and
//! their validation into the settings the notifier runs on (pure: the environment is passed in).

use crate::config::ConfigError;
use crate::i18n::Lang;
use lettre::message::Mailbox;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Environment variable holding the SMTP password (preferred over `[mail] password`).
pub const SMTP_PASSWORD_ENV: &str = "KAWAL_SMTP_PASSWORD";

/// Shortest webhook secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// `[mail]` table: the SMTP server reports and reminders are sent through.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFileConfig {
    /// SMTP server host name.
    pub host: Option<String>,
    /// Port (default: 465 for `tls`, 587 for `starttls`, 25 for `none`).
    pub port: Option<u16>,
    /// `starttls` (default), `tls` (implicit TLS, "SMTPS") or `none` (loopback relays only).
    pub tls: Option<String>,
    /// SMTP user name.
    pub username: Option<String>,
    /// SMTP password (better: the `KAWAL_SMTP_PASSWORD` environment variable).
    pub password: Option<String>,
    /// Sender, e.g. `Kawal Diskominfo <kawal@diskominfo.example.go.id>`.
    pub from: Option<String>,
    /// Extra CA certificates (PEM) trusted for the SMTP server, e.g. a government CA.
    pub ca_bundle: Option<PathBuf>,
    /// Seconds to wait for the server (default 30).
    pub timeout_secs: Option<u64>,
}

/// `[delivery]` table: how reports reach the agencies.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryFileConfig {
    /// `attachment` (PDF attached, default) or `link` (a link into Kawal).
    pub mode: Option<String>,
    /// Per-agency preference, e.g. `{ "BKPSDM" = "link" }`.
    #[serde(default)]
    pub agencies: BTreeMap<String, String>,
    /// Language of the report sent (default `id`).
    pub lang: Option<Lang>,
    /// Attempts per message before it is marked failed (default 10).
    pub max_attempts: Option<i64>,
    /// First retry delay in seconds, doubled on each attempt up to 6 hours (default 60).
    pub retry_base_secs: Option<u64>,
}

/// `[reminders]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderFileConfig {
    /// Remind the owners of a report not acknowledged after this many days (default 3; 0 = never).
    pub unacknowledged_days: Option<u32>,
    /// Addresses told about overdue SOP steps (e.g. the security section's mailbox).
    #[serde(default)]
    pub overdue_to: Vec<String>,
}

/// One `[[webhook]]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookFileConfig {
    /// Name, recorded with each message.
    pub name: String,
    /// Endpoint (`https://`; `http://` only to a loopback address).
    pub url: String,
    /// Shared secret for the HMAC-SHA256 signature (at least 32 characters).
    pub secret: Option<String>,
    /// Environment variable holding the secret instead.
    pub secret_env: Option<String>,
    /// Events sent (default all): `evaluation.finished`, `decision.needed`, `sla.breach`.
    #[serde(default)]
    pub events: Vec<String>,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTls {
    /// STARTTLS, required (no fallback to plaintext).
    Starttls,
    /// Implicit TLS from the first byte.
    Tls,
    /// Plaintext: only to a relay on this machine.
    None,
}

/// Validated SMTP settings.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Protection.
    pub tls: MailTls,
    /// User name and password.
    pub credentials: Option<(String, String)>,
    /// Sender.
    pub from: Mailbox,
    /// Extra CA certificates (PEM).
    pub ca_pem: Option<Vec<u8>>,
    /// Server timeout.
    pub timeout: Duration,
}

/// How a report reaches an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryMode {
    /// The PDF attached to the e-mail.
    Attachment,
    /// A link to the report in Kawal.
    Link,
}

impl DeliveryMode {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMode::Attachment => "attachment",
            DeliveryMode::Link => "link",
        }
    }

    fn parse(s: &str) -> Option<DeliveryMode> {
        match s {
            "attachment" => Some(DeliveryMode::Attachment),
            "link" => Some(DeliveryMode::Link),
            _ => None,
        }
    }
}

/// Validated delivery settings (the service's part).
#[derive(Debug, Clone)]
pub struct DeliveryPolicy {
    /// Mode for agencies without a preference.
    pub default_mode: DeliveryMode,
    /// Per-agency preferences.
    pub agencies: BTreeMap<String, DeliveryMode>,
    /// Language of the report sent.
    pub lang: Lang,
    /// Attempts per message.
    pub max_attempts: i64,
    /// First retry delay.
    pub retry_base: Duration,
    /// Public base URL of Kawal (links in messages), without a trailing slash.
    pub public_url: Option<String>,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            default_mode: DeliveryMode::Attachment,
            agencies: BTreeMap::new(),
            lang: Lang::Id,
            max_attempts: 10,
            retry_base: Duration::from_secs(60),
            public_url: None,
        }
    }
}

impl DeliveryPolicy {
    /// The mode an agency asked for.
    pub fn mode_for(&self, agency: &str) -> DeliveryMode {
        self.agencies
            .get(agency)
            .copied()
            .unwrap_or(self.default_mode)
    }

    /// Delay before attempt `attempts + 1`: the base doubled per attempt made, at most 6 h.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
        self.retry_base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(Duration::from_secs(6 * 3600))
    }
}

/// Events a webhook can receive.
pub const EVENTS: [&str; 3] = ["evaluation.finished", "decision.needed", "sla.breach"];

/// A validated webhook.
#[derive(Clone)]
pub struct Webhook {
    /// Name.
    pub name: String,
    /// Endpoint.
    pub url: url::Url,
    /// Signing secret.
    pub secret: Vec<u8>,
    /// Events sent.
    pub events: Vec<String>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never reaches a log.
        f.debug_struct("Webhook")
            .field("name", &self.name)
            .field("url", &self.url.as_str())
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// Reminder settings.
#[derive(Debug, Clone, Default)]
pub struct Reminders {
    /// Days before an unacknowledged report is reminded (0 = never).
    pub unacknowledged_days: u32,
    /// Who hears about overdue SOP steps.
    pub overdue_to: Vec<Mailbox>,
}

/// Everything the notifier runs on.
#[derive(Debug, Clone, Default)]
pub struct NotifySettings {
    /// SMTP; `None` when `[mail]` is absent (messages wait in the outbox, with that reason).
    pub mail: Option<MailSettings>,
    /// Delivery policy.
    pub delivery: DeliveryPolicy,
    /// Reminders.
    pub reminders: Reminders,
    /// Webhooks.
    pub webhooks: Vec<Webhook>,
}

/// The file's tables, as [`NotifySettings::resolve`] takes them.
pub struct Sources<'a> {
    /// `[mail]`.
    pub mail: Option<&'a MailFileConfig>,
    /// `[delivery]`.
    pub delivery: &'a DeliveryFileConfig,
    /// `[reminders]`.
    pub reminders: &'a ReminderFileConfig,
    /// `[[webhook]]`.
    pub webhooks: &'a [WebhookFileConfig],
    /// `[server] public_url`.
    pub public_url: Option<&'a str>,
}

struct Check<'a> {
    origin: &'a str,
}

impl Check<'_> {
    fn err(&self, key: &str, value: impl std::fmt::Display, message: &str) -> ConfigError {
        ConfigError::Invalid {
            origin: self.origin.to_string(),
            key: key.to_string(),
            value: value.to_string(),
            message: message.to_string(),
        }
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Parses an e-mail address (optionally with a display name).
pub fn mailbox(s: &str) -> Result<Mailbox, String> {
    s.trim().parse::<Mailbox>().map_err(|e| {
        format!(
            "'{s}' bukan alamat surel yang sah / is not a valid e-mail address ({e}); contoh / e.g. \"Kawal <kawal@diskominfo.example.go.id>\""
        )
    })
}

impl NotifySettings {
    /// Validates the tables; `env` reads environment variables. Every error names the key,
    /// the value and what to write instead.
    pub fn resolve(
        src: &Sources<'_>,
        origin: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<NotifySettings, ConfigError> {
        let c = Check { origin };
        Ok(NotifySettings {
            mail: src.mail.map(|m| mail(&c, m, env)).transpose()?,
            delivery: delivery(&c, src.delivery, src.public_url)?,
            reminders: reminders(&c, src.reminders)?,
            webhooks: webhooks(&c, src.webhooks, env)?,
        })
    }
}

impl DeliveryPolicy {
    /// Validates `[delivery]` alone (what the service needs; no environment involved).
    pub fn resolve(
        d: &DeliveryFileConfig,
        public_url: Option<&str>,
        origin: &str,
    ) -> Result<DeliveryPolicy, ConfigError> {
        delivery(&Check { origin }, d, public_url)
    }
}

fn mail(
    c: &Check<'_>,
    m: &MailFileConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<MailSettings, ConfigError> {
    let host = m.host.as_deref().map(str::trim).unwrap_or_default();
    if host.is_empty() || host.contains(['/', ' ', ':']) && !host.starts_with('[') {
        return Err(c.err(
            "mail.host",
            format!("{host:?}"),
            "nama host server SMTP wajib diisi, tanpa skema atau port / the SMTP server's host name is required, without scheme or port (e.g. host = \"mail.example.go.id\", port = 587)",
        ));
    }
    let tls = match m.tls.as_deref().unwrap_or("starttls") {
        "starttls" => MailTls::Starttls,
        "tls" => MailTls::Tls,
        "none" => MailTls::None,
        other => {
            return Err(c.err(
                "mail.tls",
                other,
                "gunakan / use \"starttls\" (port 587), \"tls\" (port 465) atau/or \"none\" (relay lokal saja / local relay only)",
            ));
        }
    };
    if tls == MailTls::None && !is_loopback_host(host) {
        return Err(c.err(
            "mail.tls",
            "none",
            "SMTP tanpa TLS hanya diizinkan ke relay di mesin ini (localhost); laporan dan kata sandi akan terkirim tanpa enkripsi / plaintext SMTP is allowed only to a relay on this machine (localhost): reports and passwords would travel unencrypted. Use \"starttls\" or \"tls\"",
        ));
    }
    let port = m.port.unwrap_or(match tls {
        MailTls::Starttls => 587,
        MailTls::Tls => 465,
        MailTls::None => 25,
    });
    if port == 0 {
        return Err(c.err("mail.port", port, "must be 1..=65535"));
    }
    let password = env(SMTP_PASSWORD_ENV)
        .filter(|p| !p.is_empty())
        .or_else(|| m.password.clone());
    let credentials = match (m.username.as_deref().map(str::trim), password) {
        (Some(u), Some(p)) if !u.is_empty() => Some((u.to_string(), p)),
        (Some(u), None) if !u.is_empty() => {
            return Err(c.err(
                "mail.password",
                "(kosong/empty)",
                &format!(
                    "username '{u}' perlu kata sandi: setel {SMTP_PASSWORD_ENV} / the user name needs a password: set {SMTP_PASSWORD_ENV} (or [mail] password)"
                ),
            ));
        }
        (_, Some(_)) => {
            return Err(c.err(
                "mail.username",
                "(kosong/empty)",
                "kata sandi diberikan tanpa username / a password was given without a user name",
            ));
        }
        _ => None,
    };
    if credentials.is_some() && tls == MailTls::None {
        return Err(c.err(
            "mail.tls",
            "none",
            "kredensial tidak dikirim tanpa TLS / credentials are never sent without TLS",
        ));
    }
    let from_text = m.from.as_deref().unwrap_or_default();
    let from = mailbox(from_text).map_err(|e| c.err("mail.from", format!("{from_text:?}"), &e))?;
    let ca_pem = match &m.ca_bundle {
        None => None,
        Some(p) => {
            let pem = std::fs::read(p).map_err(|e| {
                c.err(
                    "mail.ca_bundle",
                    p.display(),
                    &format!("tidak dapat dibaca / cannot read: {e}"),
                )
            })?;
            lettre::transport::smtp::client::Certificate::from_pem(&pem).map_err(|e| {
                c.err(
                    "mail.ca_bundle",
                    p.display(),
                    &format!("bukan sertifikat PEM / not a PEM certificate: {e}"),
                )
            })?;
            Some(pem)
        }
    };
    let secs = m.timeout_secs.unwrap_or(30);
    if !(1..=600).contains(&secs) {
        return Err(c.err("mail.timeout_secs", secs, "must be 1..=600"));
    }
    Ok(MailSettings {
        host: host.to_string(),
        port,
        tls,
        credentials,
        from,
        ca_pem,
        timeout: Duration::from_secs(secs),
    })
}

fn mode(c: &Check<'_>, key: &str, s: &str) -> Result<DeliveryMode, ConfigError> {
    DeliveryMode::parse(s).ok_or_else(|| {
        c.err(
            key,
            format!("{s:?}"),
            "gunakan / use \"attachment\" (PDF terlampir / PDF attached) atau/or \"link\"",
        )
    })
}

fn delivery(
    c: &Check<'_>,
    d: &DeliveryFileConfig,
    public_url: Option<&str>,
) -> Result<DeliveryPolicy, ConfigError> {
    let base = DeliveryPolicy::default();
    let default_mode = match &d.mode {
        Some(m) => mode(c, "delivery.mode", m)?,
        None => base.default_mode,
    };
    let mut agencies = BTreeMap::new();
    for (agency, m) in &d.agencies {
        agencies.insert(
            agency.clone(),
            mode(c, &format!("delivery.agencies.\"{agency}\""), m)?,
        );
    }
    let public_url = public_url
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| {
            url::Url::parse(u)
                .ok()
                .filter(|p| matches!(p.scheme(), "https" | "http") && p.host_str().is_some())
                .map(|_| u.trim_end_matches('/').to_string())
                .ok_or_else(|| {
                    c.err(
                        "server.public_url",
                        u,
                        "harus URL http(s) lengkap / must be a full http(s) URL, e.g. https://kawal.diskominfo.example.go.id",
                    )
                })
        })
        .transpose()?;
    let uses_link =
        default_mode == DeliveryMode::Link || agencies.values().any(|m| *m == DeliveryMode::Link);
    if uses_link && public_url.is_none() {
        return Err(c.err(
            "delivery.mode",
            "\"link\"",
            "pengiriman berupa tautan perlu [server] public_url / link delivery needs [server] public_url (the address owners open Kawal at)",
        ));
    }
    let max_attempts = d.max_attempts.unwrap_or(base.max_attempts);
    if !(1..=50).contains(&max_attempts) {
        return Err(c.err("delivery.max_attempts", max_attempts, "must be 1..=50"));
    }
    let retry = d.retry_base_secs.unwrap_or(60);
    if !(1..=3600).contains(&retry) {
        return Err(c.err("delivery.retry_base_secs", retry, "must be 1..=3600"));
    }
    Ok(DeliveryPolicy {
        default_mode,
        agencies,
        lang: d.lang.unwrap_or_default(),
        max_attempts,
        retry_base: Duration::from_secs(retry),
        public_url,
    })
}

fn reminders(c: &Check<'_>, r: &ReminderFileConfig) -> Result<Reminders, ConfigError> {
    let days = r.unacknowledged_days.unwrap_or(3);
    if days > 90 {
        return Err(c.err(
            "reminders.unacknowledged_days",
            days,
            "must be 0..=90 (0 = never)",
        ));
    }
    let overdue_to = r
        .overdue_to
        .iter()
        .map(|a| mailbox(a).map_err(|e| c.err("reminders.overdue_to", format!("{a:?}"), &e)))
        .collect::<Result<_, _>>()?;
    Ok(Reminders {
        unacknowledged_days: days,
        overdue_to,
    })
}

fn webhooks(
    c: &Check<'_>,
    hooks: &[WebhookFileConfig],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Webhook>, ConfigError> {
    let mut out: Vec<Webhook> = Vec::new();
    for h in hooks {
        let key = |k: &str| format!("webhook \"{}\".{k}", h.name);
        if h.name.trim().is_empty() || out.iter().any(|o| o.name == h.name) {
            return Err(c.err(
                "webhook.name",
                format!("{:?}", h.name),
                "setiap [[webhook]] perlu nama unik / every [[webhook]] needs a unique name",
            ));
        }
        let url = url::Url::parse(h.url.trim()).map_err(|e| {
            c.err(
                &key("url"),
                &h.url,
                &format!("bukan URL / not a URL ({e}); contoh / e.g. https://chat.example.go.id/hooks/kawal"),
            )
        })?;
        let host = url.host_str().unwrap_or_default();
        let ok = match url.scheme() {
            "https" => !host.is_empty(),
            "http" => is_loopback_host(host),
            _ => false,
        };
        if !ok || !url.username().is_empty() || url.password().is_some() {
            return Err(c.err(
                &key("url"),
                &h.url,
                "harus https:// tanpa kredensial di URL (http:// hanya ke localhost) / must be https:// with no credentials in the URL (http:// only to localhost)",
            ));
        }
        let secret = match (&h.secret, &h.secret_env) {
            (Some(_), Some(_)) => {
                return Err(c.err(
                    &key("secret"),
                    "(secret dan/and secret_env)",
                    "pilih salah satu / give one of secret or secret_env",
                ));
            }
            (Some(s), None) => s.clone(),
            (None, Some(v)) => env(v).unwrap_or_default(),
            (None, None) => String::new(),
        };
        if secret.len() < MIN_SECRET_LEN {
            let shown = h
                .secret_env
                .as_ref()
                .map_or_else(|| "(rahasia/secret)".to_string(), |v| format!("${v}"));
            return Err(c.err(
                &key("secret"),
                shown,
                &format!(
                    "rahasia penandatangan minimal {MIN_SECRET_LEN} karakter, buat dengan / the signing secret needs at least {MIN_SECRET_LEN} characters; make one with: openssl rand -hex 32"
                ),
            ));
        }
        let events = if h.events.is_empty() {
            EVENTS.iter().map(|e| e.to_string()).collect()
        } else {
            for e in &h.events {
                if !EVENTS.contains(&e.as_str()) {
                    return Err(c.err(
                        &key("events"),
                        format!("{e:?}"),
                        &format!(
                            "peristiwa tidak dikenal / unknown event (known: {})",
                            EVENTS.join(", ")
                        ),
                    ));
                }
            }
            h.events.clone()
        };
        out.push(Webhook {
            name: h.name.clone(),
            url,
            secret: secret.into_bytes(),
            events,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(
        mail: Option<MailFileConfig>,
        hooks: Vec<WebhookFileConfig>,
    ) -> Result<NotifySettings, ConfigError> {
        let d = DeliveryFileConfig::default();
        let r = ReminderFileConfig::default();
        NotifySettings::resolve(
            &Sources {
                mail: mail.as_ref(),
                delivery: &d,
                reminders: &r,
                webhooks: &hooks,
                public_url: None,
            },
            "kawal.toml",
            &|_| None,
        )
    }

    fn good_mail() -> MailFileConfig {
        MailFileConfig {
            host: Some("mail.example.go.id".into()),
            from: Some("Kawal <kawal@example.go.id>".into()),
            ..MailFileConfig::default()
        }
    }

    #[test]
    fn mail_defaults_to_required_starttls_on_587() {
        let m = resolve(Some(good_mail()), vec![])
            .expect("ok")
            .mail
            .expect("mail");
        assert_eq!((m.tls, m.port), (MailTls::Starttls, 587));
    }

    #[test]
    fn bad_mail_settings_name_the_key_and_the_fix() {
        let e = resolve(
            Some(MailFileConfig {
                from: Some("not an address".into()),
                ..good_mail()
            }),
            vec![],
        )
        .expect_err("bad from")
        .to_string();
        assert!(e.contains("mail.from") && e.contains("e.g."), "{e}");
        let e = resolve(
            Some(MailFileConfig {
                tls: Some("none".into()),
                ..good_mail()
            }),
            vec![],
        )
        .expect_err("plaintext to a remote host")
        .to_string();
        assert!(e.contains("mail.tls") && e.contains("localhost"), "{e}");
        let e = resolve(
            Some(MailFileConfig {
                username: Some("kawal".into()),
                ..good_mail()
            }),
            vec![],
        )
        .expect_err("user without password")
        .to_string();
        assert!(e.contains(SMTP_PASSWORD_ENV), "{e}");
        let e = resolve(
            Some(MailFileConfig {
                host: Some("smtp://mail.example.go.id".into()),
                ..good_mail()
            }),
            vec![],
        )
        .expect_err("scheme in host")
        .to_string();
        assert!(e.contains("mail.host"), "{e}");
    }

    #[test]
    fn webhook_url_and_secret_are_checked() {
        let hook = |url: &str, secret: &str| WebhookFileConfig {
            name: "chat".into(),
            url: url.into(),
            secret: Some(secret.into()),
            ..WebhookFileConfig::default()
        };
        let long = "k".repeat(40);
        assert!(resolve(None, vec![hook("https://chat.example.go.id/h", &long)]).is_ok());
        assert!(resolve(None, vec![hook("http://127.0.0.1:9/h", &long)]).is_ok());
        let e = resolve(None, vec![hook("http://chat.example.go.id/h", &long)])
            .expect_err("plain http to a remote host")
            .to_string();
        assert!(e.contains("webhook \"chat\".url"), "{e}");
        let e = resolve(None, vec![hook("chat.example.go.id", &long)])
            .expect_err("no scheme")
            .to_string();
        assert!(e.contains("not a URL"), "{e}");
        let e = resolve(None, vec![hook("https://chat.example.go.id/h", "short")])
            .expect_err("short secret")
            .to_string();
        assert!(e.contains("openssl rand -hex 32"), "{e}");
        assert!(!e.contains("short"), "the secret is never echoed: {e}");
    }

    #[test]
    fn link_delivery_needs_a_public_url_and_backoff_doubles() {
        let d = DeliveryFileConfig {
            mode: Some("link".into()),
            ..DeliveryFileConfig::default()
        };
        let r = ReminderFileConfig::default();
        let src = |public_url| Sources {
            mail: None,
            delivery: &d,
            reminders: &r,
            webhooks: &[],
            public_url,
        };
        let e = NotifySettings::resolve(&src(None), "k.toml", &|_| None)
            .expect_err("no public url")
            .to_string();
        assert!(e.contains("public_url"), "{e}");
        let s = NotifySettings::resolve(&src(Some("https://kawal.example.go.id/")), "k", &|_| None)
            .expect("ok");
        assert_eq!(
            s.delivery.public_url.as_deref(),
            Some("https://kawal.example.go.id")
        );
        let p = DeliveryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_secs(60));
        assert_eq!(p.backoff(3), Duration::from_secs(240));
        assert_eq!(p.backoff(40), Duration::from_secs(6 * 3600));
    }
}
