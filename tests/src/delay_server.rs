//! An HTTP server on loopback that answers `/delay/<ms>[/<anything>]` after
//! that many milliseconds, on one small async runtime, so a thousand slow
//! requests at once cost a thousand tasks rather than a thousand threads.
//! Benchmarks point many monitors at it; it counts the requests it answers.
//!
//! It speaks just enough HTTP/1.1 for monitors: GET and HEAD without request
//! bodies, a query string ignored (Vigil appends a cache buster), keep-alive
//! unless the client or `keep_alive: false` asks to close.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Request heads longer than this are refused: no monitor sends one.
const MAX_HEAD: usize = 16 * 1024;

pub struct DelayServer {
    pub port: u16,
    hits: Arc<AtomicU64>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl DelayServer {
    /// Listens on a free loopback port. With `keep_alive` false every answer
    /// says `Connection: close`, so a client must connect anew each time.
    pub fn start(keep_alive: bool) -> DelayServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            // Two cores here: the monitors under test need the rest of the time.
            .worker_threads(2)
            .thread_name("delay-server")
            .enable_all()
            .build()
            .expect("cannot start the delay server's runtime");
        let listener = runtime.block_on(async {
            let socket = TcpSocket::new_v4().expect("cannot open a socket");
            socket.set_reuseaddr(true).expect("SO_REUSEADDR");
            socket
                .bind("127.0.0.1:0".parse().expect("loopback address"))
                .expect("cannot bind a loopback port");
            // A thousand checks connect within a millisecond or two: a short
            // accept queue would turn that burst into SYN retries (1 s each).
            socket.listen(4096).expect("cannot listen")
        });
        let port = listener.local_addr().expect("bound address").port();
        let hits = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&hits);
        runtime.spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        tokio::spawn(serve(stream, Arc::clone(&counter), keep_alive));
                    }
                    // Out of file descriptors, most likely: wait for some to close.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        DelayServer {
            port,
            hits,
            runtime: Some(runtime),
        }
    }

    /// How many requests have been read so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for DelayServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The milliseconds a `/delay/<ms>[/...]` path asks for.
pub fn requested_delay(target: &str) -> Option<u64> {
    let path = target.split('?').next()?;
    let rest = path.strip_prefix("/delay/")?;
    rest.split('/').next()?.parse().ok()
}

async fn serve(mut stream: TcpStream, hits: Arc<AtomicU64>, keep_alive: bool) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if buf.len() > MAX_HEAD {
                return;
            }
            let mut chunk = [0u8; 2048];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        buf.drain(..head_end);
        hits.fetch_add(1, Ordering::SeqCst);

        let mut request_line = head.lines().next().unwrap_or("").split(' ');
        let method = request_line.next().unwrap_or("");
        let target = request_line.next().unwrap_or("");
        let version = request_line.next().unwrap_or("");
        let client_closes = version != "HTTP/1.1"
            || head
                .lines()
                .skip(1)
                .any(|l| l.eq_ignore_ascii_case("connection: close"));
        let close = !keep_alive || client_closes;

        let (status, body) = match requested_delay(target) {
            Some(ms) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                ("200 OK", "ok\n")
            }
            None => ("404 Not Found", "no such route\n"),
        };
        let mut response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
            body.len(),
            if close { "close" } else { "keep-alive" }
        );
        if method != "HEAD" {
            response.push_str(body);
        }
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
        if close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_come_from_the_path_not_the_query() {
        assert_eq!(requested_delay("/delay/250"), Some(250));
        assert_eq!(requested_delay("/delay/0/17?1764221000"), Some(0));
        assert_eq!(requested_delay("/delay/x"), None);
        assert_eq!(requested_delay("/ok"), None);
    }

    #[test]
    fn answers_after_the_delay_and_counts() {
        use std::io::{Read, Write};
        let server = DelayServer::start(false);
        let mut conn = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        let start = std::time::Instant::now();
        conn.write_all(b"GET /delay/50/1?cache=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        assert!(start.elapsed() >= Duration::from_millis(50));
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nok\n"), "{answer}");
        assert_eq!(server.hits(), 1);
    }
}
