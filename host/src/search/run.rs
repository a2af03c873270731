//! One search from config to genotype, writing a run folder as it goes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use darts_plugin_api::Layout;
use serde::Serialize;
use tch::{nn, Tensor};

use super::architect::{Architect, WeightState};
use super::batches::{batch_indices, gather};
use super::config::SearchConfig;
use super::error::{Result, SearchError};
use super::metrics::{evaluate, Evaluation};
use super::objective::{Batch, HeadKind, Objective};
use super::space::{choose_primitives, intended_layout, load_dataset};
use crate::data::{Dataset, Splits, Standardizer, TaskKind};
use crate::device::pick_device;
use crate::genotype::Genotype;
use crate::optim::{clip_grad_norm, Adam, AdamConfig, CosineSchedule, Sgd, SgdConfig};
use crate::plugins::PluginSet;
use crate::progress::Progress;
use crate::supernet::Supernet;

/// The record of one epoch, one line of `metrics.jsonl`.
#[derive(Debug, Clone, Serialize)]
pub struct EpochRecord {
    /// 1-based.
    pub epoch: usize,
    /// The weight learning rate of the epoch.
    pub lr: f64,
    /// Mean training loss over the epoch's steps (training mode).
    pub train_loss: f64,
    /// Loss and metrics on the validation half (evaluation mode).
    pub valid: Evaluation,
    /// softmax(alpha) of normal cells, `[edges][primitives]`.
    pub alphas_normal: Vec<Vec<f64>>,
    /// softmax(alpha) of reduction cells, `[edges][primitives]`; empty without them.
    pub alphas_reduce: Vec<Vec<f64>>,
    /// The genotype derived after the epoch.
    pub genotype: Genotype,
    /// Wall-clock seconds of the epoch.
    pub seconds: f64,
}

/// What a finished search leaves.
#[derive(Debug)]
pub struct SearchOutcome {
    /// The run folder.
    pub dir: PathBuf,
    /// The genotype after the last epoch.
    pub genotype: Genotype,
    /// The genotype of the epoch with the best validation score.
    pub best_genotype: Genotype,
    /// Every epoch's record.
    pub epochs: Vec<EpochRecord>,
}

/// The facts about a run that are not config: written to `run.json`.
#[derive(Debug, Serialize)]
struct RunInfo {
    plugins: Vec<PluginInfo>,
    primitives: Vec<String>,
    dataset: String,
    layout: String,
    input_shape: Vec<i64>,
    tasks: Vec<String>,
    examples: ExampleCounts,
    device: String,
    weight_parameters: i64,
}

#[derive(Debug, Serialize)]
struct PluginInfo {
    name: String,
    version: String,
    path: String,
}

#[derive(Debug, Serialize)]
struct ExampleCounts {
    train: usize,
    valid: usize,
    test: usize,
}

