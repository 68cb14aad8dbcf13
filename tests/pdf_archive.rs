//! The archived documents — the agency report (Indonesian and English) and the letters — are
//! PDF/A-2b files with PDF/UA-1 tagging. Checked with real tools: `qpdf --check`, qpdf's JSON
//! dump of every object (structure tree, parent tree, catalog, decoded content streams),
//! `pdfinfo -meta` (XMP identification), `pdffonts` (embedding) and `pdftotext` (reading order).
//! veraPDF, the reference validator, needs Java packages from Maven Central, which this
//! environment cannot reach; these checks cover the machine-checkable rules it would apply to
//! identification, embedding, tagging and marked content.

mod common;

use common::sample;
use kawal::i18n::Lang;
use kawal::letter::{Form, Kop, Letter, Signer};
use kawal::report::view;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Runs a tool on the file and returns stdout; fails on a missing tool or a non-zero exit.
fn tool(name: &str, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(name)
        .args(args)
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed (apt-get install qpdf poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// qpdf's JSON dump: object id ("obj:N 0 R") to its value or stream.
struct Objects(BTreeMap<String, Value>);

impl Objects {
    fn load(pdf: &Path) -> Self {
        let json = tool(
            "qpdf",
            &[
                "--json=2",
                "--json-key=qpdf",
                "--decode-level=generalized",
                "--json-stream-data=inline",
            ],
            pdf,
        );
        let v: Value = serde_json::from_str(&json).expect("qpdf JSON");
        let objects = v["qpdf"][1].as_object().expect("qpdf object map").clone();
        Objects(objects.into_iter().collect())
    }

    /// The dictionary of an object (a stream's dictionary for streams).
    fn dict(&self, id: &str) -> &Value {
        let o = &self.0[&format!("obj:{id}")];
        if o.get("stream").is_some() {
            &o["stream"]["dict"]
        } else {
            &o["value"]
        }
    }

    /// Decoded stream data.
    fn data(&self, id: &str) -> Vec<u8> {
        use base64::Engine;
        let s = self.0[&format!("obj:{id}")]["stream"]["data"]
            .as_str()
            .expect("inline stream data");
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .expect("base64")
    }

    fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.values().map(|o| o.get("value").unwrap_or(o))
    }
}

/// The object id of a reference value such as "12 0 R".
fn id(reference: &Value) -> &str {
    reference.as_str().expect("reference")
}

/// Everything this suite checks on one archived PDF; `roles` must all occur in the
/// structure tree. Returns the extracted text.
fn assert_archival(pdf: &[u8], lang: &str, roles: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("arsip.pdf");
    std::fs::write(&path, pdf).expect("write pdf");

    let check = tool("qpdf", &["--check"], &path);
    assert!(
        check.contains("No syntax or stream encoding errors found"),
        "{check}"
    );

    let meta = tool("pdfinfo", &["-meta"], &path);
    for needle in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
        // PDF/A-2 only knows pdfuaid through an extension schema description.
        "http://www.aiim.org/pdfua/ns/id/",
    ] {
        assert!(meta.contains(needle), "XMP lacks {needle}: {meta}");
    }
    let info = tool("pdfinfo", &[], &path);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim_start_matches(':').trim().to_string())
            .unwrap_or_else(|| panic!("pdfinfo has no {name}: {info}"))
    };
    assert_eq!(field("Tagged"), "yes");
    assert_eq!(field("PDF version"), "1.7");

    let fonts = tool("pdffonts", &[], &path);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5..cols.len() - 2], ["yes"; 3], "{row}");
    }

    let o = Objects::load(&path);
    let catalog = o
        .values()
        .find(|v| v["/Type"] == "/Catalog")
        .expect("catalog");
    assert_eq!(catalog["/MarkInfo"]["/Marked"], true);
    assert_eq!(catalog["/Lang"], format!("u:{lang}"));
    assert_eq!(catalog["/ViewerPreferences"]["/DisplayDocTitle"], true);
    let intents = catalog["/OutputIntents"]
        .as_array()
        .expect("output intents");
    assert_eq!(intents[0]["/S"], "/GTS_PDFA1");
    let icc = o.dict(id(&intents[0]["/DestOutputProfile"]));
    assert_eq!(icc["/N"], 3);
    let metadata = o.dict(id(&catalog["/Metadata"]));
    assert!(
        metadata.get("/Filter").is_none(),
        "metadata is not filtered"
    );

    assert_structure(&o, id(&catalog["/StructTreeRoot"]), roles);
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The structure tree holds `roles`; table headers have a scope and figures alternate text;
/// every marked-content id on every page belongs to exactly the element the parent tree names.
fn assert_structure(o: &Objects, root_id: &str, roles: &[&str]) {
    let root = o.dict(root_id);
    let mut seen = BTreeSet::new();
    // Element id -> marked content (page id, MCID) it references.
    let mut refs: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for (key, obj) in &o.0 {
        let v = obj.get("value").unwrap_or(obj);
        if v["/Type"] != "/StructElem" {
            continue;
        }
        let role = v["/S"]
            .as_str()
            .expect("/S")
            .trim_start_matches('/')
            .to_string();
        match role.as_str() {
            "TH" => {
                let scope = &v["/A"][0]["/Scope"];
                assert!(scope == "/Column" || scope == "/Row", "TH scope: {v}");
                assert_eq!(v["/A"][0]["/O"], "/Table");
            }
            "Figure" => {
                let alt = v["/Alt"].as_str().unwrap_or_default();
                assert!(alt.len() > 20, "figure alt text: {v}");
            }
            _ => {}
        }
        let kids = match &v["/K"] {
            Value::Array(k) => k.clone(),
            Value::Null => Vec::new(),
            other => vec![other.clone()],
        };
        let id = key.trim_start_matches("obj:").to_string();
        for kid in kids {
            // A bare id is marked content on the element's own /Pg page.
            let (page, mcid) = if let Some(mcid) = kid.as_i64() {
                (&v["/Pg"], mcid)
            } else if kid["/Type"] == "/MCR" {
                (&kid["/Pg"], kid["/MCID"].as_i64().expect("/MCID"))
            } else {
                continue;
            };
            let page = page.as_str().expect("/Pg of marked content").to_string();
            refs.entry(id.clone()).or_default().push((page, mcid));
        }
        seen.insert(role);
    }
    for role in roles {
        assert!(seen.contains(*role), "no {role} in {seen:?}");
    }

    let nums = root["/ParentTree"]["/Nums"].as_array().expect("/Nums");
    let parents: BTreeMap<i64, &str> = nums
        .chunks(2)
        .map(|p| (p[0].as_i64().expect("key"), id(&p[1])))
        .collect();
    let mut pages = 0;
    for (key, obj) in &o.0 {
        let v = obj.get("value").unwrap_or(obj);
        if v["/Type"] != "/Page" {
            continue;
        }
        pages += 1;
        let page_id = key.trim_start_matches("obj:");
        let key = v["/StructParents"].as_i64().expect("/StructParents");
        let content = String::from_utf8_lossy(&o.data(id(&v["/Contents"]))).into_owned();
        let mcids: Vec<i64> = content
            .split("/MCID ")
            .skip(1)
            .map(|s| {
                let n: String = s.chars().take_while(char::is_ascii_digit).collect();
                n.parse().expect("MCID")
            })
            .collect();
        assert_eq!(
            mcids,
            (0..mcids.len() as i64).collect::<Vec<_>>(),
            "MCIDs in order"
        );
        assert!(content.contains("/Artifact"), "decoration is marked");
        let array = o.dict(parents[&key]).as_array().expect("parent array");
        assert_eq!(array.len(), mcids.len(), "one parent per MCID on {page_id}");
        for (mcid, parent) in array.iter().enumerate() {
            let owned = refs.get(id(parent)).expect("parent element has content");
            assert!(
                owned.contains(&(page_id.to_string(), mcid as i64)),
                "element {} does not reference MCID {mcid} on page {page_id}",
                id(parent)
            );
        }
    }
    assert!(pages > 0);
    assert_eq!(root["/ParentTreeNextKey"], pages);
}

