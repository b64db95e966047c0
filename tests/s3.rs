//! S3 end to end against a real Garage on loopback: the checker writes rounds
//! with a read-write key, the page (served by Caddy) lists and downloads them
//! in headless Chromium with a read-only key through CORS, and the read-only
//! key can do nothing else. Retention deletes only the checker's own keys.
//! Through a proxy in front of Garage, an unchanged view revalidates (304).

use std::fs;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use system_tests::browser::{Browser, Engine};
use system_tests::caddy::Caddy;
use system_tests::dist_dir;
use system_tests::garage::{Garage, Key, REGION, allow_cors, error_code, list_keys};
use system_tests::moto::Moto;
use system_tests::process::checker_bin;
use system_tests::test_server::TestServer;

const BUCKET: &str = "status";

struct Setup {
    garage: Garage,
    writer: Key,
    reader: Key,
}

fn setup() -> Setup {
    let garage = Garage::start();
    garage.create_bucket(BUCKET);
    garage.create_bucket("private");
    let writer = garage.create_key("checker", BUCKET, &["--read", "--write", "--owner"]);
    let reader = garage.create_key("page", BUCKET, &["--read"]);
    Setup {
        garage,
        writer,
        reader,
    }
}

fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64
}

/// Runs `checker check --store` against Garage with these checks.
fn store_round(
    s: &Setup,
    dir: &std::path::Path,
    node: &str,
    extra_storage: &str,
    checks: &str,
) -> String {
    let cfg = dir.join(format!("{node}.toml"));
    let text = format!(
        "node = \"{node}\"\n{}{extra_storage}\n{checks}",
        s.garage.checker_storage_toml(BUCKET, "checkup", &s.writer)
    );
    fs::write(&cfg, text).unwrap();
    let out = Command::new(checker_bin())
        .arg("--config")
        .arg(&cfg)
        .args(["check", "--store"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "checker failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn page_config(s: &Setup, key: Option<&Key>) -> Value {
    let mut storage = json!({
        "type": "s3", "bucket": BUCKET, "region": REGION, "endpoint": s.garage.endpoint(), "prefix": "checkup/"
    });
    if let Some(k) = key {
        storage["access_key_id"] = json!(k.id);
        storage["secret_access_key"] = json!(k.secret);
    }
    json!({ "title": "S3 status", "storage": storage, "refresh_interval_secs": 2, "window_hours": 2 })
}

#[tokio::test(flavor = "multi_thread")]
async fn checker_writes_to_garage_and_the_page_reads_with_a_read_only_key() {
    let s = setup();
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let checks = format!(
        "[[checks]]\nname = \"API\"\ntype = \"http\"\nurl = \"{}\"\n\n[[checks]]\nname = \"Broken\"\ntype = \"http\"\nurl = \"{}\"\n",
        server.url("/ok"),
        server.url("/status/503")
    );
    let stdout = store_round(&s, tmp.path(), "fra1", "", &checks);
    assert!(stdout.contains("stored s3://status/checkup/"), "{stdout}");
    store_round(&s, tmp.path(), "nyc1", "", &checks);

    let writer = s.garage.client(&s.writer);
    // Objects are JSON with the right content type, named by node.
    let stored = list_keys(&writer, BUCKET).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(
        stored.iter().any(|k| k.ends_with("-fra1-check.json"))
            && stored.iter().any(|k| k.ends_with("-nyc1-check.json"))
    );
    let head = writer
        .head_object()
        .bucket(BUCKET)
        .key(&stored[0])
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type(), Some("application/json"));

    // More than one listing page: 1,005 more rounds from a third node.
    let base = now_nanos() - 3_000_000_000;
    let seed = futures_like_join(&writer, base).await;
    assert_eq!(seed, 1005);

    let site = tempfile::tempdir().unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    allow_cors(&writer, BUCKET, &caddy.url("")).await;
    fs::write(
        site.path().join("config.json"),
        page_config(&s, Some(&s.reader)).to_string(),
    )
    .unwrap();

    // The write key is nowhere in what the page is built from or fetches.
    for file in [dist_dir(), dist_dir().join("i18n")]
        .iter()
        .flat_map(|dir| fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()))
        .filter(|path| path.is_file())
        .chain([site.path().join("config.json")])
    {
        let bytes = fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&s.writer.secret) && !text.contains(&s.writer.id),
            "write key in {}",
            file.display()
        );
    }

    // ... nor in config.json as the server hands it out.
    let served = http_get(caddy.port, "/config.json");
    assert!(
        served.contains(&s.reader.id),
        "not the page config: {served}"
    );
    assert!(
        !served.contains(&s.writer.secret) && !served.contains(&s.writer.id),
        "write key served: {served}"
    );

    // Every browser reads the bucket the same way; Chromium then follows a new round.
    for engine in [Engine::Firefox, Engine::WebKit] {
        reads_garage(engine, &caddy.url("/"), &s.garage.endpoint())
            .await
            .close()
            .await;
    }
    let browser = reads_garage(Engine::Chromium, &caddy.url("/"), &s.garage.endpoint()).await;

    // A new round shows up on the next refresh, fetching only what is new.
    store_round(
        &s,
        tmp.path(),
        "fra1",
        "",
        &format!(
            "{checks}\n[[checks]]\nname = \"Late\"\ntype = \"http\"\nurl = \"{}\"\n",
            server.url("/ok")
        ),
    );
    browser.wait_for("li.check[data-check=\"Late\"]", 20).await;
    let after: u64 = serde_json::from_value(
        browser
            .eval("return performance.getEntriesByType('resource').filter(r => r.name.includes('-check.json') && !r.name.includes('list-type')).length;")
            .await,
    )
    .unwrap();
    assert_eq!(after, 1008, "a refresh downloaded old rounds again");
    browser.close().await;
}

