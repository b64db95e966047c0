//! The checker benchmark: the release `checker` and Vigil each poll the same
//! 1,000 HTTP endpoints on loopback for several rounds; prints round time,
//! CPU per attempt and peak RSS side by side as a Markdown section.
//!
//! Every endpoint is `/delay/<ms>/<index>` on one in-process async server
//! (`system_tests::delay_server`); endpoint `i` of `n` waits
//! `((i * 389) mod n) * max / (n - 1)` ms: an even spread from 0 to `max`,
//! shuffled so slow and fast endpoints alternate in config order (Vigil splits
//! its list into contiguous chunks, one thread each).
//!
//! Measured per round, after one warm-up round that also pays for start-up:
//! - round time: the checker's from its result file (the latest
//!   `timestamp + rtt` of any check, less the round start in the file name);
//!   Vigil's from its own log line "replicas have been probed ... in <d>";
//! - attempts: requests the server answered between two round ends;
//! - CPU: user + system time of the monitor process (`/proc/<pid>/stat`,
//!   which keeps the time of threads that have exited) between two round
//!   ends, so it includes storing the round and idling until the next;
//! - peak RSS: `VmHWM` of `/proc/<pid>/status` after the last round.
//!
//! Usage: see `USAGE` (`bench_checker --help`); `scripts/bench-checker`
//! builds everything and runs it.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use system_tests::delay_server::DelayServer;
use system_tests::process::{ChildGuard, free_port};
use system_tests::workspace_root;

type Error = Box<dyn std::error::Error>;

const USAGE: &str = "usage: bench_checker [--endpoints N] [--max-delay-ms MS] [--rounds N]
    [--interval-secs S] [--concurrency N] [--checker PATH] [--vigil PATH]
    [--vigil-assets DIR] [--no-vigil]
Each flag may also be set as BENCH_<FLAG> (BENCH_ROUNDS=3). Progress goes to
stderr, a Markdown section for BENCHMARKS.md to stdout.";

/// Coprime with 1,000, so endpoint delays are a permutation of an even spread.
const SHUFFLE: u64 = 389;

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_checker: {e}");
        std::process::exit(1);
    }
}

struct Options {
    endpoints: u64,
    max_delay_ms: u64,
    rounds: usize,
    interval_secs: u64,
    concurrency: u64,
    checker: PathBuf,
    vigil: Option<PathBuf>,
    vigil_assets: Option<PathBuf>,
}

impl Options {
    fn parse() -> Result<Options, Error> {
        let mut flags: Vec<(String, String)> = Vec::new();
        let mut no_vigil = std::env::var_os("BENCH_NO_VIGIL").is_some();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                println!("{USAGE}");
                std::process::exit(0);
            }
            if arg == "--no-vigil" {
                no_vigil = true;
                continue;
            }
            let name = arg
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {arg:?}"))?
                .to_string();
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            flags.push((name, value));
        }
        let get = |name: &str| -> Option<String> {
            let env = format!("BENCH_{}", name.replace('-', "_").to_ascii_uppercase());
            flags
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .or_else(|| std::env::var(env).ok())
        };
        let number = |name: &str, default: u64| -> Result<u64, Error> {
            match get(name) {
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("--{name} {v:?} is not a number").into()),
                None => Ok(default),
            }
        };
        let known = [
            "endpoints",
            "max-delay-ms",
            "rounds",
            "interval-secs",
            "concurrency",
            "checker",
            "vigil",
            "vigil-assets",
        ];
        if let Some((n, _)) = flags.iter().find(|(n, _)| !known.contains(&n.as_str())) {
            return Err(format!("unknown flag --{n}").into());
        }
        let options = Options {
            endpoints: number("endpoints", 1000)?,
            max_delay_ms: number("max-delay-ms", 500)?,
            rounds: number("rounds", 5)? as usize,
            interval_secs: number("interval-secs", 10)?,
            concurrency: number("concurrency", 1000)?,
            checker: get("checker")
                .map(PathBuf::from)
                .unwrap_or_else(default_checker),
            vigil: if no_vigil {
                None
            } else {
                get("vigil").map(PathBuf::from).or_else(|| on_path("vigil"))
            },
            vigil_assets: get("vigil-assets").map(PathBuf::from),
        };
        if options.endpoints < 2 || options.rounds == 0 || options.interval_secs == 0 {
            return Err("need at least 2 endpoints, 1 round and a 1 s interval".into());
        }
        if options.concurrency == 0 || options.concurrency > u64::from(u16::MAX) {
            return Err("--concurrency must be 1 to 65535 (Vigil's limit)".into());
        }
        Ok(options)
    }

    /// The delay of endpoint `i`, in milliseconds.
    fn delay_ms(&self, i: u64) -> u64 {
        ((i * SHUFFLE) % self.endpoints) * self.max_delay_ms / (self.endpoints - 1)
    }

    fn url(&self, port: u16, i: u64) -> String {
        format!("http://127.0.0.1:{port}/delay/{}/{i}", self.delay_ms(i))
    }
}

