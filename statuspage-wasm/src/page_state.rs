//! What the page keeps outside itself: the chosen chart window and selected
//! check in the URL (so a link can be shared), the theme in localStorage, the
//! configured colours, and the overall state in the tab's title and favicon.

use checkup_model::PageConfig;
use checkup_model::derive::merge::Overall;
use checkup_model::derive::overview::ChartWindow;
use web_sys::UrlSearchParams;

const THEME_KEY: &str = "checkup-theme";

/// The chart window chosen when the URL names none.
pub const DEFAULT_WINDOW: ChartWindow = ChartWindow::Day;

/// The chart window and selected check named in the URL's query.
pub fn from_url() -> (ChartWindow, Option<String>) {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let Ok(params) = UrlSearchParams::new_with_str(&search) else {
        return (DEFAULT_WINDOW, None);
    };
    let window = params
        .get("window")
        .and_then(|w| ChartWindow::parse(&w))
        .unwrap_or(DEFAULT_WINDOW);
    (window, params.get("check").filter(|c| !c.is_empty()))
}

/// Puts the chart window and selected check in the URL without reloading
/// or adding a history entry for every click.
pub fn to_url(window: ChartWindow, check: Option<&str>) {
    let Ok(params) = UrlSearchParams::new() else {
        return;
    };
    if window != DEFAULT_WINDOW {
        params.append("window", window.key());
    }
    if let Some(check) = check {
        params.append("check", check);
    }
    let query = String::from(params.to_string());
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// Sets the configured colours of each theme as CSS variables, in a style
/// element (the values are plain colours, checked by the model).
pub fn apply_colors(config: &PageConfig) {
    let block = |selector: &str, vars: Vec<(&str, &str)>| {
        if vars.is_empty() {
            return String::new();
        }
        let body: String = vars.iter().map(|(n, v)| format!("{n}:{v};")).collect();
        format!("{selector}{{{body}}}")
    };
    let css = block(
        ":root:not([data-theme=\"dark\"])",
        config.colors.variables(),
    ) + &block(":root[data-theme=\"dark\"]", config.dark_colors.variables());
    if css.is_empty() {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let (Ok(style), Some(head)) = (document.create_element("style"), document.head()) {
        style.set_text_content(Some(&css));
        let _ = head.append_child(&style);
    }
}

/// Names the status feed in the document's head, where browsers and feed
/// extensions look for it.
pub fn link_feed(href: &str, title: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let (Ok(link), Some(head)) = (document.create_element("link"), document.head()) {
        for (name, value) in [
            ("rel", "alternate"),
            ("type", "application/atom+xml"),
            ("title", title),
            ("href", href),
        ] {
            let _ = link.set_attribute(name, value);
        }
        let _ = head.append_child(&link);
    }
}

/// The theme in force: the visitor's choice, else the system's.
pub fn current_theme() -> &'static str {
    let stored = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten());
    match stored.as_deref() {
        Some("dark") => "dark",
        Some("light") => "light",
        _ => {
            let dark = web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches());
            if dark { "dark" } else { "light" }
        }
    }
}

/// Applies a theme to the page and remembers the choice.
pub fn set_theme(theme: &str, remember: bool) {
    if let Some(root) = root() {
        let _ = root.set_attribute("data-theme", theme);
    }
    if remember
        && let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten())
    {
        let _ = storage.set_item(THEME_KEY, theme);
    }
}

/// The tab title and favicon say the overall state, so a pinned tab shows
/// an outage without being looked at.
pub fn show_state_in_tab(overall: Overall, title: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    document.set_title(&match tab_word(overall) {
        Some(word) => format!("{word} · {title}"),
        None => title.to_string(),
    });
    let (colour, mark) = match overall {
        Overall::Operational => ("%231a7f37", "M9 16.5l4.5 4.5L23 11"),
        Overall::Degraded => ("%239a6700", "M16 9v9M16 22v1"),
        Overall::PartialOutage | Overall::MajorOutage => ("%23cf222e", "M11 11l10 10M21 11L11 21"),
        Overall::Maintenance => ("%230969da", "M11 16h10"),
        Overall::NoData => ("%235b6470", "M16 22v1M13 12a3 3 0 1 1 3 4v2"),
    };
    let href = format!(
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><circle cx='16' cy='16' r='15' fill='{colour}'/><path d='{mark}' stroke='white' stroke-width='3.5' fill='none' stroke-linecap='round' stroke-linejoin='round'/></svg>"
    );
    let link = match document.query_selector("link[rel='icon']").ok().flatten() {
        Some(link) => link,
        None => {
            let Ok(link) = document.create_element("link") else {
                return;
            };
            let _ = link.set_attribute("rel", "icon");
            if let Some(head) = document.head() {
                let _ = head.append_child(&link);
            }
            link
        }
    };
    let _ = link.set_attribute("href", &href);
    let _ = link.set_attribute("data-state", overall.key());
}

/// The overall state as the tab shows it.
pub fn tab_word(overall: Overall) -> Option<&'static str> {
    match overall {
        Overall::Operational | Overall::NoData => None,
        other => Some(crate::views::headline(other)),
    }
}
