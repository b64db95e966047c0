//! Local-directory storage, checkup's `fs` layout: one JSON file per round plus
//! `index.json` (`{"<file>": <unix_nanos>}`) for the page, which cannot list a
//! directory over plain HTTP.
//!
//! Every file is replaced atomically (temp file, fsync, rename, fsync of the
//! directory), so a reader or a crash never sees half a file. `index.json` is
//! rebuilt from a directory listing rather than read-modified-written, so two
//! checkers sharing a directory cannot lose each other's entries: the worst a
//! race does is leave one round out until the next rebuild.

use std::fs;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use checkup_model::contract::node_view::{VIEWS_DIR, node_of_view_key};
use checkup_model::contract::report::{REPORTS_DIR, parse_report_key};
use checkup_model::contract::view_summary::node_of_summary_key;
use checkup_model::{ResultFileName, contract::index::index_from_names};

use super::{Builder, Created, Storage, StorageError, StorageKind};
use crate::atomic_file::{io, remove_orphaned_temp_files, write_atomic, write_new};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const INDEX_NAME: &str = "index.json";
/// Keys under this are listed in `reports/index.json`.
const REPORTS_INDEXED: &str = "reports/";

pub const KIND: Kind<Builder> = Kind {
    name: "local",
    about: "a directory, with index.json for the page",
    options: &[opt(
        "dir",
        "\"/var/lib/checker/results\"",
        "where results go; relative to the config file (default \"results\")",
    )],
    build,
};

const DEFAULT_DIR: &str = "results";

fn build(table: &Table, base_dir: &Path) -> Result<StorageKind, FieldError> {
    let dir = match table.text("dir")? {
        Some(d) if d.trim().is_empty() => return Err(table.error("dir", "must not be empty")),
        Some(d) => base_dir.join(d),
        None => default_dir(base_dir),
    };
    Ok(StorageKind::Local { dir })
}

/// Without a directory, results go to `results/` in systemd's
/// `$STATE_DIRECTORY` if set (the config directory is read-only under
/// systemd), else beside the config file.
pub fn default_dir(base_dir: &Path) -> PathBuf {
    match std::env::var_os("STATE_DIRECTORY") {
        // systemd may pass several, colon-separated: the first is ours.
        Some(dirs) if !dirs.is_empty() => {
            let dirs = dirs.to_string_lossy().into_owned();
            PathBuf::from(dirs.split(':').next().unwrap_or_default()).join(DEFAULT_DIR)
        }
        _ => base_dir.join(DEFAULT_DIR),
    }
}

pub struct LocalStorage {
    dir: PathBuf,
}

impl LocalStorage {
    /// Uses `dir`, creating it if needed.
    pub fn open(dir: &Path) -> Result<LocalStorage, StorageError> {
        fs::create_dir_all(dir).map_err(io("cannot create result directory", dir))?;
        remove_orphaned_temp_files(dir);
        Ok(LocalStorage {
            dir: dir.to_path_buf(),
        })
    }

    fn write_index(&self) -> Result<(), StorageError> {
        let names = self.list()?;
        let index = index_from_names(names.iter().map(String::as_str));
        let mut bytes = serde_json::to_vec(&index)?;
        bytes.push(b'\n');
        Ok(write_atomic(&self.dir, INDEX_NAME, &bytes)?)
    }

    fn list(&self) -> Result<Vec<String>, StorageError> {
        list_dir(&self.dir)
    }

    fn put_blocking(&self, key: &str, bytes: &[u8]) -> Result<String, StorageError> {
        let (sub, name) = super::split_key(key);
        let dir = match sub {
            Some(sub) => self.dir.join(sub),
            None => self.dir.clone(),
        };
        fs::create_dir_all(&dir).map_err(io("cannot create directory", &dir))?;
        write_atomic(&dir, name, bytes)?;
        if sub == Some(VIEWS_DIR) {
            // The page cannot list a directory over HTTP: it reads this list
            // of views and summaries, rebuilt from the directory like index.json.
            let mut views: Vec<String> = list_dir(&dir)?
                .into_iter()
                .filter(|n| {
                    let key = format!("{VIEWS_DIR}/{n}");
                    node_of_view_key(&key).is_some() || node_of_summary_key(&key).is_some()
                })
                .collect();
            views.sort();
            let mut index = serde_json::to_vec(&views)?;
            index.push(b'\n');
            write_atomic(&dir, INDEX_NAME, &index)?;
        }
        if key.starts_with(REPORTS_INDEXED) {
            self.write_reports_index()?;
        }
        Ok(dir.join(name).display().to_string())
    }

    /// The page cannot list directories over HTTP either: it finds monthly
    /// reports in `reports/index.json`, `<node>/<yyyy-mm>.json` names,
    /// rebuilt from the directories like index.json.
    fn write_reports_index(&self) -> Result<(), StorageError> {
        let reports = self.dir.join(REPORTS_DIR);
        let mut names = Vec::new();
        for node in list_dir(&reports)? {
            if !reports.join(&node).is_dir() {
                continue;
            }
            for file in list_dir(&reports.join(&node))? {
                let name = format!("{node}/{file}");
                if parse_report_key(&format!("{REPORTS_DIR}/{name}")).is_some() {
                    names.push(name);
                }
            }
        }
        names.sort();
        let mut index = serde_json::to_vec(&names)?;
        index.push(b'\n');
        Ok(write_atomic(&reports, INDEX_NAME, &index)?)
    }

