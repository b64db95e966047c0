//! The overall verdict at the top of the page, the newest result's time, and
//! a warning when results have stopped arriving.

use checkup_model::summary::Overall;
use leptos::prelude::*;

use crate::time::{ago, local_datetime};

#[component]
pub fn Banner(
    overall: Memo<Overall>,
    newest: Memo<Option<i64>>,
    now: RwSignal<i64>,
    stale: Memo<bool>,
) -> impl IntoView {
    move || {
        let overall = overall.get();
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
