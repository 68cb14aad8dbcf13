//! Renders documents and checks them with the poppler command-line tools
//! (`pdftotext`, `pdfinfo`, `pdffonts`). These tools must be installed
//! (`apt-get install -y poppler-utils`); a missing tool fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kawal_pdf::{BarChart, Block, Cell, Document, Rgb, Series, Span, Table, Tone, render};

/// Runs a poppler tool and returns its stdout; fails on a missing tool, a
/// non-zero exit or anything on stderr (poppler reports damaged files there).
fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let mut command = Command::new(tool);
    command.args(args).arg(pdf);
    if tool == "pdftotext" {
        // Write the text to stdout instead of a file next to the PDF.
        command.arg("-");
    }
    let output = match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!(
                "`{tool}` not found: install poppler-utils (apt-get install -y poppler-utils) to run these tests"
            )
        }
        Err(e) => panic!("running {tool}: {e}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{tool} failed ({}): {stderr}",
        output.status
    );
    assert!(
        stderr.trim().is_empty(),
        "{tool} reported problems: {stderr}"
    );
    match String::from_utf8(output.stdout) {
        Ok(s) => s,
        Err(e) => panic!("{tool} printed invalid UTF-8: {e}"),
    }
}

struct Rendered {
    _dir: tempfile::TempDir,
    path: PathBuf,
    bytes: Vec<u8>,
}

fn write(doc: &Document) -> Rendered {
    let bytes = match render(doc) {
        Ok(bytes) => bytes,
        Err(e) => panic!("render: {e}"),
    };
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("tempdir: {e}"),
    };
    let path = dir.path().join("laporan.pdf");
    if let Err(e) = std::fs::write(&path, &bytes) {
        panic!("write: {e}");
    }
    Rendered {
        _dir: dir,
        path,
        bytes,
    }
}

/// Whitespace-collapsed text, so that wrapped lines compare equal to the input.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_of(pdf: &Path) -> String {
    poppler("pdftotext", &["-enc", "UTF-8"], pdf).replace('\u{0C}', "\n")
}

/// Page texts, split at form feeds.
fn pages_of(pdf: &Path) -> Vec<String> {
    let text = poppler("pdftotext", &["-enc", "UTF-8"], pdf);
    let mut pages: Vec<String> = text.split('\u{0C}').map(normalize).collect();
    if pages.last().is_some_and(|p| p.is_empty()) {
        pages.pop();
    }
    pages
}

fn info_field(info: &str, field: &str) -> String {
    info.lines()
        .find_map(|l| {
            l.strip_prefix(field)
                .map(|v| v.trim_start_matches(':').trim().to_string())
        })
        .unwrap_or_else(|| panic!("pdfinfo has no {field}: {info}"))
}

fn page_count(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[], pdf);
    match info_field(&info, "Pages").parse() {
        Ok(n) => n,
        Err(e) => panic!("page count: {e}"),
    }
}

/// Every font is an embedded, subset CID TrueType font with Identity-H and a ToUnicode map.
fn assert_fonts_embedded(pdf: &Path, expected: &[&str]) {
    let fonts = poppler("pdffonts", &[], pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), expected.len(), "{fonts}");
    for name in expected {
        let row = rows
            .iter()
            .find(|r| {
                r.split_whitespace()
                    .next()
                    .is_some_and(|n| n.ends_with(&format!("+{name}")))
            })
            .unwrap_or_else(|| panic!("{name} not listed: {fonts}"));
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, "CID", "TrueType", encoding, emb, sub, uni, object, generation
        assert_eq!(cols[1..4], ["CID", "TrueType", "Identity-H"], "{row}");
        assert_eq!(cols[4..7], ["yes", "yes", "yes"], "emb, sub, uni: {row}");
        let tag = cols[0].split('+').next().unwrap_or_default();
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "subset tag {tag}"
        );
    }
}

const SPECIAL: &str = "Keamanan “aplikasi” — café ≥ 80 % • Sleman ñ ü";

