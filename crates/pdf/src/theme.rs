//! Page geometry, type scale and colours of the report.
//!
//! All lengths are PDF points (1/72 inch). Layout uses a top-down y axis;
//! the writer flips it.

use crate::font::FontId;
use crate::model::{Rgb, Tone};

/// A4 width.
pub(crate) const PAGE_W: f32 = 595.28;
/// A4 height.
pub(crate) const PAGE_H: f32 = 841.89;
/// Left edge of the text column.
pub(crate) const LEFT: f32 = 64.0;
/// Right edge of the text column.
pub(crate) const RIGHT: f32 = PAGE_W - 64.0;
/// Width of the text column.
pub(crate) const WIDTH: f32 = RIGHT - LEFT;
/// Where content starts on a page.
pub(crate) const TOP: f32 = 62.0;
/// Content never extends below this line; the footer sits underneath.
pub(crate) const BOTTOM: f32 = PAGE_H - 66.0;
/// Usable content height of a page.
pub(crate) const BODY_H: f32 = BOTTOM - TOP;
/// Hairline above the footer.
pub(crate) const FOOTER_RULE: f32 = PAGE_H - 50.0;
/// Footer text baseline.
pub(crate) const FOOTER_BASELINE: f32 = PAGE_H - 37.0;
/// Tolerance for comparing accumulated float positions.
pub(crate) const EPS: f32 = 0.01;

/// Headings and accents.
pub(crate) const NAVY: Rgb = Rgb(0x1B, 0x36, 0x5D);
/// Body text.
pub(crate) const INK: Rgb = Rgb(0x1F, 0x29, 0x33);
/// Secondary text: labels, footers, axis ticks.
pub(crate) const MUTED: Rgb = Rgb(0x5A, 0x66, 0x75);
/// Minor headings.
pub(crate) const SLATE: Rgb = Rgb(0x2E, 0x3E, 0x52);
/// Thin rules.
pub(crate) const RULE: Rgb = Rgb(0xD2, 0xD8, 0xE0);
/// Alternate table rows.
pub(crate) const ZEBRA: Rgb = Rgb(0xF3, 0xF6, 0xF9);
/// Preformatted background.
pub(crate) const PRE_FILL: Rgb = Rgb(0xF4, 0xF5, 0xF7);
/// Preformatted border.
pub(crate) const PRE_BORDER: Rgb = Rgb(0xDC, 0xE0, 0xE5);
/// Cover accent.
pub(crate) const GOLD: Rgb = Rgb(0xB8, 0x8A, 0x2E);
/// Chart grid lines.
pub(crate) const GRID: Rgb = Rgb(0xE3, 0xE7, 0xEC);
/// White, for text on dark fills.
pub(crate) const WHITE: Rgb = Rgb(0xFF, 0xFF, 0xFF);

/// Font, size, line height and colour of one kind of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextStyle {
    /// Typeface.
    pub(crate) font: FontId,
    /// Font size.
    pub(crate) size: f32,
    /// Distance between baselines.
    pub(crate) leading: f32,
    /// Fill colour.
    pub(crate) color: Rgb,
}

impl TextStyle {
    const fn new(font: FontId, size: f32, leading: f32, color: Rgb) -> Self {
        TextStyle {
            font,
            size,
            leading,
            color,
        }
    }

    /// The same style in another font.
    pub(crate) const fn with_font(self, font: FontId) -> Self {
        TextStyle { font, ..self }
    }

    /// The same style in another colour.
    pub(crate) const fn with_color(self, color: Rgb) -> Self {
        TextStyle { color, ..self }
    }
}

/// Paragraph text.
pub(crate) const BODY: TextStyle = TextStyle::new(FontId::Regular, 9.5, 14.0, INK);
/// Level 1 heading.
pub(crate) const H1: TextStyle = TextStyle::new(FontId::Bold, 15.0, 19.0, NAVY);
/// Level 2 heading.
pub(crate) const H2: TextStyle = TextStyle::new(FontId::Bold, 12.0, 16.0, NAVY);
/// Level 3 heading.
pub(crate) const H3: TextStyle = TextStyle::new(FontId::Bold, 10.0, 14.0, SLATE);
/// Key/value labels.
pub(crate) const LABEL: TextStyle = TextStyle::new(FontId::Bold, 8.8, 13.4, MUTED);
/// Table cells.
pub(crate) const CELL: TextStyle = TextStyle::new(FontId::Regular, 8.2, 10.8, INK);
/// Preformatted excerpts.
pub(crate) const MONO: TextStyle = TextStyle::new(FontId::Mono, 7.3, 9.4, INK);
/// Footer text.
pub(crate) const FOOTER: TextStyle = TextStyle::new(FontId::Regular, 7.5, 9.0, MUTED);
/// Chart labels.
pub(crate) const CHART: TextStyle = TextStyle::new(FontId::Regular, 8.0, 10.5, INK);
/// Chart axis ticks.
pub(crate) const TICK: TextStyle = TextStyle::new(FontId::Regular, 7.0, 10.0, MUTED);

/// Colours of a callout box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TonePalette {
    /// Left bar.
    pub(crate) bar: Rgb,
    /// Box background.
    pub(crate) tint: Rgb,
    /// Title text.
    pub(crate) title: Rgb,
}

/// Callout colours for a tone.
pub(crate) fn palette(tone: Tone) -> TonePalette {
    match tone {
        Tone::Good => TonePalette {
            bar: Rgb(0x2E, 0x7D, 0x32),
            tint: Rgb(0xEB, 0xF5, 0xEC),
            title: Rgb(0x1E, 0x5E, 0x24),
        },
        Tone::Bad => TonePalette {
            bar: Rgb(0xC6, 0x28, 0x28),
            tint: Rgb(0xFC, 0xEC, 0xEB),
            title: Rgb(0x9B, 0x1C, 0x1C),
        },
        Tone::Warn => TonePalette {
            bar: Rgb(0xE0, 0x8A, 0x00),
            tint: Rgb(0xFE, 0xF5, 0xE3),
            title: Rgb(0x85, 0x52, 0x00),
        },
        Tone::Neutral => TonePalette {
            bar: NAVY,
            tint: Rgb(0xEC, 0xF1, 0xF7),
            title: NAVY,
        },
    }
}

/// Whether text on `fill` should be white rather than ink.
pub(crate) fn is_dark(fill: Rgb) -> bool {
    let luma = 0.2126 * f32::from(fill.0) + 0.7152 * f32::from(fill.1) + 0.0722 * f32::from(fill.2);
    luma < 140.0
}
