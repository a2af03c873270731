//! `darts-host predict`: a trained model's predictions for new inputs.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use darts_host::data::{read_inputs_npy, write_npy};
use darts_host::model::{load_model, LoadedModel, TaskInfo};
use darts_host::plugins::PluginSet;
use tch::{Kind, Tensor};

use crate::cli::PredictArgs;
use crate::UsageError;

/// Examples per forward pass.
const BATCH: i64 = 256;

/// Loads the model, reads and checks the inputs, predicts and writes the result.
pub fn run(plugins: &PluginSet, args: &PredictArgs) -> Result<()> {
    let model = load_model(&args.model, plugins)?;
    let inputs = read_inputs(&args.input, &model)?;
    let outputs = model.predict(&inputs, BATCH)?;
    tracing::info!("predicted {} examples", inputs.size()[0]);

    match &args.output {
        Some(path) if path.extension().is_some_and(|e| e == "npy") => {
            if outputs.len() != 1 {
                return Err(UsageError(format!(
                    "the model has {} tasks; an .npy file holds one, so write --output as .csv",
                    outputs.len()
                ))
                .into());
            }
            let values = prediction_values(&model.info.tasks[0], &outputs[0]);
            write_npy(path, &values).with_context(|| format!("writing {}", path.display()))?;
        }
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            write_csv(std::io::BufWriter::new(file), &model.info.tasks, &outputs)?;
        }
        None => write_csv(std::io::stdout().lock(), &model.info.tasks, &outputs)?,
    }
    Ok(())
}

/// The inputs as float32 `[N, ...]`, refused unless their shape is the model's.
fn read_inputs(path: &Path, model: &LoadedModel) -> Result<Tensor> {
    let expected = &model.info.input_shape;
    let inputs = match path.extension().and_then(|e| e.to_str()) {
        Some("npy") => read_inputs_npy(path)?.1,
        Some("csv") => read_csv_inputs(path)?,
        _ => {
            return Err(UsageError(format!(
                "--input {} must be a .csv or .npy file",
                path.display()
            ))
            .into())
        }
    };
    let shape: Vec<i64> = inputs.size().into_iter().skip(1).collect();
    if &shape != expected {
        return Err(UsageError(format!(
            "{} holds examples of shape {shape:?}, but the model expects {expected:?} ({} layout)",
            path.display(),
            model.info.layout
        ))
        .into());
    }
    Ok(inputs)
}

/// A CSV file of numbers with a header row: `[rows, columns]`.
fn read_csv_inputs(path: &Path) -> Result<Tensor> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|err| UsageError(format!("cannot read {}: {err}", path.display())))?;
    let columns =
        reader.headers().map_err(|err| UsageError(format!("{}: {err}", path.display())))?.len();
    let mut values = Vec::new();
    let mut rows = 0i64;
    for (index, record) in reader.records().enumerate() {
        // Row 1 is the header.
        let row = index + 2;
        let record =
            record.map_err(|err| UsageError(format!("{} row {row}: {err}", path.display())))?;
        for (column, cell) in record.iter().enumerate() {
            let value: f32 =
                cell.parse().ok().filter(|v: &f32| v.is_finite()).ok_or_else(|| {
                    UsageError(format!(
                        "{} row {row}, column {}: `{cell}` is not a finite number",
                        path.display(),
                        column + 1
                    ))
                })?;
            values.push(value);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(UsageError(format!("{} has a header but no rows", path.display())).into());
    }
    Ok(Tensor::from_slice(&values).view([rows, columns as i64]))
}

/// Class indices (int64) for a classification head, values (float32) for a regression one.
fn prediction_values(task: &TaskInfo, output: &Tensor) -> Tensor {
    if task.kind == "classification" {
        output.argmax(-1, false)
    } else {
        output.squeeze_dim(-1).to_kind(Kind::Float)
    }
}

/// One row per example: for each task its prediction, and for a classification task the
/// probability of each class.
fn write_csv(mut out: impl Write, tasks: &[TaskInfo], outputs: &[Tensor]) -> Result<()> {
    let mut header = Vec::new();
    for task in tasks {
        header.push(task.name.clone());
        if task.kind == "classification" {
            header.extend((0..task.outputs).map(|k| format!("{}_p{k}", task.name)));
        }
    }
    writeln!(out, "{}", header.join(","))?;

    let rows = outputs.first().map_or(0, |o| o.size()[0]);
    let columns: Vec<(Tensor, Option<Tensor>)> = tasks
        .iter()
        .zip(outputs)
        .map(|(task, output)| {
            let probabilities =
                (task.kind == "classification").then(|| output.softmax(-1, Kind::Double));
            (prediction_values(task, output).to_kind(Kind::Double), probabilities)
        })
        .collect();
    for row in 0..rows {
        let mut cells = Vec::new();
        for ((value, probabilities), task) in columns.iter().zip(tasks) {
            let value = value.double_value(&[row]);
            match probabilities {
                Some(p) => {
                    cells.push(format!("{}", value as i64));
                    cells.extend(
                        (0..task.outputs).map(|k| format!("{:.6}", p.double_value(&[row, k]))),
                    );
                }
                None => cells.push(format!("{value}")),
            }
        }
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}
