//! zoom: moving through time on the histogram. `[`/`]` move a cursor over
//! its columns, `v` marks one end of a span, `Enter` narrows the query to
//! the span by writing `since:`/`until:` into it (the query bar stays the
//! single truth), `Backspace` goes back to the query before the zoom.

use chrono::{DateTime, Duration, SecondsFormat, SubsecRound as _, Utc};
use errtriage::query::Histogram;
use tui_input::Input;

use super::action::Job;
use super::state::State;
use super::update::run_query;

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
        return;
    };
    s.hist_cursor = Some(at);
    s.hist_mark = Some(at);
    s.flash = Some("span marked: [ ] to widen it, Enter zooms, v unmarks".into());
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
