//! What the page shows, computed from the nodes' history views: each check's
//! state over its locations, uptime over 24 h/7 d/30 d/90 d, 90 daily bars and
//! the response-time series of a chart window. Plain functions, tested natively.
//!
//! Several nodes' buckets are merged as follows: counts add up; a day's colour
//! comes from the worst location; a bucket's median is the mean of the nodes'
//! medians weighted by their answered rounds, and its p95 the highest p95 (an
//! upper bound, since percentiles of different nodes cannot be merged exactly).

use crate::contract::file_name::ResultFileName;
use crate::contract::incident_text::Node;
use crate::contract::node_view::{Bucket, CheckHistory, DAILY, NodeView};
use crate::contract::result::CheckResult;
use crate::contract::status::Status;
use crate::derive::merge::{Location, Overall, is_fresh, status_over_locations};

const NANOS: i64 = 1_000_000_000;
const DAY: i64 = 86_400;

/// A response-time chart's time span, selectable on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartWindow {
    Hour,
    Day,
    Week,
    Month,
}

impl ChartWindow {
    pub const ALL: [ChartWindow; 4] = [
        ChartWindow::Hour,
        ChartWindow::Day,
        ChartWindow::Week,
        ChartWindow::Month,
    ];

    /// The short name used in the URL and on the buttons.
    pub fn key(self) -> &'static str {
        match self {
            ChartWindow::Hour => "1h",
            ChartWindow::Day => "24h",
            ChartWindow::Week => "7d",
            ChartWindow::Month => "30d",
        }
    }

    pub fn parse(key: &str) -> Option<ChartWindow> {
        ChartWindow::ALL.into_iter().find(|w| w.key() == key)
    }

    pub fn span_secs(self) -> i64 {
        match self {
            ChartWindow::Hour => 3_600,
            ChartWindow::Day => DAY,
            ChartWindow::Week => 7 * DAY,
            ChartWindow::Month => 30 * DAY,
        }
    }

    /// Which resolution of the view draws this window.
    fn resolution(self) -> usize {
        match self {
            ChartWindow::Hour => 0,
            ChartWindow::Day => 1,
            ChartWindow::Week => 2,
            ChartWindow::Month => 3,
        }
    }
}

/// An uptime figure and the data behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uptime {
    /// Counted rounds that were not down, as a share of all counted rounds.
    pub ratio: f64,
    /// The start of the oldest bucket with data (Unix s) when the data
    /// begins inside the span, so the figure covers less than the span.
    pub since: Option<i64>,
}

/// The uptime periods shown per check (seconds), with the resolution that
/// counts each.
pub const UPTIME_PERIODS: [(i64, usize); 4] =
    [(DAY, 1), (7 * DAY, 2), (30 * DAY, 3), (90 * DAY, DAILY)];

/// One point of a chart: a bucket's merged response times, µs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartPoint {
    /// Bucket start, Unix seconds.
    pub start: i64,
    pub p50: u32,
    pub p95: u32,
}

/// One of the 90 daily bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayBar {
    /// The UTC day's start, Unix seconds.
    pub start: i64,
    /// Rounds that count (not in maintenance), over all locations.
    pub counted: u32,
    /// Share of down rounds at the worst location (0..=1).
    pub worst_down: f64,
    /// Share of degraded rounds at the worst location (0..=1).
    pub worst_degraded: f64,
    /// Rounds in maintenance, over all locations.
    pub maintenance: u32,
    /// Uptime over all locations, None without counted rounds.
    pub uptime: Option<f64>,
    /// Median response time, µs (0 = none).
    pub p50: u32,
}

/// How a day's bar is coloured, worst share of bad rounds first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayLevel {
    NoData,
    Maintenance,
    Good,
    Degraded,
    /// Some down rounds, under 5 % at every location.
    Partial,
    /// 5 % or more down at some location.
    Major,
}

