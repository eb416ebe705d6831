//! bench: the TUI headless over the real index, timed (the benchmark's TUI
//! row; `errtriage bench-tui`, a hidden command). The app, its keymap,
//! worker threads and views are the real ones; only the terminal is a
//! `TestBackend`. Keys are typed at a human pace; each keystroke is timed
//! until the frame that shows it is drawn, each typing pause until the
//! frame that shows its results.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde::Serialize;
use tokio::sync::mpsc::UnboundedReceiver;

use super::action::{Action, Detail};
use super::app::{App, DEBOUNCE};
use super::event::Input;
use super::original::Original;
use super::state::State;
use super::view;
use super::worker::{StoreCell, Worker};
use crate::context::{Context, Status};

/// What `bench-tui` prints (milliseconds).
#[derive(Debug, Serialize)]
pub struct TuiTimings {
    pub events: u64,
    /// From opening the index to the first frame drawn.
    pub first_frame_ms: f64,
    /// From opening the index to the first frame showing query results.
    pub first_results_ms: f64,
    pub keys: usize,
    /// Keystroke → the frame showing it.
    pub key_to_frame_p50_ms: f64,
    pub key_to_frame_p95_ms: f64,
    pub key_to_frame_max_ms: f64,
    /// Typing pause over (debounce fired) → the frame showing the results.
    pub pause_to_results_p50_ms: f64,
    pub pause_to_results_p95_ms: f64,
    /// Events matching the typed query at the end.
    pub final_total: u64,
    /// Go to time (the middle of the index, in the typed query): `Enter`
    /// in the prompt → the frame showing the events around it.
    pub goto_to_results_ms: f64,
    /// A [`BIG_EVENT_MB`] MB event in the detail pane: its first frame
    /// (before the worker's answer), the first with the worker's answer, and
    /// the p95 of frames scrolling it.
    pub big_event_first_frame_ms: f64,
    pub big_event_detail_frame_ms: f64,
    pub big_event_frame_p50_ms: f64,
    pub big_event_frame_p95_ms: f64,
    /// The worker preparing its original line (off the render loop).
    pub big_event_prepare_ms: f64,
}

/// The size of the event whose detail pane is timed.
pub const BIG_EVENT_MB: usize = 5;

/// How long a typist takes per key (slower than [`DEBOUNCE`], so each key
/// is searched, the hardest case for the frame budget).
const KEY_INTERVAL: Duration = Duration::from_millis(120);

