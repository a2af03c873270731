//! The architecture weights of the last recorded epoch as a heatmap: edges by primitives.

use std::fmt::Write as _;

use crate::alphas::AlphaHistory;
use crate::draw::{self, baseline, num, Anchor};
use crate::error::ReportError;
use crate::escape::escape_xml;
use crate::metrics::{mono_width, sans_width, MONO};
use crate::palette::family;

/// Sizes: a cell's height and least width, the room around the figure, font sizes.
const ROW_HEIGHT: f64 = 24.0;
const MIN_COLUMN: f64 = 50.0;
const MARGIN: f64 = 16.0;
const TITLE_FONT: f64 = 15.0;
const HEADER_FONT: f64 = 11.0;
const VALUE_FONT: f64 = 11.0;
const NAME_FONT: f64 = 12.0;
/// The colour bar's length and thickness.
const BAR_LENGTH: f64 = 160.0;
const BAR_HEIGHT: f64 = 10.0;

/// The two ends of the colour scale: a weight of 0 and the largest weight.
const LOW: [f64; 3] = [247.0, 251.0, 255.0];
const HIGH: [f64; 3] = [8.0, 69.0, 148.0];

/// Draws the weights of the last recorded epoch of `history` as a table of coloured cells,
/// one row per edge and one column per primitive, the weight printed in each cell and its
/// colour the darker the larger the weight (white at 0, full at the largest weight of the
/// table, which a colour bar under the table shows). In every row the strongest primitive
/// other than `none`, the one DARTS keeps for the edge, is outlined and printed in bold.
///
/// A weight that is not finite is printed as such on a grey cell. Fails when
/// [`AlphaHistory::validate`] does; a history without epochs draws its table headers and the
/// words "no data".
pub fn alphas_heatmap_svg(history: &AlphaHistory) -> Result<String, ReportError> {
    history.validate()?;
    let last = history.epochs.iter().zip(&history.weights).max_by_key(|(epoch, _)| **epoch);
    let title = match last {
        Some((epoch, _)) => {
            format!("{} cell: architecture weights at epoch {epoch}", history.cell)
        }
        None => format!("{} cell: architecture weights", history.cell),
    };

    let row_label_width =
        history.edge_names.iter().map(|name| sans_width(name, NAME_FONT)).fold(0.0, f64::max);
    let column_width: Vec<f64> = history
        .primitives
        .iter()
        .map(|name| (mono_width(name, HEADER_FONT) + 12.0).max(MIN_COLUMN))
        .collect();
    let table_left = MARGIN + row_label_width + 10.0;
    let header_top = MARGIN + TITLE_FONT + 14.0;
    let table_top = header_top + HEADER_FONT + 10.0;
    let table_width: f64 = column_width.iter().sum();
    let rows = if last.is_some() { history.edge_names.len() } else { 0 };
    let table_bottom = table_top + rows as f64 * ROW_HEIGHT;
    let bar_top = table_bottom + 18.0;
    let height = bar_top + BAR_HEIGHT + 6.0 + VALUE_FONT + MARGIN;
    let width = (table_left + table_width + MARGIN)
        .max(table_left + BAR_LENGTH + 60.0 + MARGIN)
        .max(MARGIN * 2.0 + sans_width(&title, TITLE_FONT));

    // The colours span the weights actually present: early in a search they all sit near
    // 1/K, and a scale from 0 would paint every cell alike.
    let finite: Vec<f64> = last
        .into_iter()
        .flat_map(|(_, rows)| rows.iter().flatten())
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let lowest = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lowest, highest) = if finite.is_empty() { (0.0, 1.0) } else { (lowest, highest) };
    let share_of = |value: f64| {
        if highest > lowest {
            ((value - lowest) / (highest - lowest)).clamp(0.0, 1.0)
        } else {
            0.5
        }
    };
    let decimals = decimals_for(highest - lowest);

    let mut out = draw::open("darts-alphas-heatmap", &title, width, height);
    out.push_str(&draw::text(
        MARGIN,
        MARGIN + TITLE_FONT * 0.8,
        TITLE_FONT,
        Anchor::Start,
        "font-weight=\"bold\" fill=\"#222222\" class=\"title\"",
        &title,
    ));
    out.push('\n');

    let mut x = table_left;
    let mut column_left = Vec::new();
    for (name, width) in history.primitives.iter().zip(&column_width) {
        column_left.push(x);
        out.push_str(&draw::text(
            x + width / 2.0,
            header_top + HEADER_FONT,
            HEADER_FONT,
            Anchor::Middle,
            &format!("font-family=\"{MONO}\" fill=\"#333333\" class=\"primitive\""),
            name,
        ));
        out.push('\n');
        x += width;
    }

    let Some((_, weights)) = last else {
        out.push_str(&draw::text(
            table_left,
            table_top + 20.0,
            NAME_FONT,
            Anchor::Start,
            "fill=\"#888888\" class=\"no-data\"",
            "no data",
        ));
        out.push_str("\n</svg>\n");
        return Ok(out);
    };

    for (r, (name, row)) in history.edge_names.iter().zip(weights).enumerate() {
        let top = table_top + r as f64 * ROW_HEIGHT;
        let middle = top + ROW_HEIGHT / 2.0;
        let kept = row
            .iter()
            .enumerate()
            .filter(|&(p, v)| v.is_finite() && family(&history.primitives[p]) != "none")
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(p, _)| p);
        let _ = write!(out, "<g class=\"row\" data-edge=\"{}\">", escape_xml(name));
        out.push_str(&draw::text(
            table_left - 10.0,
            baseline(middle, NAME_FONT),
            NAME_FONT,
            Anchor::End,
            "fill=\"#222222\"",
            name,
        ));
        for (p, &value) in row.iter().enumerate() {
            let (fill, ink, text) = if value.is_finite() {
                let share = share_of(value);
                let ink = if share > 0.55 { "#ffffff" } else { "#1a1a1a" };
                (colour(share), ink, format!("{value:.decimals$}"))
            } else {
                ("#d0d0d0".to_owned(), "#1a1a1a", format!("{value}"))
            };
            let strongest = kept == Some(p);
            let _ = write!(
                out,
                "<rect class=\"cell{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                 fill=\"{fill}\" stroke=\"{}\" stroke-width=\"{}\"/>",
                if strongest { " kept" } else { "" },
                num(column_left[p] + 1.0),
                num(top + 1.0),
                num(column_width[p] - 2.0),
                num(ROW_HEIGHT - 2.0),
                if strongest { "#d62728" } else { "#ffffff" },
                if strongest { "2" } else { "1" },
            );
            out.push_str(&draw::text(
                column_left[p] + column_width[p] / 2.0,
                baseline(middle, VALUE_FONT),
                VALUE_FONT,
                Anchor::Middle,
                &format!(
                    "font-family=\"{MONO}\" fill=\"{ink}\"{}",
                    if strongest { " font-weight=\"bold\"" } else { "" }
                ),
                &text,
            ));
        }
        out.push_str("</g>\n");
    }

    // The colour bar.
    let _ = write!(
        out,
        "<defs><linearGradient id=\"{id}\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">\
         <stop offset=\"0\" stop-color=\"{}\"/><stop offset=\"1\" stop-color=\"{}\"/>\
         </linearGradient></defs>\
         <rect class=\"colour-bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
         fill=\"url(#{id})\" stroke=\"#999999\" stroke-width=\"0.5\"/>",
        colour(0.0),
        colour(1.0),
        num(table_left),
        num(bar_top),
        num(BAR_LENGTH),
        num(BAR_HEIGHT),
        id = format!("{}-bar", draw::slug(&title, "alphas")),
    );
    let label_y = bar_top + BAR_HEIGHT + 4.0 + VALUE_FONT;
    out.push_str(&draw::text(
        table_left,
        label_y,
        VALUE_FONT,
        Anchor::Start,
        "fill=\"#555555\"",
        &format!("{lowest:.decimals$}"),
    ));
    out.push_str(&draw::text(
        table_left + BAR_LENGTH,
        label_y,
        VALUE_FONT,
        Anchor::Middle,
        "fill=\"#555555\"",
        &format!("{highest:.decimals$}"),
    ));
    out.push_str(&draw::text(
        table_left + BAR_LENGTH + 28.0,
        bar_top + BAR_HEIGHT,
        VALUE_FONT,
        Anchor::Start,
        "fill=\"#555555\"",
        "weight",
    ));
    out.push_str("\n</svg>\n");
    Ok(out)
}

/// Decimals that tell apart weights spread over `range`: two for a wide spread, more for
/// the near-uniform weights of an early search.
fn decimals_for(range: f64) -> usize {
    if range.is_finite() && range > 0.0 {
        ((-range.log10()).ceil() as i64 + 1).clamp(2, 4) as usize
    } else {
        2
    }
}

/// The colour of a share in `[0, 1]` of the weights' range, between [`LOW`] and [`HIGH`].
fn colour(share: f64) -> String {
    let channel = |i: usize| (LOW[i] + (HIGH[i] - LOW[i]) * share).round() as u8;
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(1), channel(2))
}

#[cfg(test)]
mod tests {
    use super::{colour, decimals_for};

    #[test]
    fn colour_runs_from_white_to_blue() {
        assert_eq!(colour(0.0), "#f7fbff");
        assert_eq!(colour(1.0), "#084594");
    }

    #[test]
    fn near_uniform_weights_get_more_decimals() {
        assert_eq!(decimals_for(0.9), 2);
        assert_eq!(decimals_for(0.002), 4);
        assert_eq!(decimals_for(0.03), 3);
        assert_eq!(decimals_for(0.0), 2);
    }
}