fn mixed_document() -> Document {
    let mut table = Table::new([("Nomor", 0.6), ("Kontrol diperiksa", 4.0), ("Hasil", 1.2)]);
    for i in 1..=160 {
        table.rows.push(vec![
            Cell::new(i.to_string()),
            Cell::new(format!("Butir pemeriksaan {i} atas konfigurasi")),
            if i % 4 == 0 {
                Cell::bold("Gagal").with_fill(Rgb(0xFB, 0xE3, 0xE1))
            } else {
                Cell::new("Lulus")
            },
        ]);
    }
    Document {
        title: "Laporan “Uji” — Poppler".into(),
        author: "Bidang Persandian".into(),
        subject: "Pengujian ekstraksi".into(),
        lang: "id".into(),
        footer: "Dokumen uji".into(),
        page_label: "Halaman {page} dari {pages}".into(),
        blocks: vec![
            Block::Cover {
                kicker: "Dinas Komunikasi dan Informatika".into(),
                title: "Laporan Evaluasi Keamanan".into(),
                subtitle: "Periode Juni 2025".into(),
                lines: vec![
                    ("Kepada".into(), "Kepala Dinas".into()),
                    ("Evaluator".into(), "Tim Persandian".into()),
                ],
            },
            Block::Heading {
                level: 1,
                text: "Ringkasan Eksekutif".into(),
            },
            Block::Paragraph(vec![Span::regular(SPECIAL)]),
            Block::Paragraph(vec![
                Span::bold("Tebal"),
                Span::regular(" lalu biasa lalu "),
                Span::mono("kode_monospace"),
            ]),
            Block::Bullets(vec![
                vec![Span::regular("Butir pertama")],
                vec![Span::regular("Butir kedua")],
            ]),
            Block::KeyValue(vec![("Aplikasi".into(), "SIPP Kabupaten".into())]),
            Block::Callout {
                tone: Tone::Good,
                title: "Keputusan: layak".into(),
                body: vec![Span::regular("Tidak ada temuan kritis.")],
            },
            Block::BarChart(BarChart {
                title: "Sebaran temuan".into(),
                categories: vec!["Sesi".into(), "Kosong sama sekali".into()],
                series: vec![Series::new("Tinggi", Rgb(200, 40, 40), vec![3.0, 0.0])],
            }),
            Block::Preformatted("HTTP/1.1 200 OK\r\nServer: nginx\r\n".into()),
            Block::Heading {
                level: 2,
                text: "Lampiran".into(),
            },
            Block::Table(table),
        ],
    }
}

#[test]
fn every_string_is_extractable_and_the_table_header_repeats() {
    let doc = mixed_document();
    let pdf = write(&doc);
    let text = normalize(&text_of(&pdf.path));
    for expected in [
        "Dinas Komunikasi dan Informatika",
        "Laporan Evaluasi Keamanan",
        "Periode Juni 2025",
        "Kepada",
        "Kepala Dinas",
        "Ringkasan Eksekutif",
        SPECIAL,
        "Tebal lalu biasa lalu kode_monospace",
        "• Butir pertama",
        "• Butir kedua",
        "Aplikasi",
        "SIPP Kabupaten",
        "Keputusan: layak",
        "Tidak ada temuan kritis.",
        "Sebaran temuan",
        "Kosong sama sekali",
        "HTTP/1.1 200 OK",
        "Server: nginx",
        "Dokumen uji",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not extracted from:\n{text}"
        );
    }
    for i in 1..=160 {
        assert!(
            text.contains(&format!("Butir pemeriksaan {i} atas konfigurasi")),
            "table row {i}"
        );
    }

    let pages = pages_of(&pdf.path);
    let total = page_count(&pdf.path);
    assert_eq!(pages.len(), total);
    let table_pages: Vec<&String> = pages
        .iter()
        .filter(|p| p.contains("Butir pemeriksaan"))
        .collect();
    assert!(table_pages.len() >= 3, "the table spans several pages");
    for page in &table_pages {
        assert!(
            page.contains("Nomor Kontrol diperiksa Hasil"),
            "header repeated: {page}"
        );
    }
    for (i, page) in pages.iter().enumerate().skip(1) {
        assert!(
            page.contains(&format!("Halaman {} dari {total}", i + 1)),
            "page label on page {}",
            i + 1
        );
    }
    assert!(!pages[0].contains("Halaman"), "no footer on the cover");

    let info = poppler("pdfinfo", &[], &pdf.path);
    assert_eq!(info_field(&info, "Title"), doc.title);
    assert_eq!(info_field(&info, "Author"), doc.author);
    assert_eq!(info_field(&info, "Subject"), doc.subject);
    assert_eq!(info_field(&info, "Creator"), "Kawal");
    assert_eq!(info_field(&info, "PDF version"), "1.7");
    assert!(info_field(&info, "Page size").contains("(A4)"), "{info}");
    assert_fonts_embedded(
        &pdf.path,
        &["DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"],
    );

    // Catalog entries are written uncompressed.
    let raw = String::from_utf8_lossy(&pdf.bytes);
    assert!(raw.contains("/Lang (id)"), "catalog /Lang");
    assert!(raw.contains("/DisplayDocTitle true"));
    assert!(raw.contains("/FlateDecode"));
    assert!(!raw.contains("/CreationDate"), "no timestamps");
}

