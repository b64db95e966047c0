//! Heartbeat checks end to end on local storage: a real `checker run`
//! judges pings that real `checker ping` processes write. A job pinging
//! every second keeps its check healthy, and when it stops the check turns
//! down at the first round past period + grace; a wrapped job that exits 3
//! is down with its status and last output line; a run past `max_runtime`
//! is down; a ping storage refuses is spooled, and a later ping stores it
//! with the time it was taken.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use system_tests::process::{ChildGuard, checker_bin, memory_kb};

const CHECKS: &str = r#"
[[checks]]
name = "Pinger"
type = "heartbeat"
period = "2s"
grace = "1s"

[[checks]]
name = "Failing"
type = "heartbeat"
period = "1h"

[[checks]]
name = "Overrun"
type = "heartbeat"
period = "1h"
max_runtime = "2s"

[[checks]]
name = "Spooled"
type = "heartbeat"
schedule = "0 3 * * *"
timezone = "Europe/Berlin"
grace = "30m"
"#;

fn config(dir: &Path, name: &str, state: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(
        &path,
        format!(
            "node = \"n1\"\ninterval = \"1s\"\nstate_dir = \"{}\"\n\
             [storage]\ntype = \"local\"\ndir = \"{}\"\n{CHECKS}",
            dir.join(state).display(),
            dir.join("results").display()
        ),
    )
    .unwrap();
    path
}

fn ping(config: &Path, args: &[&str]) -> Output {
    Command::new(checker_bin())
        .arg("--config")
        .arg(config)
        .arg("ping")
        .args(args)
        .output()
        .unwrap()
}

