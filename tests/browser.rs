//! The whole path in a real browser: the `checker` binary writes rounds to a
//! local directory, Caddy serves them with the built page, and headless
//! Chromium shows what a visitor would see. Screenshots land in
//! `target/screenshots/` for people to look at.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use checkup_model::ResultFileName;
use serde_json::{Value, json};
use system_tests::browser::{Browser, Engine};
use system_tests::caddy::Caddy;
use system_tests::dist_dir;
use system_tests::process::{checker_bin, free_port};
use system_tests::test_server::TestServer;

const XSS_TITLE: &str = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("results")).unwrap();
        Site { dir }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn results(&self) -> PathBuf {
        self.path().join("results")
    }
    fn write_page_config(&self, value: &Value) {
        fs::write(self.path().join("config.json"), value.to_string()).unwrap();
    }
    /// Runs `checker check --store` with these `[[checks]]`, returning its exit code.
    fn store_round(&self, checks: &str) -> i32 {
        let cfg = self.path().join("checker.toml");
        let text = format!(
            "node = \"test-node\"\n[storage]\ntype = \"local\"\ndir = \"{}\"\n{checks}",
            self.results().display()
        );
        fs::write(&cfg, text).unwrap();
        let out = Command::new(checker_bin())
            .arg("--config")
            .arg(&cfg)
            .args(["check", "--store"])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "checker failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.status.code().unwrap()
    }
}

