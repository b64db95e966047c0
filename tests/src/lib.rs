//! Helpers for whole-system tests and benchmarks: the real `checker` binary,
//! HTTP servers to check, Caddy serving the built page, headless Chromium
//! driven over WebDriver, receivers for notifications (a recording HTTP
//! server, a real SMTP server) and S3 stores (Garage, moto). Everything
//! listens on loopback only, and every process started here is killed when
//! its guard drops, also when a test fails. The servers the checker's own
//! unit tests use as well live in `testkit` and are re-exported here.

pub mod browser;
pub mod caddy;
pub mod delay_server;
pub mod garage;
pub mod hostile;
pub mod moto;
pub mod process;
pub mod smtp;

pub use checker::sample as history_gen;
pub use testkit::{dns_server, test_server, tls_server};

use std::path::{Path, PathBuf};

/// The workspace's top directory.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A JSON file read whole; a missing or broken one names its path.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The built page. `scripts/test` builds it with Trunk before running tests.
pub fn dist_dir() -> PathBuf {
    let dist = std::env::var_os("CHECKUP_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: build the page first (scripts/test does: trunk build --release --cargo-profile page --offline)",
        dist.display()
    );
    let built = modified(&dist.join("index.html"));
    let root = workspace_root();
    for source in [
        root.join("statuspage-wasm"),
        root.join("model/src"),
        root.join("index.html"),
        root.join("Trunk.toml"),
    ] {
        if let Some(newer) = newest_file(&source).filter(|(t, _)| *t > built) {
            panic!(
                "{} is newer than the built page in {}: rebuild it (trunk build --release --cargo-profile page --offline), or run scripts/test",
                newer.1.display(),
                dist.display()
            );
        }
    }
    dist
}

fn modified(path: &std::path::Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(std::time::UNIX_EPOCH)
}

/// The most recently modified file under `path`, and when.
fn newest_file(path: &std::path::Path) -> Option<(std::time::SystemTime, PathBuf)> {
    if path.is_file() {
        return Some((modified(path), path.to_path_buf()));
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| newest_file(&e.ok()?.path()))
        .max_by_key(|(t, _)| *t)
}

/// The latest object a node's checker writes beside `view` after a round:
/// a line per check for the other nodes, and the view's tail for pages.
pub fn latest_of_view(
    view: &checkup_model::NodeView,
    instance: &str,
) -> checkup_model::contract::latest::NodeLatest {
    use checkup_model::contract::latest::{LatestCheck, NodeLatest};
    NodeLatest {
        node: view.node.clone(),
        instance: instance.into(),
        updated: view.updated,
        interval_secs: view.interval_secs,
        checks: view
            .checks
            .iter()
            .map(|c| LatestCheck {
                title: c.title.clone(),
                status: c.latest.status,
                maintenance: c.latest.maintenance,
                notice: c.latest.notice.clone(),
            })
            .collect(),
        tail: Some(view.tail()),
    }
}

/// Edits node `node`'s view in the local results directory `results` as
/// JSON (an incident written straight into storage, say) and writes its
/// summary again from it, as the checker keeps the two in step.
pub fn edit_view(results: &Path, node: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    use checkup_model::contract::node_view::view_key;
    use checkup_model::contract::view_summary::summary_key;
    let path = results.join(view_key(node));
    let mut view: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut view);
    let text = view.to_string();
    let summary = checkup_model::NodeView::parse(&text)
        .expect("the edited view is still a view")
        .summary();
    std::fs::write(&path, text).unwrap();
    std::fs::write(
        results.join(summary_key(node)),
        serde_json::to_vec(&summary).unwrap(),
    )
    .unwrap();
}
