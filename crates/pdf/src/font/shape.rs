//! Text shaping: a run of text to positioned glyphs (kerning, ligatures, mark
//! placement, contextual forms), each with the text it stands for.

use std::cell::RefCell;
use std::collections::HashMap;

use rustybuzz::{Direction, Script, ShapePlan};

use super::Font;

thread_local! {
    /// Shape plans by font, direction and script: building a plan costs far more
    /// than shaping a short run with it, and a document needs only a handful.
    static PLANS: RefCell<HashMap<(&'static str, Direction, Script), ShapePlan>> =
        RefCell::new(HashMap::new());
}

/// One shaped glyph. Distances are in font units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shaped {
    /// Glyph id.
    pub(crate) id: u16,
    /// Advance after the glyph.
    pub(crate) advance: i32,
    /// Horizontal displacement of the glyph itself.
    pub(crate) x_offset: i32,
    /// Vertical displacement of the glyph itself (upwards).
    pub(crate) y_offset: i32,
    /// Byte range in [`ShapedRun::text`] of the characters the glyph shows; empty
    /// for the second and later glyphs of a cluster.
    pub(crate) chars: std::ops::Range<usize>,
}

/// A shaped run: the text as shaped (unknown characters replaced) and its glyphs
/// in visual order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShapedRun {
    /// The shaped text.
    pub(crate) text: String,
    /// Glyphs in visual order.
    pub(crate) glyphs: Vec<Shaped>,
}

impl ShapedRun {
    /// The characters glyph `g` shows.
    pub(crate) fn text_of(&self, g: &Shaped) -> &str {
        self.text.get(g.chars.clone()).unwrap_or_default()
    }
}

impl Font {
    /// Shapes `text` as one run. Characters the font lacks, and control
    /// characters, are first replaced by the replacement glyph's character, so
    /// every glyph drawn is a real glyph with a Unicode meaning.
    pub(crate) fn shape(&self, text: &str) -> ShapedRun {
        let clean: String = text.chars().map(|c| self.glyph(c).shown).collect();
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&clean);
        buffer.guess_segment_properties();
        let key = (self.ps_name, buffer.direction(), buffer.script());
        let output = PLANS.with(|plans| {
            let mut plans = plans.borrow_mut();
            let plan = plans
                .entry(key)
                .or_insert_with(|| ShapePlan::new(&self.shaper, key.1, Some(key.2), None, &[]));
            rustybuzz::shape_with_plan(&self.shaper, plan, buffer)
        });
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();

        // Cluster values are byte offsets into `clean`; a cluster's text runs
        // to the next larger cluster value (glyph order is visual, so sort).
        let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let range_of = |start: usize| {
            let next = starts.partition_point(|&s| s <= start);
            start..starts.get(next).copied().unwrap_or(clean.len())
        };

        let mut seen = vec![false; clean.len() + 1];
        let glyphs = infos
            .iter()
            .zip(positions)
            .map(|(info, pos)| {
                let cluster = (info.cluster as usize).min(clean.len());
                let chars = if seen[cluster] {
                    cluster..cluster
                } else {
                    seen[cluster] = true;
                    range_of(cluster)
                };
                // The font had a glyph for every character of `clean`, so .notdef
                // only appears if shaping itself produced it; show the replacement.
                let (id, advance) = match u16::try_from(info.glyph_id) {
                    Ok(id) if id != 0 => (id, pos.x_advance),
                    _ => (self.replacement.id, i32::from(self.replacement.advance)),
                };
                Shaped {
                    id,
                    advance,
                    x_offset: pos.x_offset,
                    y_offset: pos.y_offset,
                    chars,
                }
            })
            .collect();
        ShapedRun {
            text: clean,
            glyphs,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::font::{FontId, Fonts};

    fn fonts() -> &'static Fonts {
        Fonts::get().expect("embedded fonts parse")
    }

    #[test]
    fn kerning_tightens_pairs_the_font_kerns() {
        let font = fonts().font(FontId::Regular);
        let shaped: i32 = font.shape("AV").glyphs.iter().map(|g| g.advance).sum();
        let plain = i32::from(font.glyph('A').advance) + i32::from(font.glyph('V').advance);
        assert!(shaped < plain, "AV kerned: {shaped} < {plain}");
    }

    #[test]
    fn every_character_is_accounted_for_once() {
        let font = fonts().font(FontId::Regular);
        for text in [
            "Keamanan “aplikasi” — café",
            "e\u{301}",
            "مرحبا بالعالم",
            "a\u{0}b",
        ] {
            let run = font.shape(text);
            assert!(run.glyphs.iter().all(|g| g.id != 0), "{text:?}");
            let mut chars: Vec<char> = run
                .glyphs
                .iter()
                .flat_map(|g| run.text_of(g).chars())
                .collect();
            let mut expected: Vec<char> = text.chars().map(|c| font.glyph(c).shown).collect();
            chars.sort_unstable();
            expected.sort_unstable();
            assert_eq!(chars, expected, "{text:?}");
        }
    }

    #[test]
    fn arabic_takes_contextual_forms() {
        let font = fonts().font(FontId::Regular);
        // Joined letters use other glyphs than the same letters standing alone.
        let joined: Vec<u16> = font.shape("بب").glyphs.iter().map(|g| g.id).collect();
        let alone = font.shape("ب").glyphs[0].id;
        assert!(
            joined.iter().any(|&id| id != alone),
            "{joined:?} vs {alone}"
        );
    }
}
