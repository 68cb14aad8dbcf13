//! Tables: wrapped cells, zebra rows, a header repeated on every page.
//!
//! Rows move to the next page whole. Only a row taller than a page is split,
//! between text lines, with the header repeated above each continuation.

use crate::font::{FontId, Fonts};
use crate::model::{Rgb, Table};
use crate::theme::{
    self, BODY_H, CELL, EPS, INK, LEFT, NAVY, RULE, TOP, TextStyle, WHITE, WIDTH, ZEBRA,
};

use super::tag::{Artifact, DECORATION, Mark, Role, Scope, Tree};
use super::text::{self, Line};
use super::{Cursor, Item, Unit, line_items};

/// Horizontal padding inside a cell.
const PAD_X: f32 = 5.0;
/// Vertical padding inside a cell, repeated on each part of a split row.
const PAD_Y: f32 = 3.5;

/// One cell, broken into lines.
#[derive(Debug, Clone, PartialEq)]
struct CellLines {
    lines: Vec<Line>,
    fill: Option<Rgb>,
    style: TextStyle,
    /// The cell's structure element.
    mark: Mark,
}

/// One row, broken into lines.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    cells: Vec<CellLines>,
    /// Line count of the tallest cell (at least one).
    lines: usize,
    /// Background behind cells without their own fill.
    fill: Option<Rgb>,
    /// Draw a hairline under the row.
    rule: bool,
}

/// A measured table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableLayout {
    /// Space above the table.
    pub(crate) before: f32,
    /// Space below the table.
    pub(crate) after: f32,
    /// Left edge and width of each column.
    columns: Vec<(f32, f32)>,
    header: Row,
    rows: Vec<Row>,
}

/// Height of `lines` text lines plus the cell padding.
fn band_height(lines: usize) -> f32 {
    2.0 * PAD_Y + lines as f32 * CELL.leading
}

impl TableLayout {
    /// Measures a table: column widths from the relative weights, cell text wrapped.
    /// Adds the table's structure: a header row of column header cells, then data rows.
    pub(crate) fn new(fonts: &Fonts, table: &Table, tree: &mut Tree) -> Self {
        let node = tree.add(Tree::ROOT, Role::Table);
        let weights: Vec<f32> = table
            .columns
            .iter()
            .map(|c| {
                if c.width.is_finite() && c.width > 0.0 {
                    c.width
                } else {
                    1.0
                }
            })
            .collect();
        let total: f32 = weights.iter().sum();
        let mut x = LEFT;
        let columns: Vec<(f32, f32)> = weights
            .iter()
            .map(|w| {
                let width = WIDTH * w / total;
                let column = (x, width);
                x += width;
                column
            })
            .collect();

        let header_style = CELL.with_font(FontId::Bold).with_color(WHITE);
        let header_row = tree.add(node, Role::TR);
        let header_cells: Vec<_> = table
            .columns
            .iter()
            .map(|c| {
                let th = tree.add(header_row, Role::TH(Scope::Column));
                (c.header.as_str(), header_style, None, Mark::Node(th))
            })
            .collect();
        let header = Self::row(fonts, &columns, header_cells.into_iter(), Some(NAVY), false);
        let rows = table
            .rows
            .iter()
            .enumerate()
            .map(|(index, cells)| {
                let tr = tree.add(node, Role::TR);
                // Missing cells are drawn empty and tagged as empty data cells,
                // so every row has as many cells as there are columns.
                let marks: Vec<Mark> = (0..columns.len())
                    .map(|_| Mark::Node(tree.add(tr, Role::TD)))
                    .collect();
                let cells = cells.iter().zip(marks).map(|(cell, mark)| {
                    let font = if cell.bold {
                        FontId::Bold
                    } else {
                        FontId::Regular
                    };
                    let color = match cell.fill {
                        Some(fill) if theme::is_dark(fill) => WHITE,
                        _ => INK,
                    };
                    (
                        cell.text.as_str(),
                        CELL.with_font(font).with_color(color),
                        cell.fill,
                        mark,
                    )
                });
                let zebra = (index % 2 == 1).then_some(ZEBRA);
                Self::row(fonts, &columns, cells, zebra, true)
            })
            .collect();
        TableLayout {
            before: 4.0,
            after: 12.0,
            columns,
            header,
            rows,
        }
    }

