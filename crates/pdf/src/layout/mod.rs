//! Blocks to positioned pages.
//!
//! Layout runs in two steps. Every block is first *prepared*: its text is
//! broken into lines and turned into [`Unit`]s, slices of content with a
//! height and items positioned relative to the slice's top. The paginator then
//! stacks the units down the pages, deciding where pages break (keeping
//! headings with what follows, repeating table headers, splitting only where
//! allowed). Footers are added last, once the page count is known.
//!
//! Nothing here writes PDF; the result is plain data the tests can inspect.

mod blocks;
mod chart;
mod table;
pub(crate) mod tag;
pub(crate) mod text;

use crate::font::{FontId, Fonts};
use crate::model::{Block, Document, Rgb};
use crate::theme::{
    BODY_H, BOTTOM, EPS, FOOTER, FOOTER_BASELINE, FOOTER_RULE, LEFT, RIGHT, RULE, TOP, TextStyle,
};

use table::TableLayout;
use tag::{Artifact, DECORATION, Mark, Role, Tree};

/// One drawing instruction. Coordinates are points from the top-left corner
/// of the page; text `y` is the baseline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A run of text in one font.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Typeface.
        font: FontId,
        /// Font size.
        size: f32,
        /// Fill colour.
        color: Rgb,
        /// The text.
        text: String,
        /// Structure element or artifact.
        mark: Mark,
    },
    /// A filled rectangle; `y` is its top edge.
    Rect {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill colour.
        fill: Rgb,
        /// Structure element or artifact.
        mark: Mark,
    },
    /// A stroked rectangle outline; `y` is its top edge.
    Frame {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Stroke colour.
        color: Rgb,
        /// Stroke width.
        width: f32,
        /// Structure element or artifact.
        mark: Mark,
    },
    /// A straight stroked line.
    Line {
        /// Start x.
        x1: f32,
        /// Start y.
        y1: f32,
        /// End x.
        x2: f32,
        /// End y.
        y2: f32,
        /// Stroke width.
        width: f32,
        /// Stroke colour.
        color: Rgb,
        /// Structure element or artifact.
        mark: Mark,
    },
}

impl Item {
    fn shift(&mut self, dy: f32) {
        match self {
            Item::Text { y, .. } | Item::Rect { y, .. } | Item::Frame { y, .. } => *y += dy,
            Item::Line { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
        }
    }

    /// Re-marks the item.
    pub(crate) fn set_mark(&mut self, to: Mark) {
        match self {
            Item::Text { mark, .. }
            | Item::Rect { mark, .. }
            | Item::Frame { mark, .. }
            | Item::Line { mark, .. } => *mark = to,
        }
    }

    /// What the item belongs to.
    pub(crate) fn mark(&self) -> Mark {
        match self {
            Item::Text { mark, .. }
            | Item::Rect { mark, .. }
            | Item::Frame { mark, .. }
            | Item::Line { mark, .. } => *mark,
        }
    }

    /// The text of a text item.
    #[cfg(test)]
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Item::Text { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// One laid-out page.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Page {
    /// Drawing instructions in painting order.
    pub(crate) items: Vec<Item>,
    /// Cover pages carry no footer.
    pub(crate) cover: bool,
}

/// A heading, for the document outline (bookmarks).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutlineEntry {
    /// Heading level, 1 to 3.
    pub(crate) level: u8,
    /// Heading text.
    pub(crate) title: String,
    /// Page index.
    pub(crate) page: usize,
    /// Top of the heading on that page.
    pub(crate) y: f32,
}

/// The laid-out document.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Layout {
    /// Pages in order.
    pub(crate) pages: Vec<Page>,
    /// Headings in order.
    pub(crate) outline: Vec<OutlineEntry>,
    /// Logical structure the items' marks refer to.
    pub(crate) tree: Tree,
}

/// A slice of a block that pagination treats as indivisible.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Unit {
    /// Vertical space taken.
    pub(crate) height: f32,
    /// Items relative to the unit's top.
    pub(crate) items: Vec<Item>,
    /// Keep on the same page as the next unit when possible.
    pub(crate) glue: bool,
}

/// Background drawn behind each page's share of a flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Deco {
    /// Left edge of the box.
    pub(crate) x: f32,
    /// Width of the box.
    pub(crate) w: f32,
    /// Space between the box top and the first unit.
    pub(crate) pad_top: f32,
    /// Space between the last unit and the box bottom.
    pub(crate) pad_bottom: f32,
    /// Box fill.
    pub(crate) fill: Rgb,
    /// Hairline around the box.
    pub(crate) border: Option<Rgb>,
    /// Coloured bar along the left edge.
    pub(crate) bar: Option<Rgb>,
}

