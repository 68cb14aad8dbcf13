//! SARIF 2.1.0: checklist items are rules; failed and inconclusive items are results.

use crate::checklist::Checklist;
use crate::evaluation::Report;
use crate::i18n::Lang;
use crate::model::{Outcome, Severity};
use serde_json::{Value, json};

/// The SARIF schema URI written into every log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning reads this numeric score to rank alerts.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Renders the SARIF log.
pub fn render(report: &Report, checklist: &Checklist, lang: Lang) -> String {
    let rules: Vec<Value> = checklist
        .items
        .iter()
        .map(|it| {
            let mut tags = vec!["security".to_string()];
            tags.extend(it.bssn.iter().map(|k| format!("BSSN-{k}")));
            tags.extend(it.asvs4.iter().map(|a| format!("ASVS-4.0.3-{a}")));
            tags.extend(it.asvs5.iter().map(|a| format!("ASVS-5.0-{a}")));
            tags.extend(it.wstg.iter().cloned());
            tags.extend(it.cwe.iter().map(|c| format!("CWE-{c}")));
            json!({
                "id": it.id,
                "name": it.id.replace(['.', '-'], "_"),
                "shortDescription": {"text": it.title.get(lang)},
                "fullDescription": {"text": it.description.get(lang)},
                "help": {"text": it.remediation.get(lang)},
                "defaultConfiguration": {"level": level(it.severity)},
                "properties": {"tags": tags, "security-severity": security_severity(it.severity), "area": it.area, "check": it.check},
            })
        })
        .collect();
    let mut results = Vec::new();
    for i in &report.items {
        let Some(rule_index) = checklist.items.iter().position(|c| c.id == i.id) else {
            continue;
        };
        match &i.outcome {
            Outcome::Fail => {
                for o in i.observations.iter().filter(|o| o.outcome == Outcome::Fail) {
                    let uri = o
                        .evidence
                        .first()
                        .map_or(report.target.as_str(), |e| e.url.as_str());
                    let mut r = json!({
                        "ruleId": i.id,
                        "ruleIndex": rule_index,
                        "kind": "fail",
                        "level": level(i.severity),
                        "message": {"text": o.summary.get(lang)},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
                        "partialFingerprints": {"kawal/v1": crate::store::fingerprint(&report.target, &i.id, o.locator.as_deref())},
                    });
                    if let Some(e) = o.evidence.first() {
                        r["webRequest"] = json!({"method": e.method, "target": e.url});
                        if let Some(st) = e.status {
                            r["webResponse"] = json!({
                                "statusCode": st,
                                "headers": e.response_headers.iter().map(|(n, v)| (n.clone(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
                                "body": {"text": e.body_excerpt},
                                "noResponseReceived": false,
                            });
                        }
                    }
                    results.push(r);
                }
            }
            Outcome::Inconclusive { reason } => results.push(json!({
                "ruleId": i.id,
                "ruleIndex": rule_index,
                "kind": "open",
                "level": "none",
                "message": {"text": reason.get(lang)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": report.target}}}],
            })),
            _ => {}
        }
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "Kawal",
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "language": lang.to_string(),
            "invocations": [{
                "executionSuccessful": true,
                "startTimeUtc": report.started_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                "endTimeUtc": report.finished_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            }],
            "results": results,
            "properties": {"checklist": report.checklist.id, "checklistVersion": report.checklist.version, "target": report.target,
                "decision": report.decision.label.get(lang), "meetsStandard": report.decision.meets_standard,
                "provisional": report.decision.is_provisional(), "pendingManualItems": report.decision.pending_manual},
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}
