//! Choosing the data and the candidate primitives of a search.

use std::collections::BTreeMap;
use std::path::Path;

use darts_plugin_api::Layout;

use super::config::SearchConfig;
use super::error::{Result, SearchError};
use crate::data::{
    builtin, builtin_names, default_for, read_csv, read_npy, read_npz, CsvOptions, DataError,
    Dataset, TaskKind,
};
use crate::genotype::bare_name;
use crate::plugins::{PluginSet, PrimitiveId};

/// The layout a search runs in before the data is known: that of the first named
/// primitive, else of the first loaded plugin's first primitive.
pub fn intended_layout(config: &SearchConfig, plugins: &PluginSet) -> Result<Layout> {
    if let Some(first) = config.primitives.iter().flatten().next() {
        let id = plugins.resolve(first)?;
        return Ok(plugins.info(&id).map(|info| info.layout).unwrap_or(Layout::Flat));
    }
    plugins
        .primitives()
        .next()
        .map(|(_, info)| info.layout)
        .ok_or_else(|| SearchError::Space("the loaded plugins offer no primitive".to_owned()))
}

/// Loads `config.dataset`: a built-in name, a `.csv` file (targets named by
/// `config.targets`), a `.npz` file, an `.npy` file of inputs (its targets' `.npy` file as
/// the one entry of `config.targets`), or (when empty) the built-in data set of `layout`.
pub fn load_dataset(config: &SearchConfig, layout: Layout) -> Result<Dataset> {
    let data = read_dataset(config, layout)?;
    Ok(declare_classes(data, &config.classes, &config.dataset)?)
}

/// `data` with the class counts of `classes` given to its tasks, after checking that each
/// names a classification task whose labels all lie below the count.
fn declare_classes(
    mut data: Dataset,
    classes: &BTreeMap<String, usize>,
    source: &str,
) -> crate::data::Result<Dataset> {
    let invalid = |reason: String| DataError::Invalid { dataset: data.name.clone(), reason };
    for (name, &count) in classes {
        let Some(index) = data.tasks.iter().position(|task| &task.name == name) else {
            let names: Vec<&str> = data.tasks.iter().map(|t| t.name.as_str()).collect();
            return Err(invalid(format!(
                "`classes` declares task `{name}`, but the data's tasks are {}",
                names.join(", ")
            )));
        };
        let TaskKind::Classification { classes: seen } = data.tasks[index].kind else {
            return Err(invalid(format!(
                "`classes` declares task `{name}`, but it is a regression target; list it in \
                 `classify` to read it as class labels"
            )));
        };
        if seen > count {
            let labels = &data.targets[index];
            let example = labels.ge(count as i64).nonzero().int64_value(&[0, 0]);
            let label = labels.int64_value(&[example]);
            let place = if source.to_ascii_lowercase().ends_with(".csv") {
                format!("row {} of the CSV file", example + 2)
            } else {
                format!("example {example}")
            };
            return Err(invalid(format!(
                "{place} has label {label} for task `{name}`, outside the {count} classes \
                 declared in `classes` (0 to {})",
                count - 1
            )));
        }
        data.tasks[index].kind = TaskKind::Classification { classes: count };
    }
    Ok(data)
}

fn read_dataset(config: &SearchConfig, layout: Layout) -> Result<Dataset> {
    let name =
        if config.dataset.is_empty() { default_for(layout) } else { config.dataset.as_str() };
    if builtin_names().contains(&name) {
        return Ok(builtin(name, config.seed)?);
    }
    let path = Path::new(name);
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    match extension.to_ascii_lowercase().as_str() {
        "csv" => {
            let options = CsvOptions {
                targets: config.targets.clone(),
                classification: config.classify.clone(),
            };
            Ok(read_csv(path, &options)?)
        }
        "npz" => Ok(read_npz(path)?),
        "npy" => match config.targets.as_slice() {
            [targets] => Ok(read_npy(path, targets)?),
            _ => Err(SearchError::Space(format!(
                "--dataset {name} is an .npy file of inputs; give the .npy file of its \
                 targets with --targets FILE (or put both in one .npz file as x and y)"
            ))),
        },
        _ => Err(SearchError::Space(format!(
            "--dataset {name} is neither a built-in data set ({}) nor a .csv, .npz or .npy \
             file",
            builtin_names().join(", ")
        ))),
    }
}

/// The candidate primitives, in alpha column order: those the config names, or every
/// loaded primitive of `layout` that is in its plugin's default space. Refuses primitives
/// of another layout (naming all of them) and a space without any primitive but `none`.
pub fn choose_primitives(
    config: &SearchConfig,
    plugins: &PluginSet,
    layout: Layout,
) -> Result<Vec<PrimitiveId>> {
    let chosen: Vec<PrimitiveId> = match &config.primitives {
        None => plugins
            .primitives()
            .filter(|(_, info)| info.layout == layout && info.in_default_space)
            .map(|(id, _)| id)
            .collect(),
        Some(names) => names.iter().map(|name| plugins.resolve(name)).collect::<Result<_, _>>()?,
    };

    let mismatched: Vec<String> = chosen
        .iter()
        .filter_map(|id| {
            let info = plugins.info(id)?;
            (info.layout != layout).then(|| format!("{id} ({})", info.layout))
        })
        .collect();
    if !mismatched.is_empty() {
        return Err(SearchError::Space(format!(
            "the data is laid out as {layout}, but these primitives are not: {}; choose \
             primitives of the {layout} layout",
            mismatched.join(", ")
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(repeated) = chosen.iter().find(|id| !seen.insert((*id).clone())) {
        return Err(SearchError::Space(format!("the primitive {repeated} is listed twice")));
    }
    if chosen.is_empty() {
        let loaded: Vec<String> = plugins
            .plugins()
            .iter()
            .map(|p| {
                let layouts: std::collections::BTreeSet<String> =
                    p.primitives.iter().map(|info| info.layout.to_string()).collect();
                format!("{} ({})", p.name, layouts.into_iter().collect::<Vec<_>>().join(", "))
            })
            .collect();
        return Err(SearchError::Space(format!(
            "the data is laid out as {layout}, but no loaded plugin has {layout} primitives \
             (loaded: {}); load a plugin with {layout} primitives with --plugin",
            loaded.join(", ")
        )));
    }
    if !chosen.iter().any(|id| bare_name(&id.to_string()) != "none") {
        return Err(SearchError::Space(format!(
            "the search space has no primitive but `none` for the {layout} layout; load a \
             plugin with {layout} primitives (--plugin) or name some in `primitives`"
        )));
    }
    Ok(chosen)
}
