//! Reading a run folder, written by `darts-host search` or `darts-host train`, into plain
//! data for a report.
//!
//! Only the text files are read (config, facts, metrics, genotypes); checkpoints and weights
//! are not needed, so a folder stripped of them, such as the committed digits run, still
//! reports. A search stopped before its end has no `genotype.json` yet; its report then shows
//! the genotype derived after its last finished epoch.

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::error::{ReportError, Result};
use crate::genotype::Genotype;
use crate::model::ModelInfo;
use crate::search::{EpochRecord, Evaluation};
use crate::train::TrainRecord;

/// One run folder, read.
#[derive(Debug, Clone)]
pub enum RunFolder {
    /// A search's run folder (it holds `run.json`).
    Search(SearchRun),
    /// A training run's model folder (it holds `model.json`).
    Train(TrainRun),
}

/// What a search's run folder holds.
#[derive(Debug, Clone)]
pub struct SearchRun {
    /// The folder.
    pub dir: PathBuf,
    /// `config.toml`, verbatim.
    pub config: String,
    /// `run.json`: plugins, data, split sizes, device, parameter count.
    pub facts: serde_json::Value,
    /// The candidate primitives, qualified, in the order of the columns of the alphas.
    pub primitives: Vec<String>,
    /// `metrics.jsonl`: one record per finished epoch.
    pub epochs: Vec<EpochRecord>,
    /// The final genotype: `genotype.json`, or before the search has finished, the genotype
    /// of its last finished epoch; `None` before the first epoch has finished.
    pub genotype: Option<Genotype>,
    /// Whether the search has finished (it wrote `genotype.json`).
    pub finished: bool,
}

/// What a training run's model folder holds.
#[derive(Debug, Clone)]
pub struct TrainRun {
    /// The folder.
    pub dir: PathBuf,
    /// `config.toml`, verbatim.
    pub config: String,
    /// `model.json`: the network's shape, its tasks and plugins.
    pub model: ModelInfo,
    /// `metrics.jsonl`: one record per finished epoch.
    pub epochs: Vec<TrainRecord>,
    /// `genotype.json`: the genotype trained.
    pub genotype: Genotype,
    /// `metrics.json`: the test set's figures, once training has finished.
    pub test: Option<Evaluation>,
}

impl RunFolder {
    /// Reads the run folder `dir`, a search's or a training run's.
    pub fn read(dir: &Path) -> Result<RunFolder> {
        if dir.join("run.json").is_file() {
            SearchRun::read(dir).map(RunFolder::Search)
        } else if dir.join("model.json").is_file() {
            TrainRun::read(dir).map(RunFolder::Train)
        } else {
            Err(ReportError::NotARunFolder { dir: dir.to_path_buf() })
        }
    }

    /// The folder read.
    pub fn dir(&self) -> &Path {
        match self {
            RunFolder::Search(run) => &run.dir,
            RunFolder::Train(run) => &run.dir,
        }
    }
}

impl SearchRun {
    /// Reads the search run folder `dir`.
    pub fn read(dir: &Path) -> Result<SearchRun> {
        let config = read_text(&dir.join("config.toml"))?;
        let facts: serde_json::Value = read_json(&dir.join("run.json"))?;
        let primitives = primitives(dir, &config, &facts)?;
        let epochs: Vec<EpochRecord> = read_json_lines(&dir.join("metrics.jsonl"))?;
        let genotype_path = dir.join("genotype.json");
        let finished = genotype_path.is_file();
        let genotype = if finished {
            Some(read_genotype(&genotype_path)?)
        } else {
            epochs.last().map(|record| record.genotype.clone())
        };
        Ok(SearchRun {
            dir: dir.to_path_buf(),
            config,
            facts,
            primitives,
            epochs,
            genotype,
            finished,
        })
    }

    /// The epoch with the best validation score and its genotype, as the search chooses
    /// `best_genotype.json`: the first of the epochs with the highest score.
    pub fn best(&self) -> Option<&EpochRecord> {
        let mut best: Option<&EpochRecord> = None;
        for record in &self.epochs {
            if best.is_none_or(|b| record.valid.score() > b.valid.score()) {
                best = Some(record);
            }
        }
        best
    }

    /// The data set's name, from `run.json`.
    pub fn dataset(&self) -> Option<&str> {
        self.facts.get("dataset").and_then(serde_json::Value::as_str)
    }
}

impl TrainRun {
    /// Reads the model folder `dir`.
    pub fn read(dir: &Path) -> Result<TrainRun> {
        let config = read_text(&dir.join("config.toml"))?;
        let model: ModelInfo = read_json(&dir.join("model.json"))?;
        let epochs: Vec<TrainRecord> = read_json_lines(&dir.join("metrics.jsonl"))?;
        let genotype = read_genotype(&dir.join("genotype.json"))?;
        let test_path = dir.join("metrics.json");
        let test = if test_path.is_file() { Some(read_json(&test_path)?) } else { None };
        Ok(TrainRun { dir: dir.to_path_buf(), config, model, epochs, genotype, test })
    }

