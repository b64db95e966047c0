//! Monthly reports end to end: `checker rebuild` writes a report for every
//! month that ended in the round files (keeping a stored one that saw more
//! rounds), the running checker writes the month before's report with its
//! first round of a new month, once; and the Reports page (Caddy, in
//! Chromium, Firefox and WebKit) merges the nodes' reports of a month,
//! shows the error budget against `sla`, offers the CSV, and names a
//! report it could not read.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use checkup_model::contract::report::{CheckMonth, Month, MonthReport, ReportIncident};
use checkup_model::{Attempt, CheckResult, IncidentState, IncidentUpdate, Status};
use serde_json::json;
use system_tests::browser::{Browser, Engine};
use system_tests::caddy::Caddy;
use system_tests::dist_dir;
use system_tests::process::{ChildGuard, checker_bin, checker_ok};
use system_tests::read_json;
use system_tests::test_server::TestServer;

const NANOS: i64 = 1_000_000_000;
const HALF_HOUR: i64 = 1_800;

fn month_before(month: Month) -> Month {
    Month::of_secs(month.start_secs() - 1)
}

/// A round of the check "API" at `secs`: down from 03:00 to 04:59 on the
/// last day of `outage_month` (one outage of four rounds), else up in 20 ms.
fn round(secs: i64, outage_month: Month) -> Vec<CheckResult> {
    let last_day = outage_month.end_secs() - 86_400;
    let down = (last_day + 3 * 3_600..last_day + 5 * 3_600).contains(&secs);
    vec![CheckResult {
        title: "API".into(),
        endpoint: "http://127.0.0.1/ok".into(),
        timestamp: secs * NANOS,
        times: vec![Attempt {
            rtt: 20_000_000,
            error: if down {
                "connection refused".into()
            } else {
                String::new()
            },
        }],
        threshold: 0,
        status: if down { Status::Down } else { Status::Healthy },
        notice: if down {
            "connection refused".into()
        } else {
            String::new()
        },
        message: String::new(),
        node: Some("n1".into()),
        kind: Some("http".into()),
        maintenance: false,
    }]
}

/// Runs `checker run` until one more round is stored, then stops it;
/// returns what it logged.
fn run_one_round(config: &Path, results: &Path) -> String {
    let count = || {
        std::fs::read_dir(results)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with("-check.json"))
            })
            .count()
    };
    let wanted = count() + 1;
    let views = results.join("views/n1-history.json");
    let before = std::fs::metadata(&views).and_then(|m| m.modified()).ok();
    let mut run = ChildGuard::spawn_logged(
        "checker run",
        Command::new(checker_bin())
            .arg("--config")
            .arg(config)
            .arg("run"),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    // The round is stored, then the view written after it.
    while count() < wanted || std::fs::metadata(&views).and_then(|m| m.modified()).ok() == before {
        assert!(std::time::Instant::now() < deadline, "no round stored");
        std::thread::sleep(Duration::from_millis(100));
    }
    unsafe { libc::kill(run.child.id() as i32, libc::SIGTERM) };
    let status = run.child.wait().unwrap();
    assert!(status.success(), "checker run exited with {status}");
    run.output()
}

