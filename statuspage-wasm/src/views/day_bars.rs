//! A check's 90 daily bars: coloured by the day's worst share of bad rounds,
//! with a described tooltip on hover, tap and keyboard focus (the stylesheet
//! shows the bar's accessible name, given when a bar is first reached). The
//! row is one tab stop; arrow keys, Home and End move between days.

use checkup_model::Incident;
use checkup_model::derive::overview::{DayBar, DayLevel};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::intl::{Unit, count, micros, relative, uptime};
use crate::i18n::{Text, fill, t};
use crate::time::utc_day;

const DAY_SECS: i64 = 86_400;

/// What a bar's tooltip and accessible name say.
fn describe(bar: &DayBar, incidents: &[&Incident]) -> String {
    let mut lines = vec![utc_day(bar.start)];
    let level = t(match bar.level() {
        DayLevel::NoData => Text::NoData,
        DayLevel::Maintenance => Text::Maintenance,
        DayLevel::Good => Text::NoDowntime,
        DayLevel::Degraded => Text::Degraded,
        DayLevel::Partial => Text::PartialOutage,
        DayLevel::Major => Text::MajorOutage,
    });
    match bar.uptime {
        Some(u) => lines.push(fill(Text::DayUptime, &[level, &uptime(Some(u))])),
        None => lines.push(level.to_string()),
    }
    if bar.p50 > 0 {
        lines.push(fill(Text::MedianResponse, &[&micros(bar.p50)]));
    }
    if bar.maintenance > 0 && bar.counted > 0 {
        lines.push(t(Text::IncludesMaintenance).into());
    }
    for incident in incidents {
        lines.push(fill(Text::IncidentLine, &[&incident.title]));
    }
    lines.join("\n")
}

/// The incidents that were open at some time during a bar's UTC day.
fn touching<'a>(bar: &DayBar, incidents: &'a [Incident]) -> Vec<&'a Incident> {
    let (start, end) = (
        bar.start * 1_000_000_000,
        (bar.start + DAY_SECS) * 1_000_000_000,
    );
    incidents
        .iter()
        .filter(|inc| {
            let closed = inc.resolved_at().unwrap_or(i64::MAX);
            inc.opened < end && closed >= start
        })
        .collect()
}

/// Gives a bar its role and accessible name (which the stylesheet also shows
/// as the tooltip) if it has none yet. Bars are named when first hovered,
/// focused or reached by the arrow keys, not all when drawn: 50 checks have
/// 4,500 bars, and describing them all was a large part of the first render.
fn name_bar(element: &web_sys::Element, bars: &[DayBar], incidents: &[Incident]) {
    if !element.class_list().contains("bar") || element.has_attribute("aria-label") {
        return;
    }
    let mut index = 0;
    let mut previous = element.previous_element_sibling();
    while let Some(p) = previous {
        index += 1;
        previous = p.previous_element_sibling();
    }
    if let Some(bar) = bars.get(index) {
        let _ = element.set_attribute("role", "img");
        let _ = element.set_attribute("aria-label", &describe(bar, &touching(bar, incidents)));
    }
}

/// Appends `text` to markup, escaped for an attribute value or element text.
fn escape_into(markup: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => markup.push_str("&amp;"),
            '<' => markup.push_str("&lt;"),
            '>' => markup.push_str("&gt;"),
            '"' => markup.push_str("&quot;"),
            '\'' => markup.push_str("&#39;"),
            c => markup.push(c),
        }
    }
}

fn event_element(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
}

#[component]
pub fn DayBars(title: String, bars: Vec<DayBar>, incidents: Vec<Incident>) -> impl IntoView {
    let bars_count = bars.len();
    // The bars as markup, parsed by the browser in one call: with hundreds
    // of checks, tens of thousands of bars made one at a time were most of
    // the first render. Every text in it is escaped.
    let mut spans = String::with_capacity(bars_count * 48);
    for (i, bar) in bars.iter().enumerate() {
        let edge = if i < 12 {
            " tip-start"
        } else if i + 12 >= bars_count {
            " tip-end"
        } else {
            ""
        };
        let during = touching(bar, &incidents);
        let marked = if during.is_empty() {
            ""
        } else {
            " has-incident"
        };
        spans.push_str("<span class=\"bar bar-");
        spans.push_str(bar.level().key());
        spans.push_str(edge);
        spans.push_str(marked);
        spans.push('"');
        // The last day is the row's tab stop, so it is named from the start.
        if i + 1 == bars_count {
            spans.push_str(" role=\"img\" tabindex=\"0\" aria-label=\"");
            escape_into(&mut spans, &describe(bar, &during));
            spans.push('"');
        }
        spans.push_str("></span>");
    }
    let data = std::rc::Rc::new((bars, incidents));
    // Pointing at (or tapping) a bar and focusing it both name it.
    let name_target = {
        let data = data.clone();
        move |ev: &web_sys::Event| {
            if let Some(el) = event_element(ev) {
                name_bar(&el, &data.0, &data.1);
            }
        }
    };
    let on_point = {
        let name_target = name_target.clone();
        move |ev: web_sys::PointerEvent| name_target(&ev)
    };
    let on_focus = move |ev: web_sys::FocusEvent| name_target(&ev);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(current) = event_element(&ev) else {
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
        // Only the row's tab stop carries a tabindex when drawn; a day gets
        // one (and its name) when the keys reach it.
        if let Some(next) = next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
            name_bar(&next, &data.0, &data.1);
            let _ = current.set_attribute("tabindex", "-1");
            let _ = next.set_attribute("tabindex", "0");
            let _ = next.focus();
        }
    };
    view! {
        <div class="bars" role="group" on:keydown=on_key on:pointerover=on_point on:focusin=on_focus
            aria-label=fill(Text::BarsLabel, &[&title, &count(bars_count as i64, Unit::Day, true)])
            inner_html=spans>
        </div>
        <div class="bars-legend" aria-hidden="true">
            <span>{relative(-(bars_count as i64), "day")}</span>
            <span>{relative(0, "day")}</span>
        </div>
    }
}
