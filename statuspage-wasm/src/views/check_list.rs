//! The services: checks in their configured groups (collapsible), each with
//! its state, uptime over 24 h/7 d/30 d/90 d and 90 daily bars; the selected
//! check (in the URL) opens to its locations and response-time chart.

use checkup_model::contract::incident_text::Node;
use checkup_model::derive::overview::{ChartWindow, CheckOverview, UPTIME_PERIODS};
use checkup_model::{Incident, PageConfig};
use leptos::prelude::*;

use super::Shown;
use super::chart::ResponseChart;
use super::day_bars::DayBars;
use super::lazy;
use super::markdown;
use crate::i18n::intl::{ago, micros, span, uptime};
use crate::i18n::{Text, fill, t};
use crate::time::{local_datetime, local_day, local_time};

const DAYS: usize = 90;
/// Rows drawn whole for the first paint, enough to fill a tall screen. The
/// other rows are added right after it (with hundreds of checks, all at
/// once made the first paint wait), their uptimes and bars as they come
/// near the screen.
const EAGER_ROWS: usize = 12;

/// Where an uptime figure's data begins (Unix s): a time today, else a day.
fn since_when(secs: i64, now_secs: i64) -> String {
    let nanos = secs * 1_000_000_000;
    if now_secs - secs < 86_400 {
        local_time(nanos)
    } else {
        local_day(nanos)
    }
}

/// A heading and the checks under it.
#[derive(Debug, Clone, PartialEq)]
struct Section {
    name: Option<String>,
    collapsed: bool,
    titles: Vec<String>,
}

/// Groups from the config, in its order; checks in no group come last.
fn sections(config: &PageConfig, checks: &[CheckOverview]) -> Vec<Section> {
    let mut placed: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for group in &config.groups {
        let titles: Vec<String> = group
            .checks
            .iter()
            .filter(|t| checks.iter().any(|c| &c.title == *t))
            .cloned()
            .collect();
        placed.extend(group.checks.iter().map(String::as_str));
        if !titles.is_empty() {
            out.push(Section {
                name: Some(group.name.clone()),
                collapsed: group.collapsed,
                titles,
            });
        }
    }
    let rest: Vec<String> = checks
        .iter()
        .filter(|c| !placed.contains(&c.title.as_str()))
        .map(|c| c.title.clone())
        .collect();
    if !rest.is_empty() {
        let name = (!out.is_empty()).then(|| t(Text::OtherServices).to_string());
        out.push(Section {
            name,
            collapsed: false,
            titles: rest,
        });
    }
    out
}

#[component]
pub fn CheckList(
    checks: Memo<Vec<CheckOverview>>,
    incidents: Memo<Vec<Incident>>,
    config: PageConfig,
    now: RwSignal<i64>,
    window: RwSignal<ChartWindow>,
    selected: RwSignal<Option<String>>,
    whole: Memo<bool>,
    first_paint: RwSignal<bool>,
) -> impl IntoView {
    let show_endpoints = config.show_endpoints;
    let row = move |title: String, eager: bool, unfolded: RwSignal<bool>| {
        view! { <CheckRow title checks incidents now window selected whole eager unfolded show_endpoints/> }
    };
    // The layout changes only when checks come or go, so a refresh updates
    // rows in place: open groups, focus and scroll position stay.
    let layout = Memo::new(move |_| checks.with(|c| sections(&config, c)));
    move || {
        let mut open_rows = 0;
        layout
            .get()
            .into_iter()
            .map(|section| {
                let titles = section.titles.clone();
                let eager = match section.collapsed {
                    true => 0,
                    false => section.titles.len().min(EAGER_ROWS - open_rows),
                };
                open_rows += eager;
                // A folded group's rows are drawn whole when it is unfolded:
                // not every engine tells when something inside came near.
                let unfolded = RwSignal::new(false);
                let all = section.titles;
                let rows = move || {
                    let shown = if first_paint.get() { all.len() } else { eager };
                    (all[..shown].iter().enumerate())
                        .map(|(at, title)| row(title.clone(), at < eager, unfolded))
                        .collect_view()
                };
                match section.name {
                    Some(name) => view! {
                        <details class="group" open=!section.collapsed data-group=name.clone()
                            on:toggle=move |_| unfolded.set(true)>
                            <summary class="group-summary">
                                <span class="group-name">{name.clone()}</span>
                                <GroupState titles checks/>
                            </summary>
                            <ul class="checks">{rows}</ul>
                        </details>
                    }
                    .into_any(),
                    None => view! { <ul class="checks">{rows}</ul> }.into_any(),
                }
            })
            .collect_view()
    }
}

