//! The page's views, one file each. They render what they are given and
//! fetch nothing; all text goes in as text nodes, never as HTML.

mod banner;
mod chart;
mod check_list;
mod problem;

pub use banner::Banner;
pub use check_list::CheckList;
pub use problem::Problem;

use checkup_model::Status;

/// A symbol for each state, so colour is never the only signal.
pub fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Healthy => "✓",
        Status::Degraded => "!",
        Status::Down => "✕",
    }
}

/// The state as a word for people.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Healthy => "Operational",
        Status::Degraded => "Degraded",
        Status::Down => "Down",
    }
}
