//! Five-field cron schedules (`minute hour day-of-month month day-of-week`)
//! with Vixie cron's meaning, evaluated in a named time zone with jiff: `*`,
//! lists, ranges, steps, month and day names, 0 or 7 for Sunday, and a day
//! matching either day field when both are restricted. Across daylight
//! saving a time skipped by the gap happens at the first instant after it,
//! and a time repeated by the fold happens once, at its first occurrence, as
//! calendars do.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// A parsed schedule and the zone its times are in.
#[derive(Debug, Clone)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    /// Bit 1..=31.
    days: u32,
    /// Bit 1..=12.
    months: u16,
    /// Bit 0..=6, Sunday = 0.
    weekdays: u8,
    /// Whether each day field was restricted (not `*`): with both, a day
    /// matching either one counts.
    days_restricted: bool,
    weekdays_restricted: bool,
    zone: TimeZone,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/// Schedules that never fire (`0 0 30 2 *`) are refused: no match within
/// this many days is a schedule error.
const SEARCH_DAYS: i32 = 366 * 5;

impl Cron {
    /// Parses `expression` for times in `zone`; the error says which field
    /// is wrong and why.
    pub fn parse(expression: &str, zone: TimeZone) -> Result<Cron, String> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "a schedule has 5 fields (minute hour day month weekday), {:?} has {}",
                expression,
                fields.len()
            ));
        }
        let minutes = field(fields[0], "minute", 0, 59, &[])?;
        let hours = field(fields[1], "hour", 0, 23, &[])?;
        let days = field(fields[2], "day of month", 1, 31, &[])?;
        let months = field(fields[3], "month", 1, 12, &MONTHS)?;
        let weekdays = field(fields[4], "day of week", 0, 7, &WEEKDAYS)?;
        // 7 is Sunday too.
        let weekdays = (weekdays | (weekdays >> 7)) & 0x7f;
        let cron = Cron {
            minutes,
            hours: hours as u32,
            days: days as u32,
            months: months as u16,
            weekdays: weekdays as u8,
            days_restricted: !fields[2].starts_with('*'),
            weekdays_restricted: !fields[4].starts_with('*'),
            zone,
        };
        let now = Timestamp::now();
        if cron.next_after(now).is_none() {
            return Err(format!("schedule {expression:?} never happens"));
        }
        Ok(cron)
    }

    /// The first scheduled instant strictly after `after`.
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let local = after.to_zoned_datetime(self.zone.clone()).datetime();
        // A day before: a time repeated by a fold may lie earlier in civil
        // time than `after` while being later as an instant.
        let mut day = local.date().yesterday().ok()?;
        for _ in 0..SEARCH_DAYS {
            if self.day_matches(day) {
                for hour in 0..24 {
                    if self.hours & (1 << hour) == 0 {
                        continue;
                    }
                    for minute in 0..60 {
                        if self.minutes & (1 << minute) == 0 {
                            continue;
                        }
                        let time = Time::new(hour, minute, 0, 0).ok()?;
                        if let Some(at) = self.instant(day.to_datetime(time))
                            && at > after
                        {
                            return Some(at);
                        }
                    }
                }
            }
            day = day.tomorrow().ok()?;
        }
        None
    }

    fn day_matches(&self, day: Date) -> bool {
        let month = self.months & (1 << day.month()) != 0;
        let in_month = self.days & (1 << day.day()) != 0;
        let weekday = day.weekday().to_sunday_zero_offset();
        let in_week = self.weekdays & (1 << weekday) != 0;
        month
            && match (self.days_restricted, self.weekdays_restricted) {
                (true, true) => in_month || in_week,
                (true, false) => in_month,
                (false, true) => in_week,
                (false, false) => true,
            }
    }

    /// A local time as an instant. A time in a gap moves forward past it; a
    /// time in a fold is the earlier instant, and the later one is not a
    /// scheduled time of its own.
    fn instant(&self, local: DateTime) -> Option<Timestamp> {
        // jiff's "compatible" rule: forward in a gap, earlier in a fold.
        Some(local.to_zoned_datetime(self.zone.clone()).ok()?.timestamp())
    }
}

