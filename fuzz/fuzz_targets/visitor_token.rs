#![no_main]
// See fuzz/src/lib.rs: `provixchat_fuzz::visitor_token` says what this target feeds and checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| provixchat_fuzz::visitor_token(data));