/// Runs a search as `config` says over `plugins`, writing into `dir`: `config.toml` (the
/// resolved config), `run.json`, `metrics.jsonl` (one [`EpochRecord`] per line, written as
/// each epoch ends), and at the end `genotype.json`, `genotype.txt`, `best_genotype.json`
/// and `best_genotype.txt`.
pub fn run_search(
    config: &SearchConfig,
    plugins: &PluginSet,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<SearchOutcome> {
    config.validate()?;

    // Data and search space; nothing is written before they are known to be good.
    let layout = intended_layout(config, plugins)?;
    let data = load_dataset(config, layout)?;
    let primitives = choose_primitives(config, plugins, data.layout)?;
    check_shape(config, &data)?;
    if config.threads > 0 {
        tch::set_num_threads(config.threads as i32);
    }
    let (device, why) = pick_device(config.device).map_err(SearchError::Device)?;
    tracing::info!("device: {why}");

    let search_share = 1.0 - config.test_fraction;
    let splits = Splits::new(
        search_share * config.train_portion,
        search_share * (1.0 - config.train_portion),
        config.test_fraction,
    );
    let (train, valid, test) = data.split(splits, config.seed)?;
    let (train, valid) = if data.layout == Layout::Flat {
        let standardizer = Standardizer::fit(&train)?;
        (standardizer.apply(&train)?, standardizer.apply(&valid)?)
    } else {
        (train, valid)
    };
    let objective = objective_for(&config.task_weights, &data)?;

    // The supernet, its weights in `store` and its alphas beside them.
    tch::manual_seed(config.seed as i64);
    let store = nn::VarStore::new(device);
    let supernet_config = config.supernet(
        data.layout,
        data.input_shape(),
        objective.heads.iter().map(|head| head.outputs()).collect(),
        primitives.clone(),
    );
    let net = Supernet::new(&store.root(), plugins, supernet_config)?;
    let weights: Vec<Tensor> = store.trainable_variables();
    let buffers: Vec<Tensor> =
        store.variables().into_values().filter(|v| !v.requires_grad()).collect();
    let parameter_count: i64 = weights.iter().map(|w| w.numel() as i64).sum();
    tracing::info!(
        primitives = primitives.len(),
        parameters = parameter_count,
        "supernet of {} cells, {} channels, {} nodes over {}",
        config.cells,
        config.channels,
        config.nodes,
        primitives.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    );

    // Optimizers: SGD with a cosine schedule for the weights, Adam for the alphas.
    let mut sgd = Sgd::new(
        weights.iter().map(Tensor::shallow_clone).collect(),
        SgdConfig { momentum: config.momentum, weight_decay: config.weight_decay },
    );
    let adam = Adam::new(
        net.alphas().iter().map(|a| a.shallow_clone()).collect(),
        AdamConfig {
            lr: config.arch_lr,
            betas: (config.arch_betas[0], config.arch_betas[1]),
            weight_decay: config.arch_weight_decay,
            eps: 1e-8,
        },
    );
    let mut architect = Architect::new(adam, config.order);
    let schedule = CosineSchedule { max: config.lr, min: config.lr_min, epochs: config.epochs };

    // The run folder: config and facts first, metrics as epochs end.
    fs::create_dir_all(dir).map_err(|source| write_error(dir, source))?;
    progress(Progress::Started { dir: dir.to_path_buf() });
    let resolved = SearchConfig {
        dataset: data.name.clone(),
        primitives: primitives.iter().map(ToString::to_string).collect(),
        ..config.clone()
    };
    write(dir, "config.toml", &resolved.to_toml())?;
    let info = RunInfo {
        plugins: plugins
            .plugins()
            .iter()
            .map(|p| PluginInfo {
                name: p.name.clone(),
                version: p.version.clone(),
                path: p.path.display().to_string(),
            })
            .collect(),
        primitives: resolved.primitives.clone(),
        dataset: data.name.clone(),
        layout: data.layout.to_string(),
        input_shape: data.input_shape(),
        tasks: data.tasks.iter().map(|t| t.name.clone()).collect(),
        examples: ExampleCounts { train: train.len(), valid: valid.len(), test: test.len() },
        device: format!("{device:?}"),
        weight_parameters: parameter_count,
    };
    write(dir, "run.json", &serde_json::to_string_pretty(&info).expect("serializable"))?;
    let metrics_path = dir.join("metrics.jsonl");
    let mut metrics_file =
        fs::File::create(&metrics_path).map_err(|source| write_error(&metrics_path, source))?;

    let mut records: Vec<EpochRecord> = Vec::with_capacity(config.epochs);
    let mut best: Option<(f64, Genotype)> = None;
    for epoch in 0..config.epochs {
        let started = Instant::now();
        let lr = schedule.at(epoch);
        let train_batches =
            batch_indices(train.len(), config.batch_size, Some((config.seed, 2 * epoch as u64)));
        let valid_batches = batch_indices(
            valid.len(),
            config.batch_size,
            Some((config.seed, 2 * epoch as u64 + 1)),
        );
        let steps = train_batches.len().min(valid_batches.len());
        progress(Progress::EpochStart { epoch: epoch + 1, epochs: config.epochs, steps });

        let mut loss_sum = 0.0;
        for (train_indices, valid_indices) in train_batches.iter().zip(&valid_batches) {
            let train_batch = gather(&train, train_indices, device);
            let valid_batch = gather(&valid, valid_indices, device);

            let loss = search_step(
                &net,
                &objective,
                &mut architect,
                &mut sgd,
                &StepSettings { lr, grad_clip: config.grad_clip, buffers: &buffers },
                &train_batch,
                &valid_batch,
            )?;
            loss_sum += loss;
            tracing::trace!(epoch = epoch + 1, loss, "step");
            progress(Progress::Step { loss });
        }

        let evaluation =
            evaluate(|xs| net.forward_t(xs, false), &valid, &objective, config.batch_size, device)?;
        let genotype = net.genotype()?;
        let [alphas_normal, alphas_reduce] = net.alpha_weights();
        let record = EpochRecord {
            epoch: epoch + 1,
            lr,
            train_loss: loss_sum / steps.max(1) as f64,
            valid: evaluation,
            alphas_normal,
            alphas_reduce: if net.has_reduction() { alphas_reduce } else { Vec::new() },
            genotype: genotype.clone(),
            seconds: started.elapsed().as_secs_f64(),
        };
        progress(Progress::EpochEnd);

        let line = serde_json::to_string(&record).expect("serializable");
        writeln!(metrics_file, "{line}").map_err(|source| write_error(&metrics_path, source))?;
        let changed = records.last().is_none_or(|last| last.genotype != genotype);
        tracing::info!(
            "epoch {}/{}: lr {:.5} train loss {:.4} valid {} ({:.1}s){}",
            epoch + 1,
            config.epochs,
            lr,
            record.train_loss,
            record.valid.summary(),
            record.seconds,
            if changed { "; genotype changed" } else { "" }
        );
        if changed {
            tracing::debug!("genotype: {genotype}");
        }
        let score = record.valid.score();
        if best.as_ref().is_none_or(|(best_score, _)| score > *best_score) {
            best = Some((score, genotype.clone()));
        }
        records.push(record);
    }

    let genotype = records.last().map(|r| r.genotype.clone()).expect("at least one epoch");
    let best_genotype = best.map(|(_, g)| g).expect("at least one epoch");
    write(dir, "genotype.json", &genotype.to_json())?;
    write(dir, "genotype.txt", &format!("{genotype}\n"))?;
    write(dir, "best_genotype.json", &best_genotype.to_json())?;
    write(dir, "best_genotype.txt", &format!("{best_genotype}\n"))?;
    Ok(SearchOutcome { dir: dir.to_path_buf(), genotype, best_genotype, epochs: records })
}

/// The per-step settings of [`search_step`].
pub struct StepSettings<'a> {
    /// The weight learning rate (also the `xi` of the unrolled architecture step).
    pub lr: f64,
    /// Maximum global norm of the weight gradient.
    pub grad_clip: f64,
    /// The network's buffers, which the architecture step leaves as it found them.
    pub buffers: &'a [Tensor],
}

