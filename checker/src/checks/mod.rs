//! Checks: what every kind shares (attempts, spacing, per-attempt timeout,
//! the degraded threshold, and the verdict), and the [`Probe`] trait each kind
//! implements for a single attempt. Kinds are registered in `registry.rs`.
//!
//! A failed check is data, not an error: a probe's `Err` is the attempt's error
//! text, and the result says down. `Err` from building a check means bad config.

mod conditions;
mod dns;
mod domain;
mod exec;
mod grpc;
mod heartbeat;
mod http;
mod icmp;
mod registry;
mod tcp;
mod tls;
mod tls_setup;
mod websocket;

#[cfg(test)]
mod http_live_tests;
#[cfg(test)]
mod kinds_live_tests;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use checkup_model::{Attempt, CheckResult, Stats, Status};

pub use registry::{CHECKS, build};

/// A successful attempt, or one that worked but warrants "degraded"
/// (a certificate about to expire, a command that failed in warning mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempted {
    Ok,
    Warning(String),
    /// Worked, and the probe timed the response itself (ICMP: the median
    /// echo round trip, not the time spent sending several); with a
    /// warning when it warrants "degraded".
    Measured(Duration, Option<String>),
}

/// One attempt of one kind of check.
#[async_trait]
pub trait Probe: Send + Sync {
    /// What is checked, as shown to people: a URL, an address, a command.
    fn endpoint(&self) -> String;

    /// Makes one attempt. `Err` holds why it failed, in words a person understands.
    /// The caller measures time and enforces the timeout (dropping the future,
    /// which must then release what it holds: sockets close, children die).
    async fn attempt(&self) -> Result<Attempted, String>;

    /// Whether an attempt's duration is a response time worth keeping. A
    /// heartbeat's is the microseconds judging takes, which charts would
    /// show as if it were one; its results keep no times.
    fn measures_time(&self) -> bool {
        true
    }

    /// For a heartbeat check, the pings it judges, which the caller keeps
    /// up to date from storage before each round.
    fn ping_feed(&self) -> Option<std::sync::Arc<crate::heartbeat::PingFeed>> {
        None
    }
}

/// Builds a kind's probe from its table (see `registry.rs`).
pub type Builder = fn(&crate::options::Table) -> Result<Box<dyn Probe>, crate::options::FieldError>;

/// Options every check kind takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    pub name: String,
    pub attempts: u32,
    pub attempt_spacing: Duration,
    /// Per attempt.
    pub timeout: Duration,
    /// Median RTT above this makes the check degraded.
    pub threshold_rtt: Option<Duration>,
}

/// A configured check, ready to run.
pub struct Check {
    pub common: Common,
    pub kind: &'static str,
    probe: Box<dyn Probe>,
}

impl Check {
    pub fn endpoint(&self) -> String {
        self.probe.endpoint()
    }

    /// See [`Probe::ping_feed`].
    pub fn ping_feed(&self) -> Option<std::sync::Arc<crate::heartbeat::PingFeed>> {
        self.probe.ping_feed()
    }

    /// Runs every attempt and concludes. Never fails and never takes longer than
    /// attempts × (timeout + spacing).
    pub async fn run(&self) -> CheckResult {
        let timestamp = now_nanos();
        let mut times = Vec::with_capacity(self.common.attempts as usize);
        let mut warnings = Vec::new();
        for i in 0..self.common.attempts {
            if i > 0 && !self.common.attempt_spacing.is_zero() {
                tokio::time::sleep(self.common.attempt_spacing).await;
            }
            let start = Instant::now();
            let outcome = tokio::time::timeout(self.common.timeout, self.probe.attempt()).await;
            let mut rtt = duration_nanos(start.elapsed());
            let error = match outcome {
                Ok(Ok(Attempted::Ok)) => String::new(),
                Ok(Ok(Attempted::Warning(w))) => {
                    warnings.push(w);
                    String::new()
                }
                Ok(Ok(Attempted::Measured(measured, warning))) => {
                    rtt = duration_nanos(measured);
                    warnings.extend(warning);
                    String::new()
                }
                Ok(Err(e)) => e,
                Err(_) => format!(
                    "timed out after {}",
                    humantime::format_duration(self.common.timeout)
                ),
            };
            tracing::debug!(check = %self.common.name, attempt = i + 1, rtt_ns = rtt, error = %error, "attempt finished");
            times.push(Attempt { rtt, error });
        }
        let threshold = self.common.threshold_rtt.map(duration_nanos).unwrap_or(0);
        let (status, notice) = conclude(&times, &warnings, threshold);
        if !self.probe.measures_time() {
            times.clear();
        }
        CheckResult {
            title: self.common.name.clone(),
            endpoint: self.endpoint(),
            timestamp,
            times,
            threshold,
            status,
            notice,
            message: String::new(),
            node: None,
            kind: Some(self.kind.to_string()),
            maintenance: false,
        }
    }
}

