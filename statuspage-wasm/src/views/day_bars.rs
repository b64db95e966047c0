//! A check's 90 daily bars: coloured by the day's worst share of bad rounds,
//! with a symbol-free but described tooltip on hover and keyboard focus. The
//! row is one tab stop; arrow keys, Home and End move between days.

use checkup_model::Incident;
use checkup_model::overview::DayBar;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{format_micros, format_uptime};
use crate::time::utc_day;

const DAY_SECS: i64 = 86_400;

/// What a bar's tooltip and accessible name say.
fn describe(bar: &DayBar, incidents: &[&Incident]) -> String {
    let mut lines = vec![utc_day(bar.start)];
    let level = bar.level();
    match bar.uptime {
        Some(u) => lines.push(format!(
            "{} · uptime {}",
            level.label(),
            format_uptime(Some(u))
        )),
        None => lines.push(level.label().to_string()),
    }
    if bar.p50 > 0 {
        lines.push(format!("median response {}", format_micros(bar.p50)));
    }
    if bar.maintenance > 0 && bar.counted > 0 {
        lines.push("includes maintenance".into());
    }
    for incident in incidents {
        lines.push(format!("incident: {}", incident.title));
    }
    lines.join("\n")
}

#[component]
pub fn DayBars(title: String, bars: Vec<DayBar>, incidents: Vec<Incident>) -> impl IntoView {
    let count = bars.len();
    let spans = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let (start, end) = (
                bar.start * 1_000_000_000,
                (bar.start + DAY_SECS) * 1_000_000_000,
            );
            let touching: Vec<&Incident> = incidents
                .iter()
                .filter(|inc| {
                    let closed = inc.resolved_at().unwrap_or(i64::MAX);
                    inc.opened < end && closed >= start
                })
                .collect();
            let tip = describe(bar, &touching);
            let edge = if i < 12 {
                " tip-start"
            } else if i + 12 >= count {
                " tip-end"
            } else {
                ""
            };
            let marked = if touching.is_empty() {
                ""
            } else {
                " has-incident"
            };
            view! {
                <span class=format!("bar bar-{}{edge}{marked}", bar.level().key())
                    role="img" aria-label=tip.clone() data-tip=tip
                    tabindex=if i + 1 == count { "0" } else { "-1" }></span>
            }
        })
        .collect_view();
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(current) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let next = match ev.key().as_str() {
            "ArrowLeft" => current.previous_element_sibling(),
            "ArrowRight" => current.next_element_sibling(),
            "Home" => current
                .parent_element()
                .and_then(|p| p.first_element_child()),
            "End" => current
                .parent_element()
                .and_then(|p| p.last_element_child()),
            _ => return,
        };
        ev.prevent_default();
        if let Some(next) = next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = current.set_attribute("tabindex", "-1");
            let _ = next.set_attribute("tabindex", "0");
            let _ = next.focus();
        }
    };
    view! {
        <div class="bars" role="group" on:keydown=on_key
            aria-label=format!("{title}: daily uptime over the last {count} days; use the arrow keys to move between days")>
            {spans}
        </div>
        <div class="bars-legend" aria-hidden="true">
            <span>{format!("{count} days ago")}</span>
            <span>"today"</span>
        </div>
    }
}
