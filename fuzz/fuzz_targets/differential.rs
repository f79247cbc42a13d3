//! `cargo fuzz run differential`: see `grok_fuzz::differential` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| grok_fuzz::run("differential", data));
