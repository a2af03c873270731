//! Escaping text for XML (SVG) and HTML.

/// Escapes `text` for use in XML or HTML character data and in double- or single-quoted
/// attribute values: `&`, `<`, `>`, `"` and `'` become entity references.
///
/// Control characters other than tab, newline and carriage return are not allowed in XML 1.0
/// at all, so they are replaced with U+FFFD rather than written as character references that
/// an XML parser would refuse.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_xml;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape_xml(r#"a<b & "c" 'd'>"#), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    }

    #[test]
    fn replaces_control_characters_xml_refuses() {
        assert_eq!(escape_xml("a\u{0}b\u{1b}c\nd"), "a\u{FFFD}b\u{FFFD}c\nd");
    }
}
