//! Response-time chart of one check over the chosen window, drawn as SVG
//! (by `checkup_model::chart_svg`): the median as a line, the band up to the
//! 95th percentile, the degraded threshold as a dashed line, gaps where no
//! location answered; with a caption that says the same in words.

use checkup_model::chart_svg;
use checkup_model::overview::{ChartPoint, ChartWindow, CheckOverview};
use leptos::prelude::*;

use super::format_micros;
use crate::time::{local_day, local_offset_secs, local_time};

/// The chart is drawn at about the width it is shown, so its labels stay
/// readable on a phone instead of being scaled down with the picture.
fn width() -> i64 {
    let viewport = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(800.0);
    (viewport - 64.0).clamp(240.0, 900.0) as i64
}

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
    let label = |secs: i64| match window {
        ChartWindow::Hour | ChartWindow::Day => local_time(secs * 1_000_000_000),
        ChartWindow::Week | ChartWindow::Month => local_day(secs * 1_000_000_000),
    };
    let svg = chart_svg::draw(
        &points,
        threshold_us,
        window,
        width(),
        &local_offset_secs,
        &label,
    );
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
