//! A WebSocket server on loopback, plain or TLS, that behaves as a test
//! asks: echoes with a prefix, greets on connect, or says nothing.

use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::Message;

use crate::tls_server::{Leaf, acceptor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers each text message with "pong: <message>".
    Echo,
    /// Sends "hello from the server" as soon as the socket opens.
    Greets,
    /// Accepts the socket and never sends anything.
    Silent,
}

/// Starts a server; returns its port. With `leaf`, it speaks wss.
pub async fn start(behaviour: Behaviour, leaf: Option<&Leaf>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls = leaf.map(acceptor);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    None => serve(stream, behaviour).await,
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            serve(stream, behaviour).await;
                        }
                    }
                }
            });
        }
    });
    port
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, behaviour: Behaviour) {
    let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    if behaviour == Behaviour::Greets {
        let _ = socket.send(Message::text("hello from the server")).await;
    }
    while let Some(Ok(message)) = socket.next().await {
        if let (Behaviour::Echo, Message::Text(text)) = (behaviour, &message) {
            let _ = socket.send(Message::text(format!("pong: {text}"))).await;
        }
    }
}