impl DayLevel {
    pub fn key(self) -> &'static str {
        match self {
            DayLevel::NoData => "nodata",
            DayLevel::Maintenance => "maintenance",
            DayLevel::Good => "good",
            DayLevel::Degraded => "degraded",
            DayLevel::Partial => "partial",
            DayLevel::Major => "major",
        }
    }
}

impl DayBar {
    pub fn level(&self) -> DayLevel {
        if self.counted == 0 {
            if self.maintenance > 0 {
                DayLevel::Maintenance
            } else {
                DayLevel::NoData
            }
        } else if self.worst_down >= 0.05 {
            DayLevel::Major
        } else if self.worst_down > 0.0 {
            DayLevel::Partial
        } else if self.worst_degraded > 0.0 {
            DayLevel::Degraded
        } else {
            DayLevel::Good
        }
    }
}

/// A check as the page shows it, merged over the nodes that run it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOverview {
    pub title: String,
    pub endpoint: String,
    /// The state over the locations that still report; Maintenance wins when
    /// the newest result is flagged so.
    pub status: Status,
    pub in_maintenance: bool,
    /// The newest result from any location.
    pub latest: CheckResult,
    /// Its message's text and links, when it holds HTML.
    pub message_doc: Vec<Node>,
    pub locations: Vec<Location>,
    /// Per node, the check's history (for uptime, bars and charts).
    histories: Vec<CheckHistory>,
}

impl CheckOverview {
    /// Why the check is not healthy, in words (see [`Location`]s); a
    /// location that stopped reporting is said to with `stale_notice`.
    pub fn problem(&self, stale_notice: &str) -> Option<String> {
        if self.locations.len() <= 1 {
            return (!self.latest.notice.is_empty()).then(|| self.latest.notice.clone());
        }
        let troubled: Vec<String> = self
            .locations
            .iter()
            .filter(|l| l.status != Status::Healthy)
            .map(|l| {
                let notice = l.notice_or(stale_notice);
                if notice.is_empty() {
                    l.node.clone()
                } else {
                    format!("{}: {notice}", l.node)
                }
            })
            .collect();
        (!troubled.is_empty()).then(|| troubled.join("; "))
    }

    /// The start of the oldest bucket any location holds, Unix ns (0 when
    /// none has data).
    pub fn first_seen(&self) -> i64 {
        self.histories
            .iter()
            .filter_map(|h| h.series.last()?.buckets().find(|b| b.n > 0))
            .map(|b| b.start.saturating_mul(NANOS))
            .min()
            .unwrap_or(0)
    }

    /// When the newest change of state at any location happened, Unix ns.
    pub fn since(&self) -> i64 {
        self.histories.iter().map(|h| h.since).max().unwrap_or(0)
    }

    /// Uptime over the `secs` before `now` (Unix s), using resolution `res`;
    /// None when no counted round falls in that span. When the data begins
    /// inside the span, the figure says since when it counts.
    pub fn uptime(&self, secs: i64, res: usize, now: i64) -> Option<Uptime> {
        let since = now - secs;
        let (mut counted, mut down) = (0u64, 0u64);
        let mut oldest = i64::MAX;
        let mut step = 0;
        for h in &self.histories {
            let series = &h.series[res];
            step = step.max(series.step);
            if let Some(b) = series.buckets().find(|b| b.n > 0) {
                oldest = oldest.min(b.start);
            }
            for b in series.buckets() {
                // A bucket counts when most of it lies inside the span.
                if b.start + series.step / 2 >= since && b.start <= now {
                    counted += b.counted() as u64;
                    down += b.down as u64;
                }
            }
        }
        (counted > 0).then(|| Uptime {
            ratio: (counted - down) as f64 / counted as f64,
            since: (oldest > since + step).then_some(oldest),
        })
    }

