//! app: the one task that owns the terminal (STYLE habit 6). It waits for
//! input, worker answers or a timer; drains whatever else is queued; applies
//! it all through `update`; then draws once, at most every [`FRAME`]. The
//! [`App`] itself has no terminal, so tests drive it headless (habit 7).

use std::io::{self, Write};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::UnboundedReceiver;

use super::action::{Action, Effect};
use super::event::{Input, TermEvents};
use super::keymap;
use super::state::State;
use super::update::update;
use super::view;
use super::worker::Worker;

/// The pause in typing after which the query bar's text is searched.
pub const DEBOUNCE: Duration = Duration::from_millis(80);
/// At most one frame per this long (≈ 120 fps); input is drained between.
const FRAME: Duration = Duration::from_millis(8);

/// State, the worker it asks, and the effects waiting for the terminal.
pub struct App {
    pub state: State,
    pub worker: Worker,
    debounce: Option<(Instant, Action)>,
    /// Texts to put on the clipboard (OSC 52), oldest first, already
    /// through `sanitize::clipboard`.
    pub clipboard: Vec<String>,
    pub quit: bool,
}

impl App {
    pub fn new(state: State, worker: Worker) -> App {
        App {
            state,
            worker,
            debounce: None,
            clipboard: Vec::new(),
            quit: false,
        }
    }

    /// Apply one action and carry out its effect (except drawing).
    pub fn dispatch(&mut self, action: Action) {
        match update(&mut self.state, action) {
            Some(Effect::Fetch(jobs)) => {
                for job in jobs {
                    self.worker.submit(job);
                }
            }
            Some(Effect::Debounce(a)) => self.debounce = Some((Instant::now() + DEBOUNCE, a)),
            Some(Effect::Copy(text)) => self.clipboard.push(errtriage::sanitize::clipboard(
                &text,
                self.state.show_secrets,
            )),
            Some(Effect::Quit) => self.quit = true,
            None => {}
        }
        if super::test_panic_requested(&self.state.applied) {
            panic!("a test panic (ERRTRIAGE_TEST_PANIC=1, query `!panic`)");
        }
    }

    /// A terminal input, through the keymap.
    pub fn input(&mut self, input: &Input) {
        if let Some(action) = keymap::action_for(self.state.mode(), input) {
            self.dispatch(action);
        }
    }

    /// Run the debounced action now (the timer fired, or a test wants it).
    pub fn fire_debounce(&mut self) {
        if let Some((_, action)) = self.debounce.take() {
            self.dispatch(action);
        }
    }

    fn debounce_at(&self) -> Option<Instant> {
        self.debounce.as_ref().map(|(at, _)| *at)
    }
}

/// The event loop: returns when the user quits or the terminal goes away.
pub async fn run<B: Backend + Write>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    answers: &mut UnboundedReceiver<Action>,
) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    let mut input = TermEvents::new();
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;
    while !app.quit {
        if dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            terminal
                .draw(|f| view::draw(f, &mut app.state))
                .map_err(Into::into)?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
        let draw_at = if dirty {
            last_draw.map(|t| t + FRAME)
        } else {
            None
        };
        tokio::select! {
            got = input.next() => match got {
                None => break,
                Some(got) => {
                    app.input(&got?);
                    while let Some(more) = input.try_next().await {
                        app.input(&more?);
                    }
                }
            },
            Some(answer) = answers.recv() => {
                app.dispatch(answer);
                while let Ok(more) = answers.try_recv() {
                    app.dispatch(more);
                }
            }
            () = sleep_until(app.debounce_at()) => app.fire_debounce(),
            () = sleep_until(draw_at) => {}
        }
        dirty = true;
        for text in app.clipboard.drain(..) {
            crossterm::execute!(
                terminal.backend_mut(),
                crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
            )?;
        }
    }
    Ok(())
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
