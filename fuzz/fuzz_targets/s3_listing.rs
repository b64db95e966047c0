//! Fuzz target: any bytes as a ListObjectsV2 answer. The parser returns a
//! page or an error message, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = checkup_model::s3::parse_list(text);
    }
});
