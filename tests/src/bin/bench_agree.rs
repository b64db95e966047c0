//! Time from an outage's start to its alert, with 1 and with 3 checker
//! nodes on one local directory, measured side by side in one run
//! (alternating, so a noisy machine hurts both alike). Each run: the nodes
//! start with 1 s rounds and `failure_threshold = 2`, run three rounds, then
//! every node's endpoint starts answering 503; the time until the webhook
//! recorder receives "down" is recorded. Prints a Markdown table.
//! `cargo run --release -p system-tests --bin bench_agree -- [runs]`.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use system_tests::process::{ChildGuard, checker_bin};
use system_tests::test_server::Recorder;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|r| r.parse().expect("runs: a number"))
        .unwrap_or(5);
    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for run in 0..runs {
        for (slot, nodes) in [(0, 1), (1, 3)] {
            let secs = time_to_alert(nodes);
            eprintln!("run {}: {nodes} node(s): {secs:.2} s", run + 1);
            times[slot].push(secs);
        }
    }
    println!("| nodes | runs | median | min | max |");
    println!("|---|---|---|---|---|");
    for (slot, nodes) in [(0, 1), (1, 3)] {
        let t = &mut times[slot];
        t.sort_by(|a, b| a.total_cmp(b));
        println!(
            "| {nodes} | {} | {:.2} s | {:.2} s | {:.2} s |",
            t.len(),
            t[t.len() / 2],
            t[0],
            t[t.len() - 1]
        );
    }
}

/// Seconds from the endpoints failing to the "down" webhook.
fn time_to_alert(nodes: usize) -> f64 {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let hooks = Recorder::start();
    let endpoints: Vec<Recorder> = (0..nodes).map(|_| Recorder::start()).collect();
    let _checkers: Vec<ChildGuard> = endpoints
        .iter()
        .enumerate()
        .map(|(i, endpoint)| {
            let config = tmp.path().join(format!("n{i}.toml"));
            fs::write(
                &config,
                format!(
                    "node = \"n{i}\"\ninterval = \"1s\"\nstate_dir = \"{}\"\n\
                     [storage]\ntype = \"local\"\ndir = \"{}\"\n\
                     [[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n\
                     [[notifiers]]\ntype = \"webhook\"\nurl = \"{}\"\nfailure_threshold = 2\n",
                    tmp.path().join(format!("state-{i}")).display(),
                    results.display(),
                    endpoint.url("/"),
                    hooks.url("/hook"),
                ),
            )
            .unwrap();
            ChildGuard::spawn(
                "checker run",
                Command::new(checker_bin())
                    .arg("--config")
                    .arg(&config)
                    .arg("run")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null()),
            )
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while endpoints.iter().any(|e| e.requests().len() < 3) {
        assert!(Instant::now() < deadline, "the checkers did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    let start = Instant::now();
    for e in &endpoints {
        e.set_status(503);
    }
    loop {
        let down = hooks.requests().iter().any(|r| r.json()["event"] == "down");
        if down {
            return start.elapsed().as_secs_f64();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no alert within 30 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
