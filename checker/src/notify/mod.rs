//! Notifications: when a check changes state, tell people through channels
//! (webhook, Slack, Discord, email, Telegram, Teams, PagerDuty, Opsgenie,
//! ntfy, Gotify, Matrix, Pushover). One module per channel kind, registered
//! in `registry.rs`; `state.rs` decides *when* (thresholds, reminders, maintenance)
//! and persists that across restarts; `claims.rs` makes sure one node of
//! several sends each message; `dispatch.rs` delivers without ever holding
//! up a round.
//!
//! Channels see only [`Event`]s: they know nothing of check kinds or storage.

pub mod claims;
mod discord;
pub mod dispatch;
mod email;
mod gotify;
mod http;
mod matrix;
mod ntfy;
mod opsgenie;
mod pagerduty;
mod pushover;
mod registry;
mod slack;
pub mod state;
mod teams;
mod telegram;
mod webhook;

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use checkup_model::derive::merge::Quorum;

pub use dispatch::Notifications;
pub use registry::{NOTIFIERS, from_raw};

/// Builds a channel from its table; `timeout` bounds one delivery attempt.
pub type Builder =
    fn(&crate::options::Table, Duration) -> Result<Box<dyn Channel>, crate::options::FieldError>;

/// What happened, as a channel is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// Bad for `failure_threshold` rounds: an alert opens.
    Down,
    /// Degraded for `failure_threshold` rounds (only with `on_degraded`).
    Degraded,
    /// Good again for `success_threshold` rounds: the alert closes.
    Resolved,
    /// The alert is still open after `reminder_interval`.
    Reminder,
    /// `checker notify-test`.
    Test,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Down => "down",
            EventKind::Degraded => "degraded",
            EventKind::Resolved => "resolved",
            EventKind::Reminder => "reminder",
            EventKind::Test => "test",
        }
    }
}

/// One notification about one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    /// The check's name (the result's title).
    pub check: String,
    pub endpoint: String,
    /// The check's status in the round that caused this.
    pub status: Status,
    /// Why, in words (the result's notice); empty when healthy.
    pub notice: String,
    /// The node that saw it.
    pub node: String,
    /// The round's time, Unix ns.
    pub timestamp: i64,
    /// When the problem began (the first bad round), Unix ns; for down,
    /// degraded, reminder and resolved.
    pub since: Option<i64>,
    /// What each deciding location saw, sorted by node; one entry (this
    /// node) when it runs alone.
    pub locations: Vec<SeenFrom>,
    /// The notifier's quorum, as configured ("majority", "all", "any", "2").
    pub quorum: String,
}

/// One location's part in an event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeenFrom {
    pub node: String,
    pub status: Status,
    pub notice: String,
}

impl Event {
    /// What happened, in capitals: "DOWN", "STILL DOWN", "RESOLVED".
    pub fn tag(&self) -> &'static str {
        match self.kind {
            EventKind::Down => "DOWN",
            EventKind::Degraded => "DEGRADED",
            EventKind::Resolved => "RESOLVED",
            EventKind::Reminder => match self.status {
                Status::Degraded => "STILL DEGRADED",
                _ => "STILL DOWN",
            },
            EventKind::Test => "TEST",
        }
    }

    /// A short title: "[DOWN] Website".
    pub fn title(&self) -> String {
        format!("[{}] {}", self.tag(), self.check)
    }

    /// One or two sentences a person reads in a chat or a mail subject line.
    pub fn text(&self) -> String {
        let for_how_long = || {
            self.since
                .map(|since| {
                    let secs = (self.timestamp.saturating_sub(since) / 1_000_000_000).max(0);
                    humantime::format_duration(Duration::from_secs(secs as u64)).to_string()
                })
                .unwrap_or_default()
        };
        let reason = if self.notice.is_empty() {
            String::new()
        } else {
            format!(": {}", self.notice)
        };
        // With several locations, say which agreed: "from fra1, sgp1 (2 of 3 locations)".
        let from = match self.locations.len() {
            0 | 1 => String::new(),
            all => {
                let bad: Vec<&str> = self
                    .locations
                    .iter()
                    .filter(|l| l.status != Status::Healthy)
                    .map(|l| l.node.as_str())
                    .collect();
                format!(
                    " from {} ({} of {all} locations)",
                    bad.join(", "),
                    bad.len()
                )
            }
        };
        match self.kind {
            EventKind::Down => format!("{} is down{from}{reason}", self.check),
            EventKind::Degraded => format!("{} is degraded{from}{reason}", self.check),
            EventKind::Reminder => format!(
                "{} has been {}{from} for {}{reason}",
                self.check,
                self.status,
                for_how_long()
            ),
            EventKind::Resolved => match self.status {
                Status::Healthy => {
                    format!("{} is healthy again (after {})", self.check, for_how_long())
                }
                other => format!(
                    "{} has recovered from the alert and is {other} now (after {}){reason}",
                    self.check,
                    for_how_long()
                ),
            },
            EventKind::Test => format!(
                "Test notification from checker node {}: this channel works.",
                self.node
            ),
        }
    }

    /// The round's time as RFC 3339.
    pub fn time(&self) -> String {
        rfc3339(self.timestamp)
    }

    /// One key per check ("checkup-website"), for services that close
    /// by key what they opened (PagerDuty, Opsgenie, Pushover tags): a
    /// new outage after a resolve opens a new alert under the same key.
    pub fn key(&self) -> String {
        format!(
            "checkup-{}",
            checkup_model::contract::slug::slug_of(&self.check)
        )
    }
}

