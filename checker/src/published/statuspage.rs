//! Atlassian Statuspage's public API v2, as static files under `api/v2/`,
//! in the shapes of its documentation (fixtures in tests/fixtures/statuspage):
//! the checks are the components, with their state merged over all nodes by
//! the page's rule; incidents and announced maintenance as Statuspage words
//! them. Fields this project has no data for are fixed (see the README).

use checkup_model::contract::announced::{Announced, Phase};
use checkup_model::contract::incident_text::plain_text;
use checkup_model::contract::slug::fnv1a;
use checkup_model::derive::merge::Overall;
use checkup_model::derive::overview::{CheckOverview, overall};
use checkup_model::{Incident, Status};
use serde_json::{Value, json};

use super::Inputs;
use super::text::{doc_or_text, iso};

/// Incidents and maintenance listed at most, newest first, as Statuspage does.
const MAX_LISTED: usize = 50;

/// Every file: (key under the storage prefix, JSON).
pub fn files(inputs: &Inputs) -> Vec<(String, Value)> {
    let page = page(inputs);
    let components: Vec<Value> = inputs
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| component(inputs, c, i))
        .collect();
    let mut incidents: Vec<&Incident> = inputs.incidents.iter().collect();
    incidents.sort_by_key(|i| std::cmp::Reverse(i.updates[0].timestamp));
    let all_incidents: Vec<Value> = incidents
        .iter()
        .take(MAX_LISTED)
        .map(|i| incident(inputs, i))
        .collect();
    let unresolved: Vec<Value> = incidents
        .iter()
        .filter(|i| i.is_open())
        .map(|i| incident(inputs, i))
        .collect();
    let shown: Vec<&Announced> = inputs
        .maintenance
        .iter()
        .filter(|m| m.announced <= inputs.now)
        .collect();
    let by_phase = |phase: Phase| -> Vec<Value> {
        shown
            .iter()
            .filter(|m| m.phase(inputs.now) == phase)
            .map(|m| maintenance(inputs, m))
            .collect()
    };
    let mut all_maintenance: Vec<&&Announced> = shown.iter().collect();
    all_maintenance.sort_by_key(|m| std::cmp::Reverse(m.start));
    let all_maintenance: Vec<Value> = all_maintenance
        .into_iter()
        .take(MAX_LISTED)
        .map(|m| maintenance(inputs, m))
        .collect();
    let upcoming = by_phase(Phase::Upcoming);
    let active = by_phase(Phase::InProgress);
    let summary_maintenance: Vec<Value> = active.iter().chain(&upcoming).cloned().collect();
    let status = status(&inputs.checks);
    vec![
        (
            "api/v2/status.json".into(),
            json!({"page": page, "status": status}),
        ),
        (
            "api/v2/summary.json".into(),
            json!({
                "page": page,
                "status": status,
                "components": components,
                "incidents": unresolved,
                "scheduled_maintenances": summary_maintenance,
            }),
        ),
        (
            "api/v2/components.json".into(),
            json!({"page": page, "components": components}),
        ),
        (
            "api/v2/incidents.json".into(),
            json!({"page": page, "incidents": all_incidents}),
        ),
        (
            "api/v2/incidents/unresolved.json".into(),
            json!({"page": page, "incidents": unresolved}),
        ),
        (
            "api/v2/scheduled-maintenances.json".into(),
            json!({"page": page, "scheduled_maintenances": all_maintenance}),
        ),
        (
            "api/v2/scheduled-maintenances/upcoming.json".into(),
            json!({"page": page, "scheduled_maintenances": upcoming}),
        ),
        (
            "api/v2/scheduled-maintenances/active.json".into(),
            json!({"page": page, "scheduled_maintenances": active}),
        ),
    ]
}

/// A Statuspage-style id: 12 lower-case letters and digits, stable for `seed`.
pub fn short_id(seed: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut value = (u64::from(fnv1a(seed)) << 32) | u64::from(fnv1a(&format!("{seed}#")));
    let mut id = String::new();
    for _ in 0..12 {
        id.push(ALPHABET[(value % 36) as usize] as char);
        value /= 36;
    }
    id
}

fn page(inputs: &Inputs) -> Value {
    json!({
        "id": inputs.site.page_id(),
        "name": inputs.site.title,
        "url": inputs.site.url.clone().unwrap_or_default(),
        "time_zone": "Etc/UTC",
        "updated_at": iso(inputs.updated_at()),
    })
}

