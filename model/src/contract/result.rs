//! One check's result and its attempts, serialized exactly as checkup's JSON.
//!
//! checkup writes `title, endpoint, timestamp, times, threshold, healthy,
//! degraded, down, notice, message`, every one `omitempty` except an attempt's
//! `rtt`. Times are Go `time.Duration`s: integer nanoseconds. We add fields
//! (`node`, `kind`), never rename, so checkup's own files load unchanged.

use serde::{Deserialize, Serialize};

use crate::contract::status::Status;

/// One attempt at a check: its round-trip time and, if it failed, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// Round-trip time in nanoseconds.
    pub rtt: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
}

/// The result of one check in one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WireResult", into = "WireResult")]
pub struct CheckResult {
    /// The check's name; acts as its identity on the page.
    pub title: String,
    /// What was checked: URL, address, command.
    pub endpoint: String,
    /// When the check ran, Unix nanoseconds.
    pub timestamp: i64,
    pub times: Vec<Attempt>,
    /// Median RTT above this (nanoseconds) is degraded; 0 = no threshold.
    pub threshold: i64,
    pub status: Status,
    /// Why the check is degraded or down, in words.
    pub notice: String,
    /// A message an operator attached (shown on the page).
    pub message: String,
    /// The node that ran the check; absent in checkup's files.
    pub node: Option<String>,
    /// The check kind (`http`, ...); absent in checkup's files.
    pub kind: Option<String>,
    /// Ran inside a maintenance window: stored as measured, but not downtime
    /// in uptime arithmetic and not alerted on. Absent (false) in checkup's files.
    pub maintenance: bool,
}

impl CheckResult {
    /// The first attempt error, if any attempt failed.
    pub fn first_error(&self) -> Option<&str> {
        self.times
            .iter()
            .map(|a| a.error.as_str())
            .find(|e| !e.is_empty())
    }
}

/// Why a stored result could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ResultError {
    #[error("result {title:?} has none of healthy, degraded or down set")]
    NoStatus { title: String },
    #[error("not a JSON array of results: {0}")]
    Json(#[from] serde_json::Error),
}

/// Parses one round file: a JSON array of results.
pub fn parse_round(text: &str) -> Result<Vec<CheckResult>, ResultError> {
    Ok(serde_json::from_str(text)?)
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

/// checkup's field layout, flags and all. Only used at the serde edge.
#[derive(Serialize, Deserialize)]
struct WireResult {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    endpoint: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    timestamp: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    times: Vec<Attempt>,
    #[serde(default, skip_serializing_if = "is_zero")]
    threshold: i64,
    #[serde(default, skip_serializing_if = "is_false")]
    healthy: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    degraded: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    down: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    notice: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    node: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    maintenance: bool,
}

impl TryFrom<WireResult> for CheckResult {
    type Error = ResultError;

    fn try_from(w: WireResult) -> Result<Self, Self::Error> {
        // Should a file ever carry more than one flag, the worst one wins.
        let status = if w.down {
            Status::Down
        } else if w.degraded {
            Status::Degraded
        } else if w.healthy {
            Status::Healthy
        } else {
            return Err(ResultError::NoStatus { title: w.title });
        };
        Ok(CheckResult {
            title: w.title,
            endpoint: w.endpoint,
            timestamp: w.timestamp,
            times: w.times,
            threshold: w.threshold,
            status,
            notice: w.notice,
            message: w.message,
            node: w.node,
            kind: w.kind,
            maintenance: w.maintenance,
        })
    }
}

impl From<CheckResult> for WireResult {
    fn from(r: CheckResult) -> Self {
        WireResult {
            title: r.title,
            endpoint: r.endpoint,
            timestamp: r.timestamp,
            times: r.times,
            threshold: r.threshold,
            healthy: r.status == Status::Healthy,
            degraded: r.status == Status::Degraded,
            down: r.status == Status::Down,
            notice: r.notice,
            message: r.message,
            node: r.node,
            kind: r.kind,
            maintenance: r.maintenance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by checkup v1 (`json.NewEncoder(f).Encode(results)`), byte for byte.
    const CHECKUP_FILE: &str = r#"[{"title":"Website","endpoint":"https://example.com","timestamp":1588888888123456789,"times":[{"rtt":102345678},{"rtt":98765432},{"rtt":100000000}],"threshold":80000000,"degraded":true,"notice":"median round trip time exceeded threshold (80ms)"},{"title":"API","endpoint":"https://api.example.com/health","timestamp":1588888888223456789,"times":[{"rtt":5000000000,"error":"Get \"https://api.example.com/health\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"}],"down":true,"message":"We are looking into it."},{"title":"DNS","endpoint":"example.com","timestamp":1588888888323456789,"times":[{"rtt":1234567}],"healthy":true}]
"#;

    #[test]
    fn checkup_files_load_and_round_trip_byte_for_byte() {
        let results = parse_round(CHECKUP_FILE).unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].status, Status::Degraded);
        assert_eq!(results[0].threshold, 80_000_000);
        assert_eq!(results[0].stats().median, 100_000_000);
        assert_eq!(results[1].status, Status::Down);
        assert_eq!(results[1].message, "We are looking into it.");
        assert!(
            results[1]
                .first_error()
                .unwrap()
                .contains("deadline exceeded")
        );
        assert_eq!(results[2].status, Status::Healthy);
        assert_eq!(results[2].node, None);

        let written = serde_json::to_string(&results).unwrap();
        assert_eq!(
            written,
            CHECKUP_FILE.trim_end(),
            "re-serialized file differs from checkup's"
        );
    }

    #[test]
    fn exactly_one_flag_is_written() {
        for status in [Status::Healthy, Status::Degraded, Status::Down] {
            let r = CheckResult {
                title: "t".into(),
                endpoint: String::new(),
                timestamp: 1,
                times: vec![Attempt {
                    rtt: 0,
                    error: String::new(),
                }],
                threshold: 0,
                status,
                notice: String::new(),
                message: String::new(),
                node: Some("n1".into()),
                kind: Some("http".into()),
                maintenance: false,
            };
            let v: serde_json::Value = serde_json::to_value(&r).unwrap();
            let flags: Vec<&str> = ["healthy", "degraded", "down"]
                .into_iter()
                .filter(|f| v.get(*f).is_some())
                .collect();
            assert_eq!(flags, [status.as_str()]);
            assert_eq!(v["times"][0]["rtt"], 0, "rtt is never omitted");
            assert_eq!(v["node"], "n1");
            let back: CheckResult = serde_json::from_value(v).unwrap();
            assert_eq!(back, r);
        }
    }

    #[test]
    fn worst_flag_wins_when_several_are_set() {
        let r: Vec<CheckResult> =
            parse_round(r#"[{"title":"x","healthy":true,"down":true}]"#).unwrap();
        assert_eq!(r[0].status, Status::Down);
    }

    #[test]
    fn a_result_without_status_is_rejected_with_its_title() {
        let err = parse_round(r#"[{"title":"x"}]"#).unwrap_err();
        assert!(err.to_string().contains("\"x\""), "{err}");
    }

    #[test]
    fn wrong_types_are_errors_not_panics() {
        assert!(parse_round(r#"[{"title":5,"healthy":true}]"#).is_err());
        assert!(parse_round(r#"{"title":"x"}"#).is_err());
        assert!(parse_round(r#"[{"title":"x","healthy":tr"#).is_err());
    }
}
