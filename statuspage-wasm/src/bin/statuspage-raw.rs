//! The reader of raw round files, for storage without history views (an
//! old checkup bucket): lists and downloads the window's round files, only
//! those not seen before, and folds them into views per node. The page
//! loads it when it first needs it (`data::raw_reader`) and gets the views
//! back as JSON; the files loaded stay here between refreshes.

use std::cell::RefCell;

use checkup_model::derive::overview::views_from_rounds;
use checkup_model::{CheckResult, NodeView, PageConfig, ResultFileName};
use statuspage_wasm::data::raw_reader::RawRefresh;
use statuspage_wasm::data::{LoadError, Loaded, fetch_new};
use wasm_bindgen::prelude::wasm_bindgen;

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

thread_local! {
    /// Every round file of the window loaded so far, and those skipped.
    static LOADED: RefCell<Loaded> = RefCell::new(Loaded::default());
}

fn main() {}

/// One refresh for `config` (the text of `config.json`): files since
/// `since` (Unix ns) folded into views, as JSON of [`RawRefresh`].
#[wasm_bindgen]
pub async fn refresh(config: String, since: f64) -> String {
    let outcome = match PageConfig::parse(&config) {
        Ok(config) => refresh_with(&config, since as i64).await,
        Err(why) => RawRefresh {
            views: Vec::new(),
            skipped: Vec::new(),
            problem: Some(LoadError {
                what: "the page configuration (config.json)".into(),
                why,
            }),
        },
    };
    serde_json::to_string(&outcome).unwrap_or_default()
}

async fn refresh_with(config: &PageConfig, since: i64) -> RawRefresh {
    // Out of the cell while the downloads run; refreshes come one at a time.
    let mut loaded = LOADED.with(|l| std::mem::take(&mut *l.borrow_mut()));
    let problem = match fetch_new(config, &loaded, since).await {
        Ok(fetched) => {
            loaded.evict_before(since);
            loaded.absorb(fetched);
            None
        }
        Err(e) => Some(e),
    };
    let outcome = RawRefresh {
        views: views_of(&loaded),
        skipped: loaded.skipped.clone().into_iter().collect(),
        problem,
    };
    LOADED.with(|l| *l.borrow_mut() = loaded);
    outcome
}

fn views_of(loaded: &Loaded) -> Vec<NodeView> {
    let named: Vec<(ResultFileName, &[CheckResult])> = loaded
        .rounds
        .iter()
        .filter_map(|(name, (_, results))| {
            ResultFileName::parse(name)
                .ok()
                .map(|n| (n, results.as_slice()))
        })
        .collect();
    views_from_rounds(named.iter().map(|(n, r)| (n, *r)))
}
