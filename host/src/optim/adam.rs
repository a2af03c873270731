//! Adam with L2 weight decay, as `torch.optim.Adam` (not AdamW).

use tch::Tensor;

/// Settings of [`Adam`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f64,
    /// Decay rates of the first and second moment estimates.
    pub betas: (f64, f64),
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    /// Added to the denominator for stability.
    pub eps: f64,
}

/// The moments and step count of an [`Adam`], copied out of it.
#[derive(Debug)]
pub struct AdamState {
    /// First moment estimate per parameter.
    pub first: Vec<Tensor>,
    /// Second moment estimate per parameter.
    pub second: Vec<Tensor>,
    /// Steps taken, which set the bias corrections.
    pub steps: i64,
}

/// Adam over a fixed list of parameters.
#[derive(Debug)]
pub struct Adam {
    config: AdamConfig,
    parameters: Vec<Tensor>,
    first: Vec<Tensor>,
    second: Vec<Tensor>,
    steps: i64,
}

impl Adam {
    /// An optimizer for `parameters` (leaves that require grad), moments at zero.
    pub fn new(parameters: Vec<Tensor>, config: AdamConfig) -> Self {
        let zeros = |ps: &[Tensor]| ps.iter().map(Tensor::zeros_like).collect();
        Adam { config, first: zeros(&parameters), second: zeros(&parameters), parameters, steps: 0 }
    }

    /// The settings.
    pub fn config(&self) -> AdamConfig {
        self.config
    }

    /// Steps taken so far.
    pub fn steps(&self) -> i64 {
        self.steps
    }

    /// A copy of the moments and step count: what a checkpoint keeps, and what a skipped
    /// step restores.
    pub fn state(&self) -> AdamState {
        let copy = |ts: &[Tensor]| ts.iter().map(Tensor::copy).collect();
        AdamState { first: copy(&self.first), second: copy(&self.second), steps: self.steps }
    }

    /// Puts back moments and a step count taken with [`Adam::state`].
    ///
    /// # Panics
    /// When the moments are not one per parameter.
    pub fn set_state(&mut self, state: AdamState) {
        assert_eq!(state.first.len(), self.parameters.len(), "one first moment per parameter");
        assert_eq!(state.second.len(), self.parameters.len(), "one second moment per parameter");
        self.first = state.first;
        self.second = state.second;
        self.steps = state.steps;
    }

    /// One step from the parameters' own gradients; parameters without one are left alone.
    pub fn step(&mut self) {
        let grads: Vec<Tensor> = self.parameters.iter().map(Tensor::grad).collect();
        self.step_with(&grads);
    }

    /// One step from gradients computed elsewhere, one per parameter in order (undefined
    /// for none); used where the gradient is not the parameters' `.grad`, as for the
    /// alphas, whose gradient the architect assembles.
    pub fn step_with(&mut self, grads: &[Tensor]) {
        let AdamConfig { lr, betas: (beta1, beta2), weight_decay, eps } = self.config;
        self.steps += 1;
        let correction1 = 1.0 - beta1.powi(self.steps as i32);
        let correction2 = 1.0 - beta2.powi(self.steps as i32);
        tch::no_grad(|| {
            let moments = self.first.iter_mut().zip(self.second.iter_mut());
            for ((parameter, grad), (m, v)) in self.parameters.iter_mut().zip(grads).zip(moments) {
                if !grad.defined() {
                    continue;
                }
                let grad = if weight_decay != 0.0 {
                    grad + &*parameter * weight_decay
                } else {
                    grad.shallow_clone()
                };
                let _ = m.g_mul_scalar_(beta1).g_add_(&(&grad * (1.0 - beta1)));
                let _ = v.g_mul_scalar_(beta2).g_add_(&(grad.square() * (1.0 - beta2)));
                let denominator = (&*v / correction2).sqrt() + eps;
                let _ = parameter.g_sub_(&(&*m / denominator * (lr / correction1)));
            }
        });
    }
}
