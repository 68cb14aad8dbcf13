//! TrueType subsetting for embedding as a PDF `FontFile2`.
//!
//! Glyph ids are kept unchanged, so the PDF can use `CIDToGIDMap /Identity`
//! with CID = glyph id. The subset keeps the outlines of the requested glyphs
//! (plus `.notdef` and the components of composite glyphs), leaves every other
//! glyph empty and drops glyph ids above the highest one kept. Only the tables
//! a PDF viewer needs for a CIDFontType2 are written (ISO 32000-1, 9.9):
//! `head`, `hhea`, `hmtx`, `maxp`, `loca`, `glyf`, `cvt `, `fpgm` and `prep`.

use std::collections::BTreeSet;

use ttf_parser::{RawFace, Tag};

/// Why a font could not be subset; only a damaged font file triggers this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubsetError(pub(crate) &'static str);

type Result<T> = std::result::Result<T, SubsetError>;

/// Tables copied unchanged when present (hinting programs and their data).
const COPIED: [&[u8; 4]; 3] = [b"cvt ", b"fpgm", b"prep"];

/// Composite glyph flags (OpenType `glyf` specification).
const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
const WE_HAVE_A_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;

/// `head.checkSumAdjustment` is chosen so the whole font sums to this value.
const CHECKSUM_MAGIC: u32 = 0xB1B0_AFBA;

/// Builds a font file containing only `glyphs` (and what they depend on).
pub(crate) fn subset(data: &[u8], glyphs: &BTreeSet<u16>) -> Result<Vec<u8>> {
    let raw = RawFace::parse(data, 0).map_err(|_| SubsetError("invalid font file"))?;
    let table = |tag: &[u8; 4]| raw.table(Tag::from_bytes(tag));
    let required = |tag: &'static [u8; 4]| table(tag).ok_or(SubsetError("missing required table"));

    let head = required(b"head")?;
    let hhea = required(b"hhea")?;
    let maxp = required(b"maxp")?;
    let hmtx = required(b"hmtx")?;
    let loca = required(b"loca")?;
    let glyf = required(b"glyf")?;

    let num_glyphs = read_u16(maxp, 4)?;
    let long_loca = read_u16(head, 50)? != 0;
    let locations = Locations {
        loca,
        long: long_loca,
        glyf_len: glyf.len(),
    };

    let keep = closure(glyf, &locations, glyphs, num_glyphs)?;
    // `keep` always holds .notdef, so it is never empty.
    let new_count = keep.last().map_or(1, |&last| last + 1);

    // glyf and loca: kept glyphs byte for byte, everything else empty.
    let mut new_glyf = Vec::new();
    let mut offsets = Vec::with_capacity(usize::from(new_count) + 1);
    for gid in 0..new_count {
        offsets.push(new_glyf.len());
        if keep.contains(&gid) {
            let range = locations.range(gid)?;
            new_glyf.extend_from_slice(&glyf[range]);
            // Even offsets keep the short loca format usable.
            if new_glyf.len() % 2 == 1 {
                new_glyf.push(0);
            }
        }
    }
    offsets.push(new_glyf.len());
    let short = new_glyf.len() / 2 <= usize::from(u16::MAX);
    let mut new_loca = Vec::with_capacity(offsets.len() * if short { 2 } else { 4 });
    for offset in offsets {
        if short {
            let half =
                u16::try_from(offset / 2).map_err(|_| SubsetError("glyph offset overflow"))?;
            new_loca.extend_from_slice(&half.to_be_bytes());
        } else {
            let full = u32::try_from(offset).map_err(|_| SubsetError("glyph offset overflow"))?;
            new_loca.extend_from_slice(&full.to_be_bytes());
        }
    }

    // hmtx: one full metric per glyph; glyphs not kept get zero metrics,
    // which compresses to almost nothing. The PDF /W array carries the
    // advances viewers actually use.
    let old_metrics = read_u16(hhea, 34)?;
    let mut new_hmtx = Vec::with_capacity(usize::from(new_count) * 4);
    for gid in 0..new_count {
        let (advance, lsb) = if keep.contains(&gid) {
            metrics(hmtx, old_metrics, gid)?
        } else {
            (0, 0)
        };
        new_hmtx.extend_from_slice(&advance.to_be_bytes());
        new_hmtx.extend_from_slice(&lsb.to_be_bytes());
    }

    let mut new_hhea = hhea.to_vec();
    write_u16(&mut new_hhea, 34, new_count)?;
    let mut new_maxp = maxp.to_vec();
    write_u16(&mut new_maxp, 4, new_count)?;
    let mut new_head = head.to_vec();
    write_u32(&mut new_head, 8, 0)?;
    write_u16(&mut new_head, 50, u16::from(!short))?;

    let mut tables: Vec<([u8; 4], Vec<u8>)> = vec![
        (*b"glyf", new_glyf),
        (*b"head", new_head),
        (*b"hhea", new_hhea),
        (*b"hmtx", new_hmtx),
        (*b"loca", new_loca),
        (*b"maxp", new_maxp),
    ];
    for tag in COPIED {
        if let Some(data) = table(tag) {
            tables.push((*tag, data.to_vec()));
        }
    }
    tables.sort_by_key(|t| t.0);
    assemble(tables)
}

