//! stats: what the index holds — events, files, input bytes, time range and
//! its own size on disk.

use super::Stats;
use crate::error::{Error, Result};
use crate::index::LocalStore;
use crate::model::ts_millis;

impl LocalStore {
    pub fn stats(&self) -> Result<Stats> {
        let checkpoint = self.checkpoint()?;
        // Files are known by content: four rotations of one path are four
        // files, a renamed or compressed rotation is still one.
        let files = checkpoint.file_count();
        let bounds = self.ts_bounds()?;
        let fmt =
            |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|t| ts_millis::format(&t));
        Ok(Stats {
            events: self.num_events(),
            files,
            bytes: checkpoint.totals.bytes,
            first_ts: bounds.and_then(|b| fmt(b.0)),
            last_ts: bounds.and_then(|b| fmt(b.1)),
            index_bytes: match self.dir() {
                Some(dir) => dir_size(dir)?,
                None => 0,
            },
            store: Some(crate::store::Store::describe(self)),
        })
    }
}

fn dir_size(dir: &std::path::Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if let Ok(meta) = entry.metadata() {
            if meta.is_file() {
                total += meta.len();
            }
        }
    }
    Ok(total)
}
