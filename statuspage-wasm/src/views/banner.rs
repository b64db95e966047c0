//! The overall verdict at the top of the page, the newest result's time, and
//! a warning when results have stopped arriving.

use checkup_model::derive::merge::Overall;
use leptos::prelude::*;

use crate::data::PageData;
use crate::time::{ago, local_datetime};

/// Reads the page's data from context (`data::live`).
#[component]
pub fn Banner() -> impl IntoView {
    let PageData {
        verdict,
        newest,
        now,
        stale,
        ..
    } = expect_context::<PageData>();
    move || {
        let overall = verdict.get();
        let icon = match overall {
            Overall::Operational => "✓",
            Overall::Degraded => "!",
            Overall::PartialOutage | Overall::MajorOutage => "✕",
            Overall::Maintenance => "⚒",
            Overall::NoData => "?",
        };
        let detail = match newest.get() {
            Some(ts) if ts > 0 => format!(
                "Last checked {} ({})",
                ago(ts, now.get()),
                local_datetime(ts)
            ),
            _ => "No results yet.".to_string(),
        };
        view! {
            <section class=format!("banner banner-{}", overall.key()) data-overall=overall.key() aria-live="polite">
                <span class="banner-icon" aria-hidden="true">{icon}</span>
                <div>
                    <h2 class="banner-headline">{overall.headline()}</h2>
                    <p class="banner-detail">{detail}</p>
                    {stale.get().then(|| view! {
                        <p class="banner-stale" data-stale="true">
                            "⚠ No new results for a while: the checkers may have stopped, so this may be out of date."
                        </p>
                    })}
                </div>
            </section>
        }
    }
}