/// The release build of the shared target directory.
fn default_checker() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("release").join("checker")
}

fn on_path(program: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// One monitor's figures for one measured round.
#[derive(Debug, Clone, Copy)]
struct RoundFigures {
    round_ms: f64,
    /// The slowest attempt's round-trip time, where the monitor reports it.
    slowest_ms: Option<f64>,
    attempts: u64,
    cpu_ms: f64,
    /// Checks judged healthy, where the monitor says per check.
    healthy: Option<usize>,
}

struct Outcome {
    label: String,
    version: String,
    rounds: Vec<RoundFigures>,
    /// CPU of start-up and the warm-up round together.
    warmup_cpu_ms: f64,
    peak_rss_kib: u64,
    /// Anything the reader should know about this run.
    note: String,
}

fn run() -> Result<(), Error> {
    let options = Options::parse()?;
    raise_fd_limit();
    if !options.checker.is_file() {
        return Err(format!(
            "{} does not exist: build it with `cargo build --release -p checker` (or pass --checker)",
            options.checker.display()
        )
        .into());
    }
    let load_before = load_average();
    let mut outcomes = Vec::new();
    eprintln!(
        "==> checker: {} endpoints, {} rounds + 1 warm-up, every {} s",
        options.endpoints, options.rounds, options.interval_secs
    );
    outcomes.push(bench_checker(&options)?);
    let mut vigil_missing = None;
    match &options.vigil {
        Some(vigil) => {
            let assets = match &options.vigil_assets {
                Some(a) => a.clone(),
                None => find_vigil_assets().ok_or(
                    "cannot find Vigil's res/assets in ~/.cargo/registry/src (pass --vigil-assets)",
                )?,
            };
            for keep_alive in [true, false] {
                eprintln!(
                    "==> Vigil ({}), same endpoints",
                    if keep_alive {
                        "server keeps connections open"
                    } else {
                        "server closes every connection"
                    }
                );
                outcomes.push(bench_vigil(&options, vigil, &assets, keep_alive)?);
            }
        }
        None => vigil_missing = Some("Vigil was not run (`vigil` not found, or --no-vigil)."),
    }
    // Others' work on the same cores lengthens rounds: the reader should know.
    let load = format!(
        "load average {load_before} before, {} after",
        load_average()
    );
    print!("{}", markdown(&options, &outcomes, vigil_missing, &load));
    Ok(())
}

/// 1,000 checks at once need 1,000 sockets in the monitor and 1,000 in the
/// server; children inherit the raised limit.
fn raise_fd_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

fn bench_checker(options: &Options) -> Result<Outcome, Error> {
    // The checker opens a new connection per attempt whatever the server
    // offers, so keep-alive makes no difference to it.
    let server = DelayServer::start(true);
    let dir = tempfile::tempdir()?;
    let mut config = format!(
        "# Written by bench_checker.\nnode = \"bench\"\ninterval = \"{}s\"\nconcurrency = {}\nstate_dir = \"state\"\n\n[storage]\ntype = \"local\"\ndir = \"results\"\n",
        options.interval_secs, options.concurrency
    );
    for i in 0..options.endpoints {
        write!(
            config,
            "\n[[checks]]\nname = \"endpoint {i:04}\"\ntype = \"http\"\nurl = \"{}\"\n",
            options.url(server.port, i)
        )?;
    }
    let config_path = dir.path().join("checker.toml");
    fs::write(&config_path, config)?;
    let results = dir.path().join("results");
    let log_path = dir.path().join("checker.log");
    let version = output_of(Command::new(&options.checker).arg("--version"));

    let mut guard = ChildGuard::spawn(
        "checker",
        Command::new(&options.checker)
            .arg("--config")
            .arg(&config_path)
            .arg("run")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log_path)?),
    );
    let pid = guard.child.id();
    let deadline = Instant::now()
        + Duration::from_secs((options.rounds as u64 + 1) * options.interval_secs + 120);
    let mut seen: Vec<String> = Vec::new();
    let mut rounds = Vec::new();
    let (mut last_cpu, mut last_hits) = (0.0, server.hits());
    let mut warmup_cpu_ms = 0.0;
    while rounds.len() < options.rounds {
        if Instant::now() > deadline {
            return Err(format!(
                "the checker wrote too few rounds in time; see {}",
                log_path.display()
            )
            .into());
        }
        if let Some(status) = guard.child.try_wait()? {
            return Err(format!("the checker exited ({status}): {}", tail(&log_path)).into());
        }
        let mut new: Vec<String> = match fs::read_dir(&results) {
            Ok(entries) => entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with("-check.json") && !seen.contains(n))
                .collect(),
            Err(_) => Vec::new(),
        };
        if new.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        // Sample first: the round's cost ends when its file lands.
        let (cpu, hits) = (cpu_ms(pid)?, server.hits());
        new.sort();
        let name = new.last().expect("not empty").clone();
        seen.extend(new);
        let figures = read_round(
            &results.join(&name),
            &name,
            cpu - last_cpu,
            hits - last_hits,
        )?;
        if seen.len() == 1 {
            warmup_cpu_ms = cpu;
            eprintln!(
                "    warm-up round: {:.0} ms, CPU {cpu:.0} ms with start-up",
                figures.round_ms
            );
        } else {
            eprintln!(
                "    round {}: {:.0} ms, slowest {:.0} ms, {} attempts, CPU {:.0} ms",
                rounds.len() + 1,
                figures.round_ms,
                figures.slowest_ms.unwrap_or(0.0),
                figures.attempts,
                figures.cpu_ms
            );
            rounds.push(figures);
        }
        (last_cpu, last_hits) = (cpu, hits);
    }
    let peak_rss_kib = vm_hwm_kib(pid)?;
    stop(&mut guard);
    Ok(Outcome {
        label: "checker".into(),
        version,
        rounds,
        warmup_cpu_ms,
        peak_rss_kib,
        note: format!(
            "`concurrency = {}`, one attempt per check, a new connection per attempt, logs at info (one line per check)",
            options.concurrency
        ),
    })
}

