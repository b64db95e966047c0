//! Fuzz target: any bytes as a checker config, read both as TOML and as
//! checkup.json. Loading never panics, and every error renders (the
//! line/column/caret code slices the input by positions the parsers report).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["fuzz.toml", "checkup.json"] {
        if let Err(e) = checker::config::from_str(text, Path::new(name)) {
            let _ = e.to_string();
        }
    }
});
