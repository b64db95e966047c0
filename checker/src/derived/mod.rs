//! Derived files: this node's history view (`views/<node>-history.json`), its
//! summary for the page's first paint (`views/<node>-summary.json`) and its
//! SVG badges, kept up to date after every round, and every few rounds
//! the merged badges over all nodes' views. All are caches of the raw round
//! files: `checker rebuild` regenerates them, and nothing breaks if they are
//! lost. Keys carrying a node's name are written only by that node; merged
//! badges by any, with the same content for the same views.

pub mod badges;
pub mod reports;

use std::collections::HashMap;
use std::time::Duration;

use checkup_model::contract::announced::Announced;
use checkup_model::contract::node_view::{VIEWS_DIR, node_of_view_key, view_key};
use checkup_model::contract::report::MonthReport;
use checkup_model::contract::view_summary::summary_key;
use checkup_model::{CheckResult, IncidentUpdate, NodeView, ResultFileName, parse_round};
use futures::StreamExt;

use crate::storage::{Storage, StorageError};

/// How many round files rebuilding (or catching up) reads at once.
const PARALLEL_READS: usize = 16;
/// Merged badges are recomputed every this many rounds: each time costs a
/// LIST of `views/` and a GET of every other node's view.
pub const MERGED_BADGES_EVERY: u32 = 5;

/// The view being kept, and what was last written of each badge, so an
/// unchanged badge is not written again every round.
pub struct Derived {
    pub view: NodeView,
    written_badges: HashMap<String, Vec<u8>>,
    /// Rounds published since the merged badges were last computed.
    rounds_since_merged: u32,
    /// Reports of months that ended, not yet written.
    pending_reports: Vec<MonthReport>,
}

impl Derived {
    /// Starts from the stored view, adding own rounds stored after it was last
    /// written (a crash between the two writes). Without a usable view it
    /// starts empty and says how to get history back.
    pub async fn resume(storage: &dyn Storage, node: &str, interval: Duration) -> Derived {
        let mut view = match storage.get(&view_key(node)).await {
            Ok(Some(bytes)) => match NodeView::parse(&String::from_utf8_lossy(&bytes)) {
                Ok(view) if view.node == node => view,
                Ok(_) | Err(_) => {
                    tracing::warn!(
                        "the stored history view is unreadable; starting a new one (`checker rebuild` restores history)"
                    );
                    NodeView::new(node)
                }
            },
            Ok(None) => NodeView::new(node),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the stored history view; starting a new one (`checker rebuild` restores history)");
                NodeView::new(node)
            }
        };
        if view.updated == 0 {
            // A history started from nothing: pages holding an older one
            // must download it again rather than fold rounds into theirs.
            view.built = crate::checks::now_nanos();
        }
        view.interval_secs = interval.as_secs() as i64;
        let mut pending_reports = Vec::new();
        if view.updated > 0 {
            match own_rounds(storage, node, view.updated).await {
                Ok(missing) if !missing.is_empty() => {
                    tracing::info!(
                        rounds = missing.len(),
                        "adding rounds stored after the view was last written"
                    );
                    let folded = fold_rounds(storage, &mut view, &missing, |_| {}).await;
                    pending_reports = folded.reports;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot list rounds to catch the view up"),
            }
        }
        Derived {
            view,
            written_badges: HashMap::new(),
            rounds_since_merged: MERGED_BADGES_EVERY,
            pending_reports,
        }
    }

    /// Wraps a view built elsewhere (by `checker rebuild`).
    pub fn from_view(view: NodeView) -> Derived {
        Derived {
            view,
            written_badges: HashMap::new(),
            rounds_since_merged: MERGED_BADGES_EVERY,
            pending_reports: Vec::new(),
        }
    }

    /// Adds a round; the first of a month makes the month before's report,
    /// which [`Derived::publish`] writes.
    pub fn add_round(&mut self, started: i64, results: &[CheckResult]) {
        self.pending_reports
            .extend(month_report_due(&self.view, started));
        self.view.add_round(started, results);
    }

    /// Reads the latest messages' HTML ([`crate::messages::html`]),
    /// sets what the view carries besides rounds, and the tag that tells
    /// pages whether a view they hold still matches (see
    /// [`checkup_model::contract::view_tail`]).
    pub fn set_extras(&mut self, incidents: Vec<IncidentUpdate>, maintenance: Vec<Announced>) {
        crate::messages::html::read_messages(&mut self.view);
        self.view.incidents = incidents;
        self.view.maintenance = maintenance;
        self.view.tag = tag_of(&self.view);
    }

