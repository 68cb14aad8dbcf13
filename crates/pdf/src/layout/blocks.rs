//! Preparation of the text blocks: headings, paragraphs, lists, label/value
//! rows, callouts, preformatted excerpts and the cover.

use crate::font::{FontId, Fonts};
use crate::model::{Align, Span, Tone};
use crate::theme::{
    self, BODY, BODY_H, GOLD, H1, H2, H3, LABEL, LEFT, MONO, MUTED, NAVY, PAGE_H, PAGE_W,
    PRE_BORDER, PRE_FILL, RULE, TextStyle, WIDTH,
};

use super::tag::{DECORATION, Mark, Role, Scope, Tree};
use super::text::{self, Line};
use super::{Cursor, Deco, Flow, Item, Unit, line_at, line_items};

/// Indent of bullet item text.
const BULLET_INDENT: f32 = 14.0;
/// Extra space between bullet items.
const BULLET_GAP: f32 = 3.0;
/// Vertical padding inside label/value rows.
const ROW_PAD: f32 = 2.5;

fn spans(spans: &[Span]) -> impl Iterator<Item = (FontId, &str)> {
    spans
        .iter()
        .map(|s| (FontId::from(s.style), s.text.as_str()))
}

/// One unit per line, glued so that a page break never leaves a single line
/// of a block behind or carries a single line over (no orphans or widows).
fn line_units(fonts: &Fonts, lines: &[Line], x: f32, style: TextStyle, mark: Mark) -> Vec<Unit> {
    let n = lines.len();
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| Unit {
            height: style.leading,
            items: line_items(fonts, line, x, 0.0, style, mark).collect(),
            glue: n >= 2 && (i == 0 || i + 2 == n),
        })
        .collect()
}

/// A heading; its lines stay together.
pub(super) fn heading(fonts: &Fonts, level: u8, text: &str, mark: Mark) -> Flow {
    let (style, before, after) = match level {
        1 => (H1, 22.0, 9.0),
        2 => (H2, 16.0, 6.0),
        _ => (H3, 12.0, 4.0),
    };
    let lines = text::wrap_plain(fonts, style.font, text, style.size, WIDTH);
    let n = lines.len();
    let mut units: Vec<Unit> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| Unit {
            height: style.leading,
            items: line_items(fonts, line, LEFT, 0.0, style, mark).collect(),
            glue: i + 1 < n,
        })
        .collect();
    if level == 1
        && let Some(last) = units.last_mut()
    {
        // A hairline under chapter headings.
        let y = last.height + 3.0;
        last.items.push(Item::Line {
            x1: LEFT,
            y1: y,
            x2: LEFT + WIDTH,
            y2: y,
            width: 0.7,
            color: NAVY,
            mark: DECORATION,
        });
        last.height += 4.0;
    }
    Flow {
        units,
        before,
        after,
        deco: None,
    }
}

/// A paragraph of mixed-style text.
pub(super) fn paragraph(fonts: &Fonts, content: &[Span], mark: Mark) -> Flow {
    let lines = text::wrap(fonts, spans(content), BODY.size, WIDTH);
    Flow {
        units: line_units(fonts, &lines, LEFT, BODY, mark),
        before: 0.0,
        after: 8.0,
        deco: None,
    }
}

/// A bulleted list; the bullet hangs in the indent.
pub(super) fn bullets(fonts: &Fonts, items: &[Vec<Span>], tree: &mut Tree) -> Flow {
    let mut units = Vec::new();
    let list = tree.add(Tree::ROOT, Role::L);
    for (index, item) in items.iter().enumerate() {
        let li = tree.add(list, Role::LI);
        let label = tree.add(li, Role::Lbl);
        let body = tree.add(li, Role::LBody);
        let lines = text::wrap(fonts, spans(item), BODY.size, WIDTH - BULLET_INDENT);
        let mut item_units =
            line_units(fonts, &lines, LEFT + BULLET_INDENT, BODY, Mark::Node(body));
        if let Some(first) = item_units.first_mut() {
            // The label goes first so that it also comes first in the content stream.
            first.items.insert(
                0,
                Item::Text {
                    x: LEFT + 3.0,
                    y: super::baseline(fonts, BODY),
                    font: FontId::Regular,
                    size: BODY.size,
                    color: NAVY,
                    text: "•".to_string(),
                    mark: Mark::Node(label),
                },
            );
        }
        if index + 1 < items.len()
            && let Some(last) = item_units.last_mut()
        {
            last.height += BULLET_GAP;
        }
        units.extend(item_units);
    }
    Flow {
        units,
        before: 0.0,
        after: 8.0,
        deco: None,
    }
}

