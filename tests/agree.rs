//! Locations agree: three real `checker run` processes (nodes a, b, c) on one
//! storage, once a local directory and once a Garage bucket, each with its
//! own endpoint for the same check (as per-location endpoints look), all
//! notifying one webhook recorder. One location seeing the check down sends
//! nothing; all three seeing it down send exactly one "down", and after
//! recovery exactly one "resolved", even when the node that sent "down" is
//! killed mid-outage (and, on Garage, when storage is away for a while).
//! Two checkers under one node name are caught in both logs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use checkup_model::NodeView;
use checkup_model::Status;
use checkup_model::derive::overview::overview;
use system_tests::garage::Garage;
use system_tests::process::{ChildGuard, checker_bin};
use system_tests::test_server::Recorder;

/// One checker node: its config, its log, and its process while it runs.
struct Node {
    name: &'static str,
    config: PathBuf,
    log: PathBuf,
    process: Option<ChildGuard>,
}

impl Node {
    fn new(dir: &Path, name: &'static str, storage_toml: &str, endpoint: &str, hook: &str) -> Node {
        let config = dir.join(format!("{name}.toml"));
        let state = dir.join(format!("state-{name}"));
        fs::write(
            &config,
            format!(
                "node = \"{name}\"\ninterval = \"1s\"\nstate_dir = \"{}\"\n{storage_toml}\n\
                 [[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{endpoint}\"\ntimeout = \"2s\"\n\n\
                 [[notifiers]]\ntype = \"webhook\"\nurl = \"{hook}\"\n\
                 failure_threshold = 2\nsuccess_threshold = 2\n",
                state.display()
            ),
        )
        .unwrap();
        Node {
            name,
            config,
            log: dir.join(format!("{name}.log")),
            process: None,
        }
    }

    fn start(&mut self) {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        self.process = Some(ChildGuard::spawn(
            "checker run",
            Command::new(checker_bin())
                .arg("--config")
                .arg(&self.config)
                .arg("run")
                .env("RUST_LOG", "checker=info")
                .env("NO_COLOR", "1")
                .stdout(Stdio::null())
                .stderr(log),
        ));
    }

    fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.child.kill().unwrap();
            p.child.wait().unwrap();
        }
    }

    fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn logs(nodes: &[Node]) -> String {
    nodes
        .iter()
        .map(|n| format!("--- {} ---\n{}", n.name, n.log_text()))
        .collect()
}

/// The webhook events received so far, by kind.
fn events(hooks: &Recorder, kind: &str) -> Vec<serde_json::Value> {
    hooks
        .requests()
        .into_iter()
        .map(|r| r.json())
        .filter(|e| e["event"] == kind)
        .collect()
}

