//! Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`.

use tch::{Kind, Tensor};

/// Scales the gradients of `parameters` so that their global L2 norm is at most
/// `max_norm`, and returns the norm before clipping. Parameters without a gradient are
/// ignored.
pub fn clip_grad_norm(parameters: &[Tensor], max_norm: f64) -> f64 {
    let grads: Vec<Tensor> = parameters.iter().map(Tensor::grad).filter(Tensor::defined).collect();
    if grads.is_empty() {
        return 0.0;
    }
    let total = tch::no_grad(|| {
        let squares: Vec<Tensor> = grads.iter().map(|g| g.square().sum(Kind::Double)).collect();
        Tensor::stack(&squares, 0).sum(Kind::Double).sqrt().double_value(&[])
    });
    let scale = max_norm / (total + 1e-6);
    if scale < 1.0 {
        tch::no_grad(|| {
            for mut grad in grads {
                let _ = grad.g_mul_scalar_(scale);
            }
        });
    }
    total
}
