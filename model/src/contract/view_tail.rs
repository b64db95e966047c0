//! A view's tail: its newest buckets, carried in `latest/<node>.json`, so a
//! page holding a node's view brings it up to date from a few kilobytes
//! instead of downloading the whole view again on every refresh. Folding a
//! tail gives exactly the view a fresh download would, or is refused (and
//! the page downloads the view): nothing is shown twice or lost.

use crate::contract::node_view::{CheckHistory, Histogram, NodeView, RESOLUTIONS, Series};

/// How far back a tail reaches: every bucket that ended within this many
/// seconds before the round, plus the one still filling. A page that
/// refreshes at least this often folds every tail; one that waited longer
/// (a sleeping laptop, a throttled background tab) downloads the view.
pub const TAIL_SECS: i64 = 180;

impl NodeView {
    /// This view's tail as of its newest round: the newest buckets of every
    /// series, the latest results, and what tells whether a held view still
    /// matches (`tag`, `built`). No incidents, maintenance or percentile
    /// histograms: the tag changes when the first two do, and the page
    /// never needs the third.
    pub fn tail(&self) -> NodeView {
        let from_secs = self.updated.div_euclid(1_000_000_000) - TAIL_SECS;
        NodeView {
            checks: self
                .checks
                .iter()
                .map(|check| CheckHistory {
                    title: check.title.clone(),
                    latest: check.latest.clone(),
                    series: check.series.iter().map(|s| s.tail(from_secs)).collect(),
                    since: check.since,
                    message_doc: check.message_doc.clone(),
                    #[cfg(not(target_arch = "wasm32"))]
                    month: Default::default(),
                })
                .collect(),
            ..self.clone_without_checks()
        }
    }

    /// The view's own fields, with none of its checks, incidents or
    /// maintenance (which can be large) copied.
    fn clone_without_checks(&self) -> NodeView {
        NodeView {
            version: self.version,
            node: self.node.clone(),
            updated: self.updated,
            interval_secs: self.interval_secs,
            checks: Vec::new(),
            incidents: Vec::new(),
            second_writer: self.second_writer,
            maintenance: Vec::new(),
            built: self.built,
            tag: self.tag.clone(),
            summary: self.summary,
        }
    }

    /// Brings this view up to `tail` (the same node's, from its latest
    /// object). Returns false, leaving the view untouched, when the result
    /// would differ from a fresh download of the view: the view was rebuilt
    /// or its incidents or maintenance changed (tags differ), the checks
    /// changed, buckets were missed (the tail begins after the view's
    /// newest bucket), or the tail is damaged. An older tail changes nothing.
    pub fn absorb_tail(&mut self, tail: &NodeView) -> bool {
        let matches = tail.node == self.node
            && tail.tag == self.tag
            && tail.built == self.built
            && tail.check().is_ok()
            && tail.checks.len() == self.checks.len();
        if !matches {
            return false;
        }
        if tail.updated <= self.updated {
            return true;
        }
        let fits = self.checks.iter().zip(&tail.checks).all(|(held, new)| {
            held.title == new.title
                && held
                    .series
                    .iter()
                    .zip(&new.series)
                    .all(|(h, t)| h.can_absorb(t))
        });
        if !fits {
            return false;
        }
        for (held, new) in self.checks.iter_mut().zip(&tail.checks) {
            held.latest = new.latest.clone();
            held.since = new.since;
            held.message_doc = new.message_doc.clone();
            for ((series, newer), resolution) in
                held.series.iter_mut().zip(&new.series).zip(RESOLUTIONS)
            {
                series.absorb(newer, resolution.buckets);
            }
        }
        self.updated = tail.updated;
        self.interval_secs = tail.interval_secs;
        self.second_writer = tail.second_writer;
        true
    }
}

impl Series {
    /// The buckets that end after `from_secs`, without the histogram.
    fn tail(&self, from_secs: i64) -> Series {
        let from_index = from_secs.div_euclid(self.step.max(1));
        let skip = from_index
            .saturating_sub(self.first)
            .clamp(0, self.len() as i64) as usize;
        let [n, down, degraded, maintenance, p50, p95] = self.columns().map(|c| c[skip..].to_vec());
        Series {
            step: self.step,
            first: self.first + skip as i64,
            n,
            down,
            degraded,
            maintenance,
            p50,
            p95,
            open: Histogram::default(),
        }
    }

    /// Whether `tail` covers this series' newest bucket (which may have
    /// been filling when the view was read) and everything after it.
    fn can_absorb(&self, tail: &Series) -> bool {
        let (Some(last), Some(tail_last)) = (self.last_index(), tail.last_index()) else {
            return self.is_empty() && tail.is_empty();
        };
        tail.step == self.step
            && self.first <= tail.first
            && tail.first <= last
            && last <= tail_last
    }

    /// Replaces this series' buckets from the tail's first on by the tail's,
    /// keeping at most `keep`. See [`Series::can_absorb`].
    fn absorb(&mut self, tail: &Series, keep: usize) {
        let kept = (tail.first - self.first) as usize;
        for (column, newer) in self.columns_mut().into_iter().zip(tail.columns()) {
            column.truncate(kept);
            column.extend_from_slice(newer);
        }
        if self.len() > keep {
            self.drop_oldest(self.len() - keep);
        }
        self.open = Histogram::default();
    }

