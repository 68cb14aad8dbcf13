//! The embedded DejaVu fonts: character to glyph mapping, advances and metrics.
//!
//! Layout and writing both go through [`Font::glyph`], so the width a line was
//! measured with is exactly the width the PDF viewer draws.

mod shape;
pub(crate) mod subset;

pub(crate) use shape::Shaped;

use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId};

use crate::Error;
use crate::model::Style;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");
static MONO: &[u8] = include_bytes!("../../fonts/DejaVuSansMono.ttf");

/// Characters below this code point are looked up once, at load time; this
/// covers Latin, Greek and Cyrillic, i.e. nearly all report text.
const FAST_LIMIT: u32 = 0x0530;

/// Shown for characters a font has no glyph for, and for control characters.
const REPLACEMENT: [char; 2] = ['\u{FFFD}', '?'];

/// Which of the three embedded fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FontId {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
    /// DejaVu Sans Mono.
    Mono,
}

impl FontId {
    /// All fonts, in resource-name order.
    pub(crate) const ALL: [FontId; 3] = [FontId::Regular, FontId::Bold, FontId::Mono];

    /// Position in [`FontId::ALL`].
    pub(crate) fn index(self) -> usize {
        match self {
            FontId::Regular => 0,
            FontId::Bold => 1,
            FontId::Mono => 2,
        }
    }
}

impl From<Style> for FontId {
    fn from(style: Style) -> Self {
        match style {
            Style::Regular => FontId::Regular,
            Style::Bold => FontId::Bold,
            Style::Mono => FontId::Mono,
        }
    }
}

/// The glyph drawn for one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Glyph {
    /// Glyph id in the font (and CID in the PDF, which maps CIDs to glyph ids one to one).
    pub(crate) id: u16,
    /// Horizontal advance in font units.
    pub(crate) advance: u16,
    /// The character the glyph shows: the input character, or the replacement character.
    pub(crate) shown: char,
}

/// One parsed font with its cached metrics.
pub(crate) struct Font {
    /// The complete font file.
    pub(crate) data: &'static [u8],
    /// PostScript name, used for `/BaseFont`.
    pub(crate) ps_name: &'static str,
    face: Face<'static>,
    /// The same face prepared for shaping.
    shaper: rustybuzz::Face<'static>,
    /// Units per em as a float, for scaling advances.
    pub(crate) units_per_em: f32,
    /// Typographic ascender in font units.
    pub(crate) ascender: i16,
    /// Typographic descender in font units (negative).
    pub(crate) descender: i16,
    /// Height of capital letters in font units.
    pub(crate) cap_height: i16,
    /// Font bounding box in font units: x min, y min, x max, y max.
    pub(crate) bbox: [i16; 4],
    /// Italic angle in degrees.
    pub(crate) italic_angle: f32,
    /// OS/2 weight class.
    pub(crate) weight: u16,
    /// Whether every glyph has the same advance.
    pub(crate) monospaced: bool,
    fast: Vec<Glyph>,
    replacement: Glyph,
}

impl Font {
    fn parse(data: &'static [u8], ps_name: &'static str) -> Result<Font, Error> {
        let face = Face::parse(data, 0).map_err(|e| Error::Font {
            name: ps_name,
            reason: e.to_string(),
        })?;
        let bbox = face.global_bounding_box();
        let mut font = Font {
            data,
            ps_name,
            units_per_em: f32::from(face.units_per_em().max(1)),
            ascender: face.ascender(),
            descender: face.descender(),
            // Older OS/2 tables have no cap height; measure the 'H' instead.
            cap_height: face
                .capital_height()
                .or_else(|| {
                    let h = face.glyph_index('H')?;
                    Some(face.glyph_bounding_box(h)?.y_max)
                })
                .unwrap_or(face.ascender()),
            bbox: [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max],
            italic_angle: face.italic_angle(),
            weight: face.weight().to_number(),
            monospaced: face.is_monospaced(),
            shaper: rustybuzz::Face::from_face(face.clone()),
            face,
            fast: Vec::new(),
            replacement: Glyph {
                id: 0,
                advance: 0,
                shown: '?',
            },
        };
        font.replacement = REPLACEMENT
            .iter()
            .find_map(|&c| font.lookup_exact(c))
            .unwrap_or(Glyph {
                id: 0,
                advance: font.advance_of(0),
                shown: '?',
            });
        font.fast = (0..FAST_LIMIT)
            .map(|cp| char::from_u32(cp).map_or(font.replacement, |c| font.lookup(c)))
            .collect();
        Ok(font)
    }

