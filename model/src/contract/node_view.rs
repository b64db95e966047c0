//! Derived history views: what one node saw of each check, rolled up into time
//! buckets at five resolutions, so the page draws 90 days from one file per
//! node instead of one file per round.
//!
//! A view is a cache. The checker updates it after every round and `checker
//! rebuild` regenerates it from the raw round files; both feed rounds oldest
//! first through [`NodeView::add_round`], so they produce the same view.
//! Response-time percentiles of a bucket still filling come from a small
//! log-scale histogram kept in the view, which is what makes a restart (or a
//! rebuild) land on exactly the same figures as an uninterrupted run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::contract::incident::IncidentUpdate;
use crate::contract::incident_text::Node;
#[cfg(not(target_arch = "wasm32"))]
use crate::contract::month_tally::{MonthTally, RoundTally};
use crate::contract::runs;
use crate::{contract::result::CheckResult, contract::status::Status};

/// The view format; a page meeting a newer one falls back to raw files.
/// Version 2 writes columns as runs ([`crate::contract::runs`]); version 1
/// (plain arrays) still reads.
pub const VIEW_VERSION: u32 = 2;

/// One bucket size and how many buckets of it a view keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution {
    pub step_secs: i64,
    pub buckets: usize,
}

/// Minutes for the last two hours, 5 minutes for a day, hours for a week,
/// 6 hours for a month, days for 91 days (90 whole days plus today).
pub const RESOLUTIONS: [Resolution; 5] = [
    Resolution {
        step_secs: 60,
        buckets: 120,
    },
    Resolution {
        step_secs: 300,
        buckets: 288,
    },
    Resolution {
        step_secs: 3_600,
        buckets: 168,
    },
    Resolution {
        step_secs: 21_600,
        buckets: 124,
    },
    Resolution {
        step_secs: 86_400,
        buckets: 91,
    },
];

/// Index into [`RESOLUTIONS`] of the daily buckets.
pub const DAILY: usize = 4;

/// Response times in microseconds, binned on a log scale (5 % wide bins), so
/// percentiles are mergeable and within about 2.5 % of the true value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Histogram(BTreeMap<u16, u32>);

const BIN_RATIO: f64 = 1.05;

impl Histogram {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, micros: u32) {
        *self.0.entry(bin_of(micros)).or_insert(0) += 1;
    }

    /// The `q` quantile (0..=1), as the middle of its bin; 0 when empty.
    pub fn quantile(&self, q: f64) -> u32 {
        let total: u64 = self.0.values().map(|&c| c as u64).sum();
        if total == 0 {
            return 0;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0u64;
        for (&bin, &count) in &self.0 {
            seen += count as u64;
            if seen >= rank {
                return bin_middle(bin);
            }
        }
        unreachable!("rank is at most the total")
    }
}

fn bin_of(micros: u32) -> u16 {
    if micros <= 1 {
        0
    } else {
        ((micros as f64).ln() / BIN_RATIO.ln()).floor() as u16 + 1
    }
}

fn bin_middle(bin: u16) -> u32 {
    if bin == 0 {
        1
    } else {
        BIN_RATIO.powf(bin as f64 - 0.5).round() as u32
    }
}

/// A check's buckets at one resolution, oldest first, as parallel columns
/// (compact in JSON: runs, and a column of zeros left out). Bucket `i`
/// starts at `(first + i) * step` Unix seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredSeries")]
pub struct Series {
    pub step: i64,
    pub first: i64,
    /// Rounds in the bucket.
    #[serde(serialize_with = "runs::serialize")]
    pub n: Vec<u32>,
    /// Rounds that were down, outside maintenance.
    #[serde(
        serialize_with = "runs::serialize",
        skip_serializing_if = "runs::all_zero"
    )]
    pub down: Vec<u32>,
    /// Rounds that were degraded, outside maintenance.
    #[serde(
        serialize_with = "runs::serialize",
        skip_serializing_if = "runs::all_zero"
    )]
    pub degraded: Vec<u32>,
    /// Rounds inside a maintenance window, whatever their status: they are
    /// not downtime, and not uptime either.
    #[serde(
        serialize_with = "runs::serialize",
        skip_serializing_if = "runs::all_zero"
    )]
    pub maintenance: Vec<u32>,
    /// Median and 95th percentile of the rounds' median response times, µs;
    /// 0 when no round in the bucket answered.
    #[serde(
        serialize_with = "runs::serialize",
        skip_serializing_if = "runs::all_zero"
    )]
    pub p50: Vec<u32>,
    #[serde(
        serialize_with = "runs::serialize",
        skip_serializing_if = "runs::all_zero"
    )]
    pub p95: Vec<u32>,
    /// Response times of the newest bucket, which is still filling.
    #[serde(default, skip_serializing_if = "Histogram::is_empty")]
    pub open: Histogram,
}