/// checkup's verdict: any failed attempt is down; otherwise a warning or a
/// median above the threshold is degraded; otherwise healthy. The notice says
/// why in words. (Warnings are not attempt errors: checkup's own page would
/// read an error as down.)
pub fn conclude(times: &[Attempt], warnings: &[String], threshold: i64) -> (Status, String) {
    let failed: Vec<&str> = times
        .iter()
        .filter(|a| !a.error.is_empty())
        .map(|a| a.error.as_str())
        .collect();
    if let Some(first) = failed.first() {
        let notice = if times.len() == 1 {
            first.to_string()
        } else {
            format!(
                "{} of {} attempts failed: {first}",
                failed.len(),
                times.len()
            )
        };
        return (Status::Down, notice);
    }
    if let Some(first) = warnings.first() {
        return (Status::Degraded, first.clone());
    }
    let median = Stats::of(times).median;
    if threshold > 0 && median > threshold {
        let notice = format!(
            "median response time {} is above the {} threshold",
            format_nanos(median),
            format_nanos(threshold)
        );
        return (Status::Degraded, notice);
    }
    (Status::Healthy, String::new())
}

/// Unix time in nanoseconds.
pub fn now_nanos() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    duration_nanos(since_epoch)
}

pub fn duration_nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// "850µs", "12ms", "1.52s": short and readable at a glance.
pub fn format_nanos(ns: i64) -> String {
    let ns = ns.max(0) as f64;
    if ns < 1e6 {
        format!("{:.0}µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.0}ms", ns / 1e6)
    } else {
        format!("{:.2}s", ns / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(rtt_ms: i64, error: &str) -> Attempt {
        Attempt {
            rtt: rtt_ms * 1_000_000,
            error: error.into(),
        }
    }

    #[test]
    fn any_failed_attempt_is_down_and_the_notice_counts_them() {
        let (s, n) = conclude(
            &[a(1, ""), a(2, "connection refused"), a(3, "reset")],
            &["w".into()],
            0,
        );
        assert_eq!(s, Status::Down);
        assert_eq!(n, "2 of 3 attempts failed: connection refused");
        let (s, n) = conclude(&[a(1, "timed out after 1s")], &[], 0);
        assert_eq!((s, n.as_str()), (Status::Down, "timed out after 1s"));
    }

    #[test]
    fn median_above_threshold_is_degraded() {
        let (s, n) = conclude(&[a(100, ""), a(900, ""), a(800, "")], &[], 500_000_000);
        assert_eq!(s, Status::Degraded);
        assert_eq!(n, "median response time 800ms is above the 500ms threshold");
        let (s, _) = conclude(&[a(100, ""), a(900, ""), a(200, "")], &[], 500_000_000);
        assert_eq!(s, Status::Healthy);
        let (s, _) = conclude(&[a(900, "")], &[], 0);
        assert_eq!(s, Status::Healthy, "no threshold, no degraded");
    }

    #[test]
    fn a_warning_is_degraded_with_its_words() {
        let (s, n) = conclude(&[a(1, "")], &["certificate expires in 3 days".into()], 0);
        assert_eq!(
            (s, n.as_str()),
            (Status::Degraded, "certificate expires in 3 days")
        );
    }

    #[test]
    fn nanos_format_for_people() {
        assert_eq!(format_nanos(850_000), "850µs");
        assert_eq!(format_nanos(12_400_000), "12ms");
        assert_eq!(format_nanos(1_520_000_000), "1.52s");
    }
}
