//! One self-contained HTML page holding a report: headings, text, tables and figures.
//!
//! The page has its style sheet inline and refers to nothing outside itself (no scripts, no
//! fonts, no images to fetch), so it can be opened from a run folder, mailed or archived as a
//! single file.

use std::fmt::Write as _;

use crate::escape::escape_xml;

/// What a figure shows; its `class` on the page's `<figure>` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FigureKind {
    /// A cell of a genotype ([`crate::cell_svg`]): class `cell-diagram`.
    CellDiagram,
    /// A line chart ([`crate::line_chart_svg`]): class `chart`.
    Chart,
    /// Architecture weights ([`crate::alphas_svg`], [`crate::alphas_heatmap_svg`]): class
    /// `alphas`.
    Alphas,
    /// Any other drawing: class `other`.
    Other,
}

impl FigureKind {
    /// The class name of the figure element.
    pub fn class(self) -> &'static str {
        match self {
            FigureKind::CellDiagram => "cell-diagram",
            FigureKind::Chart => "chart",
            FigureKind::Alphas => "alphas",
            FigureKind::Other => "other",
        }
    }

    /// The kind of a drawing of this crate, read from the class of its root element; `Other`
    /// for any other SVG.
    pub fn of_svg(svg: &str) -> FigureKind {
        let Some(root) = svg.find("<svg").and_then(|at| svg[at..].split('>').next()) else {
            return FigureKind::Other;
        };
        let class = root
            .split("class=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        match class {
            "darts-cell" => FigureKind::CellDiagram,
            "darts-chart" => FigureKind::Chart,
            "darts-alphas" | "darts-alphas-heatmap" => FigureKind::Alphas,
            _ => FigureKind::Other,
        }
    }
}

/// A builder of one HTML page: a title, then sections of paragraphs, tables, key-value
/// lists, figures and preformatted text, in the order they are added.
///
/// ```
/// use darts_report::Page;
///
/// let mut page = Page::new("search digits");
/// page.section("Result").paragraph("The genotype found:").preformatted("Genotype(...)");
/// let html = page.render();
/// assert!(html.contains("<h2 id=\"section-1\">Result</h2>"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The page's title, shown as its heading and in the browser's tab.
    title: String,
    /// The body, as rendered HTML, without the closing tag of the open section.
    body: String,
    /// How many sections were started.
    sections: usize,
}

