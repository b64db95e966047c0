//! The storage contract: the files the checker writes and the page reads.
//! Result files keep checkup's JSON so its history loads unchanged.

pub mod announced;
pub mod file_name;
pub mod incident;
pub mod incident_text;
pub mod index;
pub mod latest;
#[cfg(not(target_arch = "wasm32"))]
pub mod month_tally;
pub mod node_view;
pub mod page_config;
pub mod report;
pub mod result;
pub mod rtt_stats;
pub mod runs;
pub mod slug;
pub mod status;
pub mod view_summary;
pub mod view_tail;
