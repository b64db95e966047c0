//! The overall verdict at the top of the page, with the newest result's time.

use checkup_model::summary::Overall;
use leptos::prelude::*;

use crate::time::{ago, local_datetime};

#[component]
pub fn Banner(overall: Overall, newest: Option<i64>, now: i64) -> impl IntoView {
    let icon = match overall {
        Overall::Operational => "✓",
        Overall::Degraded => "!",
        Overall::PartialOutage | Overall::MajorOutage => "✕",
        Overall::NoData => "?",
    };
    let detail = match newest {
        Some(ts) => format!("Last checked {} ({})", ago(ts, now), local_datetime(ts)),
        None => "No results in the time window yet.".to_string(),
    };
    view! {
        <section class=format!("banner banner-{}", overall.key()) data-overall=overall.key() role="status">
            <span class="banner-icon" aria-hidden="true">{icon}</span>
            <div>
                <h2 class="banner-headline">{overall.headline()}</h2>
                <p class="banner-detail">{detail}</p>
            </div>
        </section>
    }
}
