//! How configurable parts read their tables: the field rules (required
//! text, numbers in range, durations, URLs, secrets, CA files, check lists)
//! and how a kind of check, notifier or storage declares its options. Knows
//! nothing of any kind: the kinds use it, and `config` assembles them.

mod duration;
mod error;
pub mod fields;
pub mod kinds;

pub use duration::parse_duration;
pub use error::FieldError;
pub use fields::{CaFile, RawTable, Table, check_list, duration};
pub use kinds::{Family, Kind, Opt, opt};
