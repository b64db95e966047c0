//! Broken configs, each with the key and line its error must name.

use std::path::Path;

use super::{ConfigError, from_str};

const GOOD_CHECK: &str =
    "[[checks]]\nname = \"web\"\ntype = \"http\"\nurl = \"http://127.0.0.1/\"\n";

fn error_of(text: &str) -> ConfigError {
    match from_str(text, Path::new("/etc/checker/checker.toml")) {
        Ok(_) => panic!("config was accepted:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn a_good_config_gets_defaults() {
    let c = from_str(
        &format!("node = \"n1\"\n{GOOD_CHECK}"),
        Path::new("/etc/checker/checker.toml"),
    )
    .unwrap();
    assert_eq!(c.node, "n1");
    assert_eq!(c.interval, std::time::Duration::from_secs(60));
    assert_eq!(c.concurrency, 32);
    assert_eq!(
        c.storage.kind,
        crate::storage::StorageKind::Local {
            dir: "/etc/checker/results".into()
        },
        "relative to the config file"
    );
    assert_eq!(c.checks[0].common.attempts, 1);
    assert_eq!(
        c.checks[0].common.timeout,
        std::time::Duration::from_secs(10)
    );
}

#[test]
fn every_broken_config_names_its_key_and_line() {
    // (config text, line of the error, text the message must contain)
    let cases: &[(&str, usize, &str)] = &[
        ("node = \"a b\"\n", 1, "node: node name \"a b\""),
        ("nod = \"x\"\n", 1, "nod: unknown field `nod`"),
        (
            "interval = \"5 parsecs\"\n",
            1,
            "interval: \"5 parsecs\" is not a duration",
        ),
        ("interval = \"500ms\"\n", 1, "interval: must be at least 1s"),
        (
            "interval = 60\n",
            1,
            "invalid type: integer `60`, expected a string",
        ),
        (
            "concurrency = 0\n",
            1,
            "concurrency: must be between 1 and 10000, not 0",
        ),
        ("node = \"n\"\n", 1, "checks: no checks are configured"),
        (
            "[storage]\ntype = \"ftp\"\n",
            2,
            "storage.type: unknown storage type \"ftp\"; known types: local, s3",
        ),
        (
            "[storage]\ntype = \"local\"\ndir = \"\"\n",
            3,
            "storage.dir: must not be empty",
        ),
        (
            "[storage]\ntype = \"local\"\ncheck_expiry = \"soon\"\n",
            3,
            "storage.check_expiry: \"soon\" is not a duration",
        ),
        (
            "[storage]\ntype = \"local\"\nbucket = \"b\"\n",
            3,
            "storage.bucket: is not an option of local storage",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"htp\"\n",
            3,
            "checks[0].type: unknown check type \"htp\"; known types: http",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\n",
            1,
            "checks[0].url: http checks need a url",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"not a url\"\n",
            4,
            "checks[0].url: \"not a url\" is not a valid URL",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"ftp://x/\"\n",
            4,
            "must start with http:// or https://, not ftp://",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nmethod = \"G T\"\n",
            5,
            "checks[0].method: \"G T\" is not an HTTP method",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nexpected_status = 700\n",
            5,
            "checks[0].expected_status: 700 is not an HTTP status",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nattempts = 0\n",
            5,
            "checks[0].attempts: must be between 1 and 100, not 0",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\ntimeout = \"0s\"\n",
            5,
            "checks[0].timeout: must be more than 0s",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nattempt_spacing = \"fast\"\n",
            5,
            "checks[0].attempt_spacing: \"fast\" is not a duration",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nthreshold_rtt = \"1 parsec\"\n",
            5,
            "checks[0].threshold_rtt",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nmust_contain = \"\"\n",
            5,
            "checks[0].must_contain: must not be empty",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nmax_body_bytes = 0\n",
            5,
            "checks[0].max_body_bytes: must be at least 1",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nheaders = { \"Bad Name\" = \"v\" }\n",
            5,
            "checks[0].headers.Bad Name: is not a valid header name",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nuser = \"bob\"\n",
            5,
            "checks[0].user: unknown field `user`",
        ),
        (
            "[[checks]]\nname = \"\"\ntype = \"http\"\nurl = \"http://x/\"\n",
            2,
            "checks[0].name: must not be empty",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\n\n[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://y/\"\n",
            7,
            "checks[1].name: \"a\" is already the name of checks[0]",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nurl = \"http://y/\"\n",
            5,
            "duplicate key",
        ),
        ("[[checks]\nname = \"a\"\n", 1, "unclosed array table"),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\n\n[[checks]]\nname = \"b\"\ntype = \"http\"\nurl = \"http://y/\"\ncolour = \"red\"\n",
            10,
            "checks[1].colour: unknown field `colour`",
        ),
        (
            "[storage]\ntype = \"local\"\ncolour = 1\n",
            3,
            "storage.colour: unknown field `colour`",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\ncommand = \"ls\"\n",
            5,
            "checks[0].command: is not an option of http checks (it applies to exec)",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"tcp\"\naddress = \"db\"\n",
            4,
            "checks[0].address: \"db\" is not host:port",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"tcp\"\naddress = \"db:5432\"\ntls_verify = false\n",
            5,
            "checks[0].tls_verify: only applies with tls = true",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"tls\"\n",
            1,
            "checks[0].address: tls checks need address",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"tls\"\naddress = \"x:443\"\nca_file = \"/no/such.pem\"\n",
            5,
            "checks[0].ca_file: /no/such.pem is not a readable file",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"dns\"\nquery = \"example.com\"\nrecord_type = \"SRV\"\n",
            5,
            "checks[0].record_type: must be one of A, AAAA, CNAME, MX, TXT, NS",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"dns\"\nquery = \"example.com\"\nserver = \"dns.google\"\n",
            5,
            "checks[0].server: \"dns.google\" is not an IP address",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"exec\"\ncommand = \"x\"\non_failure = \"warn\"\n",
            5,
            "checks[0].on_failure: must be \"down\" or \"degraded\"",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"exec\"\ncommand = \"x\"\noutput_regex = \"(\"\n",
            5,
            "checks[0].output_regex: is not a valid regular expression",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\njson_conditions = [\"status=UP\"]\n",
            5,
            "checks[0].json_conditions: \"status=UP\" is not a condition",
        ),
        (
            "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"http://x/\"\nfollow_redirects = -1\n",
            5,
            "checks[0].follow_redirects: must be between 0",
        ),
        (
            "[storage]\ntype = \"s3\"\nregion = \"eu-west-1\"\n",
            1,
            "storage.bucket: s3 storage needs a bucket",
        ),
        (
            "[storage]\ntype = \"s3\"\nbucket = \"a/b\"\n",
            3,
            "storage.bucket: \"a/b\" is not a bucket name",
        ),
        (
            "[storage]\ntype = \"s3\"\nbucket = \"b\"\ndir = \"x\"\n",
            4,
            "storage.dir: is not an option of s3 storage",
        ),
        (
            "[storage]\ntype = \"s3\"\nbucket = \"b\"\nendpoint = \"garage:3900\"\n",
            4,
            "storage.endpoint: must start with http:// or https://",
        ),
        (
            "[storage]\ntype = \"s3\"\nbucket = \"b\"\naccess_key_id = \"GK1\"\n",
            4,
            "storage.secret_access_key: is needed with access_key_id",
        ),
        (
            "[storage]\ntype = \"s3\"\nbucket = \"b\"\npath_style = \"yes\"\n",
            4,
            "invalid type: string \"yes\", expected a boolean",
        ),
    ];
    assert!(cases.len() >= 20);
    for (text, line, needle) in cases {
        let err = error_of(text);
        let shown = err.to_string();
        assert_eq!(
            err.line(),
            Some(*line),
            "wrong line for:\n{text}\nerror: {shown}"
        );
        assert!(
            shown.starts_with(&format!("/etc/checker/checker.toml:{line}:")),
            "no file:line in: {shown}"
        );
        assert!(
            shown.contains(needle),
            "expected {needle:?} in:\n{shown}\nfor config:\n{text}"
        );
    }
}

#[test]
fn s3_settings_get_defaults_and_never_show_the_secret() {
    let text = format!(
        "node = \"n1\"\n[storage]\ntype = \"s3\"\nbucket = \"status\"\nprefix = \"/checkup\"\n\
         endpoint = \"http://127.0.0.1:3900/\"\naccess_key_id = \"GKID\"\nsecret_access_key = \"TOPSECRET\"\n{GOOD_CHECK}"
    );
    let c = from_str(&text, Path::new("c.toml")).unwrap();
    let crate::storage::StorageKind::S3(s3) = &c.storage.kind else {
        panic!("not s3: {:?}", c.storage.kind)
    };
    assert_eq!(s3.prefix, "checkup/");
    assert_eq!(s3.region, "us-east-1");
    assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:3900"));
    assert!(
        s3.path_style,
        "path style by default with a custom endpoint"
    );
    assert!(!format!("{:?}", c.storage).contains("TOPSECRET"));
    assert_eq!(
        c.storage.describe(),
        "s3://status/checkup/ at http://127.0.0.1:3900"
    );

    let aws = from_str(
        &format!("[storage]\ntype = \"s3\"\nbucket = \"b\"\n{GOOD_CHECK}"),
        Path::new("c.toml"),
    )
    .unwrap();
    let crate::storage::StorageKind::S3(s3) = &aws.storage.kind else {
        panic!()
    };
    assert!(!s3.path_style, "virtual-hosted style on AWS");
    assert_eq!((s3.prefix.as_str(), s3.credentials.is_none()), ("", true));
}

/// `GOOD_CHECK` (4 lines) followed by `rest`.
fn with_check(rest: &str) -> String {
    format!("{GOOD_CHECK}{rest}")
}

#[test]
fn every_broken_notifier_or_window_names_its_key_and_line() {
    let cases: Vec<(String, usize, &str)> = vec![
        (
            with_check("[[notifiers]]\ntype = \"pager\"\n"),
            6,
            "notifiers[0].type: unknown notifier type \"pager\"; known types: webhook, slack, discord, email",
        ),
        (
            with_check("[[notifiers]]\ntype = \"webhook\"\n"),
            5,
            "notifiers[0].url: webhook notifiers need url (or url_env)",
        ),
        (
            with_check("[[notifiers]]\ntype = \"webhook\"\nurl = \"ftp://x/\"\n"),
            7,
            "notifiers[0].url: must start with http:// or https://, not ftp://",
        ),
        (
            with_check("[[notifiers]]\ntype = \"slack\"\nurl = \"hooks.slack.com\"\n"),
            7,
            "notifiers[0].url: is not a valid URL",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"slack\"\nurl_env = \"CHECKER_TEST_UNSET_VARIABLE\"\n",
            ),
            7,
            "notifiers[0].url_env: the environment variable CHECKER_TEST_UNSET_VARIABLE is not set",
        ),
        (
            with_check("[[notifiers]]\ntype = \"webhook\"\nurl = \"http://x/\"\ncolour = 1\n"),
            8,
            "notifiers[0].colour: unknown field `colour`",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"slack\"\nurl = \"http://x/\"\nheaders = { A = \"b\" }\n",
            ),
            8,
            "notifiers[0].headers: is not an option of slack notifiers (it applies to webhook)",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"webhook\"\nurl = \"http://x/\"\nheaders = { \"Bad Name\" = \"v\" }\n",
            ),
            8,
            "notifiers[0].headers.Bad Name: is not a valid header name",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"webhook\"\nurl = \"http://x/\"\nfailure_threshold = 0\n",
            ),
            8,
            "notifiers[0].failure_threshold: must be between 1 and 1000 rounds, not 0",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"webhook\"\nurl = \"http://x/\"\nreminder_interval = \"often\"\n",
            ),
            8,
            "notifiers[0].reminder_interval: \"often\" is not a duration",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"webhook\"\nurl = \"http://x/\"\non_degraded = \"yes\"\n",
            ),
            8,
            "invalid type: string \"yes\", expected a boolean",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"webhook\"\nurl = \"http://x/\"\nchecks = [\"web\", \"db\"]\n",
            ),
            8,
            "notifiers[0].checks: no check is named \"db\"; the checks are: web",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"webhook\"\nurl = \"http://x/\"\n[[notifiers]]\ntype = \"webhook\"\nname = \"webhook\"\nurl = \"http://y/\"\n",
            ),
            10,
            "notifiers[1].name: \"webhook\" is already the name of notifiers[0]",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"email\"\nto = [\"a@example.com\"]\nfrom = \"c@example.com\"\n",
            ),
            5,
            "notifiers[0].host: email notifiers need host",
        ),
        (
            with_check("[[notifiers]]\ntype = \"email\"\nhost = \"mail\"\ntls = \"ssl\"\n"),
            8,
            "notifiers[0].tls: \"ssl\" is not a TLS mode; use \"starttls\"",
        ),
        (
            with_check("[[notifiers]]\ntype = \"email\"\nhost = \"mail\"\nport = 70000\n"),
            8,
            "notifiers[0].port: 70000 is not a port",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"email\"\nhost = \"mail\"\nfrom = \"nobody\"\nto = [\"a@example.com\"]\n",
            ),
            8,
            "notifiers[0].from: \"nobody\" is not an email address",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"email\"\nhost = \"mail\"\nfrom = \"c@example.com\"\nto = []\n",
            ),
            9,
            "notifiers[0].to: names no recipients",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"email\"\nhost = \"mail\"\nusername = \"u\"\nfrom = \"c@example.com\"\nto = [\"a@example.com\"]\n",
            ),
            8,
            "notifiers[0].password: is needed with username",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"email\"\nhost = \"mail\"\nusername = \"u\"\npassword = \"p\"\npassword_env = \"P\"\n",
            ),
            10,
            "notifiers[0].password_env: give password or password_env, not both",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"email\"\nhost = \"mail.example.com\"\ntls = \"none\"\nusername = \"u\"\npassword = \"p\"\nfrom = \"c@example.com\"\nto = [\"a@example.com\"]\n",
            ),
            8,
            "notifiers[0].tls: \"none\" would send the password in clear text to mail.example.com",
        ),
        (
            with_check(
                "[[notifiers]]\ntype = \"email\"\nhost = \"mail\"\nca_file = \"/no/such.pem\"\nfrom = \"c@example.com\"\nto = [\"a@example.com\"]\n",
            ),
            8,
            "notifiers[0].ca_file: /no/such.pem is not a readable file",
        ),
        (
            with_check(
                "[[maintenance]]\nstart = \"2026-12-01 02:00\"\nend = \"2026-12-01T04:00:00Z\"\n",
            ),
            6,
            "maintenance[0].start: \"2026-12-01 02:00\" is not an RFC 3339 time",
        ),
        (
            with_check(
                "[[maintenance]]\nstart = \"2026-12-01T04:00:00Z\"\nend = \"2026-12-01T02:00:00Z\"\n",
            ),
            7,
            "maintenance[0].end: must be after start",
        ),
        (
            with_check(
                "[[maintenance]]\nstart = \"2026-12-01T02:00:00Z\"\nend = \"2026-12-01T04:00:00Z\"\nannounce = \"91d\"\n",
            ),
            8,
            "maintenance[0].announce: must be at most 90d",
        ),
        (
            with_check(
                "[[maintenance]]\nstart = \"2026-12-01T02:00:00Z\"\nend = \"2026-12-01T04:00:00Z\"\ntitle = \" \"\n",
            ),
            8,
            "maintenance[0].title: must not be empty",
        ),
        (
            with_check("[status_page]\nurl = \"status.example.com\"\n"),
            6,
            "status_page.url: \"status.example.com\" is not the page's public address",
        ),
        (
            with_check("[[maintenance]]\nstart = \"2026-12-01T04:00:00Z\"\n"),
            5,
            "maintenance[0].end: a one-off window needs `end`",
        ),
        (
            with_check(
                "[[maintenance]]\nevery = [\"sat\"]\nat = \"02:00\"\nduration = \"2h\"\ntimezone = \"Europe/Berlinn\"\n",
            ),
            9,
            "maintenance[0].timezone: \"Europe/Berlinn\" is not a known time zone",
        ),
        (
            with_check(
                "[[maintenance]]\nevery = [\"sat\", \"caturday\"]\nat = \"02:00\"\nduration = \"2h\"\n",
            ),
            6,
            "maintenance[0].every: \"caturday\" is not a day",
        ),
        (
            with_check("[[maintenance]]\nevery = [\"sat\"]\nat = \"25:00\"\nduration = \"2h\"\n"),
            7,
            "maintenance[0].at: \"25:00\" is not a time of day",
        ),
        (
            with_check("[[maintenance]]\nevery = [\"sat\"]\nat = \"02:00\"\nduration = \"8d\"\n"),
            8,
            "maintenance[0].duration: must be more than 0s and at most 7d",
        ),
        (
            with_check("[[maintenance]]\nevery = [\"sat\"]\nduration = \"1h\"\n"),
            5,
            "maintenance[0].at: a weekly window needs `at`",
        ),
        (
            with_check(
                "[[maintenance]]\nevery = [\"sat\"]\nat = \"02:00\"\nduration = \"1h\"\nend = \"2026-12-01T02:00:00Z\"\n",
            ),
            9,
            "maintenance[0].end: a weekly window (with `every`) has `at` and `duration`, not start/end",
        ),
        (
            with_check(
                "[[maintenance]]\nstart = \"2026-12-01T02:00:00Z\"\nend = \"2026-12-01T04:00:00Z\"\ntimezone = \"UTC\"\n",
            ),
            8,
            "maintenance[0].timezone: only applies to a weekly window",
        ),
        (
            with_check(
                "[[maintenance]]\nstart = \"2026-12-01T02:00:00Z\"\nend = \"2026-12-01T04:00:00Z\"\nchecks = [\"nope\"]\n",
            ),
            8,
            "maintenance[0].checks: no check is named \"nope\"; the checks are: web",
        ),
        (
            with_check(
                "[[maintenance]]\nstart = \"2026-12-01T02:00:00Z\"\nend = \"2026-12-01T04:00:00Z\"\nreason = \"x\"\n",
            ),
            8,
            "maintenance[0].reason: unknown field `reason`",
        ),
    ];
    for (text, line, needle) in &cases {
        let err = error_of(text);
        let shown = err.to_string();
        assert_eq!(
            err.line(),
            Some(*line),
            "wrong line for:\n{text}\nerror: {shown}"
        );
        assert!(
            shown.starts_with(&format!("/etc/checker/checker.toml:{line}:")),
            "no file:line in: {shown}"
        );
        assert!(
            shown.contains(needle),
            "expected {needle:?} in:\n{shown}\nfor config:\n{text}"
        );
    }
}

