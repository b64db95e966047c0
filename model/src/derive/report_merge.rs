//! A month's reports from every node merged into one line per check, the
//! way the page merges locations: uptime pools the rounds of all locations
//! (as the page's uptime figures do), the median is the locations' medians
//! weighted by answered rounds and the p95 the worst location's (as the
//! chart draws them). Then the error budget against an SLA target, and the
//! CSV a visitor downloads. Plain functions, tested natively.

use crate::contract::report::{CheckMonth, Month, MonthReport, ReportIncident};

/// One check's month over all locations.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedCheck {
    pub title: String,
    pub rounds: u64,
    pub down: u64,
    pub degraded: u64,
    pub maintenance: u64,
    /// Rounds not down over rounds outside maintenance, all locations
    /// pooled; none when every round was in maintenance.
    pub uptime: Option<f64>,
    /// The locations' down time, averaged: what the pooled uptime means
    /// in time when the locations ran alike.
    pub down_secs: i64,
    pub maintenance_secs: i64,
    pub p50_us: u32,
    pub p95_us: u32,
    /// The most outages any location saw.
    pub outages: u32,
    /// Each location's own figures, by node name.
    pub locations: Vec<(String, CheckMonth)>,
    /// The incidents that concerned it (any node's operators).
    pub incidents: Vec<ReportIncident>,
}

/// A month over all nodes' reports of it.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedMonth {
    pub month: Month,
    /// The nodes whose reports it merges, sorted.
    pub nodes: Vec<String>,
    /// Checks in the first node's order, then any the others add.
    pub checks: Vec<MergedCheck>,
}

/// Merges the reports of one month (one per node).
pub fn merge_reports(month: Month, reports: &[MonthReport]) -> MergedMonth {
    let mut reports: Vec<&MonthReport> = reports.iter().filter(|r| r.month == month).collect();
    crate::sorting::sort_by(&mut reports, |a, b| a.node.cmp(&b.node));
    let mut titles: Vec<&str> = Vec::new();
    for report in &reports {
        for check in &report.checks {
            if !titles.contains(&check.title.as_str()) {
                titles.push(&check.title);
            }
        }
    }
    let checks = titles
        .into_iter()
        .map(|title| {
            let locations: Vec<(String, CheckMonth)> = reports
                .iter()
                .filter_map(|r| {
                    let check = r.checks.iter().find(|c| c.title == title)?;
                    Some((r.node.clone(), check.clone()))
                })
                .collect();
            let mut incidents: Vec<ReportIncident> = Vec::new();
            for incident in reports.iter().flat_map(|r| &r.incidents) {
                if incident.affects(title) && !incidents.iter().any(|i| i.id == incident.id) {
                    incidents.push(incident.clone());
                }
            }
            crate::sorting::sort_by(&mut incidents, |a, b| a.opened.cmp(&b.opened));
            merge_check(title, locations, incidents)
        })
        .collect();
    MergedMonth {
        month,
        nodes: reports.iter().map(|r| r.node.clone()).collect(),
        checks,
    }
}

fn merge_check(
    title: &str,
    locations: Vec<(String, CheckMonth)>,
    incidents: Vec<ReportIncident>,
) -> MergedCheck {
    // Saturating: reports are read from storage.
    let sum = |f: fn(&CheckMonth) -> u64| {
        (locations.iter().map(|(_, c)| f(c))).fold(0u64, u64::saturating_add)
    };
    let rounds = sum(|c| c.rounds.into());
    let down = sum(|c| c.down.into());
    let maintenance = sum(|c| c.maintenance.into());
    let counted = rounds.saturating_sub(maintenance);
    let places = locations.len().max(1) as i64;
    let answered: Vec<(u32, u64)> = locations
        .iter()
        .filter(|(_, c)| c.p50_us > 0)
        .map(|(_, c)| {
            (
                c.p50_us,
                u64::from(c.counted().saturating_sub(c.down)).max(1),
            )
        })
        .collect();
    let weight: u64 = answered.iter().map(|&(_, w)| w).sum();
    MergedCheck {
        title: title.to_string(),
        rounds,
        down,
        degraded: sum(|c| c.degraded.into()),
        maintenance,
        uptime: (counted > 0).then(|| counted.saturating_sub(down) as f64 / counted as f64),
        down_secs: mean(locations.iter().map(|(_, c)| c.down_secs), places),
        maintenance_secs: mean(locations.iter().map(|(_, c)| c.maintenance_secs), places),
        p50_us: match weight {
            0 => 0,
            _ => (answered.iter().map(|&(v, w)| u64::from(v) * w).sum::<u64>() / weight) as u32,
        },
        p95_us: locations.iter().map(|(_, c)| c.p95_us).max().unwrap_or(0),
        outages: locations.iter().map(|(_, c)| c.outages).max().unwrap_or(0),
        locations,
        incidents,
    }
}

