//! The genotype JSON reader, `Genotype::from_json`, and the round trips of what it accepts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| darts_tests::fuzz_inputs::genotype_json(data));
