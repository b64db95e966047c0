//! The page's live data: the signals the refresh loop fills (config, the
//! nodes' views, what failed) and what is derived from them (each check's
//! overview, the verdict, incidents, staleness). Started once by the app and
//! provided through context; views only read it.

use checkup_model::contract::announced::{Announced, merge_announced};
use checkup_model::contract::incident::fold_incidents;
use checkup_model::derive::merge::{Overall, stale_after_secs};
use checkup_model::derive::overview::{CheckOverview, overall, overview};
use checkup_model::{Incident, NodeView, PageConfig};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{LoadError, list_views, load_config, raw_views, update_views};
use crate::i18n::language;
use crate::perf;
use crate::time::now_nanos;

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;

/// Where the history on screen came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The nodes' history views: 90 days.
    Views,
    /// Raw round files of the last `window_hours`: no views in storage.
    Raw,
}

/// Everything the page shows, as signals. Copy, like the signals it holds.
#[derive(Clone, Copy)]
pub struct PageData {
    pub config: RwSignal<Option<PageConfig>>,
    /// Without a usable config there is nothing to show but the reason.
    pub config_problem: RwSignal<Option<LoadError>>,
    /// A failed refresh keeps what was loaded before and says why it is not newer.
    pub storage_problem: RwSignal<Option<LoadError>>,
    pub views: RwSignal<Vec<NodeView>>,
    pub source: RwSignal<Source>,
    /// Files that could not be read: (name, why).
    pub skipped: RwSignal<Vec<(String, String)>>,
    pub refreshed_once: RwSignal<bool>,
    /// The page's texts are loaded: nothing is drawn before.
    pub spoken: RwSignal<bool>,
    /// Unix nanoseconds of the last refresh: what "now" means on screen.
    pub now: RwSignal<i64>,
    pub incidents: Memo<Vec<Incident>>,
    /// Announced maintenance of all nodes, each occurrence once.
    pub maintenance: Memo<Vec<Announced>>,
    pub checks: Memo<Vec<CheckOverview>>,
    pub verdict: Memo<Overall>,
    /// Nothing loaded and storage failing: the banner has nothing to say.
    /// A memo, so the layout depends on this yes/no and not on every
    /// change of the checks (which would rebuild it all on each refresh).
    pub nothing_to_say: Memo<bool>,
    /// The newest view's update time (Unix nanoseconds).
    pub newest: Memo<Option<i64>>,
    /// The newest view is older than three check intervals.
    pub stale: Memo<bool>,
    /// A check is open: its chart needs the nodes' whole views, not the
    /// summaries the first paint reads. Set by the app.
    pub want_whole: RwSignal<bool>,
    /// Every view held is whole (none is a summary): charts can be drawn.
    pub whole: Memo<bool>,
    /// The first load is on screen: what waited for it can be drawn.
    pub first_paint: RwSignal<bool>,
    /// Nodes whose view says another checker writes under their name.
    pub second_writers: Memo<Vec<String>>,
}

impl PageData {
    /// Creates the signals and starts loading: `config.json` and the texts
    /// of the page's language, then on the configured interval the nodes'
    /// history views (or, for storage without views, the raw round files of
    /// the window, folded into views here).
    pub fn start() -> PageData {
        let views = RwSignal::new(Vec::<NodeView>::new());
        let now = RwSignal::new(now_nanos());
        let storage_problem = RwSignal::new(None::<LoadError>);
        let incidents =
            Memo::new(move |_| views.with(|v| fold_incidents(v.iter().flat_map(|v| &v.incidents))));
        let checks = Memo::new(move |_| {
            let now_secs = now.get() / 1_000_000_000;
            views.with(|v| overview(v, now_secs, stale_after_secs(v)))
        });
        let newest = Memo::new(move |_| views.with(|v| v.iter().map(|v| v.updated).max()));
        let want_whole = RwSignal::new(false);
        let whole = Memo::new(move |_| views.with(|v| v.iter().all(|v| !v.summary)));
        // Opening a check while summaries are held wakes the refresh loop,
        // so its chart is drawn now rather than at the next refresh.
        Effect::new(move |_| {
            if want_whole.get() && !whole.get() {
                wake();
            }
        });
        let data = PageData {
            config: RwSignal::new(None),
            config_problem: RwSignal::new(None),
            storage_problem,
            views,
            source: RwSignal::new(Source::Views),
            skipped: RwSignal::new(Vec::new()),
            refreshed_once: RwSignal::new(false),
            spoken: RwSignal::new(false),
            now,
            incidents,
            maintenance: Memo::new(move |_| {
                views.with(|v| merge_announced(v.iter().flat_map(|v| &v.maintenance)))
            }),
            checks,
            verdict: Memo::new(move |_| checks.with(|c| overall(c))),
            nothing_to_say: Memo::new(move |_| {
                checks.with(Vec::is_empty) && storage_problem.with(Option::is_some)
            }),
            newest,
            second_writers: Memo::new(move |_| {
                views.with(|v| {
                    v.iter()
                        .filter(|v| v.second_writer)
                        .map(|v| v.node.clone())
                        .collect()
                })
            }),
            stale: Memo::new(move |_| {
                let now = now.get();
                views.with(|v| {
                    newest.get().is_some_and(|n| {
                        now - n > stale_after_secs(v).saturating_mul(1_000_000_000)
                    })
                })
            }),
            want_whole,
            whole,
            first_paint: RwSignal::new(false),
        };
        spawn_local(data.refresh_forever());
        data
    }

