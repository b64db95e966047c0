//! Hostile endpoints, checked by the real `checker` binary in one round: each
//! yields the right status and a clear error within its timeout, and the
//! checker's memory stays bounded (its peak resident size is measured from
//! the kernel's accounting of the finished child, and printed).

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use system_tests::hostile::{Behaviour, start};
use system_tests::process::checker_bin;
use system_tests::test_server::TestServer;
use system_tests::tls_server::{TestCa, serve};

/// Runs `command` to the end; returns its stdout, exit code and peak resident
/// set size in KiB, from the kernel's accounting of that one process.
// The child is reaped by wait4 below, which also reports its resource usage.
#[allow(clippy::zombie_processes)]
fn run_measured(command: &mut Command) -> (String, Option<i32>, i64) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
        text
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, filling structs we own.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (reader.join().unwrap(), code, usage.ru_maxrss)
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_endpoints_fail_clearly_within_their_timeouts_in_bounded_memory() {
    let silent = start(Behaviour::Silent);
    let trickle_headers = start(Behaviour::TrickleHeaders);
    let trickle_body = start(Behaviour::TrickleBody);
    let web = TestServer::start();
    let ca = TestCa::new();
    let self_signed = serve(&TestCa::new().leaf(&["localhost"], 90)).await;
    let wrong_name = serve(&ca.leaf(&["elsewhere.example"], 90)).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    fs::write(&ca_path, &ca.pem).unwrap();
    let check = |name: &str, body: String| {
        format!("[[checks]]\nname = \"{name}\"\n{body}\ntimeout = \"2s\"\n\n")
    };
    let config = [
        check("Silent HTTP", format!("type = \"http\"\nurl = \"http://127.0.0.1:{silent}/\"")),
        check("Silent TLS", format!("type = \"tls\"\naddress = \"localhost:{silent}\"")),
        check("Trickled headers", format!("type = \"http\"\nurl = \"http://127.0.0.1:{trickle_headers}/\"")),
        check("Trickled body", format!("type = \"http\"\nurl = \"http://127.0.0.1:{trickle_body}/\"\nmust_contain = \"never\"")),
        check("Huge body", format!("type = \"http\"\nurl = \"{}\"\nmust_contain = \"y\"", web.url("/big/1073741824"))),
        check("Endless redirects", format!("type = \"http\"\nurl = \"{}\"", web.url("/loop"))),
        check("Self-signed", format!("type = \"http\"\nurl = \"https://localhost:{self_signed}/\"")),
        check("Wrong name", format!("type = \"tls\"\naddress = \"localhost:{wrong_name}\"\nca_file = \"{}\"", ca_path.display())),
        check("No DNS server", "type = \"dns\"\nquery = \"does-not-exist.invalid\"\nserver = \"127.0.0.1:9\"".to_string()),
    ]
    .concat();
    let cfg = dir.path().join("checker.toml");
    fs::write(&cfg, format!("node = \"n1\"\n{config}")).unwrap();

    let checker = checker_bin();
    let started = Instant::now();
    let (table, code, peak_kib) = run_measured(
        Command::new(checker)
            .arg("--config")
            .arg(&cfg)
            .arg("check")
            .env("NO_COLOR", "1"),
    );
    let took = started.elapsed();
    eprintln!(
        "{table}\nround took {took:?}; checker peak RSS {} MiB",
        peak_kib / 1024
    );
    assert_eq!(code, Some(1), "{table}");
    // All checks run concurrently, each bounded by its 2 s timeout.
    assert!(took < Duration::from_secs(8), "the round took {took:?}");
    let row = |name: &str| {
        table
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{table}"))
            .to_string()
    };
    for (name, expected) in [
        ("Silent HTTP", "timed out after 2s"),
        ("Silent TLS", "timed out after 2s"),
        ("Trickled headers", "timed out after 2s"),
        ("Trickled body", "timed out after 2s"),
        ("Huge body", "response body does not contain \"y\""),
        ("Endless redirects", "too many redirects"),
        ("Self-signed", "invalid peer certificate: UnknownIssuer"),
        ("Wrong name", "certificate not valid for name \"localhost\""),
        ("No DNS server", "no answer from 127.0.0.1:9"),
    ] {
        let line = row(name);
        assert!(line.starts_with("DOWN "), "{name} is not down: {line}");
        assert!(
            line.contains(expected),
            "{name}: expected {expected:?} in {line}"
        );
    }
    // The 1 GB body is read only up to max_body_bytes (1 MiB by default).
    assert!(
        peak_kib < 100 * 1024,
        "the checker peaked at {} MiB",
        peak_kib / 1024
    );
}
