//! A load failure, shown where the data would be.

use leptos::prelude::*;

use crate::data::LoadError;
use crate::i18n::{Text, fill, t};

/// `fatal`: nothing else can be shown (no usable config). Otherwise the page
/// keeps what it loaded before and says it may be out of date.
#[component]
pub fn Problem(error: LoadError, fatal: bool) -> impl IntoView {
    // What failed and why stay as the page found them: details for
    // whoever runs the page, with file names and HTTP answers.
    let hint = t(if fatal {
        Text::FatalHint
    } else {
        Text::RetryHint
    });
    view! {
        <section class="problem" role="alert" data-fatal=fatal.to_string()>
            <h2>{fill(Text::CouldNotLoad, &[&error.what, &error.why])}</h2>
            <p>{hint}</p>
        </section>
    }
}
