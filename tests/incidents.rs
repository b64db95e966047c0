//! Incidents, maintenance and badges end to end: `checker incident` stores
//! updates, the running checker puts them in its view and writes badges,
//! `checker rebuild` regenerates exactly what the running checker wrote, and
//! the page (Caddy + Chromium) shows the incident as safe Markdown and the
//! maintenance state.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::json;
use system_tests::browser::{Browser, Engine};
use system_tests::caddy::Caddy;
use system_tests::dist_dir;
use system_tests::process::{ChildGuard, checker_bin, checker_ok};
use system_tests::read_json;
use system_tests::test_server::TestServer;

/// Markdown from an operator, with everything a hostile one might try.
const BODY: &str = "We see **errors** on login. <script>window.__pwned=1</script>\n\n\
<img src=x onerror=\"window.__pwned=2\">\n\n\
[a trap](javascript:window.__pwned=3) and [the runbook](https://runbooks.example.com/login)\n\n\
- first step\n- second step";

/// Runs `checker run` until `more` rounds beyond those already in `results`
/// are stored, then stops it. SIGTERM lets the round in flight finish and be
/// stored, with its view and badges, so once the checker has exited they
/// match its last round; a round that began before the signal may make one
/// more. Returns how many round files `results` holds then.
fn run_rounds(config: &Path, results: &Path, more: usize) -> usize {
    let count = || {
        std::fs::read_dir(results)
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.file_name().to_string_lossy().ends_with("-check.json"))
                })
                .count()
            })
            .unwrap_or(0)
    };
    let wanted = count() + more;
    let mut run = ChildGuard::spawn(
        "checker run",
        Command::new(checker_bin())
            .arg("--config")
            .arg(config)
            .arg("run"),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count() < wanted {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {wanted} rounds stored",
            count()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    unsafe { libc::kill(run.child.id() as i32, libc::SIGTERM) };
    let status = run.child.wait().unwrap();
    assert!(status.success(), "checker run exited with {status}");
    count()
}

#[tokio::test(flavor = "multi_thread")]
async fn incidents_maintenance_and_badges_from_the_checker_to_the_page() {
    let server = TestServer::start();
    let site = tempfile::tempdir().unwrap();
    let results = site.path().join("results");
    let config = site.path().join("checker.toml");
    std::fs::write(
        &config,
        format!(
            "node = \"n1\"\ninterval = \"1s\"\nstate_dir = \"state\"\n\
             [storage]\ntype = \"local\"\ndir = \"results\"\n\
             [[checks]]\nname = \"Login\"\ntype = \"http\"\nurl = \"{}\"\n\
             [[checks]]\nname = \"Search\"\ntype = \"http\"\nurl = \"{}\"\n\
             [[maintenance]]\nstart = \"2020-01-01T00:00:00Z\"\nend = \"2099-01-01T00:00:00Z\"\nchecks = [\"Search\"]\n",
            server.url("/ok"),
            server.url("/status/500")
        ),
    )
    .unwrap();
    std::fs::write(
        site.path().join("config.json"),
        json!({"title": "Incident test", "storage": {"type": "local", "url": "results/"}, "refresh_interval_secs": 2}).to_string(),
    )
    .unwrap();

    // Bad input is refused with a reason, and nothing is stored.
    let out = Command::new(checker_bin())
        .arg("--config")
        .arg(&config)
        .args([
            "incident", "open", "--title", "x", "--check", "Nope", "body",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"Nope\"") && err.contains("Login, Search"),
        "{err}"
    );
    assert!(!results.join("incidents").exists());

    let opened = checker_ok(
        &config,
        &[
            "incident",
            "open",
            "--title",
            "Login errors",
            "--check",
            "Login",
            BODY,
        ],
    );
    let id = opened
        .split_whitespace()
        .nth(1)
        .expect("incident <id> is ...")
        .to_string();
    assert!(id.ends_with("-n1"), "{opened}");
    // checkup documented HTML in messages: the checker reads it into text
    // and links when it writes the view, and the page shows only those.
    checker_ok(&config, &["message", "--check", "Login", MESSAGE]);
    let rounds = run_rounds(&config, &results, 3);

    // Badges, per node, for a README anywhere.
    let overall = std::fs::read_to_string(results.join("badges/n1-overall.svg")).unwrap();
    // One check is in maintenance and none is down outside it.
    assert!(overall.contains(">maintenance<"), "{overall}");
    let search = std::fs::read_to_string(results.join("badges/n1-search-status.svg")).unwrap();
    assert!(search.contains(">maintenance<"), "{search}");
    let uptime = std::fs::read_to_string(results.join("badges/n1-login-uptime-24h.svg")).unwrap();
    assert!(uptime.contains(">100.00%<"), "{uptime}");

    // The view holds the incident; a rebuild from the raw files lands on
    // exactly what the running checker wrote.
    let view_path = results.join("views/n1-history.json");
    let live = read_json(&view_path);
    assert_eq!(live["incidents"][0]["id"], id.as_str());
    assert!(live["checks"][1]["latest"]["maintenance"] == true);
    assert_eq!(live["checks"][0]["latest"]["message"], MESSAGE);
    assert!(
        live["checks"][0]["message_doc"]
            .as_array()
            .is_some_and(|d| d.len() == 4),
        "{}",
        live["checks"][0]
    );
    std::fs::remove_dir_all(results.join("views")).unwrap();
    std::fs::remove_dir_all(site.path().join("state")).unwrap();
    let rebuilt = checker_ok(&config, &["rebuild"]);
    assert!(
        rebuilt.contains(&format!("rebuilt: {rounds} rounds")),
        "{rebuilt}"
    );
    // A rebuilt view says when it was built, and so carries its own tag:
    // pages holding the live one download it again rather than fold into it.
    let mut rebuilt_view = read_json(&view_path);
    assert_ne!(
        rebuilt_view["tag"], live["tag"],
        "a rebuild changes the tag"
    );
    let mut live = live;
    for view in [&mut rebuilt_view, &mut live] {
        let fields = view.as_object_mut().unwrap();
        fields.remove("built");
        fields.remove("tag");
    }
    assert_eq!(rebuilt_view, live, "rebuild differs from the live view");

    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    for engine in Engine::ALL {
        open_incident_is_shown(engine, &caddy.url("/")).await;
    }

    // Resolved: it moves to the past incidents.
    checker_ok(
        &config,
        &[
            "incident",
            "update",
            &id,
            "--state",
            "resolved",
            "Fixed by a rollback.",
        ],
    );
    run_rounds(&config, &results, 1);
    for engine in Engine::ALL {
        resolved_incident_is_past(engine, &caddy.url("/")).await;
    }
}

/// An operator's message in checkup's HTML, with hostile parts.
const MESSAGE: &str = "<script>window.__pwned=2</script><b>Deploying</b> v2: see \
    <a href=\"https://status.example.com/deploy\" onclick=\"window.__pwned=3\">the notes</a> \
    &amp; <a href=\"javascript:window.__pwned=4\">more</a>";

/// The open incident, its safe Markdown and the maintenance state, in one browser.
async fn open_incident_is_shown(engine: Engine, url: &str) {
    let browser = Browser::start_in(engine, 1100, 900).await;
    browser.goto(url).await;
    browser.wait_for(".incident", 20).await;
    let page = browser
        .eval(
            "const md = document.querySelector('.incident .markdown');
             return [document.querySelector('[data-overall]').dataset.overall,
                     document.querySelector('li.check[data-check=\"Search\"]').dataset.status,
                     document.querySelector('.incident').dataset.state,
                     md.querySelector('strong').textContent,
                     md.querySelectorAll('script, img, iframe, [onerror]').length,
                     [...md.querySelectorAll('a')].map(a => a.getAttribute('href')),
                     md.textContent.includes('a trap and'),
                     md.textContent.includes('<script>window.__pwned=1</script>'),
                     md.querySelectorAll('li').length,
                     typeof window.__pwned,
                     document.querySelector('li.check[data-check=\"Login\"] .check-message').textContent,
                     [...document.querySelectorAll('.check-message a')].map(a => [a.getAttribute('href'), a.getAttributeNames().sort().join(' '), a.textContent]),
                     document.querySelectorAll('.check-message b, .check-message script').length];",
        )
        .await;
    assert_eq!(
        page,
        json!([
            "maintenance",
            "maintenance",
            "investigating",
            "errors",
            0,
            ["https://runbooks.example.com/login"],
            true,
            true,
            2,
            "undefined",
            "Deploying v2: see the notes & more",
            [["https://status.example.com/deploy", "href rel", "the notes"]],
            0
        ]),
        "{}",
        engine.name()
    );
    browser.screenshot("incident-open").await;

    browser.close().await;
}

/// After resolving: the incident is among the past ones.
async fn resolved_incident_is_past(engine: Engine, url: &str) {
    let browser = Browser::start_in(engine, 1100, 900).await;
    browser.goto(url).await;
    browser.wait_for(".past-incidents", 20).await;
    let past = browser
        .eval("return [document.querySelectorAll('.incidents .incident').length, document.querySelector('.past-incidents summary').textContent, document.querySelectorAll('.past-incidents .incident-update').length];")
        .await;
    assert_eq!(
        past,
        json!([0, "Past incidents (1)", 2]),
        "{}",
        engine.name()
    );
    browser.screenshot("incident-resolved").await;
    browser.close().await;
}