    fn store_blocking(&self, name: &ResultFileName, bytes: &[u8]) -> Result<String, StorageError> {
        let file_name = name.to_string();
        write_atomic(&self.dir, &file_name, bytes)?;
        self.write_index()?;
        Ok(self.dir.join(file_name).display().to_string())
    }

    fn prune_blocking(&self, node: &str, cutoff: i64) -> Result<usize, StorageError> {
        let mut removed = 0;
        for name in self.list()? {
            let Ok(parsed) = ResultFileName::parse(&name) else {
                continue;
            };
            if parsed.node.as_deref() != Some(node) || parsed.timestamp >= cutoff {
                continue;
            }
            let path = self.dir.join(&name);
            match fs::remove_file(&path) {
                Ok(()) => removed += 1,
                // Someone else removed it first: the outcome we wanted.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("cannot delete", &path)(e).into()),
            }
        }
        if removed > 0 {
            self.write_index()?;
        }
        Ok(removed)
    }
}

/// The file names in `dir`, temp files and subdirectories included.
fn list_dir(dir: &Path) -> Result<Vec<String>, StorageError> {
    let entries = fs::read_dir(dir).map_err(io("cannot list", dir))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io("cannot list", dir))?;
        if let Ok(name) = entry.file_name().into_string() {
            names.push(name);
        }
    }
    Ok(names)
}

#[async_trait]
impl Storage for LocalStorage {
    fn describe(&self) -> String {
        format!("local directory {}", self.dir.display())
    }

    async fn store(&self, name: &ResultFileName, bytes: Vec<u8>) -> Result<String, StorageError> {
        // Small synchronous writes with fsync: run them off the async workers.
        let this = LocalStorage {
            dir: self.dir.clone(),
        };
        let name = name.clone();
        tokio::task::spawn_blocking(move || this.store_blocking(&name, &bytes))
            .await
            .expect("storage task panicked")
    }

