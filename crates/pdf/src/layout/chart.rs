//! Horizontal stacked bar charts, drawn with rectangles and real text.

use crate::font::{FontId, Fonts};
use crate::model::BarChart;
use crate::theme::{CHART, GRID, LEFT, MUTED, NAVY, RIGHT, TICK, TextStyle, WIDTH};

use super::tag::{DECORATION, Mark};
use super::text;
use super::{Flow, Item, Unit, baseline, line_items};

/// Height of a bar.
const BAR_H: f32 = 11.0;
/// Minimum height of a category row.
const ROW_H: f32 = 19.0;
/// Category labels longer than this many lines are cut.
const MAX_LABEL_LINES: usize = 3;
/// Legend swatch size.
const SWATCH: f32 = 8.0;

/// Values the chart draws: negative, non-finite and absurdly large inputs are
/// clamped so that scaling and number formatting stay sane.
fn sanitize(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value.min(1e12)
    } else {
        0.0
    }
}

/// A "nice" tick step (1, 2 or 5 times a power of ten) giving about four intervals.
fn tick_step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude);
    // Counts are whole numbers; never subdivide below one.
    if max >= 1.0 { step.max(1.0) } else { step }
}

/// Formats a number with the locale's separators: `1.234,5` (Indonesian) or `1,234.5` (English).
pub(crate) fn format_number(value: f64, decimal_comma: bool) -> String {
    let (group, decimal) = if decimal_comma {
        ('.', ',')
    } else {
        (',', '.')
    };
    let rounded = (value * 10.0).round() / 10.0;
    let whole = rounded.trunc();
    let tenth = ((rounded - whole).abs() * 10.0).round() as u64;
    let digits = format!("{:.0}", whole.abs());
    let mut out = String::new();
    if rounded < 0.0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if tenth != 0 {
        out.push(decimal);
        out.push_str(&tenth.to_string());
    }
    out
}

/// Alternate text for a chart: its title and, per category, the total and each
/// non-zero series value, in Indonesian or (without `decimal_comma`) English.
pub(crate) fn alt_text(chart: &BarChart, decimal_comma: bool) -> String {
    let (kind, empty) = if decimal_comma {
        ("Grafik batang bertumpuk", "tidak ada data")
    } else {
        ("Stacked bar chart", "no data")
    };
    let mut alt = format!("{kind}: {}.", chart.title.trim());
    if chart.categories.is_empty() {
        alt.push_str(&format!(" ({empty})"));
    }
    for (i, category) in chart.categories.iter().enumerate() {
        let parts: Vec<(String, f64)> = chart
            .series
            .iter()
            .map(|s| {
                let value = sanitize(s.values.get(i).copied().unwrap_or(0.0));
                (s.name.clone(), value)
            })
            .filter(|(_, value)| *value > 0.0)
            .collect();
        let total: f64 = parts.iter().map(|(_, v)| v).sum();
        alt.push_str(&format!(
            " {category}: {}",
            format_number(total, decimal_comma)
        ));
        if !parts.is_empty() {
            let detail: Vec<String> = parts
                .iter()
                .map(|(name, v)| format!("{name} {}", format_number(*v, decimal_comma)))
                .collect();
            alt.push_str(&format!(" ({})", detail.join(", ")));
        }
        alt.push(';');
    }
    if alt.ends_with(';') {
        alt.pop();
        alt.push('.');
    }
    alt
}