    /// The 90 daily bars ending with today (UTC), oldest first.
    pub fn daily_bars(&self, now: i64, days: usize) -> Vec<DayBar> {
        let today = now.div_euclid(DAY) * DAY;
        let first = today - (days as i64 - 1) * DAY;
        let mut bars: Vec<DayBar> = (0..days)
            .map(|i| DayBar {
                start: first + i as i64 * DAY,
                counted: 0,
                worst_down: 0.0,
                worst_degraded: 0.0,
                maintenance: 0,
                uptime: None,
                p50: 0,
            })
            .collect();
        let mut medians: Vec<Vec<(u32, u32)>> = vec![Vec::new(); days];
        let mut downs = vec![0u64; days];
        for h in &self.histories {
            for b in h.series[DAILY].buckets() {
                if b.start < first || b.start > today {
                    continue;
                }
                let i = ((b.start - first) / DAY) as usize;
                let bar = &mut bars[i];
                bar.counted += b.counted();
                bar.maintenance += b.maintenance;
                downs[i] += b.down as u64;
                if b.counted() > 0 {
                    let share = |x: u32| x as f64 / b.counted() as f64;
                    bar.worst_down = bar.worst_down.max(share(b.down));
                    bar.worst_degraded = bar.worst_degraded.max(share(b.degraded));
                }
                if b.p50 > 0 {
                    medians[i].push((b.p50, b.counted() - b.down));
                }
            }
        }
        for (i, bar) in bars.iter_mut().enumerate() {
            if bar.counted > 0 {
                bar.uptime = Some((bar.counted as u64 - downs[i]) as f64 / bar.counted as f64);
            }
            bar.p50 = weighted_mean(&medians[i]);
        }
        bars
    }

    /// The chart's points for `window` ending at `now` (Unix s): one per
    /// bucket, None where no location answered (drawn as a gap).
    pub fn chart(&self, window: ChartWindow, now: i64) -> Vec<(i64, Option<ChartPoint>)> {
        let res = window.resolution();
        let step = crate::contract::node_view::RESOLUTIONS[res].step_secs;
        let last = now.div_euclid(step);
        let count = window.span_secs() / step;
        let first = last - count + 1;
        // The locations' buckets of each point of the window, by position.
        let mut merged: Vec<Vec<Bucket>> = vec![Vec::new(); count.max(0) as usize];
        for h in &self.histories {
            for b in h.series[res].buckets() {
                let index = b.start.div_euclid(step);
                if index >= first && index <= last && b.p50 > 0 {
                    merged[(index - first) as usize].push(b);
                }
            }
        }
        (first..=last)
            .zip(merged)
            .map(|(index, buckets)| {
                let point = (!buckets.is_empty()).then(|| ChartPoint {
                    start: index * step,
                    p50: weighted_mean(
                        &buckets
                            .iter()
                            .map(|b| (b.p50, b.counted().saturating_sub(b.down).max(1)))
                            .collect::<Vec<_>>(),
                    ),
                    p95: buckets.iter().map(|b| b.p95).max().unwrap_or(0),
                });
                (index * step, point)
            })
            .collect()
    }
}

fn weighted_mean(values: &[(u32, u32)]) -> u32 {
    let weight: u64 = values.iter().map(|&(_, w)| w as u64).sum();
    if weight == 0 {
        return 0;
    }
    let total: u64 = values.iter().map(|&(v, w)| v as u64 * w as u64).sum();
    (total / weight) as u32
}

