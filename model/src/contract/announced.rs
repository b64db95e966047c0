//! Maintenance announced ahead: each node's history view lists the
//! occurrences of its configured windows that visitors should see (upcoming
//! within the window's `announce`, in progress, or just completed), so the
//! page, the feeds, the calendar and the status API all read them from
//! storage. Nodes sharing a config list the same occurrences under the same
//! ids; [`merge_announced`] keeps each once.

use serde::{Deserialize, Serialize};

use crate::contract::incident_text::Node;

/// One occurrence of one maintenance window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announced {
    /// The window's id: the same on every node with the same window.
    pub id: String,
    pub title: String,
    /// Titles of the checks it covers; empty = all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// The operator's Markdown, as written.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `description` parsed by the checker, as for incident updates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc: Vec<Node>,
    /// Start (inclusive) and end (exclusive), Unix ns.
    pub start: i64,
    pub end: i64,
    /// From when it is shown: `start` minus the window's `announce`.
    pub announced: i64,
    /// A weekly window's rule, so a calendar can repeat it. The page shows
    /// occurrences only, and skips reading it (its parser costs the page's
    /// size budget and buys nothing there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
    pub weekly: Option<WeeklyRule>,
}

/// How a weekly window repeats, in the words of an iCalendar RRULE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyRule {
    /// iCalendar day codes: "MO", "TU", ... "SU".
    pub days: Vec<String>,
    /// Local opening time, "HH:MM".
    pub at: String,
    pub duration_secs: i64,
    /// IANA zone name.
    pub timezone: String,
}

/// Where an occurrence stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    InProgress,
    Completed,
}

impl Phase {
    /// Statuspage's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Upcoming => "scheduled",
            Phase::InProgress => "in_progress",
            Phase::Completed => "completed",
        }
    }
}

impl Announced {
    pub fn phase(&self, now: i64) -> Phase {
        if now < self.start {
            Phase::Upcoming
        } else if now < self.end {
            Phase::InProgress
        } else {
            Phase::Completed
        }
    }

    /// An id for this occurrence: the window's id and its start second.
    pub fn occurrence_id(&self) -> String {
        format!("{}-{}", self.id, self.start.div_euclid(1_000_000_000))
    }

    /// Whether it covers the check titled `check`.
    pub fn covers(&self, check: &str) -> bool {
        self.checks.is_empty() || self.checks.iter().any(|c| c == check)
    }
}

/// The occurrences of several views, each once, by start then id.
pub fn merge_announced<'a>(lists: impl IntoIterator<Item = &'a Announced>) -> Vec<Announced> {
    let mut all: Vec<Announced> = Vec::new();
    for a in lists {
        if !all.iter().any(|b| b.id == a.id && b.start == a.start) {
            all.push(a.clone());
        }
    }
    crate::sorting::sort_by(&mut all, |a, b| {
        a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id))
    });
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: &str, start: i64) -> Announced {
        Announced {
            id: id.into(),
            title: "Database upgrade".into(),
            checks: vec!["DB".into()],
            description: String::new(),
            doc: Vec::new(),
            start,
            end: start + 10,
            announced: start - 100,
            weekly: None,
        }
    }

    #[test]
    fn the_same_occurrence_from_two_nodes_is_kept_once() {
        let a = [at("m-1", 50), at("m-1", 20)];
        let b = [at("m-1", 20), at("m-2", 20)];
        let merged = merge_announced(a.iter().chain(&b));
        let keys: Vec<(&str, i64)> = merged.iter().map(|m| (m.id.as_str(), m.start)).collect();
        assert_eq!(keys, [("m-1", 20), ("m-2", 20), ("m-1", 50)]);
    }

    #[test]
    fn phases_follow_the_clock() {
        let m = at("m-1", 20);
        assert_eq!(m.phase(19), Phase::Upcoming);
        assert_eq!(m.phase(20), Phase::InProgress);
        assert_eq!(m.phase(30), Phase::Completed);
        assert!(m.covers("DB") && !m.covers("Web"));
    }
}
