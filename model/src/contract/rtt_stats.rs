//! Summary statistics over a result's attempts (checkup's `ComputeStats`).

use crate::contract::result::{Attempt, CheckResult};

/// Round-trip-time statistics in nanoseconds. All zero when there are no attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    pub min: i64,
    pub median: i64,
    pub mean: i64,
    pub max: i64,
}

impl Stats {
    /// Computes min, median (mean of the middle two for an even count), mean and max,
    /// the way checkup does, so the same file gives the same figures on either page.
    pub fn of(attempts: &[Attempt]) -> Stats {
        if attempts.is_empty() {
            return Stats::default();
        }
        let mut rtts: Vec<i64> = attempts.iter().map(|a| a.rtt).collect();
        crate::sorting::sort(&mut rtts);
        let n = rtts.len();
        let median = if n.is_multiple_of(2) {
            // Halve each before adding so two huge values cannot overflow.
            rtts[n / 2 - 1] / 2 + rtts[n / 2] / 2 + (rtts[n / 2 - 1] % 2 + rtts[n / 2] % 2) / 2
        } else {
            rtts[n / 2]
        };
        let total: i128 = rtts.iter().map(|&r| r as i128).sum();
        Stats {
            min: rtts[0],
            median,
            mean: (total / n as i128) as i64,
            max: rtts[n - 1],
        }
    }
}

impl CheckResult {
    pub fn stats(&self) -> Stats {
        Stats::of(&self.times)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempts(rtts: &[i64]) -> Vec<Attempt> {
        rtts.iter()
            .map(|&rtt| Attempt {
                rtt,
                error: String::new(),
            })
            .collect()
    }

    #[test]
    fn odd_count_takes_the_middle_value() {
        let s = Stats::of(&attempts(&[30, 10, 20]));
        assert_eq!(
            s,
            Stats {
                min: 10,
                median: 20,
                mean: 20,
                max: 30
            }
        );
    }

    #[test]
    fn even_count_averages_the_middle_two() {
        let s = Stats::of(&attempts(&[40, 10, 20, 30]));
        assert_eq!(
            s,
            Stats {
                min: 10,
                median: 25,
                mean: 25,
                max: 40
            }
        );
    }

    #[test]
    fn empty_attempts_give_zeros() {
        assert_eq!(Stats::of(&[]), Stats::default());
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let s = Stats::of(&attempts(&[i64::MAX, i64::MAX]));
        assert_eq!(s.median, i64::MAX);
        assert_eq!(s.mean, i64::MAX);
    }
}
