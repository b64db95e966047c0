//! How the page words and draws numbers: durations, uptimes, the chart.

pub mod chart;
pub mod format;