    /// The data set's name, from `config.toml`; `None` when the config leaves it to the
    /// default.
    pub fn dataset(&self) -> Option<String> {
        let table: toml::Table = toml::from_str(&self.config).ok()?;
        let name = table.get("dataset")?.as_str()?;
        (!name.is_empty()).then(|| name.to_owned())
    }
}

/// The search's candidate primitives: `primitives` of `config.toml`, else of `run.json`.
fn primitives(dir: &Path, config: &str, facts: &serde_json::Value) -> Result<Vec<String>> {
    let path = dir.join("config.toml");
    let table: toml::Table = toml::from_str(config).map_err(|err| ReportError::Malformed {
        path: path.clone(),
        line: None,
        reason: format!("not TOML: {}", err.message()),
    })?;
    let from_config = table.get("primitives").and_then(|list| {
        list.as_array()?.iter().map(|name| name.as_str().map(str::to_owned)).collect()
    });
    let from_facts = || {
        facts.get("primitives").and_then(|list| {
            list.as_array()?.iter().map(|name| name.as_str().map(str::to_owned)).collect()
        })
    };
    from_config.or_else(from_facts).ok_or_else(|| ReportError::Malformed {
        path,
        line: None,
        reason: "no list of primitives (neither here nor in run.json), so the columns of the \
                 architecture weights cannot be named"
            .to_owned(),
    })
}

/// The text of `path`.
fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path)
        .map_err(|source| ReportError::Read { path: path.to_path_buf(), source })
}

/// `path` read as one JSON value.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|err| ReportError::Malformed {
        path: path.to_path_buf(),
        line: (err.line() > 0).then_some(err.line()),
        reason: err.to_string(),
    })
}

/// `path` read as one JSON value per non-blank line.
fn read_json_lines<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text = read_text(path)?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|err| ReportError::Malformed {
                path: path.to_path_buf(),
                line: Some(index + 1),
                reason: err.to_string(),
            })
        })
        .collect()
}

/// The genotype of the JSON file `path`.
fn read_genotype(path: &Path) -> Result<Genotype> {
    let text = read_text(path)?;
    Genotype::from_json(&text).map_err(|err| ReportError::Malformed {
        path: path.to_path_buf(),
        line: None,
        reason: err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str =
        "dataset = \"digits\"\nprimitives = [\"conv2d:none\", \"conv2d:skip_connect\"]\n";

    fn record(epoch: usize, accuracy: f64) -> String {
        format!(
            "{{\"epoch\":{epoch},\"lr\":0.025,\"train_loss\":1.0,\"valid\":{{\"loss\":0.5,\
             \"tasks\":[{{\"task\":\"digit\",\"loss\":0.5,\"accuracy\":{accuracy}}}]}},\
             \"alphas_normal\":[[0.5,0.5],[0.5,0.5]],\"alphas_reduce\":[],\"genotype\":\
             {{\"normal\":{{\"edges\":[{{\"primitive\":\"conv2d:skip_connect\",\"input\":0}},\
             {{\"primitive\":\"conv2d:skip_connect\",\"input\":1}}],\"concat\":[2]}}}},\
             \"seconds\":1.0}}"
        )
    }

    fn search_folder(metrics: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::write(dir.path().join("config.toml"), CONFIG).unwrap();
        fs::write(dir.path().join("run.json"), "{\"dataset\": \"digits\"}").unwrap();
        fs::write(dir.path().join("metrics.jsonl"), metrics).unwrap();
        dir
    }

    #[test]
    fn an_unfinished_search_reports_its_last_epoch() {
        let dir = search_folder(&format!("{}\n{}\n", record(1, 0.5), record(2, 0.4)));
        let RunFolder::Search(run) = RunFolder::read(dir.path()).unwrap() else {
            panic!("a search folder")
        };
        assert!(!run.finished);
        assert_eq!(run.epochs.len(), 2);
        assert_eq!(run.primitives, ["conv2d:none", "conv2d:skip_connect"]);
        assert_eq!(run.genotype.as_ref(), Some(&run.epochs[1].genotype));
        assert_eq!(run.best().map(|r| r.epoch), Some(1));
        assert_eq!(run.dataset(), Some("digits"));
    }

    #[test]
    fn a_bad_line_is_named_with_its_file_and_number() {
        let dir = search_folder(&format!("{}\nnot json\n", record(1, 0.5)));
        let err = RunFolder::read(dir.path()).unwrap_err();
        assert!(err.is_bad_input());
        let message = err.to_string();
        assert!(message.contains("metrics.jsonl, line 2:"), "{message}");
    }

    #[test]
    fn a_folder_of_no_run_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = RunFolder::read(dir.path()).unwrap_err();
        assert!(matches!(err, ReportError::NotARunFolder { .. }));
        assert!(err.to_string().contains("neither run.json"), "{err}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = search_folder("");
        fs::remove_file(dir.path().join("config.toml")).unwrap();
        let err = RunFolder::read(dir.path()).unwrap_err();
        assert!(matches!(err, ReportError::Read { .. }));
        assert!(err.to_string().contains("config.toml"), "{err}");
    }
}