/// One search step: the architecture step on `train` and `valid` at the current weights,
/// then a clipped SGD step of the weights on `train`. Returns the training loss.
pub fn search_step(
    net: &Supernet,
    objective: &Objective,
    architect: &mut Architect,
    sgd: &mut Sgd,
    settings: &StepSettings<'_>,
    train: &Batch,
    valid: &Batch,
) -> Result<f64> {
    let state = WeightState { optimizer: sgd, lr: settings.lr, buffers: settings.buffers };
    architect.step(net, objective, &state, train, valid)?;

    sgd.zero_grad();
    let outputs = net.forward_fixed_alphas(&train.inputs, true)?;
    let loss = objective.loss(&outputs, &train.targets);
    loss.backward();
    clip_grad_norm(sgd.parameters(), settings.grad_clip);
    sgd.step(settings.lr);
    Ok(loss.double_value(&[]))
}

/// The objective of `data`'s tasks with `task_weights` (empty for equal weights); shared
/// by the search and by training.
pub(crate) fn objective_for(task_weights: &[f64], data: &Dataset) -> Result<Objective> {
    let heads = data
        .tasks
        .iter()
        .map(|task| match task.kind {
            TaskKind::Classification { classes } => {
                HeadKind::Classification { classes: classes as i64 }
            }
            TaskKind::Regression => HeadKind::Regression,
        })
        .collect();
    let mut objective = Objective::new(heads);
    if !task_weights.is_empty() {
        if task_weights.len() != data.tasks.len() {
            return Err(SearchError::Space(format!(
                "task_weights has {} values but the data set {} has {} tasks ({})",
                task_weights.len(),
                data.name,
                data.tasks.len(),
                data.tasks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
        objective.weights = task_weights.to_vec();
    }
    Ok(objective)
}

/// Refuses network sizes the data cannot take: reduction cells halve the spatial axes
/// twice and need even sizes (and even channels for the factorized reduce).
fn check_shape(config: &SearchConfig, data: &Dataset) -> Result<()> {
    if data.layout == Layout::Flat {
        return Ok(());
    }
    let mut problems = Vec::new();
    if config.channels % 2 != 0 {
        problems.push(format!(
            "channels must be even for the {} layout, not {}",
            data.layout, config.channels
        ));
    }
    let shape = data.input_shape();
    for &size in shape.iter().skip(1) {
        if size % 4 != 0 {
            problems.push(format!(
                "the spatial size {size} of {} ({shape:?}) must be a multiple of 4 for the two \
                 reduction cells",
                data.name
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SearchError::Space(problems.join("; ")))
    }
}

/// Writes `contents` to `dir/name`, naming the file on failure.
pub(crate) fn write(dir: &Path, name: &str, contents: &str) -> Result<()> {
    let path = dir.join(name);
    fs::write(&path, contents).map_err(|source| write_error(&path, source))
}

/// A failed write of `path`.
pub(crate) fn write_error(path: &Path, source: std::io::Error) -> SearchError {
    SearchError::Write { path: path.display().to_string(), source }
}
