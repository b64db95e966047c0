//! The checker under systemd: the unit in deploy/ passes `systemd-analyze
//! verify` with no warnings, and `checker run` speaks the sd_notify protocol
//! (READY, STATUS, WATCHDOG, STOPPING) to a socket as systemd would provide.

use std::fs;
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use system_tests::process::checker_bin;
use system_tests::test_server::TestServer;
use system_tests::workspace_root;

#[test]
fn the_unit_file_verifies_cleanly() {
    let unit = fs::read_to_string(workspace_root().join("deploy/checker.service")).unwrap();
    for must in [
        "Type=notify",
        "WatchdogSec=",
        "DynamicUser=yes",
        "StateDirectory=checker",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
    ] {
        assert!(unit.contains(must), "the unit lacks {must}");
    }
    let dir = tempfile::tempdir().unwrap();
    // Point it at the binary built here; verify checks that it is executable.
    let path = dir.path().join("checker.service");
    fs::write(
        &path,
        unit.replace(
            "/usr/local/bin/checker",
            &checker_bin().display().to_string(),
        ),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (package systemd)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.trim().is_empty(),
        "systemd-analyze warned:\n{stderr}"
    );
}

#[test]
fn run_notifies_ready_status_watchdog_and_stopping() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let cfg = dir.path().join("checker.toml");
    fs::write(
        &cfg,
        format!("node = \"n1\"\ninterval = \"1s\"\n[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n", server.url("/ok")),
    )
    .unwrap();
    let mut child = Command::new(checker_bin())
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "300000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut messages: Vec<String> = Vec::new();
    let receive_until =
        |done: &dyn Fn(&[String]) -> bool, what: &str, messages: &mut Vec<String>| {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut buf = [0u8; 4096];
            while !done(messages) {
                assert!(
                    Instant::now() < deadline,
                    "no {what} within 10s; got {messages:?}"
                );
                if let Ok(n) = socket.recv(&mut buf) {
                    messages.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                }
            }
        };
    receive_until(
        &|m| m.iter().any(|s| s.contains("READY=1")),
        "READY=1",
        &mut messages,
    );
    assert!(
        messages[0].contains("READY=1") && messages[0].contains("STATUS=1 checks every 1s"),
        "{messages:?}"
    );
    receive_until(
        &|m| m.iter().filter(|s| s.contains("WATCHDOG=1")).count() >= 2,
        "WATCHDOG=1 pings",
        &mut messages,
    );
    receive_until(
        &|m| {
            m.iter()
                .any(|s| s.contains("STATUS=last round: 1 healthy, 0 degraded, 0 down"))
        },
        "a round's STATUS",
        &mut messages,
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    receive_until(
        &|m| m.iter().any(|s| s.contains("STOPPING=1")),
        "STOPPING=1",
        &mut messages,
    );
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
