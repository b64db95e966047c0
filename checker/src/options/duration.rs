//! Human durations in config values: "30s", "10m", "1h 30m", "250ms", "7d".

use std::time::Duration;

/// Parses a human duration; the error says what forms are accepted.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| {
        format!("{text:?} is not a duration ({e}); write it like \"500ms\", \"30s\", \"10m\", \"1h 30m\" or \"7d\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_forms() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("1h 30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86400)
        );
        let e = parse_duration("5 parsecs").unwrap_err();
        assert!(e.contains("\"5 parsecs\""), "{e}");
        assert!(parse_duration("10").is_err(), "a bare number has no unit");
    }
}
