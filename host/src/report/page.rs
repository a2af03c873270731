//! The report page of one or more run folders: the facts of each run, the genotype found and
//! trained, learning curves, the trajectories of the architecture weights, the test metrics
//! and the configs, in one self-contained HTML file.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use darts_report::{
    alphas_heatmap_svg, alphas_svg, cell_svg, darts_edge_names, line_chart_svg,
    primitive_line_styles, AlphaHistory, FigureKind, LineChart, Page, Series,
};

use super::drawing::{cell_drawings, cell_title, edge_label, mixes_plugins};
use super::error::{ReportError, Result};
use super::run_folder::{RunFolder, SearchRun, TrainRun};
use crate::genotype::{bare_name, Genotype};
use crate::search::{Evaluation, TaskMetrics};

/// Reads the run folders `dirs` (searches and training runs, in any order) and writes their
/// report page to `out`.
pub fn write_report<P: AsRef<Path>>(dirs: &[P], out: &Path) -> Result<()> {
    let runs = dirs.iter().map(|dir| RunFolder::read(dir.as_ref())).collect::<Result<Vec<_>>>()?;
    let html = report_page(&runs)?.render();
    fs::write(out, html).map_err(|source| ReportError::Write { path: out.to_path_buf(), source })
}

/// The report page of `runs`: the searches' sections first, then the training runs', then
/// the configs.
pub fn report_page(runs: &[RunFolder]) -> Result<Page> {
    let searches: Vec<&SearchRun> = runs
        .iter()
        .filter_map(|run| match run {
            RunFolder::Search(search) => Some(search),
            RunFolder::Train(_) => None,
        })
        .collect();
    let trainings: Vec<&TrainRun> = runs
        .iter()
        .filter_map(|run| match run {
            RunFolder::Train(train) => Some(train),
            RunFolder::Search(_) => None,
        })
        .collect();

    let mut page = Page::new(title(&searches, &trainings));
    page.paragraph(&format!(
        "Written by darts-host {} from {}. Every figure is drawn from the run folders' text \
         files (metrics.jsonl, genotype.json, run.json, model.json, metrics.json).",
        env!("CARGO_PKG_VERSION"),
        runs.iter().map(|run| run.dir().display().to_string()).collect::<Vec<_>>().join(", ")
    ));
    for search in &searches {
        let name = run_name("Search", &search.dir, searches.len());
        search_sections(&mut page, search, &name)?;
    }
    for train in &trainings {
        let name = run_name("Training", &train.dir, trainings.len());
        let searched = searches.iter().find_map(|search| search.genotype.as_ref());
        train_sections(&mut page, train, &name, searched)?;
    }
    page.section("Configs");
    for run in runs {
        let (path, text) = match run {
            RunFolder::Search(search) => (search.dir.join("config.toml"), &search.config),
            RunFolder::Train(train) => (train.dir.join("config.toml"), &train.config),
        };
        page.paragraph(&format!("{}: pass it to --config to repeat the run.", path.display()));
        page.preformatted(text.trim_end());
    }
    Ok(page)
}

/// The page's title: "DARTS report: search and training on digits".
fn title(searches: &[&SearchRun], trainings: &[&TrainRun]) -> String {
    let mut datasets: Vec<String> = searches
        .iter()
        .filter_map(|search| search.dataset().map(str::to_owned))
        .chain(trainings.iter().filter_map(|train| train.dataset()))
        .collect();
    datasets.dedup();
    let what = match (searches.is_empty(), trainings.is_empty()) {
        (false, false) => "search and training",
        (false, true) => "search",
        _ => "training",
    };
    if datasets.is_empty() {
        format!("DARTS report: {what}")
    } else {
        format!("DARTS report: {what} on {}", datasets.join(", "))
    }
}

/// "Search", or "Search (folder)" when the page holds `count` runs of its kind.
fn run_name(kind: &str, dir: &Path, count: usize) -> String {
    if count > 1 {
        let folder = dir
            .file_name()
            .map_or_else(|| dir.display().to_string(), |name| name.to_string_lossy().into_owned());
        format!("{kind} ({folder})")
    } else {
        kind.to_owned()
    }
}

