//! Response-time chart of one check over the chosen window, as SVG elements
//! built from `checkup_model::drawing::chart`'s description: the median as a
//! line, the band up to the 95th percentile, the degraded threshold as a
//! dashed line, gaps where no location answered; with a caption that says
//! the same in words.

use checkup_model::derive::overview::{ChartPoint, ChartWindow, CheckOverview};
use checkup_model::drawing::chart::{self, Chart, HEIGHT};
use leptos::prelude::*;

use crate::i18n::intl::{micros, span};
use crate::i18n::{Text, fill, t};
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
        fill(
            Text::NoResponseTimes,
            &[&check.title, &span(window.span_secs(), true)],
        )
    } else {
        let mut medians: Vec<u32> = answered.iter().map(|p| p.p50).collect();
        checkup_model::sorting::sort(&mut medians);
        let worst = answered.iter().map(|p| p.p95).max().unwrap_or(0);
        fill(
            Text::ResponseSummary,
            &[
                &check.title,
                &span(window.span_secs(), true),
                &micros(medians[medians.len() / 2]),
                &micros(worst),
            ],
        )
    };
    let label = |secs: i64| match window {
        ChartWindow::Hour | ChartWindow::Day => local_time(secs * 1_000_000_000),
        ChartWindow::Week | ChartWindow::Month => local_day(secs * 1_000_000_000),
    };
    let shapes = chart::describe(
        &points,
        threshold_us,
        window,
        width(),
        &local_offset_secs,
        &label,
        &micros,
    );
    view! {
        <figure class="chart-figure">
            <div class="chart" role="img" aria-label=summary.clone()>{shapes.map(svg)}</div>
            <figcaption class="chart-caption">
                {summary}
                <span class="legend">
                    <span class="key key-median" aria-hidden="true"></span>{format!(" {} ", t(Text::Median))}
                    <span class="key key-band" aria-hidden="true"></span>{format!(" {} ", t(Text::UpToP95))}
                    {threshold_us.map(|th| view! { <span class="key key-threshold" aria-hidden="true"></span>{format!(" {}", fill(Text::DegradedAbove, &[&micros(th)]))}})}
                </span>
            </figcaption>
        </figure>
    }
}

/// The described chart as SVG elements; labels become text nodes, so
/// whatever the locale's wording holds is shown as text.
fn svg(chart: Chart) -> impl IntoView {
    let (left, right) = (chart.left, chart.right);
    let bottom = chart.bottom;
    let axis = chart.axis();
    let grid = chart
        .value_ticks
        .into_iter()
        .map(|tick| {
            view! {
                <line class="grid" x1=left y1=tick.at x2=right y2=tick.at/>
                <text x={left - 6} y={tick.at + 4} text-anchor="end">{tick.label}</text>
            }
        })
        .collect_view();
    let times = chart
        .time_ticks
        .into_iter()
        .map(|tick| {
            view! {
                <line class="axis" x1=tick.at y1=bottom x2=tick.at y2={bottom + 4}/>
                <text x=tick.at y={bottom + 18} text-anchor="middle">{tick.label}</text>
            }
        })
        .collect_view();
    let bands = chart
        .bands
        .into_iter()
        .map(|points| view! { <polygon class="band" points=points/> })
        .collect_view();
    let medians = chart
        .medians
        .into_iter()
        .map(|points| view! { <polyline class="median" points=points/> })
        .collect_view();
    let dots = chart
        .dots
        .into_iter()
        .map(|(x, y)| view! { <circle class="median-dot" cx=x cy=y r="3"/> })
        .collect_view();
    let threshold = chart
        .threshold_y
        .map(|y| view! { <line class="threshold" x1=left y1=y x2=right y2=y/> });
    let threshold_above = chart.threshold_above.map(|t| {
        view! {
            <text class="threshold-label" x=right - 4 y=chart.top + 12 text-anchor="end">
                {format!("{} ↑", fill(Text::DegradedAbove, &[&micros(t)]))}
            </text>
        }
    });
    let width = chart.width;
    view! {
        <svg
            xmlns="http://www.w3.org/2000/svg"
            width=width
            height=HEIGHT
            viewBox=format!("0 0 {width} {HEIGHT}")
            font-family="sans-serif"
            font-size="12"
        >
            {grid}
            {times}
            <polyline class="axis" points=axis/>
            {bands}
            {medians}
            {dots}
            {threshold}
            {threshold_above}
        </svg>
    }
}
