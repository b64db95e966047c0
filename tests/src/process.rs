//! Child processes that die with their guard, free loopback ports, and the
//! `checker` binary built by cargo.

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Kills and reaps the child, and everything it started, when dropped, so no
/// server outlives its test. The child leads its own process group, so the
/// browsers a chromedriver starts go with it.
pub struct ChildGuard {
    pub child: Child,
    pub name: &'static str,
}

impl ChildGuard {
    pub fn spawn(name: &'static str, command: &mut Command) -> ChildGuard {
        use std::os::unix::process::CommandExt;
        let child = command
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {name} ({command:?}): {e}; run scripts/setup to install it")
            });
        ChildGuard { child, name }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody is listening on right now, and never handed out
/// before in this process: tests run in parallel, and the OS may offer a
/// port again as soon as it is released, before the first taker binds it.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("cannot bind a loopback port")
            .port();
        if HANDED_OUT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(port)
        {
            return port;
        }
    }
}

/// Waits until something accepts connections on the port.
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not start listening on 127.0.0.1:{port} within 20s");
}

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
