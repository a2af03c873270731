//! Line charts: ordinary series, one point, equal values, missing values, no data, log scale.

mod common;

use common::{assert_texts_inside, attr, parse, text_of, view_box, with_class};
use darts_report::{line_chart_svg, LineChart, Series};
use roxmltree::Document;

fn chart(series: Vec<Series>) -> LineChart {
    LineChart {
        title: "loss".into(),
        x_label: "epoch".into(),
        y_label: "cross-entropy".into(),
        series,
        log_y: false,
    }
}

/// The texts of the tick labels, in document order.
fn ticks(document: &Document) -> Vec<String> {
    with_class(document, "g", "ticks")
        .flat_map(|g| g.children().filter(|n| n.has_tag_name("text")))
        .map(text_of)
        .collect()
}

/// The series groups of a chart, each with its paths' point counts and its dots.
fn series(document: &Document) -> Vec<(String, Vec<usize>, usize)> {
    with_class(document, "g", "series")
        .map(|g| {
            let paths = g
                .children()
                .filter(|n| n.has_tag_name("path"))
                .map(|p| p.attribute("d").unwrap().split_whitespace().count())
                .collect();
            let dots = g.children().filter(|n| n.has_tag_name("circle")).count();
            (g.attribute("data-name").unwrap().to_owned(), paths, dots)
        })
        .collect()
}

/// Checks that no attribute holds a number that is not finite.
fn assert_finite_attributes(svg: &str) {
    for word in ["NaN", "inf"] {
        assert!(!svg.contains(word), "{word} in {svg}");
    }
}

#[test]
fn two_series_draw_lines_ticks_and_a_legend() {
    let train: Vec<(f64, f64)> =
        (0..20).map(|e| (f64::from(e), 2.0 / (1.0 + f64::from(e)))).collect();
    let valid: Vec<(f64, f64)> =
        (0..20).map(|e| (f64::from(e), 2.2 / (1.0 + f64::from(e)))).collect();
    let svg =
        line_chart_svg(&chart(vec![Series::new("train", train), Series::new("valid", valid)]));
    let document = parse(&svg);
    view_box(&document);
    assert_eq!(
        series(&document),
        [("train".to_owned(), vec![20], 20), ("valid".to_owned(), vec![20], 20)]
    );
    let legend: Vec<String> = with_class(&document, "g", "legend-item").map(text_of).collect();
    assert_eq!(legend, ["train", "valid"]);
    // y from 0.1 to 2.2 gives ticks 0.0 .. 2.5 by 0.5; x from 0 to 19 gives 0 .. 20 by 5.
    assert_eq!(
        ticks(&document),
        ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "0", "5", "10", "15", "20"]
    );
    assert_texts_inside(&svg);
}

#[test]
fn one_point_is_drawn_as_a_dot_inside_the_plot() {
    let svg = line_chart_svg(&chart(vec![Series::new("valid", vec![(3.0, 0.71)])]));
    let document = parse(&svg);
    assert_eq!(series(&document), [("valid".to_owned(), vec![], 1)]);
    let dot = document.descendants().find(|n| n.has_tag_name("circle")).unwrap();
    let axes = with_class(&document, "path", "axes").next().unwrap();
    // "M left,top L left,bottom L right,bottom"
    let corners: Vec<f64> = axes
        .attribute("d")
        .unwrap()
        .split(|c: char| c == ',' || c.is_whitespace() || c.is_ascii_alphabetic())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let (left, top, bottom, right) = (corners[0], corners[1], corners[3], corners[4]);
    let (cx, cy) = (attr(dot, "cx"), attr(dot, "cy"));
    assert!(left < cx && cx < right && top < cy && cy < bottom, "({cx}, {cy})");
    assert!(ticks(&document).len() >= 4);
    assert_texts_inside(&svg);
}

#[test]
fn equal_values_get_a_range_around_them() {
    let flat: Vec<(f64, f64)> = (0..5).map(|e| (f64::from(e), 0.5)).collect();
    let svg = line_chart_svg(&chart(vec![Series::new("flat", flat)]));
    let document = parse(&svg);
    let path = document
        .descendants()
        .find(|n| {
            n.has_tag_name("path")
                && n.parent().unwrap().has_tag_name("g")
                && n.parent().unwrap().attribute("class") == Some("series")
        })
        .unwrap();
    let heights: Vec<&str> = path
        .attribute("d")
        .unwrap()
        .split_whitespace()
        .map(|p| p.split(',').nth(1).unwrap())
        .collect();
    assert!(heights.windows(2).all(|w| w[0] == w[1]), "{heights:?}");
    let y_ticks: Vec<String> = ticks(&document).into_iter().take_while(|t| t != "0").collect();
    assert!(y_ticks.len() >= 3, "{y_ticks:?}");
    assert_finite_attributes(&svg);
}