/// One round file's figures, with CPU and attempts measured outside it.
fn read_round(path: &Path, name: &str, cpu_ms: f64, attempts: u64) -> Result<RoundFigures, Error> {
    let started = checkup_model::ResultFileName::parse(name)
        .map_err(|e| format!("{name}: {e}"))?
        .timestamp;
    let results = checkup_model::parse_round(&fs::read_to_string(path)?)?;
    let ended = results
        .iter()
        .map(|r| r.timestamp + r.times.iter().map(|a| a.rtt).sum::<i64>())
        .max()
        .unwrap_or(started);
    let slowest = results
        .iter()
        .flat_map(|r| r.times.iter().map(|a| a.rtt))
        .max()
        .unwrap_or(0);
    let healthy = results
        .iter()
        .filter(|r| r.status == checkup_model::Status::Healthy)
        .count();
    if healthy < results.len() {
        let first = results
            .iter()
            .find(|r| r.status != checkup_model::Status::Healthy)
            .expect("one is not healthy");
        eprintln!(
            "    note: {} of {} checks not healthy, e.g. {}: {}",
            results.len() - healthy,
            results.len(),
            first.title,
            first.notice
        );
    }
    Ok(RoundFigures {
        round_ms: (ended - started) as f64 / 1e6,
        slowest_ms: Some(slowest as f64 / 1e6),
        attempts,
        cpu_ms,
        healthy: Some(healthy),
    })
}

