//! Maintenance windows: times when checks still run and are stored, marked
//! `maintenance: true`, but no one is alerted. One-off (`start`/`end`, RFC
//! 3339) or weekly (`every` days, `at` a local time, for `duration`, in a
//! `timezone` from the bundled tz database, so DST is handled and no system
//! zoneinfo is needed). Each window is announced ahead (`announce`) with a
//! `title` and a Markdown `description`; [`announce`] lists what to show.

pub mod announce;

use std::time::Duration;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use toml::Spanned;

use serde::Deserialize;

use crate::options::{FieldError, check_list, duration};

/// A `[[maintenance]]` table: a one-off window (`start`, `end`) or a weekly
/// one (`every`, `at`, `duration`, `timezone`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    /// For logs.
    pub name: Option<Spanned<String>>,
    /// Only these checks (default: all).
    pub checks: Option<Spanned<Vec<Spanned<String>>>>,
    /// RFC 3339, e.g. "2026-12-01T02:00:00+01:00".
    pub start: Option<Spanned<String>>,
    pub end: Option<Spanned<String>>,
    /// Days of the week: ["mon", "sat"], or ["daily"].
    pub every: Option<Spanned<Vec<Spanned<String>>>>,
    /// Local time of day the window opens, "02:00".
    pub at: Option<Spanned<String>>,
    pub duration: Option<Spanned<String>>,
    /// IANA zone, e.g. "Europe/Berlin" (default UTC).
    pub timezone: Option<Spanned<String>>,
    /// What visitors read: a title (default: `name`, else "Scheduled maintenance").
    pub title: Option<Spanned<String>>,
    /// Markdown, kept safe the way incident text is.
    pub description: Option<Spanned<String>>,
    /// How long before each occurrence it is shown, e.g. "7d" (the default).
    pub announce: Option<Spanned<String>>,
}

/// The longest a weekly window may last: longer would overlap the next week's.
const MAX_WEEKLY: Duration = Duration::from_secs(7 * 86_400);
/// How long ahead a window is announced unless it says otherwise.
const DEFAULT_ANNOUNCE: Duration = Duration::from_secs(7 * 86_400);
/// The longest `announce`: further ahead no one plans, and every occurrence
/// inside it is listed in each view.
const MAX_ANNOUNCE: Duration = Duration::from_secs(90 * 86_400);
const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// A validated `[[maintenance]]` window.
#[derive(Debug, Clone)]
pub struct Window {
    /// For logs: its `name`, or `maintenance[i]`.
    pub name: String,
    /// The checks it covers; `None` = all.
    pub checks: Option<Vec<String>>,
    pub when: When,
    /// Same on every node whose config has this window.
    pub id: String,
    pub title: String,
    /// Markdown as written.
    pub description: String,
    /// Shown this long before each occurrence.
    pub announce: Duration,
}

#[derive(Debug, Clone)]
pub enum When {
    /// From `start` (inclusive) to `end` (exclusive), Unix ns.
    Once { start: i64, end: i64 },
    Weekly {
        days: Vec<Weekday>,
        /// Hour and minute, local time.
        at: (i8, i8),
        duration: Duration,
        tz: TimeZone,
    },
}

impl Window {
    /// Whether the window is open at `now` (Unix ns) for the check `check`.
    pub fn covers(&self, check: &str, now: i64) -> bool {
        let listed = self
            .checks
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == check));
        listed && self.open_at(now)
    }

    /// Whether the window is open at `now` (Unix ns).
    pub fn open_at(&self, now: i64) -> bool {
        !self.occurrences(now, now.saturating_add(1)).is_empty()
    }

    /// The occurrences (start, end), Unix ns, that overlap `from..to`,
    /// oldest first.
    pub fn occurrences(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        match &self.when {
            When::Once { start, end } => {
                if *start < to && *end > from {
                    vec![(*start, *end)]
                } else {
                    Vec::new()
                }
            }
            When::Weekly {
                days,
                at,
                duration,
                tz,
            } => {
                let len = i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX);
                let Ok(first) = jiff::Timestamp::from_nanosecond(i128::from(from - 8 * DAY_NS))
                else {
                    return Vec::new();
                };
                let mut date: Date = first.to_zoned_datetime(tz.clone()).date();
                let mut found = Vec::new();
                // One day past `to`, for a zone far ahead of UTC.
                let days_to_scan = (to - from).div_euclid(DAY_NS) + 10;
                for _ in 0..days_to_scan {
                    if days.contains(&date.weekday())
                        && let Some(start) = local_start(date, *at, tz)
                        && start < to
                        && start.saturating_add(len) > from
                    {
                        found.push((start, start.saturating_add(len)));
                    }
                    match date.tomorrow() {
                        Ok(d) => date = d,
                        Err(_) => break,
                    }
                }
                found
            }
        }
    }
}

