//! The architecture gradients against independent computations, on a tiny supernet in
//! double precision built from the real conv2d plugin: first order against central finite
//! differences of the validation loss, second order against the exact unrolled gradient
//! computed with double backward.

use darts_host::optim::{Sgd, SgdConfig};
use darts_host::search::{
    alpha_gradient, batch_loss, unrolled_alpha_gradient, Batch, HeadKind, Objective, Order,
    WeightState,
};
use darts_host::supernet::{Supernet, SupernetConfig};
use darts_plugin_api::Layout;
use darts_tests::load_plugins;
use tch::nn;
use tch::{Device, Kind, Tensor};

/// Examples per batch.
const BATCH: i64 = 32;

/// Held by each test while it draws from libtorch's process-wide generator, so that the
/// tests see the same networks and batches however the test threads interleave.
static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A tiny supernet in double precision and batches for it.
struct Setup {
    store: nn::VarStore,
    net: Supernet,
    objective: Objective,
    input_shape: Vec<i64>,
}

/// Image layout from the conv2d plugin: 3 cells (the last two reducing), 2 nodes, 4
/// channels, on 1x8x8 images.
fn image_supernet() -> Setup {
    let primitives = ["sep_conv_3x3", "max_pool_3x3", "skip_connect", "none"];
    build(Layout::Image, "conv2d", &primitives, vec![1, 8, 8], 4, 3)
}

/// Flat layout from the linear plugin: 2 cells, 2 nodes, 4 features, on 3 features.
///
/// Few activations, so the finite-difference perturbation of the unrolled step rarely
/// moves one across a ReLU kink; on larger networks the approximation the paper uses is
/// only as good as the network is smooth at the scale `0.01 / ||v||`. Batches of 32 keep
/// any feature from being zero for the whole batch, which BatchNorm would turn into an
/// activation at exactly the kink, where the exact gradient itself is undefined.
fn flat_supernet() -> Setup {
    let primitives = ["linear_block", "encoder", "skip_connect", "none"];
    build(Layout::Flat, "linear", &primitives, vec![3], 4, 2)
}

fn build(
    layout: Layout,
    plugin: &str,
    primitives: &[&str],
    input_shape: Vec<i64>,
    channels: i64,
    cells: usize,
) -> Setup {
    tch::manual_seed(7);
    let plugins = load_plugins(&[plugin]);
    let primitives = primitives.iter().map(|name| plugins.resolve(name).unwrap()).collect();
    let mut config = SupernetConfig::new(layout, input_shape.clone(), vec![3], primitives);
    config.channels = channels;
    config.cells = cells;
    config.nodes = 2;
    config.multiplier = 2;
    config.stem_multiplier = 1;

    let mut store = nn::VarStore::new(Device::Cpu);
    let mut net = Supernet::new(&store.root(), &plugins, config).unwrap();
    store.set_kind(Kind::Double);
    net.set_alpha_kind(Kind::Double);
    // Alphas away from zero, so the softmax is not flat and the gradient is informative.
    tch::no_grad(|| {
        for alpha in net.alphas() {
            alpha.shallow_clone().copy_(&(Tensor::randn_like(alpha) * 0.5));
        }
    });
    // Plugins stay loaded for the life of the process, so the set may go out of scope.
    let objective = Objective::new(vec![HeadKind::Classification { classes: 3 }]);
    Setup { store, net, objective, input_shape }
}

fn batch(setup: &Setup, seed: i64) -> Batch {
    tch::manual_seed(seed);
    let mut shape = vec![BATCH];
    shape.extend(&setup.input_shape);
    Batch {
        inputs: Tensor::randn(&shape, (Kind::Double, Device::Cpu)),
        targets: vec![Tensor::randint(3, [BATCH], (Kind::Int64, Device::Cpu))],
    }
}

fn trainable(store: &nn::VarStore) -> Vec<Tensor> {
    store.trainable_variables()
}

fn buffers(store: &nn::VarStore) -> Vec<Tensor> {
    store.variables().into_values().filter(|v| !v.requires_grad()).collect()
}

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

#[test]
fn first_order_gradient_matches_finite_differences() {
    let _generator = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let setup = image_supernet();
    let Setup { store, net, objective, .. } = &setup;
    let (train, valid) = (batch(&setup, 1), batch(&setup, 2));
    let optimizer = Sgd::new(trainable(store), SgdConfig { momentum: 0.9, weight_decay: 3e-4 });
    let buffers = buffers(store);
    let state = WeightState { optimizer: &optimizer, lr: 0.025, buffers: &buffers };

    let analytic = alpha_gradient(net, objective, &state, &train, &valid, Order::First).unwrap();

    let h = 1e-6;
    let loss_at = || tch::no_grad(|| batch_loss(net, objective, &valid).unwrap().double_value(&[]));
    for (which, alpha) in net.alphas().into_iter().enumerate() {
        let flat = alpha.view(-1);
        for index in 0..flat.numel() as i64 {
            let original = flat.double_value(&[index]);
            let _ = tch::no_grad(|| flat.get(index).fill_(original + h));
            let up = loss_at();
            let _ = tch::no_grad(|| flat.get(index).fill_(original - h));
            let down = loss_at();
            let _ = tch::no_grad(|| flat.get(index).fill_(original));
            let numeric = (up - down) / (2.0 * h);
            let exact = analytic[which].view(-1).double_value(&[index]);
            assert!(
                (numeric - exact).abs() <= 1e-6 + 1e-5 * exact.abs(),
                "alpha {which}[{index}]: analytic {exact}, finite difference {numeric}"
            );
        }
    }
    assert!(max_abs(&analytic[0]) > 1e-4, "the gradient should not vanish");
}