fn bench_vigil(
    options: &Options,
    vigil: &Path,
    assets: &Path,
    keep_alive: bool,
) -> Result<Outcome, Error> {
    let server = DelayServer::start(keep_alive);
    let dir = tempfile::tempdir()?;
    let web_port = free_port();
    let local = format!("http://127.0.0.1:{web_port}/");
    // No [notify] and no [plugins] table: Vigil then sends nothing anywhere
    // but to the replicas (all on loopback) and its own web server's clients.
    // poll_retry = 0 and poll_retry_wait = 0: one attempt per replica with no
    // pause before it, as the checker's defaults. GET, as the checker sends
    // (Vigil's default is HEAD).
    let mut config = format!(
        r##"# Written by bench_checker.
[server]
log_level = "info"
inet = "127.0.0.1:{web_port}"
workers = 2
mcp_server = false
manager_token = "bench-manager-token"
reporter_token = "bench-reporter-token"

[assets]
path = "{assets}"

[branding]
page_title = "Benchmark"
page_url = "{local}"
company_name = "Benchmark"
icon_color = "#1972F5"
icon_url = "{local}icon.png"
logo_color = "#1972F5"
logo_url = "{local}logo.svg"
website_url = "{local}"
support_url = "{local}"
custom_html = ""

[metrics]
poll_interval = {interval}
poll_retry = 0
poll_retry_wait = 0
poll_delay_dead = 10
poll_delay_sick = 5
poll_parallelism = {parallelism}

[probe]

[[probe.service]]
id = "bench"
label = "Benchmark endpoints"

[[probe.service.node]]
id = "endpoints"
label = "Endpoints"
mode = "poll"
http_method = "GET"
replicas = [
"##,
        assets = assets.display(),
        interval = options.interval_secs,
        parallelism = options.concurrency,
    );
    for i in 0..options.endpoints {
        writeln!(config, "  \"{}\",", options.url(server.port, i))?;
    }
    config.push_str("]\n");
    let config_path = dir.path().join("config.cfg");
    fs::write(&config_path, config)?;
    let log_path = dir.path().join("vigil.log");
    let version = output_of(Command::new(vigil).arg("--version"));

    let mut guard = ChildGuard::spawn(
        "vigil",
        Command::new(vigil)
            .arg("--config")
            .arg(&config_path)
            .stdout(Stdio::piped())
            .stderr(fs::File::create(dir.path().join("vigil.stderr"))?),
    );
    let pid = guard.child.id();
    let stdout = guard.child.stdout.take().expect("piped stdout");
    // Vigil logs to stdout without timestamps; a reader thread passes on each
    // "probed" line the moment it is written, and keeps the log for errors.
    let (tx, rx) = mpsc::channel::<f64>();
    let log_copy = log_path.clone();
    std::thread::spawn(move || {
        let mut log = fs::File::create(log_copy).ok();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(log) = log.as_mut() {
                let _ = writeln!(log, "{line}");
            }
            if line.contains("replicas have been probed with")
                && let Some(ms) = line.rsplit(" in ").next().and_then(parse_debug_duration_ms)
                && tx.send(ms).is_err()
            {
                return;
            }
        }
    });
    let wait = Duration::from_secs(options.interval_secs + 120);
    let mut rounds = Vec::new();
    let (mut last_cpu, mut last_hits) = (0.0, server.hits());
    let mut warmup_cpu_ms = 0.0;
    for round in 0..=options.rounds {
        let round_ms = match rx.recv_timeout(wait) {
            Ok(ms) => ms,
            Err(_) => {
                let exited = guard.child.try_wait()?;
                return Err(format!(
                    "Vigil finished no round within {wait:?} (exited: {exited:?}): {}",
                    tail(&log_path)
                )
                .into());
            }
        };
        let (cpu, hits) = (cpu_ms(pid)?, server.hits());
        let figures = RoundFigures {
            round_ms,
            slowest_ms: None,
            attempts: hits - last_hits,
            cpu_ms: cpu - last_cpu,
            healthy: None,
        };
        if round == 0 {
            warmup_cpu_ms = cpu;
            eprintln!("    warm-up round: {round_ms:.0} ms, CPU {cpu:.0} ms with start-up");
        } else {
            eprintln!(
                "    round {round}: {round_ms:.0} ms, {} attempts, CPU {:.0} ms",
                figures.attempts, figures.cpu_ms
            );
            rounds.push(figures);
        }
        (last_cpu, last_hits) = (cpu, hits);
    }
    let peak_rss_kib = vm_hwm_kib(pid)?;
    // Vigil's own verdict, from its web server on loopback: all replicas must
    // have answered, or the figures would describe failures.
    let verdict = http_get_body(web_port, "/status/text").unwrap_or_else(|e| format!("({e})"));
    stop(&mut guard);
    Ok(Outcome {
        label: if keep_alive {
            "Vigil".into()
        } else {
            "Vigil, new connection per attempt".into()
        },
        version,
        rounds,
        warmup_cpu_ms,
        peak_rss_kib,
        note: format!(
            "`poll_parallelism = {}`, `poll_retry = 0`, GET; {}; `/status/text` said {:?}",
            options.concurrency,
            if keep_alive {
                "reuses its pooled keep-alive connections from the second round on"
            } else {
                "the server closes every connection, so each attempt connects anew as the checker's do"
            },
            verdict.trim()
        ),
    })
}

