//! Every node's incident updates, read from `incidents/` (the source of
//! truth) rather than from views, so a hand-written file counts too. Files
//! are immutable: each is read once per process; one that is malformed is
//! skipped with a warning naming its key, and not read again.

use std::collections::BTreeMap;

use checkup_model::IncidentUpdate;

use crate::storage::{Storage, StorageError};

const DIR: &str = "incidents/";

/// Updates read so far, by key (`None`: unreadable, skipped).
#[derive(Default)]
pub struct IncidentFiles {
    read: BTreeMap<String, Option<IncidentUpdate>>,
}

impl IncidentFiles {
    /// Lists `incidents/`, reads what is new, and returns every readable
    /// update. A listing that fails is an error: publishing without the
    /// incidents would drop them from the feed.
    pub async fn refresh(
        &mut self,
        storage: &dyn Storage,
    ) -> Result<Vec<IncidentUpdate>, StorageError> {
        let names = storage.list(DIR, "").await?;
        let new: Vec<String> = names
            .iter()
            .filter(|n| n.ends_with("-incident.json"))
            .map(|n| format!("{DIR}{n}"))
            .filter(|k| !self.read.contains_key(k))
            .collect();
        let reads = futures::future::join_all(new.iter().map(|k| storage.get(k))).await;
        for (key, read) in new.into_iter().zip(reads) {
            let parsed = match read? {
                None => continue,
                Some(bytes) => match parse(&bytes) {
                    Ok(update) => Some(update),
                    Err(why) => {
                        tracing::warn!(key = %key, error = %why, "skipping an incident file that cannot be used");
                        None
                    }
                },
            };
            self.read.insert(key, parsed);
        }
        Ok(self.read.values().flatten().cloned().collect())
    }
}

/// An update as stored, refused when it cannot be one the checker wrote.
fn parse(bytes: &[u8]) -> Result<IncidentUpdate, String> {
    let update: IncidentUpdate = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if update.id.trim().is_empty() || update.title.trim().is_empty() {
        return Err("it has no id or no title".into());
    }
    if update.id.len() > 200 || update.title.len() > 1_000 {
        return Err("its id or title is implausibly long".into());
    }
    Ok(update)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::LocalStorage;
    use checkup_model::IncidentState;

    #[tokio::test]
    async fn malformed_files_are_skipped_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(dir.path()).unwrap();
        let good = IncidentUpdate {
            id: "1-a".into(),
            title: "<script>alert(1)</script>".into(),
            checks: vec![],
            state: IncidentState::Investigating,
            body: "Looking".into(),
            doc: vec![],
            timestamp: 1,
            node: "a".into(),
        };
        storage
            .put(
                &good.key(),
                serde_json::to_vec(&good).unwrap(),
                "application/json",
            )
            .await
            .unwrap();
        storage
            .put(
                "incidents/2-b-incident.json",
                b"{not json".to_vec(),
                "application/json",
            )
            .await
            .unwrap();
        let mut files = IncidentFiles::default();
        let updates = files.refresh(&storage).await.unwrap();
        assert_eq!(updates, std::slice::from_ref(&good));
        assert_eq!(
            files.read.len(),
            2,
            "the bad one is remembered, not re-read"
        );
        assert_eq!(files.refresh(&storage).await.unwrap(), [good]);
    }
}
