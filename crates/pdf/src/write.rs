//! Laid-out pages to PDF objects.
//!
//! Text is shown with Type0 fonts in `Identity-H` encoding whose CIDs are the
//! glyph ids (`CIDToGIDMap /Identity`); each font is embedded as a subset
//! holding only the glyphs the document uses, with a `ToUnicode` CMap so the
//! text can be selected, searched and extracted. Every stream is
//! Flate-compressed and nothing time-dependent is written, so the same
//! document always produces the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, PageMode, SystemInfo};
use pdf_writer::writers::Destination;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::Error;
use crate::archive::{self, Archive};
use crate::font::{FontId, Fonts, subset};
use crate::layout::tag::{Artifact, Mark, Role};
use crate::layout::{Item, Layout, OutlineEntry, Page};
use crate::model::{Document, Rgb};
use crate::structure;
use crate::theme::{PAGE_H, PAGE_W};

/// Zlib level for streams. Compression dominates render time; level 4 is
/// about twice as fast as the default level 6 for files ~12 % larger.
const COMPRESSION: u8 = 4;

/// Resource names of the fonts, indexed by [`FontId::index`].
const FONT_NAMES: [&[u8]; 3] = [b"F0", b"F1", b"F2"];

/// Glyphs used per font, with the text each one shows (for `ToUnicode`).
type GlyphUse = [BTreeMap<u16, String>; 3];

/// One page's compressed content stream, the fonts it uses and, per marked-content
/// id, the structure element the marked content belongs to.
struct PageContent {
    stream: Vec<u8>,
    fonts: [bool; 3],
    mcids: Vec<usize>,
}

