//! Monthly reports (`reports/<node>/<yyyy-mm>.json`, see
//! `checkup_model::contract::report`): the running checker writes a
//! month's report once, create-only, with the first round of the next
//! month; `checker rebuild` writes them again, but never over a stored
//! report that saw more rounds (round files older than the retention are
//! gone, and a report is all that is left of them). One that saw as many
//! is replaced: it may be the first report after an upgrade, whose
//! response times and outages cover only the part of the month since.

use checkup_model::contract::report::{MonthReport, report_key};

use crate::storage::{Created, Storage, StorageError};

/// What became of a report `checker rebuild` computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebuilt {
    Written,
    /// The stored one saw more rounds (or cannot be read): it stays.
    KeptStored,
}

/// A report as stored: its JSON, newline-terminated.
pub fn encode(report: &MonthReport) -> Result<Vec<u8>, StorageError> {
    let mut bytes = serde_json::to_vec(report)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes `report` unless its month's report is there already (another
/// run, or a rebuild, wrote it first).
pub async fn write_new(
    storage: &dyn Storage,
    report: &MonthReport,
) -> Result<Created, StorageError> {
    let key = report_key(&report.node, report.month);
    let created = storage.put_new(&key, encode(report)?).await?;
    if created == Created::Yes {
        tracing::info!(key = %key, checks = report.checks.len(), "wrote the monthly report");
    }
    Ok(created)
}

/// Writes a rebuilt `report` over the stored one, unless that one saw
/// more rounds (or cannot be read, and is left for a person).
pub async fn write_rebuilt(
    storage: &dyn Storage,
    report: &MonthReport,
) -> Result<Rebuilt, StorageError> {
    let key = report_key(&report.node, report.month);
    if let Some(bytes) = storage.get(&key).await? {
        let stored =
            MonthReport::parse(&String::from_utf8_lossy(&bytes), &report.node, report.month);
        match stored {
            Ok(stored) if stored.total_rounds() > report.total_rounds() => {
                return Ok(Rebuilt::KeptStored);
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(key = %key, error = %e, "leaving an unreadable monthly report as it is");
                return Ok(Rebuilt::KeptStored);
            }
        }
    }
    storage
        .put(&key, encode(report)?, "application/json")
        .await?;
    Ok(Rebuilt::Written)
}
