//! Nodes agreeing through storage, lock-free and leaderless: after each
//! round a node publishes what it saw (`latest/<node>.json`) and reads what
//! the others saw (`peers.rs`), so alerts follow the model's merge rule over
//! all fresh locations; an alert is sent by whichever node first claims it
//! (`claims.rs`). No node talks to another, and none is special.

pub mod claims;
pub mod peers;

pub use claims::{Claims, Decision};
pub use peers::{Peers, Seen};
