//! Monthly reports, `reports/<node>/<yyyy-mm>.json`: what one node saw of
//! each check in one UTC month (rounds, down time, uptime, response-time
//! median and p95, outages, the operators' incidents), with maintenance
//! left out of the uptime. A checker writes the report of a month once,
//! create-only, with its first round of the next month; `checker rebuild`
//! writes them again from round files. Views keep 91 days; reports keep
//! every month, and the page's Reports view merges the nodes' reports of
//! a month with the page's rule (`derive::report_merge`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::contract::file_name::validate_node;
use crate::contract::incident::{IncidentState, IncidentUpdate};
use crate::contract::node_view::{DAILY, Histogram, NodeView};

/// The report format; a reader meeting a newer one says so.
pub const REPORT_VERSION: u32 = 1;

/// Where reports live, under the storage prefix. With local storage the
/// page finds them through `reports/index.json`, a JSON array of
/// `<node>/<yyyy-mm>.json` names.
pub const REPORTS_DIR: &str = "reports";

const DAY: i64 = 86_400;

/// A UTC calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
}

impl Month {
    /// The month holding `secs` (Unix seconds).
    pub fn of_secs(secs: i64) -> Month {
        let (year, month, _) = civil_from_days(secs.div_euclid(DAY));
        Month { year, month }
    }

    /// The month holding `nanos` (Unix ns).
    pub fn of_nanos(nanos: i64) -> Month {
        Month::of_secs(nanos.div_euclid(1_000_000_000))
    }

    /// Its first second, Unix seconds.
    pub fn start_secs(self) -> i64 {
        days_from_civil(self.year, self.month, 1) * DAY
    }

    /// The first second after it.
    pub fn end_secs(self) -> i64 {
        self.next().start_secs()
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Reads `yyyy-mm`.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: u8 = month.parse().ok()?;
        (1..=12).contains(&month).then_some(Month { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let text = String::deserialize(deserializer)?;
        Month::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a month (yyyy-mm)")))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day since 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

/// What a view gathers of a check over the month so far, beyond its
/// buckets: every answered round's response time and the outages begun.
/// Only a checker continues from it, so the page does not read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTally {
    #[serde(default, skip_serializing_if = "Histogram::is_empty")]
    pub times: Histogram,
    /// Times the check went down (outside maintenance) this month.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub outages: u32,
}

impl MonthTally {
    pub fn is_empty(&self) -> bool {
        self.times.is_empty() && self.outages == 0
    }

    /// Counts a round of the check: whether it is down now and was down
    /// before (outside maintenance both), and its response time.
    pub(crate) fn add(&mut self, down: bool, was_down: bool, rtt_micros: Option<u32>) {
        if let Some(micros) = rtt_micros {
            self.times.add(micros);
        }
        if down && !was_down {
            self.outages += 1;
        }
    }
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// One node's report of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthReport {
    pub version: u32,
    pub node: String,
    pub month: Month,
    /// The node's round interval, seconds (0 = unknown).
    #[serde(default)]
    pub interval_secs: i64,
    /// Every check with rounds in the month, in the node's config order.
    pub checks: Vec<CheckMonth>,
    /// The node operators' incidents open at some time in the month.
    #[serde(default)]
    pub incidents: Vec<ReportIncident>,
}

/// One check's month at one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckMonth {
    pub title: String,
    /// Rounds run.
    pub rounds: u32,
    /// Rounds down, outside maintenance.
    pub down: u32,
    /// Rounds degraded, outside maintenance.
    pub degraded: u32,
    /// Rounds in a maintenance window: neither uptime nor downtime.
    pub maintenance: u32,
    /// Down rounds as time: each stands for one interval.
    pub down_secs: i64,
    pub maintenance_secs: i64,
    /// Rounds not down, as a share of rounds outside maintenance; null
    /// when every round was in maintenance.
    pub uptime: Option<f64>,
    /// Median and 95th percentile of the answered rounds' median response
    /// times, µs (0 = no round answered).
    pub p50_us: u32,
    pub p95_us: u32,
    /// Times the check went down.
    pub outages: u32,
}

impl CheckMonth {
    /// Rounds that count for uptime.
    pub fn counted(&self) -> u32 {
        self.rounds.saturating_sub(self.maintenance)
    }
}

/// An incident as a report keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportIncident {
    pub id: String,
    /// Its newest title.
    pub title: String,
    /// The checks it affects (empty: all).
    #[serde(default)]
    pub checks: Vec<String>,
    /// Its first update, Unix ns.
    pub opened: i64,
    /// The update that resolved it, Unix ns; none while open.
    #[serde(default)]
    pub resolved: Option<i64>,
}

impl ReportIncident {
    /// Whether it concerns the check `title`.
    pub fn affects(&self, title: &str) -> bool {
        self.checks.is_empty() || self.checks.iter().any(|c| c == title)
    }
}

/// Why a stored report cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("not a monthly report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("monthly report version {0} is newer than this reader understands ({REPORT_VERSION})")]
    Version(u32),
    #[error("the report is of node {found:?}, but stored as node {expected:?}'s")]
    Node { expected: String, found: String },
    #[error("the report is of {found}, but stored as {expected}'s")]
    Month { expected: Month, found: Month },
}