    fn last_index(&self) -> Option<i64> {
        (!self.is_empty()).then(|| self.first.saturating_add(self.len() as i64 - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::result::{Attempt, CheckResult};
    use crate::contract::status::Status;

    const SEC: i64 = 1_000_000_000;

    fn result(title: &str, ts: i64, status: Status, rtt_ms: i64) -> CheckResult {
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
            maintenance: false,
        }
    }

    /// Rounds every `every` seconds from `from` (Unix s), the "Api" check
    /// down in rounds 50 to 60.
    fn round(i: i64, from: i64, every: i64) -> (i64, Vec<CheckResult>) {
        let ts = (from + i * every) * SEC;
        let api = if (50..60).contains(&i) {
            Status::Down
        } else {
            Status::Healthy
        };
        (
            ts,
            vec![
                result("Web", ts, Status::Healthy, 10 + i % 7),
                result("Api", ts, api, 20 + i % 5),
            ],
        )
    }

    fn without_histograms(mut view: NodeView) -> NodeView {
        for check in &mut view.checks {
            for series in &mut check.series {
                series.open = Histogram::default();
            }
            #[cfg(not(target_arch = "wasm32"))]
            {
                check.month = Default::default();
            }
        }
        view
    }

    /// Starts 20 minutes before a UTC midnight, so rounds cross hours and a day.
    const FROM: i64 = 1_700_006_400 - 1_200;

    #[test]
    fn folding_every_tail_gives_the_view_a_fresh_download_would() {
        for (every, refresh_every) in [(60, 1), (30, 2), (20, 8), (45, 3)] {
            let mut fresh = NodeView::new("n1");
            fresh.tag = "t1".into();
            for i in 0..10 {
                let (ts, results) = round(i, FROM, every);
                fresh.add_round(ts, &results);
            }
            let mut held = fresh.clone();
            for i in 10..120 {
                let (ts, results) = round(i, FROM, every);
                fresh.add_round(ts, &results);
                if i % refresh_every == 0 {
                    let tail: NodeView =
                        serde_json::from_str(&serde_json::to_string(&fresh.tail()).unwrap())
                            .unwrap();
                    assert!(held.absorb_tail(&tail), "round {i} every {every} s");
                    assert_eq!(
                        without_histograms(held.clone()),
                        without_histograms(fresh.clone()),
                        "round {i} every {every} s"
                    );
                }
            }
        }
    }

    #[test]
    fn a_tail_after_missed_buckets_is_refused_and_changes_nothing() {
        let mut fresh = NodeView::new("n1");
        for i in 0..10 {
            let (ts, results) = round(i, FROM, 60);
            fresh.add_round(ts, &results);
        }
        let held = fresh.clone();
        for i in 10..15 {
            let (ts, results) = round(i, FROM, 60);
            fresh.add_round(ts, &results);
        }
        let mut tried = held.clone();
        assert!(!tried.absorb_tail(&fresh.tail()), "five minutes missed");
        assert_eq!(tried, held);
    }

    #[test]
    fn tails_that_no_longer_match_the_view_are_refused() {
        let mut fresh = NodeView::new("n1");
        fresh.tag = "t1".into();
        for i in 0..10 {
            let (ts, results) = round(i, FROM, 60);
            fresh.add_round(ts, &results);
        }
        let held = fresh.clone();
        let (ts, results) = round(10, FROM, 60);
        fresh.add_round(ts, &results);

        let refused = |change: &dyn Fn(&mut NodeView)| {
            let mut tail = fresh.tail();
            change(&mut tail);
            let mut tried = held.clone();
            assert!(!tried.absorb_tail(&tail));
            assert_eq!(tried, held);
        };
        refused(&|t| t.tag = "t2".into());
        refused(&|t| t.built = 5);
        refused(&|t| t.node = "n2".into());
        refused(&|t| t.checks[0].title = "Other".into());
        refused(&|t| {
            t.checks.pop();
        });
        refused(&|t| t.checks[1].series[0].down.push(1));
        refused(&|t| t.checks[1].series[2].step = 60);
        refused(&|t| t.version = 99);
        refused(&|t| t.checks[0].series[0].first = i64::MAX);

        let mut older = held.clone();
        let mut stale = held.tail();
        stale.updated -= SEC;
        assert!(older.absorb_tail(&stale), "an older tail is no news");
        assert_eq!(older, held);
    }

    #[test]
    fn a_tail_is_small() {
        let mut view = NodeView::new("n1");
        for i in 0..2_000 {
            let (ts, results) = round(i, FROM, 60);
            view.add_round(ts, &results);
        }
        let tail = view.tail();
        let lengths: Vec<usize> = tail.checks[0].series.iter().map(Series::len).collect();
        assert_eq!(lengths, [4, 1, 1, 1, 1], "{lengths:?}");
    }
}
