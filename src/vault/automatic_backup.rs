//! Automatic backups: after changes (at most every few minutes), on lock and on quit,
//! into a folder the clinician chooses, keeping a rotation: the newest
//! [`BackupPolicy::keep_latest`] plus the newest of each of the last
//! [`BackupPolicy::keep_daily_days`] days. Each backup is a checked snapshot written
//! under a temporary name (see [`backup_file`]); only files this module named are ever
//! pruned.

use super::Vault;
use super::backup::BackupSummary;
use crate::error::{Error, Result};
use chrono::{Duration, Local, NaiveDateTime};
use std::path::{Path, PathBuf};

const PREFIX: &str = "kapnotes-backup-";
const SUFFIX: &str = ".kapnotes";
const STAMP: &str = "%Y-%m-%dT%H-%M-%S";

/// How many automatic backups are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupPolicy {
    pub keep_latest: usize,
    pub keep_daily_days: i64,
}

pub const DEFAULT_POLICY: BackupPolicy = BackupPolicy {
    keep_latest: 10,
    keep_daily_days: 30,
};

/// A backup is "old" (and the app warns) after this many days.
pub const STALE_AFTER_DAYS: i64 = 7;

/// The default folder: `<data dir>/kapnotes/backups`.
pub fn default_backup_folder() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join("kapnotes").join("backups"))
}

/// An automatic backup found in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundBackup {
    pub path: PathBuf,
    /// When it was taken, in local time (from its name).
    pub taken_at: NaiveDateTime,
}

fn name_for(at: NaiveDateTime) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format(STAMP))
}

/// The time in a backup's name (`…-2026-11-23T07-37-03.kapnotes`) and its sequence
/// number within that second (`…T07-37-03-1…` for the second one, 0 for the first).
fn parse_name_and_sequence(name: &str) -> Option<(NaiveDateTime, u32)> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (stamp, tail) = rest.split_at_checked(19)?;
    let sequence = match tail.strip_prefix('-') {
        None if tail.is_empty() => 0,
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok()?,
        _ => return None,
    };
    Some((NaiveDateTime::parse_from_str(stamp, STAMP).ok()?, sequence))
}

#[cfg(test)]
fn parse_name(name: &str) -> Option<NaiveDateTime> {
    parse_name_and_sequence(name).map(|(at, _)| at)
}

/// The automatic backups in `folder`, newest first.
pub fn list_backups(folder: &Path) -> Result<Vec<FoundBackup>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(folder, e)),
    };
    let mut found: Vec<(FoundBackup, u32)> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let (taken_at, sequence) = parse_name_and_sequence(&name)?;
            Some((
                FoundBackup {
                    path: entry.path(),
                    taken_at,
                },
                sequence,
            ))
        })
        .collect();
    // Newest first; within one second, the later sequence number first.
    found.sort_by(|(a, sa), (b, sb)| b.taken_at.cmp(&a.taken_at).then(sb.cmp(sa)));
    Ok(found.into_iter().map(|(backup, _)| backup).collect())
}

/// Which backups the policy keeps: the newest `keep_latest`, and the newest of each
/// day within `keep_daily_days` of `now`. `backups` are newest first.
pub fn backups_to_keep(
    backups: &[FoundBackup],
    now: NaiveDateTime,
    policy: BackupPolicy,
) -> Vec<PathBuf> {
    let mut keep: Vec<PathBuf> = backups
        .iter()
        .take(policy.keep_latest)
        .map(|b| b.path.clone())
        .collect();
    let oldest_day = (now - Duration::days(policy.keep_daily_days)).date();
    let mut days_seen = Vec::new();
    for backup in backups {
        let day = backup.taken_at.date();
        if day > oldest_day && !days_seen.contains(&day) {
            days_seen.push(day);
            if !keep.contains(&backup.path) {
                keep.push(backup.path.clone());
            }
        }
    }
    keep
}

