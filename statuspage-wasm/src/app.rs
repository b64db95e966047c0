//! The app: starts the page's live data (`data::live`), keeps the chosen
//! window and check in the URL and the verdict in the tab, and lays out the
//! views. It holds no data of its own.

use leptos::prelude::*;

use crate::data::{PageData, Source};
use crate::i18n::intl::{Unit, count};
use crate::i18n::{Text, fill, t};
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
        spoken,
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
    Effect::new(move |_| data.want_whole.set(selected.with(Option::is_some)));
    Effect::new(move |_| config.with(|c| c.as_ref().map(page_state::apply_colors)));
    let title = move || {
        config.with(|c| {
            c.as_ref()
                .map(|c| c.title.clone())
                .unwrap_or_else(|| t(Text::Status).into())
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

    move || {
        spoken.get().then(|| view! {
        <Header config=config/>
        <main id="main">
            {move || config_problem.get().map(|e| view! { <Problem error=e fatal=true/> })}
            {move || storage_problem.get().map(|e| view! { <Problem error=e fatal=false/> })}
            {move || {
                let loading = config_problem.with(Option::is_none) && !data.ready();
                loading.then(|| view! { <p class="loading" role="status">{t(Text::Loading)}</p> })
            }}
            {move || {
                data.ready().then(|| {
                    let cfg = config.get().expect("checked above");
                    view! {
                        {move || (!nothing_to_say.get()).then(|| view! {
                            <Banner/>
                        })}
                        {move || (source.get() == Source::Raw).then(|| view! {
                            <p class="fallback" role="note">{fill(
                                Text::RawOnly,
                                &[&count(cfg.window_hours.into(), Unit::Hour, true)],
                            )}</p>
                        })}
                        {move || {
                            let list = skipped.get();
                            (!list.is_empty()).then(|| {
                                let first = list.first().map(|(n, why)| fill(Text::SkippedExample, &[n, why]));
                                view! {
                                    <details class="skipped" role="note">
                                        <summary>{fill(Text::Skipped, &[&list.len().to_string()])}</summary>
                                        <p>{first}</p>
                                    </details>
                                }
                            })
                        }}
                        {move || {
                            let nodes = second_writers.get();
                            (!nodes.is_empty()).then(|| view! {
                                <p class="fallback second-writer" role="note">{fill(
                                    Text::SecondWriter,
                                    &[&nodes.join(", ")],
                                )}</p>
                            })
                        }}
                        <Incidents incidents=incidents now=now/>
                        <ScheduledMaintenance maintenance=maintenance now=now/>
                        <Timeline incidents=incidents maintenance=maintenance now=now/>
                        <div class="list-head">
                            <h2 class="section-title">{t(Text::Services)}</h2>
                            <WindowPicker window=window/>
                        </div>
                        <CheckList checks=checks incidents=incidents config=cfg.clone() now=now window=window selected=selected whole=data.whole first_paint=data.first_paint/>
                    }
                })
            }}
        </main>
        <footer>
            {move || match source.get() {
                Source::Views => t(Text::FooterViews).to_string(),
                Source::Raw => fill(Text::FooterRaw, &[&count(config.with(|c| c.as_ref().map(|c| c.window_hours).unwrap_or(24)).into(), Unit::Hour, true)]),
            }}
        </footer>
    })
    }
}