/// The page on Garage with the read-only key, in one browser: the states,
/// a listing followed past its first page, every round fetched once, and
/// only signed requests. Returns the browser, still on the page.
async fn reads_garage(engine: Engine, url: &str, endpoint: &str) -> Browser {
    let browser = Browser::start_in(engine, 1280, 900).await;
    browser.goto(url).await;
    let banner = browser.wait_for("[data-overall]", 60).await;
    assert_eq!(
        banner.attr("data-overall").await.unwrap().as_deref(),
        Some("partial"),
        "{}",
        engine.name()
    );
    let rows = browser
        .eval("return Array.from(document.querySelectorAll('li.check')).map(li => [li.dataset.check, li.dataset.status]);")
        .await;
    assert_eq!(
        rows,
        json!([
            ["API", "healthy"],
            ["Broken", "down"],
            ["Seeded", "healthy"]
        ]),
        "{}",
        engine.name()
    );
    let requests = browser
        .eval(&format!(
            "const e = performance.getEntriesByType('resource').map(r => r.name).filter(n => n.startsWith('{}')); \
             return [e.filter(n => n.includes('list-type=2')).length, e.filter(n => n.includes('-check.json') && !n.includes('list-type')).length, \
                     e.filter(n => !n.includes('X-Amz-Signature=')).length];",
            endpoint
        ))
        .await;
    let counts: Vec<u64> = serde_json::from_value(requests).unwrap();
    assert!(
        counts[0] >= 2,
        "{}: the listing was not followed past its first page: {counts:?}",
        engine.name()
    );
    assert_eq!(
        counts[1],
        1007,
        "{}: every round in the window downloaded once: {counts:?}",
        engine.name()
    );
    assert_eq!(
        counts[2],
        0,
        "{}: unsigned request to the bucket: {counts:?}",
        engine.name()
    );
    browser.screenshot("s3-garage").await;
    browser
}

