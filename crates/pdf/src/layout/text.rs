//! Line breaking: greedy at spaces, anywhere inside words wider than the line.

use crate::font::{FontId, Fonts};
use crate::theme::EPS;

/// A stretch of one line drawn in one font.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    /// Typeface.
    pub(crate) font: FontId,
    /// Text, including inner spaces.
    pub(crate) text: String,
    /// Offset from the start of the line.
    pub(crate) x: f32,
    /// Advance width of `text`.
    pub(crate) width: f32,
}

/// One broken line.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Line {
    /// Runs in visual order, one per change of font.
    pub(crate) runs: Vec<Run>,
    /// Width of the line without trailing spaces.
    pub(crate) width: f32,
}

impl Line {
    /// The line's text, for tests and diagnostics.
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// Breaks mixed-font text into lines no wider than `max_width`.
///
/// Spaces and tabs are break opportunities (runs of them collapse to one
/// space), `\n` forces a break and `\r` is ignored. A word wider than the line
/// starts on a fresh line and is broken between characters, so URLs, hashes
/// and base64 never overflow. Every line holds at least one character, which
/// guarantees progress even for absurdly narrow columns.
pub(crate) fn wrap<'t>(
    fonts: &Fonts,
    pieces: impl IntoIterator<Item = (FontId, &'t str)>,
    size: f32,
    max_width: f32,
) -> Vec<Line> {
    let mut wrapper = Wrapper {
        fonts,
        size,
        max: max_width,
        lines: Vec::new(),
        line: Vec::new(),
        line_w: 0.0,
        word: Vec::new(),
        word_w: 0.0,
        space: false,
    };
    for (font, text) in pieces {
        for c in text.chars() {
            wrapper.push(font, c);
        }
    }
    wrapper.flush_word();
    if !wrapper.line.is_empty() {
        wrapper.end_line(false);
    }
    wrapper.lines
}

/// Breaks single-font text; see [`wrap`].
pub(crate) fn wrap_plain(
    fonts: &Fonts,
    font: FontId,
    text: &str,
    size: f32,
    max_width: f32,
) -> Vec<Line> {
    wrap(fonts, [(font, text)], size, max_width)
}

struct Wrapper<'f> {
    fonts: &'f Fonts,
    size: f32,
    max: f32,
    lines: Vec<Line>,
    line: Vec<Run>,
    line_w: f32,
    /// The word being collected; run offsets are relative to the word start.
    word: Vec<Run>,
    word_w: f32,
    /// A space separates the line so far from the next word.
    space: bool,
}

impl Wrapper<'_> {
    fn push(&mut self, font: FontId, c: char) {
        match c {
            '\n' => {
                self.flush_word();
                self.end_line(true);
            }
            ' ' | '\t' => {
                self.flush_word();
                self.space = !self.line.is_empty();
            }
            '\r' => {}
            _ => {
                let w = self.fonts.font(font).char_width(c, self.size);
                if !self.word.is_empty() && self.word_w + w > self.max + EPS {
                    // The word alone is wider than a line: give it a line of
                    // its own and cut it here.
                    if !self.line.is_empty() {
                        self.end_line(false);
                    }
                    self.flush_word();
                    self.end_line(false);
                }
                append(&mut self.word, font, c, self.word_w, w);
                self.word_w += w;
            }
        }
    }

    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        if !self.line.is_empty() {
            let space_w = match (self.space, self.line.last()) {
                (true, Some(last)) => self.fonts.font(last.font).char_width(' ', self.size),
                _ => 0.0,
            };
            if self.line_w + space_w + self.word_w > self.max + EPS {
                self.end_line(false);
            } else if let Some(last) = self.line.last_mut().filter(|_| space_w > 0.0) {
                last.text.push(' ');
                last.width += space_w;
                self.line_w += space_w;
            }
        }
        let start = self.line_w;
        for run in self.word.drain(..) {
            match self.line.last_mut() {
                Some(last) if last.font == run.font => {
                    last.text.push_str(&run.text);
                    last.width += run.width;
                }
                _ => self.line.push(Run {
                    x: start + run.x,
                    ..run
                }),
            }
        }
        self.line_w += self.word_w;
        self.word_w = 0.0;
        self.space = false;
    }

    fn end_line(&mut self, keep_empty: bool) {
        if self.line.is_empty() && !keep_empty {
            return;
        }
        self.lines.push(Line {
            runs: std::mem::take(&mut self.line),
            width: self.line_w,
        });
        self.line_w = 0.0;
        self.space = false;
    }
}

/// Appends `c` to the last run if it has the same font, else starts a run at `x`.
fn append(runs: &mut Vec<Run>, font: FontId, c: char, x: f32, w: f32) {
    match runs.last_mut() {
        Some(last) if last.font == font => {
            last.text.push(c);
            last.width += w;
        }
        _ => runs.push(Run {
            font,
            text: c.to_string(),
            x,
            width: w,
        }),
    }
}

