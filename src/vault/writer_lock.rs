//! One writer at a time. A process that opens the vault to write holds an exclusive OS
//! lock on a file beside it (`<vault>.lock`); the OS releases the lock if the process
//! dies, so a crash never leaves the vault stuck. Readers and backups do not take it.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Held while a vault is open for writing; dropping it releases the lock.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

pub fn lock_path(vault: &Path) -> PathBuf {
    let mut name = vault.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl WriterLock {
    pub fn acquire(vault: &Path) -> Result<Self> {
        let path = lock_path(vault);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|e| Error::io(&path, e))?;
        // A lock just released can still look held for a moment: a process forked
        // elsewhere shares the open file until it execs, and a window that is closing
        // may not have let go yet. Ask again for a short while before saying busy.
        let deadline = Instant::now() + Duration::from_millis(1500);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(WriterLock { _file: file }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => return Err(Error::WriterBusy),
                Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }
}
