//! Response times, waits and uptimes rounded as they are shown. The page
//! words them in the visitor's language (through `Intl`), the checker's
//! badges in English; the rounding is decided here, once.

/// An uptime share rounded down to a hundredth of a percent, so downtime
/// never shows as 100 %.
pub fn uptime_floor(share: f64) -> f64 {
    (share * 10_000.0).floor() / 10_000.0
}

/// A response time as shown: `value` in milliseconds or seconds, with
/// `decimals` digits after the point ("87 ms", "1.2 s", "0.4 ms").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rounded {
    pub value: f64,
    pub seconds: bool,
    pub decimals: u8,
}

/// Microseconds rounded half up to what is shown: tenths of a millisecond
/// under 10 ms, whole milliseconds under a second, then tenths of a second.
pub fn round_micros(micros: u32) -> Rounded {
    if micros >= 999_950 {
        let tenths = (micros as u64 + 50_000) / 100_000;
        Rounded {
            value: tenths as f64 / 10.0,
            seconds: true,
            decimals: 1,
        }
    } else if micros >= 9_950 {
        Rounded {
            value: ((micros + 500) / 1_000) as f64,
            seconds: false,
            decimals: 0,
        }
    } else {
        Rounded {
            value: ((micros + 50) / 100) as f64 / 10.0,
            seconds: false,
            decimals: 1,
        }
    }
}

impl Rounded {
    /// The value shown, in microseconds again: 213,358 µs is shown as
    /// "213 ms", so 213,000.
    pub fn micros(&self) -> u32 {
        let unit = if self.seconds { 1e6 } else { 1e3 };
        (self.value * unit).round().min(u32::MAX as f64) as u32
    }
}

/// A unit a wait is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Minute,
    Hour,
    Day,
}

/// A time to wait, to the minute, in its two largest units: (count, unit),
/// largest first ("2 d 3 h", "3 h 12 min", "12 min"); empty under a minute.
pub fn countdown_parts(secs: i64) -> Vec<(i64, Unit)> {
    let minutes = secs.max(0) / 60;
    let (days, hours, mins) = (minutes / 1_440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => vec![],
        (0, 0, m) => vec![(m, Unit::Minute)],
        (0, h, 0) => vec![(h, Unit::Hour)],
        (0, h, m) => vec![(h, Unit::Hour), (m, Unit::Minute)],
        (d, 0, _) => vec![(d, Unit::Day)],
        (d, h, _) => vec![(d, Unit::Day), (h, Unit::Hour)],
    }
}

/// Words a response time in English, for tests of what uses it.
#[cfg(test)]
pub(crate) fn english_micros(micros: u32) -> String {
    let r = round_micros(micros);
    let unit = if r.seconds { "s" } else { "ms" };
    format!("{:.*} {unit}", r.decimals as usize, r.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english_countdown(secs: i64) -> String {
        let parts: Vec<String> = countdown_parts(secs)
            .into_iter()
            .map(|(n, unit)| match unit {
                Unit::Minute => format!("{n} min"),
                Unit::Hour => format!("{n} h"),
                Unit::Day => format!("{n} d"),
            })
            .collect();
        if parts.is_empty() {
            "under a minute".into()
        } else {
            parts.join(" ")
        }
    }

    fn english_uptime(uptime: Option<f64>) -> String {
        match uptime {
            Some(u) => format!("{:.2} %", uptime_floor(u) * 100.0),
            None => "–".into(),
        }
    }

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
            assert_eq!(english_countdown(secs), shown, "{secs} s");
        }
    }

    #[test]
    fn a_shown_value_in_microseconds_is_shown_the_same() {
        for micros in (0..2_000_000).step_by(997).chain([49, 50, 9_950, u32::MAX]) {
            let shown = round_micros(micros);
            assert_eq!(round_micros(shown.micros()), shown, "{micros} µs");
        }
        assert_eq!(round_micros(213_358).micros(), 213_000);
        assert_eq!(round_micros(1_249_999).micros(), 1_200_000);
        assert_eq!(round_micros(412).micros(), 400);
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
            assert_eq!(english_micros(micros), shown, "{micros} µs");
        }
    }

    #[test]
    fn uptime_rounds_down_so_downtime_never_shows_as_100() {
        assert_eq!(english_uptime(Some(1.0)), "100.00 %");
        assert_eq!(english_uptime(Some(0.99999)), "99.99 %");
        assert_eq!(english_uptime(Some(0.5)), "50.00 %");
        assert_eq!(english_uptime(Some(0.0307)), "3.07 %");
        assert_eq!(english_uptime(Some(0.0)), "0.00 %");
        assert_eq!(english_uptime(None), "–");
    }
}
