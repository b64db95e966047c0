//! Exactly one message per event, cluster-wide: before sending, a node
//! claims the event in storage with a create-if-absent write of
//! `alerts/<check>/<notifier>-<seq>.json`. Each (notifier, check) has its
//! own numbered log of events; every node that decides to send reads the
//! newest entry, and if it already covers this event (another node sent
//! it), stays quiet; otherwise it claims the next number, and only the node
//! whose write created it sends. No leader and no lease: whichever node is
//! alive claims the next event, so a "resolved" is sent even when the node
//! that sent "down" has died.
//!
//! Stores that ignore `If-None-Match` (Garage 2.5 does) are caught by
//! [`probe`]; there the claim is written plainly and only the lowest-named
//! fresh node that sees what the event says sends it.

use std::collections::HashMap;

use checkup_model::Status;
use checkup_model::derive::merge::Location;
use serde::{Deserialize, Serialize};

use super::{Event, EventKind};
use crate::storage::{Created, Storage, StorageError};

/// Width of the sequence number, so names sort in order.
const SEQ_DIGITS: usize = 10;

/// One claimed event, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub notifier: String,
    pub check: String,
    pub seq: u64,
    pub event: EventKind,
    /// Whether an alert is open after this event, and how bad.
    pub open: Option<EventKind>,
    /// The node that claimed (and so sent) it.
    pub node: String,
    /// When, by that node's clock, Unix ns.
    pub at: i64,
    /// The fresh locations that agreed the check was bad.
    pub agreed: Vec<String>,
    pub quorum: String,
}

/// What to do with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// This node claimed it: send.
    Send,
    /// Another node already sent it (named).
    SentBy(String),
}

/// How claims are made on this storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The store refuses to overwrite on `If-None-Match: *` (or is local).
    Conditional,
    /// It overwrites regardless: the lowest-named fresh node sends.
    LowestNode,
}

/// Claims made by this node, and the newest sequence number it knows of
/// each (notifier, check) log, so it lists only what is newer.
pub struct Claims {
    mode: Mode,
    node: String,
    known: HashMap<(String, String), u64>,
}

/// Finds out whether `storage` honours create-if-absent: writes a probe
/// key plainly, then conditionally; the second write must be refused.
pub async fn probe(storage: &dyn Storage, node: &str) -> Result<Mode, StorageError> {
    let key = format!("alerts/probe-{node}.json");
    storage
        .put(&key, b"{}\n".to_vec(), "application/json")
        .await?;
    Ok(match storage.put_new(&key, b"{}\n".to_vec()).await? {
        Created::AlreadyThere => Mode::Conditional,
        Created::Yes => Mode::LowestNode,
    })
}

