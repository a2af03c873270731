//! The genotype text reader, `Genotype::from_text`, and the round trips of what it accepts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| darts_tests::fuzz_inputs::genotype_text(data));
