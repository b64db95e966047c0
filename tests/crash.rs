//! kill -9 at random moments: the checker is killed 50 times while it writes
//! rounds, rebuilds the index, applies retention and spools; afterwards
//! storage holds only whole, readable files, and the spool replays.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use checkup_model::{Index, ResultFileName, parse_round};
use system_tests::process::checker_bin;
use system_tests::test_server::TestServer;

/// A cheap, reproducible sequence of pauses (no rand crate needed).
fn pauses(count: usize) -> Vec<Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(150 + x % 1200)
        })
        .collect()
}

/// The names of the round files in `dir`.
fn round_files(dir: &std::path::Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| ResultFileName::parse(n).is_ok())
        .collect()
}

#[test]
fn fifty_kills_leave_only_whole_files_and_a_spool_that_replays() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let state = tmp.path().join("state");
    fs::create_dir_all(&results).unwrap();
    // Old own rounds give retention something to delete on every start.
    for i in 0..200i64 {
        fs::write(
            results.join(format!("{}-n1-check.json", 1_000_000_000_000_000_000 + i)),
            "[]",
        )
        .unwrap();
    }
    let mut checks = String::new();
    for i in 0..20 {
        checks += &format!(
            "[[checks]]\nname = \"c{i}\"\ntype = \"http\"\nurl = \"{}\"\n",
            server.url("/ok")
        );
    }
    let cfg = tmp.path().join("checker.toml");
    let config = |storage_dir: &str| {
        format!(
            "node = \"n1\"\ninterval = \"1s\"\nstate_dir = \"{}\"\n[storage]\ntype = \"local\"\ndir = \"{storage_dir}\"\ncheck_expiry = \"1d\"\n{checks}",
            state.display()
        )
    };
    let checker = checker_bin();
    let start_run = || {
        Command::new(&checker)
            .arg("--config")
            .arg(&cfg)
            .arg("run")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut spooled_at_some_point = false;
    for (i, pause) in pauses(50).into_iter().enumerate() {
        // Every fifth run, writing the index fails (a directory stands where
        // index.json goes), so rounds are spooled and kills land mid-spool.
        let broken = i % 5 == 4;
        let index = results.join("index.json");
        if broken {
            let _ = fs::remove_file(&index);
            fs::create_dir(&index).unwrap();
        }
        fs::write(&cfg, config(&results.display().to_string())).unwrap();
        let mut child = start_run();
        std::thread::sleep(pause);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if broken {
            fs::remove_dir(&index).unwrap();
            spooled_at_some_point |= fs::read_dir(state.join("spool"))
                .map(|d| d.count() > 0)
                .unwrap_or(false);
        }
    }

    let check_dir = |dir: &std::path::Path| {
        for entry in fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if dir.join(&name).is_dir() {
                continue;
            }
            let text = fs::read_to_string(dir.join(&name)).unwrap();
            if ResultFileName::parse(&name).is_ok() {
                parse_round(&text).unwrap_or_else(|e| panic!("{name} is damaged: {e}: {text:?}"));
            } else if name == "index.json" {
                serde_json::from_str::<Index>(&text)
                    .unwrap_or_else(|e| panic!("index.json is damaged: {e}"));
            }
        }
    };
    check_dir(&results);
    check_dir(&state.join("spool"));
    assert!(
        spooled_at_some_point,
        "no run ever spooled: the spool was not exercised"
    );

    // One clean run: leftovers of dead writers go, the spool replays.
    fs::write(&cfg, config(&results.display().to_string())).unwrap();
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let mut child = start_run();
    // Stopped once it has stored a round of its own (retention runs with
    // each store; replayed rounds are older) and the spool is empty
    // (replays follow a stored round); SIGTERM lets the round in flight
    // finish.
    let spool_empty = || {
        fs::read_dir(state.join("spool"))
            .map(|d| d.count() == 0)
            .unwrap_or(true)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let own_round_stored = || {
        round_files(&results)
            .iter()
            .any(|f| ResultFileName::parse(f).is_ok_and(|n| n.timestamp >= started))
    };
    while !(own_round_stored() && spool_empty()) {
        assert!(
            Instant::now() < deadline,
            "the clean run stored no round or did not empty the spool within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    check_dir(&results);
    let spool_left = fs::read_dir(state.join("spool")).unwrap().count();
    assert_eq!(spool_left, 0, "the spool did not replay");
    let temp_left: Vec<String> = fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(
        temp_left.is_empty(),
        "temp files of dead writers remain: {temp_left:?}"
    );
    let index: Index =
        serde_json::from_str(&fs::read_to_string(results.join("index.json")).unwrap()).unwrap();
    let files = round_files(&results);
    assert_eq!(
        index.len(),
        files.len(),
        "the index lists exactly the result files"
    );
    assert!(
        files.iter().all(|f| !f.starts_with("1000000000000000")),
        "retention did not finish its work"
    );
    assert!(
        files.len() >= 10,
        "too few rounds survived: {}",
        files.len()
    );
}
