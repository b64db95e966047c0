//! The Reports page's own words, from the same `i18n/<language>.json` as
//! the status page's (keys starting `report_`), kept apart so the status
//! page does not carry them.

use std::cell::RefCell;
use std::collections::HashMap;

/// Declares [`Said`] and each text's key.
macro_rules! report_texts {
    ($($name:ident = $key:literal,)*) => {
        /// A text the Reports page says; `{0}`… are filled by [`said_with`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Said { $($name,)* }

        /// Each text's key, in [`Said`]'s order.
        pub const KEYS: &[&str] = &[$($key,)*];
    };
}

report_texts! {
    Title = "report_title",
    BackToStatus = "report_back",
    Month = "report_month",
    NoneYet = "report_none",
    Service = "report_service",
    BudgetLeft = "report_budget_left",
    OverBudget = "report_over_budget",
    DownTime = "report_down_time",
    Median = "report_median",
    Percentile95 = "report_p95",
    Outages = "report_outages",
    Incidents = "report_incidents",
    Rounds = "report_rounds",
    DownloadCsv = "report_download_csv",
    Print = "report_print",
    Merged = "report_merged",
    OneLocation = "report_one_location",
    Target = "report_target",
    NoTarget = "report_no_target",
    Met = "report_met",
    Missed = "report_missed",
    Unreadable = "report_unreadable",
    UtcNote = "report_utc_note",
    OngoingIncident = "report_ongoing",
    NoIncidents = "report_no_incidents",
}

thread_local! {
    static TEXTS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Speaks these texts (the language file's map) from now on.
pub fn install(texts: HashMap<String, String>) {
    TEXTS.with(|t| *t.borrow_mut() = texts);
}

/// A text in the page's language; its key when the file lacks it, so a
/// gap shows.
pub fn said(text: Said) -> String {
    let key = KEYS[text as usize];
    TEXTS.with(|t| {
        t.borrow()
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    })
}

/// A text with `{0}`, `{1}`… replaced by `args`.
pub fn said_with(text: Said, args: &[&str]) -> String {
    crate::i18n::fill_in(&said(text), args)
}
