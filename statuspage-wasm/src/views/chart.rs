//! Response-time chart of one check over the chosen window, drawn by
//! plotters as SVG: the median as a line, the band up to the 95th percentile,
//! the degraded threshold as a dashed line, gaps where no location answered.

use checkup_model::overview::{ChartPoint, ChartWindow, CheckOverview};
use leptos::prelude::*;
use plotters::prelude::*;

use super::format_micros;
use crate::time::{local_day, local_time};

/// The chart is drawn at about the width it is shown, so its labels stay
/// readable on a phone instead of being scaled down with the picture.
fn width() -> u32 {
    let viewport = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(800.0);
    (viewport - 64.0).clamp(240.0, 900.0) as u32
}
const HEIGHT: u32 = 200;
const LINE: RGBColor = RGBColor(0x2f, 0x81, 0xf7);
const THRESHOLD: RGBColor = RGBColor(0xd2, 0x99, 0x22);
const MUTED: RGBColor = RGBColor(0x76, 0x80, 0x8a);

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
    let svg = draw(&points, threshold_us, window).unwrap_or_else(|e| {
        leptos::logging::warn!("chart: {e}");
        String::new()
    });
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

/// The chart as an SVG string.
fn draw(
    points: &[(i64, Option<ChartPoint>)],
    threshold_us: Option<u32>,
    window: ChartWindow,
) -> Result<String, String> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Ok(String::new());
    };
    let step = points.get(1).map(|p| p.0 - first.0).unwrap_or(60);
    let (x0, x1) = (first.0, last.0 + step);
    let ms = |us: u32| us as f64 / 1000.0;
    let top = points
        .iter()
        .filter_map(|(_, p)| p.map(|p| ms(p.p95)))
        .chain(threshold_us.map(ms))
        .fold(1.0f64, f64::max)
        * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width(), HEIGHT)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(22)
            .y_label_area_size(58)
            .build_cartesian_2d(x0..x1, 0f64..top)
            .map_err(|e| e.to_string())?;
        let label = |t: &i64| {
            let nanos = t * 1_000_000_000;
            match window {
                ChartWindow::Hour | ChartWindow::Day => local_time(nanos),
                ChartWindow::Week | ChartWindow::Month => local_day(nanos),
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(if width() < 500 { 3 } else { 6 })
            .y_labels(4)
            .x_label_formatter(&label)
            .y_label_formatter(&|v| format!("{v:.0} ms"))
            .axis_style(MUTED.mix(0.6))
            .light_line_style(MUTED.mix(0.15))
            .bold_line_style(MUTED.mix(0.25))
            .label_style(("sans-serif", 12).into_font().color(&MUTED))
            .draw()
            .map_err(|e| e.to_string())?;
        // One band and one line per run of buckets with data: a gap stays a gap.
        for run in points
            .split(|(_, p)| p.is_none())
            .filter(|run| !run.is_empty())
        {
            let run: Vec<(i64, ChartPoint)> = run
                .iter()
                .filter_map(|(t, p)| p.map(|p| (*t + step / 2, p)))
                .collect();
            let mut band: Vec<(i64, f64)> = run.iter().map(|(t, p)| (*t, ms(p.p95))).collect();
            band.extend(run.iter().rev().map(|(t, p)| (*t, ms(p.p50))));
            chart
                .draw_series(std::iter::once(Polygon::new(band, LINE.mix(0.22).filled())))
                .map_err(|e| e.to_string())?;
            if run.len() == 1 {
                let (t, p) = run[0];
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (t, ms(p.p50)),
                        3,
                        LINE.filled(),
                    )))
                    .map_err(|e| e.to_string())?;
            } else {
                chart
                    .draw_series(LineSeries::new(
                        run.iter().map(|(t, p)| (*t, ms(p.p50))),
                        LINE.stroke_width(2),
                    ))
                    .map_err(|e| e.to_string())?;
            }
        }
        if let Some(t) = threshold_us {
            chart
                .draw_series(DashedLineSeries::new(
                    [(x0, ms(t)), (x1, ms(t))],
                    6,
                    4,
                    THRESHOLD.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
