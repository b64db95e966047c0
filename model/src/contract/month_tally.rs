//! A checker's side of monthly reports: the month so far that a view
//! keeps for each check ([`MonthTally`], counted as rounds are added) and
//! the report made from it and the daily buckets when the month ends
//! ([`NodeView::month_report`]). Native only: the page reads reports, and
//! views on the page keep no tallies (carrying them cost it 0.5 KB).

use serde::{Deserialize, Serialize};

use crate::contract::incident::{IncidentState, IncidentUpdate};
use crate::contract::node_view::{CheckHistory, DAILY, Histogram, NodeView};
use crate::contract::report::{CheckMonth, Month, MonthReport, REPORT_VERSION, ReportIncident};
use crate::contract::result::CheckResult;
use crate::contract::status::Status;

const DAY: i64 = 86_400;

/// What a view gathers of a check over the month so far, beyond its
/// buckets: every answered round's response time and the outages begun.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTally {
    #[serde(default, skip_serializing_if = "Histogram::is_empty")]
    pub times: Histogram,
    /// Outages in the month: times the check went down (outside
    /// maintenance), and one going on when the month began.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub outages: u32,
}

impl MonthTally {
    pub fn is_empty(&self) -> bool {
        self.times.is_empty() && self.outages == 0
    }

    /// Counts a round of the check: whether it is down now and was down
    /// before, and its response time.
    fn add(&mut self, down: bool, was_down: bool, rtt_micros: Option<u32>) {
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

/// Counts one round into the checks' tallies: made for each round by
/// [`NodeView::add_round`], which calls [`RoundTally::count`] for each
/// check before the round changes the check's history.
pub(crate) struct RoundTally {
    /// The first second of the month the round counts for.
    month_start: i64,
}

impl RoundTally {
    /// For a round started at `started` (Unix ns): a round of a new month
    /// starts every check's tally afresh (its report was taken first).
    pub(crate) fn start(view: &NodeView, started: i64, checks: &mut [CheckHistory]) -> RoundTally {
        if view.month_ended_by(started).is_some() {
            for check in checks {
                // An outage still going on counts in the new month too.
                check.month = MonthTally {
                    outages: u32::from(is_down(&check.latest)),
                    ..MonthTally::default()
                };
            }
        }
        RoundTally {
            month_start: Month::of_nanos(view.updated.max(started)).start_secs(),
        }
    }

    /// Counts `result` into `history`'s tally, if it falls in the month
    /// (a late replay of last month does not).
    pub(crate) fn count(
        &self,
        history: &mut CheckHistory,
        result: &CheckResult,
        rtt_micros: Option<u32>,
    ) {
        if result.timestamp.div_euclid(1_000_000_000) < self.month_start {
            return;
        }
        // A check new to the view has no buckets yet, and was not down.
        let was_down = !history.series[DAILY].is_empty() && is_down(&history.latest);
        history.month.add(is_down(result), was_down, rtt_micros);
    }
}

/// Down, outside maintenance: what an outage is made of.
fn is_down(result: &CheckResult) -> bool {
    result.status == Status::Down && !result.maintenance
}

impl NodeView {
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
                    // Saturating: a view is read from storage.
                    sums.rounds = sums.rounds.saturating_add(day.n);
                    sums.down = sums.down.saturating_add(day.down);
                    sums.degraded = sums.degraded.saturating_add(day.degraded);
                    sums.maintenance = sums.maintenance.saturating_add(day.maintenance);
                    let secs = |rounds: u32| (f64::from(rounds) * each).round() as i64;
                    sums.down_secs = sums.down_secs.saturating_add(secs(day.down));
                    sums.maintenance_secs =
                        sums.maintenance_secs.saturating_add(secs(day.maintenance));
                }
                if sums.rounds == 0 {
                    return None;
                }
                let counted = sums.counted();
                sums.uptime = (counted > 0)
                    .then(|| f64::from(counted.saturating_sub(sums.down)) / f64::from(counted));
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
    use crate::contract::node_view::tests::result;
    use crate::contract::report::ReportError;

    const NANOS: i64 = 1_000_000_000;

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
            if let Some(month) = view.month_ended_by(started)
                && month == november
            {
                report = Some(view.month_report(month));
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
    fn an_outage_going_on_when_a_month_begins_counts_in_it() {
        // Down every night from 23:00 to 00:59, across each midnight.
        let (view, november) = november_view(&[23, 0]);
        // October 31's outage goes on into November 1, then 30 begin.
        assert_eq!(november.unwrap().checks[0].outages, 31);
        let december = view.month_report(Month::parse("2026-12").unwrap());
        assert_eq!(december.checks[0].outages, 1, "November 30's, going on");
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
