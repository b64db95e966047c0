//! SVG status badges, shields.io style, written beside the results so a README
//! anywhere can embed `badges/<check>-uptime-30d.svg` with no server: the
//! overall state, and per check its state, 24 h and 30 d uptime and 24 h
//! median response time. Merged over every node's view by the page's own
//! rule (`badges/<check>-...`), and per node (`badges/<node>-<check>-...`).

use checkup_model::NodeView;
use checkup_model::Status;
use checkup_model::contract::slug::unique_slugs;
use checkup_model::derive::merge::Overall;
use checkup_model::derive::merge::stale_after_secs;
use checkup_model::derive::overview::{ChartWindow, CheckOverview, overall, overview};
use checkup_model::drawing::format::uptime_floor;

const GREEN: &str = "#2e7d32";
const YELLOW: &str = "#8a6d00";
const ORANGE: &str = "#c25400";
const RED: &str = "#c62828";
const BLUE: &str = "#1f5fa8";
const GREY: &str = "#616161";

/// Every badge of one node's `view`: (storage key, SVG bytes).
pub fn for_view(view: &NodeView) -> Vec<(String, Vec<u8>)> {
    let now = view.updated.div_euclid(1_000_000_000);
    // The node judges only itself: it is never stale to itself.
    let checks = overview(std::slice::from_ref(view), now, i64::MAX / 1_000_000_000);
    badges_of(&checks, now, &format!("{}-", view.node))
}

/// The merged badges over every node's view, at `now` (Unix s), computed
/// as the page computes its state (same staleness, same merge rule), so
/// whichever node writes them writes the same thing.
pub fn merged(views: &[NodeView], now: i64) -> Vec<(String, Vec<u8>)> {
    let checks = overview(views, now, stale_after_secs(views));
    badges_of(&checks, now, "")
}

/// Badges of merged `checks`, keys starting `badges/<prefix>`.
fn badges_of(checks: &[CheckOverview], now: i64, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let node_dash = prefix;
    let (word, colour) = match overall(checks) {
        Overall::NoData => ("no data", GREY),
        Overall::Operational => ("operational", GREEN),
        Overall::Degraded => ("degraded", YELLOW),
        Overall::PartialOutage => ("partial outage", ORANGE),
        Overall::MajorOutage => ("major outage", RED),
        Overall::Maintenance => ("maintenance", BLUE),
    };
    let mut badges = vec![(
        format!("badges/{node_dash}overall.svg"),
        render("status", word, colour),
    )];
    let slugs = unique_slugs(checks.iter().map(|c| c.title.as_str()));
    for (check, slug) in checks.iter().zip(slugs) {
        let (state, colour) = if check.in_maintenance {
            ("maintenance", BLUE)
        } else {
            match check.status {
                Status::Healthy => ("up", GREEN),
                Status::Degraded => ("degraded", YELLOW),
                Status::Down => ("down", RED),
            }
        };
        badges.push((
            format!("badges/{node_dash}{slug}-status.svg"),
            render(&check.title, state, colour),
        ));
        for (period, secs, res, key) in [
            ("24h", 86_400, 1, "uptime-24h"),
            ("30d", 30 * 86_400, 3, "uptime-30d"),
        ] {
            let uptime = check.uptime(secs, res, now);
            let (value, colour) = match uptime {
                Some(u) => (percent(u.ratio), uptime_colour(u.ratio)),
                None => ("no data".to_string(), GREY),
            };
            // Data younger than the period: the badge says what it covers.
            let label = match uptime.and_then(|u| u.since) {
                Some(since) => format!("uptime since {}", since_when(since, now)),
                None => format!("uptime {period}"),
            };
            badges.push((
                format!("badges/{node_dash}{slug}-{key}.svg"),
                render(&label, &value, colour),
            ));
        }
        let medians: Vec<u64> = check
            .chart(ChartWindow::Day, now)
            .into_iter()
            .filter_map(|(_, p)| p.map(|p| p.p50 as u64))
            .collect();
        let response = if medians.is_empty() {
            "no data".to_string()
        } else {
            millis(medians.iter().sum::<u64>() / medians.len() as u64)
        };
        badges.push((
            format!("badges/{node_dash}{slug}-response.svg"),
            render("response 24h", &response, BLUE),
        ));
    }
    badges
}

/// Where an uptime's data begins (Unix s), in UTC: a time today, else a day.
fn since_when(secs: i64, now: i64) -> String {
    let Ok(ts) = jiff::Timestamp::from_second(secs) else {
        return "?".into();
    };
    if now - secs < 86_400 {
        ts.strftime("%H:%M UTC").to_string()
    } else {
        ts.strftime("%-d %b").to_string()
    }
}

