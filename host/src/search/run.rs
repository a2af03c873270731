//! One search from config to genotype, writing a run folder as it goes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use darts_plugin_api::Layout;
use serde::{Deserialize, Serialize};
use tch::{nn, Tensor};

use super::architect::{Architect, WeightState};
use super::batches::{batch_indices, gather};
use super::config::SearchConfig;
use super::error::{Result, SearchError};
use super::metrics::{evaluate, Evaluation};
use super::objective::{Batch, HeadKind, Objective};
use super::space::{choose_primitives, intended_layout, load_dataset};
use crate::checkpoint::{self, step_seed, Checkpointer, Fingerprint, Part, Position, Saved};
use crate::data::{Dataset, Splits, Standardizer, TaskKind};
use crate::device::pick_device;
use crate::genotype::Genotype;
use crate::optim::{clip_grad_norm, Adam, AdamConfig, AdamState, CosineSchedule, Sgd, SgdConfig};
use crate::plugins::{PluginSet, PrimitiveId};
use crate::progress::Progress;
use crate::supernet::Supernet;

/// The record of one epoch, one line of `metrics.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// Settings a resumed run may change without changing its results.
pub(crate) const RESUMABLE_SETTINGS: [&str; 3] =
    ["checkpoint_every", "skip_nonfinite", "plugin_sha256"];

