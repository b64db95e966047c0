//! The one merge rule: what one location saw of a check, which locations
//! still decide (fresh ones), how they decide a check's state together, how
//! many must agree before an alert (quorum), and the banner's overall
//! verdict. The page, the merged badges and alerting all call these, so they
//! cannot disagree. Plain functions, tested natively.

use crate::contract::status::Status;

/// How far nodes' clocks may differ. A location counts as fresh this much
/// longer than its staleness limit, so a node whose clock runs behind is
/// not dropped; claims use sequence numbers, never clocks, for identity.
pub const CLOCK_SKEW_SECS: i64 = 30;

const NANOS: i64 = 1_000_000_000;

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
    /// Whether the location still reports (see [`is_fresh`]); a stale one is
    /// listed but does not decide.
    pub fresh: bool,
}

impl Location {
    /// What this location reported, or `stale_notice` once it stopped
    /// reporting.
    pub fn notice_or<'a>(&'a self, stale_notice: &'a str) -> &'a str {
        if self.fresh {
            &self.notice
        } else {
            stale_notice
        }
    }
}

/// Whether a node last heard from at `updated` (Unix ns) still decides at
/// `now` (Unix ns): at most `stale_after_secs` old, give or take the clock
/// skew nodes are allowed.
pub fn is_fresh(updated: i64, now: i64, stale_after_secs: i64) -> bool {
    let limit = stale_after_secs.saturating_add(CLOCK_SKEW_SECS);
    now.saturating_sub(updated) <= limit.saturating_mul(NANOS)
}

/// With no interval known, a node is stale after this long.
pub const DEFAULT_STALE_SECS: i64 = 15 * 60;

/// When the nodes of `views` count as stale: three intervals of the
/// slowest node, or a default for views that do not say their interval.
pub fn stale_after_secs(views: &[crate::NodeView]) -> i64 {
    views
        .iter()
        .map(|v| v.interval_secs)
        .max()
        .filter(|&i| i > 0)
        .map(|i| i * 3)
        .unwrap_or(DEFAULT_STALE_SECS)
}

/// The locations that decide: the fresh ones, or all of them when none is
/// fresh (every node stopped: show the last word rather than nothing).
pub fn deciding(locations: &[Location]) -> Vec<&Location> {
    let fresh: Vec<&Location> = locations.iter().filter(|l| l.fresh).collect();
    if fresh.is_empty() {
        locations.iter().collect()
    } else {
        fresh
    }
}

/// Down only if every deciding location sees it down; a problem somewhere is
/// degraded.
pub fn status_over_locations(locations: &[Location]) -> Status {
    let deciding = deciding(locations);
    let down = deciding.iter().filter(|l| l.status == Status::Down).count();
    if !deciding.is_empty() && down == deciding.len() {
        Status::Down
    } else if deciding.iter().any(|l| l.status != Status::Healthy) {
        Status::Degraded
    } else {
        Status::Healthy
    }
}

/// How many fresh locations must see a check bad before an alert opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quorum {
    /// More than half of the fresh locations.
    Majority,
    /// Every fresh location.
    All,
    /// One is enough: each node alerts on what it sees (one message still).
    Any,
    /// At least this many (capped at the number of fresh locations, so a
    /// cluster that lost nodes can still alert).
    AtLeast(u32),
}

impl Quorum {
    /// Locations needed out of `fresh` fresh ones; at least one.
    pub fn needed(self, fresh: usize) -> usize {
        let needed = match self {
            Quorum::Majority => fresh / 2 + 1,
            Quorum::All => fresh,
            Quorum::Any => 1,
            Quorum::AtLeast(n) => (n as usize).min(fresh),
        };
        needed.max(1)
    }

    /// As written in config and in alert messages.
    pub fn describe(self) -> String {
        match self {
            Quorum::Majority => "majority".into(),
            Quorum::All => "all".into(),
            Quorum::Any => "any".into(),
            Quorum::AtLeast(n) => n.to_string(),
        }
    }
}

