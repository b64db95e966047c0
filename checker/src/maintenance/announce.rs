//! What of the configured windows visitors see, for this node's view: per
//! window, the occurrence in progress or else the next one if it starts
//! within the window's `announce`, and the most recent completed one (for
//! the page's timeline).

use checkup_model::contract::announced::{Announced, WeeklyRule};
use jiff::civil::Weekday;

use super::{DAY_NS, When, Window};

/// Completed occurrences older than this drop out of the view.
const COMPLETED_KEPT_NS: i64 = 14 * DAY_NS;
/// Occurrences per window not yet over: a weekly window shows its next one
/// (calendars get the rule itself).
const UPCOMING_PER_WINDOW: usize = 1;

/// The occurrences of `windows` to show at `now` (Unix ns), by start.
pub fn announced(windows: &[Window], now: i64) -> Vec<Announced> {
    let mut all = Vec::new();
    for window in windows {
        let ahead = i64::try_from(window.announce.as_nanos()).unwrap_or(i64::MAX);
        let found = window.occurrences(
            now.saturating_sub(COMPLETED_KEPT_NS),
            now.saturating_add(ahead).saturating_add(1),
        );
        let last_completed = found.iter().rev().find(|(_, end)| *end <= now).copied();
        let current = found
            .iter()
            .filter(|(_, end)| *end > now)
            .take(UPCOMING_PER_WINDOW)
            .copied();
        let doc = crate::incidents::markdown::parse(&window.description);
        for (start, end) in last_completed.into_iter().chain(current) {
            all.push(Announced {
                id: window.id.clone(),
                title: window.title.clone(),
                checks: window.checks.clone().unwrap_or_default(),
                description: window.description.clone(),
                doc: doc.clone(),
                start,
                end,
                announced: start.saturating_sub(ahead),
                weekly: weekly_rule(&window.when),
            });
        }
    }
    checkup_model::sorting::sort_by(&mut all, |a, b| {
        a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id))
    });
    all
}

fn weekly_rule(when: &When) -> Option<WeeklyRule> {
    let When::Weekly {
        days,
        at,
        duration,
        tz,
    } = when
    else {
        return None;
    };
    Some(WeeklyRule {
        days: days.iter().map(|d| ical_day(*d).to_string()).collect(),
        at: format!("{:02}:{:02}", at.0, at.1),
        duration_secs: duration.as_secs() as i64,
        timezone: tz.iana_name().unwrap_or("UTC").to_string(),
    })
}

fn ical_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::plain;
    use super::*;
    use std::time::Duration;

    fn ns(rfc3339: &str) -> i64 {
        let ts: jiff::Timestamp = rfc3339.parse().unwrap();
        ts.as_nanosecond() as i64
    }

    #[test]
    fn a_one_off_window_is_announced_then_in_progress_then_completed() {
        let mut w = plain(When::Once {
            start: ns("2026-12-10T02:00:00Z"),
            end: ns("2026-12-10T04:00:00Z"),
        });
        w.announce = Duration::from_secs(3 * 86_400);
        w.description = "Upgrading **Postgres**. <script>x</script>".into();
        assert!(announced(&[w.clone()], ns("2026-12-06T00:00:00Z")).is_empty());
        let shown = announced(&[w.clone()], ns("2026-12-08T00:00:00Z"));
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].announced, ns("2026-12-07T02:00:00Z"));
        assert!(
            checkup_model::contract::incident_text::plain_text(&shown[0].doc)
                .contains("<script>x</script>"),
            "raw HTML stays text: {:?}",
            shown[0].doc
        );
        assert_eq!(announced(&[w.clone()], ns("2026-12-10T03:00:00Z")).len(), 1);
        assert_eq!(announced(&[w.clone()], ns("2026-12-20T00:00:00Z")).len(), 1);
        assert!(announced(&[w], ns("2026-12-25T00:00:00Z")).is_empty());
    }

    #[test]
    fn a_daily_window_lists_the_last_completed_and_the_next() {
        let mut w = plain(When::Weekly {
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ],
            at: (12, 0),
            duration: Duration::from_secs(600),
            tz: jiff::tz::TimeZone::get("Europe/Berlin").unwrap(),
        });
        w.announce = Duration::from_secs(30 * 86_400);
        let shown = announced(&[w], ns("2026-12-05T12:00:00Z"));
        assert_eq!(shown.len(), 1 + UPCOMING_PER_WINDOW);
        assert_eq!(
            shown[0].start,
            ns("2026-12-05T11:00:00Z"),
            "completed today"
        );
        let rule = shown[0].weekly.as_ref().unwrap();
        assert_eq!(rule.days.len(), 7);
        assert_eq!(rule.at, "12:00");
        assert_eq!(rule.timezone, "Europe/Berlin");
    }
}
