//! The response-time chart as SVG, drawn by hand: a line, a band, a dashed
//! line, a grid and labels are all it needs, and a plotting crate (plotters)
//! cost the page 30 KB. Coordinates are whole pixels of a chart drawn at the
//! width it is shown, so no float is ever printed. A plain function of its
//! inputs, so it is tested natively; the page passes the width, the
//! visitor's UTC offset at any instant and how to word a time.

use crate::format::format_micros;
use crate::overview::{ChartPoint, ChartWindow};

/// The chart's height in pixels.
pub const HEIGHT: i64 = 200;

/// The chart of `points` (from `CheckOverview::chart`) as an SVG string,
/// `width` pixels wide. `utc_offset` says how far the visitor's clock is
/// ahead of UTC at an instant (Unix seconds), so time ticks fall on local
/// round times, and `label` words a tick (Unix seconds) in the visitor's
/// locale.
pub fn draw(
    points: &[(i64, Option<ChartPoint>)],
    threshold_us: Option<u32>,
    window: ChartWindow,
    width: i64,
    utc_offset: &dyn Fn(i64) -> i64,
    label: &dyn Fn(i64) -> String,
) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let step = points.get(1).map(|p| p.0 - first.0).unwrap_or(60).max(1);
    let (t0, t1) = (first.0, last.0 + step);
    let top_us = points
        .iter()
        .filter_map(|(_, p)| p.map(|p| p.p95))
        .chain(threshold_us)
        .fold(1_000, u32::max) as i64
        * 115
        / 100;
    let tick_us = nice_step(top_us / 4);
    let plot = Plot {
        left: 66,
        right: width - 8,
        top: 8,
        bottom: HEIGHT - 30,
        t0,
        t1,
        top_us,
    };
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    // Value grid and labels.
    let mut value = 0;
    while value <= top_us {
        let y = plot.y(value);
        svg += &format!(
            r#"<line class="grid" x1="{}" y1="{y}" x2="{}" y2="{y}"/><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            plot.left,
            plot.right,
            plot.left - 6,
            y + 4,
            if value == 0 {
                "0".to_string()
            } else {
                escape(&format_micros(value as u32))
            }
        );
        value += tick_us;
    }
    // Time labels on local round times: hours for the short windows, days
    // for the long ones; fewer on a narrow screen.
    let narrow = width < 500;
    let tick_secs = match (window, narrow) {
        (ChartWindow::Hour, false) => 600,
        (ChartWindow::Hour, true) => 1_200,
        (ChartWindow::Day, false) => 4 * 3_600,
        (ChartWindow::Day, true) => 8 * 3_600,
        (ChartWindow::Week, false) => 86_400,
        (ChartWindow::Week, true) => 2 * 86_400,
        (ChartWindow::Month, false) => 5 * 86_400,
        (ChartWindow::Month, true) => 10 * 86_400,
    };
    // Ticks step through local time, each turned back into UTC with the
    // offset in force at it: a 7- or 30-day window that crosses a change of
    // summer time keeps its ticks on local midnights (with one offset for
    // the whole window they would fall an hour off, on the day before).
    let to_utc = |local: i64| local - utc_offset(local - utc_offset(local));
    let mut local = (t0 + utc_offset(t0)).div_euclid(tick_secs) * tick_secs + tick_secs;
    loop {
        let tick = to_utc(local);
        if tick >= t1 {
            break;
        }
        let x = plot.x(tick);
        svg += &format!(
            r#"<line class="axis" x1="{x}" y1="{b}" x2="{x}" y2="{}"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"#,
            plot.bottom + 4,
            plot.bottom + 18,
            escape(&label(tick)),
            b = plot.bottom,
        );
        local += tick_secs;
    }
    svg += &format!(
        r#"<polyline class="axis" points="{l},{t} {l},{b} {r},{b}"/>"#,
        l = plot.left,
        t = plot.top,
        b = plot.bottom,
        r = plot.right
    );
    // One band and one line per run of buckets with data: a gap stays a gap.
    for run in points
        .split(|(_, p)| p.is_none())
        .filter(|run| !run.is_empty())
    {
        let run: Vec<(i64, ChartPoint)> = run
            .iter()
            .filter_map(|(t, p)| p.map(|p| (plot.x(*t + step / 2), p)))
            .collect();
        let upper = run.iter().map(|(x, p)| (*x, plot.y(p.p95 as i64)));
        let lower = run.iter().rev().map(|(x, p)| (*x, plot.y(p.p50 as i64)));
        svg += &format!(
            r#"<polygon class="band" points="{}"/>"#,
            coordinates(upper.chain(lower))
        );
        if let [(x, p)] = run[..] {
            svg += &format!(
                r#"<circle class="median-dot" cx="{x}" cy="{}" r="3"/>"#,
                plot.y(p.p50 as i64)
            );
        } else {
            let line = run.iter().map(|(x, p)| (*x, plot.y(p.p50 as i64)));
            svg += &format!(
                r#"<polyline class="median" points="{}"/>"#,
                coordinates(line)
            );
        }
    }
    if let Some(threshold) = threshold_us {
        let y = plot.y(threshold as i64);
        svg += &format!(
            r#"<line class="threshold" x1="{}" y1="{y}" x2="{}" y2="{y}"/>"#,
            plot.left, plot.right
        );
    }
    svg + "</svg>"
}

