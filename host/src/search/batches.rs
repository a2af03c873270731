//! Cutting a data set into batches, in a seeded order.

use rand::seq::SliceRandom;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use super::objective::Batch;
use crate::data::Dataset;

/// The order of one pass over `len` examples: shuffled from `(seed, pass)` when `shuffle`,
/// else in order; cut into `[batch_size]` index tensors, the last one possibly smaller, or
/// one larger where a single example would be left over.
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
    let mut batches: Vec<&[i64]> = order.chunks(batch_size.max(1)).collect();
    // A last batch of a single example would make BatchNorm's unbiased running variance
    // NaN (0 / 0) in training mode; it joins the batch before it instead.
    if batches.len() > 1 && batches.last().is_some_and(|b| b.len() == 1) {
        batches.pop();
        let start = (batches.len() - 1) * batch_size.max(1);
        *batches.last_mut().expect("more than one batch") = &order[start..];
    }
    batches.into_iter().map(Tensor::from_slice).collect()
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

#[cfg(test)]
mod tests {
    use super::batch_indices;

    fn sizes(len: usize, batch_size: usize) -> Vec<i64> {
        batch_indices(len, batch_size, Some((1, 0))).iter().map(|b| b.size()[0]).collect()
    }

    #[test]
    fn every_example_once_and_no_batch_of_one_after_another() {
        assert_eq!(sizes(10, 4), [4, 4, 2]);
        assert_eq!(sizes(9, 4), [4, 5]);
        assert_eq!(sizes(1, 4), [1]);
        let mut seen: Vec<i64> = batch_indices(65, 64, Some((3, 2)))
            .iter()
            .flat_map(|b| Vec::<i64>::try_from(b).unwrap())
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..65).collect::<Vec<i64>>());
    }
}
