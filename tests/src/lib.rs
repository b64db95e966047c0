//! Helpers for whole-system tests: the real `checker` binary, an HTTP server
//! to check, Caddy serving the built page, and headless Chromium driven over
//! WebDriver. Everything listens on loopback only, and every process started
//! here is killed when its guard drops, also when a test fails.

pub mod browser;
pub mod caddy;
pub mod process;
pub mod test_server;

use std::path::PathBuf;

/// The workspace's top directory.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The built page. `scripts/test` builds it with Trunk before running tests.
pub fn dist_dir() -> PathBuf {
    let dist = std::env::var_os("CHECKUP_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: build the page first (scripts/test does: trunk build --release --offline)",
        dist.display()
    );
    dist
}