/// The sections of a search: facts, genotype, curves, architecture weights.
fn search_sections(page: &mut Page, search: &SearchRun, name: &str) -> Result<()> {
    let config = Config::parse(&search.config);
    let drawing_error = |source| ReportError::Drawing { dir: search.dir.clone(), source };

    page.section(&format!("{name}: the run"));
    page.key_values(&search_facts(search, &config));

    page.section(&format!("{name}: the genotype found"));
    let prefix = if name == "Search" { String::new() } else { name.to_owned() };
    match &search.genotype {
        None => {
            page.paragraph("No epoch has finished yet, so there is no genotype to draw.");
        }
        Some(genotype) => {
            let last = search.epochs.last().map_or(0, |record| record.epoch);
            page.paragraph(&if search.finished {
                format!(
                    "The genotype derived from the architecture weights after the last epoch \
                     ({last}), kept in genotype.json: for every intermediate node the two \
                     strongest edges, each with its strongest primitive other than none."
                )
            } else {
                format!(
                    "The search has not finished: the genotype derived after its last finished \
                     epoch ({last})."
                )
            });
            page.paragraph(CELL_LEGEND);
            let when = format!("after epoch {last}");
            genotype_figures(page, genotype, &prefix, &when).map_err(drawing_error)?;
            page.preformatted(&genotype_text(genotype));
            if let Some(best) = search.best() {
                let summary = best.valid.summary();
                if &best.genotype == genotype {
                    page.paragraph(&format!(
                        "The best validation score came at epoch {} ({summary}); its genotype is \
                         the one above.",
                        best.epoch
                    ));
                } else {
                    page.paragraph(&format!(
                        "The best validation score came at epoch {} ({summary}), whose genotype \
                         differs (best_genotype.json):",
                        best.epoch
                    ));
                    let best_prefix = join_prefix(&prefix, &format!("best, epoch {}", best.epoch));
                    let when = format!("of epoch {}, the best", best.epoch);
                    genotype_figures(page, &best.genotype, &best_prefix, &when)
                        .map_err(drawing_error)?;
                    page.preformatted(&genotype_text(&best.genotype));
                }
            }
        }
    }

    page.section(&format!("{name}: learning curves"));
    let curves: Vec<(usize, f64, &Evaluation)> =
        search.epochs.iter().map(|r| (r.epoch, r.train_loss, &r.valid)).collect();
    page.paragraph(
        "The training loss is the mean over each epoch's steps on the half of the data that \
         trains the weights; the validation figures are measured after each epoch, in \
         evaluation mode, on the half that trains the alphas.",
    );
    curve_figures(page, &curves, "search");

    page.section(&format!("{name}: architecture weights"));
    page.paragraph(&format!(
        "softmax(alpha) of every edge of the supernet's cells, per epoch: the mean over the \
         edges, one small plot per edge with one line per primitive, and the last epoch's \
         weights as a table. The weights start uniform, at 1/{} each; a search that collapses \
         shows as skip_connect or none rising on most edges.",
        search.primitives.len()
    ));
    let qualified = mixes(&search.primitives);
    let primitives: Vec<String> =
        search.primitives.iter().map(|p| edge_label(p, qualified).to_owned()).collect();
    let cells = [
        ("normal", search.epochs.iter().map(|r| r.alphas_normal.clone()).collect::<Vec<_>>()),
        ("reduction", search.epochs.iter().map(|r| r.alphas_reduce.clone()).collect()),
    ];
    let mut drawn = false;
    for (cell, weights) in cells {
        if weights.iter().all(Vec::is_empty) {
            continue;
        }
        let rows = weights.first().map_or(0, Vec::len);
        let history = AlphaHistory {
            cell: join_prefix(&prefix, cell),
            primitives: primitives.clone(),
            epochs: search.epochs.iter().map(|r| r.epoch).collect(),
            weights,
            edge_names: edge_names(rows),
        };
        page.figure(
            FigureKind::Alphas,
            &line_chart_svg(&mean_weights_chart(&history)),
            &format!(
                "The {cell} cell's architecture weights averaged over its edges, per primitive \
                 (the y axis is scaled to the data)."
            ),
        );
        let grid = alphas_svg(&history).map_err(drawing_error)?;
        page.svg(
            &grid,
            &format!(
                "The {cell} cell's architecture weights per edge and epoch, on one axis for all \
                 plots: 0 to 1 once the weights spread over half of it, else the range they \
                 cover."
            ),
        );
        let table = alphas_heatmap_svg(&history).map_err(drawing_error)?;
        page.svg(
            &table,
            &format!(
                "The {cell} cell's architecture weights after the last epoch; outlined: the \
                 primitive each edge keeps."
            ),
        );
        drawn = true;
    }
    if !drawn {
        page.paragraph("No epoch has finished yet, so there are no architecture weights.");
    }
    Ok(())
}

