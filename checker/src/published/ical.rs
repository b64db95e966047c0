//! `maintenance.ics` (RFC 5545): every announced window as a VEVENT. A
//! weekly window is one event repeating by RRULE in its own time zone (with
//! a VTIMEZONE listing that zone's offset changes), so calendars keep it at
//! the same local time across daylight-saving changes; a one-off window is
//! one event in UTC.

use checkup_model::contract::announced::Announced;
use jiff::tz::TimeZone;

use super::Inputs;

const DAY_NS: i64 = 86_400 * 1_000_000_000;
/// A VTIMEZONE lists the offset changes from a year before the first event
/// to this many years after it.
const ZONE_YEARS_AHEAD: i64 = 5;

pub fn calendar(inputs: &Inputs) -> Vec<u8> {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//checkup-rs//maintenance//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!(
            "X-WR-CALNAME:{}",
            text(&format!("{} maintenance", inputs.site.title))
        ),
    ];
    // One event per window: a weekly window's first listed occurrence
    // stands for the rule; one-off windows have one occurrence each.
    let mut seen: Vec<&str> = Vec::new();
    let mut zones: Vec<(String, i64)> = Vec::new();
    let mut events: Vec<String> = Vec::new();
    for m in &inputs.maintenance {
        if m.weekly.is_some() && seen.contains(&m.id.as_str()) {
            continue;
        }
        seen.push(&m.id);
        if let Some(zone) = event(inputs, m, &mut events)
            && !zones.iter().any(|(z, _)| *z == zone)
        {
            zones.push((zone, m.start));
        }
    }
    for (name, from) in &zones {
        vtimezone(name, *from, &mut lines);
    }
    lines.extend(events);
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out.into_bytes()
}

/// Pushes the VEVENT lines of `m`; returns the zone it names, if any.
fn event(inputs: &Inputs, m: &Announced, out: &mut Vec<String>) -> Option<String> {
    let authority = inputs.site.authority();
    out.push("BEGIN:VEVENT".into());
    let mut zone = None;
    match &m.weekly {
        Some(rule) => {
            out.push(format!("UID:{}@{authority}", m.id));
            let tz = TimeZone::get(&rule.timezone).unwrap_or(TimeZone::UTC);
            // The rule's local time on the first occurrence's local day (in
            // a DST gap the occurrence moved; the rule did not).
            let day = jiff::Timestamp::from_nanosecond(i128::from(m.start))
                .map(|t| t.to_zoned_datetime(tz.clone()).date())
                .ok();
            let at = rule.at.replace(':', "");
            match day {
                Some(day) if rule.timezone != "UTC" => {
                    out.push(format!(
                        "DTSTART;TZID={}:{}T{at}00",
                        rule.timezone,
                        day.strftime("%Y%m%d")
                    ));
                    zone = Some(rule.timezone.clone());
                }
                _ => out.push(format!("DTSTART:{}", utc(m.start))),
            }
            out.push(format!("DURATION:PT{}S", rule.duration_secs));
            out.push(format!("RRULE:FREQ=WEEKLY;BYDAY={}", rule.days.join(",")));
        }
        None => {
            out.push(format!("UID:{}@{authority}", m.occurrence_id()));
            out.push(format!("DTSTART:{}", utc(m.start)));
            out.push(format!("DTEND:{}", utc(m.end)));
        }
    }
    out.push(format!("DTSTAMP:{}", utc(m.announced)));
    out.push(format!("SUMMARY:{}", text(&m.title)));
    let mut description = checkup_model::contract::incident_text::plain_text(
        &super::text::doc_or_text(&m.doc, &m.description),
    );
    if !m.checks.is_empty() {
        description = format!("Affects: {}\n\n{description}", m.checks.join(", "));
    }
    if !description.trim().is_empty() {
        out.push(format!("DESCRIPTION:{}", text(description.trim())));
    }
    if let Some(link) = inputs
        .site
        .page_link(&format!("maintenance-{}", m.occurrence_id()))
    {
        out.push(format!("URL:{}", text(&link)));
    }
    out.push("TRANSP:OPAQUE".into());
    out.push("END:VEVENT".into());
    zone
}

/// A VTIMEZONE for `name` with every offset change from a year before
/// `from` (Unix ns) to [`ZONE_YEARS_AHEAD`] years after it.
fn vtimezone(name: &str, from: i64, lines: &mut Vec<String>) {
    let Ok(tz) = TimeZone::get(name) else { return };
    let Ok(start) = jiff::Timestamp::from_nanosecond(i128::from(from - 366 * DAY_NS)) else {
        return;
    };
    let end = from.saturating_add(ZONE_YEARS_AHEAD * 366 * DAY_NS);
    lines.push("BEGIN:VTIMEZONE".into());
    lines.push(format!("TZID:{name}"));
    let mut before = tz.to_offset(start);
    let mut any = false;
    for transition in tz.following(start) {
        let at = transition.timestamp();
        if at.as_nanosecond() > i128::from(end) {
            break;
        }
        let after = transition.offset();
        if after == before {
            continue;
        }
        let kind = if transition.dst().is_dst() {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        // DTSTART is the local time just before the change, in the old offset.
        let local = before.to_datetime(at);
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{}", local.strftime("%Y%m%dT%H%M%S")));
        lines.push(format!("TZOFFSETFROM:{}", offset(before.seconds())));
        lines.push(format!("TZOFFSETTO:{}", offset(after.seconds())));
        lines.push(format!("TZNAME:{}", text(transition.abbreviation())));
        lines.push(format!("END:{kind}"));
        before = after;
        any = true;
    }
    if !any {
        // A zone without changes: one STANDARD block with its fixed offset.
        lines.push("BEGIN:STANDARD".into());
        lines.push("DTSTART:19700101T000000".into());
        lines.push(format!("TZOFFSETFROM:{}", offset(before.seconds())));
        lines.push(format!("TZOFFSETTO:{}", offset(before.seconds())));
        lines.push("END:STANDARD".into());
    }
    lines.push("END:VTIMEZONE".into());
}

fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    if s.is_multiple_of(60) {
        format!("{sign}{:02}{:02}", s / 3600, s / 60 % 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

/// Unix ns as an iCalendar UTC date-time.
fn utc(nanos: i64) -> String {
    jiff::Timestamp::from_nanosecond(i128::from(nanos))
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|_| "19700101T000000Z".into())
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline
/// escaped, other control characters dropped.
fn text(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes `line` folded at 75 octets (never inside a character), CRLF ended.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_between_characters() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "ä".repeat(50)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line:?}");
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "ä".repeat(50))
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a;b,c\\d\ne\u{7}"), "a\\;b\\,c\\\\d\\ne");
        assert_eq!(offset(3600), "+0100");
        assert_eq!(offset(-34200), "-0930");
    }
}