#[test]
fn values_that_are_not_finite_break_the_line() {
    let points = vec![
        (0.0, 1.0),
        (1.0, 0.8),
        (2.0, f64::NAN),
        (3.0, 0.6),
        (4.0, 0.5),
        (f64::INFINITY, 0.4),
        (6.0, 0.3),
        (7.0, f64::NEG_INFINITY),
    ];
    let svg = line_chart_svg(&chart(vec![Series::new("valid", points)]));
    let document = parse(&svg);
    // Runs: (0, 1), (3, 4), (6): two lines and a lone point; a short series marks each of its
    // five drawable points.
    let drawn = series(&document);
    assert_eq!(drawn[0].1, vec![2, 2]);
    assert_eq!(drawn[0].2, 5);
    assert_finite_attributes(&svg);
    assert_texts_inside(&svg);
}

#[test]
fn no_data_draws_axes_and_says_so() {
    for empty in [
        vec![],
        vec![Series::new("train", vec![])],
        vec![Series::new("train", vec![(f64::NAN, 1.0)])],
    ] {
        let svg = line_chart_svg(&chart(empty.clone()));
        let document = parse(&svg);
        let message = with_class(&document, "text", "no-data").map(text_of).collect::<Vec<_>>();
        assert_eq!(message, ["no data"]);
        assert_eq!(with_class(&document, "path", "axes").count(), 1);
        assert!(series(&document).iter().all(|(_, paths, dots)| paths.is_empty() && *dots == 0));
        let legend: Vec<String> = with_class(&document, "g", "legend-item").map(text_of).collect();
        assert_eq!(
            legend,
            empty.iter().map(|s| format!("{} (no data)", s.name)).collect::<Vec<_>>()
        );
        assert_finite_attributes(&svg);
        assert_texts_inside(&svg);
    }
}

#[test]
fn a_log_scale_ticks_powers_of_ten_and_counts_what_it_leaves_out() {
    let points = vec![(0.0, 2.0), (1.0, 0.0), (2.0, 0.05), (3.0, -1.0), (4.0, 0.01)];
    let mut log = chart(vec![Series::new("loss", points)]);
    log.log_y = true;
    let svg = line_chart_svg(&log);
    let document = parse(&svg);
    let y_ticks: Vec<String> = ticks(&document).into_iter().take(4).collect();
    assert_eq!(y_ticks, ["0.01", "0.1", "1", "10"]);
    let note: Vec<String> = with_class(&document, "text", "note").map(text_of).collect();
    assert_eq!(note, ["2 points at or below zero not shown on the logarithmic scale"]);
    assert_finite_attributes(&svg);
    assert_texts_inside(&svg);
}

#[test]
fn names_and_labels_are_escaped() {
    let mut escaped = chart(vec![Series::new("a<b>&c", vec![(0.0, 1.0), (1.0, 2.0)])]);
    escaped.title = "<loss> & \"more\"".into();
    let svg = line_chart_svg(&escaped);
    let document = parse(&svg);
    assert_eq!(
        text_of(with_class(&document, "text", "title").next().unwrap()),
        "<loss> & \"more\""
    );
    assert_eq!(
        with_class(&document, "g", "series").next().unwrap().attribute("data-name"),
        Some("a<b>&c")
    );
}

#[test]
fn series_of_one_colour_differ_by_their_dash_in_line_and_legend() {
    let points: Vec<(f64, f64)> = (0..5).map(|e| (f64::from(e), f64::from(e))).collect();
    let solid = Series::new("sep_conv_3x3", points.clone()).in_colour_of("sep_conv_3x3");
    let dashed = Series::new("sep_conv_5x5", points).in_colour_of("sep_conv_5x5").dashed("6 3");
    let svg = line_chart_svg(&chart(vec![solid, dashed]));
    let document = parse(&svg);
    let dash_of = |node: roxmltree::Node| node.attribute("stroke-dasharray").map(str::to_owned);
    let paths: Vec<_> = with_class(&document, "g", "series")
        .map(|g| {
            let colour = g.attribute("stroke").unwrap().to_owned();
            (colour, dash_of(g.children().find(|n| n.has_tag_name("path")).unwrap()))
        })
        .collect();
    assert_eq!(paths[0].0, paths[1].0, "one family, one colour");
    assert_eq!((paths[0].1.as_deref(), paths[1].1.as_deref()), (None, Some("6 3")));
    let legend: Vec<_> = with_class(&document, "g", "legend-item")
        .map(|g| dash_of(g.children().find(|n| n.has_tag_name("line")).unwrap()))
        .collect();
    assert_eq!(legend, [None, Some("6 3".to_owned())]);
}
