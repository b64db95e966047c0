//! Monthly reports from storage, for the Reports page: every node's
//! reports listed (`reports/index.json` in local storage, a listing of
//! `reports/` in S3), and one month's downloaded.

use checkup_model::contract::report::{Month, MonthReport};
use checkup_model::{PageConfig, PageStorage};

use super::{LoadError, fetch_text, local, s3};

/// A report found in storage.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedReport {
    pub node: String,
    pub month: Month,
    /// Its storage key, named in errors.
    pub key: String,
    pub url: String,
}

/// Every node's monthly reports.
pub async fn list_reports(config: &PageConfig) -> Result<Vec<ListedReport>, LoadError> {
    match &config.storage {
        PageStorage::Local { url } => local::list_reports(url).await,
        storage @ PageStorage::S3 { .. } => s3::list_reports(storage).await,
    }
}

/// A report larger than this is refused: a month of 500 checks is about
/// 100 KB.
const MAX_REPORT_BYTES: u64 = 16 * 1024 * 1024;

/// Downloads the listed reports of one month; those that cannot be read
/// come back as (key, why).
pub async fn month_reports(
    listed: &[ListedReport],
    month: Month,
) -> (Vec<MonthReport>, Vec<(String, String)>) {
    let wanted = listed.iter().filter(|l| l.month == month);
    let downloads = futures::future::join_all(wanted.map(|l| async move {
        let outcome =
            match fetch_text(&l.url, "a monthly report", &l.key, Some(MAX_REPORT_BYTES)).await {
                Ok(text) => MonthReport::parse(&text, &l.node, l.month).map_err(|e| e.to_string()),
                Err(e) => Err(e.why),
            };
        (l.key.clone(), outcome)
    }))
    .await;
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    for (key, outcome) in downloads {
        match outcome {
            Ok(report) => reports.push(report),
            Err(why) => failed.push((key, why)),
        }
    }
    (reports, failed)
}
