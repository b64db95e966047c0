//! One row per check: state, name, endpoint, last checked, why, and the
//! response-time chart.

use checkup_model::summary::CheckSummary;
use leptos::prelude::*;

use super::chart::ResponseChart;
use super::{status_icon, status_label};
use crate::time::{ago, local_datetime};

#[component]
pub fn CheckList(checks: Vec<CheckSummary>, now: i64, start: i64, end: i64) -> impl IntoView {
    view! {
        <ul class="checks">
            {checks.into_iter().map(|c| view! { <CheckRow check=c now=now start=start end=end/> }).collect_view()}
        </ul>
    }
}

#[component]
fn CheckRow(check: CheckSummary, now: i64, start: i64, end: i64) -> impl IntoView {
    let status = check.status;
    let latest = &check.latest;
    let detail = check.problem();
    // Several nodes: say what each location sees, with symbols as well as colour.
    let locations = (check.locations.len() > 1).then(|| {
        check
            .locations
            .iter()
            .map(|l| {
                let rtt = if l.status == checkup_model::Status::Down {
                    String::new()
                } else {
                    format!(" {:.0} ms", l.median as f64 / 1e6)
                };
                view! {
                    <li class=format!("location location-{}", l.status) data-location=l.node.clone() data-status=l.status.as_str()>
                        <span aria-hidden="true">{status_icon(l.status)}</span>
                        {format!(" {}: {}{rtt}", l.node, status_label(l.status))}
                    </li>
                }
            })
            .collect_view()
    });
    let message = if latest.message.is_empty() {
        None
    } else {
        Some(latest.message.clone())
    };
    let checked = latest.timestamp;
    view! {
        <li class=format!("check check-{status}") data-check=check.title.clone() data-status=status.as_str()>
            <div class="check-head">
                <span class="status-pill">
                    <span class="status-icon" aria-hidden="true">{status_icon(status)}</span>
                    <span class="status-word">{status_label(status)}</span>
                </span>
                <h3 class="check-title">{check.title.clone()}</h3>
                <span class="check-when" title=local_datetime(checked)>{format!("checked {}", ago(checked, now))}</span>
            </div>
            <p class="check-endpoint">{latest.endpoint.clone()}</p>
            {detail.map(|d| view! { <p class="check-notice">{d}</p> })}
            {locations.map(|items| view! { <ul class="locations" aria-label="By location">{items}</ul> })}
            {message.map(|m| view! { <p class="check-message">{m}</p> })}
            <ResponseChart check=check.clone() start=start end=end/>
        </li>
    }
}