/// A sequence of units, optionally boxed, with spacing around it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Flow {
    /// The units, top to bottom.
    pub(crate) units: Vec<Unit>,
    /// Minimum space above.
    pub(crate) before: f32,
    /// Space below.
    pub(crate) after: f32,
    /// Box behind the units.
    pub(crate) deco: Option<Deco>,
}

impl Flow {
    fn pads(&self) -> (f32, f32) {
        self.deco.map_or((0.0, 0.0), |d| (d.pad_top, d.pad_bottom))
    }

    /// Height of the glued chain starting at unit `i`, or just unit `i` when
    /// the chain could never fit on one page.
    fn need(&self, i: usize) -> f32 {
        let (top, bottom) = self.pads();
        let cap = BODY_H - top - bottom;
        let rest = self.units.get(i..).unwrap_or_default();
        let mut total = 0.0;
        for unit in rest {
            total += unit.height;
            if total > cap {
                return rest.first().map_or(0.0, |u| u.height);
            }
            if !unit.glue {
                break;
            }
        }
        total
    }

    /// Room the flow needs on the page it starts on.
    fn lead(&self) -> f32 {
        if self.units.is_empty() {
            return 0.0;
        }
        let (top, bottom) = self.pads();
        top + self.need(0) + bottom
    }
}

/// A block after measuring, ready to paginate.
#[derive(Debug, Clone, PartialEq)]
enum Prepared {
    Flow(Flow),
    Heading { flow: Flow, level: u8, text: String },
    Table(TableLayout),
    Cover(blocks::CoverLayout),
    Space(f32),
    Break,
}

impl Prepared {
    fn before(&self) -> f32 {
        match self {
            Prepared::Flow(flow) | Prepared::Heading { flow, .. } => flow.before,
            Prepared::Table(table) => table.before,
            Prepared::Cover(_) | Prepared::Space(_) | Prepared::Break => 0.0,
        }
    }
}

/// Lays out a document into pages.
pub(crate) fn layout(doc: &Document, fonts: &Fonts) -> Layout {
    let decimal_comma = !doc.lang.to_ascii_lowercase().starts_with("en");
    let mut tree = Tree::default();
    let prepared: Vec<Prepared> = doc
        .blocks
        .iter()
        .map(|block| prepare(block, fonts, decimal_comma, &mut tree))
        .collect();

    // Room each block needs on the page it starts on, computed back to front
    // because a heading needs its own room plus that of what follows.
    let mut leads = vec![0.0f32; prepared.len()];
    for i in (0..prepared.len()).rev() {
        let next = |i: usize| -> (f32, f32) {
            match prepared.get(i + 1) {
                Some(p) => (p.before(), leads[i + 1]),
                None => (0.0, 0.0),
            }
        };
        leads[i] = match &prepared[i] {
            Prepared::Flow(flow) => flow.lead(),
            Prepared::Heading { flow, .. } => {
                let (before, lead) = next(i);
                flow.lead() + flow.after.max(before) + lead
            }
            Prepared::Table(table) => table.lead(),
            Prepared::Space(space) => space + next(i).1,
            Prepared::Cover(_) | Prepared::Break => 0.0,
        }
        .min(BODY_H);
    }

    let mut cursor = Cursor::new();
    for (block, lead) in prepared.into_iter().zip(leads) {
        match block {
            Prepared::Flow(flow) => cursor.place_flow(flow),
            Prepared::Heading { flow, level, text } => {
                // Keep-with-next: the heading moves to a new page unless it
                // fits together with the start of the following block.
                cursor.gap = cursor.gap.max(flow.before);
                cursor.break_unless_fits(lead);
                let y = if cursor.fresh {
                    cursor.y
                } else {
                    cursor.y + cursor.gap
                };
                cursor.outline.push(OutlineEntry {
                    level,
                    title: text,
                    page: cursor.pages.len() - 1,
                    y,
                });
                cursor.place_flow(flow);
            }
            Prepared::Table(table) => table.place(fonts, &mut cursor),
            Prepared::Cover(cover) => cover.place(&mut cursor),
            Prepared::Space(space) => cursor.gap += space,
            Prepared::Break => {
                if !cursor.fresh {
                    cursor.new_page();
                }
            }
        }
    }
    let mut pages = cursor.pages;
    // A trailing page break or cover leaves an empty page behind.
    if pages.len() > 1 && pages.last().is_some_and(|p| p.items.is_empty()) {
        pages.pop();
    }
    add_footers(&mut pages, doc, fonts);
    Layout {
        pages,
        outline: cursor.outline,
        tree,
    }
}

