//! Nodes agreeing through storage, lock-free and leaderless: after each
//! round a node publishes what it saw (`latest/<node>.json`) and reads what
//! the others saw (`peers.rs`), so alerts follow the model's merge rule over
//! all fresh locations (and `notify::claims` makes one node send each
//! alert). No node talks to another, and none is special.

pub mod peers;

pub use peers::{Peers, Seen};