/// Waits until `ready` holds, failing with the nodes' logs after `within`.
fn wait_until(within: Duration, nodes: &[Node], what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            logs(nodes)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The scenario, on whatever storage `storage_toml` names. `read_views`
/// gets the nodes' history views; `storage_break` takes storage away for a
/// while and brings it back (or does nothing).
fn scenario(
    storage_toml: &str,
    read_views: &dyn Fn() -> Vec<NodeView>,
    read_badge: &dyn Fn(&str) -> Option<String>,
    storage_break: &mut dyn FnMut(),
) {
    let tmp = tempfile::tempdir().unwrap();
    let endpoints: Vec<Recorder> = (0..3).map(|_| Recorder::start()).collect();
    let hooks = Recorder::start();
    let mut nodes: Vec<Node> = ["a", "b", "c"]
        .into_iter()
        .zip(&endpoints)
        .map(|(name, endpoint)| {
            Node::new(
                tmp.path(),
                name,
                storage_toml,
                &endpoint.url("/health"),
                &hooks.url("/hook"),
            )
        })
        .collect();
    for node in &mut nodes {
        node.start();
    }
    // Every node has seen the others.
    let hits = |e: &Recorder| e.requests().len();
    wait_until(
        Duration::from_secs(20),
        &nodes,
        "three rounds per node",
        || endpoints.iter().all(|e| hits(e) >= 3),
    );

    // 1. Only a sees it down: no alert, and the merged state is degraded.
    endpoints[0].set_status(503);
    let from = hits(&endpoints[0]);
    wait_until(
        Duration::from_secs(20),
        &nodes,
        "six rounds of a seeing it down",
        || hits(&endpoints[0]) >= from + 6 && hits(&endpoints[1]) >= from + 6,
    );
    assert!(
        events(&hooks, "down").is_empty(),
        "one location of three alerted: {:#?}\n{}",
        hooks.requests(),
        logs(&nodes)
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let views = read_views();
    assert_eq!(views.len(), 3, "one view per node");
    let merged = overview(&views, now, 30);
    assert_eq!(merged[0].status, Status::Degraded, "{merged:#?}");
    // The merged badge (recomputed every few rounds by any node) agrees.
    wait_until(
        Duration::from_secs(15),
        &nodes,
        "a degraded merged badge",
        || read_badge("badges/web-status.svg").is_some_and(|svg| svg.contains(">degraded<")),
    );
    let overall = read_badge("badges/overall.svg").unwrap_or_default();
    assert!(overall.contains(">degraded<"), "{overall}");

    // 2. All three see it down: exactly one "down".
    for e in &endpoints {
        e.set_status(503);
    }
    wait_until(Duration::from_secs(20), &nodes, "a down alert", || {
        !events(&hooks, "down").is_empty()
    });
    let from = hits(&endpoints[1]);
    wait_until(Duration::from_secs(20), &nodes, "four more rounds", || {
        hits(&endpoints[1]) >= from + 4
    });
    let downs = events(&hooks, "down");
    assert_eq!(downs.len(), 1, "{downs:#?}\n{}", logs(&nodes));
    let down = &downs[0];
    assert_eq!(down["locations"].as_array().unwrap().len(), 3, "{down}");
    assert!(
        down["text"]
            .as_str()
            .unwrap()
            .contains("is down from a, b, c (3 of 3 locations)"),
        "{down}"
    );

    // 3. The sender dies mid-outage; storage goes away for a while.
    let sender = down["node"].as_str().unwrap().to_string();
    let at = nodes.iter().position(|n| n.name == sender).unwrap();
    nodes[at].kill();
    storage_break();

    // 4. Recovery: exactly one "resolved", from a node still alive.
    for e in &endpoints {
        e.set_status(200);
    }
    wait_until(Duration::from_secs(30), &nodes, "a resolved alert", || {
        !events(&hooks, "resolved").is_empty()
    });
    let alive = (at + 1) % 3;
    let from = hits(&endpoints[alive]);
    wait_until(Duration::from_secs(20), &nodes, "four more rounds", || {
        hits(&endpoints[alive]) >= from + 4
    });
    let resolved = events(&hooks, "resolved");
    assert_eq!(resolved.len(), 1, "{resolved:#?}\n{}", logs(&nodes));
    assert_ne!(resolved[0]["node"], sender.as_str());
    assert_eq!(events(&hooks, "down").len(), 1, "{}", logs(&nodes));
}

#[test]
fn three_nodes_on_one_directory_alert_once_per_outage() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let storage = format!(
        "[storage]\ntype = \"local\"\ndir = \"{}\"\n",
        results.display()
    );
    let views = || {
        fs::read_dir(results.join("views"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with("-history.json"))
            .map(|e| NodeView::parse(&fs::read_to_string(e.path()).unwrap()).unwrap())
            .collect()
    };
    let badge = |key: &str| fs::read_to_string(results.join(key)).ok();
    scenario(&storage, &views, &badge, &mut || {});
}

#[tokio::test(flavor = "multi_thread")]
async fn three_nodes_on_one_bucket_alert_once_per_outage() {
    let mut garage = Garage::start();
    garage.create_bucket("status");
    let key = garage.create_key("checker", "status", &["--read", "--write", "--owner"]);
    let storage = garage.checker_storage_toml("status", "", &key);
    let client = garage.client(&key);
    let handle = tokio::runtime::Handle::current();
    let views = || {
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                let mut views = Vec::new();
                for node in ["a", "b", "c"] {
                    // Stored gzipped (Content-Encoding: gzip), as browsers fetch it.
                    let object = client
                        .get_object()
                        .bucket("status")
                        .key(format!("views/{node}-history.json"))
                        .send()
                        .await
                        .unwrap();
                    let packed = object.body.collect().await.unwrap().into_bytes();
                    let mut text = String::new();
                    std::io::Read::read_to_string(
                        &mut flate2::read::GzDecoder::new(&packed[..]),
                        &mut text,
                    )
                    .unwrap();
                    views.push(NodeView::parse(&text).unwrap());
                }
                views
            })
        })
    };
    let badge = |key: &str| {
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                let object = client
                    .get_object()
                    .bucket("status")
                    .key(key)
                    .send()
                    .await
                    .ok()?;
                let bytes = object.body.collect().await.ok()?.into_bytes();
                Some(String::from_utf8_lossy(&bytes).into_owned())
            })
        })
    };
    tokio::task::block_in_place(|| {
        scenario(&storage, &views, &badge, &mut || {
            garage.stop();
            std::thread::sleep(Duration::from_secs(4));
            garage.start_again();
        })
    });
}

