//! A real HTTP server on loopback for checks to hit, each request answered on
//! its own thread so a slow answer never holds up another.
//!
//! Routes: `/ok` (200 "all good"), `/status/<code>`, `/slow/<ms>` (waits, then
//! 200), `/big/<bytes>` (a body of that many 'x'), `/method` (echoes the
//! method), `/header/<name>` (echoes that request header), `/echo` (echoes
//! the request body), `/json` (a JSON document), `/redirect/<n>` (n redirects,
//! then 200), `/loop` (redirects to itself forever).

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub struct TestServer {
    server: Arc<tiny_http::Server>,
    pub port: u16,
    hits: Arc<AtomicUsize>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let server = Arc::new(
            tiny_http::Server::http("127.0.0.1:0").expect("cannot start the test HTTP server"),
        );
        let port = server.server_addr().to_ip().expect("IP listener").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let (srv, counter) = (Arc::clone(&server), Arc::clone(&hits));
        std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                counter.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || respond(request));
            }
        });
        TestServer { server, port, hits }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// How many requests have arrived so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

fn respond(mut request: tiny_http::Request) {
    let path = request.url().to_string();
    let parts: Vec<&str> = path.trim_start_matches('/').splitn(2, '/').collect();
    let text =
        |code: u16, body: String| tiny_http::Response::from_string(body).with_status_code(code);
    let _ = match parts.as_slice() {
        ["ok"] => request.respond(text(200, "all good".into())),
        ["status", code] => {
            request.respond(text(code.parse().unwrap_or(400), format!("status {code}")))
        }
        ["slow", ms] => {
            std::thread::sleep(Duration::from_millis(ms.parse().unwrap_or(0)));
            request.respond(text(200, "slow but fine".into()))
        }
        ["big", bytes] => {
            let n: usize = bytes.parse().unwrap_or(0);
            let body = std::io::repeat(b'x').take(n as u64);
            request.respond(tiny_http::Response::new(
                200.into(),
                vec![],
                body,
                Some(n),
                None,
            ))
        }
        ["echo"] => {
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            request.respond(text(200, body))
        }
        ["json"] => {
            let body = r#"{"status":"UP","data":[{"state":"ok","count":7}],"version":"2.1"}"#;
            let header = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
            request.respond(text(200, body.into()).with_header(header))
        }
        ["redirect", n] => {
            let n: u32 = n.parse().unwrap_or(0);
            if n == 0 {
                request.respond(text(200, "arrived".into()))
            } else {
                let to = tiny_http::Header::from_bytes("Location", format!("/redirect/{}", n - 1))
                    .unwrap();
                request.respond(text(302, "moved".into()).with_header(to))
            }
        }
        ["loop"] => {
            let to = tiny_http::Header::from_bytes("Location", "/loop").unwrap();
            request.respond(text(302, "again".into()).with_header(to))
        }
        ["method"] => {
            let m = request.method().to_string();
            request.respond(text(200, m))
        }
        ["header", name] => {
            let value = request
                .headers()
                .iter()
                .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            request.respond(text(200, value))
        }
        _ => request.respond(text(404, "no such route".into())),
    };
}

/// One request a [`Recorder`] received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When it arrived.
    pub received: std::time::Instant,
}

impl Recorded {
    /// The body as JSON (panics if it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("request body is not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP server that records every request and answers each with the
/// status the test sets (200 by default): a webhook receiver to assert on, or
/// an endpoint a check can be pointed at and flipped between up and down.
pub struct Recorder {
    server: Arc<tiny_http::Server>,
    pub port: u16,
    requests: Arc<std::sync::Mutex<Vec<Recorded>>>,
    status: Arc<std::sync::atomic::AtomicU16>,
    /// Answers for the next requests, before `status` applies again.
    next: Arc<std::sync::Mutex<std::collections::VecDeque<Reply>>>,
}

/// One queued answer: a status, extra headers and a body ("answered <code>"
/// when `None`).
#[derive(Debug, Clone)]
struct Reply {
    code: u16,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

impl Recorder {
    pub fn start() -> Recorder {
        let server = Arc::new(
            tiny_http::Server::http("127.0.0.1:0").expect("cannot start the recording server"),
        );
        let port = server.server_addr().to_ip().expect("IP listener").port();
        let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
        let status = Arc::new(std::sync::atomic::AtomicU16::new(200));
        let next = Arc::new(std::sync::Mutex::new(
            std::collections::VecDeque::<Reply>::new(),
        ));
        let (srv, log, code, queued) = (
            Arc::clone(&server),
            Arc::clone(&requests),
            Arc::clone(&status),
            Arc::clone(&next),
        );
        std::thread::spawn(move || {
            for mut request in srv.incoming_requests() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                log.lock().unwrap().push(Recorded {
                    method: request.method().to_string(),
                    path: request.url().to_string(),
                    headers: request
                        .headers()
                        .iter()
                        .map(|h| (h.field.to_string(), h.value.to_string()))
                        .collect(),
                    body,
                    received: std::time::Instant::now(),
                });
                let reply = queued.lock().unwrap().pop_front().unwrap_or_else(|| Reply {
                    code: code.load(Ordering::SeqCst),
                    headers: Vec::new(),
                    body: None,
                });
                let text = reply
                    .body
                    .unwrap_or_else(|| format!("answered {}", reply.code));
                let mut response =
                    tiny_http::Response::from_string(text).with_status_code(reply.code);
                for (name, value) in reply.headers {
                    response = response.with_header(
                        tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                            .expect("a valid header"),
                    );
                }
                let _ = request.respond(response);
            }
        });
        Recorder {
            server,
            port,
            requests,
            status,
            next,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// Answer every request from now on with this status.
    pub fn set_status(&self, code: u16) {
        self.status.store(code, Ordering::SeqCst);
    }

    /// Answer only the next `n` requests with `code`, then as before: a blip
    /// of exactly `n` rounds for a check with one attempt per round.
    pub fn answer_next(&self, n: usize, code: u16) {
        let reply = Reply {
            code,
            headers: Vec::new(),
            body: None,
        };
        self.next
            .lock()
            .unwrap()
            .extend(std::iter::repeat_n(reply, n));
    }

    /// Answer the next request with `code`, these headers (a 429 with
    /// `Retry-After`) and `body` (a service's error document), then as before.
    pub fn reply_next(&self, code: u16, headers: &[(&str, &str)], body: Option<&str>) {
        self.next.lock().unwrap().push_back(Reply {
            code,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.map(str::to_string),
        });
    }

    /// Everything received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests have arrived; returns them all.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<Recorded> {
        let deadline = std::time::Instant::now() + within;
        loop {
            let got = self.requests();
            if got.len() >= n {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} requests within {within:?}, got {}: {got:#?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
