//! The page header: logo, title, the configured links, the Subscribe menu
//! (the feed, calendar and API the checkers write beside the views), and
//! the theme toggle and the language picker.

use checkup_model::PageConfig;
use checkup_model::contract::page_config::Link;
use checkup_model::contract::page_config::{LANGUAGES, is_safe_url};
use leptos::prelude::*;

use crate::app::FEED_KEY;
use crate::data::{PageData, Source};
use crate::i18n::{Text, language, t};
use crate::page_state::{current_theme, set_theme};

/// What a visitor can subscribe to: (label, storage key, media type).
const SUBSCRIPTIONS: [(Text, &str, &str); 3] = [
    (Text::AtomFeed, FEED_KEY, "application/atom+xml"),
    (
        Text::MaintenanceCalendar,
        "maintenance.ics",
        "text/calendar",
    ),
    (Text::StatusApi, "api/v2/summary.json", "application/json"),
];

#[component]
pub fn Header(config: RwSignal<Option<PageConfig>>) -> impl IntoView {
    let theme = RwSignal::new(current_theme());
    set_theme(theme.get_untracked(), false);
    let toggle = move |_| {
        let next = if theme.get_untracked() == "dark" {
            "light"
        } else {
            "dark"
        };
        set_theme(next, true);
        theme.set(next);
    };
    let title = move || {
        config.with(|c| {
            c.as_ref()
                .map(|c| c.title.clone())
                .unwrap_or_else(|| t(Text::Status).into())
        })
    };
    let logo = move || {
        config.with(|c| {
            c.as_ref()
                .and_then(|c| c.logo_url.clone())
                .filter(|u| is_safe_url(u))
                .map(|src| view! { <img class="logo" src=src alt="" width="32" height="32"/> })
        })
    };
    let data = use_context::<PageData>();
    let links = move || {
        config.with(|c| {
            let mut links = c.as_ref().map(|c| c.links.clone()).unwrap_or_default();
            // The status page links to the monthly reports (which link back themselves).
            if data.is_some() {
                links.push(Link {
                    label: t(Text::Reports).into(),
                    url: "reports.html".into(),
                });
            }
            links
                .into_iter()
                .filter(|l| is_safe_url(&l.url))
                .map(|l| view! { <li><a href=l.url rel="noopener">{l.label}</a></li> })
                .collect_view()
        })
    };
    // Only where checkers write views: an old checkup bucket has no feeds.
    let subscribe = move || {
        let data = data?;
        if !data.ready() || data.source.get() != Source::Views {
            return None;
        }
        let links = config.with(|c| {
            let storage = &c.as_ref()?.storage;
            Some(
                SUBSCRIPTIONS
                    .iter()
                    .map(|(label, key, kind)| (t(*label), storage.public_url(key), *kind))
                    .filter(|(_, url, _)| is_safe_url(url))
                    .map(|(label, url, kind)| {
                        view! { <li><a href=url type=kind>{label}</a></li> }
                    })
                    .collect_view(),
            )
        })?;
        Some(view! {
            <details class="subscribe">
                <summary>{t(Text::Subscribe)}</summary>
                <ul>{links}</ul>
            </details>
        })
    };
    view! {
        <a class="skip" href="#main">{t(Text::SkipToContent)}</a>
        <header class="top">
            <div class="brand">
                {logo}
                <h1>{title}</h1>
            </div>
            <nav aria-label=t(Text::Links)>
                <ul class="links">{links}</ul>
            </nav>
            {subscribe}
            <button class="theme-toggle" type="button" on:click=toggle
                aria-label=move || t(if theme.get() == "dark" { Text::ToLight } else { Text::ToDark })
                aria-pressed=move || (theme.get() == "dark").to_string()>
                <span aria-hidden="true">{move || if theme.get() == "dark" { "☀" } else { "☾" }}</span>
            </button>
            {language_picker()}
        </header>
    }
}

/// Every language the page speaks, by its own name; a pick is remembered.
fn language_picker() -> impl IntoView {
    let current = language::current();
    let on_change = |ev: leptos::ev::Event| language::pick(&event_target_value(&ev));
    view! {
        <select class="language" aria-label=t(Text::Language) on:change=on_change>
            {LANGUAGES.iter().map(|(tag, name)| view! {
                <option value=*tag lang=*tag selected=*tag == current>{*name}</option>
            }).collect_view()}
        </select>
    }
}
