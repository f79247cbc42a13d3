//! `cargo fuzz run library`: see `grok_fuzz::library` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| grok_fuzz::run("library", data));