#[test]
fn second_order_gradient_matches_exact_unrolled_gradient() {
    let _generator = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let setup = flat_supernet();
    let Setup { store, net, objective, .. } = &setup;
    let (train, valid) = (batch(&setup, 3), batch(&setup, 4));
    let config = SgdConfig { momentum: 0.9, weight_decay: 3e-4 };
    let mut optimizer = Sgd::new(trainable(store), config);
    let buffers = buffers(store);
    let xi = 0.05;

    // Two real weight steps, so the momentum buffers the unrolled step reads exist.
    for _ in 0..2 {
        optimizer.zero_grad();
        batch_loss(net, objective, &train).unwrap().backward();
        optimizer.step(xi);
    }
    let parameters: Vec<Tensor> =
        optimizer.parameters().iter().map(Tensor::shallow_clone).collect();
    let w: Vec<Tensor> = tch::no_grad(|| parameters.iter().map(Tensor::copy).collect());

    let state = WeightState { optimizer: &optimizer, lr: xi, buffers: &buffers };
    let approximate =
        alpha_gradient(net, objective, &state, &train, &valid, Order::Second).unwrap();
    let finer: Vec<(f64, [Tensor; 2])> = [1e-3, 1e-4, 1e-5, 1e-6]
        .into_iter()
        .map(|step| {
            (step, unrolled_alpha_gradient(net, objective, &state, &train, &valid, step).unwrap())
        })
        .collect();

    // The weights and buffers are as they were.
    for (p, saved) in parameters.iter().zip(&w) {
        assert_eq!(max_abs(&(p - saved)), 0.0, "alpha_gradient left the weights changed");
    }

    // Exact: w' from the momentum SGD step, then d/d alpha of L_val(w'(alpha), alpha)
    // = dL_val/d alpha at w' - xi * (d^2 L_train / d alpha dw at w) . v,
    // with v = dL_val/dw' and the mixed second derivative by double backward.
    let alphas = net.alphas();
    let train_loss = batch_loss(net, objective, &train).unwrap();
    let g = Tensor::run_backward(&[&train_loss], &parameters, false, false);
    tch::no_grad(|| {
        for (((p, w0), g), b) in parameters.iter().zip(&w).zip(&g).zip(optimizer.buffers()) {
            let b = b.as_ref().expect("momentum buffer after two steps");
            let step = b * config.momentum + g + w0 * config.weight_decay;
            p.shallow_clone().copy_(&(w0 - step * xi));
        }
    });
    let valid_loss = batch_loss(net, objective, &valid).unwrap();
    let mut inputs: Vec<&Tensor> = alphas.to_vec();
    inputs.extend(parameters.iter());
    let mut grads = Tensor::run_backward(&[&valid_loss], &inputs, false, false);
    let v = grads.split_off(2);
    tch::no_grad(|| {
        for (p, w0) in parameters.iter().zip(&w) {
            p.shallow_clone().copy_(w0);
        }
    });

    let train_loss = batch_loss(net, objective, &train).unwrap();
    let g = Tensor::run_backward(&[&train_loss], &parameters, true, true);
    let mut dot = Tensor::zeros([], (Kind::Double, Device::Cpu));
    for (g, v) in g.iter().zip(&v) {
        if g.defined() && v.defined() {
            dot += (g * v.detach()).sum(Kind::Double);
        }
    }
    let hessian = Tensor::run_backward(&[&dot], &alphas, false, false);

    // Where the loss is smooth around w, the error of the central difference falls with the
    // square of the step, to nearly nothing well below the paper's step. A step may still
    // carry some activation across a ReLU kink, where the difference quotient of the
    // gradient jumps; that becomes unlikely as the step shrinks, so the best of four small
    // steps must agree closely: a wrong unrolled formula (a sign, the momentum term, the
    // weight decay, the point of the Hessian) would agree at none. At the paper's step
    // (0.01 / ||v||) the agreement is looser for the same reason.
    for which in 0..2 {
        if !grads[which].defined() {
            // The flat layout has no reduction cells: their alphas get a zero gradient.
            assert_eq!(which, 1);
            assert_eq!(max_abs(&approximate[1]), 0.0);
            continue;
        }
        let exact = &grads[which] - &hessian[which] * xi;
        let scale = max_abs(&exact);
        let error = |g: &[Tensor; 2]| max_abs(&(&g[which] - &exact));
        let paper = error(&approximate);
        let errors: Vec<f64> = finer.iter().map(|(_, g)| error(g)).collect();
        let shown: Vec<String> = finer
            .iter()
            .zip(&errors)
            .map(|((step, _), e)| format!("{step:.0e}: {e:.2e}"))
            .collect();
        let shown = shown.join(", ");
        println!(
            "alphas {which}: max |exact| {scale:.2e}; max error at 1e-2: {paper:.2e}, {shown}"
        );
        let best = errors.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(scale > 1e-5, "the exact gradient should not vanish");
        assert!(best <= 1e-7 * scale, "alphas {which}: no small step agrees: {shown}");
        assert!(paper <= 0.25 * scale, "alphas {which}: error {paper:.3e} at the paper's step");
    }

    // And the unrolled term matters: second order differs from first order here.
    let first = alpha_gradient(net, objective, &state, &train, &valid, Order::First).unwrap();
    assert!(max_abs(&(&first[0] - &approximate[0])) > 1e-8);
}
