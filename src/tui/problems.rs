//! problems: what the ingest behind `errtriage tui PATH…` found wrong —
//! bad lines by reason (with the first few by `file:line`), files that
//! could not be read, repaired or unfinished lines. The TUI shows them as a
//! count in the status bar and a list on `!`, instead of printing a report
//! the TUI's screen would hide.

use std::path::PathBuf;

use anyhow::Result;
use errtriage::index::WriterOptions;
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress, Summary};

use crate::context::Context;

/// The ingest's problems, as the TUI lists them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems {
    /// How many: bad lines plus unreadable files plus repaired lines.
    pub count: u64,
    /// One line each, raw (the view escapes them).
    pub lines: Vec<String>,
}

impl Problems {
    pub fn from_summary(s: &Summary) -> Problems {
        let mut lines = Vec::new();
        for p in &s.problems {
            lines.push(format!("unreadable  {}: {}", p.path, p.message));
        }
        for (reason, n) in &s.bad_by_reason {
            lines.push(format!("bad lines   {n} × {reason}"));
        }
        for b in &s.bad_examples {
            let reason = b.reason.as_str();
            lines.push(format!("  {}:{}  {reason}  {}", b.file, b.line, b.excerpt));
        }
        if s.repaired_utf8 > 0 {
            let n = s.repaired_utf8;
            lines.push(format!(
                "repaired    {n} line(s) of invalid UTF-8 (indexed)"
            ));
        }
        if s.incomplete_tails > 0 {
            let n = s.incomplete_tails;
            lines.push(format!(
                "unfinished  {n} last line(s) without a newline yet"
            ));
        }
        Problems {
            count: s.bad_lines + s.problems.len() as u64 + s.repaired_utf8,
            lines,
        }
    }
}

/// Ingest `paths` into the index without printing a report; what went
/// wrong comes back for the TUI to show.
pub fn ingest_quietly(ctx: &Context, paths: &[PathBuf]) -> Result<Problems> {
    let catalogs = ctx.catalogs()?;
    let mut sink = ctx.sink(&WriterOptions::default())?;
    eprintln!("errtriage: reading {} path(s)…", paths.len());
    let mut ingestor = Ingestor::new(
        sink.as_mut(),
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ingestor.ingest_paths(paths)?;
    let summary = ingestor.finish()?;
    sink.finish()?;
    Ok(Problems::from_summary(&summary))
}