/// Label/value rows with hairlines between them; a row stays on one page
/// unless it is taller than a page.
/// The rows are tagged as a table whose labels are row header cells.
fn label_rows(
    fonts: &Fonts,
    tree: &mut Tree,
    rows: &[(String, String)],
    (label, value): (TextStyle, TextStyle),
    label_w: f32,
) -> Vec<Unit> {
    let leading = label.leading.max(value.leading);
    let label = TextStyle { leading, ..label };
    let value = TextStyle { leading, ..value };
    let value_x = LEFT + label_w;
    let rule = |y: f32| Item::Line {
        x1: LEFT,
        y1: y,
        x2: LEFT + WIDTH,
        y2: y,
        width: 0.5,
        color: RULE,
        mark: DECORATION,
    };
    let mut units = Vec::new();
    let table = (!rows.is_empty()).then(|| tree.add(Tree::ROOT, Role::Table));
    for (row, (key, val)) in rows.iter().enumerate() {
        let (th, td) = match table {
            Some(table) => {
                let tr = tree.add(table, Role::TR);
                (tree.add(tr, Role::TH(Scope::Row)), tree.add(tr, Role::TD))
            }
            None => (Tree::ROOT, Tree::ROOT),
        };
        let keys = text::wrap_plain(fonts, label.font, key, label.size, label_w - 10.0);
        let vals = text::wrap_plain(fonts, value.font, val, value.size, WIDTH - label_w);
        let n = keys.len().max(vals.len()).max(1);
        for i in 0..n {
            let top = if i == 0 { ROW_PAD } else { 0.0 };
            let mut items = Vec::new();
            if row == 0 && i == 0 {
                items.push(rule(0.0));
            }
            // Labels sit on the values' baseline even though they are smaller.
            if let Some(line) = keys.get(i) {
                items.extend(line_at(
                    line,
                    LEFT,
                    top + super::baseline(fonts, value),
                    label,
                    Mark::Node(th),
                ));
            }
            if let Some(line) = vals.get(i) {
                items.extend(line_items(fonts, line, value_x, top, value, Mark::Node(td)));
            }
            let mut height = top + leading;
            if i + 1 == n {
                height += ROW_PAD;
                items.push(rule(height));
            }
            units.push(Unit {
                height,
                items,
                glue: i + 1 < n,
            });
        }
    }
    units
}

/// Width of the label column: the widest label, within sensible bounds.
fn label_width(fonts: &Fonts, rows: &[(String, String)], style: TextStyle, max: f32) -> f32 {
    let widest = rows
        .iter()
        .map(|(key, _)| fonts.font(style.font).width(key, style.size))
        .fold(0.0f32, f32::max);
    (widest + 14.0).clamp(72.0, max)
}

/// A two-column label/value list.
pub(super) fn key_value(fonts: &Fonts, rows: &[(String, String)], tree: &mut Tree) -> Flow {
    let label_w = label_width(fonts, rows, LABEL, WIDTH * 0.36);
    let value = TextStyle {
        leading: 13.0,
        ..BODY
    };
    let mut units = label_rows(fonts, tree, rows, (LABEL, value), label_w);
    // Short lists (a finding's facts) stay in one piece; long ones may break
    // between rows.
    let total: f32 = units.iter().map(|u| u.height).sum();
    if total <= BODY_H / 3.0 {
        glue_all(&mut units);
    }
    Flow {
        units,
        before: 2.0,
        after: 10.0,
        deco: None,
    }
}

/// Keeps all units on one page when they fit.
fn glue_all(units: &mut [Unit]) {
    let n = units.len();
    for (i, unit) in units.iter_mut().enumerate() {
        unit.glue = i + 1 < n;
    }
}