/// The mean of `values` over `count`; a sum that would overflow saturates.
fn mean(values: impl Iterator<Item = i64>, count: i64) -> i64 {
    values.fold(0i64, i64::saturating_add) / count
}

/// A check's error budget for a month against an SLA target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Down time the target allows in the month outside maintenance,
    /// seconds.
    pub allowed_secs: i64,
    /// Down time the uptime means over that time, seconds.
    pub used_secs: i64,
    /// What is left; negative when the target was missed.
    pub left_secs: i64,
    pub met: bool,
}

/// The budget of a check with `uptime` (0..=1) in `month` against
/// `target_percent` (an SLA such as 99.9). Maintenance counts neither for
/// nor against it, as in the uptime: the budget is a share of the month's
/// time outside its `maintenance_secs`.
pub fn budget(target_percent: f64, uptime: f64, month: Month, maintenance_secs: i64) -> Budget {
    let month_secs = month.end_secs() - month.start_secs();
    let counted_secs = month_secs
        .saturating_sub(maintenance_secs)
        .clamp(0, month_secs) as f64;
    let allowed_secs = ((1.0 - target_percent / 100.0) * counted_secs).round() as i64;
    let used_secs = ((1.0 - uptime) * counted_secs).round() as i64;
    Budget {
        allowed_secs,
        used_secs,
        left_secs: allowed_secs.saturating_sub(used_secs),
        met: uptime * 100.0 >= target_percent - 1e-9,
    }
}

