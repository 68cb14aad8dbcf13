//! Sending e-mail over SMTP (lettre on rustls with aws-lc-rs).

use super::config::{MailSettings, MailTls, mailbox};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// A send attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SendError {
    /// Retrying cannot help (e.g. the server refused the recipient for good).
    pub permanent: bool,
    /// What happened, for the outbox record.
    pub reason: String,
}

impl SendError {
    /// A failure worth retrying.
    pub fn transient(reason: impl Into<String>) -> SendError {
        SendError {
            permanent: false,
            reason: reason.into(),
        }
    }

    /// A failure retrying cannot fix.
    pub fn permanent(reason: impl Into<String>) -> SendError {
        SendError {
            permanent: true,
            reason: reason.into(),
        }
    }
}

/// One e-mail to send.
#[derive(Debug, Clone)]
pub struct Mail<'a> {
    /// Recipient address.
    pub to: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Plain-text body.
    pub body: &'a str,
    /// Attachment: file name and PDF bytes.
    pub pdf: Option<(String, &'a [u8])>,
}

/// An SMTP client for the configured server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    settings: MailSettings,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("host", &self.settings.host)
            .field("port", &self.settings.port)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A client for `settings` (no connection is made yet).
    pub fn new(settings: &MailSettings) -> Result<Mailer, SendError> {
        let tls_params = || {
            let mut b = TlsParameters::builder(settings.host.clone());
            if let Some(pem) = &settings.ca_pem {
                let cert = Certificate::from_pem(pem)
                    .map_err(|e| SendError::permanent(format!("[mail] ca_bundle: {e}")))?;
                b = b.add_root_certificate(cert);
            }
            b.build_rustls()
                .map_err(|e| SendError::permanent(format!("TLS: {e}")))
        };
        let tls = match settings.tls {
            MailTls::Starttls => Tls::Required(tls_params()?),
            MailTls::Tls => Tls::Wrapper(tls_params()?),
            MailTls::None => Tls::None,
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(settings.timeout));
        if let Some((u, p)) = &settings.credentials {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(Mailer {
            transport: b.build(),
            settings: settings.clone(),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    /// Sends one message.
    pub async fn send(&self, m: &Mail<'_>) -> Result<(), SendError> {
        let message = self.build(m)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| self.classify(&e))
    }

    /// Connects, greets and logs in (when credentials are set), then quits: whether the
    /// settings work right now. A refused login is permanent; an unreachable server is not.
    pub async fn check(&self) -> Result<(), SendError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(SendError::transient(format!(
                "server SMTP {}:{} tidak menjawab / did not answer",
                self.settings.host, self.settings.port
            ))),
            Err(e) => Err(self.classify(&e)),
        }
    }

    fn classify(&self, e: &lettre::transport::smtp::Error) -> SendError {
        let server = format!("{}:{}", self.settings.host, self.settings.port);
        let reason = describe(e, &server);
        if e.is_permanent() {
            SendError::permanent(reason)
        } else {
            SendError::transient(reason)
        }
    }

    /// The message as it goes on the wire.
    fn build(&self, m: &Mail<'_>) -> Result<Message, SendError> {
        let to = mailbox(m.to).map_err(SendError::permanent)?;
        let b = Message::builder()
            .from(self.settings.from.clone())
            .to(to)
            .subject(m.subject);
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.to_string());
        let built = match &m.pdf {
            Some((name, bytes)) => {
                let pdf = ContentType::parse("application/pdf")
                    .map_err(|e| SendError::permanent(e.to_string()))?;
                b.multipart(
                    MultiPart::mixed()
                        .singlepart(text)
                        .singlepart(Attachment::new(name.clone()).body(bytes.to_vec(), pdf)),
                )
            }
            None => b.singlepart(text),
        };
        built.map_err(|e| SendError::permanent(format!("pesan tidak sah / invalid message: {e}")))
    }
}

/// A sentence for the outbox: what failed, against which server.
fn describe(e: &lettre::transport::smtp::Error, server: &str) -> String {
    let what = if e.is_permanent() {
        "server SMTP menolak pesan secara permanen / the SMTP server refused the message permanently"
    } else if e.is_transient() {
        "server SMTP menolak sementara / the SMTP server refused for now"
    } else if e.is_timeout() {
        "waktu habis menunggu server SMTP / timed out waiting for the SMTP server"
    } else if e.is_tls() {
        "TLS ke server SMTP gagal (sertifikat? [mail] tls/ca_bundle) / TLS to the SMTP server failed (certificate? [mail] tls/ca_bundle)"
    } else if e.is_client() {
        "kesalahan klien SMTP / SMTP client error"
    } else {
        "tidak dapat terhubung ke server SMTP / cannot reach the SMTP server"
    };
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        src = s.source();
    }
    format!("{what} {server}: {detail}")
}
