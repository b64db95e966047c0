//! The `checker` binary as the tests run it, beside the process helpers of
//! `testkit` (re-exported, so every test imports them from one place).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub use testkit::process::{ChildGuard, free_port};

/// The `checker` binary, built once per test process through cargo (which
/// does nothing when it is up to date).
pub fn checker_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .current_dir(crate::workspace_root())
            .args([
                "build",
                "-p",
                "checker",
                "--bin",
                "checker",
                "--message-format=json-render-diagnostics",
            ])
            .stderr(Stdio::inherit())
            .output()
            .expect("cannot run cargo build");
        assert!(out.status.success(), "cargo build -p checker failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == "checker")
            .find_map(|v| v["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported no checker executable")
    })
    .clone()
}
