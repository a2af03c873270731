//! The built-in `uno` data set: a generated drug-response regression.
//!
//! In the spirit of CANDLE's Uno benchmark, which predicts how well a tumour cell line grows
//! under a drug from the cell line's and the drug's features, each sample is one (cell line,
//! drug) pair. A latent factor model makes the features: every cell line and every drug has
//! a hidden vector of `latent` factors, and its observed features are a fixed random linear
//! map of those factors plus noise. The response is a saturating function of a bilinear
//! interaction between the two hidden vectors plus small main effects:
//!
//! ```text
//! r      = u' W v + (a'u + b'v) / 4
//! growth = r / sqrt(1 + r^2) + noise
//! ```
//!
//! so it lies in about `[-1, 1]` and a linear model of the features catches only the main
//! effects, while a small multilayer network learns the interaction. Each pair occurs once;
//! a random split shares cell lines and drugs between its parts, as Uno's default split does.
//!
//! The squashing is `r / sqrt(1 + r^2)` rather than `tanh` because IEEE square roots are
//! exact on every platform while `tanh` is not, and the data set must be the same bytes for
//! a seed everywhere (see the RNG module).

use darts_plugin_api::Layout;
use tch::Tensor;

use super::dataset::{Dataset, Task};
use super::error::{DataError, Result};
use super::rng::{DataRng, Stream};

/// The sizes and noise of the generated data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnoConfig {
    /// (cell line, drug) pairs to generate, at most `cell_lines * drugs`.
    pub samples: usize,
    /// Distinct cell lines.
    pub cell_lines: usize,
    /// Distinct drugs.
    pub drugs: usize,
    /// Observed features per cell line, the first part of a sample.
    pub cell_features: usize,
    /// Observed features per drug, the second part of a sample.
    pub drug_features: usize,
    /// Hidden factors per cell line and per drug.
    pub latent: usize,
    /// Standard deviation of the noise on features and on the response.
    pub noise: f64,
}

impl Default for UnoConfig {
    fn default() -> Self {
        UnoConfig {
            samples: 3000,
            cell_lines: 80,
            drugs: 50,
            cell_features: 32,
            drug_features: 16,
            latent: 4,
            noise: 0.1,
        }
    }
}

/// The `uno` data set: inputs `[samples, cell_features + drug_features]` (a cell line's
/// features, then the drug's), one regression task, `growth`.
pub fn uno(config: &UnoConfig, seed: u64) -> Result<Dataset> {
    let pairs = config.cell_lines * config.drugs;
    let sizes = [config.cell_features, config.drug_features, config.latent];
    if config.samples == 0
        || config.samples > pairs
        || sizes.contains(&0)
        || !(config.noise >= 0.0 && config.noise.is_finite())
    {
        return Err(DataError::Invalid {
            dataset: "uno".to_string(),
            reason: format!(
                "{config:?}: samples must be 1..=cell_lines * drugs, sizes positive and the \
                 noise a finite number >= 0"
            ),
        });
    }
    let mut rng = DataRng::new(seed, Stream::Uno);
    let k = config.latent;

    // Hidden factors and the features they show.
    let cell_latents = normal_matrix(&mut rng, config.cell_lines, k, 1.0);
    let drug_latents = normal_matrix(&mut rng, config.drugs, k, 1.0);
    let cell_map = normal_matrix(&mut rng, config.cell_features, k, 1.0 / (k as f64).sqrt());
    let drug_map = normal_matrix(&mut rng, config.drug_features, k, 1.0 / (k as f64).sqrt());
    let cell_rows = observe(&mut rng, &cell_latents, &cell_map, config.noise);
    let drug_rows = observe(&mut rng, &drug_latents, &drug_map, config.noise);

    // The response: W scaled so that u'Wv has unit variance; main effects a and b, kept
    // small (variance 1/8 together) so that most of the response is the interaction.
    let interaction = normal_matrix(&mut rng, k, k, 1.0 / k as f64);
    let cell_effect = normal_matrix(&mut rng, 1, k, 1.0 / (k as f64).sqrt()).remove(0);
    let drug_effect = normal_matrix(&mut rng, 1, k, 1.0 / (k as f64).sqrt()).remove(0);

    // Distinct pairs: the first `samples` of a shuffle of all of them.
    let mut order: Vec<usize> = (0..pairs).collect();
    rng.shuffle(&mut order);

    let width = config.cell_features + config.drug_features;
    let mut inputs = Vec::with_capacity(config.samples * width);
    let mut growth = Vec::with_capacity(config.samples);
    for &pair in &order[..config.samples] {
        let (cell, drug) = (pair / config.drugs, pair % config.drugs);
        let (u, v) = (&cell_latents[cell], &drug_latents[drug]);
        inputs.extend(cell_rows[cell].iter().chain(&drug_rows[drug]).map(|&x| x as f32));

        let bilinear: f64 = (0..k).map(|i| u[i] * dot(&interaction[i], v)).sum();
        let main = (dot(&cell_effect, u) + dot(&drug_effect, v)) / 4.0;
        let response = bilinear + main;
        let squashed = response / (1.0 + response * response).sqrt();
        growth.push((squashed + config.noise * rng.normal()) as f32);
    }

    Dataset::new(
        "uno",
        Layout::Flat,
        Tensor::from_slice(&inputs).reshape([config.samples as i64, width as i64]),
        vec![Task::regression("growth")],
        vec![Tensor::from_slice(&growth)],
    )
}

/// A `rows x columns` matrix of normal draws times `scale`, as rows.
fn normal_matrix(rng: &mut DataRng, rows: usize, columns: usize, scale: f64) -> Vec<Vec<f64>> {
    (0..rows).map(|_| (0..columns).map(|_| scale * rng.normal()).collect()).collect()
}

/// The observed features of each hidden vector: `map` times the vector, plus noise.
fn observe(rng: &mut DataRng, latents: &[Vec<f64>], map: &[Vec<f64>], noise: f64) -> Vec<Vec<f64>> {
    latents
        .iter()
        .map(|latent| map.iter().map(|row| dot(row, latent) + noise * rng.normal()).collect())
        .collect()
}

/// The dot product, summed left to right so the result is the same everywhere.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
