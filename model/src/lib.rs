//! The data both halves agree on, grouped by who reads it:
//!
//! - [`contract`]: what the checker writes and the page reads (results, file
//!   names, history views, incidents, the page's `config.json`). Changing
//!   these changes the storage format.
//! - [`derive`]: the arithmetic over that data, shared so the page, badges
//!   and alerts reach the same verdict (how locations merge, uptimes, bars).
//! - [`drawing`]: how the page words and draws numbers (chart, durations).
//! - [`s3`]: what the page needs to read a bucket without an SDK.
//! - [`sorting`]: the one sort everything above uses.
//!
//! Serde only, so it builds for native and wasm32 alike.

pub mod contract;
pub mod derive;
pub mod drawing;
pub mod s3;
pub mod sorting;

pub use contract::file_name::{NameError, ResultFileName};
pub use contract::incident::{Incident, IncidentState, IncidentUpdate};
pub use contract::index::Index;
pub use contract::node_view::{NodeView, VIEW_VERSION};
pub use contract::page_config::{PageConfig, PageStorage};
pub use contract::result::{Attempt, CheckResult, ResultError, parse_round};
pub use contract::rtt_stats::Stats;
pub use contract::status::Status;