/// The page's style sheet.
const STYLE: &str = "\
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, \"DejaVu Sans\", \
Helvetica, Arial, sans-serif; color: #1f2328; background: #ffffff; margin: 0; \
line-height: 1.5; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 1.7rem; margin: 0.4em 0 0.6em; }
h2 { font-size: 1.3rem; margin: 1.8em 0 0.6em; padding-bottom: 0.25em; \
border-bottom: 1px solid #d8dee4; }
p { margin: 0.6em 0; max-width: 80ch; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92rem; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; \
vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
tbody tr:nth-child(even) td { background: #fafbfc; }
dl.key-values { display: grid; grid-template-columns: max-content auto; gap: 2px 18px; \
margin: 0.8em 0; font-size: 0.95rem; }
dl.key-values dt { font-weight: 600; color: #444c56; }
dl.key-values dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, \
\"DejaVu Sans Mono\", monospace; overflow-wrap: anywhere; }
figure { margin: 1.2em 0; padding: 12px; border: 1px solid #d8dee4; border-radius: 6px; \
overflow-x: auto; background: #ffffff; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: 8px; color: #57606a; font-size: 0.9rem; }
pre { background: #f6f8fa; border: 1px solid #d8dee4; border-radius: 6px; padding: 10px 12px; \
overflow-x: auto; font-size: 0.85rem; line-height: 1.4; }
";

impl Page {
    /// An empty page titled `title`.
    pub fn new(title: impl Into<String>) -> Self {
        Page { title: title.into(), body: String::new(), sections: 0 }
    }

    /// Starts a new section headed `heading`; what is added next goes into it.
    pub fn section(&mut self, heading: &str) -> &mut Self {
        if self.sections > 0 {
            self.body.push_str("</section>\n");
        }
        self.sections += 1;
        let _ = write!(
            self.body,
            "<section>\n<h2 id=\"section-{}\">{}</h2>\n",
            self.sections,
            escape_xml(heading)
        );
        self
    }

    /// Adds a paragraph of plain text.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        let _ = writeln!(self.body, "<p>{}</p>", escape_xml(text));
        self
    }

    /// Adds a table with a header row and rows of plain-text cells.
    pub fn table<H: AsRef<str>, C: AsRef<str>>(
        &mut self,
        headers: &[H],
        rows: &[Vec<C>],
    ) -> &mut Self {
        self.body.push_str("<table>\n<thead><tr>");
        for header in headers {
            let _ = write!(self.body, "<th>{}</th>", escape_xml(header.as_ref()));
        }
        self.body.push_str("</tr></thead>\n<tbody>\n");
        for row in rows {
            self.body.push_str("<tr>");
            for cell in row {
                let _ = write!(self.body, "<td>{}</td>", escape_xml(cell.as_ref()));
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</tbody>\n</table>\n");
        self
    }

    /// Adds a list of names and values, such as the settings of a run.
    pub fn key_values<K: AsRef<str>, V: AsRef<str>>(&mut self, pairs: &[(K, V)]) -> &mut Self {
        self.body.push_str("<dl class=\"key-values\">\n");
        for (key, value) in pairs {
            let _ = writeln!(
                self.body,
                "<dt>{}</dt><dd>{}</dd>",
                escape_xml(key.as_ref()),
                escape_xml(value.as_ref())
            );
        }
        self.body.push_str("</dl>\n");
        self
    }

    /// Adds a figure of an SVG drawing with a caption; its kind (and class) is read from the
    /// drawing, as [`FigureKind::of_svg`] does.
    ///
    /// The SVG is inlined as given, so it must be trusted markup, such as this crate's
    /// drawings; its XML declaration and doctype, if any, and the SVG namespace declaration,
    /// which HTML implies, are left out.
    pub fn svg(&mut self, svg: &str, caption: &str) -> &mut Self {
        self.figure(FigureKind::of_svg(svg), svg, caption)
    }

    /// Adds a figure of an SVG drawing of the given kind with a caption, as [`Page::svg`]
    /// does.
    pub fn figure(&mut self, kind: FigureKind, svg: &str, caption: &str) -> &mut Self {
        let _ = write!(self.body, "<figure class=\"{}\">\n{}", kind.class(), inline_svg(svg));
        if !self.body.ends_with('\n') {
            self.body.push('\n');
        }
        if !caption.is_empty() {
            let _ = writeln!(self.body, "<figcaption>{}</figcaption>", escape_xml(caption));
        }
        self.body.push_str("</figure>\n");
        self
    }

    /// Adds preformatted text, such as a genotype or a DOT graph, kept verbatim.
    pub fn preformatted(&mut self, text: &str) -> &mut Self {
        let _ = writeln!(self.body, "<pre>{}</pre>", escape_xml(text));
        self
    }

    /// The whole page as an HTML document.
    pub fn render(&self) -> String {
        let title = escape_xml(&self.title);
        let mut out = String::with_capacity(self.body.len() + STYLE.len() + 512);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(out, "<title>{title}</title>");
        let _ = writeln!(out, "<style>\n{STYLE}</style>");
        let _ = writeln!(out, "</head>\n<body>\n<main>\n<h1>{title}</h1>");
        out.push_str(&self.body);
        if self.sections > 0 {
            out.push_str("</section>\n");
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

/// `svg` ready to inline into HTML: from its `<svg` root on, without the namespace
/// declaration of SVG, which an HTML parser implies.
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let svg = &svg[start..];
    let root_end = svg.find('>').unwrap_or(svg.len());
    let (root, rest) = svg.split_at(root_end);
    let root = root.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    format!("{root}{rest}")
}

#[cfg(test)]
mod tests {
    use super::{inline_svg, FigureKind};

    #[test]
    fn inlining_drops_the_prologue_and_namespace() {
        let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
                   class=\"darts-chart\"><text>x</text></svg>";
        assert_eq!(inline_svg(svg), "<svg class=\"darts-chart\"><text>x</text></svg>");
    }

    #[test]
    fn kind_comes_from_the_root_class() {
        assert_eq!(FigureKind::of_svg("<svg class=\"darts-cell\">"), FigureKind::CellDiagram);
        assert_eq!(FigureKind::of_svg("<svg class=\"darts-alphas-heatmap\">"), FigureKind::Alphas);
        assert_eq!(FigureKind::of_svg("<svg><g class=\"darts-cell\"/></svg>"), FigureKind::Other);
        assert_eq!(FigureKind::of_svg("no svg"), FigureKind::Other);
    }
}