/// Merges the nodes' views into one overview per check, in the order of the
/// most recently updated view (its config order), then any others.
/// A location whose view is older than `stale_after_secs` no longer decides
/// the check's state (a node that stopped reporting), but is still listed.
pub fn overview(views: &[NodeView], now: i64, stale_after_secs: i64) -> Vec<CheckOverview> {
    let mut order: Vec<&NodeView> = views.iter().collect();
    crate::sorting::sort_by_key(&mut order, |v| std::cmp::Reverse(v.updated));
    let mut checks: Vec<CheckOverview> = Vec::new();
    for view in order {
        let fresh = is_fresh(view.updated, now * NANOS, stale_after_secs);
        for history in &view.checks {
            let latest = &history.latest;
            let location = Location {
                node: view.node.clone(),
                status: latest.status,
                timestamp: latest.timestamp,
                median: latest.stats().median,
                notice: if fresh {
                    latest.notice.clone()
                } else {
                    "no recent results from this location".into()
                },
                fresh,
            };
            let at = match checks.iter().position(|c| c.title == history.title) {
                Some(at) => at,
                None => {
                    checks.push(CheckOverview {
                        title: history.title.clone(),
                        endpoint: latest.endpoint.clone(),
                        status: Status::Healthy,
                        in_maintenance: false,
                        latest: latest.clone(),
                        message_doc: history.message_doc.clone(),
                        locations: Vec::new(),
                        histories: Vec::new(),
                    });
                    checks.len() - 1
                }
            };
            let check = &mut checks[at];
            if latest.timestamp > check.latest.timestamp {
                check.latest = latest.clone();
                check.message_doc = history.message_doc.clone();
            }
            check.histories.push(history.clone());
            check.locations.push(location);
        }
    }
    for check in &mut checks {
        crate::sorting::sort_by(&mut check.locations, |a, b| a.node.cmp(&b.node));
        check.status = status_over_locations(&check.locations);
        check.in_maintenance = check.latest.maintenance;
    }
    checks
}

/// The banner's verdict: outages first; maintenance when some check is in a
/// window and none is down outside one.
pub fn overall(checks: &[CheckOverview]) -> Overall {
    if checks.is_empty() {
        return Overall::NoData;
    }
    let live: Vec<&CheckOverview> = checks.iter().filter(|c| !c.in_maintenance).collect();
    let down = live.iter().filter(|c| c.status == Status::Down).count();
    let degraded = live.iter().filter(|c| c.status == Status::Degraded).count();
    if !live.is_empty() && down == live.len() {
        Overall::MajorOutage
    } else if down > 0 {
        Overall::PartialOutage
    } else if degraded > 0 {
        Overall::Degraded
    } else if live.len() < checks.len() {
        Overall::Maintenance
    } else {
        Overall::Operational
    }
}

