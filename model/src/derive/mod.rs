//! Numbers derived from the contract's files, computed one way for every
//! reader: how locations merge into one state, uptimes, day bars, chart series.

pub mod merge;
pub mod overview;
pub mod report_merge;
