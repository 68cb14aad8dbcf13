//! Text shaping: a run of text to positioned glyphs (kerning, ligatures, mark
//! placement, contextual forms), each with the text it stands for.

use super::Font;

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
    /// The characters the glyph shows; empty for the second and later glyphs of a cluster.
    pub(crate) text: String,
}

impl Font {
    /// Shapes `text` as one run. Characters the font lacks, and control
    /// characters, are first replaced by the replacement glyph's character, so
    /// every glyph drawn is a real glyph with a Unicode meaning.
    pub(crate) fn shape(&self, text: &str) -> Vec<Shaped> {
        let clean: String = text.chars().map(|c| self.glyph(c).shown).collect();
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&clean);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&self.shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();

        // Cluster values are byte offsets into `clean`; a cluster's text runs
        // to the next larger cluster value (glyph order is visual, so sort).
        let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let text_of = |start: usize| {
            let end = starts
                .iter()
                .find(|&&s| s > start)
                .copied()
                .unwrap_or(clean.len());
            clean.get(start..end).unwrap_or_default().to_string()
        };

        let mut seen = Vec::with_capacity(infos.len());
        infos
            .iter()
            .zip(positions)
            .map(|(info, pos)| {
                let cluster = info.cluster as usize;
                let text = if seen.contains(&cluster) {
                    String::new()
                } else {
                    seen.push(cluster);
                    text_of(cluster)
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
                    text,
                }
            })
            .collect()
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
        let shaped: i32 = font.shape("AV").iter().map(|g| g.advance).sum();
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
            let shaped = font.shape(text);
            assert!(shaped.iter().all(|g| g.id != 0), "{text:?}");
            let mut chars: Vec<char> = shaped.iter().flat_map(|g| g.text.chars()).collect();
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
        let joined: Vec<u16> = font.shape("بب").iter().map(|g| g.id).collect();
        let alone = font.shape("ب")[0].id;
        assert!(
            joined.iter().any(|&id| id != alone),
            "{joined:?} vs {alone}"
        );
    }
}
