//! The embedded fonts: DejaVu Sans and DejaVu Sans Bold (Bitstream Vera
//! licence, `templates/fonts/LICENSE`), compiled into the binary so no system
//! font is needed. They cover Kazakh Cyrillic (ә ғ қ ң ө ұ ү һ і), Russian and
//! Latin. Only the glyphs a document uses are embedded (subset by printpdf).
//!
//! printpdf's `ParsedFont` holds `Rc`s, so it cannot live in a global: each
//! thread parses the fonts once and keeps them in a thread-local.

use std::cell::RefCell;
use std::collections::BTreeSet;

use printpdf::ParsedFont;
use sha2::{Digest, Sha256};

pub(crate) const REGULAR_TTF: &[u8] = include_bytes!("../../templates/fonts/DejaVuSans.ttf");
pub(crate) const BOLD_TTF: &[u8] = include_bytes!("../../templates/fonts/DejaVuSans-Bold.ttf");

/// PostScript names of the two faces (the subset tag is prefixed per document).
pub(crate) const REGULAR_NAME: &str = "DejaVuSans";
pub(crate) const BOLD_NAME: &str = "DejaVuSans-Bold";

/// Which face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// Both faces, parsed.
pub(crate) struct Fonts {
    pub regular: ParsedFont,
    pub bold: ParsedFont,
    regular_metrics: Metrics,
    bold_metrics: Metrics,
}

/// Horizontal metrics of a face, read from `hmtx` like the PDF `/W` widths are
/// (printpdf's decoded glyph records lack outline-less and composite glyphs).
struct Metrics {
    upem: f32,
    /// Advance width per glyph id, font units.
    advances: Vec<u16>,
}

impl Metrics {
    fn of(font: &ParsedFont) -> Self {
        let num_h = font
            .hhea_table
            .as_ref()
            .map(|h| usize::from(h.num_h_metrics))
            .unwrap_or(0)
            .min(font.hmtx_data.len() / 4);
        let advances = font.hmtx_data[..num_h * 4]
            .chunks_exact(4)
            .map(|m| u16::from_be_bytes([m[0], m[1]]))
            .collect();
        Self {
            upem: f32::from(font.font_metrics.units_per_em.max(1)),
            advances,
        }
    }

    fn advance(&self, gid: u16) -> u16 {
        // Glyphs past numberOfHMetrics repeat the last advance (OpenType hmtx).
        self.advances
            .get(usize::from(gid))
            .or(self.advances.last())
            .copied()
            .unwrap_or(0)
    }
}

fn parse(bytes: &[u8], name: &str) -> ParsedFont {
    let mut warnings = Vec::new();
    ParsedFont::from_bytes(bytes, 0, &mut warnings)
        .unwrap_or_else(|| panic!("embedded font {name} does not parse: {warnings:?}"))
}

impl Fonts {
    fn load() -> Self {
        let regular = parse(REGULAR_TTF, REGULAR_NAME);
        let bold = parse(BOLD_TTF, BOLD_NAME);
        Self {
            regular_metrics: Metrics::of(&regular),
            bold_metrics: Metrics::of(&bold),
            regular,
            bold,
        }
    }

    /// Whether both faces have a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.regular.lookup_glyph_index(c as u32).is_some()
            && self.bold.lookup_glyph_index(c as u32).is_some()
    }

    /// Advance width of `text` in points at `size` points (no kerning, as printed).
    pub fn width(&self, face: Face, text: &str, size: f32) -> f32 {
        let (font, metrics) = match face {
            Face::Regular => (&self.regular, &self.regular_metrics),
            Face::Bold => (&self.bold, &self.bold_metrics),
        };
        let units: u32 = text
            .chars()
            .map(|c| {
                font.lookup_glyph_index(c as u32)
                    .map(|g| u32::from(metrics.advance(g)))
                    .unwrap_or(0)
            })
            .sum();
        units as f32 * size / metrics.upem
    }
}

thread_local! {
    static FONTS: RefCell<Option<Fonts>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's fonts, parsing them on first use. `f` may move
/// the faces out (into a printpdf document) as long as it puts them back.
pub(crate) fn with_fonts<R>(f: impl FnOnce(&mut Fonts) -> R) -> R {
    FONTS.with(|cell| {
        let taken = cell.borrow_mut().take();
        let mut fonts = taken.unwrap_or_else(Fonts::load);
        let out = f(&mut fonts);
        *cell.borrow_mut() = Some(fonts);
        out
    })
}

/// The first character of `text` that a face cannot print (control characters
/// other than line breaks count as unsupported).
pub(crate) fn first_unsupported(text: &str) -> Option<char> {
    with_fonts(|fonts| {
        text.chars()
            .find(|&c| c != '\n' && (c.is_control() || !fonts.covers(c)))
    })
}

/// A subset tag (six capital letters, ISO 32000 9.6.4) derived from the set of
/// characters a face prints, so equal subsets get equal names.
pub(crate) fn subset_tag(chars: &BTreeSet<char>) -> String {
    let mut h = Sha256::new();
    for c in chars {
        h.update((*c as u32).to_be_bytes());
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_letters_are_covered() {
        for c in "ӘәҒғҚқҢңӨөҰұҮүҺһІі№«»—₸".chars() {
            assert_eq!(first_unsupported(&c.to_string()), None, "{c}");
        }
        assert_eq!(first_unsupported("a\u{6F22}"), Some('\u{6F22}'));
        assert_eq!(first_unsupported("a\tb"), Some('\t'));
    }

    #[test]
    fn widths_grow_with_text_and_size() {
        with_fonts(|f| {
            let a = f.width(Face::Regular, "Қазақстан", 10.0);
            assert!(a > 30.0 && a < 80.0, "{a}");
            assert!(f.width(Face::Regular, "Қазақстан", 20.0) > a * 1.9);
            assert!(f.width(Face::Bold, "Қазақстан", 10.0) > a);
            // DejaVu Sans: space 651/2048 em; composite Қ as wide as К (1300/2048).
            let space = f.width(Face::Regular, " ", 2048.0);
            assert!((space - 651.0).abs() < 0.5, "{space}");
            let (k, kk) = (
                f.width(Face::Regular, "К", 10.0),
                f.width(Face::Regular, "Қ", 10.0),
            );
            assert!(k > 5.0 && kk >= k, "{k} {kk}");
        });
    }

    #[test]
    fn subset_tags_are_six_capitals() {
        let t = subset_tag(&"abc".chars().collect());
        assert_eq!(t.len(), 6);
        assert!(t.chars().all(|c| c.is_ascii_uppercase()));
        assert_ne!(t, subset_tag(&"abd".chars().collect()));
    }
}
