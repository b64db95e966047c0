//! Response-time chart of one check over the chosen window, drawn as SVG:
//! the median as a line, the band up to the 95th percentile, the degraded
//! threshold as a dashed line, gaps where no location answered.

use checkup_model::overview::{ChartPoint, ChartWindow, CheckOverview};
use leptos::prelude::*;

use super::format_micros;
use crate::time::{local_day, local_offset_secs, local_time};

/// The chart is drawn at about the width it is shown, so its labels stay
/// readable on a phone instead of being scaled down with the picture.
fn width() -> u32 {
    let viewport = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(800.0);
    (viewport - 64.0).clamp(240.0, 900.0) as u32
}
const HEIGHT: i64 = 200;

#[component]
pub fn ResponseChart(check: CheckOverview, window: ChartWindow, now: i64) -> impl IntoView {
    let points = check.chart(window, now);
    let threshold_us =
        (check.latest.threshold > 0).then_some((check.latest.threshold / 1_000) as u32);
    let answered: Vec<ChartPoint> = points.iter().filter_map(|(_, p)| *p).collect();
    let summary = if answered.is_empty() {
        format!(
            "No response times for {} in the last {}.",
            check.title,
            window.key()
        )
    } else {
        let mut medians: Vec<u32> = answered.iter().map(|p| p.p50).collect();
        checkup_model::sorting::sort(&mut medians);
        let worst = answered.iter().map(|p| p.p95).max().unwrap_or(0);
        format!(
            "Response time of {} over the last {}: typically {}, 95th percentile up to {}.",
            check.title,
            window.key(),
            format_micros(medians[medians.len() / 2]),
            format_micros(worst)
        )
    };
    let svg = draw(&points, threshold_us, window);
    view! {
        <figure class="chart-figure">
            <div class="chart" role="img" aria-label=summary.clone() inner_html=svg></div>
            <figcaption class="chart-caption">
                {summary}
                <span class="legend">
                    <span class="key key-median" aria-hidden="true"></span>" median "
                    <span class="key key-band" aria-hidden="true"></span>" up to p95 "
                    {threshold_us.map(|t| view! { <span class="key key-threshold" aria-hidden="true"></span>{format!(" degraded above {}", format_micros(t))}})}
                </span>
            </figcaption>
        </figure>
    }
}

/// The chart as an SVG string, drawn here rather than by a plotting crate:
/// a line, a band, a dashed line, grid and labels are all it needs, and
/// plotters cost 30 KB of the page. Coordinates are whole pixels of a chart
/// drawn at the width it is shown, so no float is ever printed. Labels are
/// times and durations the page formats itself, escaped all the same.
fn draw(
    points: &[(i64, Option<ChartPoint>)],
    threshold_us: Option<u32>,
    window: ChartWindow,
) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let width = width() as i64;
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
                escape(&super::format_micros(value as u32))
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
    let offset = local_offset_secs(t0);
    let mut tick = (t0 + offset).div_euclid(tick_secs) * tick_secs + tick_secs - offset;
    while tick < t1 {
        let x = plot.x(tick);
        let nanos = tick * 1_000_000_000;
        let label = match window {
            ChartWindow::Hour | ChartWindow::Day => local_time(nanos),
            ChartWindow::Week | ChartWindow::Month => local_day(nanos),
        };
        svg += &format!(
            r#"<line class="axis" x1="{x}" y1="{b}" x2="{x}" y2="{}"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"#,
            plot.bottom + 4,
            plot.bottom + 18,
            escape(&label),
            b = plot.bottom,
        );
        tick += tick_secs;
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
