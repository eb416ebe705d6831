//! Issue 12, item 1, over a real index and the real worker: the histogram
//! takes the keys (`[`/`]`/`v`, then `h`/`l`, `Enter`, `-`, `Esc`), and "go
//! to time" (`:`/`t`) lands the Events view on the event nearest a time,
//! then loads pages above and below it — snapshots at 80×24.

use std::collections::HashSet;

use crossterm::event::KeyCode;

use super::headless_tests::{Headless, line};
use super::keymap::Mode;
use super::state::View;

/// 1,000 requests 6 s apart from 08:00:00 (`req_0` … `req_999`, the last at
/// 09:39:54); every 25th a 503.
fn steady_corpus() -> String {
    let mut text = String::new();
    for i in 0..1000u32 {
        let s = i * 6;
        let t = format!("{:02}:{:02}:{:02}.000", 8 + s / 3600, s / 60 % 60, s % 60);
        let rid = format!("req_{i}");
        let line = if i.is_multiple_of(25) {
            line(&t, &rid, 503, Some("upstream_unavailable"), None)
        } else {
            line(&t, &rid, 201, None, None)
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The screen with the test's temporary directory written as `TMP`.
fn masked(screen: &str) -> String {
    let tmp = regex::Regex::new(r"/tmp/\.tmp[A-Za-z0-9]+").unwrap();
    tmp.replace_all(screen, "TMP").into_owned()
}

fn selected_id(h: &Headless) -> String {
    h.app.state.selected_event().unwrap().request_id.clone()
}

/// The loaded list holds each event once, newest first.
fn assert_contiguous(h: &Headless) {
    let items = &h.app.state.events.list.items;
    let ids: HashSet<&str> = items.iter().map(|e| e.request_id.as_str()).collect();
    assert_eq!(ids.len(), items.len(), "an event loaded twice");
    assert!(items.windows(2).all(|w| w[0].ts > w[1].ts), "out of order");
}

#[test]
fn the_histogram_takes_the_keys_moves_marks_zooms_and_gives_them_back() {
    let mut h = Headless::with(&super::walk_tests::chains_corpus(), 80, 24);
    h.keys(&[KeyCode::Char('[')]);
    assert_eq!(
        h.app.state.mode(),
        Mode::Histogram,
        "[ focuses the histogram"
    );
    h.keys(&[KeyCode::Char('H'); 8]);
    h.keys(&[KeyCode::Char('h'); 3]);
    let at = h.app.state.hist_cursor.expect("a cursor");
    h.keys(&[KeyCode::Char('l')]);
    assert_eq!(h.app.state.hist_cursor, Some(at + 1));
    h.keys(&[KeyCode::Char('H'); 8]);
    assert_eq!(
        h.app.state.hist_cursor,
        Some(0),
        "stops at the first column"
    );
    h.keys(&[KeyCode::Char('v')]);
    let screen = h.screen();
    let status = screen.lines().last().unwrap().to_string();
    assert!(status.contains("span marked"), "{status}");
    h.keys(&[KeyCode::Char('l'); 3]);
    let screen = h.screen();
    assert!(screen.contains("◆ HISTOGRAM"), "{screen}");
    assert!(
        screen.lines().last().unwrap().contains("HISTOGRAM"),
        "{screen}"
    );
    insta::assert_snapshot!("histogram_focused_span_80x24", masked(&screen));
    h.keys(&[KeyCode::Enter]);
    assert_eq!(
        h.app.state.applied,
        "since:2026-05-14T09:00:00Z until:2026-05-14T09:01:31Z"
    );
    assert_eq!(
        h.app.state.mode(),
        Mode::Histogram,
        "still focused: - zooms out"
    );
    h.keys(&[KeyCode::Char('-')]);
    assert_eq!(
        (h.app.state.applied.as_str(), h.app.state.events.total),
        ("", 11)
    );
    h.keys(&[KeyCode::Esc]);
    assert_eq!(h.app.state.mode(), Mode::Normal);
    assert_eq!(
        h.app.state.hist_cursor, None,
        "the cursor goes with the focus"
    );
    // Browsing, `-` is the exclude pivot again.
    h.keys(&[KeyCode::Char('-')]);
    assert_eq!(h.app.state.mode(), Mode::Pivot);
    h.keys(&[KeyCode::Esc]);
    // A key the histogram does not answer hands the keys back and acts.
    h.keys(&[KeyCode::Char(']'), KeyCode::Char('j')]);
    assert_eq!(h.app.state.mode(), Mode::Normal);
    assert_eq!(h.app.state.events.list.selected, 1, "j moved the list");
}

#[test]
fn enter_on_the_unmarked_histogram_sends_the_events_to_the_cursors_time() {
    let mut h = Headless::with(&steady_corpus(), 80, 24);
    h.keys(&[KeyCode::Char('[')]);
    h.keys(&[KeyCode::Char('H'); 20]);
    h.keys(&[KeyCode::Enter]);
    let s = &h.app.state;
    assert_eq!(s.mode(), Mode::Normal);
    assert!(s.events.anchored && s.events.newer_left > 0);
    let cursor_end = s.selected_event().unwrap().ts;
    assert!(
        s.histogram.as_ref().unwrap().end - cursor_end > chrono::Duration::minutes(10),
        "landed well before the newest: {cursor_end}"
    );
}

#[test]
fn go_to_time_lands_on_the_nearest_event_and_loads_both_ways() {
    let mut h = Headless::with(&steady_corpus(), 80, 24);
    assert_eq!(selected_id(&h), "req_999");
    h.keys(&[KeyCode::Char('t')]);
    assert_eq!(h.app.state.mode(), Mode::Goto);
    assert!(
        h.screen().starts_with("go to time ▸ 09:44"),
        "the prompt says what it takes"
    );
    h.type_text("09:00:02");
    h.keys(&[KeyCode::Enter]);
    let s = &h.app.state;
    assert_eq!(
        selected_id(&h),
        "req_600",
        "09:00:00 is 2 s away, 09:00:06 4 s"
    );
    assert_eq!(
        (s.view, s.applied.as_str()),
        (View::Events, ""),
        "the query is unchanged"
    );
    assert_eq!((s.events.total, s.events.list.items.len()), (1000, 200));
    let screen = h.screen();
    assert!(screen.contains("newer above"), "{screen}");
    assert!(screen.contains("the nearest event, 2 s before"), "{screen}");
    insta::assert_snapshot!("goto_landed_80x24", masked(&screen));

    // Up past the loaded top: newer pages, the selection kept.
    h.keys(&[KeyCode::Char('k'); 60]);
    assert_eq!(selected_id(&h), "req_660");
    assert_eq!(h.app.state.events.list.items.len(), 400);
    h.keys(&[KeyCode::Char('g')]);
    h.keys(&[KeyCode::Char('g')]);
    assert_eq!(selected_id(&h), "req_999", "at the top: the newest event");
    assert_eq!(h.app.state.events.newer_left, 0);
    // Down past the loaded bottom: older pages, down to the first event.
    for _ in 0..4 {
        h.keys(&[KeyCode::Char('G')]);
    }
    assert_eq!(selected_id(&h), "req_0");
    assert_eq!(h.app.state.events.list.items.len(), 1000);
    assert_contiguous(&h);
}

#[test]
fn go_to_time_reads_relative_times_from_the_selected_event_and_keeps_the_query() {
    let mut h = Headless::with(&steady_corpus(), 80, 24);
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("status:503");
    h.keys(&[KeyCode::Enter]);
    assert_eq!(h.app.state.events.total, 40);
    assert_eq!(selected_id(&h), "req_975");
    h.keys(&[KeyCode::Char(':')]);
    h.type_text("-30m");
    h.keys(&[KeyCode::Enter]);
    // 09:37:30 - 30 min = 09:07:30; the 503s nearest are req_675 (09:07:30).
    assert_eq!(selected_id(&h), "req_675");
    assert_eq!(h.app.state.applied, "status:503");
    assert_contiguous(&h);
    // Not a time: the prompt stays open and says what it takes.
    h.keys(&[KeyCode::Char('t')]);
    h.type_text("yesterdayish");
    h.keys(&[KeyCode::Enter]);
    assert_eq!(h.app.state.mode(), Mode::Goto);
    let flash = h.app.state.flash.clone().unwrap_or_default();
    assert!(
        flash.contains("cannot read") && flash.contains("-2h"),
        "{flash}"
    );
    h.keys(&[KeyCode::Esc]);
    assert_eq!(h.app.state.mode(), Mode::Normal);
    assert_eq!(selected_id(&h), "req_675", "Esc went nowhere");
}

#[test]
fn a_live_refresh_keeps_a_list_gone_to_a_time_where_it_is() {
    let mut h = Headless::with(&steady_corpus(), 80, 24);
    h.keys(&[KeyCode::Char('t')]);
    h.type_text("09:00");
    h.keys(&[KeyCode::Enter]);
    assert_eq!(selected_id(&h), "req_600");
    let mut text = std::fs::read_to_string(&h.log).unwrap();
    text.push_str(
        &(line(
            "09:45:00.000",
            "req_LIVE",
            500,
            Some("internal_error"),
            None,
        ) + "\n"),
    );
    std::fs::write(&h.log, text).unwrap();
    super::headless_tests::ingest(&h.index, &h.log);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h.app.state.events.total < 1001 {
        assert!(
            std::time::Instant::now() < deadline,
            "the new event never came"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.settle();
    }
    let s = &h.app.state;
    assert_eq!(selected_id(&h), "req_600", "still where it was gone to");
    assert!(s.events.anchored);
    assert_eq!(
        s.events.newer_left, 300,
        "399 newer less the 100 loaded, and the new one"
    );
    assert_contiguous(&h);
}