/// Deletes the automatic backups the policy does not keep. Returns how many went.
pub fn prune(folder: &Path, now: NaiveDateTime, policy: BackupPolicy) -> Result<usize> {
    let backups = list_backups(folder)?;
    let keep = backups_to_keep(&backups, now, policy);
    let mut removed = 0;
    for backup in backups.iter().filter(|b| !keep.contains(&b.path)) {
        std::fs::remove_file(&backup.path).map_err(|e| Error::io(&backup.path, e))?;
        removed += 1;
    }
    Ok(removed)
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Whether the vault changed since the newest backup in `folder` was taken (judged by
/// the vault's and its write-ahead log's modification times), or there is none.
pub fn changed_since_last_backup(vault: &Path, folder: &Path) -> Result<bool> {
    let Some(newest) = list_backups(folder)?.into_iter().next() else {
        return Ok(true);
    };
    let Some(backed_up) = modified(&newest.path) else {
        return Ok(true);
    };
    let mut wal = vault.as_os_str().to_owned();
    wal.push("-wal");
    let vault_changed = [modified(vault), modified(Path::new(&wal))]
        .into_iter()
        .flatten()
        .max();
    Ok(vault_changed.is_some_and(|changed| changed > backed_up))
}

/// Takes an automatic backup of `vault` into `folder` (created 0700 if missing) and
/// prunes the folder by `policy`. The backup is recorded in the audit trail.
pub fn take_automatic_backup(
    vault: &Vault,
    folder: &Path,
    policy: BackupPolicy,
) -> Result<BackupSummary> {
    super::private_file::create_private_folder(folder)?;
    let now = Local::now().naive_local();
    let mut target = folder.join(name_for(now));
    // Two backups within the same second: keep both.
    let mut n = 1;
    while target.exists() {
        target = folder.join(format!("{PREFIX}{}-{n}{SUFFIX}", now.format(STAMP)));
        n += 1;
    }
    let summary = vault.backup_to(&target, super::Overwrite::Refuse)?;
    prune(folder, now, policy)?;
    Ok(summary)
}

/// The age of the newest automatic backup, for the clinician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupState {
    /// When the newest automatic backup was taken (local time).
    pub last_taken_at: Option<NaiveDateTime>,
    /// There is none, or the newest is older than [`STALE_AFTER_DAYS`].
    pub stale: bool,
}

pub fn backup_state(folder: &Path) -> Result<BackupState> {
    let newest = list_backups(folder)?.into_iter().next().map(|b| b.taken_at);
    let now = Local::now().naive_local();
    Ok(BackupState {
        stale: newest.is_none_or(|taken| now - taken > Duration::days(STALE_AFTER_DAYS)),
        last_taken_at: newest,
    })
}

/// Takes an automatic backup if the vault changed since the last one and at least
/// `every_minutes` have passed since it (with `None`: whenever it changed, as on lock
/// and quit).
pub fn automatic_backup_if_due(
    vault: &Vault,
    folder: &Path,
    every_minutes: Option<u32>,
) -> Result<Option<BackupSummary>> {
    if !changed_since_last_backup(vault.path(), folder)? {
        return Ok(None);
    }
    if let Some(minutes) = every_minutes {
        let every = Duration::minutes(i64::from(minutes));
        let newest = list_backups(folder)?.into_iter().next();
        if newest.is_some_and(|b| Local::now().naive_local() - b.taken_at < every) {
            return Ok(None);
        }
    }
    take_automatic_backup(vault, folder, DEFAULT_POLICY).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn backups(times: &[&str]) -> Vec<FoundBackup> {
        let mut list: Vec<FoundBackup> = times
            .iter()
            .map(|t| FoundBackup {
                path: PathBuf::from(name_for(at(t))),
                taken_at: at(t),
            })
            .collect();
        list.sort_by_key(|b| std::cmp::Reverse(b.taken_at));
        list
    }

    #[test]
    fn names_round_trip() {
        let t = at("2026-11-23 07:37");
        assert_eq!(parse_name(&name_for(t)), Some(t));
        assert_eq!(parse_name("kapnotes-backup-nonsense.kapnotes"), None);
        assert_eq!(parse_name("my-own-file.kapnotes"), None);
        assert_eq!(
            parse_name("kapnotes-backup-2026-11-23T07-37-00-2.kapnotes"),
            Some(t)
        );
        assert_eq!(
            parse_name("kapnotes-backup-2026-11-23T07-37-00-x.kapnotes"),
            None
        );
    }

    #[test]
    fn keeps_the_latest_ten_and_one_a_day_for_thirty_days() {
        let now = at("2026-11-23 18:00");
        // Twelve backups today, then one at 09:00 and one at 17:00 on each of 40 earlier days.
        let mut times: Vec<String> = (0..12)
            .map(|h| format!("2026-11-23 {:02}:00", 5 + h))
            .collect();
        for d in 1..=40 {
            let day = (now - Duration::days(d)).date();
            times.push(format!("{day} 09:00"));
            times.push(format!("{day} 17:00"));
        }
        let refs: Vec<&str> = times.iter().map(String::as_str).collect();
        let list = backups(&refs);
        let keep = backups_to_keep(&list, now, DEFAULT_POLICY);
        // Ten latest (all today) + the newest of each of the 29 earlier days in the window.
        assert_eq!(keep.len(), 10 + 29);
        assert!(keep.contains(&PathBuf::from(name_for(at("2026-11-22 17:00")))));
        assert!(!keep.contains(&PathBuf::from(name_for(at("2026-11-22 09:00")))));
        assert!(
            !keep.contains(&PathBuf::from(name_for(at("2026-10-10 17:00")))),
            "older than 30 days"
        );
    }

    #[test]
    fn pruning_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2026-11-23 18:00");
        for h in 0..14 {
            std::fs::write(
                dir.path()
                    .join(name_for(at(&format!("2026-11-23 {:02}:00", h + 1)))),
                b"x",
            )
            .unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        assert_eq!(prune(dir.path(), now, DEFAULT_POLICY).unwrap(), 4);
        assert_eq!(list_backups(dir.path()).unwrap().len(), 10);
        assert!(dir.path().join("notes.txt").exists());
    }
}
