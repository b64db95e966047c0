//! The status page over 90 days of history (3 nodes, views written by the
//! generator with the checker's own arithmetic), in headless Chromium at
//! phone and desktop sizes: banner, uptime, 90 daily bars with tooltips and
//! keyboard moves, groups, chart windows, the URL keeping window and check,
//! theme toggle, tab state, requests per load, and an axe-core audit.

use fantoccini::Locator;
use fantoccini::actions::{InputSource, MouseActions, PointerAction, TouchActions};
use fantoccini::key::Key;
use serde_json::json;
use system_tests::browser::{Browser, Engine};
use system_tests::caddy::Caddy;
use system_tests::history_gen::{Spec, generate};
use system_tests::{dist_dir, edit_view};

const NODES: usize = 3;

/// A bar's tooltip as shown: its `::after` content, which Firefox reports
/// as written (`attr(aria-label)`) where Chromium and WebKit resolve it.
const TOOLTIP_FN: &str = "const tooltip = el => { const c = getComputedStyle(el, '::after').content; return c === 'attr(aria-label)' ? el.getAttribute('aria-label') : c; };";

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = Spec::new(&dir.path().join("results"));
    spec.checks = 12;
    spec.nodes = NODES;
    // 5-minute rounds keep generating 90 days quick in a debug build.
    spec.interval = 300;
    generate(&spec);
    // An incident update written by someone hostile straight into storage:
    // the page must check link targets itself and never build HTML.
    edit_view(&dir.path().join("results"), "node-2", |view| {
        view["incidents"] = json!([{
            "id": "1-node-2", "title": "Slow logins", "checks": ["Login"], "state": "monitoring",
            "body": "", "timestamp": 1_700_000_000_000_000_000i64, "node": "node-2",
            "doc": [{"p": [
                {"link": ["javascript:window.__pwned=1", [{"text": "evil"}]]},
                {"text": " <img src=x onerror=\"window.__pwned=2\"> "},
                {"link": [" JAVASCRIPT:window.__pwned=3", [{"text": "evil too"}]]},
                {"strong": [{"text": "monitoring"}]}
            ]}]
        }]);
    });
    let config = json!({
        "title": "Acme status",
        "storage": {"type": "local", "url": "results/"},
        "refresh_interval_secs": 300,
        "links": [{"label": "Home", "url": "https://acme.example"}],
        "groups": [
            {"name": "Core", "checks": ["Website", "API", "Login", "Payments"]},
            {"name": "Infrastructure", "checks": ["CDN", "Database", "DNS", "Mail"], "collapsed": true}
        ],
        "colors": {"accent": "#0a58ca"},
        "dark_colors": {"accent": "#6ea8fe"}
    });
    std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
    dir
}

system_tests::in_every_engine!(
    ninety_days_of_history_at_desktop_and_phone_sizes,
    ninety_days_of_history
);

