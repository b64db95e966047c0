//! The state vocabulary the page and badges share: what one location saw of
//! a check, how locations decide a check's state together, and the banner's
//! overall verdict. Plain functions, tested natively.

use crate::status::Status;

/// What one location (node) last saw of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub node: String,
    pub status: Status,
    pub timestamp: i64,
    /// Median RTT, nanoseconds.
    pub median: i64,
    /// Why it is degraded or down there.
    pub notice: String,
}

/// Down only if every location sees it down; a problem somewhere is degraded.
pub fn status_over_locations(locations: &[Location]) -> Status {
    let down = locations
        .iter()
        .filter(|l| l.status == Status::Down)
        .count();
    if !locations.is_empty() && down == locations.len() {
        Status::Down
    } else if locations.iter().any(|l| l.status != Status::Healthy) {
        Status::Degraded
    } else {
        Status::Healthy
    }
}

/// The banner's verdict over all checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overall {
    NoData,
    Operational,
    Degraded,
    PartialOutage,
    MajorOutage,
    /// Some checks are in a maintenance window; none is down outside one.
    Maintenance,
}

impl Overall {
    pub fn headline(self) -> &'static str {
        match self {
            Overall::NoData => "No results yet",
            Overall::Operational => "All systems operational",
            Overall::Degraded => "Degraded performance",
            Overall::PartialOutage => "Partial outage",
            Overall::MajorOutage => "Major outage",
            Overall::Maintenance => "Under maintenance",
        }
    }

    /// Lower-case key for CSS classes and tests.
    pub fn key(self) -> &'static str {
        match self {
            Overall::NoData => "nodata",
            Overall::Operational => "operational",
            Overall::Degraded => "degraded",
            Overall::PartialOutage => "partial",
            Overall::MajorOutage => "major",
            Overall::Maintenance => "maintenance",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(node: &str, status: Status) -> Location {
        Location {
            node: node.into(),
            status,
            timestamp: 1,
            median: 1,
            notice: String::new(),
        }
    }

    #[test]
    fn locations_decide_together() {
        use Status::*;
        let state = |l: &[Location]| status_over_locations(l);
        assert_eq!(state(&[at("fra", Healthy), at("nyc", Healthy)]), Healthy);
        assert_eq!(
            state(&[at("fra", Healthy), at("nyc", Healthy), at("sgp", Down)]),
            Degraded,
            "one location of three sees it down"
        );
        assert_eq!(state(&[at("fra", Healthy), at("nyc", Degraded)]), Degraded);
        assert_eq!(state(&[at("fra", Down), at("nyc", Down)]), Down);
        assert_eq!(state(&[]), Healthy);
    }
}