/// The sections of a training run: facts, genotype, curves, test metrics. `searched` is the
/// final genotype of a search on the same page, drawn already.
fn train_sections(
    page: &mut Page,
    train: &TrainRun,
    name: &str,
    searched: Option<&Genotype>,
) -> Result<()> {
    let config = Config::parse(&train.config);
    let drawing_error = |source| ReportError::Drawing { dir: train.dir.clone(), source };

    page.section(&format!("{name}: the run"));
    page.key_values(&train_facts(train, &config));

    page.section(&format!("{name}: the genotype trained"));
    let same = searched.is_some_and(|genotype| same_genotype(genotype, &train.genotype));
    if same {
        page.paragraph("The genotype trained is the search's final genotype, drawn above.");
    } else {
        let prefix = if name == "Training" { "trained".to_owned() } else { name.to_owned() };
        page.paragraph(CELL_LEGEND);
        genotype_figures(page, &train.genotype, &prefix, "trained").map_err(drawing_error)?;
    }
    page.preformatted(&genotype_text(&train.genotype));

    page.section(&format!("{name}: learning curves"));
    let curves: Vec<(usize, f64, &Evaluation)> =
        train.epochs.iter().map(|r| (r.epoch, r.train_loss, &r.valid)).collect();
    page.paragraph(&format!(
        "The evaluation network trained from scratch on the training split{}; the validation \
         figures are measured after each epoch.",
        if train.model.auxiliary {
            " (the training loss includes the auxiliary head's weighted loss)"
        } else {
            ""
        }
    ));
    curve_figures(page, &curves, "training");

    page.section(&format!("{name}: test metrics"));
    match &train.test {
        None => {
            page.paragraph("Training has not finished: there are no test figures (metrics.json).");
        }
        Some(test) => {
            page.paragraph(&format!(
                "On the held-out test split, never seen by the search or the training, after \
                 the last epoch: weighted loss {:.4}.",
                test.loss
            ));
            test_table(page, test);
        }
    }
    Ok(())
}

/// Draws both cells of `genotype`, each as a figure captioned "The normal cell {when}.".
fn genotype_figures(
    page: &mut Page,
    genotype: &Genotype,
    prefix: &str,
    when: &str,
) -> std::result::Result<(), darts_report::ReportError> {
    for ((kind, _), drawing) in genotype.cells().zip(cell_drawings(genotype, prefix)) {
        let svg = cell_svg(&drawing)?;
        page.svg(&svg, &format!("The {} {when}.", cell_title(kind, "")));
    }
    Ok(())
}

