//! Load and check a one-file unit made of arbitrary bytes; the first byte picks which file of the
//! content model the bytes are (unit.yaml, services/*.md, fees.yaml, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    gongkai::fuzz_one(data);
});
