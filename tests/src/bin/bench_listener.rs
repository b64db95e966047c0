//! The ping listener under load: a `checker run` (the binary named by
//! `CHECKUP_CHECKER_BIN`, or the debug build) with `listen` set, on local
//! storage, and 200 clients sending `POST /ping/<token>` as fast as it
//! answers, each ping its own connection, for `secs` seconds; then at a
//! paced 1,000 a second. Prints a Markdown table: pings a second, answer
//! latency (median, 99th percentile), and the checker's memory.
//! `cargo run --release -p system-tests --bin bench_listener -- [secs]`.

use std::fs;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use system_tests::process::{ChildGuard, checker_bin, free_port, memory_kb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "bench-token-0123456789";
const CLIENTS: usize = 200;

#[tokio::main]
async fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("secs: a number"))
        .unwrap_or(10);
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = tmp.path().join("bench.toml");
    fs::write(
        &config,
        format!(
            "node = \"bench\"\ninterval = \"1h\"\nstate_dir = \"{}\"\nlisten = \"127.0.0.1:{port}\"\n\
             [storage]\ntype = \"local\"\ndir = \"{}\"\n\
             [[checks]]\nname = \"Job\"\ntype = \"heartbeat\"\nperiod = \"1h\"\ntoken = \"{TOKEN}\"\n",
            tmp.path().join("state").display(),
            tmp.path().join("results").display()
        ),
    )
    .unwrap();
    let mut checker = ChildGuard::spawn_logged(
        "checker run",
        Command::new(checker_bin())
            .arg("--config")
            .arg(&config)
            .arg("run"),
    );
    checker.wait_for_port(port);
    let pid = checker.child.id();
    println!(
        "| load | pings | pings/s | median answer | p99 answer | checker RSS after | checker peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|");
    for paced in [None, Some(1000u32)] {
        let (count, took, mut latencies) = load(port, secs, paced).await;
        latencies.sort();
        let pct =
            |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
        let (rss, hwm) = memory_kb(pid);
        let label = match paced {
            None => format!("{CLIENTS} clients, unpaced"),
            Some(rate) => format!("paced, {rate}/s"),
        };
        println!(
            "| {label} | {count} | {:.0} | {:.1} ms | {:.1} ms | {:.1} MB | {:.1} MB |",
            count as f64 / took.as_secs_f64(),
            pct(0.5).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            rss as f64 / 1024.0,
            hwm as f64 / 1024.0
        );
    }
    let stored = fs::read_dir(tmp.path().join("results/pings/job"))
        .map(|d| d.count())
        .unwrap_or(0);
    eprintln!("{stored} ping objects stored");
}

/// Sends pings for `secs`, paced at `rate` a second or as fast as answered;
/// returns how many were answered 200, the time taken, and each latency.
async fn load(port: u16, secs: u64, rate: Option<u32>) -> (usize, Duration, Vec<Duration>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(CLIENTS));
    let started = Instant::now();
    let end = started + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    let mut ticker = rate.map(|r| tokio::time::interval(Duration::from_secs(1) / r));
    while Instant::now() < end {
        if let Some(t) = ticker.as_mut() {
            t.tick().await;
        }
        let permit = Arc::clone(&slots).acquire_owned().await.unwrap();
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let ok = ping(port).await;
            drop(permit);
            ok.then(|| sent.elapsed())
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        if let Some(latency) = task.await.unwrap() {
            latencies.push(latency);
        }
    }
    (latencies.len(), started.elapsed(), latencies)
}

async fn ping(port: u16) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let request =
        format!("POST /ping/{TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nload");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer.starts_with(b"HTTP/1.1 200")
}
