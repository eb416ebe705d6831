//! zoom: moving through time on the histogram. `[`/`]` (or `v`) give the
//! histogram the keys; then `h`/`l` move a cursor over its columns, `v`
//! marks one end of a span, `Enter` narrows the query to the span by
//! writing `since:`/`until:` into it (the query bar stays the single truth)
//! — or, with nothing marked, sends the Events view to the cursor's time —
//! and `-`/`Backspace` go back to the query before the zoom. `Esc` hands
//! the keys back; so does any key the histogram does not answer, which then
//! does what it does when browsing.

use chrono::{DateTime, Duration, SecondsFormat, SubsecRound as _, Utc};
use errtriage::query::Histogram;
use tui_input::Input;

use crossterm::event::KeyCode;

use super::action::{Action, Job};
use super::goto;
use super::keymap::{Binding, Key, Mode, ch, ctrl, plain};
use super::state::State;
use super::update::run_query;

/// A key while the histogram has the keys. One it does not answer is given
/// back (`Err`), the histogram having handed the keys back.
pub fn key(s: &mut State, action: Action) -> Result<Vec<Job>, Action> {
    match action {
        Action::HistMove(n) => move_cursor(s, n),
        Action::HistMark => mark(s),
        Action::Open if s.hist_mark.is_some() => return Ok(zoom_in(s)),
        Action::Open => {
            let (Some(at), Some(h)) = (cursor(s), s.histogram.as_ref()) else {
                return Ok(Vec::new());
            };
            let end = column_time(h, at + 1) - Duration::milliseconds(1);
            leave(s);
            return Ok(goto::jump(s, end));
        }
        Action::ZoomOut => return Ok(zoom_out(s)),
        Action::Help => {
            s.help = true;
            s.help_scroll = 0;
        }
        Action::Back => leave(s),
        other => {
            leave(s);
            return Err(other);
        }
    }
    Ok(Vec::new())
}

/// Hand the keys back to the views; the cursor and any mark go.
pub fn leave(s: &mut State) {
    s.hist_focus = false;
    s.hist_cursor = None;
    s.hist_mark = None;
}

/// When column `i` of `h` starts.
pub fn column_time(h: &Histogram, i: usize) -> DateTime<Utc> {
    let n = h.counts.len().max(1) as i64;
    let span = (h.end - h.start).num_milliseconds().max(1);
    h.start + Duration::milliseconds(span * i as i64 / n)
}

/// The cursor's column: where `[`/`]` left it, else the last column.
pub fn cursor(s: &State) -> Option<usize> {
    let n = s.histogram.as_ref()?.counts.len();
    (n > 0).then(|| s.hist_cursor.unwrap_or(n - 1).min(n - 1))
}

pub fn move_cursor(s: &mut State, by: isize) {
    let Some(at) = cursor(s) else {
        s.flash = Some("no histogram yet".into());
        return;
    };
    s.hist_focus = true;
    let last = s.histogram.as_ref().map_or(0, |h| h.counts.len() - 1);
    let at = if s.hist_cursor.is_none() && by < 0 {
        last
    } else {
        at.saturating_add_signed(by).min(last)
    };
    s.hist_cursor = Some(at);
}

/// `v`: mark the span's first end at the cursor (again: unmark).
pub fn mark(s: &mut State) {
    if s.hist_mark.take().is_some() {
        return;
    }
    let Some(at) = cursor(s) else {
        s.flash = Some("no histogram yet".into());
        return;
    };
    s.hist_focus = true;
    s.hist_cursor = Some(at);
    s.hist_mark = Some(at);
    s.flash = Some("span marked: h/l widen it, Enter zooms, v unmarks".into());
}

/// `Enter` with a span marked: the query narrowed to it.
pub fn zoom_in(s: &mut State) -> Vec<Job> {
    let (Some(mark), Some(at), Some(h)) = (s.hist_mark.take(), cursor(s), s.histogram.as_ref())
    else {
        return Vec::new();
    };
    let (from, to) = (mark.min(at), mark.max(at));
    // Whole seconds, widened outward: what a person would have typed.
    let since = column_time(h, from).trunc_subsecs(0);
    let mut until = column_time(h, to + 1);
    if until.trunc_subsecs(0) != until {
        until = until.trunc_subsecs(0) + Duration::seconds(1);
    }
    let since = since.to_rfc3339_opts(SecondsFormat::Secs, true);
    let until = until.to_rfc3339_opts(SecondsFormat::Secs, true);
    let kept: Vec<&str> = s
        .applied
        .split_whitespace()
        .filter(|t| !t.starts_with("since:") && !t.starts_with("until:"))
        .collect();
    let mut text = kept.join(" ");
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(&format!("since:{since} until:{until}"));
    s.zooms.push(s.applied.clone());
    apply(s, text)
}

/// `Backspace`: the query before the last zoom.
pub fn zoom_out(s: &mut State) -> Vec<Job> {
    match s.zooms.pop() {
        Some(before) => apply(s, before),
        None => {
            s.flash = Some("not zoomed in: v marks a span on the histogram".into());
            Vec::new()
        }
    }
}

fn apply(s: &mut State, text: String) -> Vec<Job> {
    s.hist_cursor = None;
    s.hist_mark = None;
    s.applied = text.clone();
    s.input = Input::new(text.clone());
    run_query(s, text, false)
}

/// The focused histogram's keys.
pub fn bindings() -> Vec<Binding> {
    use KeyCode::*;
    let b = |keys: &[Key], action, help| Binding {
        mode: Mode::Histogram,
        keys: keys.to_vec(),
        action,
        help,
    };
    vec![
        b(
            &[ch('h'), plain(Left), ch('[')],
            Action::HistMove(-1),
            "cursor back in time",
        ),
        b(
            &[ch('l'), plain(Right), ch(']')],
            Action::HistMove(1),
            "cursor forward in time",
        ),
        b(&[ch('H')], Action::HistMove(-10), "ten columns back"),
        b(&[ch('L')], Action::HistMove(10), "ten columns forward"),
        b(
            &[ch('v')],
            Action::HistMark,
            "mark one end of a span (again: unmark)",
        ),
        b(
            &[plain(Enter)],
            Action::Open,
            "zoom to the marked span (since:/until: in the query); unmarked: Events go to the cursor's time",
        ),
        b(
            &[ch('-'), plain(Backspace)],
            Action::ZoomOut,
            "zoom back out (the query before the zoom)",
        ),
        b(&[ch('?')], Action::Help, "this help"),
        b(&[plain(Esc), ch('q')], Action::Back, "leave the histogram"),
        b(&[ctrl('c')], Action::Quit, "quit"),
    ]
}