/// Where `cargo install vigil-server` unpacked the crate, whose `res/assets`
/// (templates, styles) Vigil refuses to start without.
fn find_vigil_assets() -> Option<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let mut found: Vec<PathBuf> = fs::read_dir(cargo_home.join("registry/src"))
        .ok()?
        .filter_map(|index| fs::read_dir(index.ok()?.path()).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("vigil-server-"))
        })
        .map(|p| p.join("res/assets"))
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found.pop()
}

/// Rust's `{:?}` of a `Duration` ("612.93ms", "1.2s", "950µs") in ms.
fn parse_debug_duration_ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let units = [("ns", 1e-6), ("µs", 1e-3), ("ms", 1.0), ("s", 1e3)];
    units.iter().find_map(|(unit, scale)| {
        text.strip_suffix(unit)
            .and_then(|n| n.parse::<f64>().ok())
            .map(|n| n * scale)
    })
}

/// User + system CPU time of a process and its exited threads, in ms.
fn cpu_ms(pid: u32) -> Result<f64, Error> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which may hold spaces, in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .ok_or("unreadable /proc stat")?
        .1
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15; `fields` starts at field 3.
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Ok(ticks as f64 * 1000.0 / per_second)
}

/// The process's peak resident set size so far, in KiB.
fn vm_hwm_kib(pid: u32) -> Result<u64, Error> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc status")?;
    Ok(line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?)
}

/// SIGTERM, then a few seconds to finish; the guard kills what is left.
fn stop(guard: &mut ChildGuard) {
    // SAFETY: signalling our own child by its pid.
    unsafe {
        libc::kill(guard.child.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = guard.child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn output_of(command: &mut Command) -> String {
    command
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown version".into())
}

fn http_get_body(port: u16, path: &str) -> Result<String, Error> {
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port))?;
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    conn.read_to_string(&mut answer)?;
    Ok(answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or(answer))
}

/// The last lines of a log, for an error message.
fn tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// "612 ms (598–640)": the median and the range over rounds.
fn spread(values: Vec<f64>, decimals: usize) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let m = median(values);
    format!("{m:.decimals$} ({lo:.decimals$}–{hi:.decimals$})")
}

fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let memory_gib = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    // scripts/bench-checker runs this in a network namespace with only
    // loopback when it can: say so, since it proves nothing left the machine.
    let interfaces: Vec<String> = fs::read_to_string("/proc/net/dev")
        .unwrap_or_default()
        .lines()
        .skip(2)
        .filter_map(|l| Some(l.split_once(':')?.0.trim().to_string()))
        .collect();
    let network = if interfaces == ["lo"] {
        "network: loopback only (a namespace of its own)"
    } else {
        "network: the host's (endpoints on loopback)"
    };
    format!(
        "{cores} cores ({model}), {memory_gib:.0} GiB, Linux {}, {network}",
        kernel.trim()
    )
}

