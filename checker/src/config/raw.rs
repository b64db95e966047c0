//! The config file as written: serde structs that reject unknown keys and keep
//! every value's position (`Spanned`) so later errors can point at it.
//!
//! Check options are one flat table, as in Gatus and checkup: each check kind
//! declares which of the kind-specific keys it takes (see `checks::registry`),
//! and the others are refused with the kind named.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// This checker's name in file names and results; defaults to the host name.
    pub node: Option<Spanned<String>>,
    /// Time between round starts, e.g. "1m".
    pub interval: Option<Spanned<String>>,
    /// Checks of one round run at most this many at a time.
    pub concurrency: Option<Spanned<i64>>,
    /// Where the checker keeps its own state (the spool); default
    /// `$STATE_DIRECTORY` under systemd, else `state/` beside the config.
    pub state_dir: Option<Spanned<String>>,
    pub storage: Option<Spanned<RawStorage>>,
    #[serde(default)]
    pub checks: Vec<Spanned<RawCheck>>,
    /// Where to send alerts when a check changes state.
    #[serde(default)]
    pub notifiers: Vec<Spanned<RawNotifier>>,
    /// Times when checks may fail without alerting anyone.
    #[serde(default)]
    pub maintenance: Vec<Spanned<RawMaintenance>>,
}

/// A `[[notifiers]]` table: one channel, with the thresholds that decide when
/// it is told. Like checks, one flat table whose kind-specific keys are
/// declared per kind (see `notify::registry`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotifier {
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// Names it in logs, `notify-test` and the state file (default: the type,
    /// then `type-2`, ... for more of one type).
    pub name: Option<Spanned<String>>,
    /// Only these checks (default: all).
    pub checks: Option<Spanned<Vec<Spanned<String>>>>,
    /// Consecutive bad rounds before "down" is sent (default 2).
    pub failure_threshold: Option<Spanned<i64>>,
    /// Consecutive good rounds before "resolved" (default 2).
    pub success_threshold: Option<Spanned<i64>>,
    /// Send a message when an alert resolves (default true).
    pub send_on_resolved: Option<Spanned<bool>>,
    /// Repeat the alert this often while it stays open (default never).
    pub reminder_interval: Option<Spanned<String>>,
    /// Alert on degraded too, not only on down (default false).
    pub on_degraded: Option<Spanned<bool>>,
    /// Give up on one delivery attempt after this long (default 10s).
    pub timeout: Option<Spanned<String>>,

    // webhook, slack, discord
    pub url: Option<Spanned<String>>,
    /// The URL from this environment variable instead (it is often the secret).
    pub url_env: Option<Spanned<String>>,
    // webhook
    pub headers: Option<Spanned<BTreeMap<String, String>>>,
    // webhook, email
    /// Extra CA certificates (PEM) to trust besides the system's.
    pub ca_file: Option<Spanned<String>>,

    // email
    pub host: Option<Spanned<String>>,
    pub port: Option<Spanned<i64>>,
    /// "starttls" (default), "tls" (implicit, port 465) or "none" (loopback relays).
    pub tls: Option<Spanned<String>>,
    pub username: Option<Spanned<String>>,
    pub password: Option<Spanned<String>>,
    pub password_env: Option<Spanned<String>>,
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A `[[maintenance]]` table: a one-off window (`start`, `end`) or a weekly
/// one (`every`, `at`, `duration`, `timezone`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaintenance {
    /// For logs.
    pub name: Option<Spanned<String>>,
    /// Only these checks (default: all).
    pub checks: Option<Spanned<Vec<Spanned<String>>>>,
    /// RFC 3339, e.g. "2026-12-01T02:00:00+01:00".
    pub start: Option<Spanned<String>>,
    pub end: Option<Spanned<String>>,
    /// Days of the week: ["mon", "sat"], or ["daily"].
    pub every: Option<Spanned<Vec<Spanned<String>>>>,
    /// Local time of day the window opens, "02:00".
    pub at: Option<Spanned<String>>,
    pub duration: Option<Spanned<String>>,
    /// IANA zone, e.g. "Europe/Berlin" (default UTC).
    pub timezone: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStorage {
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// `local`: the directory results go to (relative to the config file).
    pub dir: Option<Spanned<String>>,
    /// `s3`: the bucket, and optionally a key prefix ("status/").
    pub bucket: Option<Spanned<String>>,
    pub prefix: Option<Spanned<String>>,
    /// `s3`: region to sign for (default us-east-1).
    pub region: Option<Spanned<String>>,
    /// `s3`: endpoint of an S3-compatible store (Garage, MinIO, R2); AWS when absent.
    pub endpoint: Option<Spanned<String>>,
    /// `s3`: bucket in the path rather than the host name (default: true with `endpoint`).
    pub path_style: Option<Spanned<bool>>,
    /// `s3`: static credentials; without them the standard AWS chain is used
    /// (environment, profile, instance role).
    pub access_key_id: Option<Spanned<String>>,
    pub secret_access_key: Option<Spanned<String>>,
    /// Delete this node's result files older than this, e.g. "30d".
    pub check_expiry: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// Shown on the page and in results as the title; unique per config.
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub kind: Spanned<String>,

    // Options every kind takes.
    pub attempts: Option<Spanned<i64>>,
    pub attempt_spacing: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub threshold_rtt: Option<Spanned<String>>,

    // http
    pub url: Option<Spanned<String>>,
    pub method: Option<Spanned<String>>,
    pub headers: Option<Spanned<BTreeMap<String, String>>>,
    /// 200, [200, 204], "2xx", "200-299", or a list mixing them.
    pub expected_status: Option<Spanned<toml::Value>>,
    pub must_contain: Option<Spanned<String>>,
    pub must_not_contain: Option<Spanned<String>>,
    pub max_body_bytes: Option<Spanned<i64>>,
    /// Request body (e.g. for POST).
    pub body: Option<Spanned<String>>,
    /// Follow at most this many redirects; 0 = do not follow (default 10).
    pub follow_redirects: Option<Spanned<i64>>,
    /// `"status == ok"`, `"data.0.count > 3"`: conditions on the JSON body.
    pub json_conditions: Option<Spanned<Vec<String>>>,
    /// `"Content-Type contains json"`: conditions on response headers.
    pub header_conditions: Option<Spanned<Vec<String>>>,
    pub body_regex: Option<Spanned<String>>,

    // http, tcp, tls
    /// Verify the server's certificate (default true).
    pub tls_verify: Option<Spanned<bool>>,
    /// Extra CA certificates (PEM) to trust besides the system's.
    pub ca_file: Option<Spanned<String>>,

    // tcp, tls
    /// `host:port`.
    pub address: Option<Spanned<String>>,
    /// tcp: speak TLS after connecting.
    pub tls: Option<Spanned<bool>>,
    /// Name to verify the certificate against (default: the address's host).
    pub server_name: Option<Spanned<String>>,
    /// tls: degraded when a certificate expires within this (default 14d).
    pub cert_expiry_threshold: Option<Spanned<String>>,

    // dns
    /// The name to query.
    pub query: Option<Spanned<String>>,
    /// A, AAAA, CNAME, MX, TXT or NS (default A).
    pub record_type: Option<Spanned<String>>,
    /// `ip` or `ip:port` of the DNS server (default: the system resolver).
    pub server: Option<Spanned<String>>,
    /// NOERROR (default), NXDOMAIN, SERVFAIL, ...
    pub expected_rcode: Option<Spanned<String>>,
    pub answers_contain: Option<Spanned<Vec<String>>>,
    pub answers_equal: Option<Spanned<Vec<String>>>,

    // exec
    pub command: Option<Spanned<String>>,
    pub args: Option<Spanned<Vec<String>>>,
    /// "down" (default) or "degraded": what a non-zero exit means.
    pub on_failure: Option<Spanned<String>>,
    pub output_contains: Option<Spanned<String>>,
    pub output_not_contains: Option<Spanned<String>>,
    pub output_regex: Option<Spanned<String>>,
}

