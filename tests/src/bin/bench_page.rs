//! The page benchmark: for 1, 30 and 90 days of history (50 checks, 3 nodes,
//! 1-minute rounds, written by the generator; several numbers of checks,
//! e.g. `--checks 50,500`, are loaded in turn, run by run, so a busy machine
//! slows them alike), the built page is served by
//! Caddy (with gzip, as in production) and loaded in headless Chromium, a
//! fresh browser per run. The history is in local storage beside the page
//! (served by Caddy), or with `--storage garage` in a Garage bucket that the
//! page reads with a read-only key, as in production on S3. Read from the Performance API: storage requests,
//! bytes transferred, and the time from navigation until the page has
//! rendered the views (its `checkup:rendered` mark). Prints the median of
//! several runs as a Markdown table.
//!
//! With `--refreshes N` (local storage only: the Performance API sees no
//! sizes of cross-origin answers), one more page stays open while each node
//! writes N more rounds, as its checker would (view and latest object), and
//! the bytes and requests of the page's refreshes are summed: a second table.
//!
//! ```text
//! bench_page [--runs 5] [--days 1,30,90] [--checks 50[,500]] [--nodes 3] [--storage local|garage]
//!            [--refreshes 0]
//! ```
//! Run through `scripts/bench-page`, which builds the page first. With
//! `CHECKUP_BENCH_HISTORY=<dir>`, local histories are kept in `<dir>` and
//! reused by later runs (generating 500 checks takes minutes); delete it
//! after changing the view format, or after `--refreshes`, which adds rounds.

use checker::storage::{S3Settings, StorageConfig, StorageKind};
use checkup_model::contract::latest::latest_key;
use checkup_model::contract::node_view::view_key;
use checkup_model::contract::result::Attempt;
use checkup_model::contract::view_summary::summary_key;
use checkup_model::{CheckResult, NodeView, Status};
use serde_json::{Value, json};
use system_tests::browser::Browser;
use system_tests::caddy::Caddy;
use system_tests::garage::{Garage, REGION, allow_cors};
use system_tests::history_gen::{Spec, generate, generate_into};
use system_tests::{dist_dir, latest_of_view};

/// Where the history is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    /// Files beside the page, served by Caddy (`results/`).
    Local,
    /// A Garage bucket, read by the page with a read-only key.
    Garage,
}