/// Measures one block and adds its structure elements to `tree`.
fn prepare(block: &Block, fonts: &Fonts, decimal_comma: bool, tree: &mut Tree) -> Prepared {
    let root = Tree::ROOT;
    match block {
        Block::Cover {
            kicker,
            title,
            subtitle,
            lines,
        } => Prepared::Cover(blocks::cover(fonts, tree, [kicker, title, subtitle], lines)),
        Block::Heading { level, text } => {
            let level = (*level).clamp(1, 3);
            let node = tree.add(root, Role::H(level));
            Prepared::Heading {
                flow: blocks::heading(fonts, level, text, Mark::Node(node)),
                level,
                text: text.clone(),
            }
        }
        Block::Paragraph(spans) => {
            let node = tree.add(root, Role::P);
            Prepared::Flow(blocks::paragraph(fonts, spans, Mark::Node(node)))
        }
        Block::Bullets(items) => Prepared::Flow(blocks::bullets(fonts, items, tree)),
        Block::KeyValue(rows) => Prepared::Flow(blocks::key_value(fonts, rows, tree)),
        Block::Table(table) => Prepared::Table(TableLayout::new(fonts, table, tree)),
        Block::Callout { tone, title, body } => {
            Prepared::Flow(blocks::callout(fonts, *tone, title, body, tree))
        }
        Block::BarChart(chart) => {
            let alt = chart::alt_text(chart, decimal_comma);
            let node = tree.add_with_alt(root, Role::Figure, alt);
            Prepared::Flow(chart::prepare_figure(
                fonts,
                chart,
                decimal_comma,
                Mark::Node(node),
            ))
        }
        Block::Preformatted(text) => {
            let node = tree.add(root, Role::P);
            Prepared::Flow(blocks::preformatted(fonts, text, Mark::Node(node)))
        }
        Block::Aligned {
            align,
            size,
            width,
            content,
            heading,
        } => {
            let role = match heading {
                Some(level) => Role::H((*level).clamp(1, 6)),
                None => Role::P,
            };
            let node = tree.add(root, role);
            Prepared::Flow(blocks::aligned(
                fonts,
                *align,
                (*size, *width),
                content,
                Mark::Node(node),
            ))
        }
        Block::Rule { double } => Prepared::Flow(blocks::rule(*double)),
        Block::Spacer(points) => Prepared::Space(if points.is_finite() {
            points.clamp(0.0, BODY_H)
        } else {
            0.0
        }),
        Block::PageBreak => Prepared::Break,
    }
}

/// Pagination state: the pages so far and the position on the last one.
pub(crate) struct Cursor {
    pages: Vec<Page>,
    outline: Vec<OutlineEntry>,
    /// Next free position on the current page.
    y: f32,
    /// Space still owed before the next content; dropped at the top of a page.
    gap: f32,
    /// Nothing has been placed on the current page yet.
    fresh: bool,
}

impl Cursor {
    fn new() -> Self {
        Cursor {
            pages: vec![Page::default()],
            outline: Vec::new(),
            y: TOP,
            gap: 0.0,
            fresh: true,
        }
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
        self.gap = 0.0;
        self.fresh = true;
    }

    /// Space left on the current page.
    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Settles the pending gap, first moving to a new page unless `need`
    /// points fit below it. A fresh page always accepts, so oversized content
    /// cannot cause an endless run of empty pages.
    fn make_room(&mut self, need: f32) {
        self.break_unless_fits(need);
        if !self.fresh {
            self.y += self.gap;
        }
        self.gap = 0.0;
    }

    /// Moves to a new page unless `need` points fit below the pending gap.
    fn break_unless_fits(&mut self, need: f32) {
        if !self.fresh && self.y + self.gap + need > BOTTOM + EPS {
            self.new_page();
        }
    }

    /// Puts a unit at the current position.
    fn place(&mut self, unit: Unit) {
        let dy = self.y;
        let page = self.page();
        page.items.extend(unit.items.into_iter().map(|mut item| {
            item.shift(dy);
            item
        }));
        self.y += unit.height;
        self.fresh = false;
    }

