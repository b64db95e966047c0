//! ICMP checks where the network is not there, in a network namespace of
//! the test's own (`unshare --net`, so no packet can leave this machine):
//! with loopback down the check is down and says why; with unprivileged
//! ping off and CAP_NET_RAW dropped it says which permission is missing.

use std::process::{Command, Output};

use system_tests::process::checker_bin;

fn config() -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        "node = \"t\"\n\
         [[checks]]\nname = \"v4\"\ntype = \"icmp\"\nhost = \"127.0.0.1\"\n\n\
         [[checks]]\nname = \"v6\"\ntype = \"icmp\"\nhost = \"::1\"\n",
    )
    .unwrap();
    file
}

/// `checker check` in a new network namespace, after the shell lines
/// `setup`, run through `wrapper` (a command taking the rest as its own).
fn check_in_namespace(setup: &str, wrapper: &[&str], config: &tempfile::NamedTempFile) -> Output {
    let mut unshare = Command::new("unshare");
    // As root nothing more is needed; elsewhere a user namespace of our own
    // (where user namespaces are allowed) gives the rights inside.
    if unsafe { libc::geteuid() } != 0 {
        unshare.arg("--map-root-user");
    }
    let out = unshare
        .args([
            "--net",
            "sh",
            "-c",
            &format!("set -e\n{setup}\nexec \"$@\""),
            "sh",
        ])
        .args(wrapper)
        .arg(checker_bin())
        .arg("--config")
        .arg(config.path())
        .arg("check")
        .env("NO_COLOR", "1")
        .output()
        .expect("unshare (util-linux)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("unshare failed") && !err.contains("sysctl:") && !err.contains("setpriv:"),
        "cannot set up the network namespace here: {err}"
    );
    out
}

fn line<'a>(text: &'a str, check: &str) -> &'a str {
    text.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(check))
        .unwrap_or_else(|| panic!("no line for {check}:\n{text}"))
}

#[test]
fn with_loopback_down_the_check_is_down_and_says_why() {
    let config = config();
    let out = check_in_namespace("", &[], &config);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let v4 = line(&text, "v4");
    assert!(v4.starts_with("DOWN"), "{text}");
    assert!(
        v4.contains("cannot ping 127.0.0.1: network is unreachable"),
        "{text}"
    );
    let v6 = line(&text, "v6");
    assert!(
        v6.starts_with("DOWN") && v6.contains("cannot ping ::1: "),
        "{text}"
    );

    // The same namespace with loopback up answers: the check itself works there.
    let out = check_in_namespace("ip link set lo up", &[], &config);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(line(&text, "v4").starts_with("HEALTHY"), "{text}");
}

#[test]
fn without_permission_the_notice_names_what_is_missing() {
    let config = config();
    // No group may open ping sockets, and no raw sockets either.
    let out = check_in_namespace(
        "ip link set lo up\nsysctl -q -w net.ipv4.ping_group_range='1 0'",
        &[
            "setpriv",
            "--bounding-set=-net_raw",
            "--inh-caps=-net_raw",
            "--",
        ],
        &config,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}{err}");
    for check in ["v4", "v6"] {
        let found = line(&text, check);
        assert!(found.starts_with("DOWN"), "{text}");
        assert!(
            found.contains("unprivileged ping is off for this user's group (sysctl net.ipv4.ping_group_range) and the checker lacks CAP_NET_RAW (systemd: AmbientCapabilities=CAP_NET_RAW)"),
            "{text}"
        );
    }
}