#[test]
fn months_end_with_reports_from_the_checker_and_from_rebuild() {
    let server = TestServer::start();
    let site = tempfile::tempdir().unwrap();
    let results = site.path().join("results");
    std::fs::create_dir_all(results.join("incidents")).unwrap();
    let config = site.path().join("checker.toml");
    std::fs::write(
        &config,
        format!(
            "node = \"n1\"\ninterval = \"30m\"\nstate_dir = \"state\"\n\
             [storage]\ntype = \"local\"\ndir = \"results\"\n\
             [[checks]]\nname = \"API\"\ntype = \"http\"\nurl = \"{}\"\n",
            server.url("/ok")
        ),
    )
    .unwrap();

    // Two days of rounds either side of the turn of the month before last.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let last = month_before(Month::of_secs(now));
    let before = month_before(last);
    let mut secs = last.start_secs() - 2 * 86_400;
    while secs < last.start_secs() + 2 * 86_400 {
        let bytes = serde_json::to_vec(&round(secs, before)).unwrap();
        std::fs::write(
            results.join(format!("{}-n1-check.json", secs * NANOS)),
            bytes,
        )
        .unwrap();
        secs += HALF_HOUR;
    }
    // An incident of the outage, opened and resolved that day.
    let outage_day = before.end_secs() - 86_400;
    for (at, state) in [
        (3 * 3_600 + 600, IncidentState::Investigating),
        (5 * 3_600, IncidentState::Resolved),
    ] {
        let update = IncidentUpdate {
            id: format!("{}-n1", (outage_day + 3 * 3_600 + 600) * NANOS),
            title: "API refuses connections".into(),
            checks: vec!["API".into()],
            state,
            body: String::new(),
            doc: Vec::new(),
            timestamp: (outage_day + at) * NANOS,
            node: "n1".into(),
        };
        std::fs::write(
            results.join(update.key()),
            serde_json::to_vec(&update).unwrap(),
        )
        .unwrap();
    }

    // Rebuild: the month that ended in the files gets its report.
    let rebuilt = checker_ok(&config, &["rebuild"]);
    assert!(rebuilt.contains("1 monthly reports written"), "{rebuilt}");
    let before_path = results.join(format!("reports/n1/{before}.json"));
    let report = read_json(&before_path);
    assert_eq!(report["month"], before.to_string());
    assert_eq!(report["node"], "n1");
    let api = &report["checks"][0];
    assert_eq!(api["title"], "API");
    assert_eq!(api["rounds"], 96, "two days of rounds every 30 minutes");
    assert_eq!(api["down"], 4);
    assert_eq!(
        api["outages"], 1,
        "four rounds down in a row are one outage"
    );
    assert_eq!(
        api["down_secs"],
        4 * HALF_HOUR,
        "each down round is one interval"
    );
    assert_eq!(api["uptime"].as_f64().unwrap(), 92.0 / 96.0);
    let p50 = api["p50_us"].as_u64().unwrap();
    assert!(
        (19_500..=20_500).contains(&p50),
        "median {p50} µs of 20 ms rounds"
    );
    assert_eq!(report["incidents"][0]["title"], "API refuses connections");
    assert_eq!(
        report["incidents"][0]["resolved"],
        (outage_day + 5 * 3_600) * NANOS
    );
    assert_eq!(
        read_json(&results.join("reports/index.json")),
        json!([format!("n1/{before}.json")])
    );
    assert!(
        !results.join(format!("reports/n1/{last}.json")).exists(),
        "the newest month in the files has not ended for them"
    );

    // A stored report that saw more rounds (the round files behind it are
    // gone) stays; one that saw fewer is replaced, and so is one that saw
    // as many (the first after an upgrade lacks the month's start in its
    // response times).
    let mut richer = report.clone();
    richer["checks"][0]["rounds"] = json!(1_000);
    std::fs::write(&before_path, richer.to_string()).unwrap();
    let again = checker_ok(&config, &["rebuild"]);
    assert!(
        again.contains("0 monthly reports written (1 stored ones kept"),
        "{again}"
    );
    assert_eq!(read_json(&before_path), richer);
    let mut poorer = report.clone();
    poorer["checks"][0]["rounds"] = json!(5);
    std::fs::write(&before_path, poorer.to_string()).unwrap();
    let again = checker_ok(&config, &["rebuild"]);
    assert!(again.contains("1 monthly reports written"), "{again}");
    assert_eq!(read_json(&before_path), report);
    let mut partial = report.clone();
    partial["checks"][0]["p50_us"] = json!(0);
    std::fs::write(&before_path, partial.to_string()).unwrap();
    let again = checker_ok(&config, &["rebuild"]);
    assert!(again.contains("1 monthly reports written"), "{again}");
    assert_eq!(read_json(&before_path), report);

    // The running checker's first round of this month writes last month's
    // report, from the view it continues.
    let log = run_one_round(&config, &results);
    let last_path = results.join(format!("reports/n1/{last}.json"));
    assert!(
        log.contains("wrote the monthly report")
            && log.contains(&format!("reports/n1/{last}.json")),
        "{log}"
    );
    let written = read_json(&last_path);
    assert_eq!(written["checks"][0]["rounds"], 96);
    assert_eq!(written["checks"][0]["down"], 0);
    assert_eq!(written["checks"][0]["uptime"], 1.0);
    assert_eq!(written["checks"][0]["outages"], 0);
    assert_eq!(written["interval_secs"], 1_800);
    let p50 = written["checks"][0]["p50_us"].as_u64().unwrap();
    assert!((19_500..=20_500).contains(&p50), "median {p50} µs");
    assert_eq!(
        read_json(&results.join("reports/index.json")),
        json!([format!("n1/{before}.json"), format!("n1/{last}.json")])
    );
    // Once: the next run writes none again.
    let bytes = std::fs::read(&last_path).unwrap();
    let log = run_one_round(&config, &results);
    assert!(!log.contains("wrote the monthly report"), "{log}");
    assert_eq!(std::fs::read(&last_path).unwrap(), bytes);
}

fn check_month(title: &str, rounds: u32, down: u32, p50: u32, p95: u32) -> CheckMonth {
    CheckMonth {
        title: title.into(),
        rounds,
        down,
        degraded: 0,
        maintenance: 0,
        down_secs: i64::from(down) * 60,
        maintenance_secs: 0,
        uptime: Some(f64::from(rounds - down) / f64::from(rounds)),
        p50_us: p50,
        p95_us: p95,
        outages: down.min(3),
    }
}

