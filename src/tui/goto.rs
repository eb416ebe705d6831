//! goto: "go to time" (`:` or `t`), between the keys and the worker. The
//! prompt reads a time of day (`09:44`: on the selected event's day, or the
//! day before or after, whichever is nearest it), a date and time
//! (`2026-05-14 09:44`), RFC 3339, or a time relative to the selected event
//! (`-2h`, `+30m`). The Events view then loads the matching events around
//! that time (`Store::search_at`, in the worker) and selects the nearest;
//! moving past either end of what is loaded asks for the next page on that
//! side (`Store::search_beside`), bounded on time. The query bar is not
//! changed: the list is the same query, seen from another time.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use errtriage::model::Source;
use errtriage::query::{SearchResult, Side, TimePage};
use tui_input::{Input, InputRequest};

use crossterm::event::KeyCode;

use super::action::{Action, Job, JobKind, Slot};
use super::keymap::{Binding, Key, Mode, ctrl, plain};
use super::state::{MORE_MARGIN, PAGE, State, View};

/// What the prompt says it takes.
pub const FORMS: &str = "09:44 · 2026-05-14 09:44 · RFC 3339 · -2h / +30m from the selected event";

/// `:` / `t`: open the prompt.
pub fn open(s: &mut State) {
    s.close_pages();
    s.goto = Some(Input::default());
}