    /// The glyph for `c`, or the replacement glyph if the font lacks one or `c` is a control character.
    pub(crate) fn glyph(&self, c: char) -> Glyph {
        match self.fast.get(c as usize) {
            Some(glyph) => *glyph,
            None => self.lookup(c),
        }
    }

    fn lookup(&self, c: char) -> Glyph {
        if c.is_control() {
            return self.replacement;
        }
        self.lookup_exact(c).unwrap_or(self.replacement)
    }

    fn lookup_exact(&self, c: char) -> Option<Glyph> {
        let id = self.face.glyph_index(c).filter(|g| g.0 != 0)?;
        Some(Glyph {
            id: id.0,
            advance: self.advance_of(id.0),
            shown: c,
        })
    }

    /// Advance of a glyph id in font units.
    pub(crate) fn advance_of(&self, id: u16) -> u16 {
        self.face.glyph_hor_advance(GlyphId(id)).unwrap_or(0)
    }

    /// Advance of `c` at `size` points.
    pub(crate) fn char_width(&self, c: char, size: f32) -> f32 {
        f32::from(self.glyph(c).advance) * size / self.units_per_em
    }

    /// Width of `text` at `size` points, without kerning.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| u32::from(self.glyph(c).advance)).sum();
        units as f32 * size / self.units_per_em
    }

    /// Converts font units to points at `size`.
    pub(crate) fn scale(&self, units: f32, size: f32) -> f32 {
        units * size / self.units_per_em
    }
}

/// The three fonts every document may use.
pub(crate) struct Fonts {
    fonts: [Font; 3],
}

impl Fonts {
    /// The shared, lazily parsed font set.
    pub(crate) fn get() -> Result<&'static Fonts, Error> {
        static FONTS: OnceLock<Result<Fonts, Error>> = OnceLock::new();
        match FONTS.get_or_init(Fonts::load) {
            Ok(fonts) => Ok(fonts),
            Err(e) => Err(e.clone()),
        }
    }

    fn load() -> Result<Fonts, Error> {
        Ok(Fonts {
            fonts: [
                Font::parse(REGULAR, "DejaVuSans")?,
                Font::parse(BOLD, "DejaVuSans-Bold")?,
                Font::parse(MONO, "DejaVuSansMono")?,
            ],
        })
    }

    /// One font of the set.
    pub(crate) fn font(&self, id: FontId) -> &Font {
        &self.fonts[id.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        Fonts::get().expect("embedded fonts parse")
    }

    #[test]
    fn maps_indonesian_and_typographic_characters() {
        let font = fonts().font(FontId::Regular);
        for c in "Ringkasan Eksekutif “ ” — é ≥ • ñ ü".chars() {
            let glyph = font.glyph(c);
            assert_eq!(glyph.shown, c, "{c:?} must have its own glyph");
            assert_ne!(glyph.id, 0);
        }
    }

    #[test]
    fn missing_and_control_characters_fall_back_to_a_visible_glyph() {
        for id in FontId::ALL {
            let font = fonts().font(id);
            for c in ['\u{0}', '\u{7}', '\u{9f}', '\u{E000}', '\u{10FFFD}', '𝔘'] {
                let glyph = font.glyph(c);
                assert!(REPLACEMENT.contains(&glyph.shown), "{id:?} {c:?}");
                assert!(glyph.advance > 0);
            }
        }
    }

    #[test]
    fn mono_font_has_uniform_advances() {
        let font = fonts().font(FontId::Mono);
        assert!(font.monospaced);
        let w = font.char_width('i', 10.0);
        assert!((font.char_width('W', 10.0) - w).abs() < 1e-4);
        assert!((font.width("abc", 10.0) - 3.0 * w).abs() < 1e-3);
    }
}