/// Where each glyph's data lives in `glyf`.
struct Locations<'a> {
    loca: &'a [u8],
    long: bool,
    glyf_len: usize,
}

impl Locations<'_> {
    fn offset(&self, index: usize) -> Result<usize> {
        if self.long {
            read_u32(self.loca, index * 4).map(|o| o as usize)
        } else {
            read_u16(self.loca, index * 2).map(|o| usize::from(o) * 2)
        }
    }

    fn range(&self, gid: u16) -> Result<std::ops::Range<usize>> {
        let start = self.offset(usize::from(gid))?;
        let end = self.offset(usize::from(gid) + 1)?;
        if start > end || end > self.glyf_len {
            return Err(SubsetError("glyph location out of bounds"));
        }
        Ok(start..end)
    }
}

/// The requested glyphs plus `.notdef` and, transitively, every component of a composite glyph.
fn closure(
    glyf: &[u8],
    locations: &Locations<'_>,
    glyphs: &BTreeSet<u16>,
    num_glyphs: u16,
) -> Result<Vec<u16>> {
    let mut keep = BTreeSet::new();
    let mut pending: Vec<u16> = std::iter::once(0)
        .chain(glyphs.iter().copied())
        .filter(|&gid| gid < num_glyphs)
        .collect();
    while let Some(gid) = pending.pop() {
        // The set also stops cycles in damaged fonts from looping forever.
        if !keep.insert(gid) {
            continue;
        }
        let data = &glyf[locations.range(gid)?];
        for component in components(data)? {
            if component < num_glyphs && !keep.contains(&component) {
                pending.push(component);
            }
        }
    }
    Ok(keep.into_iter().collect())
}

/// Glyph ids referenced by a composite glyph; empty for simple and empty glyphs.
pub(crate) fn components(glyph: &[u8]) -> Result<Vec<u16>> {
    if glyph.is_empty() || read_i16(glyph, 0)? >= 0 {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut pos = 10;
    loop {
        let flags = read_u16(glyph, pos)?;
        found.push(read_u16(glyph, pos + 2)?);
        pos += 4;
        pos += if flags & ARG_1_AND_2_ARE_WORDS != 0 {
            4
        } else {
            2
        };
        pos += if flags & WE_HAVE_A_SCALE != 0 {
            2
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            4
        } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            8
        } else {
            0
        };
        if flags & MORE_COMPONENTS == 0 {
            return Ok(found);
        }
    }
}

/// Advance and left side bearing of `gid` from the original `hmtx`.
fn metrics(hmtx: &[u8], long_metrics: u16, gid: u16) -> Result<(u16, i16)> {
    if long_metrics == 0 {
        return Err(SubsetError("hhea has no horizontal metrics"));
    }
    let long = usize::from(long_metrics);
    let gid = usize::from(gid);
    if gid < long {
        Ok((read_u16(hmtx, gid * 4)?, read_i16(hmtx, gid * 4 + 2)?))
    } else {
        // Past the long metrics every glyph shares the last advance and only
        // stores its side bearing.
        let advance = read_u16(hmtx, (long - 1) * 4)?;
        let lsb = read_i16(hmtx, long * 4 + (gid - long) * 2)?;
        Ok((advance, lsb))
    }
}

