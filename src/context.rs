//! context: what both front ends (CLI and TUI) need of an invocation — the
//! chosen store, catalogs and formats, colour and redaction — and how a run
//! ended. It sits beside `cli/` and `tui/` so neither imports the other;
//! the store is opened here, once, and handed on as a `dyn Store`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use errtriage::catalog::Catalogs;
use errtriage::store::{Sink, Store, StoreChoice, open_sink, open_store, open_store_once};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::print::{self, Printer};

fn warn_if_stale(store: Arc<dyn Store>) -> Result<Arc<dyn Store>> {
    if store.is_stale() {
        eprintln!("errtriage: {}", errtriage::index::derived::STALE);
    }
    Ok(store)
}

/// Keep a one-shot command's store open until the process exits, never
/// dropping it: dropping a local index unmaps its segment files one
/// `munmap` at a time (with a TLB flush each), a fifth of the CPU of a
/// search at 10M events, where the kernel tears every mapping down at once
/// when the process exits (BENCHMARKS.md, "The process floor"). A store is
/// read-only here: nothing is left to flush.
fn keep_until_exit(store: Arc<dyn Store>) {
    static KEPT: Mutex<Vec<Arc<dyn Store>>> = Mutex::new(Vec::new());
    KEPT.lock().unwrap_or_else(|e| e.into_inner()).push(store);
}

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    /// Nothing matched (exit code 1).
    NotFound,
    /// Stopped by Ctrl-C (exit code 130).
    Interrupted,
}

/// What every subcommand needs to know about the invocation.
pub struct Context {
    /// `--index DIR` (or its default): the local index, and the store
    /// when no other is chosen.
    pub index_dir: PathBuf,
    /// The store this run reads and writes.
    pub store: StoreChoice,
    pub color: bool,
    pub redact: bool,
    pub catalog_files: Vec<PathBuf>,
    pub format_files: Vec<PathBuf>,
}

/// The user's config dir (`~/.config/errtriage`): catalogs, formats and
/// `config.toml`.
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "errtriage").map(|d| d.config_dir().to_path_buf())
}

impl Context {
    /// Built-in catalogs, the user's catalogs folder, then `--catalog` files.
    pub fn catalogs(&self) -> Result<Catalogs> {
        let dir = config_dir().map(|d| d.join("catalogs"));
        Ok(Catalogs::load(&self.catalog_files, dir.as_deref())?)
    }

    /// Built-in log formats, behind the user's formats folder and
    /// `--formats` files; `None` when there are no user formats (the
    /// built-ins are then parsed only if a line is read).
    pub fn user_formats(&self) -> Result<Option<errtriage::normalize::Formats>> {
        use errtriage::normalize::Formats;
        let dir = config_dir().map(|d| d.join("formats"));
        if !Formats::any_user(&self.format_files, dir.as_deref())? {
            return Ok(None);
        }
        Ok(Some(Formats::load(&self.format_files, dir.as_deref())?))
    }

    /// The store as it is now, opened for one command's query; says once
    /// on stderr when its stored fields were derived with other catalogs
    /// than these.
    pub fn store(&self) -> Result<Arc<dyn Store>> {
        let store = warn_if_stale(open_store_once(&self.store, self.catalogs()?)?)?;
        keep_until_exit(store.clone());
        Ok(store)
    }

    /// The store, opened for reading as long as the TUI runs: later
    /// commits show up by themselves (and the same stale warning).
    pub fn watched_store(&self) -> Result<Arc<dyn Store>> {
        warn_if_stale(open_store(&self.store, self.catalogs()?)?)
    }

    /// The store, opened for ingest (waiting, and saying so, while another
    /// ingest holds the local index).
    pub fn sink(&self, opts: &errtriage::index::WriterOptions) -> Result<Box<dyn Sink>> {
        Ok(open_sink(&self.store, opts, || {
            eprintln!("errtriage: another ingest is writing to this index; waiting for it…");
        })?)
    }

    /// End a bulk ingest that read to the end (`errtriage ingest`, the
    /// TUI's first ingest without `--follow`), leaving the store as queries
    /// read it fastest: its segments merged, then, for the local index, each
    /// new segment's group tables written. Everything read is committed
    /// before this: a failure here (a full disk) only leaves queries
    /// slower, so it is a warning, not an error.
    pub fn settle(&self, sink: Box<dyn Sink>, catalogs: &Catalogs) {
        let spinner = Spinner::start("merging the index's segments…");
        if let Err(e) = sink.compact_and_finish() {
            spinner.note(&format!(
                "errtriage: warning: the index's segments were not merged: {e:#}"
            ));
        }
        if let StoreChoice::Local(dir) = &self.store {
            spinner.say("writing the index's group tables…");
            let written = errtriage::index::LocalStore::open_once(dir, catalogs.clone())
                .and_then(|store| store.write_group_tables());
            if let Err(e) = written {
                spinner.note(&format!(
                    "errtriage: warning: the index's group tables were not written: {e:#}"
                ));
            }
        }
    }

    /// Where the store is, for messages: the index directory, or the
    /// server's URL (without its password).
    pub fn location(&self) -> PathBuf {
        match &self.store {
            StoreChoice::Local(dir) => dir.clone(),
            StoreChoice::ClickHouse(url) => PathBuf::from(url.display()),
        }
    }

    /// Where ingest wrote, as its summary's last line says it: `index: DIR`
    /// or `store: clickhouse://…` (without the password).
    pub fn destination(&self) -> String {
        match &self.store {
            StoreChoice::Local(dir) => format!("index: {}", dir.display()),
            StoreChoice::ClickHouse(url) => format!("store: {}", url.display()),
        }
    }

    /// The printer for `--json` or human output.
    pub fn printer(&self, json: bool) -> Box<dyn Printer> {
        print::printer(json, self.color, self.redact)
    }
}

/// What the work after a bulk ingest is doing, on stderr when it is a
/// terminal (a 10M ingest merges for about 40 s after its bar ends);
/// cleared when dropped, silent elsewhere.
struct Spinner(Option<ProgressBar>);

impl Spinner {
    fn start(message: &'static str) -> Spinner {
        if !std::io::stderr().is_terminal() {
            return Spinner(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .expect("valid template"),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(200));
        Spinner(Some(bar))
    }

    fn say(&self, message: &'static str) {
        if let Some(bar) = &self.0 {
            bar.set_message(message);
        }
    }

    /// A line above the spinner (a warning).
    fn note(&self, line: &str) {
        match &self.0 {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
