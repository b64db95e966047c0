//! Prometheus metrics, served as `GET /metrics` on the `listen` address:
//! each check's state and response times, rounds and their duration, the
//! spool, notifications per notifier, storage errors and the build. One
//! set per process, recorded from wherever the event happens; labels are
//! check, node and notifier names (escaped by the encoder), never secrets.

use std::sync::OnceLock;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use checkup_model::{CheckResult, Status};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    check: String,
    node: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    check: String,
    node: String,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NodeLabels {
    node: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NotifierLabels {
    notifier: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

type Seconds = Gauge<f64, AtomicU64>;

/// The storage operations whose failures are counted, by label.
pub const STORAGE_OPERATIONS: [&str; 5] = [
    "store_round",
    "replay_pings",
    "exchange_state",
    "publish_view",
    "publish_feeds",
];
type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Response times from 1 ms to about 33 s, doubling.
fn response_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Rounds from 10 ms to about 5.5 min, doubling.
fn round_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    node: String,
    check_up: Family<CheckLabels, Gauge>,
    check_state: Family<StateLabels, Gauge>,
    check_rtt: Family<CheckLabels, Seconds>,
    check_rtt_histogram: Histograms<CheckLabels>,
    check_last_run: Family<CheckLabels, Seconds>,
    rounds: Family<NodeLabels, Counter>,
    round_duration: Histograms<NodeLabels>,
    rounds_spooled: Counter,
    spool_waiting: Gauge,
    notifications: Family<NotifierLabels, Counter>,
    storage_errors: Family<OperationLabels, Counter>,
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// Sets this process's node name; the first call wins.
pub fn init(node: &str) -> &'static Metrics {
    METRICS.get_or_init(|| Metrics::new(node))
}

/// The process's metrics, if `init` was called (`checker run`); other
/// commands record nothing.
pub fn get() -> Option<&'static Metrics> {
    METRICS.get()
}

