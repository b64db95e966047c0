//! Time from the browser's clock (`SystemTime::now` panics on wasm32) and
//! times shown in the visitor's local time zone.

use wasm_bindgen::JsValue;

/// Now, Unix nanoseconds.
pub fn now_nanos() -> i64 {
    (js_sys::Date::now() * 1e6) as i64
}

/// A timestamp as local date and time, in the visitor's locale.
pub fn local_datetime(nanos: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(nanos as f64 / 1e6));
    String::from(date.to_locale_string("default", &JsValue::UNDEFINED))
}

/// A timestamp as local time of day, short ("14:05").
pub fn local_time(nanos: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(nanos as f64 / 1e6));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into());
    let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
    String::from(date.to_locale_time_string_with_options("default", &options))
}

/// "just now", "3 min ago", "2 h ago", "5 d ago".
pub fn ago(nanos: i64, now: i64) -> String {
    let secs = (now - nanos).max(0) / 1_000_000_000;
    match secs {
        0..=9 => "just now".into(),
        10..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// A timestamp as a short local date ("27 Nov").
pub fn local_day(nanos: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(nanos as f64 / 1e6));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"day".into(), &"numeric".into());
    let _ = js_sys::Reflect::set(&options, &"month".into(), &"short".into());
    String::from(date.to_locale_date_string("default", &options))
}

/// A UTC day, as the daily bars count days ("Thu, 27 Nov 2026").
pub fn utc_day(secs: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
    let options = js_sys::Object::new();
    for (key, value) in [
        ("weekday", "short"),
        ("day", "numeric"),
        ("month", "short"),
        ("year", "numeric"),
        ("timeZone", "UTC"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    String::from(date.to_locale_date_string("default", &options))
}
