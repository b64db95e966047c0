//! Fuzz target: any bytes as a round file. Parsing never panics, and what
//! parses survives a write and a re-read unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(results) = checkup_model::parse_round(text) {
        let written = serde_json::to_string(&results).expect("parsed results serialize");
        let again = checkup_model::parse_round(&written).expect("written results parse");
        assert_eq!(again, results);
        for r in &results {
            let _ = r.stats();
        }
        let _ = checkup_model::summary::summarize([results.as_slice()]);
    }
});
