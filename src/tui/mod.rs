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
//! - [`pivot`] / [`complete`] — `=`/`-` pivots and the query bar's `Tab`, pure
//! - [`handoff`] / [`save`] — `y` `Y` `K` copies (OSC 52), `w` writes the case card
//! - [`feed`] / [`problems`] — the ingest behind `tui PATH… [--follow]` and what it found wrong
//! - [`zoom`] / [`goto`] — the histogram's cursor and zoom; go to a time
//! - [`incident`] — `i` impact, `T` client timeline, `a` lines around an event
//! - [`state`] / [`update`] — the state and the pure function that changes it
//! - [`worker`] — query threads, one latest-only mailbox per slot; index watcher
//! - [`original`] — a big event's original line, prepared in the worker
//! - [`view`]   — rendering; every log string is sanitised on its way in
//! - [`app`]    — the loop that ties them together
//! - [`bench`]  — the app headless on the real index, timed (`bench-tui`)

mod action;
mod app;
pub mod bench;
mod complete;
mod event;
mod feed;
mod goto;
mod handoff;
mod incident;
mod keymap;
mod loaded;
mod original;
mod pivot;
mod problems;
mod save;
mod second;
mod state;
mod update;
mod view;
mod worker;
mod zoom;

#[cfg(test)]
mod feed_tests;
#[cfg(test)]
mod first_results_tests;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod headless_chains_tests;
#[cfg(test)]
mod headless_clickhouse_tests;
#[cfg(test)]
mod headless_groups_tests;
#[cfg(test)]
mod headless_handoff_tests;
#[cfg(test)]
mod headless_incident_tests;
#[cfg(test)]
mod headless_pivot_tests;
#[cfg(test)]
mod headless_tests;
#[cfg(test)]
mod pivot_tests;
#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod rough_edges_tests;
#[cfg(test)]
mod small_terminal_tests;
#[cfg(test)]
mod time_tests;
#[cfg(test)]
mod update_tests;
#[cfg(test)]
mod walk_tests;

use std::io::{self, IsTerminal, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::context::{Context, Status};
use action::Action;
use app::App;
use state::State;
use worker::{StoreCell, Worker};

/// Ingest `paths` (quietly), then open the TUI with the ingest's problems
/// in its status bar; with `follow`, keep tailing them while it runs. A
/// Ctrl-C during the first ingest stops it (what was read is committed)
/// and quits instead of opening the TUI.
pub fn open_paths(ctx: &Context, paths: &[std::path::PathBuf], follow: bool) -> Result<Status> {
    let stop = crate::interrupt::stop_flag();
    let (problems, sink) = match feed::ingest_quietly(ctx, paths, stop)? {
        feed::Ingested::Read(problems, sink) => (problems, sink),
        feed::Ingested::Interrupted => {
            eprintln!(
                "errtriage: interrupted; everything read so far is committed, run the same command to continue"
            );
            return Ok(Status::Interrupted);
        }
    };
    if !follow {
        // The same index `errtriage ingest` leaves: segments merged and
        // group tables written, so the TUI answers as fast as measured.
        ctx.settle(sink, &ctx.catalogs()?);
        return open(ctx, "", problems, None);
    }
    let tail = Tail {
        sink,
        paths: paths.to_vec(),
    };
    open(ctx, "", problems, Some(tail))
}

/// Open the TUI over `query` (empty: every event). Returns when the user quits.
pub fn run(ctx: &Context, query: &str) -> Result<Status> {
    open(ctx, query, problems::Problems::default(), None)
}

/// What `--follow` goes on tailing once the TUI is open.
struct Tail {
    sink: Box<dyn errtriage::store::Sink>,
    paths: Vec<std::path::PathBuf>,
}

fn open(
    ctx: &Context,
    query: &str,
    problems: problems::Problems,
    tail: Option<Tail>,
) -> Result<Status> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        anyhow::bail!(
            "the TUI needs a terminal; for scripts use `errtriage search`, `groups`, `chains` or `find`"
        );
    }
    let store = StoreCell::new(ctx.watched_store()?);
    let (sink, mut answers) = tokio::sync::mpsc::unbounded_channel();
    let worker = Worker::start(store.clone(), sink.clone()).context("starting query threads")?;
    worker::watch(store, ctx.store.clone(), sink.clone()).context("starting the index watcher")?;
    let _feed = match tail {
        Some(t) => Some(
            feed::Feed::start(t.sink, ctx.catalogs()?, t.paths, problems.clone(), sink)
                .context("starting to follow")?,
        ),
        None => None,
    };
    let index_dir = ctx.location().display().to_string();
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

/// True while the TUI holds the terminal (raw mode, alternate screen):
/// a panic on any thread other than a query thread restores it first.
static TERMINAL_TAKEN: AtomicBool = AtomicBool::new(false);

/// The terminal in raw mode on the alternate screen; dropping it (or a
/// panic on its thread) restores the terminal.
struct Tty {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Tty {
    fn enter() -> io::Result<Tty> {
        install_panic_hook();
        TERMINAL_TAKEN.store(true, Ordering::SeqCst);
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
        TERMINAL_TAKEN.store(false, Ordering::SeqCst);
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
    let _ = restore_to(&mut io::stdout());
}

/// What leaves the TUI's screen: bracketed paste and mouse capture off,
/// the main screen back, the cursor shown (raw mode is left separately).
fn restore_to(out: &mut impl io::Write) -> io::Result<()> {
    crossterm::execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    )
}

/// A panic while the TUI holds the terminal restores the terminal before
/// the message is printed (on whichever thread it happens); one on a query
/// thread is recorded for the worker, which shows it inline instead of
/// scribbling over the screen. Installed before the terminal is taken.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let on_worker = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("errtriage-"));
            if on_worker && TERMINAL_TAKEN.load(Ordering::SeqCst) {
                worker::LAST_PANIC.set(Some(info.to_string()));
                return;
            }
            if TERMINAL_TAKEN.swap(false, Ordering::SeqCst) {
                restore();
            }
            previous(info);
        }));
    });
}

/// A test hook, not a feature: with `ERRTRIAGE_TEST_PANIC=1` in the
/// environment, typing the query `!panic` panics the TUI, so the tmux test
/// can check the terminal is usable afterwards.
pub(crate) fn test_panic_requested(query: &str) -> bool {
    query == "!panic" && std::env::var_os("ERRTRIAGE_TEST_PANIC").is_some_and(|v| v == "1")
}

#[cfg(test)]
mod restore_tests {
    #[test]
    fn restoring_leaves_the_alternate_screen_and_shows_the_cursor() {
        let mut out = Vec::new();
        super::restore_to(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for (what, seq) in [
            ("bracketed paste off", "\x1b[?2004l"),
            ("mouse capture off", "\x1b[?1000l"),
            ("main screen back", "\x1b[?1049l"),
            ("cursor shown", "\x1b[?25h"),
        ] {
            assert!(text.contains(seq), "{what}: {text:?}");
        }
        let screen = text.find("\x1b[?1049l").unwrap();
        assert!(
            text.find("\x1b[?25h").unwrap() > screen,
            "cursor shown on the main screen"
        );
    }
}