/// `text` within a service's `limit` of characters, "…" marking a cut.
pub fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Unix ns as RFC 3339 (UTC).
pub fn rfc3339(nanos: i64) -> String {
    jiff::Timestamp::from_nanosecond(i128::from(nanos))
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// A channel delivers an event once; retries are the dispatcher's business.
#[async_trait]
pub trait Channel: Send + Sync {
    /// Where it goes, for people, without secrets: "slack https://hooks.slack.com/…".
    fn describe(&self) -> String;

    /// One delivery attempt. `Err` says why it failed, in words, and
    /// whether trying again can help.
    async fn send(&self, event: &Event) -> Result<(), SendError>;
}

/// Why a delivery attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    pub retry: Retry,
}

/// What the dispatcher should do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again after the usual pause (a network error, a 5xx).
    Backoff,
    /// The service said when (429 or 503 with `Retry-After`).
    After(Duration),
    /// Trying again cannot help (a 4xx: a bad token, a bad request).
    Never,
}

impl From<String> for SendError {
    fn from(message: String) -> SendError {
        SendError {
            message,
            retry: Retry::Backoff,
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// When a notifier is told (from its thresholds).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Consecutive bad rounds before an alert opens.
    pub failure_threshold: u32,
    /// Consecutive good rounds before it resolves.
    pub success_threshold: u32,
    pub send_on_resolved: bool,
    pub reminder_interval: Option<Duration>,
    /// Degraded counts as bad (else as good).
    pub on_degraded: bool,
    /// How many fresh locations must agree a check is bad.
    pub quorum: Quorum,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            failure_threshold: 2,
            success_threshold: 2,
            send_on_resolved: true,
            reminder_interval: None,
            on_degraded: false,
            quorum: Quorum::Majority,
        }
    }
}

/// A configured `[[notifiers]]` entry.
pub struct Notifier {
    /// Unique; names it in logs, `notify-test` and the state file.
    pub name: String,
    pub kind: &'static str,
    /// The checks it covers; `None` = all.
    pub checks: Option<Vec<String>>,
    pub policy: Policy,
    /// The most one delivery attempt may take, all told.
    pub timeout: Duration,
    pub channel: Box<dyn Channel>,
}

impl Notifier {
    /// One delivery attempt, bounded by the notifier's timeout (a server that
    /// accepts the connection and then says nothing must not hold a sender).
    pub async fn send_once(&self, event: &Event) -> Result<(), SendError> {
        match tokio::time::timeout(self.timeout, self.channel.send(event)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!(
                "timed out after {}",
                humantime::format_duration(self.timeout)
            )
            .into()),
        }
    }

    pub fn covers(&self, check: &str) -> bool {
        self.checks
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == check))
    }
}

impl std::fmt::Debug for Notifier {
    // Channels hold secrets (passwords, webhook tokens): show only what `describe` shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("checks", &self.checks)
            .field("policy", &self.policy)
            .field("channel", &self.channel.describe())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, status: Status, notice: &str) -> Event {
        Event {
            kind,
            check: "Website".into(),
            endpoint: "https://example.com/".into(),
            status,
            notice: notice.into(),
            node: "fra1".into(),
            timestamp: 1_800_000_000_000_000_000,
            since: Some(1_800_000_000_000_000_000 - 125_000_000_000),
            locations: vec![SeenFrom {
                node: "fra1".into(),
                status,
                notice: notice.into(),
            }],
            quorum: "majority".into(),
        }
    }

    #[test]
    fn messages_name_the_locations_that_agree() {
        let mut down = event(EventKind::Down, Status::Down, "status 503");
        down.locations = ["fra1", "nyc1", "sgp1"]
            .into_iter()
            .map(|node| SeenFrom {
                node: node.into(),
                status: if node == "nyc1" {
                    Status::Healthy
                } else {
                    Status::Down
                },
                notice: String::new(),
            })
            .collect();
        assert_eq!(
            down.text(),
            "Website is down from fra1, sgp1 (2 of 3 locations): status 503"
        );
        let hook = webhook::body(&down);
        assert_eq!(hook["quorum"], "majority");
        assert_eq!(hook["locations"][1]["node"], "nyc1");
        assert_eq!(hook["locations"][1]["status"], "healthy");
    }

    #[test]
    fn events_read_as_sentences() {
        let down = event(EventKind::Down, Status::Down, "status 503");
        assert_eq!(down.title(), "[DOWN] Website");
        assert_eq!(down.text(), "Website is down: status 503");
        let reminder = event(EventKind::Reminder, Status::Down, "status 503");
        assert_eq!(reminder.title(), "[STILL DOWN] Website");
        assert_eq!(
            reminder.text(),
            "Website has been down for 2m 5s: status 503"
        );
        let resolved = event(EventKind::Resolved, Status::Healthy, "");
        assert_eq!(resolved.text(), "Website is healthy again (after 2m 5s)");
        assert_eq!(resolved.time(), "2027-01-15T08:00:00Z");
        let slack = slack::body(&down);
        assert_eq!(slack["text"], "[DOWN] Website is down: status 503");
        let hook = webhook::body(&down);
        assert_eq!(hook["event"], "down");
        assert_eq!(
            hook["since"],
            1_800_000_000_000_000_000i64 - 125_000_000_000
        );
        let discord = discord::body(&resolved);
        assert_eq!(discord["embeds"][0]["color"], 0x30_A0_50);
    }

    #[test]
    fn slack_text_cannot_become_markup() {
        let mut e = event(
            EventKind::Down,
            Status::Down,
            "<!channel> & <https://evil|click>",
        );
        e.check = "A<B".into();
        let body = slack::body(&e).to_string();
        assert!(!body.contains("<!channel>"), "{body}");
        assert!(
            body.contains("&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"),
            "{body}"
        );
    }
}
