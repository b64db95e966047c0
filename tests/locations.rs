//! Three checkers with different node names write to one Garage bucket at
//! once, 300 rounds in all: none is lost or overwritten, and the page shows
//! the check from all three locations, with one location seeing it down.

use std::fs;
use std::process::Command;

use checkup_model::{ResultFileName, parse_round};
use serde_json::json;
use system_tests::browser::Browser;
use system_tests::caddy::Caddy;
use system_tests::dist_dir;
use system_tests::garage::{Garage, REGION, allow_cors, get_text, list_keys};
use system_tests::process::checker_bin;
use system_tests::test_server::TestServer;

const BUCKET: &str = "status";
const ROUNDS_PER_NODE: usize = 100;

#[tokio::test(flavor = "multi_thread")]
async fn three_nodes_write_at_once_and_the_page_shows_each_location() {
    let garage = Garage::start();
    garage.create_bucket(BUCKET);
    let writer = garage.create_key("checker", BUCKET, &["--read", "--write", "--owner"]);
    let reader = garage.create_key("page", BUCKET, &["--read"]);
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let checker = checker_bin();
    // fra1 and nyc1 reach the API; sgp1's path to it is broken.
    let nodes = [
        ("fra1", server.url("/ok")),
        ("nyc1", server.url("/ok")),
        ("sgp1", server.url("/status/502")),
    ];
    let writers: Vec<_> = nodes
        .iter()
        .map(|(node, url)| {
            let cfg = tmp.path().join(format!("{node}.toml"));
            fs::write(
                &cfg,
                format!(
                    "node = \"{node}\"\n{}\n[[checks]]\nname = \"API\"\ntype = \"http\"\nurl = \"{url}\"\n",
                    garage.checker_storage_toml(BUCKET, "checkup", &writer)
                ),
            )
            .unwrap();
            let checker = checker.clone();
            std::thread::spawn(move || {
                for _ in 0..ROUNDS_PER_NODE {
                    let out = Command::new(&checker).arg("--config").arg(&cfg).args(["check", "--store"]).output().unwrap();
                    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }

    let client = garage.client(&writer);
    let keys = list_keys(&client, BUCKET).await;
    assert_eq!(
        keys.len(),
        3 * ROUNDS_PER_NODE,
        "rounds lost or overwritten"
    );
    for (node, _) in &nodes {
        let own: Vec<&String> = keys
            .iter()
            .filter(|k| {
                ResultFileName::parse(k.trim_start_matches("checkup/"))
                    .unwrap()
                    .node
                    .as_deref()
                    == Some(*node)
            })
            .collect();
        assert_eq!(own.len(), ROUNDS_PER_NODE, "{node}");
        let round = parse_round(&get_text(&client, BUCKET, own[0]).await).unwrap();
        assert_eq!(round[0].node.as_deref(), Some(*node));
    }

    let site = tempfile::tempdir().unwrap();
    let caddy = Caddy::start(&dist_dir(), site.path(), site.path());
    allow_cors(&client, BUCKET, &caddy.url("")).await;
    let config = json!({"title": "Locations", "storage": {
        "type": "s3", "bucket": BUCKET, "region": REGION, "endpoint": garage.endpoint(), "prefix": "checkup/",
        "access_key_id": reader.id, "secret_access_key": reader.secret}});
    fs::write(site.path().join("config.json"), config.to_string()).unwrap();
    let browser = Browser::start(1000, 700).await;
    // The check opened from the URL shows what each location sees.
    browser
        .client
        .goto(&caddy.url("/?check=API"))
        .await
        .unwrap();
    browser
        .wait_for("li.check[data-check=\"API\"] .locations", 60)
        .await;
    let seen = browser
        .eval("return [document.querySelector('li.check').dataset.status, Array.from(document.querySelectorAll('li.location')).map(l => [l.dataset.location, l.dataset.status]), document.querySelector('.check-notice').textContent, document.querySelector('[data-overall]').dataset.overall];")
        .await;
    assert_eq!(
        seen,
        json!([
            "degraded",
            [["fra1", "healthy"], ["nyc1", "healthy"], ["sgp1", "down"]],
            "sgp1: status 502 Bad Gateway, expected 2xx",
            "degraded"
        ])
    );
    browser.screenshot("locations").await;
    browser.close().await;
}
