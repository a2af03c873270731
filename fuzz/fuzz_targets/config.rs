//! The search and training config readers, then validation and writing the config back out.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| darts_tests::fuzz_inputs::config(data));