/// When `at` on `date` happens in `tz`, Unix ns. In a DST gap the time is
/// moved forward (jiff's "compatible" rule, as most calendars do).
fn local_start(date: Date, at: (i8, i8), tz: &TimeZone) -> Option<i64> {
    let zoned = date
        .at(at.0, at.1, 0, 0)
        .to_zoned_datetime(tz.clone())
        .ok()?;
    i64::try_from(zoned.timestamp().as_nanosecond()).ok()
}

/// Whether any window covers `check` at `now`.
pub fn in_maintenance(windows: &[Window], check: &str, now: i64) -> bool {
    windows.iter().any(|w| w.covers(check, now))
}

/// Validates the `[[maintenance]]` tables; `check_names` are the configured checks.
pub fn from_raw(
    raw: &[Spanned<RawWindow>],
    check_names: &[&str],
) -> Result<Vec<Window>, FieldError> {
    raw.iter()
        .enumerate()
        .map(|(i, w)| window(w, &format!("maintenance[{i}]"), check_names))
        .collect()
}

fn window(raw: &Spanned<RawWindow>, key: &str, check_names: &[&str]) -> Result<Window, FieldError> {
    let w = raw.get_ref();
    let field = |f: &str| format!("{key}.{f}");
    let checks = check_list(&w.checks, key, check_names)?;
    let once = [("start", &w.start), ("end", &w.end)];
    let weekly = [
        ("at", &w.at),
        ("duration", &w.duration),
        ("timezone", &w.timezone),
    ];
    let is_weekly = w.every.is_some();
    if is_weekly {
        if let Some((name, Some(v))) = once.iter().find(|(_, v)| v.is_some()) {
            return Err(FieldError::new(
                v.span(),
                field(name),
                "a weekly window (with `every`) has `at` and `duration`, not start/end",
            ));
        }
    } else if let Some((name, Some(v))) = weekly.iter().find(|(_, v)| v.is_some()) {
        return Err(FieldError::new(
            v.span(),
            field(name),
            "only applies to a weekly window: add `every = [\"sat\"]` (or use start/end)",
        ));
    }
    let need = |v: &Option<Spanned<String>>, name: &str, what: &str| match v {
        Some(v) => Ok(v.clone()),
        None => Err(FieldError::new(
            raw.span(),
            field(name),
            format!("{what} needs `{name}`"),
        )),
    };
    let when = if let Some(every) = &w.every {
        let mut days = Vec::new();
        for day in every.get_ref() {
            days.extend(
                weekdays(day.get_ref())
                    .map_err(|e| FieldError::new(day.span(), field("every"), e))?,
            );
        }
        if days.is_empty() {
            return Err(FieldError::new(
                every.span(),
                field("every"),
                "names no days; write e.g. [\"mon\", \"sat\"] or [\"daily\"]",
            ));
        }
        let at_value = need(&w.at, "at", "a weekly window")?;
        let at = time_of_day(at_value.get_ref())
            .map_err(|e| FieldError::new(at_value.span(), field("at"), e))?;
        let len_value = need(&w.duration, "duration", "a weekly window")?;
        let len = duration(&len_value, &field("duration"))?;
        if len.is_zero() || len > MAX_WEEKLY {
            return Err(FieldError::new(
                len_value.span(),
                field("duration"),
                "must be more than 0s and at most 7d",
            ));
        }
        let tz = match &w.timezone {
            Some(z) => TimeZone::get(z.get_ref()).map_err(|_| {
                FieldError::new(
                    z.span(),
                    field("timezone"),
                    format!(
                        "{:?} is not a known time zone; use an IANA name like \"Europe/Berlin\" or \"UTC\"",
                        z.get_ref()
                    ),
                )
            })?,
            None => TimeZone::UTC,
        };
        When::Weekly {
            days,
            at,
            duration: len,
            tz,
        }
    } else {
        let what = "a one-off window";
        let start_value = need(&w.start, "start", what)?;
        let end_value = need(&w.end, "end", what)?;
        let start = instant(&start_value, &field("start"))?;
        let end = instant(&end_value, &field("end"))?;
        if end <= start {
            return Err(FieldError::new(
                end_value.span(),
                field("end"),
                "must be after start",
            ));
        }
        When::Once { start, end }
    };
    let name = match &w.name {
        Some(n) if n.get_ref().trim().is_empty() => {
            return Err(FieldError::new(
                n.span(),
                field("name"),
                "must not be empty",
            ));
        }
        Some(n) => n.get_ref().clone(),
        None => key.to_string(),
    };
    let title = match &w.title {
        Some(t) if t.get_ref().trim().is_empty() => {
            return Err(FieldError::new(
                t.span(),
                field("title"),
                "must not be empty",
            ));
        }
        Some(t) => t.get_ref().trim().to_string(),
        None => match &w.name {
            Some(n) => n.get_ref().clone(),
            None => "Scheduled maintenance".to_string(),
        },
    };
    let announce = match &w.announce {
        Some(v) => {
            let announce = duration(v, &field("announce"))?;
            if announce > MAX_ANNOUNCE {
                return Err(FieldError::new(
                    v.span(),
                    field("announce"),
                    "must be at most 90d (a window is announced at most 90 days ahead)",
                ));
            }
            announce
        }
        None => DEFAULT_ANNOUNCE,
    };
    let description = w
        .description
        .as_ref()
        .map(|d| d.get_ref().trim().to_string())
        .unwrap_or_default();
    let id = format!(
        "m-{:08x}",
        checkup_model::contract::slug::fnv1a(&format!("{name}\n{when:?}"))
    );
    Ok(Window {
        name,
        checks,
        when,
        id,
        title,
        description,
        announce,
    })
}