fn check(name: &str, url: &str, extra: &str) -> String {
    format!(
        "[[checks]]\nname = {}\ntype = \"http\"\nurl = \"{url}\"\n{extra}\n",
        toml_string(name)
    )
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Polls `script` until it returns true.
async fn wait_until(browser: &Browser, script: &str, secs: u64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if browser.eval(script).await == Value::Bool(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: still not true after {secs}s: {script}");
}

/// (title, status, notice) of every check row, in page order.
async fn rows(browser: &Browser) -> Vec<(String, String, String)> {
    let v = browser
        .eval(
            "return Array.from(document.querySelectorAll('li.check')).map(li => [li.dataset.check, li.dataset.status, \
             (li.querySelector('.check-notice') || {textContent: ''}).textContent]);",
        )
        .await;
    serde_json::from_value(v).unwrap()
}

system_tests::in_every_engine!(
    page_shows_each_checks_state_and_fetches_only_new_rounds,
    shows_states_and_fetches_only_new_rounds
);

async fn shows_states_and_fetches_only_new_rounds(engine: Engine) {
    let server = TestServer::start();
    let site = Site::new();
    site.write_page_config(&json!({
        "title": "Test <b>status</b>",
        "storage": {"type": "local", "url": "results/"},
        "refresh_interval_secs": 1,
        "window_hours": 1
    }));
    // A damaged file among the results must be skipped, not break the page.
    let damaged_ts = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        - 1_000_000_000) as i64;
    fs::write(
        site.results()
            .join(format!("{damaged_ts}-other-check.json")),
        "[{\"title\": \"half a fi",
    )
    .unwrap();
    let first_checks = [
        check("API", &server.url("/ok"), ""),
        check(
            "Slow API",
            &server.url("/slow/150"),
            "threshold_rtt = \"50ms\"",
        ),
        check("Broken", &server.url("/status/500"), ""),
        check(XSS_TITLE, &server.url("/ok"), ""),
    ]
    .concat();
    assert_eq!(site.store_round(&first_checks), 1, "a check is down");
    let first_file = fs::read_dir(site.results())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.ends_with("-test-node-check.json"))
        .unwrap();

    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    let browser = Browser::start_in(engine, 1280, 1000).await;
    browser.goto(&caddy.url("/")).await;
    let banner = browser.wait_for("[data-overall]", 20).await;
    assert_eq!(
        banner.attr("data-overall").await.unwrap().as_deref(),
        Some("partial")
    );
    assert!(banner.text().await.unwrap().contains("Partial outage"));

    let got = rows(&browser).await;
    let expected_order: Vec<&str> = vec!["API", "Slow API", "Broken", XSS_TITLE];
    assert_eq!(
        got.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        expected_order,
        "config order"
    );
    assert_eq!(got[0].1, "healthy");
    // One round of data covers none of the uptime spans: the shortest says
    // since when its figure counts, the longer ones do not repeat it.
    let uptimes = browser
        .eval("return [...document.querySelectorAll('li.check[data-check=\"API\"] .uptime dd')].map(d => [d.textContent, d.title]);")
        .await;
    let uptimes: Vec<(String, String)> = serde_json::from_value(uptimes).unwrap();
    assert_eq!(uptimes.len(), 4, "{uptimes:?}");
    assert!(
        uptimes[0].0.starts_with("100.00% since ") && uptimes[0].1.is_empty(),
        "{uptimes:?}"
    );
    for (figure, title) in &uptimes[1..] {
        assert_eq!(figure, "–", "{uptimes:?}");
        assert!(title.starts_with("no data before "), "{uptimes:?}");
    }
    assert_eq!(got[1].1, "degraded");
    assert!(
        got[1].2.contains("above the 50ms threshold"),
        "{:?}",
        got[1]
    );
    assert_eq!(got[2].1, "down");
    assert_eq!(got[2].2, "status 500 Internal Server Error, expected 2xx");

    // Text from storage and config is shown as text and never runs.
    let shown = browser
        .eval("return [document.querySelectorAll('li.check h3')[3].textContent, document.querySelector('h1').textContent, document.title, typeof window.__xss, document.querySelectorAll('main img, main script, h1 b').length];")
        .await;
    assert_eq!(
        shown,
        json!([
            XSS_TITLE,
            "Test <b>status</b>",
            "Partial outage · Test <b>status</b>",
            "undefined",
            0
        ])
    );
    let skipped = browser.wait_for(".skipped", 5).await;
    let summary = skipped.text().await.unwrap();
    assert!(
        summary.starts_with("Files that could not be read and were skipped: 1"),
        "{summary}"
    );
    // Opening it says which file and why.
    browser
        .wait_for(".skipped summary", 5)
        .await
        .click()
        .await
        .unwrap();
    let detail = skipped.text().await.unwrap();
    assert!(
        detail.contains(&format!(
            "For example {damaged_ts}-other-check.json: not a JSON array of results"
        )),
        "{detail}"
    );
    browser.screenshot("local-first-round").await;

    // A new round appears without reloading, and only the new file is fetched.
    site.store_round(&[first_checks, check("Late addition", &server.url("/ok"), "")].concat());
    wait_until(
        &browser,
        "return !!document.querySelector('li.check[data-check=\"Late addition\"]');",
        15,
        "new check shown",
    )
    .await;
    let fetches = browser
        .eval(&format!(
            "const e = performance.getEntriesByType('resource').map(r => r.name); \
             return [e.filter(n => n.endsWith('/results/{first_file}')).length, e.filter(n => n.endsWith('/results/{damaged_ts}-other-check.json')).length, e.filter(n => n.includes('/results/index.json')).length];"
        ))
        .await;
    let counts: Vec<u64> = serde_json::from_value(fetches).unwrap();
    // Refreshes update the page in place: the note opened above stays open.
    assert_eq!(
        browser
            .eval("return document.querySelector('.skipped').open;")
            .await,
        json!(true),
        "a refresh rebuilt the page around the opened skipped-files note"
    );
    assert_eq!(counts[0], 1, "the first round file was downloaded again");
    assert_eq!(counts[1], 1, "the damaged file was retried");
    assert!(counts[2] >= 2, "the index was not re-read: {counts:?}");
    browser.screenshot("local-second-round").await;
    browser.close().await;
}