#[test]
fn notifiers_and_windows_get_defaults_and_never_show_secrets() {
    // SAFETY: this test alone sets this variable, before reading it.
    unsafe { std::env::set_var("CHECKER_TEST_SMTP_PASSWORD", "TOPSECRET") };
    let c = from_str(
        &with_check(
            "[[notifiers]]\ntype = \"webhook\"\nurl = \"https://hooks.example.com/abc?token=TOPSECRET\"\n\
             [[notifiers]]\ntype = \"email\"\nhost = \"mail.example.com\"\nusername = \"u\"\n\
             password_env = \"CHECKER_TEST_SMTP_PASSWORD\"\nfrom = \"c@example.com\"\nto = [\"a@example.com\"]\n\
             [[notifiers]]\ntype = \"email\"\nhost = \"127.0.0.1\"\ntls = \"none\"\nfrom = \"c@example.com\"\n\
             to = [\"b@example.com\"]\nfailure_threshold = 3\nsuccess_threshold = 1\nsend_on_resolved = false\n\
             reminder_interval = \"1h\"\non_degraded = true\nchecks = [\"web\"]\n\
             [[maintenance]]\nevery = [\"sat\"]\nat = \"02:00\"\nduration = \"2h\"\ntimezone = \"Europe/Berlin\"\n",
        ),
        Path::new("c.toml"),
    )
    .unwrap();
    let names: Vec<&str> = c.notifiers.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["webhook", "email", "email-2"]);
    assert_eq!(c.notifiers[0].policy, crate::notify::Policy::default());
    assert_eq!(c.notifiers[0].policy.failure_threshold, 2);
    assert!(c.notifiers[0].checks.is_none());
    assert_eq!(
        c.notifiers[1].channel.describe(),
        "email smtp://mail.example.com:587 (starttls) to a@example.com"
    );
    let p = &c.notifiers[2].policy;
    assert_eq!(
        (
            p.failure_threshold,
            p.success_threshold,
            p.send_on_resolved,
            p.on_degraded
        ),
        (3, 1, false, true)
    );
    assert_eq!(
        p.reminder_interval,
        Some(std::time::Duration::from_secs(3600))
    );
    assert_eq!(
        c.notifiers[2].channel.describe(),
        "email smtp://127.0.0.1:25 (no tls) to b@example.com"
    );
    assert_eq!(
        c.notifiers[0].channel.describe(),
        "webhook https://hooks.example.com/…"
    );
    let shown = format!("{:?}", c.notifiers);
    assert!(!shown.contains("TOPSECRET"), "{shown}");
    assert_eq!(c.maintenance.len(), 1);
    assert_eq!(c.maintenance[0].name, "maintenance[0]");
}

