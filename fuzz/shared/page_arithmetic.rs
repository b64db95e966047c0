//! What the page computes from history views, for the fuzz targets that
//! reach views: overviews, daily bars, every chart window, problems and the
//! overall verdict. None of it may panic.

use checkup_model::contract::node_view::NodeView;
use checkup_model::derive::overview::{self, ChartWindow};

/// Runs the page's arithmetic over `views` at `now` (Unix seconds).
pub fn exercise(views: &[NodeView], now: i64) {
    let checks = overview::overview(views, now, 180);
    for check in &checks {
        let _ = check.daily_bars(now, 90);
        for window in ChartWindow::ALL {
            let _ = check.chart(window, now);
        }
        let _ = check.problem("no recent results");
    }
    let _ = overview::overall(&checks);
}
