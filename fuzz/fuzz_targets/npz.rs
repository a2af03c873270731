//! The NPZ reader of a data set.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| darts_tests::fuzz_inputs::npz(data));
