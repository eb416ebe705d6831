//! event: the only place that reads the terminal. crossterm's async
//! [`EventStream`] (never mixed with `event::poll`) is turned into
//! [`Input`]s; [`super::keymap`] turns those into actions.

use std::io;
use std::task::Poll;

use crossterm::event::{Event, EventStream, KeyEvent, MouseEvent};
use futures::StreamExt;

/// What the user did at the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Bracketed paste.
    Paste(String),
}

/// The terminal's input, as a stream of [`Input`]s.
pub struct TermEvents {
    stream: EventStream,
}

impl TermEvents {
    pub fn new() -> Self {
        TermEvents {
            stream: EventStream::new(),
        }
    }

    /// The next input; `None` once the terminal is gone.
    pub async fn next(&mut self) -> Option<io::Result<Input>> {
        loop {
            match self.stream.next().await? {
                Ok(e) => {
                    if let Some(input) = convert(e) {
                        return Some(Ok(input));
                    }
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// An input that is already queued, without waiting.
    ///
    /// Polled with this task's own waker (`poll!`), never a throwaway one
    /// (`now_or_never`): crossterm registers a waker only on the first
    /// pending poll, so a no-op waker there would leave the next real wait
    /// deaf to the keyboard.
    pub async fn try_next(&mut self) -> Option<io::Result<Input>> {
        loop {
            match futures::poll!(self.stream.next()) {
                Poll::Ready(Some(Ok(e))) => {
                    if let Some(input) = convert(e) {
                        return Some(Ok(input));
                    }
                }
                Poll::Ready(Some(Err(e))) => return Some(Err(e)),
                Poll::Ready(None) | Poll::Pending => return None,
            }
        }
    }
}

fn convert(e: Event) -> Option<Input> {
    match e {
        Event::Key(k) => Some(Input::Key(k)),
        Event::Mouse(m) => Some(Input::Mouse(m)),
        Event::Resize(w, h) => Some(Input::Resize(w, h)),
        Event::Paste(s) => Some(Input::Paste(s)),
        Event::FocusGained | Event::FocusLost => None,
    }
}
