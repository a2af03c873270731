//! Checks a plugin author runs from their own tests: every primitive the plugin registers
//! builds, returns the right shapes at stride 1 and 2, passes gradients to its input and to
//! every parameter, works in training and evaluation mode, and is deterministic in
//! evaluation mode.
//!
//! ```ignore
//! #[test]
//! fn primitives_pass_the_plugin_checks() {
//!     darts_plugin_api::testing::assert_primitives_work(16);
//! }
//! ```
//!
//! The checks go through the same path the host uses ([`registry::build`] and the
//! primitive object's `forward`), so a panic is reported as the host would report it.

use abi_stable::std_types::{RResult, RStr};
use tch::{Device, Kind, Tensor};

use crate::primitive::PrimitiveSpec;
use crate::registry::{self, Registration};
use crate::tensor::RTensor;

/// The spatial size of each axis of the test inputs.
const SIZE: i64 = 8;

/// The examples per test batch.
const BATCH: i64 = 4;

/// Runs every check on every primitive registered in this library at `channels` channels
/// and returns one sentence per problem found; empty when all pass.
pub fn check_primitives(channels: i64) -> Vec<String> {
    let mut problems = Vec::new();
    for registration in registry::registrations() {
        let strides: &[i64] = if registration.supports_stride2 { &[1, 2] } else { &[1] };
        for &stride in strides {
            for affine in [false, true] {
                let spec = PrimitiveSpec::new(channels).with_stride(stride).with_affine(affine);
                if let Err(problem) = check_one(registration, spec) {
                    problems.push(format!(
                        "`{}` at stride {stride}, affine {affine}: {problem}",
                        registration.name
                    ));
                }
            }
        }
    }
    if registry::registrations().is_empty() {
        problems
            .push("the library registers no primitive (use darts_plugin_api::primitive!)".into());
    }
    problems
}

/// Panics with every problem [`check_primitives`] finds, one per line.
pub fn assert_primitives_work(channels: i64) {
    let problems = check_primitives(channels);
    if !problems.is_empty() {
        // Printed as well as panicked with: building a primitive installs the plugin API's
        // panic hook, which records panics instead of printing them.
        let report = format!("{} problem(s):\n{}", problems.len(), problems.join("\n"));
        eprintln!("{report}");
        panic!("{report}");
    }
}

/// All checks of one primitive built from one spec.
fn check_one(registration: &Registration, spec: PrimitiveSpec) -> Result<(), String> {
    let built = match registry::build(RStr::from_str(registration.name), spec) {
        RResult::ROk(built) => built,
        RResult::RErr(message) => return Err(format!("does not build: {message}")),
    };
    let variables: Vec<(String, Tensor, bool)> = built
        .variables
        .into_iter()
        .map(|v| (v.name.to_string(), v.tensor.into_tensor(), v.trainable))
        .collect();
    let forward = |input: &Tensor, train: bool| -> Result<Tensor, String> {
        match built.object.forward(RTensor::new(input.shallow_clone()), train) {
            RResult::ROk(output) => Ok(output.into_tensor()),
            RResult::RErr(message) => Err(format!("forward fails (train {train}): {message}")),
        }
    };

    // Shapes, in training mode, with gradients to the input and the parameters.
    let mut shape = vec![BATCH, spec.channels];
    shape.extend(std::iter::repeat_n(SIZE, registration.layout.spatial_dims()));
    let input = Tensor::randn(&shape, (Kind::Float, Device::Cpu)).set_requires_grad(true);
    let output = forward(&input, true)?;
    let mut expected = shape.clone();
    for axis in expected.iter_mut().skip(2) {
        *axis = (*axis + spec.stride - 1) / spec.stride;
    }
    if output.size() != expected {
        return Err(format!(
            "returns shape {:?} for input {shape:?}, expected {expected:?} ({} layout)",
            output.size(),
            registration.layout
        ));
    }
    let weights = Tensor::randn(output.size(), (Kind::Float, Device::Cpu));
    (&output * &weights).sum(Kind::Float).backward();
    if !input.grad().defined() {
        return Err("passes no gradient to its input".into());
    }
    for (name, tensor, trainable) in &variables {
        if !trainable {
            continue;
        }
        let grad = tensor.grad();
        if !grad.defined() || grad.abs().sum(Kind::Double).double_value(&[]) == 0.0 {
            return Err(format!("its parameter `{name}` receives no gradient"));
        }
        if grad.isfinite().all().int64_value(&[]) == 0 {
            return Err(format!("its parameter `{name}` receives a non-finite gradient"));
        }
    }

    // Evaluation mode: the same shape, and the same answer twice.
    let input = input.detach();
    let first = tch::no_grad(|| forward(&input, false))?;
    let second = tch::no_grad(|| forward(&input, false))?;
    if first.size() != expected {
        return Err(format!(
            "returns shape {:?} in evaluation mode, expected {expected:?}",
            first.size()
        ));
    }
    if !first.equal(&second) {
        return Err("is not deterministic in evaluation mode".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use tch::nn::{self, Module};

    use super::check_primitives;
    use crate::{primitive, BuildResult, PrimitiveSpec};

    primitive! {
        name: "test_identity",
        layout: Flat,
        stride2: false,
        description: "well behaved",
        build: identity,
    }
    fn identity(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
        let linear = nn::linear(path / "op", spec.channels, spec.channels, Default::default());
        Ok(Box::new(nn::func_t(move |xs, _| linear.forward(xs))))
    }

    primitive! {
        name: "test_narrowing",
        layout: Flat,
        stride2: false,
        description: "returns half the features",
        build: narrowing,
    }
    fn narrowing(_: &nn::Path, _: &PrimitiveSpec) -> BuildResult {
        Ok(Box::new(nn::func(|xs| xs.narrow(1, 0, xs.size()[1] / 2))))
    }

    primitive! {
        name: "test_unused_parameter",
        layout: Flat,
        stride2: false,
        description: "creates a parameter forward never uses",
        build: unused_parameter,
    }
    fn unused_parameter(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
        let _ = path.var("idle", &[spec.channels], nn::Init::Const(1.0));
        Ok(Box::new(nn::func(|xs| xs * 2.0)))
    }

    #[test]
    fn the_checks_name_each_broken_primitive_and_pass_the_good_one() {
        let problems = check_primitives(6);
        let about = |name: &str| problems.iter().filter(|p| p.contains(name)).count();
        assert_eq!(about("`test_identity`"), 0, "{problems:#?}");
        assert!(about("`test_narrowing`") > 0, "{problems:#?}");
        assert!(
            problems.iter().any(|p| p.contains("`test_unused_parameter`") && p.contains("`idle`")),
            "{problems:#?}"
        );
    }
}