/// Encodes the laid-out document as a tagged PDF file; with `archive`, one that
/// identifies itself as PDF/A-2b and PDF/UA-1.
pub(crate) fn write(
    doc: &Document,
    layout: &Layout,
    fonts: &Fonts,
    archive: Option<&Archive>,
) -> Result<Vec<u8>, Error> {
    let mut used: GlyphUse = Default::default();
    let contents: Vec<PageContent> = layout
        .pages
        .iter()
        .map(|page| {
            let (content, fonts, mcids) = page_content(page, fonts, &layout.tree.nodes, &mut used);
            PageContent {
                stream: compress_to_vec_zlib(&content, COMPRESSION),
                fonts,
                mcids,
            }
        })
        .collect();

    let mut next = Ref::new(1);
    let mut alloc = || next.bump();
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let page_ids: Vec<(Ref, Ref)> = contents.iter().map(|_| (alloc(), alloc())).collect();
    let font_ids: [Option<Ref>; 3] =
        std::array::from_fn(|i| (!used[i].is_empty()).then(&mut alloc));
    let struct_root_id = alloc();
    let metadata_id = alloc();
    let icc_id = alloc();

    let mut pdf = Pdf::new();
    pdf.set_version(1, 7);

    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|&(page, _)| page))
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
    for (index, (content, &(page_id, content_id))) in contents.iter().zip(&page_ids).enumerate() {
        let page_fonts = &content.fonts;
        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_id)
            .struct_parents(i32::try_from(index).unwrap_or(i32::MAX));
        let mut resources = page.resources();
        let mut dict = resources.fonts();
        for id in FontId::ALL {
            if let (true, Some(font_ref)) = (page_fonts[id.index()], font_ids[id.index()]) {
                dict.pair(Name(FONT_NAMES[id.index()]), font_ref);
            }
        }
        dict.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.stream)
            .filter(Filter::FlateDecode);
    }

    for id in FontId::ALL {
        if let Some(font_ref) = font_ids[id.index()] {
            write_font(&mut pdf, &mut alloc, font_ref, fonts, id, &used[id.index()])?;
        }
    }

    let outline_id = write_outline(&mut pdf, &mut alloc, &layout.outline, &page_ids);

    let pages: Vec<Ref> = page_ids.iter().map(|&(page, _)| page).collect();
    let mcids: Vec<&[usize]> = contents.iter().map(|c| c.mcids.as_slice()).collect();
    structure::write(
        &mut pdf,
        &mut alloc,
        struct_root_id,
        &layout.tree,
        &pages,
        &mcids,
    );

    // A deterministic file identifier derived from the page contents.
    let mut hash = Fnv::new();
    for content in &contents {
        hash.write(&content.stream);
    }
    hash.write(doc.title.as_bytes());
    let id = [
        hash.value().to_be_bytes(),
        hash.write_u8(0xff).value().to_be_bytes(),
    ]
    .concat();

    let xmp = archive::xmp(doc, archive, &id);
    pdf.stream(metadata_id, xmp.as_bytes())
        .pair(Name(b"Type"), Name(b"Metadata"))
        .pair(Name(b"Subtype"), Name(b"XML"));
    let icc = archive::srgb_profile();
    pdf.icc_profile(icc_id, &compress_to_vec_zlib(icc, COMPRESSION))
        .n(3)
        .filter(Filter::FlateDecode);

    let mut catalog = pdf.catalog(catalog_id);
    catalog.pages(tree_id);
    catalog.pair(Name(b"StructTreeRoot"), struct_root_id);
    catalog.mark_info().marked(true);
    catalog.metadata(metadata_id);
    catalog
        .output_intents()
        .push()
        .subtype(pdf_writer::types::OutputIntentSubtype::PDFA)
        .output_condition_identifier(TextStr(archive::SRGB_CONDITION))
        .info(TextStr(archive::SRGB_CONDITION))
        .dest_output_profile(icc_id);
    if !doc.lang.is_empty() {
        catalog.lang(TextStr(&doc.lang));
    }
    if let Some(outline_id) = outline_id {
        catalog
            .outlines(outline_id)
            .page_mode(PageMode::UseOutlines);
    }
    catalog.viewer_preferences().display_doc_title(true);
    catalog.finish();

    // The Info entries mirror the XMP metadata, as PDF/A requires.
    // Empty entries are left out: XMP has no counterpart for them.
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(&doc.title))
        .creator(TextStr(archive::CREATOR))
        .producer(TextStr(archive::PRODUCER));
    if !doc.author.is_empty() {
        info.author(TextStr(&doc.author));
    }
    if !doc.subject.is_empty() {
        info.subject(TextStr(&doc.subject));
    }
    if let Some(issued) = archive.and_then(|a| a.issued) {
        info.creation_date(issued.pdf_date())
            .modified_date(issued.pdf_date());
    }
    info.finish();
    pdf.set_file_id((id.clone(), id));

    Ok(pdf.finish())
}

/// Rounds a coordinate to 1/100 pt, which keeps content streams short.
fn round(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}

/// The content stream of one page, which fonts it uses and the structure element of
/// each marked-content id.
fn page_content(
    page: &Page,
    fonts: &Fonts,
    nodes: &[crate::layout::tag::Node],
    used: &mut GlyphUse,
) -> (Vec<u8>, [bool; 3], Vec<usize>) {
    let mut content = Content::new();
    let mut page_fonts = [false; 3];
    let mut state = State::default();
    let mut glyphs = Vec::new();
    let mut mcids: Vec<usize> = Vec::new();
    let mut open: Option<Mark> = None;
    for item in &page.items {
        if let Item::Text { text, .. } = item
            && text.is_empty()
        {
            continue;
        }
        let mark = item.mark();
        if open != Some(mark) {
            // Marked content and text objects must nest: close the text object first.
            state.end_text(&mut content);
            if open.is_some() {
                content.end_marked_content();
            }
            begin_mark(&mut content, mark, nodes, &mut mcids);
            open = Some(mark);
        }
        match item {
            Item::Text {
                x,
                y,
                font,
                size,
                color,
                text,
                ..
            } => {
                if !state.in_text {
                    content.begin_text();
                    state.in_text = true;
                }
                if state.font != Some((*font, *size)) {
                    content.set_font(Name(FONT_NAMES[font.index()]), *size);
                    state.font = Some((*font, *size));
                }
                state.fill(&mut content, *color);
                content.set_text_matrix([1.0, 0.0, 0.0, 1.0, round(*x), round(PAGE_H - y)]);
                let face = fonts.font(*font);
                let run = face.shape(text);
                let font_use = &mut used[font.index()];
                for glyph in &run.glyphs {
                    if !glyph.chars.is_empty() && !font_use.contains_key(&glyph.id) {
                        font_use.insert(glyph.id, run.text_of(glyph).to_string());
                    }
                }
                show_shaped(&mut content, face, &run.glyphs, *size, &mut glyphs);
                page_fonts[font.index()] = true;
            }
            Item::Rect {
                x, y, w, h, fill, ..
            } => {
                state.end_text(&mut content);
                state.fill(&mut content, *fill);
                content.rect(round(*x), round(PAGE_H - y - h), round(*w), round(*h));
                content.fill_nonzero();
            }
            Item::Frame {
                x,
                y,
                w,
                h,
                color,
                width,
                ..
            } => {
                state.end_text(&mut content);
                state.stroke(&mut content, *color, *width);
                content.rect(round(*x), round(PAGE_H - y - h), round(*w), round(*h));
                content.stroke();
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                color,
                ..
            } => {
                state.end_text(&mut content);
                state.stroke(&mut content, *color, *width);
                content.move_to(round(*x1), round(PAGE_H - y1));
                content.line_to(round(*x2), round(PAGE_H - y2));
                content.stroke();
            }
        }
    }
    state.end_text(&mut content);
    if open.is_some() {
        content.end_marked_content();
    }
    (content.finish().into_vec(), page_fonts, mcids)
}

