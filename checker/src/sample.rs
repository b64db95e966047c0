//! Sample history written straight into storage: the raw round files of
//! the most recent hours (what the checker would have left), each node's
//! history view over the whole span, built with the same
//! `NodeView::add_round` the checker uses, and the monthly reports of the
//! months that ended in it. [`generate`] writes a local
//! results directory directly; [`generate_into`] writes through the
//! checker's own storage code, so an S3 bucket gets exactly what checkers
//! would have put there (views gzipped). For the demo (its checks, named),
//! screenshots, the browser tests and the page benchmark (`gen_history` is
//! its command line). Never called by `checker` itself.
//!
//! The data is deterministic for a seed: latencies per check with noise, an
//! outage seen everywhere, one seen from a single location, a degraded spell,
//! a maintenance window, and a resolved incident.

use std::path::PathBuf;
use std::time::Instant;

use crate::storage::Storage;
use checkup_model::contract::incident_text::Node;
use checkup_model::contract::node_view::view_key;
use checkup_model::contract::report::report_key;
use checkup_model::contract::view_summary::summary_key;
use checkup_model::{
    Attempt, CheckResult, IncidentState, IncidentUpdate, NodeView, ResultFileName, Status,
};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub dir: PathBuf,
    pub days: i64,
    pub checks: usize,
    pub nodes: usize,
    /// Seconds between rounds.
    pub interval: i64,
    /// Raw round files are written for this many most recent hours.
    pub raw_hours: i64,
    pub seed: u64,
    /// The checks by name; empty: `checks` checks named by [`title`].
    pub check_list: Vec<SampleCheck>,
    /// The nodes by name; empty: `nodes` nodes, node-1, node-2, ...
    pub node_names: Vec<String>,
}

/// One check of a sample history.
#[derive(Debug, Clone)]
pub struct SampleCheck {
    pub title: String,
    pub endpoint: String,
    pub kind: String,
    /// Down in every round with this notice (the demo's checks that are
    /// down on purpose), instead of the usual mostly healthy history.
    pub always_down: Option<String>,
}

impl Spec {
    pub fn new(dir: &std::path::Path) -> Spec {
        Spec {
            dir: dir.to_path_buf(),
            days: 90,
            checks: 50,
            nodes: 3,
            interval: 60,
            raw_hours: 1,
            seed: 1,
            check_list: Vec::new(),
            node_names: Vec::new(),
        }
    }

    /// The checks, named.
    pub fn sample_checks(&self) -> Vec<SampleCheck> {
        if !self.check_list.is_empty() {
            return self.check_list.clone();
        }
        (0..self.checks)
            .map(|c| SampleCheck {
                title: title(c),
                endpoint: format!(
                    "https://{}.example.com/health",
                    title(c).to_lowercase().replace(' ', "-")
                ),
                kind: "http".into(),
                always_down: None,
            })
            .collect()
    }

    /// The nodes, named.
    pub fn sample_nodes(&self) -> Vec<String> {
        if !self.node_names.is_empty() {
            return self.node_names.clone();
        }
        (0..self.nodes).map(|n| format!("node-{}", n + 1)).collect()
    }
}

/// A small deterministic generator (SplitMix64): no dependency, same data
/// for the same seed on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub const NAMES: [&str; 10] = [
    "Website", "API", "Login", "Payments", "Search", "CDN", "Database", "Mail", "DNS", "Webhooks",
];

/// The title of check `i`.
pub fn title(i: usize) -> String {
    if i < NAMES.len() {
        NAMES[i].to_string()
    } else {
        format!("Service {}", i + 1)
    }
}

/// A generated history, in memory: file names (or keys) and their bytes.
pub struct History {
    /// Raw round files of the last `raw_hours`, oldest first.
    pub rounds: Vec<(String, Vec<u8>)>,
    /// Each node's history view and its summary, under their keys
    /// (`views/<node>-history.json`, `views/<node>-summary.json`).
    pub views: Vec<(String, Vec<u8>)>,
    /// The monthly reports of the months that ended in the span, under
    /// their keys (`reports/<node>/<yyyy-mm>.json`).
    pub reports: Vec<(String, Vec<u8>)>,
}

