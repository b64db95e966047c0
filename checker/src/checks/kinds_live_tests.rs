//! TCP, TLS, DNS, exec and ICMP checks, and HTTP's extra options, against
//! real servers and processes started here (ICMP: this machine's loopback): certificates made in the test (valid,
//! expiring in 3 days, expired, wrong name, untrusted), a DNS server on
//! loopback, and shell scripts.

use std::path::Path;
use std::time::{Duration, Instant};

use checkup_model::{CheckResult, Status};
use testkit::dns_server;
use testkit::test_server::TestServer;
use testkit::tls_server::{TestCa, serve};

use crate::config;
use crate::round::run_round;

async fn run_one(check_toml: &str) -> CheckResult {
    let text = format!("node = \"t\"\n[[checks]]\nname = \"c\"\n{check_toml}\n");
    let cfg = config::from_str(&text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"));
    run_round(&cfg.checks, 1, "t").await.results.remove(0)
}

fn assert_status(r: &CheckResult, status: Status, notice_part: &str) {
    assert_eq!(r.status, status, "{r:?}");
    assert!(
        r.notice.contains(notice_part),
        "notice {:?} lacks {notice_part:?}",
        r.notice
    );
}

fn ca_file(ca: &TestCa) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), &ca.pem).unwrap();
    f
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_connects_or_says_why_not() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let r = run_one(&format!("type = \"tcp\"\naddress = \"127.0.0.1:{port}\"")).await;
    assert_status(&r, Status::Healthy, "");
    assert_eq!(r.endpoint, format!("tcp://127.0.0.1:{port}"));
    drop(listener);
    let r = run_one(&format!("type = \"tcp\"\naddress = \"127.0.0.1:{port}\"")).await;
    assert_status(
        &r,
        Status::Down,
        &format!("cannot connect to 127.0.0.1:{port}: connection refused"),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_with_tls_verifies_unless_told_not_to() {
    let ca = TestCa::new();
    let port = serve(&ca.leaf(&["localhost"], 90)).await;
    let ca_path = ca_file(&ca);
    let trusted = format!(
        "type = \"tcp\"\naddress = \"localhost:{port}\"\ntls = true\nca_file = \"{}\"",
        ca_path.path().display()
    );
    assert_status(&run_one(&trusted).await, Status::Healthy, "");
    let untrusted = format!("type = \"tcp\"\naddress = \"localhost:{port}\"\ntls = true");
    assert_status(
        &run_one(&untrusted).await,
        Status::Down,
        "TLS handshake failed: invalid peer certificate",
    );
    let unverified =
        format!("type = \"tcp\"\naddress = \"localhost:{port}\"\ntls = true\ntls_verify = false");
    assert_status(&run_one(&unverified).await, Status::Healthy, "");
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_certificates_valid_expiring_expired_misnamed_and_untrusted() {
    let ca = TestCa::new();
    let ca_path = ca_file(&ca);
    let check = |port: u16, extra: &str| {
        format!(
            "type = \"tls\"\naddress = \"localhost:{port}\"\nca_file = \"{}\"\n{extra}",
            ca_path.path().display()
        )
    };
    let valid = serve(&ca.leaf(&["localhost"], 90)).await;
    assert_status(&run_one(&check(valid, "")).await, Status::Healthy, "");
    let soon = serve(&ca.leaf(&["localhost"], 3)).await;
    assert_status(
        &run_one(&check(soon, "")).await,
        Status::Degraded,
        "the certificate expires in 3 days",
    );
    assert_status(
        &run_one(&check(soon, "cert_expiry_threshold = \"2d\"")).await,
        Status::Healthy,
        "",
    );
    let expired = serve(&ca.leaf(&["localhost"], -2)).await;
    assert_status(
        &run_one(&check(expired, "")).await,
        Status::Down,
        "certificate not accepted: invalid peer certificate: certificate expired",
    );
    // Even without verification, an expired certificate is down.
    assert_status(
        &run_one(&check(expired, "tls_verify = false")).await,
        Status::Down,
        "the certificate expired 2 days ago",
    );
    let misnamed = serve(&ca.leaf(&["other.example"], 90)).await;
    assert_status(
        &run_one(&check(misnamed, "")).await,
        Status::Down,
        "certificate not valid for name \"localhost\"",
    );
    let other_ca = TestCa::new();
    let untrusted = serve(&other_ca.leaf(&["localhost"], 90)).await;
    assert_status(
        &run_one(&check(untrusted, "")).await,
        Status::Down,
        "invalid peer certificate: UnknownIssuer",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dns_answers_codes_and_timeouts() {
    let dns = dns_server::start(&[
        ("web.test.", "A", "192.0.2.10"),
        ("web.test.", "A", "192.0.2.11"),
        ("web.test.", "AAAA", "2001:db8::10"),
        ("test.", "MX", "10 mail.test."),
        ("test.", "TXT", "v=spf1 -all"),
        ("test.", "NS", "ns1.test."),
        ("www.test.", "CNAME", "web.test."),
    ])
    .await;
    let server = dns.addr;
    let q = |name: &str, extra: &str| {
        format!("type = \"dns\"\nquery = \"{name}\"\nserver = \"{server}\"\n{extra}")
    };
    let r = run_one(&q("web.test", "answers_contain = [\"192.0.2.11\"]")).await;
    assert_status(&r, Status::Healthy, "");
    assert_eq!(r.endpoint, format!("web.test A @{server}"));
    assert_status(
        &run_one(&q(
            "web.test",
            "answers_equal = [\"192.0.2.11\", \"192.0.2.10\"]",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&q("web.test", "answers_contain = [\"192.0.2.99\"]")).await,
        Status::Down,
        "answers [192.0.2.10, 192.0.2.11] do not include 192.0.2.99",
    );
    assert_status(
        &run_one(&q(
            "web.test",
            "record_type = \"AAAA\"\nanswers_equal = [\"2001:db8::10\"]",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&q(
            "test",
            "record_type = \"MX\"\nanswers_equal = [\"10 mail.test\"]",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&q(
            "test",
            "record_type = \"txt\"\nanswers_contain = [\"v=spf1 -all\"]",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&q(
            "test",
            "record_type = \"NS\"\nanswers_equal = [\"ns1.test\"]",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&q(
            "www.test",
            "record_type = \"CNAME\"\nanswers_equal = [\"web.test\"]",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&q("nope.test", "")).await,
        Status::Down,
        "nope.test does not exist (NXDOMAIN)",
    );
    assert_status(
        &run_one(&q("nope.test", "expected_rcode = \"NXDOMAIN\"")).await,
        Status::Healthy,
        "",
    );
    let started = Instant::now();
    let r = run_one(&q(
        dns_server::SILENT_NAME.trim_end_matches('.'),
        "timeout = \"300ms\"",
    ))
    .await;
    assert_status(&r, Status::Down, "timed out after 300ms");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_exit_codes_output_and_warning_mode() {
    assert_status(
        &run_one("type = \"exec\"\ncommand = \"true\"").await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one("type = \"exec\"\ncommand = \"false\"").await,
        Status::Down,
        "exited with status 1",
    );
    let disk = "type = \"exec\"\ncommand = \"sh\"\nargs = [\"-c\", \"echo checking; echo disk 91% full >&2; exit 2\"]";
    let r = run_one(disk).await;
    assert_status(&r, Status::Down, "exited with status 2: disk 91% full");
    assert_eq!(
        r.endpoint,
        "sh -c echo checking; echo disk 91% full >&2; exit 2"
    );
    assert_status(
        &run_one(&format!("{disk}\non_failure = \"degraded\"")).await,
        Status::Degraded,
        "exited with status 2: disk 91% full",
    );
    let says = "type = \"exec\"\ncommand = \"echo\"\nargs = [\"replication lag 3s\"]";
    assert_status(
        &run_one(&format!("{says}\noutput_contains = \"lag 3s\"")).await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&format!("{says}\noutput_regex = \"lag [0-9]+s\"")).await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&format!("{says}\noutput_contains = \"lag 0s\"")).await,
        Status::Down,
        "output does not contain \"lag 0s\"",
    );
    assert_status(
        &run_one("type = \"exec\"\ncommand = \"/no/such/program\"").await,
        Status::Down,
        "cannot run /no/such/program",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_is_killed_with_its_children_on_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let script = format!(
        "sleep 30 & echo $! > {p}; echo $$ >> {p}; wait",
        p = pids.display()
    );
    let started = Instant::now();
    let r = run_one(&format!(
        "type = \"exec\"\ncommand = \"sh\"\nargs = [\"-c\", \"{script}\"]\ntimeout = \"300ms\""
    ))
    .await;
    assert_status(&r, Status::Down, "timed out after 300ms");
    assert!(started.elapsed() < Duration::from_secs(5));
    // SIGKILL takes effect asynchronously: wait (boundedly) for both to go.
    for pid in std::fs::read_to_string(&pids).unwrap().split_whitespace() {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            // A zombie awaiting its reaper counts as gone.
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let alive = state.split_whitespace().nth(2).is_some_and(|s| s != "Z");
            if !alive {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "process {pid} outlived the timeout: {state}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn http_body_redirects_conditions_and_tls_options() {
    let s = TestServer::start();
    let http =
        |path: &str, extra: &str| format!("type = \"http\"\nurl = \"{}\"\n{extra}", s.url(path));
    assert_status(
        &run_one(&http(
            "/echo",
            "method = \"POST\"\nbody = \"ping=1\"\nmust_contain = \"ping=1\"",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&http("/redirect/3", "must_contain = \"arrived\"")).await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&http("/redirect/3", "follow_redirects = 2")).await,
        Status::Down,
        "too many redirects",
    );
    assert_status(
        &run_one(&http(
            "/redirect/1",
            "follow_redirects = 0\nexpected_status = 302",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&http("/loop", "")).await,
        Status::Down,
        "too many redirects",
    );
    let json = "json_conditions = [\"status == UP\", \"data.0.count > 3\", \"version != 1.0\"]";
    assert_status(&run_one(&http("/json", json)).await, Status::Healthy, "");
    assert_status(
        &run_one(&http("/json", "json_conditions = [\"data.0.count > 9\"]")).await,
        Status::Down,
        "condition `data.0.count > 9` failed: data.0.count is 7",
    );
    assert_status(
        &run_one(&http("/ok", "json_conditions = [\"status == UP\"]")).await,
        Status::Down,
        "response body is not JSON",
    );
    assert_status(
        &run_one(&http(
            "/json",
            "header_conditions = [\"Content-Type contains json\"]",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&http("/json", "header_conditions = [\"X-Missing == 1\"]")).await,
        Status::Down,
        "X-Missing is missing",
    );
    assert_status(
        &run_one(&http(
            "/json",
            "body_regex = \"\\\"version\\\":\\\"2\\\\.[0-9]+\\\"\"",
        ))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&http("/ok", "body_regex = \"^bad\"")).await,
        Status::Down,
        "does not match /^bad/",
    );

    let ca = TestCa::new();
    let port = serve(&ca.leaf(&["localhost"], 90)).await;
    let ca_path = ca_file(&ca);
    let https =
        |extra: &str| format!("type = \"http\"\nurl = \"https://localhost:{port}/\"\n{extra}");
    assert_status(
        &run_one(&https(&format!(
            "ca_file = \"{}\"\nmust_contain = \"secure ok\"",
            ca_path.path().display()
        )))
        .await,
        Status::Healthy,
        "",
    );
    assert_status(&run_one(&https("")).await, Status::Down, "");
    assert_status(
        &run_one(&https("tls_verify = false")).await,
        Status::Healthy,
        "",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn icmp_gets_echo_replies_over_ipv4_and_ipv6() {
    for host in ["127.0.0.1", "::1", "[::1]"] {
        let r = run_one(&format!("type = \"icmp\"\nhost = \"{host}\"\ncount = 5")).await;
        assert_status(&r, Status::Healthy, "");
        assert_eq!(r.endpoint, format!("icmp://{host}"));
        // The median echo round trip, not the 400 ms spent sending five.
        let rtt = Duration::from_nanos(r.times[0].rtt as u64);
        assert!(rtt < Duration::from_millis(50), "{host}: {rtt:?}");
    }
    let r = run_one("type = \"icmp\"\nhost = \"localhost\"\nip = \"v4\"").await;
    assert_status(&r, Status::Healthy, "");
    let bad = config::from_str(
        "node = \"t\"\n[[checks]]\nname = \"c\"\ntype = \"icmp\"\nhost = \"127.0.0.1\"\ncount = 30\ntimeout = \"2s\"\n",
        Path::new("test.toml"),
    )
    .err()
    .expect("30 echoes cannot fit in 2 s")
    .to_string();
    assert!(
        bad.contains("30 echo requests take 2s 900ms to send, longer than the timeout (2s)"),
        "{bad}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn websocket_connects_talks_and_says_what_went_wrong() {
    use testkit::ws_server::{Behaviour, start};
    let echo = start(Behaviour::Echo, None).await;
    let ws = |port: u16, extra: &str| {
        format!(
            "type = \"websocket\"\nurl = \"ws://127.0.0.1:{port}/socket\"\ntimeout = \"1s\"\n{extra}"
        )
    };
    assert_status(&run_one(&ws(echo, "")).await, Status::Healthy, "");
    assert_status(
        &run_one(&ws(echo, "send = \"ping\"\nexpect = \"pong: ping\"")).await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&ws(echo, "send = \"ping\"\nexpect = \"PONG\"")).await,
        Status::Down,
        "the first message \"pong: ping\" does not contain \"PONG\"",
    );
    let greets = start(Behaviour::Greets, None).await;
    assert_status(
        &run_one(&ws(greets, "expect = \"hello\"")).await,
        Status::Healthy,
        "",
    );
    let silent = start(Behaviour::Silent, None).await;
    assert_status(
        &run_one(&ws(silent, "expect = \"hello\"")).await,
        Status::Down,
        "timed out after 1s",
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    assert_status(
        &run_one(&ws(closed_port, "")).await,
        Status::Down,
        "connection refused",
    );
    // An HTTP server that does not upgrade.
    let http = TestServer::start();
    assert_status(
        &run_one(&ws(http.port, "")).await,
        Status::Down,
        "the server refused the WebSocket: HTTP 404",
    );

    let ca = TestCa::new();
    let leaf = ca.leaf(&["localhost"], 90);
    let secure = start(Behaviour::Echo, Some(&leaf)).await;
    let ca_path = ca_file(&ca);
    let wss = |extra: &str| {
        format!(
            "type = \"websocket\"\nurl = \"wss://localhost:{secure}/\"\ntimeout = \"2s\"\nsend = \"hi\"\nexpect = \"pong: hi\"\n{extra}"
        )
    };
    assert_status(
        &run_one(&wss(&format!("ca_file = \"{}\"", ca_path.path().display()))).await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&wss("")).await,
        Status::Down,
        "TLS handshake failed",
    );
}

/// An RDAP domain object as RFC 9083 documents it, expiring at `expires`.
fn rdap_domain(name: &str, expires: Option<jiff::Timestamp>) -> String {
    let mut events = vec![serde_json::json!({
        "eventAction": "registration", "eventDate": "2019-03-01T10:00:00Z"
    })];
    if let Some(at) = expires {
        events
            .push(serde_json::json!({ "eventAction": "expiration", "eventDate": at.to_string() }));
    }
    events.push(serde_json::json!({
        "eventAction": "last update of RDAP database", "eventDate": "2026-12-01T00:00:00Z"
    }));
    serde_json::json!({
        "objectClassName": "domain",
        "rdapConformance": ["rdap_level_0"],
        "handle": format!("{name}-TEST"),
        "ldhName": name,
        "status": ["active"],
        "events": events,
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn domain_expiry_comes_from_the_registry_rdap_record() {
    use testkit::static_server::{Document, StaticServer};
    let now = jiff::Timestamp::now();
    let day = jiff::SignedDuration::from_hours(24);
    let soon_at = now + day * 3 + jiff::SignedDuration::from_mins(5);
    let rdap = |body: String, status: u16| Document {
        status,
        content_type: "application/rdap+json",
        body,
    };
    let registry = StaticServer::start(vec![
        (
            "/rdap/domain/soon.test".into(),
            rdap(rdap_domain("soon.test", Some(soon_at)), 200),
        ),
        (
            "/rdap/domain/gone.test".into(),
            rdap(rdap_domain("gone.test", Some(now - day * 10)), 200),
        ),
        (
            "/rdap/domain/fine.test".into(),
            rdap(rdap_domain("fine.test", Some(now + day * 200)), 200),
        ),
        (
            "/rdap/domain/undated.test".into(),
            rdap(rdap_domain("undated.test", None), 200),
        ),
        (
            "/rdap/domain/unknown.test".into(),
            rdap(
                r#"{"rdapConformance":["rdap_level_0"],"errorCode":404,"title":"Not Found","description":["The domain is not registered."]}"#.into(),
                404,
            ),
        ),
    ]);
    // IANA's bootstrap file, as RFC 9224 shapes it, naming the registry for .test.
    let bootstrap = StaticServer::start(vec![(
        "/rdap/dns.json".into(),
        Document {
            status: 200,
            content_type: "application/json",
            body: serde_json::json!({
                "version": "1.0",
                "publication": "2026-12-01T00:00:00Z",
                "description": "RDAP bootstrap file for Domain Name System registrations",
                "services": [
                    [["example"], ["https://rdap.example/"]],
                    [["test"], [registry.url("/rdap/")]],
                ],
            })
            .to_string(),
        },
    )]);
    let check = |domain: &str| {
        format!(
            "type = \"domain\"\ndomain = \"{domain}\"\nbootstrap_url = \"{}\"",
            bootstrap.url("/rdap/dns.json")
        )
    };
    let soon = run_one(&check("soon.test")).await;
    let date = soon_at.strftime("%Y-%m-%d").to_string();
    assert_status(
        &soon,
        Status::Degraded,
        &format!("soon.test expires on {date}, in 3 days (RDAP: 127.0.0.1)"),
    );
    assert!(soon.times.is_empty() || soon.times[0].rtt == 0, "{soon:?}");
    assert_status(
        &run_one(&check("gone.test")).await,
        Status::Down,
        "gone.test expired on ",
    );
    assert_status(&run_one(&check("fine.test")).await, Status::Healthy, "");
    assert_status(
        &run_one(&check("unknown.test")).await,
        Status::Down,
        "127.0.0.1 has no record of unknown.test (RDAP 404): is it registered?",
    );
    assert_status(
        &run_one(&check("undated.test")).await,
        Status::Degraded,
        "publishes no expiration date for undated.test",
    );
    assert_status(
        &run_one(
            "type = \"domain\"\ndomain = \"nowhere.invalid\"\nbootstrap_url = \"BOOT\""
                .replace("BOOT", &bootstrap.url("/rdap/dns.json"))
                .as_str(),
        )
        .await,
        Status::Down,
        "IANA's RDAP bootstrap lists no server for .invalid; set rdap_server",
    );

    // Kept for a day: asking again reads neither the registry nor the bootstrap.
    assert_status(
        &run_one(&check("soon.test")).await,
        Status::Degraded,
        "in 3 days",
    );
    assert_eq!(registry.hits("/rdap/domain/soon.test"), 1);
    assert_eq!(bootstrap.hits("/rdap/dns.json"), 1);

    // rdap_server skips the bootstrap.
    let direct = run_one(&format!(
        "type = \"domain\"\ndomain = \"fine.test\"\nrdap_server = \"{}\"\nexpiry_threshold = \"365d\"",
        registry.url("/rdap")
    ))
    .await;
    assert_status(&direct, Status::Degraded, "fine.test expires on ");
}

/// A TLS stream tonic's server can take (it knows only plain TCP without
/// its own TLS feature, which the checker does not use).
struct TlsIo(tokio_rustls::server::TlsStream<tokio::net::TcpStream>);

impl tonic::transport::server::Connected for TlsIo {
    type ConnectInfo = ();
    fn connect_info(&self) {}
}

impl tokio::io::AsyncRead for TlsIo {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for TlsIo {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn grpc_health_follows_the_server_in_plaintext_and_tls() {
    use tonic_health::ServingStatus;
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", ServingStatus::Serving)
        .await;
    reporter
        .set_service_status("shop.Cart", ServingStatus::Serving)
        .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let plain = health.clone();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(plain)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let grpc = |extra: &str| {
        format!("type = \"grpc\"\naddress = \"127.0.0.1:{port}\"\ntimeout = \"2s\"\n{extra}")
    };
    let whole = run_one(&grpc("")).await;
    assert_status(&whole, Status::Healthy, "");
    assert_eq!(whole.endpoint, format!("grpc://127.0.0.1:{port}"));
    assert_status(
        &run_one(&grpc("service = \"shop.Cart\"")).await,
        Status::Healthy,
        "",
    );
    reporter
        .set_service_status("shop.Cart", ServingStatus::NotServing)
        .await;
    assert_status(
        &run_one(&grpc("service = \"shop.Cart\"")).await,
        Status::Down,
        "health status NOT_SERVING",
    );
    reporter
        .set_service_status("shop.Cart", ServingStatus::Serving)
        .await;
    assert_status(
        &run_one(&grpc("service = \"shop.Cart\"")).await,
        Status::Healthy,
        "",
    );
    assert_status(
        &run_one(&grpc("service = \"shop.Nothing\"")).await,
        Status::Down,
        "the server does not know service \"shop.Nothing\"",
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    assert_status(
        &run_one(&format!(
            "type = \"grpc\"\naddress = \"127.0.0.1:{closed_port}\""
        ))
        .await,
        Status::Down,
        "connection refused",
    );

    // The same service over TLS, with a certificate from a test CA.
    let ca = TestCa::new();
    let acceptor = testkit::tls_server::acceptor(&ca.leaf(&["localhost"], 90));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tls_port = listener.local_addr().unwrap().port();
    let incoming =
        futures::stream::unfold((listener, acceptor), |(listener, acceptor)| async move {
            loop {
                let (tcp, _) = listener.accept().await.ok()?;
                if let Ok(tls) = acceptor.accept(tcp).await {
                    return Some((Ok::<_, std::io::Error>(TlsIo(tls)), (listener, acceptor)));
                }
            }
        });
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(health)
            .serve_with_incoming(incoming),
    );
    let ca_path = ca_file(&ca);
    let secure = |extra: &str| {
        format!(
            "type = \"grpc\"\naddress = \"localhost:{tls_port}\"\ntls = true\ntimeout = \"2s\"\n{extra}"
        )
    };
    let r = run_one(&secure(&format!(
        "ca_file = \"{}\"",
        ca_path.path().display()
    )))
    .await;
    assert_status(&r, Status::Healthy, "");
    assert_eq!(r.endpoint, format!("grpcs://localhost:{tls_port}"));
    assert_status(
        &run_one(&secure("")).await,
        Status::Down,
        "TLS handshake failed: invalid peer certificate",
    );
    assert_status(
        &run_one(&secure("tls_verify = false\nservice = \"shop.Cart\"")).await,
        Status::Healthy,
        "",
    );
}
