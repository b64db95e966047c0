//! HTTP checks against a real server on loopback, built from TOML the way a
//! user writes them, and run through the same code path as `checker run`.

use std::path::Path;
use std::time::{Duration, Instant};

use checkup_model::{CheckResult, Status};
use testkit::test_server::TestServer;

use crate::config;
use crate::round::run_round;

/// Runs one round of the checks in `checks_toml` (one or more `[[checks]]`).
async fn round_of(checks_toml: &str) -> Vec<CheckResult> {
    let text = format!("node = \"t\"\n{checks_toml}");
    let cfg = config::from_str(&text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"));
    run_round(&cfg.checks, cfg.concurrency, &cfg.node)
        .await
        .results
}

async fn one(server: &TestServer, path: &str, extra: &str) -> CheckResult {
    let toml = format!(
        "[[checks]]\nname = \"c\"\ntype = \"http\"\nurl = \"{}\"\n{extra}\n",
        server.url(path)
    );
    round_of(&toml).await.remove(0)
}

#[tokio::test]
async fn a_2xx_response_is_healthy_and_the_result_is_complete() {
    let s = TestServer::start();
    let r = one(&s, "/ok", "attempts = 3").await;
    assert_eq!(r.status, Status::Healthy, "{r:?}");
    assert_eq!(r.title, "c");
    assert_eq!(r.endpoint, s.url("/ok"));
    assert_eq!(r.times.len(), 3);
    assert!(r.times.iter().all(|a| a.rtt > 0 && a.error.is_empty()));
    assert_eq!(r.node.as_deref(), Some("t"));
    assert_eq!(r.kind.as_deref(), Some("http"));
    assert_eq!(s.hits(), 3, "one request per attempt");
}

#[tokio::test]
async fn an_unexpected_status_is_down_with_the_status_in_words() {
    let s = TestServer::start();
    let r = one(&s, "/status/503", "").await;
    assert_eq!(r.status, Status::Down);
    assert_eq!(r.notice, "status 503 Service Unavailable, expected 2xx");
    let r = one(&s, "/status/404", "expected_status = [\"200-299\", 404]").await;
    assert_eq!(r.status, Status::Healthy, "{}", r.notice);
    let r = one(&s, "/ok", "expected_status = \"3xx\"").await;
    assert_eq!(r.notice, "status 200 OK, expected 3xx");
}

#[tokio::test]
async fn body_conditions() {
    let s = TestServer::start();
    assert_eq!(
        one(&s, "/ok", "must_contain = \"good\"").await.status,
        Status::Healthy
    );
    let r = one(&s, "/ok", "must_contain = \"great\"").await;
    assert_eq!(
        (r.status, r.notice.as_str()),
        (Status::Down, "response body does not contain \"great\"")
    );
    let r = one(&s, "/ok", "must_not_contain = \"all\"").await;
    assert_eq!(
        (r.status, r.notice.as_str()),
        (Status::Down, "response body contains \"all\"")
    );
}

#[tokio::test]
async fn method_and_headers_are_sent() {
    let s = TestServer::start();
    assert_eq!(
        one(&s, "/method", "method = \"post\"\nmust_contain = \"POST\"")
            .await
            .status,
        Status::Healthy
    );
    let r = one(
        &s,
        "/header/x-probe",
        "headers = { \"X-Probe\" = \"sesame\" }\nmust_contain = \"sesame\"",
    )
    .await;
    assert_eq!(r.status, Status::Healthy, "{}", r.notice);
}

#[tokio::test]
async fn only_max_body_bytes_of_a_huge_body_are_read() {
    let s = TestServer::start();
    // 1 GiB of 'x': reading it all would take long and, unbounded, exhaust memory.
    let started = Instant::now();
    let r = one(
        &s,
        "/big/1073741824",
        "max_body_bytes = 4096\nmust_contain = \"xxxx\"\ntimeout = \"20s\"",
    )
    .await;
    assert_eq!(r.status, Status::Healthy, "{}", r.notice);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "body was not capped: took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn each_attempt_is_cut_off_at_the_timeout() {
    let s = TestServer::start();
    let r = one(&s, "/slow/3000", "timeout = \"200ms\"\nattempts = 2").await;
    assert_eq!(r.status, Status::Down);
    assert_eq!(r.notice, "2 of 2 attempts failed: timed out after 200ms");
    assert!(
        r.times.iter().all(|a| a.rtt < 1_000_000_000),
        "{:?}",
        r.times
    );
}

#[tokio::test]
async fn a_median_above_the_threshold_is_degraded() {
    let s = TestServer::start();
    let r = one(&s, "/slow/120", "threshold_rtt = \"30ms\"\nattempts = 3").await;
    assert_eq!(r.status, Status::Degraded, "{r:?}");
    assert!(
        r.notice.starts_with("median response time "),
        "{}",
        r.notice
    );
    assert!(
        r.notice.ends_with("is above the 30ms threshold"),
        "{}",
        r.notice
    );
    assert_eq!(r.threshold, 30_000_000);
}

#[tokio::test]
async fn connection_refused_is_down_not_an_error() {
    let port = testkit::process::free_port();
    let toml =
        format!("[[checks]]\nname = \"c\"\ntype = \"http\"\nurl = \"http://127.0.0.1:{port}/\"\n");
    let r = round_of(&toml).await.remove(0);
    assert_eq!(r.status, Status::Down);
    assert_eq!(r.notice, "connection failed: connection refused");
}

#[tokio::test]
async fn checks_of_a_round_run_concurrently_and_keep_config_order() {
    let s = TestServer::start();
    let mut toml = String::new();
    for i in 0..8 {
        toml += &format!(
            "[[checks]]\nname = \"c{i}\"\ntype = \"http\"\nurl = \"{}\"\n",
            s.url("/slow/600")
        );
    }
    let started = Instant::now();
    let results = round_of(&toml).await;
    // One after another would take 4.8s.
    assert!(
        started.elapsed() < Duration::from_millis(3000),
        "took {:?}",
        started.elapsed()
    );
    let names: Vec<&str> = results.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(names, ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"]);
}

#[tokio::test]
async fn concurrency_bounds_how_many_run_at_once() {
    let s = TestServer::start();
    let mut toml = "concurrency = 1\n".to_string();
    for i in 0..3 {
        toml += &format!(
            "[[checks]]\nname = \"c{i}\"\ntype = \"http\"\nurl = \"{}\"\n",
            s.url("/slow/300")
        );
    }
    let started = Instant::now();
    let results = round_of(&toml).await;
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "ran in parallel: {:?}",
        started.elapsed()
    );
    assert!(results.iter().all(|r| r.status == Status::Healthy));
}