/// Opens the marked-content sequence for `mark`: a tagged sequence with the next
/// marked-content id for structure content, an `/Artifact` sequence otherwise.
fn begin_mark(
    content: &mut Content,
    mark: Mark,
    nodes: &[crate::layout::tag::Node],
    mcids: &mut Vec<usize>,
) {
    match mark {
        Mark::Node(node) => {
            let role = nodes.get(node).map_or(Role::P, |n| n.role);
            let mcid = i32::try_from(mcids.len()).unwrap_or(i32::MAX);
            content
                .begin_marked_content_with_properties(structure::role_name(role))
                .properties()
                .identify(mcid);
            mcids.push(node);
        }
        Mark::Artifact(kind) => {
            let mut props = content.begin_marked_content_with_properties(Name(b"Artifact"));
            let mut artifact = props.properties().artifact();
            match kind {
                Artifact::Layout => {
                    artifact.kind(pdf_writer::types::ArtifactType::Layout);
                }
                Artifact::Pagination => {
                    artifact.kind(pdf_writer::types::ArtifactType::Pagination);
                }
                Artifact::Footer => {
                    artifact
                        .kind(pdf_writer::types::ArtifactType::Pagination)
                        .attached([pdf_writer::types::ArtifactAttachment::Bottom])
                        .subtype(pdf_writer::types::ArtifactSubtype::Footer);
                }
            }
        }
    }
}

/// Shows shaped glyphs. The viewer advances each glyph by its width from the
/// font's `/W` array; `TJ` adjustments add the shaped advance and offsets on top,
/// and a text rise lifts or lowers glyphs with a vertical offset (marks).
fn show_shaped(
    content: &mut Content,
    face: &crate::font::Font,
    shaped: &[crate::font::Shaped],
    size: f32,
    glyphs: &mut Vec<u8>,
) {
    // TJ adjustments are in thousandths of an em, subtracted from the position.
    let per_unit = 1000.0 / face.units_per_em;
    let mut rise = 0i32;
    let mut i = 0;
    while i < shaped.len() {
        let line_rise = shaped[i].y_offset;
        if line_rise != rise {
            content.set_rise(face.scale(line_rise as f32, size));
            rise = line_rise;
        }
        let mut show = content.show_positioned();
        let mut items = show.items();
        glyphs.clear();
        let mut pending = 0.0f32;
        while let Some(glyph) = shaped.get(i).filter(|g| g.y_offset == rise) {
            pending -= glyph.x_offset as f32 * per_unit;
            if pending.abs() > 0.05 {
                if !glyphs.is_empty() {
                    items.show(Str(glyphs));
                    glyphs.clear();
                }
                items.adjust(round(pending));
            }
            glyphs.extend_from_slice(&glyph.id.to_be_bytes());
            let default = f32::from(face.advance_of(glyph.id));
            pending = (default - glyph.advance as f32 + glyph.x_offset as f32) * per_unit;
            i += 1;
        }
        if !glyphs.is_empty() {
            items.show(Str(glyphs));
        }
        // What is still pending moves the pen for the next glyphs.
        if pending.abs() > 0.05 {
            items.adjust(round(pending));
        }
        drop(items);
        drop(show);
    }
    if rise != 0 {
        content.set_rise(0.0);
    }
}

