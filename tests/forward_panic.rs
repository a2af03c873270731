//! A primitive that panics in forward while running (after its probe passed) returns an
//! error value naming it, and the host process carries on.

use darts_host::plugins::PluginSet;
use darts_plugin_api::PrimitiveSpec;
use darts_tests::plugin_path;
use tch::nn;
use tch::{Device, Kind, Tensor};

#[test]
fn panic_in_forward_after_the_probe_is_an_error_value() {
    // This file holds one test, so no other thread reads the environment meanwhile.
    std::env::set_var("DARTS_FAULTY_MODE", "train-panic");
    let plugins = PluginSet::load(&[plugin_path("faulty").display().to_string()]).unwrap();
    let id = plugins.resolve("faulty:faulty").unwrap();
    let store = nn::VarStore::new(Device::Cpu);
    let primitive = plugins.build(&id, &store.root(), PrimitiveSpec::new(4)).unwrap();
    let input = Tensor::randn([2, 4, 8], (Kind::Float, Device::Cpu));

    assert!(primitive.forward_t(&input, false).is_ok());
    let err = primitive.forward_t(&input, true).unwrap_err();
    let message = err.to_string();
    assert!(!err.is_bad_input(), "a failure while running is not bad input");
    assert!(message.contains("`faulty:faulty`"), "{message}");
    assert!(message.contains("deliberate panic in training forward"), "{message}");
    // The process goes on: the same primitive still answers.
    assert!(primitive.forward_t(&input, false).is_ok());
}
