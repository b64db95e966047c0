//! An HTTP server on loopback answering fixed documents by path (an RDAP
//! registry, a bootstrap file), counting what was asked for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One fixed answer.
#[derive(Debug, Clone)]
pub struct Document {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

pub struct StaticServer {
    server: Arc<tiny_http::Server>,
    pub port: u16,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl StaticServer {
    /// Serves `documents` by path; any other path is a 404.
    pub fn start(documents: Vec<(String, Document)>) -> StaticServer {
        let server = Arc::new(
            tiny_http::Server::http("127.0.0.1:0").expect("cannot start the static server"),
        );
        let port = server.server_addr().to_ip().expect("IP listener").port();
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let documents: HashMap<String, Document> = documents.into_iter().collect();
        let (srv, counts) = (Arc::clone(&server), Arc::clone(&hits));
        std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                let path = request.url().to_string();
                *counts.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
                let response = match documents.get(&path) {
                    Some(doc) => tiny_http::Response::from_string(doc.body.clone())
                        .with_status_code(doc.status)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", doc.content_type)
                                .expect("a valid header"),
                        ),
                    None => tiny_http::Response::from_string("not found").with_status_code(404),
                };
                let _ = request.respond(response);
            }
        });
        StaticServer { server, port, hits }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// How often `path` was asked for.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