/// Writes the history described by `args` into the local results directory
/// `args.dir`, with the `index.json` files the page reads there. Panics on
/// I/O errors (a test tool).
pub fn generate(args: &Spec) {
    let history = build(args);
    std::fs::create_dir_all(args.dir.join("views")).expect("cannot create the views directory");
    let mut index = serde_json::Map::new();
    for (name, bytes) in &history.rounds {
        std::fs::write(args.dir.join(name), bytes).expect("cannot write a round file");
        let ts = ResultFileName::parse(name)
            .expect("a round file name")
            .timestamp;
        index.insert(name.clone(), ts.into());
    }
    for (key, bytes) in &history.views {
        std::fs::write(args.dir.join(key), bytes).expect("cannot write a view");
    }
    let mut reports = Vec::new();
    for (key, bytes) in &history.reports {
        let path = args.dir.join(key);
        std::fs::create_dir_all(path.parent().expect("reports/<node>/"))
            .expect("cannot create a reports directory");
        std::fs::write(path, bytes).expect("cannot write a report");
        reports.push(key.trim_start_matches("reports/"));
    }
    if !reports.is_empty() {
        reports.sort_unstable();
        std::fs::write(
            args.dir.join("reports/index.json"),
            serde_json::to_vec(&reports).expect("names serialize"),
        )
        .expect("cannot write reports/index.json");
    }
    let names: Vec<&str> = history
        .views
        .iter()
        .map(|(key, _)| key.trim_start_matches("views/"))
        .collect();
    std::fs::write(
        args.dir.join("views/index.json"),
        serde_json::to_vec(&names).expect("names serialize"),
    )
    .expect("cannot write views/index.json");
    std::fs::write(
        args.dir.join("index.json"),
        serde_json::to_vec(&index).expect("index serializes"),
    )
    .expect("cannot write index.json");
}

/// Writes the history described by `args` through the checker's storage
/// (local or S3), as the nodes' checkers would have written it; `args.dir`
/// is not used. Returns what was written.
pub async fn generate_into(
    args: &Spec,
    storage: &dyn Storage,
) -> Result<History, crate::storage::StorageError> {
    let history = build(args);
    for (name, bytes) in &history.rounds {
        let name = ResultFileName::parse(name).expect("a round file name");
        storage.store(&name, bytes.clone()).await?;
    }
    for (key, bytes) in &history.views {
        storage.put(key, bytes.clone(), "application/json").await?;
    }
    for (key, bytes) in &history.reports {
        storage.put(key, bytes.clone(), "application/json").await?;
    }
    Ok(history)
}

