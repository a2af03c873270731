//! The architecture step: the gradient of the validation loss with respect to the alphas,
//! first order or through one unrolled weight step (second order), then an Adam step.

use tch::{Kind, Tensor};

use super::objective::{Batch, Objective};
use crate::optim::{Adam, Sgd};
use crate::plugins::Result;
use crate::supernet::Supernet;

/// How the alpha gradient is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// The alpha gradient of the validation loss at the current weights.
    First,
    /// The alpha gradient of the validation loss after one virtual weight step, with the
    /// Hessian-vector product approximated by finite differences (DARTS, eq. 7-8).
    Second,
}

/// Updates the alphas of a supernet.
#[derive(Debug)]
pub struct Architect {
    adam: Adam,
    order: Order,
}

/// The state of the weight side that the architecture step reads.
pub struct WeightState<'a> {
    /// The weight optimizer: its parameters, momentum buffers and weight decay.
    pub optimizer: &'a Sgd,
    /// The current weight learning rate, the `xi` of the unrolled step.
    pub lr: f64,
    /// The network's buffers (BatchNorm running statistics), restored after the step so
    /// that the extra forward passes of the architecture step leave no trace in them.
    pub buffers: &'a [Tensor],
}

impl Architect {
    /// An architect updating `net`'s alphas with `adam`'s settings.
    pub fn new(adam: Adam, order: Order) -> Self {
        Architect { adam, order }
    }

    /// The order in use.
    pub fn order(&self) -> Order {
        self.order
    }

    /// The alphas' Adam, whose state checkpoints keep.
    pub fn optimizer(&self) -> &Adam {
        &self.adam
    }

    /// The alphas' Adam, to restore its state.
    pub fn optimizer_mut(&mut self) -> &mut Adam {
        &mut self.adam
    }

    /// One architecture step: computes the alpha gradient on `train` and `valid` batches
    /// and applies an Adam step to the alphas. Returns `false`, and leaves the alphas and
    /// Adam as they were, when the gradient holds a NaN or an infinity.
    pub fn step(
        &mut self,
        net: &Supernet,
        objective: &Objective,
        weights: &WeightState<'_>,
        train: &Batch,
        valid: &Batch,
    ) -> Result<bool> {
        let gradient = alpha_gradient(net, objective, weights, train, valid, self.order)?;
        let finite =
            tch::no_grad(|| gradient.iter().all(|g| g.isfinite().all().int64_value(&[]) != 0));
        if finite {
            self.adam.step_with(&gradient);
        }
        Ok(finite)
    }
}

/// The alpha gradient of the order asked for, `[normal, reduce]`, without touching any
/// `.grad` of the network, and with the weights and buffers as they were.
pub fn alpha_gradient(
    net: &Supernet,
    objective: &Objective,
    weights: &WeightState<'_>,
    train: &Batch,
    valid: &Batch,
    order: Order,
) -> Result<[Tensor; 2]> {
    let saved_buffers = snapshot(weights.buffers);
    let result = match order {
        Order::First => first_order(net, objective, valid),
        Order::Second => second_order(net, objective, weights, train, valid, FD_SCALE),
    };
    restore(weights.buffers, &saved_buffers);
    result
}

/// The paper's finite-difference step: `eps = FD_SCALE / ||v||`.
pub const FD_SCALE: f64 = 0.01;

/// The second-order alpha gradient with the finite-difference step `eps = fd_scale / ||v||`
/// instead of the paper's [`FD_SCALE`]; weights and buffers are left as they were.
///
/// A smaller step approximates the Hessian-vector product better where the loss is smooth,
/// and worse where rounding dominates; gradient checks use it to compare with the exact
/// value.
pub fn unrolled_alpha_gradient(
    net: &Supernet,
    objective: &Objective,
    weights: &WeightState<'_>,
    train: &Batch,
    valid: &Batch,
    fd_scale: f64,
) -> Result<[Tensor; 2]> {
    let saved_buffers = snapshot(weights.buffers);
    let result = second_order(net, objective, weights, train, valid, fd_scale);
    restore(weights.buffers, &saved_buffers);
    result
}

/// `d L_val(w, alpha) / d alpha`.
fn first_order(net: &Supernet, objective: &Objective, valid: &Batch) -> Result<[Tensor; 2]> {
    let loss = batch_loss(net, objective, valid)?;
    let alphas = net.alphas();
    let grads = Tensor::run_backward(&[&loss], &alphas, false, false);
    Ok(pair(grads, &alphas))
}

