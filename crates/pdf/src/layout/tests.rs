use super::*;
use crate::model::{Cell, Span, Table};
use crate::theme::BODY;

fn fonts() -> &'static Fonts {
    Fonts::get().expect("embedded fonts parse")
}

fn doc(blocks: Vec<Block>) -> Document {
    Document {
        title: "Uji".into(),
        lang: "id".into(),
        footer: "Kaki halaman".into(),
        page_label: "Halaman {page} dari {pages}".into(),
        blocks,
        ..Document::default()
    }
}

/// A paragraph of `n` forced lines.
fn lines(n: usize, tag: &str) -> Block {
    let text: Vec<String> = (0..n).map(|i| format!("{tag} {i}")).collect();
    Block::Paragraph(vec![Span::regular(text.join("\n"))])
}

fn texts(page: &Page) -> Vec<&str> {
    page.items.iter().filter_map(Item::text).collect()
}

/// Text items above the footer.
fn body_texts(page: &Page) -> Vec<&str> {
    page.items
        .iter()
        .filter_map(|item| match item {
            Item::Text { y, text, .. } if *y < BOTTOM + EPS => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn page_of(layout: &Layout, needle: &str) -> usize {
    layout
        .pages
        .iter()
        .position(|p| texts(p).contains(&needle))
        .unwrap_or_else(|| panic!("{needle:?} not laid out"))
}

/// Nothing but the footer may reach below the content area.
fn assert_within_body(layout: &Layout) {
    for (index, page) in layout.pages.iter().enumerate() {
        if page.cover {
            continue;
        }
        for item in &page.items {
            let bottom = match item {
                Item::Text { y, text, .. } => {
                    if *y > FOOTER_RULE {
                        continue;
                    }
                    assert!(*y >= TOP, "page {index}: {text:?} above the content area");
                    *y
                }
                Item::Rect { y, h, .. } | Item::Frame { y, h, .. } => y + h,
                Item::Line { y1, y2, .. } => {
                    if *y1 == FOOTER_RULE {
                        continue;
                    }
                    y1.max(*y2)
                }
            };
            assert!(
                bottom <= BOTTOM + EPS,
                "page {index}: {item:?} below the content area"
            );
        }
    }
}

#[test]
fn heading_is_never_the_last_thing_on_a_page() {
    let mut moved = 0;
    // Vary the amount of text before the heading so that it lands on every
    // possible position near the page bottom.
    for filler in 40..56 {
        let layout = layout(
            &doc(vec![
                lines(filler, "isi"),
                Block::Heading {
                    level: 2,
                    text: "Judul bagian".into(),
                },
                Block::Paragraph(vec![Span::regular("Baris pertama sesudah judul.")]),
            ]),
            fonts(),
        );
        let heading = page_of(&layout, "Judul bagian");
        assert_eq!(
            heading,
            page_of(&layout, "Baris pertama sesudah judul."),
            "filler {filler}"
        );
        if heading == 1 && body_texts(&layout.pages[1])[0] == "Judul bagian" {
            moved += 1;
        }
        assert_within_body(&layout);
    }
    assert!(moved > 0, "some filler amount must push the heading over");
}

#[test]
fn heading_keeps_with_the_first_table_row_and_nested_headings() {
    for filler in 40..56 {
        let table = Table::new([("Kolom", 1.0)]).row([Cell::new("baris satu")]);
        let layout = layout(
            &doc(vec![
                lines(filler, "isi"),
                Block::Heading {
                    level: 1,
                    text: "Bab".into(),
                },
                Block::Heading {
                    level: 3,
                    text: "Sub".into(),
                },
                Block::Table(table),
            ]),
            fonts(),
        );
        let page = page_of(&layout, "Bab");
        assert_eq!(page, page_of(&layout, "Sub"), "filler {filler}");
        assert_eq!(page, page_of(&layout, "baris satu"), "filler {filler}");
    }
}

#[test]
fn paragraphs_leave_no_orphan_or_widow_lines() {
    for filler in 40..56 {
        let layout = layout(&doc(vec![lines(filler, "isi"), lines(6, "para")]), fonts());
        for page in &layout.pages {
            let count = body_texts(page)
                .iter()
                .filter(|t| t.starts_with("para"))
                .count();
            assert!(
                count == 0 || count >= 2,
                "filler {filler}: {count} lines of the paragraph on a page"
            );
        }
    }
}

fn long_table(rows: usize) -> Table {
    let mut table = Table::new([("Nomor", 1.0), ("Kontrol keamanan", 4.0), ("Status", 1.5)]);
    for i in 0..rows {
        table.rows.push(vec![
            Cell::new(format!("r{i}")),
            Cell::new(format!(
                "kontrol {i} dengan uraian yang cukup panjang agar membungkus ke baris akhir{i}"
            )),
            Cell::bold("Memenuhi").with_fill(Rgb(0xE3, 0xF2, 0xE5)),
        ]);
    }
    table
}

#[test]
fn table_header_repeats_and_rows_stay_whole() {
    let layout = layout(
        &doc(vec![lines(10, "isi"), Block::Table(long_table(150))]),
        fonts(),
    );
    assert!(
        layout.pages.len() >= 4,
        "150 two-line rows span several pages"
    );
    let mut seen = 0;
    for (index, page) in layout.pages.iter().enumerate() {
        let body = body_texts(page);
        let rows: Vec<usize> = body
            .iter()
            .filter_map(|t| t.strip_prefix('r').and_then(|n| n.parse().ok()))
            .collect();
        if rows.is_empty() {
            continue;
        }
        // The header is on every page with rows, above them.
        let header = body.iter().position(|t| *t == "Kontrol keamanan");
        let first_row = body.iter().position(|t| *t == format!("r{}", rows[0]));
        assert!(
            header < first_row && header.is_some(),
            "page {index} lacks the header above its rows"
        );
        for row in rows {
            assert_eq!(row, seen, "rows appear once, in order");
            seen += 1;
            // Both lines of the description are on the same page as the row number.
            assert!(
                body.iter()
                    .any(|t| t.starts_with(&format!("kontrol {row} ")))
            );
            assert!(
                body.iter().any(|t| t.ends_with(&format!(" akhir{row}"))),
                "row {row} split across pages"
            );
        }
    }
    assert_eq!(seen, 150);
    assert_within_body(&layout);
}

#[test]
fn a_row_taller_than_a_page_is_split_between_lines() {
    let tall: Vec<String> = (0..130).map(|i| format!("baris {i}")).collect();
    let table = Table::new([("Bukti", 3.0), ("Catatan", 1.0)])
        .row([Cell::new("sebelum"), Cell::new("-")])
        .row([Cell::new(tall.join("\n")), Cell::new("catatan pendek")])
        .row([Cell::new("sesudah"), Cell::new("-")]);
    let layout = layout(&doc(vec![Block::Table(table)]), fonts());
    let mut next = 0;
    let mut pages_with_lines = 0;
    for page in &layout.pages {
        let body = body_texts(page);
        let here: Vec<usize> = body
            .iter()
            .filter_map(|t| t.strip_prefix("baris ").and_then(|n| n.parse().ok()))
            .collect();
        if here.is_empty() {
            continue;
        }
        pages_with_lines += 1;
        assert_eq!(
            body.first(),
            Some(&"Bukti"),
            "header first on every page of the row"
        );
        for line in here {
            assert_eq!(line, next, "every line exactly once, in order");
            next += 1;
        }
    }
    assert_eq!(next, 130);
    assert!(pages_with_lines >= 2, "130 lines need more than a page");
    // The first part of the split row fills the first page: it starts right
    // below the "sebelum" row rather than on a new page.
    assert_eq!(page_of(&layout, "sebelum"), page_of(&layout, "baris 0"));
    assert_eq!(
        page_of(&layout, "catatan pendek"),
        page_of(&layout, "baris 0")
    );
    assert_eq!(page_of(&layout, "sesudah"), page_of(&layout, "baris 129"));
    assert_within_body(&layout);
}

#[test]
fn preformatted_splits_across_pages_with_a_box_per_page() {
    let evidence: Vec<String> = (0..150).map(|i| format!("header-{i}: nilai")).collect();
    let layout = layout(
        &doc(vec![
            lines(20, "isi"),
            Block::Preformatted(evidence.join("\r\n")),
        ]),
        fonts(),
    );
    let mut next = 0;
    for page in &layout.pages {
        let found: Vec<usize> = body_texts(page)
            .iter()
            .filter_map(|t| {
                t.strip_prefix("header-")
                    .and_then(|r| r.split(':').next()?.parse().ok())
            })
            .collect();
        if found.is_empty() {
            continue;
        }
        let boxes = page
            .items
            .iter()
            .filter(|i| matches!(i, Item::Rect { fill, .. } if *fill == crate::theme::PRE_FILL))
            .count();
        assert_eq!(boxes, 1);
        for n in found {
            assert_eq!(n, next);
            next += 1;
        }
    }
    assert_eq!(next, 150);
    assert_within_body(&layout);
}

#[test]
fn footers_carry_the_page_count_but_not_on_the_cover() {
    let layout = layout(
        &doc(vec![
            Block::Cover {
                kicker: "Dinas".into(),
                title: "Laporan".into(),
                subtitle: "Sub".into(),
                lines: vec![("Kepada".into(), "Kepala Dinas".into())],
            },
            lines(120, "isi"),
        ]),
        fonts(),
    );
    let total = layout.pages.len();
    assert!(total >= 3);
    assert!(layout.pages[0].cover);
    assert!(
        !texts(&layout.pages[0])
            .iter()
            .any(|t| t.starts_with("Halaman"))
    );
    assert_eq!(texts(&layout.pages[0])[0], "Dinas");
    for (i, page) in layout.pages.iter().enumerate().skip(1) {
        let label = format!("Halaman {} dari {total}", i + 1);
        assert!(texts(page).contains(&label.as_str()), "page {i}");
        assert!(texts(page).contains(&"Kaki halaman"));
    }
}

#[test]
fn page_breaks_and_spacers_behave() {
    let layout = layout(
        &doc(vec![
            Block::PageBreak,
            lines(1, "a"),
            Block::PageBreak,
            Block::PageBreak,
            Block::Spacer(f32::NAN),
            Block::Spacer(1e9),
            lines(1, "b"),
            Block::PageBreak,
        ]),
        fonts(),
    );
    // No empty leading page, no double break, no trailing empty page.
    assert_eq!(layout.pages.len(), 2);
    assert_eq!(page_of(&layout, "a 0"), 0);
    assert_eq!(page_of(&layout, "b 0"), 1);
}

#[test]
fn spacer_adds_space_between_blocks() {
    let y_of = |blocks: Vec<Block>| {
        let layout = layout(&doc(blocks), fonts());
        layout.pages[0]
            .items
            .iter()
            .find_map(|i| match i {
                Item::Text { text, y, .. } if text == "b 0" => Some(*y),
                _ => None,
            })
            .expect("laid out")
    };
    let plain = y_of(vec![lines(1, "a"), lines(1, "b")]);
    let spaced = y_of(vec![lines(1, "a"), Block::Spacer(30.0), lines(1, "b")]);
    assert!((spaced - plain - 30.0).abs() < 0.01);
}

#[test]
fn text_baselines_follow_the_leading() {
    let layout = layout(&doc(vec![lines(3, "x")]), fonts());
    let ys: Vec<f32> = layout.pages[0]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text { y, text, .. } if text.starts_with("x ") => Some(*y),
            _ => None,
        })
        .collect();
    assert_eq!(ys.len(), 3);
    assert!((ys[1] - ys[0] - BODY.leading).abs() < 0.01);
    assert!(ys[0] > TOP && ys[0] < TOP + BODY.leading);
}

#[test]
fn hostile_input_lays_out_without_panicking() {
    let huge = "A".repeat(20_000);
    let layout = layout(
        &doc(vec![
            Block::Heading {
                level: 0,
                text: String::new(),
            },
            Block::Heading {
                level: 200,
                text: huge.clone(),
            },
            Block::Paragraph(vec![Span::regular("\u{0}\u{202E}abc\u{7}\r\n\t🛡️ مرحبا")]),
            Block::Bullets(vec![vec![], vec![Span::bold("")]]),
            Block::KeyValue(vec![(huge.clone(), huge.clone())]),
            Block::Table(Table::default()),
            Block::Table(Table::new([("a", f32::NAN), ("b", -1.0)]).row([])),
            Block::Table(Table::new([("a", 1.0)]).row([Cell::new("x"), Cell::new("ignored")])),
            Block::Preformatted(huge.clone()),
            Block::Preformatted(String::new()),
            Block::Callout {
                tone: crate::model::Tone::Warn,
                title: String::new(),
                body: vec![],
            },
            Block::BarChart(crate::model::BarChart::default()),
            Block::Spacer(-5.0),
        ]),
        fonts(),
    );
    assert!(layout.pages.len() > 1);
    assert_within_body(&layout);
}

#[test]
fn outline_records_headings_with_their_pages() {
    let layout = layout(
        &doc(vec![
            Block::Heading {
                level: 1,
                text: "Satu".into(),
            },
            lines(80, "isi"),
            Block::Heading {
                level: 2,
                text: "Dua".into(),
            },
        ]),
        fonts(),
    );
    let entries: Vec<(&str, u8, usize)> = layout
        .outline
        .iter()
        .map(|e| (e.title.as_str(), e.level, e.page))
        .collect();
    assert_eq!(
        entries,
        [("Satu", 1, 0), ("Dua", 2, page_of(&layout, "Dua"))]
    );
}
