//! Status messages set by people (`checker message --check NAME "text"`),
//! attached to every result of that check as its `message` until cleared.
//! Kept in `<state_dir>/messages.json` (`{"check": "text"}`), replaced
//! atomically; the running checker re-reads this small file every round, so a
//! change shows from the next round on without a restart.

pub mod html;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::atomic_file::{FileError, io as io_error, write_atomic};
use crate::storage::StorageError;

pub const FILE_NAME: &str = "messages.json";
const LOCK_NAME: &str = "messages.lock";

pub type Messages = BTreeMap<String, String>;

/// Why the messages could not be read or saved.
#[derive(Debug, thiserror::Error)]
pub enum MessagesError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a messages file: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(transparent)]
    Write(#[from] StorageError),
    #[error(transparent)]
    File(#[from] FileError),
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE_NAME)
}

/// The current messages; none when the file does not exist.
pub fn load(state_dir: &Path) -> Result<Messages, MessagesError> {
    let path = path(state_dir);
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|source| MessagesError::Parse { path, source })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Messages::new()),
        Err(source) => Err(MessagesError::Read { path, source }),
    }
}

/// Sets (`Some`) or clears (`None`) the message of `check`, under an
/// exclusive lock so two people editing at once do not lose a change.
/// Returns the messages as saved.
pub fn update(
    state_dir: &Path,
    check: &str,
    text: Option<&str>,
) -> Result<Messages, MessagesError> {
    use std::os::fd::AsRawFd;
    std::fs::create_dir_all(state_dir)
        .map_err(io_error("cannot create state directory", state_dir))?;
    let lock_path = state_dir.join(LOCK_NAME);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io_error("cannot open", &lock_path))?;
    // Released when `lock` is closed at the end of this function.
    // SAFETY: flock on a file descriptor we own; no memory is involved.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io_error("cannot lock", &lock_path)(std::io::Error::last_os_error()).into());
    }
    let mut messages = load(state_dir)?;
    match text {
        Some(text) => {
            messages.insert(check.to_string(), text.to_string());
        }
        None => {
            messages.remove(check);
        }
    }
    let mut bytes = serde_json::to_vec_pretty(&messages).map_err(StorageError::from)?;
    bytes.push(b'\n');
    write_atomic(state_dir, FILE_NAME, &bytes)?;
    Ok(messages)
}

/// The running checker's view: re-read each round; if the file turns
/// unreadable, the last good messages stay (and it is logged once).
pub struct MessageReader {
    state_dir: PathBuf,
    last: Messages,
    failing: bool,
}

impl MessageReader {
    pub fn new(state_dir: &Path) -> MessageReader {
        MessageReader {
            state_dir: state_dir.to_path_buf(),
            last: Messages::new(),
            failing: false,
        }
    }

    pub fn current(&mut self) -> &Messages {
        match load(&self.state_dir) {
            Ok(messages) => {
                if messages != self.last {
                    tracing::info!(messages = messages.len(), "status messages changed");
                }
                self.last = messages;
                self.failing = false;
            }
            Err(e) => {
                if !self.failing {
                    tracing::warn!(error = %e, "cannot read status messages; keeping the last ones");
                }
                self.failing = true;
            }
        }
        &self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_clear_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let mut reader = MessageReader::new(dir.path());
        assert!(reader.current().is_empty());
        update(dir.path(), "Web", Some("Deploying v2")).unwrap();
        update(dir.path(), "DB", Some("Migrating")).unwrap();
        assert_eq!(reader.current()["Web"], "Deploying v2");
        update(dir.path(), "Web", None).unwrap();
        assert_eq!(reader.current().keys().collect::<Vec<_>>(), ["DB"]);
        std::fs::write(path(dir.path()), "garbage").unwrap();
        assert_eq!(reader.current()["DB"], "Migrating", "last good kept");
    }
}
