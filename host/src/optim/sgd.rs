//! Stochastic gradient descent with momentum and weight decay, as `torch.optim.SGD`.

use tch::Tensor;

/// Settings of [`Sgd`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    /// Momentum factor.
    pub momentum: f64,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
}

/// SGD over a fixed list of parameters: `d = g + wd * w`, `b = momentum * b + d` (`b = d`
/// on the first step), `w -= lr * b`.
#[derive(Debug)]
pub struct Sgd {
    config: SgdConfig,
    parameters: Vec<Tensor>,
    buffers: Vec<Option<Tensor>>,
}

impl Sgd {
    /// An optimizer for `parameters` (leaves that require grad).
    pub fn new(parameters: Vec<Tensor>, config: SgdConfig) -> Self {
        let buffers = parameters.iter().map(|_| None).collect();
        Sgd { config, parameters, buffers }
    }

    /// The settings.
    pub fn config(&self) -> SgdConfig {
        self.config
    }

    /// The parameters, in the order the momentum buffers follow.
    pub fn parameters(&self) -> &[Tensor] {
        &self.parameters
    }

    /// The momentum buffer of each parameter; `None` before its first step.
    pub fn buffers(&self) -> &[Option<Tensor>] {
        &self.buffers
    }

    /// A copy of the momentum buffers, to put back with [`Sgd::set_buffers`]: what a
    /// checkpoint keeps, and what a skipped step restores.
    pub fn copy_buffers(&self) -> Vec<Option<Tensor>> {
        self.buffers.iter().map(|b| b.as_ref().map(Tensor::copy)).collect()
    }

    /// Replaces the momentum buffers, one per parameter in order (`None` before a
    /// parameter's first step).
    ///
    /// # Panics
    /// When `buffers` does not have one entry per parameter.
    pub fn set_buffers(&mut self, buffers: Vec<Option<Tensor>>) {
        assert_eq!(buffers.len(), self.parameters.len(), "one momentum buffer per parameter");
        self.buffers = buffers;
    }

    /// Clears every parameter's gradient.
    pub fn zero_grad(&mut self) {
        for parameter in &mut self.parameters {
            parameter.zero_grad();
        }
    }

    /// One step at learning rate `lr`. Parameters without a gradient are left alone.
    pub fn step(&mut self, lr: f64) {
        let SgdConfig { momentum, weight_decay } = self.config;
        tch::no_grad(|| {
            for (parameter, buffer) in self.parameters.iter_mut().zip(&mut self.buffers) {
                let grad = parameter.grad();
                if !grad.defined() {
                    continue;
                }
                let direction =
                    if weight_decay != 0.0 { grad + &*parameter * weight_decay } else { grad };
                let direction = if momentum != 0.0 {
                    match buffer {
                        Some(buffer) => {
                            let _ = buffer.g_mul_scalar_(momentum).g_add_(&direction);
                            buffer.shallow_clone()
                        }
                        None => {
                            let fresh = direction.copy();
                            *buffer = Some(fresh.shallow_clone());
                            fresh
                        }
                    }
                } else {
                    direction
                };
                let _ = parameter.g_sub_(&(direction * lr));
            }
        });
    }
}