/// Positions of `needles` in `text`, asserting each occurs in this order.
fn assert_in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match text[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("{needle:?} missing or out of reading order in: {text}"),
        }
    }
}

const REPORT_ROLES: &[&str] = &[
    "Document", "H1", "H2", "H3", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD",
    "Figure", "Div",
];

#[test]
fn indonesian_report_is_pdf_a_2b_and_tagged() {
    let (report, checklist) = sample::report(12);
    let v = view::build(&report, &checklist, &sample::context(), Lang::Id);
    let pdf = kawal::report::pdf::render(&v).expect("pdf");
    let text = assert_archival(&pdf, "id-ID", REPORT_ROLES);
    assert_in_order(
        &text,
        &[
            "Dinas Kependudukan dan Pencatatan Sipil",
            "Ringkasan Eksekutif",
            "Lampiran A: Checklist Lengkap",
        ],
    );
    let meta = String::from_utf8_lossy(&pdf);
    assert!(meta.contains("<xmp:CreateDate>"), "issue date in XMP");
    assert!(meta.contains("/CreationDate (D:"), "issue date in Info");
}

#[test]
fn english_report_is_pdf_a_2b_and_tagged() {
    let (report, checklist) = sample::report(12);
    let v = view::build(&report, &checklist, &sample::context(), Lang::En);
    let pdf = kawal::report::pdf::render(&v).expect("pdf");
    let text = assert_archival(&pdf, "en", REPORT_ROLES);
    assert_in_order(&text, &["Executive Summary", "Appendix A"]);
    // The chart's alternate text is in the report's language.
    assert!(String::from_utf8_lossy(&pdf).contains("Stacked bar chart"));
}

