//! The one place storage kinds are registered: `type = "..."` to its module.

use super::{Builder, local, s3};
use crate::options::{Family, opt};

/// Every storage kind.
pub static STORAGES: Family<Builder> = Family {
    noun: "storage",
    singular: "storage",
    common: &[
        opt(
            "type",
            "\"local\"",
            "where results go: local (default) or s3",
        ),
        opt(
            "check_expiry",
            "\"30d\"",
            "delete this node's result files older than this (default: keep all)",
        ),
    ],
    kinds: &[local::KIND, s3::KIND],
};
