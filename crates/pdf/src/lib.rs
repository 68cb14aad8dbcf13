//! Report documents laid out and written as PDF.
//!
//! A [`Document`] (cover, headings, paragraphs, tables, callouts, charts,
//! evidence excerpts) goes in, PDF bytes come out. The crate does no I/O.
//!
//! - A4 portrait pages with a left footer and a "page n of N" label.
//! - DejaVu Sans, Sans Bold and Sans Mono embedded as subsetted CID fonts with
//!   `ToUnicode` maps, so all text is selectable and extractable.
//! - Tables repeat their header row on every page they continue on.
//! - Output is deterministic: the same document always gives the same bytes.
//! - Text is shaped (kerning, ligatures, marks, contextual forms) with rustybuzz.
//! - Tagged: a structure tree of headings, paragraphs, lists, tables with header
//!   cells and figures with alternate text; footers and decoration are artifacts.
//! - [`render_archival`] writes the same document as PDF/A-2b, identified as
//!   PDF/UA-1 as well, with an sRGB output intent and the issue date.
//!
//! ```
//! use kawal_pdf::{Block, Document, Span, render};
//!
//! let doc = Document {
//!     title: "Laporan Evaluasi".into(),
//!     lang: "id".into(),
//!     page_label: "Halaman {page} dari {pages}".into(),
//!     blocks: vec![
//!         Block::Heading { level: 1, text: "Ringkasan".into() },
//!         Block::Paragraph(vec![Span::bold("Keputusan: "), Span::regular("layak.")]),
//!     ],
//!     ..Document::default()
//! };
//! let pdf = render(&doc).unwrap();
//! assert!(pdf.starts_with(b"%PDF-1.7"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod archive;
mod font;
mod layout;
mod model;
mod structure;
mod theme;
mod write;

pub use archive::Timestamp;
pub use model::{
    Align, BarChart, Block, Cell, Column, Document, Rgb, Series, Span, Style, Table, Tone,
};

/// Why a document could not be rendered.
///
/// Document content never causes an error (unknown characters are replaced,
/// oversized content is split or clipped); only a damaged embedded font does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An embedded font could not be parsed.
    #[error("font {name} tidak dapat dibaca / font {name} could not be read: {reason}")]
    Font {
        /// PostScript name of the font.
        name: &'static str,
        /// Parser message.
        reason: String,
    },
    /// An embedded font could not be subset.
    #[error("subset font {name} tidak dapat dibuat / font {name} could not be subset: {reason}")]
    Subset {
        /// PostScript name of the font.
        name: &'static str,
        /// What was wrong with the font data.
        reason: String,
    },
    /// A timestamp field is out of range.
    #[error(
        "waktu tidak valid: {field} di luar rentang / invalid timestamp: {field} is out of range"
    )]
    Timestamp {
        /// The field.
        field: &'static str,
    },
    /// The document lacks what an archival (PDF/UA) file must carry.
    #[error(
        "dokumen tidak dapat diarsipkan / document cannot be archived: {what}; isi judul dan bahasa dokumen / set the document title and language"
    )]
    NotArchivable {
        /// What is missing, in both languages.
        what: &'static str,
    },
}

/// Lays out `doc` on A4 pages and returns a tagged PDF file.
pub fn render(doc: &Document) -> Result<Vec<u8>, Error> {
    let fonts = font::Fonts::get()?;
    let layout = layout::layout(doc, fonts);
    write::write(doc, &layout, fonts, None)
}

/// Lays out `doc` and returns a PDF/A-2b file that also identifies as PDF/UA-1,
/// for the archive; `issued` becomes its creation and modification date.
///
/// Fails when the document has no title or no language, which PDF/UA requires.
pub fn render_archival(doc: &Document, issued: Option<Timestamp>) -> Result<Vec<u8>, Error> {
    archive::check(doc)?;
    let fonts = font::Fonts::get()?;
    let layout = layout::layout(doc, fonts);
    write::write(doc, &layout, fonts, Some(&archive::Archive { issued }))
}
