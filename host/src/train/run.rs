//! Training a genotype's evaluation network from scratch, writing a model folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use darts_plugin_api::Layout;
use serde::{Deserialize, Serialize};
use tch::{nn, Tensor};

use super::config::TrainConfig;
use super::cutout::cutout;
use crate::checkpoint::{self, step_seed, Checkpointer, Fingerprint, Part, Position, Saved};
use crate::data::{Splits, Standardizer};
use crate::device::pick_device;
use crate::genotype::Genotype;
use crate::model::{ModelInfo, PluginInfo, TaskInfo};
use crate::network::{resolve_cell, EvalConfig, EvalNetwork, NetworkError};
use crate::optim::{clip_grad_norm, CosineSchedule, Sgd, SgdConfig};
use crate::plugins::PluginSet;
use crate::progress::Progress;
use crate::search::run::{
    check_part_sizes, objective_for, resolved_dataset, write, write_error, MetricsFile,
    RESUMABLE_SETTINGS,
};
use crate::search::{
    batch_indices, evaluate, gather, load_dataset, Evaluation, HeadKind, SearchConfig, SearchError,
};

/// One line of `metrics.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainRecord {
    /// 1-based.
    pub epoch: usize,
    /// The learning rate of the epoch.
    pub lr: f64,
    /// The drop-path probability of the epoch.
    pub drop_path: f64,
    /// Mean training loss (the objective plus the weighted auxiliary loss).
    pub train_loss: f64,
    /// Loss and metrics on the validation set.
    pub valid: Evaluation,
    /// Wall-clock seconds of the epoch.
    pub seconds: f64,
}

/// What a finished training run leaves.
#[derive(Debug)]
pub struct TrainOutcome {
    /// The model folder.
    pub dir: PathBuf,
    /// Every epoch's record.
    pub epochs: Vec<TrainRecord>,
    /// Loss and metrics on the held-out test set, after the last epoch.
    pub test: Evaluation,
}

