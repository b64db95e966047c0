//! The data both halves agree on: checkup-compatible results, result file names,
//! the page's `config.json`, and the status arithmetic the page draws from them.
//!
//! Serde only, so it builds for native and wasm32 alike.

pub mod chart_svg;
pub mod format;
pub mod history;
pub mod incident;
pub mod index;
pub mod markdown;
pub mod naming;
pub mod overview;
pub mod page_config;
pub mod result;
pub mod s3;
pub mod sigv4;
pub mod sorting;
pub mod stats;
pub mod status;
pub mod summary;
pub mod xml;

pub use history::{NodeView, VIEW_VERSION};
pub use incident::{Incident, IncidentState, IncidentUpdate};
pub use index::Index;
pub use naming::{NameError, ResultFileName};
pub use page_config::{PageConfig, PageStorage};
pub use result::{Attempt, CheckResult, ResultError, parse_round};
pub use stats::Stats;
pub use status::Status;
