//! Line charts: loss, accuracy or any other metric per epoch or step.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::draw::{self, baseline, num, Anchor};
use crate::metrics::sans_width;
use crate::palette::{primitive_colour, series_colour};
use crate::scale::Scale;

/// A chart of one or more series of `(x, y)` points drawn as lines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LineChart {
    /// The title above the chart.
    pub title: String,
    /// The label under the x axis (for example "epoch").
    pub x_label: String,
    /// The label beside the y axis (for example "loss").
    pub y_label: String,
    /// The series, each drawn in its own colour and named in the legend.
    pub series: Vec<Series>,
    /// Whether the y axis is logarithmic; points with y at or below zero are then left out
    /// (and counted in a note under the chart).
    #[serde(default)]
    pub log_y: bool,
}

/// One named line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Series {
    /// The name shown in the legend.
    pub name: String,
    /// The points in drawing order. A point with a coordinate that is not finite (NaN or
    /// infinite) is left out and breaks the line there.
    pub points: Vec<(f64, f64)>,
    /// The line's colour (`#rrggbb`); `None` for the palette's colour of its position.
    #[serde(default)]
    pub colour: Option<String>,
    /// The line's SVG dash pattern (for example `"6 3"`); empty for a solid line.
    #[serde(default)]
    pub dash: String,
}

impl Series {
    /// A series named `name` through `points`, coloured by its position.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series { name: name.into(), points, colour: None, dash: String::new() }
    }

    /// The series drawn in the colour a primitive has in every other figure (see
    /// [`primitive_colour`]), so a chart per primitive matches the alpha plots.
    pub fn in_colour_of(mut self, primitive: &str) -> Self {
        self.colour = Some(primitive_colour(primitive).to_owned());
        self
    }

    /// The series drawn with the dash pattern `dash` (SVG `stroke-dasharray`, empty for a
    /// solid line), to tell apart series of one colour.
    pub fn dashed(mut self, dash: &str) -> Self {
        self.dash = dash.to_owned();
        self
    }
}

/// The size of the plotting area.
const PLOT_WIDTH: f64 = 520.0;
const PLOT_HEIGHT: f64 = 280.0;
/// The room around the chart.
const MARGIN: f64 = 16.0;
/// Font sizes: title, axis labels, tick labels and legend.
const TITLE_FONT: f64 = 15.0;
const LABEL_FONT: f64 = 13.0;
const TICK_FONT: f64 = 11.0;
const LEGEND_FONT: f64 = 12.0;
/// The height of a legend row, and the length of its line sample.
const LEGEND_ROW: f64 = 20.0;
const SWATCH: f64 = 22.0;
/// A series with at most this many points gets a marker on each point.
const MARKED_POINTS: usize = 30;

