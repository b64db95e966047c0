//! A view's summary, `views/<node>-summary.json`: what the page's first
//! paint draws (each check's state, uptimes and 90 daily bars, incidents,
//! maintenance) without the response times finer than a day, which only an
//! opened check's chart needs. Those are most of a view's bytes, because
//! they change from bucket to bucket while the counts repeat (and are
//! written as runs). The checker writes the summary beside the view after
//! every round; the page reads summaries first and a node's whole view when
//! a check is opened.

use crate::contract::file_name::validate_node;
use crate::contract::node_view::{DAILY, Histogram, NodeView};
use crate::drawing::format::round_micros;

/// The storage key of a node's view summary, under the storage prefix.
pub fn summary_key(node: &str) -> String {
    format!("views/{node}-summary.json")
}

/// The node a summary key belongs to, if `key` (under the prefix) is one.
pub fn node_of_summary_key(key: &str) -> Option<&str> {
    let node = key.strip_prefix("views/")?.strip_suffix("-summary.json")?;
    validate_node(node).ok()?;
    Some(node)
}

impl NodeView {
    /// This view with response times kept only as daily medians (the bars'
    /// tooltips), rounded as the tooltips show them (a summary of hundreds
    /// of checks is mostly these numbers, and rounded ones pack smaller):
    /// every other percentile is 0, "no answer", as a chart would draw it,
    /// and the filling buckets' histograms are dropped. The
    /// counts, latest results, incidents, maintenance and tag stay, so
    /// uptimes, bars and states are exactly the view's, and the view's
    /// tails (`latest/<node>.json`) keep a summary up to date too.
    pub fn summary(&self) -> NodeView {
        let mut summary = self.clone();
        summary.summary = true;
        for check in &mut summary.checks {
            #[cfg(not(target_arch = "wasm32"))]
            {
                check.month = Default::default();
            }
            for (at, series) in check.series.iter_mut().enumerate() {
                if at == DAILY {
                    for p50 in &mut series.p50 {
                        *p50 = round_micros(*p50).micros();
                    }
                } else {
                    series.p50.fill(0);
                }
                series.p95.fill(0);
                series.open = Histogram::default();
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::result::{Attempt, CheckResult};
    use crate::contract::status::Status;
    use crate::derive::overview::{ChartWindow, UPTIME_PERIODS, overview};

    const SEC: i64 = 1_000_000_000;
    const T0: i64 = 1_700_006_400;

    /// Three days of 1-minute rounds of 20 checks with varying response
    /// times, every tenth check down for an hour a day.
    fn view() -> NodeView {
        let mut view = NodeView::new("n1");
        for minute in 0..3 * 1_440 {
            let secs = T0 + minute * 60;
            let results: Vec<CheckResult> = (0..20)
                .map(|c| {
                    let down = c % 10 == 0 && minute % 1_440 < 60;
                    CheckResult {
                        title: format!("check {c}"),
                        endpoint: format!("https://{c}.example"),
                        timestamp: secs * SEC,
                        times: vec![Attempt {
                            rtt: (5 + (minute * 7 + c) % 300) * 1_000_000,
                            error: String::new(),
                        }],
                        threshold: 0,
                        status: if down { Status::Down } else { Status::Healthy },
                        notice: String::new(),
                        message: String::new(),
                        node: Some("n1".into()),
                        kind: Some("http".into()),
                        maintenance: false,
                    }
                })
                .collect();
            view.add_round(secs * SEC, &results);
        }
        view
    }

    #[test]
    fn a_summary_shows_what_the_view_shows_but_charts() {
        let view = view();
        let summary = view.summary();
        let now = T0 + 3 * 86_400 - 30;
        let full = overview(std::slice::from_ref(&view), now, 600);
        let small = overview(std::slice::from_ref(&summary), now, 600);
        for (f, s) in full.iter().zip(&small) {
            assert_eq!(f.status, s.status);
            assert_eq!(f.latest, s.latest);
            // The same bars, medians rounded as their tooltips show them.
            let shown: Vec<_> = (f.daily_bars(now, 90).into_iter())
                .map(|mut bar| {
                    bar.p50 = round_micros(bar.p50).micros();
                    bar
                })
                .collect();
            assert_eq!(shown, s.daily_bars(now, 90), "{}", f.title);
            for (secs, res) in UPTIME_PERIODS {
                assert_eq!(f.uptime(secs, res, now), s.uptime(secs, res, now));
            }
            assert!(
                s.chart(ChartWindow::Day, now)
                    .iter()
                    .all(|(_, p)| p.is_none())
            );
            assert!(
                f.chart(ChartWindow::Day, now)
                    .iter()
                    .any(|(_, p)| p.is_some())
            );
        }
        let reread = NodeView::parse(&serde_json::to_string(&summary).unwrap()).unwrap();
        assert_eq!(reread, summary);
        assert!(reread.summary);
    }

    #[test]
    fn a_summary_is_a_small_part_of_its_view() {
        let view = view();
        let whole = serde_json::to_string(&view).unwrap().len();
        let summary = serde_json::to_string(&view.summary()).unwrap().len();
        assert!(summary * 4 < whole, "summary {summary} bytes, view {whole}");
    }

    #[test]
    fn summary_keys_name_their_node() {
        assert_eq!(summary_key("eu-1"), "views/eu-1-summary.json");
        assert_eq!(node_of_summary_key("views/eu-1-summary.json"), Some("eu-1"));
        assert_eq!(node_of_summary_key("views/eu-1-history.json"), None);
        assert_eq!(node_of_summary_key("views/../x-summary.json"), None);
    }

    #[test]
    fn a_tail_keeps_a_summary_up_to_date() {
        let mut view = view();
        let mut summary = view.summary();
        let secs = T0 + 3 * 86_400;
        let round: Vec<CheckResult> = (view.checks.iter())
            .enumerate()
            .map(|(at, check)| {
                let mut next = check.latest.clone();
                next.timestamp = secs * SEC;
                if at == 1 {
                    next.status = Status::Down;
                }
                next
            })
            .collect();
        view.add_round(secs * SEC, &round);
        assert!(summary.absorb_tail(&view.tail()), "no bucket was missed");
        assert!(summary.summary);
        assert_eq!(summary.checks[1].latest.status, Status::Down);
        let now = secs + 30;
        let a = overview(std::slice::from_ref(&view), now, 600);
        let b = overview(std::slice::from_ref(&summary), now, 600);
        let states = |bars: Vec<crate::derive::overview::DayBar>| {
            bars.iter()
                .map(|b| (b.counted, b.uptime))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            states(a[1].daily_bars(now, 90)),
            states(b[1].daily_bars(now, 90))
        );
    }
}