async fn ninety_days_of_history(engine: Engine) {
    let site = site();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    for (width, height, name) in [(1280, 1000, "desktop"), (360, 780, "phone")] {
        let browser = Browser::start_in(engine, width, height).await;
        browser.goto(&caddy.url("/")).await;
        let banner = browser.wait_for("[data-overall]", 20).await;
        assert_eq!(
            browser.eval("return window.innerWidth;").await,
            json!(width),
            "the page is seen at the size under test"
        );
        assert_eq!(
            banner.attr("data-overall").await.unwrap().as_deref(),
            Some("operational")
        );

        let incident = browser
            .eval(
                "const md = document.querySelector('.incidents .incident .markdown');
                 return [md.querySelectorAll('a, img, script').length,
                         [...md.querySelectorAll('.md-unsafe-link')].map(e => e.textContent),
                         md.querySelector('strong').textContent, typeof window.__pwned];",
            )
            .await;
        assert_eq!(
            incident,
            json!([0, ["evil", "evil too"], "monitoring", "undefined"])
        );

        // One load: config.json, the views index and one view per node,
        // however long the history (checkup would fetch 388,800 files).
        let storage_requests = browser
            .eval(
                "return performance.getEntriesByType('resource').map(r => r.name)
                    .filter(n => n.includes('/results/') || n.endsWith('/config.json'));",
            )
            .await;
        let storage_requests: Vec<String> = serde_json::from_value(storage_requests).unwrap();
        assert!(
            storage_requests.len() <= 1 + 2 * NODES,
            "{storage_requests:?}"
        );
        assert_eq!(
            storage_requests
                .iter()
                .filter(|n| n.ends_with("-check.json"))
                .count(),
            0,
            "raw files fetched although views exist: {storage_requests:?}"
        );

        // Every row, the folded group's too (added right after the first
        // paint); those hidden in the folded group get their bars when it
        // is opened (below).
        browser.wait_for("li.check[data-check=\"Mail\"]", 10).await;
        let rows = browser
            .eval(
                "return [...document.querySelectorAll('li.check')].map(li => [li.dataset.check, li.querySelectorAll('.bar').length]);",
            )
            .await;
        let rows: Vec<(String, usize)> = serde_json::from_value(rows).unwrap();
        assert_eq!(rows.len(), 12, "{rows:?}");
        let folded = ["CDN", "Database", "DNS", "Mail"];
        assert!(
            rows.iter().all(|(check, bars)| *bars
                == if folded.contains(&check.as_str()) {
                    0
                } else {
                    90
                }),
            "{rows:?}"
        );

        // API was down everywhere for two hours 20 days ago.
        let api = browser
            .eval(
                "const li = document.querySelector('li.check[data-check=\"API\"]');
                 const up = [...li.querySelectorAll('.uptime dd')].map(d => d.textContent);
                 const bars = [...li.querySelectorAll('.bar')];
                 const bad = bars.findIndex(b => b.classList.contains('bar-major'));
                 return [up, bad, bad >= 0 && bars[bad].classList.contains('has-incident'),
                         bars.filter(b => b.hasAttribute('aria-label')).length];",
            )
            .await;
        let (uptimes, bad_day, marked, named): (Vec<String>, i64, bool, usize) =
            serde_json::from_value(api).unwrap();
        assert_eq!(
            named, 1,
            "only the tab stop is named before any bar is pointed at"
        );
        assert_eq!(bad_day, 69, "20 UTC days before today is bar 69 of 0..=89");
        // Pointing at the day names it, and the tooltip shows that name.
        browser
            .eval(&format!(
                "document.querySelectorAll('li.check[data-check=\"API\"] .bar')[{bad_day}].scrollIntoView({{block: 'center'}}); return true;"
            ))
            .await;
        let bad_bar = browser
            .client
            .find(Locator::Css(&format!(
                "li.check[data-check=\"API\"] .bar:nth-child({})",
                bad_day + 1
            )))
            .await
            .unwrap();
        // A desktop visitor points with the mouse; a phone visitor taps.
        let to_bar = PointerAction::MoveToElement {
            element: bad_bar,
            duration: None,
            x: 0.0,
            y: 0.0,
        };
        if browser.touches() {
            let tap = TouchActions::new("finger".into())
                .then(to_bar)
                .then(PointerAction::Down { button: 0 })
                .then(PointerAction::Up { button: 0 });
            browser.client.perform_actions(tap).await.unwrap();
        } else {
            let point = MouseActions::new("mouse".into()).then(to_bar);
            browser.client.perform_actions(point).await.unwrap();
        }
        let hovered = browser
            .eval(&format!(
                "{TOOLTIP_FN} const bar = document.querySelectorAll('li.check[data-check=\"API\"] .bar')[{bad_day}];
                 return [bar.getAttribute('aria-label') ?? 'no aria-label; hovered: ' + [...document.querySelectorAll(':hover')].map(e => e.className).join(' > '),
                         bar.getAttribute('role') ?? 'no role', tooltip(bar)];"
            ))
            .await;
        let (label, role, tooltip): (String, String, String) =
            serde_json::from_value(hovered).unwrap();
        assert_eq!(role, "img", "{label}");
        assert!(
            tooltip.contains("Major outage") && tooltip.contains("incident: API unavailable"),
            "the tooltip shows on hover: {tooltip}"
        );
        assert_eq!(uptimes[0], "100.00%", "24 h");
        assert!(
            uptimes[2].starts_with("99.") && uptimes[3].starts_with("99."),
            "{uptimes:?}"
        );
        assert!(
            label.contains("Major outage") && label.contains("uptime 9"),
            "{label}"
        );
        assert!(
            label.contains("incident: API unavailable") && marked,
            "{label}"
        );

        // The bars are one tab stop; arrow keys move between days and the
        // tooltip shows for the focused day.
        let last = browser
            .wait_for("li.check[data-check=\"API\"] .bar:last-child", 5)
            .await;
        browser
            .eval("document.querySelector('li.check[data-check=\"API\"] .bar:last-child').focus(); return true;")
            .await;
        last.send_keys(&Key::Left.to_string()).await.unwrap();
        let focused = browser
            .eval(&format!(
                "{TOOLTIP_FN} const a = document.activeElement; const bars = [...a.parentElement.children];
                 return [bars.indexOf(a), a.getAttribute('tabindex'), bars[89].getAttribute('tabindex'),
                         tooltip(a), a.matches(':focus')];",
            ))
            .await;
        assert_eq!(focused[0], 88, "{focused}");
        assert_eq!(
            (focused[1].as_str(), focused[2].as_str()),
            (Some("0"), Some("-1"))
        );
        if focused[4] == json!(true) {
            assert!(
                focused[3].as_str().unwrap().contains("uptime"),
                "tooltip on focus: {focused}"
            );
        } else {
            // WebKitGTK's window under Xvfb (no window manager) never has
            // the system's focus, so `:focus` matches nothing there.
            assert_eq!(browser.engine, Engine::WebKit, "not focused: {focused}");
        }

        // Groups: Core open, Infrastructure folded but saying its state.
        let groups = browser
            .eval("return [...document.querySelectorAll('details.group')].map(d => [d.dataset.group, d.open, d.querySelector('.group-state').textContent]);")
            .await;
        assert_eq!(groups[0], json!(["Core", true, "✓ 4 operational"]));
        assert_eq!(groups[1][0], "Infrastructure");
        assert_eq!(groups[1][1], false);
        // Activated from script: WebKitWebDriver's click on a summary does
        // not unfold it.
        browser
            .eval("document.querySelector('details[data-group=\"Infrastructure\"] summary').click(); return true;")
            .await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let state = browser
                .eval("const d = document.querySelector('details[data-group=\"Infrastructure\"]');
                       const m = d.querySelector('li.check[data-check=\"Mail\"]');
                       return [d.open, m.getBoundingClientRect().top, window.innerHeight, m.querySelectorAll('.bar').length, m.className];")
                .await;
            if state[3] == json!(90) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{}: {state}",
                browser.engine.name()
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let bars = browser
            .eval("return [...document.querySelectorAll('details[data-group=\"Infrastructure\"] li.check')].map(li => li.querySelectorAll('.bar').length);")
            .await;
        assert_eq!(
            bars,
            json!([90, 90, 90, 90]),
            "an opened group's rows are drawn"
        );

        // Window and selected check go into the URL and open the chart.
        browser
            .wait_for("button[data-window=\"7d\"]", 5)
            .await
            .click()
            .await
            .unwrap();
        browser
            .wait_for("li.check[data-check=\"API\"] .check-toggle", 5)
            .await
            .click()
            .await
            .unwrap();
        browser
            .wait_for("li.check[data-check=\"API\"] .chart svg", 10)
            .await;
        let state = browser
            .eval(
                "const c = document.querySelector('li.check[data-check=\"API\"] .chart');
                 return [location.search, c.getAttribute('aria-label'), c.querySelectorAll('polyline, path, polygon').length,
                         document.querySelector('li.check[data-check=\"API\"] .check-toggle').getAttribute('aria-expanded'),
                         document.querySelectorAll('li.check[data-check=\"API\"] .location').length];",
            )
            .await;
        assert_eq!(state[0], "?window=7d&check=API", "{state}");
        assert!(
            state[1].as_str().unwrap().contains("over the last 7 days"),
            "{state}"
        );
        assert!(state[2].as_u64().unwrap() > 2, "chart has lines: {state}");
        assert_eq!(state[3], "true");
        assert_eq!(state[4], NODES, "one entry per location");
        browser.screenshot(&format!("history-{name}")).await;

        // A shared link opens with that window and check.
        browser.goto(&caddy.url("/?window=30d&check=Login")).await;
        browser
            .wait_for("li.check[data-check=\"Login\"] .chart svg", 20)
            .await;
        let opened = browser
            .eval("return [document.querySelector('button[data-window=\"30d\"]').getAttribute('aria-pressed'), document.querySelectorAll('.check-detail').length];")
            .await;
        assert_eq!(opened, json!(["true", 1]));

        // No horizontal scrolling, even on a 360 px phone.
        let overflow = browser
            .eval("return document.documentElement.scrollWidth - window.innerWidth;")
            .await;
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "page is wider than the screen by {overflow}"
        );

        // The tab says the state; the theme toggle flips and is remembered.
        let tab = browser
            .eval("return [document.title, document.querySelector('link[rel=icon]').dataset.state, document.documentElement.dataset.theme];")
            .await;
        assert_eq!(tab[0], "Acme status");
        assert_eq!(tab[1], "operational");
        let before = tab[2].as_str().unwrap().to_string();
        let violations = browser.axe_violations().await;
        assert!(
            violations.is_empty(),
            "axe ({before} theme, {name}): {violations:#?}"
        );
        browser
            .wait_for(".theme-toggle", 5)
            .await
            .click()
            .await
            .unwrap();
        browser.reload().await;
        browser.wait_for("[data-overall]", 20).await;
        let after = browser
            .eval("return document.documentElement.dataset.theme;")
            .await;
        assert_ne!(after.as_str().unwrap(), before, "theme choice not kept");
        browser
            .wait_for("li.check[data-check=\"Login\"] .chart svg", 20)
            .await;
        let violations = browser.axe_violations().await;
        assert!(
            violations.is_empty(),
            "axe ({after} theme, {name}): {violations:#?}"
        );
        browser
            .screenshot(&format!("history-{name}-{}", after.as_str().unwrap()))
            .await;
        browser.close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_views_the_page_falls_back_to_raw_files_and_says_so() {
    let site = site();
    std::fs::remove_dir_all(site.path().join("results/views")).unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    let browser = Browser::start(1280, 900).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    let note = browser.wait_for(".fallback", 30).await;
    assert!(
        note.text().await.unwrap().contains("no history views"),
        "fallback explained"
    );
    let raw = browser
        .eval("return [performance.getEntriesByType('resource').filter(r => r.name.endsWith('-check.json')).length, document.querySelectorAll('li.check').length];")
        .await;
    // The generator left one hour of raw rounds: 12 per node.
    assert_eq!(raw, json!([12 * NODES, 12]));
    browser.screenshot("history-fallback").await;
    browser.close().await;
}