/// A [`Series`] as stored: a column left out is all zeros (version 1
/// wrote every column).
#[derive(Deserialize)]
struct StoredSeries {
    step: i64,
    first: i64,
    #[serde(deserialize_with = "runs::deserialize")]
    n: Vec<u32>,
    #[serde(default, deserialize_with = "runs::deserialize")]
    down: Vec<u32>,
    #[serde(default, deserialize_with = "runs::deserialize")]
    degraded: Vec<u32>,
    #[serde(default, deserialize_with = "runs::deserialize")]
    maintenance: Vec<u32>,
    #[serde(default, deserialize_with = "runs::deserialize")]
    p50: Vec<u32>,
    #[serde(default, deserialize_with = "runs::deserialize")]
    p95: Vec<u32>,
    /// Only a checker continues from a filling bucket's response times, so
    /// the page (wasm) does not read them.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
    open: Histogram,
}

impl From<StoredSeries> for Series {
    fn from(stored: StoredSeries) -> Series {
        let len = stored.n.len();
        let zeros_if_left_out = |mut column: Vec<u32>| {
            if column.is_empty() {
                column.resize(len, 0);
            }
            column
        };
        Series {
            step: stored.step,
            first: stored.first,
            down: zeros_if_left_out(stored.down),
            degraded: zeros_if_left_out(stored.degraded),
            maintenance: zeros_if_left_out(stored.maintenance),
            p50: zeros_if_left_out(stored.p50),
            p95: zeros_if_left_out(stored.p95),
            n: stored.n,
            open: stored.open,
        }
    }
}

/// One bucket read out of a [`Series`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bucket {
    /// Start, Unix seconds.
    pub start: i64,
    pub n: u32,
    pub down: u32,
    pub degraded: u32,
    pub maintenance: u32,
    pub p50: u32,
    pub p95: u32,
}

impl Bucket {
    /// Rounds that count for uptime: all but those in maintenance.
    pub fn counted(&self) -> u32 {
        self.n.saturating_sub(self.maintenance)
    }
}

impl Series {
    pub(crate) fn new(resolution: Resolution) -> Series {
        Series {
            step: resolution.step_secs,
            ..Series::default()
        }
    }

    pub fn len(&self) -> usize {
        self.n.len()
    }

    pub fn is_empty(&self) -> bool {
        self.n.is_empty()
    }

    /// Bucket `i` (0 = oldest kept).
    pub fn bucket(&self, i: usize) -> Bucket {
        Bucket {
            start: (self.first + i as i64) * self.step,
            n: self.n[i],
            down: self.down[i],
            degraded: self.degraded[i],
            maintenance: self.maintenance[i],
            p50: self.p50[i],
            p95: self.p95[i],
        }
    }

