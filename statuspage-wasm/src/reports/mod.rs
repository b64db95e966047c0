//! The Reports page (`reports.html`, its own module loaded only there):
//! pick a month with reports, see each check's availability merged over
//! the locations with the page's rule (`checkup_model::derive::report_merge`)
//! against the `sla` target of `config.json`, download it as CSV, print
//! it. It reads the same `config.json`, storage and language files as the
//! status page.

mod month_table;
pub mod texts;

use std::collections::HashMap;

use checkup_model::PageConfig;
use checkup_model::contract::page_config::sla_percent;
use checkup_model::contract::report::Month;
use checkup_model::derive::report_merge::{MergedMonth, merge_reports, report_csv};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::data::reports::{ListedReport, list_reports, month_reports};
use crate::data::{LoadError, load_config};
use crate::i18n::language;
use crate::views::{Header, Problem};
use month_table::MonthTable;
use texts::{Said, said};

/// Mounts the Reports page.
pub fn run() {
    std::panic::set_hook(Box::new(|panic| {
        web_sys::console::error_1(&panic.to_string().into());
    }));
    leptos::mount::mount_to_body(ReportsApp);
}

/// What the page has loaded.
#[derive(Clone, Default)]
struct Loaded {
    config: Option<PageConfig>,
    /// The availability target, percent.
    sla: Option<f64>,
    listed: Vec<ListedReport>,
    problem: Option<LoadError>,
}

/// A month's reports merged, and those that could not be read: (key, why).
type Fetched = (MergedMonth, Vec<(String, String)>);

/// The month asked for in the URL (`?month=2026-11`).
fn month_in_url() -> Option<Month> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    Month::parse(&params.get("month")?)
}

/// Keeps the picked month in the URL, so a link or a reload shows it.
fn month_to_url(month: Month) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let url = format!("?month={month}");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// A month as the language names it, in UTC ("November 2026").
fn month_name(month: Month) -> String {
    let options =
        crate::i18n::intl::options(&[("year", "numeric"), ("month", "long"), ("timeZone", "UTC")]);
    let format = js_sys::Intl::DateTimeFormat::new(&crate::i18n::intl::locales(), &options);
    let date = js_sys::Date::new(&(month.start_secs() as f64 * 1000.0).into());
    format
        .format()
        .call1(&wasm_bindgen::JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| month.to_string())
}

/// Loads the config, the language and the list of reports.
async fn load() -> Loaded {
    let config = match load_config().await {
        Ok(config) => config,
        Err(problem) => {
            language::learn(None).await;
            return Loaded {
                problem: Some(problem),
                ..Loaded::default()
            };
        }
    };
    language::learn(config.language.as_deref()).await;
    if let Ok(texts) = crate::data::load_text_map(language::current()).await {
        texts::install(texts);
    }
    crate::page_state::apply_colors(&config);
    let sla = sla_percent(&crate::data::config_text()).map_err(|why| LoadError {
        what: "the page configuration (config.json)".into(),
        why: format!("it is not valid: {why}"),
    });
    let (listed, listing_problem) = match list_reports(&config).await {
        Ok(listed) => (listed, None),
        Err(problem) => (Vec::new(), Some(problem)),
    };
    Loaded {
        config: Some(config),
        sla: sla.clone().ok().flatten(),
        listed,
        problem: sla.err().or(listing_problem),
    }
}

#[component]
fn ReportsApp() -> impl IntoView {
    let loaded = LocalResource::new(load);
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"…"</p> }>
            {move || loaded.get().map(|loaded| view! { <ReportsPage loaded=loaded/> })}
        </Suspense>
    }
}

#[component]
fn ReportsPage(loaded: Loaded) -> impl IntoView {
    let config = RwSignal::new(loaded.config.clone());
    let title = loaded
        .config
        .as_ref()
        .map(|c| c.title.clone())
        .unwrap_or_default();
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{} · {title}", said(Said::Title)));
    }
    let mut months: Vec<Month> = loaded.listed.iter().map(|l| l.month).collect();
    months.sort_unstable_by(|a, b| b.cmp(a));
    months.dedup();
    let first = month_in_url()
        .filter(|m| months.contains(m))
        .or_else(|| months.first().copied());
    let picked = RwSignal::new(first);
    let listed = StoredValue::new(loaded.listed.clone());
    let sla = loaded.sla;
    // Each month's reports, downloaded once.
    let fetched: RwSignal<HashMap<Month, Fetched>> = RwSignal::new(HashMap::new());
    Effect::new(move |_| {
        let Some(month) = picked.get() else {
            return;
        };
        month_to_url(month);
        if fetched.with_untracked(|f| f.contains_key(&month)) {
            return;
        }
        leptos::task::spawn_local(async move {
            let (reports, failed) = month_reports(&listed.get_value(), month).await;
            let merged = merge_reports(month, &reports);
            fetched.update(|f| {
                f.insert(month, (merged, failed));
            });
        });
    });
    let shown = Memo::new(move |_| {
        let month = picked.get()?;
        fetched.with(|f| f.get(&month).cloned())
    });
    let on_pick = move |ev: leptos::ev::Event| picked.set(Month::parse(&event_target_value(&ev)));
    let print = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let csv_link = move || {
        let (merged, _) = shown.get()?;
        let csv = report_csv(&merged, sla);
        let href = csv_url(&csv)?;
        // The browser keeps the CSV until told: let go of a month's when
        // another month is shown.
        let held = href.clone();
        on_cleanup(move || {
            let _ = web_sys::Url::revoke_object_url(&held);
        });
        let name = format!("status-report-{}.csv", merged.month);
        Some(view! { <a class="button" href=href download=name>{said(Said::DownloadCsv)}</a> })
    };
    let month_options = months
        .iter()
        .map(|m| {
            let value = m.to_string();
            let selected = Some(*m) == first;
            view! { <option value=value selected=selected>{month_name(*m)}</option> }
        })
        .collect_view();
    let has_months = !months.is_empty();
    view! {
        <Header config=config/>
        <main id="main" class="reports">
            <p class="back"><a href="./">{said(Said::BackToStatus)}</a></p>
            <h2 class="section-title">{said(Said::Title)}</h2>
            {loaded.problem.clone().map(|e| view! { <Problem error=e fatal=loaded.config.is_none()/> })}
            {(!has_months && loaded.config.is_some()).then(|| view! {
                <p class="fallback" role="note">{said(Said::NoneYet)}</p>
            })}
            {has_months.then(|| view! {
                <div class="report-controls">
                    <label>{said(Said::Month)}" "
                        <select class="report-month" on:change=on_pick>{month_options}</select>
                    </label>
                    {csv_link}
                    <button type="button" class="button" on:click=print>{said(Said::Print)}</button>
                </div>
            })}
            {move || shown.get().map(|(merged, failed)| view! {
                <MonthTable merged=merged failed=failed sla=sla month_label=picked.get().map(month_name).unwrap_or_default()/>
            })}
        </main>
        <footer>{said(Said::UtcNote)}</footer>
    }
}

/// An object URL holding `csv`, for a download link.
fn csv_url(csv: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&csv.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(blob.unchecked_ref()).ok()
}
