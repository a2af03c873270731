//! The trajectories of the architecture weights: one small plot per edge of a cell.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::cell::state_name;
use crate::draw::{self, baseline, num, Anchor};
use crate::error::ReportError;
use crate::escape::escape_xml;
use crate::metrics::{mono_width, sans_width, MONO};
use crate::palette::{family, primitive_colour};

/// The architecture weights of one cell over a search: for every recorded epoch, every edge
/// of the supernet cell and every candidate primitive, the softmax of the edge's alphas.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlphaHistory {
    /// The cell, as named in titles (for example "normal").
    pub cell: String,
    /// The candidate primitives, in the order of the weights of an edge.
    pub primitives: Vec<String>,
    /// The epochs recorded, in the order of `weights`.
    pub epochs: Vec<usize>,
    /// `weights[epoch][edge][primitive]`: the softmax of the alphas, each in `[0, 1]`.
    pub weights: Vec<Vec<Vec<f64>>>,
    /// The name of every edge, in the order of a weights row (for example "c_{k-2} → 0");
    /// [`darts_edge_names`] gives the names of a DARTS cell.
    pub edge_names: Vec<String>,
}

impl AlphaHistory {
    /// Checks that there is one set of weights per epoch, one row per edge in every set, and
    /// one weight per primitive in every row.
    pub fn validate(&self) -> Result<(), ReportError> {
        let cell = || self.cell.clone();
        if self.weights.len() != self.epochs.len() {
            return Err(ReportError::EpochCount {
                cell: cell(),
                epochs: self.epochs.len(),
                weights: self.weights.len(),
            });
        }
        for (&epoch, rows) in self.epochs.iter().zip(&self.weights) {
            if rows.len() != self.edge_names.len() {
                return Err(ReportError::EdgeCount {
                    cell: cell(),
                    epoch,
                    expected: self.edge_names.len(),
                    found: rows.len(),
                });
            }
            for (edge, row) in self.edge_names.iter().zip(rows) {
                if row.len() != self.primitives.len() {
                    return Err(ReportError::PrimitiveCount {
                        cell: cell(),
                        epoch,
                        edge: edge.clone(),
                        expected: self.primitives.len(),
                        found: row.len(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The names of the edges of a DARTS cell of `nodes` intermediate nodes, in the order of the
/// supernet's rows of alphas: node 0's edges from c_{k-2} and c_{k-1}, then node 1's from
/// c_{k-2}, c_{k-1} and node 0, and so on; each named `"source → node"`.
pub fn darts_edge_names(nodes: usize) -> Vec<String> {
    let states = nodes + 2;
    (0..nodes)
        .flat_map(|node| {
            (0..node + 2).map(move |from| {
                format!("{} → {}", state_name(from, states), state_name(node + 2, states))
            })
        })
        .collect()
}

/// The plotting area of one small plot.
const PANEL_WIDTH: f64 = 168.0;
const PANEL_HEIGHT: f64 = 84.0;
/// The room left of a plot for its weight ticks, above it for its edge's name, and below it
/// for its epoch ticks.
const GUTTER_LEFT: f64 = 30.0;
const GUTTER_TOP: f64 = 20.0;
const GUTTER_BOTTOM: f64 = 18.0;
/// The room between two plots.
const SPACING: f64 = 14.0;
/// The room around the figure.
const MARGIN: f64 = 16.0;
/// The most plots in a row when the edges are not a DARTS cell's.
const COLUMNS: usize = 5;
/// Font sizes.
const TITLE_FONT: f64 = 15.0;
const NAME_FONT: f64 = 11.5;
const TICK_FONT: f64 = 10.0;
const LEGEND_FONT: f64 = 12.0;
/// The legend's rows, and the length of its line samples.
const LEGEND_ROW: f64 = 20.0;
const SWATCH: f64 = 24.0;

/// The dash patterns that tell apart the primitives of one family (which share a colour):
/// solid for the first, then dashed, dotted, dash-dotted.
const DASHES: [&str; 4] = ["", "6 3", "2 2.5", "7 2.5 2 2.5"];

/// The colour and dash pattern of every primitive of `primitives`: the family's colour, and
/// the dash pattern of the primitive's place among the primitives of its family, so that a
/// family's members share a colour and differ by dash in every figure of them.
pub fn primitive_line_styles(primitives: &[String]) -> Vec<(&'static str, &'static str)> {
    primitives
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let earlier =
                primitives[..i].iter().filter(|other| family(other) == family(name)).count();
            (primitive_colour(name), DASHES[earlier % DASHES.len()])
        })
        .collect()
}

/// Where each small plot goes: `(row, column)` for every edge. The edges of a DARTS cell
/// (2, 5, 9, 14, 20, ... of them) take one row per node, so that a row holds the edges that
/// compete for one node; other counts fill rows of [`COLUMNS`].
fn grid(edges: usize) -> Vec<(usize, usize)> {
    let mut nodes = 0;
    while (nodes + 1) * (nodes + 4) / 2 <= edges {
        nodes += 1;
    }
    if nodes > 0 && nodes * (nodes + 3) / 2 == edges {
        (0..nodes).flat_map(|node| (0..node + 2).map(move |i| (node, i))).collect()
    } else {
        (0..edges).map(|i| (i / COLUMNS, i % COLUMNS)).collect()
    }
}

/// Draws `history` as a grid of small plots, one per edge, each with the epochs along x,
/// the weight (0 to 1) along y and one line per primitive, under a shared legend. A
/// collapse of the edges towards one primitive (`skip_connect` or `none`) shows as that
/// primitive's line rising in most plots. Primitives of one family share a colour and differ
/// by dash pattern.
///
/// Weights that are not finite break their line; weights outside `[0, 1]` are drawn at the
/// nearer end. Fails when [`AlphaHistory::validate`] does.
pub fn alphas_svg(history: &AlphaHistory) -> Result<String, ReportError> {
    history.validate()?;
    let title = format!("{} cell: architecture weights per edge", history.cell);
    let styles = primitive_line_styles(&history.primitives);

    // A plot's column is as wide as the widest edge name written above a plot.
    let name_width =
        history.edge_names.iter().map(|name| sans_width(name, NAME_FONT)).fold(0.0, f64::max);
    let cell_width = GUTTER_LEFT + PANEL_WIDTH.max(name_width) + SPACING;
    let cell_height = GUTTER_TOP + PANEL_HEIGHT + GUTTER_BOTTOM + SPACING;
    let places = grid(history.edge_names.len());
    let columns = places.iter().map(|&(_, c)| c + 1).max().unwrap_or(0);
    let rows = places.iter().map(|&(r, _)| r + 1).max().unwrap_or(0);
    let grid_width = (columns as f64 * cell_width - SPACING).max(PANEL_WIDTH * 2.0);

    // The legend flows in rows as wide as the grid.
    let mut legend = Vec::new();
    let (mut x, mut row, mut legend_width) = (0.0, 0, 0.0);
    for name in &history.primitives {
        let item = SWATCH + 6.0 + mono_width(name, LEGEND_FONT) + 18.0;
        legend_width = f64::max(legend_width, item);
        if x > 0.0 && x + item > grid_width {
            x = 0.0;
            row += 1;
        }
        legend.push((x, row));
        x += item;
    }
    let legend_rows = if history.primitives.is_empty() { 0 } else { row + 1 };
    let legend_top = MARGIN + TITLE_FONT + 12.0;
    let grid_top = legend_top + legend_rows as f64 * LEGEND_ROW + 8.0;

    let width = MARGIN * 2.0 + grid_width.max(legend_width).max(sans_width(&title, TITLE_FONT));
    let height = grid_top + (rows.max(1) as f64) * cell_height - SPACING + MARGIN;
    let mut out = draw::open("darts-alphas", &title, width, height);
    out.push_str(&draw::text(
        MARGIN,
        MARGIN + TITLE_FONT * 0.8,
        TITLE_FONT,
        Anchor::Start,
        "font-weight=\"bold\" fill=\"#222222\" class=\"title\"",
        &title,
    ));
    out.push('\n');

    out.push_str("<g class=\"legend\">\n");
    for ((name, &(x, row)), (colour, dash)) in history.primitives.iter().zip(&legend).zip(&styles) {
        let (x, y) = (MARGIN + x, legend_top + LEGEND_ROW * (row as f64 + 0.5));
        let _ = write!(
            out,
            "<g class=\"legend-item\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" \
             stroke=\"{colour}\" stroke-width=\"2.5\"{}/>",
            num(x),
            num(y),
            num(x + SWATCH),
            num(y),
            draw::dash_attribute(dash)
        );
        out.push_str(&draw::text(
            x + SWATCH + 6.0,
            baseline(y, LEGEND_FONT),
            LEGEND_FONT,
            Anchor::Start,
            &format!("font-family=\"{MONO}\" fill=\"#333333\""),
            name,
        ));
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");

    if history.edge_names.is_empty() {
        out.push_str(&draw::text(
            MARGIN,
            grid_top + 20.0,
            LEGEND_FONT,
            Anchor::Start,
            "fill=\"#888888\" class=\"no-data\"",
            "no edges",
        ));
        out.push_str("\n</svg>\n");
        return Ok(out);
    }

    let (first, last) = (history.epochs.iter().min(), history.epochs.iter().max());
    let epoch_x = |epoch: usize| match (first, last) {
        (Some(&first), Some(&last)) if last > first => {
            (epoch - first) as f64 / (last - first) as f64 * PANEL_WIDTH
        }
        _ => PANEL_WIDTH / 2.0,
    };
    let (low, high) = value_range(history);
    let decimals = if high - low >= 0.1 { 1 } else { 3 };
    let y_of = |value: f64| ((value - low) / (high - low)).clamp(0.0, 1.0) * PANEL_HEIGHT;
    for (edge, (name, &(row, column))) in history.edge_names.iter().zip(&places).enumerate() {
        let left = MARGIN + column as f64 * cell_width + GUTTER_LEFT;
        let top = grid_top + row as f64 * cell_height + GUTTER_TOP;
        let bottom = top + PANEL_HEIGHT;
        let _ = writeln!(out, "<g class=\"panel\" data-edge=\"{}\">", escape_xml(name));
        out.push_str(&draw::text(
            left,
            top - 7.0,
            NAME_FONT,
            Anchor::Start,
            "fill=\"#222222\" class=\"edge-name\"",
            name,
        ));
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" \
             stroke=\"#bbbbbb\" stroke-width=\"1\"/>",
            num(left),
            num(top),
            num(PANEL_WIDTH),
            num(PANEL_HEIGHT)
        );
        for value in [low, (low + high) / 2.0, high] {
            let y = bottom - y_of(value);
            let label = format!("{value:.decimals$}");
            let label = label.as_str();
            if value > low && value < high {
                let _ = writeln!(
                    out,
                    "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#e3e3e3\"/>",
                    num(left),
                    num(left + PANEL_WIDTH),
                    y = num(y)
                );
            }
            out.push_str(&draw::text(
                left - 4.0,
                baseline(y, TICK_FONT),
                TICK_FONT,
                Anchor::End,
                "fill=\"#555555\"",
                label,
            ));
            out.push('\n');
        }
        match (first, last) {
            (Some(&first), Some(&last)) => {
                let ticks = if last > first { vec![first, last] } else { vec![first] };
                for (i, epoch) in ticks.iter().enumerate() {
                    let anchor = match (ticks.len(), i) {
                        (1, _) => Anchor::Middle,
                        (_, 0) => Anchor::Start,
                        _ => Anchor::End,
                    };
                    out.push_str(&draw::text(
                        left + epoch_x(*epoch),
                        bottom + TICK_FONT + 3.0,
                        TICK_FONT,
                        anchor,
                        "fill=\"#555555\"",
                        &format!("epoch {epoch}"),
                    ));
                    out.push('\n');
                }
            }
            _ => {
                out.push_str(&draw::text(
                    left + PANEL_WIDTH / 2.0,
                    baseline(top + PANEL_HEIGHT / 2.0, NAME_FONT),
                    NAME_FONT,
                    Anchor::Middle,
                    "fill=\"#888888\" class=\"no-data\"",
                    "no data",
                ));
                out.push('\n');
            }
        }
        for (p, (colour, dash)) in styles.iter().enumerate() {
            let points: Vec<Option<(f64, f64)>> = history
                .epochs
                .iter()
                .zip(&history.weights)
                .map(|(&epoch, rows)| {
                    let value = rows[edge][p];
                    value.is_finite().then(|| (left + epoch_x(epoch), bottom - y_of(value)))
                })
                .collect();
            write_line(&mut out, &points, colour, dash, &history.primitives[p]);
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    Ok(out)
}

/// The weight axis shared by every plot of a grid: 0 to 1 once the weights spread over
/// more than half of it, else the range they cover (padded), so that the small drift of a
/// short search is visible rather than a flat line at 1/K.
fn value_range(history: &AlphaHistory) -> (f64, f64) {
    let values = history.weights.iter().flatten().flatten().copied().filter(|v| v.is_finite());
    let (low, high) =
        values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if low > high || high - low > 0.5 {
        return (0.0, 1.0);
    }
    let pad = ((high - low) * 0.1).max(1e-3);
    ((low - pad).max(0.0), (high + pad).min(1.0))
}

/// Writes one primitive's line through `points`, broken where a point is missing; a point
/// without a neighbour to join is drawn as a dot.
fn write_line(
    out: &mut String,
    points: &[Option<(f64, f64)>],
    colour: &str,
    dash: &str,
    name: &str,
) {
    let mut d = String::new();
    let mut dots = String::new();
    for (i, point) in points.iter().enumerate() {
        let Some((x, y)) = *point else { continue };
        let joined_before = i > 0 && points[i - 1].is_some();
        let joined_after = points.get(i + 1).is_some_and(Option::is_some);
        if !joined_before && !joined_after {
            let _ = write!(dots, "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\"/>", num(x), num(y));
        } else {
            let _ = write!(d, "{}{},{} ", if joined_before { 'L' } else { 'M' }, num(x), num(y));
        }
    }
    let _ = write!(
        out,
        "<g class=\"primitive\" data-primitive=\"{}\" stroke=\"{colour}\" fill=\"{colour}\">",
        escape_xml(name)
    );
    if !d.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke-width=\"1.6\" stroke-linejoin=\"round\"{}/>",
            d.trim_end(),
            draw::dash_attribute(dash)
        );
    }
    out.push_str(&dots);
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::{darts_edge_names, grid, primitive_line_styles};

    #[test]
    fn darts_edges_are_named_node_by_node() {
        let names = darts_edge_names(2);
        assert_eq!(names, ["c_{k-2} → 0", "c_{k-1} → 0", "c_{k-2} → 1", "c_{k-1} → 1", "0 → 1"]);
        assert_eq!(darts_edge_names(4).len(), 14);
    }

    #[test]
    fn darts_cells_get_a_row_per_node() {
        let places = grid(14);
        assert_eq!(places[0], (0, 0));
        assert_eq!(places[2], (1, 0));
        assert_eq!(places[13], (3, 4));
        let plain = grid(7);
        assert_eq!(plain[5], (1, 0));
    }

    #[test]
    fn one_family_shares_a_colour_and_differs_by_dash() {
        let names: Vec<String> =
            ["sep_conv_3x3", "sep_conv_5x5", "skip_connect"].map(String::from).into();
        let styles = primitive_line_styles(&names);
        assert_eq!(styles[0].0, styles[1].0);
        assert_ne!(styles[0].1, styles[1].1);
        assert_ne!(styles[0].0, styles[2].0);
    }
}
