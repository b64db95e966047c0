//! The response-time chart as a list of SVG shapes: a grid, labels, a
//! band, a line and a dashed threshold are all it needs, so it is drawn by
//! hand rather than with a plotting crate. Coordinates are whole pixels of a
//! chart drawn at the width it is shown. A plain function of its inputs, so
//! it is tested natively; the page turns the shapes into SVG elements, and
//! passes the width, the visitor's UTC offset at any instant and how to word
//! a time.

use crate::derive::overview::{ChartPoint, ChartWindow};

/// The chart's height in pixels.
pub const HEIGHT: i64 = 200;

/// What to draw, in pixels of a `width` x [`HEIGHT`] picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub width: i64,
    /// Left edge of the plot, where the value labels end.
    pub left: i64,
    pub right: i64,
    pub top: i64,
    pub bottom: i64,
    /// Horizontal grid lines at round values, each with its label.
    pub value_ticks: Vec<Tick>,
    /// Vertical marks at local round times, each with its label.
    pub time_ticks: Vec<Tick>,
    /// One polygon (`x,y x,y …`) per run of answered buckets: median up to p95.
    pub bands: Vec<String>,
    /// One polyline of medians per run of two or more answered buckets.
    pub medians: Vec<String>,
    /// A run of one bucket is a dot at its median.
    pub dots: Vec<(i64, i64)>,
    /// The degraded threshold's height, if the check has one in range.
    pub threshold_y: Option<i64>,
    /// The degraded threshold (µs) when it lies far above the data, to be
    /// named at the top edge instead of drawn.
    pub threshold_above: Option<u32>,
}

/// A grid line or time mark: its position on its axis and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub at: i64,
    pub label: String,
}

impl Chart {
    /// The axes as one polyline: up the left edge, along the bottom.
    pub fn axis(&self) -> String {
        format!(
            "{l},{t} {l},{b} {r},{b}",
            l = self.left,
            t = self.top,
            b = self.bottom,
            r = self.right
        )
    }
}

