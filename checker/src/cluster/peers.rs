//! Every node's newest round, exchanged through storage: one LIST of
//! `latest/` and one GET per node (this node's own included, which is how a
//! second checker under the same node name is caught), then one PUT.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use checkup_model::contract::latest::{
    LATEST_DIR, LatestCheck, NodeLatest, latest_key, node_of_latest_name,
};
use checkup_model::derive::merge::{Location, is_fresh};
use checkup_model::{CheckResult, NodeView};

use crate::storage::Storage;

/// A node is stale after this many of its own intervals without a round
/// (the page's rule, model::derive::merge).
const STALE_INTERVALS: i64 = 3;

/// A second writer is reported for this many intervals after it was last
/// caught: two checkers whose rounds interleave each see the other only in
/// some rounds, and the warning must not flicker.
const SECOND_WRITER_HOLD_INTERVALS: i64 = 10;

/// This node's side of the exchange.
pub struct Peers {
    node: String,
    /// Random per process: tells this checker from another under its name.
    instance: String,
    interval_secs: i64,
    /// When this process started, Unix ns: a latest object under our name
    /// from another instance, newer than this, is a second writer.
    started: i64,
    /// The other instance last caught writing under this name, and when.
    last_second_writer: Mutex<Option<(String, i64)>>,
}

/// What the exchange learnt.
#[derive(Debug, Default)]
pub struct Seen {
    /// Per check title: every location that reported it, this node first
    /// among equals (sorted by node), with `fresh` set by the merge rule.
    pub locations: BTreeMap<String, Vec<Location>>,
    /// Another checker writes under this node's name (its instance id).
    pub second_writer: Option<String>,
    /// Why the others' state could not be listed; then only this node's
    /// own round counts.
    pub alone_because: Option<String>,
}

