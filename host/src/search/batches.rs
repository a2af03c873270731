//! Cutting a data set into batches, in a seeded order.

use rand::seq::SliceRandom;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use super::objective::Batch;
use crate::data::Dataset;

/// The order of one pass over `len` examples: shuffled from `(seed, pass)` when `shuffle`,
/// else in order; cut into `[batch_size]` index tensors, the last one possibly smaller.
///
/// The same seed and pass give the same order on every machine (ChaCha8 and integer
/// shuffling only).
pub fn batch_indices(len: usize, batch_size: usize, shuffle: Option<(u64, u64)>) -> Vec<Tensor> {
    let mut order: Vec<i64> = (0..len as i64).collect();
    if let Some((seed, pass)) = shuffle {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(pass);
        order.shuffle(&mut rng);
    }
    order.chunks(batch_size.max(1)).map(Tensor::from_slice).collect()
}

/// The examples at `indices` (an int64 tensor) as a batch on `device`.
pub fn gather(data: &Dataset, indices: &Tensor, device: Device) -> Batch {
    let indices = indices.to_kind(Kind::Int64);
    Batch {
        inputs: data.inputs.index_select(0, &indices).to_device(device),
        targets: data
            .targets
            .iter()
            .map(|t| t.index_select(0, &indices).to_device(device))
            .collect(),
    }
}
