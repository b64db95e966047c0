//! The page header: logo, title, the configured links, and the theme toggle.

use checkup_model::PageConfig;
use checkup_model::contract::page_config::is_safe_url;
use leptos::prelude::*;

use crate::page_state::{current_theme, set_theme};

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
                .unwrap_or_else(|| "Status".into())
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
    let links = move || {
        config.with(|c| {
            c.as_ref()
                .map(|c| c.links.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|l| is_safe_url(&l.url))
                .map(|l| view! { <li><a href=l.url rel="noopener">{l.label}</a></li> })
                .collect_view()
        })
    };
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="top">
            <div class="brand">
                {logo}
                <h1>{title}</h1>
            </div>
            <nav aria-label="Links">
                <ul class="links">{links}</ul>
            </nav>
            <button class="theme-toggle" type="button" on:click=toggle
                aria-label=move || if theme.get() == "dark" { "Switch to light theme" } else { "Switch to dark theme" }
                aria-pressed=move || (theme.get() == "dark").to_string()>
                <span aria-hidden="true">{move || if theme.get() == "dark" { "☀" } else { "☾" }}</span>
            </button>
        </header>
    }
}
