//! Notifications, maintenance windows and status messages, end to end: the
//! real `checker` binary with 1-second rounds against an endpoint the test
//! flips between up and down, delivering to a recording HTTP server (webhook,
//! Slack, Discord) and a real SMTP server (aiosmtpd, with STARTTLS or TLS and
//! AUTH) on loopback.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use checkup_model::{CheckResult, ResultFileName, Status, parse_round};
use system_tests::process::{ChildGuard, checker_bin, free_port};
use system_tests::smtp::{SmtpMode, SmtpServer};
use system_tests::test_server::Recorder;

const SMTP_USER: &str = "checker";
const SMTP_PASSWORD: &str = "s3cret-pw";

/// A temp dir with a config, results and state, and the checker's log.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(body: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let setup = Setup { dir };
        setup.write_config(body);
        setup
    }

    fn write_config(&self, body: &str) {
        fs::write(
            self.config(),
            format!(
                "node = \"n1\"\ninterval = \"1s\"\nstate_dir = \"state\"\n\
                 [storage]\ntype = \"local\"\ndir = \"results\"\n\n{body}"
            ),
        )
        .unwrap();
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("checker.toml")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("checker.log")
    }

    /// Starts `checker run`, appending to the log.
    fn start(&self) -> ChildGuard {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .unwrap();
        ChildGuard::spawn(
            "checker run",
            Command::new(checker_bin())
                .arg("--config")
                .arg(self.config())
                .arg("run")
                .env("SMTP_PASSWORD", SMTP_PASSWORD)
                .env("RUST_LOG", "checker=info")
                .stdout(Stdio::null())
                .stderr(log),
        )
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(checker_bin())
            .arg("--config")
            .arg(self.config())
            .args(args)
            .env("SMTP_PASSWORD", SMTP_PASSWORD)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    /// Every stored round, oldest first.
    fn rounds(&self) -> Vec<(String, Vec<CheckResult>)> {
        let dir = self.dir.path().join("results");
        let mut names: Vec<String> = fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().into_string().unwrap())
                    .filter(|n| ResultFileName::parse(n).is_ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .into_iter()
            .map(|n| {
                let text = fs::read_to_string(dir.join(&n)).unwrap();
                let results = parse_round(&text).unwrap();
                (text, results)
            })
            .collect()
    }

    /// Waits until `more` rounds beyond `seen` are stored; returns the count.
    fn wait_rounds(&self, seen: usize, more: usize) -> usize {
        let deadline = Instant::now() + Duration::from_secs(10 + 2 * more as u64);
        loop {
            let n = self.rounds().len();
            if n >= seen + more {
                return n;
            }
            assert!(
                Instant::now() < deadline,
                "only {n} rounds stored, wanted {}\nlog:\n{}",
                seen + more,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_text(&self) -> String {
        fs::read_to_string(self.log()).unwrap_or_default()
    }
}

/// SIGTERM, then the exit code.
fn stop(mut checker: ChildGuard) -> Option<i32> {
    Command::new("kill")
        .args(["-TERM", &checker.child.id().to_string()])
        .status()
        .unwrap();
    checker.child.wait().unwrap().code()
}

fn events(recorder: &Recorder, path: &str) -> Vec<serde_json::Value> {
    recorder
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .map(|r| r.json())
        .collect()
}

fn email_toml(smtp: &SmtpServer, extra: &str) -> String {
    let ca = if smtp.mode == SmtpMode::Plain {
        String::new()
    } else {
        format!("ca_file = \"{}\"\n", smtp.ca_file().display())
    };
    format!(
        "[[notifiers]]\ntype = \"email\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"{}\"\n{ca}\
         username = \"{SMTP_USER}\"\npassword_env = \"SMTP_PASSWORD\"\n\
         from = \"Checker <checker@example.com>\"\nto = [\"ops@example.com\", \"oncall@example.com\"]\n{extra}\n",
        smtp.port,
        smtp.mode.tls_option()
    )
}

#[test]
fn one_down_and_one_resolved_per_outage_even_across_a_restart() {
    let endpoint = Recorder::start();
    let hooks = Recorder::start();
    let smtp = SmtpServer::start(SmtpMode::StartTls, Some((SMTP_USER, SMTP_PASSWORD)));
    let setup = Setup::new(&format!(
        "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\ntimeout = \"2s\"\n\n\
         [[notifiers]]\ntype = \"webhook\"\nurl = \"{}\"\nheaders = {{ X-Token = \"t0k3n\" }}\n\
         failure_threshold = 2\nsuccess_threshold = 2\n\n{}",
        endpoint.url("/health"),
        hooks.url("/hook"),
        email_toml(&smtp, "")
    ));
    let checker = setup.start();

    // Healthy, then a single bad round: nothing is sent.
    let seen = setup.wait_rounds(0, 3);
    endpoint.answer_next(1, 503);
    setup.wait_rounds(seen, 4);
    let downs = setup
        .rounds()
        .iter()
        .filter(|(_, r)| r[0].status == Status::Down)
        .count();
    assert_eq!(downs, 1, "the blip lasted one round");
    assert!(hooks.requests().is_empty(), "{:?}", hooks.requests());
    assert!(smtp.messages().is_empty());

    // Down for good: one "down" on each channel.
    endpoint.set_status(503);
    let calls = hooks.wait_for(1, Duration::from_secs(15));
    let down = calls[0].json();
    assert_eq!(calls[0].method, "POST");
    assert_eq!(calls[0].header("X-Token"), Some("t0k3n"));
    assert_eq!(calls[0].header("Content-Type"), Some("application/json"));
    assert_eq!(down["event"], "down");
    assert_eq!(down["check"], "Web");
    assert_eq!(down["status"], "down");
    assert_eq!(down["node"], "n1");
    assert_eq!(down["endpoint"], endpoint.url("/health"));
    assert!(
        down["notice"].as_str().unwrap().contains("status 503"),
        "{down}"
    );
    let mails = smtp.wait_for(1, Duration::from_secs(15));
    assert_eq!(mails[0].subject(), "[DOWN] Web");
    assert_eq!(mails[0].from, "checker@example.com");
    assert_eq!(mails[0].to, ["ops@example.com", "oncall@example.com"]);
    assert!(mails[0].tls, "STARTTLS was used");
    assert!(mails[0].authenticated);
    assert_eq!(mails[0].login.as_deref(), Some(SMTP_USER));
    assert!(
        mails[0].data.contains("Web is down: status 503"),
        "{}",
        mails[0].data
    );

    // Restart in the middle of the open alert: no second "down".
    let mut seen = setup.wait_rounds(setup.rounds().len(), 2);
    assert_eq!(stop(checker), Some(0));
    let state = fs::read_to_string(setup.dir.path().join("state/notify-state.json")).unwrap();
    assert!(state.contains("\"open\""), "{state}");
    let checker = setup.start();
    seen = setup.wait_rounds(seen, 4);
    assert_eq!(hooks.requests().len(), 1, "re-alerted after restart");
    assert_eq!(smtp.messages().len(), 1, "re-alerted after restart");

    // Recovery: one "resolved" each, and nothing after.
    endpoint.set_status(200);
    let calls = hooks.wait_for(2, Duration::from_secs(15));
    let resolved = calls[1].json();
    assert_eq!(resolved["event"], "resolved");
    assert_eq!(resolved["status"], "healthy");
    assert!(resolved["since"].as_i64().unwrap() < resolved["timestamp"].as_i64().unwrap());
    let mails = smtp.wait_for(2, Duration::from_secs(15));
    assert_eq!(mails[1].subject(), "[RESOLVED] Web");
    setup.wait_rounds(seen, 3);
    assert_eq!(stop(checker), Some(0));
    assert_eq!(
        events(&hooks, "/hook")
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        ["down", "resolved"]
    );
    assert_eq!(smtp.messages().len(), 2);
    let log = setup.log_text();
    assert!(log.contains("open alerts carried over"), "{log}");
    assert!(!log.contains(SMTP_PASSWORD), "the password is never logged");
}

#[test]
fn a_failing_channel_is_retried_and_never_holds_up_rounds() {
    let endpoint = Recorder::start();
    endpoint.set_status(503);
    let failing = Recorder::start();
    failing.set_status(500);
    let closed = free_port();
    // Accepts connections (the kernel's backlog) and never answers: each
    // attempt waits out its timeout, so delivery takes 2+1+2+2+2 = 9 s.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let setup = Setup::new(&format!(
        "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n\n\
         [[notifiers]]\nname = \"answers-500\"\ntype = \"webhook\"\nurl = \"{}\"\nfailure_threshold = 1\n\n\
         [[notifiers]]\nname = \"nobody-home\"\ntype = \"slack\"\nurl = \"http://127.0.0.1:{closed}/services/x\"\nfailure_threshold = 1\n\n\
         [[notifiers]]\nname = \"silent\"\ntype = \"discord\"\nurl = \"http://127.0.0.1:{silent_port}/api/webhooks/1/x\"\n\
         failure_threshold = 1\ntimeout = \"2s\"\n",
        endpoint.url("/"),
        failing.url("/hook"),
    ));
    let checker = setup.start();
    // 3 attempts: at once, after 1 s, after 2 more.
    let calls = failing.wait_for(3, Duration::from_secs(15));
    assert!(calls.iter().all(|c| c.json()["event"] == "down"));
    // Wait out the silent receiver's 9 s of attempts, checking all along.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = setup.log_text();
        if log.matches("giving up").count() >= 3 {
            break;
        }
        assert!(Instant::now() < deadline, "not all gave up:\n{log}");
        std::thread::sleep(Duration::from_millis(200));
    }
    setup.wait_rounds(setup.rounds().len(), 2);
    assert_eq!(stop(checker), Some(0));
    drop(silent);
    assert_eq!(failing.requests().len(), 3, "3 attempts, then it gives up");
    // Rounds went on every second while deliveries failed and waited.
    let times: Vec<i64> = setup.rounds().iter().map(|(_, r)| r[0].timestamp).collect();
    assert!(times.len() >= 10, "{} rounds", times.len());
    let widest = times.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(
        widest < 4_000_000_000,
        "a {widest} ns gap between rounds: delivery held up checking"
    );
    let log = setup.log_text();
    for needle in [
        "notification failed; will retry",
        "answered 500 Internal Server Error",
        "cannot connect: Connection refused",
        "timed out after 2s",
    ] {
        assert!(log.contains(needle), "{needle:?} not in log:\n{log}");
    }
    for name in ["answers-500", "nobody-home", "silent"] {
        assert!(
            log.lines()
                .any(|l| l.contains("giving up") && l.contains(&format!("notifier={name}"))),
            "{name} did not give up after 3 attempts:\n{log}"
        );
    }
}

