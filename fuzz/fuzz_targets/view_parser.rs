//! Fuzz target: any bytes as a node's history view, which the page reads from
//! storage it does not trust. Parsing returns a view or an error, and
//! everything the page computes from a view that parsed (or from its
//! summary) never panics; nor does a month's report made from it. The same
//! bytes as a monthly report (also read from storage) merge and write as
//! CSV without a panic.
#![no_main]

use checkup_model::contract::node_view::NodeView;
use checkup_model::contract::report::{Month, MonthReport};
use checkup_model::derive::report_merge::{budget, merge_reports, report_csv};
use libfuzzer_sys::fuzz_target;

#[path = "../shared/page_arithmetic.rs"]
mod page_arithmetic;

fn exercise_reports(month: Month, reports: &[MonthReport]) {
    let merged = merge_reports(month, reports);
    for check in &merged.checks {
        if let Some(uptime) = check.uptime {
            let _ = budget(99.9, uptime, month, check.maintenance_secs);
        }
    }
    let _ = report_csv(&merged, Some(99.9));
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(report) = serde_json::from_str::<MonthReport>(text) {
        exercise_reports(report.month, &[report]);
    }
    let Ok(view) = NodeView::parse(text) else { return };
    let now = view.updated.div_euclid(1_000_000_000);
    let month = Month::of_nanos(view.updated);
    exercise_reports(month, &[view.month_report(month)]);
    let summary = view.summary();
    page_arithmetic::exercise(&[view, summary], now);
});