/// Prepares a chart as a flow: title, one unit per category row, axis ticks and
/// legend; everything but the grid is content of the figure `mark`.
pub(super) fn prepare_figure(
    fonts: &Fonts,
    chart: &BarChart,
    decimal_comma: bool,
    mark: Mark,
) -> Flow {
    let font = fonts.font(CHART.font);
    let values: Vec<Vec<f64>> = chart
        .series
        .iter()
        .map(|s| {
            (0..chart.categories.len())
                .map(|i| sanitize(s.values.get(i).copied().unwrap_or(0.0)))
                .collect()
        })
        .collect();
    let totals: Vec<f64> = (0..chart.categories.len())
        .map(|i| values.iter().map(|v| v[i]).sum())
        .collect();
    let max_total = totals.iter().copied().fold(0.0, f64::max);
    let step = tick_step(max_total);
    let axis_max = if max_total > 0.0 {
        (max_total / step).ceil() * step
    } else {
        step
    };
    let ticks = (axis_max / step).round().clamp(1.0, 20.0) as usize;

    let total_labels: Vec<String> = totals
        .iter()
        .map(|&t| format_number(t, decimal_comma))
        .collect();
    let total_w = total_labels
        .iter()
        .map(|l| font.width(l, CHART.size))
        .fold(0.0f32, f32::max)
        + 10.0;
    let label_w = chart
        .categories
        .iter()
        .map(|c| font.width(c, CHART.size))
        .fold(0.0f32, f32::max)
        .clamp(50.0, WIDTH * 0.34)
        + 10.0;
    let bar_x = LEFT + label_w;
    let bar_w = (RIGHT - bar_x - total_w.max(24.0)).max(10.0);
    let x_of = |value: f64| bar_x + (value / axis_max) as f32 * bar_w;
    let tick_values: Vec<f64> = (0..=ticks).map(|k| k as f64 * step).collect();

    let mut units = Vec::new();
    let title_style = TextStyle {
        font: FontId::Bold,
        size: 9.5,
        leading: 14.0,
        color: NAVY,
    };
    for line in text::wrap_plain(
        fonts,
        title_style.font,
        &chart.title,
        title_style.size,
        WIDTH,
    ) {
        units.push(Unit {
            height: title_style.leading,
            items: line_items(fonts, &line, LEFT, 0.0, title_style, mark).collect(),
            glue: true,
        });
    }
    if let Some(last) = units.last_mut() {
        last.height += 6.0;
    }

    for (i, category) in chart.categories.iter().enumerate() {
        let mut lines = text::wrap_plain(fonts, CHART.font, category, CHART.size, label_w - 10.0);
        if lines.len() > MAX_LABEL_LINES {
            // Keep rows bar-sized: a label is cut after a few lines.
            lines.truncate(MAX_LABEL_LINES);
            if let Some(last) = lines.last_mut().and_then(|l| l.runs.last_mut()) {
                last.text = text::truncate(
                    fonts,
                    CHART.font,
                    &format!("{}…", last.text),
                    CHART.size,
                    label_w - 10.0,
                );
            }
        }
        let height = (lines.len() as f32 * CHART.leading + 6.0).max(ROW_H);
        let mut items = Vec::new();
        // Grid lines are drawn per row so they stay continuous if the chart
        // is split across pages.
        for (k, &value) in tick_values.iter().enumerate() {
            let x = x_of(value);
            items.push(Item::Line {
                x1: x,
                y1: 0.0,
                x2: x,
                y2: height,
                width: if k == 0 { 0.8 } else { 0.5 },
                color: if k == 0 { MUTED } else { GRID },
                mark: DECORATION,
            });
        }
        let label_top = (height - lines.len() as f32 * CHART.leading) / 2.0;
        for (n, line) in lines.iter().enumerate() {
            items.extend(line_items(
                fonts,
                line,
                LEFT,
                label_top + n as f32 * CHART.leading,
                CHART,
                mark,
            ));
        }
        let bar_top = (height - BAR_H) / 2.0;
        let mut start = 0.0;
        for (series, v) in chart.series.iter().zip(&values) {
            let value = v[i];
            if value > 0.0 {
                let x = x_of(start);
                items.push(Item::Rect {
                    x,
                    y: bar_top,
                    w: x_of(start + value) - x,
                    h: BAR_H,
                    fill: series.color,
                    mark,
                });
                start += value;
            }
        }
        let total_style = CHART.with_font(FontId::Bold);
        items.push(Item::Text {
            x: x_of(start) + 4.0,
            y: (height - CHART.leading) / 2.0 + baseline(fonts, total_style),
            font: total_style.font,
            size: total_style.size,
            color: total_style.color,
            text: total_labels[i].clone(),
            mark,
        });
        units.push(Unit {
            height,
            items,
            glue: true,
        });
    }

    // Axis tick labels, centred under their grid lines.
    let tick_font = fonts.font(TICK.font);
    let tick_items = tick_values
        .iter()
        .map(|&value| {
            let label = format_number(value, decimal_comma);
            let w = tick_font.width(&label, TICK.size);
            Item::Text {
                x: x_of(value) - w / 2.0,
                y: 2.0 + baseline(fonts, TICK),
                font: TICK.font,
                size: TICK.size,
                color: TICK.color,
                text: label,
                mark,
            }
        })
        .collect();
    units.push(Unit {
        height: TICK.leading + 6.0,
        items: tick_items,
        glue: true,
    });

    // Legend entries flow left to right and wrap.
    let legend = CHART.with_color(MUTED);
    let mut x = bar_x;
    let mut line = Vec::new();
    let mut legend_units = Vec::new();
    for series in &chart.series {
        let name = text::truncate(
            fonts,
            legend.font,
            &series.name,
            legend.size,
            RIGHT - bar_x - SWATCH - 4.0,
        );
        let w = SWATCH + 4.0 + font.width(&name, legend.size);
        if !line.is_empty() && x + w > RIGHT {
            legend_units.push(std::mem::take(&mut line));
            x = bar_x;
        }
        line.push(Item::Rect {
            x,
            y: (legend.leading - SWATCH) / 2.0,
            w: SWATCH,
            h: SWATCH,
            fill: series.color,
            mark,
        });
        line.push(Item::Text {
            x: x + SWATCH + 4.0,
            y: baseline(fonts, legend),
            font: legend.font,
            size: legend.size,
            color: legend.color,
            text: name,
            mark,
        });
        x += w + 16.0;
    }
    if !line.is_empty() {
        legend_units.push(line);
    }
    units.extend(legend_units.into_iter().map(|items| Unit {
        height: legend.leading + 2.0,
        items,
        glue: true,
    }));
    if let Some(last) = units.last_mut() {
        last.glue = false;
    }
    Flow {
        units,
        before: 6.0,
        after: 14.0,
        deco: None,
    }
}

