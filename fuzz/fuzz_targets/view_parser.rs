//! Fuzz target: any bytes as a node's history view, which the page reads from
//! storage it does not trust. Parsing returns a view or an error, and
//! everything the page computes from a view that parsed never panics.
#![no_main]

use checkup_model::history::NodeView;
use checkup_model::overview::{self, ChartWindow};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(view) = NodeView::parse(text) else { return };
    let now = view.updated.div_euclid(1_000_000_000);
    let views = [view];
    let checks = overview::overview(&views, now, 180);
    for check in &checks {
        let _ = check.daily_bars(now, 90);
        for window in ChartWindow::ALL {
            let _ = check.chart(window, now);
        }
        let _ = check.problem();
    }
    let _ = overview::overall(&checks);
});
