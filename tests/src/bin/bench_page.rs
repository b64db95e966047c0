//! The page benchmark: for 1, 30 and 90 days of history (50 checks, 3 nodes,
//! 1-minute rounds, written by the generator), the built page is served by
//! Caddy (with gzip, as in production) and loaded in headless Chromium, a
//! fresh browser per run. Read from the Performance API: storage requests,
//! bytes transferred, and the time from navigation until the page has
//! rendered the views (its `checkup:rendered` mark). Prints the median of
//! several runs as a Markdown table.
//!
//! ```text
//! bench_page [--runs 5] [--days 1,30,90] [--checks 50] [--nodes 3]
//! ```
//! Run through `scripts/bench-page`, which builds the page first.

use serde_json::{Value, json};
use system_tests::browser::Browser;
use system_tests::caddy::Caddy;
use system_tests::dist_dir;
use system_tests::history_gen::{Spec, generate};

struct Args {
    runs: usize,
    days: Vec<i64>,
    checks: usize,
    nodes: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runs: 5,
        days: vec![1, 30, 90],
        checks: 50,
        nodes: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |_| format!("{flag}: {value:?} is not a number");
        match flag.as_str() {
            "--runs" => args.runs = value.parse().map_err(bad)?,
            "--checks" => args.checks = value.parse().map_err(bad)?,
            "--nodes" => args.nodes = value.parse().map_err(bad)?,
            "--days" => {
                args.days = value
                    .split(',')
                    .map(|d| {
                        d.trim()
                            .parse()
                            .map_err(|_| format!("--days: {d:?} is not a number"))
                    })
                    .collect::<Result<_, _>>()?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.runs == 0 || args.days.is_empty() {
        return Err("--runs and --days must not be empty".into());
    }
    Ok(args)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// One page load in a fresh browser: (storage requests, storage bytes,
/// page bytes, ms to rendered).
async fn one_load(caddy: &Caddy, checks: usize) -> (f64, f64, f64, f64) {
    let browser = Browser::start(1280, 1000).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let found: Value = loop {
        let v = browser
            .eval(
                "const m = performance.getEntriesByName('checkup:rendered');
                 if (!m.length) return null;
                 const r = performance.getEntriesByType('resource');
                 const storage = r.filter(e => e.name.includes('/results/') || e.name.endsWith('/config.json'));
                 const page = r.filter(e => !storage.includes(e));
                 const sum = l => l.reduce((a, e) => a + e.transferSize, 0);
                 return [storage.length, sum(storage), sum(page), m[0].startTime, document.querySelectorAll('li.check').length];",
            )
            .await;
        if !v.is_null() {
            break v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the page never rendered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(found[4], json!(checks), "every check rendered");
    browser.close().await;
    let f = |i: usize| found[i].as_f64().unwrap_or(0.0);
    (f(0), f(1), f(2), f(3))
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "| history | storage requests | storage bytes (gzip) | page bytes (gzip) | rendered after (median of {}) | checkup's requests |",
        args.runs
    );
    println!("|---|---|---|---|---|---|");
    for &days in &args.days {
        let site = tempfile::tempdir().unwrap();
        let mut spec = Spec::new(&site.path().join("results"));
        spec.days = days;
        spec.checks = args.checks;
        spec.nodes = args.nodes;
        spec.raw_hours = 0;
        generate(&spec);
        std::fs::write(
            site.path().join("config.json"),
            json!({"title": "Benchmark", "storage": {"type": "local", "url": "results/"}, "refresh_interval_secs": 300}).to_string(),
        )
        .unwrap();
        let caddy = Caddy::start_with(&dist_dir(), site.path(), site.path(), "encode gzip");
        // One warm-up load: the first start of Chromium pays for its disk cache.
        one_load(&caddy, args.checks).await;
        let mut loads = Vec::new();
        for _ in 0..args.runs {
            loads.push(one_load(&caddy, args.checks).await);
        }
        let col = |i: usize| median(loads.iter().map(|l| [l.0, l.1, l.2, l.3][i]).collect());
        let checkup = days * 1440 * args.nodes as i64;
        println!(
            "| {days} d | {:.0} | {:.1} KB | {:.1} KB | {:.0} ms | {checkup} |",
            col(0),
            col(1) / 1000.0,
            col(2) / 1000.0,
            col(3),
        );
    }
}