/// The history described by `args`, ending at the newest whole interval
/// before now.
pub fn build(args: &Spec) -> History {
    let started = Instant::now();
    let now = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
        / args.interval)
        * args.interval;
    let first = now - args.days * 86_400;
    let raw_from = now - args.raw_hours * 3_600;
    let mut history = History {
        rounds: Vec::new(),
        views: Vec::new(),
        reports: Vec::new(),
    };
    let mut rounds = 0u64;
    let checks = args.sample_checks();
    let nodes = args.sample_nodes();
    for (node_i, node) in nodes.iter().enumerate() {
        let node = node.clone();
        let mut view = NodeView::new(&node);
        view.interval_secs = args.interval;
        let mut rng = Rng(args.seed.wrapping_mul(1000).wrapping_add(node_i as u64));
        let base: Vec<f64> = (0..checks.len())
            .map(|c| 20.0 + ((c * 37) % 280) as f64 + node_i as f64 * 15.0)
            .collect();
        // Set before the rounds, so the monthly reports name it.
        if node_i == 0 && checks.len() > 1 {
            let opened = ((now.div_euclid(86_400) - 20) * 86_400 + 3 * 3_600) * 1_000_000_000;
            let id = format!("{opened}-{node}");
            let update = |state, body: &str, at: i64| IncidentUpdate {
                id: id.clone(),
                title: format!("{} unavailable", checks[1].title),
                checks: vec![checks[1].title.clone()],
                state,
                body: body.into(),
                doc: vec![Node::P(vec![Node::Text(body.into())])],
                timestamp: at,
                node: node.clone(),
            };
            view.incidents = vec![
                update(
                    IncidentState::Investigating,
                    &format!(
                        "Requests to **{}** fail. We are looking into it.",
                        checks[1].title
                    ),
                    opened + 300_000_000_000,
                ),
                update(
                    IncidentState::Identified,
                    "A bad deploy; rolling back.",
                    opened + 3_600_000_000_000,
                ),
                update(
                    IncidentState::Resolved,
                    "Rolled back; all requests succeed again.",
                    opened + 7_300_000_000_000,
                ),
            ];
        }
        let mut t = first;
        while t <= now {
            // Events are placed on UTC days counted back from today, the
            // way the page's daily bars count them.
            let days_ago = now.div_euclid(86_400) - t.div_euclid(86_400);
            let hour = t.rem_euclid(86_400) / 3_600;
            let results: Vec<CheckResult> = (0..checks.len())
                .map(|c| {
                    let check = &checks[c];
                    let mut ms = base[c] * (0.8 + 0.5 * rng.unit());
                    if rng.unit() < 0.01 {
                        ms *= 4.0; // the occasional slow answer
                    }
                    // Outages: check 1 on day 20 for two hours at every
                    // location; check 3 on day 60 at one location only.
                    let outage = (c == 1 && days_ago == 20 && (3..5).contains(&hour))
                        || (c == 3 && node_i == 0 && days_ago == 30 && hour == 14)
                        || (c % 7 == 6 && rng.unit() < 0.00002);
                    let slow = c == 2 && days_ago == 5 && (8..12).contains(&hour);
                    let maintenance = c == 4 && days_ago == 10 && (1..3).contains(&hour);
                    let outage = outage || check.always_down.is_some();
                    let status = if outage {
                        Status::Down
                    } else if slow {
                        ms *= 6.0;
                        Status::Degraded
                    } else {
                        Status::Healthy
                    };
                    let refused = check
                        .always_down
                        .clone()
                        .unwrap_or_else(|| "connection refused".into());
                    CheckResult {
                        title: check.title.clone(),
                        endpoint: check.endpoint.clone(),
                        timestamp: t * 1_000_000_000,
                        // Heartbeats keep no response times, as the checker's don't.
                        times: if check.kind == "heartbeat" {
                            Vec::new()
                        } else {
                            vec![Attempt {
                                rtt: (ms * 1e6) as i64,
                                error: if outage {
                                    refused.clone()
                                } else {
                                    String::new()
                                },
                            }]
                        },
                        threshold: 1_000_000_000,
                        status,
                        notice: match status {
                            Status::Down => refused.clone(),
                            Status::Degraded => "median round trip time exceeded threshold".into(),
                            Status::Healthy => String::new(),
                        },
                        message: String::new(),
                        node: Some(node.clone()),
                        kind: Some(check.kind.clone()),
                        maintenance,
                    }
                })
                .collect();
            let ts = t * 1_000_000_000;
            if let Some(report) = crate::derived::month_report_due(&view, ts) {
                let bytes = crate::derived::reports::encode(&report).expect("reports serialize");
                history
                    .reports
                    .push((report_key(&node, report.month), bytes));
            }
            view.add_round(ts, &results);
            if t > raw_from {
                let name = format!("{ts}-{node}-check.json");
                let bytes = serde_json::to_vec(&results).expect("results serialize");
                history.rounds.push((name, bytes));
            }
            rounds += 1;
            t += args.interval;
        }
        let summary = view.summary();
        for (key, view) in [(view_key(&node), &view), (summary_key(&node), &summary)] {
            let mut bytes = serde_json::to_vec(view).expect("view serializes");
            bytes.push(b'\n');
            eprintln!("{key}: {} bytes", bytes.len());
            history.views.push((key, bytes));
        }
    }
    // Rounds oldest first across nodes, as checkers running side by side
    // would have stored them.
    history.rounds.sort_by(|a, b| a.0.cmp(&b.0));
    eprintln!(
        "{rounds} rounds of {} checks on {} nodes over {} days in {:.1} s; raw files for the last {} h",
        checks.len(),
        nodes.len(),
        args.days,
        started.elapsed().as_secs_f64(),
        args.raw_hours
    );
    history
}
