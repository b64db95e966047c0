//! One month's table: a line per check over all locations (uptime, the
//! error budget left against the target, down time, response times,
//! outages, incidents), each location's own line under it, and the
//! month's incidents below.

use checkup_model::contract::report::ReportIncident;
use checkup_model::derive::report_merge::{Figures, MergedMonth};
use leptos::prelude::*;

use super::texts::{Said, said, said_with};
use crate::i18n::intl::{countdown, locales, micros, uptime};
use crate::i18n::{Text, t};
use crate::time::local_day;

/// A duration as the page says it: "No downtime", "under a minute", "3 hr 5 min".
fn duration(secs: i64) -> String {
    if secs <= 0 {
        t(Text::NoDowntime).to_string()
    } else {
        countdown(secs, t(Text::UnderAMinute))
    }
}

thread_local! {
    /// The digit-grouping formatter's `format`, made once: making one is
    /// the slow part, and a month of 500 checks at 3 locations asks 2,000
    /// times.
    static GROUPED: js_sys::Function =
        js_sys::Intl::NumberFormat::new(&locales(), &js_sys::Object::new()).format();
}

/// A whole number with the language's digit grouping ("86,400").
fn integer(value: u64) -> String {
    GROUPED
        .with(|format| format.call1(&wasm_bindgen::JsValue::UNDEFINED, &(value as f64).into()))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| value.to_string())
}

fn response(us: u32) -> String {
    if us == 0 { "–".into() } else { micros(us) }
}

#[component]
pub fn MonthTable(
    merged: MergedMonth,
    failed: Vec<(String, String)>,
    sla: Option<f64>,
    month_label: String,
) -> impl IntoView {
    let month = merged.month;
    let budget_cell = move |line: &Figures| {
        let b = line.budget(sla?, month)?;
        let text = if b.left_secs >= 0 {
            duration(b.left_secs)
        } else {
            said_with(Said::OverBudget, &[&duration(-b.left_secs)])
        };
        let verdict = said(if b.met { Said::Met } else { Said::Missed });
        let class = if b.met { "budget met" } else { "budget missed" };
        Some(view! { <td class=class><span class="verdict">{verdict}</span>" · "{text}</td> })
    };
    let cells = move |line: Figures, incidents: Option<&[ReportIncident]>| {
        let incidents = incidents.map(|list| {
            list.iter()
                .map(|i| i.title.clone())
                .collect::<Vec<_>>()
                .join("; ")
        });
        view! {
            <td class="report-uptime">{uptime(line.uptime)}</td>
            {sla.is_some().then(|| match incidents.is_some() {
                true => budget_cell(&line).into_any(),
                false => view! { <td></td> }.into_any(),
            })}
            <td>{duration(line.down_secs)}</td>
            <td>{response(line.p50_us)}</td>
            <td>{response(line.p95_us)}</td>
            <td>{line.outages}</td>
            <td>{integer(line.rounds)}</td>
            <td class="report-incidents-cell">{incidents.unwrap_or_default()}</td>
        }
    };
    let rows = merged
        .checks
        .iter()
        .map(|check| {
            let locations = (check.locations.len() > 1).then(|| {
                check
                    .locations
                    .iter()
                    .map(|(node, figures)| {
                        view! {
                            <tr class="report-location" data-node=node.clone()>
                                <th scope="row">{node.clone()}</th>
                                {cells(Figures::of_location(figures), None)}
                            </tr>
                        }
                    })
                    .collect_view()
            });
            view! {
                <tr class="report-check" data-check=check.title.clone()>
                    <th scope="row">{check.title.clone()}</th>
                    {cells(Figures::of_merged(check), Some(&check.incidents))}
                </tr>
                {locations}
            }
        })
        .collect_view();
    let mut incidents: Vec<ReportIncident> = Vec::new();
    for incident in merged.checks.iter().flat_map(|c| &c.incidents) {
        if !incidents.iter().any(|i| i.id == incident.id) {
            incidents.push(incident.clone());
        }
    }
    let incident_list = if incidents.is_empty() {
        view! { <p class="muted">{said(Said::NoIncidents)}</p> }.into_any()
    } else {
        incidents
            .into_iter()
            .map(|i| {
                let until = match i.resolved {
                    Some(resolved) => local_day(resolved),
                    None => said(Said::OngoingIncident),
                };
                let affects = if i.checks.is_empty() {
                    t(Text::AffectsAll).to_string()
                } else {
                    crate::i18n::fill(Text::Affects, &[&i.checks.join(", ")])
                };
                view! {
                    <li><strong>{i.title}</strong>" · "{local_day(i.opened)}" – "{until}" · "{affects}</li>
                }
            })
            .collect_view()
            .into_any()
    };
    let target = match sla {
        Some(target) => said_with(Said::Target, &[&format!("{target} %")]),
        None => said(Said::NoTarget),
    };
    let note = match merged.nodes.as_slice() {
        [node] => said_with(Said::OneLocation, &[node]),
        nodes => said_with(Said::Merged, &[&nodes.len().to_string(), &nodes.join(", ")]),
    };
    let unreadable = (!failed.is_empty()).then(|| {
        let list = failed
            .iter()
            .map(|(key, why)| format!("{key}: {why}"))
            .collect::<Vec<_>>()
            .join("; ");
        view! { <p class="fallback" role="note">{said_with(Said::Unreadable, &[&list])}</p> }
    });
    let heading = month_label.clone();
    view! {
        <section class="report">
            <h3 class="report-month-title">{heading}</h3>
            <p class="report-note">{note}" "{target}</p>
            {unreadable}
            // Focusable, so a keyboard can scroll it on a phone.
            <div class="table-scroll" tabindex="0" role="region" aria-label=month_label>
                <table class="report-table">
                    <thead>
                        <tr>
                            <th scope="col">{said(Said::Service)}</th>
                            <th scope="col">{t(Text::Uptime)}</th>
                            {sla.is_some().then(|| view! { <th scope="col">{said(Said::BudgetLeft)}</th> })}
                            <th scope="col">{said(Said::DownTime)}</th>
                            <th scope="col">{said(Said::Median)}</th>
                            <th scope="col">{said(Said::Percentile95)}</th>
                            <th scope="col">{said(Said::Outages)}</th>
                            <th scope="col">{said(Said::Rounds)}</th>
                            <th scope="col">{said(Said::Incidents)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h3>{said(Said::Incidents)}</h3>
            <ul class="report-incidents">{incident_list}</ul>
        </section>
    }
}
