//! Fonts and estimated text widths.
//!
//! The drawings lay themselves out without a font rasteriser, so text widths are estimates:
//! the width of a character is taken as a fixed fraction of the font size, a little wider
//! than the common fonts' average so that boxes and margins err on the roomy side. Labels
//! that must line up (primitive names) use a monospace font, whose advance is the same for
//! every character and so estimated closely.

/// The font stack of ordinary text: titles, node names, axis labels.
pub(crate) const SANS: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";

/// The font stack of primitive names and printed values.
pub(crate) const MONO: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";

/// The advance of one character of [`SANS`], as a fraction of the font size. DejaVu Sans,
/// the widest of the stack, averages about 0.6 on lower-case text and digits.
const SANS_ADVANCE: f64 = 0.62;

/// The advance of one character of [`MONO`], as a fraction of the font size (0.602 for
/// DejaVu Sans Mono, 0.6 for Menlo and Consolas).
const MONO_ADVANCE: f64 = 0.61;

/// The estimated width, in pixels, of `text` in the [`SANS`] font at `size` pixels.
pub(crate) fn sans_width(text: &str, size: f64) -> f64 {
    columns(text) * SANS_ADVANCE * size
}

/// The estimated width, in pixels, of `text` in the [`MONO`] font at `size` pixels.
pub(crate) fn mono_width(text: &str, size: f64) -> f64 {
    columns(text) * MONO_ADVANCE * size
}

/// The number of character cells `text` takes: one per character, two for the wide
/// characters of East Asian scripts.
fn columns(text: &str) -> f64 {
    text.chars().map(|c| if is_wide(c) { 2.0 } else { 1.0 }).sum()
}

/// Whether `c` is drawn about twice as wide as a Latin letter (CJK ideographs, kana, Hangul
/// and full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

#[cfg(test)]
mod tests {
    use super::{mono_width, sans_width};

    #[test]
    fn width_grows_with_length_and_size() {
        assert!(mono_width("sep_conv_3x3", 12.0) > mono_width("skip", 12.0));
        assert!(sans_width("abc", 14.0) > sans_width("abc", 10.0));
        assert_eq!(mono_width("", 12.0), 0.0);
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(mono_width("畳", 10.0), 2.0 * mono_width("a", 10.0));
    }
}