#[test]
fn full_report_with_150_findings() {
    let doc = common::report(150, 100);
    let pdf = write(&doc);
    let text = normalize(&text_of(&pdf.path));
    for i in 1..=150 {
        let title = common::finding_title(i);
        assert!(text.contains(&title), "{title:?} not extracted");
    }
    for i in 1..=100 {
        assert!(
            text.contains(&common::appendix_control(i)),
            "appendix row {i}"
        );
    }
    let pages = page_count(&pdf.path);
    assert!((30..=120).contains(&pages), "{pages} pages");
    assert!(text.contains(&format!("Halaman {pages} dari {pages}")));
    assert_fonts_embedded(
        &pdf.path,
        &["DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"],
    );
    // Outline entries for the chapters and findings.
    let raw = String::from_utf8_lossy(&pdf.bytes);
    assert!(raw.contains("/Outlines"));
    assert!(raw.contains("/PageMode /UseOutlines"));
}

#[test]
fn rendering_is_deterministic() {
    let doc = common::report(12, 30);
    let first = render(&doc);
    let second = render(&doc);
    assert!(first.is_ok());
    assert_eq!(first, second);
}

#[test]
fn english_document_and_fonts_only_when_used() {
    let doc = Document {
        title: "Security Evaluation Report".into(),
        lang: "en".into(),
        page_label: "Page {page} of {pages}".into(),
        blocks: vec![Block::Paragraph(vec![Span::regular(
            "Only the regular face is used here.",
        )])],
        ..Document::default()
    };
    let pdf = write(&doc);
    assert_eq!(page_count(&pdf.path), 1);
    let text = normalize(&text_of(&pdf.path));
    assert!(text.contains("Only the regular face is used here."));
    assert!(text.contains("Page 1 of 1"));
    assert_fonts_embedded(&pdf.path, &["DejaVuSans"]);
    assert!(String::from_utf8_lossy(&pdf.bytes).contains("/Lang (en)"));
}

#[test]
fn hostile_evidence_renders_and_extracts() {
    let long_token = "QUJD".repeat(600);
    let doc = Document {
        title: "\u{0}judul\u{202E}".into(),
        lang: "id".into(),
        blocks: vec![
            Block::Heading {
                level: 9,
                text: "Bukti \u{7}aneh".into(),
            },
            Block::Preformatted(format!(
                "GET /?q=%00 HTTP/1.1\r\nX-Evil: \u{0}\u{1b}[2J\u{202E}txt.exe\u{FEFF}\r\nX-Rtl: مرحبا بالعالم שלום\r\nX-Emoji: 🛡️🔥\r\nCookie: {long_token}\r\n"
            )),
            Block::Paragraph(vec![Span::regular(format!("token={long_token} selesai"))]),
            Block::Table(Table::new([("A", 1.0)]).row([Cell::new(long_token.clone())])),
            Block::KeyValue(vec![("\u{1}".into(), "\u{10FFFF}".into())]),
        ],
        ..Document::default()
    };
    let pdf = write(&doc);
    let text = text_of(&pdf.path);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains(&format!("Cookie:{long_token}")),
        "hard-wrapped token extracts whole"
    );
    assert!(compact.contains(&format!("token={long_token}selesai")));
    assert!(text.contains("GET /?q=%00 HTTP/1.1"));
    assert!(
        text.contains('\u{FFFD}'),
        "control characters show as the replacement glyph"
    );
    assert!(text.contains("Bukti"));
}

#[test]
fn empty_document_is_a_valid_single_page() {
    let pdf = write(&Document::default());
    assert_eq!(page_count(&pdf.path), 1);
    let _ = text_of(&pdf.path);
}