/// The one-minute load average, as the kernel reports it.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn markdown(options: &Options, outcomes: &[Outcome], missing: Option<&str>, load: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Machine: {}; run at Unix time {now}, {load}.",
        machine()
    );
    let _ = writeln!(
        out,
        "{} endpoints on one loopback server, delays {}–{} ms spread evenly; {} measured rounds after one warm-up, every {} s. Medians over rounds, (min–max) beside them.\n",
        options.endpoints, 0, options.max_delay_ms, options.rounds, options.interval_secs
    );
    let mut header = String::from("| |");
    let mut rule = String::from("|---|");
    for o in outcomes {
        let _ = write!(header, " {} |", o.label);
        rule.push_str("---|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    let row = |out: &mut String, name: &str, cell: &dyn Fn(&Outcome) -> String| {
        let _ = write!(out, "| {name} |");
        for o in outcomes {
            let _ = write!(out, " {} |", cell(o));
        }
        out.push('\n');
    };
    row(&mut out, "version", &|o| o.version.clone());
    row(&mut out, "round time, ms", &|o| {
        spread(o.rounds.iter().map(|r| r.round_ms).collect(), 0)
    });
    row(&mut out, "slowest endpoint, ms", &|o| {
        let slowest: Vec<f64> = o.rounds.iter().filter_map(|r| r.slowest_ms).collect();
        if slowest.is_empty() {
            format!("{} (set)", options.max_delay_ms)
        } else {
            spread(slowest, 0)
        }
    });
    row(&mut out, "attempts per round", &|o| {
        spread(o.rounds.iter().map(|r| r.attempts as f64).collect(), 0)
    });
    row(&mut out, "healthy per round", &|o| {
        o.rounds
            .iter()
            .map(|r| r.healthy)
            .collect::<Option<Vec<_>>>()
            .map_or("see note".into(), |h| {
                spread(h.into_iter().map(|n| n as f64).collect(), 0)
            })
    });
    row(&mut out, "CPU per round, ms", &|o| {
        spread(o.rounds.iter().map(|r| r.cpu_ms).collect(), 0)
    });
    row(&mut out, "CPU per attempt, ms", &|o| {
        spread(
            o.rounds
                .iter()
                .map(|r| r.cpu_ms / r.attempts.max(1) as f64)
                .collect(),
            3,
        )
    });
    row(&mut out, "start-up + warm-up round CPU, ms", &|o| {
        format!("{:.0}", o.warmup_cpu_ms)
    });
    row(&mut out, "peak RSS, MiB", &|o| {
        format!("{:.1}", o.peak_rss_kib as f64 / 1024.0)
    });
    out.push('\n');
    for o in outcomes {
        let _ = writeln!(out, "- {}: {}.", o.label, o.note);
    }
    if let Some(missing) = missing {
        let _ = writeln!(out, "- {missing}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_durations_in_ms() {
        assert_eq!(parse_debug_duration_ms("612.5ms"), Some(612.5));
        assert_eq!(parse_debug_duration_ms("1.5s"), Some(1500.0));
        let micros = parse_debug_duration_ms("950µs").unwrap();
        assert!((micros - 0.95).abs() < 1e-9, "{micros}");
        assert_eq!(parse_debug_duration_ms("soon"), None);
    }

    #[test]
    fn delays_are_a_shuffled_even_spread() {
        let options = Options {
            endpoints: 1000,
            max_delay_ms: 500,
            rounds: 1,
            interval_secs: 1,
            concurrency: 1,
            checker: PathBuf::new(),
            vigil: None,
            vigil_assets: None,
        };
        let mut delays: Vec<u64> = (0..1000).map(|i| options.delay_ms(i)).collect();
        assert_ne!(delays[1], delays[0] + 1, "neighbours differ widely");
        delays.sort();
        assert_eq!((delays[0], delays[999]), (0, 500));
        assert_eq!(delays[500], 250);
    }
}