#[test]
fn commands_that_never_send_load_without_the_notifiers_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checker.toml");
    std::fs::write(
        &path,
        with_check("[[notifiers]]\ntype = \"slack\"\nurl_env = \"CHECKER_TEST_NEVER_SET\"\n"),
    )
    .unwrap();
    let err = super::load(&path).err().expect("the secret is missing");
    assert!(
        err.to_string()
            .contains("CHECKER_TEST_NEVER_SET is not set"),
        "{err}"
    );
    let c = super::load_without_notifiers(&path).unwrap();
    assert!(c.notifiers.is_empty());
    assert_eq!(c.checks.len(), 1);
}

#[test]
fn a_key_no_kind_takes_points_to_the_reference() {
    let shown = error_of(&format!("{GOOD_CHECK}colour = \"red\"\n")).to_string();
    assert!(
        shown.contains(
            "checks[0].colour: unknown field `colour`; `checker kinds` lists what http checks take"
        ),
        "{shown}"
    );
}

#[test]
fn a_ca_file_must_hold_pem_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    for table in [
        "[[checks]]\nname = \"a\"\ntype = \"tls\"\naddress = \"x:443\"\n",
        "[[checks]]\nname = \"a\"\ntype = \"http\"\nurl = \"https://x/\"\n",
    ] {
        let text = format!("{table}ca_file = \"{}\"\n", empty.display());
        let shown = error_of(&text).to_string();
        assert!(
            shown.contains(&format!(
                "checks[0].ca_file: {} holds no PEM certificates",
                empty.display()
            )),
            "{shown}"
        );
    }
}
