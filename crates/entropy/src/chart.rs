//! Hand-written SVG chart: effective entropy per character position and per bit, as Sequencer
//! users expect, with the capacity and the min-entropy bound for comparison.

use crate::{Analysis, Verdict};
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Render the analysis as a standalone SVG document.
pub fn chart_svg(a: &Analysis) -> String {
    const W: f64 = 900.0;
    const LEFT: f64 = 56.0;
    const RIGHT: f64 = 16.0;
    const TOP1: f64 = 96.0;
    const H1: f64 = 200.0;
    let plot_w = W - LEFT - RIGHT;
    let np = a.positions.len().max(1);
    let nbits = a.bits.len();
    // Bit cells: up to 64 per row, wide enough to hover and read.
    let per_row = nbits.clamp(1, 64);
    let cell_w = plot_w / per_row as f64;
    let cell_h = 16.0;
    let rows = nbits.div_ceil(per_row).max(1);
    let top2 = TOP1 + H1 + 64.0;
    let h = top2 + rows as f64 * cell_h + 56.0;
    let mut s = String::with_capacity(16_384 + np * 400 + nbits * 120);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h:.0}" viewBox="0 0 {W} {h:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let verdict = match a.verdict {
        Verdict::Pass => "Pass (ASVS 5.0 V7.2.3 and 4.0.3 V3.2.2)",
        Verdict::MeetsAsvs4Only => "Meets ASVS 4.0.3 V3.2.2 only (not 5.0 V7.2.3)",
        Verdict::Fail => "Fail",
        Verdict::Inconclusive => "Inconclusive",
    };
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{}</text>"#,
        esc(&format!("Token randomness: {verdict}"))
    );
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="42">{}</text>"#,
        esc(&format!(
            "{} tokens; {}",
            a.sample_size, a.format.description
        ))
    );
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="60">{}</text>"#,
        esc(&format!(
            "capacity {:.1} bits (upper bound); effective {:.1} bits at {}% significance; conservative min-entropy {:.1} bits",
            a.capacity_bits,
            a.effective_bits,
            a.significance * 100.0,
            a.min_entropy_bits
        ))
    );

    // Panel 1: bits per character position.
    let max_bits = a
        .positions
        .iter()
        .map(|p| p.capacity_bits)
        .fold(1.0f64, f64::max)
        .ceil();
    let bw = plot_w / np as f64;
    let y = |v: f64| TOP1 + H1 - v / max_bits * H1;
    let _ = write!(
        s,
        r##"<text x="{LEFT}" y="{:.0}" font-weight="bold">Effective entropy per character position (bits)</text>"##,
        TOP1 - 8.0
    );
    for t in 0..=(max_bits as usize) {
        let yy = y(t as f64);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{t}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    let label_every = (np / 32).max(1);
    for (i, p) in a.positions.iter().enumerate() {
        let x = LEFT + i as f64 * bw;
        let inner = (bw * 0.8).clamp(1.0, 36.0);
        let pad = (bw - inner) / 2.0;
        let cap_y = y(p.capacity_bits);
        let eff_y = y(p.effective_bits);
        let colour = if p.effective_bits + 1e-9 >= p.capacity_bits {
            "#2e7d32"
        } else if p.effective_bits > 0.0 {
            "#f9a825"
        } else {
            "#c62828"
        };
        // A position whose tests rejected keeps a pale red capacity box, so it stays visible.
        let cap_fill = if p.effective_bits > 0.0 {
            "#eeeeee"
        } else {
            "#ffcdd2"
        };
        let _ = write!(
            s,
            r##"<rect x="{:.2}" y="{cap_y:.2}" width="{inner:.2}" height="{:.2}" fill="{cap_fill}" stroke="#bdbdbd"><title>position {}: capacity {:.2} bits</title></rect>"##,
            x + pad,
            TOP1 + H1 - cap_y,
            p.char_index,
            p.capacity_bits
        );
        let _ = write!(
            s,
            r##"<rect x="{:.2}" y="{eff_y:.2}" width="{inner:.2}" height="{:.2}" fill="{colour}"><title>position {}: effective {:.2} bits, min-entropy {:.2} bits</title></rect>"##,
            x + pad,
            TOP1 + H1 - eff_y,
            p.char_index,
            p.effective_bits,
            p.min_entropy.assessed
        );
        let me_y = y(p.min_entropy.assessed);
        let _ = write!(
            s,
            r##"<line x1="{:.2}" x2="{:.2}" y1="{me_y:.2}" y2="{me_y:.2}" stroke="#1a237e" stroke-width="2"/>"##,
            x + pad,
            x + pad + inner
        );
        if i % label_every == 0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="9">{}</text>"#,
                x + bw / 2.0,
                TOP1 + H1 + 12.0,
                p.char_index
            );
        }
    }
    let _ = write!(
        s,
        r##"<text x="{LEFT}" y="{:.0}" font-size="10"><tspan fill="#2e7d32">■ effective</tspan>  <tspan fill="#9e9e9e">□ capacity</tspan>  <tspan fill="#1a237e">— min-entropy (SP 800-90B)</tspan>  <tspan fill="#f9a825">■ partly rejected</tspan>  <tspan fill="#e57373">■ rejected</tspan>  (constant format positions are not shown)</text>"##,
        TOP1 + H1 + 28.0
    );

    // Panel 2: one cell per bit column, shaded by its smallest p-value.
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="{:.0}" font-weight="bold">Bit positions ({} bits; green = passes, red = rejected, shade = smallest p-value)</text>"#,
        top2 - 8.0,
        nbits
    );
    for (i, b) in a.bits.iter().enumerate() {
        let x = LEFT + (i % per_row) as f64 * cell_w;
        let yy = top2 + (i / per_row) as f64 * cell_h;
        let colour = if b.passed {
            // Lighter green for smaller p-values, still passing.
            let t = (-b.min_p.max(1e-12).log10() / 6.0).clamp(0.0, 1.0);
            let g = (125.0 + 100.0 * t) as u8;
            format!("rgb(46,{g},50)")
        } else {
            "rgb(198,40,40)".to_string()
        };
        let _ = write!(
            s,
            r##"<rect x="{x:.2}" y="{yy:.2}" width="{:.2}" height="{:.2}" fill="{colour}" stroke="#ffffff" stroke-width="0.5"><title>position {} bit {}: min p = {:.3e}</title></rect>"##,
            cell_w,
            cell_h,
            a.positions.get(b.position).map_or(0, |p| p.char_index),
            b.bit,
            b.min_p
        );
    }
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="{:.0}" font-size="10">{}</text>"#,
        h - 16.0,
        esc(
            "Capacity is an upper bound (\"looks random\"), not the result. Statistical tests cannot rule out a hashed low-entropy source."
        )
    );
    s.push_str("</svg>");
    s
}
