//! Turning the config file and the flags shared by network-building commands into one
//! search config.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use darts_host::search::{Order, SearchConfig};

use crate::cli::{NetworkArgs, OrderFlag};
use crate::UsageError;

/// The config file's values (or `base`'s without a file), with every given flag on top.
pub fn resolve(args: &NetworkArgs, base: SearchConfig) -> Result<SearchConfig> {
    let mut config = match &args.data.config {
        Some(path) => SearchConfig::from_file(path)?,
        None => base,
    };
    args.data.apply_to(&mut config.dataset, &mut config.targets, &mut config.classify);
    if let Some(primitives) = &args.primitives {
        // `a, b` means the same as `a,b`.
        config.primitives = Some(primitives.iter().map(|p| p.trim().to_owned()).collect());
    }
    macro_rules! take {
        ($($field:ident),*) => {$(
            if let Some(value) = args.$field {
                config.$field = value;
            }
        )*};
    }
    take!(epochs, cells, channels, nodes, batch_size, seed, threads);
    // A cell concatenates at most all its nodes; fewer nodes than the default multiplier
    // would otherwise be refused for a value the user never set.
    if args.nodes.is_some() && config.multiplier > config.nodes {
        config.multiplier = config.nodes;
    }
    if let Some(order) = args.order {
        config.order = match order {
            OrderFlag::First => Order::First,
            OrderFlag::Second => Order::Second,
        };
    }
    if let Some(device) = args.device {
        config.device = device.into();
    }
    config.validate()?;
    Ok(config)
}

/// The config of the run in `dir` that `--resume` names, read with `read`; a folder that is
/// not a run of `kind` is refused, saying what to give instead.
pub fn saved_config<C, E>(dir: &Path, kind: &str, read: impl Fn(&Path) -> Result<C, E>) -> Result<C>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let path = dir.join("config.toml");
    if !path.is_file() {
        return Err(UsageError(format!(
            "--resume {}: not a {kind} run folder (it has no config.toml); give the folder a \
             `darts-host {kind}` run wrote",
            dir.display()
        ))
        .into());
    }
    Ok(read(&path)?)
}

/// The run folder: `--out` if given (which must not hold anything yet), else a new folder
/// `runs/<kind>-<dataset>-<unix time>` in the working directory.
pub fn run_dir(out: Option<&Path>, kind: &str, dataset: &str) -> Result<PathBuf> {
    if let Some(out) = out {
        let occupied = out.read_dir().map(|mut entries| entries.next().is_some()).unwrap_or(false);
        if occupied {
            return Err(UsageError(format!(
                "the run folder {} already holds files; give --out a new or empty folder so \
                 nothing in it is overwritten",
                out.display()
            ))
            .into());
        }
        if out.exists() && !out.is_dir() {
            return Err(
                UsageError(format!("--out {} is a file, not a folder", out.display())).into()
            );
        }
        return Ok(out.to_path_buf());
    }
    let dataset = if dataset.is_empty() { "default" } else { dataset };
    let dataset = Path::new(dataset).file_stem().and_then(|s| s.to_str()).unwrap_or("data");
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut dir = PathBuf::from("runs").join(format!("{kind}-{dataset}-{seconds}"));
    let mut suffix = 2;
    while dir.exists() {
        dir = PathBuf::from("runs").join(format!("{kind}-{dataset}-{seconds}-{suffix}"));
        suffix += 1;
    }
    Ok(dir)
}