impl MonthReport {
    /// Reads a stored report, which must be of `node` and `month` (what
    /// its key says).
    pub fn parse(text: &str, node: &str, month: Month) -> Result<MonthReport, ReportError> {
        let report: MonthReport = serde_json::from_str(text)?;
        if report.version > REPORT_VERSION {
            return Err(ReportError::Version(report.version));
        }
        if report.node != node {
            return Err(ReportError::Node {
                expected: node.into(),
                found: report.node,
            });
        }
        if report.month != month {
            return Err(ReportError::Month {
                expected: month,
                found: report.month,
            });
        }
        Ok(report)
    }

    /// Rounds over all checks: a report that saw more is the better one.
    pub fn total_rounds(&self) -> u64 {
        self.checks.iter().map(|c| u64::from(c.rounds)).sum()
    }
}

/// The storage key of a node's report of `month`, under the storage prefix.
pub fn report_key(node: &str, month: Month) -> String {
    format!("{REPORTS_DIR}/{node}/{month}.json")
}

/// The node and month a report key (under the prefix) names, if it is one.
pub fn parse_report_key(key: &str) -> Option<(&str, Month)> {
    let rest = key.strip_prefix("reports/")?;
    let (node, file) = rest.split_once('/')?;
    validate_node(node).ok()?;
    let month = Month::parse(file.strip_suffix(".json")?)?;
    Some((node, month))
}

impl NodeView {
    /// The month that a round started at `started` (Unix ns) ends, if it
    /// starts a new one: the view then holds the month before whole, and
    /// its report is due (see [`NodeView::month_report`]).
    pub fn month_ended_by(&self, started: i64) -> Option<Month> {
        let last = Month::of_nanos(self.updated);
        (self.updated > 0 && Month::of_nanos(started) > last).then_some(last)
    }

    /// The report of `month`, from the daily buckets (counts) and the
    /// month's tallies (response times, outages). The tallies are the
    /// month of the view's newest round, so call this before a round of
    /// the next month is added.
    pub fn month_report(&self, month: Month) -> MonthReport {
        let (from, to) = (month.start_secs(), month.end_secs());
        let tallies_are_of_month = Month::of_nanos(self.updated) == month;
        let checks = self
            .checks
            .iter()
            .filter_map(|check| {
                let mut sums = CheckMonth {
                    title: check.title.clone(),
                    rounds: 0,
                    down: 0,
                    degraded: 0,
                    maintenance: 0,
                    down_secs: 0,
                    maintenance_secs: 0,
                    uptime: None,
                    p50_us: 0,
                    p95_us: 0,
                    outages: 0,
                };
                for day in check.series[DAILY].buckets() {
                    if day.start < from || day.start >= to || day.n == 0 {
                        continue;
                    }
                    // Without a known interval, a round stands for its share of the day.
                    let each = match self.interval_secs {
                        0 => DAY as f64 / f64::from(day.n),
                        interval => interval as f64,
                    };
                    sums.rounds += day.n;
                    sums.down += day.down;
                    sums.degraded += day.degraded;
                    sums.maintenance += day.maintenance;
                    sums.down_secs += (f64::from(day.down) * each).round() as i64;
                    sums.maintenance_secs += (f64::from(day.maintenance) * each).round() as i64;
                }
                if sums.rounds == 0 {
                    return None;
                }
                let counted = sums.counted();
                sums.uptime =
                    (counted > 0).then(|| f64::from(counted - sums.down) / f64::from(counted));
                if tallies_are_of_month {
                    sums.p50_us = check.month.times.quantile(0.5);
                    sums.p95_us = check.month.times.quantile(0.95);
                    sums.outages = check.month.outages;
                }
                Some(sums)
            })
            .collect();
        MonthReport {
            version: REPORT_VERSION,
            node: self.node.clone(),
            month,
            interval_secs: self.interval_secs,
            checks,
            incidents: incidents_in(&self.incidents, from, to),
        }
    }
}

