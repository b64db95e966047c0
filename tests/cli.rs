//! The `checker` binary as a user runs it: exit codes, the table, config
//! errors, storage on disk, retention, and stopping `run` with SIGTERM.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use checkup_model::{Index, ResultFileName, Status, parse_round};
use system_tests::process::checker_bin;
use system_tests::test_server::TestServer;

fn checker(config: &Path, args: &[&str]) -> Output {
    Command::new(checker_bin())
        .arg("--config")
        .arg(config)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("cannot run checker")
}

fn write_config(dir: &Path, body: &str) -> std::path::PathBuf {
    let path = dir.join("checker.toml");
    fs::write(&path, body).unwrap();
    path
}

fn result_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| ResultFileName::parse(n).is_ok())
        .collect();
    names.sort();
    names
}

#[test]
fn check_prints_a_table_and_exits_1_when_a_check_is_down_writing_nothing() {
    let s = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        &format!(
            "node = \"n1\"\n[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n\n\
             [[checks]]\nname = \"Broken\"\ntype = \"http\"\nurl = \"{}\"\n",
            s.url("/ok"),
            s.url("/status/500")
        ),
    );
    let out = checker(&cfg, &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("STATUS   CHECK   ENDPOINT"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("HEALTHY  Web     ") && lines[1].contains(&s.url("/ok")),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("DOWN     Broken  ")
            && lines[2].ends_with("status 500 Internal Server Error, expected 2xx"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 checks: 1 healthy, 0 degraded, 1 down"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\x1b'),
        "no colour codes when not on a terminal"
    );
    assert!(
        !tmp.path().join("results").exists(),
        "without --store nothing is written"
    );
}

#[test]
fn check_store_writes_the_round_and_index_and_exits_0_when_all_healthy() {
    let s = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        &format!(
            "node = \"n1\"\n[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\nattempts = 2\n",
            s.url("/ok")
        ),
    );
    let out = checker(&cfg, &["check", "--store"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = tmp.path().join("results");
    let files = result_files(&results);
    assert_eq!(files.len(), 1);
    let name = ResultFileName::parse(&files[0]).unwrap();
    assert_eq!(name.node.as_deref(), Some("n1"));
    let round = parse_round(&fs::read_to_string(results.join(&files[0])).unwrap()).unwrap();
    assert_eq!(round.len(), 1);
    assert_eq!(
        (
            round[0].title.as_str(),
            round[0].status,
            round[0].times.len()
        ),
        ("Web", Status::Healthy, 2)
    );
    let index: Index =
        serde_json::from_str(&fs::read_to_string(results.join("index.json")).unwrap()).unwrap();
    assert_eq!(index.get(&files[0]), Some(&name.timestamp));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("stored {}", results.join(&files[0]).display()))
    );
}

#[test]
fn a_bad_config_exits_2_naming_file_line_and_key_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "node = \"n1\"\n\n[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"htp//nowhere\"\n",
    );
    for args in [&["check", "--store"][..], &["run"], &["validate"]] {
        let out = checker(&cfg, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with(&format!(
                "error: {}:6:7: checks[0].url: \"htp//nowhere\" is not a valid URL",
                cfg.display()
            )),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("6 | url = \"htp//nowhere\""), "{stderr}");
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert!(
        !tmp.path().join("results").exists(),
        "nothing may be written for a bad config"
    );
}

#[test]
fn a_missing_config_file_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = checker(&tmp.path().join("nope.toml"), &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("cannot read config file") && stderr.contains("nope.toml"),
        "{stderr}"
    );
}

