//! Heartbeats: jobs that report in instead of being probed. A ping is one
//! small object, `pings/<check-slug>/<unix_nanos>-<host>.json`, written by
//! `checker ping` (or the listener) through the storage code; every node
//! reads the same objects (`book.rs`) and judges them with [`judge`], so all
//! locations agree. The check kind itself is `checks/heartbeat.rs`.

pub mod book;
pub mod cron;
pub mod spool;

use std::sync::Mutex;
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use self::cron::Cron;

/// Where pings live in storage.
pub const PINGS_DIR: &str = "pings/";
/// Output kept from a wrapped job, and a listener's request body, at most.
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024;

/// One report from a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ping {
    /// When it was taken, Unix ns: what it is judged by, however late it
    /// reaches storage.
    pub at: i64,
    pub kind: PingKind,
    /// The job's exit status, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// A message, or the last lines of a wrapped job's output.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// How long a wrapped job ran, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// The host that sent it.
    pub host: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PingKind {
    /// A run began.
    Start,
    /// A run ended well.
    Success,
    /// A run failed.
    Fail,
}

impl Ping {
    /// A ping of `kind` now, from this host.
    pub fn now(kind: PingKind) -> Ping {
        Ping {
            at: crate::checks::now_nanos(),
            kind,
            exit_code: None,
            message: String::new(),
            duration_ms: None,
            host: this_host(),
        }
    }

    /// Its key in storage, for the check with slug `slug`.
    pub fn key(&self, slug: &str) -> String {
        format!(
            "{PINGS_DIR}{slug}/{:019}-{}.json",
            self.at.max(0),
            key_safe(&self.host)
        )
    }
}

/// This machine's name, as pings name their host.
pub fn this_host() -> String {
    key_safe(&gethostname::gethostname().to_string_lossy())
}

/// A host name as it may appear in a key: letters, digits, '.', '-' and
/// '_', at most 64 of them.
pub(crate) fn key_safe(host: &str) -> String {
    let safe: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if safe.is_empty() { "host".into() } else { safe }
}

/// When a job is due.
#[derive(Debug, Clone)]
pub enum Due {
    /// At most this long after its last success.
    Every(Duration),
    /// At each time of a cron schedule.
    Cron(Cron),
}

/// A heartbeat check's rules.
#[derive(Debug, Clone)]
pub struct Rules {
    pub due: Due,
    /// How late a ping may be before the check is down.
    pub grace: Duration,
    /// A run started and not finished after this long is down.
    pub max_runtime: Option<Duration>,
    /// Times in messages are shown in this zone.
    pub zone: TimeZone,
}

/// The newest ping of each kind: all that judging needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Latest {
    pub start: Option<Ping>,
    pub success: Option<Ping>,
    pub fail: Option<Ping>,
}

impl Latest {
    /// Takes `ping` in if it is newer than what is held of its kind.
    pub fn absorb(&mut self, ping: Ping) {
        let slot = match ping.kind {
            PingKind::Start => &mut self.start,
            PingKind::Success => &mut self.success,
            PingKind::Fail => &mut self.fail,
        };
        if slot.as_ref().is_none_or(|held| held.at < ping.at) {
            *slot = Some(ping);
        }
    }
}

/// What a heartbeat check's probe reads: the pings its node has seen, kept
/// up to date by [`book::refresh`] before each round.
pub struct PingFeed {
    pub slug: String,
    pub rules: Rules,
    /// Since when this process has watched: a check with no ping yet is
    /// late once a whole period (and grace) has passed since then.
    pub watching_since: i64,
    /// The secret of its listener URL, if it takes pings over HTTP.
    pub token: Option<String>,
    pub(crate) state: Mutex<book::Seen>,
}

impl PingFeed {
    pub fn new(slug: String, rules: Rules) -> PingFeed {
        PingFeed {
            slug,
            rules,
            watching_since: crate::checks::now_nanos(),
            token: None,
            state: Mutex::new(book::Seen::default()),
        }
    }

    /// Judges the pings seen so far at `now` (Unix ns).
    pub fn judge(&self, now: i64) -> Result<(), String> {
        let latest = self.state.lock().expect("ping state").latest.clone();
        judge(&self.rules, &latest, self.watching_since, now)
    }
}

/// The verdict on a job at `now`: `Ok` while it is on time and its last run
/// succeeded, else why not, in words.
pub fn judge(rules: &Rules, latest: &Latest, watching_since: i64, now: i64) -> Result<(), String> {
    let at = |ns: i64| show_time(ns, &rules.zone);
    let finished = [&latest.success, &latest.fail]
        .into_iter()
        .flatten()
        .max_by_key(|p| p.at);
    if let (Some(start), Some(limit)) = (&latest.start, rules.max_runtime)
        && finished.is_none_or(|f| f.at < start.at)
        && now - start.at > crate::checks::duration_nanos(limit)
    {
        return Err(format!(
            "a run started at {} is still going after {} (max_runtime)",
            at(start.at),
            humantime::format_duration(limit)
        ));
    }
    if let Some(fail) = finished.filter(|f| f.kind == PingKind::Fail) {
        let how = match fail.exit_code {
            Some(code) => format!("exited with status {code}"),
            None => "reported a failure".to_string(),
        };
        let last_line = fail.message.lines().rev().find(|l| !l.trim().is_empty());
        return Err(match last_line {
            Some(line) => format!("last run failed at {}: {how}: {}", at(fail.at), line.trim()),
            None => format!("last run failed at {}: {how}", at(fail.at)),
        });
    }
    let base = latest.success.as_ref().map_or(watching_since, |s| s.at);
    let due = match &rules.due {
        Due::Every(period) => base.saturating_add(crate::checks::duration_nanos(*period)),
        Due::Cron(cron) => {
            let after = Timestamp::from_nanosecond(base as i128).unwrap_or(Timestamp::UNIX_EPOCH);
            match cron.next_after(after) {
                Some(next) => next.as_nanosecond() as i64,
                None => return Ok(()),
            }
        }
    };
    let deadline = due.saturating_add(crate::checks::duration_nanos(rules.grace));
    if now > deadline {
        return Err(match &latest.success {
            Some(s) => format!("no ping since {}, expected by {}", at(s.at), at(deadline)),
            None => format!("no ping yet, expected by {}", at(deadline)),
        });
    }
    Ok(())
}