fn write_report(results: &Path, report: &MonthReport) {
    let dir = results.join(format!("reports/{}", report.node));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{}.json", report.month)),
        serde_json::to_vec(report).unwrap(),
    )
    .unwrap();
}

/// Two nodes' reports of November 2026 and October 2026 (n2's October
/// damaged), as checkers write them, with the index local storage keeps.
fn reports_site(site: &Path) {
    let results = site.join("results");
    let november = Month::parse("2026-11").unwrap();
    let october = Month::parse("2026-10").unwrap();
    let incident = ReportIncident {
        id: "1-n1".into(),
        title: "Web deploy rolled back".into(),
        checks: vec!["Web".into()],
        opened: (november.start_secs() + 5 * 86_400) * NANOS,
        resolved: Some((november.start_secs() + 5 * 86_400 + 3_600) * NANOS),
    };
    for (node, api_down, web_down, incidents) in
        [("n1", 0, 100, vec![incident]), ("n2", 43, 100, Vec::new())]
    {
        write_report(
            &results,
            &MonthReport {
                version: 1,
                node: node.into(),
                month: november,
                interval_secs: 60,
                checks: vec![
                    check_month("API", 43_200, api_down, 20_000, 45_000),
                    check_month("Web", 43_200, web_down, 110_000, 300_000),
                ],
                incidents,
            },
        );
    }
    write_report(
        &results,
        &MonthReport {
            version: 1,
            node: "n1".into(),
            month: october,
            interval_secs: 60,
            checks: vec![check_month("API", 44_640, 0, 21_000, 40_000)],
            incidents: Vec::new(),
        },
    );
    std::fs::write(
        results.join("reports/n2/2026-10.json"),
        "{\"version\": 1, \"node\"",
    )
    .unwrap();
    std::fs::write(
        results.join("reports/index.json"),
        json!([
            "n1/2026-10.json",
            "n1/2026-11.json",
            "n2/2026-10.json",
            "n2/2026-11.json"
        ])
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        site.join("config.json"),
        json!({"title": "Reports test", "storage": {"type": "local", "url": "results/"},
               "sla": 99.9})
        .to_string(),
    )
    .unwrap();
}

/// The rows of the table shown: (check or node, class, cells' text).
async fn rows(browser: &Browser) -> Vec<(String, String, Vec<String>)> {
    let rows = browser
        .eval(
            "return [...document.querySelectorAll('.report-table tbody tr')].map(tr =>
                 [tr.querySelector('th').textContent, tr.className,
                  [...tr.querySelectorAll('td')].map(td => td.textContent)]);",
        )
        .await;
    serde_json::from_value(rows).unwrap()
}

system_tests::in_every_engine!(
    the_reports_page_merges_locations_and_offers_csv,
    reports_page
);

