//! Fuzz target: any bytes as a node's history view, which the page reads from
//! storage it does not trust. Parsing returns a view or an error, and
//! everything the page computes from a view that parsed (or from its
//! summary) never panics.
#![no_main]

use checkup_model::contract::node_view::NodeView;
use libfuzzer_sys::fuzz_target;

#[path = "../shared/page_arithmetic.rs"]
mod page_arithmetic;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(view) = NodeView::parse(text) else { return };
    let now = view.updated.div_euclid(1_000_000_000);
    let summary = view.summary();
    page_arithmetic::exercise(&[view, summary], now);
});
