//! The command line: flags as clap parses them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use darts_host::search::DeviceChoice;

/// Differentiable architecture search (DARTS) over primitives loaded from plugins.
///
/// Without a command, runs a short search on the built-in data set of the first loaded
/// plugin's layout and says where it wrote its results.
#[derive(Debug, Parser)]
#[command(name = "darts-host", version, propagate_version = true)]
pub struct Cli {
    /// Load a plugin: a path to its library, or a name (`conv1d`, `libconv1d.so`) looked up
    /// in DARTS_PLUGIN_PATH and beside darts-host. Repeatable. Without it, the built-in
    /// conv2d, conv1d and linear plugins are loaded.
    #[arg(long = "plugin", value_name = "PATH_OR_NAME", global = true)]
    pub plugins: Vec<String>,

    /// Load plugin files that other users can write, or that sit in folders they can write
    /// (refused by default: a plugin runs as native code with your rights).
    #[arg(long, global = true, env = "DARTS_ALLOW_WRITABLE_PLUGINS")]
    pub allow_writable_plugins: bool,

    /// Say more on stderr: -v for decisions, -vv for every step. RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Say only warnings and errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every primitive of the loaded plugins, building each once to check it.
    Plugins(PluginsArgs),
    /// Search for a cell architecture: train a supernet's weights and alphas in
    /// alternation and derive a genotype after every epoch.
    Search(SearchArgs),
    /// Print the supernet's layer shapes and parameter count, without data or training.
    Describe(DescribeArgs),
    /// Train a genotype's evaluation network from scratch and write a model folder.
    Train(TrainArgs),
    /// Predict with a trained model on new inputs.
    Predict(PredictArgs),
    /// Export a trained model as a TorchScript module that PyTorch loads on its own.
    Export(ExportArgs),
    /// Write a ready-to-build plugin crate with one example primitive and its test.
    NewPlugin(NewPluginArgs),
    /// Draw the cells of a genotype: SVG (no Graphviz needed) or Graphviz DOT.
    Show(ShowArgs),
    /// Write one self-contained HTML page of run folders: genotypes, curves, alphas, metrics.
    Report(ReportArgs),
}

/// Flags of `darts-host new-plugin`.
#[derive(Debug, Args)]
pub struct NewPluginArgs {
    /// The plugin's (and crate's) name: lower-case letters, digits and `_`, starting with a
    /// letter.
    pub name: String,
    /// The layout of the example primitive.
    #[arg(long, value_enum, default_value = "sequence")]
    pub layout: LayoutFlag,
    /// The folder to create the crate in.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// The plugin-api crate the new plugin depends on. Default: the one this darts-host was
    /// built from.
    #[arg(long, value_name = "PATH")]
    pub api: Option<PathBuf>,
}

/// A layout, as a flag.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LayoutFlag {
    /// `[batch, features]`.
    Flat,
    /// `[batch, channels, length]`.
    Sequence,
    /// `[batch, channels, height, width]`.
    Image,
}

/// Flags of `darts-host export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The model folder written by `darts-host train`.
    #[arg(long, value_name = "DIR")]
    pub model: PathBuf,
    /// The TorchScript file to write (`torch.jit.load` reads it).
    #[arg(long, value_name = "OUT.pt")]
    pub torchscript: PathBuf,
}

/// Flags of `darts-host predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The model folder written by `darts-host train`.
    #[arg(long, value_name = "DIR")]
    pub model: PathBuf,
    /// The inputs: a CSV file with a header row and one column per feature (tabular
    /// models), or an NPY array `[N, ...]` of the model's input shape.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Where to write the predictions: a .csv file (every task; class, then class
    /// probabilities), or a .npy file (one task: class indices or values). Default: CSV on
    /// standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Flags of `darts-host plugins`.
#[derive(Debug, Args)]
pub struct PluginsArgs {
    /// The channel count at which parameters are counted.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(i64).range(1..=65536))]
    pub channels: i64,
}

/// The architecture-gradient order, as a flag.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrderFlag {
    /// Gradient at the current weights.
    First,
    /// Gradient through one unrolled weight step.
    Second,
}

/// The device, as a flag.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DeviceFlag {
    /// CUDA when available, else the CPU.
    Auto,
    /// The CPU.
    Cpu,
    /// CUDA device 0.
    Cuda,
}

impl From<DeviceFlag> for DeviceChoice {
    fn from(flag: DeviceFlag) -> DeviceChoice {
        match flag {
            DeviceFlag::Auto => DeviceChoice::Auto,
            DeviceFlag::Cpu => DeviceChoice::Cpu,
            DeviceFlag::Cuda => DeviceChoice::Cuda,
        }
    }
}

/// The config file and the data flags, shared by every command that reads a data set; each
/// flag overrides the config file.
#[derive(Debug, Args, Default)]
pub struct DataArgs {
    /// A TOML config file; flags override its values.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A built-in data set (digits, motifs, uno, breast-cancer) or a .csv, .npz or .npy file.
    #[arg(long, value_name = "NAME|FILE")]
    pub dataset: Option<String>,
    /// Target columns of a CSV file, comma-separated; for an .npy file of inputs, the .npy
    /// file of its targets.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub targets: Option<Vec<String>>,
    /// Which target columns are class labels, comma-separated (the rest are regression).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub classify: Option<Vec<String>>,
}

