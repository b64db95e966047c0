//! Subscribing without the page: three real `checker run` nodes on one
//! directory, with incidents written on different nodes (one through
//! `checker incident`, one hand-written, one malformed) and maintenance
//! announced ahead, weekly and in progress. The Atom feed is read by Python
//! `feedparser` and the calendar by `icalendar` (real consumers from PyPI);
//! the status API is held field for field against Atlassian's documented
//! examples (tests/fixtures/statuspage).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use system_tests::process::{ChildGuard, checker_bin, checker_ok};
use system_tests::read_json;
use system_tests::test_server::TestServer;
use system_tests::workspace_root;

const HOSTILE_TITLE: &str = "<script>alert(1)</script> ]]> \u{1}DB is slow";

/// The weekly window's day: three days after today in its time zone, so
/// whatever the hour the tests run at, it is neither in progress nor
/// about to start, and the feed has its next and its last occurrence.
fn weekly_day(now: i64) -> (&'static str, &'static str) {
    const DAYS: [(&str, &str); 7] = [
        ("mon", "MO"),
        ("tue", "TU"),
        ("wed", "WE"),
        ("thu", "TH"),
        ("fri", "FR"),
        ("sat", "SA"),
        ("sun", "SU"),
    ];
    let today = jiff::Timestamp::from_second(now)
        .unwrap()
        .in_tz("Europe/Berlin")
        .unwrap()
        .weekday()
        .to_monday_zero_offset();
    DAYS[(today as usize + 3) % 7]
}

fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).unwrap().to_string()
}

fn write_config(dir: &Path, node: &str, results: &Path, url: &str, now: i64) -> PathBuf {
    let soon = now - now % 60 + 2 * 3600;
    let config = dir.join(format!("{node}.toml"));
    fs::write(
        &config,
        format!(
            r#"node = "{node}"
interval = "1s"
state_dir = "{state}"

[storage]
type = "local"
dir = "{results}"

[status_page]
title = "Acme status"
url = "https://status.example.com/"

[[checks]]
name = "Web"
type = "http"
url = "{url}"

[[checks]]
name = "DB"
type = "http"
url = "{url}"

[[maintenance]]
name = "db-upgrade"
title = "Database upgrade"
description = "Upgrading **Postgres**. <script>alert(2)</script>"
checks = ["DB"]
start = "{soon_start}"
end = "{soon_end}"
announce = "1d"

[[maintenance]]
title = "Cache flush"
checks = ["Web"]
start = "{now_start}"
end = "{now_end}"

[[maintenance]]
title = "Weekly patching"
every = ["{weekly}"]
at = "02:30"
duration = "1h"
timezone = "Europe/Berlin"
announce = "90d"
"#,
            state = dir.join(format!("state-{node}")).display(),
            results = results.display(),
            soon_start = rfc3339(soon),
            soon_end = rfc3339(soon + 3600),
            now_start = rfc3339(now - 600),
            now_end = rfc3339(now + 3000),
            weekly = weekly_day(now).0,
        ),
    )
    .unwrap();
    config
}

/// Whether `ours` has the shape of the documented `example`: every key the
/// example has, with a value of the same JSON type (a documented `null` may
/// be filled), and no key beyond `extra`. Arrays: each element against the
/// example's first.
fn same_shape(ours: &Value, example: &Value, at: &str, extra: &[&str]) -> Result<(), String> {
    match (ours, example) {
        (_, Value::Null) => Ok(()),
        (Value::Object(o), Value::Object(e)) => {
            for (key, value) in e {
                let Some(mine) = o.get(key) else {
                    return Err(format!("{at}.{key} is missing"));
                };
                same_shape(mine, value, &format!("{at}.{key}"), extra)?;
            }
            match o
                .keys()
                .find(|k| !e.contains_key(*k) && !extra.contains(&k.as_str()))
            {
                Some(k) => Err(format!("{at}.{k} is not in the documented example")),
                None => Ok(()),
            }
        }
        (Value::Array(o), Value::Array(e)) => match e.first() {
            Some(first) => o
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| same_shape(v, first, &format!("{at}[{i}]"), extra)),
            None => Ok(()),
        },
        (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_)) => Ok(()),
        _ => Err(format!("{at} is {ours}, the example has {example}")),
    }
}