/// Draws `chart` as a standalone SVG document: axes with nice ticks and labels, a light grid,
/// one line per series and a legend to the right.
///
/// Points with a coordinate that is not finite are left out, breaking their line; a point
/// with no neighbour to join is drawn as a dot. A range of one value is widened around it.
/// When no series has a point to draw, the axes are drawn over `0..1` with the words
/// "no data".
pub fn line_chart_svg(chart: &LineChart) -> String {
    // The runs of drawable points of every series: a run ends where a point is left out.
    let mut left_out_log = 0;
    let runs: Vec<Vec<Vec<(f64, f64)>>> = chart
        .series
        .iter()
        .map(|series| {
            let mut runs = vec![Vec::new()];
            for &(x, y) in &series.points {
                let drawable = x.is_finite() && y.is_finite();
                if drawable && chart.log_y && y <= 0.0 {
                    left_out_log += 1;
                }
                if drawable && !(chart.log_y && y <= 0.0) {
                    runs.last_mut().expect("one run at least").push((x, y));
                } else if !runs.last().expect("one run at least").is_empty() {
                    runs.push(Vec::new());
                }
            }
            runs.retain(|run| !run.is_empty());
            runs
        })
        .collect();
    let points = || runs.iter().flatten().flatten();
    let empty = points().next().is_none();

    let (x_scale, y_scale) = if empty {
        (Scale::fixed(0.0, 1.0, &[0.0, 0.5, 1.0]), Scale::fixed(0.0, 1.0, &[0.0, 0.5, 1.0]))
    } else {
        let (x_min, x_max) = extent(points().map(|p| p.0));
        let (y_min, y_max) = extent(points().map(|p| p.1));
        let y_scale =
            if chart.log_y { Scale::log(y_min, y_max) } else { Scale::linear(y_min, y_max) };
        (Scale::linear(x_min, x_max), y_scale)
    };

    // Horizontal room: the y label (turned), the widest y tick label, the plot, the legend.
    let y_ticks: Vec<(f64, String)> =
        y_scale.ticks().iter().map(|&t| (t, y_scale.label(t))).collect();
    let tick_width = y_ticks.iter().map(|(_, l)| sans_width(l, TICK_FONT)).fold(0.0, f64::max);
    let y_label_band = if chart.y_label.is_empty() { 0.0 } else { LABEL_FONT + 8.0 };
    let plot_left = MARGIN + y_label_band + tick_width + 8.0;
    let plot_top = MARGIN + TITLE_FONT + 14.0;
    let plot_right = plot_left + PLOT_WIDTH;
    let plot_bottom = plot_top + PLOT_HEIGHT;
    let legend_names: Vec<String> = chart
        .series
        .iter()
        .zip(&runs)
        .map(|(series, runs)| {
            if runs.is_empty() {
                format!("{} (no data)", series.name)
            } else {
                series.name.clone()
            }
        })
        .collect();
    let legend_width = legend_names
        .iter()
        .map(|name| SWATCH + 8.0 + sans_width(name, LEGEND_FONT))
        .fold(0.0, f64::max);
    let legend_left = plot_right + 20.0;
    let x_ticks: Vec<(f64, String)> =
        x_scale.ticks().iter().map(|&t| (t, x_scale.label(t))).collect();
    // The last x tick label is centred on the plot's right end and may reach past it.
    let last_tick_half = x_ticks.last().map_or(0.0, |(_, l)| sans_width(l, TICK_FONT) / 2.0);
    let mut width = plot_right + last_tick_half + MARGIN;
    if !legend_names.is_empty() {
        width = width.max(legend_left + legend_width + MARGIN);
    }
    width = width.max(MARGIN * 2.0 + sans_width(&chart.title, TITLE_FONT));
    let x_label_y = plot_bottom + TICK_FONT + 8.0 + LABEL_FONT + 6.0;
    let note_y = x_label_y + LABEL_FONT + 8.0;
    let mut height = if left_out_log > 0 { note_y } else { x_label_y } + MARGIN;
    height = height.max(plot_top + legend_names.len() as f64 * LEGEND_ROW + MARGIN);

    let at = |(x, y): (f64, f64)| {
        (
            plot_left + x_scale.fraction(x) * PLOT_WIDTH,
            plot_bottom - y_scale.fraction(y) * PLOT_HEIGHT,
        )
    };

    let mut out = draw::open("darts-chart", &chart.title, width, height);
    out.push_str(&draw::text(
        MARGIN,
        MARGIN + TITLE_FONT * 0.8,
        TITLE_FONT,
        Anchor::Start,
        "font-weight=\"bold\" fill=\"#222222\" class=\"title\"",
        &chart.title,
    ));
    out.push('\n');

    // Grid and ticks.
    out.push_str("<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">\n");
    for (value, _) in &y_ticks {
        let y = at((0.0, *value)).1;
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            num(plot_left),
            num(y),
            num(plot_right),
            num(y)
        );
    }
    for (value, _) in &x_ticks {
        let x = plot_left + x_scale.fraction(*value) * PLOT_WIDTH;
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            num(x),
            num(plot_top),
            num(x),
            num(plot_bottom)
        );
    }
    out.push_str("</g>\n<g class=\"ticks\" fill=\"#444444\">\n");
    for (value, label) in &y_ticks {
        let y = at((0.0, *value)).1;
        out.push_str(&draw::text(
            plot_left - 6.0,
            baseline(y, TICK_FONT),
            TICK_FONT,
            Anchor::End,
            "",
            label,
        ));
        out.push('\n');
    }
    for (value, label) in &x_ticks {
        let x = plot_left + x_scale.fraction(*value) * PLOT_WIDTH;
        out.push_str(&draw::text(
            x,
            plot_bottom + TICK_FONT + 5.0,
            TICK_FONT,
            Anchor::Middle,
            "",
            label,
        ));
        out.push('\n');
    }
    out.push_str("</g>\n");
    let _ = writeln!(
        out,
        "<path class=\"axes\" d=\"M{l},{t} L{l},{b} L{r},{b}\" fill=\"none\" stroke=\"#555555\" \
         stroke-width=\"1.2\"/>",
        l = num(plot_left),
        t = num(plot_top),
        b = num(plot_bottom),
        r = num(plot_right)
    );

    // Axis labels.
    let middle_x = (plot_left + plot_right) / 2.0;
    if !chart.x_label.is_empty() {
        out.push_str(&draw::text(
            middle_x,
            x_label_y,
            LABEL_FONT,
            Anchor::Middle,
            "fill=\"#333333\" class=\"x-label\"",
            &chart.x_label,
        ));
        out.push('\n');
    }
    if !chart.y_label.is_empty() {
        let (x, y) = (MARGIN + LABEL_FONT * 0.8, (plot_top + plot_bottom) / 2.0);
        out.push_str(&draw::text(
            x,
            y,
            LABEL_FONT,
            Anchor::Middle,
            &format!(
                "fill=\"#333333\" class=\"y-label\" transform=\"rotate(-90 {} {})\"",
                num(x),
                num(y)
            ),
            &chart.y_label,
        ));
        out.push('\n');
    }

    // Series.
    for (index, (series, runs)) in chart.series.iter().zip(&runs).enumerate() {
        let colour = series.colour.as_deref().unwrap_or(series_colour(index));
        let _ = write!(
            out,
            "<g class=\"series\" data-name=\"{}\" stroke=\"{colour}\" fill=\"{colour}\">",
            crate::escape::escape_xml(&series.name)
        );
        let count: usize = runs.iter().map(Vec::len).sum();
        for run in runs {
            if run.len() > 1 {
                let mut d = String::new();
                for (i, &point) in run.iter().enumerate() {
                    let (x, y) = at(point);
                    let _ = write!(d, "{}{},{} ", if i == 0 { 'M' } else { 'L' }, num(x), num(y));
                }
                let _ = write!(
                    out,
                    "<path d=\"{}\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\"{}/>",
                    d.trim_end(),
                    draw::dash_attribute(&series.dash)
                );
            }
            if run.len() == 1 || count <= MARKED_POINTS {
                for &point in run {
                    let (x, y) = at(point);
                    let _ = write!(out, "<circle cx=\"{}\" cy=\"{}\" r=\"3\"/>", num(x), num(y));
                }
            }
        }
        out.push_str("</g>\n");
    }

    if empty {
        out.push_str(&draw::text(
            middle_x,
            baseline((plot_top + plot_bottom) / 2.0, LABEL_FONT + 3.0),
            LABEL_FONT + 3.0,
            Anchor::Middle,
            "fill=\"#888888\" class=\"no-data\"",
            "no data",
        ));
        out.push('\n');
    }

    // Legend.
    for (index, name) in legend_names.iter().enumerate() {
        let y = plot_top + LEGEND_ROW * (index as f64 + 0.5);
        let series = &chart.series[index];
        let colour = series.colour.as_deref().unwrap_or(series_colour(index));
        let _ = write!(
            out,
            "<g class=\"legend-item\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" \
             stroke=\"{colour}\" stroke-width=\"2.5\"{}/>",
            num(legend_left),
            num(y),
            num(legend_left + SWATCH),
            num(y),
            draw::dash_attribute(&series.dash)
        );
        out.push_str(&draw::text(
            legend_left + SWATCH + 8.0,
            baseline(y, LEGEND_FONT),
            LEGEND_FONT,
            Anchor::Start,
            "fill=\"#333333\"",
            name,
        ));
        out.push_str("</g>\n");
    }

    if left_out_log > 0 {
        let note = format!(
            "{left_out_log} point{} at or below zero not shown on the logarithmic scale",
            if left_out_log == 1 { "" } else { "s" }
        );
        out.push_str(&draw::text(
            plot_left,
            note_y,
            TICK_FONT,
            Anchor::Start,
            "fill=\"#888888\" class=\"note\"",
            &note,
        ));
        out.push('\n');
    }
    out.push_str("</svg>\n");
    out
}

/// The least and greatest of `values`, which are finite and at least one.
fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
}
