//! Announced maintenance and subscribing, on the page: a real `checker run`
//! announces a short window and one a day ahead; Caddy serves the page and
//! the results, and Chromium shows the "Scheduled maintenance" card before
//! the short window, "in progress" during it (with the check in
//! maintenance), and the window in the timeline after it. The Subscribe menu
//! and the `<link rel="alternate">` name files the checker wrote; at 1280
//! and 360 px, in both themes, axe finds nothing.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use system_tests::browser::{Browser, Engine};
use system_tests::caddy::Caddy;
use system_tests::dist_dir;
use system_tests::process::{ChildGuard, checker_bin};
use system_tests::test_server::TestServer;

/// How far ahead the short window starts: time for the checker's first
/// rounds and the page's first load, which the test checks first.
const LEAD_SECS: i64 = 25;
const SHORT_SECS: i64 = 10;

fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).unwrap().to_string()
}

/// Waits until `script` returns true, up to `secs`.
async fn wait_until(browser: &Browser, script: &str, secs: u64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if browser.eval(script).await == json!(true) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{}: after {secs} s: {what}",
            browser.engine.name()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Both themes: axe on the page as it is, then after the toggle.
async fn axe_in_both_themes(browser: &Browser, size: &str) {
    let engine = browser.engine.name();
    for _ in 0..2 {
        let theme = browser
            .eval("return document.documentElement.dataset.theme;")
            .await;
        let violations = browser.axe_violations().await;
        assert!(
            violations.is_empty(),
            "{engine}: axe ({theme} theme, {size}): {violations:#?}"
        );
        browser
            .screenshot(&format!(
                "maintenance-{}-{size}-{}",
                engine.to_lowercase(),
                theme.as_str().unwrap()
            ))
            .await;
        browser
            .wait_for(".theme-toggle", 5)
            .await
            .click()
            .await
            .unwrap();
    }
}

const CARDS: &str = "return [...document.querySelectorAll('[data-maintenance]')].map(c => [
    c.closest('section.maintenance') ? 'card' : c.closest('.past-incidents') ? 'timeline' : 'elsewhere',
    c.dataset.phase, c.querySelector('.incident-title').textContent,
    c.querySelector('.incident-state').textContent]);";

system_tests::in_every_engine!(
    announces_maintenance_and_offers_subscriptions_in,
    announces_maintenance_and_offers_subscriptions
);