    /// Places a flow, breaking pages between units where needed and drawing
    /// the flow's box behind each page's share.
    fn place_flow(&mut self, flow: Flow) {
        if flow.units.is_empty() {
            return;
        }
        self.gap = self.gap.max(flow.before);
        let needs: Vec<f32> = (0..flow.units.len()).map(|i| flow.need(i)).collect();
        let (pad_top, pad_bottom) = flow.pads();
        let mut units = flow.units.into_iter().enumerate().peekable();
        while let Some(&(first, _)) = units.peek() {
            self.make_room(pad_top + needs[first] + pad_bottom);
            let top = self.y;
            let background_at = self.page().items.len();
            self.y += pad_top;
            let mut placed = false;
            while let Some((_, unit)) =
                units.next_if(|(i, _)| !placed || self.y + needs[*i] + pad_bottom <= BOTTOM + EPS)
            {
                self.place(unit);
                placed = true;
            }
            self.y += pad_bottom;
            self.fresh = false;
            if let Some(deco) = flow.deco {
                let height = self.y - top;
                let page = self.page();
                let mut background = vec![Item::Rect {
                    x: deco.x,
                    y: top,
                    w: deco.w,
                    h: height,
                    fill: deco.fill,
                    mark: DECORATION,
                }];
                if let Some(color) = deco.border {
                    background.push(Item::Frame {
                        x: deco.x,
                        y: top,
                        w: deco.w,
                        h: height,
                        color,
                        width: 0.5,
                        mark: DECORATION,
                    });
                }
                if let Some(fill) = deco.bar {
                    background.push(Item::Rect {
                        x: deco.x,
                        y: top,
                        w: 3.5,
                        h: height,
                        fill,
                        mark: DECORATION,
                    });
                }
                page.items.splice(background_at..background_at, background);
            }
            if units.peek().is_some() {
                self.new_page();
            }
        }
        self.gap = flow.after;
    }
}

/// Adds the left footer and the page label to every page but covers.
fn add_footers(pages: &mut [Page], doc: &Document, fonts: &Fonts) {
    let total = pages.len().to_string();
    let font = fonts.font(FOOTER.font);
    for (index, page) in pages.iter_mut().enumerate() {
        if page.cover {
            continue;
        }
        let label = doc
            .page_label
            .replace("{page}", &(index + 1).to_string())
            .replace("{pages}", &total);
        let label = text::truncate(
            fonts,
            FOOTER.font,
            &label,
            FOOTER.size,
            (RIGHT - LEFT) * 0.4,
        );
        let label_w = font.width(&label, FOOTER.size);
        let footer = text::truncate(
            fonts,
            FOOTER.font,
            &doc.footer,
            FOOTER.size,
            RIGHT - LEFT - label_w - 24.0,
        );
        page.items.push(Item::Line {
            x1: LEFT,
            y1: FOOTER_RULE,
            x2: RIGHT,
            y2: FOOTER_RULE,
            width: 0.5,
            color: RULE,
            mark: Mark::Artifact(Artifact::Footer),
        });
        for (x, text) in [(LEFT, footer), (RIGHT - label_w, label)] {
            if !text.is_empty() {
                page.items.push(Item::Text {
                    x,
                    y: FOOTER_BASELINE,
                    font: FOOTER.font,
                    size: FOOTER.size,
                    color: FOOTER.color,
                    text,
                    mark: Mark::Artifact(Artifact::Footer),
                });
            }
        }
    }
}

/// Offset from the top of a line box to the baseline, centring the font's
/// ascender-to-descender height in the leading.
pub(crate) fn baseline(fonts: &Fonts, style: TextStyle) -> f32 {
    let font = fonts.font(style.font);
    let ascent = font.scale(f32::from(font.ascender), style.size);
    let descent = font.scale(f32::from(font.descender), style.size);
    (style.leading - (ascent - descent)) / 2.0 + ascent
}

/// Text items for one broken line whose box starts at `top`.
pub(crate) fn line_items(
    fonts: &Fonts,
    line: &text::Line,
    x: f32,
    top: f32,
    style: TextStyle,
    mark: Mark,
) -> impl Iterator<Item = Item> {
    line_at(line, x, top + baseline(fonts, style), style, mark)
}

/// Text items for one broken line on baseline `y`.
pub(crate) fn line_at(
    line: &text::Line,
    x: f32,
    y: f32,
    style: TextStyle,
    mark: Mark,
) -> impl Iterator<Item = Item> {
    line.runs.iter().map(move |run| Item::Text {
        x: x + run.x,
        y,
        font: run.font,
        size: style.size,
        color: style.color,
        text: run.text.clone(),
        mark,
    })
}

#[cfg(test)]
mod tests;
