//! The chart window buttons (1 h, 24 h, 7 d, 30 d); the choice is in the URL.

use checkup_model::derive::overview::ChartWindow;
use leptos::prelude::*;

use crate::i18n::intl::{Unit, count};
use crate::i18n::{Text, t};

/// A window's length as its button shows it ("24 hr", "7 days").
pub fn window_length(window: ChartWindow, long: bool) -> String {
    match window {
        ChartWindow::Hour => count(1, Unit::Hour, long),
        ChartWindow::Day => count(24, Unit::Hour, long),
        ChartWindow::Week => count(7, Unit::Day, long),
        ChartWindow::Month => count(30, Unit::Day, long),
    }
}

#[component]
pub fn WindowPicker(window: RwSignal<ChartWindow>) -> impl IntoView {
    view! {
        <div class="window-picker" role="group" aria-label=t(Text::ResponseTimeWindow)>
            {ChartWindow::ALL.into_iter().map(|w| view! {
                <button type="button" data-window=w.key()
                    aria-pressed=move || (window.get() == w).to_string()
                    on:click=move |_| window.set(w)>
                    {window_length(w, false)}
                </button>
            }).collect_view()}
        </div>
    }
}
