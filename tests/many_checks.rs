//! A page of many checks: the first paint reads each node's view summary
//! (no whole view) and draws the first rows whole; every check's row and
//! state follow right after it, uptimes and bars as a row comes near the
//! screen (a row 300 px below the screen gets them before it is on it),
//! and opening a check downloads the nodes' whole views once and draws its
//! chart. In every engine.

use serde_json::json;
use system_tests::browser::{Browser, Engine};
use system_tests::caddy::Caddy;
use system_tests::dist_dir;
use system_tests::history_gen::{Spec, generate, title};

const CHECKS: usize = 60;
const NODES: usize = 2;

system_tests::in_every_engine!(
    summaries_first_bars_near_the_screen_views_when_opened,
    many_checks
);

/// The page's storage requests so far whose URL contains `part`.
async fn requests_for(browser: &Browser, part: &str) -> Vec<String> {
    let names = browser
        .eval(&format!(
            "return performance.getEntriesByType('resource').map(e => e.name)
                 .filter(n => (n.includes('/results/') || n.endsWith('/config.json')) && n.includes({part:?}));"
        ))
        .await;
    serde_json::from_value(names).unwrap()
}

/// How many bars the row of `check` holds.
async fn bars_of(browser: &Browser, check: &str) -> u64 {
    browser
        .eval(&format!(
            "return document.querySelectorAll('li.check[data-check={check:?}] .bar').length;"
        ))
        .await
        .as_u64()
        .unwrap()
}

async fn many_checks(engine: Engine) {
    let site = tempfile::tempdir().unwrap();
    let mut spec = Spec::new(&site.path().join("results"));
    spec.days = 3;
    spec.checks = CHECKS;
    spec.nodes = NODES;
    spec.interval = 300;
    spec.raw_hours = 0;
    generate(&spec);
    std::fs::write(
        site.path().join("config.json"),
        json!({"title": "Many", "storage": {"type": "local", "url": "results/"},
               "refresh_interval_secs": 300})
        .to_string(),
    )
    .unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    let browser = Browser::start_in(engine, 1280, 800).await;
    browser.goto(&caddy.url("/")).await;
    browser.wait_for("li.check", 30).await;
    let name = engine.name();

    // The first rows are drawn whole for the first paint; every other
    // check's row, with its state, follows right after it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let rows: Vec<(String, String, u64, u64)> = loop {
        let rows = browser
            .eval(
                "return [...document.querySelectorAll('li.check')].map(li =>
                     [li.dataset.check, li.dataset.status, li.querySelectorAll('.uptime dd').length,
                      li.querySelectorAll('.bar').length]);",
            )
            .await;
        let rows: Vec<(String, String, u64, u64)> = serde_json::from_value(rows).unwrap();
        if rows.len() == CHECKS || std::time::Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(rows.len(), CHECKS, "{name}: {rows:?}");
    assert!(
        rows.iter().all(|(_, status, ..)| !status.is_empty()),
        "{name}: {rows:?}"
    );
    let (first, last) = (rows[0].0.clone(), rows[CHECKS - 1].0.clone());
    assert_eq!(
        (first.as_str(), last.as_str()),
        (title(0).as_str(), title(CHECKS - 1).as_str())
    );
    // Uptimes and bars near the screen are drawn; the last row's wait
    // until it is scrolled to.
    assert_eq!((rows[0].2, rows[0].3), (4, 90), "{name}: {rows:?}");
    assert_eq!(
        (rows[CHECKS - 1].2, rows[CHECKS - 1].3),
        (0, 0),
        "{name}: the last row is far below"
    );

    // One summary per node, no whole view: config, list, summaries.
    let storage = requests_for(&browser, "").await;
    assert!(storage.len() <= 1 + 2 * NODES, "{name}: {storage:?}");
    assert_eq!(
        requests_for(&browser, "-summary.json").await.len(),
        NODES,
        "{name}: {storage:?}"
    );
    assert!(
        requests_for(&browser, "-history.json").await.is_empty(),
        "{name}: {storage:?}"
    );

    // A row not drawn yet holds the place of a drawn one, so the scroll
    // bar does not jump as rows are drawn.
    let heights = browser
        .eval(&format!(
            "const h = t => document.querySelector(`li.check[data-check=\"${{t}}\"]`).getBoundingClientRect().height;
             return [h({first:?}), h({last:?})];"
        ))
        .await;
    let (drawn, waiting) = (heights[0].as_f64().unwrap(), heights[1].as_f64().unwrap());
    assert!(
        (drawn - waiting).abs() <= 0.2 * drawn,
        "{name}: a row waiting to be drawn is {waiting} px tall, a drawn one {drawn} px"
    );
    // Scrolled to 300 px above it, the last row is drawn before it is on
    // screen.
    browser
        .eval(&format!(
            "const r = document.querySelector('li.check[data-check={last:?}]');
             window.scrollTo(0, r.getBoundingClientRect().top + window.scrollY - window.innerHeight - 300);
             return true;"
        ))
        .await;
    browser
        .wait_for(&format!("li.check[data-check={last:?}] .bar"), 10)
        .await;
    assert_eq!(bars_of(&browser, &last).await, 90, "{name}");
    let below = browser
        .eval(&format!(
            "return document.querySelector('li.check[data-check={last:?}]').getBoundingClientRect().top - window.innerHeight;"
        ))
        .await;
    assert!(
        below.as_f64().unwrap() > 0.0,
        "{name}: drawn ahead of the screen ({below} px below it)"
    );
    let uptimes = browser
        .eval(&format!(
            "return document.querySelectorAll('li.check[data-check={last:?}] .uptime dd').length;"
        ))
        .await;
    assert_eq!(uptimes, json!(4), "{name}");

    // Opening a check brings the nodes' whole views, once, and its chart.
    browser
        .wait_for(&format!("li.check[data-check={last:?}] .check-toggle"), 5)
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for(&format!("li.check[data-check={last:?}] .chart svg"), 20)
        .await;
    let views = requests_for(&browser, "-history.json").await;
    assert_eq!(views.len(), NODES, "{name}: {views:?}");
    let drawn = browser
        .eval(&format!(
            "return document.querySelectorAll('li.check[data-check={last:?}] .chart .median, li.check[data-check={last:?}] .chart .median-dot').length;"
        ))
        .await;
    assert!(
        drawn.as_u64().unwrap() > 0,
        "{name}: the chart has response times"
    );
    browser.screenshot(&format!("many-checks-{name}")).await;
    browser.close().await;
}