impl Metrics {
    fn new(node: &str) -> Metrics {
        let mut registry = Registry::with_prefix("checkup");
        let metrics = Metrics {
            registry: Registry::default(),
            node: node.to_string(),
            check_up: Family::default(),
            check_state: Family::default(),
            check_rtt: Family::default(),
            check_rtt_histogram: Family::new_with_constructor(response_buckets),
            check_last_run: Family::default(),
            rounds: Family::default(),
            round_duration: Family::new_with_constructor(round_buckets),
            rounds_spooled: Counter::default(),
            spool_waiting: Gauge::default(),
            notifications: Family::default(),
            storage_errors: Family::default(),
        };
        registry.register(
            "build",
            "The checker's version",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        registry.register(
            "check_up",
            "1 if the check's last round was healthy or degraded, 0 if down",
            metrics.check_up.clone(),
        );
        registry.register(
            "check_state",
            "1 for the state of the check's last round (healthy, degraded, down), 0 for the others",
            metrics.check_state.clone(),
        );
        registry.register(
            "check_response_seconds",
            "Median response time of the check's last round",
            metrics.check_rtt.clone(),
        );
        registry.register(
            "check_response_time_seconds",
            "Response time of every attempt",
            metrics.check_rtt_histogram.clone(),
        );
        registry.register(
            "check_last_run_timestamp_seconds",
            "When the check last ran, Unix time",
            metrics.check_last_run.clone(),
        );
        registry.register("rounds", "Rounds run", metrics.rounds.clone());
        registry.register(
            "round_duration_seconds",
            "How long a round took, checks to stored",
            metrics.round_duration.clone(),
        );
        registry.register(
            "rounds_spooled",
            "Rounds written to the spool because storage failed",
            metrics.rounds_spooled.clone(),
        );
        registry.register(
            "spool_waiting_rounds",
            "Rounds in the spool waiting for storage",
            metrics.spool_waiting.clone(),
        );
        registry.register(
            "notifications",
            "Notifications per notifier: sent, or failed after every attempt",
            metrics.notifications.clone(),
        );
        registry.register(
            "storage_errors",
            "Storage operations that failed",
            metrics.storage_errors.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    fn check(&self, title: &str) -> CheckLabels {
        CheckLabels {
            check: title.to_string(),
            node: self.node.clone(),
        }
    }

    /// Starts each notifier's counts and each storage operation's errors
    /// at 0, so they are scraped (and `rate()` works) before the first event.
    pub fn start(&self, notifiers: &[&str]) {
        for notifier in notifiers {
            for outcome in ["sent", "failed"] {
                let _ = self.notifications.get_or_create(&NotifierLabels {
                    notifier: notifier.to_string(),
                    outcome,
                });
            }
        }
        for operation in STORAGE_OPERATIONS {
            let _ = self
                .storage_errors
                .get_or_create(&OperationLabels { operation });
        }
    }

    /// A round's results, and how long it took.
    pub fn round(&self, results: &[CheckResult], took: Duration) {
        for result in results {
            let labels = self.check(&result.title);
            self.check_up
                .get_or_create(&labels)
                .set(i64::from(result.status != Status::Down));
            for state in [Status::Healthy, Status::Degraded, Status::Down] {
                self.check_state
                    .get_or_create(&StateLabels {
                        check: result.title.clone(),
                        node: self.node.clone(),
                        state: state.as_str(),
                    })
                    .set(i64::from(result.status == state));
            }
            self.check_last_run
                .get_or_create(&labels)
                .set(result.timestamp as f64 / 1e9);
            if !result.times.is_empty() {
                let stats = checkup_model::Stats::of(&result.times);
                self.check_rtt
                    .get_or_create(&labels)
                    .set(stats.median as f64 / 1e9);
                let histogram = self.check_rtt_histogram.get_or_create(&labels);
                for attempt in &result.times {
                    histogram.observe(attempt.rtt as f64 / 1e9);
                }
            }
        }
        let node = NodeLabels {
            node: self.node.clone(),
        };
        self.rounds.get_or_create(&node).inc();
        self.round_duration
            .get_or_create(&node)
            .observe(took.as_secs_f64());
    }

    /// A round went to the spool; `waiting` are there now.
    pub fn spooled(&self, waiting: usize) {
        self.rounds_spooled.inc();
        self.spool_waiting.set(waiting as i64);
    }

    /// Rounds left in the spool after a replay.
    pub fn spool_waiting(&self, waiting: usize) {
        self.spool_waiting.set(waiting as i64);
    }

    /// One event delivered by `notifier`, or given up on.
    pub fn notification(&self, notifier: &str, sent: bool) {
        self.notifications
            .get_or_create(&NotifierLabels {
                notifier: notifier.to_string(),
                outcome: if sent { "sent" } else { "failed" },
            })
            .inc();
    }

    /// A storage operation (one of [`STORAGE_OPERATIONS`]) failed.
    pub fn storage_error(&self, operation: &'static str) {
        self.storage_errors
            .get_or_create(&OperationLabels { operation })
            .inc();
    }

    /// Everything, in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_inside_their_label() {
        let metrics = Metrics::new("fra\"1");
        let result = CheckResult {
            title: "a\"b\\c\nd".into(),
            endpoint: String::new(),
            timestamp: 1_800_000_000_000_000_000,
            times: vec![checkup_model::Attempt {
                rtt: 2_000_000,
                error: String::new(),
            }],
            threshold: 0,
            status: Status::Down,
            notice: String::new(),
            message: String::new(),
            node: None,
            kind: None,
            maintenance: false,
        };
        metrics.round(&[result], Duration::from_millis(30));
        let text = metrics.encode();
        assert!(
            text.contains(r#"checkup_check_up{check="a\"b\\c\nd",node="fra\"1"} 0"#),
            "{text}"
        );
        assert!(text.contains("checkup_build_info{version=\""), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
