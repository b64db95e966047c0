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
use crate::contract::node_view::NodeView;

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
    /// Outages: times the check went down, and one going on when the
    /// month began.
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
    /// its report is due (see `NodeView::month_report`, a checker's).
    pub fn month_ended_by(&self, started: i64) -> Option<Month> {
        let last = Month::of_nanos(self.updated);
        (self.updated > 0 && Month::of_nanos(started) > last).then_some(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
