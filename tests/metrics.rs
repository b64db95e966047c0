//! `GET /metrics` from the running checker, parsed by Python's
//! prometheus_client (OpenMetrics parser): the families are there, values
//! follow a check going down and up, notifications are counted per
//! notifier, and names that need escaping stay inside their labels.

use std::fs;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use system_tests::process::{ChildGuard, checker_bin, free_port};
use system_tests::test_server::Recorder;
use system_tests::workspace_root;

/// A check title a naive encoder would break the format with.
const TITLE: &str = "Web \"edge\" \\ eu\nwest";

/// One scrape: the status line's code, the Content-Type and the body.
fn scrape(port: u16) -> (u16, String, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Type: "))
        .unwrap_or_default()
        .to_string();
    (code, content_type, body.to_string())
}

/// The families prometheus_client reads from a scrape.
fn parse(text: &str) -> Vec<Value> {
    let mut child = Command::new("python3")
        .arg(workspace_root().join("tests/src/read_metrics.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\nscrape:\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The value of the sample `name` whose labels include `labels`.
fn sample(families: &[Value], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    families
        .iter()
        .flat_map(|f| f["samples"].as_array().unwrap())
        .find(|s| {
            s["name"] == name
                && labels
                    .iter()
                    .all(|(k, v)| s["labels"][*k].as_str() == Some(*v))
        })
        .map(|s| s["value"].as_f64().unwrap())
}

/// Scrapes until `ready` holds for the parsed families.
fn scrape_until(port: u16, what: &str, ready: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let families = parse(&scrape(port).2);
        if ready(&families) {
            return families;
        }
        assert!(
            Instant::now() < deadline,
            "never {what}: {}",
            serde_json::to_string_pretty(&families).unwrap()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn metrics_follow_checks_rounds_and_notifications() {
    let endpoint = Recorder::start();
    let hooks = Recorder::start();
    let broken = Recorder::start();
    broken.set_status(500);
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("checker.toml"),
        format!(
            "node = \"fra1\"\ninterval = \"1s\"\nstate_dir = \"state\"\nlisten = \"127.0.0.1:{port}\"\n\
             [storage]\ntype = \"local\"\ndir = \"results\"\n\n\
             [[checks]]\nname = {TITLE:?}\ntype = \"http\"\nurl = \"{}\"\n\n\
             [[notifiers]]\nname = \"ops-hook\"\ntype = \"webhook\"\nurl = \"{}\"\nfailure_threshold = 1\nsuccess_threshold = 1\n\n\
             [[notifiers]]\nname = \"broken\"\ntype = \"webhook\"\nurl = \"{}\"\nfailure_threshold = 1\nsend_on_resolved = false\n",
            endpoint.url("/health"),
            hooks.url("/hook/s3cr3t-token"),
            broken.url("/hook/other-secret"),
        ),
    )
    .unwrap();
    let log = fs::File::create(dir.path().join("checker.log")).unwrap();
    let _checker = ChildGuard::spawn(
        "checker run",
        Command::new(checker_bin())
            .current_dir(dir.path())
            .args(["--config", "checker.toml", "run"])
            .stdout(Stdio::null())
            .stderr(log),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the listener never opened");
        std::thread::sleep(Duration::from_millis(50));
    }
    let check = [("check", TITLE), ("node", "fra1")];

    let healthy = scrape_until(port, "two healthy rounds", |f| {
        sample(f, "checkup_rounds_total", &[("node", "fra1")]).unwrap_or(0.0) >= 2.0
    });
    let names: Vec<&str> = healthy
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for family in [
        "checkup_build",
        "checkup_check_up",
        "checkup_check_state",
        "checkup_check_response_seconds",
        "checkup_check_response_time_seconds",
        "checkup_check_last_run_timestamp_seconds",
        "checkup_rounds",
        "checkup_round_duration_seconds",
        "checkup_rounds_spooled",
        "checkup_spool_waiting_rounds",
        "checkup_notifications",
        "checkup_storage_errors",
    ] {
        assert!(names.contains(&family), "{family} missing from {names:?}");
    }
    let kind = |name: &str| {
        healthy.iter().find(|f| f["name"] == name).unwrap()["type"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(kind("checkup_check_response_time_seconds"), "histogram");
    assert_eq!(kind("checkup_rounds"), "counter");
    assert_eq!(kind("checkup_check_up"), "gauge");
    assert_eq!(kind("checkup_build"), "info");
    assert_eq!(sample(&healthy, "checkup_check_up", &check), Some(1.0));
    assert_eq!(
        sample(
            &healthy,
            "checkup_check_state",
            &[check[0], check[1], ("state", "healthy")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &healthy,
            "checkup_check_state",
            &[check[0], check[1], ("state", "down")]
        ),
        Some(0.0)
    );
    let median = sample(&healthy, "checkup_check_response_seconds", &check).unwrap();
    assert!(median > 0.0 && median < 1.0, "median {median}");
    let attempts = sample(
        &healthy,
        "checkup_check_response_time_seconds_count",
        &check,
    )
    .unwrap();
    assert!(attempts >= 2.0, "{attempts} attempts observed");
    assert!(
        sample(
            &healthy,
            "checkup_round_duration_seconds_count",
            &[("node", "fra1")]
        )
        .unwrap()
            >= 2.0
    );
    assert_eq!(
        sample(&healthy, "checkup_spool_waiting_rounds", &[]),
        Some(0.0)
    );
    assert!(
        sample(&healthy, "checkup_build_info", &[]).is_some_and(|v| v == 1.0),
        "build info"
    );

    endpoint.set_status(503);
    let down = scrape_until(port, "down with both notifiers done", |f| {
        sample(f, "checkup_check_up", &check) == Some(0.0)
            && sample(
                f,
                "checkup_notifications_total",
                &[("notifier", "ops-hook"), ("outcome", "sent")],
            ) == Some(1.0)
            && sample(
                f,
                "checkup_notifications_total",
                &[("notifier", "broken"), ("outcome", "failed")],
            ) == Some(1.0)
    });
    assert_eq!(
        sample(
            &down,
            "checkup_check_state",
            &[check[0], check[1], ("state", "down")]
        ),
        Some(1.0)
    );
    assert_eq!(broken.requests().len(), 3, "3 attempts make one failure");

    endpoint.set_status(200);
    scrape_until(port, "up again, resolved sent", |f| {
        sample(f, "checkup_check_up", &check) == Some(1.0)
            && sample(
                f,
                "checkup_notifications_total",
                &[("notifier", "ops-hook"), ("outcome", "sent")],
            ) == Some(2.0)
    });

    let (code, content_type, text) = scrape(port);
    assert_eq!(code, 200);
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    assert!(
        !text.contains("s3cr3t") && !text.contains("other-secret"),
        "{text}"
    );
}
