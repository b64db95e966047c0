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
    let status = check.latest.status;
    let latest = &check.latest;
    let detail = if latest.notice.is_empty() {
        None
    } else {
        Some(latest.notice.clone())
    };
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
            {message.map(|m| view! { <p class="check-message">{m}</p> })}
            <ResponseChart check=check.clone() start=start end=end/>
        </li>
    }
}
