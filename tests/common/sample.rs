//! A synthetic finished evaluation with many findings, for report rendering tests and benchmarks.

#![allow(dead_code)] // Shared by tests and benches that each use part of it.

use kawal::checklist::Checklist;
use kawal::checks::Observation;
use kawal::evaluation::{ChecklistRef, ItemResult, Policy, Report, Tool};
use kawal::i18n::Text;
use kawal::model::Outcome;
use kawal::net::Evidence;
use kawal::report::view::Context;
use time::OffsetDateTime;

/// Hostile text planted in evidence: markup, template syntax, a spreadsheet formula.
pub const HOSTILE: &str =
    "<script>alert(1)</script> {{t.doc_title}} #let x = 1 =HYPERLINK(\"http://evil\")";

/// The report context of an agency evaluation: office, agency, owner and evaluator named.
pub fn context() -> Context {
    Context {
        evaluation_id: Some(42),
        office: "Dinas Komunikasi dan Informatika Kabupaten Bantul".into(),
        agency: Some("Dinas Kependudukan dan Pencatatan Sipil".into()),
        owner: Some("Kepala Bidang PIAK".into()),
        evaluator: "Tim Analisis Keamanan Informasi".into(),
        ..Context::default()
    }
}

/// A report of the built-in checklist where the automated items fail with `findings` instances
/// in total (each with evidence), the manual items are pending and one item is inconclusive.
pub fn report(findings: usize) -> (Report, Checklist) {
    let checklist = Checklist::builtin().expect("built-in checklist");
    let target = "https://sikap.bantulkab.example.go.id";
    // Every 17th item (from the 4th) is inconclusive; the other automated items share the findings.
    let failing: Vec<&str> = checklist
        .items
        .iter()
        .enumerate()
        .filter(|(k, i)| !i.is_manual() && k % 17 != 3)
        .map(|(_, i)| i.id.as_str())
        .collect();
    let mut items = Vec::new();
    let mut n = 0;
    for (k, it) in checklist.items.iter().enumerate() {
        let mut result = ItemResult {
            id: it.id.clone(),
            area: it.area.clone(),
            severity: it.severity,
            check: it.check.clone(),
            title: it.title.clone(),
            outcome: Outcome::Manual,
            observations: vec![],
            manual: None,
        };
        if !it.is_manual() {
            if k % 17 == 3 {
                result.outcome = Outcome::inconclusive(
                    "peran 'pengguna' tidak dapat login",
                    "role 'pengguna' cannot log in",
                );
            } else {
                result.outcome = Outcome::Fail;
                let pos = failing.iter().position(|a| *a == it.id).unwrap_or(0);
                let share = findings / failing.len() + usize::from(pos < findings % failing.len());
                for j in 0..share.max(1) {
                    n += 1;
                    let locator = format!("/layanan/{n}?q={j}");
                    let mut o = Observation::new(
                        &it.id,
                        Outcome::Fail,
                        Text::new(
                            format!("Temuan-{n:03} pada {locator}"),
                            format!("Finding-{n:03} at {locator}"),
                        ),
                    )
                    .at(&locator);
                    o.fingerprint = Some(kawal::model::fingerprint(target, &it.id, Some(&locator)));
                    o.evidence.push(Evidence {
                        method: "GET".into(),
                        url: format!("{target}{locator}"),
                        status: Some(500),
                        request_headers: vec![("cookie".into(), "SID=[disamarkan]".into())],
                        response_headers: vec![
                            ("server".into(), "Apache/2.4.41 (Ubuntu)".into()),
                            ("content-type".into(), "text/html".into()),
                        ],
                        body_excerpt: format!(
                            "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line {n}, in detail\nValueError: {HOSTILE}"
                        ),
                        truncated: false,
                        note: Some("respons galat / error response".into()),
                        masked: None,
                    });
                    result.observations.push(o);
                }
            }
        }
        items.push(result);
    }
    let policy = Policy::builtin().expect("policy");
    let mut r = Report {
        schema: kawal::evaluation::SCHEMA.into(),
        tool: Tool::current(),
        checklist: ChecklistRef {
            id: checklist.checklist.id.clone(),
            version: checklist.checklist.version.clone(),
        },
        target: target.into(),
        application: Some("SIKAP".into()),
        started_at: OffsetDateTime::now_utc(),
        finished_at: OffsetDateTime::now_utc(),
        requests_sent: 4321,
        summary: kawal::evaluation::summarise(&items),
        decision: kawal::decision::decide_standard(&policy, &items, &Default::default()),
        action: None,
        facts: Default::default(),
        retested_items: vec![],
        items,
    };
    r.redecide(
        &policy,
        kawal::decision::Facts {
            personal_data: true,
            public_service: true,
            has_login: true,
        },
        &Default::default(),
    );
    (r, checklist)
}
