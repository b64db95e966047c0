//! Fuzz target: any bytes as a node's latest object, which the page reads
//! from storage it does not trust on every refresh and folds into the view
//! it holds. Parsing returns an object or an error; folding a tail either
//! succeeds or leaves the view as it was, and never panics; what the page
//! computes from the result never panics either.
#![no_main]

use checkup_model::contract::latest::LatestTail;
use checkup_model::contract::node_view::NodeView;
use checkup_model::{Attempt, CheckResult, Status};
use libfuzzer_sys::fuzz_target;

#[path = "../shared/page_arithmetic.rs"]
mod page_arithmetic;

const SEC: i64 = 1_000_000_000;
/// The seed's round time: a UTC midnight.
const LAST: i64 = 1_700_006_400;

/// The view the page holds: 30 one-minute rounds of "Web" up to `LAST`,
/// with the tag and build time a tail must match.
fn held(tail: &NodeView) -> NodeView {
    let mut view = NodeView::new(&tail.node);
    view.tag = tail.tag.clone();
    view.built = tail.built;
    for i in (1..=30).rev() {
        let at = (LAST - i * 60) * SEC;
        let result = CheckResult {
            title: "Web".into(),
            endpoint: "https://web".into(),
            timestamp: at,
            times: vec![Attempt {
                rtt: 10_000_000,
                error: String::new(),
            }],
            threshold: 0,
            status: if i % 7 == 0 {
                Status::Down
            } else {
                Status::Healthy
            },
            notice: String::new(),
            message: String::new(),
            node: None,
            kind: None,
            maintenance: false,
        };
        view.add_round(at, &[result]);
    }
    view
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(latest) = LatestTail::parse(text) else {
        return;
    };
    let Some(tail) = latest.tail else { return };
    let mut view = held(&tail);
    let before = view.clone();
    if !view.absorb_tail(&tail) {
        assert_eq!(view, before, "a refused tail leaves the view as it was");
    }
    let now = view.updated.div_euclid(SEC);
    page_arithmetic::exercise(&[view], now);
});
