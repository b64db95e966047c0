//! Servers that misbehave on purpose, on loopback: one that accepts and never
//! says a word, one that trickles its headers a line at a time, one that
//! sends headers and then trickles an endless body.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// What the server does with each connection.
#[derive(Clone, Copy)]
pub enum Behaviour {
    /// Accepts, reads nothing, answers nothing, keeps the connection open.
    Silent,
    /// A status line, then a header line every 100 ms, forever.
    TrickleHeaders,
    /// Headers promising a 1 GB body, then one byte every 100 ms.
    TrickleBody,
}

/// Starts a misbehaving server; returns its port. Runs until the test ends.
pub fn start(behaviour: Behaviour) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream, behaviour));
        }
    });
    port
}

fn serve(mut stream: TcpStream, behaviour: Behaviour) {
    let tick = Duration::from_millis(100);
    match behaviour {
        Behaviour::Silent => {
            // Hold the connection until the client gives up.
            let mut buf = [0u8; 1];
            stream.set_read_timeout(Some(Duration::from_secs(120))).ok();
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    return;
                }
            }
        }
        Behaviour::TrickleHeaders => {
            let _ = stream.read(&mut [0u8; 4096]);
            if stream.write_all(b"HTTP/1.1 200 OK\r\n").is_err() {
                return;
            }
            for i in 0.. {
                std::thread::sleep(tick);
                if stream
                    .write_all(format!("X-Slow-{i}: y\r\n").as_bytes())
                    .is_err()
                {
                    return;
                }
            }
        }
        Behaviour::TrickleBody => {
            let _ = stream.read(&mut [0u8; 4096]);
            if stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000000000\r\n\r\n")
                .is_err()
            {
                return;
            }
            loop {
                std::thread::sleep(tick);
                if stream.write_all(b"x").is_err() {
                    return;
                }
            }
        }
    }
}