#[test]
fn shutdown_gives_pending_sends_a_bounded_grace_period() {
    let endpoint = Recorder::start();
    endpoint.set_status(503);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let setup = Setup::new(&format!(
        "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n\n\
         [[notifiers]]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:{}/hook\"\n\
         failure_threshold = 1\ntimeout = \"60s\"\n",
        endpoint.url("/"),
        silent.local_addr().unwrap().port(),
    ));
    let checker = setup.start();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !setup.log_text().contains("notifying") {
        assert!(Instant::now() < deadline, "{}", setup.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
    let asked = Instant::now();
    assert_eq!(stop(checker), Some(0));
    let took = asked.elapsed();
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(9),
        "stopped after {took:?}: the grace period is 5 s"
    );
    let log = setup.log_text();
    assert!(
        log.contains("notifications still being sent at shutdown were abandoned"),
        "{log}"
    );
}

#[test]
fn maintenance_windows_mark_results_and_hold_alerts() {
    let endpoint = Recorder::start();
    endpoint.set_status(503);
    let hooks = Recorder::start();
    let now = time::OffsetDateTime::now_utc();
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let setup = Setup::new(&format!(
        "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{url}\"\n\n\
         [[checks]]\nname = \"API\"\ntype = \"http\"\nurl = \"{url}\"\n\n\
         [[notifiers]]\ntype = \"webhook\"\nurl = \"{hook}\"\nfailure_threshold = 1\n\n\
         [[maintenance]]\nname = \"web upgrade\"\nchecks = [\"Web\"]\nstart = \"{a}\"\nend = \"{b}\"\n\n\
         [[maintenance]]\nname = \"yesterday\"\nstart = \"{c}\"\nend = \"{d}\"\n",
        url = endpoint.url("/"),
        hook = hooks.url("/hook"),
        a = rfc(now - time::Duration::hours(1)),
        b = rfc(now + time::Duration::hours(1)),
        c = rfc(now - time::Duration::hours(26)),
        d = rfc(now - time::Duration::hours(25)),
    ));
    let checker = setup.start();
    setup.wait_rounds(0, 4);
    hooks.wait_for(1, Duration::from_secs(10));
    // Stopping lets pending sends finish, so an alert the rounds so far
    // decided on is recorded by the time the checker has exited.
    assert_eq!(stop(checker), Some(0));
    let rounds = setup.rounds();
    for (text, results) in &rounds {
        let web = results.iter().find(|r| r.title == "Web").unwrap();
        let api = results.iter().find(|r| r.title == "API").unwrap();
        assert!(web.maintenance && web.status == Status::Down, "{text}");
        assert!(!api.maintenance, "{text}");
        assert_eq!(text.matches("\"maintenance\":true").count(), 1, "{text}");
    }
    let sent = events(&hooks, "/hook");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["check"], "API", "Web is in maintenance: no alert");
    let log = setup.log_text();
    assert!(log.contains("maintenance window opened"), "{log}");
}

