//! Files replaced whole: the checker's state files (spool, messages,
//! notification state, incidents) and local storage are written so that a
//! reader or a crash sees the old file or the whole new one, never a part.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What was done to which path, and why it failed.
#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {source}", path.display())]
pub struct FileError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Deletes temp files left by writers that died mid-write (kill -9, power
/// loss). Only files of processes that no longer exist: a temp file of a live
/// checker sharing the directory may be about to be renamed into place.
pub fn remove_orphaned_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_file_pid(&name) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The writer's pid in a temp file name `.<name>.<pid>.<n>.tmp`.
fn temp_file_pid(name: &str) -> Option<u32> {
    let stem = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = stem.rsplit('.');
    let _counter: u64 = parts.next()?.parse().ok()?;
    parts.next()?.parse().ok()
}

/// Writes `bytes` to `dir/name` so that readers see the old file or the whole
/// new one, never a part, even across a crash or power loss.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), FileError> {
    let tmp = synced_temp(dir, name, bytes)?;
    let target = dir.join(name);
    let result = fs::rename(&tmp, &target)
        .map_err(io("cannot rename into place", &target))
        .and_then(|()| sync_dir(dir));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes `name` in `dir` only if it does not exist: the bytes go to a temp
/// file, which is then hard-linked into place. A link fails if the name is
/// taken (like `O_CREAT|O_EXCL`), and unlike an exclusive create it never
/// shows a reader a half-written file. Returns whether it was created.
pub fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<bool, FileError> {
    let tmp = synced_temp(dir, name, bytes)?;
    let target = dir.join(name);
    let result = match fs::hard_link(&tmp, &target) {
        Ok(()) => sync_dir(dir).map(|()| true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io("cannot link into place", &target)(e)),
    };
    let _ = fs::remove_file(&tmp);
    result
}

/// `bytes` in a new temp file beside `dir/name`, synced to disk; removed
/// again if that fails.
fn synced_temp(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, FileError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // Dot-prefixed and unique per process and call, so temp files never look
    // like result files and concurrent writers never share one.
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = File::create_new(&tmp)
        .map_err(io("cannot create", &tmp))
        .and_then(|mut f| {
            f.write_all(bytes).map_err(io("cannot write", &tmp))?;
            f.sync_all().map_err(io("cannot sync", &tmp))
        });
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn sync_dir(dir: &Path) -> Result<(), FileError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("cannot sync directory", dir))
}

/// Turns an I/O error into a [`FileError`] naming what was done to which path.
pub fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> FileError {
    let path = path.to_path_buf();
    move |source| FileError {
        action,
        path,
        source,
    }
}