/// The named optional fields of `$raw` that are set, with their positions.
macro_rules! set_keys {
    ($raw:expr, $($field:ident),* $(,)?) => {{
        let mut set = Vec::new();
        $(
            if let Some(v) = &$raw.$field {
                set.push((stringify!($field), v.span()));
            }
        )*
        set
    }};
}

impl RawStorage {
    /// The kind-specific keys that are set, with their positions.
    pub fn kind_specific_keys(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        set_keys!(
            self,
            dir,
            bucket,
            prefix,
            region,
            endpoint,
            path_style,
            access_key_id,
            secret_access_key
        )
    }
}

impl RawNotifier {
    /// The kind-specific keys that are set, with their positions.
    pub fn kind_specific_keys(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        set_keys!(
            self,
            url,
            url_env,
            headers,
            ca_file,
            host,
            port,
            tls,
            username,
            password,
            password_env,
            from,
            to
        )
    }
}

impl RawCheck {
    /// The kind-specific keys that are set, with their positions.
    pub fn kind_specific_keys(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        set_keys!(
            self,
            url,
            method,
            headers,
            expected_status,
            must_contain,
            must_not_contain,
            max_body_bytes,
            body,
            follow_redirects,
            json_conditions,
            header_conditions,
            body_regex,
            tls_verify,
            ca_file,
            address,
            tls,
            server_name,
            cert_expiry_threshold,
            query,
            record_type,
            server,
            expected_rcode,
            answers_contain,
            answers_equal,
            command,
            args,
            on_failure,
            output_contains,
            output_not_contains,
            output_regex
        )
    }
}
