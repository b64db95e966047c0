//! What the page draws, computed from loaded results: per-check state and
//! response-time series, and the overall verdict. Plain functions, tested natively.

use std::collections::HashMap;

use crate::{result::CheckResult, status::Status};

/// One point of a check's response-time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub timestamp: i64,
    /// Median RTT of the result's attempts, nanoseconds.
    pub median: i64,
    pub status: Status,
}

/// What one location (node) last saw of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub node: String,
    pub status: Status,
    pub timestamp: i64,
    /// Median RTT, nanoseconds.
    pub median: i64,
    /// Why it is degraded or down there.
    pub notice: String,
}

/// A check as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSummary {
    pub title: String,
    /// The check's state over its locations: down when every location sees
    /// it down, degraded when some see a problem, else healthy.
    pub status: Status,
    /// The newest result for this check, from any location.
    pub latest: CheckResult,
    /// All results in the window, oldest first.
    pub series: Vec<Point>,
    /// The newest result of each node that reported it, by node name. Files
    /// without a node (checkup's own) count as one location, "".
    pub locations: Vec<Location>,
}

impl CheckSummary {
    /// Why the check is not healthy, in words: the newest result's notice, or
    /// with several locations, each troubled location's ("nyc1: timed out").
    pub fn problem(&self) -> Option<String> {
        if self.locations.len() <= 1 {
            return (!self.latest.notice.is_empty()).then(|| self.latest.notice.clone());
        }
        let troubled: Vec<String> = self
            .locations
            .iter()
            .filter(|l| l.status != Status::Healthy)
            .map(|l| {
                if l.notice.is_empty() {
                    l.node.clone()
                } else {
                    format!("{}: {}", l.node, l.notice)
                }
            })
            .collect();
        (!troubled.is_empty()).then(|| troubled.join("; "))
    }
}

/// Down only if every location sees it down; a problem somewhere is degraded.
pub fn status_over_locations(locations: &[Location]) -> Status {
    let down = locations
        .iter()
        .filter(|l| l.status == Status::Down)
        .count();
    if !locations.is_empty() && down == locations.len() {
        Status::Down
    } else if locations.iter().any(|l| l.status != Status::Healthy) {
        Status::Degraded
    } else {
        Status::Healthy
    }
}

/// The banner's verdict over all checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overall {
    NoData,
    Operational,
    Degraded,
    PartialOutage,
    MajorOutage,
    /// Some checks are in a maintenance window; none is down outside one.
    Maintenance,
}

impl Overall {
    pub fn headline(self) -> &'static str {
        match self {
            Overall::NoData => "No results yet",
            Overall::Operational => "All systems operational",
            Overall::Degraded => "Degraded performance",
            Overall::PartialOutage => "Partial outage",
            Overall::MajorOutage => "Major outage",
            Overall::Maintenance => "Under maintenance",
        }
    }

    /// Lower-case key for CSS classes and tests.
    pub fn key(self) -> &'static str {
        match self {
            Overall::NoData => "nodata",
            Overall::Operational => "operational",
            Overall::Degraded => "degraded",
            Overall::PartialOutage => "partial",
            Overall::MajorOutage => "major",
            Overall::Maintenance => "maintenance",
        }
    }
}