/// Opens the page with `config` (None: no config.json at all) and returns the
/// text of the problem shown, asserting it is marked fatal or not.
async fn problem_shown(config: Option<&str>, fatal: bool, shot: &str) -> String {
    let site = Site::new();
    if let Some(text) = config {
        fs::write(site.path().join("config.json"), text).unwrap();
    }
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    let browser = Browser::start(800, 600).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    let problem = browser.wait_for(".problem", 20).await;
    assert_eq!(
        problem.attr("data-fatal").await.unwrap().as_deref(),
        Some(if fatal { "true" } else { "false" })
    );
    let text = problem.text().await.unwrap();
    browser.screenshot(shot).await;
    browser.close().await;
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_config_json_is_explained_on_the_page() {
    let text = problem_shown(None, true, "problem-missing-config").await;
    assert!(
        text.contains("Could not load the page configuration (config.json): HTTP 404"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_config_json_is_explained_on_the_page() {
    let text = problem_shown(
        Some("{\"storage\": {\"type\": \"local\", \"url\": 5}}"),
        true,
        "problem-broken-config",
    )
    .await;
    assert!(
        text.contains(
            "(config.json): it is not valid: invalid type: integer `5`, expected a string"
        ),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn storage_that_does_not_answer_is_explained_on_the_page() {
    let closed = free_port();
    let config =
        json!({"storage": {"type": "local", "url": format!("http://127.0.0.1:{closed}/results")}});
    let text = problem_shown(Some(&config.to_string()), false, "problem-storage-down").await;
    assert!(
        text.contains(&format!("Could not load the history views index (http://127.0.0.1:{closed}/results/views/index.json): no answer, or the browser blocked it")),
        "{text}"
    );
}

system_tests::in_every_engine!(
    hostile_stored_files_are_skipped_counted_and_never_run,
    hostile_files_are_skipped_and_never_run
);

async fn hostile_files_are_skipped_and_never_run(engine: Engine) {
    let site = Site::new();
    site.write_page_config(
        &json!({"title": "Hostile", "storage": {"type": "local", "url": "results/"}}),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let ts = |back_secs: i64| now - back_secs * 1_000_000_000;
    let good = format!(
        r#"[{{"title":"Text only","endpoint":"<img src=x onerror=window.__xss=3>","timestamp":{},"times":[{{"rtt":1000000}}],"healthy":true,"message":"<script>window.__xss=4</script><b>bold?</b>"}}]"#,
        ts(5)
    );
    let files: Vec<(String, Vec<u8>)> = vec![
        (format!("{}-n1-check.json", ts(5)), good.into_bytes()),
        (
            format!("{}-n1-check.json", ts(6)),
            br#"[{"title": 5, "healthy": true}]"#.to_vec(),
        ),
        (
            format!("{}-n1-check.json", ts(7)),
            b"<html>not json</html>".to_vec(),
        ),
        (
            format!("{}-n1-check.json", ts(8)),
            br#"[{"title":"cut off","hea"#.to_vec(),
        ),
        // 20 MB: over the page's limit for one round file.
        (format!("{}-n1-check.json", ts(9)), {
            let mut v = b"[".to_vec();
            v.extend(std::iter::repeat_n(b' ', 20_000_000));
            v.push(b']');
            v
        }),
    ];
    let mut index = serde_json::Map::new();
    for (name, bytes) in &files {
        fs::write(site.results().join(name), bytes).unwrap();
        index.insert(
            name.clone(),
            json!(ResultFileName::parse(name).unwrap().timestamp),
        );
    }
    // Entries that look like results but are not, and one pointing elsewhere.
    for name in [
        "notes-n1-check.json.bak",
        "//127.0.0.1:9/1-n1-check.json",
        "../config.json",
    ] {
        index.insert(name.to_string(), json!(ts(4)));
    }
    fs::write(
        site.results().join("index.json"),
        serde_json::Value::Object(index).to_string(),
    )
    .unwrap();

    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    let browser = Browser::start_in(engine, 1000, 700).await;
    browser.goto(&caddy.url("/")).await;
    browser
        .wait_for("li.check[data-check=\"Text only\"]", 20)
        .await;
    let summary = browser
        .wait_for(".skipped summary", 10)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        summary == "Files that could not be read and were skipped: 4",
        "{summary}"
    );
    browser
        .wait_for(".skipped summary", 5)
        .await
        .click()
        .await
        .unwrap();
    let seen = browser
        .eval(
            "return [typeof window.__xss, document.querySelectorAll('main img, main script, main b').length, \
             document.querySelector('.check-endpoint').textContent, document.querySelector('.check-message').textContent, \
             performance.getEntriesByType('resource').filter(r => r.name.includes('notes-') || r.name.includes('127.0.0.1:9') || r.name.endsWith('/config.json') && r.name.includes('results')).length];",
        )
        .await;
    assert_eq!(
        seen,
        json!([
            "undefined",
            0,
            "<img src=x onerror=window.__xss=3>",
            "<script>window.__xss=4</script><b>bold?</b>",
            0
        ])
    );
    browser.screenshot("hostile-files").await;
    browser.close().await;
}