/// "2026-12-05 03:30 CET": a minute in the check's zone.
fn show_time(ns: i64, zone: &TimeZone) -> String {
    Timestamp::from_nanosecond(ns as i128)
        .map(|t| {
            t.to_zoned_datetime(zone.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_else(|_| ns.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000_000;

    fn rules(due: Due) -> Rules {
        Rules {
            due,
            grace: Duration::from_secs(30 * 60),
            max_runtime: Some(Duration::from_secs(2 * 3600)),
            zone: TimeZone::get("Europe/Berlin").unwrap(),
        }
    }

    fn ping(kind: PingKind, at: i64) -> Ping {
        Ping {
            at,
            kind,
            exit_code: None,
            message: String::new(),
            duration_ms: None,
            host: "h".into(),
        }
    }

    fn ns(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_nanosecond() as i64
    }

    #[test]
    fn a_period_job_is_late_after_period_plus_grace() {
        let r = rules(Due::Every(Duration::from_secs(3600)));
        let mut latest = Latest::default();
        latest.absorb(ping(PingKind::Success, 0));
        assert_eq!(judge(&r, &latest, 0, 90 * MIN), Ok(()));
        let late = judge(&r, &latest, 0, 90 * MIN + 1).unwrap_err();
        assert_eq!(
            late,
            "no ping since 1970-01-01 01:00 CET, expected by 1970-01-01 02:30 CET"
        );
        // An older ping replayed late changes nothing.
        latest.absorb(ping(PingKind::Success, -5 * MIN));
        assert_eq!(latest.success.as_ref().unwrap().at, 0);
    }

    #[test]
    fn a_cron_job_is_due_at_its_next_time_plus_grace() {
        let r = rules(Due::Cron(
            Cron::parse("0 3 * * *", TimeZone::get("Europe/Berlin").unwrap()).unwrap(),
        ));
        let mut latest = Latest::default();
        latest.absorb(ping(PingKind::Success, ns("2026-12-04T02:04:00Z")));
        assert_eq!(judge(&r, &latest, 0, ns("2026-12-05T02:30:00Z")), Ok(()));
        assert_eq!(
            judge(&r, &latest, 0, ns("2026-12-05T02:31:00Z")).unwrap_err(),
            "no ping since 2026-12-04 03:04 CET, expected by 2026-12-05 03:30 CET"
        );
    }

    #[test]
    fn with_no_ping_yet_the_clock_starts_when_watching_does() {
        let r = rules(Due::Every(Duration::from_secs(60)));
        assert_eq!(judge(&r, &Latest::default(), 0, 31 * MIN), Ok(()));
        let err = judge(&r, &Latest::default(), 0, 31 * MIN + 1).unwrap_err();
        assert!(err.starts_with("no ping yet, expected by"), "{err}");
    }

    #[test]
    fn a_failed_run_is_down_until_a_later_success() {
        let r = rules(Due::Every(Duration::from_secs(3600)));
        let mut latest = Latest::default();
        latest.absorb(ping(PingKind::Success, 0));
        let mut fail = ping(PingKind::Fail, MIN);
        fail.exit_code = Some(2);
        fail.message = "copying...\ndisk full\n\n".into();
        latest.absorb(fail);
        assert_eq!(
            judge(&r, &latest, 0, 2 * MIN).unwrap_err(),
            "last run failed at 1970-01-01 01:01 CET: exited with status 2: disk full"
        );
        latest.absorb(ping(PingKind::Success, 3 * MIN));
        assert_eq!(judge(&r, &latest, 0, 4 * MIN), Ok(()));
    }

    #[test]
    fn a_run_past_max_runtime_is_down() {
        let r = rules(Due::Every(Duration::from_secs(86_400)));
        let mut latest = Latest::default();
        latest.absorb(ping(PingKind::Success, 0));
        latest.absorb(ping(PingKind::Start, 10 * MIN));
        assert_eq!(judge(&r, &latest, 0, 130 * MIN), Ok(()));
        let err = judge(&r, &latest, 0, 130 * MIN + 1).unwrap_err();
        assert_eq!(
            err,
            "a run started at 1970-01-01 01:10 CET is still going after 2h (max_runtime)"
        );
        // Finished: the start no longer counts.
        latest.absorb(ping(PingKind::Success, 131 * MIN));
        assert_eq!(judge(&r, &latest, 0, 132 * MIN), Ok(()));
    }

    #[test]
    fn keys_sort_by_time_and_carry_a_safe_host() {
        let mut p = ping(PingKind::Success, 42);
        p.host = "db 1/../x".into();
        assert_eq!(
            p.key("backup"),
            "pings/backup/0000000000000000042-db-1-..-x.json"
        );
    }
}