    fn row<'a>(
        fonts: &Fonts,
        columns: &[(f32, f32)],
        cells: impl Iterator<Item = (&'a str, TextStyle, Option<Rgb>, Mark)>,
        fill: Option<Rgb>,
        rule: bool,
    ) -> Row {
        let cells: Vec<CellLines> = cells
            .zip(columns)
            .map(|((content, style, fill, mark), &(_, width))| CellLines {
                lines: text::wrap_plain(
                    fonts,
                    style.font,
                    content,
                    style.size,
                    width - 2.0 * PAD_X,
                ),
                fill,
                style,
                mark,
            })
            .collect();
        let lines = cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0)
            .max(1);
        Row {
            cells,
            lines,
            fill,
            rule,
        }
    }

    fn header_height(&self) -> f32 {
        band_height(self.header.lines)
    }

    /// Room the table needs on the page it starts on: the header and the first row
    /// (or the first line of it, if the row will have to be split anyway).
    pub(crate) fn lead(&self) -> f32 {
        let header = self.header_height();
        let first = self.rows.first().map_or(0.0, |row| {
            let whole = band_height(row.lines);
            if whole <= BODY_H - header + EPS {
                whole
            } else {
                band_height(1)
            }
        });
        header + first
    }

    /// The part of `row` from text line `from` up to (excluding) `to`.
    fn band(&self, fonts: &Fonts, row: &Row, from: usize, to: usize) -> Unit {
        let height = band_height(to - from);
        let mut items = Vec::new();
        let (left, right) = match (self.columns.first(), self.columns.last()) {
            (Some(&(first, _)), Some(&(last, w))) => (first, last + w),
            _ => (LEFT, LEFT + WIDTH),
        };
        if let Some(fill) = row.fill {
            items.push(Item::Rect {
                x: left,
                y: 0.0,
                w: right - left,
                h: height,
                fill,
                mark: DECORATION,
            });
        }
        for (cell, &(x, w)) in row.cells.iter().zip(&self.columns) {
            if let Some(fill) = cell.fill {
                items.push(Item::Rect {
                    x,
                    y: 0.0,
                    w,
                    h: height,
                    fill,
                    mark: DECORATION,
                });
            }
        }
        for (cell, &(x, _)) in row.cells.iter().zip(&self.columns) {
            let end = to.min(cell.lines.len());
            for (i, line) in cell
                .lines
                .get(from..end)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let top = PAD_Y + i as f32 * CELL.leading;
                items.extend(line_items(
                    fonts,
                    line,
                    x + PAD_X,
                    top,
                    cell.style,
                    cell.mark,
                ));
            }
        }
        if row.rule {
            items.push(Item::Line {
                x1: left,
                y1: height,
                x2: right,
                y2: height,
                width: 0.5,
                color: RULE,
                mark: DECORATION,
            });
        }
        Unit {
            height,
            items,
            glue: false,
        }
    }

    /// Paginates the table.
    pub(crate) fn place(self, fonts: &Fonts, cursor: &mut Cursor) {
        if self.columns.is_empty() {
            return;
        }
        cursor.gap = cursor.gap.max(self.before);
        cursor.make_room(self.lead());
        let header = self.band(fonts, &self.header, 0, self.header.lines);
        let header_h = header.height;
        // The header is content once; its repetitions on continuation pages are artifacts.
        let mut repeated = header.clone();
        for item in &mut repeated.items {
            if matches!(item.mark(), Mark::Node(_)) {
                item.set_mark(Mark::Artifact(Artifact::Pagination));
            }
        }
        let continue_on_new_page = |cursor: &mut Cursor| {
            cursor.new_page();
            cursor.place(repeated.clone());
        };
        cursor.place(header.clone());
        for row in &self.rows {
            let height = band_height(row.lines);
            if height <= cursor.room() + EPS {
                cursor.place(self.band(fonts, row, 0, row.lines));
                continue;
            }
            if height <= BODY_H - header_h + EPS {
                continue_on_new_page(cursor);
                cursor.place(self.band(fonts, row, 0, row.lines));
                continue;
            }
            // Taller than a page: split between lines.
            let mut from = 0;
            while from < row.lines {
                let fit = ((cursor.room() - 2.0 * PAD_Y + EPS) / CELL.leading)
                    .floor()
                    .max(0.0) as usize;
                let mut count = fit.min(row.lines - from);
                if count == 0 {
                    // Something besides the header is on this page: continue on
                    // the next. Otherwise the page is as empty as it gets, so
                    // place one line regardless to guarantee progress.
                    if cursor.y > TOP + header_h + EPS {
                        continue_on_new_page(cursor);
                        continue;
                    }
                    count = 1;
                }
                cursor.place(self.band(fonts, row, from, from + count));
                from += count;
                if from < row.lines {
                    continue_on_new_page(cursor);
                }
            }
        }
        cursor.gap = self.after;
    }
}
