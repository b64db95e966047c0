//! The app: loads `config.json`, then refreshes results on the configured
//! interval (fetching only new files) and lays out the views.

use checkup_model::summary::{newest_timestamp, overall, summarize};
use checkup_model::{PageConfig, summary::CheckSummary};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::data::{LoadError, Loaded, fetch_new, load_config};
use crate::time::now_nanos;
use crate::views::{Banner, CheckList, Problem};

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;

#[component]
pub fn App() -> impl IntoView {
    let config = RwSignal::new(None::<PageConfig>);
    // Without a usable config there is nothing to show but the reason.
    let config_problem = RwSignal::new(None::<LoadError>);
    // A failed refresh keeps what was loaded before and says why it is not newer.
    let storage_problem = RwSignal::new(None::<LoadError>);
    let loaded = RwSignal::new(Loaded::default());
    let refreshed_once = RwSignal::new(false);
    let now = RwSignal::new(now_nanos());

    spawn_local(async move {
        let cfg = match load_config().await {
            Ok(cfg) => cfg,
            Err(e) => {
                config_problem.set(Some(e));
                return;
            }
        };
        document().set_title(&cfg.title);
        config.set(Some(cfg.clone()));
        loop {
            let since = now_nanos() - i64::from(cfg.window_hours) * NANOS_PER_HOUR;
            let known = loaded.with_untracked(Loaded::known_names);
            match fetch_new(&cfg, &known, since).await {
                Ok(fetched) => {
                    loaded.update(|l| {
                        l.evict_before(since);
                        l.absorb(fetched);
                    });
                    storage_problem.set(None);
                }
                Err(e) => storage_problem.set(Some(e)),
            }
            now.set(now_nanos());
            refreshed_once.set(true);
            TimeoutFuture::new(cfg.refresh_interval_secs.saturating_mul(1000)).await;
        }
    });

    let checks: Memo<Vec<CheckSummary>> = Memo::new(move |_| {
        loaded.with(|l| summarize(l.rounds.values().map(|(_, r)| r.as_slice())))
    });
    // How many files were unreadable, and the first one with its reason.
    let skipped = Memo::new(move |_| {
        loaded.with(|l| {
            (
                l.skipped.len(),
                l.skipped
                    .iter()
                    .next()
                    .map(|(n, why)| format!("{n}: {why}")),
            )
        })
    });
    let title = move || {
        config.with(|c| {
            c.as_ref()
                .map(|c| c.title.clone())
                .unwrap_or_else(|| "Status".into())
        })
    };
    let window_hours = move || config.with(|c| c.as_ref().map(|c| c.window_hours).unwrap_or(24));

    view! {
        <header class="top">
            <h1>{title}</h1>
        </header>
        <main>
            {move || config_problem.get().map(|e| view! { <Problem error=e fatal=true/> })}
            {move || storage_problem.get().map(|e| view! { <Problem error=e fatal=false/> })}
            {move || {
                let ready = config.with(Option::is_some) && refreshed_once.get();
                let loading = config_problem.with(Option::is_none) && !ready;
                loading.then(|| view! { <p class="loading" role="status">"Loading results…"</p> })
            }}
            {move || {
                (config.with(Option::is_some) && refreshed_once.get()).then(|| {
                    let list = checks.get();
                    let now = now.get();
                    let end = now;
                    // Charts span the data there is, up to the window: a new
                    // install shows its first minutes across the full width.
                    let window_start = end - i64::from(window_hours()) * NANOS_PER_HOUR;
                    let oldest = list.iter().filter_map(|c| c.series.first()).map(|p| p.timestamp).min();
                    let start = oldest.unwrap_or(window_start).max(window_start).min(end - 60_000_000_000);
                    // With storage unreachable and nothing loaded, the problem says it all.
                    let nothing_to_say = list.is_empty() && storage_problem.with(Option::is_some);
                    view! {
                        {(!nothing_to_say).then(|| view! {
                            <Banner overall=overall(&list) newest=newest_timestamp(&list) now=now/>
                        })}
                        {move || {
                            let (count, first) = skipped.get();
                            (count > 0).then(|| view! {
                                <details class="skipped" role="note">
                                    <summary>{format!("{count} result file(s) could not be read and were skipped.")}</summary>
                                    <p>{first.map(|f| format!("For example {f}"))}</p>
                                </details>
                            })
                        }}
                        <CheckList checks=list now=now start=start end=end/>
                    }
                })
            }}
        </main>
        <footer>
            {move || format!("Showing the last {} h · times in your local time zone", window_hours())}
        </footer>
    }
}