/// An RFC 3339 time with an offset, as Unix ns.
fn instant(value: &Spanned<String>, key: &str) -> Result<i64, FieldError> {
    let bad = |why: String| {
        FieldError::new(
            value.span(),
            key,
            format!(
                "{:?} is not an RFC 3339 time ({why}); write it like \"2026-12-01T02:00:00Z\" or \"2026-12-01T03:00:00+01:00\"",
                value.get_ref()
            ),
        )
    };
    let ts: jiff::Timestamp = value
        .get_ref()
        .trim()
        .parse()
        .map_err(|e: jiff::Error| bad(e.to_string()))?;
    i64::try_from(ts.as_nanosecond()).map_err(|_| bad("out of range".into()))
}

/// "02:00" or "2:30" as (hour, minute).
fn time_of_day(text: &str) -> Result<(i8, i8), String> {
    let bad = || format!("{text:?} is not a time of day; write it like \"02:00\" or \"23:30\"");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) || text.trim().len() > 5 {
        return Err(bad());
    }
    Ok((h, m))
}

/// A day name ("mon", "monday", case-insensitive) or "daily".
fn weekdays(text: &str) -> Result<Vec<Weekday>, String> {
    use Weekday::*;
    let all = [
        Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday,
    ];
    let lower = text.trim().to_ascii_lowercase();
    if lower == "daily" {
        return Ok(all.to_vec());
    }
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    names
        .iter()
        .zip(full)
        .position(|(short, long)| lower == *short || lower == long)
        .map(|i| vec![all[i]])
        .ok_or_else(|| {
            format!("{text:?} is not a day; use mon, tue, wed, thu, fri, sat, sun or daily")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(rfc3339: &str) -> i64 {
        let ts: jiff::Timestamp = rfc3339.parse().unwrap();
        ts.as_nanosecond() as i64
    }

    fn weekly(days: &[&str], at: &str, len: &str, tz: &str) -> Window {
        plain(When::Weekly {
            days: days.iter().flat_map(|d| weekdays(d).unwrap()).collect(),
            at: time_of_day(at).unwrap(),
            duration: crate::options::parse_duration(len).unwrap(),
            tz: TimeZone::get(tz).unwrap(),
        })
    }

    pub(super) fn plain(when: When) -> Window {
        Window {
            name: "w".into(),
            checks: None,
            when,
            id: "m-test".into(),
            title: "Maintenance".into(),
            description: String::new(),
            announce: DEFAULT_ANNOUNCE,
        }
    }

    #[test]
    fn one_off_windows_include_start_and_exclude_end() {
        let w = Window {
            checks: Some(vec!["db".into()]),
            ..plain(When::Once {
                start: ns("2026-12-01T02:00:00Z"),
                end: ns("2026-12-01T04:00:00Z"),
            })
        };
        assert!(w.covers("db", ns("2026-12-01T02:00:00Z")));
        assert!(w.covers("db", ns("2026-12-01T03:59:59Z")));
        assert!(!w.covers("db", ns("2026-12-01T04:00:00Z")));
        assert!(!w.covers("web", ns("2026-12-01T03:00:00Z")), "not listed");
    }

    #[test]
    fn weekly_windows_follow_the_local_clock_across_dst() {
        // Saturdays 02:00-04:00 in Berlin: 01:00Z in winter, 00:00Z in summer.
        let w = weekly(&["sat"], "02:00", "2h", "Europe/Berlin");
        assert!(w.open_at(ns("2026-01-03T01:30:00Z")), "winter, CET");
        assert!(!w.open_at(ns("2026-01-03T00:30:00Z")));
        assert!(w.open_at(ns("2026-07-04T00:30:00Z")), "summer, CEST");
        assert!(!w.open_at(ns("2026-07-04T02:00:00Z")));
        assert!(!w.open_at(ns("2026-07-05T00:30:00Z")), "a Sunday");
    }

    #[test]
    fn a_weekly_window_may_run_past_midnight_into_the_next_day() {
        let w = weekly(&["sun"], "23:00", "3h", "UTC");
        assert!(w.open_at(ns("2026-11-30T01:00:00Z")), "Monday 01:00");
        assert!(!w.open_at(ns("2026-11-30T02:00:00Z")));
        let daily = weekly(&["daily"], "12:00", "10m", "UTC");
        assert!(daily.open_at(ns("2026-11-25T12:05:00Z")));
        assert!(!daily.open_at(ns("2026-11-25T12:15:00Z")));
    }

    #[test]
    fn weekly_occurrences_keep_the_local_time_across_dst() {
        // Sundays 02:30 Berlin, listed across the October 2026 change.
        let w = weekly(&["sun"], "02:30", "1h", "Europe/Berlin");
        let found = w.occurrences(ns("2026-10-17T00:00:00Z"), ns("2026-11-02T00:00:00Z"));
        let starts: Vec<i64> = found.iter().map(|o| o.0).collect();
        assert_eq!(
            starts,
            [
                ns("2026-10-18T00:30:00Z"),
                ns("2026-10-25T00:30:00Z"),
                ns("2026-11-01T01:30:00Z")
            ],
            "CEST, then the first 02:30 of the repeated hour, then CET"
        );
        // In the spring gap (02:30 does not exist on 29 March) it moves forward.
        let spring = w.occurrences(ns("2026-03-28T00:00:00Z"), ns("2026-03-30T00:00:00Z"));
        assert_eq!(
            spring,
            [(ns("2026-03-29T01:30:00Z"), ns("2026-03-29T02:30:00Z"))]
        );
        // One that is open at `from` is included.
        let open = w.occurrences(ns("2026-10-18T01:00:00Z"), ns("2026-10-18T01:01:00Z"));
        assert_eq!(open.len(), 1);
    }

    #[test]
    fn times_and_days_are_parsed_strictly() {
        assert_eq!(time_of_day("02:00").unwrap(), (2, 0));
        assert_eq!(time_of_day("23:59").unwrap(), (23, 59));
        assert!(time_of_day("24:00").is_err());
        assert!(time_of_day("2pm").is_err());
        assert_eq!(weekdays("Saturday").unwrap(), [Weekday::Saturday]);
        assert!(weekdays("caturday").is_err());
    }
}