/// Type `text` into the query bar of a headless TUI and print the timings.
pub fn run(ctx: &Context, text: &str, size: (u16, u16)) -> Result<Status> {
    let started = Instant::now();
    let store = StoreCell::new(ctx.watched_store()?);
    let events = store.get().num_events();
    let (sink, mut answers) = tokio::sync::mpsc::unbounded_channel();
    let worker = Worker::start(store, sink).context("starting query threads")?;
    let index_dir = ctx.location().display().to_string();
    let mut app = App::new(State::new("", !ctx.redact, &index_dir), worker);
    let mut term = Terminal::new(TestBackend::new(size.0, size.1))?;
    app.dispatch(Action::Resize(size.0, size.1));
    app.dispatch(Action::Start);
    draw(&mut term, &mut app)?;
    let first_frame = started.elapsed();
    settle(&mut term, &mut app, &mut answers)?;
    let first_results = started.elapsed();

    app.input(&key(KeyCode::Char('/')));
    draw(&mut term, &mut app)?;
    let (mut per_key, mut per_pause) = (Vec::new(), Vec::new());
    for c in text.chars() {
        let t = Instant::now();
        app.input(&key(KeyCode::Char(c)));
        drain(&mut app, &mut answers);
        draw(&mut term, &mut app)?;
        per_key.push(ms(t.elapsed()));
        std::thread::sleep(DEBOUNCE);
        let t = Instant::now();
        app.fire_debounce();
        settle(&mut term, &mut app, &mut answers)?;
        per_pause.push(ms(t.elapsed()));
        if let Some(rest) = KEY_INTERVAL.checked_sub(DEBOUNCE + t.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    let goto = go_to_middle(&mut term, &mut app, &mut answers)?;
    let timings = TuiTimings {
        events,
        goto_to_results_ms: goto,
        first_frame_ms: ms(first_frame),
        first_results_ms: ms(first_results),
        keys: per_key.len(),
        key_to_frame_p50_ms: percentile(&per_key, 50.0),
        key_to_frame_p95_ms: percentile(&per_key, 95.0),
        key_to_frame_max_ms: percentile(&per_key, 100.0),
        pause_to_results_p50_ms: percentile(&per_pause, 50.0),
        pause_to_results_p95_ms: percentile(&per_pause, 95.0),
        final_total: app.state.events.total,
        big_event_first_frame_ms: 0.0,
        big_event_detail_frame_ms: 0.0,
        big_event_frame_p50_ms: 0.0,
        big_event_frame_p95_ms: 0.0,
        big_event_prepare_ms: 0.0,
    };
    let (big, prepare) = big_event_timed(BIG_EVENT_MB, 30, size)?;
    let timings = TuiTimings {
        big_event_first_frame_ms: big[0],
        big_event_detail_frame_ms: big[1],
        big_event_frame_p50_ms: percentile(&big[2..], 50.0),
        big_event_frame_p95_ms: percentile(&big[2..], 95.0),
        big_event_prepare_ms: prepare,
        ..timings
    };
    println!("{}", serde_json::to_string_pretty(&timings)?);
    Ok(Status::Done)
}

/// Frame times (ms) of the detail pane over one `mb` MB event (a message
/// of one long word-wrapped line, and a body with many lines): the first
/// before the worker's answer, then with it, then scrolled (as `Ctrl-E` does) between
/// frames.
#[cfg(test)]
pub fn big_event_frames(mb: usize, frames: usize, size: (u16, u16)) -> Result<Vec<f64>> {
    Ok(big_event_timed(mb, frames, size)?.0)
}

/// [`big_event_frames`], and how long the worker took to prepare the
/// event's original line (ms).
pub fn big_event_timed(mb: usize, frames: usize, size: (u16, u16)) -> Result<(Vec<f64>, f64)> {
    let words = "lorem ipsum dolor sit amet ".repeat(mb * (1 << 20) / 2 / 27);
    let body: Vec<String> = (0..mb * (1 << 20) / 2 / 64)
        .map(|i| format!("{i:08}-0123456789abcdef0123456789abcdef0123456789abcd"))
        .collect();
    let raw = serde_json::json!({"status": 500, "message": words, "rows": body}).to_string();
    let source = errtriage::model::Source {
        file: "big.log".into(),
        line: 1,
        offset: 0,
    };
    let mut event = errtriage::model::Event::new(chrono::Utc::now(), source, raw);
    event.request_id = "req_big".into();
    event.status = Some(500);
    event.message = Some(words);
    let mut state = State::new("", false, "-");
    state.size = size;
    state.events.list.set(vec![event.clone()]);
    let mut term = Terminal::new(TestBackend::new(size.0, size.1))?;
    let mut times = Vec::with_capacity(frames);
    let mut frame = |state: &mut State| -> Result<()> {
        let t = Instant::now();
        term.draw(|f| view::draw(f, state))?;
        times.push(ms(t.elapsed()));
        Ok(())
    };
    frame(&mut state)?;
    // What the worker's Detail job does off the render loop.
    let t = Instant::now();
    let original = Original::prepare(&event.raw, false);
    let prepare = ms(t.elapsed());
    state.detail.for_event = Some(event.source.clone());
    state.detail.detail = Some(Detail {
        event,
        reading: None,
        chains: Vec::new(),
        original: Some(std::sync::Arc::new(original)),
    });
    for _ in 1..frames.max(2) {
        frame(&mut state)?;
        state.detail_scroll += 7;
    }
    Ok((times, prepare))
}

/// Apply the typed query, then go to the middle of the index's time range;
/// the time (ms) from `Enter` in the prompt to the frame showing it.
fn go_to_middle(
    term: &mut Terminal<TestBackend>,
    app: &mut App,
    answers: &mut UnboundedReceiver<Action>,
) -> Result<f64> {
    app.input(&key(KeyCode::Enter));
    settle(term, app, answers)?;
    let stats = app.state.stats.as_ref().context("no stats")?;
    let at = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    let (Some(first), Some(last)) = (at(&stats.first_ts), at(&stats.last_ts)) else {
        return Ok(0.0);
    };
    let middle = first + (last - first) / 2;
    app.input(&key(KeyCode::Char('t')));
    for c in middle.format("%Y-%m-%d %H:%M:%S").to_string().chars() {
        app.input(&key(KeyCode::Char(c)));
    }
    draw(term, app)?;
    let t = Instant::now();
    app.input(&key(KeyCode::Enter));
    settle(term, app, answers)?;
    Ok(ms(t.elapsed()))
}

fn key(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn draw(term: &mut Terminal<TestBackend>, app: &mut App) -> Result<()> {
    term.draw(|f| view::draw(f, &mut app.state))?;
    Ok(())
}

/// Apply every answer already queued.
fn drain(app: &mut App, answers: &mut UnboundedReceiver<Action>) {
    while let Ok(a) = answers.try_recv() {
        app.dispatch(a);
    }
}

/// Wait for the current view's answers, then draw them.
fn settle(
    term: &mut Terminal<TestBackend>,
    app: &mut App,
    answers: &mut UnboundedReceiver<Action>,
) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.state.is_loading() {
        anyhow::ensure!(Instant::now() < deadline, "the TUI's queries took > 60 s");
        match answers.try_recv() {
            Ok(a) => app.dispatch(a),
            Err(_) => std::thread::sleep(Duration::from_micros(200)),
        }
    }
    drain(app, answers);
    draw(term, app)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The `p`th percentile (nearest rank) of `values`.
fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}
