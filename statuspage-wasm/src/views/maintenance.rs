//! Announced maintenance: a "Scheduled maintenance" section for windows
//! coming up or in progress, each with the checks it covers, its start and
//! end in the visitor's local time and a countdown. Completed windows are
//! drawn by the same card in the incident timeline.

use checkup_model::contract::announced::{Announced, Phase};
use leptos::prelude::*;

use super::markdown::Markdown;
use crate::i18n::intl::countdown;
use crate::i18n::{Text, fill, t};
use crate::time::{iso, local_span};

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// Windows announced and not yet over, soonest first.
#[component]
pub fn ScheduledMaintenance(
    maintenance: Memo<Vec<Announced>>,
    now: RwSignal<i64>,
) -> impl IntoView {
    move || {
        let now = now.get();
        let shown: Vec<Announced> = maintenance.with(|all| {
            all.iter()
                .filter(|m| m.announced <= now && m.phase(now) != Phase::Completed)
                .cloned()
                .collect()
        });
        (!shown.is_empty()).then(|| {
            view! {
                <section class="maintenance" aria-labelledby="scheduled-maintenance">
                    <h2 id="scheduled-maintenance" class="section-title">{t(Text::ScheduledMaintenance)}</h2>
                    {shown.into_iter().map(|m| view! { <MaintenanceCard window=m now=now/> }).collect_view()}
                </section>
            }
        })
    }
}

/// One occurrence: what, which checks, when, and how long until it starts
/// or ends.
#[component]
pub fn MaintenanceCard(window: Announced, now: i64) -> impl IntoView {
    let phase = window.phase(now);
    let wait = |until: i64| countdown((until - now) / NANOS_PER_SEC, t(Text::UnderAMinute));
    let state = match phase {
        Phase::Upcoming => fill(Text::StartsIn, &[&wait(window.start)]),
        Phase::InProgress => fill(Text::EndsIn, &[&wait(window.end)]),
        Phase::Completed => t(Text::Completed).to_string(),
    };
    let affects = if window.checks.is_empty() {
        t(Text::AffectsAll).to_string()
    } else {
        fill(Text::Affects, &[&window.checks.join(", ")])
    };
    let id = window.occurrence_id();
    view! {
        <article class=format!("incident maintenance-{}", phase.as_str())
            data-maintenance=id data-phase=phase.as_str()>
            <h3 class="incident-title">{window.title}</h3>
            <p class="incident-meta">
                <span class="incident-state">{state}</span>
                " · "
                <time datetime=iso(window.start)>{local_span(window.start, window.end)}</time>
            </p>
            <p class="incident-meta">{affects}</p>
            <Markdown doc=window.doc source=window.description/>
        </article>
    }
}
