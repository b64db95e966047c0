//! The chart window buttons (1 h, 24 h, 7 d, 30 d); the choice is in the URL.

use checkup_model::derive::overview::ChartWindow;
use leptos::prelude::*;

use crate::i18n::intl::span;
use crate::i18n::{Text, t};

#[component]
pub fn WindowPicker(window: RwSignal<ChartWindow>) -> impl IntoView {
    view! {
        <div class="window-picker" role="group" aria-label=t(Text::ResponseTimeWindow)>
            {ChartWindow::ALL.into_iter().map(|w| view! {
                <button type="button" data-window=w.key()
                    aria-pressed=move || (window.get() == w).to_string()
                    on:click=move |_| window.set(w)>
                    {span(w.span_secs(), false)}
                </button>
            }).collect_view()}
        </div>
    }
}
