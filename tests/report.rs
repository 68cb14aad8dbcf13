//! Agency reports: HTML and PDF of a 150-finding evaluation, checked with a real PDF text
//! extractor and an HTML parser; the `kawal report` command end to end.

mod common;

use common::sample;
use kawal::i18n::Lang;
use kawal::report::view;
use std::process::Command;

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext is needed: apt-get install poppler-utils ({e})"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn html_and_pdf_of_150_findings_carry_every_finding() {
    let (report, checklist) = sample::report(150);
    let failing: Vec<_> = report
        .items
        .iter()
        .filter(|i| i.outcome == kawal::model::Outcome::Fail)
        .collect();
    let instances: usize = failing.iter().map(|i| i.observations.len()).sum();
    assert_eq!(instances, 150);
    let v = view::build(&report, &checklist, &sample::context(), Lang::Id);
    assert_eq!(v.finding_instances, 150);

    let html = kawal::report::html::Renderer::new()
        .expect("template")
        .render(&v)
        .expect("html");
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).expect("selector");
    assert_eq!(
        doc.select(&sel("html"))
            .next()
            .and_then(|h| h.value().attr("lang")),
        Some("id")
    );
    // Self-contained: no scripts, no external stylesheets, images or fonts.
    assert_eq!(
        doc.select(&sel("script, link, img, iframe, object"))
            .count(),
        0
    );
    assert!(!html.contains("url("), "no external CSS resources");
    // Hostile evidence stays text.
    assert!(
        !html.contains("<script>alert(1)"),
        "evidence must be escaped"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Accessibility basics: one h1, header cells scoped, charts labelled.
    assert_eq!(doc.select(&sel("h1")).count(), 1);
    assert!(
        doc.select(&sel("thead th"))
            .all(|th| th.value().attr("scope") == Some("col"))
    );
    assert!(
        doc.select(&sel("svg"))
            .all(|s| s.value().attr("aria-label").is_some())
    );
    let text = squash(&doc.root_element().text().collect::<String>());
    for item in &failing {
        assert!(
            text.contains(&squash(item.title.get(Lang::Id))),
            "HTML lacks {}",
            item.id
        );
        for o in &item.observations {
            assert!(
                text.contains(o.summary.get(Lang::Id)),
                "HTML lacks {}",
                o.summary.id
            );
        }
    }
    assert!(text.contains("Belum Memenuhi Standar"));
    assert!(
        text.contains("Penghentian Sementara"),
        "decision 2 is shown"
    );
    assert_eq!(doc.select(&sel("article.finding")).count(), failing.len());

    let pdf = kawal::report::pdf::render(&v).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let extracted = squash(&pdftotext(&pdf));
    for item in &failing {
        assert!(
            extracted.contains(&squash(item.title.get(Lang::Id))),
            "PDF lacks the title of {}",
            item.id
        );
        for o in &item.observations {
            assert!(
                extracted.contains(o.summary.get(Lang::Id)),
                "PDF lacks {}",
                o.summary.id
            );
        }
    }
    assert!(extracted.contains("Dinas Kependudukan dan Pencatatan Sipil"));
    assert!(extracted.contains("Lampiran A: Checklist Lengkap"));
    assert!(extracted.contains(sample::HOSTILE.split(' ').next().unwrap_or("")));
}

#[test]
fn english_report_uses_english_labels() {
    let (report, checklist) = sample::report(10);
    let v = view::build(&report, &checklist, &sample::context(), Lang::En);
    let html = kawal::report::html::Renderer::new()
        .expect("template")
        .render(&v)
        .expect("html");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Executive Summary") && html.contains("Does Not Yet Meet the Standard"));
    assert!(!html.contains("Ringkasan Eksekutif"));
    let text = pdftotext(&kawal::report::pdf::render(&v).expect("pdf"));
    assert!(text.contains("Executive Summary"), "{text}");
    assert!(text.contains("Page 1 of") || text.contains("Page 2 of"));
}