/// Groups results by check title. `rounds` are round files' contents, in any
/// order. Checks are ordered as in the newest round that has them (the config
/// order), which keeps the page stable while checks come and go.
pub fn summarize<'a>(rounds: impl IntoIterator<Item = &'a [CheckResult]>) -> Vec<CheckSummary> {
    let mut by_title: HashMap<&str, Vec<&CheckResult>> = HashMap::new();
    // (round's newest timestamp, position in round) of each title's newest appearance.
    let mut order: HashMap<&str, (i64, usize)> = HashMap::new();
    for round in rounds {
        let round_ts = round.iter().map(|r| r.timestamp).max().unwrap_or(0);
        for (pos, r) in round.iter().enumerate() {
            by_title.entry(&r.title).or_default().push(r);
            let slot = order.entry(&r.title).or_insert((round_ts, pos));
            if round_ts > slot.0 {
                *slot = (round_ts, pos);
            }
        }
    }
    let mut summaries: Vec<CheckSummary> = by_title
        .into_iter()
        .map(|(title, mut results)| {
            results.sort_by_key(|r| r.timestamp);
            let latest = (*results.last().expect("non-empty group")).clone();
            let series = results
                .iter()
                .map(|r| Point {
                    timestamp: r.timestamp,
                    median: r.stats().median,
                    status: r.status,
                })
                .collect();
            let mut newest_by_node: std::collections::BTreeMap<&str, &CheckResult> =
                std::collections::BTreeMap::new();
            for r in &results {
                newest_by_node.insert(r.node.as_deref().unwrap_or(""), r);
            }
            let locations: Vec<Location> = newest_by_node
                .into_iter()
                .map(|(node, r)| Location {
                    node: node.to_string(),
                    status: r.status,
                    timestamp: r.timestamp,
                    median: r.stats().median,
                    notice: r.notice.clone(),
                })
                .collect();
            CheckSummary {
                title: title.to_string(),
                status: status_over_locations(&locations),
                latest,
                series,
                locations,
            }
        })
        .collect();
    summaries.sort_by(|a, b| {
        let (ta, pa) = order[a.title.as_str()];
        let (tb, pb) = order[b.title.as_str()];
        tb.cmp(&ta).then(pa.cmp(&pb)).then(a.title.cmp(&b.title))
    });
    summaries
}

/// The verdict over the checks' current states.
pub fn overall(checks: &[CheckSummary]) -> Overall {
    if checks.is_empty() {
        return Overall::NoData;
    }
    let down = checks.iter().filter(|c| c.status == Status::Down).count();
    let degraded = checks
        .iter()
        .filter(|c| c.status == Status::Degraded)
        .count();
    match (down, degraded) {
        (d, _) if d == checks.len() => Overall::MajorOutage,
        (d, _) if d > 0 => Overall::PartialOutage,
        (_, g) if g > 0 => Overall::Degraded,
        _ => Overall::Operational,
    }
}

/// The newest result timestamp among the checks, if any.
pub fn newest_timestamp(checks: &[CheckSummary]) -> Option<i64> {
    checks.iter().map(|c| c.latest.timestamp).max()
}

/// A round upper bound for a chart axis: the smallest 1, 2 or 5 × 10^k that is
/// at least `value` (and at least 1).
pub fn nice_ceiling(value: i64) -> i64 {
    let value = value.max(1);
    let mut magnitude: i64 = 1;
    loop {
        for step in [1, 2, 5] {
            if let Some(candidate) = magnitude.checked_mul(step) {
                if candidate >= value {
                    return candidate;
                }
            } else {
                return i64::MAX;
            }
        }
        match magnitude.checked_mul(10) {
            Some(m) => magnitude = m,
            None => return i64::MAX,
        }
    }
}