/// Uptime with two decimals, rounded down so any downtime shows below 100 %.
fn percent(uptime: f64) -> String {
    format!("{:.2}%", uptime_floor(uptime) * 100.0)
}

fn uptime_colour(uptime: f64) -> &'static str {
    match uptime {
        u if u >= 0.999 => GREEN,
        u if u >= 0.99 => YELLOW,
        u if u >= 0.95 => ORANGE,
        _ => RED,
    }
}

fn millis(micros: u64) -> String {
    if micros >= 10_000 {
        format!("{} ms", micros / 1_000)
    } else {
        format!("{:.1} ms", micros as f64 / 1_000.0)
    }
}

/// Approximate width of `text` in 11 px Verdana, which shields.io badges use.
fn text_width(text: &str) -> u32 {
    let tenths: u32 = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ':' | ',' | '\'' | '|' | '!' | ' ' => 40,
            'f' | 't' | 'r' | 'I' | '(' | ')' | '-' => 50,
            'm' | 'w' | 'M' | 'W' | '%' => 105,
            'A'..='Z' => 80,
            _ => 70,
        })
        .sum();
    tenths.div_ceil(10)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A flat two-part badge: grey label, coloured value.
pub fn render(label: &str, value: &str, colour: &str) -> Vec<u8> {
    let (lw, vw) = (text_width(label) + 12, text_width(value) + 12);
    let w = lw + vw;
    let (label, value) = (escape(label), escape(value));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{label}: {value}"><title>{label}: {value}</title><clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{colour}"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="14">{label}</text><text x="{vx}" y="14">{value}</text></g></svg>
"##,
        lx = lw / 2,
        vx = lw + vw / 2,
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkup_model::{Attempt, CheckResult};

    fn round(view: &mut NodeView, secs: i64, status: Status) {
        let r = CheckResult {
            title: "API <v2>".into(),
            endpoint: "https://api".into(),
            timestamp: secs * 1_000_000_000,
            times: vec![Attempt {
                rtt: 42_000_000,
                error: String::new(),
            }],
            threshold: 0,
            status,
            notice: String::new(),
            message: String::new(),
            node: Some("n1".into()),
            kind: None,
            maintenance: false,
        };
        view.add_round(r.timestamp, &[r]);
    }

    #[test]
    fn badges_show_state_uptime_and_response_time() {
        let mut view = NodeView::new("n1");
        let t0 = 1_700_006_400;
        for i in 0..1000 {
            let status = if i == 5 {
                Status::Down
            } else {
                Status::Healthy
            };
            round(&mut view, t0 + i * 60, status);
        }
        let badges: std::collections::BTreeMap<String, String> = for_view(&view)
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
            .collect();
        let keys: Vec<&str> = badges.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "badges/n1-api-v2-response.svg",
                "badges/n1-api-v2-status.svg",
                "badges/n1-api-v2-uptime-24h.svg",
                "badges/n1-api-v2-uptime-30d.svg",
                "badges/n1-overall.svg",
            ]
        );
        assert!(badges["badges/n1-overall.svg"].contains(">operational<"));
        let status = &badges["badges/n1-api-v2-status.svg"];
        assert!(status.contains("API &lt;v2&gt;: up"), "{status}");
        assert!(!status.contains("<v2>"), "titles are escaped");
        // 999 of 1000 rounds up: 99.9 %, never rounded up to 100.
        let month = &badges["badges/n1-api-v2-uptime-30d.svg"];
        assert!(month.contains(">99.90%<"), "{month}");
        // 1000 minutes of data: the badges say what they cover.
        assert!(month.contains(">uptime since 00:00 UTC<"), "{month}");
        let day = &badges["badges/n1-api-v2-uptime-24h.svg"];
        assert!(day.contains(">uptime since 00:00 UTC<"), "{day}");
        let response = &badges["badges/n1-api-v2-response.svg"];
        assert!(response.contains(" ms<"), "{response}");
        let ms: f64 = response
            .split('>')
            .find_map(|t| t.strip_suffix(" ms</text"))
            .unwrap()
            .parse()
            .unwrap();
        assert!((40.0..=44.0).contains(&ms), "{response}");
    }

    #[test]
    fn data_from_before_today_is_named_by_its_day() {
        let t0 = 1_700_006_400; // 2023-11-15 00:00 UTC
        assert_eq!(since_when(t0, t0 + 3 * 86_400), "15 Nov");
        assert_eq!(since_when(t0 + 3_600, t0 + 7_200), "01:00 UTC");
    }

    #[test]
    fn percents_round_down() {
        assert_eq!(checkup_model::contract::slug::slug_of("../../etc"), "etc");
        assert_eq!(percent(0.99999), "99.99%");
        assert_eq!(percent(1.0), "100.00%");
    }
}