async fn announces_maintenance_and_offers_subscriptions(engine: Engine) {
    let name = engine.name();
    let server = TestServer::start();
    let site = tempfile::tempdir().unwrap();
    let now = jiff::Timestamp::now().as_second();
    let short_start = now + LEAD_SECS;
    let tomorrow = now - now % 3600 + 86_400;
    let config = site.path().join("checker.toml");
    fs::write(
        &config,
        format!(
            r#"node = "n1"
interval = "1s"
state_dir = "state"

[storage]
type = "local"
dir = "results"

[[checks]]
name = "Login"
type = "http"
url = "{ok}"

[[checks]]
name = "Search"
type = "http"
url = "{ok}"

[[maintenance]]
name = "restart"
title = "Login restart"
description = "A **quick** restart. <script>window.__pwned=1</script>"
checks = ["Login"]
start = "{short_start}"
end = "{short_end}"

[[maintenance]]
name = "db"
title = "Database upgrade"
start = "{tomorrow_start}"
end = "{tomorrow_end}"
announce = "2d"
"#,
            ok = server.url("/ok"),
            short_start = rfc3339(short_start),
            short_end = rfc3339(short_start + SHORT_SECS),
            tomorrow_start = rfc3339(tomorrow),
            tomorrow_end = rfc3339(tomorrow + 7200),
        ),
    )
    .unwrap();
    fs::write(
        site.path().join("config.json"),
        json!({"title": "Acme status", "storage": {"type": "local", "url": "results/"}, "refresh_interval_secs": 1}).to_string(),
    )
    .unwrap();
    let _checker = ChildGuard::spawn(
        "checker run",
        Command::new(checker_bin())
            .current_dir(site.path())
            .arg("--config")
            .arg(&config)
            .arg("run")
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());

    // 1280 px: before the short window.
    let browser = Browser::start_in(engine, 1280, 900).await;
    browser.goto(&caddy.url("/")).await;
    browser
        .wait_for("section.maintenance [data-maintenance]", 20)
        .await;
    wait_until(
        &browser,
        "return document.querySelectorAll('section.maintenance [data-maintenance]').length == 2;",
        10,
        "both windows are announced",
    )
    .await;
    let cards = browser.eval(CARDS).await;
    let cards = cards.as_array().unwrap();
    // Soonest first.
    assert_eq!(
        cards[0].as_array().unwrap()[..3],
        [json!("card"), json!("scheduled"), json!("Login restart")]
    );
    assert_eq!(cards[0][3], "Starts in under a minute", "{name}: {cards:?}");
    assert_eq!(
        cards[1].as_array().unwrap()[..3],
        [json!("card"), json!("scheduled"), json!("Database upgrade")]
    );
    let tomorrow_state = cards[1][3].as_str().unwrap();
    assert!(
        tomorrow_state.starts_with("Starts in ") && tomorrow_state.contains(" h"),
        "{tomorrow_state}"
    );
    let card = browser
        .eval(
            "const c = document.querySelector('section.maintenance [data-maintenance]');
             return [c.querySelector('time').getAttribute('datetime'),
                     c.querySelector('time').textContent.includes(' – '),
                     [...c.querySelectorAll('.incident-meta')].map(m => m.textContent).includes('Affects: Login'),
                     c.querySelector('.markdown strong').textContent,
                     c.querySelectorAll('.markdown script').length,
                     typeof window.__pwned];",
        )
        .await;
    let start_iso = jiff::Timestamp::from_second(short_start)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string();
    assert_eq!(
        card,
        json!([start_iso, true, true, "quick", 0, "undefined"])
    );
    let order = browser
        .eval(
            "const titles = [...document.querySelectorAll('main h2')].map(h => h.textContent);
             return titles.indexOf('Scheduled maintenance') < titles.indexOf('Services');",
        )
        .await;
    assert_eq!(order, json!(true), "{name}: the card is above the services");

    // Subscribe: the menu and the alternate link name files the checker
    // writes (every 5 rounds), and they are there.
    let menu = browser.wait_for(".subscribe summary", 10).await;
    menu.click().await.unwrap();
    let links = browser
        .eval(
            "return [[...document.querySelectorAll('.subscribe a')].map(a => [a.textContent, a.getAttribute('href'), a.type]),
                     [...document.querySelectorAll('link[rel=alternate]')].map(l => [l.type, l.getAttribute('href'), l.title])];",
        )
        .await;
    assert_eq!(
        links,
        json!([
            [
                [
                    "Atom feed",
                    "results/feeds/status.atom",
                    "application/atom+xml"
                ],
                [
                    "Maintenance calendar (iCalendar)",
                    "results/maintenance.ics",
                    "text/calendar"
                ],
                [
                    "Status API (JSON)",
                    "results/api/v2/summary.json",
                    "application/json"
                ]
            ],
            [[
                "application/atom+xml",
                "results/feeds/status.atom",
                "Acme status (Atom)"
            ]]
        ])
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let served = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 Promise.all([...document.querySelectorAll('.subscribe a')]
                     .map(a => fetch(a.href, {cache: 'no-store'}).then(r => r.ok ? r.text() : '')))
                   .then(t => done(t[0].includes('<feed') && t[1].includes('BEGIN:VCALENDAR')
                       && t[2].includes('\"scheduled_maintenances\"')))
                   .catch(e => done(String(e)));",
                vec![],
            )
            .await
            .unwrap();
        if served == json!(true) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{name}: the Subscribe menu's files are not served: {served}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    axe_in_both_themes(&browser, "1280").await;

    // During: "in progress", and the check in maintenance.
    wait_until(
        &browser,
        "const c = document.querySelector('section.maintenance [data-maintenance]');
         return c != null && c.dataset.phase == 'in_progress'
             && document.querySelector('li.check[data-check=\"Login\"]').dataset.status == 'maintenance';",
        LEAD_SECS as u64 + 10,
        "the short window is in progress and Login is in maintenance",
    )
    .await;
    let cards = browser.eval(CARDS).await;
    let state = cards[0][3].as_str().unwrap();
    assert!(
        state.starts_with("In progress · ends in "),
        "{name}: {cards:?}"
    );
    assert_eq!(
        browser
            .eval(
                "return document.querySelector('li.check[data-check=\"Search\"]').dataset.status;"
            )
            .await,
        "healthy",
        "{name}: a window covers only its checks"
    );
    browser
        .screenshot(&format!("maintenance-{}-in-progress", name.to_lowercase()))
        .await;

    // After: in the timeline as completed; the card keeps tomorrow's.
    wait_until(
        &browser,
        "return document.querySelector('.past-incidents [data-phase=completed]') != null;",
        SHORT_SECS as u64 + 10,
        "the short window moved into the timeline",
    )
    .await;
    let cards = browser.eval(CARDS).await;
    assert_eq!(
        cards[0].as_array().unwrap()[..3],
        [json!("card"), json!("scheduled"), json!("Database upgrade")]
    );
    assert_eq!(
        cards[1],
        json!(["timeline", "completed", "Login restart", "Completed"])
    );
    assert_eq!(cards.as_array().unwrap().len(), 2, "{name}: {cards:?}");
    let summary = browser
        .eval("return document.querySelector('.past-incidents summary').textContent;")
        .await;
    assert_eq!(summary, "Past incidents and maintenance (1)", "{name}");
    browser.close().await;

    // 360 px: the card and the menu fit a phone.
    let phone = Browser::start_in(engine, 360, 740).await;
    phone.goto(&caddy.url("/")).await;
    phone
        .wait_for("section.maintenance [data-maintenance]", 20)
        .await;
    phone
        .wait_for(".subscribe summary", 10)
        .await
        .click()
        .await
        .unwrap();
    let fits: Value = phone
        .eval(
            "const menu = document.querySelector('.subscribe ul').getBoundingClientRect();
             const card = document.querySelector('section.maintenance').getBoundingClientRect();
             return [innerWidth, menu.left >= 0 && menu.right <= innerWidth, card.right <= innerWidth,
                     document.documentElement.scrollWidth <= innerWidth];",
        )
        .await;
    assert_eq!(
        fits,
        json!([360, true, true, true]),
        "nothing overflows at 360 px"
    );
    axe_in_both_themes(&phone, "360").await;
    phone.close().await;
}