    pub fn buckets(&self) -> impl Iterator<Item = Bucket> + '_ {
        (0..self.len()).map(|i| self.bucket(i))
    }

    /// Whether the columns agree in length and the bucket size is the expected
    /// one: a damaged or foreign view is refused rather than misdrawn.
    fn is_consistent(&self, resolution: Resolution) -> bool {
        let n = self.n.len();
        self.step == resolution.step_secs
            && n <= resolution.buckets
            && [
                self.down.len(),
                self.degraded.len(),
                self.maintenance.len(),
                self.p50.len(),
                self.p95.len(),
            ]
            .iter()
            .all(|&l| l == n)
    }

    /// Every per-bucket column, to grow or trim them together.
    pub(crate) fn columns_mut(&mut self) -> [&mut Vec<u32>; 6] {
        [
            &mut self.n,
            &mut self.down,
            &mut self.degraded,
            &mut self.maintenance,
            &mut self.p50,
            &mut self.p95,
        ]
    }

    /// Every per-bucket column, in the order of [`Series::columns_mut`].
    pub(crate) fn columns(&self) -> [&Vec<u32>; 6] {
        [
            &self.n,
            &self.down,
            &self.degraded,
            &self.maintenance,
            &self.p50,
            &self.p95,
        ]
    }

    fn push_empty(&mut self) {
        for column in self.columns_mut() {
            column.push(0);
        }
    }

    pub(crate) fn drop_oldest(&mut self, count: usize) {
        let count = count.min(self.len());
        for column in self.columns_mut() {
            column.drain(..count);
        }
        self.first += count as i64;
    }

    /// Counts one round at `secs`. Rounds come oldest first; one older than
    /// the newest bucket (a late replay) still counts, but cannot move that
    /// closed bucket's percentiles any more.
    fn add(&mut self, secs: i64, outcome: Outcome, keep: usize) {
        let index = secs.div_euclid(self.step);
        if self.is_empty() {
            self.first = index;
            self.push_empty();
        }
        let last = self.first + self.len() as i64 - 1;
        if index > last {
            self.open = Histogram::default();
            let gap = index - last;
            if gap as usize >= keep {
                self.drop_oldest(self.len());
                self.first = index;
                self.push_empty();
            } else {
                for _ in 0..gap {
                    self.push_empty();
                }
            }
            if self.len() > keep {
                self.drop_oldest(self.len() - keep);
            }
        } else if index < self.first {
            return;
        }
        let i = (index - self.first) as usize;
        self.n[i] += 1;
        if outcome.maintenance {
            self.maintenance[i] += 1;
        } else if outcome.status == Status::Down {
            self.down[i] += 1;
        } else if outcome.status == Status::Degraded {
            self.degraded[i] += 1;
        }
        if let Some(micros) = outcome.rtt_micros
            && i == self.len() - 1
        {
            self.open.add(micros);
            self.p50[i] = self.open.quantile(0.5);
            self.p95[i] = self.open.quantile(0.95);
        }
    }
}

/// What a round says about one check, as the buckets count it.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    status: Status,
    maintenance: bool,
    /// The median response time, when the check answered (not down).
    rtt_micros: Option<u32>,
}

impl Outcome {
    fn of(result: &CheckResult) -> Outcome {
        let answered = result.status != Status::Down && !result.times.is_empty();
        Outcome {
            status: result.status,
            maintenance: result.maintenance,
            rtt_micros: answered
                .then(|| (result.stats().median / 1_000).clamp(0, u32::MAX as i64) as u32),
        }
    }
}

/// Everything one node's view holds about one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckHistory {
    pub title: String,
    /// The newest result: current state, notice and message.
    pub latest: CheckResult,
    /// One series per entry of [`RESOLUTIONS`], in that order.
    pub series: Vec<Series>,
    /// When the current state began (the first result with the latest's
    /// status and maintenance flag), Unix ns; 0 in views from before it
    /// was kept, until the next round.
    #[serde(default)]
    pub since: i64,
    /// The latest message's text and links when it holds HTML (checkup
    /// documented HTML in messages): set by the checker when it writes the
    /// view, so the page only builds elements from it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_doc: Vec<Node>,
    /// The month so far, for its report (see
    /// [`crate::contract::month_tally`]); a checker's only, not the page's.
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "MonthTally::is_empty")]
    pub month: MonthTally,
}

/// One node's derived view, stored as `views/<node>-history.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeView {
    pub version: u32,
    pub node: String,
    /// The newest round's start, Unix ns; 0 before the first round.
    pub updated: i64,
    /// The node's round interval, seconds (0 = unknown): the page calls a
    /// view stale when it is three intervals old.
    #[serde(default)]
    pub interval_secs: i64,
    /// Checks in the order of the newest round (the config order). A check no
    /// longer in the config drops out with the next round.
    pub checks: Vec<CheckHistory>,
    /// Incident updates this node's operators wrote, oldest first.
    #[serde(default)]
    pub incidents: Vec<IncidentUpdate>,
    /// Another checker writes under this node's name: the view holds only
    /// the writer's own rounds, and the two writers' views replace each
    /// other, so the page says this location's figures cannot be trusted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub second_writer: bool,
    /// Maintenance this node's config announces (see
    /// [`crate::contract::announced`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<crate::contract::announced::Announced>,
    /// When this history was started from nothing or rebuilt, Unix ns (0:
    /// unknown). Part of [`NodeView::tag`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub built: i64,
    /// Changes whenever the view changes other than by adding rounds (a
    /// rebuild, incidents, announced maintenance): a page holding a view
    /// brings it up to date from `latest/<node>.json` only while the tags
    /// agree (see [`crate::contract::view_tail`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tag: String,
    /// A summary (see [`crate::contract::view_summary`]): everything but
    /// response times finer than a day, which only a chart needs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub summary: bool,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// Why a stored view cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error("not a history view: {0}")]
    Json(#[from] serde_json::Error),
    #[error("history view version {0} is newer than this page understands ({VIEW_VERSION})")]
    Version(u32),
    #[error("history view of check {0:?} is inconsistent")]
    Inconsistent(String),
}

