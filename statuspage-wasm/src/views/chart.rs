//! Response-time chart over the window: the median RTT of each round as a
//! line (broken where data is missing), the degraded threshold as a dashed
//! line, and a red mark for each round that was down.

use checkup_model::Status;
use checkup_model::summary::{CheckSummary, nice_ceiling, split_at_gaps};
use leptos::prelude::*;

use crate::time::local_time;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 90.0;
const LEFT: f64 = 52.0;
const TOP: f64 = 6.0;
const BOTTOM: f64 = 20.0;

#[component]
pub fn ResponseChart(check: CheckSummary, start: i64, end: i64) -> impl IntoView {
    let span = (end - start).max(1) as f64;
    let up_medians = check
        .series
        .iter()
        .filter(|p| p.status != Status::Down)
        .map(|p| p.median);
    let y_max = nice_ceiling(
        up_medians
            .chain([check.latest.threshold])
            .max()
            .unwrap_or(0)
            .max(1_000_000),
    );
    let x = move |ts: i64| LEFT + ((ts - start) as f64 / span).clamp(0.0, 1.0) * WIDTH;
    let y = move |ns: i64| TOP + HEIGHT - (ns as f64 / y_max as f64).clamp(0.0, 1.0) * HEIGHT;

    // Down rounds have no meaningful RTT: they break the line and get a mark.
    let up: Vec<_> = check
        .series
        .iter()
        .copied()
        .filter(|p| p.status != Status::Down)
        .collect();
    let segments = split_at_gaps(&up);
    // A lone point has no line to be part of: it is drawn as a dot.
    let dots: Vec<(f64, f64)> = segments
        .iter()
        .filter(|seg| seg.len() == 1)
        .map(|seg| (x(seg[0].timestamp), y(seg[0].median)))
        .collect();
    let lines: Vec<String> = segments
        .iter()
        .filter(|seg| seg.len() > 1)
        .map(|seg| {
            seg.iter()
                .map(|p| format!("{:.1},{:.1}", x(p.timestamp), y(p.median)))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let down_marks: Vec<f64> = check
        .series
        .iter()
        .filter(|p| p.status == Status::Down)
        .map(|p| x(p.timestamp))
        .collect();
    let threshold = (check.latest.threshold > 0).then(|| y(check.latest.threshold));
    let label = format!(
        "Response time of {} over the window, up to {}",
        check.title,
        format_ms(y_max)
    );
    view! {
        <svg class="chart" viewBox=format!("0 0 {} {}", LEFT + WIDTH + 4.0, TOP + HEIGHT + BOTTOM) role="img" aria-label=label>
            <line class="axis" x1=LEFT y1=TOP + HEIGHT x2=LEFT + WIDTH y2=TOP + HEIGHT/>
            <line class="grid" x1=LEFT y1=TOP x2=LEFT + WIDTH y2=TOP/>
            <text class="tick" x=LEFT - 6.0 y=TOP + 8.0 text-anchor="end">{format_ms(y_max)}</text>
            <text class="tick" x=LEFT - 6.0 y=TOP + HEIGHT text-anchor="end">"0"</text>
            <text class="tick" x=LEFT y=TOP + HEIGHT + 15.0>{local_time(start)}</text>
            <text class="tick" x=LEFT + WIDTH y=TOP + HEIGHT + 15.0 text-anchor="end">{local_time(end)}</text>
            {threshold.map(|ty| view! {
                <line class="threshold" x1=LEFT y1=ty x2=LEFT + WIDTH y2=ty/>
            })}
            {down_marks.into_iter().map(|dx| view! {
                <line class="down-mark" x1=dx y1=TOP x2=dx y2=TOP + HEIGHT/>
            }).collect_view()}
            {lines.into_iter().map(|points| view! {
                <polyline class="rtt" points=points/>
            }).collect_view()}
            {dots.into_iter().map(|(cx, cy)| view! {
                <circle class="rtt-dot" cx=cx cy=cy r="2.5"/>
            }).collect_view()}
        </svg>
    }
}

fn format_ms(ns: i64) -> String {
    let ms = ns as f64 / 1e6;
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}
