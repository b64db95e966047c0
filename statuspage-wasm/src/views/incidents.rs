//! Incidents from the nodes' views: open ones on top, each with its updates,
//! then past ones and completed maintenance in a timeline, newest first
//! (folded away). Texts are safe Markdown.

use checkup_model::Incident;
use checkup_model::contract::announced::{Announced, Phase};
use leptos::prelude::*;

use super::incident_state;
use super::maintenance::MaintenanceCard;
use super::markdown::Markdown;
use crate::i18n::intl::ago;
use crate::i18n::{Text, fill, t};
use crate::time::local_datetime;

/// Past incidents shown: the most recent ones (older ones stay in storage).
const PAST_SHOWN: usize = 20;

/// An entry of the timeline.
enum Past {
    Incident(Incident),
    Maintenance(Announced),
}

impl Past {
    /// When it ended, for the timeline's order.
    fn ended(&self) -> i64 {
        match self {
            Past::Incident(i) => i.updates[0].timestamp,
            Past::Maintenance(m) => m.end,
        }
    }
}

/// Open incidents, each with its updates.
#[component]
pub fn Incidents(incidents: Memo<Vec<Incident>>, now: RwSignal<i64>) -> impl IntoView {
    move || {
        let now = now.get();
        let open: Vec<Incident> =
            incidents.with(|all| all.iter().filter(|i| i.is_open()).cloned().collect());
        (!open.is_empty()).then(|| view! {
            <section class="incidents" aria-labelledby="open-incidents">
                <h2 id="open-incidents" class="section-title">{t(Text::CurrentIncidents)}</h2>
                {open.into_iter().map(|i| view! { <IncidentCard incident=i now=now/> }).collect_view()}
            </section>
        })
    }
}

/// Resolved incidents and completed maintenance, newest first, folded away.
#[component]
pub fn Timeline(
    incidents: Memo<Vec<Incident>>,
    maintenance: Memo<Vec<Announced>>,
    now: RwSignal<i64>,
) -> impl IntoView {
    move || {
        let now = now.get();
        let mut past: Vec<Past> = incidents.with(|all| {
            all.iter()
                .filter(|i| !i.is_open())
                .cloned()
                .map(Past::Incident)
                .collect()
        });
        let incident_count = past.len();
        maintenance.with(|all| {
            past.extend(
                all.iter()
                    .filter(|m| m.phase(now) == Phase::Completed)
                    .cloned()
                    .map(Past::Maintenance),
            )
        });
        let count = past.len();
        let summary = fill(
            if count > incident_count {
                Text::PastIncidentsAndMaintenance
            } else {
                Text::PastIncidents
            },
            &[&count.to_string()],
        );
        checkup_model::sorting::sort_by_key(&mut past, |p| std::cmp::Reverse(p.ended()));
        (count > 0).then(|| view! {
            <details class="past-incidents">
                <summary>{summary}</summary>
                <ol class="timeline">
                    {past.into_iter().take(PAST_SHOWN).map(|p| match p {
                        Past::Incident(i) => view! { <li><IncidentCard incident=i now=now/></li> }.into_any(),
                        Past::Maintenance(m) => view! { <li><MaintenanceCard window=m now=now/></li> }.into_any(),
                    }).collect_view()}
                </ol>
            </details>
        })
    }
}

#[component]
fn IncidentCard(incident: Incident, now: i64) -> impl IntoView {
    let affected =
        (!incident.checks.is_empty()).then(|| fill(Text::Affects, &[&incident.checks.join(", ")]));
    view! {
        <article class=format!("incident incident-{}", incident.state.as_str()) data-incident=incident.id.clone() data-state=incident.state.as_str()>
            <h3 class="incident-title">{incident.title.clone()}</h3>
            <p class="incident-meta">
                <span class="incident-state">{incident_state(incident.state)}</span>
                {format!(" · {}", fill(Text::Opened, &[&ago(incident.opened, now)]))}
                {affected.map(|a| format!(" · {a}"))}
            </p>
            <ol class="incident-updates">
                {incident.updates.into_iter().map(|u| view! {
                    <li class="incident-update">
                        <p class="incident-update-head">
                            <strong>{incident_state(u.state)}</strong>
                            " · "
                            <time title=local_datetime(u.timestamp)>{local_datetime(u.timestamp)}</time>
                        </p>
                        <Markdown doc=u.doc source=u.body/>
                    </li>
                }).collect_view()}
            </ol>
        </article>
    }
}
