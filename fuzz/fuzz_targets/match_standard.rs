//! `cargo fuzz run match_standard`: see `grok_fuzz::match_standard` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| grok_fuzz::run("match_standard", data));