/// Storage that cannot be opened: exit 3, the path named, and nothing run.
#[test]
fn storage_that_cannot_be_opened_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    // A directory cannot be made under a file.
    fs::write(tmp.path().join("a-file"), "").unwrap();
    let cfg = write_config(
        tmp.path(),
        "node = \"n1\"\n[storage]\ntype = \"local\"\ndir = \"a-file/results\"\n\
         [[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"http://127.0.0.1:1/\"\n",
    );
    let out = checker(&cfg, &["check", "--store"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cannot open storage") && stderr.contains("a-file/results"),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "no round may run: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `provision` exits 2 for a config that is not S3 (nothing to provision)
/// and 4 when S3 or IAM fails a step (here: nothing listens at the endpoint).
#[test]
fn provision_failures_exit_2_for_the_config_and_4_for_aws() {
    let tmp = tempfile::tempdir().unwrap();
    let check = "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"http://127.0.0.1:1/\"\n";
    let local = write_config(tmp.path(), &format!("node = \"n1\"\n{check}"));
    let out = checker(&local, &["provision"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("provision needs s3 storage"), "{stderr}");

    let closed = system_tests::process::free_port();
    let s3 = write_config(
        tmp.path(),
        &format!(
            "node = \"n1\"\n[storage]\ntype = \"s3\"\nbucket = \"status\"\nregion = \"garage\"\n\
             endpoint = \"http://127.0.0.1:{closed}\"\naccess_key_id = \"GK1\"\nsecret_access_key = \"s\"\n{check}"
        ),
    );
    let out = Command::new(checker_bin())
        .arg("--config")
        .arg(&s3)
        .args(["provision", "--iam-endpoint"])
        .arg(format!("http://127.0.0.1:{closed}"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
}

#[test]
fn kinds_lists_every_kind_with_its_options() {
    let out = Command::new(checker_bin()).arg("kinds").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "[checks] type = \"http\"",
        "[checks] type = \"exec\"",
        "[notifiers] type = \"email\"",
        "[storage] type = \"s3\"",
        "    expected_status = ",
        "    password_env = ",
        "    check_expiry = ",
    ] {
        assert!(
            stdout.contains(needle),
            "{needle:?} missing from:\n{stdout}"
        );
    }
}

#[test]
fn validate_says_what_the_config_would_do() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "node = \"n1\"\ninterval = \"30s\"\n[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"http://127.0.0.1:1/\"\n",
    );
    let out = checker(&cfg, &["validate"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("ok: node \"n1\", 1 checks every 30s, results to local directory"),
        "{stdout}"
    );
}

#[test]
fn retention_removes_only_this_nodes_old_files() {
    let s = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    fs::create_dir(&results).unwrap();
    let old = 1_000_000_000_000_000_000i64; // 2001
    for name in [
        format!("{old}-n1-check.json"),
        format!("{old}-n2-check.json"),
        format!("{old}-check.json"),
        "notes.txt".into(),
    ] {
        fs::write(results.join(name), "[]").unwrap();
    }
    let cfg = write_config(
        tmp.path(),
        &format!(
            "node = \"n1\"\n[storage]\ntype = \"local\"\ndir = \"results\"\ncheck_expiry = \"1h\"\n\
             [[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n",
            s.url("/ok")
        ),
    );
    assert_eq!(checker(&cfg, &["check", "--store"]).status.code(), Some(0));
    let mut left: Vec<String> = fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert!(
        !left.contains(&format!("{old}-n1-check.json")),
        "own old file kept: {left:?}"
    );
    for kept in [
        format!("{old}-n2-check.json"),
        format!("{old}-check.json"),
        "notes.txt".into(),
        "index.json".into(),
    ] {
        assert!(left.contains(&kept), "{kept} was removed: {left:?}");
    }
    assert_eq!(
        result_files(&results)
            .iter()
            .filter(|n| n.ends_with("-n1-check.json"))
            .count(),
        1
    );
}

#[test]
fn run_stores_round_after_round_until_sigterm_finishing_the_round_in_flight() {
    let s = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        &format!(
            "node = \"n1\"\ninterval = \"1s\"\n[[checks]]\nname = \"Slow\"\ntype = \"http\"\nurl = \"{}\"\ntimeout = \"10s\"\n",
            s.url("/slow/1500")
        ),
    );
    let mut child = Command::new(checker_bin())
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let results = tmp.path().join("results");
    // Wait for the first round to be stored and the second to be in flight.
    let deadline = Instant::now() + Duration::from_secs(20);
    while (!results.exists() || result_files(&results).is_empty() || s.hits() < 2)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        result_files(&results).len(),
        1,
        "one round stored before the signal"
    );
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "took {:?} to stop",
        signalled.elapsed()
    );
    let files = result_files(&results);
    assert_eq!(
        files.len(),
        2,
        "the round in flight was stored before exiting: {files:?}\n{stderr}"
    );
    let last = parse_round(&fs::read_to_string(results.join(&files[1])).unwrap()).unwrap();
    assert_eq!(
        last[0].status,
        Status::Healthy,
        "the slow check finished rather than being cut off"
    );
    assert!(stderr.contains("finishing the round in flight"), "{stderr}");
    assert!(
        !stderr.contains('\x1b'),
        "plain logs when not on a terminal"
    );
}