/// Trains the evaluation network of `genotype` as `config` says, writing into `dir`:
/// `config.toml`, `genotype.json`, `model.json`, `metrics.jsonl` (one record per epoch),
/// `checkpoint.safetensors` (after every epoch, and every `checkpoint_every` steps), and at
/// the end `weights.safetensors` (with `standardizer.safetensors` for tabular data)
/// and `metrics.json` (the test set's figures).
pub fn run_train(
    config: &TrainConfig,
    genotype: &Genotype,
    plugins: &PluginSet,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<TrainOutcome, SearchError> {
    train(config, genotype, plugins, dir, false, progress)
}

/// Continues the training run whose model folder is `dir` from its checkpoint, as if it had
/// never stopped (exactly so on the CPU). `config` and `genotype` must be the run's own
/// (its `config.toml` and `genotype.json`, with at most `checkpoint_every` and
/// `skip_nonfinite` changed); anything else is refused, naming what differs.
pub fn resume_train(
    config: &TrainConfig,
    genotype: &Genotype,
    plugins: &PluginSet,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<TrainOutcome, SearchError> {
    train(config, genotype, plugins, dir, true, progress)
}

fn train(
    config: &TrainConfig,
    genotype: &Genotype,
    plugins: &PluginSet,
    dir: &Path,
    resume: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<TrainOutcome, SearchError> {
    config.validate()?;

    // The data: the search's loader, and a split that holds out the same test examples.
    let layout = genotype_layout(genotype, plugins)?;
    let as_search = SearchConfig {
        dataset: config.dataset.clone(),
        targets: config.targets.clone(),
        classify: config.classify.clone(),
        classes: config.classes.clone(),
        seed: config.seed,
        ..SearchConfig::default()
    };
    let data = load_dataset(&as_search, layout)?;
    if data.layout != layout {
        return Err(SearchError::Space(format!(
            "the genotype's primitives are of the {layout} layout, but the data set {} is laid \
             out as {}",
            data.name, data.layout
        )));
    }
    let rest = 1.0 - config.test_fraction;
    let splits = Splits::new(
        rest * (1.0 - config.valid_fraction),
        rest * config.valid_fraction,
        config.test_fraction,
    );
    let (train, valid, test) = data.split(splits, config.seed)?;
    check_part_sizes(&data.name, &[("training", &train)])?;
    let standardizer = if layout == Layout::Flat { Some(Standardizer::fit(&train)?) } else { None };
    let (train, valid, test) = match &standardizer {
        Some(s) => (s.apply(&train)?, s.apply(&valid)?, s.apply(&test)?),
        None => (train, valid, test),
    };
    let objective = objective_for(&config.task_weights, &data)?;

    // The network.
    if config.threads > 0 {
        tch::set_num_threads(config.threads as i32);
    }
    let (device, why) = pick_device(config.device).map_err(SearchError::Device)?;
    tracing::info!("device: {why}");
    tch::manual_seed(config.seed as i64);
    let store = nn::VarStore::new(device);
    let eval_config = EvalConfig {
        channels: config.channels,
        cells: config.cells,
        stem_multiplier: config.stem_multiplier,
        auxiliary: config.auxiliary,
        ..EvalConfig::new(
            layout,
            data.input_shape(),
            objective.heads.iter().map(|h| h.outputs()).collect(),
        )
    };
    let normal_ids = resolve_cell(plugins, &genotype.normal, layout)?;
    let reduce_ids = match &genotype.reduce {
        Some(reduce) => resolve_cell(plugins, reduce, layout)?,
        None => Vec::new(),
    };
    let net = EvalNetwork::new(
        &store.root(),
        plugins,
        eval_config.clone(),
        genotype,
        &normal_ids,
        &reduce_ids,
    )
    .map_err(network_error)?;
    let weights = store.trainable_variables();
    let parameter_count: i64 = weights.iter().map(|w| w.numel() as i64).sum();
    tracing::info!(
        parameters = parameter_count,
        "evaluation network of {} cells, {} channels{}",
        config.cells,
        config.channels,
        if net.has_auxiliary() { ", auxiliary head" } else { "" }
    );
    let mut sgd = Sgd::new(
        weights,
        SgdConfig { momentum: config.momentum, weight_decay: config.weight_decay },
    );
    let schedule = CosineSchedule { max: config.lr, min: config.lr_min, epochs: config.epochs };

    // What fixes the run's results: a checkpoint of another run is refused.
    let resolved =
        TrainConfig { dataset: resolved_dataset(&config.dataset, &data.name), ..config.clone() };
    let qualified = qualify(genotype, &normal_ids, &reduce_ids);
    let used: Vec<&crate::plugins::LoadedPlugin> = plugins
        .plugins()
        .iter()
        .filter(|p| normal_ids.iter().chain(&reduce_ids).any(|id| id.plugin == p.name))
        .collect();
    let fingerprint = used.iter().fold(
        Fingerprint::new()
            .config(&resolved, &RESUMABLE_SETTINGS)
            .with("kind", "train")
            .with("genotype", qualified.to_string())
            .with("data.examples", data.len())
            .with("data.sha256", data.digest()),
        |f, p| f.with(format!("plugin.{}", p.name), &p.version),
    );

    // The model folder: what the model is, before any training; or the checkpoint.
    let buffers: Vec<Tensor> =
        store.variables().into_values().filter(|v| !v.requires_grad()).collect();
    // A run stopped before its first checkpoint starts again from the beginning: with the
    // same seed that is the same run.
    let resume = resume && checkpoint::exists_in(dir);
    let (mut position, mut records) = if resume {
        let (file, saved) = checkpoint::open::<TrainRecord>(dir, "train", &fingerprint)?;
        checkpoint::restore_store(&store, &file)?;
        checkpoint::restore_sgd(&mut sgd, &file)?;
        progress(Progress::Started { dir: dir.to_path_buf() });
        (saved.position, saved.records)
    } else {
        fs::create_dir_all(dir).map_err(|source| write_error(dir, source))?;
        progress(Progress::Started { dir: dir.to_path_buf() });
        write(dir, "config.toml", &resolved.to_toml())?;
        write(dir, "genotype.json", &qualified.to_json())?;
        let info = ModelInfo {
            layout: layout.to_string(),
            input_shape: data.input_shape(),
            tasks: data
                .tasks
                .iter()
                .zip(&objective.heads)
                .map(|(task, head)| TaskInfo {
                    name: task.name.clone(),
                    kind: match head {
                        HeadKind::Classification { .. } => "classification".to_owned(),
                        HeadKind::Regression => "regression".to_owned(),
                    },
                    outputs: head.outputs(),
                })
                .collect(),
            channels: config.channels,
            cells: config.cells,
            stem_multiplier: config.stem_multiplier,
            auxiliary: config.auxiliary,
            standardized: standardizer.is_some(),
            plugins: used
                .iter()
                .map(|p| PluginInfo { name: p.name.clone(), version: p.version.clone() })
                .collect(),
            weight_parameters: parameter_count,
        };
        write(dir, "model.json", &serde_json::to_string_pretty(&info).expect("serializable"))?;
        (Position::default(), Vec::with_capacity(config.epochs))
    };
    let mut metrics = MetricsFile::create(dir, &records)?;
    let mut checkpointer =
        Checkpointer::new(dir, config.checkpoint_every, resume.then_some(position));
    let save = |checkpointer: &mut Checkpointer,
                position: Position,
                records: &[TrainRecord],
                sgd: &Sgd|
     -> Result<(), SearchError> {
        let mut tensors = checkpoint::store_entries(&store);
        tensors.extend(checkpoint::sgd_entries(sgd));
        let saved = Saved {
            format: Saved::<TrainRecord>::FORMAT,
            kind: "train".to_owned(),
            fingerprint: fingerprint.clone(),
            position,
            records: records.to_vec(),
            adam_steps: 0,
        };
        let path = checkpointer.path().to_path_buf();
        checkpointer.save(&tensors, &saved).map_err(|source| write_error(&path, source))
    };

    // The loop.
    let forward = |xs: &Tensor| net.forward_t(xs, false, 0.0).map(|out| out.heads);
    while position.epoch < config.epochs {
        let epoch = position.epoch;
        let started = Instant::now();
        let lr = schedule.at(epoch);
        let drop_prob = config.drop_path * epoch as f64 / config.epochs as f64;
        let batches =
            batch_indices(train.len(), config.batch_size, Some((config.seed, epoch as u64)));
        let steps = batches.len();
        progress(Progress::EpochStart {
            epoch: epoch + 1,
            epochs: config.epochs,
            steps,
            done: position.step,
        });

        for (step, indices) in batches.iter().enumerate().skip(position.step) {
            tch::manual_seed(step_seed(config.seed, epoch, step));
            let saved_buffers = (config.skip_nonfinite > 0)
                .then(|| tch::no_grad(|| buffers.iter().map(Tensor::copy).collect::<Vec<_>>()));
            let mut batch = gather(&train, indices, device);
            if config.cutout > 0 && layout == Layout::Image {
                batch.inputs = cutout(&batch.inputs, config.cutout);
            }
            let output = net.forward_t(&batch.inputs, true, drop_prob)?;
            let mut loss = objective.loss(&output.heads, &batch.targets);
            if let Some(auxiliary) = &output.auxiliary {
                loss +=
                    objective.head_loss(0, auxiliary, &batch.targets[0]) * config.auxiliary_weight;
            }
            sgd.zero_grad();
            let value = loss.double_value(&[]);
            let finite = value.is_finite() && {
                loss.backward();
                clip_grad_norm(sgd.parameters(), config.grad_clip).is_finite()
            };
            position.step = step + 1;
            if finite {
                sgd.step(lr);
                position.loss_sum += value;
                position.good_steps += 1;
                progress(Progress::Step { loss: value });
            } else if position.skipped < config.skip_nonfinite {
                tch::no_grad(|| {
                    for (buffer, saved) in buffers.iter().zip(saved_buffers.iter().flatten()) {
                        buffer.shallow_clone().copy_(saved);
                    }
                });
                sgd.zero_grad();
                position.skipped += 1;
                tracing::warn!(
                    "epoch {}, step {}: {} went non-finite; step skipped ({} of at most {})",
                    epoch + 1,
                    step + 1,
                    Part::Weights,
                    position.skipped,
                    config.skip_nonfinite
                );
                progress(Progress::Step { loss: f64::NAN });
            } else {
                return Err(SearchError::NonFinite {
                    epoch: epoch + 1,
                    step: step + 1,
                    part: Part::Weights,
                    kept: checkpointer.kept(),
                });
            }
            if position.step < steps && checkpointer.due_after_step(epoch * steps + step + 1) {
                save(&mut checkpointer, position, &records, &sgd)?;
            }
        }

        let valid_figures = evaluate(forward, &valid, &objective, config.batch_size, device)?;
        if !valid_figures.loss.is_finite() {
            return Err(SearchError::NonFinite {
                epoch: epoch + 1,
                step: 0,
                part: Part::Validation,
                kept: checkpointer.kept(),
            });
        }
        let record = TrainRecord {
            epoch: epoch + 1,
            lr,
            drop_path: drop_prob,
            train_loss: position.loss_sum / position.good_steps.max(1) as f64,
            valid: valid_figures,
            seconds: started.elapsed().as_secs_f64(),
        };
        progress(Progress::EpochEnd);
        metrics.append(&record)?;
        tracing::info!(
            "epoch {}/{}: lr {:.5} train loss {:.4} valid {} ({:.1}s)",
            epoch + 1,
            config.epochs,
            lr,
            record.train_loss,
            record.valid.summary(),
            record.seconds
        );
        records.push(record);
        position = Position { epoch: epoch + 1, skipped: position.skipped, ..Position::default() };
        save(&mut checkpointer, position, &records, &sgd)?;
    }

    // The trained model and its test figures.
    let weights_path = dir.join("weights.safetensors");
    store
        .save(&weights_path)
        .map_err(|err| write_error(&weights_path, std::io::Error::other(err)))?;
    if let Some(standardizer) = &standardizer {
        let path = dir.join("standardizer.safetensors");
        Tensor::write_safetensors(
            &[("mean", standardizer.mean()), ("std", standardizer.std())],
            &path,
        )
        .map_err(|err| write_error(&path, std::io::Error::other(err)))?;
    }
    let test_figures = evaluate(forward, &test, &objective, config.batch_size, device)?;
    tracing::info!("test ({} examples): {}", test.len(), test_figures.summary());
    write(
        dir,
        "metrics.json",
        &serde_json::to_string_pretty(&test_figures).expect("serializable"),
    )?;
    Ok(TrainOutcome { dir: dir.to_path_buf(), epochs: records, test: test_figures })
}

/// The layout of a genotype's primitives: that of its first edge's primitive, resolved by
/// qualified name or, for a bare name, in any loaded plugin.
fn genotype_layout(genotype: &Genotype, plugins: &PluginSet) -> Result<Layout, SearchError> {
    let first =
        genotype.normal.edges.first().ok_or_else(|| {
            SearchError::Space("the genotype's normal cell has no edges".to_owned())
        })?;
    let name = crate::genotype::bare_name(&first.primitive);
    let layout = plugins
        .primitives()
        .find(|(id, _)| id.to_string() == first.primitive || id.name == name)
        .map(|(_, info)| info.layout);
    layout.ok_or_else(|| {
        SearchError::Space(format!(
            "no loaded plugin offers the genotype's primitive `{}`; load its plugin with --plugin",
            first.primitive
        ))
    })
}

/// The genotype with every primitive qualified by its plugin.
fn qualify(
    genotype: &Genotype,
    normal: &[crate::plugins::PrimitiveId],
    reduce: &[crate::plugins::PrimitiveId],
) -> Genotype {
    let mut qualified = genotype.clone();
    for (edge, id) in qualified.normal.edges.iter_mut().zip(normal) {
        edge.primitive = id.to_string();
    }
    if let Some(cell) = qualified.reduce.as_mut() {
        for (edge, id) in cell.edges.iter_mut().zip(reduce) {
            edge.primitive = id.to_string();
        }
    }
    qualified
}

fn network_error(err: NetworkError) -> SearchError {
    match err {
        NetworkError::Plugin(err) => SearchError::Plugin(err),
        other => SearchError::Space(other.to_string()),
    }
}
