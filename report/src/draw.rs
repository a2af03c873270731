//! Small pieces of SVG writing shared by the drawings: numbers, the root element, text and
//! ids.

use std::fmt::Write as _;

use crate::escape::escape_xml;

/// A coordinate or length as SVG text: one decimal at most, without a trailing `.0`.
pub(crate) fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    // `-0.0` and the negative rounding of tiny values read as "-0"; write "0".
    if rounded == 0.0 {
        return "0".to_owned();
    }
    let text = format!("{rounded:.1}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// The opening `<svg>` element of a drawing `width` by `height` pixels with a white
/// background, its root marked with `class` and labelled with `title` for assistive tools.
///
/// The drawings use presentation attributes only, no `<style>` element: an SVG inlined into
/// an HTML page shares the page's style sheet, so a style element would leak into the page.
pub(crate) fn open(class: &str, title: &str, width: f64, height: f64) -> String {
    let (w, h) = (num(width), num(height));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" width=\"{w}\" \
         height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" \
         font-family=\"{}\">",
        escape_xml(title),
        crate::metrics::SANS,
    );
    let _ = writeln!(out, "<title>{}</title>", escape_xml(title));
    let _ = writeln!(out, "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>");
    out
}

/// How a text is placed horizontally on its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// `x` is the left end of the text.
    Start,
    /// `x` is the middle of the text.
    Middle,
    /// `x` is the right end of the text.
    End,
}

impl Anchor {
    /// The `text-anchor` value.
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A `<text>` element with its baseline at `y`, `size` pixels high, and `extra` attributes
/// (written as given, so already escaped) before the escaped `content`.
pub(crate) fn text(
    x: f64,
    y: f64,
    size: f64,
    anchor: Anchor,
    extra: &str,
    content: &str,
) -> String {
    let space = if extra.is_empty() { "" } else { " " };
    format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\"{space}{extra}>{}</text>",
        num(x),
        num(y),
        num(size),
        anchor.as_str(),
        escape_xml(content)
    )
}

/// The baseline that centres a line of text `size` pixels high vertically on `middle`.
pub(crate) fn baseline(middle: f64, size: f64) -> f64 {
    // The x-height of the common fonts is about 0.53 em; centring it puts the baseline
    // 0.35 em below the middle.
    middle + size * 0.35
}

/// An id prefix from a title: its ASCII letters and digits, lower-cased, other runs of
/// characters turned into one `-`; `fallback` when that leaves nothing. Ids made from it stay
/// valid and readable when several drawings share one HTML page.
pub(crate) fn slug(title: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_owned()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{fallback}-{out}")
    } else {
        out.to_owned()
    }
}

/// The `stroke-dasharray` attribute of a dash pattern (with its leading space), nothing for a
/// solid line.
pub(crate) fn dash_attribute(dash: &str) -> String {
    if dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{}\"", crate::escape::escape_xml(dash))
    }
}

#[cfg(test)]
mod tests {
    use super::{num, slug, text, Anchor};

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-3.96), "-4");
    }

    #[test]
    fn slugs_are_valid_ids() {
        assert_eq!(slug("Normal cell (epoch 3)", "cell"), "normal-cell-epoch-3");
        assert_eq!(slug("ü", "cell"), "cell");
        assert_eq!(slug("3 nodes", "cell"), "cell-3-nodes");
    }

    #[test]
    fn text_is_escaped() {
        let t = text(1.0, 2.0, 12.0, Anchor::Middle, "", "a<b");
        assert_eq!(
            t,
            "<text x=\"1\" y=\"2\" font-size=\"12\" text-anchor=\"middle\">a&lt;b</text>"
        );
    }
}