/// Every stored result of `check`, oldest first: (round start ns, status, notice).
fn results_of(results: &Path, check: &str) -> Vec<(i64, String, String)> {
    let mut rounds: Vec<(i64, PathBuf)> = fs::read_dir(results)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let ts = name.strip_suffix("-n1-check.json")?.parse().ok()?;
            Some((ts, results.join(name)))
        })
        .collect();
    rounds.sort();
    rounds
        .into_iter()
        .filter_map(|(ts, path)| {
            let round: Vec<Value> = serde_json::from_slice(&fs::read(path).ok()?).ok()?;
            let r = round.into_iter().find(|r| r["title"] == check)?;
            // checkup's format: one boolean per state.
            let status = ["down", "degraded", "healthy"]
                .into_iter()
                .find(|s| r[*s] == true)?;
            Some((
                ts,
                status.to_string(),
                r["notice"].as_str().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

/// The pings stored for the check with slug `slug`.
fn pings(results: &Path, slug: &str) -> Vec<Value> {
    let dir = results.join("pings").join(slug);
    let mut names: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    names.sort();
    names
        .iter()
        .map(|p| serde_json::from_slice(&fs::read(p).unwrap()).unwrap())
        .collect()
}

fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "after {secs} s: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn heartbeats_are_judged_from_pings_in_storage() {
    let tmp = tempfile::tempdir().unwrap();
    let node_config = config(tmp.path(), "node.toml", "state");
    let job_config = config(tmp.path(), "job.toml", "jobstate");
    let results = tmp.path().join("results");

    // Bad input names what is wrong.
    let bad = ping(&job_config, &["Nope"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("\"Nope\" is not a heartbeat check")
            && err.contains("Pinger, Failing, Overrun, Spooled"),
        "{err}"
    );

    let log = fs::File::create(tmp.path().join("run.log")).unwrap();
    let mut run = ChildGuard::spawn(
        "checker run",
        Command::new(checker_bin())
            .arg("--config")
            .arg(&node_config)
            .arg("run")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(log),
    );

    // A wrapped job: its output passes through, its status is the ping's
    // and checker ping's own.
    let job = ping(
        &job_config,
        &[
            "Failing",
            "--",
            "sh",
            "-c",
            "echo copying; echo 'disk full' >&2; exit 3",
        ],
    );
    assert_eq!(job.status.code(), Some(3), "{job:?}");
    assert_eq!(String::from_utf8_lossy(&job.stdout), "copying\n");
    assert_eq!(String::from_utf8_lossy(&job.stderr), "disk full\n");
    let failing = pings(&results, "failing");
    assert_eq!(failing.len(), 2, "start and outcome: {failing:?}");
    assert_eq!(failing[0]["kind"], "start");
    assert_eq!(failing[1]["kind"], "fail");
    assert_eq!(failing[1]["exit_code"], 3);
    assert!(failing[1]["duration_ms"].is_u64());

    assert!(ping(&job_config, &["Overrun", "--start"]).status.success());

    // A job pinging every second for 5 s.
    for _ in 0..5 {
        let out = ping(&job_config, &["Pinger"]);
        assert!(out.status.success(), "{out:?}");
        std::thread::sleep(Duration::from_secs(1));
    }
    let last_ping = pings(&results, "pinger")
        .iter()
        .map(|p| p["at"].as_i64().unwrap())
        .max()
        .unwrap();
    let deadline = last_ping + 3_000_000_000;
    wait_for(
        &format!("Pinger turns down: {:?}", results_of(&results, "Pinger")),
        15,
        || {
            results_of(&results, "Pinger")
                .iter()
                .any(|(ts, status, _)| *ts > deadline && status == "down")
        },
    );

    // A ping storage refuses (its directory cannot be made) is spooled...
    fs::create_dir_all(results.join("pings")).unwrap();
    fs::write(results.join("pings/spooled"), "in the way").unwrap();
    let before = ping(&job_config, &["Spooled", "--message", "first"]);
    assert!(before.status.success(), "{before:?}");
    assert!(
        String::from_utf8_lossy(&before.stderr).contains("the ping is spooled (1 waiting)"),
        "{before:?}"
    );
    let taken = checkup_now();
    std::thread::sleep(Duration::from_millis(1500));
    // ... and stored by the next ping once storage works, as of its time.
    fs::remove_file(results.join("pings/spooled")).unwrap();
    let after = ping(&job_config, &["Spooled", "--message", "second"]);
    assert!(after.status.success(), "{after:?}");
    assert!(
        String::from_utf8_lossy(&after.stderr).contains("1 spooled ping(s) stored"),
        "{after:?}"
    );
    let spooled = pings(&results, "spooled");
    assert_eq!(spooled.len(), 2, "{spooled:?}");
    assert_eq!(spooled[0]["message"], "first");
    assert!(spooled[0]["at"].as_i64().unwrap() < taken);
    assert!(spooled[1]["at"].as_i64().unwrap() > taken + 1_000_000_000);

    wait_for("Overrun and Failing are judged", 10, || {
        let last = |c: &str| results_of(&results, c).last().cloned();
        last("Overrun").is_some_and(|r| r.1 == "down")
            && last("Failing").is_some_and(|r| r.1 == "down")
    });
    unsafe { libc::kill(run.child.id() as i32, libc::SIGTERM) };
    assert!(run.child.wait().unwrap().success());

    // Healthy while pinged, down from the first round past period + grace.
    let pinger = results_of(&results, "Pinger");
    let first_ping = pings(&results, "pinger")[0]["at"].as_i64().unwrap();
    for (ts, status, notice) in &pinger {
        if *ts > first_ping && *ts < deadline - 100_000_000 {
            assert_eq!(status, "healthy", "round {ts}: {notice}");
        }
        if *ts > deadline {
            assert_eq!(status, "down", "round {ts}");
            assert!(notice.starts_with("no ping since "), "{notice}");
            assert!(notice.contains(", expected by "), "{notice}");
        }
    }
    let (_, _, failing_notice) = results_of(&results, "Failing").pop().unwrap();
    assert!(
        failing_notice.contains("exited with status 3: disk full"),
        "{failing_notice}"
    );
    let (_, _, overrun_notice) = results_of(&results, "Overrun").pop().unwrap();
    assert!(
        overrun_notice.contains("is still going after 2s (max_runtime)"),
        "{overrun_notice}"
    );
    let (_, spooled_status, _) = results_of(&results, "Spooled").pop().unwrap();
    assert_eq!(spooled_status, "healthy");
}

fn checkup_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64
}

const TOKEN: &str = "a1b2c3d4e5f6g7h8i9j0";

/// Sends `raw` to the listener and returns its answer's status line.
async fn send_raw(port: u16, raw: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    // A refusing server may close before all of a large request is sent.
    let _ = stream.write_all(raw).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-s", "-w", "\n%{http_code}", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
    (code.to_string(), body.trim_end().to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listener_takes_pings_over_http_and_refuses_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let port = system_tests::process::free_port();
    let config = tmp.path().join("listen.toml");
    // One round at start, then none during the test (an hour apart), so
    // no round trims the pings being counted.
    fs::write(
        &config,
        format!(
            "node = \"n1\"\ninterval = \"1h\"\nstate_dir = \"{state}\"\nlisten = \"127.0.0.1:{port}\"\n\
             [storage]\ntype = \"local\"\ndir = \"{results}\"\n\
             [[checks]]\nname = \"Web job\"\ntype = \"heartbeat\"\nperiod = \"1h\"\ntoken = \"{TOKEN}\"\n",
            state = tmp.path().join("state").display(),
            results = tmp.path().join("results").display(),
        ),
    )
    .unwrap();
    let mut run = ChildGuard::spawn_logged(
        "checker run",
        Command::new(checker_bin())
            .arg("--config")
            .arg(&config)
            .arg("run")
            .env("NO_COLOR", "1"),
    );
    run.wait_for_port(port);
    let results = tmp.path().join("results");
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");

    // The URLs a job would use, through curl.
    assert_eq!(
        curl(&[&url(&format!("/ping/{TOKEN}"))]),
        ("200".into(), "OK".into())
    );
    assert_eq!(curl(&[&url(&format!("/ping/{TOKEN}/start"))]).0, "200");
    assert_eq!(
        curl(&[
            "--data-binary",
            "rsync: 2 files vanished",
            &url(&format!("/ping/{TOKEN}/24"))
        ])
        .0,
        "200"
    );
    let stored = pings(&results, "web-job");
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert_eq!(stored[0]["kind"], "success");
    assert_eq!(stored[1]["kind"], "start");
    assert_eq!(stored[2]["kind"], "fail");
    assert_eq!(stored[2]["exit_code"], 24);
    assert_eq!(stored[2]["message"], "rsync: 2 files vanished");
    assert_eq!(stored[2]["host"], "127.0.0.1");

    // Bad and guessed tokens, and other paths, get one answer.
    for path in [
        "/ping/a1b2c3d4e5f6g7h8i9j1".to_string(),
        "/ping/a1b2c3d4e5f6g7h8i9j".to_string(),
        "/ping/".to_string(),
        format!("/ping/{TOKEN}/nope"),
        format!("/ping/{TOKEN}/256"),
        "/".to_string(),
    ] {
        assert_eq!(
            curl(&[&url(&path)]),
            ("404".into(), "not found".into()),
            "{path}"
        );
    }
    assert_eq!(
        curl(&["-X", "DELETE", &url(&format!("/ping/{TOKEN}"))]).0,
        "405"
    );
    // A 1 GB body is refused from its length, without reading it.
    let huge = format!(
        "POST /ping/{TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n{}",
        "x".repeat(64 * 1024)
    );
    assert_eq!(
        send_raw(port, huge.as_bytes()).await,
        "HTTP/1.1 413 Content Too Large"
    );
    let chunked = format!(
        "POST /ping/{TOKEN} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    );
    assert_eq!(
        send_raw(port, chunked.as_bytes()).await,
        "HTTP/1.1 411 Length Required"
    );
    let head = format!(
        "GET /ping/{TOKEN} HTTP/1.1\r\nX: {}\r\n\r\n",
        "y".repeat(20_000)
    );
    assert_eq!(
        send_raw(port, head.as_bytes()).await,
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    assert_eq!(
        pings(&results, "web-job").len(),
        3,
        "refused requests wrote nothing"
    );

    // A slowloris client: half a request, then silence, while the load
    // below runs; it is answered 408 and holds nothing after.
    let slow = tokio::spawn(send_raw(port, b"GET /ping/a1b2"));

    // 1,000 pings a second for 10 s, each with its number.
    let (rss_before, _) = memory_kb(run.child.id());
    let started = Instant::now();
    let mut ticker = tokio::time::interval(Duration::from_millis(1));
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(200));
    let mut tasks = Vec::new();
    for n in 0..10_000u32 {
        ticker.tick().await;
        let permit = std::sync::Arc::clone(&limit).acquire_owned().await.unwrap();
        tasks.push(tokio::spawn(async move {
            let body = format!("load {n}");
            let request = format!(
                "POST /ping/{TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let status = send_raw(port, request.as_bytes()).await;
            drop(permit);
            status
        }));
    }
    let mut statuses = std::collections::BTreeMap::<String, usize>::new();
    for task in tasks {
        *statuses.entry(task.await.unwrap()).or_default() += 1;
    }
    let took = started.elapsed();
    let (rss_after, hwm) = memory_kb(run.child.id());
    eprintln!(
        "listener load: 10000 pings in {:.2} s ({:.0}/s); checker RSS {} KB before, {} KB after, peak {} KB",
        took.as_secs_f64(),
        10_000.0 / took.as_secs_f64(),
        rss_before,
        rss_after,
        hwm
    );
    assert_eq!(
        statuses,
        [("HTTP/1.1 200 OK".to_string(), 10_000)]
            .into_iter()
            .collect(),
        "every ping answered OK"
    );
    assert_eq!(slow.await.unwrap(), "HTTP/1.1 408 Request Timeout");
    assert!(hwm < 200 * 1024, "peak memory {hwm} KB");

    // None lost, none doubled: every number once.
    let mut numbers: Vec<u32> = pings(&results, "web-job")
        .iter()
        .filter_map(|p| p["message"].as_str()?.strip_prefix("load ")?.parse().ok())
        .collect();
    numbers.sort();
    assert_eq!(numbers, (0..10_000).collect::<Vec<u32>>());
    drop(run);
}

/// An object's JSON, gunzipped when the checker stored it gzipped.
async fn get_json(client: &aws_sdk_s3::Client, key: &str) -> Value {
    let bytes = client
        .get_object()
        .bucket("status")
        .key(key)
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        serde_json::from_str(&text).unwrap()
    } else {
        serde_json::from_slice(&bytes).unwrap()
    }
}

/// `node`'s stored results for `check` on Garage: (round start, status).
async fn garage_results(
    client: &aws_sdk_s3::Client,
    node: &str,
    check: &str,
) -> Vec<(i64, String)> {
    let suffix = format!("-{node}-check.json");
    let mut out = Vec::new();
    for key in system_tests::garage::list_keys(client, "status").await {
        let Some(ts) = key
            .strip_prefix("hb/")
            .and_then(|k| k.strip_suffix(&suffix))
            .and_then(|t| t.parse::<i64>().ok())
        else {
            continue;
        };
        let round = get_json(client, &key).await;
        if let Some(r) = round
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["title"] == check)
        {
            let status = ["down", "degraded", "healthy"]
                .into_iter()
                .find(|s| r[*s] == true)
                .unwrap();
            out.push((ts, status.to_string()));
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn on_garage_two_nodes_agree_and_a_ping_outlives_an_outage() {
    let mut garage = system_tests::garage::Garage::start();
    garage.create_bucket("status");
    let key = garage.create_key("checker", "status", &["--read", "--write", "--owner"]);
    let tmp = tempfile::tempdir().unwrap();
    let config = |node: &str| {
        let path = tmp.path().join(format!("{node}.toml"));
        fs::write(
            &path,
            format!(
                "node = \"{node}\"\ninterval = \"1s\"\nstate_dir = \"{}\"\n{}\
                 [[checks]]\nname = \"Pinger\"\ntype = \"heartbeat\"\nperiod = \"3s\"\ngrace = \"1s\"\n",
                tmp.path().join(format!("{node}-state")).display(),
                garage.checker_storage_toml("status", "hb/", &key)
            ),
        )
        .unwrap();
        path
    };
    let job = config("job");
    let _nodes: Vec<ChildGuard> = ["n1", "n2"]
        .iter()
        .map(|node| {
            ChildGuard::spawn(
                "checker run",
                Command::new(checker_bin())
                    .arg("--config")
                    .arg(config(node))
                    .arg("run")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null()),
            )
        })
        .collect();
    let client = garage.client(&key);

    assert!(
        ping(&job, &["Pinger", "--message", "before"])
            .status
            .success()
    );
    // Storage down: the ping is spooled on the job host.
    garage.stop();
    let during = ping(&job, &["Pinger", "--message", "during"]);
    assert!(during.status.success(), "{during:?}");
    assert!(
        String::from_utf8_lossy(&during.stderr).contains("the ping is spooled"),
        "{during:?}"
    );
    let outage_ended = {
        std::thread::sleep(Duration::from_secs(2));
        garage.start_again();
        checkup_now()
    };
    let after = ping(&job, &["Pinger", "--message", "after"]);
    assert!(
        String::from_utf8_lossy(&after.stderr).contains("1 spooled ping(s) stored"),
        "{after:?}"
    );
    let keys: Vec<String> = system_tests::garage::list_keys(&client, "status")
        .await
        .into_iter()
        .filter(|k| k.starts_with("hb/pings/pinger/"))
        .collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    let mut stored = Vec::new();
    for key in &keys {
        stored.push(get_json(&client, key).await);
    }
    let messages: Vec<&str> = stored
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["before", "during", "after"],
        "in the order taken"
    );
    assert!(
        stored[1]["at"].as_i64().unwrap() < outage_ended,
        "the spooled ping keeps the time it was taken"
    );

    // No more pings: both nodes turn down, from the first round past
    // period + grace after the last one.
    let last = stored[2]["at"].as_i64().unwrap();
    let deadline = last + 4_000_000_000;
    let deadline_passed = Instant::now() + Duration::from_secs(20);
    loop {
        let n1 = garage_results(&client, "n1", "Pinger").await;
        let n2 = garage_results(&client, "n2", "Pinger").await;
        let down_after =
            |r: &[(i64, String)]| r.iter().any(|(ts, s)| *ts > deadline && s == "down");
        if down_after(&n1) && down_after(&n2) {
            for (node, results) in [("n1", &n1), ("n2", &n2)] {
                for (ts, status) in results {
                    if *ts > last && *ts < deadline - 100_000_000 {
                        assert_eq!(status, "healthy", "{node} at {ts}");
                    }
                    if *ts > deadline {
                        assert_eq!(status, "down", "{node} at {ts}");
                    }
                }
            }
            break;
        }
        assert!(Instant::now() < deadline_passed, "n1 {n1:?}\nn2 {n2:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
