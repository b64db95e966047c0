//! `checker incident`: opens, updates and lists incidents. Each update is an
//! immutable file in storage; the running checker puts this node's updates
//! in its history view, which is how the page sees them.

use std::path::Path;
use std::process::ExitCode;

use checkup_model::{IncidentState, IncidentUpdate, contract::incident::fold_incidents};

use super::CommandError;
use crate::checks::now_nanos;
use crate::cli::IncidentAction;
use crate::incidents::{self, markdown};
use crate::{config, storage};

pub async fn incident(path: &Path, action: IncidentAction) -> Result<ExitCode, CommandError> {
    let config = config::load(path)?;
    let known = incidents::load(&config.state_dir);
    let update = match action {
        IncidentAction::List => {
            let folded = fold_incidents(&known);
            if folded.is_empty() {
                println!("no incidents recorded on node {:?}", config.node);
            }
            for i in folded {
                println!(
                    "{}  {:<13}  {}  ({} updates)",
                    i.id,
                    i.state.label(),
                    i.title,
                    i.updates.len()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        IncidentAction::Open {
            title,
            checks,
            state,
            message,
        } => {
            let names: Vec<&str> = config
                .checks
                .iter()
                .map(|c| c.common.name.as_str())
                .collect();
            for check in &checks {
                if !names.contains(&check.as_str()) {
                    return Err(CommandError::Usage(format!(
                        "--check {check:?} is not a check in {}; the checks are: {}",
                        path.display(),
                        names.join(", ")
                    )));
                }
            }
            let now = now_nanos();
            IncidentUpdate {
                id: format!("{now}-{}", config.node),
                title,
                checks,
                state: parse_state(&state)?,
                doc: markdown::parse(&message),
                body: message,
                timestamp: now,
                node: config.node.clone(),
            }
        }
        IncidentAction::Update {
            id,
            state,
            title,
            message,
        } => {
            let Some(previous) = known.iter().rev().find(|u| u.id == id) else {
                let ids: Vec<String> = fold_incidents(&known).into_iter().map(|i| i.id).collect();
                return Err(CommandError::Usage(format!(
                    "no incident {id:?} recorded on this node; known: {}",
                    if ids.is_empty() {
                        "none".to_string()
                    } else {
                        ids.join(", ")
                    }
                )));
            };
            IncidentUpdate {
                id,
                title: title.unwrap_or_else(|| previous.title.clone()),
                checks: previous.checks.clone(),
                state: parse_state(&state)?,
                doc: markdown::parse(&message),
                body: message,
                timestamp: now_nanos(),
                node: config.node.clone(),
            }
        }
    };
    let storage = storage::open(&config.storage)
        .await
        .map_err(CommandError::storage("cannot open storage"))?;
    let written = incidents::publish(storage.as_ref(), &config.state_dir, &update)
        .await
        .map_err(CommandError::storage(format!(
            "cannot store the incident update in {}",
            storage.describe()
        )))?;
    println!(
        "incident {} is {}: stored {written}",
        update.id,
        update.state.as_str()
    );
    println!("the page shows it after the running checker's next round");
    Ok(ExitCode::SUCCESS)
}

fn parse_state(text: &str) -> Result<IncidentState, CommandError> {
    IncidentState::parse(text).ok_or_else(|| {
        let states: Vec<&str> = IncidentState::ALL.iter().map(|s| s.as_str()).collect();
        CommandError::Usage(format!(
            "--state {text:?} is not one of {}",
            states.join(", ")
        ))
    })
}