/// Writes the table directory and tables, then fixes up the checksums.
fn assemble(tables: Vec<([u8; 4], Vec<u8>)>) -> Result<Vec<u8>> {
    let count = u16::try_from(tables.len()).map_err(|_| SubsetError("too many tables"))?;
    // Largest power of two not above the table count, as the directory header requires.
    let entry_selector = 15 - count.max(1).leading_zeros() as u16;
    let search_range = (1u16 << entry_selector) * 16;
    let range_shift = count * 16 - search_range;

    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for value in [count, search_range, entry_selector, range_shift] {
        out.extend_from_slice(&value.to_be_bytes());
    }
    let mut offset = 12 + tables.len() * 16;
    let mut head_offset = None;
    for (tag, data) in &tables {
        if tag == b"head" {
            head_offset = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        let start = u32::try_from(offset).map_err(|_| SubsetError("font too large"))?;
        let len = u32::try_from(data.len()).map_err(|_| SubsetError("font too large"))?;
        out.extend_from_slice(&start.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    let head_offset = head_offset.ok_or(SubsetError("missing head table"))?;
    let adjustment = CHECKSUM_MAGIC.wrapping_sub(checksum(&out));
    write_u32(&mut out, head_offset + 8, adjustment)?;
    Ok(out)
}

/// The TrueType table checksum: the sum of big-endian u32 words, zero-padded.
pub(crate) fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

fn read_u16(data: &[u8], at: usize) -> Result<u16> {
    data.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(SubsetError("truncated table"))
}

fn read_i16(data: &[u8], at: usize) -> Result<i16> {
    read_u16(data, at).map(|v| v as i16)
}

fn read_u32(data: &[u8], at: usize) -> Result<u32> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(SubsetError("truncated table"))
}

fn write_u16(data: &mut [u8], at: usize, value: u16) -> Result<()> {
    data.get_mut(at..at + 2)
        .ok_or(SubsetError("truncated table"))?
        .copy_from_slice(&value.to_be_bytes());
    Ok(())
}

fn write_u32(data: &mut [u8], at: usize, value: u32) -> Result<()> {
    data.get_mut(at..at + 4)
        .ok_or(SubsetError("truncated table"))?
        .copy_from_slice(&value.to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::{FontId, Fonts};
    use ttf_parser::{Face, GlyphId};

    fn regular() -> &'static [u8] {
        Fonts::get().expect("fonts").font(FontId::Regular).data
    }

    /// The raw `glyf` bytes of every glyph in a font.
    fn glyph_bytes(data: &[u8]) -> Vec<Vec<u8>> {
        let raw = RawFace::parse(data, 0).expect("font");
        let table = |tag: &[u8; 4]| raw.table(Tag::from_bytes(tag)).expect("table");
        let locations = Locations {
            loca: table(b"loca"),
            long: read_u16(table(b"head"), 50).expect("head") != 0,
            glyf_len: table(b"glyf").len(),
        };
        let count = read_u16(table(b"maxp"), 4).expect("maxp");
        (0..count)
            .map(|gid| table(b"glyf")[locations.range(gid).expect("range")].to_vec())
            .collect()
    }

    /// Strips the padding a subset may add after a glyph.
    fn same_glyph(original: &[u8], subset: &[u8]) -> bool {
        subset.len() >= original.len()
            && subset.len() - original.len() <= 1
            && subset[..original.len()] == *original
            && subset[original.len()..].iter().all(|&b| b == 0)
    }

    fn gid(face: &Face, c: char) -> u16 {
        face.glyph_index(c).expect("glyph").0
    }

    #[test]
    fn keeps_used_glyphs_byte_for_byte_and_empties_the_rest() {
        let original = Face::parse(regular(), 0).expect("font");
        let used: BTreeSet<u16> = "Kawal ≥ •".chars().map(|c| gid(&original, c)).collect();
        let data = subset(regular(), &used).expect("subset");
        assert!(
            data.len() < regular().len() / 10,
            "a subset is much smaller: {}",
            data.len()
        );

        let face = Face::parse(&data, 0).expect("the subset parses");
        let highest = *used.iter().max().expect("glyphs");
        assert_eq!(
            face.number_of_glyphs(),
            highest + 1,
            "glyph ids unchanged, tail trimmed"
        );
        assert_eq!(face.units_per_em(), original.units_per_em());

        let before = glyph_bytes(regular());
        let after = glyph_bytes(&data);
        for g in 0..=highest {
            let kept = used.contains(&g) || g == 0;
            if kept {
                assert!(
                    same_glyph(&before[usize::from(g)], &after[usize::from(g)]),
                    "glyph {g} changed"
                );
                assert_eq!(
                    face.glyph_hor_advance(GlyphId(g)),
                    original.glyph_hor_advance(GlyphId(g))
                );
                assert_eq!(
                    face.glyph_bounding_box(GlyphId(g)),
                    original.glyph_bounding_box(GlyphId(g))
                );
            } else {
                assert!(
                    after[usize::from(g)].is_empty(),
                    "glyph {g} should be empty"
                );
                assert_eq!(face.glyph_bounding_box(GlyphId(g)), None);
            }
        }
        for c in "Kaw≥•".chars() {
            assert!(
                face.glyph_bounding_box(GlyphId(gid(&original, c)))
                    .is_some(),
                "{c:?} has an outline"
            );
        }
        let unused = gid(&original, 'Z');
        assert!(unused < highest && face.glyph_bounding_box(GlyphId(unused)).is_none());
    }

    #[test]
    fn retains_components_of_composite_glyphs() {
        let original = Face::parse(regular(), 0).expect("font");
        let before = glyph_bytes(regular());
        // Find accented letters that DejaVu builds from components.
        let composite: Vec<(char, Vec<u16>)> = "éèêëáàâäíóúüñçÉÁ"
            .chars()
            .filter_map(|c| {
                let parts = components(&before[usize::from(gid(&original, c))]).expect("parse");
                (!parts.is_empty()).then_some((c, parts))
            })
            .collect();
        assert!(
            !composite.is_empty(),
            "DejaVu Sans has composite accented glyphs"
        );
        for (c, parts) in composite {
            let data = subset(regular(), &BTreeSet::from([gid(&original, c)])).expect("subset");
            let face = Face::parse(&data, 0).expect("parses");
            let after = glyph_bytes(&data);
            for part in parts {
                assert!(
                    same_glyph(&before[usize::from(part)], &after[usize::from(part)]),
                    "{c:?} component {part}"
                );
                assert!(!after[usize::from(part)].is_empty());
            }
            let id = GlyphId(gid(&original, c));
            assert_eq!(
                face.glyph_bounding_box(id),
                original.glyph_bounding_box(id),
                "{c:?} outline"
            );
        }
    }

    #[test]
    fn writes_a_valid_table_directory_and_checksums() {
        let original = Face::parse(regular(), 0).expect("font");
        let used: BTreeSet<u16> = "Laporan".chars().map(|c| gid(&original, c)).collect();
        let data = subset(regular(), &used).expect("subset");
        assert_eq!(read_u32(&data, 0), Ok(0x0001_0000));
        let count = usize::from(read_u16(&data, 4).expect("count"));
        let mut tags = Vec::new();
        for i in 0..count {
            let entry = 12 + i * 16;
            let tag = data[entry..entry + 4].to_vec();
            let sum = read_u32(&data, entry + 4).expect("sum");
            let offset = read_u32(&data, entry + 8).expect("offset") as usize;
            let len = read_u32(&data, entry + 12).expect("len") as usize;
            assert_eq!(offset % 4, 0, "tables are 4-byte aligned");
            let mut table = data[offset..offset + len].to_vec();
            if tag == b"head" {
                table[8..12].fill(0);
            }
            assert_eq!(
                checksum(&table),
                sum,
                "checksum of {}",
                String::from_utf8_lossy(&tag)
            );
            tags.push(String::from_utf8(tag).expect("ascii tag"));
        }
        assert_eq!(
            tags,
            [
                "cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "prep"
            ]
        );
        assert_eq!(
            checksum(&data),
            CHECKSUM_MAGIC,
            "head.checkSumAdjustment balances the file"
        );
        assert_eq!(read_u16(&data, 6), Ok(128), "searchRange for 9 tables");
        assert_eq!(read_u16(&data, 8), Ok(3));
        assert_eq!(read_u16(&data, 10), Ok(16));

        let raw = RawFace::parse(regular(), 0).expect("font");
        for tag in COPIED {
            let copied = RawFace::parse(&data, 0)
                .expect("subset")
                .table(Tag::from_bytes(tag));
            assert_eq!(
                copied,
                raw.table(Tag::from_bytes(tag)),
                "{tag:?} copied unchanged"
            );
        }
    }

    #[test]
    fn switches_to_long_offsets_when_the_glyph_data_is_large() {
        let all: BTreeSet<u16> =
            (0..Face::parse(regular(), 0).expect("font").number_of_glyphs()).collect();
        let data = subset(regular(), &all).expect("subset");
        let face = Face::parse(&data, 0).expect("parses");
        let raw = RawFace::parse(&data, 0).expect("raw");
        assert_eq!(
            read_u16(raw.table(Tag::from_bytes(b"head")).expect("head"), 50),
            Ok(1)
        );
        let before = glyph_bytes(regular());
        let after = glyph_bytes(&data);
        assert_eq!(before.len(), after.len());
        for (g, (b, a)) in before.iter().zip(&after).enumerate() {
            assert!(same_glyph(b, a), "glyph {g}");
        }
        assert_eq!(face.number_of_glyphs() as usize, before.len());
    }

    #[test]
    fn rejects_damaged_fonts_without_panicking() {
        assert!(subset(b"not a font", &BTreeSet::from([1])).is_err());
        let data = regular();
        for cut in [12, 100, 1000, data.len() / 2] {
            let _ = subset(&data[..cut], &BTreeSet::from([1, 2, 3]));
        }
        // Glyph ids beyond the font are ignored.
        let out = subset(data, &BTreeSet::from([u16::MAX])).expect("subset");
        assert_eq!(Face::parse(&out, 0).expect("parses").number_of_glyphs(), 1);
    }
}