/// The unrolled gradient `d L_val(w', alpha) / d alpha - xi * H`, with
/// `w' = w - xi * (momentum * b + dL_train/dw + wd * w)`,
/// `H = (dL_train(w+)/d alpha - dL_train(w-)/d alpha) / (2 eps)`, `w+- = w +- eps v`,
/// `v = dL_val(w')/dw'`, `eps = fd_scale / ||v||`.
fn second_order(
    net: &Supernet,
    objective: &Objective,
    state: &WeightState<'_>,
    train: &Batch,
    valid: &Batch,
    fd_scale: f64,
) -> Result<[Tensor; 2]> {
    let parameters = state.optimizer.parameters();
    let config = state.optimizer.config();
    let xi = state.lr;
    let alphas = net.alphas();
    let original: Vec<Tensor> = tch::no_grad(|| parameters.iter().map(Tensor::copy).collect());

    // The virtual step w' on the training batch.
    let train_loss = batch_loss(net, objective, train)?;
    let grads = Tensor::run_backward(&[&train_loss], parameters, false, false);
    tch::no_grad(|| {
        for (((parameter, grad), w), buffer) in
            parameters.iter().zip(&grads).zip(&original).zip(state.optimizer.buffers())
        {
            let mut direction = w * config.weight_decay;
            if grad.defined() {
                direction += grad;
            }
            if let Some(buffer) = buffer {
                direction += buffer * config.momentum;
            }
            parameter.shallow_clone().copy_(&(w - direction * xi));
        }
    });

    // The validation loss at w': its alpha gradient and v, its weight gradient.
    let valid_loss = batch_loss(net, objective, valid)?;
    let mut inputs: Vec<&Tensor> = alphas.to_vec();
    inputs.extend(parameters.iter());
    let mut grads = Tensor::run_backward(&[&valid_loss], &inputs, false, false);
    let weight_grads = grads.split_off(2);
    let d_alpha = pair(grads, &alphas);
    let v: Vec<Tensor> =
        weight_grads.iter().zip(parameters).map(|(g, p)| defined_or_zero(g, p)).collect();

    // The finite-difference Hessian-vector product around w.
    let norm = tch::no_grad(|| {
        let squares: Vec<Tensor> = v.iter().map(|g| g.square().sum(Kind::Double)).collect();
        Tensor::stack(&squares, 0).sum(Kind::Double).sqrt().double_value(&[])
    });
    let eps = fd_scale / norm.max(1e-12);
    let alpha_gradient_at = |sign: f64| -> Result<[Tensor; 2]> {
        tch::no_grad(|| {
            for ((parameter, w), g) in parameters.iter().zip(&original).zip(&v) {
                parameter.shallow_clone().copy_(&(w + g * (sign * eps)));
            }
        });
        let loss = batch_loss(net, objective, train)?;
        Ok(pair(Tensor::run_backward(&[&loss], &alphas, false, false), &alphas))
    };
    let plus = alpha_gradient_at(1.0);
    let minus = plus.as_ref().ok().map(|_| alpha_gradient_at(-1.0));

    // The weights go back to w whatever happened above.
    tch::no_grad(|| {
        for (parameter, w) in parameters.iter().zip(&original) {
            parameter.shallow_clone().copy_(w);
        }
    });
    let plus = plus?;
    let minus = minus.expect("computed when plus succeeded")?;

    let [normal, reduce] = d_alpha;
    let hessian = |i: usize| (&plus[i] - &minus[i]) / (2.0 * eps);
    Ok([normal - hessian(0) * xi, reduce - hessian(1) * xi])
}

/// The objective on one batch, with the network in training mode.
pub fn batch_loss(net: &Supernet, objective: &Objective, batch: &Batch) -> Result<Tensor> {
    let outputs = net.forward_t(&batch.inputs, true)?;
    Ok(objective.loss(&outputs, &batch.targets))
}

/// Two gradients as an array, an undefined one (an alpha the loss does not use, such as
/// the reduction alphas of a network without reduction cells) as zeros.
fn pair(grads: Vec<Tensor>, alphas: &[&Tensor; 2]) -> [Tensor; 2] {
    let mut grads = grads.into_iter();
    let mut next = |alpha: &Tensor| {
        let grad = grads.next().unwrap_or_default();
        defined_or_zero(&grad, alpha)
    };
    [next(alphas[0]), next(alphas[1])]
}

fn defined_or_zero(grad: &Tensor, like: &Tensor) -> Tensor {
    if grad.defined() {
        grad.detach()
    } else {
        like.zeros_like().detach()
    }
}

fn snapshot(buffers: &[Tensor]) -> Vec<Tensor> {
    tch::no_grad(|| buffers.iter().map(Tensor::copy).collect())
}

fn restore(buffers: &[Tensor], saved: &[Tensor]) {
    tch::no_grad(|| {
        for (buffer, value) in buffers.iter().zip(saved) {
            buffer.shallow_clone().copy_(value);
        }
    });
}