struct Args {
    storage: Storage,
    runs: usize,
    days: Vec<i64>,
    checks: Vec<usize>,
    nodes: usize,
    refreshes: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        storage: Storage::Local,
        runs: 5,
        days: vec![1, 30, 90],
        checks: vec![50],
        nodes: 3,
        refreshes: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |_| format!("{flag}: {value:?} is not a number");
        match flag.as_str() {
            "--runs" => args.runs = value.parse().map_err(bad)?,
            "--storage" => {
                args.storage = match value.as_str() {
                    "local" => Storage::Local,
                    "garage" => Storage::Garage,
                    other => return Err(format!("--storage: {other:?} is not local or garage")),
                }
            }
            "--checks" => args.checks = numbers(&flag, &value)?,
            "--nodes" => args.nodes = value.parse().map_err(bad)?,
            "--refreshes" => args.refreshes = value.parse().map_err(bad)?,
            "--days" => args.days = numbers(&flag, &value)?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.runs == 0 || args.days.is_empty() || args.checks.is_empty() {
        return Err("--runs, --days and --checks must not be empty".into());
    }
    if args.refreshes > 0 && args.storage != Storage::Local {
        return Err("--refreshes measures local storage only: the Performance API sees no sizes of cross-origin answers".into());
    }
    Ok(args)
}

/// A comma-separated list of numbers.
fn numbers<T: std::str::FromStr>(flag: &str, value: &str) -> Result<Vec<T>, String> {
    value
        .split(',')
        .map(|d| {
            d.trim()
                .parse()
                .map_err(|_| format!("{flag}: {d:?} is not a number"))
        })
        .collect()
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

/// What one page load measured: counts, bytes, and milliseconds from
/// navigation to each stage.
struct Load {
    storage_requests: f64,
    storage_bytes: f64,
    /// The wasm, JavaScript and CSS as they came over the wire (compressed
    /// bodies, without headers).
    page_bytes: f64,
    /// The wasm file downloaded.
    wasm_loaded: f64,
    /// The wasm compiled and running (`checkup:start`).
    started: f64,
    /// The last view downloaded.
    views_loaded: f64,
    /// The views parsed (`checkup:views`).
    views_parsed: f64,
    /// Laid out and painted (`checkup:rendered`).
    rendered: f64,
    /// The rows that wait for the first paint laid out and painted too
    /// (`checkup:complete`).
    complete: f64,
}

/// Caddy's `encode` as the README configures it: its default list of types
/// leaves out application/wasm.
const ENCODE: &str = "encode {
\t\tgzip
\t\tmatch {
\t\t\theader Content-Type text/*
\t\t\theader Content-Type application/json*
\t\t\theader Content-Type application/javascript*
\t\t\theader Content-Type application/wasm
\t\t}
\t}";

/// One page load in a fresh browser. Storage requests are config.json and
/// those whose URL starts with `storage_url`.
async fn one_load(caddy: &Caddy, storage_url: &str, checks: usize) -> Load {
    let browser = Browser::start(1280, 1000).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let found: Value = loop {
        let v = browser
            .eval(&format!(
                "const at = n => (performance.getEntriesByName('checkup:' + n)[0] || {{startTime: NaN}}).startTime;
                 if (isNaN(at('rendered'))) return null;
                 // A build from before `checkup:complete` draws every row at once
                 // and never sets it: given 3 s.
                 if (isNaN(at('complete')) && performance.now() - at('rendered') < 3000) return null;
                 const rows = document.querySelectorAll('li.check').length;
                 const r = performance.getEntriesByType('resource');
                 const storage = r.filter(e => e.name.startsWith({storage_url:?}) || e.name.endsWith('/config.json'));
                 const page = r.filter(e => /[.](wasm|js|css)$/.test(e.name));
                 const sum = l => l.reduce((a, e) => a + e.transferSize, 0);
                 const bodies = l => l.reduce((a, e) => a + e.encodedBodySize, 0);
                 const wasm = r.filter(e => e.name.endsWith('.wasm')).map(e => e.responseEnd);
                 const views = r.filter(e => e.name.includes('/views/')).map(e => e.responseEnd);
                 return [storage.length, sum(storage), bodies(page), Math.max(...wasm), at('start'),
                         Math.max(...views), at('views'), at('rendered'),
                         rows, at('complete')];",
            ))
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
    assert_eq!(found[8], json!(checks), "every check rendered");
    browser.close().await;
    let f = |i: usize| found[i].as_f64().unwrap_or(f64::NAN);
    Load {
        storage_requests: f(0),
        storage_bytes: f(1),
        page_bytes: f(2),
        wasm_loaded: f(3),
        started: f(4),
        views_loaded: f(5),
        views_parsed: f(6),
        rendered: f(7),
        complete: f(9),
    }
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
        "| history | checks | storage requests | storage bytes | wasm+js+css as served | rendered after (median of {}) | every row after | checkup's requests | wasm loaded | wasm running | views loaded | views parsed |",
        args.runs
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut refreshed = Vec::new();
    for &days in &args.days {
        let mut sites = Vec::new();
        for &checks in &args.checks {
            sites.push(Site::start(&args, days, checks).await);
        }
        // One warm-up load each: the first start of Chromium pays for its disk cache.
        for site in &sites {
            site.load().await;
        }
        // Run by run, each site in turn: what slows the machine slows all.
        let mut loads: Vec<Vec<Load>> = sites.iter().map(|_| Vec::new()).collect();
        for _ in 0..args.runs {
            for (site, loads) in sites.iter().zip(&mut loads) {
                loads.push(site.load().await);
            }
        }
        for (site, loads) in sites.iter().zip(&loads) {
            let col = |of: fn(&Load) -> f64| median(loads.iter().map(of).collect());
            let checkup = days * 1440 * args.nodes as i64;
            let storage_bytes = match site.uploaded {
                Some(bytes) => format!(
                    "{:.1} KB of summaries, as stored (gzip)",
                    bytes as f64 / 1000.0
                ),
                None => format!("{:.1} KB", col(|l| l.storage_bytes) / 1000.0),
            };
            println!(
                "| {days} d | {} | {:.0} | {storage_bytes} | {:.1} KB | {:.0} ms | {:.0} ms | {checkup} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |",
                site.checks,
                col(|l| l.storage_requests),
                col(|l| l.page_bytes) / 1000.0,
                col(|l| l.rendered),
                col(|l| l.complete),
                col(|l| l.wasm_loaded),
                col(|l| l.started),
                col(|l| l.views_loaded),
                col(|l| l.views_parsed),
            );
        }
        if args.refreshes > 0 {
            for site in &sites {
                let r = refreshes(&site.caddy, &site.spec, args.refreshes).await;
                refreshed.push((days, site.checks, r));
            }
        }
    }
    if !refreshed.is_empty() {
        println!();
        println!(
            "| history | checks | refreshes (with a new round) | storage requests per refresh | bytes per refresh | bytes per refresh per node |"
        );
        println!("|---|---|---|---|---|---|");
        for (days, checks, r) in refreshed {
            let per = |v: f64| v / r.refreshes as f64;
            println!(
                "| {days} d | {checks} | {} ({}) | {:.1} | {:.1} KB | {:.1} KB |",
                r.refreshes,
                r.with_new_round,
                per(r.requests),
                per(r.bytes) / 1000.0,
                per(r.bytes) / 1000.0 / r.nodes as f64,
            );
        }
    }
}

/// One history served by its own Caddy, ready to load.
struct Site {
    checks: usize,
    spec: Spec,
    caddy: Caddy,
    storage_url: String,
    /// Bytes the Performance API cannot see (cross-origin), if any.
    uploaded: Option<u64>,
    /// Kept until the loads are done.
    _garage: Option<Garage>,
    _dir: Option<tempfile::TempDir>,
}

impl Site {
    /// Generates `days` of history of `checks` checks and serves it.
    async fn start(args: &Args, days: i64, checks: usize) -> Site {
        let kept = std::env::var_os("CHECKUP_BENCH_HISTORY")
            .filter(|_| args.storage == Storage::Local)
            .map(|d| {
                std::path::PathBuf::from(d).join(format!("{days}d-{checks}c-{}n", args.nodes))
            });
        let temp = kept.is_none().then(|| tempfile::tempdir().unwrap());
        let site = kept.unwrap_or_else(|| temp.as_ref().unwrap().path().to_path_buf());
        let mut spec = Spec::new(&site.join("results"));
        spec.days = days;
        spec.checks = checks;
        spec.nodes = args.nodes;
        spec.raw_hours = 0;
        // A kept history is generated once; a temporary one is new.
        let generated = site.join("results/views/index.json").exists();
        if args.storage == Storage::Local && !generated {
            generate(&spec);
        }
        let caddy = Caddy::start_with(&dist_dir(), &site, &site, ENCODE);
        let mut garage = None;
        let mut uploaded = None;
        let (storage, storage_url) = match args.storage {
            Storage::Local => (
                json!({"type": "local", "url": "results/"}),
                caddy.url("/results/"),
            ),
            Storage::Garage => {
                let (started, storage, bytes) = garage_with_views(&spec, &caddy).await;
                let url = started.endpoint();
                garage = Some(started);
                uploaded = Some(bytes);
                (storage, url)
            }
        };
        std::fs::write(
            site.join("config.json"),
            json!({"title": "Benchmark", "storage": storage, "refresh_interval_secs": 300})
                .to_string(),
        )
        .unwrap();
        Site {
            checks,
            spec,
            caddy,
            storage_url,
            uploaded,
            _garage: garage,
            _dir: temp,
        }
    }

    async fn load(&self) -> Load {
        one_load(&self.caddy, &self.storage_url, self.checks).await
    }
}

/// What the refreshes of one open page moved, in total.
struct Refreshed {
    refreshes: usize,
    /// Refreshes whose latest objects were new (200, not 304).
    with_new_round: usize,
    nodes: usize,
    requests: f64,
    bytes: f64,
}

/// One round's results for the generator's checks, all healthy.
fn round_results(spec: &Spec, node: &str, at: i64) -> Vec<CheckResult> {
    spec.sample_checks()
        .iter()
        .enumerate()
        .map(|(i, check)| CheckResult {
            title: check.title.clone(),
            endpoint: check.endpoint.clone(),
            timestamp: at,
            times: vec![Attempt {
                rtt: (20 + (i as i64 * 37 + at / 1_000_000_000) % 280) * 1_000_000,
                error: String::new(),
            }],
            threshold: 1_000_000_000,
            status: Status::Healthy,
            notice: String::new(),
            message: String::new(),
            node: Some(node.to_string()),
            kind: Some(check.kind.clone()),
            maintenance: false,
        })
        .collect()
}

/// Opens the page with a 2-s refresh, then `count` times: every node writes
/// one more round (its view and its latest object, as the checker does,
/// through the checker's local storage) and the page refreshes once more.
/// Sums the storage requests after the first load and one refresh of the
/// unchanged history.
async fn refreshes(caddy: &Caddy, spec: &Spec, count: usize) -> Refreshed {
    let results = spec.dir.clone();
    let config_path = results.parent().unwrap().join("config.json");
    let config = std::fs::read_to_string(&config_path).unwrap();
    let mut fast: Value = serde_json::from_str(&config).unwrap();
    fast["refresh_interval_secs"] = json!(2);
    std::fs::write(&config_path, fast.to_string()).unwrap();
    let storage = checker::storage::open(&StorageConfig {
        kind: StorageKind::Local {
            dir: results.clone(),
        },
        check_expiry: None,
        interval: std::time::Duration::from_secs(spec.interval as u64),
    })
    .await
    .unwrap();
    let mut views: Vec<NodeView> = spec
        .sample_nodes()
        .iter()
        .map(|node| {
            let text = std::fs::read_to_string(results.join(view_key(node))).unwrap();
            NodeView::parse(&text).unwrap()
        })
        .collect();
    // The generator writes no latest objects; the checker does.
    for view in &views {
        publish(storage.as_ref(), view).await;
    }
    let browser = Browser::start(1280, 1000).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    browser.wait_for("li.check", 60).await;
    let nodes = views.len() as u64;
    // One refresh of the unchanged history first; then the requests so
    // far (the first load and that refresh) are left out of the sums.
    let asked = latest_reads(&browser).await;
    wait_for_latest_reads(&browser, asked + nodes).await;
    let first = browser
        .eval(&format!("return {STORAGE}.length;"))
        .await
        .as_u64()
        .unwrap();
    for _ in 0..count {
        // Written right after a refresh, so the next one (2 s later) finds
        // a new round, as a page refreshing once per interval does.
        let now = checker::checks::now_nanos();
        for view in &mut views {
            let node = view.node.clone();
            view.add_round(now, &round_results(spec, &node, now));
            publish(storage.as_ref(), view).await;
        }
        let asked = latest_reads(&browser).await;
        wait_for_latest_reads(&browser, asked + nodes).await;
    }
    let after = browser
        .eval(&format!(
            "const r = {STORAGE}.slice({first});
             const latest = r.filter(e => e.name.includes('/latest/'));
             return [r.length, r.reduce((a, e) => a + e.transferSize, 0), latest.length,
                     latest.filter(e => e.responseStatus === 200).length];"
        ))
        .await;
    browser.close().await;
    std::fs::write(&config_path, config).unwrap();
    let latest = after[2].as_u64().unwrap();
    Refreshed {
        refreshes: (latest / nodes) as usize,
        with_new_round: (after[3].as_u64().unwrap() / nodes) as usize,
        nodes: views.len(),
        requests: after[0].as_f64().unwrap(),
        bytes: after[1].as_f64().unwrap(),
    }
}

/// The page's storage requests (Resource Timing), as a JavaScript expression.
const STORAGE: &str =
    "performance.getEntriesByType('resource').filter(e => e.name.includes('/results/'))";

/// How many latest objects the page has read.
async fn latest_reads(browser: &Browser) -> u64 {
    browser
        .eval(&format!(
            "return {STORAGE}.filter(e => e.name.includes('/latest/')).length;"
        ))
        .await
        .as_u64()
        .unwrap()
}

async fn wait_for_latest_reads(browser: &Browser, wanted: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while latest_reads(browser).await < wanted {
        assert!(
            std::time::Instant::now() < deadline,
            "the page stopped refreshing"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Writes a node's view, its summary and its latest object, as the checker
/// does after a round.
async fn publish(storage: &dyn checker::storage::Storage, view: &NodeView) {
    let node = &view.node;
    storage
        .put(
            &summary_key(node),
            serde_json::to_vec(&view.summary()).unwrap(),
            "application/json",
        )
        .await
        .unwrap();
    let latest = serde_json::to_vec(&latest_of_view(view, "bench")).unwrap();
    storage
        .put(&latest_key(node), latest, "application/json")
        .await
        .unwrap();
    storage
        .put(
            &view_key(node),
            serde_json::to_vec(view).unwrap(),
            "application/json",
        )
        .await
        .unwrap();
}

/// Starts Garage with a bucket that the generator fills as each node's
/// checker would have (through the checker's storage code, so views are
/// gzipped), and a read-only key for the page; returns the page's storage
/// config and the stored bytes of the summaries. The Performance API cannot see
/// the size of a cross-origin answer (Garage sends no `Timing-Allow-Origin`),
/// and Garage serves objects as stored.
async fn garage_with_views(spec: &Spec, caddy: &Caddy) -> (Garage, Value, u64) {
    const BUCKET: &str = "status";
    const PREFIX: &str = "checkup/";
    let garage = Garage::start();
    garage.create_bucket(BUCKET);
    let writer = garage.create_key("checker", BUCKET, &["--read", "--write", "--owner"]);
    let reader = garage.create_key("page", BUCKET, &["--read"]);
    let storage = StorageConfig {
        kind: StorageKind::S3(S3Settings {
            bucket: BUCKET.into(),
            prefix: PREFIX.into(),
            region: REGION.into(),
            endpoint: Some(garage.endpoint()),
            path_style: true,
            credentials: Some((writer.id.clone(), writer.secret.clone())),
        }),
        check_expiry: None,
        interval: std::time::Duration::from_secs(60),
    };
    let opened = checker::storage::open(&storage)
        .await
        .expect("open the Garage bucket");
    generate_into(spec, opened.as_ref())
        .await
        .expect("write the history into Garage");
    let client = garage.client(&writer);
    let listed = client
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(format!("{PREFIX}views/"))
        .send()
        .await
        .expect("list the views");
    // What the first paint reads: the summaries.
    let bytes = listed
        .contents()
        .iter()
        .filter(|o| o.key().is_some_and(|k| k.ends_with("-summary.json")))
        .filter_map(|o| o.size())
        .sum::<i64>() as u64;
    allow_cors(&client, BUCKET, &caddy.url("")).await;
    let storage = json!({
        "type": "s3", "bucket": BUCKET, "region": REGION, "endpoint": garage.endpoint(),
        "prefix": PREFIX, "access_key_id": reader.id, "secret_access_key": reader.secret
    });
    (garage, storage, bytes)
}
