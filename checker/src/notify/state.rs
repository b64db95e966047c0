//! When to notify: a small state machine per (notifier, check), fed one
//! observation per round, and the file in the state directory that keeps it
//! across restarts (so a restart neither re-alerts nor forgets an open alert).
//!
//! A check goes *bad* (down, or degraded if the notifier has `on_degraded`)
//! for `failure_threshold` consecutive rounds: the alert opens and "down" (or
//! "degraded") is sent once. It is *good* for `success_threshold` consecutive
//! rounds: the alert closes and "resolved" is sent (if `send_on_resolved`).
//! While open, a reminder goes every `reminder_interval`. Maintenance rounds
//! count as neither: they reset both streaks and send nothing, so the rounds
//! after a window are judged afresh.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use checkup_model::Status;
use serde::{Deserialize, Serialize};

use super::{EventKind, Policy};
use crate::atomic_file;

/// What one round says about a check, for the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation {
    Healthy,
    Degraded,
    Down,
    /// In a maintenance window: neither good nor bad.
    Maintenance,
}

impl Observation {
    pub fn of(status: Status, maintenance: bool) -> Observation {
        match (maintenance, status) {
            (true, _) => Observation::Maintenance,
            (_, Status::Healthy) => Observation::Healthy,
            (_, Status::Degraded) => Observation::Degraded,
            (_, Status::Down) => Observation::Down,
        }
    }
}

/// How bad an open alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Degraded,
    Down,
}

/// An alert that was sent and not yet resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAlert {
    pub level: Level,
    /// The first bad round of the streak that opened it, Unix ns.
    pub since: i64,
    /// When the alert or its last reminder was sent, Unix ns.
    pub last_sent: i64,
}

/// One notifier's view of one check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    /// Consecutive bad rounds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bad: u32,
    /// Consecutive down rounds (a degraded alert escalates to down).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub down: u32,
    /// Consecutive good rounds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub good: u32,
    /// The first round of the current bad streak, Unix ns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_since: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<OpenAlert>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Track {
    /// Takes one round's observation at `now` (Unix ns); returns what to send, if anything.
    pub fn step(&mut self, obs: Observation, now: i64, policy: &Policy) -> Option<EventKind> {
        let bad = match obs {
            Observation::Maintenance => {
                self.bad = 0;
                self.down = 0;
                self.good = 0;
                self.bad_since = None;
                return None;
            }
            Observation::Down => true,
            Observation::Degraded => policy.on_degraded,
            Observation::Healthy => false,
        };
        if !bad {
            self.bad = 0;
            self.down = 0;
            self.bad_since = None;
            self.good = self.good.saturating_add(1);
            if self.open.is_some() && self.good >= policy.success_threshold {
                self.open = None;
                return policy.send_on_resolved.then_some(EventKind::Resolved);
            }
            return None;
        }
        self.good = 0;
        self.bad = self.bad.saturating_add(1);
        self.down = if obs == Observation::Down {
            self.down.saturating_add(1)
        } else {
            0
        };
        let since = *self.bad_since.get_or_insert(now);
        match &mut self.open {
            None if self.bad >= policy.failure_threshold => {
                let level = if self.down >= policy.failure_threshold {
                    Level::Down
                } else {
                    Level::Degraded
                };
                self.open = Some(OpenAlert {
                    level,
                    since,
                    last_sent: now,
                });
                Some(match level {
                    Level::Down => EventKind::Down,
                    Level::Degraded => EventKind::Degraded,
                })
            }
            None => None,
            Some(open) => {
                if open.level == Level::Degraded && self.down >= policy.failure_threshold {
                    // Degraded became down: that is news.
                    open.level = Level::Down;
                    open.last_sent = now;
                    return Some(EventKind::Down);
                }
                let due = policy.reminder_interval.is_some_and(|every| {
                    let every = i64::try_from(every.as_nanos()).unwrap_or(i64::MAX);
                    now.saturating_sub(open.last_sent) >= every
                });
                if due {
                    open.last_sent = now;
                    return Some(EventKind::Reminder);
                }
                None
            }
        }
    }
}

