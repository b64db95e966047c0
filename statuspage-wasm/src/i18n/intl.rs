//! Numbers, durations and relative times in the page's language, through
//! `Intl`: one formatter per style, made on first use (making one is the
//! slow part), in the language `language.rs` chose.

use std::cell::RefCell;

use checkup_model::drawing::format::{countdown_parts, round_micros, uptime_floor};
use js_sys::{Array, Function, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

pub use checkup_model::drawing::format::Unit;

use super::language;

/// The page's language as `Intl`'s `locales` argument.
pub fn locales() -> Array {
    Array::of1(&JsValue::from_str(language::current()))
}

/// `Intl` options from (name, value) pairs.
pub fn options(pairs: &[(&str, &str)]) -> Object {
    let options = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    options
}

/// A formatter's options, as (name, value) pairs.
type Style = &'static [(&'static str, &'static str)];

thread_local! {
    /// Number formatters' bound `format` functions, by their options.
    static NUMBER_FORMATS: RefCell<Vec<(Style, Function)>> =
        const { RefCell::new(Vec::new()) };
    static RELATIVE: RefCell<Option<Intl::RelativeTimeFormat>> = const { RefCell::new(None) };
}

fn number(style: Style, value: f64) -> String {
    let format = NUMBER_FORMATS.with(|all| {
        let mut all = all.borrow_mut();
        if let Some((_, f)) = all.iter().find(|(s, _)| std::ptr::eq(*s, style)) {
            return f.clone();
        }
        let f = Intl::NumberFormat::new(&locales(), &options(style)).format();
        all.push((style, f.clone()));
        f
    });
    format
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(value))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

const PERCENT: Style = &[
    ("style", "percent"),
    ("minimumFractionDigits", "2"),
    ("maximumFractionDigits", "2"),
];
const MS_TENTHS: Style = &[
    ("style", "unit"),
    ("unit", "millisecond"),
    ("minimumFractionDigits", "1"),
    ("maximumFractionDigits", "1"),
];
const MS: Style = &[
    ("style", "unit"),
    ("unit", "millisecond"),
    ("maximumFractionDigits", "0"),
];
const SECONDS: Style = &[
    ("style", "unit"),
    ("unit", "second"),
    ("minimumFractionDigits", "1"),
    ("maximumFractionDigits", "1"),
];

/// An uptime share as a percentage, rounded down so downtime never shows
/// as 100 %; "–" without one.
pub fn uptime(share: Option<f64>) -> String {
    match share {
        Some(u) => number(PERCENT, uptime_floor(u)),
        None => "–".into(),
    }
}

/// Microseconds as people read them: "87 ms", "1.2 s", "0.4 ms".
pub fn micros(micros: u32) -> String {
    let shown = round_micros(micros);
    let style = match (shown.seconds, shown.decimals) {
        (true, _) => SECONDS,
        (false, 0) => MS,
        (false, _) => MS_TENTHS,
    };
    number(style, shown.value)
}

/// `count` of `unit`, abbreviated ("3 hr", "3 Std.") or, `long`, in words
/// ("3 hours", "3 Stunden").
pub fn count(count: i64, unit: Unit, long: bool) -> String {
    const STYLES: [[Style; 2]; 3] = [
        [
            &[
                ("style", "unit"),
                ("unit", "minute"),
                ("unitDisplay", "short"),
            ],
            &[
                ("style", "unit"),
                ("unit", "minute"),
                ("unitDisplay", "long"),
            ],
        ],
        [
            &[
                ("style", "unit"),
                ("unit", "hour"),
                ("unitDisplay", "short"),
            ],
            &[("style", "unit"), ("unit", "hour"), ("unitDisplay", "long")],
        ],
        [
            &[("style", "unit"), ("unit", "day"), ("unitDisplay", "short")],
            &[("style", "unit"), ("unit", "day"), ("unitDisplay", "long")],
        ],
    ];
    number(STYLES[unit as usize][long as usize], count as f64)
}

/// A span of time as the page names its windows: hours up to a day
/// ("24 hr"), days beyond ("7 days").
pub fn span(secs: i64, long: bool) -> String {
    if secs <= 86_400 {
        count(secs / 3_600, Unit::Hour, long)
    } else {
        count(secs / 86_400, Unit::Day, long)
    }
}

/// A time to wait in its two largest units ("2 days 3 hr"); under a
/// minute is `under_a_minute`.
pub fn countdown(secs: i64, under_a_minute: &str) -> String {
    let parts: Vec<String> = countdown_parts(secs)
        .into_iter()
        .map(|(n, unit)| count(n, unit, false))
        .collect();
    if parts.is_empty() {
        under_a_minute.to_string()
    } else {
        parts.join(" ")
    }
}

/// `value` units from now (negative: ago) in words of the language:
/// "now", "3 minutes ago", "today", "90 days ago".
pub fn relative(value: i64, unit: &str) -> String {
    RELATIVE.with(|cell| {
        let mut cell = cell.borrow_mut();
        let format = cell.get_or_insert_with(|| {
            Intl::RelativeTimeFormat::new(&locales(), &options(&[("numeric", "auto")]))
        });
        format.format(value as f64, unit).into()
    })
}

/// How long before `now` something happened (both Unix ns), in the
/// largest whole unit: "now", "45 seconds ago", "3 minutes ago", "2 days ago".
pub fn ago(nanos: i64, now: i64) -> String {
    let secs = (now - nanos).max(0) / 1_000_000_000;
    match secs {
        0..=9 => relative(0, "second"),
        10..=59 => relative(-secs, "second"),
        60..=3599 => relative(-(secs / 60), "minute"),
        3600..=86_399 => relative(-(secs / 3600), "hour"),
        _ => relative(-(secs / 86_400), "day"),
    }
}
