//! `cargo fuzz run compile`: see `grok_fuzz::compile` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| grok_fuzz::run("compile", data));
