//! Notifications: report e-mails to the responsible agency, reminders, and signed webhooks.
//!
//! Everything goes through the outbox table: an operation only queues a message, and the
//! loop in [`outbox`] sends it, retrying with backoff, so a slow or absent mail server never
//! blocks an evaluation or a request.

pub mod config;
pub mod events;
pub mod mail;
pub mod messages;
pub mod outbox;
pub mod sign;
pub mod webhook;

pub use config::{
    DeliveryFileConfig, DeliveryMode, DeliveryPolicy, MailFileConfig, NotifySettings,
    ReminderFileConfig, WebhookFileConfig,
};
pub use mail::{Mail, Mailer, SendError};
pub use messages::Messages;

use crate::store::DueMessage;
use time::OffsetDateTime;

/// Sends what the outbox holds, over SMTP and HTTP.
pub struct Notifier {
    settings: NotifySettings,
    mailer: Option<Mailer>,
    http: reqwest::Client,
    messages: Messages,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("mailer", &self.mailer)
            .field("webhooks", &self.settings.webhooks)
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// A notifier for validated settings.
    pub fn new(settings: NotifySettings) -> Result<Notifier, SendError> {
        let mailer = settings.mail.as_ref().map(Mailer::new).transpose()?;
        let messages = Messages::builtin().map_err(|e| SendError::permanent(e.to_string()))?;
        Ok(Notifier {
            mailer,
            http: webhook::client()?,
            messages,
            settings,
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> &NotifySettings {
        &self.settings
    }

    /// The SMTP client, when `[mail]` is set.
    pub fn mailer(&self) -> Option<&Mailer> {
        self.mailer.as_ref()
    }

    /// The message templates.
    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    /// Sends one claimed message.
    pub async fn send(&self, m: &DueMessage, now: OffsetDateTime) -> Result<(), SendError> {
        match m.channel.as_str() {
            "email" => {
                let Some(mailer) = &self.mailer else {
                    return Err(SendError::transient(
                        "[mail] belum diatur di kawal.toml; pesan menunggu / [mail] is not configured in kawal.toml; the message waits",
                    ));
                };
                let pdf = m.pdf.as_ref().map(|(eval, bytes)| {
                    (format!("laporan-evaluasi-{eval}.pdf"), bytes.as_slice())
                });
                mailer
                    .send(&Mail {
                        to: &m.recipient,
                        subject: &m.subject,
                        body: &m.body,
                        pdf,
                    })
                    .await
            }
            "webhook" => {
                let Some(hook) = self
                    .settings
                    .webhooks
                    .iter()
                    .find(|h| h.name == m.recipient)
                else {
                    return Err(SendError::permanent(format!(
                        "webhook '{}' tidak lagi diatur / is no longer configured ([[webhook]] in kawal.toml)",
                        m.recipient
                    )));
                };
                webhook::post(
                    &self.http,
                    hook,
                    &m.topic,
                    m.id,
                    &m.body,
                    now.unix_timestamp(),
                )
                .await
            }
            other => Err(SendError::permanent(format!("unknown channel '{other}'"))),
        }
    }

    /// Sends a test e-mail to `to` right away (not through the outbox).
    pub async fn send_test(&self, to: &str, now: OffsetDateTime) -> Result<(), SendError> {
        let Some(mailer) = &self.mailer else {
            return Err(SendError::permanent(
                "[mail] belum diatur di kawal.toml / [mail] is not configured in kawal.toml (host, from, tls, username; password in KAWAL_SMTP_PASSWORD)",
            ));
        };
        let at = crate::team::audit::timestamp(now);
        let (subject, body) = self
            .messages
            .render("test", &serde_json::json!({ "to": to, "sent_at": at }))
            .map_err(|e| SendError::permanent(e.to_string()))?;
        mailer
            .send(&Mail {
                to,
                subject: &subject,
                body: &body,
                pdf: None,
            })
            .await
    }
}
