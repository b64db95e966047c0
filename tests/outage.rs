//! Storage outages: with 1-second rounds, the S3 server (a real Garage) is
//! stopped for 30 s and started again; every round of that time reaches the
//! bucket, none twice, through the checker's durable spool.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use checkup_model::ResultFileName;
use system_tests::garage::{Garage, list_keys};
use system_tests::process::checker_bin;
use system_tests::test_server::TestServer;

const BUCKET: &str = "status";

fn spooled(dir: &std::path::Path) -> usize {
    fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with("-check.json"))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn rounds_during_a_30_second_outage_all_arrive_once() {
    let mut garage = Garage::start();
    garage.create_bucket(BUCKET);
    let writer = garage.create_key("checker", BUCKET, &["--read", "--write", "--owner"]);
    let client = garage.client(&writer);
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let cfg = tmp.path().join("checker.toml");
    fs::write(
        &cfg,
        format!(
            "node = \"n1\"\ninterval = \"1s\"\nstate_dir = \"{}\"\n{}\n[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n",
            state.display(),
            garage.checker_storage_toml(BUCKET, "", &writer),
            server.url("/ok")
        ),
    )
    .unwrap();
    let log = tmp.path().join("checker.log");
    let mut child = Command::new(checker_bin())
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();

    let wait_for = |what: &str, secs: u64, done: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !done() {
            assert!(
                Instant::now() < deadline,
                "{what} did not happen within {secs}s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let before = Instant::now();
    while list_keys(&client, BUCKET).await.len() < 3 {
        assert!(
            before.elapsed() < Duration::from_secs(30),
            "no rounds stored"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    garage.stop();
    let outage = Instant::now();
    tokio::time::sleep(Duration::from_secs(30)).await;
    let spooled_during = spooled(&state.join("spool"));
    assert!(
        spooled_during >= 15,
        "only {spooled_during} rounds spooled in a 30 s outage of 1 s rounds"
    );
    garage.start_again();
    let outage_len = outage.elapsed();
    // Replays back off up to a few seconds after failures; give it time.
    wait_for("the spool to drain", 60, &|| {
        spooled(&state.join("spool")) == 0
    });
    // SIGTERM lets the round in flight finish and be stored or spooled.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));

    let text = fs::read_to_string(&log).unwrap();
    let stored = text
        .lines()
        .filter(|l| l.contains(" INFO round stored "))
        .count();
    let spooled_rounds = text
        .lines()
        .filter(|l| l.contains("round spooled until storage answers"))
        .count();
    let replayed = text
        .lines()
        .filter(|l| l.contains("spooled round stored"))
        .count();
    assert!(spooled_rounds >= 15, "{spooled_rounds} spooled\n{text}");
    assert_eq!(
        replayed, spooled_rounds,
        "every spooled round replayed exactly once"
    );

    // Round files only: the history view and badges live beside them.
    let mut keys: Vec<String> = list_keys(&client, BUCKET)
        .await
        .into_iter()
        .filter(|k| ResultFileName::parse(k).is_ok())
        .collect();
    keys.sort();
    assert_eq!(
        keys.len(),
        stored + spooled_rounds,
        "rounds run vs objects in the bucket\n{text}"
    );
    let times: Vec<i64> = keys
        .iter()
        .map(|k| ResultFileName::parse(k).unwrap().timestamp)
        .collect();
    let widest = times.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(
        widest < 3_000_000_000,
        "a gap of {} ms between stored rounds: rounds went missing during the {outage_len:?} outage",
        widest / 1_000_000
    );
}
