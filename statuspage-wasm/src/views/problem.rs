//! A load failure, shown where the data would be.

use leptos::prelude::*;

use crate::data::LoadError;

/// `fatal`: nothing else can be shown (no usable config). Otherwise the page
/// keeps what it loaded before and says it may be out of date.
#[component]
pub fn Problem(error: LoadError, fatal: bool) -> impl IntoView {
    let hint = if fatal {
        "The status page cannot show anything until this is fixed. If you run this page, check that config.json is served beside index.html."
    } else {
        "The results shown may be out of date. The page keeps trying."
    };
    view! {
        <section class="problem" role="alert" data-fatal=fatal.to_string()>
            <h2>{error.to_string()}</h2>
            <p>{hint}</p>
        </section>
    }
}