#[test]
fn three_nodes_publish_one_feed_calendar_and_status_api() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    fs::create_dir_all(&results).unwrap();
    let server = TestServer::start();
    let now = jiff::Timestamp::now().as_second();
    let configs: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|n| write_config(tmp.path(), n, &results, &server.url("/ok"), now))
        .collect();

    // An incident through the CLI on node a ...
    let opened = checker_ok(
        &configs[0],
        &[
            "incident",
            "open",
            "--title",
            "Login errors",
            "--check",
            "Web",
            "We see **errors**.",
        ],
    );
    assert!(!opened.trim().is_empty());
    // ... one written by hand on node b, with a hostile title ...
    let hand = serde_json::json!({
        "id": format!("{}-b", now * 1_000_000_000),
        "title": HOSTILE_TITLE,
        "checks": ["DB"],
        "state": "identified",
        "body": "Queries <b>time out</b> ]]> sometimes",
        "timestamp": now * 1_000_000_000 + 5,
        "node": "b",
    });
    fs::create_dir_all(results.join("incidents")).unwrap();
    fs::write(
        results.join(format!(
            "incidents/{}-b-incident.json",
            now * 1_000_000_000 + 5
        )),
        serde_json::to_vec(&hand).unwrap(),
    )
    .unwrap();
    // ... and a malformed one, which is skipped with its key named.
    let bad_key = "incidents/1700000000000000000-c-incident.json";
    fs::write(results.join(bad_key), b"{\"id\": 5, <not json").unwrap();

    let logs: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|n| tmp.path().join(format!("{n}.log")))
        .collect();
    let _nodes: Vec<ChildGuard> = configs
        .iter()
        .zip(&logs)
        .map(|(config, log)| {
            ChildGuard::spawn(
                "checker run",
                Command::new(checker_bin())
                    .arg("--config")
                    .arg(config)
                    .arg("run")
                    .env("RUST_LOG", "checker=info")
                    .env("NO_COLOR", "1")
                    .stdout(Stdio::null())
                    .stderr(fs::File::create(log).unwrap()),
            )
        })
        .collect();
    let all_logs = || {
        logs.iter()
            .map(|l| fs::read_to_string(l).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    };
    // Published once every node's view is in (merged files every 5 rounds).
    let summary_path = results.join("api/v2/summary.json");
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let ready = fs::read(&summary_path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .is_some_and(|s| {
                s["incidents"].as_array().is_some_and(|i| i.len() == 2)
                    && ["a", "b", "c"]
                        .iter()
                        .all(|n| results.join(format!("views/{n}-history.json")).exists())
            });
        if ready {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no summary with both incidents\n{}",
            all_logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        all_logs().contains(bad_key),
        "the malformed incident file is named in a warning\n{}",
        all_logs()
    );

    // The feed and the calendar, as real consumers read them.
    let out = Command::new("python3")
        .arg(workspace_root().join("tests/src/read_feeds.py"))
        .arg(results.join("feeds/status.atom"))
        .arg(results.join("maintenance.ics"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    let feed = &read["feed"];
    assert_eq!(
        feed["bozo"], false,
        "well-formed: {}",
        feed["bozo_exception"]
    );
    assert_eq!(feed["version"], "atom10");
    assert_eq!(feed["title"], "Acme status");
    assert_eq!(feed["link"], "https://status.example.com/");
    let entries = feed["entries"].as_array().unwrap();
    let titles: Vec<&str> = entries
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    let ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        entries.len(),
        6,
        "two incidents, four maintenance: {titles:?}"
    );
    for title in [
        "Login errors (Investigating)",
        "<script>alert(1)</script> ]]> DB is slow (Identified)",
        "Maintenance: Database upgrade (Scheduled)",
        "Maintenance: Cache flush (In progress)",
        "Maintenance: Weekly patching (Scheduled)",
        "Maintenance: Weekly patching (Completed)",
    ] {
        assert_eq!(
            titles.iter().filter(|t| **t == title).count(),
            1,
            "{title:?} once in {titles:?}"
        );
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids are unique: {ids:?}");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("tag:status.example.com,2026:")),
        "{ids:?}"
    );
    let updated: Vec<&str> = entries
        .iter()
        .map(|e| e["updated"].as_str().unwrap())
        .collect();
    let mut newest_first = updated.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(updated, newest_first, "newest first");
    for entry in entries {
        let content = entry["content"][0].as_str().unwrap_or_default();
        assert!(
            !content.to_lowercase().contains("<script"),
            "escaped: {content}"
        );
        assert!(
            entry["link"]
                .as_str()
                .unwrap()
                .starts_with("https://status.example.com/#")
        );
    }
    let hostile = entries
        .iter()
        .find(|e| e["title"].as_str().unwrap().starts_with("<script>"))
        .unwrap();
    assert!(
        hostile["content"][0]
            .as_str()
            .unwrap()
            .contains("&lt;b&gt;time out&lt;/b&gt;"),
        "hand-written body stays text: {}",
        hostile["content"][0]
    );

    // The calendar: one-off windows in UTC; the weekly one repeats in its
    // own zone, at 02:30 Berlin time in winter (01:30Z) and summer (00:30Z).
    let calendar = &read["calendar"];
    let events = calendar["events"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(calendar["timezones"], serde_json::json!(["Europe/Berlin"]));
    let upgrade = events
        .iter()
        .find(|e| e["summary"] == "Database upgrade")
        .unwrap();
    let soon = now - now % 60 + 2 * 3600;
    assert_eq!(
        upgrade["start_utc"],
        jiff::Timestamp::from_second(soon)
            .unwrap()
            .strftime("%Y-%m-%dT%H:%M:%S+00:00")
            .to_string()
    );
    assert!(
        upgrade["description"]
            .as_str()
            .unwrap()
            .contains("Affects: DB")
    );
    let weekly = events
        .iter()
        .find(|e| e["summary"] == "Weekly patching")
        .unwrap();
    assert_eq!(weekly["tzid"], "Europe/Berlin");
    assert_eq!(
        weekly["rrule"],
        format!("FREQ=WEEKLY;BYDAY={}", weekly_day(now).1)
    );
    assert_eq!(weekly["duration_secs"], 3600.0);
    let occurrences: Vec<&str> = weekly["occurrences_utc"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    let in_month = |m: &str| {
        occurrences
            .iter()
            .find(|o| &o[5..7] == m)
            .unwrap()
            .to_string()
    };
    assert!(
        in_month("01").ends_with("T01:30:00+00:00"),
        "{occurrences:?}"
    );
    assert!(
        in_month("07").ends_with("T00:30:00+00:00"),
        "{occurrences:?}"
    );

    // The status API against Atlassian's documented examples.
    let fixtures = workspace_root().join("tests/fixtures/statuspage");
    let extra = [
        "time_zone",
        "group",
        "group_id",
        "only_show_if_degraded",
        "showcase",
        "start_date",
    ];
    for (ours, example) in [
        ("status.json", "status.json"),
        ("summary.json", "summary.json"),
        ("components.json", "components.json"),
        ("incidents.json", "incidents.json"),
        ("incidents/unresolved.json", "incidents-unresolved.json"),
        ("scheduled-maintenances.json", "scheduled-maintenances.json"),
        (
            "scheduled-maintenances/upcoming.json",
            "scheduled-maintenances-upcoming.json",
        ),
        (
            "scheduled-maintenances/active.json",
            "scheduled-maintenances-active.json",
        ),
    ] {
        let mine = read_json(&results.join("api/v2").join(ours));
        let documented = read_json(&fixtures.join(example));
        same_shape(&mine, &documented, ours, &extra).unwrap_or_else(|e| panic!("{e}\n{mine:#}"));
    }
    let summary = read_json(&summary_path);
    let components: Vec<(&str, &str)> = summary["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        components,
        [("Web", "under_maintenance"), ("DB", "operational")]
    );
    assert_eq!(summary["status"]["indicator"], "none");
    let unresolved: Vec<&str> = summary["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(unresolved.len(), 2);
    assert!(unresolved.contains(&"investigating") && unresolved.contains(&"identified"));
    let active = read_json(&results.join("api/v2/scheduled-maintenances/active.json"));
    assert_eq!(active["scheduled_maintenances"][0]["name"], "Cache flush");
    assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
    let upcoming = read_json(&results.join("api/v2/scheduled-maintenances/upcoming.json"));
    let mut names: Vec<&str> = upcoming["scheduled_maintenances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Database upgrade", "Weekly patching"]);

    // Per check: the DB feed has what concerns DB, not the Web incident.
    let db = fs::read_to_string(results.join("feeds/db.atom")).unwrap();
    assert!(db.contains("Database upgrade") && !db.contains("Login errors"));
    // Unchanged content is not written again.
    let modified = |p: &Path| fs::metadata(p).unwrap().modified().unwrap();
    let before = modified(&results.join("maintenance.ics"));
    std::thread::sleep(Duration::from_secs(7));
    assert_eq!(
        modified(&results.join("maintenance.ics")),
        before,
        "rewritten without a change"
    );
}