/// One field as a bit set of the values it allows.
fn field(text: &str, name: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, String> {
    let bad = |why: String| format!("{name} field {text:?}: {why}");
    let value = |part: &str| -> Result<u32, String> {
        let lower = part.to_ascii_lowercase();
        if let Some(i) = names.iter().position(|n| *n == lower) {
            // Month names count from 1, day names from 0, as their fields.
            return Ok(i as u32 + min);
        }
        let v: u32 = part
            .parse()
            .map_err(|_| bad(format!("{part:?} is not a number or a name")))?;
        if v < min || v > max {
            return Err(bad(format!("{v} is outside {min}-{max}")));
        }
        Ok(v)
    };
    let mut bits = 0u64;
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| bad(format!("step {step:?} is not a positive number")))?;
                (range, step)
            }
            None => (item, 1),
        };
        let (from, to) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let v = value(range)?;
            // "5/15" means from 5 to the end in steps of 15.
            (v, if item.contains('/') { max } else { v })
        };
        if from > to {
            return Err(bad(format!("range {from}-{to} runs backwards")));
        }
        let mut v = from;
        while v <= to {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn next(cron: &str, after: &str) -> String {
        Cron::parse(cron, berlin())
            .unwrap()
            .next_after(at(after))
            .unwrap()
            .to_string()
    }

    #[test]
    fn daily_at_three_follows_local_time_across_the_year() {
        // CET (+1) in winter, CEST (+2) in summer.
        assert_eq!(
            next("0 3 * * *", "2026-01-10T12:00:00Z"),
            "2026-01-11T02:00:00Z"
        );
        assert_eq!(
            next("0 3 * * *", "2026-07-10T12:00:00Z"),
            "2026-07-11T01:00:00Z"
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_runs_just_after_it() {
        // 29 March 2026: 02:00 local jumps to 03:00. 02:30 does not exist.
        assert_eq!(
            next("30 2 * * *", "2026-03-28T12:00:00Z"),
            "2026-03-29T01:30:00Z"
        );
        // 01:30Z is 03:30 CEST: the gap's length on, as calendars move it.
        let after_gap = next("30 2 * * *", "2026-03-29T01:30:00Z");
        assert_eq!(after_gap, "2026-03-30T00:30:00Z");
    }

    #[test]
    fn a_time_in_the_autumn_fold_runs_once() {
        // 25 October 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens
        // twice (00:30Z and 01:30Z). The job runs at the first only.
        let first = next("30 2 * * *", "2026-10-24T12:00:00Z");
        assert_eq!(first, "2026-10-25T00:30:00Z");
        assert_eq!(next("30 2 * * *", &first), "2026-10-26T01:30:00Z");
    }

    #[test]
    fn fields_have_vixie_crons_meaning() {
        // Weekdays at 09:15 (Mon-Fri); 5 December 2026 is a Saturday.
        assert_eq!(
            next("15 9 * * 1-5", "2026-12-05T00:00:00Z"),
            "2026-12-07T08:15:00Z"
        );
        assert_eq!(
            next("15 9 * * mon-fri", "2026-12-05T00:00:00Z"),
            "2026-12-07T08:15:00Z"
        );
        // 0 and 7 are both Sunday.
        assert_eq!(
            next("0 12 * * 0", "2026-12-05T00:00:00Z"),
            "2026-12-06T11:00:00Z"
        );
        assert_eq!(
            next("0 12 * * 7", "2026-12-05T00:00:00Z"),
            "2026-12-06T11:00:00Z"
        );
        // Day of month and day of week both given: either matches.
        assert_eq!(
            next("0 0 1 * sun", "2026-12-02T00:00:00Z"),
            "2026-12-05T23:00:00Z"
        );
        // Steps and lists.
        assert_eq!(
            next("*/20 * * * *", "2026-12-05T10:41:00Z"),
            "2026-12-05T11:00:00Z"
        );
        assert_eq!(
            next("5/20 * * * *", "2026-12-05T10:41:00Z"),
            "2026-12-05T10:45:00Z"
        );
        assert_eq!(
            next("0 6,18 * jan,dec *", "2026-12-05T10:00:00Z"),
            "2026-12-05T17:00:00Z"
        );
    }

    #[test]
    fn bad_schedules_say_which_field_and_why() {
        let err = |s: &str| Cron::parse(s, berlin()).unwrap_err();
        assert!(err("0 3 * *").contains("5 fields"), "{}", err("0 3 * *"));
        assert!(err("61 3 * * *").contains("minute field \"61\": 61 is outside 0-59"));
        assert!(err("0 3 * * funday").contains("day of week field"));
        assert!(err("0 3 * * 5-1").contains("runs backwards"));
        assert!(err("*/0 3 * * *").contains("step"));
        assert!(err("0 0 30 2 *").contains("never happens"));
    }
}