/// The genotype in the text form of the authors' code, one node's pair of edges per line;
/// primitives bare unless the genotype mixes plugins, as in the drawings.
fn genotype_text(genotype: &Genotype) -> String {
    let qualified = mixes_plugins(genotype);
    let mut out = String::from("Genotype(\n");
    for (kind, cell) in genotype.cells() {
        let _ = writeln!(out, "    {kind}=[");
        for pair in cell.node_edges() {
            let edges: Vec<String> = pair
                .iter()
                .map(|edge| {
                    format!("('{}', {})", edge_label(&edge.primitive, qualified), edge.input)
                })
                .collect();
            let _ = writeln!(out, "        {},", edges.join(", "));
        }
        let concat: Vec<String> = cell.concat.iter().map(usize::to_string).collect();
        let _ = writeln!(out, "    ],\n    {kind}_concat=[{}],", concat.join(", "));
    }
    out.push(')');
    out
}

/// The learning-curve charts of `curves` (epoch, training loss, validation figures): the
/// losses, then the validation metrics of the tasks, grouped by kind.
fn curve_figures(page: &mut Page, curves: &[(usize, f64, &Evaluation)], what: &str) {
    if curves.is_empty() {
        page.paragraph("No epoch has finished yet.");
        return;
    }
    let x = |epoch: usize| epoch as f64;
    let mut losses = vec![
        Series::new("training loss", curves.iter().map(|(e, l, _)| (x(*e), *l)).collect()),
        Series::new("validation loss", curves.iter().map(|(e, _, v)| (x(*e), v.loss)).collect()),
    ];
    let tasks: Vec<String> =
        curves[0].2.tasks.iter().map(|task| task.task.clone()).collect::<Vec<_>>();
    if tasks.len() > 1 {
        for (i, task) in tasks.iter().enumerate() {
            let points = curves
                .iter()
                .filter_map(|(e, _, v)| v.tasks.get(i).map(|t| (x(*e), t.loss)))
                .collect();
            losses.push(Series::new(format!("validation loss, {task}"), points));
        }
    }
    let chart = LineChart {
        title: format!("{} loss per epoch", capitalized(what)),
        x_label: "epoch".to_owned(),
        y_label: "loss (log scale)".to_owned(),
        series: losses,
        log_y: true,
    };
    page.svg(&line_chart_svg(&chart), &format!("The {what}'s losses per epoch."));

    // One chart per kind of metric, a line per task that has it.
    for MetricKind { kind, y_label, log_y, metrics } in METRIC_KINDS {
        let mut series = Vec::new();
        for (i, task) in tasks.iter().enumerate() {
            for (metric, value) in metrics.iter() {
                let points: Vec<(f64, f64)> = curves
                    .iter()
                    .filter_map(|(e, _, v)| v.tasks.get(i).and_then(value).map(|y| (x(*e), y)))
                    .collect();
                if !points.is_empty() {
                    series.push(Series::new(format!("{task} {metric}"), points));
                }
            }
        }
        if series.is_empty() {
            continue;
        }
        let chart = LineChart {
            title: format!("Validation {kind} per epoch"),
            x_label: "epoch".to_owned(),
            y_label: (*y_label).to_owned(),
            series,
            log_y: *log_y,
        };
        page.svg(&line_chart_svg(&chart), &format!("The {what}'s validation {kind} per epoch."));
    }
}

/// What the cell drawings show, said once above them.
const CELL_LEGEND: &str = "In a cell, c_{k-2} and c_{k-1} are the outputs of the two cells \
before it; every intermediate node sums its two kept edges, each a primitive applied to an \
earlier state; the output c_{k} concatenates the intermediate nodes.";

/// The mean of every primitive's weight over the edges of `history`'s cell, per epoch.
fn mean_weights_chart(history: &AlphaHistory) -> LineChart {
    let styles = primitive_line_styles(&history.primitives);
    let series = history
        .primitives
        .iter()
        .zip(styles)
        .enumerate()
        .map(|(column, (primitive, (_, dash)))| {
            let points = history
                .epochs
                .iter()
                .zip(&history.weights)
                .map(|(&epoch, rows)| {
                    let sum: f64 = rows.iter().filter_map(|row| row.get(column)).sum();
                    (epoch as f64, sum / rows.len().max(1) as f64)
                })
                .collect();
            Series::new(primitive.clone(), points).in_colour_of(primitive).dashed(dash)
        })
        .collect();
    LineChart {
        title: format!("{} cell: mean architecture weight per primitive", history.cell),
        x_label: "epoch".to_owned(),
        y_label: "mean softmax(alpha)".to_owned(),
        series,
        log_y: false,
    }
}

