//! Drop path: zeroing a whole edge's output for some examples during training.

use tch::{Kind, Tensor};

/// Keeps each example's `xs` with probability `1 - prob`, scaled by `1 / (1 - prob)`, and
/// zeroes the rest: `[batch, ...]` in and out. The identity when `prob` is 0.
pub fn drop_path(xs: &Tensor, prob: f64) -> Tensor {
    if prob <= 0.0 {
        return xs.shallow_clone();
    }
    let keep = 1.0 - prob;
    let mut mask_shape = vec![xs.size()[0]];
    mask_shape.extend(std::iter::repeat_n(1, xs.dim() - 1));
    let mask = Tensor::empty(&mask_shape, (Kind::Float, xs.device()))
        .bernoulli_float_(keep)
        .to_kind(xs.kind());
    xs / keep * mask
}