    /// Whether the config is loaded and the first refresh has ended.
    pub fn ready(&self) -> bool {
        self.config.with(Option::is_some) && self.refreshed_once.get()
    }

    async fn refresh_forever(self) {
        let config = load_config().await;
        language::learn(config.as_ref().ok().and_then(|c| c.language.as_deref())).await;
        self.spoken.set(true);
        let cfg = match config {
            Ok(cfg) => cfg,
            Err(e) => {
                self.config_problem.set(Some(e));
                return;
            }
        };
        perf::mark("config");
        self.config.set(Some(cfg.clone()));
        loop {
            let first = !self.refreshed_once.get_untracked();
            self.refresh(&cfg, first).await;
            self.now.set(now_nanos());
            set_if_changed(self.refreshed_once, true);
            if first {
                // Once the views are on screen (effects run before a zero
                // timeout fires; then layout and paint), mark it for the
                // benchmark to read. A task of its own: a tab in the
                // background gets no animation frames, and refreshing must
                // not wait for one.
                let first_paint = self.first_paint;
                spawn_local(async move {
                    TimeoutFuture::new(0).await;
                    perf::painted().await;
                    perf::mark("rendered");
                    first_paint.set(true);
                    perf::painted().await;
                    perf::mark("complete");
                });
            }
            // A check opened during that refresh gets its chart now.
            if !self.want_whole.get_untracked() || self.whole.get_untracked() {
                let sleep = TimeoutFuture::new(cfg.refresh_interval_secs.saturating_mul(1000));
                futures::future::select(sleep, woken()).await;
            }
        }
    }

    /// One refresh: the views, or raw files when storage has none.
    async fn refresh(&self, cfg: &PageConfig, first: bool) {
        let listed = list_views(cfg).await;
        match listed {
            Ok(listed) if !listed.is_empty() => {
                // Taken, not copied: the views are set again below, and
                // nothing reads them meanwhile but the memos, untouched.
                let held = if first {
                    Vec::new()
                } else {
                    self.views
                        .try_update_untracked(std::mem::take)
                        .unwrap_or_default()
                };
                let whole = self.want_whole.get_untracked();
                let fetched = update_views(listed, held, whole).await;
                if first {
                    perf::mark("views");
                }
                set_if_changed(self.source, Source::Views);
                set_if_changed(self.skipped, fetched.skipped);
                self.views.set(fetched.views);
                set_if_changed(self.storage_problem, None);
            }
            Ok(_) => {
                // No views: an old checkup bucket. Raw files of the window,
                // read by a module of their own that keeps what it loaded
                // and fetches only files not seen before.
                set_if_changed(self.source, Source::Raw);
                let since = now_nanos() - i64::from(cfg.window_hours) * NANOS_PER_HOUR;
                match raw_views(since).await {
                    Ok(raw) => {
                        set_if_changed(self.storage_problem, raw.problem);
                        set_if_changed(self.skipped, raw.skipped);
                        self.views.set(raw.views);
                    }
                    Err(e) => set_if_changed(self.storage_problem, Some(e)),
                }
            }
            Err(e) => set_if_changed(self.storage_problem, Some(e)),
        }
    }
}

thread_local! {
    /// Resolves the promise the refresh loop sleeps on besides its timer.
    static WAKE: std::cell::RefCell<Option<js_sys::Function>> = const { std::cell::RefCell::new(None) };
}

/// A future that [`wake`] resolves: a promise, as the page already awaits
/// them, where a channel would add its own code.
fn woken() -> wasm_bindgen_futures::JsFuture {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        WAKE.with(|w| w.replace(Some(resolve)));
    });
    wasm_bindgen_futures::JsFuture::from(promise)
}

/// Ends the refresh loop's sleep (and nothing when it is not sleeping).
fn wake() {
    if let Some(resolve) = WAKE.with(|w| w.take()) {
        let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
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