/// One metric of a task, if the task has it.
type Metric = fn(&TaskMetrics) -> Option<f64>;

/// A kind of validation metric, charted together: its name, the y axis and the metrics.
struct MetricKind {
    /// The name in the chart's title.
    kind: &'static str,
    /// The label of the y axis.
    y_label: &'static str,
    /// Whether the y axis is logarithmic.
    log_y: bool,
    /// The metrics charted, each with its name in the legend.
    metrics: &'static [(&'static str, Metric)],
}

/// The validation metrics charted after the losses: classification, then regression.
const METRIC_KINDS: &[MetricKind] = &[
    MetricKind {
        kind: "accuracy",
        y_label: "accuracy",
        log_y: false,
        metrics: &[("accuracy", |t| t.accuracy), ("top-5", |t| t.top5)],
    },
    MetricKind {
        kind: "error",
        y_label: "error (log scale)",
        log_y: true,
        metrics: &[("MSE", |t| t.mse), ("MAE", |t| t.mae)],
    },
    MetricKind { kind: "R²", y_label: "R²", log_y: false, metrics: &[("R²", |t| t.r2)] },
];

/// A table of the test figures, one row per task, one column per metric any task has.
fn test_table(page: &mut Page, test: &Evaluation) {
    let columns: [(&str, Metric); 6] = [
        ("loss", |t| Some(t.loss)),
        ("accuracy", |t| t.accuracy),
        ("top-5 accuracy", |t| t.top5),
        ("MSE", |t| t.mse),
        ("MAE", |t| t.mae),
        ("R²", |t| t.r2),
    ];
    let present: Vec<&(&str, Metric)> = columns
        .iter()
        .filter(|(_, value)| test.tasks.iter().any(|task| value(task).is_some()))
        .collect();
    let mut headers = vec!["task"];
    headers.extend(present.iter().map(|(name, _)| *name));
    let rows: Vec<Vec<String>> = test
        .tasks
        .iter()
        .map(|task| {
            let mut row = vec![task.task.clone()];
            row.extend(
                present
                    .iter()
                    .map(|(_, value)| value(task).map_or_else(String::new, |v| format!("{v:.4}"))),
            );
            row
        })
        .collect();
    page.table(&headers, &rows);
}

/// The facts of a search, for a list of names and values.
fn search_facts(search: &SearchRun, config: &Config) -> Vec<(String, String)> {
    let facts = &search.facts;
    let text = |key: &str| facts.get(key).map(json_text);
    let mut pairs: Vec<(String, String)> =
        vec![("folder".into(), search.dir.display().to_string())];
    let mut push = |key: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            pairs.push((key.to_owned(), value));
        }
    };
    push("data set", text("dataset"));
    push("layout", text("layout"));
    push("input shape", facts.get("input_shape").map(shape_text));
    push("tasks", text("tasks"));
    push(
        "examples",
        facts.get("examples").map(|examples| {
            let count = |key: &str| examples.get(key).map_or_else(|| "?".to_owned(), json_text);
            format!(
                "{} training, {} validation, {} test",
                count("train"),
                count("valid"),
                count("test")
            )
        }),
    );
    push("device", text("device"));
    push("plugins", facts.get("plugins").map(plugins_text));
    push("primitives", Some(search.primitives.join(", ")));
    push(
        "supernet",
        Some(format!(
            "{} cells, {} channels, {} nodes",
            config.value("cells"),
            config.value("channels"),
            config.value("nodes")
        )),
    );
    push("architecture gradient", config.get("order").map(|order| format!("{order} order")));
    push("weight parameters", text("weight_parameters"));
    push("epochs", Some(epochs_text(search.epochs.len(), config)));
    push("time", Some(duration_text(search.epochs.iter().map(|r| r.seconds).sum())));
    push("validation after the last epoch", search.epochs.last().map(|r| r.valid.summary()));
    push(
        "best validation",
        search.best().map(|r| format!("epoch {}: {}", r.epoch, r.valid.summary())),
    );
    pairs
}