/// A folded group still says whether anything in it is wrong.
#[component]
fn GroupState(titles: Vec<String>, checks: Memo<Vec<CheckOverview>>) -> impl IntoView {
    move || {
        let troubled = checks.with(|c| {
            c.iter()
                .filter(|c| titles.contains(&c.title) && Shown::of(c) != Shown::Healthy)
                .count()
        });
        let all = titles.len().to_string();
        let (class, text) = if troubled == 0 {
            (
                "group-state group-ok",
                format!("✓ {}", fill(Text::GroupOk, &[&all])),
            )
        } else {
            (
                "group-state group-bad",
                format!("! {}", fill(Text::GroupBad, &[&troubled.to_string(), &all])),
            )
        };
        view! { <span class=class>{text}</span> }
    }
}

#[component]
fn CheckRow(
    title: String,
    checks: Memo<Vec<CheckOverview>>,
    incidents: Memo<Vec<Incident>>,
    now: RwSignal<i64>,
    window: RwSignal<ChartWindow>,
    selected: RwSignal<Option<String>>,
    whole: Memo<bool>,
    eager: bool,
    unfolded: RwSignal<bool>,
    show_endpoints: bool,
) -> impl IntoView {
    let key = title.clone();
    let check = Memo::new(move |_| checks.with(|c| c.iter().find(|c| c.title == key).cloned()));
    let key = title.clone();
    let is_selected = Memo::new(move |_| selected.with(|s| s.as_deref() == Some(key.as_str())));
    // Uptimes and bars are drawn when the row comes near the screen; until
    // then a box of their size waits in their place.
    let near = RwSignal::new(eager || is_selected.get_untracked());
    // The row itself is watched, not the box: a row off screen is not laid
    // out (`.check-far`), so nothing inside it could be seen coming near.
    let row = NodeRef::<leptos::html::Li>::new();
    Effect::new(move |waiting: Option<Option<(web_sys::Element, u32)>>| {
        if let Some((element, id)) = waiting.flatten() {
            lazy::forget(&element, id);
        }
        if near.get_untracked() {
            return None;
        }
        let element: web_sys::Element = row.get()?.into();
        let id = lazy::when_near(&element, move || near.set(true))?;
        Some((element, id))
    });
    let detail_id = format!("detail-{}", slug(&title));
    move || {
        let Some(check) = check.get() else {
            return ().into_any();
        };
        let now_nanos = now.get();
        let now_secs = now_nanos / 1_000_000_000;
        let shown = Shown::of(&check);
        let latest = check.latest.clone();
        // A span longer than the data says since when its figure counts;
        // longer spans than that one would only repeat it.
        let mut said_since = false;
        let near = near.get() || unfolded.get();
        let uptimes = near.then(|| {
            UPTIME_PERIODS
                .iter()
                .map(|&(secs, res)| {
                    let label = span(secs, false);
                    let figure = check.uptime(secs, res, now_secs);
                    let percent = uptime(figure.map(|u| u.ratio));
                    let since = figure
                        .and_then(|u| u.since)
                        .map(|s| since_when(s, now_secs));
                    let (figure, title) = match since {
                        Some(when) if said_since => {
                            ("–".to_string(), Some(fill(Text::NoDataBefore, &[&when])))
                        }
                        Some(when) => {
                            said_since = true;
                            (fill(Text::UptimeSince, &[&percent, &when]), None)
                        }
                        None => (percent, None),
                    };
                    view! {
                        <div class="uptime-item">
                            <dt>{label}</dt>
                            <dd title=title>{figure}</dd>
                        </div>
                    }
                })
                .collect_view()
        });
        let own_incidents: Vec<Incident> = incidents.with(|all| {
            all.iter()
                .filter(|i| i.checks.is_empty() || i.checks.contains(&check.title))
                .cloned()
                .collect()
        });
        let title = check.title.clone();
        let toggle = {
            let title = title.clone();
            move |_| {
                selected.update(|s| {
                    *s = if s.as_deref() == Some(title.as_str()) {
                        None
                    } else {
                        Some(title.clone())
                    }
                })
            }
        };
        let detail = is_selected.get().then(|| {
            let locations = (check.locations.len() > 1).then(|| {
                check
                    .locations
                    .iter()
                    .map(|l| {
                        let s = Shown::status(l.status);
                        let rtt = if l.median > 0 && l.status != checkup_model::Status::Down {
                            format!(" · {}", micros((l.median / 1_000) as u32))
                        } else {
                            String::new()
                        };
                        view! {
                            <li class=format!("location location-{}", s.key()) data-location=l.node.clone() data-status=s.key()>
                                <span aria-hidden="true">{s.icon()}</span>
                                {format!(" {}: {}{rtt}", l.node, s.label())}
                                {Some(l.notice_or(t(Text::NoRecentResults)))
                                    .filter(|notice| !notice.is_empty())
                                    .map(|notice| view! { <span class="location-notice">{format!(" — {notice}")}</span> })}
                            </li>
                        }
                    })
                    .collect_view()
            });
            view! {
                <div class="check-detail" id=detail_id.clone()>
                    {locations.map(|items| view! {
                        <h4 class="detail-title">{t(Text::ByLocation)}</h4>
                        <ul class="locations">{items}</ul>
                    })}
                    {match whole.get() {
                        true => view! { <ResponseChart check=check.clone() window=window.get() now=now_secs/> }.into_any(),
                        // Summaries hold no response times: the whole views are on their way.
                        false => view! { <p class="loading" role="status">{t(Text::Loading)}</p> }.into_any(),
                    }}
                </div>
            }
        });
        view! {
            <li node_ref=row class=format!("check check-{}{}", shown.key(), if near { "" } else { " check-far" }) data-check=title.clone() data-status=shown.key()
                data-selected=is_selected.get().to_string()>
                <div class="check-head">
                    <span class="status-pill">
                        <span class="status-icon" aria-hidden="true">{shown.icon()}</span>
                        <span class="status-word">{shown.label()}</span>
                    </span>
                    <h3 class="check-title">
                        <button type="button" class="check-toggle" on:click=toggle
                            aria-expanded=is_selected.get().to_string() aria-controls=detail_id.clone()>
                            {title.clone()}
                        </button>
                    </h3>
                    <span class="check-when" title=local_datetime(latest.timestamp)>{fill(Text::Checked, &[&ago(latest.timestamp, now_nanos)])}</span>
                </div>
                {show_endpoints.then(|| view! { <p class="check-endpoint">{latest.endpoint.clone()}</p> })}
                {check.problem(t(Text::NoRecentResults)).map(|d| view! { <p class="check-notice">{d}</p> })}
                {(!latest.message.is_empty()).then(|| {
                    // A message with HTML comes read by the checker: its text and links.
                    let mut doc = check.message_doc.clone();
                    if doc.is_empty() {
                        doc.push(Node::Text(latest.message.clone()));
                    }
                    view! { <p class="check-message">{markdown::all(doc)}</p> }
                })}
                {match uptimes {
                    Some(uptimes) => view! {
                        <dl class="uptime" aria-label=t(Text::Uptime)>{uptimes}</dl>
                        <DayBars title=title.clone() bars=check.daily_bars(now_secs, DAYS) incidents=own_incidents/>
                    }.into_any(),
                    None => view! { <div class="row-waiting"></div> }.into_any(),
                }}
                {detail}
            </li>
        }
        .into_any()
    }
}

/// An id-safe form of a title.
fn slug(title: &str) -> String {
    title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
