//! The chart window buttons (1 h, 24 h, 7 d, 30 d); the choice is in the URL.

use checkup_model::derive::overview::ChartWindow;
use leptos::prelude::*;

#[component]
pub fn WindowPicker(window: RwSignal<ChartWindow>) -> impl IntoView {
    view! {
        <div class="window-picker" role="group" aria-label="Response time window">
            {ChartWindow::ALL.into_iter().map(|w| view! {
                <button type="button" data-window=w.key()
                    aria-pressed=move || (window.get() == w).to_string()
                    on:click=move |_| window.set(w)>
                    {w.key()}
                </button>
            }).collect_view()}
        </div>
    }
}