#[test]
fn messages_are_attached_from_the_next_round_until_cleared() {
    let endpoint = Recorder::start();
    let setup = Setup::new(&format!(
        "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{0}\"\n\n\
         [[checks]]\nname = \"API\"\ntype = \"http\"\nurl = \"{0}\"\n",
        endpoint.url("/")
    ));
    let checker = setup.start();
    let seen = setup.wait_rounds(0, 1);
    let out = setup.run(&[
        "message",
        "--check",
        "Web",
        "Deploying v2.1; short interruptions",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("message for \"Web\" set"));
    let listed = setup.run(&["message"]);
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        "Web: Deploying v2.1; short interruptions\n"
    );
    // The round after the next one certainly started after the change.
    setup.wait_rounds(seen, 2);
    let (_, latest) = setup.rounds().pop().unwrap();
    let web = latest.iter().find(|r| r.title == "Web").unwrap();
    let api = latest.iter().find(|r| r.title == "API").unwrap();
    assert_eq!(web.message, "Deploying v2.1; short interruptions");
    assert_eq!(api.message, "");

    let out = setup.run(&["message", "--check", "Nope", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no check is named \"Nope\"") && err.contains("the checks are: Web, API"),
        "{err}"
    );

    let out = setup.run(&["message", "--check", "Web", "--clear"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let seen = setup.rounds().len();
    setup.wait_rounds(seen, 2);
    let (_, latest) = setup.rounds().pop().unwrap();
    assert!(latest.iter().all(|r| r.message.is_empty()), "{latest:?}");
    assert_eq!(
        String::from_utf8_lossy(&setup.run(&["message"]).stdout),
        "no status messages\n"
    );
    assert_eq!(stop(checker), Some(0));
}

#[test]
fn notify_test_reports_every_channel() {
    let hooks = Recorder::start();
    let tls_smtp = SmtpServer::start(SmtpMode::ImplicitTls, Some((SMTP_USER, SMTP_PASSWORD)));
    let plain_smtp = SmtpServer::start(SmtpMode::Plain, None);
    let closed = free_port();
    let good = format!(
        "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"http://127.0.0.1:9/\"\n\n\
         [[notifiers]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n\
         [[notifiers]]\ntype = \"slack\"\nurl = \"{}\"\n\n\
         [[notifiers]]\ntype = \"discord\"\nurl_env = \"DISCORD_URL\"\n\n\
         {}\
         [[notifiers]]\nname = \"relay\"\ntype = \"email\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
         from = \"checker@example.com\"\nto = [\"ops@example.com\"]\n",
        hooks.url("/hook"),
        hooks.url("/slack/T000/B000/XXXX"),
        email_toml(&tls_smtp, ""),
        plain_smtp.port,
    );
    let setup = Setup::new(&format!(
        "{good}\n[[notifiers]]\nname = \"broken\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:{closed}/hook\"\n"
    ));
    let run = |setup: &Setup| {
        Command::new(checker_bin())
            .arg("--config")
            .arg(setup.config())
            .arg("notify-test")
            .env("SMTP_PASSWORD", SMTP_PASSWORD)
            .env("DISCORD_URL", hooks.url("/discord/123/abc"))
            .output()
            .unwrap()
    };
    let out = run(&setup);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    println!("{stdout}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let words = |i: usize| lines[i].split_whitespace().take(3).collect::<Vec<_>>();
    assert_eq!(words(0), ["ok", "hook", "webhook"], "{stdout}");
    assert_eq!(words(1), ["ok", "slack", "slack"], "{stdout}");
    assert!(
        lines[1].contains("/…") && !lines[1].contains("XXXX"),
        "the token path is hidden: {stdout}"
    );
    assert_eq!(words(2), ["ok", "discord", "discord"], "{stdout}");
    assert_eq!(words(3), ["ok", "email", "email"], "{stdout}");
    assert!(lines[3].contains("smtp://127.0.0.1:"), "{stdout}");
    assert_eq!(words(4), ["ok", "relay", "email"], "{stdout}");
    assert_eq!(words(5), ["FAILED", "broken", "webhook"], "{stdout}");
    assert!(
        lines[6].trim() == "cannot connect: Connection refused (os error 111)",
        "{stdout}"
    );
    assert_eq!(lines[7], "6 notifiers: 5 ok, 1 failed");

    let hook = &events(&hooks, "/hook")[0];
    assert_eq!(hook["event"], "test");
    assert_eq!(hook["node"], "n1");
    let slack = &events(&hooks, "/slack/T000/B000/XXXX")[0];
    assert!(
        slack["text"].as_str().unwrap().starts_with("[TEST]"),
        "{slack}"
    );
    assert_eq!(slack["blocks"][0]["type"], "section");
    let discord = &events(&hooks, "/discord/123/abc")[0];
    assert_eq!(discord["embeds"][0]["title"], "[TEST] notify-test");
    assert_eq!(discord["allowed_mentions"]["parse"], serde_json::json!([]));
    let mail = &tls_smtp.messages()[0];
    assert!(mail.tls && mail.authenticated, "{mail:?}");
    assert_eq!(mail.subject(), "[TEST] notify-test");
    assert_eq!(plain_smtp.messages().len(), 1);

    setup.write_config(&good);
    let out = run(&setup);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("5 notifiers: all ok\n"));

    // A wrong password fails clearly.
    let out = Command::new(checker_bin())
        .arg("--config")
        .arg(setup.config())
        .arg("notify-test")
        .env("SMTP_PASSWORD", "wrong")
        .env("DISCORD_URL", hooks.url("/discord/123/abc"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(stdout.contains("FAILED  email"), "{stdout}");

    // A bad notifier config is exit 2, with file:line:col and key.
    setup.write_config(
        "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"http://127.0.0.1:9/\"\n\n\
         [[notifiers]]\ntype = \"email\"\nhost = \"127.0.0.1\"\ntls = \"ssl\"\n",
    );
    let out = setup.run(&["notify-test"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    println!("{err}");
    assert!(
        err.contains("checker.toml:16:7: notifiers[0].tls: \"ssl\" is not a TLS mode"),
        "{err}"
    );
}
