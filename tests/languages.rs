//! The page in every language it speaks: each language file holds every
//! text the pages say (with the same placeholders as English), and in
//! Chromium, Firefox and WebKit a page with 90 days of history, incidents,
//! maintenance and an opened check, and the Reports page of the months
//! that ended in them, show no English word left (operator text aside) and
//! nothing wider than a 360 px phone; Arabic is laid out right to left. The picker overrides `language` in `config.json` and is
//! remembered.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use checkup_model::contract::page_config::LANGUAGES;
use serde_json::{Value, json};
use system_tests::browser::{Browser, Engine};
use system_tests::caddy::Caddy;
use system_tests::history_gen::{SampleCheck, Spec, generate};
use system_tests::{dist_dir, edit_view, workspace_root};

const NANOS: i64 = 1_000_000_000;

fn i18n_dir() -> PathBuf {
    workspace_root().join("statuspage-wasm/i18n")
}

fn texts(language: &str) -> BTreeMap<String, String> {
    let path = i18n_dir().join(format!("{language}.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The keys the pages ask for, as declared in the status page's `texts!`
/// list and the Reports page's `report_texts!` list.
fn page_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (file, list) in [
        ("statuspage-wasm/src/i18n/mod.rs", "texts! {"),
        ("statuspage-wasm/src/reports/texts.rs", "report_texts! {"),
    ] {
        let source = fs::read_to_string(workspace_root().join(file)).expect(file);
        let list = &source[source.find(list).expect(list)..];
        let list = &list[..list.find('}').unwrap()];
        keys.extend(
            list.lines()
                .filter_map(|l| l.split_once("= \"").map(|(_, k)| k.trim_end_matches("\",")))
                .map(str::to_string),
        );
    }
    keys
}

/// `{0}`, `{1}`… in a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    (0..10)
        .map(|n| format!("{{{n}}}"))
        .filter(|p| text.contains(p.as_str()))
        .collect()
}

#[test]
fn every_language_file_holds_every_text_with_its_placeholders() {
    let keys = page_keys();
    assert!(keys.len() > 60, "the key list was not read: {keys:?}");
    let english = texts("en");
    let files: BTreeSet<String> = fs::read_dir(i18n_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = LANGUAGES.iter().map(|(l, _)| format!("{l}.json")).collect();
    assert_eq!(files, expected, "one file per language the page offers");
    for (language, _) in LANGUAGES {
        let texts = texts(language);
        let have: BTreeSet<String> = texts.keys().cloned().collect();
        assert_eq!(
            have.symmetric_difference(&keys).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "{language}.json: keys missing or unknown"
        );
        for (key, text) in &texts {
            assert!(!text.trim().is_empty(), "{language}.json: {key} is empty");
            assert_eq!(
                placeholders(text),
                placeholders(&english[key]),
                "{language}.json: {key} must fill the same places as English"
            );
        }
    }
}

fn sample_check(title: &str, kind: &str, endpoint: &str, down: Option<&str>) -> SampleCheck {
    SampleCheck {
        title: title.into(),
        endpoint: endpoint.into(),
        kind: kind.into(),
        always_down: down.map(str::to_string),
    }
}

/// 90 days of history from 3 nodes with a check down, incidents open and
/// resolved, and maintenance coming up and in progress.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let mut spec = Spec::new(&results);
    spec.interval = 300;
    spec.check_list = vec![
        sample_check("Website", "http", "https://acme.example/", None),
        sample_check("API", "http", "https://api.acme.example/health", None),
        sample_check("Database", "tcp", "db.acme.example:5432", None),
        sample_check(
            "Mail",
            "tcp",
            "mail.acme.example:25",
            Some("connection refused"),
        ),
    ];
    generate(&spec);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let view_path = results.join("views/node-1-history.json");
    let mut view: Value = serde_json::from_str(&fs::read_to_string(&view_path).unwrap()).unwrap();
    let update = |id: &str, title: &str, state: &str, body: &str, at: i64| {
        json!({
            "id": id, "title": title, "checks": ["Mail"], "state": state, "body": body,
            "timestamp": at, "node": "node-1", "doc": [{"p": [{"text": body}]}]
        })
    };
    view["incidents"] = json!([
        update(
            "1-node-1",
            "Mail delivery delayed",
            "investigating",
            "Looking into it.",
            now - 3_600 * NANOS
        ),
        update(
            "1-node-1",
            "Mail delivery delayed",
            "identified",
            "A full disk.",
            now - 1_800 * NANOS
        ),
        update(
            "2-node-1",
            "Slow logins",
            "investigating",
            "Checking.",
            now - 5 * 86_400 * NANOS
        ),
        update(
            "2-node-1",
            "Slow logins",
            "resolved",
            "Fixed.",
            now - 4 * 86_400 * NANOS
        ),
    ]);
    let window = |id: &str, title: &str, start: i64, end: i64| {
        json!({
            "id": id, "title": title, "checks": ["Database"], "description": "Upgrading.",
            "doc": [{"p": [{"text": "Upgrading."}]}],
            "start": start, "end": end, "announced": start - 86_400 * NANOS
        })
    };
    view["maintenance"] = json!([
        window(
            "db-upgrade",
            "Database upgrade",
            now + 7_200 * NANOS,
            now + 10_800 * NANOS
        ),
        window(
            "db-vacuum",
            "Database vacuum",
            now - 600 * NANOS,
            now + 3_000 * NANOS
        ),
        window(
            "db-backup",
            "Database backup",
            now - 7 * 86_400 * NANOS,
            now - 7 * 86_400 * NANOS + 3_600 * NANOS
        ),
    ]);
    edit_view(&results, "node-1", move |stored| *stored = view);
    dir
}

fn write_config(site: &Path, language: &str) {
    let config = json!({
        "title": "Acme status",
        "storage": {"type": "local", "url": "results/"},
        "refresh_interval_secs": 300,
        "links": [{"label": "Home", "url": "https://acme.example"}],
        "groups": [{"name": "Core", "checks": ["Website", "API"]}],
        "language": language
    });
    fs::write(site.join("config.json"), config.to_string()).unwrap();
}

/// Operator text and data as stored: titles, notices, messages, endpoints,
/// node names, incident and maintenance texts, config labels. Shown as
/// written, so not held to the page's language.
fn operator_text(site: &Path) -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        const TEXT_FIELDS: [&str; 12] = [
            "title",
            "notice",
            "message",
            "endpoint",
            "node",
            "body",
            "description",
            "name",
            "label",
            "checks",
            "text",
            "url",
        ];
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    if TEXT_FIELDS.contains(&key.as_str()) {
                        strings(value, out);
                    }
                    collect(value, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    fn strings(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) if !s.is_empty() => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let config: Value =
        serde_json::from_str(&fs::read_to_string(site.join("config.json")).unwrap()).unwrap();
    collect(&config, &mut out);
    let reports = fs::read_dir(site.join("results/reports"))
        .unwrap()
        .filter_map(|e| fs::read_dir(e.ok()?.path()).ok())
        .flatten();
    for entry in fs::read_dir(site.join("results/views"))
        .unwrap()
        .chain(reports)
    {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") && !path.ends_with("index.json") {
            let view: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            collect(&view, &mut out);
        }
    }
    // Longest first, so a title is removed before a word of it.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// Lower-case words of three letters or more.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// English words the page could leak: every word of its English texts, and
/// what `Intl` says in English when a formatter misses the language.
fn english_words() -> BTreeSet<String> {
    let mut all: BTreeSet<String> = texts("en").values().flat_map(|t| words(t)).collect();
    // Only words no language here writes the same way ("minutes" is
    // French too, "jun" Spanish, "nov" German).
    for extra in [
        "ago",
        "now",
        "today",
        "yesterday",
        "hours",
        "hour",
        "days",
        "day",
        "seconds",
        "sep",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "the",
        "and",
        "with",
        "for",
    ] {
        all.insert(extra.into());
    }
    all
}

/// Everything a visitor or a screen reader gets: the text, and the names
/// and tooltips of elements.
const SHOWN_TEXT: &str = "return [document.body.innerText, ...[...document.querySelectorAll('[aria-label], [title]')].flatMap(e => [e.getAttribute('aria-label') || '', e.getAttribute('title') || ''])].join('\\n');";

/// Elements that reach past the viewport's edges (but for what is inside
/// a region that scrolls sideways, the reports' table).
const OVERFLOWING: &str = "const w = document.documentElement.clientWidth; \
    return [document.documentElement.scrollWidth - w, [...document.querySelectorAll('body *')] \
      .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > w + 1 || r.left < -1) && !e.closest('.skip') && !e.parentElement.closest('.table-scroll'); }) \
      .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40))];";

/// Waits up to 20 s for `css` to match, asking the page itself; on a
/// timeout, says where the page is and what it loaded. (With all engines
/// at once, WebKit's own element search in the phone frame timed out in 2
/// runs of 4 right after the Reports page had been shown there; asking the
/// page, 14 runs in a row passed. Why, I did not find out.)
async fn wait_drawn(browser: &Browser, css: &str, what: &str) {
    let query = format!("return !!document.querySelector({css:?});");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while browser.eval(&query).await != json!(true) {
        if std::time::Instant::now() > deadline {
            let state = browser
                .eval(
                    "return [location.href, document.readyState, document.documentElement.lang,
                             performance.getEntriesByType('resource').map(e => e.name).join(' ')];",
                )
                .await;
            panic!("{what}: nothing matches {css:?} after 20 s: {state}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Which page a language is checked on.
#[derive(Clone, Copy, PartialEq)]
enum Page {
    Status,
    Reports,
}

async fn check_language(
    browser: &Browser,
    url: &str,
    operator: &[String],
    language: &str,
    engine: Engine,
    (width, page): (u32, Page),
) {
    let name = engine.name();
    browser.goto(url).await;
    let drawn = match page {
        Page::Status => format!("html[lang='{language}'] [data-overall]"),
        Page::Reports => format!("html[lang='{language}'] .report-table"),
    };
    wait_drawn(browser, &drawn, &format!("{name} {language} at {width} px")).await;
    if page == Page::Status {
        browser.wait_for(".chart-caption", 10).await;
    }
    let dir = browser.eval("return document.documentElement.dir;").await;
    let expected_dir = if language == "ar" { "rtl" } else { "ltr" };
    assert_eq!(
        dir,
        json!(expected_dir),
        "{name} {language}: text direction"
    );
    let shown = browser.eval(SHOWN_TEXT).await;
    let mut shown = shown.as_str().unwrap_or_default().to_string();
    for text in operator {
        shown = shown.replace(text.as_str(), " ");
    }
    let own: BTreeSet<String> = texts(language).values().flat_map(|t| words(t)).collect();
    let endonyms: BTreeSet<String> = LANGUAGES.iter().flat_map(|(_, n)| words(n)).collect();
    let english = english_words();
    let left: Vec<String> = words(&shown)
        .into_iter()
        .filter(|w| english.contains(w) && !own.contains(w) && !endonyms.contains(w))
        .collect();
    if language != "en" {
        assert!(
            left.is_empty(),
            "{name} {language} at {width} px: English left on the page: {left:?}\n{shown}"
        );
    }
    let overflow = browser.eval(OVERFLOWING).await;
    assert!(
        overflow[0].as_i64().unwrap_or(1) <= 0,
        "{name} {language} at {width} px: the page is wider than the screen: {overflow}"
    );
    let shot = match page {
        Page::Status => format!("language-{language}-{width}-{name}"),
        Page::Reports => format!("reports-{language}-{width}-{name}"),
    };
    browser.screenshot(&shot).await;
}

system_tests::in_every_engine!(every_language_at_phone_and_desktop_sizes, every_language);

async fn every_language(engine: Engine) {
    let site = site();
    write_config(site.path(), "en");
    let operator = operator_text(site.path());
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    // The opened check shows its locations and chart too.
    let url = caddy.url("/?check=API");
    for (width, height) in [(360, 780), (1280, 1000)] {
        let browser = Browser::start_in(engine, width, height).await;
        for (language, _) in LANGUAGES {
            write_config(site.path(), language);
            check_language(
                &browser,
                &url,
                &operator,
                language,
                engine,
                (width, Page::Status),
            )
            .await;
            let reports = caddy.url("/reports.html");
            check_language(
                &browser,
                &reports,
                &operator,
                language,
                engine,
                (width, Page::Reports),
            )
            .await;
        }
        if width == 1280 {
            // The visitor's pick wins over the config's language, and stays.
            write_config(site.path(), "fr");
            browser.goto(&url).await;
            browser.wait_for("html[lang='fr'] [data-overall]", 20).await;
            browser
                .eval("const s = document.querySelector('select.language'); s.value = 'de'; s.dispatchEvent(new Event('change')); return true;")
                .await;
            browser.wait_for("html[lang='de'] [data-overall]", 20).await;
            browser.goto(&url).await;
            browser.wait_for("html[lang='de'] [data-overall]", 20).await;
            let heading = browser
                .eval("return [localStorage.getItem('checkup-language'), document.querySelector('.list-head h2').textContent, document.querySelector('select.language').value];")
                .await;
            assert_eq!(heading, json!(["de", "Dienste", "de"]), "{}", engine.name());
        }
        browser.close().await;
    }
}
