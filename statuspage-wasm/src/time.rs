//! Time from the browser's clock (`SystemTime::now` panics on wasm32) and
//! times shown in the page's language and the visitor's local time zone.
//!
//! Formatting goes through one `Intl.DateTimeFormat` per style, built on
//! first use: `Date.toLocale…String` builds a formatter on every call, and
//! the 4,500 day-bar tooltips of 50 checks cost half a second that way.

use std::cell::RefCell;

use js_sys::{Date, Function, Intl};
use wasm_bindgen::JsValue;

use crate::i18n::intl::{locales, options};

/// Now, Unix nanoseconds.
pub fn now_nanos() -> i64 {
    (Date::now() * 1e6) as i64
}

/// The styles of date and time the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Local date and time, the locale's default.
    DateTime,
    /// Local time of day, short ("14:05").
    Time,
    /// Short local date ("27 Nov").
    Day,
    /// A UTC day with weekday and year ("Thu, 27 Nov 2026").
    UtcDay,
    /// When something starts: local weekday, date and time ("Sat, 5 Dec,
    /// 02:00"); `Zoned` adds the zone ("02:00 CET"), said once per span.
    Slot,
    SlotZoned,
    TimeZoned,
}

impl Style {
    fn options(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Style::DateTime => &[
                ("year", "numeric"),
                ("month", "numeric"),
                ("day", "numeric"),
                ("hour", "numeric"),
                ("minute", "2-digit"),
                ("second", "2-digit"),
            ],
            Style::Time => &[("hour", "2-digit"), ("minute", "2-digit")],
            Style::Day => &[("day", "numeric"), ("month", "short")],
            Style::UtcDay => &[
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
                ("year", "numeric"),
                ("timeZone", "UTC"),
            ],
            Style::Slot => &[
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
            ],
            Style::SlotZoned => &[
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
                ("timeZoneName", "short"),
            ],
            Style::TimeZoned => &[
                ("hour", "2-digit"),
                ("minute", "2-digit"),
                ("timeZoneName", "short"),
            ],
        }
    }
}

thread_local! {
    /// Each style's bound `format` function, made once (a handful of styles,
    /// so a list, not a map).
    static FORMATTERS: RefCell<Vec<(Style, Function)>> = const { RefCell::new(Vec::new()) };
}

fn formatter(style: Style) -> Function {
    FORMATTERS.with(|all| {
        let mut all = all.borrow_mut();
        if let Some((_, f)) = all.iter().find(|(s, _)| *s == style) {
            return f.clone();
        }
        let f = Intl::DateTimeFormat::new(&locales(), &options(style.options())).format();
        all.push((style, f.clone()));
        f
    })
}

fn format(style: Style, millis: f64) -> String {
    let date = Date::new(&JsValue::from_f64(millis));
    formatter(style)
        .call1(&JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// A timestamp as local date and time, in the visitor's locale.
pub fn local_datetime(nanos: i64) -> String {
    format(Style::DateTime, nanos as f64 / 1e6)
}

/// A timestamp as local time of day, short ("14:05").
pub fn local_time(nanos: i64) -> String {
    format(Style::Time, nanos as f64 / 1e6)
}

/// A timestamp as a short local date ("27 Nov").
pub fn local_day(nanos: i64) -> String {
    format(Style::Day, nanos as f64 / 1e6)
}

/// A span of local time, the zone named once: "Sat, 5 Dec, 02:00 – 04:00
/// CET", or with the end's date when it ends on another day.
pub fn local_span(start: i64, end: i64) -> String {
    let end_style = if local_day(start) == local_day(end) {
        Style::TimeZoned
    } else {
        Style::SlotZoned
    };
    format!(
        "{} – {}",
        format(Style::Slot, start as f64 / 1e6),
        format(end_style, end as f64 / 1e6)
    )
}

/// A timestamp in ISO 8601 (UTC), for `<time datetime>`.
pub fn iso(nanos: i64) -> String {
    Date::new(&JsValue::from_f64(nanos as f64 / 1e6))
        .to_iso_string()
        .into()
}

thread_local! {
    /// Every row of bars names the same 90 days: each is formatted once.
    static UTC_DAYS: RefCell<Vec<(i64, String)>> = const { RefCell::new(Vec::new()) };
}

/// A UTC day, as the daily bars count days ("Thu, 27 Nov 2026").
pub fn utc_day(secs: i64) -> String {
    UTC_DAYS.with(|days| {
        let mut days = days.borrow_mut();
        if let Some((_, text)) = days.iter().find(|(day, _)| *day == secs) {
            return text.clone();
        }
        let text = format(Style::UtcDay, secs as f64 * 1000.0);
        days.push((secs, text.clone()));
        text
    })
}

/// How far the visitor's local time is ahead of UTC at `secs`, in seconds,
/// so chart ticks can fall on local hours and midnights.
pub fn local_offset_secs(secs: i64) -> i64 {
    let date = Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
    -(date.get_timezone_offset() as i64) * 60
}
