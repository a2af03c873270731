//! The NPY reader of a prediction's inputs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| darts_tests::fuzz_inputs::npy(data));