#[test]
fn a_template_with_a_misspelt_field_fails_loudly() {
    let (report, checklist) = sample::report(3);
    let v = view::build(&report, &checklist, &sample::context(), Lang::Id);
    let r = kawal::report::html::Renderer::with_template("<p>{{cover.aplikasi}}</p>", "")
        .expect("compiles");
    let e = r
        .render(&v)
        .expect_err("strict mode rejects unknown fields");
    assert!(e.to_string().contains("aplikasi"), "{e}");
}

#[test]
fn csv_defuses_formulas_from_evidence() {
    let (report, _) = sample::report(5);
    let csv = kawal::report::csv::render(&report, Lang::Id);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("item,area,severity,outcome,locator,summary,title,fingerprint,target,evidence_url")
    );
    assert!(csv.lines().count() > report.items.len());
    assert!(!csv.contains(",=") && !csv.contains("\n="));
}

/// The SOP record through the CLI: evaluate, record a manual item with an attachment, decide
/// (an override needs a reason), accept a risk, retest, and render every report format.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sop_record_and_reports_through_the_cli() {
    use common::{ca_file, kawal, run};
    let home = tempfile::tempdir().expect("tmp");
    let f = common::fixture(kawal_fixture::FixtureConfig::vulnerable()).await;
    let ca = ca_file(&f, home.path());
    let k = |args: &[&str]| {
        let mut c = kawal(home.path());
        c.args(args);
        run(c)
    };
    let (code, _, err) = k(&[
        "app",
        "add",
        "--name",
        "SIKAP",
        "--url",
        f.https_url.as_deref().expect("https"),
        "--agency",
        "Disdukcapil",
        "--owner",
        "pj@bantulkab.example.go.id",
        "--personal-data",
        "--public-service",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = {
        let mut c = kawal(home.path());
        c.args([
            "evaluate",
            "SIKAP",
            "--rate-limit",
            "0",
            "--session-samples",
            "200",
            "--ca-bundle",
        ])
        .arg(&ca);
        run(c)
    };
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("Rekomendasi tindakan"),
        "decision 2 is shown: {out}"
    );

    // Bad references are precise usage errors.
    let (code, _, err) = k(&["report", "999", "-o", "x.html"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("999"), "{err}");
    let (code, _, err) = k(&[
        "evaluation",
        "advance",
        "SIKAP",
        "no-such-step",
        "--actor",
        "Ani",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("disposisi"), "lists the valid steps: {err}");

    // SOP steps and a manual item with its evidence file.
    let (code, _, err) = k(&[
        "evaluation",
        "advance",
        "SIKAP",
        "disposisi",
        "--actor",
        "Kepala Dinas",
        "--output",
        "Disposisi 005/17",
    ]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(home.path().join("bukti.txt"), "log audit Oktober").expect("evidence file");
    let (code, out, err) = k(&[
        "evaluation",
        "record-manual",
        "SIKAP",
        "manual.k33",
        "--outcome",
        "pass",
        "--actor",
        "Ani",
        "--note",
        "log lengkap",
        "--attachment",
        "bukti.txt",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("manual.k33"), "{out}");
    let (code, _, err) = k(&[
        "evaluation",
        "record-manual",
        "SIKAP",
        "session.cookie.secure",
        "--outcome",
        "pass",
        "--actor",
        "Ani",
    ]);
    assert_eq!(code, 2, "automated items are not overwritten by hand");
    assert!(err.contains("false_positive"), "{err}");

    // Decisions: an override without a reason is refused; with one it is recorded.
    let (code, _, err) = k(&[
        "evaluation",
        "decide",
        "SIKAP",
        "--standard",
        "met",
        "--actor",
        "Kepala Dinas",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--reason"), "{err}");
    let (code, out, err) = k(&[
        "evaluation",
        "decide",
        "SIKAP",
        "--standard",
        "not-met",
        "--action",
        "monitoring",
        "--actor",
        "Kepala Dinas",
        "--reason",
        "layanan KTP tidak boleh berhenti",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Keputusan 1 dicatat") && out.contains("Keputusan 2 dicatat"),
        "{out}"
    );
    let (code, show, _) = k(&["evaluation", "show", "SIKAP", "--json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&show).expect("json");
    assert_eq!(doc["recorded_decisions"].as_array().map(Vec::len), Some(2));
    let steps = doc["steps"].as_array().expect("steps");
    let state = |key: &str| {
        steps
            .iter()
            .find(|s| s["key"] == key)
            .map(|s| s["state"].clone())
    };
    assert_eq!(state("disposisi"), Some(serde_json::json!("done")));
    assert_eq!(
        state("permohonan-penghentian"),
        Some(serde_json::json!("skipped")),
        "the head chose monitoring"
    );

    // Findings: list, accept a risk by fingerprint prefix.
    let (code, list, _) = k(&["finding", "list", "SIKAP", "--json"]);
    assert_eq!(code, 0);
    let states: serde_json::Value = serde_json::from_str(&list).expect("json");
    let hsts = states
        .as_array()
        .and_then(|a| a.iter().find(|s| s["item_id"] == "headers.hsts"))
        .expect("the HSTS finding is tracked");
    let prefix: String = hsts["fingerprint"]
        .as_str()
        .expect("fp")
        .chars()
        .take(8)
        .collect();
    let (code, _, err) = k(&[
        "finding",
        "set",
        "SIKAP",
        &prefix,
        "accepted_risk",
        "--actor",
        "Kepala Dinas",
        "--reason",
        "HSTS dipasang di proxy baru",
        "--until",
        "2099-01-31",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = k(&[
        "finding",
        "set",
        "SIKAP",
        &prefix,
        "verified_fixed",
        "--actor",
        "x",
        "--reason",
        "y",
    ]);
    assert_eq!(code, 2, "only a retest verifies: {err}");

    // Every format renders from the stored evaluation.
    for (fmt, file) in [
        ("html", "r.html"),
        ("pdf", "r.pdf"),
        ("json", "r.json"),
        ("sarif", "r.sarif"),
        ("junit", "r.xml"),
        ("csv", "r.csv"),
    ] {
        let (code, _, err) = k(&["report", "SIKAP", "--format", fmt, "-o", file]);
        assert_eq!(code, 0, "{fmt}: {err}");
        assert!(
            std::fs::metadata(home.path().join(file))
                .map(|m| m.len() > 500)
                .unwrap_or(false),
            "{fmt}"
        );
    }
    let html = std::fs::read_to_string(home.path().join("r.html")).expect("html");
    assert!(html.contains("Disdukcapil") && html.contains("layanan KTP tidak boleh berhenti"));
    assert!(
        html.contains("bukti.txt"),
        "the manual item's attachment is listed"
    );
    let pdf_text = squash(&pdftotext(
        &std::fs::read(home.path().join("r.pdf")).expect("pdf"),
    ));
    assert!(
        pdf_text.contains("Mengubah rekomendasi") || pdf_text.contains("Sesuai rekomendasi"),
        "{pdf_text}"
    );
    let (code, en, _) = k(&["report", "latest", "--format", "html", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(en.contains("Executive Summary"));

    // A retest re-runs only the failed items and links back.
    let (code, out, err) = {
        let mut c = kawal(home.path());
        c.args([
            "retest",
            "SIKAP",
            "--rate-limit",
            "0",
            "--session-samples",
            "200",
            "--ca-bundle",
        ])
        .arg(&ca);
        run(c)
    };
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("headers.hsts") && out.contains("butir diuji ulang"),
        "{out}"
    );
    assert!(
        !out.contains("manual.k33"),
        "manual items are not re-run: {out}"
    );
    let (_, show, _) = k(&["evaluation", "show", "latest", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&show).expect("json");
    assert!(doc["retest_of"].as_i64().is_some(), "{show}");
    assert_eq!(doc["trend"]["new"], 0, "the same flaws are not new: {show}");
    f.shutdown().await;
}