fn status(checks: &[CheckOverview]) -> Value {
    let (indicator, description) = match overall(checks) {
        Overall::NoData | Overall::Operational => ("none", "All Systems Operational"),
        Overall::Maintenance => ("none", "Service Under Maintenance"),
        Overall::Degraded => ("minor", "Minor Service Outage"),
        Overall::PartialOutage => ("major", "Partial System Outage"),
        Overall::MajorOutage => ("critical", "Major Service Outage"),
    };
    json!({"indicator": indicator, "description": description})
}

/// A check's state in Statuspage's words, by the merge rule: down at every
/// fresh location is a major outage, down at some a partial outage.
pub fn component_status(check: &CheckOverview) -> &'static str {
    if check.in_maintenance {
        return "under_maintenance";
    }
    match check.status {
        Status::Healthy => "operational",
        Status::Down => "major_outage",
        Status::Degraded
            if check
                .locations
                .iter()
                .any(|l| l.fresh && l.status == Status::Down) =>
        {
            "partial_outage"
        }
        Status::Degraded => "degraded_performance",
    }
}

fn component(inputs: &Inputs, check: &CheckOverview, position: usize) -> Value {
    let first_seen = check.first_seen();
    json!({
        "id": short_id(&format!("component:{}", check.title)),
        "name": check.title,
        "description": null,
        "status": component_status(check),
        "position": position + 1,
        "page_id": inputs.site.page_id(),
        "created_at": iso(first_seen),
        "updated_at": iso(check.since().max(first_seen)),
        "group": false,
        "group_id": null,
        "only_show_if_degraded": false,
        "showcase": true,
        "start_date": null,
    })
}

fn incident(inputs: &Inputs, incident: &Incident) -> Value {
    let id = short_id(&format!("incident:{}", incident.id));
    let updates: Vec<Value> = incident
        .updates
        .iter()
        .map(|u| {
            let at = iso(u.timestamp);
            json!({
                "id": short_id(&format!("update:{}:{}:{}", incident.id, u.timestamp, u.node)),
                "incident_id": id,
                "status": u.state.as_str(),
                "body": plain_text(&doc_or_text(&u.doc, &u.body)).trim(),
                "created_at": at,
                "updated_at": at,
                "display_at": at,
            })
        })
        .collect();
    let first_at = |state: checkup_model::IncidentState| {
        incident
            .updates
            .iter()
            .filter(|u| u.state == state)
            .map(|u| u.timestamp)
            .min()
            .map(iso)
    };
    json!({
        "id": id,
        "name": incident.title,
        "status": incident.state.as_str(),
        "impact": "minor",
        "created_at": iso(incident.opened),
        "updated_at": iso(incident.updates[0].timestamp),
        "monitoring_at": first_at(checkup_model::IncidentState::Monitoring),
        "resolved_at": incident.resolved_at().map(iso),
        "shortlink": inputs.site.page_link(&format!("incident-{}", incident.id)).unwrap_or_default(),
        "page_id": inputs.site.page_id(),
        "incident_updates": updates,
    })
}

fn maintenance(inputs: &Inputs, m: &Announced) -> Value {
    let id = short_id(&format!("maintenance:{}", m.occurrence_id()));
    let phase = m.phase(inputs.now);
    let description = plain_text(&doc_or_text(&m.doc, &m.description));
    let mut steps = vec![(
        "scheduled",
        m.announced,
        if description.trim().is_empty() {
            format!("{} is scheduled.", m.title)
        } else {
            description.trim().to_string()
        },
    )];
    if phase != Phase::Upcoming {
        steps.push((
            "in_progress",
            m.start,
            "Scheduled maintenance is currently in progress.".into(),
        ));
    }
    if phase == Phase::Completed {
        steps.push((
            "completed",
            m.end,
            "The scheduled maintenance has been completed.".into(),
        ));
    }
    let updated = steps.last().map(|s| s.1).unwrap_or(m.announced);
    let updates: Vec<Value> = steps
        .iter()
        .rev()
        .map(|(status, at, body)| {
            json!({
                "id": short_id(&format!("maintenance-update:{}:{status}", m.occurrence_id())),
                "incident_id": id,
                "status": status,
                "body": body,
                "created_at": iso(*at),
                "updated_at": iso(*at),
                "display_at": iso(*at),
            })
        })
        .collect();
    json!({
        "id": id,
        "name": m.title,
        "status": phase.as_str(),
        "impact": "none",
        "created_at": iso(m.announced),
        "updated_at": iso(updated),
        "monitoring_at": null,
        "resolved_at": (phase == Phase::Completed).then(|| iso(m.end)),
        "scheduled_for": iso(m.start),
        "scheduled_until": iso(m.end),
        "shortlink": inputs.site.page_link(&format!("maintenance-{}", m.occurrence_id())).unwrap_or_default(),
        "page_id": inputs.site.page_id(),
        "incident_updates": updates,
    })
}