impl Claims {
    pub fn new(mode: Mode, node: &str) -> Claims {
        Claims {
            mode,
            node: node.to_string(),
            known: HashMap::new(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Decides whether this node sends `event` for `notifier`, claiming it
    /// if so. `reminder_every` (ns) is the notifier's reminder interval.
    /// An error means storage did not answer: try again next round.
    pub async fn decide(
        &mut self,
        storage: &dyn Storage,
        notifier: &str,
        event: &Event,
        fresh: &[&Location],
        reminder_every: Option<i64>,
    ) -> Result<Decision, StorageError> {
        let dir = format!("alerts/{}/", file_part(&event.check));
        let stem = format!("{}-", file_part(notifier));
        let id = (notifier.to_string(), event.check.clone());
        let known = self.known.get(&id).copied().unwrap_or(0);
        let after = format!("{stem}{known:0SEQ_DIGITS$}");
        let newest = storage
            .list(&dir, &after)
            .await?
            .into_iter()
            .filter_map(|name| seq_of(&name, &stem))
            .max()
            .unwrap_or(known);
        let last = if newest > 0 {
            read(storage, &dir, &stem, newest).await?
        } else {
            None
        };
        self.known.insert(id.clone(), newest);
        if let Some(last) = &last
            && covers(last, event, reminder_every)
        {
            return Ok(Decision::SentBy(last.node.clone()));
        }
        if last.is_none() && event.kind == EventKind::Resolved {
            // Nothing was ever opened in the log: nothing to resolve.
            return Ok(Decision::SentBy(String::new()));
        }
        let seq = newest + 1;
        let claim = Claim {
            notifier: notifier.to_string(),
            check: event.check.clone(),
            seq,
            event: event.kind,
            open: open_after(last.as_ref().and_then(|l| l.open), event.kind),
            node: self.node.clone(),
            at: event.timestamp,
            agreed: event
                .locations
                .iter()
                .filter(|l| l.status != Status::Healthy)
                .map(|l| l.node.clone())
                .collect(),
            quorum: event.quorum.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&claim)?;
        bytes.push(b'\n');
        let key = format!("{dir}{stem}{seq:0SEQ_DIGITS$}.json");
        let decision = match self.mode {
            Mode::Conditional => match storage.put_new(&key, bytes).await? {
                Created::Yes => Decision::Send,
                Created::AlreadyThere => {
                    let winner = read(storage, &dir, &stem, seq).await?;
                    Decision::SentBy(winner.map(|w| w.node).unwrap_or_default())
                }
            },
            Mode::LowestNode => {
                // The lowest-named fresh node that sees what the event says
                // (the problem, or for "resolved" its end): a node that died
                // mid-outage still looks fresh for a while, but its last word
                // was the problem, so it is not picked to resolve it.
                let bad_event = event.kind != EventKind::Resolved;
                let sender = fresh
                    .iter()
                    .filter(|l| (l.status != Status::Healthy) == bad_event)
                    .map(|l| l.node.as_str())
                    .min();
                match sender {
                    // Not written here: that node writes it (number `seq`
                    // stays free until it does).
                    Some(sender) if sender != self.node => {
                        return Ok(Decision::SentBy(sender.to_string()));
                    }
                    _ => {
                        storage.put(&key, bytes, "application/json").await?;
                        Decision::Send
                    }
                }
            }
        };
        self.known.insert(id, seq);
        Ok(decision)
    }
}

/// Whether the log's newest claim already says what `event` would.
fn covers(last: &Claim, event: &Event, reminder_every: Option<i64>) -> bool {
    match event.kind {
        EventKind::Down => last.open == Some(EventKind::Down),
        EventKind::Degraded => last.open.is_some(),
        EventKind::Resolved => last.open.is_none(),
        EventKind::Reminder => {
            // Another node's reminder (or the alert itself) went out within
            // half an interval: this one is the same reminder.
            last.open.is_none()
                || reminder_every
                    .is_some_and(|every| event.timestamp.saturating_sub(last.at) < every / 2)
        }
        EventKind::Test => false,
    }
}

/// The open state after `event`, given the state before it.
fn open_after(before: Option<EventKind>, event: EventKind) -> Option<EventKind> {
    match event {
        EventKind::Down => Some(EventKind::Down),
        EventKind::Degraded => Some(EventKind::Degraded),
        EventKind::Resolved => None,
        EventKind::Reminder | EventKind::Test => before,
    }
}

async fn read(
    storage: &dyn Storage,
    dir: &str,
    stem: &str,
    seq: u64,
) -> Result<Option<Claim>, StorageError> {
    let key = format!("{dir}{stem}{seq:0SEQ_DIGITS$}.json");
    Ok(storage
        .get(&key)
        .await?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

/// The sequence number of a claim file of `stem`.
fn seq_of(name: &str, stem: &str) -> Option<u64> {
    let digits = name.strip_prefix(stem)?.strip_suffix(".json")?;
    (digits.len() == SEQ_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// A name as a key part: its slug and a short hash of the exact name, so
/// "API" and "api" get logs of their own.
fn file_part(name: &str) -> String {
    use checkup_model::contract::slug::{fnv1a, slug_of};
    format!("{}-{:08x}", slug_of(name), fnv1a(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::SeenFrom;
    use crate::storage::LocalStorage;

    fn event(kind: EventKind, at: i64) -> Event {
        Event {
            kind,
            check: "Web site".into(),
            endpoint: String::new(),
            status: Status::Down,
            notice: String::new(),
            node: "a".into(),
            timestamp: at,
            since: Some(at),
            locations: vec![SeenFrom {
                node: "a".into(),
                status: Status::Down,
                notice: String::new(),
            }],
            quorum: "majority".into(),
        }
    }

    #[tokio::test]
    async fn of_three_nodes_deciding_on_one_event_exactly_one_sends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(dir.path()).unwrap();
        assert_eq!(probe(&storage, "a").await.unwrap(), Mode::Conditional);
        let mut nodes: Vec<Claims> = ["a", "b", "c"]
            .into_iter()
            .map(|n| Claims::new(Mode::Conditional, n))
            .collect();
        for (kind, at) in [(EventKind::Down, 10), (EventKind::Resolved, 20)] {
            let decisions = futures::future::join_all(nodes.iter_mut().map(|c| {
                let storage = &storage;
                async move {
                    c.decide(storage, "hook", &event(kind, at), &[], None)
                        .await
                        .unwrap()
                }
            }))
            .await;
            let senders = decisions.iter().filter(|d| **d == Decision::Send).count();
            assert_eq!(senders, 1, "{kind:?}: {decisions:?}");
            if kind == EventKind::Down {
                // A node that comes to the same conclusion a round later
                // finds the alert open and stays quiet.
                let mut late = Claims::new(Mode::Conditional, "d");
                let decision = late
                    .decide(&storage, "hook", &event(kind, 15), &[], None)
                    .await
                    .unwrap();
                assert!(matches!(decision, Decision::SentBy(_)), "{decision:?}");
            }
        }
        // A second outage is new: one node sends it.
        let again = nodes[1]
            .decide(&storage, "hook", &event(EventKind::Down, 40), &[], None)
            .await
            .unwrap();
        assert_eq!(again, Decision::Send);
        let names = storage
            .list(&format!("alerts/{}/", file_part("Web site")), "")
            .await
            .unwrap();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    fn location(node: &str, status: Status) -> Location {
        Location {
            node: node.into(),
            status,
            timestamp: 0,
            median: 0,
            notice: String::new(),
            fresh: true,
        }
    }

    #[tokio::test]
    async fn without_conditional_writes_the_lowest_node_that_agrees_sends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(dir.path()).unwrap();
        let down = [
            location("a", Status::Down),
            location("b", Status::Down),
            location("c", Status::Down),
        ];
        let fresh: Vec<&Location> = down.iter().collect();
        let mut b = Claims::new(Mode::LowestNode, "b");
        let decision = b
            .decide(&storage, "h", &event(EventKind::Down, 1), &fresh, None)
            .await
            .unwrap();
        assert_eq!(decision, Decision::SentBy("a".into()));
        let mut a = Claims::new(Mode::LowestNode, "a");
        let decision = a
            .decide(&storage, "h", &event(EventKind::Down, 1), &fresh, None)
            .await
            .unwrap();
        assert_eq!(decision, Decision::Send);
        // a dies still seeing the problem: b, the lowest that sees it
        // resolved, sends "resolved"; c stays quiet.
        let after = [
            location("a", Status::Down),
            location("b", Status::Healthy),
            location("c", Status::Healthy),
        ];
        let fresh: Vec<&Location> = after.iter().collect();
        let mut c = Claims::new(Mode::LowestNode, "c");
        let decision = c
            .decide(&storage, "h", &event(EventKind::Resolved, 2), &fresh, None)
            .await
            .unwrap();
        assert_eq!(decision, Decision::SentBy("b".into()));
        let decision = b
            .decide(&storage, "h", &event(EventKind::Resolved, 2), &fresh, None)
            .await
            .unwrap();
        assert_eq!(decision, Decision::Send);
    }

    #[tokio::test]
    async fn a_resolved_with_nothing_open_is_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(dir.path()).unwrap();
        let mut claims = Claims::new(Mode::Conditional, "a");
        let decision = claims
            .decide(&storage, "hook", &event(EventKind::Resolved, 1), &[], None)
            .await
            .unwrap();
        assert!(matches!(decision, Decision::SentBy(_)));
    }

    #[tokio::test]
    async fn reminders_within_half_an_interval_are_one_reminder() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(dir.path()).unwrap();
        let mut a = Claims::new(Mode::Conditional, "a");
        let mut b = Claims::new(Mode::Conditional, "b");
        let every = Some(100);
        assert_eq!(
            a.decide(&storage, "h", &event(EventKind::Down, 0), &[], every)
                .await
                .unwrap(),
            Decision::Send
        );
        assert_eq!(
            a.decide(&storage, "h", &event(EventKind::Reminder, 100), &[], every)
                .await
                .unwrap(),
            Decision::Send
        );
        assert!(
            matches!(b.decide(&storage, "h", &event(EventKind::Reminder, 120), &[], every).await.unwrap(), Decision::SentBy(n) if n == "a")
        );
        assert_eq!(
            b.decide(&storage, "h", &event(EventKind::Reminder, 200), &[], every)
                .await
                .unwrap(),
            Decision::Send
        );
    }

    #[test]
    fn file_parts_differ_by_case_and_sort_by_sequence() {
        assert_ne!(file_part("API"), file_part("api"));
        assert!(file_part("Web site").starts_with("web-site-"));
        assert_eq!(seq_of("hook-0000000012.json", "hook-"), Some(12));
        assert_eq!(seq_of("hook-12.json", "hook-"), None);
        assert_eq!(seq_of("other-0000000012.json", "hook-"), None);
    }
}
