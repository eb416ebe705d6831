//! tui: the interactive front end, over the same query functions as the CLI.
//!
//! ```text
//! terminal ─► event (Input) ─► keymap (Action) ─► update(State) ─► Effect
//!                                    ▲                                │ jobs
//!                  Action::Loaded ───┴──── worker (latest-only) ◄─────┘
//! State ─► view::draw ─► terminal        (app: one task owns the terminal)
//! ```
//!
//! - [`event`]  — the only reader of the terminal (crossterm `EventStream`)
//! - [`keymap`] — default bindings in code; the `?` help is generated from it
//! - [`action`] — actions, effects, worker jobs and answers
//! - [`state`] / [`update`] — the state and the pure function that changes it
//! - [`worker`] — query threads, one latest-only mailbox per slot; index watcher
//! - [`view`]   — rendering; every log string is sanitised on its way in
//! - [`app`]    — the loop that ties them together
//! - [`bench`]  — the app headless on the real index, timed (`bench-tui`)

mod action;
mod app;
pub mod bench;
mod event;
mod handoff;
mod keymap;
mod problems;
mod state;
mod update;
mod view;
mod worker;
mod zoom;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod headless_tests;
#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod rough_edges_tests;
#[cfg(test)]
mod update_tests;
#[cfg(test)]
mod walk_tests;

use std::cell::Cell;
use std::io::{self, IsTerminal, Stdout};

use anyhow::{Context as _, Result};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::cli::{Context, Status};
use action::Action;
use app::App;
use state::State;
use worker::{StoreCell, Worker};

/// Ingest `paths` (quietly), then open the TUI with the ingest's problems
/// in its status bar.
pub fn open_paths(ctx: &Context, paths: &[std::path::PathBuf]) -> Result<Status> {
    let problems = problems::ingest_quietly(ctx, paths)?;
    open(ctx, "", problems)
}

/// Open the TUI over `query` (empty: every event). Returns when the user quits.
pub fn run(ctx: &Context, query: &str) -> Result<Status> {
    open(ctx, query, problems::Problems::default())
}

fn open(ctx: &Context, query: &str, problems: problems::Problems) -> Result<Status> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        anyhow::bail!(
            "the TUI needs a terminal; for scripts use `errtriage search`, `groups`, `chains` or `find`"
        );
    }
    let store = StoreCell::new(ctx.store()?);
    let (sink, mut answers) = tokio::sync::mpsc::unbounded_channel();
    let worker = Worker::start(store.clone(), sink.clone()).context("starting query threads")?;
    worker::watch(store, ctx.index_dir.clone(), sink).context("starting the index watcher")?;
    let index_dir = ctx.index_dir.display().to_string();
    let mut state = State::new(query, !ctx.redact, &index_dir);
    state.problems = problems;
    let mut app = App::new(state, worker);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let mut tty = Tty::enter().context("setting up the terminal")?;
    let (w, h) = crossterm::terminal::size()?;
    app.dispatch(Action::Resize(w, h));
    app.dispatch(Action::Start);
    let result = runtime.block_on(app::run(&mut tty.terminal, &mut app, &mut answers));
    drop(tty);
    result?;
    Ok(Status::Done)
}

thread_local! {
    /// True on the thread that owns the terminal.
    static OWNS_TERMINAL: Cell<bool> = const { Cell::new(false) };
}

/// The terminal in raw mode on the alternate screen; dropping it (or a
/// panic on its thread) restores the terminal.
struct Tty {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Tty {
    fn enter() -> io::Result<Tty> {
        install_panic_hook();
        OWNS_TERMINAL.set(true);
        enable_raw_mode()?;
        let restore_on_error = Restore;
        crossterm::execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )?;
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        std::mem::forget(restore_on_error);
        Ok(Tty { terminal })
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        restore();
        OWNS_TERMINAL.set(false);
    }
}

/// Restores the terminal when dropped (used while entering).
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    let _ = disable_raw_mode();
    let _ = crossterm::execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// A panic on the terminal's thread restores the terminal before the
/// message is printed; one on a query thread is recorded for the worker,
/// which shows it inline instead of scribbling over the screen.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_worker = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("errtriage-"));
        if OWNS_TERMINAL.get() {
            restore();
            previous(info);
        } else if on_worker {
            worker::LAST_PANIC.set(Some(info.to_string()));
        } else {
            previous(info);
        }
    }));
}