/// A key while the prompt is open.
pub fn key(s: &mut State, action: Action) -> Vec<Job> {
    let Some(input) = s.goto.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Input(req) => {
            input.handle(req);
        }
        Action::Paste(text) => {
            for c in text.chars() {
                input.handle(InputRequest::InsertChar(c));
            }
        }
        Action::ClearQuery => input.reset(),
        Action::CancelQuery => s.goto = None,
        Action::ApplyQuery => {
            let text = input.value().to_string();
            match target(s, &text) {
                Ok(at) => {
                    s.goto = None;
                    return jump(s, at);
                }
                Err(why) => s.flash = Some(why),
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The time `text` names, read against the selected event (else the end
/// of the histogram: the newest event of the query).
pub fn target(s: &State, text: &str) -> Result<DateTime<Utc>, String> {
    let anchor = s
        .selected_event()
        .map(|e| e.ts)
        .or(s.histogram.as_ref().map(|h| h.end))
        .ok_or("no events to go among")?;
    parse(text, anchor)
}

/// `text` as a time, relative ones and times of day read against `anchor`.
pub fn parse(text: &str, anchor: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let bad = || format!("cannot read {text:?} as a time; try {FORMS}");
    if text.is_empty() {
        return Err(format!("type a time: {FORMS}"));
    }
    let relative = |rest: &str| errtriage::query::parse::parse_duration(rest).ok_or_else(bad);
    if let Some(rest) = text.strip_prefix('-') {
        return anchor.checked_sub_signed(relative(rest)?).ok_or_else(bad);
    }
    if let Some(rest) = text.strip_prefix('+') {
        return anchor.checked_add_signed(relative(rest)?).ok_or_else(bad);
    }
    if errtriage::query::parse::parse_duration(text).is_some() {
        return Err(format!(
            "-{text} goes back from the selected event, +{text} forward"
        ));
    }
    for fmt in ["%H:%M", "%H:%M:%S", "%H:%M:%S%.f"] {
        if let Ok(time) = NaiveTime::parse_from_str(text, fmt) {
            return Ok(nearest_day(anchor, time));
        }
    }
    let joined = text.replacen(' ', "T", 1);
    errtriage::query::parse::parse_time(&joined, anchor).ok_or_else(bad)
}

/// `time` on the anchor's day, or the day before or after: the nearest.
fn nearest_day(anchor: DateTime<Utc>, time: NaiveTime) -> DateTime<Utc> {
    let on = |days: i64| {
        (anchor.date_naive() + Duration::days(days))
            .and_time(time)
            .and_utc()
    };
    [0, -1, 1]
        .map(on)
        .into_iter()
        .min_by_key(|t| (*t - anchor).abs())
        .expect("three days")
}

/// Load the Events view around `at` (same query).
pub fn jump(s: &mut State, at: DateTime<Utc>) -> Vec<Job> {
    s.close_pages();
    s.view = View::Events;
    s.detail_scroll = 0;
    s.events.keep = None;
    s.pending[Slot::More.index()] = None;
    s.pending[Slot::Newer.index()] = None;
    vec![s.job(JobKind::EventsAt {
        at,
        per_side: PAGE / 2,
    })]
}

/// A live refresh of a list anchored at a time reloads around the selected
/// event, keeping it selected, instead of from the newest.
pub fn refresh(s: &State, jobs: &mut [Job]) {
    let (true, Some(ev)) = (s.events.anchored, s.selected_event()) else {
        return;
    };
    for job in jobs.iter_mut() {
        if matches!(job.kind, JobKind::Events { offset: 0, .. }) {
            job.kind = JobKind::EventsAt {
                at: ev.ts,
                per_side: PAGE / 2,
            };
        }
    }
}

/// The events around the time arrived: select the nearest (or the one a
/// refresh keeps), and say how near it is.
pub fn landed(s: &mut State, page: TimePage) {
    s.shown = s.running.clone();
    s.query_error = None;
    s.index_error = None;
    let keep = s.events.keep.take();
    s.events.total = page.total;
    s.events.anchored = true;
    s.events.newer_left = page.newer_left;
    let kept = keep.and_then(|src| page.events.iter().position(|e| e.source == src));
    let at = kept.or(page.nearest);
    let near = page.nearest.map(|i| page.events[i].ts);
    s.events.list.set(page.events);
    let Some(i) = at else {
        s.flash = Some("nothing in the current query to go to".into());
        return;
    };
    s.events.list.selected = i;
    s.events.list.offset = i.saturating_sub(s.list_height / 2);
    if kept.is_none() {
        let near = near.expect("nearest");
        s.flash = Some(format!(
            "{} → the nearest event, {}",
            page.at.format("%Y-%m-%d %H:%M:%S"),
            distance(near - page.at)
        ));
    }
}

/// `12 s after`, `3 min before`, `at that time`.
fn distance(d: Duration) -> String {
    let secs = d.num_seconds().abs();
    let when = if d > Duration::zero() {
        "after"
    } else {
        "before"
    };
    match secs {
        0 if d.is_zero() => "at that time".into(),
        0 => format!("{} ms {when}", d.num_milliseconds().abs()),
        1..60 => format!("{secs} s {when}"),
        60..3600 => format!("{} min {when}", secs / 60),
        3600..86400 => format!("{:.1} h {when}", secs as f64 / 3600.0),
        _ => format!("{} d {when}", secs / 86400),
    }
}

/// The next page on `side` of a list anchored at a time: bounded on the
/// time of the loaded end (its events there asked again, then left out).
pub fn page_job(s: &mut State, side: Side) -> Option<Job> {
    let items = &s.events.list.items;
    let edge = match side {
        Side::Older => items.last()?,
        Side::Newer => items.first()?,
    };
    let at = edge.ts;
    let same = items.iter().filter(|e| e.ts == at).count();
    Some(s.job(JobKind::EventsBeside {
        at,
        side,
        limit: PAGE + same,
    }))
}

/// Newer events above an anchored list, when the selection nears its top.
pub fn newer_job(s: &mut State) -> Option<Job> {
    let e = &s.events;
    if s.view != View::Events
        || !e.anchored
        || e.newer_left == 0
        || e.list.selected >= MORE_MARGIN
        || s.is_pending(Slot::Newer)
        || s.is_pending(Slot::Events)
    {
        return None;
    }
    page_job(s, Side::Newer)
}

/// A page beside an anchored list arrived: added at its end, the
/// selection staying on the same event.
pub fn on_beside(s: &mut State, at: DateTime<Utc>, side: Side, result: SearchResult) {
    let list = &mut s.events.list;
    let edge = match side {
        Side::Older => list.items.last(),
        Side::Newer => list.items.first(),
    };
    if !s.events.anchored || edge.map(|e| e.ts) != Some(at) {
        return;
    }
    let loaded: Vec<&Source> = list
        .items
        .iter()
        .filter(|e| e.ts == at)
        .map(|e| &e.source)
        .collect();
    let already = loaded.len() as u64;
    let fresh: Vec<_> = result
        .events
        .into_iter()
        .filter(|e| !loaded.contains(&&e.source))
        .collect();
    match side {
        Side::Older => list.items.extend(fresh),
        Side::Newer => {
            let n = fresh.len();
            s.events.newer_left = result.total.saturating_sub(already + n as u64);
            list.items.splice(0..0, fresh);
            list.selected += n;
            list.offset += n;
        }
    }
}

/// The go-to-time prompt's keys.
pub fn bindings() -> Vec<Binding> {
    use KeyCode::*;
    let b = |keys: &[Key], action, help| Binding {
        mode: Mode::Goto,
        keys: keys.to_vec(),
        action,
        help,
    };
    let edit = |keys: &[Key], req, help| b(keys, Action::Input(req), help);
    vec![
        b(
            &[plain(Enter), ctrl('j')],
            Action::ApplyQuery,
            "go: the Events view lands on the event nearest that time (in the current query)",
        ),
        b(&[plain(Esc)], Action::CancelQuery, "cancel"),
        b(&[ctrl('u')], Action::ClearQuery, "clear"),
        edit(
            &[plain(Backspace), ctrl('h')],
            InputRequest::DeletePrevChar,
            "delete",
        ),
        edit(
            &[plain(Left)],
            InputRequest::GoToPrevChar,
            "move the cursor",
        ),
        edit(
            &[plain(Right)],
            InputRequest::GoToNextChar,
            "move the cursor",
        ),
        b(&[ctrl('c')], Action::Quit, "quit"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn every_form_a_support_engineer_types_is_read() {
        let anchor = t("2026-05-14T10:20:30Z");
        for (typed, want) in [
            ("09:44", "2026-05-14T09:44:00Z"),
            ("09:44:05", "2026-05-14T09:44:05Z"),
            (" 2026-05-13 09:44 ", "2026-05-13T09:44:00Z"),
            ("2026-05-13 09:44:07", "2026-05-13T09:44:07Z"),
            ("2026-05-13T09:44:07+02:00", "2026-05-13T07:44:07Z"),
            ("2026-05-12", "2026-05-12T00:00:00Z"),
            ("-2h", "2026-05-14T08:20:30Z"),
            ("+30m", "2026-05-14T10:50:30Z"),
            ("-90s", "2026-05-14T10:19:00Z"),
        ] {
            assert_eq!(parse(typed, anchor), Ok(t(want)), "{typed}");
        }
    }

    #[test]
    fn a_time_of_day_is_the_one_nearest_the_selected_event() {
        let just_after_midnight = t("2026-05-15T00:10:00Z");
        assert_eq!(
            parse("23:50", just_after_midnight),
            Ok(t("2026-05-14T23:50:00Z"))
        );
        let late = t("2026-05-14T23:55:00Z");
        assert_eq!(parse("00:05", late), Ok(t("2026-05-15T00:05:00Z")));
    }

    #[test]
    fn what_is_not_a_time_says_what_is() {
        let anchor = t("2026-05-14T10:20:30Z");
        for typed in ["", "yesterdayish", "25:00", "-2x", "+"] {
            let err = parse(typed, anchor).unwrap_err();
            assert!(
                err.contains("09:44") && err.contains("-2h"),
                "{typed}: {err}"
            );
        }
        let err = parse("2h", anchor).unwrap_err();
        assert!(err.contains("-2h goes back"), "{err}");
        assert!(parse("-99999999999w", anchor).is_err());
    }

    #[test]
    fn distances_read_as_a_person_says_them() {
        assert_eq!(distance(Duration::zero()), "at that time");
        assert_eq!(distance(Duration::milliseconds(-300)), "300 ms before");
        assert_eq!(distance(Duration::milliseconds(-1500)), "1 s before");
        assert_eq!(distance(Duration::seconds(125)), "2 min after");
        assert_eq!(distance(Duration::hours(-3)), "3.0 h before");
    }
}
