//! The optional HTTP listener (`listen = "127.0.0.1:8787"`): `GET /metrics`
//! for Prometheus, and heartbeat pings from hosts without the checker, as
//! healthchecks.io-style URLs, GET or POST, `/ping/<token>`,
//! `/ping/<token>/start`, `/ping/<token>/fail` and
//! `/ping/<token>/<exit-code>`. Each ping becomes the same object
//! `checker ping` writes (spooled if storage fails). Plain HTTP/1.1, one
//! request per connection; put Caddy in front for TLS.
//!
//! Hostile clients are bounded: at most [`MAX_CONNECTIONS`] at once (more
//! wait in the kernel's backlog), [`REQUEST_DEADLINE`] to send a whole
//! request, a head of at most [`MAX_HEAD_BYTES`] and a body of at most
//! [`MAX_MESSAGE_BYTES`]; every refusal is answered with its status.
//! Tokens are compared in constant time, and an unknown one gets the same
//! 404 as a wrong path.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::heartbeat::spool::PingSpool;
use crate::heartbeat::{MAX_MESSAGE_BYTES, Ping, PingKind};
use crate::storage::Storage;

pub const MAX_CONNECTIONS: usize = 256;
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
pub const MAX_HEAD_BYTES: usize = 8 * 1024;
/// The format prometheus-client writes, which Prometheus scrapes.
const METRICS_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A heartbeat check the listener takes pings for.
pub struct Route {
    pub token: String,
    pub slug: String,
}

/// What the listener needs, shared by its connections.
pub struct Listener {
    routes: Vec<Route>,
    storage: Arc<dyn Storage>,
    spool: PingSpool,
    /// The last ping time handed out: each ping gets a later one, so two
    /// pings from one address can never share a key.
    last_at: Mutex<i64>,
}

impl Listener {
    pub fn new(routes: Vec<Route>, storage: Arc<dyn Storage>, spool: PingSpool) -> Listener {
        Listener {
            routes,
            storage,
            spool,
            last_at: Mutex::new(0),
        }
    }

    /// Accepts connections until the task is dropped.
    pub async fn serve(self: Arc<Self>, socket: TcpListener) {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            let slot = Arc::clone(&slots)
                .acquire_owned()
                .await
                .expect("never closed");
            let (stream, peer) = match socket.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "ping listener: cannot accept");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let this = Arc::clone(&self);
            tokio::spawn(async move {
                this.answer(stream, peer).await;
                drop(slot);
            });
        }
    }

    async fn answer(&self, mut stream: TcpStream, peer: SocketAddr) {
        let mut content_type = "text/plain; charset=utf-8";
        let (status, body) =
            match tokio::time::timeout(REQUEST_DEADLINE, read_request(&mut stream)).await {
                Err(_) => (408, "request not received in time\n".into()),
                Ok(Err((status, why))) => (status, why.into()),
                Ok(Ok(request)) if request.path == "/metrics" => match crate::metrics::get() {
                    Some(metrics) => {
                        content_type = METRICS_TYPE;
                        (200, metrics.encode())
                    }
                    None => (404, "not found\n".into()),
                },
                Ok(Ok(request)) => {
                    let (status, text) = self.take(request, peer).await;
                    (status, String::from(text))
                }
            };
        let reason = match status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            408 => "Request Timeout",
            411 => "Length Required",
            413 => "Content Too Large",
            431 => "Request Header Fields Too Large",
            _ => "Service Unavailable",
        };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        })
        .await;
    }

    /// Records the ping a request makes, if it names a heartbeat.
    async fn take(&self, request: Request, peer: SocketAddr) -> (u16, &'static str) {
        let Some(rest) = request.path.strip_prefix("/ping/") else {
            return (404, "not found\n");
        };
        let (token, action) = rest.split_once('/').unwrap_or((rest, ""));
        // Every route is compared, so the time taken says nothing of which
        // tokens exist or how much of one matched.
        let mut found = None;
        for route in &self.routes {
            if constant_time_eq(route.token.as_bytes(), token.as_bytes()) {
                found = Some(route);
            }
        }
        let Some(route) = found else {
            return (404, "not found\n");
        };
        let (kind, exit_code) = match action {
            "" => (PingKind::Success, None),
            "start" => (PingKind::Start, None),
            "fail" => (PingKind::Fail, None),
            code => match code.parse::<u8>() {
                Ok(0) => (PingKind::Success, Some(0)),
                Ok(code) => (PingKind::Fail, Some(code as i32)),
                Err(_) => return (404, "not found\n"),
            },
        };
        let mut ping = Ping::now(kind);
        ping.exit_code = exit_code;
        ping.message = String::from_utf8_lossy(&request.body).into_owned();
        ping.host = crate::heartbeat::key_safe(&peer.ip().to_string());
        {
            let mut last = self.last_at.lock().expect("ping clock");
            ping.at = ping.at.max(*last + 1);
            *last = ping.at;
        }
        let key = ping.key(&route.slug);
        let bytes = serde_json::to_vec(&ping).expect("a ping serializes");
        match self
            .storage
            .put(&key, bytes.clone(), "application/json")
            .await
        {
            Ok(_) => (200, "OK\n"),
            Err(e) => match self.spool.push(&key, &bytes) {
                Ok(waiting) => {
                    tracing::warn!(error = %e, waiting, "storage failed; ping spooled");
                    (200, "OK (spooled)\n")
                }
                Err(spool_error) => {
                    tracing::error!(error = %e, spool_error = %spool_error, "ping lost: storage and spool failed");
                    (503, "cannot record the ping now\n")
                }
            },
        }
    }
}

struct Request {
    path: String,
    body: Vec<u8>,
}

/// Reads one request: its head, then a body of the announced length.
async fn read_request(stream: &mut TcpStream) -> Result<Request, (u16, &'static str)> {
    let mut buf = Vec::with_capacity(1024);
    let head_end = loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            break at;
        }
        if buf.len() > MAX_HEAD_BYTES {
            return Err((431, "request head too large\n"));
        }
        let mut chunk = [0u8; 2048];
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| (400, "bad request\n"))?;
        if n == 0 {
            return Err((400, "incomplete request\n"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| (400, "bad request\n"))?;
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (method, target) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v)) if v.starts_with("HTTP/1.") => (m, t),
        _ => return Err((400, "bad request line\n")),
    };
    if !matches!(method, "GET" | "POST" | "HEAD") {
        return Err((405, "GET or POST\n"));
    }
    let mut length = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err((400, "bad header\n"));
        };
        if name.eq_ignore_ascii_case("content-length") {
            length = value
                .trim()
                .parse()
                .map_err(|_| (400, "bad Content-Length\n"))?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err((411, "send a Content-Length\n"));
        }
    }
    if length > MAX_MESSAGE_BYTES {
        return Err((413, "body over 10 KB\n"));
    }
    let mut body = buf[head_end + 4..].to_vec();
    body.truncate(length);
    while body.len() < length {
        let mut chunk = vec![0u8; length - body.len()];
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| (400, "bad request\n"))?;
        if n == 0 {
            return Err((400, "incomplete body\n"));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let path = target.split('?').next().unwrap_or("").to_string();
    Ok(Request { path, body })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Equal, in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut differ = (a.len() != b.len()) as u8;
    for i in 0..a.len().max(b.len()) {
        differ |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    differ == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn tokens_match_only_exactly() {
        assert!(constant_time_eq(b"secret-token-123", b"secret-token-123"));
        assert!(!constant_time_eq(b"secret-token-123", b"secret-token-124"));
        assert!(!constant_time_eq(b"secret-token-123", b"secret-token-12"));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
