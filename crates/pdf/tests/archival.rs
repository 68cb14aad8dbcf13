//! The archival rendering: what it refuses, what it dates, and that it stays reproducible.

mod common;

use kawal_pdf::{Document, Error, Timestamp, render_archival};

fn issued() -> Timestamp {
    Timestamp::new((2026, 12, 6), (9, 30, 5), 8 * 60).expect("valid timestamp")
}

#[test]
fn a_document_without_title_or_language_is_refused_with_the_reason() {
    let untitled = Document {
        lang: "id-ID".into(),
        ..Document::default()
    };
    match render_archival(&untitled, None) {
        Err(e @ Error::NotArchivable { .. }) => {
            let text = e.to_string();
            assert!(text.contains("title") && text.contains("judul"), "{text}");
        }
        other => panic!("expected NotArchivable, got {other:?}"),
    }
    let no_lang = Document {
        title: "Laporan".into(),
        ..Document::default()
    };
    match render_archival(&no_lang, None) {
        Err(e @ Error::NotArchivable { .. }) => {
            assert!(e.to_string().contains("language"), "{e}");
        }
        other => panic!("expected NotArchivable, got {other:?}"),
    }
}

#[test]
fn the_issue_date_is_written_to_info_and_xmp_alike() {
    let doc = common::report(3, 5);
    let pdf = render_archival(&doc, Some(issued())).expect("render");
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.contains("/CreationDate (D:20261206093005+08'00)"),
        "Info date"
    );
    assert!(raw.contains("/ModDate (D:20261206093005+08'00)"));
    assert!(raw.contains("<xmp:CreateDate>2026-12-06T09:30:05+08:00</xmp:CreateDate>"));
    assert!(raw.contains("<pdfaid:part>2</pdfaid:part>"));
    assert!(raw.contains("<pdfuaid:part>1</pdfuaid:part>"));
}

#[test]
fn archival_output_is_reproducible() {
    let doc = common::report(5, 10);
    let first = render_archival(&doc, Some(issued())).expect("render");
    let second = render_archival(&doc, Some(issued())).expect("render");
    assert_eq!(first, second);
    let undated = render_archival(&doc, None).expect("render");
    assert!(!String::from_utf8_lossy(&undated).contains("/CreationDate"));
}