    async fn prune(&self, node: &str, cutoff: i64) -> Result<usize, StorageError> {
        let this = LocalStorage {
            dir: self.dir.clone(),
        };
        let node = node.to_string();
        tokio::task::spawn_blocking(move || this.prune_blocking(&node, cutoff))
            .await
            .expect("storage task panicked")
    }

    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        _content_type: &str,
    ) -> Result<String, StorageError> {
        let this = LocalStorage {
            dir: self.dir.clone(),
        };
        let key = key.to_string();
        tokio::task::spawn_blocking(move || this.put_blocking(&key, &bytes))
            .await
            .expect("storage task panicked")
    }

    async fn put_new(&self, key: &str, bytes: Vec<u8>) -> Result<Created, StorageError> {
        let (sub, name) = super::split_key(key);
        let dir = match sub {
            Some(sub) => self.dir.join(sub),
            None => self.dir.clone(),
        };
        let name = name.to_string();
        let this = LocalStorage {
            dir: self.dir.clone(),
        };
        let indexed = key.starts_with(REPORTS_INDEXED);
        tokio::task::spawn_blocking(move || {
            fs::create_dir_all(&dir).map_err(io("cannot create directory", &dir))?;
            let created = write_new(&dir, &name, &bytes)?;
            if indexed {
                this.write_reports_index()?;
            }
            Ok(if created {
                Created::Yes
            } else {
                Created::AlreadyThere
            })
        })
        .await
        .expect("storage task panicked")
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let path = self.dir.join(key);
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("cannot read", &path)(e).into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.dir.join(key);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("cannot delete", &path)(e).into()),
        }
    }

    async fn list(&self, dir: &str, after: &str) -> Result<Vec<String>, StorageError> {
        let path = self.dir.join(dir);
        match list_dir(&path) {
            Ok(mut names) => {
                // Temp files are dot-prefixed: never a finished file.
                names.retain(|n| !n.starts_with('.') && n.as_str() > after);
                names.sort();
                Ok(names)
            }
            Err(StorageError::Io(crate::atomic_file::FileError { source, .. }))
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(Vec::new())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkup_model::{Attempt, CheckResult, Index, Status};

    fn result(title: &str) -> CheckResult {
        CheckResult {
            title: title.into(),
            endpoint: "http://x".into(),
            timestamp: 5,
            times: vec![Attempt {
                rtt: 1,
                error: String::new(),
            }],
            threshold: 0,
            status: Status::Healthy,
            notice: String::new(),
            message: String::new(),
            node: Some("n1".into()),
            kind: Some("http".into()),
            maintenance: false,
        }
    }

    fn read_index(dir: &Path) -> Index {
        serde_json::from_slice(&fs::read(dir.join(INDEX_NAME)).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn stores_a_round_and_indexes_every_result_file_in_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        // A file from checkup itself and one from another node share the directory.
        fs::write(tmp.path().join("100-check.json"), "[]").unwrap();
        fs::write(tmp.path().join("200-n2-check.json"), "[]").unwrap();
        fs::write(tmp.path().join("README.txt"), "hello").unwrap();
        let s = LocalStorage::open(tmp.path()).unwrap();
        let name = ResultFileName::new(300, "n1").unwrap();
        s.store(&name, super::super::encode_round(&[result("a")]).unwrap())
            .await
            .unwrap();

        let written = fs::read_to_string(tmp.path().join("300-n1-check.json")).unwrap();
        assert_eq!(checkup_model::parse_round(&written).unwrap(), [result("a")]);
        let index = read_index(tmp.path());
        assert_eq!(
            index.into_iter().collect::<Vec<_>>(),
            [
                ("100-check.json".to_string(), 100),
                ("200-n2-check.json".into(), 200),
                ("300-n1-check.json".into(), 300)
            ]
        );
        // Listing from a point skips everything named before it.
        assert_eq!(
            Storage::list(&s, "", "200").await.unwrap(),
            [
                "200-n2-check.json",
                "300-n1-check.json",
                "README.txt",
                "index.json"
            ]
        );
        assert_eq!(
            Storage::list(&s, "", "3").await.unwrap(),
            ["300-n1-check.json", "README.txt", "index.json"]
        );
        assert!(
            Storage::list(&s, "views/", "").await.unwrap().is_empty(),
            "no such directory yet"
        );
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "temp files left behind: {leftovers:?}"
        );
    }

    #[tokio::test]
    async fn the_views_index_lists_views_and_summaries_only() {
        let tmp = tempfile::tempdir().unwrap();
        let s = LocalStorage::open(tmp.path()).unwrap();
        for key in [
            "views/n2-summary.json",
            "views/n1-history.json",
            "views/notes.txt",
            "views/n1-summary.json",
        ] {
            Storage::put(&s, key, b"{}".to_vec(), "application/json")
                .await
                .unwrap();
        }
        let index: Vec<String> =
            serde_json::from_slice(&fs::read(tmp.path().join("views/index.json")).unwrap())
                .unwrap();
        assert_eq!(
            index,
            ["n1-history.json", "n1-summary.json", "n2-summary.json"]
        );
    }

    #[tokio::test]
    async fn the_reports_index_lists_every_nodes_reports() {
        let tmp = tempfile::tempdir().unwrap();
        let s = LocalStorage::open(tmp.path()).unwrap();
        let created = s.put_new("reports/n2/2026-10.json", b"{}".to_vec()).await;
        assert!(matches!(created, Ok(Created::Yes)));
        let again = s.put_new("reports/n2/2026-10.json", b"[]".to_vec()).await;
        assert!(matches!(again, Ok(Created::AlreadyThere)));
        Storage::put(
            &s,
            "reports/n1/2026-11.json",
            b"{}".to_vec(),
            "application/json",
        )
        .await
        .unwrap();
        Storage::put(&s, "reports/n1/notes.txt", b"x".to_vec(), "text/plain")
            .await
            .unwrap();
        let index: Vec<String> =
            serde_json::from_slice(&fs::read(tmp.path().join("reports/index.json")).unwrap())
                .unwrap();
        assert_eq!(index, ["n1/2026-11.json", "n2/2026-10.json"]);
        assert_eq!(
            fs::read(tmp.path().join("reports/n2/2026-10.json")).unwrap(),
            b"{}",
            "a report is written once"
        );
    }

    #[tokio::test]
    async fn prune_deletes_only_this_nodes_old_result_files() {
        let tmp = tempfile::tempdir().unwrap();
        for name in [
            "100-n1-check.json",
            "900-n1-check.json",
            "100-n2-check.json",
            "100-check.json",
            "100-n1-check.json.bak",
        ] {
            fs::write(tmp.path().join(name), "[]").unwrap();
        }
        let s = LocalStorage::open(tmp.path()).unwrap();
        assert_eq!(s.prune("n1", 500).await.unwrap(), 1);
        let mut left: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != INDEX_NAME)
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "100-check.json",
                "100-n1-check.json.bak",
                "100-n2-check.json",
                "900-n1-check.json"
            ]
        );
        assert!(!read_index(tmp.path()).contains_key("100-n1-check.json"));
    }

    #[test]
    fn temp_files_of_dead_writers_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dead = ".1-n-check.json.4194303.0.tmp"; // above the default pid_max
        let live = format!(".index.json.{}.7.tmp", std::process::id());
        for name in [dead, live.as_str(), "1-n-check.json", ".hidden"] {
            fs::write(tmp.path().join(name), "x").unwrap();
        }
        LocalStorage::open(tmp.path()).unwrap();
        let mut left: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".hidden", live.as_str(), "1-n-check.json"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("index.json"), "{}").unwrap();
        // A directory where the target file should go makes the rename fail.
        fs::create_dir(tmp.path().join("x.json")).unwrap();
        fs::write(tmp.path().join("x.json").join("keep"), "").unwrap();
        let err = write_atomic(tmp.path(), "x.json", b"new").unwrap_err();
        assert!(
            err.to_string().contains("cannot rename into place"),
            "{err}"
        );
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
