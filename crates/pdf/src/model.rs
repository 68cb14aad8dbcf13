//! The report document model handed to [`crate::render`].

/// A complete report: metadata, running footer and the content blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Document title, written to the Info dictionary and shown as the viewer's window title.
    pub title: String,
    /// Author written to the Info dictionary.
    pub author: String,
    /// Subject written to the Info dictionary.
    pub subject: String,
    /// BCP 47 language tag (`"id"` or `"en"`), written as the catalog's `/Lang`.
    pub lang: String,
    /// Left footer text on every page except cover pages.
    pub footer: String,
    /// Right footer template; `{page}` and `{pages}` are replaced by the page number and the page count.
    pub page_label: String,
    /// Content blocks in reading order.
    pub blocks: Vec<Block>,
}

/// One unit of report content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A cover page of its own: kicker (issuing office), title, subtitle and label/value rows.
    Cover {
        /// Small line above the title, usually the issuing office.
        kicker: String,
        /// The large cover title.
        title: String,
        /// Secondary line under the title.
        subtitle: String,
        /// Label/value rows such as recipient, application, period and evaluator.
        lines: Vec<(String, String)>,
    },
    /// A section heading of level 1 to 3, kept on the same page as the first line that follows it.
    Heading {
        /// Level 1 (chapter) to 3 (minor heading); other values are clamped.
        level: u8,
        /// Heading text.
        text: String,
    },
    /// A paragraph of mixed-style text.
    Paragraph(Vec<Span>),
    /// A bulleted list; each item is a run of mixed-style text.
    Bullets(Vec<Vec<Span>>),
    /// A two-column label/value list whose values wrap.
    KeyValue(Vec<(String, String)>),
    /// A table whose header row repeats on every page it continues on.
    Table(Table),
    /// A tinted box with a coloured left bar, used for decisions and key messages.
    Callout {
        /// Colour family of the box.
        tone: Tone,
        /// Bold first line of the box.
        title: String,
        /// Box text.
        body: Vec<Span>,
    },
    /// A horizontal stacked bar chart drawn as vectors with selectable labels.
    BarChart(BarChart),
    /// Monospaced excerpt (for example an HTTP exchange), hard-wrapped to the column width.
    Preformatted(String),
    /// Lines of mixed-style text set centred or flush right at `size` points (letterheads,
    /// letter titles, signature blocks); each line wraps within `width` of the column (0–1).
    Aligned {
        /// Where each line sits.
        align: Align,
        /// Font size in points (clamped to 6–24).
        size: f32,
        /// Share of the column width the text may use, from the alignment edge (0.2–1).
        width: f32,
        /// Text; `\n` in a span starts a new line.
        content: Vec<Span>,
        /// Tag the lines as a heading of this level (1–6), e.g. a letter's title,
        /// instead of as a paragraph.
        heading: Option<u8>,
    },
    /// A full-width horizontal rule: single, or the thick-and-thin double line under a letterhead.
    Rule {
        /// Double line.
        double: bool,
    },
    /// Vertical space in points.
    Spacer(f32),
    /// Continue on a new page.
    PageBreak,
}

/// Horizontal placement of an [`Block::Aligned`] block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Centred in the column.
    Center,
    /// Flush with the right edge of the column, lines left-aligned within the area.
    Right,
}

/// Colour family of a [`Block::Callout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// Green: a positive outcome.
    Good,
    /// Red: a failing outcome.
    Bad,
    /// Amber: needs attention.
    Warn,
    /// Navy: informational.
    Neutral,
}

/// Typeface of a [`Span`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Style {
    /// DejaVu Sans.
    #[default]
    Regular,
    /// DejaVu Sans Bold.
    Bold,
    /// DejaVu Sans Mono.
    Mono,
}

/// A piece of text in one style.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The text; spaces are break opportunities and `\n` forces a line break.
    pub text: String,
    /// Typeface of the text.
    pub style: Style,
}

impl Span {
    /// A span in the given style.
    pub fn new(text: impl Into<String>, style: Style) -> Self {
        Span {
            text: text.into(),
            style,
        }
    }

    /// A regular-weight span.
    pub fn regular(text: impl Into<String>) -> Self {
        Span::new(text, Style::Regular)
    }

    /// A bold span.
    pub fn bold(text: impl Into<String>) -> Self {
        Span::new(text, Style::Bold)
    }

    /// A monospaced span.
    pub fn mono(text: impl Into<String>) -> Self {
        Span::new(text, Style::Mono)
    }
}

impl From<&str> for Span {
    fn from(text: &str) -> Self {
        Span::regular(text)
    }
}

impl From<String> for Span {
    fn from(text: String) -> Self {
        Span::regular(text)
    }
}

/// A table: column definitions and rows of cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column headers and relative widths.
    pub columns: Vec<Column>,
    /// Rows; missing cells are drawn empty, cells beyond the column count are ignored.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with the given `(header, relative width)` columns and no rows.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = (S, f32)>) -> Self {
        Table {
            columns: columns
                .into_iter()
                .map(|(header, width)| Column::new(header, width))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row and returns the table, for builder-style construction.
    pub fn row(mut self, cells: impl IntoIterator<Item = Cell>) -> Self {
        self.rows.push(cells.into_iter().collect());
        self
    }
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Column {
    /// Header text, repeated on continuation pages.
    pub header: String,
    /// Relative width weight; non-positive or non-finite weights count as 1.
    pub width: f32,
}

impl Column {
    /// A column with a header and a relative width.
    pub fn new(header: impl Into<String>, width: f32) -> Self {
        Column {
            header: header.into(),
            width,
        }
    }
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Cell {
    /// Cell text; wraps inside the column.
    pub text: String,
    /// Draw the text in bold.
    pub bold: bool,
    /// Background colour overriding the zebra striping.
    pub fill: Option<Rgb>,
}

impl Cell {
    /// A plain cell.
    pub fn new(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            bold: false,
            fill: None,
        }
    }

    /// A bold cell.
    pub fn bold(text: impl Into<String>) -> Self {
        Cell {
            bold: true,
            ..Cell::new(text)
        }
    }

    /// Returns the cell with a background colour.
    pub fn with_fill(mut self, fill: Rgb) -> Self {
        self.fill = Some(fill);
        self
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::new(text)
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::new(text)
    }
}

/// An sRGB colour with 8-bit channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// The colour as PDF colour components in `0.0..=1.0`.
    pub fn components(self) -> [f32; 3] {
        [
            f32::from(self.0) / 255.0,
            f32::from(self.1) / 255.0,
            f32::from(self.2) / 255.0,
        ]
    }
}

/// A horizontal stacked bar chart: one bar per category, one segment per series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarChart {
    /// Chart title drawn above the bars.
    pub title: String,
    /// Category labels, one bar each; categories with a zero total are still listed.
    pub categories: Vec<String>,
    /// Series stacked inside each bar, in legend order.
    pub series: Vec<Series>,
}

/// One stacked series of a [`BarChart`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Segment colour.
    pub color: Rgb,
    /// One value per category; missing, negative or non-finite values count as zero.
    pub values: Vec<f64>,
}

impl Series {
    /// A series with a name, colour and values.
    pub fn new(name: impl Into<String>, color: Rgb, values: impl Into<Vec<f64>>) -> Self {
        Series {
            name: name.into(),
            color,
            values: values.into(),
        }
    }
}
