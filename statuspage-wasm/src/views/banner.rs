//! The overall verdict at the top of the page, the newest result's time, and
//! a warning when results have stopped arriving.

use checkup_model::derive::merge::Overall;
use leptos::prelude::*;

use crate::data::PageData;
use crate::i18n::intl::ago;
use crate::i18n::{Text, fill, t};
use crate::time::local_datetime;

/// The verdict as a headline.
pub fn headline(overall: Overall) -> &'static str {
    t(match overall {
        Overall::NoData => Text::NoResultsYet,
        Overall::Operational => Text::AllOperational,
        Overall::Degraded => Text::DegradedPerformance,
        Overall::PartialOutage => Text::PartialOutage,
        Overall::MajorOutage => Text::MajorOutage,
        Overall::Maintenance => Text::UnderMaintenance,
    })
}

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
            Some(ts) if ts > 0 => fill(
                Text::LastChecked,
                &[&ago(ts, now.get()), &local_datetime(ts)],
            ),
            _ => t(Text::NoResultsYet).to_string(),
        };
        view! {
            <section class=format!("banner banner-{}", overall.key()) data-overall=overall.key() aria-live="polite">
                <span class="banner-icon" aria-hidden="true">{icon}</span>
                <div>
                    <h2 class="banner-headline">{headline(overall)}</h2>
                    <p class="banner-detail">{detail}</p>
                    {stale.get().then(|| view! {
                        <p class="banner-stale" data-stale="true">
                            {t(Text::Stale)}
                        </p>
                    })}
                </div>
            </section>
        }
    }
}
