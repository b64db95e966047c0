//! Every chat and paging channel end to end: the real `checker` with
//! 1-second rounds sends to one recording server per service, and each
//! request is compared with what the service's API documentation says it
//! must be (`tests/fixtures/channels/`). Each service first answers 429
//! with `Retry-After`; a check goes down and recovers, then one with a
//! hostile title does the same.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use system_tests::process::{ChildGuard, checker_bin};
use system_tests::test_server::{Recorded, Recorder};

/// The secrets every channel is given, each from the environment.
const SECRETS: &[(&str, &str)] = &[
    ("TELEGRAM_BOT_TOKEN", "123456:ABC-test_token"),
    ("PAGERDUTY_ROUTING_KEY", "R0UTINGKEY4TESTS0000000000000000"),
    ("OPSGENIE_API_KEY", "0psgenie-key-for-tests"),
    ("NTFY_TOKEN", "tk_ntfytokenfortests"),
    ("GOTIFY_APP_TOKEN", "AgotifyTokenForTests"),
    ("MATRIX_ACCESS_TOKEN", "syt_matrix_token_for_tests"),
    ("PUSHOVER_USER_KEY", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"),
    ("PUSHOVER_APP_TOKEN", "azGDORePK8gMaC0QOYAMyEEuzJnyUi"),
];
const TEAMS_PATH: &str = "/workflows/4f1c/triggers/manual/paths/invoke?api-version=2016-06-01&sig=TEAMSSIGNATUREFORTESTS";

/// A check title meant to break out of every format: HTML, Markdown, Slack
/// links, mentions.
const HOSTILE: &str =
    "<b>Ops</b> & \"Co\" @room @channel <!here> [x](http://evil.example) *bold* _it_";

/// The eight channels, in the order the config lists them.
const CHANNELS: &[&str] = &[
    "telegram",
    "teams",
    "pagerduty",
    "opsgenie",
    "ntfy",
    "gotify",
    "matrix",
    "pushover",
];

/// One recorder per channel.
struct Services(BTreeMap<&'static str, Recorder>);

impl Services {
    fn start() -> Services {
        Services(CHANNELS.iter().map(|c| (*c, Recorder::start())).collect())
    }

    fn get(&self, channel: &str) -> &Recorder {
        &self.0[channel]
    }

    /// The `[[notifiers]]` tables, each pointed at its recorder.
    fn toml(&self, extra: &str) -> String {
        let url = |c: &str| self.get(c).url("");
        format!(
            "[[notifiers]]\ntype = \"telegram\"\nbot_token_env = \"TELEGRAM_BOT_TOKEN\"\n\
             chat_id = -1001234567890\nmessage_thread_id = 7\napi_url = \"{telegram}\"\n{extra}\n\
             [[notifiers]]\ntype = \"teams\"\nurl_env = \"TEAMS_WORKFLOW_URL\"\n{extra}\n\
             [[notifiers]]\ntype = \"pagerduty\"\nrouting_key_env = \"PAGERDUTY_ROUTING_KEY\"\n\
             url = \"{pagerduty}/v2/enqueue\"\n{extra}\n\
             [[notifiers]]\ntype = \"opsgenie\"\napi_key_env = \"OPSGENIE_API_KEY\"\napi_url = \"{opsgenie}\"\n\
             priority = \"P1\"\nresponders = [\"ops\"]\ntags = [\"website\"]\n{extra}\n\
             [[notifiers]]\ntype = \"ntfy\"\nurl = \"{ntfy}/acme-alerts\"\ntoken_env = \"NTFY_TOKEN\"\n\
             click = \"https://status.example.com/\"\n{extra}\n\
             [[notifiers]]\ntype = \"gotify\"\nurl = \"{gotify}/gotify\"\ntoken_env = \"GOTIFY_APP_TOKEN\"\n{extra}\n\
             [[notifiers]]\ntype = \"matrix\"\nhomeserver = \"{matrix}\"\naccess_token_env = \"MATRIX_ACCESS_TOKEN\"\n\
             room_id = \"!ops:example.org\"\n{extra}\n\
             [[notifiers]]\ntype = \"pushover\"\nuser_key_env = \"PUSHOVER_USER_KEY\"\napp_token_env = \"PUSHOVER_APP_TOKEN\"\n\
             priority = 2\nretry = \"30s\"\nexpire = \"1h\"\nsound = \"siren\"\napi_url = \"{pushover}\"\n{extra}\n",
            telegram = url("telegram"),
            pagerduty = url("pagerduty"),
            opsgenie = url("opsgenie"),
            ntfy = url("ntfy"),
            gotify = url("gotify"),
            matrix = url("matrix"),
            pushover = url("pushover"),
        )
    }

    fn env(&self) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = SECRETS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.push((
            "TEAMS_WORKFLOW_URL".into(),
            self.get("teams").url(TEAMS_PATH),
        ));
        env
    }

    /// Waits until every channel has received `n(channel)` requests.
    fn wait(&self, n: impl Fn(&str) -> usize, log: &Checker) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for channel in CHANNELS {
            while self.get(channel).requests().len() < n(channel) {
                assert!(
                    Instant::now() < deadline,
                    "{channel} got {} requests, not {}: {:#?}\nlog:\n{}",
                    self.get(channel).requests().len(),
                    n(channel),
                    self.get(channel).requests(),
                    log.log()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// A config, a log and the checker run from them.
struct Checker {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Checker {
    fn new(body: &str, env: Vec<(String, String)>) -> Checker {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("checker.toml"),
            format!(
                "node = \"n1\"\ninterval = \"1s\"\nstate_dir = \"state\"\n\
                 [storage]\ntype = \"local\"\ndir = \"results\"\n\n{body}"
            ),
        )
        .unwrap();
        Checker { dir, env }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(checker_bin());
        command
            .current_dir(self.dir.path())
            .arg("--config")
            .arg("checker.toml")
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "checker=info")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    fn start(&self) -> ChildGuard {
        let log = fs::File::create(self.log_path()).unwrap();
        ChildGuard::spawn(
            "checker run",
            self.command().arg("run").stdout(Stdio::null()).stderr(log),
        )
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("checker.log")
    }

    fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn rounds(&self) -> usize {
        fs::read_dir(self.dir.path().join("results"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().ends_with("-check.json"))
                    .count()
            })
            .unwrap_or(0)
    }
}

/// `expected` as the fixtures write it: a string starting with `~` is a
/// regular expression for the whole value; anything else must be equal.
fn matches(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(e), _) if e.starts_with('~') => {
            let text = match actual {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                other => return Err(format!("{at}: {other} is not text or a number")),
            };
            let pattern = regex::Regex::new(&format!("^(?s:{})$", &e[1..])).unwrap();
            if pattern.is_match(&text) {
                Ok(())
            } else {
                Err(format!("{at}: {text:?} does not match {e:?}"))
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            let (ek, ak): (Vec<_>, Vec<_>) = (e.keys().collect(), a.keys().collect());
            if ek.iter().collect::<std::collections::BTreeSet<_>>()
                != ak.iter().collect::<std::collections::BTreeSet<_>>()
            {
                return Err(format!("{at}: keys {ak:?}, expected {ek:?}"));
            }
            e.iter()
                .try_for_each(|(k, v)| matches(v, &a[k], &format!("{at}.{k}")))
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .try_for_each(|(i, (e, a))| matches(e, a, &format!("{at}[{i}]"))),
        _ if expected == actual => Ok(()),
        _ => Err(format!("{at}: {actual}, expected {expected}")),
    }
}

/// Compares recorded requests with a fixture's list of requests.
fn assert_requests(channel: &str, step: &str, expected: &Value, got: &[Recorded]) {
    let expected = expected.as_array().unwrap();
    assert_eq!(
        got.len(),
        expected.len(),
        "{channel} {step}: {} requests, expected {}: {got:#?}",
        got.len(),
        expected.len()
    );
    for (want, request) in expected.iter().zip(got) {
        let fail = |why: String| panic!("{channel} {step}: {why}\nrequest: {request:#?}");
        if let Err(why) = matches(
            &want["method"],
            &Value::from(request.method.clone()),
            "method",
        ) {
            fail(why);
        }
        if let Err(why) = matches(&want["path"], &Value::from(request.path.clone()), "path") {
            fail(why);
        }
        for (name, value) in want["headers"].as_object().unwrap() {
            let got = request.header(name).map(Value::from).unwrap_or(Value::Null);
            if let Err(why) = matches(value, &got, &format!("header {name}")) {
                fail(why);
            }
        }
        if let Err(why) = matches(&want["body"], &request.json(), "body") {
            fail(why);
        }
    }
}

fn fixture(channel: &str) -> Value {
    let path =
        system_tests::workspace_root().join(format!("tests/fixtures/channels/{channel}.json"));
    serde_json::from_str(&fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every string in a JSON value.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.clone()).chain(strings(v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// What each channel does with the hostile title: only its safe path.
fn assert_hostile_is_inert(channel: &str, request: &Recorded) {
    let body = request.json();
    let context = || format!("{channel}: {body:#}");
    match channel {
        "telegram" => {
            let text = body["text"].as_str().unwrap();
            assert!(
                text.contains("&lt;b&gt;Ops&lt;/b&gt; &amp; \"Co\""),
                "{}",
                context()
            );
            assert!(!text.contains("<b>Ops"), "{}", context());
            assert!(!text.contains("<!here>"), "{}", context());
            assert!(
                text.contains("@\u{2060}room @\u{2060}channel"),
                "{}",
                context()
            );
            assert!(!text.contains("@room"), "a mention: {}", context());
        }
        "teams" => {
            // Adaptive Cards read Markdown only in TextBlock and FactSet.
            let all = strings(&body);
            assert!(
                !all.iter().any(|s| s == "TextBlock" || s == "FactSet"),
                "{}",
                context()
            );
            assert!(
                all.iter().any(|s| s == &format!("[DOWN] {HOSTILE}")),
                "{}",
                context()
            );
        }
        "matrix" => {
            let html = body["formatted_body"].as_str().unwrap();
            assert!(
                html.contains("&lt;b&gt;Ops&lt;/b&gt; &amp; &quot;Co&quot;"),
                "{}",
                context()
            );
            assert!(
                !html.contains("<b>") && !html.contains("<!here>"),
                "{}",
                context()
            );
            assert_eq!(body["m.mentions"], serde_json::json!({}), "{}", context());
            assert!(
                request.path.contains(
                    "checkup.n1.b-ops-b-co-room-channel-here-x-http-evil-example-bold-it.down."
                ),
                "{}",
                request.path
            );
        }
        "pagerduty" => {
            assert_eq!(body["payload"]["component"], HOSTILE, "{}", context());
            assert_eq!(
                body["dedup_key"],
                "checkup-b-ops-b-co-room-channel-here-x-http-evil-example-bold-it",
                "{}",
                context()
            );
        }
        "opsgenie" => {
            assert_eq!(body["entity"], HOSTILE, "{}", context());
            assert_eq!(
                body["alias"],
                "checkup-b-ops-b-co-room-channel-here-x-http-evil-example-bold-it",
                "{}",
                context()
            );
        }
        // Plain text, as written: no Markdown or HTML flag is ever set.
        "ntfy" => {
            assert_eq!(body["title"], format!("[DOWN] {HOSTILE}"), "{}", context());
            assert!(body.get("markdown").is_none(), "{}", context());
        }
        "gotify" => {
            assert_eq!(body["title"], format!("[DOWN] {HOSTILE}"), "{}", context());
            assert_eq!(
                body["extras"]["client::display"]["contentType"],
                "text/plain"
            );
        }
        "pushover" => {
            assert_eq!(body["title"], format!("[DOWN] {HOSTILE}"), "{}", context());
            assert!(
                body.get("html").is_none() && body.get("monospace").is_none(),
                "{}",
                context()
            );
            assert_eq!(
                body["tags"],
                "checkup-b-ops-b-co-room-channel-here-x-http-evil-example-bold-it",
                "{}",
                context()
            );
        }
        other => panic!("no hostile-title rule for {other}"),
    }
}

/// How many requests "resolved" takes (Pushover cancels the emergency first).
fn resolved_requests(channel: &str) -> usize {
    fixture(channel)["resolved"].as_array().unwrap().len()
}

#[test]
fn every_channel_speaks_its_service_api_from_down_to_resolved() {
    let web = Recorder::start();
    let ops = Recorder::start();
    let services = Services::start();
    for channel in CHANNELS {
        services.get(channel).reply_next(
            429,
            &[("Retry-After", "2")],
            Some(r#"{"error":"rate limited"}"#),
        );
    }
    let checker = Checker::new(
        &format!(
            "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n\n\
             [[checks]]\nname = {HOSTILE:?}\ntype = \"http\"\nurl = \"{}\"\n\n{}",
            web.url("/health"),
            ops.url("/health"),
            services.toml("failure_threshold = 2\nsuccess_threshold = 2\n")
        ),
        services.env(),
    );
    let running = checker.start();
    let deadline = Instant::now() + Duration::from_secs(15);
    while checker.rounds() < 2 {
        assert!(Instant::now() < deadline, "no rounds:\n{}", checker.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        CHANNELS
            .iter()
            .all(|c| services.get(c).requests().is_empty()),
        "healthy rounds notify nobody"
    );

    // Web goes down: the first attempt meets a 429, the second waits as asked.
    web.set_status(503);
    services.wait(|_| 2, &checker);
    web.set_status(200);
    services.wait(|c| 2 + resolved_requests(c), &checker);
    // Then the hostile title goes down and recovers.
    ops.set_status(503);
    services.wait(|c| 3 + resolved_requests(c), &checker);
    ops.set_status(200);
    services.wait(|c| 3 + 2 * resolved_requests(c), &checker);
    drop(running);

    for channel in CHANNELS {
        let requests = services.get(channel).requests();
        let (limited, retried) = (&requests[0], &requests[1]);
        assert_eq!(
            (&limited.path, &limited.body),
            (&retried.path, &retried.body),
            "{channel}: the retry after a 429 is the same request"
        );
        let waited = retried.received - limited.received;
        assert!(
            waited >= Duration::from_millis(1900),
            "{channel} retried {waited:?} after a 429 with Retry-After: 2"
        );
        let fixture = fixture(channel);
        let resolved = resolved_requests(channel);
        assert_requests(channel, "down", &fixture["down"], &requests[1..2]);
        assert_requests(
            channel,
            "resolved",
            &fixture["resolved"],
            &requests[2..2 + resolved],
        );
        assert_hostile_is_inert(channel, &requests[2 + resolved]);
        assert_eq!(requests.len(), 3 + 2 * resolved, "{channel}: {requests:#?}");
    }
    let log = checker.log();
    assert!(
        log.contains("the receiver answered 429 Too Many Requests"),
        "{log}"
    );
    for (_, secret) in SECRETS {
        assert!(!log.contains(secret), "a secret in the log:\n{log}");
    }
    assert!(!log.contains("TEAMSSIGNATUREFORTESTS"), "{log}");
}

#[test]
fn a_refusal_is_not_retried_and_is_logged_in_the_service_words() {
    let down = Recorder::start();
    down.set_status(503);
    let services = Services::start();
    // Each service's documented error document, and the words of it the log must show.
    let refusals = [
        (
            "telegram",
            400,
            r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
            "Bad Request: chat not found",
        ),
        (
            "pagerduty",
            400,
            r#"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}"#,
            "Event object is invalid",
        ),
        (
            "opsgenie",
            422,
            r#"{"message":"Key format is not valid!","took":0.001,"requestId":"9f2b"}"#,
            "Key format is not valid!",
        ),
        (
            "matrix",
            403,
            r#"{"errcode":"M_FORBIDDEN","error":"User @checker:example.org not in room !ops:example.org"}"#,
            "M_FORBIDDEN",
        ),
        (
            "pushover",
            400,
            r#"{"user":"invalid","errors":["user identifier is not a valid user, group, or subscribed user key"],"status":0}"#,
            "user identifier is not a valid user",
        ),
        (
            "gotify",
            401,
            r#"{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token or user credentials to access this api"}"#,
            "you need to provide a valid access token",
        ),
        (
            "ntfy",
            403,
            r#"{"code":40301,"http":403,"error":"forbidden"}"#,
            "forbidden",
        ),
        (
            "teams",
            400,
            r#"{"error":{"code":"InvalidRequestContent","message":"The input body for trigger 'manual' of type 'Request' did not match its schema definition."}}"#,
            "InvalidRequestContent",
        ),
    ];
    for (channel, code, body, _) in refusals {
        services.get(channel).reply_next(code, &[], Some(body));
    }
    let checker = Checker::new(
        &format!(
            "[[checks]]\nname = \"Web\"\ntype = \"http\"\nurl = \"{}\"\n\n{}",
            down.url("/"),
            services.toml("failure_threshold = 1\n")
        ),
        services.env(),
    );
    let running = checker.start();
    let deadline = Instant::now() + Duration::from_secs(20);
    while checker.log().matches("giving up").count() < CHANNELS.len() {
        assert!(
            Instant::now() < deadline,
            "not all gave up:\n{}",
            checker.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Long enough for a retry (1 s) to have come, had there been one.
    std::thread::sleep(Duration::from_millis(1500));
    drop(running);
    let log = checker.log();
    for (channel, code, _, said) in refusals {
        assert_eq!(
            services.get(channel).requests().len(),
            1,
            "{channel}: a {code} is not retried"
        );
        assert!(
            log.lines().any(|l| l.contains("giving up")
                && l.contains("attempts=1")
                && l.contains(&format!("notifier={channel}"))
                && l.contains(&code.to_string())
                && l.contains(said)),
            "{channel}: {said:?} not logged with giving up:\n{log}"
        );
    }
    for (_, secret) in SECRETS {
        assert!(!log.contains(secret), "a secret in the log:\n{log}");
    }
}

#[test]
fn notify_test_and_validate_cover_every_channel_without_secrets() {
    let services = Services::start();
    let checker = Checker::new(
        &format!(
            "[[checks]]\nname = \"Web\"\ntype = \"tcp\"\naddress = \"127.0.0.1:9\"\n\n{}",
            services.toml("")
        ),
        services.env(),
    );
    let validate = checker.run(&["validate"]);
    let text = String::from_utf8_lossy(&validate.stdout).to_string()
        + &String::from_utf8_lossy(&validate.stderr);
    assert!(validate.status.success(), "{text}");
    for shown in [
        "telegram (telegram chat -1001234567890)",
        "teams (teams http://127.0.0.1:",
        "pagerduty (pagerduty http://127.0.0.1:",
        "opsgenie (opsgenie http://127.0.0.1:",
        "ntfy (ntfy http://127.0.0.1:",
        "gotify (gotify http://127.0.0.1:",
        "matrix (matrix http://127.0.0.1:",
        "pushover (pushover http://127.0.0.1:",
        "room !ops:example.org",
    ] {
        assert!(text.contains(shown), "{shown:?} not in {text}");
    }
    let test = checker.run(&["notify-test"]);
    let out = String::from_utf8_lossy(&test.stdout).to_string();
    let err = String::from_utf8_lossy(&test.stderr).to_string();
    assert!(test.status.success(), "{out}{err}");
    assert!(out.contains("8 notifiers: all ok"), "{out}");
    for (_, secret) in SECRETS {
        assert!(!out.contains(secret) && !err.contains(secret), "{out}{err}");
        assert!(!text.contains(secret), "{text}");
    }
    assert!(!text.contains("TEAMSSIGNATURE") && !out.contains("TEAMSSIGNATURE"));
    for channel in CHANNELS {
        let got = services.get(channel).requests();
        assert_eq!(got.len(), 1, "{channel}: {got:#?}");
        let body = got[0].json();
        let all = strings(&body).join("\n");
        assert!(
            all.contains("[TEST]") || all.contains("Test notification"),
            "{channel}: {all}"
        );
        match *channel {
            "pagerduty" => {
                assert_eq!(body["dedup_key"], "checkup-test-n1");
                assert_eq!(body["payload"]["severity"], "info");
            }
            "opsgenie" => {
                assert_eq!(body["alias"], "checkup-test-n1");
                assert_eq!(body["priority"], "P5");
            }
            // A test never rings a phone until acknowledged.
            "pushover" => assert_eq!(body["priority"], 0),
            _ => {}
        }
    }
}
