//! Delivery: each round's results, merged over the fresh locations by the
//! notifier's quorum, go through every notifier's state machine; the events
//! that come out are claimed in storage (`claims.rs`: one node sends
//! each event) and queued to one worker task per notifier, which sends them
//! in order with retries. The round loop only queues: a slow or dead channel
//! never delays checking. On shutdown, queued sends get a short, bounded
//! grace period.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use checkup_model::derive::merge::status_by_quorum;
use checkup_model::{CheckResult, Status};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::claims::{Claims, Decision};
use super::state::{Observation, StateFile};
use super::{Event, EventKind, Notifier, Retry, SeenFrom};
use crate::cluster::Seen;
use crate::storage::Storage;

/// Delivery attempts per event, and the pause before the second (doubling).
pub const ATTEMPTS: u32 = 3;
pub const FIRST_RETRY: Duration = Duration::from_secs(1);
/// The longest pause a service's `Retry-After` may ask for between two
/// attempts; a longer one counts as this (the event is not held longer).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

pub struct Notifications {
    notifiers: Vec<Arc<Notifier>>,
    state: StateFile,
    state_dir: PathBuf,
    node: String,
    queues: Vec<mpsc::UnboundedSender<Event>>,
    workers: Vec<JoinHandle<()>>,
    claims: Claims,
    /// Events decided on but not yet claimed (storage did not answer), in
    /// order, with the index of their notifier.
    pending: Vec<(usize, Event)>,
}

impl Notifications {
    /// Loads the saved state (dropping what is no longer configured) and
    /// starts one delivery worker per notifier.
    pub fn start(
        notifiers: &[Arc<Notifier>],
        check_names: &[&str],
        state_dir: &std::path::Path,
        node: &str,
        claims: Claims,
    ) -> Notifications {
        let mut state = if notifiers.is_empty() {
            StateFile::default()
        } else {
            StateFile::load(state_dir)
        };
        let wanted: Vec<(&str, Vec<&str>)> = notifiers
            .iter()
            .map(|n| {
                let covered = check_names
                    .iter()
                    .copied()
                    .filter(|c| n.covers(c))
                    .collect();
                (n.name.as_str(), covered)
            })
            .collect();
        state.retain(&wanted);
        let open: usize = state
            .notifiers
            .values()
            .flat_map(|t| t.values())
            .filter(|t| t.open.is_some())
            .count();
        if open > 0 {
            tracing::info!(open, "open alerts carried over from the last run");
        }
        let mut queues = Vec::new();
        let mut workers = Vec::new();
        for notifier in notifiers {
            let (tx, rx) = mpsc::unbounded_channel();
            queues.push(tx);
            workers.push(tokio::spawn(worker(Arc::clone(notifier), rx)));
        }
        Notifications {
            notifiers: notifiers.to_vec(),
            state,
            state_dir: state_dir.to_path_buf(),
            node: node.to_string(),
            queues,
            workers,
            claims,
            pending: Vec::new(),
        }
    }

    /// Feeds one round to every notifier, each check's state merged over
    /// the fresh locations in `seen` by the notifier's quorum; keeps what
    /// must be sent for [`Notifications::send_claimed`] and saves the state
    /// if it changed.
    pub fn observe(&mut self, results: &[CheckResult], seen: &Seen) {
        if self.notifiers.is_empty() {
            return;
        }
        let before = self.state.clone();
        for (at, notifier) in self.notifiers.iter().enumerate() {
            let tracks = self
                .state
                .notifiers
                .entry(notifier.name.clone())
                .or_default();
            for result in results.iter().filter(|r| notifier.covers(&r.title)) {
                let status = seen
                    .locations
                    .get(&result.title)
                    .map_or(result.status, |l| {
                        status_by_quorum(l, notifier.policy.quorum)
                    });
                let track = tracks.entry(result.title.clone()).or_default();
                let since = track.bad_since.or(track.open.as_ref().map(|o| o.since));
                let obs = Observation::of(status, result.maintenance);
                let Some(kind) = track.step(obs, result.timestamp, &notifier.policy) else {
                    continue;
                };
                let since = match kind {
                    // The alert closed: its start is gone from the track now.
                    EventKind::Resolved => since,
                    _ => track.open.as_ref().map(|o| o.since),
                };
                let deciding: Vec<SeenFrom> = seen
                    .fresh_of(&result.title)
                    .into_iter()
                    .map(|l| SeenFrom {
                        node: l.node.clone(),
                        status: l.status,
                        notice: l.notice.clone(),
                    })
                    .collect();
                // The reason: this node's own, else the first location's that saw it.
                let notice = if result.status != Status::Healthy || status == Status::Healthy {
                    result.notice.clone()
                } else {
                    deciding
                        .iter()
                        .find(|l| l.status != Status::Healthy)
                        .map(|l| format!("{} (at {})", l.notice, l.node))
                        .unwrap_or_default()
                };
                self.pending.push((
                    at,
                    Event {
                        kind,
                        check: result.title.clone(),
                        endpoint: result.endpoint.clone(),
                        status,
                        notice,
                        node: self.node.clone(),
                        timestamp: result.timestamp,
                        since,
                        locations: deciding,
                        quorum: notifier.policy.quorum.describe(),
                    },
                ));
            }
        }
        if self.state != before
            && let Err(e) = self.state.save(&self.state_dir)
        {
            tracing::error!(error = %e, "cannot save the notification state; a restart may repeat or miss an alert");
        }
    }

