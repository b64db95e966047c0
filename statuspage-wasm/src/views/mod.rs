//! The page's views, one file each. They render what they are given and
//! fetch nothing; all text goes in as text nodes, never as HTML.

mod banner;
mod chart;
mod check_list;
mod day_bars;
mod header;
mod incidents;
mod lazy;
mod maintenance;
mod markdown;
mod problem;
mod window_picker;

pub use banner::{Banner, headline};
pub use check_list::CheckList;
pub use header::Header;
pub use incidents::{Incidents, Timeline};
pub use maintenance::ScheduledMaintenance;
pub use problem::Problem;
pub use window_picker::WindowPicker;

use checkup_model::Status;
use checkup_model::contract::incident::IncidentState;
use checkup_model::derive::overview::CheckOverview;

use crate::i18n::{Text, t};

/// A check's state as shown: its status, or maintenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Healthy,
    Degraded,
    Down,
    Maintenance,
}

impl Shown {
    pub fn of(check: &CheckOverview) -> Shown {
        if check.in_maintenance {
            Shown::Maintenance
        } else {
            Shown::status(check.status)
        }
    }

    pub fn status(status: Status) -> Shown {
        match status {
            Status::Healthy => Shown::Healthy,
            Status::Degraded => Shown::Degraded,
            Status::Down => Shown::Down,
        }
    }

    /// Lower-case key for CSS classes and tests.
    pub fn key(self) -> &'static str {
        match self {
            Shown::Healthy => "healthy",
            Shown::Degraded => "degraded",
            Shown::Down => "down",
            Shown::Maintenance => "maintenance",
        }
    }

    /// A symbol for each state, so colour is never the only signal.
    pub fn icon(self) -> &'static str {
        match self {
            Shown::Healthy => "✓",
            Shown::Degraded => "!",
            Shown::Down => "✕",
            Shown::Maintenance => "⚒",
        }
    }

    /// The state as a word for people.
    pub fn label(self) -> &'static str {
        t(match self {
            Shown::Healthy => Text::Operational,
            Shown::Degraded => Text::Degraded,
            Shown::Down => Text::Down,
            Shown::Maintenance => Text::Maintenance,
        })
    }
}

/// An incident's state as a word for people.
pub fn incident_state(state: IncidentState) -> &'static str {
    t(match state {
        IncidentState::Investigating => Text::Investigating,
        IncidentState::Identified => Text::Identified,
        IncidentState::Monitoring => Text::Monitoring,
        IncidentState::Resolved => Text::Resolved,
    })
}
