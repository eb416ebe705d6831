//! follow: `ingest --follow` — keep tailing the named files and directories.
//! notify wakes the loop as soon as something changes (with a rescan at
//! least every tick as a fallback), every file is re-identified (so growth,
//! rotation, copytruncate and new files are all the ordinary cases of
//! [`super::identify`]), and what was read is committed at least every tick.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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
    ingestor.quiet_unchanged(true);
    while !stop.load(Ordering::Relaxed) {
        // Wake on the first change, or after a tick at most.
        if rx.recv_timeout(tick).is_ok() {
            std::thread::sleep(Duration::from_millis(50));
            while rx.try_recv().is_ok() {}
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
        ingestor.rescan(paths)?;
        ingestor.commit_if_dirty()?;
    }
    ingestor.commit_if_dirty()
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
