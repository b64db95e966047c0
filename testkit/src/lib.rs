//! Test servers on loopback (HTTP, TLS, DNS, WebSocket, fixed documents) and child-process helpers, for
//! the checker's own unit tests and for the whole-system tests in `tests/`.
//! It depends on no crate of this workspace, so `checker` can use it as a
//! dev-dependency without a cycle.

pub mod dns_server;
pub mod process;
pub mod static_server;
pub mod test_server;
pub mod tls_server;
pub mod ws_server;