/// The chart of `points` (from `CheckOverview::chart`), `width` pixels
/// wide, or `None` with nothing to draw. `utc_offset` says how far the
/// visitor's clock is ahead of UTC at an instant (Unix seconds), so time
/// ticks fall on local round times, `label` words a tick (Unix seconds)
/// in the visitor's locale and `value_label` a response time (µs, above 0).
pub fn describe(
    points: &[(i64, Option<ChartPoint>)],
    threshold_us: Option<u32>,
    window: ChartWindow,
    width: i64,
    utc_offset: &dyn Fn(i64) -> i64,
    label: &dyn Fn(i64) -> String,
    value_label: &dyn Fn(u32) -> String,
) -> Option<Chart> {
    let (first, last) = (points.first()?, points.last()?);
    let step = points.get(1).map(|p| p.0 - first.0).unwrap_or(60).max(1);
    let (t0, t1) = (first.0, last.0 + step);
    // The axis fits the data; a threshold far above it would flatten the
    // lines, so then it is only named at the top edge.
    let data_top = points
        .iter()
        .filter_map(|(_, p)| p.map(|p| p.p95))
        .fold(1_000, u32::max);
    let in_range = threshold_us.filter(|&t| t <= data_top.saturating_mul(2));
    let top_us = data_top.max(in_range.unwrap_or(0)) as i64 * 115 / 100;
    let tick_us = nice_step(top_us / 4);
    // Value labels first: the plot starts where the longest one ends
    // ("400 ms" fits 66 px; "400 ملي ث" needs more).
    let values: Vec<(i64, String)> = (0..)
        .map(|i| i * tick_us)
        .take_while(|&v| v <= top_us)
        .map(|v| {
            (
                v,
                if v == 0 {
                    "0".to_string()
                } else {
                    value_label(v as u32)
                },
            )
        })
        .collect();
    let longest = values
        .iter()
        .map(|(_, l)| l.chars().count())
        .max()
        .unwrap_or(0) as i64;
    let plot = Plot {
        left: (longest * 8 + 14).max(66),
        right: width - 8,
        top: 8,
        bottom: HEIGHT - 30,
        t0,
        t1,
        top_us,
    };
    let mut chart = Chart {
        width,
        left: plot.left,
        right: plot.right,
        top: plot.top,
        bottom: plot.bottom,
        value_ticks: Vec::new(),
        time_ticks: Vec::new(),
        bands: Vec::new(),
        medians: Vec::new(),
        dots: Vec::new(),
        threshold_y: in_range.map(|t| plot.y(t as i64)),
        threshold_above: threshold_us.filter(|_| in_range.is_none()),
    };
    chart.value_ticks = values
        .into_iter()
        .map(|(value, label)| Tick {
            at: plot.y(value),
            label,
        })
        .collect();
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
        chart.time_ticks.push(Tick {
            at: plot.x(tick),
            label: label(tick),
        });
        local += tick_secs;
    }
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
        chart.bands.push(coordinates(upper.chain(lower)));
        if let [(x, p)] = run[..] {
            chart.dots.push((x, plot.y(p.p50 as i64)));
        } else {
            let line = run.iter().map(|(x, p)| (*x, plot.y(p.p50 as i64)));
            chart.medians.push(coordinates(line));
        }
    }
    Some(chart)
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
        if !out.is_empty() {
            out.push(' ');
        }
        out += &format!("{x},{y}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drawing::format::english_micros;

    fn point(start: i64, p50: u32, p95: u32) -> (i64, Option<ChartPoint>) {
        (start, Some(ChartPoint { start, p50, p95 }))
    }

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn long_value_labels_move_the_plot_right() {
        let points = vec![point(0, 100_000, 400_000), point(60, 100_000, 400_000)];
        let short = describe(
            &points,
            None,
            ChartWindow::Hour,
            800,
            &|_| 0,
            &|_| String::new(),
            &english_micros,
        )
        .unwrap();
        assert_eq!(short.left, 66, "\"400 ms\" fits the usual margin");
        let long = describe(
            &points,
            None,
            ChartWindow::Hour,
            800,
            &|_| 0,
            &|_| String::new(),
            &|v| format!("{} ملي ث", v / 1_000),
        )
        .unwrap();
        assert!(long.left > 66, "{}", long.left);
        assert!(
            long.value_ticks
                .iter()
                .all(|t| t.label.chars().count() as i64 * 8 + 14 <= long.left)
        );
    }

    #[test]
    fn nothing_to_draw_is_no_chart() {
        let chart = describe(
            &[],
            None,
            ChartWindow::Hour,
            800,
            &|_| 0,
            &|_| String::new(),
            &english_micros,
        );
        assert_eq!(chart, None);
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
        let chart = describe(
            &points,
            Some(500_000),
            ChartWindow::Hour,
            800,
            &|_| 0,
            &|_| "t".into(),
            &english_micros,
        )
        .unwrap();
        assert_eq!((chart.width, chart.right), (800, 792));
        assert_eq!(chart.bands.len(), 3, "{chart:?}");
        assert_eq!(chart.medians.len(), 2, "{chart:?}");
        assert_eq!(chart.dots.len(), 1, "{chart:?}");
        // 500 ms is far above the slowest 90 ms: named, not drawn.
        assert_eq!(chart.threshold_y, None);
        assert_eq!(chart.threshold_above, Some(500_000));
        // The first run: three medians, and a band of three points up and
        // three back down.
        assert_eq!(chart.medians[0].split(' ').count(), 3, "{chart:?}");
        assert_eq!(chart.bands[0].split(' ').count(), 6, "{chart:?}");
        // Everything lies inside the plot.
        for shape in chart.bands.iter().chain(&chart.medians) {
            for pair in shape.split(' ') {
                let (x, y) = pair.split_once(',').unwrap();
                let (x, y): (i64, i64) = (x.parse().unwrap(), y.parse().unwrap());
                assert!((chart.left..=chart.right).contains(&x), "{pair}");
                assert!((chart.top..=chart.bottom).contains(&y), "{pair}");
            }
        }
        assert_eq!(chart.axis(), "66,8 66,170 792,170");
    }

    #[test]
    fn the_value_axis_reaches_past_the_threshold_in_round_steps() {
        // A p95 of 150 ms: the 250-ms threshold is in range.
        let points = vec![point(0, 40_000, 150_000), point(60, 40_000, 150_000)];
        let chart = describe(
            &points,
            Some(250_000),
            ChartWindow::Hour,
            800,
            &|_| 0,
            &|_| "t".into(),
            &english_micros,
        )
        .unwrap();
        // Top is 115 % of the threshold (287.5 ms): steps of 100 ms.
        assert_eq!(labels(&chart.value_ticks), ["0", "100 ms", "200 ms"]);
        // The threshold line sits at 250/287.5 of the plot's height.
        let plot_height = HEIGHT - 30 - 8;
        let y = HEIGHT - 30 - 250_000 * plot_height / 287_500;
        assert_eq!(chart.threshold_y, Some(y));
        assert_eq!(chart.threshold_above, None);
        assert_eq!(chart.value_ticks[0].at, chart.bottom);
    }

    #[test]
    fn a_threshold_far_above_the_data_is_named_not_drawn() {
        // 1-ms answers against a 250-ms threshold.
        let points = vec![point(0, 900, 1_200), point(60, 1_000, 1_300)];
        let chart = describe(
            &points,
            Some(250_000),
            ChartWindow::Hour,
            800,
            &|_| 0,
            &|_| "t".into(),
            &english_micros,
        )
        .unwrap();
        assert_eq!(chart.threshold_y, None);
        assert_eq!(chart.threshold_above, Some(250_000));
        // The axis reaches 115 % of the slowest p95, so the lines fill it.
        let top = chart.value_ticks.last().unwrap();
        assert!(
            top.label.ends_with("ms") || top.label.ends_with("µs"),
            "{top:?}"
        );
        assert!(
            chart.medians[0].split(' ').all(|p| {
                let y: i64 = p.split_once(',').unwrap().1.parse().unwrap();
                y < chart.bottom - 50
            }),
            "{chart:?}"
        );
    }

    #[test]
    fn time_ticks_fall_on_local_round_times() {
        // An hour from 10:03 UTC, for a visitor at UTC+01:30: ticks every
        // 10 minutes of local time (11:40, 11:50 … local).
        let t0 = 10 * 3_600 + 3 * 60;
        let points: Vec<_> = (0..60).map(|m| point(t0 + m * 60, 1_000, 2_000)).collect();
        let offset = 90 * 60;
        let ticks = std::cell::RefCell::new(Vec::new());
        let chart = describe(
            &points,
            None,
            ChartWindow::Hour,
            800,
            &|_| offset,
            &|t| {
                ticks.borrow_mut().push(t);
                format!("<{t}>")
            },
            &english_micros,
        )
        .unwrap();
        let ticks = ticks.into_inner();
        assert_eq!(ticks.len(), 6, "{ticks:?}");
        assert!(ticks.iter().all(|t| (t + offset) % 600 == 0), "{ticks:?}");
        assert!(ticks.iter().all(|&t| t > t0 && t < t0 + 3_600), "{ticks:?}");
        // Labels are kept as worded (the page puts them in text nodes),
        // and placed left to right.
        assert_eq!(chart.time_ticks[0].label, format!("<{}>", ticks[0]));
        assert!(chart.time_ticks.windows(2).all(|w| w[0].at < w[1].at));
        // A phone gets half as many.
        let narrow = describe(
            &points,
            None,
            ChartWindow::Hour,
            300,
            &|_| offset,
            &|_| String::new(),
            &english_micros,
        )
        .unwrap();
        assert_eq!(narrow.time_ticks.len(), 3);
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
        describe(
            &points,
            None,
            ChartWindow::Week,
            800,
            &offset,
            &|t| {
                ticks.borrow_mut().push(t);
                String::new()
            },
            &english_micros,
        );
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
