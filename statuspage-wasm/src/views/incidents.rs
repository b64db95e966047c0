//! Incidents from the nodes' views: open ones on top, each with its updates,
//! then past ones in a timeline (folded away). Texts are safe Markdown.

use checkup_model::Incident;
use leptos::prelude::*;

use super::markdown::Markdown;
use crate::time::{ago, local_datetime};

/// Past incidents shown: the most recent ones (older ones stay in storage).
const PAST_SHOWN: usize = 20;

#[component]
pub fn Incidents(incidents: Memo<Vec<Incident>>, now: RwSignal<i64>) -> impl IntoView {
    move || {
        let all = incidents.get();
        let now = now.get();
        let (open, past): (Vec<Incident>, Vec<Incident>) =
            all.into_iter().partition(Incident::is_open);
        let past_count = past.len();
        view! {
            {(!open.is_empty()).then(|| view! {
                <section class="incidents" aria-labelledby="open-incidents">
                    <h2 id="open-incidents" class="section-title">"Current incidents"</h2>
                    {open.into_iter().map(|i| view! { <IncidentCard incident=i now=now/> }).collect_view()}
                </section>
            })}
            {(past_count > 0).then(|| view! {
                <details class="past-incidents">
                    <summary>{format!("Past incidents ({past_count})")}</summary>
                    <ol class="timeline">
                        {past.into_iter().take(PAST_SHOWN).map(|i| view! { <li><IncidentCard incident=i now=now/></li> }).collect_view()}
                    </ol>
                </details>
            })}
        }
    }
}

#[component]
fn IncidentCard(incident: Incident, now: i64) -> impl IntoView {
    let affected =
        (!incident.checks.is_empty()).then(|| format!("Affects: {}", incident.checks.join(", ")));
    view! {
        <article class=format!("incident incident-{}", incident.state.as_str()) data-incident=incident.id.clone() data-state=incident.state.as_str()>
            <h3 class="incident-title">{incident.title.clone()}</h3>
            <p class="incident-meta">
                <span class="incident-state">{incident.state.label()}</span>
                {format!(" · opened {}", ago(incident.opened, now))}
                {affected.map(|a| format!(" · {a}"))}
            </p>
            <ol class="incident-updates">
                {incident.updates.into_iter().map(|u| view! {
                    <li class="incident-update">
                        <p class="incident-update-head">
                            <strong>{u.state.label()}</strong>
                            " · "
                            <time title=local_datetime(u.timestamp)>{local_datetime(u.timestamp)}</time>
                        </p>
                        <Markdown update=u.clone()/>
                    </li>
                }).collect_view()}
            </ol>
        </article>
    }
}
