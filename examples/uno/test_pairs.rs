//! Writes the held-out test pairs of the built-in `uno` data set as CSV files, to feed
//! `darts-host predict` as if they were new (cell line, drug) pairs.
//!
//! Run: `cargo run --release --example uno-test-pairs -- FEATURES.csv GROWTH.csv`
//! (with LIBTORCH set, as `eval "$(scripts/libtorch.sh)"` sets it).
//!
//! The split is the one `darts-host train` makes with its defaults (seed 2, 20% test), so
//! these are pairs the trained model never saw. FEATURES.csv has one column per feature
//! (`cell_0` .. `cell_31`, `drug_0` .. `drug_15`), GROWTH.csv the true responses.

use std::fs::File;
use std::io::{BufWriter, Write};

use darts_host::data::{builtin, Splits};
use darts_host::train::TrainConfig;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [features_path, growth_path] = args.as_slice() else {
        anyhow::bail!("usage: uno-test-pairs FEATURES.csv GROWTH.csv");
    };

    // The same data and split as a training run with the default settings.
    let config = TrainConfig::default();
    let data = builtin("uno", config.seed)?;
    let rest = 1.0 - config.test_fraction;
    let splits = Splits::new(
        rest * (1.0 - config.valid_fraction),
        rest * config.valid_fraction,
        config.test_fraction,
    );
    let (_, _, test) = data.split(splits, config.seed)?;

    let (rows, columns) = (test.inputs.size()[0], test.inputs.size()[1]);
    let mut features = BufWriter::new(File::create(features_path)?);
    let names: Vec<String> = (0..columns)
        .map(|c| if c < 32 { format!("cell_{c}") } else { format!("drug_{}", c - 32) })
        .collect();
    writeln!(features, "{}", names.join(","))?;
    let mut growth = BufWriter::new(File::create(growth_path)?);
    writeln!(growth, "growth")?;
    for row in 0..rows {
        let values: Vec<String> = (0..columns)
            .map(|c| format!("{}", test.inputs.double_value(&[row, c]) as f32))
            .collect();
        writeln!(features, "{}", values.join(","))?;
        writeln!(growth, "{}", test.targets[0].double_value(&[row]) as f32)?;
    }
    eprintln!("wrote {rows} test pairs to {features_path} and their growth to {growth_path}");
    Ok(())
}