#[test]
fn two_checkers_under_one_node_name_are_caught_in_both_logs() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let storage = format!(
        "[storage]\ntype = \"local\"\ndir = \"{}\"\n",
        results.display()
    );
    let endpoint = Recorder::start();
    let hooks = Recorder::start();
    let first_dir = tmp.path().join("one");
    let second_dir = tmp.path().join("two");
    fs::create_dir_all(&first_dir).unwrap();
    fs::create_dir_all(&second_dir).unwrap();
    let mut nodes = vec![
        Node::new(
            &first_dir,
            "a",
            &storage,
            &endpoint.url("/"),
            &hooks.url("/hook"),
        ),
        Node::new(
            &second_dir,
            "a",
            &storage,
            &endpoint.url("/"),
            &hooks.url("/hook"),
        ),
    ];
    for node in &mut nodes {
        node.start();
    }
    let caught = "another checker is writing as node \"a\"";
    // Two rounds each after both have written once.
    wait_until(
        Duration::from_secs(15),
        &nodes,
        "the error in both logs",
        || nodes.iter().all(|n| n.log_text().contains(caught)),
    );
    // It goes on saying so every round, not once.
    let count = |n: &Node| n.log_text().matches(caught).count();
    let before = count(&nodes[0]);
    wait_until(Duration::from_secs(10), &nodes, "the error again", || {
        count(&nodes[0]) >= before + 2
    });
    // The view says so too, for the page.
    let view = NodeView::parse(&fs::read_to_string(results.join("views/a-history.json")).unwrap())
        .unwrap();
    assert!(view.second_writer, "{view:?}");
}

/// What each real store does with a create-if-absent write: moto refuses
/// the second one (like AWS), Garage 2.5 overwrites (so claims fall back to
/// the lowest-named node). If a Garage upgrade starts honouring the
/// condition, this test says so and the README's table needs updating.
#[tokio::test(flavor = "multi_thread")]
async fn the_probe_tells_which_stores_honour_conditional_writes() {
    use checker::notify::claims::{Mode, probe};
    use checker::storage::{Created, S3Settings, S3Storage, Storage};

    let open = |endpoint: String, region: &str, key: (String, String), bucket: &str| S3Settings {
        bucket: bucket.into(),
        prefix: String::new(),
        region: region.into(),
        endpoint: Some(endpoint),
        path_style: true,
        credentials: Some(key),
    };
    let moto = system_tests::moto::Moto::start_open();
    let admin = system_tests::garage::Key {
        id: "anyone".into(),
        secret: "anyone".into(),
    };
    moto.s3(&admin)
        .create_bucket()
        .bucket("claims")
        .send()
        .await
        .unwrap();
    let on_moto = S3Storage::open(&open(
        moto.endpoint(),
        system_tests::moto::REGION,
        ("anyone".into(), "anyone".into()),
        "claims",
    ))
    .await;
    assert_eq!(probe(&on_moto, "a").await.unwrap(), Mode::Conditional);
    assert_eq!(
        on_moto
            .put_new("alerts/x/1.json", b"{}".to_vec())
            .await
            .unwrap(),
        Created::Yes
    );
    assert_eq!(
        on_moto
            .put_new("alerts/x/1.json", b"{}".to_vec())
            .await
            .unwrap(),
        Created::AlreadyThere
    );

    let garage = Garage::start();
    garage.create_bucket("claims");
    let key = garage.create_key("checker", "claims", &["--read", "--write", "--owner"]);
    let on_garage = S3Storage::open(&open(
        garage.endpoint(),
        system_tests::garage::REGION,
        (key.id.clone(), key.secret.clone()),
        "claims",
    ))
    .await;
    assert_eq!(probe(&on_garage, "a").await.unwrap(), Mode::LowestNode);
}