impl DataArgs {
    /// Puts the data flags that were given over a config's `dataset`, `targets` and
    /// `classify`.
    pub fn apply_to(
        &self,
        dataset: &mut String,
        targets: &mut Vec<String>,
        classify: &mut Vec<String>,
    ) {
        if let Some(given) = &self.dataset {
            dataset.clone_from(given);
        }
        if let Some(given) = &self.targets {
            targets.clone_from(given);
        }
        if let Some(given) = &self.classify {
            classify.clone_from(given);
        }
    }
}

/// Flags shared by the commands that build a network; each overrides the config file.
#[derive(Debug, Args, Default)]
pub struct NetworkArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Candidate primitives, comma-separated, `plugin:primitive` or bare when unique.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub primitives: Option<Vec<String>>,
    /// Number of epochs.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Number of cells.
    #[arg(long)]
    pub cells: Option<usize>,
    /// Channels of the first cells.
    #[arg(long)]
    pub channels: Option<i64>,
    /// Intermediate nodes per cell.
    #[arg(long)]
    pub nodes: Option<usize>,
    /// Examples per batch.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Seed of weights, alphas, data order and generated data.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Architecture-gradient order.
    #[arg(long, value_enum)]
    pub order: Option<OrderFlag>,
    /// Where tensors live.
    #[arg(long, value_enum)]
    pub device: Option<DeviceFlag>,
    /// CPU threads per operation (0: every core). Default 1, fastest for small networks.
    #[arg(long)]
    pub threads: Option<usize>,
    /// The run folder to write; it must not exist or be empty. Default: a new folder under
    /// runs/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Flags of `darts-host search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Initial weight learning rate (default 0.025).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Adam learning rate of the alphas (default 3e-4).
    #[arg(long)]
    pub arch_lr: Option<f64>,
    /// Do not write report.html into the run folder at the end.
    #[arg(long)]
    pub no_report: bool,
}

/// Flags of the long runs (search and train): checkpoints, resuming, non-finite steps.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Continue the run in this folder from its last checkpoint. Its own config.toml is the
    /// base: other flags and --config may only repeat its values, except --checkpoint-every
    /// and --skip-nonfinite, which may change.
    #[arg(long, value_name = "RUN_DIR", conflicts_with = "out")]
    pub resume: Option<PathBuf>,
    /// Also write a checkpoint every this many steps (a checkpoint is always written after
    /// every epoch).
    #[arg(long, value_name = "STEPS")]
    pub checkpoint_every: Option<usize>,
    /// Skip up to this many steps whose loss or gradient is NaN or infinite (their updates
    /// undone) instead of stopping at the first.
    #[arg(long, value_name = "N")]
    pub skip_nonfinite: Option<usize>,
}

/// Flags of `darts-host describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
    /// One example's shape instead of a data set: C,H,W (image), C,L (sequence) or F (flat).
    #[arg(long, value_delimiter = ',', value_name = "SHAPE")]
    pub input_shape: Option<Vec<i64>>,
    /// Number of classes of a single classification head, with --input-shape.
    #[arg(long)]
    pub classes: Option<i64>,
    /// Describe the evaluation network of this genotype instead of the supernet: a JSON or
    /// reference-text file, or a published name (DARTS_V1, DARTS_V2). Defaults then follow
    /// the paper's evaluation network: 36 channels, 20 cells.
    #[arg(long, value_name = "FILE|NAME")]
    pub genotype: Option<String>,
    /// With --genotype: add the auxiliary head (image layout).
    #[arg(long)]
    pub auxiliary: bool,
}

/// Flags of `darts-host train`; each overrides the config file.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The genotype: a JSON or reference-text file (a search's genotype.json), or a
    /// published name (DARTS_V1, DARTS_V2). With --resume: the model folder's own.
    #[arg(long, value_name = "FILE|NAME", required_unless_present = "resume")]
    pub genotype: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Number of epochs (default 600, the paper's).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Examples per batch (default 96).
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Initial learning rate (default 0.025).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Channels of the first cells (default 36).
    #[arg(long)]
    pub channels: Option<i64>,
    /// Number of cells (default 20).
    #[arg(long)]
    pub cells: Option<usize>,
    /// Train with the auxiliary head (image layout).
    #[arg(long)]
    pub auxiliary: bool,
    /// Final drop-path probability (default 0.2).
    #[arg(long)]
    pub drop_path: Option<f64>,
    /// Cutout square side for images (default 0: none).
    #[arg(long)]
    pub cutout: Option<i64>,
    /// Seed; use the search's seed to hold out the same test examples.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where tensors live.
    #[arg(long, value_enum)]
    pub device: Option<DeviceFlag>,
    /// CPU threads per operation (0: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// The model folder to write; it must not exist or be empty. Default: a new folder
    /// under runs/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Do not write report.html into the model folder at the end.
    #[arg(long)]
    pub no_report: bool,
}

/// Flags of `darts-host show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The genotype: a JSON or reference-text file (a search's genotype.json), or a published
    /// name (DARTS_V1, DARTS_V2).
    #[arg(value_name = "FILE|NAME")]
    pub genotype: String,
    /// Write both cells, normal above reduction, into this SVG file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Write both cells as one Graphviz digraph of two clusters into this file
    /// (`dot -Tpng FILE -o cells.png` draws it). Without --svg or --dot, the DOT goes to
    /// standard output.
    #[arg(long, value_name = "FILE")]
    pub dot: Option<PathBuf>,
}

/// Flags of `darts-host report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run folders written by `darts-host search` or `darts-host train`, in any order: a
    /// search and the training of its genotype make one page.
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// The HTML file to write. Default: report.html in the first folder.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
