//! The SVG drawing of a cell.

use std::fmt::Write as _;

use super::layout::{layout, BoxKind, Piece, Route, LABEL_FONT, MARGIN, NODE_FONT, TITLE_FONT};
use super::{state_name, CellDrawing};
use crate::draw::{self, baseline, num, Anchor};
use crate::error::ReportError;
use crate::escape::escape_xml;
use crate::metrics::MONO;
use crate::palette::primitive_colour;

/// The colour of the edges into the output.
const CONCAT_COLOUR: &str = "#707070";

/// Draws `cell` as a standalone SVG document, laid out left to right: the inputs, the
/// intermediate nodes in layers, the output.
///
/// Every box is a `<g class="node ...">` with `data-state` (the state index, or `output`) and
/// an id made from the title; every edge is a `<g class="edge">` with `data-from` and
/// `data-to` (state indices, `output` for the output) holding its path and, for a kept edge,
/// a `<text>` with the primitive's name on a white background; edges into the output also have
/// the class `concat`. Kept edges are coloured by primitive family.
///
/// The ids start with a slug of the title, so cells with different titles can share one HTML
/// page.
///
/// Fails when [`CellDrawing::validate`] does.
pub fn cell_svg(cell: &CellDrawing) -> Result<String, ReportError> {
    cell.validate()?;
    let layout = layout(cell);
    let states = cell.states();
    let prefix = draw::slug(&cell.title, "cell");
    let mut out = draw::open("darts-cell", &cell.title, layout.width, layout.height);

    // One arrowhead per colour, since an SVG 1.1 marker cannot take its line's colour.
    let mut colours: Vec<&str> = vec![CONCAT_COLOUR];
    for route in &layout.routes {
        if let Some((label, _)) = &route.label {
            let colour = primitive_colour(label);
            if !colours.contains(&colour) {
                colours.push(colour);
            }
        }
    }
    out.push_str("<defs>\n");
    for colour in &colours {
        let _ = writeln!(
            out,
            "<marker id=\"{prefix}-arrow-{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
             markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" \
             orient=\"auto\"><path d=\"M0,1 L10,5 L0,9 z\" fill=\"{colour}\"/></marker>",
            &colour[1..]
        );
    }
    out.push_str("</defs>\n");

    out.push_str(&draw::text(
        MARGIN,
        MARGIN + TITLE_FONT * 0.8,
        TITLE_FONT,
        Anchor::Start,
        "font-weight=\"bold\" fill=\"#222222\" class=\"title\"",
        &cell.title,
    ));
    out.push('\n');

    // The output's edges first, so that the kept edges' labels lie above them.
    let order = layout
        .routes
        .iter()
        .filter(|r| r.label.is_none())
        .chain(layout.routes.iter().filter(|r| r.label.is_some()));
    for route in order {
        write_edge(&mut out, route, states, &prefix);
    }

    for state_box in &layout.boxes {
        let (class, fill, stroke) = match state_box.kind {
            BoxKind::Input => ("node input", "#dcefd4", "#5f8f4e"),
            BoxKind::Node => ("node intermediate", "#dde8f6", "#58799f"),
            BoxKind::Output => ("node output", "#fbefc9", "#a88a2a"),
        };
        let data = if state_box.kind == BoxKind::Output {
            "output".to_owned()
        } else {
            state_box.state.to_string()
        };
        let rect = state_box.rect;
        let _ = writeln!(
            out,
            "<g class=\"{class}\" id=\"{prefix}-{}\" data-state=\"{data}\">\
             <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{fill}\" \
             stroke=\"{stroke}\" stroke-width=\"1.5\"/>{}</g>",
            if data == "output" { "output".to_owned() } else { format!("state-{data}") },
            num(rect.x),
            num(rect.y),
            num(rect.w),
            num(rect.h),
            draw::text(
                rect.centre().x,
                baseline(rect.centre().y, NODE_FONT),
                NODE_FONT,
                Anchor::Middle,
                "fill=\"#1a1a1a\"",
                &state_box.name
            ),
        );
    }
    out.push_str("</svg>\n");
    Ok(out)
}

/// Writes one edge's group: its path, and for a kept edge its label on a white background.
fn write_edge(out: &mut String, route: &Route, states: usize, prefix: &str) {
    let to = if route.to == states { "output".to_owned() } else { route.to.to_string() };
    let (class, colour, width) = match &route.label {
        Some((label, _)) => ("edge", primitive_colour(label), "1.8"),
        None => ("edge concat", CONCAT_COLOUR, "1.4"),
    };
    let mut d = String::new();
    for (i, piece) in route.pieces.iter().enumerate() {
        match piece {
            Piece::Line(a, b) => {
                if i == 0 {
                    let _ = write!(d, "M{},{} ", num(a.x), num(a.y));
                }
                let _ = write!(d, "L{},{} ", num(b.x), num(b.y));
            }
            Piece::Curve([a, c1, c2, b]) => {
                if i == 0 {
                    let _ = write!(d, "M{},{} ", num(a.x), num(a.y));
                }
                let _ = write!(
                    d,
                    "C{},{} {},{} {},{} ",
                    num(c1.x),
                    num(c1.y),
                    num(c2.x),
                    num(c2.y),
                    num(b.x),
                    num(b.y)
                );
            }
        }
    }
    let from_name = state_name(route.from, states);
    let to_name = state_name(route.to, states);
    let title = match &route.label {
        Some((label, _)) => format!("{from_name} → {to_name}: {label}"),
        None => format!("{from_name} → {to_name}"),
    };
    let _ = write!(
        out,
        "<g class=\"{class}\" data-from=\"{}\" data-to=\"{to}\"><title>{}</title>\
         <path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" \
         marker-end=\"url(#{prefix}-arrow-{})\"/>",
        route.from,
        escape_xml(&title),
        d.trim_end(),
        &colour[1..],
    );
    if let Some((text, rect)) = &route.label {
        let centre = rect.centre();
        let _ = write!(
            out,
            "<rect class=\"label-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" \
             fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"{colour}\" stroke-width=\"0.8\"/>{}",
            num(rect.x),
            num(rect.y),
            num(rect.w),
            num(rect.h),
            draw::text(
                centre.x,
                baseline(centre.y, LABEL_FONT),
                LABEL_FONT,
                Anchor::Middle,
                &format!("font-family=\"{MONO}\" fill=\"#1a1a1a\""),
                text
            ),
        );
    }
    out.push_str("</g>\n");
}
