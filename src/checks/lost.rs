//! Requests a phase lost (timeouts, resets, refused connections) and answers it did not read in
//! full (cut at the body cap): counted and named, so an item never passes on a phase that did
//! not hear every answer whole.

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
    /// Answers cut at the body cap: what followed the cut was never read.
    #[serde(skip_serializing_if = "is_zero")]
    pub cut: usize,
    /// The first few cut answers, as `METHOD URL`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cut_named: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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

    /// Records an answer cut at the body cap.
    pub fn record_cut(&mut self, method: &str, url: &str) {
        self.cut += 1;
        if self.cut_named.len() < NAMED {
            self.cut_named.push(format!("{method} {url}"));
        }
    }

    /// Whether nothing was lost or cut.
    pub fn is_empty(&self) -> bool {
        self.count == 0 && self.cut == 0
    }

    /// Why a pass cannot be given: what was lost, what was cut.
    fn reason(&self, phase: &Text) -> Text {
        let mut id = Vec::new();
        let mut en = Vec::new();
        if self.count > 0 {
            let named = self.named.join("; ");
            id.push(format!(
                "{} permintaan tidak mendapat jawaban ({} batas waktu habis). Contoh: {named}",
                self.count, self.timeouts
            ));
            en.push(format!(
                "{} requests got no answer ({} timed out). E.g. {named}",
                self.count, self.timeouts
            ));
        }
        if self.cut > 0 {
            let named = self.cut_named.join("; ");
            id.push(format!(
                "{} jawaban terpotong pada batas ukuran badan dan tidak terbaca utuh (naikkan [net] body_cap_bytes bila halaman memang sebesar itu). Contoh: {named}",
                self.cut
            ));
            en.push(format!(
                "{} answers were cut at the body size cap and not read in full (raise [net] body_cap_bytes if pages really are that large). E.g. {named}",
                self.cut
            ));
        }
        Text::new(
            format!(
                "{}: {}; sehingga hasil lolos tidak dapat diberikan.",
                phase.id,
                id.join("; ")
            ),
            format!(
                "{}: {}; so a pass cannot be given.",
                phase.en,
                en.join("; ")
            ),
        )
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
        let why = self.reason(phase);
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
        assert!(o.summary.en.contains("a pass cannot be given"));
        assert_eq!(o.figures["lost_requests"]["timeouts"], 1);
        let fail = Observation::new("x", Outcome::Fail, Text::new("f", "f"));
        assert_eq!(lost.guard(fail, &phase).outcome, Outcome::Fail);
    }

    #[test]
    fn an_answer_cut_at_the_cap_turns_a_pass_into_a_named_inconclusive() {
        let phase = Text::new("Pemicu kesalahan", "Error probes");
        let pass = Observation::new("x", Outcome::Pass, Text::new("ok", "ok"));
        let mut lost = Lost::default();
        lost.record_cut("GET", "https://a.example.go.id/besar");
        let o = lost.guard(pass, &phase);
        assert_eq!(o.outcome.status(), "inconclusive");
        assert!(
            o.summary.en.contains("1 answers were cut") && o.summary.en.contains("/besar"),
            "{}",
            o.summary.en
        );
        assert!(!o.summary.en.contains("got no answer"));
        assert_eq!(o.figures["lost_requests"]["cut"], 1);
    }
}
