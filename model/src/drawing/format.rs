//! Durations and uptimes as the page shows them, in whole-number
//! arithmetic: printing floats would add several kilobytes of formatting
//! code to the page.

/// Microseconds as people read them: "87 ms", "1.2 s".
pub fn format_micros(micros: u32) -> String {
    // Rounded half up to what is shown.
    if micros >= 999_950 {
        let tenths = (micros as u64 + 50_000) / 100_000;
        format!("{}.{} s", tenths / 10, tenths % 10)
    } else if micros >= 9_950 {
        format!("{} ms", (micros + 500) / 1_000)
    } else {
        let tenths = (micros + 50) / 100;
        format!("{}.{} ms", tenths / 10, tenths % 10)
    }
}

/// An uptime share as a percentage, rounded down so downtime never shows as 100 %.
pub fn format_uptime(uptime: Option<f64>) -> String {
    match uptime {
        Some(u) => {
            let hundredths = (u * 10_000.0).floor() as u32;
            format!("{}.{:02} %", hundredths / 100, hundredths % 100)
        }
        None => "–".to_string(),
    }
}

/// A time to wait, to the minute, in its two largest units: "2 d 3 h",
/// "3 h 12 min", "12 min"; under a minute is "under a minute".
pub fn format_countdown(secs: i64) -> String {
    let minutes = secs.max(0) / 60;
    let (days, hours, mins) = (minutes / 1_440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "under a minute".to_string(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_show_the_two_largest_units() {
        for (secs, shown) in [
            (-5, "under a minute"),
            (59, "under a minute"),
            (60, "1 min"),
            (3_599, "59 min"),
            (3_600, "1 h"),
            (3_600 + 12 * 60 + 59, "1 h 12 min"),
            (86_400, "1 d"),
            (86_400 * 2 + 3 * 3_600 + 59 * 60, "2 d 3 h"),
        ] {
            assert_eq!(format_countdown(secs), shown, "{secs} s");
        }
    }

    #[test]
    fn durations_round_to_what_is_shown() {
        for (micros, shown) in [
            (0, "0.0 ms"),
            (49, "0.0 ms"),
            (50, "0.1 ms"),
            (412, "0.4 ms"),
            (9_949, "9.9 ms"),
            (9_950, "10 ms"),
            (87_499, "87 ms"),
            (87_500, "88 ms"),
            (999_949, "1000 ms"),
            (999_950, "1.0 s"),
            (1_249_999, "1.2 s"),
            (1_250_000, "1.3 s"),
            (u32::MAX, "4295.0 s"),
        ] {
            assert_eq!(format_micros(micros), shown, "{micros} µs");
        }
    }

    #[test]
    fn uptime_rounds_down_so_downtime_never_shows_as_100() {
        assert_eq!(format_uptime(Some(1.0)), "100.00 %");
        assert_eq!(format_uptime(Some(0.99999)), "99.99 %");
        assert_eq!(format_uptime(Some(0.5)), "50.00 %");
        assert_eq!(format_uptime(Some(0.0307)), "3.07 %");
        assert_eq!(format_uptime(Some(0.0)), "0.00 %");
        assert_eq!(format_uptime(None), "–");
    }
}