/// Runs a search as `config` says over `plugins`, writing into `dir`: `config.toml` (the
/// resolved config), `run.json`, `metrics.jsonl` (one [`EpochRecord`] per line, written as
/// each epoch ends), `checkpoint.safetensors` (after every epoch, and every
/// `checkpoint_every` steps), and at the end `genotype.json`, `genotype.txt`,
/// `best_genotype.json` and `best_genotype.txt`.
pub fn run_search(
    config: &SearchConfig,
    plugins: &PluginSet,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<SearchOutcome> {
    search(config, plugins, dir, false, progress)
}

/// Continues the search whose run folder is `dir` from its checkpoint, as if it had never
/// stopped: on the CPU the alphas, genotypes and metrics come out exactly as those of an
/// uninterrupted run. `config` must be the run's own (its `config.toml`, with at most
/// `checkpoint_every` and `skip_nonfinite` changed); another config, other plugins or other
/// data are refused, naming what differs.
pub fn resume_search(
    config: &SearchConfig,
    plugins: &PluginSet,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<SearchOutcome> {
    search(config, plugins, dir, true, progress)
}

fn search(
    config: &SearchConfig,
    plugins: &PluginSet,
    dir: &Path,
    resume: bool,
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
    check_part_sizes(&data.name, &[("training", &train), ("validation", &valid)])?;
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

    // What fixes the run's results: a checkpoint of another run is refused.
    let resolved = SearchConfig {
        dataset: resolved_dataset(&config.dataset, &data.name),
        primitives: Some(primitives.iter().map(ToString::to_string).collect()),
        ..config.clone()
    };
    let fingerprint = Fingerprint::new()
        .config(&resolved, &RESUMABLE_SETTINGS)
        .with("kind", "search")
        .with("data.examples", data.len())
        .with("data.sha256", data.digest());
    let fingerprint = plugins_used(plugins, &primitives)
        .fold(fingerprint, |f, (name, version)| f.with(format!("plugin.{name}"), version));

    // The run folder: config and facts first, metrics as epochs end; or the checkpoint.
    // A run stopped before its first checkpoint starts again from the beginning: with the
    // same seed that is the same run.
    let resume = resume && checkpoint::exists_in(dir);
    let (mut position, mut records) = if resume {
        let (file, saved) = checkpoint::open::<EpochRecord>(dir, "search", &fingerprint)?;
        checkpoint::restore_store(&store, &file)?;
        checkpoint::restore_list("alphas", &net.alphas().map(|a| a.shallow_clone()), &file)?;
        checkpoint::restore_sgd(&mut sgd, &file)?;
        checkpoint::restore_adam(architect.optimizer_mut(), &file, saved.adam_steps)?;
        progress(Progress::Started { dir: dir.to_path_buf() });
        (saved.position, saved.records)
    } else {
        fs::create_dir_all(dir).map_err(|source| write_error(dir, source))?;
        progress(Progress::Started { dir: dir.to_path_buf() });
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
            primitives: primitives.iter().map(ToString::to_string).collect(),
            dataset: data.name.clone(),
            layout: data.layout.to_string(),
            input_shape: data.input_shape(),
            tasks: data.tasks.iter().map(|t| t.name.clone()).collect(),
            examples: ExampleCounts { train: train.len(), valid: valid.len(), test: test.len() },
            device: format!("{device:?}"),
            weight_parameters: parameter_count,
        };
        write(dir, "run.json", &serde_json::to_string_pretty(&info).expect("serializable"))?;
        (Position::default(), Vec::with_capacity(config.epochs))
    };
    let mut metrics = MetricsFile::create(dir, &records)?;
    let mut checkpointer =
        Checkpointer::new(dir, config.checkpoint_every, resume.then_some(position));
    let save = |checkpointer: &mut Checkpointer,
                position: Position,
                records: &[EpochRecord],
                architect: &Architect,
                sgd: &Sgd|
     -> Result<()> {
        let mut tensors = checkpoint::store_entries(&store);
        tensors
            .extend(checkpoint::list_entries("alphas", &net.alphas().map(|a| a.shallow_clone())));
        tensors.extend(checkpoint::sgd_entries(sgd));
        tensors.extend(checkpoint::adam_entries(architect.optimizer()));
        let saved = Saved {
            format: Saved::<EpochRecord>::FORMAT,
            kind: "search".to_owned(),
            fingerprint: fingerprint.clone(),
            position,
            records: records.to_vec(),
            adam_steps: architect.optimizer().steps(),
        };
        let path = checkpointer.path().to_path_buf();
        checkpointer.save(&tensors, &saved).map_err(|source| write_error(&path, source))
    };

    while position.epoch < config.epochs {
        let epoch = position.epoch;
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
        progress(Progress::EpochStart {
            epoch: epoch + 1,
            epochs: config.epochs,
            steps,
            done: position.step,
        });

        let pairs = train_batches.iter().zip(&valid_batches).enumerate().skip(position.step);
        for (step, (train_indices, valid_indices)) in pairs {
            tch::manual_seed(step_seed(config.seed, epoch, step));
            let train_batch = gather(&train, train_indices, device);
            let valid_batch = gather(&valid, valid_indices, device);
            let undo = (config.skip_nonfinite > 0).then(|| Undo::take(&net, &architect, &buffers));

            let outcome = search_step(
                &net,
                &objective,
                &mut architect,
                &mut sgd,
                &StepSettings { lr, grad_clip: config.grad_clip, buffers: &buffers },
                &train_batch,
                &valid_batch,
            )?;
            position.step = step + 1;
            match outcome {
                StepOutcome::Applied { loss } => {
                    position.loss_sum += loss;
                    position.good_steps += 1;
                    tracing::trace!(epoch = epoch + 1, loss, "step");
                    progress(Progress::Step { loss });
                }
                StepOutcome::NonFinite(part) if position.skipped < config.skip_nonfinite => {
                    if let Some(undo) = undo {
                        undo.apply(&net, &mut architect, &buffers);
                    }
                    sgd.zero_grad();
                    position.skipped += 1;
                    tracing::warn!(
                        "epoch {}, step {}: {part} went non-finite; step skipped ({} of at most \
                         {})",
                        epoch + 1,
                        step + 1,
                        position.skipped,
                        config.skip_nonfinite
                    );
                    progress(Progress::Step { loss: f64::NAN });
                }
                StepOutcome::NonFinite(part) => {
                    return Err(SearchError::NonFinite {
                        epoch: epoch + 1,
                        step: step + 1,
                        part,
                        kept: checkpointer.kept(),
                    });
                }
            }
            if position.step < steps && checkpointer.due_after_step(epoch * steps + step + 1) {
                save(&mut checkpointer, position, &records, &architect, &sgd)?;
            }
        }

        let evaluation =
            evaluate(|xs| net.forward_t(xs, false), &valid, &objective, config.batch_size, device)?;
        if !evaluation.loss.is_finite() {
            return Err(SearchError::NonFinite {
                epoch: epoch + 1,
                step: 0,
                part: Part::Validation,
                kept: checkpointer.kept(),
            });
        }
        let genotype = net.genotype()?;
        let [alphas_normal, alphas_reduce] = net.alpha_weights();
        let record = EpochRecord {
            epoch: epoch + 1,
            lr,
            train_loss: position.loss_sum / position.good_steps.max(1) as f64,
            valid: evaluation,
            alphas_normal,
            alphas_reduce: if net.has_reduction() { alphas_reduce } else { Vec::new() },
            genotype: genotype.clone(),
            seconds: started.elapsed().as_secs_f64(),
        };
        progress(Progress::EpochEnd);

        metrics.append(&record)?;
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
        records.push(record);
        position = Position { epoch: epoch + 1, skipped: position.skipped, ..Position::default() };
        save(&mut checkpointer, position, &records, &architect, &sgd)?;
    }

    let genotype = records.last().map(|r| r.genotype.clone()).expect("at least one epoch");
    let mut best: Option<&EpochRecord> = None;
    for record in &records {
        if best.is_none_or(|b| record.valid.score() > b.valid.score()) {
            best = Some(record);
        }
    }
    let best_genotype = best.map(|r| r.genotype.clone()).expect("at least one epoch");
    write(dir, "genotype.json", &genotype.to_json())?;
    write(dir, "genotype.txt", &format!("{genotype}\n"))?;
    write(dir, "best_genotype.json", &best_genotype.to_json())?;
    write(dir, "best_genotype.txt", &format!("{best_genotype}\n"))?;
    Ok(SearchOutcome { dir: dir.to_path_buf(), genotype, best_genotype, epochs: records })
}

/// The alphas, their Adam state and the BatchNorm statistics before a step, to undo a step
/// that went non-finite.
struct Undo {
    alphas: Vec<Tensor>,
    adam: AdamState,
    buffers: Vec<Tensor>,
}

impl Undo {
    fn take(net: &Supernet, architect: &Architect, buffers: &[Tensor]) -> Undo {
        tch::no_grad(|| Undo {
            alphas: net.alphas().iter().map(|a| a.copy()).collect(),
            adam: architect.optimizer().state(),
            buffers: buffers.iter().map(Tensor::copy).collect(),
        })
    }

    fn apply(self, net: &Supernet, architect: &mut Architect, buffers: &[Tensor]) {
        tch::no_grad(|| {
            for (alpha, saved) in net.alphas().iter().zip(&self.alphas) {
                alpha.shallow_clone().copy_(saved);
            }
            for (buffer, saved) in buffers.iter().zip(&self.buffers) {
                buffer.shallow_clone().copy_(saved);
            }
        });
        architect.optimizer_mut().set_state(self.adam);
    }
}

/// The run's `metrics.jsonl`, one record per line; a resumed run rewrites it from the
/// checkpoint's records, dropping any line of an epoch the checkpoint does not hold.
pub(crate) struct MetricsFile {
    path: PathBuf,
    file: fs::File,
}

impl MetricsFile {
    /// Creates `dir/metrics.jsonl` holding `records`.
    pub(crate) fn create<R: Serialize>(dir: &Path, records: &[R]) -> Result<MetricsFile> {
        let path = dir.join("metrics.jsonl");
        let file = fs::File::create(&path).map_err(|source| write_error(&path, source))?;
        let mut metrics = MetricsFile { path, file };
        for record in records {
            metrics.append(record)?;
        }
        Ok(metrics)
    }

    /// Appends one record as a line.
    pub(crate) fn append<R: Serialize>(&mut self, record: &R) -> Result<()> {
        let line = serde_json::to_string(record).expect("serializable");
        writeln!(self.file, "{line}").map_err(|source| write_error(&self.path, source))
    }
}

/// The data set as a resumed run must find it again: a file as an absolute path, a built-in
/// set by its name.
pub(crate) fn resolved_dataset(given: &str, name: &str) -> String {
    if given.is_empty() {
        return name.to_owned();
    }
    match fs::canonicalize(given) {
        Ok(path) => path.display().to_string(),
        Err(_) => given.to_owned(),
    }
}

/// The name and version of each plugin offering one of `primitives`, once each.
fn plugins_used<'a>(
    plugins: &'a PluginSet,
    primitives: &'a [PrimitiveId],
) -> impl Iterator<Item = (String, String)> + 'a {
    plugins
        .plugins()
        .iter()
        .filter(|p| primitives.iter().any(|id| id.plugin == p.name))
        .map(|p| (p.name.clone(), p.version.clone()))
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

