//! The texts of the e-mails Kawal sends, from `checklists/messages.toml` (pure).

use handlebars::Handlebars;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The message file is invalid, or a message could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct MessageError {
    /// File (and message).
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    subject: String,
    body: String,
}

/// The kinds of e-mail Kawal sends.
pub const KINDS: [&str; 5] = [
    "report",
    "reminder_acknowledge",
    "sla_breach",
    "workflow_sla_breach",
    "test",
];

/// Parsed message templates.
pub struct Messages {
    hb: Handlebars<'static>,
    origin: String,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages")
            .field("origin", &self.origin)
            .finish()
    }
}

impl Messages {
    /// The built-in messages.
    pub fn builtin() -> Result<Messages, MessageError> {
        Messages::parse(
            "checklists/messages.toml (bawaan/built-in)",
            include_str!("../../checklists/messages.toml"),
        )
    }

    /// Parses and checks a message file: every kind present, every template valid.
    pub fn parse(origin: &str, text: &str) -> Result<Messages, MessageError> {
        let err = |message: String| MessageError {
            origin: origin.to_string(),
            message,
        };
        let file: BTreeMap<String, Template> =
            toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        // Plain-text mail: escaping would show "&amp;" to the reader.
        hb.register_escape_fn(handlebars::no_escape);
        for kind in KINDS {
            let t = file.get(kind).ok_or_else(|| {
                err(format!(
                    "pesan [{kind}] tidak ada / message [{kind}] is missing"
                ))
            })?;
            hb.register_template_string(&format!("{kind}.subject"), &t.subject)
                .map_err(|e| err(format!("[{kind}] subject: {e}")))?;
            hb.register_template_string(&format!("{kind}.body"), t.body.trim_start())
                .map_err(|e| err(format!("[{kind}] body: {e}")))?;
        }
        if let Some(extra) = file.keys().find(|k| !KINDS.contains(&k.as_str())) {
            return Err(err(format!(
                "pesan [{extra}] tidak dikenal / unknown message [{extra}] (known: {})",
                KINDS.join(", ")
            )));
        }
        Ok(Messages {
            hb,
            origin: origin.to_string(),
        })
    }

    /// Subject and body of message `kind` with `data`; the subject is kept on one line.
    pub fn render(
        &self,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<(String, String), MessageError> {
        let err = |e: handlebars::RenderError| MessageError {
            origin: format!("{} [{kind}]", self.origin),
            message: e.to_string(),
        };
        let subject = self
            .hb
            .render(&format!("{kind}.subject"), data)
            .map_err(err)?;
        let body = self.hb.render(&format!("{kind}.body"), data).map_err(err)?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok((subject, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtin_messages_render_without_escaping_and_on_one_subject_line() {
        let m = Messages::builtin().expect("messages");
        let (s, b) = m
            .render(
                "report",
                &json!({"application": "SIM & PEG\nBcc: x@y", "agency": "BKPSDM", "evaluation_id": 7,
                        "decision": "Memenuhi Standar", "approved_by": "kasi", "note": "",
                        "link": null, "attached": true, "inbox_url": null}),
            )
            .expect("render");
        assert!(s.contains("SIM & PEG Bcc: x@y"), "{s}");
        assert!(!s.contains('\n'));
        assert!(
            b.contains("Laporan terlampir") && !b.contains("Catatan:"),
            "{b}"
        );
    }

    #[test]
    fn a_missing_field_or_message_is_an_error() {
        let m = Messages::builtin().expect("messages");
        assert!(
            m.render("test", &json!({"to": "a@b"})).is_err(),
            "sent_at missing"
        );
        let e = Messages::parse("m.toml", "[test]\nsubject='x'\nbody='y'\n")
            .expect_err("kinds missing")
            .to_string();
        assert!(e.contains("m.toml") && e.contains("[report]"), "{e}");
    }
}
