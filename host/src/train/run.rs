//! Training a genotype's evaluation network from scratch, writing a model folder.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use darts_plugin_api::Layout;
use serde::Serialize;
use tch::{nn, Tensor};

use super::config::TrainConfig;
use super::cutout::cutout;
use crate::data::{Splits, Standardizer};
use crate::device::pick_device;
use crate::genotype::Genotype;
use crate::model::{ModelInfo, PluginInfo, TaskInfo};
use crate::network::{resolve_cell, EvalConfig, EvalNetwork, NetworkError};
use crate::optim::{clip_grad_norm, CosineSchedule, Sgd, SgdConfig};
use crate::plugins::PluginSet;
use crate::progress::Progress;
use crate::search::run::{objective_for, write, write_error};
use crate::search::{
    batch_indices, evaluate, gather, load_dataset, Evaluation, HeadKind, SearchConfig, SearchError,
};

/// One line of `metrics.jsonl`.
#[derive(Debug, Clone, Serialize)]
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
/// and at the end `weights.safetensors` (with `standardizer.safetensors` for tabular data)
/// and `metrics.json` (the test set's figures).
pub fn run_train(
    config: &TrainConfig,
    genotype: &Genotype,
    plugins: &PluginSet,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<TrainOutcome, SearchError> {
    config.validate()?;

    // The data: the search's loader, and a split that holds out the same test examples.
    let layout = genotype_layout(genotype, plugins)?;
    let as_search = SearchConfig {
        dataset: config.dataset.clone(),
        targets: config.targets.clone(),
        classify: config.classify.clone(),
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

    // The model folder: what the model is, before any training.
    fs::create_dir_all(dir).map_err(|source| write_error(dir, source))?;
    progress(Progress::Started { dir: dir.to_path_buf() });
    let resolved = TrainConfig { dataset: data.name.clone(), ..config.clone() };
    write(dir, "config.toml", &resolved.to_toml())?;
    let qualified = qualify(genotype, &normal_ids, &reduce_ids);
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
        plugins: plugins
            .plugins()
            .iter()
            .filter(|p| normal_ids.iter().chain(&reduce_ids).any(|id| id.plugin == p.name))
            .map(|p| PluginInfo { name: p.name.clone(), version: p.version.clone() })
            .collect(),
        weight_parameters: parameter_count,
    };
    write(dir, "model.json", &serde_json::to_string_pretty(&info).expect("serializable"))?;
    let metrics_path = dir.join("metrics.jsonl");
    let mut metrics_file =
        fs::File::create(&metrics_path).map_err(|source| write_error(&metrics_path, source))?;

    // The loop.
    let forward = |xs: &Tensor| net.forward_t(xs, false, 0.0).map(|out| out.heads);
    let mut records = Vec::with_capacity(config.epochs);
    for epoch in 0..config.epochs {
        let started = Instant::now();
        let lr = schedule.at(epoch);
        let drop_prob = config.drop_path * epoch as f64 / config.epochs as f64;
        let batches =
            batch_indices(train.len(), config.batch_size, Some((config.seed, epoch as u64)));
        progress(Progress::EpochStart {
            epoch: epoch + 1,
            epochs: config.epochs,
            steps: batches.len(),
        });

        let mut loss_sum = 0.0;
        for indices in &batches {
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
            loss.backward();
            clip_grad_norm(sgd.parameters(), config.grad_clip);
            sgd.step(lr);
            let loss = loss.double_value(&[]);
            loss_sum += loss;
            progress(Progress::Step { loss });
        }

        let valid_figures = evaluate(forward, &valid, &objective, config.batch_size, device)?;
        let record = TrainRecord {
            epoch: epoch + 1,
            lr,
            drop_path: drop_prob,
            train_loss: loss_sum / batches.len().max(1) as f64,
            valid: valid_figures,
            seconds: started.elapsed().as_secs_f64(),
        };
        progress(Progress::EpochEnd);
        let line = serde_json::to_string(&record).expect("serializable");
        writeln!(metrics_file, "{line}").map_err(|source| write_error(&metrics_path, source))?;
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