fn letter(form: Form) -> Letter {
    Letter {
        kind: "izin-akses".into(),
        form,
        kop: Kop {
            government: "PEMERINTAH KABUPATEN CONTOH".into(),
            office: "DINAS KOMUNIKASI DAN INFORMATIKA".into(),
            address: "Jl. Merdeka 1".into(),
            contact: "Telp. 0511".into(),
        },
        title: "SURAT IZIN AKSES SISTEM INFORMASI".into(),
        number: "B/800.3/7/DISKOMINFO/XII/2026".into(),
        place_date: "Contoh, 6 Desember 2026".into(),
        date: "6 Desember 2026".into(),
        sifat: "Biasa".into(),
        lampiran: "-".into(),
        perihal: "Izin akses SIMPEG".into(),
        to: vec!["Budi Santoso".into()],
        from: "Kepala Bidang".into(),
        body: vec!["Dengan ini diberikan izin akses sistem.".into()],
        details: vec![("Sistem".into(), "SIMPEG".into())],
        closing: "Demikian untuk dilaksanakan.".into(),
        signer: Signer {
            title: "Kepala Dinas".into(),
            name: "Siti Rahma".into(),
            nip: "19800101 200501 2 001".into(),
        },
        tembusan: vec!["Inspektorat".into()],
    }
}

#[test]
fn letters_are_pdf_a_2b_and_tagged_in_reading_order() {
    for form in [
        Form::Surat,
        Form::NotaDinas,
        Form::Keputusan,
        Form::Formulir,
    ] {
        let pdf = kawal::letter::pdf(&letter(form)).expect("letter pdf");
        let text = assert_archival(
            &pdf,
            "id-ID",
            &["Document", "H1", "P", "Table", "TR", "TH", "TD", "L", "LI"],
        );
        assert_in_order(
            &text,
            &[
                "PEMERINTAH KABUPATEN CONTOH",
                "SURAT IZIN AKSES SISTEM INFORMASI",
                "Dengan ini diberikan izin akses sistem.",
                "Siti Rahma",
                "Inspektorat",
            ],
        );
    }
}
