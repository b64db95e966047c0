//! The checker as a library: everything the `checker` binary runs, and what
//! the fuzz targets and tests reach (the config parser above all).
//! Data flows config -> checks -> round -> storage (spooled if it fails).

pub mod atomic_file;
pub mod checks;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod derived;
pub mod heartbeat;
pub mod incidents;
pub mod listener;
pub mod maintenance;
pub mod messages;
pub mod metrics;
pub mod notify;
pub mod options;
pub mod provision;
pub mod published;
pub mod report;
pub mod round;
pub mod sample;
pub mod spool;
pub mod storage;
pub mod systemd;