async fn reports_page(engine: Engine) {
    let site = tempfile::tempdir().unwrap();
    reports_site(site.path());
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    let browser = Browser::start_in(engine, 1280, 900).await;
    let name = engine.name();

    // The status page links to the reports.
    browser.goto(&caddy.url("/")).await;
    browser
        .wait_for("header.top a[href='reports.html']", 30)
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for(".report-table tbody tr", 30).await;

    // The newest month first, picked; the months named in the language.
    let months = browser
        .eval(
            "const s = document.querySelector('select.report-month');
             return [[...s.options].map(o => [o.value, o.textContent]), s.value];",
        )
        .await;
    assert_eq!(
        months,
        json!([
            [["2026-11", "November 2026"], ["2026-10", "October 2026"]],
            "2026-11"
        ]),
        "{name}"
    );
    let shown = rows(&browser).await;
    let lines: Vec<(&str, &str)> = shown
        .iter()
        .map(|(t, c, _)| (t.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("API", "report-check"),
            ("n1", "report-location"),
            ("n2", "report-location"),
            ("Web", "report-check"),
            ("n1", "report-location"),
            ("n2", "report-location")
        ],
        "{name}"
    );
    // API: 43 of 86,400 rounds down, pooled: 99.95 % against 99.9 %, so
    // 21 minutes of November's 43 minutes of budget are left.
    let api = &shown[0].2;
    assert_eq!(api[0], "99.95%", "{name}: {api:?}");
    assert!(
        api[1].starts_with("Met") && api[1].contains("21 min"),
        "{name}: {api:?}"
    );
    assert_eq!(
        api[3], "20 ms",
        "{name}: median weighted by answered rounds"
    );
    assert_eq!(api[4], "45 ms", "{name}: the worst location's p95");
    assert_eq!(shown[2].2[0], "99.90%", "{name}: n2 alone");
    // Web: 200 of 86,400 down: 99.76 %, the target missed by 56 minutes.
    let web = &shown[3].2;
    assert_eq!(web[0], "99.76%", "{name}: {web:?}");
    assert!(
        web[1].starts_with("Missed") && web[1].contains("56 min over budget"),
        "{name}: {web:?}"
    );
    assert!(web[7].contains("Web deploy rolled back"), "{name}: {web:?}");
    let note = browser
        .eval("return document.querySelector('.report-note').textContent;")
        .await;
    let note = note.as_str().unwrap();
    assert!(
        note.contains("2 locations (n1, n2)") && note.contains("Target: 99.9 %"),
        "{name}: {note}"
    );

    // The CSV, built in the browser, is the merged month.
    let csv = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const a = [...document.querySelectorAll('.report-controls a')].find(a => a.download);
             fetch(a.href).then(r => r.text()).then(t => done([a.download, t]), e => done(['', String(e)]));",
            vec![],
        )
        .await
        .unwrap();
    let (file, text): (String, String) = serde_json::from_value(csv).unwrap();
    assert_eq!(file, "status-report-2026-11.csv", "{name}");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(
        lines[0].starts_with("month,check,location,rounds,down_rounds"),
        "{name}: {text}"
    );
    assert!(
        lines[1].starts_with("2026-11,API,all,86400,43,0,0,99.9502,")
            && lines[1].ends_with(",99.9,true,1302"),
        "{name}: {}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("2026-11,API,n1,43200,0,"),
        "{name}: {}",
        lines[2]
    );
    browser.screenshot("reports").await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "{name}: axe: {violations:?}");
    if engine == Engine::Chromium {
        // Printed: the table and its figures, without the controls.
        browser.emulate_print().await;
        let shown = browser
            .eval(
                "const shown = s => { const e = document.querySelector(s); return !!e && getComputedStyle(e).display !== 'none'; };
                 return ['.report-controls', 'select.language', '.back', '.report-table', 'h1'].map(shown);",
            )
            .await;
        assert_eq!(shown, json!([false, false, false, true, true]), "printed");
        browser.screenshot("reports-print").await;
        browser.reload().await;
        browser.wait_for(".report-table tbody tr", 30).await;
    }

    // October: n2's report is damaged; the page says so and shows n1's.
    browser
        .eval(
            "const s = document.querySelector('select.report-month');
             s.value = '2026-10'; s.dispatchEvent(new Event('change'));",
        )
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let heading = browser
            .eval("return document.querySelector('.report-month-title')?.textContent;")
            .await;
        if heading == json!("October 2026") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name}: October not shown: {heading}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shown = rows(&browser).await;
    assert_eq!(shown.len(), 1, "{name}: one check, one location: {shown:?}");
    assert_eq!(shown[0].2[0], "100.00%", "{name}");
    let problem = browser
        .eval("return document.querySelector('.report .fallback').textContent;")
        .await;
    let problem = problem.as_str().unwrap();
    assert!(
        problem.contains("reports/n2/2026-10.json") && problem.contains("not a monthly report"),
        "{name}: {problem}"
    );
    let url = browser.eval("return location.search;").await;
    assert_eq!(url, "?month=2026-10", "{name}");
    // A link to a month opens it.
    browser.reload().await;
    browser.wait_for(".report-table tbody tr", 30).await;
    let picked = browser
        .eval("return document.querySelector('select.report-month').value;")
        .await;
    assert_eq!(picked, "2026-10", "{name}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_reports_the_page_says_when_they_come_and_a_bad_sla_is_named() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("results")).unwrap();
    std::fs::write(
        site.path().join("config.json"),
        json!({"title": "Empty", "storage": {"type": "local", "url": "results/"}}).to_string(),
    )
    .unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    let browser = Browser::start(1280, 800).await;
    browser.goto(&caddy.url("/reports.html")).await;
    let note = browser
        .wait_for("main .fallback", 30)
        .await
        .text()
        .await
        .unwrap();
    assert!(note.contains("No monthly reports yet"), "{note}");
    assert!(
        browser
            .eval("return document.querySelector('select.report-month');")
            .await
            .is_null(),
        "no month to pick"
    );

    std::fs::write(
        site.path().join("config.json"),
        json!({"title": "Bad", "storage": {"type": "local", "url": "results/"}, "sla": 100})
            .to_string(),
    )
    .unwrap();
    browser.reload().await;
    let problem = browser.wait_for(".problem", 30).await.text().await.unwrap();
    assert!(
        problem.contains("config.json") && problem.contains("sla 100 must be a percentage"),
        "{problem}"
    );
    browser.close().await;
}