impl NodeView {
    pub fn new(node: &str) -> NodeView {
        NodeView {
            version: VIEW_VERSION,
            node: node.to_string(),
            updated: 0,
            interval_secs: 0,
            checks: Vec::new(),
            incidents: Vec::new(),
            second_writer: false,
            maintenance: Vec::new(),
            built: 0,
            tag: String::new(),
            summary: false,
        }
    }

    /// Reads a stored view, refusing one that is damaged or from the future.
    pub fn parse(text: &str) -> Result<NodeView, ViewError> {
        let view: NodeView = serde_json::from_str(text)?;
        view.check()?;
        Ok(view)
    }

    /// Refuses a view that is damaged or from the future: columns of unequal
    /// length or unexpected bucket sizes would be misdrawn.
    pub fn check(&self) -> Result<(), ViewError> {
        if self.version > VIEW_VERSION {
            return Err(ViewError::Version(self.version));
        }
        for check in &self.checks {
            let fits = check.series.len() == RESOLUTIONS.len()
                && check
                    .series
                    .iter()
                    .zip(RESOLUTIONS)
                    .all(|(s, r)| s.is_consistent(r));
            if !fits {
                return Err(ViewError::Inconsistent(check.title.clone()));
            }
        }
        Ok(())
    }

    /// Folds in one round of this node: `started` is the round's start (Unix
    /// ns, the file name's timestamp). Rounds must come oldest first.
    /// A round of a new month starts the checks' month tallies afresh:
    /// take the month's report first ([`NodeView::month_ended_by`]).
    pub fn add_round(&mut self, started: i64, results: &[CheckResult]) {
        let mut previous: Vec<CheckHistory> = std::mem::take(&mut self.checks);
        #[cfg(not(target_arch = "wasm32"))]
        let tally = RoundTally::start(self, started, &mut previous);
        for result in results {
            if self.checks.iter().any(|c| c.title == result.title) {
                continue; // a round names each check once; ignore a duplicate
            }
            let mut history = match previous.iter().position(|c| c.title == result.title) {
                Some(at) => previous.swap_remove(at),
                None => CheckHistory {
                    title: result.title.clone(),
                    latest: result.clone(),
                    series: RESOLUTIONS.iter().map(|&r| Series::new(r)).collect(),
                    since: result.timestamp,
                    message_doc: Vec::new(),
                    #[cfg(not(target_arch = "wasm32"))]
                    month: MonthTally::default(),
                },
            };
            let outcome = Outcome::of(result);
            let secs = result.timestamp.div_euclid(1_000_000_000);
            #[cfg(not(target_arch = "wasm32"))]
            tally.count(&mut history, result, outcome.rtt_micros);
            for (series, resolution) in history.series.iter_mut().zip(RESOLUTIONS) {
                series.add(secs, outcome, resolution.buckets);
            }
            if result.timestamp >= history.latest.timestamp {
                let changed = result.status != history.latest.status
                    || result.maintenance != history.latest.maintenance;
                if changed || history.since == 0 {
                    history.since = result.timestamp;
                }
                history.latest = result.clone();
            }
            self.checks.push(history);
        }
        self.updated = self.updated.max(started);
    }
}

/// Where views live, under the storage prefix. With local storage the page
/// finds them through `views/index.json`, a JSON array of file names.
pub const VIEWS_DIR: &str = "views";

/// The storage key of a node's view, under the storage prefix.
pub fn view_key(node: &str) -> String {
    format!("views/{node}-history.json")
}