/// The facts of a training run, for a list of names and values.
fn train_facts(train: &TrainRun, config: &Config) -> Vec<(String, String)> {
    let model = &train.model;
    let mut pairs: Vec<(String, String)> = vec![
        ("folder".into(), train.dir.display().to_string()),
        ("data set".into(), train.dataset().unwrap_or_else(|| "the default".to_owned())),
        ("layout".into(), model.layout.clone()),
        ("input shape".into(), dims_text(&model.input_shape)),
        (
            "tasks".into(),
            model
                .tasks
                .iter()
                .map(|t| format!("{} ({}, {} outputs)", t.name, t.kind, t.outputs))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "network".into(),
            format!(
                "{} cells, {} channels{}",
                model.cells,
                model.channels,
                if model.auxiliary { ", auxiliary head" } else { "" }
            ),
        ),
        (
            "plugins".into(),
            model
                .plugins
                .iter()
                .map(|p| format!("{} {}", p.name, p.version))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("weight parameters".into(), model.weight_parameters.to_string()),
        ("epochs".into(), epochs_text(train.epochs.len(), config)),
    ];
    for (key, name) in [("batch_size", "batch size"), ("lr", "learning rate")] {
        if let Some(value) = config.get(key) {
            pairs.push((name.to_owned(), value));
        }
    }
    pairs.push(("time".into(), duration_text(train.epochs.iter().map(|r| r.seconds).sum())));
    if let Some(last) = train.epochs.last() {
        pairs.push(("validation after the last epoch".into(), last.valid.summary()));
    }
    if let Some(test) = &train.test {
        pairs.push(("test".into(), test.summary()));
    }
    pairs
}

/// A run's `config.toml`, read for the few values the facts show.
struct Config(toml::Table);

impl Config {
    /// The config of `text`; empty when it is not TOML.
    fn parse(text: &str) -> Config {
        Config(toml::from_str(text).unwrap_or_default())
    }

    /// The value of `key` as text, strings without their quotes.
    fn get(&self, key: &str) -> Option<String> {
        self.0.get(key).map(|value| match value {
            toml::Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }

    /// The value of `key` as text, or `?`.
    fn value(&self, key: &str) -> String {
        self.get(key).unwrap_or_else(|| "?".to_owned())
    }
}

/// "10 of 10", or "10" when the config does not say how many were planned.
fn epochs_text(done: usize, config: &Config) -> String {
    match config.get("epochs") {
        Some(planned) => format!("{done} of {planned}"),
        None => done.to_string(),
    }
}

/// Seconds as "2 min 7 s" or "12.3 s".
fn duration_text(seconds: f64) -> String {
    if seconds >= 60.0 {
        let whole = seconds.round() as u64;
        format!("{} min {} s", whole / 60, whole % 60)
    } else {
        format!("{seconds:.1} s")
    }
}

/// A JSON value as plain text: strings unquoted, lists joined with commas, objects as
/// `key value` pairs.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(json_text).collect::<Vec<_>>().join(", ")
        }
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(key, value)| format!("{key} {}", json_text(value)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A JSON list of sizes as "1 × 8 × 8".
fn shape_text(value: &serde_json::Value) -> String {
    match value.as_array() {
        Some(sizes) => sizes.iter().map(json_text).collect::<Vec<_>>().join(" × "),
        None => json_text(value),
    }
}

/// Sizes as "1 × 8 × 8".
fn dims_text(sizes: &[i64]) -> String {
    sizes.iter().map(i64::to_string).collect::<Vec<_>>().join(" × ")
}

/// The plugins of `run.json` as "conv2d 0.1.0 (libconv2d.so)", separated by semicolons.
///
/// Only the file's name is shown: a page is made to be shared, and the folders of the
/// machine that ran the search are no business of its readers (run.json keeps the path).
fn plugins_text(value: &serde_json::Value) -> String {
    let Some(plugins) = value.as_array() else {
        return json_text(value);
    };
    plugins
        .iter()
        .map(|plugin| {
            let field = |key: &str| plugin.get(key).map(json_text).unwrap_or_default();
            let path = field("path");
            let file = Path::new(&path).file_name().map(|name| name.to_string_lossy());
            let name = format!("{} {}", field("name"), field("version"));
            match file {
                Some(file) => format!("{name} ({file})"),
                None => name,
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Names of the rows of architecture weights: those of a DARTS cell when `rows` is the edge
/// count of one, else "edge 1", "edge 2", ...
fn edge_names(rows: usize) -> Vec<String> {
    let mut nodes = 1;
    while nodes * (nodes + 3) / 2 < rows {
        nodes += 1;
    }
    if nodes * (nodes + 3) / 2 == rows {
        darts_edge_names(nodes)
    } else {
        (1..=rows).map(|edge| format!("edge {edge}")).collect()
    }
}

/// Whether qualified primitive names come from more than one plugin.
fn mixes(primitives: &[String]) -> bool {
    let mut plugins = primitives.iter().map(|name| name.rsplit_once(':').map(|(plugin, _)| plugin));
    let first = plugins.next();
    plugins.any(|plugin| Some(plugin) != first)
}

/// Whether two genotypes name the same primitives on the same edges, qualified or not.
fn same_genotype(a: &Genotype, b: &Genotype) -> bool {
    a == b || {
        let bare = |g: &Genotype| g.map_primitives(|name| bare_name(name).to_owned());
        bare(a) == bare(b)
    }
}

/// `name` after `prefix` and a comma, or `name` alone when `prefix` is empty.
fn join_prefix(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}, {name}")
    }
}

/// `text` with its first letter in upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The paths of the reports the commands write by default: `report.html` in a run folder.
pub fn default_report_path(dir: &Path) -> PathBuf {
    dir.join("report.html")
}

#[cfg(test)]
mod tests {
    use darts_report::AlphaHistory;

    use super::{mean_weights_chart, plugins_text};

    #[test]
    fn plugins_are_shown_by_file_name_without_the_folders_they_were_in() {
        let plugins = serde_json::json!([
            {"name": "conv2d", "version": "0.1.0", "path": "/home/someone/darts/libconv2d.so"},
            {"name": "mine", "version": "2.0.0", "path": ""},
        ]);
        assert_eq!(plugins_text(&plugins), "conv2d 0.1.0 (libconv2d.so); mine 2.0.0");
    }

    #[test]
    fn the_mean_chart_averages_the_edges_and_dashes_a_familys_second_member() {
        let history = AlphaHistory {
            cell: "normal".into(),
            primitives: ["conv2d:sep_conv_3x3", "conv2d:sep_conv_5x5", "conv2d:skip_connect"]
                .map(String::from)
                .into(),
            epochs: vec![1, 2],
            weights: vec![
                vec![vec![0.2, 0.3, 0.5], vec![0.4, 0.3, 0.3]],
                vec![vec![0.1, 0.1, 0.8], vec![0.3, 0.1, 0.6]],
            ],
            edge_names: vec!["c_{k-2} → 0".into(), "c_{k-1} → 0".into()],
        };
        let chart = mean_weights_chart(&history);
        let means: Vec<Vec<f64>> = chart
            .series
            .iter()
            .map(|s| s.points.iter().map(|&(_, y)| (y * 1e6).round() / 1e6).collect())
            .collect();
        assert_eq!(means, [vec![0.3, 0.2], vec![0.3, 0.1], vec![0.4, 0.7]]);
        let (three, five) = (&chart.series[0], &chart.series[1]);
        assert_eq!(three.colour, five.colour, "one family, one colour");
        assert!(three.dash.is_empty() && !five.dash.is_empty(), "{three:?} {five:?}");
    }
}