/// A plain HTTP/1.0 GET on loopback; the whole response, headers and body.
fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Seeds 1,005 rounds from node "seed", 1 ms apart, in parallel.
async fn futures_like_join(client: &aws_sdk_s3::Client, base: i64) -> usize {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1005i64 {
        let client = client.clone();
        tasks.spawn(async move {
            let ts = base + i * 1_000_000;
            let body = format!(r#"[{{"title":"Seeded","endpoint":"seed","timestamp":{ts},"times":[{{"rtt":1000000}}],"healthy":true}}]"#);
            client
                .put_object()
                .bucket(BUCKET)
                .key(format!("checkup/{ts}-seed-check.json"))
                .body(body.into_bytes().into())
                .send()
                .await
                .expect("seed put");
        });
    }
    tasks.join_all().await.len()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_read_only_key_is_refused_for_writes_deletes_and_other_buckets() {
    let s = setup();
    let writer = s.garage.client(&s.writer);
    writer
        .put_object()
        .bucket(BUCKET)
        .key("checkup/1-n-check.json")
        .body(b"[]".to_vec().into())
        .send()
        .await
        .unwrap();
    let reader = s.garage.client(&s.reader);
    assert_eq!(
        list_keys(&reader, BUCKET).await,
        ["checkup/1-n-check.json"],
        "the reader can list"
    );
    let put = reader
        .put_object()
        .bucket(BUCKET)
        .key("checkup/2-n-check.json")
        .body(b"[]".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&put), "AccessDenied");
    let delete = reader
        .delete_object()
        .bucket(BUCKET)
        .key("checkup/1-n-check.json")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&delete), "AccessDenied");
    let other = reader
        .list_objects_v2()
        .bucket("private")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&other), "AccessDenied");
    assert_eq!(
        list_keys(&writer, BUCKET).await.len(),
        1,
        "nothing was written or deleted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_is_explained_on_the_page() {
    let s = setup();
    let site = tempfile::tempdir().unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    allow_cors(&s.garage.client(&s.writer), BUCKET, &caddy.url("")).await;
    let wrong = Key {
        id: s.reader.id.clone(),
        secret: "0".repeat(64),
    };
    fs::write(
        site.path().join("config.json"),
        page_config(&s, Some(&wrong)).to_string(),
    )
    .unwrap();
    let browser = Browser::start(900, 600).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    let text = browser.wait_for(".problem", 20).await.text().await.unwrap();
    assert!(
        text.contains(
            "Could not load the history views listing (s3://status/checkup/views/): HTTP 403"
        ),
        "{text}"
    );
    browser.screenshot("s3-wrong-key").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_cors_the_page_says_the_browser_blocked_it() {
    let s = setup();
    let site = tempfile::tempdir().unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    fs::write(
        site.path().join("config.json"),
        page_config(&s, Some(&s.reader)).to_string(),
    )
    .unwrap();
    let browser = Browser::start(900, 600).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    let text = browser.wait_for(".problem", 20).await.text().await.unwrap();
    assert!(
        text.contains("the browser blocked it (is CORS set up for this page's origin?)"),
        "{text}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_deletes_only_the_checkers_own_old_keys() {
    let s = setup();
    let writer = s.garage.client(&s.writer);
    let old = 1_000_000_000_000_000_000i64;
    for key in [
        format!("checkup/{old}-fra1-check.json"),
        format!("checkup/{}-fra1-check.json", old + 1),
        format!("checkup/{old}-nyc1-check.json"),
        format!("checkup/{old}-check.json"),
        format!("other/{old}-fra1-check.json"),
        "checkup/notes.txt".to_string(),
    ] {
        writer
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(b"[]".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    let checks = format!(
        "[[checks]]\nname = \"API\"\ntype = \"http\"\nurl = \"{}\"\n",
        server.url("/ok")
    );
    store_round(&s, tmp.path(), "fra1", "check_expiry = \"1d\"\n", &checks);
    let mut left = list_keys(&writer, BUCKET).await;
    left.sort();
    assert_eq!(left.len(), 5, "{left:?}");
    assert!(
        !left
            .iter()
            .any(|k| k.starts_with(&format!("checkup/{}", old)) && k.ends_with("-fra1-check.json")),
        "{left:?}"
    );
    for kept in [
        format!("checkup/{old}-nyc1-check.json"),
        format!("checkup/{old}-check.json"),
        format!("other/{old}-fra1-check.json"),
        "checkup/notes.txt".into(),
    ] {
        assert!(left.contains(&kept), "{kept} was deleted: {left:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_public_bucket_is_read_without_a_key() {
    let moto = Moto::start_open();
    let admin = moto.s3(&moto.admin);
    admin.create_bucket().bucket("public").send().await.unwrap();
    let ts = now_nanos() - 1_000_000_000;
    let round = format!(
        r#"[{{"title":"Public API","endpoint":"https://api","timestamp":{ts},"times":[{{"rtt":2000000}}],"healthy":true}}]"#
    );
    admin
        .put_object()
        .bucket("public")
        .key(format!("{ts}-n1-check.json"))
        // Anonymous reads of an object need it to be public, as on AWS.
        .acl(aws_sdk_s3::types::ObjectCannedAcl::PublicRead)
        .body(round.into_bytes().into())
        .send()
        .await
        .unwrap();
    let site = tempfile::tempdir().unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    let config =
        json!({"storage": {"type": "s3", "bucket": "public", "endpoint": moto.endpoint()}});
    fs::write(site.path().join("config.json"), config.to_string()).unwrap();
    let browser = Browser::start(900, 600).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    let row = browser
        .wait_for("li.check[data-check=\"Public API\"]", 20)
        .await;
    assert_eq!(
        row.attr("data-status").await.unwrap().as_deref(),
        Some("healthy")
    );
    let signed = browser
        .eval(&format!(
            "return performance.getEntriesByType('resource').filter(r => r.name.startsWith('{}')).map(r => r.name.includes('X-Amz-'));",
            moto.endpoint()
        ))
        .await;
    assert_eq!(
        signed,
        json!([false, false, false]),
        "unsigned: the (empty) views listing, the round listing, one download"
    );
    browser.close().await;
}

/// The running checker writes its history view and badges to Garage; the
/// page reads the view with the read-only key (one listing, one view) and
/// never a raw round file.
#[tokio::test(flavor = "multi_thread")]
async fn history_views_in_garage_are_what_the_page_reads() {
    let s = setup();
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("run.toml");
    fs::write(
        &cfg,
        format!(
            "node = \"fra1\"\ninterval = \"1s\"\nstate_dir = \"state\"\n{}\n[[checks]]\nname = \"API\"\ntype = \"http\"\nurl = \"{}\"\n",
            s.garage.checker_storage_toml(BUCKET, "checkup", &s.writer),
            server.url("/ok")
        ),
    )
    .unwrap();
    let start = |what: &'static str| {
        system_tests::process::ChildGuard::spawn(
            what,
            Command::new(checker_bin())
                .arg("--config")
                .arg(&cfg)
                .arg("run"),
        )
    };
    let stop = |mut run: system_tests::process::ChildGuard| {
        unsafe { libc::kill(run.child.id() as i32, libc::SIGTERM) };
        assert!(run.child.wait().unwrap().success());
    };
    let run = start("checker run");
    let writer = s.garage.client(&s.writer);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let keys = list_keys(&writer, BUCKET).await;
        if keys.iter().any(|k| k == "checkup/views/fra1-history.json")
            && keys.iter().any(|k| k == "checkup/views/fra1-summary.json")
            && keys
                .iter()
                .any(|k| k == "checkup/badges/fra1-api-status.svg")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no view in {keys:?}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Let a few rounds into the view, so a restart that lost it would show.
    while stored_view(&writer).await.rounds < 5 {
        assert!(std::time::Instant::now() < deadline, "the view grows");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    stop(run);

    // The view is stored gzipped and marked so: a browser unpacks it by
    // itself, and it travels at a fraction of its size.
    let before = stored_view(&writer).await;
    assert_eq!(before.content_encoding.as_deref(), Some("gzip"));
    assert_eq!(before.content_type.as_deref(), Some("application/json"));
    assert!(
        before.stored * 2 < before.json,
        "{} bytes stored for {} of JSON",
        before.stored,
        before.json
    );

    // Rewritten every round (1 s here): caches keep it half an interval,
    // at least a second. An unchanged view costs a 304, not its bytes.
    assert_eq!(before.cache_control.as_deref(), Some("public, max-age=1"));
    let etag = head_updated(&writer).await.expect("an ETag");
    let unchanged = writer
        .get_object()
        .bucket(BUCKET)
        .key("checkup/views/fra1-history.json")
        .if_none_match(&etag)
        .send()
        .await;
    let status = unchanged
        .err()
        .and_then(|e| e.raw_response().map(|r| r.status().as_u16()));
    assert_eq!(status, Some(304), "Garage revalidates an unchanged view");
    // The summary the page reads first is stored the same way.
    let summary = writer
        .head_object()
        .bucket(BUCKET)
        .key("checkup/views/fra1-summary.json")
        .send()
        .await
        .unwrap();
    assert_eq!(summary.content_encoding(), Some("gzip"));
    assert_eq!(summary.cache_control(), Some("public, max-age=1"));
    // Round files never change: any cache may keep them for good.
    let keys = list_keys(&writer, BUCKET).await;
    let round = keys
        .iter()
        .find(|k| k.ends_with("-fra1-check.json"))
        .expect("a round file");
    let head = writer
        .head_object()
        .bucket(BUCKET)
        .key(round)
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.cache_control(),
        Some("public, max-age=31536000, immutable")
    );

    // A restarted checker resumes from the gzipped view: the first view it
    // writes goes on counting from where the last one stopped (a view it
    // could not read would start again from one round).
    let updated_before = head_updated(&writer).await;
    let rerun = start("checker run again");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while head_updated(&writer).await == updated_before {
        assert!(
            std::time::Instant::now() < deadline,
            "no view after the restart"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let after = stored_view(&writer).await;
    assert!(
        after.rounds > before.rounds,
        "the resumed view has {} rounds, {} before the restart",
        after.rounds,
        before.rounds
    );
    stop(rerun);
    let badge = writer
        .head_object()
        .bucket(BUCKET)
        .key("checkup/badges/fra1-api-status.svg")
        .send()
        .await
        .unwrap();
    assert_eq!(badge.content_type(), Some("image/svg+xml"));

    let site = tempfile::tempdir().unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    allow_cors(&writer, BUCKET, &caddy.url("")).await;
    fs::write(
        site.path().join("config.json"),
        page_config(&s, Some(&s.reader)).to_string(),
    )
    .unwrap();
    let browser = Browser::start(1000, 800).await;
    browser.client.goto(&caddy.url("/")).await.unwrap();
    browser.wait_for("li.check[data-check=\"API\"]", 20).await;
    // Read afresh: the first rows are drawn again right after the first
    // paint, so an element found before may be gone.
    let status = browser
        .eval("return document.querySelector('li.check[data-check=\"API\"]').dataset.status;")
        .await;
    assert_eq!(status, json!("healthy"));
    let requests = browser
        .eval(&format!(
            "return performance.getEntriesByType('resource').map(r => r.name).filter(n => n.startsWith('{}'));",
            s.garage.endpoint()
        ))
        .await;
    let requests: Vec<String> = serde_json::from_value(requests).unwrap();
    assert_eq!(
        requests.len(),
        2,
        "one listing and one summary: {requests:?}"
    );
    assert!(
        requests[0].contains("prefix=checkup%2Fviews%2F"),
        "{requests:?}"
    );
    assert!(
        requests[1].contains("/checkup/views/fra1-summary.json?"),
        "{requests:?}"
    );
    assert!(
        requests.iter().all(|r| r.contains("X-Amz-Signature=")),
        "signed"
    );
    browser.screenshot("s3-views").await;
    browser.close().await;

    // Presigned URLs revalidate like any other: through a proxy in front of
    // Garage (as a CDN would be), a second load of the page in the same
    // browser gets a 304 for the unchanged summary. WebKitWebDriver's session
    // keeps no HTTP cache here (see tests/refresh.rs).
    let proxy = Caddy::proxy(&s.garage.endpoint(), site.path());
    let mut config = page_config(&s, Some(&s.reader));
    config["storage"]["endpoint"] = json!(proxy.url(""));
    fs::write(site.path().join("config.json"), config.to_string()).unwrap();
    for engine in [Engine::Chromium, Engine::Firefox] {
        // Both loads within one 5-minute signing window: the same URLs.
        let into_window = now_nanos() / 1_000_000_000 % 300;
        if into_window > 270 {
            tokio::time::sleep(std::time::Duration::from_secs(301 - into_window as u64)).await;
        }
        let view_answers = || {
            proxy
                .answered()
                .into_iter()
                .filter(|(uri, _)| uri.starts_with("/status/checkup/views/fra1-summary.json?"))
                .map(|(_, status)| status)
                .collect::<Vec<u16>>()
        };
        let before = view_answers().len();
        let browser = Browser::start_in(engine, 1000, 800).await;
        for _ in 0..2 {
            browser.goto(&caddy.url("/")).await;
            browser.wait_for("li.check[data-check=\"API\"]", 20).await;
        }
        browser.close().await;
        let answers = view_answers()[before..].to_vec();
        assert_eq!(
            answers,
            [200, 304],
            "{}: the summary through the proxy, loaded twice",
            engine.name()
        );
    }
}

/// fra1's view as stored in the bucket.
struct StoredView {
    content_encoding: Option<String>,
    content_type: Option<String>,
    cache_control: Option<String>,
    /// Rounds the view has counted (its minute buckets).
    rounds: u64,
    /// Bytes stored, and bytes of JSON once unpacked.
    stored: usize,
    json: usize,
}

async fn stored_view(client: &aws_sdk_s3::Client) -> StoredView {
    use std::io::Read;
    // Read through the SDK, which (unlike a browser) does not unpack.
    let object = client
        .get_object()
        .bucket(BUCKET)
        .key("checkup/views/fra1-history.json")
        .send()
        .await
        .unwrap();
    let content_encoding = object.content_encoding().map(str::to_string);
    let content_type = object.content_type().map(str::to_string);
    let cache_control = object.cache_control().map(str::to_string);
    let stored = object.body.collect().await.unwrap().into_bytes();
    let mut json = String::new();
    flate2::read::GzDecoder::new(&stored[..])
        .read_to_string(&mut json)
        .expect("the stored view unpacks");
    let view = checkup_model::NodeView::parse(&json).expect("a history view");
    StoredView {
        content_encoding,
        content_type,
        cache_control,
        rounds: view.checks[0].series[0].n.iter().map(|&n| n as u64).sum(),
        stored: stored.len(),
        json: json.len(),
    }
}

/// When fra1's stored view was last written (its ETag changes each time).
async fn head_updated(client: &aws_sdk_s3::Client) -> Option<String> {
    client
        .head_object()
        .bucket(BUCKET)
        .key("checkup/views/fra1-history.json")
        .send()
        .await
        .unwrap()
        .e_tag()
        .map(str::to_string)
}

/// Reads an object of the bucket as JSON, unpacking it if stored gzipped.
async fn object_json(client: &aws_sdk_s3::Client, key: &str) -> Value {
    let object = client
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap();
    let gzipped = object.content_encoding() == Some("gzip");
    let bytes = object.body.collect().await.unwrap().into_bytes();
    let mut text = String::new();
    if gzipped {
        use std::io::Read;
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
    } else {
        text = String::from_utf8(bytes.to_vec()).unwrap();
    }
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn monthly_reports_in_garage_are_written_once_and_read_by_the_page() {
    use checkup_model::contract::report::Month;
    let s = setup();
    let server = TestServer::start();
    let writer = s.garage.client(&s.writer);
    // Two days of rounds either side of the turn of last month, as a
    // checker would have stored them every 30 minutes.
    let now = now_nanos() / 1_000_000_000;
    let last = Month::of_secs(Month::of_secs(now).start_secs() - 1);
    let before = Month::of_secs(last.start_secs() - 1);
    let mut secs = last.start_secs() - 2 * 86_400;
    while secs < last.start_secs() + 2 * 86_400 {
        let round = json!([{"title": "API", "endpoint": "http://127.0.0.1/ok",
            "timestamp": secs * 1_000_000_000, "times": [{"rtt": 30_000_000}],
            "threshold": 0, "healthy": true, "node": "fra1", "kind": "http"}]);
        writer
            .put_object()
            .bucket(BUCKET)
            .key(format!("checkup/{}-fra1-check.json", secs * 1_000_000_000))
            .body(round.to_string().into_bytes().into())
            .send()
            .await
            .unwrap();
        secs += 1_800;
    }
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("run.toml");
    fs::write(
        &cfg,
        format!(
            "node = \"fra1\"\ninterval = \"30m\"\nstate_dir = \"state\"\n{}\n[[checks]]\nname = \"API\"\ntype = \"http\"\nurl = \"{}\"\n",
            s.garage.checker_storage_toml(BUCKET, "checkup", &s.writer),
            server.url("/ok")
        ),
    )
    .unwrap();
    let out = Command::new(checker_bin())
        .arg("--config")
        .arg(&cfg)
        .arg("rebuild")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 monthly reports written"),
        "{stdout}"
    );
    let report = object_json(&writer, &format!("checkup/reports/fra1/{before}.json")).await;
    assert_eq!(report["checks"][0]["rounds"], 96, "{report}");

    // The running checker's first round writes last month's report,
    // create-only; a second run leaves it as it is.
    let last_key = format!("checkup/reports/fra1/{last}.json");
    let run_once = |rounds_before: usize| {
        let (writer, cfg, last_key) = (writer.clone(), cfg.clone(), last_key.clone());
        async move {
            let mut run = system_tests::process::ChildGuard::spawn(
                "checker run",
                Command::new(checker_bin())
                    .arg("--config")
                    .arg(&cfg)
                    .arg("run"),
            );
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            loop {
                let keys = list_keys(&writer, BUCKET).await;
                let rounds = keys
                    .iter()
                    .filter(|k| k.ends_with("-fra1-check.json"))
                    .count();
                if rounds > rounds_before && keys.iter().any(|k| k == &last_key) {
                    break;
                }
                assert!(std::time::Instant::now() < deadline, "no round and report");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            // The view is written after the round: let it be, then stop.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            unsafe { libc::kill(run.child.id() as i32, libc::SIGTERM) };
            assert!(run.child.wait().unwrap().success());
        }
    };
    run_once(192).await;
    let modified = |key: String| {
        let writer = writer.clone();
        async move {
            let head = writer
                .head_object()
                .bucket(BUCKET)
                .key(key)
                .send()
                .await
                .unwrap();
            head.last_modified().cloned()
        }
    };
    let first = modified(last_key.clone()).await;
    assert_eq!(
        object_json(&writer, &last_key).await["checks"][0]["rounds"],
        96
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    run_once(193).await;
    assert_eq!(modified(last_key.clone()).await, first, "written once");

    // The page lists them with the read-only key and shows the newest.
    let site = tempfile::tempdir().unwrap();
    let mut config = page_config(&s, Some(&s.reader));
    config["sla"] = json!(99.5);
    fs::write(site.path().join("config.json"), config.to_string()).unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    allow_cors(&writer, BUCKET, &caddy.url("")).await;
    let browser = Browser::start(1280, 900).await;
    browser.goto(&caddy.url("/reports.html")).await;
    browser.wait_for(".report-table tbody tr", 60).await;
    let shown = browser
        .eval(
            "return [[...document.querySelectorAll('select.report-month option')].map(o => o.value),
                     [...document.querySelectorAll('.report-table tbody tr.report-check')].map(tr => [tr.dataset.check, tr.querySelector('td').textContent])];",
        )
        .await;
    assert_eq!(
        shown,
        json!([[last.to_string(), before.to_string()], [["API", "100.00%"]]])
    );
    let note = browser
        .eval("return document.querySelector('.report-note').textContent;")
        .await;
    assert!(
        note.as_str()
            .unwrap()
            .starts_with("Availability as seen from fra1:")
            && note.as_str().unwrap().contains("Target: 99.5 %"),
        "{note}"
    );
    let unsigned = browser
        .eval(&format!(
            "return performance.getEntriesByType('resource').map(r => r.name)
                 .filter(n => n.startsWith('{}') && !n.includes('X-Amz-Signature=')).length;",
            s.garage.endpoint()
        ))
        .await;
    assert_eq!(unsigned, 0, "every request to the bucket is signed");
    browser.close().await;
}
