//! `checker rebuild`: regenerates this node's history view, badges and
//! recorded incidents from what storage holds (its raw round files and
//! incident updates), the same way the running checker builds them.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use checkup_model::NodeView;
use indicatif::{ProgressBar, ProgressStyle};

use super::CommandError;
use crate::derived::reports::{self, Rebuilt};
use crate::derived::{Derived, fold_rounds, own_rounds};
use crate::incidents;
use crate::{config, storage};

pub async fn rebuild(path: &Path) -> Result<ExitCode, CommandError> {
    let config = config::load(path)?;
    let storage = storage::open(&config.storage)
        .await
        .map_err(CommandError::storage("cannot open storage"))?;
    let rounds = own_rounds(storage.as_ref(), &config.node, i64::MIN)
        .await
        .map_err(CommandError::storage("cannot list this node's round files"))?;
    eprintln!(
        "rebuilding the history of node {:?} from {} round files in {}",
        config.node,
        rounds.len(),
        storage.describe()
    );
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(rounds.len() as u64)
    } else {
        // Under systemd or in a pipe, a redrawn bar is noise: stay quiet.
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files  {per_sec}  eta {eta}")
            .expect("valid template"),
    );
    let updates = incidents::from_storage(storage.as_ref(), &config.node)
        .await
        .map_err(CommandError::storage(
            "cannot read this node's incident updates",
        ))?;
    let mut view = NodeView::new(&config.node);
    view.built = crate::checks::now_nanos();
    view.interval_secs = config.interval.as_secs() as i64;
    // The monthly reports made on the way name the month's incidents.
    view.incidents = updates.clone();
    let folded = fold_rounds(storage.as_ref(), &mut view, &rounds, |done| {
        bar.set_position(done as u64)
    })
    .await;
    bar.finish_and_clear();
    let skipped = folded.skipped;
    let (mut written, mut kept) = (0, 0);
    for report in &folded.reports {
        match reports::write_rebuilt(storage.as_ref(), report)
            .await
            .map_err(CommandError::storage("cannot write a monthly report"))?
        {
            Rebuilt::Written => written += 1,
            Rebuilt::KeptStored => kept += 1,
        }
    }
    incidents::replace(&config.state_dir, &updates)
        .map_err(CommandError::storage("cannot record the incident updates"))?;
    let checks = view.checks.len();
    let mut derived = Derived::from_view(view);
    derived.set_extras(
        updates.clone(),
        crate::maintenance::announce::announced(&config.maintenance, crate::checks::now_nanos()),
    );
    let views = derived
        .publish(storage.as_ref())
        .await
        .map_err(CommandError::storage("cannot write the rebuilt view"))?;
    if let Some(views) = views {
        crate::published::Published::new(config.site.clone())
            .refresh(storage.as_ref(), &views, crate::checks::now_nanos())
            .await
            .map_err(CommandError::storage(
                "cannot write the feeds, calendar or status API",
            ))?;
    }
    println!(
        "rebuilt: {} rounds ({} unreadable, skipped), {checks} checks, {} incident updates, \
         {written} monthly reports written ({kept} stored ones kept: they saw more rounds)",
        rounds.len() - skipped,
        skipped,
        updates.len()
    );
    Ok(ExitCode::SUCCESS)
}