/// Colour components rounded to three decimals, plenty for 8-bit channels.
fn components(color: Rgb) -> [f32; 3] {
    color.components().map(|c| (c * 1000.0).round() / 1000.0)
}

/// Graphics state already set in a content stream, to avoid repeating operators.
#[derive(Default)]
struct State {
    in_text: bool,
    font: Option<(FontId, f32)>,
    fill: Option<Rgb>,
    stroke: Option<(Rgb, f32)>,
}

impl State {
    fn end_text(&mut self, content: &mut Content) {
        if self.in_text {
            content.end_text();
            self.in_text = false;
        }
    }

    fn fill(&mut self, content: &mut Content, color: Rgb) {
        if self.fill != Some(color) {
            let [r, g, b] = components(color);
            content.set_fill_rgb(r, g, b);
            self.fill = Some(color);
        }
    }

    fn stroke(&mut self, content: &mut Content, color: Rgb, width: f32) {
        if self.stroke != Some((color, width)) {
            let [r, g, b] = components(color);
            content.set_stroke_rgb(r, g, b);
            content.set_line_width(width);
            self.stroke = Some((color, width));
        }
    }
}

/// Writes the Type0 font, its CIDFont, descriptor, `ToUnicode` CMap and subset font file.
fn write_font(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    type0_id: Ref,
    fonts: &Fonts,
    id: FontId,
    used: &BTreeMap<u16, String>,
) -> Result<(), Error> {
    let font = fonts.font(id);
    let cid_id = alloc();
    let descriptor_id = alloc();
    let cmap_id = alloc();
    let file_id = alloc();

    let glyphs: BTreeSet<u16> = used.keys().copied().collect();
    let data = subset::subset(font.data, &glyphs).map_err(|e| Error::Subset {
        name: font.ps_name,
        reason: e.0.to_string(),
    })?;

    // The six-letter subset tag marks the font as a subset (ISO 32000-1,
    // 9.6.4); deriving it from the glyph set keeps the output deterministic.
    let mut hash = Fnv::new();
    hash.write(font.ps_name.as_bytes());
    for gid in &glyphs {
        hash.write(&gid.to_be_bytes());
    }
    let mut tag_value = hash.value();
    let mut base_font = String::with_capacity(7 + font.ps_name.len());
    for _ in 0..6 {
        base_font.push(char::from(b'A' + (tag_value % 26) as u8));
        tag_value /= 26;
    }
    base_font.push('+');
    base_font.push_str(font.ps_name);
    let base_font = Name(base_font.as_bytes());

    pdf.type0_font(type0_id)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);

    let to_pdf = |units: f32| round(units * 1000.0 / font.units_per_em);
    let mut cid = pdf.cid_font(cid_id);
    cid.subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        })
        .font_descriptor(descriptor_id)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut widths = cid.widths();
    let mut run: Vec<f32> = Vec::new();
    let mut run_start = 0u16;
    for (n, &gid) in glyphs.iter().enumerate() {
        if n > 0 && u32::from(gid) != u32::from(run_start) + run.len() as u32 {
            widths.consecutive(run_start, run.drain(..));
        }
        if run.is_empty() {
            run_start = gid;
        }
        run.push(to_pdf(f32::from(font.advance_of(gid))));
    }
    if !run.is_empty() {
        widths.consecutive(run_start, run.drain(..));
    }
    widths.finish();
    cid.finish();

    let mut flags = FontFlags::SYMBOLIC;
    if font.monospaced {
        flags |= FontFlags::FIXED_PITCH;
    }
    let [x0, y0, x1, y1] = font.bbox.map(|v| to_pdf(f32::from(v)));
    // No stem width is stored in TrueType fonts; estimate it from the weight
    // class like other PDF producers do.
    let stem_v = 10.0 + 0.244 * (f32::from(font.weight) - 50.0);
    pdf.font_descriptor(descriptor_id)
        .name(base_font)
        .flags(flags)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(font.italic_angle)
        .ascent(to_pdf(f32::from(font.ascender)))
        .descent(to_pdf(f32::from(font.descender)))
        .cap_height(to_pdf(f32::from(font.cap_height)))
        .stem_v(round(stem_v))
        .font_file2(file_id);

    let mut cmap = pdf_writer::types::UnicodeCmap::new(
        Name(b"Adobe-Identity-UCS"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for (&gid, text) in used {
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => cmap.pair(gid, c),
            _ => cmap.pair_with_multiple(gid, text.chars()),
        }
    }
    let cmap = compress_to_vec_zlib(cmap.finish().as_slice(), COMPRESSION);
    pdf.stream(cmap_id, &cmap).filter(Filter::FlateDecode);

    let compressed = compress_to_vec_zlib(&data, COMPRESSION);
    pdf.stream(file_id, &compressed)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(data.len()).unwrap_or(i32::MAX),
        );
    Ok(())
}

