//! Small self-contained SVG charts for the HTML report (no scripts, no external requests).

use super::view::AreaCount;
use crate::i18n::Lang;
use crate::model::Severity;
use crate::store::HistoryPoint;
use std::fmt::Write;

/// Colours per severity, highest first (critical … info); shared with the PDF.
pub const SEVERITY_COLOURS: [(u8, u8, u8); 5] = [
    (0x7f, 0x1d, 0x1d),
    (0xc2, 0x41, 0x0c),
    (0xca, 0x8a, 0x04),
    (0x25, 0x63, 0xeb),
    (0x64, 0x74, 0x8b),
];

fn esc(s: &str) -> String {
    super::xml_escape(s)
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Horizontal stacked bars: failed items per area, split by severity.
pub fn by_area(rows: &[AreaCount], lang: Lang) -> String {
    let label_w = 260.0;
    let bar_w = 380.0;
    let row_h = 26.0;
    let top = 34.0;
    let height = top + row_h * rows.len().max(1) as f64 + 10.0;
    let max = rows
        .iter()
        .map(|r| r.by_severity.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 700 {height}" width="100%" role="img" aria-label="{}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"#,
        esc(crate::i18n::tr(
            lang,
            "Temuan per area dan tingkat risiko",
            "Findings by area and severity"
        ))
    );
    // Legend.
    let mut x = label_w;
    for (i, sev) in Severity::ALL.iter().rev().enumerate() {
        let _ = write!(
            s,
            r#"<rect x="{x}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16">{}</text>"#,
            hex(SEVERITY_COLOURS[i]),
            x + 16.0,
            esc(sev.label(lang))
        );
        x += 80.0;
    }
    if rows.is_empty() {
        let _ = write!(
            s,
            r#"<text x="{label_w}" y="{}">{}</text>"#,
            top + 16.0,
            esc(crate::i18n::tr(lang, "Tidak ada temuan.", "No findings."))
        );
    }
    for (r, row) in rows.iter().enumerate() {
        let y = top + r as f64 * row_h;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + 15.0,
            esc(&row.area)
        );
        let mut x = label_w;
        for (i, n) in row.by_severity.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = bar_w * *n as f64 / max;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="18" fill="{}"><title>{} {n}</title></rect>"#,
                y + 2.0,
                hex(SEVERITY_COLOURS[i]),
                esc(Severity::ALL[4 - i].label(lang))
            );
            x += w;
        }
        let total: usize = row.by_severity.iter().sum();
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}">{total}</text>"#,
            x + 6.0,
            y + 15.0
        );
    }
    s.push_str("</svg>");
    s
}

/// Vertical bars: failed items in each of the application's evaluations.
pub fn trend(points: &[HistoryPoint], lang: Lang) -> String {
    let w = 700.0;
    let h = 200.0;
    let left = 40.0;
    let bottom = 30.0;
    let max = points.iter().map(|p| p.failures).max().unwrap_or(0).max(1) as f64;
    let n = points.len().max(1) as f64;
    let slot = (w - left - 10.0) / n;
    let bar = (slot * 0.6).min(60.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">"#,
        esc(crate::i18n::tr(
            lang,
            "Jumlah butir gagal per evaluasi",
            "Failed items per evaluation"
        ))
    );
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#94a3b8\"/>",
        h - bottom,
        w - 10.0,
        h - bottom
    );
    for (i, p) in points.iter().enumerate() {
        let bh = (h - bottom - 20.0) * p.failures as f64 / max;
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let y = h - bottom - bh;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\" fill=\"#1e3a5f\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">#{}</text>",
            x + bar / 2.0,
            y - 4.0,
            p.failures,
            x + bar / 2.0,
            h - bottom + 16.0,
            p.id
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_chart_escapes_labels_and_scales_bars() {
        let rows = [
            AreaCount {
                area: "c. Kontrol <Akses> & \"Hak\"".into(),
                by_severity: [2, 0, 0, 0, 0],
            },
            AreaCount {
                area: "b. Sesi".into(),
                by_severity: [0, 1, 0, 0, 0],
            },
        ];
        let svg = by_area(&rows, Lang::Id);
        assert!(svg.contains("c. Kontrol &lt;Akses&gt; &amp; &quot;Hak&quot;"));
        assert!(!svg.contains("<Akses>"));
        // The longest bar spans the full width; the other is half of it.
        assert!(svg.contains(r#"width="380.0""#), "{svg}");
        assert!(svg.contains(r#"width="190.0""#), "{svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
