//! The page's words in the visitor's language: every text the page itself
//! says is a [`Text`], looked up in `i18n/<language>.json`, which is loaded
//! at start (`language.rs`). Numbers, durations and relative times go
//! through `Intl` (`intl.rs`). Operator text is shown as written.

pub mod intl;
pub mod language;

use std::cell::OnceCell;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

/// Declares [`Text`] and the key of each text in the language files.
macro_rules! texts {
    ($($name:ident = $key:literal,)*) => {
        /// A text the page says; `{0}`, `{1}`… in it are filled by [`fill`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $($name,)* }

        /// Each text's key in the language files, in [`Text`]'s order.
        pub const KEYS: &[&str] = &[$($key,)*];
    };
}

texts! {
    Status = "status",
    SkipToContent = "skip_to_content",
    Links = "links",
    Subscribe = "subscribe",
    AtomFeed = "atom_feed",
    MaintenanceCalendar = "maintenance_calendar",
    StatusApi = "status_api",
    ToLight = "to_light",
    ToDark = "to_dark",
    Language = "language",
    Loading = "loading",
    RawOnly = "raw_only",
    Skipped = "skipped",
    SkippedExample = "skipped_example",
    SecondWriter = "second_writer",
    Services = "services",
    FooterViews = "footer_views",
    FooterRaw = "footer_raw",
    NoResultsYet = "no_results_yet",
    AllOperational = "all_operational",
    DegradedPerformance = "degraded_performance",
    PartialOutage = "partial_outage",
    MajorOutage = "major_outage",
    UnderMaintenance = "under_maintenance",
    LastChecked = "last_checked",
    Stale = "stale",
    CouldNotLoad = "could_not_load",
    FatalHint = "fatal_hint",
    RetryHint = "retry_hint",
    ScheduledMaintenance = "scheduled_maintenance",
    StartsIn = "starts_in",
    EndsIn = "ends_in",
    Completed = "completed",
    AffectsAll = "affects_all",
    Affects = "affects",
    UnderAMinute = "under_a_minute",
    CurrentIncidents = "current_incidents",
    PastIncidents = "past_incidents",
    PastIncidentsAndMaintenance = "past_incidents_and_maintenance",
    Investigating = "investigating",
    Identified = "identified",
    Monitoring = "monitoring",
    Resolved = "resolved",
    Opened = "opened",
    OtherServices = "other_services",
    GroupOk = "group_ok",
    GroupBad = "group_bad",
    UptimeSince = "uptime_since",
    NoDataBefore = "no_data_before",
    Operational = "operational",
    Degraded = "degraded",
    Down = "down",
    Maintenance = "maintenance",
    Checked = "checked",
    Uptime = "uptime",
    ByLocation = "by_location",
    NoRecentResults = "no_recent_results",
    ResponseTimeWindow = "response_time_window",
    NoData = "no_data",
    NoDowntime = "no_downtime",
    DayUptime = "day_uptime",
    MedianResponse = "median_response",
    IncludesMaintenance = "includes_maintenance",
    IncidentLine = "incident_line",
    BarsLabel = "bars_label",
    NoResponseTimes = "no_response_times",
    ResponseSummary = "response_summary",
    DegradedAbove = "degraded_above",
    Median = "median",
    UpToP95 = "up_to_p95",
    Reports = "reports",
}

thread_local! {
    /// The loaded texts, in [`KEYS`]' order; set once, before anything is drawn.
    static TEXTS: OnceCell<Vec<&'static str>> = const { OnceCell::new() };
}

/// A language file's texts, in [`KEYS`]' order, read straight into place
/// (a map of every key would cost the page a map type of its own). A key
/// the file lacks shows as the key, so a gap is visible, not hidden; the
/// tests hold every file complete. Unknown keys are ignored.
pub struct Texts(Vec<&'static str>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Texts, D::Error> {
        struct Fill;
        impl<'de> Visitor<'de> for Fill {
            type Value = Texts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of keys to texts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Texts, A::Error> {
                let mut texts = KEYS.to_vec();
                while let Some((key, text)) = map.next_entry::<String, String>()? {
                    if let Some(at) = KEYS.iter().position(|k| *k == key) {
                        texts[at] = text.leak();
                    }
                }
                Ok(Texts(texts))
            }
        }
        deserializer.deserialize_map(Fill)
    }
}

/// Speaks these texts from now on; once, before anything is drawn.
pub fn install(texts: Texts) {
    TEXTS.with(|t| {
        let _ = t.set(texts.0);
    });
}

/// A text in the page's language.
pub fn t(text: Text) -> &'static str {
    TEXTS.with(|t| {
        t.get()
            .map(|texts| texts[text as usize])
            .unwrap_or(KEYS[text as usize])
    })
}

/// A text with `{0}`, `{1}`… replaced by `args`: translations may order
/// them as their language needs.
pub fn fill(text: Text, args: &[&str]) -> String {
    fill_in(t(text), args)
}

/// `template` with `{0}`, `{1}`… replaced by `args`.
pub fn fill_in(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match (after.as_bytes().first(), after.as_bytes().get(1)) {
            (Some(d @ b'0'..=b'9'), Some(b'}')) => {
                out.push_str(args.get((d - b'0') as usize).copied().unwrap_or_default());
                rest = &after[2..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