    /// Claims each pending event in storage, in order, and queues the ones
    /// this node won. While storage does not answer, events wait (in order)
    /// for the next round: late, but neither lost nor sent twice.
    pub async fn send_claimed(&mut self, storage: &dyn Storage, seen: &Seen) {
        let pending = std::mem::take(&mut self.pending);
        let mut left = pending.into_iter();
        for (at, event) in left.by_ref() {
            let notifier = &self.notifiers[at];
            let reminder_every = notifier
                .policy
                .reminder_interval
                .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
            let fresh = seen.fresh_of(&event.check);
            match self
                .claims
                .decide(storage, &notifier.name, &event, &fresh, reminder_every)
                .await
            {
                Ok(Decision::Send) => {
                    tracing::info!(check = %event.check, notifier = %notifier.name, event = event.kind.as_str(), "notifying");
                    let _ = self.queues[at].send(event);
                }
                Ok(Decision::SentBy(node)) if node.is_empty() => {
                    tracing::info!(check = %event.check, notifier = %notifier.name, event = event.kind.as_str(), "no alert of this check is open in storage; not sending");
                }
                Ok(Decision::SentBy(node)) => {
                    tracing::info!(check = %event.check, notifier = %notifier.name, event = event.kind.as_str(), sent_by = %node, "already sent by another node");
                }
                Err(e) => {
                    tracing::warn!(check = %event.check, notifier = %notifier.name, event = event.kind.as_str(), error = %e, "cannot claim the notification in storage; trying again next round");
                    self.pending.push((at, event));
                    break;
                }
            }
        }
        self.pending.extend(left);
    }

    /// Lets queued sends finish for at most `grace`, then abandons the rest.
    pub async fn shutdown(self, grace: Duration) {
        drop(self.queues);
        let mut workers = self.workers;
        let all = futures::future::join_all(workers.iter_mut());
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(
                grace = %humantime::format_duration(grace),
                "notifications still being sent at shutdown were abandoned"
            );
            for w in &workers {
                w.abort();
            }
        }
    }
}

/// Sends one notifier's events in order, each with retries.
async fn worker(notifier: Arc<Notifier>, mut queue: mpsc::UnboundedReceiver<Event>) {
    while let Some(event) = queue.recv().await {
        // Failures are logged by `deliver`; the next event is tried regardless.
        let _ = deliver(&notifier, &event).await;
    }
}

/// Up to [`ATTEMPTS`] tries, waiting 1 s, then 2 s, between them, or as long
/// as the service asks with `Retry-After` (at most [`MAX_RETRY_AFTER`]); an
/// answer that retrying cannot change (a 4xx) ends it at once. Returns the
/// last error if no attempt succeeded.
pub async fn deliver(notifier: &Notifier, event: &Event) -> Result<(), String> {
    let mut wait = FIRST_RETRY;
    for attempt in 1..=ATTEMPTS {
        match notifier.send_once(event).await {
            Ok(()) => {
                tracing::info!(check = %event.check, notifier = %notifier.name, event = event.kind.as_str(), attempt, "notification sent");
                if let Some(metrics) = crate::metrics::get() {
                    metrics.notification(&notifier.name, true);
                }
                return Ok(());
            }
            Err(e) if attempt < ATTEMPTS && e.retry != Retry::Never => {
                let pause = match e.retry {
                    Retry::After(asked) => asked.min(MAX_RETRY_AFTER).max(wait),
                    _ => wait,
                };
                tracing::warn!(check = %event.check, notifier = %notifier.name, event = event.kind.as_str(), attempt, error = %e, retry_in = ?pause, "notification failed; will retry");
                tokio::time::sleep(pause).await;
                wait *= 2;
            }
            Err(e) => {
                tracing::error!(check = %event.check, notifier = %notifier.name, event = event.kind.as_str(), attempts = attempt, error = %e, "notification failed; giving up");
                if let Some(metrics) = crate::metrics::get() {
                    metrics.notification(&notifier.name, false);
                }
                return Err(e.message);
            }
        }
    }
    unreachable!("the last attempt returns")
}