/// The chart as content of the document root, for the geometry tests.
#[cfg(test)]
fn prepare(fonts: &Fonts, chart: &BarChart, decimal_comma: bool) -> Flow {
    prepare_figure(
        fonts,
        chart,
        decimal_comma,
        Mark::Node(super::tag::Tree::ROOT),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Rgb, Series};

    #[test]
    fn formats_numbers_per_locale() {
        assert_eq!(format_number(0.0, true), "0");
        assert_eq!(format_number(1234.0, true), "1.234");
        assert_eq!(format_number(1234567.25, false), "1,234,567.3");
        assert_eq!(format_number(2.5, true), "2,5");
    }

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(tick_step(0.0), 1.0);
        assert_eq!(tick_step(3.0), 1.0);
        assert_eq!(tick_step(37.0), 10.0);
        assert_eq!(tick_step(150.0), 50.0);
    }

    #[test]
    fn long_labels_are_cut_to_three_lines() {
        let fonts = Fonts::get().expect("fonts");
        let chart = BarChart {
            title: String::new(),
            categories: vec!["kata ".repeat(2000)],
            series: vec![Series::new("A", Rgb(0, 0, 0), vec![1.0])],
        };
        let flow = prepare(fonts, &chart, false);
        let row = &flow.units[0];
        assert!(row.height < 3.5 * CHART.leading + 6.0, "{}", row.height);
        let labels: Vec<&str> = row
            .items
            .iter()
            .filter_map(Item::text)
            .filter(|t| t.starts_with("kata"))
            .collect();
        assert_eq!(labels.len(), 3);
        assert!(labels[2].ends_with('…'));
    }

    #[test]
    fn lists_every_category_and_survives_bad_values() {
        let fonts = Fonts::get().expect("fonts");
        let chart = BarChart {
            title: "Temuan per kategori".into(),
            categories: vec!["Kosong".into(), "Autentikasi".into(), "TLS".into()],
            series: vec![
                Series::new("Tinggi", Rgb(200, 0, 0), vec![0.0, 3.0, f64::NAN]),
                Series::new("Rendah", Rgb(0, 0, 200), vec![0.0, -1.0]),
            ],
        };
        let flow = prepare(fonts, &chart, true);
        let texts: Vec<&str> = flow
            .units
            .iter()
            .flat_map(|u| &u.items)
            .filter_map(Item::text)
            .collect();
        for expected in [
            "Temuan per kategori",
            "Kosong",
            "Autentikasi",
            "TLS",
            "Tinggi",
            "Rendah",
        ] {
            assert!(
                texts.contains(&expected),
                "{expected} missing from {texts:?}"
            );
        }
        // Totals: 0, 3 and 0.
        assert!(texts.iter().filter(|t| **t == "0").count() >= 2);
        assert!(texts.contains(&"3"));
        let bars = flow
            .units
            .iter()
            .flat_map(|u| &u.items)
            .filter(|i| matches!(i, Item::Rect { h, .. } if *h == BAR_H))
            .count();
        assert_eq!(bars, 1, "only the one positive value gets a bar segment");
    }
}