/// Hard-wraps monospaced text: every source line is kept and cut wherever it
/// reaches `max_width`. Tabs expand to the next multiple of four columns,
/// `\r` is dropped and trailing blank lines are removed.
pub(crate) fn hard_wrap(
    fonts: &Fonts,
    font: FontId,
    text: &str,
    size: f32,
    max_width: f32,
) -> Vec<String> {
    let font = fonts.font(font);
    let mut lines = Vec::new();
    for source in text.split('\n') {
        let mut line = String::new();
        let mut width = 0.0;
        let mut column = 0usize;
        let push = |c: char, line: &mut String, width: &mut f32, lines: &mut Vec<String>| {
            let w = font.char_width(c, size);
            if !line.is_empty() && *width + w > max_width + EPS {
                lines.push(std::mem::take(line));
                *width = 0.0;
            }
            line.push(c);
            *width += w;
        };
        for c in source.chars() {
            match c {
                '\r' => {}
                '\t' => {
                    let spaces = 4 - column % 4;
                    for _ in 0..spaces {
                        push(' ', &mut line, &mut width, &mut lines);
                    }
                    column += spaces;
                }
                _ => {
                    push(c, &mut line, &mut width, &mut lines);
                    column += 1;
                }
            }
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines
}

/// Shortens `text` with an ellipsis so it fits in `max_width`.
pub(crate) fn truncate(
    fonts: &Fonts,
    font: FontId,
    text: &str,
    size: f32,
    max_width: f32,
) -> String {
    let f = fonts.font(font);
    if f.width(text, size) <= max_width + EPS {
        return text.to_string();
    }
    let budget = max_width - f.char_width('…', size);
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = f.char_width(c, size);
        if width + w > budget {
            break;
        }
        out.push(c);
        width += w;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        Fonts::get().expect("embedded fonts parse")
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(Line::text).collect()
    }

    #[test]
    fn breaks_greedily_at_spaces() {
        let f = fonts();
        let size = 10.0;
        let word = f.font(FontId::Regular).width("aaaa", size);
        let space = f.font(FontId::Regular).char_width(' ', size);
        // Room for exactly two words and the space between them.
        let lines = wrap_plain(
            f,
            FontId::Regular,
            "aaaa aaaa aaaa aaaa aaaa",
            size,
            2.0 * word + space,
        );
        assert_eq!(texts(&lines), ["aaaa aaaa", "aaaa aaaa", "aaaa"]);
        assert!((lines[0].width - (2.0 * word + space)).abs() < 1e-3);
        assert!((lines[2].width - word).abs() < 1e-3);
    }

    #[test]
    fn collapses_spaces_and_honours_newlines() {
        let lines = wrap_plain(
            fonts(),
            FontId::Regular,
            "  satu   dua\t tiga\r\n\nempat  ",
            10.0,
            500.0,
        );
        assert_eq!(texts(&lines), ["satu dua tiga", "", "empat"]);
    }

    #[test]
    fn breaks_overlong_words_anywhere() {
        let f = fonts();
        let hash = "0123456789abcdef".repeat(8);
        let max = 100.0;
        let lines = wrap_plain(f, FontId::Mono, &format!("sha256 {hash} ok"), 8.0, max);
        assert_eq!(
            lines[0].text(),
            "sha256",
            "the long word starts on a fresh line"
        );
        let joined: String = lines[1..].iter().map(Line::text).collect();
        assert_eq!(joined, format!("{hash} ok"));
        assert!(lines.len() > 3, "the hash takes several lines");
        for line in &lines {
            assert!(line.width <= max + EPS, "{line:?}");
        }
    }

    #[test]
    fn mixed_styles_share_lines_and_keep_positions() {
        let f = fonts();
        let lines = wrap(
            f,
            [
                (FontId::Bold, "Keputusan:"),
                (FontId::Regular, " layak dengan catatan"),
                (FontId::Mono, "(TLS)"),
            ],
            9.0,
            1000.0,
        );
        assert_eq!(lines.len(), 1);
        let runs = &lines[0].runs;
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[0].text, "Keputusan: ");
        assert_eq!(runs[1].text, "layak dengan catatan");
        assert_eq!(runs[2].text, "(TLS)");
        assert!((runs[1].x - runs[0].width).abs() < 1e-3);
        assert!(
            (runs[2].x - (runs[1].x + runs[1].width)).abs() < 1e-3,
            "no space between the last two spans"
        );
    }

    #[test]
    fn never_stalls_on_narrow_columns() {
        let lines = wrap_plain(fonts(), FontId::Regular, "WWW", 10.0, 0.0);
        assert_eq!(texts(&lines), ["W", "W", "W"]);
        assert!(wrap_plain(fonts(), FontId::Regular, "   ", 10.0, 50.0).is_empty());
    }

    #[test]
    fn survives_hostile_text() {
        let hostile =
            "\u{202E}gnp.exe\u{0}\u{7}\u{1b}[31m مرحبا שלום 🛡️ e\u{301}\u{301}\u{301} \u{FFFF}";
        let lines = wrap_plain(fonts(), FontId::Regular, hostile, 9.0, 60.0);
        assert!(!lines.is_empty());
    }

    #[test]
    fn hard_wrap_cuts_long_lines_and_expands_tabs() {
        let f = fonts();
        let cw = f.font(FontId::Mono).char_width('x', 8.0);
        let lines = hard_wrap(
            f,
            FontId::Mono,
            "GET / HTTP/1.1\r\n\tHost: x\r\nabcdefghij\n\n",
            8.0,
            4.0 * cw,
        );
        assert_eq!(
            lines,
            [
                "GET ", "/ HT", "TP/1", ".1", "    ", "Host", ": x", "abcd", "efgh", "ij"
            ]
        );
    }

    #[test]
    fn truncates_with_ellipsis() {
        let f = fonts();
        let t = truncate(
            f,
            FontId::Regular,
            "Laporan evaluasi keamanan aplikasi",
            8.0,
            60.0,
        );
        assert!(t.ends_with('…'));
        assert!(f.font(FontId::Regular).width(&t, 8.0) <= 60.0 + EPS);
        assert_eq!(truncate(f, FontId::Regular, "pendek", 8.0, 60.0), "pendek");
    }
}
