//! checkup.json files in checkup's own format load, translate and run.

use std::path::Path;

use checkup_model::Status;
use testkit::dns_server;
use testkit::test_server::TestServer;
use testkit::tls_server::{TestCa, serve};

use super::from_str;
use crate::round::run_round;

#[tokio::test(flavor = "multi_thread")]
async fn a_checkup_json_with_every_checker_type_runs() {
    let web = TestServer::start();
    let dns = dns_server::start(&[("web.test.", "A", "192.0.2.1")]).await;
    let ca = TestCa::new();
    let tls_port = serve(&ca.leaf(&["localhost"], 5)).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, &ca.pem).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    // As checkup's README writes it: durations in nanoseconds, headers as lists.
    let json = format!(
        r#"{{
  "checkers": [
    {{"type": "http", "endpoint_name": "Web", "endpoint_url": "{ok}", "attempts": 2,
      "threshold_rtt": 2000000000, "must_contain": "good", "headers": {{"X-Probe": ["a", "b"]}}}},
    {{"type": "http", "endpoint_name": "Moved", "endpoint_url": "{moved}"}},
    {{"type": "http", "endpoint_name": "Moved on purpose", "endpoint_url": "{moved}", "up_status": 302}},
    {{"type": "tcp", "endpoint_name": "Port", "endpoint_url": "127.0.0.1:{tcp}", "timeout": 500000000}},
    {{"type": "dns", "endpoint_name": "Name", "endpoint_url": "{dns}", "hostname_fqdn": "web.test."}},
    {{"type": "tls", "endpoint_name": "Cert", "endpoint_url": "localhost:{tls}",
      "trusted_roots": ["{ca}"], "cert_expiry_threshold": 604800000000000}},
    {{"type": "exec", "name": "Script", "command": "sh", "arguments": ["-c", "echo ok; exit 3"], "raise": "warn"}}
  ],
  "storage": {{"type": "fs", "dir": "results", "url": "http://example.com/", "check_expiry": 86400000000000}},
  "concurrent_checks": 3
}}"#,
        ok = web.url("/ok"),
        moved = web.url("/redirect/1"),
        tcp = listener.local_addr().unwrap().port(),
        dns = dns.addr,
        tls = tls_port,
        ca = ca_path.display(),
    );
    let path = dir.path().join("checkup.json");
    let cfg = from_str(&json, &path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.concurrency, 3);
    assert_eq!(
        cfg.storage.check_expiry,
        Some(std::time::Duration::from_secs(86400))
    );
    assert_eq!(
        cfg.storage.describe(),
        format!("local directory {}", dir.path().join("results").display())
    );
    let round = run_round(&cfg.checks, cfg.concurrency, "n").await;
    let got: Vec<(&str, Status, &str)> = round
        .results
        .iter()
        .map(|r| (r.title.as_str(), r.status, r.notice.as_str()))
        .collect();
    assert_eq!(got[0], ("Web", Status::Healthy, ""));
    assert_eq!(round.results[0].times.len(), 2);
    assert_eq!(
        got[1],
        ("Moved", Status::Down, "status 302 Found, expected 200-204"),
        "checkup does not follow redirects"
    );
    assert_eq!(got[2], ("Moved on purpose", Status::Healthy, ""));
    assert_eq!(got[3], ("Port", Status::Healthy, ""));
    assert_eq!(got[4], ("Name", Status::Healthy, ""));
    assert_eq!((got[5].0, got[5].1), ("Cert", Status::Degraded));
    assert!(
        got[5].2.starts_with("the certificate expires in 5 days"),
        "{}",
        got[5].2
    );
    assert_eq!(
        got[6],
        ("Script", Status::Degraded, "exited with status 3: ok")
    );
}

fn error_of(text: &str) -> String {
    match from_str(text, Path::new("/etc/checkup.json")) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn checkup_json_mistakes_name_the_key_and_line() {
    let e = error_of(
        "{\n  \"checkers\": [\n    {\"type\": \"http\", \"endpoint_name\": \"x\", \"endpoint_url\": \"http://x/\", \"up_staus\": 200}\n  ]\n}",
    );
    assert!(e.starts_with("/etc/checkup.json:3:"), "{e}");
    assert!(
        e.contains("checkers[0]") && e.contains("unknown field `up_staus`"),
        "{e}"
    );
    let e = error_of("{\"checkers\": [{\"type\": \"ping\", \"endpoint_name\": \"x\"}]}");
    assert!(e.contains("unknown variant `ping`"), "{e}");
    let e = error_of(
        "{\"checkers\": [{\"type\": \"http\", \"endpoint_name\": \"x\", \"endpoint_url\": \"nope\"}]}",
    );
    assert!(
        e.contains("checkers[0].url: \"nope\" is not a valid URL"),
        "{e}"
    );
    let e = error_of("{\"storage\": {\"type\": \"github\"}, \"checkers\": []}");
    assert!(
        e.contains("storage") && e.contains("unknown variant `github`"),
        "{e}"
    );
}