impl Peers {
    pub fn new(node: &str, interval: Duration, started: i64) -> Peers {
        Peers {
            node: node.to_string(),
            instance: instance_id(started),
            interval_secs: interval.as_secs().max(1) as i64,
            started,
            last_second_writer: Mutex::new(None),
        }
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Reads the others' newest rounds, checks for a second writer, then
    /// publishes this round (`started`, Unix ns). `now` decides freshness.
    pub async fn exchange(
        &self,
        storage: &dyn Storage,
        started: i64,
        results: &[CheckResult],
        tail: Option<NodeView>,
        now: i64,
    ) -> Seen {
        let mut seen = Seen::default();
        let mut latest: Vec<NodeLatest> = Vec::new();
        match storage.list(&format!("{LATEST_DIR}/"), "").await {
            Ok(names) => {
                let reads = names
                    .iter()
                    .filter_map(|n| node_of_latest_name(n))
                    .map(|node| async move { (node, storage.get(&latest_key(node)).await) });
                for (node, read) in futures::future::join_all(reads).await {
                    match read {
                        Ok(Some(bytes)) => {
                            match NodeLatest::parse(&String::from_utf8_lossy(&bytes)) {
                                Ok(l) if l.node == node => latest.push(l),
                                Ok(_) | Err(_) => {
                                    tracing::warn!(
                                        node,
                                        "unreadable latest state of a node; ignoring it"
                                    )
                                }
                            }
                        }
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!(node, error = %e, "cannot read a node's latest state; ignoring it this round")
                        }
                    }
                }
            }
            Err(e) => seen.alone_because = Some(e.to_string()),
        }
        if let Some(own) = latest.iter().find(|l| l.node == self.node)
            && own.instance != self.instance
            && own.updated >= self.started
        {
            seen.second_writer = Some(own.instance.clone());
        }
        seen.second_writer = self.hold_second_writer(seen.second_writer.take(), now);
        // This round is this node's location, whatever storage says.
        latest.retain(|l| l.node != self.node);
        let mine = NodeLatest {
            node: self.node.clone(),
            instance: self.instance.clone(),
            updated: started,
            interval_secs: self.interval_secs,
            checks: results
                .iter()
                .map(|r| LatestCheck {
                    title: r.title.clone(),
                    status: r.status,
                    maintenance: r.maintenance,
                    notice: r.notice.clone(),
                })
                .collect(),
            tail,
        };
        match serde_json::to_vec(&mine) {
            Ok(bytes) => {
                if let Err(e) = storage
                    .put(&latest_key(&self.node), bytes, "application/json")
                    .await
                {
                    tracing::warn!(error = %e, "cannot publish this round's state to the other nodes");
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot encode this round's state"),
        }
        latest.push(mine);
        for node in &latest {
            let fresh = node.node == self.node
                || is_fresh(
                    node.updated,
                    now,
                    node.interval_secs.max(1) * STALE_INTERVALS,
                );
            for check in &node.checks {
                seen.locations
                    .entry(check.title.clone())
                    .or_default()
                    .push(Location {
                        node: node.node.clone(),
                        status: check.status,
                        timestamp: node.updated,
                        median: 0,
                        notice: check.notice.clone(),
                        fresh: fresh && !check.maintenance,
                    });
            }
        }
        for locations in seen.locations.values_mut() {
            locations.sort_by(|a, b| a.node.cmp(&b.node));
        }
        seen
    }
}

impl Peers {
    /// Remembers a second writer caught now, or recalls one caught within
    /// the hold.
    fn hold_second_writer(&self, caught: Option<String>, now: i64) -> Option<String> {
        let mut last = self
            .last_second_writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(instance) = caught {
            *last = Some((instance.clone(), now));
            return Some(instance);
        }
        let hold = self.interval_secs * SECOND_WRITER_HOLD_INTERVALS * 1_000_000_000;
        match &*last {
            Some((instance, at)) if now - at <= hold => Some(instance.clone()),
            _ => None,
        }
    }
}

impl Seen {
    /// The fresh locations of `check`.
    pub fn fresh_of(&self, check: &str) -> Vec<&Location> {
        self.locations
            .get(check)
            .map(|l| l.iter().filter(|l| l.fresh).collect())
            .unwrap_or_default()
    }
}

/// A process-unique id: the start time and pid, hashed to 12 hex digits.
fn instance_id(started: i64) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(started);
    hasher.write_u32(std::process::id());
    format!("{:012x}", hasher.finish() & 0xffff_ffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::LocalStorage;
    use checkup_model::Status;

    const SEC: i64 = 1_000_000_000;

    fn result(title: &str, status: Status, at: i64) -> CheckResult {
        CheckResult {
            title: title.into(),
            endpoint: String::new(),
            timestamp: at,
            times: Vec::new(),
            threshold: 0,
            status,
            notice: String::new(),
            message: String::new(),
            node: None,
            kind: None,
            maintenance: false,
        }
    }

    #[tokio::test]
    async fn a_node_whose_clock_is_30_s_behind_still_counts() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(dir.path()).unwrap();
        let now = 2_000_000 * SEC;
        let interval = Duration::from_secs(10);
        // b's last round, by a clock 30 s slow, was one interval ago: it
        // looks 40 s old, within 3 intervals plus the 30 s allowed.
        let b = Peers::new("b", interval, now - 100 * SEC);
        b.exchange(
            &storage,
            now - 40 * SEC,
            &[result("Web", Status::Down, 0)],
            None,
            now,
        )
        .await;
        // c stopped long ago.
        let c = Peers::new("c", interval, now - 200 * SEC);
        c.exchange(
            &storage,
            now - 61 * SEC,
            &[result("Web", Status::Down, 0)],
            None,
            now,
        )
        .await;
        let a = Peers::new("a", interval, now - 100 * SEC);
        let seen = a
            .exchange(
                &storage,
                now,
                &[result("Web", Status::Healthy, now)],
                None,
                now,
            )
            .await;
        let fresh: Vec<&str> = seen
            .fresh_of("Web")
            .iter()
            .map(|l| l.node.as_str())
            .collect();
        assert_eq!(fresh, ["a", "b"]);
        assert_eq!(
            seen.locations["Web"].len(),
            3,
            "c is listed, but does not count"
        );
        assert!(seen.second_writer.is_none());
    }

    #[tokio::test]
    async fn another_instance_under_this_name_is_a_second_writer() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(dir.path()).unwrap();
        let now = 2_000_000 * SEC;
        let interval = Duration::from_secs(1);
        let first = Peers::new("a", interval, now);
        let second = Peers::new("a", interval, now);
        assert_ne!(first.instance(), second.instance());
        let seen = first.exchange(&storage, now, &[], None, now).await;
        assert!(seen.second_writer.is_none(), "alone so far");
        let seen = second
            .exchange(&storage, now + SEC, &[], None, now + SEC)
            .await;
        assert_eq!(seen.second_writer.as_deref(), Some(first.instance()));
        let seen = first
            .exchange(&storage, now + 2 * SEC, &[], None, now + 2 * SEC)
            .await;
        assert_eq!(seen.second_writer.as_deref(), Some(second.instance()));
    }

    #[tokio::test]
    async fn a_second_writer_stays_reported_while_rounds_interleave() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(dir.path()).unwrap();
        let now = 2_000_000 * SEC;
        let interval = Duration::from_secs(1);
        let first = Peers::new("a", interval, now);
        let second = Peers::new("a", interval, now);
        first.exchange(&storage, now, &[], None, now).await;
        let seen = second
            .exchange(&storage, now + SEC, &[], None, now + SEC)
            .await;
        assert!(seen.second_writer.is_some());
        // The other one's next write lands after this one's read: this
        // round reads its own object, yet the warning holds.
        let seen = second
            .exchange(&storage, now + 2 * SEC, &[], None, now + 2 * SEC)
            .await;
        assert_eq!(seen.second_writer.as_deref(), Some(first.instance()));
        // Ten intervals after the copy was last seen, it is gone.
        let seen = second
            .exchange(&storage, now + 12 * SEC, &[], None, now + 12 * SEC)
            .await;
        assert!(seen.second_writer.is_none(), "{seen:?}");
    }
}
