//! Requests a phase lost (timeouts, resets, refused connections): counted and named, so an item
//! never passes on a phase that did not hear every answer.

use super::Observation;
use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::NetError;
use serde_json::json;

/// Requests named in the evidence.
const NAMED: usize = 5;

/// The requests one phase lost.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Lost {
    /// Requests that got no answer.
    pub count: usize,
    /// Of those, the ones that timed out.
    pub timeouts: usize,
    /// The first few, as `METHOD URL: error`.
    pub named: Vec<String>,
}

impl Lost {
    /// Records a request that got no answer (a refused scope is not a lost answer).
    pub fn record(&mut self, method: &str, url: &str, e: &NetError) {
        if matches!(e, NetError::OutOfScope { .. }) {
            return;
        }
        self.count += 1;
        if matches!(e, NetError::Timeout { .. }) {
            self.timeouts += 1;
        }
        if self.named.len() < NAMED {
            self.named.push(format!("{method} {url}: {e}"));
        }
    }

    /// Whether nothing was lost.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// `o` unchanged when nothing was lost; otherwise the loss is in its figures, and a pass
    /// becomes inconclusive naming what `phase` lost.
    pub fn guard(&self, mut o: Observation, phase: &Text) -> Observation {
        if self.is_empty() {
            return o;
        }
        match &mut o.figures {
            serde_json::Value::Object(m) => {
                m.insert("lost_requests".into(), json!(self));
            }
            f => *f = json!({ "lost_requests": self }),
        }
        if o.outcome != Outcome::Pass {
            return o;
        }
        let named = self.named.join("; ");
        let why = Text::new(
            format!(
                "{}: {} permintaan tidak mendapat jawaban ({} batas waktu habis), sehingga hasil lolos tidak dapat diberikan. Contoh: {named}",
                phase.id, self.count, self.timeouts
            ),
            format!(
                "{}: {} requests got no answer ({} timed out), so a pass cannot be given. E.g. {named}",
                phase.en, self.count, self.timeouts
            ),
        );
        o.outcome = Outcome::Inconclusive {
            reason: why.clone(),
        };
        o.summary = why;
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_request_turns_a_pass_into_a_named_inconclusive() {
        let phase = Text::new("Pemicu kesalahan", "Error probes");
        let pass = Observation::new("x", Outcome::Pass, Text::new("ok", "ok"));
        let mut lost = Lost::default();
        assert_eq!(lost.guard(pass.clone(), &phase).outcome, Outcome::Pass);
        lost.record(
            "GET",
            "https://a.example.go.id/lambat",
            &NetError::Timeout {
                url: "https://a.example.go.id/lambat".into(),
                phase: "read",
            },
        );
        lost.record(
            "GET",
            "https://luar.example/",
            &NetError::OutOfScope {
                url: "https://luar.example/".into(),
            },
        );
        let o = lost.guard(pass, &phase);
        assert_eq!(o.outcome.status(), "inconclusive");
        assert!(o.summary.en.contains("1 requests") && o.summary.en.contains("/lambat"));
        assert_eq!(o.figures["lost_requests"]["timeouts"], 1);
        let fail = Observation::new("x", Outcome::Fail, Text::new("f", "f"));
        assert_eq!(lost.guard(fail, &phase).outcome, Outcome::Fail);
    }
}
