//! The app: loads `config.json`, then on the configured interval the nodes'
//! history views (or, for storage without views, the raw round files of the
//! window, folded into views here), and lays out the views.

use checkup_model::incident::fold_incidents;
use checkup_model::overview::{ChartWindow, CheckOverview, overall, overview};
use checkup_model::summary::Overall;
use checkup_model::{NodeView, PageConfig, ResultFileName};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::data::{LoadError, Loaded, fetch_new, fetch_views, load_config};
use crate::page_state;
use crate::perf;
use crate::time::now_nanos;
use crate::views::{Banner, CheckList, Header, Incidents, Problem, WindowPicker};

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;
/// With no interval known, a view older than this is stale.
const DEFAULT_STALE_SECS: i64 = 15 * 60;

/// Where the history on screen came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The nodes' history views: 90 days.
    Views,
    /// Raw round files of the last `window_hours`: no views in storage.
    Raw,
}

#[component]
pub fn App() -> impl IntoView {
    let config = RwSignal::new(None::<PageConfig>);
    // Without a usable config there is nothing to show but the reason.
    let config_problem = RwSignal::new(None::<LoadError>);
    // A failed refresh keeps what was loaded before and says why it is not newer.
    let storage_problem = RwSignal::new(None::<LoadError>);
    let views = RwSignal::new(Vec::<NodeView>::new());
    let source = RwSignal::new(Source::Views);
    let skipped = RwSignal::new(Vec::<(String, String)>::new());
    let refreshed_once = RwSignal::new(false);
    let now = RwSignal::new(now_nanos());
    let (window, selected) = page_state::from_url();
    let window = RwSignal::new(window);
    let selected = RwSignal::new(selected);
    Effect::new(move |_| page_state::to_url(window.get(), selected.get().as_deref()));

    spawn_local(async move {
        let cfg = match load_config().await {
            Ok(cfg) => cfg,
            Err(e) => {
                config_problem.set(Some(e));
                return;
            }
        };
        perf::mark("config");
        page_state::apply_colors(&cfg);
        config.set(Some(cfg.clone()));
        let mut raw = Loaded::default();
        loop {
            let first = !refreshed_once.get_untracked();
            let fetched_views = fetch_views(&cfg).await;
            if first {
                perf::mark("views");
            }
            match fetched_views {
                Ok(fetched) if !fetched.views.is_empty() || !fetched.skipped.is_empty() => {
                    set_if_changed(source, Source::Views);
                    set_if_changed(skipped, fetched.skipped);
                    views.set(fetched.views);
                    set_if_changed(storage_problem, None);
                }
                Ok(_) => {
                    // No views: an old checkup bucket. Raw files of the window,
                    // fetching only files not seen before.
                    set_if_changed(source, Source::Raw);
                    let since = now_nanos() - i64::from(cfg.window_hours) * NANOS_PER_HOUR;
                    match fetch_new(&cfg, &raw, since).await {
                        Ok(fetched) => {
                            raw.evict_before(since);
                            raw.absorb(fetched);
                            set_if_changed(storage_problem, None);
                        }
                        Err(e) => set_if_changed(storage_problem, Some(e)),
                    }
                    set_if_changed(skipped, raw.skipped.clone().into_iter().collect());
                    views.set(views_of_raw(&raw));
                }
                Err(e) => set_if_changed(storage_problem, Some(e)),
            }
            now.set(now_nanos());
            set_if_changed(refreshed_once, true);
            if first {
                // Once the views are on screen (effects run before a zero
                // timeout fires; then layout and paint), mark it for the
                // benchmark to read. A task of its own: a tab in the
                // background gets no animation frames, and refreshing must
                // not wait for one.
                spawn_local(async {
                    TimeoutFuture::new(0).await;
                    perf::painted().await;
                    perf::mark("rendered");
                });
            }
            TimeoutFuture::new(cfg.refresh_interval_secs.saturating_mul(1000)).await;
        }
    });

    let incidents =
        Memo::new(move |_| views.with(|v| fold_incidents(v.iter().flat_map(|v| &v.incidents))));
    let checks: Memo<Vec<CheckOverview>> = Memo::new(move |_| {
        let now_secs = now.get() / 1_000_000_000;
        views.with(|v| overview(v, now_secs, stale_after(v)))
    });
    let verdict = Memo::new(move |_| checks.with(|c| overall(c)));
    // A memo, so the page's layout depends on this yes/no and not on every
    // change of the checks (which would rebuild it all on each refresh).
    let nothing_to_say =
        Memo::new(move |_| checks.with(Vec::is_empty) && storage_problem.with(Option::is_some));
    let newest = Memo::new(move |_| views.with(|v| v.iter().map(|v| v.updated).max()));
    let stale = Memo::new(move |_| {
        let now = now.get();
        views.with(|v| {
            newest
                .get()
                .is_some_and(|n| now - n > stale_after(v).saturating_mul(1_000_000_000))
        })
    });
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

    view! {
        <Header config=config/>
        <main id="main">
            {move || config_problem.get().map(|e| view! { <Problem error=e fatal=true/> })}
            {move || storage_problem.get().map(|e| view! { <Problem error=e fatal=false/> })}
            {move || {
                let ready = config.with(Option::is_some) && refreshed_once.get();
                let loading = config_problem.with(Option::is_none) && !ready;
                loading.then(|| view! { <p class="loading" role="status">"Loading status…"</p> })
            }}
            {move || {
                (config.with(Option::is_some) && refreshed_once.get()).then(|| {
                    let cfg = config.get().expect("checked above");
                    view! {
                        {move || (!nothing_to_say.get()).then(|| view! {
                            <Banner overall=verdict newest=newest now=now stale=stale/>
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
                        <Incidents incidents=incidents now=now/>
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

/// Sets `signal` only when `value` differs. A set always notifies, and what
/// reads the signal is built again: without this, every refresh rebuilt the
/// whole list (closing an opened "skipped files" note, dropping focus).
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    signal.maybe_update(|current| {
        let changed = *current != value;
        if changed {
            *current = value;
        }
        changed
    });
}

/// Three intervals of the slowest node, or a default for views without one.
fn stale_after(views: &[NodeView]) -> i64 {
    views
        .iter()
        .map(|v| v.interval_secs)
        .max()
        .filter(|&i| i > 0)
        .map(|i| i * 3)
        .unwrap_or(DEFAULT_STALE_SECS)
}

fn views_of_raw(raw: &Loaded) -> Vec<NodeView> {
    let named: Vec<(ResultFileName, &[checkup_model::CheckResult])> = raw
        .rounds
        .iter()
        .filter_map(|(name, (_, results))| {
            ResultFileName::parse(name)
                .ok()
                .map(|n| (n, results.as_slice()))
        })
        .collect();
    checkup_model::overview::views_from_rounds(named.iter().map(|(n, r)| (n, *r)))
}

/// The overall state as the tab shows it.
pub fn tab_word(overall: Overall) -> Option<&'static str> {
    match overall {
        Overall::Operational | Overall::NoData => None,
        other => Some(other.headline()),
    }
}

/// The chart window chosen when the URL names none.
pub const DEFAULT_WINDOW: ChartWindow = ChartWindow::Day;