/// A tinted box with a coloured bar; kept on one page when it fits.
/// Tagged as a division holding a title paragraph and a body paragraph.
pub(super) fn callout(
    fonts: &Fonts,
    tone: Tone,
    title: &str,
    body: &[Span],
    tree: &mut Tree,
) -> Flow {
    let div = tree.add(Tree::ROOT, Role::Div);
    let title_mark = Mark::Node(tree.add(div, Role::P));
    let body_mark = Mark::Node(tree.add(div, Role::P));
    let palette = theme::palette(tone);
    let inset = 3.5 + 10.0;
    let x = LEFT + inset;
    let w = WIDTH - inset - 10.0;
    let title_style = TextStyle {
        font: FontId::Bold,
        size: 10.0,
        leading: 14.0,
        color: palette.title,
    };
    let title_lines = text::wrap_plain(fonts, FontId::Bold, title, title_style.size, w);
    let body_lines = text::wrap(fonts, spans(body), BODY.size, w);
    let mut units: Vec<Unit> = title_lines
        .iter()
        .map(|line| Unit {
            height: title_style.leading,
            items: line_items(fonts, line, x, 0.0, title_style, title_mark).collect(),
            glue: true,
        })
        .collect();
    if !body_lines.is_empty()
        && let Some(last) = units.last_mut()
    {
        last.height += 2.0;
    }
    units.extend(body_lines.iter().map(|line| Unit {
        height: BODY.leading,
        items: line_items(fonts, line, x, 0.0, BODY, body_mark).collect(),
        glue: true,
    }));
    glue_all(&mut units);
    Flow {
        units,
        before: 4.0,
        after: 10.0,
        deco: Some(Deco {
            x: LEFT,
            w: WIDTH,
            pad_top: 8.0,
            pad_bottom: 8.0,
            fill: palette.tint,
            border: None,
            bar: Some(palette.bar),
        }),
    }
}

/// A monospaced excerpt on a light grey background; may continue on the next page.
pub(super) fn preformatted(fonts: &Fonts, content: &str, mark: Mark) -> Flow {
    let pad_x = 8.0;
    let lines = text::hard_wrap(fonts, MONO.font, content, MONO.size, WIDTH - 2.0 * pad_x);
    let baseline = super::baseline(fonts, MONO);
    let n = lines.len();
    let units = lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| Unit {
            height: MONO.leading,
            items: if line.is_empty() {
                Vec::new()
            } else {
                vec![Item::Text {
                    x: LEFT + pad_x,
                    y: baseline,
                    font: MONO.font,
                    size: MONO.size,
                    color: MONO.color,
                    text: line,
                    mark,
                }]
            },
            glue: n >= 2 && (i == 0 || i + 2 == n),
        })
        .collect();
    Flow {
        units,
        before: 2.0,
        after: 10.0,
        deco: Some(Deco {
            x: LEFT,
            w: WIDTH,
            pad_top: 6.0,
            pad_bottom: 6.0,
            fill: PRE_FILL,
            border: Some(PRE_BORDER),
            bar: None,
        }),
    }
}

/// The measured parts of a cover page.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CoverLayout {
    kicker: Flow,
    title: Flow,
    subtitle: Flow,
    rows: Flow,
}

/// Where the cover's kicker starts.
const COVER_KICKER_Y: f32 = 150.0;
/// The label/value rows start no higher than this.
const COVER_ROWS_Y: f32 = 500.0;

/// Prepares a cover page.
/// The kicker and subtitle are tagged as paragraphs, the title as a level 1
/// heading and the rows as a table with row headers.
pub(super) fn cover(
    fonts: &Fonts,
    tree: &mut Tree,
    [kicker, title, subtitle]: [&str; 3],
    rows: &[(String, String)],
) -> CoverLayout {
    let kicker_style = TextStyle {
        font: FontId::Bold,
        size: 11.0,
        leading: 15.0,
        color: NAVY,
    };
    let title_style = TextStyle {
        font: FontId::Bold,
        size: 25.0,
        leading: 31.0,
        color: NAVY,
    };
    let subtitle_style = TextStyle {
        font: FontId::Regular,
        size: 13.0,
        leading: 18.0,
        color: MUTED,
    };
    let kicker_mark = Mark::Node(tree.add(Tree::ROOT, Role::P));
    let title_mark = Mark::Node(tree.add(Tree::ROOT, Role::H(1)));
    let subtitle_mark = Mark::Node(tree.add(Tree::ROOT, Role::P));
    let plain = |text: &str, style: TextStyle, mark: Mark| {
        let lines = text::wrap_plain(fonts, style.font, text, style.size, WIDTH);
        lines
            .iter()
            .map(|line| Unit {
                height: style.leading,
                items: line_items(fonts, line, LEFT, 0.0, style, mark).collect(),
                glue: true,
            })
            .collect::<Vec<_>>()
    };
    let mut title_units = vec![Unit {
        height: 24.0,
        items: vec![Item::Rect {
            x: LEFT,
            y: 8.0,
            w: 48.0,
            h: 3.0,
            fill: GOLD,
            mark: DECORATION,
        }],
        glue: true,
    }];
    title_units.extend(plain(title, title_style, title_mark));
    let label = TextStyle {
        font: FontId::Bold,
        size: 9.0,
        leading: 15.0,
        color: MUTED,
    };
    let value = TextStyle {
        font: FontId::Regular,
        size: 11.0,
        leading: 15.0,
        color: theme::INK,
    };
    let flow = |units: Vec<Unit>, before: f32| Flow {
        units,
        before,
        after: 0.0,
        deco: None,
    };
    CoverLayout {
        kicker: flow(plain(kicker, kicker_style, kicker_mark), 0.0),
        title: flow(title_units, 0.0),
        subtitle: flow(plain(subtitle, subtitle_style, subtitle_mark), 14.0),
        rows: flow(
            {
                let mut units = label_rows(
                    fonts,
                    tree,
                    rows,
                    (label, value),
                    label_width(fonts, rows, label, WIDTH * 0.4),
                );
                glue_all(&mut units);
                units
            },
            0.0,
        ),
    }
}

