//! follow: `ingest --follow` — keep tailing the named files and directories.
//! notify wakes the loop as soon as something changes (with a rescan at
//! least every tick as a fallback); each [`Follower::tick`] re-identifies
//! every file (so growth, rotation, copytruncate and new files are all the
//! ordinary cases of [`super::identify`]) and commits what was read.
//!
//! A file named on the command line is also held open, as `tail -F` does:
//! when its name is rotated away (renamed or deleted and recreated), the
//! lines written to the old file after the last tick are read from the held
//! descriptor before the new file is, so none are lost even though the old
//! file is outside what is followed.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use super::pipeline::Ingestor;
use crate::error::{Error, Result};

/// Tail `paths` until `stop` is set, committing at least every `tick`.
pub fn follow(
    ingestor: &mut Ingestor<'_>,
    paths: &[PathBuf],
    stop: &AtomicBool,
    tick: Duration,
) -> Result<()> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| Error::io(".", std::io::Error::other(e)))?;
    for path in paths.iter().filter(|p| p.as_os_str() != "-") {
        watch(&mut watcher, path);
    }
    let mut follower = Follower::new(ingestor, paths);
    while !stop.load(Ordering::Relaxed) {
        // Wake on the first change, or after a tick at most.
        if rx.recv_timeout(tick).is_ok() {
            std::thread::sleep(Duration::from_millis(50));
            while rx.try_recv().is_ok() {}
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
        follower.tick(ingestor)?;
    }
    ingestor.commit_if_dirty()
}

/// A rotated-away file is still read while it changes, and let go after
/// it has not changed for this long (writers reopen their log by then).
const RETIRE_AFTER: Duration = Duration::from_secs(60);
/// At most this many rotated-away files are held.
const MAX_RETIRED: usize = 16;

/// The state of follow mode between ticks: the named files held open, and
/// the ones rotated away from under their names, still drained.
pub struct Follower {
    paths: Vec<PathBuf>,
    held: HashMap<PathBuf, File>,
    retired: Vec<Retired>,
}

struct Retired {
    file: File,
    size: u64,
    changed: Instant,
}

impl Follower {
    /// Start following `paths` (already ingested once).
    pub fn new(ingestor: &mut Ingestor<'_>, paths: &[PathBuf]) -> Follower {
        ingestor.quiet_unchanged(true);
        let mut follower = Follower {
            paths: paths.to_vec(),
            held: HashMap::new(),
            retired: Vec::new(),
        };
        for path in paths.iter().filter(|p| p.is_file()) {
            if let Ok(file) = File::open(path) {
                follower.held.insert(path.clone(), file);
            }
        }
        follower
    }

    /// One step: drain rotated-away named files, read what is new, commit.
    pub fn tick(&mut self, ingestor: &mut Ingestor<'_>) -> Result<()> {
        for path in self.paths.clone() {
            self.drain_if_rotated(ingestor, &path);
        }
        for old in &mut self.retired {
            let size = old.file.metadata().map_or(0, |m| m.len());
            if size != old.size {
                (old.size, old.changed) = (size, Instant::now());
            }
            ingestor.ingest_file(&fd_path(&old.file))?;
        }
        self.retired
            .retain(|old| old.changed.elapsed() < RETIRE_AFTER);
        ingestor.rescan(&self.paths)?;
        ingestor.commit_if_dirty()
    }

    /// If `path` no longer names the file held open, retire the held one
    /// (it is drained every tick while it changes), and hold the new one.
    fn drain_if_rotated(&mut self, _ingestor: &mut Ingestor<'_>, path: &Path) {
        let now = std::fs::metadata(path).ok().filter(|m| m.is_file());
        if let Some(file) = self.held.get(path) {
            let held = file.metadata().map(|m| (m.dev(), m.ino())).ok();
            if held.is_some() && held == now.as_ref().map(|m| (m.dev(), m.ino())) {
                return;
            }
            let file = self.held.remove(path).expect("held");
            if self.retired.len() == MAX_RETIRED {
                self.retired.remove(0);
            }
            self.retired.push(Retired {
                size: u64::MAX,
                file,
                changed: Instant::now(),
            });
        }
        if now.is_some() {
            if let Ok(file) = File::open(path) {
                self.held.insert(path.to_path_buf(), file);
            }
        }
    }
}

/// A path that opens the same file as `file`, wherever it is now.
fn fd_path(file: &File) -> PathBuf {
    let fd = std::os::fd::AsRawFd::as_raw_fd(file);
    PathBuf::from(format!("/proc/self/fd/{fd}"))
}

/// Watch a directory recursively, or a file's directory (so a file that is
/// rotated away and recreated is still seen).
fn watch(watcher: &mut notify::RecommendedWatcher, path: &Path) {
    let (target, mode) = if path.is_dir() {
        (path, RecursiveMode::Recursive)
    } else {
        (
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
            RecursiveMode::NonRecursive,
        )
    };
    // A path that cannot be watched is still rescanned every tick.
    let _ = watcher.watch(target, mode);
}
