//! The app: starts the page's live data (`data::live`), keeps the chosen
//! window and check in the URL and the verdict in the tab, and lays out the
//! views. It holds no data of its own.

use leptos::prelude::*;

use crate::data::{PageData, Source};
use crate::page_state;
use crate::views::{
    Banner, CheckList, Header, Incidents, Problem, ScheduledMaintenance, Timeline, WindowPicker,
};

/// The status feed the checkers write, as a storage key.
pub const FEED_KEY: &str = "feeds/status.atom";

#[component]
pub fn App() -> impl IntoView {
    let data = PageData::start();
    provide_context(data);
    let PageData {
        config,
        config_problem,
        storage_problem,
        source,
        skipped,
        refreshed_once,
        now,
        incidents,
        maintenance,
        checks,
        verdict,
        nothing_to_say,
        second_writers,
        ..
    } = data;
    let (window, selected) = page_state::from_url();
    let window = RwSignal::new(window);
    let selected = RwSignal::new(selected);
    Effect::new(move |_| page_state::to_url(window.get(), selected.get().as_deref()));
    Effect::new(move |_| config.with(|c| c.as_ref().map(page_state::apply_colors)));
    let title = move || {
        config.with(|c| {
            c.as_ref()
                .map(|c| c.title.clone())
                .unwrap_or_else(|| "Status".into())
        })
    };
    Effect::new(move |_| {
        if refreshed_once.get() {
            page_state::show_state_in_tab(verdict.get(), &title());
        }
    });
    // Once: the feed exists where the checkers write views.
    Effect::new(move |linked: Option<bool>| {
        if linked == Some(true) || !refreshed_once.get() || source.get() != Source::Views {
            return linked.unwrap_or(false);
        }
        config.with_untracked(|c| {
            c.as_ref().map(|c| {
                let href = c.storage.public_url(FEED_KEY);
                page_state::link_feed(&href, &format!("{} (Atom)", c.title));
            })
        });
        true
    });

    view! {
        <Header config=config/>
        <main id="main">
            {move || config_problem.get().map(|e| view! { <Problem error=e fatal=true/> })}
            {move || storage_problem.get().map(|e| view! { <Problem error=e fatal=false/> })}
            {move || {
                let loading = config_problem.with(Option::is_none) && !data.ready();
                loading.then(|| view! { <p class="loading" role="status">"Loading status…"</p> })
            }}
            {move || {
                data.ready().then(|| {
                    let cfg = config.get().expect("checked above");
                    view! {
                        {move || (!nothing_to_say.get()).then(|| view! {
                            <Banner/>
                        })}
                        {move || (source.get() == Source::Raw).then(|| view! {
                            <p class="fallback" role="note">{format!(
                                "This storage has no history views, so the page shows only the raw results of the last {} h. Run `checker rebuild` on each node to get 90 days of history.",
                                cfg.window_hours
                            )}</p>
                        })}
                        {move || {
                            let list = skipped.get();
                            (!list.is_empty()).then(|| {
                                let first = list.first().map(|(n, why)| format!("For example {n}: {why}"));
                                view! {
                                    <details class="skipped" role="note">
                                        <summary>{format!("{} file(s) could not be read and were skipped.", list.len())}</summary>
                                        <p>{first}</p>
                                    </details>
                                }
                            })
                        }}
                        {move || {
                            let nodes = second_writers.get();
                            (!nodes.is_empty()).then(|| view! {
                                <p class="fallback second-writer" role="note">{format!(
                                    "Two checkers write as the same node ({}): the figures for that location mix both and cannot be trusted until one is renamed.",
                                    nodes.join(", ")
                                )}</p>
                            })
                        }}
                        <Incidents incidents=incidents now=now/>
                        <ScheduledMaintenance maintenance=maintenance now=now/>
                        <Timeline incidents=incidents maintenance=maintenance now=now/>
                        <div class="list-head">
                            <h2 class="section-title">"Services"</h2>
                            <WindowPicker window=window/>
                        </div>
                        <CheckList checks=checks incidents=incidents config=cfg.clone() now=now window=window selected=selected/>
                    }
                })
            }}
        </main>
        <footer>
            {move || match source.get() {
                Source::Views => "Daily bars cover 90 days (UTC days) · times in your local time zone".to_string(),
                Source::Raw => format!("Showing the last {} h · times in your local time zone", config.with(|c| c.as_ref().map(|c| c.window_hours).unwrap_or(24))),
            }}
        </footer>
    }
}