impl CoverLayout {
    /// Puts the cover on a page of its own and starts a new page after it.
    pub(super) fn place(self, cursor: &mut Cursor) {
        if !cursor.fresh {
            cursor.new_page();
        }
        let page = cursor.page();
        page.cover = true;
        page.items.extend([
            Item::Rect {
                x: 0.0,
                y: 0.0,
                w: PAGE_W,
                h: 12.0,
                fill: NAVY,
                mark: DECORATION,
            },
            Item::Rect {
                x: 0.0,
                y: 12.0,
                w: PAGE_W,
                h: 2.0,
                fill: GOLD,
                mark: DECORATION,
            },
            Item::Rect {
                x: 0.0,
                y: PAGE_H - 30.0,
                w: PAGE_W,
                h: 30.0,
                fill: NAVY,
                mark: DECORATION,
            },
        ]);
        cursor.fresh = false;
        cursor.y = COVER_KICKER_Y;
        cursor.place_flow(self.kicker);
        cursor.gap = 0.0;
        cursor.place_flow(self.title);
        cursor.place_flow(self.subtitle);
        if !self.rows.units.is_empty() {
            cursor.gap = 0.0;
            // The details sit in the lower half of the cover, at least a
            // little below the subtitle.
            if cursor.page().cover {
                cursor.y = (cursor.y + 50.0).max(COVER_ROWS_Y);
            }
            cursor.place_flow(self.rows);
        }
        cursor.new_page();
    }
}

/// Centred or flush-right lines (letterheads, titles, signature blocks); kept together.
pub(super) fn aligned(
    fonts: &Fonts,
    align: Align,
    (size, width): (f32, f32),
    content: &[Span],
    mark: Mark,
) -> Flow {
    let size = if size.is_finite() {
        size.clamp(6.0, 24.0)
    } else {
        BODY.size
    };
    let share = if width.is_finite() {
        width.clamp(0.2, 1.0)
    } else {
        1.0
    };
    let style = TextStyle {
        size,
        leading: size * 1.35,
        ..BODY
    };
    let area = WIDTH * share;
    let lines = text::wrap(fonts, spans(content), size, area);
    let mut units: Vec<Unit> = lines
        .iter()
        .map(|line| {
            let x = match align {
                Align::Center => LEFT + (WIDTH - line.width) / 2.0,
                Align::Right => LEFT + WIDTH - area,
            };
            Unit {
                height: style.leading,
                items: line_items(fonts, line, x, 0.0, style, mark).collect(),
                glue: false,
            }
        })
        .collect();
    glue_all(&mut units);
    Flow {
        units,
        before: 0.0,
        after: 4.0,
        deco: None,
    }
}

/// A full-width rule; the double one is a thick line over a thin one, as under a kop surat.
pub(super) fn rule(double: bool) -> Flow {
    let mut items = vec![Item::Line {
        x1: LEFT,
        y1: 1.5,
        x2: LEFT + WIDTH,
        y2: 1.5,
        width: if double { 2.2 } else { 0.7 },
        color: theme::INK,
        mark: DECORATION,
    }];
    if double {
        items.push(Item::Line {
            x1: LEFT,
            y1: 4.6,
            x2: LEFT + WIDTH,
            y2: 4.6,
            width: 0.6,
            color: theme::INK,
            mark: DECORATION,
        });
    }
    Flow {
        units: vec![Unit {
            height: 6.0,
            items,
            glue: false,
        }],
        before: 2.0,
        after: 10.0,
        deco: None,
    }
}
