//! The `checker` binary as the tests run it, beside the process helpers of
//! `testkit` (re-exported, so every test imports them from one place).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub use testkit::process::{ChildGuard, free_port};

/// The packages whose features the test build resolves: building the
/// checker with both selected gives it the dependencies `cargo test` already
/// compiled (`-p checker` alone resolves other features, and would rebuild
/// dozens of crates).
const CHECKER_BUILD: [&str; 7] = [
    "build",
    "-p",
    "checker",
    "-p",
    "system-tests",
    "--bin",
    "checker",
];

/// The `checker` binary. `scripts/test` builds it once, before `cargo test`,
/// and names it in `CHECKUP_CHECKER_BIN`; without that (a test run by hand)
/// it is built here, once per test process, with [`CHECKER_BUILD`] (which
/// does nothing when it is up to date).
pub fn checker_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("CHECKUP_CHECKER_BIN") {
            let bin = PathBuf::from(bin);
            assert!(
                bin.is_file(),
                "CHECKUP_CHECKER_BIN names {}, which is not a file",
                bin.display()
            );
            return bin;
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .current_dir(crate::workspace_root())
            .args(CHECKER_BUILD)
            .arg("--message-format=json-render-diagnostics")
            .stderr(Stdio::inherit())
            .output()
            .expect("cannot run cargo build");
        assert!(
            out.status.success(),
            "cargo {} failed",
            CHECKER_BUILD.join(" ")
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == "checker")
            .find_map(|v| v["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported no checker executable")
    })
    .clone()
}

/// VmRSS and VmHWM (peak) of a process, KB, from /proc.
pub fn memory_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Runs `checker --config <config> <args>`, which must succeed, and
/// returns what it printed; a failure shows its output.
pub fn checker_ok(config: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(checker_bin())
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "checker {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[cfg(test)]
mod tests {
    #[test]
    fn scripts_test_builds_the_checker_as_the_tests_would() {
        let script = include_str!("../../scripts/test");
        let command = format!("cargo {}", super::CHECKER_BUILD.join(" "));
        assert!(
            script.lines().any(|l| l.trim() == command),
            "scripts/test does not run `{command}`"
        );
    }
}
