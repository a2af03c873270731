//! Every primitive of the built-in plugins, loaded from the built `.so` files and called
//! through the plugin boundary: shapes at stride 1 and 2, gradients to the input and to
//! every parameter the host adopted, and training by the host's optimizer.

use darts_host::plugins::PluginError;
use darts_plugin_api::{Layout, Precision, PrimitiveSpec};
use darts_tests::load_plugins;
use tch::nn::{self, OptimizerConfig};
use tch::{Device, Kind, Tensor};

const CHANNELS: i64 = 6;

/// An input for `layout` with `CHANNELS` channels and spatial size 8.
fn input_for(layout: Layout) -> Tensor {
    let mut shape = vec![3, CHANNELS];
    shape.extend(std::iter::repeat_n(8, layout.spatial_dims()));
    Tensor::randn(&shape, (Kind::Float, Device::Cpu)).set_requires_grad(true)
}

#[test]
fn every_primitive_runs_forward_and_backward_at_stride_1_and_2() {
    tch::manual_seed(0);
    let plugins = load_plugins(&["conv2d", "conv1d", "linear"]);
    let mut checked = 0;
    for (id, info) in plugins.primitives() {
        let strides: &[i64] = if info.supports_stride2 { &[1, 2] } else { &[1] };
        for &stride in strides {
            let store = nn::VarStore::new(Device::Cpu);
            let spec = PrimitiveSpec::new(CHANNELS).with_stride(stride).with_affine(true);
            let primitive = plugins.build(&id, &store.root(), spec).unwrap();
            let input = input_for(info.layout);

            let output = primitive.forward_t(&input, true).unwrap();
            let mut expected = input.size();
            for axis in expected.iter_mut().skip(2) {
                *axis = (*axis + stride - 1) / stride;
            }
            assert_eq!(output.size(), expected, "{id} at stride {stride}");

            // A loss that depends on every output element, so every parameter is reached.
            let weights = Tensor::randn(output.size(), (Kind::Float, Device::Cpu));
            (&output * &weights).sum(Kind::Float).backward();
            assert!(input.grad().defined(), "{id} at stride {stride}: no input gradient");
            for (name, variable) in store.variables() {
                if variable.requires_grad() {
                    let grad = variable.grad();
                    assert!(grad.defined(), "{id} stride {stride}: no gradient for {name}");
                    let magnitude = grad.abs().sum(Kind::Float).double_value(&[]);
                    assert!(magnitude > 0.0, "{id} stride {stride}: zero gradient for {name}");
                }
            }
            checked += 1;
        }
    }
    // 10 + 10 primitives at two strides, 5 flat ones at one.
    assert_eq!(checked, 45);
}

#[test]
fn host_optimizer_trains_plugin_parameters() {
    // The host owns the variables a plugin created: an SGD step on the host's store must
    // change what the primitive computes, and lower a simple regression loss.
    tch::manual_seed(1);
    let plugins = load_plugins(&["conv1d"]);
    let id = plugins.resolve("sep_conv_3").unwrap();
    let store = nn::VarStore::new(Device::Cpu);
    let primitive =
        plugins.build(&id, &store.root(), PrimitiveSpec::new(CHANNELS).with_affine(true)).unwrap();
    let mut optimizer =
        nn::Sgd { momentum: 0.9, ..Default::default() }.build(&store, 0.05).unwrap();

    let input = Tensor::randn([16, CHANNELS, 12], (Kind::Float, Device::Cpu));
    let target = input.roll([1], [2]).tanh();
    let loss_at = |primitive: &darts_host::plugins::Primitive| {
        let output = primitive.forward_t(&input, true).unwrap();
        (output - &target).square().mean(Kind::Float)
    };
    let first = loss_at(&primitive).double_value(&[]);
    for _ in 0..60 {
        let loss = loss_at(&primitive);
        optimizer.backward_step(&loss);
    }
    let last = loss_at(&primitive).double_value(&[]);
    assert!(last < 0.5 * first, "loss went from {first} to {last}; expected it to halve");
}

#[test]
fn primitives_build_in_double_precision() {
    let plugins = load_plugins(&["conv2d"]);
    let id = plugins.resolve("conv2d:dil_conv_3x3").unwrap();
    let store = nn::VarStore::new(Device::Cpu);
    let spec = PrimitiveSpec::new(4).with_precision(Precision::Double);
    let primitive = plugins.build(&id, &store.root(), spec).unwrap();
    let input = Tensor::randn([2, 4, 8, 8], (Kind::Double, Device::Cpu));
    assert_eq!(primitive.forward_t(&input, true).unwrap().kind(), Kind::Double);
    for (name, variable) in store.variables() {
        assert_eq!(variable.kind(), Kind::Double, "{name}");
    }
}

#[test]
fn names_resolve_qualified_or_when_unique() {
    let plugins = load_plugins(&["conv2d", "conv1d", "linear"]);
    assert_eq!(plugins.resolve("sep_conv_3x3").unwrap().to_string(), "conv2d:sep_conv_3x3");
    assert_eq!(plugins.resolve("linear:none").unwrap().to_string(), "linear:none");
    match plugins.resolve("none") {
        Err(PluginError::AmbiguousPrimitive { candidates, .. }) => {
            assert_eq!(candidates, "conv2d:none, conv1d:none, linear:none")
        }
        other => panic!("expected an ambiguity, got {other:?}"),
    }
    assert!(matches!(
        plugins.resolve("conv1d:sep_conv_3x3"),
        Err(PluginError::UnknownPrimitive { .. })
    ));
}