/// Splits a time-ordered series where the time between two points is more than
/// three times the usual spacing, so a chart shows a gap where data is missing
/// (a checker that was stopped) instead of a line across it.
pub fn split_at_gaps(points: &[Point]) -> Vec<&[Point]> {
    if points.len() < 3 {
        return if points.is_empty() {
            Vec::new()
        } else {
            vec![points]
        };
    }
    let mut steps: Vec<i64> = points
        .windows(2)
        .map(|w| w[1].timestamp - w[0].timestamp)
        .collect();
    steps.sort_unstable();
    let usual = steps[steps.len() / 2].max(1);
    let mut segments = Vec::new();
    let mut start = 0;
    for i in 1..points.len() {
        if points[i].timestamp - points[i - 1].timestamp > usual.saturating_mul(3) {
            segments.push(&points[start..i]);
            start = i;
        }
    }
    segments.push(&points[start..]);
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::Attempt;

    fn result(title: &str, ts: i64, status: Status, rtt: i64) -> CheckResult {
        CheckResult {
            title: title.into(),
            endpoint: format!("https://{title}"),
            timestamp: ts,
            times: vec![Attempt {
                rtt,
                error: String::new(),
            }],
            threshold: 0,
            status,
            notice: String::new(),
            message: String::new(),
            node: None,
            kind: None,
            maintenance: false,
        }
    }

    #[test]
    fn groups_by_title_with_newest_as_latest_and_series_in_time_order() {
        let r2 = vec![
            result("b", 20, Status::Down, 5),
            result("a", 20, Status::Healthy, 7),
        ];
        let r1 = vec![
            result("a", 10, Status::Degraded, 3),
            result("b", 10, Status::Healthy, 4),
        ];
        let s = summarize([r2.as_slice(), r1.as_slice()]);
        assert_eq!(
            s.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(),
            ["b", "a"],
            "newest round's order"
        );
        assert_eq!(s[0].latest.status, Status::Down);
        assert_eq!(s[0].status, Status::Down);
        assert_eq!(
            s[1].series.iter().map(|p| p.timestamp).collect::<Vec<_>>(),
            [10, 20]
        );
        assert_eq!(s[1].series[0].median, 3);
    }

    #[test]
    fn locations_each_keep_their_newest_result_and_decide_together() {
        let at = |node: &str, ts, status| CheckResult {
            node: Some(node.into()),
            ..result("api", ts, status, 1)
        };
        let rounds = [
            vec![at("fra", 10, Status::Down)],
            vec![at("nyc", 11, Status::Healthy)],
            vec![at("fra", 20, Status::Healthy)],
            vec![at("sgp", 21, Status::Down)],
        ];
        let s = summarize(rounds.iter().map(Vec::as_slice));
        let seen: Vec<(&str, Status)> = s[0]
            .locations
            .iter()
            .map(|l| (l.node.as_str(), l.status))
            .collect();
        assert_eq!(
            seen,
            [
                ("fra", Status::Healthy),
                ("nyc", Status::Healthy),
                ("sgp", Status::Down)
            ]
        );
        assert_eq!(
            s[0].status,
            Status::Degraded,
            "one location of three sees it down"
        );
        assert_eq!(
            s[0].problem().as_deref(),
            Some("sgp"),
            "sgp's result has no notice"
        );
        assert_eq!(s[0].latest.node.as_deref(), Some("sgp"));
        let all_down = [
            vec![at("fra", 1, Status::Down)],
            vec![at("nyc", 2, Status::Down)],
        ];
        assert_eq!(
            summarize(all_down.iter().map(Vec::as_slice))[0].status,
            Status::Down
        );
        assert_eq!(
            overall(&summarize(all_down.iter().map(Vec::as_slice))),
            Overall::MajorOutage
        );
    }

    #[test]
    fn a_check_missing_from_the_newest_round_goes_after_current_ones() {
        let old = vec![result("gone", 10, Status::Down, 1)];
        let new = vec![result("kept", 20, Status::Healthy, 1)];
        let s = summarize([old.as_slice(), new.as_slice()]);
        assert_eq!(s[0].title, "kept");
        assert_eq!(s[1].title, "gone");
    }

    #[test]
    fn overall_verdicts() {
        let mk = |statuses: &[Status]| {
            let round: Vec<CheckResult> = statuses
                .iter()
                .enumerate()
                .map(|(i, s)| result(&format!("c{i}"), 1, *s, 1))
                .collect();
            overall(&summarize([round.as_slice()]))
        };
        assert_eq!(overall(&[]), Overall::NoData);
        assert_eq!(
            mk(&[Status::Healthy, Status::Healthy]),
            Overall::Operational
        );
        assert_eq!(mk(&[Status::Healthy, Status::Degraded]), Overall::Degraded);
        assert_eq!(
            mk(&[Status::Degraded, Status::Down]),
            Overall::PartialOutage
        );
        assert_eq!(mk(&[Status::Down, Status::Down]), Overall::MajorOutage);
    }

    #[test]
    fn series_split_where_data_is_missing() {
        let p = |t| Point {
            timestamp: t,
            median: 1,
            status: Status::Healthy,
        };
        let series = [p(0), p(10), p(20), p(30), p(100), p(110), p(120)];
        let parts = split_at_gaps(&series);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].len(), 4);
        assert_eq!(parts[1][0].timestamp, 100);
        assert_eq!(split_at_gaps(&series[..4]).len(), 1);
        assert!(split_at_gaps(&[]).is_empty());
        assert_eq!(
            split_at_gaps(&[p(0), p(1000)]).len(),
            1,
            "two points: no usual spacing to judge by"
        );
    }

    #[test]
    fn nice_ceiling_rounds_up_to_1_2_5() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(200), 200);
        assert_eq!(nice_ceiling(201), 500);
        assert_eq!(nice_ceiling(i64::MAX - 1), i64::MAX);
    }
}
