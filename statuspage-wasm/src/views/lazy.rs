//! Drawing when near the screen: one IntersectionObserver for the page
//! tells a waiting element when it comes within [`AHEAD`] of the screen.
//! With hundreds of checks, drawing every row's 90 bars at once was most of
//! the first load, for rows most visitors never scroll to.

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Element, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// How far below or above the screen an element counts as near: a fast
/// scroll finds the rows ahead already drawn.
const AHEAD: &str = "1000px 0px";
const ID: &str = "data-near";

/// What to do when an element comes near the screen.
type Near = Box<dyn FnOnce()>;

thread_local! {
    static OBSERVER: RefCell<Option<IntersectionObserver>> = const { RefCell::new(None) };
    /// What to do when each waiting element comes near, by its id. A list:
    /// it holds the rows below the screen, and a map costs the page more.
    static WAITING: RefCell<Vec<(u32, Near)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// Calls `near` once `element` comes near the screen; returns what to pass
/// to [`forget`] if the element goes away first.
pub fn when_near(element: &Element, near: impl FnOnce() + 'static) -> Option<u32> {
    let observer = OBSERVER.with(|o| o.borrow_mut().get_or_insert_with(observer).clone());
    let id = NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    element.set_attribute(ID, &id.to_string()).ok()?;
    WAITING.with(|w| w.borrow_mut().push((id, Box::new(near))));
    observer.observe(element);
    Some(id)
}

/// Stops waiting for `element` (`id` from [`when_near`]).
pub fn forget(element: &Element, id: u32) {
    take(id);
    OBSERVER.with(|o| o.borrow().as_ref().map(|o| o.unobserve(element)));
}

/// Takes what waits under `id` out of the list.
fn take(id: u32) -> Option<Near> {
    WAITING.with(|w| {
        let mut waiting = w.borrow_mut();
        let at = waiting
            .iter()
            .position(|(waiting_id, _)| *waiting_id == id)?;
        Some(waiting.swap_remove(at).1)
    })
}

fn observer() -> IntersectionObserver {
    let seen = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
        |entries: js_sys::Array, observer: IntersectionObserver| {
            for entry in entries.iter() {
                let entry: IntersectionObserverEntry = entry.unchecked_into();
                if !entry.is_intersecting() {
                    continue;
                }
                let target = entry.target();
                observer.unobserve(&target);
                let id = target.get_attribute(ID).and_then(|id| id.parse().ok());
                // Taken out before it runs: drawing may wait for more.
                let near = id.and_then(take);
                if let Some(near) = near {
                    near();
                }
            }
        },
    );
    let options = IntersectionObserverInit::new();
    options.set_root_margin(AHEAD);
    let observer = IntersectionObserver::new_with_options(seen.as_ref().unchecked_ref(), &options)
        .expect("IntersectionObserver is in every browser the page supports");
    // The observer lives as long as the page.
    seen.forget();
    observer
}