/// The merged month as CSV (RFC 4180): one line for each check over all
/// locations (location `all`), then one per location. Column names are
/// English and stable, for spreadsheets and scripts.
pub fn report_csv(merged: &MergedMonth, target_percent: Option<f64>) -> String {
    let mut out = String::from(
        "month,check,location,rounds,down_rounds,degraded_rounds,maintenance_rounds,\
         uptime_percent,down_seconds,maintenance_seconds,median_ms,p95_ms,outages,\
         incidents,sla_percent,sla_met,budget_left_seconds\r\n",
    );
    let month = merged.month.to_string();
    for check in &merged.checks {
        let incidents = check
            .incidents
            .iter()
            .map(|i| i.title.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let mut line = |location: &str, figures: Figures, sla: bool| {
            let percent = figures.uptime.map(|u| format!("{:.4}", u * 100.0));
            let budget = (target_percent.filter(|_| sla))
                .and_then(|target| Some((target, figures.budget(target, merged.month)?)));
            let fields = [
                month.clone(),
                check.title.clone(),
                location.to_string(),
                figures.rounds.to_string(),
                figures.down.to_string(),
                figures.degraded.to_string(),
                figures.maintenance.to_string(),
                percent.unwrap_or_default(),
                figures.down_secs.to_string(),
                figures.maintenance_secs.to_string(),
                millis(figures.p50_us),
                millis(figures.p95_us),
                figures.outages.to_string(),
                if sla {
                    incidents.clone()
                } else {
                    String::new()
                },
                budget.map(|(t, _)| t.to_string()).unwrap_or_default(),
                budget.map(|(_, b)| b.met.to_string()).unwrap_or_default(),
                budget
                    .map(|(_, b)| b.left_secs.to_string())
                    .unwrap_or_default(),
            ];
            // Check, location and incidents are operator text; the rest numbers.
            let cells: Vec<String> = (fields.iter().enumerate())
                .map(|(at, f)| csv_cell(f, matches!(at, 1 | 2 | 13)))
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        };
        line("all", Figures::of_merged(check), true);
        for (node, figures) in &check.locations {
            line(node, Figures::of_location(figures), false);
        }
    }
    out
}

/// The figures of one line of a month's table or CSV: a check merged over
/// the locations, or one location's.
pub struct Figures {
    pub rounds: u64,
    pub down: u64,
    pub degraded: u64,
    pub maintenance: u64,
    pub uptime: Option<f64>,
    pub down_secs: i64,
    pub maintenance_secs: i64,
    pub p50_us: u32,
    pub p95_us: u32,
    pub outages: u32,
}

impl Figures {
    pub fn of_merged(c: &MergedCheck) -> Figures {
        Figures {
            rounds: c.rounds,
            down: c.down,
            degraded: c.degraded,
            maintenance: c.maintenance,
            uptime: c.uptime,
            down_secs: c.down_secs,
            maintenance_secs: c.maintenance_secs,
            p50_us: c.p50_us,
            p95_us: c.p95_us,
            outages: c.outages,
        }
    }

    pub fn of_location(c: &CheckMonth) -> Figures {
        Figures {
            rounds: c.rounds.into(),
            down: c.down.into(),
            degraded: c.degraded.into(),
            maintenance: c.maintenance.into(),
            uptime: c.uptime,
            down_secs: c.down_secs,
            maintenance_secs: c.maintenance_secs,
            p50_us: c.p50_us,
            p95_us: c.p95_us,
            outages: c.outages,
        }
    }

    /// The error budget in `month` against `target_percent`; none when
    /// every round was in maintenance.
    pub fn budget(&self, target_percent: f64, month: Month) -> Option<Budget> {
        let uptime = self.uptime?;
        Some(budget(target_percent, uptime, month, self.maintenance_secs))
    }
}

/// Microseconds as milliseconds with three decimals; empty for none.
fn millis(micros: u32) -> String {
    if micros == 0 {
        String::new()
    } else {
        format!("{}.{:03}", micros / 1_000, micros % 1_000)
    }
}

/// A CSV field: quoted when it holds a comma, quote or line break, and
/// operator `text` with a leading `'` when a spreadsheet would take it
/// for a formula.
fn csv_cell(field: &str, text: bool) -> String {
    let field = if text && field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::report::REPORT_VERSION;

    fn check(
        title: &str,
        rounds: u32,
        down: u32,
        maintenance: u32,
        p50: u32,
        p95: u32,
    ) -> CheckMonth {
        let counted = rounds - maintenance;
        CheckMonth {
            title: title.into(),
            rounds,
            down,
            degraded: 1,
            maintenance,
            down_secs: i64::from(down) * 60,
            maintenance_secs: i64::from(maintenance) * 60,
            uptime: (counted > 0).then(|| f64::from(counted - down) / f64::from(counted)),
            p50_us: p50,
            p95_us: p95,
            outages: down.min(2),
        }
    }

    fn report(node: &str, checks: Vec<CheckMonth>, incidents: Vec<ReportIncident>) -> MonthReport {
        MonthReport {
            version: REPORT_VERSION,
            node: node.into(),
            month: november(),
            interval_secs: 60,
            checks,
            incidents,
        }
    }

    fn november() -> Month {
        Month::parse("2026-11").unwrap()
    }

    fn incident(id: &str, title: &str, checks: &[&str], opened: i64) -> ReportIncident {
        ReportIncident {
            id: id.into(),
            title: title.into(),
            checks: checks.iter().map(|c| c.to_string()).collect(),
            opened,
            resolved: None,
        }
    }

    #[test]
    fn locations_merge_as_the_page_merges_them() {
        let reports = [
            report(
                "n2",
                vec![
                    check("api", 1000, 30, 100, 20_000, 90_000),
                    check("web", 10, 0, 0, 0, 0),
                ],
                vec![incident("i2", "Slow API", &["api"], 5)],
            ),
            report(
                "n1",
                vec![check("api", 1000, 0, 0, 10_000, 50_000)],
                vec![
                    incident("i1", "Everything", &[], 1),
                    incident("i2", "Slow API", &["api"], 5),
                ],
            ),
            // Another month's report is not merged in.
            MonthReport {
                month: november().next(),
                ..report("n3", vec![check("api", 5, 5, 0, 0, 0)], Vec::new())
            },
        ];
        let merged = merge_reports(november(), &reports);
        assert_eq!(merged.nodes, ["n1", "n2"]);
        let titles: Vec<&str> = merged.checks.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["api", "web"], "n1's order first");
        let api = &merged.checks[0];
        assert_eq!((api.rounds, api.down, api.maintenance), (2000, 30, 100));
        // 1,900 counted rounds, 30 down, pooled.
        assert_eq!(api.uptime, Some(1870.0 / 1900.0));
        assert_eq!(api.down_secs, 30 * 60 / 2);
        // Medians weighted by answered rounds: n1 1,000 at 10 ms, n2 870 at 20 ms.
        assert_eq!(api.p50_us, (10_000 * 1000 + 20_000 * 870) / 1870);
        assert_eq!(api.p95_us, 90_000, "the worst location's p95");
        assert_eq!(api.outages, 2);
        let ids: Vec<&str> = api.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["i1", "i2"], "each incident once, oldest first");
        let web = &merged.checks[1];
        assert_eq!(web.locations.len(), 1);
        assert_eq!(web.p50_us, 0);
        assert_eq!(web.incidents.len(), 1, "an incident of every check");
    }

    #[test]
    fn the_budget_is_what_the_target_allows_minus_what_was_down() {
        // November has 30 days: 99.9 % allows 43.2 minutes.
        let met = budget(99.9, 0.9995, november(), 0);
        assert_eq!(met.allowed_secs, 2_592);
        assert_eq!(met.used_secs, 1_296);
        assert_eq!(met.left_secs, 1_296);
        assert!(met.met);
        let missed = budget(99.9, 0.998, november(), 0);
        assert_eq!(missed.left_secs, 2_592 - 5_184);
        assert!(!missed.met);
        assert!(
            budget(99.9, 0.999, november(), 0).met,
            "exactly the target meets it"
        );
        // Two hours of maintenance and down the rest of the month: the
        // budget is spent over the time outside maintenance only, so what
        // is over it is less than the down time, never more.
        let down_secs = 30 * 86_400 - 7_200;
        let maintained = budget(99.9, 0.0, november(), 7_200);
        assert_eq!(maintained.used_secs, down_secs);
        assert_eq!(maintained.allowed_secs, 2_585);
        assert_eq!(-maintained.left_secs, down_secs - 2_585);
        // A month all in maintenance has no budget to spend, and no
        // maintenance time beyond the month's own length counts.
        let all = budget(99.9, 1.0, november(), 40 * 86_400);
        assert_eq!((all.allowed_secs, all.used_secs), (0, 0));
    }

    #[test]
    fn csv_has_a_line_per_check_and_location_and_escapes_operator_text() {
        let reports = [report(
            "n1",
            vec![check("=HYPERLINK(\"x\"),y", 100, 1, 0, 12_345, 20_000)],
            vec![incident("i1", "DB, \"again\"", &[], 1)],
        )];
        let csv = report_csv(&merge_reports(november(), &reports), Some(99.5));
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines.len(),
            4,
            "header, all, n1, and the final line break: {csv}"
        );
        assert!(lines[0].starts_with("month,check,location,rounds,"));
        assert_eq!(
            lines[1],
            "2026-11,\"'=HYPERLINK(\"\"x\"\"),y\",all,100,1,1,0,99.0000,60,0,12.345,20.000,1,\
             \"DB, \"\"again\"\"\",99.5,false,-12960"
        );
        assert_eq!(
            lines[2],
            "2026-11,\"'=HYPERLINK(\"\"x\"\"),y\",n1,100,1,1,0,99.0000,60,0,12.345,20.000,1,,,,"
        );
        let no_sla = report_csv(&merge_reports(november(), &reports), None);
        assert!(no_sla.split("\r\n").nth(1).unwrap().ends_with(",,,"));
    }
}