/// What one search step did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepOutcome {
    /// Both updates were applied; the training loss of the step.
    Applied {
        /// The training loss.
        loss: f64,
    },
    /// A loss or gradient of this part was NaN or infinite. For the alphas nothing was
    /// updated; for the weights the alpha update was applied, the weight update was not.
    NonFinite(Part),
}

/// One search step: the architecture step on `train` and `valid` at the current weights,
/// then a clipped SGD step of the weights on `train`. Stops before an update whose loss or
/// gradient is not finite.
pub fn search_step(
    net: &Supernet,
    objective: &Objective,
    architect: &mut Architect,
    sgd: &mut Sgd,
    settings: &StepSettings<'_>,
    train: &Batch,
    valid: &Batch,
) -> Result<StepOutcome> {
    let state = WeightState { optimizer: sgd, lr: settings.lr, buffers: settings.buffers };
    if !architect.step(net, objective, &state, train, valid)? {
        return Ok(StepOutcome::NonFinite(Part::Alphas));
    }

    sgd.zero_grad();
    let outputs = net.forward_fixed_alphas(&train.inputs, true)?;
    let loss = objective.loss(&outputs, &train.targets);
    let value = loss.double_value(&[]);
    if !value.is_finite() {
        return Ok(StepOutcome::NonFinite(Part::Weights));
    }
    loss.backward();
    let norm = clip_grad_norm(sgd.parameters(), settings.grad_clip);
    if !norm.is_finite() {
        return Ok(StepOutcome::NonFinite(Part::Weights));
    }
    sgd.step(settings.lr);
    Ok(StepOutcome::Applied { loss: value })
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

/// Refuses parts of a split too small to train on: BatchNorm in training mode needs at
/// least two examples per batch.
pub(crate) fn check_part_sizes(dataset: &str, parts: &[(&str, &Dataset)]) -> Result<()> {
    let small: Vec<String> = parts
        .iter()
        .filter(|(_, part)| part.len() < 2)
        .map(|(name, part)| format!("the {name} part has {} example(s)", part.len()))
        .collect();
    if small.is_empty() {
        return Ok(());
    }
    Err(SearchError::Space(format!(
        "the data set {dataset} is too small for this split: {}; each needs at least 2 \
         examples (BatchNorm normalizes over a batch); give more data or change the split \
         fractions",
        small.join(", ")
    )))
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
