//! The CSV reader, with options chosen by the first two bytes (see `fuzz_inputs::csv`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| darts_tests::fuzz_inputs::csv(data));