pub const FILE_NAME: &str = "notify-state.json";

/// Every notifier's tracks: notifier name -> check name -> track. Kept in
/// `<state_dir>/notify-state.json`, replaced atomically after each round that
/// changed it.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateFile {
    #[serde(default)]
    pub notifiers: BTreeMap<String, BTreeMap<String, Track>>,
}

impl StateFile {
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join(FILE_NAME)
    }

    /// Reads the state; a missing file is an empty state. An unreadable one is
    /// logged and started afresh: better one repeated alert than none at all.
    pub fn load(state_dir: &Path) -> StateFile {
        let path = Self::path(state_dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(file = %path.display(), error = %e, "notification state unreadable; starting afresh");
                StateFile::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StateFile::default(),
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "cannot read the notification state; starting afresh");
                StateFile::default()
            }
        }
    }

    /// Writes it atomically (temp file, fsync, rename), like the spool.
    pub fn save(&self, state_dir: &Path) -> Result<(), crate::storage::StorageError> {
        std::fs::create_dir_all(state_dir)
            .map_err(atomic_file::io("cannot create state directory", state_dir))?;
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        Ok(atomic_file::write_atomic(state_dir, FILE_NAME, &bytes)?)
    }

    /// Forgets notifiers and checks no longer configured.
    pub fn retain(&mut self, wanted: &[(&str, Vec<&str>)]) {
        self.notifiers.retain(
            |name, tracks| match wanted.iter().find(|(n, _)| n == name) {
                Some((_, checks)) => {
                    tracks.retain(|check, _| checks.contains(&check.as_str()));
                    true
                }
                None => false,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Observation::*;
    use std::time::Duration;

    const SEC: i64 = 1_000_000_000;

    /// Feeds observations one second apart; returns what each round sent.
    fn run(
        policy: &Policy,
        track: &mut Track,
        observations: &[Observation],
    ) -> Vec<Option<EventKind>> {
        observations
            .iter()
            .enumerate()
            .map(|(i, obs)| track.step(*obs, i as i64 * SEC, policy))
            .collect()
    }

    fn sent(events: &[Option<EventKind>]) -> Vec<EventKind> {
        events.iter().flatten().copied().collect()
    }

    #[test]
    fn down_after_the_threshold_and_resolved_after_the_threshold_once_each() {
        let p = Policy::default();
        let mut t = Track::default();
        let events = run(
            &p,
            &mut t,
            &[Healthy, Down, Down, Down, Down, Healthy, Healthy, Healthy],
        );
        assert_eq!(
            events,
            [
                None,
                None,
                Some(EventKind::Down),
                None,
                None,
                None,
                Some(EventKind::Resolved),
                None
            ]
        );
        assert_eq!(t.open, None);
    }

    #[test]
    fn single_blips_send_nothing() {
        let p = Policy::default();
        let mut t = Track::default();
        let events = run(&p, &mut t, &[Down, Healthy, Down, Healthy, Down, Healthy]);
        assert!(sent(&events).is_empty(), "{events:?}");
        // And one good round inside an open alert does not resolve it.
        let events = run(&p, &mut t, &[Down, Down, Healthy, Down, Healthy, Healthy]);
        assert_eq!(sent(&events), [EventKind::Down, EventKind::Resolved]);
    }

    #[test]
    fn thresholds_of_one_alert_at_once_and_resolve_is_optional() {
        let p = Policy {
            failure_threshold: 1,
            success_threshold: 1,
            send_on_resolved: false,
            ..Policy::default()
        };
        let mut t = Track::default();
        let events = run(&p, &mut t, &[Down, Healthy, Down]);
        assert_eq!(events, [Some(EventKind::Down), None, Some(EventKind::Down)]);
    }

    #[test]
    fn reminders_repeat_while_the_alert_stays_open() {
        let p = Policy {
            reminder_interval: Some(Duration::from_secs(3)),
            ..Policy::default()
        };
        let mut t = Track::default();
        // Down sent at t=1; reminders at t=4 and t=7; resolved at t=9.
        let events = run(
            &p,
            &mut t,
            &[
                Down, Down, Down, Down, Down, Down, Down, Down, Healthy, Healthy,
            ],
        );
        assert_eq!(
            sent(&events),
            [
                EventKind::Down,
                EventKind::Reminder,
                EventKind::Reminder,
                EventKind::Resolved
            ]
        );
        assert_eq!(events[4], Some(EventKind::Reminder));
        assert_eq!(events[7], Some(EventKind::Reminder));
    }

    #[test]
    fn degraded_alerts_only_when_asked_and_escalates_to_down() {
        let quiet = Policy::default();
        let mut t = Track::default();
        let events = run(&quiet, &mut t, &[Degraded, Degraded, Degraded]);
        assert!(
            sent(&events).is_empty(),
            "degraded is not bad without on_degraded"
        );

        let loud = Policy {
            on_degraded: true,
            ..Policy::default()
        };
        let mut t = Track::default();
        let events = run(
            &loud,
            &mut t,
            &[
                Degraded, Degraded, Degraded, Down, Down, Degraded, Healthy, Healthy,
            ],
        );
        assert_eq!(
            sent(&events),
            [EventKind::Degraded, EventKind::Down, EventKind::Resolved]
        );
        assert_eq!(
            events[4],
            Some(EventKind::Down),
            "escalation after 2 down rounds"
        );
    }

    #[test]
    fn degraded_counts_as_good_for_a_down_alert_without_on_degraded() {
        let p = Policy::default();
        let mut t = Track::default();
        let events = run(&p, &mut t, &[Down, Down, Degraded, Degraded]);
        assert_eq!(sent(&events), [EventKind::Down, EventKind::Resolved]);
    }

    #[test]
    fn maintenance_rounds_are_neither_bad_nor_good() {
        let p = Policy::default();
        let mut t = Track::default();
        let events = run(
            &p,
            &mut t,
            &[Down, Maintenance, Maintenance, Maintenance, Down],
        );
        assert!(
            sent(&events).is_empty(),
            "a window breaks the streak: {events:?}"
        );
        assert_eq!(t.bad, 1);
        // An open alert stays open through a window, then resolves normally.
        let mut t = Track::default();
        let events = run(
            &p,
            &mut t,
            &[
                Down,
                Down,
                Maintenance,
                Healthy,
                Maintenance,
                Healthy,
                Healthy,
            ],
        );
        assert_eq!(sent(&events), [EventKind::Down, EventKind::Resolved]);
        assert_eq!(events[6], Some(EventKind::Resolved));
    }

    #[test]
    fn the_state_survives_a_save_and_load_and_forgets_what_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = StateFile::default();
        let mut t = Track::default();
        run(&Policy::default(), &mut t, &[Down, Down]);
        state
            .notifiers
            .entry("ops".into())
            .or_default()
            .insert("Web".into(), t.clone());
        state
            .notifiers
            .entry("ops".into())
            .or_default()
            .insert("Gone".into(), t.clone());
        state
            .notifiers
            .entry("old".into())
            .or_default()
            .insert("Web".into(), t.clone());
        state.retain(&[("ops", vec!["Web"])]);
        state.save(dir.path()).unwrap();
        let loaded = StateFile::load(dir.path());
        assert_eq!(loaded, state);
        assert_eq!(loaded.notifiers.len(), 1);
        assert_eq!(
            loaded.notifiers["ops"]["Web"].open.as_ref().unwrap().level,
            Level::Down
        );
        // After a restart the open alert is not sent again, and recovery resolves it.
        let mut t = loaded.notifiers["ops"]["Web"].clone();
        assert_eq!(t.step(Down, 10 * SEC, &Policy::default()), None);
        assert_eq!(t.step(Healthy, 11 * SEC, &Policy::default()), None);
        assert_eq!(
            t.step(Healthy, 12 * SEC, &Policy::default()),
            Some(EventKind::Resolved)
        );
        // A broken file starts afresh instead of failing.
        std::fs::write(StateFile::path(dir.path()), "{not json").unwrap();
        assert_eq!(StateFile::load(dir.path()), StateFile::default());
    }
}
