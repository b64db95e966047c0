//! Fuzz target: any bytes as a round file. Parsing never panics, what parses
//! survives a write and a re-read unchanged, and folding it into a history
//! view (the page's fallback for buckets without views) never panics either
//! and writes a view that parses again.
#![no_main]

use checkup_model::contract::node_view::NodeView;
use checkup_model::contract::file_name::ResultFileName;
use checkup_model::derive::overview;
use libfuzzer_sys::fuzz_target;

#[path = "../shared/page_arithmetic.rs"]
mod page_arithmetic;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(results) = checkup_model::parse_round(text) else { return };
    let written = serde_json::to_string(&results).expect("parsed results serialize");
    let again = checkup_model::parse_round(&written).expect("written results parse");
    assert_eq!(again, results);
    for r in &results {
        let _ = r.stats();
    }

    let started = results.iter().map(|r| r.timestamp).min().unwrap_or(0);
    let name = ResultFileName { timestamp: started, node: Some("fuzz".into()) };
    let views = overview::views_from_rounds([(&name, results.as_slice())]);
    for view in &views {
        let stored = serde_json::to_string(view).expect("a view serializes");
        NodeView::parse(&stored).expect("a view the model built parses again");
    }
    page_arithmetic::exercise(&views, started.div_euclid(1_000_000_000));
});