    /// Writes the report of a month that ended, if one is due, then the
    /// view, its summary, and any badge that changed.
    /// Every [`MERGED_BADGES_EVERY`] rounds it also reads the other nodes'
    /// views for the merged badges, and returns all views (this one's
    /// included) for the other files derived from every node.
    /// Failures are returned for logging; the next round writes again.
    pub async fn publish(
        &mut self,
        storage: &dyn Storage,
    ) -> Result<Option<Vec<NodeView>>, StorageError> {
        // A report that cannot be written waits for the next round, without
        // holding up the view.
        while let Some(report) = self.pending_reports.first() {
            if let Err(e) = reports::write_new(storage, report).await {
                tracing::warn!(month = %report.month, error = %e, "cannot write the monthly report; the next round tries again");
                break;
            }
            self.pending_reports.remove(0);
        }
        let bytes = encode_view(&self.view)?;
        storage
            .put(&view_key(&self.view.node), bytes, "application/json")
            .await?;
        let summary = encode_view(&self.view.summary())?;
        storage
            .put(&summary_key(&self.view.node), summary, "application/json")
            .await?;
        let mut badges = badges::for_view(&self.view);
        self.rounds_since_merged += 1;
        let mut all_views = None;
        if self.rounds_since_merged >= MERGED_BADGES_EVERY {
            self.rounds_since_merged = 0;
            let mut views = other_views(storage, &self.view.node).await?;
            views.push(self.view.clone());
            let now = crate::checks::now_nanos().div_euclid(1_000_000_000);
            badges.extend(badges::merged(&views, now));
            all_views = Some(views);
        }
        for (key, svg) in badges {
            if self.written_badges.get(&key) == Some(&svg) {
                continue;
            }
            storage.put(&key, svg.clone(), "image/svg+xml").await?;
            self.written_badges.insert(key, svg);
        }
        Ok(all_views)
    }
}

/// Every other node's stored history view; unreadable ones are skipped.
async fn other_views(storage: &dyn Storage, node: &str) -> Result<Vec<NodeView>, StorageError> {
    let names = storage.list(&format!("{VIEWS_DIR}/"), "").await?;
    let keys: Vec<String> = names
        .iter()
        .map(|n| format!("{VIEWS_DIR}/{n}"))
        .filter(|k| node_of_view_key(k).is_some_and(|n| n != node))
        .collect();
    let reads = futures::future::join_all(keys.iter().map(|k| storage.get(k))).await;
    let mut views = Vec::new();
    for (key, read) in keys.iter().zip(reads) {
        match read {
            Ok(Some(bytes)) => match NodeView::parse(&String::from_utf8_lossy(&bytes)) {
                Ok(view) => views.push(view),
                Err(e) => {
                    tracing::warn!(key = %key, error = %e, "skipping an unreadable history view for the merged badges")
                }
            },
            Ok(None) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(views)
}

/// A digest of what a view holds besides rounds (FNV-1a, hex): when it was
/// built, its incidents and its announced maintenance.
fn tag_of(view: &NodeView) -> String {
    let extras = serde_json::to_vec(&(view.built, &view.incidents, &view.maintenance))
        .expect("incidents and maintenance serialize");
    let hash = extras
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("{hash:016x}")
}

pub fn encode_view(view: &NodeView) -> Result<Vec<u8>, StorageError> {
    let mut bytes = serde_json::to_vec(view)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// This node's round files started after `after` (Unix ns), oldest first.
pub async fn own_rounds(
    storage: &dyn Storage,
    node: &str,
    after: i64,
) -> Result<Vec<ResultFileName>, StorageError> {
    // Names start with a 19-digit timestamp: list only from `after` on, so
    // catching up after a restart does not page through months of history.
    // (Every name sorts after nineteen zeros, so `i64::MIN` lists them all.)
    let from = format!("{:019}", after.max(0));
    let mut rounds: Vec<ResultFileName> = storage
        .list("", &from)
        .await?
        .iter()
        .filter_map(|name| ResultFileName::parse(name).ok())
        .filter(|r| r.node.as_deref() == Some(node) && r.timestamp > after)
        .collect();
    rounds.sort();
    Ok(rounds)
}

/// The report of the month a round started at `started` ends, if it ends one.
pub fn month_report_due(view: &NodeView, started: i64) -> Option<MonthReport> {
    view.month_ended_by(started)
        .map(|month| view.month_report(month))
}

/// What folding round files into a view gave.
pub struct Folded {
    /// Files that could not be read, skipped.
    pub skipped: usize,
    /// The reports of the months that ended on the way, oldest first.
    pub reports: Vec<MonthReport>,
}

/// Reads `rounds` (a few at a time, folded strictly in order) into `view`,
/// calling `progress` with the number done. Unreadable files are skipped and
/// counted.
pub async fn fold_rounds(
    storage: &dyn Storage,
    view: &mut NodeView,
    rounds: &[ResultFileName],
    mut progress: impl FnMut(usize),
) -> Folded {
    let mut skipped = 0;
    let mut reports = Vec::new();
    let mut reads = futures::stream::iter(rounds.iter().map(|name| async move {
        let key = name.to_string();
        let outcome = match storage.get(&key).await {
            Ok(Some(bytes)) => {
                parse_round(&String::from_utf8_lossy(&bytes)).map_err(|e| e.to_string())
            }
            Ok(None) => Err("gone".to_string()),
            Err(e) => Err(e.to_string()),
        };
        (name, outcome)
    }))
    .buffered(PARALLEL_READS);
    let mut done = 0;
    while let Some((name, outcome)) = reads.next().await {
        match outcome {
            Ok(results) => {
                reports.extend(month_report_due(view, name.timestamp));
                view.add_round(name.timestamp, &results);
            }
            Err(why) => {
                tracing::warn!(file = %name, error = %why, "skipping an unreadable round file");
                skipped += 1;
            }
        }
        done += 1;
        progress(done);
    }
    Folded { skipped, reports }
}