/// The incidents among `updates` open at some time in `[from, to)` (Unix s),
/// oldest first.
fn incidents_in(updates: &[IncidentUpdate], from: i64, to: i64) -> Vec<ReportIncident> {
    let mut incidents: Vec<ReportIncident> = Vec::new();
    let mut sorted: Vec<&IncidentUpdate> = updates.iter().collect();
    crate::sorting::sort_by(&mut sorted, |a, b| a.timestamp.cmp(&b.timestamp));
    for update in sorted {
        let resolved = (update.state == IncidentState::Resolved).then_some(update.timestamp);
        match incidents.iter_mut().find(|i| i.id == update.id) {
            Some(incident) => {
                incident.title = update.title.clone();
                incident.checks = update.checks.clone();
                incident.resolved = resolved;
            }
            None => incidents.push(ReportIncident {
                id: update.id.clone(),
                title: update.title.clone(),
                checks: update.checks.clone(),
                opened: update.timestamp,
                resolved,
            }),
        }
    }
    let (from, to) = (from * 1_000_000_000, to * 1_000_000_000);
    incidents.retain(|i| i.opened < to && i.resolved.is_none_or(|r| r >= from));
    incidents
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::result::{Attempt, CheckResult};
    use crate::contract::status::Status;

    const NANOS: i64 = 1_000_000_000;

    #[test]
    fn months_follow_the_calendar() {
        // 2024-02-29 12:00 UTC, a leap day.
        let leap = Month::of_secs(1_709_208_000);
        assert_eq!(
            leap,
            Month {
                year: 2024,
                month: 2
            }
        );
        assert_eq!(leap.start_secs(), 1_706_745_600); // 2024-02-01
        assert_eq!(leap.end_secs(), 1_709_251_200); // 2024-03-01
        assert_eq!((leap.end_secs() - leap.start_secs()) / DAY, 29);
        let december = Month::parse("2025-12").unwrap();
        assert_eq!(december.next(), Month::parse("2026-01").unwrap());
        assert_eq!(december.to_string(), "2025-12");
        assert_eq!(Month::of_secs(0), Month::parse("1970-01").unwrap());
        assert_eq!(Month::of_secs(-1), Month::parse("1969-12").unwrap());
        // Every day of 1900..2200 maps back to its month's range.
        for day in -25_567..84_000 {
            let secs = day * DAY + 3_600;
            let month = Month::of_secs(secs);
            assert!(
                month.start_secs() <= secs && secs < month.end_secs(),
                "{month}"
            );
        }
        for bad in ["2025-13", "2025-00", "25-01", "2025-1", "2025/01", ""] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn report_keys_name_node_and_month() {
        let month = Month::parse("2026-11").unwrap();
        assert_eq!(report_key("eu-1", month), "reports/eu-1/2026-11.json");
        assert_eq!(
            parse_report_key("reports/eu-1/2026-11.json"),
            Some(("eu-1", month))
        );
        for bad in [
            "reports/eu-1/2026-13.json",
            "reports/../2026-11.json",
            "reports/eu-1/2026-11.txt",
            "reports/index.json",
            "views/eu-1/2026-11.json",
        ] {
            assert_eq!(parse_report_key(bad), None, "{bad}");
        }
    }

    fn result(title: &str, ts: i64, status: Status, rtt_ms: i64, maintenance: bool) -> CheckResult {
        CheckResult {
            title: title.into(),
            endpoint: format!("https://{title}"),
            timestamp: ts,
            times: vec![Attempt {
                rtt: rtt_ms * 1_000_000,
                error: String::new(),
            }],
            threshold: 0,
            status,
            notice: String::new(),
            message: String::new(),
            node: Some("n1".into()),
            kind: Some("http".into()),
            maintenance,
        }
    }

    /// A view fed one round an hour through November 2026 and into
    /// December: `down_hours` of each day's hours are down, hour 23 of
    /// November 10 is maintenance.
    fn november_view(down_hours: &[i64]) -> (NodeView, Option<MonthReport>) {
        let november = Month::parse("2026-11").unwrap();
        let mut view = NodeView::new("n1");
        view.interval_secs = 3_600;
        let mut report = None;
        let mut at = november.start_secs() - 2 * 3_600; // from October's end
        while at < november.end_secs() + 3 * 3_600 {
            let hour = (at / 3_600).rem_euclid(24);
            let day = (at - november.start_secs()).div_euclid(DAY);
            let status = if down_hours.contains(&hour) {
                Status::Down
            } else {
                Status::Healthy
            };
            let maintenance = day == 9 && hour == 23;
            let started = at * NANOS;
            if let Some(month) = view.month_ended_by(started) {
                if month == november {
                    report = Some(view.month_report(month));
                }
            }
            view.add_round(
                started,
                &[result("api", started, status, 10 + hour, maintenance)],
            );
            at += 3_600;
        }
        (view, report)
    }

    #[test]
    fn a_month_ends_with_its_report() {
        let (_, report) = november_view(&[3]);
        let report = report.expect("December's first round ends November");
        assert_eq!(report.month.to_string(), "2026-11");
        assert_eq!(report.node, "n1");
        let api = &report.checks[0];
        // 30 days of 24 rounds; October's two and December's are not in it.
        assert_eq!(api.rounds, 720);
        assert_eq!(api.down, 30);
        assert_eq!(api.maintenance, 1);
        assert_eq!(api.down_secs, 30 * 3_600);
        assert_eq!(api.maintenance_secs, 3_600);
        assert_eq!(api.uptime, Some(689.0 / 719.0));
        // One outage a day, each starting at 03:00.
        assert_eq!(api.outages, 30);
        // Answered rounds took 10..=33 ms (hour 3 is down): the median is
        // about 22 ms, p95 about 32 ms, within the histogram's 2.5 %.
        assert!((21_000..=23_500).contains(&api.p50_us), "{}", api.p50_us);
        assert!((31_000..=33_500).contains(&api.p95_us), "{}", api.p95_us);
    }

    #[test]
    fn consecutive_down_rounds_are_one_outage() {
        let (_, report) = november_view(&[3, 4, 5]);
        let api = &report.unwrap().checks[0];
        assert_eq!(api.down, 90);
        assert_eq!(api.outages, 30);
    }

    #[test]
    fn a_new_month_starts_new_tallies() {
        let (view, _) = november_view(&[3]);
        // December's three rounds so far: 00:00, 01:00, 02:00, all up.
        let december = view.month_report(Month::parse("2026-12").unwrap());
        assert_eq!(december.checks[0].rounds, 3);
        assert_eq!(december.checks[0].outages, 0);
        assert!((9_500..=12_500).contains(&december.checks[0].p50_us));
    }

    #[test]
    fn incidents_open_in_the_month_are_kept() {
        let month = Month::parse("2026-11").unwrap();
        let at = |day: i64| (month.start_secs() + day * DAY) * NANOS;
        let update = |id: &str, ts: i64, state: IncidentState| IncidentUpdate {
            id: id.into(),
            title: format!("{id} at {ts}"),
            checks: vec!["api".into()],
            state,
            body: String::new(),
            doc: Vec::new(),
            timestamp: ts,
            node: "n1".into(),
        };
        let updates = vec![
            update("before", at(-5), IncidentState::Investigating),
            update("before", at(-4), IncidentState::Resolved),
            update("across", at(-1), IncidentState::Investigating),
            update("across", at(2), IncidentState::Resolved),
            update("inside", at(10), IncidentState::Investigating),
            update("open", at(29), IncidentState::Identified),
            update("after", at(31), IncidentState::Investigating),
        ];
        let kept = incidents_in(&updates, month.start_secs(), month.end_secs());
        let ids: Vec<&str> = kept.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["across", "inside", "open"]);
        assert_eq!(kept[0].opened, at(-1));
        assert_eq!(kept[0].resolved, Some(at(2)));
        assert_eq!(kept[0].title, format!("across at {}", at(2)));
        assert_eq!(kept[2].resolved, None);
        assert!(kept[0].affects("api") && !kept[0].affects("web"));
    }

    #[test]
    fn stored_reports_must_be_what_their_key_says() {
        let (_, report) = november_view(&[3]);
        let report = report.unwrap();
        let text = serde_json::to_string(&report).unwrap();
        let month = report.month;
        let read = MonthReport::parse(&text, "n1", month).unwrap();
        // JSON keeps a float to its last digit or so.
        let (a, b) = (
            read.checks[0].uptime.unwrap(),
            report.checks[0].uptime.unwrap(),
        );
        assert!((a - b).abs() < 1e-12);
        assert_eq!(read.checks[0].rounds, report.checks[0].rounds);
        let other = MonthReport::parse(&text, "n2", month).unwrap_err();
        assert!(other.to_string().contains("\"n2\""), "{other}");
        let wrong_month = MonthReport::parse(&text, "n1", month.next()).unwrap_err();
        assert!(wrong_month.to_string().contains("2026-12"), "{wrong_month}");
        let newer = text.replace("\"version\":1", "\"version\":9");
        assert!(matches!(
            MonthReport::parse(&newer, "n1", month),
            Err(ReportError::Version(9))
        ));
        let garbage = MonthReport::parse("{\"month\":\"2026-13\"}", "n1", month).unwrap_err();
        assert!(
            garbage.to_string().starts_with("not a monthly report"),
            "{garbage}"
        );
    }
}