/// The plotting area in pixels and the span it shows.
struct Plot {
    left: i64,
    right: i64,
    top: i64,
    bottom: i64,
    t0: i64,
    t1: i64,
    top_us: i64,
}

impl Plot {
    fn x(&self, t: i64) -> i64 {
        self.left + (t - self.t0) * (self.right - self.left) / (self.t1 - self.t0).max(1)
    }

    fn y(&self, micros: i64) -> i64 {
        self.bottom - micros.min(self.top_us) * (self.bottom - self.top) / self.top_us.max(1)
    }
}

/// The smallest 1, 2 or 5 times a power of ten at or above `rough`
/// (microseconds), so value labels read 0, 20 ms, 40 ms …
fn nice_step(rough: i64) -> i64 {
    let mut power = 1;
    loop {
        for factor in [1, 2, 5] {
            if factor * power >= rough {
                return factor * power;
            }
        }
        power *= 10;
    }
}

fn coordinates(points: impl Iterator<Item = (i64, i64)>) -> String {
    let mut out = String::new();
    for (x, y) in points {
        out += &format!("{x},{y} ");
    }
    out
}

/// Escapes text for an SVG text node.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(start: i64, p50: u32, p95: u32) -> (i64, Option<ChartPoint>) {
        (start, Some(ChartPoint { start, p50, p95 }))
    }

    fn count(svg: &str, what: &str) -> usize {
        svg.matches(what).count()
    }

    #[test]
    fn nothing_to_draw_is_an_empty_string() {
        assert_eq!(
            draw(&[], None, ChartWindow::Hour, 800, &|_| 0, &|_| String::new(
            )),
            ""
        );
    }

    #[test]
    fn a_gap_splits_the_line_and_a_lone_point_is_a_dot() {
        // Minute buckets: three answered, a gap, one answered, a gap, two.
        let points = vec![
            point(0, 10_000, 20_000),
            point(60, 12_000, 25_000),
            point(120, 11_000, 22_000),
            (180, None),
            point(240, 30_000, 90_000),
            (300, None),
            point(360, 10_000, 20_000),
            point(420, 10_000, 20_000),
        ];
        let svg = draw(
            &points,
            Some(500_000),
            ChartWindow::Hour,
            800,
            &|_| 0,
            &|_| "t".into(),
        );
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains(r#"width="800" height="200""#), "{svg}");
        assert_eq!(count(&svg, r#"class="band""#), 3, "{svg}");
        assert_eq!(count(&svg, r#"class="median""#), 2, "{svg}");
        assert_eq!(count(&svg, r#"class="median-dot""#), 1, "{svg}");
        assert_eq!(count(&svg, r#"class="threshold""#), 1, "{svg}");
        for coordinates in svg.split(r#"points=""#).skip(1) {
            let coordinates = &coordinates[..coordinates.find('"').unwrap()];
            assert!(
                coordinates
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ',' || c == ' '),
                "whole pixels only: {coordinates}"
            );
        }
    }

    #[test]
    fn the_value_axis_reaches_past_the_threshold_in_round_steps() {
        let points = vec![point(0, 40_000, 80_000), point(60, 40_000, 80_000)];
        let svg = draw(
            &points,
            Some(250_000),
            ChartWindow::Hour,
            800,
            &|_| 0,
            &|_| "t".into(),
        );
        // Top is 115 % of the threshold (287.5 ms): steps of 100 ms.
        for label in [">0<", ">100 ms<", ">200 ms<"] {
            assert!(svg.contains(label), "{label} in {svg}");
        }
        assert!(!svg.contains(">300 ms<"), "{svg}");
        // The threshold line sits at 250/287.5 of the plot's height.
        let plot_height = HEIGHT - 30 - 8;
        let y = HEIGHT - 30 - 250_000 * plot_height / 287_500;
        assert!(
            svg.contains(&format!(r#"class="threshold" x1="66" y1="{y}""#)),
            "{svg}"
        );
    }

    #[test]
    fn time_ticks_fall_on_local_round_times_and_are_escaped() {
        // An hour from 10:03 UTC, for a visitor at UTC+01:30: ticks every
        // 10 minutes of local time (11:40, 11:50 … local).
        let t0 = 10 * 3_600 + 3 * 60;
        let points: Vec<_> = (0..60).map(|m| point(t0 + m * 60, 1_000, 2_000)).collect();
        let offset = 90 * 60;
        let ticks = std::cell::RefCell::new(Vec::new());
        let svg = draw(&points, None, ChartWindow::Hour, 800, &|_| offset, &|t| {
            ticks.borrow_mut().push(t);
            "<b>&".into()
        });
        let ticks = ticks.into_inner();
        assert_eq!(ticks.len(), 6, "{ticks:?}");
        assert!(ticks.iter().all(|t| (t + offset) % 600 == 0), "{ticks:?}");
        assert!(ticks.iter().all(|&t| t > t0 && t < t0 + 3_600), "{ticks:?}");
        assert_eq!(count(&svg, "&lt;b&gt;&amp;"), 6, "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        // A phone gets half as many.
        let narrow = std::cell::Cell::new(0);
        draw(&points, None, ChartWindow::Hour, 300, &|_| offset, &|_| {
            narrow.set(narrow.get() + 1);
            String::new()
        });
        assert_eq!(narrow.get(), 3);
    }

    #[test]
    fn ticks_stay_on_local_midnights_across_a_change_of_summer_time() {
        // A week at 5-minute buckets for a visitor whose clock goes from
        // UTC+2 to UTC+1 in the middle of it.
        let day = 86_400;
        let t0 = 20_000 * day + 7 * 3_600;
        let change = t0 + 3 * day + 12 * 3_600;
        let offset = |t: i64| if t < change { 7_200 } else { 3_600 };
        let points: Vec<_> = (0..7 * 288)
            .map(|i| point(t0 + i * 300, 1_000, 2_000))
            .collect();
        let ticks = std::cell::RefCell::new(Vec::new());
        draw(&points, None, ChartWindow::Week, 800, &offset, &|t| {
            ticks.borrow_mut().push(t);
            String::new()
        });
        let ticks = ticks.into_inner();
        assert_eq!(ticks.len(), 7, "{ticks:?}");
        for &t in &ticks {
            assert_eq!((t + offset(t)) % day, 0, "{t} is not a local midnight");
        }
        assert!(ticks.iter().any(|&t| t > change), "{ticks:?}");
    }

    #[test]
    fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
        for (rough, nice) in [
            (0, 1),
            (1, 1),
            (3, 5),
            (7, 10),
            (120, 200),
            (287_500, 500_000),
        ] {
            assert_eq!(nice_step(rough), nice, "{rough}");
        }
    }
}
