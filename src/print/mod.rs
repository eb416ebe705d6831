//! print: every result reaches the user through a [`Printer`], so the
//! commands never know the format. JSON ([`json`]) is the stable contract of
//! DESIGN.md; human output ([`human`]) is escaped and coloured; [`markdown`]
//! is the case card for a support ticket. All of them redact secrets unless
//! `--no-redact`.

pub mod human;
pub mod incident;
pub mod json;
pub mod markdown;

use std::io;
use std::path::Path;

use errtriage::catalog::Catalogs;
use errtriage::ingest::Summary;
use errtriage::query::impact::ImpactResult;
use errtriage::query::timeline::TimelineResult;
use errtriage::query::{ChainsResult, FindResult, GroupsResult, SearchResult, Stats};

/// One method per kind of result.
pub trait Printer {
    fn find(&mut self, r: &FindResult, catalogs: &Catalogs) -> io::Result<()>;
    fn search(&mut self, r: &SearchResult) -> io::Result<()>;
    fn groups(&mut self, r: &GroupsResult) -> io::Result<()>;
    fn chains(&mut self, r: &ChainsResult) -> io::Result<()>;
    fn stats(&mut self, s: &Stats, index_dir: &Path) -> io::Result<()>;
    /// `into` names where the events went: `index DIR` or `store URL`.
    fn ingest(&mut self, s: &Summary, into: &str) -> io::Result<()>;
    fn impact(&mut self, r: &ImpactResult) -> io::Result<()>;
    fn timeline(&mut self, r: &TimelineResult) -> io::Result<()>;
}

/// A path as a person wants to read it: relative to the current directory
/// when it lies under it (JSON keeps the absolute path).
pub fn short_path(path: &str) -> &str {
    use std::sync::OnceLock;
    static CWD: OnceLock<Option<String>> = OnceLock::new();
    let cwd = CWD.get_or_init(|| {
        std::env::current_dir()
            .ok()
            .map(|d| format!("{}/", d.display()))
    });
    match cwd {
        Some(dir) => path.strip_prefix(dir.as_str()).unwrap_or(path),
        None => path,
    }
}

/// The printer for this invocation, writing to stdout.
pub fn printer(json: bool, color: bool, redact: bool) -> Box<dyn Printer> {
    let out = Box::new(io::stdout());
    if json {
        Box::new(json::JsonPrinter::new(out, redact))
    } else {
        Box::new(human::HumanPrinter::new(out, color, redact))
    }
}
