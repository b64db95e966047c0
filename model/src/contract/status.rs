//! The three states of a check, ordered so that "worse" compares greater.

use serde::{Deserialize, Serialize};

/// The conclusion about one check. Exactly one state holds by construction;
/// checkup's three boolean flags exist only at the JSON edge (see `result.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Healthy,
    Degraded,
    Down,
}

impl Status {
    /// The worse of two states: down over degraded over healthy.
    pub fn worst(self, other: Status) -> Status {
        self.max(other)
    }

    /// Lower-case word used in CLI output, CSS classes and data attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Degraded => "degraded",
            Status::Down => "down",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_is_worse_than_degraded_is_worse_than_healthy() {
        assert_eq!(Status::Healthy.worst(Status::Degraded), Status::Degraded);
        assert_eq!(Status::Down.worst(Status::Degraded), Status::Down);
        assert_eq!(Status::Healthy.worst(Status::Healthy), Status::Healthy);
        let mut all = vec![Status::Down, Status::Healthy, Status::Degraded];
        all.sort();
        assert_eq!(all, [Status::Healthy, Status::Degraded, Status::Down]);
    }
}