/// Writes bookmarks for level 1 and 2 headings; level 2 entries nest under
/// the preceding level 1 entry. Returns the outline root, if there is one.
fn write_outline(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    entries: &[OutlineEntry],
    pages: &[(Ref, Ref)],
) -> Option<Ref> {
    struct Node<'a> {
        entry: &'a OutlineEntry,
        id: Ref,
        children: Vec<Node<'a>>,
    }
    let mut roots: Vec<Node> = Vec::new();
    for entry in entries
        .iter()
        .filter(|e| e.level <= 2 && !e.title.trim().is_empty())
    {
        let node = Node {
            entry,
            id: alloc(),
            children: Vec::new(),
        };
        match roots.last_mut() {
            Some(parent) if entry.level == 2 && parent.entry.level == 1 => {
                parent.children.push(node)
            }
            _ => roots.push(node),
        }
    }
    if roots.is_empty() {
        return None;
    }
    let root_id = alloc();

    fn write_level(pdf: &mut Pdf, nodes: &[Node], parent: Ref, pages: &[(Ref, Ref)]) {
        for (i, node) in nodes.iter().enumerate() {
            let mut item = pdf.outline_item(node.id);
            item.title(TextStr(node.entry.title.trim())).parent(parent);
            if i > 0 {
                item.prev(nodes[i - 1].id);
            }
            if let Some(next) = nodes.get(i + 1) {
                item.next(next.id);
            }
            if let (Some(first), Some(last)) = (node.children.first(), node.children.last()) {
                // Negative: the entry starts collapsed.
                item.first(first.id)
                    .last(last.id)
                    .count(-i32::try_from(node.children.len()).unwrap_or(i32::MAX));
            }
            if let Some(&(page, _)) = pages.get(node.entry.page) {
                let dest: Destination = item.dest();
                dest.page(page)
                    .xyz(0.0, round(PAGE_H - node.entry.y + 8.0), None);
            }
            item.finish();
            write_level(pdf, &node.children, node.id, pages);
        }
    }
    write_level(pdf, &roots, root_id, pages);

    let mut outline = pdf.outline(root_id);
    if let (Some(first), Some(last)) = (roots.first(), roots.last()) {
        outline.first(first.id).last(last.id);
    }
    outline.count(i32::try_from(roots.len()).unwrap_or(i32::MAX));
    Some(root_id)
}

/// 64-bit FNV-1a, for deterministic identifiers (not for security).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u8(b);
        }
    }

    fn write_u8(&mut self, byte: u8) -> &mut Self {
        self.0 ^= u64::from(byte);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        self
    }

    fn value(&self) -> u64 {
        self.0
    }
}