/// The state a quorum of the deciding locations agrees on: down when enough
/// see it down, degraded when enough see it degraded or down, else healthy.
/// With `quorum` [`Quorum::All`] this is [`status_over_locations`].
pub fn status_by_quorum(locations: &[Location], quorum: Quorum) -> Status {
    let deciding = deciding(locations);
    let needed = quorum.needed(deciding.len());
    let down = deciding.iter().filter(|l| l.status == Status::Down).count();
    let bad = deciding
        .iter()
        .filter(|l| l.status != Status::Healthy)
        .count();
    if down >= needed {
        Status::Down
    } else if bad >= needed {
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
            fresh: true,
        }
    }

    fn stale(node: &str, status: Status) -> Location {
        Location {
            fresh: false,
            ..at(node, status)
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

    #[test]
    fn stale_locations_do_not_decide_unless_none_is_fresh() {
        use Status::*;
        let state = |l: &[Location]| status_over_locations(l);
        assert_eq!(state(&[at("fra", Healthy), stale("nyc", Down)]), Healthy);
        assert_eq!(state(&[stale("fra", Down), stale("nyc", Down)]), Down);
    }

    #[test]
    fn a_quorum_counts_fresh_locations() {
        use Status::*;
        let three = |a, b, c| vec![at("a", a), at("b", b), at("c", c)];
        let by = |l: &[Location], q| status_by_quorum(l, q);
        assert_eq!(
            by(&three(Down, Healthy, Healthy), Quorum::Majority),
            Healthy
        );
        assert_eq!(by(&three(Down, Down, Healthy), Quorum::Majority), Down);
        assert_eq!(
            by(&three(Down, Degraded, Healthy), Quorum::Majority),
            Degraded
        );
        assert_eq!(by(&three(Down, Healthy, Healthy), Quorum::Any), Down);
        // Two of three is not all: no alert (the page says degraded).
        assert_eq!(by(&three(Down, Down, Healthy), Quorum::All), Healthy);
        assert_eq!(by(&three(Down, Down, Down), Quorum::All), Down);
        assert_eq!(by(&three(Down, Down, Healthy), Quorum::AtLeast(2)), Down);
        // A stale location neither counts nor is counted.
        let mut two_fresh = three(Down, Down, Healthy);
        two_fresh[2].fresh = false;
        assert_eq!(by(&two_fresh, Quorum::All), Down);
        // More than there are: as many as there are.
        assert_eq!(by(&three(Down, Down, Down), Quorum::AtLeast(5)), Down);
        // One node: every quorum is that node.
        for q in [
            Quorum::Majority,
            Quorum::All,
            Quorum::Any,
            Quorum::AtLeast(3),
        ] {
            assert_eq!(by(&[at("a", Down)], q), Down, "{q:?}");
            assert_eq!(by(&[at("a", Healthy)], q), Healthy, "{q:?}");
        }
    }

    #[test]
    fn quorum_all_is_the_page_rule_for_down() {
        use Status::*;
        let all = [Healthy, Degraded, Down];
        for a in all {
            for b in all {
                for c in all {
                    let l = [at("a", a), at("b", b), at("c", c)];
                    assert_eq!(
                        status_by_quorum(&l, Quorum::All) == Down,
                        status_over_locations(&l) == Down,
                        "{a:?} {b:?} {c:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn freshness_allows_for_clock_skew() {
        let now = 1_000 * NANOS;
        // Stale after 30 s: 59 s old is still fresh (skew), 61 s is not.
        assert!(is_fresh(now - 59 * NANOS, now, 30));
        assert!(!is_fresh(now - 61 * NANOS, now, 30));
        // A node whose clock runs ahead looks newer than now: fresh.
        assert!(is_fresh(now + 30 * NANOS, now, 30));
    }
}