/// The node a view key belongs to, if `key` (under the prefix) is one.
pub fn node_of_view_key(key: &str) -> Option<&str> {
    let node = key.strip_prefix("views/")?.strip_suffix("-history.json")?;
    crate::contract::file_name::validate_node(node).ok()?;
    Some(node)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::contract::result::Attempt;

    const MIN: i64 = 60_000_000_000;

    /// A result of `title` at `ts` that answered in `rtt_ms`.
    pub(crate) fn result(
        title: &str,
        ts: i64,
        status: Status,
        rtt_ms: i64,
        maintenance: bool,
    ) -> CheckResult {
        CheckResult {
            title: title.into(),
            endpoint: format!("https://{title}"),
            timestamp: ts,
            times: vec![Attempt {
                rtt: rtt_ms * 1_000_000,
                error: String::new(),
            }],
            threshold: 0,
            status,
            notice: String::new(),
            message: String::new(),
            node: Some("n1".into()),
            kind: Some("http".into()),
            maintenance,
        }
    }

    fn day_start() -> i64 {
        1_700_006_400 * 1_000_000_000 // a UTC midnight
    }

    #[test]
    fn histogram_quantiles_are_close_to_the_truth() {
        let mut h = Histogram::default();
        for ms in 1..=100u32 {
            h.add(ms * 1_000);
        }
        let p50 = h.quantile(0.5) as f64;
        let p95 = h.quantile(0.95) as f64;
        assert!((p50 - 50_000.0).abs() / 50_000.0 < 0.03, "p50 {p50}");
        assert!((p95 - 95_000.0).abs() / 95_000.0 < 0.03, "p95 {p95}");
        assert_eq!(Histogram::default().quantile(0.5), 0);
        let mut zero = Histogram::default();
        zero.add(0);
        assert_eq!(zero.quantile(0.5), 1);
        let mut huge = Histogram::default();
        huge.add(u32::MAX);
        assert!(huge.quantile(1.0) > 4_000_000_000);
    }

    #[test]
    fn rounds_fill_buckets_and_maintenance_is_not_downtime() {
        let mut view = NodeView::new("n1");
        let t0 = day_start();
        view.add_round(t0, &[result("a", t0, Status::Healthy, 10, false)]);
        view.add_round(t0 + MIN, &[result("a", t0 + MIN, Status::Down, 0, false)]);
        view.add_round(
            t0 + 2 * MIN,
            &[result("a", t0 + 2 * MIN, Status::Down, 0, true)],
        );
        view.add_round(
            t0 + 3 * MIN,
            &[result("a", t0 + 3 * MIN, Status::Degraded, 30, false)],
        );
        let daily = &view.checks[0].series[DAILY];
        let day = daily.bucket(0);
        assert_eq!(day.start, t0 / 1_000_000_000);
        assert_eq!(
            (day.n, day.down, day.degraded, day.maintenance),
            (4, 1, 1, 1)
        );
        assert_eq!(day.counted(), 3);
        // p50 over the answered rounds (10 ms, 30 ms): the down ones carry no time.
        assert!((9_500..=10_500).contains(&day.p50), "{}", day.p50);
        assert!((29_000..=31_000).contains(&day.p95), "{}", day.p95);
        let minutes = &view.checks[0].series[0];
        assert_eq!(minutes.len(), 4, "one bucket per minute");
        assert_eq!(view.checks[0].latest.status, Status::Degraded);
        assert_eq!(view.updated, t0 + 3 * MIN);
    }

    #[test]
    fn gaps_become_empty_buckets_and_old_buckets_fall_off() {
        let mut view = NodeView::new("n1");
        let t0 = day_start();
        view.add_round(t0, &[result("a", t0, Status::Healthy, 10, false)]);
        let later = t0 + 10 * MIN;
        view.add_round(later, &[result("a", later, Status::Healthy, 10, false)]);
        let minutes = &view.checks[0].series[0];
        assert_eq!(minutes.n, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        // 200 days later: every resolution starts again with one bucket.
        let far = t0 + 200 * 1440 * MIN;
        view.add_round(far, &[result("a", far, Status::Healthy, 10, false)]);
        for series in &view.checks[0].series {
            assert_eq!(series.n, [1]);
        }
        // Daily buckets keep at most 91 days.
        let mut view = NodeView::new("n1");
        for day in 0..120 {
            let ts = t0 + day * 1440 * MIN;
            view.add_round(ts, &[result("a", ts, Status::Healthy, 10, false)]);
        }
        let daily = &view.checks[0].series[DAILY];
        assert_eq!(daily.len(), 91);
        assert_eq!(
            daily.bucket(90).start,
            (t0 + 119 * 1440 * MIN) / 1_000_000_000
        );
    }

    #[test]
    fn a_check_that_left_the_config_drops_out_and_order_follows_the_round() {
        let mut view = NodeView::new("n1");
        let t0 = day_start();
        view.add_round(
            t0,
            &[
                result("a", t0, Status::Healthy, 1, false),
                result("b", t0, Status::Healthy, 1, false),
            ],
        );
        let t1 = t0 + MIN;
        view.add_round(
            t1,
            &[
                result("c", t1, Status::Healthy, 1, false),
                result("a", t1, Status::Healthy, 1, false),
            ],
        );
        let titles: Vec<&str> = view.checks.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["c", "a"]);
        assert_eq!(view.checks[1].series[0].n, [1, 1]);
    }

    #[test]
    fn a_view_resumed_from_its_json_matches_one_never_stopped() {
        let t0 = day_start();
        let rounds: Vec<(i64, Vec<CheckResult>)> = (0..300)
            .map(|i| {
                let ts = t0 + i * 17_000_000_000;
                let status = if i % 7 == 0 {
                    Status::Down
                } else {
                    Status::Healthy
                };
                (ts, vec![result("a", ts, status, 5 + i % 40, i % 50 == 0)])
            })
            .collect();
        let mut whole = NodeView::new("n1");
        for (ts, r) in &rounds {
            whole.add_round(*ts, r);
        }
        let mut resumed = NodeView::new("n1");
        for (i, (ts, r)) in rounds.iter().enumerate() {
            if i % 37 == 0 {
                let json = serde_json::to_string(&resumed).unwrap();
                resumed = NodeView::parse(&json).unwrap();
            }
            resumed.add_round(*ts, r);
        }
        assert_eq!(whole, resumed);
    }

    #[test]
    fn damaged_or_future_views_are_refused() {
        let mut view = NodeView::new("n1");
        let t0 = day_start();
        view.add_round(t0, &[result("a", t0, Status::Healthy, 1, false)]);
        let mut v: serde_json::Value = serde_json::to_value(&view).unwrap();
        v["checks"][0]["series"][0]["down"] = serde_json::json!([1, 2]);
        let err = NodeView::parse(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains("\"a\""), "{err}");
        v["version"] = serde_json::json!(VIEW_VERSION + 1);
        assert!(matches!(
            NodeView::parse(&v.to_string()),
            Err(ViewError::Version(_))
        ));
        assert!(NodeView::parse("[1,2]").is_err());
    }

    #[test]
    fn a_version_one_view_reads_as_written_and_is_written_as_runs() {
        let t0 = day_start();
        let mut view = NodeView::new("n1");
        for i in 0..10 {
            let ts = t0 + i * MIN;
            view.add_round(ts, &[result("a", ts, Status::Healthy, 5 + i, false)]);
        }
        // Version 1 wrote every bucket as a number.
        let mut v1: serde_json::Value = serde_json::to_value(&view).unwrap();
        v1["version"] = serde_json::json!(1);
        let minutes = &view.checks[0].series[0];
        v1["checks"][0]["series"][0]["n"] = serde_json::json!(minutes.n);
        v1["checks"][0]["series"][0]["p50"] = serde_json::json!(minutes.p50);
        let read = NodeView::parse(&v1.to_string()).unwrap();
        assert_eq!(read.checks, view.checks);
        let written = serde_json::to_value(&view).unwrap();
        assert_eq!(written["version"], 2);
        assert_eq!(
            written["checks"][0]["series"][0]["n"],
            serde_json::json!([[1, 10]])
        );
    }

    #[test]
    fn view_keys_name_their_node() {
        assert_eq!(view_key("nyc-1"), "views/nyc-1-history.json");
        assert_eq!(node_of_view_key("views/nyc-1-history.json"), Some("nyc-1"));
        assert_eq!(node_of_view_key("views/../x-history.json"), None);
        assert_eq!(node_of_view_key("1-n-check.json"), None);
    }
}