/// Builds views from raw round files, as the checker would have: the page's
/// fallback for storage without views (an old checkup bucket). Files without
/// a node (checkup's own) become the location "checkup".
pub fn views_from_rounds<'a>(
    rounds: impl IntoIterator<Item = (&'a ResultFileName, &'a [CheckResult])>,
) -> Vec<NodeView> {
    // A list, not a map: there are a few nodes.
    type Rounds<'r> = Vec<(i64, &'r [CheckResult])>;
    let mut by_node: Vec<(&str, Rounds<'a>)> = Vec::new();
    for (name, results) in rounds {
        let node = name.node.as_deref().unwrap_or("checkup");
        match by_node.iter_mut().find(|(n, _)| *n == node) {
            Some((_, list)) => list.push((name.timestamp, results)),
            None => by_node.push((node, vec![(name.timestamp, results)])),
        }
    }
    crate::sorting::sort_by(&mut by_node, |a, b| a.0.cmp(b.0));
    by_node
        .into_iter()
        .map(|(node, mut rounds)| {
            crate::sorting::sort_by_key(&mut rounds, |(ts, _)| *ts);
            let mut view = NodeView::new(node);
            for (ts, results) in rounds {
                view.add_round(ts, results);
            }
            view
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::result::Attempt;

    const T0: i64 = 1_700_006_400; // a UTC midnight, seconds

    fn result(title: &str, secs: i64, status: Status, rtt_ms: i64) -> CheckResult {
        CheckResult {
            title: title.into(),
            endpoint: format!("https://{title}"),
            timestamp: secs * NANOS,
            times: vec![Attempt {
                rtt: rtt_ms * 1_000_000,
                error: String::new(),
            }],
            threshold: 0,
            status,
            notice: if status == Status::Healthy {
                String::new()
            } else {
                "broken".into()
            },
            message: String::new(),
            node: None,
            kind: None,
            maintenance: false,
        }
    }

    /// A node's view from (seconds, status, rtt ms) rounds of check "api".
    fn view(node: &str, rounds: &[(i64, Status, i64)]) -> NodeView {
        let mut v = NodeView::new(node);
        for &(secs, status, rtt) in rounds {
            v.add_round(secs * NANOS, &[result("api", secs, status, rtt)]);
        }
        v
    }

    #[test]
    fn uptime_counts_down_rounds_over_all_locations() {
        let now = T0 + 3_600;
        let a = view(
            "a",
            &[
                (T0, Status::Healthy, 10),
                (T0 + 60, Status::Down, 0),
                (T0 + 120, Status::Healthy, 10),
                (T0 + 180, Status::Degraded, 10),
            ],
        );
        let b = view("b", &[(T0 + 30, Status::Healthy, 20)]);
        let checks = overview(&[a, b], now, 600);
        let c = &checks[0];
        for (secs, res) in UPTIME_PERIODS {
            let uptime = c.uptime(secs, res, now).unwrap();
            assert_eq!(uptime.ratio, 4.0 / 5.0, "{secs}");
            // An hour of data says so, in every span longer than that.
            assert!(uptime.since.is_some(), "{secs}");
        }
        // Nothing in the last 5 minutes' buckets.
        assert_eq!(c.uptime(300, 1, now), None);
    }

    #[test]
    fn uptime_says_since_when_only_inside_a_span_it_has_no_data_before() {
        // Two days of rounds, one every 10 minutes.
        let rounds: Vec<_> = (0..288)
            .map(|i| (T0 + i * 600, Status::Healthy, 10))
            .collect();
        let now = T0 + 2 * DAY;
        let checks = overview(&[view("a", &rounds)], now, 600);
        let day = checks[0].uptime(DAY, 1, now).unwrap();
        assert_eq!(
            day,
            Uptime {
                ratio: 1.0,
                since: None
            },
            "a day of data covers 24 h"
        );
        let week = checks[0].uptime(7 * DAY, 2, now).unwrap();
        assert_eq!(week.since, Some(T0), "two days of data do not cover 7 d");
    }

    #[test]
    fn daily_bars_take_the_worst_location_and_leave_empty_days_empty() {
        let now = T0 + 2 * DAY + 100;
        let mut rounds = vec![];
        for i in 0..100 {
            let status = if i < 3 { Status::Down } else { Status::Healthy };
            rounds.push((T0 + i * 60, status, 10));
        }
        let a = view("a", &rounds);
        let b = view(
            "b",
            &[
                (T0 + 5, Status::Healthy, 30),
                (T0 + 2 * DAY, Status::Healthy, 30),
            ],
        );
        let checks = overview(&[a, b], now, 10 * DAY);
        let bars = checks[0].daily_bars(now, 90);
        assert_eq!(bars.len(), 90);
        let day0 = &bars[87];
        assert_eq!(day0.start, T0);
        assert_eq!(day0.counted, 101);
        assert!((day0.worst_down - 0.03).abs() < 1e-9);
        assert_eq!(day0.level(), DayLevel::Partial);
        assert_eq!(day0.uptime, Some(98.0 / 101.0));
        assert!(day0.p50 > 9_000 && day0.p50 < 12_000, "{}", day0.p50);
        assert_eq!(bars[88].level(), DayLevel::NoData, "a day without rounds");
        assert_eq!(bars[89].level(), DayLevel::Good);
        assert_eq!(bars[0].level(), DayLevel::NoData);
    }

    #[test]
    fn maintenance_days_and_checks_are_not_outages() {
        let mut v = NodeView::new("a");
        let mut r = result("api", T0, Status::Down, 0);
        r.maintenance = true;
        v.add_round(T0 * NANOS, &[r]);
        let checks = overview(&[v], T0 + 10, 600);
        assert_eq!(
            checks[0].daily_bars(T0 + 10, 1)[0].level(),
            DayLevel::Maintenance
        );
        assert_eq!(checks[0].uptime(DAY, 1, T0 + 10), None);
        assert!(checks[0].in_maintenance);
        assert_eq!(overall(&checks), Overall::Maintenance);
    }

    #[test]
    fn a_node_that_stopped_reporting_no_longer_decides_the_state() {
        let now = T0 + DAY;
        let gone = view("gone", &[(T0, Status::Down, 0)]);
        let here = view("here", &[(now - 30, Status::Healthy, 5)]);
        let checks = overview(&[gone, here], now, 600);
        assert_eq!(checks[0].status, Status::Healthy);
        assert_eq!(checks[0].locations.len(), 2);
        assert_eq!(checks[0].locations[0].node, "gone");
        assert!(checks[0].locations[0].notice.contains("no recent results"));
        assert_eq!(
            checks[0].problem("silent").as_deref(),
            Some("gone: silent"),
            "with several locations, each troubled one is named"
        );
        // With every location silent, the last word still stands.
        let checks = overview(&[view("gone", &[(T0, Status::Down, 0)])], now, 600);
        assert_eq!(checks[0].status, Status::Down);
    }

    #[test]
    fn charts_merge_locations_and_leave_gaps() {
        let now = T0 + 3_599;
        let a = view(
            "a",
            &[(T0, Status::Healthy, 10), (T0 + 600, Status::Healthy, 10)],
        );
        let b = view("b", &[(T0 + 10, Status::Healthy, 30)]);
        let checks = overview(&[a, b], now, DAY);
        let points = checks[0].chart(ChartWindow::Hour, now);
        assert_eq!(points.len(), 60);
        let first = points[0].1.unwrap();
        assert_eq!(points[0].0, T0);
        assert!((19_000..=21_000).contains(&first.p50), "{}", first.p50);
        assert!(first.p95 >= 29_000, "p95 is the worst location's");
        assert!(points[1].1.is_none(), "no round in the second minute");
        assert!(points[10].1.is_some());
        assert_eq!(checks[0].chart(ChartWindow::Month, now).len(), 120);
        assert_eq!(ChartWindow::parse("7d"), Some(ChartWindow::Week));
        assert_eq!(ChartWindow::parse("2d"), None);
    }

    #[test]
    fn overall_weighs_outages_above_maintenance() {
        let now = T0 + 100;
        let down = view("a", &[(T0, Status::Down, 0)]);
        assert_eq!(overall(&overview(&[down], now, 600)), Overall::MajorOutage);
        let mut v = NodeView::new("a");
        let mut m = result("m", T0, Status::Healthy, 1);
        m.maintenance = true;
        v.add_round(
            T0 * NANOS,
            &[
                m,
                result("api", T0, Status::Down, 0),
                result("web", T0, Status::Healthy, 1),
            ],
        );
        assert_eq!(overall(&overview(&[v], now, 600)), Overall::PartialOutage);
        assert_eq!(overall(&[]), Overall::NoData);
    }

    #[test]
    fn raw_rounds_become_one_view_per_node() {
        let n1 = ResultFileName::new(T0 * NANOS, "n1").unwrap();
        let n1b = ResultFileName::new((T0 + 60) * NANOS, "n1").unwrap();
        let old = ResultFileName::parse(&format!("{}-check.json", T0 * NANOS)).unwrap();
        let r1 = [result("api", T0, Status::Healthy, 1)];
        let r2 = [result("api", T0 + 60, Status::Down, 1)];
        let views = views_from_rounds([(&n1b, &r2[..]), (&n1, &r1[..]), (&old, &r1[..])]);
        let nodes: Vec<&str> = views.iter().map(|v| v.node.as_str()).collect();
        assert_eq!(nodes, ["checkup", "n1"]);
        assert_eq!(views[1].checks[0].latest.status, Status::Down);
        assert_eq!(views[1].checks[0].series[0].n, [1, 1]);
    }
}
