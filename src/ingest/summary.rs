//! summary: what a run tells its user — progress while it runs, and the
//! end summary (`ingest --json`) with bad lines counted by reason and the
//! first few reported by `file:line`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::walk::Problem;
use crate::model::BadReason;
use crate::sanitize;

/// How many bad lines are reported by `file:line`.
const MAX_EXAMPLES: usize = 10;

/// Where progress goes (a progress bar on a terminal, nothing otherwise).
pub trait Progress: Sync {
    /// The on-disk bytes about to be read.
    fn begin(&self, _total_bytes: u64) {}
    /// More on-disk bytes and lines done.
    fn advance(&self, _bytes: u64, _lines: u64) {}
    /// Something worth telling now (a waiting lock, a skipped file).
    fn note(&self, _message: &str) {}
    fn end(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What a run did (`ingest --json`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files (and stdin) read.
    pub files: u64,
    /// Non-blank lines read: `events + bad_lines`.
    pub lines: u64,
    pub events: u64,
    pub bad_lines: u64,
    pub bad_by_reason: BTreeMap<String, u64>,
    /// Decompressed input bytes read.
    pub bytes: u64,
    pub seconds: f64,
    /// Files already fully in the index.
    pub unchanged_files: u64,
    pub empty_files: u64,
    /// Events whose line had no readable time: their `ts` was inferred
    /// (the previous line's, else the file's mtime) and is marked so.
    pub inferred_ts: u64,
    /// Lines with invalid UTF-8 that were repaired (U+FFFD) and indexed.
    pub repaired_utf8: u64,
    /// Lines whose time lies outside what the index holds (1677–2262):
    /// indexed with the previous line's time instead.
    pub out_of_range_ts: u64,
    /// Files whose last line has no newline yet and did not parse: left
    /// for the next run.
    pub incomplete_tails: u64,
    /// Files that could not be read (or only partly).
    pub problems: Vec<Problem>,
    /// The first few bad lines, by `file:line`.
    pub bad_examples: Vec<BadExample>,
}

/// The start of a bad line as reported: redacted before it is cut (a
/// secret across the cut is still found), then escaped. Summaries go to
/// `--json` and logs of runs, so this is redacted even with `--no-redact`.
fn excerpt(bytes: &[u8]) -> String {
    /// How much of the line is searched for secrets.
    const SCAN: usize = 4096;
    /// How many characters are reported.
    const SHOWN: usize = 80;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(SCAN)]);
    let redacted = sanitize::redact(&text);
    let cut: String = redacted.chars().take(SHOWN).collect();
    sanitize::escape(&cut).into_owned()
}

/// One reported bad line.
#[derive(Debug, Clone, Serialize)]
pub struct BadExample {
    pub file: String,
    pub line: u64,
    pub reason: BadReason,
    /// The start of the line, escaped for display.
    pub excerpt: String,
}

impl Summary {
    /// Count a bad line, and report it by `file:line` if it is one of the
    /// first [`MAX_EXAMPLES`].
    pub(crate) fn bad_line(&mut self, file: &str, line: u64, reason: BadReason, bytes: &[u8]) {
        self.bad_lines += 1;
        *self
            .bad_by_reason
            .entry(reason.as_str().to_string())
            .or_default() += 1;
        if self.bad_examples.len() < MAX_EXAMPLES {
            self.bad_examples.push(BadExample {
                file: file.to_string(),
                line,
                reason,
                excerpt: excerpt(bytes),
            });
        }
    }
}
